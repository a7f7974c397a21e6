with

source as (
    select * from {{ source('facebook', 'posts') }}
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
    {{ newest_version('renamed', ['post_id']) }}
)

select * from deduplicated
