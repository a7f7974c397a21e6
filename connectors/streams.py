"""Stream definitions and the one function that lands a stream's interval, one partition per day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from connectors.errors import BadRecord
from connectors.http import ApiClient
from connectors.landing import IntervalWriter, Manifest
from connectors.records import parse_timestamp
from connectors.settings import ConnectionSettings, Interval
from connectors.state import load_state, update_state

Page = list[dict[str, Any]]
FULL_HISTORY = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FetchContext:
    """Everything a stream's fetch needs for one interval."""

    settings: ConnectionSettings
    interval: Interval
    client: ApiClient | None
    lookback: timedelta
    since: datetime

    def in_interval(self, value: Any) -> bool:
        """A timestamp inside the interval; an unparseable one is kept so that it gets quarantined."""
        try:
            return self.interval.contains(parse_timestamp(value))
        except BadRecord:
            return True

    def url(self, api_path: str, path: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}{api_path}{path}"

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


def day_of(value: Any) -> str | None:
    """The UTC day of a vendor timestamp, or None when it cannot be read."""
    try:
        return parse_timestamp(value).date().isoformat()
    except BadRecord:
        return None


# How many days a range fetches at once: each window lands, and counts as done, as a whole.
WINDOW_DAYS = 30
DS_FIELD = "_ds"  # a record may name its partition day itself (event files are dated by their name)


@dataclass(frozen=True)
class Stream:
    """One landed entity: its schema, its key and how to fetch its pages for an interval.

    ``partition_by`` is the field whose UTC day is the record's landing partition (clamped into the
    interval: a state export's older and newer changes land on its first and last day); ``None`` means
    the record is a snapshot of the load and lands on the interval's last day. A state export (full
    history on the first landed day, no upper time bound) is fetched once per range; other streams in
    windows of ``window_days`` (None: once per range too).
    """

    entity: str
    schema: pa.Schema
    primary_key: tuple[str, ...]
    fetch: Callable[[FetchContext], Iterator[Page]]
    description: str = ""
    full_history_first: bool = False
    partition_by: str | None = None
    window_days: int | None = WINDOW_DAYS

    def range_window_days(self, settings: ConnectionSettings) -> int | None:
        """Days fetched in one pass of a range (the connection's ``window_days``, else the stream's);
        None: the whole range, as state exports always are."""
        if self.full_history_first or self.window_days is None:
            return None
        return max(1, int(settings.extra.get("window_days", self.window_days)))

    def day_router(self, days: list[date]) -> Callable[[dict[str, Any]], date]:
        """The partition day of a raw record, within ``days``; unparseable times go to the last day,
        where the record is quarantined."""
        first, last = days[0], days[-1]

        def day_of(record: dict[str, Any]) -> date:
            named = record.pop(DS_FIELD, None)
            if named is not None:
                return min(max(date.fromisoformat(named), first), last)
            if self.partition_by is None:
                return last
            try:
                day = parse_timestamp(record.get(self.partition_by)).date()
            except BadRecord:
                return last
            return min(max(day, first), last)

        return day_of


@dataclass(frozen=True)
class Source:
    """One vendor: its streams, how to build an authenticated client, its default lookback and how
    many windows a range fetches from it at once (within the vendor's concurrency limit)."""

    name: str
    streams: tuple[Stream, ...]
    make_client: Callable[[ConnectionSettings, str], ApiClient] | None
    lookback: timedelta = timedelta(days=0)
    connection_id: str = ""
    concurrency: int = 1
    entities: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entities", tuple(s.entity for s in self.streams))

    def concurrency_for(self, settings: ConnectionSettings) -> int:
        """The connection's ``max_concurrency``, else the vendor's default."""
        return max(1, int(settings.extra.get("max_concurrency", self.concurrency)))

    def stream(self, entity: str) -> Stream:
        for stream in self.streams:
            if stream.entity == entity:
                return stream
        raise KeyError(f"{self.name} has no entity {entity!r}; it has {', '.join(self.entities)}")


def extract(
    source: Source,
    entity: str,
    settings: ConnectionSettings,
    interval: Interval,
    landing_root: Path,
    full_history: bool | None = None,
) -> list[Manifest]:
    """Land one entity for an interval of whole days, one partition per day; each is replaced whole,
    or all are left as they were on error. ``full_history``: whether a state export reads everything
    (default: when the interval starts on or before the first day landed so far)."""
    stream = source.stream(entity)
    days = interval.days()
    client = source.make_client(settings, str(interval)) if source.make_client else None
    writer = IntervalWriter(
        landing_root,
        source.name,
        entity,
        days,
        str(interval),
        stream.schema,
        stream.primary_key,
        stream.day_router(days),
    )
    state = load_state(landing_root, source.name, entity)
    lookback = (
        timedelta(days=float(settings.extra["lookback_days"]))
        if "lookback_days" in settings.extra
        else source.lookback
    )
    since = interval.start - lookback
    if full_history is None:
        full_history = state.is_initial(interval.ds)
    if stream.full_history_first and full_history:
        since = FULL_HISTORY
    context = FetchContext(settings, interval, client, lookback, since)
    try:
        for page_number, page in enumerate(stream.fetch(context), start=1):
            writer.write_page((f"page {page_number} item {i}", record) for i, record in enumerate(page))
    except BaseException:
        writer.abort()
        raise
    finally:
        if client:
            client.close()
    manifests = writer.commit()
    update_state(landing_root, source.name, entity, days[0].isoformat(), days[-1].isoformat())
    return manifests
