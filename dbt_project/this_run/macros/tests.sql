{#-
    A data test that says `where: __this_run__` in its YAML checks, in an incremental `dbt build`, only
    the rows the build recomputed in the model it tests: that is sound because the model deletes and
    rewrites those rows whole, keyed by what the test's columns depend on; rows it kept were tested by
    the build that wrote them. `dbt test`, a full refresh, the build after a re-landing test every row,
    and the GX audit before publishing checks each mart in whole every night (expectations/marts.py).
    Every other test checks every row, as dbt's own do.
-#}

{#- dbt wraps the model of every generic test in this macro (its `where` config, as dbt's own); this
    one reads the placeholder `__this_run__` in it, as dbt's documentation shows for custom `where`s. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set tested = relation -%}
    {%- if '__this_run__' in where -%}
        {%- set recomputed = rows_recomputed_by_tested_model(relation) if execute else none -%}
        {%- set tested = recomputed['rows'] if recomputed else relation -%}
        {%- set where = where | replace('__this_run__', recomputed['where'] if recomputed else 'true') -%}
    {%- endif -%}
    {{ return('(select * from ' ~ tested ~ ' as tested_rows where ' ~ where ~ ') dbt_subquery') }}
{%- endmacro %}

{#- The node of the model the test being compiled is attached to (a test's `model` is the test). -#}
{% macro tested_model() -%}
    {{ return(graph.nodes.get(model.get('attached_node') or '', {})) }}
{%- endmacro %}

{#- The tested model's rows this build recomputed, as {'rows': relation or subquery, 'where': predicate},
    or none to test them all: the rows a staging model wrote (its `_batch_at`), the copy fct_touchpoints
    keeps of what it appended, or the rows of the keys another incremental model recomputed. -#}
{% macro rows_recomputed_by_tested_model(relation) -%}
    {%- set tested = tested_model() -%}
    {%- if target.type == 'spark' -%}
        {{ return(none) }}  {#- every model is a table there, rebuilt and tested whole each run -#}
    {%- elif tested.get('config', {}).get('materialized') != 'incremental' -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": `where: __this_run__` narrows tests of incremental models only; "
            ~ tested.get('name') ~ " is not one") }}
    {%- endif -%}
    {%- if flags.WHICH != 'build' or not incremental_run() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if tested.config.get('incremental_strategy') == 'append_keeping_a_copy' -%}
        {%- set appended = appended_rows_of_this_build(tested.name) -%}
        {{ return({'rows': appended, 'where': 'true'} if appended is not none else none) }}
    {%- endif -%}
    {%- set changes = changes_of(tested) -%}
    {%- if changes is none -%}
        {{ return({'rows': relation, 'where': changed_since_last_build()}) }}
    {%- endif -%}
    {{ return({'rows': relation, 'where': rows_of_this_run(tested, relation, changes)}) }}
{%- endmacro %}
