"""The immutable landing zone: ``<root>/<source>/<entity>/ds=YYYY-MM-DD/`` Parquet plus a manifest.

A partition is written under a temporary name and swapped in whole, so a re-run or a retry replaces it
and never duplicates rows. Records that do not fit the schema go to ``<root>/_quarantine/`` with a reason.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.errors import BadRecord
from connectors.records import to_row

QUARANTINE_DIR = "_quarantine"
DATA_FILE = "part-0000.parquet"
MANIFEST_FILE = "_manifest.json"


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


def partition_dir(root: Path, source: str, entity: str, ds: str) -> Path:
    return root / source / entity / f"ds={ds}"


def _swap_in(tmp: Path, target: Path) -> None:
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
    """Streams pages of flat records into one partition; ``commit`` swaps it in atomically."""

    def __init__(
        self,
        root: Path,
        source: str,
        entity: str,
        ds: str,
        interval: str,
        schema: pa.Schema,
        primary_key: tuple[str, ...],
    ) -> None:
        self.root, self.source, self.entity, self.ds, self.interval = root, source, entity, ds, interval
        self.schema, self.primary_key = schema, primary_key
        self._landed_versions: dict[tuple[Any, ...], int] = {}
        token = uuid.uuid4().hex[:8]
        self.target = partition_dir(root, source, entity, ds)
        _remove_leftovers(self.target)
        _remove_leftovers(partition_dir(root / QUARANTINE_DIR, source, entity, ds))
        self.tmp = self.target.with_name(f".tmp-{self.target.name}-{token}")
        self.quarantine_target = partition_dir(root / QUARANTINE_DIR, source, entity, ds)
        self.quarantine_tmp = self.quarantine_target.with_name(f".tmp-{self.target.name}-{token}")
        self.tmp.mkdir(parents=True)
        self.quarantine_tmp.mkdir(parents=True)
        self._writer = pq.ParquetWriter(self.tmp / DATA_FILE, schema, compression="zstd")
        self._quarantine = (self.quarantine_tmp / "records.jsonl").open("w")
        self.rows = self.quarantined = self.pages = self.duplicates = 0
        self._started = time.monotonic()

    def write_page(self, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Write one page of ``(position, record)`` pairs; bad ones are quarantined, the rest land.

        A fetch that already knows a record is bad (say, a line that is not JSON) marks it with ``_error``;
        a record may carry its own ``_position`` (file and line) instead of the page position.
        """
        good = []
        for default_position, record in records:
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
        self._quarantine.write(json.dumps(entry, default=str) + "\n")
        self.quarantined += 1

    def commit(self) -> Manifest:
        self._writer.close()
        self._quarantine.close()
        manifest = Manifest(
            source=self.source,
            entity=self.entity,
            ds=self.ds,
            interval=self.interval,
            rows=self.rows,
            quarantined=self.quarantined,
            duplicates_dropped=self.duplicates,
            columns={f.name: str(f.type) for f in self.schema},
            extracted_at=datetime.now(UTC).isoformat(timespec="seconds"),
            pages=self.pages,
            seconds=round(time.monotonic() - self._started, 3),
        )
        (self.tmp / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), indent=2))
        _swap_in(self.tmp, self.target)
        _swap_in(self.quarantine_tmp, self.quarantine_target)
        return manifest

    def abort(self) -> None:
        self._writer.close()
        self._quarantine.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.quarantine_tmp, ignore_errors=True)


def read_manifest(root: Path, source: str, entity: str, ds: str) -> Manifest:
    path = partition_dir(root, source, entity, ds) / MANIFEST_FILE
    return Manifest(**json.loads(path.read_text()))
