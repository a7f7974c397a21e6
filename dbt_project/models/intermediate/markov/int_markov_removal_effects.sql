{#-
    Markov-chain removal effect of each marketing channel (Anderl et al. 2016), from the chains of
    int_markov_chains: removing a channel sends every journey that reaches it to '(null)'; its removal
    effect is the share of the chain's conversion probability that is lost, and its weight its share of
    all channels' removal effects.
-#}

with

chains as (
    select * from {{ ref('int_markov_chains') }}
),

channels as (
    select distinct chain as marketing_channel from chains where chain != '(none)'
),

{{ absorbing_chain_powers(ref('int_markov_chains'), squarings=30) }},

from_start as (
    select
        chain,
        sum(case when to_state = '(conversion)' then probability else 0 end) as conversion_probability,
        {{ sum_in_order("case when to_state not in ('(conversion)', '(null)') then probability else 0 end", 'to_state') }}
            as unabsorbed
    from chain_power_30
    where from_state = '(start)'
    group by chain
),

removal_effects as (
    select
        channels.marketing_channel,
        observed.conversion_probability,
        removed.conversion_probability as conversion_probability_without,
        greatest(1 - {{ safe_ratio('removed.conversion_probability', 'observed.conversion_probability') }}, 0)
            as removal_effect,
        greatest(observed.unabsorbed, removed.unabsorbed) as unabsorbed
    from channels
    inner join from_start as observed on observed.chain = '(none)'
    left join from_start as removed on removed.chain = channels.marketing_channel
)

select
    marketing_channel,
    conversion_probability,
    coalesce(conversion_probability_without, 0) as conversion_probability_without,
    removal_effect,
    {{ safe_ratio('removal_effect', 'total_removal_effect') }} as weight,
    unabsorbed
from removal_effects
cross join (select {{ sum_in_order('removal_effect', 'marketing_channel') }} as total_removal_effect from removal_effects) as total
