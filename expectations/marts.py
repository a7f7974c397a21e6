"""Audit of the build warehouse: a GX suite per mart plus SQL cross-checks between layers."""

from __future__ import annotations

from datetime import date, timedelta

from expectations.mart_suites import GRAINS, mart_suite
from expectations.outcomes import ValidationOutcome
from expectations.runner import open_context, validate_batch
from touchpoints.config import Paths
from touchpoints.warehouse import warehouse_for
from touchpoints.warehouse.base import Warehouse, WarehouseSql, list_marts

# The brand's own customers (a customer with an identity of the brand's: an agent, the Facebook Page): no
# touchpoint is theirs, so the counts below leave out what the union holds for them.
BRAND_CUSTOMERS = "select customer_id from {intermediate}.int_identities_stitched where is_brand"
CUSTOMERS_OF_THE_UNION = """
    select unioned.*, coalesce(identities.customer_id, '') as customer_id
    from {intermediate}.int_touchpoints_unioned as unioned
    left join {intermediate}.int_identities_stitched as identities
        on unioned.source_system = identities.source_system and unioned.source_user_id = identities.source_user_id
"""

# Each check returns the rows that break it; an empty result passes.
CROSS_CHECKS = {
    "attribution_credits_sum_to_one": """
        select order_id, model from {marts}.fct_attribution
        group by order_id, model having abs(sum(credit) - 1) > 1e-9
    """,
    "attribution_revenue_sums_to_the_orders": """
        select credits.order_id, credits.model from (
            select order_id, model, sum(revenue_credit) as revenue from {marts}.fct_attribution group by 1, 2
        ) as credits inner join (
            select source_object_id as order_id, revenue from {marts}.fct_touchpoints
            where touchpoint_type = 'order_placed'
        ) as orders on credits.order_id = orders.order_id
        where abs(credits.revenue - orders.revenue) > 1e-9
    """,
    "channel_attribution_sums_its_rows": """
        select channels.order_date, channels.channel, channels.model from {marts}.kpi_channel_attribution as channels
        full join (
            select cast(ordered_at as date) as order_date, channel, model, sum(credit) as orders,
                   sum(revenue_credit) as revenue
            from {marts}.fct_attribution group by 1, 2, 3
        ) as credits
            on channels.order_date = credits.order_date and channels.channel = credits.channel
            and channels.model = credits.model
        where credits.revenue is null or channels.attributed_revenue is null
            or abs(channels.attributed_revenue - credits.revenue) > greatest(1e-9, 1e-12 * credits.revenue)
            or abs(channels.attributed_orders - credits.orders) > greatest(1e-9, 1e-12 * credits.orders)
    """,
    "marketing_channel_attribution_adds_up_to_the_channel_mart": """
        select channels.order_date, channels.model from (
            select order_date, model, sum(attributed_orders) as orders, sum(attributed_revenue) as revenue
            from {marts}.kpi_channel_attribution group by 1, 2
        ) as channels full join (
            select order_date, model, sum(attributed_orders) as orders, sum(attributed_revenue) as revenue
            from {marts}.kpi_marketing_channel_attribution group by 1, 2
        ) as marketing on channels.order_date = marketing.order_date and channels.model = marketing.model
        where channels.revenue is null or marketing.revenue is null
            or abs(channels.revenue - marketing.revenue) > greatest(1e-6, 1e-12 * channels.revenue)
            or abs(channels.orders - marketing.orders) > greatest(1e-9, 1e-12 * channels.orders)
    """,
    "touchpoints_per_source_match_the_union": f"""
        select source_system from (
            select source_system, count(*) as n from ({CUSTOMERS_OF_THE_UNION}) as unioned
            where customer_id not in ({BRAND_CUSTOMERS}) group by 1
        ) as unioned full join (
            select source_system, count(*) as n from {{marts}}.fct_touchpoints group by 1
        ) as fct using (source_system)
        where unioned.n is distinct from fct.n
    """,
    "orders_match_staging": f"""
        select 1 where (
            select count(*) from {{staging}}.stg_shopify__orders as orders
            left join {{intermediate}}.int_identities_stitched as identities
                on identities.source_system = 'shopify' and identities.source_user_id
                    = coalesce(cast(orders.customer_id as {{string}}), 'order-' || cast(orders.order_id as {{string}}))
            where coalesce(identities.customer_id, '') not in ({BRAND_CUSTOMERS})
        ) <> (select count(*) from {{marts}}.fct_touchpoints where touchpoint_type = 'order_placed')
    """,
    "tickets_match_staging": f"""
        select 1 where (
            select count(*) from {{staging}}.stg_zendesk__tickets as tickets
            left join {{intermediate}}.int_identities_stitched as identities
                on identities.source_system = 'zendesk'
                and identities.source_user_id = cast(tickets.requester_id as {{string}})
            where not tickets.is_deleted and coalesce(identities.customer_id, '') not in ({BRAND_CUSTOMERS})
        ) <> (select count(*) from {{marts}}.fct_touchpoints where touchpoint_type = 'ticket_created')
    """,
    "customers_have_touchpoints": """
        select customer_id from {marts}.dim_customers
        where customer_id not in (select customer_id from {marts}.fct_touchpoints)
        union all
        select customer_id from {marts}.dim_customers where customer_id in (
            select customer_id from {intermediate}.int_identities_stitched where is_brand
        )
    """,
    "daily_touchpoints_add_up": """
        select 1 where (select sum(touchpoints) from {marts}.kpi_touchpoints_daily)
            <> (select count(*) from {marts}.fct_touchpoints)
    """,
}


TOUCHPOINT_DAYS = """
    select distinct occurred_date from {marts}.fct_touchpoints
    where occurred_date between cast(? as date) and cast(? as date)
"""


def days_without_touchpoints(build: WarehouseSql, first: date, last: date) -> list[tuple[date]]:
    """The days of ``first`` to ``last`` on which no touchpoint occurred: an outage, for a nightly run."""
    present = {row[0] for row in build.rows(TOUCHPOINT_DAYS, [first.isoformat(), last.isoformat()])}
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return [(day,) for day in days if day not in present]


def _published_counts(warehouse: Warehouse) -> dict[str, int]:
    with warehouse.open(build=False) as published:
        if published is None:
            return {}
        present = set(list_marts(published))
        return {
            m: published.rows(f"select count(*) from {{marts}}.{m}")[0][0] for m in GRAINS if m in present
        }


def validate_marts(
    paths: Paths, first: date, last: date, run_name: str | None = None, *, bound_shrinking: bool = True
) -> list[ValidationOutcome]:
    """Run every mart suite and every cross-check on the build warehouse, for a run of the days
    ``first`` to ``last`` (each must have touchpoints: an empty day is an outage); one outcome each.
    ``bound_shrinking``: a mart may not shrink by more than its tolerance from the published one."""
    warehouse = warehouse_for(paths)
    warehouse.require_build()
    context = open_context(paths.gx)
    previous = _published_counts(warehouse) if bound_shrinking else {}
    outcomes = [
        validate_batch(
            context,
            mart_suite(mart, previous.get(mart)),
            warehouse.build_batch(f"select * from {{marts}}.{mart}"),  # a mart, validated where it lives
            run_name,
        )
        for mart in GRAINS
    ]
    with warehouse.open(build=True) as build:
        assert build is not None
        checks = {name: build.rows(query) for name, query in CROSS_CHECKS.items()}
        checks["fresh_for_every_day"] = days_without_touchpoints(build, first, last)
        for name, broken in checks.items():
            failures = [f"{len(broken)} offending rows, e.g. {broken[:3]}"] if broken else []
            outcomes.append(ValidationOutcome(f"cross.{name}", not broken, 1, len(broken), failures))
    return outcomes
