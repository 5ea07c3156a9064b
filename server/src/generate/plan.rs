//! How to call a target (a function, a method on an instance built from its
//! class's constructor, a property, a constructor, a dunder through its
//! operator), the values each of its parameters may take, and the bounded
//! set of calls that combine them.

use super::candidates::{self, Candidate, Context};
use super::mine;
use super::pysrc;
use super::resolve::{class_import, ModuleInfo, Workspace};
use super::types::last_segment;
use super::usage::{self, Usage};
use crate::python::{Comparison, Function, Param, ParamKind};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// How the target is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `name(args)`.
    Function,
    /// `var.name(args)` on an instance built first.
    Method,
    /// `Class.name(args)`: classmethods and staticmethods.
    ClassLevel,
    /// `var.name`.
    Property,
    /// `Class(args)`: `__init__`, `__post_init__`, `__new__`.
    Constructor,
    /// A special method through its operator or builtin.
    Dunder(Dunder),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dunder {
    Len,
    Iter,
    Contains,
    Str,
    Repr,
    Bool,
    GetItem,
    Call,
    Hash,
    /// A binary operator: `+`, `==`, `<<`, … (the operator's source).
    Binary(&'static str),
}

/// The operator behind a binary special method.
fn binary_operator(name: &str) -> Option<&'static str> {
    Some(match name {
        "__eq__" => "==",
        "__ne__" => "!=",
        "__lt__" => "<",
        "__le__" => "<=",
        "__gt__" => ">",
        "__ge__" => ">=",
        "__add__" => "+",
        "__sub__" => "-",
        "__mul__" => "*",
        "__matmul__" => "@",
        "__truediv__" => "/",
        "__floordiv__" => "//",
        "__mod__" => "%",
        "__pow__" => "**",
        "__and__" => "&",
        "__or__" => "|",
        "__xor__" => "^",
        "__lshift__" => "<<",
        "__rshift__" => ">>",
        _ => return None,
    })
}

/// How the call's result is consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    None,
    /// `list(itertools.islice(call, GENERATOR_BOUND + 1))`.
    Generator,
    /// `asyncio.run(call)`.
    Async,
}

/// Items taken from a generator, plus one to tell whether it ended.
pub const GENERATOR_BOUND: usize = 50;

/// One parameter (of the target or of its class's constructor) and its values.
#[derive(Debug, Clone)]
pub struct Dim {
    pub param: String,
    pub kind: ParamKind,
    pub values: Vec<Candidate>,
    /// Has a default: omitted in the baseline call.
    pub optional: bool,
}

/// Everything needed to call one target.
#[derive(Debug, Clone)]
pub struct TargetPlan {
    pub qualname: String,
    /// The function's own name.
    pub name: String,
    /// Stem of test names: `bulk_discount`, `cart_add`.
    pub stem: String,
    pub form: Form,
    pub wrap: Wrap,
    /// `Cart`, for anything on a class.
    pub class_src: Option<String>,
    /// The instance's variable, for forms that need one.
    pub var: Option<String>,
    /// Import lines that bring the target (or its class) into scope.
    pub imports: BTreeSet<String>,
    /// Constructor dimensions first (`ctor_dims` of them), then the target's.
    pub dims: Vec<Dim>,
    pub ctor_dims: usize,
    /// Lines traced by the probe: the definition with its decorators.
    pub first_line: u32,
    pub last_line: u32,
}

/// One argument of a call: which dimension, passed how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub dim: usize,
    /// `Some(name)` for `name=value`.
    pub keyword: Option<String>,
}

/// Picks one value index per dimension (`None`: left to its default).
pub type Picks = Vec<Option<usize>>;

/// Plans how to call `module.functions[index]`; `Err` says why it is not a
/// target on its own.
pub fn plan_target(
    ws: &Workspace,
    info: &Rc<ModuleInfo>,
    tree: &tree_sitter::Tree,
    src: &[u8],
    index: usize,
) -> Result<TargetPlan, String> {
    let module = &info.model;
    let f = &module.functions[index];
    if let Some(parent) = &f.parent_function {
        return Err(format!("a nested function: tested through `{parent}`"));
    }
    let decorators: Vec<&str> = f.decorators.iter().map(|d| last_segment(&d.name)).collect();
    if decorators.iter().any(|d| matches!(*d, "overload" | "abstractmethod")) {
        return Err("abstract or an overload: nothing to run".to_string());
    }
    if decorators.iter().any(|d| matches!(*d, "setter" | "deleter")) {
        return Err("a property setter: tested through its property".to_string());
    }
    if decorators.contains(&"fixture") {
        return Err("a pytest fixture".to_string());
    }
    if f.is_async && f.is_generator {
        return Err("an async generator: not supported yet".to_string());
    }
    let ctx = Context {
        ws,
        owner: info.clone(),
    };
    let own = mine::comparisons(tree.root_node(), src, f);
    let own_usage = usage::usages(tree.root_node(), src, f);
    let wrap = if f.is_async {
        Wrap::Async
    } else if f.is_generator {
        Wrap::Generator
    } else {
        Wrap::None
    };
    let mut plan = TargetPlan {
        qualname: f.qualname.clone(),
        name: f.name.clone(),
        stem: String::new(),
        form: Form::Function,
        wrap,
        class_src: None,
        var: None,
        imports: BTreeSet::new(),
        dims: Vec::new(),
        ctor_dims: 0,
        first_line: f.start_line,
        last_line: f.body.end,
    };
    let Some((class_qual, _)) = f.qualname.rsplit_once('.') else {
        plan.stem = pysrc::slug(&f.name, 40);
        plan.imports.insert(format!("from {} import {}", info.name, f.name));
        plan.dims = dims_for(&ctx, &f.params, |p| comparisons_on(&own, p), &own_usage);
        return Ok(plan);
    };
    let Some(class) = info.class(class_qual) else {
        return Err(format!("defined inside `{class_qual}`, which is not a class"));
    };
    let (import, class_src) = class_import(info, class_qual);
    plan.imports.insert(import);
    plan.class_src = Some(class_src.clone());
    let class_stem = pysrc::snake_case(&class.name);
    let method_stem = pysrc::slug(f.name.trim_matches('_'), 30);
    plan.stem = if method_stem.is_empty() {
        class_stem.clone()
    } else {
        format!("{class_stem}_{method_stem}")
    };
    let is_static = decorators.contains(&"staticmethod");
    let is_classmethod = decorators.contains(&"classmethod");
    // `property`, `cached_property`, and the look-alikes libraries define
    // (`instanceproperty`, `lazy_property`).
    let is_property = decorators.iter().any(|d| d.ends_with("property"));
    plan.form = if is_static || is_classmethod {
        Form::ClassLevel
    } else if is_property {
        Form::Property
    } else {
        match f.name.as_str() {
            "__init__" | "__post_init__" | "__new__" => Form::Constructor,
            "__len__" => Form::Dunder(Dunder::Len),
            "__iter__" => Form::Dunder(Dunder::Iter),
            "__contains__" => Form::Dunder(Dunder::Contains),
            "__str__" => Form::Dunder(Dunder::Str),
            "__repr__" => Form::Dunder(Dunder::Repr),
            "__bool__" => Form::Dunder(Dunder::Bool),
            "__getitem__" => Form::Dunder(Dunder::GetItem),
            "__call__" => Form::Dunder(Dunder::Call),
            "__hash__" => Form::Dunder(Dunder::Hash),
            name => match binary_operator(name) {
                Some(op) if own_param_count(f, is_static) == 1 => Form::Dunder(Dunder::Binary(op)),
                _ => Form::Method,
            },
        }
    };
    if plan.form == Form::Dunder(Dunder::Iter) {
        plan.wrap = Wrap::None;
    }
    let own_params: &[Param] = if is_static {
        &f.params
    } else {
        f.params.get(1..).unwrap_or(&[])
    };
    // What the constructor and its validation compare: `qty` in
    // `__init__`, `self.qty` in `__post_init__` and in the target.
    let receiver_field = |p: &str| format!("{}.{p}", receiver_name(f));
    let mut ctor_comparisons: Vec<Comparison> = Vec::new();
    let mut ctor_usage: BTreeMap<String, Usage> = BTreeMap::new();
    for hook in ["__init__", "__post_init__"] {
        let qual = format!("{class_qual}.{hook}");
        if let Some(h) = module.functions.iter().find(|g| g.qualname == qual) {
            if hook == "__init__" {
                ctor_usage = usage::usages(tree.root_node(), src, h);
            }
            let mined = mine::comparisons(tree.root_node(), src, h);
            let receiver = receiver_name(h);
            ctor_comparisons.extend(mined.into_iter().map(|mut c| {
                if let Some(field) = c.param.strip_prefix(&format!("{receiver}.")) {
                    c.param = field.to_string();
                }
                c
            }));
        }
    }
    for c in &own {
        if let Some(field) = c.param.strip_prefix(&receiver_field("")) {
            let mut c = c.clone();
            c.param = field.to_string();
            ctor_comparisons.push(c);
        }
    }
    let init_params: Vec<Param> = class
        .init_params
        .iter()
        .filter(|p| !matches!(p.kind, ParamKind::VarKeyword | ParamKind::VarPositional))
        .cloned()
        .collect();
    match plan.form {
        Form::Constructor if candidates::is_abstract(class) => {
            return Err(format!(
                "`{}` is abstract (a Protocol or ABC): tested through its subclasses",
                class.name
            ));
        }
        Form::Constructor => {
            plan.dims = dims_for(
                &ctx,
                &init_params,
                |p| comparisons_on(&ctor_comparisons, p),
                &ctor_usage,
            );
            plan.stem = format!("{class_stem}_init");
        }
        Form::ClassLevel => {
            plan.dims = dims_for(&ctx, own_params, |p| comparisons_on(&own, p), &own_usage);
        }
        _ => {
            let mut var = class_stem.clone();
            // `juxt = juxt(...)` would make the class a local name the
            // constructor call cannot read.
            if own_params.iter().any(|p| p.name == var)
                || pysrc::is_keyword(&var)
                || var == class_src
                || var == class.name
            {
                var.push_str("_obj");
            }
            plan.var = Some(var);
            if class.is_enum {
                let members: Vec<Candidate> = class
                    .members
                    .iter()
                    .take(8)
                    .map(|m| Candidate {
                        expr: format!("{class_src}.{m}"),
                        label: pysrc::slug(m, 20),
                        imports: BTreeSet::new(),
                        setup: Vec::new(),
                        tmp_path: false,
                        mutable: false,
                        mined: true,
                    })
                    .collect();
                if members.is_empty() {
                    return Err(format!("`{}` has no members to call it on", class.name));
                }
                plan.dims.push(Dim {
                    param: "member".to_string(),
                    kind: ParamKind::Regular,
                    values: members,
                    optional: false,
                });
            } else {
                if candidates::is_abstract(class) {
                    return Err(format!(
                        "`{}` is abstract (a Protocol or ABC): no instance to call it on",
                        class.name
                    ));
                }
                plan.dims = dims_for(
                    &ctx,
                    &init_params,
                    |p| comparisons_on(&ctor_comparisons, p),
                    &ctor_usage,
                );
            }
            plan.ctor_dims = plan.dims.len();
            let mut own_dims = dims_for(&ctx, own_params, |p| comparisons_on(&own, p), &own_usage);
            // `other` of a special method is most often another instance.
            if f.name.starts_with("__") {
                for (dim, p) in own_dims.iter_mut().zip(own_params) {
                    let says_nothing = p
                        .annotation
                        .as_deref()
                        .is_none_or(|a| matches!(last_segment(a), "Any" | "object"));
                    if p.name != "other" || !says_nothing {
                        continue;
                    }
                    if class.is_enum {
                        // Another member: the first two, so one differs.
                        for (i, m) in class.members.iter().take(2).enumerate() {
                            let member = Candidate {
                                expr: format!("{class_src}.{m}"),
                                label: pysrc::slug(m, 20),
                                imports: BTreeSet::new(),
                                setup: Vec::new(),
                                tmp_path: false,
                                mutable: false,
                                mined: true,
                            };
                            dim.values.insert(i, member);
                        }
                    } else if let Some(c) = candidates::instance_of(&ctx, class_qual) {
                        dim.values.insert(0, c);
                    }
                }
            }
            plan.dims.extend(own_dims);
        }
    }
    Ok(plan)
}

/// Parameters a caller passes (not `self`, not `*args`/`**kwargs`).
fn own_param_count(f: &Function, is_static: bool) -> usize {
    f.params
        .iter()
        .skip(usize::from(!is_static))
        .filter(|p| matches!(p.kind, ParamKind::Regular | ParamKind::PositionalOnly))
        .count()
}

fn receiver_name(f: &Function) -> String {
    f.params
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "self".to_string())
}

fn comparisons_on<'c>(all: &'c [Comparison], param: &str) -> Vec<&'c Comparison> {
    all.iter().filter(|c| c.param == param).collect()
}

fn dims_for<'c>(
    ctx: &Context,
    params: &[Param],
    comparisons: impl Fn(&str) -> Vec<&'c Comparison>,
    usage: &BTreeMap<String, Usage>,
) -> Vec<Dim> {
    params
        .iter()
        .filter(|p| p.kind != ParamKind::VarKeyword)
        .map(|p| {
            let mut values = candidates::for_param_with(ctx, p, &comparisons(&p.name), usage.get(&p.name));
            if values.is_empty() && p.default.is_none() && p.kind != ParamKind::VarPositional {
                // Nothing known about it: None still reaches the first check.
                values.push(Candidate {
                    expr: "None".to_string(),
                    label: format!("{}_none", pysrc::slug(&p.name, 24)),
                    imports: BTreeSet::new(),
                    setup: Vec::new(),
                    tmp_path: false,
                    mutable: false,
                    mined: false,
                });
            }
            Dim {
                param: p.name.clone(),
                kind: p.kind,
                optional: p.default.is_some() || p.kind == ParamKind::VarPositional,
                values,
            }
        })
        .collect()
}

/// The calls to probe: the baseline (typical values, defaults left out),
/// then one parameter varied at a time, then pairs of mined and boolean
/// values; at most `cap`, without repeats.
pub fn combinations(dims: &[Dim], cap: usize) -> Vec<Picks> {
    let baseline: Picks = dims
        .iter()
        .map(|d| {
            if d.optional || d.values.is_empty() {
                None
            } else {
                Some(0)
            }
        })
        .collect();
    let mut out: Vec<Picks> = Vec::new();
    let push = |picks: Picks, out: &mut Vec<Picks>| {
        let picks = normalize(dims, picks);
        if out.len() < cap && !out.contains(&picks) {
            out.push(picks);
        }
    };
    push(baseline.clone(), &mut out);
    for (d, dim) in dims.iter().enumerate() {
        for v in 0..dim.values.len() {
            if baseline[d] == Some(v) {
                continue;
            }
            let mut picks = baseline.clone();
            picks[d] = Some(v);
            push(picks, &mut out);
        }
    }
    let interesting = |dim: &Dim| -> Vec<usize> {
        dim.values
            .iter()
            .enumerate()
            .filter(|(_, c)| c.mined || c.expr == "True" || c.expr == "False")
            .map(|(i, _)| i)
            .collect()
    };
    for a in 0..dims.len() {
        for b in a + 1..dims.len() {
            for &va in &interesting(&dims[a]) {
                for &vb in &interesting(&dims[b]) {
                    let mut picks = baseline.clone();
                    picks[a] = Some(va);
                    picks[b] = Some(vb);
                    push(picks, &mut out);
                }
            }
        }
    }
    // While the cap allows: each mined value with every other value of
    // another parameter (`unit="ms"` matters only for a small `value`).
    for a in 0..dims.len() {
        for b in 0..dims.len() {
            if a == b {
                continue;
            }
            for &va in &interesting(&dims[a]) {
                for vb in 0..dims[b].values.len() {
                    if is_magnitude(&dims[b].values[vb].expr) {
                        continue;
                    }
                    let mut picks = baseline.clone();
                    picks[a] = Some(va);
                    picks[b] = Some(vb);
                    push(picks, &mut out);
                }
            }
        }
    }
    out
}

/// A value there only for its size (`1234567`, `float("inf")`): slow to
/// combine with everything, and seldom telling in combination.
fn is_magnitude(expr: &str) -> bool {
    expr.contains("inf") || expr.parse::<f64>().is_ok_and(|v| v.abs() >= 1000.0)
}

/// Makes picks callable: a value for `*args` or a positional-only parameter
/// needs every positional parameter before it.
fn normalize(dims: &[Dim], mut picks: Picks) -> Picks {
    for i in 0..dims.len() {
        let positional_needed =
            picks[i].is_some() && matches!(dims[i].kind, ParamKind::VarPositional | ParamKind::PositionalOnly);
        if positional_needed {
            for j in 0..i {
                if matches!(dims[j].kind, ParamKind::Regular | ParamKind::PositionalOnly)
                    && picks[j].is_none()
                    && !dims[j].values.is_empty()
                {
                    picks[j] = Some(0);
                }
            }
        }
    }
    picks
}

/// The arguments for `dims[range]` under `picks`: positional while nothing
/// before was left out, keywords after.
pub fn args_for(dims: &[Dim], range: std::ops::Range<usize>, picks: &Picks) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut positional = true;
    for d in range {
        let dim = &dims[d];
        if picks[d].is_none() {
            if matches!(dim.kind, ParamKind::Regular | ParamKind::PositionalOnly) {
                positional = false;
            }
            continue;
        }
        let keyword = match dim.kind {
            ParamKind::KeywordOnly => true,
            ParamKind::Regular => !positional,
            _ => false,
        };
        out.push(Arg {
            dim: d,
            keyword: keyword.then(|| dim.param.clone()),
        });
    }
    out
}

impl TargetPlan {
    /// The constructor call for the instance (`Cart(Currency.USD)`), given
    /// the constructor arguments' source.
    pub fn instance_expr(&self, ctor_args: &[String]) -> Option<String> {
        let class = self.class_src.as_ref()?;
        if self.form == Form::Constructor || self.var.is_none() {
            return None;
        }
        if self.dims.first().is_some_and(|d| d.param == "member") && self.ctor_dims == 1 {
            // An enum member is its own instance.
            return ctor_args.first().cloned();
        }
        Some(format!("{class}({})", ctor_args.join(", ")))
    }

    /// The call expression, given the target's arguments' source (each
    /// `value` or `name=value`), wrapped for async functions and generators.
    pub fn call_expr(&self, args: &[String]) -> String {
        self.call_text(args, true)
    }

    /// Whether results are consumed from an iterator (and so may be bounded).
    pub fn consumes_iterator(&self) -> bool {
        self.wrap == Wrap::Generator || self.form == Form::Dunder(Dunder::Iter)
    }

    /// The call expression; `bounded: false` consumes a generator whole
    /// (for one the probe saw end within the bound).
    pub fn call_text(&self, args: &[String], bounded: bool) -> String {
        let joined = args.join(", ");
        let consume = |inner: String| {
            if bounded {
                format!("list(itertools.islice({inner}, {}))", GENERATOR_BOUND + 1)
            } else {
                format!("list({inner})")
            }
        };
        let var = self.var.as_deref().unwrap_or("obj");
        let class = self.class_src.as_deref().unwrap_or("");
        let call = match &self.form {
            Form::Function => format!("{}({joined})", self.name),
            Form::Method => format!("{var}.{}({joined})", self.name),
            Form::ClassLevel => format!("{class}.{}({joined})", self.name),
            Form::Property => format!("{var}.{}", self.name),
            Form::Constructor => format!("{class}({joined})"),
            Form::Dunder(d) => match d {
                Dunder::Len => format!("len({var})"),
                Dunder::Iter => consume(var.to_string()),
                // Parenthesised: `assert (x in c) is True`, never a chain.
                Dunder::Contains => format!("({} in {var})", args.first().map_or("None", |a| a)),
                Dunder::Str => format!("str({var})"),
                Dunder::Repr => format!("repr({var})"),
                Dunder::Bool => format!("bool({var})"),
                Dunder::Hash => format!("hash({var})"),
                Dunder::Binary(op) => {
                    format!("({var} {op} {})", args.first().map_or("None", |a| a))
                }
                Dunder::GetItem => format!("{var}[{}]", args.first().map_or("None", |a| a)),
                Dunder::Call => format!("{var}({joined})"),
            },
        };
        match self.wrap {
            Wrap::None => call,
            Wrap::Generator => consume(call),
            Wrap::Async => format!("asyncio.run({call})"),
        }
    }

    /// The call expression for a case whose record says the call returned
    /// an iterator the probe consumed (`consumed`): its items are taken the
    /// same way a generator's are.
    pub fn call_text_for(&self, args: &[String], bounded: bool, consumed: bool) -> String {
        let call = self.call_text(args, bounded);
        if !consumed || self.consumes_iterator() {
            call
        } else if bounded {
            format!("list(itertools.islice({call}, {}))", GENERATOR_BOUND + 1)
        } else {
            format!("list({call})")
        }
    }

    /// Imports the call's wrapping needs (when bounded, for iterators).
    pub fn wrap_imports(&self) -> Vec<&'static str> {
        if self.consumes_iterator() {
            vec!["import itertools"]
        } else if self.wrap == Wrap::Async {
            vec!["import asyncio"]
        } else {
            Vec::new()
        }
    }

    /// Who the test is about, for messages: `Cart.add`.
    pub fn display(&self) -> &str {
        &self.qualname
    }
}

#[cfg(test)]
pub(crate) mod tests;
