"""Benchmark: reading a transactions CSV into a validated table, against plain readers.

One synthetic CSV (``transaction_id, customer_id, timestamp, amount, quantity``: text ids
such as ``T0000001`` and ``C000123``, ISO timestamps at second resolution over two years,
amounts with two decimals, ``n_rows / 10`` customers) is read by

- ``segkit``: :func:`segkit.io.read_csv` (parse, convert, validate every rule);
- ``pandas``: ``pandas.read_csv(path)`` with its own type inference (no validation);
- ``duckdb``: ``duckdb.read_csv(path).df()`` with its own type inference;
- ``polars``: ``polars.read_csv(path).to_pandas()``, only when polars is installed.

Every reader runs in a fresh Python process; the child reports the wall time of the read
and its peak resident memory during the read (VmHWM after resetting the counter, minus
the resident memory before; ``ru_maxrss`` where /proc is missing).

Usage::

    python benchmarks/bench_read.py                 # 1e7 rows
    python benchmarks/bench_read.py --rows 1e6 --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READERS = ("segkit", "duckdb", "pandas", "polars")


def make_csv(path: Path, n_rows: int) -> None:
    """Write the synthetic transactions CSV with DuckDB (seconds for 1e7 rows)."""
    import duckdb

    n_customers = max(n_rows // 10, 1)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
        COPY (
            SELECT 'T' || lpad(CAST(i AS VARCHAR), 9, '0') AS transaction_id,
                   'C' || lpad(CAST(hash(i) % {n_customers} AS VARCHAR), 7, '0') AS customer_id,
                   strftime(TIMESTAMP '2023-01-01' + to_seconds(CAST(hash(i * 7) % 63072000
                            AS BIGINT)), '%Y-%m-%d %H:%M:%S') AS timestamp,
                   round((hash(i * 13) % 100000) / 100.0 + 1, 2) AS amount,
                   1 + hash(i * 17) % 5 AS quantity
            FROM range({n_rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)
    con.close()


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _child(reader: str, path: str) -> None:
    import pandas as pd

    if reader == "segkit":
        from segkit.io import read_csv

        def run():
            return read_csv(path, "transactions")
    elif reader == "duckdb":
        import duckdb

        def run():
            return duckdb.read_csv(path).df()
    elif reader == "pandas":
        def run():
            return pd.read_csv(path)
    else:
        import polars as pl

        def run():
            return pl.read_csv(path).to_pandas()

    exact = False
    try:
        Path("/proc/self/clear_refs").write_text("5")
        exact = True
    except OSError:
        pass
    before = _status_kb("VmRSS") or 0
    start = time.perf_counter()
    out = run()
    seconds = time.perf_counter() - start
    peak = _status_kb("VmHWM") if exact else None
    if peak is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        before = 0
    print(json.dumps({"seconds": seconds, "peak_mb": (peak - before) / 1024,
                      "rows": len(out), "exact": exact}))


def run_reader(reader: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", reader, str(path)],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--readers", nargs="+", default=list(READERS))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    n_rows = int(args.rows)
    readers = [r for r in args.readers
               if r != "polars" or importlib.util.find_spec("polars") is not None]
    skipped = sorted(set(args.readers) - set(readers))
    with tempfile.TemporaryDirectory(prefix="segkit-bench-") as tmp:
        path = Path(tmp) / "transactions.csv"
        start = time.perf_counter()
        make_csv(path, n_rows)
        size = path.stat().st_size / 1e6
        print(f"{n_rows:,} rows, {size:,.0f} MB CSV written in {time.perf_counter() - start:.1f} s;"
              f" {platform.python_version()}, {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}" + (f"; not installed: {', '.join(skipped)}"
                                             if skipped else ""))
        results = {}
        for reader in readers:
            runs = [run_reader(reader, path) for _ in range(args.repeat)]
            ok = [r for r in runs if "error" not in r]
            results[reader] = min(ok, key=lambda r: r["seconds"]) if ok else runs[0]
    base = results.get("duckdb", {}).get("seconds")
    print("| reader | seconds | vs duckdb | peak MB |")
    print("|---|---:|---:|---:|")
    for reader, r in results.items():
        if "error" in r:
            print(f"| {reader} | failed: {r['error']} | | |")
            continue
        ratio = f"{r['seconds'] / base:.2f}x" if base else ""
        print(f"| {reader} | {r['seconds']:.2f} | {ratio} | {r['peak_mb']:,.0f} |")


if __name__ == "__main__":
    main()
