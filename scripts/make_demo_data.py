"""Regenerate the bundled demo company in ``data/demo/`` (fixed seed).

The demo company is ``segkit.datasets.simulate`` with the seed, size and period of
``segkit.datasets._demo`` (``DEMO_SEED``, ``DEMO_N_CUSTOMERS``, ``DEMO_START``,
``DEMO_END``) and default parameters. The script writes one CSV per table of the
data model, the ground truth (``truth*.csv``) and ``params.json``. Dates are ISO
strings, amounts are rounded to cents and the truth's other floats to 6 significant
digits, so the files are compact and diff well. Run it with ``make data``, or::

    python scripts/make_demo_data.py [--out DIR] [--seed N] [--n-customers N]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from segkit.config import data_dir
from segkit.datasets._demo import (
    DEMO_END,
    DEMO_N_CUSTOMERS,
    DEMO_SEED,
    DEMO_START,
    TRUTH_CENTS,
    TRUTH_DATES,
    TRUTH_FILES,
)
from segkit.datasets._simulate import simulate

#: Format of the truth's floats (latent rates are small numbers: keep 6 digits).
TRUTH_FLOAT_FORMAT = "%.6g"


def _write_csv(
    df: pd.DataFrame, path: Path, dates: dict[str, str], float_format=None, cents=()
) -> None:
    out = df.copy()
    for col, fmt in dates.items():
        out[col] = out[col].dt.strftime(fmt)
    for col in cents:  # amounts: exactly to the cent, whatever float_format says
        out[col] = out[col].map("{:.2f}".format)
    out.to_csv(path, index=False, float_format=float_format, lineterminator="\n")


def write_demo(
    out_dir: str | Path,
    n_customers: int = DEMO_N_CUSTOMERS,
    seed: int = DEMO_SEED,
    start: str = DEMO_START,
    end: str = DEMO_END,
) -> list[Path]:
    """Simulate the demo company and write its files into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Target folder, created when missing; existing files are overwritten.
    n_customers, seed, start, end
        Passed to :func:`segkit.datasets.simulate`; the defaults give the bundled demo.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sim = simulate(n_customers, start, end, seed=seed)
    written = []
    for name, df in sim.tables.tables().items():
        floats = df.select_dtypes("float").columns
        df = df.assign(**{c: df[c].round(2) for c in floats})
        dates = {c: "%Y-%m-%d" for c in df.select_dtypes("datetime").columns}
        path = out / f"{name}.csv"
        _write_csv(df, path, dates)
        written.append(path)
    truths = {
        "customers": sim.truth,
        "offer_effects": sim.offer_effects,
        "complaints": sim.complaint_truth,
        "exits": sim.exit_truth,
        "lifecycle": sim.lifecycle,
    }
    for part, df in truths.items():
        path = out / TRUTH_FILES[part]
        _write_csv(
            df,
            path,
            TRUTH_DATES[part],
            float_format=TRUTH_FLOAT_FORMAT,
            cents=TRUTH_CENTS.get(part, ()),
        )
        written.append(path)
    path = out / "params.json"
    path.write_text(json.dumps(sim.params, indent=1) + "\n", encoding="utf-8")
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=data_dir() / "demo",
        help="output folder (default: the demo folder of the data directory)",
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--n-customers", type=int, default=DEMO_N_CUSTOMERS)
    parser.add_argument("--start", default=DEMO_START)
    parser.add_argument("--end", default=DEMO_END)
    args = parser.parse_args(argv)
    files = write_demo(args.out, args.n_customers, args.seed, args.start, args.end)
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} files, {size / 1e6:.2f} MB, to {args.out}")


if __name__ == "__main__":
    main()
