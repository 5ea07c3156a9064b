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
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import json
import linecache
import os
import pkgutil
import re
import sys
import traceback

import pytest

_REPORT_PATH = os.environ.get("TESTGAP_PYTEST_REPORT")
_ROOT = os.path.realpath(os.environ.get("TESTGAP_PYTEST_ROOT") or os.getcwd())
_FAILURES = os.environ.get("TESTGAP_PYTEST_DETAIL") == "failures"
_MAX_TEXT = 20000
_MAX_MESSAGE = 500
_MAX_MEMBERS = 400
_HERE = os.path.realpath(__file__)


def _real(path):
    try:
        return os.path.realpath(path)
    except (TypeError, ValueError, OSError):
        return str(path)


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
# Values as literals


def _value(obj, depth=0, budget=None):
    """A typed description of a plain value that can be written as a Python
    literal, or None when it cannot."""
    if budget is None:
        budget = [5000]
    budget[0] -= 1
    if budget[0] < 0 or depth > 20:
        return None
    kind = type(obj)
    if obj is None:
        return {"kind": "none"}
    if kind is bool:
        return {"kind": "bool", "value": obj}
    if kind is int:
        return {"kind": "int", "text": repr(obj)}
    if kind is float:
        if obj != obj or obj in (float("inf"), float("-inf")):
            return None
        return {"kind": "float", "text": repr(obj)}
    if kind is str:
        return {"kind": "str", "value": obj}
    if kind is bytes:
        return {"kind": "bytes", "text": repr(obj)}
    if kind in (list, tuple, set, frozenset):
        items = []
        members = sorted(obj, key=repr) if kind in (set, frozenset) else obj
        for item in members:
            described = _value(item, depth + 1, budget)
            if described is None:
                return None
            items.append(described)
        return {"kind": kind.__name__, "items": items}
    if kind is dict:
        pairs = []
        for key, item in obj.items():
            k = _value(key, depth + 1, budget)
            v = _value(item, depth + 1, budget)
            if k is None or v is None:
                return None
            pairs.append([k, v])
        return {"kind": "dict", "pairs": pairs}
    return None


def _safe_repr(obj, limit=2000):
    try:
        text = repr(obj)
    except Exception as error:  # noqa: BLE001 - a broken __repr__
        text = f"<unrepresentable {type(obj).__name__}: {error!r}>"
    return text if len(text) <= limit else text[:limit] + "…"


def _operand(obj):
    return {"repr": _safe_repr(obj), "type": type(obj).__name__, "value": _value(obj)}


# --------------------------------------------------------------------------
# What a failure says


def _internal(filename):
    """pytest's, pluggy's and the import system's own frames say nothing about
    the test."""
    return (
        os.sep + "_pytest" + os.sep in filename
        or os.sep + "pluggy" + os.sep in filename
        or filename.startswith("<frozen importlib")
        or filename == os.path.join(os.path.dirname(importlib.__file__), "__init__.py")
        or _real(filename) == _HERE
    )


def _frames(tb):
    frames = []
    for entry in traceback.extract_tb(tb):
        if _internal(entry.filename):
            continue
        file = entry.filename if entry.filename.startswith("<") else _real(entry.filename)
        frames.append({"file": file, "line": entry.lineno or 0, "function": entry.name})
    return frames


def _walk_tb(tb):
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


_SUGGESTION = re.compile(r"Did you mean:? '?([A-Za-z_][\w.]*)'?\?")


def _members(obj):
    try:
        names = [n for n in dir(obj) if not (n.startswith("__") and n.endswith("__"))]
    except Exception:  # noqa: BLE001
        return []
    return sorted(names)[:_MAX_MEMBERS]


def _mock_call(exc):
    """The expected and actual calls of a failed assert_called_with-style check."""
    try:
        from unittest import mock
    except ImportError:
        return None
    methods = {
        "assert_called_with",
        "assert_called_once_with",
        "assert_any_call",
        "assert_has_calls",
        "assert_called",
        "assert_called_once",
        "assert_not_called",
    }
    outermost = None
    innermost = None
    caller = None
    previous = None
    for frame, lineno in _walk_tb(exc.__traceback__):
        name = frame.f_code.co_name
        this = frame.f_locals.get("self")
        if name in methods and isinstance(this, mock.NonCallableMock):
            if outermost is None:
                outermost = (frame, name, this)
                caller = previous
            innermost = (frame, name, this)
        previous = (frame, lineno)
    if outermost is None:
        return None
    frame, method, this = outermost
    inner_frame = innermost[0]
    args = inner_frame.f_locals.get("args", frame.f_locals.get("args", ()))
    kwargs = inner_frame.f_locals.get("kwargs", frame.f_locals.get("kwargs", {}))
    try:
        mock_name = this._extract_mock_name()
    except Exception:  # noqa: BLE001
        mock_name = "mock"
    actual = this.call_args

    def call(args, kwargs):
        return {
            "args": [_operand(a) for a in args],
            "kwargs": [[k, _operand(v)] for k, v in kwargs.items()],
        }

    out = {
        "mock": mock_name,
        "method": method,
        "call_count": this.call_count,
        "expected": call(args, kwargs) if method not in ("assert_has_calls",) else None,
        "actual": call(actual.args, actual.kwargs) if actual is not None else None,
    }
    if caller is not None:
        out["file"] = _real(caller[0].f_code.co_filename)
        out["line"] = caller[1]
    return out


def _patch_target(exc):
    """The `patch("a.b.c")` target that could not be resolved, if that failed."""
    for frame, _ in _walk_tb(exc.__traceback__):
        this = frame.f_locals.get("self")
        getter = getattr(this, "getter", None)
        attribute = getattr(this, "attribute", None)
        if getter is None or not isinstance(attribute, str):
            continue
        if isinstance(getter, functools.partial) and getter.func is pkgutil.resolve_name and getter.args:
            return {"target": str(getter.args[0]), "attribute": attribute, "object": False}
        return {"target": None, "attribute": attribute, "object": True}
    return None


def _environ_key(exc):
    if not isinstance(exc, KeyError) or not exc.args:
        return None
    for frame, _ in _walk_tb(exc.__traceback__):
        if frame.f_code.co_name == "__getitem__" and frame.f_code.co_filename in ("<frozen os>", os.__file__):
            return str(exc.args[0])
    return None


def _error(exc, depth=0):
    if exc is None:
        return None
    kind = type(exc)
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001
        message = "<unprintable exception>"
    try:
        exconly = "".join(traceback.TracebackException.from_exception(exc).format_exception_only())
    except Exception:  # noqa: BLE001
        exconly = f"{kind.__name__}: {message}"
    out = {
        "type": kind.__name__,
        "module": kind.__module__,
        "bases": [c.__name__ for c in kind.__mro__],
        "message": message[:_MAX_TEXT],
        "exconly": exconly[:_MAX_TEXT],
        "frames": _frames(exc.__traceback__),
    }
    found = _SUGGESTION.search(exconly)
    if found:
        out["suggestion"] = found.group(1)
    if isinstance(exc, ImportError):
        out["name"] = exc.name
        out["path"] = exc.path
        cannot = re.match(r"cannot import name '([^']+)' from '([^']+)'", message)
        if cannot and cannot.group(2) in sys.modules:
            out["members"] = _members(sys.modules[cannot.group(2)])
    elif isinstance(exc, (AttributeError, NameError)):
        name = getattr(exc, "name", None)
        if name is not None:
            out["name"] = name
        obj = getattr(exc, "obj", None)
        if isinstance(exc, AttributeError) and obj is not None:
            out["obj_type"] = type(obj).__name__
            if isinstance(obj, type(sys)):
                out["obj_module"] = obj.__name__
            elif isinstance(obj, type):
                out["obj_class"] = obj.__name__
            out["members"] = _members(obj)
    elif isinstance(exc, OSError):
        out["errno"] = exc.errno
        if exc.filename is not None:
            out["filename"] = str(exc.filename)
    key = _environ_key(exc)
    if key is not None:
        out["environ_key"] = key
    mock_call = _mock_call(exc) if isinstance(exc, AssertionError) else None
    if mock_call:
        out["mock_call"] = mock_call
    patch = _patch_target(exc) if isinstance(exc, (AttributeError, ImportError)) else None
    if patch:
        out["patch"] = patch
    cause = exc.__cause__
    if kind.__name__ == "ConftestImportFailure":
        cause = getattr(exc, "cause", None) or cause
        out["conftest"] = _real(str(exc.path))
    if cause is not None and depth < 2 and kind.__name__ in ("CollectError", "ConftestImportFailure"):
        out["cause"] = _error(cause, depth + 1)
    return out


def _fixture_error(exc):
    try:
        represented = exc.formatrepr()
    except Exception:  # noqa: BLE001
        return None
    text = represented.errorstring
    available = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("available fixtures:"):
            available = [n.strip() for n in line.split(":", 1)[1].split(",") if n.strip()]
    out = {
        "name": exc.argname,
        "available": available,
        "message": text[:_MAX_TEXT],
        "file": _real(str(represented.filename)),
        "line": represented.firstlineno + 1,
    }
    stack = [exc.request._pyfuncitem.obj] + [d.func for d in exc.fixturestack]
    if exc.msg is None and stack:
        requester = stack[-1]
        out["requested_by"] = getattr(requester, "__name__", None)
    out["definitions"] = _fixture_definitions(exc.request, exc.argname)
    return out


def _fixture_definitions(request, name):
    """Where a fixture of that name is defined anywhere in the session (it may
    be out of the test's reach)."""
    found = []
    try:
        for fixturedef in request._fixturemanager._arg2fixturedefs.get(name, ()):
            code = getattr(fixturedef.func, "__code__", None)
            if code is not None:
                found.append({"file": _real(code.co_filename), "line": code.co_firstlineno})
    except Exception:  # noqa: BLE001
        pass
    return found


# --------------------------------------------------------------------------
# The functions a test calls


def _under_root(filename):
    if not filename or filename.startswith("<"):
        return False
    path = _real(filename)
    if path == _HERE or not path.startswith(_ROOT + os.sep):
        return False
    parts = path[len(_ROOT) + 1 :].split(os.sep)
    return not any(p in ("site-packages", "dist-packages") or p.startswith(".") for p in parts)


class _CallRecorder:
    def __init__(self):
        self.codes = set()

    def __call__(self, frame, event, arg):
        if event == "call":
            self.codes.add(frame.f_code)

    def called(self, test_file):
        out = []
        for code in self.codes:
            if _under_root(code.co_filename) and _real(code.co_filename) != test_file:
                out.append(
                    {
                        "file": _real(code.co_filename),
                        "function": code.co_name,
                        "qualname": getattr(code, "co_qualname", code.co_name),
                        "line": code.co_firstlineno,
                    }
                )
        out.sort(key=lambda c: (c["file"], c["line"]))
        return out[:500]


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
