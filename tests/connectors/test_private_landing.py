"""The landing zone, its quarantine and its state are their owner's only, even under an open umask."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from connectors.landing import QUARANTINE_DIR
from connectors.state import STATE_DIR
from tests.modes import open_to_others
from tests.pipeline_home import land_day
from touchpoints.config import Paths


def test_a_landed_day_is_readable_by_its_owner_only(pipeline_env: Path) -> None:
    paths = Paths.from_env()
    saved = os.umask(0)
    try:
        land_day(paths, date(2026, 11, 1))
    finally:
        os.umask(saved)
    assert (paths.landing / QUARANTINE_DIR).is_dir() and (paths.landing / STATE_DIR).is_dir()
    assert open_to_others(paths.landing) == []
