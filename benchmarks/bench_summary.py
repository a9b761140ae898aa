"""Benchmark: segkit.features.summary against lifetimes' summary_data_from_transaction_data.

Both compute the same customer summary (``frequency, recency, T, monetary_value``,
``freq="D"``) of the same synthetic transactions: integer customer ids, datetime64[ns]
timestamps at second resolution spread over two years, float amounts, ``n_rows / 10``
customers, rows in random order. Every call runs in a fresh Python process, so that its
peak memory is measured cleanly: the child builds the data, resets the kernel's
peak-RSS counter (``/proc/self/clear_refs``), runs the call and reports the peak
resident memory during the call minus the resident memory before it. On the sizes up
to ``--check-max`` the two outputs are compared (frequency, recency and T exactly,
monetary value to a relative 1e-12).

Usage::

    python benchmarks/bench_summary.py                    # 1e5, 1e6 and 3e7 rows
    python benchmarks/bench_summary.py --sizes 1e5 1e6 --repeat 3

3e7 rows need about 5 GB of free memory and a minute or two for lifetimes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

IMPLEMENTATIONS = ("segkit", "lifetimes")


def make_transactions(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """``n_rows`` transactions of ``n_rows // 10`` customers over two years."""
    rng = np.random.default_rng(seed)
    customer_id = rng.integers(0, max(n_rows // 10, 1), n_rows)
    seconds = rng.integers(0, 2 * 365 * 86_400, n_rows)
    seconds += np.datetime64("2022-01-01T00:00:00", "s").astype(np.int64)
    seconds *= 1_000_000_000
    amount = rng.gamma(2.0, 20.0, n_rows)
    np.round(amount, 2, out=amount)
    return pd.DataFrame(
        {"customer_id": customer_id, "timestamp": seconds.view("datetime64[ns]"), "amount": amount},
        copy=False,
    )


# ------------------------------------------------------------------ child process


def _status_kb(field: str) -> int | None:
    """A memory field of /proc/self/status in kB; None where there is no /proc (macOS)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the peak resident set size (VmHWM) of this process; False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    hwm, rss = _status_kb("VmHWM"), _status_kb("VmRSS")
    return hwm is not None and rss is not None and hwm <= rss + 1024


def _maxrss_kb() -> int:
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss // 1024 if sys.platform == "darwin" else maxrss  # bytes on macOS


def run_child(implementation: str, n_rows: int, out: str | None) -> dict:
    transactions = make_transactions(n_rows)
    if implementation == "segkit":
        from segkit.features import summary

        def call() -> pd.DataFrame:
            return summary(transactions, monetary_value_col="amount", freq="D")
    else:
        from lifetimes.utils import summary_data_from_transaction_data

        def call() -> pd.DataFrame:
            return summary_data_from_transaction_data(
                transactions, "customer_id", "timestamp", monetary_value_col="amount", freq="D"
            )

    gc.collect()
    clean = _reset_peak()
    before_kb = _status_kb("VmRSS") or 0
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    # VmHWM is the peak since the reset; without a reset, ru_maxrss is the peak of the
    # whole process (an upper bound that includes building the data)
    peak_kb = _status_kb("VmHWM") if clean else _maxrss_kb()
    if out:
        result.to_pickle(out)
    return {
        "implementation": implementation,
        "rows": n_rows,
        "customers": len(result),
        "seconds": seconds,
        "peak_mb": (peak_kb - before_kb) / 1024,
        "clean_peak": clean,
    }


# ----------------------------------------------------------------- parent process


def measure(implementation: str, n_rows: int, out: Path | None) -> dict:
    cmd = [sys.executable, __file__, "--child", implementation, "--rows", str(n_rows)]
    if out is not None:
        cmd += ["--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{implementation} on {n_rows} rows failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def outputs_agree(ours_path: Path, theirs_path: Path) -> bool:
    ours, theirs = pd.read_pickle(ours_path), pd.read_pickle(theirs_path)
    counts = ["frequency", "recency", "T"]
    return (
        ours.index.equals(theirs.index)
        and ours[counts].equals(theirs[counts])
        and np.allclose(ours["monetary_value"], theirs["monetary_value"], rtol=1e-12, atol=0)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6, 3e7],
                        help="numbers of transactions (default: 1e5 1e6 3e7)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per call and size; the fastest is shown (default 1)")
    parser.add_argument("--check-max", type=float, default=1e6,
                        help="compare the two outputs up to this size (default 1e6)")
    parser.add_argument("--child", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        warnings.simplefilter("ignore")
        print(json.dumps(run_child(args.child, args.rows, args.out)))
        return

    import duckdb
    import lifetimes

    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}, pandas {pd.__version__}, "
        f"duckdb {duckdb.__version__}, lifetimes {lifetimes.__version__}"
    )
    header = ("rows", "segkit s", "lifetimes s", "time ratio", "segkit MB", "lifetimes MB",
              "memory ratio", "agree", "load")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" for _ in header) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            n_rows = int(size)
            check = n_rows <= args.check_max
            load = os.getloadavg()[0]
            best = {}
            for implementation in IMPLEMENTATIONS:
                out = Path(tmp, f"{implementation}.pkl") if check else None
                runs = [measure(implementation, n_rows, out) for _ in range(args.repeat)]
                best[implementation] = min(runs, key=lambda r: r["seconds"])
            ours, theirs = best["segkit"], best["lifetimes"]
            agree = (
                ("yes" if outputs_agree(Path(tmp, "segkit.pkl"), Path(tmp, "lifetimes.pkl"))
                 else "NO")
                if check
                else "-"
            )
            note = "" if ours["clean_peak"] and theirs["clean_peak"] else " (peak incl. setup)"
            print(
                f"| {n_rows:,} | {ours['seconds']:.2f} | {theirs['seconds']:.2f} "
                f"| {theirs['seconds'] / ours['seconds']:.1f}x "
                f"| {ours['peak_mb']:,.0f} | {theirs['peak_mb']:,.0f}{note} "
                f"| {theirs['peak_mb'] / max(ours['peak_mb'], 1e-9):.1f}x | {agree} "
                f"| {load:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
