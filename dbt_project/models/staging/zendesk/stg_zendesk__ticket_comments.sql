{{ config(unique_key=['comment_id']) }}

with

source as (
    select * from {{ landed('zendesk', 'ticket_comments') }}
),

renamed as (
    select
        comment_id,
        ticket_id,
        author_id,
        coalesce(is_public, false) as is_public,
        {{ utc_timestamp('created_at') }} as created_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
