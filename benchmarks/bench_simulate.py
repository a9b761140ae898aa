"""Time segkit.datasets.simulate: the goal is 100,000 customers over two years in < 30 s.

    python benchmarks/bench_simulate.py [--sizes 10000 100000] [--repeat 3]

Prints, per size, the best of ``--repeat`` wall times and the rows of every table.
"""

from __future__ import annotations

import argparse
import time

from segkit.datasets import simulate


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--start", default="2023-01-01")
    parser.add_argument("--end", default="2024-12-31")
    args = parser.parse_args(argv)
    print(f"{'customers':>10} {'best s':>8}  rows per table")
    for n in args.sizes:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            sim = simulate(n, args.start, args.end, seed=0)
            times.append(time.perf_counter() - t0)
        rows = ", ".join(f"{k} {len(v):,}" for k, v in sim.tables.tables().items())
        print(f"{n:>10,} {min(times):>8.2f}  {rows}")


if __name__ == "__main__":
    main()
