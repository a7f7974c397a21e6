select
    cast(ordered_at as date) as order_date,
    channel,
    model,
    cast(sum(credit) as {{ double_type() }}) as attributed_orders,
    cast(sum(revenue_credit) as {{ double_type() }}) as attributed_revenue
from {{ ref('fct_attribution') }}
group by cast(ordered_at as date), channel, model
