//! The rules, one function per family of failure, tried in order: each
//! returns a diagnosis when the failure is of its kind.

use super::messages::{
    attribute_from_message, callee_of, env_var_in_message, install_hint, module_from_message, quoted, short,
    signature_detail, signature_summary,
};
use super::{
    environment, innermost_project_frame, is_test_file, mock_target, origin, os_environment, test_frame_before_code,
    unknown, Category, Detail, Diagnosis, Origin, Owner,
};
use crate::fix::failure::{ErrorInfo, Failure, FixtureError, Phase};
use crate::fix::workspace::Workspace;
use crate::fix::Texts;
use std::path::{Path, PathBuf};

/// What every rule looks at.
struct Facts<'a> {
    failure: &'a Failure,
    error: &'a ErrorInfo,
    workspace: &'a Workspace,
    root: &'a Path,
    texts: &'a Texts<'a>,
    headline: String,
    origin: Origin,
}

pub(super) fn classify_inner(failure: &Failure, workspace: &Workspace, root: &Path, texts: &Texts) -> Diagnosis {
    if let Some(fixture) = &failure.fixture {
        return missing_fixture(fixture, root, texts);
    }
    let Some(error) = failure.exception() else {
        let first = failure.longrepr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return unknown(vec![first.trim().to_string()], "pytest reported no exception");
    };
    let facts = Facts {
        failure,
        error,
        workspace,
        root,
        texts,
        headline: error.headline(),
        origin: origin(error, root),
    };
    let rules: [fn(&Facts) -> Option<Diagnosis>; 9] = [
        environment_variable,
        missing_module,
        missing_name,
        patch_target,
        operating_system,
        assertion,
        signature,
        attribute,
        undefined_name,
    ];
    rules.iter().find_map(|rule| rule(&facts)).unwrap_or_else(|| {
        if facts.origin == Origin::Code {
            return facts.raised_in_code("the code under test raised an exception");
        }
        let mut diagnosis = unknown(vec![facts.headline.clone()], "no known root cause");
        if failure.phase == Phase::Collection {
            diagnosis.summary = "the test module cannot be imported".to_string();
        }
        diagnosis
    })
}

impl Facts<'_> {
    /// The test is right: the exception comes from the code under test.
    fn raised_in_code(&self, what: &str) -> Diagnosis {
        let frame = innermost_project_frame(self.error, self.root).expect("origin Code has a frame");
        let rel = Path::new(&frame.file)
            .strip_prefix(self.root)
            .map(crate::fix::failure::slash_path)
            .unwrap_or_else(|_| frame.file.clone());
        let mut diagnosis = unknown(
            vec![
                self.headline.clone(),
                format!(
                    "raised in the code under test: {rel}:{} in {}",
                    frame.line, frame.function
                ),
            ],
            what,
        );
        diagnosis.suggestion = Some(format!(
            "the test looks right: fix {rel}:{} (in `{}`), not the test",
            frame.line, frame.function
        ));
        diagnosis
    }
}

fn diagnosis(category: Category, confidence: f64, summary: String, evidence: Vec<String>, detail: Detail) -> Diagnosis {
    Diagnosis {
        category,
        confidence,
        summary,
        evidence,
        detail,
        location: None,
        suggestion: None,
    }
}

fn missing_fixture(fixture: &FixtureError, root: &Path, texts: &Texts) -> Diagnosis {
    let name = fixture.name.clone().unwrap_or_default();
    let first = fixture.message.lines().next().unwrap_or("").trim().to_string();
    if first.contains("recursive dependency") {
        return unknown(vec![first], "a fixture depends on itself");
    }
    let mut evidence = vec![first];
    if let Some(by) = &fixture.requested_by {
        evidence.push(format!("requested by `{by}`"));
    }
    // pytest names the decorator's line; the `def` line says more.
    let location = fixture
        .file
        .as_ref()
        .map(|f| (PathBuf::from(f), fixture.line))
        .filter(|(f, _)| f.starts_with(root))
        .map(|(f, line)| {
            let def = (line..line + 20).find(|l| {
                texts
                    .line(&f, *l)
                    .is_some_and(|t| !t.trim_start().starts_with('@') && !t.trim().is_empty())
            });
            (f, def.unwrap_or(line))
        });
    Diagnosis {
        location,
        ..diagnosis(
            Category::MissingFixture,
            0.95,
            format!("fixture `{name}` is not found"),
            evidence,
            Detail::MissingFixture { name },
        )
    }
}

/// Environment variables: their signs are unambiguous wherever they come from.
fn environment_variable(f: &Facts) -> Option<Diagnosis> {
    let (name, confidence, evidence) = match &f.error.environ_key {
        Some(key) => (
            key.clone(),
            0.95,
            vec![f.headline.clone(), "raised by os.environ[...]".to_string()],
        ),
        None => (env_var_in_message(&f.error.message)?, 0.8, vec![f.headline.clone()]),
    };
    Some(environment(
        Detail::SetVariable { name: name.clone() },
        confidence,
        format!("environment variable `{name}` is not set"),
        evidence,
        format!("set the environment variable {name} before running the tests"),
    ))
}

/// `No module named …`: a package to install, or a module of the project
/// that moved.
fn missing_module(f: &Facts) -> Option<Diagnosis> {
    let error = f.error;
    let no_module =
        error.is("ModuleNotFoundError") || (error.is("ImportError") && error.message.starts_with("No module named"));
    if !no_module {
        return None;
    }
    let module = error
        .name
        .clone()
        .or_else(|| quoted(&error.message, 0))
        .unwrap_or_default();
    if error.patch.is_some() && f.workspace.owns_package(&module) {
        return Some(mock_target(error, f.headline.clone()));
    }
    if !f.workspace.owns_package(&module) {
        let top = module.split('.').next().unwrap_or(&module).to_string();
        return Some(environment(
            Detail::InstallPackage { module: top.clone() },
            0.9,
            format!("package `{top}` is not installed"),
            vec![f.headline.clone(), format!("`{top}` is not part of the project")],
            format!("install the package that provides `{top}`: {}", install_hint(&top)),
        ));
    }
    if f.origin == Origin::Code {
        return Some(f.raised_in_code("the code under test imports a module that does not exist"));
    }
    Some(diagnosis(
        Category::ImportError,
        0.9,
        format!("module `{module}` no longer exists"),
        vec![f.headline.clone()],
        Detail::MissingModule { module },
    ))
}

/// `cannot import name 'x' from 'm'`, and system libraries that fail to load.
fn missing_name(f: &Facts) -> Option<Diagnosis> {
    let error = f.error;
    if !error.is("ImportError") {
        return None;
    }
    if error.message.contains("shared object file") || error.message.contains("DLL load failed") {
        return Some(environment(
            Detail::Service {
                detail: error.message.clone(),
            },
            0.8,
            "a system library is missing".to_string(),
            vec![f.headline.clone()],
            "install the system library the message names".to_string(),
        ));
    }
    if !error.message.starts_with("cannot import name") {
        return None;
    }
    let (name, module) = (quoted(&error.message, 0)?, quoted(&error.message, 1)?);
    if error.message.contains("circular import") {
        return Some(unknown(
            vec![f.headline.clone()],
            "a circular import in the code under test",
        ));
    }
    if !f.workspace.owns_package(&module) {
        return Some(environment(
            Detail::PackageVersion {
                module: module.clone(),
                name: name.clone(),
            },
            0.75,
            format!("the installed `{module}` has no `{name}`"),
            vec![f.headline.clone(), format!("`{module}` is not part of the project")],
            format!("install the version of the package providing `{module}` that the tests expect"),
        ));
    }
    if f.origin == Origin::Code {
        return Some(f.raised_in_code("the code under test imports a name that does not exist"));
    }
    Some(diagnosis(
        Category::ImportError,
        0.9,
        format!("`{name}` cannot be imported from `{module}`"),
        vec![f.headline.clone()],
        Detail::MissingName { module, name },
    ))
}

fn patch_target(f: &Facts) -> Option<Diagnosis> {
    let resolves = f.error.is("AttributeError") || f.error.is("ImportError");
    (f.error.patch.is_some() && resolves).then(|| mock_target(f.error, f.headline.clone()))
}

fn operating_system(f: &Facts) -> Option<Diagnosis> {
    if f.error.is("OSError") {
        os_environment(f.error, &f.headline)
    } else {
        None
    }
}

/// A failed `assert`: a mock's call check, or a comparison in test code.
fn assertion(f: &Facts) -> Option<Diagnosis> {
    let error = f.error;
    if !error.is("AssertionError") {
        return None;
    }
    if let Some(call) = &error.mock_call {
        let called = call.actual.is_some();
        let (summary, confidence) = if called {
            (
                format!(
                    "`{}.{}` expected a different call than the one made",
                    call.mock, call.method
                ),
                0.8,
            )
        } else {
            (
                format!("`{}` was never called (`{}` failed)", call.mock, call.method),
                0.5,
            )
        };
        let mut evidence: Vec<String> = error.message.lines().take(3).map(|l| l.trim().to_string()).collect();
        evidence.retain(|l| !l.is_empty());
        return Some(Diagnosis {
            location: call
                .file
                .as_ref()
                .zip(call.line)
                .map(|(file, l)| (PathBuf::from(file), l)),
            suggestion: (!called)
                .then(|| "check that the test patches the name where the code under test looks it up".to_string()),
            ..diagnosis(
                Category::MockMismatch,
                confidence,
                summary,
                evidence,
                Detail::MockCall { called },
            )
        });
    }
    if f.origin == Origin::Code {
        return Some(f.raised_in_code("an assertion in the code under test failed"));
    }
    let first = error.message.lines().next().unwrap_or("").trim().to_string();
    if let Some(compare) = &f.failure.compare {
        let in_test = compare
            .file
            .as_deref()
            .is_some_and(|file| is_test_file(Path::new(file), f.root));
        if in_test {
            return Some(Diagnosis {
                location: compare.file.as_ref().map(|file| (PathBuf::from(file), compare.line)),
                ..diagnosis(
                    Category::AssertionDrift,
                    if compare.op == "==" { 0.8 } else { 0.6 },
                    format!(
                        "`assert … {} …` fails: {} vs {}",
                        compare.op,
                        short(&compare.left.repr),
                        short(&compare.right.repr)
                    ),
                    vec![first],
                    Detail::Compare { op: compare.op.clone() },
                )
            });
        }
    }
    Some(unknown(
        vec![format!("AssertionError: {first}")],
        "an assertion without a comparison failed",
    ))
}

/// A `TypeError` about arguments, at the test's own call.
fn signature(f: &Facts) -> Option<Diagnosis> {
    if !f.error.is("TypeError") {
        return None;
    }
    let detail = signature_detail(&f.error.message)?;
    let function = match &detail {
        Detail::MissingArguments { function, .. }
        | Detail::UnexpectedKeyword { function, .. }
        | Detail::TooManyPositional { function, .. } => function.clone(),
        _ => String::new(),
    };
    let callee = callee_of(&function);
    let confidence = match f.origin {
        Origin::Test => 0.85,
        Origin::Code => {
            // A pass-through wrapper (`functools.wraps`) in the code raises
            // on behalf of the test's own call: only if the test's line calls
            // the function the message names.
            let calls_it = test_frame_before_code(f.error, f.root)
                .and_then(|frame| f.texts.line(Path::new(&frame.file), frame.line))
                .is_some_and(|line| line.contains(&format!("{callee}(")));
            if !calls_it {
                return Some(f.raised_in_code("a call inside the code under test does not match its signature"));
            }
            0.6
        }
        Origin::Outside => 0.5,
    };
    Some(Diagnosis {
        location: test_frame_before_code(f.error, f.root).map(|frame| (PathBuf::from(&frame.file), frame.line)),
        ..diagnosis(
            Category::TypeError,
            confidence,
            signature_summary(&detail),
            vec![f.headline.clone()],
            detail,
        )
    })
}

/// An attribute the test uses that is not there.
fn attribute(f: &Facts) -> Option<Diagnosis> {
    let error = f.error;
    if !error.is("AttributeError") {
        return None;
    }
    let name = error.name.clone().or_else(|| attribute_from_message(&error.message))?;
    if error.obj_type.as_deref() == Some("NoneType") || error.message.starts_with("'NoneType'") {
        return Some(unknown(
            vec![f.headline.clone()],
            "a value the test uses is None: the code under test returned nothing",
        ));
    }
    if f.origin == Origin::Code {
        return Some(f.raised_in_code("the code under test uses an attribute that does not exist"));
    }
    let owner = if let Some(module) = &error.obj_module {
        Owner::Module(module.clone())
    } else if let Some(class) = &error.obj_class {
        Owner::Class(class.clone())
    } else if let Some(module) = module_from_message(&error.message) {
        Owner::Module(module)
    } else {
        Owner::Instance(
            error
                .obj_type
                .clone()
                .or_else(|| quoted(&error.message, 0))
                .unwrap_or_default(),
        )
    };
    let (on, verb) = match &owner {
        Owner::Module(m) => (format!("module `{m}`"), "has"),
        Owner::Class(c) => (format!("class `{c}`"), "has"),
        Owner::Instance(t) => (format!("`{t}` objects"), "have"),
    };
    Some(diagnosis(
        Category::AttributeError,
        0.85,
        format!("{on} {verb} no attribute `{name}`"),
        vec![f.headline.clone()],
        Detail::MissingAttribute { owner, name },
    ))
}

/// A name the test uses without importing it, defined in the project.
fn undefined_name(f: &Facts) -> Option<Diagnosis> {
    if !f.error.is("NameError") || f.origin != Origin::Test {
        return None;
    }
    let name = f.error.name.clone().or_else(|| quoted(&f.error.message, 0))?;
    if f.workspace.defining(&name).is_empty() {
        return None;
    }
    Some(diagnosis(
        Category::ImportError,
        0.7,
        format!("`{name}` is not imported"),
        vec![f.headline.clone()],
        Detail::MissingName {
            module: String::new(),
            name,
        },
    ))
}
