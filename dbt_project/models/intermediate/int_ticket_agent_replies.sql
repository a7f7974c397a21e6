{#-
    Public comments by an agent. Authors unknown to the users export count as agents when they are not
    the requester. A run renumbers every comment of the changed tickets (this_run/README.md): Zendesk
    never moves a comment to another ticket.
-#}
with

tickets as (
    select * from {{ this_run('stg_zendesk__tickets', 'tickets') }}
    where not is_deleted
),

comments as (
    select * from {{ this_run('stg_zendesk__ticket_comments', 'tickets') }}
    where is_public
),

users as (
    select * from {{ ref('stg_zendesk__users') }}
)

select
    comments.comment_id,
    comments.ticket_id,
    tickets.requester_id,
    comments.author_id,
    comments.created_at as replied_at,
    row_number() over (partition by comments.ticket_id order by comments.created_at, comments.comment_id) as reply_number,
    {{ batch_at() }} as _batch_at
from comments
inner join tickets on comments.ticket_id = tickets.ticket_id
left join users on comments.author_id = users.user_id
where coalesce(users.is_agent, comments.author_id <> tickets.requester_id)
