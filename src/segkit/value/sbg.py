"""The shifted-beta-geometric (sBG) model of contract renewals (Fader & Hardie 2007).

In a contractual setting (subscriptions, memberships, insurance) a customer is seen
to leave: at the end of every period a customer renews with probability ``1 - theta``
and cancels with probability ``theta``, and ``theta ~ Beta(alpha, beta)`` across
customers. The number of periods ``T`` a customer stays (``T = t``: they cancel at
the end of their ``t``-th period) then has (Fader & Hardie 2007, "How to Project
Customer Retention", Journal of Interactive Marketing 21 (1))::

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),   t = 1, 2, ...
    S(t)     = P(T > t) = B(alpha, beta + t) / B(alpha, beta)

and the retention rate of period ``t``, the share of the customers of period ``t - 1``
who renew into period ``t``, rises with ``t``::

    r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

not because anyone's loyalty grows, but because the customers most likely to cancel
leave first (the heterogeneity "sorting" effect). The model is fitted on a cohort's
survivor counts (:meth:`ShiftedBetaGeoModel.fit_counts`) or on individual contract
durations with right censoring (:meth:`ShiftedBetaGeoModel.fit`); both give the same
likelihood, in log space (:func:`scipy.special.betaln`) with its analytic gradient.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma

from ..exceptions import ParameterError, SchemaError
from ._base import MLEModel, distinct_rows, require_column

__all__ = ["ShiftedBetaGeoModel"]

_TABLE = "contracts"


def _periods(t, name: str, minimum: int = 0) -> np.ndarray:
    v = np.asarray(t, dtype=float)
    if v.ndim > 1 or not np.all(np.isfinite(v)) or np.any(v < minimum) \
            or np.any(v != np.round(v)):
        raise ParameterError(f"{name} must be a whole number of periods >= {minimum} "
                             f"(or a 1-d array of them); got {t!r}")
    return v


#: Most renewals summed by :func:`_discounted_sum` before it gives up (a tiny discount rate).
_MAX_TERMS = 20_000_000


def _discounted_sum(alpha: float, b: np.ndarray, d: float) -> np.ndarray:
    """``sum_{k>=1} B(alpha, b + k) / B(alpha, b) / (1 + d)^(k-1)`` for each ``b``, ``d > 0``.

    The series of ``b / (alpha + b) * 2F1(1, b + 1; alpha + b + 1; 1 / (1 + d))``,
    summed term by term: every term from ``betaln`` (no accumulated rounding), in
    growing blocks, until the rest is below 1e-16 of the sum. The rest after term
    ``K`` is at most ``term_K q / (1 - q)`` with ``q = (b + K) / (alpha + b + K) / (1 + d)``
    (the ratio of successive terms only falls). ``scipy.special.hyp2f1`` is not used:
    it returns NaN or loses digits for large ``b`` or small ``d`` (e.g. ``b = 1000``;
    ``alpha = 3, b = 0.1, d = 0.001`` off by 2e-5). It takes about ``37 / d`` terms
    at worst (a monthly rate of 0.8%: 4,600).
    """
    total = np.zeros(len(b))
    active = np.arange(len(b))
    log_v = np.log1p(d)
    k0, block = 1, 1024
    while len(active):
        if k0 > _MAX_TERMS:
            raise ParameterError(
                f"discount_rate {d:g} is too small for the discounted expected lifetime to "
                f"converge within {_MAX_TERMS:,} periods (alpha = {alpha:.3g}); give "
                "discount_rate=0 for the undiscounted value or a larger rate")
        ba = b[active][:, None]
        k = np.arange(k0, k0 + block, dtype=float)[None, :]
        terms = np.exp(betaln(alpha, ba + k) - betaln(alpha, ba) - (k - 1) * log_v)
        total[active] += terms.sum(axis=1)
        last = terms[:, -1]
        kl = k0 + block - 1
        q = (b[active] + kl) / (alpha + b[active] + kl) / (1 + d)
        done = last * q / (1 - q) <= 1e-16 * total[active]
        active = active[~done]
        k0 += block
        block = min(block * 2, 65536)
    return total


class ShiftedBetaGeoModel(MLEModel):
    """sBG: shifted-beta-geometric model of contract renewals (Fader & Hardie 2007).

    A customer cancels at the end of each period with probability ``theta``,
    ``theta ~ Beta(alpha, beta)`` across customers. Periods are numbered from 0, the
    period of acquisition: ``alive[t]`` is the number of a cohort's customers still
    active at the start of period ``t``, ``alive[0]`` the cohort's size.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Coefficient of an L2 penalty on the parameters (per customer); 0 gives the
        exact maximum-likelihood estimate.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``: the mean cancellation probability of a new customer is
        ``alpha / (alpha + beta)``.
    standard_errors_ : pandas.Series
        From the observed information.
    log_likelihood_ : float
        At the maximum.
    n_obs_ : float
        Number of customers.
    n_periods_ : int
        The longest observed duration (periods observed for a cohort).

    Examples
    --------
    The "regular" cohort of Fader & Hardie (2007), seven years after acquisition:

    >>> regular = [1000, 631, 468, 382, 326, 289, 262, 241]
    >>> model = ShiftedBetaGeoModel().fit_counts(regular)
    >>> model.params_.round(3).to_dict()
    {'alpha': 0.704, 'beta': 1.182}
    >>> model.retention_rate([1, 2, 8]).round(3).tolist()
    [0.627, 0.756, 0.921]
    >>> (1000 * model.survival([8, 12])).round(0).tolist()
    [220.0, 170.0]
    >>> round(model.expected_remaining_lifetime(7, discount_rate=0.1), 2)
    6.84
    """

    _param_names = ("alpha", "beta")
    _bounds = ("positive", "positive")
    _needs = "contract durations in whole periods (or a cohort's survivor counts)"

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    # ------------------------------------------------------------------ fitting
    def _loglik(self, params, arrays, grad=False):
        alpha, beta = (float(v) for v in params)
        t, event = arrays
        churned = event > 0
        # churned at t: B(alpha + 1, beta + t - 1); still active after t: B(alpha, beta + t)
        a = np.where(churned, alpha + 1, alpha)
        b = np.where(churned, beta + t - 1, beta + t)
        ll = betaln(a, b) - betaln(alpha, beta)
        if not grad:
            return ll, None
        psi_ab = digamma(a + b)
        psi0 = digamma(alpha + beta)
        da = digamma(a) - psi_ab - (digamma(alpha) - psi0)
        db = digamma(b) - psi_ab - (digamma(beta) - psi0)
        return ll, np.vstack([da, db]).T  # column-major: weights @ g is a BLAS call

    def _prepare(self, data, duration_col="duration", event_col="event", weights_col=None):
        if not isinstance(data, pd.DataFrame):
            raise ParameterError(
                f"{type(self).__name__}.fit needs a pandas DataFrame with one row per "
                f"contract; got {type(data).__name__} (a cohort's survivor counts go to "
                "fit_counts)")
        cols = [duration_col] + ([event_col] if event_col is not None else []) \
            + ([weights_col] if weights_col is not None else [])
        for col in cols:
            require_column(data, col, "give its name in the *_col argument", _TABLE)
        t = pd.to_numeric(data[duration_col], errors="coerce").to_numpy(dtype=float)
        if event_col is None:
            e = np.ones(len(data))
        else:
            raw = data[event_col]
            e = pd.to_numeric(raw.astype("float64") if raw.dtype == bool else raw,
                              errors="coerce").to_numpy(dtype=float)
            bad = ~np.isin(e, [0.0, 1.0])
            if bad.any():
                raise SchemaError(_TABLE, str(event_col),
                                  "event must be 1 (the customer cancelled) or 0 (still "
                                  "active at the end of the observation)",
                                  data.loc[bad, [event_col]], int(bad.sum()))
        bad = ~np.isfinite(t) | (t != np.round(t)) | (t < np.where(e > 0, 1, 0))
        if bad.any():
            raise SchemaError(
                _TABLE, str(duration_col),
                "duration must be a whole number of periods: >= 1 for a customer who "
                "cancelled (1 = cancelled at the end of the first period), >= 0 for one "
                "still active (the periods they renewed)",
                data.loc[bad, [c for c in (duration_col, event_col) if c is not None]],
                int(bad.sum()))
        if weights_col is None:
            w = np.ones(len(data))
        else:
            w = pd.to_numeric(data[weights_col], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(w) | (w < 0)
            if bad.any():
                raise SchemaError(_TABLE, str(weights_col),
                                  "weights (customers per row) must be numbers >= 0",
                                  data.loc[bad, [weights_col]], int(bad.sum()))
        (td, ed), counts, _ = distinct_rows([t, e], w)
        keep = counts > 0
        return (td[keep], ed[keep]), counts[keep]

    def _check_penalizer(self):
        pen = self.penalizer_coef
        if (not isinstance(pen, numbers.Real) or isinstance(pen, bool)
                or not math.isfinite(pen) or pen < 0):
            raise ParameterError(
                f"penalizer_coef must be a finite number >= 0 (e.g. 0.001), got {pen!r}")

    def _finish(self, arrays, weights):
        self._check_penalizer()
        if not np.any((arrays[1] > 0) & (weights > 0)):
            raise SchemaError(_TABLE, None,
                              "no customer cancelled: the sBG model cannot estimate "
                              "how fast customers leave from survivors only")
        self._fit_arrays(arrays, weights, penalizer=float(self.penalizer_coef))
        self.n_periods_ = int(arrays[0].max())
        return self

    def fit(
        self,
        data: pd.DataFrame,
        duration_col: Hashable = "duration",
        event_col: Hashable | None = "event",
        weights_col: Hashable | None = None,
    ) -> ShiftedBetaGeoModel:
        """Fit on individual contract durations, with right censoring.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per customer (or per group of identical customers with
            ``weights_col``). It is not modified.
        duration_col : str, default "duration"
            Whole periods: for a customer who cancelled, the number of periods they
            paid for (1 = cancelled at the end of the acquisition period); for a
            customer still active, the number of renewals observed (a customer active
            at the start of period ``t`` has duration ``t``).
        event_col : str or None, default "event"
            1 (or True) when the customer cancelled, 0 when still active (censored).
            None: every customer cancelled.
        weights_col : str, optional
            Number of customers per row (default: one each).

        Returns
        -------
        ShiftedBetaGeoModel
            ``self``, fitted. A cohort expanded to individuals (``alive[t-1] -
            alive[t]`` rows of duration ``t`` with event 1, ``alive[n]`` rows of
            duration ``n`` with event 0) gives the fit of :meth:`fit_counts`.

        Raises
        ------
        segkit.exceptions.SchemaError
            A column is missing, a duration is not a whole number (>= 1 with event 1,
            >= 0 with event 0), an event is not 0/1, or no customer cancelled.
        """
        self._check_penalizer()
        arrays, weights = self._prepare(data, duration_col, event_col, weights_col)
        return self._finish(arrays, weights)

    def fit_counts(self, alive) -> ShiftedBetaGeoModel:
        """Fit on a cohort's survivor counts.

        Parameters
        ----------
        alive : array-like of whole numbers
            ``alive[t]``: customers of the cohort still active at the start of period
            ``t`` (``alive[0]``: the cohort's size, > 0), not increasing; at least two
            values. ``alive[t-1] - alive[t]`` customers cancelled at the end of period
            ``t - 1`` (duration ``t``); ``alive[-1]`` are still active (censored).

        Returns
        -------
        ShiftedBetaGeoModel
            ``self``, fitted.

        Raises
        ------
        segkit.exceptions.ParameterError
            ``alive`` is not a non-increasing sequence of at least two whole numbers
            >= 0 that starts above 0.
        """
        self._check_penalizer()
        a = np.asarray(alive, dtype=float)
        if (a.ndim != 1 or len(a) < 2 or not np.all(np.isfinite(a)) or np.any(a < 0)
                or np.any(a != np.round(a)) or a[0] <= 0):
            raise ParameterError(
                "alive must be whole numbers >= 0 of customers still active at the start of "
                "periods 0, 1, 2, ... (at least two, alive[0] > 0 the cohort's size); got "
                f"{alive!r}")
        up = np.flatnonzero(np.diff(a) > 0)
        if len(up):
            raise ParameterError(
                f"alive must not increase: alive[{up[0] + 1}] = {a[up[0] + 1]:g} > "
                f"alive[{up[0]}] = {a[up[0]]:g} (a cohort only loses customers; new "
                "customers belong to a new cohort)")
        n = len(a) - 1
        t = np.concatenate([np.arange(1, n + 1, dtype=float), [float(n)]])
        e = np.concatenate([np.ones(n), [0.0]])
        w = np.concatenate([a[:-1] - a[1:], [a[-1]]])
        keep = w > 0
        return self._finish((t[keep], e[keep]), w[keep])

    # ------------------------------------------------------------------ predictions
    def retention_rate(self, t):
        """Expected retention rate of period ``t``: ``(beta + t - 1) / (alpha + beta + t - 1)``.

        The share of the customers active in period ``t - 1`` who renew into period
        ``t`` (Fader & Hardie 2007), ``t >= 1``; ``alive[t] / alive[t - 1]`` in
        expectation. pymc-marketing's ``expected_retention_rate``.

        Parameters
        ----------
        t : int or array-like of int
            Periods (>= 1).

        Returns
        -------
        float or numpy.ndarray
            As ``t``.
        """
        self._check_fitted()
        tv = _periods(t, "t", 1)
        alpha, beta = self.params_.to_numpy()
        out = (beta + tv - 1) / (alpha + beta + tv - 1)
        return float(out) if out.ndim == 0 else out

    def survival(self, t):
        """Expected share of the cohort still active at the start of period ``t``.

        ``S(t) = B(alpha, beta + t) / B(alpha, beta)``, the product of the retention
        rates of periods 1 to ``t`` (``S(0) = 1``); ``alive[t] / alive[0]`` in
        expectation. Also the probability that a new customer is still active in
        period ``t`` (pymc-marketing's ``expected_probability_alive``).

        Parameters
        ----------
        t : int or array-like of int
            Periods (>= 0).

        Returns
        -------
        float or numpy.ndarray
            As ``t``.
        """
        self._check_fitted()
        tv = _periods(t, "t", 0)
        alpha, beta = self.params_.to_numpy()
        out = np.exp(betaln(alpha, beta + tv) - betaln(alpha, beta))
        return float(out) if out.ndim == 0 else out

    def expected_remaining_lifetime(self, t=0, discount_rate: float = 0.0):
        """Expected (discounted) number of further periods of a customer active in period ``t``.

        The discounted expected residual lifetime (DERL) of Fader & Hardie (2010,
        "Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring
        Heterogeneity", Marketing Science 29 (1), eq. 6), for a customer who is
        active in period ``t`` (has renewed ``t`` times; ``t = 0``: in the period of
        acquisition), taken at the end of that period, just before the renewal
        decision::

            DERL(d | t) = sum_{k>=1} P(active in period t + k | active in t) / (1 + d)^(k-1)
                        = (beta + t) / (alpha + beta + t)
                          * 2F1(1, beta + t + 1; alpha + beta + t + 1; 1 / (1 + d))

        (summed term by term to full precision: :func:`scipy.special.hyp2f1` loses
        digits or returns NaN for long tenures and small rates). The next renewal
        counts in full, later ones discounted by ``d`` per period;
        times the margin of a period it is the customer's residual lifetime value.
        With ``d = 0`` it is the undiscounted expected number of further periods,
        ``(beta + t) / (alpha - 1)`` when ``alpha > 1`` and infinite when ``alpha <= 1``
        (a heavy tail of customers who almost never leave): give a discount rate for a
        finite value. It rises with ``t``: the longer a customer has stayed, the
        longer they are expected to stay. pymc-marketing's
        ``expected_residual_lifetime`` with ``T = t + 1``.

        Parameters
        ----------
        t : int or array-like of int, default 0
            The customer's current period (renewals made), >= 0.
        discount_rate : float, default 0.0
            Discount rate per period, >= 0 (e.g. 0.1 per year).

        Returns
        -------
        float or numpy.ndarray
            As ``t``; ``inf`` when undiscounted and ``alpha <= 1``.
        """
        self._check_fitted()
        tv = _periods(t, "t", 0)
        if not (isinstance(discount_rate, numbers.Real) and np.isfinite(discount_rate)
                and discount_rate >= 0):
            raise ParameterError(
                f"discount_rate must be a number >= 0 (per period); got {discount_rate!r}")
        alpha, beta = self.params_.to_numpy()
        if discount_rate == 0:
            out = (beta + tv) / (alpha - 1) if alpha > 1 else np.full(tv.shape, np.inf)
        else:
            ut, inv = np.unique(tv.reshape(-1), return_inverse=True)
            out = _discounted_sum(alpha, beta + ut, float(discount_rate))[inv].reshape(tv.shape)
        out = np.asarray(out, dtype=float)
        return float(out) if out.ndim == 0 else out
