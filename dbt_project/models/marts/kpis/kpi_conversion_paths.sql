{#-
    The journeys to a first purchase, like GA4's conversion paths, counted per path and customer segment:
    how many customers who first touched the brand on a date took each path, and how many of them bought.
    Summed over paths it is the journey funnel per segment: touched, bought, bought again.
-#}
with

paths as (
    select * from {{ ref('int_customer_paths') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
)

select
    cast(customers.first_touch_at as date) as first_touch_date,
    paths.conversion_path,
    paths.path_length,
    customers.first_channel,
    customers.country_code,
    customers.lifecycle_stage,
    cast(count(*) as bigint) as customers,
    cast({{ count_where("customers.lifecycle_stage != 'prospect'") }} as bigint) as buyers,
    cast({{ count_where("customers.lifecycle_stage = 'repeat_customer'") }} as bigint) as repeat_buyers,
    cast(sum(paths.touches) as bigint) as touches
from paths
inner join customers on paths.customer_id = customers.customer_id
group by 1, 2, 3, 4, 5, 6
