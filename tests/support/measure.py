"""A project's tests under the real coverage.py, as a user runs them:
`coverage run --branch -m pytest`, then `coverage json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from support.processes import describe, run

# The exact command testgap suggests when it finds no coverage data.
COVERAGE_COMMAND = "coverage run --branch -m pytest && coverage json"


def coverage_run(
    root: Path,
    *pytest_args: str,
    data_file: Path | None = None,
    report: Path | None = None,
    contexts: bool = False,
    failures_ok: bool = False,
) -> None:
    """Measures the tests of `root` with branch coverage and writes the JSON
    report: where the project's configuration says unless `report` is given,
    with each line's test contexts when `contexts`. A failing test raises
    RuntimeError unless `failures_ok` (what matters then is the data)."""
    data = [f"--data-file={data_file}"] if data_file else []
    proc = run(
        [sys.executable, "-m", "coverage", "run", "--branch", *data, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *pytest_args],
        root,
    )
    if proc.returncode not in ((0, 1) if failures_ok else (0,)):
        raise RuntimeError("the project's tests failed under coverage\n" + describe(proc))
    options = [*data, *(["-o", report] if report else []), *(["--show-contexts"] if contexts else [])]
    proc = run([sys.executable, "-m", "coverage", "json", "-q", *options], root)
    if proc.returncode != 0:
        raise RuntimeError("coverage json failed\n" + describe(proc))


def coverage_data(root: Path, *pytest_args: str, data_file: Path | None = None) -> dict[str, Any]:
    """`coverage_run` with the data and the report outside the project (next
    to it, unless `data_file` says where), so that the project is left as it
    was; returns the report."""
    data = data_file or root.parent / f"{root.name}.coverage"
    report = data.with_suffix(".json")
    coverage_run(root, *pytest_args, data_file=data, report=report)
    return json.loads(report.read_text(encoding="utf-8"))
