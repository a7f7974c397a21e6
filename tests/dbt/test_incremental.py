"""Incremental builds day by day give exactly what a full refresh over the same landing zone gives,
while recomputing only what the new day touched."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.landing import DATA_FILE, MANIFEST_FILE, partition_dir, read_manifest
from connectors.settings import Interval
from tests.pipeline_home import land_day
from tests.warehouses import assert_same_marts, mart_frames
from touchpoints.config import Paths
from touchpoints.dbt_runner import DbtFailed, run_dbt

DAY_ONE, DAY_TWO, DAY_THREE = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def marts(paths: Paths) -> dict[str, pd.DataFrame]:
    return mart_frames(paths.build_warehouse)


def assert_equal_to_a_full_refresh(paths: Paths) -> None:
    incremental = marts(paths)
    run_dbt(paths, "build", "--full-refresh")
    assert_same_marts(incremental, marts(paths))


def query(paths: Paths, sql: str) -> list[tuple]:
    with duckdb.connect(str(paths.build_warehouse), read_only=True) as db:
        return db.sql(sql).fetchall()


def kept_and_recomputed(paths: Paths, table: str) -> tuple[int, int]:
    """Rows of an incremental table that the last build kept, and rows it wrote (its newest ``_batch_at``)."""
    return query(
        paths,
        f"""select count(*) filter (where _batch_at < (select max(_batch_at) from {table})),
                   count(*) filter (where _batch_at = (select max(_batch_at) from {table}))
            from {table}""",
    )[0]


def stage_a_web_event_without_id(paths: Paths, batch_at: str) -> None:
    """Insert a staged web event with no message_id, as if written by the build at ``batch_at``."""
    with duckdb.connect(str(paths.build_warehouse)) as db:
        db.execute(
            "insert into staging.stg_web__events select * replace "
            "(cast(null as varchar) as message_id, cast(? as timestamp) as _batch_at) "
            "from staging.stg_web__events limit 1",
            [batch_at],
        )


def land_a_changed_record(paths: Paths, entity: str, key: str, value: int, changes: dict) -> None:
    """Land DAY_THREE of one Zendesk entity as its incremental export would send it: the newest landed
    version of the record ``key = value``, with ``changes``, updated a day later."""
    files = sorted((paths.landing / "zendesk" / entity).glob(f"ds=*/{DATA_FILE}"))
    newest = [row for file in files for row in pq.read_table(file).to_pylist() if row[key] == value][-1]
    changed = {**newest, **changes, "updated_at": newest["updated_at"] + timedelta(days=1)}
    partition = partition_dir(paths.landing, "zendesk", entity, DAY_THREE.isoformat())
    partition.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([changed], schema=pq.read_schema(files[-1])), partition / DATA_FILE)
    manifest = asdict(read_manifest(paths.landing, "zendesk", entity, DAY_TWO.isoformat()))
    manifest.update(ds=DAY_THREE.isoformat(), interval=str(Interval.for_day(DAY_THREE)), rows=1)
    (partition / MANIFEST_FILE).write_text(json.dumps(manifest))


def events_of(folder: Path, day: date) -> list[dict]:
    return [json.loads(line) for line in (folder / f"{day}.jsonl").read_text().splitlines()]


def write_events(folder: Path, day: date, events: list[dict]) -> None:
    (folder / f"{day}.jsonl").write_text("".join(json.dumps(event) + "\n" for event in events))


def identify_on_day_two(events_dir: Path, folder: Path) -> str:
    """Copy the event files, adding on day 2 an identify for a visitor who was anonymous on day 1."""
    shutil.copytree(events_dir, folder)
    visitor = next(e["anonymousId"] for e in events_of(folder, DAY_ONE) if e["type"] == "page")
    identify = {
        "type": "identify", "messageId": "late-identify", "anonymousId": visitor, "userId": "u-late",
        "timestamp": "2026-11-02T12:00:00.000Z", "traits": {"email": "Late.Identified@Example.com"},
    }  # fmt: skip
    write_events(folder, DAY_TWO, [*events_of(folder, DAY_TWO), identify])
    return visitor


@pytest.fixture
def own_events(events_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "events"
    identify_on_day_two(events_dir, folder)
    monkeypatch.setenv("TOUCHPOINTS_WEB_EVENTS_URL", str(folder))
    return folder


def test_incremental_day_by_day_equals_full_refresh(pipeline_env: Path, own_events: Path) -> None:
    paths = Paths.from_env()
    land_day(paths, DAY_ONE)
    run_dbt(paths, "build")
    day_one = dict(query(paths, "select touchpoint_id, customer_id from marts.fct_touchpoints"))

    land_day(paths, DAY_TWO)
    # an incomplete build first (selected: fct_touchpoints and what it needs, not the marts after it);
    # the next complete one must still take day 2 in whole, the dates and campaigns it moved included
    run_dbt(paths, "run", "--select", "+fct_touchpoints")
    run_dbt(paths, "build")
    rekeyed = dict(query(paths, "select touchpoint_id, customer_id from marts.fct_touchpoints"))
    changed = sum(rekeyed.get(tp) != customer for tp, customer in day_one.items())
    assert changed > 0, "day 2 links a day-1 visitor to an e-mail: their old rows must be re-keyed"

    kept, recomputed = kept_and_recomputed(paths, "intermediate.int_identities_stitched")
    assert kept > 0 and recomputed > 0, "day 2 recomputes the identities it touched and keeps the others"
    assert_equal_to_a_full_refresh(paths)


def test_a_partition_landed_again_without_a_record_rebuilds_without_it(
    pipeline_env: Path, own_events: Path
) -> None:
    paths = Paths.from_env()
    for day in (DAY_ONE, DAY_TWO):
        land_day(paths, day)
    run_dbt(paths, "build")

    day_one = events_of(own_events, DAY_ONE)
    dropped = next(e for e in day_one if e["type"] == "page")
    write_events(own_events, DAY_ONE, [e for e in day_one if e["messageId"] != dropped["messageId"]])
    land_day(paths, DAY_ONE)  # a backfill of day 1: the page view is gone at the source
    run_dbt(paths, "build")

    page_view = hashlib.md5(f"web|page_view|{dropped['messageId']}".encode()).hexdigest()
    assert query(
        paths, f"select count(*) from marts.fct_touchpoints where touchpoint_id = '{page_view}'"
    ) == [(0,)]
    assert_equal_to_a_full_refresh(paths)


def test_build_tests_check_the_rows_it_recomputed_and_dbt_test_checks_all(
    pipeline_env: Path, own_events: Path
) -> None:
    paths = Paths.from_env()
    land_day(paths, DAY_ONE)
    run_dbt(paths, "build")

    stage_a_web_event_without_id(paths, "2000-01-01")  # written before the last complete build
    run_dbt(paths, "build")  # its tests check what it recomputes: not that row
    with pytest.raises(DbtFailed, match="primary_key_stg_web__events_message_id"):
        run_dbt(paths, "test", "--select", "stg_web__events")  # every row

    stage_a_web_event_without_id(paths, "2999-01-01")  # written after the last complete build
    with pytest.raises(DbtFailed, match="primary_key_stg_web__events_message_id"):
        run_dbt(paths, "build")


def test_a_ticket_that_changes_requester_and_a_commenter_who_becomes_an_agent(
    pipeline_env: Path, own_events: Path
) -> None:
    paths = Paths.from_env()
    for day in (DAY_ONE, DAY_TWO):
        land_day(paths, day)
    run_dbt(paths, "build")
    [(ticket, new_requester, new_customer)] = query(
        paths,
        """select tickets.ticket_id, other.requester_id, identities.customer_id
           from staging.stg_zendesk__tickets as tickets
           join staging.stg_zendesk__tickets as other on other.requester_id <> tickets.requester_id
           join intermediate.int_identities_stitched as identities
               on identities.source_system = 'zendesk' and identities.source_user_id = cast(other.requester_id as varchar)
           where not tickets.is_deleted
           order by tickets.ticket_id, other.ticket_id limit 1""",
    )
    [(commenter, comment)] = query(  # on another ticket, so that only the new agent changes its replies;
        # not the new requester, whom becoming an agent would make nobody's customer
        paths,
        f"""select comments.author_id, comments.comment_id
           from staging.stg_zendesk__ticket_comments as comments
           join staging.stg_zendesk__users as users on users.user_id = comments.author_id
           join staging.stg_zendesk__tickets as tickets on tickets.ticket_id = comments.ticket_id
           where comments.is_public and not users.is_agent and not tickets.is_deleted
               and tickets.ticket_id <> {ticket} and comments.author_id <> {new_requester}
           order by comments.comment_id limit 1""",
    )
    ticket_customers = f"""select distinct customer_id from marts.fct_touchpoints
        where source_system = 'zendesk' and source_object_id = '{ticket}'"""
    replies_of_comment = (
        f"select count(*) from intermediate.int_ticket_agent_replies where comment_id = {comment}"
    )
    assert query(paths, ticket_customers) != [(new_customer,)]
    assert query(paths, replies_of_comment) == [(0,)]

    land_a_changed_record(paths, "tickets", "ticket_id", ticket, {"requester_id": new_requester})
    land_a_changed_record(paths, "users", "user_id", commenter, {"role": "agent"})
    run_dbt(paths, "build")

    assert query(paths, ticket_customers) == [(new_customer,)], (
        "the ticket's touchpoints move to its new requester"
    )
    assert query(paths, replies_of_comment) == [(1,)]
    kept, recomputed = kept_and_recomputed(paths, "intermediate.int_support_tickets")
    assert recomputed > 0 and kept > 0, "only the changed tickets are recomputed"
    assert_equal_to_a_full_refresh(paths)
