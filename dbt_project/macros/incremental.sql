{#-
    Incremental bookkeeping. Every row an incremental model writes carries `_batch_at`, the start of the
    dbt invocation that wrote it, and a build that completes (every node of an unselected `build` or
    `run` succeeded) records that time in `_builds`. Incremental models reprocess what their inputs
    changed since the last complete build, so a failed night is caught up by the next one, and a value a
    model remembers from before the last complete build (`previous_customer_id`) is the same for all.
    The bookkeeping lives in the staging schema, so on PostgreSQL it is swapped along with the layers.
-#}

{% macro batch_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- A bookkeeping table: in the staging schema, so that PostgreSQL swaps it with the data it describes. -#}
{% macro bookkeeping_relation(identifier) -%}
    {{ return(api.Relation.create(
        database=target.database, schema=generate_schema_name('staging', none), identifier=identifier)) }}
{%- endmacro %}

{% macro builds_relation() -%}
    {{ return(bookkeeping_relation('_builds')) }}
{%- endmacro %}

{#- on-run-start: the bookkeeping table, created once (the project's fingerprint, which the pipeline
    passes as the var `project_fingerprint`, was added later). -#}
{% macro create_builds_table() -%}
    {% do run_query('create schema if not exists ' ~ generate_schema_name('staging', none)) %}
    {% do run_query('create table if not exists ' ~ builds_relation() ~ ' (run_at timestamp)') %}
    alter table {{ builds_relation() }} add column if not exists project_fingerprint varchar
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
    {#- not ref(): every model already depends on the index through staging -#}
    {%- set index = adapter.get_relation(target.database, generate_schema_name('staging', none), 'stg_landing__partitions') -%}
    {%- if index is none -%}{{ return(true) }}{%- endif -%}
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
    test, whether the model it tests does (macros/scoped_tests.sql). -#}
{% macro incremental_run() -%}
    {%- if model.resource_type == 'test' -%}
        {{ return(tested_model().get('config', {}).get('materialized') == 'incremental' and incremental_build()) }}
    {%- endif -%}
    {{ return(is_incremental() and incremental_build()) }}
{%- endmacro %}

{#- pre-hook of every incremental model: a rebuild starts from an empty table. -#}
{% macro clear_for_rebuild() -%}
    {%- if is_incremental() and not incremental_run() -%}
        delete from {{ this }}
    {%- endif -%}
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

{#- SQL predicate: `columns` (SQL expressions) name a key in the given changed set (`joined` to more rows
    before `where` filters it); true on a full build. `within`: the one relation the predicate's rows
    come from, when it is large and its rows are read whole (lookup_rows). -#}
{% macro in_changed(columns, changed_model, changed_columns, where='true', joined='', within=none) -%}
    {%- if incremental_run() -%}
        {%- set predicate = key_in(columns, changed_columns, changed_set(changed_model) ~ ' ' ~ joined ~ ' where ' ~ where) -%}
        {{ lookup_rows(within, predicate) if within is not none else predicate }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- SQL predicate: `predicate` on the columns of `relation`, looked up in two steps on DuckDB: the
    predicate's own columns over the whole table, then the other columns of the matching rows alone, by
    rowid. A one-step semi-join reads every column of every row whenever DuckDB cannot filter the scan
    with it; it cannot with keys that share a prefix ('anon-…', 'cus_…'), for which it pushes a
    prefix-range filter that lets every row through. -#}
{% macro lookup_rows(relation, predicate) -%}
    {{ return(adapter.dispatch('lookup_rows', 'touchpoints')(relation, predicate)) }}
{%- endmacro %}

{% macro default__lookup_rows(relation, predicate) -%}
    {{ predicate }}
{%- endmacro %}

{% macro duckdb__lookup_rows(relation, predicate) -%}
    rowid in (select rowid from {{ relation }} where {{ predicate }})
{%- endmacro %}

{#- SQL predicate: the key `columns` is among `key_columns` of the rows of `keys` (a from clause). A key
    of several columns is first looked up by its last column alone: DuckDB turns a one-column semi-join
    into a Bloom filter inside the scan, so only the matching rows of a large table are read whole,
    where a tuple IN filters it by min and max only (on the 10M-row union of the benchmark, the scan
    behind fct_touchpoints took 0.36 s instead of 0.60 s, the delete 0.14 s instead of 0.17-0.24 s). -#}
{% macro key_in(columns, key_columns, keys) -%}
    (
    {%- if columns | length > 1 %}{{ columns[-1] }} in (select {{ key_columns[-1] }} from {{ keys }}) and {% endif -%}
    ({{ columns | join(', ') }}) in (select {{ key_columns | join(', ') }} from {{ keys }}))
{%- endmacro %}

{#- A changed set (a model); a data test, which may not ref() what it does not depend on, reads it by name. -#}
{% macro changed_set(name) -%}
    {%- if model.resource_type == 'test' -%}
        {{ return(model_node(name).relation_name) }}
    {%- endif -%}
    {{ return(ref(name)) }}
{%- endmacro %}

{#- This project's model `name` as dbt's graph holds it (execution time only). -#}
{% macro model_node(name) -%}
    {{ return(graph.nodes['model.' ~ project_name ~ '.' ~ name]) }}
{%- endmacro %}

{#- The rows of source users whose links or touchpoints changed (int_changed_source_users). -#}
{% macro of_changed_source_users(within=none) -%}
    {{ in_changed(['source_system', 'source_user_id'], 'int_changed_source_users', ['source_system', 'source_user_id'], within=within) }}
{%- endmacro %}

{#- The rows of one source system's users whose links or touchpoints changed (int_changed_source_users). -#}
{% macro of_changed_users(source_system, user_column, within=none) -%}
    {{ in_changed([user_column], 'int_changed_source_users', ['source_user_id'], "source_system = '" ~ source_system ~ "'", within=within) }}
{%- endmacro %}

{#- The rows of customers whose touchpoints may have changed (int_changed_customers). -#}
{% macro of_changed_customers(customer_column='customer_id', within=none) -%}
    {{ in_changed([customer_column], 'int_changed_customers', ['customer_id'], within=within) }}
{%- endmacro %}

{#- The rows of Zendesk tickets whose support facts may have changed (int_changed_tickets). -#}
{% macro of_changed_tickets(ticket_column='ticket_id', within=none) -%}
    {{ in_changed([ticket_column], 'int_changed_tickets', ['ticket_id'], within=within) }}
{%- endmacro %}

{#- The rows of e-mail campaigns whose KPIs may have changed (int_changed_campaigns). -#}
{% macro of_changed_campaigns(campaign_column='campaign_id') -%}
    {{ in_changed([campaign_column], 'int_changed_campaigns', ['campaign_id']) }}
{%- endmacro %}

{#- The rows of dates whose touchpoints changed (int_changed_dates). -#}
{% macro of_changed_dates(date_column='occurred_date') -%}
    {{ in_changed([date_column], 'int_changed_dates', ['occurred_date']) }}
{%- endmacro %}

{#- The rows dated in an ISO week with a changed date (int_changed_dates). Compared date by date, not by
    week_start(date): a plain column lets the scan skip row groups by their dates' minimum and maximum. -#}
{% macro of_changed_weeks(date_column) -%}
    {{ in_changed([date_column], 'int_changed_dates', [week_start('occurred_date') ~ ' + week_days.day_number'],
                  joined='cross join (values (0), (1), (2), (3), (4), (5), (6)) as week_days(day_number)') }}
{%- endmacro %}

{#- pre-hook: drop the rows an incremental run recomputes (`predicate`, one of the of_changed_* macros);
    those absent from the new set stay dropped. -#}
{% macro delete_changed(predicate) -%}
    {%- if incremental_run() -%}
        delete from {{ this }} where {{ predicate }}
    {%- endif -%}
{%- endmacro %}

{#- Existence asked of the database: dbt's relation cache does not know tables a hook creates. -#}
{% macro table_exists(relation) -%}
    {%- set result = run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ relation.schema
        ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}
