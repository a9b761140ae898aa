"""Targeting under a budget: allocate (multiple-choice knapsack) and compare_policies."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

import segkit
from segkit.exceptions import ParameterError, SchemaError
from segkit.winback.targeting import ALLOCATION_COLUMNS, POLICIES, allocate, compare_policies
from segkit.winback.uplift import FRAME_KEYS, OfferUplift, SLearner, learning_frame

OFFERS = ["discount_10", "discount_25", "service_call"]


def _instance(seed, n, k, equal_costs=False, zero_costs=False):
    rng = np.random.default_rng(seed)
    cols = [f"o{j}" for j in range(k)]
    u = pd.DataFrame(rng.uniform(-0.1, 0.5, (n, k)), columns=cols)
    v = rng.uniform(-20, 100, n)
    if equal_costs:
        c = float(rng.uniform(1, 10))
        cost = pd.DataFrame(np.full((n, k), c), columns=cols)
    else:
        cost = pd.DataFrame(rng.uniform(0, 20, (n, k)), columns=cols)
        if zero_costs:
            cost.iloc[:, 0] = 0.0
    budget = float(rng.uniform(0, 1.2) * cost.to_numpy().max(axis=1).sum())
    return u, v, cost, budget


def _brute(u, v, cost, budget, ok):
    U, C = u.to_numpy(), cost.to_numpy()
    G = U * v[:, None] - C
    n, k = U.shape
    best = 0.0
    for assign in itertools.product(range(-1, k), repeat=n):
        a = np.array(assign)
        if (a[~ok] >= 0).any():
            continue
        sel = a >= 0
        r = np.flatnonzero(sel)
        if C[r, a[sel]].sum() <= budget + 1e-9:
            best = max(best, G[r, a[sel]].sum())
    return best


def _check(u, v, cost, budget, out, min_value=0.0):
    G = u.to_numpy() * v[:, None] - cost.to_numpy()
    assert list(out.columns) == list(ALLOCATION_COLUMNS)
    assert out["cost"].sum() <= budget + 1e-9
    chosen = out["offer"].notna().to_numpy()
    assert (out.loc[chosen, "expected_gain"] > 0).all()
    assert (out.loc[~chosen, ["expected_gain", "cost"]] == 0).all().all()
    if min_value is not None:
        assert not (chosen & (v < min_value)).any()
    ok = v >= min_value if min_value is not None else np.ones(len(v), bool)
    opt = _brute(u, v, cost, budget, ok)
    total = out["expected_gain"].sum()
    largest = max(0.0, G[ok].max()) if ok.any() else 0.0
    assert total <= opt + 1e-7
    assert out.attrs["lp_bound"] >= opt - 1e-7  # the LP relaxation bounds the optimum
    assert total >= out.attrs["lp_bound"] - largest - 1e-7
    return total, opt


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 5),
    k=st.integers(1, 3),
    zero=st.booleans(),
    mv=st.sampled_from([0.0, None, 30.0]),
)
def test_allocate_against_brute_force(seed, n, k, zero, mv):
    u, v, cost, budget = _instance(seed, n, k, zero_costs=zero)
    _check(u, v, cost, budget, allocate(u, v, cost, budget, min_value=mv), min_value=mv)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), k=st.integers(1, 3))
def test_allocate_optimal_when_costs_are_equal(seed, n, k):
    u, v, cost, budget = _instance(seed, n, k, equal_costs=True)
    total, opt = _check(u, v, cost, budget, allocate(u, v, cost, budget))
    assert total == pytest.approx(opt, abs=1e-7)


def test_allocate_simple_cases_and_inputs_untouched():
    u = pd.DataFrame({"call": [0.30, 0.10, 0.20], "mail": [0.20, 0.05, 0.01]}, index=list("xyz"))
    u0 = u.copy()
    v = np.array([100.0, 100.0, -50.0])
    out = allocate(u, v, {"call": 10.0, "mail": 1.0}, budget=12)
    assert out.index.tolist() == list("xyz")
    assert out["offer"].tolist() == ["call", "mail", None]
    pd.testing.assert_frame_equal(u, u0)
    assert v.tolist() == [100.0, 100.0, -50.0]
    # budget 0: only free offers with a positive gain
    out = allocate(u, v, {"call": 10.0, "mail": 0.0}, budget=0)
    assert out["offer"].tolist() == ["mail", "mail", None]
    # nothing worth doing: no contact at all
    out = allocate(-u, v.clip(0), 1.0, budget=100)
    assert out["offer"].isna().all() and out.attrs["spent"] == 0
    # a huge budget gives every customer its best positive offer
    out = allocate(u, v, {"call": 10.0, "mail": 1.0}, budget=1e9)
    assert out["offer"].tolist() == ["call", "mail", None]


def test_inferior_former_customers_never_contacted():
    # negative value x negative uplift is a positive "gain": only the rule stops it
    u = pd.DataFrame({"call": [0.2, -0.3, 0.1], "mail": [0.1, -0.2, 0.05]})
    v = np.array([100.0, -80.0, 60.0])
    tier = np.array(["key", "inferior", "ordinary"])
    cost = {"call": 5.0, "mail": 1.0}
    free = allocate(u, v, cost, 100.0, min_value=None)
    assert free.loc[1, "offer"] is not None  # what the rule is there to prevent
    out = allocate(u, v, cost, 100.0)  # default min_value=0
    assert out.loc[1, "offer"] is None and out.loc[0, "offer"] == "call"
    out = allocate(u, v, cost, 100.0, min_value=None, tier=tier, exclude_tiers=["inferior"])
    assert out.loc[1, "offer"] is None
    out = allocate(u, v, cost, 100.0, min_value=70.0)
    assert out["offer"].tolist() == ["call", None, None]
    with pytest.raises(ParameterError):
        allocate(u, v, cost, 100.0, exclude_tiers=["inferior"])


def test_allocate_bad_input():
    u = pd.DataFrame({"a": [0.1, 0.2]})
    with pytest.raises(ParameterError):
        allocate(u.to_numpy(), [1, 2], {"a": 1.0}, 1.0)
    with pytest.raises(ParameterError):
        allocate(u, [1, 2, 3], {"a": 1.0}, 1.0)
    with pytest.raises(ParameterError):
        allocate(u, [1, 2], {"b": 1.0}, 1.0)
    with pytest.raises(ParameterError):
        allocate(u, [1, 2], {"a": -1.0}, 1.0)
    with pytest.raises(ParameterError):
        allocate(u, [1, 2], {"a": 1.0}, -1.0)
    with pytest.raises(ParameterError):
        allocate(u.assign(a=[np.nan, 0.1]), [1, 2], {"a": 1.0}, 1.0)
    with pytest.raises(ParameterError):
        allocate(u, [1, 2], pd.DataFrame({"a": [1.0]}), 1.0)


def test_allocate_at_scale_stays_within_the_budget_and_near_the_lp_bound():
    # speed is measured in benchmarks, not asserted here: this checks the answer at size
    rng = np.random.default_rng(0)
    n = 200_000
    cols = list("abcd")
    u = pd.DataFrame(rng.uniform(-0.05, 0.3, (n, 4)), columns=cols)
    v = rng.gamma(2.0, 100.0, n)
    cost = pd.DataFrame(rng.uniform(1, 30, (n, 4)), columns=cols)
    out = allocate(u, v, cost, 4e5)
    assert out.attrs["spent"] <= 4e5
    assert out.attrs["total_gain"] >= out.attrs["lp_bound"] - 300.0


# ------------------------------------------------------------- simulated comparison
def _held_out(seed, n=20_000):
    sim = segkit.datasets.simulate(n_customers=n, seed=seed)
    t = sim.tables
    f = learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)
    X = f.drop(columns=list(FRAME_KEYS)).to_numpy(float)
    train = np.random.default_rng(seed).random(len(f)) < 0.5
    test = ~train
    model = OfferUplift().fit(X[train], f["offer"][train], f["responded"][train])
    pred = model.predict_uplift(X[test])[OFFERS]
    true = sim.true_uplift()[OFFERS][test].reset_index(drop=True)
    truth = sim.truth.set_index("customer_id")
    ids = f.loc[test, "customer_id"]
    value = ids.map(truth["margin"]).to_numpy(float)
    inferior = ids.map(truth["inferior"]).to_numpy(bool)
    mab = f.loc[test, "mean_amount_before"].to_numpy(float)
    cost = pd.DataFrame(
        {"discount_10": 0.10 * mab, "discount_25": 0.25 * mab, "service_call": 15.0}
    )
    risk = f.loc[test, "days_since_last_purchase"].to_numpy(float)
    return true, pred, value, cost, risk, inferior


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uplift_targeting_beats_baselines_on_true_gain(seed):
    with threadpool_limits(1):
        true, pred, value, cost, risk, inferior = _held_out(seed)
    budget = 2.0 * len(value)
    out = compare_policies(true, value, cost, budget, predicted_uplift=pred, risk=risk, seed=seed)
    assert out.index.tolist() == list(POLICIES)
    assert (out["cost"] <= budget + 1e-6).all()
    for base in ("risk", "value", "random"):
        assert out.loc["uplift", "true_gain"] > out.loc[base, "true_gain"], out
    assert out.loc["uplift", "true_gain"] > 0
    # a stated offer for the baselines, and the tier rule on every policy
    tier = np.where(inferior, "inferior", "other")
    out = compare_policies(
        true,
        value,
        cost,
        budget,
        predicted_uplift=pred,
        risk=risk,
        baseline_offer="service_call",
        min_value=None,
        tier=tier,
        exclude_tiers=["inferior"],
    )
    assert (out.loc[["risk", "value", "random"], "offer"] == "service_call").all()
    alloc = allocate(
        pred, value, cost, budget, min_value=None, tier=tier, exclude_tiers=["inferior"]
    )
    assert alloc.loc[inferior, "offer"].isna().all()
    assert alloc["offer"].notna().sum() == out.loc["uplift", "n_contacted"]


def test_compare_policies_bad_input():
    t = pd.DataFrame({"a": [0.1, 0.2]})
    with pytest.raises(ParameterError):
        compare_policies(
            t, [1, 2], {"a": 1.0}, 1.0, predicted_uplift=t.rename(columns={"a": "b"}), risk=[0, 1]
        )
    with pytest.raises(ParameterError):
        compare_policies(t, [1, 2], {"a": 1.0}, 1.0, predicted_uplift=t, risk=[0])
    with pytest.raises(ParameterError):
        compare_policies(
            t, [1, 2], {"a": 1.0}, 1.0, predicted_uplift=t, risk=[0, 1], baseline_offer="z"
        )


# ------------------------------------------------------------- value if won back
@pytest.mark.parametrize("seed", [0, 1])
def test_value_if_won_back_ranks_lost_customers_by_their_true_value(seed):
    from scipy.stats import spearmanr

    from segkit.winback import value_if_won_back

    sim = segkit.datasets.simulate(n_customers=3000, seed=seed)
    v = value_if_won_back(sim.tables.transactions, horizon_months=12, discount_rate=0.0)
    truth = sim.truth.set_index("customer_id").loc[v.index]
    # what a customer buys in a year while alive: their rate times their mean spend
    true_value = truth["purchase_rate"] * 365.25 * truth["expected_spend"]
    repeat = v["frequency"] >= 2
    gone = truth["churned"].to_numpy() & repeat.to_numpy()
    rho_won_back = spearmanr(v.loc[gone, "value_if_won_back"], true_value[gone])[0]
    rho_clv = spearmanr(v.loc[gone, "clv"], true_value[gone])[0]
    # among customers who have left, CLV mostly measures how recently they left; the
    # value if won back measures what they were worth
    assert rho_won_back > 0.6
    assert rho_won_back > rho_clv + 0.1
    above = v["p_alive"] > 1e-6  # below, P(alive) is floored in the division
    np.testing.assert_allclose(v.loc[above, "clv"],
                               (v["p_alive"] * v["value_if_won_back"])[above], rtol=1e-9)
    assert (v["p_alive"].between(0, 1)).all() and np.isfinite(v["value_if_won_back"]).all()


def test_value_if_won_back_uses_nothing_after_as_of_and_checks_input():
    from segkit.winback import value_if_won_back

    tx = segkit.datasets.load_demo().transactions
    a = value_if_won_back(tx, "2024-06-30")
    later = tx[tx["timestamp"] > "2024-06-30"].index
    changed = tx.copy()
    changed.loc[later, "amount"] = changed.loc[later, "amount"] * 7
    pd.testing.assert_frame_equal(a, value_if_won_back(changed, "2024-06-30"))
    half = value_if_won_back(tx, "2024-06-30", margin_rate=0.5)
    np.testing.assert_allclose(half["clv"], 0.5 * a["clv"])
    with pytest.raises(SchemaError, match="amount"):
        value_if_won_back(tx.drop(columns="amount"))
    with pytest.raises(ParameterError, match="horizon_months"):
        value_if_won_back(tx, horizon_months=0)
    with pytest.raises(ParameterError, match="margin_rate"):
        value_if_won_back(tx, margin_rate=1.5)
    with pytest.raises(ParameterError, match="as_of"):
        value_if_won_back(tx, "yesterday-ish")


# ------------------------------------------------------------- backtest
def test_ipw_uplift_is_unbiased_for_the_mean_uplift():
    from segkit.winback import ipw_uplift

    rng = np.random.default_rng(0)
    n = 200_000
    offer = rng.choice(["control", "a"], n, p=[0.3, 0.7])
    y = rng.random(n) < np.where(offer == "a", 0.25, 0.10)
    est = ipw_uplift(offer, y, ["a"])["a"]
    assert est.mean() == pytest.approx(0.15, abs=0.01)
    with pytest.raises(ParameterError, match="no row has"):
        ipw_uplift(["a", "a"], [1, 0], ["a"])


@pytest.mark.parametrize("seed", [0, 1])
def test_backtest_targeting_on_a_time_split(seed):
    from segkit.winback import backtest_targeting

    sim = segkit.datasets.simulate(n_customers=15000, seed=seed)
    t = sim.tables
    f = learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)
    true = sim.true_uplift()
    value = f["customer_id"].map(sim.truth.set_index("customer_id")["margin"]).clip(lower=0)
    mab = f["mean_amount_before"]
    cost = pd.DataFrame({"discount_10": 0.10 * mab, "discount_25": 0.25 * mab,
                         "service_call": 15.0 + 0 * mab})
    test = (f["timestamp"] >= "2024-07-01").to_numpy()  # the last six months' waves
    budget = 2.0 * test.sum()
    with threadpool_limits(1):
        bt = backtest_targeting(f, value, cost, budget, test=test, true_uplift=true, seed=seed)
    p = bt.policies
    assert p.index.tolist() == list(POLICIES)
    assert (p["cost"] <= budget + 1e-6).all()
    for base in ("risk", "random"):
        assert p.loc["uplift", "true_gain"] > p.loc[base, "true_gain"], p
    assert p.loc["uplift", "true_gain"] > 0
    # the estimate from the actual responses tracks the truth without knowing it
    gap = (p["estimated_gain"] - p["true_gain"]).abs()
    assert (gap < 3.5 * p["estimated_gain_se"]).all(), p
    assert (bt.test == test).all() and len(bt.allocation) == test.sum()
    assert bt.allocation["offer"].notna().sum() == p.loc["uplift", "n_contacted"]


def test_backtest_targeting_bad_input():
    from segkit.winback import backtest_targeting

    f = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(ParameterError, match="learning_frame"):
        backtest_targeting(f, [1, 2], {"a": 1.0}, 10.0)
    sim = segkit.datasets.simulate(n_customers=1500, seed=0)
    t = sim.tables
    fr = learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)
    with pytest.raises(ParameterError, match="value has"):
        backtest_targeting(fr, [1.0], {"discount_10": 1.0}, 10.0)
    with pytest.raises(ParameterError, match="test must mark"):
        backtest_targeting(fr, np.ones(len(fr)), {"discount_10": 1.0}, 10.0,
                           test=np.ones(len(fr), bool))


def test_targeting_inputs_know_nothing_after_as_of():
    from segkit.winback import targeting_inputs

    d = segkit.datasets.load_demo()
    f = learning_frame(d.campaigns, d.transactions, d.complaints, d.customers)
    costs = {"discount_10": (0.0, 0.1), "service_call": (15.0, 0.0)}
    x = targeting_inputs(d, f, "2023-12-31", costs)
    assert x.index.equals(f.index)
    np.testing.assert_allclose(x["cost_discount_10"], 0.1 * f["mean_amount_before"].fillna(0))
    assert (x["cost_service_call"] == 15.0).all()
    assert x["risk"].between(0, 1).all() and (x["value"] >= 0).all()
    assert set(x["tier"].dropna()) <= {"key", "ordinary", "small", "inferior"}
    acquired = f["customer_id"].map(d.customers.set_index("customer_id")["acquisition_date"])
    late = (acquired > "2023-12-31").to_numpy()
    assert late.any() and x.loc[late, "tier"].isna().all() and (x.loc[late, "value"] == 0).all()
    # rows after as_of changed beyond recognition: nothing moves
    tx = d.transactions.copy()
    after = tx["timestamp"] > "2023-12-31"
    tx.loc[after, "amount"] *= 9
    d2 = segkit.schema.CustomerData(**{**d.tables(), "transactions": tx},
                                    observation_end=d.observation_end)
    pd.testing.assert_frame_equal(x, targeting_inputs(d2, f, "2023-12-31", costs))
    with pytest.raises(ParameterError, match="offer_costs"):
        targeting_inputs(d, f, "2023-12-31", {"discount_10": 0.1})
    with pytest.raises(ParameterError, match="as_of"):
        targeting_inputs(d, f, "soon", costs)


def test_backtest_targeting_with_a_model_fitted_beforehand():
    from segkit.winback import backtest_targeting, cost_table, targeting_inputs

    d = segkit.datasets.load_demo()
    f = learning_frame(d.campaigns, d.transactions, d.complaints, d.customers)
    x = targeting_inputs(d, f, "2023-12-31", {"discount_10": (0.0, 0.1),
                                               "discount_25": (0.0, 0.25),
                                               "service_call": (15.0, 0.0)})
    assert cost_table(x).columns.tolist() == ["discount_10", "discount_25", "service_call"]
    test = (f["timestamp"] > "2024-06-30").to_numpy()
    X = f.drop(columns=list(FRAME_KEYS)).to_numpy(float)
    model = OfferUplift(SLearner(random_state=0)).fit(X[~test], f["offer"][~test],
                                                      f["responded"][~test])
    a = backtest_targeting(f, x["value"], cost_table(x), 500.0, test=test, model=model)
    b = backtest_targeting(f, x["value"], cost_table(x), 500.0, test=test,
                           learner=SLearner(random_state=0))
    pd.testing.assert_frame_equal(a.policies, b.policies)
    assert a.model is model
    with pytest.raises(ParameterError, match="test=..."):
        backtest_targeting(f, x["value"], cost_table(x), 500.0, model=model)
