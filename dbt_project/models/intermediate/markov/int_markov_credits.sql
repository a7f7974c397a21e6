{#-
    Markov attribution of each order to its eligible touches: a touch's credit is its marketing channel's weight
    (int_markov_removal_effects) over the sum of the weights of the order's touches, so an order's
    credits sum to 1; should its channels all weigh 0 (as when nothing converted), its touches share it
    evenly. fct_attribution adds the orders with no eligible touch (direct).
-#}

with

journeys as (
    select * from {{ ref('int_markov_journeys') }}
    where converted
),

removal_effects as (
    select * from {{ ref('int_markov_removal_effects') }}
),

weighted as (
    select
        journeys.*,
        coalesce(removal_effects.weight, 0) as weight,
        sum(coalesce(removal_effects.weight, 0)) over (partition by journeys.order_id) as order_weight,
        count(*) over (partition by journeys.order_id) as touches
    from journeys
    left join removal_effects on journeys.marketing_channel = removal_effects.marketing_channel
)

select
    order_id,
    customer_id,
    ordered_at,
    touchpoint_id,
    channel,
    marketing_channel,
    source_object_id,
    revenue,
    case when order_weight > 0 then weight / order_weight else 1.0 / touches end as credit
from weighted
