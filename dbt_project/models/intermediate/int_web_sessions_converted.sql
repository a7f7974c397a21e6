{#-
    Sessions with their customer and whether that customer placed an order between the session start
    and 30 minutes after its last event. A run recomputes the sessions of the changed customers'
    visitors (this_run/README.md: new sessions, re-linked visitors and new orders change a customer).
-#}
{{ config(unique_key='anonymous_id', incremental_strategy='delete+insert') }}

with

identities as (
    select source_user_id, customer_id
    from {{ this_run('int_identities_stitched', 'customers') }}
    where source_system = 'web'
),

sessions as (
    select * from {{ this_run('int_web_sessions', 'customers') }}
),

orders as (
    select customer_id, occurred_at as ordered_at
    from {{ this_run('fct_touchpoints', 'customers') }}
    where touchpoint_type = 'order_placed'
),

with_customer as (
    select
        sessions.*,
        coalesce(
            identities.customer_id,
            {{ customer_key('cast(null as ' ~ dbt.type_string() ~ ')', "'web'", 'sessions.anonymous_id') }}
        ) as customer_id
    from sessions
    left join identities on sessions.anonymous_id = identities.source_user_id
)

select
    with_customer.*,
    exists (
        select 1
        from orders
        where orders.customer_id = with_customer.customer_id
            and orders.ordered_at >= with_customer.started_at
            and orders.ordered_at <= {{ dbt.dateadd('minute', 30, 'with_customer.ended_at') }}
    ) as is_converted
from with_customer
