{#- Every customer is in exactly one segment of each kind, so a count KPI cut by one kind of segment adds
    up to the uncut value. Fails with the counts that do not. -#}
{%- set counts = ['emails_sent', 'tickets_created', 'reviews', 'sessions', 'orders', 'buyers', 'comments'] %}
with

headlines as (
    select * from {{ ref('kpi_headlines') }}
    where kpi_name in ('{{ counts | join("', '") }}')
),

{%- for segment, others in [('lifecycle_stage', ['first_channel', 'country_code']),
                            ('first_channel', ['lifecycle_stage', 'country_code']),
                            ('country_code', ['lifecycle_stage', 'first_channel'])] %}

by_{{ segment }} as (
    select
        period,
        channel,
        kpi_name,
        '{{ segment }}' as cut_by,
        sum(current_value) as cut_total,
        sum(previous_value) as previous_cut_total
    from headlines
    where {{ segment }} != '(all)' and {% for other in others %}{{ other }} = '(all)'{% if not loop.last %} and {% endif %}{% endfor %}
    group by period, channel, kpi_name
),
{%- endfor %}

uncut as (
    select * from headlines
    where lifecycle_stage = '(all)' and first_channel = '(all)' and country_code = '(all)'
),

cuts as (
    select * from by_lifecycle_stage
    union all select * from by_first_channel
    union all select * from by_country_code
)

select cuts.*, uncut.current_value, uncut.previous_value
from cuts
inner join uncut
    on cuts.period = uncut.period and cuts.channel = uncut.channel and cuts.kpi_name = uncut.kpi_name
where abs(coalesce(cuts.cut_total, 0) - coalesce(uncut.current_value, 0)) > 1e-9
    or abs(coalesce(cuts.previous_cut_total, 0) - coalesce(uncut.previous_value, 0)) > 1e-9
