"""What a stream's fetch is given for one interval: the settings, the client, the time bounds and the
parent listings shared with the source's other streams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from connectors.endpoints import Endpoint
from connectors.errors import BadRecord
from connectors.http import ApiClient
from connectors.listings import Listings
from connectors.paging import Page
from connectors.records import parse_timestamp
from connectors.settings import ConnectionSettings, Interval


@dataclass(frozen=True)
class FetchContext:
    """Everything a stream's fetch needs for one interval."""

    settings: ConnectionSettings
    interval: Interval
    client: ApiClient | None
    lookback: timedelta
    since: datetime
    listings: Listings = field(default_factory=Listings)

    @property
    def lookback_start(self) -> datetime:
        """The earliest time a parent (campaign, post) of the interval's child records was created."""
        return self.interval.start - self.lookback

    def in_interval(self, value: Any) -> bool:
        """A timestamp inside the interval; an unparseable one is kept so that it gets quarantined."""
        try:
            return self.interval.contains(parse_timestamp(value))
        except BadRecord:
            return True

    def url(self, path: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}{path}"

    def shared(self, endpoint: Endpoint, **parts: str) -> list[Page]:
        """A parent listing's pages for this interval, fetched once for all the streams that read it."""
        key = (endpoint, tuple(sorted(parts.items())), self.interval, self.lookback, self.since)
        return self.listings.pages(key, lambda: endpoint.pages(self, **parts))

    def within_lookback(self, parent_created: Any, value: Any) -> bool:
        """A child record (an open, a comment) at ``value`` whose parent (campaign, post) was created at
        ``parent_created``: the nightly run of the child's day reads parents created up to the lookback
        before that day, so a range keeps exactly what those nightly runs would have landed."""
        try:
            day = parse_timestamp(value).date()
            return (
                parse_timestamp(parent_created) >= datetime.combine(day, time(), tzinfo=UTC) - self.lookback
            )
        except BadRecord:
            return True
