"""Paginators: how a vendor's listing is read one page of raw items at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from connectors.http import ApiClient, redact

Body = Any
Page = list[Any]
Items = str | Callable[[Body], Page]  # the body's key that holds the items, or a function of the body
NextUrl = Callable[[requests.Response, Body], str | None]


def items_of(body: Body, items: Items) -> Page:
    return (body.get(items) or []) if isinstance(items, str) else items(body)


class Paging(Protocol):
    def pages(self, client: ApiClient, url: str, params: dict[str, Any], items: Items) -> Iterator[Page]: ...


@dataclass(frozen=True)
class OffsetPaging:
    """Mailchimp: ``count`` + ``offset`` until ``total_items`` is reached."""

    count: int = 1000

    def pages(self, client: ApiClient, url: str, params: dict[str, Any], items: Items) -> Iterator[Page]:
        offset = 0
        while True:
            body = client.get_json(url, {**params, "count": self.count, "offset": offset})
            page = items_of(body, items)
            yield page
            offset += len(page)
            if not page or offset >= int(body.get("total_items", 0)):
                return


@dataclass(frozen=True)
class NextUrlPaging:
    """Any vendor whose response names the next page's URL (body link, cursor URL or ``Link`` header)."""

    next_url: NextUrl

    def pages(self, client: ApiClient, url: str, params: dict[str, Any], items: Items) -> Iterator[Page]:
        current: str | None = url
        query: dict[str, Any] | None = params
        while current:
            response = client.get(current, query)
            body = response.json()
            yield items_of(body, items)
            following = self.next_url(response, body)
            if following is not None and following == current and query is None:
                raise RuntimeError(
                    f"{client.source}: paging did not advance past {redact(current, client.secrets)}"
                )
            current, query = following, None
