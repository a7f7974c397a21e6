"""The immutable landing zone: ``<root>/<source>/<entity>/ds=YYYY-MM-DD/`` Parquet plus a manifest.

A partition is written under a temporary name and swapped in whole, so a re-run or a retry replaces it
and never duplicates rows. Records that do not fit the schema go to ``<root>/_quarantine/`` with a reason.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.errors import BadRecord
from connectors.private import private_dir, private_file
from connectors.records import to_row

if TYPE_CHECKING:
    from connectors.suppression import StreamSuppression

QUARANTINE_DIR = "_quarantine"
DATA_FILE = "part-0000.parquet"
MANIFEST_FILE = "_manifest.json"
QUARANTINE_FILE = "records.jsonl"


@dataclass(frozen=True)
class Manifest:
    """What one landed partition holds."""

    source: str
    entity: str
    ds: str
    interval: str
    rows: int
    quarantined: int
    duplicates_dropped: int
    columns: dict[str, str]
    extracted_at: str
    pages: int
    seconds: float
    # the data file as it landed (connectors/integrity.py); absent in manifests written before them
    data_bytes: int | None = None
    data_mtime_ns: int | None = None
    data_sha256: str | None = None
    # records of forgotten people the extract dropped (connectors/suppression.py)
    suppressed: int = 0
    # each erasure that rewrote the partition: when, and how many records went (never whose)
    erasures: list[dict[str, Any]] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_facts(path: Path) -> dict[str, Any]:
    """What a manifest records of its data file, to check it against before it is built on."""
    stat = path.stat()
    return {"data_bytes": stat.st_size, "data_mtime_ns": stat.st_mtime_ns, "data_sha256": sha256_of(path)}


def partition_dir(root: Path, source: str, entity: str, ds: str) -> Path:
    return root / source / entity / f"ds={ds}"


def swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` with ``tmp`` (both directories) so readers see either the old or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".old-{target.name}-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(target: Path) -> None:
    """Temporary partitions of an earlier attempt that died before its swap: never read, safe to drop."""
    if target.parent.exists():
        for stale in target.parent.glob(f".tmp-{target.name}-*"):
            shutil.rmtree(stale, ignore_errors=True)


class PartitionWriter:
    """Streams pages of flat records into one partition; ``commit`` swaps it in atomically.

    Files are opened at the first record that needs them, so a range's empty days hold no file open.
    """

    def __init__(
        self,
        root: Path,
        source: str,
        entity: str,
        ds: str,
        interval: str,
        schema: pa.Schema,
        primary_key: tuple[str, ...],
        suppression: StreamSuppression | None = None,
    ) -> None:
        self.root, self.source, self.entity, self.ds, self.interval = root, source, entity, ds, interval
        self.schema, self.primary_key, self.suppression = schema, primary_key, suppression
        self._landed_versions: dict[tuple[Any, ...], int] = {}
        token = uuid.uuid4().hex[:8]
        self.target = partition_dir(root, source, entity, ds)
        _remove_leftovers(self.target)
        _remove_leftovers(partition_dir(root / QUARANTINE_DIR, source, entity, ds))
        self.tmp = self.target.with_name(f".tmp-{self.target.name}-{token}")
        self.quarantine_target = partition_dir(root / QUARANTINE_DIR, source, entity, ds)
        self.quarantine_tmp = self.quarantine_target.with_name(f".tmp-{self.target.name}-{token}")
        private_dir(self.tmp, root)
        private_dir(self.quarantine_tmp, root)
        self._writer: pq.ParquetWriter | None = None
        self._quarantine: TextIO | None = None
        self.rows = self.quarantined = self.pages = self.duplicates = self.suppressed = 0
        self._started = time.monotonic()

    def write_page(self, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Write one page of ``(position, record)`` pairs; bad ones are quarantined, the rest land.

        A fetch that already knows a record is bad (say, a line that is not JSON) marks it with ``_error``;
        a record may carry its own ``_position`` (file and line) instead of the page position. Records
        of people on the suppression list are dropped, and only counted.
        """
        good = []
        for default_position, record in records:
            if self.suppression is not None and self.suppression.drops(record):
                self.suppressed += 1
                continue
            position = record.pop("_position", default_position)
            if "_error" in record:
                self.quarantine(position, record.pop("_error"), record.get("_raw", record))
                continue
            try:
                row = to_row(record, self.schema)
            except BadRecord as exc:
                self.quarantine(position, str(exc), record)
                continue
            if self._is_repeat(row):
                self.duplicates += 1
            else:
                good.append(row)
        if good:
            if self._writer is None:
                self._writer = pq.ParquetWriter(self.tmp / DATA_FILE, self.schema, compression="zstd")
            self._writer.write_table(pa.Table.from_pylist(good, schema=self.schema))
        self.rows += len(good)
        self.pages += 1

    def _is_repeat(self, row: dict[str, Any]) -> bool:
        """True for a row already landed in this partition, identical to the letter.

        Exports repeat records across pages; a changed version of a key still lands (staging keeps the newest).
        Only a key and a hash per row are kept, not the rows.
        """
        key = tuple(row[k] for k in self.primary_key)
        fingerprint = hash(tuple(row.values()))
        if self._landed_versions.get(key) == fingerprint:
            return True
        self._landed_versions[key] = fingerprint
        return False

    def quarantine(self, position: str, reason: str, record: Any) -> None:
        entry = {
            "source": self.source,
            "entity": self.entity,
            "ds": self.ds,
            "position": position,
            "reason": reason,
            "record": record,
        }
        if self._quarantine is None:
            self._quarantine = (self.quarantine_tmp / QUARANTINE_FILE).open("w")
        self._quarantine.write(json.dumps(entry, default=str) + "\n")
        self.quarantined += 1

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._quarantine is not None:
            self._quarantine.close()

    def commit(self, pages: int | None = None, seconds: float | None = None) -> Manifest:
        """Swap the partition in; ``pages`` and ``seconds`` describe the fetch that landed it, when that
        fetch landed several days."""
        self._close()
        if self._writer is None:  # a day without records still lands, as an empty file with the schema
            pq.ParquetWriter(self.tmp / DATA_FILE, self.schema, compression="zstd").close()
        if self._quarantine is None:
            (self.quarantine_tmp / QUARANTINE_FILE).touch()
        manifest = Manifest(
            source=self.source,
            entity=self.entity,
            ds=self.ds,
            interval=self.interval,
            rows=self.rows,
            quarantined=self.quarantined,
            duplicates_dropped=self.duplicates,
            suppressed=self.suppressed,
            columns={f.name: str(f.type) for f in self.schema},
            extracted_at=datetime.now(UTC).isoformat(timespec="seconds"),
            pages=self.pages if pages is None else pages,
            seconds=round(time.monotonic() - self._started, 3) if seconds is None else seconds,
            **file_facts(self.tmp / DATA_FILE),
        )
        (self.tmp / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), indent=2))
        for written in (
            self.tmp / DATA_FILE,
            self.tmp / MANIFEST_FILE,
            self.quarantine_tmp / QUARANTINE_FILE,
        ):
            private_file(written)
        swap_in(self.tmp, self.target)
        swap_in(self.quarantine_tmp, self.quarantine_target)
        return manifest

    def abort(self) -> None:
        self._close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.quarantine_tmp, ignore_errors=True)


class IntervalWriter:
    """Lands an interval of whole days: one PartitionWriter per day, each record routed to the day
    ``day_of`` gives it; ``commit`` lands every day of the interval, those without records empty."""

    def __init__(
        self,
        root: Path,
        source: str,
        entity: str,
        days: list[date],
        interval: str,
        schema: pa.Schema,
        primary_key: tuple[str, ...],
        day_of: Callable[[dict[str, Any]], date],
        suppression: StreamSuppression | None = None,
    ) -> None:
        self.days, self.day_of = days, day_of
        self.writers = {
            day: PartitionWriter(
                root, source, entity, day.isoformat(), interval, schema, primary_key, suppression
            )
            for day in days
        }
        self.pages = 0
        self._started = time.monotonic()

    def write_page(self, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        by_day: dict[date, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for position, record in records:
            by_day[self.day_of(record)].append((position, record))
        for day, routed in by_day.items():
            self.writers[day].write_page(routed)
        self.pages += 1

    def commit(self) -> list[Manifest]:
        seconds = round(time.monotonic() - self._started, 3)
        return [self.writers[day].commit(self.pages, seconds) for day in self.days]

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()


def read_manifest(root: Path, source: str, entity: str, ds: str) -> Manifest:
    path = partition_dir(root, source, entity, ds) / MANIFEST_FILE
    return Manifest(**json.loads(path.read_text()))


def is_landed(root: Path, source: str, entity: str, ds: str) -> bool:
    """True when the partition landed whole: its manifest is written last, inside the swapped-in folder."""
    folder = partition_dir(root, source, entity, ds)
    return (folder / MANIFEST_FILE).exists() and (folder / DATA_FILE).exists()
