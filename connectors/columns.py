"""A stream's columns, each stated once: its name, where it is in the vendor's item and its Arrow type.

The record mapping (vendor item -> flat row) and the landed Parquet schema are both derived from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
STRING, INT, BOOL, DATE = pa.string(), pa.int64(), pa.bool_(), pa.date32()
ITEM = ""  # a column whose transform reads the whole item


def dig(item: dict[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted path (``"customer.id"``); a missing or empty parent reads as ``{}``, a
    missing last key as ``default``."""
    *parents, last = path.split(".")
    for key in parents:
        item = item.get(key) or {}
    return item.get(last, default)


@dataclass(frozen=True)
class Column:
    """One landed column.

    ``path``: where the value is in the item (default: the column's name; ``ITEM``: the whole item);
    ``default``: the value when the path's last key is absent; ``transform``: a named function of the
    value, for what a path cannot say; ``required``: the column may not be null; ``identifies``: the kind
    of identifier of a person it holds (``connectors/identifiers.py``), for erasure and suppression.
    """

    name: str
    type: pa.DataType
    path: str | None = None
    required: bool = False
    default: Any = None
    transform: Callable[[Any], Any] | None = None
    identifies: str | None = None

    @property
    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=not self.required)

    def read(self, item: dict[str, Any]) -> Any:
        path = self.name if self.path is None else self.path
        value = item if path == ITEM else dig(item, path, self.default)
        return self.transform(value) if self.transform else value


def schema_of(columns: Iterable[Column]) -> pa.Schema:
    return pa.schema([column.field for column in columns])


def row_of(columns: Iterable[Column], item: dict[str, Any]) -> dict[str, Any]:
    """The flat record of one vendor item, its values still as the vendor sent them."""
    return {column.name: column.read(item) for column in columns}
