"""Stakeholders read the dbt docs: every model and every mart column is described, and the KPI report is
an exposure of the marts it draws."""

from __future__ import annotations

import yaml

from touchpoints.config import DBT_PROJECT_DIR

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
    assert {"ref('kpi_web_daily')", "ref('kpi_period_comparison')", "ref('kpi_channel_attribution')"} <= set(
        report["depends_on"]
    )
