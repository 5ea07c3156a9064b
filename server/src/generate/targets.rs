//! What the user asked tests for: `path.py`, `path.py::func`,
//! `path.py::Class.method`, `path.py::Class`, `pkg.module:func` (or a bare
//! `pkg.module`), or with `--all` the audit's ranked modules, in batch
//! order, optionally one shard of them.

use super::{layout, resolve::Workspace, ModuleJob, Project, Selection};
use crate::audit::Audit;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One TARGET argument, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    File { path: PathBuf, name: Option<String> },
    Dotted { module: String, name: Option<String> },
}

const TARGET_FORMS: &str = "use path.py, path.py::func, path.py::Class.method, path.py::Class or pkg.module:func";

/// Parses a TARGET argument.
pub fn parse_target(text: &str) -> Result<TargetSpec, String> {
    let text = text.trim();
    let dotted_ok = |s: &str| {
        !s.is_empty()
            && s.split('.')
                .all(|part| super::pysrc::is_identifier(part) || part.starts_with("__"))
    };
    if let Some((path, name)) = text.split_once("::") {
        if !path.ends_with(".py") || !dotted_ok(name) {
            return Err(format!("`{text}` is not a target: {TARGET_FORMS}"));
        }
        return Ok(TargetSpec::File {
            path: PathBuf::from(path),
            name: Some(name.to_string()),
        });
    }
    if text.ends_with(".py") {
        return Ok(TargetSpec::File {
            path: PathBuf::from(text),
            name: None,
        });
    }
    if let Some((module, name)) = text.split_once(':') {
        if dotted_ok(module) && dotted_ok(name) {
            return Ok(TargetSpec::Dotted {
                module: module.to_string(),
                name: Some(name.to_string()),
            });
        }
    } else if dotted_ok(text) {
        return Ok(TargetSpec::Dotted {
            module: text.to_string(),
            name: None,
        });
    }
    Err(format!("`{text}` is not a target: {TARGET_FORMS}"))
}

/// Module jobs for explicit targets. Paths are taken relative to `cwd`,
/// else to the root; they must be inside the root.
pub fn jobs_for_targets(project: &Project, specs: &[TargetSpec], cwd: &Path) -> Result<Vec<ModuleJob>, String> {
    let ws = Workspace::new(project.import_roots.clone());
    // rel → (absolute path, names; None for "the untested ones").
    let mut modules: BTreeMap<String, (PathBuf, Option<Vec<String>>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for spec in specs {
        let (path, name) = match spec {
            TargetSpec::File { path, name } => {
                let candidates = [cwd.join(path), project.root.join(path)];
                let Some(found) = candidates.iter().find(|p| p.is_file()) else {
                    return Err(format!("{} does not exist", path.display()));
                };
                (found.clone(), name.clone())
            }
            TargetSpec::Dotted { module, name } => match ws.module_file(module) {
                Some(path) => (path, name.clone()),
                None => {
                    return Err(format!(
                        "no module `{module}` in the project (looked under {})",
                        project
                            .import_roots
                            .iter()
                            .map(|r| r.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            },
        };
        let absolute = std::path::absolute(&path)
            .ok()
            .and_then(|p| crate::coverage::normalize(&p))
            .ok_or_else(|| format!("cannot resolve {}", path.display()))?;
        let rel = match absolute.strip_prefix(&project.root) {
            Ok(rel) => rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
            Err(_) => {
                return Err(format!(
                    "{} is outside the project root {}",
                    path.display(),
                    project.root.display()
                ))
            }
        };
        let entry = modules.entry(rel.clone()).or_insert_with(|| {
            order.push(rel.clone());
            (absolute.clone(), Some(Vec::new()))
        });
        match (name, &mut entry.1) {
            (Some(n), Some(names)) => names.push(n),
            _ => entry.1 = None,
        }
    }
    // Names that are not in their module are usage errors, found before any
    // work starts.
    for (rel, (path, names)) in &modules {
        let Some(names) = names else { continue };
        let mut parser = crate::python::parser();
        let Ok(src) = std::fs::read(path) else {
            return Err(format!("cannot read {rel}"));
        };
        let module = crate::python::analyze(&mut parser, &src).map_err(|e| format!("{rel} is not analysed: {e}"))?;
        for name in names {
            let known = module.functions.iter().any(|f| f.qualname == *name)
                || module.classes.iter().any(|c| c.qualname == *name);
            if !known {
                return Err(format!("no function or class `{name}` in {rel}"));
            }
        }
    }
    let mut taken = BTreeSet::new();
    Ok(order
        .into_iter()
        .map(|rel| {
            let (path, names) = modules.remove(&rel).unwrap_or_default();
            let dotted = project.module_name(&rel);
            ModuleJob {
                test_file: layout::test_file_for(&project.tests_dir, &dotted, &mut taken),
                path,
                rel,
                dotted,
                selection: names.map_or(Selection::Untested, Selection::Named),
            }
        })
        .collect())
}

/// `K/N`: this run's share of the ranked modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard: use K/N with 1 ≤ K ≤ N, as in 2/4");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Module jobs for `--all`: the audit's ranked modules batch by batch (a
/// batch is one package's modules, batches ordered by their best-ranked
/// module). With a shard, batch `i` (0-based) belongs to shard
/// `i mod N + 1`: a subsystem stays on one machine, and every machine
/// computes the same split. Test file names are chosen over all modules, so
/// shards never pick the same new file for different modules.
pub fn jobs_for_all(project: &Project, audit: &Audit, shard: Option<Shard>) -> Vec<ModuleJob> {
    let mut taken = BTreeSet::new();
    let mut jobs = Vec::new();
    for (i, batch) in audit.batches.iter().enumerate() {
        let mine = shard.is_none_or(|s| i % s.count == s.index - 1);
        for rel in &batch.modules {
            let dotted = project.module_name(rel);
            let test_file = layout::test_file_for(&project.tests_dir, &dotted, &mut taken);
            if mine {
                jobs.push(ModuleJob {
                    path: project.root.join(rel),
                    rel: rel.clone(),
                    dotted,
                    selection: Selection::Untested,
                    test_file,
                });
            }
        }
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_form() {
        let file = |p: &str, n: Option<&str>| TargetSpec::File {
            path: PathBuf::from(p),
            name: n.map(str::to_string),
        };
        assert_eq!(parse_target("shop/cart.py"), Ok(file("shop/cart.py", None)));
        assert_eq!(
            parse_target("shop/cart.py::Cart.add"),
            Ok(file("shop/cart.py", Some("Cart.add")))
        );
        assert_eq!(
            parse_target("shop/cart.py::Cart"),
            Ok(file("shop/cart.py", Some("Cart")))
        );
        assert_eq!(
            parse_target("shop.pricing:bulk_discount"),
            Ok(TargetSpec::Dotted {
                module: "shop.pricing".into(),
                name: Some("bulk_discount".into())
            })
        );
        assert_eq!(
            parse_target("shop.pricing"),
            Ok(TargetSpec::Dotted {
                module: "shop.pricing".into(),
                name: None
            })
        );
        for bad in ["shop/cart.py::", "cart.txt::f", "a b", "shop.pricing:", ""] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
