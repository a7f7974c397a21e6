{#-
    In an incremental `dbt build`, a data test of an incremental model checks the rows the build
    recomputed, not the whole table: the model's `changed_rows` meta says how to find them (see
    changed_rows below). That is sound because each such model deletes and rewrites those rows whole,
    keyed by what the tests' columns depend on; rows it kept were tested by the build that wrote them.
    `dbt test`, a full refresh, the build after a re-landing and every non-incremental model test every
    row, and the GX audit before publishing checks each mart in whole every night (expectations/marts.py).
-#}

{#- dbt wraps the model of every generic test in this macro (its `where` config, as dbt's own). -#}
{% macro get_where_subquery(relation) -%}
    {%- set changed = changed_rows_of_tested_model(relation) if execute else none -%}
    {%- set tested = changed['rows'] if changed else relation -%}
    {%- set conditions = [config.get('where'), changed['where'] if changed else none] | select | list -%}
    {%- if tested == relation and not conditions -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return('(select * from ' ~ tested ~ ' as tested_rows where ' ~ (conditions or ['true']) | join(' and ') ~ ') dbt_subquery') }}
{%- endmacro %}

{#- The node of the model the test being compiled is attached to (a test's `model` is the test). -#}
{% macro tested_model() -%}
    {{ return(graph.nodes.get(model.get('attached_node') or '', {})) }}
{%- endmacro %}

{#- The tested model's rows this build recomputed, as {'rows': relation or subquery, 'where': predicate},
    or none to test them all. -#}
{% macro changed_rows_of_tested_model(relation) -%}
    {%- set tested = tested_model() -%}
    {%- set kind = (tested.get('config', {}).get('meta') or {}).get('changed_rows') -%}
    {%- if not kind or flags.WHICH != 'build' or not incremental_run() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(changed_rows(kind, relation, tested.name)) }}
{%- endmacro %}

{#- The rows an incremental model rewrites, by the `changed_rows` meta it declares. -#}
{% macro changed_rows(kind, relation, model_name) -%}
    {%- if kind == 'written' -%}  {#- rows that carry `_batch_at` -#}
        {{ return({'rows': relation, 'where': changed_since_last_build()}) }}
    {%- elif kind == 'appended' -%}  {#- the copy its strategy keeps (append_keeping_a_copy) -#}
        {%- set appended = appended_rows_of_this_build(model_name) -%}
        {{ return({'rows': appended, 'where': none} if appended is not none else none) }}
    {%- elif kind == 'web_users' -%}
        {{ return({'rows': relation, 'where': of_changed_users('web', 'anonymous_id', within=relation)}) }}
    {%- elif kind == 'customers' -%}
        {{ return({'rows': relation, 'where': of_changed_customers(within=relation)}) }}
    {%- elif kind == 'dates' -%}
        {{ return({'rows': relation, 'where': of_changed_dates()}) }}
    {%- elif kind == 'weeks' -%}
        {{ return({'rows': relation, 'where': of_changed_weeks('week_start')}) }}
    {%- elif kind == 'tickets' -%}
        {{ return({'rows': relation, 'where': of_changed_tickets()}) }}
    {%- elif kind == 'campaigns' -%}
        {{ return({'rows': relation, 'where': of_changed_campaigns()}) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("unknown changed_rows meta '" ~ kind ~ "' on " ~ model_name) }}
{%- endmacro %}
