"""Meta's Graph API conventions, shared by the Facebook Pages and the Marketing API connectors: the access
token, ``paging.next`` cursor paging, throttling by an error code in a 400 (or 403) body, and the usage
headers that say how near a limit the app, the Page or the business use case is."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection

import requests

from connectors.http import ApiClient, Throttling
from connectors.paging import NextUrlPaging
from connectors.settings import ConnectionSettings

API = "/v21.0"
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")
SLOW_FROM_PERCENT = 80
THROTTLED_STATUSES = (400, 403)


def error_code(response: requests.Response) -> object:
    """The ``error.code`` of a Graph API error body, or None."""
    try:
        body = response.json()
    except ValueError:
        return None
    return (body.get("error") or {}).get("code") if isinstance(body, dict) else None


def usage(response: requests.Response) -> tuple[float, float]:
    """(the highest share of a limit used, in percent; minutes until throttled calls are let through) from
    ``X-App-Usage`` / ``X-Page-Usage`` ({"call_count": 28, "total_time": 25, "total_cputime": 25}) and
    ``X-Business-Use-Case-Usage`` ({"<id>": [{"type": "pages", "call_count": 97, ...,
    "estimated_time_to_regain_access": 0}]})."""
    used, regain = 0.0, 0.0
    for name in USAGE_HEADERS:
        try:
            value = json.loads(response.headers.get(name) or "{}")
        except ValueError:
            continue
        counters = (
            [value] if name != "X-Business-Use-Case-Usage" else [c for cs in value.values() for c in cs]
        )
        for counter in counters:
            shares = [counter.get(k) for k in ("call_count", "total_time", "total_cputime")]
            used = max([used, *(float(share) for share in shares if isinstance(share, int | float))])
            regain = max(regain, float(counter.get("estimated_time_to_regain_access") or 0))
    return used, regain


def hold_near_the_usage_limit(response: requests.Response) -> float:
    """Until access is regained when the headers say so; past 80% of a limit, 3 s per point above it,
    so that a long backfill slows down before it is throttled (the limits are over a rolling hour)."""
    used, regain = usage(response)
    return regain * 60 if regain else max(0.0, used - SLOW_FROM_PERCENT) * 3


def wait_after_throttling(response: requests.Response) -> float | None:
    """The vendor's own estimate, when a throttled answer carries one."""
    _, regain = usage(response)
    return regain * 60 if regain else None


def graph_throttling(codes: Collection[int]) -> Throttling:
    """The Graph API throttles with 400 (sometimes 403) and an error code in the body, not with 429."""

    def is_throttled(response: requests.Response) -> bool:
        return response.status_code in THROTTLED_STATUSES and error_code(response) in codes

    return Throttling(
        throttled=is_throttled, wait_hint=wait_after_throttling, hold_for=hold_near_the_usage_limit
    )


def graph_client(source: str, throttling: Throttling) -> Callable[[ConnectionSettings, str], ApiClient]:
    """A ``make_client`` for a Graph API source: the access token as a Bearer header."""

    def make_client(settings: ConnectionSettings, interval: str) -> ApiClient:
        return ApiClient.for_connection(
            source,
            settings,
            interval,
            headers={"Authorization": f"Bearer {settings.password or ''}"},
            secrets=(settings.password,),
            throttling=throttling,
        )

    return make_client


def _paging_next(_response: requests.Response, body: dict) -> str | None:
    """``paging.next`` until it is absent (Meta: the last page has none; ``cursors.after`` is in it)."""
    return (body.get("paging") or {}).get("next")


GRAPH = NextUrlPaging(_paging_next)
