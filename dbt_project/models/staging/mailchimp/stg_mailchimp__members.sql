{{ config(unique_key=['list_id', 'member_id']) }}

with

source as (
    select * from {{ landed('mailchimp', 'members') }}
),

renamed as (
    select
        member_id,
        list_id,
        {{ normalize_email('email_address') }} as email_normalized,
        status as member_status,
        nullif(upper(country), '') as country_code,
        {{ utc_timestamp('last_changed') }} as last_changed_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'last_changed_at desc, ds desc') }}
)

select * from deduplicated
