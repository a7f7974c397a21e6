"""Folders and files only their owner may read, whatever the process umask: the landing zone, its
quarantine and state, and the build warehouse hold personal data (e-mail addresses, names, messages)."""

from __future__ import annotations

from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path, root: Path | None = None) -> Path:
    """Create ``path`` and make it and every folder between ``root`` (itself included; ``path`` when
    omitted) and it private; ``root``'s own parents are created as usual."""
    root = root or path
    root.parent.mkdir(parents=True, exist_ok=True)
    lineage = [path, *path.parents]
    for folder in reversed(lineage[: lineage.index(root) + 1]):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        folder.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file private (a no-op for one that does not exist, such as an absent WAL)."""
    if path.exists():
        path.chmod(FILE_MODE)
    return path
