{{ config(unique_key=['order_id']) }}

with

source as (
    select * from {{ landed('shopify', 'orders') }}
),

renamed as (
    select
        order_id,
        order_name,
        customer_id,
        -- a guest checkout has no customer id: the order stands in for the person
        coalesce(cast(customer_id as {{ dbt.type_string() }}), 'order-' || cast(order_id as {{ dbt.type_string() }})) as buyer_id,
        {{ normalize_email('coalesce(customer_email, email)') }} as email_normalized,
        {{ utc_timestamp('created_at') }} as ordered_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ utc_timestamp('cancelled_at') }} as cancelled_at,
        currency,
        cast(total_price as decimal(18, 2)) as total_price,
        financial_status,
        nullif(upper(country_code), '') as country_code,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed', 'updated_at desc, ds desc') }}
)

select * from deduplicated
