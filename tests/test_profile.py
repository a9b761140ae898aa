"""The customer profile (segkit.features.profile) against the simulator's truth and a slow reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segkit.data import cut
from segkit.datasets import simulate
from segkit.features import customer_profile
from segkit.features.profile import COST_TO_SERVE_KINDS, PROFILE_COLUMNS
from segkit.schema import CustomerData


@pytest.fixture(scope="module")
def sim():
    return simulate(3000, seed=11)


def test_margin_revenue_and_costs_equal_the_simulators_truth(sim):
    p = customer_profile(sim.tables).set_index("customer_id")
    truth = sim.truth.set_index("customer_id").reindex(p.index)
    assert list(customer_profile(sim.tables).columns) == list(PROFILE_COLUMNS)
    assert len(p) == len(sim.truth)
    for col in ("revenue", "cogs", "cost_to_serve", "margin", "acquisition_cost"):
        np.testing.assert_allclose(p[col], truth[col], atol=0.005, err_msg=col)
    # 劣质客户: a negative margin is exactly the simulator's inferior customer
    assert ((p["margin"] < 0) == truth["inferior"]).all()
    assert 0.05 < truth["inferior"].mean() < 0.3


def test_profile_as_of_an_earlier_date_equals_the_profile_of_the_cut_data(sim):
    end = pd.Timestamp("2024-03-31")
    a = customer_profile(sim.tables, observation_end=end)
    b = customer_profile(cut(sim.tables, end))
    pd.testing.assert_frame_equal(a, b)
    assert (a["acquisition_date"] <= end).all()
    assert (a["last_purchase"].dropna() <= end).all()
    assert a["recency_days"].min() >= 0


def _reference(tx: pd.DataFrame, costs: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Customer by customer, in plain Python."""
    rows = []
    for cid in sorted(set(tx["customer_id"])):
        t = tx[(tx["customer_id"] == cid) & (tx["timestamp"] <= end)]
        buys = t[~t["is_return"]]
        if buys.empty:  # never bought: not acquired (as in the summary)
            continue
        days = sorted({ts.normalize() for ts in buys["timestamp"]})
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        c = costs[(costs["customer_id"] == cid) & (costs["timestamp"] <= end)]
        serve = sum(a for k, a in zip(c["kind"], c["amount"], strict=True) if k in COST_TO_SERVE_KINDS)
        revenue = float(t["amount"].sum())
        rows.append({
            "customer_id": cid,
            "orders": len(days),
            "recency_days": (end - buys["timestamp"].max()) / pd.Timedelta(days=1),
            "revenue": revenue,
            "margin": revenue - float(t["cost"].sum()) - serve,
            "ipt_mean_days": np.mean(gaps) if gaps else np.nan,
            "ipt_cv": np.std(gaps) / np.mean(gaps) if len(gaps) >= 2 else np.nan,
        })
    return pd.DataFrame(rows, columns=["customer_id", "orders", "recency_days", "revenue",
                                       "margin", "ipt_mean_days", "ipt_cv"])


_lines = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 40 * 24),  # hours after the start
        st.floats(1, 100).map(lambda x: round(x, 2)),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_lines, cost_rows=st.lists(
    st.tuples(st.sampled_from(["a", "b", "e"]), st.integers(0, 40),
              st.sampled_from(["service", "delivery", "bad_debt", "acquisition", "discount"]),
              st.floats(0.01, 50).map(lambda x: round(x, 2))), max_size=10))
def test_profile_equals_a_slow_reference(lines, cost_rows):
    start = pd.Timestamp("2024-01-01")
    tx = pd.DataFrame(lines, columns=["customer_id", "hours", "amount", "is_return"])
    tx["timestamp"] = start + pd.to_timedelta(tx.pop("hours"), unit="h")
    tx["amount"] = np.where(tx["is_return"], -tx["amount"], tx["amount"])
    tx["cost"] = (tx["amount"].abs() * 0.5).round(2)
    costs = pd.DataFrame(cost_rows, columns=["customer_id", "day", "kind", "amount"])
    costs["timestamp"] = start + pd.to_timedelta(costs.pop("day"), unit="D")
    costs = costs[costs["customer_id"].isin(tx["customer_id"])]
    end = start + pd.Timedelta(days=30)
    got = customer_profile(CustomerData(transactions=tx, costs=costs), observation_end=end)
    ref = _reference(tx, costs, end)
    assert got["customer_id"].tolist() == ref["customer_id"].tolist()
    for col in ("orders", "recency_days", "revenue", "margin", "ipt_mean_days", "ipt_cv"):
        np.testing.assert_allclose(got[col].astype(float), ref[col].astype(float), atol=1e-6,
                                   err_msg=col)


def test_a_customer_without_purchases_has_no_recency_and_zero_orders():
    customers = pd.DataFrame({"customer_id": ["a", "b"],
                              "acquisition_date": pd.to_datetime(["2024-01-01", "2024-01-05"])})
    tx = pd.DataFrame({"customer_id": ["a"], "timestamp": pd.to_datetime(["2024-01-02"]),
                       "amount": [10.0]})
    p = customer_profile(CustomerData(customers=customers, transactions=tx),
                         observation_end="2024-01-10")
    b = p.set_index("customer_id").loc["b"]
    assert b["orders"] == 0 and np.isnan(b["recency_days"]) and b["revenue"] == 0
    assert b["tenure_days"] == 5.0
    assert pd.isna(b["region"]) and pd.isna(b["first_purchase"])
