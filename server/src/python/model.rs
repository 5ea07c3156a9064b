//! The module model: what testgap knows about a Python file after parsing it.
//!
//! Line numbers are 1-based, as in coverage.py and Python tracebacks.

use serde::Serialize;

/// Everything extracted from one Python source file.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Module {
    /// Every function, method and nested function, in source order.
    pub functions: Vec<Function>,
    /// Every class (nested ones too), in source order.
    pub classes: Vec<Class>,
    /// Lines holding docstrings; coverage.py does not count them as statements.
    pub docstring_lines: Vec<LineRange>,
    /// Names bound at module level: functions, classes, assignments, imports.
    pub top_level_names: Vec<String>,
    /// Where the parser gave up on part of the file; the rest is still analysed.
    pub syntax_errors: Vec<SyntaxError>,
    /// Number of lines in the file.
    pub line_count: u32,
}

impl Module {
    /// The innermost function accepted by `keep` whose decorators, header
    /// or body hold the 1-based `line`.
    pub fn function_at(&self, line: u32, keep: impl Fn(&Function) -> bool) -> Option<&Function> {
        self.functions
            .iter()
            .filter(|f| keep(f) && f.start_line <= line && line <= f.body.end.max(f.def_line))
            .max_by_key(|f| f.start_line)
    }

    /// The innermost class whose decorators, header or body hold `line`.
    pub fn class_at(&self, line: u32) -> Option<&Class> {
        self.classes
            .iter()
            .filter(|c| c.start_line <= line && line <= c.body.end)
            .max_by_key(|c| c.start_line)
    }
}

/// An inclusive range of 1-based lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineRange {
    pub start: u32,
    pub end: u32,
}

impl LineRange {
    pub fn contains(&self, line: u32) -> bool {
        self.start <= line && line <= self.end
    }
}

/// A position in the source: 1-based line, 0-based byte column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub byte_column: u32,
}

/// A function, method or nested function.
#[derive(Debug, Clone, Serialize)]
pub struct Function {
    pub name: String,
    /// Dotted path through enclosing classes and functions, as coverage.py
    /// names its regions: `Cart.total`, `outer.inner`.
    pub qualname: String,
    /// The innermost enclosing class, for methods.
    pub class: Option<String>,
    /// The qualified name of the enclosing function, for nested functions.
    pub parent_function: Option<String>,
    /// Where the function's name starts (the `def` line).
    pub name_start: Position,
    pub name_end: Position,
    /// The first line of the definition, decorators included.
    pub start_line: u32,
    /// The `def` line.
    pub def_line: u32,
    /// The body, as coverage.py scopes a function region: from the first
    /// statement of the body to the end of the last.
    pub body: LineRange,
    pub params: Vec<Param>,
    pub returns: Option<String>,
    pub is_async: bool,
    /// Contains `yield` (outside nested functions).
    pub is_generator: bool,
    pub decorators: Vec<Decorator>,
    pub raises: Vec<Raise>,
    pub docstring: Option<String>,
    /// Cyclomatic complexity; see [`crate::python::complexity`] for the rule.
    pub complexity: u32,
    /// Literals the body compares a parameter against.
    pub comparisons: Vec<Comparison>,
    /// Whether coverage.py gives this function a region of its own. It does
    /// not for definitions under `elif`/`else`/`except`/`finally`/`case`
    /// (nor inside those): their lines count for the enclosing function.
    pub coverage_region: bool,
}

impl Function {
    /// Public API: no name on the path starts with an underscore (dunder
    /// methods such as `__init__` count as public).
    pub fn is_public(&self) -> bool {
        self.qualname.split('.').all(|part| !is_private_name(part))
    }

    pub fn has_decorator(&self, name: &str) -> bool {
        self.decorators.iter().any(|d| d.name == name)
    }
}

/// `_name` is private, `__dunder__` is not.
pub fn is_private_name(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__") && name.len() > 4)
}

/// How a parameter binds arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    PositionalOnly,
    Regular,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub annotation: Option<String>,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decorator {
    /// The decorator's callee without arguments: `property`, `pytest.fixture`.
    pub name: String,
    /// The whole decorator expression after `@`.
    pub text: String,
    pub line: u32,
}

/// A `raise` statement naming an exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raise {
    /// `ValueError`, `errors.ParseError`.
    pub exception: String,
    pub line: u32,
}

/// A condition comparing a parameter (or `len(parameter)`) with a literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The parameter's name.
    pub param: String,
    /// True when the comparison is on `len(param)`.
    pub on_length: bool,
    /// `<`, `<=`, `==`, `!=`, `>`, `>=`, `in`, `not in`, `is`, `is not`, or
    /// `case` for a `match` pattern.
    pub op: String,
    /// Literal source text; for `in`, one entry per member.
    pub literals: Vec<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Class {
    pub name: String,
    pub qualname: String,
    pub start_line: u32,
    pub def_line: u32,
    pub name_start: Position,
    pub name_end: Position,
    pub body: LineRange,
    pub bases: Vec<String>,
    pub decorators: Vec<Decorator>,
    pub docstring: Option<String>,
    pub is_dataclass: bool,
    pub is_enum: bool,
    pub is_namedtuple: bool,
    pub is_exception: bool,
    /// What the constructor takes: `__init__`'s parameters after `self`, or
    /// the annotated fields of a dataclass / NamedTuple.
    pub init_params: Vec<Param>,
    /// Enum member names, for enums.
    pub members: Vec<String>,
}

/// A place where the parser could not make sense of the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}
