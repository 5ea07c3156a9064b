"""Fixtures of the `testgap generate` suite.

Each project is copied to a temporary directory, measured with the real
coverage.py, and given to `testgap generate --write` once per session; the
tests then inspect what was written and run it in fresh processes.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# tests/, for the shared `support` package (see its docstring).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from gen_support import Generated, copy_example, generate, snapshot  # noqa: E402

from support.fixtures import _testgap_is_built  # noqa: E402, F401
from support.measure import coverage_data  # noqa: E402
from support.processes import child_env  # noqa: E402
from support.pypi import BOLTONS, fetch, pypi_cache, unpack_sdist  # noqa: E402


@dataclass
class GeneratedProject:
    """A project before and after `testgap generate --write`."""

    root: Path
    result: Generated
    seconds: float
    before_files: dict[str, str]
    after_files: dict[str, str]
    # Test files as they were before the run (None: did not exist).
    previous: dict[str, str | None] = field(default_factory=dict)
    coverage_before: dict[str, Any] | None = None
    # testgap's own temporary directory for the run (TMPDIR).
    tmpdir: Path | None = None
    home: Path | None = None

    def written(self) -> list[str]:
        return [
            m["edit"]["rel"]
            for m in self.result.report()["modules"]
            if m.get("edit") and m.get("written")
        ]


def generate_into(root: Path, scratch: Path, *args: str, coverage_before: dict | None = None) -> GeneratedProject:
    """Runs `testgap generate --write --format json ARGS` on `root` with its
    own TMPDIR and HOME, so stray files would show."""
    tmpdir = scratch / "tmpdir"
    home = scratch / "home"
    tmpdir.mkdir(parents=True)
    home.mkdir(parents=True)
    tests_dir = root / "tests"
    previous = {}
    if tests_dir.is_dir():
        for path in tests_dir.glob("test_*.py"):
            previous[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    before = snapshot(root)
    env = child_env(TMPDIR=str(tmpdir), HOME=str(home))
    started = time.monotonic()
    result = generate(root, "--write", "--format", "json", *args, env=env)
    seconds = time.monotonic() - started
    return GeneratedProject(
        root=root,
        result=result,
        seconds=seconds,
        before_files=before,
        after_files=snapshot(root),
        previous=previous,
        coverage_before=coverage_before,
        tmpdir=tmpdir,
        home=home,
    )


@pytest.fixture(scope="session")
def shop(tmp_path_factory) -> GeneratedProject:
    """examples/shop with its own tests measured, then `generate --all`."""
    base = tmp_path_factory.mktemp("shop")
    root = copy_example(base / "shop")
    (root / "coverage.json").unlink(missing_ok=True)
    before = coverage_data(root, data_file=base / "before.coverage")
    shutil.copy(base / "before.json", root / "coverage.json")
    (base / "before.json").unlink()
    return generate_into(root, base / "scratch", "--all", coverage_before=before)


@pytest.fixture(scope="session")
def boltons(tmp_path_factory) -> GeneratedProject:
    """boltons 25.0.0 without its tests of strutils and mathutils, then
    `generate` for those two modules."""
    base = tmp_path_factory.mktemp("boltons")
    root = unpack_sdist(fetch(BOLTONS, pypi_cache()), base / "sdist")
    for name in ("test_strutils.py", "test_mathutils.py"):
        (root / "tests" / name).unlink()
    return generate_into(root, base / "scratch", "boltons/strutils.py", "boltons/mathutils.py")
