use super::*;
use crate::generate::plan::combinations;
use crate::generate::plan::tests::plan_of;
use crate::generate::probe::probe_case;
use serde_json::json;

/// Renders the cases of `qualname` in `src` named by their labels, with the
/// records the probe would have written; the imports follow the functions.
fn render(src: &str, qualname: &str, cases: &[(&str, serde_json::Value)]) -> String {
    render_avoiding(src, qualname, cases, &[])
}

fn render_avoiding(src: &str, qualname: &str, cases: &[(&str, serde_json::Value)], taken: &[&str]) -> String {
    let plan = plan_of(src, qualname).unwrap();
    let specs: Vec<ProbeCase> = combinations(&plan.dims, 64)
        .iter()
        .map(|picks| probe_case(&plan, picks))
        .collect();
    let records: Vec<CaseRecord> = cases
        .iter()
        .map(|(_, v)| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let chosen: Vec<Chosen> = cases
        .iter()
        .zip(&records)
        .map(|((label, _), record)| {
            let case = specs
                .iter()
                .position(|s| case_label(&plan, &s.picks) == *label)
                .unwrap_or_else(|| {
                    let all: Vec<String> = specs.iter().map(|s| case_label(&plan, &s.picks)).collect();
                    panic!("no case `{label}` in {all:?}")
                });
            Chosen {
                target: 0,
                case,
                plan: &plan,
                spec: &specs[case],
                record,
            }
        })
        .collect();
    let taken: BTreeSet<String> = taken.iter().map(|s| s.to_string()).collect();
    let rendered = render_tests(&chosen, &taken);
    let imports: Vec<&str> = rendered.imports.iter().map(String::as_str).collect();
    format!("{}# imports: {}\n", rendered.functions, imports.join(" | "))
}

#[track_caller]
fn check(got: String, expect: &str) {
    let want = expect.trim_start_matches('\n');
    assert_eq!(got, want, "\n--- got ---\n{got}--- want ---\n{want}");
}

fn returns(src: &str, imports: &[&str]) -> serde_json::Value {
    json!({"outcome": "return", "value": {"kind": "literal", "src": src, "imports": imports}})
}

fn raises(name: &str, message: &str) -> serde_json::Value {
    json!({"outcome": "raise", "exception": {
        "type": {"src": name, "imports": []}, "name": name, "message": message}})
}

const PRICING: &str = r#"
from decimal import Decimal

def bulk_discount(qty: int, unit_price: Decimal) -> Decimal:
    if qty <= 0:
        raise ValueError("qty must be positive")
    if qty > 100:
        return unit_price
    return Decimal("0.00")
"#;

#[test]
fn same_shape_cases_are_parametrized() {
    check(
        render(
            PRICING,
            "bulk_discount",
            &[
                (
                    "typical",
                    returns("Decimal(\"0.00\")", &["from decimal import Decimal"]),
                ),
                (
                    "qty_above_100",
                    returns("Decimal(\"1.50\")", &["from decimal import Decimal"]),
                ),
                ("qty_at_0", raises("ValueError", "qty must be positive")),
            ],
        ),
        r#"
@pytest.mark.parametrize(
    ("qty", "expected"),
    [
        pytest.param(2, Decimal("0.00"), id="typical"),
        pytest.param(101, Decimal("1.50"), id="qty_above_100"),
    ],
)
def test_bulk_discount_returns_expected(qty, expected):
    assert bulk_discount(qty, Decimal("1.50")) == expected


def test_bulk_discount_rejects_qty_at_0():
    with pytest.raises(ValueError, match=re.escape("qty must be positive")):
        bulk_discount(0, Decimal("1.50"))
# imports: from decimal import Decimal | from m import bulk_discount | import pytest | import re
"#,
    );
}

#[test]
fn errors_with_different_messages_share_a_test() {
    check(
        render(
            PRICING,
            "bulk_discount",
            &[
                ("qty_at_0", raises("ValueError", "qty must be positive")),
                ("qty_below_0", raises("ValueError", "negative (-1)")),
            ],
        ),
        r#"
@pytest.mark.parametrize(
    ("qty", "message"),
    [
        pytest.param(0, "qty must be positive", id="qty_at_0"),
        pytest.param(-1, "negative (-1)", id="qty_below_0"),
    ],
)
def test_bulk_discount_raises_value_error(qty, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        bulk_discount(qty, Decimal("1.50"))
# imports: from decimal import Decimal | from m import bulk_discount | import pytest | import re
"#,
    );
}

const INVENTORY: &str = r#"
class Inventory:
    def __init__(self, stock: dict[str, int] | None = None) -> None:
        self._stock = dict(stock or {})
        self.log = []

    def receive(self, sku: str, qty: int) -> None:
        self.log.append(sku)

    def export(self, stream) -> int:
        stream.write("x")
        return 1

    def snapshot(self) -> "Inventory":
        return self
"#;

#[test]
fn state_changes_are_asserted_public_first() {
    let changes = json!({
        "outcome": "return",
        "value": {"kind": "literal", "src": "None"},
        "watched": {"inventory": [
            {"template": "{}._stock", "desc": {"kind": "literal", "src": "{\"abc\": 2}"}, "private": true},
            {"template": "{}.log", "desc": {"kind": "literal", "src": "[\"abc\"]"}, "private": false},
        ]},
    });
    check(
        render(INVENTORY, "Inventory.receive", &[("typical", changes)]),
        r#"
def test_inventory_receive_changes_log():
    inventory = Inventory()
    inventory.receive("abc", 2)
    assert inventory.log == ["abc"]
# imports: from m import Inventory
"#,
    );
}

#[test]
fn changed_arguments_are_bound_and_asserted() {
    let written = json!({
        "outcome": "return",
        "value": {"kind": "literal", "src": "1"},
        "watched": {"stream": [
            {"template": "{}.getvalue()", "desc": {"kind": "literal", "src": "\"x\""}},
        ]},
    });
    check(
        render(INVENTORY, "Inventory.export", &[("typical", written)]),
        r#"
def test_inventory_export_returns_1():
    inventory = Inventory()
    stream = io.StringIO()
    assert inventory.export(stream) == 1
    assert stream.getvalue() == "x"
# imports: from m import Inventory | import io
"#,
    );
}

#[test]
fn objects_are_asserted_by_type_and_attributes() {
    let object = json!({
        "outcome": "return",
        "value": {"kind": "object", "type": {"src": "Inventory", "imports": ["from m import Inventory"]},
                  "attrs": [{"template": "{}.log", "desc": {"kind": "literal", "src": "[]"}},
                            {"template": "len({})", "desc": {"kind": "literal", "src": "0"}}]},
    });
    check(
        render(INVENTORY, "Inventory.snapshot", &[("typical", object)]),
        r#"
def test_inventory_snapshot():
    inventory = Inventory()
    result = inventory.snapshot()
    assert isinstance(result, Inventory)
    assert result.log == []
    assert len(result) == 0
# imports: from m import Inventory
"#,
    );
}

#[test]
fn nothing_to_assert_is_not_a_test() {
    let record = |v: serde_json::Value| serde_json::from_value::<CaseRecord>(v).unwrap();
    let bare = json!({"outcome": "return", "value": {"kind": "object", "type": null, "attrs": []}});
    assert!(!assertable(&record(bare)));
    assert!(!assertable(&record(
        json!({"outcome": "return", "value": {"kind": "unstable"}})
    )));
    assert!(!assertable(&record(json!({"outcome": "timeout"}))));
    assert!(assertable(&record(returns("None", &[]))));
    assert!(assertable(&record(raises("KeyError", "'a'"))));
}

#[test]
fn generators_the_probe_saw_end_are_consumed_whole() {
    let src = "def chunks(items: list[int], size: int):\n    yield items\n";
    let ended = json!({"outcome": "return",
        "value": {"kind": "literal", "src": "[[1, 2]]", "len": 1}});
    let endless = json!({"outcome": "return",
        "value": {"kind": "literal", "src": "[[1, 2]]", "len": 51}});
    check(
        render(src, "chunks", &[("typical", ended), ("items_empty", endless)]),
        r#"
def test_chunks_returns_1_2():
    assert list(chunks([1, 2], 2)) == [[1, 2]]


def test_chunks_with_items_empty():
    assert list(itertools.islice(chunks([], 2), 51)) == [[1, 2]]
# imports: from m import chunks | import itertools
"#,
    );
}

#[test]
fn returned_iterators_are_consumed_like_generators() {
    let src = "def evens(items: list[int]):\n    return filter(lambda x: x % 2 == 0, items)\n";
    let ended = json!({"outcome": "return", "consumed": true,
        "value": {"kind": "literal", "src": "[2]", "len": 1}});
    let endless = json!({"outcome": "return", "consumed": true,
        "value": {"kind": "literal", "src": "[2]", "len": 51}});
    check(
        render(src, "evens", &[("typical", ended), ("items_empty", endless)]),
        r#"
def test_evens_returns_2():
    assert list(evens([1, 2])) == [2]


def test_evens_with_items_empty():
    assert list(itertools.islice(evens([]), 51)) == [2]
# imports: from m import evens | import itertools
"#,
    );
}

#[test]
fn async_floats_and_taken_names() {
    let src = "async def ratio(a: float, b: float) -> float:\n    return a / b\n";
    check(
        render_avoiding(
            src,
            "ratio",
            &[(
                "typical",
                json!({"outcome": "return",
                "value": {"kind": "literal", "src": "1.0", "approx": true}}),
            )],
            &["test_ratio_returns_1_0"],
        ),
        r#"
def test_ratio_returns_1_0_2():
    assert asyncio.run(ratio(1.5, 1.5)) == pytest.approx(1.0)
# imports: from m import ratio | import asyncio | import pytest
"#,
    );
}
