"""What a run checks before it starts: every folder it writes is writable, every connection is set and
well formed. A problem here fails the run at once, saying what to fix; a retry would fail the same way."""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

from connectors.errors import ConfigurationError
from connectors.registry import SOURCES
from touchpoints.config import Paths
from touchpoints.connections import connection_settings


def unwritable(folder: os.PathLike[str] | str) -> str | None:
    """Why the pipeline cannot write ``folder``, or None: tried by creating (and removing) a file in it,
    or, while it does not exist, a folder in its nearest existing parent; nothing is left behind."""
    existing = Path(folder)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if existing == Path(folder):
            with tempfile.TemporaryFile(dir=existing):
                return None
        os.rmdir(tempfile.mkdtemp(dir=existing))
        return None
    except OSError as error:
        return (
            f"{folder}: {error.strerror.lower() if error.strerror else error}; the user running Touchpoints "
            f"({getpass.getuser()}) needs permission to create and write files there"
        )


def folder_problems(paths: Paths) -> list[str]:
    """Every folder the run writes that it cannot, each with what to do about it."""
    folders = sorted({paths.home, paths.landing, paths.warehouse.parent, paths.build_warehouse.parent})
    return [problem for folder in folders if (problem := unwritable(folder))]


def connection_problems() -> list[str]:
    """Every vendor connection that is missing or malformed (Airflow must be configured first)."""
    found = []
    for source in SOURCES:
        try:
            connection_settings(source)
        except ConfigurationError as error:
            found.append(str(error))
    return found
