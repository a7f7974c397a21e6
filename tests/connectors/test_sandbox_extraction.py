"""Every connector against the running sandbox, over real HTTP: counts, paging, idempotent re-runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.landing import DATA_FILE, partition_dir, read_manifest
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
from sandbox import timefmt
from sandbox.ads import AD_ACCOUNT_ID
from sandbox.generator import BUSINESS_UNIT_ID, PAGE_ID, World
from sandbox.server import SANDBOX_SECRET, SandboxServer
from sandbox.throttling import UNLIMITED

DAY = date(2026, 11, 1)
EXTRAS = {
    "facebook": {"page_id": PAGE_ID},
    "trustpilot": {"business_unit_id": BUSINESS_UNIT_ID},
    "meta_ads": {"ad_account_id": f"act_{AD_ACCOUNT_ID}"},
}
UNPACED = {"pace": False}  # the session's sandbox serves every test: no client pacing between them


def settings_for(source: str, sandbox: SandboxServer, events_dir: Path, password: str = SANDBOX_SECRET):
    if source == "web":
        return ConnectionSettings(str(events_dir))
    return ConnectionSettings(sandbox.url, "someone", password, {**UNPACED, **EXTRAS.get(source, {})})


def on_day(value: str, day: date = DAY) -> bool:
    return timefmt.parse_any(value).date() == day


def expected_rows(world: World, source: str, entity: str) -> int:
    """Rows each entity must land for DAY (the first landed day: state entities sync full history)."""
    sent_today = [c["id"] for c in world.mailchimp_campaigns if on_day(c["send_time"])]
    table = {
        ("mailchimp", "campaigns"): len(sent_today),
        ("mailchimp", "sent_to"): sum(len(world.mailchimp_sent_to[c]) for c in sent_today),
        ("mailchimp", "email_activity"): sum(
            on_day(a["timestamp"])
            for entries in world.mailchimp_activity.values()
            for e in entries
            for a in e["activity"]
        ),
        ("mailchimp", "unsubscribes"): sum(
            on_day(u["timestamp"]) for us in world.mailchimp_unsubscribed.values() for u in us
        ),
        ("mailchimp", "members"): len(world.mailchimp_members),
        ("facebook", "posts"): sum(
            timefmt.parse_any(p["created_time"]).date() <= DAY for p in world.facebook_posts
        ),
        ("facebook", "comments"): sum(
            on_day(c["created_time"]) for cs in world.facebook_comments.values() for c in cs
        ),
        ("facebook", "post_insights"): sum(
            timefmt.parse_any(p["created_time"]).date() <= DAY for p in world.facebook_posts
        ),
        ("trustpilot", "reviews"): sum(
            timefmt.parse_any(r["createdAt"]).date() <= DAY for r in world.trustpilot_reviews
        ),
        ("zendesk", "tickets"): len(world.zendesk_tickets),
        ("zendesk", "users"): len(world.zendesk_users),
        ("zendesk", "ticket_comments"): sum(on_day(e["created_at"]) for e in world.zendesk_ticket_events),
        ("zendesk", "satisfaction_ratings"): sum(
            timefmt.parse_any(r["updated_at"]).date() <= DAY for r in world.zendesk_satisfaction_ratings
        ),
        ("shopify", "orders"): len(world.shopify_orders),
        ("web", "events"): sum(on_day(e["timestamp"]) for e in world.web_events),
        ("meta_ads", "ad_insights"): sum(  # the lookback's days too: Meta restates recent days
            DAY - SOURCES["meta_ads"].lookback <= date.fromisoformat(r["date_start"]) <= DAY
            for r in world.meta_ads.insights
        ),
        ("meta_ads", "ads"): len(world.meta_ads.ads),
    }
    return table[(source, entity)]


ENTITIES = [(s.name, e) for s in SOURCES.values() for e in s.entities]


@pytest.mark.parametrize(("source", "entity"), ENTITIES, ids=[f"{s}.{e}" for s, e in ENTITIES])
def test_each_entity_lands_what_the_api_serves(
    world: World, sandbox: SandboxServer, events_dir: Path, tmp_path: Path, source: str, entity: str
) -> None:
    settings = settings_for(source, sandbox, events_dir)
    (manifest,) = extract(SOURCES[source], entity, settings, Interval.for_day(DAY), tmp_path)
    table = pq.read_table(partition_dir(tmp_path, source, entity, DAY.isoformat()) / DATA_FILE)
    assert manifest.rows == table.num_rows == expected_rows(world, source, entity)
    assert manifest.quarantined == 0
    assert table.schema.names == SOURCES[source].stream(entity).schema.names
    assert read_manifest(tmp_path, source, entity, DAY.isoformat()) == manifest


HTTP_ENTITIES = [(s, e) for s, e in ENTITIES if s != "web"]


def test_every_paginator_is_followed_to_the_end(world: World, events_dir: Path, tmp_path: Path) -> None:
    """A sandbox serving at most 3 records a page: every vendor's paging must still land everything."""
    small_pages = SandboxServer(world, max_page_size=3, limits=UNLIMITED)
    small_pages.start_in_thread()
    try:
        for source, entity in HTTP_ENTITIES:
            settings = settings_for(source, small_pages, events_dir)
            (manifest,) = extract(SOURCES[source], entity, settings, Interval.for_day(DAY), tmp_path / source)
            assert manifest.rows == expected_rows(world, source, entity), (source, entity)
            if manifest.rows > 3:
                assert manifest.pages > 1, (source, entity)
    finally:
        small_pages.shutdown()


def test_rerunning_a_day_replaces_its_partition(
    sandbox: SandboxServer, events_dir: Path, tmp_path: Path
) -> None:
    settings = settings_for("shopify", sandbox, events_dir)
    (first,) = extract(SOURCES["shopify"], "orders", settings, Interval.for_day(DAY), tmp_path)
    (second,) = extract(SOURCES["shopify"], "orders", settings, Interval.for_day(DAY), tmp_path)
    folder = partition_dir(tmp_path, "shopify", "orders", DAY.isoformat())
    assert sorted(p.name for p in folder.iterdir()) == ["_manifest.json", DATA_FILE]
    assert pq.read_table(folder / DATA_FILE).num_rows == first.rows == second.rows
    leftovers = [p for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_state_entities_sync_history_once_then_only_changes(
    world: World, sandbox: SandboxServer, events_dir: Path, tmp_path: Path
) -> None:
    settings = settings_for("mailchimp", sandbox, events_dir)
    (first,) = extract(SOURCES["mailchimp"], "members", settings, Interval.for_day(DAY), tmp_path)
    (later,) = extract(
        SOURCES["mailchimp"], "members", settings, Interval.for_day(date(2026, 11, 2)), tmp_path
    )
    (again,) = extract(SOURCES["mailchimp"], "members", settings, Interval.for_day(DAY), tmp_path)
    lookback_start = datetime(2026, 11, 2, tzinfo=UTC) - SOURCES["mailchimp"].lookback
    changed_recently = sum(
        timefmt.parse_any(m["last_changed"]) >= lookback_start for m in world.mailchimp_members
    )
    assert first.rows == len(world.mailchimp_members)
    assert later.rows == changed_recently < first.rows  # only the lookback window is re-read
    wider = ConnectionSettings(
        settings.base_url, settings.login, settings.password, {**UNPACED, "lookback_days": 1000}
    )
    (widened,) = extract(
        SOURCES["mailchimp"], "members", wider, Interval.for_day(date(2026, 11, 2)), tmp_path
    )
    assert widened.rows == first.rows  # the lookback is configurable per connection
    assert again.rows == first.rows  # re-running the earliest day syncs the history again


def test_wrong_credentials_fail_fast_with_a_clear_message(
    sandbox: SandboxServer, events_dir: Path, tmp_path: Path
) -> None:
    from connectors.errors import FatalApiError

    settings = settings_for("shopify", sandbox, events_dir, password="not-the-token-123")
    with pytest.raises(FatalApiError) as caught:
        extract(SOURCES["shopify"], "orders", settings, Interval.for_day(DAY), tmp_path)
    message = str(caught.value)
    assert "shopify" in message and "401" in message and "2026-11-01" in message
    assert "not-the-token-123" not in message
    assert not partition_dir(tmp_path, "shopify", "orders", DAY.isoformat()).exists()


def test_malformed_event_lines_are_quarantined_and_the_rest_land(tmp_path: Path, events_dir: Path) -> None:
    import json

    folder = tmp_path / "events"
    folder.mkdir()
    good = (events_dir / f"{DAY.isoformat()}.jsonl").read_text().splitlines()
    bad = ['{"type": "page", "truncated', json.dumps({"type": "page", "messageId": "m1"}), "[1, 2]"]
    (folder / f"{DAY.isoformat()}.jsonl").write_text("\n".join(good[:5] + bad + good[5:]) + "\n")
    (manifest,) = extract(
        SOURCES["web"], "events", ConnectionSettings(str(folder)), Interval.for_day(DAY), tmp_path
    )
    assert manifest.rows == len(good)
    assert manifest.quarantined == 3
    quarantined = [
        json.loads(line)
        for line in (tmp_path / "_quarantine" / "web" / "events" / f"ds={DAY}" / "records.jsonl")
        .read_text()
        .splitlines()
    ]
    reasons = sorted(q["reason"] for q in quarantined)
    assert reasons[0] == "event is not a JSON object"
    assert reasons[1].startswith("invalid JSON")
    assert "missing required field 'anonymous_id'" in reasons[2]
    assert all(q["position"].endswith((":6", ":7", ":8")) for q in quarantined)
