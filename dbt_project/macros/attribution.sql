{#- What every attribution model credits (fct_attribution) and the Markov model learns from
    (int_markov_journeys): the touches a customer made in the 30 days before an order. -#}
{% macro attribution_touchpoint_types() -%}
    'email_open', 'email_click', 'social_comment', 'review_posted', 'ticket_created', 'session_started'
{%- endmacro %}

{% macro attribution_window_days() -%} 30 {%- endmacro %}

{#- The attribution models, in the order the marts list them. -#}
{% macro attribution_models() -%}
    {{ return(['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'markov_removal']) }}
{%- endmacro %}

{#- The marketing channel an eligible touch of `touchpoints` earns credit as (docs/kpis.md, "Marketing
    channel of a credited touch"): a session's own marketing channel, or `content` when it landed on a
    content page without a paid, e-mail or tagged campaign bringing it; an e-mail open or click `email`,
    a comment on the Page `organic_social`, a review `review` and a ticket `support`. -#}
{% macro credited_marketing_channel(touchpoints) -%}
    case
        when {{ touchpoints }}.marketing_channel in ('direct', 'organic_search', 'organic_social', 'referral')
            and {{ is_content_path(touchpoints ~ '.landing_page') }}
            then 'content'
        when {{ touchpoints }}.marketing_channel is not null then {{ touchpoints }}.marketing_channel
        when {{ touchpoints }}.channel = 'social' then 'organic_social'
        else {{ touchpoints }}.channel
    end
{%- endmacro %}

{#- The credits of `attribution` (fct_attribution) summed per order date, `dimension` and model, in a fixed
    order (order, then touchpoint): a double's sum depends on the order of its terms, and a parallel
    aggregate's order varies, so the last digit would vary from run to run. -#}
{% macro credits_summed_by(attribution, dimension) -%}
select
    cast(ordered_at as date) as order_date,
    {{ dimension }},
    model,
    cast({{ sum_in_order('credit', 'order_id, touchpoint_id') }} as {{ double_type() }}) as attributed_orders,
    cast({{ sum_in_order('revenue_credit', 'order_id, touchpoint_id') }} as {{ double_type() }}) as attributed_revenue
from {{ attribution }}
group by cast(ordered_at as date), {{ dimension }}, model
{%- endmacro %}
