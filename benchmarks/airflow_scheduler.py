"""Airflow's cost per nightly run under its real scheduler: yesterday's data of a sandbox company run by
the api-server, scheduler and dag-processor (LocalExecutor, PostgreSQL metadata database; Airflow's
default intervals), as production runs it, against the pipeline's steps called straight in one process.

The run's and every task instance's times come from the metadata database. What Airflow adds is split
into the time between the tasks (the scheduler noticing a finished task and starting the next, each task
process starting and parsing the DAG file: no task runs) and the time inside the tasks beyond the direct
calls (each task's own imports and connections).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import run_stage
from benchmarks.scale_data import sandbox_company
from sandbox.server import free_port
from tests.airflow_services import AirflowServices
from touchpoints.airflow_env import DAG_ID
from touchpoints.config import REPO_ROOT

RUN_TIMEOUT_SECONDS = 1800
Interval = tuple[datetime, datetime]


def busy_seconds(intervals: list[Interval]) -> float:
    """Seconds during which at least one of the intervals is open."""
    busy, open_until = 0.0, None
    for start, end in sorted(intervals):
        if open_until is None or start > open_until:
            busy += (end - start).total_seconds()
            open_until = end
        elif end > open_until:
            busy += (end - open_until).total_seconds()
            open_until = end
    return busy


def scheduled_run(work: Path, day: date) -> tuple[Interval, list[Interval]]:
    """Let the scheduler's catchup run ``day``; the run's (start, end) and each task instance's."""
    home = work / "scheduled"
    tasks_env = {
        "TOUCHPOINTS_HOME": str(home),
        "TOUCHPOINTS_DUCKDB_PATH": str(home / "warehouse" / "touchpoints.duckdb"),
        "TOUCHPOINTS_START_DATE": day.isoformat(),
        "PYTHONPATH": str(REPO_ROOT),
    }
    with AirflowServices(work / "airflow", free_port(), tasks_env, settings={}) as services:
        services.wait_for(
            lambda runs: runs == [("scheduled", day.isoformat(), "success")],
            f"the run of {day}",
            RUN_TIMEOUT_SECONDS,
        )
        [run] = services.query("select start_date, end_date from dag_run where dag_id = %s", (DAG_ID,))
        tasks = services.query(
            "select start_date, end_date from task_instance where dag_id = %s and state = 'success'",
            (DAG_ID,),
        )
    return run, tasks


def main(customers: int) -> None:
    day = datetime.now(UTC).date() - timedelta(days=1)  # catchup schedules exactly this day's run
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with sandbox_company(work / "sandbox", customers, day, 1, seed=7):
            direct = run_stage("nightly_direct", work / "direct", day)
            (run_start, run_end), tasks = scheduled_run(work, day)
    run_seconds = (run_end - run_start).total_seconds()
    in_tasks = busy_seconds(tasks)
    between = run_seconds - in_tasks
    table = Table(
        title=f"one nightly run of a {customers:,}-customer company under the scheduler (LocalExecutor)"
    )
    for column in ("", "seconds", "per task instance"):
        table.add_column(column)
    table.add_row("the pipeline's steps called directly", f"{direct['seconds']:.1f}", "")
    table.add_row(f"the scheduled DAG run ({len(tasks)} task instances)", f"{run_seconds:.1f}", "")
    table.add_row("  with a task running", f"{in_tasks:.1f}", "")
    table.add_row(
        "  between tasks (scheduling, task start-up)", f"{between:.1f}", f"{between / len(tasks):.2f}"
    )
    table.add_row(
        "Airflow / direct",
        f"{run_seconds / direct['seconds']:.2f}x",
        f"{(run_seconds - direct['seconds']) / len(tasks):.2f}",
    )
    Console().print(table)


if __name__ == "__main__":
    main(customers=500)
