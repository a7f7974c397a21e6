"""The landing zone's manifests as one Parquet table, for engines that read the zone in place.

Spark's file sources skip every file whose name starts with ``_``, so they never see the partitions'
``_manifest.json``. Before each build this index lists them (one row per landed partition), and the dbt
project reads it where DuckDB reads the manifests themselves (``landing_index()`` in macros/landing.sql).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.landing import MANIFEST_FILE

INDEX_FILE = "manifests.parquet"
SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("entity", pa.string()),
        ("ds", pa.string()),
        ("fingerprint", pa.string()),  # changes when a partition is landed again
        ("extracted_at", pa.timestamp("us", tz="UTC")),
        ("rows", pa.int64()),
    ]
)


def write_landing_index(landing: Path, index_dir: Path) -> int:
    """Write ``index_dir/manifests.parquet`` from every manifest under ``landing``; the partitions listed.
    The file is replaced whole, so a reader sees the old index or the new one, never half of one."""
    rows = []
    for path in sorted(landing.glob(f"*/*/ds=*/{MANIFEST_FILE}")):
        text = path.read_bytes()
        manifest = json.loads(text)
        rows.append(
            {
                "source": manifest["source"],
                "entity": manifest["entity"],
                "ds": manifest["ds"],
                "fingerprint": hashlib.md5(text).hexdigest(),
                "extracted_at": datetime.fromisoformat(manifest["extracted_at"]),
                "rows": manifest["rows"],
            }
        )
    index_dir.mkdir(parents=True, exist_ok=True)
    partial = index_dir / f".{INDEX_FILE}.partial"
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), partial)
    os.replace(partial, index_dir / INDEX_FILE)
    return len(rows)


def main() -> None:
    """``python -m touchpoints.warehouse.landing_index``: index the configured landing zone."""
    from touchpoints.config import Paths

    paths = Paths.from_env()
    print(
        f"{write_landing_index(paths.landing, paths.landing_index)} partitions indexed in {paths.landing_index}"
    )


if __name__ == "__main__":
    main()
