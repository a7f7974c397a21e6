{{ config(unique_key=['campaign_id', 'email_id']) }}

with

source as (
    select * from {{ landed('mailchimp', 'unsubscribes') }}
),

renamed as (
    select
        campaign_id,
        email_id,
        {{ normalize_email('email_address') }} as email_normalized,
        {{ utc_timestamp('timestamp') }} as unsubscribed_at,
        reason,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
