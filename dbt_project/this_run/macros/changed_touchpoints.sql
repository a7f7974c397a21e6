{#-
    What fct_touchpoints' incremental runs leave for the models after it (tables in the staging schema,
    next to `_builds`):
    - `_touchpoints_replaced` (pre-hook): the changed customers' touchpoints as they were at the last
      complete build, before any build since rewrote them, with one row of nulls for a customer that had
      none. The marts by date and by campaign compare them with the rows now (int_changed_dates,
      int_changed_campaigns). An incomplete build that rebuilt fct_touchpoints adds to it, so the next
      complete build still sees what that one changed.
    - `_fct_touchpoints_appended` (its incremental strategy): the changed customers' touchpoints as this
      build wrote them, so that the models after it read those rows instead of searching all of
      fct_touchpoints for them.
-#}

{#- The columns of a touchpoint whose change moves a mart by date or campaign. -#}
{% macro compared_touchpoint_columns() -%}
    {{ return(['touchpoint_id', 'occurred_date', 'customer_id', 'channel', 'touchpoint_type', 'journey_stage',
               'revenue', 'source_object_id', 'marketing_channel', 'campaign']) }}
{%- endmacro %}

{#- fct_touchpoints, before its pre-hook deletes them: keep the rows about to be replaced (nothing on a
    rebuild). -#}
{% macro keep_replaced_touchpoints() -%}
    {%- set replaced = bookkeeping_relation('_touchpoints_replaced') -%}
    {%- if not incremental_run() -%}
        drop table if exists {{ replaced }}
    {%- elif replaced_touchpoints_kept() -%}  {#- an incomplete build since the last complete one kept some -#}
        insert into {{ replaced }}
        {{ replaced_touchpoints() }}
        where changed.customer_id not in (select replaced_customer_id from {{ replaced }})
    {%- else -%}
        {% do run_query('drop table if exists ' ~ replaced) %}
        create table {{ replaced }} as
        {{ replaced_touchpoints() }}
    {%- endif -%}
{%- endmacro %}

{% macro replaced_touchpoints() -%}
    select
        changed.customer_id as replaced_customer_id,
        {%- for column in compared_touchpoint_columns() %}
        touchpoints.{{ column }},
        {%- endfor %}
        {{ batch_at() }} as _batch_at
    from {{ changed_set('int_changed_customers') }} as changed
    left join (
        select * from {{ this }}
        where {{ in_changed(['customer_id'], changed_set('int_changed_customers'), ['customer_id'], within=this) }}
    ) as touchpoints
        on touchpoints.customer_id = changed.customer_id
{%- endmacro %}

{#- Whether fct_touchpoints kept replaced rows since the last complete build: if not, it has rewritten
    nothing since. -#}
{% macro replaced_touchpoints_kept() -%}
    {{ return(kept_since_last_build(bookkeeping_relation('_touchpoints_replaced'), '>')) }}
{%- endmacro %}

{#- Incremental strategy `append_keeping_a_copy`: dbt's `append`, and on an incremental run a copy of the
    appended rows with this build's `_batch_at` in `_<model>_appended` (staging schema), so that the
    models after it read what this build wrote without searching the whole table for it. The copy is
    made from dbt's temporary relation inside the model's transaction. -#}
{% macro get_incremental_append_keeping_a_copy_sql(arg_dict) -%}
    {%- set copy = appended_copy_relation(arg_dict['target_relation'].identifier) -%}
    {% do run_query('drop table if exists ' ~ copy) %}
    {%- if incremental_run() -%}
        {% do run_query('create table ' ~ copy ~ ' as select *, ' ~ batch_at() ~ ' as _batch_at from ' ~ arg_dict['temp_relation']) %}
    {%- endif -%}
    {{ return(get_incremental_append_sql(arg_dict)) }}
{%- endmacro %}

{% macro appended_copy_relation(model_name) -%}
    {{ return(bookkeeping_relation('_' ~ model_name ~ '_appended')) }}
{%- endmacro %}

{#- Whether a bookkeeping table holds rows of a build after the last complete one ('>') or of this
    build ('='). -#}
{% macro kept_since_last_build(relation, comparison) -%}
    {%- set since = last_build_at() -%}
    {%- if since is none or not table_exists(relation) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set bound = batch_at() if comparison == '=' else "cast('" ~ since ~ "' as timestamp)" -%}
    {%- set result = run_query("select count(*) from " ~ relation ~ " where _batch_at " ~ comparison ~ " " ~ bound) -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- What a model with the `append_keeping_a_copy` strategy appended in this build, as a subquery with
    its columns; none if the copy holds nothing of this build (it did not run incrementally in it, or
    appended nothing). -#}
{% macro appended_rows_of_this_build(model_name) -%}
    {%- set copy = appended_copy_relation(model_name) -%}
    {%- if not kept_since_last_build(copy, '=') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = model_node(model_name).columns.keys() -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' from ' ~ copy ~ ')') }}
{%- endmacro %}

{#- The touchpoints now of the customers in `_touchpoints_replaced` (when replaced_touchpoints_kept()). A
    build that ran fct_touchpoints replaced all the changed customers: then those are what it wrote. -#}
{% macro touchpoints_of_replaced_customers() -%}
    {%- set written = appended_rows_of_this_build('fct_touchpoints') -%}
    {%- if written is not none -%}
        {{ written }}
    {%- else -%}
        (select * from {{ ref('fct_touchpoints') }}
        where customer_id in (select replaced_customer_id from {{ bookkeeping_relation('_touchpoints_replaced') }}))
    {%- endif -%}
{%- endmacro %}
