"""Ranges of days against the sandbox: a range lands what one nightly extraction per day lands, in a few
passes through each API; it resumes after a kill -9 without fetching the days that landed; windows run
concurrently within the vendor's bound, paced by its rate limits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.landing import DATA_FILE, MANIFEST_FILE, is_landed, partition_dir
from connectors.pacing import Pacer, RateLimit
from connectors.ranges import _runs_of_days, land_windows, plan_range
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
from sandbox.ads import AD_ACCOUNT_ID
from sandbox.event_files import write_event_files
from sandbox.faults import Fault
from sandbox.generator import BUSINESS_UNIT_ID, PAGE_ID, SandboxConfig, World, generate
from sandbox.server import SANDBOX_SECRET, SandboxServer
from sandbox.throttling import UNLIMITED
from touchpoints.config import REPO_ROOT

SIX_DAYS = SandboxConfig(seed=21, customers=60, start=date(2026, 10, 5), end=date(2026, 10, 11))
DAYS = [SIX_DAYS.start + timedelta(days=i) for i in range(6)]
# Entities whose nightly extraction reads exactly its day: a range must land the very same partitions.
READ_BY_DAY = {
    ("mailchimp", "campaigns"), ("mailchimp", "sent_to"), ("mailchimp", "email_activity"),
    ("mailchimp", "unsubscribes"), ("facebook", "comments"), ("zendesk", "ticket_comments"), ("web", "events"),
}  # fmt: skip
STATE_ROUTES = ("zendesk_tickets", "zendesk_users", "shopify_orders", "mailchimp_members")


@pytest.fixture(scope="module")
def six_days() -> World:
    return generate(SIX_DAYS)


@pytest.fixture
def server(six_days: World) -> Iterator[SandboxServer]:
    server = SandboxServer(
        six_days, max_page_size=7, limits=UNLIMITED
    )  # small pages: a range pages through many
    server.start_in_thread()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def events(six_days: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("six_days_events")
    write_event_files(six_days, folder)
    return folder


def settings(server: SandboxServer, events: Path, source: str, **extra: object) -> ConnectionSettings:
    if source == "web":
        return ConnectionSettings(str(events), extra=dict(extra))
    ids = {"page_id": PAGE_ID, "business_unit_id": BUSINESS_UNIT_ID, "ad_account_id": AD_ACCOUNT_ID}
    return ConnectionSettings(server.url, "someone", SANDBOX_SECRET, {"pace": False, **ids, **extra})


def land(server: SandboxServer, events: Path, root: Path, sources=SOURCES, refetch=False, **extra: object):
    """Land DAYS as a range for each source; the plans, by source."""
    plans = {}
    for name in sources:
        connection = settings(server, events, name, **extra)
        plans[name] = plan_range(SOURCES[name], connection, DAYS, root, refetch=refetch)
        land_windows(SOURCES[name], connection, plans[name].windows, root)
    return plans


def rows_by_day(root: Path, source: str, entity: str) -> dict[date, list[dict]]:
    return {
        day: pq.read_table(partition_dir(root, source, entity, day.isoformat()) / DATA_FILE).to_pylist()
        for day in DAYS
    }


def newest_by_key(root: Path, source: str, entity: str) -> dict[tuple, dict]:
    """What staging keeps: the newest landed version of each key (later partitions win)."""
    stream = SOURCES[source].stream(entity)
    key = [k for k in stream.primary_key if k != "as_of"]  # insights: one snapshot a load, newest wins
    newest = {}
    for rows in rows_by_day(root, source, entity).values():
        for row in rows:
            newest[tuple(row[k] for k in key)] = {k: v for k, v in row.items() if k != "as_of"}
    return newest


def test_a_range_lands_what_one_nightly_extraction_per_day_lands(
    server: SandboxServer, events: Path, tmp_path: Path
) -> None:
    nightly_requests, first_night = 0, {}
    for day in DAYS:
        for source in SOURCES.values():
            for entity in source.entities:
                connection = settings(server, events, source.name)
                extract(source, entity, connection, Interval.for_day(day), tmp_path / "nightly")
        if day == DAYS[0]:
            first_night = {route: len(server.faults.requests[route]) for route in STATE_ROUTES}
        nightly_requests += sum(len(times) for times in server.faults.requests.values())
        server.faults.clear()

    plans = land(server, events, tmp_path / "range", window_days=2)
    assert sum(len(plan.windows) for plan in plans.values()) < 3 * sum(
        len(s.entities) for s in SOURCES.values()
    )
    for source in SOURCES.values():
        for entity in source.entities:
            nightly, ranged = tmp_path / "nightly", tmp_path / "range"
            assert newest_by_key(ranged, source.name, entity) == newest_by_key(
                nightly, source.name, entity
            ), entity
            if (source.name, entity) in READ_BY_DAY:
                assert rows_by_day(ranged, source.name, entity) == rows_by_day(
                    nightly, source.name, entity
                ), entity
    # a state export is one pass through its pages for the whole range, as it is on its first night
    for route in STATE_ROUTES:
        assert len(server.faults.requests[route]) == first_night[route], route
    assert sum(len(times) for times in server.faults.requests.values()) < nightly_requests


def test_windows_and_the_full_history_sync() -> None:
    days = [date(2026, 1, d) for d in (1, 2, 3, 5, 6, 7, 8, 9)]
    assert _runs_of_days(days, 3) == [
        (date(2026, 1, 1), date(2026, 1, 3)), (date(2026, 1, 5), date(2026, 1, 7)), (date(2026, 1, 8), date(2026, 1, 9)),
    ]  # fmt: skip
    assert _runs_of_days(days, None) == [
        (date(2026, 1, 1), date(2026, 1, 3)),
        (date(2026, 1, 5), date(2026, 1, 9)),
    ]


def test_a_finished_range_lands_nothing_again_unless_refetched(
    server: SandboxServer, events: Path, tmp_path: Path
) -> None:
    land(server, events, tmp_path, sources=["zendesk", "shopify"])
    manifests = sorted(tmp_path.glob(f"*/*/ds=*/{MANIFEST_FILE}"))
    before = {path: path.read_text() for path in manifests}
    server.faults.clear()

    again = land(server, events, tmp_path, sources=["zendesk", "shopify"])
    assert all(plan.windows == [] for plan in again.values())
    assert again["zendesk"].already_landed["tickets"] == [d.isoformat() for d in DAYS]
    assert sum(len(times) for times in server.faults.requests.values()) == 0
    assert {path: path.read_text() for path in manifests} == before

    refetched = land(server, events, tmp_path, sources=["shopify"], refetch=True)
    assert [(w.first, w.last, w.full_history) for w in refetched["shopify"].windows] == [
        (DAYS[0], DAYS[-1], True)
    ]
    assert server.faults.requests["shopify_orders"]


CHILD = """
import sys
from datetime import date, timedelta
from pathlib import Path
from connectors.ranges import land_windows, plan_range
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings
settings = ConnectionSettings(sys.argv[1], "someone", sys.argv[2],
                              {"pace": False, "window_days": 1, "max_concurrency": 1, "retries": 0,
                               "business_unit_id": sys.argv[4]})
days = [date(2026, 10, 5) + timedelta(days=i) for i in range(6)]
plan = plan_range(SOURCES["trustpilot"], settings, days, Path(sys.argv[3]))
land_windows(SOURCES["trustpilot"], settings, plan.windows, Path(sys.argv[3]))
"""


def test_a_range_killed_part_way_resumes_without_fetching_the_days_that_landed(
    server: SandboxServer, events: Path, tmp_path: Path
) -> None:
    server.faults.inject("trustpilot_reviews", *[Fault.slow(0.4)] * 40)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, server.url, SANDBOX_SECRET, str(tmp_path), BUSINESS_UNIT_ID],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    while not is_landed(tmp_path, "trustpilot", "reviews", DAYS[1].isoformat()) and child.poll() is None:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    landed = [d.isoformat() for d in DAYS if is_landed(tmp_path, "trustpilot", "reviews", d.isoformat())]
    assert DAYS[1].isoformat() in landed and len(landed) < len(DAYS), "killed after some days, not all"
    kept = {
        ds: (partition_dir(tmp_path, "trustpilot", "reviews", ds) / DATA_FILE).stat().st_ino for ds in landed
    }

    server.faults.clear()
    (plan,) = land(server, events, tmp_path, sources=["trustpilot"], window_days=1).values()
    assert plan.already_landed["reviews"] == landed
    assert {w.first.isoformat() for w in plan.windows} == {d.isoformat() for d in DAYS} - set(landed)
    assert all(is_landed(tmp_path, "trustpilot", "reviews", d.isoformat()) for d in DAYS)
    for ds, inode in kept.items():
        assert (partition_dir(tmp_path, "trustpilot", "reviews", ds) / DATA_FILE).stat().st_ino == inode


def test_windows_run_concurrently_within_the_vendor_bound(
    server: SandboxServer, events: Path, tmp_path: Path
) -> None:
    server.faults.inject("mailchimp_sent_to", *[Fault.slow(0.2)] * 30)
    land(server, events, tmp_path, sources=["mailchimp"], window_days=1, max_concurrency=3)
    assert server.faults.most_in_flight["mailchimp"] == 3


def test_the_pacer_never_lets_more_requests_through_than_the_limit_allows() -> None:
    limit = RateLimit(3, 0.4, "requests_per_test")
    pacer = Pacer(limit)
    sent = []
    for _ in range(8):
        pacer.wait()
        sent.append(time.monotonic())
    for i, at in enumerate(sent):
        assert sum(at <= later < at + limit.seconds for later in sent[i:]) <= limit.requests
    assert sent[-1] - sent[0] >= 2 * limit.seconds  # eight requests need three windows
