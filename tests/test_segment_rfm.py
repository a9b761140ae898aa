"""RFM scores and segment maps (segkit.segment.rfm): exhaustive maps, slow references, ties."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from segkit.datasets import simulate
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.features import customer_profile
from segkit.glossary import TERMS
from segkit.segment.rfm import (
    NO_PURCHASE,
    SCORE_COLUMNS,
    STANDARD_MAP,
    STANDARD_SEGMENTS,
    RFMScorer,
    SegmentMap,
)


@pytest.fixture(scope="module")
def sim():
    return simulate(3000, seed=5)


def _all_codes(bins: int = 5) -> pd.DataFrame:
    r, f, m = (a.ravel() + 1 for a in np.indices((bins, bins, bins)))
    return pd.DataFrame({"r_score": r, "f_score": f, "m_score": m})


# ---------------------------------------------------------------------- the standard map


def _standard_reference(r: int, f: int, m: int) -> str:
    """The grid of the STANDARD_MAP docstring, written out as plain Python."""
    fm = (f + m) // 2
    grid = {
        5: ["new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"],
        4: ["promising", "potential_loyalists", "potential_loyalists", "champions", "champions"],
        3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
        2: ["hibernating", "hibernating", "at_risk", "at_risk", "at_risk"],
        1: ["lost", "lost", "at_risk", "cant_lose", "cant_lose"],
    }
    return grid[r][fm - 1]


def test_standard_map_puts_each_of_the_125_codes_in_exactly_one_segment():
    cov = SegmentMap.coverage(STANDARD_MAP.rules, 5)
    assert len(cov) == 125 and cov["rfm_code"].is_unique
    assert (cov["segments"].map(len) == 1).all()  # no gap, no overlap
    reached = {s for (s,) in cov["segments"]}
    assert reached == set(STANDARD_SEGMENTS) and len(STANDARD_SEGMENTS) == 11


def test_standard_map_assigns_every_code_as_its_documented_grid():
    codes = _all_codes()
    got = STANDARD_MAP.assign(codes)
    want = [_standard_reference(*row) for row in codes.itertuples(index=False)]
    assert got.tolist() == want
    assert set(got) == set(STANDARD_SEGMENTS)
    assert STANDARD_MAP.table["segment"].tolist() == want
    # the order of the rules does not matter: no first-match-wins
    shuffled = SegmentMap(STANDARD_MAP.rules[::-1])
    assert shuffled.assign(codes).astype(str).tolist() == want


def test_standard_map_segments_have_words_in_the_glossary():
    for seg in (*STANDARD_SEGMENTS, NO_PURCHASE):
        for key in (f"seg_{seg}", f"seg_{seg}_note"):
            assert key in TERMS, key
            assert TERMS[key]["en"] and TERMS[key]["zh"] and TERMS[key]["en"] != TERMS[key]["zh"]
    frame = STANDARD_MAP.to_frame("zh")
    assert frame["codes"].groupby(frame["segment"]).first().sum() == 125
    assert "冠军客户" in set(frame["segment"])
    assert (frame["note"] != "").all()


# ---------------------------------------------------------------------- published maps

# The eleven-segment map commonly used with the R package `rfm` (rfm_segment), in its
# order; rfm_segment checks the rules one after the other and the first that matches wins
# (a customer already in a segment is not reassigned).
R_RFM_DEFAULT = [
    {"segment": "champions", "r": (4, 5), "f": (4, 5), "m": (4, 5)},
    {"segment": "loyal customers", "r": (2, 5), "f": (3, 5), "m": (3, 5)},
    {"segment": "potential loyalist", "r": (3, 5), "f": (1, 3), "m": (1, 3)},
    {"segment": "new customers", "r": (4, 5), "f": (1, 1), "m": (1, 1)},
    {"segment": "promising", "r": (3, 4), "f": (1, 1), "m": (1, 1)},
    {"segment": "need attention", "r": (2, 3), "f": (2, 3), "m": (2, 3)},
    {"segment": "about to sleep", "r": (2, 3), "f": (1, 2), "m": (1, 2)},
    {"segment": "at risk", "r": (1, 2), "f": (2, 5), "m": (2, 5)},
    {"segment": "can't lose them", "r": (1, 1), "f": (4, 5), "m": (4, 5)},
    {"segment": "hibernating", "r": (1, 2), "f": (1, 2), "m": (1, 2)},
    {"segment": "lost", "r": (1, 2), "f": (1, 2), "m": (1, 2)},
]


def test_r_rfm_default_map_is_refused_and_first_match_hides_four_segments():
    with pytest.raises(ParameterError, match="more than one segment") as err:
        SegmentMap(R_RFM_DEFAULT)
    msg = str(err.value)
    assert "and " in msg and "more" in msg  # the first few codes, then the count
    assert "champions" in msg and "loyal customers" in msg
    assert "42 score combinations fall in more than one segment: 111 (hibernating, lost)" in msg
    overlaps = err.value.overlaps
    assert overlaps["444"] == ("champions", "loyal customers")
    assert len(overlaps) > 0 and all(len(s) > 1 for s in overlaps.values())
    # it also leaves codes unassigned ("Others" in R), e.g. R 3, F 4, M 1
    assert "341" in err.value.gaps

    cov = SegmentMap.coverage(R_RFM_DEFAULT, 5)
    first = cov["segments"].map(lambda s: s[0] if s else None)
    named = [r["segment"] for r in R_RFM_DEFAULT]
    unreachable = [s for s in named if s not in set(first)]
    # first match wins: 4 of the 11 named segments can never be assigned (rfm issue 56):
    # new customers and promising sit inside potential loyalist, can't lose them inside
    # at risk, and lost repeats hibernating's ranges
    assert unreachable == ["new customers", "promising", "can't lose them", "lost"]
    assert len(unreachable) == 4


# The map of the R package's own examples and tests (R/rfm-segment.R,
# tests/testthat/test-rfm-segment.R): ten segments, monetary ranges equal to frequency's.
_R_NAMES = ["Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
            "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Lost"]
_R_BOUNDS = zip([4, 2, 3, 4, 3, 2, 2, 1, 1, 1], [5, 5, 5, 5, 4, 3, 3, 2, 1, 2],
                [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], [5, 5, 3, 1, 1, 3, 2, 5, 5, 2], strict=True)
R_RFM_EXAMPLE = [{"segment": name, "r": (rl, ru), "f": (fl, fu), "m": (fl, fu)}
                 for name, (rl, ru, fl, fu) in zip(_R_NAMES, _R_BOUNDS, strict=True)]


def test_r_rfm_package_example_map_hides_segments_whichever_match_wins():
    with pytest.raises(ParameterError, match="39 score combinations fall in more than one "
                                             "segment.*36 fall in no segment"):
        SegmentMap(R_RFM_EXAMPLE)
    cov = SegmentMap.coverage(R_RFM_EXAMPLE, 5)
    first = set(cov["segments"].map(lambda s: s[0] if s else "Others"))
    last = set(cov["segments"].map(lambda s: s[-1] if s else "Others"))
    # first match wins (rfm_segment today): 3 of the 10 segments are never assigned
    assert [s for s in _R_NAMES if s not in first] == ["New Customers", "Promising",
                                                       "Can't Lose Them"]
    # last match wins (later rules overwriting earlier ones): Champions, a subset of Loyal
    # Customers, is never assigned, the complaint of rfm issue 56 ("Champions and Others")
    assert [s for s in _R_NAMES if s not in last] == ["Champions"]
    assert "Others" in first  # 36 of the 125 codes match no rule


# pymc-marketing's rfm_segments: quartile scores (1-4) and a default segment_config
# (_default_rfm_segment_config in pymc_marketing/clv/utils.py) that names 46 of the 64
# codes; the other 18 become "Other" (a later version adds "242" to Repeat Customer,
# leaving 17).
PYMC_DEFAULT = {
    "Premium Customer": ["334", "443", "444", "344", "434", "433", "343", "333"],
    "Repeat Customer": ["244", "234", "232", "332", "143", "233", "243"],
    "Top Spender": ["424", "414", "144", "314", "324", "124", "224", "423", "413", "133",
                    "323", "313", "134"],
    "At Risk Customer": ["422", "223", "212", "122", "222", "132", "322", "312", "412",
                         "123", "214"],
    "Inactive Customer": ["411", "111", "113", "114", "112", "211", "311"],
}


def test_pymc_marketing_quartile_map_leaves_codes_unassigned_and_is_refused():
    listed = [c for codes in PYMC_DEFAULT.values() for c in codes]
    assert len(listed) == len(set(listed)) == 46
    rules = [{"segment": seg, "r": int(c[0]), "f": int(c[1]), "m": int(c[2])}
             for seg, codes in PYMC_DEFAULT.items() for c in codes]
    cov = SegmentMap.coverage(rules, 4)
    other = cov.loc[cov["segments"].map(len) == 0, "rfm_code"].tolist()
    assert len(cov) == 64 and len(other) == 18  # 18 of 64 codes fall in "Other"
    with pytest.raises(ParameterError, match="18 fall in no segment") as err:
        SegmentMap(rules, bins=4)
    assert err.value.gaps == other
    assert "and 13 more" in str(err.value)


# ---------------------------------------------------------------------- user-defined maps


def test_map_with_a_gap_is_refused_with_the_codes():
    with pytest.raises(ParameterError) as err:
        SegmentMap.from_rules({"recent": {"r": (4, 5)}, "old": {"r": (1, 2)}})
    msg = str(err.value)
    assert "25 fall in no segment: 311, 312, 313, 314, 315 and 20 more" in msg
    assert "add rules for the missing codes" in msg
    assert err.value.gaps == [f"3{f}{m}" for f in range(1, 6) for m in range(1, 6)]
    assert err.value.overlaps == {}


def test_map_with_an_overlap_is_refused_with_codes_and_segments():
    with pytest.raises(ParameterError) as err:
        SegmentMap.from_rules({"a": {"r": (1, 3)}, "b": {"r": (3, 5)}, "c": {"f": 5, "r": 3}})
    msg = str(err.value)
    assert "25 score combinations fall in more than one segment: 311 (a, b)" in msg
    assert "segments involved: a, b, c" in msg
    assert err.value.overlaps["351"] == ("a", "b", "c")
    assert err.value.gaps == []


def test_several_rules_of_one_segment_may_overlap_each_other():
    m = SegmentMap.from_rules({"hi": [{"r": (3, 5)}, {"r": 5, "f": 5}], "lo": {"r": (1, 2)}})
    assert m.assign(pd.DataFrame({"r_score": [5], "f_score": [5], "m_score": [5]})).iloc[0] == "hi"


@pytest.mark.parametrize(
    ("rules", "match"),
    [
        ({"a": {"r": (4, 2)}}, r"1 <= low <= high <= 5"),
        ({"a": {"r": (0, 5)}}, r"1 <= low <= high <= 5"),
        ({"a": {"r": (1, 6)}}, r"1 <= low <= high <= 5"),
        ({"a": {"x": 1}}, r"unknown key\(s\) 'x'"),
        ({"a": {"r": "high"}}, r"a score or a pair"),
        ({"no_purchase": {}}, r"reserved"),
        ({"a": {"r": (1, 5)}, "b": {"r": 1, "f": 6}}, r"1 <= low <= high <= 5"),
    ],
)
def test_bad_rules_are_refused(rules, match):
    with pytest.raises(ParameterError, match=match):
        SegmentMap.from_rules(rules)


def test_unreachable_segment_is_refused():
    # fm 5 needs f = m = 5, so f <= 2 with fm 5 is empty
    with pytest.raises(ParameterError, match="reaches the segment") as err:
        SegmentMap.from_rules({"all": {}, "ghost": {"f": (1, 2), "fm": 5}})
    assert err.value.unreached == ["ghost"]


def test_assign_checks_scores_and_treats_missing_as_no_purchase():
    s = pd.DataFrame({"r_score": [5, None], "f_score": [5, None], "m_score": [5, None]},
                     dtype="Int64")
    assert STANDARD_MAP.assign(s).tolist() == ["champions", NO_PURCHASE]
    quiet = SegmentMap(STANDARD_MAP.rules, unscored=None)
    assert quiet.assign(s).isna().tolist() == [False, True]
    with pytest.raises(SchemaError, match="whole numbers from 1 to 5"):
        STANDARD_MAP.assign(pd.DataFrame({"r_score": [6], "f_score": [1], "m_score": [1]}))
    with pytest.raises(SchemaError, match="missing score column"):
        STANDARD_MAP.assign(pd.DataFrame({"r_score": [1], "f_score": [1]}))


def test_explain_says_why_for_every_code_in_both_languages():
    codes = _all_codes()
    ex = STANDARD_MAP.explain(codes)
    seg = STANDARD_MAP.assign(codes).astype(str)
    assert (ex["segment"] == seg).all()
    rule_of = {}
    for rule in STANDARD_MAP.rules:
        rule_of.setdefault(rule["segment"], []).append(rule)
    for row, s, text, rule_text in zip(codes.itertuples(index=False), seg, ex["explanation"],
                                       ex["rule"], strict=True):
        r, f, m = row
        assert text.startswith(f"{STANDARD_MAP.label(s)}: R {r}, F {f}, M {m} (FM {(f + m) // 2})")
        assert text.endswith(rule_text)
        # the rule quoted is one of the segment's rules and the customer meets it
        fm = (f + m) // 2
        met = [SegmentMap._rule_text(x) for x in rule_of[s]
               if all(lo <= v <= hi for d, v in zip("r f m fm".split(), (r, f, m, fm),
                                                    strict=True)
                      for lo, hi in [x.get(d, (1, 5))])]
        assert rule_text in met
    zh = STANDARD_MAP.explain(codes.head(1), lang="zh")
    assert zh["label"].iloc[0] == TERMS[f"seg_{seg.iloc[0]}"]["zh"]
    assert zh["action"].iloc[0] == TERMS[f"seg_{seg.iloc[0]}_note"]["zh"]


# ---------------------------------------------------------------------- the scorer


def _slow_edges(values: list[float], bins: int) -> list[float]:
    """Quantile edges by the definition, then ties moved up and back down, in plain Python."""
    v = sorted(values)
    n = len(v)
    u = sorted(set(v))
    if len(u) < bins:
        return u[:-1]
    # inverted_cdf: the smallest value with at least j / bins of the values at or below it
    q = [v[-(-n * j // bins) - 1] for j in range(1, bins)]
    pos = [u.index(x) for x in q]
    for j in range(1, len(pos)):
        if pos[j] <= pos[j - 1]:
            pos[j] = pos[j - 1] + 1
    pos[-1] = min(pos[-1], len(u) - 2)
    for j in range(len(pos) - 2, -1, -1):
        if pos[j] >= pos[j + 1]:
            pos[j] = pos[j + 1] - 1
    return [u[i] for i in pos]


def _slow_scores(profile: pd.DataFrame, bins: int) -> pd.DataFrame:
    cols = {"recency": "recency_days", "frequency": "orders", "monetary": "revenue"}
    ok = profile[list(cols.values())].notna().all(axis=1)
    edges = {d: _slow_edges(profile.loc[ok, c].tolist(), bins) for d, c in cols.items()}
    rows = []
    for _, row in profile.iterrows():
        if row[list(cols.values())].isna().any():
            rows.append((None, None, None))
            continue
        out = []
        for d, c in cols.items():
            below = sum(e < row[c] for e in edges[d])
            out.append(bins - below if d == "recency" else 1 + below)
        rows.append(tuple(out))
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS), index=profile.index)


_customers = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 30).map(float)),  # recency: None = no purchase
        st.integers(1, 6),  # orders: heavy ties
        st.one_of(st.integers(0, 5).map(float), st.floats(0, 1000).map(lambda x: round(x, 2))),
    ),
    min_size=1,
    max_size=40,
)


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(len(rows))],
        "recency_days": [np.nan if r is None else r for r, _, _ in rows],
        "orders": [o for _, o, _ in rows],
        "revenue": [m for _, _, m in rows],
    })


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_customers, st.integers(2, 6), st.randoms(use_true_random=False))
def test_quantile_scores_equal_a_slow_reference_and_ignore_row_order(rows, bins, rnd):
    p = _frame(rows)
    if p["recency_days"].isna().all():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = RFMScorer(bins=bins).fit_transform(p)
        want = _slow_scores(p, bins)
        for c in SCORE_COLUMNS:
            pd.testing.assert_series_equal(got[c].astype("Float64"),
                                           want[c].astype("Float64"), check_names=False)
        # row order never matters
        order = list(range(len(p)))
        rnd.shuffle(order)
        shuffled = RFMScorer(bins=bins).fit_transform(p.iloc[order])
    pd.testing.assert_frame_equal(shuffled.loc[got.index], got)
    # equal values give equal scores; scores within 1..bins; code and sum agree
    ok = got["r_score"].notna()
    for dim, col, score in zip(("r", "f", "m"), ("recency_days", "orders", "revenue"),
                               SCORE_COLUMNS, strict=True):
        assert (got.loc[ok].groupby(p.loc[ok, col])[score].nunique() == 1).all(), dim
        assert got.loc[ok, score].between(1, bins).all()
    codes = (got["r_score"].astype(str) + got["f_score"].astype(str)
             + got["m_score"].astype(str))
    assert (got.loc[ok, "rfm_code"] == codes[ok]).all()
    assert (got.loc[ok, "rfm_score"] == got.loc[ok, list(SCORE_COLUMNS)].sum(axis=1)).all()
    assert got.loc[~ok, "rfm_code"].isna().all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 500, allow_nan=False), min_size=5, max_size=60, unique=True))
def test_scores_are_monotone_recency_small_is_good(values):
    p = pd.DataFrame({"customer_id": range(len(values)), "recency_days": values,
                      "orders": values, "revenue": values})
    s = RFMScorer().fit_transform(p)
    order = np.argsort(values)
    r = s["r_score"].to_numpy()[order]
    f = s["f_score"].to_numpy()[order]
    assert (np.diff(r.astype(int)) <= 0).all()  # more days since the last purchase: lower R
    assert (np.diff(f.astype(int)) >= 0).all()
    assert r[0] == 5 and r[-1] == 1 and f[0] == 1 and f[-1] == 5


def test_quintiles_without_ties():
    rng = np.random.default_rng(0)
    n = 10_000
    p = pd.DataFrame({"customer_id": range(n), "recency_days": rng.permutation(n) * 0.5,
                      "orders": rng.permutation(n), "revenue": rng.gamma(2, 50, n)})
    s = RFMScorer().fit_transform(p)
    for c in SCORE_COLUMNS:
        assert s[c].value_counts().sort_index().tolist() == [2000] * 5, c
    assert s.loc[p["recency_days"].idxmin(), "r_score"] == 5


def test_heavy_ties_stay_whole_and_every_score_is_used():
    # half of the customers buy once: the 20 % and 40 % quantiles are both 1
    orders = np.repeat([1, 2, 3, 4, 5, 6, 8, 12], [500, 200, 100, 80, 50, 30, 25, 15])
    n = len(orders)
    p = pd.DataFrame({"customer_id": range(n), "recency_days": np.arange(n) % 97,
                      "orders": orders, "revenue": orders * 10.0})
    s = RFMScorer().fit(p)
    assert np.quantile(orders, [0.2, 0.4], method="inverted_cdf").tolist() == [1, 1]
    assert s.edges_["frequency"].tolist() == [1, 2, 3, 4]
    out = s.transform(p)
    assert (out.loc[orders == 1, "f_score"] == 1).all()  # the tie block is not split
    assert sorted(out["f_score"].unique()) == [1, 2, 3, 4, 5]
    cut = s.cut_points_.set_index(["dimension", "score"])
    assert cut.loc[("frequency", 1), "rule"] == "orders <= 1"
    assert cut.loc[("frequency", 5), "rule"] == "orders > 4"
    assert cut.loc[("frequency", 1), "share"] == pytest.approx(0.5)
    # ties at the top run out of larger values: edges move back down
    top = np.repeat([1, 2, 3, 4, 5, 9], [10, 10, 10, 10, 10, 950])
    e = RFMScorer._quantile_edges(top.astype(float), 5, "orders")
    assert e.tolist() == [2, 3, 4, 5]
    assert e.tolist() == _slow_edges(top.tolist(), 5)


def test_fewer_distinct_values_than_bins_warns():
    p = pd.DataFrame({"customer_id": range(6), "recency_days": [1, 2, 3, 4, 5, 6],
                      "orders": [1, 1, 1, 2, 2, 3], "revenue": [1, 2, 3, 4, 5, 6]})
    with pytest.warns(UserWarning, match="'orders' has 3 distinct value"):
        s = RFMScorer().fit(p)
    assert s.transform(p)["f_score"].tolist() == [1, 1, 1, 2, 2, 3]


def test_customers_without_a_purchase_get_no_score_and_their_own_segment():
    p = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e", "f"],
                      "recency_days": [1.0, 5, 9, 20, 50, np.nan],
                      "orders": [5, 4, 3, 2, 1, 0], "revenue": [50.0, 40, 30, 20, 10, 0]})
    s = RFMScorer().fit(p)
    assert s.n_reference_ == 5 and s.n_unscored_ == 1
    # the customer without a purchase does not pull the quantiles (orders 0, revenue 0)
    ref = RFMScorer().fit(p.iloc[:5])
    for d in ("recency", "frequency", "monetary"):
        np.testing.assert_array_equal(s.edges_[d], ref.edges_[d])
    out = s.transform(p)
    assert out.loc[5, list(SCORE_COLUMNS)].isna().all() and out.loc[5, "rfm_code"] is None
    assert pd.isna(out.loc[5, "rfm_score"])
    assert str(out["r_score"].dtype) == "Int64"
    assert STANDARD_MAP.assign(out).iloc[5] == NO_PURCHASE
    assert "no purchase" in STANDARD_MAP.explain(out).loc[5, "explanation"]


def test_reference_period_keeps_scores_comparable(sim):
    early = customer_profile(sim.tables, observation_end="2023-12-31")
    late = customer_profile(sim.tables)
    ref = RFMScorer().fit(early)
    scored = ref.transform(late)
    # the same as fixed cut points equal to the reference period's edges
    fixed = RFMScorer(method="fixed", cut_points=ref.edges_).fit(late)
    pd.testing.assert_frame_equal(scored, fixed.transform(late))
    # a customer's score depends on its value only: same orders, same F, in both periods
    both = pd.concat([ref.transform(early).assign(orders=early["orders"]),
                      scored.assign(orders=late["orders"])]).dropna(subset=["f_score"])
    assert (both.groupby("orders")["f_score"].nunique() == 1).all()
    # refitting on the later period instead moves the edges
    assert not np.array_equal(RFMScorer().fit(late).edges_["monetary"], ref.edges_["monetary"])
    # and transforming the reference itself equals fit_transform
    pd.testing.assert_frame_equal(ref.transform(early), RFMScorer().fit_transform(early))


def test_segments_differ_in_value_on_simulated_data(sim):
    p = customer_profile(sim.tables)
    seg = STANDARD_MAP.assign(RFMScorer().fit_transform(p))
    revenue = p.groupby(seg, observed=True)["revenue"].mean()
    recency = p.groupby(seg, observed=True)["recency_days"].mean()
    assert revenue["champions"] > 3 * revenue["lost"]
    assert recency["champions"] < recency["lost"]
    assert set(seg.unique()) == set(STANDARD_SEGMENTS)


def test_fixed_cut_points_are_closed_above():
    cuts = {"recency": [30, 90, 180, 365], "frequency": [1, 2, 4, 8], "monetary": [50, 100,
                                                                                    250, 1000]}
    p = pd.DataFrame({"customer_id": range(6), "recency_days": [30, 30.5, 365, 366, 0, 90],
                      "orders": [1, 2, 3, 8, 9, 4], "revenue": [50, 50.01, 1000, 1000.01, 0, 250]})
    out = RFMScorer(method="fixed", cut_points=cuts).fit_transform(p)
    assert out["r_score"].tolist() == [5, 4, 2, 1, 5, 4]
    assert out["f_score"].tolist() == [1, 2, 3, 4, 5, 3]
    assert out["m_score"].tolist() == [1, 2, 4, 5, 1, 3]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"method": "median"}, "method 'median' is unknown"),
        ({"bins": 1}, "bins must be a whole number from 2 to 9"),
        ({"bins": 10}, "bins must be a whole number from 2 to 9"),
        ({"method": "fixed"}, "method='fixed' needs cut_points"),
        ({"method": "fixed", "cut_points": {"recency": [1, 2, 3, 4]}},
         "missing 'frequency', 'monetary'"),
        ({"cut_points": {"recent": [1, 2, 3, 4]}}, "unknown dimension"),
        ({"cut_points": {"recency": [1, 2, 3]}}, r"needs bins - 1 = 4 edges, got 3"),
        ({"cut_points": {"recency": [1, 3, 2, 4]}}, "strictly increasing"),
        ({"cut_points": {"recency": [1, 2, 2, 4]}}, "strictly increasing"),
        ({"cut_points": {"recency": ["a", 2, 3, 4]}}, "must be numbers"),
    ],
)
def test_bad_parameters_are_refused_at_fit(params, match):
    p = pd.DataFrame({"customer_id": [1], "recency_days": [1.0], "orders": [1], "revenue": [1.0]})
    scorer = RFMScorer(**params)  # stored only
    with pytest.raises(ParameterError, match=match):
        scorer.fit(p)


def test_partial_cut_points_fix_some_dimensions_and_learn_the_others():
    rng = np.random.default_rng(1)
    p = pd.DataFrame({"customer_id": range(500), "recency_days": rng.integers(0, 300, 500),
                      "orders": rng.integers(1, 20, 500), "revenue": rng.gamma(2, 30, 500)})
    s = RFMScorer(cut_points={"frequency": [1, 2, 4, 8]}).fit(p)
    assert s.edges_["frequency"].tolist() == [1, 2, 4, 8]
    np.testing.assert_array_equal(s.edges_["monetary"], RFMScorer().fit(p).edges_["monetary"])


def test_bad_tables_are_refused():
    good = pd.DataFrame({"customer_id": [1], "recency_days": [1.0], "orders": [1],
                         "revenue": [1.0]})
    with pytest.raises(SchemaError, match="missing column.*'revenue'"):
        RFMScorer().fit(good.drop(columns="revenue"))
    with pytest.raises(SchemaError, match="monetary must be numeric"):
        RFMScorer().fit(good.assign(revenue=["x"]))
    with pytest.raises(SchemaError, match="must be finite"):
        RFMScorer().fit(good.assign(revenue=[np.inf]))
    with pytest.raises(ParameterError, match="no customer of the profile has a purchase"):
        RFMScorer().fit(good.assign(recency_days=[np.nan]))
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        RFMScorer().fit([1, 2])
    # other column names
    renamed = good.rename(columns={"orders": "frequency", "customer_id": "id"})
    with pytest.warns(UserWarning, match="distinct value"):  # one customer: one value each
        out = RFMScorer(frequency_col="frequency", customer_id_col="id").fit_transform(renamed)
    assert list(out.columns) == ["id", *SCORE_COLUMNS, "rfm_code", "rfm_score"]


def test_transform_before_fit_is_a_clear_error():
    with pytest.raises(NotFittedError, match="call fit"):
        RFMScorer().transform(pd.DataFrame())
    with pytest.raises(SklearnNotFittedError):
        RFMScorer().transform(pd.DataFrame())


def test_scorer_is_a_scikit_learn_estimator():
    s = RFMScorer(bins=4, monetary_col="margin")
    c = clone(s)
    assert c.get_params()["bins"] == 4 and c.get_params()["monetary_col"] == "margin"


def test_inputs_are_not_modified(sim):
    p = customer_profile(sim.tables)
    before = p.copy(deep=True)
    scores = RFMScorer().fit_transform(p)
    s_before = scores.copy(deep=True)
    STANDARD_MAP.assign(scores)
    STANDARD_MAP.explain(scores)
    pd.testing.assert_frame_equal(p, before)
    pd.testing.assert_frame_equal(scores, s_before)
    assert scores.index.equals(p.index)


def test_cut_points_table_reads_as_rules_with_shares(sim):
    s = RFMScorer().fit(customer_profile(sim.tables))
    cut = s.cut_points_
    assert list(cut.columns) == ["dimension", "column", "score", "lower", "upper", "rule",
                                 "customers", "share"]
    assert cut.groupby("dimension")["share"].sum().round(12).eq(1).all()
    assert cut.groupby("dimension")["score"].apply(sorted).map(lambda x: x == [1, 2, 3, 4, 5]).all()
    r5 = cut.query("dimension == 'recency' and score == 5").iloc[0]
    assert r5["rule"] == f"recency_days <= {r5['upper']:g}" and np.isnan(r5["lower"])
    assert cut["customers"].sum() == 3 * s.n_reference_
