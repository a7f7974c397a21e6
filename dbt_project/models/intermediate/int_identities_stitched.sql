{#-
    One row per (source_system, source_user_id): the e-mail it is linked to anywhere, and the customer_id.
    An id linked to several addresses takes the alphabetically first one, so the result is deterministic.
-#}
with

web_user_emails as (
    select
        user_id,
        min(email_normalized) as email_normalized
    from {{ ref('stg_web__events') }}
    where user_id is not null and email_normalized is not null
    group by user_id
),

web_links as (
    select
        events.anonymous_id as source_user_id,
        coalesce(events.email_normalized, web_user_emails.email_normalized) as email_normalized
    from {{ ref('stg_web__events') }} as events
    left join web_user_emails on events.user_id = web_user_emails.user_id
),

links as (
    select 'mailchimp' as source_system, email_id as source_user_id, email_normalized
    from {{ ref('stg_mailchimp__recipients') }}
    union all
    select 'mailchimp', email_id, email_normalized from {{ ref('stg_mailchimp__email_activities') }}
    union all
    select 'mailchimp', email_id, email_normalized from {{ ref('stg_mailchimp__unsubscribes') }}
    union all
    select 'mailchimp', member_id, email_normalized from {{ ref('stg_mailchimp__members') }}
    union all
    select 'zendesk', cast(user_id as varchar), email_normalized from {{ ref('stg_zendesk__users') }}
    union all
    select 'zendesk', cast(requester_id as varchar), cast(null as varchar) from {{ ref('stg_zendesk__tickets') }}
    union all
    select
        'shopify',
        {{ shopify_user_id('customer_id', 'order_id') }},
        email_normalized
    from {{ ref('stg_shopify__orders') }}
    union all
    select 'trustpilot', coalesce(consumer_id, 'review-' || review_id), email_normalized
    from {{ ref('stg_trustpilot__reviews') }}
    union all
    select 'facebook', author_id, cast(null as varchar) from {{ ref('stg_facebook__comments') }}
    union all
    select 'web', source_user_id, email_normalized from web_links
),

resolved as (
    select
        source_system,
        source_user_id,
        min(email_normalized) as email_normalized
    from links
    where source_user_id is not null
    group by source_system, source_user_id
)

select
    source_system,
    source_user_id,
    email_normalized,
    {{ customer_key('email_normalized', 'source_system', 'source_user_id') }} as customer_id
from resolved
