"""testgap's pytest plugin, loaded with `-p _testgap_pytest` by the one pytest
runner (`pyenv/pytest.rs`) for `testgap generate`'s verification and for
`testgap fix`.

It reports every test phase, every collection error and the end of the
session as one JSON object per line in the file named by
TESTGAP_PYTEST_REPORT. Each test record has the outcome and, for a failure or
a skip, pytest's short message.

TESTGAP_PYTEST_DETAIL=failures adds what explains a failure: exception,
frames, the operands of a failed comparison, a mock's expected and actual
calls, a patch target that does not resolve, a missing fixture and the
fixtures available, and the functions below TESTGAP_PYTEST_ROOT (outside
site-packages) that a failing test called. Without it nothing watches the
tests run: no profile hook, no comparison capture.

TESTGAP_PYTEST_OVERRIDES names a JSON file mapping a source path to a file
whose text replaces it when the module is imported, so candidate edits of a
test module or a conftest.py run without touching the user's files.

TESTGAP_PYTEST_SOFT_ASSERTS names one overridden test module whose
comparisons in `assert` statements are recorded and do not stop the test (a
probe run: it shows every assertion that fails at once; its outcome proves
nothing).

Only the standard library and pytest are used; nothing here changes what a
test does.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import json
import linecache
import os
import sys

import pytest
from _testgap_failures import (
    _MAX_TEXT,
    _ROOT,
    _CallRecorder,
    _error,
    _fixture_error,
    _internal,
    _operand,
    _real,
)

_REPORT_PATH = os.environ.get("TESTGAP_PYTEST_REPORT")
_FAILURES = os.environ.get("TESTGAP_PYTEST_DETAIL") == "failures"
_MAX_MESSAGE = 500


# --------------------------------------------------------------------------
# Candidate text instead of the file on disk


def _load_overrides():
    path = os.environ.get("TESTGAP_PYTEST_OVERRIDES")
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        mapping = json.load(handle)
    return {_real(source): candidate for source, candidate in mapping.items()}


_OVERRIDES = _load_overrides()
_SOFT = _real(os.environ["TESTGAP_PYTEST_SOFT_ASSERTS"]) if os.environ.get("TESTGAP_PYTEST_SOFT_ASSERTS") else None


class _SoftAsserts(ast.NodeTransformer):
    """`assert a == b` inside a function becomes
    `try: assert a == b / except AssertionError: pass`: pytest's rewriting of
    the inner assert still reports the comparison, and the test goes on."""

    def __init__(self):
        self.depth = 0

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        return node

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Assert(self, node):
        if not self.depth or not isinstance(node.test, ast.Compare):
            return node
        handler = ast.ExceptHandler(type=ast.Name(id="AssertionError", ctx=ast.Load()), name=None, body=[ast.Pass()])
        wrapped = ast.Try(body=[node], handlers=[handler], orelse=[], finalbody=[])
        for new in (wrapped, handler, handler.type, handler.body[0]):
            ast.copy_location(new, node)
        return wrapped


class _CandidateLoader(importlib.abc.Loader):
    """Executes a module from candidate text, with pytest's assertion rewriting."""

    def __init__(self, origin, candidate):
        self.origin = origin
        self.candidate = candidate

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        with open(self.candidate, "rb") as handle:
            source = handle.read()
        tree = ast.parse(source, filename=self.origin)
        if _SOFT is not None and _real(self.origin) == _SOFT:
            tree = ast.fix_missing_locations(_SoftAsserts().visit(tree))
        try:
            from _pytest.assertion.rewrite import rewrite_asserts

            rewrite_asserts(tree, source, self.origin, _CONFIG[0] if _CONFIG else None)
        except Exception:  # noqa: BLE001 - plain asserts still run
            pass
        code = compile(tree, self.origin, "exec", dont_inherit=True)
        text = source.decode("utf-8", "replace")
        # Tracebacks and pytest's source display read lines through linecache:
        # they must show the candidate, not the file on disk.
        linecache.cache[self.origin] = (len(text), None, text.splitlines(True), self.origin)
        exec(code, module.__dict__)


class _CandidateFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None and path:
            # --import-mode=importlib passes the file's own directory.
            for entry in path:
                candidate = os.path.join(str(entry), name.rpartition(".")[2] + ".py")
                if _real(candidate) in _OVERRIDES:
                    spec = importlib.util.spec_from_file_location(name, candidate)
                    break
        if spec is None or not spec.origin:
            return None
        origin = _real(spec.origin)
        if origin not in _OVERRIDES:
            return None
        return importlib.util.spec_from_file_location(
            name,
            spec.origin,
            loader=_CandidateLoader(spec.origin, _OVERRIDES[origin]),
            submodule_search_locations=spec.submodule_search_locations,
        )


_CONFIG = []
if _OVERRIDES:
    sys.meta_path.insert(0, _CandidateFinder())

# --------------------------------------------------------------------------
# Hooks

_compare = {}
_compares = {}
_current = [None]
_records = []


def _emit(record):
    _records.append(record)
    if _REPORT_PATH:
        with open(_REPORT_PATH, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def _longrepr(longrepr):
    """pytest's text of a failure; a very long one keeps its start (where the
    failure begins) and its end (the error itself)."""
    if longrepr is None:
        return None
    text = str(longrepr)
    if len(text) <= _MAX_TEXT:
        return text
    half = _MAX_TEXT // 2
    return text[:half] + "\n…\n" + text[-half:]


def _message(report):
    """The line pytest prints for a failure or a skip in its short summary."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)[:_MAX_MESSAGE]
    return str(report.longrepr)[-_MAX_MESSAGE:]


def pytest_configure(config):
    _CONFIG.append(config)
    if _OVERRIDES:
        # Stay ahead of pytest's own assertion-rewriting importer.
        finders = [f for f in sys.meta_path if isinstance(f, _CandidateFinder)]
        for finder in finders:
            sys.meta_path.remove(finder)
        sys.meta_path.insert(0, finders[0] if finders else _CandidateFinder())


def _assert_site():
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not _internal(filename):
            return _real(filename), frame.f_lineno
        frame = frame.f_back
    return None, 0


_CALLS_KEY = pytest.StashKey()

# Watching a test run (comparisons, the functions it calls) is only for
# explaining failures: defined only then, so a plain run has no profile hook
# and no wrapper of ours in its tracebacks.
if _FAILURES:

    def pytest_assertrepr_compare(config, op, left, right):
        nodeid = _current[0]
        if nodeid is None:
            return None
        try:
            filename, line = _assert_site()
            compare = {
                "op": op,
                "left": _operand(left),
                "right": _operand(right),
                "file": filename,
                "line": line,
            }
            _compare[nodeid] = compare
            if _SOFT is not None:
                _compares.setdefault(nodeid, []).append(compare)
        except Exception:  # noqa: BLE001 - never break pytest's own explanation
            pass
        return None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        _current[0] = item.nodeid
        try:
            return (yield)
        finally:
            _current[0] = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(item):
        recorder = _CallRecorder()
        previous = sys.getprofile()
        sys.setprofile(recorder)
        try:
            return (yield)
        finally:
            sys.setprofile(previous)
            item.stash[_CALLS_KEY] = recorder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    try:
        _emit(_test_record(item, call, report))
    except Exception as error:  # noqa: BLE001 - report what we could not describe
        _emit({"event": "internal", "nodeid": item.nodeid, "message": repr(error)})
    return report


def _test_record(item, call, report):
    record = {
        "event": "test",
        "nodeid": report.nodeid,
        "phase": report.when,
        "outcome": report.outcome,
        "duration": round(report.duration, 6),
        "file": _real(str(item.path)),
    }
    if hasattr(report, "wasxfail"):
        record["xfail"] = True
    if report.failed or report.skipped:
        record["message"] = _message(report)
    if not _FAILURES:
        return record
    if report.when == "call" and item.nodeid in _compares:
        record["compares"] = _compares.pop(item.nodeid)[:50]
    if report.failed or (report.skipped and call.excinfo is not None):
        excinfo = call.excinfo
        if excinfo is not None and report.failed:
            exc = excinfo.value
            record["error"] = _error(exc)
            if type(exc).__name__ == "FixtureLookupError":
                record["fixture"] = _fixture_error(exc)
            compare = _compare.pop(item.nodeid, None)
            if compare is not None and isinstance(exc, AssertionError):
                record["compare"] = compare
        record["longrepr"] = _longrepr(report.longrepr)
        if report.failed and report.when == "call":
            recorder = item.stash.get(_CALLS_KEY, None)
            if recorder is not None:
                record["called"] = recorder.called(_real(str(item.path)))
    return record


def pytest_exception_interact(node, call, report):
    if isinstance(node, pytest.Item) or getattr(report, "when", None) != "collect":
        return
    try:
        error = _error(call.excinfo.value) if _FAILURES and call.excinfo is not None else None
        # A conftest.py that fails to import: the failure is the conftest's.
        file = (error or {}).get("conftest") or _real(str(getattr(node, "path", "")))
        _emit(
            {
                "event": "collect",
                "nodeid": report.nodeid,
                "outcome": report.outcome,
                "file": file,
                "error": error,
                "longrepr": _longrepr(report.longrepr),
            }
        )
    except Exception as error:  # noqa: BLE001
        _emit({"event": "internal", "nodeid": report.nodeid, "message": repr(error)})


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # A conftest.py next to the tests that cannot be imported stops pytest
    # before any collection hook runs: report it as that file's failure.
    try:
        return (yield)
    except Exception as exc:
        if type(exc).__name__ == "ConftestImportFailure":
            path = _real(str(exc.path))
            _emit(
                {
                    "event": "collect",
                    "nodeid": os.path.relpath(path, _ROOT),
                    "outcome": "failed",
                    "file": path,
                    "error": _error(exc) if _FAILURES else None,
                    "longrepr": _longrepr(exc),
                }
            )
        raise


def pytest_collectreport(report):
    # Failures pytest_exception_interact did not see (it is skipped for
    # some collectors): keep at least pytest's own text.
    if report.failed and not any(r.get("event") == "collect" and r["nodeid"] == report.nodeid for r in _records):
        _emit(
            {
                "event": "collect",
                "nodeid": report.nodeid,
                "outcome": report.outcome,
                "file": None,
                "error": None,
                "longrepr": _longrepr(report.longrepr),
            }
        )


def pytest_sessionfinish(session, exitstatus):
    _emit({"event": "session", "exitstatus": int(exitstatus), "collected": session.testscollected})
