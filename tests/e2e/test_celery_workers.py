"""The DAG on Celery workers, as docker-compose.yml runs it: api-server, scheduler and dag-processor on
PostgreSQL metadata with the CeleryExecutor, two ``airflow celery worker`` processes on a Redis broker of
the test's own. One manual run of the last two sandbox days: its tasks run on both workers, the
warehouse pool's tasks one at a time across them, and the marts are the world's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.server import free_port
from tests import expected
from tests.airflow_services import QUICK_SERVICES, AirflowServices, SandboxDays, fingerprint, sandbox_days
from touchpoints.airflow_env import DAG_ID, load_dag
from touchpoints.config import WAREHOUSE_POOL
from touchpoints.warehouse.duckdb import connect_read_only

pytestmark = pytest.mark.e2e

WORKERS = ("worker-a@%h", "worker-b@%h")
WAIT_SECONDS = 300


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[tuple[AirflowServices, SandboxDays]]:
    today = datetime.now(UTC).date()  # no catchup: the manual run is the only one
    with (
        sandbox_days(tmp_path, start_date=today) as sandbox,
        AirflowServices(
            tmp_path, free_port(), sandbox.env, QUICK_SERVICES, celery_workers=WORKERS
        ) as running,
    ):
        yield running, sandbox


def test_a_run_on_two_celery_workers(celery: tuple[AirflowServices, SandboxDays]) -> None:
    running, sandbox = celery
    running.trigger({"start": sandbox.days[0], "end": sandbox.days[1]})
    running.wait_for(lambda runs: [s for _, _, s in runs] == ["success"], "the range run", WAIT_SECONDS)

    tasks = running.query(
        "select ti.task_id, ti.pool, ti.start_date, ti.end_date, split_part(meta.worker, '@', 1)"
        " from task_instance ti join celery_taskmeta meta on meta.task_id = ti.external_executor_id"
        " where ti.dag_id = %s and ti.state = 'success' order by ti.start_date",
        (DAG_ID,),
    )
    assert len(tasks) == len(load_dag().tasks)  # every task once, each through Celery
    assert {worker for *_, worker in tasks} == {"worker-a", "worker-b"}
    pooled = [(start, end) for _, pool, start, end, _ in tasks if pool == WAREHOUSE_POOL]
    assert len(pooled) == 6
    assert all(end <= start for (_, end), (start, _) in zip(pooled, pooled[1:], strict=False))

    counts, _ = fingerprint(sandbox.warehouse)
    assert dict(counts)["fct_touchpoints"] > 0
    with connect_read_only(sandbox.warehouse) as db:
        types = dict(
            db.sql("select touchpoint_type, count(*) from marts.fct_touchpoints group by 1").fetchall()
        )
        customers = {row[0] for row in db.sql("select customer_id from marts.dim_customers").fetchall()}
    assert {t: types.get(t, 0) for t in expected.touchpoint_counts(sandbox.world)} == dict(
        expected.touchpoint_counts(sandbox.world)
    )
    assert customers == expected.customers(sandbox.world)
