//! `testgap audit`: the ranked gaps as a table, JSON or SARIF.

use super::args::{Percent, Root};
use super::audit_table::{render_text, TextStyle};
use super::exit;
use super::output::{self, Color};
use std::path::PathBuf;
use testgap::audit::{self, AuditConfig};
use testgap::coverage::{self, config, LoadOptions};

/// Flags of `testgap audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The project root.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The coverage.json to read (default: <root>/coverage.json, else the
    /// [json] output setting of the project's coverage configuration).
    #[arg(long)]
    coverage: Option<PathBuf>,
    /// Rank modules whose coverage is below this percentage.
    #[arg(long, default_value_t = Percent::DEFAULT_THRESHOLD, value_parser = Percent::parse_threshold)]
    threshold: Percent,
    /// Report at most this many modules.
    #[arg(long, default_value_t = 200)]
    max_modules: usize,
    /// Modules per subsystem batch.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    batch_size: u64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with status 1 when total coverage is below this percentage.
    #[arg(long, value_parser = Percent::parse)]
    fail_under: Option<Percent>,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

/// Runs `testgap audit`: 0, or 1 below `--fail-under`; `Err` (exit 2) for
/// input it cannot use.
pub fn run(args: AuditArgs) -> Result<u8, String> {
    let root = Root::absolute(&args.root)?;
    let root = root.path();
    let options = LoadOptions {
        explicit: args.coverage.clone(),
    };
    let path = coverage::find_report(root, &options).map_err(|e| e.to_string())?;
    let report = coverage::load_report(root, &path).map_err(|e| e.to_string())?;
    let settings = config::read_settings(root);
    let config = AuditConfig {
        threshold: args.threshold.get(),
        max_modules: args.max_modules,
        batch_size: args.batch_size as usize,
        precision: settings.precision.unwrap_or(0).min(10),
    };
    let result = audit::audit(root, &report, &config);
    let rendered = match args.format {
        Format::Text => render_text(
            &result,
            TextStyle {
                color: args.color.for_stdout(),
                functions_per_module: 3,
            },
        ),
        Format::Json => audit::render_json(&result),
        Format::Sarif => output::pretty_json(&audit::render_sarif(&result)),
    };
    if !output::print(&rendered) {
        return Ok(exit::OK);
    }
    output::warnings(&result.warnings);
    if let Some(fail_under) = args.fail_under.map(Percent::get) {
        let total = result.totals.percent();
        if should_fail_under(total, fail_under, config.precision) {
            output::error(&format!(
                "total coverage {}% is below --fail-under {fail_under}",
                coverage::display_percent(total, config.precision)
            ));
            return Ok(exit::BELOW_FAIL_UNDER);
        }
    }
    Ok(exit::OK)
}

/// coverage.py's rule: 100 must really be 100; otherwise compare the total
/// rounded to the report precision.
fn should_fail_under(total: f64, fail_under: f64, precision: usize) -> bool {
    if fail_under == 100.0 {
        return total != 100.0;
    }
    let scale = 10f64.powi(precision as i32);
    (total * scale).round_ties_even() / scale < fail_under
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_under_rounds_like_coverage_py() {
        assert!(!should_fail_under(49.5, 50.0, 0), "49.5 shows as 50 (ties to even: 50)");
        assert!(should_fail_under(48.5, 49.0, 0), "48.5 shows as 48");
        assert!(!should_fail_under(49.96, 50.0, 1));
        assert!(should_fail_under(99.99, 100.0, 2), "100 must really be 100");
        assert!(!should_fail_under(100.0, 100.0, 0));
    }
}
