"""The KPI report in a real browser (headless Chromium through Playwright), served on 127.0.0.1.

At desktop (1280 px) and phone (390 px) width: no console errors, no request off the site, no horizontal
scrolling, every chart drawn and its table filled, hover shows values, and every headline card, for the
default period, another period and a segment cut, reads the value of its ``kpi_headlines`` row, formatted
as the report formats it. Screenshots are test artefacts: in the test's ``tmp_path`` and copied to
``var/test-artefacts/kpi-report/`` of the repository (git-ignored).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from touchpoints.cli import serve_docs
from touchpoints.config import REPO_ROOT, Paths
from touchpoints.presentation.kpi_report import HEADLINE_KPIS, PLOTLY_JS, build_report

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.e2e

ARTEFACTS = REPO_ROOT / "var" / "test-artefacts" / "kpi-report"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
LOWER_IS_BETTER = {"bounce_rate", "unsubscribe_rate", "negative_share", "median_first_reply_minutes"}
SEGMENTS = ("lifecycle_stage", "first_channel", "country_code")
CHARTS = ("funnel", "paths", "touchpoints", "orders", "attribution")
CARDS = """els => els.map(e => ({channel: e.dataset.channel, kpi: e.dataset.kpi, current: e.dataset.current,
    verdict: e.dataset.verdict, value: e.querySelector('.value').textContent,
    change: e.querySelector('.change').textContent}))"""


def _fixed(value: Decimal, places: int) -> str:
    """Like Intl.NumberFormat("en-US") with ``places`` fraction digits (ties away from zero)."""
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


def formatted(kpi: str, value: float | None) -> str:
    """A headline value as the page shows it."""
    if value is None:
        return "–"
    exact = Decimal(value)
    if kpi == "revenue":
        return "$" + _fixed(exact, 2)
    if re.search(r"_rate$|_share$", kpi) or kpi == "csat_score":
        return _fixed(exact * 100, 1) + "%"
    if kpi == "avg_rating":
        return _fixed(exact, 1) + " / 5"
    if kpi.endswith("_minutes"):
        return _fixed(exact, 1) + " min"
    if kpi.endswith("_seconds"):
        return _fixed(exact, 0) + " s"
    return _fixed(exact, 0)


def verdict(kpi: str, previous: float | None, change: float | None) -> str:
    if previous is None or not change:
        return "neutral"
    return "good" if (change < 0) == (kpi in LOWER_IS_BETTER) else "bad"


def headline_rows(warehouse: Path, cut: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The ``kpi_headlines`` rows of a cut, by (channel, KPI)."""
    with duckdb.connect(str(warehouse), read_only=True) as db:
        frame = db.execute(
            """select channel, kpi_name, current_value, previous_value, absolute_change from marts.kpi_headlines
               where period = ? and lifecycle_stage = ? and first_channel = ? and country_code = ?""",
            [cut["period"], cut["lifecycle_stage"], cut["first_channel"], cut["country_code"]],
        ).df()
    frame = frame.astype(object).where(frame.notna(), None)
    return {(r["channel"], r["kpi_name"]): r for r in frame.to_dict("records")}


@dataclass
class Browser:
    """One page of headless Chromium, recording requests, console errors and page errors."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def cut(self, **choices: str) -> dict[str, str]:
        for name, value in choices.items():
            self.page.select_option(f"#{name}", value)
        return self.page.evaluate(
            "() => Object.fromEntries([...document.querySelectorAll('form.filters select')].map(s => [s.id, s.value]))"
        )


@pytest.fixture(scope="module")
def site(two_nights: Path) -> Iterator[str]:
    """The docs site of the two nights, served on 127.0.0.1; yields the report's URL."""
    server = serve_docs(two_nights.parents[1] / "docs", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/report/index.html"
    server.shutdown()


@pytest.fixture
def chromium() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        yield browser
        browser.close()


def open_report(chromium: Any, url: str, width: int, height: int) -> Browser:
    page = chromium.new_page(viewport={"width": width, "height": height})
    seen = Browser(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and seen.errors.append(message.text))
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector(".kpi")
    return seen


def check_headlines(browser: Browser, warehouse: Path, cut: dict[str, str]) -> int:
    """Every card of the cut against its mart row; returns how many there are."""
    rows = headline_rows(warehouse, cut)
    assert rows, cut
    assert {kpi for channel, kpi in rows} <= {kpi for kpis in HEADLINE_KPIS.values() for kpi in kpis}
    cards = browser.page.eval_on_selector_all("#headlines .kpi", CARDS)
    assert {(c["channel"], c["kpi"]) for c in cards} == set(rows), cut
    for card in cards:
        row = rows[(card["channel"], card["kpi"])]
        kpi, current, previous = card["kpi"], row["current_value"], row["previous_value"]
        assert (float(card["current"]) if card["current"] else None) == current, card
        assert card["value"] == formatted(kpi, current), card
        assert card["verdict"] == verdict(kpi, previous, row["absolute_change"]), card
        if previous is None:
            assert card["change"] == "no comparable period", card
        else:
            assert card["change"].endswith(f" vs {formatted(kpi, previous)}"), card
    return len(cards)


OVERLAPPING_LABELS = """chart => {
  const boxes = (selector) => [...chart.querySelectorAll(selector)]
    .map((e) => [e.textContent, e.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const labels = boxes(".xtick text, .ytick text, .y2tick text, .g-xtitle text, .g-ytitle text, .g-y2title text");
  const others = [...labels, ...boxes(".legend .bg").map(([, r]) => ["the legend", r])];
  return labels.flatMap(([t, a], i) => others.slice(i + 1).filter(([, b]) => meet(a, b)).map(([u]) => `${t} / ${u}`));
}"""


def check_charts(browser: Browser) -> None:
    """Every chart drawn by Plotly with marks, none of its axis labels (ticks, titles) over another or
    over the legend, and its table filled."""
    page = browser.page
    for chart in CHARTS:
        assert page.locator(f"#chart-{chart} svg.main-svg").count() >= 1, chart
        assert page.locator(f"#chart-{chart} .point, #chart-{chart} .trace.scatter").count() > 0, chart
        assert page.eval_on_selector(f"#chart-{chart}", OVERLAPPING_LABELS) == [], chart
        assert page.locator(f"#table-{chart} tbody tr").count() > 0, chart
        assert page.locator(f"#table-{chart} caption").inner_text(), chart


def test_the_kpi_report_in_a_browser(two_nights: Path, site: str, chromium: Any, tmp_path: Path) -> None:
    assert (two_nights.parents[1] / "docs" / "report" / PLOTLY_JS).exists()  # beside the page, no CDN
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for name, (width, height) in WIDTHS.items():
        browser = open_report(chromium, site, width, height)
        cut = browser.cut()
        assert cut == {"period": "last_7_days", **dict.fromkeys(SEGMENTS, "(all)")}
        assert check_headlines(browser, two_nights, cut) >= 20
        check_charts(browser)
        browser.page.screenshot(path=shots / f"report-{name}.png", full_page=True)
        if name == "desktop":
            browser.page.locator("#chart-touchpoints").scroll_into_view_if_needed()
            box = browser.page.locator("#chart-touchpoints .point path").first.bounding_box()
            browser.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            hover = browser.page.locator("#chart-touchpoints .hoverlayer .hovertext").first
            hover.wait_for(state="attached")
            assert re.search(r"\d", hover.text_content())  # the hovered bar's value
        check_headlines(browser, two_nights, browser.cut(period="all_time"))
        cut = browser.cut(lifecycle_stage="customer")
        check_headlines(browser, two_nights, cut)
        check_charts(browser)
        browser.page.screenshot(path=shots / f"report-{name}-customers.png", full_page=True)
        assert browser.page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert not browser.errors, browser.errors
        off_site = [u for u in browser.requests if not u.startswith("http://127.0.0.1:")]
        assert browser.requests and not off_site, off_site
        browser.page.close()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for shot in shots.iterdir():
        shutil.copyfile(shot, ARTEFACTS / shot.name)


def test_the_report_cuts_the_daily_and_attribution_charts_by_segment(
    two_nights: Path, site: str, chromium: Any
) -> None:
    browser = open_report(chromium, site, 1280, 900)
    browser.cut(period="all_time", lifecycle_stage="customer")
    orders = browser.page.eval_on_selector_all(
        "#table-orders tbody tr", "trs => trs.map(tr => tr.cells[1].textContent)"
    )
    with duckdb.connect(str(two_nights), read_only=True) as db:
        expected = db.sql(
            "select sum(orders) from marts.kpi_segments_daily where lifecycle_stage = 'customer'"
        ).fetchall()[0][0]
    assert sum(int(o.replace(",", "")) for o in orders) == expected
    assert expected and "lifecycle_stage=customer" in browser.page.url  # the cut's address, to share
    header = browser.page.eval_on_selector_all(
        "#table-attribution thead th", "ths => ths.map(th => th.textContent)"
    )
    linear = next(i for i, name in enumerate(header) if "linear" in name.lower())
    credited = browser.page.eval_on_selector_all(
        "#table-attribution tbody tr", f"trs => trs.map(tr => tr.cells[{linear}].textContent)"
    )
    with duckdb.connect(str(two_nights), read_only=True) as db:
        attributed = db.sql(
            "select sum(attributed_orders) from marts.kpi_attribution_segments"
            " where lifecycle_stage = 'customer' and model = 'linear'"
        ).fetchall()[0][0]
    shown = sum(float(c.replace(",", "")) for c in credited)
    assert attributed and abs(shown - attributed) <= 0.05 * len(credited)  # each cell rounded to 0.1


def test_the_report_command_rebuilds_the_page(two_nights: Path) -> None:
    from touchpoints.cli import main

    page = two_nights.parents[1] / "docs" / "report" / "index.html"
    page.unlink()
    main(["report"])
    assert 'id="report-data"' in page.read_text()
    assert Paths.from_env().warehouse == two_nights


def _synthetic(warehouse: Path) -> None:
    """A published warehouse with one cut of known headline numbers (a previous period for every KPI)."""
    with duckdb.connect(str(warehouse)) as db:
        db.execute("""
            create schema marts;
            create table marts.kpi_period_comparison as select date '2026-11-09' as week_start, 6 as days_compared;
            create table marts.kpi_headlines as select * from (values
                ('last_7_days', 7, '(all)', '(all)', '(all)', 'web', 'bounce_rate', 0.375, 0.4, -0.025, -0.0625),
                ('last_7_days', 7, '(all)', '(all)', '(all)', 'commerce', 'revenue', 12345.678, 10000.0, 2345.678, 0.2345678),
                ('last_7_days', 7, '(all)', '(all)', '(all)', 'commerce', 'orders', 1234.0, 1300.0, -66.0, -0.0507),
                ('last_7_days', 7, '(all)', '(all)', '(all)', 'support', 'median_first_reply_minutes', 42.25, 40.0, 2.25, 0.0563),
                ('last_7_days', 7, '(all)', '(all)', '(all)', 'review', 'avg_rating', 4.25, 4.25, 0.0, 0.0),
                ('all_time', 14, '(all)', '(all)', '(all)', 'web', 'bounce_rate', 0.5, null, null, null)
            ) as t(period, days_compared, lifecycle_stage, first_channel, country_code, channel, kpi_name,
                   current_value, previous_value, absolute_change, relative_change);
            create table marts.kpi_segments_daily as select date '2026-11-14' as occurred_date, 'web' as channel,
                'customer' as lifecycle_stage, 'web' as first_channel, 'US' as country_code, 3 as touchpoints,
                1 as orders, 10.5 as revenue;
            create table marts.kpi_conversion_paths as select date '2026-11-14' as first_touch_date,
                'web' as conversion_path, 'web' as first_channel, null as country_code, 'customer' as lifecycle_stage,
                1 as customers, 1 as buyers, 0 as repeat_buyers;
            create table marts.kpi_attribution_segments as select date '2026-11-14' as order_date, 'web' as channel,
                'linear' as model, 'customer' as lifecycle_stage, 'web' as first_channel, 'US' as country_code,
                1.0 as attributed_orders, 10.5 as attributed_revenue;
        """)


def test_the_report_formats_and_colours_each_kpi(tmp_path: Path, chromium: Any) -> None:
    warehouse = tmp_path / "touchpoints.duckdb"
    _synthetic(warehouse)
    paths = Paths(
        tmp_path, tmp_path, warehouse, warehouse, tmp_path, tmp_path, None, "duckdb", tmp_path, tmp_path
    )
    page = build_report(paths, tmp_path / "report" / "index.html")
    browser = open_report(chromium, page.as_uri(), 1280, 900)
    cards = {c["kpi"]: c for c in browser.page.eval_on_selector_all("#headlines .kpi", CARDS)}
    assert {k: (c["value"], c["change"], c["verdict"]) for k, c in cards.items()} == {
        "bounce_rate": ("37.5%", "-2.5 pp vs 40.0%", "good"),  # lower is better
        "revenue": ("$12,345.68", "+23.5% vs $10,000.00", "good"),
        "orders": ("1,234", "-5.1% vs 1,300", "bad"),
        "median_first_reply_minutes": ("42.3 min", "+5.6% vs 40.0 min", "bad"),  # lower is better
        "avg_rating": ("4.3 / 5", "0.0% vs 4.3 / 5", "neutral"),
    }
    browser.cut(period="all_time")
    card = browser.page.eval_on_selector_all("#headlines .kpi", CARDS)[0]
    assert (card["value"], card["change"], card["verdict"]) == ("50.0%", "no comparable period", "neutral")
    assert "14 days up to 2026-11-14" in browser.page.inner_text("#comparison-note")
    assert not browser.errors, browser.errors
    assert all(u.startswith("file://") for u in browser.requests), browser.requests
