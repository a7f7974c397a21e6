{#-
    Every source event in the touchpoint shape, keyed by the source's own user id (identity comes next).
    Incremental: a run recomputes every touchpoint of the changed source users (int_changed_source_users);
    the pre-hook first drops their old rows, so touchpoints whose source record went away go too.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_changed(of_changed_source_users()) }}",
        meta={'changed_rows': 'written'},
    )
}}
-- depends_on: {{ ref('int_changed_source_users') }}

with

campaigns as (
    select * from {{ ref('stg_mailchimp__campaigns') }}
),

email_sent as (
    select
        'mailchimp' as source_system,
        'email' as channel,
        'email_sent' as touchpoint_type,
        recipients.campaign_id || '|' || recipients.email_id as event_key,
        campaigns.sent_at as occurred_at,
        recipients.email_id as source_user_id,
        'campaign' as source_object_type,
        recipients.campaign_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from {{ ref('stg_mailchimp__recipients') }} as recipients
    inner join campaigns on recipients.campaign_id = campaigns.campaign_id
    where {{ of_changed_users('mailchimp', 'recipients.email_id') }}
),

email_activity as (
    select
        'mailchimp', 'email', 'email_' || action, activity_id, occurred_at, email_id,
        'campaign', campaign_id, cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('stg_mailchimp__email_activities') }}
    where action in ('open', 'click', 'bounce') and {{ of_changed_users('mailchimp', 'email_id') }}
),

email_unsubscribe as (
    select
        'mailchimp', 'email', 'email_unsubscribe', campaign_id || '|' || email_id, unsubscribed_at, email_id,
        'campaign', campaign_id, cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('stg_mailchimp__unsubscribes') }}
    where {{ of_changed_users('mailchimp', 'email_id') }}
),

social_comment as (
    select
        'facebook', 'social', 'social_comment', comment_id, created_at, author_id,
        'post', post_id, cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('stg_facebook__comments') }}
    where not is_page_reply and {{ of_changed_users('facebook', 'author_id') }}
),

review_posted as (
    select
        'trustpilot', 'review', 'review_posted', review_id, created_at, coalesce(consumer_id, 'review-' || review_id),
        'review', review_id, cast(null as decimal(18, 2)), stars
    from {{ ref('stg_trustpilot__reviews') }}
    where {{ of_changed_users('trustpilot', "coalesce(consumer_id, 'review-' || review_id)") }}
),

ticket_created as (
    select
        'zendesk', 'support', 'ticket_created', cast(ticket_id as varchar), created_at,
        cast(requester_id as varchar), 'ticket', cast(ticket_id as varchar),
        cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('int_support_tickets') }}
    where {{ of_changed_users('zendesk', 'cast(requester_id as varchar)') }}
),

ticket_agent_reply as (
    select
        'zendesk', 'support', 'ticket_agent_reply', cast(comment_id as varchar), replied_at,
        cast(requester_id as varchar), 'ticket', cast(ticket_id as varchar),
        cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('int_ticket_agent_replies') }}
    where {{ of_changed_users('zendesk', 'cast(requester_id as varchar)') }}
),

ticket_solved as (
    select
        'zendesk', 'support', 'ticket_solved', cast(ticket_id as varchar), solved_at,
        cast(requester_id as varchar), 'ticket', cast(ticket_id as varchar),
        cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('int_support_tickets') }}
    where solved_at is not null and {{ of_changed_users('zendesk', 'cast(requester_id as varchar)') }}
),

csat_rating as (
    select
        'zendesk', 'support', 'csat_rating', cast(ticket_id as varchar), csat_rated_at,
        cast(requester_id as varchar), 'ticket', cast(ticket_id as varchar),
        cast(null as decimal(18, 2)), case csat_score when 'good' then 5 else 1 end
    from {{ ref('int_support_tickets') }}
    where csat_score in ('good', 'bad') and {{ of_changed_users('zendesk', 'cast(requester_id as varchar)') }}
),

order_placed as (
    select
        'shopify', 'commerce', 'order_placed', cast(order_id as varchar), ordered_at,
        {{ shopify_user_id('customer_id', 'order_id') }}, 'order', cast(order_id as varchar),
        total_price, cast(null as integer)
    from {{ ref('stg_shopify__orders') }}
    where {{ of_changed_users('shopify', shopify_user_id('customer_id', 'order_id')) }}
),

web_views as (
    select
        'web',
        case event_type when 'screen' then 'app' else 'web' end,
        case event_type when 'screen' then 'screen_view' else 'page_view' end,
        message_id, occurred_at, anonymous_id,
        'session', session_id, cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('int_web_events_sessionized') }}
    where event_type in ('page', 'screen') and {{ of_changed_users('web', 'anonymous_id', within=ref('int_web_events_sessionized')) }}
),

session_started as (
    select
        'web', platform, 'session_started', session_id, started_at, anonymous_id,
        'session', session_id, cast(null as decimal(18, 2)), cast(null as integer)
    from {{ ref('int_web_sessions') }}
    where {{ of_changed_users('web', 'anonymous_id', within=ref('int_web_sessions')) }}
),

unioned as (
    select * from email_sent
    union all select * from email_activity
    union all select * from email_unsubscribe
    union all select * from social_comment
    union all select * from review_posted
    union all select * from ticket_created
    union all select * from ticket_agent_reply
    union all select * from ticket_solved
    union all select * from csat_rating
    union all select * from order_placed
    union all select * from web_views
    union all select * from session_started
)

select
    md5(source_system || '|' || touchpoint_type || '|' || event_key) as touchpoint_id,
    occurred_at,
    source_system,
    channel,
    touchpoint_type,
    touchpoint_type in (
        'email_open', 'email_click', 'email_unsubscribe', 'social_comment', 'review_posted', 'ticket_created',
        'csat_rating', 'order_placed', 'session_started', 'page_view', 'screen_view'
    ) as is_customer_initiated,
    source_object_type,
    source_object_id,
    source_user_id,
    revenue,
    rating,
    {{ batch_at() }} as _batch_at
from unioned
