"""Bad input of every kind: the server says what is wrong once, answers every
request normally and keeps serving."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_support import Project, diag_key, start, wait_for
from support.measure import COVERAGE_COMMAND

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

REL = "kasse/preise.py"
FAR = 10**6
# Longer than two rounds of the server's polling for changed reports.
QUIET = 1.0


async def only_message(session) -> types.ShowMessageParams:
    await wait_for(lambda: len(session.client.messages), lambda n: n >= 1, "a window/showMessage")
    await asyncio.sleep(QUIET)
    messages = session.client.messages
    assert len(messages) == 1, [m.message for m in messages]
    assert messages[0].type in (types.MessageType.Error, types.MessageType.Warning)
    return messages[0]


async def test_truncated_coverage_json(client, own_project: Project, editor: str):
    report = own_project.path("coverage.json")
    data = report.read_bytes()
    report.write_bytes(data[: len(data) // 2])
    session = await start(client, own_project, editor)

    message = (await only_message(session)).message
    assert "coverage.json" in message and "truncated" in message, message
    assert COVERAGE_COMMAND in message, message

    uri = session.open(REL)
    assert await session.diagnostics(uri) == []
    assert "no coverage data" in await session.hover(uri, 8, 4)
    assert not await session.inlay_hints(uri, (0, 0), (FAR, 0))
    await session.assert_answers()


async def test_missing_coverage_json_then_made(client, own_project: Project, project: Project, editor: str):
    own_project.path("coverage.json").unlink()
    session = await start(client, own_project, editor)
    message = (await only_message(session)).message
    assert "coverage.json" in message and COVERAGE_COMMAND in message, message
    uri = session.open(REL)
    assert await session.diagnostics(uri) == []
    assert "no coverage data" in await session.hover(uri, 8, 4)
    with pytest.raises(JsonRpcException):
        await session.command("testgap.leastCovered")
    await session.assert_answers()

    # The user runs coverage: the data shows up without a restart.
    shutil.copy2(project.path("coverage.json"), own_project.path("coverage.json"))
    if session.client.registrations:
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=own_project.uri("coverage.json"), type=types.FileChangeType.Created)
                ]
            )
        )
    expected = set(own_project.entry(REL).uncovered_functions())
    await session.diagnostics(
        uri, lambda ds: {d.data["function"] for d in ds} == expected, "diagnostics once made"
    )
    assert len(session.client.messages) == 1


async def new_line(session, uri: str, row: int) -> None:
    """Waits until the server has applied an edit that added line `row`."""
    await wait_for(
        lambda: session.hover(uri, row, 0),
        lambda text: text is not None and "is new since the coverage data was recorded" in text,
        f"line {row + 1} to be new",
    )


def generated(count: int) -> str:
    return "".join(
        f"def f{i}(x):\n    if x > {i}:\n        return x - {i}\n    return {i}\n\n" for i in range(count)
    )


async def test_a_50000_line_document(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry(REL)
    normal = sorted(map(diag_key, await session.diagnostics(session.open(REL), bool)), key=repr)

    # 50,000 lines pasted below the measured code, unsaved.
    big = entry.text + generated(10_000)
    lines = big.count("\n") + 1
    assert lines > 50_000
    began = time.monotonic()
    uri = session.project.uri(REL)
    session.versions[uri] += 1
    session.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=session.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=big)],
        )
    )
    assert "is new since the coverage data was recorded" in await session.hover(uri, lines - 3, 4)
    hints = await session.inlay_hints(uri, (0, 0), (lines, 0))
    assert {h.position.line for h in hints} == {
        entry.sites[q].line - 1 for q, r in entry.functions().items() if r["summary"]["num_statements"]
    }
    await session.diagnostics_equal(uri, [tuple(d) for d in normal])
    session.edit(uri, (0, 0), (0, 0), "\n")
    await session.diagnostics(
        uri,
        lambda ds: sorted(d.range.start.line for d in ds) == sorted(d[0] + 1 for d in normal),
        "moved by one",
    )
    elapsed = time.monotonic() - began
    assert elapsed < 10, f"a 50,000-line document took {elapsed:.1f}s"

    # The same size as a file of its own that no test measures.
    other = session.open(uri=project.uri("kasse/generiert.py"), text=generated(10_000))
    assert await session.diagnostics(other) == []
    assert "does not measure this file" in await session.hover(other, 49_000, 4)
    await session.assert_answers()


async def test_syntax_errors(client, project: Project, editor: str):
    session = await start(client, project, editor)
    broken = session.open(
        uri=project.uri("kasse/kaputt.py"), text="def kaputt(:\n    return [\nclass\n\tx = ü(\n"
    )
    assert await session.diagnostics(broken) == []
    await session.hover(broken, 0, 4)
    await session.inlay_hints(broken, (0, 0), (4, 0))

    entry = project.entry(REL)
    uri = session.open(REL)
    normal = sorted(map(diag_key, await session.diagnostics(uri, bool)), key=repr)
    # A half-typed function at the end leaves the others' diagnostics alone.
    end = len(entry.lines) - 1
    session.edit(uri, (end, 0), (end, 0), "def halb(x:\n    if x\n")
    await new_line(session, uri, end)
    await session.diagnostics_equal(uri, normal)
    # An unclosed bracket at the top: whatever it does to the parse, the
    # server stays up and answers.
    session.edit(uri, (0, 0), (0, 0), "x = (\n")
    await session.hover(uri, 9, 4)
    await session.code_lenses(uri)
    await session.assert_answers()


async def test_untitled_document(client, project: Project, editor: str):
    session = await start(client, project, editor)
    uri = session.open(uri="untitled:Untitled-1", text="def neu(x):\n    return x * 2\n")
    assert await session.diagnostics(uri) == []
    assert "no coverage data: this document is not a file on disk" in await session.hover(uri, 0, 4)
    assert not await session.inlay_hints(uri, (0, 0), (2, 0))
    assert not await session.code_lenses(uri)
    session.edit(uri, (0, 0), (0, 0), "# 😀\n")
    await session.hover(uri, 1, 4)
    # A file beside the workspace, not in it.
    outside = session.open(uri=(project.root.parent / "elsewhere.py").as_uri(), text="def f():\n    pass\n")
    assert await session.diagnostics(outside) == []
    assert "outside the workspace" in await session.hover(outside, 0, 4)
    await session.assert_answers()


async def test_requests_for_a_closed_document(client, project: Project, editor: str):
    session = await start(client, project, editor)
    uri = session.open(REL)
    await session.diagnostics(uri, bool)
    session.close(uri)
    await session.diagnostics(uri, lambda ds: ds == [], "diagnostics cleared on close")
    assert await session.hover(uri, 8, 4) is None
    assert not await session.inlay_hints(uri, (0, 0), (FAR, 0))
    assert not await session.code_lenses(uri)
    session.edit(uri, (0, 0), (0, 0), "# after close\n")
    assert await session.hover(uri, 8, 4) is None
    never_opened = project.uri("kasse/lager.py")
    assert await session.hover(never_opened, 0, 0) is None
    await session.assert_answers()


async def test_positions_out_of_range(client, project: Project, editor: str):
    session = await start(client, project, editor)
    entry = project.entry(REL)
    uri = session.open(REL)
    normal = sorted(map(diag_key, await session.diagnostics(uri, bool)), key=repr)

    assert await session.hover(uri, FAR, FAR) is None
    await session.hover(uri, 0, FAR)  # a real line, far past its end: any normal answer
    everything = await session.inlay_hints(uri, (0, 0), (len(entry.lines), 0))
    assert await session.inlay_hints(uri, (0, 0), (FAR, FAR)) == everything
    assert not await session.inlay_hints(uri, (FAR, 0), (FAR, FAR))
    # An edit far past the end lands at the end; nothing above it moves.
    session.edit(uri, (FAR, FAR), (FAR, FAR), "\n# angehängt\n")
    await new_line(session, uri, len(entry.lines))
    await session.diagnostics_equal(uri, normal)
    with pytest.raises(JsonRpcException):
        await session.command("testgap.noSuchCommand")
    await session.assert_answers()
