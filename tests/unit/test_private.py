"""Private folders and files are their owner's only, whatever the umask."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.private import private_dir, private_file


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: every mode bit asked for is granted."""
    saved = os.umask(0)
    yield
    os.umask(saved)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_every_folder_from_the_root_down_is_private_and_the_root_s_parents_are_not(
    tmp_path: Path, open_umask: None
) -> None:
    root = tmp_path / "home" / "landing"
    leaf = private_dir(root / "shopify" / "orders" / "ds=2026-11-01", root)
    assert [mode(p) for p in (leaf, leaf.parent, leaf.parent.parent, root)] == [0o700] * 4
    assert mode(root.parent) == 0o777


def test_an_existing_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "build"
    folder.mkdir(mode=0o755)
    private_dir(folder)
    assert mode(folder) == 0o700


def test_a_file_is_made_private_and_a_missing_one_is_left_missing(tmp_path: Path, open_umask: None) -> None:
    written = tmp_path / "touchpoints.duckdb"
    written.write_text("")
    assert mode(private_file(written)) == 0o600
    assert not private_file(tmp_path / "touchpoints.duckdb.wal").exists()
