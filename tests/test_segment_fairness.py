"""Fairness audit (segkit.segment.fairness): closed forms, and simulated data with and without an effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from segkit.datasets import simulate
from segkit.exceptions import ParameterError
from segkit.features import customer_profile
from segkit.segment.fairness import fairness_audit

SERVICE = {"top": 50.0, "middle": 20.0, "rest": 5.0}
N = 3000
SEEDS = range(20)
EFFECT = {"gender": {"female": 0.5}}  # women buy at half the rate of everyone else


def revenue_tiers(profile: pd.DataFrame) -> pd.Series:
    """A simple rule: top 20% of customers by revenue, the next 30%, the rest."""
    rank = profile.set_index("customer_id")["revenue"].rank(ascending=False, method="first",
                                                            pct=True)
    tier = np.where(rank <= 0.2, "top", np.where(rank <= 0.5, "middle", "rest"))
    return pd.Series(pd.Categorical(tier, categories=["top", "middle", "rest"]),
                     index=rank.index, name="tier")


def tiers_and_customers(seed: int, **params):
    sim = simulate(N, seed=seed, **params)
    tiers = revenue_tiers(customer_profile(sim.tables))
    return tiers, sim.tables.customers.set_index("customer_id").reindex(tiers.index)


def audits(tiers: pd.Series, customers: pd.DataFrame, **kw):
    return {attr: fairness_audit(tiers, customers[attr], service=SERVICE, **kw)
            for attr in ("gender", "age_band")}


@pytest.fixture(scope="module")
def null_data():
    return {seed: tiers_and_customers(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def null_audits(null_data):
    return {seed: audits(*data) for seed, data in null_data.items()}


@pytest.fixture(scope="module")
def effect_audits():
    return {
        seed: audits(*tiers_and_customers(seed, sensitive_rate_ratio=EFFECT))["gender"]
        for seed in SEEDS
    }


# ----------------------------------------------------------------- simulated data


def test_no_flag_without_a_true_effect(null_audits):
    """Default simulation: gender and age band have no effect on anything.

    Measured on seeds 0-99 with 3000 customers: gender flagged on 0 of 100 seeds, age
    band on 1 of 100 (seed 37: the 55-64 band, ratio 0.63, p = 4e-5 before the Holm
    adjustment). Without the adjustment, age band was flagged on 7 of 100.
    """
    gender = [s for s, a in null_audits.items() if not a["gender"].passed]
    age = [s for s, a in null_audits.items() if not a["age_band"].passed]
    assert gender == []
    assert len(age) <= 1


def test_the_flag_appears_with_an_effect_on_every_seed(effect_audits):
    """Women's purchase rate halved: their top-tier share falls to about 0.68 of the overall."""
    for seed, audit in effect_audits.items():
        flags = audit.flags
        female = flags[(flags["group"] == "female") & (flags["measure"] == "top_share")]
        assert len(female) == 1, seed
        assert female["direction"].item() == "below"
        assert 0.55 < female["ratio"].item() < 0.8
        # men take the places women lose: when flagged, it is for being above
        male = flags[flags["group"] == "male"]
        assert (male["direction"] == "above").all()


def test_the_ratio_alone_would_flag_noise(null_data, null_audits):
    """Without the significance condition, small groups (gender 'other': 2%, about 60
    customers; the age bands of 12%) are flagged by chance: their top-tier share is far
    from the overall one. Measured on seeds 0-19: gender or age band flagged on 8 of 20
    seeds (gender 6, age band 3), against 0 of 20 with the double rule.
    """
    flagged = [
        any(not fairness_audit(tiers, customers[attr], alpha=0.999, correction=None).passed
            for attr in ("gender", "age_band"))
        for tiers, customers in null_data.values()
    ]
    assert sum(flagged) >= 5
    assert all(a["gender"].passed for a in null_audits.values())


def test_significance_alone_flags_trivial_differences_in_a_large_base():
    # a million customers, group a at 20.5% in the top tier against 20.0%: significant,
    # but a ratio of 1.02 is no disparity
    n = 500_000
    tiers = pd.Series(["top"] * int(0.205 * n) + ["rest"] * (n - int(0.205 * n))
                      + ["top"] * int(0.195 * n) + ["rest"] * (n - int(0.195 * n)))
    group = pd.Series(["a"] * n + ["b"] * n)
    audit = fairness_audit(tiers, group, top_tier="top")
    assert (audit.table["p_adjusted"] < 1e-10).all()
    assert audit.passed
    assert not fairness_audit(tiers, group, top_tier="top", threshold=0.99).passed


def test_a_small_group_far_from_the_reference_by_chance_is_not_flagged():
    # 10 customers, 4 in the top tier (40% against 20%): ratio 2, but p is large
    tiers = pd.Series(["top"] * 4 + ["rest"] * 6 + ["top"] * 198 + ["rest"] * 792)
    group = pd.Series(["small"] * 10 + ["big"] * 990)
    audit = fairness_audit(tiers, group, top_tier="top")
    row = audit.table.set_index("group").loc["small"]
    assert row["ratio"] == pytest.approx(0.4 / 0.202)
    assert row["test"] == "fisher" and row["p_value"] > 0.1
    assert audit.passed


# ----------------------------------------------------------------- closed forms


def test_table_against_a_plain_computation():
    rng = np.random.default_rng(0)
    group = pd.Series(rng.choice(["a", "b", "c"], 900, p=[0.5, 0.3, 0.2]), name="band")
    tiers = pd.Series(np.where(rng.random(900) < np.where(group == "c", 0.1, 0.3), "top", "rest"))
    service = {"top": 40.0, "rest": 10.0}
    audit = fairness_audit(tiers, group, service=service, top_tier="top", correction=None)
    tab = audit.table.set_index(["group", "measure"])
    value = tiers.map(service)
    for g in ("a", "b", "c"):
        inside = (group == g).to_numpy()
        top = (tiers == "top").to_numpy()
        # top share, against everyone else: two-proportion z test = chi-square without correction
        x1, n1, x2, n2 = top[inside].sum(), inside.sum(), top[~inside].sum(), (~inside).sum()
        pool = (x1 + x2) / (n1 + n2)
        z = (x1 / n1 - x2 / n2) / np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        row = tab.loc[(g, "top_share")]
        assert row["n"] == n1
        assert row["value"] == pytest.approx(x1 / n1)
        assert row["reference_value"] == pytest.approx(top.mean())
        assert row["ratio"] == pytest.approx((x1 / n1) / top.mean())
        assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
        # mean service, Welch's t test against everyone else
        row = tab.loc[(g, "mean_service")]
        assert row["value"] == pytest.approx(value[inside].mean())
        assert row["reference_value"] == pytest.approx(value.mean())
        expected = stats.ttest_ind(value[inside], value[~inside], equal_var=False).pvalue
        assert row["p_value"] == pytest.approx(expected, rel=1e-9)
    assert audit.table["attribute"].eq("band").all()
    # group c is at a third of the others' share: flagged below, with a reason
    flags = audit.flags.set_index(["group", "measure"])
    assert flags.loc[("c", "top_share"), "direction"] == "below"
    assert "band = c: share in the top tier" in flags.loc[("c", "top_share"), "reason"]


def test_composition_shares_sum_to_one_per_group():
    rng = np.random.default_rng(1)
    tiers = pd.Series(pd.Categorical(rng.choice(["k", "o", "s"], 500), categories=["k", "o", "s"]))
    group = pd.Series(rng.choice(["x", "y"], 500))
    audit = fairness_audit(tiers, group)  # top tier: the first category
    assert audit.top_tier == "k"
    comp = audit.composition
    assert comp["tier"].tolist()[:3] == ["k", "o", "s"]
    np.testing.assert_allclose(comp.groupby("group")["share"].sum(), 1.0)
    assert comp["n"].sum() == 500


def test_a_group_as_reference():
    tiers = pd.Series(["top"] * 30 + ["rest"] * 70 + ["top"] * 10 + ["rest"] * 90)
    group = pd.Series(["female"] * 100 + ["male"] * 100, name="gender")
    audit = fairness_audit(tiers, group, top_tier="top", reference="male", correction=None)
    tab = audit.table.set_index("group")
    assert tab.loc["female", "ratio"] == pytest.approx(3.0)
    assert np.isnan(tab.loc["male", "p_value"]) and not tab.loc["male", "flagged"]
    expected = stats.chi2_contingency([[30, 70], [10, 90]], correction=False).pvalue
    assert tab.loc["female", "p_value"] == pytest.approx(expected)


def test_holm_adjustment_against_a_plain_computation():
    rng = np.random.default_rng(2)
    group = pd.Series(rng.choice(list("abcdef"), 1200))
    tiers = pd.Series(np.where(rng.random(1200) < 0.25, "top", "rest"))
    raw = fairness_audit(tiers, group, top_tier="top", correction=None).table["p_value"]
    adj = fairness_audit(tiers, group, top_tier="top").table["p_adjusted"].to_numpy()
    p = raw.to_numpy()
    m = len(p)
    order = np.argsort(p)
    expected = np.empty(m)
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[j]))
        expected[j] = running
    np.testing.assert_allclose(adj, expected)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 300))
def test_the_audit_does_not_depend_on_row_order_and_leaves_inputs_alone(seed, n):
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"c{i}" for i in range(n)])
    tiers = pd.Series(rng.choice(["top", "mid", "low"], n), index=idx)
    group = pd.Series(rng.choice(["x", "y", "z"], n), index=idx, name="g")
    before = (tiers.copy(), group.copy())
    a = fairness_audit(tiers, group, top_tier="top", service={"top": 3, "mid": 2, "low": 1})
    pd.testing.assert_series_equal(tiers, before[0])
    pd.testing.assert_series_equal(group, before[1])
    perm = rng.permutation(n)
    b = fairness_audit(tiers.iloc[perm], group.iloc[perm[::-1]], top_tier="top",
                       service={"top": 3, "mid": 2, "low": 1})
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.composition, b.composition)


def test_missing_values_are_left_out_and_counted():
    tiers = pd.Series(["top", "rest", None, "rest", "top", "rest"])
    group = pd.Series(["a", "a", "b", None, "b", "b"])
    audit = fairness_audit(tiers, group, top_tier="top")
    assert audit.n_missing == 2
    assert audit.table["n"].sum() == 4


def test_reasons_in_chinese_use_the_glossary_labels(effect_audits):
    tiers, customers = tiers_and_customers(0, sensitive_rate_ratio=EFFECT)
    zh = fairness_audit(tiers, customers["gender"], service=SERVICE, lang="zh")
    assert len(zh.flags) == len(effect_audits[0].flags)
    assert zh.flags["reason"].iloc[0].startswith("性别 = 女：最高等级占比")


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"threshold": 1.2}, "threshold=1.2"),
        ({"alpha": 0}, "alpha=0"),
        ({"reference": "martian"}, "reference='martian'"),
        ({"top_tier": "gold"}, "top_tier='gold'"),
        ({"service": {"top": 1.0}}, r"no level for the tier\(s\) \['rest'\]"),
        ({"correction": "bonferroni"}, "correction='bonferroni'"),
        ({"lang": "fr"}, "unknown language"),
    ],
)
def test_bad_arguments_are_refused_with_the_argument_named(kw, match):
    tiers = pd.Series(["top", "rest", "rest", "top"])
    group = pd.Series(["a", "a", "b", "b"])
    kw = {"top_tier": "top", **kw}
    with pytest.raises(ParameterError, match=match):
        fairness_audit(tiers, group, **kw)


def test_series_of_different_customers_are_refused():
    tiers = pd.Series(["top", "rest"], index=["c1", "c2"])
    group = pd.Series(["a", "b"], index=["c1", "c3"])
    with pytest.raises(ParameterError, match="same index"):
        fairness_audit(tiers, group, top_tier="top")
    with pytest.raises(ParameterError, match="top_tier is not given"):
        fairness_audit(tiers, group.set_axis(["c1", "c2"]))
    with pytest.raises(ParameterError, match="pandas Series"):
        fairness_audit(tiers.to_numpy(), group, top_tier="top")
