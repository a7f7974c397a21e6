"""Vendor connectors: pull an interval from each API and land it as immutable Parquet partitions.

Pure Python (requests, pyarrow): no Airflow imports, so they run the same under Airflow, the CLI and tests.
"""
