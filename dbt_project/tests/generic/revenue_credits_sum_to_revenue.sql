{#- The revenue credits of an order add up to its revenue in every attribution model (credits are kept at
    full precision: cents rounded per row would not). -#}
{% test revenue_credits_sum_to_revenue(model, orders) %}
select credits.order_id, credits.model, credits.revenue_credits, orders.revenue
from (
    select order_id, model, sum(revenue_credit) as revenue_credits
    from {{ model }}
    group by order_id, model
) as credits
inner join (
    select source_object_id as order_id, revenue
    from {{ orders }}
    where touchpoint_type = 'order_placed'
) as orders on credits.order_id = orders.order_id
where abs(credits.revenue_credits - orders.revenue) > 1e-9
{% endtest %}
