//! What version control says about the code a test calls: whether it changed
//! since the test was last committed (the last time the test is known to
//! have matched the code), and what a function looked like then.
//!
//! An expected value is only updated as "the code changed on purpose" when
//! the functions the test ran changed since that commit; otherwise the
//! failure may be a regression, and the test is left alone unless the user
//! says otherwise.

use super::failure::{slash_path, CalledFunction};
use super::workspace::Workspace;
use crate::pyenv::process::{self, Limits};
use crate::python::{self, Param};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A git work tree.
#[derive(Debug)]
pub struct Git {
    toplevel: PathBuf,
    diffs: RefCell<HashMap<(String, PathBuf), Option<Changed>>>,
}

/// Lines of a file changed since a commit (new-side line numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// The file did not exist at that commit.
    WholeFile,
    /// Inclusive ranges; a pure deletion is the line after it.
    Lines(Vec<(u32, u32)>),
}

impl Changed {
    pub fn touches(&self, start: u32, end: u32) -> bool {
        match self {
            Changed::WholeFile => true,
            Changed::Lines(ranges) => ranges.iter().any(|(a, b)| *a <= end && start <= *b),
        }
    }
}

/// Whether the code a test called changed since the test was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Changed { evidence: Vec<String> },
    Unchanged { base: String, checked: Vec<String> },
    Unknown { reason: String },
}

impl Git {
    /// The work tree holding `root`, if `root` is in one and git runs.
    pub fn open(root: &Path) -> Option<Git> {
        let out = git_output(root, &["rev-parse", "--show-toplevel"])?;
        let toplevel = PathBuf::from(out.trim());
        let toplevel = toplevel.canonicalize().unwrap_or(toplevel);
        Some(Git {
            toplevel,
            diffs: RefCell::new(HashMap::new()),
        })
    }

    fn rel(&self, path: &Path) -> Option<String> {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        path.strip_prefix(&self.toplevel).ok().map(slash_path)
    }

    fn run(&self, args: &[&str]) -> Option<String> {
        git_output(&self.toplevel, args)
    }

    /// The last commit that changed `path`, else `HEAD` (a file never
    /// committed); `None` in a repository without commits.
    pub fn last_commit_touching(&self, path: &Path) -> Option<String> {
        let rel = self.rel(path)?;
        let found = self.run(&["log", "-1", "--format=%H", "--", &rel])?;
        let found = found.trim();
        if !found.is_empty() {
            return Some(found.to_string());
        }
        self.run(&["rev-parse", "--verify", "-q", "HEAD"])
            .map(|h| h.trim().to_string())
    }

    /// Lines of `path` (as it is in the work tree) changed since `base`.
    pub fn changed_lines(&self, base: &str, path: &Path) -> Option<Changed> {
        let key = (base.to_string(), path.to_path_buf());
        if let Some(cached) = self.diffs.borrow().get(&key) {
            return cached.clone();
        }
        let computed = self.compute_changed_lines(base, path);
        self.diffs.borrow_mut().insert(key, computed.clone());
        computed
    }

    fn compute_changed_lines(&self, base: &str, path: &Path) -> Option<Changed> {
        let rel = self.rel(path)?;
        if self.run(&["cat-file", "-e", &format!("{base}:{rel}")]).is_none() {
            return Some(Changed::WholeFile);
        }
        let diff = self.run(&["diff", "-U0", "--no-color", "--no-ext-diff", base, "--", &rel])?;
        Some(Changed::Lines(parse_hunks(&diff)))
    }

    /// The text of `path` at commit `base`.
    pub fn old_text(&self, base: &str, path: &Path) -> Option<String> {
        let rel = self.rel(path)?;
        self.run(&["show", &format!("{base}:{rel}")])
    }

    /// Short form of a commit hash.
    pub fn short(hash: &str) -> &str {
        &hash[..hash.len().min(10)]
    }

    /// Whether the functions the test ran (or, when none were recorded, the
    /// modules it imports) changed since the test file was last committed.
    pub fn called_code_changed(&self, workspace: &Workspace, test_file: &Path, called: &[CalledFunction]) -> Verdict {
        let Some(base) = self.last_commit_touching(test_file) else {
            return Verdict::Unknown {
                reason: "the repository has no commits".to_string(),
            };
        };
        let short = Git::short(&base).to_string();
        let mut evidence = Vec::new();
        let mut checked = Vec::new();
        let mut targets: Vec<(PathBuf, Option<String>, u32)> = called
            .iter()
            .map(|c| (PathBuf::from(&c.file), Some(c.qualname.clone()), c.line))
            .collect();
        if targets.is_empty() {
            // Nothing ran (a constant compared, say): the modules it imports.
            if let Some(module) = workspace.module_at(test_file) {
                for import in &module.imports {
                    for name in [
                        Some(import.module.clone()),
                        import.name.as_ref().map(|n| format!("{}.{n}", import.module)),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        if let Some(m) = workspace.module(&name).filter(|m| !m.is_test) {
                            targets.push((m.path.clone(), None, 0));
                        }
                    }
                }
            }
        }
        targets.sort();
        targets.dedup();
        for (file, qualname, line) in targets {
            let Some(changed) = self.changed_lines(&base, &file) else {
                continue;
            };
            let rel = file
                .strip_prefix(workspace.root())
                .map(slash_path)
                .unwrap_or_else(|_| file.display().to_string());
            let module = workspace.module_at(&file);
            match &qualname {
                Some(qualname) => {
                    let range = module
                        .and_then(|m| m.function(qualname))
                        .map(|f| (f.start_line, f.body.end))
                        .unwrap_or((line, line));
                    checked.push(format!("{rel}: {qualname}()"));
                    if changed.touches(range.0, range.1) {
                        evidence.push(format!("{rel}: `{qualname}()` changed since {short}"));
                    } else if module_level_changed(&changed, module) {
                        evidence.push(format!("{rel}: module-level code changed since {short}"));
                    } else if let Some(class) = class_level_changed(&changed, module, qualname) {
                        evidence.push(format!("{rel}: the body of class `{class}` changed since {short}"));
                    }
                }
                None => {
                    checked.push(rel.clone());
                    if changed != Changed::Lines(Vec::new()) {
                        evidence.push(format!("{rel} changed since {short}"));
                    }
                }
            }
        }
        evidence.dedup();
        if evidence.is_empty() {
            Verdict::Unchanged { base: short, checked }
        } else {
            Verdict::Changed { evidence }
        }
    }

    /// The parameters `qualname` had in `file` at the test's last commit.
    pub fn old_params(&self, test_file: &Path, file: &Path, qualname: &str) -> Option<Vec<Param>> {
        let base = self.last_commit_touching(test_file)?;
        let text = self.old_text(&base, file)?;
        let mut parser = python::parser();
        let module = python::analyze(&mut parser, text.as_bytes()).ok()?;
        if let Some(function) = module.functions.iter().find(|f| f.qualname == qualname) {
            return Some(function.params.clone());
        }
        // `Cart.__init__` of a dataclass: the class's fields.
        let class = qualname.strip_suffix(".__init__")?;
        module
            .classes
            .iter()
            .find(|c| c.qualname == class)
            .map(|c| c.init_params.clone())
    }
}

/// Changed lines outside every function and class of the module: constants
/// and other module-level code the called functions may read.
fn module_level_changed(changed: &Changed, module: Option<&super::workspace::ModuleInfo>) -> bool {
    let Some(module) = module else { return false };
    let Changed::Lines(ranges) = changed else { return true };
    let inside = |line: u32| {
        module
            .model
            .functions
            .iter()
            .any(|f| f.start_line <= line && line <= f.body.end)
            || module
                .model
                .classes
                .iter()
                .any(|c| c.start_line <= line && line <= c.body.end)
    };
    ranges
        .iter()
        .any(|(a, b)| (*a..=*b).any(|l| !inside(l) && l <= module.model.line_count))
}

/// A class owning the method `qualname` whose own body changed outside its
/// methods: class attributes (defaults, messages, tables) the method reads.
fn class_level_changed(
    changed: &Changed,
    module: Option<&super::workspace::ModuleInfo>,
    qualname: &str,
) -> Option<String> {
    let module = module?;
    let Changed::Lines(ranges) = changed else {
        return None;
    };
    let (class, _) = qualname.rsplit_once('.')?;
    let class = module.model.classes.iter().find(|c| c.qualname == class)?;
    let in_method = |line: u32| {
        module
            .model
            .functions
            .iter()
            .any(|f| f.start_line <= line && line <= f.body.end)
    };
    let touched = ranges
        .iter()
        .any(|(a, b)| (*a..=*b).any(|l| class.start_line <= l && l <= class.body.end && !in_method(l)));
    touched.then(|| class.qualname.clone())
}

/// New-side ranges of `@@ -a,b +c,d @@` hunk headers.
fn parse_hunks(diff: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for line in diff.lines() {
        let Some(rest) = line.strip_prefix("@@ ") else { continue };
        let Some(new) = rest.split_whitespace().find(|w| w.starts_with('+')) else {
            continue;
        };
        let new = &new[1..];
        let (start, count) = match new.split_once(',') {
            Some((s, c)) => (s.parse().unwrap_or(0), c.parse().unwrap_or(1)),
            None => (new.parse().unwrap_or(0), 1),
        };
        if count == 0 {
            // Lines were deleted after `start`.
            out.push((start.max(1), start.max(1) + 1));
        } else {
            out.push((start, start + count - 1));
        }
    }
    out
}

fn git_output(dir: &Path, args: &[&str]) -> Option<String> {
    let mut command = Command::new("git");
    command
        .arg("--no-pager")
        .arg("-c")
        .arg("core.quotepath=off")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C");
    let out = process::run(
        command,
        b"",
        Limits {
            timeout: Duration::from_secs(20),
            output_cap: 32 << 20,
        },
    )
    .ok()?;
    out.success().then(|| out.stdout_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks() {
        let diff = "diff --git a/x b/x\n@@ -3,2 +3,3 @@ def f():\n-a\n+b\n@@ -10 +11 @@\n@@ -20,2 +21,0 @@\n";
        assert_eq!(parse_hunks(diff), vec![(3, 5), (11, 11), (21, 22)]);
        let changed = Changed::Lines(parse_hunks(diff));
        assert!(changed.touches(1, 3));
        assert!(!changed.touches(6, 10));
    }

    #[test]
    fn a_class_attribute_its_method_reads() {
        let ws = crate::fix::workspace::workspace_of(&[(
            "fields.py",
            "class Field:\n    def __init__(self):\n        pass\n\n\nclass Integer(Field):\n    messages = {\"invalid\": \"Not a valid integer.\"}\n\n    def __init__(self, strict=False):\n        self.strict = strict\n",
        )]);
        let module = ws.module("fields");
        let changed = Changed::Lines(vec![(7, 7)]);
        assert_eq!(
            class_level_changed(&changed, module, "Integer.__init__").as_deref(),
            Some("Integer")
        );
        // Another class's method, or a change inside a method: not this rule.
        assert_eq!(class_level_changed(&changed, module, "Field.__init__"), None);
        assert_eq!(
            class_level_changed(&Changed::Lines(vec![(10, 10)]), module, "Integer.__init__"),
            None
        );
        assert!(!module_level_changed(&changed, module));
    }
}
