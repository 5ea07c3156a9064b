"""Positions: UTF-16 columns unless the client offers UTF-8; non-ASCII names,
emoji, tabs and CRLF line endings."""

from __future__ import annotations

import pytest

from lsp_support import Project, column, line_end, name_range, short_label, start
from support.source import lsp_lines

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]


@pytest.mark.parametrize(
    ("editor", "offered", "expected"),
    [
        ("neovim", None, "utf-8"),  # Neovim 0.11 offers utf-8, utf-16, utf-32
        ("neovim", ["utf-16"], "utf-16"),
        ("neovim", ["utf-32", "utf-16"], "utf-16"),
        ("visual-studio-code", None, "utf-16"),  # offers nothing: LSP's default
        ("visual-studio-code", ["utf-16", "utf-8"], "utf-8"),
    ],
)
async def test_the_server_answers_the_encoding_it_uses(client, project: Project, editor, offered, expected):
    session = await start(client, project, editor, encodings=offered)
    assert session.encoding == expected
    # And it really counts in it: the end of `größe`'s name.
    entry = project.entry("kasse/preise.py")
    site = entry.sites["größe"]
    got = await session.diagnostics(session.open("kasse/preise.py"), bool)
    (d,) = [d for d in got if d.data["function"] == "größe"]
    assert d.range == name_range(entry.lines, site, expected)


@pytest.mark.parametrize("offered", [["utf-16"], ["utf-8", "utf-16"]])
async def test_non_ascii_names_in_both_encodings(client, project: Project, offered):
    session = await start(client, project, "neovim", encodings=offered)
    encoding = offered[0]
    entry = project.entry("kasse/preise.py")
    lines = entry.lines
    got = await session.diagnostics(session.open("kasse/preise.py"), bool)
    ranges = {d.data["function"]: d.range for d in got}

    # `größe` is 5 UTF-16 units but 7 UTF-8 bytes long; `Straße.gerade_häuser`
    # is a method of a class with a non-ASCII name; `grüßen` follows a comment
    # with an emoji and has one in a default.
    for qualname in ("größe", "Straße.gerade_häuser", "grüßen"):
        assert ranges[qualname] == name_range(lines, entry.sites[qualname], encoding), qualname
    größe = entry.sites["größe"]
    assert column(lines[größe.line - 1], größe.name_end, "utf-8") > column(
        lines[größe.line - 1], größe.name_end, "utf-16"
    )

    # Inlay hints sit at the end of the `def` line, past the emoji default.
    site = entry.sites["grüßen"]
    row = site.line - 1
    assert "😀" in lines[row]
    hints = await session.inlay_hints(session.project.uri("kasse/preise.py"), (row, 0), (row + 1, 0))
    (hint,) = hints
    assert hint.position == line_end(lines, row, encoding)
    assert hint.label == short_label(entry.functions()["grüßen"], True)
    assert column(lines[row], len(lines[row]), "utf-8") != column(lines[row], len(lines[row]), "utf-16")


async def test_tab_indented_methods(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry("kasse/bon.py")
    site = entry.sites["Bon.storno"]
    assert entry.lines[site.line - 1].startswith("\tdef storno(")
    got = await session.diagnostics(session.open("kasse/bon.py"), bool)
    (d,) = [d for d in got if d.data["function"] == "Bon.storno"]
    # A tab is one column in either encoding.
    assert d.range.start.line == site.line - 1
    assert (d.range.start.character, d.range.end.character) == (site.name_start, site.name_end)


async def test_crlf_file(client, project: Project, editor: str):
    session = await start(client, project, editor, options={"granularity": "lines"})
    rel = "kasse/einheiten.py"
    text = project.text(rel)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    entry = project.entry(rel)
    lines = lsp_lines(text)
    uri = session.open(rel)
    got = await session.diagnostics(uri, bool)
    # No range reaches past a line's last character onto its `\r`.
    for d in got:
        for p in (d.range.start, d.range.end):
            assert p.character <= len(lines[p.line]), (d.message, p)
    untested = entry.sites["gramm_zu_unzen"]
    (whole,) = [d for d in got if d.code == "uncovered-lines" and d.data["function"] == "gramm_zu_unzen"]
    last = max(entry.functions()["gramm_zu_unzen"]["missing_lines"])
    assert whole.range.end == line_end(lines, last - 1, session.encoding)
    assert whole.range.start.line == untested.line  # the body starts after the def line

    hints = await session.inlay_hints(uri, (0, 0), (len(lines), 0))
    for hint in hints:
        assert hint.position == line_end(lines, hint.position.line, session.encoding)
    assert {h.position.line for h in hints} == {s.line - 1 for s in entry.sites.values()}

    # Two CRLF lines typed above the first function move its name two lines down.
    first = min(s.line for s in entry.sites.values()) - 1
    session.edit(uri, (first, 0), (first, 0), "\r\n\r\n")
    now = lines[:first] + ["", ""] + lines[first:]
    expected = {
        q: name_range(now, entry.sites[q], session.encoding, line=entry.sites[q].line + 1)
        for q in entry.uncovered_functions()
    }
    await session.diagnostics(
        uri,
        lambda ds: {d.data["function"]: d.range for d in ds if d.code == "uncovered-function"} == expected,
        f"names two lines lower: {expected}",
    )
