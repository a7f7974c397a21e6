"""Airflow's cost per nightly run: one day of a sandbox company (extract through docs) run as one DAG
run under Airflow (``dag.test``, as ``touchpoints run`` runs it) and called straight in one process,
each in a fresh home and a process of its own. The difference is what Airflow adds to a run."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import run_stage
from benchmarks.scale_data import sandbox_company

DAY = date(2026, 1, 15)


def main(customers: int) -> None:
    os.environ["TOUCHPOINTS_START_DATE"] = DAY.isoformat()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with sandbox_company(work / "sandbox", customers, DAY, 1, seed=7):
            direct = run_stage("nightly_direct", work / "direct", DAY)
            airflow = run_stage("nightly_airflow", work / "airflow", DAY)
    overhead = airflow["seconds"] - direct["seconds"]
    table = Table(title=f"one nightly run of a {customers:,}-customer company: Airflow against direct calls")
    for column in ("run", "seconds", "peak MiB"):
        table.add_column(column)
    table.add_row(
        "the pipeline's steps called directly", f"{direct['seconds']:.1f}", f"{direct['peak_rss_mib']:.0f}"
    )
    table.add_row("one DAG run (dag.test)", f"{airflow['seconds']:.1f}", f"{airflow['peak_rss_mib']:.0f}")
    table.add_row("Airflow / direct", f"{airflow['seconds'] / direct['seconds']:.2f}x", "")
    table.add_row(
        f"overhead per task instance ({airflow['count']})", f"{overhead / airflow['count']:.2f}", ""
    )
    Console().print(table)
