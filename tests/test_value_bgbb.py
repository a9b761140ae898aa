"""BetaGeoBetaBinomModel: the published donations fit, lifetimes as an oracle, simulated truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime
from scipy.special import betaln

from segkit.datasets._donations import load_donations
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.value.bgbb import BetaGeoBetaBinomModel, _sum_survival

# Fader, Hardie & Shang (2010), Marketing Science 29 (6), on the donations data.
PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
PUBLISHED_LL = -33225.6


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return load_donations()


@pytest.fixture(scope="module")
def fitted(donations) -> BetaGeoBetaBinomModel:
    return BetaGeoBetaBinomModel().fit(donations, weights_col="weights")


@pytest.fixture(scope="module")
def lifetimes_fit(donations):
    lifetimes = pytest.importorskip("lifetimes")
    d = donations
    return lifetimes.BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["n_periods"],
                                                  d["weights"])


def test_the_donations_data(donations):
    # 11,104 donors in 22 distinct histories, 6 opportunities each
    assert donations.shape == (22, 4)
    assert int(donations["weights"].sum()) == 11104
    assert set(donations["n_periods"]) == {6}
    assert int(donations.loc[donations["frequency"] == 0, "weights"].sum()) == 3464
    datasets = pytest.importorskip("lifetimes.datasets")
    theirs = datasets.load_donations().rename(columns={"periods": "n_periods"})
    pd.testing.assert_frame_equal(donations, theirs, check_dtype=False)


def test_published_fit_to_three_significant_digits(fitted):
    assert fitted.params_.round(3).to_dict() == PUBLISHED
    assert round(fitted.log_likelihood_, 1) == PUBLISHED_LL
    assert fitted.n_obs_ == 11104 and fitted.n_distinct_ == 22


def test_one_row_per_donor_gives_the_same_fit(donations, fitted):
    rows = donations.loc[donations.index.repeat(donations["weights"])].drop(columns="weights")
    assert len(rows) == 11104
    model = BetaGeoBetaBinomModel().fit(rows.reset_index(drop=True))
    assert model.n_distinct_ == 22
    assert model.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-10)
    np.testing.assert_allclose(model.params_, fitted.params_, rtol=1e-6)


def test_same_optimum_as_lifetimes(donations, fitted, lifetimes_fit):
    ref_ll = -lifetimes_fit._negative_log_likelihood_ * donations["weights"].sum()
    assert fitted.log_likelihood_ == pytest.approx(ref_ll, rel=1e-6)
    assert fitted.log_likelihood_ >= ref_ll - 1e-6
    np.testing.assert_allclose(fitted.params_.to_numpy(), lifetimes_fit.params_.to_numpy(),
                               rtol=1e-4)
    np.testing.assert_allclose(fitted.standard_errors_.to_numpy(),
                               lifetimes_fit.standard_errors_.to_numpy(), rtol=1e-3)


@pytest.mark.parametrize("future_t", [1, 5, 10])
def test_predictions_equal_lifetimes(donations, fitted, lifetimes_fit, future_t):
    d = donations
    # lifetimes predicts with its own optimum: compare at the same parameters
    model = BetaGeoBetaBinomModel()
    model.params_ = lifetimes_fit.params_.copy()
    model.columns_ = fitted.columns_
    args = (d["frequency"], d["recency"], d["n_periods"])
    np.testing.assert_allclose(
        model.expected_purchases(d, future_t=future_t),
        lifetimes_fit.conditional_expected_number_of_purchases_up_to_time(future_t, *args),
        rtol=1e-9)
    for t in (0, future_t):
        np.testing.assert_allclose(
            model.expected_probability_alive(d, future_t=t),
            lifetimes_fit.conditional_probability_alive(t, *args), rtol=1e-9)


def test_new_customer_purchases_equal_the_distribution_of_lifetimes(donations, fitted,
                                                                    lifetimes_fit):
    model = BetaGeoBetaBinomModel()
    model.params_ = lifetimes_fit.params_.copy()
    # lifetimes gives P(X(6) = x) * 11104 for x = 0..6 (the whole support): its mean is E[X(6)]
    table = lifetimes_fit.expected_number_of_transactions_in_first_n_periods(6)["model"]
    assert list(table.index) == list(range(7))
    mean = float((table.index * table).sum() / donations["weights"].sum())
    assert model.expected_purchases_new_customer(6) == pytest.approx(mean, rel=1e-9)
    assert round(fitted.expected_purchases_new_customer(6), 3) == 2.22


def test_prediction_shapes_and_identities(donations, fitted):
    d = donations.set_index(pd.Index([f"h{i}" for i in range(22)]))
    ep = fitted.expected_purchases(d, future_t=5)
    pa = fitted.expected_probability_alive(d)
    assert ep.name == "expected_purchases" and pa.name == "probability_alive"
    assert list(ep.index) == list(d.index) == list(pa.index)
    assert ((pa >= 0) & (pa <= 1)).all()
    # a donor whose last donation is at the last opportunity is alive there
    assert np.allclose(pa[d["recency"] == d["n_periods"]], 1.0)
    # more future opportunities, more purchases; P(alive) falls with the horizon
    assert (fitted.expected_purchases(d, future_t=10) > ep).all()
    assert (fitted.expected_probability_alive(d, future_t=3) < pa + 1e-15).all()
    assert fitted.expected_purchases(d, future_t=0).eq(0).all()
    # one future_t per row
    per_row = fitted.expected_purchases(d, future_t=np.arange(22) % 3)
    assert per_row.iloc[4] == pytest.approx(fitted.expected_purchases(d.iloc[[4]], 1).iloc[0])
    # new customers: 0 at t = 0, vectorised
    out = fitted.expected_purchases_new_customer([0, 1, 6])
    assert out[0] == 0 and np.all(np.diff(out) > 0)
    a, b = fitted.params_["alpha"], fitted.params_["beta"]
    g, dl = fitted.params_["gamma"], fitted.params_["delta"]
    # E[X(1)] = E[p] P(alive at 1) = a/(a+b) * d/(g+d)
    assert out[1] == pytest.approx(a / (a + b) * dl / (g + dl), rel=1e-12)


def test_predictions_read_the_columns_named_at_fit(donations):
    d = donations.rename(columns={"frequency": "x", "recency": "tx", "n_periods": "n"})
    model = BetaGeoBetaBinomModel().fit(d, frequency_col="x", recency_col="tx",
                                        n_periods_col="n", weights_col="weights")
    assert model.expected_purchases(d, 2).notna().all()
    with pytest.raises(SchemaError, match="column 'x' is missing"):
        model.expected_probability_alive(donations)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ({"frequency": [1, 2], "recency": [3, 7], "n_periods": [6, 6]}, "recency must be <= n_periods"),
        ({"frequency": [3, 2], "recency": [2, 4], "n_periods": [6, 6]}, "frequency must be <= recency"),
        ({"frequency": [0, 2], "recency": [2, 4], "n_periods": [6, 6]}, "recency must be 0 when"),
        ({"frequency": [1.5, 2], "recency": [2, 4], "n_periods": [6, 6]}, "whole numbers"),
        ({"frequency": [1, -2], "recency": [2, 4], "n_periods": [6, 6]}, "whole numbers >= 0"),
        ({"frequency": [1, None], "recency": [2, 4], "n_periods": [6, 6]}, "no missing"),
        ({"frequency": [1, 2], "recency": [2, 4]}, "column 'n_periods' is missing"),
    ],
)
def test_bad_histories_are_refused_with_the_rows(rows, match):
    with pytest.raises(SchemaError, match=match) as err:
        BetaGeoBetaBinomModel().fit(pd.DataFrame(rows))
    assert "summary" in str(err.value)


def test_bad_weights_and_arguments(donations):
    with pytest.raises(SchemaError, match="weights"):
        BetaGeoBetaBinomModel().fit(donations.assign(weights=-1), weights_col="weights")
    with pytest.raises(SchemaError, match="column 'w' is missing"):
        BetaGeoBetaBinomModel().fit(donations, weights_col="w")
    with pytest.raises(ParameterError, match="DataFrame"):
        BetaGeoBetaBinomModel().fit(donations.to_numpy())
    with pytest.raises(ParameterError, match="penalizer_coef"):
        BetaGeoBetaBinomModel(penalizer_coef=-0.1).fit(donations)
    with pytest.raises(NotFittedError):
        BetaGeoBetaBinomModel().expected_purchases(donations, 1)
    model = BetaGeoBetaBinomModel().fit(donations, weights_col="weights")
    with pytest.raises(ParameterError, match="future_t"):
        model.expected_purchases(donations, future_t=1.5)
    with pytest.raises(ParameterError, match="future_t"):
        model.expected_probability_alive(donations, future_t=[1, 2])
    with pytest.raises(ParameterError, match="t must be"):
        model.expected_purchases_new_customer(-1)


def test_the_input_is_not_modified(donations):
    before = donations.copy()
    model = BetaGeoBetaBinomModel().fit(donations, weights_col="weights")
    model.expected_purchases(donations, 3)
    model.expected_probability_alive(donations, 2)
    pd.testing.assert_frame_equal(donations, before)


# ----------------------------------------------------------------- numerics


def slow_loglik(params, x, tx, n):
    """Eq. 5 of the paper term by term, with math.lgamma and a max-shifted log-sum-exp."""
    a, b, g, d = params

    def lb(u, v):
        return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)

    out = []
    for xi, ti, ni in zip(x, tx, n, strict=True):
        terms = [lb(a + xi, b + ni - xi) + lb(g, d + ni)]
        terms += [lb(a + xi, b + ti - xi + i) + lb(g + 1, d + ti + i)
                  for i in range(int(ni - ti))]
        top = max(terms)
        out.append(top + math.log(math.fsum(math.exp(t - top) for t in terms))
                   - lb(a, b) - lb(g, d))
    return np.array(out)


HISTORIES = (
    np.array([0.0, 1, 1, 3, 6, 0, 2, 200, 3000, 5]),      # x
    np.array([0.0, 1, 4, 5, 6, 0, 9, 350, 4000, 5]),      # t_x
    np.array([6.0, 6, 6, 6, 6, 12, 12, 1000, 5000, 5]),   # n: several n at once
)
POINTS = [(1.204, 0.750, 0.657, 2.783), (1e-3, 1e-3, 1e-3, 1e-3), (100.0, 200.0, 50.0, 500.0),
          (0.01, 50.0, 5.0, 0.02), (3.0, 0.2, 1.0, 1.0)]


@pytest.mark.parametrize("params", POINTS)
def test_loglik_equals_a_slow_reference_and_stays_finite(params):
    ours = BetaGeoBetaBinomModel()._loglik(np.array(params), HISTORIES)[0]
    assert np.all(np.isfinite(ours))  # frequencies in the thousands included
    np.testing.assert_allclose(ours, slow_loglik(params, *HISTORIES), rtol=1e-9, atol=1e-8)


@pytest.mark.parametrize("params", POINTS)
def test_analytic_gradient_equals_finite_differences(params):
    model = BetaGeoBetaBinomModel()
    w = np.arange(1.0, 11.0)
    p = np.array(params)
    _, g = model._loglik(p, HISTORIES, grad=True)
    assert np.all(np.isfinite(g))

    def f(z):
        return float(w @ model._loglik(np.exp(z), HISTORIES)[0])

    fd = approx_fprime(np.log(p), f, 1e-7)
    np.testing.assert_allclose((w @ g) * p, fd, rtol=1e-5, atol=1e-5 * max(1, np.abs(fd).max()))


@pytest.mark.parametrize("gamma", [0.3, 0.99, 1 - 1e-3, 1 - 1e-9, 1.0, 1 + 1e-7, 1.005, 1.01, 4.0])
@pytest.mark.parametrize("delta", [0.2, 2.8, 40.0])
def test_sum_of_survival_closed_form_is_stable_at_gamma_one(gamma, delta):
    for m0, m1 in [(0, 0), (0, 1), (0, 6), (6, 11), (100, 1000)]:
        k = np.arange(m0 + 1, m1 + 1)
        direct = math.fsum(np.exp(betaln(gamma, delta + k) - betaln(gamma, delta)))
        got = float(_sum_survival(gamma, delta, np.float64(m0), np.float64(m1)))
        assert got == pytest.approx(direct, rel=1e-10, abs=1e-300), (m0, m1)


def test_predictions_are_continuous_through_gamma_one(donations):
    d = donations
    values = []
    for g in (1 - 1e-6, 1.0, 1 + 1e-6):
        model = BetaGeoBetaBinomModel()
        model.params_ = pd.Series([1.2, 0.75, g, 2.8], index=["alpha", "beta", "gamma", "delta"])
        model.columns_ = {"frequency": "frequency", "recency": "recency",
                          "n_periods": "n_periods"}
        values.append(model.expected_purchases(d, 5).to_numpy())
        assert np.all(np.isfinite(values[-1]))
    np.testing.assert_allclose(values[0], values[1], rtol=1e-5)
    np.testing.assert_allclose(values[2], values[1], rtol=1e-5)


# ----------------------------------------------------------------- simulated truth

TRUTH = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}


def simulate_bgbb(seed: int, n_customers: int = 4000, n_periods: int = 8) -> pd.DataFrame:
    """BG/BB histories drawn with numpy: p ~ Beta(alpha, beta), theta ~ Beta(gamma, delta).

    At every opportunity an alive customer first dies with probability theta, then (if
    still alive) buys with probability p.
    """
    rng = np.random.default_rng(seed)
    p = rng.beta(TRUTH["alpha"], TRUTH["beta"], n_customers)
    theta = rng.beta(TRUTH["gamma"], TRUTH["delta"], n_customers)
    alive = np.cumprod(rng.random((n_customers, n_periods)) >= theta[:, None], axis=1)
    buy = (rng.random((n_customers, n_periods)) < p[:, None]) & alive.astype(bool)
    opportunity = np.arange(1, n_periods + 1)
    return pd.DataFrame({
        "frequency": buy.sum(axis=1),
        "recency": np.where(buy, opportunity, 0).max(axis=1),
        "n_periods": n_periods,
    })


def test_simulated_truth_recovered():
    inside = dict.fromkeys(TRUTH, 0)
    for seed in range(20):
        s = BetaGeoBetaBinomModel().fit(simulate_bgbb(seed)).summary()
        for k, v in TRUTH.items():
            inside[k] += bool(s.loc[k, "lower_95"] <= v <= s.loc[k, "upper_95"])
    # nominal 19 of 20; at least 16 of 20 for each parameter (P(fail) < 0.3% each)
    assert all(c >= 16 for c in inside.values()), inside
