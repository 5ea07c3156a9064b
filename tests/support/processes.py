"""Child processes: their environment, running them, reading what they did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Settings of the outer run that would change what pytest, coverage.py,
# Hypothesis, pip or testgap do in a child: by prefix, and by name.
_DROPPED_PREFIXES = ("COVERAGE_", "PYTEST_", "HYPOTHESIS_", "RUST_BACKTRACE", "RUST_LOG")
_DROPPED_NAMES = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NO_COLOR", "CLICOLOR_FORCE", "FORCE_COLOR")

# The suites' venv also carries the LSP suite's pytest plugins; a project's
# own pytest runs block them (in their command line or configuration), or
# loading them would double the time of every run.
UNRELATED_PLUGINS = "-p no:pytest-lsp -p no:asyncio"

# A test that records its process id next to itself and never ends: for
# checking that whoever runs it stops it.
HANGING_TEST = """\
import os
import time
from pathlib import Path


def test_waits_forever():
    Path(__file__).with_name("running.pid").write_text(str(os.getpid()))
    time.sleep(600)
    assert False
"""


def child_env(**extra: str) -> dict[str, str]:
    """The environment for child processes, without settings of the outer run
    that would change what they do, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_DROPPED_PREFIXES) and key not in _DROPPED_NAMES
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run(
    cmd: list[str | os.PathLike], cwd: Path, *, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Runs `cmd` in `cwd` with no stdin, capturing its text output; the
    environment is `child_env()` unless given."""
    return subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        env=env if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def run_pytest(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The user's own `python -m pytest -q ARGS` in `root` (its cache on, as
    usual), with this suite's interpreter."""
    return run([sys.executable, "-m", "pytest", "-q", *UNRELATED_PLUGINS.split(), *args], root, timeout=timeout)


def describe(proc: subprocess.CompletedProcess, limit: int = 6000) -> str:
    """A finished process for a failure message: its command, exit status and
    the last `limit` characters of each output."""
    return (
        f"$ {' '.join(map(str, proc.args))}\n"
        f"exit status {proc.returncode}\n--- stdout\n{proc.stdout[-limit:]}\n--- stderr\n{proc.stderr[-limit:]}"
    )


def gone(pid: int) -> bool:
    """Whether a process is gone (or a zombie waiting for a parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"
