"""The stakeholders' KPI report: one static HTML page with inline SVG charts, rebuilt by every run.

It reads the published warehouse only (read-only), so it shows exactly what analysts see.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from touchpoints.config import Paths
from touchpoints.warehouse import warehouse_for
from touchpoints.warehouse.base import WarehouseSql

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

CHANNEL_COLOURS = {
    "email": "#4C72B0", "social": "#DD8452", "review": "#55A868", "support": "#C44E52",
    "commerce": "#8172B3", "web": "#937860", "app": "#DA8BC3", "direct": "#8C8C8C",
}  # fmt: skip


def _svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as short labels on the x axis."""
    labels = [v.strftime("%b %d") if hasattr(v, "strftime") else str(v) for v in frame.index]
    return frame.set_axis(labels, axis="index")


def _no_data(axis: plt.Axes) -> None:
    axis.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=axis.transAxes)


def _bars(frame: pd.DataFrame, title: str, ylabel: str, stacked: bool = False, percent: bool = False) -> str:
    frame = _labelled(frame)
    figure, axis = plt.subplots(figsize=(7, 3.2))
    if frame.empty:
        _no_data(axis)
    else:
        colours = [CHANNEL_COLOURS.get(str(c)) for c in frame.columns]
        frame.plot.bar(ax=axis, stacked=stacked, color=colours if all(colours) else None, width=0.8)
        axis.legend(fontsize=8, ncols=4, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0))
        if percent:
            axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axis.set_title(title, fontsize=11, loc="left")
    axis.set_ylabel(ylabel)
    axis.set_xlabel("")
    axis.tick_params(axis="x", labelrotation=30, labelsize=8)
    axis.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _lines(frame: pd.DataFrame, title: str, left: str, right: str, right_percent: bool = False) -> str:
    """Two measures over time on their own axes (a count or duration, and a rate)."""
    frame = _labelled(frame)
    figure, axis = plt.subplots(figsize=(7, 3.2))
    if frame.empty:
        _no_data(axis)
    else:
        x = list(frame.index)
        axis.plot(x, frame[left], marker="o", color="#4C72B0", label=left.replace("_", " "))
        axis.set_ylabel(left.replace("_", " "))
        twin = axis.twinx()
        twin.plot(x, frame[right], marker="s", color="#C44E52", label=right.replace("_", " "))
        twin.set_ylabel(right.replace("_", " "))
        if right_percent:
            twin.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        figure.legend(fontsize=8, frameon=False, ncols=2, loc="lower left", bbox_to_anchor=(0.1, 0.9))
        axis.tick_params(axis="x", labelrotation=30, labelsize=8)
    axis.set_title(title, fontsize=11, loc="left")
    return _svg(figure)


def _pivot(db: WarehouseSql, mart: str, index: str, column: str, measure: str) -> pd.DataFrame:
    """``measure`` summed per ``index`` (rows) and ``column`` (series) from a mart."""
    query = f"select {index}, {column}, sum({measure}) as {measure} from {{marts}}.{mart} group by 1, 2 order by 1"
    return db.frame(query).pivot_table(index=index, columns=column, values=measure, fill_value=0)


def _charts(db: WarehouseSql) -> list[tuple[str, str, str]]:
    """(title, what it shows, svg) for every chart of the report."""
    daily = _pivot(db, "kpi_touchpoints_daily", "occurred_date", "channel", "touchpoints")
    stages = _pivot(db, "kpi_touchpoints_daily", "occurred_date", "journey_stage", "touchpoints")
    email = db.frame("""
        select campaign_title, open_rate, click_rate, click_to_open_rate
        from {marts}.kpi_email_campaigns order by sent_at
    """).set_index("campaign_title")
    support = db.frame("""
        select created_date, median_first_reply_minutes, csat_score
        from {marts}.kpi_support_daily order by created_date
    """).set_index("created_date")
    reviews = db.frame("""
        select review_date, avg_rating, response_rate from {marts}.kpi_reviews_daily order by review_date
    """).set_index("review_date")
    web = db.frame(
        "select session_date, platform, bounce_rate, avg_session_seconds, conversion_rate from {marts}.kpi_web_daily"
    )
    attribution = _pivot(db, "kpi_channel_attribution", "model", "channel", "attributed_orders")

    def by_platform(measure: str) -> pd.DataFrame:
        return web.pivot_table(index="session_date", columns="platform", values=measure)

    return [
        ("Touchpoints by channel", "Every interaction per day, by channel.", _bars(daily, "", "touchpoints", stacked=True)),
        ("Touchpoints by journey stage", "Before, at and after each customer's first purchase.", _bars(stages, "", "touchpoints", stacked=True)),
        ("E-mail engagement per campaign", "Unique opens and clicks over delivered e-mails; clicks over opens.", _bars(email, "", "rate", percent=True)),
        ("Support: reply time and CSAT", "Median minutes to the first public agent reply, and the share of good ratings, by ticket creation date.", _lines(support, "", "median_first_reply_minutes", "csat_score", right_percent=True)),
        ("Reviews: rating and response rate", "Average stars and the share of reviews the company answered.", _lines(reviews, "", "avg_rating", "response_rate", right_percent=True)),
        ("Web and app: bounce rate", "Sessions with exactly one page or screen view.", _bars(by_platform("bounce_rate"), "", "bounce rate", percent=True)),
        ("Web and app: time on site or app", "Mean seconds from the first to the last event of a session.", _bars(by_platform("avg_session_seconds"), "", "seconds")),
        ("Web and app: conversion rate", "Sessions followed by an order within 30 minutes of their last event.", _bars(by_platform("conversion_rate"), "", "conversion", percent=True)),
        ("Attribution by channel", "Orders credited to each channel under each attribution model.", _bars(attribution, "", "attributed orders", stacked=True)),
    ]  # fmt: skip


def build_report(paths: Paths, output: Path) -> Path:
    """Write ``output`` (an HTML file) from the published warehouse; return its path."""
    warehouse = warehouse_for(paths)
    with warehouse.open(build=False) as db:
        if db is None:
            raise FileNotFoundError(
                f"no published warehouse at {paths.warehouse}: run `touchpoints run` first"
            )
        charts = _charts(db)
        comparison = db.frame("""
            select channel, kpi_name, this_week_value, last_week_value, relative_change, iso_week
            from {marts}.kpi_period_comparison
            where week_start = (select max(week_start) from {marts}.kpi_period_comparison)
            order by channel, kpi_name
        """)
    environment = Environment(
        loader=PackageLoader("touchpoints.presentation"), autoescape=select_autoescape()
    )
    html = environment.get_template("kpi_report.html.j2").render(
        charts=charts,
        comparison=comparison.to_dict("records"),
        week=comparison["iso_week"].iloc[0] if len(comparison) else None,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        warehouse=warehouse.describe_published(),
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html)
    return output
