//! Values from a type: an annotation, a known library type, a project
//! class built from its constructor, an enum's members, an alias.

use super::hints::Hint;
use super::values::{
    binary_streams, bools, callables, dicts, directories, floats, ints, lists, named_bytes, paths, sequences, strings,
    text_streams, unknown,
};
use super::{boundaries::literal_candidate, Candidate, Context};
use crate::generate::pysrc;
use crate::generate::resolve::{class_import, KnownType, ModuleInfo, Resolved};
use crate::generate::types::{last_segment, TypeExpr};
use crate::python::{Class, ParamKind};
use std::rc::Rc;

/// Classes built from their constructors nest at most this deep.
const MAX_DEPTH: usize = 2;

/// Values of type `ty`, typical first; `depth` bounds nesting (classes built
/// from their constructors, aliases, generic arguments).
pub(super) fn of_type(ctx: &Context, ty: &TypeExpr, hint: Hint, depth: usize) -> Vec<Candidate> {
    match ty {
        TypeExpr::None => vec![Candidate::new("None", "none")],
        TypeExpr::Literal(items) => items.iter().filter_map(|src| literal_candidate(src)).collect(),
        TypeExpr::Union(members) => {
            let mut out: Vec<Candidate> = Vec::new();
            let per: Vec<Vec<Candidate>> = members
                .iter()
                .filter(|m| !matches!(m, TypeExpr::None))
                .map(|m| of_type(ctx, m, hint, depth))
                .collect();
            // Interleave, so every member is represented within the cap.
            let longest = per.iter().map(Vec::len).max().unwrap_or(0);
            for i in 0..longest {
                for values in &per {
                    if let Some(v) = values.get(i) {
                        out.push(v.clone());
                    }
                }
            }
            // `float | str` usually means a number written as text, too.
            let named = |names: &[&str]| {
                members
                    .iter()
                    .any(|m| matches!(m, TypeExpr::Name(n) if names.contains(&last_segment(n))))
            };
            if named(&["str"]) && named(&["int", "float", "Decimal"]) {
                out.insert(out.len().min(3), Candidate::new("\"1234.5\"", "numeric_text"));
            }
            out
        }
        TypeExpr::Name(name) => named(ctx, name, hint, depth),
        TypeExpr::Generic(name, args) => generic(ctx, name, args, hint, depth),
        TypeExpr::List(_) | TypeExpr::Ellipsis | TypeExpr::Unknown => unknown(hint),
    }
}

/// Values of a type named without arguments: a builtin, a known library
/// type, a project class or an alias.
fn named(ctx: &Context, name: &str, hint: Hint, depth: usize) -> Vec<Candidate> {
    match last_segment(name) {
        "int" => return ints(hint),
        "float" => return floats(),
        "complex" => return vec![Candidate::new("(1+2j)", "complex")],
        "str" => {
            return match hint {
                Hint::FilePath => [paths(true), strings(Hint::Name)].concat(),
                Hint::Directory => directories(true),
                _ => strings(hint),
            }
        }
        "bytes" | "bytearray" => return named_bytes(),
        "bool" => return bools(),
        "Any" | "object" => return unknown(hint),
        "list" | "Sequence" | "MutableSequence" | "Collection" | "Iterable" => {
            return lists(&ints(Hint::Count), "list")
        }
        "tuple" => return sequences(&ints(Hint::Count), "(", ")", "()"),
        "set" | "AbstractSet" | "MutableSet" => return sequences(&ints(Hint::Count), "{", "}", "set()"),
        "frozenset" => {
            return vec![
                Candidate::new("frozenset({1, 2})", "two"),
                Candidate::new("frozenset()", "empty"),
            ]
        }
        "dict" | "Mapping" | "MutableMapping" => return dicts(&strings(Hint::Name), &ints(Hint::Count)),
        "Callable" => return callables(),
        "Iterator" | "Generator" => return vec![Candidate::new("iter([1, 2])", "iterator")],
        "Integral" => return ints(hint),
        "Number" | "Real" => return [ints(hint), floats()].concat(),
        _ => {}
    }
    match ctx.ws.resolve(&ctx.owner, name) {
        Resolved::Known(known) => known_values(known, hint),
        Resolved::Class { owner, qualname } => class_values(ctx, &owner, &qualname, depth),
        Resolved::Unknown => match ctx.owner.aliases.get(name) {
            // A type alias: what it stands for (not recursively forever).
            Some(text) if depth <= MAX_DEPTH => of_type(ctx, &TypeExpr::parse(text), hint, depth + 1),
            _ => Vec::new(),
        },
    }
}

/// Values of `name[args]`: collections built from their elements' values.
fn generic(ctx: &Context, name: &str, args: &[TypeExpr], hint: Hint, depth: usize) -> Vec<Candidate> {
    let elem = |i: usize| -> Vec<Candidate> {
        match args.get(i) {
            Some(t) if depth < MAX_DEPTH + 1 => {
                let v = of_type(ctx, t, Hint::None, depth + 1);
                if v.is_empty() {
                    ints(Hint::Count)
                } else {
                    v
                }
            }
            _ => ints(Hint::Count),
        }
    };
    match last_segment(name) {
        "list" | "Sequence" | "MutableSequence" | "Collection" | "Iterable" | "Reversible" => lists(&elem(0), "list"),
        "tuple" => {
            if args.len() == 2 && args[1] == TypeExpr::Ellipsis || args.len() == 1 {
                sequences(&elem(0), "(", ")", "()")
            } else {
                let parts: Vec<Candidate> = (0..args.len()).filter_map(|i| elem(i).into_iter().next()).collect();
                if parts.len() != args.len() || parts.is_empty() {
                    return Vec::new();
                }
                let inner: Vec<&str> = parts.iter().map(|c| c.expr.as_str()).collect();
                let comma = if parts.len() == 1 { "," } else { "" };
                vec![Candidate::new(format!("({}{comma})", inner.join(", ")), "tuple").absorb(parts.iter())]
            }
        }
        "set" | "AbstractSet" | "MutableSet" => sequences(&elem(0), "{", "}", "set()"),
        "frozenset" => {
            let mut out = sequences(&elem(0), "frozenset({", "})", "frozenset()");
            for c in &mut out {
                c.mutable = false;
            }
            out
        }
        "dict" | "Mapping" | "MutableMapping" => dicts(&elem(0), &elem(1)),
        "Iterator" | "Generator" => {
            let elems = elem(0);
            let first: Vec<&Candidate> = elems.iter().take(2).collect();
            let inner: Vec<&str> = first.iter().map(|c| c.expr.as_str()).collect();
            vec![Candidate::new(format!("iter([{}])", inner.join(", ")), "iterator").absorb(first.iter().copied())]
        }
        "Callable" => callables(),
        "type" => match args.first() {
            Some(TypeExpr::Name(n)) => match ctx.ws.resolve(&ctx.owner, n) {
                Resolved::Class { owner, qualname } => {
                    let (line, src) = class_import(&owner, &qualname);
                    vec![Candidate::new(src, "class").import(&line)]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        "IO" => match args.first() {
            Some(TypeExpr::Name(n)) if n == "bytes" => binary_streams(),
            _ => text_streams(),
        },
        _ => named(ctx, name, hint, depth),
    }
}

/// Values of a type from the standard library testgap knows.
fn known_values(known: KnownType, hint: Hint) -> Vec<Candidate> {
    let decimal = "from decimal import Decimal";
    let datetime = "import datetime";
    match known {
        KnownType::Decimal => vec![
            Candidate::new("Decimal(\"1.50\")", "1_50").import(decimal),
            Candidate::new("Decimal(\"0\")", "zero").import(decimal),
            Candidate::new("Decimal(\"-1\")", "negative").import(decimal),
            Candidate::new("Decimal(\"100\")", "100").import(decimal),
        ],
        KnownType::Fraction => vec![
            Candidate::new("Fraction(1, 2)", "half").import("from fractions import Fraction"),
            Candidate::new("Fraction(0)", "zero").import("from fractions import Fraction"),
        ],
        KnownType::Date => vec![
            Candidate::new("datetime.date(2024, 1, 31)", "date").import(datetime),
            Candidate::new("datetime.date(2000, 2, 29)", "leap_day").import(datetime),
        ],
        KnownType::DateTime => vec![
            Candidate::new("datetime.datetime(2024, 1, 31, 12, 30)", "datetime").import(datetime),
            Candidate::new(
                "datetime.datetime(2024, 1, 31, 12, 30, tzinfo=datetime.timezone.utc)",
                "utc",
            )
            .import(datetime),
        ],
        KnownType::Time => vec![Candidate::new("datetime.time(12, 30)", "time").import(datetime)],
        KnownType::TimeDelta => vec![
            Candidate::new("datetime.timedelta(minutes=5)", "five_minutes").import(datetime),
            Candidate::new("datetime.timedelta(0)", "zero").import(datetime),
            Candidate::new("datetime.timedelta(days=-1)", "negative").import(datetime),
            // Each unit of time once: seconds, hours, days, months, years.
            Candidate::new("datetime.timedelta(seconds=1)", "one_second").import(datetime),
            Candidate::new("datetime.timedelta(hours=3)", "three_hours").import(datetime),
            Candidate::new("datetime.timedelta(days=45)", "45_days").import(datetime),
            Candidate::new("datetime.timedelta(days=800)", "800_days").import(datetime),
        ],
        KnownType::Path => {
            if hint == Hint::Directory {
                directories(false)
            } else {
                paths(false)
            }
        }
        KnownType::TextStream => text_streams(),
        KnownType::BinaryStream => binary_streams(),
        KnownType::Uuid => {
            vec![Candidate::new("uuid.UUID(\"12345678-1234-5678-1234-567812345678\")", "uuid").import("import uuid")]
        }
    }
}

/// Enum members, or the class built from its constructor's typical values.
pub(super) fn class_values(ctx: &Context, owner: &Rc<ModuleInfo>, qualname: &str, depth: usize) -> Vec<Candidate> {
    let Some(class) = owner.class(qualname) else {
        return Vec::new();
    };
    let (line, src) = class_import(owner, qualname);
    if class.is_enum {
        return class
            .members
            .iter()
            .take(8)
            .map(|m| Candidate::new(format!("{src}.{m}"), pysrc::slug(m, 20)).import(&line))
            .collect();
    }
    if depth >= MAX_DEPTH || !constructible(class) {
        return Vec::new();
    }
    let inner = Context {
        ws: ctx.ws,
        owner: owner.clone(),
    };
    match constructor_call(&inner, class, &src, depth + 1) {
        Some(c) => vec![Candidate {
            label: pysrc::snake_case(&class.name),
            ..c.import(&line).mutable()
        }],
        None => Vec::new(),
    }
}

/// An instance of `qualname` (defined in `ctx.owner`) built from its
/// constructor's typical values: the natural `other` of `__eq__`, `__or__`, ….
pub fn instance_of(ctx: &Context, qualname: &str) -> Option<Candidate> {
    let owner = ctx.owner.clone();
    let mut first = class_values(ctx, &owner, qualname, 0).into_iter().next()?;
    first.label = pysrc::snake_case(last_segment(qualname));
    Some(first)
}

/// Whether testgap builds the class as an argument value (exceptions are
/// built only when they are what is tested).
pub(super) fn constructible(class: &Class) -> bool {
    !class.is_exception && !is_abstract(class)
}

/// A Protocol, ABC or similar: calling it builds nothing useful.
pub fn is_abstract(class: &Class) -> bool {
    class
        .bases
        .iter()
        .any(|b| matches!(last_segment(b), "Protocol" | "ABC" | "TypedDict" | "ABCMeta"))
}

/// `Cls(a, b, key=c)` with typical values for the required parameters.
fn constructor_call(ctx: &Context, class: &Class, src: &str, depth: usize) -> Option<Candidate> {
    let mut args = Vec::new();
    let mut parts = Vec::new();
    for p in &class.init_params {
        if p.default.is_some() || matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword) {
            continue;
        }
        let ty = p
            .annotation
            .as_deref()
            .map(TypeExpr::parse)
            .unwrap_or(TypeExpr::Unknown);
        let value = of_type(ctx, &ty, Hint::of(&p.name), depth).into_iter().next()?;
        match p.kind {
            ParamKind::KeywordOnly => args.push(format!("{}={}", p.name, value.expr)),
            _ => args.push(value.expr.clone()),
        }
        parts.push(value);
    }
    Some(Candidate::new(format!("{src}({})", args.join(", ")), "").absorb(parts.iter()))
}
