with

source as (
    select * from {{ source('mailchimp', 'members') }}
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
    {{ newest_version('renamed', ['list_id', 'member_id'], 'last_changed_at desc, ds desc') }}
)

select * from deduplicated
