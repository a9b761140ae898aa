"""Column converters: the one place where raw columns become canonical types.

:func:`segkit.schema.validate` converts every column of a table with these functions,
and the customer summary (:mod:`segkit.features.summary`) checks its id, time and
amount columns with the same ones, so that a value refused by one is refused by the
other, with the same message.

Each converter takes the column, the table and column names (for the error) and the
frame the column came from (for example rows), and returns the converted column or
raises :class:`~segkit.exceptions.SchemaError`.

Time zones (one rule for every table and the summary)
-----------------------------------------------------
Every datetime is kept as a *naive local time*: a time-zone-aware column (a
``datetime64[ns, tz]`` dtype, or text with a UTC offset such as ``+08:00``) keeps the
wall-clock time of its own zone and loses the zone, as ``Series.dt.to_period`` counts
periods. A text column whose values carry *different* offsets is refused (the rows are
named), because one cannot tell which local time the user means.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from .exceptions import SchemaError

__all__ = [
    "bad_rows",
    "require",
    "convert",
    "to_id",
    "to_datetime",
    "to_number",
    "to_bool",
    "to_text",
    "CONVERTERS",
    "TRUE_VALUES",
    "FALSE_VALUES",
]

#: Text read as True / False in a flag column (compared in lower case, stripped).
TRUE_VALUES: frozenset[str] = frozenset({"true", "1", "yes", "y", "t", "是"})
FALSE_VALUES: frozenset[str] = frozenset({"false", "0", "no", "n", "f", "否"})


def bad_rows(df: pd.DataFrame, mask) -> pd.DataFrame:
    """The rows of ``df`` where ``mask`` is true (a boolean array or Series)."""
    return df.loc[np.asarray(mask, dtype=bool)]


def to_id(
    s: pd.Series, table: str, column: str, df: pd.DataFrame, *, keep_numeric: bool = False
) -> pd.Series:
    """Ids as text (or, with ``keep_numeric``, numeric ids as they are).

    Missing ids stay missing (:func:`require` refuses them where a key must be
    present). Decimal numbers are refused as text ids (they usually mean missing ids or
    a wrong column); ``keep_numeric`` keeps the ids as they are (numbers, strings,
    categories), which the summary uses to avoid converting large integer keys and to
    return the ids in the caller's dtype.
    """
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        raise SchemaError(
            table, column, f"wrong type: ids must be text or whole numbers, got {s.dtype}",
            df.head(),
        )
    if keep_numeric:
        return s
    if pd.api.types.is_float_dtype(s):
        raise SchemaError(
            table,
            column,
            f"wrong type: ids must be text or whole numbers, got {s.dtype} "
            "(ids read as decimals usually mean missing ids or a wrong column)",
            bad_rows(df, s.notna()),
        )
    return to_text(s, table, column, df)


def require(s: pd.Series, table: str, column: str, df: pd.DataFrame) -> pd.Series:
    """``s`` unchanged, or a SchemaError naming the rows where it is missing."""
    missing = np.asarray(s.isna())
    if missing.any():
        raise SchemaError(table, column, "missing values", bad_rows(df, missing),
                          int(missing.sum()))
    return s


def _refuse_mixed_zones(text: pd.Series, table: str, column: str, df: pd.DataFrame) -> None:
    offsets = text.str.extract(r"((?:[+-]\d{2}:?\d{2}|Z))\s*$", expand=False)
    has = offsets.notna()
    if has.any() and (offsets[has].str.replace(":", "").replace("Z", "+0000").nunique() > 1
                      or (~has & text.notna() & (text != "")).any()):
        first = offsets[has].iloc[0]
        other = has & (offsets != first) | (~has & text.notna() & (text != ""))
        raise SchemaError(
            table,
            column,
            "dates with different time-zone offsets (or some with and some without) in one "
            "column: segkit keeps every date as local time in its own zone, so one column "
            "must use one zone; convert them to one zone first",
            bad_rows(df, other),
            int(other.sum()),
        )


def to_datetime(s: pd.Series, table: str, column: str, df: pd.DataFrame) -> pd.Series:
    """Datetimes as naive ``datetime64[ns]`` in local time (see the module's time-zone rule).

    Text is parsed (ISO dates such as ``2024-03-01`` or ``2024-03-01 14:30``); numbers
    are refused with advice, and so is text that is not a date.
    """
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        if s.isna().all():
            return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        raise SchemaError(
            table,
            column,
            f"wrong type: expected dates, got {s.dtype} numbers; parse them first "
            "(for example pd.to_datetime(s.astype(str), format='%Y%m%d'), or "
            "pandas.to_datetime(..., unit='s') for epoch numbers)",
            df.head(),
        )
    text = s.astype("string").str.strip()
    _refuse_mixed_zones(text, table, column, df)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    unparseable = parsed.isna() & text.notna() & (text != "")
    if unparseable.any():
        raise SchemaError(
            table,
            column,
            "unparseable dates: use ISO dates such as 2024-03-01 or 2024-03-01 14:30",
            bad_rows(df, unparseable),
            int(unparseable.sum()),
        )
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def to_number(
    s: pd.Series,
    table: str,
    column: str,
    df: pd.DataFrame,
    *,
    whole: bool = False,
    nullable: bool = True,
) -> pd.Series:
    """Numbers as ``float64`` (or integers with ``whole``); text that is no number is refused.

    Infinite values are refused. With ``nullable=False`` missing values are refused too.
    """
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or (
        pd.api.types.is_complex_dtype(s)
    ):
        raise SchemaError(table, column, f"wrong type: expected numbers, got {s.dtype}",
                          df.head())
    if not pd.api.types.is_numeric_dtype(s):
        text = s.astype("string").str.strip()
        num = pd.to_numeric(text, errors="coerce")
        bad = num.isna() & s.notna() & (text != "")
        if bad.any():
            raise SchemaError(
                table,
                column,
                "wrong type: expected numbers, found text that is not a number "
                "(remove currency signs and thousands separators)",
                bad_rows(df, bad),
                int(bad.sum()),
            )
        s = num
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise SchemaError(table, column, "infinite values", bad_rows(df, infinite),
                          int(infinite.sum()))
    if not nullable:
        na = np.isnan(values)
        if na.any():
            raise SchemaError(table, column, "missing values", bad_rows(df, na), int(na.sum()))
    if whole:
        frac = ~np.isnan(values) & (values != np.floor(values))
        if frac.any():
            raise SchemaError(table, column, "wrong type: expected whole numbers",
                              bad_rows(df, frac), int(frac.sum()))
        out = pd.Series(s, index=s.index)
        if np.isnan(values).any() or nullable:
            return out.astype("Int64")
        return out.astype("int64")
    return pd.Series(values, index=s.index, name=s.name)


def to_bool(s: pd.Series, table: str, column: str, df: pd.DataFrame) -> pd.Series:
    """Flags as ``bool``: True/False, 1/0, yes/no, y/n, t/f or 是/否."""
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.astype(bool)
    text = s.astype("string").str.strip().str.lower()
    ok = text.isin(TRUE_VALUES | FALSE_VALUES).fillna(False)
    if not ok.all():
        raise SchemaError(
            table,
            column,
            "wrong type: expected true/false values (True/False, 1/0, yes/no or 是/否)",
            bad_rows(df, ~ok),
            int((~ok).sum()),
        )
    return text.isin(TRUE_VALUES).astype(bool)


def to_text(s: pd.Series, table: str, column: str, df: pd.DataFrame) -> pd.Series:
    """Text (and categories) as Python strings; missing values stay missing."""
    if pd.api.types.is_float_dtype(s) and s.notna().any():
        raise SchemaError(
            table, column, f"wrong type: expected text, got {s.dtype} numbers", df.head()
        )
    out = s.astype(object)
    nonnull = out.notna()
    return out.where(~nonnull, out[nonnull].map(str)) if nonnull.any() else out


#: Converter of each logical column kind of :class:`segkit.schema.Column`.
CONVERTERS: dict[str, Callable[..., pd.Series]] = {
    "id": to_id,
    "datetime": to_datetime,
    "float": to_number,
    "int": to_number,
    "bool": to_bool,
    "category": to_text,
    "text": to_text,
}


def convert(
    kind: str, s: pd.Series, table: str, column: str, df: pd.DataFrame, *, nullable: bool = True
) -> pd.Series:
    """Convert ``s`` to the canonical type of a column of logical ``kind``.

    >>> import pandas as pd
    >>> raw = pd.DataFrame({"n": ["1", " 2", ""]})
    >>> convert("int", raw["n"], "t", "n", raw).tolist()
    [1, 2, <NA>]
    """
    if kind == "int":
        return to_number(s, table, column, df, whole=True, nullable=nullable)
    return CONVERTERS[kind](s, table, column, df)
