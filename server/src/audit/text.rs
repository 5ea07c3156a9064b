//! The audit as an aligned table for people.

use super::{format_ranges, Audit};
use crate::coverage::display_percent;
use std::fmt::Write;

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
