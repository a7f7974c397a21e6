{#-
    Builds. Every row an incremental model writes carries `_batch_at`, the start of the dbt invocation
    that wrote it, and a build that completes (every node of an unselected `build` or `run` succeeded)
    records that time in `_builds`. A run recomputes what changed since the last complete build, so a
    failed night is caught up by the next one. The bookkeeping tables live in the staging schema, so on
    PostgreSQL they are swapped along with the layers they describe.
-#}

{% macro batch_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- A bookkeeping table: in the staging schema, so that PostgreSQL swaps it with the data it describes. -#}
{% macro bookkeeping_relation(identifier) -%}
    {{ return(api.Relation.create(
        database=target.database | default(none), schema=generate_schema_name('staging', none), identifier=identifier)) }}
{%- endmacro %}

{% macro builds_relation() -%}
    {{ return(bookkeeping_relation('_builds')) }}
{%- endmacro %}

{#- on-run-start: the bookkeeping table, created once (the project's fingerprint, which the pipeline
    passes as the var `project_fingerprint`, was added later). -#}
{% macro create_builds_table() -%}
    {{ return(adapter.dispatch('create_builds_table', 'touchpoints')()) }}
{%- endmacro %}

{% macro default__create_builds_table() -%}
    {% do run_query('create schema if not exists ' ~ generate_schema_name('staging', none)) %}
    {% do run_query('create table if not exists ' ~ builds_relation() ~ ' (run_at timestamp)') %}
    alter table {{ builds_relation() }} add column if not exists project_fingerprint varchar
{%- endmacro %}

{% macro spark__create_builds_table() -%}
    {% do run_query('create schema if not exists ' ~ generate_schema_name('staging', none)) %}
    create table if not exists {{ builds_relation() }} (run_at timestamp, project_fingerprint string)
{%- endmacro %}

{#- on-run-end: record the build when all of it ran and succeeded, with the fingerprint of the project
    that built it (a build by different code is followed by a full refresh: touchpoints/dbt_runner.py). -#}
{% macro record_complete_build(results) -%}
    {%- set unselected = not invocation_args_dict.get('select') and not invocation_args_dict.get('exclude') -%}
    {%- set succeeded = results | rejectattr('status', 'in', ['success', 'pass', 'warn', 'no-op']) | list | length == 0 -%}
    {%- set fingerprint = var('project_fingerprint', none) -%}
    {%- if flags.WHICH in ('build', 'run') and unselected and succeeded and results | length > 0 -%}
        insert into {{ builds_relation() }} (run_at, project_fingerprint)
        values ({{ batch_at() }}, {{ "'" ~ fingerprint ~ "'" if fingerprint else 'null' }})
    {%- endif -%}
{%- endmacro %}

{#- When the last complete build started (a datetime), or none (a full refresh, or no complete build
    yet): then everything counts as changed. -#}
{% macro last_build_at() -%}
    {{ return(earlier_builds()['last_build_at']) }}
{%- endmacro %}

{#- Partitions landed again since the last complete build: they may have dropped records, which no
    changed row announces, so that build recomputes everything. -#}
{% macro relanded_since_last_build() -%}
    {{ return(earlier_builds()['relanded']) }}
{%- endmacro %}

{#- What the database says about earlier builds, asked once per invocation: every node that asks runs
    after the partition index (its first node), and nothing this invocation writes changes the answer
    until the on-run-end hook. Kept in `graph`, the one object dbt shares with every node of an
    invocation; without the memo each test and model would ask again, a dozen times for some. -#}
{% macro earlier_builds() -%}
    {%- if not execute -%}
        {{ return({'last_build_at': none, 'relanded': true}) }}
    {%- endif -%}
    {%- set memo = graph.setdefault('touchpoints_earlier_builds', {}) -%}
    {%- if memo.get('invocation_id') != invocation_id -%}
        {%- set since = query_last_build_at() -%}
        {%- do memo.update({'invocation_id': invocation_id, 'last_build_at': since,
                            'relanded': since is none or query_relanded_since(since)}) -%}
    {%- endif -%}
    {{ return(memo) }}
{%- endmacro %}

{% macro query_last_build_at() -%}
    {%- if flags.FULL_REFRESH or not table_exists(builds_relation()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query("select max(run_at) from " ~ builds_relation()) -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}

{% macro query_relanded_since(since) -%}
    {%- set index = graph_relation('stg_landing__partitions') -%}
    {%- if not table_exists(index) -%}{{ return(true) }}{%- endif -%}
    {%- set result = run_query(
        "select count(*) from (select 1 from " ~ index ~ " group by source, entity, ds"
        ~ " having count(*) > 1 and max(_batch_at) > cast('" ~ since ~ "' as timestamp)) as relanded") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Whether this build updates only what changed: not a full refresh, after a complete build, with
    nothing landed again since. -#}
{% macro incremental_build() -%}
    {{ return(execute and last_build_at() is not none and not relanded_since_last_build()) }}
{%- endmacro %}

{#- Whether this model updates only what changed (else it is rebuilt from all its inputs); in a data
    test, whether the model it tests does (tests.sql). -#}
{% macro incremental_run() -%}
    {%- if model.resource_type == 'test' -%}
        {{ return(tested_model().get('config', {}).get('materialized') == 'incremental' and incremental_build()) }}
    {%- endif -%}
    {{ return(is_incremental() and incremental_build()) }}
{%- endmacro %}

{#- SQL predicate on an input with `_batch_at`: the row changed since the last complete build. -#}
{% macro changed_since_last_build(batch_column='_batch_at') -%}
    {%- set since = last_build_at() -%}
    {%- if since is none -%}
        true
    {%- else -%}
        {{ batch_column }} > cast('{{ since }}' as timestamp)
    {%- endif -%}
{%- endmacro %}

{#- Existence asked of the database: dbt's relation cache does not know tables a hook creates. -#}
{% macro table_exists(relation) -%}
    {{ return(adapter.dispatch('table_exists', 'touchpoints')(relation)) }}
{%- endmacro %}

{% macro spark__table_exists(relation) -%}
    {%- set result = run_query("show tables in " ~ relation.schema ~ " like '" ~ relation.identifier ~ "'") -%}
    {{ return(result.rows | length > 0) }}
{%- endmacro %}

{% macro default__table_exists(relation) -%}
    {%- set result = run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ relation.schema
        ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- This project's model `name` as dbt's graph holds it (execution time only). -#}
{% macro model_node(name) -%}
    {{ return(graph.nodes['model.' ~ project_name ~ '.' ~ name]) }}
{%- endmacro %}

{#- The table of model `name`, read without ref(): by the machinery, where a ref() would be a dependency
    dbt cannot have (a data test reading a changed set, a changed set reading a model as its last build
    left it, a question every node asks of the partition index). -#}
{% macro graph_relation(name) -%}
    {%- if not execute -%}
        {{ return(api.Relation.create(identifier=name)) }}  {#- parsing: the graph is not there yet -#}
    {%- endif -%}
    {%- set node = model_node(name) -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
