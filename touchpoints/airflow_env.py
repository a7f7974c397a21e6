"""A self-contained Airflow for the CLI and tests: SQLite metadata under TOUCHPOINTS_HOME, our dags/."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from touchpoints.config import DAGS_DIR, WAREHOUSE_POOL, Paths

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


def migrate_metadata_db() -> None:
    """``airflow db migrate`` and the warehouse pool: creates or upgrades the metadata database (idempotent)."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "airflow", "pools", "set", *POOL_ARGS], check=True, capture_output=True
    )


def load_dag() -> Any:
    """The nightly DAG, parsed from dags/ the way the dag-processor does."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[DAG_ID]


def test_day(dag: Any, day: date) -> Any:
    """Run the DAG for one logical date in-process (``dag.test``); return the finished DagRun."""
    return dag.test(logical_date=datetime.combine(day, time(), tzinfo=UTC))


def run_day(dag: Any, day: date) -> str:
    """Run the DAG for one logical date in-process; return the run's final state."""
    return str(test_day(dag, day).state)


def task_instances_per_run(dag: Any) -> int:
    """How many task instances one run has once the extract tasks are mapped over every entity."""
    from connectors.registry import SOURCES

    mapped = [t for t in dag.tasks if t.task_id.endswith(".extract")]
    return len(dag.tasks) - len(mapped) + sum(len(s.entities) for s in SOURCES.values())
