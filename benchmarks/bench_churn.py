"""Benchmark: segkit.churn's survival data, models and warning list against lifelines.

Three parts, all on one simulated company (``segkit.datasets.simulate``, 2023-01-01 to
2024-12-31: 24 months), in one process, after an untimed warm-up of every call on 1,000
customers; one run per step, except the fits of part 2: ``--repeat`` (2) runs each,
alternating which library goes first, best time kept:

1. **Survival data with time-varying covariates** for ``--customers`` (1e5) customers,
   in months, narrow churn with ``--threshold-days`` (90): ``segkit.churn.time_varying``
   (cumulative complaints by reason per month, from the raw tables) and the six warning
   indicators per month (``segkit.features.windows.warning_indicators_by_period``) put
   into the long format by ``segkit.churn.to_long``. lifelines' own way of building the
   same long format, ``lifelines.utils.to_long_format`` then
   ``add_covariate_to_timeline`` (given the same survival frame and the same covariate
   changes, as ages), takes 2 to 10 ms per customer (a pandas ``groupby.apply``), so it
   runs on a random ``--lifelines-build-customers`` (1,000) of them, against segkit on
   the same customers; its time for all customers is extrapolated linearly (marked
   "est."). The two long frames are checked equal row by row after lifelines' missing
   values before a customer's first change are read as 0 and consecutive intervals of
   one customer with the same covariates are merged (lifelines drops a change that
   changes nothing; segkit keeps the interval).
2. **Fitting on the same data**, a random ``--fit-customers`` (2e4) of part 1's
   customers (lifelines' Cox fitters with late entry or time-varying rows loop over the
   distinct event times, O(rows x event times) per Newton step, and take minutes at
   1e5): ``CoxModel`` against ``CoxPHFitter`` with late entry
   (customers alive on ``--window-start``, 2024-01-01; the six indicators on that day
   and region, channel), ``TimeVaryingCoxModel`` against ``CoxTimeVaryingFitter`` (the
   six indicators per month and region, channel) and ``AFTModel("weibull")`` against
   ``WeibullAFTFitter`` (late entry). segkit's fits include what lifelines computes
   lazily (summary, concordance), so the lifelines rows ask for them too. Coefficients
   must agree within 1e-6. Separately: the Breslow baseline (segkit's vectorised
   ``breslow_baseline`` against lifelines' own baseline of each model, given the same
   partial hazards; for late entry they differ on purpose, lifelines issues 554/556) and
   ``time_varying_concordance`` (lifelines has none, issue 805).
3. **The warning list** for ``--warning-customers`` (1e6) customers:
   ``segkit.churn.warning.EarlyWarning(capacity=1000, threshold_days=90)`` fitted at
   the day after the observation end (training examples at its default earlier
   dates), then ``score`` and ``warning_list`` (risk, levels,
   tiers, actions, drivers) at the same date; the indicators alone
   (``warning_indicators``) for scale. No lifelines peer.

The larger size is simulated once; the smaller data set is a random subset of its
customers with all their rows (the same generative story). Simulating 1e6 customers
takes one to two minutes and about 5 GB.

Usage::

    python benchmarks/bench_churn.py                      # 1e5 / 2e4 / 1e6 customers
    python benchmarks/bench_churn.py --quick              # 1e4 / 5e3 / 1e5, two minutes
    python benchmarks/bench_churn.py --fit-customers 1e5 --warning-customers 0

The default run takes about seven minutes (100 s of it simulating 1e6 customers) and
6 GB.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd

START, END = "2023-01-01", "2024-12-31"
STATIC = ["region", "channel"]


def timed(call):
    start = time.perf_counter()
    out = call()
    return out, time.perf_counter() - start


def paired(ours, theirs, repeat: int):
    """Time two calls ``repeat`` times each, alternating which goes first (ABBA...), and
    keep the best time of each: in single runs the first of two big fits was often the
    slower, whichever library it was."""
    best = [float("inf"), float("inf")]
    out = [None, None]
    for k in range(max(int(repeat), 1)):
        for j in ((0, 1) if k % 2 == 0 else (1, 0)):
            out[j], t = timed((ours, theirs)[j])
            best[j] = min(best[j], t)
    return out[0], best[0], out[1], best[1]


def load() -> float:
    return os.getloadavg()[0]


def subset(data, ids):
    """The customers ``ids`` with all their rows in every table."""
    ids = pd.Index(ids)
    tables = {name: df.loc[df["customer_id"].isin(ids).to_numpy()].reset_index(drop=True)
              for name, df in data.tables().items() if "customer_id" in df.columns}
    return dataclasses.replace(data, **tables)


def sample_ids(data, n: int, seed: int = 0) -> np.ndarray:
    ids = data.customers["customer_id"].to_numpy()
    if n >= len(ids):
        return np.sort(ids)
    return np.sort(np.random.default_rng(seed).choice(ids, n, replace=False))


# ------------------------------------------------------------------ lifelines' long format


def ages_in_months(changes: pd.DataFrame, surv: pd.DataFrame) -> np.ndarray:
    """Age (months since origin) of each change row, as segkit.churn.to_long counts it
    (calendar months, ``segkit.churn.elapsed``): lifelines needs ages, not dates."""
    from segkit.churn import elapsed

    origin = surv.set_index("customer_id")["origin"]
    o = origin.reindex(changes["customer_id"]).to_numpy(dtype="datetime64[ns]")
    return elapsed(o, changes["date"].to_numpy(dtype="datetime64[ns]"), "M")


def lifelines_long(surv: pd.DataFrame, changes: pd.DataFrame, covs: list[str]) -> pd.DataFrame:
    """lifelines' way: to_long_format of the survival frame, then add_covariate_to_timeline."""
    from lifelines.utils import add_covariate_to_timeline, to_long_format

    base = to_long_format(surv[["customer_id", "duration", "event", *STATIC]], "duration")
    cv = changes[["customer_id", *covs]].copy()
    cv["age"] = ages_in_months(changes, surv)
    return add_covariate_to_timeline(base, cv, id_col="customer_id", duration_col="age",
                                     event_col="event")


def canonical(long: pd.DataFrame, covs: list[str]) -> pd.DataFrame:
    """Missing covariates as 0; consecutive intervals with equal covariates merged."""
    df = long[["customer_id", "start", "stop", "event", *covs]].copy()
    df[covs] = df[covs].astype(float).fillna(0.0)
    df["event"] = df["event"].astype(int)
    df = df.sort_values(["customer_id", "start"], kind="stable").reset_index(drop=True)
    cid = df["customer_id"].to_numpy()
    vals = df[covs].to_numpy()
    same = np.r_[False, (cid[1:] == cid[:-1]) & (vals[1:] == vals[:-1]).all(axis=1)]
    g = np.cumsum(~same)
    out = df.groupby(g).agg({"customer_id": "first", "start": "first", "stop": "last",
                             "event": "last", **{c: "first" for c in covs}})
    return out.reset_index(drop=True)


def same_long(a: pd.DataFrame, b: pd.DataFrame, covs: list[str]) -> str:
    a, b = canonical(a, covs), canonical(b, covs)
    if len(a) != len(b):
        return f"rows differ: {len(a):,} vs {len(b):,}"
    if not (a["customer_id"].to_numpy() == b["customer_id"].to_numpy()).all():
        return "customer ids differ"
    if not (a["event"].to_numpy() == b["event"].to_numpy()).all():
        return "events differ"
    d = max(np.abs(a[c].to_numpy(float) - b[c].to_numpy(float)).max()
            for c in ["start", "stop", *covs])
    return f"equal ({len(a):,} rows, max diff {d:.0e})" if d < 1e-9 else f"max diff {d:.1e}"


# ------------------------------------------------------------------ designs for lifelines


def design(df: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    """The covariates as segkit's models encode them: numbers, then categories one-hot
    with the first (sorted) level dropped."""
    dummies = pd.get_dummies(df[STATIC].astype(str), drop_first=True, dtype=float,
                             prefix_sep="=")
    return pd.concat([df[numeric].astype(float), dummies], axis=1)


def coef_diff(ours: pd.Series, theirs: pd.Series) -> float:
    theirs = theirs.reindex(ours.index)
    return float(np.abs(ours.to_numpy() - theirs.to_numpy()).max())


def check(diff: float, tol: float = 1e-6) -> str:
    return f"coef diff {diff:.0e}" + ("" if diff <= tol else " > 1e-6!")


# ------------------------------------------------------------------ the three parts


def part_survival(data, args, rows: list, keep: dict) -> None:
    from segkit import churn
    from segkit.features.windows import INDICATORS, warning_indicators_by_period

    thr = args.threshold_days
    n = len(data.customers)
    label = f"{n:,} customers"
    surv, s_surv = timed(lambda: churn.survival_data(data, threshold_days=thr, unit="M"))
    rows.append(dict(part=1, step="segkit survival_data (one row per customer)", data=label,
                     rows=len(surv), segkit=s_surv))
    cc, s = timed(lambda: churn.complaint_counts(data))
    rows.append(dict(part=1, step="segkit complaint_counts (monthly, by reason)", data=label,
                     rows=len(cc), segkit=s))
    tv, s_tv = timed(lambda: churn.time_varying(data, threshold_days=thr, unit="M"))
    rows.append(dict(part=1, step="segkit time_varying, complaints (from raw tables)",
                     data=label, rows=len(tv), segkit=s_tv))
    wi, s_wi = timed(lambda: warning_indicators_by_period(data, "M"))
    rows.append(dict(part=1, step="segkit warning_indicators_by_period (monthly)", data=label,
                     rows=len(wi), segkit=s_wi))
    ind = list(INDICATORS)
    changes = wi[["customer_id", "period_start", *ind]].rename(columns={"period_start": "date"})

    def long_indicators():
        long = churn.to_long(surv, changes, unit="M")
        return long.join(surv.set_index("customer_id")[STATIC], on="customer_id")

    long_ind, s_tl = timed(long_indicators)
    rows.append(dict(part=1, step="segkit to_long, six indicators", data=label,
                     rows=len(long_ind), segkit=s_tl))
    rows.append(dict(part=1, step="segkit six indicators per month, total "
                     "(survival_data + by_period + to_long)", data=label, rows=len(long_ind),
                     segkit=s_surv + s_wi + s_tl))

    # lifelines on a subset of the customers, segkit on the same subset
    m = min(int(args.lifelines_build_customers), len(surv))
    pick = np.sort(np.random.default_rng(1).choice(len(surv), m, replace=False))
    s_sub = surv.iloc[pick].reset_index(drop=True)
    ids = pd.Index(s_sub["customer_id"])
    complaint_cols = [c for c in cc.columns if c.startswith("complaints_")]
    for what, ch, covs in [("complaints", cc, complaint_cols), ("six indicators", changes, ind)]:
        ch_sub = ch.loc[ch["customer_id"].isin(ids).to_numpy()].reset_index(drop=True)
        ours, s = timed(lambda ch_sub=ch_sub: churn.to_long(s_sub, ch_sub, unit="M"))
        theirs, t = timed(lambda ch_sub=ch_sub, covs=covs: lifelines_long(s_sub, ch_sub, covs))
        rows.append(dict(part=1, step=f"to_long vs to_long_format + add_covariate_to_timeline"
                         f", {what}", data=f"{m:,} customers", rows=len(ours), segkit=s,
                         lifelines=t, check=same_long(ours, theirs, covs)))
        full = {"complaints": tv, "six indicators": long_ind}[what]
        rows.append(dict(part=1, step=f"lifelines long format, {what}: time for all "
                         "customers (est., linear)", data=label, rows=len(full),
                         segkit=s_tv if what == "complaints" else s_tl,
                         lifelines=t * len(surv) / m, estimated=True))
    keep.update(surv=surv, long_ind=long_ind, long_cc=tv)


def part_models(data, args, rows: list, keep: dict) -> None:
    import lifelines

    from segkit import churn
    from segkit.features.windows import INDICATORS, warning_indicators

    ind = list(INDICATORS)
    thr = args.threshold_days
    ws = pd.Timestamp(args.window_start)
    if args.fit_customers < len(data.customers):
        data = subset(data, sample_ids(data, int(args.fit_customers), 2))
    surv = churn.survival_data(data, threshold_days=thr, unit="M", window_start=ws)
    x0 = warning_indicators(data, ws)[["customer_id", *ind]]
    surv = surv.merge(x0, on="customer_id", how="left")
    surv[ind] = surv[ind].fillna(0.0)
    df = surv[["duration", "event", "entry", *ind, *STATIC]]
    n_late = int((df["entry"] > 0).sum())
    label = f"{len(df):,} customers, {n_late:,} late entries"

    # Cox with late entry
    X = design(df, ind).assign(duration=df["duration"], event=df["event"], entry=df["entry"])

    def lifelines_cox():
        f = lifelines.CoxPHFitter()
        f.fit(X, "duration", "event", entry_col="entry")
        f.summary  # noqa: B018 - segkit's fit builds these too
        f.concordance_index_  # noqa: B018
        return f

    ours, s, theirs, t = paired(lambda: churn.CoxModel().fit(df, entry_col="entry"),
                                lifelines_cox, args.repeat)
    rows.append(dict(part=2, step="CoxModel vs CoxPHFitter, late entry (fit, summary, "
                     "concordance)", data=label, rows=len(df), segkit=s, lifelines=t,
                     check=check(coef_diff(ours.params_, theirs.params_))))
    risk = np.exp(ours.design_.transform(df).to_numpy() @ ours.params_.to_numpy())
    base, s = timed(lambda: churn.breslow_baseline(df["entry"], df["duration"], df["event"],
                                                   risk))
    P = pd.DataFrame({"P": risk, "T": df["duration"].to_numpy(), "E": df["event"].to_numpy(),
                      "W": 1.0})
    lb, t = timed(lambda: theirs._compute_baseline_hazard(P, "baseline hazard").cumsum())
    # without late entry the two Breslow estimates are the same; with it lifelines' is too low
    no_entry = churn.breslow_baseline(np.zeros(len(df)), df["duration"], df["event"], risk)
    same = np.abs(no_entry.to_numpy() - lb.reindex(no_entry.index).iloc[:, 0].to_numpy()).max()
    at = base.index.to_numpy()[len(base) // 2]
    rows.append(dict(part=2, step="Breslow baseline, late entry (segkit vectorised vs "
                     "lifelines groupby)", data=label, rows=len(base), segkit=s, lifelines=t,
                     check=f"entry ignored: diff {same:.0e}; H0({at:.1f}) "
                     f"{base.loc[at]:.4f} vs lifelines {lb.iloc[:, 0].reindex([at]).iloc[0]:.4f}"))

    # AFT Weibull with late entry
    def lifelines_aft():
        f = lifelines.WeibullAFTFitter()
        f.fit(X, "duration", "event", entry_col="entry")
        return f

    ours, s, theirs, t = paired(lambda: churn.AFTModel("weibull").fit(df, entry_col="entry"),
                                lifelines_aft, args.repeat)
    rows.append(dict(part=2, step="AFTModel('weibull') vs WeibullAFTFitter, late entry",
                     data=label, rows=len(df), segkit=s, lifelines=t,
                     check=check(coef_diff(ours.params_, theirs.params_))))

    # time-varying Cox: the six indicators per month, region, channel
    long = keep["long_ind"]
    long = long.loc[long["customer_id"].isin(data.customers["customer_id"]).to_numpy()]
    long = long.reset_index(drop=True)
    cols = [*ind, *STATIC]
    label = f"{long['customer_id'].nunique():,} customers, {int(long['event'].sum()):,} events"
    Xl = design(long, ind).assign(id=long["customer_id"].to_numpy(), start=long["start"],
                                  stop=long["stop"], event=long["event"].astype(int))

    def lifelines_tv():
        f = lifelines.CoxTimeVaryingFitter()
        f.fit(Xl, id_col="id", event_col="event", start_col="start", stop_col="stop",
              show_progress=False)
        return f

    ours, s, theirs, t = paired(
        lambda: churn.TimeVaryingCoxModel().fit(long, covariate_cols=cols), lifelines_tv,
        args.repeat)
    rows.append(dict(part=2, step="TimeVaryingCoxModel vs CoxTimeVaryingFitter, six "
                     "indicators (fit, baseline; segkit: + concordance)", data=label,
                     rows=len(long), segkit=s, lifelines=t,
                     check=check(coef_diff(ours.params_, theirs.params_))))
    lin = ours.design_.transform(long).to_numpy() @ ours.params_.to_numpy()
    base, s = timed(lambda: churn.breslow_baseline(long["start"], long["stop"], long["event"],
                                                   np.exp(lin)))
    cov = Xl.drop(columns=["id", "start", "stop", "event"])
    ev = Xl["event"].astype(bool)
    lb, t = timed(lambda: theirs._compute_cumulative_baseline_hazard(
        cov, ev, Xl["start"], Xl["stop"], pd.Series(1.0, index=Xl.index)))
    # lifelines' baseline is that of the centred covariates: exp(mean x @ beta) times ours
    scale = np.exp(cov.mean().to_numpy() @ theirs.params_.reindex(cov.columns).to_numpy())
    d = np.abs(base.to_numpy() * scale / lb.iloc[:, 0].reindex(base.index).to_numpy() - 1).max()
    rows.append(dict(part=2, step="Breslow baseline, time-varying (segkit vectorised vs "
                     "lifelines loop over event times)", data=label, rows=len(base), segkit=s,
                     lifelines=t, check=f"rel. diff {d:.0e} (lifelines' is for centred x)"))
    c, s = timed(lambda: churn.time_varying_concordance(long, lin))
    rows.append(dict(part=2, step="time_varying_concordance (lifelines: none)", data=label,
                     rows=len(long), segkit=s, check=f"C = {c:.3f}"))


def part_warning(data, args, rows: list) -> None:
    from segkit.churn.warning import EarlyWarning
    from segkit.features.windows import warning_indicators

    as_of = pd.Timestamp(END) + pd.Timedelta(days=1)
    label = f"{len(data.customers):,} customers"
    w, s = timed(lambda: warning_indicators(data, as_of))
    rows.append(dict(part=3, step="segkit features.windows.warning_indicators", data=label,
                     rows=len(w), segkit=s))
    del w
    ew = EarlyWarning(capacity=args.capacity, threshold_days=args.threshold_days)
    _, s = timed(lambda: ew.fit(data, as_of))
    rows.append(dict(part=3, step=f"EarlyWarning.fit ({len(ew.train_dates_)} training dates)",
                     data=label, rows=ew.n_train_, segkit=s))
    scored, s = timed(lambda: ew.score(data, as_of))
    rows.append(dict(part=3, step="EarlyWarning.score", data=label, rows=len(scored),
                     segkit=s))
    levels = scored["level"].value_counts().reindex(["red", "amber", "green"]).tolist()
    del scored
    wl, s = timed(lambda: ew.warning_list(data, as_of))
    rows.append(dict(part=3, step="EarlyWarning.warning_list (score, profile, tiers, "
                     "drivers)", data=label, rows=len(wl), segkit=s,
                     check=f"red/amber/green {levels[0]:,}/{levels[1]:,}/{levels[2]:,}"))


# ------------------------------------------------------------------ output


def fmt_s(v) -> str:
    if v is None or not np.isfinite(v):
        return "-"
    return f"{v:,.1f}" if v >= 100 else f"{v:.2f}" if v >= 1 else f"{v:.3g}"


class Progress(list):
    """The rows of the table, each also printed as a comment line when measured."""

    def append(self, row: dict) -> None:
        super().append(row)
        theirs = row.get("lifelines")
        print(f"# {row['step']}: segkit {fmt_s(row.get('segkit'))} s"
              + ("" if theirs is None else f", lifelines {fmt_s(theirs)} s")
              + f"; load {load():.1f}", flush=True)


def print_table(rows: list[dict]) -> None:
    print("| part | step | data | rows | segkit s | lifelines s | ratio | check |")
    print("|---:|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        ours, theirs = r.get("segkit"), r.get("lifelines")
        est = " (est.)" if r.get("estimated") else ""
        ratio = f"{theirs / ours:.1f}x" if theirs is not None and ours else "-"
        print(f"| {r['part']} | {r['step']} | {r['data']} | {r['rows']:,} | {fmt_s(ours)} "
              f"| {fmt_s(theirs)}{est} | {ratio} | {r.get('check', '')} |", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1e4 customers for part 1, 5e3 for part 2, 1e5 for the "
                             "warning list, 500 for lifelines' long format")
    parser.add_argument("--customers", type=float, default=None,
                        help="customers of part 1 (default 1e5)")
    parser.add_argument("--warning-customers", type=float, default=None,
                        help="customers of the warning list (default 1e6; 0 skips part 3)")
    parser.add_argument("--lifelines-build-customers", type=float, default=None,
                        help="customers on which lifelines builds the long format "
                             "(default 1000)")
    parser.add_argument("--fit-customers", type=float, default=None,
                        help="customers of part 2, a random subset of part 1's (default "
                             "2e4: lifelines' fitters with late entry or time-varying rows "
                             "take minutes at 1e5)")
    parser.add_argument("--threshold-days", type=float, default=90.0,
                        help="narrow churn threshold (default 90)")
    parser.add_argument("--window-start", default="2024-01-01",
                        help="analysis window start of the late-entry models")
    parser.add_argument("--capacity", type=int, default=1000,
                        help="EarlyWarning capacity (default 1000)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each part-2 fit, alternating segkit and lifelines "
                             "first; the best time is kept (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n = int(args.customers or (1e4 if args.quick else 1e5))
    nw = int(args.warning_customers if args.warning_customers is not None
             else (1e5 if args.quick else 1e6))
    if args.lifelines_build_customers is None:
        args.lifelines_build_customers = 500 if args.quick else 1000
    if args.fit_customers is None:
        args.fit_customers = 5000 if args.quick else 20_000
    warnings.simplefilter("ignore")

    import lifelines
    import scipy

    import segkit
    from segkit.datasets import simulate

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}, numpy {np.__version__}, pandas "
          f"{pd.__version__}, scipy {scipy.__version__}, lifelines {lifelines.__version__}, "
          f"segkit {getattr(segkit, '__version__', '?')}; load {load():.1f}", flush=True)

    big = max(n, nw)
    sim, s_sim = timed(lambda: simulate(big, START, END, seed=args.seed))
    data_big = sim.tables
    del sim
    print(f"# simulate({big:,} customers, {START} to {END}): {s_sim:.1f} s; load "
          f"{load():.1f}", flush=True)
    data = subset(data_big, sample_ids(data_big, n, args.seed)) if n < big else data_big

    # warm-up (imports, first calls), not timed
    warm_args = argparse.Namespace(**{**vars(args), "lifelines_build_customers": 200,
                                      "fit_customers": 1000, "repeat": 1})
    warm = subset(data_big, sample_ids(data_big, 1000, 99))
    keep: dict = {}
    part_survival(warm, warm_args, [], keep)
    part_models(warm, warm_args, [], keep)

    rows: list[dict] = Progress()
    loads = [load()]
    part_survival(data, args, rows, keep)
    loads.append(load())
    part_models(data, args, rows, keep)
    loads.append(load())
    if nw:
        del keep
        if data is not data_big:
            del data
        part_warning(data_big, args, rows)
        loads.append(load())
    print()
    print_table(rows)
    print()
    print(f"# narrow churn threshold {args.threshold_days:g} days, calendar months; ratio = "
          "lifelines s / segkit s; load (1 min) at the start of each part and at the end: "
          f"{', '.join(f'{v:.1f}' for v in loads)}")


if __name__ == "__main__":
    main()
