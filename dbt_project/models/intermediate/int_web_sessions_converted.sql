{#-
    Sessions with their customer and whether that customer placed an order between the session start
    and 30 minutes after its last event. Incremental: a run recomputes the sessions of the changed
    customers' visitors (int_changed_customers covers new sessions, re-linked visitors and new orders).
-#}
{{ config(materialized='incremental', unique_key='anonymous_id', incremental_strategy='delete+insert') }}
-- depends_on: {{ ref('int_changed_customers') }}

with

identities as (
    select source_user_id, customer_id
    from {{ ref('int_identities_stitched') }}
    where source_system = 'web' and {{ of_changed_customers(within=ref('int_identities_stitched')) }}
),

sessions as (
    select * from {{ ref('int_web_sessions') }}
    {%- if incremental_run() %}
    where {{ lookup_rows(ref('int_web_sessions'), 'anonymous_id in (select source_user_id from identities)') }}
    {%- endif %}
),

orders as (
    select customer_id, occurred_at as ordered_at
    from {{ touchpoints_of_changed_customers() }} as touchpoints
    where touchpoint_type = 'order_placed'
),

with_customer as (
    select
        sessions.*,
        coalesce(
            identities.customer_id,
            {{ customer_key('cast(null as varchar)', "'web'", 'sessions.anonymous_id') }}
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
