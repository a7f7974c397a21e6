"""Parent listings shared by the streams of one run: Mailchimp's campaigns, Facebook's posts.

Several streams read the same listing for an interval (each campaign's recipients, activity and
unsubscribes; each post's comments and insights). The first stream to ask fetches it; the others, in
the same thread or another, wait for it and read the same pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator

from connectors.paging import Page


class _Listing:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: list[Page] | None = None


class Listings:
    """The listings fetched in one run, by what they depend on; a failed fetch is tried again by the
    next stream that asks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listings: dict[Hashable, _Listing] = {}

    def pages(self, key: Hashable, fetch: Callable[[], Iterator[Page]]) -> list[Page]:
        with self._lock:
            listing = self._listings.setdefault(key, _Listing())
        with listing.lock:
            if listing.pages is None:
                listing.pages = list(fetch())
            return listing.pages
