{#-
    Markov-chain removal effect of each marketing channel (Anderl et al. 2016): a first-order chain over
    the credited marketing channels of int_markov_journeys, from '(start)' to '(conversion)' or '(null)'.
    Removing a channel sends every journey that reaches it to '(null)'; its removal effect is the share
    of the chain's conversion probability that is lost, and its weight its share of all channels'
    removal effects.
-#}

with

journeys as (
    select * from {{ ref('int_markov_journeys') }}
),

steps as (
    select '(start)' as from_state, marketing_channel as to_state
    from journeys
    where step = 1
    union all
    select
        marketing_channel,
        coalesce(
            lead(marketing_channel) over (partition by journey_id order by step),
            case when converted then '(conversion)' else '(null)' end
        )
    from journeys
),

transitions as (
    select
        from_state,
        to_state,
        cast(count(*) as {{ double_type() }})
        / sum(count(*)) over (partition by from_state) as probability
    from steps
    group by from_state, to_state
),

channels as (
    select distinct marketing_channel from journeys
),

-- One chain as observed ('(none)' removed) and one per channel, with the channel removed.
removals as (
    select '(none)' as removed_channel
    union all
    select marketing_channel from channels
),

chains as (
    select
        removals.removed_channel as chain,
        transitions.from_state,
        case when transitions.to_state = removals.removed_channel then '(null)' else transitions.to_state end as to_state,
        transitions.probability
    from removals
    cross join transitions
    where transitions.from_state != removals.removed_channel
),

{{ absorbing_chain_powers('chains', squarings=30) }},

from_start as (
    select
        chain,
        sum(case when to_state = '(conversion)' then probability else 0 end) as conversion_probability,
        sum(case when to_state not in ('(conversion)', '(null)') then probability else 0 end order by to_state)
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
cross join (select sum(removal_effect order by marketing_channel) as total_removal_effect from removal_effects) as total
