"""Audit of the build warehouse: a GX suite per mart plus SQL cross-checks between layers."""

from __future__ import annotations

from datetime import date

from expectations.mart_suites import GRAINS, mart_suite
from expectations.outcomes import ValidationOutcome
from expectations.runner import SqlBatch, open_context, validate_batch
from touchpoints.config import Paths
from touchpoints.warehouse_sql import list_marts, open_warehouse

# Each check returns the rows that break it; an empty result passes.
CROSS_CHECKS = {
    "attribution_credits_sum_to_one": """
        select order_id, model from {marts}.fct_attribution
        group by order_id, model having abs(sum(credit) - 1) > 1e-9
    """,
    "touchpoints_per_source_match_the_union": """
        select source_system from (
            select source_system, count(*) as n from {intermediate}.int_touchpoints_unioned group by 1
        ) as unioned full join (
            select source_system, count(*) as n from {marts}.fct_touchpoints group by 1
        ) as fct using (source_system)
        where unioned.n is distinct from fct.n
    """,
    "orders_match_staging": """
        select 1 where (select count(*) from {staging}.stg_shopify__orders)
            <> (select count(*) from {marts}.fct_touchpoints where touchpoint_type = 'order_placed')
    """,
    "tickets_match_staging": """
        select 1 where (select count(*) from {staging}.stg_zendesk__tickets where not is_deleted)
            <> (select count(*) from {marts}.fct_touchpoints where touchpoint_type = 'ticket_created')
    """,
    "daily_touchpoints_add_up": """
        select 1 where (select sum(touchpoints) from {marts}.kpi_touchpoints_daily)
            <> (select count(*) from {marts}.fct_touchpoints)
    """,
    "fresh_for_every_day": """
        select cast(day as date) as day_without_touchpoints
        from generate_series(cast(? as date), cast(? as date), interval '1 day') as days(day)
        where not exists (select 1 from {marts}.fct_touchpoints where occurred_date = cast(day as date))
    """,
}


def _published_counts(paths: Paths) -> dict[str, int]:
    with open_warehouse(paths, build=False) as published:
        if published is None:
            return {}
        present = set(list_marts(published))
        return {
            m: published.rows(f"select count(*) from {{marts}}.{m}")[0][0] for m in GRAINS if m in present
        }


def _mart_batch(paths: Paths, mart: str) -> SqlBatch:
    """A mart of the build warehouse, validated where it lives."""
    if paths.on_postgres:
        from touchpoints.postgres import layer_schema, sqlalchemy_url

        return SqlBatch(
            "touchpoints_build_postgres", "postgres", sqlalchemy_url(),
            f"select * from {layer_schema('marts', build=True)}.{mart}",
        )  # fmt: skip
    return SqlBatch(
        "touchpoints_build_duckdb", "duckdb", f"duckdb:///{paths.build_warehouse}",
        f"select * from marts.{mart}", {"connect_args": {"read_only": True}},
    )  # fmt: skip


def validate_marts(
    paths: Paths, first: date, last: date, run_name: str | None = None
) -> list[ValidationOutcome]:
    """Run every mart suite and every cross-check on the build warehouse, for a run of the days
    ``first`` to ``last`` (each must have touchpoints: an empty day is an outage); one outcome each."""
    if not paths.on_postgres and not paths.build_warehouse.exists():
        raise FileNotFoundError(
            f"no build warehouse at {paths.build_warehouse}: run the dbt build step first"
        )
    context = open_context(paths.gx)
    previous = _published_counts(paths)
    outcomes = [
        validate_batch(context, mart_suite(mart, previous.get(mart)), _mart_batch(paths, mart), run_name)
        for mart in GRAINS
    ]
    with open_warehouse(paths, build=True) as build:
        assert build is not None
        for name, query in CROSS_CHECKS.items():
            broken = build.rows(query, [first.isoformat(), last.isoformat()] if "?" in query else [])
            failures = [f"{len(broken)} offending rows, e.g. {broken[:3]}"] if broken else []
            outcomes.append(ValidationOutcome(f"cross.{name}", not broken, 1, len(broken), failures))
    return outcomes
