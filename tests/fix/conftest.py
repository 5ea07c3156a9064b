"""Fixtures of the `testgap fix` scenario suite.

boltons is fetched once (pinned by sha256, cached between runs) and unpacked
once per session; every scenario works on its own copy in its own git
repository, committed before the change so that git can tell what changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fix_support import OUTCOMES, REPO, UNRELATED_PLUGINS, Project, copy_tree, save_outcomes, summary_table
from support import LIBRARY, fetch, find_testgap, unpack_sdist


@pytest.fixture(scope="session", autouse=True)
def _testgap_is_built():
    try:
        find_testgap()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def released(tmp_path_factory) -> Path:
    """The sdist as released, committed to a git repository (read-only)."""
    configured = os.environ.get("TESTGAP_TEST_CACHE")
    cache = Path(configured) if configured else REPO / ".venv-test" / "cache"
    unpacked = unpack_sdist(fetch(LIBRARY, cache / "pypi"), tmp_path_factory.mktemp("sdist"))
    project = Project(unpacked)
    # The suite's venv also carries the LSP suite's pytest plugins; loading
    # them in every run of boltons' tests would double the suite's time.
    project.replace(
        "pyproject.toml",
        "[tool.pytest.ini_options]\n",
        f'[tool.pytest.ini_options]\naddopts = "{UNRELATED_PLUGINS}"\n',
    )
    project.git("init", "-q", "-b", "main")
    project.commit("boltons as released")
    return unpacked


@pytest.fixture
def new_project(released, tmp_path) -> Callable[[], Project]:
    """A private copy of the released library and its repository."""

    def make() -> Project:
        root = tmp_path / "project"
        copy_tree(released, root)
        return Project(root)

    return make


def pytest_terminal_summary(terminalreporter):
    if not OUTCOMES:
        return
    terminalreporter.section("testgap fix: scenarios by root cause")
    terminalreporter.write_line(summary_table(OUTCOMES))
    target = os.environ.get("TESTGAP_FIX_BENCH_JSON")
    if target:
        save_outcomes(Path(target))
