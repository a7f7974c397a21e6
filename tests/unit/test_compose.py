"""docker-compose.yml describes the scaled-out stack the README documents."""

from __future__ import annotations

import json

import yaml

from tests.airflow_services import WORKER_CONCURRENCY, celery_settings
from tests.spark_thrift_server import thrift_server_arguments
from touchpoints.config import REPO_ROOT
from touchpoints.warehouse.spark_session import CONNECT_PORT


def test_compose_services_and_wiring() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {
        "postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
        "airflow-dag-processor", "airflow-triggerer", "airflow-worker",
    } <= set(services)  # fmt: skip
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker"):
        service = services[name]
        assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert service["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
        assert "./:/opt/touchpoints" in service["volumes"]
        # the warehouse target tests/e2e/test_postgres_target.py runs the nightly DAG on, unless .env
        # names another
        assert service["environment"]["TOUCHPOINTS_DBT_TARGET"] == "${TOUCHPOINTS_DBT_TARGET:-postgres}"
        assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    init = services["airflow-init"]["command"][0]
    assert "airflow db migrate" in init and "airflow pools set touchpoints_warehouse 1" in init


def test_compose_runs_celery_as_the_native_test_does() -> None:
    """The Celery settings tests/e2e/test_celery_workers.py runs with, and its two workers."""
    services = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
    native = celery_settings("redis://127.0.0.1:6379/0", "postgresql+psycopg2://airflow@postgres/airflow")
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker"):
        env = services[name]["environment"]
        assert set(native) <= set(env), name
        assert env["AIRFLOW__CORE__EXECUTOR"] == native["AIRFLOW__CORE__EXECUTOR"]
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql")
        extra = "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG"
        assert json.loads(env[extra]) == json.loads(native[extra])
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
    worker = services["airflow-worker"]
    assert worker["command"] == ["airflow", "celery", "worker", "--concurrency", WORKER_CONCURRENCY]
    assert worker["deploy"]["replicas"] == 2


def test_compose_runs_the_spark_thrift_server_as_the_native_test_does() -> None:
    """The arguments tests/e2e/test_spark_target.py starts its Thrift server with, on the compose ports
    the Airflow services' spark target (Thrift) and pipeline (Spark Connect) point at, over the same mount
    of the project."""
    services = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
    server = services["spark-thrift"]
    warehouse = "/opt/touchpoints/warehouse/spark-thrift"
    assert server["command"] == [
        "/opt/spark/bin/spark-submit",
        *thrift_server_arguments(warehouse, 10000, CONNECT_PORT, "0.0.0.0", "local[*]"),
    ]
    assert "./:/opt/touchpoints" in server["volumes"]
    for name in ("airflow-scheduler", "airflow-worker"):
        env = services[name]["environment"]
        assert (env["TOUCHPOINTS_SPARK_METHOD"], env["TOUCHPOINTS_SPARK_HOST"]) == ("thrift", "spark-thrift")
        assert env["TOUCHPOINTS_SPARK_REMOTE"] == f"sc://spark-thrift:{CONNECT_PORT}"


def test_compose_keeps_secrets_out() -> None:
    """Every password or connection setting is interpolated from the environment, none is written down."""
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    checked = 0
    for service in compose["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key or "SECRET" in key or key.startswith("AIRFLOW_CONN_"):
                assert str(value).startswith("${"), key
                checked += 1
    assert checked >= 6
