"""The bundled example, examples/shop: what a new user runs first."""

from __future__ import annotations

import json

from integration_support import import_name
from support import EXAMPLE, REPO
from support.binary import run_testgap

CHECKED_IN = EXAMPLE / "coverage.json"
LINE_DATA = ("executed_lines", "missing_lines", "excluded_lines", "executed_branches", "missing_branches")


def checked_in() -> dict:
    return json.loads(CHECKED_IN.read_text(encoding="utf-8"))


def test_checked_in_report_is_current(projects):
    """The committed coverage.json is what the example's tests produce today
    (regenerate it as examples/shop/README.md says when this fails)."""
    fresh = projects.get("shop").data
    saved = checked_in()
    assert sorted(saved["files"]) == sorted(fresh["files"])
    stale = []
    for path, entry in fresh["files"].items():
        for key in LINE_DATA:
            if sorted(map(str, saved["files"][path][key])) != sorted(map(str, entry[key])):
                stale.append(f"{path}: {key}")
        if sorted(saved["files"][path]["functions"]) != sorted(entry["functions"]):
            stale.append(f"{path}: function regions")
    assert not stale, "examples/shop/coverage.json is out of date:\n" + "\n".join(stale)
    assert saved["meta"]["branch_coverage"] is True
    assert saved["meta"]["format"] == 3


def test_checked_in_report_has_no_machine_paths():
    text = CHECKED_IN.read_text(encoding="utf-8")
    assert str(REPO) not in text
    assert all(not path.startswith("/") and "\\" not in path for path in checked_in()["files"])


def test_example_spans_good_partial_and_poor_coverage():
    percents = {p: e["summary"]["percent_covered"] for p, e in checked_in()["files"].items()}
    assert percents["shop/cart.py"] > 80
    assert 30 <= percents["shop/pricing.py"] <= 60
    assert 30 <= percents["shop/inventory.py"] <= 60
    assert percents["shop/io/csv_export.py"] < 20


def test_quick_start_audit_in_place():
    """README: `testgap audit --root examples/shop` prints the ranked table."""
    result = run_testgap("audit", "--root", "examples/shop", cwd=REPO)
    assert result.returncode == 0, result.explain("audit of the example failed")
    assert "shop/io/csv_export.py" in result.stdout
    assert "shop/cart.py" not in result.stdout  # 97% covered: above the threshold
    assert "panicked" not in result.stderr


def test_example_json_in_place():
    result = run_testgap("audit", "--root", EXAMPLE, "--format", "json", cwd=REPO)
    audit = result.json()
    assert audit["files"]["total"] == len(checked_in()["files"])
    ranked = {m["path"]: m for m in audit["modules"]}
    assert set(ranked) == {p for p, e in checked_in()["files"].items() if e["summary"]["percent_covered"] < 50}
    for path, module in ranked.items():
        assert module["module"] == import_name(path)
    csv_export = ranked["shop/io/csv_export.py"]
    functions = {f["name"]: f for f in csv_export["functions"]}
    # Method names are qualified by their class, as coverage.py names regions.
    assert "CsvExporter.read_cart" in functions
    assert set(functions["CsvExporter.read_cart"]["raises"]) == {"ValueError"}
    assert functions["CsvExporter.read_cart"]["public"] is True
    assert functions["CsvExporter._line"]["public"] is False
    inventory = {f["name"]: f for f in ranked["shop/inventory.py"]["functions"]}
    # A function nested in an async method is its own entry.
    assert {"Inventory.restock", "Inventory.restock.order"} <= set(inventory)
