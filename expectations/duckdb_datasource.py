"""A Great Expectations datasource for DuckDB, so that GX computes its metrics inside DuckDB.

GX's SQL engine runs each metric query, returns the connection to SQLAlchemy and only then fetches the
rows. SQLAlchemy rolls the connection back on its return, and DuckDB discards a pending result on
rollback, so every metric came back empty (GX issue 10738). This engine fetches the rows while the
connection is still checked out, and tells GX to build PostgreSQL expressions (duckdb-engine's dialect
is SQLAlchemy's PostgreSQL dialect, and DuckDB has PostgreSQL's ``~``/``!~`` regex operators, which
GX's regex expectations need); everything else is GX's own SQL engine. Importing this module registers
the ``duckdb`` datasource type (``context.data_sources.add_or_update_duckdb``).
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy.dialects.postgresql
from great_expectations.datasource.fluent.sql_datasource import SQLDatasource
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine


class DuckDBExecutionEngine(SqlAlchemyExecutionEngine):
    """GX's SQLAlchemy engine, with results fetched before the connection goes back to the pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dialect_module = sqlalchemy.dialects.postgresql

    def execute_query(self, query: Any) -> Any:
        with self.get_connection() as connection:
            return self._execute_query_with_recovery(connection, query).freeze()()


class DuckDBDatasource(SQLDatasource):
    """A DuckDB database (``duckdb:///path`` or ``duckdb:///:memory:``) as a GX SQL datasource."""

    type: Literal["duckdb"] = "duckdb"  # type: ignore[assignment]  # GX's own pattern for SQL subtypes

    @property
    def execution_engine_type(self) -> type[SqlAlchemyExecutionEngine]:
        return DuckDBExecutionEngine
