{#- A run recomputes the dates whose touchpoints changed (this_run/README.md). -#}

with

touchpoints as (
    select * from {{ this_run('fct_touchpoints', 'dates') }}
)

select
    occurred_date,
    channel,
    touchpoint_type,
    journey_stage,
    cast(count(*) as bigint) as touchpoints,
    cast(count(distinct customer_id) as bigint) as customers
from touchpoints
group by occurred_date, channel, touchpoint_type, journey_stage
