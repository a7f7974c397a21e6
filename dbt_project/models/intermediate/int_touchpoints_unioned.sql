{#-
    Every source event in the touchpoint shape, keyed by the source's own user id (identity comes next).
    A view of a content page (var content_path_pattern) is also a content_view of channel content; web
    and app touchpoints carry their session's marketing channel, campaign and landing page.
    A run recomputes every touchpoint of the changed source users (this_run/README.md).
-#}

with

campaigns as (
    select * from {{ ref('stg_mailchimp__campaigns') }}
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

comments as (
    select * from {{ this_run('stg_facebook__comments', 'source_users') }}
),

reviews as (
    select * from {{ this_run('stg_trustpilot__reviews', 'source_users') }}
),

tickets as (
    select * from {{ this_run('int_support_tickets', 'source_users') }}
),

agent_replies as (
    select * from {{ this_run('int_ticket_agent_replies', 'source_users') }}
),

orders as (
    select * from {{ this_run('stg_shopify__orders', 'source_users') }}
),

web_events as (
    select * from {{ this_run('int_web_events_sessionized', 'source_users') }}
),

web_sessions as (
    select * from {{ this_run('int_web_sessions', 'source_users') }}
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
    from recipients
    inner join campaigns on recipients.campaign_id = campaigns.campaign_id
),

email_activity as (
    select
        'mailchimp' as source_system,
        'email' as channel,
        'email_' || action as touchpoint_type,
        activity_id as event_key,
        occurred_at,
        email_id as source_user_id,
        'campaign' as source_object_type,
        campaign_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from email_activities
    where action in ('open', 'click', 'bounce')
),

email_unsubscribe as (
    select
        'mailchimp' as source_system,
        'email' as channel,
        'email_unsubscribe' as touchpoint_type,
        campaign_id || '|' || email_id as event_key,
        unsubscribed_at as occurred_at,
        email_id as source_user_id,
        'campaign' as source_object_type,
        campaign_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from unsubscribes
),

social_comment as (
    select
        'facebook' as source_system,
        'social' as channel,
        'social_comment' as touchpoint_type,
        comment_id as event_key,
        created_at as occurred_at,
        author_id as source_user_id,
        'post' as source_object_type,
        post_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from comments
    where not is_page_reply
),

review_posted as (
    select
        'trustpilot' as source_system,
        'review' as channel,
        'review_posted' as touchpoint_type,
        review_id as event_key,
        created_at as occurred_at,
        reviewer_id as source_user_id,
        'review' as source_object_type,
        review_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        stars as rating
    from reviews
),

ticket_created as (
    select
        'zendesk' as source_system,
        'support' as channel,
        'ticket_created' as touchpoint_type,
        cast(ticket_id as {{ dbt.type_string() }}) as event_key,
        created_at as occurred_at,
        cast(requester_id as {{ dbt.type_string() }}) as source_user_id,
        'ticket' as source_object_type,
        cast(ticket_id as {{ dbt.type_string() }}) as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from tickets
),

ticket_agent_reply as (
    select
        'zendesk' as source_system,
        'support' as channel,
        'ticket_agent_reply' as touchpoint_type,
        cast(comment_id as {{ dbt.type_string() }}) as event_key,
        replied_at as occurred_at,
        cast(requester_id as {{ dbt.type_string() }}) as source_user_id,
        'ticket' as source_object_type,
        cast(ticket_id as {{ dbt.type_string() }}) as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from agent_replies
),

ticket_solved as (
    select
        'zendesk' as source_system,
        'support' as channel,
        'ticket_solved' as touchpoint_type,
        cast(ticket_id as {{ dbt.type_string() }}) as event_key,
        solved_at as occurred_at,
        cast(requester_id as {{ dbt.type_string() }}) as source_user_id,
        'ticket' as source_object_type,
        cast(ticket_id as {{ dbt.type_string() }}) as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from tickets
    where solved_at is not null
),

csat_rating as (
    select
        'zendesk' as source_system,
        'support' as channel,
        'csat_rating' as touchpoint_type,
        cast(ticket_id as {{ dbt.type_string() }}) as event_key,
        csat_rated_at as occurred_at,
        cast(requester_id as {{ dbt.type_string() }}) as source_user_id,
        'ticket' as source_object_type,
        cast(ticket_id as {{ dbt.type_string() }}) as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        case csat_score when 'good' then 5 else 1 end as rating
    from tickets
    where csat_score in ('good', 'bad')
),

order_placed as (
    select
        'shopify' as source_system,
        'commerce' as channel,
        'order_placed' as touchpoint_type,
        cast(order_id as {{ dbt.type_string() }}) as event_key,
        ordered_at as occurred_at,
        buyer_id as source_user_id,
        'order' as source_object_type,
        cast(order_id as {{ dbt.type_string() }}) as source_object_id,
        total_price as revenue,
        cast(null as integer) as rating
    from orders
),

web_view as (
    select
        'web' as source_system,
        case event_type when 'screen' then 'app' else 'web' end as channel,
        case event_type when 'screen' then 'screen_view' else 'page_view' end as touchpoint_type,
        message_id as event_key,
        occurred_at,
        anonymous_id as source_user_id,
        'session' as source_object_type,
        session_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from web_events
    where event_type in ('page', 'screen')
),

content_view as (
    select
        'web' as source_system,
        'content' as channel,
        'content_view' as touchpoint_type,
        message_id as event_key,
        occurred_at,
        anonymous_id as source_user_id,
        'session' as source_object_type,
        session_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from web_events
    where event_type = 'page' and {{ is_content_path('page_path') }}
),

session_started as (
    select
        'web' as source_system,
        platform as channel,
        'session_started' as touchpoint_type,
        session_id as event_key,
        started_at as occurred_at,
        anonymous_id as source_user_id,
        'session' as source_object_type,
        session_id as source_object_id,
        cast(null as decimal(18, 2)) as revenue,
        cast(null as integer) as rating
    from web_sessions
),

unioned as (
    {{ union_by_name(
        ['email_sent', 'email_activity', 'email_unsubscribe', 'social_comment', 'review_posted', 'ticket_created',
         'ticket_agent_reply', 'ticket_solved', 'csat_rating', 'order_placed', 'web_view', 'content_view',
         'session_started'],
        ['source_system', 'channel', 'touchpoint_type', 'event_key', 'occurred_at', 'source_user_id',
         'source_object_type', 'source_object_id', 'revenue', 'rating']
    ) }}
)

select
    md5(unioned.source_system || '|' || unioned.touchpoint_type || '|' || unioned.event_key) as touchpoint_id,
    unioned.occurred_at,
    unioned.source_system,
    unioned.channel,
    unioned.touchpoint_type,
    -- a content_view is a second reading of a page view, not a second act of the customer's
    unioned.touchpoint_type in (
        'email_open', 'email_click', 'email_unsubscribe', 'social_comment', 'review_posted', 'ticket_created',
        'csat_rating', 'order_placed', 'session_started', 'page_view', 'screen_view'
    ) as is_customer_initiated,
    unioned.source_object_type,
    unioned.source_object_id,
    unioned.source_user_id,
    unioned.revenue,
    unioned.rating,
    web_sessions.marketing_channel,
    web_sessions.campaign,
    web_sessions.landing_page,
    {{ batch_at() }} as _batch_at
from unioned
left join web_sessions
    on unioned.source_system = 'web'
    and unioned.source_object_type = 'session'
    and unioned.source_object_id = web_sessions.session_id
