"""A parent listing (Mailchimp's campaigns, Facebook's posts) is requested once per extracted interval,
however many of the source's streams read it, counted at the sandbox over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from connectors.landing import Manifest
from connectors.ranges import land_windows, plan_range
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings
from sandbox.generator import World
from sandbox.server import SandboxServer
from tests.connectors.test_sandbox_extraction import DAY, expected_rows, settings_for

# each listing's route in the sandbox (one page holds it), and the routes of the streams that read it
PARENTS = {
    "mailchimp": (
        "mailchimp_campaigns",
        ("mailchimp_sent_to", "mailchimp_activity", "mailchimp_unsubscribed"),
    ),
    "facebook": ("facebook_posts", ("facebook_comments", "facebook_insights")),
}


def requests_to(sandbox: SandboxServer, route: str) -> int:
    return len(sandbox.faults.requests[route])


def land_range(source: str, connection: ConnectionSettings, days: list[date], root: Path) -> list[Manifest]:
    plan = plan_range(SOURCES[source], connection, days, root)
    return land_windows(SOURCES[source], connection, plan.windows, root)


@pytest.mark.parametrize("source", list(PARENTS))
def test_a_parent_is_listed_once_per_interval(
    source: str, world: World, sandbox: SandboxServer, events_dir: Path, tmp_path: Path
) -> None:
    parent, children = PARENTS[source]
    before = {route: requests_to(sandbox, route) for route in (parent, *children)}
    manifests = land_range(source, settings_for(source, sandbox, events_dir), [DAY], tmp_path)
    assert requests_to(sandbox, parent) - before[parent] == 1
    assert all(requests_to(sandbox, child) > before[child] for child in children)  # they did read it
    for manifest in manifests:
        assert manifest.rows == expected_rows(world, source, manifest.entity), manifest.entity


def test_each_window_of_a_range_lists_its_own_parents(
    sandbox: SandboxServer, events_dir: Path, tmp_path: Path
) -> None:
    days = [DAY + timedelta(days=i) for i in range(3)]
    for source, (parent, _) in PARENTS.items():
        connection = settings_for(source, sandbox, events_dir)
        before = requests_to(sandbox, parent)
        land_range(source, replace(connection, extra={**connection.extra, "window_days": 1}), days, tmp_path)
        assert requests_to(sandbox, parent) - before == len(days), source
