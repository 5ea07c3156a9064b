"""`testgap generate` on the bundled example project: what it writes passes
in a fresh pytest run, asserts something in every test, keeps existing test
files byte for byte, raises coverage by what it says, and touches nothing
outside the project and its temporary directory."""

from __future__ import annotations

import ast

from gen_support import (
    PYTHON,
    asserts_something,
    copy_example,
    function_lines,
    generate,
    generated_tests,
    lone_isinstance,
    snapshot,
)
from support.measure import coverage_data
from support.processes import describe, run


def test_generates_for_every_module_below_the_threshold(shop):
    assert shop.result.code == 0, describe(shop.result.proc)
    report = shop.result.report()
    assert report["schema_version"] == 1
    paths = [m["path"] for m in report["modules"]]
    # The audit's order: batch shop/io first, then shop.
    assert paths == ["shop/io/csv_export.py", "shop/io/formats.py", "shop/inventory.py", "shop/util.py"]
    assert report["totals"]["tests"] >= 25
    assert all(m["error"] is None for m in report["modules"])
    assert len(shop.written()) == 4


def test_generated_tests_pass_in_a_fresh_run(shop):
    for _ in range(2):
        proc = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *shop.written()], shop.root)
        assert proc.returncode == 0, describe(proc)
        assert " passed" in proc.stdout and "failed" not in proc.stdout


def test_every_generated_test_asserts_something(shop):
    count = 0
    for rel in shop.written():
        for function in generated_tests(shop.root / rel, shop.previous.get(rel)):
            count += 1
            assert asserts_something(function), f"{rel}::{function.name} asserts nothing"
            assert not lone_isinstance(function), f"{rel}::{function.name} only checks a type"
    assert count >= 15


def test_existing_test_files_keep_every_byte(shop):
    appended = [rel for rel in shop.written() if shop.previous.get(rel) is not None]
    assert appended, "the example has test files for some of these modules"
    for rel in appended:
        text = (shop.root / rel).read_text(encoding="utf-8")
        assert text.startswith(shop.previous[rel])
        ast.parse(text)


def test_coverage_goes_up_by_what_testgap_reports(shop):
    after = coverage_data(shop.root, data_file=shop.root.parent / "after.coverage")
    before = shop.coverage_before
    report = shop.result.report()
    gained = 0
    for module in report["modules"]:
        for f in module["functions"]:
            if f["tests"] == 0:
                continue
            was = function_lines(before, module["path"], f["qualname"])
            now = function_lines(after, module["path"], f["qualname"])
            assert now[0] >= was[0], f"{module['path']}::{f['qualname']} lost coverage"
            gained += now[0] - was[0]
            # testgap's figures are coverage.py's figures.
            region = after["files"][module["path"]]["functions"][f["qualname"]]["summary"]
            assert f["after"]["lines_covered"] == region["covered_lines"], f["qualname"]
            assert f["after"]["lines_total"] == region["num_statements"], f["qualname"]
            assert f["after"]["branches_covered"] == region["covered_branches"], f["qualname"]
            assert f["after"]["branches_total"] == region["num_branches"], f["qualname"]
            assert f["before"]["lines_covered"] == was[0], f["qualname"]
    assert gained >= 60
    for path in [m["path"] for m in report["modules"]]:
        assert (
            after["files"][path]["summary"]["percent_covered"] > before["files"][path]["summary"]["percent_covered"]
        ), path


def test_nothing_is_written_outside_the_project(shop):
    changed = {
        path for path in set(shop.before_files) | set(shop.after_files)
        if shop.before_files.get(path) != shop.after_files.get(path)
    }
    assert changed == set(shop.written())
    assert not any(shop.tmpdir.iterdir()), f"left behind: {list(shop.tmpdir.iterdir())}"
    assert not any(shop.home.iterdir())


def test_diff_mode_writes_nothing_and_prints_a_patch(tmp_path):
    root = copy_example(tmp_path / "shop")
    (root / "coverage.json").unlink()
    before = snapshot(root)
    result = generate(root, "shop/pricing.py", "shop/cart.py::Cart", "shop.util:slugify")
    assert result.code == 0, describe(result.proc)
    assert snapshot(root) == before
    out = result.proc.stdout
    assert out.startswith("--- a/tests/test_pricing.py\n+++ b/tests/test_pricing.py\n")
    assert "--- /dev/null\n+++ b/tests/test_cart.py\n" not in out  # test_cart.py exists: appended
    assert "+++ b/tests/test_util.py" in out
    # The patch applies with git to a copy and the result passes.
    patch = tmp_path / "tests.patch"
    patch.write_text(out, encoding="utf-8")
    proc = run(["git", "apply", str(patch)], root)
    assert proc.returncode == 0, describe(proc)
    proc = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], root)
    assert proc.returncode == 0, describe(proc)
    # The summary goes to stderr, one line per function, with its gain.
    assert "TOTAL" in result.proc.stderr
    assert "pass --write" in result.proc.stderr


def test_shards_split_the_batches_deterministically(tmp_path):
    root = copy_example(tmp_path / "shop")
    seen = []
    for k in (1, 2, 3):
        result = generate(root, "--all", "--shard", f"{k}/3", "--no-verify", "--format", "json")
        assert result.code == 0, describe(result.proc)
        seen.append([m["path"] for m in result.report()["modules"]])
    # One package per shard, in the audit's batch order; the third is empty.
    assert seen == [["shop/io/csv_export.py", "shop/io/formats.py"], ["shop/inventory.py", "shop/util.py"], []]
