"""Code actions: "Generate tests" listed instantly, resolved into a workspace
edit that the editor applies, and the tests it adds pass."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import Project, apply, start
from support.source import def_sites

pytestmark = [pytest.mark.asyncio]


def run_pytest(root: Path, test_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def asserts_in(path: Path) -> int:
    tree = ast.parse(path.read_text())
    return sum(isinstance(node, ast.Assert) for node in ast.walk(tree)) + path.read_text().count("pytest.raises")


async def actions_at(session, uri: str, line: int) -> dict[str, types.CodeAction]:
    started = time.perf_counter()
    answer = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=line, character=4), end=types.Position(line=line, character=4)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    # Listing runs no user code.
    assert time.perf_counter() - started < 1.0
    return {a.title: a for a in answer or [] if isinstance(a, types.CodeAction)}


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim"])
async def test_generate_tests_for_an_untested_module(client, own_project: Project, editor: str):
    session = await start(client, own_project, editor, options={"python": sys.executable})
    rel = "kasse/export.py"
    uri = session.open(rel)
    line = def_sites(own_project.text(rel))["als_csv"].line - 1
    actions = await actions_at(session, uri, line)
    assert set(actions) == {"Generate tests for `als_csv`", "Generate tests for untested code in this module"}
    module_action = actions["Generate tests for untested code in this module"]
    assert module_action.kind == types.CodeActionKind.Source
    assert module_action.edit is None, "the work happens on resolve"

    resolved = await session.client.code_action_resolve_async(module_action)
    test_file = own_project.root / "tests" / "test_export.py"
    if resolved.edit and any(isinstance(c, types.CreateFile) for c in resolved.edit.document_changes or []):
        assert apply(resolved.edit) == [test_file]
    else:
        # A client without CreateFile: the command writes the file.
        assert resolved.command is not None and resolved.command.command == "testgap.writeGeneratedTests"
        await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=resolved.command.command, arguments=resolved.command.arguments)
        )
    assert test_file.exists()
    assert asserts_in(test_file) >= 2
    done = run_pytest(own_project.root, test_file)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_generated_tests_are_appended_to_the_existing_file(client, own_project: Project):
    session = await start(client, own_project, "visual-studio-code", options={"python": sys.executable})
    rel = "kasse/preise.py"
    uri = session.open(rel)
    line = def_sites(own_project.text(rel))["steuer"].line - 1
    action = (await actions_at(session, uri, line))["Generate tests for `steuer`"]
    test_file = own_project.root / "tests" / "test_preise.py"
    before = test_file.read_text()
    resolved = await session.client.code_action_resolve_async(action)
    assert resolved.edit is not None
    assert resolved.edit.change_annotations and all(
        "testgap: generated" in a.label for a in resolved.edit.change_annotations.values()
    )
    assert apply(resolved.edit) == [test_file]
    after = test_file.read_text()
    assert after.startswith(before), "every existing byte is kept"
    assert "steuer" in after[len(before):]
    done = run_pytest(own_project.root, test_file)
    assert done.returncode == 0, done.stdout + done.stderr
