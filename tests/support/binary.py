"""The testgap binary under test: finding it and running it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import REPO
from support.processes import run


def binary_path() -> Path:
    """Where the binary under test is: $TESTGAP_BIN, else the debug build
    (it may not be there yet)."""
    configured = os.environ.get("TESTGAP_BIN")
    return Path(configured) if configured else REPO / "target" / "debug" / "testgap"


def find_testgap() -> Path:
    """The binary under test; RuntimeError saying how to build it when it is
    not there."""
    path = binary_path()
    if not path.is_file():
        how = "TESTGAP_BIN points to" if os.environ.get("TESTGAP_BIN") else "TESTGAP_BIN is unset and there is no"
        raise RuntimeError(f"{how} {path}: build it first with `cargo build --bins` (or run tests/run)")
    return path


@dataclass
class Testgap:
    """What one testgap run did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        assert self.returncode in (0, 1), self.explain("expected a report")
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as error:
            raise AssertionError(self.explain(f"stdout is not JSON: {error}")) from None

    def explain(self, what: str) -> str:
        return (
            f"{what}\n$ testgap {' '.join(self.args)}\nexit status {self.returncode}\n"
            f"--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-3000:]}"
        )


def run_testgap(
    *args: str | os.PathLike, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Testgap:
    """Runs the binary; whatever it is asked, it must never panic."""
    proc = run([find_testgap(), *args], cwd, env=env, timeout=timeout)
    result = Testgap([str(a) for a in args], proc.returncode, proc.stdout, proc.stderr)
    assert "panicked" not in result.stderr, result.explain("testgap panicked")
    assert "RUST_BACKTRACE" not in result.stderr, result.explain("testgap panicked")
    assert result.returncode in (0, 1, 2), result.explain("unexpected exit status (a crash?)")
    return result
