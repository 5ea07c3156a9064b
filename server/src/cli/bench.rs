//! `testgap bench` (hidden): the measurements `bench/run` takes in process,
//! one JSON line each.

use super::args::Root;
use super::{exit, output};
use std::path::PathBuf;
use testgap::bench;

/// What to measure.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Parse a file into serde_json::Value.
    ValueParse { file: PathBuf },
    /// Load a coverage report the way the audit does.
    Load {
        file: PathBuf,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Analyse every .py file below a directory.
    Analyze { dir: PathBuf },
    /// Time re-parsing one file after each of N edits.
    Edits {
        file: PathBuf,
        #[arg(long, default_value_t = 1000)]
        count: usize,
    },
}

/// Takes one measurement and prints it as a JSON line.
pub fn run(what: BenchCommand) -> Result<u8, String> {
    let line = match what {
        BenchCommand::ValueParse { file } => {
            let seconds = bench::value_parse(&file).map_err(|e| e.to_string())?;
            serde_json::json!({ "seconds": seconds })
        }
        BenchCommand::Load { file, root } => {
            let root = Root::absolute(&root)?;
            let (seconds, files) = bench::load(root.path(), &file).map_err(|e| e.to_string())?;
            serde_json::json!({ "seconds": seconds, "files": files })
        }
        BenchCommand::Analyze { dir } => serde_json::json!(bench::analyze_dir(&dir)),
        BenchCommand::Edits { file, count } => {
            serde_json::json!(bench::edits(&file, count).map_err(|e| e.to_string())?)
        }
    };
    output::print(&format!("{line}\n"));
    Ok(exit::OK)
}
