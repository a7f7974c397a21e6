"""The DAG under a real Airflow: api-server, scheduler and dag-processor on PostgreSQL metadata with the
LocalExecutor. Catchup schedules the last two days, a backfill re-processes them, clearing a task in
the middle of a run re-runs it, and a manual run with the range in its conf lands both days again in one
run; the marts come out identical each time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.server import free_port
from tests.airflow_services import QUICK_SERVICES, AirflowServices, fingerprint, sandbox_days
from touchpoints.airflow_env import load_dag

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 420


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[tuple[AirflowServices, list[str], Path]]:
    with (
        sandbox_days(tmp_path) as sandbox,
        AirflowServices(tmp_path, free_port(), sandbox.env, QUICK_SERVICES) as running,
    ):
        yield running, sandbox.days, sandbox.warehouse


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

    running.trigger({"start": days[0], "end": days[1], "refetch": True})
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
    assert loads == (len(load_dag().tasks),)  # one run: every task once, whatever the range
