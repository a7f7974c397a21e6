-- Summed over marketing channels, each day's and platform's sessions and conversions are kpi_web_daily's.
with

channels as (
    select
        session_date,
        platform,
        sum(sessions) as sessions,
        sum(converted_sessions) as converted_sessions
    from {{ ref('kpi_web_channels_daily') }}
    group by session_date, platform
)

select *
from {{ ref('kpi_web_daily') }} as daily
full outer join channels using (session_date, platform)
where daily.sessions is distinct from channels.sessions
    or daily.converted_sessions is distinct from channels.converted_sessions
