"""A self-contained Airflow for the CLI and tests: SQLite metadata under TOUCHPOINTS_HOME, our dags/."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from touchpoints.config import DAGS_DIR, WAREHOUSE_POOL, Paths
from touchpoints.run_days import RunDays

DAG_ID = "touchpoints_nightly"


def configure_airflow(paths: Paths) -> None:
    """Default Airflow settings for a local run; anything already set in the environment wins."""
    paths.airflow_home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "AIRFLOW_HOME": str(paths.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


POOL_ARGS = (WAREHOUSE_POOL, "1", "Serialises the steps that write the DuckDB warehouse")


def _at_head() -> bool:
    """Whether the metadata database exists and has every migration of the installed Airflow."""
    from airflow.utils.db import check_migrations

    try:
        check_migrations(timeout=0)
    except Exception:  # a missing, empty or older database: migrate it
        return False
    return True


def _pool_exists() -> bool:
    from airflow.models.pool import Pool

    return Pool.get_pool(WAREHOUSE_POOL) is not None


def migrate_metadata_db() -> None:
    """``airflow db migrate`` and the warehouse pool, when the database lacks either: creates or upgrades
    the metadata database (idempotent; an up-to-date one is only checked, in-process)."""
    for needed, command in ((_at_head, ("db", "migrate")), (_pool_exists, ("pools", "set", *POOL_ARGS))):
        if needed():
            continue
        done = subprocess.run([sys.executable, "-m", "airflow", *command], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"`airflow {' '.join(command)}` failed (exit {done.returncode}):\n{done.stderr.strip()[-2000:]}"
            )


def load_dag() -> Any:
    """The nightly DAG, parsed from dags/ the way the dag-processor does."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[DAG_ID]


def run_day(dag: Any, day: date) -> str:
    """Run the DAG for one logical date in-process, as a scheduled run of that day would (``airflow dags
    test``); return the run's final state."""
    return str(dag.test(logical_date=datetime.combine(day, time(), tzinfo=UTC)).state)


def run_range(dag: Any, days: RunDays) -> Any:
    """Run the DAG once for every day of ``days``, in-process (``dag.test`` with the range as its conf);
    return the finished DagRun.

    The run's logical date is now, not the range: Airflow creates no task for a logical date before the
    DAG's start date (``TOUCHPOINTS_START_DATE``, where the scheduler's catchup begins), and a run with no
    task would end "successful".
    """
    now = datetime.now(UTC)
    if dag.start_date:
        RunDays.check_scheduler_start(dag.start_date.date(), now.date())
    return dag.test(logical_date=now, run_conf=days.conf())


@dataclass(frozen=True)
class RunResult:
    """What a finished DAG run did, task by task: it succeeded only if every task of the DAG did."""

    run_id: str
    state: str
    task_states: dict[str, str]

    @property
    def not_succeeded(self) -> dict[str, str]:
        return {task: state for task, state in self.task_states.items() if state != "success"}

    @property
    def success(self) -> bool:
        return self.state == "success" and not self.not_succeeded


def run_result(dag: Any, run: Any) -> RunResult:
    """Every task of ``dag`` in ``run`` with its state (``not run`` for a task the run never created)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state).where(
                TaskInstance.dag_id == dag.dag_id, TaskInstance.run_id == run.run_id
            )
        ).all()
    states = {task_id: "not run" for task_id in dag.task_ids}
    states.update(
        {task_id: str(state.value if hasattr(state, "value") else state) for task_id, state in rows}
    )
    return RunResult(run.run_id, str(run.state), states)
