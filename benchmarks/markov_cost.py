"""The cost of the markov_removal attribution model: its models' share of a full build and of one new
day's build on top of a tiled history. It is learnt from every journey, so it is rebuilt whole every
night (docs/kpis.md): its cost follows the history, not the day.

``python -m benchmarks.markov_cost 37 365`` (history days, ~27,000 touchpoints a day).
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from benchmarks import run_stage
from benchmarks.scale_data import tile_days
from benchmarks.transform_scale import BASE_DAYS, BASE_START, _home, base_company, touchpoints_built

MARKOV_MODELS = (
    "int_markov_journeys",
    "int_markov_chains",
    "int_markov_removal_effects",
    "int_markov_credits",
)


def node_seconds(home: Path) -> dict[str, float]:
    """Execution seconds of each node of the last dbt invocation in ``home``, by unique id."""
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())["results"]
    return {result["unique_id"]: result["execution_time"] for result in results}


def markov_split(nodes: dict[str, float]) -> tuple[float, float, float, float]:
    """Seconds of all nodes, of the Markov models, of the data tests of them, and of fct_attribution."""
    models = sum(nodes.get(f"model.touchpoints.{name}", 0.0) for name in MARKOV_MODELS)
    tests = sum(s for node, s in nodes.items() if node.startswith("test.") and "markov" in node)
    return sum(nodes.values()), models, tests, nodes.get("model.touchpoints.fct_attribution", 0.0)


def markov_row(work: Path, base: tuple[Path, float], days: int, per_day_target: int) -> list[str]:
    landing, per_day = base
    width = max(1, math.ceil(per_day_target / per_day))
    home = _home(work, f"markov-{days}", landing, days, width)
    full = run_stage("dbt_build_full", home)
    full_nodes = markov_split(node_seconds(home))
    tile_days(landing, home / "landing", BASE_START, BASE_DAYS, days, days + 1, width)
    night = run_stage("dbt_build", home)
    night_nodes = markov_split(node_seconds(home))
    with duckdb.connect(str(home / "warehouse" / "build" / "touchpoints.duckdb"), read_only=True) as db:
        try:
            journeys = "{:,} / {:,}".format(
                *db.execute(
                    "select count(distinct journey_id), count(*) from intermediate.int_markov_journeys"
                ).fetchone()
            )
        except duckdb.CatalogException:  # a project before markov_removal, measured for comparison
            journeys = "-"
    cells = [f"{touchpoints_built(home):,}", journeys]
    for run, (_, models, tests, attribution) in ((full, full_nodes), (night, night_nodes)):
        cells += [
            f"{run['seconds']:.1f}",
            f"{models:.1f} + {tests:.1f} ({(models + tests) / run['seconds']:.0%})",
            f"{attribution:.1f}",
        ]
    return [str(days), *cells]


def main(histories: list[int], per_day_target: int = 27_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = base_company(work)
        table = Table(title=f"markov_removal's models in a build (~{per_day_target:,} touchpoints a day)")
        for column in ("history days", "touchpoints", "journeys / touches", "full build s",
                       "markov models + tests s (share)", "fct_attribution s", "new day s",
                       "markov models + tests s (share)", "fct_attribution s"):  # fmt: skip
            table.add_column(column)
        for days in histories:
            table.add_row(*markov_row(work, base, days, per_day_target))
            Console(width=160).print(table)


if __name__ == "__main__":
    main([int(days) for days in sys.argv[1:]] or [37, 365])
