"""BG/NBD (segkit.value.bgnbd): published CDNOW results, lifetimes, numerics, recovery."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import betaln, gammaln

from segkit.datasets import load_cdnow
from segkit.exceptions import ConvergenceError, NotFittedError, ParameterError, SchemaError
from segkit.features import calibration_holdout_summary
from segkit.value.bgnbd import (
    BetaGeoModel,
    alive_purchases,
    beta_geo_conditional_purchases,
    beta_geo_loglik,
)

COLS = ["frequency", "recency", "T"]


@pytest.fixture(scope="module")
def fitted(cdnow_cal) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow_cal)


@pytest.fixture(scope="module")
def lifetimes_fit(cdnow_cal):
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifetimes.BetaGeoFitter().fit(cdnow_cal["frequency"], cdnow_cal["recency"],
                                              cdnow_cal["T"])


def simulate_bgnbd(n, r, alpha, a, b, seed, modified=False, T_min=0.0, T_max=52.0):
    """BG/NBD (or MBG/NBD) customer summaries drawn with numpy from known parameters.

    ``T`` uniform on (T_min, T_max]; ``lambda ~ Gamma(r, alpha)``, ``p ~ Beta(a, b)``;
    the number of repeat purchases made before dropping out is geometric (from 1 for
    the BG/NBD, from 0 for the MBG/NBD, which can drop out at the first purchase); the
    observed ``x`` is the smaller of it and the Poisson count in (0, T], and ``t_x`` is
    the x-th of the count's uniform arrival times (a Beta order statistic).
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(T_min, T_max, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    count = rng.poisson(lam * T)
    alive_for = rng.geometric(p) - (1 if modified else 0)
    x = np.minimum(count, alive_for)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), count - x + 1), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T})


def assert_gradient(f, params, magnitude=0.0, rtol=1e-6):
    """The analytic gradient of ``f`` (per-row values) against central differences.

    Compared on the log scale of the parameters (``p * d/dp``, as the fit searches), so
    that parameters of 1e-4 and 1e4 are checked alike. The differences carry the
    rounding of the function: about 1e-15 times the size of the terms it adds up
    (``magnitude``: e.g. ``lgamma(r)`` for ``r`` in the thousands) divided by the step.
    """
    params = np.asarray(params, float)
    ll, g = f(params, True)
    h = 1e-5
    noise = 1e-14 * (1 + np.abs(ll) + magnitude) / h
    for i in range(len(params)):
        up, dn = params.copy(), params.copy()
        up[i] *= np.exp(h)
        dn[i] *= np.exp(-h)
        fd = (f(up, False)[0] - f(dn, False)[0]) / (2 * h)
        exact = g[:, i] * params[i]
        bad = np.abs(fd - exact) > rtol * np.abs(exact) + noise
        assert not bad.any(), (params, i, exact[bad], fd[bad])


# ------------------------------------------------------------------ published results


def test_cdnow_summary_is_the_papers_2357_customers(cdnow_cal):
    assert len(cdnow_cal) == 2357
    cal = calibration_holdout_summary(load_cdnow(), "1997-09-30", freq="D", freq_multiplier=7)
    assert len(cal) == 2357
    np.testing.assert_array_equal(cal[["frequency_cal", "recency_cal", "T_cal"]].to_numpy(),
                                  cdnow_cal[COLS].to_numpy())
    assert cdnow_cal["frequency"].sum() == 2457  # repeat transactions in the calibration


def test_published_bgnbd_cdnow(fitted):
    # Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4
    p = fitted.params_
    assert list(p.index) == ["r", "alpha", "a", "b"]
    assert (round(p["r"], 3), round(p["alpha"], 3), round(p["a"], 3), round(p["b"], 3)) == (
        0.243, 4.414, 0.793, 2.426)
    assert round(fitted.log_likelihood_, 1) == -9582.4
    assert fitted.n_obs_ == 2357 and fitted.n_distinct_ < 2357


def test_summary_table(fitted):
    s = fitted.summary()
    assert list(s.columns) == ["estimate", "standard_error", "lower_95", "upper_95"]
    assert list(s.index) == ["r", "alpha", "a", "b"]
    assert (s["lower_95"] < s["estimate"]).all() and (s["estimate"] < s["upper_95"]).all()
    assert np.isfinite(s.to_numpy()).all()


def test_fit_does_not_modify_input_and_returns_self(cdnow_cal):
    before = cdnow_cal.copy()
    model = BetaGeoModel()
    assert model.fit(cdnow_cal) is model
    pd.testing.assert_frame_equal(cdnow_cal, before)


# ------------------------------------------------------------------ lifetimes


def test_same_optimum_as_lifetimes(fitted, lifetimes_fit, cdnow_cal):
    x, tx, T = (cdnow_cal[c].to_numpy() for c in COLS)
    theirs = lifetimes_fit.params_[["r", "alpha", "a", "b"]].to_numpy()
    ll_theirs = beta_geo_loglik(theirs, x, tx, T)[0].sum()
    # lifetimes' own function, in the data's time unit, agrees with ours
    ll_lifetimes = -type(lifetimes_fit)._negative_log_likelihood(
        np.log(theirs), x, tx, T, np.ones(len(x)), 0.0) * len(x)
    assert ll_lifetimes == pytest.approx(ll_theirs, rel=1e-12)
    assert fitted.log_likelihood_ == pytest.approx(ll_theirs, rel=1e-6)
    assert fitted.log_likelihood_ >= ll_theirs - 1e-6
    np.testing.assert_allclose(fitted.params_.to_numpy(), theirs, rtol=1e-3)
    np.testing.assert_allclose(fitted.standard_errors_.to_numpy(),
                               lifetimes_fit.standard_errors_.to_numpy(), rtol=1e-3)


def test_predictions_equal_lifetimes(fitted, lifetimes_fit, cdnow_cal):
    model = BetaGeoModel().fit(cdnow_cal)
    model.params_ = lifetimes_fit.params_[["r", "alpha", "a", "b"]].copy()
    x, tx, T = (cdnow_cal[c].to_numpy() for c in COLS)
    for t in (1.0, 39.0, 52.0):
        ours = model.expected_purchases(cdnow_cal, future_t=t).to_numpy()
        theirs = lifetimes_fit.conditional_expected_number_of_purchases_up_to_time(t, x, tx, T)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose(model.expected_probability_alive(cdnow_cal).to_numpy(),
                               lifetimes_fit.conditional_probability_alive(x, tx, T), rtol=1e-6)
    ts = np.array([0.5, 1.0, 13.0, 39.0, 78.0, 520.0])
    np.testing.assert_allclose(model.expected_purchases_new_customer(ts),
                               lifetimes_fit.expected_number_of_purchases_up_to_time(ts),
                               rtol=1e-6)


def test_predictions_where_lifetimes_fails():
    # lifetimes returns NaN for a new customer here (2F1 overflows in both of its forms)
    lifetimes = pytest.importorskip("lifetimes")
    params = (1e4, 1e-4, 1e4, 1e-4)
    f = lifetimes.BetaGeoFitter()
    f.params_ = pd.Series(dict(zip(["r", "alpha", "a", "b"], params, strict=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(f.expected_number_of_purchases_up_to_time(np.array([1.0]))).all()
    zero = np.zeros(1)
    ours = beta_geo_conditional_purchases(params, zero, zero, zero, 1.0)
    # a customer who buys at once and then leaves with p ~ Beta(1e4, 1e-4): E[1/p] = 1 + 1e-8
    assert ours[0] == pytest.approx(1.0 + 1e-8, rel=1e-8)


# ------------------------------------------------------------------ numerics


def _alive_purchases_reference(m, a, bp, tau):
    """E[(1 - (1 + p tau)^-m) / p], p ~ Beta(a, bp), by adaptive quadrature (a, bp >= 1)."""
    def f(p):
        return np.exp((a - 1) * np.log(p) + (bp - 1) * np.log1p(-p) - betaln(a, bp)) * (
            -np.expm1(-m * np.log1p(p * tau)) / p)

    return integrate.quad(f, 0, 1, epsabs=0, epsrel=1e-12, limit=200)[0]


@pytest.mark.parametrize("m, a, bp, tau", [
    (0.3, 1.5, 3.0, 1.0),
    (5.2, 2.5, 7.0, 0.2),
    (1000.3, 1.2, 1001.0, 2.0),  # frequency 1000
    (5000.5, 3.0, 5002.0, 0.8),  # frequency 5000
    (0.5, 1.0 + 3e-6, 2.0, 1.5),  # a next to its removable singularity
    (2.0, 4.0, 3.0, 1e-7),  # a horizon so short that the closed form cancels
    (0.7, 1.3, 1.1, 300.0),  # a long horizon
])
def test_alive_purchases_against_quadrature(m, a, bp, tau):
    ours = alive_purchases(np.array([m]), a, np.array([bp]), np.array([tau]))[0]
    assert ours == pytest.approx(_alive_purchases_reference(m, a, bp, tau), rel=1e-8)


def _stress_rows():
    x = np.array([0.0, 1, 2, 7, 30, 500, 5000, 5000, 1, 0])
    tx = np.array([0.0, 1e-7, 0.5, 20, 38.9, 30, 1e-7, 38.99, 39, 0])
    T = np.array([39.0, 1e-6, 39, 39, 39, 39, 1e-6, 39, 39, 1e-6])
    return x, tx, T


POINTS = [
    (0.243, 4.414, 0.793, 2.426),
    (1e-4, 1e-4, 1e-4, 1e-4),
    (1e4, 1e4, 1e4, 1e4),
    (1e-4, 1e4, 1e-4, 1e4),
    (1e4, 1e-4, 1e4, 1e-4),
    (2.5, 0.01, 300.0, 0.02),
]


@pytest.mark.parametrize("modified", [False, True])
@pytest.mark.parametrize("params", POINTS)
def test_loglik_and_gradient_finite_at_extremes(params, modified):
    x, tx, T = _stress_rows()
    ll, g = beta_geo_loglik(params, x, tx, T, grad=True, modified=modified)
    assert np.isfinite(ll).all() and np.isfinite(g).all()


@pytest.mark.parametrize("modified", [False, True])
def test_gradient_against_finite_differences(modified):
    rng = np.random.default_rng(7)
    x, tx, T = _stress_rows()
    points = [np.array(p) for p in POINTS[:1]] + [
        np.exp(rng.uniform(np.log(1e-3), np.log(1e3), 4)) for _ in range(8)
    ]
    for params in points:
        r, _, a, b = params
        size = (np.abs(gammaln(r + x)) + abs(gammaln(r)) + np.abs(betaln(a, b + x + 1))
                + abs(betaln(a, b)))
        assert_gradient(lambda p, grad: beta_geo_loglik(p, x, tx, T, grad, modified), params,
                        size)


def test_predictions_finite_at_extremes():
    x, tx, T = _stress_rows()
    for params in POINTS:
        e = beta_geo_conditional_purchases(params, x, tx, T, 39.0)
        assert np.isfinite(e).all() and (e >= 0).all(), params


# ------------------------------------------------------------------ behaviour


def test_one_time_buyers_are_alive_in_bgnbd(fitted, cdnow_cal):
    p = fitted.expected_probability_alive(cdnow_cal)
    one_time = cdnow_cal["frequency"] == 0
    assert (p[one_time] == 1.0).all()
    assert (p[~one_time] < 1.0).all() and (p[~one_time] > 0.0).all()


def test_predictions_keep_the_index_and_take_a_horizon_per_row(fitted, cdnow_cal):
    data = cdnow_cal.iloc[::-1].set_index("customer_id")
    e = fitted.expected_purchases(data, future_t=10)
    assert e.name == "expected_purchases" and e.index.equals(data.index)
    horizons = np.linspace(0, 52, len(data))
    per_row = fitted.expected_purchases(data, future_t=horizons)
    one = fitted.expected_purchases(data.iloc[[100]], future_t=horizons[100])
    assert per_row.iloc[100] == pytest.approx(one.iloc[0], rel=1e-12)
    assert per_row.iloc[0] == 0.0
    assert fitted.expected_probability_alive(data).name == "probability_alive"
    assert isinstance(fitted.expected_purchases_new_customer(39), float)


def test_expected_purchases_grow_with_the_horizon(fitted, cdnow_cal):
    a = fitted.expected_purchases(cdnow_cal, 10).to_numpy()
    b = fitted.expected_purchases(cdnow_cal, 20).to_numpy()
    assert (b > a).all()
    new = fitted.expected_purchases_new_customer(np.array([0.0, 1.0, 10.0, 100.0]))
    assert new[0] == 0 and (np.diff(new) > 0).all()


def test_weights_col_equals_one_row_per_customer(fitted, cdnow_cal):
    grouped = cdnow_cal.groupby(COLS).size().rename("n").reset_index()
    model = BetaGeoModel().fit(grouped, weights_col="n")
    np.testing.assert_allclose(model.params_, fitted.params_, rtol=1e-6)
    assert model.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-10)


def test_other_column_names(cdnow_cal, fitted):
    renamed = cdnow_cal.rename(columns={"frequency": "x", "recency": "t_x", "T": "age"})
    model = BetaGeoModel().fit(renamed, frequency_col="x", recency_col="t_x", T_col="age")
    np.testing.assert_allclose(model.params_, fitted.params_, rtol=1e-9)
    assert model.expected_probability_alive(renamed).iloc[0] == pytest.approx(
        fitted.expected_probability_alive(cdnow_cal).iloc[0])


def test_penalizer_shrinks(cdnow_cal, fitted):
    model = BetaGeoModel(penalizer_coef=0.1).fit(cdnow_cal)
    assert (model.params_ ** 2).sum() < (fitted.params_ ** 2).sum()
    assert model.log_likelihood_ < fitted.log_likelihood_
    for bad in (-1.0, float("nan"), "0.1"):
        with pytest.raises(ParameterError, match="penalizer_coef"):
            BetaGeoModel(penalizer_coef=bad).fit(cdnow_cal)


def test_not_fitted():
    model = BetaGeoModel()
    frame = pd.DataFrame({"frequency": [1.0], "recency": [1.0], "T": [2.0]})
    with pytest.raises(NotFittedError, match="fit"):
        model.expected_purchases(frame, 1.0)
    with pytest.raises(NotFittedError):
        model.summary()


def test_bad_horizon(fitted, cdnow_cal):
    with pytest.raises(ParameterError, match="future_t"):
        fitted.expected_purchases(cdnow_cal, -1)
    with pytest.raises(ParameterError, match="future_t"):
        fitted.expected_purchases(cdnow_cal, np.ones(3))
    with pytest.raises(ParameterError, match="t must"):
        fitted.expected_purchases_new_customer(float("inf"))


# ------------------------------------------------------------------ bad data


@pytest.mark.parametrize("change, column, words", [
    ({"frequency": [-1.0, 0.0, 2.0]}, "frequency", ">= 0"),
    ({"frequency": [1.5, 0.0, 2.0]}, "frequency", "whole number"),
    ({"recency": [-1.0, 0.0, 3.0]}, "recency", ">= 0"),
    ({"recency": [5.0, 0.0, 3.0]}, "recency", "<= T"),
    ({"recency": [2.0, 1.0, 3.0]}, "recency", "0 when frequency is 0"),
    ({"T": [np.nan, 4.0, 5.0]}, "T", "finite numbers"),
    ({"frequency": ["a", "0", "2"]}, "frequency", "finite numbers"),
])
def test_schema_errors_name_column_and_rows(change, column, words):
    frame = pd.DataFrame({"frequency": [1.0, 0.0, 2.0], "recency": [2.0, 0.0, 3.0],
                          "T": [4.0, 4.0, 5.0]}, index=["c1", "c2", "c3"])
    frame = frame.assign(**change)
    with pytest.raises(SchemaError, match=words) as err:
        BetaGeoModel().fit(frame)
    assert err.value.column == column
    assert f"column '{column}'" in str(err.value)
    assert err.value.examples is not None and len(err.value.examples) >= 1
    assert set(err.value.examples.index) <= {"c1", "c2", "c3"}


def test_schema_error_missing_column_and_other_rules_listed():
    with pytest.raises(SchemaError, match="missing.*recency_col"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1.0], "T": [2.0]}))
    frame = pd.DataFrame({"frequency": [-1.0, 1.0], "recency": [0.0, 9.0], "T": [1.0, 2.0]})
    with pytest.raises(SchemaError) as err:
        BetaGeoModel().fit(frame)
    assert "frequency" in str(err.value) and "recency must be <= T" in str(err.value)
    with pytest.raises(ParameterError, match="DataFrame"):
        BetaGeoModel().fit([[1, 2, 3]])


def test_no_repeat_purchase_raises_convergence_error():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"frequency": 0.0, "recency": 0.0, "T": rng.uniform(1, 52, 500)})
    with pytest.raises(ConvergenceError) as err:
        BetaGeoModel().fit(frame)
    msg = str(err.value)
    assert "No customer in the data made a repeat purchase" in msg
    assert "penalizer_coef" in msg
    assert "nan" not in msg.lower()


# ------------------------------------------------------------------ simulated truth


def test_simulated_truth_recovered():
    """The true parameters lie inside the 95% intervals for most of 20 seeds."""
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    inside = np.zeros(4, dtype=int)
    for seed in range(20):
        data = simulate_bgnbd(5000, **truth, seed=seed)
        s = BetaGeoModel().fit(data).summary()
        true = np.array(list(truth.values()))
        inside += (s["lower_95"].to_numpy() <= true) & (true <= s["upper_95"].to_numpy())
    counts = dict(zip(truth, inside.tolist(), strict=True))
    assert (inside >= 16).all(), f"true values inside the 95% intervals, of 20 seeds: {counts}"
