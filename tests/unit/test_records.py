"""Vendor value formats: timestamps as each vendor sends them, '' as missing, wrong types rejected."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.errors import BadRecord
from connectors.records import parse_timestamp, to_row

NOON = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-01T12:00:00+0000",  # Facebook Graph API
        "2026-11-01T12:00:00Z",  # Zendesk, Trustpilot
        "2026-11-01T12:00:00.000Z",  # Segment
        "2026-11-01T12:00:00+00:00",  # Mailchimp
        "2026-11-01T07:00:00-05:00",  # Shopify shop-local time
        1793534400,  # epoch seconds (Zendesk incremental)
    ],
)
def test_every_vendor_timestamp_format_is_the_same_instant(value: object) -> None:
    assert parse_timestamp(value) == NOON


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", True, {"at": 1}])
def test_unparseable_timestamps_are_bad_records(value: object) -> None:
    with pytest.raises(BadRecord):
        parse_timestamp(value)


SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        ("price", pa.decimal128(18, 2)),
        ("note", pa.string()),
        ("public", pa.bool_()),
    ]
)


def test_empty_string_is_missing_and_ids_may_come_as_strings() -> None:
    row = to_row({"id": "42", "price": "19.999", "note": "", "public": "true"}, SCHEMA)
    assert row == {"id": 42, "price": Decimal("20.00"), "note": None, "public": True}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"price": "1"}, "missing required field 'id'"),
        ({"id": ""}, "missing required field 'id'"),
        ({"id": "abc"}, "field 'id': integer expected"),
        ({"id": 1.5}, "field 'id': integer expected"),
        ({"id": 1, "price": "ten"}, "field 'price': decimal expected"),
        ({"id": 1, "note": {"nested": True}}, "field 'note': text expected"),
        ({"id": 1, "public": "maybe"}, "field 'public': boolean expected"),
    ],
)
def test_records_that_do_not_fit_say_why(record: dict, reason: str) -> None:
    with pytest.raises(BadRecord, match=reason):
        to_row(record, SCHEMA)
