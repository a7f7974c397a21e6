"""Turning vendor JSON values into typed Arrow values; anything that does not fit is a BadRecord."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from connectors.errors import BadRecord

MISSING = (None, "")


def parse_timestamp(value: Any) -> datetime:
    """Epoch seconds, ``...Z``, ``...+00:00`` or the Graph API's ``...+0000``, always returned in UTC."""
    if isinstance(value, bool):
        raise BadRecord(f"timestamp expected, got {value!r}")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise BadRecord(f"timestamp expected, got {type(value).__name__}")
    text = value.strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadRecord(f"unparseable timestamp {value!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _coerce(value: Any, type_: pa.DataType) -> Any:
    if pa.types.is_timestamp(type_):
        return parse_timestamp(value)
    if pa.types.is_date32(type_):
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise BadRecord(f"date expected (YYYY-MM-DD), got {value!r}") from None
    if pa.types.is_boolean(type_):
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise BadRecord(f"boolean expected, got {value!r}")
    if pa.types.is_integer(type_):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise BadRecord(f"integer expected, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise BadRecord(f"integer expected, got {value!r}") from None
    if pa.types.is_floating(type_):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BadRecord(f"number expected, got {value!r}") from None
    if pa.types.is_decimal(type_):
        try:
            return Decimal(str(value)).quantize(Decimal(1).scaleb(-type_.scale))
        except InvalidOperation:
            raise BadRecord(f"decimal expected, got {value!r}") from None
    if isinstance(value, dict | list):
        raise BadRecord(f"text expected, got {type(value).__name__}")
    return str(value)


def to_row(record: dict[str, Any], schema: pa.Schema) -> dict[str, Any]:
    """Coerce one flat record to the schema; ``""`` is missing; a missing required field is a BadRecord."""
    row = {}
    for schema_field in schema:
        value = record.get(schema_field.name)
        if value in MISSING:
            if not schema_field.nullable:
                raise BadRecord(f"missing required field {schema_field.name!r}")
            row[schema_field.name] = None
            continue
        try:
            row[schema_field.name] = _coerce(value, schema_field.type)
        except BadRecord as exc:
            raise BadRecord(f"field {schema_field.name!r}: {exc}") from None
    return row
