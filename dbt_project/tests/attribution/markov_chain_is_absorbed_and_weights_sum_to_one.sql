{#- The chain's 2^30 steps leave less than 1e-12 of its probability unabsorbed (the bound of the error of
    every conversion probability), and the channel weights sum to 1. Fails with the offending rows. -#}
select marketing_channel, unabsorbed, null as total_weight
from {{ ref('int_markov_removal_effects') }}
where unabsorbed >= 1e-12
union all
select null, null, sum(weight)
from {{ ref('int_markov_removal_effects') }}
having abs(sum(weight) - 1) > 1e-9
