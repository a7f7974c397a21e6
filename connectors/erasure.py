"""Erasing people from the landing zone: finding every identifier linked to their e-mail addresses, and
rewriting the partitions and quarantine files that hold their records.

Identifiers are followed from record to record (``Stream.links_identifiers``): an address leads to the
Zendesk user it belongs to, the user to their tickets, a ticket to its comments; a Segment identify
event leads from the address to the device's anonymous id and from there to the device's other events.
A rewritten partition is swapped in whole, like a landing, and its manifest records that an erasure
happened and how many records went, never whose.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from connectors.identifiers import EMAIL, identifiers_of, normalized
from connectors.landing import (
    DATA_FILE,
    MANIFEST_FILE,
    QUARANTINE_DIR,
    QUARANTINE_FILE,
    Manifest,
    file_facts,
    partition_dir,
    swap_in,
)
from connectors.registry import SOURCES
from connectors.streams import Stream

Identifiers = dict[str, set[str]]  # kind -> normalized values
SHORTEST_ID_IN_TEXT = 8  # ids shorter than this are matched in named fields only, never inside text


def _identifier_values(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(column, pa.string())))


def _matching(table: pa.Table, stream: Stream, known: Identifiers) -> pa.ChunkedArray | pa.Array:
    """A mask of the rows with an identifier in ``known``."""
    mask = pa.array([False] * table.num_rows, type=pa.bool_())
    for column, kind in stream.identifier_columns:
        if known.get(kind) and column in table.column_names:
            found = pc.is_in(_identifier_values(table[column]), value_set=pa.array(sorted(known[kind])))
            mask = pc.or_(mask, pc.fill_null(found, False))
    return mask


def _partitions(landing: Path, source: str, stream: Stream) -> Iterator[Path]:
    yield from sorted((landing / source / stream.entity).glob(f"ds=*/{DATA_FILE}"))


@dataclass(frozen=True)
class Linked:
    """The identifiers linked to some addresses, and which of the addresses a landed record holds."""

    known: Identifiers
    found: frozenset[str]


def linked_identifiers(landing: Path, emails: Iterable[str]) -> Linked:
    """Every identifier the landed records link to the addresses, followed until nothing new turns up."""
    given = {e for e in map(normalized, emails) if e}
    known: Identifiers = defaultdict(set, {EMAIL: set(given)})
    found: set[str] = set()
    while True:
        before = sum(map(len, known.values()))
        for source in SOURCES.values():
            for stream in source.streams:
                if not stream.links_identifiers or not stream.identifier_columns:
                    continue
                columns = [name for name, _ in stream.identifier_columns]
                for path in _partitions(landing, source.name, stream):
                    table = pq.read_table(path, columns=columns)
                    for row in table.filter(_matching(table, stream, known)).to_pylist():
                        for kind, value in identifiers_of(row, stream.identifier_columns):
                            known[kind].add(value)
                            if kind == EMAIL and value in given:
                                found.add(value)
        if sum(map(len, known.values())) == before:
            return Linked(dict(known), frozenset(found))


def pairs(known: Identifiers) -> set[tuple[str, str]]:
    """The identifiers as ``(kind, value)`` pairs, as the suppression list takes them."""
    return {(kind, value) for kind, values in known.items() for value in values}


@dataclass(frozen=True)
class Erased:
    """What an erasure removed from the landing zone."""

    partitions: int = 0
    rows: int = 0
    quarantined: int = 0

    def __add__(self, other: Erased) -> Erased:
        return Erased(
            self.partitions + other.partitions,
            self.rows + other.rows,
            self.quarantined + other.quarantined,
        )


class Naming:
    """Whether a text names one of the people: one of their identifiers anywhere in it (short ids, such
    as ticket numbers, only as the whole text); ``redact`` replaces what it can find within a text."""

    def __init__(self, known: Identifiers) -> None:
        self.ids = {value for values in known.values() for value in values}
        within = {v for v in self.ids if v in known.get(EMAIL, ()) or len(v) >= SHORTEST_ID_IN_TEXT}
        alternatives = "|".join(map(re.escape, sorted(within, key=len, reverse=True)))
        self._within = re.compile(alternatives, re.IGNORECASE) if within else None

    def __call__(self, text: str) -> bool:
        if text.strip().lower() in self.ids:
            return True
        return self._within is not None and self._within.search(text) is not None

    def redact(self, text: str, erased: str) -> str:
        return self._within.sub(erased, text) if self._within is not None else text


def _quarantined_of(line: str, stream: Stream, known: Identifiers, names_them: Callable[[str], bool]) -> bool:
    record = json.loads(line).get("record")
    if isinstance(record, dict):
        for kind, value in identifiers_of(record, stream.identifier_columns):
            if value in known.get(kind, ()):
                return True
    return names_them(line)


def _swap_in_edited(folder: Path, edit: Callable[[Path], None]) -> None:
    """Swap in a copy of ``folder`` that ``edit`` changed, so readers see the old or the new one."""
    aside = folder.with_name(f".tmp-{folder.name}-{uuid.uuid4().hex[:8]}")
    shutil.copytree(folder, aside)
    edit(aside)
    swap_in(aside, folder)


def _erase_partition(
    landing: Path, source: str, stream: Stream, ds: str, known: Identifiers, at: str, dry_run: bool
) -> Erased:
    folder = partition_dir(landing, source, stream.entity, ds)
    quarantine = partition_dir(landing / QUARANTINE_DIR, source, stream.entity, ds)
    table = pq.read_table(folder / DATA_FILE)
    mask = _matching(table, stream, known)
    rows = int(pc.sum(mask).as_py() or 0)
    lines = (quarantine / QUARANTINE_FILE).read_text().splitlines() if quarantine.exists() else []
    names_them = Naming(known)
    kept_lines = [line for line in lines if not _quarantined_of(line, stream, known, names_them)]
    quarantined = len(lines) - len(kept_lines)
    if dry_run or (not rows and not quarantined):
        return Erased(int(bool(rows or quarantined)), rows, quarantined)
    if quarantined:
        text = "".join(f"{line}\n" for line in kept_lines)
        _swap_in_edited(quarantine, lambda aside: (aside / QUARANTINE_FILE).write_text(text))

    def without_them(aside: Path) -> None:
        kept = table.filter(pc.invert(mask))
        pq.write_table(kept, aside / DATA_FILE, compression="zstd")
        manifest = Manifest(**json.loads((aside / MANIFEST_FILE).read_text()))
        manifest = replace(
            manifest,
            rows=kept.num_rows,
            quarantined=manifest.quarantined - quarantined,
            erasures=[*manifest.erasures, {"erased_at": at, "rows": rows, "quarantined": quarantined}],
            **file_facts(aside / DATA_FILE),
        )
        (aside / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), indent=2))

    _swap_in_edited(folder, without_them)
    return Erased(1, rows, quarantined)


def erase_landing(landing: Path, known: Identifiers, dry_run: bool = False) -> Erased:
    """Rewrite every landed partition and quarantine file that holds a record with one of the
    identifiers, without those records (``dry_run``: only count them)."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    erased = Erased()
    for source in SOURCES.values():
        for stream in source.streams:
            for path in _partitions(landing, source.name, stream):
                ds = path.parent.name.removeprefix("ds=")
                erased += _erase_partition(landing, source.name, stream, ds, known, at, dry_run)
    return erased
