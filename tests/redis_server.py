"""A Redis of a test's own, the Celery broker: a private ``redis-server`` on a free port that keeps nothing
on disk, so no two tests share a queue; where none is installed, database 5 of the machine's Redis on
127.0.0.1:6379, emptied first."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis

from sandbox.server import free_port

SHARED_URL = "redis://127.0.0.1:6379/5"
READY_SECONDS = 20


class RedisServer:
    """``url`` is known on construction; the server runs between entry and exit."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.folder = folder
        self.port = free_port() if self.binary else None
        self.url = f"redis://127.0.0.1:{self.port}/0" if self.port else SHARED_URL
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> RedisServer:
        if self.binary:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen(
                [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            )  # fmt: skip
        self._wait_ready().flushdb()
        return self

    def _wait_ready(self) -> redis.Redis:
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + READY_SECONDS
        while True:
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def __exit__(self, *_: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
