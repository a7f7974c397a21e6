{#- Every order's customer has a segment, so the segments' credits add up to kpi_channel_attribution.
    Fails with the date, channel and model that do not. Sums grouped another way round differently, by a
    share of the sum: a day's revenue of a large shop is millions, so the tolerance is relative too. -#}
with

segments as (
    select order_date, channel, model, sum(attributed_orders) as attributed_orders, sum(attributed_revenue) as attributed_revenue
    from {{ ref('kpi_attribution_segments') }}
    group by order_date, channel, model
),

channels as (
    select * from {{ ref('kpi_channel_attribution') }}
)

select channels.order_date, channels.channel, channels.model, channels.attributed_orders, segments.attributed_orders as segment_orders
from channels
full outer join segments
    on channels.order_date = segments.order_date and channels.channel = segments.channel and channels.model = segments.model
where segments.order_date is null or channels.order_date is null
    or abs(channels.attributed_orders - segments.attributed_orders) > greatest(1e-9, 1e-12 * channels.attributed_orders)
    or abs(channels.attributed_revenue - segments.attributed_revenue) > greatest(1e-6, 1e-12 * channels.attributed_revenue)
