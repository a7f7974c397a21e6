"""The analysts' SQL cookbook: the queries of docs/cookbook.sql, each shown in docs/cookbook.md with its
answer on the warehouse ``make demo`` publishes.

``python -m touchpoints.presentation.cookbook`` (``make cookbook``, after ``make demo``) writes every
answer again from the published warehouse; tests/e2e/test_stakeholder_views.py runs ``make demo``'s
command and checks that the page shows what it computes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from touchpoints.config import REPO_ROOT, Paths

COOKBOOK_SQL = REPO_ROOT / "docs" / "cookbook.sql"
COOKBOOK_PAGE = REPO_ROOT / "docs" / "cookbook.md"
TABLE = re.compile(r"\n*(?:\|.*\n)*")  # the blank lines and the Markdown table after a query


@dataclass(frozen=True)
class Query:
    """One ``-- name:`` block of docs/cookbook.sql: its name, the question (its first comment), the SQL."""

    name: str
    question: str
    sql: str


def cookbook_queries(path: Path = COOKBOOK_SQL) -> list[Query]:
    """The cookbook's queries, in the order of the file."""
    queries = []
    for block in filter(str.strip, path.read_text().split("-- name: ")):
        name, question, sql = block.split("\n", 2)
        queries.append(Query(name.strip(), question.removeprefix("-- ").strip(), sql.strip()))
    return queries


def with_answers(page: str, queries: list[Query], warehouse: duckdb.DuckDBPyConnection) -> str:
    """The page with the table under each query's SQL block replaced by the query's result."""
    for query in queries:
        block = f"### {query.question}\n\n```sql\n{query.sql}\n```\n"
        if page.count(block) != 1:
            raise ValueError(
                f"{COOKBOOK_PAGE.name} must show the query {query.name!r} of {COOKBOOK_SQL.name} once,"
                " under its question, as the file has them"
            )
        after = page.index(block) + len(block)
        table = TABLE.match(page, after)
        assert table is not None  # the pattern matches the empty string
        answer = warehouse.sql(query.sql).df().to_markdown(index=False)
        page = f"{page[:after]}\n{answer}\n{page[table.end() :]}"
    return page


def main() -> None:
    """Write docs/cookbook.md's answers again from the published warehouse of the current settings."""
    with duckdb.connect(str(Paths.from_env().warehouse), read_only=True) as warehouse:
        COOKBOOK_PAGE.write_text(with_answers(COOKBOOK_PAGE.read_text(), cookbook_queries(), warehouse))


if __name__ == "__main__":
    main()
