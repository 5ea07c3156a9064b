#!/usr/bin/env python3
"""Time testgap against plain Python on the same data, in the same run.

A. Loading and auditing a synthetic coverage.json (written by gen_coverage.py).
B. Analysing every .py file of the Python standard library.

Every command runs in a child process several times; the table shows min and
median, and the ratios are of medians. Peak RSS comes from os.wait4 on that
very child. Prints an aligned table, then one JSON line with every figure,
also written to OUT/results.json.

    python3 bench/measure.py --out bench/out --data bench/out/data-20000-1 \
        --testgap target/release/testgap

Run through bench/run, which builds testgap and generates the data first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time

from cpu_load import OtherLoad
from tables import table

# Child programs. Each prints one JSON line; the clock runs around the work only.
PY_JSON_LOAD = r"""
import json, sys, time
fh = open(sys.argv[1], encoding="utf-8")
t = time.perf_counter()
data = json.load(fh)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "files": len(data["files"])}))
"""

PY_AST = r"""
import ast, json, os, sys, time
root, collect = sys.argv[1], sys.argv[2] == "defs"
t = time.perf_counter()
files = errors = size = 0
functions, classes = [], []
for folder, dirs, names in os.walk(root):
    dirs.sort()
    for name in sorted(names):
        if not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        with open(path, "rb") as fh:
            source = fh.read()
        files += 1
        size += len(source)
        try:
            tree = ast.parse(source, path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            errors += 1
            continue
        if collect:
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.append((path, node.name, node.lineno, node.end_lineno))
                elif isinstance(node, ast.ClassDef):
                    classes.append((path, node.name, node.lineno, node.end_lineno))
seconds = time.perf_counter() - t
print(json.dumps({
    "seconds": seconds, "files": files, "bytes": size, "syntax_errors": errors,
    "functions": len(functions) if collect else None, "classes": len(classes) if collect else None,
}))
"""


# Other processes' share of the CPUs above which a section's figures are flagged.
QUIET = 0.10
# Seconds after which one run of a command is killed and counted as not measured.
CHILD_TIMEOUT = 300


class Unavailable(Exception):
    """A command that could not be measured, with the reason."""


def run_child(cmd: list[str], capture: bool) -> dict:
    """Runs cmd once; returns wall seconds, peak RSS of that child, exit code, stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out if capture else subprocess.DEVNULL, stderr=err)
        except OSError as exc:
            raise Unavailable(f"cannot run {short(cmd[0])}: {exc.strerror}") from None
        # A hung child must not hang the benchmark.
        watchdog = threading.Timer(CHILD_TIMEOUT, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if wall >= CHILD_TIMEOUT:
            raise Unavailable(f"`{' '.join(short(c) for c in cmd)}` was killed after {CHILD_TIMEOUT} s")
        out.seek(0)
        err.seek(0)
        rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        return {
            "wall": wall,
            "rss": rss,
            "code": proc.returncode,
            "stdout": out.read().decode("utf-8", "replace") if capture else "",
            "stderr": err.read().decode("utf-8", "replace"),
        }


def last_json_line(result: dict, cmd: list[str], need: tuple[str, ...]) -> dict:
    """The child's JSON line, or Unavailable saying why there is none."""
    lines = [l for l in result["stdout"].splitlines() if l.strip()]
    if result["code"] != 0 or not lines:
        tail = result["stderr"].strip().splitlines()[-3:]
        raise Unavailable(f"`{' '.join(short(c) for c in cmd)}` exited {result['code']}"
                          + (" with no output" if not lines else "") + (": " + " | ".join(tail) if tail else ""))
    try:
        data = json.loads(lines[-1])
    except json.JSONDecodeError:
        raise Unavailable(f"`{' '.join(short(c) for c in cmd)}` printed no JSON line: {lines[-1][:120]!r}") from None
    missing = [k for k in need if k not in data]
    if missing:
        raise Unavailable(f"`{' '.join(short(c) for c in cmd)}` JSON lacks {missing}: {lines[-1][:120]!r}")
    return data


def short(arg: str) -> str:
    """Paths relative to the working directory, to keep messages short."""
    if os.path.isabs(arg):
        rel = os.path.relpath(arg)
        return rel if not rel.startswith("../..") else arg
    return arg


def measure(cmd: list[str], runs: int, *, warmup: int = 1, inner: tuple[str, ...] | None = None) -> dict:
    """Runs cmd warmup + runs times. With `inner`, the child prints a JSON line
    carrying its own timing in "seconds" (and the keys in `inner`)."""
    walls, rsss, seconds, reports = [], [], [], []
    for i in range(warmup + runs):
        result = run_child(cmd, capture=inner is not None)
        if inner is not None:
            data = last_json_line(result, cmd, ("seconds",) + inner)
        elif result["code"] != 0:
            raise Unavailable(f"`{' '.join(short(c) for c in cmd)}` exited {result['code']}: {result['stderr'].strip()[-200:]}")
        if i < warmup:
            continue
        walls.append(result["wall"])
        rsss.append(result["rss"])
        if inner is not None:
            seconds.append(float(data["seconds"]))
            reports.append(data)
    figures = {
        "runs": runs,
        "wall_min": min(walls),
        "wall_median": statistics.median(walls),
        "wall_all": walls,
        "peak_rss_max": max(rsss),
        "peak_rss_median": statistics.median(rsss),
    }
    if inner is not None:
        figures.update({
            "seconds_min": min(seconds),
            "seconds_median": statistics.median(seconds),
            "seconds_all": seconds,
            "report": reports[-1],
        })
    return figures


def attempt(label: str, unavailable: dict, fn):
    try:
        return fn()
    except Unavailable as exc:
        unavailable[label] = str(exc)
        print(f"  {label}: not measured: {exc}", file=sys.stderr)
        return None


def stdlib_dir() -> str:
    return sysconfig.get_paths()["stdlib"]


def copy_stdlib(src: str, dst: str) -> tuple[int, int]:
    """Copies every .py file under src (less site-packages) to dst, so that both
    sides walk exactly the same tree. Skipped when an up-to-date copy exists."""
    files = []
    for folder, dirs, names in os.walk(src):
        rel = os.path.relpath(folder, src)
        if rel == ".":
            dirs[:] = [d for d in dirs if d != "site-packages"]
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".py") and os.path.isfile(os.path.join(folder, name)):
                files.append(os.path.normpath(os.path.join(rel, name)))
    files.sort()
    sizes = [os.path.getsize(os.path.join(src, f)) for f in files]
    stamp = f"{sys.version.split()[0]} {len(files)} {sum(sizes)}"
    stamp_path = dst + ".stamp"
    if os.path.isdir(dst) and os.path.exists(stamp_path):
        with open(stamp_path, encoding="utf-8") as fh:
            if fh.read() == stamp:
                return len(files), sum(sizes)
    if os.path.exists(dst):
        shutil.rmtree(dst)
    for f in files:
        os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
        shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    with open(stamp_path, "w", encoding="utf-8") as fh:
        fh.write(stamp)
    return len(files), sum(sizes)


def sha256_of(path: str) -> str:
    # In chunks: see own_peak_rss for why this process must stay small.
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def own_peak_rss() -> int:
    """This process's peak RSS. Linux carries a parent's high-water mark into
    a forked (or vforked) child through exec, so no child's peak RSS can read
    lower than this: it must stay far below what is measured."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak * (1 if sys.platform == "darwin" else 1024)


def warm_cache(root: str) -> None:
    for folder, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as fh:
                while fh.read(1 << 20):
                    pass


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def pick(figures: dict | None, key: str) -> float | None:
    return None if figures is None else figures.get(key)


# --- output ----------------------------------------------------------------


def secs(v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.3f} s"


def mib(v: float | None) -> str:
    return "n/a" if v is None else f"{v / 2**20:.0f} MiB"


def timing_rows(entries: list[tuple[str, dict | None, str]]) -> list[list[str]]:
    rows = [["measurement", "clock", "runs", "min", "median", "peak RSS"]]
    for label, fig, clock in entries:
        if fig is None:
            rows.append([label, clock, "-", "n/a", "n/a", "n/a"])
            continue
        if clock == "in-process":
            lo, med, rss = fig["seconds_min"], fig["seconds_median"], ""
        else:
            lo, med, rss = fig["wall_min"], fig["wall_median"], mib(fig["peak_rss_max"])
        rows.append([label, clock, str(fig["runs"]), secs(lo), secs(med), rss])
    return rows


def section_a(args: argparse.Namespace, out: str, testgap: str, python: str, have_testgap: bool,
              unavailable: dict[str, str]) -> tuple[dict, list[str]]:
    """A. Loading and auditing the synthetic coverage.json: the figures and
    their table."""
    cov = os.path.join(os.path.abspath(args.data), "coverage.json")
    root = os.path.join(os.path.abspath(args.data), "project")
    size = os.path.getsize(cov)
    digest = sha256_of(cov)
    print(f"A. coverage.json: measuring ({size / 1e6:.1f} MB)...", file=sys.stderr)
    load_a = OtherLoad()
    load_a.start()
    json_load = measure([python, "-c", PY_JSON_LOAD, cov], args.runs, inner=("files",))
    n_files = json_load["report"]["files"]
    audit_check = audit = value_parse = load = None
    if have_testgap:
        audit_cmd = [testgap, "audit", "--root", root, "--coverage", cov, "--format", "json"]

        def audit_output() -> dict:
            # One run whose output is kept and must be JSON, so that a binary
            # that does nothing is not timed as a fast one.
            result = run_child(audit_cmd, capture=True)
            path = os.path.join(out, "audit.json")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(result["stdout"])
            try:
                json.loads(result["stdout"])
            except json.JSONDecodeError:
                tail = " | ".join(result["stderr"].strip().splitlines()[-3:])
                raise Unavailable(f"`testgap audit ... --format json` exited {result['code']} and its stdout is not JSON"
                                  + (f": {tail}" if tail else "")) from None
            return {"exit_code": result["code"], "stdout_bytes": len(result["stdout"].encode())}

        audit_check = attempt("audit", unavailable, audit_output)
        if audit_check is not None:
            audit = attempt("audit", unavailable, lambda: measure(audit_cmd, args.runs))
        value_parse = attempt("bench value-parse", unavailable,
                              lambda: measure([testgap, "bench", "value-parse", cov], args.runs, inner=()))
        load = attempt("bench load", unavailable,
                       lambda: measure([testgap, "bench", "load", cov, "--root", root], args.runs, inner=("files",)))
    if load is not None and load["report"]["files"] != n_files:
        unavailable["bench load files"] = f"testgap loaded {load['report']['files']} files, json.load saw {n_files}"
    a = {
        "coverage_json": {"bytes": size, "files": n_files, "sha256": digest},
        "python_json_load": json_load,
        "testgap_audit": audit,
        "testgap_audit_output": audit_check,
        "testgap_value_parse": value_parse,
        "testgap_load": load,
    }
    a["ratios"] = {
        "json_load_over_audit": ratio(json_load["seconds_median"], pick(audit, "wall_median")),
        "python_process_over_audit_wall": ratio(json_load["wall_median"], pick(audit, "wall_median")),
        "value_parse_over_load": ratio(pick(value_parse, "seconds_median"), pick(load, "seconds_median")),
        "value_parse_wall_over_audit_wall": ratio(pick(value_parse, "wall_median"), pick(audit, "wall_median")),
        "value_parse_over_audit_wall": ratio(pick(value_parse, "seconds_median"), pick(audit, "wall_median")),
        "audit_peak_rss_over_file_size": ratio(pick(audit, "peak_rss_max"), size),
        "python_peak_rss_over_file_size": ratio(json_load["peak_rss_max"], size),
    }
    a["other_cpu_share"] = load_a.share()
    return a, [
        f"A. Loading + auditing coverage.json: {n_files:,} files, {size / 1e6:.1f} MB "
        f"({short(cov)}, sha256 {digest[:12]})",
        table(timing_rows([
            ("python3 json.load", json_load, "in-process"),
            ("python3 -c 'json.load' process", json_load, "wall"),
            ("testgap audit --format json", audit, "wall"),
            ("testgap bench value-parse", value_parse, "in-process"),
            ("testgap bench value-parse process", value_parse, "wall"),
            ("testgap bench load", load, "in-process"),
            ("testgap bench load process", load, "wall"),
        ]), right={2, 3, 4, 5}),
        "",
    ]


def section_b(args: argparse.Namespace, out: str, testgap: str, python: str, have_testgap: bool,
              unavailable: dict[str, str]) -> tuple[dict, list[str]]:
    """B. Analysing the standard library: the figures and their tables."""
    src = stdlib_dir()
    tree = os.path.join(out, "stdlib")
    n_files, n_bytes = copy_stdlib(src, tree)
    warm_cache(tree)
    print(f"B. stdlib: measuring ({n_files} files, {n_bytes / 1e6:.1f} MB)...", file=sys.stderr)
    load_b = OtherLoad()
    load_b.start()
    keys = ("files", "bytes", "syntax_errors")
    parse = measure([python, "-c", PY_AST, tree, "parse"], args.python_runs, warmup=0, inner=keys)
    defs = measure([python, "-c", PY_AST, tree, "defs"], args.python_runs, warmup=0, inner=keys + ("functions", "classes"))
    analyze = None
    if have_testgap:
        analyze = attempt("bench analyze", unavailable, lambda: measure(
            [testgap, "bench", "analyze", tree], args.runs,
            inner=("files", "functions", "classes", "bytes", "syntax_errors")))
    b = {
        "stdlib": {"source": src, "copy": short(tree), "files": n_files, "bytes": n_bytes},
        "python_ast_parse": parse,
        "python_ast_parse_defs": defs,
        "testgap_analyze": analyze,
    }
    b["ratios"] = {
        "ast_parse_over_analyze": ratio(parse["seconds_median"], pick(analyze, "seconds_median")),
        "ast_parse_defs_over_analyze": ratio(defs["seconds_median"], pick(analyze, "seconds_median")),
        "ast_parse_wall_over_analyze_wall": ratio(parse["wall_median"], pick(analyze, "wall_median")),
    }
    b["other_cpu_share"] = load_b.share()
    extracted = [["side", "files", "bytes", "syntax errors", "functions", "classes"]]
    for label, fig in (("python ast.parse", parse), ("python ast.parse + walk", defs), ("testgap bench analyze", analyze)):
        rep = fig["report"] if fig else {}
        extracted.append([label] + [
            "n/a" if rep.get(k) is None else f"{rep[k]:,}"
            for k in ("files", "bytes", "syntax_errors", "functions", "classes")
        ])
    return b, [
        f"B. Analysing the standard library: {n_files:,} .py files, {n_bytes / 1e6:.1f} MB "
        f"(copied from {src}, site-packages left out)",
        table(timing_rows([
            ("python ast.parse, 1 process", parse, "in-process"),
            ("python ast.parse + walk defs", defs, "in-process"),
            ("testgap bench analyze", analyze, "in-process"),
            ("testgap bench analyze process", analyze, "wall"),
        ]), right={2, 3, 4, 5}),
        "",
        "  What each side extracted:",
        table(extracted, right={1, 2, 3, 4, 5}),
        "",
    ]


def ratio_lines(
    a: dict | None, b: dict | None, results: dict, unavailable: dict[str, str]
) -> tuple[list[str], list[str]]:
    """The ratios against their goals (recorded in `results`), the notes under
    them; and the goals missed."""
    report_lines: list[str] = []
    goals = []
    if a:
        r = a["ratios"]
        goals += [
            ("A  json.load / testgap audit", r["json_load_over_audit"], ">=", 5.0, "x",
             "python in-process json.load vs audit process wall"),
            ("A  value-parse / testgap load", r["value_parse_over_load"], ">=", 1.0, "x", "both in-process"),
            ("A  value-parse / testgap audit", r["value_parse_wall_over_audit_wall"], ">=", 1.0, "x", "both process wall"),
            ("A  value-parse / testgap audit (strict)", r["value_parse_over_audit_wall"], None, None, "x",
             "value-parse in-process vs audit wall"),
            ("A  audit peak RSS / file size", r["audit_peak_rss_over_file_size"], "<", 2.0, "", ""),
            ("A  python json.load peak RSS / file size", r["python_peak_rss_over_file_size"], None, None, "", "for scale"),
        ]
    if b:
        r = b["ratios"]
        goals += [
            ("B  ast.parse / testgap analyze", r["ast_parse_over_analyze"], ">", 1.0, "x",
             f"in-process; python 1 process, testgap on {os.cpu_count()} cores"),
            ("B  ast.parse+walk / testgap analyze", r["ast_parse_defs_over_analyze"], None, None, "x", "in-process"),
            ("B  ast.parse / testgap analyze (wall)", r["ast_parse_wall_over_analyze_wall"], None, None, "x", "process wall"),
        ]
    rows = [["ratio (medians)", "value", "goal", "", "clocks"]]
    missed = []
    results["goals"] = {}
    for label, value, op, target, unit, note in goals:
        if value is None:
            verdict = "n/a"
        elif op is None:
            verdict = ""
        else:
            ok = value >= target if op == ">=" else value > target if op == ">" else value < target
            verdict = "met" if ok else "MISSED"
            if not ok:
                missed.append(" ".join(label.split()))
        if op is not None:
            results["goals"][" ".join(label.split())] = {"value": value, "goal": f"{op} {target:g}", "verdict": verdict}
        rows.append([label, "n/a" if value is None else f"{value:.2f}{unit}",
                     "" if op is None else f"{op} {target:g}{unit}", verdict, note])
    report_lines += ["Ratios", table(rows, right={1})]
    report_lines += ["", f"Peak RSS cannot read below {mib(own_peak_rss())}, this process's own peak (Linux carries it into each child)."]
    for name, section in (("A", a), ("B", b)):
        share = section and section.get("other_cpu_share")
        if share is None:
            continue
        quiet = share < QUIET
        report_lines.append(
            f"Other processes kept {share:.0%} of the CPUs busy during {name}"
            + ("." if quiet else ": the machine was busy, figures are disturbed; run again when it is quiet.")
        )
    if unavailable:
        report_lines += ["", "Not measured:"] + [f"  {k}: {v}" for k, v in unavailable.items()]
    return report_lines, missed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="where results.json, audit.json and the stdlib copy go")
    ap.add_argument("--data", required=True, help="the directory gen_coverage.py wrote (coverage.json, project/)")
    ap.add_argument("--testgap", required=True, help="the testgap binary")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each fast command (default 5)")
    ap.add_argument("--python-runs", type=int, default=3, help="timed runs of the slow Python stdlib parse (default 3)")
    ap.add_argument("--skip", choices=("A", "B"), action="append", default=[], help="skip a benchmark")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = ap.parse_args()

    out = os.path.abspath(args.out)
    testgap = os.path.abspath(args.testgap)
    python = sys.executable
    unavailable: dict[str, str] = {}
    results: dict = {
        "schema": 1,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "testgap": short(testgap),
    }
    have_testgap = os.access(testgap, os.X_OK)
    if not have_testgap:
        unavailable["testgap"] = f"no executable at {short(testgap)}"
    report_lines: list[str] = []

    a = b = None
    if "A" not in args.skip:
        a, lines = section_a(args, out, testgap, python, have_testgap, unavailable)
        results["A"] = a
        report_lines += lines
    if "B" not in args.skip:
        b, lines = section_b(args, out, testgap, python, have_testgap, unavailable)
        results["B"] = b
        report_lines += lines
    lines, missed = ratio_lines(a, b, results, unavailable)
    report_lines += lines
    results["unavailable"] = unavailable
    results["measurer_peak_rss"] = own_peak_rss()
    results["missed_goals"] = missed

    print(f"testgap benchmark  ({os.cpu_count()} CPUs, Python {platform.python_version()}, {short(testgap)})")
    print()
    print("\n".join(report_lines))
    line = json.dumps(results, sort_keys=False)
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as fh:
        fh.write(line + "\n")
    print()
    print(line)
    if args.strict and missed:
        return 1
    return 3 if unavailable else 0


if __name__ == "__main__":
    sys.exit(main())
