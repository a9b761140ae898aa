"""The early-warning system (segkit.churn.warning)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit.churn.models import CoxModel
from segkit.churn.warning import (
    ACTIONS,
    DEFAULT_ACTIONS,
    LEVELS,
    EarlyWarning,
    evaluate_warning,
)
from segkit.datasets import simulate
from segkit.exceptions import NotFittedError, ParameterError
from segkit.features import INDICATORS, warning_indicators
from segkit.schema import CustomerData
from segkit.segment import VIPTiers

FIT = pd.Timestamp("2024-01-01")
SCORE = pd.Timestamp("2024-04-01")


@pytest.fixture(scope="module")
def sim():
    return simulate(n_customers=6000, start="2022-01-01", end="2024-12-31", seed=5)


@pytest.fixture(scope="module")
def fitted(sim):
    return EarlyWarning(capacity=50).fit(sim.tables, as_of=FIT)


# --------------------------------------------------------------------- training data


def _tiny() -> CustomerData:
    ts = pd.to_datetime
    customers = pd.DataFrame({"customer_id": list("abcde"),
                              "acquisition_date": ts(["2023-01-01"] * 4 + ["2023-08-01"])})
    monthly = pd.date_range("2023-01-10", "2023-12-10", freq="MS") + pd.Timedelta(days=9)
    rows = [("a", t) for t in monthly] + [("a", pd.Timestamp("2023-12-20"))]  # stays
    rows += [("b", t) for t in monthly if t < pd.Timestamp("2023-07-01")]
    rows += [("b", pd.Timestamp("2023-07-15"))]  # b's final activity: 2023-07-15
    rows += [("c", t) for t in monthly if t < pd.Timestamp("2023-05-25")]
    rows += [("c", pd.Timestamp("2023-05-20"))]  # c left before the training date
    rows += [("d", pd.Timestamp("2023-04-01")), ("d", pd.Timestamp("2023-09-01"))]  # paused
    rows += [("e", pd.Timestamp("2023-08-05"))]
    it = pd.DataFrame(rows, columns=["customer_id", "timestamp"]).assign(kind="login")
    return CustomerData(customers=customers, interactions=it)


def test_training_data_on_a_tiny_history():
    ew = EarlyWarning(horizon_days=30, threshold_days=30, window_days=30, min_baseline_days=10)
    out = ew.training_data(_tiny(), as_of="2024-01-01", train_dates=["2023-06-01"])
    # follow-up ends at as_of - 30 days = 2023-12-02; at 2023-06-01:
    # a active, stays -> censored at 184 days; b active, leaves after 2023-07-15 -> event
    # at the end of that day, 45 days; c active but already gone (last 2023-05-20);
    # d inactive for 61 >= 30 days (not scored, not trained); e not yet acquired
    assert out["customer_id"].tolist() == ["a", "b"]
    assert out["event"].tolist() == [0, 1]
    assert out["duration"].tolist() == [184.0, 45.0]
    assert list(out.columns) == ["customer_id", "train_date", *INDICATORS, "complaint_level",
                                 "duration", "event"]
    assert out.attrs["threshold_days"] == 30
    with pytest.raises(ParameterError, match="too late"):
        ew.training_data(_tiny(), as_of="2024-01-01", train_dates=["2023-12-10"])


def test_default_training_dates_respect_the_horizon(sim, fitted):
    # the latest training date leaves threshold + horizon days before the fit date
    gap = (FIT - fitted.train_dates_.max()).days
    assert gap == pytest.approx(fitted.threshold_days_ + fitted.horizon_days, abs=1)
    assert len(fitted.train_dates_) == 12
    assert np.all(np.diff(fitted.train_dates_.asi8) == 30 * 86_400 * 10**9)
    assert isinstance(fitted.model_, CoxModel)
    assert fitted.covariates_ == [*INDICATORS, "complaint_level"]
    assert fitted.coef_.index.tolist() == fitted.covariates_
    assert 0 < fitted.base_rate_ < 1
    assert fitted.amber_threshold_ == pytest.approx(1.5 * fitted.base_rate_)
    # the complaint level is the strongest risk in the simulator's story
    assert fitted.coef_["complaint_level"] > 0.3


# -------------------------------------------------------------------- no future leak


def test_fit_and_score_ignore_rows_on_or_after_as_of(sim, fitted):
    d = sim.tables
    rng = np.random.default_rng(1)

    def scramble(df):
        late = (df["timestamp"] >= FIT).to_numpy()
        df = df.copy()
        df.loc[late, "customer_id"] = rng.permutation(df.loc[late, "customer_id"].to_numpy())
        return df

    changed = dataclasses.replace(
        d, transactions=scramble(d.transactions), interactions=scramble(d.interactions),
        complaints=scramble(d.complaints), exits=None, campaigns=None,
        customers=d.customers.loc[d.customers["acquisition_date"] < FIT])
    again = EarlyWarning(capacity=50).fit(changed, as_of=FIT)
    pd.testing.assert_series_equal(again.coef_, fitted.coef_)
    assert again.threshold_days_ == fitted.threshold_days_
    assert again.base_rate_ == fitted.base_rate_
    pd.testing.assert_frame_equal(again.score(changed, FIT), fitted.score(d, FIT))


# ------------------------------------------------------------------------- levels


def test_levels_follow_risk_and_capacity(sim, fitted):
    s = fitted.score(sim.tables, SCORE)
    assert s["level"].cat.categories.tolist() == list(LEVELS)
    assert s["rank"].tolist() == list(range(1, len(s) + 1))
    assert (np.diff(s["risk"].to_numpy()) <= 0).all()
    red = s["level"] == "red"
    assert red.sum() == 50 and red[:50].all()  # the highest risks, by rank
    amber = s["level"] == "amber"
    assert (s.loc[amber, "risk"] >= fitted.amber_threshold_).all()
    assert (s.loc[s["level"] == "green", "risk"] < fitted.amber_threshold_).all()
    assert (s.loc[red, "risk"] > fitted.base_rate_).all()
    # only active customers are scored
    assert (s["days_since_activity"] < fitted.threshold_days_).all()
    assert s["customer_id"].is_unique
    np.testing.assert_allclose(s["relative_risk"], s["risk"] / fitted.base_rate_)


@settings(max_examples=25, deadline=None)
@given(capacity=st.integers(1, 5000), factor=st.floats(0.5, 3.0))
def test_red_never_exceeds_capacity(sim, fitted, capacity, factor):
    X = _indicators(sim)
    ew = EarlyWarning(capacity=capacity, amber_factor=factor)
    for k, v in vars(fitted).items():
        if k.endswith("_") and not k.startswith("_"):
            setattr(ew, k, v)
    ew.amber_threshold_ = factor * fitted.base_rate_
    s = ew._score_frame(X)
    red = (s["level"] == "red").to_numpy()
    assert red.sum() <= capacity
    above = (s["risk"] > fitted.base_rate_).to_numpy()
    assert red.sum() == min(capacity, above.sum())
    if red.any() and (~red).any():
        assert s.loc[red, "risk"].min() >= s.loc[~red, "risk"].max()


_CACHE: dict = {}


def _indicators(sim):
    if "X" not in _CACHE:
        _CACHE["X"] = warning_indicators(sim.tables, SCORE)
    return _CACHE["X"]


def test_score_is_invariant_to_row_order(sim, fitted):
    d = sim.tables
    shuffled = dataclasses.replace(d, **{
        k: v.sample(frac=1.0, random_state=3) for k, v in d.tables().items()})
    pd.testing.assert_frame_equal(fitted.score(shuffled, SCORE), fitted.score(d, SCORE))


# ------------------------------------------------------------------- warning list


def test_warning_list(sim, fitted):
    wl = fitted.warning_list(sim.tables, SCORE)
    s = fitted.score(sim.tables, SCORE)
    listed = s.loc[s["level"].isin(["red", "amber"])]
    assert wl["customer_id"].tolist() == listed["customer_id"].tolist()
    assert list(wl.columns) == ["customer_id", "level", "rank", "risk", "relative_risk", "tier",
                                "action", "driver_1", "contribution_1", "driver_2",
                                "contribution_2", "driver_3", "contribution_3"]
    assert set(wl["tier"]) <= {"key", "ordinary", "small", "inferior"}
    expected = [DEFAULT_ACTIONS[lv][t] for lv, t in zip(wl["level"], wl["tier"], strict=True)]
    assert wl["action"].tolist() == expected
    assert set(wl["action"]) <= set(ACTIONS)
    # drivers: named covariates, positive contributions, largest first, recomputable
    contrib = fitted.contributions(listed.reset_index(drop=True))
    beta, mean = fitted.coef_, fitted.means_
    for i in [0, len(wl) // 2, len(wl) - 1]:
        row = wl.iloc[i]
        names = [row[f"driver_{j}"] for j in (1, 2, 3)]
        values = [row[f"contribution_{j}"] for j in (1, 2, 3)]
        assert values == sorted(values, reverse=True)
        for n, v in zip(names, values, strict=True):
            if n is None:
                assert v == 0
                continue
            assert n in fitted.covariates_ and v > 0
            x = listed.iloc[i][n]
            assert v == pytest.approx(beta[n] * (x - mean[n]))
            assert contrib.iloc[i][n] == pytest.approx(v)
        positive = np.sort(contrib.iloc[i].to_numpy())[::-1]
        assert values[0] == pytest.approx(max(positive[0], 0))
    red_only = fitted.warning_list(sim.tables, SCORE, levels="red")
    assert (red_only["level"] == "red").all() and len(red_only) == 50


def test_warning_list_with_another_tier_scheme(sim, fitted):
    ew = EarlyWarning(capacity=50, tiers=VIPTiers())
    for k, v in vars(fitted).items():
        if k.endswith("_") and not k.startswith("_"):
            setattr(ew, k, v)
    with pytest.raises(ParameterError, match="no action for"):
        ew.warning_list(sim.tables, SCORE)


# ------------------------------------------------------------------- evaluation


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_warning_beats_no_purchase_rule_at_equal_capacity(seed):
    # measured over seeds 1-5 (10,000 customers, fit 2024-01-01, monthly scoring in
    # 2024, capacity 100): precision 0.19-0.23 against 0.08-0.10 for "no purchase for
    # 30, 60 or 90 days"; the test keeps a margin
    sim = simulate(n_customers=10_000, start="2022-01-01", end="2024-12-31", seed=seed)
    ew = EarlyWarning(capacity=100).fit(sim.tables, as_of=FIT)
    res = evaluate_warning(sim.tables, sim.truth, ew, naive_days=(30, 60, 90)).set_index("method")
    assert res.index.tolist() == ["early_warning", "no_purchase_30d", "no_purchase_60d",
                                  "no_purchase_90d"]
    assert (res["n_dates"] == 12).all() and (res["n_flagged"] <= 100 * 12).all()
    assert res.loc["early_warning", "n_flagged"] == 1200
    best_naive = res.drop("early_warning")["precision"].max()
    assert res.loc["early_warning", "precision"] > 1.4 * best_naive
    assert res.loc["early_warning", "recall"] > res.drop("early_warning")["recall"].max()
    lead = res.loc["early_warning", "median_lead_days"]
    assert 0 <= lead <= ew.horizon_days


def test_evaluate_warning_definitions_by_hand(sim, fitted):
    dates = pd.to_datetime(["2024-02-01", "2024-03-01"])
    res = evaluate_warning(sim.tables, sim.truth, fitted, dates, naive_days=60)
    X = pd.concat([fitted.score(sim.tables, d).assign(date=d) for d in dates])
    ct = sim.truth.set_index("customer_id")["churn_time"].reindex(X["customer_id"]).to_numpy()
    d = X["date"].to_numpy()
    hit = (ct >= d) & (ct < d + np.timedelta64(90, "D"))
    red = (X["level"] == "red").to_numpy()
    row = res.set_index("method").loc["early_warning"]
    assert row["precision"] == pytest.approx(hit[red].mean())
    assert row["n_flagged"] == red.sum()
    assert row["n_churners"] == len(set(X.loc[hit, "customer_id"]))
    first = X.loc[red & hit].groupby("customer_id")["date"].min()
    assert row["n_caught"] == len(first)
    lead = (sim.truth.set_index("customer_id")["churn_time"].reindex(first.index) - first)
    assert row["median_lead_days"] == pytest.approx(lead.dt.total_seconds().median() / 86400)
    naive = res.set_index("method").loc["no_purchase_60d"]
    assert naive["n_flagged"] <= 2 * fitted.capacity


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize("kw, match", [
    ({"capacity": 0}, "capacity"),
    ({"capacity": -3}, "capacity"),
    ({"capacity": 2.5}, "capacity"),
    ({"horizon_days": 0}, "horizon_days"),
    ({"amber_factor": 0}, "amber_factor"),
    ({"threshold_days": -1}, "threshold_days"),
    ({"threshold_quantile": 1.5}, "threshold_quantile"),
    ({"penalizer": -1}, "penalizer"),
    ({"n_train_dates": 0}, "n_train_dates"),
    ({"actions": {"red": "call"}}, "actions"),
    ({"window_days": 0}, "window_days"),
])
def test_bad_parameters(sim, kw, match):
    with pytest.raises(ParameterError, match=match):
        EarlyWarning(**kw).fit(sim.tables, as_of=FIT)


def test_bad_dates(sim, fitted):
    with pytest.raises(ParameterError, match="not after any acquisition"):
        EarlyWarning().fit(sim.tables, as_of="2021-06-01")
    with pytest.raises(ParameterError, match="leaves no training date"):
        EarlyWarning().fit(sim.tables, as_of="2022-06-01")
    with pytest.raises(ParameterError, match="not a date"):
        EarlyWarning().fit(sim.tables, as_of="soon")
    with pytest.raises(ParameterError, match="not after the first acquisition"):
        fitted.score(sim.tables, "2021-01-01")
    with pytest.raises(ParameterError, match="before the fit date"):
        evaluate_warning(sim.tables, sim.truth, fitted, ["2023-06-01"])
    with pytest.raises(ParameterError, match="levels"):
        fitted.warning_list(sim.tables, SCORE, levels=["purple"])


def test_not_fitted_and_bad_inputs(sim, fitted):
    ew = EarlyWarning()
    with pytest.raises(NotFittedError):
        ew.score(sim.tables, SCORE)
    with pytest.raises(NotFittedError):
        ew.warning_list(sim.tables, SCORE)
    with pytest.raises(NotFittedError):
        evaluate_warning(sim.tables, sim.truth, ew)
    with pytest.raises(ParameterError, match="CustomerData"):
        EarlyWarning().fit(sim.tables.transactions, as_of=FIT)
    from segkit.exceptions import SchemaError

    with pytest.raises(SchemaError, match="churn_time"):
        evaluate_warning(sim.tables, sim.truth.drop(columns="churn_time"), fitted)


def test_a_company_with_transactions_only_gets_a_warning_from_purchases(sim):
    # no interactions, no complaints (the CDNOW shape): the indicators that never vary
    # are left out of the model, and the list shows the drivers it kept
    data = CustomerData(transactions=sim.tables.transactions)
    with pytest.warns(UserWarning, match="one value only"):
        ew = EarlyWarning(capacity=30, n_train_dates=3).fit(data, "2024-09-01")
    assert set(ew.covariates_) <= {"amount_change", "purchase_frequency_change"}
    assert ew.covariates_ and ew.coef_.notna().all()
    wl = ew.warning_list(data, "2024-09-01", levels=("red",))
    assert 0 < len(wl) <= 30
    drivers = pd.unique(wl[["driver_1", "driver_2", "driver_3"]].to_numpy().ravel())
    assert {d for d in drivers if d is not None} <= set(ew.covariates_)
