"""``python -m benchmarks [--scale small|large]``: run the benchmarks and print their tables."""

from __future__ import annotations

import argparse

from benchmarks import connector_throughput


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=["small", "large"], default="small")
    args = parser.parse_args()
    connector_throughput.main(customers=2_000 if args.scale == "small" else 20_000)


if __name__ == "__main__":
    main()
