"""The lost-customer database, loss reasons and the cost of churn (issue 11, items 1-2)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.churn import churn_labels
from segkit.exceptions import ParameterError, SchemaError
from segkit.schema import CustomerData
from segkit.winback.lost import (
    DAYS_PER_MONTH,
    LOST_COLUMNS,
    cost_of_churn,
    loss_reasons,
    lost_customers,
)

D = pd.Timestamp
END = "2024-12-31"


def tiny() -> CustomerData:
    """Four customers; a, c, d lapse for 90 days, b does not; d comes back in 2025."""
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c", "d", "d"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-03-10", "2024-01-01",
                                     "2024-10-15", "2024-01-01", "2024-01-01", "2025-02-01"]),
        "amount": [100.0, 50.0, -50.0, 40.0, 40.0, 30.0, 10.0, 12.0],
        "is_return": [False, False, True, False, False, False, False, False],
        "cost": [60.0, 30.0, 0.0, 20.0, 20.0, 15.0, 5.0, 6.0],
    })
    customers = pd.DataFrame({"customer_id": list("abcd"),
                              "acquisition_date": pd.to_datetime(["2024-01-01"] * 4),
                              "region": ["north", "south", "north", "east"]})
    complaints = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "c"],
        "timestamp": pd.to_datetime(["2024-02-01", "2024-02-15", "2024-02-20", "2024-06-15",
                                     "2024-01-10"]),
        "kind": ["complaint", "review", "review", "complaint", "complaint"],
        "reason": ["price", "service", None, "product", "service"],
        "rating": pd.array([None, 1, 4, None, None], dtype="Int64"),
    })
    interactions = pd.DataFrame({"customer_id": ["d"], "timestamp": [D("2024-05-01")],
                                 "kind": ["login"]})
    exits = pd.DataFrame({"customer_id": ["a"], "timestamp": [D("2024-04-01")],
                          "kind": ["account_closed"], "reason": ["service"],
                          "source": ["exit_survey"], "contract_id": [None]})
    costs = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
                          "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01",
                                                       "2024-07-01", "2024-01-01"]),
                          "kind": ["acquisition", "delivery", "delivery", "acquisition"],
                          "amount": [20.0, 5.0, 5.0, 30.0]})
    campaigns = pd.DataFrame({
        "customer_id": ["a", "a", "a"], "campaign": ["X", "WB1", "WB2"],
        "timestamp": pd.to_datetime(["2024-02-15", "2024-07-01", "2024-08-01"]),
        "kind": ["winback"] * 3, "offer": ["control", "discount_10", "service_call"],
        "randomised": [True] * 3, "responded": [False, False, True],
        "response_date": pd.to_datetime([None, None, "2024-08-05"]),
        "offer_cost": [0.0, 0.0, 15.0],
    })
    return CustomerData(customers=customers, transactions=tx, complaints=complaints,
                        interactions=interactions, exits=exits, costs=costs,
                        campaigns=campaigns)


# ----------------------------------------------------------------------------- tiny tables


def test_narrow_database_every_column():
    lost = lost_customers(tiny(), "narrow", 90, observation_end=END)
    assert list(lost.columns) == list(LOST_COLUMNS)
    assert lost.index.tolist() == ["a", "c", "d"]  # b was active 77 days before the end
    a, c, d = (lost.loc[k] for k in "acd")
    # a: two purchase days, a full return of the second; the July delivery is after churn
    assert a["churn_date"] == D("2024-05-30") and a["last_activity"] == D("2024-03-01")
    assert a["last_order_date"] == D("2024-03-01") and a["last_order_amount"] == 50.0
    assert a["orders"] == 2 and a["revenue"] == 100.0
    assert a["margin"] == pytest.approx(100.0 - 90.0 - 5.0)
    assert a["acquisition_cost"] == 20.0
    assert a["active_months"] == pytest.approx(60 / DAYS_PER_MONTH)
    assert a["monthly_revenue"] == pytest.approx(100.0 / (60 / DAYS_PER_MONTH))
    assert a["value_lost_revenue"] == pytest.approx(12 * a["monthly_revenue"])
    assert a["value_lost_margin"] == pytest.approx(12 * 5.0 / (60 / DAYS_PER_MONTH))
    assert a["complaints"] == 1 and a["negative_reviews"] == 1  # June complaint is after
    assert a["last_complaint_reason"] == "price"
    assert (a["stated_reason"], a["stated_source"]) == ("service", "exit_survey")
    assert (a["exit_reason"], a["reason_source"]) == ("service", "stated")
    assert a["winback_attempts"] == 2  # the February campaign precedes the lapse
    assert a["winback_offers"] == "discount_10|service_call"
    assert a["winback_responded"] and a["first_response_date"] == D("2024-08-05")
    assert not a["came_back"] and pd.isna(a["came_back_date"])
    assert a["region"] == "north"
    # c: one purchase, one month at least, reason inferred from the complaint
    assert c["churn_date"] == D("2024-03-31") and c["active_months"] == 1.0
    assert c["monthly_revenue"] == 30.0 and c["acquisition_cost"] == 0.0
    assert (c["exit_reason"], c["reason_source"]) == ("service", "inferred_from_complaint")
    assert c["stated_reason"] is None and c["winback_attempts"] == 0
    assert c["winback_offers"] is None and not c["winback_responded"]
    # d: the login is the last activity; the 2025 purchase is a return after the end
    assert d["last_activity"] == D("2024-05-01") and d["last_order_date"] == D("2024-01-01")
    assert d["churn_date"] == D("2024-07-30") and d["revenue"] == 10.0
    assert (d["exit_reason"], d["reason_source"]) == (None, "unknown")
    assert d["came_back"] and d["came_back_date"] == D("2025-02-01")
    assert lost["former_tier"].cat.categories.tolist() == ["key", "ordinary", "small",
                                                          "inferior"]
    assert lost.attrs["definition"] == "narrow" and lost.attrs["horizon_months"] == 12.0


def test_broad_database_and_former_tier():
    lost = lost_customers(tiny(), "broad", observation_end=END, horizon_months=6)
    assert lost.index.tolist() == ["a"]
    a = lost.loc["a"]
    assert a["churn_date"] == D("2024-04-01") and a["revenue"] == 100.0
    assert a["value_lost_revenue"] == pytest.approx(6 * a["monthly_revenue"])
    assert (a["exit_reason"], a["reason_source"]) == ("service", "stated")
    # history profile: a 100 (margin 5), b 80, c 30, d 10 of 220: a alone brings 45% <
    # 80%, a and b 82% >= 80%, so key = {a, b}
    assert a["former_tier"] == "key"


def test_a_reactivation_undoes_the_stated_end():
    data = tiny()
    exits = pd.concat([data.exits, pd.DataFrame({
        "customer_id": ["a"], "timestamp": [D("2024-08-05")], "kind": ["reactivated"],
        "reason": [None], "source": [None], "contract_id": [None]})], ignore_index=True)
    lost = lost_customers(dataclasses.replace(data, exits=exits), "narrow", 90,
                          observation_end=END)
    a = lost.loc["a"]
    assert a["stated_reason"] is None
    assert (a["exit_reason"], a["reason_source"]) == ("price", "inferred_from_complaint")
    assert a["came_back"] and a["came_back_date"] == D("2024-08-05")
    assert broad_ids(dataclasses.replace(data, exits=exits)) == []


def broad_ids(data):
    return lost_customers(data, "broad", observation_end=END).index.tolist()


def test_inputs_are_not_modified_and_errors():
    data = tiny()
    before = {k: v.copy() for k, v in data.tables().items()}
    lost_customers(data, "narrow", 90, observation_end=END)
    for k, v in data.tables().items():
        pd.testing.assert_frame_equal(v, before[k])
    with pytest.raises(ParameterError):
        lost_customers(data, "narrow")  # no threshold
    with pytest.raises(ParameterError):
        lost_customers(data, "sideways", 90)
    with pytest.raises(ParameterError):
        lost_customers(data, "narrow", 90, horizon_months=0)
    with pytest.raises(ParameterError):
        lost_customers(data.transactions, "narrow", 90)
    with pytest.raises(SchemaError):
        lost_customers(dataclasses.replace(data, transactions=None), "narrow", 90)


def test_loss_reasons_exact():
    lost = pd.DataFrame({
        "churn_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-04-03", "2024-05-09",
                                      "2024-07-01", "2024-02-11"]),
        "former_tier": ["key", "key", "key", "key", "key", "small"],
        "region": ["n", "n", "s", "s", "s", "n"],
        "exit_reason": ["price", "service", "price", "price", None, "price"],
    })
    res = loss_reasons(lost, by="former_tier", freq="Q")
    key = res.table[res.table["former_tier"] == "key"]
    assert key["period"].astype(str).tolist() == ["2024Q1"] * 3 + ["2024Q2"] * 3 + \
        ["2024Q3"] * 3
    assert key["reason"].tolist() == ["price", "service", "unknown"] * 3
    assert key["n"].tolist() == [1, 1, 0, 2, 0, 0, 0, 0, 1]
    assert key["share"].tolist() == [0.5, 0.5, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    tr = res.trend.set_index(["former_tier", "reason"])
    # price shares 0.5, 1, 0 over periods 0, 1, 2: slope -0.25, last - mean = -0.5
    assert tr.loc[("key", "price"), "slope"] == pytest.approx(-0.25)
    assert tr.loc[("key", "price"), "last_vs_mean"] == pytest.approx(-0.5)
    assert tr.loc[("key", "price"), "share"] == pytest.approx(3 / 5)
    assert tr.loc[("key", "unknown"), "slope"] == pytest.approx(0.5)
    assert np.isnan(tr.loc[("small", "price"), "slope"])  # one period only
    assert tr.loc[("small", "price"), "n_periods"] == 1
    both = loss_reasons(lost, by=("former_tier", "region"), freq=None)
    assert set(both.table["period"]) == {"all"} and both.trend["slope"].isna().all()
    s = both.table.groupby(["former_tier", "region"])["share"].sum()
    assert np.allclose(s, 1.0)
    overall = loss_reasons(lost, by=(), freq="Y")
    assert overall.trend.set_index("reason")["n"].to_dict() == {"price": 4, "service": 1,
                                                                "unknown": 1}
    with pytest.raises(ParameterError):
        loss_reasons(lost, by="channel")
    with pytest.raises(ParameterError):
        loss_reasons(lost, freq="fortnight")


def test_cost_of_churn_exact():
    lost = pd.DataFrame({
        "former_tier": ["key", "key", "small"],
        "monthly_revenue": [100.0, 50.0, 5.0], "monthly_margin": [30.0, 10.0, -1.0],
        "margin": [300.0, 5.0, 2.0], "acquisition_cost": [40.0, 25.0, 20.0],
        "came_back": [False, True, False]}, index=pd.Index(list("abc"), name="customer_id"))
    out = cost_of_churn(lost, horizon_months=12)
    assert out.index.tolist() == ["all"]
    row = out.loc["all"]
    assert row["n_lost"] == 3 and row["lost_revenue"] == 1860.0
    assert row["lost_margin"] == 12 * 39.0 and row["acquisition_cost"] == 85.0
    assert row["unrecovered_acquisition_cost"] == 0.0 + 20.0 + 18.0
    by = cost_of_churn(lost, by="former_tier", horizon_months=6,
                       clv=pd.Series({"a": 500.0, "c": 7.5}))
    assert by["lost_revenue"].to_dict() == {"key": 900.0, "small": 30.0}
    assert by["clv_lost"].to_dict() == {"key": 500.0, "small": 7.5}
    assert by["clv_missing"].to_dict() == {"key": 1, "small": 0}
    kept = cost_of_churn(lost, exclude_came_back=True, horizon_months=1)
    assert kept.loc["all", "n_lost"] == 2 and kept.loc["all", "lost_revenue"] == 105.0
    assert cost_of_churn(lost_customers(tiny(), "broad", observation_end=END,
                                        horizon_months=3)).attrs["horizon_months"] == 3.0
    with pytest.raises(ParameterError):
        cost_of_churn(lost, clv={"a": 1.0})
    with pytest.raises(ParameterError):
        cost_of_churn(lost.drop(columns="margin"))


# ----------------------------------------------------------------------------- simulator

SEEDS = (11, 12, 13)


@pytest.fixture(scope="module")
def sims():
    return {s: segkit.datasets.simulate(n_customers=4000, seed=s) for s in SEEDS}


def _end_rows(sim):
    """The last end row of each customer's exits, with the true reason."""
    ex = sim.tables.exits.assign(true_reason=sim.exit_truth["true_reason"].to_numpy())
    ex = ex[ex["kind"].isin(["account_closed", "contract_ended"])]
    return ex.sort_values(["customer_id", "timestamp"], kind="stable") \
        .groupby("customer_id").tail(1).set_index("customer_id")


def test_stated_reasons_match_the_simulator_accuracy(sims):
    hits = {}
    for sim in sims.values():
        lost = lost_customers(sim.tables, "broad")
        stated = lost[lost["reason_source"] == "stated"]
        assert len(stated) == len(lost)  # every broad loss in the simulator is recorded
        truth = _end_rows(sim).loc[stated.index, "true_reason"]
        for src, g in stated.groupby("stated_source"):
            ok = (g["exit_reason"] == truth.loc[g.index]).to_numpy()
            hits.setdefault(src, []).append(ok)
    acc = sims[SEEDS[0]].params["exit_reason_accuracy"]
    for src, parts in hits.items():
        ok = np.concatenate(parts)
        se = np.sqrt(acc[src] * (1 - acc[src]) / len(ok))
        assert abs(ok.mean() - acc[src]) < 4 * se + 0.01, (src, ok.mean(), acc[src])


def test_inferred_reasons_beat_chance(sims):
    agree, chance = [], []
    for sim in sims.values():
        lost = lost_customers(sim.tables, "narrow", 180)
        truth = sim.truth.set_index("customer_id").loc[lost.index]
        inf = lost[(lost["reason_source"] == "inferred_from_complaint")
                   & truth["churned"].to_numpy()]
        assert len(inf) > 50
        true = truth.loc[inf.index, "exit_reason"]
        agree.append((inf["exit_reason"] == true).mean())
        p = sim.truth.loc[sim.truth["churned"], "exit_reason"].value_counts(normalize=True)
        chance.append(p.max())  # always guessing the commonest true reason
    assert min(np.array(agree) - np.array(chance)) > 0.15, (agree, chance)


def test_only_lost_customers_and_win_back_rows(sims):
    for definition in ("narrow", "broad"):
        sim = sims[SEEDS[0]]
        lost = lost_customers(sim.tables, definition, 180)
        labels = churn_labels(sim.tables, definition, 180)
        assert lost.index.tolist() == labels.index[labels["churned"]].tolist()
        assert (lost["churn_date"] == labels.loc[lost.index, "churn_date"]).all()
        assert (lost["last_order_date"] <= lost["churn_date"]).all()
        assert (lost["last_activity"] <= lost["churn_date"]).all()
        assert lost["former_tier"].notna().all() and (lost["orders"] >= 1).all()
        cp = sim.tables.campaigns
        after = cp.merge(lost["last_activity"].reset_index(), on="customer_id")
        n = after[after["timestamp"] > after["last_activity"]].groupby("customer_id").size()
        assert (lost["winback_attempts"] == n.reindex(lost.index, fill_value=0)).all()


def test_came_back_follows_up_after_an_earlier_end(sims):
    sim = sims[SEEDS[0]]
    lost = lost_customers(sim.tables, "narrow", 120, observation_end="2024-06-30")
    assert lost["came_back"].mean() > 0.02
    back = lost[lost["came_back"]]
    assert (back["came_back_date"] > back["churn_date"]).all()
    assert lost.loc[lost["winback_responded"], "came_back"].mean() > 0.9
    at_end = lost_customers(sim.tables, "narrow", 120)
    assert not at_end["came_back"].any()  # narrow churn at the data's end: none yet


HISTORY = [c for c in LOST_COLUMNS if c not in (
    "stated_reason", "stated_source", "exit_reason", "reason_source", "winback_attempts",
    "winback_offers", "winback_responded", "first_response_date", "came_back",
    "came_back_date")]


@pytest.mark.parametrize("definition", ["narrow", "broad"])
def test_nothing_after_the_churn_date_is_used(sims, definition):
    sim = sims[SEEDS[1]]
    end = D("2024-06-30")
    data = sim.tables
    lost = lost_customers(data, definition, 120, observation_end=end)
    cut = lost["churn_date"]

    def later(df):
        t = df["customer_id"].map(cut)
        return (df["timestamp"] > t.fillna(end)).to_numpy()

    tx = data.transactions.copy()
    m = later(tx)
    tx.loc[m, "amount"] = tx.loc[m, "amount"] * 7 + 3
    costs = data.costs.copy()
    costs.loc[later(costs), "amount"] = 999.0
    cx = data.complaints.copy()
    m = later(cx)
    cx.loc[m, "kind"] = "complaint"
    cx.loc[m, "reason"] = "price"
    assert m.sum() > 100
    changed = dataclasses.replace(data, transactions=tx, costs=costs, complaints=cx)
    again = lost_customers(changed, definition, 120, observation_end=end)
    pd.testing.assert_frame_equal(lost[HISTORY], again[HISTORY])


def test_loss_reasons_and_cost_on_simulated_data(sims):
    sim = sims[SEEDS[2]]
    lost = lost_customers(sim.tables, "broad")
    res = loss_reasons(lost, by=("former_tier", "region"), freq="Q")
    tot = res.table.groupby(["former_tier", "region", "period"], observed=True)["n"].sum()
    assert tot.sum() == len(lost)
    assert np.allclose(res.table.groupby(["former_tier", "region", "period"])["share"].sum(), 1)
    cost = cost_of_churn(lost, by="former_tier")
    assert cost["n_lost"].sum() == len(lost)
    assert cost.loc["key", "lost_revenue"] > cost.loc["small", "lost_revenue"]
    assert cost.loc["inferior", "lost_margin"] < 0  # losing inferior customers saves money
    assert cost["unrecovered_acquisition_cost"].sum() <= cost["acquisition_cost"].sum()


def test_lost_in_period_keeps_those_who_came_back_within_it(sims):
    from segkit.winback import lost_in_period

    sim = sims[SEEDS[0]]
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30")
    lost = lost_in_period(sim.tables, start, end, 120)
    assert lost["churn_date"].between(start, end).all() and lost.index.is_unique
    assert len(lost.attrs["cutoffs"]) == 6 and lost.attrs["cutoffs"][-1] == "2024-06-30"
    # everyone still lost at the end of the period is there, with the same row
    at_end = lost_customers(sim.tables, "narrow", 120, observation_end=end)
    still = at_end[at_end["churn_date"].between(start, end)]
    assert set(still.index) <= set(lost.index)
    pd.testing.assert_series_equal(lost.loc[still.index, "churn_date"], still["churn_date"])
    # and so are those who left and came back before the end: one reading would miss them
    back = lost[lost["came_back"] & (lost["came_back_date"] <= end)]
    assert len(back) > 0 and not set(back.index) & set(still.index)
    with pytest.raises(ParameterError, match="before it starts"):
        lost_in_period(sim.tables, end, start, 120)
