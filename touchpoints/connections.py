"""Airflow connections (or ``TOUCHPOINTS_WEB_EVENTS_URL``) turned into connector settings, and the
configuration problems that say what to fix: a retry of them would only fail again."""

from __future__ import annotations

import json
import os
from typing import Any

from connectors.errors import ConfigurationError
from connectors.registry import SOURCES
from connectors.settings import ConnectionSettings

EXAMPLE = '{"conn_type": "http", "host": "https://<the vendor\'s API root>", "password": "<token>"}'


def base_url(conn: Any) -> str:
    """The API root: the host as given when it has a scheme, else https://host[:port]."""
    host = (conn.host or "").rstrip("/")
    if not host:
        raise ConfigurationError(
            f"connection {conn.conn_id!r} has no host; set it to the API root, e.g. https://api.vendor.com"
        )
    if "://" in host:
        return host
    scheme = conn.schema if conn.schema in ("http", "https") else "https"
    return f"{scheme}://{host}:{conn.port}" if conn.port else f"{scheme}://{host}"


def variable_of(connection_id: str) -> str:
    """The environment variable Airflow reads a connection from."""
    return f"AIRFLOW_CONN_{connection_id.upper()}"


def check_variable(connection_id: str) -> None:
    """Airflow logs a connection variable's JSON error at debug level and then reports the connection as
    not defined; name the error here, with its position."""
    variable = variable_of(connection_id)
    raw = os.environ.get(variable)
    if raw is None or not raw.lstrip().startswith("{"):
        return
    try:
        json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigurationError(
            f"{variable} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno} "
            f"(character {error.pos}); it should look like {EXAMPLE}"
        ) from None


def connection_settings(source: str) -> ConnectionSettings:
    """Settings for one source, from its Airflow connection (``AIRFLOW_CONN_<ID>`` works too)."""
    if source == "web":
        url = os.environ.get("TOUCHPOINTS_WEB_EVENTS_URL")
        if not url:
            raise ConfigurationError(
                "TOUCHPOINTS_WEB_EVENTS_URL is not set: point it at the folder or fsspec URL of event files"
            )
        return ConnectionSettings(base_url=url)
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    connection_id = SOURCES[source].connection_id
    check_variable(connection_id)
    try:
        conn = BaseHook.get_connection(connection_id)
    except AirflowNotFoundException:
        raise ConfigurationError(
            f"there is no Airflow connection {connection_id!r}: set {variable_of(connection_id)} to "
            f"{EXAMPLE} (the README lists what each vendor needs) or add it with `airflow connections add`"
        ) from None
    return ConnectionSettings(
        base_url=base_url(conn), login=conn.login, password=conn.password, extra=conn.extra_dejson or {}
    )
