{#-
    The journeys the Markov attribution model learns from, one row per touch in time order: each order's
    eligible touches, as fct_attribution credits them (a converting journey), and, for each customer who
    never ordered, their eligible touches in the 30 days up to their last one (a journey that ended
    without a conversion). The chain's states are the touches' credited marketing channels. Rebuilt
    whole each run: the chain is learnt from every journey.
-#}

with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

orders as (
    select
        source_object_id as order_id,
        customer_id,
        occurred_at as ordered_at,
        revenue
    from touchpoints
    where touchpoint_type = 'order_placed'
),

touches as (
    select * from touchpoints
    where touchpoint_type in ({{ attribution_touchpoint_types() }})
),

converting as (
    select
        'order:' || orders.order_id as journey_id,
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.revenue,
        touches.touchpoint_id,
        touches.occurred_at,
        touches.channel,
        {{ credited_marketing_channel('touches') }} as marketing_channel,
        touches.source_object_id,
        true as converted
    from orders
    inner join touches
        on orders.customer_id = touches.customer_id
        and touches.occurred_at >= {{ dbt.dateadd('day', '-' ~ attribution_window_days(), 'orders.ordered_at') }}
        and touches.occurred_at < orders.ordered_at
),

prospects as (
    select
        customer_id,
        max(occurred_at) as last_touch_at
    from touches
    where not exists (select 1 from orders where orders.customer_id = touches.customer_id)
    group by customer_id
),

non_converting as (
    select
        'customer:' || prospects.customer_id as journey_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        prospects.customer_id,
        cast(null as timestamp) as ordered_at,
        cast(null as decimal(18, 2)) as revenue,
        touches.touchpoint_id,
        touches.occurred_at,
        touches.channel,
        {{ credited_marketing_channel('touches') }} as marketing_channel,
        touches.source_object_id,
        false as converted
    from prospects
    inner join touches
        on prospects.customer_id = touches.customer_id
        and touches.occurred_at >= {{ dbt.dateadd('day', '-' ~ attribution_window_days(), 'prospects.last_touch_at') }}
),

journeys as (
    select * from converting
    union all
    select * from non_converting
)

select
    *,
    row_number() over (partition by journey_id order by occurred_at, touchpoint_id) as step
from journeys
