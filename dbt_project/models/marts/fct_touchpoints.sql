{#-
    Every touchpoint of a customer: the brand's own people and accounts (a customer with an identity of the
    brand's: an agent, the Facebook Page) have none; their actions are touchpoints of the customer they
    act on (an agent's reply belongs to the ticket's requester).
    Incremental by customer: a run recomputes every touchpoint of the customers that changed
    (int_changed_customers: new or changed source records, a late identity link, a late first order that
    moves stages). The pre-hook first drops their old rows, so rows whose source record went away or
    whose user moved to another customer go too. The result always equals a full refresh.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append_keeping_a_copy',
        on_schema_change='fail',
        meta={'changed_rows': 'appended'},
        pre_hook=[
            "{{ keep_replaced_touchpoints() }}",
            "{{ delete_changed(of_changed_customers()) }}",
        ],
    )
}}
-- depends_on: {{ ref('int_changed_customers') }}

with

identities as (
    select * from {{ ref('int_identities_stitched') }}
    where {{ of_changed_customers(within=ref('int_identities_stitched')) }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_unioned') }}
    {%- if incremental_run() %}
    where {{ key_in(['source_system', 'source_user_id'], ['source_system', 'source_user_id'], 'identities') }}
    {%- endif %}
),

brand_customers as (
    select distinct customer_id from identities where is_brand
),

resolved as (
    select
        touchpoints.*,
        coalesce(
            identities.customer_id,
            {{ customer_key('cast(null as varchar)', 'touchpoints.source_system', 'touchpoints.source_user_id') }}
        ) as customer_id
    from touchpoints
    left join identities
        on touchpoints.source_system = identities.source_system
        and touchpoints.source_user_id = identities.source_user_id
    where identities.customer_id is null or identities.customer_id not in (select customer_id from brand_customers)
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
            when resolved.customer_id like 'cus\_%' escape '\' and first_orders.first_order_at < resolved.occurred_at
                then 'post_purchase'
            else 'pre_purchase'
        end as journey_stage,
        resolved.is_customer_initiated,
        resolved.source_object_type,
        resolved.source_object_id,
        resolved.revenue,
        resolved.rating
    from resolved
    left join first_orders on resolved.customer_id = first_orders.customer_id
)

select * from final
