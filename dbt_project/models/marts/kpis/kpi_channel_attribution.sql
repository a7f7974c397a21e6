-- Credits are summed in a fixed order (order, then touchpoint): a double's sum depends on the order of
-- its terms, and a parallel aggregate's order varies, so the last digit would vary from run to run.
select
    cast(ordered_at as date) as order_date,
    channel,
    model,
    cast(sum(credit order by order_id, touchpoint_id) as {{ double_type() }}) as attributed_orders,
    cast(sum(revenue_credit order by order_id, touchpoint_id) as {{ double_type() }}) as attributed_revenue
from {{ ref('fct_attribution') }}
group by cast(ordered_at as date), channel, model
