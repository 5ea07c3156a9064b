"""Unsaved edits: the coverage data describes the text on disk; diagnostics,
hovers and hints follow the lines as the user inserts and deletes them."""

from __future__ import annotations

import asyncio

import pytest

from lsp_support import Project, column, diag_key, function_diagnostics, line_end, percent, start
from support.source import lsp_lines

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

REL = "kasse/preise.py"


async def function_diagnostics_now(session, uri: str, expected: list[tuple], what: str):
    return await session.diagnostics(
        uri,
        lambda ds: sorted((diag_key(d) for d in ds if d.code == "uncovered-function"), key=repr) == expected,
        f"{what}:\n" + "\n".join(map(repr, expected)),
    )


async def test_inserted_lines_move_diagnostics_down(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry(REL)
    uri = session.open(REL)
    await session.diagnostics(uri, bool)

    inserted = ["# Notizen:", "# 🛒 neue Zeilen über allem", ""]
    session.edit(uri, (0, 0), (0, 0), "\n".join(inserted) + "\n")
    n = len(inserted)
    lines = inserted + entry.lines
    expected = function_diagnostics(entry, session.encoding, lines=lines, shift=lambda line: line + n)
    await function_diagnostics_now(session, uri, expected, f"diagnostics {n} lines lower")

    # Lines typed since the data was recorded are neither covered nor not.
    for row in range(n):
        assert await session.hover(uri, row) == (
            f"**testgap** · line {row + 1} is new since the coverage data was recorded"
        )
    # The moved lines keep their coverage.
    site = entry.sites["größe"]
    text = await session.hover(uri, site.line - 1 + n, site.name_start)
    assert f"`größe` — {percent(entry.functions()['größe'])}% covered" in text
    (missing,) = entry.functions()["größe"]["missing_lines"]
    assert f"line {missing + n} never runs" in await session.hover(uri, missing - 1 + n, 8)
    hints = await session.inlay_hints(uri, (0, 0), (len(lines), 0))
    assert {h.position.line for h in hints} == {
        entry.sites[q].line - 1 + n for q, r in entry.functions().items() if r["summary"]["num_statements"]
    }


async def test_a_line_added_inside_a_function_is_neither_covered_nor_uncovered(
    client, project: Project, editor
):
    session = await start(client, project, editor, options={"granularity": "lines"})
    entry = project.entry(REL)
    uri = session.open(REL)
    await session.diagnostics(uri, bool)
    region = entry.functions()["grüßen"]
    (missing,) = region["missing_lines"]
    # A new statement just above grüßen's line that never runs.
    at = missing  # 1-based number of the new line
    session.edit(uri, (at - 1, 0), (at - 1, 0), "    text = text.strip()\n")
    lines = entry.lines[: at - 1] + ["    text = text.strip()"] + entry.lines[at - 1 :]

    def shift(line: int) -> int:
        return line if line < at else line + 1

    got = await session.diagnostics(
        uri,
        lambda ds: any(
            d.code == "uncovered-function"
            and d.data["function"] == "grüßen"
            and f"line {missing + 1} " in d.message
            for d in ds
        ),
        "grüßen's diagnostic to name the moved line",
    )
    assert sorted((diag_key(d) for d in got if d.code == "uncovered-function"), key=repr) == (
        function_diagnostics(entry, session.encoding, lines=lines, shift=shift)
    )
    mine = [d for d in got if d.data.get("function") == "grüßen" and d.code == "uncovered-lines"]
    assert [d.message for d in mine] == [f"line {missing + 1} never runs"]
    assert (
        await session.hover(uri, at - 1)
        == f"**testgap** · line {at} is new since the coverage data was recorded"
    )
    # The function's own figures are those of the recorded text.
    site = entry.sites["grüßen"]
    assert f"{percent(region)}% covered" in await session.hover(uri, site.line - 1, site.name_start)


async def test_deleted_lines_move_diagnostics_up(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry(REL)
    uri = session.open(REL)
    await session.diagnostics(uri, bool)
    # Delete the two blank lines after `größe` (the first uncovered function).
    first = entry.sites["größe"]
    end = max(first.line, *entry.functions()["größe"]["executed_lines"])
    blank = [i for i in range(end, end + 2) if not entry.lines[i].strip()]
    assert len(blank) == 2, "fixture: two blank lines after größe"
    a, b = blank[0] + 1, blank[-1] + 1  # 1-based, inclusive
    session.edit(uri, (a - 1, 0), (b, 0), "")
    lines = entry.lines[: a - 1] + entry.lines[b:]

    def shift(line: int) -> int:
        return line if line < a else line - (b - a + 1)

    expected = function_diagnostics(entry, session.encoding, lines=lines, shift=shift)
    await function_diagnostics_now(session, uri, expected, "diagnostics two lines higher")
    site = entry.sites["rabatt"]
    text = await session.hover(uri, shift(site.line) - 1, site.name_start)
    assert f"`rabatt` — {percent(entry.functions()['rabatt'])}% covered" in text


async def test_edits_count_columns_in_the_negotiated_encoding(client, project: Project, editor: str):
    """Splitting the `def` line after the emoji default: the inlay hint lands
    at the new end of the line only if the server read the column right."""
    session = await start(client, project, editor)
    entry = project.entry(REL)
    uri = session.open(REL)
    site = entry.sites["grüßen"]
    row = site.line - 1
    line = entry.lines[row]
    cut = line.index('😀 Kunde",') + len('😀 Kunde",')
    at = column(line, cut, session.encoding)
    session.edit(uri, (row, at), (row, at), "\n           ")
    lines = lsp_lines(
        "\n".join(entry.lines[:row] + [line[:cut], "           " + line[cut:]] + entry.lines[row + 1 :])
    )
    hints = await session.inlay_hints(uri, (row, 0), (row + 1, 0))
    assert [h.position for h in hints] == [line_end(lines, row, session.encoding)]
    # The text after the cut moved to the next line: hovering it is about a new line.
    assert "new since the coverage data was recorded" in await session.hover(uri, row + 1, 0)


async def test_fast_typing_ends_on_the_latest_text(client, project: Project, editor: str):
    """Twenty edits in a row, as fast as the client can send them: the
    diagnostics that stay are those of the last version."""
    session = await start(client, project, editor)
    entry = project.entry(REL)
    uri = session.open(REL)
    await session.diagnostics(uri, bool)
    n = 20
    for _ in range(n):
        session.edit(uri, (0, 0), (0, 0), "\n")
    lines = [""] * n + entry.lines
    expected = function_diagnostics(entry, session.encoding, lines=lines, shift=lambda line: line + n)
    await function_diagnostics_now(session, uri, expected, f"diagnostics {n} lines lower")
    await asyncio.sleep(0.5)
    got = sorted(
        (diag_key(d) for d in session.client.diagnostics[uri] if d.code == "uncovered-function"), key=repr
    )
    assert got == expected, "diagnostics of an older version arrived last"


async def test_a_buffer_opened_with_unsaved_changes(client, project: Project, editor: str):
    """Editors restore unsaved buffers on restart (VS Code's hot exit, Neovim
    sessions): the text opened then differs from the file the data describes.
    Lines not on disk are new; the others keep their coverage."""
    session = await start(client, project, editor)
    entry = project.entry(REL)
    inserted = ["# unsaved 1", "# unsaved 2"]
    n = len(inserted)
    uri = session.open(REL, text="\n".join(inserted) + "\n" + entry.text)
    lines = inserted + entry.lines
    expected = function_diagnostics(entry, session.encoding, lines=lines, shift=lambda line: line + n)
    await function_diagnostics_now(session, uri, expected, f"diagnostics {n} lines lower")
    assert "is new since the coverage data was recorded" in await session.hover(uri, 0)
