"""A world with people deleted at the source, as each vendor's own deletion would leave it: the company
that never had them, to compare ``touchpoints forget`` with.

The vendors delete what they hold of the person: Mailchimp the member and their campaign activity (a
campaign's own send counts stay), Zendesk the user, their tickets with every comment on them and their
ratings, Shopify the customer's orders, Trustpilot the consumer's reviews, and the web/app event files
lose the person's device. Facebook comments stay: commenters carry no e-mail, so no address leads to them.
"""

from __future__ import annotations

from dataclasses import replace

from sandbox.generator import Person, Record, World, subscriber_hash


def _is_theirs(address: str | None, person: Person) -> bool:
    return (address or "").strip().lower() == person.email


def without_person(world: World, person: Person) -> World:
    """The same world with every record of ``person`` gone."""
    member = subscriber_hash(person.email)

    def recipients(by_campaign: dict[str, list[Record]]) -> dict[str, list[Record]]:
        return {c: [r for r in rows if r["email_id"] != member] for c, rows in by_campaign.items()}

    tickets = {t["id"] for t in world.zendesk_tickets if t["requester_id"] == person.zendesk_user_id}
    local_part = person.email.split("@")[0]
    return replace(
        world,
        people=[p for p in world.people if p.index != person.index],
        mailchimp_members=[m for m in world.mailchimp_members if m["id"] != member],
        mailchimp_sent_to=recipients(world.mailchimp_sent_to),
        mailchimp_activity=recipients(world.mailchimp_activity),
        mailchimp_unsubscribed=recipients(world.mailchimp_unsubscribed),
        trustpilot_reviews=[
            r
            for r in world.trustpilot_reviews
            if not _is_theirs(r["referralEmail"], person) and r["consumer"]["displayName"] != local_part
        ],
        zendesk_users=[u for u in world.zendesk_users if u["id"] != person.zendesk_user_id],
        zendesk_tickets=[t for t in world.zendesk_tickets if t["id"] not in tickets],
        zendesk_ticket_events=[e for e in world.zendesk_ticket_events if e["ticket_id"] not in tickets],
        zendesk_satisfaction_ratings=[
            r for r in world.zendesk_satisfaction_ratings if r["ticket_id"] not in tickets
        ],
        shopify_orders=[o for o in world.shopify_orders if o["customer"]["id"] != person.shopify_customer_id],
        web_events=[e for e in world.web_events if e["anonymousId"] != person.anonymous_id],
    )
