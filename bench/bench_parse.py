"""How reading a run of juxtaposed letters grows with its length (it must stay linear).

A run such as XXXX…X is split into one factor per declared name; a quadratic split
would make a pasted line of 2,000 letters a denial of service. Prints the median time
for runs of n, 2n and 4n letters and each ratio to the shortest, measured in one run:
linear splitting gives about 2× and 4×.
Usage: python bench/bench_parse.py [--repeats N]"""
from __future__ import annotations

import argparse
import statistics
import time

from dlcheck.mathexpr.context import parse_symbol_spec
from dlcheck.mathexpr.parser import parse


def median_seconds(text: str, ctx, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        parse(text, ctx)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    ctx = parse_symbol_spec("X:n*n")
    lengths = (475, 950, 1900)
    medians = {n: median_seconds("X" * n, ctx, args.repeats) for n in lengths}
    print(f"{'letters':>8} {'median ms':>10} {'x shortest':>11}")
    for n in lengths:
        print(f"{n:>8} {medians[n] * 1000:>10.1f} {medians[n] / medians[lengths[0]]:>11.2f}")


if __name__ == "__main__":
    main()
