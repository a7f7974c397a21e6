"""How long parsing dags/touchpoints_nightly.py takes in a fresh interpreter (the dag-processor's cost),
next to importing Airflow's task SDK alone: the DAG file's own share is the difference."""

from __future__ import annotations

import statistics
import subprocess
import sys

from rich.console import Console
from rich.table import Table

from touchpoints.config import DAGS_DIR

SDK_ONLY = "import time; t = time.perf_counter(); import airflow.sdk; print(time.perf_counter() - t)"
WITH_DAG = (
    "import time, runpy, sys; t = time.perf_counter(); import airflow.sdk; s = time.perf_counter();"
    "runpy.run_path(sys.argv[1]); print(time.perf_counter() - s)"
)


def _median_seconds(code: str, *args: str, runs: int = 3) -> float:
    samples = [
        float(
            subprocess.run(
                [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
            ).stdout.split()[-1]
        )
        for _ in range(runs)
    ]
    return statistics.median(samples)


def main() -> None:
    sdk = _median_seconds(SDK_ONLY)
    dag_file = _median_seconds(WITH_DAG, str(DAGS_DIR / "touchpoints_nightly.py"))
    table = Table(title="parsing the DAG file (median of 3 fresh interpreters)")
    table.add_column("what")
    table.add_column("seconds")
    table.add_row("import airflow.sdk", f"{sdk:.3f}")
    table.add_row("touchpoints_nightly.py on top of it", f"{dag_file:.3f}")
    Console().print(table)
