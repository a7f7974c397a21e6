"""The environment that points the pipeline at a running sandbox (what the demo and tests use)."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.ads import AD_ACCOUNT_ID
from sandbox.generator import BUSINESS_UNIT_ID, PAGE_ID
from sandbox.server import SANDBOX_SECRET

_EXTRAS = {
    "MAILCHIMP": {},
    "FACEBOOK": {"page_id": PAGE_ID},
    "TRUSTPILOT": {"business_unit_id": BUSINESS_UNIT_ID},
    "ZENDESK": {},
    "SHOPIFY": {},
    "META_ADS": {"ad_account_id": f"act_{AD_ACCOUNT_ID}"},
}
_LOGINS = {"MAILCHIMP": "anystring", "TRUSTPILOT": "sandbox-api-key", "ZENDESK": "ops@example.com"}


def sandbox_environment(server_url: str, events_dir: Path, **settings: object) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` for the six vendor connections, with ``settings`` in every extra (tests that
    share one sandbox turn client pacing off: ``pace=False``), and the web-events folder."""
    env = {
        f"AIRFLOW_CONN_{vendor}_DEFAULT": json.dumps(
            {
                "conn_type": "http",
                "host": server_url,
                "login": _LOGINS.get(vendor, ""),
                "password": SANDBOX_SECRET,
                "extra": {**extra, **settings},
            }
        )
        for vendor, extra in _EXTRAS.items()
    }
    env["TOUCHPOINTS_WEB_EVENTS_URL"] = str(events_dir)
    return env
