"""Stream definitions and the one function that lands a stream's interval."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from connectors.errors import BadRecord
from connectors.http import ApiClient
from connectors.landing import Manifest, PartitionWriter
from connectors.records import parse_timestamp
from connectors.settings import ConnectionSettings, Interval
from connectors.state import load_state, save_state

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


@dataclass(frozen=True)
class Stream:
    """One landed entity: its schema, its key and how to fetch its pages for an interval."""

    entity: str
    schema: pa.Schema
    primary_key: tuple[str, ...]
    fetch: Callable[[FetchContext], Iterator[Page]]
    description: str = ""
    full_history_first: bool = False


@dataclass(frozen=True)
class Source:
    """One vendor: its streams, how to build an authenticated client and its default lookback."""

    name: str
    streams: tuple[Stream, ...]
    make_client: Callable[[ConnectionSettings, str], ApiClient] | None
    lookback: timedelta = timedelta(days=0)
    connection_id: str = ""
    entities: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entities", tuple(s.entity for s in self.streams))

    def stream(self, entity: str) -> Stream:
        for stream in self.streams:
            if stream.entity == entity:
                return stream
        raise KeyError(f"{self.name} has no entity {entity!r}; it has {', '.join(self.entities)}")


def extract(
    source: Source, entity: str, settings: ConnectionSettings, interval: Interval, landing_root: Path
) -> Manifest:
    """Land one entity for one interval; the partition is replaced whole, or left as it was on error."""
    stream = source.stream(entity)
    client = source.make_client(settings, str(interval)) if source.make_client else None
    writer = PartitionWriter(
        landing_root, source.name, entity, interval.ds, str(interval), stream.schema, stream.primary_key
    )
    state = load_state(landing_root, source.name, entity)
    lookback = (
        timedelta(days=float(settings.extra["lookback_days"]))
        if "lookback_days" in settings.extra
        else source.lookback
    )
    since = interval.start - lookback
    if stream.full_history_first and state.is_initial(interval.ds):
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
    manifest = writer.commit()
    save_state(landing_root, source.name, entity, state.landed(interval.ds))
    return manifest
