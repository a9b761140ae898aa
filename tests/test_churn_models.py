"""Survival models: agreement with lifelines / scikit-survival where they are right, and the fixes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter, KaplanMeierFitter, WeibullAFTFitter
from lifelines.statistics import multivariate_logrank_test, proportional_hazard_test
from lifelines.utils import concordance_index
from scipy.special import gamma, gammaincc

from segkit.churn import (
    AFTModel,
    CoxModel,
    SurvivalForest,
    TimeVaryingCoxModel,
    breslow_baseline,
    kaplan_meier,
    split_follow_up,
    time_varying_concordance,
)
from segkit.exceptions import NotFittedError, ParameterError, SchemaError


def exp_data(n=600, beta=(0.7, -0.4), seed=0, censor=3.0, entry=False):
    """Exponential lifetimes with hazard exp(0.7 x1 - 0.4 x2 + 0.5 [plan b]); optional late entry."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    plan = rng.choice(["a", "b"], size=n)
    lin = beta[0] * x1 + beta[1] * x2 + 0.5 * (plan == "b")
    t = rng.exponential(1.0 / np.exp(lin))
    c = rng.uniform(0.5, censor, size=n)
    df = pd.DataFrame({"duration": np.minimum(t, c), "event": (t <= c).astype(int), "x1": x1,
                       "x2": x2, "plan": plan})
    if entry:
        e = rng.uniform(0, 1.0, size=n)
        keep = df["duration"].to_numpy() > e
        df = df.assign(entry=e)[keep].reset_index(drop=True)
    return df


# ------------------------------------------------------------------------ Kaplan-Meier


def test_kaplan_meier_equals_lifelines_with_the_log_rank_test():
    df = exp_data(entry=True)
    km = kaplan_meier(df, "plan", entry_col="entry")
    for g in ("a", "b"):
        sel = df["plan"] == g
        ref = KaplanMeierFitter().fit(df.loc[sel, "duration"], df.loc[sel, "event"],
                                      entry=df.loc[sel, "entry"])
        mine = km.curves[km.curves["group"] == g]
        np.testing.assert_allclose(mine["survival"], ref.survival_function_.iloc[:, 0])
        assert km.medians[g] == ref.median_survival_time_
    lr = multivariate_logrank_test(df["duration"], df["plan"], df["event"])
    no_entry = kaplan_meier(df, "plan")
    assert no_entry.logrank["p_value"] == pytest.approx(lr.p_value)
    assert km.logrank["p_value"] < 0.05  # plan b churns faster
    assert km.survival_at([0.5, 1.0]).shape == (2, 2)
    one = kaplan_meier(df)
    assert one.logrank is None and list(one.fitters) == ["all"]


# ------------------------------------------------------------------------------- Cox


def test_cox_coefficients_equal_lifelines_and_recover_the_truth():
    df = exp_data(n=3000, seed=1)
    m = CoxModel().fit(df)
    ref = CoxPHFitter().fit(pd.get_dummies(df, columns=["plan"], drop_first=True, dtype=float),
                            "duration", "event")
    np.testing.assert_allclose(m.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-6)
    hr = m.hazard_ratios_
    assert list(hr.index) == ["x1", "x2", "plan=b"]
    truth = {"x1": 0.7, "x2": -0.4, "plan=b": 0.5}
    for k, v in truth.items():
        assert hr.loc[k, "lower"] < np.exp(v) < hr.loc[k, "upper"]


def test_breslow_baseline_matches_lifelines_without_late_entry():
    df = exp_data(seed=2)
    m = CoxModel().fit(df)
    f = m.fitter_
    # lifelines' baseline is for the mean covariates: H_lifelines = H_segkit * exp(mean x @ b)
    scale = np.exp(f._norm_mean.to_numpy() @ f.params_.to_numpy())
    ref = f.baseline_cumulative_hazard_.iloc[:, 0]
    mine = m.baseline_cumulative_hazard_.reindex(ref.index).ffill().fillna(0.0)
    np.testing.assert_allclose(mine * scale, ref, rtol=1e-8, atol=1e-12)


def test_late_entry_baseline_is_right_where_lifelines_is_biased():
    # exponential lifetimes with hazard 1, everyone enters late (at an age in [0, 2])
    rng = np.random.default_rng(3)
    n = 20000
    t = rng.exponential(1.0, size=n)
    e = rng.uniform(0, 2.0, size=n)
    keep = t > e
    x = rng.normal(size=n)  # a covariate without effect
    df = pd.DataFrame({"duration": t[keep], "event": 1, "entry": e[keep], "x": x[keep]})
    m = CoxModel().fit(df, entry_col="entry")
    times = np.array([0.5, 1.0, 2.0])
    s = m.predict_survival(pd.DataFrame({"x": [0.0]}), times).to_numpy().ravel()
    np.testing.assert_allclose(s, np.exp(-times), atol=0.03)
    # lifelines' own baseline ignores entry and overstates survival
    lifelines_s = m.fitter_.baseline_survival_.iloc[:, 0]
    at = lifelines_s.reindex(lifelines_s.index.union(times)).ffill().loc[times].to_numpy()
    assert (at - np.exp(-times) > 0.1).all()


def test_conditional_survival_is_a_ratio_of_survivals():
    df = exp_data(seed=4)
    m = CoxModel().fit(df)
    new = df.head(5)
    a = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    cond = m.predict_survival(new.assign(age=a), [0.5, 1.0], conditional_after="age")
    for i in range(5):
        s_a = m.predict_survival(new.iloc[[i]], [a[i]]).iloc[0, 0]
        s_t = m.predict_survival(new.iloc[[i]], [a[i] + 0.5, a[i] + 1.0]).iloc[0].to_numpy()
        np.testing.assert_allclose(cond.iloc[i].to_numpy(), s_t / s_a, rtol=1e-10)
    assert m.predict_risk(new).equals(
        pd.Series(m._lin(new), index=new.index, name="risk"))


def test_ph_check_equals_lifelines_and_names_the_remedy():
    df = exp_data(n=1500, seed=5)
    m = CoxModel().fit(df)
    ref = proportional_hazard_test(m.fitter_, m._fit_frame, time_transform="rank").summary
    mine = m.check_assumptions()
    np.testing.assert_allclose(mine.loc[ref.index, "test_statistic"], ref["test_statistic"],
                               rtol=1e-6)
    # an effect that reverses over time breaks proportional hazards
    rng = np.random.default_rng(6)
    n = 4000
    z = rng.normal(size=n)
    g = rng.choice(["u", "v"], size=n)
    t_early = rng.exponential(1.0 / np.exp(1.0 * z))
    t = np.where(t_early < 0.5, t_early, 0.5 + rng.exponential(1.0 / np.exp(-1.0 * z)))
    # group v: a hazard shape of its own (Weibull 3 vs exponential)
    t = np.where(g == "v", rng.weibull(3.0, size=n) * 1.2, t)
    bad = pd.DataFrame({"duration": np.minimum(t, 3), "event": (t < 3).astype(int), "z": z,
                        "g": g})
    check = CoxModel().fit(bad).check_assumptions()
    assert check.loc["z", "violated"] and check.loc["z", "remedy"] == "time_interaction"
    assert check.loc["g=v", "violated"] and check.loc["g=v", "remedy"] == "stratify"
    # the remedies: stratify on g, split follow-up for z
    strat = CoxModel(strata=["g"]).fit(bad)
    assert "g=v" not in strat.hazard_ratios_.index
    assert isinstance(strat.baseline_cumulative_hazard_, dict)
    split = split_follow_up(bad.assign(customer_id=np.arange(n)), [0.5], interact=["z"])
    tv = TimeVaryingCoxModel().fit(split, covariate_cols=["z@0", "z@1"])
    coef = tv.hazard_ratios_["coef"]
    assert coef["z@0"] > 0.5 and coef["z@1"] < 0 and coef["z@0"] - coef["z@1"] > 0.8


def test_design_refuses_unseen_levels_missing_values_and_unfitted_use():
    df = exp_data(seed=7)
    with pytest.raises(NotFittedError):
        CoxModel().predict_risk(df)
    m = CoxModel().fit(df)
    with pytest.raises(SchemaError, match="not seen in fit"):
        m.predict_risk(df.assign(plan="c"))
    with pytest.raises(SchemaError, match="missing covariate"):
        CoxModel().fit(df.assign(x1=np.where(np.arange(len(df)) == 3, np.nan, df["x1"])))
    with pytest.raises(SchemaError, match="durations"):
        CoxModel().fit(df.assign(duration=-1.0))
    with pytest.raises(SchemaError, match="entry"):
        CoxModel().fit(df.assign(entry=df["duration"] + 1), entry_col="entry")
    with pytest.raises(ParameterError, match="penalizer"):
        CoxModel(penalizer=-1).fit(df)


# ------------------------------------------------------------------------------- AFT


def test_weibull_aft_equals_lifelines_and_its_remaining_lifetime_the_closed_form():
    df = exp_data(seed=8, entry=True)
    m = AFTModel("weibull").fit(df, entry_col="entry", covariate_cols=["x1"])
    ref = WeibullAFTFitter().fit(df[["duration", "event", "entry", "x1"]], "duration", "event",
                                 entry_col="entry")
    np.testing.assert_allclose(m.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-4)
    new = df.head(4)[["x1"]]
    s = m.predict_survival(new, [0.5, 1.5])
    np.testing.assert_allclose(s.to_numpy(), ref.predict_survival_function(new, times=[0.5, 1.5])
                               .to_numpy().T, rtol=1e-6)
    X = m._X(new)
    lam, rho = np.exp(m._linear(X, "lambda_")), np.exp(m._linear(X, "rho_"))
    a = np.array([0.0, 0.5, 1.0, 3.0])
    exact = lam / rho * gamma(1 / rho) * gammaincc(1 / rho, (a / lam) ** rho) \
        * np.exp((a / lam) ** rho)
    np.testing.assert_allclose(m.expected_remaining_lifetime(new, a), exact, rtol=1e-3)
    capped = m.expected_remaining_lifetime(new, a, horizon=0.25).to_numpy()
    assert (capped <= 0.25 + 1e-12).all() and (capped < exact).all()


@pytest.mark.parametrize("dist", ["loglogistic", "lognormal"])
def test_other_aft_distributions_give_survival_consistent_with_lifelines(dist):
    df = exp_data(seed=9)
    m = AFTModel(dist).fit(df, covariate_cols=["x1", "plan"])
    ref = m.fitter_.predict_survival_function(m._X(df.head(3)), times=[0.3, 1.0]).to_numpy().T
    np.testing.assert_allclose(m.predict_survival(df.head(3), [0.3, 1.0]), ref, rtol=1e-6)
    risk = m.predict_risk(df)
    assert concordance_index(df["duration"], -risk, df["event"]) > 0.6
    with pytest.raises(ParameterError, match="distribution"):
        AFTModel("gompertz").fit(df)
    with pytest.raises(SchemaError, match="durations > 0"):
        AFTModel(dist).fit(df.assign(duration=np.where(df.index == 0, 0.0, df["duration"])))


# -------------------------------------------------------------------- time-varying Cox


def test_time_varying_concordance_equals_harrell_on_one_row_per_customer():
    df = exp_data(seed=10)
    long = df.assign(customer_id=np.arange(len(df)), start=0.0, stop=df["duration"])
    risk = 0.7 * df["x1"] - 0.4 * df["x2"]
    mine = time_varying_concordance(long, risk)
    assert mine == pytest.approx(concordance_index(df["duration"], -risk, df["event"]), abs=1e-9)


def test_time_varying_cox_equals_lifelines_and_predicts():
    rng = np.random.default_rng(11)
    n = 1500
    rows = []
    # two periods per customer; the covariate changes at age 1; hazard exp(0.8 z(t))
    z0, z1 = rng.normal(size=n), rng.normal(size=n)
    t0 = rng.exponential(1.0 / np.exp(0.8 * z0))
    t1 = 1.0 + rng.exponential(1.0 / np.exp(0.8 * z1))
    for i in range(n):
        if t0[i] < 1.0:
            rows.append((i, 0.0, t0[i], 1, z0[i]))
        else:
            rows.append((i, 0.0, 1.0, 0, z0[i]))
            rows.append((i, 1.0, min(t1[i], 2.5), int(t1[i] < 2.5), z1[i]))
    long = pd.DataFrame(rows, columns=["customer_id", "start", "stop", "event", "z"])
    m = TimeVaryingCoxModel().fit(long)
    ref = CoxTimeVaryingFitter().fit(long, id_col="customer_id", event_col="event",
                                     start_col="start", stop_col="stop")
    np.testing.assert_allclose(m.params_.to_numpy(), ref.params_.to_numpy(), rtol=1e-6)
    hr = m.hazard_ratios_.loc["z"]
    se = (np.log(hr["upper"]) - np.log(hr["lower"])) / (2 * 1.959964)
    assert abs(hr["coef"] - 0.8) < 3 * se
    # the Breslow baseline equals lifelines' loop, up to lifelines' centring
    scale = np.exp(ref._norm_mean.to_numpy() @ ref.params_.to_numpy())
    lref = ref.baseline_cumulative_hazard_.iloc[:, 0]
    np.testing.assert_allclose(m.baseline_cumulative_hazard_.reindex(lref.index) * scale, lref,
                               rtol=1e-8)
    # the true baseline is exponential with rate 1
    assert abs(m.baseline_cumulative_hazard_.loc[:1.0].iloc[-1] - 1.0) < 0.1
    assert 0.6 < m.concordance_ < 0.8
    now = pd.DataFrame({"z": [0.0, 1.0]})
    s = m.predict_survival(now, [0.5], conditional_after=[1.0, 1.0]).iloc[:, 0].to_numpy()
    np.testing.assert_allclose(s, np.exp(-0.5 * np.exp(0.8 * np.array([0.0, 1.0]))), atol=0.05)
    with pytest.warns(UserWarning, match="beyond the longest follow-up"):
        late = m.predict_survival(now, [0.5], conditional_after=[2.4, 1.0])
    assert np.isnan(late.iloc[0, 0]) and np.isfinite(late.iloc[1, 0])
    with pytest.raises(SchemaError, match="stop > start"):
        TimeVaryingCoxModel().fit(long.assign(stop=long["start"]))


# --------------------------------------------------------------------- survival forest


def test_survival_forest_wraps_sksurv_and_refuses_late_entry():
    from sksurv.ensemble import RandomSurvivalForest
    from sksurv.util import Surv

    df = exp_data(n=500, seed=12)
    m = SurvivalForest(n_estimators=30, random_state=1).fit(df, covariate_cols=["x1", "x2"])
    ref = RandomSurvivalForest(n_estimators=30, min_samples_leaf=15, max_features="sqrt",
                               random_state=1, n_jobs=1).fit(
        df[["x1", "x2"]].to_numpy(), Surv.from_arrays(df["event"].astype(bool), df["duration"]))
    np.testing.assert_allclose(m.predict_risk(df.head(20)), ref.predict(df[["x1", "x2"]]
                                                                         .to_numpy()[:20]))
    s = m.predict_survival(df.head(20), [0.1, 0.5, 1.0, 2.0]).to_numpy()
    assert (np.diff(s, axis=1) <= 1e-12).all() and (s >= 0).all() and (s <= 1).all()
    assert concordance_index(df["duration"], -m.predict_risk(df), df["event"]) > 0.65
    with pytest.raises(ParameterError, match="late entry"):
        SurvivalForest().fit(df.assign(entry=df["duration"] / 2), entry_col="entry")


def test_breslow_baseline_by_hand():
    # rows: (start, stop, event, risk); times 1 and 2
    h = breslow_baseline([0, 0, 0.5, 1.5], [1, 2, 2, 3], [1, 1, 0, 0], [1.0, 2.0, 1.0, 4.0])
    # t=1: at risk all four? row 4 starts at 1.5 > 1: no -> 1 / (1 + 2 + 1)
    # t=2: rows 2, 3, 4 -> 1 / (2 + 1 + 4)
    np.testing.assert_allclose(h.to_numpy(), [1 / 4, 1 / 4 + 1 / 7])
    assert h.index.tolist() == [1.0, 2.0]


def test_an_event_at_time_zero_has_everyone_at_risk():
    h = breslow_baseline([0, 0, 0], [0, 1, 2], [1, 1, 0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(h.to_numpy(), [1 / 3, 1 / 3 + 1 / 2])
    # the same with late entry: a row entering at 0.5 is not at risk at 0 or 0.5
    h = breslow_baseline([0, 0, 0.5], [0, 0.5, 2], [1, 1, 0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(h.to_numpy(), [1 / 2, 1 / 2 + 1 / 1])


def test_log_rank_equals_lifelines_without_entry_and_respects_entry():
    df = exp_data(n=900, seed=13)
    df["g3"] = np.random.default_rng(1).choice(["a", "b", "c"], size=len(df))
    from segkit.churn import logrank_test

    for col in ("plan", "g3"):
        ref = multivariate_logrank_test(df["duration"], df[col], df["event"])
        mine = logrank_test(df["duration"], df[col], df["event"])
        assert mine["test_statistic"] == pytest.approx(ref.test_statistic, rel=1e-9)
        assert mine["degrees_of_freedom"] == ref.degrees_of_freedom
    # two groups with the same hazard; group b enters late. Ignoring entry, b's
    # early risk set is inflated with people not yet observed: a false difference
    rng = np.random.default_rng(14)
    n = 6000
    t = rng.exponential(1.0, size=n)
    g = np.where(np.arange(n) % 2 == 0, "a", "b")
    entry = np.where(g == "b", rng.uniform(0, 1.5, size=n), 0.0)
    keep = t > entry
    frame = pd.DataFrame({"duration": t[keep], "event": 1, "entry": entry[keep], "g": g[keep]})
    right = logrank_test(frame["duration"], frame["g"], frame["event"], frame["entry"])
    wrong = logrank_test(frame["duration"], frame["g"], frame["event"])
    assert right["p_value"] > 0.01 and wrong["p_value"] < 1e-6
    km = kaplan_meier(frame, "g", entry_col="entry")
    assert km.logrank["test_statistic"] == pytest.approx(right["test_statistic"])


def test_a_covariate_without_variation_is_left_out_with_a_warning():
    df = exp_data(seed=15).assign(flat=0.0, one_region="north")
    with pytest.warns(UserWarning, match="one value only"):
        m = CoxModel().fit(df)
    assert m.design_.dropped == ["flat"] and "flat" not in m.hazard_ratios_.index
    assert "one_region" in m.design_.columns and not any(
        n.startswith("one_region") for n in m.design_.names)  # one level: no dummy at all
    assert np.isfinite(m.predict_risk(df)).all()
    with pytest.raises(SchemaError, match="no covariate varies"), pytest.warns(UserWarning):
        CoxModel().fit(df[["duration", "event", "flat"]])
