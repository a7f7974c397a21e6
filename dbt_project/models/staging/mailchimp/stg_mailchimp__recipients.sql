{{ config(unique_key=['campaign_id', 'email_id']) }}

with

source as (
    select * from {{ landed('mailchimp', 'sent_to') }}
),

renamed as (
    select
        campaign_id,
        email_id,
        {{ normalize_email('email_address') }} as email_normalized,
        status as delivery_status,
        status in ('hard', 'soft') as is_bounced,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
