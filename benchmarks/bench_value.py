"""Benchmark: segkit's BTYD and spend models against lifetimes, on CDNOW and simulated customers.

For each data set the same customer summary is fitted by segkit and by lifetimes:

- ``BetaGeoModel`` against ``BetaGeoFitter`` (BG/NBD);
- ``ParetoNBDModel`` against ``ParetoNBDFitter`` (Pareto/NBD);
- ``GammaGammaModel`` against ``GammaGammaFitter`` (spend of the repeat buyers), when
  ``segkit.value.gamma_gamma`` is importable (skipped with a note otherwise).

The data: the CDNOW sample's 39-week calibration (2,357 customers, weeks with day
resolution, as in the papers), and summaries of ``n`` simulated customers drawn with
numpy from the BG/NBD with CDNOW's parameters (r 0.243, alpha 4.414, a 0.793, b 2.426),
in weeks with day resolution, each customer observed for ``T`` uniform on (0, 52]
weeks, with a Gamma-Gamma spend (p 6.25, q 3.74, gamma 15.44) for the repeat buyers.

The table gives, per data set and model, the fit times and their ratio (lifetimes /
segkit) and both maximised log-likelihoods side by side, each evaluated by segkit's
likelihood in the data's time unit (lifetimes rescales time internally, which shifts
its own objective by a constant), with their relative difference. A second table times
the predictions for the largest simulated size. Everything runs once, in one process,
after an untimed warm-up fit of each implementation.

Usage::

    python benchmarks/bench_value.py                          # CDNOW and 1e6 customers
    python benchmarks/bench_value.py --sizes 1e5 1e6 --skip-lifetimes-above 1e5

lifetimes' BG/NBD takes about 20 s at 1e6 customers; its Pareto/NBD (Nelder-Mead on
hypergeometric functions) would take hours there, so it runs on CDNOW and on simulated
sizes up to ``--pareto-lifetimes-max`` only (default 1e4).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

BG_TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GG_TRUTH = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulate(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` BG/NBD customer summaries in weeks with day resolution, with a Gamma-Gamma spend."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = BG_TRUTH.values()
    T = np.ceil(rng.uniform(0.0, 52.0, n) * 7) / 7  # whole days, in weeks
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    count = rng.poisson(lam * T)
    x = np.minimum(count, rng.geometric(p))  # drop-out after a repeat purchase
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), count - x + 1), 0.0)
    tx = np.floor(tx * 7) / 7
    gp, gq, gg = GG_TRUTH.values()
    nu = rng.gamma(gq, 1.0 / gg, n)
    spend = np.where(x > 0, rng.gamma(gp * np.maximum(x, 1), 1.0 / nu) / np.maximum(x, 1), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T,
                         "monetary_value": spend})


def cdnow() -> pd.DataFrame:
    from segkit.datasets import load_cdnow
    from segkit.features import summary

    return summary(load_cdnow(), monetary_value_col="amount", observation_end="1997-09-30",
                   after_end="drop", freq="D", freq_multiplier=7)


def timed(call):
    start = time.perf_counter()
    out = call()
    return out, time.perf_counter() - start


# ------------------------------------------------------------------ the models


def btyd_rows(name: str, data: pd.DataFrame, run_lifetimes: bool) -> dict:
    """Fit one BTYD model with segkit and (optionally) lifetimes; times and log-likelihoods."""
    import lifetimes

    from segkit.value.bgnbd import BetaGeoModel, beta_geo_loglik
    from segkit.value.pareto_nbd import ParetoNBDModel, pareto_nbd_loglik

    ours_cls, theirs_cls, loglik, names = {
        "BG/NBD": (BetaGeoModel, lifetimes.BetaGeoFitter, beta_geo_loglik,
                   ["r", "alpha", "a", "b"]),
        "Pareto/NBD": (ParetoNBDModel, lifetimes.ParetoNBDFitter, pareto_nbd_loglik,
                       ["r", "alpha", "s", "beta"]),
    }[name]
    x, tx, T = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    model, ours_s = timed(lambda: ours_cls().fit(data))
    row = {"model": name, "segkit_s": ours_s, "segkit_ll": model.log_likelihood_,
           "distinct": model.n_distinct_, "params": model.params_.round(4).to_dict()}
    if run_lifetimes:
        np.random.seed(0)  # noqa: NPY002 - lifetimes' Pareto/NBD starts at a random point
        try:
            fitter, theirs_s = timed(lambda: theirs_cls().fit(x, tx, T))
        except Exception as exc:  # lifetimes' ConvergenceError and friends
            row.update(lifetimes_s=float("nan"), lifetimes_ll=float("nan"),
                       note=f"lifetimes failed: {type(exc).__name__}")
        else:
            p = fitter.params_[names].to_numpy()
            row.update(lifetimes_s=theirs_s, lifetimes_ll=float(loglik(p, x, tx, T)[0].sum()))
    return row


def gamma_gamma_row(data: pd.DataFrame, run_lifetimes: bool) -> dict | None:
    try:
        from segkit.value.gamma_gamma import GammaGammaModel
    except ImportError:
        return None
    import lifetimes

    repeat = data[data["frequency"] > 0]
    model, ours_s = timed(lambda: GammaGammaModel().fit(repeat))
    row = {"model": "Gamma-Gamma", "segkit_s": ours_s, "segkit_ll": model.log_likelihood_,
           "distinct": model.n_distinct_, "params": model.params_.round(4).to_dict()}
    if run_lifetimes:
        try:
            fitter, theirs_s = timed(lambda: lifetimes.GammaGammaFitter().fit(
                repeat["frequency"], repeat["monetary_value"]))
        except Exception as exc:
            row.update(lifetimes_s=float("nan"), lifetimes_ll=float("nan"),
                       note=f"lifetimes failed: {type(exc).__name__}")
        else:
            arrays, weights = model._prepare(repeat)
            p = fitter.params_[["p", "q", "v"]].to_numpy()
            row.update(lifetimes_s=theirs_s,
                       lifetimes_ll=float(weights @ model._loglik(p, arrays)[0]))
    return row


def prediction_rows(data: pd.DataFrame, run_lifetimes: bool) -> list[dict]:
    import lifetimes

    from segkit.value.bgnbd import BetaGeoModel
    from segkit.value.pareto_nbd import ParetoNBDModel

    x, tx, T = (data[c].to_numpy() for c in ("frequency", "recency", "T"))
    rows = []
    for name, ours_cls, theirs_cls in [
        ("BG/NBD", BetaGeoModel, lifetimes.BetaGeoFitter),
        ("Pareto/NBD", ParetoNBDModel, lifetimes.ParetoNBDFitter),
    ]:
        model = ours_cls().fit(data)
        fitter = theirs_cls()
        fitter.params_ = model.params_.copy()
        for what, ours, theirs in [
            ("expected_purchases(t=52)",
             lambda m=model: m.expected_purchases(data, future_t=52),
             lambda f=fitter: f.conditional_expected_number_of_purchases_up_to_time(
                 52, x, tx, T)),
            ("expected_probability_alive",
             lambda m=model: m.expected_probability_alive(data),
             lambda f=fitter: f.conditional_probability_alive(x, tx, T)),
        ]:
            values, ours_s = timed(ours)
            row = {"model": name, "prediction": what, "segkit_s": ours_s}
            if run_lifetimes:
                theirs_values, theirs_s = timed(theirs)
                diff = np.nanmax(np.abs(values.to_numpy() / theirs_values - 1))
                row.update(lifetimes_s=theirs_s, max_rel_diff=diff)
            rows.append(row)
    return rows


# ------------------------------------------------------------------ output


def fmt_s(v) -> str:
    """Seconds to 3 significant digits (at least 2 decimals)."""
    if v is None or not np.isfinite(v):
        return "-"
    return f"{v:.2f}" if v >= 1 else f"{v:.3g}"


def fmt_ll(v) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{v:,.1f}"


def print_fit_table(rows: list[dict]) -> None:
    header = ("data", "customers", "distinct rows", "model", "segkit s", "lifetimes s",
              "ratio", "segkit LL", "lifetimes LL", "LL rel. diff")
    print("| " + " | ".join(header) + " |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ours, theirs = r["segkit_s"], r.get("lifetimes_s")
        ratio = f"{theirs / ours:.1f}x" if theirs is not None and np.isfinite(theirs) else "-"
        if r.get("lifetimes_ll") is not None and np.isfinite(r.get("lifetimes_ll", np.nan)):
            rel = f"{(r['segkit_ll'] - r['lifetimes_ll']) / abs(r['lifetimes_ll']):.1e}"
        else:
            rel = "-"
        theirs_cell = fmt_s(theirs) if "note" not in r else r["note"]
        print(f"| {r['data']} | {r['customers']:,} | {r['distinct']:,} | {r['model']} "
              f"| {fmt_s(ours)} | {theirs_cell} | {ratio} | {fmt_ll(r['segkit_ll'])} "
              f"| {fmt_ll(r.get('lifetimes_ll'))} | {rel} |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e6],
                        help="numbers of simulated customers (default: 1e6)")
    parser.add_argument("--skip-lifetimes-above", type=float, default=float("inf"),
                        help="run lifetimes only on data sets up to this many customers "
                             "(default: all, 1e6 included)")
    parser.add_argument("--pareto-lifetimes-max", type=float, default=1e4,
                        help="largest simulated size on which lifetimes' Pareto/NBD runs "
                             "(default 1e4; it takes hours at 1e6)")
    parser.add_argument("--no-predictions", action="store_true",
                        help="skip the prediction timings")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    import lifetimes
    import scipy

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, lifetimes {lifetimes.__version__}, load "
          f"{os.getloadavg()[0]:.1f}")

    # warm-up (imports, first calls), not timed
    warm = simulate(2000, seed=99)
    btyd_rows("BG/NBD", warm, True)
    btyd_rows("Pareto/NBD", warm, True)
    if gamma_gamma_row(warm, True) is None:
        print("# Gamma-Gamma skipped: segkit.value.gamma_gamma is not importable")

    datasets = [("CDNOW 39 weeks", cdnow())]
    datasets += [(f"simulated {int(n):,}", simulate(int(n))) for n in args.sizes]
    rows = []
    for label, data in datasets:
        n = len(data)
        simulated = label.startswith("simulated")
        run = n <= args.skip_lifetimes_above
        for name in ("BG/NBD", "Pareto/NBD"):
            run_this = run and not (name == "Pareto/NBD" and simulated
                                    and n > args.pareto_lifetimes_max)
            rows.append({"data": label, "customers": n, **btyd_rows(name, data, run_this)})
        gg = gamma_gamma_row(data, run)
        if gg is not None:
            rows.append({"data": label, "customers": int((data["frequency"] > 0).sum()), **gg})
    print()
    print_fit_table(rows)
    for r in rows:
        if r["data"].startswith("simulated"):
            print(f"#   {r['data']} {r['model']}: segkit estimates {r['params']}")
    print(f"#   truth: BG/NBD {BG_TRUTH}, Gamma-Gamma {GG_TRUTH}")

    if not args.no_predictions and args.sizes:
        label, data = datasets[-1]
        run = len(data) <= args.skip_lifetimes_above
        print()
        print(f"Predictions for {label} customers (parameters fitted by segkit, given to both):")
        print()
        print("| model | prediction | segkit s | lifetimes s | ratio | max rel. diff |")
        print("|---|---|---:|---:|---:|---:|")
        for r in prediction_rows(data, run):
            theirs = r.get("lifetimes_s")
            ratio = f"{theirs / r['segkit_s']:.1f}x" if theirs is not None else "-"
            diff = f"{r['max_rel_diff']:.1e}" if "max_rel_diff" in r else "-"
            print(f"| {r['model']} | {r['prediction']} | {fmt_s(r['segkit_s'])} "
                  f"| {fmt_s(theirs)} | {ratio} | {diff} |", flush=True)


if __name__ == "__main__":
    main()
