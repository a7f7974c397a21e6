"""Building day 1 then day 2 incrementally gives exactly what a full refresh over both days gives."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.pipeline_home import land_day
from touchpoints.config import Paths
from touchpoints.dbt_runner import run_dbt
from touchpoints.warehouse import list_marts


def marts(paths: Paths) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(paths.build_warehouse), read_only=True) as db:
        frames = {}
        for name in list_marts(db):
            frame = db.sql(f"select * from marts.{name}").df()
            frames[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


def identify_on_day_two(events_dir: Path, folder: Path) -> str:
    """Copy the event files, adding on day 2 an identify for a visitor who was anonymous on day 1."""
    shutil.copytree(events_dir, folder)
    day_one = [json.loads(line) for line in (folder / "2026-11-01.jsonl").read_text().splitlines()]
    visitor = next(e["anonymousId"] for e in day_one if e["type"] == "page")
    identify = {
        "type": "identify", "messageId": "late-identify", "anonymousId": visitor, "userId": "u-late",
        "timestamp": "2026-11-02T12:00:00.000Z", "traits": {"email": "Late.Identified@Example.com"},
    }  # fmt: skip
    with (folder / "2026-11-02.jsonl").open("a") as handle:
        handle.write(json.dumps(identify) + "\n")
    return visitor


def test_incremental_day_by_day_equals_full_refresh(
    pipeline_env: Path, events_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    identify_on_day_two(events_dir, tmp_path / "events")
    monkeypatch.setenv("TOUCHPOINTS_WEB_EVENTS_URL", str(tmp_path / "events"))
    paths = Paths.from_env()
    land_day(paths, date(2026, 11, 1))
    run_dbt(paths, "build")
    with duckdb.connect(str(paths.build_warehouse), read_only=True) as db:
        day_one = dict(db.sql("select touchpoint_id, customer_id from marts.fct_touchpoints").fetchall())

    land_day(paths, date(2026, 11, 2))
    run_dbt(paths, "build")
    incremental = marts(paths)
    rekeyed = incremental["fct_touchpoints"].set_index("touchpoint_id")["customer_id"]
    changed = sum(rekeyed.get(tp) != customer for tp, customer in day_one.items())
    assert changed > 0, "day 2 links a day-1 visitor to an e-mail: their old rows must be re-keyed"

    run_dbt(paths, "build", "--full-refresh")
    full = marts(paths)
    assert set(incremental) == set(full)
    for name, frame in full.items():
        pd.testing.assert_frame_equal(incremental[name], frame, check_exact=False, rtol=1e-12, obj=name)
