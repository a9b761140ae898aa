"""The MBG/NBD model of repeat purchases (Batislam, Denizel & Filiztekin 2007; Wagner & Hoppe 2008).

The BG/NBD (:mod:`segkit.value.bgnbd`) with one change: a customer may drop out after
*every* purchase, the first one included, with probability ``p``. Purchases of an alive
customer arrive at rate ``lambda ~ Gamma(r, alpha)``, ``p ~ Beta(a, b)``. The
likelihood of a history ``(x, t_x, T)`` is::

    L = Gamma(r + x) alpha^r / Gamma(r)
        * [ B(a, b + x + 1) / B(a, b) (alpha + T)^-(r + x)
            + B(a + 1, b + x) / B(a, b) (alpha + t_x)^-(r + x) ]

computed in log space as for the BG/NBD::

    log L = lgamma(r + x) - lgamma(r) - r log1p(T / alpha) - x log(alpha + T)
            + betaln(a, b + x + 1) - betaln(a, b) + softplus(D),
    D     = log a - log(b + x) + (r + x) log1p((T - t_x) / (alpha + t_x))

(now for every ``x``, 0 included), with its analytic gradient; ``P(alive) = sigmoid(-D)``.

**One-time buyers.** Because a customer can drop out right after the first purchase,
the ``P(alive)`` of a customer without repeat purchase is ``1 / (1 + a / b * (1 +
T / alpha)^r) < 1``: it falls the longer ago the first purchase was, where the BG/NBD
says 1 for all of them.
"""

from __future__ import annotations

import numpy as np

from .bgnbd import BetaGeoModel

__all__ = ["ModifiedBetaGeoModel"]


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD model (Batislam et al. 2007, Wagner & Hoppe 2008): drop-out after any purchase.

    Like :class:`~segkit.value.bgnbd.BetaGeoModel`, but a customer may also drop out
    right after the first purchase, so a one-time buyer's probability of being alive is
    below 1 and falls with the time since that purchase (the BG/NBD gives exactly 1).
    Fitted by exact maximum likelihood on the distinct ``(frequency, recency, T)``
    (see the module docstring for the log-space likelihood).

    Parameters
    ----------
    penalizer_coef : float, default 0
        ``penalizer_coef * (r^2 + alpha^2 + a^2 + b^2)`` is subtracted from the mean
        log-likelihood per customer (as lifetimes' ``penalizer_coef``).

    Attributes
    ----------
    params_ : pandas.Series
        ``r, alpha, a, b``.
    standard_errors_ : pandas.Series
    covariance_ : pandas.DataFrame
    log_likelihood_ : float
    n_obs_, n_distinct_ : float, int

    References
    ----------
    Batislam, E. P., Denizel, M. and Filiztekin, A. (2007), "Empirical validation and
    comparison of models for customer base analysis", International Journal of
    Research in Marketing 24 (3), 201-209. Wagner, U. and Hoppe, D. (2008), "Erratum on
    the MBG/NBD model", International Journal of Research in Marketing 25 (3), 225-226.

    Examples
    --------
    >>> from segkit.datasets import load_cdnow
    >>> from segkit.features import summary
    >>> from segkit.value.mbgnbd import ModifiedBetaGeoModel
    >>> cal = summary(load_cdnow(), observation_end="1997-09-30", after_end="drop",
    ...               freq="D", freq_multiplier=7)
    >>> model = ModifiedBetaGeoModel().fit(cal)
    >>> model.params_.round(3).to_dict()
    {'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
    >>> round(model.log_likelihood_, 1)
    -9582.1

    One-time buyers are not all alive, and the less so the longer ago they bought
    (here the youngest and the oldest, 27 and 38.9 weeks):

    >>> one_time = cal[cal["frequency"] == 0].sort_values("T").iloc[[0, -1]]
    >>> model.expected_probability_alive(one_time).round(3).tolist()
    [0.428, 0.39]
    """

    _modified = True

    def _start_from(self, alpha, mean_T):
        return np.array([0.5, 0.5 * alpha, 1.0, 1.0])
