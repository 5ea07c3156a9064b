//! Values by kind, typical value first: numbers, text, paths, streams,
//! callables, collections built from element values, and the values a
//! parameter's uses call for.

use super::hints::Hint;
use super::Candidate;
use crate::generate::pysrc;
use crate::generate::usage::Shape;

/// A file `path` parameters may point at.
const SAMPLE_FILE: &str = "sample.txt";

/// Values of the shape a parameter's uses call for.
pub(super) fn shape_values(shape: Shape, hint: Hint) -> Vec<Candidate> {
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

/// Integers: 2 (0 for an index), then 1, 0, -1, 10 and a large one.
pub(super) fn ints(hint: Hint) -> Vec<Candidate> {
    let typical = if hint == Hint::Index { 0 } else { 2 };
    let mut out = vec![Candidate::new(typical.to_string(), number_label(typical))];
    // A large one too: code that scales or formats numbers branches on size.
    for v in [1, 0, -1, 10, 1_234_567] {
        out.push(Candidate::new(v.to_string(), number_label(v)));
    }
    out
}

/// `zero`, `large`, `minus_1`, `10`: a number in a test name.
fn number_label(v: i128) -> String {
    match v {
        0 => "zero".to_string(),
        1_234_567 => "large".to_string(),
        v if v < 0 => format!("minus_{}", -v),
        v => v.to_string(),
    }
}

/// Floats: typical, zero, negative, round, large, infinite.
pub(super) fn floats() -> Vec<Candidate> {
    vec![
        Candidate::new("1.5", "1_5"),
        Candidate::new("0.0", "zero"),
        Candidate::new("-1.0", "negative"),
        Candidate::new("100.0", "100"),
        Candidate::new("1234567.25", "large"),
        Candidate::new("float(\"inf\")", "infinite"),
    ]
}

/// Text: a typical value for the hint (an address, a URL, a sentence), empty, and one more.
pub(super) fn strings(hint: Hint) -> Vec<Candidate> {
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

/// Bytes: some, and none.
pub(super) fn named_bytes() -> Vec<Candidate> {
    vec![Candidate::new("b\"abc\"", "bytes"), Candidate::new("b\"\"", "empty")]
}

/// `True` and `False`.
pub(super) fn bools() -> Vec<Candidate> {
    vec![Candidate::new("True", "true"), Candidate::new("False", "false")]
}

/// A file under `tmp_path` that exists, one that does not, and a directory (`as_str`: as `str`).
pub(super) fn paths(as_str: bool) -> Vec<Candidate> {
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

/// A directory under `tmp_path` that exists and one that does not (`as_str`: as `str`).
pub(super) fn directories(as_str: bool) -> Vec<Candidate> {
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

/// Text streams, empty and not, watched for what the call writes.
pub(super) fn text_streams() -> Vec<Candidate> {
    vec![
        Candidate::new("io.StringIO()", "empty_stream")
            .import("import io")
            .mutable(),
        Candidate::new("io.StringIO(\"abc\\n\")", "stream")
            .import("import io")
            .mutable(),
    ]
}

/// Binary streams, empty and not, watched for what the call writes.
pub(super) fn binary_streams() -> Vec<Candidate> {
    vec![
        Candidate::new("io.BytesIO()", "empty_stream")
            .import("import io")
            .mutable(),
        Candidate::new("io.BytesIO(b\"abc\")", "stream")
            .import("import io")
            .mutable(),
    ]
}

/// A function that ignores its arguments, and one that uses its argument.
pub(super) fn callables() -> Vec<Candidate> {
    vec![
        Candidate::new("lambda *args, **kwargs: None", "noop"),
        // One argument in, a value that shows it was used out.
        Candidate::new("str", "str"),
    ]
}

/// Values for a parameter whose type says nothing: from its name's hint.
pub(super) fn unknown(hint: Hint) -> Vec<Candidate> {
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
pub(super) fn sequences(elems: &[Candidate], open: &str, close: &str, empty: &str) -> Vec<Candidate> {
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

/// Lists of `elems`: two, none, one.
pub(super) fn lists(elems: &[Candidate], _what: &str) -> Vec<Candidate> {
    sequences(elems, "[", "]", "[]")
}

/// A dict of one `keys` → `values` item, and an empty one.
pub(super) fn dicts(keys: &[Candidate], values: &[Candidate]) -> Vec<Candidate> {
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
