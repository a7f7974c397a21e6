"""Benchmarks: ratios printed by ``make bench``, never asserted in tests."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any


def peak_rss_mib() -> float:
    """This process's peak resident memory since its exec (``VmHWM``; ``ru_maxrss`` would count the
    parent's memory at fork time too)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_stage(stage: str, home: Path, day: date | None = None) -> dict[str, Any]:
    """One stage (``benchmarks/stage.py``) in a child process: its seconds, peak RSS (MiB) and count."""
    args = [sys.executable, "-m", "benchmarks.stage", stage, str(home)] + ([day.isoformat()] if day else [])
    completed = subprocess.run(args, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark stage {stage} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
