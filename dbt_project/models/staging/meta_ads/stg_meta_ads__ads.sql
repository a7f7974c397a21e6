{{ config(unique_key=['ad_id']) }}

with

source as (
    select * from {{ landed('meta_ads', 'ads') }}
),

renamed as (
    select
        ad_id,
        ad_name,
        adset_id,
        adset_name,
        campaign_id,
        campaign_name,
        creative_id,
        effective_status,
        url_tags,
        {{ url_parameter('url_tags', 'utm_source') }} as utm_source,
        {{ url_parameter('url_tags', 'utm_medium') }} as utm_medium,
        {{ meta_url_macros_filled(url_parameter('url_tags', 'utm_campaign')) }} as utm_campaign,
        {{ meta_url_macros_filled(url_parameter('url_tags', 'utm_content')) }} as utm_content,
        {{ utc_timestamp('updated_time') }} as updated_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'updated_at desc, ds desc') }}
)

select * from deduplicated
