"""Exercise 02 (customer valuation): personal data, right answers, every trap caught.

``tests/test_exercises.py`` checks what every exercise shares (generated versions in
sync, solutions correct, participant versions "Not done yet", nbgrader); this module
checks exercise 02's own data and checks: each right way of answering a task is
"Correct", and each wrong answer the checks recognise (a named trap, or a branch that
says what is off) is "Not quite" with its own message, on seeds 0 to 49.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pandas as pd
import pytest

from segkit import exercises as ex
from segkit.exceptions import ParameterError
from segkit.features import summary
from segkit.value import (
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    calibration_holdout,
    expected_customer_lifetime_value,
)

#: Seeds on which every right answer must pass and every trap be caught: a check's
#: candidates must not coincide by chance on someone's personal data.
SEEDS = [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 50))]


@functools.cache
def seeded(seed: int) -> ex.ValuationData:
    """The data of a seed, made once per test process (the checks never change them)."""
    return ex.valuation_data(seed=seed)


def weekly(data, end=None, multiplier=7, first=False) -> pd.DataFrame:
    return summary(data.transactions, monetary_value_col="amount",
                   observation_end=data.calibration_end if end is None else end,
                   freq="D", freq_multiplier=multiplier, include_first_transaction=first,
                   after_end="drop")


@functools.cache
def solved(seed: int) -> dict:
    """The solution's objects for a seed: the summary and the fitted models."""
    data = seeded(seed)
    s = weekly(data)
    bg = BetaGeoModel().fit(s)
    mbg = ModifiedBetaGeoModel().fit(s)
    gg = GammaGammaModel().fit(s[s["frequency"] > 0])
    return {"s": s, "bg": bg, "mbg": mbg, "gg": gg}


@pytest.fixture(scope="module")
def data():
    return seeded(0)


def check(task: int, answer, data):
    return getattr(ex.check_02, f"task_{task}")(answer, data)


def verdict(task: int, answer, data) -> str:
    fb = check(task, answer, data)
    assert fb.status == "wrong", str(fb)
    return str(fb)


# --------------------------------------------------------------------- registration


def test_exercise_02_is_registered_with_at_least_five_tasks():
    assert "02_valuation" in ex.EXERCISES
    exercise = ex.EXERCISES["02_valuation"]
    assert exercise.checks is ex.check_02 and exercise.data is ex.valuation_data
    assert len(ex.check_02.tasks) >= 5


# --------------------------------------------------------------------- personal data


def test_data_depend_on_the_seed_only(data):
    pd.testing.assert_frame_equal(ex.valuation_data(seed=0).transactions, data.transactions)
    assert not seeded(1).transactions.equals(data.transactions)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_a_bad_seed_gets_a_clear_error(seed):
    with pytest.raises(ParameterError, match="SEED must be a whole number"):
        ex.valuation_data(seed=seed)


def test_the_data_read_well(data):
    text = repr(data)
    assert "Exercise 02 data for seed 0" in text and "calibration_end  2024-06-30" in text
    assert data.holdout_weeks == pytest.approx(184 / 7)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_data_hold_what_makes_every_trap_differ(seed):
    data = seeded(seed)
    tx = data.transactions
    assert tx["transaction_id"].is_unique and tx["timestamp"].is_monotonic_increasing
    last = tx.loc[tx["timestamp"] <= data.calibration_end, "timestamp"].max()
    assert 2 <= (data.calibration_end - last).days <= 9 + 10  # T to the last purchase differs
    s = solved(seed)["s"]
    assert (s["frequency"] == 0).sum() > 20 and (s["frequency"] > 0).sum() > 200
    # customers who first bought after the calibration end (a full-period summary differs)
    assert tx["customer_id"].nunique() > len(s)
    # the holdout is not a whole number of weeks (a rounded horizon differs)
    assert data.holdout_weeks != round(data.holdout_weeks)


def test_a_personal_seed_changes_the_expected_answers(data):
    other = seeded(12345)
    assert check(1, weekly(other), other).correct
    assert not check(1, weekly(data), other).correct
    assert check(2, BetaGeoModel().fit(weekly(other)).params_, other).correct
    assert not check(2, solved(0)["bg"].params_, other).correct


# ------------------------------------------------------------------ right answers


def _clv(sol, discount_rate=0.01, time_unit="W", s=None):
    s = sol["s"] if s is None else s
    return expected_customer_lifetime_value(sol["bg"], sol["gg"], s, future_t=12,
                                            discount_rate=discount_rate, time_unit=time_unit)


def right_answers(data, sol, every_form: bool = True) -> dict[int, list]:
    """The correct ways of answering each task: first the solution's, then other ways."""
    s, bg, mbg = sol["s"], sol["bg"], sol["mbg"]
    one = s[s["frequency"] == 0]
    t = data.holdout_weeks
    tx = data.transactions
    before = tx[tx["timestamp"] <= data.calibration_end]
    by_hand = summary(before, monetary_value_col="amount",
                      observation_end=data.calibration_end, freq="D", freq_multiplier=7)
    split = calibration_holdout(tx, data.calibration_end, data.observation_end,
                                monetary_value_col="amount")
    cal = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency",
                                "T_cal": "T", "monetary_value_cal": "monetary_value"})
    alive = {"bg_nbd": bg.expected_probability_alive(one).mean(),
             "mbg_nbd": mbg.expected_probability_alive(one).mean()}
    purchases = bg.expected_purchases(s, t)
    clv = _clv(sol)
    ways = {
        1: [s, by_hand, cal[["customer_id", "frequency", "recency", "T"]]],
        2: [bg.params_, BetaGeoModel().fit(by_hand).params_],
        3: [alive],
        4: [purchases.set_axis(s["customer_id"]),
            bg.expected_purchases(s, (data.observation_end - data.calibration_end).days / 7)
            .set_axis(s["customer_id"])],
        5: [clv.set_axis(s["customer_id"]),
            _clv({**sol, "gg": GammaGammaModel().fit(by_hand[by_hand["frequency"] > 0])},
                 s=s.set_index("customer_id"))],
    }
    if not every_form:
        return ways
    forms = {
        1: [s.set_index("customer_id"), s.sample(frac=1, random_state=0)],
        2: [bg, bg.params_.to_dict(), bg.params_.iloc[::-1]],
        3: [pd.Series(alive)],
        4: [purchases, s.assign(expected=purchases)[["customer_id", "expected"]],
            purchases.to_numpy()],
        5: [clv, s[["customer_id"]].assign(clv=clv), clv.tolist()],
    }
    return {task: ways[task] + forms[task] for task in ways}


# ------------------------------------------------------------------------ mistakes


def traps(data, sol) -> Iterator[tuple[int, object, str | tuple[str, ...]]]:
    """Every wrong answer the checks recognise, with words its feedback must contain."""
    s, bg, mbg = sol["s"], sol["bg"], sol["mbg"]
    tx = data.transactions
    last = tx.loc[tx["timestamp"] <= data.calibration_end, "timestamp"].max()
    changed = s.copy()
    changed.loc[0, "T"] += 1
    yield from [
        (1, weekly(data, multiplier=1), "in days"),
        (1, s.assign(T=s["recency"]), "each customer's last purchase"),
        (1, weekly(data, end=last), "last purchase of the calibration period"),
        (1, weekly(data, first=True), "counts the first purchase"),
        (1, weekly(data, end=last, multiplier=1), "in days, and T counts"),
        (1, weekly(data, end=data.observation_end), "purchases after the calibration end"),
        (1, s.iloc[3:], "3 customers of the calibration period missing"),
        (1, pd.concat([s, s.iloc[:1]]), "more than once"),
        (1, s.drop(columns="T"), "no column(s) ['T']"),
        (1, s.drop(columns="customer_id").reset_index(drop=True).set_axis(
            range(100, 100 + len(s))), "no customer ids"),
        (1, s.assign(monetary_value=0.0), "monetary_value is not"),
        (1, changed, "differs in T"),
        (1, s.assign(T="x"), "should be numbers"),
        (1, s["frequency"], "asks for a table"),
    ]
    whole = BetaGeoModel().fit(weekly(data, end=data.observation_end)).params_
    days = BetaGeoModel().fit(weekly(data, multiplier=1)).params_
    off = bg.params_.copy()
    off["b"] *= 1.1
    yield from [
        (2, whole, "parameters of the whole period"),
        (2, days, "alpha is 7 times too large"),
        (2, BetaGeoModel().fit(weekly(data, end=data.observation_end, multiplier=1)).params_,
         "whole period, in days"),
        (2, mbg.params_, "MBG/NBD"),
        (2, off, "differs in b"),
        (2, bg.params_.drop("a"), "no value for ['a']"),
        (2, bg.params_.to_numpy(), "asks for the parameters by name"),
        (2, bg.params_.astype(str).str.replace(".", ",", regex=False), "should be numbers"),
    ]
    one = s[s["frequency"] == 0]
    p_bg = bg.expected_probability_alive(one).mean()
    p_mbg = mbg.expected_probability_alive(one).mean()
    yield from [
        (3, {"bg_nbd": 1.0, "mbg_nbd": 1.0}, "'mbg_nbd' is 1"),
        (3, {"bg_nbd": p_mbg, "mbg_nbd": p_bg}, "swapped"),
        (3, {"bg_nbd": bg.expected_probability_alive(s).mean(),
             "mbg_nbd": mbg.expected_probability_alive(s).mean()}, "mean over every customer"),
        (3, {"bg_nbd": 1.0, "mbg_nbd": p_mbg / 2}, "differs for 'mbg_nbd'"),
        (3, {"bg_nbd": p_mbg, "mbg_nbd": p_mbg}, "differs for 'bg_nbd'"),
        (3, {"bg": 1.0, "mbg": p_mbg}, "no value for ['bg_nbd', 'mbg_nbd']"),
        (3, {"bg_nbd": "one", "mbg_nbd": p_mbg}, "should be numbers"),
        (3, [1.0, p_mbg], "asks for a dict"),
    ]
    ids = s["customer_id"]
    t = data.holdout_weeks
    right_4 = bg.expected_purchases(s, t).set_axis(ids)
    changed_4 = right_4.copy()
    changed_4.iloc[0] += 1
    yield from [
        (4, pd.Series(bg.expected_purchases_new_customer(t), index=ids), "new customer"),
        (4, bg.expected_purchases(s, 7 * t).set_axis(ids), "in days"),
        (4, bg.expected_purchases(s, 26).set_axis(ids), "rounded to 26 weeks"),
        (4, bg.expected_purchases(s, 184 / 30).set_axis(ids), "in months"),
        (4, mbg.expected_purchases(s, t).set_axis(ids), "differs for"),
        (4, changed_4, "differs for 1 customer"),
        (4, right_4.iloc[2:], "2 customers of the calibration summary missing"),
        (4, pd.concat([right_4, pd.Series([1.0], index=["C999999"])]),
         "1 customer who had not bought"),
        (4, right_4.set_axis(range(5, 5 + len(ids))), "does not hold customer ids"),
        (4, right_4.astype(str), "not numbers"),
        (4, s[["frequency", "recency"]], "one number per customer"),
        (4, right_4.sum(), "one per customer"),
    ]
    right_5 = _clv(sol).set_axis(ids)
    yield from [
        (5, _clv(sol, 0.0).set_axis(ids), "not discounted"),
        (5, _clv(sol, 0.01 / 12).set_axis(ids), "yearly rate (0.01 / 12 a month)"),
        (5, _clv(sol, 1.01 ** (1 / 12) - 1).set_axis(ids), "yearly rate"),
        (5, _clv(sol, 0.12).set_axis(ids), "12% a month"),
        (5, _clv(sol, time_unit="D").set_axis(ids), "time_unit='D'"),
        (5, right_5.where(s["frequency"].to_numpy() > 0, 0.0), "one-time buyers are worth 0"),
        (5, right_5 * 1.5, "differs for"),
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
    before = data.transactions.copy()
    for task, answers in right_answers(data, solved(0)).items():
        check(task, answers[0], data)
    pd.testing.assert_frame_equal(data.transactions, before)


def test_the_feedback_of_each_task_reads_well(data):
    for task, answers in right_answers(data, solved(0)).items():
        said = str(check(task, answers[0], data))
        assert said.startswith(f"[Task {task}] ✓ Correct: ") and "Hint" not in said
