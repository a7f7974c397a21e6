"""Mailchimp Marketing API v3: campaigns, recipients, e-mail activity, unsubscribes and list members.

Basic auth ``anystring:<api key>``; ``count``/``offset`` paging; ``""`` means missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyarrow as pa
import requests

from connectors.http import ApiClient, Throttling
from connectors.paging import Page, offset_pages
from connectors.settings import ConnectionSettings
from connectors.streams import DS_FIELD, FetchContext, Source, Stream, day_of

API = "/3.0"
TS = pa.timestamp("us", tz="UTC")


def is_throttled(response: requests.Response) -> bool:
    """Besides its 429, "at exceptionally high volumes" Mailchimp answers 403 without a JSON body (a
    403 that means forbidden carries its problem+json)."""
    if response.status_code != 403:
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


def make_client(settings: ConnectionSettings, interval: str) -> ApiClient:
    return ApiClient.for_connection(
        "mailchimp",
        settings,
        interval,
        auth=(settings.login or "anystring", settings.password or ""),
        secrets=(settings.password,),
        throttling=Throttling(throttled=is_throttled),
    )


def _campaigns(ctx: FetchContext, since_days: timedelta) -> Iterator[Page]:
    assert ctx.client
    params = {
        "status": "sent",
        "since_send_time": (ctx.interval.start - since_days).isoformat(),
        "before_send_time": ctx.interval.end.isoformat(),
    }
    yield from offset_pages(ctx.client, ctx.url(API, "/campaigns"), params, "campaigns")


def _sent_campaigns(ctx: FetchContext, since_days: timedelta) -> list[tuple[str, str]]:
    """(id, send time) of the campaigns sent in the interval, or up to ``since_days`` before it."""
    return [(c["id"], c.get("send_time")) for page in _campaigns(ctx, since_days) for c in page]


def fetch_campaigns(ctx: FetchContext) -> Iterator[Page]:
    for page in _campaigns(ctx, timedelta(0)):
        yield [
            {
                "campaign_id": c.get("id"),
                "campaign_type": c.get("type"),
                "status": c.get("status"),
                "send_time": c.get("send_time"),
                "emails_sent": c.get("emails_sent"),
                "list_id": (c.get("recipients") or {}).get("list_id"),
                "subject_line": (c.get("settings") or {}).get("subject_line"),
                "title": (c.get("settings") or {}).get("title"),
            }
            for c in page
        ]


def fetch_sent_to(ctx: FetchContext) -> Iterator[Page]:
    """Recipients of the campaigns sent in the interval; they land on the campaign's send day."""
    assert ctx.client
    for campaign_id, send_time in _sent_campaigns(ctx, timedelta(0)):
        url = ctx.url(API, f"/reports/{campaign_id}/sent-to")
        on_send_day = {DS_FIELD: send_day} if (send_day := day_of(send_time)) else {}
        for page in offset_pages(ctx.client, url, {}, "sent_to"):
            yield [{**r, "campaign_id": campaign_id, **on_send_day} for r in page]


def fetch_email_activity(ctx: FetchContext) -> Iterator[Page]:
    """One row per activity entry (every open and click), for campaigns sent within the lookback."""
    assert ctx.client
    for campaign_id, send_time in _sent_campaigns(ctx, ctx.lookback):
        url = ctx.url(API, f"/reports/{campaign_id}/email-activity")
        for page in offset_pages(ctx.client, url, {"since": ctx.interval.start.isoformat()}, "emails"):
            rows = []
            for recipient in page:
                for action in recipient.get("activity") or []:
                    at = action.get("timestamp")
                    if ctx.in_interval(at) and ctx.within_lookback(send_time, at):
                        rows.append(
                            {
                                "campaign_id": campaign_id,
                                "email_id": recipient.get("email_id"),
                                "email_address": recipient.get("email_address"),
                                "action": action.get("action"),
                                "action_type": action.get("type"),
                                "occurred_at": action.get("timestamp"),
                                "url": action.get("url"),
                            }
                        )
            yield rows


def fetch_unsubscribes(ctx: FetchContext) -> Iterator[Page]:
    assert ctx.client
    for campaign_id, send_time in _sent_campaigns(ctx, ctx.lookback):
        url = ctx.url(API, f"/reports/{campaign_id}/unsubscribed")
        for page in offset_pages(ctx.client, url, {}, "unsubscribes"):
            yield [
                {**r, "campaign_id": campaign_id}
                for r in page
                if ctx.in_interval(r.get("timestamp")) and ctx.within_lookback(send_time, r.get("timestamp"))
            ]


def fetch_members(ctx: FetchContext) -> Iterator[Page]:
    """Members changed since the cursor (their current state; staging keeps the newest)."""
    assert ctx.client
    for lists_page in offset_pages(ctx.client, ctx.url(API, "/lists"), {}, "lists"):
        for mailing_list in lists_page:
            url = ctx.url(API, f"/lists/{mailing_list['id']}/members")
            params = {"since_last_changed": ctx.since.isoformat()}
            for page in offset_pages(ctx.client, url, params, "members"):
                yield [
                    {
                        "member_id": m.get("id"),
                        "list_id": m.get("list_id"),
                        "email_address": m.get("email_address"),
                        "status": m.get("status"),
                        "country": (m.get("merge_fields") or {}).get("COUNTRY"),
                        "last_changed": m.get("last_changed"),
                    }
                    for m in page
                ]


SOURCE = Source(
    name="mailchimp",
    connection_id="mailchimp_default",
    # "10 simultaneous connections" per user, no rate quota: half of it, leaving room for other integrations
    concurrency=5,  # of Mailchimp's 10 simultaneous connections per user, half: other apps share them
    make_client=make_client,
    lookback=timedelta(days=30),
    streams=(
        Stream(
            "campaigns",
            pa.schema(
                [
                    pa.field("campaign_id", pa.string(), nullable=False),
                    ("campaign_type", pa.string()),
                    ("status", pa.string()),
                    pa.field("send_time", TS, nullable=False),
                    ("emails_sent", pa.int64()),
                    ("list_id", pa.string()),
                    ("subject_line", pa.string()),
                    ("title", pa.string()),
                ]
            ),
            ("campaign_id",),
            fetch_campaigns,
            "Sent campaigns.",
            partition_by="send_time",
        ),
        Stream(
            "sent_to",
            pa.schema(
                [
                    pa.field("campaign_id", pa.string(), nullable=False),
                    pa.field("email_id", pa.string(), nullable=False),
                    pa.field("email_address", pa.string(), nullable=False),
                    ("status", pa.string()),
                ]
            ),
            ("campaign_id", "email_id"),
            fetch_sent_to,
            "Recipients of each campaign, with bounce status.",
        ),
        Stream(
            "email_activity",
            pa.schema(
                [
                    pa.field("campaign_id", pa.string(), nullable=False),
                    pa.field("email_id", pa.string(), nullable=False),
                    ("email_address", pa.string()),
                    pa.field("action", pa.string(), nullable=False),
                    ("action_type", pa.string()),
                    pa.field("occurred_at", TS, nullable=False),
                    ("url", pa.string()),
                ]
            ),
            ("campaign_id", "email_id", "action", "occurred_at"),
            fetch_email_activity,
            "Opens, clicks and bounces, one row per activity entry.",
            partition_by="occurred_at",
        ),
        Stream(
            "unsubscribes",
            pa.schema(
                [
                    pa.field("campaign_id", pa.string(), nullable=False),
                    pa.field("email_id", pa.string(), nullable=False),
                    ("email_address", pa.string()),
                    pa.field("timestamp", TS, nullable=False),
                    ("reason", pa.string()),
                ]
            ),
            ("campaign_id", "email_id"),
            fetch_unsubscribes,
            "Unsubscribes attributed to a campaign.",
            partition_by="timestamp",
        ),
        Stream(
            "members",
            pa.schema(
                [
                    pa.field("member_id", pa.string(), nullable=False),
                    ("list_id", pa.string()),
                    pa.field("email_address", pa.string(), nullable=False),
                    ("status", pa.string()),
                    ("country", pa.string()),
                    pa.field("last_changed", TS, nullable=False),
                ]
            ),
            ("list_id", "member_id"),
            fetch_members,
            "Audience members (newest state per load).",
            full_history_first=True,
            partition_by="last_changed",
        ),
    ),
)
