"""What the marts must contain, computed straight from the sandbox's World in plain Python.

This is an independent second implementation of the KPI formulas (docs/kpis.md) over the vendor-shaped records,
so the end-to-end tests compare SQL against it rather than against hard-coded numbers.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from urllib.parse import parse_qs, urlsplit

from sandbox import timefmt
from sandbox.ads import click_parameters
from sandbox.generator import World


def customer_key(email: str) -> str:
    return "cus_" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def customers(world: World) -> set[str]:
    """Every customer the marts must know: a person or visitor outside the brand with a touchpoint, keyed
    by their e-mail where any source links one, else by their id on the one source that knows them.
    Agents, the Facebook Page and people known only from deleted tickets are nobody's customer."""
    found: set[str] = set()
    for recipients in world.mailchimp_sent_to.values():
        found |= {customer_key(r["email_address"]) for r in recipients}
    for comments in world.facebook_comments.values():
        found |= {f"anon_facebook_{c['from']['id']}" for c in comments if "parent" not in c}
    for review in world.trustpilot_reviews:
        email = review["referralEmail"]
        found.add(customer_key(email) if email else f"anon_trustpilot_{review['consumer']['id']}")
    emails = {u["id"]: u["email"] for u in world.zendesk_users}
    found |= {customer_key(emails[t["requester_id"]]) for t in live_tickets(world)}
    found |= {customer_key(o["email"]) for o in world.shopify_orders}
    identified = {e["anonymousId"]: e["traits"]["email"] for e in world.web_events if e["type"] == "identify"}
    for event in world.web_events:
        if event["type"] in ("page", "screen", "track"):
            visitor = event["anonymousId"]
            found.add(customer_key(identified[visitor]) if visitor in identified else f"anon_web_{visitor}")
    return found


def live_tickets(world: World) -> list[dict]:
    """Tickets that count: a ticket deleted (as spam) counts nowhere."""
    return [t for t in world.zendesk_tickets if t["status"] != "deleted"]


def email_campaigns(world: World) -> dict[str, dict[str, float | int | None]]:
    found = {}
    for campaign in world.mailchimp_campaigns:
        cid = campaign["id"]
        if cid not in world.mailchimp_sent_to:
            continue
        recipients = world.mailchimp_sent_to[cid]
        sent = len({r["email_id"] for r in recipients})
        bounced = {r["email_id"] for r in recipients if r["status"] in ("hard", "soft")}
        opened = {
            e["email_id"]
            for e in world.mailchimp_activity[cid]
            if any(a["action"] == "open" for a in e["activity"])
        }
        clicked = {
            e["email_id"]
            for e in world.mailchimp_activity[cid]
            if any(a["action"] == "click" for a in e["activity"])
        }
        delivered = sent - len(bounced)
        found[cid] = {
            "emails_sent": sent,
            "bounces": len(bounced),
            "delivered": delivered,
            "unique_opens": len(opened),
            "unique_clicks": len(clicked),
            "unsubscribes": len({u["email_id"] for u in world.mailchimp_unsubscribed[cid]}),
            "open_rate": len(opened) / delivered if delivered else None,
            "click_rate": len(clicked) / delivered if delivered else None,
            "click_to_open_rate": len(clicked) / len(opened) if opened else None,
            "bounce_rate": len(bounced) / sent if sent else None,
        }
    return found


def support_daily(world: World) -> dict[date, dict[str, float | int | None]]:
    agents = {u["id"] for u in world.zendesk_users if u["role"] in ("agent", "admin")}
    replies: dict[int, list] = defaultdict(list)
    for event in world.zendesk_ticket_events:
        for child in event["child_events"]:
            if child["public"] and child["author_id"] in agents:
                replies[event["ticket_id"]].append(timefmt.parse_any(event["created_at"]))
    ratings = {r["ticket_id"]: r["score"] for r in world.zendesk_satisfaction_ratings}
    by_day: dict[date, list] = defaultdict(list)
    for ticket in live_tickets(world):
        by_day[timefmt.parse_any(ticket["created_at"]).date()].append(ticket)
    found = {}
    for day, tickets in by_day.items():
        first_reply = [
            (min(replies[t["id"]]) - timefmt.parse_any(t["created_at"])).total_seconds() / 60
            for t in tickets
            if replies[t["id"]]
        ]
        solved = [t for t in tickets if t["metric_set"]["solved_at"]]
        scores = Counter(ratings.get(t["id"]) for t in tickets)
        rated = scores["good"] + scores["bad"]
        found[day] = {
            "tickets_created": len(tickets),
            "tickets_solved": len(solved),
            "median_first_reply_minutes": statistics.median(first_reply) if first_reply else None,
            "one_touch_resolution_rate": (
                sum(len(replies[t["id"]]) == 1 for t in solved) / len(solved) if solved else None
            ),
            "csat_good": scores["good"],
            "csat_bad": scores["bad"],
            "csat_score": scores["good"] / rated if rated else None,
        }
    return found


def touchpoint_counts(world: World) -> Counter[str]:
    counts: Counter[str] = Counter()
    counts["email_sent"] = sum(len(r) for r in world.mailchimp_sent_to.values())
    for entries in world.mailchimp_activity.values():
        for entry in entries:
            for action in entry["activity"]:
                counts[f"email_{action['action']}"] += 1
    counts["email_unsubscribe"] = sum(len(u) for u in world.mailchimp_unsubscribed.values())
    counts["social_comment"] = sum(
        1 for comments in world.facebook_comments.values() for c in comments if "parent" not in c
    )
    counts["review_posted"] = len(world.trustpilot_reviews)
    counts["ticket_created"] = len(live_tickets(world))
    counts["ticket_solved"] = sum(1 for t in live_tickets(world) if t["metric_set"]["solved_at"])
    counts["csat_rating"] = sum(
        1 for r in world.zendesk_satisfaction_ratings if r["score"] in ("good", "bad")
    )
    counts["order_placed"] = len(world.shopify_orders)
    counts["page_view"] = sum(1 for e in world.web_events if e["type"] == "page")
    counts["screen_view"] = sum(1 for e in world.web_events if e["type"] == "screen")
    counts["content_view"] = content_views(world)
    return counts


def reviews_daily(world: World) -> dict[date, dict[str, float | int | None]]:
    by_day: dict[date, list] = defaultdict(list)
    for review in world.trustpilot_reviews:
        by_day[timefmt.parse_any(review["createdAt"]).date()].append(review)
    found = {}
    for day, reviews in by_day.items():
        replied = [r for r in reviews if r["companyReply"]]
        hours = [
            (
                timefmt.parse_any(r["companyReply"]["createdAt"]) - timefmt.parse_any(r["createdAt"])
            ).total_seconds()
            / 3600
            for r in replied
        ]
        found[day] = {
            "reviews": len(reviews),
            "avg_rating": statistics.mean(r["stars"] for r in reviews),
            "negative_reviews": sum(r["stars"] <= 2 for r in reviews),
            "replied_reviews": len(replied),
            "response_rate": len(replied) / len(reviews),
            "median_response_hours": statistics.median(hours) if hours else None,
        }
    return found


def social_posts(world: World) -> dict[str, dict[str, float | int | None]]:
    found = {}
    for post in world.facebook_posts:
        comments = world.facebook_comments[post["id"]]
        fans = [c for c in comments if "parent" not in c]
        replied = {c["parent"]["id"] for c in comments if "parent" in c}
        insights = {i["name"]: i["values"][0]["value"] for i in world.facebook_insights[post["id"]]}
        reactions = sum(insights["post_reactions_by_type_total"].values())
        impressions = insights["post_impressions"]
        engagements = reactions + len(fans) + post["shares"]["count"]
        found[post["id"]] = {
            "impressions": impressions,
            "comments": len(fans),
            "engagements": engagements,
            "engagement_rate": engagements / impressions,
            "click_through_rate": insights["post_clicks_by_type"]["link clicks"] / impressions,
            "comments_replied": len(replied),
            "comment_response_rate": len(replied) / len(fans) if fans else None,
        }
    return found


# docs/kpis.md, "Marketing channel of a session": the site lists and the rules, in order.
SEARCH_SITES = {
    "google", "google.com", "www.google.com", "bing", "bing.com", "www.bing.com", "duckduckgo", "duckduckgo.com",
    "yahoo", "search.yahoo.com", "ecosia", "www.ecosia.org", "baidu", "www.baidu.com", "yandex", "yandex.ru",
    "search.brave.com",
}  # fmt: skip
SOCIAL_SITES = {
    "facebook", "fb", "facebook.com", "www.facebook.com", "m.facebook.com", "l.facebook.com", "lm.facebook.com",
    "instagram", "ig", "instagram.com", "www.instagram.com", "l.instagram.com", "twitter", "twitter.com", "x.com",
    "t.co", "linkedin", "linkedin.com", "www.linkedin.com", "lnkd.in", "pinterest", "www.pinterest.com", "reddit",
    "www.reddit.com", "tiktok", "www.tiktok.com",
}  # fmt: skip
SITE_HOSTS = {"shop.example.com"}
PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
SOCIAL_MEDIUMS = {"social", "social-network", "social-media", "sm", "social network", "social media"}
EMAIL_WORDS = {"email", "e-mail", "e_mail", "e mail"}


def web_sessions(world: World) -> list[list[dict]]:
    """Each visitor's page, screen and track events, split where 30 minutes or more pass without one."""
    by_visitor: dict[str, list[dict]] = defaultdict(list)
    for event in world.web_events:
        if event["type"] in ("page", "screen", "track"):
            by_visitor[event["anonymousId"]].append(event)
    found = []
    for events in by_visitor.values():
        events.sort(key=lambda e: (timefmt.parse_any(e["timestamp"]), e["messageId"]))
        for event in events:
            at = timefmt.parse_any(event["timestamp"])
            if (
                not found
                or found[-1][-1]["anonymousId"] != event["anonymousId"]
                or (at - timefmt.parse_any(found[-1][-1]["timestamp"]) >= timedelta(minutes=30))
            ):
                found.append([])
            found[-1].append(event)
    return found


def landing_tags(event: dict) -> dict[str, str | None]:
    """The landing event's UTM tags (context.campaign, else the URL's), click id and external referrer host."""
    page = event["context"].get("page") or {}
    campaign = event["context"].get("campaign") or {}
    query = parse_qs(urlsplit(page.get("url", "")).query)
    tags = {
        field: campaign.get(field) or query.get(f"utm_{key}", [None])[0]
        for field, key in (
            ("source", "source"),
            ("medium", "medium"),
            ("name", "campaign"),
            ("content", "content"),
        )
    }
    host = urlsplit(page.get("referrer") or "").hostname
    tags["gclid"] = query.get("gclid", [None])[0]
    tags["referrer_host"] = None if host in SITE_HOSTS else host
    return tags


def marketing_channel(event: dict) -> str:
    tags = landing_tags(event)
    source, medium = tags["source"], tags["medium"]
    if source is None and tags["gclid"]:
        source, medium = "google", medium or "cpc"
    elif source is None and tags["referrer_host"]:
        source, medium = tags["referrer_host"], medium or "referral"
    source, medium = (source or "").lower() or None, (medium or "").lower() or None
    paid = bool(medium and PAID_MEDIUM.match(medium))
    if source is None and medium is None:
        return "direct"
    if source in SEARCH_SITES and paid:
        return "paid_search"
    if source in SOCIAL_SITES and paid:
        return "paid_social"
    if medium in ("display", "banner", "expandable", "interstitial", "cpm"):
        return "display"
    if paid:
        return "other"
    if source in SOCIAL_SITES or medium in SOCIAL_MEDIUMS:
        return "organic_social"
    if source in SEARCH_SITES or medium == "organic":
        return "organic_search"
    if medium in ("referral", "app", "link"):
        return "referral"
    if source in EMAIL_WORDS or medium in EMAIL_WORDS:
        return "email"
    if medium in ("affiliate", "affiliates"):
        return "affiliate"
    return "other"


def sessions_by_marketing_channel(world: World) -> Counter[tuple[str, str | None]]:
    """Sessions by marketing channel and campaign, both from the session's first event."""
    return Counter(
        (marketing_channel(events[0]), landing_tags(events[0])["name"]) for events in web_sessions(world)
    )


def ad_campaign_days(world: World) -> dict[tuple[date, str], dict[str, Decimal | int]]:
    """kpi_ad_campaigns' delivery and visits per (day, campaign id): Meta's insights summed over the
    campaign's ads, and the sessions whose landing tags are those a click on one of its ads carries."""
    found: dict[tuple[date, str], dict[str, Decimal | int]] = defaultdict(
        lambda: {"spend": Decimal(0), "impressions": 0, "clicks": 0, "link_clicks": 0, "sessions": 0}
    )
    for row in world.meta_ads.insights:
        day = found[(date.fromisoformat(row["date_start"]), row["campaign_id"])]
        day["spend"] += Decimal(row["spend"])
        day["impressions"] += int(row["impressions"])
        day["clicks"] += int(row["clicks"])
        day["link_clicks"] += int(row["inline_link_clicks"])
    tags = {
        (params.get("utm_campaign"), params.get("utm_content")): ad["campaign"]["id"]
        for ad in world.meta_ads.ads
        if (params := click_parameters(ad))
    }
    for events in web_sessions(world):
        landing = landing_tags(events[0])
        if campaign := tags.get((landing["name"], landing["content"])):
            found[(timefmt.parse_any(events[0]["timestamp"]).date(), campaign)]["sessions"] += 1
    return dict(found)


def content_views(world: World) -> int:
    """Views of the demo's content pages (the default content_path_pattern, /blog/%)."""
    return sum(
        1
        for e in world.web_events
        if e["type"] == "page" and e["context"]["page"]["path"].startswith("/blog/")
    )


def _conversion_probability(transitions: dict[str, Counter[str]], removed: str | None) -> Fraction:
    """P(conversion) from "(start)" of the chain of `transitions` (counts), `removed`'s visits sent to
    "(null)": the absorbing chain's linear system x = b + Q x, solved exactly by Gauss-Jordan."""
    states = [state for state in transitions if state != removed]
    index = {state: i for i, state in enumerate(states)}
    rows = []
    for state in states:
        total = sum(transitions[state].values())
        row = [Fraction(0)] * (len(states) + 1)
        row[index[state]] += 1
        for target, count in transitions[state].items():
            if target == "(conversion)":
                row[-1] += Fraction(count, total)
            elif target in index:
                row[index[target]] -= Fraction(count, total)
        rows.append(row)
    for column in range(len(states)):
        pivot = next(r for r in range(column, len(states)) if rows[r][column] != 0)
        rows[column], rows[pivot] = rows[pivot], rows[column]
        rows[column] = [value / rows[column][column] for value in rows[column]]
        for r in range(len(states)):
            if r != column and rows[r][column] != 0:
                rows[r] = [a - rows[r][column] * b for a, b in zip(rows[r], rows[column], strict=True)]
    return rows[index["(start)"]][-1]


def markov_removal_weights(journeys: list[tuple[list[str], bool]]) -> dict[str, Fraction]:
    """Channel weights of the markov_removal model (docs/kpis.md), exactly, from journeys given as their
    channels in order and whether they converted."""
    transitions: dict[str, Counter[str]] = defaultdict(Counter)
    for channels, converted in journeys:
        states = ["(start)", *channels, "(conversion)" if converted else "(null)"]
        for source, target in zip(states, states[1:], strict=False):
            transitions[source][target] += 1
    observed = _conversion_probability(transitions, None)
    channels = {channel for path, _ in journeys for channel in path}
    effects = {c: 1 - _conversion_probability(transitions, c) / observed for c in channels}
    total = sum(effects.values())
    return {channel: effect / total for channel, effect in effects.items()}
