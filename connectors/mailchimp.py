"""Mailchimp Marketing API v3: campaigns, recipients, e-mail activity, unsubscribes and list members.

Basic auth ``anystring:<api key>``; ``count``/``offset`` paging; ``""`` means missing. The campaigns of an
interval and its lookback are listed once and shared by the campaigns stream and the three reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import requests

from connectors.columns import INT, STRING, TS, Column
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.http import ApiClient, Throttling
from connectors.identifiers import EMAIL, MAILCHIMP_MEMBER
from connectors.paging import OffsetPaging, Page
from connectors.settings import ConnectionSettings
from connectors.streams import Noted, Source, Stream, day_of

API = "/3.0"


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


def _sent_since_the_lookback(ctx: FetchContext) -> dict[str, Any]:
    """Campaigns sent in the interval, or up to the lookback before it (their reports still move)."""
    return {
        "status": "sent",
        "since_send_time": ctx.lookback_start.isoformat(),
        "before_send_time": ctx.interval.end.isoformat(),
    }


def _activity_since(ctx: FetchContext) -> dict[str, Any]:
    return {"since": ctx.interval.start.isoformat()}


def _members_changed_since(ctx: FetchContext) -> dict[str, Any]:
    return {"since_last_changed": ctx.since.isoformat()}


OFFSET = OffsetPaging()
CAMPAIGNS = Endpoint(f"{API}/campaigns", "campaigns", OFFSET, _sent_since_the_lookback)
LISTS = Endpoint(f"{API}/lists", "lists", OFFSET)


def _sent_in_interval(ctx: FetchContext, page: Page) -> Page:
    return [c for c in page if ctx.in_interval(c.get("send_time"))]


def _sent_campaigns(ctx: FetchContext, *, within_interval: bool) -> list[tuple[str, Any]]:
    """(id, send time) of the campaigns sent in the interval, or else within the lookback before it."""
    return [
        (c["id"], c.get("send_time"))
        for page in ctx.shared(CAMPAIGNS)
        for c in (_sent_in_interval(ctx, page) if within_interval else page)
    ]


def fetch_campaigns(ctx: FetchContext, _endpoint: Endpoint | None) -> Iterator[Page]:
    """The campaigns sent in the interval, from the listing the reports share."""
    for page in ctx.shared(CAMPAIGNS):
        yield _sent_in_interval(ctx, page)


def fetch_sent_to(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """Recipients of the campaigns sent in the interval; they land on the campaign's send day."""
    assert endpoint
    for campaign_id, send_time in _sent_campaigns(ctx, within_interval=True):
        send_day = day_of(send_time)
        for page in endpoint.pages(ctx, id=campaign_id):
            yield [Noted({**r, "campaign_id": campaign_id}, ds=send_day) for r in page]


def fetch_email_activity(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """One item per activity entry (every open and click), for campaigns sent within the lookback."""
    assert endpoint
    for campaign_id, send_time in _sent_campaigns(ctx, within_interval=False):
        for page in endpoint.pages(ctx, id=campaign_id):
            yield [
                {"campaign_id": campaign_id, "recipient": recipient, "activity": action}
                for recipient in page
                for action in recipient.get("activity") or []
                if ctx.in_interval(action.get("timestamp"))
                and ctx.within_lookback(send_time, action.get("timestamp"))
            ]


def fetch_unsubscribes(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    assert endpoint
    for campaign_id, send_time in _sent_campaigns(ctx, within_interval=False):
        for page in endpoint.pages(ctx, id=campaign_id):
            yield [
                {**r, "campaign_id": campaign_id}
                for r in page
                if ctx.in_interval(r.get("timestamp")) and ctx.within_lookback(send_time, r.get("timestamp"))
            ]


def fetch_members(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """Members changed since the cursor (their current state; staging keeps the newest), list by list."""
    assert endpoint
    for lists_page in LISTS.pages(ctx):
        for mailing_list in lists_page:
            yield from endpoint.pages(ctx, id=mailing_list["id"])


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
            "Sent campaigns.",
            CAMPAIGNS,
            (
                Column("campaign_id", STRING, "id", required=True),
                Column("campaign_type", STRING, "type"),
                Column("status", STRING),
                Column("send_time", TS, required=True),
                Column("emails_sent", INT),
                Column("list_id", STRING, "recipients.list_id"),
                Column("subject_line", STRING, "settings.subject_line"),
                Column("title", STRING, "settings.title"),
                # the utm_campaign of the e-mail's links, when Google Analytics tracking is on
                Column("google_analytics", STRING, "tracking.google_analytics"),
            ),
            primary_key=("campaign_id",),
            fetch=fetch_campaigns,
            partition_by="send_time",
        ),
        Stream(
            "sent_to",
            "Recipients of each campaign, with bounce status.",
            Endpoint(f"{API}/reports/{{id}}/sent-to", "sent_to", OFFSET),
            (
                Column("campaign_id", STRING, required=True),
                Column("email_id", STRING, required=True, identifies=MAILCHIMP_MEMBER),
                Column("email_address", STRING, required=True, identifies=EMAIL),
                Column("status", STRING),
            ),
            primary_key=("campaign_id", "email_id"),
            fetch=fetch_sent_to,
            whole_item=True,
        ),
        Stream(
            "email_activity",
            "Opens, clicks and bounces, one row per activity entry.",
            Endpoint(f"{API}/reports/{{id}}/email-activity", "emails", OFFSET, _activity_since),
            (
                Column("campaign_id", STRING, required=True),
                Column("email_id", STRING, "recipient.email_id", required=True, identifies=MAILCHIMP_MEMBER),
                Column("email_address", STRING, "recipient.email_address", identifies=EMAIL),
                Column("action", STRING, "activity.action", required=True),
                Column("action_type", STRING, "activity.type"),
                Column("occurred_at", TS, "activity.timestamp", required=True),
                Column("url", STRING, "activity.url"),
            ),
            primary_key=("campaign_id", "email_id", "action", "occurred_at"),
            fetch=fetch_email_activity,
            partition_by="occurred_at",
        ),
        Stream(
            "unsubscribes",
            "Unsubscribes attributed to a campaign.",
            Endpoint(f"{API}/reports/{{id}}/unsubscribed", "unsubscribes", OFFSET),
            (
                Column("campaign_id", STRING, required=True),
                Column("email_id", STRING, required=True, identifies=MAILCHIMP_MEMBER),
                Column("email_address", STRING, identifies=EMAIL),
                Column("timestamp", TS, required=True),
                Column("reason", STRING),
            ),
            primary_key=("campaign_id", "email_id"),
            fetch=fetch_unsubscribes,
            partition_by="timestamp",
            whole_item=True,
        ),
        Stream(
            "members",
            "Audience members (newest state per load).",
            Endpoint(f"{API}/lists/{{id}}/members", "members", OFFSET, _members_changed_since),
            (
                Column("member_id", STRING, "id", required=True, identifies=MAILCHIMP_MEMBER),
                Column("list_id", STRING),
                Column("email_address", STRING, required=True, identifies=EMAIL),
                Column("status", STRING),
                Column("country", STRING, "merge_fields.COUNTRY"),
                Column("last_changed", TS, required=True),
            ),
            primary_key=("list_id", "member_id"),
            fetch=fetch_members,
            full_history_first=True,
            partition_by="last_changed",
        ),
    ),
)
