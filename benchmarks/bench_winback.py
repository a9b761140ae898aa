"""Benchmark: the win-back module at scale (issue 11: under a minute for 1e6 customers).

Two steps, in one process, one run each, on one simulated company
(``segkit.datasets.simulate``, 2023-01-01 to 2024-12-31):

1. ``segkit.winback.lost_customers`` (narrow churn, 180 days; and broad churn) for
   ``--customers`` customers, from the raw tables;
2. ``segkit.winback.allocate``: budgeted targeting of ``--targets`` customers x 4 offers
   (random uplifts, values and costs, seeded), against its own LP bound.

No peer library builds a lost-customer database or solves the multiple-choice knapsack
of targeting, so there are no ratios: the numbers are against the issue's goal.

Usage::

    python benchmarks/bench_winback.py                   # 1e6 customers (simulating them takes 1-2 min)
    python benchmarks/bench_winback.py --customers 1e5 --targets 1e6
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=float, default=1e6)
    parser.add_argument("--targets", type=float, default=1e6)
    args = parser.parse_args(argv)
    from segkit.datasets import simulate
    from segkit.winback import allocate, lost_customers, value_if_won_back

    n = int(args.customers)
    print(f"load: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    sim, t_sim = _timed(lambda: simulate(n_customers=n, start="2023-01-01",
                                         end="2024-12-31", seed=0))
    rows = len(sim.tables.transactions)
    print(f"simulate({n:,}): {t_sim:.1f} s, {rows:,} transaction rows (not part of the goal)")
    table = []
    for definition, kw in (("narrow", {"threshold_days": 180}), ("broad", {})):
        lost, secs = _timed(lambda d=definition, k=kw: lost_customers(sim.tables, d, **k))
        table.append({"step": f"lost_customers ({definition})", "customers": n,
                      "result rows": len(lost), "seconds": secs})
    won, secs = _timed(lambda: value_if_won_back(sim.tables.transactions, horizon_months=12))
    table.append({"step": "value_if_won_back (BG/NBD + Gamma-Gamma)", "customers": n,
                  "result rows": len(won), "seconds": secs})
    m = int(args.targets)
    rng = np.random.default_rng(0)
    offers = ["discount_10", "discount_25", "service_call", "other"]
    uplift = pd.DataFrame(rng.uniform(-0.05, 0.3, (m, 4)), columns=offers)
    value = rng.gamma(2.0, 100.0, m)
    cost = pd.DataFrame(rng.uniform(1, 30, (m, 4)), columns=offers)
    budget = 2.0 * m
    out, secs = _timed(lambda: allocate(uplift, value, cost, budget))
    gap = out.attrs["lp_bound"] - out.attrs["total_gain"]
    table.append({"step": "allocate (4 offers)", "customers": m,
                  "result rows": int(out["offer"].notna().sum()), "seconds": secs})
    print(pd.DataFrame(table).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    print(f"allocate: spent {out.attrs['spent']:,.0f} of {budget:,.0f}; total gain within "
          f"{gap:.3g} of the LP bound {out.attrs['lp_bound']:,.1f}")


if __name__ == "__main__":
    main()
