{{ config(unique_key=['ad_id', 'spend_date']) }}

with

source as (
    select * from {{ landed('meta_ads', 'ad_insights') }}
),

renamed as (
    select
        ad_id,
        cast(date_start as date) as spend_date,
        ad_name,
        adset_id,
        adset_name,
        campaign_id,
        campaign_name,
        upper(account_currency) as currency,
        cast(spend as decimal(18, 4)) as spend,
        -- a metric Meta leaves out of a row had nothing to count
        cast(coalesce(impressions, 0) as bigint) as impressions,
        cast(coalesce(clicks, 0) as bigint) as clicks,
        cast(coalesce(link_clicks, 0) as bigint) as link_clicks,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'ds desc') }}
)

select * from deduplicated
