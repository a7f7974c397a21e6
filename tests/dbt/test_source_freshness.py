"""dbt source freshness on the landing zone: hours since each entity last landed new records."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.landing import MANIFEST_FILE, partition_dir
from tests.pipeline_home import land_day
from touchpoints.config import Paths
from touchpoints.dbt_runner import SourcesStale
from touchpoints.pipeline import check_source_freshness

DAYS = (date(2026, 11, 1), date(2026, 11, 2))


def age_partition(
    paths: Paths, source: str, entity: str, ds: date, hours: float, rows: int | None = None
) -> None:
    """Make one landed partition look extracted ``hours`` ago (and, optionally, hold ``rows`` rows)."""
    manifest_path = partition_dir(paths.landing, source, entity, ds.isoformat()) / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    manifest["extracted_at"] = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
    if rows is not None:
        manifest["rows"] = rows
    manifest_path.write_text(json.dumps(manifest))


@pytest.fixture
def landed(pipeline_env: Path) -> Paths:
    paths = Paths.from_env()
    for day in DAYS:
        land_day(paths, day)
    return paths


def by_entity(checks: list[dict]) -> dict[str, dict]:
    return {f"{c['source']}.{c['entity']}": c for c in checks}


def test_a_fresh_landing_passes_and_backfilled_days_count_as_fresh(landed: Paths) -> None:
    """The landed days are weeks old, but they were extracted just now: nothing daily is stale."""
    checks = by_entity(check_source_freshness())
    assert len(checks) == 17
    for name in ("web.events", "shopify.orders", "zendesk.tickets"):
        assert checks[name]["status"] == "pass", checks[name]
        assert checks[name]["hours_since_records"] < 1
        assert (checks[name]["warn_after_hours"], checks[name]["error_after_hours"]) == (30, 54)
    # an occasional source that never landed a record only warns (8 days), it never fails the night
    quiet = [c for c in checks.values() if c["hours_since_records"] is None]
    assert quiet and all(c["status"] == "warn" and c["error_after_hours"] is None for c in quiet)


def test_a_daily_source_warns_then_errors_as_it_ages(landed: Paths, caplog: pytest.LogCaptureFixture) -> None:
    for day in DAYS:
        age_partition(landed, "shopify", "orders", day, hours=40)
    with caplog.at_level(logging.WARNING, logger="touchpoints.pipeline"):
        checks = by_entity(check_source_freshness())
    assert checks["shopify.orders"]["status"] == "warn"
    assert 39.9 < checks["shopify.orders"]["hours_since_records"] < 40.5
    assert "stale source: shopify.orders last landed new records 40" in caplog.text

    for day in DAYS:
        age_partition(landed, "shopify", "orders", day, hours=60)
    with pytest.raises(SourcesStale) as failure:
        check_source_freshness()
    message = str(failure.value)
    assert "shopify.orders last landed new records 60" in message and "error after 54 h" in message
    assert "web.events" not in message
    assert "touchpoints run --start" in message and "TOUCHPOINTS_FRESHNESS_ERROR_HOURS" in message


def test_empty_loads_do_not_count_as_fresh(landed: Paths) -> None:
    """An API gone quiet still lands (empty) partitions every night; freshness looks past them."""
    age_partition(landed, "web", "events", DAYS[0], hours=60)
    age_partition(landed, "web", "events", DAYS[1], hours=1, rows=0)
    with pytest.raises(SourcesStale, match=r"web\.events last landed new records 6\d\.\d h ago"):
        check_source_freshness()


def test_thresholds_come_from_the_environment(landed: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in DAYS:
        age_partition(landed, "zendesk", "tickets", day, hours=60)
    monkeypatch.setenv("TOUCHPOINTS_FRESHNESS_WARN_HOURS", "48")
    monkeypatch.setenv("TOUCHPOINTS_FRESHNESS_ERROR_HOURS", "96")
    checks = by_entity(check_source_freshness())
    assert checks["zendesk.tickets"]["status"] == "warn"
    assert (
        checks["zendesk.tickets"]["warn_after_hours"],
        checks["zendesk.tickets"]["error_after_hours"],
    ) == (48, 96)
