"""Before measuring: the tools' venv, the pinned sdists, and the copies of a
library the two tools work in."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from support.processes import child_env
from support.pypi import fetch, pypi_cache

from quality import REPO
from quality.data import VENV_PINS, Library
from quality.processes import rel, run, step


class SetupError(Exception):
    """The venv or a library could not be made ready."""


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path) -> Path:
    """OUT/gq-venv with exactly VENV_PINS, made (again) when the pins changed."""
    marker = venv / "gq-pins.txt"
    wanted = "\n".join(VENV_PINS) + "\n"
    python = venv_python(venv)
    if python.exists() and marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        probe = run([python, "-c", "import pytest, coverage, hypothesis, black, click"], venv, timeout=120)
        if probe.returncode == 0:
            return python
    step(f"making {rel(venv)} ({', '.join(p for p in VENV_PINS[:4])}, ...)")
    proc = run([sys.executable, "-m", "venv", "--clear", venv], REPO, timeout=600)
    if proc.returncode != 0:
        raise SetupError("could not create the venv\n" + proc.describe())
    proc = run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *VENV_PINS],
        REPO,
        env=child_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        timeout=1200,
    )
    if proc.returncode != 0:
        raise SetupError("pip install of the pinned tools failed\n" + proc.describe())
    marker.write_text(wanted, encoding="utf-8")
    return python


def fetch_sdist(lib: Library, cache: Path, python: Path) -> Path:
    """The pinned sdist: from the cache (or the test suite's cache), else
    (once) from PyPI through pip, checked against its sha256."""
    return fetch(lib.download, cache, python=python, also_in=(pypi_cache(),))


def prepare_copy(sdist_tree: Path, dest: Path, lib: Library) -> Path:
    """A copy of the library without its own tests of the chosen modules."""
    shutil.copytree(sdist_tree, dest, symlinks=True)
    for module in lib.modules:
        for test in module.remove:
            path = dest / test
            if not path.is_file():
                raise SetupError(f"{lib.name} {lib.version} has no {test} to remove")
            path.unlink()
    return dest


def import_roots(root: Path) -> list[Path]:
    """Where the library imports from, as testgap decides it: the root, and
    `src/` (or `lib/`) when the packages live there."""
    out = [root]
    for name in ("src", "lib"):
        folder = root / name
        if folder.is_dir() and not (folder / "__init__.py").exists():
            out.append(folder)
    return out


def project_env(root: Path, *more: Path) -> dict[str, str]:
    return child_env(PYTHONPATH=os.pathsep.join(str(p) for p in [*import_roots(root), *more]))
