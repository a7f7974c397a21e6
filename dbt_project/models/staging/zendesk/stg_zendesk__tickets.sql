{{ config(unique_key=['ticket_id']) }}

with

source as (
    select * from {{ landed('zendesk', 'tickets') }}
),

renamed as (
    select
        ticket_id,
        status as ticket_status,
        status = 'deleted' as is_deleted,
        requester_id,
        channel,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ utc_timestamp('solved_at') }} as solved_at,
        replies as public_replies_reported,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'updated_at desc, ds desc') }}
)

select * from deduplicated
