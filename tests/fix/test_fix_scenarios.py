"""`testgap fix --write` on real failures of real libraries.

For every scenario: the tests fail after the change; testgap either fixes them
(they pass, every assertion is still there, only test code changed) or, where
the test is right, changes nothing at all. The categories testgap names are
checked too, so the summary can report classification accuracy.
"""

from __future__ import annotations

import time

import pytest
from fix_support import OUTCOMES, Outcome, first_category, is_test_code, weakened
from scenarios import SCENARIOS, regression_with_a_new_test


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario(scenario, new_project):
    project = new_project(scenario.library)
    if scenario.setup:
        scenario.setup(project)
        project.commit("the project's own changes")
    scenario.refactor(project)
    if scenario.commit_refactor:
        project.commit(scenario.name)
    before = project.snapshot()
    started = time.monotonic()
    result = project.fix("--write", "--format", "json", *scenario.flags, *scenario.nodeids)
    seconds = time.monotonic() - started
    report = result.json()
    assert report["summary"]["failing"] > 0, result.explain("the change breaks no test")
    after = project.snapshot()
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    classified = first_category(report)
    attempts = sum(t["attempts"] for t in report["tests"])
    weaker = [
        f"{rel}: {', '.join(problems)}"
        for rel in changed
        if rel in before and rel in after
        for problems in [weakened(before[rel].decode(), after[rel].decode())]
        if problems
    ]
    only_tests = all(is_test_code(p) for p in changed)
    passing = project.pytest(*scenario.nodeids) if scenario.fixable and result.returncode == 0 else None
    if scenario.fixable:
        correct = result.returncode == 0 and only_tests and not weaker and passing.returncode == 0
    else:
        correct = result.returncode == 1 and not changed
    OUTCOMES.append(
        Outcome(
            scenario.name,
            scenario.library,
            scenario.category,
            scenario.fixable,
            correct,
            classified,
            attempts,
            seconds,
            report["summary"]["failing"],
            weaker,
        )
    )

    # Only test code, ever: the library stays as the refactor left it.
    assert only_tests, result.explain(f"files outside the tests changed: {changed}")
    if not scenario.fixable:
        assert result.returncode == 1, result.explain("a failure the test is right about was reported as fixed")
        assert not changed, result.explain(f"testgap edited {changed} although the test is right")
        assert report["summary"]["fixed"] == 0
        assert classified == scenario.category, result.explain(f"classified as {classified}")
        return
    assert result.returncode == 0, result.explain("not fixed")
    assert not weaker, result.explain(f"weakened: {weaker}")
    assert classified == scenario.category, result.explain(f"classified as {classified}")
    assert changed, result.explain("fixed without an edit?")
    assert passing.returncode == 0, f"still failing after the fix:\n{passing.stdout[-3000:]}"
    if scenario.expect:
        rel, line = scenario.expect
        assert line in project.read(rel), result.explain(f"{rel} lacks {line!r}:\n{project.read(rel)}")


def test_a_committed_regression_is_only_updated_when_asked(new_project):
    """The code changed before the test's last commit: without --accept-drift
    testgap refuses; with it, it offers the new value (as a diff)."""
    project = new_project()
    regression_with_a_new_test(project)
    project.commit("a regression, committed with a new test")
    nodeid = "tests/test_strutils.py::test_format_int_list"
    refused = project.fix(nodeid)
    assert refused.returncode == 1, refused.explain("expected a refusal")
    assert "possible regression in the code" in refused.stdout, refused.explain("no reason given")
    assert "--accept-drift" in refused.stdout
    before = project.snapshot()
    offered = project.fix("--accept-drift", "--format", "json", nodeid)
    assert offered.returncode == 0, offered.explain("not offered with --accept-drift")
    fix = offered.json()["tests"][0]["fixes"][0]
    assert fix["kind"] == "drift_accepted"
    assert project.snapshot() == before, "--diff (the default) must not write"
