"""Landed partitions checked against their manifests before anything is built on them.

A manifest records its data file's size, modification time and SHA-256; a file whose size and time are
as recorded is taken as is (one ``stat``), one whose are not is hashed. Manifests written before the
checksums are checked by their Parquet footer: it must read, and hold the rows the manifest counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.landing import DATA_FILE, MANIFEST_FILE, Manifest, sha256_of


class LandingDamaged(RuntimeError):
    """Landed partitions that do not hold what their manifests say: nothing is built on them."""

    def __init__(self, damage: list[Damage]) -> None:
        self.damage = damage
        super().__init__(
            f"{len(damage)} landed partitions are damaged, nothing was built:\n  "
            + "\n  ".join(map(str, damage))
        )


@dataclass(frozen=True)
class Damage:
    """A landed partition that does not hold what its manifest says."""

    source: str
    entity: str
    ds: str
    reason: str

    @property
    def repair(self) -> str:
        return f"touchpoints run --start {self.ds} --end {self.ds} --refetch"

    def __str__(self) -> str:
        return f"{self.source}/{self.entity}/ds={self.ds}: {self.reason}; land it again: {self.repair}"


def _problem(data: Path, manifest: Manifest) -> str | None:
    if not data.exists():
        return "its data file is missing"
    stat = data.stat()
    if manifest.data_sha256 is not None:
        if stat.st_size != manifest.data_bytes:
            return f"its data file has {stat.st_size:,} bytes where {manifest.data_bytes:,} landed (truncated or replaced)"
        if stat.st_mtime_ns != manifest.data_mtime_ns and sha256_of(data) != manifest.data_sha256:
            return "its data file changed since it landed (its checksum differs)"
        return None
    try:
        rows = pq.ParquetFile(data).metadata.num_rows
    except (pa.ArrowException, OSError) as error:
        return f"its data file cannot be read ({error})"
    return None if rows == manifest.rows else f"its data file holds {rows} rows where {manifest.rows} landed"


def damaged_partitions(root: Path) -> list[Damage]:
    """Every landed partition under ``root`` that does not match its manifest."""
    found = []
    for path in sorted(root.glob(f"*/*/ds=*/{MANIFEST_FILE}")):
        source, entity, ds = path.parts[-4], path.parts[-3], path.parts[-2].removeprefix("ds=")
        try:
            manifest = Manifest(**json.loads(path.read_text()))
        except (ValueError, TypeError) as error:
            found.append(Damage(source, entity, ds, f"its manifest cannot be read ({error})"))
            continue
        if problem := _problem(path.parent / DATA_FILE, manifest):
            found.append(Damage(source, entity, ds, problem))
    return found
