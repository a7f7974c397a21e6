{#-
    Every touchpoint of a customer: the brand's own people and accounts (a customer with an identity of the
    brand's: an agent, the Facebook Page) have none; their actions are touchpoints of the customer they
    act on (an agent's reply belongs to the ticket's requester).
    A run recomputes every touchpoint of the customers that changed (this_run/README.md: new or changed
    source records, a late identity link, a late first order that moves stages); rows whose source
    record went away or whose user moved to another customer go. The result always equals a full
    refresh. It keeps a copy of what it appended, which the models after it read.
-#}
{{ config(incremental_strategy='append_keeping_a_copy') }}

with

identities as (
    select * from {{ this_run('int_identities_stitched', 'customers') }}
),

touchpoints as (
    select * from {{ this_run('int_touchpoints_unioned', 'customers') }}
),

brand_customers as (
    select distinct customer_id from identities where is_brand
),

resolved as (
    select
        touchpoints.*,
        coalesce(
            identities.customer_id,
            {{ customer_key('cast(null as ' ~ dbt.type_string() ~ ')', 'touchpoints.source_system', 'touchpoints.source_user_id') }}
        ) as customer_id
    from touchpoints
    left join identities
        on touchpoints.source_system = identities.source_system
        and touchpoints.source_user_id = identities.source_user_id
    where not exists (
        select 1 from brand_customers where brand_customers.customer_id = identities.customer_id
    )
),

first_orders as (
    select
        customer_id,
        min(occurred_at) as first_order_at
    from resolved
    where touchpoint_type = 'order_placed'
    group by customer_id
),

final as (
    select
        resolved.touchpoint_id,
        resolved.occurred_at,
        cast(resolved.occurred_at as date) as occurred_date,
        resolved.customer_id,
        resolved.source_system,
        resolved.channel,
        resolved.touchpoint_type,
        case
            when resolved.touchpoint_type = 'order_placed' then 'purchase'
            when left(resolved.customer_id, 4) = 'cus_' and first_orders.first_order_at < resolved.occurred_at
                then 'post_purchase'
            else 'pre_purchase'
        end as journey_stage,
        resolved.is_customer_initiated,
        resolved.source_object_type,
        resolved.source_object_id,
        resolved.revenue,
        resolved.rating,
        resolved.marketing_channel,
        resolved.campaign,
        resolved.landing_page
    from resolved
    left join first_orders on resolved.customer_id = first_orders.customer_id
)

select * from final
