{#-
    Touchpoints per day and channel for each customer segment, the customer's segment as it stands now
    (dim_customers). Every measure adds up over segments, so a report can cut by any of them.
-#}
with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
)

select
    touchpoints.occurred_date,
    touchpoints.channel,
    customers.lifecycle_stage,
    customers.first_channel,
    coalesce(customers.country_code, '(unknown)') as country_code,
    cast(count(*) as bigint) as touchpoints,
    cast(count(distinct touchpoints.customer_id) as bigint) as customers,
    cast({{ count_where('touchpoints.is_customer_initiated') }} as bigint) as customer_initiated,
    cast({{ count_where("touchpoints.touchpoint_type = 'order_placed'") }} as bigint) as orders,
    cast(coalesce(sum(touchpoints.revenue), 0) as decimal(18, 2)) as revenue
from touchpoints
inner join customers on touchpoints.customer_id = customers.customer_id
group by 1, 2, 3, 4, 5
