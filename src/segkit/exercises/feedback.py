"""The feedback framework of the exercises: verdicts, checks, grading, comparison helpers.

An exercise module (``ex<NN>_<name>.py``) writes each task's check as a function
``check(answer, data) -> str`` that returns the message of a correct answer or raises
:func:`wrong` with what is wrong and a hint. It lists the plausible wrong answers of the
task as data (each candidate answer with the message it deserves) and computes every
expected answer from the participant's seeded ``data``. :func:`task` turns the function
into a :class:`Task` that carries the task's hints next to it, and a :class:`Checks`
subclass collects the tasks: it gets one method ``task_<n>(answer, data)`` per task, which
the check cells of the notebook call.

Whatever happens, a check gives a :class:`Feedback`: ``✓ Correct``, ``✗ Not quite`` or
``… Not done yet``, never a bare ``AssertionError`` or a traceback. Under nbgrader (the
environment variable ``NBGRADER_EXECUTION`` is ``"autograde"`` or ``"validate"``) a check
that is not correct raises :class:`NotYetCorrect`, carrying the same friendly message, so
that the test cell fails and earns no point.

Examples
--------
>>> @task(1, start="count the rows.", hint="`len(data)` counts the rows.")
... def count_rows(answer, data):
...     '''Task 1: the number of rows.'''
...     if answer == 2 * len(data):
...         raise wrong(f"answer_1 is {answer}: every row was counted twice.")
...     if answer != len(data):
...         raise wrong(f"answer_1 is {answer}.", "count each row once.")
...     return f"{len(data)} rows."
>>> class DemoChecks(Checks):
...     data_type = list
...     tasks = (count_rows,)
>>> print(DemoChecks().task_1(6, [1, 2, 3]))
[Task 1] ✗ Not quite: answer_1 is 6: every row was counted twice.
  Hint: `len(data)` counts the rows.
>>> print(DemoChecks().task_1(3, [1, 2, 3]))
[Task 1] ✓ Correct: 3 rows.
"""

from __future__ import annotations

import atexit
import html
import numbers
import os
import re
import shutil
import tempfile
import warnings
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from ..exceptions import ParameterError

__all__ = [
    # feedback and grading
    "GRADING_MODES",
    "Feedback",
    "NotYetCorrect",
    # writing an exercise
    "Task",
    "task",
    "Checks",
    "Exercise",
    "wrong",
    "check_seed",
    "scratch_dir",
    "reference",
    # comparison helpers
    "as_count",
    "close",
    "series_equal",
    "frames_equal",
    "by_customer",
    "is_datetime",
    "is_bool",
    # message helpers
    "type_name",
    "num",
    "plural",
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
    from IPython.display import display  # nbgrader runs a Jupyter kernel, so IPython

    display(feedback)
    return None


# ------------------------------------------------------------------ writing an exercise


class _Verdict(Exception):
    """Internal: ends a check early with its feedback."""

    def __init__(self, status: Status, message: str, hint: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def wrong(message: str, hint: str = "") -> Exception:
    """The verdict "Not quite" for a check to raise: ``raise wrong(message, hint)``.

    Parameters
    ----------
    message : str
        What is wrong with the answer, naming it (``"answer_2 is not sorted."``).
    hint : str, default ""
        What to try instead. Empty means the task's own detailed hint
        (:attr:`Task.hint`), for an answer that is off in no recognisable way.
    """
    return _Verdict("wrong", message, hint)


@dataclass(frozen=True)
class Task:
    """One task of an exercise: its check, and the hints that go with it.

    Made with the decorator :func:`task`.

    Attributes
    ----------
    number : int
        The task's number: the participant assigns ``answer_<number>``.
    check : callable
        ``check(answer, data) -> str``: the message of a correct answer; raises
        :func:`wrong` otherwise. Its docstring's first line says what the task asks for.
    start : str
        Where to start: the hint of "Not done yet".
    hint : str
        The detailed hint, for an answer that is off in no recognisable way.
    """

    number: int
    check: Callable[[Any, Any], str]
    start: str
    hint: str

    @property
    def label(self) -> str:
        return f"Task {self.number}"

    @property
    def answer_name(self) -> str:
        return f"answer_{self.number}"

    @property
    def title(self) -> str:
        """The first line of the check's docstring (``"Task 1: ..."``)."""
        doc = (self.check.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else self.label

    def __call__(self, answer, data) -> str:
        return self.check(answer, data)


def task(number: int, *, start: str, hint: str) -> Callable[[Callable], Task]:
    """Decorator: the check function below is task ``number``, with these hints.

    Parameters
    ----------
    number : int
    start : str
        The hint of "Not done yet": where to start.
    hint : str
        The detailed hint of an answer that is off in no recognisable way: the hint of
        every ``raise wrong(message)`` without a hint of its own.
    """

    def decorate(check: Callable[[Any, Any], str]) -> Task:
        return Task(number, check, start, hint)

    return decorate


class Checks:
    """The checks of one exercise: a method ``task_<n>(answer, data)`` per task.

    A subclass sets :attr:`data_type` (the class of the exercise's data, so that a check
    given something else says so) and :attr:`tasks` (its :class:`Task` objects); the
    ``task_<n>`` methods are made from them.
    """

    data_type: ClassVar[type] = object
    tasks: ClassVar[Sequence[Task]] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        numbers_ = [t.number for t in cls.tasks]
        if len(set(numbers_)) != len(numbers_):
            raise ValueError(f"{cls.__name__}: task numbers {numbers_} repeat")
        for t in cls.tasks:
            method = _task_method(t)
            method.__module__ = cls.__module__
            method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
            setattr(cls, method.__name__, method)

    def check(self, number: int, answer, data) -> Feedback | None:
        """Check ``answer`` to task ``number``; every outcome becomes friendly feedback."""
        t = next((t for t in self.tasks if t.number == number), None)
        if t is None:
            raise KeyError(f"{type(self).__name__} has no task {number}")
        if not isinstance(data, self.data_type):
            fb = Feedback(
                t.label,
                "wrong",
                f"the second argument of the check should be the exercise data, got "
                f"{type_name(data)}.",
                "run the cells at the top of the notebook again and leave the check cells "
                "as they are: they pass `data` for you.",
            )
            return _deliver(fb)
        if answer is None:
            return _deliver(_clean(Feedback(t.label, "not_done",
                                            f"{t.answer_name} is still None.", t.start)))
        try:
            with warnings.catch_warnings():  # a warning on stderr fails an nbgrader test cell
                warnings.simplefilter("ignore")
                message = t.check(answer, data)
            fb = Feedback(t.label, "correct", message)
        except _Verdict as verdict:
            fb = Feedback(t.label, verdict.status, verdict.message, verdict.hint or t.hint)
        except Exception as err:  # the answer is too unusual to compare; say so kindly
            fb = Feedback(
                t.label,
                "wrong",
                f"the check could not compare {t.answer_name} ({type_name(answer)}) with the "
                f"expected answer ({type(err).__name__}: {err}).",
                t.start,
            )
        return _deliver(_clean(fb))


def _task_method(t: Task) -> Callable:
    def method(self: Checks, answer, data) -> Feedback | None:
        return self.check(t.number, answer, data)

    method.__name__ = f"task_{t.number}"
    method.__doc__ = t.title
    return method


def _clean(fb: Feedback) -> Feedback:
    return Feedback(fb.task, fb.status, " ".join(fb.message.split()), " ".join(fb.hint.split()))


@dataclass(frozen=True)
class Exercise:
    """An exercise of the course, as the registry of :mod:`segkit.exercises` lists it.

    Attributes
    ----------
    notebook : str
        The notebook's name without ``.ipynb``: ``exercises/source/<notebook>.ipynb``.
    title : str
    data : callable
        ``data(seed)``: the participant's personal data.
    checks : Checks
        The object the check cells call (``check_<NN>``).
    """

    notebook: str
    title: str
    data: Callable[[int], Any]
    checks: Checks


def check_seed(seed) -> int:
    """``seed`` as an int, or a :class:`~segkit.exceptions.ParameterError` saying why not."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ParameterError(
            f"SEED must be a whole number >= 0 (your student number, a birthday such as "
            f"19990521, ...), got {seed!r}"
        )
    return int(seed)


_SCRATCH: Path | None = None


def scratch_dir() -> Path:
    """A private temporary folder for an exercise's raw files, removed when Python exits."""
    global _SCRATCH
    if _SCRATCH is None or not _SCRATCH.exists():
        _SCRATCH = Path(tempfile.mkdtemp(prefix="segkit-exercises-"))
        atexit.register(shutil.rmtree, _SCRATCH, True)
    return _SCRATCH


# ------------------------------------------------------------------ comparison helpers


def as_count(answer, name: str) -> int:
    """The answer as a whole number, or a verdict saying why it is not one."""
    if isinstance(answer, bool | np.bool_):
        raise wrong(
            f"{name} is {answer}, a yes/no value; the task asks for a number.",
            "count with `.nunique()`, which returns a whole number.",
        )
    if isinstance(answer, pd.Series | pd.DataFrame | pd.Index | np.ndarray | list | tuple):
        raise wrong(
            f"{name} is {type_name(answer)}; the task asks for one number.",
            "`.unique()` gives the distinct values themselves, `.nunique()` counts them.",
        )
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real) and float(answer).is_integer():
        return int(answer)
    if isinstance(answer, numbers.Real):
        raise wrong(
            f"{name} is {answer:g}, not a whole number; a count of customers is whole.",
            "count distinct customer ids with `.nunique()`.",
        )
    raise wrong(
        f"{name} is {type_name(answer)}; the task asks for a number.",
        "count distinct customer ids with `.nunique()`.",
    )


#: References computed by :func:`reference`, by content key, oldest first.
_REFERENCES: OrderedDict[tuple, Any] = OrderedDict()
_MAX_REFERENCES = 64


def _content_key(value) -> Any:
    """A key that changes with the content: frames by a hash of their values."""
    if isinstance(value, pd.DataFrame):
        hashed = pd.util.hash_pandas_object(value, index=True).to_numpy()
        return ("frame", value.shape, tuple(map(str, value.columns)),
                tuple(map(str, value.dtypes)), int(hashed.sum()), int((hashed * 3).sum()))
    if isinstance(value, Path):
        stat = value.stat()
        return ("file", str(value), stat.st_size, stat.st_mtime_ns)
    return value


def reference(compute: Callable[[], Any], *inputs, **options) -> Any:
    """``compute()``, computed once per content of ``inputs`` and value of ``options``.

    A check compares an answer with a reference and with the variants a typical mistake
    gives; these depend only on the exercise data, so they are kept (the last 64) and
    found again by a hash of the data's values, not by identity: a frame changed in
    place gets a fresh reference. The values returned are shared: never modify them.
    """
    key = (getattr(compute, "__qualname__", repr(compute)),
           tuple(_content_key(v) for v in inputs),
           tuple(sorted((k, _content_key(v)) for k, v in options.items())))
    if key in _REFERENCES:
        _REFERENCES.move_to_end(key)
        return _REFERENCES[key]
    value = compute()
    _REFERENCES[key] = value
    while len(_REFERENCES) > _MAX_REFERENCES:
        _REFERENCES.popitem(last=False)
    return value


def close(a, b, atol: float = 0.005) -> np.ndarray:
    """Element-wise equality of two amount arrays, to the cent (NaN equals NaN)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.isclose(a, b, rtol=1e-9, atol=atol) | (np.isnan(a) & np.isnan(b))


def series_equal(answer: pd.Series, expected: pd.Series, atol: float = 0.005) -> bool:
    """Same labels (in any order) and the same values, to the cent."""
    if len(answer) != len(expected) or not answer.index.is_unique:
        return False
    if set(answer.index) != set(expected.index):
        return False
    try:
        aligned = pd.to_numeric(answer.reindex(expected.index), errors="raise")
    except (TypeError, ValueError):
        return False
    return bool(close(aligned, expected, atol).all())


def frames_equal(answer: pd.DataFrame, expected: pd.DataFrame, columns: Sequence[str],
                 atol: float = 1e-6) -> bool:
    """Same labels (in any order) and the same ``columns``, to ``atol``."""
    if len(answer) != len(expected) or set(answer.index) != set(expected.index):
        return False
    aligned = answer.reindex(expected.index)
    return all(close(aligned[c], expected[c], atol=atol).all() for c in columns)


def by_customer(answer: pd.DataFrame, name: str, ids: Collection,
                id_col: str = "customer_id") -> pd.DataFrame:
    """A per-customer table indexed by customer id, whether its ids are a column or the index.

    segkit's per-customer tables keep ``customer_id`` as their first column (as
    pymc-marketing does); an answer that moved the ids to the index
    (``.set_index("customer_id")``) holds the same information and is compared the same
    way. An index counts as ids when it is named ``id_col`` or holds some of ``ids``.

    A "Not quite" verdict (:func:`wrong`) when the answer has no customer ids at all.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [1, 0]})
    >>> by_customer(df, "answer_5", ["a", "b"]).equals(by_customer(
    ...     df.set_index("customer_id"), "answer_5", ["a", "b"]))
    True
    """
    if id_col in answer.columns:
        return answer.set_index(id_col)
    index = answer.index
    if index.name == id_col or (index.nlevels == 1 and index.isin(list(ids)).any()):
        return answer.rename_axis(id_col)
    raise wrong(
        f"{name} has no {id_col} column and no customer ids in its index: nothing says "
        "which customer a row describes.",
        f"keep the `{id_col}` column that segkit gives every per-customer table (no "
        f"`.drop(columns='{id_col}')` or `.reset_index(drop=True)`).",
    )


def is_datetime(s: pd.Series) -> bool:
    """Whether ``s`` holds timezone-naive timestamps (the data model's dates)."""
    return pd.api.types.is_datetime64_any_dtype(s) and not isinstance(s.dtype, pd.DatetimeTZDtype)


def is_bool(s: pd.Series) -> bool:
    """Whether ``s`` holds yes/no flags without missing values."""
    return pd.api.types.is_bool_dtype(s) and not s.isna().any()


# --------------------------------------------------------------------- message helpers


def type_name(value) -> str:
    """What ``value`` is, for a message: ``"a DataFrame with columns [...]"``, ``"an int"``."""
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame with columns {list(map(str, value.columns))}"
    if isinstance(value, pd.Series):
        return f"a Series of {plural(len(value), 'value')}"
    if isinstance(value, pd.Index):
        return f"an index of {plural(len(value), 'value')}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of {plural(value.size, 'value')}"
    article = "an" if type(value).__name__[:1].lower() in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def num(value: float) -> str:
    """A count or amount for a message: thousands separators, at most 2 decimals.

    >>> num(1234), num(2.5)
    ('1,234', '2.50')
    """
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def plural(n: int, word: str, plural_: str | None = None) -> str:
    """``"1 customer"``, ``"3 customers"``.

    >>> plural(1, "customer"), plural(3, "value differs", "values differ")
    ('1 customer', '3 values differ')
    """
    return f"{num(n)} {word if n == 1 else (plural_ or word + 's')}"
