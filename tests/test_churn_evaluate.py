"""Honest evaluation of churn models (segkit.churn.evaluate): the time split, the metrics."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from segkit.churn.evaluate import (
    BTYDRisk,
    HorizonClassifier,
    btyd_risk,
    calibration_table,
    compare_models,
    evaluate_survival,
    known_at,
    snapshot_features,
    time_split,
)
from segkit.churn.models import AFTModel, CoxModel, SurvivalForest
from segkit.datasets import simulate
from segkit.exceptions import NotFittedError, ParameterError
from segkit.schema import CustomerData

SPLIT = pd.Timestamp("2024-06-30")


@pytest.fixture(scope="module")
def sim():
    return simulate(1200, seed=11)


# ---------------------------------------------------------------------------- helpers


class ScoreModel:
    """A fitted model that ranks by a fixed score (rows in the order of the test)."""

    def __init__(self, score, survival=False):
        self.score = np.asarray(score, dtype=float)
        self.survival = survival
        self.fitted_ = True

    def predict_risk(self, df):
        return pd.Series(self.score, index=df.index)

    def predict_survival(self, df, times, conditional_after=None):
        if not self.survival:
            raise NotImplementedError
        t = np.asarray(times, dtype=float)
        return pd.DataFrame(np.exp(-np.exp(self.score)[:, None] * t[None, :] / 1000.0),
                            index=df.index, columns=t)


def _frame(time, event):
    return pd.DataFrame({"duration": np.asarray(time, float), "event": np.asarray(event)})


def _rewrite_future(data: CustomerData, split: pd.Timestamp, seed: int) -> CustomerData:
    """Delete, alter and add rows dated after ``split``, and later dates inside earlier rows."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(data.observation_end)
    span = (end - split).days

    def future_dates(n):
        return split + pd.to_timedelta(rng.integers(1, span + 1, n), unit="D")

    new = {}
    for name, df in data.tables().items():
        col = {"customers": "acquisition_date", "contracts": "start_date",
               "receivables": "issue_date", "credit_limits": "effective_date"}.get(name,
                                                                                   "timestamp")
        later = (df[col] > split).to_numpy()
        keep = ~later | (rng.random(len(df)) < 0.5)  # delete half of the future
        df = df.loc[keep].copy()
        later = (df[col] > split).to_numpy()
        df.loc[later, col] = future_dates(int(later.sum()))  # move the rest in time
        if name == "transactions":
            df.loc[later, "amount"] = df.loc[later, "amount"] * 3
        if name == "exits":
            kinds = np.array(["account_closed", "reactivated", "contract_ended"])
            df.loc[later, "kind"] = kinds[rng.integers(0, 3, int(later.sum()))]
        if name == "complaints":
            df.loc[later, "reason"] = "price"
        if name == "contracts":  # later dates inside rows that started before the split
            ends = (df["end_date"] > split) | df["end_date"].isna()
            df.loc[ends, "end_date"] = future_dates(int(ends.sum()))
            df.loc[ends, "end_reason"] = "price"
        if name == "campaigns":
            resp = (df["response_date"] > split).to_numpy()
            df.loc[resp, "responded"] = False
            df.loc[resp, "response_date"] = pd.NaT
        if name == "receivables":
            paid = (df["paid_date"] > split).to_numpy()
            df.loc[paid, "paid_date"] = pd.NaT
        new[name] = df.reset_index(drop=True)
    # new future rows: purchases for some customers, account closures for others
    ids = data.customers.loc[data.customers["acquisition_date"] <= split, "customer_id"]
    buyers = ids.sample(frac=0.3, random_state=seed).to_numpy()
    extra = pd.DataFrame({"transaction_id": [f"X{i}" for i in range(len(buyers))],
                          "customer_id": buyers, "timestamp": future_dates(len(buyers)),
                          "amount": 50.0, "quantity": 1, "is_return": False, "cost": 20.0})
    new["transactions"] = pd.concat([new["transactions"], extra], ignore_index=True)
    closers = ids.sample(frac=0.2, random_state=seed + 1).to_numpy()
    extra = pd.DataFrame({"customer_id": closers, "timestamp": future_dates(len(closers)),
                          "kind": "account_closed", "reason": "price", "source": "call",
                          "contract_id": None})
    new["exits"] = pd.concat([new["exits"], extra], ignore_index=True)
    return dataclasses.replace(data, **new)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (pd.util.hash_pandas_object(a).to_numpy()
            == pd.util.hash_pandas_object(b).to_numpy()).all()


OUTCOMES = ["duration", "event", "exit_date"]


# ---------------------------------------------------------------------- no leakage


@pytest.mark.parametrize("definition,design", [("narrow", "age"), ("broad", "age"),
                                               ("narrow", "landmark"), ("broad", "landmark")])
def test_nothing_after_the_split_reaches_train_or_test_covariates(sim, definition, design):
    kw = {"definition": definition, "threshold_days": 90 if definition == "narrow" else None,
          "design": design, "features": snapshot_features if design == "landmark" else None}
    before = time_split(sim.tables, SPLIT, 120, **kw)
    after = time_split(_rewrite_future(sim.tables, SPLIT, seed=5), SPLIT, 120, **kw)
    _same(before.train, after.train)
    _same(before.test.drop(columns=OUTCOMES), after.test.drop(columns=OUTCOMES))
    # the future did change: only the outcomes of the test show it
    assert not before.test[OUTCOMES].equals(after.test[OUTCOMES])
    assert (before.test["event"] != after.test["event"]).any()


def test_known_at_masks_later_dates_inside_rows_and_leaves_input_alone(sim):
    data = sim.tables
    copy = data.contracts.copy()
    k = known_at(data, SPLIT)
    assert not (k.contracts["end_date"] > SPLIT).any()
    assert k.contracts.loc[k.contracts["end_date"].isna(), "end_reason"].isna().all()
    assert not (k.campaigns["response_date"] > SPLIT).any()
    assert not k.campaigns.loc[k.campaigns["response_date"].isna(), "responded"].any()
    assert not (k.receivables["paid_date"] > SPLIT).any()
    assert not (k.transactions["timestamp"] > SPLIT).any()
    pd.testing.assert_frame_equal(data.contracts, copy)


def test_split_semantics_on_a_hand_made_history():
    # threshold 30 days, split 2024-03-01, horizon 60 days (to 2024-04-30)
    tx = pd.DataFrame({
        "customer_id": ["gone", "gone", "silent", "active", "active", "active", "late"],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-02-10", "2024-01-05",
                                     "2024-02-25", "2024-04-20", "2024-03-15"]),
        "amount": 10.0})
    data = CustomerData(transactions=tx, observation_end=pd.Timestamp("2024-06-30"))
    s = time_split(data, "2024-03-01", 60, threshold_days=30)
    train = s.train.set_index("customer_id")
    test = s.test.set_index("customer_id")
    # churned before the split: an event in train (declared 2024-02-09), not in the test
    assert train.loc["gone", "event"] == 1 and train.loc["gone", "duration"] == 39
    assert "gone" not in test.index and "late" not in train.index and "late" not in test.index
    # silent 20 days at the split: not yet churned then, declared 10 days after it
    assert train.loc["silent", "event"] == 0
    assert test.loc["silent", "event"] == 1 and test.loc["silent", "duration"] == 10
    assert test.loc["silent", "age_at_split"] == 20
    # active after the split: censored at the horizon
    assert test.loc["active", "event"] == 0 and test.loc["active", "duration"] == 60
    assert s.follow_up == 60 and s.follow_up_end == pd.Timestamp("2024-04-30")


# --------------------------------------------------------------------------- metrics


def test_harrell_concordance_by_hand():
    # comparable pairs (earlier time is an event): (1,2) (1,3) (1,4) (2,3) (2,4); 3 is censored
    test = _frame([1, 2, 3, 4], [1, 1, 0, 1])
    row = evaluate_survival(ScoreModel([4, 1, 3, 2]), test, test, times=[1.5, 2.5])
    assert row["harrell_c"].item() == pytest.approx(3 / 5)  # (2,3) and (2,4) discordant
    assert row["risk_score"].item() == "predict_risk"
    tied = evaluate_survival(ScoreModel([4, 1, 1, 2]), test, test, times=[1.5, 2.5])
    assert tied["harrell_c"].item() == pytest.approx(3.5 / 5)  # a tie in risk counts 1/2


@pytest.mark.parametrize("survival", [False, True])
def test_perfect_and_reversed_orderings(survival):
    rng = np.random.default_rng(0)
    t = rng.permutation(np.arange(1.0, 41.0))
    e = (rng.random(40) < 0.7).astype(int)
    e[t == 40] = 0
    test = _frame(t, e)
    times = [5, 10, 20, 30]
    good = evaluate_survival(ScoreModel(-t / 10, survival), test, test, times=times, tau=35)
    bad = evaluate_survival(ScoreModel(t / 10, survival), test, test, times=times, tau=35)
    for col in ("harrell_c", "uno_c", "auc_mean", "auc_at_10"):
        assert good[col].item() == pytest.approx(1.0)
        assert bad[col].item() == pytest.approx(0.0)
    assert np.isnan(good["ibs"].item()) != survival


def test_events_at_the_end_of_follow_up_keep_their_weight():
    # all censoring at the horizon, events there too: the censoring survival stays > 0
    test = _frame([2, 5, 10, 10, 10, 10, 7, 3], [1, 1, 1, 0, 0, 0, 1, 1])
    row = evaluate_survival(ScoreModel([8, 5, 1, 0, 0.5, 0.2, 3, 7], survival=True), test,
                            test, times=[3, 5, 9])
    assert row["uno_c"].item() == pytest.approx(1.0)
    assert np.isfinite(row[["auc_mean", "ibs"]].to_numpy(dtype=float)).all()


def test_calibration_table_by_hand():
    t = np.array([1.0, 2, 5, 5, 5, 5])
    e = np.array([1, 1, 0, 0, 0, 0])
    tab = calibration_table([0.9, 0.8, 0.1, 0.1, 0.0, 0.0], t, e, tau=5, n_bins=2)
    assert tab["n"].tolist() == [3, 3]
    assert tab["predicted"].round(4).tolist() == [0.0333, 0.6]
    assert tab["observed"].round(4).tolist() == [0.0, 0.6667]
    with pytest.raises(ParameterError, match="n_bins"):
        calibration_table([0.1, 0.2], [1.0, 2.0], [1, 0], tau=2, n_bins=3)


def test_calibration_of_a_model_that_predicts_the_observed_rate():
    rng = np.random.default_rng(1)
    t = np.where(rng.random(400) < 0.3, rng.uniform(1, 90, 400), 90.0)
    e = (t < 90).astype(int)
    km = 1 - e.mean()  # no censoring before 90: Kaplan-Meier is the share

    class Constant(ScoreModel):
        def predict_survival(self, df, times, conditional_after=None):
            t = np.asarray(times, dtype=float)
            return pd.DataFrame(np.broadcast_to(km ** (t / 90.0), (len(df), t.size)),
                                index=df.index, columns=t)

    row = evaluate_survival(Constant(np.zeros(400)), _frame(t, e), _frame(t, e),
                            times=[30, 60])
    assert row["calibration_bias"].item() == pytest.approx(0.0, abs=1e-12)
    assert row["harrell_c"].item() == pytest.approx(0.5)


def test_times_must_lie_inside_the_follow_up():
    test = _frame([1, 2, 3, 4], [1, 1, 0, 1])
    for times in ([0.5, 2], [2, 4], [2, 9], []):
        with pytest.raises(ParameterError, match="times"):
            evaluate_survival(ScoreModel([4, 1, 3, 2]), test, test, times=times)
    with pytest.raises(ParameterError, match="no test customer churned"):
        evaluate_survival(ScoreModel([1, 2]), _frame([1, 2], [0, 0]), _frame([1, 2], [0, 0]),
                          times=[1.5])


# ------------------------------------------------------------------------ classifier


def test_classifier_leaves_out_rows_not_observed_for_the_horizon():
    df = pd.DataFrame({"duration": [10.0, 50, 30, 200, 250, 300, 5, 400],
                       "event": [1, 1, 0, 1, 0, 0, 0, 1], "x": [3.0, 2, 1, 0, 0, 1, 2, 0]})
    clf = HorizonClassifier(100, stacked=False).fit(df)
    assert (clf.n_rows_, clf.n_excluded_) == (6, 2)  # censored at 30 and 5 days
    assert clf.positive_rate_ == pytest.approx(2 / 6)
    # with exit dates, a churner whose window the observation end would have cut is out too
    origin = pd.Timestamp("2024-01-01") + pd.to_timedelta([0, 0, 0, 0, 0, 0, 395, 0], "D")
    dated = df.assign(origin=origin, exit_date=origin + pd.to_timedelta(df["duration"], "D"))
    dated.loc[6, "exit_date"] = pd.Timestamp("2025-02-04")  # the end: 400 days after start
    dated.loc[6, ["duration", "event"]] = [5.0, 0]
    dated = pd.concat([dated, pd.DataFrame({
        "duration": [20.0], "event": [1], "x": [1.0], "origin": [pd.Timestamp("2025-01-01")],
        "exit_date": [pd.Timestamp("2025-01-21")]})], ignore_index=True)
    clf = HorizonClassifier(100, stacked=False).fit(dated)
    assert (clf.n_rows_, clf.n_excluded_) == (6, 3)  # the late churner has 35 days only
    s = clf.predict_survival(dated, [50, 100])
    p = clf.predict_risk(dated)
    np.testing.assert_allclose(s[100.0], 1 - p)
    np.testing.assert_allclose(s[50.0], np.sqrt(1 - p))


def test_stacked_classifier_reads_landmarks_and_honours_the_age(sim):
    split = time_split(sim.tables, SPLIT, 120, threshold_days=90)
    clf = HorizonClassifier(120).fit(split.train)
    assert clf.landmarks_.tolist()[:3] == [0.0, 120.0, 240.0] and "_age" in clf.features_
    young = clf.predict_survival(split.test.head(50), [120], conditional_after=0.0)
    old = clf.predict_survival(split.test.head(50), [120], conditional_after=400.0)
    assert not np.allclose(young, old)
    with pytest.raises(NotFittedError):
        HorizonClassifier(120).predict_risk(split.test)
    with pytest.raises(ParameterError, match="horizon"):
        HorizonClassifier(0).fit(split.train)


# ------------------------------------------------------------------- on simulated data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cox_with_simple_covariates_beats_random_on_the_time_split(seed):
    sim = simulate(1500, seed=seed)
    split = time_split(sim.tables, SPLIT, 150, threshold_days=90, design="landmark",
                       features=snapshot_features)
    rng = np.random.default_rng(seed)
    table = compare_models({"cox": CoxModel(), "random": ScoreModel(rng.random(len(split.test)))},
                           split, times=[30, 60, 90, 120])
    cox, rand = table.loc["cox"], table.loc["random"]
    assert cox["harrell_c"] > 0.6 and cox["uno_c"] > 0.6 and cox["auc_mean"] > 0.65
    assert abs(rand["harrell_c"] - 0.5) < 0.05
    assert cox["calibration_mae"] < 0.1


def test_compare_models_side_by_side(sim):
    split = time_split(sim.tables, SPLIT, 120, threshold_days=90)
    models = {"cox": CoxModel(), "weibull": AFTModel("weibull"),
              "rsf": SurvivalForest(n_estimators=20), "gbm": HorizonClassifier(120),
              "btyd": btyd_risk(split)}
    table = compare_models(models, split, times=[30, 60, 90])
    assert table.index.tolist() == list(models)
    assert {"harrell_c", "uno_c", "auc_mean", "auc_at_30", "ibs", "calibration_mae"} \
        <= set(table.columns)
    assert np.isnan(table.loc["btyd", ["ibs", "calibration_mae"]].astype(float)).all()
    assert table.loc["btyd", "risk_score"] == "predict_risk"
    rest = table.drop(index="btyd")[["harrell_c", "uno_c", "auc_mean", "ibs"]]
    assert np.isfinite(rest.to_numpy(dtype=float)).all()
    assert (table["n_test"] == len(split.test)).all()
    assert table.attrs["calibration"]["cox"].shape[0] == 10
    with pytest.raises(ParameterError, match="unit"):
        compare_models({"gbm": HorizonClassifier(120, unit="W")}, split, times=[30])


def test_landmark_frames_share_one_time_scale(sim):
    split = time_split(sim.tables, SPLIT, 120, threshold_days=90, design="landmark",
                       features=snapshot_features)
    assert split.landmark == SPLIT - pd.Timedelta(days=120)
    assert split.train["duration"].max() == split.test["duration"].max() == 120
    assert {"age", "days_since_activity"} <= set(split.train.columns) & set(split.test.columns)
    model = CoxModel().fit(split.train)
    by_test = evaluate_survival(model, split.train, split.test, [30, 60, 90])
    by_train = evaluate_survival(model, split.train, split.test, [30, 60, 90],
                                 censoring_from="train")
    # censoring only at the end of either window: the same weights
    np.testing.assert_allclose(by_test[["uno_c", "auc_mean", "ibs"]].to_numpy(float),
                               by_train[["uno_c", "auc_mean", "ibs"]].to_numpy(float))


def test_btyd_risk_is_one_minus_p_alive(sim):
    split = time_split(sim.tables, SPLIT, 120, threshold_days=90)
    b = btyd_risk(split)
    assert isinstance(b, BTYDRisk)
    risk = b.predict_risk(split.test)
    assert risk.between(0, 1).all() and risk.index.equals(split.test.index)
    same = btyd_risk(sim.tables, SPLIT).predict_risk(split.test)
    np.testing.assert_allclose(risk, same)
    with pytest.raises(NotImplementedError):
        b.predict_survival(split.test, [30])


def test_late_entry_training_window(sim):
    split = time_split(sim.tables, SPLIT, 120, threshold_days=90, train_start="2024-01-01")
    assert (split.train["entry"] > 0).any()
    table = compare_models({"cox": CoxModel()}, split, times=[30, 60])
    assert table.loc["cox", "harrell_c"] > 0.4


# ---------------------------------------------------------------------------- errors


def test_clear_errors(sim):
    data = sim.tables
    for h in (0, -5, "x"):
        with pytest.raises(ParameterError, match="horizon_days"):
            time_split(data, SPLIT, h, threshold_days=90)
    for date in ("2022-01-01", "2024-12-31", "2025-03-01"):
        with pytest.raises(ParameterError, match="outside the data"):
            time_split(data, date, 90, threshold_days=90)
    with pytest.raises(ParameterError, match="landmark"):
        time_split(data, SPLIT, 90, threshold_days=90, features=snapshot_features)
    with pytest.raises(ParameterError, match="train_start"):
        time_split(data, SPLIT, 90, threshold_days=90, design="landmark",
                   train_start="2024-01-01")
    with pytest.raises(ParameterError, match="landmark design"):
        time_split(data, "2023-02-01", 90, threshold_days=60, design="landmark")
    with pytest.raises(ParameterError, match="no value"):
        time_split(data, SPLIT, 90, threshold_days=60, design="landmark",
                   features=lambda d, t: snapshot_features(d, t).iloc[:10])
    with pytest.raises(ParameterError, match="design"):
        time_split(data, SPLIT, 90, threshold_days=90, design="random")


def test_warnings_for_short_horizons_and_cut_follow_up(sim):
    with pytest.warns(UserWarning, match="not longer than threshold_days"):
        time_split(sim.tables, SPLIT, 60, threshold_days=90)
    with pytest.warns(UserWarning, match="followed for"):
        s = time_split(sim.tables, "2024-10-01", 180, threshold_days=90)
    assert s.follow_up == (pd.Timestamp("2024-12-31") - pd.Timestamp("2024-10-01")).days
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        time_split(sim.tables, SPLIT, 120, threshold_days=90)
