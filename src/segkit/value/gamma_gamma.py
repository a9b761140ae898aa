"""The Gamma-Gamma model of spend per transaction (Fader & Hardie).

A customer's transaction values ``z`` vary around their own mean: ``z ~ Gamma(p, nu)``
(shape ``p``, rate ``nu``, so the customer's mean spend is ``p / nu``), and ``nu``
varies across customers as ``Gamma(q, gamma)`` (shape ``q``, rate ``gamma``). Only
the mean ``mbar`` of a customer's ``x`` repeat transactions is needed: with
``x mbar ~ Gamma(p x, nu)``, the likelihood of one customer is (Fader & Hardie, "The
Gamma-Gamma Model of Monetary Value", 2013)::

    L(p, q, gamma | x, mbar) = Gamma(p x + q) / (Gamma(p x) Gamma(q))
                               * gamma^q mbar^(p x - 1) x^(p x) / (gamma + x mbar)^(p x + q)

evaluated here in log space with :func:`scipy.special.gammaln`, with its analytic
gradient. The model assumes that spend and purchase frequency are independent
(:func:`check_independence` tells whether the data contradict it); it is fitted on
the repeat buyers only, and predicts a customer's expected spend per transaction
(:meth:`GammaGammaModel.expected_customer_spend`), which the lifetime value of
:mod:`segkit.value` multiplies with a purchase model's expected transactions.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from ..exceptions import ParameterError, SchemaError
from ._base import MLEModel, distinct_rows, require_column, require_frame

__all__ = ["GammaGammaModel", "check_independence", "IndependenceCheck", "INDEPENDENCE_THRESHOLD"]

#: |Pearson correlation| between frequency and spend, among repeat buyers, from which
#: the independence assumption of the Gamma-Gamma model is in doubt. 0.3 is the usual
#: bound of a "moderate" correlation (Cohen 1988); Fader & Hardie find 0.11 on CDNOW
#: and call the assumption reasonable.
INDEPENDENCE_THRESHOLD: float = 0.3

_TABLE = "summary"


def _frame(data, name: str) -> pd.DataFrame:
    return require_frame(data, name)


def _number_column(data: pd.DataFrame, col: Hashable) -> np.ndarray:
    """A column as floats; SchemaError naming the column and rows when missing or not finite."""
    require_column(data, col, "give its name in the *_col argument", _TABLE)
    try:
        values = pd.to_numeric(data[col], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        bad = pd.to_numeric(data[col], errors="coerce").isna() & data[col].notna()
        raise SchemaError(_TABLE, str(col), "values must be numbers", data.loc[bad, [col]],
                          int(bad.sum())) from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise SchemaError(_TABLE, str(col), "values must be finite numbers (no missing values)",
                          data.loc[bad, [col]], int(bad.sum()))
    return values


def _spend_columns(data, frequency_col, monetary_value_col, name, allow_zero=False):
    """Frequency and monetary value; refuses negative frequencies and repeat buyers' spend <= 0.

    With ``allow_zero`` (predictions) a repeat buyer's spend of 0 is accepted.
    """
    data = _frame(data, name)
    x = _number_column(data, frequency_col)
    m = np.zeros(len(data))
    repeat = x > 0
    bad = x < 0
    if bad.any():
        raise SchemaError(_TABLE, str(frequency_col), "frequency must be >= 0",
                          data.loc[bad, [frequency_col]], int(bad.sum()))
    if monetary_value_col not in data.columns:
        _number_column(data, monetary_value_col)  # raises: missing column
    m_raw = pd.to_numeric(data[monetary_value_col], errors="coerce").to_numpy(dtype=float)
    bad = repeat & ~((m_raw >= 0) if allow_zero else (m_raw > 0))  # also NaN
    if bad.any():
        need = ">= 0" if allow_zero else "> 0"
        raise SchemaError(
            _TABLE, str(monetary_value_col),
            f"the Gamma-Gamma model needs a spend {need} for every repeat buyer (frequency "
            "> 0): a spend per transaction is positive. segkit.features.summary nets returns "
            "into the purchases, so a customer whose repeat purchases were all refunded "
            "has monetary_value 0: leave these customers out of the spend model (e.g. "
            f"data[data['{monetary_value_col}'] > 0]) or summarise with returns='exclude'",
            data.loc[bad, [frequency_col, monetary_value_col]], int(bad.sum()),
        )
    m[repeat] = m_raw[repeat]
    return x, m, repeat


@dataclass(frozen=True)
class IndependenceCheck:
    """Result of :func:`check_independence`.

    Attributes
    ----------
    correlation : float
        Pearson correlation between frequency and monetary value among the repeat
        buyers (NaN when it cannot be computed: fewer than 3 repeat buyers or a
        constant column).
    n_customers : int
        Number of repeat buyers it is computed on.
    threshold : float
        The bound on ``|correlation|`` from which the correlation is material.
    material : bool
        ``|correlation| >= threshold``: the independence assumption is in doubt.
    message : str
        One sentence that says so, in words.
    """

    correlation: float
    n_customers: int
    threshold: float
    material: bool
    message: str


def check_independence(
    data: pd.DataFrame,
    frequency_col: Hashable = "frequency",
    monetary_value_col: Hashable = "monetary_value",
    threshold: float = INDEPENDENCE_THRESHOLD,
) -> IndependenceCheck:
    """Check the Gamma-Gamma assumption that spend does not depend on purchase frequency.

    The model takes a customer's spend per transaction as independent of how often
    they buy. The usual check (Fader & Hardie) is the Pearson correlation between
    ``frequency`` and ``monetary_value`` among the repeat buyers (frequency > 0): near
    0 the assumption is reasonable (CDNOW: 0.11); from ``|r| >= threshold`` (default
    0.3, a "moderate" correlation) the expected spend of frequent and infrequent
    buyers is biased and the result says so. Customers without repeat purchase carry
    no spend information and are left out.

    Parameters
    ----------
    data : pandas.DataFrame
        A customer summary (:func:`segkit.features.summary`). It is not modified.
    frequency_col, monetary_value_col : str
        Its columns of repeat purchases and of mean repeat-purchase value.
    threshold : float, default 0.3
        Bound on ``|correlation|`` from which the correlation is called material.

    Returns
    -------
    IndependenceCheck
        ``correlation``, ``n_customers``, ``threshold``, ``material`` and ``message``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"frequency": [0, 1, 2, 3, 5, 8],
    ...                   "monetary_value": [0.0, 20.0, 35.0, 18.0, 40.0, 25.0]})
    >>> check = check_independence(s)
    >>> round(check.correlation, 3), check.n_customers, check.material
    (0.185, 5, False)
    """
    if not (isinstance(threshold, numbers.Real) and 0 < threshold <= 1):
        raise ParameterError(f"threshold must be a number in (0, 1]; got {threshold!r}")
    x, m, repeat = _spend_columns(data, frequency_col, monetary_value_col, "check_independence")
    xs, ms = x[repeat], m[repeat]
    n = int(repeat.sum())
    if n < 3 or np.ptp(xs) == 0 or np.ptp(ms) == 0:
        r = float("nan")
        msg = (f"the correlation between frequency and spend cannot be computed on {n} repeat "
               "buyer(s) (at least 3, with different values, are needed)")
        return IndependenceCheck(r, n, float(threshold), False, msg)
    r = float(np.corrcoef(xs, ms)[0, 1])
    material = abs(r) >= threshold
    if material:
        msg = (f"frequency and spend are correlated among the {n} repeat buyers (r = {r:.2f}, "
               f"|r| >= {threshold:g}): the Gamma-Gamma model assumes they are independent, "
               "so its expected spend is biased for "
               + ("frequent" if r > 0 else "infrequent")
               + " buyers; segment customers before fitting, or use a model of spend that "
               "depends on frequency")
    else:
        msg = (f"frequency and spend are nearly uncorrelated among the {n} repeat buyers "
               f"(r = {r:.2f}, |r| < {threshold:g}): the independence assumption of the "
               "Gamma-Gamma model is reasonable")
    return IndependenceCheck(r, n, float(threshold), bool(material), msg)


class GammaGammaModel(MLEModel):
    """Gamma-Gamma model of the spend per transaction (Fader & Hardie).

    Spend ``z ~ Gamma(p, nu)`` per transaction, ``nu ~ Gamma(q, gamma)`` across
    customers; parameters ``p``, ``q``, ``gamma`` as in the literature (lifetimes
    calls ``gamma`` ``v``). Fitted by maximum likelihood on the repeat buyers.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Coefficient of an L2 penalty on the parameters (per customer, as in
        lifetimes); 0 gives the exact maximum-likelihood estimate.

    Attributes
    ----------
    params_ : pandas.Series
        ``p``, ``q``, ``gamma``.
    standard_errors_ : pandas.Series
        From the observed information.
    log_likelihood_ : float
        At the maximum, summed over the repeat buyers.
    n_obs_ : float
        Number of repeat buyers fitted on.
    independence_ : IndependenceCheck
        :func:`check_independence` on the fitted data (``fit`` warns when the
        correlation is material).

    Notes
    -----
    **Who is fitted.** Only repeat buyers (``frequency > 0``): a customer without a
    repeat purchase has ``monetary_value`` 0 by the summary's definition and carries
    no information on spend, so ``fit`` leaves them out (their value is not read).
    A repeat buyer must have ``monetary_value > 0``; 0 (possible when returns are
    netted, see :func:`segkit.features.summary`), negative or missing values raise
    :class:`~segkit.exceptions.SchemaError` naming the rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 10, 5000)                    # repeat purchases
    >>> nu = rng.gamma(4.0, 1 / 20.0, 5000)              # q = 4, gamma = 20
    >>> m = rng.gamma(6.0 * x, 1 / nu) / x               # p = 6: mean of x spends
    >>> data = pd.DataFrame({"frequency": x, "monetary_value": m})
    >>> model = GammaGammaModel().fit(data)
    >>> model.params_.round(1).to_dict()
    {'p': 5.8, 'q': 4.0, 'gamma': 20.1}
    >>> data.head(2).round(2).to_numpy().tolist()
    [[8.0, 16.51], [6.0, 39.37]]
    >>> model.expected_customer_spend(data.head(2)).round(2).tolist()
    [17.89, 39.4]
    """

    _param_names = ("p", "q", "gamma")
    _bounds = ("positive", "positive", "positive")
    _needs = "repeat buyers' frequency > 0 and monetary_value > 0"

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    # ------------------------------------------------------------------ fitting
    def _prepare(self, data, frequency_col="frequency", monetary_value_col="monetary_value"):
        x, m, repeat = _spend_columns(data, frequency_col, monetary_value_col,
                                      f"{type(self).__name__}.fit")
        if not repeat.any():
            raise SchemaError(
                _TABLE, str(frequency_col),
                "no repeat buyer (frequency > 0): the Gamma-Gamma model learns spend from "
                "repeat purchases only",
            )
        (xd, md), counts, _ = distinct_rows([x[repeat], m[repeat]])
        return (xd, md), counts

    def _loglik(self, params, arrays, grad=False):
        p, q, g = (float(v) for v in params)
        x, m = arrays
        px = p * x
        log_gx = np.log(g + x * m)
        ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * math.log(g)
              + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_gx)
        if not grad:
            return ll, None
        psi_pq = digamma(px + q)
        dp = x * (psi_pq - digamma(px) + np.log(m) + np.log(x) - log_gx)
        dq = psi_pq - digamma(q) + math.log(g) - log_gx
        dg = q / g - (px + q) / (g + x * m)
        # rows x params in column-major order: the base's weights @ g is then a BLAS call
        return ll, np.vstack([dp, dq, dg]).T

    def _start(self, arrays, weights):
        # p = 1, q = 2 make the population mean spend p gamma / (q - 1) = gamma.
        x, m = arrays
        return np.array([1.0, 2.0, float(weights @ m / weights.sum())])

    def fit(
        self,
        data: pd.DataFrame,
        frequency_col: Hashable = "frequency",
        monetary_value_col: Hashable = "monetary_value",
    ) -> GammaGammaModel:
        """Fit the model on the repeat buyers of a customer summary.

        Parameters
        ----------
        data : pandas.DataFrame
            A customer summary (:func:`segkit.features.summary` with
            ``monetary_value_col``): ``monetary_value`` is the mean value of a
            customer's repeat purchases. It is not modified.
        frequency_col, monetary_value_col : str
            Names of its columns.

        Returns
        -------
        GammaGammaModel
            ``self``, fitted.

        Raises
        ------
        segkit.exceptions.SchemaError
            A column is missing or not numeric, a frequency is negative, a repeat buyer
            has a spend <= 0 or missing, or there is no repeat buyer.
        segkit.exceptions.ConvergenceError
            The maximisation did not converge (the message says what to try).
        """
        pen = self.penalizer_coef
        if (not isinstance(pen, numbers.Real) or isinstance(pen, bool)
                or not math.isfinite(pen) or pen < 0):
            raise ParameterError(
                f"penalizer_coef must be a finite number >= 0 (e.g. 0.001), got {pen!r}")
        arrays, weights = self._prepare(data, frequency_col, monetary_value_col)
        independence = check_independence(data, frequency_col, monetary_value_col)
        if independence.material:  # before the search: it may explain a failure
            warnings.warn(independence.message, UserWarning, stacklevel=2)
        self._fit_arrays(arrays, weights, penalizer=float(pen))
        self.independence_ = independence
        return self

    # ------------------------------------------------------------------ predictions
    def expected_customer_spend(
        self,
        data: pd.DataFrame,
        frequency_col: Hashable = "frequency",
        monetary_value_col: Hashable = "monetary_value",
    ) -> pd.Series:
        """Expected spend per transaction of each customer, given their history.

        The mean of the customer's spend given ``x`` repeat purchases of mean
        ``mbar`` (Fader & Hardie 2013)::

            E(M | p, q, gamma, x, mbar) = p (gamma + x mbar) / (p x + q - 1)

        a weighted mean of the population mean ``p gamma / (q - 1)`` and the
        customer's own mean ``mbar``, with weight ``p x / (p x + q - 1)`` on the
        latter: the more purchases, the more the customer's own mean counts. A
        customer without repeat purchase (``frequency`` 0) gets the population mean,
        whatever their ``monetary_value``. When ``p x + q <= 1`` (for frequency 0:
        ``q <= 1``) the expectation is infinite: those rows are ``inf`` and a
        ``RuntimeWarning`` says so.

        Parameters
        ----------
        data : pandas.DataFrame
            Customer summary rows (any customers, not only those fitted on). It is not
            modified.
        frequency_col, monetary_value_col : str
            Names of its columns.

        Returns
        -------
        pandas.Series
            ``expected_spend``, one value per row, with the index of ``data``.
            Vectorised: a million rows take milliseconds.

        Raises
        ------
        segkit.exceptions.SchemaError
            A repeat buyer's spend is negative or missing. A spend of 0 (repeat
            purchases all refunded, see :func:`segkit.features.summary`) is accepted
            here, unlike in :meth:`fit`: the prediction then leans on the population.
        """
        self._check_fitted()
        x, m, _ = _spend_columns(data, frequency_col, monetary_value_col,
                                 f"{type(self).__name__}.expected_customer_spend",
                                 allow_zero=True)
        p, q, g = self.params_.to_numpy()
        denom = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = np.where(denom > 0, p * (g + x * m) / denom, np.inf)
        if not np.all(np.isfinite(spend)):
            warnings.warn(
                f"expected spend is infinite for {int((~np.isfinite(spend)).sum())} row(s): "
                f"with q = {q:.3g} the mean spend of a customer with few purchases does not "
                "exist (p x + q <= 1)", RuntimeWarning, stacklevel=2)
        return pd.Series(spend, index=data.index, name="expected_spend")

    def check_independence(
        self,
        data: pd.DataFrame,
        frequency_col: Hashable = "frequency",
        monetary_value_col: Hashable = "monetary_value",
        threshold: float = INDEPENDENCE_THRESHOLD,
    ) -> IndependenceCheck:
        """:func:`check_independence` on ``data`` (the model need not be fitted)."""
        return check_independence(data, frequency_col, monetary_value_col, threshold)
