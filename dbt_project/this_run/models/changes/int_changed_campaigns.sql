{#-
    The e-mail campaigns whose KPIs may have changed since the last complete build: campaigns with
    changed sends, activity or unsubscribes, and the campaigns of the changed customers' e-mail
    touchpoints and of their visits from the campaign's e-mails (utm_campaign), now and at the last
    complete build (their orders' attribution credits those). Every
    campaign when fct_touchpoints was rebuilt.
-#}
-- depends_on: {{ ref('int_changed_customers') }}
-- depends_on: {{ ref('stg_mailchimp__recipients') }}
-- depends_on: {{ ref('stg_mailchimp__email_activities') }}
-- depends_on: {{ ref('stg_mailchimp__unsubscribes') }}
-- depends_on: {{ ref('fct_touchpoints') }}

with

{% if incremental_build() -%}
campaigns as (
    select campaign_id from {{ ref('stg_mailchimp__campaigns') }} where {{ changed_since_last_build() }}
    union all
    select campaign_id from {{ ref('stg_mailchimp__recipients') }} where {{ changed_since_last_build() }}
    union all
    select campaign_id from {{ ref('stg_mailchimp__email_activities') }} where {{ changed_since_last_build() }}
    union all
    select campaign_id from {{ ref('stg_mailchimp__unsubscribes') }} where {{ changed_since_last_build() }}
    {%- if replaced_touchpoints_kept() %}
    union all
    select source_object_id from {{ touchpoints_of_replaced_customers() }} as touchpoints where channel = 'email'
    union all
    select source_object_id from {{ bookkeeping_relation('_touchpoints_replaced') }} where channel = 'email'
    union all
    select campaigns.campaign_id
    from {{ touchpoints_of_replaced_customers() }} as touchpoints
    inner join {{ ref('stg_mailchimp__campaigns') }} as campaigns on touchpoints.campaign = campaigns.utm_campaign
    where touchpoints.marketing_channel = 'email'
    union all
    select campaigns.campaign_id
    from {{ bookkeeping_relation('_touchpoints_replaced') }} as touchpoints
    inner join {{ ref('stg_mailchimp__campaigns') }} as campaigns on touchpoints.campaign = campaigns.utm_campaign
    where touchpoints.marketing_channel = 'email'
    {%- endif %}
)
{%- else -%}
campaigns as (
    select campaign_id from {{ ref('stg_mailchimp__campaigns') }}
)
{%- endif %}

select distinct campaign_id
from campaigns
where campaign_id is not null
