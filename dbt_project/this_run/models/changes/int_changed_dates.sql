{#-
    The dates whose touchpoints changed since the last complete build: a touchpoint added, removed, or
    changed in its customer, stage, channel, type, revenue or object (the changed customers' rows now
    against the same rows at the last complete build, kept by fct_touchpoints' pre-hook). Every date when
    fct_touchpoints was rebuilt; none when no build since rewrote it.
-#}
-- depends_on: {{ ref('int_changed_customers') }}
{%- set compared = compared_touchpoint_columns() | join(', ') %}

with

{% if not incremental_build() -%}
changed as (
    select occurred_date from {{ ref('fct_touchpoints') }}
)
{%- elif replaced_touchpoints_kept() -%}
after_build as (
    select {{ compared }} from {{ touchpoints_of_replaced_customers() }} as touchpoints
),

before_build as (
    select {{ compared }} from {{ bookkeeping_relation('_touchpoints_replaced') }}
    where touchpoint_id is not null
),

changed as (
    (select * from after_build except select * from before_build)
    union all
    (select * from before_build except select * from after_build)
)
{%- else -%}
changed as (
    select occurred_date from {{ ref('fct_touchpoints') }} where false
)
{%- endif %}

select distinct occurred_date
from changed
