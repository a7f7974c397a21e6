{#-
    One row per customer: a person or visitor outside the brand with at least one touchpoint (the
    customers of customer_journeys), with the segments the KPI marts are cut by.
    A run recomputes the changed customers (this_run/README.md).
-#}

with

journeys as (
    select * from {{ this_run('customer_journeys', 'customers') }}
),

stitched as (
    select * from {{ this_run('int_identities_stitched', 'customers') }}
),

identities as (
    select
        customer_id,
        min(email_normalized) as email_normalized,
        cast(count(distinct source_system) as bigint) as source_systems_linked
    from stitched
    where customer_id in (select customer_id from journeys)
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
)

select
    journeys.customer_id,
    case
        when identities.email_normalized is not null then {{ sha256_hex('identities.email_normalized') }}
    end as email_sha256,
    identities.email_normalized is null as is_anonymous,
    coalesce(identities.source_systems_linked, 1) as source_systems_linked,
    latest_country.country_code,
    journeys.first_touch_at,
    journeys.first_touch_channel as first_channel,
    journeys.last_touch_at,
    journeys.first_order_at,
    journeys.orders,
    journeys.revenue,
    journeys.channels_touched,
    journeys.lifecycle_stage
from journeys
left join identities on journeys.customer_id = identities.customer_id
left join latest_country on identities.email_normalized = latest_country.email_normalized
