"""testgap's probe: calls functions of one module with candidate inputs and
records what each call returns or raises, what it changes, and which lines
and arcs of the target it reaches.

testgap runs this file in the project's own interpreter, in a temporary
working directory. It reads one JSON request on stdin and writes JSON lines on
a private copy of stdout; the code under test writes into a capped buffer (and
file descriptors 1 and 2 go to /dev/null). Each case runs twice, each time in
a fresh namespace; what differs between the two runs is not asserted exactly.
Network connections, new processes and hard exits are refused. Works on
Python 3.8 and later, with the standard library only.
"""

import builtins
import dataclasses
import datetime
import enum
import importlib
import io
import itertools
import json
import math
import os
import pathlib
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tokenize
import traceback

MAX_SOURCE = 2000  # characters of a literal worth writing into a test
MAX_ATTRS = 12  # attributes read from an object
PREFIX = 40  # items or characters of an over-long value asserted


class ProbeTimeout(BaseException):
    """The per-call deadline passed (a BaseException, so `except Exception`
    in the code under test does not swallow it)."""


class Refused(BaseException):
    """The code under test tried something the probe does not allow."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


class Unrepresentable(Exception):
    pass


class State:
    refused = None  # what the current run tried, even if it swallowed Refused
    clock_read = False  # the current run read the date or time from datetime
    random_read = False  # the current run drew from a random number generator
    proto = None  # the protocol channel


STATE = State()
REAL_EXIT = os._exit
REAL_TIME = time.time
REAL_TIME_NS = time.time_ns
# The second run of a case sees the clock this far ahead (a year, a day, an
# hour, a minute and a second), so a result made from the current time
# differs between the runs and is not asserted.
CLOCK_SHIFT = 366 * 86400 + 86400 + 3600 + 61
# A case that drew random numbers runs this many more times, each from
# another seed of the random module: a result that two runs happened to share
# (a shuffle of two items) must not be asserted.
RANDOM_RERUNS = 8


def watch_clock(frame, event, arg):
    """A profile hook: notes a read of the current date or time through
    `datetime`, whose clock `shift_clock` cannot move, and a draw from a
    random number generator (`random`, `secrets`, `os.urandom`)."""
    if event != "c_call":
        return
    owner = getattr(arg, "__self__", None)
    if getattr(arg, "__name__", None) in ("now", "utcnow", "today"):
        if isinstance(owner, type) and issubclass(owner, datetime.date):
            STATE.clock_read = True
    elif isinstance(owner, random.Random) or arg is os.urandom:
        STATE.random_read = True


REAL_DATE = datetime.date
REAL_DATETIME = datetime.datetime


class ActsAsReal(type):
    """The stand-in classes' metaclass: `isinstance(real_date, date)` keeps
    its answer while `datetime.date` is the stand-in."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, cls.__bases__[0])

    def __subclasscheck__(cls, sub):
        return issubclass(sub, cls.__bases__[0])


def shifted_date_classes(seconds):
    """Stand-ins for `datetime.date` and `datetime.datetime` whose today()
    and now() are `seconds` ahead; they make real dates and times."""
    delta = datetime.timedelta(seconds=seconds)

    class date(REAL_DATE, metaclass=ActsAsReal):
        @classmethod
        def today(cls):
            return REAL_DATE.today() + delta

    class datetime_(REAL_DATETIME, metaclass=ActsAsReal):
        @classmethod
        def now(cls, tz=None):
            return REAL_DATETIME.now(tz) + delta

        @classmethod
        def utcnow(cls):
            return REAL_DATETIME.utcnow() + delta

        @classmethod
        def today(cls):
            return REAL_DATETIME.today() + delta

    for klass, name in ((date, "date"), (datetime_, "datetime")):
        klass.__name__ = klass.__qualname__ = name
        klass.__module__ = "datetime"
    return {REAL_DATE: date, REAL_DATETIME: datetime_}


def shift_dates(stand_ins):
    """Puts the stand-ins (or, given None, the real classes back) wherever a
    loaded module holds `date` or `datetime`. Returns what it changed."""
    changed = []
    for module in list(sys.modules.values()):
        names = getattr(module, "__dict__", None)
        if not isinstance(names, dict) or module is sys.modules[__name__]:
            continue
        for name, value in list(names.items()):
            if type(value) is type and value in stand_ins:
                names[name] = stand_ins[value]
                changed.append((names, name, value))
    return changed


def shift_clock(seconds):
    if seconds:
        time.time = lambda: REAL_TIME() + seconds
        time.time_ns = lambda: REAL_TIME_NS() + seconds * 1_000_000_000
    else:
        time.time = REAL_TIME
        time.time_ns = REAL_TIME_NS


# ---------------------------------------------------------------- guards


def refuse(what):
    def refused(*args, **kwargs):
        STATE.refused = STATE.refused or what
        raise Refused(what)

    return refused


def install_guards():
    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        if hasattr(socket.socket, name):
            setattr(socket.socket, name, refuse("network"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        if hasattr(socket, name):
            setattr(socket, name, refuse("network"))
    subprocess.Popen._execute_child = refuse("process")
    for name in (
        "system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle", "execlp",
        "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
        "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp",
    ):
        if hasattr(os, name):
            setattr(os, name, refuse("process"))
    for name in ("kill", "killpg"):
        if hasattr(os, name):
            setattr(os, name, refuse("signal"))
    os._exit = refuse("exit")


class CappedText(io.TextIOBase):
    """Where the code under test prints: keeps the first bytes, counts all."""

    def __init__(self, cap):
        self.cap = cap
        self.kept = []
        self.size = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < self.cap:
            self.kept.append(text[: self.cap - self.size])
        self.size += len(text)
        return len(text)

    def flush(self):
        pass

    @property
    def encoding(self):
        return "utf-8"

    def isatty(self):
        return False


def on_alarm(signum, frame):
    raise ProbeTimeout()


# ---------------------------------------------------------------- tracing


class Tracer:
    """Lines and arcs reached in code objects of one file between two lines,
    the way coverage.py records arcs: entries from -firstline, exits to
    -firstline."""

    in_file = {}  # code object -> whether it comes from the target's file

    def __init__(self, filename, first, last):
        self.filename = filename
        self.first = first
        self.last = last
        self.lines = set()
        self.arcs = set()

    def wanted(self, code):
        hit = self.in_file.get(code)
        if hit is None:
            name = code.co_filename
            hit = name == self.filename or os.path.realpath(name) == self.filename
            self.in_file[code] = hit
        return hit and self.first <= code.co_firstlineno <= self.last

    def global_trace(self, frame, event, arg):
        if event != "call" or not self.wanted(frame.f_code):
            return None
        last = [-frame.f_code.co_firstlineno]
        lines = self.lines
        arcs = self.arcs

        def local(frame, event, arg):
            if event == "line":
                line = frame.f_lineno
                lines.add(line)
                arcs.add((last[0], line))
                last[0] = line
            elif event == "return":
                arcs.add((last[0], -frame.f_code.co_firstlineno))
            return local

        return local


# ---------------------------------------------------------------- values as source


def requote(src):
    """Double quotes for plain string literals, as most formatters write them."""
    if "'" not in src:
        return src
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(src).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return src
    out = []
    col = 0
    for tok in tokens:
        if tok.start[0] != 1:
            break
        start, end = tok.start[1], tok.end[1]
        out.append(src[col:start])
        text = tok.string
        if tok.type == tokenize.STRING:
            prefix = text[: len(text) - len(text.lstrip("bBuU"))]
            body = text[len(prefix):]
            if body.startswith("'") and not body.startswith("'''") and '"' not in body and "\\'" not in body:
                text = prefix + '"' + body[1:-1] + '"'
        out.append(text)
        col = end
    out.append(src[col:])
    return "".join(out)


def importable(cls):
    """(import line, source name) for a class importable by its real dotted
    path, else None."""
    module = getattr(cls, "__module__", None)
    qualname = getattr(cls, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        return None
    if module == "builtins":
        return None, qualname
    top = qualname.split(".")[0]
    try:
        found = importlib.import_module(module)
        obj = found
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception:
        return None
    if obj is not cls:
        return None
    return "from {} import {}".format(module, top), qualname


class Source:
    """Builds a source expression for a value, collecting the imports it needs."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.imports = set()
        self.approx = False
        self.uses_tmp = False

    def of(self, v, depth=0):
        if depth > 6:
            raise Unrepresentable("too deep")
        t = type(v)
        if v is None or t is bool or t is int or t is str or t is bytes:
            return repr(v)
        if t is float:
            self.approx = self.approx or depth <= 1
            if math.isnan(v):
                raise Unrepresentable("nan")
            if math.isinf(v):
                self.imports.add("import math")
                return "math.inf" if v > 0 else "-math.inf"
            return repr(v)
        if t in (list, tuple, dict, set, frozenset) and len(v) > MAX_SOURCE // 3 + 1:
            # Each item takes a character and a separator at least: too long
            # to write down, known before building it.
            raise Unrepresentable("too long")
        if t is list:
            return "[" + ", ".join(self.of(x, depth + 1) for x in v) + "]"
        if t is tuple:
            items = [self.of(x, depth + 1) for x in v]
            return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
        if t is dict:
            return "{" + ", ".join(
                self.of(k, depth + 1) + ": " + self.of(x, depth + 1) for k, x in v.items()
            ) + "}"
        if t is set or t is frozenset:
            items = sorted(self.of(x, depth + 1) for x in v)
            if t is set:
                return "{" + ", ".join(items) + "}" if items else "set()"
            return "frozenset({" + ", ".join(items) + "})" if items else "frozenset()"
        if isinstance(v, enum.Enum):
            found = importable(t)
            if found is None or v.name is None or not str(v.name).isidentifier():
                raise Unrepresentable("enum")
            self.add_import(found[0])
            return "{}.{}".format(found[1], v.name)
        if isinstance(v, pathlib.PurePath) and self.tmp_path is not None:
            try:
                rel = pathlib.PurePath(v).relative_to(self.tmp_path)
            except ValueError:
                rel = None
            if rel is not None:
                self.uses_tmp = True
                if not rel.parts:
                    return "tmp_path"
                return "tmp_path / " + repr(rel.as_posix())
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            found = importable(t)
            if found is None:
                raise Unrepresentable("dataclass")
            self.add_import(found[0])
            args = []
            for f in dataclasses.fields(v):
                if not f.init:
                    continue
                value = getattr(v, f.name)
                if f.default is not dataclasses.MISSING and safe_equal(value, f.default):
                    continue
                if f.default_factory is not dataclasses.MISSING:
                    try:
                        if safe_equal(value, f.default_factory()):
                            continue
                    except Exception:
                        pass
                args.append("{}={}".format(f.name, self.of(value, depth + 1)))
            return "{}({})".format(found[1], ", ".join(args))
        if isinstance(v, tuple) and hasattr(t, "_fields"):
            found = importable(t)
            if found is None:
                raise Unrepresentable("namedtuple")
            self.add_import(found[0])
            args = ["{}={}".format(name, self.of(x, depth + 1)) for name, x in zip(t._fields, v)]
            return "{}({})".format(found[1], ", ".join(args))
        return self.by_repr(v, t)

    def add_import(self, line):
        if line:
            self.imports.add(line)

    def by_repr(self, v, t):
        text = repr(v)
        if " at 0x" in text or text.startswith("<") or len(text) > MAX_SOURCE:
            raise Unrepresentable("repr")
        attempts = []
        found = importable(t)
        if found is not None:
            attempts.append(found[0])
        module = getattr(t, "__module__", "") or ""
        if module and module != "builtins":
            attempts.append("import " + module.split(".")[0])
        for line in attempts:
            ns = {}
            try:
                if line:
                    exec(line, ns)
                if round_trips(eval(text, ns), v):
                    self.add_import(line)
                    return text
            except Exception:
                continue
        raise Unrepresentable("repr")


def safe_equal(a, b):
    try:
        return bool(a == b)
    except Exception:
        return False


def round_trips(copy, v):
    return type(copy) is type(v) and safe_equal(copy, v)


def literal(v, tmp_path):
    """{"kind": "literal"} when the value can be written as source that
    evaluates equal to it, else None."""
    builder = Source(tmp_path)
    try:
        src = builder.of(v)
    except (Unrepresentable, RecursionError):
        return None
    except Exception:
        return None
    if len(src) > MAX_SOURCE:
        return None
    ns = {}
    try:
        for line in sorted(builder.imports):
            exec(line, ns)
        if builder.uses_tmp:
            ns["tmp_path"] = tmp_path
        if not round_trips(eval(src, ns), v) and not (v is None):
            return None
    except Exception:
        return None
    return {
        "kind": "literal",
        "src": requote(src),
        "imports": sorted(builder.imports),
        "approx": builder.approx and type(v) in (float, list, tuple, dict) and flat_numbers(v),
        "tmp_path": builder.uses_tmp,
        "len": len(v) if type(v) in (list, tuple, str, bytes, dict, set, frozenset) else None,
    }


def flat_numbers(v):
    """pytest.approx handles a number or a flat collection of numbers."""
    if type(v) is float:
        return True
    items = v.values() if type(v) is dict else v
    return all(type(x) in (int, float) for x in items) and any(type(x) is float for x in items)


def type_source(t):
    found = importable(t)
    if found is None:
        return None
    return {"src": found[1], "imports": [found[0]] if found[0] else []}


def read_attrs(v, tmp_path, private=False):
    """The attributes of an object worth asserting: public instance
    attributes, public properties, and its length. (template, literal, private)"""
    out = []
    if type(v) in (io.StringIO, io.BytesIO):
        try:
            d = literal(v.getvalue(), tmp_path) or sized(v.getvalue(), tmp_path)
        except Exception:
            d = None
        if d is not None:
            out.append(("{}.getvalue()", d, False))
        return out
    names = []
    try:
        names.extend(sorted(vars(v)))
    except TypeError:
        pass
    t = type(v)
    for name in sorted(dir(t)):
        if name.startswith("_") or name in names:
            continue
        attr = inspect_static(t, name)
        if isinstance(attr, property) or type(attr).__name__ == "cached_property":
            names.append(name)
    for name in names:
        if len(out) >= MAX_ATTRS:
            break
        is_private = name.startswith("_")
        if is_private and (not private or name.startswith("__")):
            continue
        if not name.isidentifier():
            continue
        try:
            value = getattr(v, name)
        except BaseException as error:
            if isinstance(error, (ProbeTimeout, Refused)):
                raise
            continue
        if callable(value) and not isinstance(value, enum.Enum):
            continue
        d = literal(value, tmp_path)
        if d is not None:
            out.append(("{}." + name, d, is_private))
    if hasattr(t, "__len__") and t not in (str, bytes):
        try:
            out.append(("len({})", literal(len(v), tmp_path), False))
        except Exception:
            pass
    return out


def inspect_static(t, name):
    for klass in t.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def sized(v, tmp_path):
    """An over-long str, bytes, list or tuple: its length and its start."""
    if type(v) not in (str, bytes, list, tuple) or len(v) <= PREFIX:
        return None
    head = literal(v[:PREFIX], tmp_path)
    if head is None:
        return None
    return {
        "kind": "object",
        "type": type_source(type(v)),
        "attrs": [
            {"template": "len({})", "desc": literal(len(v), tmp_path), "private": False},
            {"template": "{}[:%d]" % PREFIX, "desc": head, "private": False},
        ],
    }


def describe(v, tmp_path):
    """How to assert on a value: a literal, else its type and attributes."""
    d = literal(v, tmp_path)
    if d is not None:
        return d
    d = sized(v, tmp_path)
    if d is not None:
        return d
    return {
        "kind": "object",
        "type": type_source(type(v)),
        "attrs": [
            {"template": template, "desc": desc, "private": False}
            for template, desc, private in read_attrs(v, tmp_path)
        ],
    }


def merge_descriptions(a, b):
    """What two runs agree on."""
    if a == b:
        return a
    if a["kind"] == "object" and b["kind"] == "object" and a.get("type") == b.get("type"):
        attrs = [x for x in a["attrs"] if x in b["attrs"]]
        return {"kind": "object", "type": a["type"], "attrs": attrs, "partial": True}
    return {"kind": "unstable"}


def state_of(v, tmp_path):
    """A watched variable's observable state: {template: (literal, private)}."""
    d = literal(v, tmp_path)
    if d is not None and type(v) in (list, dict, set, bytearray):
        return {"{}": (d, False)}
    return {template: (desc, private) for template, desc, private in read_attrs(v, tmp_path, private=True)}


def changes(before, after):
    out = []
    for template, (desc, private) in after.items():
        if before.get(template, (None, None))[0] != desc:
            out.append({"template": template, "desc": desc, "private": private})
    return out


def exception_info(error):
    t = type(error)
    source = None
    for klass in t.__mro__:
        if klass is object:
            break
        source = type_source(klass)
        if source is not None:
            break
    message = str(error)
    return {"type": source, "name": t.__name__, "message": message}


# ---------------------------------------------------------------- running a case


def run_once(case, imports, tracer, base, timeout, sink, clock_shift=0, dates=False):
    """One run of a case; with `clock_shift`, `time.time()` runs that far
    ahead and reads of datetime's clock are noted; with `dates` too, that
    clock runs ahead as well."""
    restore = shift_dates(shifted_date_classes(clock_shift)) if dates else []
    try:
        return run_case(case, imports, tracer, base, timeout, sink, clock_shift)
    finally:
        for names, name, value in restore:
            names[name] = value


def run_case(case, imports, tracer, base, timeout, sink, clock_shift):
    """One run of a case: a dict of what happened, plus the raw value."""
    ns = {"__builtins__": builtins, "__name__": "testgap_probe_case"}
    tmp_path = pathlib.Path(tempfile.mkdtemp(dir=base))
    if case.get("tmp_path"):
        ns["tmp_path"] = tmp_path
    cwd = os.getcwd()
    environ = dict(os.environ)
    STATE.refused = None
    STATE.clock_read = False
    STATE.random_read = False
    record = {}
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    shift_clock(clock_shift)
    try:
        stage = "import"
        try:
            for line in imports:
                exec(line, ns)
            stage = "setup"
            for line in case.get("setup", []):
                exec(compile(line, "<testgap setup>", "exec"), ns)
            watch = case.get("watch", [])
            before = {name: state_of(ns[name], tmp_path) for name in watch if name in ns}
            stage = "call"
            code = compile(case["call"], "<testgap call>", "eval")
            sys.settrace(tracer.global_trace)
            if clock_shift:
                sys.setprofile(watch_clock)
            try:
                value = eval(code, ns)
                if case.get("consume") and lazy_iterator(value):
                    # What a returned iterator yields is the result; taking
                    # it runs the code that makes the items (traced too).
                    record["consumed"] = True
                    value = list(itertools.islice(value, int(case["consume"])))
            finally:
                sys.settrace(None)
                sys.setprofile(None)
            stage = "describe"
            record["outcome"] = "return"
            record["value"] = describe(value, tmp_path)
            record["watched"] = {
                name: changes(before[name], state_of(ns[name], tmp_path)) for name in before
            }
        except ProbeTimeout:
            record = {"outcome": "timeout", "stage": stage}
        except Refused as error:
            record = {"outcome": "refused", "reason": error.what}
        except BaseException as error:
            sys.settrace(None)
            sys.setprofile(None)
            if stage == "call":
                record = {"consumed": True} if record.get("consumed") else {}
                record["outcome"] = "raise"
                record["exception"] = exception_info(error)
                record["watched"] = {}
            else:
                record = {
                    "outcome": "setup_error" if stage != "describe" else "error",
                    "stage": stage,
                    "error": "{}: {}".format(type(error).__name__, error)[:500],
                }
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.settrace(None)
        sys.setprofile(None)
        shift_clock(0)
        try:
            os.chdir(cwd)
        except OSError:
            pass
        if os.environ != environ:
            os.environ.clear()
            os.environ.update(environ)
    if STATE.refused and record.get("outcome") != "timeout":
        record = {"outcome": "refused", "reason": STATE.refused}
    if STATE.clock_read:
        record["clock"] = True
    if STATE.random_read:
        record["random"] = True
    record["seconds"] = round(time.perf_counter() - started, 6)
    record["printed"] = sink.size
    return record


def lazy_iterator(v):
    """A returned iterator (map, filter, a generator, itertools' objects):
    not a stream, which reads a file."""
    if isinstance(v, (io.IOBase, str, bytes)) or not hasattr(type(v), "__next__"):
        return False
    try:
        return iter(v) is v
    except Exception:
        return False


def merge_runs(first, second):
    """The first run's record, keeping only what the second run agrees on."""
    if first.get("outcome") != second.get("outcome") or first.get("consumed") != second.get("consumed"):
        return {"outcome": "unstable", "detail": "{} then {}".format(first.get("outcome"), second.get("outcome"))}
    out = dict(first)
    if first["outcome"] == "return":
        out["value"] = merge_descriptions(first["value"], second["value"])

    if first["outcome"] == "raise":
        a, b = first["exception"], second["exception"]
        if a["type"] != b["type"] or a["name"] != b["name"]:
            return {"outcome": "unstable", "detail": "{} then {}".format(a["name"], b["name"])}
        if a["message"] != b["message"]:
            out["exception"] = dict(a, message=None)
    if "watched" in first:
        watched = {}
        for name, items in first["watched"].items():
            others = second.get("watched", {}).get(name, [])
            watched[name] = [x for x in items if x in others]
        out["watched"] = watched
    return out


def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    STATE.proto = proto
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    cap = int(request.get("output_cap", 1 << 16))
    sink = CappedText(cap)
    sys.stdout = sink
    sys.stderr = sink
    sys.stdin = io.StringIO("")
    sys.argv = ["testgap-probe"]

    def emit(obj):
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    if sys.path and os.path.basename(__file__).startswith("_testgap"):
        sys.path.pop(0)
    for entry in reversed(request.get("sys_path", [])):
        sys.path.insert(0, entry)
    install_guards()
    base = os.getcwd()
    timeout = float(request.get("per_call_timeout", 2.0))
    budget = float(request.get("target_budget", 2.0))
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(timeout * 5, 10.0))
    try:
        module = importlib.import_module(request["module"])
        filename = os.path.realpath(module.__file__)
    except ProbeTimeout:
        emit({"event": "import_error", "reason": "timeout", "error": "importing it did not finish"})
        return
    except Refused as error:
        emit({"event": "import_error", "reason": error.what, "error": "importing it needs " + error.what})
        return
    except BaseException as error:
        lines = traceback.format_exception_only(type(error), error)
        emit({"event": "import_error", "reason": "error", "error": "".join(lines).strip()[:2000]})
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    emit({"event": "ready", "file": filename, "python": "%d.%d" % sys.version_info[:2]})
    skip = {tuple(x) for x in request.get("skip", [])}
    for t_index, target in enumerate(request["targets"]):
        timeouts = 0
        spent = 0.0
        imports = target.get("imports", [])
        for c_index, case in enumerate(target["cases"]):
            if (t_index, c_index) in skip:
                continue
            if timeouts >= 2:
                emit({"event": "case", "target": t_index, "case": c_index, "outcome": "skipped", "reason": "timeouts"})
                continue
            if spent > budget:
                # The cases come most telling first: slow code gets fewer.
                emit({"event": "case", "target": t_index, "case": c_index, "outcome": "skipped", "reason": "budget"})
                continue
            emit({"event": "start", "target": t_index, "case": c_index})
            tracer = Tracer(filename, target["first_line"], target["last_line"])
            sink.size = 0
            first = run_once(case, imports, tracer, base, timeout, sink)
            if first["outcome"] in ("timeout", "refused", "setup_error", "error"):
                record = first
            else:
                second = run_once(case, imports, Tracer(filename, 0, -1), base, timeout, sink, CLOCK_SHIFT)
                record = merge_runs(first, second)
                if second.get("clock") and record["outcome"] != "unstable":
                    # It read today's date from datetime: once more with
                    # that clock ahead too; what changes is not asserted.
                    third = run_once(case, imports, Tracer(filename, 0, -1), base, timeout, sink, CLOCK_SHIFT, True)
                    record = merge_runs(record, third)
                if second.get("random"):
                    for seed in range(RANDOM_RERUNS):
                        if record["outcome"] == "unstable":
                            break
                        random.seed(seed)
                        again = run_once(case, imports, Tracer(filename, 0, -1), base, timeout, sink, CLOCK_SHIFT)
                        record = merge_runs(record, again)
                    random.seed()
                record["seconds"] = first["seconds"]
            if record["outcome"] == "timeout":
                timeouts += 1
            record.update(
                event="case",
                target=t_index,
                case=c_index,
                lines=sorted(tracer.lines),
                arcs=sorted(tracer.arcs),
            )
            emit(record)
            spent += record.get("seconds", 0) * (1 if record is first else 2)
    emit({"event": "end"})
    proto.flush()


if __name__ == "__main__":
    try:
        main()
    except BaseException:  # the probe's own failure: say so on the protocol channel
        try:
            channel = STATE.proto or sys.__stdout__
            channel.write(json.dumps({"event": "crash", "error": traceback.format_exc()[-2000:]}) + "\n")
            channel.flush()
        except BaseException:
            pass
    REAL_EXIT(0)
