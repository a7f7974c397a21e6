"""The Spark the pipeline audits and publishes through is dbt's: in-process, the spark profile's
``server_side_parameters``, rendered from the same variables, equal ``session_settings``; on a server,
dbt's method and the pipeline's Spark Connect address agree."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
import yaml

from touchpoints.config import Paths
from touchpoints.dbt_runner import DBT_PROJECT_DIR
from touchpoints.warehouse.spark import SparkWarehouse
from touchpoints.warehouse.spark_session import session_settings


def rendered_profile_parameters() -> dict[str, str]:
    """The spark output's ``server_side_parameters``, each rendered as dbt renders ``env_var``."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    parameters = profile["touchpoints"]["outputs"]["spark"]["server_side_parameters"]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    return {key: environment.from_string(str(value)).render() for key, value in parameters.items()}


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {
            "TOUCHPOINTS_SPARK_MASTER": "spark://cluster:7077",
            "TOUCHPOINTS_SPARK_DRIVER_MEMORY": "12g",
            "TOUCHPOINTS_SPARK_SHUFFLE_PARTITIONS": "64",
        },
    ],
)
def test_the_session_has_the_dbt_profiles_settings(
    settings: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MASTER", "DRIVER_MEMORY", "SHUFFLE_PARTITIONS"):
        monkeypatch.delenv(f"TOUCHPOINTS_SPARK_{name}", raising=False)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TOUCHPOINTS_SPARK_WAREHOUSE_DIR", str(tmp_path / "spark"))
    assert rendered_profile_parameters() == session_settings(tmp_path / "spark")


@pytest.mark.parametrize(
    ("method", "remote", "refusal"),
    [
        ("session", "sc://spark:15002", "TOUCHPOINTS_SPARK_METHOD=thrift"),
        ("thrift", None, "set TOUCHPOINTS_SPARK_REMOTE"),
        ("http", None, "set TOUCHPOINTS_SPARK_REMOTE"),
    ],
)
def test_the_pipeline_refuses_to_audit_a_catalog_dbt_does_not_build_in(
    method: str, remote: str | None, refusal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's method and the pipeline's Spark Connect address must name the same Spark."""
    monkeypatch.setenv("TOUCHPOINTS_SPARK_METHOD", method)
    if remote is None:
        monkeypatch.delenv("TOUCHPOINTS_SPARK_REMOTE", raising=False)
    else:
        monkeypatch.setenv("TOUCHPOINTS_SPARK_REMOTE", remote)
    with pytest.raises(ValueError, match=refusal):
        SparkWarehouse(Paths.from_env())


def test_a_server_is_named_without_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINTS_SPARK_METHOD", "http")
    monkeypatch.setenv("TOUCHPOINTS_SPARK_REMOTE", "sc://dbc-1.cloud.databricks.com:443/;token=dapi-secret")
    described = SparkWarehouse(Paths.from_env()).describe_published()
    assert (
        described == "the views of database marts in the Spark server at sc://dbc-1.cloud.databricks.com:443"
    )
