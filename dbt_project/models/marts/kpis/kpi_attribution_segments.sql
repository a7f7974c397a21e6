{#-
    kpi_channel_attribution for each customer segment (lifecycle stage, first channel, country as
    dim_customers holds them now): the credits add up over segments, so the report cuts by any of them.
    Summed in a fixed order, as kpi_channel_attribution, so that a rebuild gives the same last digit.
-#}
with

attribution as (
    select * from {{ ref('fct_attribution') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
)

select
    cast(attribution.ordered_at as date) as order_date,
    attribution.channel,
    attribution.model,
    customers.lifecycle_stage,
    customers.first_channel,
    coalesce(customers.country_code, '(unknown)') as country_code,
    cast({{ sum_in_order('attribution.credit', 'attribution.order_id, attribution.touchpoint_id') }} as {{ double_type() }}) as attributed_orders,
    cast({{ sum_in_order('attribution.revenue_credit', 'attribution.order_id, attribution.touchpoint_id') }} as {{ double_type() }}) as attributed_revenue
from attribution
inner join customers on attribution.customer_id = customers.customer_id
group by 1, 2, 3, 4, 5, 6
