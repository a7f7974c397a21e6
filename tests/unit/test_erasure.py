"""Erasure in the landing zone and the suppression list, on a few Zendesk records written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.erasure import Naming, erase_landing, linked_identifiers
from connectors.errors import ConfigurationError
from connectors.identifiers import EMAIL, ZENDESK_TICKET, ZENDESK_USER
from connectors.integrity import damaged_partitions
from connectors.landing import DATA_FILE, MANIFEST_FILE, PartitionWriter, partition_dir
from connectors.registry import SOURCES
from connectors.streams import suppression_of
from connectors.suppression import KEY_ENV, SuppressionList
from expectations.redaction import ERASED, redact_results
from touchpoints.config import Paths
from touchpoints.forget import forget
from touchpoints.run_lock import LockBusy, writing

ZENDESK = SOURCES["zendesk"]
DS = "2026-11-01"
AGENT, ALICE, BOB = 900, 101, 102
RECORDS = {
    "users": [
        {"user_id": ALICE, "email": " Alice@Example.com", "role": "end-user", "updated_at": "2026-11-01T08:00:00Z"},
        {"user_id": BOB, "email": "bob@example.com", "role": "end-user", "updated_at": "2026-11-01T08:00:00Z"},
        {"user_id": AGENT, "email": "agent@brand.example", "role": "agent", "updated_at": "2026-11-01T08:00:00Z"},
    ],
    "tickets": [
        {"ticket_id": 1, "status": "open", "requester_id": ALICE, "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-01T09:00:00Z"},
        {"ticket_id": 2, "status": "open", "requester_id": BOB, "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-01T09:00:00Z"},
    ],
    "ticket_comments": [
        {"comment_id": 11, "ticket_id": 1, "author_id": ALICE, "created_at": "2026-11-01T09:00:00Z"},
        {"comment_id": 12, "ticket_id": 1, "author_id": AGENT, "created_at": "2026-11-01T10:00:00Z"},
        {"comment_id": 21, "ticket_id": 2, "author_id": BOB, "created_at": "2026-11-01T09:00:00Z"},
        {"comment_id": 22, "ticket_id": 2, "author_id": AGENT, "created_at": "2026-11-01T10:00:00Z"},
        {"comment_id": 23, "ticket_id": 2, "author_id": "not a number", "created_at": "2026-11-01T10:00:00Z",
         "note": "forwarded by alice@example.com"},
    ],
}  # fmt: skip


def land(root: Path, entity: str, records: list[dict], with_suppression: bool = False) -> None:
    stream = ZENDESK.stream(entity)
    writer = PartitionWriter(
        root, "zendesk", entity, DS, DS, stream.schema, stream.primary_key,
        suppression_of(stream, root) if with_suppression else None,
    )  # fmt: skip
    writer.write_page((f"item {i}", dict(r)) for i, r in enumerate(records))
    writer.commit()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    for entity, records in RECORDS.items():
        land(tmp_path, entity, records)
    return tmp_path


def landed(root: Path, entity: str, column: str) -> list:
    return pq.read_table(partition_dir(root, "zendesk", entity, DS) / DATA_FILE)[column].to_pylist()


def test_an_address_leads_to_its_user_their_tickets_but_not_the_agent_who_replied(landing: Path) -> None:
    linked = linked_identifiers(landing, ["ALICE@example.com ", "carol@example.com"])
    assert linked.found == {"alice@example.com"}
    known = linked.known
    assert known[EMAIL] - {"carol@example.com"} == {"alice@example.com"}
    assert known[ZENDESK_USER] == {str(ALICE)}
    assert known[ZENDESK_TICKET] == {"1"}


def test_erasure_rewrites_partitions_without_them_and_records_only_counts(landing: Path) -> None:
    erased = erase_landing(landing, linked_identifiers(landing, ["alice@example.com"]).known)
    assert landed(landing, "users", "user_id") == [BOB, AGENT]
    assert landed(landing, "tickets", "ticket_id") == [2]
    assert landed(landing, "ticket_comments", "comment_id") == [21, 22]  # the agent's reply on her ticket too
    quarantine = landing / "_quarantine/zendesk/ticket_comments" / f"ds={DS}" / "records.jsonl"
    assert quarantine.read_text() == ""  # the bad record that named her address in its text
    assert (erased.partitions, erased.rows, erased.quarantined) == (3, 4, 1)
    manifest = json.loads(
        (partition_dir(landing, "zendesk", "ticket_comments", DS) / MANIFEST_FILE).read_text()
    )
    assert (manifest["rows"], manifest["quarantined"]) == (2, 0)
    assert [(e["rows"], e["quarantined"]) for e in manifest["erasures"]] == [(2, 1)]
    assert "alice" not in json.dumps(manifest).lower()
    assert damaged_partitions(landing) == []  # the manifests describe the rewritten files


def test_erasing_someone_unknown_changes_no_file(landing: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in landing.rglob("*") if p.is_file()}
    erased = erase_landing(landing, linked_identifiers(landing, ["carol@example.com"]).known)
    assert erased.rows == erased.quarantined == erased.partitions == 0
    assert {p: p.stat().st_mtime_ns for p in landing.rglob("*") if p.is_file()} == before


def test_the_suppression_list_drops_them_and_what_hangs_off_a_dropped_record(tmp_path: Path) -> None:
    SuppressionList(tmp_path).add({(EMAIL, "alice@example.com"), (ZENDESK_USER, str(ALICE))})
    land(tmp_path, "tickets", [*RECORDS["tickets"], {"ticket_id": 3, "status": "new", "requester_id": ALICE,
                                                     "created_at": "2026-11-01T11:00:00Z", "updated_at": "2026-11-01T11:00:00Z"}], with_suppression=True)  # fmt: skip
    land(tmp_path, "ticket_comments", RECORDS["ticket_comments"], with_suppression=True)
    assert landed(tmp_path, "tickets", "ticket_id") == [2]
    assert landed(tmp_path, "ticket_comments", "comment_id") == [21, 22]  # ticket 1's comments follow it
    manifest = json.loads((partition_dir(tmp_path, "zendesk", "tickets", DS) / MANIFEST_FILE).read_text())
    assert manifest["suppressed"] == 2
    listed = (tmp_path / "_state" / "suppression.jsonl").read_text()
    assert "alice" not in listed.lower() and str(ALICE) not in listed.splitlines()


def test_a_list_read_with_another_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    SuppressionList(tmp_path).add({(EMAIL, "alice@example.com")})
    assert len(SuppressionList(tmp_path)) == 1
    monkeypatch.setenv(KEY_ENV, "another key")
    with pytest.raises(ConfigurationError, match="another key"):
        SuppressionList(tmp_path)


def test_stored_gx_results_and_texts_lose_what_names_them(tmp_path: Path) -> None:
    known = {EMAIL: {"alice@example.com"}, ZENDESK_USER: {"360000000101"}}
    naming = Naming(known)
    result = {
        "results": [
            {
                "result": {
                    "partial_unexpected_list": ["ALICE@example.com", "bob@example.com", 360000000101, 7]
                }
            },
            {"result": {"partial_unexpected_counts": [{"value": "ok", "count": 2}]}},
        ]
    }
    stored = tmp_path / "gx" / "uncommitted" / "validations" / "suite" / "run.json"
    stored.parent.mkdir(parents=True)
    stored.write_text(json.dumps(result))
    assert redact_results(tmp_path, naming) == 2
    values = json.loads(stored.read_text())["results"][0]["result"]["partial_unexpected_list"]
    assert values == [ERASED, "bob@example.com", ERASED, 7]
    line = "cross.x failed: 2 offending rows, e.g. [('Alice@Example.com', 360000000101), ('bob', 2)]"
    assert (
        naming.redact(line, ERASED)
        == f"cross.x failed: 2 offending rows, e.g. [('{ERASED}', {ERASED}), ('bob', 2)]"
    )
    assert not naming("bob@example.com") and naming(" 360000000101 ")


def test_forget_refuses_while_a_run_writes_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINTS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TOUCHPOINTS_DUCKDB_PATH", str(tmp_path / "warehouse" / "touchpoints.duckdb"))
    paths = Paths.from_env()
    running = "touchpoints run --start 2026-11-01 --end 2026-11-01"
    with writing(paths, running), pytest.raises(LockBusy, match=running):
        forget(paths, ["alice@example.com"])
    assert forget(paths, ["alice@example.com"]).rebuilt is False  # free again: a clean no-op
