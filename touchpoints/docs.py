"""The docs site under ``$TOUCHPOINTS_HOME/docs``: dbt docs (lineage, every model and column), the KPI
report, the Great Expectations Data Docs (every suite and validation result) and an index page."""

from __future__ import annotations

import shutil
from html import escape

from touchpoints.config import Paths
from touchpoints.dbt_runner import run_dbt
from touchpoints.kpi_report import build_report
from touchpoints.warehouse_sql import describe_published

DBT_DOCS_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")
INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Touchpoints docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;line-height:1.5}}</style></head>
<body><h1>Touchpoints</h1>
<ul>
<li><a href="dbt/static_index.html">Data model</a>: every source, model and mart column, with lineage (dbt docs)</li>
<li><a href="report/index.html">KPI report</a>: every channel's KPIs with charts, and what moved this week</li>
<li><a href="gx/index.html">Data quality</a>: every expectation suite and validation result (Great Expectations Data Docs)</li>
</ul>
<p>Published warehouse: <code>{warehouse}</code></p>
</body></html>
"""


def build_docs(paths: Paths) -> dict[str, str]:
    """Generate dbt docs from the build warehouse and GX Data Docs into one site; return its pages."""
    from expectations.runner import open_context

    run_dbt(paths, "docs", "generate", "--static")
    target = paths.dbt_target
    site = paths.docs
    (site / "dbt").mkdir(parents=True, exist_ok=True)
    for name in DBT_DOCS_FILES:
        if (target / name).exists():
            shutil.copyfile(target / name, site / "dbt" / name)
    open_context(paths.gx).build_data_docs()
    gx_site = paths.gx / "gx" / "uncommitted" / "data_docs" / "local_site"
    shutil.copytree(gx_site, site / "gx", dirs_exist_ok=True)
    build_report(paths, site / "report" / "index.html")
    (site / "index.html").write_text(INDEX.format(warehouse=escape(describe_published(paths))))
    return {
        "report": str(site / "report" / "index.html"),
        "index": str(site / "index.html"),
        "dbt_docs": str(site / "dbt" / "static_index.html"),
        "gx_data_docs": str(site / "gx" / "index.html"),
    }
