//! What a parameter's name suggests about its values: a table of name
//! rows consulted in order (`input_path` → a file path, `max_retries` → a
//! count, `callbacks` → a list of callables).

use super::super::usage::Shape;

/// What a parameter's name suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
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

/// Where a row's words must stand in the name (lower case, surrounding
/// underscores trimmed).
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The whole name: `fp`, `verbose`.
    Whole,
    /// The whole name or its last words: `path`, `input_path`, `src_file`.
    Last,
    /// Its first word, with more after it: `max_` of `max_size`.
    First,
}

use Place::{First, Last, Whole};

/// The rows of `Hint::of`, first match wins: their order is the precedence
/// (`n_file` is a file, not a count, because file rows come first).
const HINT_ROWS: &[(Place, &[&str], Hint)] = &[
    (
        Last,
        &[
            "path",
            "filename",
            "filepath",
            "fname",
            "file_name",
            "file_path",
            "src_file",
            "file",
        ],
        Hint::FilePath,
    ),
    (
        Last,
        &["dir", "directory", "folder", "dirname", "root"],
        Hint::Directory,
    ),
    (
        Whole,
        &["stream", "fp", "fh", "fileobj", "buffer", "buf", "out", "output"],
        Hint::Stream,
    ),
    (
        Last,
        &[
            "n", "count", "size", "num", "number", "length", "limit", "times", "qty", "quantity", "width", "height",
            "depth", "retries", "attempts", "total", "capacity", "k",
        ],
        Hint::Count,
    ),
    (First, &["max", "min", "num", "n"], Hint::Count),
    (
        Last,
        &[
            "index", "idx", "i", "j", "pos", "position", "offset", "start", "end", "stop",
        ],
        Hint::Index,
    ),
    (
        Last,
        &[
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
        ],
        Hint::Float,
    ),
    (First, &["is", "has", "use", "allow", "enable"], Hint::Bool),
    (
        Whole,
        &[
            "flag",
            "strict",
            "verbose",
            "force",
            "dry_run",
            "recursive",
            "reverse",
            "quiet",
        ],
        Hint::Bool,
    ),
    (
        Last,
        &["bytes", "bytestring", "blob", "payload", "raw", "data_bytes"],
        Hint::Bytes,
    ),
    (Last, &["email"], Hint::Email),
    (Last, &["url", "uri", "link", "href"], Hint::Url),
    (
        Last,
        &[
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
        ],
        Hint::Text,
    ),
    (
        Last,
        &[
            "name", "username", "key", "sku", "code", "id", "word", "prefix", "suffix",
        ],
        Hint::Name,
    ),
    (
        Last,
        &[
            "func",
            "fn",
            "callback",
            "predicate",
            "handler",
            "factory",
            "hook",
            "callable",
        ],
        Hint::Callable,
    ),
    (
        Last,
        &[
            "mapping", "config", "options", "settings", "headers", "params", "attrs", "kwargs", "dict", "env",
        ],
        Hint::Dict,
    ),
    (
        Last,
        &[
            "items", "values", "elements", "rows", "records", "lines", "xs", "seq", "sequence", "iterable", "names",
            "keys", "tags", "words", "args", "parts", "entries", "list",
        ],
        Hint::List,
    ),
];

impl Place {
    /// Whether `word` stands at this place in `name`.
    fn holds(self, name: &str, word: &str) -> bool {
        match self {
            Whole => name == word,
            Last => name == word || name.strip_suffix(word).is_some_and(|rest| rest.ends_with('_')),
            First => name.strip_prefix(word).is_some_and(|rest| rest.starts_with('_')),
        }
    }
}

impl Hint {
    /// The hint of the first row that `name` matches, else `Hint::None`.
    pub(super) fn of(name: &str) -> Hint {
        let n = name.trim_matches('_').to_ascii_lowercase();
        HINT_ROWS
            .iter()
            .find(|(place, words, _)| words.iter().any(|w| place.holds(&n, w)))
            .map_or(Hint::None, |&(_, _, hint)| hint)
    }

    /// Whether the values the name suggests already have this shape.
    pub(super) fn agrees_with(self, shape: Shape) -> bool {
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

/// What the items of a collection parameter are, from its name: `int_list`
/// and `numbers` hold numbers, `funcs` callables, `words` words.
pub(super) fn element_hint(name: &str) -> Option<Hint> {
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
