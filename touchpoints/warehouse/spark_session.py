"""The Spark session the pipeline audits and publishes through, on the catalog dbt builds in.

With dbt's ``session`` method, Spark runs in the pipeline's process with the same settings as the
``spark`` dbt profile's ``server_side_parameters`` (dbt_project/profiles.yml, which
tests/unit/test_spark_session.py compares); Spark keeps one session per process, so dbt's and this
module's are the same one, whichever comes first. With a Spark server (dbt's ``thrift`` or ``http``),
the pipeline reaches the same server through Spark Connect (``TOUCHPOINTS_SPARK_REMOTE``, an
``sc://host:port`` address), which a Thrift server serves beside Thrift with ``connect_settings``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def catalog_settings(warehouse: Path | str) -> dict[str, str]:
    """Where the tables and their Derby catalog live, and how every session reads them: what a Spark
    session and a Spark Thrift server serving the same warehouse share."""
    return {
        "spark.sql.warehouse.dir": str(warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={warehouse}/metastore_db;create=true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.mergeSchema": "true",  # partitions landed before a connector gained a column
        "spark.ui.enabled": "false",
    }


CONNECT_PLUGIN = "org.apache.spark.sql.connect.SparkConnectPlugin"
CONNECT_PORT = 15002  # Spark Connect's own default


def connect_settings(port: int, bind_host: str) -> dict[str, str]:
    """What makes a Spark server (a Thrift server's application) serve Spark Connect too, on ``port``."""
    return {
        "spark.plugins": CONNECT_PLUGIN,
        "spark.connect.grpc.binding.address": bind_host,
        "spark.connect.grpc.binding.port": str(port),
    }


def spark_remote() -> str | None:
    """``TOUCHPOINTS_SPARK_REMOTE``: the Spark Connect address of the server dbt builds on, if any. It may
    carry a token (``sc://host:443/;token=…``), so it is never logged: see ``server_address``."""
    return os.environ.get("TOUCHPOINTS_SPARK_REMOTE") or None


def server_address(remote: str) -> str:
    """The address without its parameters (``;token=…``), fit for logs and messages."""
    return remote.split(";", 1)[0].rstrip("/")


def session_settings(warehouse: Path) -> dict[str, str]:
    """The session's settings, from the variables the dbt profile reads (docs/spark.md)."""
    return {
        "spark.master": os.environ.get("TOUCHPOINTS_SPARK_MASTER", "local[*]"),
        "spark.driver.memory": os.environ.get("TOUCHPOINTS_SPARK_DRIVER_MEMORY", "4g"),
        **catalog_settings(warehouse),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={warehouse}",  # its derby.log
        "spark.sql.shuffle.partitions": os.environ.get("TOUCHPOINTS_SPARK_SHUFFLE_PARTITIONS", "4"),
    }


def spark_session(warehouse: Path) -> SparkSession:
    """This process's Spark session: a Spark Connect session of the server at ``spark_remote()``, or else
    one on ``warehouse`` in this process (started on first use, with Hive's catalog as dbt's).

    Where and how a session keeps its tables is fixed when it starts: a process whose session serves
    another warehouse gets an error rather than that warehouse's tables."""
    from pyspark.sql import SparkSession

    remote = spark_remote()
    if remote is not None:
        return SparkSession.builder.remote(remote).getOrCreate()
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_settings(warehouse).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    serving = Path(session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    if serving.resolve() != warehouse.resolve():
        raise RuntimeError(
            f"this process's Spark session serves the warehouse {serving}, not {warehouse}: a session's"
            " warehouse is fixed when it starts, so run the other warehouse in a process of its own"
        )
    return session
