"""``touchpoints forget``: erase people, given by e-mail address, from everything the project keeps, and
keep them out of every later extract.

In order, holding the home and the warehouse (``run_lock.writing``): follow the addresses to every
identifier the landed records link to them; put those on the suppression list; rewrite the landing
partitions and quarantine files without their records; redact them from the stored GX results; rebuild
the build warehouse from nothing (a new file: a DuckDB file keeps a dropped table's bytes in its free
blocks; on PostgreSQL, new schemas and landing copies; on Spark, new build databases), audit it and
publish it (which rewrites the published file and the Parquet exports; on Spark, every published copy
but the new one is dropped); build the docs again. A marker in the state folder says an erasure is
under way, so that a forget that stopped part-way finishes on the next call. Nothing logged or recorded
names a person.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.erasure import (
    Erased,
    Identifiers,
    Naming,
    erase_landing,
    linked_identifiers,
    pairs,
)
from connectors.identifiers import EMAIL, normalized
from connectors.landing import MANIFEST_FILE
from connectors.private import private_dir, private_file
from connectors.state import STATE_DIR
from connectors.suppression import SuppressionList
from touchpoints.config import Paths
from touchpoints.run_days import RunDays
from touchpoints.run_lock import writing

log = logging.getLogger(__name__)
PENDING_FILE = "erasure.pending"


@dataclass(frozen=True)
class Forgotten:
    """What one ``forget`` did, in counts only."""

    addresses: int
    known: int  # addresses with any landed record
    identifiers: int
    erased: Erased
    newly_suppressed: int
    values_redacted: int
    rebuilt: bool

    def describe(self) -> str:
        if not self.rebuilt:
            return (
                f"no landed record holds any of the {self.addresses} addresses given: nothing changed "
                "(an address already forgotten is on the suppression list and lands no more)"
            )
        return (
            f"{self.known} of {self.addresses} addresses had records: {self.identifiers} linked "
            f"identifiers put on the suppression list ({self.newly_suppressed} new); "
            f"{self.erased.rows} landed records in {self.erased.partitions} partitions and "
            f"{self.erased.quarantined} quarantined ones erased; {self.values_redacted} values redacted "
            "from the GX results, logs and run audit; warehouse rebuilt, audited and published; exports and docs rewritten"
        )


def customer_keys(email: str) -> tuple[str, str]:
    """An address's ``email_sha256`` and ``customer_id`` as the models derive them (macros/identity.sql)."""
    digest = hashlib.sha256(email.encode()).hexdigest()
    return digest, f"cus_{digest[:16]}"


def _naming(known: Identifiers) -> Naming:
    """What names the people: their identifiers and customer keys."""
    keys = {key for email in known.get(EMAIL, ()) for key in customer_keys(email)}
    return Naming({**known, "customer_key": keys})


def landed_days(landing: Path) -> RunDays:
    """The first to the last landed day, over every source."""
    days = sorted(
        {path.parent.name.removeprefix("ds=") for path in landing.glob(f"*/*/ds=*/{MANIFEST_FILE}")}
    )
    return RunDays(date.fromisoformat(days[0]), date.fromisoformat(days[-1]))


def forget(
    paths: Paths, addresses: list[str], *, wait: bool = False, waiting: Callable[[str], object] = print
) -> Forgotten:
    """Erase the people with these addresses (see the module's docstring); a no-op for addresses no
    landed record holds."""
    with writing(paths, "touchpoints forget", wait=wait, waiting=waiting):
        return _forget_locked(paths, addresses)


def _forget_locked(paths: Paths, addresses: list[str]) -> Forgotten:
    emails = {e for e in map(normalized, addresses) if e}
    linked = linked_identifiers(paths.landing, emails)
    # an address no landed record holds may still be written in a quarantined one
    found = linked.found | {e for e in emails - linked.found if _holds(paths, {EMAIL: {e}})}
    pending = paths.landing / STATE_DIR / PENDING_FILE
    if not found and not pending.exists():
        log.info("forget: none of %d addresses has a landed record; nothing changed", len(emails))
        return Forgotten(len(emails), 0, 0, Erased(), 0, 0, rebuilt=False)
    known = {**linked.known, EMAIL: linked.known[EMAIL] - (emails - found)}  # unknown ones stay off the list
    private_dir(pending.parent, paths.landing)
    pending.write_text(json.dumps({"since": datetime.now(UTC).isoformat(timespec="seconds")}))
    private_file(pending)
    newly_suppressed = SuppressionList(paths.landing).add(pairs(known))
    erased = erase_landing(paths.landing, known)
    redacted = _redact(paths, _naming(known))
    _rebuild(paths, erased, len(found))
    pending.unlink()
    forgotten = Forgotten(
        len(emails), len(found), len(pairs(known)), erased, newly_suppressed, redacted, rebuilt=True
    )
    log.info("forget: %s", forgotten.describe())
    return forgotten


def _holds(paths: Paths, known: Identifiers) -> bool:
    """Whether any landed or quarantined record names the address (a person known only by it)."""
    return erase_landing(paths.landing, known, dry_run=True) != Erased()


def _redact_logs(folders: list[Path], names_them: Naming) -> int:
    """Rewrite the log files that name the people (a failed check's message quotes sample rows) with
    ``[erased]`` in their place; how many files were."""
    from expectations.redaction import ERASED

    rewritten = 0
    for path in sorted(p for folder in folders if folder.exists() for p in folder.rglob("*.log")):
        text = path.read_text(errors="replace")
        if names_them(text):
            path.write_text(names_them.redact(text, ERASED))
            rewritten += 1
    return rewritten


def _redact(paths: Paths, names_them: Naming) -> int:
    """Redact the people from the stored GX results, the logs, and the failures the run audit quotes;
    how many values and files were."""
    from expectations.redaction import redact_results

    redacted = redact_results(paths.gx, names_them)
    redacted += _redact_logs([paths.home / "logs", paths.airflow_home / "logs"], names_them)
    return redacted + redact_run_audit(paths, names_them)


def redact_run_audit(paths: Paths, names_them: Naming) -> int:
    """Write again, run by run, the run audit's results whose failures name the people (a failed
    cross-check quotes a few offending rows), with ``[erased]`` in their place: a run's rows are
    replaced as a retried task replaces them, which every engine does (Spark's tables take no UPDATE).
    How many distinct failure texts named them."""
    from expectations.redaction import ERASED
    from touchpoints.audit import VALIDATION_RESULTS
    from touchpoints.warehouse import warehouse_for

    warehouse = warehouse_for(paths)
    columns = [column for column, _ in VALIDATION_RESULTS.columns]
    failures = columns.index("failures")
    table = f"audit.{VALIDATION_RESULTS.name}"
    with warehouse.open(build=True, read_only=False) as audit:
        if audit is None or VALIDATION_RESULTS.name not in audit.tables("audit"):
            return 0
        quoted = audit.rows(f"select distinct run_id, failures from {table} where failures is not null")
        naming = {text for _, text in quoted if names_them(text)}
        runs = sorted({run for run, text in quoted if text in naming})
        held = {
            run: audit.rows(f"select {', '.join(columns)} from {table} where run_id = ?", [run])
            for run in runs
        }
    for run, rows in held.items():
        redacted = [
            (*row[:failures], ERASED if row[failures] in naming else row[failures], *row[failures + 1 :])
            for row in rows
        ]
        warehouse.replace_audit_rows(VALIDATION_RESULTS, {"run_id": run}, redacted)
    return len(naming)


def _rebuild(paths: Paths, erased: Erased, people: int) -> None:
    """A full build into a new build warehouse, audited, recorded and published; then the docs."""
    from touchpoints import pipeline
    from touchpoints.audit import record_erasure
    from touchpoints.presentation.docs import build_docs
    from touchpoints.warehouse import warehouse_for

    run_id = f"forget__{datetime.now(UTC).isoformat(timespec='seconds')}"
    warehouse = warehouse_for(paths)
    warehouse.start_afresh()
    pipeline.build_warehouse(full_refresh=True)
    # the marts shrink by what was erased, by design; what guards against a broken load does not apply
    pipeline.validate_marts(landed_days(paths.landing), run_id, bound_shrinking=False)
    record_erasure(paths, run_id, people, erased)
    pipeline.publish_warehouse()
    warehouse.drop_swapped_out()
    shutil.rmtree(paths.gx / "gx" / "uncommitted" / "data_docs", ignore_errors=True)
    build_docs(paths)  # every stored result rendered again, from the redacted ones
