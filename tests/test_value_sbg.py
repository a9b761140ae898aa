"""ShiftedBetaGeoModel: the cohorts of Fader & Hardie (2007), closed forms, simulated truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.value.sbg import ShiftedBetaGeoModel

# Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing
# 21 (1), Table 1: customers (of 1000) still active at the start of years 0..7.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
# the paper's estimates, from the first seven years of renewals
PUBLISHED = {"regular": (0.704, 1.182), "high_end": (0.668, 3.806)}


def expand(alive) -> pd.DataFrame:
    """A cohort's counts as one row per customer: duration and event (1 = cancelled)."""
    alive = np.asarray(alive)
    n = len(alive) - 1
    lost = alive[:-1] - alive[1:]
    return pd.DataFrame({
        "duration": np.concatenate([np.repeat(np.arange(1, n + 1), lost),
                                    np.full(alive[-1], n)]),
        "event": np.concatenate([np.ones(lost.sum(), int), np.zeros(alive[-1], int)]),
    })


@pytest.mark.parametrize(("name", "alive"), [("regular", REGULAR), ("high_end", HIGH_END)])
def test_published_cohort_fits_to_three_significant_digits(name, alive):
    # The paper fits on years 0..7: 7 renewal counts (years 1..7) after the cohort's
    # size, i.e. the 8 values of `alive`. Fitting on years 0..6 (7 values) gives
    # 0.718, 1.208 (regular) and 0.749, 4.335 (high end): not the published numbers.
    model = ShiftedBetaGeoModel().fit_counts(alive)
    assert tuple(model.params_.round(3)) == PUBLISHED[name]
    assert model.n_obs_ == 1000 and model.n_periods_ == 7
    shorter = ShiftedBetaGeoModel().fit_counts(alive[:-1])
    assert tuple(shorter.params_.round(3)) != PUBLISHED[name]


def test_log_likelihoods_of_the_cohorts():
    assert round(ShiftedBetaGeoModel().fit_counts(REGULAR).log_likelihood_, 1) == -1680.3
    assert round(ShiftedBetaGeoModel().fit_counts(HIGH_END).log_likelihood_, 1) == -1611.2


@pytest.mark.parametrize("alive", [REGULAR, HIGH_END])
def test_individual_durations_give_the_counts_fit(alive):
    counts = ShiftedBetaGeoModel().fit_counts(alive)
    rows = expand(alive)
    assert len(rows) == 1000
    single = ShiftedBetaGeoModel().fit(rows, duration_col="duration", event_col="event")
    assert single.log_likelihood_ == pytest.approx(counts.log_likelihood_, rel=1e-12)
    np.testing.assert_allclose(single.params_, counts.params_, rtol=1e-8)
    np.testing.assert_allclose(single.standard_errors_, counts.standard_errors_, rtol=1e-6)
    # boolean events and a weights column give the same
    grouped = rows.assign(event=rows["event"].astype(bool)).value_counts().rename("n")
    weighted = ShiftedBetaGeoModel().fit(grouped.reset_index(), weights_col="n")
    assert weighted.log_likelihood_ == pytest.approx(counts.log_likelihood_, rel=1e-12)


def test_log_likelihood_is_the_papers_formula():
    model = ShiftedBetaGeoModel().fit_counts(REGULAR)
    a, b = model.params_
    alive = np.array(REGULAR, float)
    t = np.arange(1, 8)
    p = np.exp(betaln(a + 1, b + t - 1) - betaln(a, b))    # P(T = t)
    s7 = np.exp(betaln(a, b + 7) - betaln(a, b))            # S(7)
    ll = float((alive[:-1] - alive[1:]) @ np.log(p) + alive[-1] * math.log(s7))
    assert model.log_likelihood_ == pytest.approx(ll, rel=1e-12)


# ----------------------------------------------------------------- closed forms


def test_retention_rates_and_survival_in_closed_form():
    model = ShiftedBetaGeoModel().fit_counts(REGULAR)
    a, b = model.params_
    t = np.arange(1, 13)
    r = model.retention_rate(t)
    np.testing.assert_allclose(r, (b + t - 1) / (a + b + t - 1), rtol=1e-14)
    assert np.all(np.diff(r) > 0)  # retention rises: the sorting effect
    s = model.survival(np.arange(0, 13))
    assert s[0] == 1.0
    np.testing.assert_allclose(s[1:] / s[:-1], r, rtol=1e-12)      # S(t) = S(t-1) r_t
    np.testing.assert_allclose(s[1:], np.cumprod(r), rtol=1e-12)
    # expected survivors against the data (the paper's Figure: a close fit in-sample)
    np.testing.assert_allclose(1000 * s[:8], REGULAR, rtol=0.05)
    assert isinstance(model.retention_rate(1), float) and isinstance(model.survival(3), float)
    assert model.retention_rate(1) == pytest.approx(b / (a + b))


def brute_force_derl(a, b, t, d, terms=200_000):
    k = np.arange(1, terms + 1)
    p = np.exp(betaln(a, b + t + k) - betaln(a, b + t))  # P(active in t + k | active in t)
    return math.fsum(p * np.exp(-(k - 1) * math.log1p(d)))


@pytest.mark.parametrize(("a", "b"), [(0.704, 1.182), (0.3, 5.0), (2.5, 0.5), (10.0, 100.0),
                                      (3.0, 0.1), (0.05, 1000.0)])
def test_discounted_remaining_lifetime_equals_the_sum_of_discounted_survival(a, b):
    model = ShiftedBetaGeoModel()
    model.params_ = pd.Series([a, b], index=["alpha", "beta"])
    for d in (0.01, 0.1, 1.0):
        got = model.expected_remaining_lifetime([0, 3, 50], discount_rate=d)
        want = [brute_force_derl(a, b, t, d) for t in (0, 3, 50)]
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_remaining_lifetime_formulas():
    model = ShiftedBetaGeoModel()
    model.params_ = pd.Series([2.5, 4.0], index=["alpha", "beta"])
    t = np.array([0, 1, 7])
    # undiscounted: (beta + t) / (alpha - 1) when alpha > 1
    np.testing.assert_allclose(model.expected_remaining_lifetime(t), (4.0 + t) / 1.5)
    # the discounted value tends to it, and falls as the rate rises
    near = model.expected_remaining_lifetime(t, discount_rate=1e-4)
    np.testing.assert_allclose(near, (4.0 + t) / 1.5, rtol=5e-3)
    assert np.all(model.expected_remaining_lifetime(t, 0.2) < model.expected_remaining_lifetime(t, 0.1))
    # and rises with tenure
    assert np.all(np.diff(model.expected_remaining_lifetime(np.arange(10), 0.1)) > 0)
    # Fader & Hardie's form: r_(t+1) * 2F1(1, beta + t + 1; alpha + beta + t + 1; 1/(1+d))
    from scipy.special import hyp2f1
    a, b, d = 2.5, 4.0, 0.1
    want = (b + 3) / (a + b + 3) * hyp2f1(1, b + 4, a + b + 4, 1 / (1 + d))
    assert model.expected_remaining_lifetime(3, d) == pytest.approx(want, rel=1e-9)
    # alpha <= 1: undiscounted lifetime is infinite
    regular = ShiftedBetaGeoModel().fit_counts(REGULAR)
    assert math.isinf(regular.expected_remaining_lifetime(2))
    assert round(regular.expected_remaining_lifetime(7, discount_rate=0.1), 2) == 6.84


def test_tiny_discount_rates_are_refused_rather_than_summed_forever(monkeypatch):
    import segkit.value.sbg as sbg

    monkeypatch.setattr(sbg, "_MAX_TERMS", 10_000)
    model = ShiftedBetaGeoModel().fit_counts(REGULAR)
    with pytest.raises(ParameterError, match="too small"):
        model.expected_remaining_lifetime(1, discount_rate=1e-6)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("alive", "match"),
    [
        ([1000], "at least two"),
        ([1000, 1200, 900], r"must not increase: alive\[1\] = 1200"),
        ([1000, 500.5], "whole numbers"),
        ([0, 0], "alive\\[0\\] > 0"),
        ([[1000, 900]], "whole numbers"),
        ([1000, -1], "whole numbers >= 0"),
    ],
)
def test_bad_counts_are_refused(alive, match):
    with pytest.raises(ParameterError, match=match):
        ShiftedBetaGeoModel().fit_counts(alive)


def test_survivors_only_are_refused():
    with pytest.raises(SchemaError, match="no customer cancelled"):
        ShiftedBetaGeoModel().fit_counts([1000, 1000, 1000])


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ({"duration": [1, 0], "event": [1, 1]}, "duration must be a whole number"),
        ({"duration": [1, 2.5], "event": [1, 0]}, "duration must be a whole number"),
        ({"duration": [1, None], "event": [1, 0]}, "duration must be a whole number"),
        ({"duration": [1, 2], "event": [1, 2]}, "event must be 1"),
        ({"duration": [1, 2]}, "column 'event' is missing"),
    ],
)
def test_bad_durations_are_refused_with_the_rows(rows, match):
    with pytest.raises(SchemaError, match=match):
        ShiftedBetaGeoModel().fit(pd.DataFrame(rows))


def test_bad_arguments_and_unfitted():
    with pytest.raises(ParameterError, match="fit_counts"):
        ShiftedBetaGeoModel().fit(REGULAR)
    with pytest.raises(ParameterError, match="penalizer_coef"):
        ShiftedBetaGeoModel(penalizer_coef=-1).fit_counts(REGULAR)
    with pytest.raises(NotFittedError):
        ShiftedBetaGeoModel().retention_rate(1)
    model = ShiftedBetaGeoModel().fit_counts(REGULAR)
    with pytest.raises(ParameterError, match="t must be"):
        model.retention_rate(0)
    with pytest.raises(ParameterError, match="t must be"):
        model.survival(1.5)
    with pytest.raises(ParameterError, match="discount_rate"):
        model.expected_remaining_lifetime(1, discount_rate=-0.1)


def test_every_customer_cancelled_without_event_col():
    rng = np.random.default_rng(3)
    theta = np.clip(rng.beta(0.7, 1.2, 2000), 1e-9, 1)
    rows = pd.DataFrame({"duration": rng.geometric(theta)})  # nobody censored
    model = ShiftedBetaGeoModel().fit(rows, event_col=None)
    same = ShiftedBetaGeoModel().fit(rows.assign(event=1))
    assert model.log_likelihood_ == pytest.approx(same.log_likelihood_, rel=1e-12)


def test_the_input_is_not_modified():
    rows = expand(REGULAR)
    before = rows.copy()
    ShiftedBetaGeoModel().fit(rows)
    pd.testing.assert_frame_equal(rows, before)


# ----------------------------------------------------------------- numerics


@pytest.mark.parametrize("params", [(0.704, 1.182), (1e-3, 1e-3), (500.0, 2000.0),
                                    (0.01, 300.0), (50.0, 0.02)])
def test_analytic_gradient_equals_finite_differences(params):
    model = ShiftedBetaGeoModel()
    t = np.array([1.0, 2, 3, 7, 7, 50, 0, 400])
    e = np.array([1.0, 1, 1, 1, 0, 0, 0, 1])
    w = np.array([369.0, 163, 86, 21, 241, 3, 2, 1])
    p = np.array(params)
    ll, g = model._loglik(p, (t, e), grad=True)
    assert np.all(np.isfinite(ll)) and np.all(np.isfinite(g))

    def f(z):
        return float(w @ model._loglik(np.exp(z), (t, e))[0])

    # central differences: betaln of large arguments leaves too much noise for forward ones
    z, h = np.log(p), 1e-5
    fd = np.array([(f(z + h * np.eye(2)[i]) - f(z - h * np.eye(2)[i])) / (2 * h)
                   for i in range(2)])
    np.testing.assert_allclose((w @ g) * p, fd, rtol=1e-5, atol=1e-5 * max(1, np.abs(fd).max()))


# ----------------------------------------------------------------- simulated truth

TRUTH = {"alpha": 0.7, "beta": 1.2}


def simulate_cohort(seed: int, n_customers: int = 2000, n_periods: int = 8) -> np.ndarray:
    """Survivor counts of a cohort drawn with numpy: theta ~ Beta(alpha, beta),
    duration ~ Geometric(theta) (1 = cancelled at the end of the first period)."""
    rng = np.random.default_rng(seed)
    theta = rng.beta(TRUTH["alpha"], TRUTH["beta"], n_customers)
    stays = np.cumprod(rng.random((n_customers, n_periods)) >= theta[:, None], axis=1)
    return np.concatenate([[n_customers], stays.sum(axis=0)])


def test_simulated_truth_recovered():
    inside = dict.fromkeys(TRUTH, 0)
    for seed in range(20):
        s = ShiftedBetaGeoModel().fit_counts(simulate_cohort(seed)).summary()
        for k, v in TRUTH.items():
            inside[k] += bool(s.loc[k, "lower_95"] <= v <= s.loc[k, "upper_95"])
    # nominal 19 of 20; at least 16 of 20 for each parameter (P(fail) < 0.3% each)
    assert all(c >= 16 for c in inside.values()), inside
