"""Domain errors raised by segkit.

Every error that concerns a table names the table, the column, the rule that was
broken and a few offending rows, so that a course participant or an analyst can
find the problem in their own data without reading a traceback.
"""

from __future__ import annotations

import pandas as pd
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "SegkitError",
    "SchemaError",
    "DataNotFoundError",
    "ParameterError",
    "NotFittedError",
    "ConvergenceError",
    "RenderError",
]


class SegkitError(Exception):
    """Base class of every error segkit raises on purpose."""


class SchemaError(SegkitError, ValueError):
    """A table does not follow the segkit data model.

    Parameters
    ----------
    table : str
        Name of the table (``"transactions"``, ``"customers"``, ...).
    column : str or None
        The offending column, or None when the problem concerns the whole table.
    rule : str
        The rule that was broken, in plain words.
    examples : pandas.DataFrame, optional
        A few offending rows (at most five are shown).
    n_bad : int, optional
        How many rows break the rule in total.
    also : list of (column, rule, n_bad), optional
        Other rules the same table breaks, listed after the examples so that every
        problem of a table is known at once.
    """

    max_examples = 5

    def __init__(
        self,
        table: str,
        column: str | None,
        rule: str,
        examples: pd.DataFrame | None = None,
        n_bad: int | None = None,
        also: list[tuple[str | None, str, int]] | None = None,
    ):
        self.table = table
        self.column = column
        self.rule = rule
        self.examples = None if examples is None else examples.head(self.max_examples)
        self.n_bad = n_bad
        self.also = list(also or [])
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"table '{self.table}'"
        if self.column is not None:
            where += f", column '{self.column}'"
        msg = f"{where}: {self.rule}"
        if self.n_bad is not None:
            msg += f" ({self.n_bad} row{'s' if self.n_bad != 1 else ''})"
        if self.examples is not None and len(self.examples):
            with pd.option_context("display.width", 120, "display.max_columns", 12):
                shown = self.examples.to_string(max_colwidth=30)
            msg += "\nexample rows (index as in the input):\n" + shown
        if self.also:
            msg += f"\nthe table also breaks {len(self.also)} more rule(s):"
            for column, rule, n in self.also:
                where = f"column '{column}': " if column else ""
                msg += f"\n  - {where}{rule} ({n} row{'s' if n != 1 else ''})"
        return msg


class DataNotFoundError(SegkitError, FileNotFoundError):
    """A bundled data file is missing from the data directory."""


class ParameterError(SegkitError, ValueError):
    """A report or function parameter is unknown, of the wrong type or out of range."""


class NotFittedError(SegkitError, _SklearnNotFittedError):
    """A model was used before ``fit`` was called.

    A subclass of scikit-learn's ``NotFittedError`` (itself a ValueError and an
    AttributeError), so ``sklearn.utils.validation.check_is_fitted`` and code that
    catches scikit-learn's error treat segkit's models alike.
    """


class ConvergenceError(SegkitError, RuntimeError):
    """A model's fit did not converge to a finite maximum; the message says what to try.

    A model never returns NaN parameters silently: a fit that stops without converging,
    or at a point where the log-likelihood or its gradient is not finite, raises this.
    """


class RenderError(SegkitError, RuntimeError):
    """A report failed to render; the previous good report was kept."""
