#!/usr/bin/env python3
"""How good are the tests `testgap generate` writes? Measured on real
libraries from PyPI, against Hypothesis's ghostwriter on the same modules, in
the same run.

    python3 bench/generate_quality.py              # everything: ~4 minutes on 2 cores
    python3 bench/generate_quality.py --only toolz # one library
    python3 bench/generate_quality.py --no-ghostwriter  # testgap alone, ~1 minute
    python3 bench/generate_quality.py --help

For each library (an sdist pinned by version and sha256) and each chosen
module, with the library's own tests of those modules removed from a copy:

1. `testgap generate MODULE --write --format json --python VENV_PYTHON
   --root COPY`, timed; what it wrote, kept, dropped and skipped is read from
   its JSON;
2. the written file run again in a fresh `python -m pytest` (must pass 100%);
3. the written file alone under coverage.py (`coverage run --branch
   --source=DOTTED.MODULE -m pytest FILE`, then `coverage json`): line and
   branch coverage of the module, and of each targeted function from the
   report's `functions` regions;
4. `hypothesis write DOTTED.MODULE` into another copy, timed, and its file
   measured exactly as in 3 (with `--hypothesis-seed`); failures and errors
   count as they are.

The targeted functions are those testgap's JSON lists for the module (the
skipped ones included); the ghostwriter is measured on the very same list.

Prints one aligned table (two rows per module), what testgap skipped and
dropped and why, and the summary against the goals of issue 4 item 10; writes
every figure to OUT/generate_quality.json. Standard library only; the tools
run in their own venv, OUT/gq-venv, made on first use with pinned versions.

The ghostwriter's tests run with `--hypothesis-seed` (default 0), no deadline
and no example database (a settings profile loaded as a pytest plugin); the
tests themselves run as written, `st.nothing()` placeholders included.

Exit status: 0 all measured, 3 a testgap figure could not be had (the reason
is printed), 1 a failure of the setup (venv, download) or, with --strict, a
missed goal.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

# The tools, every package pinned (pip freeze of the venv), so two runs use
# the same code. `hypothesis write` needs the `cli` extra (click, black, rich).
VENV_PINS = [
    "pytest==8.4.2",
    "coverage==7.13.0",
    "hypothesis[cli]==6.170.17",
    "black==26.10.1",
    "click==8.5.1",
    "rich==15.0.0",
    "iniconfig==2.3.1",
    "markdown-it-py==4.3.0",
    "mdurl==0.1.2",
    "mypy_extensions==1.2.0",
    "packaging==26.4",
    "pathspec==1.1.1",
    "platformdirs==4.14.8",
    "pluggy==1.7.0",
    "Pygments==2.21.0",
    "pytokens==0.4.1",
    "sortedcontainers==2.4.0",
]


@dataclass(frozen=True)
class Module:
    path: str  # in the sdist, e.g. "boltons/strutils.py"
    dotted: str  # its import name
    remove: tuple[str, ...]  # the library's own tests of it


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    sha256: str  # of the sdist
    modules: tuple[Module, ...]


# Pure-Python libraries that import with no dependency; their sdists ship the
# sources and their tests. Modules were chosen for size and variety, not for
# how well either tool does on them.
LIBRARIES = (
    Library(
        "boltons",
        "25.0.0",
        "e110fbdc30b7b9868cb604e3f71d4722dd8f4dcb4a5ddd06028ba8f1ab0b5ace",
        (
            Module("boltons/strutils.py", "boltons.strutils", ("tests/test_strutils.py",)),
            Module("boltons/mathutils.py", "boltons.mathutils", ("tests/test_mathutils.py",)),
            Module("boltons/formatutils.py", "boltons.formatutils", ("tests/test_formatutils.py",)),
        ),
    ),
    Library(
        "toolz",
        "1.2.0",
        "9667a038e9d6ecba37995e26cb2f59ec6420b6ad8dd9677de59db9b956b08490",
        (
            Module("toolz/itertoolz.py", "toolz.itertoolz", ("toolz/tests/test_itertoolz.py",)),
            Module("toolz/dicttoolz.py", "toolz.dicttoolz", ("toolz/tests/test_dicttoolz.py",)),
            Module("toolz/functoolz.py", "toolz.functoolz", ("toolz/tests/test_functoolz.py",)),
        ),
    ),
    Library(
        "humanize",
        "4.17.0",
        "1d6a36c453dbfbb3f0b34601d2e0b4ce5d48d780305cd45714843f0068fde6ac",
        (
            Module("src/humanize/number.py", "humanize.number", ("tests/test_number.py",)),
            Module("src/humanize/filesize.py", "humanize.filesize", ("tests/test_filesize.py",)),
            Module("src/humanize/time.py", "humanize.time", ("tests/test_time.py",)),
        ),
    ),
    # A one-module library: its module is about the size of the speed goal's.
    Library(
        "inflection",
        "0.5.1",
        "1a29730d366e996aaacffb2f1f1cb9593dc38e2ddd30c91250c6dde09ea9b417",
        (Module("inflection/__init__.py", "inflection", ("test_inflection.py",)),),
    ),
)

# Issue 4, item 10.
GOAL_FN_LINE = 80.0
GOAL_FN_BRANCH = 65.0
GOAL_SECONDS = 5.0
# "A 20-function module": modules with this many targeted functions.
SPEED_FUNCTIONS = (15, 25)

TIMEOUT_GENERATE = 900
TIMEOUT_PYTEST = 600
TIMEOUT_WRITE = 300


# --------------------------------------------------------------------------
# Processes


def child_env(**extra: str) -> dict[str, str]:
    """The environment of child processes, without settings of the outer run
    that would change what pytest, coverage.py, Hypothesis or testgap do."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COVERAGE_", "PYTEST_", "HYPOTHESIS_", "RUST_BACKTRACE", "RUST_LOG"))
        and key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NO_COLOR", "CLICOLOR_FORCE", "FORCE_COLOR")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


@dataclass
class Ran:
    args: list[str]
    returncode: int  # -9 after a timeout
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    def describe(self, limit: int = 2000) -> str:
        return (
            f"$ {' '.join(self.args)}\nexit status {self.returncode}"
            f"{' (timed out)' if self.timed_out else ''}\n"
            f"--- stdout\n{self.stdout[-limit:]}\n--- stderr\n{self.stderr[-limit:]}"
        )


def run(cmd: list[Any], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 300) -> Ran:
    """Runs a command in its own process group, killed with the group on
    timeout; the wall time is the whole process's."""
    args = [str(c) for c in cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=env if env is not None else child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        timed_out = True
    seconds = time.perf_counter() - started
    return Ran(args, -9 if timed_out else proc.returncode, out, err, seconds, timed_out)


class OtherLoad:
    """CPU time other processes used while we measured (Linux only): all busy
    time in /proc/stat less ours and our children's, added over the windows
    measured. Timings on a busy machine are disturbed; this says by how much."""

    def __init__(self) -> None:
        self.other = 0.0
        self.wall = 0.0
        self.available = True
        self._start = None

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat", encoding="ascii") as fh:
                fields = [int(v) for v in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        busy = sum(fields[:3]) + sum(fields[5:8])  # all but idle and iowait
        own = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            own += usage.ru_utime + usage.ru_stime
        return time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), own

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> None:
        end = self._sample()
        if self._start is None or end is None:
            self.available = False
            return
        self.wall += end[0] - self._start[0]
        self.other += max(0.0, (end[1] - self._start[1]) - (end[2] - self._start[2]))

    def share(self) -> float | None:
        if not self.available or self.wall <= 0:
            return None
        return self.other / (self.wall * (os.cpu_count() or 1))


# --------------------------------------------------------------------------
# Setup: the venv, the sdists


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path) -> Path:
    """OUT/gq-venv with exactly VENV_PINS, made (again) when the pins changed."""
    marker = venv / "gq-pins.txt"
    wanted = "\n".join(VENV_PINS) + "\n"
    python = venv_python(venv)
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        probe = run([python, "-c", "import pytest, coverage, hypothesis, black, click"], venv, timeout=120)
        if probe.returncode == 0:
            return python
    step(f"making {rel(venv)} ({', '.join(p for p in VENV_PINS[:4])}, ...)")
    proc = run([sys.executable, "-m", "venv", "--clear", venv], REPO, timeout=600)
    if proc.returncode != 0:
        raise SetupError("could not create the venv\n" + proc.describe())
    proc = run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *VENV_PINS],
        REPO,
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        timeout=1200,
    )
    if proc.returncode != 0:
        raise SetupError("pip install of the pinned tools failed\n" + proc.describe())
    marker.write_text(wanted, encoding="utf-8")
    return python


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_sdist(lib: Library, cache: Path, python: Path) -> Path:
    """The pinned sdist: from the cache (or the test suite's cache), else
    (once) from PyPI through pip, checked against its sha256."""
    name = f"{lib.name}-{lib.version}.tar.gz"
    for folder in (cache, REPO / ".venv-test" / "cache" / "pypi"):
        path = folder / name
        if path.is_file() and sha256_of(path) == lib.sha256:
            return path
    cache.mkdir(parents=True, exist_ok=True)
    (cache / name).unlink(missing_ok=True)
    requirements = cache / f"{lib.name}.requirements.txt"
    requirements.write_text(f"{lib.name}=={lib.version} --hash=sha256:{lib.sha256}\n", encoding="utf-8")
    proc = run(
        [python, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes", "--no-binary", lib.name,
         "-r", requirements, "-d", cache],
        cache,
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        timeout=600,
    )
    path = cache / name
    if proc.returncode != 0 or not path.is_file():
        raise SetupError(f"could not download {lib.name}=={lib.version}\n" + proc.describe())
    if sha256_of(path) != lib.sha256:
        raise SetupError(f"{path} does not have the pinned sha256 {lib.sha256}")
    return path


def unpack(archive: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # Pythons before 3.11.4
            tar.extractall(dest)
    (top,) = [p for p in dest.iterdir() if p.is_dir()]
    return top


def prepare_copy(sdist_tree: Path, dest: Path, lib: Library) -> Path:
    """A copy of the library without its own tests of the chosen modules."""
    shutil.copytree(sdist_tree, dest, symlinks=True)
    for module in lib.modules:
        for test in module.remove:
            path = dest / test
            if not path.is_file():
                raise SetupError(f"{lib.name} {lib.version} has no {test} to remove")
            path.unlink()
    return dest


def import_roots(root: Path) -> list[Path]:
    """Where the library imports from, as testgap decides it: the root, and
    `src/` (or `lib/`) when the packages live there."""
    out = [root]
    for name in ("src", "lib"):
        folder = root / name
        if folder.is_dir() and not (folder / "__init__.py").exists():
            out.append(folder)
    return out


def project_env(root: Path, *more: Path) -> dict[str, str]:
    return child_env(PYTHONPATH=os.pathsep.join(str(p) for p in [*import_roots(root), *more]))


# Loaded into the ghostwriter's pytest runs with `-p`: no deadline (a test
# slower than 200 ms under coverage.py on a shared machine is not a fault of
# the test, and would make the count depend on the machine's load) and no
# example database (nothing carried from one run to the next). The tests
# themselves run as written, with every other setting at Hypothesis's default.
HYPOTHESIS_PLUGIN = "gq_hypothesis_settings"
HYPOTHESIS_PLUGIN_SOURCE = """\
from hypothesis import settings

settings.register_profile("generate-quality", deadline=None, database=None)
settings.load_profile("generate-quality")
"""


# --------------------------------------------------------------------------
# Measuring one test file


@dataclass
class PytestCount:
    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    problem: str | None = None  # why nothing could be counted

    def rate(self) -> float | None:
        return 100.0 * self.passed / self.total if self.total else None

    def text(self) -> str:
        if self.problem and not self.total:
            return "n/a"
        return f"{self.passed}/{self.total}"


def read_junit(path: Path, ran: Ran) -> PytestCount:
    count = PytestCount()
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError) as error:
        count.problem = f"no junit XML from pytest ({error}); exit status {ran.returncode}"
        if ran.timed_out:
            count.problem = "pytest timed out"
        return count
    for case in tree.iter("testcase"):
        count.total += 1
        kinds = {child.tag for child in case}
        if "error" in kinds:
            count.errors += 1
        elif "failure" in kinds:
            count.failed += 1
        elif "skipped" in kinds:
            count.skipped += 1
        else:
            count.passed += 1
    if ran.timed_out:
        count.problem = "pytest timed out"
    elif ran.returncode not in (0, 1):
        count.problem = f"pytest exit status {ran.returncode}: {last_line(ran.stdout) or last_line(ran.stderr)}"
    return count


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def fresh_pytest(python: Path, root: Path, test_file: str, scratch: Path, extra: list[str]) -> tuple[PytestCount, float]:
    """A plain `python -m pytest FILE` in the library's root (its pytest
    configuration applies, as for anyone who runs the file)."""
    junit = scratch / "fresh.xml"
    ran = run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *extra, test_file],
        root,
        env=project_env(root),
        timeout=TIMEOUT_PYTEST,
    )
    return read_junit(junit, ran), ran.seconds


@dataclass
class Measured:
    """One test file under coverage.py."""

    count: PytestCount
    seconds: float
    file: dict[str, Any] | None  # coverage.json's entry of the module
    problem: str | None = None


def under_coverage(
    python: Path, root: Path, module: Module, test_file: str, scratch: Path, rcfile: Path, extra: list[str],
    plugins: Path | None = None,
) -> Measured:
    data = scratch / "coverage.data"
    report = scratch / "coverage.json"
    junit = scratch / "coverage-run.xml"
    ran = run(
        [python, "-m", "coverage", "run", f"--rcfile={rcfile}", "--branch", f"--data-file={data}",
         f"--source={module.dotted}", "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
         *extra, test_file],
        root,
        env=project_env(root, *([plugins] if plugins else [])),
        timeout=TIMEOUT_PYTEST,
    )
    count = read_junit(junit, ran)
    if not data.exists():
        return Measured(count, ran.seconds, None, "coverage.py recorded no data\n" + ran.describe())
    made = run(
        [python, "-m", "coverage", "json", f"--rcfile={rcfile}", f"--data-file={data}", "-o", report],
        root,
        env=project_env(root),
        timeout=300,
    )
    if made.returncode != 0 or not report.exists():
        return Measured(count, ran.seconds, None, "coverage json failed: " + last_line(made.stdout + made.stderr))
    files = json.loads(report.read_text(encoding="utf-8"))["files"]
    entry = files.get(module.path)
    if entry is None:
        return Measured(count, ran.seconds, None, f"{module.path} is not in the coverage report (never imported)")
    return Measured(count, ran.seconds, entry)


def percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


# --------------------------------------------------------------------------
# One module, both tools


@dataclass
class ToolResult:
    tool: str
    seconds: float | None = None  # generation (testgap generate / hypothesis write), wall
    tests: int = 0
    verified: tuple[int, int] | None = None  # testgap: kept, kept + dropped
    fresh: PytestCount | None = None
    covered: Measured | None = None
    module_line: float | None = None
    module_branch: float | None = None
    functions: dict[str, dict[str, int]] = field(default_factory=dict)  # qualname -> numbers
    problems: list[str] = field(default_factory=list)
    test_file: str | None = None

    def fn_mean(self, key: str) -> float | None:
        values = [f[key] for f in self.functions.values() if f.get(key) is not None]
        return statistics.fmean(values) if values else None


@dataclass
class ModuleResult:
    library: Library
    module: Module
    targeted: list[dict[str, Any]] = field(default_factory=list)  # testgap's function entries
    testgap: ToolResult = field(default_factory=lambda: ToolResult("testgap"))
    ghostwriter: ToolResult = field(default_factory=lambda: ToolResult("ghostwriter"))
    after_agrees: tuple[int, int] = (0, 0)  # testgap's `after` = coverage.py, of functions with tests


def function_numbers(entry: dict[str, Any] | None, qualname: str, fallback: dict[str, Any] | None) -> dict[str, Any]:
    """Statements and branches of one function as coverage.py counts them;
    when the module was never imported, the totals of the other run with
    nothing covered."""
    region = None
    if entry is not None:
        region = entry.get("functions", {}).get(qualname)
    if region is None and fallback is not None:
        other = fallback.get("functions", {}).get(qualname)
        if other is not None:
            s = other["summary"]
            region = {"summary": {"num_statements": s["num_statements"], "covered_lines": 0,
                                  "num_branches": s.get("num_branches", 0), "covered_branches": 0}}
    if region is None:
        return {"found": 0}
    s = region["summary"]
    lines, covered = s["num_statements"], s["covered_lines"]
    branches, covered_branches = s.get("num_branches", 0), s.get("covered_branches", 0)
    return {
        "found": 1,
        "statements": lines,
        "covered_lines": covered,
        "branches": branches,
        "covered_branches": covered_branches,
        "line": percent(covered, lines),
        "branch": percent(covered_branches, branches),
    }


def fill_coverage(result: ToolResult, targeted: list[dict[str, Any]], other: dict[str, Any] | None) -> None:
    entry = result.covered.file if result.covered else None
    if entry is not None:
        s = entry["summary"]
        result.module_line = percent(s["covered_lines"], s["num_statements"])
        result.module_branch = percent(s.get("covered_branches", 0), s.get("num_branches", 0))
    elif other is not None:
        result.module_line = 0.0
        result.module_branch = 0.0 if other["summary"].get("num_branches") else None
    for f in targeted:
        result.functions[f["qualname"]] = function_numbers(entry, f["qualname"], other)


def run_testgap(
    testgap: Path, python: Path, root: Path, module: Module, scratch: Path, rcfile: Path, load: OtherLoad,
    result: ModuleResult,
) -> None:
    tg = result.testgap
    load.start()
    ran = run(
        [testgap, "generate", module.path, "--write", "--format", "json", "--python", python, "--root", root],
        root,
        env=child_env(),
        timeout=TIMEOUT_GENERATE,
    )
    load.stop()
    tg.seconds = ran.seconds
    if "panicked" in ran.stderr:
        tg.problems.append("testgap panicked\n" + ran.describe())
    try:
        report = json.loads(ran.stdout)
        (entry,) = [m for m in report["modules"] if m["path"] == module.path]
    except (json.JSONDecodeError, KeyError, ValueError) as error:
        tg.problems.append(f"no JSON report for {module.path} ({error})\n" + ran.describe())
        return
    if ran.returncode not in (0, 1):
        tg.problems.append(f"exit status {ran.returncode}: {last_line(ran.stderr)}")
    if entry.get("error"):
        tg.problems.append(f"module error: {entry['error']}")
    result.targeted = entry["functions"]
    tg.tests = entry.get("tests", 0)
    dropped = sum(len(f["dropped"]) for f in entry["functions"])
    tg.verified = (tg.tests, tg.tests + dropped)
    tg.test_file = entry.get("test_file") if entry.get("written") else None
    if tg.test_file is None:
        if tg.tests:
            tg.problems.append(f"{tg.tests} tests reported but no file written")
        return
    tg.fresh, _ = fresh_pytest(python, root, tg.test_file, scratch, [])
    if tg.fresh.problem:
        tg.problems.append("fresh pytest run: " + tg.fresh.problem)
    tg.covered = under_coverage(python, root, module, tg.test_file, scratch, rcfile, [])
    if tg.covered.problem:
        tg.problems.append(tg.covered.problem)


def run_ghostwriter(
    python: Path, root: Path, module: Module, scratch: Path, rcfile: Path, seed: int, test_file: str,
    result: ModuleResult,
) -> None:
    gw = result.ghostwriter
    hypothesis = python.parent / "hypothesis"
    ran = run([hypothesis, "write", module.dotted], root, env=project_env(root), timeout=TIMEOUT_WRITE)
    gw.seconds = ran.seconds
    if ran.returncode != 0 or not ran.stdout.strip():
        gw.problems.append(f"hypothesis write failed: {last_line(ran.stderr) or last_line(ran.stdout)}")
        return
    path = root / test_file
    if path.exists():
        gw.problems.append(f"{test_file} already exists in the ghostwriter's copy")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ran.stdout, encoding="utf-8")
    gw.test_file = test_file
    gw.covered = under_coverage(
        python, root, module, test_file, scratch, rcfile, ["-p", HYPOTHESIS_PLUGIN, f"--hypothesis-seed={seed}"],
        plugins=rcfile.parent / "plugins",
    )
    gw.fresh = gw.covered.count
    gw.tests = gw.fresh.total
    if gw.covered.problem:
        gw.problems.append(gw.covered.problem)
    if gw.fresh.problem:
        gw.problems.append("pytest: " + gw.fresh.problem)


def check_after(result: ModuleResult) -> None:
    """testgap's own `after` figures against coverage.py's, function by
    function (same tests, measured in another process)."""
    agree = total = 0
    for f in result.targeted:
        after = f.get("after")
        mine = result.testgap.functions.get(f["qualname"], {})
        if not f.get("tests") or after is None or not mine.get("found"):
            continue
        total += 1
        if (after["lines_covered"], after["lines_total"], after["branches_covered"], after["branches_total"]) == (
            mine["covered_lines"], mine["statements"], mine["covered_branches"], mine["branches"]
        ):
            agree += 1
    result.after_agrees = (agree, total)


def measure_module(
    lib: Library, module: Module, copies: dict[str, Path], scratch: Path, testgap: Path, python: Path,
    rcfile: Path, seed: int, load: OtherLoad, keep: Path, ghostwriter: bool,
) -> ModuleResult:
    result = ModuleResult(lib, module)
    tg_scratch = scratch / "testgap"
    gw_scratch = scratch / "ghostwriter"
    tg_scratch.mkdir(parents=True)
    gw_scratch.mkdir(parents=True)
    run_testgap(testgap, python, copies["testgap"], module, tg_scratch, rcfile, load, result)
    # The ghostwriter's file goes where testgap's went (same conftest, same
    # configuration), in its own copy.
    test_file = result.testgap.test_file or f"tests/test_{module.dotted.rpartition('.')[2]}.py"
    if ghostwriter:
        run_ghostwriter(python, copies["ghostwriter"], module, gw_scratch, rcfile, seed, test_file, result)
    tg_entry = result.testgap.covered.file if result.testgap.covered else None
    gw_entry = result.ghostwriter.covered.file if result.ghostwriter.covered else None
    fill_coverage(result.testgap, result.targeted, gw_entry)
    if ghostwriter:
        fill_coverage(result.ghostwriter, result.targeted, tg_entry)
    check_after(result)
    # Keep both files for reading.
    for tool in (result.testgap, result.ghostwriter):
        if tool.test_file:
            src = copies[tool.tool] / tool.test_file
            if src.exists():
                dest = keep / f"{module.dotted}.{tool.tool}.py"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
    return result


# --------------------------------------------------------------------------
# Output


def step(message: str) -> None:
    print(f"\n== {message}", file=sys.stderr, flush=True)


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(out)


def rate_text(count: PytestCount | None) -> str:
    if count is None:
        return "—"
    if count.problem and not count.total:
        return "n/a"
    rate = count.rate()
    return f"{count.passed}/{count.total} {'' if rate is None else f'{rate:.0f}%'}".strip()


def module_rows(results: list[ModuleResult]) -> list[list[str]]:
    rows = [["module", "tool", "fns", "tests", "verified", "fresh pass", "mod line", "mod branch",
             "fn line", "fn branch", "gen s", "run s"]]
    for r in results:
        name = r.module.dotted
        tg, gw = r.testgap, r.ghostwriter
        with_tests = sum(1 for f in r.targeted if f.get("tests"))
        verified = "—"
        if tg.verified:
            kept, offered = tg.verified
            verified = f"{kept}/{offered}" + (f" {100.0 * kept / offered:.0f}%" if offered else "")
        rows.append([
            name, "testgap", f"{with_tests}/{len(r.targeted)}", str(tg.tests), verified, rate_text(tg.fresh),
            pct(tg.module_line), pct(tg.module_branch), pct(tg.fn_mean("line")), pct(tg.fn_mean("branch")),
            "—" if tg.seconds is None else f"{tg.seconds:.1f}",
            "—" if not tg.covered else f"{tg.covered.seconds:.1f}",
        ])
        rows.append([
            "", "ghostwriter", "", str(gw.tests), "—", rate_text(gw.fresh),
            pct(gw.module_line), pct(gw.module_branch), pct(gw.fn_mean("line")), pct(gw.fn_mean("branch")),
            "—" if gw.seconds is None else f"{gw.seconds:.1f}",
            "—" if not gw.covered else f"{gw.covered.seconds:.1f}",
        ])
    return rows


def generalize(reason: str, qualname: str) -> str:
    """A skip or drop reason without the function's own name, so that equal
    reasons group."""
    text = reason.replace(f"`{qualname}`", "`f`")
    return text if len(text) <= 120 else text[:119] + "…"


def reasons(results: list[ModuleResult]) -> list[tuple[str, int, list[str]]]:
    groups: dict[str, list[str]] = {}
    for r in results:
        for f in r.targeted:
            if f.get("skipped"):
                groups.setdefault("skipped: " + generalize(f["skipped"], f["qualname"]), []).append(
                    f"{r.module.dotted}:{f['qualname']}")
            for d in f.get("dropped", []):
                groups.setdefault("dropped: " + generalize(d["reason"], f["qualname"]), []).append(
                    f"{r.module.dotted}:{f['qualname']}[{d['case']}]")
    return sorted(((k, len(v), v) for k, v in groups.items()), key=lambda x: (-x[1], x[0]))


def pooled_mean(results: list[ModuleResult], tool: str, key: str) -> tuple[float | None, int]:
    values = [
        f[key]
        for r in results
        for f in getattr(r, tool).functions.values()
        if f.get(key) is not None
    ]
    return (statistics.fmean(values) if values else None), len(values)


def tool_json(t: ToolResult) -> dict[str, Any]:
    def count(c: PytestCount | None):
        return None if c is None else {**c.__dict__, "rate": c.rate()}

    return {
        "seconds": t.seconds,
        "tests": t.tests,
        "verified": None if t.verified is None else {"kept": t.verified[0], "offered": t.verified[1]},
        "fresh_pytest": count(t.fresh),
        "coverage_run": None if t.covered is None else {
            "seconds": t.covered.seconds, "pytest": count(t.covered.count), "problem": t.covered.problem,
            "summary": None if t.covered.file is None else t.covered.file["summary"],
        },
        "module_line_percent": t.module_line,
        "module_branch_percent": t.module_branch,
        "mean_function_line_percent": t.fn_mean("line"),
        "mean_function_branch_percent": t.fn_mean("branch"),
        "functions": t.functions,
        "test_file": t.test_file,
        "problems": t.problems,
    }


# --------------------------------------------------------------------------


class SetupError(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Quality of `testgap generate` on real libraries, against Hypothesis's ghostwriter.")
    parser.add_argument("--testgap", type=Path, default=None,
                        help="the binary (default: $TESTGAP, else target/release/testgap)")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="results, venv and cache (default bench/out)")
    parser.add_argument("--only", action="append", default=[], metavar="LIBRARY",
                        help="measure only this library (repeatable): " + ", ".join(l.name for l in LIBRARIES))
    parser.add_argument("--seed", type=int, default=0, help="--hypothesis-seed for the ghostwriter's tests (default 0)")
    parser.add_argument("--keep", action="store_true", help="keep the library copies (their path is printed)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--no-ghostwriter", action="store_true",
                        help="measure testgap alone (a quick run while working on the generator; no comparison)")
    args = parser.parse_args()

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    testgap = args.testgap or Path(os.environ.get("TESTGAP") or REPO / "target" / "release" / "testgap")
    testgap = testgap.resolve()
    if not testgap.is_file():
        print(f"generate_quality: no testgap binary at {testgap}: build it with `cargo build --release --bins`"
              " (or pass --testgap / set TESTGAP)", file=sys.stderr)
        return 3
    libraries = [l for l in LIBRARIES if not args.only or l.name in args.only]
    unknown = set(args.only) - {l.name for l in LIBRARIES}
    if unknown:
        parser.error(f"unknown library: {', '.join(sorted(unknown))}")
    stale = binary_older_than_sources(testgap)

    try:
        python = ensure_venv(out / "gq-venv")
        sdists = {lib.name: fetch_sdist(lib, out / "cache" / "pypi", python) for lib in libraries}
    except SetupError as error:
        print(f"generate_quality: {error}", file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="testgap-gq-"))
    keep = out / "generate_quality"
    if keep.exists():
        shutil.rmtree(keep)
    rcfile = work / "coveragerc"
    # Neutral coverage.py settings for both tools (the project's own
    # configuration would otherwise apply to one file and not the other).
    rcfile.write_text("[run]\nbranch = True\n", encoding="utf-8")
    (work / "plugins").mkdir()
    (work / "plugins" / f"{HYPOTHESIS_PLUGIN}.py").write_text(HYPOTHESIS_PLUGIN_SOURCE, encoding="utf-8")
    load = OtherLoad()
    results: list[ModuleResult] = []
    started = time.perf_counter()
    try:
        for lib in libraries:
            tree = unpack(sdists[lib.name], work / lib.name / "sdist")
            copies = {tool: prepare_copy(tree, work / lib.name / tool, lib) for tool in ("testgap", "ghostwriter")}
            for module in lib.modules:
                step(f"{lib.name} {lib.version}: {module.path}")
                r = measure_module(lib, module, copies, work / lib.name / "scratch" / module.dotted, testgap, python,
                                   rcfile, args.seed, load, keep, not args.no_ghostwriter)
                results.append(r)
                tg, gw = r.testgap, r.ghostwriter
                print(f"   testgap {tg.tests} tests in {tg.seconds or 0:.1f} s, fresh {rate_text(tg.fresh)},"
                      f" fn line {pct(tg.fn_mean('line'))}; ghostwriter {gw.tests} tests, {rate_text(gw.fresh)},"
                      f" fn line {pct(gw.fn_mean('line'))}", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"\nlibrary copies kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    total_seconds = time.perf_counter() - started

    return report(results, libraries, testgap, python, out, keep, load, stale, total_seconds, args)


def binary_older_than_sources(testgap: Path) -> bool:
    """Whether a file the binary is built from changed after it was built
    (a binary given with --testgap may come from elsewhere: then no)."""
    try:
        built = testgap.stat().st_mtime
        if REPO not in testgap.parents:
            return False
        sources = [REPO / "Cargo.lock", *(p for p in (REPO / "server").rglob("*") if p.is_file())]
        return any(p.stat().st_mtime > built for p in sources if p.exists())
    except OSError:
        return False


def report(
    results: list[ModuleResult], libraries: list[Library], testgap: Path, python: Path, out: Path, keep: Path,
    load: OtherLoad, stale: bool, total_seconds: float, args: argparse.Namespace,
) -> int:
    version = run([testgap, "--version"], REPO, timeout=30).stdout.strip()
    print()
    print(f"testgap generate vs hypothesis write — {len(results)} modules of {len(libraries)} libraries"
          f" ({version}, {rel(testgap)}{', OLDER THAN ITS SOURCES' if stale else ''}; Python"
          f" {platform.python_version()}, pytest 8.4.2, coverage 7.13.0, hypothesis 6.170.17)")
    print(table(module_rows(results), right=set(range(2, 12))))
    print("""
  fns: targeted functions with tests / targeted. verified: tests testgap kept / tests it ran in
  verification (the others failed and were dropped). fresh pass: a new pytest run of the written
  file (the ghostwriter's: its coverage run). mod line / mod branch: the module, by these tests
  alone. fn line / fn branch: mean over the targeted functions (those with branches for the
  branch figure), the same functions for both tools. gen s: testgap generate (probe + verify)
  or hypothesis write, wall. run s: the file under coverage.py.""")

    groups = reasons(results)
    if groups:
        print("\nWhat testgap skipped or dropped (grouped; `f` is the function):")
        for text, n, where in groups:
            shown = ", ".join(where[:4]) + (f", … {len(where) - 4} more" if len(where) > 4 else "")
            print(f"  {n:3}  {text}\n       {shown}")

    agree = sum(r.after_agrees[0] for r in results)
    checked = sum(r.after_agrees[1] for r in results)

    not_measured = []
    for r in results:
        for tool in (r.testgap, r.ghostwriter):
            for problem in tool.problems:
                not_measured.append(f"{r.module.dotted} ({tool.tool}): {problem}")

    tg_line, n_line = pooled_mean(results, "testgap", "line")
    tg_branch, n_branch = pooled_mean(results, "testgap", "branch")
    gw_line, _ = pooled_mean(results, "ghostwriter", "line")
    gw_branch, _ = pooled_mean(results, "ghostwriter", "branch")
    tg_passed = sum(r.testgap.fresh.passed for r in results if r.testgap.fresh)
    tg_total = sum(r.testgap.fresh.total for r in results if r.testgap.fresh)
    tg_expected = sum(r.testgap.tests for r in results)
    gw_passed = sum(r.ghostwriter.fresh.passed for r in results if r.ghostwriter.fresh)
    gw_total = sum(r.ghostwriter.fresh.total for r in results if r.ghostwriter.fresh)
    kept = sum(r.testgap.verified[0] for r in results if r.testgap.verified)
    offered = sum(r.testgap.verified[1] for r in results if r.testgap.verified)
    targeted = sum(len(r.targeted) for r in results)
    with_tests = sum(1 for r in results for f in r.targeted if f.get("tests"))

    lo, hi = SPEED_FUNCTIONS
    speed = [r for r in results if lo <= len(r.targeted) <= hi and r.testgap.seconds is not None]
    if not speed and results:
        speed = [min(results, key=lambda r: abs(len(r.targeted) - 20))]

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    goals = {
        "fn_line": (tg_line, None if tg_line is None else tg_line >= GOAL_FN_LINE),
        "fn_branch": (tg_branch, None if tg_branch is None else tg_branch >= GOAL_FN_BRANCH),
        "beats_ghostwriter": (
            None,
            None if None in (tg_line, tg_branch, gw_line, gw_branch) else (tg_line > gw_line and tg_branch > gw_branch),
        ),
        "fresh_pass": (
            percent(tg_passed, tg_total),
            None if not tg_total else (tg_passed == tg_total and tg_total == tg_expected),
        ),
        "speed": (
            max((r.testgap.seconds for r in speed), default=None),
            None if not speed else all(r.testgap.seconds < GOAL_SECONDS for r in speed),
        ),
    }
    speed_text = ", ".join(f"{r.module.dotted} ({len(r.targeted)} fns) {r.testgap.seconds:.1f} s" for r in speed)
    rows = [
        ["goal", "testgap", "ghostwriter", "target", ""],
        ["mean line coverage of targeted functions", pct(tg_line), pct(gw_line), f">= {GOAL_FN_LINE:.0f}%",
         verdict(goals["fn_line"][1])],
        ["mean branch coverage of targeted functions", pct(tg_branch), pct(gw_branch), f">= {GOAL_FN_BRANCH:.0f}%",
         verdict(goals["fn_branch"][1])],
        ["better than the ghostwriter (line and branch)", "", "", "both above", verdict(goals["beats_ghostwriter"][1])],
        ["pass rate, fresh pytest run", f"{tg_passed}/{tg_total}", f"{gw_passed}/{gw_total}", "100%",
         verdict(goals["fresh_pass"][1])],
        [f"~20-function module end to end ({lo}-{hi} targeted)",
         "—" if goals["speed"][0] is None else f"max {goals['speed'][0]:.1f} s", "", f"< {GOAL_SECONDS:.0f} s",
         verdict(goals["speed"][1])],
    ]
    print(f"\nSummary: {targeted} targeted functions ({n_line} with statements, {n_branch} with branches),"
          f" {with_tests} given tests, in {len(results)} modules")
    print(table(rows, right={1, 2, 3}))
    print(f"  speed: {speed_text or 'no module of that size'}")
    print(f"  testgap verification kept {kept} of {offered} tests it ran"
          f" ({pct(percent(kept, offered))}); the others failed in verification and were dropped.")
    print(f"  testgap's own `after` figures equal coverage.py's for {agree} of {checked} functions with tests.")
    share = load.share()
    if share is not None:
        disturbed = " — the timings are disturbed; run again when the machine is quiet" if share > 0.10 else ""
        print(f"  Other processes kept {100 * share:.0f}% of the CPUs busy during the testgap runs{disturbed}.")
    print(f"  Whole run {total_seconds:.0f} s. Generated files kept in {rel(keep)}/.")
    if stale:
        print(f"  Note: {rel(testgap)} is older than its sources; rebuild with `cargo build --release --bins`.")
    if not_measured:
        print("\nProblems (a testgap one makes the exit status 3; a ghostwriter one counts as what it scored):")
        for line in not_measured:
            print("  " + line.replace("\n", "\n    "))

    document = {
        "testgap": {"binary": rel(testgap), "version": version, "older_than_sources": stale},
        "python": platform.python_version(),
        "venv_pins": VENV_PINS,
        "hypothesis_seed": args.seed,
        "libraries": [
            {"name": l.name, "version": l.version, "sha256": l.sha256,
             "modules": [m.path for m in l.modules], "removed_tests": [t for m in l.modules for t in m.remove]}
            for l in libraries
        ],
        "modules": [
            {
                "library": r.library.name,
                "path": r.module.path,
                "module": r.module.dotted,
                "targeted": [
                    {k: f.get(k) for k in ("qualname", "line", "tests", "skipped", "dropped", "after")}
                    for f in r.targeted
                ],
                "testgap": tool_json(r.testgap),
                "ghostwriter": tool_json(r.ghostwriter),
                "testgap_after_equals_coverage": {"agree": r.after_agrees[0], "checked": r.after_agrees[1]},
            }
            for r in results
        ],
        "summary": {
            "targeted_functions": targeted,
            "functions_with_tests": with_tests,
            "testgap_mean_function_line_percent": tg_line,
            "testgap_mean_function_branch_percent": tg_branch,
            "ghostwriter_mean_function_line_percent": gw_line,
            "ghostwriter_mean_function_branch_percent": gw_branch,
            "testgap_fresh_pytest": {"passed": tg_passed, "total": tg_total, "reported_tests": tg_expected},
            "ghostwriter_pytest": {"passed": gw_passed, "total": gw_total},
            "testgap_verification": {"kept": kept, "offered": offered},
            "speed_modules": [
                {"module": r.module.dotted, "targeted": len(r.targeted), "seconds": r.testgap.seconds} for r in speed
            ],
            "other_cpu_share": share,
            "seconds": total_seconds,
        },
        "goals": {
            "mean_function_line_percent": {"value": tg_line, "goal": f">= {GOAL_FN_LINE}", "met": goals["fn_line"][1]},
            "mean_function_branch_percent": {"value": tg_branch, "goal": f">= {GOAL_FN_BRANCH}",
                                             "met": goals["fn_branch"][1]},
            "better_than_ghostwriter": {"met": goals["beats_ghostwriter"][1]},
            "fresh_pass_rate_percent": {"value": goals["fresh_pass"][0], "goal": "100", "met": goals["fresh_pass"][1]},
            "twenty_function_module_seconds": {"value": goals["speed"][0], "goal": f"< {GOAL_SECONDS}",
                                               "met": goals["speed"][1]},
        },
        "skips_and_drops": [{"reason": t, "count": n, "where": w} for t, n, w in groups],
        "problems": not_measured,
    }
    path = out / "generate_quality.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {rel(path)}")

    if any(r.testgap.problems for r in results):
        return 3
    if args.strict and not all(g[1] for g in goals.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
