"""``python -m benchmarks [--scale small|large]``: run the benchmarks and print their tables."""

from __future__ import annotations

import argparse

from benchmarks import (
    airflow_overhead,
    airflow_scheduler,
    connector_throughput,
    dag_parse,
    transform_scale,
    validation_speed,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    args = parser.parse_args()
    small = args.scale == "small"
    connector_throughput.main(customers=2_000 if small else 20_000)
    validation_speed.main(rows=1_000_000 if small else 5_000_000)
    dag_parse.main()
    airflow_overhead.main(customers=500 if small else 5_000)
    if small:
        transform_scale.main(
            targets=[300_000],
            per_day_target=3_000,
            histories=[30, 60],
            double_day=False,
            nightly_per_day=10_000,
            nightly_histories=[7, 14],
        )
    else:  # the scheduler's services and metadata database: too slow for the 5-minute small run
        airflow_scheduler.main(customers=5_000)
        transform_scale.main(
            targets=[1_000_000, 10_000_000, 50_000_000],
            per_day_target=27_000,
            histories=[182, 365],
            double_day=True,
            nightly_per_day=200_000,
            nightly_histories=[30, 60],
        )


if __name__ == "__main__":
    main()
