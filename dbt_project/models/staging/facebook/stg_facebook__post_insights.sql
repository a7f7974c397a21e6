with

source as (
    select * from {{ source('facebook', 'post_insights') }}
),

renamed as (
    select
        post_id,
        impressions,
        reach,
        reactions,
        link_clicks,
        {{ utc_timestamp('as_of') }} as measured_at,
        ds
    from source
),

deduplicated as (
    {{ newest_version('renamed', ['post_id'], 'measured_at desc, ds desc') }}
)

select * from deduplicated
