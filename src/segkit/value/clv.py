"""Customer lifetime value: discounted, with its uncertainty, beside the historic value.

The lifetime value of a customer over the next ``future_t`` months is the expected
number of purchases in each month times the expected spend per purchase, discounted
month by month::

    CLV = sum_{i=1}^{future_t} (E[X(t_i)] - E[X(t_{i-1})]) * E[M] / (1 + d)^i

where ``E[X(t)]`` is a purchase model's expected number of purchases in the next ``t``
time units given the customer's history (:meth:`expected_purchases`, e.g. of
:class:`~segkit.value.BetaGeoModel`), ``E[M]`` a spend model's expected spend per
purchase given the history (:meth:`expected_customer_spend` of
:class:`~segkit.value.GammaGammaModel`), ``t_i`` the end of month ``i`` in the
summary's time unit and ``d`` the monthly discount rate. This is the formula of
``lifetimes``' ``customer_lifetime_value`` and of pymc-marketing's
``customer_lifetime_value`` (with a discount rate), and gives their values.

The time unit
-------------
A summary counts ``recency`` and ``T`` in days, weeks or another unit (the ``freq``
and ``freq_multiplier`` of :func:`segkit.features.summary`); the horizon and the
discount rate are in months. ``time_unit`` says what the summary's unit is, and
:data:`PERIODS_PER_MONTH` how many of them make a month: **30 days**, **4.345 weeks**,
720 hours, 1 month, the conventions of lifetimes and pymc-marketing, kept so that the
values are equal to theirs. The two are not quite the same month: 4.345 weeks are 365/12
= 30.42 days (the mean calendar month), 1.4% longer than 30 days. Give
``periods_per_month`` for another convention, e.g. ``365.25 / 12`` days for the mean
calendar month, or ``30 / 7`` weeks for a month of 30 days in a weekly summary.

Uncertainty
-----------
The parameters are estimates; :func:`bootstrap_customer_lifetime_value` carries their
uncertainty to every customer's value by a parametric bootstrap: parameter vectors are
drawn from each fitted model's asymptotic normal distribution on the scale on which it
was estimated (log for positive parameters, logit for those in (0, 1), so every draw is
valid), the value is recomputed for every customer with each draw, and the draws give a
mean, a standard deviation and quantiles per customer. :func:`clv_tier_probability`
turns the draws into the probability of each value tier, so that a customer's tier comes
with a probability.

Historic and predictive value
-----------------------------
:func:`historic_value` is what a customer has brought (net revenue so far);
:func:`historic_vs_predictive` sets it beside the predicted lifetime value, with their
rank correlation and the overlap of the two top groups: a big customer (large past
revenue) is not necessarily a good one (large future value), when their purchases have
stopped.
"""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from ..exceptions import NotFittedError, ParameterError, SchemaError
from ._base import distinct_rows, require_column, require_frame

__all__ = [
    "PERIODS_PER_MONTH",
    "expected_customer_lifetime_value",
    "bootstrap_customer_lifetime_value",
    "CLVBootstrap",
    "draw_params",
    "with_params",
    "clv_tier_probability",
    "assign_tiers",
    "historic_value",
    "historic_vs_predictive",
    "HistoricPredictive",
]

_TABLE = "summary"

#: Time units of a summary and how many of them make a month: the conventions of
#: lifetimes' ``customer_lifetime_value`` and pymc-marketing's ``customer_lifetime_value``
#: (``freq`` / ``time_unit``): 30 days, 4.345 weeks (365 / 7 / 12), 720 hours.
PERIODS_PER_MONTH: dict[str, float] = {"D": 30.0, "W": 4.345, "M": 1.0, "h": 720.0}
_UNIT_ALIASES = {"H": "h"}


# --------------------------------------------------------------------------- checks


def _frame(data, name: str) -> pd.DataFrame:
    return require_frame(data, name, "a customer summary, e.g. from segkit.features.summary "
                                     "with monetary_value_col")


def _column(data: pd.DataFrame, col: Hashable, arg: str) -> np.ndarray:
    """A summary column as floats; SchemaError naming the column when missing or not numeric."""
    require_column(data, col, f"give its name in {arg}", _TABLE)
    values = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values) & data[col].notna().to_numpy()
    if bad.any():
        raise SchemaError(_TABLE, str(col), "values must be numbers", data.loc[bad, [col]],
                          int(bad.sum()))
    return values


def _histories(data, frequency_col, recency_col, T_col, name):
    """frequency, recency, T as float arrays: finite, >= 0, recency <= T."""
    data = _frame(data, name)
    cols = {"frequency_col": frequency_col, "recency_col": recency_col, "T_col": T_col}
    out = []
    for arg, col in cols.items():
        v = _column(data, col, arg)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            raise SchemaError(
                _TABLE, str(col),
                "values must be finite numbers >= 0 (no missing values): a purchase model "
                "cannot predict from a missing or negative history",
                data.loc[bad, [col]], int(bad.sum()))
        out.append(v)
    x, r, t = out
    bad = r > t * (1 + 1e-12) + 1e-12
    if bad.any():
        raise SchemaError(_TABLE, str(recency_col), f"recency must be <= {T_col}",
                          data.loc[bad, [recency_col, T_col]], int(bad.sum()))
    return x, r, t


def _spend_input(data, x, frequency_col, monetary_value_col, name):
    """The monetary value; refuses a negative or missing spend of a repeat buyer."""
    m = _column(data, monetary_value_col, "monetary_value_col")
    bad = (x > 0) & ~(np.isfinite(m) & (m >= 0))
    if bad.any():
        raise SchemaError(
            _TABLE, str(monetary_value_col),
            f"{name}: a repeat buyer's spend is negative or missing, which would make the "
            "lifetime value negative or NaN (lifetimes issues 146 and 370). Net returns "
            "into the purchases (segkit.features.summary nets them, returns='net'), fill "
            "or drop the missing values, and leave customers whose repeat purchases were "
            "all refunded out of the spend model",
            data.loc[bad, [frequency_col, monetary_value_col]], int(bad.sum()))
    # a customer without repeat purchase carries no spend: the spend model uses the
    # population mean, so a missing value there is harmless and set to 0
    return np.where(x > 0, m, np.where(np.isfinite(m), m, 0.0))


def _periods_per_month(time_unit, periods_per_month) -> float:
    if periods_per_month is not None:
        if not (isinstance(periods_per_month, numbers.Real) and math.isfinite(periods_per_month)
                and periods_per_month > 0):
            raise ParameterError(
                f"periods_per_month must be a number > 0 (how many of the summary's time "
                f"units make a month, e.g. 30 for days); got {periods_per_month!r}")
        return float(periods_per_month)
    key = _UNIT_ALIASES.get(time_unit, time_unit)
    if key not in PERIODS_PER_MONTH:
        raise ParameterError(
            f"time_unit must be the time unit of the summary's recency and T, one of "
            f"{', '.join(map(repr, PERIODS_PER_MONTH))} (days, weeks, months, hours); got "
            f"{time_unit!r}. For another unit give periods_per_month (how many make a month)")
    return PERIODS_PER_MONTH[key]


def _check_horizon(future_t, discount_rate) -> tuple[int, float]:
    if not (isinstance(future_t, numbers.Integral) and not isinstance(future_t, bool)
            and future_t >= 1):
        if isinstance(future_t, numbers.Real) and float(future_t).is_integer() and future_t >= 1:
            future_t = int(future_t)
        else:
            raise ParameterError(
                f"future_t must be a whole number of months >= 1 (the horizon); got {future_t!r}")
    if not (isinstance(discount_rate, numbers.Real) and math.isfinite(discount_rate)
            and discount_rate >= 0):
        raise ParameterError(
            f"discount_rate must be a number >= 0, the discount rate per month (0.01 is 1% a "
            f"month, about 12.7% a year); got {discount_rate!r}")
    return int(future_t), float(discount_rate)


def _check_model(model, method: str, arg: str) -> None:
    if not callable(getattr(model, method, None)):
        raise ParameterError(
            f"{arg} must be a fitted model with a {method}() method (e.g. "
            + ("BetaGeoModel" if method == "expected_purchases" else "GammaGammaModel")
            + f"); got {type(model).__name__}")
    if not hasattr(model, "params_"):
        raise NotFittedError(f"{arg} ({type(model).__name__}) is not fitted yet; call fit first")


# --------------------------------------------------------------------------- parameters


def with_params(model, params):
    """A copy of a fitted model that predicts with other parameter values.

    Uses the model's own ``with_params`` when it has one; otherwise a shallow copy whose
    ``params_`` is replaced (the models of :mod:`segkit.value` read ``params_`` at every
    prediction). The model itself is not modified.

    Parameters
    ----------
    model : fitted model
    params : mapping or pandas.Series or array-like
        Values of the model's parameters (all of them, in the order of ``params_``
        when not named).

    Returns
    -------
    model
        The copy.

    Examples
    --------
    >>> from segkit.value.gamma_gamma import GammaGammaModel
    >>> gg = GammaGammaModel()
    >>> gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> other = with_params(gg, {"p": 6.0, "q": 4.0, "gamma": 15.0})
    >>> other.params_.tolist(), gg.params_.tolist()
    ([6.0, 4.0, 15.0], [6.25, 3.74, 15.44])
    """
    if not hasattr(model, "params_"):
        raise NotFittedError(f"this {type(model).__name__} is not fitted yet; call fit first")
    names = list(model.params_.index)
    if isinstance(params, Mapping | pd.Series):
        missing = [n for n in names if n not in params]
        if missing:
            raise ParameterError(f"params lacks {', '.join(missing)} (needs {', '.join(names)})")
        values = [float(params[n]) for n in names]
    else:
        values = np.asarray(params, dtype=float).reshape(-1).tolist()
        if len(values) != len(names):
            raise ParameterError(f"params needs {len(names)} values ({', '.join(names)}); "
                                 f"got {len(values)}")
    series = pd.Series(values, index=names, name=model.params_.name)
    own = getattr(model, "with_params", None)
    if callable(own):
        return own(series)
    out = copy.copy(model)
    out.params_ = series
    return out


def _search_scale(model) -> list[str]:
    bounds = tuple(getattr(model, "_bounds", ()))
    k = len(model.params_)
    if len(bounds) != k:
        bounds = ("positive",) * k
    return list(bounds)


def draw_params(model, n_draws: int, random_state=None) -> pd.DataFrame:
    """Parameter vectors drawn from a fitted model's asymptotic normal distribution.

    The estimates are asymptotically normal on the scale on which they were searched:
    ``log`` for a positive parameter, ``logit`` for one in (0, 1) (``model._bounds``),
    with the covariance of the observed information. The natural-scale covariance
    ``covariance_`` is carried to that scale by the delta method (divided by ``p_i p_j``
    on the log scale), the draws are made there and carried back, so every drawn value
    is valid (positive, or in (0, 1)).

    Parameters
    ----------
    model : fitted model
        With ``params_`` and ``covariance_`` (or, failing that, ``standard_errors_``,
        taken as uncorrelated).
    n_draws : int
        Number of draws (>= 1).
    random_state : int or numpy.random.Generator, optional
        Seed.

    Returns
    -------
    pandas.DataFrame
        ``n_draws`` rows, one column per parameter.

    Raises
    ------
    segkit.exceptions.ParameterError
        Without a finite, positive semi-definite covariance (the standard errors could
        not be computed: refit, e.g. with a small ``penalizer_coef``).

    Examples
    --------
    >>> from segkit.value.gamma_gamma import GammaGammaModel
    >>> gg = GammaGammaModel()
    >>> gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> gg.covariance_ = pd.DataFrame(np.diag([0.5, 0.1, 2.0]) ** 2, index=gg.params_.index,
    ...                               columns=gg.params_.index)
    >>> draws = draw_params(gg, 4000, random_state=1)
    >>> bool((draws > 0).all().all()), draws.std().round(1).tolist()
    (True, [0.5, 0.1, 2.0])
    """
    if not hasattr(model, "params_"):
        raise NotFittedError(f"this {type(model).__name__} is not fitted yet; call fit first")
    if not (isinstance(n_draws, numbers.Integral) and n_draws >= 1):
        raise ParameterError(f"n_draws must be a whole number >= 1; got {n_draws!r}")
    names = list(model.params_.index)
    p = model.params_.to_numpy(dtype=float)
    cov = getattr(model, "covariance_", None)
    if cov is not None:
        cov = pd.DataFrame(cov).reindex(index=names, columns=names).to_numpy(dtype=float)
    else:
        se = getattr(model, "standard_errors_", None)
        cov = None if se is None else np.diag(pd.Series(se).reindex(names).to_numpy(float) ** 2)
    if cov is None or not np.all(np.isfinite(cov)):
        raise ParameterError(
            f"{type(model).__name__} has no finite covariance of its estimates (standard "
            "errors NaN), so its uncertainty cannot be drawn: refit, e.g. with a small "
            "penalizer_coef, or on more data")
    bounds = _search_scale(model)
    # natural -> search scale: z = log p (dz/dp = 1/p) or logit p (dz/dp = 1/(p(1-p)))
    jac = np.array([1 / v if b == "positive" else 1 / (v * (1 - v))
                    for v, b in zip(p, bounds, strict=True)])
    z_hat = np.array([math.log(v) if b == "positive" else float(logit(v))
                      for v, b in zip(p, bounds, strict=True)])
    cov_z = cov * np.outer(jac, jac)
    cov_z = (cov_z + cov_z.T) / 2
    eig = np.linalg.eigvalsh(cov_z)
    if eig.min() < -1e-8 * max(eig.max(), 1e-300):
        raise ParameterError(
            f"the covariance of {type(model).__name__}'s estimates is not positive "
            "semi-definite (the maximum is not well defined): refit, e.g. with a small "
            "penalizer_coef")
    rng = np.random.default_rng(random_state)
    z = rng.multivariate_normal(z_hat, cov_z, size=int(n_draws), method="eigh")
    natural = np.empty_like(z)
    for j, b in enumerate(bounds):
        natural[:, j] = np.exp(z[:, j]) if b == "positive" else expit(z[:, j])
    return pd.DataFrame(natural, columns=names)


# --------------------------------------------------------------------------- the value


@dataclass
class _Prepared:
    """Distinct histories and spends of a summary, and how customers map to them."""

    histories: pd.DataFrame  # distinct frequency, recency, T
    inv_hist: np.ndarray
    spends: pd.DataFrame  # distinct frequency, monetary_value
    inv_spend: np.ndarray
    index: pd.Index
    rows: pd.DataFrame  # the input columns, for error messages


def _prepare(data, frequency_col, recency_col, T_col, monetary_value_col, name) -> _Prepared:
    x, r, t = _histories(data, frequency_col, recency_col, T_col, name)
    m = _spend_input(data, x, frequency_col, monetary_value_col, name)
    (xd, rd, td), _, inv_h = distinct_rows([x, r, t])
    (xs, ms), _, inv_s = distinct_rows([x, np.where(x > 0, m, 0.0)])
    cols = [frequency_col, recency_col, T_col, monetary_value_col]
    return _Prepared(
        pd.DataFrame({"frequency": xd, "recency": rd, "T": td}), inv_h,
        pd.DataFrame({"frequency": xs, "monetary_value": ms}), inv_s,
        data.index, data[cols],
    )


def _named(model, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the summary column names the model was fitted with (``columns_``)."""
    names = getattr(model, "columns_", None)
    if isinstance(names, Mapping):
        return frame.rename(columns={k: v for k, v in names.items() if k in frame.columns})
    return frame


def _cumulative_purchases(model, histories: pd.DataFrame, horizons: np.ndarray) -> np.ndarray:
    """Expected purchases of every history up to every horizon (horizons x histories).

    One prediction call on the histories stacked once per horizon, with one ``future_t``
    per row (the models of :mod:`segkit.value` and pymc-marketing's accept it); a model
    that does not is called once per horizon.
    """
    n, h = len(histories), len(horizons)
    if h > 1:
        stacked = pd.DataFrame({c: np.tile(histories[c].to_numpy(), h) for c in histories})
        try:
            out = model.expected_purchases(stacked, future_t=np.repeat(horizons, n))
            out = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            out = None
        if out is not None and out.size == n * h:
            return out.reshape(h, n)
    return np.vstack([np.asarray(model.expected_purchases(histories, future_t=float(t)),
                                 dtype=float).reshape(-1) for t in horizons])


def _discounted_purchases(model, histories, future_t, discount_rate, ppm, name):
    """Per distinct history: sum over months of the month's expected purchases, discounted."""
    n = len(histories)
    months = np.arange(1, future_t + 1)
    cum = _cumulative_purchases(model, _named(model, histories), months * ppm)
    if cum.shape != (future_t, n) or not np.all(np.isfinite(cum)):
        bad = (~np.isfinite(cum)).any(axis=0) if cum.shape == (future_t, n) else np.ones(n, bool)
        return None, ("expected purchases are not finite", bad)
    month = np.diff(cum, axis=0, prepend=0.0)
    # a cumulative expectation never decreases; allow rounding noise only
    falling = month < -1e-9 * np.maximum(1.0, np.abs(cum))
    if falling.any():
        return None, ("expected purchases decrease with the horizon", falling.any(axis=0))
    if np.any(cum < 0):
        return None, ("expected purchases are negative", (cum < 0).any(axis=0))
    discount = (1.0 + discount_rate) ** -months.astype(float)
    return discount @ np.maximum(month, 0.0), None


def _spend(model, spends):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s = np.asarray(model.expected_customer_spend(_named(model, spends)),
                       dtype=float).reshape(-1)
    bad = ~np.isfinite(s) | (s < 0)
    return s, bad


def _refuse(prep: _Prepared, bad_rows: np.ndarray, what: str, model) -> SchemaError:
    n = int(bad_rows.sum())
    return SchemaError(
        _TABLE, None,
        f"{what} for {n} customer(s) with {type(model).__name__} at parameters "
        f"{model.params_.round(4).to_dict()}: the lifetime value would be negative, infinite "
        "or NaN, and is refused rather than returned. Check these histories and the model's "
        "fit (a Gamma-Gamma q <= 1 has no finite mean spend)",
        prep.rows.loc[bad_rows], n,
    )


def _clv_distinct(transaction_model, spend_model, prep, future_t, discount_rate, ppm, name):
    """(discounted purchases per distinct history, spend per distinct spend) or raise."""
    purchases, problem = _discounted_purchases(transaction_model, prep.histories, future_t,
                                               discount_rate, ppm, name)
    if problem is not None:
        what, bad = problem
        raise _refuse(prep, bad[prep.inv_hist], what, transaction_model)
    spend, bad = _spend(spend_model, prep.spends)
    if bad.any():
        raise _refuse(prep, bad[prep.inv_spend], "the expected spend is negative, infinite "
                      "or NaN", spend_model)
    return purchases, spend


def expected_customer_lifetime_value(
    transaction_model,
    spend_model,
    data: pd.DataFrame,
    future_t: int = 12,
    discount_rate: float = 0.01,
    time_unit: str = "D",
    periods_per_month: float | None = None,
    frequency_col: Hashable = "frequency",
    recency_col: Hashable = "recency",
    T_col: Hashable = "T",
    monetary_value_col: Hashable = "monetary_value",
) -> pd.Series:
    """Each customer's expected lifetime value over the next ``future_t`` months, discounted.

    ``sum_{i=1}^{future_t} (E[X(t_i)] - E[X(t_{i-1})]) * E[M] / (1 + discount_rate)^i``
    with ``t_i = i * periods_per_month`` in the summary's time unit (see the module
    docstring): the expected purchases of month ``i`` from ``transaction_model``, the
    expected spend per purchase from ``spend_model``, discounted monthly. Equal to
    lifetimes' ``GammaGammaFitter.customer_lifetime_value(..., time=future_t,
    discount_rate=discount_rate, freq=time_unit)`` and to pymc-marketing's
    ``customer_lifetime_value``.

    Parameters
    ----------
    transaction_model : fitted purchase model
        With ``expected_purchases(data, future_t)`` (``BetaGeoModel``,
        ``ModifiedBetaGeoModel``, ``ParetoNBDModel``), fitted on a summary in the unit
        ``time_unit``.
    spend_model : fitted spend model
        With ``expected_customer_spend(data)`` (``GammaGammaModel``).
    data : pandas.DataFrame
        A customer summary with frequency, recency, T and monetary value
        (:func:`segkit.features.summary` with ``monetary_value_col``). Not modified.
    future_t : int, default 12
        The horizon in months.
    discount_rate : float, default 0.01
        Discount rate per month (0.01 a month is about 12.7% a year).
    time_unit : {"D", "W", "M", "h"}, default "D"
        The unit of the summary's ``recency`` and ``T``: a month is 30 days, 4.345 weeks,
        1 month or 720 hours (:data:`PERIODS_PER_MONTH`, as lifetimes and pymc-marketing).
    periods_per_month : float, optional
        Overrides ``time_unit``: how many of the summary's units make a month.
    frequency_col, recency_col, T_col, monetary_value_col : str
        Names of the summary's columns.

    Returns
    -------
    pandas.Series
        ``clv`` (in the currency of the monetary value), one value >= 0 per row, with
        the index of ``data``. Never NaN: see *Raises*.

    Raises
    ------
    segkit.exceptions.SchemaError
        A missing column; a negative or missing frequency, recency or T; a repeat buyer
        (frequency > 0) with a negative or missing monetary value; or a model prediction
        that is negative, infinite or NaN for some customers (the message lists them).
        lifetimes returns a negative or NaN value in these cases (its issues 146, 370).
    segkit.exceptions.ParameterError
        A bad horizon, discount rate or time unit, or a model without the prediction.

    Notes
    -----
    The predictions are made once per distinct ``(frequency, recency, T)`` and per
    distinct ``(frequency, monetary_value)``, so a million customers cost what their
    distinct histories cost.

    Examples
    --------
    >>> from segkit.value.gamma_gamma import GammaGammaModel
    >>> class Steady:  # a stand-in purchase model: 0.5 purchases a week, for ever
    ...     params_ = pd.Series({"rate": 0.5})
    ...     def expected_purchases(self, data, future_t):
    ...         return pd.Series(0.5 * future_t, index=data.index)
    >>> gg = GammaGammaModel()
    >>> gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> s = pd.DataFrame({"frequency": [0, 4], "recency": [0.0, 20.0], "T": [30.0, 30.0],
    ...                   "monetary_value": [0.0, 40.0]})
    >>> expected_customer_lifetime_value(Steady(), gg, s, time_unit="W").round(2).tolist()
    [861.16, 966.52]
    """
    name = "expected_customer_lifetime_value"
    _check_model(transaction_model, "expected_purchases", "transaction_model")
    _check_model(spend_model, "expected_customer_spend", "spend_model")
    future_t, discount_rate = _check_horizon(future_t, discount_rate)
    ppm = _periods_per_month(time_unit, periods_per_month)
    prep = _prepare(data, frequency_col, recency_col, T_col, monetary_value_col, name)
    purchases, spend = _clv_distinct(transaction_model, spend_model, prep, future_t,
                                     discount_rate, ppm, name)
    clv = purchases[prep.inv_hist] * spend[prep.inv_spend]
    return pd.Series(clv, index=prep.index, name="clv")


# --------------------------------------------------------------------------- bootstrap


@dataclass
class CLVBootstrap:
    """Result of :func:`bootstrap_customer_lifetime_value`.

    The draws are kept compactly, per distinct history and per distinct spend, and
    expanded per customer on demand (:meth:`draws`), so a large customer base does not
    hold ``n_customers x n_draws`` numbers unless asked.

    Attributes
    ----------
    summary : pandas.DataFrame
        Per customer (index of the input): ``clv`` (at the estimates), ``mean``, ``std``
        and one column per quantile (``q05``, ``q50``, ``q95`` by default) of the value
        over the draws.
    transaction_params, spend_params : pandas.DataFrame
        The parameter vectors drawn, one row per draw.
    n_rejected : int
        Draws left out because a drawn parameter vector gave a non-finite or negative
        prediction (e.g. a Gamma-Gamma ``q <= 1``, whose mean spend is infinite); a
        warning reports them.
    """

    summary: pd.DataFrame
    transaction_params: pd.DataFrame
    spend_params: pd.DataFrame
    n_rejected: int
    _purchases: np.ndarray = field(repr=False)  # distinct histories x draws
    _spend: np.ndarray = field(repr=False)  # distinct spends x draws
    _inv_hist: np.ndarray = field(repr=False)
    _inv_spend: np.ndarray = field(repr=False)

    @property
    def n_draws(self) -> int:
        """Number of draws kept."""
        return self._purchases.shape[1]

    def draws(self, rows: slice | np.ndarray | None = None) -> np.ndarray:
        """The value of every customer (rows) in every draw (columns).

        Parameters
        ----------
        rows : slice or array of positions, optional
            Only these customers (default all: ``n_customers x n_draws`` floats).
        """
        sel = slice(None) if rows is None else rows
        return self._purchases[self._inv_hist[sel]] * self._spend[self._inv_spend[sel]]


def bootstrap_customer_lifetime_value(
    transaction_model,
    spend_model,
    data: pd.DataFrame,
    future_t: int = 12,
    discount_rate: float = 0.01,
    time_unit: str = "D",
    periods_per_month: float | None = None,
    n_draws: int = 200,
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
    random_state=None,
    frequency_col: Hashable = "frequency",
    recency_col: Hashable = "recency",
    T_col: Hashable = "T",
    monetary_value_col: Hashable = "monetary_value",
) -> CLVBootstrap:
    """The lifetime value with its uncertainty: a parametric bootstrap over the parameters.

    For each of ``n_draws`` draws, a parameter vector of the purchase model and one of
    the spend model are drawn independently (the two are fitted apart) from their
    asymptotic normal distributions on the search scale (:func:`draw_params`), and
    :func:`expected_customer_lifetime_value` is recomputed for every customer with them.
    The spread of a customer's values over the draws is the uncertainty that the
    parameters' estimation leaves on it (not the customer's own randomness: a lifetime
    value is an expectation).

    Parameters
    ----------
    transaction_model, spend_model, data, future_t, discount_rate, time_unit, \
periods_per_month, frequency_col, recency_col, T_col, monetary_value_col
        As in :func:`expected_customer_lifetime_value`.
    n_draws : int, default 200
        Number of parameter draws kept.
    quantiles : sequence of float, default (0.05, 0.5, 0.95)
        Quantiles of each customer's value reported in ``summary`` (columns ``q05`` ...).
    random_state : int or numpy.random.Generator, optional
        Seed of the draws.

    Returns
    -------
    CLVBootstrap
        ``summary`` (``clv``, ``mean``, ``std``, quantiles per customer), the parameter
        draws, and the per-draw values (:meth:`CLVBootstrap.draws`) for
        :func:`clv_tier_probability`.

    Raises
    ------
    segkit.exceptions.ParameterError
        A model without a finite covariance of its estimates, or invalid predictions for
        more than a quarter of ``n_draws`` draws (the estimates are too uncertain to
        bootstrap).
    segkit.exceptions.SchemaError
        As :func:`expected_customer_lifetime_value`, at the estimates.

    Notes
    -----
    The cost is ``n_draws x future_t`` predictions on the distinct histories plus
    ``n_draws`` on the distinct spends; the customers are only indexed into them.
    A draw whose predictions are invalid for some customer (infinite mean spend when a
    drawn Gamma-Gamma ``q`` falls below 1, ...) is rejected and drawn again: the
    bootstrap then describes the parameters conditional on a finite value, and
    ``n_rejected`` with a warning says how often this happened.

    Examples
    --------
    >>> from segkit.value.gamma_gamma import GammaGammaModel
    >>> class Steady:  # a stand-in purchase model with an uncertain rate per week
    ...     params_ = pd.Series({"rate": 0.5})
    ...     covariance_ = pd.DataFrame([[0.0025]], index=["rate"], columns=["rate"])
    ...     def expected_purchases(self, data, future_t):
    ...         return pd.Series(self.params_["rate"] * future_t, index=data.index)
    >>> gg = GammaGammaModel()
    >>> gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
    >>> gg.covariance_ = pd.DataFrame(np.diag([0.3, 0.2, 1.0]) ** 2, index=gg.params_.index,
    ...                               columns=gg.params_.index)
    >>> s = pd.DataFrame({"frequency": [0, 4], "recency": [0.0, 20.0], "T": [30.0, 30.0],
    ...                   "monetary_value": [0.0, 40.0]})
    >>> boot = bootstrap_customer_lifetime_value(Steady(), gg, s, time_unit="W",
    ...                                          n_draws=500, random_state=0)
    >>> list(boot.summary.columns)
    ['clv', 'mean', 'std', 'q05', 'q50', 'q95']
    >>> bool((boot.summary["q05"] < boot.summary["clv"]).all()
    ...      and (boot.summary["clv"] < boot.summary["q95"]).all())
    True
    """
    name = "bootstrap_customer_lifetime_value"
    _check_model(transaction_model, "expected_purchases", "transaction_model")
    _check_model(spend_model, "expected_customer_spend", "spend_model")
    future_t, discount_rate = _check_horizon(future_t, discount_rate)
    ppm = _periods_per_month(time_unit, periods_per_month)
    if not (isinstance(n_draws, numbers.Integral) and n_draws >= 2):
        raise ParameterError(f"n_draws must be a whole number >= 2; got {n_draws!r}")
    qs = _check_quantiles(quantiles)
    prep = _prepare(data, frequency_col, recency_col, T_col, monetary_value_col, name)
    point_p, point_s = _clv_distinct(transaction_model, spend_model, prep, future_t,
                                     discount_rate, ppm, name)
    rng = np.random.default_rng(random_state)
    kept_p, kept_s, rows_t, rows_s = [], [], [], []
    rejected = 0
    max_rejected = max(5, n_draws // 4)
    while len(kept_p) < n_draws and rejected <= max_rejected:
        need = n_draws - len(kept_p)
        tp = draw_params(transaction_model, need, rng)
        sp = draw_params(spend_model, need, rng)
        for j in range(need):
            pm = with_params(transaction_model, tp.iloc[j])
            sm = with_params(spend_model, sp.iloc[j])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                purchases, problem = _discounted_purchases(pm, prep.histories, future_t,
                                                           discount_rate, ppm, name)
            spend, bad = _spend(sm, prep.spends)
            if problem is not None or bad.any():
                rejected += 1
                if rejected > max_rejected:
                    break
                continue
            kept_p.append(purchases)
            kept_s.append(spend)
            rows_t.append(tp.iloc[j])
            rows_s.append(sp.iloc[j])
    if len(kept_p) < n_draws:
        raise ParameterError(
            f"{rejected} of {rejected + len(kept_p)} parameter draws gave an invalid (infinite, "
            "negative or NaN) prediction, more than a quarter of the draws asked for: the "
            "estimates are too uncertain for a bootstrap "
            "(for a Gamma-Gamma model, q is too close to 1). Fit on more data, or use the "
            "point value of expected_customer_lifetime_value")
    if rejected:
        warnings.warn(
            f"{rejected} of {rejected + n_draws} parameter draws were left out because they "
            "gave an infinite, negative or NaN prediction (e.g. a Gamma-Gamma q <= 1); the "
            "bootstrap describes the values conditional on a finite prediction",
            RuntimeWarning, stacklevel=2)
    P = np.column_stack(kept_p)
    S = np.column_stack(kept_s)
    result = CLVBootstrap(
        summary=pd.DataFrame(index=prep.index),
        transaction_params=pd.DataFrame(rows_t).reset_index(drop=True),
        spend_params=pd.DataFrame(rows_s).reset_index(drop=True),
        n_rejected=rejected,
        _purchases=P, _spend=S, _inv_hist=prep.inv_hist, _inv_spend=prep.inv_spend,
    )
    n = len(prep.index)
    point = point_p[prep.inv_hist] * point_s[prep.inv_spend]
    mean, std = np.empty(n), np.empty(n)
    qv = np.empty((n, len(qs)))
    for start in range(0, n, _chunk(n_draws)):
        sl = slice(start, min(n, start + _chunk(n_draws)))
        d = result.draws(sl)
        mean[sl] = d.mean(axis=1)
        std[sl] = d.std(axis=1, ddof=1)
        qv[sl] = np.quantile(d, qs, axis=1).T
    cols = {"clv": point, "mean": mean, "std": std}
    cols.update({_qname(q): qv[:, k] for k, q in enumerate(qs)})
    result.summary = pd.DataFrame(cols, index=prep.index)
    return result


def _chunk(n_draws: int) -> int:
    """Customers per block so that a block of draws holds about 2**22 numbers."""
    return max(1, (1 << 22) // max(int(n_draws), 1))


def _qname(q: float) -> str:
    pct = 100 * q
    return f"q{int(round(pct)):02d}" if abs(pct - round(pct)) < 1e-9 else f"q{pct:g}"


def _check_quantiles(quantiles) -> list[float]:
    try:
        qs = [float(q) for q in quantiles]
    except (TypeError, ValueError):
        qs = []
    if not qs or not all(0 <= q <= 1 for q in qs):
        raise ParameterError(
            f"quantiles must be numbers in [0, 1], e.g. (0.05, 0.5, 0.95); got {quantiles!r}")
    return qs


# --------------------------------------------------------------------------- tiers


def _check_thresholds(thresholds, rest) -> tuple[list[str], np.ndarray]:
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ParameterError(
            "thresholds must be a mapping of tier name to the lowest value of the tier, "
            "highest tier first, e.g. {'key': tiers.key_threshold_, 'ordinary': "
            f"tiers.ordinary_threshold_}} from a fitted segkit.segment.ParetoTiers; got "
            f"{thresholds!r}")
    names = [str(k) for k in thresholds]
    try:
        values = np.array([float(v) for v in thresholds.values()])
    except (TypeError, ValueError):
        raise ParameterError(f"thresholds must map tier names to numbers; got {thresholds!r}"
                             ) from None
    if np.isnan(values).any() or np.any(np.diff(values) > 0):
        raise ParameterError(
            "thresholds must be numbers in decreasing order, highest tier first "
            f"(each tier holds the values from its threshold up to the next); got {thresholds!r}")
    if str(rest) in names:
        raise ParameterError(f"rest ({rest!r}) must differ from the tier names {names}")
    return names, values


def assign_tiers(values, thresholds: Mapping[str, float], rest: str = "small") -> np.ndarray:
    """The tier of each value: the highest tier whose threshold it reaches.

    Parameters
    ----------
    values : array-like of float
    thresholds : mapping of str to float
        Tier name to its lowest value, highest tier first (decreasing thresholds).
    rest : str, default "small"
        The tier of the values below every threshold.

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> assign_tiers([500.0, 120.0, 10.0], {"key": 300.0, "ordinary": 60.0}).tolist()
    ['key', 'ordinary', 'small']
    """
    names, cuts = _check_thresholds(thresholds, rest)
    labels = np.array(names + [str(rest)], dtype=object)
    v = np.asarray(values, dtype=float)
    return labels[_band(v, cuts)]


def _band(v: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Index of the band of each value: 0 for the highest tier, len(cuts) for the rest."""
    # number of thresholds a value does not reach, counted from the highest
    return np.sum(v[..., None] < cuts, axis=-1)


def clv_tier_probability(
    draws,
    thresholds: Mapping[str, float],
    point=None,
    rest: str = "small",
    index=None,
    cumulative: bool = False,
) -> pd.DataFrame:
    """The probability of each value tier for each customer, from bootstrap draws.

    Each draw places the customer in a tier by the fixed thresholds (e.g. those that
    :class:`segkit.segment.ParetoTiers` learns on the point values); the share of draws
    in a tier is the probability that the customer belongs to it, given the uncertainty
    of the parameters. The probability of being *at least* in a tier is the sum over it
    and the tiers above.

    Parameters
    ----------
    draws : CLVBootstrap or array-like (customers x draws)
        The values per draw (:func:`bootstrap_customer_lifetime_value`).
    thresholds : mapping of str to float
        Tier name to its lowest value, highest tier first, e.g. ``{"key":
        tiers.key_threshold_, "ordinary": tiers.ordinary_threshold_}``.
    point : array-like, optional
        The point values that decide each customer's tier (default: the ``clv`` of a
        :class:`CLVBootstrap`; for an array, the median of the draws).
    rest : str, default "small"
        The tier below every threshold.
    index : pandas.Index, optional
        Index of the result (default that of the bootstrap's summary, else 0..n-1).
    cumulative : bool, default False
        ``p_<tier>`` is the probability of being in the tier (rows sum to 1); with True,
        of being in it or above: the share of draws whose value reaches the tier's
        threshold (``p_<rest>`` is then 1).

    Returns
    -------
    pandas.DataFrame
        Per customer: ``tier`` (the tier of the point value), ``tier_probability`` (the
        share of draws in that tier) and ``p_<tier>`` for every tier.

    Examples
    --------
    >>> draws = np.array([[400.0, 350.0, 250.0, 500.0],    # mostly key
    ...                   [70.0, 50.0, 65.0, 80.0]])       # mostly ordinary
    >>> clv_tier_probability(draws, {"key": 300.0, "ordinary": 60.0},
    ...                      point=[380.0, 66.0])  # doctest: +NORMALIZE_WHITESPACE
           tier  tier_probability  p_key  p_ordinary  p_small
    0       key              0.75   0.75        0.25     0.00
    1  ordinary              0.75   0.00        0.75     0.25
    """
    names, cuts = _check_thresholds(thresholds, rest)
    labels = names + [str(rest)]
    if isinstance(draws, CLVBootstrap):
        n = len(draws._inv_hist)
        get = draws.draws
        if point is None:
            point = draws.summary["clv"].to_numpy()
        if index is None:
            index = draws.summary.index
        n_draws = draws.n_draws
    else:
        arr = np.asarray(draws, dtype=float)
        if arr.ndim != 2 or arr.shape[1] < 1:
            raise ParameterError("draws must be a CLVBootstrap or a 2-d array (customers x draws)")
        if not np.all(np.isfinite(arr)):
            raise ParameterError("draws must be finite numbers (no NaN)")
        n, n_draws = arr.shape

        def get(sl):
            return arr[sl]

        if point is None:
            point = np.median(arr, axis=1)
    point = np.asarray(point, dtype=float).reshape(-1)
    if point.shape != (n,) or not np.all(np.isfinite(point)):
        raise ParameterError(f"point must hold one finite value per customer ({n})")
    counts = np.zeros((n, len(labels)))
    step = _chunk(n_draws)
    for start in range(0, n, step):
        sl = slice(start, min(n, start + step))
        band = _band(get(sl), cuts)  # rows x draws
        for k in range(len(labels)):
            counts[sl, k] = (band == k).sum(axis=1)
    prob = counts / n_draws
    own = _band(point, cuts)
    out = pd.DataFrame({"tier": np.array(labels, dtype=object)[own],
                        "tier_probability": prob[np.arange(n), own]},
                       index=index if index is not None else pd.RangeIndex(n))
    shown = np.cumsum(prob, axis=1) if cumulative else prob
    for k, lab in enumerate(labels):
        out[f"p_{lab}"] = shown[:, k]
    return out


# --------------------------------------------------------------------------- historic


def historic_value(
    data: pd.DataFrame,
    value_col: Hashable | None = None,
    frequency_col: Hashable = "frequency",
    monetary_value_col: Hashable = "monetary_value",
) -> pd.Series:
    """What each customer has brought so far: the historic value beside the predicted one.

    With ``value_col`` (e.g. ``"revenue"`` of :func:`segkit.features.customer_profile`:
    net revenue up to the observation end, first purchase included) that column;
    otherwise, from a customer summary, ``frequency x monetary_value``: the net revenue
    of the repeat purchases (the summary's monetary value is the mean of the repeat
    purchase periods and leaves the first purchase out, as the models do).

    Parameters
    ----------
    data : pandas.DataFrame
        A customer summary or profile. Not modified.
    value_col : str, optional
        A column that already holds the historic value.
    frequency_col, monetary_value_col : str
        Summary columns used without ``value_col``.

    Returns
    -------
    pandas.Series
        ``historic_value``, with the index of ``data``.

    Raises
    ------
    segkit.exceptions.SchemaError
        A missing column or missing values.

    Examples
    --------
    >>> s = pd.DataFrame({"frequency": [0, 3], "monetary_value": [0.0, 25.0]})
    >>> historic_value(s).tolist()
    [0.0, 75.0]
    """
    data = _frame(data, "historic_value")
    if value_col is not None:
        v = _column(data, value_col, "value_col")
        cols = [value_col]
    else:
        v = _column(data, frequency_col, "frequency_col") * _column(
            data, monetary_value_col, "monetary_value_col")
        cols = [frequency_col, monetary_value_col]
    bad = ~np.isfinite(v)
    if bad.any():
        raise SchemaError(_TABLE, str(cols[-1]),
                          "the historic value needs finite numbers (no missing values)",
                          data.loc[bad, cols], int(bad.sum()))
    return pd.Series(v, index=data.index, name="historic_value")


@dataclass(frozen=True)
class HistoricPredictive:
    """Result of :func:`historic_vs_predictive`.

    Attributes
    ----------
    frame : pandas.DataFrame
        Per customer: ``historic_value``, ``predictive_value``, their ranks
        (``historic_rank``, ``predictive_rank``: 1 is the largest) and whether the
        customer is in the top ``top_share`` by each (``top_historic``,
        ``top_predictive``).
    rank_correlation : float
        Spearman's rank correlation of the two values.
    top_share : float
        The share of customers that makes the top groups.
    top_overlap : float
        Share of the historic top that is also in the predictive top: below 1, some big
        customers are not good ones.
    """

    frame: pd.DataFrame
    rank_correlation: float
    top_share: float
    top_overlap: float


def historic_vs_predictive(
    historic,
    predictive,
    top_share: float = 0.2,
) -> HistoricPredictive:
    """Historic value against predicted lifetime value: a big customer is not necessarily good.

    Parameters
    ----------
    historic : pandas.Series or array-like
        Past value per customer (:func:`historic_value`).
    predictive : pandas.Series or array-like
        Predicted lifetime value per customer (:func:`expected_customer_lifetime_value`),
        aligned with ``historic`` (same index for Series, same order otherwise).
    top_share : float, default 0.2
        Share of customers in each top group (by rank, ties included).

    Returns
    -------
    HistoricPredictive
        ``frame``, ``rank_correlation`` (Spearman), ``top_share``, ``top_overlap``.

    Examples
    --------
    >>> past = pd.Series([900.0, 500.0, 300.0, 100.0, 50.0])
    >>> future = pd.Series([20.0, 400.0, 350.0, 90.0, 60.0])   # the biggest has stopped
    >>> r = historic_vs_predictive(past, future, top_share=0.4)
    >>> round(r.rank_correlation, 2), r.top_overlap
    (0.0, 0.5)
    """
    if not (isinstance(top_share, numbers.Real) and 0 < top_share <= 1):
        raise ParameterError(f"top_share must be a number in (0, 1]; got {top_share!r}")
    h = historic if isinstance(historic, pd.Series) else pd.Series(np.asarray(historic, float))
    p = predictive if isinstance(predictive, pd.Series) else pd.Series(
        np.asarray(predictive, float), index=h.index)
    if len(h) != len(p) or not h.index.equals(p.index):
        raise ParameterError("historic and predictive must have one value per customer, with "
                             "the same index (align them first)")
    hv, pv = h.to_numpy(dtype=float), p.to_numpy(dtype=float)
    if not (np.all(np.isfinite(hv)) and np.all(np.isfinite(pv))):
        raise ParameterError("historic and predictive values must be finite (no NaN)")
    n = len(hv)
    hr = stats.rankdata(-hv, method="min")
    pr = stats.rankdata(-pv, method="min")
    k = max(1, math.ceil(top_share * n)) if n else 0
    top_h, top_p = hr <= k, pr <= k
    frame = pd.DataFrame({"historic_value": hv, "predictive_value": pv,
                          "historic_rank": hr.astype(int), "predictive_rank": pr.astype(int),
                          "top_historic": top_h, "top_predictive": top_p}, index=h.index)
    if n >= 2 and np.ptp(hv) > 0 and np.ptp(pv) > 0:
        rho = float(stats.spearmanr(hv, pv).statistic)
    else:
        rho = float("nan")
    overlap = float((top_h & top_p).sum() / top_h.sum()) if top_h.any() else float("nan")
    return HistoricPredictive(frame, rho, float(top_share), overlap)
