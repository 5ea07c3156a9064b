"""publishDiagnostics: one diagnostic per function that has lines no test runs,
and with granularity `lines` one per uncovered range and per branch never taken."""

from __future__ import annotations

import ast

import pytest
from lsprotocol import types

from lsp_support import (
    HINT,
    INFORMATION,
    WARNING,
    FileReport,
    Project,
    diag_key,
    function_diagnostics,
    indent_end,
    line_end,
    line_ranges,
    start,
    statements,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

PARTLY_COVERED = ("kasse/preise.py", "kasse/bon.py", "kasse/einheiten.py", "kasse/export.py")


def range_diagnostics(entry: FileReport, region: dict, encoding: str) -> list[tuple]:
    lines = entry.lines
    out = []
    for a, b in line_ranges(statements(region), region["missing_lines"]):
        start_ = indent_end(lines, a - 1, encoding)
        end = line_end(lines, b - 1, encoding)
        message = f"line {a} never runs" if a == b else f"lines {a}–{b} never run"
        out.append(
            (
                start_.line,
                start_.character,
                end.line,
                end.character,
                "uncovered-lines",
                HINT,
                "testgap",
                message,
            )
        )
    return out


def branch_description(tree: ast.Module, source: int, target: int) -> str:
    """What a user reads for a branch never taken, from the statement at `source`."""
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) != source:
            continue
        if isinstance(node, ast.If):
            return (
                "the condition is never true"
                if target == node.body[0].lineno
                else "the condition is never false"
            )
        if isinstance(node, (ast.For, ast.While)):
            if target == node.body[0].lineno:
                return "the loop body never runs"
            return (
                "the loop never runs to completion"
                if isinstance(node, ast.For)
                else "the loop condition is never false"
            )
    raise AssertionError(f"no branching statement on line {source}")


def branch_diagnostics(entry: FileReport, region: dict, encoding: str) -> list[tuple]:
    lines = entry.lines
    tree = ast.parse(entry.text)
    never_run = set(region["missing_lines"])
    out = []
    for source, target in region["missing_branches"]:
        if source in never_run:  # the line itself has an uncovered-lines diagnostic
            continue
        start_ = indent_end(lines, source - 1, encoding)
        end = line_end(lines, source - 1, encoding)
        message = f"line {source}: {branch_description(tree, source, target)}"
        out.append(
            (
                start_.line,
                start_.character,
                end.line,
                end.character,
                "missing-branch",
                HINT,
                "testgap",
                message,
            )
        )
    return out


async def test_one_diagnostic_per_function_with_lines_never_run(client, project: Project, editor: str):
    session = await start(client, project, editor)
    fully_covered_seen = 0
    for rel in PARTLY_COVERED:
        entry = project.entry(rel)
        expected = function_diagnostics(entry, session.encoding)
        assert expected, f"the fixture should leave functions of {rel} untested"
        got = await session.diagnostics_equal(session.open(rel), expected)
        # The fully covered functions of the file have none.
        covered = set(entry.functions()) - set(entry.uncovered_functions())
        assert not covered & {d.data["function"] for d in got}
        fully_covered_seen += len(covered)
    assert fully_covered_seen, "the fixture should have fully covered functions too"
    session.assert_alive()


async def test_function_diagnostic_details(client, project: Project, editor: str):
    """Spot checks, beside the derived comparison: what a user reads for
    `größe` (one line and one branch never run) and for an untested method."""
    session = await start(client, project, editor)
    entry = project.entry("kasse/preise.py")
    got = await session.diagnostics(session.open("kasse/preise.py"), bool)
    by_function = {d.data["function"]: d for d in got}
    region = entry.functions()["größe"]
    (missing,) = region["missing_lines"]
    d = by_function["größe"]
    shown = region["summary"]["percent_covered_display"]
    assert d.message == f"`größe` — {shown}% covered: line {missing} never run; 1 branch never taken"
    assert d.severity == types.DiagnosticSeverity.Information
    assert d.source == "testgap" and d.code == "uncovered-function"
    line = entry.lines[d.range.start.line]
    assert line.startswith("def größe(")
    method = by_function["Straße.gerade_häuser"]
    assert method.message.startswith("`gerade_häuser` — 0% covered: line ")


async def test_fully_covered_files_get_an_empty_list(client, project: Project, editor: str):
    session = await start(client, project, editor)
    for rel in ("kasse/lager.py", "kasse/__init__.py"):
        entry = project.entry(rel)
        assert not entry.data["missing_lines"], f"{rel} should be fully covered"
        uri = session.open(rel)
        assert await session.diagnostics(uri) == []
        # Still empty once the server has answered a later request.
        await session.hover(uri, 0)
        assert list(session.client.diagnostics[uri]) == []


async def test_granularity_lines_adds_ranges_and_branches(client, project: Project, editor: str):
    session = await start(client, project, editor, options={"granularity": "lines"})
    for rel in PARTLY_COVERED:
        entry = project.entry(rel)
        expected = function_diagnostics(entry, session.encoding)
        for region in entry.uncovered_functions().values():
            expected += range_diagnostics(entry, region, session.encoding)
            expected += branch_diagnostics(entry, region, session.encoding)
        expected += range_diagnostics(entry, entry.module_region(), session.encoding)
        # Functions whose lines all run are the next test's subject.
        others = set(entry.functions()) - set(entry.uncovered_functions())
        want = sorted(expected, key=repr)
        uri = session.open(rel)
        await session.diagnostics(
            uri,
            lambda got, others=others, want=want: (
                sorted((diag_key(d) for d in got if (d.data or {}).get("function") not in others), key=repr)
                == want
            ),
            f"the line-level diagnostics of {rel}:\n" + "\n".join(map(repr, want)),
        )


async def test_branch_never_taken_in_a_function_whose_lines_all_run(client, project: Project, editor: str):
    """`runden`'s lines all run but its `if` is never false: with granularity
    `lines` that branch is reported like any other, and it has no
    function-level diagnostic (no line of it is left unrun)."""
    session = await start(client, project, editor, options={"granularity": "lines"})
    entry = project.entry("kasse/preise.py")
    region = entry.functions()["runden"]
    assert not region["missing_lines"] and region["missing_branches"], (
        "fixture: runden should be partly branched"
    )
    got = await session.diagnostics(session.open("kasse/preise.py"), bool)
    mine = [d for d in got if d.data and d.data.get("function") == "runden"]
    assert [d.code for d in mine] == ["missing-branch"], [d.message for d in mine]
    ((source, _),) = region["missing_branches"]
    assert mine[0].message == f"line {source}: the condition is never false"


async def test_severities_follow_the_settings(client, project: Project, editor: str):
    session = await start(
        client,
        project,
        editor,
        options={
            "testgap": {"granularity": "lines", "functionSeverity": "warning", "lineSeverity": "information"}
        },
    )
    got = await session.diagnostics(session.open("kasse/bon.py"), bool)
    severities = {(d.code, d.severity) for d in got}
    assert severities == {
        ("uncovered-function", WARNING),
        ("uncovered-lines", INFORMATION),
        ("missing-branch", INFORMATION),
    }


async def test_changed_settings_republish_and_keep_the_rest(client, project: Project, editor: str):
    session = await start(client, project, editor, options={"granularity": "lines"})
    uri = session.open("kasse/bon.py")
    got = await session.diagnostics(uri, bool)
    assert {d.code for d in got} >= {"uncovered-function", "uncovered-lines"}
    count = len(got)
    session.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"testgap": {"functionSeverity": "warning"}})
    )
    got = await session.diagnostics(
        uri,
        lambda ds: any(d.severity == WARNING for d in ds),
        "function diagnostics as warnings",
    )
    # Granularity `lines` still holds: only the severity changed.
    assert len(got) == count
    assert {d.severity for d in got if d.code == "uncovered-function"} == {WARNING}
    assert {d.severity for d in got if d.code != "uncovered-function"} == {HINT}
