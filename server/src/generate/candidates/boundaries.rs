//! Values on both sides of what the body compares a parameter with:
//! `n > 10` → 9, 10, 11; `len(xs) == 3` → lists of 2, 3 and 4 items;
//! `fmt == "json"` → `"json"` and a value matching none of the literals.

use super::hints::Hint;
use super::{Candidate, Context};
use crate::generate::pysrc;
use crate::generate::resolve::{KnownType, Resolved};
use crate::generate::types::{last_segment, TypeExpr};
use crate::python::Comparison;

/// A number literal, as Python reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Num {
    Int(i128),
    Float(f64),
}

/// A Python int or float literal (`0x1f`, `1_000`, `-2.5e3`), else `None`.
pub(super) fn parse_number(text: &str) -> Option<Num> {
    let t = text.trim().replace('_', "");
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim().to_string()),
        None => (false, t.clone()),
    };
    let lower = body.to_ascii_lowercase();
    let int = if let Some(hex) = lower.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = lower.strip_prefix("0o") {
        i128::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()
    } else if lower.chars().all(|c| c.is_ascii_digit()) && !lower.is_empty() {
        lower.parse().ok()
    } else {
        None
    };
    if let Some(v) = int {
        return Some(Num::Int(if neg { -v } else { v }));
    }
    if lower
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
        && lower.chars().any(|c| c.is_ascii_digit())
    {
        let v: f64 = lower.parse().ok()?;
        return v.is_finite().then_some(Num::Float(if neg { -v } else { v }));
    }
    None
}

/// What kind of value the comparisons' literals should be turned into.
#[derive(Debug, Clone)]
pub(super) enum Flavor {
    Int,
    Float,
    Decimal,
    Str,
    /// A collection whose length is compared: built from these elements.
    Collection,
    Unknown,
}

impl Flavor {
    /// The flavor of a parameter's type, else of its name.
    pub(super) fn of(ctx: &Context, ty: &TypeExpr, hint: Hint) -> Flavor {
        let members = ty.without_none();
        let Some(first) = members.first() else {
            return Flavor::Unknown;
        };
        match first {
            TypeExpr::Name(n) => match last_segment(n) {
                "int" => Flavor::Int,
                "float" => Flavor::Float,
                "str" => Flavor::Str,
                "list" | "tuple" | "set" | "dict" | "Sequence" | "Iterable" | "Collection" => Flavor::Collection,
                other => match ctx.ws.resolve(&ctx.owner, n) {
                    Resolved::Known(KnownType::Decimal) => Flavor::Decimal,
                    _ if other == "Decimal" => Flavor::Decimal,
                    _ => Flavor::Unknown,
                },
            },
            TypeExpr::Generic(..) => Flavor::Collection,
            _ => match hint {
                Hint::List => Flavor::Collection,
                Hint::Count | Hint::Index => Flavor::Int,
                Hint::Float => Flavor::Float,
                Hint::Text | Hint::Name | Hint::Email | Hint::Url => Flavor::Str,
                _ => Flavor::Unknown,
            },
        }
    }
}

/// `n` written as the flavor wants it: an int, a float or a `Decimal`.
fn number_candidate(n: Num, flavor: &Flavor, what: String) -> Candidate {
    let (int_text, float_text) = match n {
        Num::Int(v) => (v.to_string(), pysrc::float(v as f64)),
        Num::Float(v) => (pysrc::float(v), pysrc::float(v)),
    };
    match flavor {
        Flavor::Float => Candidate::new(float_text, what),
        Flavor::Decimal => {
            let text = match n {
                Num::Int(v) => v.to_string(),
                Num::Float(v) => format!("{v}"),
            };
            Candidate::new(format!("Decimal(\"{text}\")"), what).import("from decimal import Decimal")
        }
        _ => Candidate::new(int_text, what),
    }
}

/// `n` in a test name.
fn number_slug(n: Num) -> String {
    match n {
        Num::Int(v) => pysrc::slug(&v.to_string(), 20),
        Num::Float(v) => pysrc::slug(&pysrc::float(v), 20),
    }
}

/// The next value up or down: by one for ints, by half its size for
/// floats (0.5 from zero).
fn step(n: Num, up: bool) -> Num {
    match n {
        Num::Int(v) => Num::Int(if up { v + 1 } else { v - 1 }),
        Num::Float(v) => {
            let d = if v == 0.0 { 0.5 } else { v.abs() / 2.0 };
            Num::Float(if up { v + d } else { v - d })
        }
    }
}

/// A candidate for a literal written in the source (`"json"`, `3`, `None`).
pub(super) fn literal_candidate(src: &str) -> Option<Candidate> {
    let src = src.trim();
    match src {
        "None" => return Some(Candidate::new("None", "none")),
        "True" => return Some(Candidate::new("True", "true")),
        "False" => return Some(Candidate::new("False", "false")),
        _ => {}
    }
    if let Some(n) = parse_number(src) {
        return Some(number_candidate(n, &Flavor::Unknown, number_slug(n)));
    }
    if let Some(value) = pysrc::string_value(src) {
        let slug = pysrc::slug(&value, 20);
        let what = if value.is_empty() {
            "empty".to_string()
        } else if slug.is_empty() {
            "symbol".to_string()
        } else {
            slug
        };
        return Some(Candidate::new(pysrc::string(&value), what));
    }
    let lower = src.to_ascii_lowercase();
    if lower.starts_with("b'") || lower.starts_with("b\"") {
        return Some(Candidate::new(src, "bytes"));
    }
    None
}

/// Values on both sides of what `cmp` tests.
pub(super) fn boundaries(cmp: &Comparison, flavor: &Flavor, typed: &[Candidate]) -> Vec<Candidate> {
    if cmp.on_length {
        return lengths(&cmp.literals, flavor, typed);
    }
    match cmp.op.as_str() {
        "<" | "<=" | ">" | ">=" => around(&cmp.literals, flavor),
        "contains" | "startswith" | "endswith" => with_part(&cmp.op, &cmp.literals),
        "==" | "!=" | "case" | "in" | "not in" | "is" | "is not" => each_and_other(&cmp.literals, flavor),
        _ => Vec::new(),
    }
}

/// `len(x) < 3`: values of lengths 2, 3 and 4 (within 0..=64).
fn lengths(literals: &[String], flavor: &Flavor, typed: &[Candidate]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for lit in literals {
        let Some(Num::Int(n)) = parse_number(lit) else {
            continue;
        };
        for len in [n - 1, n, n + 1] {
            if !(0..=64).contains(&len) {
                continue;
            }
            out.push(sized(len as usize, flavor, typed).mined());
        }
    }
    out
}

/// `x > 10`: 9, 10 and 11 (a literal that is not a number, as written).
fn around(literals: &[String], flavor: &Flavor) -> Vec<Candidate> {
    let mut out = Vec::new();
    for lit in literals {
        match parse_number(lit) {
            Some(n) => {
                let s = number_slug(n);
                out.push(number_candidate(step(n, false), flavor, format!("below_{s}")).mined());
                out.push(number_candidate(n, flavor, format!("at_{s}")).mined());
                out.push(number_candidate(step(n, true), flavor, format!("above_{s}")).mined());
            }
            None => out.extend(literal_candidate(lit).map(Candidate::mined)),
        }
    }
    out
}

/// `"@" in s`, `s.startswith("#")`: a text holding the part where the
/// test looks for it.
fn with_part(op: &str, literals: &[String]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for lit in literals {
        let Some(part) = pysrc::string_value(lit) else {
            continue;
        };
        let (value, what) = match op {
            "startswith" => (format!("{part}abc"), "starting_with"),
            "endswith" => (format!("abc{part}"), "ending_with"),
            _ => (format!("abc{part}abc"), "with"),
        };
        let label = match pysrc::slug(&part, 20) {
            s if s.is_empty() => format!("{what}_symbol"),
            s => format!("{what}_{s}"),
        };
        out.push(Candidate::new(pysrc::string(&value), label).mined());
    }
    out
}

/// `x == 3`, `x in ("a", "b")`: each literal, then a value matching none.
fn each_and_other(literals: &[String], flavor: &Flavor) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut numbers = Vec::new();
    let mut strings = false;
    for lit in literals {
        match parse_number(lit) {
            Some(n) => {
                numbers.push(n);
                out.push(number_candidate(n, flavor, number_slug(n)).mined());
            }
            None => {
                if let Some(c) = literal_candidate(lit) {
                    strings |= c.expr.starts_with('"');
                    out.push(c.mined());
                }
            }
        }
    }
    if let Some(max) = numbers.iter().copied().reduce(|a, b| match (a, b) {
        (Num::Int(x), Num::Int(y)) => Num::Int(x.max(y)),
        _ => b,
    }) {
        if matches!(max, Num::Int(_)) {
            out.push(number_candidate(step(max, true), flavor, "other".into()).mined());
        }
    }
    if strings {
        let taken: Vec<String> = out.iter().map(|c| c.expr.clone()).collect();
        let miss = ["\"other\"", "\"zzz\""]
            .into_iter()
            .find(|m| !taken.iter().any(|t| t == m))
            .unwrap_or("\"other\"");
        out.push(Candidate::new(miss, "other").mined());
    }
    out
}

/// A string or collection of length `len`.
fn sized(len: usize, flavor: &Flavor, typed: &[Candidate]) -> Candidate {
    let what = format!("len_{len}");
    match flavor {
        Flavor::Str => {
            let text: String = "abcdefghijklmnopqrstuvwxyz".chars().cycle().take(len).collect();
            Candidate::new(pysrc::string(&text), what)
        }
        _ => {
            // Elements: the typed collection's own elements when it has them.
            let elems: Vec<String> = match typed.first() {
                Some(c) if c.expr.starts_with('[') && c.expr.len() > 2 => {
                    c.expr[1..c.expr.len() - 1].split(", ").map(str::to_string).collect()
                }
                _ => Vec::new(),
            };
            let simple = !elems.is_empty() && elems.iter().all(|e| !e.contains(['(', '[', '{']));
            let items: Vec<String> = (0..len)
                .map(|i| {
                    if simple {
                        elems[i % elems.len()].clone()
                    } else {
                        (i + 1).to_string()
                    }
                })
                .collect();
            let mut c = Candidate::new(format!("[{}]", items.join(", ")), what).mutable();
            if simple {
                if let Some(first) = typed.first() {
                    c = c.absorb([first]);
                }
            }
            c
        }
    }
}
