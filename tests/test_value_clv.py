"""Customer lifetime value: lifetimes' values, the time unit, the bootstrap, tiers, guards."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from segkit.datasets import load_cdnow
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.features import customer_profile, summary
from segkit.schema import CustomerData
from segkit.segment import ParetoTiers
from segkit.value.bgnbd import BetaGeoModel
from segkit.value.clv import (
    PERIODS_PER_MONTH,
    CLVBootstrap,
    assign_tiers,
    bootstrap_customer_lifetime_value,
    clv_tier_probability,
    draw_params,
    expected_customer_lifetime_value,
    historic_value,
    historic_vs_predictive,
    with_params,
)
from segkit.value.gamma_gamma import GammaGammaModel

lifetimes = pytest.importorskip("lifetimes")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def tx() -> pd.DataFrame:
    return load_cdnow()


@pytest.fixture(scope="module")
def daily(tx) -> pd.DataFrame:
    return summary(tx, monetary_value_col="amount")


@pytest.fixture(scope="module")
def weekly(tx) -> pd.DataFrame:
    return summary(tx, monetary_value_col="amount", freq="D", freq_multiplier=7)


@pytest.fixture(scope="module")
def weekly_models(weekly):
    return BetaGeoModel().fit(weekly), GammaGammaModel().fit(weekly)


@pytest.fixture(scope="module")
def daily_models(daily):
    return BetaGeoModel().fit(daily), GammaGammaModel().fit(daily)


@pytest.fixture(scope="module")
def boot(weekly_models, weekly) -> CLVBootstrap:
    bg, gg = weekly_models
    return bootstrap_customer_lifetime_value(bg, gg, weekly, time_unit="W", n_draws=100,
                                             random_state=7)


def _lifetimes_clv(bg, gg, data, unit, time=12, discount_rate=0.01):
    """lifetimes' customer_lifetime_value with our parameters."""
    lbg = lifetimes.BetaGeoFitter()
    lbg.params_ = pd.Series(bg.params_.to_numpy(), index=["r", "alpha", "a", "b"])
    lbg.predict = lbg.conditional_expected_number_of_purchases_up_to_time
    lgg = lifetimes.GammaGammaFitter()
    lgg.params_ = pd.Series(gg.params_.to_numpy(), index=["p", "q", "v"])
    return lgg.customer_lifetime_value(
        lbg, data["frequency"], data["recency"], data["T"], data["monetary_value"],
        time=time, discount_rate=discount_rate, freq=unit).to_numpy()


# --------------------------------------------------------------------------- lifetimes


@pytest.mark.parametrize("unit", ["D", "W"])
def test_clv_equals_lifetimes_on_cdnow(unit, daily, weekly, daily_models, weekly_models):
    data, (bg, gg) = (daily, daily_models) if unit == "D" else (weekly, weekly_models)
    ours = expected_customer_lifetime_value(bg, gg, data, time_unit=unit)
    theirs = _lifetimes_clv(bg, gg, data, unit)
    np.testing.assert_allclose(ours.to_numpy(), theirs, rtol=1e-9, atol=1e-9)
    assert ours.name == "clv" and ours.index.equals(data.index)
    assert (ours >= 0).all() and np.isfinite(ours).all()


def test_clv_other_horizon_and_rate_equal_lifetimes(weekly, weekly_models):
    bg, gg = weekly_models
    ours = expected_customer_lifetime_value(bg, gg, weekly, future_t=24, discount_rate=0.02,
                                            time_unit="W")
    np.testing.assert_allclose(ours.to_numpy(),
                               _lifetimes_clv(bg, gg, weekly, "W", 24, 0.02), rtol=1e-9)


def test_time_unit_convention_days_and_weeks_agree(daily, weekly_models, weekly):
    """A month of 30 days: a weekly model with 30/7 weeks a month gives the daily value.

    BG/NBD is scale invariant: alpha in days is 7 times alpha in weeks. With the same
    month (30 days = 30/7 weeks) the value is the same; lifetimes' 4.345 weeks make a
    month 1.4% longer (30.4 days).
    """
    bg, gg = weekly_models
    in_days = with_params(bg, bg.params_ * pd.Series({"r": 1, "alpha": 7, "a": 1, "b": 1}))
    days = weekly.assign(recency=weekly["recency"] * 7, T=weekly["T"] * 7)
    d = expected_customer_lifetime_value(in_days, gg, days, time_unit="D")
    w = expected_customer_lifetime_value(bg, gg, weekly, periods_per_month=30 / 7)
    np.testing.assert_allclose(d.to_numpy(), w.to_numpy(), rtol=1e-9)
    w_lifetimes = expected_customer_lifetime_value(bg, gg, weekly, time_unit="W")
    assert PERIODS_PER_MONTH["W"] * 7 == pytest.approx(30.415)
    assert (w_lifetimes.sum() / w.sum() - 1) == pytest.approx(0.012, abs=0.004)


def test_undiscounted_value_is_purchases_times_spend(weekly, weekly_models):
    bg, gg = weekly_models
    clv = expected_customer_lifetime_value(bg, gg, weekly, future_t=6, discount_rate=0.0,
                                           time_unit="W")
    purchases = bg.expected_purchases(weekly, future_t=6 * 4.345)
    spend = gg.expected_customer_spend(weekly)
    np.testing.assert_allclose(clv.to_numpy(), (purchases * spend).to_numpy(), rtol=1e-9)
    lower = expected_customer_lifetime_value(bg, gg, weekly, future_t=6, discount_rate=0.05,
                                             time_unit="W")
    assert (lower.to_numpy() < clv.to_numpy()).all()


def test_clv_does_not_modify_input_and_keeps_index(weekly, weekly_models):
    bg, gg = weekly_models
    data = weekly.sample(300, random_state=1).rename(columns={"T": "age"})
    before = data.copy()
    clv = expected_customer_lifetime_value(bg, gg, data, time_unit="W", T_col="age")
    pd.testing.assert_frame_equal(data, before)
    assert clv.index.equals(data.index)
    ref = expected_customer_lifetime_value(bg, gg, weekly, time_unit="W")
    np.testing.assert_allclose(clv.to_numpy(), ref.loc[data.index].to_numpy(), rtol=1e-12)


def test_clv_with_a_model_fitted_on_other_column_names(weekly, weekly_models):
    bg, gg = weekly_models
    renamed = weekly.rename(columns={"frequency": "x", "recency": "t_x", "T": "age"})
    bg2 = BetaGeoModel().fit(renamed, frequency_col="x", recency_col="t_x", T_col="age")
    clv = expected_customer_lifetime_value(bg2, gg, renamed, time_unit="W", frequency_col="x",
                                           recency_col="t_x", T_col="age")
    ref = expected_customer_lifetime_value(bg, gg, weekly, time_unit="W")
    np.testing.assert_allclose(clv.to_numpy(), ref.to_numpy(), rtol=1e-6)


# --------------------------------------------------------------------------- guards


def test_negative_or_missing_spend_is_refused(weekly, weekly_models):
    bg, gg = weekly_models
    data = weekly.copy()
    repeat = data.index[data["frequency"] > 0]
    data.loc[repeat[:2], "monetary_value"] = [-5.0, np.nan]
    with pytest.raises(SchemaError, match="negative or missing.*146 and 370") as err:
        expected_customer_lifetime_value(bg, gg, data, time_unit="W")
    assert "(2 rows)" in str(err.value)


def test_missing_spend_of_one_time_buyer_is_harmless(weekly, weekly_models):
    bg, gg = weekly_models
    data = weekly.copy()
    once = data.index[data["frequency"] == 0][:3]
    data.loc[once, "monetary_value"] = np.nan
    clv = expected_customer_lifetime_value(bg, gg, data, time_unit="W")
    assert np.isfinite(clv).all()


@pytest.mark.parametrize("col, value", [("frequency", -1.0), ("recency", np.nan),
                                        ("T", np.inf)])
def test_bad_history_is_refused(weekly, weekly_models, col, value):
    bg, gg = weekly_models
    data = weekly.head(20).copy()
    data.loc[data.index[3], col] = value
    with pytest.raises(SchemaError, match=f"column '{col}'"):
        expected_customer_lifetime_value(bg, gg, data, time_unit="W")


def test_infinite_spend_is_refused_not_returned(weekly, weekly_models):
    bg, gg = weekly_models
    bad_gg = with_params(gg, {"p": 6.0, "q": 0.8, "gamma": 15.0})  # q <= 1: no finite mean
    with pytest.raises(SchemaError, match="refused"):
        expected_customer_lifetime_value(bg, bad_gg, weekly, time_unit="W")


def test_nan_purchases_are_refused():
    class Broken:
        params_ = pd.Series({"rate": 1.0})

        def expected_purchases(self, data, future_t):
            return pd.Series(np.where(data["frequency"] > 2, np.nan, future_t),
                             index=data.index)

    gg = GammaGammaModel()
    gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "gamma": 15.44})
    s = pd.DataFrame({"frequency": [0, 3], "recency": [0.0, 2.0], "T": [5.0, 5.0],
                      "monetary_value": [0.0, 10.0]})
    with pytest.raises(SchemaError, match="not finite.*refused"):
        expected_customer_lifetime_value(Broken(), gg, s)


@pytest.mark.parametrize("kwargs, match", [
    ({"future_t": 0}, "future_t"),
    ({"future_t": 2.5}, "future_t"),
    ({"discount_rate": -0.1}, "discount_rate"),
    ({"discount_rate": float("nan")}, "discount_rate"),
    ({"time_unit": "Q"}, "time_unit"),
    ({"periods_per_month": 0}, "periods_per_month"),
])
def test_bad_parameters(weekly, weekly_models, kwargs, match):
    bg, gg = weekly_models
    with pytest.raises(ParameterError, match=match):
        expected_customer_lifetime_value(bg, gg, weekly.head(5), **kwargs)


def test_unfitted_models_and_wrong_objects(weekly, weekly_models):
    bg, gg = weekly_models
    with pytest.raises(NotFittedError):
        expected_customer_lifetime_value(BetaGeoModel(), gg, weekly)
    with pytest.raises(ParameterError, match="spend_model"):
        expected_customer_lifetime_value(bg, bg, weekly)
    with pytest.raises(ParameterError, match="DataFrame"):
        expected_customer_lifetime_value(bg, gg, weekly.to_numpy())
    with pytest.raises(SchemaError, match="missing"):
        expected_customer_lifetime_value(bg, gg, weekly.drop(columns="monetary_value"))


# --------------------------------------------------------------------------- bootstrap


def test_with_params_copies(weekly_models):
    bg, _ = weekly_models
    before = bg.params_.copy()
    other = with_params(bg, bg.params_ * 2)
    pd.testing.assert_series_equal(bg.params_, before)
    np.testing.assert_allclose(other.params_.to_numpy(), 2 * before.to_numpy())
    with pytest.raises(ParameterError, match="lacks"):
        with_params(bg, {"r": 1.0})


def test_draws_follow_the_asymptotic_normal_on_the_log_scale(weekly_models):
    bg, _ = weekly_models
    draws = draw_params(bg, 20000, random_state=3)
    assert (draws > 0).all().all()
    p = bg.params_.to_numpy()
    cov_log = bg.covariance_.to_numpy() / np.outer(p, p)
    np.testing.assert_allclose(np.log(draws).mean().to_numpy(), np.log(p), atol=0.01)
    np.testing.assert_allclose(np.cov(np.log(draws).to_numpy().T), cov_log, rtol=0.06,
                               atol=0.03 * np.sqrt(np.outer(np.diag(cov_log), np.diag(cov_log))).max())
    # reproducible
    pd.testing.assert_frame_equal(draw_params(bg, 5, random_state=1),
                                  draw_params(bg, 5, random_state=1))


def test_draws_refuse_a_missing_covariance(weekly_models):
    bg, _ = weekly_models
    broken = with_params(bg, bg.params_)
    broken.covariance_ = bg.covariance_ * np.nan
    with pytest.raises(ParameterError, match="covariance"):
        draw_params(broken, 10)


def test_bootstrap_summary(boot, weekly, weekly_models):
    bg, gg = weekly_models
    s = boot.summary
    assert list(s.columns) == ["clv", "mean", "std", "q05", "q50", "q95"]
    assert s.index.equals(weekly.index)
    point = expected_customer_lifetime_value(bg, gg, weekly, time_unit="W")
    np.testing.assert_allclose(s["clv"].to_numpy(), point.to_numpy(), rtol=1e-12)
    assert np.isfinite(s.to_numpy()).all()
    assert (s["q05"] <= s["q50"]).all() and (s["q50"] <= s["q95"]).all()
    assert (s["std"] > 0).all()
    # the estimates sit inside the spread, and the spread is a few per cent on CDNOW
    assert ((s["q05"] <= s["clv"] * 1.001) & (s["clv"] <= s["q95"] * 1.001)).mean() > 0.95
    assert 0.01 < float((s["std"] / s["clv"]).median()) < 0.2
    assert boot.n_draws == 100 and boot.n_rejected == 0
    assert boot.draws().shape == (len(weekly), 100)
    assert boot.transaction_params.shape == (100, 4) and boot.spend_params.shape == (100, 3)


def test_bootstrap_is_reproducible(weekly, weekly_models):
    bg, gg = weekly_models
    small = weekly.head(50)
    a = bootstrap_customer_lifetime_value(bg, gg, small, time_unit="W", n_draws=20,
                                          random_state=11)
    b = bootstrap_customer_lifetime_value(bg, gg, small, time_unit="W", n_draws=20,
                                          random_state=11)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_bootstrap_spread_matches_the_delta_method(weekly, weekly_models):
    """The bootstrap's standard deviation of a customer's value is the delta method's."""
    bg, gg = weekly_models
    rows = weekly.loc[[0, 5, 17, 40, 100]]
    kw = {"time_unit": "W"}
    boot = bootstrap_customer_lifetime_value(bg, gg, rows, n_draws=800, random_state=5, **kw)
    grads = []
    for model in (bg, gg):
        p = model.params_
        g = np.empty((len(rows), len(p)))
        for j in range(len(p)):
            h = 1e-5
            up, down = p.copy(), p.copy()
            up.iloc[j] *= np.exp(h)
            down.iloc[j] *= np.exp(-h)
            args = [(with_params(bg, up), gg), (with_params(bg, down), gg)] if model is bg \
                else [(bg, with_params(gg, up)), (bg, with_params(gg, down))]
            hi = expected_customer_lifetime_value(*args[0], rows, **kw).to_numpy()
            lo = expected_customer_lifetime_value(*args[1], rows, **kw).to_numpy()
            g[:, j] = (hi - lo) / (2 * h)
        cov_log = model.covariance_.to_numpy() / np.outer(p, p)
        grads.append(np.einsum("ij,jk,ik->i", g, cov_log, g))
    delta_sd = np.sqrt(grads[0] + grads[1])
    np.testing.assert_allclose(boot.summary["std"].to_numpy(), delta_sd, rtol=0.15)


def test_bootstrap_rejects_invalid_draws_and_says_so(weekly, weekly_models):
    bg, gg = weekly_models
    shaky = with_params(gg, {"p": 6.0, "q": 1.15, "gamma": 15.0})  # P(q < 1) about 5%
    names = list(gg.params_.index)
    shaky.covariance_ = pd.DataFrame(np.diag([0.5, 0.1, 1.0]) ** 2, index=names, columns=names)
    with pytest.warns(RuntimeWarning, match="left out"):
        b = bootstrap_customer_lifetime_value(bg, shaky, weekly.head(30), time_unit="W",
                                              n_draws=100, random_state=2)
    assert 0 < b.n_rejected <= 25 and b.n_draws == 100
    assert np.isfinite(b.summary.to_numpy()).all()
    assert (b.spend_params["q"] > 1).all()
    hopeless = with_params(gg, {"p": 6.0, "q": 1.01, "gamma": 15.0})
    hopeless.covariance_ = pd.DataFrame(np.diag([0.5, 0.5, 1.0]) ** 2, index=names,
                                        columns=names)
    with pytest.raises(ParameterError, match="too uncertain"):
        bootstrap_customer_lifetime_value(bg, hopeless, weekly.head(30), time_unit="W",
                                          n_draws=50, random_state=2)


# --------------------------------------------------------------------------- tiers


@pytest.fixture(scope="module")
def profile_with_clv(tx, weekly, boot):
    profile = customer_profile(CustomerData(transactions=tx))
    clv = pd.DataFrame({"customer_id": weekly["customer_id"], "clv": boot.summary["clv"]})
    return profile.merge(clv, on="customer_id", how="left", validate="one_to_one")


def test_clv_is_the_value_column_of_pareto_tiers(profile_with_clv):
    assert profile_with_clv["clv"].notna().all()
    tiers = ParetoTiers(value_col="clv").fit(profile_with_clv)
    got = tiers.predict(profile_with_clv)
    assert set(got.astype(str)) <= {"key", "ordinary", "small", "inferior"}
    key = profile_with_clv.loc[got.astype(str) == "key", "clv"]
    assert key.sum() >= 0.8 * profile_with_clv["clv"].sum()
    assert key.min() == tiers.key_threshold_


def test_tier_probability_with_pareto_thresholds(profile_with_clv, boot, weekly):
    tiers = ParetoTiers(value_col="clv", inferior_col=None).fit(profile_with_clv)
    thresholds = {"key": tiers.key_threshold_, "ordinary": tiers.ordinary_threshold_}
    prob = clv_tier_probability(boot, thresholds)
    assert prob.index.equals(weekly.index)
    assert list(prob.columns) == ["tier", "tier_probability", "p_key", "p_ordinary",
                                  "p_small"]
    np.testing.assert_allclose(prob[["p_key", "p_ordinary", "p_small"]].sum(axis=1), 1.0)
    # the point tier is ParetoTiers' tier of the point value
    by_id = tiers.predict(profile_with_clv).astype(str).to_numpy()
    order = profile_with_clv.set_index("customer_id").index.get_indexer(weekly["customer_id"])
    assert (prob["tier"].to_numpy() == by_id[order]).all()
    # far from a threshold the tier is sure; near one it is a toss-up
    clv = boot.summary["clv"]
    assert (prob.loc[clv > 2 * tiers.key_threshold_, "p_key"] > 0.99).all()
    near = (clv / tiers.key_threshold_ - 1).abs() < 0.005
    if near.any():
        assert prob.loc[near, "tier_probability"].max() < 0.95
    assert 0.5 < prob["tier_probability"].mean() <= 1.0


def test_tier_probability_from_an_array_and_bad_thresholds():
    draws = np.array([[400.0, 350.0, 250.0, 500.0], [70.0, 50.0, 65.0, 80.0]])
    prob = clv_tier_probability(draws, {"key": 300.0, "ordinary": 60.0}, point=[380.0, 66.0])
    assert prob["tier"].tolist() == ["key", "ordinary"]
    assert prob["p_key"].tolist() == [0.75, 0.0]
    assert prob["p_small"].tolist() == [0.0, 0.25]
    at_least = clv_tier_probability(draws, {"key": 300.0, "ordinary": 60.0},
                                    point=[380.0, 66.0], cumulative=True)
    assert at_least["p_ordinary"].tolist() == [1.0, 0.75]  # value >= 60 in 4 and 3 draws
    assert at_least["p_small"].tolist() == [1.0, 1.0]
    assert assign_tiers([300.0, 299.9, 60.0], {"key": 300.0, "ordinary": 60.0}).tolist() == \
        ["key", "ordinary", "ordinary"]
    with pytest.raises(ParameterError, match="decreasing"):
        clv_tier_probability(draws, {"ordinary": 60.0, "key": 300.0})
    with pytest.raises(ParameterError, match="point"):
        clv_tier_probability(draws, {"key": 300.0}, point=[1.0])


# --------------------------------------------------------------------------- historic


def test_historic_value_from_summary_and_profile(weekly, tx):
    h = historic_value(weekly)
    np.testing.assert_allclose(h.to_numpy(),
                               (weekly["frequency"] * weekly["monetary_value"]).to_numpy())
    profile = customer_profile(CustomerData(transactions=tx))
    r = historic_value(profile, value_col="revenue")
    assert r.sum() == pytest.approx(tx["amount"].sum())
    with pytest.raises(SchemaError, match="missing"):
        historic_value(weekly, value_col="revenue")


def test_a_big_customer_is_not_necessarily_a_good_customer(weekly, boot):
    hist = historic_value(weekly)
    res = historic_vs_predictive(hist, boot.summary["clv"], top_share=0.1)
    assert 0.3 < res.rank_correlation < 0.99
    assert 0.3 < res.top_overlap < 1.0  # some of the biggest past buyers have stopped
    f = res.frame
    assert list(f.columns) == ["historic_value", "predictive_value", "historic_rank",
                               "predictive_rank", "top_historic", "top_predictive"]
    big_not_good = f["top_historic"] & ~f["top_predictive"]
    assert big_not_good.any()
    with pytest.raises(ParameterError, match="same index"):
        historic_vs_predictive(hist, boot.summary["clv"].iloc[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        historic_vs_predictive([1.0, 2.0], [2.0, 1.0])
