{{ config(unique_key=['comment_id']) }}

with

source as (
    select * from {{ landed('facebook', 'comments') }}
),

renamed as (
    select
        comment_id,
        post_id,
        parent_comment_id,
        from_id as author_id,
        coalesce(is_page_reply, false) as is_page_reply,
        {{ utc_timestamp('created_time') }} as created_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
