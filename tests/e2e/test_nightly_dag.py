"""The whole nightly DAG, run by Airflow (dag.test) for two consecutive days against the sandbox."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from connectors.registry import SOURCES
from sandbox.generator import PAGE_ID, World
from sandbox.throttling import UNLIMITED
from tests import expected
from tests.receivers import webhook_receiver
from touchpoints.airflow_env import run_day
from touchpoints.config import Paths
from touchpoints.warehouse.duckdb import connect_read_only

pytestmark = pytest.mark.e2e

DAY_1, DAY_2 = date(2026, 11, 1), date(2026, 11, 2)


def test_touchpoint_counts_match_the_generated_world(two_nights: Path, world: World) -> None:
    with connect_read_only(two_nights) as db:
        counts = dict(
            db.sql("select touchpoint_type, count(*) from marts.fct_touchpoints group by 1").fetchall()
        )
    assert counts["session_started"] > 0
    want = expected.touchpoint_counts(world)
    for touchpoint_type, count in want.items():
        assert counts.get(touchpoint_type, 0) == count, touchpoint_type


def test_email_campaign_kpis(two_nights: Path, world: World) -> None:
    want = expected.email_campaigns(world)
    with connect_read_only(two_nights) as db:
        rows = db.sql("select * from marts.kpi_email_campaigns").df().set_index("campaign_id")
    assert set(rows.index) == set(want)
    for campaign_id, kpis in want.items():
        for name, value in kpis.items():
            assert rows.loc[campaign_id, name] == pytest.approx(value), (campaign_id, name)


def test_support_kpis(two_nights: Path, world: World) -> None:
    with connect_read_only(two_nights) as db:
        rows = db.sql("select * from marts.kpi_support_daily").df().set_index("created_date")
    assert_kpis(rows, expected.support_daily(world), key=lambda d: d.date())


def assert_kpis(rows, want: dict, key=lambda k: k) -> None:
    """Compare mart rows (indexed by their grain) with KPIs computed from the world; NULL is NaN here."""
    assert {key(k) for k in rows.index} == set(want)
    for grain, kpis in want.items():
        row = rows.loc[[k for k in rows.index if key(k) == grain][0]]
        for name, value in kpis.items():
            if value is None:
                assert row[name] != row[name], (grain, name)
            else:
                assert row[name] == pytest.approx(value), (grain, name)


def test_review_and_social_kpis(two_nights: Path, world: World) -> None:
    with connect_read_only(two_nights) as db:
        reviews = db.sql("select * from marts.kpi_reviews_daily").df().set_index("review_date")
        posts = db.sql("select * from marts.kpi_social_posts").df().set_index("post_id")
    assert_kpis(reviews, expected.reviews_daily(world), key=lambda d: d.date())
    assert_kpis(posts, expected.social_posts(world))


def test_identity_is_stitched_across_channels(two_nights: Path, world: World) -> None:
    with connect_read_only(two_nights) as db:
        orders = dict(
            db.sql(
                "select source_object_id, customer_id from marts.fct_touchpoints where touchpoint_type = 'order_placed'"
            ).fetchall()
        )
        tickets = dict(
            db.sql(
                "select source_object_id, customer_id from marts.fct_touchpoints where touchpoint_type = 'ticket_created'"
            ).fetchall()
        )
    for order in world.shopify_orders:
        assert orders[str(order["id"])] == expected.customer_key(order["email"])
    emails = {u["id"]: u["email"] for u in world.zendesk_users}
    for ticket in expected.live_tickets(world):
        assert tickets[str(ticket["id"])] == expected.customer_key(emails[ticket["requester_id"]])


def test_no_raw_email_reaches_a_mart(two_nights: Path) -> None:
    with connect_read_only(two_nights) as db:
        columns = db.sql(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type = 'VARCHAR'"
        ).fetchall()
        for table, column in columns:
            leaked = db.execute(
                f"select count(*) from marts.{table} where \"{column}\" like '%@%'"
            ).fetchall()[0][0]
            assert leaked == 0, (table, column)


def test_failed_validation_fails_the_run_and_keeps_the_published_warehouse(
    nightly_dag,
    world: World,
    events_dir: Path,
    pipeline_env: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A review with 9 stars lands (it is a valid integer) but fails the raw suite: nothing is published."""
    import copy

    from sandbox.connections import sandbox_environment
    from sandbox.server import SandboxServer

    assert run_day(nightly_dag, DAY_1) == "success"
    published = Paths.from_env().warehouse
    before = hashlib.sha256(published.read_bytes()).hexdigest()

    broken = copy.deepcopy(world)
    next(r for r in broken.trustpilot_reviews if r["createdAt"].startswith(DAY_2.isoformat()))["stars"] = 9
    server = SandboxServer(broken, limits=UNLIMITED)
    server.start_in_thread()
    try:
        with webhook_receiver() as (url, alerts):
            for key, value in sandbox_environment(server.url, events_dir).items():
                monkeypatch.setenv(key, value)
            monkeypatch.setenv("TOUCHPOINTS_ALERT_WEBHOOK_URL", url)
            assert run_day(nightly_dag, DAY_2) == "failed"
    finally:
        server.shutdown()
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    log = capfd.readouterr()
    assert "raw.trustpilot.reviews: FAILED expect_column_values_to_be_between on stars" in log.out + log.err
    assert len(alerts) == 1, "the DAG's on_failure_callback should alert once"
    assert alerts[0]["day"] == "2026-11-02" and "validate_landed" in alerts[0]["failed_tasks"]
    assert "touchpoints run --start 2026-11-02 --end 2026-11-02" in alerts[0]["text"]


def test_the_run_audit_records_every_load_and_validation(two_nights: Path, world: World) -> None:
    with connect_read_only(two_nights) as db:
        loads = db.execute(
            "select ds, count(*), bool_and(validated), sum(rows_landed) filter (where entity = 'orders') "
            "from audit.load_runs group by ds order by ds"
        ).fetchall()
        stages = db.execute(
            "select stage, count(*), bool_and(success) from audit.validation_results "
            "where ds = date '2026-11-02' group by stage order by stage"
        ).fetchall()
    entities = sum(len(source.entities) for source in SOURCES.values())
    assert [(d.isoformat(), n, ok) for d, n, ok, _ in loads] == [
        ("2026-11-01", entities, True),
        ("2026-11-02", entities, True),
    ]
    assert loads[0][3] == len(world.shopify_orders)  # the first day syncs every order
    assert stages[0][0] == "landed" and stages[0][1] == entities and stages[0][2]
    assert stages[1][0] == "marts" and stages[1][1] >= 12 and stages[1][2]


def test_the_docs_site_links_dbt_docs_and_data_docs(two_nights: Path) -> None:
    docs = two_nights.parents[1] / "docs"  # <home>/warehouse/touchpoints.duckdb -> <home>/docs
    index = (docs / "index.html").read_text()
    assert 'href="dbt/static_index.html"' in index and 'href="gx/index.html"' in index
    assert "fct_touchpoints" in (docs / "dbt" / "static_index.html").read_text()
    data_docs = (docs / "gx" / "index.html").read_text()
    assert "raw.shopify.orders" in data_docs and "mart.fct_touchpoints" in data_docs


def test_customers_are_the_people_outside_the_brand_with_a_touchpoint(two_nights: Path, world: World) -> None:
    """Not the agent who answers tickets, not the Facebook Page that replies under its posts, not the
    sender of a ticket deleted as spam: in dim_customers, customer_journeys and fct_touchpoints alike."""
    with connect_read_only(two_nights) as db:
        marts = {
            mart: {row[0] for row in db.sql(f"select distinct customer_id from marts.{mart}").fetchall()}
            for mart in ("dim_customers", "customer_journeys", "fct_touchpoints")
        }
        attributed = {row[0] for row in db.sql("select customer_id from marts.fct_attribution").fetchall()}
    want = expected.customers(world)
    assert marts["dim_customers"] == marts["customer_journeys"] == marts["fct_touchpoints"] == want
    assert attributed <= want
    staff = [u["email"] for u in world.zendesk_users if u["role"] in ("agent", "admin")]
    assert staff and not {expected.customer_key(email) for email in staff} & marts["dim_customers"]
    assert f"anon_facebook_{PAGE_ID}" not in marts["dim_customers"]
    assert expected.customer_key("offers@spam.example.net") not in marts["dim_customers"]


def test_revenue_credits_add_up_to_the_orders_and_the_channel_mart_to_its_rows(two_nights: Path) -> None:
    with connect_read_only(two_nights) as db:
        per_order = db.sql(
            """
            select credits.model, credits.revenue_credits, orders.revenue, credits.touches
            from (select order_id, model, sum(revenue_credit) as revenue_credits, count(*) as touches
                  from marts.fct_attribution group by 1, 2) as credits
            inner join (select source_object_id as order_id, revenue from marts.fct_touchpoints
                        where touchpoint_type = 'order_placed') as orders using (order_id)
            """
        ).fetchall()
        channels = db.sql(
            """
            select channels.attributed_revenue, rows.revenue_credits
            from marts.kpi_channel_attribution as channels
            inner join (select cast(ordered_at as date) as order_date, channel, model,
                               sum(revenue_credit) as revenue_credits
                        from marts.fct_attribution group by 1, 2, 3) as rows using (order_date, channel, model)
            """
        ).fetchall()
    uneven = [row for row in per_order if row[0] == "linear" and round(float(row[2]) * 100) % row[3]]
    assert uneven, "the test needs orders whose linear split does not divide into whole cents"
    for model, credits, revenue, _ in per_order:
        assert credits == pytest.approx(float(revenue), abs=1e-9), model
    assert channels and all(mart == pytest.approx(rows, abs=1e-9) for mart, rows in channels)


def test_days_to_first_order_are_whole_calendar_days(two_nights: Path) -> None:
    with connect_read_only(two_nights) as db:
        rows = db.sql(
            "select days_to_first_order, cast(first_order_at as date) - cast(first_touch_at as date), "
            "typeof(days_to_first_order) from marts.customer_journeys where first_order_at is not null"
        ).fetchall()
    assert rows and all(days == whole for days, whole, _ in rows)
    assert {kind for _, _, kind in rows} == {"BIGINT"}
