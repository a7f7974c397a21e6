{#-
    Each customer's path to their first order: the channels of the touches they made themselves before
    it (all of them for a prospect), in order, a run of the same channel counted once. A run recomputes
    the changed customers (this_run/README.md).
-#}
with

touchpoints as (
    select * from {{ this_run('fct_touchpoints', 'customers') }}
),

first_orders as (
    select
        customer_id,
        min(occurred_at) as first_order_at
    from touchpoints
    where touchpoint_type = 'order_placed'
    group by customer_id
),

customers as (
    select distinct customer_id from touchpoints
),

touches as (
    select
        touchpoints.customer_id,
        touchpoints.touchpoint_id,
        touchpoints.occurred_at,
        touchpoints.channel,
        lag(touchpoints.channel) over (
            partition by touchpoints.customer_id
            order by touchpoints.occurred_at, touchpoints.touchpoint_id
        ) as previous_channel
    from touchpoints
    left join first_orders on touchpoints.customer_id = first_orders.customer_id
    where touchpoints.is_customer_initiated
        and touchpoints.touchpoint_type != 'order_placed'
        and (first_orders.first_order_at is null or touchpoints.occurred_at < first_orders.first_order_at)
),

steps as (
    select
        customer_id,
        {{ dbt.listagg('channel', "' > '", 'order by occurred_at, touchpoint_id') }} as conversion_path,
        cast(count(*) as bigint) as path_length
    from touches
    where previous_channel is null or channel != previous_channel
    group by customer_id
),

touch_counts as (
    select
        customer_id,
        cast(count(*) as bigint) as touches
    from touches
    group by customer_id
)

select
    customers.customer_id,
    coalesce(steps.conversion_path, '(none)') as conversion_path,
    coalesce(steps.path_length, 0) as path_length,
    coalesce(touch_counts.touches, 0) as touches,
    {{ batch_at() }} as _batch_at
from customers
left join steps on customers.customer_id = steps.customer_id
left join touch_counts on customers.customer_id = touch_counts.customer_id
