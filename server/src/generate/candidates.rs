//! Candidate values for one parameter, as Python source: from its
//! annotation, its name, and the literals the body compares it with
//! (boundaries: `n > 10` → 9, 10, 11).
//!
//! The first candidate is the *typical* value, used while other parameters
//! vary; it should be one a caller would plausibly pass.
//!
//! The seams: `hints` (what a name suggests, a table), `values` (values by
//! kind), `typed` (values from a type or a class), `boundaries` (values
//! around what the body compares); this file combines them per parameter.

mod boundaries;
mod hints;
mod typed;
mod values;

use super::pysrc;
use super::resolve::{ModuleInfo, Resolved, Workspace};
use super::types::TypeExpr;
use super::usage::{Shape, Usage};
use crate::python::{Comparison, Param, ParamKind};
use boundaries::{boundaries, parse_number, Flavor, Num};
use hints::{element_hint, Hint};
use std::collections::BTreeSet;
use std::rc::Rc;
use typed::{class_values, of_type};
use values::{lists, shape_values, unknown};

pub use typed::{instance_of, is_abstract};

/// One value for a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Python expression.
    pub expr: String,
    /// Describes the value for test names and ids: `qty_above_100`.
    pub label: String,
    /// Import lines the expression needs.
    pub imports: BTreeSet<String>,
    /// Statements to run first (files under `tmp_path`).
    pub setup: Vec<String>,
    /// The expression uses pytest's `tmp_path`.
    pub tmp_path: bool,
    /// A mutable object the call may change: bound to a variable and watched.
    pub mutable: bool,
    /// Mined from a comparison in the body (preferred when combining).
    pub mined: bool,
}

impl Candidate {
    fn new(expr: impl Into<String>, what: impl Into<String>) -> Candidate {
        Candidate {
            expr: expr.into(),
            label: what.into(),
            imports: BTreeSet::new(),
            setup: Vec::new(),
            tmp_path: false,
            mutable: false,
            mined: false,
        }
    }

    fn import(mut self, line: &str) -> Candidate {
        self.imports.insert(line.to_string());
        self
    }

    fn mutable(mut self) -> Candidate {
        self.mutable = true;
        self
    }

    fn mined(mut self) -> Candidate {
        self.mined = true;
        self
    }

    /// Takes over the imports, setup and `tmp_path` use of `parts`.
    fn absorb<'a>(mut self, parts: impl IntoIterator<Item = &'a Candidate>) -> Candidate {
        for p in parts {
            self.imports.extend(p.imports.iter().cloned());
            for s in &p.setup {
                if !self.setup.contains(s) {
                    self.setup.push(s.clone());
                }
            }
            self.tmp_path |= p.tmp_path;
        }
        self
    }
}

/// Where annotations are read: the module that wrote them.
pub struct Context<'a> {
    pub ws: &'a Workspace,
    pub owner: Rc<ModuleInfo>,
}

/// At most this many values per parameter.
pub const MAX_PER_PARAM: usize = 10;

/// Candidates for `param`, typical value first: from its annotation (else
/// its default, its name and what the body does with it), the literals the
/// body compares it with, and the types it checks with `isinstance`.
pub fn for_param_with(
    ctx: &Context,
    param: &Param,
    comparisons: &[&Comparison],
    usage: Option<&Usage>,
) -> Vec<Candidate> {
    let ty = param
        .annotation
        .as_deref()
        .map(TypeExpr::parse)
        .unwrap_or_else(|| infer_from_default(param.default.as_deref()));
    let hint = Hint::of(&param.name);
    let mut values = of_type(ctx, &ty, hint, 0);
    if ty == TypeExpr::Unknown {
        values = untyped(param, hint, values, comparisons, usage);
    }
    let mut mined = Vec::new();
    // Keys of the module's tables the parameter is looked up in.
    for (table, normaliser) in usage.map(|u| u.lookups.as_slice()).unwrap_or_default() {
        mined.extend(table_keys(ctx, table, normaliser.as_deref()));
    }
    // One value of each type an `isinstance` check tells apart.
    let mut checked = Vec::new();
    for t in usage.map(|u| u.checked.as_slice()).unwrap_or_default() {
        if let Some(c) = of_type(ctx, &TypeExpr::parse(t), hint, 1).into_iter().next() {
            checked.push(c.mined());
        }
    }
    let used_as_builtin = usage
        .and_then(Usage::shape)
        .is_some_and(|s| !matches!(s, Shape::Iterable | Shape::Sequence));
    if param.annotation.is_none() && !used_as_builtin {
        values = [class_named_like(ctx, &param.name), values].concat();
    }
    let flavor = Flavor::of(ctx, &ty, hint);
    for c in comparisons {
        mined.extend(boundaries(c, &flavor, &values));
    }
    // The typical value stays first; mined boundaries come right after it.
    let mut ordered = Vec::new();
    let mut rest = values.drain(..);
    ordered.extend(rest.next());
    ordered.extend(mined);
    ordered.extend(checked);
    ordered.extend(rest);
    if (ty.allows_none() || param.default.as_deref() == Some("None")) && !ordered.iter().any(|c| c.expr == "None") {
        ordered.push(Candidate::new("None", "none"));
    }
    if param.kind == ParamKind::VarPositional {
        ordered.retain(|c| c.expr != "None");
    }
    labelled(&param.name, ordered)
}

/// The values of an unannotated parameter without a telling default: from
/// its name (`typed`, what `Hint::None` or the name's hint gave) and from
/// what the body does with it.
fn untyped(
    param: &Param,
    hint: Hint,
    typed: Vec<Candidate>,
    comparisons: &[&Comparison],
    usage: Option<&Usage>,
) -> Vec<Candidate> {
    let mut values = typed;
    let shape = usage.and_then(Usage::shape);
    match (shape, element_hint(&param.name)) {
        // `funcs`, `int_list`: a list of what the singular names.
        (None | Some(Shape::Sequence | Shape::Iterable), Some(e)) => {
            let items: Vec<Candidate> = unknown(e)
                .into_iter()
                .filter(|c| !matches!(c.expr.as_str(), "\"\"" | "b\"\"" | "[]" | "{}"))
                .collect();
            let mut by_name = lists(&items, "list");
            if shape == Some(Shape::Iterable) {
                if let Some(first) = by_name.first() {
                    let iterator = Candidate::new(format!("iter({})", first.expr), "iterator").absorb([first]);
                    by_name.push(iterator);
                }
            }
            if hint == Hint::List {
                values = by_name;
            } else {
                values = [by_name, values].concat();
            }
        }
        (Some(shape), _) => {
            let by_use = shape_values(shape, hint);
            if hint.agrees_with(shape) {
                // The name already said it: keep its values first.
                values.extend(by_use);
            } else {
                values = [by_use, values].concat();
            }
        }
        (None, None) => {
            if hint == Hint::FilePath && param.default.is_none() {
                // A name is a guess: `fname` may name a field, not a file.
                values.push(Candidate::new("\"abc\"", "abc"));
            }
            let mined_elsewhere =
                !comparisons.is_empty() || usage.is_some_and(|u| !u.lookups.is_empty() || !u.checked.is_empty());
            if hint == Hint::None && param.default.is_none() && !mined_elsewhere {
                // Nothing to go on: besides a number and a string, a list
                // of numbers, an iterable arithmetic accepts
                // (`sum_of_squares(it)`, `convolve(signal, kernel)`).
                let at = values.iter().position(|c| c.expr == "None").unwrap_or(values.len());
                values.insert(at, Candidate::new("[1, 2]", "list"));
            }
        }
    }
    values
}

/// Instances of the class the parameter's name spells, when the module
/// knows one: `message` is most likely a `Message` (asked only when the
/// body does not use it as text, a number, …).
fn class_named_like(ctx: &Context, name: &str) -> Vec<Candidate> {
    let class_name: String = name
        .trim_matches('_')
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    if class_name.is_empty() {
        return Vec::new();
    }
    match ctx.ws.resolve(&ctx.owner, &class_name) {
        Resolved::Class { owner, qualname } => class_values(ctx, &owner, &qualname, 0),
        _ => Vec::new(),
    }
}

/// The first `MAX_PER_PARAM` distinct values, each label prefixed with the
/// parameter's name (`qty_above_100`).
fn labelled(name: &str, ordered: Vec<Candidate>) -> Vec<Candidate> {
    let prefix = label_prefix(name);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for mut c in ordered {
        if !seen.insert(c.expr.clone()) {
            continue;
        }
        c.label = if c.label.is_empty() {
            prefix.clone()
        } else {
            format!("{prefix}_{}", c.label)
        };
        out.push(c);
        if out.len() == MAX_PER_PARAM {
            break;
        }
    }
    out
}

fn label_prefix(name: &str) -> String {
    let trimmed = name.trim_start_matches('_');
    let slug = pysrc::slug(trimmed, 24);
    if slug.is_empty() {
        "arg".to_string()
    } else {
        slug
    }
}

/// A guess at an unannotated parameter's type from its default.
fn infer_from_default(default: Option<&str>) -> TypeExpr {
    let Some(d) = default.map(str::trim) else {
        return TypeExpr::Unknown;
    };
    let name = |n: &str| TypeExpr::Name(n.to_string());
    if d == "True" || d == "False" {
        name("bool")
    } else if parse_number(d).is_some_and(|n| matches!(n, Num::Int(_))) {
        name("int")
    } else if parse_number(d).is_some() {
        name("float")
    } else if pysrc::string_value(d).is_some() {
        name("str")
    } else if d.starts_with('[') {
        name("list")
    } else if d.starts_with('(') {
        name("tuple")
    } else if d.starts_with('{') {
        name("dict")
    } else {
        TypeExpr::Unknown
    }
}

/// A few keys of the module-level table `table` (a dict, a collection of
/// literals, or an enum looked up by member name), as a caller would write
/// them before `normaliser` (`upper`: in lower case).
fn table_keys(ctx: &Context, table: &str, normaliser: Option<&str>) -> Vec<Candidate> {
    let keys: Vec<String> = match ctx.owner.tables.get(table) {
        Some(keys) => keys.clone(),
        None => match ctx.owner.class(table).filter(|c| c.is_enum) {
            Some(class) => class.members.iter().map(|m| pysrc::string(m)).collect(),
            None => return Vec::new(),
        },
    };
    keys.iter()
        .take(3)
        .map(|key| {
            let expr = match (pysrc::string_value(key), normaliser) {
                (Some(text), Some("upper")) => pysrc::string(&text.to_lowercase()),
                _ => key.clone(),
            };
            let label = pysrc::string_value(&expr).unwrap_or_else(|| expr.clone());
            Candidate::new(expr, pysrc::slug(&label, 20)).mined()
        })
        .collect()
}

#[cfg(test)]
mod tests;
