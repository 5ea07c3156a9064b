#!/usr/bin/env python3
"""How well `testgap fix` repairs real tests: the scenario suite of tests/fix
(realistic refactors of real PyPI libraries, and failures where the test is
right), run once, summed up per root cause against the goals.

    bench/fix_bench.py                 build the release binary, run every scenario
    bench/fix_bench.py --debug         use (and build) the debug binary instead
    bench/fix_bench.py -k toolz        only the scenarios pytest's -k selects
    bench/fix_bench.py --from FILE     only print the figures of an earlier run
    bench/fix_bench.py --strict        exit 1 when a goal is missed

Other options: --no-build (use the binary that is there), --json FILE (keep
the outcomes). Environment: TESTGAP (a binary to measure instead of building
one), CARGO_TARGET_DIR (respected).

The suite itself makes and checks every scenario (tests/fix/scenarios.py and
the modules it imports); this script runs it with TESTGAP_FIX_BENCH_JSON set,
where the suite writes one outcome per scenario, and reads that file. Only the
standard library is used here; the suite runs in the test venv that
tests/setup_venv.sh makes.

Exit status: 0 measured (goals met, or not --strict), 1 a goal missed with
--strict, 2 the suite could not run or recorded nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CATEGORIES = [
    "import_error",
    "mock_mismatch",
    "assertion_drift",
    "type_error",
    "attribute_error",
    "missing_fixture",
    "environment",
    "unknown",
]

# The goals of the scenario suite (issue 5, item 7).
GOAL_FIX_RATE = 0.90
GOAL_REFUSAL_RATE = 1.0
GOAL_WEAKENED = 0
GOAL_MEDIAN_SECONDS = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, help="outcomes written by an earlier run")
    parser.add_argument("--json", type=Path, help="keep the outcomes in this file")
    parser.add_argument("--debug", action="store_true", help="measure the debug binary")
    parser.add_argument("--no-build", action="store_true", help="use the binary that is there")
    parser.add_argument("-k", dest="select", help="pytest -k expression selecting scenarios")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()

    if args.source:
        data = json.loads(args.source.read_text(encoding="utf-8"))
    else:
        data = run_suite(args)
        if data is None:
            return 2
    outcomes = data["outcomes"]
    if not outcomes:
        print("fix_bench: the suite recorded no scenario", file=sys.stderr)
        return 2
    libraries = ", ".join(f"{name} {version}" for name, version in sorted(data.get("libraries", {}).items()))
    print(f"testgap fix on {len(outcomes)} scenarios ({libraries})\n")
    print(table(outcomes))
    print()
    missed = goals(outcomes)
    return 1 if missed and args.strict else 0


# --------------------------------------------------------------------------
# Running the suite


def run_suite(args) -> dict | None:
    binary = testgap_binary(args)
    if binary is None:
        return None
    venv = subprocess.run(
        [str(REPO / "tests" / "setup_venv.sh")], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if venv.returncode != 0:
        print(f"fix_bench: tests/setup_venv.sh failed\n{venv.stderr[-2000:]}", file=sys.stderr)
        return None
    python = Path(venv.stdout.strip()) / "bin" / "python"
    with tempfile.TemporaryDirectory(prefix="fix-bench-") as scratch:
        target = args.json.resolve() if args.json else Path(scratch) / "outcomes.json"
        env = dict(os.environ, TESTGAP_BIN=str(binary), TESTGAP_PYTHON=str(python), TESTGAP_FIX_BENCH_JSON=str(target))
        command = [str(python), "-m", "pytest", "tests/fix/test_fix_scenarios.py", "-q", "-p", "no:cacheprovider"]
        if args.select:
            command += ["-k", args.select]
        print(f"$ {' '.join(command[1:])}  (testgap: {binary})", flush=True)
        suite = subprocess.run(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL)
        if not target.is_file():
            print(f"fix_bench: the suite wrote no outcomes (pytest exit status {suite.returncode})", file=sys.stderr)
            return None
        if suite.returncode != 0:
            print(f"fix_bench: some scenarios failed (pytest exit status {suite.returncode}); figures follow\n")
        return json.loads(target.read_text(encoding="utf-8"))


def testgap_binary(args) -> Path | None:
    configured = os.environ.get("TESTGAP")
    if configured:
        return Path(configured).resolve()
    profile = "debug" if args.debug else "release"
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not args.no_build:
        command = ["cargo", "build", "--quiet", "--bins"] + ([] if args.debug else ["--release"])
        print(f"$ {' '.join(command)}", flush=True)
        if subprocess.run(command, cwd=REPO, stdin=subprocess.DEVNULL).returncode != 0:
            print("fix_bench: cargo build failed", file=sys.stderr)
            return None
    binary = target_dir / profile / "testgap"
    if not binary.is_file():
        print(f"fix_bench: no binary at {binary} (drop --no-build)", file=sys.stderr)
        return None
    return binary


# --------------------------------------------------------------------------
# The figures


def per_test(outcome: dict) -> float:
    """Seconds of the `testgap fix` run per failing test it handled."""
    return outcome["seconds"] / max(1, outcome.get("tests", 1))


def rate(part: int, whole: int) -> str:
    return f"{part}/{whole} {100 * part / whole:.0f}%" if whole else "-"


def row(name: str, group: list[dict]) -> list[str]:
    fixable = [o for o in group if o["fixable"]]
    refusals = [o for o in group if not o["fixable"]]
    attempts = [o["attempts"] for o in fixable]
    seconds = [per_test(o) for o in group]
    return [
        name,
        str(len(group)),
        rate(sum(o["correct"] for o in fixable), len(fixable)),
        rate(sum(o["correct"] for o in refusals), len(refusals)),
        rate(sum(o["classified"] == o["category"] for o in group), len(group)),
        f"{statistics.mean(attempts):.2f}" if attempts else "-",
        f"{statistics.median(seconds):.2f}",
        f"{max(seconds):.2f}",
        str(sum(bool(o.get("weakened")) for o in group)),
    ]


def table(outcomes: list[dict]) -> str:
    header = ["category", "scenarios", "fixed", "refused right", "classified", "attempts", "median s", "max s", "weakened"]
    known = [c for c in CATEGORIES if any(o["category"] == c for o in outcomes)]
    others = sorted({o["category"] for o in outcomes} - set(CATEGORIES))
    rows = [row(c, [o for o in outcomes if o["category"] == c]) for c in known + others]
    rows.append(row("all", outcomes))
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(r, widths)) for r in rows]
    notes = [
        "",
        "fixed: fixable scenarios whose tests pass after `testgap fix --write`, with only test code changed and",
        "  no check weakened; refused right: failures where the test is right, reported and no file changed;",
        "  classified: the first root cause testgap names is the scenario's; attempts: re-runs on candidate",
        "  text per fixable scenario; median/max s: wall time of the `testgap fix` run per failing test.",
    ]
    return "\n".join(lines + notes)


def goals(outcomes: list[dict]) -> list[str]:
    """Prints each goal with the figure; returns the ones missed."""
    fixable = [o for o in outcomes if o["fixable"]]
    refusals = [o for o in outcomes if not o["fixable"]]
    checks = []
    for category in CATEGORIES:
        group = [o for o in fixable if o["category"] == category]
        if group:
            fixed = sum(o["correct"] for o in group) / len(group)
            checks.append((f"fixed, {category}", f"{100 * fixed:.0f}%", f">= {100 * GOAL_FIX_RATE:.0f}%", fixed >= GOAL_FIX_RATE))
    if fixable:
        fixed = sum(o["correct"] for o in fixable) / len(fixable)
        checks.append(("fixed, all fixable", f"{100 * fixed:.0f}%", f">= {100 * GOAL_FIX_RATE:.0f}%", fixed >= GOAL_FIX_RATE))
    if refusals:
        refused = sum(o["correct"] for o in refusals) / len(refusals)
        checks.append(("correct refusals", f"{100 * refused:.0f}%", "100%", refused >= GOAL_REFUSAL_RATE))
    weakened = sum(bool(o.get("weakened")) for o in outcomes)
    checks.append(("weakened tests", str(weakened), str(GOAL_WEAKENED), weakened <= GOAL_WEAKENED))
    median = statistics.median(per_test(o) for o in outcomes)
    checks.append(("median s per test", f"{median:.2f}", f"< {GOAL_MEDIAN_SECONDS:.0f}", median < GOAL_MEDIAN_SECONDS))
    width = max(len(c[0]) for c in checks)
    print("goals")
    for name, figure, goal, met in checks:
        print(f"  {name.ljust(width)}  {figure:>6}  goal {goal:<6}  {'met' if met else 'MISSED'}")
    return [c[0] for c in checks if not c[3]]


if __name__ == "__main__":
    sys.exit(main())
