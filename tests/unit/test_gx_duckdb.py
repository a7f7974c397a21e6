"""GX's SQL engine on DuckDB through the project's ``duckdb`` datasource: metrics computed by DuckDB and
equal to hand-counted answers (upstream, every one of them came back empty: GX issue 10738)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pytest

import expectations.duckdb_datasource  # noqa: F401 - registers the datasource type
from expectations.runner import SqlBatch, open_context, validate_batch

ROWS = """
    select * from (values
        ('cus_0123456789abcdef', 1, 'page'),
        ('anon_42', 2, 'track'),
        ('bad id', 9, 'track'),
        ('bad id', 9, 'click'),
        (null, 3, 'page')
    ) as t(customer_id, stars, event_type)
"""


@pytest.fixture
def batch():
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_duckdb(name="duck", connection_string="duckdb:///:memory:")
    yield source.add_query_asset(name="rows", query=ROWS).add_batch_definition_whole_table("all").get_batch()
    source.get_execution_engine().close()


@pytest.mark.parametrize(
    ("expectation", "success", "unexpected"),
    [
        (gxe.ExpectColumnValuesToNotBeNull(column="customer_id"), False, 1),
        (gxe.ExpectColumnValuesToBeBetween(column="stars", min_value=1, max_value=5), False, 2),
        (gxe.ExpectColumnValuesToBeInSet(column="event_type", value_set=["page", "track"]), False, 1),
        (
            gxe.ExpectColumnValuesToMatchRegex(column="customer_id", regex=r"^(?:cus_[0-9a-f]{16}|anon_.+)$"),
            False,
            2,
        ),
        (gxe.ExpectColumnValuesToBeUnique(column="customer_id"), False, 2),
        (
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["customer_id", "stars"], ignore_row_if="never"),
            False,
            2,
        ),
        (gxe.ExpectColumnValuesToBeBetween(column="stars", min_value=1), True, 0),
    ],
)
def test_metrics_are_computed_by_duckdb(batch, expectation, success: bool, unexpected: int) -> None:
    result = batch.validate(expectation)
    assert result.exception_info.get("raised_exception") is not True, result.exception_info
    assert result.success is success
    assert result.result["unexpected_count"] == unexpected


def test_table_metrics(batch) -> None:
    rows = batch.validate(gxe.ExpectTableRowCountToBeBetween(min_value=5, max_value=5))
    columns = batch.validate(
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=["customer_id", "stars", "event_type"])
    )
    assert rows.success and rows.result["observed_value"] == 5
    assert columns.success


def test_validating_a_file_keeps_no_connection_open(tmp_path: Path) -> None:
    """After validate_batch, the DuckDB file can be opened read-write again (the next pipeline step)."""
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as db:
        db.execute(f"create schema marts; create table marts.t as {ROWS}")
    suite = gx.ExpectationSuite(name="t", expectations=[gxe.ExpectColumnValuesToNotBeNull(column="stars")])
    batch = SqlBatch("warehouse", "duckdb", f"duckdb:///{database}", "select * from marts.t",
                     {"connect_args": {"read_only": True}})  # fmt: skip
    outcome = validate_batch(open_context(tmp_path / "gx"), suite, batch)
    assert outcome.success and outcome.rows == 5 and outcome.evaluated == 1
    with duckdb.connect(str(database)) as db:  # a read-only handle still open would make this fail
        db.execute("insert into marts.t values ('x', 1, 'page')")
    # the batch moved: the datasource is re-configured, its old definitions dropped, and it validates again
    moved = tmp_path / "moved.duckdb"
    database.rename(moved)
    again = SqlBatch(
        "warehouse", "duckdb", f"duckdb:///{moved}", "select * from marts.t", batch.engine_kwargs
    )
    assert validate_batch(open_context(tmp_path / "gx"), suite, again).rows == 6
