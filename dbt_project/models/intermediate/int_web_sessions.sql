{#-
    One row per session; it belongs to the date of its first event, and is `app` if that event is a screen.
    A run recomputes the sessions of the visitors with new events (this_run/README.md).
-#}
{{ config(unique_key='anonymous_id', incremental_strategy='delete+insert') }}

with

events as (
    select * from {{ this_run('int_web_events_sessionized', 'source_users') }}
),

sessions as (
    select
        session_id,
        anonymous_id,
        platform,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events,
        sum(case when event_type in ('page', 'screen') then 1 else 0 end) as pageviews
    from events
    group by session_id, anonymous_id, platform
)

select
    session_id,
    anonymous_id,
    platform,
    started_at,
    ended_at,
    cast(started_at as date) as session_date,
    events,
    pageviews,
    {{ seconds_between('started_at', 'ended_at') }} as duration_seconds
from sessions
