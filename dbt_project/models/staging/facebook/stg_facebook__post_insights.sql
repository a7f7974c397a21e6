{{ config(unique_key=['post_id']) }}

with

source as (
    select * from {{ landed('facebook', 'post_insights') }}
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
    {{ newest_landed('renamed', 'measured_at desc, ds desc') }}
)

select * from deduplicated
