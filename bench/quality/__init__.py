"""Benchmark E: the quality of the tests `testgap generate` writes, against
Hypothesis's ghostwriter (bench/generate_quality.py is the command).

- `data`: the libraries and modules measured, the pinned tools, the goals;
- `processes`: running a command timed, in its own process group;
- `prepare`: the tools' venv, the sdists, the copies of a library;
- `run`: both tools on one module, and what pytest and coverage.py say of
  the files they wrote;
- `report`: the tables, the goals' verdicts and the JSON document.
"""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
REPO = BENCH.parent

# The test suites' shared helpers (tests/support: child processes, pinned
# downloads) serve the benchmarks too.
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))
