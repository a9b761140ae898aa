"""What the continuous-time BTYD models share: reading the summary, distinct rows, predictions.

The BG/NBD (:mod:`segkit.value.bgnbd`), MBG/NBD (:mod:`segkit.value.mbgnbd`) and
Pareto/NBD (:mod:`segkit.value.pareto_nbd`) models all describe a customer by the
summary of :func:`segkit.features.summary`:

- ``frequency`` (``x``): the number of repeat purchases (periods with a purchase after
  the first one), a whole number >= 0;
- ``recency`` (``t_x``): the time from the first to the last purchase, 0 when
  ``x = 0``;
- ``T``: the time from the first purchase to the end of the observation
  (``recency <= T``).

:class:`BTYDModel` reads and checks these columns (:class:`~segkit.exceptions.SchemaError`
naming the column and example rows), fits on the distinct ``(frequency, recency, T)``
with their counts, and computes every prediction once per distinct row and maps it
back, so a million customers cost what their distinct histories cost.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable

import numpy as np
import pandas as pd

from ..exceptions import ParameterError, SchemaError
from ._base import MLEModel, distinct_rows, require_column, require_frame

__all__ = ["BTYDModel", "read_summary"]

_TABLE = "summary"


def _frame(data, name: str) -> pd.DataFrame:
    return require_frame(data, name, "a customer summary with frequency, recency and T, e.g. "
                                     "from segkit.features.summary")


def _column(data: pd.DataFrame, col: Hashable, arg: str) -> np.ndarray:
    """A column as float64; SchemaError when missing, not numeric or not finite."""
    require_column(data, col, f"give its name as {arg}=...", _TABLE)
    s = data[col]
    if pd.api.types.is_bool_dtype(s) or not (
        pd.api.types.is_numeric_dtype(s) or s.dtype == object
    ):
        raise SchemaError(_TABLE, str(col), f"values must be numbers, not {s.dtype}",
                          data[[col]].head(), len(data))
    values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise SchemaError(
            _TABLE, str(col), "values must be finite numbers (no missing, text or infinite "
            "values)", data.loc[bad, [col]], int(bad.sum()),
        )
    return values


def read_summary(data, frequency_col: Hashable = "frequency", recency_col: Hashable = "recency",
                 T_col: Hashable = "T", weights_col: Hashable | None = None,
                 name: str = "fit"):
    """The checked ``frequency, recency, T`` (and weight) columns of a customer summary.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer (or per group of customers, with ``weights_col``).
    frequency_col, recency_col, T_col : str
        Column names.
    weights_col : str, optional
        Column of the number of customers per row (numbers >= 0).
    name : str
        The calling method, for messages.

    Returns
    -------
    x, t_x, T, w : numpy.ndarray
        Float arrays (``w`` is all ones without ``weights_col``).

    Raises
    ------
    segkit.exceptions.SchemaError
        A column is missing or holds values that are not finite numbers; frequency is
        negative or not a whole number; recency or T is negative; recency > T; recency
        is not 0 where frequency is 0. Every broken rule is listed, the first with
        example rows (index as in the input).

    Examples
    --------
    >>> df = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 3.5], "T": [5.0, 6.0]})
    >>> [a.tolist() for a in read_summary(df)]
    [[0.0, 2.0], [0.0, 3.5], [5.0, 6.0], [1.0, 1.0]]
    """
    data = _frame(data, name)
    x = _column(data, frequency_col, "frequency_col")
    tx = _column(data, recency_col, "recency_col")
    T = _column(data, T_col, "T_col")
    shown = list(dict.fromkeys([frequency_col, recency_col, T_col]))
    rules = [
        (x < 0, frequency_col, "frequency (repeat purchases) must be >= 0"),
        (x != np.floor(x), frequency_col,
         "frequency (repeat purchases) must be a whole number"),
        (tx < 0, recency_col, "recency must be >= 0"),
        (T < 0, T_col, "T (time since the first purchase) must be >= 0"),
        (tx > T, recency_col,
         "recency must be <= T (the last purchase cannot come after the end of the "
         "observation; are the two columns swapped or in different time units?)"),
        ((x == 0) & (tx != 0), recency_col,
         "recency must be 0 when frequency is 0 (no repeat purchase: the last purchase "
         "is the first)"),
    ]
    broken = [(bad, col, rule) for bad, col, rule in rules if bad.any()]
    if broken:
        bad, col, rule = broken[0]
        raise SchemaError(
            _TABLE, str(col), rule, data.loc[bad, shown], int(bad.sum()),
            also=[(str(c), r, int(b.sum())) for b, c, r in broken[1:]],
        )
    if weights_col is None:
        w = np.ones(len(data))
    else:
        w = _column(data, weights_col, "weights_col")
        bad = w < 0
        if bad.any():
            raise SchemaError(_TABLE, str(weights_col),
                              "weights (customers per row) must be >= 0",
                              data.loc[bad, [weights_col]], int(bad.sum()))
    return x, tx, T, w


def _compress(columns: list[np.ndarray]):
    """Distinct rows and the inverse map, or the rows themselves when nearly all differ.

    Whether compressing pays is judged on a sample of 20,000 rows (cheap); rows with
    continuous recency and T (simulated, or in hours) are then computed directly.
    """
    n = len(columns[0])
    if n > 50_000:
        pick = np.random.default_rng(0).choice(n, 20_000, replace=False)
        sample = distinct_rows([c[pick] for c in columns])[1]
        if len(sample) > 0.6 * 20_000:
            return columns, None
    distinct, _, inverse = distinct_rows(columns)
    return distinct, inverse


def _check_time(value, name: str, length: int | None = None) -> np.ndarray | float:
    """A time (or one per row) >= 0: a float, or a float array of ``length``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        v = float(value)
        if not (math.isfinite(v) and v >= 0):
            raise ParameterError(f"{name} must be a finite number >= 0 (a time in the unit "
                                 f"of T), got {value!r}")
        return v
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number >= 0 or an array of them, got "
                             f"{type(value).__name__}") from None
    if arr.ndim != 1 or (length is not None and len(arr) != length):
        want = f"of length {length} (one per row of data)" if length is not None else "1-d"
        raise ParameterError(f"{name} must be a number >= 0 or an array {want}; got shape "
                             f"{arr.shape}")
    if not np.all(np.isfinite(arr) & (arr >= 0)):
        raise ParameterError(f"{name} must hold finite numbers >= 0")
    return arr


class BTYDModel(MLEModel):
    """Base of the continuous-time BTYD models (BG/NBD, MBG/NBD, Pareto/NBD).

    A subclass sets ``_param_names`` and ``_bounds``, and implements ``_loglik``
    (per distinct ``(x, t_x, T)``), ``_probability_alive(params, x, t_x, T)``,
    ``_conditional_purchases(params, x, t_x, T, t)`` and ``_new_customer_purchases(params,
    t)`` on arrays.
    """

    _needs = "a customer summary with frequency, recency and T"
    #: P(alive) is a closed form, cheaper per row than compressing the rows
    _closed_form_alive = False

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    # ------------------------------------------------------------------ fitting
    def _prepare(self, data, frequency_col="frequency", recency_col="recency", T_col="T",
                 weights_col=None):
        x, tx, T, w = read_summary(data, frequency_col, recency_col, T_col, weights_col,
                                   f"{type(self).__name__}.fit")
        keep = w > 0
        if not keep.all():
            x, tx, T, w = x[keep], tx[keep], T[keep], w[keep]
        distinct, counts, _ = distinct_rows([x, tx, T], w)
        return tuple(distinct), counts

    def _start(self, arrays, weights) -> np.ndarray:
        x, tx, T = arrays
        # a purchase rate of the right order (r / alpha), whatever the unit of time:
        # _start_from gets alpha = 1 / rate (r = 1) and the mean T
        rate = float(weights @ x) / max(float(weights @ T), 1e-300)
        alpha = 1.0 / rate if rate > 0 else max(float(weights @ T) / weights.sum(), 1.0)
        alpha = min(max(alpha, 1e-6), 1e8)
        return self._start_from(alpha, max(float(weights @ T) / weights.sum(), 1e-6))

    def _start_from(self, alpha: float, mean_T: float) -> np.ndarray:
        raise NotImplementedError

    def _advice(self) -> str:
        x = self._arrays[0]
        repeaters = float(self._weights @ (x > 0))
        if repeaters == 0:
            return ("No customer in the data made a repeat purchase (frequency is 0 on "
                    "every row): first purchases alone cannot tell how often customers buy "
                    "or when they leave. Fit on a longer observation period, and check that "
                    "frequency counts repeat purchases (segkit.features.summary).")
        if repeaters < 20:
            return (f"Only {repeaters:.0f} customers made a repeat purchase: too few to "
                    "estimate the model.")
        return ""

    def fit(self, data, frequency_col: Hashable = "frequency",
            recency_col: Hashable = "recency", T_col: Hashable = "T",
            weights_col: Hashable | None = None):
        """Fit the model to a customer summary by maximum likelihood.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per customer: :func:`segkit.features.summary` output or any frame
            with the three columns. It is not modified.
        frequency_col : str, default "frequency"
            Repeat purchases (whole numbers >= 0).
        recency_col : str, default "recency"
            Time from the first to the last purchase (0 without repeat purchase).
        T_col : str, default "T"
            Time from the first purchase to the end of the observation.
        weights_col : str, optional
            Number of customers per row, for a summary already grouped by
            ``(frequency, recency, T)``.

        Returns
        -------
        self

        Raises
        ------
        segkit.exceptions.SchemaError
            A column is missing or breaks a rule of the summary (see
            :func:`segkit.value._btyd.read_summary`).
        segkit.exceptions.ConvergenceError
            The likelihood has no proper maximum on these data (for example when no
            customer made a repeat purchase); the message says what to try.
        segkit.exceptions.ParameterError
            ``penalizer_coef`` is not a number >= 0, or the data have no row.
        """
        pen = self.penalizer_coef
        if (not isinstance(pen, numbers.Real) or isinstance(pen, bool)
                or not math.isfinite(pen) or pen < 0):
            raise ParameterError(
                f"penalizer_coef must be a finite number >= 0 (e.g. 0.001), got {pen!r}"
            )
        arrays, weights = self._prepare(data, frequency_col, recency_col, T_col, weights_col)
        self._fit_arrays(arrays, weights, penalizer=float(pen))
        self.columns_ = {"frequency": frequency_col, "recency": recency_col, "T": T_col}
        return self

    # ------------------------------------------------------------------ predictions
    def _rows(self, data, name):
        self._check_fitted()
        cols = self.columns_
        x, tx, T, _ = read_summary(data, cols["frequency"], cols["recency"], cols["T"], None,
                                   f"{type(self).__name__}.{name}")
        return x, tx, T

    def expected_purchases(self, data, future_t) -> pd.Series:
        """Expected number of purchases of each customer in the next ``future_t``.

        The conditional expectation ``E[X(T, T + t) | x, t_x, T]``: purchases in the
        ``future_t`` time units after the end of the observation, given the customer's
        history (pymc-marketing's ``expected_purchases``; lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``).

        Parameters
        ----------
        data : pandas.DataFrame
            A customer summary with the columns named at ``fit``.
        future_t : float or array
            The horizon, in the time unit of ``T``; one number, or one per row.

        Returns
        -------
        pandas.Series
            ``expected_purchases``, with the index of ``data``.
        """
        x, tx, T = self._rows(data, "expected_purchases")
        t = _check_time(future_t, "future_t", len(x))
        cols = [x, tx, T] if np.isscalar(t) else [x, tx, T, t]
        distinct, inverse = _compress(cols)
        td = t if np.isscalar(t) else distinct[3]
        with np.errstate(all="ignore"):
            values = self._conditional_purchases(self.params_.to_numpy(), *distinct[:3], td)
        if inverse is not None:
            values = values[inverse]
        return pd.Series(values, index=data.index, name="expected_purchases")

    def expected_probability_alive(self, data) -> pd.Series:
        """Probability that each customer is still alive (active) at the end of the observation.

        ``P(alive | x, t_x, T)`` (pymc-marketing's ``expected_probability_alive``;
        lifetimes' ``conditional_probability_alive``).

        Parameters
        ----------
        data : pandas.DataFrame
            A customer summary with the columns named at ``fit``.

        Returns
        -------
        pandas.Series
            ``probability_alive`` in [0, 1], with the index of ``data``.
        """
        x, tx, T = self._rows(data, "expected_probability_alive")
        # a closed form costs less per row than finding the distinct rows
        distinct, inverse = ((x, tx, T), None) if self._closed_form_alive else _compress(
            [x, tx, T])
        with np.errstate(all="ignore"):
            values = self._probability_alive(self.params_.to_numpy(), *distinct)
        if inverse is not None:
            values = values[inverse]
        return pd.Series(values, index=data.index, name="probability_alive")

    def expected_purchases_new_customer(self, t):
        """Expected number of repeat purchases of a new customer in ``t`` time units.

        ``E[X(t)]`` for a customer just acquired (pymc-marketing's
        ``expected_purchases_new_customer``; lifetimes'
        ``expected_number_of_purchases_up_to_time``).

        Parameters
        ----------
        t : float or array
            Time since the first purchase, in the time unit of ``T``.

        Returns
        -------
        float or numpy.ndarray
            A float for a number, an array for an array.
        """
        self._check_fitted()
        tt = _check_time(t, "t")
        with np.errstate(all="ignore"):
            out = self._new_customer_purchases(self.params_.to_numpy(),
                                               np.atleast_1d(np.asarray(tt, dtype=float)))
        return float(out[0]) if np.isscalar(tt) else out

    # to implement
    def _probability_alive(self, params, x, tx, T):
        raise NotImplementedError

    def _conditional_purchases(self, params, x, tx, T, t):
        raise NotImplementedError

    def _new_customer_purchases(self, params, t):
        raise NotImplementedError
