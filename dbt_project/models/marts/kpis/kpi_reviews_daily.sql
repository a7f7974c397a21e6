with

reviews as (
    select
        'trustpilot' as source_system,
        cast(created_at as date) as review_date,
        stars,
        created_at,
        replied_at
    from {{ ref('stg_trustpilot__reviews') }}
)

select
    review_date,
    source_system,
    cast(count(*) as bigint) as reviews,
    cast(avg(stars) as {{ double_type() }}) as avg_rating,
    cast(sum(case when stars <= 2 then 1 else 0 end) as bigint) as negative_reviews,
    {{ safe_ratio('sum(case when stars <= 2 then 1 else 0 end)', 'count(*)') }} as negative_share,
    cast(sum(case when replied_at is not null then 1 else 0 end) as bigint) as replied_reviews,
    {{ safe_ratio('sum(case when replied_at is not null then 1 else 0 end)', 'count(*)') }} as response_rate,
    {{ median(seconds_between('created_at', 'replied_at') ~ ' / 3600.0') }} as median_response_hours
from reviews
group by review_date, source_system
