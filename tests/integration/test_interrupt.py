"""Ctrl-C while `testgap fix` or `testgap generate` runs the project's tests:
the terminal's signal reaches testgap but not the test processes it started
in their own process groups, so testgap must stop them itself."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.binary import find_testgap
from support.processes import HANGING_TEST, child_env, gone


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_fix_stops_the_tests_it_runs(tmp_path: Path, sig: int, code: int):
    (tmp_path / "tests").mkdir()
    test_file = tmp_path / "tests" / "test_hangs.py"
    test_file.write_text(HANGING_TEST, encoding="utf-8")
    before = test_file.read_bytes()
    proc = subprocess.Popen(
        [str(find_testgap()), "fix", "--python", sys.executable, "tests/test_hangs.py::test_waits_forever"],
        cwd=tmp_path,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pid_file = tmp_path / "tests" / "running.pid"
        deadline = time.monotonic() + 60
        while not pid_file.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the test never started"
            time.sleep(0.05)
        test_pid = int(pid_file.read_text())
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=5)
        assert proc.returncode == code, stderr
        assert "interrupted; stopped the 1 run(s) in progress" in stderr
        deadline = time.monotonic() + 5
        while not gone(test_pid):
            assert time.monotonic() < deadline, "the test process outlived testgap"
            time.sleep(0.05)
        assert test_file.read_bytes() == before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
