//! The failure model: what the pytest plugin (`pyenv/pytest_plugin.py`)
//! reports about each test, read from its JSON lines and merged into one
//! [`TestStatus`] per test.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// When a test failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Importing the test module (or a conftest.py) failed.
    Collection,
    Setup,
    Call,
    Teardown,
}

impl Phase {
    fn parse(text: &str) -> Option<Phase> {
        match text {
            "setup" => Some(Phase::Setup),
            "call" => Some(Phase::Call),
            "teardown" => Some(Phase::Teardown),
            "collect" | "collection" => Some(Phase::Collection),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Collection => "collection",
            Phase::Setup => "setup",
            Phase::Call => "call",
            Phase::Teardown => "teardown",
        }
    }
}

/// One traceback entry, innermost last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Absolute and symlink-free, or a pseudo name such as `<frozen os>`.
    pub file: String,
    pub line: u32,
    pub function: String,
}

/// A plain value that can be written back as a Python literal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    None,
    Bool {
        value: bool,
    },
    /// `repr()` of the int.
    Int {
        text: String,
    },
    /// `repr()` of the float (finite).
    Float {
        text: String,
    },
    Str {
        value: String,
    },
    /// `repr()` of the bytes.
    Bytes {
        text: String,
    },
    List {
        items: Vec<Value>,
    },
    Tuple {
        items: Vec<Value>,
    },
    Set {
        items: Vec<Value>,
    },
    Frozenset {
        items: Vec<Value>,
    },
    Dict {
        pairs: Vec<(Value, Value)>,
    },
}

/// One side of a failed comparison, or one argument of a mock call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operand {
    pub repr: String,
    #[serde(rename = "type")]
    pub type_name: String,
    /// Present when the value can be written as a literal.
    pub value: Option<Value>,
}

/// The operands of the comparison a failed `assert` made, as pytest's
/// assertion rewriting handed them to `pytest_assertrepr_compare`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compare {
    pub op: String,
    pub left: Operand,
    pub right: Operand,
    pub file: Option<String>,
    pub line: u32,
}

/// A call as a mock recorded it (or as a test expected it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MockArgs {
    pub args: Vec<Operand>,
    pub kwargs: Vec<(String, Operand)>,
}

/// A failed `assert_called_with`-style check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MockCall {
    /// The mock's name, `mock.send`.
    pub mock: String,
    /// The assertion method the test called.
    pub method: String,
    pub call_count: u32,
    pub expected: Option<MockArgs>,
    /// The last call the mock received.
    pub actual: Option<MockArgs>,
    /// The test line that made the check.
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// A `patch()` target that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchTarget {
    /// The dotted module part of a string target; `None` for `patch.object`.
    pub target: Option<String>,
    pub attribute: String,
    pub object: bool,
}

/// The exception a test (or its collection) raised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorInfo {
    #[serde(rename = "type")]
    pub type_name: String,
    /// The module of the exception's class (`builtins`, `_pytest.fixtures`).
    pub module: String,
    /// The class's MRO by name, most derived first.
    pub bases: Vec<String>,
    pub message: String,
    /// `Type: message` as Python prints it (with "Did you mean" on 3.12+).
    pub exconly: String,
    pub frames: Vec<Frame>,
    /// Python's own "Did you mean: …?" suggestion.
    pub suggestion: Option<String>,
    /// `ImportError.name` (the module), `AttributeError.name`, `NameError.name`.
    pub name: Option<String>,
    /// `ImportError.path`.
    pub path: Option<String>,
    /// Public names of the object an attribute was missing on (or of the
    /// module a name could not be imported from).
    pub members: Vec<String>,
    pub obj_type: Option<String>,
    pub obj_module: Option<String>,
    pub obj_class: Option<String>,
    pub errno: Option<i64>,
    pub filename: Option<String>,
    /// The key of a `KeyError` raised by `os.environ[...]`.
    pub environ_key: Option<String>,
    pub mock_call: Option<MockCall>,
    pub patch: Option<PatchTarget>,
    /// For pytest's `CollectError`: the exception it wraps.
    pub cause: Option<Box<ErrorInfo>>,
}

impl ErrorInfo {
    /// Whether the exception is (a subclass of) `class`.
    pub fn is(&self, class: &str) -> bool {
        self.type_name == class || self.bases.iter().any(|b| b == class)
    }

    /// The innermost frame.
    pub fn last_frame(&self) -> Option<&Frame> {
        self.frames.last()
    }

    /// The first line of the message.
    pub fn headline(&self) -> String {
        let first = self.message.lines().next().unwrap_or("").trim();
        if first.is_empty() {
            self.type_name.clone()
        } else {
            format!("{}: {first}", self.type_name)
        }
    }
}

/// A fixture that could not be found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FixtureError {
    pub name: Option<String>,
    /// pytest's "available fixtures" list.
    pub available: Vec<String>,
    pub message: String,
    /// Where the function that asked for it is defined.
    pub file: Option<String>,
    pub line: u32,
    pub requested_by: Option<String>,
    /// Definitions of a fixture with that name anywhere in the session.
    pub definitions: Vec<Location>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

/// A function of the project a failing test ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalledFunction {
    pub file: String,
    pub function: String,
    pub qualname: String,
    pub line: u32,
}

/// One test that failed, with everything the plugin saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The node id relative to the project root.
    pub nodeid: String,
    /// The test module (absolute).
    pub file: PathBuf,
    pub phase: Phase,
    pub error: Option<ErrorInfo>,
    pub compare: Option<Compare>,
    /// Every comparison of the test that failed, in order, when a probe ran
    /// it with assertions that do not stop it (empty otherwise).
    pub compares: Vec<Compare>,
    pub fixture: Option<FixtureError>,
    pub called: Vec<CalledFunction>,
    /// pytest's own report of the failure.
    pub longrepr: String,
}

impl Failure {
    /// The exception that matters: for a collection error, the one pytest
    /// wrapped.
    pub fn exception(&self) -> Option<&ErrorInfo> {
        let error = self.error.as_ref()?;
        match &error.cause {
            Some(cause) if matches!(error.type_name.as_str(), "CollectError" | "ConftestImportFailure") => Some(cause),
            _ => Some(error),
        }
    }

    /// The innermost frame in `file`, if any.
    pub fn last_frame_in(&self, file: &Path) -> Option<&Frame> {
        let exception = self.exception()?;
        exception.frames.iter().rev().find(|f| Path::new(&f.file) == file)
    }
}

/// What happened to one test.
#[derive(Debug, Clone, PartialEq)]
pub enum TestStatus {
    Passed,
    Skipped,
    Failed(Box<Failure>),
    /// pytest did not report it (deselected, or no such test).
    NotRun,
}

impl TestStatus {
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            TestStatus::Failed(failure) => Some(failure),
            _ => None,
        }
    }
}

/// One line of the plugin's report.
#[derive(Debug, Deserialize)]
struct Record {
    event: String,
    nodeid: Option<String>,
    phase: Option<String>,
    outcome: Option<String>,
    file: Option<String>,
    error: Option<ErrorInfo>,
    compare: Option<Compare>,
    #[serde(default)]
    compares: Vec<Compare>,
    fixture: Option<FixtureError>,
    #[serde(default)]
    called: Vec<CalledFunction>,
    longrepr: Option<String>,
    #[serde(default)]
    xfail: bool,
    exitstatus: Option<i32>,
    message: Option<String>,
}

/// Everything one pytest run reported.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// By node id relative to the root, in the order pytest ran them.
    pub tests: BTreeMap<String, TestStatus>,
    /// Test modules (relative path) that failed to import.
    pub collection_errors: BTreeMap<String, Failure>,
    /// pytest's exit status, when the session finished.
    pub exit_status: Option<i32>,
    /// Problems the plugin had describing a failure.
    pub internal_errors: Vec<String>,
    /// The run was killed at its time limit; tests it did not reach are
    /// missing.
    pub timed_out: bool,
    /// For a probe run with assertions that do not stop the test: every
    /// comparison that failed, by node id, in order.
    pub compares: BTreeMap<String, Vec<Compare>>,
}

impl Report {
    /// The status of `nodeid`: its own result, else its module's collection
    /// error, else (for a module, a class, or a test with parameters) the
    /// worst of the tests under it.
    pub fn status(&self, nodeid: &str) -> TestStatus {
        if let Some(status) = self.tests.get(nodeid) {
            return status.clone();
        }
        let module = nodeid.split("::").next().unwrap_or(nodeid);
        if let Some(failure) = self
            .collection_errors
            .get(module)
            .or_else(|| self.conftest_error(module))
        {
            let mut failure = failure.clone();
            failure.nodeid = nodeid.to_string();
            return TestStatus::Failed(Box::new(failure));
        }
        let mut found = None;
        for prefix in [format!("{nodeid}["), format!("{nodeid}::")] {
            for (id, status) in self.tests.range(prefix.clone()..) {
                if !id.starts_with(&prefix) {
                    break;
                }
                match status {
                    TestStatus::Failed(_) => return status.clone(),
                    TestStatus::Passed => found = Some(TestStatus::Passed),
                    _ => found = found.or(Some(status.clone())),
                }
            }
        }
        found.unwrap_or(TestStatus::NotRun)
    }
}

impl Report {
    /// A conftest.py that failed to import in `module`'s directory or above.
    fn conftest_error(&self, module: &str) -> Option<&Failure> {
        self.collection_errors.iter().find_map(|(path, failure)| {
            let dir = path.strip_suffix("conftest.py")?;
            (dir.is_empty() || module.starts_with(dir)).then_some(failure)
        })
    }
}

/// Reads the plugin's JSON lines. Node ids are rewritten relative to `root`
/// (pytest's may be relative to another rootdir). Lines that do not parse
/// are reported as internal errors, not fatal.
pub fn parse_report(text: &str, root: &Path) -> Report {
    let mut report = Report::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: Record = match serde_json::from_str(line) {
            Ok(record) => record,
            Err(err) => {
                report.internal_errors.push(format!("unreadable report line: {err}"));
                continue;
            }
        };
        match record.event.as_str() {
            "test" => add_test_record(&mut report, record, root),
            "collect" => {
                let Some(nodeid) = record.nodeid.clone() else { continue };
                let file = record
                    .file
                    .as_deref()
                    .filter(|f| !f.is_empty())
                    .map(PathBuf::from)
                    .unwrap_or_else(|| root.join(&nodeid));
                let module = relative_id(&nodeid, &file, root);
                let failure = Failure {
                    nodeid: module.clone(),
                    file,
                    phase: Phase::Collection,
                    error: record.error,
                    compare: None,
                    compares: Vec::new(),
                    fixture: None,
                    called: Vec::new(),
                    longrepr: record.longrepr.unwrap_or_default(),
                };
                report.collection_errors.entry(module).or_insert(failure);
            }
            "session" => report.exit_status = record.exitstatus,
            "internal" => report
                .internal_errors
                .push(record.message.unwrap_or_else(|| "unknown plugin error".to_string())),
            _ => {}
        }
    }
    report
}

fn add_test_record(report: &mut Report, record: Record, root: &Path) {
    let (Some(nodeid), Some(phase), Some(outcome)) = (&record.nodeid, &record.phase, &record.outcome) else {
        return;
    };
    let Some(phase) = Phase::parse(phase) else { return };
    let file = record.file.as_deref().map(PathBuf::from).unwrap_or_default();
    let nodeid = relative_id(nodeid, &file, root);
    if !record.compares.is_empty() {
        report
            .compares
            .entry(nodeid.clone())
            .or_default()
            .extend(record.compares.iter().cloned());
    }
    let status = match outcome.as_str() {
        "failed" => TestStatus::Failed(Box::new(Failure {
            nodeid: nodeid.clone(),
            file,
            phase,
            error: record.error,
            compare: record.compare,
            compares: Vec::new(),
            fixture: record.fixture,
            called: record.called,
            longrepr: record.longrepr.unwrap_or_default(),
        })),
        // An expected failure that happened is no failure to fix.
        "skipped" if record.xfail => TestStatus::Passed,
        "skipped" => TestStatus::Skipped,
        _ => TestStatus::Passed,
    };
    let entry = report.tests.entry(nodeid).or_insert(TestStatus::NotRun);
    // The first failing phase is the one to explain; a teardown error after
    // a failed call adds nothing.
    match (&*entry, &status) {
        (TestStatus::Failed(_), _) => {}
        (TestStatus::Skipped, TestStatus::Passed) => {}
        _ => *entry = status,
    }
}

/// `tests/test_a.py::TestX::test_y` with the path part made relative to
/// `root` (using the absolute `file` pytest reported).
pub fn relative_id(nodeid: &str, file: &Path, root: &Path) -> String {
    let (_, rest) = match nodeid.split_once("::") {
        Some((path, rest)) => (path, Some(rest)),
        None => (nodeid, None),
    };
    let path = match file.strip_prefix(root) {
        Ok(rel) if !file.as_os_str().is_empty() => slash_path(rel),
        _ => nodeid.split("::").next().unwrap_or(nodeid).to_string(),
    };
    match rest {
        Some(rest) => format!("{path}::{rest}"),
        None => path,
    }
}

pub use crate::python::names::slash_path;

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "/project";

    fn parse(lines: &[&str]) -> Report {
        parse_report(&lines.join("\n"), Path::new(ROOT))
    }

    #[test]
    fn phases_merge_into_one_status() {
        let report = parse(&[
            r#"{"event":"test","nodeid":"tests/test_a.py::test_x","phase":"setup","outcome":"passed","file":"/project/tests/test_a.py"}"#,
            r#"{"event":"test","nodeid":"tests/test_a.py::test_x","phase":"call","outcome":"failed","file":"/project/tests/test_a.py","error":{"type":"AssertionError","message":"assert 1 == 2","frames":[{"file":"/project/tests/test_a.py","line":3,"function":"test_x"}]}}"#,
            r#"{"event":"test","nodeid":"tests/test_a.py::test_x","phase":"teardown","outcome":"passed","file":"/project/tests/test_a.py"}"#,
            r#"{"event":"test","nodeid":"tests/test_a.py::test_y[1]","phase":"call","outcome":"passed","file":"/project/tests/test_a.py"}"#,
            r#"{"event":"session","exitstatus":1,"collected":2}"#,
        ]);
        let failure = report.status("tests/test_a.py::test_x");
        let failure = failure.failure().expect("failed");
        assert_eq!(failure.phase, Phase::Call);
        assert_eq!(failure.exception().unwrap().headline(), "AssertionError: assert 1 == 2");
        assert_eq!(report.status("tests/test_a.py::test_y"), TestStatus::Passed);
        assert_eq!(report.status("tests/test_a.py::test_z"), TestStatus::NotRun);
        assert_eq!(report.exit_status, Some(1));
    }

    #[test]
    fn collection_errors_fail_every_test_of_the_module() {
        let report = parse(&[
            r#"{"event":"collect","nodeid":"tests/test_b.py","outcome":"failed","file":"/project/tests/test_b.py","error":{"type":"CollectError","message":"ImportError while importing","cause":{"type":"ImportError","bases":["ImportError","Exception"],"message":"cannot import name 'x' from 'm'"}}}"#,
        ]);
        let status = report.status("tests/test_b.py::test_any");
        let failure = status.failure().unwrap();
        assert_eq!(failure.nodeid, "tests/test_b.py::test_any");
        assert_eq!(failure.phase, Phase::Collection);
        assert_eq!(failure.exception().unwrap().type_name, "ImportError");
        assert!(failure.exception().unwrap().is("Exception"));
    }

    #[test]
    fn a_broken_conftest_fails_the_tests_below_it() {
        let report = parse(&[
            r#"{"event":"collect","nodeid":"tests/conftest.py","outcome":"failed","file":"/project/tests/conftest.py","error":{"type":"ConftestImportFailure","message":"ImportError: …","cause":{"type":"ImportError","message":"cannot import name 'x' from 'm'"}}}"#,
        ]);
        let status = report.status("tests/unit/test_a.py::test_b");
        let failure = status.failure().unwrap();
        assert_eq!(failure.file, PathBuf::from("/project/tests/conftest.py"));
        assert_eq!(failure.exception().unwrap().type_name, "ImportError");
        assert_eq!(report.status("other/test_c.py::test_d"), TestStatus::NotRun);
    }

    #[test]
    fn node_ids_are_made_relative_to_the_root() {
        assert_eq!(
            relative_id(
                "test_a.py::T::t",
                Path::new("/project/sub/test_a.py"),
                Path::new("/project")
            ),
            "sub/test_a.py::T::t"
        );
        assert_eq!(relative_id("x.py::t", Path::new(""), Path::new("/project")), "x.py::t");
    }

    #[test]
    fn a_bad_line_is_not_fatal() {
        let report = parse(&["{not json", r#"{"event":"internal","message":"boom"}"#]);
        assert_eq!(report.internal_errors.len(), 2);
    }
}
