"""Peak memory and CPU time of processes, from the kernel's own accounting (procfs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def peak_rss_mb(pid: int, proc: Path = Path("/proc")) -> float | None:
    """The peak resident set size of a running process so far, in MiB.

    Args:
        pid: The process.
        proc: Where procfs is mounted (tests point it elsewhere).

    Returns:
        ``VmHWM`` in MiB, or ``None`` if the process is gone or the kernel does not say.
    """
    try:
        status = (proc / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            kib = int(line.split()[1])
            return round(kib / 1024, 1)
    return None


def peak_memory(pids: Mapping[str, int], proc: Path = Path("/proc")) -> dict[str, float]:
    """The peak RSS in MiB of each named process that is still running.

    Args:
        pids: Process IDs by part name, e.g. ``Stack.pids()``.
        proc: Where procfs is mounted.

    Returns:
        MiB by part name, sorted by name; processes already gone are left out.
    """
    peaks = {name: peak_rss_mb(pid, proc) for name, pid in sorted(pids.items())}
    return {name: peak for name, peak in peaks.items() if peak is not None}


def cpu_seconds(pid: int, proc: Path = Path("/proc")) -> float | None:
    """The CPU time (user and system) a running process has used so far, in seconds.

    Args:
        pid: The process.
        proc: Where procfs is mounted.

    Returns:
        The seconds, or ``None`` if the process is gone.
    """
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses; the fields after the last ')' do not.
    fields = stat.rpartition(")")[2].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def cpu_usage(pids: Mapping[str, int], proc: Path = Path("/proc")) -> dict[str, float]:
    """The CPU seconds used so far by each named process that is still running."""
    used = {name: cpu_seconds(pid, proc) for name, pid in sorted(pids.items())}
    return {name: seconds for name, seconds in used.items() if seconds is not None}
