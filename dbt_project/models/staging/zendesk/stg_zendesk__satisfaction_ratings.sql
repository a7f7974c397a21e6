{{ config(unique_key=['rating_id']) }}

with

source as (
    select * from {{ landed('zendesk', 'satisfaction_ratings') }}
),

renamed as (
    select
        rating_id,
        ticket_id,
        requester_id,
        score,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'updated_at desc, ds desc') }}
)

select * from deduplicated
