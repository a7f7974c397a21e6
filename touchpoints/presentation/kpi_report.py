"""The stakeholders' KPI report: one HTML page with interactive Plotly charts, rebuilt by every run.

It reads the published warehouse only (read-only), so it shows exactly what analysts see. The page embeds
the report marts as JSON and cuts them in the browser (period, lifecycle stage, first channel, country):
the headline numbers are rows of ``kpi_headlines`` (every cut precomputed), the charts sum the additive
rows of ``kpi_segments_daily``, ``kpi_conversion_paths`` and ``kpi_attribution_segments``. Plotly's
JavaScript is written beside the page (``plotly.min.js``), so the page needs no network.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from touchpoints.config import Paths
from touchpoints.warehouse import warehouse_for
from touchpoints.warehouse.base import WarehouseSql

PLOTLY_JS = "plotly.min.js"
PERIODS = {"last_7_days": 7, "last_28_days": 28, "last_90_days": 90, "all_time": None}
# The headline KPIs of each channel, in the order the cards show them.
HEADLINE_KPIS = {
    "email": ["emails_sent", "open_rate", "click_rate", "unsubscribe_rate"],
    "social": ["comments", "commenters"],
    "review": ["reviews", "avg_rating", "negative_share", "response_rate"],
    "support": ["tickets_created", "median_first_reply_minutes", "one_touch_resolution_rate", "csat_score"],
    "web": ["sessions", "bounce_rate", "avg_session_seconds", "conversion_rate"],
    "app": ["sessions", "bounce_rate", "avg_session_seconds", "conversion_rate"],
    "commerce": ["orders", "revenue", "buyers"],
}
# The last landed day, as kpi_headlines ends its periods on it (the report's "as of" day): the current
# week of kpi_period_comparison compares its days up to it.
AS_OF = "select max(week_start + days_compared - 1) as as_of from {marts}.kpi_period_comparison"
QUERIES = {
    "headlines": """
        select period, days_compared, lifecycle_stage, first_channel, country_code, channel, kpi_name,
            current_value, previous_value, absolute_change, relative_change
        from {marts}.kpi_headlines
    """,
    "daily": """
        select occurred_date, channel, lifecycle_stage, first_channel, country_code, touchpoints, orders,
            revenue
        from {marts}.kpi_segments_daily order by occurred_date, channel
    """,
    "paths": """
        select first_touch_date, conversion_path, first_channel, coalesce(country_code, '(unknown)') as country_code,
            lifecycle_stage, customers, buyers, repeat_buyers
        from {marts}.kpi_conversion_paths order by first_touch_date, conversion_path
    """,
    "attribution": """
        select order_date, channel, model, lifecycle_stage, first_channel, country_code, attributed_orders,
            attributed_revenue
        from {marts}.kpi_attribution_segments order by order_date, channel, model
    """,
}


def currency() -> str:
    """``TOUCHPOINTS_CURRENCY``: the ISO 4217 code of the shop's revenue (the report's money format)."""
    return os.environ.get("TOUCHPOINTS_CURRENCY", "USD")


def _records(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A frame as column lists (compact JSON): dates as ISO strings (DuckDB gives datetimes, PostgreSQL
    dates), NaN as null."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object and len(series) and hasattr(series.dropna().iloc[0], "isoformat"):
            series = series.map(lambda v: v.isoformat() if v is not None else None)
        elif pd.api.types.is_datetime64_any_dtype(series):
            series = series.dt.strftime("%Y-%m-%d")
        columns[name] = series.astype(object).where(series.notna(), None).tolist()
    return columns


def _by_cut(headlines: pd.DataFrame) -> dict[str, list[list[Any]]]:
    """The headline rows by cut ("period|lifecycle_stage|first_channel|country_code"), each row
    [channel, kpi_name, days_compared, current, previous, absolute change, relative change]."""
    frame = headlines.astype(object).where(headlines.notna(), None)
    cuts: dict[str, list[list[Any]]] = {}
    for row in frame.itertuples(index=False):
        key = "|".join((row.period, row.lifecycle_stage, row.first_channel, row.country_code))
        cuts.setdefault(key, []).append(
            [row.channel, row.kpi_name, row.days_compared, row.current_value, row.previous_value,
             row.absolute_change, row.relative_change]
        )  # fmt: skip
    return cuts


def report_data(db: WarehouseSql) -> dict[str, Any]:
    """What the page shows, as the JSON it embeds."""
    frames = {name: db.frame(query) for name, query in QUERIES.items()}
    headlines = frames["headlines"]
    segments = {
        column: sorted(v for v in headlines[column].unique() if v != "(all)")
        for column in ("lifecycle_stage", "first_channel", "country_code")
    }
    as_of = db.frame(AS_OF)["as_of"].iloc[0]
    return {
        "as_of": None if pd.isna(as_of) else pd.Timestamp(as_of).date().isoformat(),
        "currency": currency(),
        "periods": PERIODS,
        "kpis": HEADLINE_KPIS,
        "segments": segments,
        "headlines": _by_cut(headlines),
        **{name: _records(frame) for name, frame in frames.items() if name != "headlines"},
    }


def _write_plotly(folder: Path) -> None:
    """Plotly's bundled JavaScript beside the page (rewritten only when the plotly package changed)."""
    script, target = get_plotlyjs(), folder / PLOTLY_JS
    if not target.exists() or target.read_text() != script:
        target.write_text(script)


def build_report(paths: Paths, output: Path) -> Path:
    """Write ``output`` (an HTML file) and Plotly's script beside it from the published warehouse."""
    warehouse = warehouse_for(paths)
    with warehouse.open(build=False) as db:
        if db is None:
            raise FileNotFoundError(
                f"nothing is published yet ({warehouse.describe_published()}): run `touchpoints run` first"
            )
        data = report_data(db)
    environment = Environment(
        loader=PackageLoader("touchpoints.presentation"), autoescape=select_autoescape()
    )
    html = environment.get_template("kpi_report.html.j2").render(
        data=json.dumps(data, separators=(",", ":")).replace("</", "<\\/"),
        as_of=data["as_of"],
        periods=PERIODS,
        segments=data["segments"],
        plotly_js=PLOTLY_JS,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        warehouse=warehouse.describe_published(),
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    _write_plotly(output.parent)
    output.write_text(html)
    return output
