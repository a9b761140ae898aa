"""The Pareto/NBD model of repeat purchases (Schmittlein, Morrison & Colombo 1987).

While alive, a customer buys as a Poisson process of rate ``lambda``; the customer's
lifetime is exponential with rate ``mu`` (drop-out in continuous time, unobserved).
Across customers ``lambda ~ Gamma(r, alpha)`` and ``mu ~ Gamma(s, beta)`` (shape, rate;
in the time unit of ``T``). The likelihood of a history ``(x, t_x, T)`` (Fader, Hardie
& Lee 2005, "A Note on Implementing the Pareto/NBD Model in MATLAB", eq. 1) is::

    L = Gamma(r + x) alpha^r beta^s / Gamma(r)
        * [ (alpha + T)^-(r + x) (beta + T)^-s + s / (r + s + x) A_0 ]

where ``A_0`` is a difference of two Gauss hypergeometric functions, written with
``2F1(r + s + x, s + 1; r + s + x + 1; (alpha - beta) / (alpha + .))`` when
``alpha >= beta`` and with ``2F1(r + s + x, r + x; r + s + x + 1; (beta - alpha) / (beta +
.))`` when ``alpha < beta``. Both branches are one integral: the customer made ``x``
purchases and died at some ``y`` in ``(t_x, T]``::

    s / (r + s + x) A_0 = s * integral_{t_x}^{T} (alpha + y)^-(r + x) (beta + y)^-(s + 1) dy

**Numerics.** The difference of hypergeometric functions cancels when ``t_x`` is near
``T``, overflows for frequencies in the thousands (``2F1(., r + x; .)`` grows like
``((beta + y) / (alpha + y))^(r + x)``), and has no closed-form derivative in its
parameters. segkit evaluates the integral itself, in log space, for both branches at
once:

- substitute ``u = log((m + y) / (m + t_x))`` with ``m = min(alpha, beta)``; in ``u`` the
  log-integrand is concave (one mode, at ``t_x`` unless ``x = 0`` and ``r < 1``), and its
  slope is bounded by the exponents, so the integrand is smooth on the scale of the
  window;
- the window is cut where the integrand has fallen ``e^45`` below its mode (a few
  vectorised Newton steps on the concave log-integrand, monotone from the safe side),
  which keeps a frequency of 5000 as accurate as a frequency of 1;
- Gauss-Legendre on each side of the mode, 8 to 32 nodes by the width of the window
  and the fall of the integrand over it, summed in log space;
- the gradient is the same quadrature of the integrand's partial derivatives
  (``-log1p(y / alpha)``, ...), as weights of the log-sum, so it is exact for the
  computed value; ``log L`` is ``logaddexp`` of the two terms.

Every log is written with ``log1p`` where ``T``, ``y`` or ``t_x`` are small against
``alpha`` or ``beta``. Against a 30-digit ``mpmath`` quadrature (checked during
development) and scipy's adaptive quadrature (in the tests) the log-integral agrees to
about 1e-13 and its gradient to about 1e-10 (relative, or absolute below 1), over
parameters from 1e-3 to 1e3, ``T`` from 1e-6 to 300 and ``x`` up to 5000; the
hypergeometric form of the note gives the same values where it can be evaluated.

``P(alive) = 1 / (1 + s (alpha + T)^(r + x) (beta + T)^s * integral)`` (Fader, Hardie &
Lee's note, eq. 2), and the expected purchases in ``(T, T + t]`` are ``P(alive) (r + x)
(beta + T) / ((alpha + T) (s - 1)) [1 - ((beta + T) / (beta + T + t))^(s - 1)]`` (with its
limit at ``s = 1``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln, roots_legendre

from ._btyd import BTYDModel

__all__ = ["ParetoNBDModel"]

def _rule(n):
    nodes, weights = roots_legendre(n)
    return (nodes + 1) / 2, np.log(weights / 2)  # on [0, 1]


#: Gauss-Legendre rules by (width of the window in u, fall of the log-integrand over
#: it): 8 nodes where the integrand is smooth and nearly flat (most rows of real
#: data), 12 where it falls by at most e^12, 24 where it falls up to the cut, 32 on
#: wide windows. Each tier is as accurate as 64 nodes to about 1e-13 in the
#: log-integral and 1e-10 in its gradient (tests/test_value_pareto_nbd.py).
_TIERS = ((_rule(8), 2.0, 4.0), (_rule(12), 3.0, 12.0), (_rule(24), 3.0, 46.0),
          (_rule(32), np.inf, np.inf))
_CUT = 45.0  # the window ends where the integrand is e^-45 of its mode
_CHUNK = 8_192  # rows per block: the node arrays stay in the cache


def _integrand(u, c, tx, x, k, slope=True):
    """Log-integrand in ``u`` (with the Jacobian, without ``log c``), its slope, node values.

    ``k = (r, alpha, s, beta, alpha - m, beta - m, log alpha, log beta)``.
    """
    r, alpha, s, beta, am, bm, la, lb = k
    em = np.expm1(u)
    y = tx + c * em
    my = c + c * em  # m + y
    l1a = np.log1p(y / alpha)  # log((alpha + y) / alpha)
    l1b = np.log1p(y / beta)
    ay = am + my  # alpha + y, without cancellation
    by = bm + my
    ell = u - (r + x) * l1a - (s + 1) * l1b - (x * la + lb)
    d = 1 - my * ((r + x) / ay + (s + 1) / by) if slope else None
    return ell, d, y, ay, by, l1a, l1b


def _newton(u, target, sel, c, tx, x, k):
    """Move ``u`` towards the point where the log-integrand equals ``target``.

    The log-integrand is concave, so Newton's steps from the side where it is below
    ``target`` stay on that side and converge monotonically; stop within 1 of it.
    """
    for _ in range(60):
        ell, slope, *_ = _integrand(u, c[sel], tx[sel], x[sel], k)
        f = ell - target
        act = f < -1.0
        if not act.any():
            break
        u = np.where(act, u - f / np.where(act, slope, 1.0), u)
    return u


def _block(params, x, tx, T, grad):
    r, alpha, s, beta = params
    m = min(alpha, beta)
    k = (r, alpha, s, beta, alpha - m, beta - m, np.log(alpha), np.log(beta))
    n = len(x)
    out = np.full(n, -np.inf)
    g = np.zeros((n, 4)) if grad else None
    c = m + tx
    delta = np.log1p((T - tx) / c)  # width of the window in u
    live = np.flatnonzero(delta > 0)  # else t_x = T: the integral is 0
    if len(live) == 0:
        return out, g
    x, tx, c, delta = x[live], tx[live], c[live], delta[live]
    nl = len(live)
    ell0, d0, *_ = _integrand(np.zeros(nl), c, tx, x, k)
    ellD, dD, *_ = _integrand(delta, c, tx, x, k)
    # the mode: at 0 where the log-integrand decreases from the start, at delta where it
    # still increases at the end; in between only for alpha < beta and r + x < 1 (x = 0),
    # where (alpha + y) / (beta + y) = (1 - r - x) / (s + 1)
    ustar = np.where(dD >= 0, delta, 0.0)
    ellS, dS = np.where(dD >= 0, ellD, ell0), np.where(dD >= 0, dD, d0)
    mid = np.flatnonzero((d0 > 0) & (dD < 0))
    if len(mid):
        v = (1 - r - x[mid]) / (s + 1)
        ystar = (v * beta - alpha) / (1 - v)
        ustar[mid] = np.clip(np.log1p((ystar - tx[mid]) / c[mid]), 0.0, delta[mid])
        e, d, *_ = _integrand(ustar[mid], c[mid], tx[mid], x[mid], k)
        ellS[mid], dS[mid] = e, d
    # right end: where the integrand has fallen e^-_CUT below the mode
    uR, dropR = delta.copy(), ellS - ellD
    cut = np.flatnonzero(dropR > _CUT)
    if len(cut):
        start = delta[cut]
        tangent = dS[cut] < 0  # the tangent at the mode bounds the cut from the right
        bound = ustar[cut] + _CUT / np.where(tangent, -dS[cut], 1.0)
        start = np.where(tangent, np.minimum(start, bound), start)
        uR[cut] = _newton(start, ellS[cut] - _CUT, cut, c, tx, x, k)
        dropR[cut] = _CUT
    panels = [(ustar, uR, dropR, slice(None))]
    # left of the mode (only where it is inside the window)
    left = np.flatnonzero(ustar > 0)
    if len(left):
        uL, dropL = np.zeros(len(left)), ellS[left] - ell0[left]
        cutL = np.flatnonzero(dropL > _CUT)
        if len(cutL):
            rows = left[cutL]
            uL[cutL] = _newton(np.zeros(len(cutL)), ellS[rows] - _CUT, rows, c, tx, x, k)
            dropL[cutL] = _CUT
        panels.append((uL, ustar[left], dropL, left))
    # quadrature: one rule per panel and row, the short one where it is exact enough
    pieces = []
    for lo, hi, drop, rows in panels:
        rows = np.arange(nl)[rows]
        lo, hi = (lo, hi) if len(lo) == len(rows) else (lo[rows], hi[rows])
        width = hi - lo
        todo = np.ones(len(rows), dtype=bool)
        for (tau, logw), max_width, max_drop in _TIERS:
            pick = todo & (width <= max_width) & (drop <= max_drop)
            if not pick.any():
                continue
            todo &= ~pick
            sel, a, b = rows[pick], lo[pick], hi[pick]
            U = a[:, None] + (b - a)[:, None] * tau
            ell, _, y, ay, by, l1a, l1b = _integrand(U, c[sel, None], tx[sel, None],
                                                     x[sel, None], k, slope=False)
            ell += logw
            top = ell.max(axis=1)
            ell -= top[:, None]
            np.exp(ell, out=ell)  # the terms, scaled by the largest
            total = np.sum(ell, axis=1)
            logsum = top + np.log(total * (b - a) * c[sel])
            pieces.append((sel, logsum, ell, total, y, ay, by, l1a, l1b))
    tot = np.full(nl, -np.inf)
    for sel, logsum, *_ in pieces:
        tot[sel] = np.logaddexp(tot[sel], logsum)
    out[live] = tot
    if grad:
        acc = np.zeros((nl, 4))
        for sel, logsum, terms, total, y, ay, by, l1a, l1b in pieces:
            # the piece's share of the whole integral, times its normalised terms
            share = np.exp(logsum - tot[sel]) / total
            wgt = terms * share[:, None]
            acc[sel, 0] -= np.einsum("ij,ij->i", wgt, l1a)
            acc[sel, 1] += np.einsum("ij,ij->i", wgt, (r / alpha * y - x[sel, None]) / ay)
            acc[sel, 2] -= np.einsum("ij,ij->i", wgt, l1b)
            acc[sel, 3] += np.einsum("ij,ij->i", wgt, (s / beta * y - 1) / by)
        g[live] = acc
    return out, g


def log_death_integral(params, x, tx, T, grad=False):
    """``log integral_{t_x}^{T} h(y) dy`` and the gradient of that log.

    ``h(y) = (alpha / (alpha + y))^r (alpha + y)^-x (beta / (beta + y))^s / (beta + y)``,
    so that ``s * integral`` is the second term of the Pareto/NBD likelihood over
    ``Gamma(r + x) / Gamma(r)`` (see the module docstring). ``-inf`` where ``t_x = T``.

    Parameters
    ----------
    params : array of 4 floats
        ``r, alpha, s, beta``.
    x, tx, T : numpy.ndarray
    grad : bool
        Also return ``d log integral / d (r, alpha, s, beta)``, rows x 4 (0 where the
        integral is 0).

    Returns
    -------
    log_integral : numpy.ndarray
    gradient : numpy.ndarray or None
    """
    params = tuple(float(v) for v in params)
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    n = len(x)
    out = np.empty(n)
    g = np.empty((n, 4)) if grad else None
    with np.errstate(all="ignore"):
        for lo in range(0, n, _CHUNK):
            sl = slice(lo, min(n, lo + _CHUNK))
            o, gg = _block(params, x[sl], tx[sl], T[sl], grad)
            out[sl] = o
            if grad:
                g[sl] = gg
    return out, g


def _alive_term(params, x, T):
    """log of (alpha / (alpha + T))^r (alpha + T)^-x (beta / (beta + T))^s, and its gradient."""
    r, alpha, s, beta = params
    l1a, l1b = np.log1p(T / alpha), np.log1p(T / beta)
    value = -r * l1a - x * np.log(alpha + T) - s * l1b
    return value, l1a, l1b


def pareto_nbd_loglik(params, x, tx, T, grad=False):
    """Log-likelihood of the Pareto/NBD per row, and its gradient (rows x 4)."""
    r, alpha, s, beta = (float(v) for v in params)
    A, l1a, l1b = _alive_term((r, alpha, s, beta), x, T)
    logI, gI = log_death_integral((r, alpha, s, beta), x, tx, T, grad)
    B = np.log(s) + logI
    mix = np.logaddexp(A, B)
    ll = gammaln(r + x) - gammaln(r) + mix
    if not grad:
        return ll, None
    wB = np.exp(B - mix)  # weight of the death term (0 where t_x = T)
    wA = 1.0 - wB
    g = np.empty((len(x), 4))
    g[:, 0] = digamma(r + x) - digamma(r) + wA * (-l1a) + wB * gI[:, 0]
    g[:, 1] = wA * ((r * T / alpha - x) / (alpha + T)) + wB * gI[:, 1]
    g[:, 2] = wA * (-l1b) + wB * (1.0 / s + gI[:, 2])
    g[:, 3] = wA * (s * T / (beta * (beta + T))) + wB * gI[:, 3]
    return ll, g


def _expm1_ratio(q, v):
    """``(1 - exp(-q v)) / q``, with its limit ``v`` at ``q = 0``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        out = -np.expm1(-q * v) / q
    return np.where(q == 0, v, out)


def pareto_nbd_probability_alive(params, x, tx, T):
    """P(alive | x, t_x, T) of the Pareto/NBD."""
    r, alpha, s, beta = (float(v) for v in params)
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    A = _alive_term((r, alpha, s, beta), x, T)[0]
    logI = log_death_integral((r, alpha, s, beta), x, tx, T)[0]
    return expit(A - np.log(s) - logI)


def pareto_nbd_conditional_purchases(params, x, tx, T, t):
    """E[purchases in (T, T + t] | x, t_x, T] of the Pareto/NBD."""
    r, alpha, s, beta = (float(v) for v in params)
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    palive = pareto_nbd_probability_alive((r, alpha, s, beta), x, tx, T)
    # E[lambda | alive] * E[time alive in the next t | alive]
    return (palive * (r + x) / (alpha + T)
            * (beta + T) * _expm1_ratio(s - 1.0, np.log1p(t / (beta + T))))


def pareto_nbd_new_customer_purchases(params, t):
    """E[X(t)] of a new Pareto/NBD customer: ``r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)]``."""
    r, alpha, s, beta = (float(v) for v in params)
    t = np.asarray(t, dtype=float)
    return r / alpha * beta * _expm1_ratio(s - 1.0, np.log1p(t / beta))


class ParetoNBDModel(BTYDModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): drop-out in continuous time.

    Purchases of an alive customer follow a Poisson process of rate
    ``lambda ~ Gamma(r, alpha)``; the customer's lifetime is exponential with rate
    ``mu ~ Gamma(s, beta)``. Fitted by exact maximum likelihood on the customer summary,
    once per distinct ``(frequency, recency, T)``; the likelihood's hypergeometric term
    is evaluated as an integral in log space (see the module docstring), stable for
    ``alpha >= beta`` and ``alpha < beta`` alike, frequencies in the thousands, ``T``
    near 0 and extreme parameters, with an analytic gradient.

    Parameters
    ----------
    penalizer_coef : float, default 0
        ``penalizer_coef * (r^2 + alpha^2 + s^2 + beta^2)`` is subtracted from the mean
        log-likelihood per customer (as lifetimes' ``penalizer_coef``).

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, s, beta``.
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
    log_likelihood_ : float
    n_obs_, n_distinct_ : float, int

    Notes
    -----
    Where customers show no sign of leaving, the Pareto/NBD's drop-out parameters
    ``s`` and ``beta`` both run to infinity (an exponential lifetime that never ends
    within the data): ``fit`` then raises ConvergenceError and suggests
    ``penalizer_coef``.

    References
    ----------
    Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987), "Counting Your
    Customers: Who Are They and What Will They Do Next?", Management Science 33 (1),
    1-24. Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "A Note on Implementing
    the Pareto/NBD Model in MATLAB", http://brucehardie.com/notes/008/.

    Examples
    --------
    >>> from segkit.datasets import load_cdnow
    >>> from segkit.features import summary
    >>> from segkit.value.pareto_nbd import ParetoNBDModel
    >>> cal = summary(load_cdnow(), observation_end="1997-09-30", after_end="drop",
    ...               freq="D", freq_multiplier=7)
    >>> model = ParetoNBDModel().fit(cal)
    >>> model.params_.round(3).to_dict()
    {'r': 0.553, 'alpha': 10.578, 's': 0.606, 'beta': 11.669}
    >>> round(model.log_likelihood_, 1)
    -9595.0
    >>> model.expected_probability_alive(cal).head(3).round(3).tolist()
    [0.869, 0.168, 0.295]
    """

    _param_names = ("r", "alpha", "s", "beta")
    _bounds = ("positive", "positive", "positive", "positive")

    def _start_from(self, alpha, mean_T):
        # r = 0.5 with the data's mean purchase rate r / alpha; a mean lifetime
        # beta / (s - 1) of the order of the observation (s = 0.5: a long tail)
        return np.array([0.5, 0.5 * alpha, 0.5, mean_T])

    def _loglik(self, params, arrays, grad=False):
        x, tx, T = arrays
        return pareto_nbd_loglik(params, x, tx, T, grad)

    def _probability_alive(self, params, x, tx, T):
        return pareto_nbd_probability_alive(params, x, tx, T)

    def _conditional_purchases(self, params, x, tx, T, t):
        return pareto_nbd_conditional_purchases(params, x, tx, T, t)

    def _new_customer_purchases(self, params, t):
        return pareto_nbd_new_customer_purchases(params, t)
