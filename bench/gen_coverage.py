#!/usr/bin/env python3
"""Write a synthetic Python project and the coverage.json that coverage.py 7.13
would write for it (format 3, branch coverage, per-line test contexts).

The project is made of modules in nested packages (``pkg17/sub3/mod_00042.py``),
laid out by synthetic_project.py, which knows what coverage.py would measure in
each and simulates a test run. This file turns that into the report, computed
the way coverage.py computes it (analysis, regions, summaries, totals), so every
figure is consistent with the sources. bench/check_report.py verifies it with
coverage.py itself.

Only the standard library is used. Output is a pure function of the options:
the same seed and file count give the same bytes, with any number of jobs.

    python3 bench/gen_coverage.py --out bench/out/data-20000-1 --files 20000 --seed 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import time

from synthetic_project import Module, module_source, package_init


COVERAGE_VERSION = "7.13.5"
# Fixed so that the output does not depend on the clock.
TIMESTAMP = "2025-06-01T12:00:00.000000"

def percent(covered: int, total: int) -> float:
    """coverage.py's Numbers._percent, to the last bit."""
    if total > 0:
        return (100.0 * covered) / total
    return 100.0


def display(pc: float) -> str:
    """coverage.py's display_covered at the default precision (0)."""
    if 0 < pc < 1.0:
        pc = 1.0
    elif 99.0 < pc < 100:
        pc = 99.0
    else:
        pc = round(pc, 0)
    return f"{pc:.0f}"


class Numbers:
    """The counts behind one summary (coverage.results.Numbers)."""

    __slots__ = ("statements", "excluded", "missing", "branches", "partial", "missing_branches")

    def __init__(self, statements=0, excluded=0, missing=0, branches=0, partial=0, missing_branches=0):
        self.statements = statements
        self.excluded = excluded
        self.missing = missing
        self.branches = branches
        self.partial = partial
        self.missing_branches = missing_branches

    def add(self, other: "Numbers") -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def summary(self) -> dict:
        executed = self.statements - self.missing
        executed_branches = self.branches - self.missing_branches
        pc = percent(executed + executed_branches, self.statements + self.branches)
        pc_statements = percent(executed, self.statements)
        pc_branches = percent(executed_branches, self.branches)
        return {
            "covered_lines": executed,
            "num_statements": self.statements,
            "percent_covered": pc,
            "percent_covered_display": display(pc),
            "missing_lines": self.missing,
            "excluded_lines": self.excluded,
            "percent_statements_covered": pc_statements,
            "percent_statements_covered_display": display(pc_statements),
            "num_branches": self.branches,
            "num_partial_branches": self.partial,
            "covered_branches": executed_branches,
            "missing_branches": self.missing_branches,
            "percent_branches_covered": pc_branches,
            "percent_branches_covered_display": display(pc_branches),
        }


# --- the report ------------------------------------------------------------


def analyse(mod: Module, lines: set[int] | None) -> tuple[dict, Numbers, list, list]:
    """One report entry (file or region) as coverage.py writes it, without contexts."""
    if lines is None:
        statements, excluded, executed = mod.statements, mod.excluded, mod.executed
        branch_lines = mod.branches
    else:
        statements, excluded, executed = mod.statements & lines, mod.excluded & lines, mod.executed & lines
        branch_lines = {s: t for s, t in mod.branches.items() if s in lines}
    missing = statements - executed
    executed_arcs, missing_arcs = [], []
    for src, targets in branch_lines.items():
        for dst in targets:
            (executed_arcs if (src, dst) in mod.arcs_executed else missing_arcs).append([src, dst])
    executed_arcs.sort()
    missing_arcs.sort()
    nums = Numbers(
        statements=len(statements),
        excluded=len(excluded),
        missing=len(missing),
        branches=sum(len(t) for t in branch_lines.values()),
        partial=sum(1 for src, _ in missing_arcs if src not in missing),
        missing_branches=len(missing_arcs),
    )
    entry = {
        "executed_lines": sorted(executed),
        "summary": nums.summary(),
        "missing_lines": sorted(missing),
        "excluded_lines": sorted(excluded),
    }
    return entry, nums, executed_arcs, missing_arcs


def file_entry(mod: Module) -> tuple[dict, Numbers]:
    contexts = {str(line): sorted(ctx) for line, ctx in sorted(mod.contexts.items())}
    entry, nums, executed_arcs, missing_arcs = analyse(mod, None)
    entry["contexts"] = contexts
    entry["executed_branches"] = executed_arcs
    entry["missing_branches"] = missing_arcs
    all_lines = set(range(1, len(mod.lines) + 1))
    for noun, plural in (("function", "functions"), ("class", "classes")):
        regions = [r for r in mod.regions if r[0] == noun]
        outside = set(all_lines)
        for r in regions:
            outside -= r[3]
        data = {}
        for _, name, start, lines in regions + [("", "", min(outside, default=1), outside)]:
            region, _, ex_arcs, mi_arcs = analyse(mod, lines)
            region["start_line"] = start
            # coverage.py 7.13 repeats the whole file's contexts in every region.
            region["contexts"] = contexts
            region["executed_branches"] = ex_arcs
            region["missing_branches"] = mi_arcs
            data[name] = region
        entry[plural] = data
    return entry, nums


# --- driver ----------------------------------------------------------------


def layout(files: int) -> list[str]:
    """Relative paths of every report entry, package __init__ files included."""
    n_pkgs = max(1, min(40, files // 500))
    n_subs = 10
    inits = []
    for p in range(n_pkgs):
        inits.append(f"pkg{p:02d}/__init__.py")
        inits.extend(f"pkg{p:02d}/sub{s}/__init__.py" for s in range(n_subs))
    n_mods = max(0, files - len(inits))
    paths = list(inits[:files])
    for j in range(n_mods):
        p = j * n_pkgs // n_mods
        s = (j // 7) % (n_subs + 1)
        folder = f"pkg{p:02d}" if s == n_subs else f"pkg{p:02d}/sub{s}"
        paths.append(f"{folder}/mod_{j:05d}.py")
    return sorted(paths)


def build_one(args: tuple[int, str, int, str, list[str]]) -> tuple[str, str, tuple]:
    index, relpath, seed, root, members = args
    if relpath.endswith("__init__.py"):
        mod = package_init(relpath, members)
    else:
        mod = module_source(index, relpath, seed)
    path = os.path.join(root, relpath)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(mod.text())
    entry, nums = file_entry(mod)
    return relpath, json.dumps(entry), nums.as_tuple()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for project/ and coverage.json")
    ap.add_argument("--files", type=int, default=20000, help="entries in the report (default 20000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--force", action="store_true", help="regenerate even if the stamp matches")
    args = ap.parse_args(argv)

    out = os.path.abspath(args.out)
    root = os.path.join(out, "project")
    report = os.path.join(out, "coverage.json")
    stamp_path = os.path.join(out, "coverage.stamp")
    me = hashlib.sha256()
    for part in (__file__, os.path.join(os.path.dirname(os.path.abspath(__file__)), "synthetic_project.py")):
        with open(part, "rb") as fh:
            me.update(fh.read())
    me = me.hexdigest()[:16]
    stamp = f"files={args.files} seed={args.seed} generator={me}"
    if not args.force and os.path.exists(report) and os.path.exists(stamp_path):
        with open(stamp_path, encoding="utf-8") as fh:
            if fh.read().strip() == stamp:
                print(f"gen_coverage: up to date ({stamp}), {os.path.getsize(report) / 1e6:.1f} MB", file=sys.stderr)
                return 0

    started = time.perf_counter()
    if os.path.exists(root):
        shutil.rmtree(root)
    paths = layout(args.files)
    members: dict[str, list[str]] = {}
    for rel in paths:
        folder, name = rel.rsplit("/", 1)
        members.setdefault(folder, []).append(name[:-3])
    for folder in members:
        os.makedirs(os.path.join(root, folder), exist_ok=True)
    jobs = [
        (i, rel, args.seed, root,
         [m for m in members.get(rel.rsplit("/", 1)[0], []) if m != "__init__"] if rel.endswith("__init__.py") else [])
        for i, rel in enumerate(paths)
    ]

    totals = Numbers()
    tmp = report + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        meta = {
            "format": 3, "version": COVERAGE_VERSION, "timestamp": TIMESTAMP,
            "branch_coverage": True, "show_contexts": True,
        }
        fh.write('{"meta": ' + json.dumps(meta) + ', "files": {')
        with multiprocessing.Pool(max(1, args.jobs)) as pool:
            for n, (rel, text, nums) in enumerate(pool.imap(build_one, jobs, chunksize=64)):
                fh.write((", " if n else "") + json.dumps(rel) + ": " + text)
                totals.add(Numbers(*nums))
        fh.write('}, "totals": ' + json.dumps(totals.summary()) + "}")
    os.replace(tmp, report)
    with open(stamp_path, "w", encoding="utf-8") as fh:
        fh.write(stamp + "\n")
    size = os.path.getsize(report)
    print(
        f"gen_coverage: {len(paths)} files, {size / 1e6:.1f} MB, "
        f"{totals.summary()['percent_covered_display']}% covered, "
        f"{time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
