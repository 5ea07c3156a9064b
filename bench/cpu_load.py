"""How much CPU other processes used while a benchmark measured."""

from __future__ import annotations

import os
import resource
import time


class OtherLoad:
    """CPU time other processes used while we measured (Linux only): all busy
    time in /proc/stat less our own and our children's, added up over the
    windows measured (`start` … `stop`). Timings taken on a busy machine are
    disturbed, and this says by how much."""

    def __init__(self) -> None:
        self.other = 0.0
        self.wall = 0.0
        self.available = True
        self._start = None

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat", encoding="ascii") as fh:
                fields = [int(v) for v in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal: all but idle and iowait.
        busy = sum(fields[:3]) + sum(fields[5:8])
        own = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            own += usage.ru_utime + usage.ru_stime
        return time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), own

    def start(self) -> None:
        """Opens a window."""
        self._start = self._sample()
        self.available = self.available and self._start is not None

    def stop(self) -> None:
        """Closes the open window and adds it up."""
        end = self._sample()
        if self._start is None or end is None:
            self.available = False
            return
        self.wall += end[0] - self._start[0]
        self.other += max(0.0, (end[1] - self._start[1]) - (end[2] - self._start[2]))
        self._start = None

    def share(self) -> float | None:
        """Fraction of all CPUs that other processes kept busy in the windows
        (a window still open is closed first); None where it cannot be told."""
        if self._start is not None:
            self.stop()
        if not self.available or self.wall <= 0:
            return None
        return self.other / (self.wall * (os.cpu_count() or 1))
