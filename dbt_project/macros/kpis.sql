{#-
    Each KPI's formula, once (docs/kpis.md), for every grain that reports it: the daily and per-object
    marts and the weekly comparison. A KPI over counts takes the counts, summed at the caller's grain; a
    KPI over rows (tickets, sessions) is an aggregate of the rows of the caller's group.
-#}

{#- The number of rows of the group for which `condition` holds. -#}
{% macro count_where(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{#- E-mail, from a campaign's counts (delivered = sent - bounced). -#}
{% macro open_rate(unique_opens, delivered) -%} {{ safe_ratio(unique_opens, delivered) }} {%- endmacro %}

{% macro click_rate(unique_clicks, delivered) -%} {{ safe_ratio(unique_clicks, delivered) }} {%- endmacro %}

{% macro click_to_open_rate(unique_clicks, unique_opens) -%} {{ safe_ratio(unique_clicks, unique_opens) }} {%- endmacro %}

{% macro email_bounce_rate(bounces, emails_sent) -%} {{ safe_ratio(bounces, emails_sent) }} {%- endmacro %}

{% macro unsubscribe_rate(unsubscribes, delivered) -%} {{ safe_ratio(unsubscribes, delivered) }} {%- endmacro %}

{#- Social, from a post's counts. -#}
{% macro engagement_rate(engagements, impressions) -%} {{ safe_ratio(engagements, impressions) }} {%- endmacro %}

{% macro click_through_rate(link_clicks, impressions) -%} {{ safe_ratio(link_clicks, impressions) }} {%- endmacro %}

{% macro comment_response_rate(comments_replied, comments) -%} {{ safe_ratio(comments_replied, comments) }} {%- endmacro %}

{#- Reviews, from the counts of a set of reviews (stars: the sum of their ratings). -#}
{% macro average_rating(stars, reviews) -%} {{ safe_ratio(stars, reviews) }} {%- endmacro %}

{% macro negative_share(negative_reviews, reviews) -%} {{ safe_ratio(negative_reviews, reviews) }} {%- endmacro %}

{% macro review_response_rate(replied_reviews, reviews) -%} {{ safe_ratio(replied_reviews, reviews) }} {%- endmacro %}

{#- Support, over the group's tickets (int_support_tickets). -#}
{% macro tickets_solved() -%} {{ count_where('solved_at is not null') }} {%- endmacro %}

{% macro median_first_reply_minutes() -%} {{ median('first_reply_minutes') }} {%- endmacro %}

{% macro one_touch_resolution_rate() -%}
    {{ safe_ratio(count_where('solved_at is not null and public_agent_replies = 1'), tickets_solved()) }}
{%- endmacro %}

{% macro csat_score() -%}
    {{ safe_ratio(count_where("csat_score = 'good'"), count_where("csat_score in ('good', 'bad')")) }}
{%- endmacro %}

{#- Web and app, over the group's sessions (int_web_sessions_converted). -#}
{% macro session_bounce_rate() -%} {{ safe_ratio(count_where('pageviews = 1'), 'count(*)') }} {%- endmacro %}

{% macro avg_session_seconds() -%} cast(avg(duration_seconds) as {{ double_type() }}) {%- endmacro %}

{% macro conversion_rate() -%} {{ safe_ratio(count_where('is_converted'), 'count(*)') }} {%- endmacro %}

{#- Paid advertising, from a campaign's day (Meta's "all clicks" CTR and CPC). -#}
{% macro ad_click_through_rate(clicks, impressions) -%} {{ safe_ratio(clicks, impressions) }} {%- endmacro %}

{% macro cost_per_click(spend, clicks) -%} {{ safe_ratio(spend, clicks) }} {%- endmacro %}

{% macro cost_per_order(spend, attributed_orders) -%} {{ safe_ratio(spend, attributed_orders) }} {%- endmacro %}

{% macro return_on_ad_spend(attributed_revenue, spend) -%} {{ safe_ratio(attributed_revenue, spend) }} {%- endmacro %}
