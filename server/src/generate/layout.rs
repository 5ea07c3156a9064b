//! Where generated tests go and how the file reads: the project's tests
//! folder (pytest's `testpaths`, else `tests/` or `test/`), `test_<module>.py`,
//! imports in the usual three sections, and an append that keeps every byte
//! of an existing file.

use crate::pyenv::ini::Ini;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The file that configures pytest for the project, and its `testpaths`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PytestConfig {
    pub file: Option<PathBuf>,
    pub testpaths: Vec<String>,
}

/// Reads pytest's configuration the way pytest picks it: `pytest.ini`, else
/// `pyproject.toml` with `[tool.pytest.ini_options]`, else `tox.ini` with
/// `[pytest]`, else `setup.cfg` with `[tool:pytest]`.
pub fn pytest_config(root: &Path) -> PytestConfig {
    let ini = |name: &str, section: &str, required: bool| -> Option<PytestConfig> {
        let path = root.join(name);
        let text = std::fs::read_to_string(&path).ok()?;
        let ini = Ini::parse(&text);
        if required && !ini.has_section(section) {
            return None;
        }
        let testpaths = ini
            .get(section, "testpaths")
            .map(|v| v.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        Some(PytestConfig {
            file: Some(path),
            testpaths,
        })
    };
    if let Some(found) = ini("pytest.ini", "pytest", false) {
        return found;
    }
    let pyproject = root.join("pyproject.toml");
    if let Ok(text) = std::fs::read_to_string(&pyproject) {
        if let Ok(doc) = text.parse::<toml::Table>() {
            let options = doc
                .get("tool")
                .and_then(|t| t.get("pytest"))
                .and_then(|t| t.get("ini_options"));
            if let Some(options) = options {
                let testpaths = match options.get("testpaths") {
                    Some(toml::Value::Array(items)) => {
                        items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
                    }
                    Some(toml::Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
                    _ => Vec::new(),
                };
                return PytestConfig {
                    file: Some(pyproject),
                    testpaths,
                };
            }
        }
    }
    if let Some(found) = ini("tox.ini", "pytest", true) {
        return found;
    }
    if let Some(found) = ini("setup.cfg", "tool:pytest", true) {
        return found;
    }
    PytestConfig::default()
}

/// The folder for new test files: the first `testpaths` entry that is a
/// directory, else `tests/` or `test/` when one exists, else `tests/`.
pub fn tests_dir(root: &Path, config: &PytestConfig) -> PathBuf {
    for entry in &config.testpaths {
        if entry.contains(['*', '?', '[']) {
            continue;
        }
        let dir = root.join(entry);
        if dir.is_dir() {
            return dir;
        }
    }
    for name in ["tests", "test"] {
        let dir = root.join(name);
        if dir.is_dir() {
            return dir;
        }
    }
    match config.testpaths.iter().find(|e| !e.contains(['*', '?', '['])) {
        Some(first) => root.join(first),
        None => root.join("tests"),
    }
}

/// `test_<last part of the module>.py` in `dir`; when another module of the
/// same run already took that name, the parent package is added
/// (`test_io_formats.py`).
pub fn test_file_for(dir: &Path, dotted: &str, taken: &mut BTreeSet<PathBuf>) -> PathBuf {
    let parts: Vec<&str> = dotted.split('.').collect();
    let mut used = 1;
    loop {
        let tail = parts[parts.len().saturating_sub(used)..].join("_");
        let mut path = dir.join(format!("test_{tail}.py"));
        if used > parts.len() {
            let mut n = 2;
            while taken.contains(&path) {
                path = dir.join(format!("test_{tail}_{n}.py"));
                n += 1;
            }
        }
        if !taken.contains(&path) {
            taken.insert(path.clone());
            return path;
        }
        used += 1;
    }
}

/// Top-level modules of the standard library that generated tests may import.
const STDLIB: &[&str] = &[
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "binascii",
    "bisect",
    "builtins",
    "calendar",
    "cmath",
    "codecs",
    "collections",
    "colorsys",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "errno",
    "fnmatch",
    "fractions",
    "functools",
    "gettext",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "locale",
    "logging",
    "lzma",
    "math",
    "mimetypes",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "shlex",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "tokenize",
    "tomllib",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uuid",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

/// One parsed import line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Import {
    Module(String),
    From(String, String),
}

fn parse_import(line: &str) -> Option<Import> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("from ") {
        let (module, names) = rest.split_once(" import ")?;
        Some(Import::From(module.trim().to_string(), names.trim().to_string()))
    } else {
        line.strip_prefix("import ")
            .map(|m| Import::Module(m.trim().to_string()))
    }
}

/// Import lines in three sections (standard library, third party, the
/// project), `import x` before `from x import y`, names of one module merged.
pub fn format_imports(imports: &BTreeSet<String>, first_party: &dyn Fn(&str) -> bool) -> String {
    let mut sections: [Vec<Import>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for line in imports {
        let Some(import) = parse_import(line) else {
            continue;
        };
        let module = match &import {
            Import::Module(m) | Import::From(m, _) => m.clone(),
        };
        let top = module.split('.').next().unwrap_or(&module);
        let section = if STDLIB.contains(&top) {
            0
        } else if first_party(top) {
            2
        } else {
            1
        };
        sections[section].push(import);
    }
    let mut blocks = Vec::new();
    for section in sections.iter_mut() {
        if section.is_empty() {
            continue;
        }
        let mut modules: Vec<String> = section
            .iter()
            .filter_map(|i| match i {
                Import::Module(m) => Some(format!("import {m}")),
                _ => None,
            })
            .collect();
        modules.sort();
        modules.dedup();
        let mut froms: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
        for i in section.iter() {
            if let Import::From(m, names) = i {
                let entry = froms.entry(m.clone()).or_default();
                for n in names.split(',') {
                    let n = n.trim().trim_matches(['(', ')']).trim();
                    if !n.is_empty() {
                        entry.insert(n.to_string());
                    }
                }
            }
        }
        let mut lines = modules;
        for (m, names) in froms {
            let mut names: Vec<String> = names.into_iter().collect();
            // As isort and ruff order them: CONSTANTS, Classes, functions.
            names.sort_by_key(|n| {
                let kind = if n.len() > 1 && n.chars().all(|c| !c.is_lowercase()) {
                    0
                } else if n.starts_with(|c: char| c.is_uppercase()) {
                    1
                } else {
                    2
                };
                (kind, n.to_lowercase(), n.clone())
            });
            lines.push(format!("from {m} import {}", names.join(", ")));
        }
        blocks.push(lines.join("\n"));
    }
    blocks.join("\n\n")
}

/// A new test file for `dotted`.
pub fn new_file(dotted: &str, imports: &str, functions: &str) -> String {
    let mut text = format!(
        "\"\"\"Tests of `{dotted}`, generated by testgap.\n\nThey pin down what the code does \
         today (characterization tests): review them\nbefore relying on them.\n\"\"\"\n"
    );
    if !imports.is_empty() {
        text.push('\n');
        text.push_str(imports);
        text.push('\n');
    }
    text.push_str("\n\n");
    text.push_str(functions);
    text
}

/// `existing` with the tests appended: every existing byte is kept; imports
/// are added only for names the file does not bind yet.
pub fn append(existing: &str, dotted: &str, imports: &str, functions: &str) -> String {
    let mut text = existing.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&format!("# Tests of `{dotted}` generated by testgap.\n"));
    if !imports.is_empty() {
        text.push_str(imports);
        text.push_str("\n\n\n");
    }
    text.push_str(functions);
    text
}

/// The import lines of `imports` whose names `bound` does not have yet.
pub fn missing_imports(imports: &BTreeSet<String>, bound: &BTreeSet<String>) -> BTreeSet<String> {
    imports
        .iter()
        .filter(|line| super::probe::imported_names(line).iter().any(|n| !bound.contains(n)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyenv::TempDir;

    #[test]
    fn testpaths_from_each_config_file() {
        let tmp = TempDir::new("layout-test").unwrap();
        let root = tmp.path();
        assert_eq!(tests_dir(root, &pytest_config(root)), root.join("tests"));
        std::fs::create_dir(root.join("test")).unwrap();
        assert_eq!(tests_dir(root, &pytest_config(root)), root.join("test"));
        std::fs::write(
            root.join("setup.cfg"),
            "[metadata]\nname = x\n[tool:pytest]\ntestpaths =\n    checks\n    more\n",
        )
        .unwrap();
        let config = pytest_config(root);
        assert_eq!(config.testpaths, ["checks", "more"]);
        std::fs::create_dir(root.join("more")).unwrap();
        assert_eq!(tests_dir(root, &config), root.join("more"));
        std::fs::write(
            root.join("pyproject.toml"),
            "[tool.pytest.ini_options]\ntestpaths = [\"spec\"]\n",
        )
        .unwrap();
        assert_eq!(pytest_config(root).testpaths, ["spec"]);
        std::fs::write(root.join("pytest.ini"), "[pytest]\n").unwrap();
        assert_eq!(
            pytest_config(root),
            PytestConfig {
                file: Some(root.join("pytest.ini")),
                testpaths: vec![]
            }
        );
    }

    #[test]
    fn file_names_do_not_collide() {
        let dir = Path::new("tests");
        let mut taken = BTreeSet::new();
        let a = test_file_for(dir, "shop.io.formats", &mut taken);
        let b = test_file_for(dir, "other.formats", &mut taken);
        assert_eq!(a, dir.join("test_formats.py"));
        assert_eq!(b, dir.join("test_other_formats.py"));
    }

    #[test]
    fn imports_in_three_sections() {
        let imports: BTreeSet<String> = [
            "import pytest",
            "from shop.pricing import bulk_discount",
            "from decimal import Decimal",
            "import re",
            "from shop.pricing import Currency",
            "import attr",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let text = format_imports(&imports, &|top| top == "shop");
        assert_eq!(
            text,
            "import re\nfrom decimal import Decimal\n\nimport attr\nimport pytest\n\n\
             from shop.pricing import Currency, bulk_discount"
        );
    }

    #[test]
    fn append_keeps_every_byte() {
        let old = "import pytest\n\ndef test_a():\n    assert 1";
        let new = append(old, "m", "import re", "def test_b():\n    assert 2\n");
        assert_eq!(
            new,
            format!("{old}\n\n\n# Tests of `m` generated by testgap.\nimport re\n\n\ndef test_b():\n    assert 2\n")
        );
    }
}
