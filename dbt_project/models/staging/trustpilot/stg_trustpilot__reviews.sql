{{ config(unique_key=['review_id']) }}

with

source as (
    select * from {{ landed('trustpilot', 'reviews') }}
),

renamed as (
    select
        review_id,
        cast(stars as integer) as stars,
        {{ utc_timestamp('created_at') }} as created_at,
        consumer_id,
        -- a review without a consumer stands in for its writer
        coalesce(consumer_id, 'review-' || review_id) as reviewer_id,
        {{ normalize_email('referral_email') }} as email_normalized,
        language,
        {{ utc_timestamp('reply_created_at') }} as replied_at,
        ds
    from source
),

deduplicated as (
    {{ newest_landed('renamed') }}
)

select * from deduplicated
