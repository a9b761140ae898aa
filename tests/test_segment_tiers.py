"""The tier schemes (segkit.segment.tiers): a slow reference, explanations, the simulator's truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from segkit.datasets import simulate
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.features import customer_profile
from segkit.glossary import t
from segkit.segment.base import horizon_outcomes
from segkit.segment.tiers import (
    ImportanceRiskTiers,
    ParetoTiers,
    VIPTiers,
    recency_ratio,
    share_threshold,
    tier_profile,
    top_share_threshold,
    typical_gap_days,
)

END = pd.Timestamp("2024-06-30")


@pytest.fixture(scope="module")
def sim():
    return simulate(4000, seed=21)


@pytest.fixture(scope="module")
def profile(sim):
    return customer_profile(sim.tables)


def random_profile(seed: int, n: int | None = None) -> pd.DataFrame:
    """A profile with ties, zeros, negative margins, single-order and never-buying customers."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60)) if n is None else n
    orders = rng.integers(0, 12, n)
    revenue = np.round(rng.choice([0.0, 10.0, 50.0, 100.0], n) * (rng.random(n) < 0.3)
                       + rng.gamma(1.0, 200.0, n) * (rng.random(n) < 0.8), 0)
    gap = np.where(orders >= 2, rng.integers(1, 90, n).astype(float), np.nan)
    cv = np.where(orders >= 3, np.round(rng.random(n) * 2, 2), np.nan)
    recency = np.where(orders >= 1, rng.integers(0, 400, n).astype(float), np.nan)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(n)],
            "tenure_days": rng.integers(0, 800, n).astype(float),
            "recency_days": recency,
            "orders": orders,
            "revenue": revenue,
            "margin": np.round(revenue * rng.uniform(-0.5, 0.6, n), 2),
            "cost_to_serve": np.round(rng.gamma(1.0, 20.0, n), 2),
            "ipt_mean_days": gap,
            "ipt_cv": cv,
            "risk_score": np.round(rng.random(n), 2),
        },
        index=pd.RangeIndex(100, 100 + n),  # not 0..n-1: results keep the profile's index
    )


# ----------------------------------------------------------------------------- Pareto tiers


def slow_pareto(values, margins, s1, s2, inferior=True):
    """Sort + running sum, customer by customer; the tier of a group of ties is its first's."""
    n = len(values)
    order = sorted(range(n), key=lambda i: -values[i])
    total = 0.0
    for i in order:
        total += max(values[i], 0.0)
    running = 0.0
    tier_of_value = {}
    for i in order:
        v = values[i]
        if v not in tier_of_value:  # the first of a group of ties decides for the group
            if total > 0 and running < s1 * total:
                tier_of_value[v] = "key"
            elif total > 0 and running < s2 * total:
                tier_of_value[v] = "ordinary"
            else:
                tier_of_value[v] = "small"
        running += max(v, 0.0)
    out = [tier_of_value[v] for v in values]
    if inferior:
        out = ["inferior" if m < 0 else tier for tier, m in zip(out, margins, strict=True)]
    return out


values_st = st.lists(
    st.one_of(st.integers(-50, 2000), st.sampled_from([0, 100, 100, 250])), min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=values_st,
    margins=st.lists(st.integers(-30, 300), min_size=60, max_size=60),
    shares=st.tuples(st.integers(1, 99), st.integers(1, 100)).filter(lambda s: s[0] < s[1]),
    inferior=st.booleans(),
)
def test_pareto_tiers_equal_a_slow_reference(values, margins, shares, inferior):
    s1, s2 = shares[0] / 100, shares[1] / 100
    vals = [v / 4 for v in values]  # quarters: exact binary fractions, ties on purpose
    p = pd.DataFrame({"revenue": vals, "margin": [float(m) for m in margins[: len(vals)]]})
    scheme = ParetoTiers(shares=(s1, s2), inferior_col="margin" if inferior else None)
    got = scheme.fit_predict(p)
    assert got.tolist() == slow_pareto(vals, p["margin"].tolist(), s1, s2, inferior)
    # the threshold is a value: row order does not matter
    shuffled = p.sample(frac=1.0, random_state=len(vals))
    assert scheme.fit_predict(shuffled).reindex(p.index).tolist() == got.tolist()


def test_pareto_tiers_share_of_value_and_ties():
    p = pd.DataFrame({"revenue": [500.0, 300.0, 100.0, 100.0, 0.0, -20.0],
                      "margin": [1.0] * 6})
    scheme = ParetoTiers().fit(p)
    # 500 + 300 = 800 of 1000 (the -20 adds nothing); both 100s share the tier of the first
    assert (scheme.key_threshold_, scheme.ordinary_threshold_) == (300.0, 100.0)
    assert scheme.predict(p).tolist() == ["key", "key", "ordinary", "ordinary", "small", "small"]
    assert share_threshold([0.0, -1.0], 0.8) == np.inf
    assert top_share_threshold([5, 4, 4, 3], 0.25) == 5.0
    assert top_share_threshold([5, 4, 4, 3], 0.5) == 4.0


def test_pareto_inferior_is_the_simulators_inferior_customer(sim, profile):
    tiers = ParetoTiers().fit_predict(profile)
    truth = sim.truth.set_index("customer_id").reindex(profile["customer_id"])
    np.testing.assert_array_equal((tiers == "inferior").to_numpy(), truth["inferior"].to_numpy())
    # the key customers bring at least 80% of the value, and without the last value group less
    v = profile["revenue"].clip(lower=0)
    scheme = ParetoTiers(inferior_col=None).fit(profile)
    key = (scheme.predict(profile) == "key").to_numpy()
    assert v[key].sum() >= 0.8 * v.sum()
    assert v[key & (profile["revenue"] > scheme.key_threshold_).to_numpy()].sum() < 0.8 * v.sum()


def test_fitted_thresholds_carry_to_a_later_period(sim):
    early = customer_profile(sim.tables, END)
    late = customer_profile(sim.tables)
    scheme = ParetoTiers().fit(early)
    t_late = scheme.predict(late)
    v = late["revenue"].to_numpy()
    expected = np.where(v >= scheme.key_threshold_, "key",
                        np.where(v >= scheme.ordinary_threshold_, "ordinary", "small"))
    expected = np.where(late["margin"].to_numpy() < 0, "inferior", expected)
    assert t_late.tolist() == expected.tolist()


# ----------------------------------------------------------------------------- explanations


def reapply(scheme, e: pd.DataFrame) -> list[str]:
    """The tier from the values and thresholds stated by explain(), by the documented rule."""
    if isinstance(scheme, ParetoTiers):
        v = e[scheme.value_col]
        out = np.where(v >= e["key_threshold"], "key",
                       np.where(v >= e["ordinary_threshold"], "ordinary", "small"))
        if scheme.inferior_col:
            out = np.where(e[scheme.inferior_col] < 0, "inferior", out)
        return out.tolist()
    if isinstance(scheme, ImportanceRiskTiers):
        risk = e["recency_ratio" if scheme.risk_col is None else scheme.risk_col]
        out = np.where(risk > e["risk_threshold"], "risk",
                       np.where(e[scheme.value_col] >= e["value_threshold"], "important",
                                "general"))
        return out.tolist()
    if isinstance(scheme, VIPTiers):
        v = e[scheme.value_col]
        vip = (v >= e["vip_threshold"]) & (v > 0)
        pot = (e[scheme.tenure_col] < e["max_tenure_days"]) & (
            e["value_per_day"] >= e["rate_threshold"])
        return np.where(vip, "vip", np.where(pot, "potential", "ordinary")).tolist()
    raise AssertionError(scheme)


SCHEMES = [
    ParetoTiers(),
    ParetoTiers(value_col="margin", shares=(0.5, 0.9), inferior_col=None),
    ImportanceRiskTiers(),
    ImportanceRiskTiers(risk_col="risk_score", value_quantile=0.7, risk_threshold=0.6),
    VIPTiers(),
    VIPTiers(vip_share=0.3, potential_max_tenure_days=200, potential_rate_quantile=0.0),
]


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: repr(s))
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_tier_is_explained_and_the_stated_thresholds_reproduce_it(scheme, seed):
    p = random_profile(seed)
    before = p.copy()
    tiers = scheme.fit_predict(p)
    assert isinstance(tiers.dtype, pd.CategoricalDtype) and tiers.dtype.ordered
    assert list(tiers.cat.categories) == list(scheme.tiers_)
    assert tiers.index.equals(p.index) and tiers.name == "tier"
    for lang, sep in (("en", ": "), ("zh", "：")):
        e = scheme.explain(p, lang=lang)
        assert e.index.equals(p.index)
        assert e["customer_id"].tolist() == p["customer_id"].tolist()
        assert e["tier"].tolist() == tiers.tolist()
        assert reapply(scheme, e) == tiers.tolist()
        labels = [t("tier_" + c, lang) for c in tiers]
        assert all(r.startswith(lab + sep) for r, lab in zip(e["reason"], labels, strict=True))
        assert not e["reason"].str.contains(r"\{|\}").any()  # every placeholder filled
    pd.testing.assert_frame_equal(p, before)  # the input is never modified


def test_reasons_carry_the_numbers():
    p = pd.DataFrame({"customer_id": list("abcde"),
                      "revenue": [500.0, 300.0, 100.0, 60.0, 40.0],
                      "margin": [120.0, 80.0, -5.0, 10.0, 4.0]})
    e = ParetoTiers().fit(p).explain(p)
    assert e.loc[0, "reason"] == (
        "key customers: revenue 500 ≥ 300, the cut-off of the customers who together bring "
        "the first 80% of revenue"
    )
    assert e.loc[3, "reason"] == (
        "ordinary customers: revenue 60 is below 300 (key customers) and at least 60, the "
        "cut-off of the first 95% of revenue"
    )
    assert e.loc[4, "reason"] == (
        "small customers: revenue 40 is below 60, the cut-off of the first 95% of revenue"
    )
    zh = ParetoTiers().fit(p).explain(p, lang="zh")
    assert zh.loc[2, "reason"].startswith("劣质客户：利润 -5 低于 0")


def test_rules_tables_name_every_tier_with_its_thresholds(profile):
    for scheme in (ParetoTiers(), ImportanceRiskTiers(), VIPTiers()):
        scheme.fit(profile)
        for lang in ("en", "zh"):
            r = scheme.rules(lang)
            assert list(r.columns) == ["tier", "label", "condition", "thresholds"]
            assert r["tier"].tolist() == list(scheme.tiers_)
            assert r["label"].tolist() == [t("tier_" + c, lang) for c in scheme.tiers_]
            assert r["condition"].str.len().gt(5).all()
    rules = ParetoTiers().fit(profile).rules()
    key = ParetoTiers().fit(profile).key_threshold_
    assert rules.loc[0, "thresholds"] == (key,)
    assert f"{key:,.2f}".rstrip("0").rstrip(".") in rules.loc[0, "condition"]


# ----------------------------------------------------------------------------- A / B / C


def test_recency_ratio_and_typical_gap():
    p = pd.DataFrame({"recency_days": [10.0, 90.0, 60.0, np.nan],
                      "ipt_mean_days": [20.0, 30.0, np.nan, np.nan]})
    assert typical_gap_days(p) == 25.0
    assert recency_ratio(p).tolist() == [0.5, 3.0, 2.4, np.inf]


def test_potential_risk_customers_truly_churn_more(sim, profile):
    scheme = ImportanceRiskTiers().fit(profile)
    tiers = scheme.predict(profile)
    churned = sim.truth.set_index("customer_id").reindex(profile["customer_id"])["churned"]
    rate = churned.groupby(tiers.to_numpy(), observed=False).mean()
    assert rate["risk"] > 2 * rate["important"] and rate["risk"] > 2 * rate["general"]
    # C does not depend on the value; A and B split the others at the value cut-off
    risk = recency_ratio(profile, scheme.typical_gap_days_)
    assert ((tiers == "risk") == (risk > 2.0)).all()
    assert (profile.loc[tiers == "important", "revenue"] >= scheme.value_threshold_).all()
    q = ImportanceRiskTiers(value_quantile=0.75).fit(profile)
    assert q.value_threshold_ == pytest.approx(profile["revenue"].quantile(0.75))


# ----------------------------------------------------------------------------- VIP


def test_vip_share_and_potential_customers_earn_at_vip_pace_later():
    """Potential customers as of mid-2024 bring more in the next half year than ordinary ones."""
    for seed in (1, 2, 3, 4, 5):
        s = simulate(3000, seed=seed)
        p = customer_profile(s.tables, END)
        scheme = VIPTiers().fit(p)
        tiers = scheme.predict(p)
        assert 0.1 <= (tiers == "vip").mean() < 0.11
        later = horizon_outcomes(s.tables, END, 180)["revenue_h"].to_numpy()
        new = (p["tenure_days"] < 365).to_numpy()
        pot = (tiers == "potential").to_numpy()
        ordinary_new = (tiers == "ordinary").to_numpy() & new
        assert pot.sum() >= 30
        assert later[pot].mean() > 2.5 * later[ordinary_new].mean()
        truth = s.truth.set_index("customer_id").reindex(p["customer_id"])
        pace = (truth["purchase_rate"] * truth["expected_spend"]).to_numpy()
        assert pace[pot].mean() > 1.5 * pace[ordinary_new].mean()


# ----------------------------------------------------------------------------- differentiated


def test_tier_profile_adds_up_and_tiers_differ(sim):
    p = customer_profile(sim.tables, END)
    out = horizon_outcomes(sim.tables, END, 180)
    p = p.assign(no_purchase_h=out["no_purchase_h"].to_numpy(),
                 revenue_h=out["revenue_h"].to_numpy())
    tiers = ParetoTiers().fit_predict(p)
    table = tier_profile(p, tiers, outcome_cols=["no_purchase_h", "revenue_h"])
    assert table.index.tolist() == ["key", "ordinary", "small", "inferior"]
    assert table["customers"].sum() == len(p)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["value_share"].sum() == pytest.approx(1.0)
    assert table.loc["key", "customers"] == (tiers == "key").sum()
    assert table.loc["key", "mean_margin"] == pytest.approx(p.loc[tiers == "key", "margin"].mean())
    # differentiated: value falls and churn (no purchase in the next half year) rises by tier
    assert (np.diff(table.loc[["key", "ordinary", "small"], "mean_revenue"]) < 0).all()
    assert (np.diff(table.loc[["key", "ordinary", "small"], "revenue_h"]) < 0).all()
    assert (np.diff(table.loc[["key", "ordinary", "small"], "no_purchase_h"]) > 0).all()
    assert table.loc["inferior", "mean_cost_to_serve"] > table.loc["key", "mean_cost_to_serve"]


def test_tier_profile_refuses_misaligned_tiers(profile):
    tiers = ParetoTiers().fit_predict(profile)
    with pytest.raises(ParameterError, match="tiers must have the profile's index"):
        tier_profile(profile, tiers.reset_index(drop=True).iloc[::-1])
    with pytest.raises(ParameterError, match="tiers has 3 values but the profile has"):
        tier_profile(profile, ["key"] * 3)


# ----------------------------------------------------------------------------- errors


def test_unfitted_schemes_raise_not_fitted_error(profile):
    for scheme in (ParetoTiers(), ImportanceRiskTiers(), VIPTiers()):
        with pytest.raises(NotFittedError, match="not fitted yet.*call fit"):
            scheme.predict(profile)
        with pytest.raises(SklearnNotFittedError):
            scheme.explain(profile)
        with pytest.raises(NotFittedError):
            scheme.rules()


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        (ParetoTiers(shares=(0.95, 0.8)), r"shares must satisfy 0 < shares\[0\] < shares\[1\]"),
        (ParetoTiers(shares=0.8), "shares must be two cumulative value shares"),
        (ParetoTiers(value_col=""), "value_col must be a column name"),
        (ImportanceRiskTiers(value_share=1.5), r"value_share must be a share in \(0, 1\]"),
        (ImportanceRiskTiers(value_quantile=1.0), r"value_quantile must be a share in \(0, 1\)"),
        (ImportanceRiskTiers(risk_threshold="high"), "risk_threshold must be a finite number"),
        (VIPTiers(vip_share=0), r"vip_share must be a share in \(0, 1\]"),
        (VIPTiers(potential_rate_quantile=2), "potential_rate_quantile must be a quantile"),
        (VIPTiers(min_rate_days=-1), "min_rate_days must be a finite number > 0"),
    ],
)
def test_bad_parameters_are_refused_at_fit(profile, scheme, message):
    with pytest.raises(ParameterError, match=message):
        scheme.fit(profile)


def test_bad_profiles_are_refused_with_the_column_and_rows(profile):
    with pytest.raises(SchemaError, match="table 'profile', column 'clv': missing column"):
        ParetoTiers(value_col="clv").fit(profile)
    bad = profile.head(5).assign(revenue=[1.0, np.nan, 2.0, np.nan, 3.0])
    with pytest.raises(SchemaError, match=r"column 'revenue': missing values.*\(2 rows\)"):
        ParetoTiers().fit(bad)
    with pytest.raises(SchemaError, match="must be numeric"):
        ParetoTiers().fit(profile.assign(revenue="a lot"))
    with pytest.raises(ParameterError, match="profile must be a pandas DataFrame"):
        ParetoTiers().fit([1, 2, 3])
    with pytest.raises(ParameterError, match="unknown language 'fr'"):
        ParetoTiers().fit(profile).explain(profile, lang="fr")
