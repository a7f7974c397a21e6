{#- Incremental: a run recomputes the dates whose touchpoints changed (int_changed_dates). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        meta={'changed_rows': 'dates'},
        pre_hook="{{ delete_changed(of_changed_dates()) }}",
    )
}}
-- depends_on: {{ ref('int_changed_dates') }}

select
    occurred_date,
    channel,
    touchpoint_type,
    journey_stage,
    cast(count(*) as bigint) as touchpoints,
    cast(count(distinct customer_id) as bigint) as customers
from {{ ref('fct_touchpoints') }}
where {{ of_changed_dates() }}
group by occurred_date, channel, touchpoint_type, journey_stage
