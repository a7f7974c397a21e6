{#-
    One row per (not deleted) ticket with its reply, resolution and CSAT facts. A run recomputes
    the changed tickets (this_run/README.md); a ticket deleted since goes.
-#}
with

tickets as (
    select * from {{ this_run('stg_zendesk__tickets', 'tickets') }}
    where not is_deleted
),

agent_replies as (
    select * from {{ this_run('int_ticket_agent_replies', 'tickets') }}
),

ratings as (
    select * from {{ this_run('stg_zendesk__satisfaction_ratings', 'tickets') }}
),

replies as (
    select
        ticket_id,
        min(replied_at) as first_reply_at,
        count(*) as public_agent_replies
    from agent_replies
    group by ticket_id
),

newest_ratings as (
    {{ newest_version('ratings', ['ticket_id'], 'updated_at desc, rating_id desc') }}
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
    newest_ratings.score as csat_score,
    newest_ratings.updated_at as csat_rated_at,
    {{ batch_at() }} as _batch_at
from tickets
left join replies on tickets.ticket_id = replies.ticket_id
left join newest_ratings on tickets.ticket_id = newest_ratings.ticket_id
