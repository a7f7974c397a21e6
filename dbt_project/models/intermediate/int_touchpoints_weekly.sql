{#-
    Touchpoints per ISO week and channel, for the weekly comparison (distinct customers per week cannot
    be summed from days). Incremental: a run recomputes the weeks of the dates whose touchpoints changed
    (int_changed_dates); the pre-hook first drops them.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_changed(of_changed_weeks('week_start')) }}",
        meta={'changed_rows': 'weeks'},
    )
}}
-- depends_on: {{ ref('int_changed_dates') }}

select
    {{ week_start('occurred_date') }} as week_start,
    channel,
    count(*) as touchpoints,
    count(distinct customer_id) as customers,
    sum(case when touchpoint_type = 'order_placed' then 1 else 0 end) as orders,
    sum(revenue) as revenue
from {{ ref('fct_touchpoints') }}
where {{ of_changed_weeks('occurred_date') }}
group by 1, 2
