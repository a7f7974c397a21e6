"""Airflow connections (or ``TOUCHPOINTS_WEB_EVENTS_URL``) turned into connector settings."""

from __future__ import annotations

import os
from typing import Any

from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings


def base_url(conn: Any) -> str:
    """The API root: the host as given when it has a scheme, else https://host[:port]."""
    host = (conn.host or "").rstrip("/")
    if not host:
        raise ValueError(
            f"connection {conn.conn_id!r} has no host; set it to the API root, e.g. https://api.vendor.com"
        )
    if "://" in host:
        return host
    scheme = conn.schema if conn.schema in ("http", "https") else "https"
    return f"{scheme}://{host}:{conn.port}" if conn.port else f"{scheme}://{host}"


def connection_settings(source: str) -> ConnectionSettings:
    """Settings for one source, from its Airflow connection (``AIRFLOW_CONN_<ID>`` works too)."""
    if source == "web":
        url = os.environ.get("TOUCHPOINTS_WEB_EVENTS_URL")
        if not url:
            raise ValueError(
                "TOUCHPOINTS_WEB_EVENTS_URL is not set: point it at the folder or fsspec URL of event files"
            )
        return ConnectionSettings(base_url=url)
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(SOURCES[source].connection_id)
    return ConnectionSettings(
        base_url=base_url(conn), login=conn.login, password=conn.password, extra=conn.extra_dejson or {}
    )
