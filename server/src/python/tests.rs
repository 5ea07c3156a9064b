use super::*;

fn module(src: &str) -> Module {
    analyze(&mut parser(), src.as_bytes()).expect("parses")
}

fn function<'m>(m: &'m Module, qualname: &str) -> &'m Function {
    m.functions
        .iter()
        .find(|f| f.qualname == qualname)
        .unwrap_or_else(|| panic!("no function {qualname} in {:?}", names(m)))
}

fn names(m: &Module) -> Vec<&str> {
    m.functions.iter().map(|f| f.qualname.as_str()).collect()
}

#[test]
fn qualified_names_follow_coverage_regions() {
    let m = module(
        r#"
class Cart:
    def total(self):
        def helper(x):
            return x
        return helper(1)

    class Line:
        def price(self): return 1

async def fetch(url):
    pass
"#,
    );
    assert_eq!(
        names(&m),
        ["Cart.total", "Cart.total.helper", "Cart.Line.price", "fetch"]
    );
    let total = function(&m, "Cart.total");
    assert_eq!(total.class.as_deref(), Some("Cart"));
    assert_eq!((total.def_line, total.body.start, total.body.end), (3, 4, 6));
    let helper = function(&m, "Cart.total.helper");
    assert_eq!(helper.parent_function.as_deref(), Some("Cart.total"));
    assert!(function(&m, "fetch").is_async);
    // A one-line body starts on the def line, as coverage.py scopes it.
    assert_eq!(function(&m, "Cart.Line.price").body.start, 9);
}

#[test]
fn parameters_of_every_kind() {
    let m = module("def f(a, b: int, /, c=1, *args: str, d, e: float = 2.5, **kw) -> bool: ...\n");
    let f = function(&m, "f");
    let got: Vec<(&str, ParamKind, Option<&str>, Option<&str>)> = f
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.kind, p.annotation.as_deref(), p.default.as_deref()))
        .collect();
    use ParamKind::*;
    assert_eq!(
        got,
        [
            ("a", PositionalOnly, None, None),
            ("b", PositionalOnly, Some("int"), None),
            ("c", Regular, None, Some("1")),
            ("args", VarPositional, Some("str"), None),
            ("d", KeywordOnly, None, None),
            ("e", KeywordOnly, Some("float"), Some("2.5")),
            ("kw", VarKeyword, None, None),
        ]
    );
    assert_eq!(f.returns.as_deref(), Some("bool"));
    let g = function(&module("def g(*, key): pass\n"), "g").params.clone();
    assert_eq!(g[0].kind, KeywordOnly);
}

#[test]
fn decorators_raises_and_docstrings() {
    let m = module(
        r#"
import pytest

class Shop:
    @staticmethod
    def make():
        """Build one.

        Second line.
        """
        raise errors.ShopError("x") from None

    @property
    def name(self):
        if self._n is None:
            raise ValueError
        raise

@pytest.fixture(scope="module")
def shop():
    return Shop()
"#,
    );
    let make = function(&m, "Shop.make");
    assert_eq!(make.decorators[0].name, "staticmethod");
    assert_eq!(make.docstring.as_deref(), Some("Build one.\n\nSecond line."));
    assert_eq!(
        make.raises,
        [Raise {
            exception: "errors.ShopError".into(),
            line: 11
        }]
    );
    assert_eq!(
        function(&m, "Shop.name").raises.len(),
        1,
        "a bare re-raise names nothing"
    );
    let shop = function(&m, "shop");
    assert_eq!(shop.decorators[0].name, "pytest.fixture");
    assert_eq!(shop.decorators[0].text, "pytest.fixture(scope=\"module\")");
    assert_eq!(shop.start_line, 19);
    assert_eq!(shop.def_line, 20);
    assert!(m.docstring_lines.contains(&LineRange { start: 7, end: 10 }));
}

#[test]
fn complexity_counts_the_documented_constructs() {
    let m = module(
        r#"
def f(xs, n):
    if n > 1 and n < 5 or n == 9:
        pass
    elif n:
        pass
    else:
        pass
    for x in xs:
        while x:
            x -= 1
    try:
        pass
    except ValueError:
        pass
    except (TypeError, KeyError):
        pass
    y = 1 if n else 2
    z = [x for x in xs if x]
    match n:
        case 1:
            pass
        case _:
            pass
    def inner():
        if n: pass
"#,
    );
    // 1 + if + 2 bool ops + elif + for + while + 2 except + ternary
    // + comprehension if + 2 cases
    assert_eq!(function(&m, "f").complexity, 13);
    assert_eq!(function(&m, "f.inner").complexity, 2);
}

#[test]
fn comparisons_against_literals() {
    let m = module(
        r#"
def f(n, fmt, code, items, other=None):
    if n > 10:
        pass
    if 0 <= n:
        pass
    if fmt == "json":
        pass
    if code in ("EU", "US"):
        pass
    if len(items) >= 3:
        pass
    if other is None:
        pass
    if local == 3:
        pass
    match fmt:
        case "csv" | "tsv":
            pass
"#,
    );
    let got: Vec<(String, bool, String, Vec<String>)> = function(&m, "f")
        .comparisons
        .iter()
        .map(|c| (c.param.clone(), c.on_length, c.op.clone(), c.literals.clone()))
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        [
            ("n".into(), false, ">".into(), s(&["10"])),
            ("n".into(), false, ">=".into(), s(&["0"])),
            ("fmt".into(), false, "==".into(), s(&["\"json\""])),
            ("code".into(), false, "in".into(), s(&["\"EU\"", "\"US\""])),
            ("items".into(), true, ">=".into(), s(&["3"])),
            ("other".into(), false, "is".into(), s(&["None"])),
            ("fmt".into(), false, "case".into(), s(&["\"csv\"", "\"tsv\""])),
        ]
    );
}

#[test]
fn classes_and_their_flags() {
    let m = module(
        r#"
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple, ClassVar

@dataclass(frozen=True)
class Item:
    sku: str
    qty: int = 1
    registry: ClassVar[dict] = {}

class Color(Enum):
    RED = 1
    GREEN = 2

class Point(NamedTuple):
    x: int
    y: int

class OutOfStock(ValueError):
    pass

class Cart:
    def __init__(self, owner, *, currency="EUR"):
        self.owner = owner
"#,
    );
    let class = |name: &str| m.classes.iter().find(|c| c.name == name).unwrap();
    let item = class("Item");
    assert!(item.is_dataclass);
    let fields: Vec<_> = item
        .init_params
        .iter()
        .map(|p| (p.name.as_str(), p.default.as_deref()))
        .collect();
    assert_eq!(fields, [("sku", None), ("qty", Some("1"))]);
    assert!(class("Color").is_enum);
    assert_eq!(class("Color").members, ["RED", "GREEN"]);
    assert!(class("Point").is_namedtuple);
    assert!(class("OutOfStock").is_exception);
    let cart: Vec<_> = class("Cart").init_params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(cart, ["owner", "currency"]);
    assert_eq!(
        m.top_level_names,
        [
            "Cart",
            "ClassVar",
            "Color",
            "Enum",
            "Item",
            "NamedTuple",
            "OutOfStock",
            "Point",
            "dataclass"
        ]
    );
}

#[test]
fn syntax_errors_keep_what_parses() {
    let m = module("def good(a):\n    return a\n\ndef bad(:\n    pass\n\ndef after():\n    return 2\n");
    assert!(!m.syntax_errors.is_empty());
    assert_eq!(m.syntax_errors[0].line, 4);
    assert!(names(&m).contains(&"good"));
    assert!(names(&m).contains(&"after"));
}

#[test]
fn binary_and_odd_input() {
    assert!(matches!(
        analyze(&mut parser(), b"\x00\x01ELF"),
        Err(SourceError::Binary)
    ));
    // Latin-1 bytes are not UTF-8 but still Python-shaped.
    let m = analyze(&mut parser(), b"# caf\xe9\ndef f():\n    return '\xe9'\n").unwrap();
    assert_eq!(m.functions.len(), 1);
    assert_eq!(module("").line_count, 0);
    assert_eq!(module("x = 1").line_count, 1);
    // CRLF line endings and tabs.
    let m = module("def f(a):\r\n\tif a == 1:\r\n\t\treturn 2\r\n\treturn 3\r\n");
    let f = function(&m, "f");
    assert_eq!((f.body.start, f.body.end), (2, 4));
    assert_eq!(f.complexity, 2);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let expr = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let chain = format!("def f(a):\n    return a{}\n", " + a".repeat(50_000));
    for src in [expr, chain] {
        let _ = analyze(&mut parser(), src.as_bytes());
    }
}

#[test]
fn outline_finds_the_same_definitions() {
    let src = r#"
import os

@decorator(x if y else z)
class A(Base):
    """Doc."""
    def f(self, n=1):
        if n:
            def g():
                return [lambda: 1 for _ in range(3)]
        try:
            pass
        except E:
            class Inner:
                async def h(self): ...
        match n:
            case 1:
                def k(): pass

def top():
    with open(p) as fh:
        def w(): pass
"#;
    let tree = parse(&mut parser(), src.as_bytes(), None).unwrap();
    let full = analyze_tree(&tree, src.as_bytes());
    let outline = outline_tree(&tree, src.as_bytes());
    let shape = |m: &Module| -> Vec<(String, u32, u32, u32)> {
        m.functions
            .iter()
            .map(|f| (f.qualname.clone(), f.def_line, f.body.start, f.body.end))
            .collect()
    };
    assert_eq!(shape(&outline), shape(&full));
    assert_eq!(outline.functions.len(), 6);
    assert_eq!(outline.docstring_lines, full.docstring_lines);
    assert_eq!(outline.classes.len(), 2);
    assert_eq!(
        function(&outline, "A.f").complexity,
        1,
        "the outline does not measure bodies"
    );
    assert_eq!(function(&full, "A.f").complexity, 4);
}

#[test]
fn coverage_regions_only_through_body_blocks() {
    let m = module(
        r#"
def outer(sep):
    if callable(sep):
        def a(x): return x
    elif sep:
        def b(x): return x
    else:
        def c(x):
            def deep(): pass
    try:
        def d(): pass
    except E:
        def e(): pass
    for _ in ():
        def f(): pass
    match sep:
        case 1:
            def g(): pass
"#,
    );
    let regions: Vec<(&str, bool)> = m
        .functions
        .iter()
        .map(|f| (f.qualname.as_str(), f.coverage_region))
        .collect();
    assert_eq!(
        regions,
        [
            ("outer", true),
            ("outer.a", true),
            ("outer.b", false),
            ("outer.c", false),
            ("outer.c.deep", false),
            ("outer.d", true),
            ("outer.e", false),
            ("outer.f", true),
            ("outer.g", false),
        ]
    );
}
