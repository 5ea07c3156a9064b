use super::*;
use crate::generate::mine;
use crate::generate::resolve::{ModuleInfo, Workspace};
use crate::python;
use std::path::Path;

/// The candidates of every parameter of `function` in `src` (module `m`),
/// one line per parameter: `name: expr [label], …`, mined values marked `*`.
fn candidates_of(src: &str, function: &str) -> String {
    let mut parser = python::parser();
    let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
    let info = Rc::new(ModuleInfo::from_tree(Path::new("m.py"), "m", &tree, src.as_bytes()));
    let ws = Workspace::new(Vec::new());
    ws.insert(info.clone());
    let f = info.model.functions.iter().find(|f| f.qualname == function).unwrap();
    let comparisons = mine::comparisons(tree.root_node(), src.as_bytes(), f);
    let usage = crate::generate::usage::usages(tree.root_node(), src.as_bytes(), f);
    let ctx = Context {
        ws: &ws,
        owner: info.clone(),
    };
    let mut out = String::new();
    for p in &f.params {
        let on: Vec<&Comparison> = comparisons.iter().filter(|c| c.param == p.name).collect();
        let values: Vec<String> = for_param_with(&ctx, p, &on, usage.get(&p.name))
            .iter()
            .map(|c| {
                let star = if c.mined { "*" } else { "" };
                format!("{}{star} [{}]", c.expr, c.label)
            })
            .collect();
        out.push_str(&format!("{}: {}\n", p.name, values.join(", ")));
    }
    out
}

#[track_caller]
fn check(src: &str, function: &str, expect: &str) {
    let got = candidates_of(src, function);
    let want = expect.trim_start_matches('\n');
    assert_eq!(got, want, "\n--- got ---\n{got}--- want ---\n{want}");
}

#[test]
fn numbers_around_each_bound() {
    check(
        r#"
def bulk(qty: int, rate: float = 0.5):
    if qty > 100:
        return 1
    if rate <= 0.25:
        return 2
"#,
        "bulk",
        r#"
qty: 2 [qty_2], 99* [qty_below_100], 100* [qty_at_100], 101* [qty_above_100], 1 [qty_1], 0 [qty_zero], -1 [qty_minus_1], 10 [qty_10], 1234567 [qty_large]
rate: 1.5 [rate_1_5], 0.125* [rate_below_0_25], 0.25* [rate_at_0_25], 0.375* [rate_above_0_25], 0.0 [rate_zero], -1.0 [rate_negative], 100.0 [rate_100], 1234567.25 [rate_large], float("inf") [rate_infinite]
"#,
    );
}

#[test]
fn strings_compared_and_listed() {
    check(
        r#"
def export(fmt: str, country):
    if fmt == "json":
        return 1
    match fmt.lower():
        case "csv" | 'tsv':
            return 2
    if country in ("EU", "US"):
        return 3
"#,
        "export",
        r#"
fmt: "abc" [fmt_abc], "json"* [fmt_json], "other"* [fmt_other], "csv"* [fmt_csv], "tsv"* [fmt_tsv], "" [fmt_empty], "Hello, World!" [fmt_text]
country: 1 [country_1], "EU"* [country_eu], "US"* [country_us], "other"* [country_other], "abc" [country_abc], None [country_none]
"#,
    );
}

#[test]
fn lengths_of_collections_and_strings() {
    check(
        r#"
def pick(items: list[str], code: str):
    if len(items) >= 3:
        return items[0]
    if len(code) != 2:
        raise ValueError(code)
"#,
        "pick",
        r#"
items: ["abc", ""] [items_two], ["abc", "", "abc"]* [items_len_3], ["abc", "", "abc", ""]* [items_len_4], [] [items_empty], ["abc"] [items_single]
code: "abc" [code_abc], "a"* [code_len_1], "ab"* [code_len_2], "" [code_empty], "Hello, World!" [code_text]
"#,
    );
}

#[test]
fn optional_literal_enum_and_dataclass() {
    check(
        r#"
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Optional

class Color(enum.Enum):
    RED = "r"
    GREEN = "g"

@dataclass
class Item:
    sku: str
    price: Decimal
    qty: int = 1

def paint(color: Color, mode: Literal["fast", "slow"], item: Item, limit: Optional[int] = None):
    pass
"#,
        "paint",
        r#"
color: Color.RED [color_red], Color.GREEN [color_green]
mode: "fast" [mode_fast], "slow" [mode_slow]
item: Item("abc", Decimal("1.50")) [item_item]
limit: 2 [limit_2], 1 [limit_1], 0 [limit_zero], -1 [limit_minus_1], 10 [limit_10], 1234567 [limit_large], None [limit_none]
"#,
    );
}

#[test]
fn names_hint_at_paths_streams_and_flags() {
    check(
        r#"
from pathlib import Path

def save(path: Path, out_dir, stream, verbose=False, *names):
    pass
"#,
        "save",
        r#"
path: tmp_path / "sample.txt" [path_existing_file], tmp_path / "missing.txt" [path_missing_file], tmp_path [path_directory]
out_dir: tmp_path [out_dir_tmp_dir], tmp_path / "new_dir" [out_dir_new_dir]
stream: io.StringIO() [stream_empty_stream], io.StringIO("abc\n") [stream_stream]
verbose: True [verbose_true], False [verbose_false]
names: ["abc", "Hello, World!"] [names_two], [] [names_empty], ["abc"] [names_single]
"#,
    );
}

#[test]
fn decimals_keep_their_type_at_bounds() {
    check(
        r#"
from decimal import Decimal

def tax(amount: Decimal | None):
    if amount < 0:
        raise ValueError
"#,
        "tax",
        r#"
amount: Decimal("1.50") [amount_1_50], Decimal("-1")* [amount_below_0], Decimal("0")* [amount_at_0], Decimal("1")* [amount_above_0], Decimal("100") [amount_100], None [amount_none]
"#,
    );
}

#[test]
fn values_carry_their_imports_and_setup() {
    let src = "from pathlib import Path\nimport datetime\n\
               def f(p: Path, when: datetime.date, d: 'Decimal'): pass\n";
    let mut parser = python::parser();
    let tree = python::parse(&mut parser, src.as_bytes(), None).unwrap();
    let info = Rc::new(ModuleInfo::from_tree(Path::new("m.py"), "m", &tree, src.as_bytes()));
    let ws = Workspace::new(Vec::new());
    ws.insert(info.clone());
    let ctx = Context {
        ws: &ws,
        owner: info.clone(),
    };
    let f = &info.model.functions[0];
    let path = for_param_with(&ctx, &f.params[0], &[], None);
    assert!(path[0].tmp_path);
    assert_eq!(path[0].setup, ["(tmp_path / \"sample.txt\").write_text(\"hello\\n\")"]);
    let when = for_param_with(&ctx, &f.params[1], &[], None);
    assert_eq!(when[0].expr, "datetime.date(2024, 1, 31)");
    assert!(when[0].imports.contains("import datetime"));
    let d = for_param_with(&ctx, &f.params[2], &[], None);
    assert!(d[0].imports.contains("from decimal import Decimal"));
}

#[test]
fn untyped_parameters_take_the_shape_of_their_uses() {
    check(
        r#"
def f(d, func, seq, int_list, funcs, fname, x, it):
    for k, v in d.items():
        func(v)
    for item in seq:
        pass
    if isinstance(x, (bytes, list)):
        return sorted(int_list), reversed(funcs)
    return helper(*tee(it))
"#,
        "f",
        r#"
d: {"abc": 2} [d_single], {} [d_empty], 1 [d_1], "abc" [d_abc], None [d_none]
func: lambda *args, **kwargs: None [func_noop], str [func_str]
seq: ["a", "b"] [seq_two], [] [seq_empty], ["a"] [seq_single], [1, 2] [seq_two], [1] [seq_single], iter([1, 2]) [seq_iterator]
int_list: [1, 2] [int_list_two], [] [int_list_empty], [1] [int_list_single], iter([1, 2]) [int_list_iterator]
funcs: [lambda *args, **kwargs: None, str] [funcs_two], [] [funcs_empty], [lambda *args, **kwargs: None] [funcs_single], iter([lambda *args, **kwargs: None, str]) [funcs_iterator], 1 [funcs_1], "abc" [funcs_abc], None [funcs_none]
fname: tmp_path / "sample.txt" [fname_existing_file], tmp_path / "missing.txt" [fname_missing_file], tmp_path [fname_directory], "abc" [fname_abc]
x: 1 [x_1], b"abc"* [x_bytes], [1, 2]* [x_two], "abc" [x_abc], None [x_none]
it: 1 [it_1], "abc" [it_abc], [1, 2] [it_list], None [it_none]
"#,
    );
}

#[test]
fn table_keys_and_affixes() {
    check(
        r##"
import enum

class Unit(enum.Enum):
    SECONDS = 1
    MINUTES = 2

SUFFIXES = {"kb": 1, "mb": 2}

def f(unit, suffix, word):
    u = Unit[unit.upper()]
    if word.endswith("ies") or word.startswith("#"):
        return SUFFIXES.get(suffix)
"##,
        "f",
        r##"
unit: "abc" [unit_abc], "seconds"* [unit_seconds], "minutes"* [unit_minutes], "" [unit_empty], "Hello, World!" [unit_text], 1 [unit_1], None [unit_none]
suffix: "abc" [suffix_abc], "kb"* [suffix_kb], "mb"* [suffix_mb], "" [suffix_empty], "Hello, World!" [suffix_text]
word: "abc" [word_abc], "abcies"* [word_ending_with_ies], "#abc"* [word_starting_with_symbol], "" [word_empty], "Hello, World!" [word_text]
"##,
    );
}
