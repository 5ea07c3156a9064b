"""Fixtures of the `testgap fix` scenario suite.

Each library is fetched once (pinned by sha256, cached between runs) and
unpacked once per session, the first time a scenario asks for it; every
scenario works on its own copy in its own git repository, committed before
the change so that git can tell what changed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

# tests/, for the shared `support` package (see its docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from fix_support import OUTCOMES, Project, copy_tree, save_outcomes, summary_table  # noqa: E402
from libraries import LIBRARIES  # noqa: E402

from support.fixtures import _testgap_is_built  # noqa: E402, F401
from support.pypi import fetch, pypi_cache, unpack_sdist  # noqa: E402


@pytest.fixture(scope="session")
def released(tmp_path_factory) -> Callable[[str], Path]:
    """A library's sdist as released, committed to a git repository
    (read-only), by name."""
    unpacked: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in unpacked:
            library = LIBRARIES[name]
            root = unpack_sdist(fetch(library.download, pypi_cache()), tmp_path_factory.mktemp(f"sdist-{name}"))
            project = Project(root)
            library.configure(project)
            project.git("init", "-q", "-b", "main")
            project.commit(f"{name} as released")
            unpacked[name] = root
        return unpacked[name]

    return get


@pytest.fixture
def new_project(released, tmp_path) -> Callable[[str], Project]:
    """A private copy of a released library and its repository."""

    def make(library: str = "boltons") -> Project:
        root = tmp_path / "project"
        copy_tree(released(library), root)
        return Project(root)

    return make


def pytest_terminal_summary(terminalreporter):
    if not OUTCOMES:
        return
    terminalreporter.section("testgap fix: scenarios by root cause")
    terminalreporter.write_line(summary_table(OUTCOMES))
    target = os.environ.get("TESTGAP_FIX_BENCH_JSON")
    if target:
        used = sorted({o.library for o in OUTCOMES})
        save_outcomes(Path(target), {name: LIBRARIES[name].download.version for name in used})
