{#-
    Each Meta ad campaign's days: delivery and spend (Meta's ad insights), the visits its ads' clicks
    brought, and the orders and revenue those visits earn under each attribution model. A session is the
    campaign's when its landing page carries the utm_campaign and utm_content that the campaign's ads set
    (their URL parameters, with the macros Meta fills in on a click); its credits count on the session's
    day, the day of the click, so that a day's spend and what it earned share a row. An order comes up to
    30 days after the click: a recent day's attributed figures still grow.
-#}

with

insights as (
    select * from {{ ref('stg_meta_ads__ad_insights') }}
),

ads as (
    select * from {{ ref('stg_meta_ads__ads') }}
),

sessions as (
    select * from {{ ref('int_web_sessions') }}
    where campaign is not null or campaign_content is not null
),

attribution as (
    select * from {{ ref('fct_attribution') }}
    where channel in ('web', 'app')
),

campaign_names as (
    select campaign_id, campaign_name
    from ({{ newest_version('ads', ['campaign_id'], 'updated_at desc, ad_id') }}) as newest_ads
),

ad_tags as (
    select distinct campaign_id, utm_campaign, utm_content
    from ads
    where utm_campaign is not null or utm_content is not null
),

-- An ad that sets utm_content is known by it (and its utm_campaign, if set); one that does not, by its
-- utm_campaign alone. A session whose tags fit ads of two campaigns is no campaign's.
tagged_sessions as (
    select sessions.session_id, sessions.session_date, ad_tags.campaign_id
    from sessions
    inner join ad_tags
        on sessions.campaign_content = ad_tags.utm_content
        and (ad_tags.utm_campaign is null or ad_tags.utm_campaign = sessions.campaign)
    union all
    select sessions.session_id, sessions.session_date, ad_tags.campaign_id
    from sessions
    inner join ad_tags
        on sessions.campaign = ad_tags.utm_campaign
        and ad_tags.utm_content is null
),

campaign_sessions as (
    select session_id, session_date, min(campaign_id) as campaign_id
    from tagged_sessions
    group by session_id, session_date
    having count(distinct campaign_id) = 1
),

delivery as (
    select
        spend_date as ad_date,
        campaign_id,
        max(campaign_name) as campaign_name,
        max(currency) as currency,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(link_clicks) as link_clicks
    from insights
    group by spend_date, campaign_id
),

visits as (
    select
        session_date as ad_date,
        campaign_id,
        count(*) as sessions
    from campaign_sessions
    group by session_date, campaign_id
),

credits as (
    select
        campaign_sessions.session_date as ad_date,
        campaign_sessions.campaign_id,
        attribution.model,
        {{ sum_in_order('attribution.credit', 'attribution.order_id, attribution.touchpoint_id') }} as orders,
        {{ sum_in_order('attribution.revenue_credit', 'attribution.order_id, attribution.touchpoint_id') }} as revenue
    from attribution
    inner join campaign_sessions on attribution.source_object_id = campaign_sessions.session_id
    group by campaign_sessions.session_date, campaign_sessions.campaign_id, attribution.model
),

credits_by_model as (
    select
        ad_date,
        campaign_id,
        {%- for model in attribution_models() %}
        sum(case when model = '{{ model }}' then orders else 0 end) as {{ model }}_orders,
        sum(case when model = '{{ model }}' then revenue else 0 end) as {{ model }}_revenue
        {{- ',' if not loop.last }}
        {%- endfor %}
    from credits
    group by ad_date, campaign_id
),

campaign_days as (
    select ad_date, campaign_id from delivery
    union
    select ad_date, campaign_id from visits
),

final as (
    select
        campaign_days.ad_date,
        campaign_days.campaign_id,
        coalesce(campaign_names.campaign_name, delivery.campaign_name) as campaign_name,
        delivery.currency,
        cast(coalesce(delivery.spend, 0) as decimal(18, 2)) as spend,
        cast(coalesce(delivery.impressions, 0) as bigint) as impressions,
        cast(coalesce(delivery.clicks, 0) as bigint) as clicks,
        cast(coalesce(delivery.link_clicks, 0) as bigint) as link_clicks,
        cast(coalesce(visits.sessions, 0) as bigint) as sessions,
        {%- for model in attribution_models() %}
        cast(coalesce(credits_by_model.{{ model }}_orders, 0) as {{ double_type() }}) as {{ model }}_orders,
        cast(coalesce(credits_by_model.{{ model }}_revenue, 0) as {{ double_type() }}) as {{ model }}_revenue
        {{- ',' if not loop.last }}
        {%- endfor %}
    from campaign_days
    left join campaign_names on campaign_days.campaign_id = campaign_names.campaign_id
    left join delivery
        on campaign_days.ad_date = delivery.ad_date and campaign_days.campaign_id = delivery.campaign_id
    left join visits on campaign_days.ad_date = visits.ad_date and campaign_days.campaign_id = visits.campaign_id
    left join credits_by_model
        on campaign_days.ad_date = credits_by_model.ad_date
        and campaign_days.campaign_id = credits_by_model.campaign_id
)

select
    ad_date,
    campaign_id,
    campaign_name,
    currency,
    spend,
    impressions,
    clicks,
    link_clicks,
    {{ ad_click_through_rate('clicks', 'impressions') }} as click_through_rate,
    {{ cost_per_click('spend', 'clicks') }} as cost_per_click,
    sessions,
    {%- for model in attribution_models() %}
    {{ model }}_orders,
    {{ model }}_revenue,
    {{ cost_per_order('spend', model ~ '_orders') }} as {{ model }}_cost_per_order,
    {{ return_on_ad_spend(model ~ '_revenue', 'spend') }} as {{ model }}_roas
    {{- ',' if not loop.last }}
    {%- endfor %}
from final
