{{ config(unique_key=['user_id']) }}

with

source as (
    select * from {{ landed('zendesk', 'users') }}
),

renamed as (
    select
        user_id,
        {{ normalize_email('email') }} as email_normalized,
        role as user_role,
        role in ('agent', 'admin') as is_agent,
        {{ utc_timestamp('updated_at') }} as updated_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'updated_at desc, ds desc') }}
)

select * from deduplicated
