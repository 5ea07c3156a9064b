//! The project's Python: finding its interpreter, reading its tools'
//! configuration ([`ini`]), and running Python helpers and pytest ([`pytest`],
//! the one runner generate and fix share) in it as child processes with
//! deadlines (see [`process`]).
//!
//! User code only ever runs in these children, each in its own process group
//! that is killed on timeout and always reaped.

pub mod ini;
pub mod process;
pub mod pytest;
mod tempdir;

pub use process::{Limits, Output, RunError};
pub use tempdir::TempDir;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where the interpreter came from, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterpreterSource {
    /// `--python` (or the editor's `python` setting).
    Explicit,
    /// `$VIRTUAL_ENV/bin/python`.
    VirtualEnv,
    /// `.venv/bin/python` or `venv/bin/python` under the project root.
    ProjectVenv,
    /// `python3` (else `python`) on `PATH`.
    Path,
}

/// The interpreter that runs the project's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// As found: a venv's `bin/python` symlink is kept, not resolved, so the
    /// venv's packages are used.
    pub path: PathBuf,
    pub source: InterpreterSource,
}

/// Why the project's Python cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PyEnvError {
    #[error("the Python interpreter {} given with --python does not exist", .0.display())]
    ExplicitMissing(PathBuf),
    #[error("no Python interpreter found (looked for {looked}); pass one with --python")]
    NoInterpreter { looked: String },
    #[error("{module} is not installed in {}: install it with `{} -m pip install {module}`", .python.display(), .python.display())]
    MissingModule { module: String, python: PathBuf },
    #[error("{} does not work as a Python interpreter: {detail}", .python.display())]
    Broken { python: PathBuf, detail: String },
}

/// Environment variables that steer interpreter discovery (taken as values
/// so tests need not touch the process environment).
#[derive(Debug, Clone, Default)]
pub struct DiscoveryEnv {
    pub virtual_env: Option<OsString>,
    pub path: Option<OsString>,
}

impl DiscoveryEnv {
    pub fn from_process() -> Self {
        DiscoveryEnv {
            virtual_env: std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()),
            path: std::env::var_os("PATH"),
        }
    }
}

/// Finds the project's interpreter: `explicit`, else `$VIRTUAL_ENV`, else a
/// `.venv` / `venv` under `root`, else `python3` / `python` on `PATH`.
pub fn find_interpreter(root: &Path, explicit: Option<&Path>, env: &DiscoveryEnv) -> Result<Interpreter, PyEnvError> {
    if let Some(path) = explicit {
        let path = if path.components().count() == 1 && !path.exists() {
            // A bare name (`--python python3.12`) is looked up on PATH.
            search_path(env.path.as_deref(), &[path.as_os_str()])
                .ok_or_else(|| PyEnvError::ExplicitMissing(path.to_path_buf()))?
        } else {
            path.to_path_buf()
        };
        if !path.is_file() {
            return Err(PyEnvError::ExplicitMissing(path));
        }
        return Ok(Interpreter {
            path,
            source: InterpreterSource::Explicit,
        });
    }
    let mut looked = Vec::new();
    if let Some(venv) = &env.virtual_env {
        let candidate = venv_python(Path::new(venv));
        if candidate.is_file() {
            return Ok(Interpreter {
                path: candidate,
                source: InterpreterSource::VirtualEnv,
            });
        }
        looked.push(format!("{} ($VIRTUAL_ENV)", candidate.display()));
    }
    for name in [".venv", "venv"] {
        let candidate = venv_python(&root.join(name));
        if candidate.is_file() {
            return Ok(Interpreter {
                path: candidate,
                source: InterpreterSource::ProjectVenv,
            });
        }
        looked.push(candidate.display().to_string());
    }
    let names = [std::ffi::OsStr::new("python3"), std::ffi::OsStr::new("python")];
    if let Some(path) = search_path(env.path.as_deref(), &names) {
        return Ok(Interpreter {
            path,
            source: InterpreterSource::Path,
        });
    }
    looked.push("python3 and python on PATH".to_string());
    Err(PyEnvError::NoInterpreter {
        looked: looked.join(", "),
    })
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

fn search_path(path_var: Option<&std::ffi::OsStr>, names: &[&std::ffi::OsStr]) -> Option<PathBuf> {
    let path_var = path_var?;
    for name in names {
        for dir in std::env::split_paths(path_var) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// What the interpreter offers, as far as testgap cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// `(major, minor)`.
    pub version: (u32, u32),
    pub has_pytest: bool,
    pub has_coverage: bool,
}

/// Asks the interpreter for its version and whether pytest and coverage.py
/// are importable (without importing them).
pub fn capabilities(python: &Interpreter) -> Result<Capabilities, PyEnvError> {
    const SCRIPT: &str = "import sys, importlib.util as u\n\
        print(sys.version_info[0], sys.version_info[1], \
        int(u.find_spec('pytest') is not None), int(u.find_spec('coverage') is not None))";
    let mut command = Command::new(&python.path);
    command.arg("-c").arg(SCRIPT);
    let broken = |detail: String| PyEnvError::Broken {
        python: python.path.clone(),
        detail,
    };
    let out = process::run(
        command,
        b"",
        Limits {
            timeout: Duration::from_secs(30),
            output_cap: 64 << 10,
        },
    )
    .map_err(|err| broken(err.to_string()))?;
    if out.timed_out {
        return Err(broken("it did not answer within 30 s".to_string()));
    }
    let text = out.stdout_text();
    let numbers: Vec<u32> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    match (out.success(), numbers.as_slice()) {
        (true, [major, minor, pytest, coverage]) => Ok(Capabilities {
            version: (*major, *minor),
            has_pytest: *pytest == 1,
            has_coverage: *coverage == 1,
        }),
        _ => Err(broken(format!("exit status {:?}: {}", out.code(), out.stderr_tail(3)))),
    }
}

impl Capabilities {
    /// An error naming the interpreter unless pytest is importable.
    pub fn require_pytest(&self, python: &Interpreter) -> Result<(), PyEnvError> {
        if self.has_pytest {
            Ok(())
        } else {
            Err(PyEnvError::MissingModule {
                module: "pytest".to_string(),
                python: python.path.clone(),
            })
        }
    }
}

/// A Python child to run: the interpreter, arguments, working directory,
/// extra environment and `PYTHONPATH`.
#[derive(Debug, Clone)]
pub struct PythonRun {
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    /// Directories for `PYTHONPATH`, first wins. The parent's `PYTHONPATH`
    /// is not passed on.
    pub python_path: Vec<PathBuf>,
    pub env: Vec<(String, String)>,
}

impl PythonRun {
    pub fn new(cwd: &Path) -> Self {
        PythonRun {
            args: Vec::new(),
            cwd: cwd.to_path_buf(),
            python_path: Vec::new(),
            env: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_string(), value.into()));
        self
    }

    /// Runs it in `python` with `stdin` and `limits`.
    pub fn run(&self, python: &Interpreter, stdin: &[u8], limits: Limits) -> Result<Output, RunError> {
        self.run_watching(python, stdin, limits, None)
    }

    /// [`PythonRun::run`], killing the child when its stdout has been silent
    /// for longer than `stall` (see [`process::run_watching`]).
    pub fn run_watching(
        &self,
        python: &Interpreter,
        stdin: &[u8],
        limits: Limits,
        stall: Option<Duration>,
    ) -> Result<Output, RunError> {
        let mut command = Command::new(&python.path);
        command.args(&self.args).current_dir(&self.cwd);
        // Settings of an outer run must not change what the child does.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("COVERAGE_") || key.starts_with("PYTEST_") {
                command.env_remove(key.as_ref());
            }
        }
        command.env_remove("PYTHONPATH");
        command.env("PYTHONDONTWRITEBYTECODE", "1");
        command.env("PYTHONIOENCODING", "utf-8");
        if !self.python_path.is_empty() {
            if let Ok(joined) = std::env::join_paths(&self.python_path) {
                command.env("PYTHONPATH", joined);
            }
        }
        for (key, value) in &self.env {
            command.env(key, value);
        }
        process::run_watching(command, stdin, limits, stall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_python(dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let python = dir.join("bin").join("python");
        std::fs::write(&python, "").unwrap();
        python
    }

    #[test]
    fn discovery_order() {
        let tmp = TempDir::new("pyenv-test").unwrap();
        let root = tmp.path().join("project");
        let venv = tmp.path().join("active");
        let path_dir = tmp.path().join("usr-bin");
        std::fs::create_dir_all(&path_dir).unwrap();
        std::fs::write(path_dir.join("python3"), "").unwrap();
        let env = DiscoveryEnv {
            virtual_env: Some(venv.clone().into()),
            path: Some(path_dir.clone().into()),
        };
        let found = |env: &DiscoveryEnv| find_interpreter(&root, None, env).unwrap();

        assert_eq!(found(&env).source, InterpreterSource::Path);
        let project_venv = fake_python(&root.join("venv"));
        assert_eq!(found(&env).path, project_venv);
        let dot_venv = fake_python(&root.join(".venv"));
        assert_eq!(found(&env).path, dot_venv, ".venv before venv");
        let active = fake_python(&venv);
        assert_eq!(found(&env).path, active);
        assert_eq!(found(&env).source, InterpreterSource::VirtualEnv);

        let explicit = find_interpreter(&root, Some(&project_venv), &env).unwrap();
        assert_eq!(explicit.path, project_venv);
        assert_eq!(explicit.source, InterpreterSource::Explicit);
    }

    #[test]
    fn missing_interpreters_are_clear_errors() {
        let tmp = TempDir::new("pyenv-test").unwrap();
        let env = DiscoveryEnv {
            virtual_env: None,
            path: Some(tmp.path().into()),
        };
        let err = find_interpreter(tmp.path(), Some(Path::new("/nonexistent/python")), &env).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Python interpreter /nonexistent/python given with --python does not exist"
        );
        let err = find_interpreter(tmp.path(), None, &env).unwrap_err();
        assert!(
            err.to_string().starts_with("no Python interpreter found (looked for ")
                && err.to_string().ends_with("pass one with --python"),
            "{err}"
        );
    }

    #[test]
    fn missing_pytest_names_the_interpreter_and_the_fix() {
        let err = PyEnvError::MissingModule {
            module: "pytest".into(),
            python: PathBuf::from("/p/.venv/bin/python"),
        };
        assert_eq!(
            err.to_string(),
            "pytest is not installed in /p/.venv/bin/python: install it with \
             `/p/.venv/bin/python -m pip install pytest`"
        );
    }

    #[test]
    fn capabilities_of_a_real_interpreter() {
        let env = DiscoveryEnv::from_process();
        let Ok(python) = find_interpreter(Path::new("/nonexistent"), None, &env) else {
            return; // No Python on this machine: nothing to ask.
        };
        let caps = capabilities(&python).unwrap();
        assert!(caps.version.0 >= 3);
    }

    #[test]
    fn a_file_that_is_not_python_is_broken() {
        let tmp = TempDir::new("pyenv-test").unwrap();
        let fake = tmp.path().join("python");
        std::fs::write(&fake, "#!/bin/sh\necho nonsense\nexit 4\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let python = Interpreter {
            path: fake.clone(),
            source: InterpreterSource::Explicit,
        };
        let err = capabilities(&python).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{} does not work as a Python interpreter", fake.display())),
            "{err}"
        );
    }
}
