"""Exercises: generated versions in sync, checks that say what is wrong, nbgrader grading.

nbval (``make test``) re-runs the solution versions in ``exercises/solutions`` and compares
their outputs; this module checks the rest: the participant versions are what
``make exercises`` generates, they run and every check says "Not done yet", the solution
versions are all correct, and each check recognises the typical mistakes.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from segkit import exercises as ex
from segkit.exceptions import ParameterError
from segkit.exercises.build import (
    CODE_STUB,
    PARTICIPANT_DIR,
    SOLUTIONS_DIR,
    SOURCE_DIR,
    build_exercises,
    dumps,
    out_of_sync,
    participant_version,
    read_source,
)
from segkit.features import summary
from segkit.io import read_csv
from segkit.schema import validate

SOURCES = sorted(SOURCE_DIR.glob("*.ipynb"))
NAMES = [p.name for p in SOURCES]
COLUMN_MAP = {k: v for k, v in ex.RAW_COLUMNS.items() if v is not None}


def check_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def text_of(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def data():
    return seeded(0)


@functools.cache
def seeded(seed: int) -> ex.GettingStartedData:
    """The data of a seed, made once per test process (the checks never change them)."""
    return ex.getting_started_data(seed=seed)


# ------------------------------------------------------------------ generated versions


def test_there_is_exercise_00_with_at_least_four_tasks():
    assert "00_getting_started.ipynb" in NAMES
    nb = read_source(SOURCE_DIR / "00_getting_started.ipynb")
    assert len(check_cells(nb)) >= 4


def test_every_source_has_its_exercise_module_in_the_registry():
    assert list(ex.EXERCISES) == [p.stem for p in SOURCES]
    assert len(ex.REGISTRY) == len(ex.EXERCISES)
    for name, exercise in ex.EXERCISES.items():
        checks = getattr(ex, f"check_{name[:2]}")
        assert checks is exercise.checks
        assert getattr(ex, exercise.data.__name__) is exercise.data
        source = read_source(SOURCE_DIR / f"{name}.ipynb")
        assert f"ex.{exercise.data.__name__}(seed=SEED)" in "\n".join(
            c.source for c in source.cells if c.cell_type == "code")
        calls = [c.source.strip() for c in check_cells(source)]
        assert calls == [
            f"ex.check_{name[:2]}.task_{t.number}(answer_{t.number}, data)"
            for t in checks.tasks
        ], "each check cell calls its task's check, in order"
        for t in checks.tasks:
            assert t.start and t.hint and t.title.startswith(f"Task {t.number}: ")
            assert getattr(checks, f"task_{t.number}").__doc__ == t.title


def test_python_m_segkit_exercises_runs_the_builder():
    done = subprocess.run([sys.executable, "-m", "segkit.exercises", "check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in sync" in done.stdout


def test_participant_versions_are_in_sync_with_their_sources(tmp_path):
    build_exercises(SOURCE_DIR, tmp_path / "out", tmp_path / "solutions", execute=False)
    for name in NAMES:
        fresh = (tmp_path / "out" / name).read_bytes()
        committed = (PARTICIPANT_DIR / name).read_bytes()
        assert fresh == committed, f"exercises/{name} is out of date: run `make exercises`"
    assert out_of_sync() == [], "run `make exercises`"
    assert ex.main(["check"]) == 0


def test_generation_is_deterministic():
    source = SOURCE_DIR / NAMES[0]
    assert dumps(participant_version(read_source(source))) == dumps(
        participant_version(read_source(source))
    )


def test_check_reports_a_stale_participant_version(tmp_path):
    out, sol = tmp_path / "out", tmp_path / "solutions"
    build_exercises(SOURCE_DIR, out, sol, execute=False)
    assert out_of_sync(SOURCE_DIR, out, sol) == []
    stale = out / NAMES[0]
    stale.write_text(stale.read_text(encoding="utf-8").replace("Task 1", "Task one"),
                     encoding="utf-8")
    assert out_of_sync(SOURCE_DIR, out, sol) == [f"{NAMES[0]}: participant version out of date"]


def test_a_source_without_cell_ids_is_refused(tmp_path):
    nb = json.loads((SOURCE_DIR / NAMES[0]).read_text(encoding="utf-8"))
    nb["nbformat_minor"] = 4
    for cell in nb["cells"]:
        cell.pop("id")
    (tmp_path / "old.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ParameterError, match="4.5 or later"):
        read_source(tmp_path / "old.ipynb")


@pytest.mark.parametrize("name", NAMES)
def test_participant_version_has_stubs_and_nbgrader_metadata(name):
    source = read_source(SOURCE_DIR / name)
    nb = nbformat.read(PARTICIPANT_DIR / name, as_version=4)
    text = (PARTICIPANT_DIR / name).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert [c.id for c in nb.cells] == [c.id for c in source.cells]
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    checks = check_cells(nb)
    assert len(answers) == len(checks) >= 4
    for cell in answers:
        first, stub = cell.source.split("\n")
        assert re.fullmatch(r"answer_\d+ = None", first) and stub == CODE_STUB
        assert cell.metadata["nbgrader"]["checksum"]
    for cell in checks:
        meta = cell.metadata["nbgrader"]
        assert meta["points"] > 0 and meta["locked"] and cell.metadata["editable"] is False
        assert meta["checksum"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    seed_cell = code[0]
    assert re.search(r"^SEED = 0\b", seed_cell.source, re.M), "the first code cell sets SEED"
    assert seed_cell.metadata.get("editable", True), "participants can set their own seed"
    assert not seed_cell.metadata.get("nbgrader", {}).get("locked")


@pytest.mark.parametrize("name", NAMES)
def test_solution_version_is_the_source_executed_and_every_check_is_correct(name):
    nb = nbformat.read(SOLUTIONS_DIR / name, as_version=4)
    checks = check_cells(nb)
    assert checks
    for cell in checks:
        assert "✓ Correct" in text_of(cell), f"{cell.id}: {text_of(cell)}"
    source = read_source(SOURCE_DIR / name)
    assert nb.metadata.get("language_info") == source.metadata.get("language_info"), (
        "the kernel's language_info (with its exact Python version) is not recorded"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_participant_version_runs_and_every_check_says_not_done(name, tmp_path):
    nb = nbformat.read(PARTICIPANT_DIR / name, as_version=4)
    NotebookClient(nb, kernel_name="segkit", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    for cell in check_cells(nb):
        text = text_of(cell)
        assert "… Not done yet" in text and "Hint:" in text, f"{cell.id}: {text}"


# ------------------------------------------------------------------- feedback, grading


def test_feedback_reads_well_as_text_and_html():
    fb = ex.Feedback("Task 9", "wrong", "answer_9 has <3 rows.", "use `x < 3`.")
    assert str(fb) == "[Task 9] ✗ Not quite: answer_9 has <3 rows.\n  Hint: use `x < 3`."
    assert repr(fb) == str(fb)
    html = fb._repr_html_()
    assert "&lt;3 rows" in html and "<code>x &lt; 3</code>" in html and "Not quite" in html
    ok = ex.Feedback("Task 9", "correct", "fine.")
    assert ok.correct and str(ok) == "[Task 9] ✓ Correct: fine." and "Hint" not in ok._repr_html_()


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_under_nbgrader_a_failed_check_raises_with_the_friendly_message(data, monkeypatch, mode):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    with pytest.raises(ex.NotYetCorrect, match=r"Not done yet: answer_1 is still None"):
        ex.check_00.task_1(None, data)
    with pytest.raises(ex.NotYetCorrect, match=r"number of transaction lines") as info:
        ex.check_00.task_1(len(data.transactions), data)
    assert isinstance(info.value, AssertionError) and not info.value.feedback.correct


def test_under_nbgrader_a_correct_check_displays_its_feedback_and_returns_none(
    data, monkeypatch, capsys
):
    # a returned value would be read by nbgrader as partial credit
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    right = data.transactions.loc[~data.transactions["is_return"], "customer_id"].nunique()
    assert ex.check_00.task_1(right, data) is None
    assert "✓ Correct" in capsys.readouterr().out


@pytest.mark.parametrize("mode", [None, "", "other"])
def test_outside_nbgrader_a_failed_check_returns_feedback(data, monkeypatch, mode):
    if mode is None:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    else:
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    fb = ex.check_00.task_1(None, data)
    assert fb.status == "not_done" and "Hint:" in str(fb)


def test_a_check_never_raises_on_an_odd_answer(data):
    for odd in (object(), "300", [1, 2], {"a": 1}, pd.Series(["x"]), np.nan, True):
        for n in range(1, 6):
            fb = getattr(ex.check_00, f"task_{n}")(odd, data)
            assert fb.status == "wrong" and fb.hint, (n, odd, fb)


def test_a_check_given_something_else_than_the_data_says_so(data):
    fb = ex.check_00.task_1(300, data.transactions)
    assert fb.status == "wrong" and "exercise data" in fb.message


# --------------------------------------------------------------------- personal data


def test_data_depend_on_the_seed_only(data):
    again = ex.getting_started_data(seed=0)
    pd.testing.assert_frame_equal(again.transactions, data.transactions)
    assert again.raw_csv.read_bytes() == data.raw_csv.read_bytes()
    other = ex.getting_started_data(seed=1)
    assert not other.transactions.equals(data.transactions)


def test_a_personal_seed_changes_the_expected_answers(data):
    other = ex.getting_started_data(seed=12345)

    def net(d):
        return d.transactions.groupby("customer_id")["amount"].sum().sort_values(ascending=False)

    assert ex.check_00.task_2(net(other), other).correct
    assert not ex.check_00.task_2(net(data), other).correct
    def weekly(d):
        purchases = d.transactions[~d.transactions["is_return"]]
        return summary(purchases, observation_end=d.calibration_end, freq="W", after_end="drop")

    assert ex.check_00.task_5(weekly(other), other).correct
    assert not ex.check_00.task_5(weekly(data), other).correct


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_a_bad_seed_gets_a_clear_error(seed):
    with pytest.raises(ParameterError, match="SEED must be a whole number"):
        ex.getting_started_data(seed=seed)


def test_the_raw_export_is_gbk_with_chinese_column_names(data):
    raw = data.raw_csv.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gbk").splitlines()[0].split(",")
    assert header == list(ex.RAW_COLUMNS)
    assert "raw_csv" in repr(data) and str(data.raw_csv) not in repr(data)


# ---------------------------------------------------------------- exercise 00: mistakes

#: Seeds on which every right answer must pass and every trap be caught: a check's
#: candidates must not coincide by chance on someone's personal data.
SEEDS = [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 50))]


def verdict(task: int, answer, data) -> str:
    fb = getattr(ex.check_00, f"task_{task}")(answer, data)
    assert fb.status != "correct", str(fb)
    return str(fb)


def right_answers(data) -> dict[int, list]:
    """Every correct way of answering each task."""
    tx, raw, end = data.transactions, data.unflagged, data.calibration_end
    purchases = tx[~tx["is_return"]]
    n_buyers = purchases["customer_id"].nunique()
    net = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    read = read_csv(data.raw_csv, "transactions", column_map=COLUMN_MAP, encoding="gbk")
    weekly = summary(purchases, observation_end=end, freq="W", after_end="drop")
    cut = purchases[purchases["timestamp"] <= end]
    return {
        1: [n_buyers, np.int64(n_buyers), float(n_buyers)],
        2: [net, net.to_frame()],
        3: [read, read.sample(frac=1, random_state=0)],
        4: [validate(raw.assign(is_return=raw["amount"] < 0), "transactions")],
        5: [
            weekly,
            summary(cut, observation_end=end, freq="W"),
            # the whole log: returns open no purchase period (returns="net")
            summary(tx, observation_end=end, freq="W", after_end="drop"),
            summary(tx, observation_end=end, freq="W", after_end="drop", returns="exclude"),
            weekly.sample(frac=1, random_state=0),
            # the same information with the ids as the index: accepted
            weekly.set_index("customer_id"),
            weekly.set_index("customer_id").rename_axis(None),
            weekly.set_index("customer_id", drop=False),
            weekly.reset_index(),
        ],
    }


def traps(data) -> Iterator[tuple[int, object, str]]:
    """Every wrong answer each check recognises, with words its feedback must contain.

    One line per message of the checks (a trap the check names, or a branch that says
    what is off), so that each is caught, with its own message, on every seed of SEEDS.
    """
    tx, raw, end, customers = data.transactions, data.unflagged, data.calibration_end, \
        data.customers
    purchases = tx[~tx["is_return"]]
    right_1 = purchases["customer_id"].nunique()
    # task 2
    net = tx.groupby("customer_id")["amount"].sum()
    best = net.sort_values(ascending=False)
    changed = net.copy()
    changed.iloc[0] += 1
    wrong_sign = tx["amount"].abs().groupby(tx["customer_id"]).sum()
    gross = purchases.groupby("customer_id")["amount"].sum()
    clipped = tx["amount"].clip(lower=0).groupby(tx["customer_id"]).sum()
    every_customer = net.reindex(customers["customer_id"], fill_value=0.0)
    # task 3
    read = read_csv(data.raw_csv, "transactions", column_map=COLUMN_MAP, encoding="gbk")
    as_read = pd.read_csv(data.raw_csv, encoding="gbk")
    unit_price = as_read.set_index(as_read["订单编号"].astype(str))["单价"]
    signed_unit_price = np.where(read["is_return"], -1, 1) * unit_price[
        read["transaction_id"]].to_numpy()
    partial = {k: v for k, v in COLUMN_MAP.items() if v != "quantity"}
    no_flag = {k: v for k, v in COLUMN_MAP.items() if v not in ("amount", "is_return")}
    no_order = {k: v for k, v in COLUMN_MAP.items() if v != "transaction_id"}
    # task 4
    flagged = validate(raw.assign(is_return=raw["amount"] < 0), "transactions")
    n_returns = int((raw["amount"] < 0).sum())
    # task 5
    weekly = summary(purchases, observation_end=end, freq="W", after_end="drop")
    cut = purchases[purchases["timestamp"] <= end]
    later = end + pd.Timedelta(weeks=2)
    one_off = weekly.copy()
    one_off.loc[one_off.index[0], "recency"] += 1
    yield from [
        # ---- task 1: the number of customers who bought
        (1, len(tx), "number of transaction lines"),
        (1, len(purchases), "purchase lines"),
        (1, tx["customer_id"].nunique(), "customers whose only lines are returns"),
        (1, len(customers), "every customer in the customers table"),
        (1, tx.loc[tx["is_return"], "customer_id"].nunique(), "wrong way round"),
        (1, right_1 + 1, "off by one"),
        (1, right_1 - 1, "off by one"),
        (1, tx["customer_id"].unique(), "`.nunique()` counts them"),
        (1, right_1 + 0.5, "not a whole number"),
        (1, True, "yes/no value"),
        (1, str(right_1), "a str; the task asks for a number"),
        (1, 2 * right_1, "not the number of customers with a purchase"),
        # ---- task 2: net revenue per customer, highest first
        (2, net, "not sorted"),
        (2, net.sort_values(), "lowest to highest"),
        (2, wrong_sign.sort_values(ascending=False), "wrong sign"),
        (2, gross.sort_values(ascending=False), "whose only lines are returns"),
        (2, clipped.sort_values(ascending=False), "returns are left out"),
        (2, tx.groupby("customer_id")["amount"].size(), "numbers of lines"),
        (2, tx.groupby("customer_id")["amount"].mean(), "mean amounts"),
        (2, every_customer.sort_values(ascending=False), "who never bought"),
        (2, best.reset_index(), "reset_index"),
        (2, tx.groupby("customer_id")[["amount", "quantity"]].sum(), "select the amount column"),
        (2, best.reset_index(drop=True), "does not hold customer ids"),
        (2, pd.concat([best, best.iloc[:1]]), "more than once"),
        (2, best.iloc[1:], "1 customer missing"),
        (2, changed, "1 value differs"),
        (2, best.astype(str), "object values, not amounts"),
        (2, best.tolist(), "the task asks for a Series"),
        # ---- task 3: the raw GBK export, read and validated
        (3, as_read, "original column name(s)"),
        (3, pd.read_csv(data.raw_csv, encoding="latin-1"), "encoding='gbk'"),
        (3, as_read.rename(columns=COLUMN_MAP), "not validated"),
        (3, read_csv(data.raw_csv, "transactions", column_map=partial, encoding="gbk"), "'数量'"),
        (3, read.drop(columns="quantity"), "no column(s) ['quantity']"),
        (3, read_csv(data.raw_csv, "transactions", encoding="gbk",
                     column_map={**no_flag, "单价": "amount"}), "unit prices"),
        (3, read.assign(amount=signed_unit_price).sample(frac=1, random_state=0),
         "unit prices"),
        (3, read.iloc[2:], "keep every line"),
        (3, read_csv(data.raw_csv, "transactions", column_map=no_order,
                     encoding="gbk").drop(columns="订单编号"), "transaction ids of answer_3"),
        (3, read.assign(customer_id=read["customer_id"].str[1:]), "customer ids of answer_3"),
        (3, read.assign(amount=read["amount"].round(0)), "amounts of answer_3"),
        (3, read.assign(timestamp=read["timestamp"] + pd.Timedelta(days=1)),
         "timestamps of answer_3"),
        (3, read.assign(quantity=read["quantity"] + 1), "quantities of answer_3"),
        (3, read.assign(is_return=False), "is_return flags of answer_3"),
        (3, str(data.raw_csv), "the task asks for a table"),
        # ---- task 4: returns flagged, nothing dropped, validated
        (4, validate(raw[raw["amount"] >= 0], "transactions"),
         f"the {n_returns} returns were dropped instead of flagged"),
        (4, raw[raw["amount"] >= 0], "dropped instead of flagged"),
        (4, validate(raw.assign(amount=raw["amount"].abs()), "transactions"), "wrong sign"),
        (4, raw.assign(is_return=raw["amount"] < 0), "not validated"),
        (4, raw, "no is_return column"),
        (4, flagged.assign(is_return=~flagged["is_return"]), "wrong way round"),
        (4, flagged.iloc[5:], "5 fewer"),
        (4, pd.concat([flagged, flagged.iloc[:1]]), "more than"),
        (4, flagged.drop(columns="amount"), "no column(s) ['amount']"),
        (4, flagged.assign(transaction_id=[f"row{i}" for i in range(len(flagged))]),
         "transaction ids of answer_4"),
        (4, flagged.assign(amount=flagged["amount"].round(0)), "some amounts of answer_4"),
        (4, flagged.assign(is_return=flagged["amount"] < -50), "flagged as returns"),
        (4, raw["amount"], "the task asks for the repaired table"),
        # ---- task 5: the weekly summary at the calibration end
        (5, summary(cut, observation_end=end), "in days"),
        (5, summary(cut, observation_end=end), "freq='W'"),
        (5, summary(cut, observation_end=end, freq_multiplier=7), "not whole weeks"),
        (5, summary(cut, observation_end=end, freq="W", include_first_transaction=True),
         "the first purchase is not a repeat purchase"),
        (5, summary(purchases, freq="W"), "after the calibration end"),
        (5, summary(tx, freq="W"), "after the calibration end"),
        (5, summary(tx, observation_end=end, freq="W", after_end="drop", returns="count"),
         "returns were counted as purchases"),
        (5, summary(tx, observation_end=end, freq="W", after_end="drop", is_return_col=None),
         "returns were counted as purchases"),
        (5, summary(cut, observation_end=later, freq="W"), "T is off by +2 weeks"),
        (5, summary(cut, observation_end=later, freq="W", include_first_transaction=True),
         "frequency counts repeat purchase periods"),
        (5, weekly.assign(T=weekly["T"] * 7), "about 7 times"),
        (5, weekly.assign(frequency=weekly["frequency"] + (weekly["frequency"] > 0)),
         "some frequencies are too high"),
        (5, one_off, "differs from the summary for 1 customer"),
        (5, summary(tx, freq="W", returns="count"), "too many"),
        (5, weekly.drop(columns="customer_id"), "no customer_id column"),
        (5, weekly.set_index("customer_id").reset_index(drop=True), "no customer_id column"),
        (5, weekly.drop(columns="frequency"), "no column(s) ['frequency']"),
        (5, weekly.iloc[3:], "3 customers missing"),
        (5, weekly.set_index("customer_id").iloc[3:], "3 customers missing"),
        (5, pd.concat([weekly, weekly.iloc[:1]]), "more than once"),
        (5, weekly.assign(frequency="many"), "should be numbers"),
        (5, weekly.to_numpy(), "the task asks for the summary table"),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_some_customers_never_bought_and_some_only_returned(seed):
    # without them, task 1's "every customer in the customers table" and "returns
    # included" would be right answers
    data = seeded(seed)
    tx, customers = data.transactions, data.customers
    in_log = set(tx["customer_id"])
    bought = set(tx.loc[~tx["is_return"], "customer_id"])
    never = set(customers["customer_id"]) - in_log
    only_returns = in_log - bought
    assert 3 <= len(never) <= 6 and 2 <= len(only_returns) <= 4
    assert in_log <= set(customers["customer_id"])
    lines = tx[tx["customer_id"].isin(only_returns)]
    assert lines["is_return"].all() and (lines["amount"] < 0).all()
    assert lines["customer_id"].is_unique  # one return each, on the day they signed up
    acquired = customers.set_index("customer_id")["acquisition_date"]
    assert (lines["timestamp"].to_numpy() == acquired[lines["customer_id"]].to_numpy()).all()
    pd.testing.assert_frame_equal(validate(tx, "transactions"), tx)
    assert tx["transaction_id"].is_unique and tx["timestamp"].is_monotonic_increasing


@pytest.mark.parametrize("seed", SEEDS)
def test_every_right_answer_passes_and_every_trap_is_caught(seed):
    data = seeded(seed)
    for task, answers in right_answers(data).items():
        for answer in answers:
            fb = getattr(ex.check_00, f"task_{task}")(answer, data)
            assert fb.correct, f"seed {seed}: {fb}"
    for task, answer, words in traps(data):
        said = verdict(task, answer, data)
        assert words in said, f"seed {seed}, task {task}: expected {words!r} in {said!r}"


def test_the_feedback_of_each_task_reads_well(data):
    tx = data.transactions
    right = tx.loc[~tx["is_return"], "customer_id"].nunique()
    assert str(ex.check_00.task_1(right, data)).startswith("[Task 1] ✓ Correct")
    said = verdict(5, summary(data.transactions, freq="W").drop(columns="customer_id"), data)
    assert "nothing says which customer a row describes" in said and "Hint:" in said


# ------------------------------------------------------------------ nbgrader round trip


def nbgrader(course: Path, *args: str) -> None:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs alembic from the same venv
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    env.pop("NBGRADER_EXECUTION", None)
    done = subprocess.run([shutil.which("nbgrader", path=bin_dir) or "nbgrader", *args],
                          cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_nbgrader_releases_the_participant_version_and_grades_with_the_checks(tmp_path):
    from nbgrader.api import Gradebook

    course, name = tmp_path / "course", NAMES[0]
    (course / "source" / "ex").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}\n",
        encoding="utf-8",
    )
    shutil.copy(SOURCE_DIR / name, course / "source" / "ex" / name)
    nbgrader(course, "generate_assignment", "ex", "--force")
    release = (course / "release" / "ex" / name).read_bytes()
    assert release == (PARTICIPANT_DIR / name).read_bytes()
    for student, version in (("untouched", PARTICIPANT_DIR), ("solved", SOLUTIONS_DIR)):
        (course / "submitted" / student / "ex").mkdir(parents=True)
        shutil.copy(version / name, course / "submitted" / student / "ex" / name)
    nbgrader(course, "autograde", "ex", "--create", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        untouched = gb.find_submission("ex", "untouched")
        solved = gb.find_submission("ex", "solved")
        assert untouched.max_score == solved.max_score == len(check_cells(read_source(
            SOURCE_DIR / name)))
        assert untouched.score == 0 and solved.score == solved.max_score
    graded = nbformat.read(course / "autograded" / "untouched" / "ex" / name, as_version=4)
    errors = [text_of(c) for c in check_cells(graded)]
    assert all("NotYetCorrect" in t and "Not done yet" in t for t in errors), errors


# ------------------------------------------------- friendly feedback, every exercise alike

#: Exercises whose checks share the generic answers below (00 has its own tests of them).
_GENERIC = [e for name, e in ex.EXERCISES.items() if name != "00_getting_started"]


@functools.cache
def _seed_0(notebook: str):
    return ex.EXERCISES[notebook].data(0)


@pytest.mark.parametrize("exercise", _GENERIC, ids=lambda e: e.notebook)
def test_each_exercise_every_check_says_not_done_for_none(exercise):
    data = _seed_0(exercise.notebook)
    for t in exercise.checks.tasks:
        fb = getattr(exercise.checks, f"task_{t.number}")(None, data)
        assert fb.status == "not_done" and f"answer_{t.number} is still None" in fb.message
        assert fb.hint == t.start


@pytest.mark.parametrize("exercise", _GENERIC, ids=lambda e: e.notebook)
def test_each_exercise_a_check_never_raises_on_an_odd_answer(exercise):
    data = _seed_0(exercise.notebook)
    odd = (object(), "C000001", [1, 2], {"a": 1}, pd.Series(["x"]), np.nan, True, 3.5,
           pd.DataFrame(), pd.Series(dtype=float), np.zeros((2, 2)))
    for answer in odd:
        for t in exercise.checks.tasks:
            fb = getattr(exercise.checks, f"task_{t.number}")(answer, data)
            assert fb.status == "wrong" and fb.hint and "Traceback" not in str(fb), (
                t.number, answer, fb)


@pytest.mark.parametrize("exercise", _GENERIC, ids=lambda e: e.notebook)
def test_each_exercise_a_check_given_something_else_than_the_data_says_so(exercise):
    data = _seed_0(exercise.notebook)
    fb = exercise.checks.task_1(None, data.transactions)
    assert fb.status == "wrong" and "exercise data" in fb.message
