//! Root causes: each failure is put in one category, with a one-line
//! summary, the evidence lines that led there, and a confidence.
//!
//! The rules look at where the exception was raised as much as at what it
//! says: a `TypeError` at the test's own call is a signature the test has
//! not caught up with; the same `TypeError` raised inside the code under
//! test is the code's problem, and no edit to the test will do.

use super::failure::{ErrorInfo, Failure, Frame};
use super::workspace::{is_test_path, Workspace};
use super::Texts;

mod messages;
mod rules;

pub use messages::callee_of;
use rules::classify_inner;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The kinds of root cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ImportError,
    MockMismatch,
    AssertionDrift,
    TypeError,
    AttributeError,
    MissingFixture,
    Environment,
    Unknown,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::ImportError,
        Category::MockMismatch,
        Category::AssertionDrift,
        Category::TypeError,
        Category::AttributeError,
        Category::MissingFixture,
        Category::Environment,
        Category::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ImportError => "import_error",
            Category::MockMismatch => "mock_mismatch",
            Category::AssertionDrift => "assertion_drift",
            Category::TypeError => "type_error",
            Category::AttributeError => "attribute_error",
            Category::MissingFixture => "missing_fixture",
            Category::Environment => "environment",
            Category::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an attribute was missing on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Owner {
    Module(String),
    Class(String),
    /// An instance of the named type.
    Instance(String),
}

/// The facts a fixer needs, per kind of root cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Detail {
    /// `from module import name` fails (`module` empty for a bare
    /// `NameError`).
    MissingName {
        module: String,
        name: String,
    },
    /// A module of the project that no longer exists.
    MissingModule {
        module: String,
    },
    /// `patch("target.attribute")` does not resolve.
    PatchTarget {
        target: Option<String>,
        attribute: String,
    },
    /// An `assert_called_with`-style check failed.
    MockCall {
        called: bool,
    },
    /// A failed `assert` comparison.
    Compare {
        op: String,
    },
    MissingArguments {
        function: String,
        params: Vec<String>,
        keyword_only: bool,
    },
    UnexpectedKeyword {
        function: String,
        keyword: String,
    },
    TooManyPositional {
        function: String,
        takes: u32,
        given: u32,
    },
    MissingAttribute {
        owner: Owner,
        name: String,
    },
    MissingFixture {
        name: String,
    },
    InstallPackage {
        module: String,
    },
    PackageVersion {
        module: String,
        name: String,
    },
    SetVariable {
        name: String,
    },
    MissingFile {
        path: String,
    },
    Service {
        detail: String,
    },
    None,
}

/// A root cause with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub category: Category,
    /// From 0 to 1.
    pub confidence: f64,
    pub summary: String,
    pub evidence: Vec<String>,
    pub detail: Detail,
    /// The test-code line the failure shows at: the place to edit.
    #[serde(skip)]
    pub location: Option<(PathBuf, u32)>,
    /// For failures that are the code's (or the machine's) problem: what a
    /// person should do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// Where the failing operation was started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A line of test code (a test module or a conftest.py).
    Test,
    /// A line of the code under test.
    Code,
    /// No frame of the project at all (mock's decorators, pytest itself).
    Outside,
}

/// Classifies one failure. `texts` gives the current text of test files
/// (candidates included) for evidence lines.
pub fn classify(failure: &Failure, workspace: &Workspace, texts: &Texts) -> Diagnosis {
    let root = workspace.root();
    let mut diagnosis = classify_inner(failure, workspace, root, texts);
    if diagnosis.location.is_none() {
        diagnosis.location = test_location(failure, root);
    }
    if let Some((path, line)) = &diagnosis.location {
        if let Some(text) = texts.line(path, *line) {
            let rel = path
                .strip_prefix(root)
                .map(super::failure::slash_path)
                .unwrap_or_default();
            diagnosis.evidence.insert(0, format!("{rel}:{line}: {}", text.trim()));
        }
    }
    diagnosis
}

fn unknown(evidence: Vec<String>, summary: &str) -> Diagnosis {
    Diagnosis {
        category: Category::Unknown,
        confidence: 0.3,
        summary: summary.to_string(),
        evidence: evidence.into_iter().filter(|e| !e.is_empty()).collect(),
        detail: Detail::None,
        location: None,
        suggestion: None,
    }
}

fn environment(detail: Detail, confidence: f64, summary: String, evidence: Vec<String>, step: String) -> Diagnosis {
    Diagnosis {
        category: Category::Environment,
        confidence,
        summary,
        evidence,
        detail,
        location: None,
        suggestion: Some(step),
    }
}

fn mock_target(error: &ErrorInfo, headline: String) -> Diagnosis {
    let patch = error.patch.clone().expect("checked by the caller");
    let shown = match &patch.target {
        Some(target) => format!("{target}.{}", patch.attribute),
        None => format!("<object>.{}", patch.attribute),
    };
    Diagnosis {
        category: Category::MockMismatch,
        confidence: 0.9,
        summary: format!("patch target `{shown}` does not resolve"),
        evidence: vec![headline],
        detail: Detail::PatchTarget {
            target: patch.target,
            attribute: patch.attribute,
        },
        location: None,
        suggestion: None,
    }
}

fn os_environment(error: &ErrorInfo, headline: &str) -> Option<Diagnosis> {
    let refused = error.is("ConnectionError")
        || error.type_name == "gaierror"
        || error.message.contains("Connection refused")
        || error.message.contains("Name or service not known");
    if refused {
        return Some(environment(
            Detail::Service {
                detail: error.message.clone(),
            },
            0.8,
            "a service the test needs is not reachable".to_string(),
            vec![headline.to_string()],
            "start the service the test connects to (or point the test's configuration at one)".to_string(),
        ));
    }
    let missing = error.is("FileNotFoundError") || error.is("NotADirectoryError") || error.is("PermissionError");
    if missing {
        let path = error.filename.clone().unwrap_or_default();
        let step = if error.is("PermissionError") {
            format!("make {path} readable by the user running the tests")
        } else {
            format!("create {path} (relative paths are resolved from the directory pytest runs in)")
        };
        return Some(environment(
            Detail::MissingFile { path: path.clone() },
            0.8,
            format!("file `{path}` is missing"),
            vec![headline.to_string()],
            step,
        ));
    }
    None
}

/// A file of the project's tests: a test module or a conftest.py.
pub fn is_test_file(path: &Path, root: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rel) => is_project_path(rel) && is_test_path(&super::failure::slash_path(rel)),
        Err(_) => false,
    }
}

/// Under the root, but not in an environment or hidden directory.
fn is_project_path(rel: &Path) -> bool {
    !rel.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c.starts_with('.') || c == "site-packages" || c == "dist-packages" || c == "venv" || c == "env"
    })
}

fn project_frame<'a>(frame: &'a Frame, root: &Path) -> Option<&'a Frame> {
    let path = Path::new(&frame.file);
    path.strip_prefix(root)
        .ok()
        .filter(|rel| is_project_path(rel))
        .map(|_| frame)
}

fn innermost_project_frame<'a>(error: &'a ErrorInfo, root: &Path) -> Option<&'a Frame> {
    error.frames.iter().rev().find_map(|f| project_frame(f, root))
}

fn origin(error: &ErrorInfo, root: &Path) -> Origin {
    match innermost_project_frame(error, root) {
        Some(frame) if is_test_file(Path::new(&frame.file), root) => Origin::Test,
        Some(_) => Origin::Code,
        None => Origin::Outside,
    }
}

/// The innermost test-code frame, when every project frame after it is
/// code under test (the test line that called into the code).
fn test_frame_before_code<'a>(error: &'a ErrorInfo, root: &Path) -> Option<&'a Frame> {
    error
        .frames
        .iter()
        .rev()
        .filter_map(|f| project_frame(f, root))
        .find(|f| is_test_file(Path::new(&f.file), root))
}

/// The innermost test-code line of the failure.
fn test_location(failure: &Failure, root: &Path) -> Option<(PathBuf, u32)> {
    let error = failure.exception()?;
    test_frame_before_code(error, root).map(|f| (PathBuf::from(&f.file), f.line))
}

#[cfg(test)]
pub(crate) mod tests;
