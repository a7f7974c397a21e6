{#-
    Source users (source_system, source_user_id) whose identity links or touchpoints may have changed
    since the last complete build: the users of every changed staging row, every user of a web login
    (user_id) that gained an e-mail, every recipient of a changed campaign, the requesters of changed
    tickets (int_changed_tickets), and the users that held a changed ticket or order before (one can
    move to another requester or customer; read from the touchpoint union as it stands before this build
    updates it). Incremental models recompute exactly these users; on a full refresh it lists everyone.
-#}
{%- set held = graph_relation('int_touchpoints_unioned') %}  {#- as the last build left it: no ref(), it comes after #}

with

changed_web_events as (
    select anonymous_id, user_id, email_normalized
    from {{ ref('stg_web__events') }}
    where {{ changed_since_last_build() }}
),

web_users as (
    select anonymous_id as source_user_id from changed_web_events
    union all
    select events.anonymous_id
    from {{ ref('stg_web__events') }} as events
    where events.user_id in (
        select user_id from changed_web_events where user_id is not null and email_normalized is not null
    )
),

users as (
    select 'web' as source_system, source_user_id from web_users
    union all
    select 'mailchimp', email_id from {{ ref('stg_mailchimp__recipients') }} where {{ changed_since_last_build() }}
    union all
    select 'mailchimp', recipients.email_id
    from {{ ref('stg_mailchimp__recipients') }} as recipients
    inner join {{ ref('stg_mailchimp__campaigns') }} as campaigns on recipients.campaign_id = campaigns.campaign_id
    where {{ changed_since_last_build('campaigns._batch_at') }}
    union all
    select 'mailchimp', email_id from {{ ref('stg_mailchimp__email_activities') }} where {{ changed_since_last_build() }}
    union all
    select 'mailchimp', email_id from {{ ref('stg_mailchimp__unsubscribes') }} where {{ changed_since_last_build() }}
    union all
    select 'mailchimp', member_id from {{ ref('stg_mailchimp__members') }} where {{ changed_since_last_build() }}
    union all
    select 'zendesk', cast(user_id as {{ dbt.type_string() }}) from {{ ref('stg_zendesk__users') }} where {{ changed_since_last_build() }}
    union all
    select 'zendesk', cast(requester_id as {{ dbt.type_string() }})
    from {{ ref('stg_zendesk__tickets') }}
    where ticket_id in (select ticket_id from {{ ref('int_changed_tickets') }})
    union all
    select 'shopify', buyer_id
    from {{ ref('stg_shopify__orders') }}
    where {{ changed_since_last_build() }}
    union all
    select 'trustpilot', reviewer_id
    from {{ ref('stg_trustpilot__reviews') }}
    where {{ changed_since_last_build() }}
    union all
    select 'facebook', author_id from {{ ref('stg_facebook__comments') }} where {{ changed_since_last_build() }}
    {%- if incremental_build() and table_exists(held) %}
    union all
    select source_system, source_user_id
    from {{ held }}
    where source_system = 'zendesk' and source_object_id in (select cast(ticket_id as {{ dbt.type_string() }}) from {{ ref('int_changed_tickets') }})
    union all
    select source_system, source_user_id
    from {{ held }}
    where source_system = 'shopify' and source_object_id in (
        select cast(order_id as {{ dbt.type_string() }}) from {{ ref('stg_shopify__orders') }} where {{ changed_since_last_build() }}
    )
    {%- endif %}
)

select distinct
    source_system,
    source_user_id
from users
where source_user_id is not null
