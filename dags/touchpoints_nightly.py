"""touchpoints_nightly: extract ▶ validate landed ▶ source freshness ▶ dbt build ▶ validate marts ▶ publish ▶ docs, daily.

A run for logical date D processes the UTC day [D, D+1): scheduled runs start after the day has ended,
and ``airflow dags test touchpoints_nightly D`` processes day D too. The file stays thin: the work is in
``connectors/``, ``expectations/`` and ``touchpoints/``, imported when a task runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, dag, task, task_group

from touchpoints.config import WAREHOUSE_POOL  # a light module: paths and names only

# Must match connectors.registry.SOURCES (a DAG-integrity test checks it); kept literal so that
# parsing this file imports nothing heavy.
SOURCES = ("mailchimp", "facebook", "trustpilot", "zendesk", "shopify", "web")

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


def _day(context: dict[str, Any]) -> Any:
    return context["logical_date"].in_timezone("UTC").date()


def _fail_without_retry(step: Callable[..., Any], *args: Any) -> Any:
    """Run a pipeline step; failures a retry cannot fix fail the task at once, with their message."""
    from airflow.sdk.exceptions import AirflowFailException

    from touchpoints.pipeline import permanent_errors

    try:
        return step(*args)
    except permanent_errors() as exc:
        raise AirflowFailException(str(exc)) from exc


def _alert(context: dict[str, Any]) -> None:
    from touchpoints.alerts import on_dag_failure

    on_dag_failure(context)


def _connection(source: str) -> Any:
    from touchpoints.connections import connection_settings

    return connection_settings(source)


@dag(
    dag_id="touchpoints_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.parse(os.environ.get("TOUCHPOINTS_START_DATE", "2026-11-01"), tz="UTC"),
    catchup=True,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["touchpoints", "elt", "nightly"],
    on_failure_callback=_alert,
    doc_md=__doc__,
)
def touchpoints_nightly() -> None:
    @task
    def entities_of(source: str) -> list[str]:
        from connectors.registry import SOURCES as REGISTRY

        return list(REGISTRY[source].entities)

    @task(map_index_template="{{ task.op_kwargs['entity'] }}")
    def extract(source: str, entity: str, **context: Any) -> dict[str, Any]:
        from touchpoints.pipeline import extract_entity

        return _fail_without_retry(extract_entity, source, entity, _day(context), _connection(source))

    @task_group
    def land(source: str) -> Any:
        extract_source = extract.override(outlets=[LANDED[source]])
        return extract_source.partial(source=source).expand(entity=entities_of(source))

    @task(pool=WAREHOUSE_POOL)
    def validate_landed(**context: Any) -> list[dict[str, Any]]:
        from touchpoints.pipeline import validate_landed as run

        return _fail_without_retry(run, _day(context), context["run_id"])

    @task(pool=WAREHOUSE_POOL)
    def source_freshness() -> list[dict[str, Any]]:
        from touchpoints.pipeline import check_source_freshness

        return _fail_without_retry(check_source_freshness)

    @task(pool=WAREHOUSE_POOL)
    def dbt_build() -> dict[str, Any]:
        from touchpoints.pipeline import build_warehouse

        return _fail_without_retry(build_warehouse)

    @task(pool=WAREHOUSE_POOL)
    def validate_marts(**context: Any) -> list[dict[str, Any]]:
        from touchpoints.pipeline import validate_marts as run

        return _fail_without_retry(run, _day(context), context["run_id"])

    @task(pool=WAREHOUSE_POOL, outlets=[PUBLISHED])
    def publish() -> str:
        from touchpoints.pipeline import publish_warehouse

        return publish_warehouse()

    @task(pool=WAREHOUSE_POOL)
    def docs() -> dict[str, str]:
        from touchpoints.pipeline import build_docs

        return build_docs()

    landed = [land.override(group_id=f"land_{source}")(source) for source in SOURCES]
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
