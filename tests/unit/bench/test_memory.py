"""Peak memory and CPU time, read from procfs."""

from __future__ import annotations

import os
from pathlib import Path

from onething.bench.memory import cpu_seconds, cpu_usage, peak_memory, peak_rss_mb

STATUS = "Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t  102400 kB\n"
# pid (comm) state ppid ... field 14 utime, field 15 stime, in clock ticks.
STAT = "42 (a (strange) name) S 1 42 42 0 -1 4194304 10 0 0 0 {utime} {stime} 0 0 20 0 1 0 5 0 0"


def _proc(tmp_path: Path, pid: int, *, utime: int = 0, stime: int = 0) -> Path:
    (tmp_path / str(pid)).mkdir()
    (tmp_path / str(pid) / "status").write_text(STATUS)
    (tmp_path / str(pid) / "stat").write_text(STAT.format(utime=utime, stime=stime))
    return tmp_path


def test_peak_rss_is_vmhwm_in_mib(tmp_path: Path) -> None:
    proc = _proc(tmp_path, 42)

    assert peak_rss_mb(42, proc) == 150.0


def test_processes_that_are_gone_are_left_out(tmp_path: Path) -> None:
    proc = _proc(tmp_path, 42)

    assert peak_rss_mb(43, proc) is None
    assert peak_memory({"worker": 42, "gone": 43}, proc) == {"worker": 150.0}


def test_cpu_time_is_user_plus_system(tmp_path: Path) -> None:
    ticks = os.sysconf("SC_CLK_TCK")
    proc = _proc(tmp_path, 42, utime=3 * ticks, stime=ticks)

    assert cpu_seconds(42, proc) == 4.0
    assert cpu_usage({"worker": 42, "gone": 43}, proc) == {"worker": 4.0}


def test_this_process_has_a_peak_and_a_cpu_time() -> None:
    peak = peak_rss_mb(os.getpid())
    used = cpu_seconds(os.getpid())

    assert peak is not None
    assert peak > 0
    assert used is not None
    assert used > 0
