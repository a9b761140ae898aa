"""Look-alike selection (segkit.segment.lookalike): no leakage, a time split, the simulator's truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from threadpoolctl import threadpool_limits

from segkit.data import cut
from segkit.datasets import simulate
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.segment.lookalike import (
    ACQUISITION_COLUMNS,
    PROSPECT_COLUMNS,
    LookAlike,
    acquisition_features,
    lookalike_backtest,
    top_value_label,
)

SPLIT = "2024-01-01"
LABEL = top_value_label(start_days=30, end_days=180)  # value after the window: the future


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def small():
    return simulate(300, seed=4)


@pytest.fixture(scope="module")
def sims():
    return {seed: simulate(4000, seed=seed) for seed in range(5)}


# ----------------------------------------------------------------- features


def _reference(data, window_days, end):
    """Customer by customer, in plain Python."""
    end = pd.Timestamp(end)
    cust = data.customers.set_index("customer_id")
    tx, inter, comp = data.transactions, data.interactions, data.complaints
    rows = []
    for cid, acq in cust["acquisition_date"].sort_index().items():
        if acq > end:
            continue
        stop = acq + pd.Timedelta(days=window_days)

        def rows_of(table, cid=cid, stop=stop):
            t = table[table["customer_id"] == cid]
            return t[(t["timestamp"] < stop) & (t["timestamp"] <= end)]

        t = rows_of(tx)
        buys = t[~t["is_return"]]
        days = sorted({ts.normalize() for ts in buys["timestamp"]})
        first = float(buys.loc[buys["timestamp"].dt.normalize() == days[0], "amount"].sum()) \
            if days else 0.0
        c = rows_of(comp)
        rows.append({
            "customer_id": cid,
            "region": cust.loc[cid, "region"],
            "channel": cust.loc[cid, "channel"],
            "acquisition_month": acq.month,
            "first_amount": round(first, 2),
            "window_orders": len(days),
            "window_spend": round(float(t["amount"].sum()), 2),
            "window_interactions": len(rows_of(inter)),
            "window_complaints": int((c["kind"] == "complaint").sum()),
            "window_complete": stop - pd.Timedelta(days=1) <= end,
        })
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("window", "end"), [(30, "2024-12-31"), (7, "2024-12-31"),
                                              (60, "2023-09-15")])
def test_features_equal_a_slow_reference(small, window, end):
    got = acquisition_features(small.tables, window_days=window, observation_end=end)
    ref = _reference(small.tables, window, end)
    assert got["customer_id"].tolist() == ref["customer_id"].tolist()
    for col in ref.columns[1:]:
        np.testing.assert_array_equal(got[col].to_numpy(), ref[col].to_numpy(), err_msg=col)
    assert got.attrs["window_days"] == window
    assert set(ACQUISITION_COLUMNS) <= set(got.columns)


def _shift_rows_after_window(data, window_days, rng):
    """Change every row dated on or after its customer's window end: amounts, drops, additions."""
    acq = data.customers.set_index("customer_id")["acquisition_date"]
    tables = {}
    for name in ("transactions", "interactions", "complaints"):
        df = getattr(data, name).copy()
        stop = df["customer_id"].map(acq) + pd.Timedelta(days=window_days)
        late = (df["timestamp"] >= stop).to_numpy()
        if name == "transactions":
            df.loc[late, "amount"] = df.loc[late, "amount"] * rng.uniform(0.1, 10, late.sum())
        dropped = late & (rng.random(len(df)) < 0.5)
        extra = df.loc[late].sample(frac=0.5, random_state=int(rng.integers(1 << 30)))
        extra = extra.assign(timestamp=extra["timestamp"] + pd.Timedelta(days=3))
        tables[name] = pd.concat([df.loc[~dropped], extra], ignore_index=True)
    return dataclasses.replace(data, **tables)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(window=st.integers(1, 90), seed=st.integers(0, 10_000))
def test_no_later_information_leaks_into_the_features(small, window, seed):
    before = acquisition_features(small.tables, window_days=window)
    changed = _shift_rows_after_window(small.tables, window, np.random.default_rng(seed))
    after = acquisition_features(changed, window_days=window)
    pd.testing.assert_frame_equal(before, after)
    # and the change was real: the full-history spend differs
    assert not np.isclose(small.tables.transactions["amount"].sum(),
                          changed.transactions["amount"].sum())


def test_features_as_of_an_earlier_date_equal_those_of_the_cut_data(small):
    end = pd.Timestamp("2024-02-10")
    a = acquisition_features(small.tables, observation_end=end)
    b = acquisition_features(cut(small.tables, end))
    pd.testing.assert_frame_equal(a, b)
    assert (a["acquisition_date"] <= end).all()
    recent = a["acquisition_date"] > end - pd.Timedelta(days=29)
    assert (~a.loc[recent, "window_complete"]).all() and a.loc[~recent, "window_complete"].all()


def test_bad_window_is_refused():
    data = simulate(50, seed=0).tables
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ParameterError, match="window_days"):
            acquisition_features(data, window_days=bad)


# ----------------------------------------------------------------- labels


def test_top_value_label_against_a_plain_computation(small):
    label = top_value_label(end_days=90, share=0.25, start_days=10)(small.tables)
    end = small.tables.observation_end
    acq = small.tables.customers.set_index("customer_id")["acquisition_date"].sort_index()
    tx = small.tables.transactions.assign(acq=lambda d: d["customer_id"].map(acq))
    span = tx[(tx["timestamp"] >= tx["acq"] + pd.Timedelta(days=10))
              & (tx["timestamp"] < tx["acq"] + pd.Timedelta(days=90))]
    value = span.groupby("customer_id")["amount"].sum().reindex(acq.index, fill_value=0.0)
    known = acq + pd.Timedelta(days=89) <= end
    assert label.index.equals(acq.index)
    assert (label.isna() == ~known).all()
    k = int(np.ceil(0.25 * known.sum()))
    expected = value[known].sort_values(ascending=False, kind="stable").index[:k]
    assert set(label[label.fillna(False)].index) == set(expected)


@pytest.mark.parametrize(("kw", "match"), [({"share": 1.5}, "share"), ({"end_days": 0}, "end_days"),
                                           ({"start_days": 200}, "start_days")])
def test_bad_label_parameters_are_refused(kw, match):
    with pytest.raises(ParameterError, match=match):
        top_value_label(**kw)


# ----------------------------------------------------------------- the model


def _train(sim):
    f = acquisition_features(sim.tables)
    return f, LABEL(sim.tables)


def test_fit_predict_and_score_prospects(sims):
    f, y = _train(sims[0])
    model = LookAlike().fit(f, y)
    p = model.predict_proba(f)
    assert p.shape == (len(f), 2) and np.allclose(p.sum(axis=1), 1)
    assert (model.classes_ == [False, True]).all()
    assert model.n_train_ == int(y.notna().sum())
    ranked = model.score_prospects(f)
    assert ranked["rank"].tolist() == list(range(1, len(f) + 1))
    assert ranked["score"].is_monotonic_decreasing
    assert len(model.score_prospects(f, top=10)) == 10
    # the first weeks' spend is the strongest sign of a valuable customer
    coef = model.coefficients()
    assert coef.idxmax() in {"num__window_spend", "num__first_amount", "num__window_orders"}


def test_labels_by_customer_id_equal_labels_by_row(sims):
    f, y = _train(sims[1])
    by_id = LookAlike().fit(f, y.sample(frac=1.0, random_state=0))  # shuffled, aligned by id
    by_row = LookAlike().fit(f, y.reindex(f["customer_id"]).to_numpy())
    np.testing.assert_allclose(by_id.predict_proba(f), by_row.predict_proba(f))


def test_customer_data_in_equals_features_in(sims):
    sim = sims[2]
    f, y = _train(sim)
    a = LookAlike().fit(sim.tables, y)
    b = LookAlike().fit(f, y)
    np.testing.assert_allclose(a.predict_proba(sim.tables), b.predict_proba(f))


def test_a_prospect_model_needs_no_purchase_columns(sims):
    f, y = _train(sims[0])
    prospects = f[["customer_id", *PROSPECT_COLUMNS]]
    model = LookAlike(columns=PROSPECT_COLUMNS).fit(prospects, y)
    assert len(model.score_prospects(prospects)) == len(f)
    # an unseen category scores without error
    new = prospects.head(3).assign(region=["atlantis", None, "north"])
    assert np.isfinite(model.score_prospects(new)["score"]).all()
    with pytest.raises(SchemaError, match="window_spend"):
        LookAlike().fit(prospects, y)


def test_model_errors_name_the_problem(sims):
    f, y = _train(sims[0])
    with pytest.raises(NotFittedError, match="fit"):
        LookAlike().predict_proba(f)
    with pytest.raises(ParameterError, match="both"):
        LookAlike().fit(f, np.ones(len(f), dtype=bool))
    with pytest.raises(ParameterError, match="labels for"):
        LookAlike().fit(f, [True, False])
    with pytest.raises(ParameterError, match="window_days=30 but the model has window_days=60"):
        LookAlike(window_days=60).fit(f, y)


# ----------------------------------------------------------------- time split


def _perturb_after(data, date, rng):
    """Change every row dated after ``date``: amounts scaled, half dropped, customers kept."""
    date = pd.Timestamp(date)
    tables = {}
    for name in ("transactions", "interactions", "complaints"):
        df = getattr(data, name).copy()
        late = (df["timestamp"] > date).to_numpy()
        if name == "transactions":
            df.loc[late, "amount"] = df.loc[late, "amount"] * rng.uniform(0.1, 10, late.sum())
        tables[name] = df.loc[~(late & (rng.random(len(df)) < 0.5))]
    return dataclasses.replace(data, **tables)


def test_no_information_after_the_split_reaches_training(sims):
    data = sims[3].tables
    seen = []

    def spy(d):
        seen.append(max(d.transactions["timestamp"].max(), d.interactions["timestamp"].max()))
        return LABEL(d)

    bt = lookalike_backtest(data, spy, split_date=SPLIT, horizon_days=300)
    assert seen[0] <= pd.Timestamp(SPLIT)  # the training labels see the data up to the split
    assert seen[1] <= pd.Timestamp(SPLIT) + pd.Timedelta(days=300)
    changed = lookalike_backtest(_perturb_after(data, SPLIT, np.random.default_rng(0)), LABEL,
                                 split_date=SPLIT, horizon_days=300)
    pd.testing.assert_series_equal(bt.model.coefficients(), changed.model.coefficients())
    assert bt.metrics["n_train"] == changed.metrics["n_train"]
    assert bt.metrics["auc"] != changed.metrics["auc"]  # the test set did change


def test_test_customers_are_acquired_after_the_split_with_complete_windows(sims):
    bt = lookalike_backtest(sims[0].tables, LABEL, split_date=SPLIT)
    assert (bt.scores["acquisition_date"] > pd.Timestamp(SPLIT)).all()
    assert (bt.scores["acquisition_date"] + pd.Timedelta(days=179) <= bt.test_end).all()
    m = bt.metrics
    assert m["n_test"] == len(bt.scores) and m["k"] == round(0.1 * m["n_test"])
    top = bt.scores.nlargest(m["k"], "score")
    assert m["precision_at_k"] == pytest.approx(top["label"].mean())
    assert m["lift_at_k"] == pytest.approx(m["precision_at_k"] / m["base_rate_test"])


def test_the_look_alike_score_tracks_the_true_value_of_held_out_customers(sims):
    """Over 5 seeds (4000 customers; about 770 train and 930 test customers each).

    Measured (seeds 0-4): ROC AUC 0.78 (0.75-0.80) for the value after the window;
    Spearman of the score with the true value rate ``purchase_rate * expected_spend``
    0.54 (0.52-0.56), with ``lam`` alone 0.31, with the lifetime value (the rate over
    ``hazard_base``) 0.42; a random score 0.00 (|rho| <= 0.06). Prospects (region,
    channel, month only): AUC 0.52, rho 0.06: the first 30 days carry the signal.
    """
    for seed, sim in sims.items():
        bt = lookalike_backtest(sim.tables, LABEL, split_date=SPLIT)
        truth = sim.truth.set_index("customer_id").loc[bt.scores["customer_id"]]
        value_rate = truth["purchase_rate"] * truth["expected_spend"]
        rho = spearmanr(bt.scores["score"], value_rate).statistic
        rng = np.random.default_rng(seed)
        rho_random = max(abs(spearmanr(rng.random(len(value_rate)), value_rate).statistic)
                         for _ in range(5))
        assert bt.metrics["auc"] > 0.7, seed
        assert bt.metrics["lift_at_k"] > 2, seed
        assert rho > 0.45 and rho > rho_random + 0.3, (seed, rho, rho_random)
        prospects = lookalike_backtest(sim.tables, LABEL, split_date=SPLIT,
                                       columns=PROSPECT_COLUMNS)
        assert prospects.metrics["auc"] < bt.metrics["auc"] - 0.15


def test_backtest_parameters_are_checked(sims):
    data = sims[0].tables
    with pytest.raises(ParameterError, match="split < test end"):
        lookalike_backtest(data, LABEL, split_date="2025-06-01")
    with pytest.raises(ParameterError, match="split < test end"):
        lookalike_backtest(data, LABEL, split_date=SPLIT, horizon_days=900)
    with pytest.raises(ParameterError, match="lack targets"):
        lookalike_backtest(data, LABEL, split_date="2023-03-01")
    with pytest.raises(ParameterError, match="top_share"):
        lookalike_backtest(data, LABEL, split_date=SPLIT, top_share=0)
