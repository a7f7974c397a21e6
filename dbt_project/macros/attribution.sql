{#- What every attribution model credits (fct_attribution) and the Markov model learns from
    (int_markov_journeys): the touches a customer made in the 30 days before an order. -#}
{% macro attribution_touchpoint_types() -%}
    'email_open', 'email_click', 'social_comment', 'review_posted', 'ticket_created', 'session_started'
{%- endmacro %}

{% macro attribution_window_days() -%} 30 {%- endmacro %}
