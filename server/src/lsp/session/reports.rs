//! Coverage reports: finding and loading each workspace's report, watching
//! it for changes (through the client, else by polling), and reloading it.

use super::super::config::Config;
use super::super::server::Shared;
use super::ReportState;
use crate::coverage::{self, CoverageError, LoadOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tower_lsp_server::ls_types::*;

/// How often the report files are checked when the client cannot watch them.
const POLL_INTERVAL: Duration = Duration::from_millis(400);

impl Shared {
    /// Loads (or reloads) the reports of the workspaces at `indices`, then
    /// republishes every open document.
    pub async fn load_reports(self: &Arc<Self>, indices: Vec<usize>, announce_failures: bool) {
        let (roots, config, progress) = {
            let session = self.session();
            let roots: Vec<(usize, PathBuf)> = indices
                .iter()
                .filter_map(|&i| session.workspaces.get(i).map(|w| (i, w.root.clone())))
                .collect();
            (roots, session.config.clone(), session.caps.work_done_progress)
        };
        if roots.is_empty() {
            return;
        }
        static LOADS: AtomicU64 = AtomicU64::new(0);
        let n = LOADS.fetch_add(1, Ordering::Relaxed);
        let token = NumberOrString::String(format!("testgap/load/{n}"));
        let progress = if progress
            && self
                .ask(self.client.create_work_done_progress(token.clone()))
                .await
                .is_some()
        {
            Some(self.client.progress(token, "testgap: loading coverage").begin().await)
        } else {
            None
        };
        for (i, root) in roots {
            let config = config.clone();
            let root_for_load = root.clone();
            let loaded = tokio::task::spawn_blocking(move || load_report(&root_for_load, &config)).await;
            let (report, seen) = loaded.unwrap_or_else(|e| (ReportState::Failed(format!("loading failed: {e}")), None));
            match &report {
                ReportState::Loaded(r) => {
                    let message = format!(
                        "loaded {} ({} files) for {}",
                        r.path.display(),
                        r.files.len(),
                        root.display()
                    );
                    self.log(MessageType::INFO, message).await;
                    for w in &r.warnings {
                        self.log(MessageType::WARNING, w.to_string()).await;
                    }
                }
                ReportState::Failed(reason) => {
                    self.log(MessageType::WARNING, format!("{}: {reason}", root.display()))
                        .await;
                    if announce_failures {
                        self.client
                            .show_message(MessageType::WARNING, format!("testgap: {reason}"))
                            .await;
                    }
                }
                ReportState::NotLoaded => {}
            }
            let mut session = self.session();
            if let Some(w) = session.workspaces.get_mut(i) {
                // A report that breaks on reload (caught mid-write, or broken
                // on purpose) does not wipe out the data the user has: keep it
                // until a good one arrives. The failure was logged above.
                let keep_previous = !announce_failures
                    && matches!(report, ReportState::Failed(_))
                    && matches!(w.report, ReportState::Loaded(_));
                if !keep_previous {
                    w.report = report;
                }
                w.seen = seen;
            }
        }
        if let Some(progress) = progress {
            progress.finish_with_message("coverage loaded").await;
        }
        self.session().attach_all();
        self.publish_all().await;
        self.refresh_views().await;
    }

    /// Registers for coverage.json changes (or starts polling), then loads
    /// every workspace's report.
    pub async fn start_watching_and_load(self: &Arc<Self>) {
        let (count, watch, configured, settings_problem) = {
            let mut session = self.session();
            // Reports at a configured path, relative to their workspace root.
            let configured: Vec<(PathBuf, String)> = session
                .workspaces
                .iter()
                .filter_map(|w| {
                    let path = configured_report(&w.root, &session.config)?;
                    let rel = path.strip_prefix(&w.root).ok()?.to_string_lossy().replace('\\', "/");
                    Some((w.root.clone(), rel))
                })
                .collect();
            (
                session.workspaces.len(),
                session.caps.watched_files_registration,
                configured,
                session.settings_problem.take(),
            )
        };
        if let Some(problem) = settings_problem {
            self.client
                .show_message(MessageType::WARNING, format!("testgap: {problem}"))
                .await;
        }
        if watch {
            let mut watchers = vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/coverage.json".into()),
                kind: None,
            }];
            for (root, rel) in configured {
                let Some(base) = Uri::from_file_path(&root) else {
                    continue;
                };
                watchers.push(FileSystemWatcher {
                    glob_pattern: GlobPattern::Relative(RelativePattern {
                        base_uri: OneOf::Right(base),
                        pattern: rel,
                    }),
                    kind: None,
                });
            }
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "testgap-watch-coverage".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if self
                .ask(self.client.register_capability(vec![registration]))
                .await
                .is_none()
            {
                let message = "the client did not accept watching coverage files; polling instead".to_string();
                self.log(MessageType::WARNING, message).await;
                self.spawn_poller();
            }
        } else {
            self.spawn_poller();
        }
        self.load_reports((0..count).collect(), true).await;
    }

    /// Watches report files by polling, for clients that cannot watch them.
    fn spawn_poller(self: &Arc<Self>) {
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(POLL_INTERVAL);
            // The first tick is immediate; the first load is `initialized`'s.
            ticker.tick().await;
            // Stamps seen changing at the previous tick: a report is reloaded
            // once its stamp holds still for a tick, not while it is written.
            let mut settling: HashMap<PathBuf, Option<(SystemTime, u64)>> = HashMap::new();
            loop {
                ticker.tick().await;
                let changed: Vec<usize> = {
                    let session = shared.session();
                    if session.shutting_down {
                        return;
                    }
                    let mut changed = Vec::new();
                    for (i, w) in session.workspaces.iter().enumerate() {
                        if matches!(w.report, ReportState::NotLoaded) {
                            continue;
                        }
                        let stamp = report_stamp(&w.root, &session.config);
                        if stamp == w.seen {
                            settling.remove(&w.root);
                        } else if settling.get(&w.root) == Some(&stamp) {
                            settling.remove(&w.root);
                            changed.push(i);
                        } else {
                            settling.insert(w.root.clone(), stamp);
                        }
                    }
                    changed
                };
                if !changed.is_empty() {
                    shared.load_reports(changed, false).await;
                }
            }
        });
    }
}

/// Finds and indexes the report of the workspace at `root`.
pub fn load_report(root: &Path, config: &Config) -> (ReportState, Option<(SystemTime, u64)>) {
    let explicit = config.coverage_file.as_ref().map(|f| root.join(f));
    let path = match coverage::find_report(root, &LoadOptions { explicit }) {
        Ok(path) => path,
        Err(err) => return (ReportState::Failed(err.to_string()), None),
    };
    let seen = file_stamp(&path);
    match coverage::load_report(root, &path) {
        Ok(report) => (ReportState::Loaded(Arc::new(report)), seen),
        Err(err) => (ReportState::Failed(describe(&err)), seen),
    }
}

/// Why a report could not be used, with how to make a good one when that helps.
fn describe(err: &CoverageError) -> String {
    match err {
        CoverageError::NotFound { .. } | CoverageError::UnsupportedFormat { .. } => err.to_string(),
        _ => format!("{err}. Make it again with `{}`", coverage::HOW_TO_MAKE_REPORT),
    }
}

/// The report path set by the settings or the project's coverage
/// configuration, when it is not the default `coverage.json`.
pub fn configured_report(root: &Path, config: &Config) -> Option<PathBuf> {
    let path = match &config.coverage_file {
        Some(file) => root.join(file),
        None => root.join(coverage::config::read_settings(root).json_output?),
    };
    let path = coverage::normalize(&path)?;
    (path.file_name().is_some_and(|n| n != "coverage.json") && path.starts_with(root)).then_some(path)
}

/// The report path the workspace would load now, and its stamp.
pub fn report_stamp(root: &Path, config: &Config) -> Option<(SystemTime, u64)> {
    let explicit = config.coverage_file.as_ref().map(|f| root.join(f));
    let path = coverage::find_report(root, &LoadOptions { explicit }).ok()?;
    file_stamp(&path)
}

fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
