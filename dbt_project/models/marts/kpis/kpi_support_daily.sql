with

tickets as (
    select * from {{ ref('int_support_tickets') }}
)

select
    created_date,
    count(*) as tickets_created,
    cast(sum(case when solved_at is not null then 1 else 0 end) as bigint) as tickets_solved,
    {{ median('first_reply_minutes') }} as median_first_reply_minutes,
    {{ percentile('first_reply_minutes', 0.9) }} as p90_first_reply_minutes,
    {{ median('full_resolution_hours') }} as median_full_resolution_hours,
    {{ safe_ratio(
        'sum(case when solved_at is not null and public_agent_replies = 1 then 1 else 0 end)',
        'sum(case when solved_at is not null then 1 else 0 end)'
    ) }} as one_touch_resolution_rate,
    cast(sum(case when csat_score = 'good' then 1 else 0 end) as bigint) as csat_good,
    cast(sum(case when csat_score = 'bad' then 1 else 0 end) as bigint) as csat_bad,
    {{ safe_ratio(
        "sum(case when csat_score = 'good' then 1 else 0 end)",
        "sum(case when csat_score in ('good', 'bad') then 1 else 0 end)"
    ) }} as csat_score
from tickets
group by created_date
