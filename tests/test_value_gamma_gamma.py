"""GammaGammaModel: the published CDNOW fit, lifetimes as an oracle, the simulator's truth."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from segkit.datasets import load_cdnow
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.features import calibration_holdout_summary
from segkit.value.gamma_gamma import (
    INDEPENDENCE_THRESHOLD,
    GammaGammaModel,
    IndependenceCheck,
    check_independence,
)

# Fader & Hardie, "The Gamma-Gamma Model of Monetary Value" (2013): the 946 repeat
# buyers of the CDNOW sample in the 39-week calibration period.
PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}
PUBLISHED_LL = -4055.9


def sig3(v: float) -> float:
    return float(f"{v:.3g}")


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    """The CDNOW sample summarised in weeks (day resolution) up to 1997-09-30.

    ``monetary_value`` is the summary's: the mean value of the repeat purchase days
    (same-day transactions summed), as in lifetimes; this is the definition that
    reproduces the published fit.
    """
    cal = calibration_holdout_summary(
        load_cdnow(sample=True), "1997-09-30", monetary_value_col="amount", freq="D",
        freq_multiplier=7)
    return cal.rename(columns=lambda c: c.removesuffix("_cal"))


@pytest.fixture(scope="module")
def fitted(cdnow_summary) -> GammaGammaModel:
    return GammaGammaModel().fit(cdnow_summary)


def test_cdnow_has_946_repeat_buyers(cdnow_summary):
    assert len(cdnow_summary) == 2357
    assert int((cdnow_summary["frequency"] > 0).sum()) == 946


def test_published_cdnow_fit_to_three_significant_digits(fitted):
    assert {k: sig3(v) for k, v in fitted.params_.items()} == {
        "p": 6.25, "q": 3.74, "gamma": 15.4}
    assert fitted.params_["gamma"] == pytest.approx(PUBLISHED["gamma"], abs=0.005)
    assert round(fitted.log_likelihood_, 1) == PUBLISHED_LL
    assert fitted.n_obs_ == 946
    assert list(fitted.summary().columns) == ["estimate", "standard_error", "lower_95",
                                              "upper_95"]


def test_only_the_mean_of_repeat_purchase_days_reproduces_the_published_fit(cdnow_summary):
    # The note's spend is the summary's: same-day transactions summed into one purchase
    # (112 customer-days of the calibration period hold several transactions). The mean
    # per repeat *transaction* gives p 6.05, q 3.89, gamma 16.4; the mean over all days
    # with the first purchase (include_first_transaction) p 14.3, q 3.95, gamma 7.29.
    tx = load_cdnow(sample=True)
    cal = tx[tx["timestamp"] <= "1997-09-30"]
    first = cal.groupby("customer_id")["timestamp"].transform("min")
    per_tx = cal[cal["timestamp"] > first].groupby("customer_id")["amount"].mean()
    alt = cdnow_summary.set_index("customer_id")
    alt.loc[per_tx.index, "monetary_value"] = per_tx
    p = GammaGammaModel().fit(alt.reset_index()).params_
    assert {k: sig3(v) for k, v in p.items()} == {"p": 6.05, "q": 3.89, "gamma": 16.4}


def test_same_optimum_and_spend_as_lifetimes(cdnow_summary, fitted):
    lifetimes = pytest.importorskip("lifetimes")
    rb = cdnow_summary[cdnow_summary["frequency"] > 0]
    ref = lifetimes.GammaGammaFitter().fit(rb["frequency"], rb["monetary_value"])
    ref_ll = -ref._negative_log_likelihood_ * len(rb)
    assert fitted.log_likelihood_ == pytest.approx(ref_ll, rel=1e-6)
    assert fitted.log_likelihood_ >= ref_ll - 1e-6
    np.testing.assert_allclose(fitted.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-4)
    np.testing.assert_allclose(fitted.standard_errors_.to_numpy(),
                               ref.standard_errors_.to_numpy(), rtol=1e-3)
    ours = fitted.expected_customer_spend(cdnow_summary)
    theirs = ref.conditional_expected_average_profit(cdnow_summary["frequency"],
                                                     cdnow_summary["monetary_value"])
    np.testing.assert_allclose(ours.to_numpy(), np.asarray(theirs), rtol=1e-5)


def test_expected_spend_formula_and_population_mean(fitted):
    p, q, g = fitted.params_.to_numpy()
    data = pd.DataFrame({"frequency": [0, 0, 1, 10], "monetary_value": [0.0, 99.0, 20.0, 50.0]},
                        index=["a", "b", "c", "d"])
    out = fitted.expected_customer_spend(data)
    assert out.name == "expected_spend" and list(out.index) == ["a", "b", "c", "d"]
    # frequency 0: the population mean, whatever the monetary value
    assert out["a"] == out["b"] == pytest.approx(p * g / (q - 1))
    # a weighted mean of the population mean and the customer's own mean
    for key, x, m in [("c", 1, 20.0), ("d", 10, 50.0)]:
        w = p * x / (p * x + q - 1)
        assert out[key] == pytest.approx((1 - w) * p * g / (q - 1) + w * m)
    # more purchases at the same mean pull the prediction towards the customer's mean
    more = fitted.expected_customer_spend(
        pd.DataFrame({"frequency": [1, 5, 50], "monetary_value": [100.0] * 3}))
    assert more.is_monotonic_increasing and more.iloc[-1] < 100


def test_expected_spend_infinite_when_the_mean_does_not_exist(fitted):
    model = GammaGammaModel()
    model.params_ = pd.Series([2.0, 0.5, 10.0], index=["p", "q", "gamma"])
    data = pd.DataFrame({"frequency": [0, 1], "monetary_value": [0.0, 20.0]})
    with pytest.warns(RuntimeWarning, match="infinite for 1 row"):
        out = model.expected_customer_spend(data)
    assert math.isinf(out[0]) and math.isfinite(out[1])


def test_customers_without_repeat_purchase_are_left_out(cdnow_summary, fitted):
    rb = cdnow_summary[cdnow_summary["frequency"] > 0]
    only = GammaGammaModel().fit(rb)
    assert only.log_likelihood_ == pytest.approx(fitted.log_likelihood_, rel=1e-12)
    # their monetary value is not read at all
    junk = cdnow_summary.assign(
        monetary_value=cdnow_summary["monetary_value"].where(cdnow_summary["frequency"] > 0))
    assert GammaGammaModel().fit(junk).log_likelihood_ == pytest.approx(
        fitted.log_likelihood_, rel=1e-12)


def test_zero_or_negative_spend_of_a_repeat_buyer_is_refused_with_the_rows():
    data = pd.DataFrame({"frequency": [2, 1, 3, 0], "monetary_value": [10.0, 0.0, -5.0, 0.0]},
                        index=["ok", "refunded", "negative", "one_time"])
    with pytest.raises(SchemaError) as err:
        GammaGammaModel().fit(data)
    msg = str(err.value)
    assert "monetary_value" in msg and "(2 rows)" in msg
    assert "refunded" in msg and "negative" in msg and "one_time" not in msg
    assert "nets returns" in msg and "returns='exclude'" in msg


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (pd.DataFrame({"frequency": [1, 2]}), "column 'monetary_value' is missing"),
        (pd.DataFrame({"freq": [1], "monetary_value": [2.0]}), "column 'frequency' is missing"),
        (pd.DataFrame({"frequency": [1, -1], "monetary_value": [2.0, 3.0]}), "frequency must be >= 0"),
        (pd.DataFrame({"frequency": [1, np.nan], "monetary_value": [2.0, 3.0]}), "finite"),
        (pd.DataFrame({"frequency": ["1", "x"], "monetary_value": [2.0, 3.0]}), "numbers"),
        (pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}), "no repeat buyer"),
    ],
)
def test_bad_data_is_refused(data, match):
    with pytest.raises(SchemaError, match=match):
        GammaGammaModel().fit(data)


def test_bad_arguments():
    data = pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [2.0, 3.0, 4.0]})
    with pytest.raises(ParameterError, match="DataFrame"):
        GammaGammaModel().fit(data.to_numpy())
    with pytest.raises(ParameterError, match="penalizer_coef"):
        GammaGammaModel(penalizer_coef=-1).fit(data)
    with pytest.raises(ParameterError, match="threshold"):
        check_independence(data, threshold=2)
    with pytest.raises(NotFittedError, match="fit"):
        GammaGammaModel().expected_customer_spend(data)


def test_the_input_is_not_modified(cdnow_summary):
    before = cdnow_summary.copy()
    model = GammaGammaModel().fit(cdnow_summary)
    model.expected_customer_spend(cdnow_summary)
    model.check_independence(cdnow_summary)
    pd.testing.assert_frame_equal(cdnow_summary, before)


# ----------------------------------------------------------------- independence check


def test_cdnow_spend_and_frequency_are_nearly_independent(cdnow_summary, fitted):
    check = check_independence(cdnow_summary)
    assert isinstance(check, IndependenceCheck)
    assert round(check.correlation, 2) == 0.11  # Fader & Hardie: 0.11
    assert check.n_customers == 946 and not check.material
    assert check.threshold == INDEPENDENCE_THRESHOLD == 0.3
    assert "r = 0.11" in check.message and "reasonable" in check.message
    assert fitted.independence_ == check


def test_a_material_correlation_is_flagged_and_fit_warns():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 20, 500)
    nu = rng.gamma(4.0, 1 / 20.0, 500)
    m = rng.gamma(6.0 * x, 1 / nu) / x * (1 + 0.3 * x)  # frequent buyers spend more
    data = pd.DataFrame({"frequency": x, "monetary_value": m})
    check = check_independence(data)
    assert check.material and check.correlation > 0.3
    assert "biased for frequent buyers" in check.message
    with pytest.warns(UserWarning, match="correlated"):
        model = GammaGammaModel().fit(data)
    assert model.independence_.material
    assert not check_independence(data, threshold=0.99).material


def test_independence_cannot_be_computed_on_too_few_buyers():
    data = pd.DataFrame({"frequency": [0, 1, 2], "monetary_value": [0.0, 5.0, 6.0]})
    check = check_independence(data)
    assert math.isnan(check.correlation) and not check.material
    assert "cannot be computed on 2 repeat buyer" in check.message


def test_no_warning_on_independent_data(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GammaGammaModel().fit(cdnow_summary)


# ----------------------------------------------------------------- numerics


def slow_loglik(params, x, m):
    p, q, g = params
    return np.array([
        math.lgamma(p * xi + q) - math.lgamma(p * xi) - math.lgamma(q) + q * math.log(g)
        + (p * xi - 1) * math.log(mi) + p * xi * math.log(xi) - (p * xi + q) * math.log(g + xi * mi)
        for xi, mi in zip(x, m, strict=True)
    ])


POINTS = [(6.25, 3.74, 15.44), (0.01, 0.02, 0.05), (500.0, 300.0, 1e4), (1e-3, 50.0, 1e-3),
          (30.0, 1.5, 2.0)]


@pytest.mark.parametrize("params", POINTS)
def test_loglik_equals_a_slow_reference(params):
    x = np.array([1.0, 2, 5, 40, 1000, 3])
    m = np.array([0.01, 20.0, 3.5, 1e4, 55.0, 7.0])
    ours = GammaGammaModel()._loglik(np.array(params), (x, m))[0]
    np.testing.assert_allclose(ours, slow_loglik(params, x, m), rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("params", POINTS)
def test_analytic_gradient_equals_finite_differences(params):
    model = GammaGammaModel()
    x = np.array([1.0, 2, 5, 40, 1000, 3])
    m = np.array([0.01, 20.0, 3.5, 1e4, 55.0, 7.0])
    w = np.array([3.0, 1, 2, 1, 1, 5])
    p = np.array(params)
    _, g = model._loglik(p, (x, m), grad=True)
    # on the log scale, as the search sees it
    def f(z):
        return float(w @ model._loglik(np.exp(z), (x, m))[0])
    fd = approx_fprime(np.log(p), f, 1e-7)
    np.testing.assert_allclose((w @ g) * p, fd, rtol=1e-5, atol=1e-4 * max(1, np.abs(fd).max()))


# ----------------------------------------------------------------- simulated truth

TRUTH = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulate_spend(seed: int, n: int = 1000) -> pd.DataFrame:
    """Gamma-Gamma histories drawn with numpy: nu ~ Gamma(q, gamma), z ~ Gamma(p, nu)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 15, n)
    nu = rng.gamma(TRUTH["q"], 1 / TRUTH["gamma"], n)
    total = rng.gamma(TRUTH["p"] * x, 1 / nu)  # the sum of x spends
    return pd.DataFrame({"frequency": x.astype(float), "monetary_value": total / x})


def test_simulated_truth_recovered():
    inside = dict.fromkeys(TRUTH, 0)
    for seed in range(20):
        s = GammaGammaModel().fit(simulate_spend(seed)).summary()
        for k, v in TRUTH.items():
            inside[k] += bool(s.loc[k, "lower_95"] <= v <= s.loc[k, "upper_95"])
    # nominal 19 of 20; at least 16 of 20 for each parameter (P(fail) < 0.3% each)
    assert all(c >= 16 for c in inside.values()), inside
