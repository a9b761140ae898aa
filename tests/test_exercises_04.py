"""Exercise 04 (lost customers and win-back): personal data, right answers, every trap caught.

``tests/test_exercises.py`` checks what every exercise shares (generated versions in
sync, solutions correct, participant versions "Not done yet", None and odd answers);
this module checks exercise 04's own data and checks: each right way of answering a task
is "Correct", and each wrong answer the checks recognise (a named trap, or a branch that
says what is off) is "Not quite" with its own message, on seeds 0 to 49.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from segkit import exercises as ex
from segkit import winback as wb
from segkit.exceptions import ParameterError

#: Seeds on which every right answer must pass and every trap be caught.
SEEDS = [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 50))]
OFFERS = ["discount_10", "discount_25", "service_call"]
EFFECT = ["diff", "diff_low", "diff_high"]


@functools.cache
def seeded(seed: int) -> ex.WinbackData:
    """The data of a seed, made once per test process (the checks never change them)."""
    return ex.winback_data(seed=seed)


@functools.cache
def solved(seed: int) -> dict:
    """The solution's objects for a seed, as the solution notebook computes them."""
    d = seeded(seed)
    period = wb.lost_customers(d.tables, "narrow", d.threshold_days,
                               observation_end=d.period_end)
    in_period = period["churn_date"].between(d.period_start, d.period_end)
    lost = period[in_period & ~period["came_back"]]
    reasons = wb.loss_reasons(lost, by="former_tier", freq=None)
    rows = d.campaigns[d.campaigns["randomised"]]
    effects = wb.offer_effects(rows).set_index("offer")
    scored = d.scored[d.scored["offer"].isin([d.offer, "control"])]
    treated = scored["offer"] == d.offer
    metrics = {"uplift_at_k": wb.uplift_at_k(scored["score"], treated, scored["responded"],
                                             k=0.3),
               "qini_auc": wb.qini_auc(scored["score"], treated, scored["responded"])}
    cand = d.candidates.set_index("customer_id")
    uplift = cand[[f"uplift_{o}" for o in OFFERS]].set_axis(OFFERS, axis=1)
    allocation = wb.allocate(uplift, cand["value"], d.offer_costs, d.budget)
    return {"period": period, "in_period": in_period, "lost": lost, "reasons": reasons,
            "rows": rows, "effects": effects, "scored": scored, "treated": treated,
            "metrics": metrics, "uplift": uplift, "value": cand["value"],
            "allocation": allocation}


@pytest.fixture(scope="module")
def data():
    return seeded(0)


def check(task: int, answer, data):
    return getattr(ex.check_04, f"task_{task}")(answer, data)


def verdict(task: int, answer, data) -> str:
    fb = check(task, answer, data)
    assert fb.status == "wrong", str(fb)
    return str(fb)


# --------------------------------------------------------------------- registration


def test_exercise_04_is_registered_with_at_least_five_tasks():
    assert "04_winback" in ex.EXERCISES
    exercise = ex.EXERCISES["04_winback"]
    assert exercise.checks is ex.check_04 and exercise.data is ex.winback_data
    assert len(ex.check_04.tasks) >= 5


# --------------------------------------------------------------------- personal data


def test_data_depend_on_the_seed_only(data):
    again = ex.winback_data(seed=0)
    for name in ("customers", "transactions", "campaigns", "scored", "candidates"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(data, name))
    assert not seeded(1).transactions.equals(data.transactions)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_a_bad_seed_gets_a_clear_error(seed):
    with pytest.raises(ParameterError, match="SEED must be a whole number"):
        ex.winback_data(seed=seed)


def test_the_data_read_well_and_hold_no_personal_details(data):
    text = repr(data)
    assert "Exercise 04 data for seed 0" in text and "threshold_days   90" in text
    assert "period           2024-01-01 to 2024-06-30" in text
    assert not {"name", "phone", "email"} & set(data.customers.columns)
    assert "text" not in data.tables.complaints.columns


@pytest.mark.parametrize("seed", SEEDS)
def test_the_data_hold_what_makes_every_trap_differ(seed):
    d, sol = seeded(seed), solved(seed)
    period, in_period, lost = sol["period"], sol["in_period"], sol["lost"]
    # lost customers of the period who came back, and lost ones before it
    assert (in_period & period["came_back"]).sum() > 10 and len(lost) > 50
    assert (period["churn_date"] < d.period_start).sum() > 30
    # every tier has lost customers; some have no reason, some an inferred one
    assert lost["former_tier"].astype(str).nunique() == 4
    assert lost["exit_reason"].isna().any()
    assert (lost["reason_source"] == "inferred_from_complaint").any()
    # randomised arms of a useful size; the staff-picked rows respond more
    rows = sol["rows"]
    assert rows["offer"].value_counts().min() > 80
    picked = d.campaigns[~d.campaigns["randomised"]]
    assert len(picked) == 60 and (picked["offer"] == d.offer).all()
    assert picked["responded"].mean() > sol["effects"].loc[d.offer, "rate"]
    # task 5: candidates of negative value, and a budget that binds
    alloc = sol["allocation"]
    assert (sol["value"] < 0).sum() > 10
    assert alloc.attrs["spent"] <= d.budget + 1e-6
    assert 0 < alloc["offer"].notna().sum() < (sol["value"] > 0).sum()


def test_a_personal_seed_changes_the_expected_answers(data):
    other, mine, theirs = seeded(12345), solved(0), solved(12345)
    assert check(1, theirs["lost"], other).correct
    assert not check(1, mine["lost"], other).correct
    assert check(4, theirs["metrics"], other).correct
    assert not check(4, mine["metrics"], other).correct


def test_the_references_follow_the_data_they_are_given(data):
    # the references are kept by a key of the data's content: a smaller budget, or other
    # scores, give other expected answers
    sol = solved(0)
    assert check(5, sol["allocation"], data).correct
    said = verdict(5, sol["allocation"], dataclasses.replace(data, budget=data.budget / 2))
    assert "more than the budget" in said
    flipped = dataclasses.replace(data, scored=data.scored.assign(score=-data.scored["score"]))
    assert check(4, sol["metrics"], data).correct
    assert "ascending score" in verdict(4, sol["metrics"], flipped)


# ------------------------------------------------------------------ right answers


def right_answers(data, sol, every_form: bool = True) -> dict[int, list]:
    """The correct ways of answering each task: first the solution's, then other ways."""
    lost, reasons, effects = sol["lost"], sol["reasons"], sol["effects"]
    row = effects.loc[data.offer]
    alloc = sol["allocation"]
    ways = {
        1: [lost],
        2: [reasons.table],
        3: [row],
        4: [sol["metrics"]],
        5: [alloc],
    }
    if not every_form:
        return ways
    pivot = reasons.table.pivot(index="former_tier", columns="reason", values="share")
    cross = pd.crosstab(lost["former_tier"], lost["exit_reason"].fillna("unknown"),
                        normalize="index")
    contacted = alloc["offer"].dropna()
    forms = {
        1: [lost.reset_index(), lost.sample(frac=1, random_state=0), lost[["former_tier"]]],
        2: [reasons, pivot, pivot.T, cross,
            reasons.table.set_index(["former_tier", "reason"])["share"]],
        3: [row.to_dict(), tuple(row[EFFECT]), effects.reset_index(), effects],
        4: [pd.Series(sol["metrics"]), [sol["metrics"]["uplift_at_k"],
                                         sol["metrics"]["qini_auc"]]],
        5: [alloc["offer"], contacted, contacted.to_dict(), alloc.reset_index()],
    }
    return {task: ways[task] + forms[task] for task in ways}


# ------------------------------------------------------------------------ mistakes


def shares_of(lost: pd.DataFrame, reason_col: str = "exit_reason") -> pd.DataFrame:
    return wb.loss_reasons(lost, by="former_tier", freq=None, reason_col=reason_col).table


def ranked(order: np.ndarray, offer_of: np.ndarray, cost: np.ndarray, budget: float,
           ids: pd.Index) -> pd.Series:
    """Contact in ``order`` while the cumulated cost fits the budget."""
    cum = np.cumsum(cost[order])
    pick = order[cum <= budget]
    out = pd.Series(None, index=ids, dtype=object)
    out.iloc[pick] = np.asarray(OFFERS, dtype=object)[offer_of[pick]]
    return out


def traps(data, sol) -> Iterator[tuple[int, object, str | tuple[str, ...]]]:
    """Every wrong answer the checks recognise, with words its feedback must contain."""
    period, in_period, lost = sol["period"], sol["in_period"], sol["lost"]
    at_end = wb.lost_customers(data.tables, "narrow", data.threshold_days)
    end_rows = at_end[at_end["churn_date"].between(data.period_start, data.period_end)
                      & ~at_end["came_back"]]
    changed_tier = lost.copy()
    changed_tier["former_tier"] = changed_tier["former_tier"].astype(str)
    first = changed_tier.index[0]
    changed_tier.loc[first, "former_tier"] = (
        "key" if changed_tier.loc[first, "former_tier"] != "key" else "small")
    yield from [
        (1, period[in_period], "came back after being lost"),
        (1, period[~period["came_back"]], "lost before the period"),
        (1, period, ("came back", "lost before the period")),
        (1, at_end[~at_end["came_back"]], ("lost before the period", "not yet lost at the "
                                           "period end")),
        (1, end_rows, "database built at the end of the data"),
        (1, lost.iloc[3:], "3 lost customers of the period missing"),
        (1, pd.concat([lost, lost.iloc[:1]]), "more than once"),
        (1, lost.drop(columns="former_tier"), "no column `former_tier`"),
        (1, changed_tier, "the former_tier of 1 customer"),
        (1, lost.reset_index(drop=True), "no customer_id column"),
        (1, lost.index.tolist(), "the rows of the lost-customer database"),
    ]
    # ---- task 2: reason shares within each former tier
    table = sol["reasons"].table
    n = table.set_index(["former_tier", "reason"])["n"]
    tiered = table.assign(share=(n / n.groupby(level="reason").transform("sum")).to_numpy())
    cross = pd.crosstab(lost["former_tier"], lost["exit_reason"].fillna("unknown"))
    changed = table.copy()
    changed.loc[changed.index[0], "share"] += 0.1
    yield from [
        (2, table.assign(share=table["n"] / table["n"].sum()), "over all the lost customers"),
        (2, cross / cross.to_numpy().sum(), "over all the lost customers"),
        (2, tiered, "within each reason"),
        (2, pd.crosstab(lost["former_tier"], lost["exit_reason"].fillna("unknown"),
                        normalize="columns"), "within each reason"),
        (2, cross, "numbers of customers"),
        (2, table.assign(share=100 * table["share"]), "percentages"),
        (2, shares_of(period[in_period]), "who came back are counted"),
        (2, shares_of(end_rows), "database built at the end of the data"),
        (2, shares_of(lost, "stated_reason"), "only the stated reasons"),
        (2, pd.crosstab(lost["former_tier"], lost["exit_reason"], normalize="index"),
         "without a reason were left out"),
        (2, changed, "answer_2 differs for 1 tier and reason pair"),
        (2, table.drop(columns="share"), "no column `share`"),
        (2, table.assign(share="x"), "should be numbers"),
        (2, table["share"].tolist(), "share of each reason within each former tier"),
    ]
    # ---- task 3: the offer's effect against control
    cp, rows, effects = data.campaigns, sol["rows"], sol["effects"]
    row = effects.loc[data.offer]
    everything = wb.offer_effects(cp, allow_nonrandomised=True).set_index("offer")
    rest = wb.offer_effects(rows.assign(offer=np.where(rows["offer"] == data.offer, data.offer,
                                                       "control"))).set_index("offer")
    wald = wb.offer_effects(rows, method="wald").set_index("offer")
    yield from [
        (3, everything.loc[data.offer], "not randomised"),
        (3, rest.loc[data.offer], "compared with all the other rows"),
        (3, {"diff": -row["diff"], "diff_low": -row["diff_high"], "diff_high": -row["diff_low"]},
         "sign is reversed"),
        (3, {"diff": row["rate"], "diff_low": 0.0, "diff_high": 0.5}, "response rate"),
        (3, 100 * row[EFFECT], "percentage points"),
        (3, wald.loc[data.offer], "Wald interval"),
        (3, {"diff": row["diff"], "diff_low": row["diff_low"] - 0.01,
             "diff_high": row["diff_high"]}, "not its 95% interval"),
        (3, row[EFFECT] + 0.05, "answer_3 differs"),
        (3, row.drop("diff_high"), "no value for ['diff_high']"),
        (3, effects.drop(index=data.offer), f"without a row {data.offer!r}"),
        (3, row[EFFECT].astype(str) + "%", "should be numbers"),
        (3, [row["diff"]], "a dict with the keys"),
    ]
    # ---- task 4: uplift at 30% and the Qini area
    scored, treated = sol["scored"], sol["treated"]
    s, y = scored["score"], scored["responded"]
    m = sol["metrics"]
    every = data.scored["offer"] != "control"
    top = s.sort_values(ascending=False, kind="stable").index[: int(np.ceil(0.3 * len(s)))]
    yield from [
        (4, {"uplift_at_k": wb.uplift_at_k(-s, treated, y, k=0.3),
             "qini_auc": wb.qini_auc(-s, treated, y)}, "ascending score"),
        (4, {"uplift_at_k": wb.uplift_at_k(data.scored["score"], every,
                                           data.scored["responded"], k=0.3),
             "qini_auc": wb.qini_auc(data.scored["score"], every, data.scored["responded"])},
         "other offers were counted as treated"),
        (4, {"uplift_at_k": wb.uplift_at_k(s, ~treated, y, k=0.3),
             "qini_auc": wb.qini_auc(s, ~treated, y)}, "swapped"),
        (4, {"uplift_at_k": y[top][treated[top]].mean(), "qini_auc": m["qini_auc"]},
         "response rate of the treated"),
        (4, {"uplift_at_k": y[top].mean(), "qini_auc": m["qini_auc"]},
         "response rate of everyone"),
        (4, {"uplift_at_k": 100 * m["uplift_at_k"], "qini_auc": m["qini_auc"]},
         "percentage points"),
        (4, {"uplift_at_k": m["uplift_at_k"], "qini_auc": m["qini_auc"] + 0.01},
         "answer_4['qini_auc']"),
        (4, {"uplift_at_k": m["uplift_at_k"]}, "no value for ['qini_auc']"),
        (4, {"uplift_at_k": "high", "qini_auc": 0.1}, "should be numbers"),
        (4, m["uplift_at_k"], "a dict with the keys"),
    ]
    # ---- task 5: whom to contact within the budget
    alloc, u, v = sol["allocation"], sol["uplift"], sol["value"].to_numpy()
    U = u.to_numpy()
    cost = np.array([data.offer_costs[o] for o in OFFERS])
    ids = u.index
    best_u = U.argmax(axis=1)
    uv = U * v[:, None]
    gain = uv - cost
    positive = gain.max(axis=1) > 0
    everyone = pd.Series(np.where(positive & (v >= 0), np.asarray(OFFERS, dtype=object)[
        gain.argmax(axis=1)], None), index=ids)
    negative = alloc["offer"].copy()
    worst = ids[np.argsort(v)[:2]]
    negative[worst] = "discount_10"
    fewer = alloc["offer"].copy()
    fewer.iloc[fewer.notna().to_numpy().nonzero()[0][:5]] = None
    yield from [
        (5, ranked(np.argsort(-U.max(axis=1), kind="stable"), best_u, cost[best_u],
                   data.budget, ids), "ranked by uplift alone"),
        (5, ranked(np.argsort(-uv.max(axis=1), kind="stable"), uv.argmax(axis=1),
                   cost[uv.argmax(axis=1)], data.budget, ids), "costs were ignored"),
        (5, ranked(np.argsort(-v, kind="stable"), np.full(len(v), 1), np.full(len(v), cost[1]),
                   data.budget, ids), "ranked by value alone"),
        (5, negative, "of negative value"),
        (5, everyone, "more than the budget"),
        (5, fewer, "within the same budget"),
        (5, alloc["offer"].rename(index=lambda i: "X" + i), "who are not candidates"),
        (5, alloc["offer"].fillna("nothing"), "offers that do not exist"),
        (5, alloc.drop(columns="offer"), "no column `offer`"),
        (5, alloc["offer"].dropna().index.tolist(), "the offer of each customer"),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_right_answer_passes_and_every_trap_is_caught(seed):
    data = seeded(seed)
    sol = solved(seed)
    for task, answers in right_answers(data, sol, every_form=seed < 5).items():
        for answer in answers:
            fb = check(task, answer, data)
            assert fb.correct, f"seed {seed}, task {task}: {fb}"
    for task, answer, words in traps(data, sol):
        said = verdict(task, answer, data)
        for w in (words,) if isinstance(words, str) else words:
            assert w in said, f"seed {seed}, task {task}: expected {w!r} in {said!r}"


# ------------------------------------------------------------------ friendly feedback
# (None, odd answers and other data: tests/test_exercises.py, for every exercise alike)


def test_the_checks_do_not_modify_the_data(data):
    names = ("customers", "transactions", "campaigns", "scored", "candidates")
    before = {n: getattr(data, n).copy() for n in names}
    for task, answers in right_answers(data, solved(0)).items():
        check(task, answers[0], data)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(data, name), frame)


def test_the_feedback_of_each_task_reads_well(data):
    for task, answers in right_answers(data, solved(0)).items():
        said = str(check(task, answers[0], data))
        assert said.startswith(f"[Task {task}] ✓ Correct: ") and "Hint" not in said
