"""Survival frames: every censoring and truncation case on small hand-made histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segkit.churn import (
    UNIT_DAYS,
    complaint_counts,
    episodes,
    survival_data,
    survival_from_table,
    time_varying,
    to_long,
)
from segkit.exceptions import ParameterError, SchemaError
from segkit.schema import CustomerData

D = pd.Timestamp


def company():
    """Six customers, threshold 30 days, window from 2024-03-01, end 2024-06-30.

    a: acquired before the window, churns inside it (late entry, event)
    b: acquired before the window, active to the end (late entry, censored)
    c: acquired before the window, churned before it (not in the window at all)
    d: acquired inside the window, churns inside it (entry 0, event)
    e: acquired inside the window, active (entry 0, censored)
    f: acquired on the observation end (no follow-up)
    """
    cust = pd.DataFrame({
        "customer_id": list("abcdef"),
        "acquisition_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01",
                                            "2024-04-01", "2024-04-01", "2024-06-30"]),
        "region": ["north", "south", "north", "south", "north", "south"],
    })
    rows = [("a", "2024-01-01"), ("a", "2024-04-01"),
            ("b", "2024-01-01"), ("b", "2024-06-20"),
            ("c", "2024-01-01"),
            ("d", "2024-04-01"), ("d", "2024-04-11"),
            ("e", "2024-04-01"), ("e", "2024-06-25"),
            ("f", "2024-06-30")]
    tx = pd.DataFrame({"customer_id": [r[0] for r in rows],
                       "timestamp": pd.to_datetime([r[1] for r in rows]),
                       "amount": 10.0})
    return CustomerData(customers=cust, transactions=tx)


END = "2024-06-30"


def test_every_censoring_and_truncation_case():
    s = survival_data(company(), threshold_days=30, observation_end=END,
                      window_start="2024-03-01").set_index("customer_id")
    assert s.index.tolist() == ["a", "b", "d", "e"]          # c churned before; f no follow-up
    # a: churn declared 2024-05-01 (last activity 04-01 + 30 days), entered at 60 days
    assert s.loc["a", ["entry", "duration", "event"]].tolist() == [60.0, 121.0, 1]
    # b: censored at the end, entered at 60 days
    assert s.loc["b", ["entry", "duration", "event"]].tolist() == [60.0, 181.0, 0]
    # d: acquired in the window, churn declared 05-11
    assert s.loc["d", ["entry", "duration", "event"]].tolist() == [0.0, 40.0, 1]
    # e: acquired in the window, censored
    assert s.loc["e", ["entry", "duration", "event"]].tolist() == [0.0, 90.0, 0]
    assert s.loc["a", "exit_date"] == D("2024-05-01")
    assert s.loc["b", "exit_date"] == D(END)
    assert s["region"].tolist() == ["north", "south", "south", "north"]


def test_without_a_window_everyone_is_followed_from_acquisition():
    s = survival_data(company(), threshold_days=30, observation_end=END).set_index("customer_id")
    assert s.index.tolist() == list("abcde")
    assert (s["entry"] == 0).all()
    assert s.loc["c", ["duration", "event"]].tolist() == [30.0, 1]


def test_months_are_calendar_months():
    s = survival_data(company(), threshold_days=30, observation_end=END,
                      window_start="2024-03-01", unit="M").set_index("customer_id")
    # a: acquired Jan 1, window Mar 1 (2 months), churn declared May 1 (4 months)
    assert s.loc["a", ["entry", "duration"]].tolist() == [2.0, 4.0]
    # d: Apr 1 to May 11: one month and 10 of May's 31 days
    assert s.loc["d", "duration"] == pytest.approx(1 + 10 / 31)


@pytest.mark.parametrize("unit", ["D", "W"])
def test_units_scale_every_time(unit):
    days = survival_data(company(), threshold_days=30, observation_end=END,
                         window_start="2024-03-01")
    other = survival_data(company(), threshold_days=30, observation_end=END,
                          window_start="2024-03-01", unit=unit)
    for col in ("entry", "duration"):
        np.testing.assert_allclose(other[col] * UNIT_DAYS[unit], days[col])
    with pytest.raises(ParameterError, match="unit"):
        survival_data(company(), threshold_days=30, unit="Y")


def test_window_after_the_end_and_personal_covariates_are_refused():
    with pytest.raises(ParameterError, match="window_start"):
        survival_data(company(), threshold_days=30, observation_end=END, window_start="2025-01-01")
    data = company()
    data.customers["email"] = "x@example.com"
    with pytest.raises(ParameterError, match="personal"):
        survival_data(data, threshold_days=30, covariates=["email"])
    with pytest.raises(SchemaError, match="not in"):
        survival_data(company(), threshold_days=30, covariates=["plan"])


def test_broad_churn_survival_uses_the_exit_date():
    data = company()
    exits = pd.DataFrame({"customer_id": ["b"], "timestamp": [D("2024-05-01")],
                          "kind": ["account_closed"], "reason": ["price"],
                          "source": ["crm_note"]})
    import dataclasses

    data = dataclasses.replace(data, exits=exits)
    s = survival_data(data, "broad", observation_end=END).set_index("customer_id")
    assert s.loc["b", ["duration", "event"]].tolist() == [121.0, 1]
    assert s["event"].sum() == 1


# --------------------------------------------------------------- one table per customer


def subs():
    return pd.DataFrame({
        "account_no": ["007", "070", "700"],
        "signup_date": ["2023-01-15", "2023-06-01", "2024-01-01"],
        "cancel_date": ["2023-07-15", None, ""],
        "churned": ["Yes", "No", "no"],
        "contract": ["month-to-month", "one-year", "month-to-month"],
        "tenure_months": [6, 13, 6],
    })


def test_survival_from_table_with_dates_and_a_flag():
    s = survival_from_table(subs(), "account_no", start_col="signup_date",
                            end_col="cancel_date", event_col="churned",
                            covariate_cols=["contract"], observation_end="2024-07-01")
    assert s["customer_id"].tolist() == ["007", "070", "700"]  # leading zeros kept
    assert s["event"].tolist() == [1, 0, 0]
    # calendar months, anniversary to anniversary
    np.testing.assert_allclose(s["duration"], [6.0, 13.0, 6.0])
    assert s["contract"].tolist() == ["month-to-month", "one-year", "month-to-month"]
    # the end column alone defines the event
    s2 = survival_from_table(subs(), "account_no", start_col="signup_date",
                             end_col="cancel_date", observation_end="2024-07-01")
    assert s2["event"].tolist() == [1, 0, 0]


def test_survival_from_table_with_tenure():
    s = survival_from_table(subs(), "account_no", tenure_col="tenure_months",
                            event_col="churned")
    assert s["duration"].tolist() == [6.0, 13.0, 6.0]
    assert s["event"].tolist() == [1, 0, 0]


def test_survival_from_table_refuses_what_it_cannot_read():
    bad = subs().assign(churned=["Yes", "maybe", "No"])
    with pytest.raises(SchemaError, match="yes/no") as e:
        survival_from_table(bad, "account_no", tenure_col="tenure_months", event_col="churned")
    assert "maybe" in str(e.value)
    with pytest.raises(SchemaError, match="unique"):
        survival_from_table(subs().assign(account_no=["1", "1", "2"]), "account_no",
                            tenure_col="tenure_months", event_col="churned")
    with pytest.raises(SchemaError, match="before its start"):
        survival_from_table(subs().assign(cancel_date=["2022-01-01", None, None]), "account_no",
                            start_col="signup_date", end_col="cancel_date")
    with pytest.raises(SchemaError, match="ISO dates"):
        survival_from_table(subs().assign(signup_date=["15/01/2023", "2023-06-01",
                                                       "2024-01-01"]),
                            "account_no", start_col="signup_date", end_col="cancel_date")
    with pytest.raises(SchemaError, match="without an end date"):
        survival_from_table(subs().assign(churned=["Yes", "Yes", "No"]), "account_no",
                            start_col="signup_date", end_col="cancel_date", event_col="churned")
    with pytest.raises(SchemaError, match="tenure"):
        survival_from_table(subs().assign(tenure_months=[6, -1, 3]), "account_no",
                            tenure_col="tenure_months", event_col="churned")
    with pytest.raises(ParameterError, match="either start_col"):
        survival_from_table(subs(), "account_no")
    with pytest.raises(SchemaError, match="not in the table"):
        survival_from_table(subs(), "account", tenure_col="tenure_months", event_col="churned")


# ------------------------------------------------------------------------ long format


def test_to_long_by_hand():
    surv = pd.DataFrame({"customer_id": ["a", "b"], "origin": pd.to_datetime(["2024-01-01"] * 2),
                         "entry": [20.0, 0.0], "duration": [50.0, 30.0], "event": [1, 0]})
    changes = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b"],
        "date": pd.to_datetime(["2024-01-06", "2024-01-16", "2024-01-31", "2024-03-01",
                                "2024-01-01"]),
        "x": [1.0, 2.0, 3.0, 9.0, 5.0],
    })
    out = to_long(surv, changes, unit="D")
    # a: value at entry (day 20) is the last change before it (day 15: 2.0); day 30: 3.0;
    # the change of day 60 is after the exit and ignored
    assert out.values.tolist() == [["a", 20.0, 30.0, 0.0, 2.0], ["a", 30.0, 50.0, 1.0, 3.0],
                                   ["b", 0.0, 30.0, 0.0, 5.0]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-10, 120), st.floats(-5, 5)),
                max_size=30),
       st.lists(st.tuples(st.integers(0, 40), st.integers(1, 100), st.booleans()),
                min_size=4, max_size=4),
       st.randoms())
def test_to_long_properties(changes, people, rnd):
    origin = D("2024-01-01")
    surv = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(4)],
        "origin": [origin] * 4,
        "entry": [float(min(e, e + d - 1)) for e, d, _ in people],
        "duration": [float(e + d) for e, d, _ in people],
        "event": [int(ev) for _, _, ev in people],
    })
    ch = pd.DataFrame({"customer_id": [f"c{c}" for c, _, _ in changes],
                       "date": pd.to_datetime([origin + pd.Timedelta(days=d)
                                               for _, d, _ in changes]),
                       "x": pd.Series([x for _, _, x in changes], dtype=float)})
    out = to_long(surv, ch, unit="D")
    shuffled = ch.sample(frac=1.0, random_state=rnd.randint(0, 10**6)) if len(ch) else ch
    # order of the change rows does not matter (ties in date aside)
    if not ch.duplicated(["customer_id", "date"]).any():
        pd.testing.assert_frame_equal(out, to_long(surv, shuffled, unit="D"))
    for _i, row in surv.iterrows():
        mine = out[out["customer_id"] == row["customer_id"]]
        # the intervals tile [entry, duration] exactly, the event only on the last one
        assert mine["start"].iloc[0] == row["entry"]
        assert mine["stop"].iloc[-1] == row["duration"]
        assert (mine["start"].to_numpy()[1:] == mine["stop"].to_numpy()[:-1]).all()
        assert mine["event"].sum() == row["event"]
        assert mine["event"].iloc[-1] == row["event"]
        # each interval carries the last change at or before its start (slow reference)
        mine_ch = ch[ch["customer_id"] == row["customer_id"]]
        for _, iv in mine.iterrows():
            age = (mine_ch["date"] - origin).dt.days
            known = mine_ch[age <= iv["start"]]
            if iv["start"] > row["entry"] or len(known):
                expected = (known.assign(age=age).sort_values("age", kind="stable")["x"].iloc[-1]
                            if len(known) else 0.0)
                assert iv["x"] == expected


def test_complaint_counts_count_from_the_next_period():
    data = CustomerData(complaints=pd.DataFrame({
        "customer_id": ["a", "a", "a", "b"],
        "timestamp": pd.to_datetime(["2024-01-10", "2024-01-20", "2024-03-05", "2024-02-01"]),
        "kind": ["complaint", "complaint", "review", "complaint"],
        "reason": ["price", "service", None, "price"],
        "rating": [None, None, 2, None],
    }))
    out = complaint_counts(data, "M", observation_end="2024-04-01")
    assert out[["customer_id", "date", "complaints_price", "complaints_service"]] \
        .values.tolist() == [["a", D("2024-02-01"), 1.0, 1.0], ["b", D("2024-03-01"), 1.0, 0.0]]


def test_time_varying_has_no_complaint_after_the_exit():
    from segkit.datasets import simulate

    sim = simulate(n_customers=1500, seed=2)
    long = time_varying(sim.tables, threshold_days=90, window_start="2024-01-01")
    surv = survival_data(sim.tables, threshold_days=90, window_start="2024-01-01", unit="M")
    last = long.groupby("customer_id").tail(1).set_index("customer_id")
    np.testing.assert_allclose(last["stop"], surv.set_index("customer_id")["duration"])
    assert long.groupby("customer_id")["event"].sum().equals(
        surv.set_index("customer_id")["event"].astype(float).rename_axis("customer_id"))
    # counts never decrease within a customer
    cols = [c for c in long.columns if c.startswith("complaints_")]
    assert (long.groupby("customer_id")[cols].diff().fillna(0) >= 0).all().all()


# ----------------------------------------------------------------------------- episodes


def _episodes_slow(days, threshold, end):
    out = []
    days = sorted(set(days))
    first = days[0]
    prev = days[0]
    for d in days[1:]:
        if d - prev >= threshold:
            out.append((first, prev, prev + threshold, 1))
            first = d
        prev = d
    churn = prev + threshold
    out.append((first, prev, churn if churn <= end else end, int(churn <= end)))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=15), st.integers(5, 80))
def test_episodes_equal_a_slow_reference(days, threshold):
    origin = D("2024-01-01")
    tx = pd.DataFrame({"customer_id": "a", "amount": 1.0,
                       "timestamp": [origin + pd.Timedelta(days=d) for d in days]})
    end = 320
    out = episodes(CustomerData(transactions=tx), threshold,
                   observation_end=origin + pd.Timedelta(days=end))
    ref = _episodes_slow(days, threshold, end)
    assert len(out) == len(ref)
    for (_, row), (first, last, stop, ev) in zip(out.iterrows(), ref, strict=True):
        assert (row["start"] - origin).days == first
        assert (row["last_activity"] - origin).days == last
        assert (row["end"] - origin).days == stop
        assert row["event"] == ev
        assert row["duration"] == stop - first
    assert out["episode"].tolist() == list(range(1, len(ref) + 1))
    assert out["won_back"].tolist() == [True] * (len(ref) - 1) + [False]
