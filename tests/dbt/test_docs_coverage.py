"""Stakeholders read the dbt docs: every model and every mart column is described, and the KPI report is
an exposure of the marts it draws."""

from __future__ import annotations

import re

import yaml

from touchpoints.config import DBT_PROJECT_DIR
from touchpoints.presentation.kpi_report import QUERIES

MODELS = DBT_PROJECT_DIR / "models"


def documented() -> dict[str, dict]:
    found = {}
    for path in MODELS.rglob("*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            found[model["name"]] = model
    return found


def test_every_model_has_a_description() -> None:
    models = documented()
    for sql in MODELS.rglob("*.sql"):
        assert sql.stem in models, f"{sql.relative_to(DBT_PROJECT_DIR)} has no YAML entry"
        assert models[sql.stem].get("description", "").strip(), f"{sql.stem} has no description"


def test_every_mart_column_has_a_description() -> None:
    for sql in (MODELS / "marts").glob("*.sql"):
        model = documented()[sql.stem]
        assert model["columns"], sql.stem
        for column in model["columns"]:
            assert column.get("description", "").strip(), f"{sql.stem}.{column['name']}"


def test_the_kpi_report_is_an_exposure_of_the_kpi_marts() -> None:
    exposures = yaml.safe_load((MODELS / "marts" / "_exposures.yml").read_text())["exposures"]
    report = next(e for e in exposures if e["name"] == "kpi_report")
    read = {f"ref('{mart}')" for query in QUERIES.values() for mart in re.findall(r"\{marts\}\.(\w+)", query)}
    assert read == set(report["depends_on"])
    assert {"ref('kpi_headlines')", "ref('kpi_conversion_paths')", "ref('kpi_segments_daily')"} <= read
