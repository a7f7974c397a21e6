"""Web/app events: Segment-spec JSON-lines files by day, from a folder or any fsspec URL.

``<url>/YYYY-MM-DD*.jsonl``; a line that is not JSON, or not an object, is quarantined with file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import fsspec

from connectors.columns import ITEM, STRING, TS, Column
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.identifiers import EMAIL, WEB_ANONYMOUS, WEB_USER
from connectors.paging import Page
from connectors.streams import Noted, Source, Stream

PAGE_SIZE = 5000
EVENT_TYPES = ("page", "screen", "track", "identify")


def _email_in_traits(event: dict) -> Any:
    """The e-mail of the event's traits, top-level (identify) or in its context (the others)."""
    traits = event.get("traits") or (event.get("context") or {}).get("traits") or {}
    return traits.get("email") if isinstance(traits, dict) else None


def _parse_line(line: str, day: str, position: str) -> Noted:
    try:
        event = json.loads(line)
    except json.JSONDecodeError as exc:
        return Noted(line[:1000], day, position, error=f"invalid JSON: {exc.msg}")
    if not isinstance(event, dict):
        return Noted(line[:1000], day, position, error="event is not a JSON object")
    if event.get("type") not in EVENT_TYPES:
        return Noted(event, day, position, error=f"unknown event type {event.get('type')!r}")
    return Noted(event, day, position)


def fetch_events(ctx: FetchContext, _files: Endpoint | None) -> Iterator[Page]:
    """The files of each day of the interval; a file's events land on the day its name gives."""
    fs, root = fsspec.core.url_to_fs(ctx.settings.base_url)
    for day in ctx.interval.days():
        for path in sorted(fs.glob(f"{root.rstrip('/')}/{day.isoformat()}*.jsonl")):
            page: Page = []
            with fs.open(path, "r") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        page.append(_parse_line(line, day.isoformat(), f"{path}:{number}"))
                    if len(page) >= PAGE_SIZE:
                        yield page
                        page = []
            yield page


SOURCE = Source(
    name="web",
    connection_id="TOUCHPOINTS_WEB_EVENTS_URL",
    make_client=None,
    streams=(
        Stream(
            "events",
            "Segment page, screen, track and identify events.",
            None,  # files, not an API: ``fetch_events`` reads them
            (
                Column("message_id", STRING, "messageId", required=True),
                Column("event_type", STRING, "type", required=True),
                Column("anonymous_id", STRING, "anonymousId", required=True, identifies=WEB_ANONYMOUS),
                Column("user_id", STRING, "userId", identifies=WEB_USER),
                Column("email", STRING, ITEM, transform=_email_in_traits, identifies=EMAIL),
                Column("name", STRING),
                Column("event", STRING),
                Column("occurred_at", TS, "timestamp", required=True),
                # Where a page event was and came from (Segment's context.page and context.campaign)
                Column("page_path", STRING, "context.page.path"),
                Column("page_url", STRING, "context.page.url"),
                Column("page_title", STRING, "context.page.title"),
                Column("referrer", STRING, "context.page.referrer"),
                Column("campaign_source", STRING, "context.campaign.source"),
                Column("campaign_medium", STRING, "context.campaign.medium"),
                Column("campaign_name", STRING, "context.campaign.name"),
                Column("campaign_term", STRING, "context.campaign.term"),
                Column("campaign_content", STRING, "context.campaign.content"),
            ),
            primary_key=("message_id",),
            fetch=fetch_events,
        ),
    ),
)
