{#-
    Absorbing Markov chains, as CTEs: `transitions` (a CTE or relation of `chain`, `from_state`,
    `to_state`, `probability`; several chains told apart by `chain`) whose absorbing states are
    '(conversion)' and '(null)'. Renders `<name>_0` … `<name>_<squarings>`: the transition matrix P with
    the absorbing states' self-loops, then P², P⁴, …, P^(2^squarings), each the square of the one before.
    Row '(start)' of the last holds the probability of being absorbed in each state within 2^squarings
    steps; what is still on a transient state is the bound of its error (docs/kpis.md).
    Sums are taken in a fixed order so that a rebuild gives the same last digit. Entries below 1e-100
    are dropped before a product (PostgreSQL raises an error on a double's underflow, DuckDB does not):
    what that loses is under 1e-96 a step for any chain of fewer than 100 states.
-#}
{% macro absorbing_chain_powers(transitions, name='chain_power', squarings=30) -%}
{{ name }}_0 as (
    select chain, from_state, to_state, probability from {{ transitions }}
    union all
    select distinct chain, absorbing.state, absorbing.state, 1.0
    from {{ transitions }}
    cross join (values ('(conversion)'), ('(null)')) as absorbing (state)
){% for power in range(1, squarings + 1) %},

{{ name }}_{{ power }} as (
    select
        left_factor.chain,
        left_factor.from_state,
        right_factor.to_state,
        sum(left_factor.probability * right_factor.probability order by left_factor.to_state) as probability
    from {{ name }}_{{ power - 1 }} as left_factor
    inner join {{ name }}_{{ power - 1 }} as right_factor
        on left_factor.chain = right_factor.chain
        and left_factor.to_state = right_factor.from_state
    where left_factor.probability >= 1e-100 and right_factor.probability >= 1e-100
    group by left_factor.chain, left_factor.from_state, right_factor.to_state
){% endfor %}
{%- endmacro %}
