"""The BG/BB model: repeat purchases in discrete time (Fader, Hardie & Shang 2010).

Some businesses give a customer a fixed number of chances to buy: a yearly donation
drive, an annual event, a weekly market. After the first purchase, at each of ``n``
transaction opportunities a customer who is still *alive* buys with probability
``p``; at the start of every opportunity an alive customer dies (leaves for good,
unobserved) with probability ``theta``. Across customers ``p ~ Beta(alpha, beta)``
and ``theta ~ Beta(gamma, delta)``. A history is summarised by ``x`` (frequency: the
opportunities with a purchase), ``t_x`` (recency: the last of them, 0 without one)
and ``n`` (the number of opportunities), and its likelihood is (eq. 5 of the paper)::

    L = B(alpha + x, beta + n - x) / B(alpha, beta) * B(gamma, delta + n) / B(gamma, delta)
        + sum_{i=0}^{n - t_x - 1} B(alpha + x, beta + t_x - x + i) / B(alpha, beta)
                                 * B(gamma + 1, delta + t_x + i) / B(gamma, delta)

The first term: alive through the n opportunities; the sum: died at opportunity
``t_x + i + 1``. Here every term is a sum of ``betaln`` and the sum is a
``logsumexp``, so the log-likelihood stays finite where the terms themselves
underflow (histories of thousands of opportunities, extreme parameters). The sum
over ``i`` depends on ``x`` and on ``s = t_x + i`` only: for each number of
opportunities ``n`` it is one reverse cumulative ``logaddexp`` over a grid of the
distinct ``x`` by ``s < n`` (cost ``n`` times the distinct frequencies, not times
the customers), with the gradient from the same accumulation (every term decreases
in every parameter, so the weighted sums of its partial derivatives accumulate in
log space too).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, polygamma

from ..exceptions import ParameterError, SchemaError
from ._base import MLEModel, distinct_rows, require_column, require_frame

__all__ = ["BetaGeoBetaBinomModel"]

_TABLE = "summary"


# --------------------------------------------------------------------------- data


def _whole_number_columns(data, cols: dict[str, Hashable], name: str) -> dict[str, np.ndarray]:
    """Columns as float arrays of whole numbers >= 0; SchemaError naming the rows."""
    require_frame(data, name, "a BG/BB summary such as segkit.datasets.load_donations()")
    out = {}
    for key, col in cols.items():
        require_column(data, col, f"give its name in {key}_col", _TABLE)
        v = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v) | (v < 0) | (v != np.round(v))
        if bad.any():
            raise SchemaError(_TABLE, str(col),
                              "values must be whole numbers >= 0 (no missing values)",
                              data.loc[bad, [col]], int(bad.sum()))
        out[key] = v
    return out


def _histories(data, frequency_col, recency_col, n_periods_col, name):
    """Frequency, recency and number of opportunities, checked for consistency."""
    cols = {"frequency": frequency_col, "recency": recency_col, "n_periods": n_periods_col}
    v = _whole_number_columns(data, cols, name)
    x, tx, n = v["frequency"], v["recency"], v["n_periods"]
    shown = [frequency_col, recency_col, n_periods_col]
    rules = [
        (tx > n, recency_col,
         "recency must be <= n_periods (the last purchase is one of the opportunities)"),
        (x > tx, frequency_col,
         "frequency must be <= recency (x purchases among the first t_x opportunities)"),
        ((x == 0) & (tx != 0), recency_col,
         "recency must be 0 when frequency is 0 (no repeat purchase)"),
    ]
    broken = [(bad, col, rule) for bad, col, rule in rules if bad.any()]
    if broken:
        bad, col, rule = broken[0]
        raise SchemaError(_TABLE, str(col), rule, data.loc[bad, shown], int(bad.sum()),
                          also=[(str(c), r, int(b.sum())) for b, c, r in broken[1:]])
    return x, tx, n


def _weights(data, weights_col, name):
    if weights_col is None:
        return np.ones(len(data))
    if weights_col not in data.columns:
        raise SchemaError(_TABLE, str(weights_col),
                          f"column '{weights_col}' is missing; give weights_col=None when "
                          "every row is one customer")
    w = pd.to_numeric(data[weights_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise SchemaError(_TABLE, str(weights_col),
                          "weights (customers per row) must be numbers >= 0",
                          data.loc[bad, [weights_col]], int(bad.sum()))
    return w


def _check_penalizer(pen) -> None:
    if (not isinstance(pen, numbers.Real) or isinstance(pen, bool) or not math.isfinite(pen)
            or pen < 0):
        raise ParameterError(
            f"penalizer_coef must be a finite number >= 0 (e.g. 0.001), got {pen!r}")


# --------------------------------------------------------------------------- numerics


def _death_sum(params, x, tx, n, grad):
    """log sum_{s=t_x}^{n-1} exp(b(x, s)) and its gradient (params x rows), b the terms of a death.

    ``b(x, s) = betaln(alpha + x, beta + s - x) + betaln(gamma + 1, delta + s)``;
    ``-inf`` (and a zero gradient) where the sum is empty (``t_x = n``).
    """
    alpha, beta, gamma, delta = params
    out = np.full(len(x), -np.inf)
    g = np.zeros((4, len(x))) if grad else None
    for nv in np.unique(n):
        rows = np.flatnonzero((n == nv) & (tx < nv))
        if len(rows) == 0:
            continue
        ux, ix = np.unique(x[rows], return_inverse=True)
        s = np.arange(int(nv), dtype=float)
        X, S = ux[:, None], s[None, :]
        valid = S >= X
        with np.errstate(invalid="ignore", divide="ignore"):
            bx = np.where(valid, beta + S - X, 1.0)
            b = np.where(valid, betaln(alpha + X, bx) + betaln(gamma + 1, delta + S), -np.inf)
            R = np.logaddexp.accumulate(b[:, ::-1], axis=1)[:, ::-1]
            col = tx[rows].astype(int)
            out[rows] = R[ix, col]
            if grad:
                psi_abs = digamma(alpha + beta + S)
                psi_gd1 = digamma(gamma + delta + 1 + S)
                # minus the partial derivatives of b: all positive (betaln decreases
                # in both arguments), so their b-weighted sums accumulate in log space
                parts = [psi_abs - digamma(alpha + X), psi_abs - digamma(bx),
                         psi_gd1 - digamma(gamma + 1), psi_gd1 - digamma(delta + S)]
                for k, part in enumerate(parts):
                    lg = np.where(valid, b + np.log(np.broadcast_to(part, b.shape)), -np.inf)
                    RG = np.logaddexp.accumulate(lg[:, ::-1], axis=1)[:, ::-1]
                    g[k, rows] = -np.exp(RG[ix, col] - out[rows])
    return out, g


def _sum_survival(gamma, delta, m0, m1):
    """sum_{k=m0+1}^{m1} B(gamma, delta + k) / B(gamma, delta), for m1 >= m0 >= 0.

    The expected number of opportunities at which a customer alive at ``m0`` is still
    alive, up to ``m1`` (before weighting by the purchase probability). Closed form
    (Fader, Hardie & Shang 2010, eq. 8 and 13)::

        delta / (gamma - 1) * Gamma(gamma + delta) / Gamma(1 + delta)
            * [h(m0) - h(m1)],   h(m) = Gamma(1 + delta + m) / Gamma(gamma + delta + m)

    which is 0/0 at ``gamma = 1``: near it (``|gamma - 1| < 0.01``) the difference
    ``log h(m1) - log h(m0)`` divided by ``gamma - 1`` is computed from its series in
    ``eps = 1 - gamma`` (polygamma differences, exact to about 1e-13).
    """
    m0 = np.asarray(m0, dtype=float)
    m1 = np.asarray(m1, dtype=float)
    eps = 1.0 - gamma
    c0, c1 = 1 + delta + m0, 1 + delta + m1
    if abs(eps) >= 0.01:
        # D = log h(m1) - log h(m0), from betaln (no large gammaln cancelling)
        k = np.where(m1 > m0, m1 - m0, 1.0)
        D = betaln(c0 - eps, k) - betaln(c0, k)
        D = np.where(m1 > m0, D, 0.0)
        ratio = -np.expm1(D) / (gamma - 1)
    else:
        # D / eps = sum_j -(-1)^j eps^(j-1) / j! [psi^(j-1)(c1) - psi^(j-1)(c0)]
        d_over_eps = digamma(c1) - digamma(c0)
        fact = 1.0
        for j in range(2, 8):
            fact *= j
            d_over_eps = d_over_eps - (-1) ** j * eps ** (j - 1) / fact * (
                polygamma(j - 1, c1) - polygamma(j - 1, c0))
        # -expm1(D) / (gamma - 1) = expm1(D) / eps = (expm1(D) / D) * (D / eps)
        D = eps * d_over_eps
        safe = np.where(D != 0, D, 1.0)
        ratio = np.where(D != 0, np.expm1(D) / safe, 1.0) * d_over_eps
    log_lead = np.log(delta) + gammaln(gamma + delta) - gammaln(1 + delta) \
        + gammaln(c0) - gammaln(c0 - eps)
    return np.exp(log_lead) * ratio


# --------------------------------------------------------------------------- the model


class BetaGeoBetaBinomModel(MLEModel):
    """BG/BB: beta-geometric/beta-binomial model of repeat purchases in discrete time.

    Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time
    Noncontractual Setting", Marketing Science 29 (6). Purchase probability per
    opportunity ``p ~ Beta(alpha, beta)``, dropout probability per opportunity
    ``theta ~ Beta(gamma, delta)``.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Coefficient of an L2 penalty on the parameters (per customer, as in
        lifetimes); 0 gives the exact maximum-likelihood estimate.

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``, ``gamma``, ``delta``.
    standard_errors_ : pandas.Series
        From the observed information.
    log_likelihood_ : float
        At the maximum, summed over the customers (weights included).
    n_obs_ : float
        Number of customers (the sum of the weights).
    n_distinct_ : int
        Number of distinct (frequency, recency, n_periods) histories: the cost of a fit.

    Examples
    --------
    >>> from segkit.datasets import load_donations
    >>> model = BetaGeoBetaBinomModel().fit(load_donations(), weights_col="weights")
    >>> model.params_.round(3).to_dict()
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    >>> round(model.log_likelihood_, 1)
    -33225.6
    >>> round(model.expected_purchases_new_customer(6), 3)   # donations in 6 years
    2.22
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _bounds = ("positive", "positive", "positive", "positive")
    _needs = "a BG/BB summary with frequency, recency and n_periods (whole numbers)"

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    # ------------------------------------------------------------------ fitting
    def _prepare(self, data, frequency_col="frequency", recency_col="recency",
                 n_periods_col="n_periods", weights_col=None):
        name = f"{type(self).__name__}.fit"
        x, tx, n = _histories(data, frequency_col, recency_col, n_periods_col, name)
        w = _weights(data, weights_col, name)
        arrays, counts, _ = distinct_rows([x, tx, n], w)
        keep = counts > 0
        return tuple(a[keep] for a in arrays), counts[keep]

    def _loglik(self, params, arrays, grad=False):
        alpha, beta, gamma, delta = (float(v) for v in params)
        x, tx, n = arrays
        with np.errstate(invalid="ignore", divide="ignore"):
            A = betaln(alpha + x, beta + n - x) + betaln(gamma, delta + n)
            B, gB = _death_sum((alpha, beta, gamma, delta), x, tx, n, grad)
            top = np.logaddexp(A, B)
        const = betaln(alpha, beta) + betaln(gamma, delta)
        ll = top - const
        if not grad:
            return ll, None
        psi_abn = digamma(alpha + beta + n)
        psi_gdn = digamma(gamma + delta + n)
        gA = np.vstack([digamma(alpha + x) - psi_abn, digamma(beta + n - x) - psi_abn,
                        digamma(gamma) - psi_gdn, digamma(delta + n) - psi_gdn])
        wA = np.exp(A - top)
        psi_ab, psi_gd = digamma(alpha + beta), digamma(gamma + delta)
        gconst = np.array([digamma(alpha) - psi_ab, digamma(beta) - psi_ab,
                           digamma(gamma) - psi_gd, digamma(delta) - psi_gd])
        g = wA * gA + (1 - wA) * gB - gconst[:, None]
        return ll, g.T  # rows x params, column-major: weights @ g is a BLAS call

    def fit(
        self,
        data: pd.DataFrame,
        frequency_col: Hashable = "frequency",
        recency_col: Hashable = "recency",
        n_periods_col: Hashable = "n_periods",
        weights_col: Hashable | None = None,
    ) -> BetaGeoBetaBinomModel:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per customer, or per distinct history with ``weights_col``
            (as :func:`segkit.datasets.load_donations`). It is not modified.
        frequency_col : str, default "frequency"
            Opportunities with a purchase, after the first purchase (whole number).
        recency_col : str, default "recency"
            The opportunity of the last purchase (``1..n_periods``; 0 without repeat
            purchase).
        n_periods_col : str, default "n_periods"
            Number of opportunities observed after the first purchase.
        weights_col : str, optional
            Number of customers per row (default: one each).

        Returns
        -------
        BetaGeoBetaBinomModel
            ``self``, fitted.

        Raises
        ------
        segkit.exceptions.SchemaError
            A column is missing, holds values that are not whole numbers >= 0, or a
            row breaks ``frequency <= recency <= n_periods`` (recency 0 when frequency
            is 0); the message names the rows.
        segkit.exceptions.ConvergenceError
            The maximisation did not converge (the message says what to try).
        """
        _check_penalizer(self.penalizer_coef)
        arrays, weights = self._prepare(data, frequency_col, recency_col, n_periods_col,
                                        weights_col)
        self._fit_arrays(arrays, weights, penalizer=float(self.penalizer_coef))
        self.columns_ = {"frequency": frequency_col, "recency": recency_col,
                         "n_periods": n_periods_col}
        return self

    # ------------------------------------------------------------------ predictions
    def _distinct(self, data, future_t, name):
        """Distinct (x, t_x, n, future_t) of the rows, their log-likelihood and the inverse map.

        Predictions are computed once per distinct history (and horizon) and mapped
        back: a million customers cost what their distinct histories cost.
        """
        self._check_fitted()
        cols = self.columns_
        x, tx, n = _histories(data, cols["frequency"], cols["recency"], cols["n_periods"],
                              f"{type(self).__name__}.{name}")
        t = np.asarray(future_t, dtype=float)
        if t.ndim > 1 or (t.ndim == 1 and len(t) != len(x)):
            raise ParameterError(
                f"future_t must be a number or one value per row of data ({len(x)})")
        if not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(t != np.round(t)):
            raise ParameterError("future_t must be a whole number of opportunities >= 0; "
                                 f"got {future_t!r}")
        (xd, txd, nd, td), _, inv = distinct_rows([x, tx, n, np.broadcast_to(t, x.shape)])
        ll = self._loglik(self.params_.to_numpy(), (xd, txd, nd))[0]
        return xd, txd, nd, td, ll, inv

    def expected_purchases(
        self,
        data: pd.DataFrame,
        future_t=1,
    ) -> pd.Series:
        """Expected purchases in the next ``future_t`` opportunities, given each history.

        Fader, Hardie & Shang (2010), eq. 13 (lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``)::

            E(X(n, n + n*) | x, t_x, n) = B(alpha + x + 1, beta + n - x) / B(alpha, beta)
                                          * sum_{k=n+1}^{n+n*} B(gamma, delta + k) / B(gamma, delta) / L

        evaluated in closed form, stable at ``gamma = 1``.

        Parameters
        ----------
        data : pandas.DataFrame
            Histories (any customers) with the columns named at :meth:`fit`. It is not
            modified.
        future_t : int or array-like, default 1
            Number of future opportunities ``n*`` (one for all, or one per row).

        Returns
        -------
        pandas.Series
            ``expected_purchases``, with the index of ``data``.
        """
        x, tx, n, t, ll, inv = self._distinct(data, future_t, "expected_purchases")
        alpha, beta, gamma, delta = self.params_.to_numpy()
        lead = np.exp(betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - ll)
        out = lead * _sum_survival(gamma, delta, n, n + t)
        return pd.Series(out[inv], index=data.index, name="expected_purchases")

    def expected_probability_alive(
        self,
        data: pd.DataFrame,
        future_t=0,
    ) -> pd.Series:
        """Probability that each customer is still alive, given their history.

        ``P(alive at opportunity n + future_t | x, t_x, n)`` (Fader, Hardie & Shang
        2010, eq. 11 with ``future_t = 1``; lifetimes'
        ``conditional_probability_alive(future_t, ...)``, pymc-marketing's
        ``expected_probability_alive``)::

            B(alpha + x, beta + n - x) / B(alpha, beta)
                * B(gamma, delta + n + future_t) / B(gamma, delta) / L

        With the default ``future_t = 0``: alive at the last observed opportunity.
        A customer whose last purchase is at ``n`` (``recency == n_periods``) is
        certainly alive at ``n``: 1.

        Parameters
        ----------
        data : pandas.DataFrame
            Histories (any customers) with the columns named at :meth:`fit`. It is not
            modified.
        future_t : int or array-like, default 0
            Opportunities after the last observed one.

        Returns
        -------
        pandas.Series
            ``probability_alive`` in [0, 1], with the index of ``data``.
        """
        x, tx, n, t, ll, inv = self._distinct(data, future_t, "expected_probability_alive")
        alpha, beta, gamma, delta = self.params_.to_numpy()
        logp = (betaln(alpha + x, beta + n - x) - betaln(alpha, beta)
                + betaln(gamma, delta + n + t) - betaln(gamma, delta) - ll)
        return pd.Series(np.minimum(np.exp(logp), 1.0)[inv], index=data.index,
                         name="probability_alive")

    def expected_purchases_new_customer(self, t):
        """Expected purchases of a new customer in their first ``t`` opportunities.

        Fader, Hardie & Shang (2010), eq. 8::

            E(X(t)) = alpha / (alpha + beta) * sum_{k=1}^{t} B(gamma, delta + k) / B(gamma, delta)

        Parameters
        ----------
        t : int or array-like of int
            Number of opportunities after the first purchase (>= 0).

        Returns
        -------
        float or numpy.ndarray
            As ``t``.
        """
        self._check_fitted()
        tv = np.asarray(t, dtype=float)
        if not np.all(np.isfinite(tv)) or np.any(tv < 0) or np.any(tv != np.round(tv)):
            raise ParameterError(f"t must be a whole number of opportunities >= 0; got {t!r}")
        alpha, beta, gamma, delta = self.params_.to_numpy()
        out = alpha / (alpha + beta) * _sum_survival(gamma, delta, np.zeros_like(tv), tv)
        return float(out) if out.ndim == 0 else out
