"""A Spark Thrift server of a test's own, started from pyspark's own jars (``spark-submit --class
…HiveThriftServer2``) in local mode on free ports: Thrift for dbt, and Spark Connect (a plugin of the
same application) for the pipeline's audit and publish. Its tables and Derby catalog live in a folder of
the test's. docker-compose.yml's ``spark-thrift`` service runs it with the same arguments
(tests/unit/test_compose.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from sandbox.server import free_port
from touchpoints.warehouse.spark_session import catalog_settings, connect_settings

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
READY_SECONDS = 240  # a JVM and a Spark session on a busy 2-core machine


def thrift_server_arguments(
    warehouse: str, port: int, connect_port: int, bind_host: str, master: str
) -> list[str]:
    """spark-submit's arguments for the Thrift server the spark target's ``method: thrift`` reaches, which
    serves the pipeline's Spark Connect session on ``connect_port``."""
    served = {**catalog_settings(warehouse), **connect_settings(connect_port, bind_host)}
    settings = [("--conf", f"{key}={value}") for key, value in served.items()]
    return [
        "--class", THRIFT_SERVER_CLASS,
        "--master", master,
        "--name", "touchpoints-thrift",
        *(part for setting in settings for part in setting),
        "--hiveconf", f"hive.server2.thrift.port={port}",
        "--hiveconf", f"hive.server2.thrift.bind.host={bind_host}",
        "spark-internal",
    ]  # fmt: skip


def pyspark_home() -> Path:
    """The Spark distribution inside the pyspark package (its bin/, jars/)."""
    import pyspark

    return Path(pyspark.__file__).parent


class SparkThriftServer:
    """``port``, ``remote`` and ``warehouse`` are known on construction; the server runs between entry
    and exit."""

    def __init__(self, folder: Path, warehouse: Path | None = None) -> None:
        """Its log in ``folder``; its tables and catalog in ``warehouse`` (by default in ``folder``)."""
        self.folder = folder
        self.warehouse = warehouse or folder / "warehouse"
        self.port = free_port()
        self.connect_port = free_port()
        self.remote = f"sc://127.0.0.1:{self.connect_port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> SparkThriftServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        home = pyspark_home()
        arguments = thrift_server_arguments(
            str(self.warehouse), self.port, self.connect_port, "127.0.0.1", "local[2]"
        )
        with (self.folder / "server.log").open("w") as log:
            self.process = subprocess.Popen(
                [str(home / "bin" / "spark-submit"), *arguments],
                cwd=self.folder,
                env={**os.environ, "SPARK_HOME": str(home)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                for port in (self.connect_port, self.port):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.5)
        log = (self.folder / "server.log").read_text()[-3000:]
        self.__exit__()
        raise RuntimeError(
            f"the Spark Thrift server did not start listening on {self.port} and {self.connect_port}:\n{log}"
        )

    def __exit__(self, *_: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
