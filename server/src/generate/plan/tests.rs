use super::*;
use crate::generate::probe::probe_case;
use crate::python;
use std::path::Path;

/// Plans `qualname` in `src` (module `m`).
pub(crate) fn plan_of(src: &str, qualname: &str) -> Result<TargetPlan, String> {
    let mut parser = python::parser();
    let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
    let info = Rc::new(ModuleInfo::from_tree(Path::new("m.py"), "m", &tree, src.as_bytes()));
    let ws = Workspace::new(Vec::new());
    ws.insert(info.clone());
    let index = info
        .model
        .functions
        .iter()
        .position(|f| f.qualname == qualname)
        .unwrap();
    plan_target(&ws, &info, &tree, src.as_bytes(), index)
}

/// Setup and call of every probed case, one per line.
fn calls(src: &str, qualname: &str, cap: usize) -> Vec<String> {
    let plan = plan_of(src, qualname).unwrap();
    combinations(&plan.dims, cap)
        .iter()
        .map(|picks| {
            let case = probe_case(&plan, picks);
            let mut text = case.setup.join("; ");
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&case.call);
            text
        })
        .collect()
}

const SHOP: &str = r#"
import enum
from dataclasses import dataclass

class Currency(enum.Enum):
    EUR = "EUR"
    USD = "USD"

    @property
    def symbol(self) -> str:
        return "€"

    @classmethod
    def parse(cls, code: str) -> "Currency":
        return cls(code)

@dataclass
class Item:
    sku: str
    qty: int = 1

    def __post_init__(self):
        if self.qty <= 0:
            raise ValueError("qty")

class Cart:
    def __init__(self, currency: Currency = Currency.EUR):
        self.items = []

    def add(self, sku: str, qty: int = 1, *, gift: bool = False) -> int:
        return qty

    def __len__(self):
        return 0

    def lines(self):
        yield from self.items

    async def checkout(self, pay: bool) -> bool:
        return pay

def total(items: list[int], discount: float = 0.0) -> float:
    return sum(items) * (1 - discount)

def outer():
    def inner():
        pass
"#;

#[test]
fn baseline_then_one_change_at_a_time() {
    assert_eq!(
        calls(SHOP, "total", 64),
        [
            "items = [1, 2]; total(items)",
            "items = []; total(items)",
            "items = [1]; total(items)",
            "items = [1, 2]; total(items, 1.5)",
            "items = [1, 2]; total(items, 0.0)",
            "items = [1, 2]; total(items, -1.0)",
            "items = [1, 2]; total(items, 100.0)",
            "items = [1, 2]; total(items, 1234567.25)",
            "items = [1, 2]; total(items, float(\"inf\"))",
        ]
    );
    assert_eq!(calls(SHOP, "total", 2).len(), 2, "the cap holds");
}

#[test]
fn methods_build_their_instance_and_defaults_become_keywords() {
    let got = calls(SHOP, "Cart.add", 64);
    assert_eq!(got[0], "cart = Cart(); cart.add(\"abc\")");
    assert!(got.contains(&"cart = Cart(Currency.USD); cart.add(\"abc\")".to_string()));
    assert!(got.contains(&"cart = Cart(); cart.add(\"abc\", gift=True)".to_string()));
    assert!(got.contains(&"cart = Cart(); cart.add(\"abc\", 0)".to_string()));
    // Pairs of booleans and mined values come after single changes.
    assert!(got.len() > 10);
}

#[test]
fn each_form_is_called_its_own_way() {
    assert_eq!(
        calls(SHOP, "Currency.symbol", 64)[0],
        "currency = Currency.EUR; currency.symbol"
    );
    assert_eq!(calls(SHOP, "Currency.parse", 64)[0], "Currency.parse(\"abc\")");
    assert_eq!(calls(SHOP, "Cart.__len__", 64)[0], "cart = Cart(); len(cart)");
    assert_eq!(
        calls(SHOP, "Cart.lines", 64)[0],
        "cart = Cart(); list(itertools.islice(cart.lines(), 51))"
    );
    assert_eq!(
        calls(SHOP, "Cart.checkout", 64)[0],
        "cart = Cart(); asyncio.run(cart.checkout(True))"
    );
    // A dataclass's validation runs through its constructor, and the bound
    // it checks on `self.qty` steers the constructor's `qty`.
    let item = calls(SHOP, "Item.__post_init__", 64);
    assert_eq!(item[0], "Item(\"abc\")");
    assert!(item.contains(&"Item(\"abc\", 0)".to_string()), "{item:?}");
}

#[test]
fn what_is_not_a_target_says_why() {
    assert_eq!(
        plan_of(SHOP, "outer.inner").unwrap_err(),
        "a nested function: tested through `outer`"
    );
    let src = "from typing import Protocol\nclass P(Protocol):\n    def f(self) -> int:\n        ...\n";
    assert_eq!(
        plan_of(src, "P.f").unwrap_err(),
        "`P` is abstract (a Protocol or ABC): no instance to call it on"
    );
}

#[test]
fn arguments_after_an_omitted_default_are_keywords() {
    let plan = plan_of("def f(a, b=1, c=2, *, d=3):\n    pass\n", "f").unwrap();
    let picks: Picks = vec![Some(0), None, Some(0), Some(0)];
    let args = args_for(&plan.dims, 0..4, &picks);
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.keyword.clone().unwrap_or_else(|| format!("#{}", a.dim)))
        .collect();
    assert_eq!(shown, ["#0", "c", "d"]);
}

#[test]
fn operators_take_another_instance() {
    let src = r#"
class Bits:
    __slots__ = ('val', 'len')

    def __init__(self, val=0, len_=None):
        self.val = val

    def __or__(self, other):
        if type(self) is not type(other):
            return NotImplemented
        return Bits(self.val | other.val)
"#;
    assert_eq!(
        calls(src, "Bits.__or__", 64)[0],
        "bits = Bits(); other = Bits(); (bits | other)"
    );
}

#[test]
fn enum_operators_take_other_members_and_property_look_alikes_are_read() {
    let src = r#"
import enum
from typing import Any

class Unit(enum.Enum):
    SECONDS = 0
    MINUTES = 1

    def __lt__(self, other: Any) -> Any:
        if self.__class__ is other.__class__:
            return self.value < other.value
        return NotImplemented

class Wrapper:
    def __init__(self, func):
        self.func = func

    @instanceproperty(classval=None)
    def __doc__(self):
        return self.func.__doc__
"#;
    assert_eq!(
        calls(src, "Unit.__lt__", 64)[..3],
        [
            "unit = Unit.SECONDS; (unit < Unit.SECONDS)",
            "unit = Unit.MINUTES; (unit < Unit.SECONDS)",
            "unit = Unit.SECONDS; (unit < Unit.MINUTES)",
        ]
    );
    assert_eq!(plan_of(src, "Wrapper.__doc__").unwrap().form, Form::Property);
}
