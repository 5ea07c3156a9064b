"""Failing tests in the editor: pytest's last failures shown on open,
`testgap.runTests` publishing each failure at its failing line with the root
cause, the "Fix failing test" quick fix resolved into a versioned, annotated
workspace edit (nothing written behind the user's back), and the commands
editors send: `testgap.fix`, `testgap.generate`, `testgap.runTests`."""

from __future__ import annotations

import ast
import re
import sys

import pytest
from lsprotocol import types

from lsp_support import Project, apply, start
from support.source import def_sites
from support.processes import run_pytest

pytestmark = [pytest.mark.asyncio]

KEYWORD_TEST = '''from kasse.preise import rabatt


def test_rabatt_mit_schlüsselwort():
    ergebnis = rabatt(10.0, prozent=50)
    assert ergebnis == 5.0


def test_rabatt_ohne_schlüsselwort():
    assert rabatt(10.0, 0) == 10.0
'''


def rename_keyword(project: Project) -> None:
    """The refactor: `rabatt`'s `prozent` becomes `prozentsatz`."""
    path = project.path("kasse/preise.py")
    text = path.read_bytes().decode()
    start = text.index("def rabatt(")
    end = text.index("\n\n\n", start)
    body = re.sub(r"\bprozent\b", "prozentsatz", text[start:end])
    path.write_bytes((text[:start] + body + text[end:]).encode())


def failing_tests(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == "failing-test"]


def asserts(text: str) -> list[str]:
    return [ast.unparse(n) for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Assert)]


async def code_actions(session, uri: str, line: int, diagnostics=()) -> dict[str, types.CodeAction]:
    answer = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=line, character=4), end=types.Position(line=line, character=4)),
            context=types.CodeActionContext(diagnostics=list(diagnostics)),
        )
    )
    return {a.title: a for a in answer or [] if isinstance(a, types.CodeAction)}


def send_edit(session, uri: str, change: types.TextDocumentEdit) -> None:
    """Tells the server about an applied edit as an editor does: the
    changes, bottom first, in one didChange per edit."""
    for e in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        session.edit(uri, (e.range.start.line, e.range.start.character), (e.range.end.line, e.range.end.character), e.new_text)


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim"])
async def test_run_classify_and_quick_fix_a_renamed_keyword(client, own_project: Project, editor: str):
    root = own_project.root
    rel = "tests/test_rabatt_kw.py"
    own_project.path(rel).write_text(KEYWORD_TEST, encoding="utf-8")
    rename_keyword(own_project)
    code = own_project.path("kasse/preise.py").read_bytes()
    # The user's last pytest run failed one test: shown as soon as the file
    # opens, without running anything.
    assert run_pytest(root, rel).returncode == 1
    session = await start(client, own_project, editor, options={"python": sys.executable})
    uri = session.open(rel)
    sites = def_sites(KEYWORD_TEST)
    cached = failing_tests(await session.diagnostics(uri, lambda d: bool(failing_tests(d)), "last failures"))
    assert len(cached) == 1
    assert cached[0].range.start.line == sites["test_rabatt_mit_schlüsselwort"].line - 1
    assert "failed in pytest's last run" in cached[0].message
    assert cached[0].severity == types.DiagnosticSeverity.Error

    # Run the file's tests: the failure is classified and shown at the call.
    result = await session.command("testgap.runTests", {"textDocument": {"uri": uri}})
    assert (result["passed"], result["failed"]) == (1, 1), result
    assert result["failures"][0]["category"] == "type_error"
    lines = KEYWORD_TEST.splitlines()
    call_line = next(i for i, line in enumerate(lines) if "prozent=50" in line)

    def classified(d):
        found = failing_tests(d)
        return len(found) == 1 and "type_error" in found[0].message

    (diagnostic,) = failing_tests(await session.diagnostics(uri, classified, "the classified failure"))
    assert diagnostic.range.start == types.Position(line=call_line, character=4)
    assert diagnostic.range.end == types.Position(line=call_line, character=len(lines[call_line]))
    assert diagnostic.message.startswith("`test_rabatt_mit_schlüsselwort` fails:")
    assert diagnostic.data["nodeid"] == f"{rel}::test_rabatt_mit_schlüsselwort"

    # The actions of a test file: fix it; never "generate tests" for a test.
    actions = await code_actions(session, uri, call_line, [diagnostic])
    fix_title = next(t for t in actions if t.startswith("Fix failing test `test_rabatt_mit_schlüsselwort`"))
    assert not any(t.startswith("Generate") for t in actions), actions
    quick_fix = actions[fix_title]
    assert quick_fix.kind == types.CodeActionKind.QuickFix
    assert quick_fix.edit is None, "the work happens on resolve"
    fix_all = actions["Fix all failing tests in this file"]
    assert str(fix_all.kind).startswith("source")

    before = own_project.path(rel).read_bytes()
    resolved = await session.client.code_action_resolve_async(quick_fix)
    assert own_project.path(rel).read_bytes() == before, "resolving writes nothing"
    (change,) = resolved.edit.document_changes
    assert change.text_document.version == 1, "the edit carries the document's version"
    (annotation,) = resolved.edit.change_annotations.values()
    assert "type_error" in annotation.label and not annotation.needs_confirmation

    apply(resolved.edit)
    send_edit(session, uri, change)
    fixed = own_project.path(rel).read_text(encoding="utf-8")
    assert "rabatt(10.0, prozentsatz=50)" in fixed
    assert asserts(fixed) == asserts(KEYWORD_TEST), "every assertion is kept"
    assert own_project.path("kasse/preise.py").read_bytes() == code, "the code under test is untouched"
    # Once the editor holds the fixed text, the failure is gone.
    await session.diagnostics(uri, lambda d: not failing_tests(d), "the failure to clear")
    done = run_pytest(root, rel)
    assert done.returncode == 0, done.stdout


async def test_unsaved_text_is_what_gets_fixed(client, own_project: Project):
    """The editor's buffer, not the file on disk, is run and fixed; the edit
    applies to the buffer's version."""
    rel = "tests/test_rabatt_kw.py"
    own_project.path(rel).write_text(KEYWORD_TEST, encoding="utf-8")
    rename_keyword(own_project)
    session = await start(client, own_project, "visual-studio-code", options={"python": sys.executable})
    uri = session.open(rel)
    # Unsaved: a new test, at the top, that fails the same way.
    added = "\n\ndef test_rabatt_viertel():\n    assert rabatt(8.0, prozent=25) == 6.0\n"
    session.edit(uri, (1, 0), (1, 0), added)
    text = KEYWORD_TEST.replace("import rabatt\n", "import rabatt\n" + added, 1)
    result = await session.command("testgap.runTests", {"textDocument": {"uri": uri}})
    assert result["failed"] == 2, result
    line = next(i for i, l in enumerate(text.splitlines()) if "prozent=25" in l)
    await session.diagnostics(uri, lambda d: len(failing_tests(d)) == 2, "two failures")
    actions = await code_actions(session, uri, line)
    resolved = await session.client.code_action_resolve_async(actions["Fix all failing tests in this file"])
    (change,) = resolved.edit.document_changes
    assert change.text_document.version == 2
    assert own_project.path(rel).read_text(encoding="utf-8") == KEYWORD_TEST, "the file on disk is untouched"
    send_edit(session, uri, change)
    await session.diagnostics(uri, lambda d: not failing_tests(d), "both failures to clear")


async def test_a_changed_result_is_offered_only_with_confirmation(client, own_project: Project):
    """The code's result changed but nothing shows it changed on purpose (no
    history): the test may be right, so the edit asks for confirmation."""
    path = own_project.path("kasse/preise.py")
    path.write_bytes(path.read_bytes().replace(b"def steuer(betrag, satz=0.19):", b"def steuer(betrag, satz=0.2):"))
    session = await start(client, own_project, "visual-studio-code", options={"python": sys.executable})
    rel = "tests/test_preise.py"
    uri = session.open(rel)
    body = def_sites(own_project.text(rel))["test_steuer"].line  # 0-based: the line after the def
    result = await session.command(
        "testgap.runTests", {"textDocument": {"uri": uri}, "position": {"line": body, "character": 4}}
    )
    assert (result["passed"], result["failed"]) == (0, 1), result
    assert result["failures"][0]["nodeid"] == f"{rel}::test_steuer"
    (diagnostic,) = failing_tests(await session.diagnostics(uri, lambda d: len(failing_tests(d)) == 1))
    assert diagnostic.range.start.line == body
    actions = await code_actions(session, uri, body, [diagnostic])
    quick_fix = next(a for t, a in actions.items() if t.startswith("Fix failing test `test_steuer`"))
    resolved = await session.client.code_action_resolve_async(quick_fix)
    (annotation,) = resolved.edit.change_annotations.values()
    assert annotation.needs_confirmation, "a possible regression is never applied without asking"
    assert "possible regression" in (annotation.description or "")
    (change,) = resolved.edit.document_changes
    assert [e.new_text.strip() for e in change.edits] == ["assert steuer(100) == 20.0"]


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim"])
async def test_editor_commands_fix_and_generate(client, own_project: Project, editor: str):
    rel = "tests/test_rabatt_kw.py"
    own_project.path(rel).write_text(KEYWORD_TEST, encoding="utf-8")
    rename_keyword(own_project)
    session = await start(client, own_project, editor, options={"python": sys.executable})
    uri = session.open(rel)
    line = def_sites(KEYWORD_TEST)["test_rabatt_mit_schlüsselwort"].line
    # :TestgapFix with the cursor in the test: the server asks the editor to
    # apply the edit; the answer says what happened.
    result = await session.command("testgap.fix", {"textDocument": {"uri": uri}, "position": {"line": line, "character": 0}})
    assert result["fixed"] == 1 and result["applied"], result
    (request,) = client.edits_to_apply
    apply(request.edit)
    assert run_pytest(own_project.root, rel).returncode == 0

    # :TestgapGenerate on a function of a module: tests arrive as an edit.
    source = "kasse/export.py"
    source_uri = session.open(source)
    als_csv = def_sites(own_project.text(source))["als_csv"].line - 1
    result = await session.command(
        "testgap.generate", {"textDocument": {"uri": source_uri}, "position": {"line": als_csv, "character": 4}}
    )
    assert result["applied"] and result["target"] == f"{source}::als_csv", result
    assert len(client.edits_to_apply) == 2 or (own_project.root / "tests" / "test_export.py").exists()
    if len(client.edits_to_apply) == 2:
        apply(client.edits_to_apply[1].edit)
    test_file = own_project.root / "tests" / "test_export.py"
    assert "als_csv" in test_file.read_text(encoding="utf-8")
    assert run_pytest(own_project.root, str(test_file.relative_to(own_project.root))).returncode == 0

    # Generating from a test module, or running tests of a non-test module,
    # is refused with a reason.
    with pytest.raises(Exception, match="test module"):
        await session.command("testgap.generate", {"textDocument": {"uri": uri}})
    with pytest.raises(Exception, match="not a test module"):
        await session.command("testgap.runTests", {"textDocument": {"uri": source_uri}})


async def test_commands_without_arguments_work_on_the_last_failed_tests(client, own_project: Project):
    """Helix's command picker sends no arguments: `testgap.runTests` and
    `testgap.fix` then take the tests pytest's last run recorded as failed."""
    rel = "tests/test_rabatt_kw.py"
    own_project.path(rel).write_text(KEYWORD_TEST, encoding="utf-8")
    rename_keyword(own_project)
    session = await start(client, own_project, "neovim", options={"python": sys.executable})
    with pytest.raises(Exception, match="run pytest once first"):
        await session.command("testgap.runTests")
    assert run_pytest(own_project.root, rel).returncode == 1
    result = await session.command("testgap.runTests")
    assert (result["passed"], result["failed"]) == (0, 1), result
    assert result["failures"][0]["nodeid"] == f"{rel}::test_rabatt_mit_schlüsselwort"
    result = await session.command("testgap.fix")
    assert result["fixed"] == 1 and result["applied"], result
    (request,) = client.edits_to_apply
    apply(request.edit)
    assert run_pytest(own_project.root, rel).returncode == 0
