{#-
    Page, screen and track events with their session: the events of one anonymous_id with no gap of
    30 minutes or more between consecutive events. A run re-sessionizes the whole history of the
    visitors with new events (this_run/README.md).
-#}
{{ config(unique_key='anonymous_id', incremental_strategy='delete+insert') }}

with

events as (
    select
        message_id,
        anonymous_id,
        event_type,
        occurred_at,
        page_path,
        referrer_host,
        campaign_source,
        campaign_medium,
        campaign_name,
        campaign_content,
        click_id
    from {{ this_run('stg_web__events', 'source_users') }}
    where event_type in ('page', 'screen', 'track')
),

with_previous as (
    select
        *,
        lag(occurred_at) over (partition by anonymous_id order by occurred_at, message_id) as previous_at
    from events
),

flagged as (
    select
        *,
        case
            when previous_at is null then 1
            when occurred_at >= {{ dbt.dateadd('minute', 30, 'previous_at') }} then 1
            else 0
        end as starts_session
    from with_previous
),

numbered as (
    select
        *,
        sum(starts_session) over (
            partition by anonymous_id order by occurred_at, message_id
            rows between unbounded preceding and current row
        ) as session_number
    from flagged
),

with_session_start as (
    select
        *,
        min(occurred_at) over (partition by anonymous_id, session_number) as session_started_at,
        first_value(event_type) over (
            partition by anonymous_id, session_number order by occurred_at, message_id
            rows between unbounded preceding and unbounded following
        ) as session_first_event_type
    from numbered
)

select
    message_id,
    anonymous_id,
    event_type,
    occurred_at,
    md5(anonymous_id || '|' || cast(session_started_at as {{ dbt.type_string() }})) as session_id,
    session_started_at,
    case when session_first_event_type = 'screen' then 'app' else 'web' end as platform,
    page_path,
    referrer_host,
    campaign_source,
    campaign_medium,
    campaign_name,
    campaign_content,
    click_id
from with_session_start
