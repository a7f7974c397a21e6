{#-
    Each ISO week against the week before, per channel and KPI, over the same number of days on both
    sides: a complete week against the whole week before it, the current week (up to the last landed
    day) against the same weekdays of the week before. Rows dated after the last landed day (the early
    hours of a day not landed yet) wait for its run. Values are recomputed from the underlying rows of
    those days (ratios of sums, medians of the days' tickets), never averaged from daily rates.
-#}
with

landed as (
    select
        cast(min(ds) as date) as first_day,
        cast(max(ds) as date) as last_day
    from {{ ref('stg_landing__partitions') }}
),

landed_days as (
    {{ days_between('first_day', 'last_day', 'landed') }}
),

weeks as (
    select distinct {{ week_start('day') }} as week_start from landed_days
),

{#- 7 days for a complete week; the days up to the last landed day for the current one. -#}
compared_weeks as (
    select
        weeks.week_start,
        cast(least(7, {{ dbt.datediff('weeks.week_start', 'landed.last_day', 'day') }} + 1) as integer) as days_compared
    from weeks
    cross join landed
),

{#- A day counts for its own week ('this' side) and, when its weekday is within the next week's compared
    days, for the next week ('last' side). -#}
compared_days as (
    select
        landed_days.day,
        compared_weeks.week_start,
        'this' as side
    from landed_days
    inner join compared_weeks on {{ week_start('landed_days.day') }} = compared_weeks.week_start
    union all
    select
        landed_days.day,
        compared_weeks.week_start,
        'last' as side
    from landed_days
    inner join compared_weeks
        on {{ dbt.dateadd('day', 7, week_start('landed_days.day')) }} = compared_weeks.week_start
        and {{ dbt.datediff(week_start('landed_days.day'), 'landed_days.day', 'day') }} < compared_weeks.days_compared
),

campaigns as (
    select * from {{ ref('kpi_email_campaigns') }}
),

posts as (
    select * from {{ ref('kpi_social_posts') }}
),

reviews_daily as (
    select * from {{ ref('kpi_reviews_daily') }}
),

tickets as (
    select * from {{ ref('int_support_tickets') }}
),

sessions as (
    select * from {{ ref('int_web_sessions_converted') }}
),

touchpoints_weekly as (
    select * from {{ ref('int_touchpoints_weekly') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

email as (
    select
        compared_days.week_start,
        compared_days.side,
        sum(campaigns.emails_sent) as emails_sent,
        sum(campaigns.delivered) as delivered,
        sum(campaigns.unique_opens) as unique_opens,
        sum(campaigns.unique_clicks) as unique_clicks,
        sum(campaigns.bounces) as bounces,
        sum(campaigns.unsubscribes) as unsubscribes
    from campaigns
    inner join compared_days on cast(campaigns.sent_at as date) = compared_days.day
    group by 1, 2
),

social as (
    select
        compared_days.week_start,
        compared_days.side,
        sum(posts.engagements) as engagements,
        sum(posts.impressions) as impressions,
        sum(posts.link_clicks) as link_clicks,
        sum(posts.comments) as comments,
        sum(posts.comments_replied) as comments_replied
    from posts
    inner join compared_days on cast(posts.created_at as date) = compared_days.day
    group by 1, 2
),

reviews as (
    select
        compared_days.week_start,
        compared_days.side,
        sum(reviews_daily.reviews) as reviews,
        sum(reviews_daily.avg_rating * reviews_daily.reviews) as stars,
        sum(reviews_daily.negative_reviews) as negative_reviews,
        sum(reviews_daily.replied_reviews) as replied_reviews
    from reviews_daily
    inner join compared_days on reviews_daily.review_date = compared_days.day
    group by 1, 2
),

support as (
    select
        compared_days.week_start,
        compared_days.side,
        count(*) as tickets_created,
        {{ median_first_reply_minutes() }} as median_first_reply_minutes,
        {{ one_touch_resolution_rate() }} as one_touch_resolution_rate,
        {{ csat_score() }} as csat_score
    from tickets
    inner join compared_days on tickets.created_date = compared_days.day
    group by 1, 2
),

web as (
    select
        compared_days.week_start,
        compared_days.side,
        sessions.platform,
        count(*) as sessions,
        {{ session_bounce_rate() }} as bounce_rate,
        {{ avg_session_seconds() }} as avg_session_seconds,
        {{ conversion_rate() }} as conversion_rate
    from sessions
    inner join compared_days on sessions.session_date = compared_days.day
    group by 1, 2, 3
),

{#- Complete weeks come from the weekly aggregate (distinct customers do not add up over days); the
    current, incomplete week and the week before it are counted from their touchpoints, over the compared
    days (the current week's aggregate can hold early rows of a day not landed in whole yet). -#}
touchpoint_counts as (
    select
        compared_weeks.week_start,
        sides.side,
        touchpoints_weekly.channel,
        touchpoints_weekly.touchpoints,
        touchpoints_weekly.customers,
        touchpoints_weekly.orders,
        touchpoints_weekly.revenue
    from compared_weeks
    cross join (select 'this' as side, 0 as weeks_back union all select 'last', 1) as sides
    inner join touchpoints_weekly
        on touchpoints_weekly.week_start = {{ dbt.dateadd('day', '-7 * sides.weeks_back', 'compared_weeks.week_start') }}
    where compared_weeks.days_compared = 7
    union all
    select
        compared_days.week_start,
        compared_days.side,
        touchpoints.channel,
        count(*) as touchpoints,
        count(distinct touchpoints.customer_id) as customers,
        {{ count_where("touchpoints.touchpoint_type = 'order_placed'") }} as orders,
        sum(touchpoints.revenue) as revenue
    from touchpoints
    inner join compared_days on touchpoints.occurred_date = compared_days.day
    inner join compared_weeks on compared_days.week_start = compared_weeks.week_start
    where compared_weeks.days_compared < 7
    group by 1, 2, 3
),

weekly as (
    select week_start, side, 'email' as channel, 'emails_sent' as kpi_name, cast(emails_sent as {{ double_type() }}) as kpi_value from email
    union all select week_start, side, 'email', 'open_rate', {{ open_rate('unique_opens', 'delivered') }} from email
    union all select week_start, side, 'email', 'click_rate', {{ click_rate('unique_clicks', 'delivered') }} from email
    union all select week_start, side, 'email', 'bounce_rate', {{ email_bounce_rate('bounces', 'emails_sent') }} from email
    union all select week_start, side, 'email', 'unsubscribe_rate', {{ unsubscribe_rate('unsubscribes', 'delivered') }} from email
    union all select week_start, side, 'social', 'engagement_rate', {{ engagement_rate('engagements', 'impressions') }} from social
    union all select week_start, side, 'social', 'click_through_rate', {{ click_through_rate('link_clicks', 'impressions') }} from social
    union all select week_start, side, 'social', 'comment_response_rate', {{ comment_response_rate('comments_replied', 'comments') }} from social
    union all select week_start, side, 'review', 'reviews', cast(reviews as {{ double_type() }}) from reviews
    union all select week_start, side, 'review', 'avg_rating', {{ average_rating('stars', 'reviews') }} from reviews
    union all select week_start, side, 'review', 'negative_share', {{ negative_share('negative_reviews', 'reviews') }} from reviews
    union all select week_start, side, 'review', 'response_rate', {{ review_response_rate('replied_reviews', 'reviews') }} from reviews
    union all select week_start, side, 'support', 'tickets_created', cast(tickets_created as {{ double_type() }}) from support
    union all select week_start, side, 'support', 'median_first_reply_minutes', median_first_reply_minutes from support
    union all select week_start, side, 'support', 'one_touch_resolution_rate', one_touch_resolution_rate from support
    union all select week_start, side, 'support', 'csat_score', csat_score from support
    union all select week_start, side, platform, 'sessions', cast(sessions as {{ double_type() }}) from web
    union all select week_start, side, platform, 'bounce_rate', bounce_rate from web
    union all select week_start, side, platform, 'avg_session_seconds', avg_session_seconds from web
    union all select week_start, side, platform, 'conversion_rate', conversion_rate from web
    union all select week_start, side, 'commerce', 'orders', cast(orders as {{ double_type() }}) from touchpoint_counts where channel = 'commerce'
    union all select week_start, side, 'commerce', 'revenue', cast(revenue as {{ double_type() }}) from touchpoint_counts where channel = 'commerce'
    union all select week_start, side, channel, 'touchpoints', cast(touchpoints as {{ double_type() }}) from touchpoint_counts
    union all select week_start, side, channel, 'customers', cast(customers as {{ double_type() }}) from touchpoint_counts
)

select
    {{ iso_week_label('this_week.week_start') }} as iso_week,
    this_week.week_start,
    this_week.channel,
    this_week.kpi_name,
    compared_weeks.days_compared,
    this_week.kpi_value as this_week_value,
    last_week.kpi_value as last_week_value,
    this_week.kpi_value - last_week.kpi_value as absolute_change,
    (this_week.kpi_value - last_week.kpi_value) / nullif(abs(last_week.kpi_value), 0) as relative_change
from weekly as this_week
inner join compared_weeks on this_week.week_start = compared_weeks.week_start
left join weekly as last_week
    on this_week.week_start = last_week.week_start
    and this_week.channel = last_week.channel
    and this_week.kpi_name = last_week.kpi_name
    and last_week.side = 'last'
where this_week.side = 'this'
