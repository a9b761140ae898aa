"""Churn definitions: narrow and broad churn, thresholds, churn rates, on hand-made histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit.churn import (
    broad_churn,
    choose_threshold,
    churn_labels,
    churn_rate,
    inter_purchase_days,
    narrow_churn,
    threshold_tradeoff,
)
from segkit.exceptions import ParameterError, SchemaError
from segkit.schema import CustomerData

D = pd.Timestamp


def tx(rows):
    """Transactions from (customer, date, amount) tuples."""
    return pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "timestamp": pd.to_datetime([r[1] for r in rows], format="ISO8601"),
        "amount": [float(r[2]) if len(r) > 2 else 10.0 for r in rows],
        "is_return": [len(r) > 2 and r[2] < 0 for r in rows],
    })


def customers(rows):
    return pd.DataFrame({"customer_id": [r[0] for r in rows],
                         "acquisition_date": pd.to_datetime([r[1] for r in rows])})


# ----------------------------------------------------------------------- narrow churn


def test_narrow_churn_counts_purchases_and_interactions_but_not_returns():
    data = CustomerData(
        customers=customers([("a", "2024-01-01"), ("b", "2024-01-01"), ("c", "2024-01-01"),
                             ("d", "2024-03-01")]),
        transactions=tx([("a", "2024-01-05"), ("a", "2024-03-20", -10.0),  # a return
                         ("b", "2024-01-05"), ("c", "2024-01-05")]),
        interactions=pd.DataFrame({"customer_id": ["b"], "timestamp": [D("2024-03-15")],
                                   "kind": ["login"]}),
    )
    out = narrow_churn(data, 60, observation_end="2024-04-01")
    assert out.index.tolist() == ["a", "b", "c", "d"]
    # a: the return is not activity; b: the login is; d: never active -> acquisition date
    assert out["last_activity"].tolist() == [D("2024-01-05"), D("2024-03-15"),
                                             D("2024-01-05"), D("2024-03-01")]
    assert out["churned"].tolist() == [True, False, True, False]
    assert out.loc["a", "churn_date"] == D("2024-03-05")
    assert pd.isna(out.loc["b", "churn_date"])
    only_tx = narrow_churn(data, 60, observation_end="2024-04-01", activity=("transactions",))
    assert only_tx.loc["b", "churned"]


def test_narrow_churn_boundary_and_rows_after_the_end():
    data = CustomerData(transactions=tx([("a", "2024-01-01"), ("a", "2024-05-01")]))
    # exactly the threshold inactive counts as churned; the May purchase is after the end
    out = narrow_churn(data, 31, observation_end="2024-02-01")
    assert out.loc["a", "days_inactive"] == 31.0
    assert out.loc["a", "churned"]
    assert not narrow_churn(data, 32, observation_end="2024-02-01").loc["a", "churned"]


def test_narrow_churn_observation_end_defaults_to_the_data_not_today():
    data = CustomerData(transactions=tx([("a", "2020-01-01"), ("b", "2020-06-01")]))
    out = narrow_churn(data, 100)
    assert out["churned"].tolist() == [True, False]  # end = 2020-06-01, not today


@pytest.mark.parametrize("bad", [0, -5, "soon", None, float("nan")])
def test_narrow_churn_refuses_bad_thresholds(bad):
    data = CustomerData(transactions=tx([("a", "2024-01-01")]))
    with pytest.raises(ParameterError, match="threshold_days"):
        narrow_churn(data, bad)


def test_churn_labels_needs_a_threshold_for_narrow_and_a_known_definition():
    data = CustomerData(transactions=tx([("a", "2024-01-01")]))
    with pytest.raises(ParameterError, match="choose_threshold"):
        churn_labels(data, "narrow")
    with pytest.raises(ParameterError, match="definition"):
        churn_labels(data, "wide", 30)


# ------------------------------------------------------------------------ broad churn


def test_broad_churn_from_exits_and_contracts():
    cust = customers([(c, "2024-01-01") for c in "abcdef"])
    exits = pd.DataFrame({
        "customer_id": ["a", "b", "b", "c", "f"],
        "timestamp": pd.to_datetime(["2024-02-01", "2024-02-01", "2024-03-01", "2024-05-01",
                                     "2024-02-10"]),
        "kind": ["account_closed", "account_closed", "reactivated", "account_closed",
                 "contract_ended"],
        "reason": ["price", "service", None, "price", "budget"],
        "source": ["crm_note", "crm_note", None, "crm_note", "exit_survey"],
    })
    contracts = pd.DataFrame({
        "contract_id": ["K1", "K2", "K3", "K4"],
        "customer_id": ["d", "e", "e", "f"],
        "start_date": pd.to_datetime(["2024-01-01"] * 4),
        "end_date": pd.to_datetime(["2024-03-01", "2024-03-01", None, "2024-02-10"]),
        "end_reason": ["competition", "price", None, "budget"],
        "billing_period": ["M"] * 4, "recurring_amount": [10.0] * 4,
    })
    out = broad_churn(CustomerData(customers=cust, exits=exits, contracts=contracts),
                      "2024-04-01")
    # a closed; b closed then reactivated; c closes after the end; d's only contract
    # ended; e still has a running contract; f's exit row decides
    assert out["churned"].tolist() == [True, False, False, True, False, True]
    assert out.loc["a", "churn_date"] == D("2024-02-01")
    assert out.loc["d", "churn_date"] == D("2024-03-01")
    assert out["reason"].tolist() == ["price", None, None, "competition", None, "budget"]


def test_broad_churn_needs_an_explicit_end():
    data = CustomerData(transactions=tx([("a", "2024-01-01")]))
    with pytest.raises(SchemaError, match="explicit end"):
        broad_churn(data)


# ------------------------------------------------------------------------- thresholds


def test_inter_purchase_days_count_purchase_days_once():
    data = CustomerData(transactions=tx([
        ("a", "2024-01-01 09:00"), ("a", "2024-01-01 17:00"), ("a", "2024-01-11"),
        ("a", "2024-01-31"), ("b", "2024-01-05"), ("b", "2024-01-06", -10.0)]))
    assert inter_purchase_days(data).tolist() == [10.0, 20.0]
    assert choose_threshold(data, 0.5) == 15.0
    with pytest.raises(ParameterError, match="quantile"):
        choose_threshold(data, 1.0)


def test_choose_threshold_without_repeat_buyers_is_refused():
    data = CustomerData(transactions=tx([("a", "2024-01-01"), ("b", "2024-01-02")]))
    with pytest.raises(SchemaError, match="two different days"):
        choose_threshold(data)


def test_threshold_tradeoff_by_hand():
    data = CustomerData(transactions=tx([
        ("a", "2024-01-01"), ("a", "2024-04-15"),   # silent 60+ days at as_of, came back
        ("b", "2024-01-01"),                        # silent and gone
        ("c", "2024-03-01"), ("c", "2024-05-01"),   # silent 31 days at as_of, came back
        ("d", "2024-03-15"),                        # silent 17 days at as_of, gone
    ]))
    out = threshold_tradeoff(data, [30, 60], as_of="2024-04-01", observation_end="2024-06-01")
    r30, r60 = out.to_dict("records")
    assert r30["n_declared"] == 3 and r60["n_declared"] == 2
    assert r30["false_churn_rate"] == pytest.approx(2 / 3)  # a and c came back
    assert r60["false_churn_rate"] == pytest.approx(1 / 2)  # a came back
    assert r30["missed_rate"] == pytest.approx(1 / 2)       # d gone, not declared
    assert r60["missed_rate"] == pytest.approx(1 / 2)
    with pytest.raises(ParameterError, match="follow-up"):
        threshold_tradeoff(data, [30], as_of="2024-07-01", observation_end="2024-06-01")


def test_threshold_tradeoff_on_simulated_data_is_monotone():
    from segkit.datasets import simulate

    data = simulate(n_customers=2000, seed=3).tables
    out = threshold_tradeoff(data, [30, 60, 90, 120, 180])
    assert np.all(np.diff(out["false_churn_rate"]) <= 0)  # longer wait: fewer false alarms
    assert np.all(np.diff(out["missed_rate"]) >= 0)       # ... but more missed
    assert np.all(np.diff(out["n_declared"]) <= 0)


# ------------------------------------------------------------------------- churn rate


def test_churn_rate_by_hand():
    data = CustomerData(
        customers=customers([("a", "2024-01-10"), ("b", "2024-01-20"), ("c", "2024-02-10"),
                             ("d", "2024-03-05")]),
        transactions=tx([("a", "2024-01-10"), ("b", "2024-01-20"), ("c", "2024-02-10"),
                         ("c", "2024-04-20"), ("d", "2024-03-05"), ("d", "2024-04-25")]),
    )
    out = churn_rate(data, "M", threshold_days=30, observation_end="2024-04-30")
    out = out.set_index(out["period_start"].dt.strftime("%Y-%m"))
    # a churns 02-09 (Feb), b 02-19 (Feb), c 03-11 (Mar) then returns, d active
    # at risk: Jan 0; Feb a, b; Mar c (a, b gone); Apr c, d
    assert out["at_risk"].tolist() == [0, 2, 1, 2]
    assert out["churned"].tolist() == [0, 2, 0, 0]  # c's final state: active again
    assert out.loc["2024-02", "churn_rate"] == 1.0
    assert np.isnan(out.loc["2024-01", "churn_rate"])
    assert out["complete"].tolist() == [True, True, True, True]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(0, 200)), min_size=1,
                max_size=25),
       st.integers(10, 60))
def test_churn_rate_equals_a_slow_reference(rows, threshold):
    start = D("2024-01-01")
    data = CustomerData(transactions=tx([(c, start + pd.Timedelta(days=d)) for c, d in rows]))
    end = start + pd.Timedelta(days=210)
    out = churn_rate(data, "M", threshold_days=threshold, observation_end=end)
    labels = narrow_churn(data, threshold, end)
    first = data.transactions.groupby("customer_id")["timestamp"].min()
    for _, row in out.iterrows():
        p0 = row["period_start"]
        p1 = p0 + pd.offsets.MonthBegin(1)
        at_risk = lost = 0
        for cid, lab in labels.iterrows():
            if first[cid] >= p0:
                continue
            cd = lab["churn_date"]
            if pd.notna(cd) and cd < p0:
                continue
            at_risk += 1
            lost += int(pd.notna(cd) and p0 <= cd < p1)
        assert (row["at_risk"], row["churned"]) == (at_risk, lost)


def test_churn_rate_broad_on_simulated_data_is_plausible():
    from segkit.datasets import simulate

    sim = simulate(n_customers=3000, seed=5)
    out = churn_rate(sim.tables, "Q", definition="broad")
    total = int(broad_churn(sim.tables)["churned"].sum())
    # churn in the acquisition period itself is not counted (not at risk at its start)
    assert 0 < out["churned"].sum() <= total
    assert (out["churn_rate"].dropna().between(0, 1)).all()
