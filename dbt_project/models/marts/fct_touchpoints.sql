with

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

resolved as (
    select
        touchpoints.*,
        coalesce(
            identities.customer_id,
            {{ customer_key('cast(null as varchar)', 'touchpoints.source_system', 'touchpoints.source_user_id') }}
        ) as customer_id
    from touchpoints
    left join identities
        on touchpoints.source_system = identities.source_system
        and touchpoints.source_user_id = identities.source_user_id
),

first_orders as (
    select
        customer_id,
        min(occurred_at) as first_order_at
    from resolved
    where touchpoint_type = 'order_placed'
    group by customer_id
)

select
    resolved.touchpoint_id,
    resolved.occurred_at,
    cast(resolved.occurred_at as date) as occurred_date,
    resolved.customer_id,
    resolved.source_system,
    resolved.channel,
    resolved.touchpoint_type,
    case
        when resolved.touchpoint_type = 'order_placed' then 'purchase'
        when resolved.customer_id like 'cus\_%' escape '\' and first_orders.first_order_at < resolved.occurred_at
            then 'post_purchase'
        else 'pre_purchase'
    end as journey_stage,
    resolved.is_customer_initiated,
    resolved.source_object_type,
    resolved.source_object_id,
    resolved.revenue,
    resolved.rating
from resolved
left join first_orders on resolved.customer_id = first_orders.customer_id
