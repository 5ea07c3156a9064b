//! `testgap audit`'s text format: an aligned table for people, coloured
//! on a terminal.

use std::fmt::Write;
use testgap::audit::{format_ranges, Audit};
use testgap::coverage::display_percent;

/// How to print: with ANSI colour (terminals only) or plain.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextStyle {
    pub color: bool,
    /// Functions listed under each module.
    pub functions_per_module: usize,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn percent(&self, percent: f64, text: &str) -> String {
        self.wrap(if percent < 25.0 { "31" } else { "33" }, text)
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The audit as text.
pub fn render_text(audit: &Audit, style: TextStyle) -> String {
    let paint = Paint(style.color);
    let precision = audit.config.precision;
    let mut out = String::new();
    let threshold = display_percent(audit.config.threshold, precision);
    let branch = if audit.meta.branch_coverage {
        ", branch coverage"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{} {} of {} files below {threshold}% · {} (coverage {}{branch})",
        paint.bold("testgap audit:"),
        audit.files_below_threshold,
        audit.files_total,
        display_name(audit),
        audit.meta.version,
    );
    if audit.modules.is_empty() {
        let _ = writeln!(out, "\nNo module is below {threshold}%.");
    } else {
        out.push('\n');
        render_table(&mut out, audit, &paint, style);
        render_batches(&mut out, audit, &paint);
    }
    let t = &audit.totals;
    let mut total = format!("{} statements, {} missing", t.num_statements, t.missing_lines);
    if audit.meta.branch_coverage {
        let _ = write!(
            total,
            ", {} branches, {} partial",
            t.num_branches, t.num_partial_branches
        );
    }
    let _ = writeln!(
        out,
        "\n{}  {total}: {}% covered",
        paint.bold("TOTAL"),
        display_percent(t.percent(), precision)
    );
    if audit.modules.len() < audit.files_below_threshold {
        let _ = writeln!(
            out,
            "{}",
            paint.dim(&format!(
                "(showing the top {} of {} modules below {threshold}%; raise --max-modules to see more)",
                audit.modules.len(),
                audit.files_below_threshold
            ))
        );
    }
    out
}

fn display_name(audit: &Audit) -> String {
    audit
        .coverage_file
        .strip_prefix(&audit.root)
        .unwrap_or(&audit.coverage_file)
        .display()
        .to_string()
}

fn render_table(out: &mut String, audit: &Audit, paint: &Paint, style: TextStyle) {
    let precision = audit.config.precision;
    let branches = audit.meta.branch_coverage;
    let name_width = audit
        .modules
        .iter()
        .map(|m| width(&m.path) + 2 * usize::from(m.stale))
        .max()
        .unwrap_or(6)
        .max(6);
    let rank_width = audit.modules.len().to_string().len().max(1);
    let mut header = format!(
        "{:>rank_width$}  {}  {:>6} {:>6}",
        "#",
        pad_right("Module", name_width),
        "Stmts",
        "Miss"
    );
    if branches {
        header.push_str(&format!(" {:>6} {:>6}", "Branch", "BrPart"));
    }
    header.push_str(&format!(" {:>7} {:>7}", "Cover", "Risk"));
    let _ = writeln!(out, "{}", paint.bold(&header));
    for m in &audit.modules {
        let s = &m.summary;
        let name = if m.stale {
            format!("{} *", m.path)
        } else {
            m.path.clone()
        };
        let mut row = format!(
            "{:>rank_width$}  {}  {:>6} {:>6}",
            m.rank,
            pad_right(&name, name_width),
            s.num_statements,
            s.missing_lines
        );
        if branches {
            row.push_str(&format!(" {:>6} {:>6}", s.num_branches, s.num_partial_branches));
        }
        let cover = format!("{:>7}", format!("{}%", display_percent(s.percent(), precision)));
        let _ = writeln!(out, "{row} {} {:>7.1}", paint.percent(s.percent(), &cover), m.risk);
        let indent = " ".repeat(rank_width + 4);
        for f in m.functions.iter().take(style.functions_per_module) {
            let single = matches!(f.uncovered_lines.as_slice(), [(a, b)] if a == b);
            let mut detail = format!(
                "{}  {}%  {} {}",
                f.name,
                display_percent(f.summary.percent(), precision),
                if single { "line" } else { "lines" },
                format_ranges(&f.uncovered_lines)
            );
            if f.complexity > 1 {
                let _ = write!(detail, " · complexity {}", f.complexity);
            }
            if f.untested_raises > 0 {
                let _ = write!(detail, " · {} untested raise", f.untested_raises);
                if f.untested_raises > 1 {
                    detail.push('s');
                }
            }
            let _ = writeln!(out, "{indent}{}", paint.dim(&detail));
        }
        if m.functions.len() > style.functions_per_module {
            let more = m.functions.len() - style.functions_per_module;
            let _ = writeln!(out, "{indent}{}", paint.dim(&format!("… and {more} more")));
        }
    }
    if audit.modules.iter().any(|m| m.stale) {
        let _ = writeln!(out, "{}", paint.dim("* changed since the coverage data was recorded"));
    }
}

fn render_batches(out: &mut String, audit: &Audit, paint: &Paint) {
    let _ = writeln!(out, "\n{}", paint.bold("Batches (by package)"));
    let package_width = audit.batches.iter().map(|b| width(&b.package)).max().unwrap_or(1);
    let id_width = audit.batches.len().to_string().len();
    for b in &audit.batches {
        let names: Vec<&str> = b
            .modules
            .iter()
            .map(|m| m.strip_prefix(&format!("{}/", b.package)).unwrap_or(m))
            .collect();
        let _ = writeln!(
            out,
            "{:>id_width$}  {}  {}",
            b.id,
            pad_right(&b.package, package_width),
            names.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testgap::audit::AuditConfig;

    /// One module, `billing/tax.py`: `rate` never runs, `apply` does.
    fn audit() -> Audit {
        let dir = tempfile::tempdir().unwrap();
        let root = testgap::coverage::normalize(dir.path()).unwrap();
        std::fs::create_dir(root.join("billing")).unwrap();
        let source = "def rate(region):\n    if region == \"eu\":\n        raise KeyError(region)\n    return 0.2\n\n\ndef apply(x):\n    return x\n";
        std::fs::write(root.join("billing/tax.py"), source).unwrap();
        let summary = r#"{"covered_lines": 3, "num_statements": 6, "missing_lines": 3, "excluded_lines": 0,
            "num_branches": 2, "covered_branches": 0, "missing_branches": 2, "num_partial_branches": 0}"#;
        let coverage = format!(
            r#"{{"meta": {{"format": 2, "version": "7.4.0", "timestamp": "2020-01-01T00:00:00",
                 "branch_coverage": true, "show_contexts": false}},
               "files": {{"billing/tax.py": {{"executed_lines": [1, 7, 8], "missing_lines": [2, 3, 4],
                 "excluded_lines": [], "executed_branches": [], "missing_branches": [[2, 3], [2, 4]],
                 "summary": {summary}}}}}}}"#
        );
        std::fs::write(root.join("coverage.json"), coverage).unwrap();
        let report = testgap::coverage::load_report(&root, &root.join("coverage.json")).unwrap();
        testgap::audit::audit(&root, &report, &AuditConfig::default())
    }

    #[test]
    fn a_table_plain_or_coloured() {
        let audit = audit();
        let style = TextStyle {
            color: false,
            functions_per_module: 3,
        };
        let text = render_text(&audit, style);
        let expected = "\
testgap audit: 1 of 1 files below 50% · coverage.json (coverage 7.4.0, branch coverage)

#  Module           Stmts   Miss Branch BrPart   Cover    Risk
1  billing/tax.py       6      3      2      0     38%    10.5
     rate  0%  lines 2-4 · complexity 2 · 1 untested raise

Batches (by package)
1  billing  tax.py

TOTAL  6 statements, 3 missing, 2 branches, 0 partial: 38% covered
";
        assert_eq!(text, expected);
        assert!(!text.contains('\x1b'));
        let coloured = render_text(&audit, TextStyle { color: true, ..style });
        assert!(coloured.contains("\x1b[1mtestgap audit:\x1b[0m"), "{coloured}");
    }
}
