"""Per-connector, per-entity extraction state, kept beside the landing zone in ``_state/``.

It records the first and last day landed. Entities that export "current state" (members, users, tickets,
orders) sync their full history on the earliest landed day and only recent changes after it, so that a
re-run of any day, the earliest included, lands the same rows again.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from connectors.private import private_dir, private_file

STATE_DIR = "_state"
_UPDATES = threading.Lock()  # windows of one entity land from concurrent threads


@dataclass(frozen=True)
class EntityState:
    """The range of days landed so far."""

    first_ds: str | None = None
    last_ds: str | None = None

    def landed(self, first_ds: str, last_ds: str) -> EntityState:
        first = min(filter(None, (self.first_ds, first_ds)))
        last = max(filter(None, (self.last_ds, last_ds)))
        return EntityState(first, last)

    def is_initial(self, ds: str) -> bool:
        """True when ``ds`` is (or would become) the earliest landed day: a full-history sync."""
        return self.first_ds is None or ds <= self.first_ds


def _path(root: Path, source: str, entity: str) -> Path:
    return root / STATE_DIR / source / f"{entity}.json"


def load_state(root: Path, source: str, entity: str) -> EntityState:
    path = _path(root, source, entity)
    return EntityState(**json.loads(path.read_text())) if path.exists() else EntityState()


def update_state(root: Path, source: str, entity: str, first_ds: str, last_ds: str) -> EntityState:
    """Record that the days ``first_ds`` to ``last_ds`` landed."""
    with _UPDATES:
        state = load_state(root, source, entity).landed(first_ds, last_ds)
        save_state(root, source, entity, state)
    return state


def save_state(root: Path, source: str, entity: str, state: EntityState) -> None:
    path = _path(root, source, entity)
    private_dir(path.parent, root)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)))
    os.replace(private_file(tmp), path)
