"""Tier dynamics (segkit.segment.migration): a slow reference, a known Markov chain, the data."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segkit.data import acquisition_dates
from segkit.datasets import simulate
from segkit.exceptions import ParameterError, SchemaError
from segkit.features import customer_profile
from segkit.segment.migration import (
    GONE,
    NEW,
    expected_time_in_tier,
    migration_matrix,
    migration_rates,
    tiers_by_period,
)
from segkit.segment.rfm import NO_PURCHASE, STANDARD_MAP, RFMScorer

TIERS = ["high", "mid", "low"]  # best first


@pytest.fixture(scope="module")
def sim():
    return simulate(2000, seed=8)


def _slow_matrix(tiers: pd.DataFrame) -> Counter:
    """Transitions between consecutive periods, customer by customer, in plain Python."""
    periods = sorted(set(tiers["period"]))
    at = {p: dict(zip(g["customer_id"], g["tier"], strict=True))
          for p, g in tiers.groupby("period")}
    counts: Counter = Counter()
    for p, q in zip(periods, periods[1:], strict=False):
        for c in set(at[p]) | set(at[q]):
            counts[(at[p].get(c, NEW), at[q].get(c, GONE))] += 1
    return counts


_long = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 4), st.sampled_from(TIERS)),
    min_size=1,
    max_size=60,
    unique_by=lambda x: (x[0], x[1]),  # one tier per customer and period
)


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"c{c}" for c, _, _ in rows],
        "period": pd.to_datetime("2024-01-31") + pd.to_timedelta([30 * p for _, p, _ in rows],
                                                                 unit="D"),
        "tier": pd.Categorical([t for _, _, t in rows], categories=TIERS, ordered=True),
    })


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_long, st.randoms(use_true_random=False))
def test_matrix_equals_a_slow_reference_and_ignores_row_order(rows, rnd):
    tiers = _frame(rows)
    if tiers["period"].nunique() < 2:
        with pytest.raises(ParameterError, match="at least two periods"):
            migration_matrix(tiers)
        return
    counts = migration_matrix(tiers, normalize=False)
    want = _slow_matrix(tiers)
    got = {(a, b): int(counts.at[a, b]) for a in counts.index for b in counts.columns
           if counts.at[a, b]}
    assert got == dict(want)
    # counts add up to the number of transitions: customers present at either period of
    # each consecutive pair
    periods = sorted(tiers["period"].unique())
    n = sum(len(set(tiers.loc[tiers["period"] == p, "customer_id"])
                | set(tiers.loc[tiers["period"] == q, "customer_id"]))
            for p, q in zip(periods, periods[1:], strict=False))
    assert counts.to_numpy().sum() == n
    assert counts.at[NEW, GONE] == 0
    # row order never matters
    order = list(range(len(tiers)))
    rnd.shuffle(order)
    pd.testing.assert_frame_equal(migration_matrix(tiers.iloc[order], normalize=False), counts)
    shares = migration_matrix(tiers)
    busy = counts.sum(axis=1) > 0
    np.testing.assert_allclose(shares[busy].sum(axis=1), 1.0)
    assert shares[~busy].isna().all(axis=None)


def test_entering_and_leaving_customers():
    tiers = pd.DataFrame({
        "customer_id": ["a", "b", "a", "c", "c", "a"],
        "period": pd.to_datetime(["2024-03-31", "2024-03-31", "2024-06-30", "2024-06-30",
                                  "2024-09-30", "2024-09-30"]),
        "tier": ["low", "high", "high", "low", "low", "high"],
    })
    m = migration_matrix(tiers, normalize=False)
    assert list(m.index) == ["high", "low", NEW] and list(m.columns) == ["high", "low", GONE]
    assert m.at["low", "high"] == 1  # a moves up
    assert m.at["high", GONE] == 1  # b leaves
    assert m.at[NEW, "low"] == 1  # c enters
    assert m.at["high", "high"] == 1 and m.at["low", "low"] == 1
    assert m.to_numpy().sum() == 5
    # a window of periods, and the direct transition between two periods
    q2 = migration_matrix(tiers, from_period="2024-06-30", normalize=False)
    assert q2.to_numpy().sum() == 2
    direct = migration_matrix(tiers[tiers["period"] != "2024-06-30"], normalize=False)
    assert direct.at["low", GONE] == 0 and direct.at["high", GONE] == 1
    assert direct.at[NEW, "low"] == 1 and direct.at["low", "high"] == 1
    with pytest.raises(ParameterError, match="at least two periods"):
        migration_matrix(tiers, from_period="2024-09-30")


def test_integer_and_categorical_ids_give_the_same_matrix():
    rng = np.random.default_rng(3)
    n, periods = 500, 6
    rows = [(c, p, rng.integers(0, 3)) for p in range(periods) for c in range(n)
            if rng.random() < 0.8]
    c, p, t = (np.array(x) for x in zip(*rows, strict=True))
    base = pd.DataFrame({"customer_id": c, "period": p,
                         "tier": pd.Categorical.from_codes(t, TIERS, ordered=True)})
    m = migration_matrix(base)  # dense integer ids: their own codes
    for ids in (c * 1000 + 7, np.char.add("id", c.astype(str)),  # sparse ints, strings
                pd.Categorical(c)):
        pd.testing.assert_frame_equal(migration_matrix(base.assign(customer_id=ids)), m)


def test_bad_tier_frames_are_refused():
    tiers = pd.DataFrame({"customer_id": ["a", "a", "b"], "period": [1, 1, 2],
                          "tier": ["x", "y", "x"]})
    with pytest.raises(SchemaError, match="more than once in a period") as err:
        migration_matrix(tiers)
    assert "(2 rows)" in str(err.value)
    with pytest.raises(SchemaError, match="missing column"):
        migration_matrix(tiers.drop(columns="tier"))
    with pytest.raises(SchemaError, match="missing tier"):
        migration_matrix(tiers.assign(tier=["x", None, "x"], period=[1, 2, 2]))
    with pytest.raises(ParameterError, match="named '\\(new\\)'"):
        migration_matrix(tiers.assign(tier=[NEW, "y", "x"], period=[1, 2, 2]))
    renamed = tiers.assign(period=[1, 2, 2]).rename(columns={"tier": "level", "period": "q"})
    m = migration_matrix(renamed, normalize=False, period_col="q", tier_col="level")
    assert m.at["x", "y"] == 1 and m.at[NEW, "x"] == 1


# ---------------------------------------------------------------------- rates and times


def test_migration_rates_and_expected_time_closed_form():
    p = pd.DataFrame([[0.6, 0.3, 0.05, 0.05], [0.2, 0.7, 0.1, 0.0], [0.0, 0.25, 0.75, 0.0],
                      [0.5, 0.5, 0.0, 0.0]],
                     index=pd.Index([*TIERS, NEW], name="from"),
                     columns=pd.Index([*TIERS, GONE], name="to"))
    rates = migration_rates(p, order=TIERS)
    assert list(rates.columns) == ["upgrade", "stay", "downgrade", "gone"]
    assert rates.loc["high"].tolist() == pytest.approx([0.0, 0.6, 0.35, 0.05])
    assert rates.loc["mid"].tolist() == pytest.approx([0.2, 0.7, 0.1, 0.0])
    assert rates.loc["low"].tolist() == pytest.approx([0.25, 0.75, 0.0, 0.0])
    np.testing.assert_allclose(rates.sum(axis=1), 1.0)
    # reversed order swaps upgrades and downgrades
    rev = migration_rates(p, order=TIERS[::-1])
    np.testing.assert_allclose(rev.loc["mid", ["upgrade", "downgrade"]], [0.1, 0.2])
    t = expected_time_in_tier(p)
    assert t.to_dict() == pytest.approx({"high": 2.5, "mid": 1 / 0.3, "low": 4.0})
    # counts give the same rates as shares
    counts = (p * 40).round()
    pd.testing.assert_frame_equal(migration_rates(counts, TIERS), rates)
    with pytest.raises(ParameterError, match="missing 'low'"):
        migration_rates(p, order=["high", "mid"])
    with pytest.raises(ParameterError, match="not in the matrix 'top'"):
        migration_rates(p, order=[*TIERS, "top"])
    always = pd.DataFrame([[1.0]], index=["a"], columns=["a"])
    assert np.isinf(expected_time_in_tier(always)["a"])


def _markov(true: np.ndarray, n: int, periods: int, rng) -> pd.DataFrame:
    cum = true.cumsum(axis=1)
    state = rng.integers(0, len(true), n)
    frames = []
    for p in range(periods):
        frames.append(pd.DataFrame({"customer_id": np.arange(n), "period": p, "tier": state}))
        u = rng.random(n)
        state = np.minimum((u[:, None] > cum[state]).sum(axis=1), len(true) - 1)
    out = pd.concat(frames, ignore_index=True)
    out["tier"] = pd.Categorical.from_codes(out["tier"], TIERS, ordered=True)
    return out


def _complete_spells(tiers: pd.DataFrame) -> dict[str, float]:
    """Mean length of the spells in a tier whose start and end are both observed."""
    wide = tiers.pivot(index="customer_id", columns="period", values="tier")
    lengths: dict[str, list[int]] = {t: [] for t in TIERS}
    for row in wide.to_numpy():
        change = [0] + [i for i in range(1, len(row)) if row[i] != row[i - 1]] + [len(row)]
        # the spells after the first change and before the last observed period
        for a, b in zip(change[1:-2], change[2:-1], strict=True):
            lengths[row[a]].append(b - a)
    return {t: float(np.mean(v)) for t, v in lengths.items()}


@pytest.mark.parametrize("seed", range(10))
def test_a_known_markov_chain_is_recovered(seed):
    true = np.array([[0.80, 0.15, 0.05], [0.10, 0.75, 0.15], [0.05, 0.15, 0.80]])
    rng = np.random.default_rng(seed)
    tiers = _markov(true, 1500, 40, rng)
    m = migration_matrix(tiers)
    np.testing.assert_allclose(m.loc[TIERS, TIERS].to_numpy(), true, atol=0.02)
    assert (m[GONE].drop(NEW) == 0).all() and m.loc[NEW].isna().all()  # nobody enters or leaves
    closed = 1 / (1 - np.diag(true))
    np.testing.assert_allclose(expected_time_in_tier(m).to_numpy(), closed, rtol=0.08)
    # the sojourns seen in long paths (spells cut by the window are short-biased, by
    # about E[L^2] / (E[L] * periods): 300 periods keep that near 2 %)
    spells = _complete_spells(_markov(true, 300, 300, rng))
    np.testing.assert_allclose([spells[t] for t in TIERS], closed, rtol=0.1)
    rates = migration_rates(m, TIERS)
    np.testing.assert_allclose(rates["upgrade"], [0.0, 0.10, 0.20], atol=0.02)
    np.testing.assert_allclose(rates["downgrade"], [0.20, 0.15, 0.0], atol=0.02)


# ---------------------------------------------------------------------- tiers per period


def _rfm_segments(profile: pd.DataFrame) -> pd.Series:
    return STANDARD_MAP.assign(RFMScorer().fit_transform(profile))


def test_tiers_by_period_recomputes_the_scheme_at_each_period_end(sim):
    data = sim.tables
    tiers = tiers_by_period(data, _rfm_segments, freq="Q")
    ends = sorted(tiers["period"].unique())
    assert [str(pd.Timestamp(e).date()) for e in ends][-2:] == ["2024-09-30", "2024-12-31"]
    assert all(pd.Timestamp(e).is_quarter_end for e in ends)
    assert isinstance(tiers["tier"].dtype, pd.CategoricalDtype) and tiers["tier"].cat.ordered
    assert list(tiers["tier"].cat.categories) == [*STANDARD_MAP.segments, NO_PURCHASE]
    # customers appear from the first period end after their acquisition, and stay
    acq = acquisition_dates(data)
    assert (tiers["period"].to_numpy() >= acq.reindex(tiers["customer_id"]).to_numpy()).all()
    sizes = tiers.groupby("period").size()
    expected = [int((acq <= e).sum()) for e in sizes.index]
    assert sizes.tolist() == expected
    # each period equals the scheme applied to the profile as of that date
    e = pd.Timestamp("2024-06-30")
    p = customer_profile(data, observation_end=e)
    got = tiers[tiers["period"] == e].set_index("customer_id")["tier"].astype(str)
    want = pd.Series(_rfm_segments(p).astype(str).to_numpy(), index=p["customer_id"])
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    # and the migration matrix of the result has rows that sum to 1
    m = migration_matrix(tiers)
    busy = migration_matrix(tiers, normalize=False).sum(axis=1) > 0
    np.testing.assert_allclose(m[busy].sum(axis=1), 1.0)
    assert busy[NEW] and m.loc[NEW, GONE] == 0


class _ValueHalves:
    """A toy estimator: above or below the median revenue of the data it was fitted on."""

    def fit(self, profile):
        self.cut_ = profile["revenue"].median()
        return self

    def predict(self, profile):
        return pd.Series(np.where(profile["revenue"] > self.cut_, "high", "low"),
                         index=profile.index)


def test_estimators_are_refitted_per_period_unless_told_otherwise(sim):
    data = sim.tables
    periods = ["2023-12-31", "2024-12-31"]
    refit = tiers_by_period(data, _ValueHalves(), periods=periods, order=["low", "high"])
    # refitted: about half of the customers are high in every period
    share = refit.groupby("period", observed=True)["tier"].apply(lambda s: (s == "high").mean())
    np.testing.assert_allclose(share, 0.5, atol=0.02)
    ref = _ValueHalves().fit(customer_profile(data, observation_end="2023-12-31"))
    fixed = tiers_by_period(data, ref, periods=periods, refit=False, order=["low", "high"])
    late = fixed[fixed["period"] == "2024-12-31"]
    assert (late["tier"] == "high").mean() > 0.55  # revenue grows against a fixed bar
    assert list(fixed["tier"].cat.categories) == ["low", "high"]


def test_customers_without_a_tier_are_refused_with_the_period(sim):
    def partial(profile):
        return pd.Series(np.where(profile["orders"] > 3, "busy", None), index=profile.index)

    with pytest.raises(ParameterError, match=r"no tier to \d+ customer\(s\) at the period ending"):
        tiers_by_period(sim.tables, partial, periods=["2024-12-31"])


def test_bad_tiers_by_period_arguments(sim):
    with pytest.raises(ParameterError, match="unknown time unit"):
        tiers_by_period(sim.tables, _rfm_segments, freq="fortnight")
    with pytest.raises(ParameterError, match="assign must be a function"):
        tiers_by_period(sim.tables, 42, periods=["2024-12-31"])
    with pytest.raises(ParameterError, match="returned 1 tiers"):
        tiers_by_period(sim.tables, lambda p: ["x"], periods=["2024-12-31"])
    with pytest.raises(ParameterError, match="not in order"):
        tiers_by_period(sim.tables, _rfm_segments, periods=["2024-12-31"], order=["lost"])
    with pytest.raises(ParameterError, match="no complete period"):
        tiers_by_period(sim.tables, _rfm_segments, freq="Y", observation_end="2023-06-30")


def test_inputs_are_not_modified(sim):
    tiers = tiers_by_period(sim.tables, _rfm_segments, periods=["2024-06-30", "2024-12-31"])
    before = tiers.copy(deep=True)
    m = migration_matrix(tiers)
    mb = m.copy()
    migration_rates(m, order=list(m.index.drop(NEW)))
    expected_time_in_tier(m)
    pd.testing.assert_frame_equal(tiers, before)
    pd.testing.assert_frame_equal(m, mb)


def test_customers_without_a_purchase_keep_a_tier_of_their_own():
    from segkit.schema import CustomerData

    customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
                              "acquisition_date": pd.to_datetime(["2024-01-05"] * 2
                                                                 + ["2024-04-10"])})
    tx = pd.DataFrame({"customer_id": ["a", "b", "a"],
                       "timestamp": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-05-20"]),
                       "amount": [100.0, 20.0, 300.0]})
    data = CustomerData(customers=customers, transactions=tx, observation_end="2024-06-30")
    cuts = {"recency": [30, 60, 90, 120], "frequency": [1, 2, 3, 4],
            "monetary": [50, 100, 200, 400]}
    rfm = RFMScorer(method="fixed", cut_points=cuts)
    tiers = tiers_by_period(data, lambda p: STANDARD_MAP.assign(rfm.fit_transform(p)), "M")
    wide = tiers.pivot(index="customer_id", columns="period", values="tier").astype(object)
    # c is tiered from its acquisition on, as a customer without a purchase; b too until
    # its first purchase (February); a has scores from its first purchase on
    assert wide.loc["c"].dropna().tolist() == [NO_PURCHASE] * 3
    assert wide.loc["c"].isna().sum() == 3  # not acquired before April
    assert wide.loc["b"].tolist()[:2] == [NO_PURCHASE, "new_customers"]
    assert NO_PURCHASE not in set(wide.loc["a"]) and NO_PURCHASE not in set(wide.loc["b"][1:])
    m = migration_matrix(tiers, normalize=False)
    assert m.at[NEW, NO_PURCHASE] == 1 and m.at[NO_PURCHASE, NO_PURCHASE] == 2  # c
    assert m.at[NO_PURCHASE, "new_customers"] == 1
