//! The audit and the least covered functions, from the session's reports:
//! what `testgap.audit`, `testgap.leastCovered` and `workspace/symbol` show.

use super::commands::AuditArgs;
use super::server::Shared;
use super::session::{uri_path, ReportState, Session};
use super::{internal, invalid};
use crate::audit::{self, Audit, AuditConfig};
use crate::coverage;
use serde_json::{json, Value};
use std::path::PathBuf;
use tower_lsp_server::jsonrpc::Result;

/// What an audit command needs, copied out of the session so that the work
/// runs without the lock.
pub struct AuditJob {
    pub roots: Vec<(PathBuf, std::sync::Arc<coverage::CoverageReport>)>,
    pub config: AuditConfig,
}

/// The audit of the workspaces `args` selects, with its options.
pub fn audit_job(session: &Session, args: &AuditArgs) -> std::result::Result<AuditJob, String> {
    // A file URI (percent-encoded) or a plain path.
    let wanted_root = args.root.as_deref().map(|r| {
        match r
            .parse::<tower_lsp_server::ls_types::Uri>()
            .ok()
            .and_then(|uri| uri_path(&uri))
        {
            Some(path) => path,
            None => PathBuf::from(r),
        }
    });
    let mut config = AuditConfig::default();
    if let Some(t) = args.threshold {
        config.threshold = t;
    }
    if let Some(m) = args.max_modules {
        config.max_modules = m;
    }
    if let Some(b) = args.batch_size {
        config.batch_size = b.max(1);
    }
    let mut roots = Vec::new();
    let mut reasons = Vec::new();
    for w in &session.workspaces {
        if wanted_root
            .as_ref()
            .is_some_and(|r| coverage::normalize(r).as_ref() != Some(&w.root))
        {
            continue;
        }
        match &w.report {
            ReportState::Loaded(report) => roots.push((w.root.clone(), std::sync::Arc::clone(report))),
            ReportState::Failed(reason) => reasons.push(format!("{}: {reason}", w.root.display())),
            ReportState::NotLoaded => reasons.push(format!("{}: the report is still loading", w.root.display())),
        }
    }
    if roots.is_empty() {
        return Err(if reasons.is_empty() {
            "no workspace matches".to_string()
        } else {
            reasons.join("; ")
        });
    }
    Ok(AuditJob { roots, config })
}

/// Runs the audit of each root (blocking work).
pub fn run_audits(job: &AuditJob) -> Vec<Audit> {
    job.roots
        .iter()
        .map(|(root, report)| {
            let settings = coverage::config::read_settings(root);
            let config = AuditConfig {
                precision: settings.precision.unwrap_or(0),
                ..job.config.clone()
            };
            audit::audit(root, report, &config)
        })
        .collect()
}

/// The audit result: one document for one root, a list for several.
pub fn audit_result(audits: &[Audit]) -> Value {
    match audits {
        [one] => audit::json_value(one),
        many => Value::Array(many.iter().map(audit::json_value).collect()),
    }
}

/// A function worth jumping to.
pub struct Gap {
    pub name: String,
    pub module: String,
    pub path: PathBuf,
    pub line: u32,
    pub end_line: u32,
    pub percent: f64,
    pub missing: u64,
}

/// Functions with uncovered statements across the audits, least covered
/// first, then most statements missing.
pub fn least_covered(audits: &[Audit], query: &str, limit: usize) -> Vec<Gap> {
    let query = query.to_lowercase();
    let mut gaps: Vec<Gap> = audits
        .iter()
        .flat_map(|a| {
            a.modules.iter().flat_map(move |m| {
                m.functions.iter().map(move |f| Gap {
                    name: f.name.clone(),
                    module: m.module.clone(),
                    path: a.root.join(&m.path),
                    line: f.line,
                    end_line: f.end_line,
                    percent: f.summary.percent(),
                    missing: f.summary.missing_lines,
                })
            })
        })
        .filter(|g| {
            query.is_empty() || g.name.to_lowercase().contains(&query) || g.module.to_lowercase().contains(&query)
        })
        .collect();
    gaps.sort_by(|a, b| {
        a.percent
            .total_cmp(&b.percent)
            .then(b.missing.cmp(&a.missing))
            .then(a.name.cmp(&b.name))
    });
    gaps.truncate(limit);
    gaps
}

/// A gap as `testgap.leastCovered` lists it.
pub fn gap_json(g: &Gap) -> Value {
    json!({
        "name": g.name,
        "module": g.module,
        "path": g.path.display().to_string(),
        "line": g.line,
        "endLine": g.end_line,
        "percent": g.percent,
        "percentDisplay": coverage::display_percent(g.percent, 0),
        "missingStatements": g.missing,
    })
}

impl Shared {
    /// The least covered functions of every workspace whose name or module
    /// contains `query`, at most `limit` (blocking work off the runtime).
    pub async fn least_covered(&self, query: &str, limit: usize) -> Result<Vec<Gap>> {
        let mut job = audit_job(&self.session(), &AuditArgs::default()).map_err(invalid)?;
        // Every function with a gap, not only those in modules below 50%.
        job.config.threshold = 100.0;
        job.config.max_modules = usize::MAX;
        let query = query.to_string();
        tokio::task::spawn_blocking(move || least_covered(&run_audits(&job), &query, limit))
            .await
            .map_err(|e| internal(e.to_string()))
    }
}
