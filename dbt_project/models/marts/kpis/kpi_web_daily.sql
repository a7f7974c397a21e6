with

sessions as (
    select * from {{ ref('int_web_sessions_converted') }}
)

select
    session_date,
    platform,
    cast(count(*) as bigint) as sessions,
    cast(sum(pageviews) as bigint) as pageviews,
    {{ session_bounce_rate() }} as bounce_rate,
    {{ avg_session_seconds() }} as avg_session_seconds,
    cast({{ count_where('is_converted') }} as bigint) as converted_sessions,
    {{ conversion_rate() }} as conversion_rate
from sessions
group by session_date, platform
