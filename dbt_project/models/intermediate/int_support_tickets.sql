{#-
    One row per (not deleted) ticket with its reply, resolution and CSAT facts. Incremental: a run
    recomputes the changed tickets (int_changed_tickets); the pre-hook first drops their rows, so a
    ticket deleted since goes too.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        meta={'changed_rows': 'tickets'},
        pre_hook="{{ delete_changed(of_changed_tickets()) }}",
    )
}}
-- depends_on: {{ ref('int_changed_tickets') }}

with

tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
    where not is_deleted and {{ of_changed_tickets() }}
),

replies as (
    select
        ticket_id,
        min(replied_at) as first_reply_at,
        count(*) as public_agent_replies
    from {{ ref('int_ticket_agent_replies') }}
    where {{ of_changed_tickets() }}
    group by ticket_id
),

changed_ratings as (
    select * from {{ ref('stg_zendesk__satisfaction_ratings') }}
    where {{ of_changed_tickets() }}
),

ratings as (
    {{ newest_version('changed_ratings', ['ticket_id'], 'updated_at desc, rating_id desc') }}
)

select
    tickets.ticket_id,
    tickets.requester_id,
    tickets.ticket_status,
    tickets.created_at,
    cast(tickets.created_at as date) as created_date,
    tickets.solved_at,
    replies.first_reply_at,
    coalesce(replies.public_agent_replies, 0) as public_agent_replies,
    {{ seconds_between('tickets.created_at', 'replies.first_reply_at') }} / 60.0 as first_reply_minutes,
    {{ seconds_between('tickets.created_at', 'tickets.solved_at') }} / 3600.0 as full_resolution_hours,
    ratings.score as csat_score,
    ratings.updated_at as csat_rated_at,
    {{ batch_at() }} as _batch_at
from tickets
left join replies on tickets.ticket_id = replies.ticket_id
left join ratings on tickets.ticket_id = ratings.ticket_id
