"""Timestamp formats exactly as each vendor sends them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone


def iso_z(ts: datetime) -> str:
    """Zendesk / Trustpilot style: ``2026-11-01T10:00:00Z``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis_z(ts: datetime) -> str:
    """Segment style: ``2026-11-01T10:00:00.123Z``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def iso_offset(ts: datetime) -> str:
    """Mailchimp style: ``2026-11-01T10:00:00+00:00``."""
    return ts.astimezone(UTC).isoformat(timespec="seconds")


def facebook(ts: datetime) -> str:
    """Graph API style: ``2026-11-01T10:00:00+0000``."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


SHOP_OFFSET = timedelta(hours=-5)


def shopify(ts: datetime) -> str:
    """Shopify style: shop-local time with its offset, ``2026-11-01T05:00:00-05:00``."""
    return ts.astimezone(timezone(SHOP_OFFSET)).isoformat(timespec="seconds")


def parse_any(value: str) -> datetime:
    """Parse any of the formats above (used by the server to filter by query parameters)."""
    text = value.strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
