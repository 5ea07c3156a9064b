"""What benchmark E measures: the libraries and their modules, the pinned
tools, the goals and the time limits."""

from __future__ import annotations

from dataclasses import dataclass

from support.pypi import Download

# The tools, every package pinned (pip freeze of the venv), so two runs use
# the same code. `hypothesis write` needs the `cli` extra (click, black, rich).
VENV_PINS = [
    "pytest==8.4.2",
    "coverage==7.13.0",
    "hypothesis[cli]==6.170.17",
    "black==26.10.1",
    "click==8.5.1",
    "rich==15.0.0",
    "iniconfig==2.3.1",
    "markdown-it-py==4.3.0",
    "mdurl==0.1.2",
    "mypy_extensions==1.2.0",
    "packaging==26.4",
    "pathspec==1.1.1",
    "platformdirs==4.14.8",
    "pluggy==1.7.0",
    "Pygments==2.21.0",
    "pytokens==0.4.1",
    "sortedcontainers==2.4.0",
]


@dataclass(frozen=True)
class Module:
    """A module both tools write tests for."""

    path: str  # in the sdist, e.g. "boltons/strutils.py"
    dotted: str  # its import name
    remove: tuple[str, ...]  # the library's own tests of it


@dataclass(frozen=True)
class Library:
    """A library from PyPI, pinned, and the modules measured in it."""

    name: str
    version: str
    sha256: str  # of the sdist
    modules: tuple[Module, ...]

    @property
    def download(self) -> Download:
        """Its sdist, for support.pypi.fetch."""
        return Download(self.name, self.version, self.sha256, sdist=True)


# Pure-Python libraries that import with no dependency; their sdists ship the
# sources and their tests. Modules were chosen for size and variety, not for
# how well either tool does on them.
LIBRARIES = (
    Library(
        "boltons",
        "25.0.0",
        "e110fbdc30b7b9868cb604e3f71d4722dd8f4dcb4a5ddd06028ba8f1ab0b5ace",
        (
            Module("boltons/strutils.py", "boltons.strutils", ("tests/test_strutils.py",)),
            Module("boltons/mathutils.py", "boltons.mathutils", ("tests/test_mathutils.py",)),
            Module("boltons/formatutils.py", "boltons.formatutils", ("tests/test_formatutils.py",)),
        ),
    ),
    Library(
        "toolz",
        "1.2.0",
        "9667a038e9d6ecba37995e26cb2f59ec6420b6ad8dd9677de59db9b956b08490",
        (
            Module("toolz/itertoolz.py", "toolz.itertoolz", ("toolz/tests/test_itertoolz.py",)),
            Module("toolz/dicttoolz.py", "toolz.dicttoolz", ("toolz/tests/test_dicttoolz.py",)),
            Module("toolz/functoolz.py", "toolz.functoolz", ("toolz/tests/test_functoolz.py",)),
        ),
    ),
    Library(
        "humanize",
        "4.17.0",
        "1d6a36c453dbfbb3f0b34601d2e0b4ce5d48d780305cd45714843f0068fde6ac",
        (
            Module("src/humanize/number.py", "humanize.number", ("tests/test_number.py",)),
            Module("src/humanize/filesize.py", "humanize.filesize", ("tests/test_filesize.py",)),
            Module("src/humanize/time.py", "humanize.time", ("tests/test_time.py",)),
        ),
    ),
    # A one-module library: its module is about the size of the speed goal's.
    Library(
        "inflection",
        "0.5.1",
        "1a29730d366e996aaacffb2f1f1cb9593dc38e2ddd30c91250c6dde09ea9b417",
        (Module("inflection/__init__.py", "inflection", ("test_inflection.py",)),),
    ),
)

# Issue 4, item 10.
GOAL_FN_LINE = 80.0
GOAL_FN_BRANCH = 65.0
GOAL_SECONDS = 5.0
# "A 20-function module": modules with this many targeted functions.
SPEED_FUNCTIONS = (15, 25)

TIMEOUT_GENERATE = 900
TIMEOUT_PYTEST = 600
TIMEOUT_WRITE = 300


# Loaded into the ghostwriter's pytest runs with `-p`: no deadline (a test
# slower than 200 ms under coverage.py on a shared machine is not a fault of
# the test, and would make the count depend on the machine's load) and no
# example database (nothing carried from one run to the next). The tests
# themselves run as written, with every other setting at Hypothesis's default.
HYPOTHESIS_PLUGIN = "gq_hypothesis_settings"
HYPOTHESIS_PLUGIN_SOURCE = """\
from hypothesis import settings

settings.register_profile("generate-quality", deadline=None, database=None)
settings.load_profile("generate-quality")
"""
