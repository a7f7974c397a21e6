{#-
    Customers whose touchpoints, journey, attribution or profile may have changed since the last complete
    build: the customers of the changed source users as stitched now and as stitched at the last complete
    build (a late identity link moves a user's rows from one customer to another), and the customers of
    e-mails whose country changed. The customer marts recompute exactly these customers.
-#}
with

changed_identities as (
    select customer_id, previous_customer_id
    from {{ ref('int_identities_stitched') }}
    where {{ changed_since_last_build() }}
),

country_emails as (
    select email_normalized from {{ ref('stg_shopify__orders') }} where {{ changed_since_last_build() }}
    union all
    select email_normalized from {{ ref('stg_mailchimp__members') }} where {{ changed_since_last_build() }}
),

customers as (
    select customer_id from changed_identities
    union all
    select previous_customer_id from changed_identities
    union all
    select {{ customer_key('email_normalized', "''", "''") }} from country_emails where email_normalized is not null
)

select distinct customer_id
from customers
where customer_id is not null
