"""The suppression list: keyed hashes of the identifiers of people who asked to be forgotten, so that no
later extract or backfill lands them again.

It lives in ``<landing>/_state/suppression.jsonl``: a first line that checks the key, then one
HMAC-SHA256 of ``kind:value`` per line, never an identifier itself. The key is
``TOUCHPOINTS_SUPPRESSION_KEY`` when set, else one generated on first use into
``<landing>/_state/suppression.key`` (owner-only). A list made with one key cannot be read with another:
loading it fails rather than letting the people on it back in.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from connectors.errors import ConfigurationError
from connectors.identifiers import EMAIL, emails_in, identifiers_of
from connectors.private import FILE_MODE, private_dir
from connectors.state import STATE_DIR

LIST_FILE = "suppression.jsonl"
KEY_FILE = "suppression.key"
KEY_ENV = "TOUCHPOINTS_SUPPRESSION_KEY"
_KEY_CHECK = b"touchpoints suppression list"


def _key(state: Path) -> bytes:
    if configured := os.environ.get(KEY_ENV):
        return configured.encode()
    path = state / KEY_FILE
    if not path.exists():  # written aside, then linked in: concurrent first uses agree on one key
        private_dir(state)
        aside = state / f".{KEY_FILE}.{os.getpid()}"
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
        aside.unlink()
    return path.read_text().strip().encode()


class SuppressionList:
    """The forgotten people's identifiers, as keyed hashes; ``add`` appends, under a lock, what is new."""

    def __init__(self, landing: Path) -> None:
        self.path = landing / STATE_DIR / LIST_FILE
        self._hashes = self._read()

    @functools.cached_property
    def _key(self) -> bytes:
        return _key(self.path.parent)

    @functools.cached_property
    def _check(self) -> str:
        return hmac.new(self._key, _KEY_CHECK, hashlib.sha256).hexdigest()

    def _read(self) -> set[str]:
        """The list's hashes; the key is read (or made) only once there is a list."""
        lines = self.path.read_text().splitlines() if self.path.exists() else []
        if not lines:
            return set()
        header, *lines = lines
        if json.loads(header).get("key_check") != self._check:
            raise ConfigurationError(
                f"the suppression list {self.path} was made with another key than this one "
                f"({KEY_ENV}, else {self.path.parent / KEY_FILE}): set the key it was made with; "
                "nothing is landed until then, so that no forgotten person comes back"
            )
        return {line for line in lines if line}

    def digest(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def __bool__(self) -> bool:
        return bool(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)

    def holds(self, identifiers: Iterable[tuple[str, str]]) -> bool:
        """True when any of the ``(kind, normalized value)`` pairs is on the list."""
        return bool(self._hashes) and any(
            self.digest(kind, value) in self._hashes for kind, value in identifiers
        )

    def add(self, identifiers: Iterable[tuple[str, str]]) -> int:
        """Put the pairs on the list (landing processes may add at once); how many were new."""
        digests = {self.digest(kind, value) for kind, value in identifiers}
        if digests <= self._hashes:  # a dropped record's ids are mostly listed already: no file I/O
            return 0
        private_dir(self.path.parent)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        with os.fdopen(descriptor, "r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._hashes |= self._read()
            new = digests - self._hashes
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                handle.write(json.dumps({"key_check": self._check}) + "\n")
            handle.writelines(f"{digest}\n" for digest in sorted(new))
        self._hashes |= new
        return len(new)


class StreamSuppression:
    """What one stream's landing drops: records with an identifier on the list. A dropped record that
    links its identifiers (``Stream.links_identifiers``) puts them all on the list, so that what hangs
    off it (a new ticket's comments) is dropped too."""

    def __init__(
        self, suppressed: SuppressionList, columns: tuple[tuple[str, str], ...], links: bool
    ) -> None:
        self.suppressed, self.columns, self.links = suppressed, columns, links

    def drops(self, record: dict[str, Any]) -> bool:
        """True for a record of a forgotten person. One that could not be read (``_raw``) is judged by
        the e-mail addresses written in it."""
        if not self.suppressed:
            return False
        if "_error" in record:
            raw = record.get("_raw", record)
            text = raw if isinstance(raw, str) else json.dumps(raw, default=str)
            return self.suppressed.holds((EMAIL, email) for email in emails_in(text))
        found = identifiers_of(record, self.columns)
        if not self.suppressed.holds(found):
            return False
        if self.links:
            self.suppressed.add(found)
        return True
