"""Segment-spec web/app event files, one JSON-lines file per UTC day, as a tracking pipeline drops them."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from sandbox import timefmt
from sandbox.generator import Record, World


def write_event_files(world: World, folder: Path) -> list[Path]:
    """Write ``<folder>/YYYY-MM-DD.jsonl`` for every day that has events; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    by_day: dict[str, list[Record]] = defaultdict(list)
    for event in world.web_events:
        by_day[timefmt.parse_any(event["timestamp"]).date().isoformat()].append(event)
    written = []
    for day, events in sorted(by_day.items()):
        path = folder / f"{day}.jsonl"
        events.sort(key=lambda e: e["timestamp"])
        path.write_text("".join(json.dumps(e) + "\n" for e in events))
        written.append(path)
    return written
