{#- A run recomputes the campaigns whose KPIs may have changed (this_run/README.md). -#}
{{ config(unique_key='campaign_id') }}

with

campaigns as (
    select * from {{ this_run('stg_mailchimp__campaigns', 'campaigns') }}
),

recipients as (
    select * from {{ this_run('stg_mailchimp__recipients', 'campaigns') }}
),

activities as (
    select * from {{ this_run('stg_mailchimp__email_activities', 'campaigns') }}
),

unsubscribes as (
    select * from {{ this_run('stg_mailchimp__unsubscribes', 'campaigns') }}
),

attribution as (
    select * from {{ this_run('fct_attribution', 'campaigns') }}
),

-- Last-touch credits of visits from a campaign's e-mails: read whole, joined to this run's campaigns.
email_visit_credits as (
    select * from {{ ref('fct_attribution') }}
    where model = 'last_touch' and marketing_channel = 'email' and channel in ('web', 'app')
),

email_visits as (
    select session_id, started_at, campaign
    from {{ ref('int_web_sessions') }}
    where campaign is not null and session_id in (select source_object_id from email_visit_credits)
),

every_campaign as (
    select campaign_id, sent_at, utm_campaign from {{ ref('stg_mailchimp__campaigns') }}
    where utm_campaign is not null
),

-- A visit came from the last campaign sent before it under its utm_campaign (a recurring campaign may
-- reuse one): sends and visits of a slug in time order, each visit after the sends counted so far.
slug_timeline as (
    select utm_campaign as slug, sent_at as happened_at, campaign_id, cast(null as {{ dbt.type_string() }}) as session_id
    from every_campaign
    union all
    select campaign, started_at, cast(null as {{ dbt.type_string() }}), session_id
    from email_visits
),

sends_so_far as (
    select
        *,
        count(campaign_id) over (
            partition by slug
            order by happened_at, case when campaign_id is null then 1 else 0 end, campaign_id
            rows between unbounded preceding and current row
        ) as sends
    from slug_timeline
),

visit_campaigns as (
    select session_id, campaign_id
    from (
        select session_id, max(campaign_id) over (partition by slug, sends) as campaign_id
        from sends_so_far
    ) as latest_send
    where session_id is not null and campaign_id is not null
),

bounced as (
    select campaign_id, email_id from recipients where is_bounced
    union
    select campaign_id, email_id from activities where action = 'bounce'
),

sends as (
    select
        campaign_id,
        count(distinct email_id) as emails_sent
    from recipients
    group by campaign_id
),

bounce_counts as (
    select
        campaign_id,
        count(*) as bounces
    from bounced
    group by campaign_id
),

engagement as (
    select
        campaign_id,
        count(distinct case when action = 'open' then email_id end) as unique_opens,
        count(distinct case when action = 'click' then email_id end) as unique_clicks
    from activities
    group by campaign_id
),

unsubscribe_counts as (
    select
        campaign_id,
        count(distinct email_id) as unsubscribes
    from unsubscribes
    group by campaign_id
),

counts as (
    select
        campaigns.campaign_id,
        coalesce(sends.emails_sent, 0) as emails_sent,
        coalesce(bounce_counts.bounces, 0) as bounces,
        coalesce(engagement.unique_opens, 0) as unique_opens,
        coalesce(engagement.unique_clicks, 0) as unique_clicks,
        coalesce(unsubscribe_counts.unsubscribes, 0) as unsubscribes
    from campaigns
    left join sends on campaigns.campaign_id = sends.campaign_id
    left join bounce_counts on campaigns.campaign_id = bounce_counts.campaign_id
    left join engagement on campaigns.campaign_id = engagement.campaign_id
    left join unsubscribe_counts on campaigns.campaign_id = unsubscribe_counts.campaign_id
),

last_touch as (
    select
        source_object_id as campaign_id,
        sum(credit) as attributed_orders,
        sum(revenue_credit) as attributed_revenue
    from attribution
    where model = 'last_touch' and channel = 'email'
    group by source_object_id
),

visit_last_touch as (
    select
        campaigns.campaign_id,
        {{ sum_in_order('email_visit_credits.credit', 'email_visit_credits.order_id, email_visit_credits.touchpoint_id') }} as attributed_orders,
        {{ sum_in_order('email_visit_credits.revenue_credit', 'email_visit_credits.order_id, email_visit_credits.touchpoint_id') }} as attributed_revenue
    from email_visit_credits
    inner join visit_campaigns on email_visit_credits.source_object_id = visit_campaigns.session_id
    inner join campaigns on visit_campaigns.campaign_id = campaigns.campaign_id
    group by campaigns.campaign_id
)

select
    campaigns.campaign_id,
    campaigns.campaign_title,
    campaigns.subject_line,
    campaigns.sent_at,
    counts.emails_sent,
    counts.bounces,
    counts.emails_sent - counts.bounces as delivered,
    counts.unique_opens,
    counts.unique_clicks,
    counts.unsubscribes,
    {{ safe_ratio('counts.unique_opens', 'counts.emails_sent - counts.bounces') }} as open_rate,
    {{ safe_ratio('counts.unique_clicks', 'counts.emails_sent - counts.bounces') }} as click_rate,
    {{ safe_ratio('counts.unique_clicks', 'counts.unique_opens') }} as click_to_open_rate,
    {{ safe_ratio('counts.bounces', 'counts.emails_sent') }} as bounce_rate,
    {{ safe_ratio('counts.unsubscribes', 'counts.emails_sent - counts.bounces') }} as unsubscribe_rate,
    cast(coalesce(last_touch.attributed_orders, 0) as {{ double_type() }}) as attributed_orders,
    cast(coalesce(last_touch.attributed_revenue, 0) as decimal(18, 2)) as attributed_revenue,
    cast(coalesce(visit_last_touch.attributed_orders, 0) as {{ double_type() }}) as visit_attributed_orders,
    cast(coalesce(visit_last_touch.attributed_revenue, 0) as decimal(18, 2)) as visit_attributed_revenue
from campaigns
inner join counts on campaigns.campaign_id = counts.campaign_id
left join last_touch on campaigns.campaign_id = last_touch.campaign_id
left join visit_last_touch on campaigns.campaign_id = visit_last_touch.campaign_id
