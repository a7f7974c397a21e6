{#-
    This run's rows. An incremental model recomputes one set of keys each run, the changed set it reads
    (a model in this_run/models/changes): source users, customers, tickets, dates (or their ISO weeks)
    or campaigns. Its inputs are read through this_run(), which narrows each to the rows of those keys,
    by the key the input declares for them in its `meta.keys` (README.md); on a rebuild, or when the
    model is not incremental, an input is read whole. The model's own rows of those keys are what its
    pre-hook deletes before it appends their new version, and what its opted-in data tests check.
-#}

{#- The changed set each kind of key is read from. -#}
{% macro changed_set_name(changes) -%}
    {{ return('int_changed_' ~ ('dates' if changes == 'weeks' else changes)) }}
{%- endmacro %}

{#- The rows of model `name` this run recomputes for, as a `from` item (aliased `name`): `changes` is
    the kind of key the calling model recomputes (source_users, customers, tickets, dates, weeks or
    campaigns). Refers to both the input and the changed set, so dbt knows the model needs them. The
    changed customers' rows of a model that keeps a copy of what it appended are that copy. -#}
{% macro this_run(name, changes) -%}
    {%- set relation = ref(name) -%}
    {%- set changed = ref(changed_set_name(changes)) -%}
    {%- if not incremental_run() -%}
        {{ return(relation ~ ' as ' ~ name) }}
    {%- endif -%}
    {%- set node = model_node(name) -%}
    {%- if changes == 'customers' and node.config.get('incremental_strategy') == 'append_keeping_a_copy' -%}
        {%- set written = appended_rows_of_this_build(name) -%}
        {%- if written is not none -%}
            {{ return(written ~ ' as ' ~ name) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('(select * from ' ~ relation ~ ' where ' ~ rows_of_changed_keys(node, relation, changes) ~ ') as ' ~ name) }}
{%- endmacro %}

{#- The rows the calling model holds, before this run replaces them, of the keys it recomputes (all of
    them on a rebuild, which starts empty), as a subquery. -#}
{% macro held_rows(changes) -%}
    {%- if not incremental_run() -%}
        {{ return(this) }}
    {%- endif -%}
    {{ return('(select * from ' ~ this ~ ' where ' ~ rows_of_changed_keys(model_node(model.name), this, changes) ~ ')') }}
{%- endmacro %}

{#- SQL predicate on the rows of `relation` (the model `node`): their key of the kind `changes` is in
    the changed set. -#}
{% macro rows_of_changed_keys(node, relation, changes) -%}
    {%- set keys = (node.config.get('meta') or {}).get('keys') or {} -%}
    {%- set within = relation if (node.config.get('meta') or {}).get('lookup_by_rowid') else none -%}
    {%- set changed = changed_set(changed_set_name(changes)) -%}
    {%- if changes == 'source_users' and 'source_user' in keys -%}
        {{ return(of_changed_source_users(keys['source_user'], changed, within)) }}
    {%- elif changes == 'customers' and 'customer' in keys -%}
        {{ return(in_changed([keys['customer']], changed, ['customer_id'], within=within)) }}
    {%- elif changes == 'customers' and 'source_user' in keys -%}
        {{ return(of_changed_customers_identities(keys['source_user'], changed, within)) }}
    {%- elif changes == 'tickets' and 'ticket' in keys -%}
        {{ return(in_changed([keys['ticket']], changed, ['ticket_id'], within=within)) }}
    {%- elif changes == 'dates' and 'date' in keys -%}
        {{ return(in_changed([keys['date']], changed, ['occurred_date'], within=within)) }}
    {%- elif changes == 'weeks' and ('week' in keys or 'date' in keys) -%}
        {{ return(in_changed([keys.get('week') or keys['date']], changed,
                             [week_start('occurred_date') ~ ' + week_days.day_number'],
                             joined='cross join (values (0), (1), (2), (3), (4), (5), (6)) as week_days(day_number)')) }}
    {%- elif changes == 'campaigns' and 'campaign' in keys -%}
        {{ return(in_changed([keys['campaign']], changed, ['campaign_id'], within=within)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        node.name ~ " declares no key for " ~ changes ~ " in meta.keys (this_run/README.md); it has: " ~ keys) }}
{%- endmacro %}

{#- A source user key, {system: <vendor>, id: <expression>} or {system_column: <column>, id: <expression>}. -#}
{% macro of_changed_source_users(key, changed, within) -%}
    {%- if 'system_column' in key -%}
        {{ return(in_changed([key['system_column'], key['id']], changed, ['source_system', 'source_user_id'], within=within)) }}
    {%- endif -%}
    {{ return(in_changed([key['id']], changed, ['source_user_id'], "source_system = '" ~ key['system'] ~ "'", within=within)) }}
{%- endmacro %}

{#- The rows of source users whose stitched customer is a changed customer. -#}
{% macro of_changed_customers_identities(key, changed, within) -%}
    {%- set identities = graph_relation('int_identities_stitched') -%}
    {%- set of_customers = in_changed(['customer_id'], changed, ['customer_id'], within=identities) -%}
    {%- if 'system_column' in key -%}
        {%- set users = '(select source_system, source_user_id from ' ~ identities ~ ' where ' ~ of_customers ~ ') as identities' -%}
        {{ return(lookup_if(within, key_in([key['system_column'], key['id']], ['source_system', 'source_user_id'], users))) }}
    {%- endif -%}
    {{ return(lookup_if(within, key['id'] ~ ' in (select source_user_id from ' ~ identities
                                ~ " where source_system = '" ~ key['system'] ~ "' and " ~ of_customers ~ ')')) }}
{%- endmacro %}

{#- SQL predicate: `columns` (SQL expressions) name a key in the changed set `changed` (`joined` to more
    rows before `where` filters it). `within`: the one relation the predicate's rows come from, when it
    is large and its rows are read whole (lookup_rows). -#}
{% macro in_changed(columns, changed, changed_columns, where='true', joined='', within=none) -%}
    {{ return(lookup_if(within, key_in(columns, changed_columns, changed ~ ' ' ~ joined ~ ' where ' ~ where))) }}
{%- endmacro %}

{% macro lookup_if(within, predicate) -%}
    {{ return(lookup_rows(within, predicate) if within is not none else predicate) }}
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

{#- A changed set's table: by ref() in a model (which this_run made depend on it), from the graph in a
    data test, which may not ref() what it does not depend on. -#}
{% macro changed_set(name) -%}
    {%- if model.resource_type == 'test' -%}
        {{ return(graph_relation(name)) }}
    {%- endif -%}
    {{ return(ref(name)) }}
{%- endmacro %}

{#- The kind of key a model recomputes: that of the one changed set it depends on (dates: ISO weeks for a
    model keyed by week); none for a model that reads none (staging, which reads what landed). -#}
{% macro changes_of(node) -%}
    {%- set prefix = 'model.' ~ project_name ~ '.int_changed_' -%}
    {%- set read = [] -%}
    {%- for dependency in node.depends_on.nodes if dependency.startswith(prefix) -%}
        {%- do read.append(dependency[prefix | length:]) -%}
    {%- endfor -%}
    {%- if read | length > 1 -%}
        {{ exceptions.raise_compiler_error(node.name ~ ' reads several changed sets: ' ~ read | join(', ')) }}
    {%- elif read and read[0] == 'dates' and 'week' in ((node.config.get('meta') or {}).get('keys') or {}) -%}
        {{ return('weeks') }}
    {%- endif -%}
    {{ return(read[0] if read else none) }}
{%- endmacro %}

{#- pre-hook of every model (dbt_project.yml): an incremental model rebuilt from all its inputs starts
    empty; one that appends this run's keys first drops their rows (those absent from the new version
    stay dropped). fct_touchpoints first keeps a copy of the rows it replaces (changed_touchpoints.sql). -#}
{% macro prepare_this_run() -%}
    {%- set strategy = config.get('incremental_strategy') -%}
    {%- if strategy == 'append_keeping_a_copy' -%}
        {% do run_query(keep_replaced_touchpoints()) %}
    {%- endif -%}
    {%- if not is_incremental() -%}
        {{ return('') }}
    {%- elif not incremental_run() -%}
        {{ empty_table(this) }}
    {%- elif strategy in ('append', 'append_keeping_a_copy') and changes_of(model) is not none -%}
        delete from {{ this }} where {{ rows_of_this_run(model_node(model.name), this, changes_of(model)) }}
    {%- endif -%}
{%- endmacro %}

{#- SQL predicate on the rows of `relation` (the model `node`) that this run recomputes: those of the
    changed keys, and those the model recomputes whole every run, which its `meta.recomputed_every_run`
    (a predicate) names: fct_attribution's markov_removal credits, learnt from every journey. -#}
{% macro rows_of_this_run(node, relation, changes) -%}
    {%- set changed = rows_of_changed_keys(node, relation, changes) -%}
    {%- set every_run = (node.config.get('meta') or {}).get('recomputed_every_run') -%}
    {{ return('(' ~ changed ~ ' or (' ~ every_run ~ '))' if every_run else changed) }}
{%- endmacro %}

{#- The statement that empties a table: Spark's Parquet tables take no `delete`. -#}
{% macro empty_table(relation) -%}
    {{ return(adapter.dispatch('empty_table', 'touchpoints')(relation)) }}
{%- endmacro %}

{% macro default__empty_table(relation) -%}
    delete from {{ relation }}
{%- endmacro %}

{% macro spark__empty_table(relation) -%}
    truncate table {{ relation }}
{%- endmacro %}
