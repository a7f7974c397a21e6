"""A self-contained Airflow for the CLI and tests: SQLite metadata under TOUCHPOINTS_HOME, our dags/."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from touchpoints.config import DAGS_DIR, Paths

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


def migrate_metadata_db() -> None:
    """``airflow db migrate``: creates or upgrades the metadata database (idempotent)."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)


def load_dag() -> Any:
    """The nightly DAG, parsed from dags/ the way the dag-processor does."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[DAG_ID]


def run_day(dag: Any, day: date) -> str:
    """Run the DAG for one logical date in-process (``dag.test``); return the run's final state."""
    logical_date = datetime.combine(day, time(), tzinfo=UTC)
    run = dag.test(logical_date=logical_date)
    return str(run.state)
