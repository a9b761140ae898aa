"""MBG/NBD (segkit.value.mbgnbd): published CDNOW results, lifetimes, one-time buyers, recovery."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln, gammaln

from segkit.exceptions import ConvergenceError
from segkit.value.bgnbd import BetaGeoModel, beta_geo_conditional_purchases, beta_geo_loglik
from segkit.value.mbgnbd import ModifiedBetaGeoModel

COLS = ["frequency", "recency", "T"]


@pytest.fixture(scope="module")
def fitted(cdnow_cal) -> ModifiedBetaGeoModel:
    return ModifiedBetaGeoModel().fit(cdnow_cal)


@pytest.fixture(scope="module")
def lifetimes_fit(cdnow_cal):
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifetimes.ModifiedBetaGeoFitter().fit(
            cdnow_cal["frequency"], cdnow_cal["recency"], cdnow_cal["T"])


def simulate_mbgnbd(n, r, alpha, a, b, seed, T_max=52.0):
    """MBG/NBD summaries from known parameters: drop-out possible after every purchase.

    The number of repeat purchases made before dropping out is geometric from 0 (a
    customer may leave right after the first purchase); the observed ``x`` is the
    smaller of it and the Poisson count in (0, T]; ``t_x`` is the x-th arrival time.
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(0.0, T_max, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    count = rng.poisson(lam * T)
    x = np.minimum(count, rng.geometric(p) - 1)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), count - x + 1), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T})


def test_published_mbgnbd_cdnow(fitted):
    # Batislam et al. (2007) / Wagner & Hoppe: r 0.525, alpha 6.183, a 0.891, b 1.614, LL -9582.1
    p = fitted.params_
    assert list(p.index) == ["r", "alpha", "a", "b"]
    assert (round(p["r"], 3), round(p["alpha"], 3), round(p["a"], 3), round(p["b"], 3)) == (
        0.525, 6.183, 0.891, 1.614)
    assert round(fitted.log_likelihood_, 1) == -9582.1
    assert np.isfinite(fitted.summary().to_numpy()).all()


def test_same_optimum_as_lifetimes(fitted, lifetimes_fit, cdnow_cal):
    x, tx, T = (cdnow_cal[c].to_numpy() for c in COLS)
    theirs = lifetimes_fit.params_[["r", "alpha", "a", "b"]].to_numpy()
    ll_theirs = beta_geo_loglik(theirs, x, tx, T, modified=True)[0].sum()
    ll_lifetimes = -type(lifetimes_fit)._negative_log_likelihood(
        np.log(theirs), x, tx, T, np.ones(len(x)), 0.0) * len(x)
    assert ll_lifetimes == pytest.approx(ll_theirs, rel=1e-12)
    assert fitted.log_likelihood_ == pytest.approx(ll_theirs, rel=1e-6)
    assert fitted.log_likelihood_ >= ll_theirs - 1e-6
    np.testing.assert_allclose(fitted.params_.to_numpy(), theirs, rtol=1e-3)


def test_predictions_equal_lifetimes(lifetimes_fit, cdnow_cal):
    model = ModifiedBetaGeoModel().fit(cdnow_cal)
    model.params_ = lifetimes_fit.params_[["r", "alpha", "a", "b"]].copy()
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


def test_lifetimes_fails_for_large_frequencies_segkit_does_not(lifetimes_fit):
    # lifetimes' MBG/NBD conditional expectation: 2F1(r + x, b + x + 1; ...) overflows
    x, tx, T = np.array([5000.0]), np.array([38.0]), np.array([39.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = lifetimes_fit.conditional_expected_number_of_purchases_up_to_time(
            100, x, tx, T)
    assert np.isnan(theirs).all()
    ours = beta_geo_conditional_purchases(lifetimes_fit.params_.to_numpy(), x, tx, T, 100.0,
                                          modified=True)
    assert np.isfinite(ours).all() and ours[0] > 0


def test_one_time_buyers_are_not_all_alive(fitted, cdnow_cal):
    p = fitted.expected_probability_alive(cdnow_cal)
    one_time = cdnow_cal["frequency"] == 0
    assert (p[one_time] < 1).all() and (p[one_time] > 0).all()
    # the longer ago the only purchase, the less likely alive
    frame = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": [1.0, 10.0, 39.0, 100.0]})
    assert (np.diff(fitted.expected_probability_alive(frame).to_numpy()) < 0).all()
    r, alpha, a, b = fitted.params_
    closed = 1 / (1 + a / b * (1 + frame["T"] / alpha) ** r)
    np.testing.assert_allclose(fitted.expected_probability_alive(frame), closed, rtol=1e-12)
    # against the BG/NBD, whose one-time buyers are all alive
    bg = BetaGeoModel().fit(cdnow_cal).expected_probability_alive(cdnow_cal)
    assert (bg[one_time] == 1).all()


def test_gradient_against_finite_differences():
    x = np.array([0.0, 1, 3, 40, 5000])
    tx = np.array([0.0, 0.5, 30, 38, 1e-3])
    T = np.array([39.0, 39, 39, 39, 39])
    rng = np.random.default_rng(3)
    for params in [np.array([0.525, 6.183, 0.891, 1.614])] + [
            np.exp(rng.uniform(np.log(1e-3), np.log(1e3), 4)) for _ in range(6)]:
        ll, g = beta_geo_loglik(params, x, tx, T, grad=True, modified=True)
        h = 1e-5
        r, _, a, b = params
        noise = 1e-14 * (1 + np.abs(ll) + np.abs(gammaln(r + x)) + abs(gammaln(r))
                         + np.abs(betaln(a, b + x + 1)) + abs(betaln(a, b))) / h
        for i in range(4):
            up, dn = params.copy(), params.copy()
            up[i] *= np.exp(h)
            dn[i] *= np.exp(-h)
            fd = (beta_geo_loglik(up, x, tx, T, modified=True)[0]
                  - beta_geo_loglik(dn, x, tx, T, modified=True)[0]) / (2 * h)
            exact = g[:, i] * params[i]
            assert (np.abs(fd - exact) <= 1e-6 * np.abs(exact) + noise).all(), (params, i)


def test_no_repeat_purchase_raises_convergence_error():
    frame = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": np.linspace(1, 52, 300)})
    with pytest.raises(ConvergenceError, match="No customer in the data made a repeat"):
        ModifiedBetaGeoModel().fit(frame)


def test_simulated_truth_recovered():
    """The true parameters lie inside the 95% intervals for most of 20 seeds."""
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
    inside = np.zeros(4, dtype=int)
    for seed in range(20):
        s = ModifiedBetaGeoModel().fit(simulate_mbgnbd(5000, **truth, seed=seed)).summary()
        true = np.array(list(truth.values()))
        inside += (s["lower_95"].to_numpy() <= true) & (true <= s["upper_95"].to_numpy())
    counts = dict(zip(truth, inside.tolist(), strict=True))
    assert (inside >= 16).all(), f"true values inside the 95% intervals, of 20 seeds: {counts}"
