"""The DAG under a real Airflow: api-server, scheduler and dag-processor on PostgreSQL metadata with the
LocalExecutor. Catchup schedules the last two days, a backfill re-processes them, clearing a task in
the middle of a run re-runs it, and a manual run with the range in its conf lands both days again in one
run; the marts come out identical each time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sandbox.connections import sandbox_environment
from sandbox.event_files import write_event_files
from sandbox.generator import SandboxConfig, generate
from sandbox.server import SandboxServer, free_port
from tests.airflow_services import AirflowServices
from touchpoints.config import REPO_ROOT
from touchpoints.warehouse.duckdb import list_marts

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 420
# quick polling, so the test does not sit waiting for the services' default intervals
QUICK_SERVICES = {
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
}


def fingerprint(warehouse: Path) -> tuple:
    """Row counts of every mart and a hash of the touchpoints' keys, customers and stages."""
    with duckdb.connect(str(warehouse), read_only=True) as db:
        counts = tuple(
            (m, db.execute(f"select count(*) from marts.{m}").fetchall()[0][0]) for m in list_marts(db)
        )
        digest = db.sql(
            "select sum(hash(touchpoint_id, customer_id, journey_stage)) from marts.fct_touchpoints"
        )
        return counts, digest.fetchall()[0][0]


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[tuple[AirflowServices, list[str], Path]]:
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=2), today - timedelta(days=1)]
    world = generate(SandboxConfig(seed=5, customers=60, start=days[0], end=today))
    write_event_files(world, tmp_path / "events")
    sandbox = SandboxServer(world)
    sandbox.start_in_thread()
    home = tmp_path / "home"
    env = {
        **sandbox_environment(sandbox.url, tmp_path / "events"),
        "TOUCHPOINTS_HOME": str(home),
        "TOUCHPOINTS_DUCKDB_PATH": str(home / "warehouse" / "touchpoints.duckdb"),
        "TOUCHPOINTS_START_DATE": days[0].isoformat(),
        "PYTHONPATH": str(REPO_ROOT),
    }
    try:
        with AirflowServices(tmp_path, free_port(), env, QUICK_SERVICES) as running:
            yield running, [d.isoformat() for d in days], home / "warehouse" / "touchpoints.duckdb"
    finally:
        sandbox.shutdown()


def test_scheduler_catchup_backfill_and_cleared_task(
    airflow: tuple[AirflowServices, list[str], Path],
) -> None:
    running, days, warehouse = airflow
    running.wait_for(
        lambda runs: (
            [(t, d, s) for t, d, s in runs if t == "scheduled"]
            == [("scheduled", day, "success") for day in days]
        ),
        "the catchup runs of the last two days",
        WAIT_SECONDS,
    )
    nightly = fingerprint(warehouse)
    assert nightly[0] and dict(nightly[0])["fct_touchpoints"] > 0

    running.cli("backfill", "create", "--dag-id", "touchpoints_nightly", "--from-date", days[0], "--to-date", days[1],
                "--reprocess-behavior", "completed")  # fmt: skip
    running.wait_for(
        lambda runs: [(d, s) for t, d, s in runs if t == "backfill"] == [(day, "success") for day in days],
        "the backfill of both days",
        WAIT_SECONDS,
    )
    assert fingerprint(warehouse) == nightly

    running.cli("tasks", "clear", "touchpoints_nightly", "--task-regex", "^dbt_build$", "--downstream",
                "--start-date", days[1], "--end-date", days[1], "--yes")  # fmt: skip
    time.sleep(5)
    running.wait_for(
        lambda runs: all(state == "success" for _, _, state in runs),
        "the cleared tasks to run again",
        WAIT_SECONDS,
    )
    assert fingerprint(warehouse) == nightly

    conf = json.dumps({"start": days[0], "end": days[1], "refetch": True})
    running.cli("dags", "trigger", "touchpoints_nightly", "--conf", conf)
    running.wait_for(
        lambda runs: [s for t, _, s in runs if t == "manual"] == ["success"],
        "the range run of both days",
        WAIT_SECONDS,
    )
    assert fingerprint(warehouse) == nightly
    (loads,) = running.query(
        "select count(*) from task_instance where dag_id = 'touchpoints_nightly' and run_id like 'manual%%'"
        " and state = 'success'"
    )
    assert loads == (12,)  # one run: every task once, whatever the range
