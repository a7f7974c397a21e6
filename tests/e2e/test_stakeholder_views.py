"""What stakeholders, analysts and operators see: the docs site in a real browser (headless Chromium),
Parquet exports, and the CLI's run summary (the KPI report's browser tests are in test_kpi_report.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from touchpoints.presentation.cookbook import COOKBOOK_PAGE, cookbook_queries, with_answers
from touchpoints.warehouse.duckdb import list_marts

pytestmark = pytest.mark.e2e

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def chromium(tmp_path: Path, url: str, *args: str) -> str:
    """Run headless Chromium on a page; return what it prints (the DOM with --dump-dom)."""
    binary = shutil.which("chromium")
    assert binary, "Debian's chromium is needed for the browser tests (.ci/run installs it)"
    result = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=15000",
         *args, url],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout


MARTS = (
    "fct_touchpoints",
    "dim_customers",
    "kpi_email_campaigns",
    "fct_attribution",
    "kpi_period_comparison",
)


def test_dbt_docs_render_the_marts_in_a_browser(two_nights: Path, tmp_path: Path) -> None:
    page = two_nights.parents[1] / "docs" / "dbt" / "static_index.html"
    dom = chromium(tmp_path, f"{page.as_uri()}#!/model/model.touchpoints.fct_touchpoints", "--dump-dom")
    raw = page.read_text()
    for mart in MARTS:
        rendered = f'title="{mart} '  # the sidebar entry (its text is cut short in a nested folder)
        assert rendered in dom and rendered not in raw, mart  # drawn by the docs app, not in the raw page
    assert 'detail-value ng-binding">touchpoints.marts.fct_touchpoints</dd>' in dom  # the model page itself


def test_marts_are_exported_as_parquet(two_nights: Path) -> None:
    exports = two_nights.parents[1] / "exports" / "marts"
    with duckdb.connect(str(two_nights), read_only=True) as db:
        marts = list_marts(db)
        touchpoints = db.sql("select count(*) from marts.fct_touchpoints").fetchall()[0][0]
    assert sorted(p.stem for p in exports.glob("*.parquet")) == marts
    assert pq.read_metadata(exports / "fct_touchpoints.parquet").num_rows == touchpoints


def test_cli_run_prints_a_summary_of_the_run(
    nightly_dag, pipeline_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from touchpoints.cli import main

    main(["run", "--start", "2026-11-01", "--end", "2026-11-01"])
    out = capsys.readouterr().out
    assert "touchpoints_nightly 2026-11-01: success" in out
    for source in ("mailchimp", "facebook", "trustpilot", "zendesk", "shopify", "web", "meta_ads"):
        assert source in out
    assert "landed: 17/17 suites passed" in out


def test_cli_errors_say_what_to_do(pipeline_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from touchpoints.cli import main

    with pytest.raises(SystemExit, match="is before the start"):
        main(["run", "--start", "2026-11-02", "--end", "2026-11-01"])
    with pytest.raises(SystemExit, match="run the pipeline first"):
        main(["docs"])
    assert date(2026, 11, 1)  # the dates above are parsed as dates, not strings


def test_every_cookbook_query_answers_from_the_published_marts(two_nights: Path) -> None:
    queries = cookbook_queries()
    assert len(queries) >= 5
    with duckdb.connect(str(two_nights), read_only=True) as db:
        for query in queries:
            assert db.sql(query.sql).fetchall(), f"{query.name} returned nothing"


def test_the_cookbook_shows_what_make_demo_computes(nightly_dag, tmp_path: Path) -> None:
    """``make demo``'s command, as a user runs it (a process of its own, a fresh home): every answer
    docs/cookbook.md shows is its query's result on the warehouse the demo publishes (``make cookbook``
    writes them again). The demo's process shares the session's migrated Airflow metadata
    (``nightly_dag``)."""
    home = tmp_path / "home"
    settings = {key: value for key, value in os.environ.items() if not key.startswith("TOUCHPOINTS_")}
    warehouse = home / "warehouse" / "touchpoints.duckdb"
    settings |= {"TOUCHPOINTS_HOME": str(home), "TOUCHPOINTS_DUCKDB_PATH": str(warehouse)}
    done = subprocess.run(
        [sys.executable, "-m", "sandbox.demo"], env=settings, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = COOKBOOK_PAGE.read_text()
    with duckdb.connect(str(warehouse), read_only=True) as db:
        assert with_answers(page, cookbook_queries(), db) == page
