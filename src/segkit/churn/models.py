"""Survival models of churn: Kaplan-Meier, Cox, AFT, time-varying Cox, random survival forest.

Thin estimators over lifelines and scikit-survival with one interface, so that
evaluation, the early-warning system and the reports can swap them:

- ``fit(df, duration_col="duration", event_col="event", entry_col=None)`` returns self
  (the time-varying model takes the long format: ``start_col, stop_col``);
- ``predict_survival(df, times, conditional_after=None)``: a DataFrame indexed like
  ``df`` with one column per time, S(t | x) or, given current ages, S(t | x, alive then);
- ``predict_risk(df)``: higher means churning sooner.

What they fix over the libraries they wrap:

- :class:`CoxModel` recomputes the Breslow baseline hazard with the correct risk sets
  under late entry (a customer counts at risk only from their entry on). lifelines'
  ``CoxPHFitter`` estimates the coefficients correctly with ``entry_col`` but builds its
  baseline from every subject whose duration is past t, entered or not (lifelines
  issues 554, 556), which biases predicted survival upward when many enter late;
- :class:`TimeVaryingCoxModel` predicts (the current covariates carried forward from
  each customer's current age) and has a concordance index for time-varying data
  (:func:`time_varying_concordance`; lifelines issues 506, 530, 805);
- covariates are one-hot encoded with the levels seen in fit; unseen levels and missing
  values are refused with the column and example rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import NotFittedError, ParameterError, SchemaError

__all__ = [
    "KaplanMeierResult",
    "kaplan_meier",
    "logrank_test",
    "CoxModel",
    "AFTModel",
    "TimeVaryingCoxModel",
    "SurvivalForest",
    "breslow_baseline",
    "schoenfeld_residuals",
    "time_varying_concordance",
    "split_follow_up",
]

_SURV_COLS = ("customer_id", "origin", "exit_date", "entry", "duration", "event", "start",
              "stop")


# ----------------------------------------------------------------------------- design


class _Design:
    """Covariates -> a numeric matrix: numbers as they are, categories one-hot (first dropped)."""

    def __init__(self, frame: pd.DataFrame, columns: list[str], table: str = "survival data"):
        self.columns = list(columns)
        self.table = table
        self.levels: dict[str, list] = {}
        for c in self.columns:
            s = frame[c]
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                self.levels[c] = sorted(pd.unique(s.dropna().astype(str)))
        self.names = self._names()
        self.dropped: list[str] = []

    def _names(self) -> list[str]:
        names = []
        for c in self.columns:
            if c in self.levels:
                names += [f"{c}={v}" for v in self.levels[c][1:]]
            else:
                names.append(c)
        return names

    def fit_transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """:meth:`transform`, dropping design columns with one value only (with a warning).

        A covariate that never varies (no complaints at all in the data, one region
        only) carries no information and makes the likelihood singular; it is left
        out, named in ``dropped`` and in a warning, instead of failing the fit.
        """
        X = self.transform(frame)
        values = X.to_numpy()
        const = [n for j, n in enumerate(self.names)
                 if len(values) and np.all(values[:, j] == values[0, j])]
        if const:
            warnings.warn(f"covariates {const} have one value only in the {self.table} and "
                          "are left out of the model", UserWarning, stacklevel=3)
            self.dropped = const
            self.names = [n for n in self.names if n not in const]
            X = X[self.names]
        if not self.names and self.columns:
            raise SchemaError(self.table, ", ".join(self.columns), "no covariate varies: "
                              "nothing for the model to learn from", pd.DataFrame(), 0)
        return X

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise SchemaError(self.table, missing[0], f"covariates {missing} are missing",
                              pd.DataFrame(), 0)
        out = {}
        for c in self.columns:
            s = frame[c]
            bad = s.isna()
            if bad.any():
                raise SchemaError(self.table, c, "missing covariate values; fill or drop "
                                  "them before fitting", frame.loc[bad, [c]].head(5),
                                  int(bad.sum()))
            if c in self.levels:
                v = s.astype(str)
                unseen = ~v.isin(self.levels[c])
                if unseen.any():
                    raise SchemaError(self.table, c, f"levels not seen in fit (known: "
                                      f"{self.levels[c]})", frame.loc[unseen, [c]].head(5),
                                      int(unseen.sum()))
                for lv in self.levels[c][1:]:
                    out[f"{c}={lv}"] = (v == lv).to_numpy(dtype=float)
            else:
                x = s.to_numpy(dtype=float)
                if not np.isfinite(x).all():
                    bad = ~np.isfinite(x)
                    raise SchemaError(self.table, c, "covariates must be finite numbers",
                                      frame.loc[bad, [c]].head(5), int(bad.sum()))
                out[c] = x
        return pd.DataFrame(out, index=frame.index, columns=self.names)


def _covariate_columns(df: pd.DataFrame, covariate_cols, exclude) -> list[str]:
    if covariate_cols is not None:
        return list(covariate_cols)
    return [c for c in df.columns if c not in set(_SURV_COLS) | set(exclude)]


def _check_frame(df, cols, table="survival data") -> None:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c is not None and c not in df.columns]
    if missing:
        raise SchemaError(table, missing[0], f"columns {missing} are missing (the frame has "
                          f"{list(df.columns)})", pd.DataFrame(), 0)


def _check_times(df, duration_col, event_col, entry_col, table="survival data"):
    d = pd.to_numeric(df[duration_col], errors="coerce")
    bad = d.isna() | (d < 0)
    if bad.any():
        raise SchemaError(table, duration_col, "durations must be numbers >= 0",
                          df.loc[bad, [duration_col]].head(5), int(bad.sum()))
    e = df[event_col]
    bad = ~e.isin([0, 1, True, False])
    if bad.any():
        raise SchemaError(table, event_col, "events must be 0/1 or booleans",
                          df.loc[bad, [event_col]].head(5), int(bad.sum()))
    if entry_col is not None:
        en = pd.to_numeric(df[entry_col], errors="coerce")
        bad = en.isna() | (en < 0) | (en > d)
        if bad.any():
            raise SchemaError(table, entry_col, "entry times must lie between 0 and the "
                              "duration", df.loc[bad, [entry_col, duration_col]].head(5),
                              int(bad.sum()))


def _times(times) -> np.ndarray:
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if t.ndim != 1 or not np.isfinite(t).all() or (t < 0).any():
        raise ParameterError("times must be finite numbers >= 0")
    return t


def _ages(df: pd.DataFrame, conditional_after) -> np.ndarray | None:
    if conditional_after is None:
        return None
    if isinstance(conditional_after, str):
        a = df[conditional_after].to_numpy(dtype=float)
    else:
        a = np.broadcast_to(np.asarray(conditional_after, dtype=float), (len(df),)).copy()
    if not np.isfinite(a).all() or (a < 0).any():
        raise ParameterError("conditional_after must hold finite ages >= 0")
    return a


# ---------------------------------------------------------------------- Kaplan-Meier


@dataclass
class KaplanMeierResult:
    """Kaplan-Meier curves by group, their medians and the log-rank test.

    Attributes
    ----------
    curves : pandas.DataFrame
        ``group, time, survival, lower, upper, at_risk`` (pointwise confidence band).
    medians : pandas.Series
        Median survival time per group (inf when the curve stays above 0.5).
    logrank : dict or None
        ``test_statistic``, ``p_value``, ``degrees_of_freedom`` of the (multivariate)
        log-rank test across groups; None for one group.
    fitters : dict
        The lifelines ``KaplanMeierFitter`` of each group.
    """

    curves: pd.DataFrame
    medians: pd.Series
    logrank: dict | None
    fitters: dict

    def survival_at(self, times) -> pd.DataFrame:
        """Survival of each group at ``times`` (rows: groups, columns: times)."""
        t = _times(times)
        return pd.DataFrame({g: f.survival_function_at_times(t).to_numpy()
                             for g, f in self.fitters.items()}, index=t).T


def kaplan_meier(df: pd.DataFrame, group_col=None, duration_col: str = "duration",
                 event_col: str = "event", entry_col=None, alpha: float = 0.05
                 ) -> KaplanMeierResult:
    """Kaplan-Meier survival by group (tier, cohort, plan) with the log-rank test.

    Late entry (``entry_col``) is honoured, in the curves and in the log-rank test
    (:func:`logrank_test`): a customer counts at risk from entry on.

    Examples
    --------
    >>> df = pd.DataFrame({"duration": [1, 2, 3, 4, 5, 6], "event": [1, 1, 0, 1, 1, 0],
    ...                    "plan": ["a", "a", "a", "b", "b", "b"]})
    >>> km = kaplan_meier(df, "plan")
    >>> km.survival_at([2]).round(3)[2.0].tolist()
    [0.333, 1.0]
    """
    from lifelines import KaplanMeierFitter

    _check_frame(df, [duration_col, event_col, entry_col, group_col])
    _check_times(df, duration_col, event_col, entry_col)
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must lie in (0, 1), got {alpha}")
    groups = (pd.Series("all", index=df.index) if group_col is None
              else df[group_col].astype(str))
    fitters, parts, medians = {}, [], {}
    for g in sorted(groups.unique()):
        sel = (groups == g).to_numpy()
        f = KaplanMeierFitter(alpha=alpha)
        f.fit(df.loc[sel, duration_col], df.loc[sel, event_col],
              entry=None if entry_col is None else df.loc[sel, entry_col], label=str(g))
        fitters[g] = f
        ci = f.confidence_interval_survival_function_
        parts.append(pd.DataFrame({
            "group": g,
            "time": f.survival_function_.index.to_numpy(dtype=float),
            "survival": f.survival_function_.iloc[:, 0].to_numpy(),
            "lower": ci.iloc[:, 0].to_numpy(),
            "upper": ci.iloc[:, 1].to_numpy(),
            "at_risk": f.event_table["at_risk"].reindex(f.survival_function_.index)
                       .to_numpy(),
        }))
        medians[g] = float(f.median_survival_time_)
    logrank = None
    if len(fitters) > 1:
        logrank = logrank_test(df[duration_col], groups, df[event_col],
                               None if entry_col is None else df[entry_col])
    return KaplanMeierResult(pd.concat(parts, ignore_index=True),
                             pd.Series(medians, name="median"), logrank, fitters)


def logrank_test(durations, groups, events, entry=None) -> dict:
    """The k-group log-rank test, with risk sets that respect late entry.

    At each event time, observed against expected events per group given who is at
    risk (entered before t, not yet left); the statistic is chi-squared with k - 1
    degrees of freedom. Without ``entry`` it equals lifelines'
    ``multivariate_logrank_test``; lifelines has no entry argument, and with late
    entrants counted from time 0 its risk sets are too large early on.

    Returns
    -------
    dict
        ``test_statistic``, ``p_value``, ``degrees_of_freedom``.
    """
    from scipy.stats import chi2

    t = np.asarray(durations, dtype=float)
    e = np.asarray(events).astype(bool)
    start = _open_start(np.zeros_like(t) if entry is None else entry)
    codes, levels = pd.factorize(pd.Series(np.asarray(groups)).astype(str), sort=True)
    k = len(levels)
    if k < 2:
        raise ParameterError("the log-rank test needs at least two groups")
    times = np.unique(t[e])
    n = np.empty((times.size, k))
    d = np.empty((times.size, k))
    for g in range(k):  # over groups, not customers
        sel = codes == g
        ts, ss = np.sort(t[sel]), np.sort(start[sel])
        # at risk at u: stop >= u and not start >= u
        n[:, g] = (ts.size - np.searchsorted(ts, times, side="left")) \
            - (ss.size - np.searchsorted(ss, times, side="left"))
        d[:, g] = np.bincount(np.searchsorted(times, t[sel & e]), minlength=times.size)
    n_tot, d_tot = n.sum(axis=1), d.sum(axis=1)
    ok = n_tot > 0
    n, d, n_tot, d_tot = n[ok], d[ok], n_tot[ok], d_tot[ok]
    expected = n * (d_tot / n_tot)[:, None]
    o_e = (d - expected).sum(axis=0)
    factor = np.where(n_tot > 1, d_tot * (n_tot - d_tot) / np.maximum(n_tot - 1, 1), 0.0)
    share = n / n_tot[:, None]
    V = np.einsum("t,tg,th->gh", factor, share, -share)
    V[np.diag_indices(k)] += (factor[:, None] * share).sum(axis=0)
    stat = float(o_e[:-1] @ np.linalg.solve(V[:-1, :-1], o_e[:-1]))
    return {"test_statistic": stat, "p_value": float(chi2.sf(stat, k - 1)),
            "degrees_of_freedom": k - 1}


# ---------------------------------------------------------------------- Breslow baseline


def _open_start(start) -> np.ndarray:
    """Starts for risk sets: followed from time 0 means at risk at 0 itself.

    A row is at risk at t when ``start < t <= stop``; a row starting at 0 (no late
    entry) must also count for an event at t = 0 (a churn on the day of acquisition),
    so its start is moved to -inf.
    """
    s = np.asarray(start, dtype=float).copy()
    s[s == 0] = -np.inf
    return s


def breslow_baseline(start, stop, event, risk, weights=None) -> pd.Series:
    """Breslow cumulative baseline hazard with counting-process risk sets.

    A row is at risk at time t when ``start < t <= stop`` (a row starting at 0 also at
    t = 0); so late entry (``start`` = entry age) and time-varying rows are both
    handled. Vectorised: O(n log n).

    Parameters
    ----------
    start, stop, event : array-like
        Interval of each row and whether it ends with the event.
    risk : array-like
        ``exp(x @ beta)`` of each row.

    Returns
    -------
    pandas.Series
        Cumulative baseline hazard at each distinct event time (index).
    """
    start = _open_start(start)
    stop = np.asarray(stop, dtype=float)
    event = np.asarray(event).astype(bool)
    w = np.ones_like(stop) if weights is None else np.asarray(weights, dtype=float)
    r = np.asarray(risk, dtype=float) * w
    times = np.unique(stop[event])
    if not times.size:
        return pd.Series([], dtype=float, name="baseline cumulative hazard")
    # sum of r over rows with stop >= t, minus rows with start >= t (these have stop > t)
    o = np.argsort(stop)
    cum_stop = np.r_[np.cumsum(r[o][::-1])[::-1], 0.0]
    at_stop = cum_stop[np.searchsorted(stop[o], times, side="left")]
    o2 = np.argsort(start)
    cum_start = np.r_[np.cumsum(r[o2][::-1])[::-1], 0.0]
    at_start = cum_start[np.searchsorted(start[o2], times, side="left")]
    at_risk = at_stop - at_start
    deaths = np.bincount(np.searchsorted(times, stop[event]), weights=w[event],
                         minlength=times.size)
    return pd.Series(np.cumsum(deaths / at_risk), index=times,
                     name="baseline cumulative hazard")


def schoenfeld_residuals(start, stop, event, X, beta):
    """Schoenfeld residuals ``x_i - E[x | risk set at t_i]`` of each event (Breslow ties).

    Risk sets are counting-process ones (``start < t <= stop``), computed with sorted
    cumulative sums: O(n log n) whatever the number of event times.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The residuals (events x covariates) and the event times.
    """
    start = _open_start(start)
    stop = np.asarray(stop, dtype=float)
    event = np.asarray(event).astype(bool)
    X = np.asarray(X, dtype=float)
    r = np.exp(X @ np.asarray(beta, dtype=float))
    rx = np.column_stack([r, r[:, None] * X])
    t_ev = stop[event]

    def tail_sums(key):
        o = np.argsort(key)
        cum = np.vstack([np.cumsum(rx[o][::-1], axis=0)[::-1], np.zeros((1, rx.shape[1]))])
        return cum[np.searchsorted(key[o], t_ev, side="left")]

    at = tail_sums(stop) - tail_sums(start)
    xbar = at[:, 1:] / at[:, :1]
    return X[event] - xbar, t_ev


def _step(cumhaz: pd.Series, t: np.ndarray) -> np.ndarray:
    """A right-continuous step function (0 before the first jump) evaluated at ``t``."""
    if not len(cumhaz):
        return np.zeros_like(t, dtype=float)
    idx = np.searchsorted(cumhaz.index.to_numpy(), t, side="right") - 1
    vals = cumhaz.to_numpy()
    return np.where(idx >= 0, vals[np.maximum(idx, 0)], 0.0)


# ------------------------------------------------------------------------------ Cox


class _Fitted:
    def _check_fitted(self):
        if not hasattr(self, "fitter_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")

    @property
    def concordance_(self) -> float:
        """Harrell's concordance on the training data, computed when first asked for
        (lifelines' is a slow pure-Python count: seconds at 1e5 rows)."""
        self._check_fitted()
        if getattr(self, "_concordance", None) is None:
            self._concordance = self._training_concordance()
        return self._concordance

    def _training_concordance(self) -> float:
        return float(self.fitter_.concordance_index_)


class CoxModel(_Fitted):
    """Cox proportional hazards (lifelines ``CoxPHFitter``) with a late-entry-correct baseline.

    Parameters
    ----------
    penalizer : float
        Ridge penalty on the coefficients (lifelines' ``penalizer``), for many or
        collinear covariates.
    strata : list of str, optional
        Categorical columns with a baseline of their own instead of a coefficient:
        the remedy when a categorical covariate breaks proportional hazards.

    Attributes
    ----------
    fitter_ : lifelines.CoxPHFitter
        The fitted lifelines model (its own ``baseline_survival_`` ignores late entry).
    design_ : object
        The covariate design: ``design_.transform(df)`` is the matrix ``fitter_`` sees
        (categories one-hot with the levels of fit), ``design_.names`` its columns.
    hazard_ratios_ : pandas.DataFrame
        ``coef, hazard_ratio, lower, upper, p`` (95% interval) per design column.
    baseline_cumulative_hazard_ : pandas.Series or dict of Series (by stratum)
        Breslow, with customers at risk only from their entry on.
    concordance_ : float
        Harrell's concordance on the training data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=400)
    >>> t = rng.exponential(1 / np.exp(0.7 * x))
    >>> df = pd.DataFrame({"duration": np.minimum(t, 2.0), "event": (t < 2.0).astype(int), "x": x})
    >>> m = CoxModel().fit(df)
    >>> round(float(m.hazard_ratios_.loc["x", "coef"]), 1)
    0.7
    """

    def __init__(self, penalizer: float = 0.0, strata=None):
        self.penalizer = penalizer
        self.strata = strata

    def fit(self, df: pd.DataFrame, duration_col: str = "duration", event_col: str = "event",
            entry_col=None, covariate_cols=None, weights_col=None) -> CoxModel:
        from lifelines import CoxPHFitter

        if self.penalizer < 0:
            raise ParameterError(f"penalizer must be >= 0, got {self.penalizer}")
        strata = list(self.strata or [])
        _check_frame(df, [duration_col, event_col, entry_col, weights_col, *strata])
        _check_times(df, duration_col, event_col, entry_col)
        exclude = [duration_col, event_col, entry_col, weights_col, *strata]
        cols = [c for c in _covariate_columns(df, covariate_cols, exclude) if c not in strata]
        self.design_ = _Design(df, cols)
        X = self.design_.fit_transform(df)
        frame = X.assign(_T=df[duration_col].to_numpy(dtype=float),
                         _E=df[event_col].to_numpy().astype(int))
        if entry_col is not None:
            frame["_entry"] = df[entry_col].to_numpy(dtype=float)
        if weights_col is not None:
            frame["_w"] = df[weights_col].to_numpy(dtype=float)
        for s in strata:
            frame[s] = df[s].astype(str).to_numpy()
        if frame["_E"].sum() == 0:
            raise SchemaError("survival data", event_col, "no events: nothing to fit a Cox "
                              "model on", pd.DataFrame(), 0)
        f = CoxPHFitter(penalizer=self.penalizer, strata=strata or None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f.fit(frame, "_T", "_E", entry_col="_entry" if entry_col is not None else None,
                  weights_col="_w" if weights_col is not None else None, robust=False)
        self.fitter_ = f
        self._concordance = None
        self.duration_col, self.event_col, self.entry_col = duration_col, event_col, entry_col
        self.params_ = f.params_.copy()
        s = f.summary
        self.hazard_ratios_ = pd.DataFrame({
            "coef": s["coef"], "hazard_ratio": s["exp(coef)"],
            "lower": s["exp(coef) lower 95%"], "upper": s["exp(coef) upper 95%"], "p": s["p"],
        })
        self.hazard_ratios_.index.name = "covariate"
        self.log_likelihood_ = float(f.log_likelihood_)
        risk = np.exp(X.to_numpy() @ self.params_.to_numpy())
        start = frame["_entry"].to_numpy() if entry_col is not None else np.zeros(len(frame))
        w = frame["_w"].to_numpy() if weights_col is not None else None
        if strata:
            key = frame[strata].astype(str).agg("|".join, axis=1).to_numpy()
            self.baseline_cumulative_hazard_ = {
                k: breslow_baseline(start[key == k], frame["_T"].to_numpy()[key == k],
                                    frame["_E"].to_numpy()[key == k], risk[key == k],
                                    None if w is None else w[key == k])
                for k in np.unique(key)
            }
        else:
            self.baseline_cumulative_hazard_ = breslow_baseline(
                start, frame["_T"].to_numpy(), frame["_E"].to_numpy(), risk, w)
        self._fit_frame = frame
        return self

    def _lin(self, df: pd.DataFrame) -> np.ndarray:
        return self.design_.transform(df).to_numpy() @ self.params_.to_numpy()

    def _cumhaz(self, df: pd.DataFrame, t: np.ndarray) -> np.ndarray:
        """Baseline cumulative hazard at ``t`` (rows: df, columns: t)."""
        base = self.baseline_cumulative_hazard_
        if isinstance(base, dict):
            key = df[list(self.strata)].astype(str).agg("|".join, axis=1).to_numpy()
            out = np.zeros((len(df), t.size))
            for k in np.unique(key):
                if k not in base:
                    raise SchemaError("survival data", ",".join(self.strata),
                                      f"stratum {k!r} not seen in fit", pd.DataFrame(), 0)
                out[key == k] = _step(base[k], t)
            return out
        return np.broadcast_to(_step(base, t), (len(df), t.size))

    def predict_risk(self, df: pd.DataFrame) -> pd.Series:
        """Log partial hazard ``x @ beta`` (higher: churns sooner)."""
        self._check_fitted()
        return pd.Series(self._lin(df), index=df.index, name="risk")

    def predict_survival(self, df: pd.DataFrame, times, conditional_after=None) -> pd.DataFrame:
        """S(t | x), or S(t | x, alive at age a) with ``conditional_after`` ages a.

        With ``conditional_after``, ``times`` count from each customer's current age:
        the probability of surviving ``times`` more units.
        """
        self._check_fitted()
        t = _times(times)
        lin = np.exp(self._lin(df))[:, None]
        a = _ages(df, conditional_after)
        if a is None:
            h = self._cumhaz(df, t)
        else:
            grid = a[:, None] + t[None, :]
            h = np.empty_like(grid)
            base = self.baseline_cumulative_hazard_
            for j in range(t.size):  # over the few requested times, not over customers
                h[:, j] = (self._cumhaz_at(df, grid[:, j], base)
                           - self._cumhaz_at(df, a, base))
        return pd.DataFrame(np.exp(-h * lin), index=df.index, columns=t)

    def _cumhaz_at(self, df, ages, base) -> np.ndarray:
        if isinstance(base, dict):
            key = df[list(self.strata)].astype(str).agg("|".join, axis=1).to_numpy()
            out = np.zeros(len(df))
            for k in np.unique(key):
                out[key == k] = _step(base[k], ages[key == k])
            return out
        return _step(base, ages)

    def check_assumptions(self, df: pd.DataFrame | None = None, alpha: float = 0.05
                          ) -> pd.DataFrame:
        """The proportional-hazards check: a test per covariate and what to do if it fails.

        The Grambsch-Therneau test of lifelines' ``proportional_hazard_test`` (scaled
        Schoenfeld residuals against the rank of time), with risk sets that respect
        late entry (lifelines has no residuals with entry times). A covariate with ``p < alpha`` breaks the assumption;
        the ``remedy`` column says ``stratify`` for a category level (fit with
        ``strata=[column]``) and ``time_interaction`` for a number (split the
        follow-up with :func:`split_follow_up` and fit :class:`TimeVaryingCoxModel`).
        """
        from scipy.stats import chi2

        self._check_fitted()
        if df is not None:
            raise ParameterError("check_assumptions uses the training data; call it without df")
        frame = self._fit_frame
        X = frame[self.design_.names].to_numpy(dtype=float)
        start = (frame["_entry"].to_numpy() if "_entry" in frame else np.zeros(len(frame)))
        T, E, beta = frame["_T"].to_numpy(), frame["_E"].to_numpy(), self.params_.to_numpy()
        if self.strata:
            key = frame[list(self.strata)].astype(str).agg("|".join, axis=1).to_numpy()
            parts = [schoenfeld_residuals(start[key == k], T[key == k], E[key == k],
                                          X[key == k], beta) for k in np.unique(key)]
            resid = np.vstack([p[0] for p in parts])
            t_ev = np.concatenate([p[1] for p in parts])
        else:
            resid, t_ev = schoenfeld_residuals(start, T, E, X, beta)
        d = len(t_ev)
        V = self.fitter_.variance_matrix_.to_numpy()
        scaled = d * resid @ V
        g = np.argsort(np.argsort(t_ev, kind="stable"), kind="stable") + 1.0  # rank of time
        g = g - g.mean()
        se2 = np.diag(V)
        stat = (g @ scaled) ** 2 / (d * se2 * (g @ g))
        out = pd.DataFrame({"test_statistic": stat, "p": chi2.sf(stat, 1)},
                           index=pd.Index(self.design_.names))
        out.index.name = "covariate"
        out["violated"] = out["p"] < alpha
        cat = {n for c in self.design_.levels for n in self.design_.names
               if n.startswith(f"{c}=")}
        out["remedy"] = np.where(~out["violated"], "none",
                                 np.where(out.index.isin(list(cat)), "stratify",
                                          "time_interaction"))
        return out

    def summary(self) -> pd.DataFrame:
        """Hazard ratios with 95% intervals and p-values."""
        self._check_fitted()
        return self.hazard_ratios_.copy()


# ------------------------------------------------------------------------------ AFT


_AFT = {"weibull": "WeibullAFTFitter", "loglogistic": "LogLogisticAFTFitter",
        "lognormal": "LogNormalAFTFitter"}


class AFTModel(_Fitted):
    """Parametric accelerated failure time model (Weibull, log-logistic, log-normal).

    lifelines' AFT fitters with late entry; adds the expected **remaining** lifetime of a
    customer alive at their current age, ``E[T - a | T > a] = integral_a^inf S(t) dt /
    S(a)``, the number a retention plan needs.

    Parameters
    ----------
    distribution : {"weibull", "loglogistic", "lognormal"}
    penalizer : float
    """

    def __init__(self, distribution: str = "weibull", penalizer: float = 0.0):
        self.distribution = distribution
        self.penalizer = penalizer

    def fit(self, df: pd.DataFrame, duration_col: str = "duration", event_col: str = "event",
            entry_col=None, covariate_cols=None) -> AFTModel:
        import lifelines

        if self.distribution not in _AFT:
            raise ParameterError(f"distribution must be one of {list(_AFT)}, got "
                                 f"{self.distribution!r}")
        _check_frame(df, [duration_col, event_col, entry_col])
        _check_times(df, duration_col, event_col, entry_col)
        d = df[duration_col].to_numpy(dtype=float)
        if (d <= 0).any():
            bad = d <= 0
            raise SchemaError("survival data", duration_col, "parametric models need "
                              "durations > 0 (a churn on the day of acquisition has duration "
                              "0; measure in days or add half a day)",
                              df.loc[bad, [duration_col]].head(5), int(bad.sum()))
        exclude = [duration_col, event_col, entry_col]
        self.design_ = _Design(df, _covariate_columns(df, covariate_cols, exclude))
        X = self.design_.fit_transform(df)
        frame = X.assign(_T=d, _E=df[event_col].to_numpy().astype(int))
        if entry_col is not None:
            frame["_entry"] = df[entry_col].to_numpy(dtype=float)
        f = getattr(lifelines, _AFT[self.distribution])(penalizer=self.penalizer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f.fit(frame, "_T", "_E", entry_col="_entry" if entry_col is not None else None)
        self.fitter_ = f
        self._concordance = None
        self.params_ = f.params_.copy()
        self.log_likelihood_ = float(f.log_likelihood_)
        self.AIC_ = float(f.AIC_)
        return self

    def _X(self, df):
        return self.design_.transform(df)

    def predict_survival(self, df: pd.DataFrame, times, conditional_after=None) -> pd.DataFrame:
        """S(t | x), or the probability of surviving ``times`` more units after age a."""
        self._check_fitted()
        t = _times(times)
        a = _ages(df, conditional_after)
        X = self._X(df)
        a = np.zeros(len(df)) if a is None else a
        shape = self._shape(X)
        s_a = np.where(a > 0, self._surv_from(shape, a), 1.0)
        s = np.empty((len(df), t.size))
        for j in range(t.size):  # over requested times, not customers
            s[:, j] = np.where(a + t[j] > 0, self._surv_from(shape, a + t[j]), 1.0) \
                / np.maximum(s_a, 1e-300)
        return pd.DataFrame(s, index=df.index, columns=t)

    def _linear(self, X: pd.DataFrame, name: str) -> np.ndarray:
        """The linear predictor of one parameter block (with its intercept)."""
        p = self.params_.loc[name]
        Xa = X.assign(Intercept=1.0)
        return Xa[list(p.index)].to_numpy() @ p.to_numpy()

    def _shape(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each row's (location, shape) on the log-time scale, computed once."""
        if self.distribution == "weibull":
            return self._linear(X, "lambda_"), np.exp(self._linear(X, "rho_"))
        if self.distribution == "loglogistic":
            return self._linear(X, "alpha_"), np.exp(self._linear(X, "beta_"))
        return self._linear(X, "mu_"), np.exp(self._linear(X, "sigma_"))

    def _surv_from(self, shape: tuple[np.ndarray, np.ndarray], ages) -> np.ndarray:
        """S(age_i | x_i) per row, in closed form, from :meth:`_shape`."""
        from scipy.special import log_ndtr

        loc, k = shape
        z = np.log(np.maximum(np.asarray(ages, dtype=float), 1e-300)) - loc
        if self.distribution == "weibull":
            return np.exp(-np.exp(k * z))
        if self.distribution == "loglogistic":
            return 1.0 / (1.0 + np.exp(k * z))
        return np.exp(log_ndtr(-z / k))

    def _surv_at(self, X: pd.DataFrame, ages: np.ndarray) -> np.ndarray:
        """S(age_i | x_i) per row, in closed form from the fitted parameters."""
        return self._surv_from(self._shape(X), ages)

    def predict_risk(self, df: pd.DataFrame) -> pd.Series:
        """Minus the log median lifetime (higher: churns sooner)."""
        self._check_fitted()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            med = self.fitter_.predict_median(self._X(df)).to_numpy(dtype=float)
        return pd.Series(-np.log(med), index=df.index, name="risk")

    def expected_remaining_lifetime(self, df: pd.DataFrame, ages=0.0, horizon=None
                                    ) -> pd.Series:
        """``E[min(T, a + horizon) - a | T > a]`` per customer, in the model's unit.

        Without ``horizon`` the full remaining lifetime (infinite for a log-logistic
        shape <= 1, where the mean does not exist). Integrated numerically on a grid
        dense near the current age.
        """
        self._check_fitted()
        X = self._X(df)
        a = np.broadcast_to(np.asarray(ages, dtype=float), (len(df),)).copy()
        if self.distribution == "loglogistic" and horizon is None:
            beta = np.exp(self._linear(X, "beta_"))
            if (beta <= 1).any():
                return pd.Series(np.where(beta <= 1, np.inf, np.nan), index=df.index,
                                 name="expected_remaining_lifetime").pipe(
                    lambda r: r.fillna(self.expected_remaining_lifetime(
                        df.loc[beta > 1], a[beta > 1] if np.ndim(ages) else ages, horizon)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scale = self.fitter_.predict_median(X).to_numpy(dtype=float)
        hmax = np.full(len(df), np.inf) if horizon is None else np.full(len(df), float(horizon))
        # grid u in [0, 1): t = a + span * u / (1 - u) maps to [a, inf); cut at the horizon
        u = np.linspace(0.0, 1.0, 401)[:-1]
        span = np.maximum(scale, 1e-9)
        shape = self._shape(X)
        s_a = np.where(a > 0, self._surv_from(shape, a), 1.0)
        total = np.zeros(len(df))
        prev_t, prev_s = np.zeros(len(df)), np.ones(len(df))
        for k, uk in enumerate(u):  # over grid points (fixed), not customers
            dt = np.minimum(span * uk / (1 - uk), hmax)
            s = self._surv_from(shape, a + dt) / np.maximum(s_a, 1e-300)
            if k:
                total += 0.5 * (s + prev_s) * (dt - prev_t)
            prev_t, prev_s = dt, s
        return pd.Series(total, index=df.index, name="expected_remaining_lifetime")


# ------------------------------------------------------------------ time-varying Cox


def time_varying_concordance(long: pd.DataFrame, risk, id_col: str = "customer_id",
                             start_col: str = "start", stop_col: str = "stop",
                             event_col: str = "event") -> float:
    """Harrell's concordance for time-varying data (counting-process rows).

    At each event time t, the customer with the event is compared with every other
    customer at risk at t (a row with ``start < t <= stop`` and no event at t), each
    with the risk of the row covering t: concordant when the one with the event has the
    higher risk; ties in risk count one half. lifelines has no such index for its
    time-varying model (issue 805).
    """
    start = _open_start(long[start_col].to_numpy(dtype=float))
    stop = long[stop_col].to_numpy(dtype=float)
    event = long[event_col].to_numpy().astype(bool)
    ids = pd.factorize(long[id_col])[0]
    r = np.asarray(risk, dtype=float)
    conc = disc = ties = 0.0
    for t in np.unique(stop[event]):  # over distinct event times
        at = (start < t) & (t <= stop)
        ev = at & event & (stop == t)
        others = at & ~ev
        if not others.any():
            continue
        ro = np.sort(r[others])
        re = r[ev]
        less = np.searchsorted(ro, re, side="left")
        leq = np.searchsorted(ro, re, side="right")
        conc += less.sum()
        ties += (leq - less).sum()
        disc += (ro.size - leq).sum()
    del ids
    total = conc + disc + ties
    if total == 0:
        raise ParameterError("no comparable pairs: the data has no event with others at risk")
    return float((conc + 0.5 * ties) / total)


class TimeVaryingCoxModel(_Fitted):
    """Cox model with time-varying covariates (lifelines ``CoxTimeVaryingFitter``).

    Fit on the long format (``customer_id, start, stop, event`` and covariates, as
    :func:`segkit.churn.time_varying` builds it); predict from each customer's current
    covariates carried forward from their current age:
    ``S(a + h | alive at a) = exp(-(H0(a + h) - H0(a)) * exp(x @ beta))``.

    Attributes
    ----------
    hazard_ratios_ : pandas.DataFrame
    baseline_cumulative_hazard_ : pandas.Series (Breslow, counting-process risk sets)
    concordance_ : float
        :func:`time_varying_concordance` on the training rows.
    """

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def fit(self, long: pd.DataFrame, id_col: str = "customer_id", start_col: str = "start",
            stop_col: str = "stop", event_col: str = "event", covariate_cols=None
            ) -> TimeVaryingCoxModel:
        from lifelines import CoxTimeVaryingFitter

        _check_frame(long, [id_col, start_col, stop_col, event_col], "long survival data")
        bad = ~(long[stop_col] > long[start_col])
        if bad.any():
            raise SchemaError("long survival data", stop_col, "every interval needs stop > start",
                              long.loc[bad, [id_col, start_col, stop_col]].head(5),
                              int(bad.sum()))
        exclude = [id_col, start_col, stop_col, event_col]
        self.design_ = _Design(long, _covariate_columns(long, covariate_cols, exclude),
                               "long survival data")
        X = self.design_.fit_transform(long)
        frame = X.assign(_id=long[id_col].to_numpy(), _start=long[start_col].to_numpy(float),
                         _stop=long[stop_col].to_numpy(float),
                         _E=long[event_col].to_numpy().astype(int))
        f = CoxTimeVaryingFitter(penalizer=self.penalizer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f.fit(frame, id_col="_id", event_col="_E", start_col="_start", stop_col="_stop",
                  show_progress=False)
        self.fitter_ = f
        self._concordance = None
        self.params_ = f.params_.copy()
        s = f.summary
        self.hazard_ratios_ = pd.DataFrame({
            "coef": s["coef"], "hazard_ratio": s["exp(coef)"],
            "lower": s["exp(coef) lower 95%"], "upper": s["exp(coef) upper 95%"], "p": s["p"],
        })
        self.hazard_ratios_.index.name = "covariate"
        self.log_likelihood_ = float(f.log_likelihood_)
        lin = X.to_numpy() @ self.params_.to_numpy()
        self.baseline_cumulative_hazard_ = breslow_baseline(
            frame["_start"], frame["_stop"], frame["_E"], np.exp(lin))
        self._concordance_input = (frame[["_id", "_start", "_stop", "_E"]], lin)
        self.cols_ = (id_col, start_col, stop_col, event_col)
        self.max_time_ = float(frame["_stop"].max())
        return self

    def _training_concordance(self) -> float:
        frame, lin = self._concordance_input
        return time_varying_concordance(frame, lin, "_id", "_start", "_stop", "_E")

    def predict_risk(self, df: pd.DataFrame) -> pd.Series:
        """Log partial hazard of each row's covariates."""
        self._check_fitted()
        return pd.Series(self.design_.transform(df).to_numpy() @ self.params_.to_numpy(),
                         index=df.index, name="risk")

    def predict_survival(self, df: pd.DataFrame, times, conditional_after=None) -> pd.DataFrame:
        """Survival for ``times`` more units from the current age, covariates held.

        ``df`` has one row per customer with the current covariates;
        ``conditional_after`` gives the current ages (a column name or array; default
        0, i.e. from the origin). Ages beyond the longest follow-up of the training
        data give NaN with a warning (the baseline hazard is unknown there), not a
        survival of 1.
        """
        self._check_fitted()
        t = _times(times)
        a = _ages(df, conditional_after)
        a = np.zeros(len(df)) if a is None else a
        base = self.baseline_cumulative_hazard_
        lin = np.exp(self.predict_risk(df).to_numpy())[:, None]
        h = np.stack([_step(base, a + tj) for tj in t], axis=1) - _step(base, a)[:, None]
        out = np.exp(-h * lin)
        beyond = (a[:, None] + t[None, :]) > self.max_time_
        if beyond.any():
            warnings.warn(
                f"{int(beyond.any(axis=1).sum())} customers are asked about ages beyond the "
                f"longest follow-up in training ({self.max_time_:.3g}): the baseline hazard "
                "is unknown there, so their survival is NaN", UserWarning, stacklevel=2)
            out[beyond] = np.nan
        return pd.DataFrame(out, index=df.index, columns=t)

    def concordance(self, long: pd.DataFrame) -> float:
        """:func:`time_varying_concordance` of this model on (new) long-format rows."""
        self._check_fitted()
        id_col, start_col, stop_col, event_col = self.cols_
        return time_varying_concordance(long, self.predict_risk(long).to_numpy(), id_col,
                                        start_col, stop_col, event_col)


def split_follow_up(surv: pd.DataFrame, cut_points, interact=(), duration_col: str = "duration",
                    event_col: str = "event", entry_col=None) -> pd.DataFrame:
    """Split each customer's follow-up at ``cut_points`` (long format), for time interactions.

    The remedy when a numeric covariate breaks proportional hazards: its effect may
    differ by period of follow-up. For each column in ``interact`` the result has one
    column per piece, ``<col>@<k>`` = the value inside piece k and 0 elsewhere; drop
    the original column and fit :class:`TimeVaryingCoxModel`.
    """
    cuts = np.unique(np.asarray(cut_points, dtype=float))
    start0 = (surv[entry_col].to_numpy(float) if entry_col is not None
              else np.zeros(len(surv)))
    dur = surv[duration_col].to_numpy(float)
    edges = np.r_[0.0, cuts, np.inf]
    rows = []
    for k in range(edges.size - 1):  # over pieces, not customers
        lo = np.maximum(start0, edges[k])
        hi = np.minimum(dur, edges[k + 1])
        keep = hi > lo
        part = surv.loc[keep].copy()
        part["start"] = lo[keep]
        part["stop"] = hi[keep]
        part[event_col] = np.where(dur[keep] <= edges[k + 1], surv[event_col].to_numpy()[keep], 0)
        part["_piece"] = k
        rows.append(part)
    out = pd.concat(rows).sort_values(["customer_id", "start"] if "customer_id" in surv
                                      else ["start"], kind="stable")
    for c in interact:
        for k in range(edges.size - 1):
            out[f"{c}@{k}"] = np.where(out["_piece"] == k, out[c].to_numpy(float), 0.0)
    drop = [c for c in (duration_col, entry_col, "origin", "exit_date", "_piece", *interact)
            if c is not None and c in out.columns]
    return out.drop(columns=drop).reset_index(drop=True)


# ------------------------------------------------------------ random survival forest


class SurvivalForest(_Fitted):
    """scikit-survival's ``RandomSurvivalForest`` behind the common interface.

    No late entry: scikit-survival's forests assume every customer is followed from
    time 0, so fitting with ``entry_col`` is refused (fit on customers acquired inside
    the window, or use the Cox model).
    """

    def __init__(self, n_estimators: int = 200, min_samples_leaf: int = 15, max_depth=None,
                 max_features="sqrt", random_state: int = 0, n_jobs: int = 1):
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_depth = max_depth
        self.max_features = max_features
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, df: pd.DataFrame, duration_col: str = "duration", event_col: str = "event",
            entry_col=None, covariate_cols=None) -> SurvivalForest:
        from sksurv.ensemble import RandomSurvivalForest
        from sksurv.util import Surv

        _check_frame(df, [duration_col, event_col, entry_col])
        _check_times(df, duration_col, event_col, entry_col)
        if entry_col is not None and (df[entry_col].to_numpy(float) > 0).any():
            raise ParameterError(
                "scikit-survival's random survival forest has no late entry; fit it on "
                "customers followed from acquisition (entry 0) or use CoxModel"
            )
        exclude = [duration_col, event_col, entry_col]
        self.design_ = _Design(df, _covariate_columns(df, covariate_cols, exclude))
        X = self.design_.transform(df)
        y = Surv.from_arrays(df[event_col].to_numpy().astype(bool),
                             df[duration_col].to_numpy(float))
        f = RandomSurvivalForest(n_estimators=self.n_estimators,
                                 min_samples_leaf=self.min_samples_leaf,
                                 max_depth=self.max_depth, max_features=self.max_features,
                                 random_state=self.random_state, n_jobs=self.n_jobs)
        f.fit(X.to_numpy(), y)
        self.fitter_ = f
        self._concordance = None
        self._train = (X.to_numpy(), df[duration_col].to_numpy(float),
                       df[event_col].to_numpy().astype(bool))
        return self

    def _training_concordance(self) -> float:
        from sksurv.metrics import concordance_index_censored

        X, t, e = self._train
        return float(concordance_index_censored(e, t, self.fitter_.predict(X))[0])

    def predict_risk(self, df: pd.DataFrame) -> pd.Series:
        """The forest's risk score (ensemble cumulative hazard summed over event times)."""
        self._check_fitted()
        return pd.Series(self.fitter_.predict(self.design_.transform(df).to_numpy()),
                         index=df.index, name="risk")

    def predict_survival(self, df: pd.DataFrame, times, conditional_after=None) -> pd.DataFrame:
        """S(t | x) from the ensemble's survival function (a step function in t)."""
        self._check_fitted()
        t = _times(times)
        X = self.design_.transform(df).to_numpy()
        grid = self.fitter_.unique_times_
        s = self.fitter_.predict_survival_function(X, return_array=True)
        idx = np.searchsorted(grid, t, side="right") - 1

        def at(ix):
            return np.where(ix >= 0, s[:, np.maximum(ix, 0)], 1.0)

        out = at(idx)
        a = _ages(df, conditional_after)
        if a is not None:
            out = np.empty((len(df), t.size))
            ia = np.searchsorted(grid, a, side="right") - 1
            sa = np.where(ia >= 0, s[np.arange(len(df)), np.maximum(ia, 0)], 1.0)
            for j in range(t.size):  # over requested times
                ij = np.searchsorted(grid, a + t[j], side="right") - 1
                sj = np.where(ij >= 0, s[np.arange(len(df)), np.maximum(ij, 0)], 1.0)
                out[:, j] = sj / np.maximum(sa, 1e-300)
        return pd.DataFrame(out, index=df.index, columns=t)
