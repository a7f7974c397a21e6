{#-
    One row per session; it belongs to the date of its first event, and is `app` if that event is a screen.
    Incremental: a run recomputes the sessions of the visitors with new events.
-#}
{{
    config(
        materialized='incremental',
        unique_key='anonymous_id',
        incremental_strategy='delete+insert',
        meta={'changed_rows': 'web_users'},
    )
}}
-- depends_on: {{ ref('int_changed_source_users') }}

with

sessions as (
    select
        session_id,
        anonymous_id,
        platform,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events,
        sum(case when event_type in ('page', 'screen') then 1 else 0 end) as pageviews
    from {{ ref('int_web_events_sessionized') }}
    where {{ of_changed_users('web', 'anonymous_id', within=ref('int_web_events_sessionized')) }}
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
