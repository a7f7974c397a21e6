{#-
    One row per session; it belongs to the date of its first event, and is `app` if that event is a screen.
    Its first event says where it came from: marketing channel (macros/marketing_channels.sql), campaign
    (utm_campaign), campaign content (utm_content: the ad, for a Meta ad's click) and landing page.
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
),

first_events as (
    {{ newest_version('events', ['session_id'], 'occurred_at, message_id') }}
)

select
    sessions.session_id,
    sessions.anonymous_id,
    sessions.platform,
    sessions.started_at,
    sessions.ended_at,
    cast(sessions.started_at as date) as session_date,
    sessions.events,
    sessions.pageviews,
    {{ seconds_between('sessions.started_at', 'sessions.ended_at') }} as duration_seconds,
    {{ marketing_channel(
        'first_events.campaign_source', 'first_events.campaign_medium', 'first_events.referrer_host',
        'first_events.click_id'
    ) }} as marketing_channel,
    first_events.campaign_name as campaign,
    first_events.campaign_content,
    first_events.page_path as landing_page
from sessions
inner join first_events on sessions.session_id = first_events.session_id
