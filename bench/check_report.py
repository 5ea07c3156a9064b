#!/usr/bin/env python3
"""Check the synthetic report against coverage.py itself.

For a sample of files, coverage.py (7.13.x, run from bench/.venv) parses the
generated source -- statements, exclusions, possible arcs, branch lines,
functions and classes regions -- and then writes the file's report entry from
the lines and branches the generator claims were executed, using its own JSON
reporter. That entry must equal the generator's, key for key and number for
number. Every file's and region's summary is also recomputed, and the totals
re-added.

    bench/.venv/bin/python bench/check_report.py --out bench/out [--sample 400]

Relies on coverage.py internals (pinned in bench/run); it is a development
check of the generator, not part of the timed benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import coverage
from coverage.jsonreport import JsonReporter
from coverage.python import PythonFileReporter
from coverage.results import Analysis, Numbers


class ClaimedData:
    """Stands in for CoverageData: arcs were measured, contexts are the report's."""

    def __init__(self, contexts: dict) -> None:
        self._contexts = contexts

    def has_arcs(self) -> bool:
        return True

    def contexts_by_lineno(self, filename: str) -> dict:
        return self._contexts


def numbers_of(summary: dict) -> Numbers:
    return Numbers(
        precision=0,
        n_files=1,
        n_statements=summary["num_statements"],
        n_excluded=summary["excluded_lines"],
        n_missing=summary["missing_lines"],
        n_branches=summary["num_branches"],
        n_partial_branches=summary["num_partial_branches"],
        n_missing_branches=summary["missing_branches"],
    )


def summary_problems(where: str, summary: dict) -> list[str]:
    """The summary must be what coverage.py derives from its own counts."""
    nums = numbers_of(summary)
    want = {
        "covered_lines": nums.n_executed,
        "percent_covered": nums.pc_covered,
        "percent_covered_display": nums.pc_covered_str,
        "percent_statements_covered": nums.pc_statements,
        "percent_statements_covered_display": nums.pc_statements_str,
        "covered_branches": nums.n_executed_branches,
        "percent_branches_covered": nums.pc_branches,
        "percent_branches_covered_display": nums.pc_branches_str,
    }
    return [f"{where}: {k} is {summary[k]!r}, want {v!r}" for k, v in want.items() if summary[k] != v]


def first_difference(path: str, got, want) -> str | None:
    if type(got) is not type(want):
        return f"{path}: {got!r} != {want!r}"
    if isinstance(got, dict):
        if list(got) != list(want):
            return f"{path}: keys {list(got)} != {list(want)}"
        for k in got:
            diff = first_difference(f"{path}.{k}", got[k], want[k])
            if diff:
                return diff
        return None
    if isinstance(got, list):
        if len(got) != len(want):
            return f"{path}: {got!r} != {want!r}"
        for i, (a, b) in enumerate(zip(got, want)):
            diff = first_difference(f"{path}[{i}]", a, b)
            if diff:
                return diff
        return None
    return None if got == want else f"{path}: {got!r} != {want!r}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="the directory gen_coverage.py wrote")
    ap.add_argument("--sample", type=int, default=400, help="files checked against coverage.py's parser")
    args = ap.parse_args()

    root = os.path.join(args.out, "project")
    with open(os.path.join(args.out, "coverage.json"), encoding="utf-8") as fh:
        report = json.load(fh)

    cov = coverage.Coverage(data_file=None, config_file=False, branch=True)
    cov.set_option("json:show_contexts", True)
    cov._init()
    reporter = JsonReporter(cov)
    problems: list[str] = []

    if report["meta"]["format"] != 3 or not report["meta"]["branch_coverage"]:
        problems.append(f"meta: {report['meta']}")

    files = sorted(report["files"])
    if files != list(report["files"]):
        problems.append("files are not in sorted order")
    step = max(1, len(files) // max(1, args.sample))
    sample = files[::step]
    for rel in sample:
        entry = report["files"][rel]
        fr = PythonFileReporter(os.path.join(root, rel), cov)
        statements = fr.lines()
        executed = set(entry["executed_lines"])
        if not executed <= statements:
            problems.append(f"{rel}: executed lines that are not statements: {sorted(executed - statements)}")
        analysis = Analysis(
            precision=0,
            filename=fr.filename,
            has_arcs=True,
            statements=statements,
            excluded=fr.excluded_lines(),
            executed=executed & statements,
            arc_possibilities_set=fr.arcs(),
            arcs_executed_set={tuple(a) for a in entry["executed_branches"]},
            exit_counts=fr.exit_counts(),
            no_branch=fr.no_branch_lines(),
        )
        claimed = {tuple(a) for a in entry["executed_branches"]}
        if not claimed <= analysis.arc_possibilities_set:
            problems.append(f"{rel}: executed branches coverage.py finds impossible: {sorted(claimed - analysis.arc_possibilities_set)}")
        want = json.loads(json.dumps(reporter.report_one_file(ClaimedData(entry["contexts"]), analysis, fr)))
        diff = first_difference(rel, entry, want)
        if diff:
            problems.append(diff)

    totals = Numbers(precision=0)
    n_regions = 0
    for rel, entry in report["files"].items():
        problems += summary_problems(rel, entry["summary"])
        totals += numbers_of(entry["summary"])
        for plural in ("functions", "classes"):
            for name, region in entry[plural].items():
                n_regions += 1
                problems += summary_problems(f"{rel} {plural}[{name!r}]", region["summary"])
    for key, value in reporter.make_summary(totals).items():
        if report["totals"][key] != value:
            problems.append(f"totals.{key} is {report['totals'][key]!r}, want {value!r}")
    for key, value in reporter.make_branch_summary(totals).items():
        if report["totals"][key] != value:
            problems.append(f"totals.{key} is {report['totals'][key]!r}, want {value!r}")

    for p in problems[:30]:
        print("MISMATCH", p)
    print(
        f"check_report: coverage.py {coverage.__version__}: {len(sample)} files rebuilt from source, "
        f"{len(files)} file and {n_regions} region summaries recomputed: "
        + ("OK" if not problems else f"{len(problems)} problems"),
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
