"""Exercise 03 (churn as survival): personal data, right answers, every trap caught.

``tests/test_exercises.py`` checks what every exercise shares (generated versions in
sync, solutions correct, participant versions "Not done yet", nbgrader); this module
checks exercise 03's own data and checks: each right way of answering a task is
"Correct", and each wrong answer the checks recognise (a named trap, or a branch that
says what is off) is "Not quite" with its own message, on seeds 0 to 49.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from segkit import churn
from segkit import exercises as ex
from segkit.exceptions import ParameterError

#: Seeds on which every right answer must pass and every trap be caught: a check's
#: candidates must not coincide by chance on someone's personal data.
SEEDS = [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 50))]
CHANNELS = ["online", "partner", "store"]
HR = ["hazard_ratio", "lower", "upper"]


@functools.cache
def seeded(seed: int) -> ex.ChurnData:
    """The data of a seed, made once per test process (the checks never change them)."""
    return ex.churn_data(seed=seed)


@functools.cache
def solved(seed: int) -> dict:
    """The solution's objects for a seed, as the solution notebook computes them."""
    data = seeded(seed)
    th = churn.choose_threshold(data.tables, quantile=0.9)
    rates = churn.churn_rate(data.tables, freq="M", threshold_days=th)
    frame = churn.survival_data(data.tables, threshold_days=th, unit="M")
    window = churn.survival_data(data.tables, threshold_days=th, unit="M",
                                 window_start=data.window_start)
    km = churn.kaplan_meier(window, "channel", entry_col="entry")
    cohorts = window.assign(cohort=window["origin"].dt.year.astype(str))
    cox = churn.CoxModel().fit(cohorts, entry_col="entry", covariate_cols=["cohort"])
    return {"th": th, "rates": rates.set_index("period_start"), "frame": frame,
            "window": window, "km": km, "cohorts": cohorts, "cox": cox}


@pytest.fixture(scope="module")
def data():
    return seeded(0)


def check(task: int, answer, data):
    return getattr(ex.check_03, f"task_{task}")(answer, data)


def verdict(task: int, answer, data) -> str:
    fb = check(task, answer, data)
    assert fb.status == "wrong", str(fb)
    return str(fb)


# --------------------------------------------------------------------- registration


def test_exercise_03_is_registered_with_at_least_five_tasks():
    assert "03_survival" in ex.EXERCISES
    exercise = ex.EXERCISES["03_survival"]
    assert exercise.checks is ex.check_03 and exercise.data is ex.churn_data
    assert len(ex.check_03.tasks) >= 5


# --------------------------------------------------------------------- personal data


def test_data_depend_on_the_seed_only(data):
    again = ex.churn_data(seed=0)
    for name in ("customers", "transactions", "interactions"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(data, name))
    assert not seeded(1).transactions.equals(data.transactions)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_a_bad_seed_gets_a_clear_error(seed):
    with pytest.raises(ParameterError, match="SEED must be a whole number"):
        ex.churn_data(seed=seed)


def test_the_data_read_well(data):
    text = repr(data)
    assert "Exercise 03 data for seed 0" in text and "window_start     2024-01-01" in text
    assert "rate_month       2023-12" in text
    assert data.tables.observation_end == data.observation_end == pd.Timestamp("2024-12-31")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_data_hold_what_makes_every_trap_differ(seed):
    data, sol = seeded(seed), solved(seed)
    tx, cust = data.transactions, data.customers
    assert tx["transaction_id"].is_unique and tx["is_return"].any()
    first = tx.loc[~tx["is_return"]].groupby("customer_id")["timestamp"].min()
    acquired = cust.set_index("customer_id")["acquisition_date"]
    # every customer bought; some registered before their first purchase
    assert first.index.equals(acquired.index)
    lead = (first - acquired).dt.days
    assert (lead >= 0).all() and 0.2 < (lead > 0).mean() < 0.4
    window = sol["window"]
    # late entrants, customers acquired in the window, and customers gone before it
    assert (window["entry"] > 0).sum() > 100 and (window["entry"] == 0).sum() > 100
    assert len(sol["frame"]) - len(window) > 50
    # every channel's median lifetime is finite, inside the window
    assert np.isfinite(sol["km"].medians).all() and (sol["km"].medians < 24).all()
    assert 0 < sol["frame"]["event"].mean() < 1
    # the rate month (a December) gains more customers than it loses: the customers at
    # its end are not those at risk at its start
    m0 = data.rate_month
    new = cust["acquisition_date"].between(m0, m0 + pd.offsets.MonthEnd(0)).sum()
    lost, at_risk = sol["rates"].loc[m0, ["churned", "at_risk"]]
    assert new > lost > 5 and at_risk > 200


def test_a_personal_seed_changes_the_expected_answers(data):
    other, mine, theirs = seeded(12345), solved(0), solved(12345)
    assert check(3, theirs["frame"], other).correct
    assert not check(3, mine["frame"], other).correct
    assert check(5, theirs["km"].medians, other).correct
    assert not check(5, mine["km"].medians, other).correct


# ------------------------------------------------------------------ right answers


def by_hand(data, th: float) -> pd.DataFrame:
    """The survival frame of task 3 built from narrow_churn and the customers table."""
    labels = churn.narrow_churn(data.tables, th)
    origin = data.customers.set_index("customer_id")["acquisition_date"].reindex(labels.index)
    end = labels["churn_date"].where(labels["churned"], data.observation_end)
    frame = pd.DataFrame({"duration": churn.elapsed(origin, end, "M"),
                          "event": labels["churned"]}, index=labels.index)
    return frame.loc[(frame["duration"] > 0) | frame["event"]]


def km_by_hand(frame: pd.DataFrame, entry: bool = True) -> dict:
    """Each channel's median with lifelines itself (late entry given, unless told not)."""
    out = {}
    for channel, rows in frame.groupby("channel"):
        f = KaplanMeierFitter().fit(rows["duration"], rows["event"],
                                    entry=rows["entry"] if entry else None)
        out[channel] = f.median_survival_time_
    return out


def right_answers(data, sol, every_form: bool = True) -> dict[int, list]:
    """The correct ways of answering each task: first the solution's, then other ways."""
    th, rates, frame, window = sol["th"], sol["rates"], sol["frame"], sol["window"]
    row = rates.loc[data.rate_month]
    hr = sol["cox"].hazard_ratios_
    row_2024 = hr.loc["cohort=2024", HR]
    manual = by_hand(data, th)
    origin = data.customers.set_index("customer_id")["acquisition_date"].reindex(manual.index)
    entry = np.maximum(churn.elapsed(origin, data.window_start, "M"), 0.0)
    manual_window = manual.assign(entry=entry).loc[manual["duration"] > entry]
    ways = {
        1: [th],
        2: [row["churn_rate"], row["churned"] / row["at_risk"]],
        3: [frame, manual],
        4: [window, manual_window],
        5: [sol["km"].medians, km_by_hand(window)],
        6: [row_2024],
    }
    if not every_form:
        return ways
    # the cohort as a number (the year): the same model, its row named "cohort"
    years = sol["cohorts"].assign(cohort=sol["cohorts"]["origin"].dt.year)
    numeric = churn.CoxModel().fit(years, entry_col="entry", covariate_cols=["cohort"])
    forms = {
        1: [int(th), np.float64(th), pd.Series([th])],
        2: [float(row["churn_rate"]), np.array([row["churn_rate"]])],
        3: [frame.set_index("customer_id"), frame[["customer_id", "duration", "event"]],
            frame.assign(event=frame["event"].astype(bool)),
            frame.sample(frac=1, random_state=0)],
        4: [window.set_index("customer_id"), window.sample(frac=1, random_state=0),
            window[["customer_id", "entry", "duration", "event"]]],
        5: [sol["km"], sol["km"].medians.to_dict(), sol["km"].medians.iloc[::-1],
            sol["km"].medians.to_frame()],
        6: [row_2024.to_dict(), sol["cox"], hr, tuple(row_2024), hr.loc["cohort=2024"],
            numeric, numeric.hazard_ratios_.loc["cohort", HR]],
    }
    return {task: ways[task] + forms[task] for task in ways}


# ------------------------------------------------------------------------ mistakes


def gap_days(rows: pd.DataFrame) -> pd.Series:
    days = rows.assign(day=rows["timestamp"].dt.normalize())[["customer_id", "day"]]
    days = days.drop_duplicates().sort_values(["customer_id", "day"])
    gaps = days.groupby("customer_id")["day"].diff().dt.days
    return pd.Series(gaps.to_numpy(), index=days["customer_id"].to_numpy()).dropna()


def traps(data, sol) -> Iterator[tuple[int, object, str | tuple[str, ...]]]:
    """Every wrong answer the checks recognise, with words its feedback must contain."""
    th, rates, frame, window = sol["th"], sol["rates"], sol["frame"], sol["window"]
    tables, ws = data.tables, data.window_start
    tx = data.transactions
    bought = tx[~tx["is_return"]]
    pooled = churn.inter_purchase_days(tables)
    activity = pd.concat([bought[["customer_id", "timestamp"]],
                          data.interactions[["customer_id", "timestamp"]]])
    yield from [
        (1, th / 7, "in weeks"),
        (1, np.ceil(np.quantile(gap_days(bought).groupby(level=0).mean(), 0.9)),
         "each customer's mean gap"),
        (1, pooled.median(), "the median gap"),
        (1, np.ceil(pooled.mean()), "the mean gap"),
        (1, np.ceil(np.quantile(gap_days(tx), 0.9)), "returns were counted"),
        (1, np.ceil(np.quantile(gap_days(activity), 0.9)), "interactions were counted"),
        (1, th - 0.4, "not rounded up"),
        (1, th + 5, "a different number of days"),
        (1, str(th), "a str"),
        (1, True, "yes/no"),
        (1, [th], "asks for one number"),
        (1, np.inf, "a finite number"),
    ]
    # ---- task 2: the churn rate of a month
    m0, m1 = data.rate_month, data.rate_month + pd.offsets.MonthBegin(1)
    row = rates.loc[m0]
    at_risk, lost, rate = row["at_risk"], row["churned"], row["churn_rate"]
    labels = churn.narrow_churn(tables, th)
    acq = data.customers.set_index("customer_id")["acquisition_date"].reindex(labels.index)
    new = ((acq >= m0) & (acq < m1)).sum()
    at_end = ((acq < m1) & ~(labels["churn_date"] < m1)).sum()
    last = labels["last_activity"].where(labels["churned"])
    by_last = ((last >= m0) & (last < m1) & (acq < m0)).sum() / (
        (acq < m0) & ~(last < m0)).sum()
    yield from [
        (2, lost / at_end, "customers at the end of the month"),
        (2, lost / (at_risk + new), "acquired during the month were counted as at risk"),
        (2, lost / (acq < m1).sum(), "lost before it and those acquired during it"),
        (2, 100 * rate, "a percentage"),
        (2, 1 - rate, "retention rate"),
        (2, lost, "the number of customers lost"),
        (2, by_last, "month of their last activity"),
        (2, rate * 1.1, "the churn rate of 2023-12 differs"),
        (2, 1.5, "not a rate between 0 and 1"),
        (2, rates["churn_rate"], "asks for one number"),
    ]
    # ---- task 3: the survival frame at the observation end
    s = frame.set_index("customer_id")
    censored = s["event"] == 0
    la = labels["last_activity"].reindex(s.index)
    first = bought.groupby("customer_id")["timestamp"].min().reindex(s.index)
    last_buy = bought.groupby("customer_id")["timestamp"].max().reindex(s.index)
    today = pd.Timestamp.today().normalize()
    changed = s.copy()
    changed.iloc[0, changed.columns.get_loc("duration")] += 1

    def months(start, end):
        return churn.elapsed(start, end, "M")

    days = (s["exit_date"] - s["origin"]).dt.days

    yield from [
        (3, s.assign(event=1), "every customer is marked as churned"),
        (3, s.assign(event=1 - s["event"]), "the wrong way round"),
        (3, s.assign(duration=months(first, s["exit_date"])), "first purchase"),
        (3, churn.survival_data(tables, threshold_days=th, unit="M", observation_end=today),
         "today's date"),
        (3, s.assign(duration=np.where(censored, months(s["origin"], today), s["duration"])),
         "past the observation end"),
        (3, s.assign(duration=s["duration"].where(~censored, months(s["origin"], la))),
         "censored customers end at their last activity"),
        (3, s.assign(duration=s["duration"].where(~censored, months(s["origin"], last_buy))),
         "censored customers end at their last purchase"),
        (3, s.assign(duration=s["duration"].where(censored, months(s["origin"], la))),
         "churned customers end at their last activity"),
        (3, churn.survival_data(tables, threshold_days=th, unit="D"), "in days"),
        (3, churn.survival_data(tables, threshold_days=th, unit="W"), "in weeks"),
        (3, s.assign(duration=days / 30), "the months have 30 days"),
        (3, s.assign(duration=days / 30.4375), "fixed length of 30.4375 days"),
        (3, churn.survival_data(dataclasses.replace(tables, interactions=None),
                                threshold_days=th, unit="M"), "only the purchases"),
        (3, s.assign(duration=s["exit_date"] - s["origin"]), "time spans (Timedelta)"),
        (3, s.iloc[3:], "3 customers missing"),
        (3, pd.concat([s, s.iloc[:1]]), "more than once"),
        (3, pd.concat([s, s.iloc[:1].rename(index={s.index[0]: "C999999"})]),
         "1 customer that the survival frame does not hold"),
        (3, s.drop(columns="event"), "no column(s) ['event']"),
        (3, s.assign(event=2), "1 (churned) or 0 (censored)"),
        (3, s.assign(duration="long"), "should hold numbers"),
        (3, changed, "the duration of 1 customer"),
        (3, s.assign(event=np.r_[1 - s["event"].iloc[0], s["event"].iloc[1:]]),
         "the event of 1 customer"),
        (3, frame.drop(columns="customer_id"), "no customer_id column"),
        (3, frame["duration"], "asks for a table"),
    ]
    # ---- task 4: the window's frame with late entry
    w = window.set_index("customer_id")
    late = w["entry"] > 0
    gone = s.loc[s["exit_date"] <= ws]
    kept = s.assign(entry=np.maximum(months(s["origin"], ws), 0.0))
    in_days = churn.survival_data(tables, threshold_days=th, unit="D", window_start=ws)
    changed_w = w.copy()
    changed_w.iloc[0, changed_w.columns.get_loc("entry")] += 1
    yield from [
        (4, w.loc[~late], "are missing. They are the late entrants"),
        (4, s.loc[s["origin"] >= ws].assign(entry=0.0), "are missing. They are the late"),
        (4, kept, f"keeps {len(gone):,} customers who churned by the window start"),
        (4, s.assign(entry=0.0), "who churned by the window start"),
        (4, w.assign(entry=0.0), "entry is 0 for every customer"),
        (4, w.assign(entry=months(w["origin"], ws)), "negative entry"),
        (4, w.assign(duration=months(w["origin"].clip(lower=ws), w["exit_date"]),
                     entry=0.0), "counts from the window start"),
        (4, w.assign(entry=(ws - w["origin"]).dt.days.clip(lower=0)), "entry is in days"),
        (4, in_days, "entry and the durations are in days"),
        (4, changed_w, "the entry of 1 customer"),
        (4, w.drop(columns="entry"), "no column(s) ['entry']"),
        (4, w.iloc[:-2], "2 customers missing"),
        (4, pd.concat([w, w.iloc[:1].rename(index={w.index[0]: "C999999"})]),
         "that the window's frame does not hold"),
    ]
    # ---- task 5: median lifetime by channel
    medians = sol["km"].medians
    churners = window[window["event"] == 1].groupby("channel")["duration"]
    yield from [
        (5, km_by_hand(window, entry=False), "late entry was ignored"),
        (5, churners.mean(), "mean duration of the churned"),
        (5, churners.median(), "median duration of the churned"),
        (5, window.groupby("channel")["duration"].median(), "median of the durations"),
        (5, window.groupby("channel")["duration"].mean(), "mean of the durations"),
        (5, km_by_hand(in_days), "in days"),
        (5, medians * 1.1, "differs for online, partner, store"),
        (5, medians.drop("store"), "no value for ['store']"),
        (5, medians.astype(str).str.replace(".", ",", regex=False), "should be numbers"),
        (5, medians.tolist(), "asks for the median lifetime of each channel"),
        (5, window[["duration", "event"]], "one median per channel"),
    ]
    # ---- task 6: the 2024 cohort's hazard ratio
    cohorts = sol["cohorts"]
    hr = sol["cox"].hazard_ratios_
    row = hr.loc["cohort=2024", HR]

    def fitted(df, **kw):
        return churn.CoxModel().fit(df, **kw).hazard_ratios_.loc["cohort=2024", HR]

    yield from [
        (6, fitted(cohorts, covariate_cols=["cohort"]), "late entry was ignored"),
        (6, hr.loc["cohort=2024", ["coef"]].tolist() + np.log(row[["lower", "upper"]])
         .tolist(), "log hazard ratios"),
        (6, {"hazard_ratio": 1 / row["hazard_ratio"], "lower": 1 / row["upper"],
             "upper": 1 / row["lower"]}, "the 2023 cohort against 2024"),
        (6, fitted(cohorts, entry_col="entry"), "also holds region and channel"),
        (6, row * [1, 0.9, 1.1], "not its 95% interval"),
        (6, row * 1.2, "answer_6 differs"),
        (6, row.drop("upper"), "no value for ['upper']"),
        (6, row.astype(str).str.replace(".", ",", regex=False), "should be numbers"),
        (6, hr.drop("cohort=2024"), "without a row 'cohort=2024'"),
        (6, churn.CoxModel(), "not fitted yet"),
        (6, row.tolist()[:2], "a dict with the keys"),
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
    before = {n: getattr(data, n).copy() for n in ("customers", "transactions", "interactions")}
    for task, answers in right_answers(data, solved(0)).items():
        check(task, answers[0], data)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(data, name), frame)


def test_the_feedback_of_each_task_reads_well(data):
    for task, answers in right_answers(data, solved(0)).items():
        said = str(check(task, answers[0], data))
        assert said.startswith(f"[Task {task}] ✓ Correct: ") and "Hint" not in said
