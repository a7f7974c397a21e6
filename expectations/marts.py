"""Audit of the build warehouse: a GX suite per mart plus SQL cross-checks between layers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from expectations.mart_suites import GRAINS, mart_suite
from expectations.outcomes import ValidationOutcome
from expectations.runner import open_context, validate_frame
from touchpoints.warehouse import list_marts

# Each check returns the rows that break it; an empty result passes.
CROSS_CHECKS = {
    "attribution_credits_sum_to_one": """
        select order_id, model from marts.fct_attribution
        group by order_id, model having abs(sum(credit) - 1) > 1e-9
    """,
    "touchpoints_per_source_match_the_union": """
        select source_system from (
            select source_system, count(*) as n from intermediate.int_touchpoints_unioned group by 1
        ) as unioned full join (
            select source_system, count(*) as n from marts.fct_touchpoints group by 1
        ) as fct using (source_system)
        where unioned.n is distinct from fct.n
    """,
    "orders_match_staging": """
        select 1 where (select count(*) from staging.stg_shopify__orders)
            <> (select count(*) from marts.fct_touchpoints where touchpoint_type = 'order_placed')
    """,
    "tickets_match_staging": """
        select 1 where (select count(*) from staging.stg_zendesk__tickets where not is_deleted)
            <> (select count(*) from marts.fct_touchpoints where touchpoint_type = 'ticket_created')
    """,
    "daily_touchpoints_add_up": """
        select 1 where (select sum(touchpoints) from marts.kpi_touchpoints_daily)
            <> (select count(*) from marts.fct_touchpoints)
    """,
    "fresh_for_the_day": """
        select 1 where not exists (select 1 from marts.fct_touchpoints where occurred_date = cast($day as date))
    """,
}


def _published_counts(published: Path) -> dict[str, int]:
    if not published.exists():
        return {}
    with duckdb.connect(str(published), read_only=True) as db:
        present = set(list_marts(db))
        return {
            m: db.execute(f"select count(*) from marts.{m}").fetchall()[0][0] for m in GRAINS if m in present
        }


def validate_marts(warehouse: Path, published: Path, gx_root: Path, day: date) -> list[ValidationOutcome]:
    """Run every mart suite and every cross-check on the build warehouse; one outcome each."""
    context = open_context(gx_root)
    previous = _published_counts(published)
    outcomes = []
    with duckdb.connect(str(warehouse), read_only=True) as db:
        for mart in GRAINS:
            frame = db.sql(f"select * from marts.{mart}").df()
            outcomes.append(validate_frame(context, mart_suite(mart, previous.get(mart)), frame))
        for name, query in CROSS_CHECKS.items():
            params = {"day": day.isoformat()} if "$day" in query else {}
            broken = db.execute(query, params).fetchall()
            failures = [f"{len(broken)} offending rows, e.g. {broken[:3]}"] if broken else []
            outcomes.append(ValidationOutcome(f"cross.{name}", not broken, 1, len(broken), failures))
    return outcomes
