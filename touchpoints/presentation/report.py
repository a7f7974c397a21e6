"""A short KPI summary of the published warehouse, for the terminal."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from touchpoints.config import Paths
from touchpoints.warehouse import warehouse_for

QUERIES = {
    "Touchpoints by channel": """
        select channel, count(*) as touchpoints, count(distinct customer_id) as customers
        from {marts}.fct_touchpoints group by channel order by touchpoints desc
    """,
    "E-mail campaigns": """
        select campaign_title, emails_sent, delivered, open_rate,
               click_rate, bounce_rate, attributed_orders
        from {marts}.kpi_email_campaigns order by sent_at
    """,
    "Support by day": """
        select created_date, tickets_created, tickets_solved, median_first_reply_minutes as median_reply_min,
               one_touch_resolution_rate as one_touch_rate, csat_score
        from {marts}.kpi_support_daily order by created_date
    """,
}


def _cell(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    if isinstance(value, float):  # rounded here, not in SQL: PostgreSQL has no round(double, digits)
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def print_summary(paths: Paths, console: Console) -> None:
    published = warehouse_for(paths)
    with published.open(build=False) as warehouse:
        if warehouse is None:
            console.print(
                f"[red]No published warehouse at {paths.warehouse}: run `touchpoints run` first.[/red]"
            )
            raise SystemExit(1)
        for title, query in QUERIES.items():
            frame = warehouse.frame(query)
            table = Table(title=title)
            for column in frame.columns:
                table.add_column(str(column))
            for row in frame.itertuples(index=False):
                table.add_row(*(_cell(value) for value in row))
            console.print(table)
    console.print(f"Published warehouse: {published.describe_published()}")
    console.print(f"Landing zone: {paths.landing}   Great Expectations project: {paths.gx}")
    console.print(f"Docs site (data model, KPI report, data quality): {paths.docs / 'index.html'}")
    console.print(f"Marts as Parquet: {paths.exports}")
