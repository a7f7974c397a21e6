-- name: first_channel_conversion
-- Which channel do customers first meet us on, and how many of them go on to buy, how fast?
select
    first_touch_channel,
    count(*) as customers,
    round(avg(case when orders > 0 then 1 else 0 end), 3) as share_who_ordered,
    round(median(days_to_first_order), 2) as median_days_to_first_order,
    round(avg(touches_before_first_order), 1) as avg_touches_before_first_order
from marts.customer_journeys
group by first_touch_channel
order by customers desc;

-- name: campaign_revenue_by_model
-- Which e-mail campaigns earn revenue, and how much does the answer depend on the attribution model?
select
    campaigns.campaign_title,
    round(sum(case when model = 'last_touch' then revenue_credit end), 2) as last_touch_revenue,
    round(sum(case when model = 'linear' then revenue_credit end), 2) as linear_revenue,
    round(sum(case when model = 'time_decay' then revenue_credit end), 2) as time_decay_revenue
from marts.fct_attribution as attribution
inner join marts.kpi_email_campaigns as campaigns on attribution.source_object_id = campaigns.campaign_id
where attribution.channel = 'email'
group by campaigns.campaign_title
order by last_touch_revenue desc;

-- name: revenue_by_country_and_stage
-- Where do our repeat customers live, and what are they worth?
select
    coalesce(country_code, 'unknown') as country,
    lifecycle_stage,
    count(*) as customers,
    sum(revenue) as revenue
from marts.dim_customers
where not is_anonymous
group by all
order by revenue desc
limit 8;

-- name: support_speed_and_csat
-- On the days we answered tickets fastest, were customers happier?
select
    created_date,
    tickets_created,
    round(median_first_reply_minutes) as median_first_reply_minutes,
    round(one_touch_resolution_rate, 2) as one_touch_resolution_rate,
    csat_good,
    csat_bad,
    round(csat_score, 2) as csat_score
from marts.kpi_support_daily
order by median_first_reply_minutes;

-- name: what_moved_this_week
-- What moved most this week against the same days of last week?
select
    iso_week,
    days_compared,
    channel,
    kpi_name,
    round(this_week_value, 3) as this_week,
    round(last_week_value, 3) as last_week,
    round(relative_change, 3) as relative_change
from marts.kpi_period_comparison
where week_start = (select max(week_start) from marts.kpi_period_comparison)
order by relative_change is null, abs(relative_change) desc, channel, kpi_name
limit 8;

-- name: conversion_paths
-- Which channel paths lead to a first purchase?
select
    conversion_path,
    sum(customers) as customers,
    sum(buyers) as buyers,
    round(sum(buyers) / sum(customers), 3) as share_who_bought
from marts.kpi_conversion_paths
group by conversion_path
order by customers desc, conversion_path
limit 8;

-- name: revenue_by_marketing_channel
-- Which marketing channels earn the revenue, under a rule-based model and the data-driven one?
select
    marketing_channel,
    round(sum(case when model = 'last_touch' then attributed_revenue end), 2) as last_touch_revenue,
    round(sum(case when model = 'linear' then attributed_revenue end), 2) as linear_revenue,
    round(sum(case when model = 'markov_removal' then attributed_revenue end), 2) as markov_revenue
from marts.kpi_marketing_channel_attribution
group by marketing_channel
order by markov_revenue desc;

-- name: ad_campaign_return
-- What does each ad campaign cost per order, and what does it return per dollar?
select
    campaign_name,
    sum(spend) as spend,
    round(sum(clicks) / sum(impressions), 4) as click_through_rate,
    round(sum(spend) / nullif(sum(clicks), 0), 2) as cost_per_click,
    sum(sessions) as visits,
    round(sum(last_touch_orders), 2) as last_touch_orders,
    round(sum(spend) / nullif(sum(last_touch_orders), 0), 2) as last_touch_cost_per_order,
    round(sum(last_touch_revenue) / nullif(sum(spend), 0), 2) as last_touch_roas,
    round(sum(markov_removal_revenue) / nullif(sum(spend), 0), 2) as markov_roas
from marts.kpi_ad_campaigns
group by campaign_name
order by spend desc;
