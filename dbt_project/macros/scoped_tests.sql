{#-
    On an incremental build, a data test of an incremental model checks the rows the build recomputed,
    not the whole table: the model's `changed_rows` meta names them (see changed_rows below). That is
    sound because each such model deletes and rewrites those rows whole, keyed by what the test's
    columns depend on; rows it kept were tested by the build that wrote them. A full refresh, the build
    after a re-landing and every non-incremental model test every row, and the GX audit before
    publishing still checks each mart in whole (expectations/marts.py).
-#}

{#- dbt wraps the model of every generic test in this macro (its `where` config, as dbt's own). -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [config.get('where'), changed_rows_of_tested_model()] | select | list -%}
    {%- if not conditions -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
{%- endmacro %}

{#- The node of the model the test being compiled is attached to (a test's `model` is the test). -#}
{% macro tested_model() -%}
    {{ return(graph.nodes.get(model.get('attached_node') or '', {})) }}
{%- endmacro %}

{#- The predicate on the tested model's rows this build recomputed, or '' to test them all. -#}
{% macro changed_rows_of_tested_model() -%}
    {%- set tested = tested_model() if execute else {} -%}
    {%- set kind = (tested.get('config', {}).get('meta') or {}).get('changed_rows') -%}
    {%- if not kind or tested.config.materialized != 'incremental' or not incremental_build() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(changed_rows(kind)) }}
{%- endmacro %}

{#- The rows an incremental model rewrites, by the `changed_rows` meta it declares. -#}
{% macro changed_rows(kind) -%}
    {%- if kind == 'written' -%}  {#- rows that carry `_batch_at` -#}
        {{ return(changed_since_last_build()) }}
    {%- elif kind == 'source_users' -%}
        {{ return(of_changed_source_users()) }}
    {%- elif kind == 'web_users' -%}
        {{ return(of_changed_users('web', 'anonymous_id')) }}
    {%- elif kind == 'customers' -%}
        {{ return(of_changed_customers()) }}
    {%- elif kind == 'dates' -%}
        {{ return(of_changed_dates()) }}
    {%- elif kind == 'campaigns' -%}
        {{ return(of_changed_campaigns()) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("unknown changed_rows meta '" ~ kind ~ "' on " ~ tested_model().name) }}
{%- endmacro %}
