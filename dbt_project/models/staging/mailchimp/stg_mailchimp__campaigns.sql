{{ config(unique_key=['campaign_id']) }}

with

source as (
    select * from {{ landed('mailchimp', 'campaigns') }}
),

renamed as (
    select
        campaign_id,
        campaign_type,
        status as campaign_status,
        {{ utc_timestamp('send_time') }} as sent_at,
        emails_sent as emails_sent_reported,
        list_id,
        subject_line,
        title as campaign_title,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
