{#- Attribution credits sum to 1 per order and model (to a rounding tolerance). -#}
{% test credits_sum_to_one(model) %}
select order_id, model, sum(credit) as total_credit
from {{ model }}
group by order_id, model
having abs(sum(credit) - 1) > 1e-9
{% endtest %}
