{{ config(unique_key=['post_id']) }}

with

source as (
    select * from {{ landed('facebook', 'posts') }}
),

renamed as (
    select
        post_id,
        {{ utc_timestamp('created_time') }} as created_at,
        message,
        permalink_url,
        shares as shares_count,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
