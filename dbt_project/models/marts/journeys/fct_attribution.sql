{#-
    Credit of each order to the same customer's eligible touchpoints in [ordered_at - 30 days, ordered_at),
    under five rule-based models and the data-driven markov_removal, whose credits sum to 1 per order.
    Each credited touch also has the marketing channel it earns credit as (macros/attribution.sql).
    Orders without an eligible touch go to `direct`. A run recomputes the orders of the changed customers
    (this_run/README.md), and every order's markov_removal credits: they are learnt from all journeys.
-#}

with

touchpoints as (
    select * from {{ this_run('fct_touchpoints', 'customers') }}
),

markov_credits as (
    select * from {{ ref('int_markov_credits') }}
),

orders as (
    select
        source_object_id as order_id,
        customer_id,
        occurred_at as ordered_at,
        revenue
    from touchpoints
    where touchpoint_type = 'order_placed'
),

eligible as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.revenue,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        {{ credited_marketing_channel('touchpoints') }} as marketing_channel,
        touchpoints.source_object_id,
        {{ seconds_between('touchpoints.occurred_at', 'orders.ordered_at') }} / 3600.0 as hours_before_order,
        row_number() over (
            partition by orders.order_id order by touchpoints.occurred_at, touchpoints.touchpoint_id
        ) as position_from_first,
        row_number() over (
            partition by orders.order_id order by touchpoints.occurred_at desc, touchpoints.touchpoint_id
        ) as position_from_last,
        count(*) over (partition by orders.order_id) as touches
    from orders
    inner join touchpoints
        on orders.customer_id = touchpoints.customer_id
        and touchpoints.touchpoint_type in ({{ attribution_touchpoint_types() }})
        and touchpoints.occurred_at >= {{ dbt.dateadd('day', '-' ~ attribution_window_days(), 'orders.ordered_at') }}
        and touchpoints.occurred_at < orders.ordered_at
),

weighted as (
    select
        *,
        power(2.0, -hours_before_order / 168.0)
        / sum(power(2.0, -hours_before_order / 168.0)) over (partition by order_id) as time_decay_credit
    from eligible
),

credits as (
    select *, 'first_touch' as model, case when position_from_first = 1 then 1.0 else 0.0 end as credit
    from weighted
    union all
    select *, 'last_touch', case when position_from_last = 1 then 1.0 else 0.0 end
    from weighted
    union all
    select *, 'linear', 1.0 / touches
    from weighted
    union all
    select *, 'time_decay', time_decay_credit
    from weighted
    union all
    select
        *,
        'position_based',
        case
            when touches = 1 then 1.0
            when touches = 2 then 0.5
            when position_from_first = 1 or position_from_last = 1 then 0.4
            else 0.2 / (touches - 2)
        end
    from weighted
),

models as (
    {%- for model in attribution_models() %}
    select '{{ model }}' as model{{ '\n    union all' if not loop.last }}
    {%- endfor %}
),

direct as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        'direct' as channel,
        'direct' as marketing_channel,
        cast(null as {{ dbt.type_string() }}) as source_object_id,
        models.model,
        1.0 as credit,
        orders.revenue
    from orders
    cross join models
    where not exists (select 1 from eligible where eligible.order_id = orders.order_id)
),

all_credits as (
    select
        order_id, customer_id, ordered_at, touchpoint_id, channel, marketing_channel, source_object_id, model,
        credit, revenue
    from credits
    union all
    select
        order_id, customer_id, ordered_at, touchpoint_id, channel, marketing_channel, source_object_id,
        'markov_removal', credit, revenue
    from markov_credits
    union all
    select * from direct
)

select
    order_id,
    customer_id,
    ordered_at,
    touchpoint_id,
    channel,
    marketing_channel,
    source_object_id,
    model,
    cast(credit as {{ double_type() }}) as credit,
    cast(credit as {{ double_type() }}) * cast(revenue as {{ double_type() }}) as revenue_credit
from all_credits
