"""What identifies a person in the landed records: e-mail addresses and the vendors' ids of people and of
their records. Columns declare the kind they hold (``Column.identifies``); erasure (``touchpoints
forget``) and the suppression list match them by kind, on values normalized the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

EMAIL = "email"
MAILCHIMP_MEMBER = "mailchimp_member"  # Mailchimp's subscriber hash: MD5 of the lower-cased address
ZENDESK_USER = "zendesk_user"
ZENDESK_TICKET = "zendesk_ticket"  # a ticket belongs to its requester, and its comments and ratings to it
SHOPIFY_CUSTOMER = "shopify_customer"
TRUSTPILOT_CONSUMER = "trustpilot_consumer"
FACEBOOK_USER = "facebook_user"  # commenters carry no e-mail: no address leads to them
WEB_ANONYMOUS = "web_anonymous"
WEB_USER = "web_user"

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def normalized(value: Any) -> str | None:
    """The form every identifier is compared in: text, trimmed and lower-cased (as the models normalize
    e-mail addresses); None for a missing one."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip().lower()
    return text or None


def emails_in(text: str) -> Iterator[str]:
    """The e-mail addresses written anywhere in a text (a quarantined record as it was read), normalized."""
    for match in EMAIL_PATTERN.finditer(text):
        yield match.group(0).lower()


def identifiers_of(record: dict[str, Any], columns: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``(kind, value)`` pairs of a record's identifying columns, given as ``(column, kind)``."""
    found = set()
    for column, kind in columns:
        if (value := normalized(record.get(column))) is not None:
            found.add((kind, value))
    return found
