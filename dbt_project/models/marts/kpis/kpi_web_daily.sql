with

sessions as (
    select * from {{ ref('int_web_sessions_converted') }}
)

select
    session_date,
    platform,
    cast(count(*) as bigint) as sessions,
    cast(sum(pageviews) as bigint) as pageviews,
    {{ safe_ratio('sum(case when pageviews = 1 then 1 else 0 end)', 'count(*)') }} as bounce_rate,
    cast(avg(duration_seconds) as {{ double_type() }}) as avg_session_seconds,
    cast(sum(case when is_converted then 1 else 0 end) as bigint) as converted_sessions,
    {{ safe_ratio('sum(case when is_converted then 1 else 0 end)', 'count(*)') }} as conversion_rate
from sessions
group by session_date, platform
