"""Win-back effect: offer effects, learning frame, meta-learners, Qini and uplift-at-k."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import segkit
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.winback.uplift import (
    FRAME_KEYS,
    DRLearner,
    OfferUplift,
    SLearner,
    TLearner,
    XLearner,
    learning_frame,
    offer_effects,
    qini_auc,
    qini_curve,
    uplift_at_k,
)

OFFERS = ("discount_10", "discount_25", "service_call")
LEARNERS = (SLearner, TLearner, XLearner, DRLearner)


@pytest.fixture(autouse=True)
def _one_thread():
    # the gradient-boosting defaults fit small arms: OpenMP threads only add overhead
    with threadpool_limits(1):
        yield


def _frame(sim):
    t = sim.tables
    return learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)


# --------------------------------------------------------------------- offer effects
def test_newcombe_matches_published_example():
    # Newcombe (1998), Statistics in Medicine 17, 873-890, table II, example (a):
    # 56/70 vs 48/80, method 10 (hybrid score): 0.0524 to 0.3339
    df = pd.DataFrame(
        {
            "offer": ["control"] * 80 + ["a"] * 70,
            "responded": [1] * 48 + [0] * 32 + [1] * 56 + [0] * 14,
            "randomised": True,
        }
    )
    out = offer_effects(df)
    assert out["offer"].tolist() == ["control", "a"]
    assert out["n"].tolist() == [80, 70]
    assert out.loc[1, "diff"] == pytest.approx(0.8 - 0.6)
    assert out.loc[1, "diff_low"] == pytest.approx(0.0524, abs=1e-4)
    assert out.loc[1, "diff_high"] == pytest.approx(0.3339, abs=1e-4)
    wald = offer_effects(df, method="wald")
    se = np.sqrt(0.8 * 0.2 / 70 + 0.6 * 0.4 / 80)
    assert wald.loc[1, "diff_low"] == pytest.approx(0.2 - 1.959964 * se, abs=1e-6)
    assert wald.loc[1, "diff_high"] == pytest.approx(0.2 + 1.959964 * se, abs=1e-6)
    assert np.isnan(out.loc[0, "diff_low"])


def test_offer_effect_intervals_cover_the_true_average_effect():
    covered, total = 0, 0
    for seed in range(8):
        sim = segkit.datasets.simulate(n_customers=6000, seed=seed)
        camp = sim.tables.campaigns
        oe = sim.offer_effects
        assert (oe["customer_id"].to_numpy() == camp["customer_id"].to_numpy()).all()
        out = offer_effects(camp).set_index("offer")
        for o in OFFERS:
            rows = oe["offer"] == o
            truth = float((oe.loc[rows, f"p_{o}"] - oe.loc[rows, "p_control"]).mean())
            covered += out.loc[o, "diff_low"] <= truth <= out.loc[o, "diff_high"]
            total += 1
    # 24 nominal 95% intervals: expected about 22.8 covered; <= 19 has probability < 1%
    assert total == 24
    assert covered >= 20, covered


def test_offer_effects_refuses_non_randomised_rows():
    df = pd.DataFrame(
        {
            "offer": ["control", "a"] * 10,
            "responded": [0, 1] * 10,
            "randomised": [True] * 19 + [False],
        }
    )
    with pytest.raises(SchemaError, match="confounded") as err:
        offer_effects(df)
    assert err.value.n_bad == 1 and err.value.column == "randomised"
    out = offer_effects(df, allow_nonrandomised=True)
    assert out["n"].tolist() == [10, 10]
    with pytest.raises(SchemaError, match="cannot confirm"):
        offer_effects(df.drop(columns="randomised"))


def test_offer_effects_bad_input():
    df = pd.DataFrame({"offer": ["control", "a"] * 5, "responded": [0, 1] * 5, "randomised": True})
    with pytest.raises(ParameterError, match="control arm 'none'"):
        offer_effects(df, control="none")
    with pytest.raises(SchemaError, match="0/1 or boolean"):
        offer_effects(df.assign(responded=[0, 2] * 5))
    with pytest.raises(SchemaError, match="missing"):
        offer_effects(df.drop(columns="offer"))
    with pytest.raises(ParameterError, match="method"):
        offer_effects(df, method="exact")
    with pytest.raises(ParameterError, match="level"):
        offer_effects(df, level=95)
    before = df.copy()
    offer_effects(df)
    pd.testing.assert_frame_equal(df, before)


# --------------------------------------------------------------------- learning frame
def test_learning_frame_recovers_the_simulators_covariates():
    sim = segkit.datasets.simulate(n_customers=4000, seed=3)
    f = _frame(sim)
    oe = sim.offer_effects
    assert len(f) == len(sim.tables.campaigns)
    assert list(f.columns[: len(FRAME_KEYS)]) == list(FRAME_KEYS)
    # former tier from the gross spend before the campaign, as the simulator defines it
    thr = sim.params["winback_tier_thresholds"]
    s = f["spend_before"]
    tier = np.where(s >= thr["high"], "high", np.where(s >= thr["mid"], "mid", "low"))
    assert (tier == oe["tier"].to_numpy()).all()
    last = f.filter(like="last_reason_").idxmax(axis=1).str.removeprefix("last_reason_")
    assert (last.to_numpy() == oe["last_complaint_reason"].to_numpy()).all()
    assert (f["days_since_last_purchase"] >= 120).all()  # lapsed customers only
    assert not f.drop(columns=list(FRAME_KEYS)).isna().any().any()


def test_learning_frame_uses_nothing_on_or_after_the_campaign():
    sim = segkit.datasets.simulate(n_customers=3000, seed=5)
    t = sim.tables
    f = _frame(sim)
    camp = t.campaigns
    # every row on or after each customer's campaign timestamp is changed or added
    tx = t.transactions.merge(
        camp[["customer_id", "timestamp"]].rename(columns={"timestamp": "t0"}),
        on="customer_id",
        how="left",
    )
    late = tx["timestamp"] >= tx["t0"]
    tx.loc[late, "amount"] = tx.loc[late, "amount"] * 7 + 1000
    extra_tx = pd.DataFrame(
        {
            "customer_id": camp["customer_id"],
            "timestamp": camp["timestamp"],
            "amount": 5000.0,
            "is_return": False,
        }
    )
    tx2 = pd.concat([tx.drop(columns="t0"), extra_tx], ignore_index=True)
    extra_c = pd.DataFrame(
        {
            "customer_id": camp["customer_id"],
            "timestamp": camp["timestamp"] + pd.Timedelta(days=1),
            "kind": "complaint",
            "reason": "price",
        }
    )
    same_day = extra_c.assign(timestamp=camp["timestamp"].to_numpy(), reason="service")
    c2 = pd.concat([t.complaints, extra_c, same_day], ignore_index=True)
    f2 = learning_frame(
        camp,
        tx2,
        c2,
        t.customers,
        reasons=tuple(
            sorted(
                t.complaints.loc[t.complaints["kind"] == "complaint", "reason"].dropna().unique()
            )
        ),
    )
    pd.testing.assert_frame_equal(f, f2)
    assert late.sum() > 0  # reactivation purchases exist after the campaign


def test_learning_frame_bad_input():
    sim = segkit.datasets.simulate(n_customers=1000, seed=1)
    t = sim.tables
    with pytest.raises(SchemaError, match="offer"):
        learning_frame(t.campaigns.drop(columns="offer"), t.transactions)
    with pytest.raises(SchemaError, match="amount"):
        learning_frame(t.campaigns, t.transactions.drop(columns="amount"))
    with pytest.raises(ParameterError, match="DataFrame"):
        learning_frame(t.campaigns, t.transactions.to_numpy())
    before = t.campaigns.copy()
    learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)
    pd.testing.assert_frame_equal(t.campaigns, before)


# --------------------------------------------------------------------- meta-learners
def _recovery(seeds=(1, 2, 3), n_customers=20000):
    """Rank correlation with the true uplift and Qini area, held-out rows, per seed."""
    rows = []
    for seed in seeds:
        sim = segkit.datasets.simulate(n_customers=n_customers, seed=seed)
        f = _frame(sim)
        oe = sim.offer_effects
        X = f.drop(columns=list(FRAME_KEYS)).to_numpy(float)
        off = f["offer"].to_numpy(object)
        y = f["responded"].to_numpy()
        test = np.random.default_rng(seed).random(len(f)) < 0.3
        price = (oe["last_complaint_reason"] == "price").to_numpy()[test]
        for cls in LEARNERS:
            u = OfferUplift(cls(random_state=seed)).fit(X[~test], off[~test], y[~test])
            pred = u.predict_uplift(X[test])
            for o in OFFERS:
                true = (oe[f"p_{o}"] - oe["p_control"]).to_numpy()[test]
                arm = (off[test] == o) | (off[test] == "control")
                rows.append(
                    {
                        "seed": seed,
                        "learner": cls.__name__,
                        "offer": o,
                        "rho": spearmanr(pred[o], true).statistic,
                        "qini": qini_auc(pred[o][arm], off[test][arm] == o, y[test][arm]),
                        "price_gap": pred[o][price].mean() - pred[o][~price].mean(),
                    }
                )
    return pd.DataFrame(rows)


def test_meta_learners_recover_the_true_uplift_ranking():
    r = _recovery()
    # every learner ranks every offer's true uplift positively on held-out rows
    assert (r["rho"] > 0.15).all(), r
    # the strong signal: discounts for price complainers
    d25 = r[r["offer"] == "discount_25"]
    assert (d25["rho"] > 0.25).all(), d25
    assert (d25.groupby("learner")["rho"].mean() > 0.3).all()
    disc = r[r["offer"].str.startswith("discount")]
    assert (disc["price_gap"] > 0).all(), disc
    # Qini area above random on held-out data
    assert (r.groupby(["learner", "offer"])["qini"].mean() > 0).all()
    assert (d25["qini"] > 0).all(), d25


def test_meta_learners_contract_and_propensity():
    rng = np.random.default_rng(0)
    n = 3000
    X = rng.normal(size=(n, 2))
    t = rng.random(n) < 0.3
    tau = 0.3 * (X[:, 0] > 0)
    y = rng.random(n) < 0.2 + t * tau
    for cls in LEARNERS:
        m = cls()
        with pytest.raises(NotFittedError, match="not fitted"):
            m.predict_uplift(X)
        assert clone(m).get_params() == m.get_params()
        assert m.fit(X, t, y) is m
        u = m.predict_uplift(X)
        assert u.shape == (n,)
        assert spearmanr(u, tau).statistic > 0.5
        with pytest.raises(ParameterError, match="2 columns"):
            m.predict_uplift(X[:, :1])
    for ps in (0.3, "model", "share"):
        for cls in (XLearner, DRLearner):
            u = (
                cls(propensity=ps, propensity_model=LogisticRegression())
                .fit(X, t, y)
                .predict_uplift(X)
            )
            assert u[X[:, 0] > 0].mean() - u[X[:, 0] <= 0].mean() > 0.15
    assert XLearner(propensity=0.3).fit(X, t, y).propensity_ == 0.3
    assert XLearner().fit(X, t, y).propensity_ == pytest.approx(t.mean())


def test_meta_learners_bad_input():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 2))
    t = np.r_[np.ones(50), np.zeros(50)]
    y = rng.random(100) < 0.5
    with pytest.raises(ParameterError, match="propensity"):
        XLearner(propensity=1.5).fit(X, t, y)
    with pytest.raises(ParameterError, match="propensity"):
        DRLearner(propensity="known").fit(X, t, y)
    with pytest.raises(ParameterError, match="n_folds"):
        DRLearner(n_folds=1).fit(X, t, y)
    with pytest.raises(ParameterError, match="control arm needs"):
        TLearner().fit(X, t, np.r_[y[:50], np.zeros(50)])
    with pytest.raises(SchemaError, match="treatment"):
        SLearner().fit(X, t * 2, y)
    with pytest.raises(ParameterError, match="differ in length"):
        SLearner().fit(X, t[:-1], y)
    with pytest.raises(ParameterError, match="2-dimensional"):
        SLearner().fit(X[:, 0], t, y)
    with pytest.raises(NotFittedError):
        OfferUplift().predict_uplift(X)
    with pytest.raises(ParameterError, match="control arm"):
        OfferUplift().fit(X, np.where(t == 1, "a", "b"), y)


# --------------------------------------------------------------------- curves
def _qini_reference(u, t, y):
    """Slow reference: one threshold per distinct uplift, target every row at or above it."""
    ks, qs = [0], [0.0]
    for thr in sorted(set(u.tolist()), reverse=True):
        top = [i for i in range(len(u)) if u[i] >= thr]
        nt = sum(t[i] for i in top)
        nc = len(top) - nt
        yt = sum(y[i] for i in top if t[i] == 1)
        yc = sum(y[i] for i in top if t[i] == 0)
        ks.append(len(top))
        qs.append(yt - (yc * nt / nc if nc else 0.0))
    area = 0.0
    n = len(u)
    for j in range(1, len(ks)):
        d1 = qs[j] / n - ks[j] / n * qs[-1] / n
        d0 = qs[j - 1] / n - ks[j - 1] / n * qs[-1] / n
        area += (d1 + d0) / 2 * (ks[j] - ks[j - 1]) / n
    return ks, qs, area


def test_qini_hand_example():
    # sorted: (t=1, y=1), (t=0, y=0), (t=1, y=0), (t=0, y=1)
    k, q = qini_curve([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1])
    assert k.tolist() == [0, 1, 2, 3, 4]
    assert q.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    # random line is 0 (final qini 0): area = 0.25 * (0.125 + 0.25 + 0.25 + 0.125)
    assert qini_auc([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1]) == pytest.approx(0.1875)
    # ties enter together
    k, q = qini_curve([0.5, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1])
    assert k.tolist() == [0, 2, 3, 4]
    assert uplift_at_k([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1], k=0.5) == 1.0
    assert np.isnan(uplift_at_k([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1], k=0.25))


@pytest.mark.parametrize("seed", range(5))
def test_qini_matches_slow_reference(seed):
    rng = np.random.default_rng(seed)
    n = 200
    u = np.round(rng.normal(size=n), 1)  # many ties
    t = (rng.random(n) < 0.5).astype(int)
    y = (rng.random(n) < 0.2 + 0.2 * t * (u > 0)).astype(int)
    k, q = qini_curve(u, t, y)
    ks, qs, area = _qini_reference(u, t, y)
    assert k.tolist() == ks
    np.testing.assert_allclose(q, qs, atol=1e-9)
    assert qini_auc(u, t, y) == pytest.approx(area, abs=1e-12)
    # uplift at k against a direct computation
    top = np.argsort(-u, kind="stable")[:60]
    ref = y[top][t[top] == 1].mean() - y[top][t[top] == 0].mean()
    assert uplift_at_k(u, t, y, k=0.3) == pytest.approx(ref)


def test_qini_random_ranking_near_zero_and_oracle_positive():
    rng = np.random.default_rng(7)
    n = 20000
    tau = rng.random(n) * 0.4
    t = rng.random(n) < 0.5
    y = rng.random(n) < 0.1 + t * tau
    # oracle: 0.5 (treated share) * 0.4 * integral of (x - x^2 / 2 - x / 2) = 1 / 60
    assert qini_auc(tau, t, y) == pytest.approx(1 / 60, abs=0.004)
    assert abs(qini_auc(rng.random(n), t, y)) < 0.004
    assert qini_auc(-tau, t, y) == pytest.approx(-1 / 60, abs=0.004)


def test_curves_bad_input():
    with pytest.raises(ParameterError, match="both treated and control"):
        qini_curve([0.1, 0.2], [1, 1], [0, 1])
    with pytest.raises(ParameterError, match="finite"):
        qini_auc([0.1, np.nan], [1, 0], [0, 1])
    with pytest.raises(ParameterError, match="differ in length"):
        qini_curve([0.1, 0.2, 0.3], [1, 0], [0, 1])
    with pytest.raises(SchemaError, match="0/1"):
        qini_curve([0.1, 0.2], [1, 0], [0, 3])
    with pytest.raises(ParameterError, match="fraction"):
        uplift_at_k([0.1, 0.2], [1, 0], [0, 1], k=30)


# --------------------------------------------------------------------- comparison
def test_compare_learners_scores_held_out_rows_against_the_truth():
    from segkit.winback.uplift import compare_learners

    sim = segkit.datasets.simulate(n_customers=12000, seed=4)
    f = _frame(sim)
    true = sim.true_uplift()
    with threadpool_limits(1):
        cmp = compare_learners(f, true_uplift=true, seed=4)
    scores, preds, test = cmp.scores, cmp.predictions, cmp.test
    assert sorted(preds) == ["DR", "S", "T", "X"]
    assert len(scores) == 4 * len(OFFERS)
    assert (scores["rank_correlation"] > 0.1).all(), scores
    # the scores are those of the curves on the held-out rows of each arm
    off = f["offer"].to_numpy(object)[test]
    y = f["responded"].to_numpy()[test]
    row = scores[(scores["learner"] == "T") & (scores["offer"] == "discount_25")].iloc[0]
    arm = (off == "discount_25") | (off == "control")
    u = preds["T"]["discount_25"].to_numpy()[arm]
    assert row["qini_auc"] == pytest.approx(qini_auc(u, off[arm] == "discount_25", y[arm]))
    assert row["n_test"] == arm.sum()
    k, q = cmp.qini_curves("T")["discount_25"]
    np.testing.assert_allclose((k, q), qini_curve(u, off[arm] == "discount_25", y[arm]))
    with pytest.raises(ParameterError, match="no learner"):
        cmp.qini_curves("Z")
    r = spearmanr(preds["T"]["discount_25"], true["discount_25"].to_numpy()[test]).statistic
    assert row["rank_correlation"] == pytest.approx(r)
    # without the truth: no correlation, the rest the same
    c2 = compare_learners(f, learners={"T": TLearner(random_state=4)}, seed=4)
    s2, test2 = c2.scores, c2.test
    assert (test2 == test).all() and s2["rank_correlation"].isna().all()
    with pytest.raises(ParameterError, match="test_size"):
        compare_learners(f, test_size=0)
    with pytest.raises(SchemaError, match="responded"):
        compare_learners(f.drop(columns="responded"))
