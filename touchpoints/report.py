"""A short KPI summary of the published warehouse, for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from touchpoints.config import Paths
from touchpoints.warehouse import connect_read_only

QUERIES = {
    "Touchpoints by channel": """
        select channel, count(*) as touchpoints, count(distinct customer_id) as customers
        from marts.fct_touchpoints group by channel order by touchpoints desc
    """,
    "E-mail campaigns": """
        select campaign_title, emails_sent, delivered, round(open_rate, 3) as open_rate,
               round(click_rate, 3) as click_rate, round(bounce_rate, 3) as bounce_rate, attributed_orders
        from marts.kpi_email_campaigns order by sent_at
    """,
    "Support by day": """
        select created_date, tickets_created, tickets_solved, round(median_first_reply_minutes, 1) as median_reply_min,
               round(one_touch_resolution_rate, 3) as one_touch_rate, round(csat_score, 3) as csat_score
        from marts.kpi_support_daily order by created_date
    """,
}


def print_summary(paths: Paths, console: Console) -> None:
    if not paths.warehouse.exists():
        console.print(f"[red]No published warehouse at {paths.warehouse}: run `touchpoints run` first.[/red]")
        raise SystemExit(1)
    with connect_read_only(paths.warehouse) as connection:
        for title, query in QUERIES.items():
            result = connection.sql(query)
            table = Table(title=title)
            for column in result.columns:
                table.add_column(column)
            for row in result.fetchall():
                table.add_row(*("" if value is None else str(value) for value in row))
            console.print(table)
    console.print(
        f"Published warehouse: {paths.warehouse} (open read-only: duckdb -readonly {paths.warehouse})"
    )
    console.print(f"Landing zone: {paths.landing}   Great Expectations project: {paths.gx}")
    console.print(f"Docs site (data model, KPI report, data quality): {paths.docs / 'index.html'}")
    console.print(f"Marts as Parquet: {paths.exports}")
