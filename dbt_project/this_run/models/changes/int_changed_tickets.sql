{#-
    Zendesk tickets whose support facts or touchpoints may have changed since the last complete build: a
    changed ticket, comment or rating, or a comment by a user whose agent flag may have changed. The
    ticket models recompute exactly these; on a full refresh it lists every ticket.
-#}
with

tickets as (
    select ticket_id from {{ ref('stg_zendesk__tickets') }} where {{ changed_since_last_build() }}
    union all
    select ticket_id from {{ ref('stg_zendesk__ticket_comments') }} where {{ changed_since_last_build() }}
    union all
    select ticket_id from {{ ref('stg_zendesk__satisfaction_ratings') }} where {{ changed_since_last_build() }}
    union all
    select comments.ticket_id  -- an author who became (or stopped being) an agent
    from {{ ref('stg_zendesk__ticket_comments') }} as comments
    inner join {{ ref('stg_zendesk__users') }} as users on comments.author_id = users.user_id
    where {{ changed_since_last_build('users._batch_at') }}
)

select distinct ticket_id
from tickets
where ticket_id is not null
