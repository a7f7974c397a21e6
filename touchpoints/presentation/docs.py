"""The docs site under ``$TOUCHPOINTS_HOME/docs``: dbt docs (lineage, every model and column), the KPI
report, the Great Expectations Data Docs (every suite and the recent validation results) and an index page.

A run regenerates the dbt docs only when they would change: the dbt project's files, dbt's version or
the warehouse's columns (the catalog holds columns and types only). The Data Docs render the run's own
results and keep those of the last ``DATA_DOCS_RUNS`` runs; every verdict stays in
``audit.validation_results``.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from html import escape
from pathlib import Path

from touchpoints.config import Paths
from touchpoints.dbt_runner import project_fingerprint, run_dbt
from touchpoints.presentation.kpi_report import build_report
from touchpoints.warehouse import warehouse_for
from touchpoints.warehouse.base import LAYERS

log = logging.getLogger(__name__)
DBT_DOCS_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")
DBT_DOCS_FINGERPRINT = "docs_fingerprint.txt"
DATA_DOCS_RUNS = 30
INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Touchpoints docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;line-height:1.5}}</style></head>
<body><h1>Touchpoints</h1>
<ul>
<li><a href="dbt/static_index.html">Data model</a>: every source, model and mart column, with lineage (dbt docs)</li>
<li><a href="report/index.html">KPI report</a>: each channel's headline KPIs against the previous period, journeys and conversion paths, by period and customer segment</li>
<li><a href="gx/index.html">Data quality</a>: every expectation suite and validation result (Great Expectations Data Docs)</li>
</ul>
<p>Published warehouse: <code>{warehouse}</code></p>
</body></html>
"""


# The models' columns (the build's own bookkeeping tables start with an underscore and are not documented).
def dbt_docs_fingerprint(paths: Paths) -> str:
    """What the dbt docs are made of: the project's files, dbt's version, the build warehouse's columns."""
    with warehouse_for(paths).open(build=True) as warehouse:
        columns = [
            (layer, *column)
            for layer in LAYERS
            for column in (warehouse.columns(layer) if warehouse is not None else [])
            if not column[0].startswith("_")
        ]
    return hashlib.sha256((project_fingerprint() + repr(columns)).encode()).hexdigest()


def _dbt_docs(paths: Paths, site: Path) -> bool:
    """Regenerate the dbt docs into the site when what they show changed; True when they were."""
    fingerprint = dbt_docs_fingerprint(paths)
    stored = site / DBT_DOCS_FINGERPRINT
    if (site / "static_index.html").exists() and stored.exists() and stored.read_text() == fingerprint:
        log.info("dbt docs kept: the project, dbt and the warehouse's columns are as they were")
        return False
    run_dbt(paths, "docs", "generate", "--static")
    site.mkdir(parents=True, exist_ok=True)
    for name in DBT_DOCS_FILES:
        if (paths.dbt_target / name).exists():
            shutil.copyfile(paths.dbt_target / name, site / name)
    stored.write_text(fingerprint)
    return True


def _run_key(key: object) -> str:
    run = key.run_id  # type: ignore[attr-defined]
    return run.run_name or run.run_time.isoformat()


def _data_docs(paths: Paths, run_id: str | None) -> Path:
    """Render the run's validation results (every result when ``run_id`` is None) and the suites into
    GX's local site, after dropping the results of all but the last DATA_DOCS_RUNS runs; returns the site."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    from expectations.runner import open_context

    context = open_context(paths.gx)
    store = context.validation_results_store
    keys = store.list_keys()
    newest = sorted({_run_key(k): k.run_id.run_time for k in keys}.items(), key=lambda run: run[1])
    kept = {name for name, _ in newest[-DATA_DOCS_RUNS:]}
    for key in keys:
        if _run_key(key) not in kept:
            for url in context.get_docs_sites_urls(resource_identifier=key, only_if_exists=True):
                Path(url["site_url"].removeprefix("file://")).unlink(missing_ok=True)
            store.remove_key(key)
    this_run = [key for key in keys if run_id is not None and _run_key(key) == run_id]
    suites = [ExpectationSuiteIdentifier(name=suite.name) for suite in context.suites.all()]
    context.build_data_docs(resource_identifiers=[*this_run, *suites] if this_run else None)
    return paths.gx / "gx" / "uncommitted" / "data_docs" / "local_site"


def build_docs(paths: Paths, run_id: str | None = None) -> dict[str, str]:
    """Build the docs site (dbt docs, KPI report, Data Docs with ``run_id``'s results); return its pages."""
    site = paths.docs
    _dbt_docs(paths, site / "dbt")
    gx_site = _data_docs(paths, run_id)
    shutil.rmtree(site / "gx", ignore_errors=True)
    shutil.copytree(gx_site, site / "gx")
    build_report(paths, site / "report" / "index.html")
    (site / "index.html").write_text(
        INDEX.format(warehouse=escape(warehouse_for(paths).describe_published()))
    )
    return {
        "report": str(site / "report" / "index.html"),
        "index": str(site / "index.html"),
        "dbt_docs": str(site / "dbt" / "static_index.html"),
        "gx_data_docs": str(site / "gx" / "index.html"),
    }
