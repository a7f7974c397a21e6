select
    occurred_date,
    channel,
    touchpoint_type,
    journey_stage,
    cast(count(*) as bigint) as touchpoints,
    cast(count(distinct customer_id) as bigint) as customers
from {{ ref('fct_touchpoints') }}
group by occurred_date, channel, touchpoint_type, journey_stage
