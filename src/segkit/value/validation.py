"""Validating purchase models as the literature does (Fader, Hardie & Lee 2005).

A model is fitted on a **calibration** period and judged on the **holdout** period
after it, which it has not seen:

- :func:`calibration_holdout`: the split (the customer summary of the calibration
  period and each customer's repeat purchases in the holdout), by
  :func:`segkit.features.calibration_holdout_summary`, with the literature's time unit
  (weeks with day resolution) as default;
- :func:`expected_vs_actual`: the *conditional expectations* of the papers: the mean
  number of holdout purchases expected and observed, by number of repeat purchases in
  the calibration period (0, 1, ..., 7+);
- :func:`tracking`: the *tracking* plots: repeat transactions per week (or other
  period) and cumulated, observed against the model's forecast for the cohort, whose
  members each enter on the day of their first purchase;
- :func:`per_customer_error`: how close each customer's prediction is (MAE, RMSE,
  correlation) and the totals;
- :func:`compare_models`: every model on the same split, in one table.

Every function returns a tidy frame that a figure draws directly. The purchase models
are used through their pymc-marketing names: ``expected_purchases(data, future_t)`` and
``expected_purchases_new_customer(t)``, with the summary columns ``frequency``,
``recency`` and ``T``.
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from .. import convert
from ..data import period_ordinals, period_starts, time_unit
from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..features import calibration_holdout_summary
from ._base import require_column

__all__ = [
    "calibration_holdout",
    "expected_vs_actual",
    "tracking",
    "per_customer_error",
    "compare_models",
    "holdout_predictions",
]

_TABLE = "calibration_holdout"


def calibration_holdout(
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any = None,
    freq: str = "D",
    freq_multiplier: float = 7,
    **kwargs,
) -> pd.DataFrame:
    """The calibration/holdout split of the literature: weeks with day resolution.

    :func:`segkit.features.calibration_holdout_summary` with ``freq="D"`` and
    ``freq_multiplier=7`` by default, the time unit of the CDNOW papers (recency and T
    in weeks, counted in days): the calibration summary ``frequency_cal, recency_cal,
    T_cal`` of the transactions up to ``calibration_end``, and per customer the repeat
    purchases ``frequency_holdout`` after it up to ``observation_end`` over
    ``duration_holdout`` weeks. It is the same function: see it for every argument.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction (``customer_id``, ``timestamp`` [, ``amount``]).
    calibration_end, observation_end : date-like
        Last instants of the calibration period and of the holdout.
    freq, freq_multiplier
        The time unit (default weeks counted in days).
    **kwargs
        Passed to :func:`~segkit.features.calibration_holdout_summary`
        (``customer_id_col``, ``datetime_col``, ``monetary_value_col``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per customer with a purchase up to ``calibration_end``.

    Examples
    --------
    >>> from segkit.datasets import load_cdnow
    >>> split = calibration_holdout(load_cdnow(), "1997-09-30", "1998-06-30")
    >>> len(split), int(split["frequency_holdout"].sum()), float(split["duration_holdout"].iloc[0])
    (2357, 1882, 39.0)
    """
    return calibration_holdout_summary(
        transactions, calibration_end, observation_end, freq=freq,
        freq_multiplier=freq_multiplier, **kwargs)


# --------------------------------------------------------------------------- helpers


def _check_model(model, method: str = "expected_purchases", arg: str = "model") -> None:
    if not callable(getattr(model, method, None)):
        raise ParameterError(
            f"{arg} must be a fitted purchase model with {method}() (BetaGeoModel, "
            f"ModifiedBetaGeoModel, ParetoNBDModel); got {type(model).__name__}")
    if not hasattr(model, "params_"):
        raise NotFittedError(f"{arg} ({type(model).__name__}) is not fitted yet; call fit "
                             "on the calibration summary first")


def _columns(frame, cols: Mapping[str, Hashable], name: str) -> dict[str, np.ndarray]:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(
            f"{name} needs a pandas DataFrame (a calibration/holdout summary from "
            f"calibration_holdout); got {type(frame).__name__}")
    out = {}
    for arg, col in cols.items():
        require_column(frame, col, "make the frame with segkit.value.calibration_holdout or "
                       f"give its name in {arg}", _TABLE)
        v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            raise SchemaError(_TABLE, str(col), "values must be finite numbers >= 0",
                              frame.loc[bad, [col]], int(bad.sum()))
        out[arg] = v
    return out


_COLS = {
    "frequency_cal_col": "frequency_cal",
    "recency_cal_col": "recency_cal",
    "T_cal_col": "T_cal",
    "frequency_holdout_col": "frequency_holdout",
    "duration_holdout_col": "duration_holdout",
}


def _split(frame, name, cols) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The calibration summary (model column names), holdout purchases and durations."""
    v = _columns(frame, cols, name)
    cal = pd.DataFrame({"frequency": v["frequency_cal_col"], "recency": v["recency_cal_col"],
                        "T": v["T_cal_col"]}, index=frame.index)
    return cal, v["frequency_holdout_col"], v["duration_holdout_col"]


def _expected(model, cal: pd.DataFrame, duration: np.ndarray) -> np.ndarray:
    """Expected holdout purchases per customer, one prediction call per distinct duration."""
    out = np.empty(len(cal))
    names = getattr(model, "columns_", None)  # the summary columns named at fit
    if isinstance(names, Mapping):
        cal = cal.rename(columns={k: v for k, v in names.items() if k in cal.columns})
    for d in np.unique(duration):
        rows = duration == d
        part = cal if rows.all() else cal.loc[rows]
        pred = np.asarray(model.expected_purchases(part, future_t=float(d)), dtype=float)
        out[rows] = pred.reshape(-1)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        raise SchemaError(
            _TABLE, None,
            f"{type(model).__name__} predicts a negative, infinite or NaN number of holdout "
            "purchases for these customers; check the model's fit and their histories",
            cal.loc[bad], int(bad.sum()))
    return out


def holdout_predictions(
    model,
    frame: pd.DataFrame,
    frequency_cal_col: Hashable = "frequency_cal",
    recency_cal_col: Hashable = "recency_cal",
    T_cal_col: Hashable = "T_cal",
    frequency_holdout_col: Hashable = "frequency_holdout",
    duration_holdout_col: Hashable = "duration_holdout",
) -> pd.DataFrame:
    """Each customer's expected and actual repeat purchases in the holdout.

    ``expected`` is the model's conditional expectation given the calibration history,
    ``model.expected_purchases(calibration summary, future_t=duration_holdout)``
    (lifetimes' ``conditional_expected_number_of_purchases_up_to_time``).

    Parameters
    ----------
    model : fitted purchase model
    frame : pandas.DataFrame
        A calibration/holdout summary (:func:`calibration_holdout`). Not modified.
    frequency_cal_col, recency_cal_col, T_cal_col, frequency_holdout_col, \
duration_holdout_col : str
        Names of its columns.

    Returns
    -------
    pandas.DataFrame
        ``frequency_cal``, ``actual``, ``expected``, with the index of ``frame``.
    """
    _check_model(model)
    cols = dict(zip(_COLS, (frequency_cal_col, recency_cal_col, T_cal_col,
                            frequency_holdout_col, duration_holdout_col), strict=True))
    cal, actual, duration = _split(frame, "holdout_predictions", cols)
    expected = _expected(model, cal, duration)
    return pd.DataFrame({"frequency_cal": cal["frequency"].to_numpy(), "actual": actual,
                         "expected": expected}, index=frame.index)


# --------------------------------------------------------------------------- by frequency


def expected_vs_actual(
    model,
    frame: pd.DataFrame,
    by: Hashable = "frequency_cal",
    max_frequency: int = 7,
    frequency_cal_col: Hashable = "frequency_cal",
    recency_cal_col: Hashable = "recency_cal",
    T_cal_col: Hashable = "T_cal",
    frequency_holdout_col: Hashable = "frequency_holdout",
    duration_holdout_col: Hashable = "duration_holdout",
) -> pd.DataFrame:
    """Expected against actual holdout purchases by calibration frequency.

    The *conditional expectations* of Fader, Hardie & Lee (2005, figure 4): customers
    are grouped by their number of repeat purchases in the calibration period (0, 1,
    ..., ``max_frequency - 1``, and ``max_frequency`` or more together), and each
    group's mean number of repeat purchases in the holdout is set beside the mean the
    model expects given each customer's calibration history.

    Parameters
    ----------
    model : fitted purchase model
        Fitted on the calibration columns.
    frame : pandas.DataFrame
        A calibration/holdout summary (:func:`calibration_holdout`). Not modified.
    by : str, default "frequency_cal"
        The column to group by: its values are floored and capped at
        ``max_frequency``.
    max_frequency : int, default 7
        The last group holds this value and above (``"7+"``).
    frequency_cal_col, recency_cal_col, T_cal_col, frequency_holdout_col, \
duration_holdout_col : str
        Names of the frame's columns.

    Returns
    -------
    pandas.DataFrame
        One row per group, in order: ``group`` (0, 1, ..., ``max_frequency``),
        ``label`` (``"0"``, ..., ``"7+"``), ``n_customers``, ``actual`` and
        ``expected`` (mean holdout purchases per customer), ``actual_total`` and
        ``expected_total``. Groups without customers are left out.

    Examples
    --------
    >>> class Rate:  # a stand-in model: 0.1 purchases a week, whatever the history
    ...     params_ = pd.Series({"rate": 0.1})
    ...     def expected_purchases(self, data, future_t):
    ...         return pd.Series(0.1 * future_t, index=data.index)
    >>> frame = pd.DataFrame({"frequency_cal": [0, 0, 1, 9], "recency_cal": [0, 0, 5, 30],
    ...                       "T_cal": [39, 30, 35, 38], "frequency_holdout": [0, 1, 2, 8],
    ...                       "duration_holdout": [39, 39, 39, 39]})
    >>> expected_vs_actual(Rate(), frame, max_frequency=2)[["label", "actual", "expected"]]
      label  actual  expected
    0     0     0.5       3.9
    1     1     2.0       3.9
    2    2+     8.0       3.9
    """
    _check_model(model)
    if not (isinstance(max_frequency, numbers.Integral) and max_frequency >= 1):
        raise ParameterError(f"max_frequency must be a whole number >= 1; got {max_frequency!r}")
    pred = holdout_predictions(model, frame, frequency_cal_col, recency_cal_col, T_cal_col,
                               frequency_holdout_col, duration_holdout_col)
    if by == frequency_cal_col:
        key = pred["frequency_cal"].to_numpy()
    else:
        key = _columns(frame, {"by": by}, "expected_vs_actual")["by"]
    group = np.minimum(np.floor(key), max_frequency).astype(int)
    g = pd.DataFrame({"group": group, "actual": pred["actual"].to_numpy(),
                      "expected": pred["expected"].to_numpy()})
    out = g.groupby("group", sort=True).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"),
        expected=("expected", "mean"), actual_total=("actual", "sum"),
        expected_total=("expected", "sum")).reset_index()
    out.insert(1, "label", [f"{k}+" if k == max_frequency else str(k) for k in out["group"]])
    return out


# --------------------------------------------------------------------------- tracking


def tracking(
    model,
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any = None,
    customer_id_col: Hashable = "customer_id",
    datetime_col: Hashable = "timestamp",
    freq: str = "D",
    freq_multiplier: int = 7,
    is_return_col: Hashable | None = "is_return",
) -> pd.DataFrame:
    """Repeat transactions per period and cumulated: actual against the model's forecast.

    The *tracking plots* of the papers. The cohort is the customers with a purchase up
    to ``calibration_end`` (those of the calibration summary). Time is counted in
    ``freq`` periods (days by default) from the first period of the data; a tracking
    period is ``freq_multiplier`` of them (a week of 7 days by default), the model's
    time unit, as in :func:`calibration_holdout`.

    - **actual**: repeat transactions of the cohort in each tracking period, counted as
      the summary counts them: the ``freq`` periods with a purchase, after each
      customer's first one (return lines open none);
    - **expected**: the aggregate forecast, which sums over customers by their trial
      date: a customer whose first purchase is in ``freq`` period ``d`` is expected to
      have made ``E[X(t)]`` repeat purchases by the end of period ``e``, with ``t = (e -
      d) / freq_multiplier`` (``model.expected_purchases_new_customer``). This ``t`` is
      the summary's ``T`` at that date, so at the calibration end the forecast is the
      sum of the customers' ``E[X(T_cal)]``, the model's own clock.

    The forecast uses only the calibration fit and the trial dates: it is the
    unconditional forecast of the papers (not the conditional expectations of
    :func:`expected_vs_actual`).

    Parameters
    ----------
    model : fitted purchase model
        With ``expected_purchases_new_customer(t)``, fitted on a calibration summary
        in the unit ``freq`` / ``freq_multiplier``.
    transactions : pandas.DataFrame
        The transaction log. Not modified.
    calibration_end : date-like
        End of the calibration period (defines the cohort and the ``holdout`` flag).
    observation_end : date-like, optional
        End of the tracking; defaults to the last transaction.
    customer_id_col, datetime_col : str
        Columns of the log.
    freq : {"D", "W", "M", "h", ...}, default "D"
        The resolution at which purchases are counted (:data:`segkit.data.TIME_UNITS`).
    freq_multiplier : int, default 7
        ``freq`` periods per tracking period and per model time unit.
    is_return_col : str or None, default "is_return"
        Column flagging return lines (left out); used when present.

    Returns
    -------
    pandas.DataFrame
        One row per tracking period: ``period`` (1, 2, ...), ``start`` and ``end``
        (timestamps: first instant of the period and first instant after it),
        ``holdout`` (the period ends after the calibration end), ``customers`` (cohort
        members acquired by its end), ``actual``, ``expected``, ``actual_cumulative``,
        ``expected_cumulative``. A last period cut short by ``observation_end`` is kept,
        and its forecast counts to its end.

    Notes
    -----
    lifetimes' ``expected_cumulative_transactions`` evaluates the forecast one ``freq``
    period later (``t = (e + 1 - d) / freq_multiplier``), one day more per customer than
    its own summary's ``T``; the two agree when that day is added.

    Examples
    --------
    >>> class Rate:  # a stand-in model: 0.5 repeat purchases a week, for ever
    ...     params_ = pd.Series({"rate": 0.5})
    ...     def expected_purchases_new_customer(self, t):
    ...         return 0.5 * np.asarray(t, dtype=float)
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],  # 2 comes after the calibration
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03",
    ...                                                 "2024-01-10", "2024-01-08"])})
    >>> tr = tracking(Rate(), tx, "2024-01-07", "2024-01-14")
    >>> tr[["period", "holdout", "actual", "expected", "expected_cumulative"]].round(3)
       period  holdout  actual  expected  expected_cumulative
    0       1    False       1     0.429                0.429
    1       2     True       1     0.500                0.929
    """
    _check_model(model, "expected_purchases_new_customer")
    if not (isinstance(freq_multiplier, numbers.Integral) and freq_multiplier >= 1):
        raise ParameterError(
            f"freq_multiplier must be a whole number >= 1 (freq periods per tracking "
            f"period); got {freq_multiplier!r}")
    m = int(freq_multiplier)
    unit = time_unit(freq)
    if not isinstance(transactions, pd.DataFrame):
        raise ParameterError(f"tracking needs the transaction log as a pandas DataFrame; got "
                             f"{type(transactions).__name__}")
    for col in (customer_id_col, datetime_col):
        if col not in transactions.columns:
            raise SchemaError("transactions", str(col), f"column '{col}' is missing; give its "
                              "name in customer_id_col / datetime_col")
    tx = transactions
    if is_return_col is not None and is_return_col in tx.columns:
        # the converter of schema.validate and of the summary; a missing flag is no return
        raw = tx[is_return_col]
        flags = convert.to_bool(raw.where(raw.notna(), False), "transactions",
                                str(is_return_col), tx).to_numpy(dtype=bool)
        tx = tx.loc[~flags]
    ts = convert.require(convert.to_datetime(tx[datetime_col], "transactions",
                                             str(datetime_col), tx),
                         "transactions", str(datetime_col), tx)
    ids = tx[customer_id_col]
    if ids.isna().any():
        bad = ids.isna().to_numpy()
        raise SchemaError("transactions", str(customer_id_col), "missing customer ids",
                          tx.loc[bad, [customer_id_col]], int(bad.sum()))
    cal_end = _instant(calibration_end, "calibration_end", ts)
    end = ts.max() if observation_end is None else _instant(observation_end,
                                                            "observation_end", ts)
    if not cal_end < end:
        raise ParameterError(f"calibration_end ({cal_end}) must be before observation_end "
                             f"({end})")
    keep = (ts <= end).to_numpy()
    codes, _ = pd.factorize(ids.to_numpy()[keep])
    per = period_ordinals(ts[keep], unit)
    if len(per) == 0:
        raise SchemaError("transactions", str(datetime_col), "no transaction up to the end")
    origin = int(per.min())
    rel = per - origin
    # one row per (customer, period with a purchase), in period order per customer
    pairs = np.unique(np.column_stack([codes, rel]), axis=0)
    cust, day = pairs[:, 0], pairs[:, 1]
    first = np.r_[True, cust[1:] != cust[:-1]]
    trial_day = day[first]
    cal_rel = _period_of(cal_end, unit) - origin
    end_rel = _period_of(end, unit) - origin
    in_cohort = trial_day <= cal_rel
    cohort = np.zeros(int(cust.max()) + 1, dtype=bool)
    cohort[cust[first][in_cohort]] = True
    repeat_days = day[~first & cohort[cust]]
    trials = trial_day[in_cohort]
    if not len(trials):
        raise SchemaError("transactions", str(datetime_col),
                          f"no customer with a purchase up to the calibration end ({cal_end})")
    n_periods = end_rel // m + 1
    last = np.minimum(np.arange(1, n_periods + 1) * m - 1, end_rel)  # last freq period of each
    actual = np.bincount(repeat_days // m, minlength=n_periods)[:n_periods]
    # expected cumulative: sum over trial periods d of n_d E[X((last - d) / m)], ages >= 0
    td, tn = np.unique(trials, return_counts=True)
    ages = (last[:, None] - td[None, :]) / m
    valid = ages >= 0
    uniq, inv = np.unique(np.where(valid, ages, 0.0), return_inverse=True)
    ex = np.asarray(model.expected_purchases_new_customer(uniq), dtype=float).reshape(-1)
    if ex.shape != uniq.shape or not np.all(np.isfinite(ex)) or np.any(ex < 0):
        raise SchemaError(_TABLE, None,
                          f"{type(model).__name__}.expected_purchases_new_customer gives a "
                          "negative, infinite or NaN value; check the model's fit")
    cum = (ex[inv.reshape(ages.shape)] * valid * tn[None, :]).sum(axis=1)
    starts = period_starts(origin + np.arange(n_periods) * m, unit)
    ends = period_starts(origin + last + 1, unit)
    return pd.DataFrame({
        "period": np.arange(1, n_periods + 1),
        "start": starts,
        "end": ends,
        "holdout": last > cal_rel,
        "customers": (valid * tn[None, :]).sum(axis=1),
        "actual": actual,
        "expected": np.diff(cum, prepend=0.0),
        "actual_cumulative": np.cumsum(actual),
        "expected_cumulative": cum,
    })


def _instant(value, name: str, ts: pd.Series) -> pd.Timestamp:
    try:
        t = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a date such as '1997-09-30'; got {value!r}"
                             ) from None
    if t is pd.NaT:
        raise ParameterError(f"{name} must be a date; got {value!r}")
    if t.tzinfo is not None:
        t = t.tz_localize(None)
    return t


def _period_of(t: pd.Timestamp, unit) -> int:
    return int(pd.Period(t, freq=unit.pandas_freq).ordinal)


# --------------------------------------------------------------------------- errors


def per_customer_error(
    model,
    frame: pd.DataFrame,
    frequency_cal_col: Hashable = "frequency_cal",
    recency_cal_col: Hashable = "recency_cal",
    T_cal_col: Hashable = "T_cal",
    frequency_holdout_col: Hashable = "frequency_holdout",
    duration_holdout_col: Hashable = "duration_holdout",
) -> pd.Series:
    """How well a model predicts each customer's holdout purchases.

    Parameters
    ----------
    model : fitted purchase model
    frame : pandas.DataFrame
        A calibration/holdout summary (:func:`calibration_holdout`). Not modified.
    frequency_cal_col, recency_cal_col, T_cal_col, frequency_holdout_col, \
duration_holdout_col : str
        Names of its columns.

    Returns
    -------
    pandas.Series
        ``n_customers``; ``actual_total`` and ``expected_total`` (holdout repeat
        purchases, summed); ``total_error`` (expected minus actual, relative to
        actual); ``mae`` and ``rmse`` (per customer); ``correlation`` (Pearson, between
        expected and actual per customer).

    Examples
    --------
    >>> class Rate:
    ...     params_ = pd.Series({"rate": 0.1})
    ...     def expected_purchases(self, data, future_t):
    ...         return pd.Series(0.1 * future_t * (1 + data["frequency"]), index=data.index)
    >>> frame = pd.DataFrame({"frequency_cal": [0, 1, 3], "recency_cal": [0, 5, 30],
    ...                       "T_cal": [39, 35, 38], "frequency_holdout": [0, 1, 4],
    ...                       "duration_holdout": [10, 10, 10]})
    >>> per_customer_error(Rate(), frame).round(3).to_dict()
    {'n_customers': 3.0, 'actual_total': 5.0, 'expected_total': 7.0, 'total_error': 0.4, \
'mae': 0.667, 'rmse': 0.816, 'correlation': 0.996}
    """
    pred = holdout_predictions(model, frame, frequency_cal_col, recency_cal_col, T_cal_col,
                               frequency_holdout_col, duration_holdout_col)
    return _errors(pred["actual"].to_numpy(), pred["expected"].to_numpy())


def _errors(actual: np.ndarray, expected: np.ndarray) -> pd.Series:
    err = expected - actual
    total_a, total_e = float(actual.sum()), float(expected.sum())
    corr = (float(np.corrcoef(actual, expected)[0, 1])
            if len(actual) > 1 and np.ptp(actual) > 0 and np.ptp(expected) > 0 else math.nan)
    return pd.Series({
        "n_customers": float(len(actual)),
        "actual_total": total_a,
        "expected_total": total_e,
        "total_error": (total_e - total_a) / total_a if total_a > 0 else math.nan,
        "mae": float(np.mean(np.abs(err))) if len(err) else math.nan,
        "rmse": float(np.sqrt(np.mean(err**2))) if len(err) else math.nan,
        "correlation": corr,
    }, name="holdout")


def compare_models(
    models: Mapping[str, Any],
    frame: pd.DataFrame,
    fit: bool = True,
    frequency_cal_col: Hashable = "frequency_cal",
    recency_cal_col: Hashable = "recency_cal",
    T_cal_col: Hashable = "T_cal",
    frequency_holdout_col: Hashable = "frequency_holdout",
    duration_holdout_col: Hashable = "duration_holdout",
) -> pd.DataFrame:
    """All models on the same calibration/holdout split, in one table.

    Parameters
    ----------
    models : mapping of str to model
        Name to purchase model. A model not fitted yet is fitted on the frame's
        calibration columns (a copy, by :func:`sklearn.base.clone`; the given object is
        not changed); a fitted model is used as it is, and should have been fitted on
        the same calibration summary (a warning says when its number of customers
        differs), so that the log-likelihoods compare.
    frame : pandas.DataFrame
        A calibration/holdout summary (:func:`calibration_holdout`). Not modified.
    fit : bool, default True
        Fit the models that are not fitted; with False they raise
        :class:`~segkit.exceptions.NotFittedError`.
    frequency_cal_col, recency_cal_col, T_cal_col, frequency_holdout_col, \
duration_holdout_col : str
        Names of its columns.

    Returns
    -------
    pandas.DataFrame
        One row per model (index ``model``, in the given order): ``n_params``,
        ``log_likelihood`` (calibration), ``bic`` (``k log n - 2 LL``),
        ``actual_total``, ``expected_total``, ``total_error``, ``mae``, ``rmse``,
        ``correlation`` (:func:`per_customer_error`).

    Examples
    --------
    >>> class Rate:
    ...     params_ = pd.Series({"rate": 0.1})
    ...     log_likelihood_ = -10.0
    ...     def expected_purchases(self, data, future_t):
    ...         return pd.Series(0.1 * future_t, index=data.index)
    >>> frame = pd.DataFrame({"frequency_cal": [0, 1], "recency_cal": [0, 5],
    ...                       "T_cal": [39, 35], "frequency_holdout": [0, 2],
    ...                       "duration_holdout": [10, 10]})
    >>> table = compare_models({"rate": Rate()}, frame)
    >>> table.loc["rate", ["n_params", "log_likelihood", "mae"]].tolist()
    [1.0, -10.0, 1.0]
    """
    if not isinstance(models, Mapping) or not models:
        raise ParameterError("models must be a non-empty mapping of name to purchase model, "
                             "e.g. {'BG/NBD': BetaGeoModel(), 'Pareto/NBD': ParetoNBDModel()}")
    cols = dict(zip(_COLS, (frequency_cal_col, recency_cal_col, T_cal_col,
                            frequency_holdout_col, duration_holdout_col), strict=True))
    cal, actual, duration = _split(frame, "compare_models", cols)
    n = len(cal)
    rows = []
    for name, model in models.items():
        if not callable(getattr(model, "expected_purchases", None)):
            raise ParameterError(f"models[{name!r}] has no expected_purchases(); got "
                                 f"{type(model).__name__}")
        if not hasattr(model, "params_"):
            if not fit:
                raise NotFittedError(f"models[{name!r}] is not fitted (fit=False)")
            try:
                fresh = clone(model)
            except TypeError:  # not a scikit-learn estimator: an unfitted deep copy
                fresh = copy.deepcopy(model)
            model = fresh.fit(cal)
        else:
            n_obs = getattr(model, "n_obs_", None)
            if n_obs is not None and not math.isclose(float(n_obs), n):
                warnings.warn(
                    f"models[{name!r}] was fitted on {n_obs:g} customers, the frame has {n}: "
                    "its log-likelihood is not comparable with the others'", UserWarning,
                    stacklevel=2)
        k = len(model.params_)
        ll = float(getattr(model, "log_likelihood_", math.nan))
        errors = _errors(actual, _expected(model, cal, duration))
        rows.append(pd.concat([pd.Series({"n_params": k, "log_likelihood": ll,
                                          "bic": k * math.log(n) - 2 * ll}), errors
                               .drop("n_customers")]).rename(str(name)))
    out = pd.DataFrame(rows)
    out["n_params"] = out["n_params"].astype(int)
    out.index.name = "model"
    return out
