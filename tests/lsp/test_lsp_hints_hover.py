"""Inlay hints, code lenses and hovers: each function's coverage where the
user reads the code, and which tests run a line."""

from __future__ import annotations

import pytest

from lsp_support import Project, line_end, percent, ranges_text, short_label, start, statements

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

FILES = ("kasse/preise.py", "kasse/bon.py", "kasse/einheiten.py", "kasse/export.py")


async def test_inlay_hints_at_the_end_of_each_def_line(client, project: Project, editor: str):
    session = await start(client, project, editor)
    branch = project.report()["meta"]["branch_coverage"]
    assert branch
    labels = set()
    for rel in FILES:
        entry = project.entry(rel)
        lines = entry.lines
        uri = session.open(rel)
        hints = await session.inlay_hints(uri, (0, 0), (len(lines), 0))
        got = {(h.position.line, h.position.character, h.label) for h in hints}
        expected = set()
        for qualname, region in entry.functions().items():
            if region["summary"]["num_statements"]:
                row = entry.sites[qualname].line - 1
                p = line_end(lines, row, session.encoding)
                expected.add((p.line, p.character, short_label(region, branch)))
        assert got == expected, rel
        assert all(h.padding_left for h in hints)
        labels |= {h.label for h in hints}
    assert "untested" in labels and any("branches" in label for label in labels)


async def test_inlay_hints_only_in_the_requested_range(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry("kasse/preise.py")
    uri = session.open("kasse/preise.py")
    rows = sorted(
        entry.sites[q].line - 1
        for q, region in entry.functions().items()
        if region["summary"]["num_statements"]
    )
    low, high = rows[2], rows[5]
    hints = await session.inlay_hints(uri, (low, 0), (high, 0))
    assert sorted(h.position.line for h in hints) == rows[2:6]


async def test_code_lens_titles(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry("kasse/preise.py")
    lenses = await session.code_lenses(session.open("kasse/preise.py"))
    by_line = {lens.range.start.line: lens for lens in lenses}
    for qualname, region in entry.functions().items():
        if not region["summary"]["num_statements"]:
            continue
        lens = by_line.pop(entry.sites[qualname].line - 1)
        title = lens.command.title
        assert title.startswith(short_label(region, True)), (qualname, title)
        if region["missing_lines"]:
            assert title.endswith(f"never run: {ranges_text(statements(region), region['missing_lines'])}")
        else:
            assert "never run" not in title
        assert lens.command.command == "testgap.showFunctionCoverage"
    assert not by_line, "a lens for no function"


def names_text(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


async def test_hover_on_a_def_line(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry("kasse/preise.py")
    uri = session.open("kasse/preise.py")
    for qualname in ("größe", "rabatt", "Straße.beschreibung", "nie_getestet"):
        region = entry.functions()[qualname]
        site = entry.sites[qualname]
        text = await session.hover(uri, site.line - 1, site.name_start)
        assert f"`{qualname}` — {percent(region)}% covered" in text
        s = region["summary"]
        assert f"{s['covered_lines']} of {s['num_statements']} statement" in text
        tests = entry.tests_running(statements(region))
        if tests:
            n = len(tests)
            assert f"Run by {n} test{'s' if n > 1 else ''}: {names_text(tests)}" in text, text
        else:
            assert "No test runs it." in text
        if region["missing_lines"]:
            assert f"Never run: lines {ranges_text(statements(region), region['missing_lines'])}" in text
    # At least one function is run by several tests.
    assert len(entry.tests_running(statements(entry.functions()["rabatt"]))) > 1


async def test_hover_on_body_lines(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry("kasse/preise.py")
    uri = session.open("kasse/preise.py")
    region = entry.functions()["rabatt"]
    for line in region["executed_lines"]:
        text = await session.hover(uri, line - 1, 4)
        tests = entry.tests_running([line])
        n = len(tests)
        assert (
            f"line {line} runs in the test suite, in {n} test{'s' if n > 1 else ''}: {names_text(tests)}"
            in text
        )
    for line in region["missing_lines"]:
        text = await session.hover(uri, line - 1, 4)
        assert f"line {line} never runs" in text
        assert " test: `" not in text and " tests: `" not in text
