{#-
    Absorbing Markov chains, as CTEs: `transitions` (a CTE or relation of `chain`, `from_state`,
    `to_state`, `probability`; several chains told apart by `chain`) whose absorbing states are
    '(conversion)' and '(null)'. Renders `<name>_0` … `<name>_<squarings>`: the transition matrix P with
    the absorbing states' self-loops, then P², P⁴, …, P^(2^squarings), each the square of the one before.
    Row '(start)' of the last holds the probability of being absorbed in each state within 2^squarings
    steps; what is still on a transient state is the bound of its error (docs/kpis.md).
    Sums are taken in a fixed order so that a rebuild gives the same last digit (Spark has no ordered
    sum: there the last digits may differ from one rebuild to the next). Entries below 1e-100
    are dropped before a product (PostgreSQL raises an error on a double's underflow, DuckDB does not):
    what that loses is under 1e-96 a step for any chain of fewer than 100 states.
-#}
{% macro absorbing_chain_powers(transitions, name='chain_power', squarings=30) -%}
    {{ return(adapter.dispatch('absorbing_chain_powers', 'touchpoints')(transitions, name, squarings)) }}
{%- endmacro %}

{% macro default__absorbing_chain_powers(transitions, name, squarings) -%}
{{ name }}_0 as (
    {{ chain_with_absorbing_loops(transitions) }}
){% for power in range(1, squarings + 1) %},

{{ name }}_{{ power }} as (
    {{ chain_squared(name ~ '_' ~ (power - 1)) }}
){% endfor %}
{%- endmacro %}

{#- Spark analyses a CTE once for each time it is read, so 30 squarings in one query would be 2^30
    plans: each power is a table of its own (in the model's schema), and the CTE reads the last. -#}
{% macro spark__absorbing_chain_powers(transitions, name, squarings) -%}
    {%- set powers = [] -%}
    {%- for power in range(squarings + 1) -%}
        {%- do powers.append(api.Relation.create(schema=this.schema, identifier=this.identifier ~ '__' ~ name ~ '_' ~ power)) -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- for power in range(squarings + 1) -%}
            {%- set square = chain_squared(powers[power - 1]) if power else chain_with_absorbing_loops(transitions) -%}
            {%- do run_query('drop table if exists ' ~ powers[power]) -%}
            {%- do run_query('create table ' ~ powers[power] ~ ' using parquet as ' ~ square) -%}
            {%- if power -%}{%- do run_query('drop table if exists ' ~ powers[power - 1]) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{{ name }}_{{ squarings }} as (
    select * from {{ powers[squarings] }}
)
{%- endmacro %}

{#- The transition matrix P with the absorbing states' self-loops. -#}
{% macro chain_with_absorbing_loops(transitions) -%}
    select chain, from_state, to_state, probability from {{ transitions }}
    union all
    select distinct chain, absorbing.state, absorbing.state, 1.0
    from {{ transitions }}
    cross join (values ('(conversion)'), ('(null)')) as absorbing (state)
{%- endmacro %}

{#- The square of the chains' matrix `matrix` (a CTE or relation). -#}
{% macro chain_squared(matrix) -%}
    select
        left_factor.chain,
        left_factor.from_state,
        right_factor.to_state,
        {{ sum_in_order('left_factor.probability * right_factor.probability', 'left_factor.to_state') }} as probability
    from {{ matrix }} as left_factor
    inner join {{ matrix }} as right_factor
        on left_factor.chain = right_factor.chain
        and left_factor.to_state = right_factor.from_state
    where left_factor.probability >= 1e-100 and right_factor.probability >= 1e-100
    group by left_factor.chain, left_factor.from_state, right_factor.to_state
{%- endmacro %}
