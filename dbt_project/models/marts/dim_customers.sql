{#-
    One row per known customer (every stitched identity), with the segments the KPI marts are cut by.
    Incremental: a run recomputes the changed customers (int_changed_customers).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        meta={'changed_rows': 'customers'},
        pre_hook="{{ delete_changed(of_changed_customers()) }}",
    )
}}
-- depends_on: {{ ref('int_changed_customers') }}

with

identities as (
    select
        customer_id,
        min(email_normalized) as email_normalized,
        cast(count(distinct source_system) as bigint) as source_systems_linked
    from {{ ref('int_identities_stitched') }}
    where {{ of_changed_customers(within=ref('int_identities_stitched')) }}
    group by customer_id
),

countries as (
    select email_normalized, country_code, updated_at as seen_at
    from {{ ref('stg_shopify__orders') }}
    where country_code is not null and email_normalized in (select email_normalized from identities)
    union all
    select email_normalized, country_code, last_changed_at
    from {{ ref('stg_mailchimp__members') }}
    where country_code is not null and email_normalized in (select email_normalized from identities)
),

latest_country as (
    {{ newest_version('countries', ['email_normalized'], 'seen_at desc, country_code') }}
),

journeys as (
    select * from {{ ref('customer_journeys') }}
    where {{ of_changed_customers(within=ref('customer_journeys')) }}
)

select
    identities.customer_id,
    case
        when identities.email_normalized is not null then {{ sha256_hex('identities.email_normalized') }}
    end as email_sha256,
    identities.email_normalized is null as is_anonymous,
    identities.source_systems_linked,
    latest_country.country_code,
    journeys.first_touch_at,
    journeys.first_touch_channel as first_channel,
    journeys.last_touch_at,
    journeys.first_order_at,
    coalesce(journeys.orders, 0) as orders,
    coalesce(journeys.revenue, 0) as revenue,
    coalesce(journeys.channels_touched, 0) as channels_touched,
    coalesce(journeys.lifecycle_stage, 'prospect') as lifecycle_stage
from identities
left join journeys on identities.customer_id = journeys.customer_id
left join latest_country on identities.email_normalized = latest_country.email_normalized
