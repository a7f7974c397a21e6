{{ config(unique_key=['message_id']) }}

with

source as (
    select * from {{ landed('web', 'events') }}
),

renamed as (
    select
        message_id,
        event_type,
        anonymous_id,
        nullif(user_id, '') as user_id,
        {{ normalize_email('email') }} as email_normalized,
        name as page_or_screen_name,
        event as track_event_name,
        {{ utc_timestamp('occurred_at') }} as occurred_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
