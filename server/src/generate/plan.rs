//! How to call a target (a function, a method on an instance built from its
//! class's constructor, a property, a constructor, a dunder through its
//! operator), the values each of its parameters may take, and the bounded
//! set of calls that combine them.
//!
//! This file plans one target step by step; `combine` picks the calls to
//! probe and their arguments, `call` writes a call's source.

mod call;
mod combine;

use super::candidates::{self, Candidate, Context};
use super::mine;
use super::pysrc;
use super::resolve::{class_import, ModuleInfo, Workspace};
use super::types::last_segment;
use super::usage::{self, Usage};
use crate::python::{Class, Comparison, Function, Module, Param, ParamKind};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

pub use combine::{args_for, combinations};

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
    let decorators: Vec<&str> = f.decorators.iter().map(|d| last_segment(&d.name)).collect();
    not_a_target(f, &decorators)?;
    let ctx = Context {
        ws,
        owner: info.clone(),
    };
    let mut evidence = Evidence {
        own: mine::comparisons(tree.root_node(), src, f),
        own_usage: usage::usages(tree.root_node(), src, f),
        ctor: Vec::new(),
        ctor_usage: BTreeMap::new(),
    };
    let mut plan = TargetPlan {
        qualname: f.qualname.clone(),
        name: f.name.clone(),
        stem: String::new(),
        form: Form::Function,
        wrap: wrap_of(f),
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
        plan.dims = evidence.own_dims(&ctx, &f.params);
        return Ok(plan);
    };
    let Some(class) = info.class(class_qual) else {
        return Err(format!("defined inside `{class_qual}`, which is not a class"));
    };
    let (import, class_src) = class_import(info, class_qual);
    plan.imports.insert(import);
    plan.class_src = Some(class_src.clone());
    let on = OnClass {
        class,
        qual: class_qual,
        src: class_src,
        stem: pysrc::snake_case(&class.name),
    };
    let method_stem = pysrc::slug(f.name.trim_matches('_'), 30);
    plan.stem = if method_stem.is_empty() {
        on.stem.clone()
    } else {
        format!("{}_{method_stem}", on.stem)
    };
    let is_static = decorators.contains(&"staticmethod");
    plan.form = form_of(f, &decorators, is_static);
    if plan.form == Form::Dunder(Dunder::Iter) {
        plan.wrap = Wrap::None;
    }
    let own_params: &[Param] = if is_static {
        &f.params
    } else {
        f.params.get(1..).unwrap_or(&[])
    };
    evidence.add_constructor(module, tree, src, f, class_qual);
    add_method_dims(&ctx, &mut plan, f, &on, own_params, &evidence)?;
    Ok(plan)
}

/// The dimensions of a method's call, by its form: the constructor's
/// parameters, the method's own, or both (the instance's first).
fn add_method_dims(
    ctx: &Context,
    plan: &mut TargetPlan,
    f: &Function,
    on: &OnClass,
    own_params: &[Param],
    evidence: &Evidence,
) -> Result<(), String> {
    let class = on.class;
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
            plan.dims = evidence.ctor_dims(ctx, &init_params);
            plan.stem = format!("{}_init", on.stem);
        }
        Form::ClassLevel => {
            plan.dims = evidence.own_dims(ctx, own_params);
        }
        _ => {
            plan.var = Some(instance_var(on, own_params));
            plan.dims = instance_dims(ctx, on, &init_params, evidence)?;
            plan.ctor_dims = plan.dims.len();
            let mut own_dims = evidence.own_dims(ctx, own_params);
            // `other` of a special method is most often another instance.
            if f.name.starts_with("__") {
                other_is_an_instance(ctx, on, own_params, &mut own_dims);
            }
            plan.dims.extend(own_dims);
        }
    }
    Ok(())
}

/// Why `f` is not a target on its own, if it is not.
fn not_a_target(f: &Function, decorators: &[&str]) -> Result<(), String> {
    if let Some(parent) = &f.parent_function {
        return Err(format!("a nested function: tested through `{parent}`"));
    }
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
    Ok(())
}

fn wrap_of(f: &Function) -> Wrap {
    if f.is_async {
        Wrap::Async
    } else if f.is_generator {
        Wrap::Generator
    } else {
        Wrap::None
    }
}

/// How a method of a class is called, from its decorators and its name.
fn form_of(f: &Function, decorators: &[&str], is_static: bool) -> Form {
    let is_classmethod = decorators.contains(&"classmethod");
    // `property`, `cached_property`, and the look-alikes libraries define
    // (`instanceproperty`, `lazy_property`).
    let is_property = decorators.iter().any(|d| d.ends_with("property"));
    if is_static || is_classmethod {
        return Form::ClassLevel;
    }
    if is_property {
        return Form::Property;
    }
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
}

/// The class a method belongs to, as a test reaches it.
struct OnClass<'a> {
    class: &'a Class,
    /// Its qualified name in the module.
    qual: &'a str,
    /// Its source in the test: `Cart`.
    src: String,
    /// `cart`: stem of test names and of the instance's variable.
    stem: String,
}

/// What the bodies say about the parameters: the comparisons and uses in
/// the target, and in its class's constructor (with `self.` dropped).
struct Evidence {
    own: Vec<Comparison>,
    own_usage: BTreeMap<String, Usage>,
    ctor: Vec<Comparison>,
    ctor_usage: BTreeMap<String, Usage>,
}

impl Evidence {
    /// What the constructor and its validation compare: `qty` in
    /// `__init__`, `self.qty` in `__post_init__` and in the target `f`.
    fn add_constructor(&mut self, module: &Module, tree: &tree_sitter::Tree, src: &[u8], f: &Function, class: &str) {
        for hook in ["__init__", "__post_init__"] {
            let qual = format!("{class}.{hook}");
            if let Some(h) = module.functions.iter().find(|g| g.qualname == qual) {
                if hook == "__init__" {
                    self.ctor_usage = usage::usages(tree.root_node(), src, h);
                }
                let mined = mine::comparisons(tree.root_node(), src, h);
                let receiver = receiver_name(h);
                self.ctor.extend(mined.into_iter().map(|mut c| {
                    if let Some(field) = c.param.strip_prefix(&format!("{receiver}.")) {
                        c.param = field.to_string();
                    }
                    c
                }));
            }
        }
        let receiver_field = format!("{}.", receiver_name(f));
        for c in &self.own {
            if let Some(field) = c.param.strip_prefix(&receiver_field) {
                let mut c = c.clone();
                c.param = field.to_string();
                self.ctor.push(c);
            }
        }
    }

    fn own_dims(&self, ctx: &Context, params: &[Param]) -> Vec<Dim> {
        dims_for(ctx, params, |p| comparisons_on(&self.own, p), &self.own_usage)
    }

    fn ctor_dims(&self, ctx: &Context, params: &[Param]) -> Vec<Dim> {
        dims_for(ctx, params, |p| comparisons_on(&self.ctor, p), &self.ctor_usage)
    }
}

/// The instance's variable: the class's stem, unless that would hide a
/// name the test needs.
fn instance_var(on: &OnClass, own_params: &[Param]) -> String {
    let mut var = on.stem.clone();
    // `juxt = juxt(...)` would make the class a local name the
    // constructor call cannot read.
    if own_params.iter().any(|p| p.name == var) || pysrc::is_keyword(&var) || var == on.src || var == on.class.name {
        var.push_str("_obj");
    }
    var
}

/// The dimensions that build the instance: an enum's members, else the
/// constructor's parameters.
fn instance_dims(ctx: &Context, on: &OnClass, init_params: &[Param], evidence: &Evidence) -> Result<Vec<Dim>, String> {
    let class = on.class;
    if class.is_enum {
        let members: Vec<Candidate> = class.members.iter().take(8).map(|m| enum_member(&on.src, m)).collect();
        if members.is_empty() {
            return Err(format!("`{}` has no members to call it on", class.name));
        }
        return Ok(vec![Dim {
            param: "member".to_string(),
            kind: ParamKind::Regular,
            values: members,
            optional: false,
        }]);
    }
    if candidates::is_abstract(class) {
        return Err(format!(
            "`{}` is abstract (a Protocol or ABC): no instance to call it on",
            class.name
        ));
    }
    Ok(evidence.ctor_dims(ctx, init_params))
}

/// An `other` the annotation says nothing about gets instances of the
/// class first: another member for an enum (the first two, so one
/// differs), else one built from the constructor.
fn other_is_an_instance(ctx: &Context, on: &OnClass, own_params: &[Param], own_dims: &mut [Dim]) {
    for (dim, p) in own_dims.iter_mut().zip(own_params) {
        let says_nothing = p
            .annotation
            .as_deref()
            .is_none_or(|a| matches!(last_segment(a), "Any" | "object"));
        if p.name != "other" || !says_nothing {
            continue;
        }
        if on.class.is_enum {
            for (i, m) in on.class.members.iter().take(2).enumerate() {
                dim.values.insert(i, enum_member(&on.src, m));
            }
        } else if let Some(c) = candidates::instance_of(ctx, on.qual) {
            dim.values.insert(0, c);
        }
    }
}

/// `Color.RED`, as a mined value.
fn enum_member(class_src: &str, member: &str) -> Candidate {
    Candidate {
        expr: format!("{class_src}.{member}"),
        label: pysrc::slug(member, 20),
        imports: BTreeSet::new(),
        setup: Vec::new(),
        tmp_path: false,
        mutable: false,
        mined: true,
    }
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

#[cfg(test)]
pub(crate) mod tests;
