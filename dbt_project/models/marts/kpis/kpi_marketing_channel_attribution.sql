-- Summed in a fixed order, as kpi_channel_attribution is, so that the last digit never varies.
select
    cast(ordered_at as date) as order_date,
    marketing_channel,
    model,
    cast(sum(credit order by order_id, touchpoint_id) as {{ double_type() }}) as attributed_orders,
    cast(sum(revenue_credit order by order_id, touchpoint_id) as {{ double_type() }}) as attributed_revenue
from {{ ref('fct_attribution') }}
group by cast(ordered_at as date), marketing_channel, model
