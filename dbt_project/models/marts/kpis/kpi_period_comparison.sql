{#-
    This ISO week against the one before, per channel and KPI. Weekly values are recomputed from the
    underlying rows (ratios of sums, medians of the week's tickets), never averaged from daily rates.
-#}
with

email as (
    select
        {{ week_start('sent_at') }} as week_start,
        sum(emails_sent) as emails_sent,
        sum(delivered) as delivered,
        sum(unique_opens) as unique_opens,
        sum(unique_clicks) as unique_clicks,
        sum(bounces) as bounces,
        sum(unsubscribes) as unsubscribes
    from {{ ref('kpi_email_campaigns') }}
    group by 1
),

social as (
    select
        {{ week_start('created_at') }} as week_start,
        sum(engagements) as engagements,
        sum(impressions) as impressions,
        sum(link_clicks) as link_clicks,
        sum(comments) as comments,
        sum(comments_replied) as comments_replied
    from {{ ref('kpi_social_posts') }}
    group by 1
),

reviews as (
    select
        {{ week_start('review_date') }} as week_start,
        sum(reviews) as reviews,
        sum(avg_rating * reviews) as stars,
        sum(negative_reviews) as negative_reviews,
        sum(replied_reviews) as replied_reviews
    from {{ ref('kpi_reviews_daily') }}
    group by 1
),

support as (
    select
        {{ week_start('created_date') }} as week_start,
        count(*) as tickets_created,
        {{ median('first_reply_minutes') }} as median_first_reply_minutes,
        sum(case when solved_at is not null and public_agent_replies = 1 then 1 else 0 end) as one_touch_solved,
        sum(case when solved_at is not null then 1 else 0 end) as tickets_solved,
        sum(case when csat_score = 'good' then 1 else 0 end) as csat_good,
        sum(case when csat_score in ('good', 'bad') then 1 else 0 end) as csat_answered
    from {{ ref('int_support_tickets') }}
    group by 1
),

sessions as (
    select
        {{ week_start('session_date') }} as week_start,
        platform,
        count(*) as sessions,
        sum(case when pageviews = 1 then 1 else 0 end) as bounced_sessions,
        avg(duration_seconds) as avg_session_seconds,
        sum(case when is_converted then 1 else 0 end) as converted_sessions
    from {{ ref('int_web_sessions_converted') }}
    group by 1, 2
),

touchpoints as (
    select * from {{ ref('int_touchpoints_weekly') }}
),

weekly as (
    select week_start, 'email' as channel, 'emails_sent' as kpi_name, cast(emails_sent as {{ double_type() }}) as kpi_value from email
    union all select week_start, 'email', 'open_rate', {{ safe_ratio('unique_opens', 'delivered') }} from email
    union all select week_start, 'email', 'click_rate', {{ safe_ratio('unique_clicks', 'delivered') }} from email
    union all select week_start, 'email', 'bounce_rate', {{ safe_ratio('bounces', 'emails_sent') }} from email
    union all select week_start, 'email', 'unsubscribe_rate', {{ safe_ratio('unsubscribes', 'delivered') }} from email
    union all select week_start, 'social', 'engagement_rate', {{ safe_ratio('engagements', 'impressions') }} from social
    union all select week_start, 'social', 'click_through_rate', {{ safe_ratio('link_clicks', 'impressions') }} from social
    union all select week_start, 'social', 'comment_response_rate', {{ safe_ratio('comments_replied', 'comments') }} from social
    union all select week_start, 'review', 'reviews', cast(reviews as {{ double_type() }}) from reviews
    union all select week_start, 'review', 'avg_rating', {{ safe_ratio('stars', 'reviews') }} from reviews
    union all select week_start, 'review', 'negative_share', {{ safe_ratio('negative_reviews', 'reviews') }} from reviews
    union all select week_start, 'review', 'response_rate', {{ safe_ratio('replied_reviews', 'reviews') }} from reviews
    union all select week_start, 'support', 'tickets_created', cast(tickets_created as {{ double_type() }}) from support
    union all select week_start, 'support', 'median_first_reply_minutes', median_first_reply_minutes from support
    union all select week_start, 'support', 'one_touch_resolution_rate', {{ safe_ratio('one_touch_solved', 'tickets_solved') }} from support
    union all select week_start, 'support', 'csat_score', {{ safe_ratio('csat_good', 'csat_answered') }} from support
    union all select week_start, platform, 'sessions', cast(sessions as {{ double_type() }}) from sessions
    union all select week_start, platform, 'bounce_rate', {{ safe_ratio('bounced_sessions', 'sessions') }} from sessions
    union all select week_start, platform, 'avg_session_seconds', cast(avg_session_seconds as {{ double_type() }}) from sessions
    union all select week_start, platform, 'conversion_rate', {{ safe_ratio('converted_sessions', 'sessions') }} from sessions
    union all select week_start, 'commerce', 'orders', cast(orders as {{ double_type() }}) from touchpoints where channel = 'commerce'
    union all select week_start, 'commerce', 'revenue', cast(revenue as {{ double_type() }}) from touchpoints where channel = 'commerce'
    union all select week_start, channel, 'touchpoints', cast(touchpoints as {{ double_type() }}) from touchpoints
    union all select week_start, channel, 'customers', cast(customers as {{ double_type() }}) from touchpoints
)

select
    {{ iso_week_label('this_week.week_start') }} as iso_week,
    this_week.week_start,
    this_week.channel,
    this_week.kpi_name,
    this_week.kpi_value as this_week_value,
    last_week.kpi_value as last_week_value,
    this_week.kpi_value - last_week.kpi_value as absolute_change,
    (this_week.kpi_value - last_week.kpi_value) / nullif(abs(last_week.kpi_value), 0) as relative_change
from weekly as this_week
left join weekly as last_week
    on this_week.channel = last_week.channel
    and this_week.kpi_name = last_week.kpi_name
    and last_week.week_start = {{ dbt.dateadd('day', -7, 'this_week.week_start') }}
