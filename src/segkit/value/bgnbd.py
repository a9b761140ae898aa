"""The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005).

While a customer is *alive*, purchases arrive as a Poisson process of rate ``lambda``;
after every repeat purchase the customer drops out for good (unobserved) with
probability ``p``. Across customers ``lambda ~ Gamma(r, alpha)`` (shape ``r``, rate
``alpha``, in the time unit of ``T``) and ``p ~ Beta(a, b)``. A customer is summarised by
``x`` (repeat purchases), ``t_x`` (time of the last one) and ``T`` (time observed since
the first purchase); the likelihood is (Fader, Hardie & Lee 2005, eq. 6)::

    L = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / Gamma(r)
        * [ (alpha + T)^-(r + x) + 1{x > 0} a / (b + x - 1) (alpha + t_x)^-(r + x) ]

**Numerics.** The bracket is a sum of two powers that overflow or underflow for
frequencies in the thousands and extreme parameters (Hardie's note on the numerical
error of the BG/NBD spreadsheet). Here it is a log-sum-exp::

    log L = lgamma(r + x) - lgamma(r) - r log1p(T / alpha) - x log(alpha + T)
            + betaln(a, b + x) - betaln(a, b) + softplus(D),
    D     = log a - log(b + x - 1) + (r + x) log1p((T - t_x) / (alpha + t_x))   (x > 0)

with ``softplus(D) = log(1 + e^D)`` (``numpy.logaddexp(0, D)``), and ``log1p`` where a
difference of logarithms would cancel (``T`` near 0, ``t_x`` near ``T``, ``alpha`` large).
The gradient is analytic (digamma functions and the logistic weight ``sigmoid(D)``); the
terms that depend on ``x`` only (``lgamma``, ``betaln``, ``digamma``) are tabulated once
per distinct frequency. ``P(alive) = sigmoid(-D)``.

The expected purchases in ``(T, T + t]`` (eq. 10) hold ``2F1(r + x, b + x; a + b + x - 1;
z)``, which overflows for large ``x``; it is evaluated in its Euler-transformed form
``(1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z)``, with a power series in
the horizon where the bracket ``1 - ...`` cancels, a quadrature over the posterior ``p``
where neither holds (extreme parameters), and an interpolation across the removable
singularity at ``a = 1`` (see :func:`alive_purchases`).

**One-time buyers.** In the BG/NBD a customer can only drop out *after a repeat
purchase*: a customer who never repeated (``x = 0``) cannot have dropped out, so
``P(alive) = 1`` exactly for every one-time buyer, however long ago the purchase. This
surprises many users (lifetimes issues 165 and 212); it is the model, not a bug. The
:class:`~segkit.value.mbgnbd.ModifiedBetaGeoModel` (MBG/NBD) lets a customer drop out
right after the first purchase too, so its ``P(alive)`` of one-time buyers is below 1
and falls with ``T``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from ._btyd import BTYDModel

__all__ = ["BetaGeoModel"]


def _frequency_index(x):
    """``(x as integers, max(x))`` for :func:`_by_frequency`, or None to work on rows.

    Frequencies are few distinct whole numbers (0 to a few hundred), so a table over
    ``0..max(x)`` costs nothing next to the rows; above 100,000 (or for a handful of
    rows) the functions are evaluated on the rows.
    """
    top = int(x.max()) if len(x) else 0
    if top > 100_000 or len(x) < 64:
        return None
    return x.astype(np.intp), top


def _by_frequency(f, start, x, index):
    """``f(start + x)``, evaluated once per distinct whole-number ``x`` when ``index`` is given."""
    if index is None:
        return f(start + x)
    xi, top = index
    return f(start + np.arange(top + 1.0))[xi]


def beta_geo_loglik(params, x, tx, T, grad=False, modified=False):
    """Log-likelihood of the BG/NBD (or, ``modified=True``, MBG/NBD) per row, and its gradient.

    Parameters
    ----------
    params : array of 4 floats
        ``r, alpha, a, b``.
    x, tx, T : numpy.ndarray
        Frequency (whole numbers), recency and T (float arrays of equal length).
    grad : bool
        Also return the gradient with respect to ``(r, alpha, a, b)``, rows x 4.
    modified : bool
        The MBG/NBD (drop-out possible at the first purchase).

    Returns
    -------
    ll : numpy.ndarray
    gradient : numpy.ndarray or None
    """
    r, alpha, a, b = (float(v) for v in params)
    shift = 1.0 if modified else 0.0
    rx = r + x
    lat = np.log(alpha + T)
    l1T = np.log1p(T / alpha)
    # log((alpha + T) / (alpha + t_x)), exact when t_x is near T
    L = np.log1p((T - tx) / (alpha + tx))
    # b + x - 1 (BG/NBD, x > 0 only) or b + x (MBG/NBD)
    bx = b + x if modified else b + np.maximum(x, 1.0) - 1.0
    D = np.log(a) - np.log(bx) + rx * L
    if not modified:
        D = np.where(x > 0, D, -np.inf)
    # lgamma(r + x) - lgamma(r) + betaln(a, b + x + shift) - betaln(a, b), per frequency
    index = _frequency_index(x)
    const = _by_frequency(
        lambda u: gammaln(r + u - shift) - gammaln(r) + betaln(a, b + u) - betaln(a, b),
        shift, x, index,
    )
    ll = const - r * l1T - x * lat + np.logaddexp(0.0, D)
    if not grad:
        return ll, None
    w = expit(D)  # 0 where D = -inf
    g = np.empty((len(x), 4))
    g[:, 0] = _by_frequency(lambda u: digamma(r + u) - digamma(r), 0.0, x, index) - l1T + w * L
    # d/dalpha of -r log1p(T/alpha) - x log(alpha+T) + softplus(D)
    g[:, 1] = (r * T / alpha - x) / (alpha + T) - w * rx * (T - tx) / ((alpha + T) * (alpha + tx))
    ab = a + b
    # digamma(a + b + x + shift) - digamma(a + b) and digamma(b + x + shift) - digamma(b)
    psi_ab = _by_frequency(lambda u: digamma(ab + u) - digamma(ab), shift, x, index)
    psi_b = _by_frequency(lambda u: digamma(b + u) - digamma(b), shift, x, index)
    g[:, 2] = -psi_ab + w / a
    g[:, 3] = psi_b - psi_ab - w / bx
    return ll, g


_GL8 = np.polynomial.legendre.leggauss(8)


def _alive_purchases_quadrature(m, a, bp, tau):
    """``E[(1 - (1 + p tau)^-m) / p]`` for ``p ~ Beta(a, bp)``, one row, by quadrature.

    The slow, sure way, for the rows where the hypergeometric form and its series both
    fail (extreme parameters): the integral over ``v = logit(p)``, on a grid that is
    dense at the mode of the Beta density and sparse in its long tails (``sinh``
    spacing), 8-point Gauss-Legendre per panel, summed in log space.
    """
    mode = math.log(a / bp)
    spread = 1.0 / math.sqrt(max(a * bp / (a + bp), 1e-300))
    scale = min(1.0, spread)
    reach = 60.0 / a + 60.0 / bp + 60.0 + abs(math.log(max(m * tau, 1e-300)))
    w = np.linspace(-math.asinh(reach / scale), math.asinh(reach / scale), 801)
    grid = mode + scale * np.sinh(w)
    lo, hi = grid[:-1], grid[1:]
    nodes, weights = _GL8
    v = (lo[:, None] + hi[:, None]) / 2 + (hi - lo)[:, None] / 2 * nodes
    logp, log1mp = -np.logaddexp(0.0, -v), -np.logaddexp(0.0, v)
    p = np.exp(logp)
    # log h(p) = log(1 - (1 + p tau)^-m) - log p, exact for small p tau
    logh = np.log(-np.expm1(-m * np.log1p(p * tau))) - logp
    ell = a * logp + bp * log1mp - betaln(a, bp) + logh + np.log((hi - lo)[:, None] / 2 * weights)
    top = ell.max()
    return float(np.exp(top) * np.exp(ell - top).sum())


def _alive_purchases_series(m, a, bp, tau):
    """``m tau sum_k (m + 1)_k (a)_k / ((a + bp)_k (k + 1)!) (-tau)^k`` and whether it holds.

    The expectation of :func:`_alive_purchases` as a power series in ``tau`` (Beta
    moments): exact where the hypergeometric form cancels (``p tau`` small on the
    bulk of the posterior), accepted where it converged with at most 6 digits lost.
    """
    term = np.ones_like(tau)
    total = np.ones_like(tau)
    biggest = np.ones_like(tau)
    for k in range(1, 400):
        term = term * (-tau) * (m + k) * (a + k - 1) / ((a + bp + k - 1) * (k + 1))
        total = total + term
        biggest = np.maximum(biggest, np.abs(term))
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            break
    ok = (np.abs(term) <= 1e-15 * np.abs(total)) & (biggest <= 1e6 * np.abs(total))
    return m * tau * total, ok & np.isfinite(total)


def alive_purchases(m, a, bp, tau):
    """Expected purchases of an alive customer in the next ``t``: ``E[(1 - (1 + p tau)^-m) / p]``.

    With ``p ~ Beta(a, bp)`` (the posterior drop-out probability), ``m = r + x`` and
    ``tau = t / (alpha + T)``: ``E[1/p]`` purchases until drop-out, each one after an
    exponential wait, integrated over the posterior purchase rate ``Gamma(m, alpha + T)``.
    It equals ``c / (a - 1) [1 - (1 + tau)^-m 2F1(m, bp; c; tau / (1 + tau))]`` with
    ``c = a + bp - 1`` (Fader, Hardie & Lee 2005, eq. 10), computed here through the
    Euler transform ``(1 - z)^(a - 1) 2F1(c - m, a - 1; c; z)``, which stays finite for
    frequencies in the thousands. Where that bracket cancels (it is below 1e-4: a
    short horizon) or is not finite, the power series in ``tau`` or, failing that, a
    quadrature over ``p`` takes over.
    """
    with np.errstate(all="ignore"):
        return _alive_purchases(m, a, bp, tau)


def _alive_purchases(m, a, bp, tau):
    m, bp, tau = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (m, bp, tau)))
    c = a + bp - 1.0
    z = tau / (1.0 + tau)
    log1mz = -np.log1p(tau)
    F = hyp2f1(c - m, a - 1.0, c, z)
    bad = ~np.isfinite(F)
    if bad.any():  # the untransformed function, times (1 - z)^(m - a + 1)
        F = F.astype(float)
        F[bad] = hyp2f1(m[bad], bp[bad], c[bad], z[bad]) * np.exp(
            (m[bad] - a + 1.0) * log1mz[bad])
    u = (a - 1.0) * log1mz
    pos = F > 0
    bracket = np.where(pos, -np.expm1(u + np.log(np.where(pos, F, 1.0))), 1.0 - np.exp(u) * F)
    out = c / (a - 1.0) * bracket
    redo = np.flatnonzero((~np.isfinite(out) | (np.abs(bracket) < 1e-4)) & (tau > 0))
    if len(redo):
        series, ok = _alive_purchases_series(m[redo], a, bp[redo], tau[redo])
        out[redo[ok]] = series[ok]
        for i in redo[~ok]:
            if not np.isfinite(out[i]):
                out[i] = _alive_purchases_quadrature(m[i], a, bp[i], tau[i])
    return np.where(tau == 0, 0.0, out)


def beta_geo_conditional_purchases(params, x, tx, T, t, modified=False):
    """E[purchases in (T, T + t] | x, t_x, T] of the BG/NBD or MBG/NBD.

    ``P(alive | x, t_x, T)`` times :func:`alive_purchases` with the posterior
    ``p ~ Beta(a, b + x)`` (MBG/NBD: ``Beta(a, b + x + 1)``) and ``lambda ~ Gamma(r + x,
    alpha + T)``.
    """
    r, alpha, a, b = (float(v) for v in params)
    if abs(a - 1.0) < 1e-5:
        # a removable singularity at a = 1, where c / (a - 1) and the bracket cancel:
        # interpolate between a = 1 -+ 2e-5 (error of order 1e-10, where the formula
        # itself would lose digits as 1e-15 / |a - 1|)
        h = 2e-5
        lo = beta_geo_conditional_purchases((r, alpha, 1.0 - h, b), x, tx, T, t, modified)
        hi = beta_geo_conditional_purchases((r, alpha, 1.0 + h, b), x, tx, T, t, modified)
        return lo + (hi - lo) * ((a - (1.0 - h)) / (2 * h))
    x, tx, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, tx, T)))
    t = np.broadcast_to(np.asarray(t, dtype=float), x.shape)
    shift = 1.0 if modified else 0.0
    palive = beta_geo_probability_alive(params, x, tx, T, modified)
    return palive * alive_purchases(r + x, a, b + x + shift, t / (alpha + T))


def beta_geo_probability_alive(params, x, tx, T, modified=False):
    """P(alive | x, t_x, T) of the BG/NBD (1 when x = 0) or MBG/NBD."""
    r, alpha, a, b = (float(v) for v in params)
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    bx = b + x if modified else b + np.maximum(x, 1.0) - 1.0
    D = np.log(a) - np.log(bx) + (r + x) * np.log1p((T - tx) / (alpha + tx))
    p = expit(-D)
    return p if modified else np.where(x > 0, p, 1.0)


def beta_geo_new_customer_purchases(params, t, modified=False):
    """E[X(t)] of a new customer (a conditional expectation at x = t_x = T = 0)."""
    t = np.asarray(t, dtype=float)
    zero = np.zeros_like(t)
    if modified:
        # P(alive at 0) = b / (a + b) is already in the conditional formula
        return beta_geo_conditional_purchases(params, zero, zero, zero, t, modified=True)
    return beta_geo_conditional_purchases(params, zero, zero, zero, t)


class BetaGeoModel(BTYDModel):
    """BG/NBD model (Fader, Hardie & Lee 2005): non-contractual repeat purchases.

    Purchases of an alive customer follow a Poisson process of rate
    ``lambda ~ Gamma(r, alpha)``; after each repeat purchase the customer drops out with
    probability ``p ~ Beta(a, b)``. Fitted by exact maximum likelihood on the customer
    summary (``frequency``, ``recency``, ``T``), once per distinct history (see the module
    docstring for the log-space likelihood).

    Parameters
    ----------
    penalizer_coef : float, default 0
        ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` is subtracted from the mean
        log-likelihood per customer (as lifetimes' ``penalizer_coef``): a small value
        (0.001 to 0.1) keeps the estimates finite on data that cannot pin them down.

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, a, b``.
    standard_errors_ : pandas.Series
        From the observed information (the Hessian of the log-likelihood).
    covariance_ : pandas.DataFrame
    log_likelihood_ : float
        The maximised log-likelihood (without the penalty).
    n_obs_, n_distinct_ : float, int
        Customers and distinct ``(frequency, recency, T)`` rows.

    Notes
    -----
    **P(alive) of one-time buyers is exactly 1.** In the BG/NBD a customer drops out
    only after a *repeat* purchase, so a customer with ``frequency = 0`` cannot have
    dropped out: :meth:`expected_probability_alive` is 1 for every one-time buyer, even
    one whose only purchase is years old. That follows from the model's assumptions;
    when it does not fit the business, use
    :class:`~segkit.value.mbgnbd.ModifiedBetaGeoModel` (MBG/NBD), in which a customer can
    also drop out right after the first purchase, so that a one-time buyer's
    ``P(alive)`` is below 1 and falls the longer ago the purchase was; or the
    :class:`~segkit.value.pareto_nbd.ParetoNBDModel`, whose drop-out happens in
    continuous time.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "Counting Your Customers the
    Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24 (2), 275-284.

    Examples
    --------
    >>> from segkit.datasets import load_cdnow
    >>> from segkit.features import summary
    >>> from segkit.value.bgnbd import BetaGeoModel
    >>> cal = summary(load_cdnow(), observation_end="1997-09-30", after_end="drop",
    ...               freq="D", freq_multiplier=7)  # weeks, with day resolution
    >>> model = BetaGeoModel().fit(cal)
    >>> model.params_.round(3).to_dict()
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    >>> round(model.log_likelihood_, 1)
    -9582.4
    >>> model.expected_purchases(cal, future_t=39).head(3).round(3).tolist()
    [1.226, 0.203, 0.195]
    >>> model.expected_probability_alive(cal).head(3).round(3).tolist()
    [0.727, 0.212, 1.0]
    >>> round(model.expected_purchases_new_customer(39), 3)
    1.195

    The third customer never repeated: for the BG/NBD such a customer is alive.
    """

    _param_names = ("r", "alpha", "a", "b")
    _bounds = ("positive", "positive", "positive", "positive")
    _modified = False
    _closed_form_alive = True

    def _start_from(self, alpha, mean_T):
        # r = 0.5 with the data's mean purchase rate r / alpha
        return np.array([0.5, 0.5 * alpha, 1.0, 1.0])

    def _loglik(self, params, arrays, grad=False):
        x, tx, T = arrays
        return beta_geo_loglik(params, x, tx, T, grad, self._modified)

    def _probability_alive(self, params, x, tx, T):
        return beta_geo_probability_alive(params, x, tx, T, self._modified)

    def _conditional_purchases(self, params, x, tx, T, t):
        return beta_geo_conditional_purchases(params, x, tx, T, t, self._modified)

    def _new_customer_purchases(self, params, t):
        return beta_geo_new_customer_purchases(params, t, self._modified)
