{#-
    The first-order Markov chains of the journeys (Anderl et al. 2016), as transition probabilities
    between the credited marketing channels of int_markov_journeys, from '(start)' to '(conversion)' or
    '(null)': the chain as observed ('(none)' removed) and one per channel, with that channel removed
    (every transition into it goes to '(null)' instead).
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
)

select * from chains
