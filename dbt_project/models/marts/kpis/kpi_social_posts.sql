{#- Per post: lifetime insights at the last load, comments from fans and how fast the page answered them. -#}
with

posts as (
    select * from {{ ref('stg_facebook__posts') }}
),

insights as (
    select * from {{ ref('stg_facebook__post_insights') }}
),

comments as (
    select * from {{ ref('stg_facebook__comments') }}
),

fan_comments as (
    select * from comments where not is_page_reply
),

first_page_replies as (
    select
        parent_comment_id,
        min(created_at) as replied_at
    from comments
    where is_page_reply and parent_comment_id is not null
    group by parent_comment_id
),

answered as (
    select
        fan_comments.post_id,
        fan_comments.comment_id,
        {{ seconds_between('fan_comments.created_at', 'first_page_replies.replied_at') }} / 60.0 as response_minutes
    from fan_comments
    inner join first_page_replies on fan_comments.comment_id = first_page_replies.parent_comment_id
),

comment_counts as (
    select
        fan_comments.post_id,
        cast(count(*) as bigint) as comments
    from fan_comments
    group by fan_comments.post_id
),

response_stats as (
    select
        post_id,
        cast(count(*) as bigint) as comments_replied,
        {{ median('response_minutes') }} as median_comment_response_minutes
    from answered
    group by post_id
),

counts as (
    select
        posts.post_id,
        posts.created_at,
        cast(coalesce(insights.impressions, 0) as bigint) as impressions,
        cast(coalesce(insights.reach, 0) as bigint) as reach,
        cast(coalesce(insights.reactions, 0) as bigint) as reactions,
        coalesce(comment_counts.comments, 0) as comments,
        cast(coalesce(posts.shares_count, 0) as bigint) as shares,
        cast(coalesce(insights.link_clicks, 0) as bigint) as link_clicks,
        coalesce(response_stats.comments_replied, 0) as comments_replied,
        response_stats.median_comment_response_minutes
    from posts
    left join insights on posts.post_id = insights.post_id
    left join comment_counts on posts.post_id = comment_counts.post_id
    left join response_stats on posts.post_id = response_stats.post_id
)

select
    post_id,
    created_at,
    impressions,
    reach,
    reactions,
    comments,
    shares,
    link_clicks,
    reactions + comments + shares as engagements,
    {{ safe_ratio('reactions + comments + shares', 'impressions') }} as engagement_rate,
    {{ safe_ratio('link_clicks', 'impressions') }} as click_through_rate,
    comments_replied,
    {{ safe_ratio('comments_replied', 'comments') }} as comment_response_rate,
    median_comment_response_minutes
from counts
