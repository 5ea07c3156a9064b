"""What every Python suite of testgap (and the benchmarks) shares, once.

- `processes`: the environment of child processes, running them, describing
  what they did, telling whether one is gone;
- `binary`: finding the testgap binary under test and running it;
- `pypi`: pinned downloads from PyPI (sdists and wheels) and unpacking them;
- `measure`: running a project's tests under the real coverage.py;
- `source`: Python source as `ast` and an LSP client see it (lines, `def`s);
- `fixtures`: the check that the binary is built, as a pytest fixture.

Only `fixtures` imports pytest; the rest is the standard library, so that
the benchmark scripts under bench/ can use it with a plain `python3`.

Each suite's conftest.py puts this folder's parent (tests/) on `sys.path`
itself: pytest's rootdir moves with the suites given (tests/lsp has its own
pytest.ini), so no single place is loaded in every run. This package has no
test module, so pytest collects nothing from it.
"""

from pathlib import Path

# The repository (tests/support/__init__.py is two folders below it), and the
# example project it ships.
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop"
