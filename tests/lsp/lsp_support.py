"""Helpers for the language-server suite: the fixture project, what coverage.py
says about it, and a thin session wrapper over pytest-lsp's client.

Every expected value here is derived from the real coverage.json and the
source text (read with Python's own `ast`), never from testgap's output.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlparse

from coverage.results import format_lines
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

from support.measure import coverage_run
from support.source import DefSite, def_sites, lsp_lines

FIXTURE_SOURCE = Path(__file__).resolve().parent / "fixture_project"
# Stored with LF like every other file; written out with CRLF line endings.
CRLF_FILES = ("kasse/einheiten.py",)
# The server's answer for a file-change, a reload or a first load arrives well
# within this; waits poll for the expected state and give up after it.
TIMEOUT = 5.0
# LSP's DiagnosticSeverity.
WARNING, INFORMATION, HINT = 2, 3, 4


# ---------------------------------------------------------------------------
# The fixture project and its real coverage data


def write_project(dest: Path) -> Path:
    """Copies the fixture project to `dest`, with its CRLF file, and records
    real coverage data for it (with test contexts), measured with the
    interpreter running this suite, exactly as a user would."""
    shutil.copytree(
        FIXTURE_SOURCE,
        dest,
        ignore=shutil.ignore_patterns(
            "__pycache__", ".pytest_cache", ".coverage", ".coverage.*", "coverage.json"
        ),
    )
    for rel in CRLF_FILES:
        path = dest / rel
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))
    coverage_run(dest, contexts=True)
    return dest


@dataclass
class Project:
    """A copy of the fixture project on disk with its coverage.json."""

    root: Path

    def path(self, rel: str) -> Path:
        return self.root / rel

    def uri(self, rel: str) -> str:
        return self.path(rel).as_uri()

    def text(self, rel: str) -> str:
        # newline="" keeps CRLF: the editor sends the file's bytes as they are.
        with open(self.path(rel), encoding="utf-8", newline="") as f:
            return f.read()

    def report(self) -> dict:
        return json.loads((self.root / "coverage.json").read_text(encoding="utf-8"))

    def entry(self, rel: str) -> "FileReport":
        return FileReport(self.report()["files"][rel], self.text(rel))


# ---------------------------------------------------------------------------
# What coverage.py and the source say


def column(line: str, index: int, encoding: str) -> int:
    """The LSP column of character `index` of `line` in `encoding`."""
    prefix = line[:index]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-16":
        return len(prefix.encode("utf-16-le")) // 2
    raise ValueError(encoding)


def ranges_text(statements: list[int], missing: list[int]) -> str:
    """`12–15, 20`: coverage.py's own grouping of missing lines, with the en dash
    testgap prints."""
    return format_lines(sorted(statements), sorted(missing)).replace("-", "–")


def line_ranges(statements: list[int], missing: list[int]) -> list[tuple[int, int]]:
    out = []
    for part in format_lines(sorted(statements), sorted(missing)).split(", "):
        if part:
            a, _, b = part.partition("-")
            out.append((int(a), int(b or a)))
    return out


@dataclass
class FileReport:
    """One file of coverage.json next to the text it measured."""

    data: dict
    text: str
    sites: dict[str, DefSite] = field(init=False)

    def __post_init__(self) -> None:
        self.sites = def_sites(self.text)

    @property
    def lines(self) -> list[str]:
        return lsp_lines(self.text)

    def functions(self) -> dict[str, dict]:
        """Function regions by qualified name (module level left out)."""
        return {q: r for q, r in self.data["functions"].items() if q}

    def module_region(self) -> dict:
        return self.data["functions"][""]

    def uncovered_functions(self) -> dict[str, dict]:
        return {q: r for q, r in self.functions().items() if r["missing_lines"]}

    def tests_running(self, lines: list[int]) -> list[str]:
        """Names of the test contexts that ran any of `lines`."""
        contexts = self.data.get("contexts") or {}
        return sorted({c for line in lines for c in contexts.get(str(line), []) if c})


def statements(region: dict) -> list[int]:
    return sorted(region["executed_lines"] + region["missing_lines"])


def percent(region: dict) -> str:
    return region["summary"]["percent_covered_display"]


def function_message(name: str, region: dict, shift: Callable[[int], int] = lambda n: n) -> str:
    """The message of an `uncovered-function` diagnostic, line numbers moved by `shift`."""
    stmts = [shift(n) for n in statements(region)]
    missing = [shift(n) for n in region["missing_lines"]]
    ranges = line_ranges(stmts, missing)
    plural = "" if len(ranges) == 1 and ranges[0][0] == ranges[0][1] else "s"
    message = f"`{name}` — {percent(region)}% covered: line{plural} {ranges_text(stmts, missing)} never run"
    n = region["summary"]["missing_branches"]
    if n:
        message += f"; {n} branch{'' if n == 1 else 'es'} never taken"
    return message


def function_diagnostics(
    entry: FileReport, encoding: str, *, lines: list[str] | None = None, shift: Callable[[int], int] = lambda n: n
) -> list[tuple]:
    """The `uncovered-function` diagnostics of a file as sorted `diag_key`
    tuples; with `shift`, once report line n is line shift(n) of `lines`."""
    out = []
    for qualname, region in entry.uncovered_functions().items():
        site = entry.sites[qualname]
        r = name_range(lines or entry.lines, site, encoding, line=shift(site.line) - 1)
        out.append(
            (
                r.start.line,
                r.start.character,
                r.end.line,
                r.end.character,
                "uncovered-function",
                INFORMATION,
                "testgap",
                function_message(site.name, region, shift),
            )
        )
    return sorted(out, key=repr)


def short_label(region: dict, branch_coverage: bool) -> str:
    """`untested`, `62% covered`, or `62% covered · 3/4 branches`."""
    s = region["summary"]
    if s["num_statements"] and not s["covered_lines"]:
        return "untested"
    label = f"{percent(region)}% covered"
    if branch_coverage and s["num_branches"]:
        label += f" · {s['covered_branches']}/{s['num_branches']} branches"
    return label


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def name_range(lines: list[str], site: DefSite, encoding: str, line: int | None = None) -> types.Range:
    """The range of a function's name on its `def` line (0-based `line` when moved)."""
    row = site.line - 1 if line is None else line
    text = lines[row]
    return types.Range(
        start=pos(row, column(text, site.name_start, encoding)),
        end=pos(row, column(text, site.name_end, encoding)),
    )


def line_end(lines: list[str], row: int, encoding: str) -> types.Position:
    return pos(row, column(lines[row], len(lines[row]), encoding))


def indent_end(lines: list[str], row: int, encoding: str) -> types.Position:
    text = lines[row]
    return pos(row, column(text, len(text) - len(text.lstrip(" \t")), encoding))


def diag_key(d: types.Diagnostic) -> tuple:
    """A diagnostic as a comparable tuple of what the user sees."""
    r = d.range
    code = d.code
    severity = d.severity.value if d.severity is not None else None
    return (r.start.line, r.start.character, r.end.line, r.end.character, code, severity, d.source, d.message)


# ---------------------------------------------------------------------------
# A client session


EDITORS = ("neovim", "visual-studio-code")


def make_client() -> LanguageClient:
    """pytest-lsp's test client, plus the requests a real editor answers that
    pytest-lsp leaves out: capability registration and view refreshes."""
    client = make_test_lsp_client()
    client.registrations = []  # type: ignore[attr-defined]
    client.refreshes = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_refresh(ls: LanguageClient, params: None) -> None:
        ls.refreshes.append("inlayHint")  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(ls: LanguageClient, params: None) -> None:
        ls.refreshes.append("codeLens")  # type: ignore[attr-defined]

    # Edits the server asks the editor to apply (commands that change files):
    # recorded for the test to inspect and apply; nothing is written here.
    client.edits_to_apply = []  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: LanguageClient, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        ls.edits_to_apply.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    return client


async def wait_for(
    probe: Callable[[], Any],
    accept: Callable[[Any], bool],
    what: str,
    timeout: float = TIMEOUT,
) -> Any:
    """Polls `probe` (a function or coroutine function) until `accept` says yes;
    fails with the last value seen after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if asyncio.iscoroutine(value):
            value = await value
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value:\n{value!r}")
        await asyncio.sleep(0.05)


@dataclass
class Session:
    """An initialized server and the project it serves."""

    client: LanguageClient
    project: Project
    result: types.InitializeResult
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def encoding(self) -> str:
        encoding = self.result.capabilities.position_encoding
        return str(getattr(encoding, "value", encoding) or "utf-16")

    def loads_finished(self) -> int:
        """How many coverage loads the server has reported finished (it reports
        each load as work-done progress)."""
        return sum(
            1
            for reports in self.client.progress_reports.values()
            for r in reports
            if isinstance(r, types.WorkDoneProgressEnd)
        )

    async def wait_loaded(self, count: int = 1) -> None:
        await wait_for(self.loads_finished, lambda n: n >= count, f"{count} coverage load(s) to finish")

    def open(self, rel: str | None = None, *, uri: str | None = None, text: str | None = None) -> str:
        uri = uri or self.project.uri(rel)
        text = self.project.text(rel) if text is None else text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        """One incremental change; positions in the negotiated encoding."""
        self.versions[uri] = self.versions.get(uri, 1) + 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=pos(*start), end=pos(*end)), text=text
                    )
                ],
            )
        )

    async def diagnostics(
        self, uri: str, accept: Callable[[list], bool] = lambda d: True, what: str = "diagnostics"
    ) -> list[types.Diagnostic]:
        found = await wait_for(
            lambda: self.client.diagnostics.get(uri),
            lambda d: d is not None and accept(list(d)),
            f"{what} for {uri}",
        )
        return list(found)

    async def diagnostics_equal(self, uri: str, expected: list[tuple]) -> list[types.Diagnostic]:
        """Waits until the published diagnostics are exactly `expected` (as
        `diag_key` tuples, any order)."""
        want = sorted(expected, key=repr)
        try:
            return await self.diagnostics(
                uri, lambda d: sorted(map(diag_key, d), key=repr) == want, "the expected diagnostics"
            )
        except AssertionError:
            got = sorted(map(diag_key, self.client.diagnostics.get(uri) or []), key=repr)
            assert got == want  # shows the difference
            raise

    async def hover(self, uri: str, line: int, character: int = 0) -> str | None:
        answer = await self.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=pos(line, character)
            )
        )
        if answer is None:
            return None
        contents = answer.contents
        assert isinstance(contents, types.MarkupContent), contents
        return contents.value

    async def inlay_hints(self, uri: str, start: tuple[int, int], end: tuple[int, int]):
        return await self.client.text_document_inlay_hint_async(
            types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(start=pos(*start), end=pos(*end)),
            )
        )

    async def code_lenses(self, uri: str):
        return await self.client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def command(self, name: str, *arguments: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(arguments))
        )

    async def assert_answers(self) -> None:
        """Another request gets its answer and the connection is healthy."""
        await asyncio.wait_for(self.hover(self.project.uri("kasse/preise.py"), 0), TIMEOUT)
        self.assert_alive()

    def assert_alive(self) -> None:
        """The connection is healthy: no protocol error on the client side and
        the server process still running."""
        assert self.client.error is None, self.client.error
        server = self.client._server
        assert server is not None and server.returncode is None, "the server process exited"


async def start(
    client: LanguageClient,
    project: Project,
    editor: str,
    *,
    options: dict | None = None,
    encodings: list[str] | None = None,
) -> Session:
    """Initializes the server with `editor`'s recorded capabilities for the
    project's root; `encodings` replaces the offered position encodings."""
    capabilities = client_capabilities(editor)
    if encodings is not None:
        general = capabilities.general or types.GeneralClientCapabilities()
        general.position_encodings = list(encodings)
        capabilities.general = general
    root_uri = project.root.as_uri()
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name=project.root.name)],
            initialization_options=options,
        )
    )
    session = Session(client, project, result)
    await session.wait_loaded()
    return session


# ---------------------------------------------------------------------------
# Workspace edits, applied as an editor would


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def offset(text: str, position: types.Position) -> int:
    """Index into `text` of an LSP position (the fixture files' characters
    are all in the Basic Multilingual Plane where edits land, so UTF-16
    columns are characters)."""
    lines = text.splitlines(keepends=True)
    return sum(len(line) for line in lines[: position.line]) + position.character


def apply(edit: types.WorkspaceEdit) -> list[Path]:
    """Applies a workspace edit to disk as an editor would; returns the files."""
    touched = []
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = path_of(change.uri)
            assert not path.exists(), "a create must never overwrite"
            path.write_text("")
            continue
        path = path_of(change.text_document.uri)
        text = path.read_bytes().decode("utf-8") if path.exists() else ""
        for e in sorted(change.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            start, end = offset(text, e.range.start), offset(text, e.range.end)
            text = text[:start] + e.new_text + text[end:]
        path.write_bytes(text.encode("utf-8"))
        touched.append(path)
    return touched
