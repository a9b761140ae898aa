"""Exercise 01 (segmentation and tiering): personal data, right answers, every trap caught.

``tests/test_exercises.py`` checks what every exercise shares (generated versions in
sync, solutions correct, participant versions "Not done yet", nbgrader); this module
checks exercise 01's own data and checks: each right way of answering a task is
"Correct", and each wrong answer the checks recognise (a named trap, or a branch that
says what is off) is "Not quite" with its own message, on seeds 0 to 49.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from segkit import exercises as ex
from segkit.exceptions import ParameterError
from segkit.features import customer_profile
from segkit.schema import validate
from segkit.segment import (
    ParetoTiers,
    RFMScorer,
    expected_time_in_tier,
    migration_matrix,
)

#: Seeds on which every right answer must pass and every trap be caught: a check's
#: candidates must not coincide by chance on someone's personal data.
SEEDS = [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 50))]


@functools.cache
def seeded(seed: int) -> ex.SegmentationData:
    """The data of a seed, made once per test process (the checks never change them)."""
    return ex.segmentation_data(seed=seed)


@functools.cache
def profile_of(seed: int) -> pd.DataFrame:
    return customer_profile(seeded(seed).tables)


@pytest.fixture(scope="module")
def data():
    return seeded(0)


def check(task: int, answer, data):
    return getattr(ex.check_01, f"task_{task}")(answer, data)


def verdict(task: int, answer, data) -> str:
    fb = check(task, answer, data)
    assert fb.status == "wrong", str(fb)
    return str(fb)


# --------------------------------------------------------------------- registration


def test_exercise_01_is_registered_with_at_least_five_tasks():
    assert "01_segmentation" in ex.EXERCISES
    exercise = ex.EXERCISES["01_segmentation"]
    assert exercise.checks is ex.check_01 and exercise.data is ex.segmentation_data
    assert len(ex.check_01.tasks) >= 5


# --------------------------------------------------------------------- personal data


def test_data_depend_on_the_seed_only(data):
    again = ex.segmentation_data(seed=0)
    pd.testing.assert_frame_equal(again.transactions, data.transactions)
    pd.testing.assert_frame_equal(again.costs, data.costs)
    pd.testing.assert_frame_equal(again.tier_history, data.tier_history)
    assert again.observation_end == data.observation_end
    assert not seeded(1).transactions.equals(data.transactions)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_a_bad_seed_gets_a_clear_error(seed):
    with pytest.raises(ParameterError, match="SEED must be a whole number"):
        ex.segmentation_data(seed=seed)


def test_the_data_read_well(data):
    text = repr(data)
    assert "Exercise 01 data for seed 0" in text and "tier_history" in text
    assert "observation_end  " in text


@pytest.mark.parametrize("seed", SEEDS)
def test_the_data_hold_what_makes_every_trap_differ(seed):
    # each property below is what keeps one family of traps apart from the right answer
    data = seeded(seed)
    tx, costs = data.transactions, data.costs
    for name, table in data.tables.tables().items():
        pd.testing.assert_frame_equal(validate(table, name), table)
    assert tx["transaction_id"].is_unique and tx["timestamp"].is_monotonic_increasing
    # the observation end is after the last line (recency to the last date differs)
    gap = (data.observation_end - tx["timestamp"].max()).days
    assert 2 <= gap <= 9 + 31
    p = profile_of(seed).set_index("customer_id")
    # a big customer returned nearly everything: gross and net rankings differ
    gross = p["revenue"] + p["returns"]
    big = p.index[(p["returns"] > 0.5 * gross) & (gross >= gross.quantile(0.9))]
    assert len(big) >= 1
    last_line = tx.groupby("customer_id")["timestamp"].max()
    assert (last_line[big] > p.loc[big, "last_purchase"]).any()  # their last line: a return
    # a discount larger than a positive margin (subtracting discounts again differs)
    discount = costs[costs["kind"] == "discount"].groupby("customer_id")["amount"].sum()
    margin = p["margin"].reindex(discount.index)
    assert ((margin >= 0) & (margin < discount)).sum() >= 2
    # some key customers by revenue have a negative margin (ParetoTiers' override differs)
    tiers = ParetoTiers(inferior_col=None).fit_predict(p)
    assert ((tiers == "key") & (p["margin"] < 0)).any()
    # customers leave the tier history between the quarters, and others enter it
    counts = migration_matrix(data.tier_history, normalize=False)
    assert counts["(gone)"].sum() > 0 and counts.loc["(new)"].sum() > 0
    assert set(data.tier_history["tier"].unique()) == set(ParetoTiers.TIERS)


def test_a_personal_seed_changes_the_expected_answers(data):
    other = seeded(12345)

    def recency(d):
        buys = d.transactions[~d.transactions["is_return"]]
        return (d.observation_end - buys.groupby("customer_id")["timestamp"].max()).dt.days

    assert check(1, recency(other), other).correct
    assert not check(1, recency(data), other).correct
    assert check(5, migration_matrix(other.tier_history), other).correct
    assert not check(5, migration_matrix(data.tier_history), other).correct


# ------------------------------------------------------------------ right answers


def _top_by_hand(value: pd.Series, ids: pd.Series, share: float = 0.8,
                 ascending: bool = False) -> pd.Series:
    """The customers kept by the running share, as a participant computes it by hand."""
    order = value.sort_values(ascending=ascending).index
    v = value[order]
    before = v.cumsum() - v
    return ids[order][(before < share * v.sum()).to_numpy()]


def right_answers(data, p: pd.DataFrame, every_form: bool = True) -> dict[int, list]:
    """The correct ways of answering each task: first the solution's, then other ways.

    Other computations (by hand, through another segkit call) must agree with the
    solution on every seed; ``every_form=False`` leaves out the answers that differ
    from them only by their container (a list instead of a Series, floats instead of
    ints, another row order), which cannot depend on the seed.
    """
    tx, end = data.transactions, data.observation_end
    buys = tx[~tx["is_return"]]
    recency = (end - buys.groupby("customer_id")["timestamp"].max()).dt.days
    scores = RFMScorer().fit_transform(p)
    key = p.loc[ParetoTiers(inferior_col=None).fit_predict(p) == "key", "customer_id"]
    inferior = p.loc[p["margin"] < 0, "customer_id"]
    m = migration_matrix(data.tier_history)
    q1, q2 = data.quarters
    wide = data.tier_history.pivot(index="customer_id", columns="period", values="tier")
    by_hand = pd.crosstab(wide[q1].astype(object).fillna("(new)"),
                          wide[q2].astype(object).fillna("(gone)"), normalize="index")
    p_ii = np.diag(m.drop(index="(new)").to_numpy()[:, :4])
    times = expected_time_in_tier(m)
    ways = {
        1: [recency, p.set_index("customer_id")["recency_days"]],
        # the row order never matters
        2: [scores, RFMScorer().fit_transform(p.sample(frac=1, random_state=1))],
        3: [key, _top_by_hand(p["revenue"], p["customer_id"])],
        4: [inferior, p.loc[ParetoTiers().fit_predict(p) == "inferior", "customer_id"]],
        5: [m, by_hand],
        6: [times, expected_time_in_tier(migration_matrix(data.tier_history, normalize=False)),
            pd.Series(1 / (1 - p_ii), index=m.columns[:4])],
    }
    if not every_form:
        return ways
    forms = {
        1: [recency.astype(float), p[["customer_id", "recency_days"]],
            p.set_index("customer_id")[["recency_days"]], p],
        2: [scores.set_index("customer_id"), scores.sample(frac=1, random_state=0),
            scores.astype({"r_score": float, "f_score": float, "m_score": float})],
        3: [key.tolist(), set(key), key.to_numpy(),
            pd.Series(p["customer_id"].isin(key).to_numpy(), index=p["customer_id"]),
            p[p["customer_id"].isin(key)]],
        4: [set(inferior), inferior.tolist(),
            pd.Series((p["margin"] < 0).to_numpy(), index=p["customer_id"])],
        5: [m.drop(index="(new)"), m.iloc[::-1, ::-1]],
        6: [times.to_dict(), times.to_frame()],
    }
    return {task: ways[task] + forms[task] for task in ways}


# ------------------------------------------------------------------------ mistakes


def traps(data, p: pd.DataFrame) -> Iterator[tuple[int, object, str | tuple[str, ...]]]:
    """Every wrong answer the checks recognise, with words its feedback must contain.

    One line per message of the checks (a trap the check names, or a branch that says
    what is off), so that each is caught, with its own message, on every seed of SEEDS.
    """
    tx, costs, end = data.transactions, data.costs, data.observation_end
    buys = tx[~tx["is_return"]]
    last_buy = buys.groupby("customer_id")["timestamp"].max()
    first_buy = buys.groupby("customer_id")["timestamp"].min()
    right_1 = (end - last_buy).dt.days
    changed_1 = right_1.copy()
    changed_1.iloc[0] += 3
    yield from [
        (1, (tx["timestamp"].max() - last_buy).dt.days, "last date in the data"),
        (1, (tx["timestamp"].max() - tx.groupby("customer_id")["timestamp"].max()).dt.days,
         "last date in the data"),
        (1, (end - tx.groupby("customer_id")["timestamp"].max()).dt.days, "is a return"),
        (1, (last_buy - first_buy).dt.days, "first to their last purchase"),
        (1, (pd.Timestamp.today().normalize() - last_buy).dt.days, "days to today"),
        (1, -right_1, "wrong sign"),
        (1, right_1 / 7, "in weeks"),
        (1, right_1 // 7, "whole weeks"),
        (1, right_1 + 1, "off by +1 day"),
        (1, right_1 - 1, "off by -1 day"),
        (1, right_1 + 5, "off by +5 days"),
        (1, end - last_buy, "Timedelta"),
        (1, p["recency_days"], "does not hold customer ids"),
        (1, right_1.iloc[3:], "3 customers who bought missing"),
        (1, pd.concat([right_1, pd.Series([5], index=["C999999"])]), "1 unexpected id"),
        (1, pd.concat([right_1, right_1.iloc[:1]]), "more than once"),
        (1, right_1.astype(str), "object values"),
        (1, changed_1, "differs from the recency for 1 customer"),
        (1, p.set_index("customer_id")[["orders", "revenue"]], "one number per customer"),
        (1, right_1.tolist(), "asks for a Series"),
    ]

    scores = RFMScorer().fit_transform(p)

    def first(values: pd.Series, labels) -> np.ndarray:
        return pd.qcut(values.rank(method="first"), 5, labels=labels).astype(int).to_numpy()

    gross = p.assign(revenue=p["revenue"] + p["returns"])
    swapped = scores.copy()
    lo = swapped.index[swapped["r_score"] == 1][0]
    hi = swapped.index[swapped["r_score"] == 5][0]
    swapped.loc[[lo, hi], "r_score"] = [5, 1]
    fixed_f = RFMScorer(cut_points={"frequency": [1, 2, 3, 4]}).fit_transform(p)
    yield from [
        (2, scores.assign(f_score=first(p["orders"], [1, 2, 3, 4, 5])),
         ("customers with the same orders got different F scores", "R and M right")),
        (2, scores.assign(r_score=first(p["recency_days"], [5, 4, 3, 2, 1])),
         "customers with the same recency_days got different R scores"),
        (2, scores.assign(r_score=first(p["recency_days"], [1, 2, 3, 4, 5])),
         "R is the wrong way round"),
        (2, scores.assign(r_score=first(p["recency_days"], [1, 2, 3, 4, 5]),
                          f_score=first(p["orders"], [1, 2, 3, 4, 5])),
         ("R is the wrong way round", "scores 5. Customers with the same orders",
          "(M right)")),
        (2, scores.assign(f_score=6 - scores["f_score"]),
         ("F is the wrong way round", "5 goes to the largest orders")),
        (2, scores.assign(m_score=RFMScorer().fit_transform(gross)["m_score"]),
         "M follows gross revenue"),
        (2, scores.assign(m_score=first(gross["revenue"], [1, 2, 3, 4, 5])),
         "M follows gross revenue"),
        (2, scores.assign(m_score=RFMScorer().fit_transform(
            p.assign(revenue=p["revenue"] + 2 * p["returns"]))["m_score"]),
         "positive amounts (wrong sign)"),
        (2, scores.assign(f_score=scores["f_score"].clip(upper=4)),
         "F uses only 4 different scores"),
        (2, fixed_f, "other edges than the quintiles"),
        (2, swapped, "R differs from the quintile score for 2 customers"),
        (2, scores.assign(r_score=scores["r_score"] / 5), "whole numbers from 1 to 5"),
        (2, scores.drop(columns="m_score"), "no column(s) ['m_score']"),
        (2, scores.drop(columns="customer_id"), "no customer_id column"),
        (2, scores.iloc[3:], "3 customers who bought missing"),
        (2, pd.concat([scores, scores.iloc[:1]]), "more than once"),
        (2, scores.assign(f_score="high"), "should be numbers"),
        (2, scores["rfm_code"].tolist(), "asks for a table"),
    ]

    ids, revenue = p["customer_id"], p["revenue"].set_axis(p["customer_id"])
    key = set(p.loc[ParetoTiers(inferior_col=None).fit_predict(p) == "key", "customer_id"])
    ranked = revenue.sort_values(ascending=False)
    n_key = len(key)
    share = ranked.cumsum() / ranked.sum()
    not_key = ranked.index[n_key + 10]
    yield from [
        (3, p.loc[ParetoTiers().fit_predict(p) == "key", "customer_id"], "inferior_col=None"),
        (3, p.nlargest(int(0.2 * len(p)), "revenue")["customer_id"],
         "top 20% of the customers by count"),
        (3, list(share.index[share < 0.8]), "one customer short"),
        (3, list(ranked.index[:n_key - 5]), "too short"),
        (3, list(ranked.index[:n_key + 3]), "3 customers more than needed"),
        (3, _top_by_hand(gross["revenue"].set_axis(ids), ids.set_axis(ids)), "gross revenue"),
        (3, _top_by_hand(revenue, ids.set_axis(ids), ascending=True), "smallest revenue"),
        (3, p["revenue"] >= ranked.iloc[n_key - 1], "yes/no mask"),
        (3, ParetoTiers(inferior_col=None).fit_predict(p), "holds tiers"),
        (3, n_key, "the task asks for the customer ids"),
        (3, ["nobody", "someone"], "holds no customer id"),
        (3, [True, False], "yes/no values"),
        (3, [list(key)[:2]], "2 dimensions"),
        (3, np.array([list(key)[:2]]), "2 dimensions"),
        (3, p[["revenue", "margin"]], "table without customer ids"),
        (3, (key - {ranked.index[0]}) | {not_key},
         ("1 customer missing", "1 customer too many")),
    ]

    kinds = costs.pivot_table(index="customer_id", columns="kind", values="amount",
                              aggfunc="sum", fill_value=0.0).reindex(ids, fill_value=0.0)
    margin = p["margin"].set_axis(ids)
    inferior = set(ids[(p["margin"] < 0).to_numpy()])

    def below_zero(value: pd.Series) -> list:
        return list(value.index[(value < 0).to_numpy()])

    every_cost = revenue - p["cogs"].set_axis(ids) - costs.groupby("customer_id")[
        "amount"].sum().reindex(ids, fill_value=0.0)
    yield from [
        (4, below_zero(revenue - p["cogs"].set_axis(ids)), "only the cost of goods"),
        (4, below_zero(margin - kinds["acquisition"]), "acquisition cost"),
        (4, below_zero(every_cost), "acquisition cost"),
        (4, below_zero(margin - kinds["discount"]), "discounts again"),
        (4, below_zero(margin + p["returns"].set_axis(ids)), "ignores the returns"),
        (4, list(margin.index[(margin > 0).to_numpy()]), "wrong way round"),
        (4, list(inferior) + [ids[~ids.isin(inferior)].iloc[0]], "1 customer too many"),
    ]

    m = migration_matrix(data.tier_history)
    counts = migration_matrix(data.tier_history, normalize=False)
    q1, q2 = data.quarters
    wide = data.tier_history.pivot(index="customer_id", columns="period", values="tier")
    off = m.copy()
    off.iloc[0, 0] += 0.1
    moved = m.copy()
    moved.iloc[0, [0, 1]] = moved.iloc[0, [1, 0]].to_numpy()
    yield from [
        (5, m.T, "rows and columns are swapped"),
        (5, pd.crosstab(wide[q1], wide[q2], normalize="index"), "dropped silently"),
        (5, pd.crosstab(wide[q2], wide[q1], normalize="index"),
         "rows and columns are swapped (the rows are the tiers at"),
        (5, m.drop(columns="(gone)"), "has no column '(gone)'"),
        (5, counts, "counts of customers"),
        (5, m * 100, "percentages"),
        (5, counts / counts.sum(), "each column adds up to 1"),
        (5, counts / counts.to_numpy().sum(), "whole matrix adds up to 1"),
        (5, m.drop(index="small"), "no row or column for ['small']"),
        (5, off, "do not add up to 1"),
        (5, moved, "shares differ"),
        (5, m.to_numpy(), "asks for a table"),
        (5, m.astype(str).replace({"0.0": "none"}), "should be shares"),
    ]

    rows = m.drop(index="(new)")
    tiers = list(rows.index)
    p_ii = pd.Series(np.diag(rows[tiers].to_numpy()), index=tiers)
    col = counts / counts.sum()
    p_col = pd.Series(np.diag(col.loc[tiers, tiers].to_numpy()), index=tiers)
    times = expected_time_in_tier(m)
    changed_6 = times.copy()
    changed_6.iloc[0] += 1
    yield from [
        (6, 1 / p_ii, "1 / p"),
        (6, p_ii / (1 - p_ii), "off by one"),
        (6, p_ii, "shares that stay in the tier"),
        (6, expected_time_in_tier(pd.crosstab(wide[q1], wide[q2], normalize="index")),
         "customers who left"),
        (6, expected_time_in_tier(m.drop(columns="(gone)")), "customers who left"),
        (6, 1 / (1 - p_col), "column shares"),
        (6, 3 * times, "months"),
        (6, times.drop("small"), "no value for the tier(s) ['small']"),
        (6, pd.DataFrame({"a": times, "b": times}), "one number per tier is enough"),
        (6, times.tolist(), "asks for a Series"),
        (6, times.astype(str).str.replace(".", ",", regex=False), "should be numbers"),
        (6, changed_6, "differs for 1 tier"),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_right_answer_passes_and_every_trap_is_caught(seed):
    data = seeded(seed)
    p = profile_of(seed)
    for task, answers in right_answers(data, p, every_form=seed < 5).items():
        for answer in answers:
            fb = check(task, answer, data)
            assert fb.correct, f"seed {seed}, task {task}: {fb}"
    for task, answer, words in traps(data, p):
        said = verdict(task, answer, data)
        for w in (words,) if isinstance(words, str) else words:
            assert w in said, f"seed {seed}, task {task}: expected {w!r} in {said!r}"


# ------------------------------------------------------------------ friendly feedback
# (None, odd answers and other data: tests/test_exercises.py, for every exercise alike)


def test_the_checks_do_not_modify_the_data(data):
    before = {k: v.copy() for k, v in data.tables.tables().items()}
    history = data.tier_history.copy()
    p = profile_of(0)
    for task, answers in right_answers(data, p).items():
        check(task, answers[0], data)
    for name, table in before.items():
        pd.testing.assert_frame_equal(getattr(data.tables, name), table)
    pd.testing.assert_frame_equal(data.tier_history, history)


def test_the_feedback_of_each_task_reads_well(data):
    p = profile_of(0)
    for task, answers in right_answers(data, p).items():
        said = str(check(task, answers[0], data))
        assert said.startswith(f"[Task {task}] ✓ Correct: ") and "Hint" not in said
    said = verdict(3, p.loc[ParetoTiers().fit_predict(p) == "key", "customer_id"], data)
    assert "Hint: pass `inferior_col=None`" in said
