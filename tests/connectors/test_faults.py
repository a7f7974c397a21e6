"""Connectors against a misbehaving sandbox: throttling, 5xx, dropped connections, slow answers,
expired tokens, repeated and malformed records, and a run killed half-way then retried."""

from __future__ import annotations

import copy
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.errors import FatalApiError, RetriesExhaustedError
from connectors.landing import DATA_FILE, partition_dir
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
from sandbox.faults import Fault
from sandbox.generator import BUSINESS_UNIT_ID, PAGE_ID, World
from sandbox.server import SANDBOX_SECRET, SandboxServer
from sandbox.throttling import UNLIMITED
from tests.connectors.test_sandbox_extraction import expected_rows
from touchpoints.config import REPO_ROOT

DAY = Interval.for_day(date(2026, 11, 1))
FAST_RETRIES = {"retries": 3, "backoff_factor": 0.01, "timeout_seconds": 5, "pace": False}


@pytest.fixture
def server(world: World) -> Iterator[SandboxServer]:
    """A sandbox of its own per test, so that queued faults never leak into another test."""
    server = SandboxServer(world, max_page_size=20, limits=UNLIMITED)
    server.start_in_thread()
    yield server
    server.shutdown()


def settings(server: SandboxServer, **extra: object) -> ConnectionSettings:
    return ConnectionSettings(
        server.url,
        "someone",
        SANDBOX_SECRET,
        {**FAST_RETRIES, "page_id": PAGE_ID, "business_unit_id": BUSINESS_UNIT_ID, **extra},
    )


def land(server: SandboxServer, source: str, entity: str, root: Path, **extra: object):
    (manifest,) = extract(SOURCES[source], entity, settings(server, **extra), DAY, root)
    return manifest


def test_throttling_waits_as_long_as_retry_after_says(
    server: SandboxServer, world: World, tmp_path: Path
) -> None:
    server.faults.inject("shopify_orders", Fault.throttle(retry_after=1), Fault.throttle(retry_after=1))
    manifest = land(server, "shopify", "orders", tmp_path)
    assert manifest.rows == expected_rows(world, "shopify", "orders")
    sent = server.faults.requests["shopify_orders"]
    assert len(sent) >= 3
    assert sent[1] - sent[0] >= 1.0 and sent[2] - sent[1] >= 1.0


def test_server_errors_and_dropped_connections_are_retried(
    server: SandboxServer, world: World, tmp_path: Path
) -> None:
    server.faults.inject("mailchimp_sent_to", Fault.error(500), Fault.reset(), Fault.error(503))
    manifest = land(server, "mailchimp", "sent_to", tmp_path)
    assert manifest.rows == expected_rows(world, "mailchimp", "sent_to")
    assert manifest.quarantined == 0


def test_facebook_throttling_in_a_400_body_is_retried(
    server: SandboxServer, world: World, tmp_path: Path
) -> None:
    server.faults.inject("facebook_posts", Fault.throttle(), Fault.throttle())
    manifest = land(server, "facebook", "posts", tmp_path)
    assert manifest.rows == expected_rows(world, "facebook", "posts")
    assert len(server.faults.requests["facebook_posts"]) == 3


def test_a_slow_answer_times_out_and_is_retried(server: SandboxServer, world: World, tmp_path: Path) -> None:
    server.faults.inject("trustpilot_reviews", Fault.slow(2.5))
    manifest = land(server, "trustpilot", "reviews", tmp_path, timeout_seconds=0.5)
    assert manifest.rows == expected_rows(world, "trustpilot", "reviews")
    assert len(server.faults.requests["trustpilot_reviews"]) >= 2


def test_when_retries_run_out_the_error_names_source_endpoint_status_and_interval(
    server: SandboxServer, tmp_path: Path
) -> None:
    server.faults.inject("zendesk_users", *[Fault.error(503)] * 10)
    with pytest.raises(RetriesExhaustedError) as caught:
        land(server, "zendesk", "users", tmp_path)
    message = str(caught.value)
    assert message.startswith("zendesk: GET ") and "/api/v2/incremental/users/cursor.json" in message
    assert "status 503" in message and "2026-11-01T00:00:00+00:00" in message
    assert not partition_dir(tmp_path, "zendesk", "users", "2026-11-01").exists()


def test_an_expired_token_is_fatal_and_not_retried(server: SandboxServer, tmp_path: Path) -> None:
    server.faults.inject("zendesk_tickets", Fault.expired_token())
    with pytest.raises(FatalApiError, match="status 401"):
        land(server, "zendesk", "tickets", tmp_path)
    assert len(server.faults.requests["zendesk_tickets"]) == 1


def test_secrets_never_reach_logs_or_errors(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "shpat_0123456789abcdef"
    server = SandboxServer(world, secret=secret, limits=UNLIMITED)
    server.start_in_thread()
    try:
        server.faults.inject("shopify_orders", *[Fault.error(500)] * 10)
        caplog.set_level(logging.DEBUG)
        extra = {**FAST_RETRIES, "retries": 1}
        with pytest.raises(RetriesExhaustedError) as caught:
            extract(
                SOURCES["shopify"],
                "orders",
                ConnectionSettings(server.url, None, secret, extra),
                DAY,
                tmp_path,
            )
    finally:
        server.shutdown()
    assert caplog.records, "the retries should have been logged"
    assert secret not in caplog.text and secret not in str(caught.value) and secret not in repr(caught.value)


def test_repeated_records_are_dropped_and_malformed_ones_quarantined(world: World, tmp_path: Path) -> None:
    import json

    broken = copy.deepcopy(world)
    broken.zendesk_tickets.insert(4, copy.deepcopy(broken.zendesk_tickets[1]))  # repeated on a later page
    broken.zendesk_tickets[2]["status"] = "deleted"
    broken.shopify_orders[3]["total_price"] = "twelve"
    del broken.shopify_orders[7]["id"]
    server = SandboxServer(broken, max_page_size=3, limits=UNLIMITED)
    server.start_in_thread()
    try:
        tickets = land(server, "zendesk", "tickets", tmp_path)
        orders = land(server, "shopify", "orders", tmp_path)
    finally:
        server.shutdown()
    assert tickets.duplicates_dropped == 1 and tickets.rows == len(world.zendesk_tickets)
    landed_tickets = pq.read_table(partition_dir(tmp_path, "zendesk", "tickets", "2026-11-01") / DATA_FILE)
    deleted = sum(t["status"] == "deleted" for t in broken.zendesk_tickets)
    assert landed_tickets["status"].to_pylist().count("deleted") == deleted == 2  # marked, not lost
    assert orders.quarantined == 2 and orders.rows == len(world.shopify_orders) - 2
    quarantine = tmp_path / "_quarantine" / "shopify" / "orders" / "ds=2026-11-01" / "records.jsonl"
    reasons = sorted(json.loads(line)["reason"] for line in quarantine.read_text().splitlines())
    assert reasons == [
        "field 'total_price': decimal expected, got 'twelve'",
        "missing required field 'order_id'",
    ]


CHILD = """
import sys
from datetime import date
from pathlib import Path
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings, Interval
from connectors.streams import extract
settings = ConnectionSettings(sys.argv[1], "someone", sys.argv[2], {"retries": 0, "timeout_seconds": 30})
extract(SOURCES["mailchimp"], "sent_to", settings, Interval.for_day(date(2026, 11, 1)), Path(sys.argv[3]))
"""


def test_a_run_killed_half_way_then_retried_lands_exactly_once(
    server: SandboxServer, world: World, tmp_path: Path
) -> None:
    server.faults.inject("mailchimp_sent_to", *[Fault.slow(0.3)] * 50)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, server.url, SANDBOX_SECRET, str(tmp_path)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )  # fmt: skip
    folder = partition_dir(tmp_path, "mailchimp", "sent_to", "2026-11-01")
    deadline = time.monotonic() + 60
    while len(server.faults.requests["mailchimp_sent_to"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert list(folder.parent.glob(".tmp-*")), "the killed run should have left a temporary partition"
    assert not folder.exists()

    server.faults.clear()
    retried = land(server, "mailchimp", "sent_to", tmp_path)
    table = pq.read_table(folder / DATA_FILE)
    assert retried.rows == table.num_rows == expected_rows(world, "mailchimp", "sent_to")
    assert table.num_rows == len(
        set(zip(table["campaign_id"].to_pylist(), table["email_id"].to_pylist(), strict=True))
    )
    assert [p.name for p in folder.parent.iterdir()] == ["ds=2026-11-01"]


def test_switchable_duplicate_and_malformed_pages(
    server: SandboxServer, world: World, tmp_path: Path
) -> None:
    """Per-endpoint data faults: a page repeating the previous page's last record, a malformed record."""
    server.faults.inject("zendesk_users", None, Fault.duplicate(), Fault.malformed())
    users = land(server, "zendesk", "users", tmp_path)
    assert users.duplicates_dropped == 1
    assert users.quarantined == 1
    assert users.rows == len(world.zendesk_users) - 1  # the malformed record replaced a real one
