"""Paginators: generators that yield one page of raw records at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import requests

from connectors.http import ApiClient, redact

Body = Any
Page = list[dict[str, Any]]


def offset_pages(
    client: ApiClient, url: str, params: dict[str, Any], key: str, count: int = 1000
) -> Iterator[Page]:
    """Mailchimp: ``count`` + ``offset`` until ``total_items`` is reached."""
    offset = 0
    while True:
        body = client.get_json(url, {**params, "count": count, "offset": offset})
        items = body.get(key) or []
        yield items
        offset += len(items)
        if not items or offset >= int(body.get("total_items", 0)):
            return


def follow_pages(
    client: ApiClient,
    url: str,
    params: dict[str, Any] | None,
    items: Callable[[Body], Page],
    next_url: Callable[[requests.Response, Body], str | None],
) -> Iterator[Page]:
    """Any vendor whose response names the next page's URL (body link, cursor URL or ``Link`` header)."""
    current: str | None = url
    while current:
        response = client.get(current, params)
        body = response.json()
        yield items(body)
        following = next_url(response, body)
        if following is not None and following == current and params is None:
            raise RuntimeError(
                f"{client.source}: paging did not advance past {redact(current, client.secrets)}"
            )
        current, params = following, None
