"""The real libraries the scenarios change: pure-Python projects from PyPI,
pinned by version and by the sha256 of their sdist, whose sdists ship their
own test suites (pytest style, a few seconds for the whole suite).

Each gets the pytest settings it needs in the suite's venv and nothing else:
its code and its tests are as released.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fix_support import Project

from support.processes import UNRELATED_PLUGINS
from support.pypi import BOLTONS, Download


@dataclass(frozen=True)
class Library:
    download: Download
    # Adapts the project's pytest configuration to the suite's venv.
    configure: Callable[[Project], None]

    @property
    def name(self) -> str:
        return self.download.name


def _boltons(p: Project) -> None:
    p.replace("pyproject.toml", "[tool.pytest.ini_options]\n", f'[tool.pytest.ini_options]\naddopts = "{UNRELATED_PLUGINS}"\n')


def _toolz(p: Project) -> None:
    # toolz lists its options one a line; its tests live in toolz/tests.
    plugins = ", ".join(f'"{option}"' for option in UNRELATED_PLUGINS.split())
    p.replace("pyproject.toml", "addopts = [\n", f"addopts = [\n  {plugins},\n")


def _marshmallow(p: Project) -> None:
    # A src layout: its developers install it in their environment; the
    # suite's venv is shared by every scenario, so pytest puts src/ on the
    # path instead.
    p.replace(
        "pyproject.toml",
        "[tool.pytest.ini_options]\n",
        f'[tool.pytest.ini_options]\naddopts = "{UNRELATED_PLUGINS}"\npythonpath = ["src"]\n',
    )


LIBRARIES: dict[str, Library] = {
    library.name: library
    for library in [
        # ~60 modules, 423 tests in unittest and pytest styles.
        Library(BOLTONS, _boltons),
        # Functional utilities; tests inside the package (toolz/tests).
        Library(
            Download("toolz", "1.2.0", "9667a038e9d6ecba37995e26cb2f59ec6420b6ad8dd9677de59db9b956b08490", sdist=True),
            _toolz,
        ),
        # Serialization schemas; a src layout, shared fixtures in
        # tests/conftest.py; its tests need simplejson
        # (tests/requirements-fix.txt).
        Library(
            Download(
                "marshmallow", "4.4.0", "9e6ffa8511012ca89732324c1c253efd7b4d35632dcbdf80aa793fe01804af3e", sdist=True
            ),
            _marshmallow,
        ),
    ]
}
