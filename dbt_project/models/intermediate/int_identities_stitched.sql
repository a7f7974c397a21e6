{#-
    One row per (source_system, source_user_id): the e-mail it is linked to anywhere, the customer_id, and
    whether the id is one of the brand's own (a Zendesk agent or admin, the Facebook Page that replies
    under its posts): a customer with such an id is nobody's customer.
    An id linked to several addresses takes the alphabetically first one, so the result is deterministic.
    A run recomputes the changed source users from all their links (this_run/README.md), and keeps in
    previous_customer_id their customer as of the last complete build: it reads its own rows, so it
    replaces them by key after it has read them.
-#}
{{ config(unique_key=['source_system', 'source_user_id'], incremental_strategy='delete+insert') }}

with

web_events as (
    select anonymous_id, user_id, email_normalized
    from {{ this_run('stg_web__events', 'source_users') }}
),

recipients as (
    select * from {{ this_run('stg_mailchimp__recipients', 'source_users') }}
),

email_activities as (
    select * from {{ this_run('stg_mailchimp__email_activities', 'source_users') }}
),

unsubscribes as (
    select * from {{ this_run('stg_mailchimp__unsubscribes', 'source_users') }}
),

members as (
    select * from {{ this_run('stg_mailchimp__members', 'source_users') }}
),

zendesk_users as (
    select * from {{ this_run('stg_zendesk__users', 'source_users') }}
),

tickets as (
    select * from {{ this_run('stg_zendesk__tickets', 'source_users') }}
),

orders as (
    select * from {{ this_run('stg_shopify__orders', 'source_users') }}
),

reviews as (
    select * from {{ this_run('stg_trustpilot__reviews', 'source_users') }}
),

comments as (
    select * from {{ this_run('stg_facebook__comments', 'source_users') }}
),

web_user_emails as (
    select
        user_id,
        min(email_normalized) as email_normalized
    from {{ ref('stg_web__events') }}
    where user_id is not null and email_normalized is not null
        and user_id in (select user_id from web_events)
    group by user_id
),

web_links as (
    select
        web_events.anonymous_id as source_user_id,
        coalesce(web_events.email_normalized, web_user_emails.email_normalized) as email_normalized
    from web_events
    left join web_user_emails on web_events.user_id = web_user_emails.user_id
),

links as (
    select 'mailchimp' as source_system, email_id as source_user_id, email_normalized, false as is_brand
    from recipients
    union all
    select 'mailchimp', email_id, email_normalized, false from email_activities
    union all
    select 'mailchimp', email_id, email_normalized, false from unsubscribes
    union all
    select 'mailchimp', member_id, email_normalized, false from members
    union all
    select 'zendesk', cast(user_id as {{ dbt.type_string() }}), email_normalized, is_agent from zendesk_users
    union all
    select 'zendesk', cast(requester_id as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}), false from tickets
    union all
    select 'shopify', buyer_id, email_normalized, false from orders
    union all
    select 'trustpilot', reviewer_id, email_normalized, false from reviews
    union all
    select 'facebook', author_id, cast(null as {{ dbt.type_string() }}), is_page_reply from comments
    union all
    select 'web', source_user_id, email_normalized, false from web_links
),

resolved as (
    select
        source_system,
        source_user_id,
        min(email_normalized) as email_normalized,
        bool_or(coalesce(is_brand, false)) as is_brand
    from links
    where source_user_id is not null
    group by source_system, source_user_id
)

select
    resolved.source_system,
    resolved.source_user_id,
    resolved.email_normalized,
    {{ customer_key('resolved.email_normalized', 'resolved.source_system', 'resolved.source_user_id') }} as customer_id,
    resolved.is_brand,
    {%- if is_incremental() %}
    case
        when {{ changed_since_last_build('held._batch_at') }} then held.previous_customer_id
        else held.customer_id
    end as previous_customer_id,
    {%- else %}
    cast(null as {{ dbt.type_string() }}) as previous_customer_id,
    {%- endif %}
    {{ batch_at() }} as _batch_at
from resolved
{%- if is_incremental() %}
left join {{ held_rows('source_users') }} as held
    on resolved.source_system = held.source_system and resolved.source_user_id = held.source_user_id
{%- endif %}
