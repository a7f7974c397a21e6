"""Runs suites on pandas batches in a file-backed GX context (so Data Docs can be built from it).

GX's SQL engine returns empty metrics on DuckDB through duckdb-engine (GX issue 10738), so batches are
read with pyarrow (landed Parquet) or DuckDB's own client (marts) and validated as DataFrames.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import great_expectations as gx
import pandas as pd
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.outcomes import ValidationOutcome

log = logging.getLogger(__name__)
DATASOURCE = "touchpoints"


def open_context(gx_root: Path) -> AbstractDataContext:
    """A file-backed context under ``gx_root`` (created on first use), with progress bars off."""
    gx_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate_frame(
    context: AbstractDataContext, suite: gx.ExpectationSuite, frame: pd.DataFrame
) -> ValidationOutcome:
    """Add-or-update the suite, its validation definition and checkpoint, then validate the frame.

    The checkpoint stores the result, so the Data Docs built after the run show every validation.
    """
    started = time.monotonic()
    stored = context.suites.add_or_update(suite)
    source = context.data_sources.add_or_update_pandas(DATASOURCE)
    asset = next((a for a in source.assets if a.name == suite.name), None) or source.add_dataframe_asset(
        suite.name
    )
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None)
    batch = batch or asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=stored)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(name=suite.name, validation_definitions=[definition], result_format="SUMMARY")
    )
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    result = next(iter(run.run_results.values()))
    failures = []
    for item in result.results:
        if not item.success:
            config = item.expectation_config
            column = config.kwargs.get("column")
            detail = item.result.get("unexpected_count")
            where = f" on {column}" if column else ""
            failures.append(
                f"{config.type}{where} ({detail} unexpected)" if detail else f"{config.type}{where}"
            )
    outcome = ValidationOutcome(
        suite.name,
        bool(result.success),
        len(result.results),
        len(frame),
        failures,
        round(time.monotonic() - started, 3),
    )
    log.info(outcome.describe())
    return outcome
