//! Running the probe (`probe.py`) in the project's interpreter: the request
//! it reads, the records it writes, and restarting it past a case that hung
//! below the reach of its own per-call timer.

use super::plan::{args_for, Picks, TargetPlan};
use super::pysrc;
use crate::pyenv::{Interpreter, Limits, PythonRun, TempDir};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The probe program, carried by the binary.
pub const PROBE_SOURCE: &str = include_str!("probe.py");

/// One call to make: what the probe runs, and what a test will run.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeCase {
    /// Statements before the call: files, the instance, bound arguments.
    pub setup: Vec<String>,
    /// The call expression.
    pub call: String,
    /// Variables whose changes are recorded.
    pub watch: Vec<String>,
    pub tmp_path: bool,
    /// Items to take from a returned iterator (`None`: the call already
    /// consumes what it returns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume: Option<usize>,
    #[serde(skip)]
    pub picks: Picks,
    /// Import lines the case needs (target, values, wrapping).
    #[serde(skip)]
    pub imports: BTreeSet<String>,
    /// Mutable arguments bound to variables: (variable, dimension).
    #[serde(skip)]
    pub bindings: Vec<(String, usize)>,
}

#[derive(Debug, Serialize)]
struct TargetRequest<'a> {
    first_line: u32,
    last_line: u32,
    imports: Vec<&'a String>,
    cases: &'a [ProbeCase],
}

#[derive(Debug, Serialize)]
struct Request<'a> {
    sys_path: Vec<String>,
    module: &'a str,
    per_call_timeout: f64,
    /// Seconds of calls after which a target's remaining cases are skipped.
    target_budget: f64,
    output_cap: usize,
    skip: Vec<(usize, usize)>,
    targets: Vec<TargetRequest<'a>>,
}

/// A value as the probe saw it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Description {
    /// Source that evaluates equal to the value (checked in the probe).
    Literal {
        src: String,
        #[serde(default)]
        imports: Vec<String>,
        #[serde(default)]
        approx: bool,
        #[serde(default)]
        tmp_path: bool,
        #[serde(default)]
        len: Option<usize>,
    },
    /// Not writable as a literal: its type and the attributes that are.
    Object {
        #[serde(rename = "type")]
        type_source: Option<TypeSource>,
        #[serde(default)]
        attrs: Vec<Attr>,
    },
    /// Differed between the two runs.
    Unstable,
}

/// How to name a class in a test.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TypeSource {
    pub src: String,
    #[serde(default)]
    pub imports: Vec<String>,
}

/// An attribute (or other accessor: `len({})`, `{}.getvalue()`) and its value.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Attr {
    /// `{}` stands for the object.
    pub template: String,
    pub desc: Description,
    #[serde(default)]
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ExceptionInfo {
    #[serde(rename = "type")]
    pub type_source: Option<TypeSource>,
    pub name: String,
    /// `None` when it differed between the runs.
    pub message: Option<String>,
}

/// What one case did.
#[derive(Debug, Clone, Deserialize)]
pub struct CaseRecord {
    /// `return`, `raise`, `timeout`, `refused`, `setup_error`, `error`,
    /// `unstable`, `skipped`, or `killed` (the whole probe had to be killed).
    pub outcome: String,
    #[serde(default)]
    pub value: Option<Description>,
    #[serde(default)]
    pub exception: Option<ExceptionInfo>,
    #[serde(default)]
    pub watched: BTreeMap<String, Vec<Attr>>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub lines: Vec<i64>,
    #[serde(default)]
    pub arcs: Vec<(i64, i64)>,
    #[serde(default)]
    pub printed: u64,
    /// The call returned an iterator, and the value is its items.
    #[serde(default)]
    pub consumed: bool,
}

impl CaseRecord {
    fn killed() -> CaseRecord {
        CaseRecord {
            outcome: "killed".to_string(),
            value: None,
            exception: None,
            watched: BTreeMap::new(),
            reason: None,
            error: None,
            lines: Vec::new(),
            arcs: Vec::new(),
            printed: 0,
            consumed: false,
        }
    }
}

/// The probe's answer for a module.
#[derive(Debug)]
pub enum ProbeResult {
    /// One record per case of each target (in request order).
    Done(Vec<Vec<CaseRecord>>),
    /// Importing the module failed: nothing in it can be probed.
    ImportError { reason: String, error: String },
    /// The probe itself could not run.
    Failed(String),
}

/// Seconds one target's calls may take in all (twice each) before its
/// remaining cases are skipped, at least one call's deadline: slow code
/// gets its most telling cases only.
const TARGET_BUDGET: f64 = 1.0;

/// Limits of a probe run.
#[derive(Debug, Clone, Copy)]
pub struct ProbeLimits {
    pub per_call: Duration,
    /// Characters of printed output kept per case.
    pub output_cap: usize,
    /// Deadline of the whole probe process (default: from the number of
    /// targets and cases); past it the process group is killed.
    pub deadline: Option<Duration>,
    /// Silence after which the probe counts as hung (default: longer than
    /// its own import and per-case timers).
    pub stall: Option<Duration>,
}

/// Builds the probe case for `picks`: instance, bound mutable arguments,
/// the call.
pub fn probe_case(plan: &TargetPlan, picks: &Picks) -> ProbeCase {
    let mut imports: BTreeSet<String> = plan.imports.clone();
    imports.extend(plan.wrap_imports().into_iter().map(str::to_string));
    let mut setup: Vec<String> = Vec::new();
    let mut tmp_path = false;
    for (d, pick) in picks.iter().enumerate() {
        if let Some(v) = pick {
            let c = &plan.dims[d].values[*v];
            imports.extend(c.imports.iter().cloned());
            for s in &c.setup {
                if !setup.contains(s) {
                    setup.push(s.clone());
                }
            }
            tmp_path |= c.tmp_path;
        }
    }
    let reserved = reserved_names(plan, &imports);
    let value = |d: usize| {
        let pick = picks[d].expect("args_for only lists picked dimensions");
        plan.dims[d].values[pick].expr.clone()
    };
    let text = |arg: &super::plan::Arg, value: String| match &arg.keyword {
        Some(k) => format!("{k}={value}"),
        None => value,
    };
    let mut watch = Vec::new();
    if plan.ctor_dims > 0 || plan.var.is_some() {
        let ctor: Vec<String> = args_for(&plan.dims, 0..plan.ctor_dims, picks)
            .iter()
            .map(|a| text(a, value(a.dim)))
            .collect();
        if let (Some(var), Some(expr)) = (&plan.var, plan.instance_expr(&ctor)) {
            setup.push(format!("{var} = {expr}"));
            watch.push(var.clone());
        }
    }
    let mut bindings = Vec::new();
    let mut args = Vec::new();
    for a in args_for(&plan.dims, plan.ctor_dims..plan.dims.len(), picks) {
        let c = &plan.dims[a.dim].values[picks[a.dim].unwrap_or(0)];
        if c.mutable {
            let name = variable_for(&plan.dims[a.dim].param, &reserved, &bindings);
            setup.push(format!("{name} = {}", c.expr));
            watch.push(name.clone());
            args.push(text(&a, name.clone()));
            bindings.push((name, a.dim));
        } else {
            args.push(text(&a, value(a.dim)));
        }
    }
    ProbeCase {
        setup,
        call: plan.call_expr(&args),
        watch,
        tmp_path,
        consume: (!plan.consumes_iterator()).then_some(super::plan::GENERATOR_BOUND + 1),
        picks: picks.clone(),
        imports,
        bindings,
    }
}

/// Names a generated test already uses for something else.
pub fn reserved_names(plan: &TargetPlan, imports: &BTreeSet<String>) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = [
        "tmp_path",
        "result",
        "pytest",
        "re",
        "expected",
        "message",
        "io",
        "asyncio",
        "itertools",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for line in imports {
        names.extend(imported_names(line));
    }
    names.insert(plan.name.clone());
    names.extend(plan.var.clone());
    names.extend(plan.class_src.clone());
    names
}

/// The names an import line binds.
pub fn imported_names(line: &str) -> Vec<String> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("from ") {
        let Some((_, names)) = rest.split_once(" import ") else {
            return Vec::new();
        };
        names
            .split(',')
            .map(|n| {
                let n = n.trim().trim_matches(['(', ')']);
                n.rsplit(" as ").next().unwrap_or(n).trim().to_string()
            })
            .filter(|n| !n.is_empty())
            .collect()
    } else if let Some(rest) = line.strip_prefix("import ") {
        rest.split(',')
            .map(|n| {
                let n = n.trim();
                match n.split_once(" as ") {
                    Some((_, alias)) => alias.trim().to_string(),
                    None => n.split('.').next().unwrap_or(n).to_string(),
                }
            })
            .collect()
    } else {
        Vec::new()
    }
}

fn variable_for(param: &str, reserved: &BTreeSet<String>, taken: &[(String, usize)]) -> String {
    let base = param.trim_start_matches('_');
    let mut name = if pysrc::is_identifier(base) {
        base.to_string()
    } else {
        "value".to_string()
    };
    while reserved.contains(&name) || taken.iter().any(|(t, _)| *t == name) {
        name.push_str("_arg");
    }
    name
}

/// Runs the probe for `module` with one list of cases per target. A probe
/// killed on its overall deadline is restarted past the case it was in,
/// which is recorded as `killed`, with the rest of its target skipped.
pub fn run_probe(
    python: &Interpreter,
    sys_path: &[PathBuf],
    module: &str,
    targets: &[(&TargetPlan, Vec<ProbeCase>)],
    limits: ProbeLimits,
) -> ProbeResult {
    let dir = match TempDir::new("probe") {
        Ok(d) => d,
        Err(e) => return ProbeResult::Failed(format!("cannot create a temporary directory: {e}")),
    };
    let script = dir.path().join("_testgap_probe.py");
    let work = dir.path().join("work");
    if let Err(e) = std::fs::write(&script, PROBE_SOURCE).and_then(|_| std::fs::create_dir(&work)) {
        return ProbeResult::Failed(format!("cannot write the probe: {e}"));
    }
    let mut records: Vec<Vec<Option<CaseRecord>>> = targets.iter().map(|(_, cases)| vec![None; cases.len()]).collect();
    let total_cases: usize = targets.iter().map(|(_, c)| c.len()).sum();
    let per_call = limits.per_call.as_secs_f64();
    let deadline = limits.deadline.unwrap_or_else(|| {
        Duration::from_secs_f64(20.0 + 4.0 * per_call * targets.len() as f64 + 0.25 * total_cases as f64)
    });
    for _attempt in 0..4 {
        let skip: Vec<(usize, usize)> = records
            .iter()
            .enumerate()
            .flat_map(|(t, cases)| {
                cases
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.is_some())
                    .map(move |(c, _)| (t, c))
            })
            .collect();
        let request = Request {
            sys_path: sys_path.iter().map(|p| p.display().to_string()).collect(),
            module,
            per_call_timeout: per_call,
            target_budget: TARGET_BUDGET.max(per_call),
            output_cap: limits.output_cap,
            skip,
            targets: targets
                .iter()
                .map(|(plan, cases)| TargetRequest {
                    first_line: plan.first_line,
                    last_line: plan.last_line,
                    imports: sorted_imports(cases),
                    cases,
                })
                .collect(),
        };
        let stdin = match serde_json::to_vec(&request) {
            Ok(v) => v,
            Err(e) => return ProbeResult::Failed(format!("cannot encode the probe request: {e}")),
        };
        // The probe reports every case as it goes: silence longer than a
        // case (two calls) or the import can take means it hangs.
        let stall = Duration::from_secs_f64((per_call * 5.0).max(10.0) + 2.0 * per_call + 3.0);
        let run = PythonRun::new(&work).arg(script.as_os_str()).run_watching(
            python,
            &stdin,
            Limits {
                timeout: deadline,
                output_cap: 64 << 20,
            },
            Some(limits.stall.unwrap_or(stall)),
        );
        let output = match run {
            Ok(o) => o,
            Err(e) => return ProbeResult::Failed(e.to_string()),
        };
        let mut ended = false;
        let mut started: Option<(usize, usize)> = None;
        for line in output.stdout.split(|b| *b == b'\n') {
            let Ok(event) = serde_json::from_slice::<serde_json::Value>(line) else {
                continue;
            };
            match event.get("event").and_then(|e| e.as_str()) {
                Some("import_error") => {
                    let field = |k: &str| event.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    return ProbeResult::ImportError {
                        reason: field("reason"),
                        error: field("error"),
                    };
                }
                Some("start") => started = index_of(&event),
                Some("case") => {
                    if let (Some((t, c)), Ok(record)) = (index_of(&event), serde_json::from_value::<CaseRecord>(event))
                    {
                        if let Some(slot) = records.get_mut(t).and_then(|r| r.get_mut(c)) {
                            *slot = Some(record);
                        }
                        started = None;
                    }
                }
                Some("crash") => {
                    let error = event.get("error").and_then(|v| v.as_str()).unwrap_or("");
                    return ProbeResult::Failed(format!("the probe failed: {}", last_line(error)));
                }
                Some("end") => ended = true,
                _ => {}
            }
        }
        if ended {
            break;
        }
        match started {
            Some((t, c)) => {
                // Hung where the probe's own timer could not interrupt it.
                records[t][c] = Some(CaseRecord::killed());
                for slot in records[t].iter_mut().filter(|r| r.is_none()) {
                    let mut skipped = CaseRecord::killed();
                    skipped.outcome = "skipped".to_string();
                    skipped.reason = Some("timeouts".to_string());
                    *slot = Some(skipped);
                }
            }
            None => {
                let why = if output.timed_out || output.stalled {
                    "it did not finish in time".to_string()
                } else {
                    format!(
                        "it stopped early (exit status {:?}): {}",
                        output.code(),
                        output.stderr_tail(5)
                    )
                };
                return ProbeResult::Failed(format!("the probe failed: {why}"));
            }
        }
    }
    ProbeResult::Done(
        records
            .into_iter()
            .map(|cases| {
                cases
                    .into_iter()
                    .map(|r| r.unwrap_or_else(CaseRecord::killed))
                    .collect()
            })
            .collect(),
    )
}

fn sorted_imports(cases: &[ProbeCase]) -> Vec<&String> {
    let mut all: Vec<&String> = cases.iter().flat_map(|c| c.imports.iter()).collect();
    let mut seen = HashSet::new();
    all.retain(|l| seen.insert(*l));
    // Plain imports first, so `from x import y` never shadows a module name
    // another line needs.
    all.sort_by_key(|l| (l.starts_with("from "), (*l).clone()));
    all
}

fn index_of(event: &serde_json::Value) -> Option<(usize, usize)> {
    let t = event.get("target")?.as_u64()? as usize;
    let c = event.get("case")?.as_u64()? as usize;
    Some((t, c))
}

fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or("")
}

/// The directories the project's modules import from: the root, and `src/`
/// (or `lib/`) when the project keeps its packages there.
pub fn import_roots(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![root.to_path_buf()];
    for name in ["src", "lib"] {
        let dir = root.join(name);
        if dir.is_dir() && !dir.join("__init__.py").exists() {
            out.push(dir);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::plan::combinations;
    use crate::generate::resolve::{ModuleInfo, Workspace};
    use crate::pyenv::{find_interpreter, DiscoveryEnv};
    use crate::python;
    use std::rc::Rc;

    const MODULE: &str = r#"
import signal
import socket
import time


def double(x: int) -> int:
    if x > 5:
        raise ValueError(f"too big: {x}")
    return 2 * x


def stuck() -> None:
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(60)


def dial(host: str) -> None:
    socket.create_connection((host, 80))


def stamp() -> float:
    return time.time()


def year() -> int:
    return time.gmtime(time.time()).tm_year


def age(born: int) -> int:
    import datetime
    return datetime.date.today().year - born


def label(n: int) -> str:
    import datetime
    datetime.datetime.now()
    return str(n)


def shuffled(items: list[int]) -> list[int]:
    import random
    return random.sample(items, len(items))


def token() -> str:
    import secrets
    return secrets.token_hex(1)[:1]


def picked(items: list[int]) -> int:
    import random
    random.random()
    return len(items)


def evens(items: list[int]):
    return filter(lambda x: x % 2 == 0, items)
"#;

    fn probe(names: &[&str], stall: Option<Duration>) -> Option<Vec<Vec<CaseRecord>>> {
        let python = find_interpreter(Path::new("/nonexistent"), None, &DiscoveryEnv::from_process()).ok()?;
        let dir = TempDir::new("probe-test").unwrap();
        std::fs::write(dir.path().join("probed.py"), MODULE).unwrap();
        let mut parser = python::parser();
        let tree = python::parse(&mut parser, MODULE.as_bytes(), None).unwrap();
        let path = dir.path().join("probed.py");
        let info = Rc::new(ModuleInfo::from_tree(&path, "probed", &tree, MODULE.as_bytes()));
        let ws = Workspace::new(vec![dir.path().to_path_buf()]);
        ws.insert(info.clone());
        let plans: Vec<TargetPlan> = names
            .iter()
            .map(|name| {
                let index = info.model.functions.iter().position(|f| f.name == *name).unwrap();
                crate::generate::plan::plan_target(&ws, &info, &tree, MODULE.as_bytes(), index).unwrap()
            })
            .collect();
        let targets: Vec<(&TargetPlan, Vec<ProbeCase>)> = plans
            .iter()
            .map(|p| {
                let cases = combinations(&p.dims, 4).iter().map(|c| probe_case(p, c)).collect();
                (p, cases)
            })
            .collect();
        let limits = ProbeLimits {
            per_call: Duration::from_secs(1),
            output_cap: 1024,
            deadline: None,
            stall,
        };
        match run_probe(&python, &[dir.path().to_path_buf()], "probed", &targets, limits) {
            ProbeResult::Done(records) => Some(records),
            other => panic!("probe failed: {other:?}"),
        }
    }

    #[test]
    fn values_exceptions_and_lines() {
        let Some(records) = probe(&["double"], None) else {
            return; // No Python here.
        };
        let typical = &records[0][0];
        assert_eq!(typical.outcome, "return");
        assert_eq!(
            typical.value,
            Some(Description::Literal {
                src: "4".into(),
                imports: vec![],
                approx: false,
                tmp_path: false,
                len: None
            })
        );
        assert_eq!(typical.lines, [8, 10]);
        let raised = records[0].iter().find(|r| r.outcome == "raise").unwrap();
        let e = raised.exception.as_ref().unwrap();
        assert_eq!(
            (e.name.as_str(), e.message.as_deref()),
            ("ValueError", Some("too big: 6"))
        );
        assert_eq!(raised.lines, [8, 9]);
    }

    #[test]
    fn the_network_is_refused_and_changing_values_are_not_asserted() {
        let Some(records) = probe(
            &["dial", "stamp", "year", "age", "label", "shuffled", "token", "picked"],
            None,
        ) else {
            return;
        };
        assert!(records[0].iter().all(|r| r.outcome == "refused"));
        assert_eq!(records[0][0].reason.as_deref(), Some("network"));
        assert_eq!(records[1][0].value, Some(Description::Unstable));
        // The second run's clock is a year ahead: no stable year to assert.
        assert_eq!(records[2][0].value, Some(Description::Unstable));
        // Nor one made from datetime's today, which that clock does not move.
        assert_eq!(records[3][0].value, Some(Description::Unstable));
        // A read of the clock that does not change the result is harmless.
        assert!(matches!(&records[4][0].value, Some(Description::Literal { src, .. }) if src == "\"2\""));
        // A shuffle of two items: two runs agree half the time, the runs
        // from other seeds of the random module do not. A shuffle of one
        // item or none is the same every time.
        let shuffles = &records[5];
        assert!(
            shuffles.iter().any(|r| r.value == Some(Description::Unstable)),
            "{shuffles:?}"
        );
        assert!(
            shuffles
                .iter()
                .all(|r| !matches!(&r.value, Some(Description::Literal { src, .. }) if src.contains(','))),
            "{shuffles:?}"
        );
        // One hex digit from `secrets` (the system's generator).
        assert_eq!(records[6][0].value, Some(Description::Unstable));
        // A draw that does not change the result is harmless.
        assert!(records[7]
            .iter()
            .any(|r| matches!(&r.value, Some(Description::Literal { .. }))));
    }

    #[test]
    fn returned_iterators_are_consumed() {
        let Some(records) = probe(&["evens"], None) else {
            return;
        };
        let typical = &records[0][0];
        assert!(typical.consumed);
        assert!(matches!(&typical.value, Some(Description::Literal { src, .. }) if src == "[2]"));
    }

    #[test]
    fn a_hang_past_the_timer_is_killed_and_the_rest_still_probed() {
        let started = std::time::Instant::now();
        let Some(records) = probe(&["stuck", "double"], Some(Duration::from_secs(3))) else {
            return;
        };
        assert_eq!(records[0][0].outcome, "killed");
        assert_eq!(records[1][0].outcome, "return");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
