//! What `testgap generate` reports: a summary for people (stderr with
//! diffs, stdout with `--write`) or one JSON document.

use testgap::coverage;
use testgap::generate::{ModuleReport, Numbers, Project};

/// The counts over every module, as the summary's last line and JSON's `totals`.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Totals {
    modules: usize,
    targeted: usize,
    with_tests: usize,
    skipped: usize,
    tests: usize,
    dropped: usize,
    before: Numbers,
    after: Numbers,
    measured: usize,
}

impl Totals {
    /// Adds up the modules' reports.
    pub fn of(reports: &[ModuleReport]) -> Totals {
        let mut t = Totals {
            modules: reports.len(),
            ..Totals::default()
        };
        for r in reports {
            for f in &r.functions {
                t.targeted += 1;
                t.tests += f.tests;
                t.dropped += f.dropped.len();
                if f.tests > 0 {
                    t.with_tests += 1;
                } else {
                    t.skipped += 1;
                }
                if let (Some(b), Some(a)) = (f.before, f.after) {
                    t.before.add(&b);
                    t.after.add(&a);
                    t.measured += 1;
                }
            }
        }
        t
    }

    /// Functions were targeted, but no test could be made for any.
    pub fn nothing_generated(&self) -> bool {
        self.targeted > 0 && self.tests == 0
    }
}

fn lines_text(n: &Numbers) -> String {
    format!("{}%", coverage::display_percent(n.line_percent(), 0))
}

fn branches_text(n: &Numbers) -> String {
    format!("{}/{}", n.branches_covered, n.branches_total)
}

/// `lines 40% → 100%, branches 1/4 → 4/4` (or only after, without a report).
fn gain_text(before: Option<&Numbers>, after: Option<&Numbers>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => {
            let mut text = format!("lines {} → {}", lines_text(b), lines_text(a));
            if a.branches_total > 0 {
                text.push_str(&format!(", branches {} → {}", branches_text(b), branches_text(a)));
            }
            text
        }
        (None, Some(a)) => {
            let mut text = format!("lines {}", lines_text(a));
            if a.branches_total > 0 {
                text.push_str(&format!(", branches {}", branches_text(a)));
            }
            text.push_str(" (by the new tests alone)");
            text
        }
        _ => String::new(),
    }
}

/// The summary for people: per module its functions, tests and gains, then the totals.
pub fn summary_text(project: &Project, reports: &[ModuleReport], totals: &Totals, wrote: bool, elapsed: f64) -> String {
    let mut out = String::new();
    let python = project
        .python
        .path
        .strip_prefix(&project.root)
        .unwrap_or(&project.python.path)
        .display()
        .to_string();
    let (major, minor) = project.capabilities.version;
    out.push_str(&format!(
        "testgap generate: {} module{}, {} function{} · Python {major}.{minor} ({python})\n",
        totals.modules,
        plural(totals.modules),
        totals.targeted,
        plural(totals.targeted),
    ));
    let width = reports
        .iter()
        .flat_map(|r| r.functions.iter().map(|f| f.qualname.chars().count()))
        .max()
        .unwrap_or(8)
        .clamp(8, 40);
    for r in reports {
        out.push('\n');
        let destination = match &r.edit {
            Some(e) if e.creates() => format!(" → {} (new file)", e.rel),
            Some(e) => format!(" → {} (appended)", e.rel),
            None => String::new(),
        };
        out.push_str(&format!(
            "{}{destination}: {} test{} · {:.1} s\n",
            r.path,
            r.tests,
            plural(r.tests),
            r.seconds
        ));
        if let Some(e) = &r.error {
            out.push_str(&format!("  error: {e}\n"));
        }
        for note in &r.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        for f in &r.functions {
            let name = format!("{:<width$}", f.qualname);
            match &f.skipped {
                Some(why) if f.tests == 0 => out.push_str(&format!("  {name}  skipped: {why}\n")),
                _ => {
                    let gain = gain_text(f.before.as_ref(), f.after.as_ref());
                    let sep = if gain.is_empty() { "" } else { "  " };
                    out.push_str(&format!(
                        "  {name}  {:>2} test{}{sep}{gain}\n",
                        f.tests,
                        if f.tests == 1 { " " } else { "s" }
                    ));
                }
            }
            for d in &f.dropped {
                out.push_str(&format!("    dropped {}: {}\n", d.case, d.reason));
            }
            for note in &f.notes {
                out.push_str(&format!("    note: {note}\n"));
            }
        }
    }
    out.push('\n');
    out.push_str(&format!(
        "TOTAL  {} tests for {} of {} functions · {} skipped · {} dropped",
        totals.tests, totals.with_tests, totals.targeted, totals.skipped, totals.dropped
    ));
    if totals.measured > 0 {
        out.push_str(&format!(
            " · lines {} → {}",
            lines_text(&totals.before),
            lines_text(&totals.after)
        ));
        if totals.after.branches_total > 0 {
            out.push_str(&format!(
                ", branches {} → {}",
                branches_text(&totals.before),
                branches_text(&totals.after)
            ));
        }
    }
    out.push_str(&format!(" · {elapsed:.1} s\n"));
    if !wrote && reports.iter().any(|r| r.edit.is_some()) {
        out.push_str("(nothing written: pass --write to create or append these test files)\n");
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

/// `--format json`: every module's report with its diff, and the totals.
pub fn json_document(
    project: &Project,
    reports: &[ModuleReport],
    totals: &Totals,
    wrote: bool,
    written: &[String],
    elapsed: f64,
) -> serde_json::Value {
    let modules: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let mut value = serde_json::to_value(r).unwrap_or_default();
            if let (Some(edit), Some(obj)) = (&r.edit, value.as_object_mut()) {
                obj.insert("diff".to_string(), serde_json::Value::String(edit.unified_diff()));
                obj.insert(
                    "written".to_string(),
                    serde_json::Value::Bool(written.contains(&edit.rel)),
                );
            }
            value
        })
        .collect();
    serde_json::json!({
        "schema_version": 1,
        "root": project.root.display().to_string(),
        "python": project.python.path.display().to_string(),
        "mode": if wrote { "write" } else { "diff" },
        "modules": modules,
        "totals": totals,
        "seconds": elapsed,
    })
}
