{#- Keep the newest landed version of each key: later partitions (ds) win, then the given order. -#}
{% macro newest_version(relation_cte, key_columns, order_by='ds desc') -%}
    {{ return(adapter.dispatch('newest_version', 'touchpoints')(relation_cte, key_columns, order_by)) }}
{%- endmacro %}

{% macro default__newest_version(relation_cte, key_columns, order_by) -%}
    select *
    from {{ relation_cte }}
    qualify row_number() over (partition by {{ key_columns | join(', ') }} order by {{ order_by }}) = 1
{%- endmacro %}

{% macro postgres__newest_version(relation_cte, key_columns, order_by) -%}
    select distinct on ({{ key_columns | join(', ') }}) *
    from {{ relation_cte }}
    order by {{ key_columns | join(', ') }}, {{ order_by }}
{%- endmacro %}

{#- Landed timestamps are UTC instants; the marts' contract is a UTC `timestamp` without zone. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'touchpoints')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro postgres__utc_timestamp(expression) -%}
    ({{ expression }} at time zone 'UTC')
{%- endmacro %}
