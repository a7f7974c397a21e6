{#-
    Each channel's headline KPIs for the last 7, 28 and 90 days and for all time, against the same number
    of days before them, for every cut by customer segment (lifecycle stage, first channel, country; '(all)'
    where a segment is not cut). Each value is recomputed from the rows of its customers and days with the
    same formula as the channel's own mart.
-#}
{%- set every_cut = 'cube(lifecycle_stage, first_channel, country_code)' %}
{%- set cut_by_segment -%}
        period,
        side,
        days_compared,
        case when grouping(lifecycle_stage) = 1 then '(all)' else lifecycle_stage end as lifecycle_stage,
        case when grouping(first_channel) = 1 then '(all)' else first_channel end as first_channel,
        case when grouping(country_code) = 1 then '(all)' else country_code end as country_code
{%- endset %}

with

landed as (
    select
        cast(min(ds) as date) as first_day,
        cast(max(ds) as date) as last_day
    from {{ ref('stg_landing__partitions') }}
),

period_lengths as (
    select 'last_7_days' as period, 7 as period_days
    union all select 'last_28_days', 28
    union all select 'last_90_days', 90
    union all select 'all_time', null
),

{#- The days each period holds up to the last landed day (all of them for all time, fewer when the
    history is shorter), and the same number of days before them when the history holds them all. -#}
periods as (
    select
        period_lengths.period,
        case
            when period_lengths.period_days is null then landed.first_day
            else greatest(landed.first_day, cast({{ dbt.dateadd('day', '1 - period_lengths.period_days', 'landed.last_day') }} as date))
        end as current_start,
        landed.last_day as current_end,
        landed.first_day,
        period_lengths.period_days
    from period_lengths
    cross join landed
),

windows as (
    select
        period,
        'current' as side,
        current_start as window_start,
        current_end as window_end,
        cast({{ dbt.datediff('current_start', 'current_end', 'day') }} + 1 as integer) as days_compared
    from periods
    union all
    select
        period,
        'previous' as side,
        cast({{ dbt.dateadd('day', '-period_days', 'current_start') }} as date) as window_start,
        cast({{ dbt.dateadd('day', '-1', 'current_start') }} as date) as window_end,
        period_days as days_compared
    from periods
    where period_days is not null
        and {{ dbt.dateadd('day', '-period_days', 'current_start') }} >= first_day
        and {{ dbt.datediff('current_start', 'current_end', 'day') }} + 1 = period_days
),

customers as (
    select
        customer_id,
        lifecycle_stage,
        first_channel,
        coalesce(country_code, '(unknown)') as country_code
    from {{ ref('dim_customers') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

recipients as (
    select * from {{ ref('stg_mailchimp__recipients') }}
),

email_activities as (
    select * from {{ ref('stg_mailchimp__email_activities') }}
),

unsubscribes as (
    select * from {{ ref('stg_mailchimp__unsubscribes') }}
),

campaigns as (
    select * from {{ ref('stg_mailchimp__campaigns') }}
),

tickets as (
    select * from {{ ref('int_support_tickets') }}
),

reviews as (
    select * from {{ ref('stg_trustpilot__reviews') }}
),

sessions as (
    select * from {{ ref('int_web_sessions_converted') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

{#- One row per campaign and recipient, with what the recipient did (kpi_email_campaigns' counts). -#}
email_pairs as (
    select campaign_id, email_id, true as is_recipient, is_bounced, false as is_open, false as is_click, false as is_unsubscribe
    from recipients
    union all
    select campaign_id, email_id, false, action = 'bounce', action = 'open', action = 'click', false
    from email_activities
    union all
    select campaign_id, email_id, false, false, false, false, true
    from unsubscribes
),

email_recipients as (
    select
        cast(campaigns.sent_at as date) as day,
        identities.customer_id,
        email_pairs.campaign_id,
        email_pairs.email_id,
        max(case when email_pairs.is_recipient then 1 else 0 end) as sent,
        max(case when email_pairs.is_bounced then 1 else 0 end) as bounced,
        max(case when email_pairs.is_open then 1 else 0 end) as opened,
        max(case when email_pairs.is_click then 1 else 0 end) as clicked,
        max(case when email_pairs.is_unsubscribe then 1 else 0 end) as unsubscribed
    from email_pairs
    inner join campaigns on email_pairs.campaign_id = campaigns.campaign_id
    left join identities
        on identities.source_system = 'mailchimp' and email_pairs.email_id = identities.source_user_id
    group by 1, 2, 3, 4
),

support_tickets as (
    select
        tickets.created_date as day,
        identities.customer_id,
        tickets.*
    from tickets
    left join identities
        on identities.source_system = 'zendesk' and cast(tickets.requester_id as {{ dbt.type_string() }}) = identities.source_user_id
),

orders_and_comments as (
    select customer_id, occurred_date, touchpoint_type, revenue
    from touchpoints
    where touchpoint_type in ('order_placed', 'social_comment')
),

customer_reviews as (
    select
        cast(reviews.created_at as date) as day,
        identities.customer_id,
        reviews.stars,
        reviews.replied_at
    from reviews
    left join identities
        on identities.source_system = 'trustpilot' and reviews.reviewer_id = identities.source_user_id
),

{#- The rows of each channel, of every period and side whose days hold them, with their customer's segment
    ('(no customer)' for the rows of people who are not customers: the brand's own staff, or no identity). -#}
{%- set facts = {
    'email_recipients': 'day',
    'support_tickets': 'day',
    'customer_reviews': 'day',
    'sessions': 'session_date',
    'orders_and_comments': 'occurred_date',
} %}
{%- for relation, day_column in facts.items() %}

{{ relation }}_in_windows as (
    select
        windows.period,
        windows.side,
        windows.days_compared,
        coalesce(customers.lifecycle_stage, '(no customer)') as lifecycle_stage,
        coalesce(customers.first_channel, '(no customer)') as first_channel,
        coalesce(customers.country_code, '(no customer)') as country_code,
        {{ relation }}.*
    from {{ relation }}
    inner join windows on {{ relation }}.{{ day_column }} between windows.window_start and windows.window_end
    left join customers on {{ relation }}.customer_id = customers.customer_id
),
{%- endfor %}

email as (
    select
        {{ cut_by_segment }},
        cast(sum(sent) as {{ double_type() }}) as emails_sent,
        {{ open_rate('sum(opened)', 'sum(sent) - sum(bounced)') }} as open_rate,
        {{ click_rate('sum(clicked)', 'sum(sent) - sum(bounced)') }} as click_rate,
        {{ unsubscribe_rate('sum(unsubscribed)', 'sum(sent) - sum(bounced)') }} as unsubscribe_rate
    from email_recipients_in_windows
    group by period, side, days_compared, {{ every_cut }}
),

support as (
    select
        {{ cut_by_segment }},
        cast(count(*) as {{ double_type() }}) as tickets_created,
        {{ median_first_reply_minutes() }} as median_first_reply_minutes,
        {{ one_touch_resolution_rate() }} as one_touch_resolution_rate,
        {{ csat_score() }} as csat_score
    from support_tickets_in_windows
    group by period, side, days_compared, {{ every_cut }}
),

review as (
    select
        {{ cut_by_segment }},
        cast(count(*) as {{ double_type() }}) as reviews,
        {{ average_rating('sum(stars)', 'count(*)') }} as avg_rating,
        {{ negative_share(count_where('stars <= 2'), 'count(*)') }} as negative_share,
        {{ review_response_rate(count_where('replied_at is not null'), 'count(*)') }} as response_rate
    from customer_reviews_in_windows
    group by period, side, days_compared, {{ every_cut }}
),

web as (
    select
        {{ cut_by_segment }},
        platform,
        cast(count(*) as {{ double_type() }}) as sessions,
        {{ session_bounce_rate() }} as bounce_rate,
        {{ avg_session_seconds() }} as avg_session_seconds,
        {{ conversion_rate() }} as conversion_rate
    from sessions_in_windows
    group by period, side, days_compared, platform, {{ every_cut }}
),

commerce as (
    select
        {{ cut_by_segment }},
        cast(count(*) as {{ double_type() }}) as orders,
        cast(sum(revenue) as {{ double_type() }}) as revenue,
        cast(count(distinct customer_id) as {{ double_type() }}) as buyers
    from orders_and_comments_in_windows
    where touchpoint_type = 'order_placed'
    group by period, side, days_compared, {{ every_cut }}
),

social as (
    select
        {{ cut_by_segment }},
        cast(count(*) as {{ double_type() }}) as comments,
        cast(count(distinct customer_id) as {{ double_type() }}) as commenters
    from orders_and_comments_in_windows
    where touchpoint_type = 'social_comment'
    group by period, side, days_compared, {{ every_cut }}
),

{%- set cut = 'period, side, days_compared, lifecycle_stage, first_channel, country_code' %}

values_by_side as (
    select {{ cut }}, 'email' as channel, 'emails_sent' as kpi_name, emails_sent as kpi_value from email
    union all select {{ cut }}, 'email', 'open_rate', open_rate from email
    union all select {{ cut }}, 'email', 'click_rate', click_rate from email
    union all select {{ cut }}, 'email', 'unsubscribe_rate', unsubscribe_rate from email
    union all select {{ cut }}, 'social', 'comments', comments from social
    union all select {{ cut }}, 'social', 'commenters', commenters from social
    union all select {{ cut }}, 'review', 'reviews', reviews from review
    union all select {{ cut }}, 'review', 'avg_rating', avg_rating from review
    union all select {{ cut }}, 'review', 'negative_share', negative_share from review
    union all select {{ cut }}, 'review', 'response_rate', response_rate from review
    union all select {{ cut }}, 'support', 'tickets_created', tickets_created from support
    union all select {{ cut }}, 'support', 'median_first_reply_minutes', median_first_reply_minutes from support
    union all select {{ cut }}, 'support', 'one_touch_resolution_rate', one_touch_resolution_rate from support
    union all select {{ cut }}, 'support', 'csat_score', csat_score from support
    union all select {{ cut }}, platform, 'sessions', sessions from web
    union all select {{ cut }}, platform, 'bounce_rate', bounce_rate from web
    union all select {{ cut }}, platform, 'avg_session_seconds', avg_session_seconds from web
    union all select {{ cut }}, platform, 'conversion_rate', conversion_rate from web
    union all select {{ cut }}, 'commerce', 'orders', orders from commerce
    union all select {{ cut }}, 'commerce', 'revenue', revenue from commerce
    union all select {{ cut }}, 'commerce', 'buyers', buyers from commerce
),

{%- set keys = ['period', 'lifecycle_stage', 'first_channel', 'country_code', 'channel', 'kpi_name'] %}

current_side as (
    select * from values_by_side where side = 'current'
),

previous_side as (
    select * from values_by_side where side = 'previous'
)

{#- A cut with rows on either side has a row: a segment that had none this period shows NULL now. -#}
select
    {%- for key in keys %}
    coalesce(current_side.{{ key }}, previous_side.{{ key }}) as {{ key }},
    {%- if loop.first %}
    coalesce(current_side.days_compared, previous_side.days_compared) as days_compared,
    {%- endif %}
    {%- endfor %}
    current_side.kpi_value as current_value,
    previous_side.kpi_value as previous_value,
    current_side.kpi_value - previous_side.kpi_value as absolute_change,
    (current_side.kpi_value - previous_side.kpi_value) / nullif(abs(previous_side.kpi_value), 0) as relative_change
from current_side
full outer join previous_side
    on {% for key in keys %}current_side.{{ key }} = previous_side.{{ key }}{% if not loop.last %}
    and {% endif %}{% endfor %}
