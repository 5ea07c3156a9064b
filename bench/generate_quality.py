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
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cpu_load import OtherLoad
from quality import BENCH, REPO
from quality.data import HYPOTHESIS_PLUGIN, HYPOTHESIS_PLUGIN_SOURCE, LIBRARIES
from quality.prepare import SetupError, ensure_venv, fetch_sdist, prepare_copy
from quality.processes import step
from quality.report import pct, rate_text, report
from quality.run import ModuleResult, measure_module
from support.pypi import DownloadError, unpack_sdist  # after `quality`, which puts tests/ on the path


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
    except (SetupError, DownloadError) as error:
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
            tree = unpack_sdist(sdists[lib.name], work / lib.name / "sdist")
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


if __name__ == "__main__":
    sys.exit(main())
