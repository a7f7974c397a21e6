"""``python -m benchmarks [--scale small|large]``: run the benchmarks and print their tables."""

from __future__ import annotations

import argparse

from benchmarks import connector_throughput, dag_parse, validation_speed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    args = parser.parse_args()
    small = args.scale == "small"
    connector_throughput.main(customers=2_000 if small else 20_000)
    validation_speed.main(rows=1_000_000 if small else 5_000_000)
    dag_parse.main()


if __name__ == "__main__":
    main()
