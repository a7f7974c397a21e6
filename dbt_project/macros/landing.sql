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

{#- A landed UTC instant as text, as DuckDB and PostgreSQL write a timestamptz in UTC
    ('2026-09-03 15:28:00+00'): ids hashed from it are the same on every engine. -#}
{% macro utc_instant_text(expression) -%}
    {{ return(adapter.dispatch('utc_instant_text', 'touchpoints')(expression)) }}
{%- endmacro %}

{% macro default__utc_instant_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__utc_instant_text(expression) -%}
    concat(cast({{ expression }} as string), '+00')
{%- endmacro %}

{#- When an entity last landed new records (the newest manifest of a load with rows): what source
    freshness measures. Extraction time is wall-clock time, so a backfill of old days counts as fresh,
    while a source whose API has gone quiet (empty loads night after night) turns stale. -#}
{% macro last_landed_at(source_node) -%}
    {{ return(adapter.dispatch('last_landed_at', 'touchpoints')(source_node)) }}
{%- endmacro %}

{% macro default__last_landed_at(source_node) -%}
    select max(cast(extracted_at as timestamptz))
    from read_json(
        '{{ env_var("TOUCHPOINTS_LANDING_DIR", "../landing") }}/{{ source_node.source_name }}/{{ source_node.name }}/ds=*/_manifest.json',
        columns = {extracted_at: 'varchar', rows: 'bigint'}
    )
    where rows > 0
{%- endmacro %}

{% macro spark__last_landed_at(source_node) -%}
    select max(extracted_at)
    from {{ landing_index() }}
    where source = '{{ source_node.source_name }}' and entity = '{{ source_node.name }}' and rows > 0
{%- endmacro %}

{% macro postgres__last_landed_at(source_node) -%}
    select max(extracted_at)
    from landing.manifests
    where source = '{{ source_node.source_name }}' and entity = '{{ source_node.name }}' and rows > 0
{%- endmacro %}

{#- The landed rows with every one of `columns` ({name: type}): NULL in partitions landed before the
    connector had the column. PostgreSQL's landing tables gain a connector's new columns when it lands. -#}
{% macro with_landed_columns(relation, columns) -%}
    {{ return(adapter.dispatch('with_landed_columns', 'touchpoints')(relation, columns)) }}
{%- endmacro %}

{% macro default__with_landed_columns(relation, columns) -%}
    select * from {{ relation }}
    union all by name
    select {% for name, type in columns.items() %}cast(null as {{ type }}) as {{ name }}{{ ', ' if not loop.last }}{% endfor %}
    where false
{%- endmacro %}

{#- Spark reads every partition's schema (spark.sql.parquet.mergeSchema), so only a column that no
    partition has yet is missing. -#}
{% macro spark__with_landed_columns(relation, columns) -%}
    {%- set landed_columns = run_query('select * from ' ~ relation ~ ' limit 0').column_names if execute else [] -%}
    select *
    {%- for name, type in columns.items() if name not in landed_columns %}, cast(null as {{ type }}) as {{ name }}{% endfor %}
    from {{ relation }}
{%- endmacro %}

{% macro postgres__with_landed_columns(relation, columns) -%}
    select * from {{ relation }}
{%- endmacro %}

{#- Spark's file sources skip files whose names start with `_`, the landing zone's manifests among them:
    the pipeline indexes them into a Parquet table of their own before each build
    (touchpoints/warehouse/landing_index.py). -#}
{% macro landing_index() -%}
    parquet.`{{ env_var('TOUCHPOINTS_LANDING_INDEX_DIR', '../landing_index') }}`
{%- endmacro %}
