{{ config(unique_key=['campaign_id']) }}

with

source as (
    {#- google_analytics came after the connector's first landings: NULL in partitions landed before. -#}
    {{ with_landed_columns(landed('mailchimp', 'campaigns'), {'google_analytics': dbt.type_string()}) }}
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
        -- Mailchimp's "" means not set
        nullif(google_analytics, '') as utm_campaign,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
