"""The docs site: dbt docs (static page with lineage) and the Great Expectations Data Docs."""

from __future__ import annotations

import shutil
from pathlib import Path

from touchpoints.config import Paths
from touchpoints.dbt_runner import run_dbt

DBT_DOCS_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


def build_docs(paths: Paths) -> dict[str, str]:
    """Generate dbt docs from the build warehouse and GX Data Docs; return where each landed."""
    from expectations.runner import open_context

    run_dbt(paths, "docs", "generate", "--static")
    target = paths.home / "dbt_target"
    site = paths.docs / "dbt"
    site.mkdir(parents=True, exist_ok=True)
    for name in DBT_DOCS_FILES:
        if (target / name).exists():
            shutil.copyfile(target / name, site / name)
    context = open_context(paths.gx)
    context.build_data_docs()
    gx_site = Path(paths.gx) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return {"dbt_docs": str(site / "static_index.html"), "gx_data_docs": str(gx_site)}
