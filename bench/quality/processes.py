"""Running a command as the benchmark does (timed, in its own process
group, killed with the group on timeout), and saying what it is doing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.processes import child_env

from quality import REPO


@dataclass
class Ran:
    """What one command did, and how long it took."""

    args: list[str]
    returncode: int  # -9 after a timeout
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False

    def describe(self, limit: int = 2000) -> str:
        return (
            f"$ {' '.join(self.args)}\nexit status {self.returncode}"
            f"{' (timed out)' if self.timed_out else ''}\n"
            f"--- stdout\n{self.stdout[-limit:]}\n--- stderr\n{self.stderr[-limit:]}"
        )


def run(cmd: list[Any], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 300) -> Ran:
    """Runs a command in its own process group, killed with the group on
    timeout; the wall time is the whole process's."""
    args = [str(c) for c in cmd]
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=env if env is not None else child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        timed_out = True
    seconds = time.perf_counter() - started
    return Ran(args, -9 if timed_out else proc.returncode, out, err, seconds, timed_out)


def step(message: str) -> None:
    """A progress line on stderr (stdout carries the results)."""
    print(f"\n== {message}", file=sys.stderr, flush=True)


def rel(path: Path) -> str:
    """`path` relative to the repository where it lies inside it."""
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)
