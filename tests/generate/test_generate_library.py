"""`testgap generate` on a real library written by other people (boltons
25.0.0 from PyPI, its own tests of the two target modules removed): the
generated tests pass in fresh runs, assert something each, and reach most of
the targeted code."""

from __future__ import annotations

from gen_support import PYTHON, asserts_something, function_lines, generated_tests, lone_isinstance
from support.measure import coverage_data
from support.processes import describe, run

TARGETS = ["boltons/strutils.py", "boltons/mathutils.py"]


def test_generation_succeeds(boltons):
    assert boltons.result.code == 0, describe(boltons.result.proc)
    report = boltons.result.report()
    assert [m["path"] for m in report["modules"]] == TARGETS
    assert sorted(boltons.written()) == ["tests/test_mathutils.py", "tests/test_strutils.py"]
    totals = report["totals"]
    assert totals["tests"] >= 60
    # Most functions get tests; the others say why not.
    assert totals["with_tests"] >= 0.8 * totals["targeted"], totals
    for module in report["modules"]:
        for f in module["functions"]:
            assert f["tests"] > 0 or f["skipped"], f


def test_generated_tests_pass_twice_in_fresh_runs(boltons):
    for _ in range(2):
        proc = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *boltons.written()], boltons.root)
        assert proc.returncode == 0, describe(proc)


def test_every_generated_test_asserts_something(boltons):
    for rel in boltons.written():
        tests = generated_tests(boltons.root / rel, None)
        assert tests
        for function in tests:
            assert asserts_something(function), f"{rel}::{function.name}"
            assert not lone_isinstance(function), f"{rel}::{function.name}"


def test_the_generated_tests_alone_cover_the_targets(boltons):
    report = coverage_data(boltons.root, *boltons.written())
    for path in TARGETS:
        summary = report["files"][path]["summary"]
        # Before: no test of these modules at all.
        assert summary["percent_covered"] >= 60, (path, summary["percent_covered"])
    generated = boltons.result.report()
    for module in generated["modules"]:
        for f in module["functions"]:
            if f["tests"]:
                covered, statements = function_lines(report, module["path"], f["qualname"])
                assert covered > 0, f["qualname"]
                # What testgap reported is what coverage.py measures.
                assert f["after"]["lines_covered"] == covered, f["qualname"]
                assert f["after"]["lines_total"] == statements, f["qualname"]


def test_speed(boltons):
    # Two modules, about 60 functions: probe, render and two pytest runs each.
    assert boltons.seconds < 60, boltons.seconds
