"""New coverage data on disk reaches the open documents by itself; a source
file changed after the data was recorded is flagged as stale."""

from __future__ import annotations

import asyncio
import fnmatch
import os
import time

import pytest
from lsprotocol import types

from lsp_support import Project, percent, start, statements, wait_for
from support.measure import coverage_run

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]

REL = "kasse/preise.py"
NEW_TEST = """from kasse.preise import Warenkorb, nie_getestet


def test_nie_getestet():
    assert nie_getestet([1, 2, 3]) == 6


def test_leeren():
    korb = Warenkorb()
    korb.hinzufügen("Brot", 2.5)
    korb.leeren()
    assert korb.summe() == 0
"""


def watches(registrations: list[types.Registration], path: str) -> bool:
    """Whether a registered file watcher's glob matches `path`."""
    for r in registrations:
        if r.method != types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            continue
        for watcher in (r.register_options or {}).get("watchers", []):
            pattern = watcher["globPattern"]
            if isinstance(pattern, str) and (
                fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.replace("**/", ""))
            ):
                return True
    return False


async def test_new_coverage_data_is_published_without_asking(client, own_project: Project, editor: str):
    session = await start(client, own_project, editor)
    uri = session.open(REL)
    before = await session.diagnostics(uri, bool)
    assert "nie_getestet" in {d.data["function"] for d in before}
    refreshed_before = len(session.client.refreshes)

    # The user adds tests and measures again.
    (own_project.root / "tests" / "test_mehr.py").write_text(NEW_TEST, encoding="utf-8")
    await asyncio.to_thread(coverage_run, own_project.root, contexts=True)
    written = time.monotonic()
    entry = own_project.entry(REL)
    assert not entry.functions()["nie_getestet"]["missing_lines"]
    expected = set(entry.uncovered_functions())

    registrations = session.client.registrations
    watched = session.client.capabilities.workspace.did_change_watched_files
    # Clients that can watch files are asked to; the others are polled for.
    assert bool(registrations) == bool(watched and watched.dynamic_registration), registrations
    if registrations:
        # The editor watches what the server asked it to, and says what changed.
        assert watches(registrations, "coverage.json"), registrations
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=own_project.uri("coverage.json"), type=types.FileChangeType.Changed)
                ]
            )
        )
    got = await session.diagnostics(
        uri,
        lambda ds: {d.data["function"] for d in ds} == expected,
        f"diagnostics of {sorted(expected)} only",
    )
    elapsed = time.monotonic() - written
    assert elapsed < 2.0, f"new coverage data reached the editor after {elapsed:.1f}s"
    assert {d.data["function"] for d in got} == expected
    site = entry.sites["nie_getestet"]
    text = await session.hover(uri, site.line - 1, site.name_start)
    assert f"`nie_getestet` — {percent(entry.functions()['nie_getestet'])}% covered" in text
    (test,) = entry.tests_running(statements(entry.functions()["nie_getestet"]))
    assert f"Run by 1 test: `{test}`" in text

    # Hints and lenses on screen are asked for again, where the editor can be asked.
    workspace = session.client.capabilities.workspace
    can_refresh = {
        kind
        for kind, caps in (("inlayHint", workspace.inlay_hint), ("codeLens", workspace.code_lens))
        if caps and caps.refresh_support
    }
    assert can_refresh, "both recorded editors can refresh something"
    await wait_for(
        lambda: set(session.client.refreshes[refreshed_before:]),
        lambda kinds: kinds == can_refresh,
        f"refresh requests for {can_refresh}",
    )
    assert set(session.client.refreshes) == can_refresh
    session.assert_alive()


async def test_source_newer_than_the_data_is_stale(client, own_project: Project, editor: str):
    report_time = (own_project.root / "coverage.json").stat().st_mtime
    later = report_time + 60
    os.utime(own_project.path(REL), (later, later))
    session = await start(client, own_project, editor)

    uri = session.open(REL)
    got = await session.diagnostics(uri, bool)
    stale = [d for d in got if d.code == "stale-coverage"]
    assert len(stale) == 1, [d.message for d in got]
    assert "coverage data is older than this file" in stale[0].message
    assert stale[0].range.start.line == 0
    site = own_project.entry(REL).sites["größe"]
    assert "coverage data is older than this file" in await session.hover(uri, site.line - 1, site.name_start)

    # A file left alone is not stale.
    fresh = await session.diagnostics(session.open("kasse/bon.py"), bool)
    assert not [d for d in fresh if d.code == "stale-coverage"]


async def test_new_data_while_the_buffer_has_unsaved_edits(client, own_project: Project, editor: str):
    """Coverage measured again while the editor holds unsaved lines: the new
    data describes the file on disk, so the unsaved lines stay new and the
    lines below them keep their offset."""
    session = await start(client, own_project, editor)
    entry = own_project.entry(REL)
    uri = session.open(REL)
    await session.diagnostics(uri, bool)
    n = 3
    session.edit(uri, (0, 0), (0, 0), "# unsaved\n" * n)
    region = entry.functions()["größe"]
    (missing,) = region["missing_lines"]
    await session.diagnostics(
        uri,
        lambda ds: any(d.data["function"] == "größe" and f"line {missing + n} " in d.message for d in ds),
        "the unsaved lines counted",
    )

    published = session.client.diagnostics[uri]
    await asyncio.to_thread(coverage_run, own_project.root, contexts=True)  # the disk file is unchanged
    if session.client.registrations:
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=own_project.uri("coverage.json"), type=types.FileChangeType.Changed)
                ]
            )
        )
    await wait_for(lambda: session.client.diagnostics[uri], lambda d: d is not published, "a new publication")

    got = {d.data["function"]: d.message for d in session.client.diagnostics[uri]}
    assert f"line {missing + n} never run" in got["größe"], got["größe"]
    assert "is new since the coverage data was recorded" in (await session.hover(uri, 0) or "")
    assert f"line {missing + n} never runs" in (await session.hover(uri, missing + n - 1, 8) or "")
