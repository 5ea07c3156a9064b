"""Fixtures of the integration suite.

Each fixture project is copied to a temporary directory and run under the real
coverage.py once per session; tests that change files work on a further copy.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

# tests/, for the shared `support` package (see its docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from integration_support import (  # noqa: E402
    GENERATED,
    LIBRARY,
    LIBRARY_NAME,
    PROJECTS,
    Project,
    ignore_generated,
)

from support import EXAMPLE  # noqa: E402
from support.binary import Testgap, binary_path, run_testgap  # noqa: E402
from support.fixtures import _testgap_is_built  # noqa: E402, F401
from support.measure import coverage_run  # noqa: E402
from support.pypi import fetch, pypi_cache, unpack_sdist  # noqa: E402

# name → (source, report path relative to the root, packages, package dir)
SPECS: dict[str, tuple[Path, str, tuple[str, ...], str]] = {
    "flat": (PROJECTS / "flat", "coverage.json", ("ledger",), ""),
    "srclayout": (PROJECTS / "srclayout", "reports/cov.json", ("weatherkit",), "src"),
    "unittest_style": (PROJECTS / "unittest_style", "build/coverage.json", ("notify",), ""),
    "shop": (EXAMPLE, "coverage.json", ("shop",), ""),
}
BIG_MODULE_LINES = 50_000


def pytest_report_header(config):
    return f"testgap binary: {binary_path()}"


class Projects:
    """Fixture projects, each run under coverage at most once per session."""

    def __init__(self, base: Path, cache: Path) -> None:
        self.base = base
        self.cache = cache
        self._projects: dict[str, Project] = {}
        self._audits: dict[tuple[str, ...], Testgap] = {}

    def get(self, name: str) -> Project:
        if name not in self._projects:
            self._projects[name] = self._build(name)
        return self._projects[name]

    def audit(self, name: str, *flags: str) -> Testgap:
        """`testgap audit --root ROOT FLAGS`, memoised: treat it as read-only."""
        key = (name, *flags)
        if key not in self._audits:
            project = self.get(name)
            self._audits[key] = run_testgap("audit", "--root", project.root, *flags, cwd=project.root)
        return self._audits[key]

    def _build(self, name: str) -> Project:
        root = self.base / name
        if name in SPECS:
            source, report, packages, package_dir = SPECS[name]
            shutil.copytree(source, root, ignore=ignore_generated)
            project = Project(name, root, root / report, packages, package_dir)
            (root / "coverage.json").unlink(missing_ok=True)  # the example's checked-in one
            coverage_run(root)
        elif name == LIBRARY_NAME:
            # The library's own suite may have a test that fails on some machine;
            # what matters here is the data coverage.py records for it.
            unpacked = unpack_sdist(fetch(LIBRARY, self.cache), self.base / "sdist")
            unpacked.rename(root)
            project = Project(name, root, root / "coverage.json", (LIBRARY_NAME,))
            coverage_run(root, failures_ok=True)
        elif name == GENERATED:
            write_generated_project(root)
            project = Project(name, root, root / "coverage.json", ("gen",))
            coverage_run(root)
        else:
            raise KeyError(name)
        assert project.coverage_json.is_file(), f"coverage.py wrote no {project.coverage_json}"
        project.load()
        return project


def write_generated_project(root: Path) -> None:
    """`gen/big.py`: 50,000 lines of small functions, every fourth one called by
    the tests; `gen/legacy.py`: a Latin-1 file with a coding declaration."""
    (root / "gen").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "gen" / "__init__.py").write_text("")
    lines = ['"""Generated: many small functions."""', ""]
    number = 0
    while len(lines) + 5 <= BIG_MODULE_LINES:
        number += 1
        lines += [
            f"def f{number:05d}(x, limit={number % 7}):",
            "    if x > limit:",
            f"        return x * {number % 13}",
            "    return -x",
            "",
        ]
    while len(lines) < BIG_MODULE_LINES:
        lines.append("")
    (root / "gen" / "big.py").write_text("\n".join(lines) + "\n")
    legacy = (
        "# -*- coding: latin-1 -*-\n"
        '"""Prices of the caf\xe9 (this file is Latin-1, as old files often are)."""\n'
        "\n\n"
        "def price(name):\n"
        '    if name == "caf\xe9 cr\xe8me":\n'
        "        return 3\n"
        "    return 2\n"
    )
    (root / "gen" / "legacy.py").write_bytes(legacy.encode("latin-1"))
    (root / "tests" / "test_gen.py").write_text(
        "from gen import big, legacy\n\n\n"
        "def test_every_fourth_function():\n"
        '    names = sorted(n for n in dir(big) if n.startswith("f"))\n'
        "    for name in names[::4]:\n"
        "        getattr(big, name)(3)\n\n\n"
        "def test_legacy_price():\n"
        '    assert legacy.price("tea") == 2\n'
    )


@pytest.fixture(scope="session")
def projects(tmp_path_factory) -> Projects:
    return Projects(tmp_path_factory.mktemp("projects"), pypi_cache())


@pytest.fixture
def copy_project(projects, tmp_path) -> Callable[[str], Path]:
    """A private copy of a covered project (its coverage data included)."""

    def copy(name: str) -> Path:
        return projects.get(name).copy_to(tmp_path / name)

    return copy
