{#- Small adapter-neutral helpers; dbt's own cross-database macros (dateadd, datediff…) cover the rest. -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'touchpoints')()) }}
{%- endmacro %}

{% macro default__double_type() -%} double {%- endmacro %}

{% macro postgres__double_type() -%} double precision {%- endmacro %}

{#- Exact elapsed time between two timestamps, in (fractional) seconds. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'touchpoints')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    cast(extract(epoch from {{ end_ts }}) - extract(epoch from {{ start_ts }}) as {{ double_type() }})
{%- endmacro %}

{#- A ratio that is NULL, never 0 and never an error, when its denominator is 0 or NULL. -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ double_type() }}) / nullif(cast({{ denominator }} as {{ double_type() }}), 0)
{%- endmacro %}

{% macro spark__seconds_between(start_ts, end_ts) -%}
    cast(unix_micros({{ end_ts }}) - unix_micros({{ start_ts }}) as double) / 1000000
{%- endmacro %}

{#- Continuous percentile (interpolated), as a double; NULLs are ignored. -#}
{% macro percentile(expression, fraction) -%}
    cast(percentile_cont({{ fraction }}) within group (order by {{ expression }}) as {{ double_type() }})
{%- endmacro %}

{% macro median(expression) -%}
    {{ percentile(expression, 0.5) }}
{%- endmacro %}

{#- Monday of the ISO week of a timestamp or date, as a date. -#}
{% macro week_start(expression) -%}
    cast({{ dbt.date_trunc('week', expression) }} as date)
{%- endmacro %}

{#- 'YYYY-Www' ISO-week label of a date. -#}
{% macro iso_week_label(expression) -%}
    {{ return(adapter.dispatch('iso_week_label', 'touchpoints')(expression)) }}
{%- endmacro %}

{% macro default__iso_week_label(expression) -%}
    strftime({{ expression }}, '%G-W%V')
{%- endmacro %}

{% macro postgres__iso_week_label(expression) -%}
    to_char({{ expression }}, 'IYYY-"W"IW')
{%- endmacro %}

{#- Spark has no ISO-year pattern: the ISO year is the year of the week's Thursday. -#}
{% macro spark__iso_week_label(expression) -%}
    concat(year(date_add({{ week_start(expression) }}, 3)), '-W', lpad(cast(weekofyear({{ expression }}) as string), 2, '0'))
{%- endmacro %}

{#- `union all` of CTEs by column name: each CTE must have every listed column, so none can shift. -#}
{% macro union_by_name(relations, columns) -%}
    {%- for relation in relations %}
    select {{ columns | join(', ') }} from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- One row per calendar day from `first_day` to `last_day` (date expressions of the one row of `from`),
    as the column `day`. -#}
{% macro days_between(first_day, last_day, from) -%}
    {{ return(adapter.dispatch('days_between', 'touchpoints')(first_day, last_day, from)) }}
{%- endmacro %}

{% macro default__days_between(first_day, last_day, from) -%}
    select cast(generate_series(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval '1 day') as date) as day
    from {{ from }}
{%- endmacro %}

{% macro duckdb__days_between(first_day, last_day, from) -%}
    select cast(unnest(generate_series(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval '1 day')) as date) as day
    from {{ from }}
{%- endmacro %}

{% macro spark__days_between(first_day, last_day, from) -%}
    select explode(sequence(cast({{ first_day }} as date), cast({{ last_day }} as date), interval 1 day)) as day
    from {{ from }}
{%- endmacro %}

{#- The first capture group of a POSIX regular expression's first match, or NULL when it does not match
    (or captures nothing). -#}
{% macro regexp_group(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_group', 'touchpoints')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_group(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro postgres__regexp_group(expression, pattern) -%}
    nullif(substring({{ expression }} from '{{ pattern }}'), '')
{%- endmacro %}

{#- dbt.listagg on Spark: Spark 4's own listagg keeps the order, which dbt-spark's version drops
    (dispatch in dbt_project.yml puts this project's macros first). -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}

{#- A sum taken in the order of `order_by`, so that its rounding is the same each time. -#}
{% macro sum_in_order(expression, order_by) -%}
    {{ return(adapter.dispatch('sum_in_order', 'touchpoints')(expression, order_by)) }}
{%- endmacro %}

{% macro default__sum_in_order(expression, order_by) -%}
    sum({{ expression }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__sum_in_order(expression, order_by) -%}
    sum({{ expression }})
{%- endmacro %}
