{#-
    The e-mail campaigns whose KPIs may have changed in this build: campaigns with changed sends,
    activity or unsubscribes since the last complete build, and the campaigns of the changed customers'
    e-mail touchpoints before and after it (their orders' attribution credits those). Every campaign when
    fct_touchpoints was rebuilt.
-#}
-- depends_on: {{ ref('int_changed_customers') }}
-- depends_on: {{ ref('stg_mailchimp__recipients') }}
-- depends_on: {{ ref('stg_mailchimp__email_activities') }}
-- depends_on: {{ ref('stg_mailchimp__unsubscribes') }}
-- depends_on: {{ ref('fct_touchpoints') }}

{% set before = replaced_touchpoints_relation() -%}
with

{% if replaced_touchpoints_kept() -%}
campaigns as (
    select campaign_id from {{ ref('stg_mailchimp__campaigns') }} where {{ changed_since_last_build() }}
    union all
    select campaign_id from {{ ref('stg_mailchimp__recipients') }} where {{ changed_since_last_build() }}
    union all
    select campaign_id from {{ ref('stg_mailchimp__email_activities') }} where {{ changed_since_last_build() }}
    union all
    select campaign_id from {{ ref('stg_mailchimp__unsubscribes') }} where {{ changed_since_last_build() }}
    union all
    select source_object_id
    from {{ ref('fct_touchpoints') }}
    where channel = 'email' and customer_id in (select customer_id from {{ ref('int_changed_customers') }})
    union all
    select source_object_id from {{ before }} where channel = 'email'
)
{%- else -%}
campaigns as (
    select campaign_id from {{ ref('stg_mailchimp__campaigns') }}
)
{%- endif %}

select distinct campaign_id
from campaigns
where campaign_id is not null
