{#-
    The dates whose touchpoints changed in this build: a touchpoint added, removed, or changed in its
    customer, stage, channel, type or revenue (the changed customers' rows after the build against the
    same rows before it, kept by fct_touchpoints' pre-hook). Every date when fct_touchpoints was rebuilt.
-#}
-- depends_on: {{ ref('int_changed_customers') }}
{%- set compared = 'touchpoint_id, occurred_date, customer_id, channel, touchpoint_type, journey_stage, revenue' %}

with

{% set before = replaced_touchpoints_relation() -%}
{% if replaced_touchpoints_kept() -%}
after_build as (
    select {{ compared }}
    from {{ ref('fct_touchpoints') }}
    where customer_id in (select customer_id from {{ ref('int_changed_customers') }})
),

before_build as (
    select {{ compared }} from {{ before }}
),

changed as (
    (select * from after_build except select * from before_build)
    union all
    (select * from before_build except select * from after_build)
)
{%- else -%}
changed as (
    select occurred_date from {{ ref('fct_touchpoints') }}
)
{%- endif %}

select distinct occurred_date
from changed
