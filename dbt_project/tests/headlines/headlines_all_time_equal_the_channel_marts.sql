{#- The uncut all-time headlines equal the channel marts summed over the landed days: the same rows, the
    same formulas. Fails with the KPIs that differ. -#}
{%- set landed = "(select cast(min(ds) as date) from " ~ ref('stg_landing__partitions') ~ ") and (select cast(max(ds) as date) from " ~ ref('stg_landing__partitions') ~ ")" %}
with

headlines as (
    select channel, kpi_name, current_value
    from {{ ref('kpi_headlines') }}
    where period = 'all_time' and lifecycle_stage = '(all)' and first_channel = '(all)' and country_code = '(all)'
),

campaigns as (
    select * from {{ ref('kpi_email_campaigns') }} where cast(sent_at as date) between {{ landed }}
),

marts as (
    select 'email' as channel, 'emails_sent' as kpi_name, cast(sum(emails_sent) as {{ double_type() }}) as mart_value from campaigns
    union all select 'email', 'open_rate', {{ open_rate('sum(unique_opens)', 'sum(delivered)') }} from campaigns
    union all select 'email', 'click_rate', {{ click_rate('sum(unique_clicks)', 'sum(delivered)') }} from campaigns
    union all select 'email', 'unsubscribe_rate', {{ unsubscribe_rate('sum(unsubscribes)', 'sum(delivered)') }} from campaigns
    union all select 'support', 'tickets_created', cast(sum(tickets_created) as {{ double_type() }}) from {{ ref('kpi_support_daily') }} where created_date between {{ landed }}
    union all select 'review', 'reviews', cast(sum(reviews) as {{ double_type() }}) from {{ ref('kpi_reviews_daily') }} where review_date between {{ landed }}
    union all select platform, 'sessions', cast(sum(sessions) as {{ double_type() }}) from {{ ref('kpi_web_daily') }} where session_date between {{ landed }} group by platform
    union all select 'commerce', 'orders', cast(sum(touchpoints) as {{ double_type() }}) from {{ ref('kpi_touchpoints_daily') }} where touchpoint_type = 'order_placed' and occurred_date between {{ landed }}
)

select marts.channel, marts.kpi_name, marts.mart_value, headlines.current_value
from marts
left join headlines on marts.channel = headlines.channel and marts.kpi_name = headlines.kpi_name
where marts.mart_value is not null
    and (headlines.current_value is null or abs(headlines.current_value - marts.mart_value) > 1e-9)
