"""touchpoints_nightly: extract ▶ validate landed ▶ source freshness ▶ dbt build ▶ validate marts ▶ publish ▶ docs.

A scheduled run for logical date D processes the UTC day [D, D+1) once it has ended (so does
``airflow dags test touchpoints_nightly D``, and each run of ``airflow backfill create``). A manual run
whose conf holds a range, ``{"start": "2025-12-01", "end": "2026-11-30"}`` (``touchpoints run`` starts
these), processes every day of it in one run: each source is landed day by day in a few passes through
its API, then one build, audit, publish and docs. Days already landed whole are kept unless the conf says
``"refetch": true``. The file stays thin: the work is in ``connectors/``, ``expectations/`` and
``touchpoints/``, imported when a task runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from touchpoints.config import WAREHOUSE_POOL, scheduler_start  # a light module: paths and names only

# Must match connectors.registry.SOURCES (a DAG-integrity test checks it); kept literal so that
# parsing this file imports nothing heavy.
SOURCES = ("mailchimp", "facebook", "trustpilot", "zendesk", "shopify", "web", "meta_ads")

# Downstream DAGs can be scheduled on these: a source's landing zone updated, the warehouse published.
LANDED = {source: Asset(f"touchpoints.landing.{source}") for source in SOURCES}
PUBLISHED = Asset("touchpoints.warehouse.published")

DEFAULT_ARGS = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
}


def _days(context: dict[str, Any]) -> Any:
    """The run's days: the range in its conf, else its logical date's day."""
    from touchpoints.run_days import RunDays

    return RunDays.of_run(context["params"], context.get("logical_date"))


def _step(context: dict[str, Any], step: Callable[[], Any]) -> Any:
    """Run a pipeline step as one writer of the home and warehouse (no command writes beside it);
    failures a retry cannot fix fail the task at once, with their message."""
    from airflow.sdk.exceptions import AirflowFailException

    from touchpoints.config import Paths
    from touchpoints.pipeline import describe_failure, permanent_errors
    from touchpoints.run_lock import task_writing

    try:
        with task_writing(Paths.from_env(), f"task {context['ti'].task_id} of run {context['run_id']}"):
            return step()
    except permanent_errors() as exc:
        raise AirflowFailException(describe_failure(exc)) from exc


def _alert(context: dict[str, Any]) -> None:
    from touchpoints.alerts import on_dag_failure

    on_dag_failure(context)


def _connection(source: str) -> Any:
    from touchpoints.connections import connection_settings

    return connection_settings(source)


@dag(
    dag_id="touchpoints_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.parse(scheduler_start(), tz="UTC"),
    catchup=True,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["touchpoints", "elt", "nightly"],
    on_failure_callback=_alert,
    doc_md=__doc__,
    params={
        "start": Param(None, type=["null", "string"], format="date", description="range runs: first day"),
        "end": Param(None, type=["null", "string"], format="date", description="range runs: last day"),
        "refetch": Param(False, type="boolean", description="land again the days already landed"),
    },
)
def touchpoints_nightly() -> None:
    @task
    def land(source: str, **context: Any) -> dict[str, Any]:
        from touchpoints.pipeline import land_source

        return _step(context, lambda: land_source(source, _days(context), _connection(source)))

    @task(pool=WAREHOUSE_POOL)
    def validate_landed(**context: Any) -> list[dict[str, Any]]:
        from touchpoints.pipeline import validate_landed as run

        return _step(context, lambda: run(_days(context), context["run_id"]))

    @task(pool=WAREHOUSE_POOL)
    def source_freshness(**context: Any) -> list[dict[str, Any]]:
        from touchpoints.pipeline import check_source_freshness

        return _step(context, check_source_freshness)

    @task(pool=WAREHOUSE_POOL)
    def dbt_build(**context: Any) -> dict[str, Any]:
        from touchpoints.pipeline import build_warehouse

        return _step(context, build_warehouse)

    @task(pool=WAREHOUSE_POOL)
    def validate_marts(**context: Any) -> list[dict[str, Any]]:
        from touchpoints.pipeline import validate_marts as run

        return _step(context, lambda: run(_days(context), context["run_id"]))

    @task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED])
    def publish(**context: Any) -> str:
        from touchpoints.pipeline import publish_warehouse

        return _step(context, publish_warehouse)

    @task(pool=WAREHOUSE_POOL)
    def docs(**context: Any) -> dict[str, str]:
        from touchpoints.pipeline import build_docs

        return _step(context, lambda: build_docs(context["run_id"]))

    landed = [land.override(task_id=f"land_{source}", outlets=[LANDED[source]])(source) for source in SOURCES]
    (
        landed
        >> validate_landed()
        >> source_freshness()
        >> dbt_build()
        >> validate_marts()
        >> publish()
        >> docs()
    )


touchpoints_nightly()
