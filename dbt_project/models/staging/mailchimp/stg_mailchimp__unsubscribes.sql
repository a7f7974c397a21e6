with

source as (
    select * from {{ source('mailchimp', 'unsubscribes') }}
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
    {{ newest_version('renamed', ['campaign_id', 'email_id']) }}
)

select * from deduplicated
