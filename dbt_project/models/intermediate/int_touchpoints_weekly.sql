{#-
    Touchpoints per ISO week and channel, for the weekly comparison (distinct customers per week cannot
    be summed from days). A run recomputes the ISO weeks of the dates whose touchpoints changed
    (this_run/README.md).
-#}
with

touchpoints as (
    select * from {{ this_run('fct_touchpoints', 'weeks') }}
)

select
    {{ week_start('occurred_date') }} as week_start,
    channel,
    count(*) as touchpoints,
    count(distinct customer_id) as customers,
    sum(case when touchpoint_type = 'order_placed' then 1 else 0 end) as orders,
    sum(revenue) as revenue
from touchpoints
group by 1, 2
