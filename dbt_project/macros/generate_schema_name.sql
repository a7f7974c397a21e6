{#- Layers get their own schema. A DuckDB build is a warehouse file of its own, so its layers are plain
    staging, intermediate and marts; in a shared database (PostgreSQL) the target schema prefixes them
    (build_marts), and publishing swaps them in (touchpoints/warehouse/postgres.py). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif target.type == 'duckdb' -%}{{ custom_schema_name | trim }}
    {%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
