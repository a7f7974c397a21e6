{{ config(unique_key=['message_id']) }}

{#- Columns the connector added after its first landings: NULL in partitions landed before. -#}
{%- set page_columns = {
    'page_path': dbt.type_string(), 'page_url': dbt.type_string(), 'page_title': dbt.type_string(), 'referrer': dbt.type_string(),
    'campaign_source': dbt.type_string(), 'campaign_medium': dbt.type_string(), 'campaign_name': dbt.type_string(),
    'campaign_term': dbt.type_string(), 'campaign_content': dbt.type_string()
} %}

with

source as (
    {{ with_landed_columns(landed('web', 'events'), page_columns) }}
),

with_query as (
    select
        *,
        {{ url_query_string('page_url') }} as page_query
    from source
),

renamed as (
    select
        message_id,
        event_type,
        anonymous_id,
        nullif(user_id, '') as user_id,
        {{ normalize_email('email') }} as email_normalized,
        name as page_or_screen_name,
        event as track_event_name,
        {{ utc_timestamp('occurred_at') }} as occurred_at,
        nullif(page_path, '') as page_path,
        nullif(page_url, '') as page_url,
        nullif(page_title, '') as page_title,
        nullif(referrer, '') as referrer,
        {{ url_host('referrer') }} as referrer_host,
        -- UTM tags: Segment's context.campaign, else the page URL's own (a source that sends only the URL)
        coalesce(nullif(campaign_source, ''), {{ url_parameter('page_query', 'utm_source') }}) as campaign_source,
        coalesce(nullif(campaign_medium, ''), {{ url_parameter('page_query', 'utm_medium') }}) as campaign_medium,
        coalesce(nullif(campaign_name, ''), {{ url_parameter('page_query', 'utm_campaign') }}) as campaign_name,
        coalesce(nullif(campaign_term, ''), {{ url_parameter('page_query', 'utm_term') }}) as campaign_term,
        coalesce(nullif(campaign_content, ''), {{ url_parameter('page_query', 'utm_content') }}) as campaign_content,
        {{ url_parameter('page_query', 'gclid') }} as click_id,
        ds
    from with_query
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
