with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

identities as (
    select
        customer_id,
        min(email_normalized) as email_normalized,
        cast(count(distinct source_system) as bigint) as source_systems_linked
    from {{ ref('int_identities_stitched') }}
    group by customer_id
),

countries as (
    select email_normalized, country_code, updated_at as seen_at from {{ ref('stg_shopify__orders') }}
    union all
    select email_normalized, country_code, last_changed_at from {{ ref('stg_mailchimp__members') }}
),

latest_country as (
    {{ newest_version('countries', ['email_normalized'], 'seen_at desc, country_code') }}
),

activity as (
    select
        customer_id,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at,
        count(*) as touchpoints,
        count(distinct channel) as channels_touched,
        cast(sum(case when touchpoint_type = 'order_placed' then 1 else 0 end) as bigint) as orders,
        cast(coalesce(sum(revenue), 0) as decimal(18, 2)) as revenue,
        min(case when touchpoint_type = 'order_placed' then occurred_at end) as first_order_at
    from touchpoints
    group by customer_id
),

first_channels as (
    {{ newest_version('touchpoints', ['customer_id'], 'occurred_at, touchpoint_id') }}
)

select
    identities.customer_id,
    case
        when identities.email_normalized is not null then {{ sha256_hex('identities.email_normalized') }}
    end as email_sha256,
    identities.email_normalized is null as is_anonymous,
    identities.source_systems_linked,
    latest_country.country_code,
    activity.first_touch_at,
    first_channels.channel as first_channel,
    activity.last_touch_at,
    coalesce(activity.touchpoints, 0) as touchpoints,
    coalesce(activity.channels_touched, 0) as channels_touched,
    activity.first_order_at,
    coalesce(activity.orders, 0) as orders,
    cast(coalesce(activity.revenue, 0) as decimal(18, 2)) as revenue,
    case
        when coalesce(activity.orders, 0) = 0 then 'prospect'
        when activity.orders = 1 then 'customer'
        else 'repeat_customer'
    end as lifecycle_stage
from identities
left join activity on identities.customer_id = activity.customer_id
left join first_channels on identities.customer_id = first_channels.customer_id
left join latest_country on identities.email_normalized = latest_country.email_normalized
