"""Pareto/NBD (segkit.value.pareto_nbd): published CDNOW results, lifetimes, the integral, recovery."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import gammaln, hyp2f1

from segkit.exceptions import ConvergenceError
from segkit.value import pareto_nbd as pnbd
from segkit.value.pareto_nbd import (
    ParetoNBDModel,
    log_death_integral,
    pareto_nbd_conditional_purchases,
    pareto_nbd_loglik,
)

COLS = ["frequency", "recency", "T"]


@pytest.fixture(scope="module")
def fitted(cdnow_cal) -> ParetoNBDModel:
    return ParetoNBDModel().fit(cdnow_cal)


@pytest.fixture(scope="module")
def lifetimes_fit(cdnow_cal):
    lifetimes = pytest.importorskip("lifetimes")
    np.random.seed(0)  # noqa: NPY002 - lifetimes starts Nelder-Mead at a random point
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifetimes.ParetoNBDFitter().fit(cdnow_cal["frequency"], cdnow_cal["recency"],
                                               cdnow_cal["T"])


def simulate_pnbd(n, r, alpha, s, beta, seed, T_max=52.0):
    """Pareto/NBD summaries from known parameters.

    ``lambda ~ Gamma(r, alpha)``, ``mu ~ Gamma(s, beta)``, lifetime ``~ Exp(mu)``; ``x``
    is Poisson over the observed part of the lifetime, ``t_x`` the last of the ``x``
    uniform purchase times in it (a Beta(x, 1) fraction).
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(0.0, T_max, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    active = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * active)
    tx = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T})


def reference_log_integral(r, alpha, s, beta, x, tx, T):
    """log of the integral by adaptive quadrature (scipy), scaled at its largest value.

    Break points are placed on the integrand's own scale near ``t_x`` (where it falls
    fastest) and spread over the rest of the window.
    """
    if T <= tx:
        return -np.inf
    def lh(y):
        return (-r * np.log1p(y / alpha) - x * np.log(alpha + y) - s * np.log1p(y / beta)
                - np.log(beta + y))

    grid = np.linspace(tx, T, 2001)
    top = lh(grid).max()
    rate = (r + x) / (alpha + tx) + (s + 1) / (beta + tx)
    points = tx + np.concatenate([np.array([0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]) / rate,
                                  (T - tx) * np.logspace(-12, 0, 25)])
    points = np.unique(points[(points > tx) & (points < T)])
    value = integrate.quad(lambda y: np.exp(lh(y) - top), tx, T, points=points, limit=500,
                           epsabs=0, epsrel=1e-13)[0]
    return top + np.log(value)


# ------------------------------------------------------------------ published results


def test_published_pareto_nbd_cdnow(fitted):
    # Fader, Hardie & Lee (2005) note: r 0.553, alpha 10.58, s 0.606, beta 11.67, LL -9595.0
    p = fitted.params_
    assert list(p.index) == ["r", "alpha", "s", "beta"]
    assert (round(p["r"], 3), round(p["alpha"], 2), round(p["s"], 3), round(p["beta"], 2)) == (
        0.553, 10.58, 0.606, 11.67)
    assert round(fitted.log_likelihood_, 1) == -9595.0
    s = fitted.summary()
    assert np.isfinite(s.to_numpy()).all() and (s["lower_95"] > 0).all()


# ------------------------------------------------------------------ lifetimes


def test_same_optimum_as_lifetimes(fitted, lifetimes_fit, cdnow_cal):
    x, tx, T = (cdnow_cal[c].to_numpy() for c in COLS)
    theirs = lifetimes_fit.params_[["r", "alpha", "s", "beta"]].to_numpy()
    ll_lifetimes = type(lifetimes_fit)._conditional_log_likelihood(theirs, x, tx, T).sum()
    ll_theirs = pareto_nbd_loglik(theirs, x, tx, T)[0].sum()
    assert ll_theirs == pytest.approx(ll_lifetimes, rel=1e-12)
    assert fitted.log_likelihood_ == pytest.approx(ll_theirs, rel=1e-6)
    assert fitted.log_likelihood_ >= ll_theirs - 1e-6
    np.testing.assert_allclose(fitted.params_.to_numpy(), theirs, rtol=1e-3)


def test_predictions_equal_lifetimes(lifetimes_fit, cdnow_cal):
    model = ParetoNBDModel().fit(cdnow_cal)
    model.params_ = lifetimes_fit.params_[["r", "alpha", "s", "beta"]].copy()
    x, tx, T = (cdnow_cal[c].to_numpy() for c in COLS)
    for t in (1.0, 39.0, 52.0):
        np.testing.assert_allclose(
            model.expected_purchases(cdnow_cal, future_t=t).to_numpy(),
            lifetimes_fit.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T),
            rtol=1e-6)
    np.testing.assert_allclose(model.expected_probability_alive(cdnow_cal).to_numpy(),
                               lifetimes_fit.conditional_probability_alive(x, tx, T), rtol=1e-6)
    ts = np.array([0.5, 1.0, 13.0, 39.0, 78.0, 520.0])
    np.testing.assert_allclose(model.expected_purchases_new_customer(ts),
                               lifetimes_fit.expected_number_of_purchases_up_to_time(ts),
                               rtol=1e-6)


def test_lifetimes_fails_for_large_frequencies_segkit_does_not():
    lifetimes = pytest.importorskip("lifetimes")
    params = (2.0, 0.5, 3.0, 40.0)  # alpha < beta: the 2F1(., r + x; .) branch overflows
    x, tx, T = np.array([5000.0]), np.array([38.0]), np.array([39.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes.ParetoNBDFitter._conditional_log_likelihood(params, x, tx, T)
    assert np.isnan(theirs).all()
    ours = pareto_nbd_loglik(params, x, tx, T)[0]
    ref = (gammaln(2.0 + 5000) - gammaln(2.0) + np.logaddexp(
        pnbd._alive_term(params, x, T)[0],
        np.log(3.0) + reference_log_integral(*params, 5000.0, 38.0, 39.0)))
    assert ours[0] == pytest.approx(ref[0], rel=1e-10)


# ------------------------------------------------------------------ numerics


def hypergeometric_log_integral(r, alpha, s, beta, x, tx, T):
    """The integral from the note's A_0 (both branches), for moderate arguments."""
    if alpha >= beta:
        lo, hi, b2 = beta, alpha, s + 1
    else:
        lo, hi, b2 = alpha, beta, r + x
    a1 = r + s + x

    def f(u):
        return hyp2f1(a1, b2, a1 + 1, (hi - lo) / (hi + u)) / (hi + u) ** a1

    a0 = f(tx) - f(T)
    return np.log(a0 / a1) + r * np.log(alpha) + s * np.log(beta)


@pytest.mark.parametrize("params", [
    (0.553, 10.58, 0.606, 11.67),  # alpha < beta
    (0.553, 11.67, 0.606, 10.58),  # alpha > beta
    (0.553, 10.0, 0.606, 10.0),  # alpha = beta
    (1.7, 0.4, 0.2, 30.0),
    (0.05, 25.0, 3.0, 0.3),
])
@pytest.mark.parametrize("x, tx, T", [(0, 0.0, 39.0), (1, 3.0, 39.0), (4, 30.5, 38.0),
                                      (12, 38.9, 39.0), (0, 0.0, 1e-3)])
def test_integral_equals_the_hypergeometric_form(params, x, tx, T):
    ours = log_death_integral(params, np.array([x], float), np.array([tx]), np.array([T]))[0]
    assert ours[0] == pytest.approx(hypergeometric_log_integral(*params, x, tx, T), rel=1e-9)


def test_integral_against_adaptive_quadrature():
    rng = np.random.default_rng(11)
    for _ in range(60):
        r, alpha, s, beta = np.exp(rng.uniform(np.log(1e-3), np.log(1e3), 4))
        T = float(np.exp(rng.uniform(np.log(1e-3), np.log(100))))
        x = float(rng.choice([0, 1, 3, 30, 300, 3000]))
        tx = 0.0 if x == 0 else T * rng.uniform()
        ours = log_death_integral((r, alpha, s, beta), np.array([x]), np.array([tx]),
                                  np.array([T]))[0][0]
        ref = reference_log_integral(r, alpha, s, beta, x, tx, T)
        assert ours == pytest.approx(ref, rel=1e-10, abs=1e-9), (r, alpha, s, beta, x, tx, T)


def test_quadrature_tiers_as_accurate_as_64_nodes(monkeypatch):
    """The 12/24/32-node rules give what 64 nodes give, over a wide random box."""
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(400):
        p = tuple(np.exp(rng.uniform(np.log(1e-3), np.log(300), 4)))
        T = float(np.exp(rng.uniform(np.log(1e-6), np.log(300))))
        x = float(rng.choice([0, 1, 2, 5, 30, 300, 5000]))
        tx = 0.0 if x == 0 else T * rng.uniform() ** rng.choice([0.1, 1.0, 5.0])
        rows.append((p, x, tx, T))

    def run():
        out = []
        for p, x, tx, T in rows:
            v, g = log_death_integral(p, np.array([x]), np.array([tx]), np.array([T]), True)
            out.append(np.concatenate([v, g[0]]))
        return np.array(out)

    ours = run()
    monkeypatch.setattr(pnbd, "_TIERS", ((pnbd._rule(64), np.inf, np.inf),))
    ref = run()
    scale = np.maximum(1.0, np.abs(ref))
    assert np.max(np.abs(ours[:, 0] - ref[:, 0]) / scale[:, 0]) < 1e-12
    assert np.max(np.abs(ours[:, 1:] - ref[:, 1:]) / scale[:, 1:]) < 1e-8


def _stress_rows():
    x = np.array([0.0, 1, 2, 7, 30, 500, 5000, 5000, 1, 0])
    tx = np.array([0.0, 1e-7, 0.5, 20, 38.9, 30, 1e-7, 38.99, 39, 0])
    T = np.array([39.0, 1e-6, 39, 39, 39, 39, 1e-6, 39, 39, 1e-6])
    return x, tx, T


POINTS = [
    (0.553, 10.58, 0.606, 11.67),
    (1e-4, 1e-4, 1e-4, 1e-4),
    (1e4, 1e4, 1e4, 1e4),
    (1e-4, 1e4, 1e-4, 1e4),
    (1e4, 1e-4, 1e4, 1e-4),
    (1e-4, 1e4, 1e4, 1e-4),
    (1e4, 1e-4, 1e-4, 1e4),
]


@pytest.mark.parametrize("params", POINTS)
def test_loglik_gradient_and_predictions_finite_at_extremes(params):
    x, tx, T = _stress_rows()
    ll, g = pareto_nbd_loglik(params, x, tx, T, grad=True)
    assert np.isfinite(ll).all() and np.isfinite(g).all()
    e = pareto_nbd_conditional_purchases(params, x, tx, T, 39.0)
    assert np.isfinite(e).all() and (e >= 0).all()


def test_gradient_against_finite_differences():
    rng = np.random.default_rng(2)
    x, tx, T = _stress_rows()
    points = [np.array(p) for p in POINTS[:1]] + [
        np.exp(rng.uniform(np.log(1e-3), np.log(1e3), 4)) for _ in range(10)]
    h = 1e-5
    for params in points:
        ll, g = pareto_nbd_loglik(params, x, tx, T, grad=True)
        r = params[0]
        noise = 1e-13 * (1 + np.abs(ll) + np.abs(gammaln(r + x)) + abs(gammaln(r))) / h
        for i in range(4):
            up, dn = params.copy(), params.copy()
            up[i] *= np.exp(h)
            dn[i] *= np.exp(-h)
            fd = (pareto_nbd_loglik(up, x, tx, T)[0] - pareto_nbd_loglik(dn, x, tx, T)[0]) / (
                2 * h)
            exact = g[:, i] * params[i]
            bad = np.abs(fd - exact) > 1e-6 * np.abs(exact) + noise
            assert not bad.any(), (params, i, exact[bad], fd[bad])


# ------------------------------------------------------------------ behaviour


def test_probability_alive_and_expected_purchases(fitted, cdnow_cal):
    p = fitted.expected_probability_alive(cdnow_cal)
    # a customer who bought on the last day of the observation is alive for sure
    last_day = cdnow_cal["recency"] == cdnow_cal["T"]
    assert last_day.any() and (p[last_day] == 1).all()
    assert ((p > 0) & (p < 1))[~last_day].all()
    # a one-time buyer who bought long ago is less likely alive than a recent one
    frame = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": [1.0, 10.0, 39.0]})
    assert (np.diff(fitted.expected_probability_alive(frame).to_numpy()) < 0).all()
    e = fitted.expected_purchases(cdnow_cal, 39)
    assert e.name == "expected_purchases" and (e >= 0).all()
    # s = 1: the limit of [1 - (beta / (beta + t))^(s - 1)] / (s - 1) is log1p(t / beta)
    new = pnbd.pareto_nbd_new_customer_purchases((0.5, 10.0, 1.0, 12.0), np.array([39.0]))
    assert new[0] == pytest.approx(0.5 / 10.0 * 12.0 * np.log1p(39.0 / 12.0), rel=1e-12)


def test_no_repeat_purchase_raises_convergence_error():
    frame = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": np.linspace(1, 52, 300)})
    with pytest.raises(ConvergenceError) as err:
        ParetoNBDModel().fit(frame)
    assert "No customer in the data made a repeat purchase" in str(err.value)
    assert "penalizer_coef" in str(err.value)


def test_simulated_truth_recovered():
    """The true parameters lie inside the 95% intervals for most of 20 seeds."""
    truth = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}
    inside = np.zeros(4, dtype=int)
    for seed in range(20):
        s = ParetoNBDModel().fit(simulate_pnbd(5000, **truth, seed=seed)).summary()
        true = np.array(list(truth.values()))
        inside += (s["lower_95"].to_numpy() <= true) & (true <= s["upper_95"].to_numpy())
    counts = dict(zip(truth, inside.tolist(), strict=True))
    assert (inside >= 16).all(), f"true values inside the 95% intervals, of 20 seeds: {counts}"
