"""``touchpoints forget`` end to end: people erased from a home that ran two nights leave no trace in any
file, the marts equal those of a company whose vendors never had them, a re-run of a day does not bring
them back, and forgetting again, or forgetting someone unknown, changes nothing."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from _pytest.monkeypatch import MonkeyPatch

from connectors.landing import MANIFEST_FILE
from sandbox.generator import Person, World
from tests.forgotten_people import addresses_of, chosen_people, files_naming, has, traces
from tests.mart_checksums import mart_checksums
from tests.pipeline_home import point_pipeline_at
from touchpoints.airflow_env import run_day
from touchpoints.cli import main
from touchpoints.config import Paths
from touchpoints.forget import Forgotten, forget

pytestmark = pytest.mark.e2e
LAST_NIGHT = date(2026, 11, 2)


@dataclass
class Erasure:
    people: list[Person]
    forgotten: Forgotten
    paths: Paths
    marts_after_forget: dict[str, tuple[int, str]]
    marts_after_rerun: dict[str, tuple[int, str]]
    marts_never_had_them: dict[str, tuple[int, str]]
    erasures_in_manifests: list[dict]
    traces_before: list[str]
    traces_after_forget: list[str]
    traces_after_rerun: list[str]
    suppressed_on_rerun: int
    again: Forgotten
    unknown_output: str


@pytest.fixture(scope="module")
def erasure(
    two_nights: Path,
    company_without_them: Path,
    nightly_dag,
    world: World,
    sandbox,
    events_dir,
    tmp_path_factory,
) -> Iterator[Erasure]:
    people = chosen_people(world)
    marts_never_had_them = mart_checksums(str(company_without_them))
    root = tmp_path_factory.mktemp("forget")
    patch = MonkeyPatch()
    home = root / "forgetting"
    shutil.copytree(two_nights.parent.parent, home)  # the two nights the session already ran, with everyone
    paths = point_pipeline_at(patch, home, sandbox, events_dir)
    try:
        needles = set().union(*(traces(world, p) for p in people))
        roots = [paths.home]  # the warehouses, exports, GX project, docs and logs are all under it here
        addresses = addresses_of(people)
        traces_before = files_naming(roots, needles)
        forgotten = forget(paths, addresses)
        marts_after_forget = mart_checksums(str(paths.warehouse))
        manifests = [json.loads(p.read_text()) for p in paths.landing.glob(f"*/*/ds=*/{MANIFEST_FILE}")]
        erasures_in_manifests = [e for m in manifests for e in m["erasures"]]
        traces_after_forget = files_naming(roots, needles)
        assert run_day(nightly_dag, LAST_NIGHT) == "success"  # the vendors still hold them
        manifests = [
            json.loads(p.read_text()) for p in paths.landing.glob(f"*/*/ds={LAST_NIGHT}/{MANIFEST_FILE}")
        ]
        suppressed_on_rerun = sum(m["suppressed"] for m in manifests)
        marts_after_rerun = mart_checksums(str(paths.warehouse))
        traces_after_rerun = files_naming(roots, needles)
        again = forget(paths, addresses)
        out = io.StringIO()
        with redirect_stdout(out):
            main(["forget", "nobody.we.know@example.com"])
        yield Erasure(
            people, forgotten, paths, marts_after_forget, marts_after_rerun, marts_never_had_them,
            erasures_in_manifests, traces_before, traces_after_forget, traces_after_rerun, suppressed_on_rerun, again, out.getvalue(),
        )  # fmt: skip
    finally:
        patch.undo()


def test_the_chosen_people_have_records_at_every_vendor_an_address_leads_to(
    erasure: Erasure, world: World
) -> None:
    kinds = {kind for person in erasure.people for kind, count in has(world, person).items() if count}
    assert {"orders", "tickets", "identified", "reviews", "member"} <= kinds
    assert erasure.forgotten.known == 3 and erasure.forgotten.rebuilt
    assert erasure.forgotten.erased.rows > 0


def test_no_file_of_the_home_names_them_after_forget(erasure: Erasure) -> None:
    before = {trace.rsplit(": ", 1)[1] for trace in erasure.traces_before}
    assert len(before) >= 8  # the scan finds them where they were: addresses, hashes, keys and ids
    assert any(".duckdb:" in trace for trace in erasure.traces_before)
    assert any(".parquet:" in trace for trace in erasure.traces_before)
    assert erasure.traces_after_forget == []


def test_the_marts_equal_those_of_a_company_that_never_had_them(erasure: Erasure) -> None:
    assert erasure.marts_after_forget == erasure.marts_never_had_them


def test_a_rerun_of_a_day_does_not_bring_them_back(erasure: Erasure) -> None:
    assert erasure.suppressed_on_rerun > 0
    assert erasure.traces_after_rerun == []
    assert erasure.marts_after_rerun == erasure.marts_never_had_them


def test_forgetting_again_or_someone_unknown_changes_nothing(erasure: Erasure) -> None:
    assert not erasure.again.rebuilt and erasure.again.known == 0
    assert "nothing changed" in " ".join(erasure.unknown_output.split())


def test_the_erasure_is_recorded_without_naming_anyone(erasure: Erasure) -> None:
    with duckdb.connect(str(erasure.paths.warehouse), read_only=True) as db:
        people, rows = db.execute("select people, rows_erased from audit.erasures").fetchone()
    assert (people, rows) == (3, erasure.forgotten.erased.rows)
    erasures = erasure.erasures_in_manifests
    assert len(erasures) == erasure.forgotten.erased.partitions
    assert sum(e["rows"] for e in erasures) == erasure.forgotten.erased.rows
    assert set().union(*map(set, erasures)) == {"erased_at", "rows", "quarantined"}
