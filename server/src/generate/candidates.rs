//! Candidate values for one parameter, as Python source: from its
//! annotation, its name, and the literals the body compares it with
//! (boundaries: `n > 10` → 9, 10, 11).
//!
//! The first candidate is the *typical* value, used while other parameters
//! vary; it should be one a caller would plausibly pass.

use super::pysrc;
use super::resolve::{class_import, KnownType, ModuleInfo, Resolved, Workspace};
use super::types::{last_segment, TypeExpr};
use super::usage::{Shape, Usage};
use crate::python::{Class, Comparison, Param, ParamKind};
use std::collections::BTreeSet;
use std::rc::Rc;

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
/// Classes built from their constructors nest at most this deep.
const MAX_DEPTH: usize = 2;
/// A file `path` parameters may point at.
const SAMPLE_FILE: &str = "sample.txt";

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
        let shape = usage.and_then(Usage::shape);
        let elements = element_hint(&param.name);
        match (shape, elements) {
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
        // `message` is most likely a `Message`, when the module knows one
        // (and the body does not use it as text, a number, …).
        let class_name: String = param
            .name
            .trim_matches('_')
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect();
        if !class_name.is_empty() {
            if let Resolved::Class { owner, qualname } = ctx.ws.resolve(&ctx.owner, &class_name) {
                let mut by_name = class_values(ctx, &owner, &qualname, 0);
                by_name.extend(values);
                values = by_name;
            }
        }
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
    let prefix = label_prefix(&param.name);
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

/// What a parameter's name suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    FilePath,
    Directory,
    Count,
    Index,
    Float,
    Bool,
    Email,
    Url,
    Text,
    Name,
    List,
    Dict,
    Callable,
    Stream,
    Bytes,
    None,
}

impl Hint {
    fn of(name: &str) -> Hint {
        let n = name.trim_matches('_').to_ascii_lowercase();
        let ends = |s: &str| n == s || n.ends_with(&format!("_{s}"));
        let starts = |s: &str| n.starts_with(&format!("{s}_"));
        if [
            "path",
            "filename",
            "filepath",
            "fname",
            "file_name",
            "file_path",
            "src_file",
        ]
        .iter()
        .any(|s| ends(s))
            || ends("file")
        {
            Hint::FilePath
        } else if ["dir", "directory", "folder", "dirname", "root"]
            .iter()
            .any(|s| ends(s))
        {
            Hint::Directory
        } else if ["stream", "fp", "fh", "fileobj", "buffer", "buf", "out", "output"]
            .iter()
            .any(|s| n == *s)
        {
            Hint::Stream
        } else if [
            "n", "count", "size", "num", "number", "length", "limit", "times", "qty", "quantity", "width", "height",
            "depth", "retries", "attempts", "total", "capacity", "k",
        ]
        .iter()
        .any(|s| ends(s))
            || starts("max")
            || starts("min")
            || starts("num")
            || starts("n")
        {
            Hint::Count
        } else if [
            "index", "idx", "i", "j", "pos", "position", "offset", "start", "end", "stop",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::Index
        } else if [
            "rate",
            "ratio",
            "factor",
            "percent",
            "probability",
            "weight",
            "timeout",
            "delay",
            "threshold",
            "scale",
            "alpha",
            "tolerance",
            "seconds",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::Float
        } else if starts("is")
            || starts("has")
            || starts("use")
            || starts("allow")
            || starts("enable")
            || [
                "flag",
                "strict",
                "verbose",
                "force",
                "dry_run",
                "recursive",
                "reverse",
                "quiet",
            ]
            .iter()
            .any(|s| n == *s)
        {
            Hint::Bool
        } else if ["bytes", "bytestring", "blob", "payload", "raw", "data_bytes"]
            .iter()
            .any(|s| ends(s))
        {
            Hint::Bytes
        } else if ends("email") {
            Hint::Email
        } else if ends("url") || ends("uri") || ends("link") || ends("href") {
            Hint::Url
        } else if [
            "text",
            "message",
            "msg",
            "content",
            "body",
            "s",
            "string",
            "line",
            "sentence",
            "description",
            "title",
            "label",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::Text
        } else if [
            "name", "username", "key", "sku", "code", "id", "word", "prefix", "suffix",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::Name
        } else if [
            "func",
            "fn",
            "callback",
            "predicate",
            "handler",
            "factory",
            "hook",
            "callable",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::Callable
        } else if [
            "mapping", "config", "options", "settings", "headers", "params", "attrs", "kwargs", "dict", "env",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::Dict
        } else if [
            "items", "values", "elements", "rows", "records", "lines", "xs", "seq", "sequence", "iterable", "names",
            "keys", "tags", "words", "args", "parts", "entries", "list",
        ]
        .iter()
        .any(|s| ends(s))
        {
            Hint::List
        } else {
            Hint::None
        }
    }
}

impl Hint {
    /// Whether the values the name suggests already have this shape.
    fn agrees_with(self, shape: Shape) -> bool {
        matches!(
            (self, shape),
            (Hint::Count | Hint::Index | Hint::Float, Shape::Number)
                | (Hint::Text | Hint::Name | Hint::Email | Hint::Url, Shape::Text)
                | (Hint::List, Shape::Sequence | Shape::Iterable)
                | (Hint::Dict, Shape::Mapping)
                | (Hint::Callable, Shape::Callable)
                | (Hint::Bytes, Shape::Bytes)
        )
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

/// What the items of a collection parameter are, from its name: `int_list`
/// and `numbers` hold numbers, `funcs` callables, `words` words.
fn element_hint(name: &str) -> Option<Hint> {
    let n = name.trim_matches('_').to_ascii_lowercase();
    let singular = ["_list", "_seq", "_set", "_tuple"]
        .iter()
        .find_map(|s| n.strip_suffix(s))
        .map(str::to_string)
        .or_else(|| {
            if n.len() <= 3 || ["ss", "us", "is", "as", "os"].iter().any(|s| n.ends_with(s)) {
                None
            } else if let Some(stem) = n.strip_suffix("ies") {
                Some(format!("{stem}y"))
            } else if let Some(stem) = ["ches", "shes", "xes"].iter().find_map(|s| n.strip_suffix(s)) {
                Some(format!("{stem}{}", &n[stem.len()..n.len() - 2]))
            } else {
                n.strip_suffix('s').map(str::to_string)
            }
        })?;
    if matches!(singular.as_str(), "int" | "integer" | "num" | "number" | "float") {
        return Some(Hint::Count);
    }
    match Hint::of(&singular) {
        Hint::None | Hint::Bool => None,
        hint => Some(hint),
    }
}

/// Values of the shape a parameter's uses call for.
fn shape_values(shape: Shape, hint: Hint) -> Vec<Candidate> {
    match shape {
        Shape::Mapping => dicts(&strings(Hint::Name), &ints(Hint::Count)),
        Shape::Text => strings(if hint == Hint::None { Hint::Name } else { hint }),
        Shape::Bytes => named_bytes(),
        Shape::Callable => callables(),
        Shape::Sequence => lists(&ints(Hint::Count), "list"),
        Shape::Number => {
            let mut out = ints(if hint == Hint::Index { hint } else { Hint::Count });
            out.push(Candidate::new("1.5", "1_5"));
            out
        }
        Shape::Iterable => {
            let mut out = lists(&ints(Hint::Count), "list");
            // Code that takes any iterable often treats a one-pass iterator
            // apart from a sequence.
            out.push(Candidate::new("iter([1, 2])", "iterator"));
            out
        }
    }
}

fn ints(hint: Hint) -> Vec<Candidate> {
    let typical = if hint == Hint::Index { 0 } else { 2 };
    let mut out = vec![Candidate::new(typical.to_string(), number_label(typical))];
    // A large one too: code that scales or formats numbers branches on size.
    for v in [1, 0, -1, 10, 1_234_567] {
        out.push(Candidate::new(v.to_string(), number_label(v)));
    }
    out
}

fn number_label(v: i128) -> String {
    match v {
        0 => "zero".to_string(),
        1_234_567 => "large".to_string(),
        v if v < 0 => format!("minus_{}", -v),
        v => v.to_string(),
    }
}

fn floats() -> Vec<Candidate> {
    vec![
        Candidate::new("1.5", "1_5"),
        Candidate::new("0.0", "zero"),
        Candidate::new("-1.0", "negative"),
        Candidate::new("100.0", "100"),
        Candidate::new("1234567.25", "large"),
        Candidate::new("float(\"inf\")", "infinite"),
    ]
}

fn strings(hint: Hint) -> Vec<Candidate> {
    let typical = match hint {
        Hint::Email => "user@example.com",
        Hint::Url => "https://example.com/page",
        Hint::Text => "Hello, World!",
        Hint::Name => "abc",
        _ => "abc",
    };
    let mut out = vec![
        Candidate::new(pysrc::string(typical), pysrc::slug(typical, 20)),
        Candidate::new("\"\"", "empty"),
    ];
    if hint != Hint::Text {
        out.push(Candidate::new("\"Hello, World!\"", "text"));
    }
    if hint == Hint::Text {
        // Text code branches on lines and on characters beyond ASCII.
        out.push(Candidate::new("\"Café au lait\\nsecond line\"", "multiline_unicode"));
    }
    out
}

fn named_bytes() -> Vec<Candidate> {
    vec![Candidate::new("b\"abc\"", "bytes"), Candidate::new("b\"\"", "empty")]
}

fn bools() -> Vec<Candidate> {
    vec![Candidate::new("True", "true"), Candidate::new("False", "false")]
}

fn paths(as_str: bool) -> Vec<Candidate> {
    let wrap = |e: String| if as_str { format!("str({e})") } else { e };
    let write = format!("(tmp_path / {}).write_text(\"hello\\n\")", pysrc::string(SAMPLE_FILE));
    let mut existing = Candidate::new(
        wrap(format!("tmp_path / {}", pysrc::string(SAMPLE_FILE))),
        "existing_file",
    );
    existing.setup.push(write);
    existing.tmp_path = true;
    let mut missing = Candidate::new(wrap("tmp_path / \"missing.txt\"".to_string()), "missing_file");
    missing.tmp_path = true;
    let mut dir = Candidate::new(wrap("tmp_path".to_string()), "directory");
    dir.tmp_path = true;
    vec![existing, missing, dir]
}

fn directories(as_str: bool) -> Vec<Candidate> {
    let wrap = |e: &str| {
        if as_str {
            format!("str({e})")
        } else {
            e.to_string()
        }
    };
    let mut existing = Candidate::new(wrap("tmp_path"), "tmp_dir");
    existing.tmp_path = true;
    let mut missing = Candidate::new(wrap("tmp_path / \"new_dir\""), "new_dir");
    missing.tmp_path = true;
    vec![existing, missing]
}

fn text_streams() -> Vec<Candidate> {
    vec![
        Candidate::new("io.StringIO()", "empty_stream")
            .import("import io")
            .mutable(),
        Candidate::new("io.StringIO(\"abc\\n\")", "stream")
            .import("import io")
            .mutable(),
    ]
}

fn binary_streams() -> Vec<Candidate> {
    vec![
        Candidate::new("io.BytesIO()", "empty_stream")
            .import("import io")
            .mutable(),
        Candidate::new("io.BytesIO(b\"abc\")", "stream")
            .import("import io")
            .mutable(),
    ]
}

fn callables() -> Vec<Candidate> {
    vec![
        Candidate::new("lambda *args, **kwargs: None", "noop"),
        // One argument in, a value that shows it was used out.
        Candidate::new("str", "str"),
    ]
}

fn unknown(hint: Hint) -> Vec<Candidate> {
    match hint {
        Hint::FilePath => paths(false),
        Hint::Directory => directories(false),
        Hint::Count | Hint::Index => ints(hint),
        Hint::Float => floats(),
        Hint::Bool => bools(),
        Hint::Email | Hint::Url | Hint::Text | Hint::Name => strings(hint),
        Hint::List => lists(&[Candidate::new("\"a\"", "a"), Candidate::new("\"b\"", "b")], "list"),
        Hint::Dict => dicts(&strings(Hint::Name), &ints(Hint::Count)),
        Hint::Callable => callables(),
        Hint::Stream => text_streams(),
        Hint::Bytes => named_bytes(),
        Hint::None => vec![
            Candidate::new("1", "1"),
            Candidate::new("\"abc\"", "abc"),
            Candidate::new("None", "none"),
        ],
    }
}

/// `[a, b]`, `[]`, `[a]` (with `open`/`close` for tuples and sets).
fn sequences(elems: &[Candidate], open: &str, close: &str, empty: &str) -> Vec<Candidate> {
    let mut elems: Vec<&Candidate> = elems.iter().filter(|c| c.expr != "None").take(2).collect();
    // `[1, 2]` reads better than `[2, 1]`.
    if let [a, b] = elems[..] {
        if let (Ok(x), Ok(y)) = (a.expr.parse::<i64>(), b.expr.parse::<i64>()) {
            if x > y {
                elems.swap(0, 1);
            }
        }
    }
    let mut out = Vec::new();
    let join = |items: &[&Candidate]| {
        let inner: Vec<&str> = items.iter().map(|c| c.expr.as_str()).collect();
        let mut text = inner.join(", ");
        if open == "(" && items.len() == 1 {
            text.push(',');
        }
        format!("{open}{text}{close}")
    };
    if elems.len() == 2 {
        out.push(
            Candidate::new(join(&elems), "two")
                .absorb(elems.iter().copied())
                .mutable(),
        );
    }
    out.push(Candidate::new(empty, "empty").mutable());
    if let Some(first) = elems.first() {
        out.push(Candidate::new(join(&[first]), "single").absorb([*first]).mutable());
    }
    out
}

fn lists(elems: &[Candidate], _what: &str) -> Vec<Candidate> {
    sequences(elems, "[", "]", "[]")
}

fn dicts(keys: &[Candidate], values: &[Candidate]) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let (Some(k), Some(v)) = (
        keys.iter().find(|c| c.expr != "None"),
        values.iter().find(|c| c.expr != "None"),
    ) {
        out.push(
            Candidate::new(format!("{{{}: {}}}", k.expr, v.expr), "single")
                .absorb([k, v])
                .mutable(),
        );
    }
    out.push(Candidate::new("{}", "empty").mutable());
    out
}

fn of_type(ctx: &Context, ty: &TypeExpr, hint: Hint, depth: usize) -> Vec<Candidate> {
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
fn class_values(ctx: &Context, owner: &Rc<ModuleInfo>, qualname: &str, depth: usize) -> Vec<Candidate> {
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
pub fn constructible(class: &Class) -> bool {
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

// ------------------------------------------------------------------ boundaries

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Int(i128),
    Float(f64),
}

fn parse_number(text: &str) -> Option<Num> {
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
enum Flavor {
    Int,
    Float,
    Decimal,
    Str,
    /// A collection whose length is compared: built from these elements.
    Collection,
    Unknown,
}

impl Flavor {
    fn of(ctx: &Context, ty: &TypeExpr, hint: Hint) -> Flavor {
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

fn number_slug(n: Num) -> String {
    match n {
        Num::Int(v) => pysrc::slug(&v.to_string(), 20),
        Num::Float(v) => pysrc::slug(&pysrc::float(v), 20),
    }
}

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
fn literal_candidate(src: &str) -> Option<Candidate> {
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
fn boundaries(cmp: &Comparison, flavor: &Flavor, typed: &[Candidate]) -> Vec<Candidate> {
    let mut out = Vec::new();
    if cmp.on_length {
        for lit in &cmp.literals {
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
        return out;
    }
    match cmp.op.as_str() {
        "<" | "<=" | ">" | ">=" => {
            for lit in &cmp.literals {
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
        }
        "contains" => {
            for lit in &cmp.literals {
                if let Some(part) = pysrc::string_value(lit) {
                    let what = match pysrc::slug(&part, 20) {
                        s if s.is_empty() => "with_symbol".to_string(),
                        s => format!("with_{s}"),
                    };
                    out.push(Candidate::new(pysrc::string(&format!("abc{part}abc")), what).mined());
                }
            }
        }
        "startswith" | "endswith" => {
            for lit in &cmp.literals {
                if let Some(part) = pysrc::string_value(lit) {
                    let (value, what) = if cmp.op == "startswith" {
                        (format!("{part}abc"), "starting_with")
                    } else {
                        (format!("abc{part}"), "ending_with")
                    };
                    let label = match pysrc::slug(&part, 20) {
                        s if s.is_empty() => format!("{what}_symbol"),
                        s => format!("{what}_{s}"),
                    };
                    out.push(Candidate::new(pysrc::string(&value), label).mined());
                }
            }
        }
        "==" | "!=" | "case" | "in" | "not in" | "is" | "is not" => {
            let mut numbers = Vec::new();
            let mut strings = false;
            for lit in &cmp.literals {
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
            // A value matching none of them.
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
        }
        _ => {}
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

#[cfg(test)]
mod tests;
