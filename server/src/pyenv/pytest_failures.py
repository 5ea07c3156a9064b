"""Describing a failed test for `testgap fix`: the part of testgap's pytest
plugin (`_testgap_pytest`) used with TESTGAP_PYTEST_DETAIL=failures.

The exception with its frames, an operand of a failed comparison as a
literal, a mock's expected and actual calls, a patch target that does not
resolve, a missing fixture and where fixtures of that name are, and the
functions below TESTGAP_PYTEST_ROOT that a test called. Only the standard
library is used.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import re
import sys
import traceback

_ROOT = os.path.realpath(os.environ.get("TESTGAP_PYTEST_ROOT") or os.getcwd())
_MAX_TEXT = 20000
_MAX_MEMBERS = 400
# The plugin's own files (this one and the plugin beside it): their frames
# say nothing about a test.
_OURS = {
    os.path.realpath(os.path.join(os.path.dirname(__file__), name))
    for name in ("_testgap_pytest.py", "_testgap_failures.py")
}


def _real(path):
    try:
        return os.path.realpath(path)
    except (TypeError, ValueError, OSError):
        return str(path)


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
        or _real(filename) in _OURS
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
    if path in _OURS or not path.startswith(_ROOT + os.sep):
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
