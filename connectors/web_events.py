"""Web/app events: Segment-spec JSON-lines files by day, from a folder or any fsspec URL.

``<url>/YYYY-MM-DD*.jsonl``; a line that is not JSON, or not an object, is quarantined with file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import fsspec
import pyarrow as pa

from connectors.paging import Page
from connectors.streams import DS_FIELD, FetchContext, Source, Stream

TS = pa.timestamp("us", tz="UTC")
PAGE_SIZE = 5000
EVENT_TYPES = ("page", "screen", "track", "identify")


def _flatten(event: dict) -> dict:
    traits = event.get("traits") or (event.get("context") or {}).get("traits") or {}
    return {
        "message_id": event.get("messageId"),
        "event_type": event.get("type"),
        "anonymous_id": event.get("anonymousId"),
        "user_id": event.get("userId"),
        "email": traits.get("email") if isinstance(traits, dict) else None,
        "name": event.get("name"),
        "event": event.get("event"),
        "occurred_at": event.get("timestamp"),
    }


def _parse_line(line: str, position: str) -> dict:
    try:
        event = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"_position": position, "_error": f"invalid JSON: {exc.msg}", "_raw": line[:1000]}
    if not isinstance(event, dict):
        return {"_position": position, "_error": "event is not a JSON object", "_raw": line[:1000]}
    if event.get("type") not in EVENT_TYPES:
        return {"_position": position, "_error": f"unknown event type {event.get('type')!r}", "_raw": event}
    return {**_flatten(event), "_position": position}


def fetch_events(ctx: FetchContext) -> Iterator[Page]:
    """The files of each day of the interval; a file's events land on the day its name gives."""
    fs, root = fsspec.core.url_to_fs(ctx.settings.base_url)
    for day in ctx.interval.days():
        for path in sorted(fs.glob(f"{root.rstrip('/')}/{day.isoformat()}*.jsonl")):
            page: Page = []
            with fs.open(path, "r") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        page.append({**_parse_line(line, f"{path}:{number}"), DS_FIELD: day.isoformat()})
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
            pa.schema(
                [
                    pa.field("message_id", pa.string(), nullable=False),
                    pa.field("event_type", pa.string(), nullable=False),
                    pa.field("anonymous_id", pa.string(), nullable=False),
                    ("user_id", pa.string()),
                    ("email", pa.string()),
                    ("name", pa.string()),
                    ("event", pa.string()),
                    pa.field("occurred_at", TS, nullable=False),
                ]
            ),
            ("message_id",),
            fetch_events,
            "Segment page, screen, track and identify events.",
        ),
    ),
)
