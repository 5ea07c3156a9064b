"""What benchmark E prints and writes: one table with two rows per module,
what testgap skipped and dropped, the goals' verdicts, and every figure as
JSON."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpu_load import OtherLoad
from tables import table

from quality import REPO
from quality.data import GOAL_FN_BRANCH, GOAL_FN_LINE, GOAL_SECONDS, SPEED_FUNCTIONS, VENV_PINS, Library
from quality.processes import rel, run
from quality.run import ModuleResult, PytestCount, ToolResult, percent


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


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


def report(
    results: list[ModuleResult], libraries: list[Library], testgap: Path, python: Path, out: Path, keep: Path,
    load: OtherLoad, stale: bool, total_seconds: float, args: argparse.Namespace,
) -> int:
    """Prints the tables and the summary, writes OUT/generate_quality.json;
    returns the exit status."""
    version = run([testgap, "--version"], REPO, timeout=30).stdout.strip()
    groups = reasons(results)
    print_modules(results, libraries, testgap, version, stale, groups)
    summary = summarize(results)
    share = load.share()
    print_summary(summary, results, testgap, keep, share, stale, total_seconds)

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
        "modules": [module_json(r) for r in results],
        "summary": summary_json(summary, share, total_seconds),
        "goals": goals_json(summary),
        "skips_and_drops": [{"reason": t, "count": n, "where": w} for t, n, w in groups],
        "problems": summary.not_measured,
    }
    path = out / "generate_quality.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {rel(path)}")

    if any(r.testgap.problems for r in results):
        return 3
    if args.strict and not all(g[1] for g in summary.goals.values()):
        return 1
    return 0


def print_modules(
    results: list[ModuleResult], libraries: list[Library], testgap: Path, version: str, stale: bool,
    groups: list[tuple[str, int, list[str]]],
) -> None:
    """The table of modules, its legend, and what testgap skipped or dropped."""
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

    if groups:
        print("\nWhat testgap skipped or dropped (grouped; `f` is the function):")
        for text, n, where in groups:
            shown = ", ".join(where[:4]) + (f", … {len(where) - 4} more" if len(where) > 4 else "")
            print(f"  {n:3}  {text}\n       {shown}")


@dataclass
class Summary:
    """The figures over every module, and each goal as (figure, met)."""

    targeted: int
    with_tests: int
    tg_line: float | None
    n_line: int
    tg_branch: float | None
    n_branch: int
    gw_line: float | None
    gw_branch: float | None
    tg_passed: int
    tg_total: int
    tg_expected: int
    gw_passed: int
    gw_total: int
    kept: int
    offered: int
    agree: int
    checked: int
    speed: list[ModuleResult]
    goals: dict[str, tuple[float | None, bool | None]]
    not_measured: list[str]


def summarize(results: list[ModuleResult]) -> Summary:
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

    lo, hi = SPEED_FUNCTIONS
    speed = [r for r in results if lo <= len(r.targeted) <= hi and r.testgap.seconds is not None]
    if not speed and results:
        speed = [min(results, key=lambda r: abs(len(r.targeted) - 20))]

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
    return Summary(
        targeted=sum(len(r.targeted) for r in results),
        with_tests=sum(1 for r in results for f in r.targeted if f.get("tests")),
        tg_line=tg_line,
        n_line=n_line,
        tg_branch=tg_branch,
        n_branch=n_branch,
        gw_line=gw_line,
        gw_branch=gw_branch,
        tg_passed=tg_passed,
        tg_total=tg_total,
        tg_expected=tg_expected,
        gw_passed=sum(r.ghostwriter.fresh.passed for r in results if r.ghostwriter.fresh),
        gw_total=sum(r.ghostwriter.fresh.total for r in results if r.ghostwriter.fresh),
        kept=sum(r.testgap.verified[0] for r in results if r.testgap.verified),
        offered=sum(r.testgap.verified[1] for r in results if r.testgap.verified),
        agree=sum(r.after_agrees[0] for r in results),
        checked=sum(r.after_agrees[1] for r in results),
        speed=speed,
        goals=goals,
        not_measured=not_measured,
    )


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def print_summary(
    s: Summary, results: list[ModuleResult], testgap: Path, keep: Path, share: float | None, stale: bool,
    total_seconds: float,
) -> None:
    """The goals' table and the notes under it, then any problem."""
    lo, hi = SPEED_FUNCTIONS
    goals = s.goals
    speed_text = ", ".join(f"{r.module.dotted} ({len(r.targeted)} fns) {r.testgap.seconds:.1f} s" for r in s.speed)
    rows = [
        ["goal", "testgap", "ghostwriter", "target", ""],
        ["mean line coverage of targeted functions", pct(s.tg_line), pct(s.gw_line), f">= {GOAL_FN_LINE:.0f}%",
         verdict(goals["fn_line"][1])],
        ["mean branch coverage of targeted functions", pct(s.tg_branch), pct(s.gw_branch),
         f">= {GOAL_FN_BRANCH:.0f}%", verdict(goals["fn_branch"][1])],
        ["better than the ghostwriter (line and branch)", "", "", "both above", verdict(goals["beats_ghostwriter"][1])],
        ["pass rate, fresh pytest run", f"{s.tg_passed}/{s.tg_total}", f"{s.gw_passed}/{s.gw_total}", "100%",
         verdict(goals["fresh_pass"][1])],
        [f"~20-function module end to end ({lo}-{hi} targeted)",
         "—" if goals["speed"][0] is None else f"max {goals['speed'][0]:.1f} s", "", f"< {GOAL_SECONDS:.0f} s",
         verdict(goals["speed"][1])],
    ]
    print(f"\nSummary: {s.targeted} targeted functions ({s.n_line} with statements, {s.n_branch} with branches),"
          f" {s.with_tests} given tests, in {len(results)} modules")
    print(table(rows, right={1, 2, 3}))
    print(f"  speed: {speed_text or 'no module of that size'}")
    print(f"  testgap verification kept {s.kept} of {s.offered} tests it ran"
          f" ({pct(percent(s.kept, s.offered))}); the others failed in verification and were dropped.")
    print(f"  testgap's own `after` figures equal coverage.py's for {s.agree} of {s.checked} functions with tests.")
    if share is not None:
        disturbed = " — the timings are disturbed; run again when the machine is quiet" if share > 0.10 else ""
        print(f"  Other processes kept {100 * share:.0f}% of the CPUs busy during the testgap runs{disturbed}.")
    print(f"  Whole run {total_seconds:.0f} s. Generated files kept in {rel(keep)}/.")
    if stale:
        print(f"  Note: {rel(testgap)} is older than its sources; rebuild with `cargo build --release --bins`.")
    if s.not_measured:
        print("\nProblems (a testgap one makes the exit status 3; a ghostwriter one counts as what it scored):")
        for line in s.not_measured:
            print("  " + line.replace("\n", "\n    "))


def module_json(r: ModuleResult) -> dict[str, Any]:
    return {
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


def summary_json(s: Summary, share: float | None, total_seconds: float) -> dict[str, Any]:
    return {
        "targeted_functions": s.targeted,
        "functions_with_tests": s.with_tests,
        "testgap_mean_function_line_percent": s.tg_line,
        "testgap_mean_function_branch_percent": s.tg_branch,
        "ghostwriter_mean_function_line_percent": s.gw_line,
        "ghostwriter_mean_function_branch_percent": s.gw_branch,
        "testgap_fresh_pytest": {"passed": s.tg_passed, "total": s.tg_total, "reported_tests": s.tg_expected},
        "ghostwriter_pytest": {"passed": s.gw_passed, "total": s.gw_total},
        "testgap_verification": {"kept": s.kept, "offered": s.offered},
        "speed_modules": [
            {"module": r.module.dotted, "targeted": len(r.targeted), "seconds": r.testgap.seconds} for r in s.speed
        ],
        "other_cpu_share": share,
        "seconds": total_seconds,
    }


def goals_json(s: Summary) -> dict[str, Any]:
    goals = s.goals
    return {
        "mean_function_line_percent": {"value": s.tg_line, "goal": f">= {GOAL_FN_LINE}", "met": goals["fn_line"][1]},
        "mean_function_branch_percent": {"value": s.tg_branch, "goal": f">= {GOAL_FN_BRANCH}",
                                         "met": goals["fn_branch"][1]},
        "better_than_ghostwriter": {"met": goals["beats_ghostwriter"][1]},
        "fresh_pass_rate_percent": {"value": goals["fresh_pass"][0], "goal": "100", "met": goals["fresh_pass"][1]},
        "twenty_function_module_seconds": {"value": goals["speed"][0], "goal": f"< {GOAL_SECONDS}",
                                           "met": goals["speed"][1]},
    }
