"""The checks that the course exercises call, and the exercises' personal data.

Each exercise in ``exercises/`` gives a participant a few tasks. An answer is assigned to
``answer_1``, ``answer_2``, ... and the check cell below it calls a check of this module,
which returns a :class:`Feedback`: ``✓ Correct``, ``✗ Not quite`` (what is wrong, with a
hint: wrong column, off by one period, wrong sign, unsorted, wrong time unit, ...) or
``… Not done yet``. A check never shows a bare ``AssertionError`` or a traceback.

Every exercise starts with ``SEED = 0``. A participant who puts a number of their own
there gets personal data, and since every check computes its reference answer from the
data it is given, the expected answers are personal too.

Exercises can be graded with nbgrader: the generated notebooks carry its cell metadata
(solution cells, autograded test cells). nbgrader counts a test cell as passed when it
does not raise, so while nbgrader executes a notebook (it sets the environment variable
``NBGRADER_EXECUTION`` to ``"autograde"`` or ``"validate"``) a check that is not correct
raises :class:`NotYetCorrect`, carrying the same friendly message.

``python -m segkit.exercises build`` (``make exercises``) regenerates the participant and
solution versions from ``exercises/source/``; ``python -m segkit.exercises check`` only
says whether they are in sync. See :mod:`segkit._exercise_build`.

Examples
--------
>>> from segkit import exercises as ex
>>> data = ex.getting_started_data(seed=1)
>>> print(ex.check_00.task_1(None, data))  # doctest: +ELLIPSIS
[Task 1] … Not done yet: answer_1 is still None.
  Hint: ...
"""

from __future__ import annotations

import atexit
import html
import numbers
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .exceptions import ParameterError

__all__ = [
    "Feedback",
    "NotYetCorrect",
    "GRADING_MODES",
    "GettingStartedData",
    "getting_started_data",
    "RAW_COLUMNS",
    "Exercise00Checks",
    "check_00",
    "build_exercises",
    "main",
]

#: Values of ``NBGRADER_EXECUTION`` under which a failed check raises (nbgrader sets the
#: variable while it executes a notebook: ``autograde`` when grading, ``validate`` when a
#: participant validates a notebook before submitting it).
GRADING_MODES: frozenset[str] = frozenset({"autograde", "validate"})

Status = Literal["correct", "wrong", "not_done"]

_LABELS: dict[str, tuple[str, str, str, str]] = {
    # status: symbol, label, border colour, background colour
    "correct": ("✓", "Correct", "#2e7d32", "#edf7ed"),
    "wrong": ("✗", "Not quite", "#c62828", "#fdecea"),
    "not_done": ("…", "Not done yet", "#6d6d6d", "#f4f4f4"),
}


# --------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class Feedback:
    """The verdict of a check on one answer, shown nicely in a notebook.

    Parameters
    ----------
    task : str
        Which task was checked, e.g. ``"Task 1"``.
    status : {"correct", "wrong", "not_done"}
        The verdict.
    message : str
        What is right or wrong, in plain words.
    hint : str, default ""
        What to try next (empty for a correct answer).

    Examples
    --------
    >>> fb = Feedback("Task 2", "wrong", "answer_2 is not sorted.", "use `.sort_values()`.")
    >>> print(fb)
    [Task 2] ✗ Not quite: answer_2 is not sorted.
      Hint: use `.sort_values()`.
    >>> fb.correct
    False
    """

    task: str
    status: Status
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        """True when the answer is correct."""
        return self.status == "correct"

    def __str__(self) -> str:
        symbol, label, _, _ = _LABELS[self.status]
        text = f"[{self.task}] {symbol} {label}: {self.message}"
        if self.hint:
            text += f"\n  Hint: {self.hint}"
        return text

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        symbol, label, border, background = _LABELS[self.status]
        body = (
            f"<b>{symbol} {label}</b> <span style=\"color:#666\">({html.escape(self.task)})"
            f"</span>: {_inline_code(self.message)}"
        )
        if self.hint:
            body += f"<br><i>Hint:</i> {_inline_code(self.hint)}"
        return (
            f'<div style="border-left:4px solid {border};background:{background};'
            f'padding:0.4em 0.8em;margin:0.2em 0">{body}</div>'
        )


def _inline_code(text: str) -> str:
    """Escape ``text`` for HTML and show its `backticked` parts as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


class NotYetCorrect(AssertionError):
    """A check failed while nbgrader executed the notebook (autograding or validating).

    The message is the check's friendly feedback; :attr:`feedback` holds the
    :class:`Feedback` itself. Outside nbgrader, checks return their feedback instead.
    """

    def __init__(self, feedback: Feedback):
        self.feedback = feedback
        super().__init__(str(feedback))


def _grading() -> bool:
    return os.environ.get("NBGRADER_EXECUTION", "") in GRADING_MODES


def _deliver(feedback: Feedback) -> Feedback | None:
    """Return the feedback; under nbgrader, raise it unless the answer is correct.

    nbgrader reads the value a test cell returns (its ``execute_result``) as partial
    credit when it is a number, so under nbgrader a correct answer's feedback is
    displayed instead of returned: the cell earns its full points and the grader still
    sees the message.
    """
    if not _grading():
        return feedback
    if not feedback.correct:
        raise NotYetCorrect(feedback)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter kernel
        print(feedback)
    else:
        display(feedback)
    return None


class _Verdict(Exception):
    """Internal: ends a check early with its feedback."""

    def __init__(self, status: Status, message: str, hint: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def _wrong(message: str, hint: str = "") -> _Verdict:
    return _Verdict("wrong", message, hint)


def _run(
    task: str, name: str, check: Callable, hint: str, answer, data, data_type: type
) -> Feedback | None:
    """Run one check; every outcome, even an unexpected one, becomes friendly feedback."""
    if not isinstance(data, data_type):
        fb = Feedback(
            task,
            "wrong",
            f"the second argument of the check should be the exercise data, got "
            f"{_type_name(data)}.",
            "run the cells at the top of the notebook again and leave the check cells "
            "as they are: they pass `data` for you.",
        )
        return _deliver(fb)
    if answer is None:
        fb = Feedback(task, "not_done", f"{name} is still None.", hint)
        return _deliver(_clean(fb))
    try:
        with warnings.catch_warnings():  # a warning on stderr fails an nbgrader test cell
            warnings.simplefilter("ignore")
            message = check(answer, data)
        fb = Feedback(task, "correct", message)
    except _Verdict as verdict:
        fb = Feedback(task, verdict.status, verdict.message, verdict.hint)
    except Exception as err:  # the answer is too unusual to compare; say so kindly
        fb = Feedback(
            task,
            "wrong",
            f"the check could not compare {name} ({_type_name(answer)}) with the expected "
            f"answer ({type(err).__name__}: {err}).",
            hint,
        )
    return _deliver(_clean(fb))


def _clean(fb: Feedback) -> Feedback:
    return Feedback(fb.task, fb.status, " ".join(fb.message.split()), " ".join(fb.hint.split()))


def _type_name(value) -> str:
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame with columns {list(map(str, value.columns))}"
    if isinstance(value, pd.Series):
        return f"a Series of {_plural(len(value), 'value')}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of {_plural(value.size, 'value')}"
    article = "an" if type(value).__name__[:1].lower() in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def _n(value: float) -> str:
    """A count or amount for a message: thousands separators, at most 2 decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{_n(n)} {word if n == 1 else (plural or word + 's')}"


# ------------------------------------------------------------------ comparison helpers


def _as_count(answer, name: str) -> int:
    """The answer as a whole number, or a verdict saying why it is not one."""
    if isinstance(answer, bool | np.bool_):
        raise _wrong(
            f"{name} is {answer}, a yes/no value; the task asks for a number.",
            "count with `.nunique()`, which returns a whole number.",
        )
    if isinstance(answer, pd.Series | pd.DataFrame | pd.Index | np.ndarray | list | tuple):
        raise _wrong(
            f"{name} is {_type_name(answer)}; the task asks for one number.",
            "`.unique()` gives the distinct values themselves, `.nunique()` counts them.",
        )
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real) and float(answer).is_integer():
        return int(answer)
    if isinstance(answer, numbers.Real):
        raise _wrong(
            f"{name} is {answer:g}, not a whole number; a count of customers is whole.",
            "count distinct customer ids with `.nunique()`.",
        )
    raise _wrong(
        f"{name} is {_type_name(answer)}; the task asks for a number.",
        "count distinct customer ids with `.nunique()`.",
    )


def _close(a, b, atol: float = 0.005) -> np.ndarray:
    """Element-wise equality of two amount arrays, to the cent."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.isclose(a, b, rtol=1e-9, atol=atol) | (np.isnan(a) & np.isnan(b))


def _series_equal(answer: pd.Series, expected: pd.Series, atol: float = 0.005) -> bool:
    """Same labels (in any order) and the same values, to the cent."""
    if len(answer) != len(expected) or not answer.index.is_unique:
        return False
    if set(answer.index) != set(expected.index):
        return False
    try:
        aligned = pd.to_numeric(answer.reindex(expected.index), errors="raise")
    except (TypeError, ValueError):
        return False
    return bool(_close(aligned, expected, atol).all())


def _is_datetime(s: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(s) and not isinstance(s.dtype, pd.DatetimeTZDtype)


def _is_bool(s: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(s) and not s.isna().any()


# --------------------------------------------------------------------------- data


#: Columns of the raw export of exercise 00 (Chinese name -> canonical name, or None for a
#: column that has no place in the data model).
RAW_COLUMNS: dict[str, str | None] = {
    "订单编号": "transaction_id",  # order number
    "客户编号": "customer_id",  # customer number
    "下单时间": "timestamp",  # order time
    "数量": "quantity",  # quantity
    "单价": None,  # unit price: not the line amount
    "金额": "amount",  # line amount, negative for returns
    "是否退货": "is_return",  # returned? 1 = yes, 0 = no
}
_RAW_ENCODING = "gbk"
_N_CUSTOMERS = 300
_START, _END, _CALIBRATION_END = "2023-01-01", "2024-06-30", "2023-12-31"


@dataclass(eq=False)
class GettingStartedData:
    """The personal data of exercise 00, made from a seed (see :func:`getting_started_data`).

    Attributes
    ----------
    seed : int
        The seed the data were made from.
    transactions : pandas.DataFrame
        The validated transaction log of a small simulated company: purchases, and
        returns with a negative amount and ``is_return`` set.
    customers : pandas.DataFrame
        The validated customers table of the same company.
    observation_end : pandas.Timestamp
        The end of the observation period (the day the data were extracted).
    calibration_end : pandas.Timestamp
        An earlier date, the end of a calibration period: a model fitted on that day
        would have seen the transactions up to it (a Sunday, so whole weeks).
    raw_csv : pathlib.Path
        The same transactions as the shop's till exported them: a CSV file with Chinese
        column names, saved by Excel on a Chinese Windows system (GBK encoding). It lives
        in a temporary folder that is removed when Python exits.
    unflagged : pandas.DataFrame
        The same transactions as an old system exported them: returns have a negative
        amount but there is no ``is_return`` column, and dates are text. It fails
        validation.
    """

    seed: int
    transactions: pd.DataFrame
    customers: pd.DataFrame
    observation_end: pd.Timestamp
    calibration_end: pd.Timestamp
    raw_csv: Path
    unflagged: pd.DataFrame

    def __repr__(self) -> str:
        tx = self.transactions
        n_returns = int(tx["is_return"].sum())
        first, last = tx["timestamp"].min(), tx["timestamp"].max()
        return (
            f"Exercise 00 data for seed {self.seed}:\n"
            f"  customers        {len(self.customers):,} customers\n"
            f"  transactions     {len(tx):,} lines ({n_returns:,} returns) from "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}\n"
            f"  observation_end  {self.observation_end:%Y-%m-%d}\n"
            f"  calibration_end  {self.calibration_end:%Y-%m-%d}\n"
            f"  raw_csv          the till's export of the same transactions (a CSV file)\n"
            f"  unflagged        the old system's export, without is_return"
        )


_RAW_DIR: Path | None = None


def _raw_dir() -> Path:
    """A private temporary folder for the raw files, removed when Python exits."""
    global _RAW_DIR
    if _RAW_DIR is None or not _RAW_DIR.exists():
        _RAW_DIR = Path(tempfile.mkdtemp(prefix="segkit-exercises-"))
        atexit.register(shutil.rmtree, _RAW_DIR, True)
    return _RAW_DIR


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ParameterError(
            f"SEED must be a whole number >= 0 (your student number, a birthday such as "
            f"19990521, ...), got {seed!r}"
        )
    return int(seed)


def _raw_export(tx: pd.DataFrame) -> pd.DataFrame:
    """The transactions as the till exports them, with Chinese column names."""
    if "quantity" in tx.columns:
        quantity = np.maximum(tx["quantity"].to_numpy(dtype=np.int64), 1)
    else:
        quantity = np.ones(len(tx), dtype=np.int64)
    unit_price = np.round(np.abs(tx["amount"].to_numpy()) / quantity, 2)
    midnight = (tx["timestamp"] == tx["timestamp"].dt.normalize()).all()
    date_format = "%Y/%m/%d" if midnight else "%Y/%m/%d %H:%M:%S"
    return pd.DataFrame(
        {
            "订单编号": tx["transaction_id"].to_numpy(),
            "客户编号": tx["customer_id"].to_numpy(),
            "下单时间": tx["timestamp"].dt.strftime(date_format).to_numpy(),
            "数量": quantity,
            "单价": unit_price,
            "金额": tx["amount"].to_numpy(),
            "是否退货": tx["is_return"].astype(int).to_numpy(),
        }
    )


def _unflagged(tx: pd.DataFrame) -> pd.DataFrame:
    """The transactions as an old system exports them: no return flag, dates as text."""
    out = tx.drop(columns=["is_return"]).reset_index(drop=True)
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    return out


def getting_started_data(seed: int = 0) -> GettingStartedData:
    """The personal data of exercise 00: a small simulated company made from ``seed``.

    A company of 300 customers observed from 2023-01-01 to 2024-06-30 (calibration end
    2023-12-31) is simulated with :func:`segkit.datasets.simulate`; the same transactions
    are also given as a raw GBK-encoded CSV export with Chinese column names
    (:data:`RAW_COLUMNS`) and as a table whose returns are not flagged. The same seed
    always gives the same data.

    Parameters
    ----------
    seed : int, default 0
        Any whole number >= 0; your own number gives you your own data.

    Returns
    -------
    GettingStartedData

    Examples
    --------
    >>> data = getting_started_data(seed=7)
    >>> data.transactions.equals(getting_started_data(seed=7).transactions)
    True
    """
    from .datasets import simulate

    seed = _check_seed(seed)
    sim = simulate(n_customers=_N_CUSTOMERS, start=_START, end=_END, seed=seed)
    tables = sim.tables
    tx = tables.transactions.sort_values(["timestamp", "transaction_id"], kind="stable")
    tx = tx.reset_index(drop=True)
    keep = [c for c in ("transaction_id", "customer_id", "timestamp", "amount", "quantity",
                        "is_return") if c in tx.columns]
    tx = tx[keep].copy()
    tx["amount"] = tx["amount"].round(2)
    end = tables.observation_end if tables.observation_end is not None else _END
    observation_end = pd.Timestamp(end).normalize()
    path = _raw_dir() / f"till_export_seed{seed}.csv"
    _raw_export(tx).to_csv(path, index=False, encoding=_RAW_ENCODING)
    return GettingStartedData(
        seed=seed,
        transactions=tx,
        customers=tables.customers.reset_index(drop=True),
        observation_end=observation_end,
        calibration_end=pd.Timestamp(_CALIBRATION_END),
        raw_csv=path,
        unflagged=_unflagged(tx),
    )


# ----------------------------------------------------------------- exercise 00 checks


#: Where to start on each task of exercise 00 (the hint of "Not done yet").
_START_00: dict[int, str] = {
    1: "keep the purchase lines (where `is_return` is False) and count the distinct "
    "customer ids.",
    2: "group `data.transactions` by customer, sum the amounts, then sort.",
    3: "use `segkit.io.read_csv` with a `column_map` (Chinese name -> canonical name) and "
    "the file's `encoding`.",
    4: "add an `is_return` column to `data.unflagged` (True where the amount is negative), "
    "then validate the table with `segkit.schema.validate`.",
    5: "leave out the returns, then call `segkit.features.summary` with `observation_end`, "
    "`freq` and `after_end`.",
}

#: The detailed hint of each task of exercise 00, for an answer that is off in no
#: recognisable way.
_HINTS_00: dict[int, str] = {
    1: "keep the purchase lines (those where `is_return` is False: "
    "`~data.transactions['is_return']`) and count the distinct `customer_id` values with "
    "`.nunique()`.",
    2: "group the transactions by `customer_id`, sum the `amount` column (returns are "
    "negative, so the sum is net of them) and sort with `.sort_values(ascending=False)`.",
    3: "read the file with `segkit.io.read_csv(data.raw_csv, 'transactions', ...)`, passing "
    "`column_map={'客户编号': 'customer_id', ...}` (every Chinese name that has a canonical "
    "column) and the file's `encoding` (Excel on a Chinese Windows system saves GBK).",
    4: "add an `is_return` column that is True where the amount is negative "
    "(`data.unflagged.assign(is_return=data.unflagged['amount'] < 0)`), keep every row, and "
    "pass the result to `segkit.schema.validate(..., 'transactions')`.",
    5: "keep the purchases (`~data.transactions['is_return']`), then call "
    "`segkit.features.summary` on them with `observation_end=data.calibration_end`, "
    "`freq='W'` and `after_end='drop'` (the later transactions are left out).",
}


def _purchases(tx: pd.DataFrame) -> pd.DataFrame:
    return tx[~tx["is_return"]]


def _e00_task_1(answer, data: GettingStartedData) -> str:
    """Task 1: the number of customers with at least one purchase."""
    tx = data.transactions
    purchases = _purchases(tx)
    expected = purchases["customer_id"].nunique()
    value = _as_count(answer, "answer_1")
    if value == expected:
        return f"{_n(expected)} customers bought at least once."
    count_once = "count each customer once: `.nunique()` on the `customer_id` column."
    known = [
        (len(tx), "that is the number of transaction lines, not of customers.", count_once),
        (len(purchases), "that is the number of purchase lines, not of customers.", count_once),
        (
            tx["customer_id"].nunique(),
            "that also counts customers whose only lines are returns.",
            "keep the purchases first: `data.transactions[~data.transactions['is_return']]`.",
        ),
        (
            len(data.customers),
            "that is every customer in the customers table, and not all of them bought.",
            "count the customers in `data.transactions`, purchase lines only.",
        ),
        (
            tx.loc[tx["is_return"], "customer_id"].nunique(),
            "that is the number of customers with a return.",
            "the filter is the wrong way round: purchases are the lines where `is_return` "
            "is False, i.e. `~data.transactions['is_return']`.",
        ),
    ]
    for candidate, message, hint in known:
        if value == candidate:
            raise _wrong(f"answer_1 is {_n(value)}: {message}", hint)
    if abs(value - expected) == 1:
        raise _wrong(
            f"answer_1 is {_n(value)}, off by one.",
            "did you add or subtract one somewhere? `.nunique()` already gives the count.",
        )
    raise _wrong(
        f"answer_1 is {_n(value)}, which is not the number of customers with a purchase.",
        _HINTS_00[1],
    )


def _net_revenue(tx: pd.DataFrame) -> pd.Series:
    return tx.groupby("customer_id")["amount"].sum()


def _e00_task_2(answer, data: GettingStartedData) -> str:
    """Task 2: net revenue per customer, highest first."""
    tx = data.transactions
    expected = _net_revenue(tx)
    if isinstance(answer, pd.DataFrame):
        cols = list(map(str, answer.columns))
        if "customer_id" in cols and "amount" in cols and len(cols) == 2:
            raise _wrong(
                "answer_2 is a table with the customer ids in a column; the task asks for a "
                "Series indexed by customer id.",
                "leave out `.reset_index()`, or use `.set_index('customer_id')['amount']`.",
            )
        if answer.shape[1] == 1:
            answer = answer.iloc[:, 0]
        else:
            raise _wrong(
                f"answer_2 is {_type_name(answer)}: one value per customer is enough.",
                "select the amount column before summing: "
                "`.groupby('customer_id')['amount'].sum()`.",
            )
    if not isinstance(answer, pd.Series):
        raise _wrong(
            f"answer_2 is {_type_name(answer)}; the task asks for a Series: one net revenue "
            "per customer, indexed by customer id.",
            _HINTS_00[2],
        )
    if not pd.api.types.is_numeric_dtype(answer) or pd.api.types.is_bool_dtype(answer):
        raise _wrong(
            f"answer_2 holds {answer.dtype} values, not amounts.",
            "sum the `amount` column: `.groupby('customer_id')['amount'].sum()`.",
        )
    if not set(answer.index) & set(expected.index):
        raise _wrong(
            "the index of answer_2 does not hold customer ids (e.g. "
            f"{list(answer.index[:3])}).",
            "group by the customer: `.groupby('customer_id')`, and do not reset the index.",
        )
    if not answer.index.is_unique:
        raise _wrong(
            "some customer ids appear more than once in answer_2.",
            "one line per customer: group with `.groupby('customer_id')` before summing.",
        )
    missing = expected.index.difference(answer.index)
    extra = answer.index.difference(expected.index)
    if len(missing) or len(extra):
        purchasers = set(_purchases(tx)["customer_id"])
        hint = (
            "include every customer who appears in `data.transactions`: group the whole "
            "table, returns included."
        )
        if set(answer.index) == purchasers and len(missing):
            hint = "do not filter out the returns: net revenue includes them, with their sign."
        raise _wrong(
            f"answer_2 has {_plural(len(answer), 'customer')}; {_plural(len(missing), 'customer')} "
            f"missing and {_plural(len(extra), 'unexpected id')}.",
            hint,
        )
    amount = tx["amount"]
    known = [
        (
            _purchases(tx).groupby("customer_id")["amount"].sum().reindex(expected.index,
                                                                          fill_value=0.0),
            "these are the purchases only (gross revenue): the returns are left out.",
            "net revenue = purchases + returns, and returns already have a negative amount: "
            "sum every line.",
        ),
        (
            amount.abs().groupby(tx["customer_id"]).sum(),
            "the returns were added as positive amounts (wrong sign).",
            "returns have negative amounts and must stay negative: do not take `.abs()`.",
        ),
        (
            tx.groupby("customer_id")["amount"].size().astype(float),
            "these are the numbers of lines per customer, not amounts.",
            "use `.sum()` on the `amount` column, not `.size()` or `.count()`.",
        ),
        (
            tx.groupby("customer_id")["amount"].mean(),
            "these are the mean amounts per line, not the totals.",
            "use `.sum()`, not `.mean()`.",
        ),
    ]
    if not _series_equal(answer, expected):
        for candidate, message, hint in known:
            if _series_equal(answer, candidate):
                raise _wrong(f"answer_2 has one value per customer, but {message}", hint)
        aligned = answer.reindex(expected.index)
        bad = ~_close(aligned, expected)
        example = expected.index[bad][0]
        raise _wrong(
            f"answer_2 has the right customers, but "
            f"{_plural(int(bad.sum()), 'value differs', 'values differ')} from the net "
            f"revenue (e.g. customer {example}: yours is "
            f"{float(aligned[example]):,.2f}).",
            _HINTS_00[2],
        )
    values = answer.to_numpy(dtype=float)
    if len(values) > 1 and not (np.diff(values) <= 1e-9).all():
        if (np.diff(values) >= -1e-9).all():
            raise _wrong(
                "the values are right, but sorted from lowest to highest.",
                "the best customers come first: `.sort_values(ascending=False)`.",
            )
        raise _wrong(
            "the values are right, but answer_2 is not sorted.",
            "sort from the highest to the lowest net revenue: `.sort_values(ascending=False)`.",
        )
    top = answer.index[0]
    return (
        f"net revenue of {_plural(len(answer), 'customer')}, highest first "
        f"(customer {top}: {float(answer.iloc[0]):,.2f})."
    )


def _mapped(canonical: str) -> str:
    return next(k for k, v in RAW_COLUMNS.items() if v == canonical)


_GARBLED = re.compile("[\u00c0-\u00ff\ufffd]")


def _e00_task_3(answer, data: GettingStartedData) -> str:
    """Task 3: the raw GBK export as a validated transactions table."""
    from .io import read_csv

    column_map = {k: v for k, v in RAW_COLUMNS.items() if v is not None}
    expected = read_csv(data.raw_csv, "transactions", column_map=column_map,
                        encoding=_RAW_ENCODING)
    if not isinstance(answer, pd.DataFrame):
        raise _wrong(f"answer_3 is {_type_name(answer)}; the task asks for a table.",
                     _HINTS_00[3])
    cols = [str(c) for c in answer.columns]
    raw = pd.read_csv(data.raw_csv, encoding=_RAW_ENCODING, dtype=str)
    unit_price = pd.to_numeric(raw["单价"])
    if "amount" in cols and "单价" not in cols and len(answer) == len(raw):
        amount = pd.to_numeric(answer["amount"], errors="coerce").abs().to_numpy()
        line_amount = raw["金额"].astype(float)
        if _close(amount, unit_price).all() and not _close(unit_price, line_amount).all():
            raise _wrong(
                "the amount column holds the unit prices (单价), not the line amounts.",
                f"map '{_mapped('amount')}' (line amount) to 'amount'; '单价' is the unit "
                "price and stays unmapped.",
            )
    unmapped = [c for c in cols if RAW_COLUMNS.get(c)]
    if unmapped:
        example = ", ".join(f"'{c}': '{RAW_COLUMNS[c]}'" for c in unmapped[:2])
        raise _wrong(
            f"answer_3 still has the original column name(s) {unmapped}.",
            f"map them to the canonical names with `column_map={{{example}, ...}}`.",
        )
    garbled = [c for c in cols if _GARBLED.search(c)]
    if garbled:
        raise _wrong(
            f"the column names look garbled ({garbled[:3]}): the file was decoded with the "
            "wrong encoding.",
            "the file was saved by Excel on a Chinese Windows system: pass `encoding='gbk'`.",
        )
    required = [c for c in column_map.values() if c not in cols]
    if required:
        raise _wrong(
            f"answer_3 has no column(s) {required}; its columns are {cols}.",
            f"map {', '.join(repr(_mapped(c)) for c in required)} too: every column of the "
            "file that has a canonical name goes into `column_map`.",
        )
    if not (_is_datetime(answer["timestamp"]) and pd.api.types.is_float_dtype(answer["amount"])
            and _is_bool(answer["is_return"])):
        raise _wrong(
            "answer_3 has the right columns, but not the canonical types (timestamp "
            f"{answer['timestamp'].dtype}, amount {answer['amount'].dtype}, is_return "
            f"{answer['is_return'].dtype}): it was not validated.",
            "read it with `segkit.io.read_csv`, which validates the table and converts each "
            "column, or pass your table to `segkit.schema.validate(..., 'transactions')`.",
        )
    if len(answer) != len(expected):
        raise _wrong(
            f"answer_3 has {_plural(len(answer), 'row')}; the file has {_n(len(expected))}.",
            "keep every line of the file, returns included: read it without filtering.",
        )
    ans = answer.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    exp = expected.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    if not ans["transaction_id"].astype(str).equals(exp["transaction_id"].astype(str)):
        raise _wrong(
            "the transaction ids of answer_3 are not those of the file.",
            f"map '{_mapped('transaction_id')}' (order number) to 'transaction_id' and read "
            "every column as text first, as `segkit.io.read_csv` does.",
        )
    raw = raw.sort_values("订单编号", kind="stable").reset_index(drop=True)
    if not ans["customer_id"].astype(str).equals(exp["customer_id"]):
        stripped = exp["customer_id"].str.lstrip("0").replace("", "0")
        if ans["customer_id"].astype(str).equals(stripped):
            raise _wrong(
                "the customer ids lost their leading zeros: they were read as numbers.",
                "ids are text: `segkit.io.read_csv` reads every column as text first.",
            )
        raise _wrong(
            "the customer ids of answer_3 are not those of the file.",
            f"map '{_mapped('customer_id')}' (customer number) to 'customer_id'.",
        )
    if not _close(ans["amount"], exp["amount"]).all():
        if _close(ans["amount"], pd.to_numeric(raw["单价"])).all() or _close(
            ans["amount"].abs(), pd.to_numeric(raw["单价"])
        ).all():
            raise _wrong(
                "the amount column holds the unit prices (单价), not the line amounts.",
                f"map '{_mapped('amount')}' (line amount) to 'amount'; '单价' is the unit "
                "price and stays unmapped.",
            )
        raise _wrong(
            "the amounts of answer_3 are not the line amounts of the file.",
            f"map '{_mapped('amount')}' (line amount) to 'amount'.",
        )
    if not (ans["timestamp"] == exp["timestamp"]).all():
        raise _wrong(
            "the timestamps of answer_3 are not the order times of the file.",
            f"map '{_mapped('timestamp')}' (order time) to 'timestamp'.",
        )
    if "quantity" in exp and not ans["quantity"].astype(float).equals(
        exp["quantity"].astype(float)
    ):
        raise _wrong(
            "the quantities of answer_3 are not those of the file.",
            f"map '{_mapped('quantity')}' to 'quantity'.",
        )
    if not ans["is_return"].equals(exp["is_return"]):
        raise _wrong(
            "the is_return flags of answer_3 are not those of the file.",
            f"map '{_mapped('is_return')}' (returned?) to 'is_return'.",
        )
    return (
        f"{_plural(len(answer), 'line')} read from the GBK file, columns mapped to the data "
        "model and validated."
    )


def _e00_task_4(answer, data: GettingStartedData) -> str:
    """Task 4: the unflagged table with its returns flagged, nothing dropped, validated."""
    from .schema import validate

    raw = data.unflagged
    expected = validate(raw.assign(is_return=raw["amount"] < 0), "transactions")
    n_returns = int(expected["is_return"].sum())
    if not isinstance(answer, pd.DataFrame):
        raise _wrong(f"answer_4 is {_type_name(answer)}; the task asks for the repaired table.",
                     _HINTS_00[4])
    missing = [c for c in ("transaction_id", "customer_id", "timestamp", "amount")
               if c not in answer.columns]
    if missing:
        raise _wrong(
            f"answer_4 has no column(s) {missing}.",
            "start from `data.unflagged` and keep its columns; only add `is_return`.",
        )
    if len(answer) < len(expected):
        no_negative = (pd.to_numeric(answer["amount"], errors="coerce") >= 0).all()
        if len(answer) == len(expected) - n_returns and no_negative:
            raise _wrong(
                f"the {_plural(n_returns, 'return')} were dropped instead of flagged.",
                "returns are kept in the data model (they lower net revenue and matter for "
                "churn): keep every row and set `is_return` where the amount is negative.",
            )
        raise _wrong(
            f"answer_4 has {_plural(len(answer), 'row')}, {_n(len(expected) - len(answer))} "
            f"fewer than `data.unflagged` ({_n(len(expected))}).",
            "drop nothing: flag the returns and keep every row.",
        )
    if len(answer) > len(expected):
        raise _wrong(
            f"answer_4 has {_plural(len(answer), 'row')}, more than `data.unflagged` "
            f"({_n(len(expected))}).",
            "add a column, not rows: `data.unflagged.assign(is_return=...)`.",
        )
    if "is_return" not in answer.columns:
        raise _wrong(
            "answer_4 has no is_return column, so its returns are still not flagged.",
            "add it: `data.unflagged.assign(is_return=data.unflagged['amount'] < 0)`.",
        )
    if not _is_datetime(answer["timestamp"]) or not _is_bool(answer["is_return"]):
        raise _wrong(
            "answer_4 was not validated: its timestamps have dtype "
            f"{answer['timestamp'].dtype} and its is_return flags {answer['is_return'].dtype}.",
            "pass the repaired table to `segkit.schema.validate(..., 'transactions')` and "
            "keep what it returns: the table in canonical form.",
        )
    ans = answer.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    exp = expected.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    if not ans["transaction_id"].astype(str).equals(exp["transaction_id"].astype(str)):
        raise _wrong("the transaction ids of answer_4 are not those of `data.unflagged`.",
                     "start from `data.unflagged` and keep every row.")
    amount = pd.to_numeric(ans["amount"], errors="coerce")
    if not _close(amount, exp["amount"]).all():
        if _close(amount, exp["amount"].abs()).all():
            raise _wrong(
                "the returns have positive amounts now (wrong sign).",
                "a return keeps its negative amount; `is_return` marks it, the sign stays.",
            )
        raise _wrong("some amounts of answer_4 differ from those of `data.unflagged`.",
                     "change nothing but the new `is_return` column.")
    flags = ans["is_return"].to_numpy(dtype=bool)
    want = exp["is_return"].to_numpy(dtype=bool)
    either = (amount == 0).to_numpy()  # a zero line may be flagged or not
    differ = (flags != want) & ~either
    if differ.any():
        if (flags == ~want)[~either].all():
            raise _wrong(
                "the is_return flags are the wrong way round.",
                "a return is a line with a negative amount: `is_return = amount < 0`.",
            )
        raise _wrong(
            f"{_plural(int(flags.sum()), 'line')} flagged as returns; "
            f"{_plural(n_returns, 'line has', 'lines have')} a negative amount.",
            "flag exactly the lines with a negative amount: `is_return = amount < 0`.",
        )
    return (
        f"all {_n(len(answer))} rows kept, {_plural(n_returns, 'return')} flagged, "
        "the table validates."
    )


_SUMMARY_COLUMNS = ["frequency", "recency", "T"]


def _e00_summary(data: GettingStartedData, transactions=None, **changes) -> pd.DataFrame:
    """The reference summary of task 5, or a variant of it (a typical mistake)."""
    from .features import summary

    kwargs = {"observation_end": data.calibration_end, "freq": "W", "after_end": "drop"}
    kwargs.update(changes)
    tx = _purchases(data.transactions) if transactions is None else transactions
    return summary(tx, **kwargs)[_SUMMARY_COLUMNS]


def _frames_equal(answer: pd.DataFrame, expected: pd.DataFrame) -> bool:
    if len(answer) != len(expected) or set(answer.index) != set(expected.index):
        return False
    aligned = answer.reindex(expected.index)
    return all(_close(aligned[c], expected[c], atol=1e-6).all() for c in _SUMMARY_COLUMNS)


def _e00_task_5(answer, data: GettingStartedData) -> str:
    """Task 5: the weekly summary of the purchases at the calibration end."""
    expected = _e00_summary(data)
    end = f"{data.calibration_end:%Y-%m-%d}"
    if not isinstance(answer, pd.DataFrame):
        raise _wrong(f"answer_5 is {_type_name(answer)}; the task asks for the summary table.",
                     _HINTS_00[5])
    if "customer_id" in answer.columns:
        raise _wrong(
            "answer_5 has customer_id as a column; the summary is indexed by customer id.",
            "keep the table as `segkit.features.summary` returns it (no `.reset_index()`).",
        )
    missing = [c for c in _SUMMARY_COLUMNS if c not in answer.columns]
    if missing:
        raise _wrong(
            f"answer_5 has no column(s) {missing}; a summary has frequency, recency and T.",
            "use `segkit.features.summary`, which computes all three.",
        )
    if not answer.index.is_unique:
        raise _wrong("some customer ids appear more than once in answer_5.",
                     "use `segkit.features.summary`: one row per customer.")
    try:
        frame = answer[_SUMMARY_COLUMNS].astype(float)
    except (TypeError, ValueError):
        raise _wrong("frequency, recency and T of answer_5 should be numbers.",
                     "use `segkit.features.summary`.") from None
    if _frames_equal(frame, expected):
        return (
            f"weekly summary of {_plural(len(expected), 'customer')} at the calibration end "
            f"{end} (mean frequency {expected['frequency'].mean():.2f} repeat weeks)."
        )
    purchases = _purchases(data.transactions)
    last = purchases["timestamp"].max()
    candidates = [
        (
            lambda: _e00_summary(data, observation_end=None),
            f"it summarises every purchase up to the last one ({last:%Y-%m-%d}), also those "
            f"after the calibration end {end}.",
            "pass `observation_end=data.calibration_end` and `after_end='drop'`, which leaves "
            "the later transactions out.",
        ),
        (
            lambda: _e00_summary(data, transactions=data.transactions),
            "the returns were counted as purchases: some frequencies are too high.",
            "summarise the purchases only: `data.transactions[~data.transactions['is_return']]`.",
        ),
        (
            lambda: _e00_summary(data, freq="D"),
            "recency and T are in days; the task asks for weeks.",
            "pass `freq='W'`: periods of one week (Monday to Sunday).",
        ),
        (
            lambda: _e00_summary(data, freq="D", freq_multiplier=7),
            "recency and T are days divided by 7, not whole weeks: a customer who buys twice "
            "in one week has one purchase period, not two.",
            "pass `freq='W'` (and no `freq_multiplier`): purchases are counted per calendar "
            "week.",
        ),
        (
            lambda: _e00_summary(data, include_first_transaction=True),
            "frequency is one too high for every customer (off by one): the first purchase "
            "is not a repeat purchase.",
            "leave `include_first_transaction` at its default, False.",
        ),
    ]
    for make, message, hint in candidates:
        if _frames_equal(frame, make()):
            raise _wrong(f"answer_5 is a summary, but {message}", hint)
    extra = frame.index.difference(expected.index)
    missing_ids = expected.index.difference(frame.index)
    if len(extra):
        raise _wrong(
            f"answer_5 has {_plural(len(extra), 'customer')} too many (e.g. {extra[0]}); "
            f"only customers who bought by {end} belong in it.",
            "leave out the transactions after the calibration end: "
            "`observation_end=data.calibration_end, after_end='drop'`.",
        )
    if len(missing_ids):
        raise _wrong(
            f"{_plural(len(missing_ids), 'customer')} missing from answer_5 (e.g. "
            f"{missing_ids[0]}).",
            "summarise every purchase up to the calibration end; filter out nothing else.",
        )
    got = frame.reindex(expected.index)
    diff = {c: got[c].to_numpy() - expected[c].to_numpy() for c in _SUMMARY_COLUMNS}
    if np.allclose(diff["frequency"], 1):
        raise _wrong(
            "frequency is one too high for every customer (off by one).",
            "frequency counts repeat purchase periods: the first purchase is not counted.",
        )
    positive = expected["T"].to_numpy() > 0
    ratio = got["T"].to_numpy()[positive] / expected["T"].to_numpy()[positive]
    if len(ratio) and np.all((ratio > 5) & (ratio < 8)):
        raise _wrong(
            "T is about 7 times the expected value: it looks like days, not weeks.",
            "pass `freq='W'`.",
        )
    shift = diff["T"]
    if np.allclose(shift, shift[0]) and abs(shift[0]) > 1e-9 and np.allclose(diff["recency"], 0):
        raise _wrong(
            f"T is off by {shift[0]:+g} weeks for every customer: the observation end is not "
            f"the calibration end {end}.",
            "pass `observation_end=data.calibration_end`.",
        )
    if (diff["frequency"] >= 0).all() and (diff["frequency"] > 0).any():
        raise _wrong(
            "some frequencies are too high: more purchase periods were counted than there "
            "are.",
            "summarise the purchases only, up to the calibration end.",
        )
    bad = ~np.all([_close(got[c], expected[c], atol=1e-6) for c in _SUMMARY_COLUMNS], axis=0)
    raise _wrong(
        f"answer_5 differs from the summary for {_plural(int(bad.sum()), 'customer')} "
        f"(e.g. {expected.index[bad][0]}).",
        _HINTS_00[5],
    )


class Exercise00Checks:
    """The checks of exercise 00, *Getting started* (used as ``check_00``).

    Each ``task_<n>(answer, data)`` compares the participant's answer with the reference
    computed from the same ``data`` (see :func:`getting_started_data`) and returns a
    :class:`Feedback`.
    """

    def task_1(self, answer, data: GettingStartedData) -> Feedback | None:
        """Task 1: the number of customers who bought at least once (returns excluded)."""
        return _run("Task 1", "answer_1", _e00_task_1, _START_00[1], answer, data,
                    GettingStartedData)

    def task_2(self, answer, data: GettingStartedData) -> Feedback | None:
        """Task 2: net revenue per customer (returns subtracted), highest first."""
        return _run("Task 2", "answer_2", _e00_task_2, _START_00[2], answer, data,
                    GettingStartedData)

    def task_3(self, answer, data: GettingStartedData) -> Feedback | None:
        """Task 3: the raw GBK export read into a validated transactions table."""
        return _run("Task 3", "answer_3", _e00_task_3, _START_00[3], answer, data,
                    GettingStartedData)

    def task_4(self, answer, data: GettingStartedData) -> Feedback | None:
        """Task 4: the table with unflagged returns, repaired and validated."""
        return _run("Task 4", "answer_4", _e00_task_4, _START_00[4], answer, data,
                    GettingStartedData)

    def task_5(self, answer, data: GettingStartedData) -> Feedback | None:
        """Task 5: the weekly customer summary at the observation end."""
        return _run("Task 5", "answer_5", _e00_task_5, _START_00[5], answer, data,
                    GettingStartedData)


#: The checks of exercise 00: ``check_00.task_1(answer_1, data)``, ...
check_00 = Exercise00Checks()


# --------------------------------------------------------------------------- building


def build_exercises(
    source_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    solutions_dir: str | Path | None = None,
    *,
    execute: bool = True,
) -> list[Path]:
    """Regenerate the participant and solution versions of every exercise.

    See :func:`segkit._exercise_build.build_exercises`, which this calls.
    """
    from ._exercise_build import build_exercises as build

    return build(source_dir, out_dir, solutions_dir, execute=execute)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m segkit.exercises build|check``: regenerate or verify the exercises."""
    from ._exercise_build import main as build_main

    return build_main(argv)


if __name__ == "__main__":  # pragma: no cover - exercised through the command line
    sys.exit(main())
