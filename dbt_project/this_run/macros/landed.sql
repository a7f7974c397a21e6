{#-
    Incremental staging. `stg_landing__partitions` indexes every landed partition (and every re-landing
    of one) when the build starts; a staging model reads only the partitions indexed since the last
    complete build (macros/incremental.sql) and merges them into what it holds, keeping the newest
    version of each key.
-#}

{#- The landing zone's manifests: one row per partition, with a fingerprint that changes on re-landing. -#}
{% macro landed_manifests() -%}
    {{ return(adapter.dispatch('landed_manifests', 'touchpoints')()) }}
{%- endmacro %}

{% macro default__landed_manifests() -%}
    {%- set pattern = '([^/]+)/([^/]+)/ds=([^/]+)/_manifest[.]json$' -%}
    select
        regexp_extract(filename, '{{ pattern }}', 1) as source,
        regexp_extract(filename, '{{ pattern }}', 2) as entity,
        regexp_extract(filename, '{{ pattern }}', 3) as ds,
        md5(content) as fingerprint
    from read_text('{{ env_var("TOUCHPOINTS_LANDING_DIR", "../landing") }}/*/*/ds=*/_manifest.json')
{%- endmacro %}

{% macro spark__landed_manifests() -%}
    select source, entity, ds, fingerprint from {{ landing_index() }}
{%- endmacro %}

{% macro postgres__landed_manifests() -%}
    select source, entity, cast(ds as text) as ds, cast(loaded_at as text) as fingerprint
    from landing.manifests
{%- endmacro %}

{#- Which partitions of an entity this run reads: {'ds': [...], 'all_ds': [...], 'rebuild': bool}. The
    new ones since the last complete build, or all of them when the model is rebuilt (incremental_run). -#}
{% macro landing_plan(source_name, table_name) -%}
    {%- set index = ref('stg_landing__partitions') -%}
    {%- if not execute or adapter.get_relation(index.database, index.schema, index.identifier) is none -%}
        {{ return({'ds': [], 'all_ds': [], 'rebuild': true}) }}  {#- compiling only (docs): read the source -#}
    {%- endif -%}
    {%- set rows = run_query(
        "select ds, " ~ changed_since_last_build('max(_batch_at)') ~ " as is_new"
        ~ " from " ~ index ~ " where source = '" ~ source_name ~ "' and entity = '" ~ table_name ~ "'"
        ~ " group by ds order by ds").rows -%}
    {%- set rebuild = not incremental_run() -%}
    {{ return({'ds': (rows if rebuild else rows | selectattr('is_new') | list) | map(attribute='ds') | list,
               'all_ds': rows | map(attribute='ds') | list, 'rebuild': rebuild}) }}
{%- endmacro %}

{#- The landed rows this run reads, as a relation: only the planned partitions. -#}
{% macro landed(source_name, table_name) -%}
    {%- set plan = landing_plan(source_name, table_name) -%}
    {{ return(adapter.dispatch('landed', 'touchpoints')(source(source_name, table_name), source_name, table_name, plan)) }}
{%- endmacro %}

{% macro default__landed(source_relation, source_name, table_name, plan) -%}
    {%- set folder = env_var("TOUCHPOINTS_LANDING_DIR", "../landing") ~ '/' ~ source_name ~ '/' ~ table_name -%}
    {%- if not plan['all_ds'] -%}
        {{ source_relation }} as landed_rows
    {%- elif plan['ds'] -%}
        read_parquet([
            {%- for ds in plan['ds'] %}'{{ folder }}/ds={{ ds }}/*.parquet'{{ ', ' if not loop.last }}{% endfor -%}
        ], hive_partitioning = true, union_by_name = true) as landed_rows
    {%- else -%}
        (select * from read_parquet('{{ folder }}/ds={{ plan["all_ds"][-1] }}/*.parquet', hive_partitioning = true) where false) as landed_rows
    {%- endif -%}
{%- endmacro %}

{#- Spark reads an entity's folder in place (`ds=…`), only the planned partitions of it. -#}
{% macro spark__landed(source_relation, source_name, table_name, plan) -%}
    {%- set folder = 'parquet.`' ~ env_var("TOUCHPOINTS_LANDING_DIR", "../landing") ~ '/' ~ source_name ~ '/' ~ table_name ~ '`' -%}
    {%- if plan['rebuild'] or not plan['all_ds'] -%}
        {{ folder }} as landed_rows
    {%- else -%}
        (select * from {{ folder }}
        where {% if plan['ds'] %}cast(ds as string) in ('{{ plan["ds"] | join("', '") }}'){% else %}false{% endif %}) as landed_rows
    {%- endif -%}
{%- endmacro %}

{% macro postgres__landed(source_relation, source_name, table_name, plan) -%}
    (select * from {{ source_relation }}
    where {% if plan['ds'] %}cast(ds as text) in ('{{ plan["ds"] | join("', '") }}'){% else %}false{% endif %}) as landed_rows
{%- endmacro %}

{#- The newest version of each key (the model's unique_key) among this run's landed rows and the ones
    the model already holds. -#}
{% macro newest_landed(renamed_cte, order_by='ds desc') -%}
    {%- set key_columns = config.get('unique_key') -%}
    {%- set plan = landing_plan(*model.sources[0]) if execute else {'rebuild': true} -%}
    {%- set candidates = adapter.dispatch('landed_candidates', 'touchpoints')(renamed_cte, key_columns, plan) -%}
    {{ newest_version('(' ~ candidates ~ ') as candidates', key_columns, order_by) }}
{%- endmacro %}

{#- This run's landed rows, and the held rows of their keys. -#}
{% macro default__landed_candidates(renamed_cte, key_columns, plan) -%}
    select *, {{ batch_at() }} as _batch_at from {{ renamed_cte }}
    {%- if not plan['rebuild'] %}
    union all
    select * from {{ this }} as held
    where exists (
        select 1 from {{ renamed_cte }} as landed
        where {{ same_key('landed', 'held', key_columns) }}
    )
    {%- endif %}
{%- endmacro %}

{#- On Spark a staging table is partitioned by the day each key first landed (`_first_landed_ds`),
    which its later versions keep: a run overwrites the partitions of its changed keys, so it brings
    along every held row of those partitions, and the new keys' partition, which is new. -#}
{% macro spark__landed_candidates(renamed_cte, key_columns, plan) -%}
    {%- set first_landed = 'min(landed.ds) over (partition by landed.' ~ key_columns | join(', landed.') ~ ')' -%}
    select
        landed.*,
        {{ batch_at() }} as _batch_at,
        {{ first_landed if plan['rebuild'] else 'coalesce(held._first_landed_ds, ' ~ first_landed ~ ')' }} as _first_landed_ds
    from {{ renamed_cte }} as landed
    {%- if not plan['rebuild'] %}
    left join {{ this }} as held
        on {{ same_key('landed', 'held', key_columns) }}
    union all
    select * from {{ this }}
    where _first_landed_ds in (
        select held._first_landed_ds
        from {{ this }} as held
        inner join {{ renamed_cte }} as landed
            on {{ same_key('landed', 'held', key_columns) }}
    )
    {%- endif %}
{%- endmacro %}

{% macro same_key(left, right, key_columns) -%}
    {% for key in key_columns %}{{ left }}.{{ key }} = {{ right }}.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
{%- endmacro %}
