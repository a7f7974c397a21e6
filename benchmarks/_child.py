"""Run in a child process so that its peak RSS is its own: one connector extraction (``suppressed``: with
1,000 forgotten people on the suppression list), or a bare loop."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks import peak_rss_mib


def connector(base_url: str, landing: str) -> int:
    from connectors.registry import SOURCES
    from connectors.settings import ConnectionSettings, Interval
    from connectors.streams import extract
    from sandbox.server import SANDBOX_SECRET

    settings = ConnectionSettings(base_url, "anystring", SANDBOX_SECRET)
    (manifest,) = extract(
        SOURCES["mailchimp"], "sent_to", settings, Interval.for_day(date(2026, 11, 1)), Path(landing)
    )
    return manifest.rows


def bare_loop(base_url: str, _landing: str) -> int:
    """The same pages with nothing but requests and json: the floor a connector is measured against."""
    import requests

    from sandbox.server import SANDBOX_SECRET

    session, rows = requests.Session(), 0
    session.auth = ("anystring", SANDBOX_SECRET)
    params = {"since_send_time": "2026-11-01T00:00:00+00:00", "before_send_time": "2026-11-02T00:00:00+00:00"}
    campaigns = session.get(f"{base_url}/3.0/campaigns", params={**params, "count": 1000}, timeout=60).json()
    for campaign in campaigns["campaigns"]:
        offset = 0
        while True:
            url = f"{base_url}/3.0/reports/{campaign['id']}/sent-to"
            body = json.loads(session.get(url, params={"count": 1000, "offset": offset}, timeout=60).content)
            rows += len(body["sent_to"])
            offset += len(body["sent_to"])
            if not body["sent_to"] or offset >= body["total_items"]:
                break
    return rows


def forget_people(landing: str, people: int = 1_000) -> None:
    """A suppression list of people the data does not hold: every record is checked, none dropped."""
    from connectors.identifiers import EMAIL
    from connectors.suppression import SuppressionList

    SuppressionList(Path(landing)).add({(EMAIL, f"forgotten{i}@example.com") for i in range(people)})


if __name__ == "__main__":
    mode, base, landing = sys.argv[1:4]
    if mode == "suppressed":
        forget_people(landing)
    import pandas  # noqa: F401 - pyarrow pulls it in on first use: keep one-off import time out of the timing
    import pyarrow.parquet  # noqa: F401
    import requests  # noqa: F401

    started = time.perf_counter()
    count = {"connector": connector, "suppressed": connector, "bare": bare_loop}[mode](base, landing)
    elapsed = time.perf_counter() - started
    print(json.dumps({"rows": count, "seconds": elapsed, "peak_rss_mib": peak_rss_mib()}))
