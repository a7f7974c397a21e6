"""Print a checksum per mart of a warehouse, to show a refactoring left every mart's rows as they were.

    python -m tests.mart_checksums warehouse/touchpoints.duckdb

Each table's rows are rendered as text, sorted and hashed (MD5), so the checksum ignores row order
but not a single changed value, column or row.
"""

import sys

import duckdb


def mart_checksums(database: str, schema: str = "marts") -> dict[str, tuple[int, str]]:
    """Rows and an order-independent MD5 of every table in `schema`, by table name."""
    with duckdb.connect(database, read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by table_name",
                [schema],
            ).fetchall()
        ]
        return {
            table: connection.execute(
                f"select count(*), md5(coalesce(string_agg(row_text, chr(10) order by row_text), '')) "
                f'from (select cast(t as varchar) as row_text from "{schema}"."{table}" as t)'
            ).fetchone()
            for table in tables
        }


def main() -> None:
    """Print `table rows md5` lines for the warehouse named on the command line."""
    for table, (rows, checksum) in mart_checksums(sys.argv[1]).items():
        print(f"{table:28} {rows:>7,} {checksum}")


if __name__ == "__main__":
    main()
