"""Fixtures of the `testgap fix` scenario suite.

Each library is fetched once (pinned by sha256, cached between runs) and
unpacked once per session, the first time a scenario asks for it; every
scenario works on its own copy in its own git repository, committed before
the change so that git can tell what changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fix_support import OUTCOMES, REPO, Project, copy_tree, save_outcomes, summary_table
from libraries import LIBRARIES
from support import fetch, find_testgap, unpack_sdist


@pytest.fixture(scope="session", autouse=True)
def _testgap_is_built():
    try:
        find_testgap()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def released(tmp_path_factory) -> Callable[[str], Path]:
    """A library's sdist as released, committed to a git repository
    (read-only), by name."""
    configured = os.environ.get("TESTGAP_TEST_CACHE")
    cache = Path(configured) if configured else REPO / ".venv-test" / "cache"
    unpacked: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in unpacked:
            library = LIBRARIES[name]
            root = unpack_sdist(fetch(library.download, cache / "pypi"), tmp_path_factory.mktemp(f"sdist-{name}"))
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
