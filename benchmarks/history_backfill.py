"""History backfill and a night's fixed cost, through the CLI as a user runs it: every command is a process
of its own, in a fresh home, against the sandbox served on 127.0.0.1.

- ``python -m sandbox.demo --days 14`` (``make demo``) against ``--days 1``;
- a year of the 300-customer company as one ``touchpoints run``, with each stage's share;
- one nightly ``touchpoints run`` after a week of history, with where its time goes.

A stage's time is its Airflow task instances' time (from the run's metadata database); what is left of
the command's wall time is the CLI's own (interpreter and imports, metadata database, DAG parse, summary).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.scale_data import sandbox_company

CUSTOMERS = 300
WEEK_START = date(2026, 11, 1)
YEAR_START = date(2025, 11, 1)
DEMO = "sandbox.demo"
STAGES = ("land_", "validate_landed", "source_freshness", "dbt_build", "validate_marts", "publish", "docs")


def _command(home: Path, *args: str, module: str = "touchpoints.cli") -> float:
    """Run ``python -m <module> <args>`` in a fresh process with ``home`` as its home; its wall seconds."""
    env = {
        **os.environ,
        "TOUCHPOINTS_HOME": str(home),
        "TOUCHPOINTS_DUCKDB_PATH": str(home / "warehouse" / "touchpoints.duckdb"),
    }
    env.pop("AIRFLOW_HOME", None)
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", module, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"python -m {module} {' '.join(args)} failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return seconds


def _stage_seconds(home: Path) -> dict[str, float]:
    """Seconds per stage of the home's newest DAG run, from its task instances."""
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        (run_id,) = db.execute("select run_id from dag_run order by id desc limit 1").fetchone()
        rows = db.execute(
            "select task_id, (julianday(end_date) - julianday(start_date)) * 86400 from task_instance "
            "where run_id = ?",
            [run_id],
        ).fetchall()
    seconds: dict[str, float] = defaultdict(float)
    for task_id, duration in sorted(
        rows, key=lambda row: STAGES.index(next(s for s in STAGES if row[0].startswith(s)))
    ):
        seconds[task_id.replace("land_", "extract ") if task_id.startswith("land_") else task_id] += (
            duration or 0.0
        )
    return dict(seconds)


def _shares(title: str, wall: float, stages: dict[str, float]) -> Table:
    table = Table(title=title)
    for column in ("stage", "seconds", "share"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage, seconds in [*stages.items(), ("outside the DAG run (CLI)", wall - sum(stages.values()))]:
        table.add_row(stage, f"{seconds:.1f}", f"{seconds / wall:.0%}")
    table.add_row("[b]command, end to end[/b]", f"[b]{wall:.1f}[/b]", "100%")
    return table


def demo_days(work: Path) -> Table:
    one = _command(work / "demo-1", "--days", "1", module=DEMO)
    fourteen = _command(work / "demo-14", "--days", "14", module=DEMO)
    table = Table(title="python -m sandbox.demo, each from a fresh home")
    for column in ("command", "seconds"):
        table.add_column(column)
    table.add_row("demo --days 1", f"{one:.1f}")
    table.add_row("demo --days 14", f"{fourteen:.1f}")
    table.add_row("--days 14 / --days 1", f"[b]{fourteen / one:.2f}x[/b] (aim: at most 2x)")
    return table


def one_year(work: Path) -> Table:
    home, last = work / "year", YEAR_START + timedelta(days=364)
    with sandbox_company(work / "year-sandbox", CUSTOMERS, YEAR_START, 365, seed=7):
        wall = _command(home, "run", "--start", YEAR_START.isoformat(), "--end", last.isoformat())
    return _shares(
        f"365 days ({YEAR_START} to {last}) of the {CUSTOMERS}-customer company, one range run "
        f"(aim: under 10 minutes)",
        wall,
        _stage_seconds(home),
    )


def one_night(work: Path) -> Table:
    home, night = work / "nightly", WEEK_START + timedelta(days=7)
    with sandbox_company(work / "nightly-sandbox", CUSTOMERS, WEEK_START, 8, seed=7):
        _command(
            home, "run", "--start", WEEK_START.isoformat(), "--end", (night - timedelta(days=1)).isoformat()
        )
        wall = _command(home, "run", "--start", night.isoformat(), "--end", night.isoformat())
    return _shares(
        f"one nightly run ({night}) after a week of history (aim: at most 20 s)", wall, _stage_seconds(home)
    )


def main(year: bool = True) -> None:
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        console.print(one_night(work))
        console.print(demo_days(work))
        if year:
            console.print(one_year(work))


if __name__ == "__main__":
    main(year="--no-year" not in sys.argv)
