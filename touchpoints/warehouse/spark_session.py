"""The Spark session the pipeline audits and publishes through: the same settings as the ``spark`` dbt
profile's ``server_side_parameters`` (dbt_project/profiles.yml, which tests/unit/test_spark_session.py
compares), so that it opens the catalog and tables dbt's session built.

Spark keeps one session per process: dbt's ``session`` method and this module's ``spark_session`` get
the same one, whichever comes first.
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
    """This process's Spark session on ``warehouse`` (started on first use, with Hive's catalog as dbt's).

    Where and how a session keeps its tables is fixed when it starts: a process whose session serves
    another warehouse gets an error rather than that warehouse's tables."""
    from pyspark.sql import SparkSession

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
