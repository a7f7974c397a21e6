"""Streams, declared once, and the one function that lands a stream's interval, one partition per day.

A stream names its endpoint (path, where the items are, paginator, query), its columns (name, JSON path,
Arrow type, and a named transform where a path is not enough), its primary key and the field whose day
is a record's partition; the record mapping and the Parquet schema are derived from the columns.
``connectors/shopify.py`` is the smallest example; ``mailchimp.py`` and ``facebook.py`` show child
streams reading a parent listing that is fetched once per interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from connectors.columns import Column, row_of, schema_of
from connectors.context import FetchContext
from connectors.endpoints import Endpoint
from connectors.errors import BadRecord
from connectors.http import ApiClient
from connectors.landing import IntervalWriter, Manifest
from connectors.listings import Listings
from connectors.paging import Page
from connectors.records import parse_timestamp
from connectors.settings import ConnectionSettings, Interval
from connectors.state import load_state, update_state
from connectors.suppression import StreamSuppression, SuppressionList

FULL_HISTORY = datetime(2000, 1, 1, tzinfo=UTC)


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
class Noted:
    """A vendor item with what its fetch knows of it besides its fields: the day it lands on (``ds``),
    where it was read (``position``) and, for one that cannot be read, why (``error``; ``item`` is then
    what was read, quarantined as it is)."""

    item: Any
    ds: str | None = None
    position: str | None = None
    error: str | None = None


def every_page(ctx: FetchContext, endpoint: Endpoint | None) -> Iterator[Page]:
    """A stream read in one pass through its endpoint."""
    assert endpoint
    yield from endpoint.pages(ctx)


@dataclass(frozen=True)
class Stream:
    """One landed entity, declared once: where its items come from, its columns (from which both the
    record mapping and the Parquet schema follow), its key and the field that dates a record.

    ``fetch`` yields pages of vendor items from ``endpoint`` (default: every page of it); a child stream's
    fetch reads its parent listing through ``FetchContext.shared``. ``whole_item``: the record keeps every
    field of the vendor's item (they are named as the columns are), so that a quarantined one shows it all.

    ``partition_by`` is the field whose UTC day is the record's landing partition (clamped into the
    interval: a state export's older and newer changes land on its first and last day); ``None`` means
    the record is a snapshot of the load and lands on the interval's last day. A state export (full
    history on the first landed day, no upper time bound) is fetched once per range; other streams in
    windows of ``window_days`` (None: once per range too).

    ``links_identifiers``: a record that belongs to a person links every identifier it holds to that
    person (erasure follows them: a ticket's id to its comments); False where a record also names
    others (a comment on a person's ticket names its author, who may be an agent).
    """

    entity: str
    description: str
    endpoint: Endpoint | None
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    fetch: Callable[[FetchContext, Endpoint | None], Iterator[Page]] = every_page
    partition_by: str | None = None
    full_history_first: bool = False
    window_days: int | None = WINDOW_DAYS
    whole_item: bool = False
    links_identifiers: bool = True
    schema: pa.Schema = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schema", schema_of(self.columns))

    @property
    def identifier_columns(self) -> tuple[tuple[str, str], ...]:
        """``(column, kind)`` of every column that identifies a person or a person's record."""
        return tuple((c.name, c.identifies) for c in self.columns if c.identifies)

    def record(self, entry: Any) -> dict[str, Any]:
        """The flat record of one fetched item, with its notes for the landing."""
        if not isinstance(entry, Noted):
            return dict(entry) if self.whole_item else row_of(self.columns, entry)
        record = {"_error": entry.error, "_raw": entry.item} if entry.error else self.record(entry.item)
        if entry.position is not None:
            record["_position"] = entry.position
        if entry.ds is not None:
            record[DS_FIELD] = entry.ds
        return record

    def pages(self, ctx: FetchContext) -> Iterator[list[dict[str, Any]]]:
        for page in self.fetch(ctx, self.endpoint):
            yield [self.record(entry) for entry in page]

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


def suppression_of(stream: Stream, landing_root: Path) -> StreamSuppression | None:
    """What the stream's landing drops of forgotten people (None: it holds no identifier)."""
    if not stream.identifier_columns:
        return None
    return StreamSuppression(
        SuppressionList(landing_root), stream.identifier_columns, stream.links_identifiers
    )


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
    listings: Listings | None = None,
) -> list[Manifest]:
    """Land one entity for an interval of whole days, one partition per day; each is replaced whole,
    or all are left as they were on error. ``full_history``: whether a state export reads everything
    (default: when the interval starts on or before the first day landed so far); ``listings``: the
    parent listings shared with the run's other streams (default: this call's own)."""
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
        suppression_of(stream, landing_root),
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
    context = FetchContext(settings, interval, client, lookback, since, listings or Listings())
    try:
        for page_number, page in enumerate(stream.pages(context), start=1):
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
