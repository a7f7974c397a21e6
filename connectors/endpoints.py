"""A vendor endpoint, declared once: its path, where its items are, how it pages, what it asks for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from string import Formatter
from typing import TYPE_CHECKING, Any

from connectors.paging import Items, Page, Paging

if TYPE_CHECKING:
    from connectors.context import FetchContext


def no_params(_ctx: FetchContext) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Endpoint:
    """``path`` after the API root, its ``{name}`` parts given by the caller (a parent's id) or else read
    from the connection's extra (``page_id``); ``params``: the query for the fetch's interval."""

    path: str
    items: Items
    paging: Paging
    params: Callable[[FetchContext], dict[str, Any]] = no_params

    def pages(self, ctx: FetchContext, **parts: str) -> Iterator[Page]:
        """Every page of the endpoint's items for the context's interval."""
        assert ctx.client
        names = [name for _, name, _, _ in Formatter().parse(self.path) if name]
        filled = {
            n: parts[n] if n in parts else ctx.settings.require_extra(n, ctx.client.source) for n in names
        }
        url = ctx.url(self.path.format(**filled))
        yield from self.paging.pages(ctx.client, url, self.params(ctx), self.items)
