"""What analysts can read: the published DuckDB warehouse holds the marts and the run audit and no
personal data beyond ``customer_id`` and ``email_sha256``; what holds personal data is its owner's only."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.modes import open_to_others
from touchpoints.config import Paths

pytestmark = pytest.mark.e2e

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Words of a column name that announce a person's data or free text.
PERSONAL_WORDS = {
    "email", "name", "phone", "address", "street", "city", "zip", "postcode", "birth", "ip", "text",
    "body", "message", "comment", "note", "subject", "title", "description", "content", "review",
}  # fmt: skip
SAFE_COLUMNS = {
    "email_sha256": "the SHA-256 of a normalised address: joins to a CRM, never read back",
    "kpi_name": "the name of a KPI",
}
# Text written by the brand or by the pipeline, never by or about a person.
BRAND_OR_PIPELINE_TEXT = {
    ("marts", "kpi_email_campaigns", "campaign_title"): "the brand's campaign",
    ("marts", "kpi_email_campaigns", "subject_line"): "the brand's subject line",
    ("marts", "kpi_ad_campaigns", "campaign_name"): "the brand's ad campaign",
    ("audit", "validation_results", "failures"): "expectation names and counts of unexpected rows",
}
LABELS_WITH_SPACES = {"(no customer)"}  # kpi_headlines' segment of the brand's staff
PATH_SEPARATOR = " > "  # kpi_conversion_paths: channels in order


def text_columns(db: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return db.sql(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where data_type = 'VARCHAR' order by all"
    ).fetchall()


def is_free_text(value: str) -> bool:
    """Words separated by whitespace, other than a known label or a path of codes."""
    return value not in LABELS_WITH_SPACES and bool(re.search(r"\s", value.replace(PATH_SEPARATOR, "")))


def test_the_published_warehouse_holds_marts_and_audit_and_no_personal_text(two_nights: Path) -> None:
    """Every text column of every published table, after a real run.

    The rule: no value anywhere looks like an e-mail address; a text column's name holds no word that
    announces a person's data or free text (``PERSONAL_WORDS``) unless it is ``SAFE_COLUMNS``' or one of
    ``BRAND_OR_PIPELINE_TEXT`` (the brand's campaign titles and subject lines, the audit's failure
    summaries); outside those, a value is a code or an id: no whitespace but for the fixed labels and
    the conversion paths' separators.
    """
    with duckdb.connect(str(two_nights), read_only=True) as db:
        schemas = {row[0] for row in db.sql("select schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts", "audit"}
        columns = text_columns(db)
        assert ("marts", "dim_customers", "email_sha256") in columns
        named, emails, free = [], [], []
        for schema, table, column in columns:
            words = set(column.split("_"))
            text_allowed = (schema, table, column) in BRAND_OR_PIPELINE_TEXT
            if words & PERSONAL_WORDS and column not in SAFE_COLUMNS and not text_allowed:
                named.append(f"{schema}.{table}.{column}")
            values = [v for (v,) in db.sql(f'select distinct "{column}" from {schema}.{table}').fetchall()]
            emails += [f"{schema}.{table}.{column}: {v}" for v in values if v and EMAIL.search(v)]
            if not text_allowed:
                free += [f"{schema}.{table}.{column}: {v}" for v in values if v and is_free_text(v)]
    assert (named, emails, free) == ([], [], [])


def test_what_holds_personal_data_is_readable_by_its_owner_only(two_nights: Path) -> None:
    """The landing zone (quarantine and state included) and the build warehouse's folder (the
    published warehouse and the exports keep the umask's modes: they are for analysts)."""
    paths = Paths.from_env()
    assert paths.warehouse == two_nights
    assert open_to_others(paths.landing) == []
    assert open_to_others(paths.build_warehouse.parent) == []
    assert paths.build_warehouse.exists()
