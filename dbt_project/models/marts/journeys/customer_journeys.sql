{#-
    One row per customer: how their journey started, when it converted and how far it has gone.
    A run recomputes the changed customers (this_run/README.md).
-#}

with

touchpoints as (
    select * from {{ this_run('fct_touchpoints', 'customers') }}
),

first_touches as (
    {{ newest_version('touchpoints', ['customer_id'], 'occurred_at, touchpoint_id') }}
),

summary as (
    select
        customer_id,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at,
        min(case when touchpoint_type = 'order_placed' then occurred_at end) as first_order_at,
        cast(sum(case when touchpoint_type = 'order_placed' then 1 else 0 end) as bigint) as orders,
        cast(coalesce(sum(revenue), 0) as decimal(18, 2)) as revenue,
        cast(count(distinct channel) as bigint) as channels_touched
    from touchpoints
    group by customer_id
),

before_first_order as (
    select
        touchpoints.customer_id,
        cast(count(*) as bigint) as touches_before_first_order
    from touchpoints
    inner join summary on touchpoints.customer_id = summary.customer_id
    where touchpoints.occurred_at < summary.first_order_at
    group by touchpoints.customer_id
)

select
    summary.customer_id,
    summary.first_touch_at,
    first_touches.channel as first_touch_channel,
    summary.first_order_at,
    case
        when summary.first_order_at is not null then coalesce(before_first_order.touches_before_first_order, 0)
    end as touches_before_first_order,
    cast(
        {{ dbt.datediff('cast(summary.first_touch_at as date)', 'cast(summary.first_order_at as date)', 'day') }}
        as bigint
    ) as days_to_first_order,
    summary.orders,
    summary.revenue,
    summary.channels_touched,
    summary.last_touch_at,
    case
        when summary.orders = 0 then 'prospect'
        when summary.orders = 1 then 'customer'
        else 'repeat_customer'
    end as lifecycle_stage
from summary
inner join first_touches on summary.customer_id = first_touches.customer_id
left join before_first_order on summary.customer_id = before_first_order.customer_id
