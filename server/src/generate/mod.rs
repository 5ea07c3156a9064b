//! Generating tests: from a target function to verified pytest source.
//!
//! ```text
//! target → Function → candidate inputs (annotations, defaults, names,
//! boundaries mined from the body) → the probe calls each in the project's
//! interpreter, twice, recording results, exceptions, changes of state and
//! the lines and arcs reached → the fewest cases that reach the most → pytest
//! source → pytest runs it twice (the second time under coverage.py) →
//! failing or flaky tests are dropped → an edit and the coverage gained.
//! ```
//!
//! The core takes paths and settings and returns plain values
//! ([`ModuleReport`] with an [`Edit`]); the command line (`cli/` in the
//! binary) prints and writes.

mod candidates;
mod gain;
mod layout;
mod mine;
mod plan;
mod probe;
mod pysrc;
mod render;
mod resolve;
mod select;
pub mod targets;
mod types;
mod usage;
mod verify;

pub use gain::Numbers;

use crate::coverage::{self, CoverageReport, Freshness};
use crate::edit::{self, Edit, WriteError};
use crate::pyenv::{self, Capabilities, DiscoveryEnv, Interpreter};
use crate::python::{self, Module};
use plan::TargetPlan;
use probe::{CaseRecord, ProbeCase, ProbeLimits, ProbeResult};
use render::{Chosen, Rendered};
use resolve::{ModuleInfo, Workspace};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How much to try, and how long to wait.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// Test cases kept per function.
    pub max_cases: usize,
    /// Calls probed per function.
    pub max_calls: usize,
    /// Deadline of one call in the probe.
    pub per_call_timeout: Duration,
    /// Run the tests with pytest before offering them.
    pub verify: bool,
    /// Deadline of one pytest run.
    pub pytest_timeout: Duration,
    /// Probe processes one module's targets are shared among.
    pub probe_processes: usize,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        GenerateConfig {
            max_cases: 8,
            max_calls: 64,
            per_call_timeout: Duration::from_secs(2),
            verify: true,
            pytest_timeout: Duration::from_secs(300),
            probe_processes: 2,
        }
    }
}

/// The project tests are generated for.
pub struct Project {
    pub root: PathBuf,
    pub python: Interpreter,
    pub capabilities: Capabilities,
    pub import_roots: Vec<PathBuf>,
    pub pytest_config: Option<PathBuf>,
    pub tests_dir: PathBuf,
    /// The project's coverage report, when there is one.
    pub report: Option<CoverageReport>,
    pub config: GenerateConfig,
}

impl Project {
    /// Finds the interpreter and the layout of the project at `root`
    /// (absolute). Fails when pytest is missing and verification is on.
    pub fn open(
        root: &Path,
        python: Option<&Path>,
        report: Option<CoverageReport>,
        config: GenerateConfig,
    ) -> Result<Project, String> {
        let interpreter =
            pyenv::find_interpreter(root, python, &DiscoveryEnv::from_process()).map_err(|e| e.to_string())?;
        let capabilities = pyenv::capabilities(&interpreter).map_err(|e| e.to_string())?;
        if config.verify {
            capabilities
                .require_pytest(&interpreter)
                .map_err(|e| format!("{e} (or pass --no-verify)"))?;
        }
        let pytest = layout::pytest_config(root);
        Ok(Project {
            root: root.to_path_buf(),
            tests_dir: layout::tests_dir(root, &pytest),
            pytest_config: pytest.file,
            import_roots: probe::import_roots(root),
            python: interpreter,
            capabilities,
            report,
            config,
        })
    }

    /// The dotted module name of a file inside the root.
    pub fn module_name(&self, rel: &str) -> String {
        crate::python::names::display_module_name(&self.root, rel)
    }

    fn is_first_party(&self, top: &str) -> bool {
        Workspace::new(self.import_roots.clone()).module_file(top).is_some()
    }
}

/// Which functions of a module to generate tests for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Public functions and methods the coverage report shows untested or
    /// partly tested (all public ones without a report).
    Untested,
    /// Named functions (`func`, `Class.method`) and classes (their public
    /// methods).
    Named(Vec<String>),
}

/// One module to generate tests for.
#[derive(Debug, Clone)]
pub struct ModuleJob {
    /// Absolute path of the source file.
    pub path: PathBuf,
    /// Relative to the root, `/`-separated.
    pub rel: String,
    pub dotted: String,
    pub selection: Selection,
    /// Where the tests go (absolute).
    pub test_file: PathBuf,
}

/// A case that was probed but is not in the output, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Dropped {
    pub case: String,
    pub reason: String,
}

/// What happened to one function.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionReport {
    pub qualname: String,
    pub line: u32,
    /// Why no test was written, when none was.
    pub skipped: Option<String>,
    /// Test cases written (parametrized rows count one each).
    pub tests: usize,
    pub dropped: Vec<Dropped>,
    pub before: Option<Numbers>,
    pub after: Option<Numbers>,
    pub notes: Vec<String>,
}

/// What happened to one module.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub path: String,
    pub module: String,
    pub test_file: String,
    /// The test file created, or appended to.
    #[serde(serialize_with = "edit_summary")]
    pub edit: Option<Edit>,
    pub functions: Vec<FunctionReport>,
    /// A problem with the whole module (it cannot be read or imported).
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub tests: usize,
    pub seconds: f64,
}

impl ModuleReport {
    fn new(project: &Project, job: &ModuleJob) -> ModuleReport {
        ModuleReport {
            path: job.rel.clone(),
            module: job.dotted.clone(),
            test_file: rel_to(&project.root, &job.test_file),
            edit: None,
            functions: Vec::new(),
            error: None,
            notes: Vec::new(),
            tests: 0,
            seconds: 0.0,
        }
    }
}

/// What JSON shows of an edit: the file, and whether it is new (the text and
/// the diff go elsewhere).
fn edit_summary<S: serde::Serializer>(edit: &Option<Edit>, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Summary<'a> {
        rel: &'a str,
        creates: bool,
    }
    edit.as_ref()
        .map(|e| Summary {
            rel: &e.rel,
            creates: e.creates(),
        })
        .serialize(serializer)
}

fn rel_to(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Generates tests for each job, `workers` modules at a time, calling
/// `progress(done, total, path)` as each module finishes. Reports are in job
/// order.
pub fn generate_all(
    project: &Project,
    jobs: &[ModuleJob],
    workers: usize,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Vec<ModuleReport> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ModuleReport>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else {
                    break;
                };
                let report = generate_module(project, job);
                if let Ok(mut slots) = results.lock() {
                    slots[i] = Some(report);
                }
                let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                progress(finished, jobs.len(), &job.rel);
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().flatten().collect()
}

/// One target function on its way through the pipeline.
struct Work {
    index: usize,
    plan: TargetPlan,
    cases: Vec<ProbeCase>,
    records: Vec<CaseRecord>,
    report: FunctionReport,
}

/// Generates (and, unless configured off, verifies) tests for one module.
pub fn generate_module(project: &Project, job: &ModuleJob) -> ModuleReport {
    let started = Instant::now();
    let mut report = ModuleReport::new(project, job);
    let result = generate_into(project, job, &mut report);
    if let Err(message) = result {
        report.error = Some(message);
    }
    report.tests = report.functions.iter().map(|f| f.tests).sum();
    report.seconds = started.elapsed().as_secs_f64();
    report
}

fn generate_into(project: &Project, job: &ModuleJob, report: &mut ModuleReport) -> Result<(), String> {
    let src = std::fs::read(&job.path).map_err(|e| format!("cannot read {}: {e}", job.rel))?;
    let mut parser = python::parser();
    let tree = python::parse(&mut parser, &src, None).map_err(|e| format!("{} is not analysed: {e}", job.rel))?;
    let info = Rc::new(ModuleInfo::from_tree(&job.path, &job.dotted, &tree, &src));
    let ws = Workspace::new(project.import_roots.clone());
    ws.insert(info.clone());
    let module = &info.model;

    let old_entry = project.report.as_ref().and_then(|r| {
        let file = r.file(&job.rel)?;
        (r.freshness(file) == Freshness::Fresh).then(|| r.entry(file).ok())?
    });
    let old = old_entry.as_ref().map(|e| gain::Joined::new(module, e));
    if project.report.is_some() && old.is_none() {
        report
            .notes
            .push("the coverage report has no fresh data for this file".to_string());
    }
    let selected = select_functions(module, &job.selection, old.as_ref(), &job.rel)?;

    let mut work: Vec<Work> = Vec::new();
    for index in selected {
        let f = &module.functions[index];
        let mut function_report = FunctionReport {
            qualname: f.qualname.clone(),
            line: f.def_line,
            skipped: None,
            tests: 0,
            dropped: Vec::new(),
            before: old.as_ref().and_then(|o| o.numbers(index)),
            after: None,
            notes: Vec::new(),
        };
        match plan::plan_target(&ws, &info, &tree, &src, index) {
            Ok(plan) => {
                let cases = plan::combinations(&plan.dims, project.config.max_calls)
                    .iter()
                    .map(|picks| probe::probe_case(&plan, picks))
                    .collect();
                work.push(Work {
                    index,
                    plan,
                    cases,
                    records: Vec::new(),
                    report: function_report,
                });
            }
            Err(reason) => {
                function_report.skipped = Some(reason);
                report.functions.push(function_report);
            }
        }
    }
    if work.is_empty() {
        return Ok(());
    }

    let limits = ProbeLimits {
        per_call: project.config.per_call_timeout,
        output_cap: 64 << 10,
        deadline: None,
        stall: None,
    };
    let targets: Vec<(&TargetPlan, Vec<ProbeCase>)> = work.iter().map(|w| (&w.plan, w.cases.clone())).collect();
    match probe_in_parts(project, &job.dotted, &targets, limits) {
        ProbeResult::Done(records) => {
            for (w, r) in work.iter_mut().zip(records) {
                w.records = r;
            }
        }
        ProbeResult::ImportError { reason, error } => {
            let why = match reason.as_str() {
                "network" => format!("importing `{}` needs the network", job.dotted),
                "process" => format!("importing `{}` starts processes", job.dotted),
                "exit" => format!("importing `{}` exits the interpreter", job.dotted),
                "timeout" => format!("importing `{}` did not finish", job.dotted),
                _ => format!("cannot import `{}`: {}", job.dotted, last_line(&error)),
            };
            for w in work {
                let mut r = w.report;
                r.skipped = Some(why.clone());
                report.functions.push(r);
            }
            report.error = Some(why);
            return Ok(());
        }
        ProbeResult::Failed(why) => {
            for w in work {
                let mut r = w.report;
                r.skipped = Some(why.clone());
                report.functions.push(r);
            }
            return Err(why);
        }
    }

    // Choose cases per target.
    let per_call = project.config.per_call_timeout.as_secs_f64();
    let mut chosen_cases: Vec<(usize, usize)> = Vec::new();
    for (t, w) in work.iter_mut().enumerate() {
        let raised_here: Vec<&str> = module.functions[w.index]
            .raises
            .iter()
            .map(|r| types::last_segment(&r.exception))
            .collect();
        let eligible: Vec<select::Eligible> = w
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| render::assertable(r) && !incidental(r, &raised_here, &w.plan.form))
            .map(|(i, r)| select::Eligible {
                index: i,
                features: select::features(&r.lines, &r.arcs),
                exception: r.exception.as_ref().map(|e| e.name.clone()),
            })
            .collect();
        if eligible.is_empty() {
            w.report.skipped = Some(skip_reason(&w.plan, &w.records, per_call));
            continue;
        }
        w.report.notes.extend(outcome_notes(&w.records));
        for i in select::choose(&eligible, project.config.max_cases) {
            chosen_cases.push((t, i));
        }
    }

    let existing = std::fs::read_to_string(&job.test_file).ok();
    let existing_names: BTreeSet<String> = existing
        .as_deref()
        .and_then(|text| python::analyze(&mut parser, text.as_bytes()).ok())
        .map(|m| m.top_level_names.into_iter().collect())
        .unwrap_or_default();
    let file_name = job
        .test_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "test_generated.py".to_string());
    let render_now = |chosen: &[(usize, usize)]| -> Rendered {
        let list: Vec<Chosen> = chosen
            .iter()
            .map(|&(t, c)| Chosen {
                target: t,
                case: c,
                plan: &work[t].plan,
                spec: &work[t].cases[c],
                record: &work[t].records[c],
            })
            .collect();
        render::render_tests(&list, &existing_names)
    };
    let first_party = |top: &str| project.is_first_party(top);
    let standalone = |rendered: &Rendered| {
        layout::new_file(
            &job.dotted,
            &layout::format_imports(&rendered.imports, &first_party),
            &rendered.functions,
        )
    };

    let mut dropped: Vec<(usize, usize, String)> = Vec::new();
    let mut coverage_json: Option<gain::Joined> = None;
    let mut rendered = render_now(&chosen_cases);
    if project.config.verify && !chosen_cases.is_empty() {
        let scratch = verify::Scratch::new().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let verifier = verify::Verifier {
            python: &project.python,
            root: &project.root,
            import_roots: &project.import_roots,
            pytest_config: project.pytest_config.as_deref(),
            timeout: project.config.pytest_timeout,
        };
        let measure = [job.path.clone()];
        let measure = project.capabilities.has_coverage.then_some(&measure[..]);
        if measure.is_none() {
            report.notes.push(format!(
                "coverage not measured: coverage.py is not installed in {} (install it with `{} -m pip install coverage`)",
                project.python.path.display(),
                project.python.path.display()
            ));
        }
        for round in 0.. {
            if chosen_cases.is_empty() {
                break;
            }
            let text = standalone(&rendered);
            let (first, second) = verifier.run_twice(&scratch, &file_name, &text, measure);
            if let Some(why) = first.failure.as_ref().or(second.failure.as_ref()) {
                for &(t, c) in &chosen_cases {
                    dropped.push((t, c, format!("not verified: {why}")));
                }
                chosen_cases.clear();
                break;
            }
            let mut failing: Vec<((usize, usize), String)> = Vec::new();
            for test in &rendered.tests {
                let name = test.pytest_name();
                let a = first.tests.get(&name);
                let b = second.tests.get(&name);
                let passed = |o: Option<&verify::TestOutcome>| o.is_some_and(|o| o.outcome == "passed");
                let why = match (passed(a), passed(b)) {
                    (true, true) => continue,
                    (true, false) | (false, true) => "flaky: passed in one of two runs".to_string(),
                    _ => match a.or(b) {
                        Some(o) if o.outcome == "skipped" => format!("skipped by pytest: {}", o.message),
                        Some(o) => format!("failed under pytest: {}", first_line(&o.message)),
                        None => match first.errors.first() {
                            Some(e) => format!("the file could not be collected: {}", last_line(e)),
                            None => "pytest did not run it".to_string(),
                        },
                    },
                };
                failing.push(((test.target, test.case), why));
            }
            if failing.is_empty() {
                coverage_json = second
                    .coverage_json
                    .as_ref()
                    .and_then(|path| load_entry(project, path, &job.rel))
                    .map(|entry| gain::Joined::new(module, &entry));
                break;
            }
            for ((t, c), why) in failing {
                chosen_cases.retain(|&x| x != (t, c));
                dropped.push((t, c, why));
            }
            if round >= 3 {
                for &(t, c) in &chosen_cases {
                    dropped.push((t, c, "not verified: too many rounds of failures".to_string()));
                }
                chosen_cases.clear();
            }
            rendered = render_now(&chosen_cases);
        }
    }

    for (t, c, why) in dropped {
        let label = render::case_label(&work[t].plan, &work[t].cases[c].picks);
        work[t].report.dropped.push(Dropped {
            case: label,
            reason: why,
        });
    }
    for (t, w) in work.iter_mut().enumerate() {
        w.report.tests = chosen_cases.iter().filter(|(x, _)| *x == t).count();
        if w.report.tests == 0 && w.report.skipped.is_none() {
            w.report.skipped = Some(match w.report.dropped.first() {
                Some(d) => format!("every test failed verification ({})", d.reason),
                None => "no test could be generated".to_string(),
            });
        }
        if let Some(new) = &coverage_json {
            if w.report.tests > 0 {
                w.report.after = gain::combined(new, old.as_ref(), w.index);
            }
        }
    }
    let mut functions: Vec<FunctionReport> = work.into_iter().map(|w| w.report).collect();
    functions.append(&mut report.functions);
    functions.sort_by_key(|f| f.line);
    report.functions = functions;
    if chosen_cases.is_empty() {
        return Ok(());
    }
    let text = match &existing {
        Some(old_text) => {
            let missing = layout::missing_imports(&rendered.imports, &existing_names);
            layout::append(
                old_text,
                &job.dotted,
                &layout::format_imports(&missing, &first_party),
                &rendered.functions,
            )
        }
        None => standalone(&rendered),
    };
    let (path, rel) = (job.test_file.clone(), rel_to(&project.root, &job.test_file));
    report.edit = Some(match existing {
        Some(old_text) => match text.strip_prefix(old_text.as_str()) {
            Some(suffix) => Edit::append(path, rel, old_text.clone(), suffix),
            None => Edit::replace(path, rel, old_text, text),
        },
        None => Edit::create(path, rel, text),
    });
    Ok(())
}

/// Cases below which one probe process does the whole module: a second
/// would cost more to start than it saves.
const CASES_PER_EXTRA_PROBE: usize = 60;

/// Runs the probe for a module's targets, in up to `probe_processes`
/// processes at once, each with a contiguous share of the targets (cut so
/// the shares hold about as many cases); records come back in target order.
fn probe_in_parts(
    project: &Project,
    module: &str,
    targets: &[(&TargetPlan, Vec<ProbeCase>)],
    limits: ProbeLimits,
) -> ProbeResult {
    let total: usize = targets.iter().map(|(_, c)| c.len()).sum();
    let parts = project
        .config
        .probe_processes
        .min(total / CASES_PER_EXTRA_PROBE + 1)
        .min(targets.len())
        .max(1);
    if parts == 1 {
        return probe::run_probe(&project.python, &project.import_roots, module, targets, limits);
    }
    let mut shares: Vec<&[(&TargetPlan, Vec<ProbeCase>)]> = Vec::new();
    let mut start = 0;
    let mut seen = 0;
    for (i, (_, cases)) in targets.iter().enumerate() {
        seen += cases.len();
        if seen * parts >= total * (shares.len() + 1) && shares.len() + 1 < parts {
            shares.push(&targets[start..=i]);
            start = i + 1;
        }
    }
    shares.push(&targets[start..]);
    let results: Vec<ProbeResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .iter()
            .map(|share| {
                scope.spawn(move || probe::run_probe(&project.python, &project.import_roots, module, share, limits))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| ProbeResult::Failed("the probe stopped unexpectedly".to_string()))
            })
            .collect()
    });
    let mut records = Vec::new();
    for result in results {
        match result {
            ProbeResult::Done(mut part) => records.append(&mut part),
            other => return other,
        }
    }
    ProbeResult::Done(records)
}

fn load_entry(project: &Project, json: &Path, rel: &str) -> Option<coverage::model::FileEntry> {
    let report = coverage::load_report(&project.root, json).ok()?;
    let file = report.file(rel)?;
    report.entry(file).ok()
}

/// The functions of `module` to generate tests for.
fn select_functions(
    module: &Module,
    selection: &Selection,
    coverage: Option<&gain::Joined>,
    rel: &str,
) -> Result<Vec<usize>, String> {
    let direct_method = |class: &str, qualname: &str| {
        qualname
            .strip_prefix(class)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|name| !name.contains('.'))
    };
    match selection {
        Selection::Named(names) => {
            let mut out = Vec::new();
            for name in names {
                if let Some(i) = module.functions.iter().position(|f| f.qualname == *name) {
                    out.push(i);
                } else if module.classes.iter().any(|c| c.qualname == *name) {
                    out.extend(
                        module
                            .functions
                            .iter()
                            .enumerate()
                            .filter_map(|(i, f)| (direct_method(name, &f.qualname) && f.is_public()).then_some(i)),
                    );
                } else {
                    return Err(format!("no function or class `{name}` in {rel}"));
                }
            }
            out.sort_unstable();
            out.dedup();
            Ok(out)
        }
        Selection::Untested => Ok(module
            .functions
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                f.parent_function.is_none()
                    && f.is_public()
                    && match coverage.and_then(|c| c.numbers(*i)) {
                        Some(n) => {
                            n.lines_total > 0
                                && (n.lines_covered < n.lines_total || n.branches_covered < n.branches_total)
                        }
                        None => true,
                    }
            })
            .map(|(i, _)| i)
            .collect()),
    }
}

/// A `TypeError` or `AttributeError` the function does not raise itself:
/// the input did not suit it (`None` where an object was expected), which
/// says little about the code.
fn incidental(record: &CaseRecord, raised_here: &[&str], form: &plan::Form) -> bool {
    record.outcome == "raise"
        && record.exception.as_ref().is_some_and(|e| {
            // An operator's "not supported" is what returning
            // `NotImplemented` is for: the method's own answer.
            let refused_operand = matches!(form, plan::Form::Dunder(plan::Dunder::Binary(_)))
                && e.message.as_deref().is_some_and(|m| {
                    m.contains("not supported between instances") || m.contains("unsupported operand type")
                });
            matches!(e.name.as_str(), "TypeError" | "AttributeError")
                && !raised_here.contains(&e.name.as_str())
                && !refused_operand
        })
}

/// Why no case of a target could become a test.
fn skip_reason(plan: &TargetPlan, records: &[CaseRecord], per_call: f64) -> String {
    let count = |outcome: &str| records.iter().filter(|r| r.outcome == outcome).count();
    let refused = |what: &str| {
        records
            .iter()
            .any(|r| r.outcome == "refused" && r.reason.as_deref() == Some(what))
    };
    let name = plan.display();
    if refused("network") {
        return format!("`{name}` needs the network");
    }
    if refused("process") {
        return format!("`{name}` starts processes");
    }
    if refused("exit") {
        return format!("`{name}` exits the interpreter (os._exit)");
    }
    if refused("signal") {
        return format!("`{name}` sends signals to processes");
    }
    if count("timeout") + count("killed") > 0 && count("return") + count("raise") == 0 {
        return format!("`{name}` did not return within {per_call} s (does it hang?)");
    }
    let setup = records.iter().find(|r| r.outcome == "setup_error");
    if count("return") + count("raise") == 0 {
        if let Some(r) = setup {
            let what = plan.class_src.as_deref().unwrap_or("its arguments");
            return format!("could not build {what}: {}", r.error.as_deref().unwrap_or("an error"));
        }
        if count("unstable") > 0 {
            return format!("`{name}` behaves differently on every call");
        }
    }
    let unstable_value = records
        .iter()
        .any(|r| r.outcome == "return" && matches!(r.value, Some(probe::Description::Unstable)));
    if unstable_value {
        return format!(
            "`{name}` returns a different result on every call (a time, a random number, an id): nothing stable to assert"
        );
    }
    if count("raise") > 0 && count("return") == 0 {
        return format!("`{name}` rejected every input testgap could build (TypeError or AttributeError)");
    }
    "nothing observable to assert (no return value, exception or state that can be written down)".to_string()
}

/// Notes about cases left out for safety or stability.
fn outcome_notes(records: &[CaseRecord]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in records {
        let key = match (r.outcome.as_str(), r.reason.as_deref()) {
            ("refused", Some(what)) => format!("needed {}", refused_noun(what)),
            ("timeout" | "killed", _) => "did not return in time".to_string(),
            ("unstable", _) => "behaved differently between two runs".to_string(),
            ("skipped", Some("budget")) => "over the time budget".to_string(),
            _ => continue,
        };
        *counts.entry(key).or_default() += 1;
    }
    if records.iter().any(|r| r.printed > 1 << 20) {
        counts.insert("printed over 1 MB (output discarded)".to_string(), 1);
    }
    counts
        .into_iter()
        .map(|(what, n)| {
            if what.starts_with("printed") {
                format!("a call {what}")
            } else {
                format!("{n} call{} {what} and left out", if n == 1 { "" } else { "s" })
            }
        })
        .collect()
}

fn refused_noun(what: &str) -> &str {
    match what {
        "network" => "the network",
        "process" => "a new process",
        "exit" => "to exit the interpreter",
        "signal" => "to send a signal",
        other => other,
    }
}

fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or("").trim()
}

fn first_line(text: &str) -> &str {
    text.trim().lines().next().unwrap_or("").trim()
}

/// Writes an edit inside `root`: creates a new file (never replacing one
/// that appeared meanwhile) or extends an existing one whose text is still
/// what was read. Every existing byte is kept.
pub fn apply_edit(edit: &Edit, root: &Path) -> Result<(), String> {
    edit::write(edit, root).map_err(|e| write_error(edit, e))
}

/// Why an edit of generated tests was not written, in one sentence.
pub fn write_error(edit: &Edit, error: WriteError) -> String {
    let shown = edit.path.display();
    match error {
        WriteError::Changed => format!("{shown} changed while tests were generated; not touched"),
        WriteError::Appeared => format!("{shown} appeared while tests were generated; not overwritten"),
        WriteError::Outside => format!("{shown} is outside the project; not written"),
        WriteError::Read(e) => format!("cannot read {shown}: {e}"),
        WriteError::CreateDir(dir, e) => format!("cannot create {}: {e}", dir.display()),
        WriteError::Create(e) => format!("cannot create {shown}: {e}"),
        WriteError::Write(e) => format!("cannot write {shown}: {e}"),
    }
}
