"""Benchmarks: ratios printed by ``make bench``, never asserted in tests."""

from pathlib import Path


def peak_rss_mib() -> float:
    """This process's peak resident memory since its exec (``VmHWM``; ``ru_maxrss`` would count the
    parent's memory at fork time too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
