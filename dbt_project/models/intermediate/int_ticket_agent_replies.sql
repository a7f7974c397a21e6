{#-
    Public comments by an agent. Authors unknown to the users export count as agents when they are not
    the requester. Incremental: a run renumbers every comment of the changed tickets (int_changed_tickets);
    the pre-hook first drops their rows (Zendesk never moves a comment to another ticket).
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

comments as (
    select * from {{ ref('stg_zendesk__ticket_comments') }}
    where is_public and {{ of_changed_tickets(within=ref('stg_zendesk__ticket_comments')) }}
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
