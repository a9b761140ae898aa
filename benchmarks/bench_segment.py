"""Benchmark: RFM scores, the standard segment map, ABC tiers and the migration matrix.

On ``--customers`` (1e6) synthetic customers, profile-like columns drawn with numpy
(seed 0; not the simulator): ``customer_id`` (text ids ``C0000001``), ``recency_days``
(whole days, exponential with mean 180, capped at 729), ``orders`` (1 + negative
binomial: about 45 % of customers buy once, the heavy tie of real data), ``revenue``
(orders times a gamma spend, to the cent) and ``margin`` (revenue less costs; about 10 %
negative). Steps, each in a fresh Python process that builds the data, then times the
call only:

- ``segkit rfm``: ``RFMScorer().fit_transform(profile)`` (quantile edges);
- ``segkit map``: ``STANDARD_MAP.assign(scores)``;
- ``segkit abc``: ``ParetoTiers().fit_predict(profile)`` from ``segkit.segment.tiers``,
  when that module exists;
- ``segkit migration``: ``migration_matrix`` over ``--periods`` (24) monthly periods of
  the customers (a long frame of customer, period, tier from a four-tier Markov chain,
  all customers present in every period: periods x customers rows), once with integer
  customer ids and once with text ids;

and the peers on the same data in the same run:

- ``rfm scores``: the PyPI package ``rfm`` (``rfm.rfm.RFM``, its
  ``calculate_rfm_score`` on a frame of ``recency, frequency, monetary_value``: pandas
  ``qcut`` of ``rank(method="first")``, which splits ties by row order);
- ``rfm segments``: its ``find_segments`` (a loop over rows, first match wins);
- ``pandas qcut``: the common idiom ``pd.qcut(x.rank(method="first"), 5, labels=...)``
  for the three scores, without a package.

A peer that is not installed is skipped with a note. ``ratio`` is peer time / segkit time.

Usage::

    python benchmarks/bench_segment.py                    # 1e6 customers, 24 periods
    python benchmarks/bench_segment.py --customers 1e5 --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

# step -> the segkit step it is compared with
STEPS = {
    "segkit rfm": None,
    "rfm scores": "segkit rfm",
    "pandas qcut": "segkit rfm",
    "segkit map": None,
    "rfm segments": "segkit map",
    "segkit abc": None,
    "segkit migration (int ids)": None,
    "segkit migration (text ids)": None,
}


def make_profile(n: int, seed: int = 0):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    orders = 1 + rng.negative_binomial(0.8, 0.35, n)
    revenue = np.round(orders * rng.gamma(2.0, 40.0, n), 2)
    return pd.DataFrame({
        "customer_id": np.char.add("C", np.char.zfill(np.arange(n).astype(str), 7)).astype(object),
        "recency_days": np.minimum(np.floor(rng.exponential(180.0, n)), 729.0),
        "orders": orders,
        "revenue": revenue,
        "margin": np.round(revenue * rng.uniform(-0.15, 0.45, n), 2),
    })


def make_long(n: int, periods: int, text_ids: bool, seed: int = 0):
    """customer_id, period (month end), tier: every customer in every period."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    true = np.array([[0.80, 0.15, 0.04, 0.01], [0.10, 0.75, 0.12, 0.03],
                     [0.03, 0.12, 0.75, 0.10], [0.01, 0.04, 0.15, 0.80]])
    cum = true.cumsum(axis=1)
    state = rng.integers(0, 4, n)
    codes = np.empty((periods, n), dtype=np.int8)
    for p in range(periods):
        codes[p] = state
        state = np.minimum((rng.random(n)[:, None] > cum[state]).sum(axis=1), 3)
    ids = np.arange(n, dtype=np.int64)
    if text_ids:
        ids = np.char.add("C", np.char.zfill(ids.astype(str), 7)).astype(object)
    ends = pd.date_range("2023-01-31", periods=periods, freq="ME")
    return pd.DataFrame({
        "customer_id": np.tile(ids, periods),
        "period": np.repeat(ends.to_numpy(), n),
        "tier": pd.Categorical.from_codes(codes.ravel(), ["small", "ordinary", "good", "key"],
                                          ordered=True),
    })


def _child(step: str, n: int, periods: int) -> None:
    import warnings

    import pandas as pd

    warnings.filterwarnings("ignore")
    info = ""
    if step.startswith("segkit migration"):
        from segkit.segment.migration import migration_matrix

        long = make_long(n, periods, text_ids="text" in step)
        info = f"{len(long):,} rows"

        def run():
            return migration_matrix(long)
    else:
        profile = make_profile(n)
        if step == "segkit rfm":
            from segkit.segment.rfm import RFMScorer

            def run():
                return RFMScorer().fit_transform(profile)
        elif step == "segkit map":
            from segkit.segment.rfm import STANDARD_MAP, RFMScorer

            scores = RFMScorer().fit_transform(profile)

            def run():
                return STANDARD_MAP.assign(scores)
        elif step == "segkit abc":
            try:
                from segkit.segment.tiers import ParetoTiers
            except ImportError as err:
                print(json.dumps({"skipped": f"segkit.segment.tiers.ParetoTiers missing ({err})"}))
                return

            def run():
                return ParetoTiers().fit_predict(profile)
        elif step == "pandas qcut":
            def run():
                out = pd.DataFrame({"customer_id": profile["customer_id"]})
                for col, name, labels in (("recency_days", "r", [5, 4, 3, 2, 1]),
                                          ("orders", "f", [1, 2, 3, 4, 5]),
                                          ("revenue", "m", [1, 2, 3, 4, 5])):
                    out[name] = pd.qcut(profile[col].rank(method="first"), 5, labels=labels)
                return out
        else:  # the PyPI package rfm
            if importlib.util.find_spec("rfm") is None:
                print(json.dumps({"skipped": "PyPI package rfm not installed (pip install rfm)"}))
                return
            from rfm.rfm import RFM

            peer = RFM(None, "customer_id", "date", "amount", automated=False)
            table = profile.rename(columns={"recency_days": "recency", "orders": "frequency",
                                            "revenue": "monetary_value"})[
                ["customer_id", "recency", "frequency", "monetary_value"]]
            if step == "rfm scores":
                def run():
                    return peer.calculate_rfm_score(table.copy())
            else:
                scored = peer.calculate_rfm_score(table.copy())

                def run():
                    return peer.find_segments(scored.copy())
    start = time.perf_counter()
    out = run()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": len(out), "info": info}))


def run_step(step: str, n: int, periods: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", step, str(n), str(periods)],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        return {"error": (proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=float, default=1e6)
    parser.add_argument("--periods", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--steps", nargs="+", default=list(STEPS), choices=list(STEPS))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    n = int(args.customers)
    print(f"{n:,} customers, {args.periods} periods; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; pandas {_version('pandas')}, "
          f"numpy {_version('numpy')}, rfm {_version('rfm')}")
    results = {}
    for step in args.steps:
        runs = [run_step(step, n, args.periods) for _ in range(args.repeat)]
        ok = [r for r in runs if "seconds" in r]
        results[step] = min(ok, key=lambda r: r["seconds"]) if ok else runs[0]
    print("| step | seconds | compared with | ratio (peer / segkit) | note |")
    print("|---|---:|---|---:|---|")
    for step, r in results.items():
        if "skipped" in r:
            print(f"| {step} | skipped | | | {r['skipped']} |")
            continue
        if "error" in r:
            print(f"| {step} | failed | | | {r['error']} |")
            continue
        base = STEPS[step]
        ratio = ""
        if base and "seconds" in results.get(base, {}):
            ratio = f"{r['seconds'] / results[base]['seconds']:.1f}x"
        print(f"| {step} | {r['seconds']:.2f} | {base or ''} | {ratio} | {r.get('info', '')} |")


if __name__ == "__main__":
    main()
