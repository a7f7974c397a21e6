"""Removing people from stored GX validation results, which keep sample values of failed expectations
(``result_format="SUMMARY"`` keeps up to 20 unexpected values and their counts)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ERASED = "[erased]"


def _redacted(value: Any, names_them: Callable[[str], bool]) -> tuple[Any, int]:
    """``value`` with every string or number that names the people replaced; how many were."""
    if isinstance(value, dict):
        pairs = [(key, *_redacted(item, names_them)) for key, item in value.items()]
        return {key: item for key, item, _ in pairs}, sum(count for *_, count in pairs)
    if isinstance(value, list):
        items = [_redacted(item, names_them) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    if isinstance(value, str | int) and not isinstance(value, bool) and names_them(str(value)):
        return ERASED, 1
    return value, 0


def redact_results(gx_root: Path, names_them: Callable[[str], bool]) -> int:
    """Rewrite every stored validation result with the values that ``names_them`` replaced; the number
    of values replaced. The Data Docs rendered from them must be built again afterwards."""
    redacted = 0
    for path in sorted((gx_root / "gx" / "uncommitted" / "validations").rglob("*.json")):
        result, count = _redacted(json.loads(path.read_text()), names_them)
        if count:
            path.write_text(json.dumps(result, indent=2))
            redacted += count
    return redacted
