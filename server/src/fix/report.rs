//! What `testgap fix` found and did: per test, fixed (with root causes and
//! edits) or needs a human (category, evidence, what was tried, what to do);
//! per file, the edit. Rendered as text or as JSON (`schema_version` 1).

use super::classify::{Category, Diagnosis};
use super::fixers::EditKind;
use crate::edit::{Annotation, Edit};
use serde::Serialize;
use serde_json::json;

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// It failed, and passes with the edits.
    Fixed,
    /// It still fails: a person has to look.
    NeedsHuman,
    /// It did not fail in the first place.
    Passed,
    /// pytest ran no such test.
    NotFound,
}

/// One root cause that was repaired, and how.
#[derive(Debug, Clone, Serialize)]
pub struct AppliedFix {
    pub category: Category,
    pub confidence: f64,
    pub summary: String,
    pub evidence: Vec<String>,
    pub edit: String,
    pub kind: EditKind,
    /// The files edited, relative to the root.
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub nodeid: String,
    pub outcome: TestOutcome,
    /// For fixed tests: the root causes in the order they were repaired.
    pub fixes: Vec<AppliedFix>,
    /// The test whose fix also fixed this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_with: Option<String>,
    /// For tests that still fail: the root cause in the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
    /// Why no edit was made (or kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Candidate edits that were tried and undone.
    pub tried: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Re-runs on candidate text made for this test.
    pub attempts: u32,
    pub seconds: f64,
}

impl TestResult {
    pub fn new(nodeid: &str, outcome: TestOutcome) -> TestResult {
        TestResult {
            nodeid: nodeid.to_string(),
            outcome,
            fixes: Vec::new(),
            fixed_with: None,
            diagnosis: None,
            reason: None,
            tried: Vec::new(),
            suggestion: None,
            attempts: 0,
            seconds: 0.0,
        }
    }
}

/// Everything one `testgap fix` run did.
#[derive(Debug, Clone, Default)]
pub struct FixReport {
    pub results: Vec<TestResult>,
    /// One edit per file, annotated with the root causes it repairs.
    pub files: Vec<Edit>,
    /// Re-runs on candidate text, all tests together.
    pub attempts: u32,
    /// pytest runs in all (the first run and checks included).
    pub runs: u32,
    pub seconds: f64,
    /// Whether the edits were written to disk.
    pub written: bool,
    pub warnings: Vec<String>,
}

impl FixReport {
    /// Tests that failed when testgap started (or could not be found).
    pub fn failing(&self) -> usize {
        self.results.iter().filter(|r| r.outcome != TestOutcome::Passed).count()
    }

    pub fn fixed(&self) -> usize {
        self.results.iter().filter(|r| r.outcome == TestOutcome::Fixed).count()
    }

    pub fn all_fixed(&self) -> bool {
        self.fixed() == self.failing()
    }
}

/// The text report: the headline, the tables, then the diff (when `diff`).
pub fn render_text(report: &FixReport, diff: bool) -> String {
    let mut out = String::new();
    let failing = report.failing();
    if failing == 0 {
        out.push_str(&format!(
            "Nothing to fix: {} test{} passed · {:.1} s\n",
            report.results.len(),
            plural(report.results.len()),
            report.seconds
        ));
        return out;
    }
    out.push_str(&format!(
        "Fixed {}/{} · attempts {} · {:.1} s\n",
        report.fixed(),
        failing,
        report.attempts,
        report.seconds
    ));
    let fixed: Vec<&TestResult> = report
        .results
        .iter()
        .filter(|r| r.outcome == TestOutcome::Fixed)
        .collect();
    if !fixed.is_empty() {
        let mut rows = Vec::new();
        for result in &fixed {
            if let Some(with) = &result.fixed_with {
                rows.push([result.nodeid.clone(), String::new(), format!("fixed with {with}")]);
                continue;
            }
            for (i, fix) in result.fixes.iter().enumerate() {
                let edit = if fix.kind == EditKind::Repair {
                    fix.edit.clone()
                } else {
                    format!("{} ({})", fix.edit, fix.kind.as_str())
                };
                let test = if i == 0 { result.nodeid.clone() } else { String::new() };
                rows.push([test, fix.category.to_string(), edit]);
            }
        }
        out.push_str("\nFixed\n");
        out.push_str(&table(["test", "root cause", "edit"], &rows));
    }
    let open: Vec<&TestResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, TestOutcome::NeedsHuman | TestOutcome::NotFound))
        .collect();
    if !open.is_empty() {
        out.push_str("\nNeeds a human\n");
        let rows: Vec<[String; 3]> = open
            .iter()
            .map(|r| {
                let category = match (&r.diagnosis, r.outcome) {
                    (_, TestOutcome::NotFound) => "not found".to_string(),
                    (Some(d), _) => d.category.to_string(),
                    (None, _) => Category::Unknown.to_string(),
                };
                let why = r
                    .reason
                    .clone()
                    .or_else(|| r.diagnosis.as_ref().map(|d| d.summary.clone()))
                    .unwrap_or_default();
                [r.nodeid.clone(), category, why]
            })
            .collect();
        out.push_str(&table(["test", "category", "why"], &rows));
        for result in &open {
            let details: Vec<String> = result
                .diagnosis
                .iter()
                .flat_map(|d| d.evidence.iter().map(|e| format!("evidence: {e}")))
                .chain(result.tried.iter().map(|t| format!("tried: {t}")))
                .chain(result.suggestion.iter().map(|s| format!("suggestion: {s}")))
                .collect();
            if details.is_empty() {
                continue;
            }
            out.push_str(&format!("\n  {}\n", result.nodeid));
            for line in details {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    for warning in &report.warnings {
        out.push_str(&format!("\nwarning: {warning}\n"));
    }
    if !report.files.is_empty() {
        if report.written {
            out.push('\n');
            for file in &report.files {
                out.push_str(&format!("Wrote {}\n", file.rel));
            }
        } else if diff {
            out.push('\n');
            for file in &report.files {
                out.push_str(&file.unified_diff());
            }
            out.push_str("\nNot written: run again with --write to apply these edits.\n");
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// An aligned table with a two-space indent; the last column is not padded.
fn table(header: [&str; 3], rows: &[[String; 3]]) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain(std::iter::once(header[i].len()))
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = format!("  {:<w0$}  {:<w1$}  {}\n", header[0], header[1], header[2]);
    for row in rows {
        out.push_str(format!("  {:<w0$}  {:<w1$}  {}", row[0], row[1], row[2]).trim_end());
        out.push('\n');
    }
    out
}

/// The JSON report (`schema_version` 1).
pub fn render_json(report: &FixReport) -> String {
    let files: Vec<serde_json::Value> = report
        .files
        .iter()
        .map(|f| {
            let original = f.original.as_deref().unwrap_or_default();
            let edits: Vec<serde_json::Value> = f
                .text_edits()
                .iter()
                .map(|e| {
                    let (start_line, end_line) = (line_at(original, e.range.start), line_at(original, e.range.end));
                    json!({
                        "start_line": start_line,
                        "end_line": end_line,
                        "new_text": e.new_text,
                    })
                })
                .collect();
            json!({ "path": f.rel, "diff": f.unified_diff(), "edits": edits })
        })
        .collect();
    let value = json!({
        "schema_version": 1,
        "summary": {
            "failing": report.failing(),
            "fixed": report.fixed(),
            "needs_human": report.results.iter().filter(|r| r.outcome == TestOutcome::NeedsHuman).count(),
            "not_found": report.results.iter().filter(|r| r.outcome == TestOutcome::NotFound).count(),
            "attempts": report.attempts,
            "runs": report.runs,
            "seconds": (report.seconds * 1000.0).round() / 1000.0,
            "written": report.written,
        },
        "tests": report.results,
        "files": files,
        "warnings": report.warnings,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Annotates each file's edit with the root causes it repairs. Updating an
/// expected value the code does not explain (a possible regression) needs
/// confirmation.
pub fn annotate(files: &mut [Edit], results: &[TestResult]) {
    for file in files {
        let fixes: Vec<(&str, &AppliedFix)> = results
            .iter()
            .flat_map(|r| r.fixes.iter().map(move |f| (r.nodeid.as_str(), f)))
            .filter(|(_, f)| f.files.contains(&file.rel))
            .collect();
        let causes: Vec<String> = fixes
            .iter()
            .map(|(nodeid, f)| {
                let name = nodeid.rsplit("::").next().unwrap_or(nodeid);
                format!("`{name}` — {}: {} → {}", f.category, f.summary, f.edit)
            })
            .collect();
        let label = if causes.is_empty() {
            format!("testgap: fix {}", file.rel)
        } else {
            format!("testgap: {}", causes.join("; "))
        };
        let regression = fixes.iter().any(|(_, f)| f.kind == EditKind::DriftAccepted);
        let description = if regression {
            Some(
                "possible regression in the code: the code under test did not change since the test's last commit, \
                 so the test may be right. Accept only if the new value is intended."
                    .to_string(),
            )
        } else {
            let evidence: Vec<&str> = fixes
                .iter()
                .flat_map(|(_, f)| f.evidence.iter().map(String::as_str))
                .collect();
            (!evidence.is_empty()).then(|| evidence.join("\n"))
        };
        file.annotation = Annotation {
            id: format!("testgap.fix:{}", file.rel),
            label,
            description,
            needs_confirmation: regression,
        };
    }
}

/// 0-based line of a byte offset (edits replace whole lines: `end_line` is
/// exclusive).
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(original: &str, updated: &str) -> Edit {
        Edit::replace(
            "/p/tests/test_a.py".into(),
            "tests/test_a.py".into(),
            original.into(),
            updated.into(),
        )
    }

    #[test]
    fn headline_and_tables() {
        let mut fixed = TestResult::new("tests/test_a.py::test_x", TestOutcome::Fixed);
        fixed.fixes.push(AppliedFix {
            category: Category::ImportError,
            confidence: 0.9,
            summary: "`x` cannot be imported from `a`".into(),
            evidence: vec![],
            edit: "import `x` from `b` instead of `a`".into(),
            kind: EditKind::Repair,
            files: vec!["tests/test_a.py".into()],
        });
        let mut open = TestResult::new("tests/test_a.py::test_y", TestOutcome::NeedsHuman);
        open.reason = Some("possible regression in the code".into());
        open.suggestion = Some("check the code".into());
        let report = FixReport {
            results: vec![
                fixed,
                open,
                TestResult::new("tests/test_a.py::test_z", TestOutcome::Passed),
            ],
            files: vec![change("a\n", "b\n")],
            attempts: 2,
            runs: 4,
            seconds: 1.25,
            written: false,
            warnings: vec![],
        };
        let text = render_text(&report, true);
        assert!(text.starts_with("Fixed 1/2 · attempts 2 · 1.2 s\n\nFixed\n"), "{text}");
        assert!(text.contains("  tests/test_a.py::test_x  import_error  import `x` from `b` instead of `a`\n"));
        assert!(
            text.contains("  tests/test_a.py::test_y  unknown   possible regression in the code\n"),
            "{text}"
        );
        assert!(text.contains("    suggestion: check the code\n"));
        assert!(text.ends_with("Not written: run again with --write to apply these edits.\n"));
        let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
        assert_eq!(json["summary"]["fixed"], 1);
        assert_eq!(json["summary"]["failing"], 2);
        assert_eq!(json["tests"][0]["fixes"][0]["category"], "import_error");
        assert_eq!(json["files"][0]["edits"][0]["new_text"], "b\n");
    }

    #[test]
    fn edits_are_annotated_with_their_root_causes() {
        let mut fixed = TestResult::new("tests/test_a.py::test_x", TestOutcome::Fixed);
        fixed.fixes.push(AppliedFix {
            category: Category::AssertionDrift,
            confidence: 0.8,
            summary: "the expected value changed".into(),
            evidence: vec!["`total()` returns 3".into()],
            edit: "expect 3".into(),
            kind: EditKind::DriftAccepted,
            files: vec!["tests/test_a.py".into()],
        });
        let mut files = vec![
            change("a\n", "b\n"),
            Edit::replace("/p/b.py".into(), "b.py".into(), "x".into(), "y".into()),
        ];
        annotate(&mut files, &[fixed]);
        let note = &files[0].annotation;
        assert_eq!(note.id, "testgap.fix:tests/test_a.py");
        assert_eq!(
            note.label,
            "testgap: `test_x` — assertion_drift: the expected value changed → expect 3"
        );
        assert!(note.needs_confirmation);
        assert!(note.description.as_deref().unwrap().starts_with("possible regression"));
        assert_eq!(files[1].annotation.label, "testgap: fix b.py");
        assert_eq!(files[1].annotation.description, None);
    }
}
