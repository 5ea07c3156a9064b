//! Fixers on the failures of the captured sample run (see
//! `classify/tests.rs`): the first candidate's edit, or the refusal.

use super::*;
use crate::fix::classify::classify;
use crate::fix::classify::tests::sample;
use crate::fix::source::apply_edits;

/// The proposal for `nodeid` (without git: drift needs `accept_drift`).
fn propose_for(nodeid: &str, accept_drift: bool) -> (Proposal, crate::fix::run::Overrides) {
    let (workspace, overrides, report) = sample();
    let status = report.status(nodeid);
    let failure = status.failure().unwrap_or_else(|| panic!("{nodeid}: {status:?}"));
    let texts = Texts::new(&overrides);
    let diagnosis = classify(failure, &workspace, &texts);
    let ctx = Context {
        workspace: &workspace,
        texts: &texts,
        git: None,
        accept_drift,
    };
    let proposal = propose(&diagnosis, failure, &ctx);
    (proposal, overrides.clone())
}

/// The first candidate applied: its description, and the changed lines of
/// each file (`-old` / `+new`).
fn first(nodeid: &str, accept_drift: bool) -> (String, EditKind, Vec<String>) {
    let (proposal, overrides) = propose_for(nodeid, accept_drift);
    let candidate = match proposal {
        Proposal::Candidates(c) => c.into_iter().next().unwrap(),
        Proposal::Refused { reason, .. } => panic!("{nodeid} refused: {reason}"),
    };
    let mut lines = Vec::new();
    for (path, edits) in &candidate.edits {
        let before = &overrides[path];
        let after = apply_edits(before, edits).unwrap();
        for change in similar::TextDiff::from_lines(before.as_str(), after.as_str()).iter_all_changes() {
            match change.tag() {
                similar::ChangeTag::Delete => lines.push(format!("-{}", change.value().trim_end())),
                similar::ChangeTag::Insert => lines.push(format!("+{}", change.value().trim_end())),
                similar::ChangeTag::Equal => {}
            }
        }
    }
    (candidate.description, candidate.kind, lines)
}

fn refusal(nodeid: &str, accept_drift: bool) -> (String, Option<String>) {
    match propose_for(nodeid, accept_drift).0 {
        Proposal::Refused { reason, suggestion } => (reason, suggestion),
        Proposal::Candidates(c) => panic!("{nodeid} was not refused: {:?}", c[0].description),
    }
}

fn check(nodeid: &str, description: &str, diff: &[&str]) {
    let (got, kind, lines) = first(nodeid, false);
    assert_eq!(got, description, "{nodeid}");
    assert_eq!(kind, EditKind::Repair, "{nodeid}");
    assert_eq!(lines, diff, "{nodeid}");
}

#[test]
fn imports() {
    check(
        "tests/test_imp.py::test_a",
        "import `Cart` from `shop.pricing` instead of `shop.cart`",
        &["-from shop.cart import Cart", "+from shop.pricing import Cart"],
    );
    check(
        "tests/test_moved_module.py::test_total",
        "import from `shop.pricing` instead of `shop.prices`",
        &["-from shop.prices import total", "+from shop.pricing import total"],
    );
    check(
        "tests/test_more.py::test_name_error",
        "import `tax_rate` from `shop.pricing`",
        &[
            "-from shop.pricing import Cart",
            "+from shop.pricing import Cart, tax_rate",
        ],
    );
}

#[test]
fn attributes() {
    check(
        "tests/test_more.py::test_module_attribute",
        "`shop.pricing.totl` was renamed `total`",
        &[
            "-    assert pricing.totl([1]) == 1",
            "+    assert pricing.total([1]) == 1",
        ],
    );
    check(
        "tests/test_shop.py::test_attr",
        "`Cart.total` was renamed `grand_total`",
        &["-    assert cart.total() == 3", "+    assert cart.grand_total() == 3"],
    );
}

#[test]
fn signatures() {
    check(
        "tests/test_shop.py::test_missing_arg",
        "pass `currency=\"EUR\"` to `Cart.__init__()`",
        &[
            "-    cart = Cart(\"ann\")",
            "+    cart = Cart(\"ann\", currency=\"EUR\")",
        ],
    );
    check(
        "tests/test_shop.py::test_kw",
        "pass `discount=` instead of `discont=` to `total()`",
        &[
            "-    assert total([1], discont=1) == 0",
            "+    assert total([1], discount=1) == 0",
        ],
    );
    check(
        "tests/test_more.py::test_too_many_positional",
        "fit the call to `total()`: `discount` is keyword-only",
        &[
            "-    assert pricing.total([1], 1) == 0",
            "+    assert pricing.total([1], discount=1) == 0",
        ],
    );
    let (reason, suggestion) = refusal("tests/test_more.py::test_missing_kwonly", false);
    assert_eq!(
        reason,
        "nothing tells which value to pass for the new parameter `currency`"
    );
    assert_eq!(suggestion.as_deref(), Some("pass `currency` to `make_cart()`"));
}

#[test]
fn mocks() {
    check(
        "tests/test_shop.py::test_patch",
        "patch \"shop.pricing.total\" instead of \"shop.cart.total\"",
        &[
            "-    with mock.patch(\"shop.cart.total\") as fake:",
            "+    with mock.patch(\"shop.pricing.total\") as fake:",
        ],
    );
    check(
        "tests/test_shop.py::test_patch_deco",
        "patch \"shop.pricing.total\" instead of \"shop.pricing.totl\"",
        &[
            "-@mock.patch(\"shop.pricing.totl\")",
            "+@mock.patch(\"shop.pricing.total\")",
        ],
    );
    let (description, kind, lines) = first("tests/test_shop.py::test_mock", true);
    assert_eq!(kind, EditKind::DriftAccepted);
    assert_eq!(
        description,
        "expect the call the code makes now: `assert_called_once_with(\"ann\", subject=\"Your cart\", retries=3)`"
    );
    assert_eq!(
        lines,
        [
            "-    sender.send.assert_called_once_with(\"ann\", subject=\"Your cart\", retries=2)",
            "+    sender.send.assert_called_once_with(\"ann\", subject=\"Your cart\", retries=3)"
        ]
    );
    let (reason, _) = refusal("tests/test_more.py::test_mock_not_called", true);
    assert!(reason.starts_with("the mock was never called"), "{reason}");
}

#[test]
fn fixtures() {
    check(
        "tests/test_shop.py::test_fixture",
        "ask for fixture `database` instead of `db` in `test_fixture`",
        &[
            "-def test_fixture(db):",
            "-    assert db[\"rows\"] == 3",
            "+def test_fixture(database):",
            "+    assert database[\"rows\"] == 3",
        ],
    );
    let (reason, _) = refusal("tests/test_more.py::test_fixture_in_fixture", false);
    assert_eq!(reason, "no available fixture looks like `db_session`");
}

#[test]
fn drift_needs_evidence_that_the_code_changed() {
    let (reason, suggestion) = refusal("tests/test_shop.py::test_total_drift", false);
    assert!(reason.starts_with("possible regression in the code"), "{reason}");
    assert!(suggestion.unwrap().contains("--accept-drift"));
    let (description, kind, lines) = first("tests/test_shop.py::test_total_drift", true);
    assert_eq!(description, "expect `6` instead of `7`");
    assert_eq!(kind, EditKind::DriftAccepted);
    assert_eq!(
        lines,
        ["-    assert total([1, 2, 3]) == 7", "+    assert total([1, 2, 3]) == 6"]
    );
    let (_, _, lines) = first("tests/test_shop.py::test_approx", true);
    assert_eq!(
        lines,
        [
            "-    assert tax_rate(\"FR\") == pytest.approx(0.25)",
            "+    assert tax_rate(\"FR\") == pytest.approx(0.2)"
        ]
    );
    let (_, _, lines) = first("tests/test_shop.py::test_multi", true);
    assert_eq!(
        lines,
        [
            "-    assert total([1, 2]) == {",
            "-        \"a\": 1,",
            "-        \"b\": [1, 2],",
            "-    }",
            "+    assert total([1, 2]) == 3"
        ]
    );
    let (reason, _) = refusal("tests/test_shop.py::test_in", true);
    assert_eq!(reason, "a failed `in` assertion has no single new expected value");
}

#[test]
fn environment_and_code_bugs_are_never_edited() {
    for nodeid in [
        "tests/test_shop.py::test_env",
        "tests/test_shop.py::test_file",
        "tests/test_more.py::test_service",
        "tests/test_third.py::test_a",
        "tests/test_more.py::test_lib_attribute_bug",
        "tests/test_more.py::test_lib_type_bug",
        "tests/test_broken_lib.py::test_price",
        "tests/test_more.py::test_plain_assert",
        "tests/test_more.py::test_none_attribute",
    ] {
        let (_, suggestion) = refusal(nodeid, true);
        if nodeid.contains("env") || nodeid.contains("file") || nodeid.contains("service") {
            assert!(suggestion.is_some(), "{nodeid}");
        }
    }
}

#[test]
fn only_test_code_is_editable() {
    let test = Path::new("/p/tests/test_a.py");
    assert!(editable(test, test));
    assert!(editable(Path::new("/p/tests/conftest.py"), test));
    assert!(editable(Path::new("/p/conftest.py"), test));
    assert!(!editable(Path::new("/p/shop/pricing.py"), test));
    assert!(!editable(Path::new("/p/tests/test_b.py"), test));
}

/// `from <old> import …` after moving the names `moving` to `new`.
fn moved_import(text: &str, moving: &[&str], new: &str) -> String {
    let src = crate::fix::source::Source::parse(text);
    let imports = src.imports();
    let import = &imports[0];
    let names: Vec<&crate::fix::source::ImportedName> = import
        .names
        .iter()
        .filter(|n| moving.contains(&n.name.as_str()))
        .collect();
    let edits = imports::move_names(&src, import, &names, new);
    apply_edits(text, &edits).unwrap()
}

#[test]
fn names_that_moved_together_leave_the_import_together() {
    let text = "from pkg.iter import (first, second,\n                      window, count, pairs,\n                      chunks, last)\nx = 1\n";
    assert_eq!(
        moved_import(text, &["window", "pairs", "chunks"], "pkg.windows"),
        "from pkg.iter import (first, second,\n                      count,\n                      last)\nfrom pkg.windows import window, pairs, chunks\nx = 1\n"
    );
    // A first line emptied: the rest keeps its own lines.
    assert_eq!(
        moved_import("from m import (a, b,\n    c)\n", &["a", "b"], "n"),
        "from m import (\n    c)\nfrom n import a, b\n"
    );
    assert_eq!(
        moved_import("from m import a, b as c, d\n", &["b"], "n"),
        "from m import a, d\nfrom n import b as c\n"
    );
    // All of them: the statement's module changes.
    assert_eq!(
        moved_import("from m import a, b\n", &["a", "b"], "n"),
        "from n import a, b\n"
    );
}

#[test]
fn an_argument_last_on_its_line_goes_with_the_space_before_it() {
    let text = "f(a, b,\n  c)\n";
    let src = crate::fix::source::Source::parse(text);
    let call = crate::fix::source::descendants(src.root())
        .find(|n| n.kind() == "call")
        .unwrap();
    let args = crate::fix::source::call_args(call).unwrap();
    let edit = crate::fix::source::remove_argument(&src, args.positional[1]);
    assert_eq!(apply_edits(text, &[edit]).unwrap(), "f(a,\n  c)\n");
}
