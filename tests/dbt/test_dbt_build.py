"""dbt build (models, contracts, data tests and unit tests) on landing data from the sandbox, no Airflow."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests import expected
from tests.expected import markov_removal_weights
from tests.pipeline_home import land_day, point_pipeline_at
from touchpoints.config import Paths
from touchpoints.dbt_runner import DbtFailed, run_dbt
from touchpoints.pipeline import build_warehouse

FCT_TOUCHPOINTS_CONTRACT = [
    "touchpoint_id", "occurred_at", "occurred_date", "customer_id", "source_system", "channel",
    "touchpoint_type", "journey_stage", "is_customer_initiated", "source_object_type", "source_object_id",
    "revenue", "rating", "marketing_channel", "campaign", "landing_page",
]  # fmt: skip


@pytest.fixture(scope="module")
def built(sandbox, events_dir, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    from _pytest.monkeypatch import MonkeyPatch

    patch = MonkeyPatch()
    paths = point_pipeline_at(patch, tmp_path_factory.mktemp("dbt-home"), sandbox, events_dir)
    for day in (date(2026, 11, 1), date(2026, 11, 2)):
        land_day(paths, day)
    outcome = run_dbt(paths, "build")
    assert outcome.success and outcome.passed > 50
    yield paths
    patch.undo()


def test_contract_columns_of_fct_touchpoints(built: Paths) -> None:
    with duckdb.connect(str(built.build_warehouse), read_only=True) as db:
        columns = [row[0] for row in db.sql("describe marts.fct_touchpoints").fetchall()]
    assert columns == FCT_TOUCHPOINTS_CONTRACT


def test_every_row_is_counted_once_across_two_landed_days(built: Paths, world) -> None:
    """State entities land again on day 2 (lookbacks): staging keeps one newest version per key."""
    with duckdb.connect(str(built.build_warehouse), read_only=True) as db:
        tickets = db.sql(
            "select count(*), count(distinct ticket_id) from staging.stg_zendesk__tickets"
        ).fetchall()
        orders = db.sql("select count(*) from staging.stg_shopify__orders").fetchall()
    assert tickets == [(len(world.zendesk_tickets), len(world.zendesk_tickets))]
    assert orders == [(len(world.shopify_orders),)]


def test_sessions_by_marketing_channel_and_content_views_match_the_world(built: Paths, world) -> None:
    """The grouping in SQL against its independent Python twin (tests/expected.py), on every session."""
    with duckdb.connect(str(built.build_warehouse), read_only=True) as db:
        sessions = db.sql(
            "select marketing_channel, campaign, count(*) from marts.fct_touchpoints"
            " where touchpoint_type = 'session_started' group by all"
        ).fetchall()
        [(content_views,)] = db.sql(
            "select count(*) from marts.fct_touchpoints where touchpoint_type = 'content_view'"
        ).fetchall()
    want = expected.sessions_by_marketing_channel(world)
    assert {(channel, campaign): n for channel, campaign, n in sessions} == want
    assert {"direct", "organic_search", "paid_search", "paid_social", "email"} <= {c for c, _ in want}
    assert content_views == expected.content_views(world) > 0


def test_ad_campaign_days_match_the_world(built: Paths, world) -> None:
    """Spend, delivery, CTR, CPC and the visits of each campaign's clicks against tests/expected.py; the
    credits of those visits are what fct_attribution gives their sessions, and some campaign earns some."""
    with duckdb.connect(str(built.build_warehouse), read_only=True) as db:
        rows = db.sql(
            "select ad_date, campaign_id, spend, impressions, clicks, link_clicks, sessions,"
            " click_through_rate, cost_per_click, last_touch_orders, markov_removal_revenue from marts.kpi_ad_campaigns"
        ).fetchall()
        [(session_credit,)] = db.sql(
            "select sum(credit) from marts.fct_attribution where model = 'linear' and marketing_channel = 'paid_social'"
        ).fetchall()
    want = expected.ad_campaign_days(world)
    got = {(day, campaign): dict(zip(("spend", "impressions", "clicks", "link_clicks", "sessions"), values, strict=True))
           for day, campaign, *values, _, _, _, _ in rows}  # fmt: skip
    assert got == want and sum(day["sessions"] for day in want.values()) > 0
    for _, _, spend, impressions, clicks, _, _, ctr, cpc, _, _ in rows:
        assert ctr == pytest.approx(clicks / impressions) and cpc == pytest.approx(float(spend) / clicks)
    assert sum(row[9] for row in rows) > 0 and sum(row[10] for row in rows) > 0
    assert session_credit > 0


def test_email_campaigns_earn_the_credit_of_the_visits_their_emails_brought(built: Paths) -> None:
    """Every e-mail visit of the sandbox carries its campaign's slug: the campaigns' last-touch credits, of
    their e-mails and of those visits, add up to the e-mail channel's in kpi_marketing_channel_attribution."""
    with duckdb.connect(str(built.build_warehouse), read_only=True) as db:
        [(emails, visits)] = db.sql(
            "select sum(attributed_orders), sum(visit_attributed_orders) from marts.kpi_email_campaigns"
        ).fetchall()
        [(channel,)] = db.sql(
            "select sum(attributed_orders) from marts.kpi_marketing_channel_attribution"
            " where marketing_channel = 'email' and model = 'last_touch'"
        ).fetchall()
    assert visits > 0 and emails + visits == pytest.approx(channel)


def test_web_events_landed_before_the_page_columns_still_build(
    built: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Partitions landed before the connector had context.page and context.campaign read them as NULL."""
    shutil.copytree(built.landing, tmp_path / "landing")
    new_columns = ["page_path", "page_url", "page_title", "referrer"] + [
        f"campaign_{field}" for field in ("source", "medium", "name", "term", "content")
    ]
    for part in (tmp_path / "landing" / "web" / "events").glob("ds=*/*.parquet"):
        pq.write_table(pq.read_table(part).drop_columns(new_columns), part)
    monkeypatch.setenv("TOUCHPOINTS_HOME", str(tmp_path))
    monkeypatch.setenv("TOUCHPOINTS_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.delenv("TOUCHPOINTS_LANDING_DIR", raising=False)
    monkeypatch.delenv("TOUCHPOINTS_BUILD_DUCKDB_PATH", raising=False)
    paths = Paths.from_env()
    run_dbt(paths, "run", "--select", "+int_web_sessions")
    with duckdb.connect(str(paths.build_warehouse), read_only=True) as db:
        [(events, with_page)] = db.sql(
            "select count(*), count(page_path) from staging.stg_web__events"
        ).fetchall()
        channels = db.sql("select distinct marketing_channel from intermediate.int_web_sessions").fetchall()
    assert events > 0 and with_page == 0
    assert channels == [("direct",)]


def test_markov_weights_are_those_of_the_chain_solved_exactly(built: Paths) -> None:
    """The SQL chain (2^30 steps by repeated squaring) against its linear system solved in fractions."""
    with duckdb.connect(str(built.build_warehouse), read_only=True) as db:
        steps = db.sql(
            "select journey_id, marketing_channel, converted from intermediate.int_markov_journeys order by journey_id, step"
        ).fetchall()
        weights = dict(
            db.sql("select marketing_channel, weight from intermediate.int_markov_removal_effects").fetchall()
        )
    journeys: dict[str, tuple[list[str], bool]] = {}
    for journey, channel, converted in steps:
        journeys.setdefault(journey, ([], converted))[0].append(channel)
    assert {converted for _, converted in journeys.values()} == {True, False}
    want = markov_removal_weights(list(journeys.values()))
    assert weights.keys() == want.keys()
    assert all(abs(weights[channel] - float(want[channel])) < 1e-12 for channel in want), (weights, want)


def test_a_failing_build_names_what_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINTS_HOME", str(tmp_path))
    monkeypatch.setenv("TOUCHPOINTS_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    (tmp_path / "landing").mkdir()
    with pytest.raises(DbtFailed) as caught:
        run_dbt(Paths.from_env(), "build", "--select", "stg_shopify__orders")
    assert "stg_shopify__orders" in str(caught.value)


def _node_types(run_results: Path) -> set[str]:
    return {result["unique_id"].split(".")[0] for result in json.loads(run_results.read_text())["results"]}


def test_the_nightly_build_runs_data_tests_but_leaves_unit_tests_to_ci(built: Paths) -> None:
    """The full build (the fixture) runs dbt's unit tests; the pipeline's nightly build does not."""
    run_dbt(built, "test", "--select", "test_type:unit")
    assert _node_types(built.dbt_target / "run_results.json") - {"operation"} == {"unit_test"}  # hooks

    build_warehouse()
    nightly = _node_types(built.dbt_target / "run_results.json")
    assert {"model", "test"} <= nightly and "unit_test" not in nightly
