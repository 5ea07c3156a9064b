"""workspace/executeCommand and workspace/symbol: the audit and the list of
least-covered functions, as the editor asks for them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from lsprotocol import types

from lsp_support import Project, percent, start
from support.binary import binary_path

pytestmark = [pytest.mark.asyncio, pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning")]


def cli_audit(root: Path) -> dict:
    done = subprocess.run(
        [str(binary_path()), "audit", "--root", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def expected_gaps(project: Project) -> list[tuple[str, str, str, int]]:
    """Every function with statements no test runs, least covered first, then
    most statements missing, then by name: (name, module, percent, missing)."""
    gaps = []
    for rel, data in project.report()["files"].items():
        module = rel.removesuffix(".py").replace("/", ".")
        for qualname, region in data["functions"].items():
            s = region["summary"]
            if qualname and s["missing_lines"]:
                gaps.append((s["percent_covered"], -s["missing_lines"], qualname, module, percent(region)))
    gaps.sort()
    return [(name, module, shown, -missing) for _, missing, name, module, shown in gaps]


def as_plain(value):
    """A command's answer as plain JSON values."""
    return json.loads(json.dumps(value, default=lambda o: o.__dict__))


async def test_audit_command_matches_the_cli(client, project: Project, editor: str):
    session = await start(client, project, editor)
    got = as_plain(await session.command("testgap.audit"))
    want = cli_audit(project.root)
    assert want["modules"], "fixture: some module should be below the audit threshold"
    assert got == want


async def test_least_covered_functions_first(client, project: Project, editor: str):
    session = await start(client, project, editor)
    gaps = as_plain(await session.command("testgap.leastCovered"))
    got = [(g["name"], g["module"], g["percentDisplay"], g["missingStatements"]) for g in gaps]
    assert got == expected_gaps(project)
    percents = [g["percent"] for g in gaps]
    assert percents == sorted(percents)
    for g in gaps:
        rel = g["module"].replace(".", "/") + ".py"
        assert Path(g["path"]) == project.path(rel)
        assert project.entry(rel).sites[g["name"]].line == g["line"]

    limited = as_plain(await session.command("testgap.leastCovered", {"limit": 2}))
    assert [g["name"] for g in limited] == [g["name"] for g in gaps[:2]]
    straße = as_plain(await session.command("testgap.leastCovered", {"query": "STRAßE"}))
    assert [g["name"] for g in straße] == [g["name"] for g in gaps if g["name"].startswith("Straße.")]
    assert straße


async def test_workspace_symbols_list_least_covered_functions(client, project: Project, editor: str):
    session = await start(client, project, editor)
    symbols = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    expected = expected_gaps(project)
    assert [s.name for s in symbols] == [name for name, *_ in expected]
    for s, (name, module, shown, _) in zip(symbols, expected, strict=True):
        assert s.container_name == f"{module} · {shown}% covered"
        rel = module.replace(".", "/") + ".py"
        assert Path(unquote(urlparse(s.location.uri).path)) == project.path(rel)
        assert s.location.range.start.line == project.entry(rel).sites[name].line - 1
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query="größe"))
    assert [s.name for s in found] == ["größe"]


async def test_a_root_whose_uri_is_percent_encoded(client, project: Project, tmp_path, editor: str):
    """A project under `Mein Projekt ü/`: its URIs escape the space and the
    `ü`. Diagnostics arrive, and the audit command takes the root as a path or
    as the file URI an editor has for it."""
    root = tmp_path / "Mein Projekt ü" / "kasse"
    shutil.copytree(project.root, root)
    spaced = Project(root)
    assert "%20" in root.as_uri() and "%C3%BC" in root.as_uri()
    session = await start(client, spaced, editor)
    got = await session.diagnostics(session.open("kasse/preise.py"), bool)
    assert {d.data["function"] for d in got} == set(spaced.entry("kasse/preise.py").uncovered_functions())
    want = cli_audit(root)
    assert as_plain(await session.command("testgap.audit", {"root": str(root)})) == want
    assert as_plain(await session.command("testgap.audit", {"root": root.as_uri()})) == want
