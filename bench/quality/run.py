"""Both tools on one module: `testgap generate` and `hypothesis write`, then
what a fresh pytest run and coverage.py say of the files they wrote."""

from __future__ import annotations

import json
import shutil
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cpu_load import OtherLoad
from support.processes import child_env

from quality.data import HYPOTHESIS_PLUGIN, TIMEOUT_GENERATE, TIMEOUT_PYTEST, TIMEOUT_WRITE, Library, Module
from quality.prepare import project_env
from quality.processes import Ran, run


@dataclass
class PytestCount:
    """What pytest's JUnit XML says of one run."""

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
    """The counts of the JUnit XML at `path`, and why there are none when
    the run that should have written it failed or timed out."""
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


@dataclass
class ToolResult:
    """One tool's figures on one module."""

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
    """Both tools on one module."""

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
