"""File modes as the tests check them."""

from __future__ import annotations

from pathlib import Path


def open_to_others(root: Path) -> list[str]:
    """Every folder and file under ``root`` (itself included) that its group or others may use."""
    return [
        f"{oct(p.stat().st_mode & 0o777)} {p}" for p in [root, *root.rglob("*")] if p.stat().st_mode & 0o077
    ]
