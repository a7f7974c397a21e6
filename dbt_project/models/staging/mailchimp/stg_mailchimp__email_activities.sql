{{ config(unique_key=['activity_id']) }}

with

source as (
    select * from {{ landed('mailchimp', 'email_activity') }}
),

renamed as (
    select
        md5(campaign_id || '|' || email_id || '|' || action || '|' || {{ utc_instant_text('occurred_at') }}) as activity_id,
        campaign_id,
        email_id,
        {{ normalize_email('email_address') }} as email_normalized,
        action,
        nullif(action_type, '') as bounce_type,
        {{ utc_timestamp('occurred_at') }} as occurred_at,
        url,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
