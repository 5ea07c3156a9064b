"""Bad input: a module that cannot be imported, functions that hang, exit,
open sockets, start processes or print megabytes are reported one by one and
the rest is still generated; usage errors are one line and exit status 2."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from gen_support import PYTHON, asserts_something, generate, generated_tests, snapshot
from support.binary import find_testgap
from support.measure import coverage_data
from support.processes import child_env, describe, run

MIXED = '''
import os
import signal
import socket
import sys
import time


def fetch(host: str) -> bytes:
    with socket.create_connection((host, 80), timeout=1) as conn:
        return conn.recv(10)


def spin(n: int) -> int:
    while True:
        n += 1


def stubborn(n: int) -> None:
    """Ignores the probe's timer: only killing the process stops it."""
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(120)


def leave(code: int) -> None:
    sys.exit(code)


def hard_exit(code: int) -> None:
    os._exit(code)


def spawn(cmd: str) -> int:
    return os.system(cmd)


def shout(text: str) -> int:
    print(text * 200_000)
    return len(text)


def add(a: int, b: int = 1) -> int:
    if a > 100:
        raise OverflowError("too big")
    return a + b


def now() -> float:
    return time.time()
'''

BROKEN = '''
import a_module_that_does_not_exist


def f(x: int) -> int:
    return x
'''


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    root = base / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mixed.py").write_text(textwrap.dedent(MIXED))
    (root / "pkg" / "broken.py").write_text(textwrap.dedent(BROKEN))
    tmpdir = base / "tmpdir"
    tmpdir.mkdir()
    before = snapshot(root)
    started = time.monotonic()
    result = generate(
        root, "pkg/mixed.py", "pkg/broken.py", "--write", "--format", "json", "--call-timeout", "1",
        env=child_env(TMPDIR=str(tmpdir)),
    )
    seconds = time.monotonic() - started
    return root, result, before, tmpdir, seconds


def test_each_problem_is_reported_for_its_function(bad):
    root, result, _, _, seconds = bad
    assert result.code == 0, describe(result.proc)
    functions = result.functions()
    reason = {name.split(":")[1]: f["skipped"] for name, f in functions.items() if name.startswith("pkg.mixed")}
    assert reason["fetch"] == "`fetch` needs the network"
    assert "did not return within 1 s" in reason["spin"]
    assert "did not return within 1 s" in reason["stubborn"]
    assert reason["hard_exit"] == "`hard_exit` exits the interpreter (os._exit)"
    assert reason["spawn"] == "`spawn` starts processes"
    assert "returns a different result on every call" in reason["now"]
    for ok in ("add", "leave", "shout"):
        assert reason[ok] is None and functions[f"pkg.mixed:{ok}"]["tests"] >= 1, ok
    broken = [m for m in result.report()["modules"] if m["module"] == "pkg.broken"][0]
    assert broken["error"].startswith("cannot import `pkg.broken`: ModuleNotFoundError")
    assert broken["edit"] is None
    assert seconds < 120


def test_what_was_generated_passes_and_asserts(bad):
    root, result, _, _, _ = bad
    path = root / "tests" / "test_mixed.py"
    assert path.is_file()
    for function in generated_tests(path, None):
        assert asserts_something(function), function.name
    text = path.read_text()
    assert "with pytest.raises(SystemExit" in text
    report = coverage_data(root, "tests/test_mixed.py")
    assert report["totals"]["covered_lines"] > 0


def test_nothing_else_was_written(bad):
    root, result, before, tmpdir, _ = bad
    after = snapshot(root)
    added = set(after) - set(before)
    assert added == {str(Path("tests") / "test_mixed.py")}
    assert all(after[p] == h for p, h in before.items())
    assert not any(tmpdir.iterdir()), list(tmpdir.iterdir())


def test_nothing_generated_exits_1(bad):
    root = bad[0]
    result = generate(root, "pkg/mixed.py::fetch", "--format", "json")
    assert result.code == 1, describe(result.proc)
    assert result.report()["totals"]["tests"] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope.py"], "testgap: nope.py does not exist"),
        (["pkg/mixed.py::nothing_here"], "testgap: no function or class `nothing_here` in pkg/mixed.py"),
        (["pkg.nowhere:f"], "testgap: no module `pkg.nowhere` in the project"),
        (["mixed"], None),
        (["--all"], "testgap: no coverage data found"),
        ([], "testgap: nothing to generate"),
        (["not a target"], "testgap: `not a target` is not a target"),
        (["pkg/mixed.py", "--shard", "1/2"], "testgap: --shard only applies to --all"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(bad, args, message):
    root = bad[0]
    result = generate(root, *args)
    if message is None:  # a dotted module that does not exist
        assert result.code == 2 and result.proc.stderr.startswith("testgap: no module `mixed`")
        return
    assert result.code == 2, describe(result.proc)
    assert result.proc.stderr.startswith(message), result.proc.stderr
    assert len(result.proc.stderr.strip().splitlines()) == 1


def test_a_missing_interpreter_or_pytest_is_a_clear_error(bad, tmp_path):
    root = bad[0]
    proc = run([find_testgap(), "generate", "pkg/mixed.py", "--python", "/nonexistent/python"], root)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "testgap: the Python interpreter /nonexistent/python given with --python does not exist"
    )
    venv = tmp_path / "bare"
    made = run([PYTHON, "-m", "venv", "--without-pip", venv], tmp_path)
    assert made.returncode == 0, describe(made)
    python = venv / "bin" / "python"
    proc = run([find_testgap(), "generate", "pkg/mixed.py", "--python", python], root)
    assert proc.returncode == 2, describe(proc)
    assert proc.stderr.startswith(
        f"testgap: pytest is not installed in {python}: install it with `{python} -m pip install pytest`"
    ), proc.stderr
