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

Text (one rule for every column read from text)
-----------------------------------------------
Surrounding whitespace is stripped, and the missing-value markers of
:data:`MISSING_MARKERS` (empty, ``NA``, ``N/A``, ``NULL``, ``None``, ``-``, ``无``,
``空``, in any case) are missing values, never an id or a category called "NULL".

Dates: one format per column
----------------------------
The format of a text date column is inferred from the *whole* column, never value by
value: year-month-day (``2024-03-01``, ``2024/3/1 9:00``, with or without a time) or
day and month before a four-digit year (``01.03.2024``, ``03/01/2024``). Whether the
day or the month comes first is decided by the values that can only be read one way
(``20/01/2024``); a column in which every value could be either needs ``date_format``,
and a column that mixes orders is refused with its rows. ``date_format`` (a strptime
format such as ``"%d/%m/%Y"``) overrides the inference.

Ids
---
Ids are kept as written (leading zeros included). Ids that differ only by leading zeros
(``020`` and ``20``) or ids written as decimal numbers (``1.0``, as a spreadsheet
exports them) are refused with examples, because one cannot tell whether they are one
customer or two.
"""

from __future__ import annotations

import re
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
    "MISSING_MARKERS",
    "MAX_ABS_NUMBER",
    "clean_text",
]

#: Text read as True / False in a flag column (compared in lower case, stripped).
TRUE_VALUES: frozenset[str] = frozenset({"true", "1", "yes", "y", "t", "是"})
FALSE_VALUES: frozenset[str] = frozenset({"false", "0", "no", "n", "f", "否"})
#: Text read as a missing value in every column (compared in lower case, stripped).
MISSING_MARKERS: frozenset[str] = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "-", "无", "空"}
)
#: Numbers at least this large (in absolute value) are refused as implausible: no
#: amount, cost or quantity of one line reaches a trillion, and such values come from
#: a misread column or a placeholder such as 1e308.
MAX_ABS_NUMBER: float = 1e12


def clean_text(s: pd.Series, *, cleaned: bool = False) -> pd.Series:
    """Text stripped of surrounding whitespace, missing markers turned into ``<NA>``.

    ``cleaned=True`` says the reader has already done both (:mod:`segkit.io` does it in
    DuckDB), so the text is only typed.

    >>> clean_text(pd.Series([" a ", "NULL", "无", None, "-"])).tolist()
    ['a', <NA>, <NA>, <NA>, <NA>]
    """
    if cleaned:
        return s.astype("string")
    text = s.astype("string").str.strip()
    marker = text.str.lower().isin(MISSING_MARKERS).fillna(False).to_numpy(dtype=bool)
    if marker.any():
        text = text.mask(marker)
    return text


def bad_rows(df: pd.DataFrame, mask) -> pd.DataFrame:
    """The rows of ``df`` where ``mask`` is true (a boolean array or Series)."""
    return df.loc[np.asarray(mask, dtype=bool)]


def _as_object(text: pd.Series) -> pd.Series:
    """A ``string`` Series as Python strings in an object column, missing as None."""
    out = text.astype(object)
    na = text.isna().to_numpy(dtype=bool)
    if na.any():
        out = out.where(~na, None)
    return out


def _quoted(values, n: int = 3) -> str:
    return ", ".join(repr(str(v)) for v in list(values)[:n])


def _check_id_forms(text: pd.Series, table: str, column: str, df: pd.DataFrame) -> None:
    """Refuse ids written as decimals (``1.0``) and ids differing only by leading zeros."""
    uniq = pd.Series(pd.unique(text.dropna().to_numpy(dtype=object)), dtype="string")
    if not len(uniq):
        return
    decimal = uniq.str.fullmatch(r"\d+\.0+").fillna(False).to_numpy(dtype=bool)
    if decimal.any():
        bad = text.isin(uniq[decimal]).fillna(False).to_numpy(dtype=bool)
        raise SchemaError(
            table,
            column,
            f"ids written as decimal numbers (e.g. {_quoted(uniq[decimal])}): a spreadsheet "
            "turned the ids into numbers, so '1.0' and '1' would be two customers; export "
            "the ids as text, as the source system writes them",
            bad_rows(df, bad),
            int(bad.sum()),
        )
    digits = uniq[uniq.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)]
    if len(digits) < 2:
        return
    norm = digits.str.lstrip("0").replace("", "0")
    dup = norm.duplicated(keep=False).to_numpy(dtype=bool)
    if dup.any():
        first = norm[dup].iloc[0]
        forms = digits[(norm == first).to_numpy(dtype=bool)]
        bad = text.isin(digits[dup]).fillna(False).to_numpy(dtype=bool)
        raise SchemaError(
            table,
            column,
            f"ids that differ only by leading zeros (e.g. {' and '.join(map(repr, forms[:3]))}): "
            "one cannot tell whether they are one customer or two; write every id as the "
            "source system does (keep the zeros everywhere, or nowhere)",
            bad_rows(df, bad),
            int(bad.sum()),
        )


def to_id(
    s: pd.Series,
    table: str,
    column: str,
    df: pd.DataFrame,
    *,
    keep_numeric: bool = False,
    cleaned: bool = False,
    forms_checked: bool = False,
) -> pd.Series:
    """Ids as text (or, with ``keep_numeric``, numeric ids as they are).

    Surrounding whitespace is stripped and missing markers (:data:`MISSING_MARKERS`)
    are missing ids (:func:`require` refuses them where a key must be present).
    Decimal numbers are refused as ids (they usually mean missing ids or a wrong
    column), and so are ids written as decimals (``1.0``) or differing only by leading
    zeros (``020`` beside ``20``). ``keep_numeric`` keeps the ids as they are (numbers,
    strings, categories), which the summary uses to avoid converting large integer keys
    and to return the ids in the caller's dtype.
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
    if pd.api.types.is_integer_dtype(s):
        return _as_object(s.astype("string"))
    if cleaned and forms_checked and s.dtype == object:
        return s  # segkit.io stripped the text and checked the forms in DuckDB
    text = clean_text(s, cleaned=cleaned)
    if not forms_checked:
        _check_id_forms(text, table, column, df)
    return _as_object(text)


def require(s: pd.Series, table: str, column: str, df: pd.DataFrame) -> pd.Series:
    """``s`` unchanged, or a SchemaError naming the rows where it is missing."""
    missing = np.asarray(s.isna())
    if missing.any():
        raise SchemaError(table, column, "missing values", bad_rows(df, missing),
                          int(missing.sum()))
    return s


#: A UTC offset after a time (``10:00+08:00``, ``10:00:00Z``); the time before it is group 1.
_OFFSET = r"(\d:\d{2}(?::\d{2})?(?:[.,]\d+)?)\s*((?:[+-]\d{2}:?\d{2}|Z))\s*$"


def _refuse_mixed_zones(text: pd.Series, table: str, column: str, df: pd.DataFrame) -> None:
    offsets = text.str.extract(_OFFSET, expand=True)[1]
    has = offsets.notna()
    if has.any() and (offsets[has].str.replace(":", "").replace("Z", "+0000").nunique() > 1
                      or (~has & text.notna()).any()):
        first = offsets[has].iloc[0]
        other = (has & (offsets != first)).fillna(False) | (~has & text.notna())
        raise SchemaError(
            table,
            column,
            "dates with different time-zone offsets (or some with and some without) in one "
            "column: segkit keeps every date as local time in its own zone, so one column "
            "must use one zone; convert them to one zone first",
            bad_rows(df, other),
            int(other.sum()),
        )


_DATE = re.compile(
    r"^(?P<a>\d{1,4})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?$"
)
#: A plain ISO date or time (no offset, no surrounding space): the fast path of
#: :func:`to_datetime`, which gives what the inference gives for such a column.
_ISO_PLAIN = r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
_DATE_HELP = (
    "use ISO dates such as 2024-03-01 or 2024-03-01 14:30, or give the column's format "
    "with date_format (e.g. '%d/%m/%Y %H:%M'; date_format: in the folder's segkit.yaml)"
)


def _infer_dates(uniq: pd.Series, table: str, column: str, df: pd.DataFrame,
                 text: pd.Series) -> pd.Series:
    """Parse the distinct date strings of one column with one inferred format."""
    parts = uniq.str.extract(_DATE)
    matched = parts["a"].notna().to_numpy(dtype=bool)
    a = pd.to_numeric(parts["a"], errors="coerce").astype("float64")
    b = pd.to_numeric(parts["b"], errors="coerce").astype("float64")
    la = parts["a"].str.len()
    lc = parts["c"].str.len()
    ymd = matched & ((la == 4) & (lc <= 2)).fillna(False).to_numpy(dtype=bool)
    dm = matched & ((la <= 2) & (lc == 4)).fillna(False).to_numpy(dtype=bool)
    day_first = dm & (a > 12).to_numpy(dtype=bool)
    month_first = dm & (b > 12).to_numpy(dtype=bool)
    order = pd.Series(np.where(ymd, "ymd", np.where(dm, "dm", "")), index=uniq.index)

    def rows(values_mask) -> np.ndarray:
        return text.isin(uniq[values_mask]).fillna(False).to_numpy(dtype=bool)

    def refuse_mixed(kinds: dict[str, np.ndarray]) -> None:
        counts = {k: int(rows(m).sum()) for k, m in kinds.items()}
        minority = min(counts, key=counts.get)
        bad = rows(kinds[minority])
        raise SchemaError(
            table,
            column,
            f"mixed date formats in one column ({' and '.join(kinds)}): a column must use "
            f"one format; the rows shown are the {minority} ones. Correct them, or give "
            "the format with date_format",
            bad_rows(df, bad),
            int(bad.sum()),
        )

    if ymd.any() and dm.any():
        refuse_mixed({"year-month-day": ymd, "day/month-year": dm})
    if day_first.any() and month_first.any():
        refuse_mixed({"day first (31/01/2024)": day_first,
                      "month first (01/31/2024)": month_first})
    if dm.any() and not day_first.any() and not month_first.any():
        bad = rows(dm)
        raise SchemaError(
            table,
            column,
            "ambiguous dates: day and month could be either way round in every value "
            "(e.g. 02/01/2024); give the column's format with date_format, e.g. "
            "date_format='%d/%m/%Y' or '%m/%d/%Y' (date_format: in the folder's segkit.yaml)",
            bad_rows(df, bad),
            int(bad.sum()),
        )
    year = np.where(ymd, parts["a"], parts["c"])
    if day_first.any():
        month, day = parts["b"], parts["a"]
    elif month_first.any():
        month, day = parts["a"], parts["b"]
    else:
        month, day = parts["b"], parts["c"]
    iso = (
        pd.Series(year, index=uniq.index, dtype="string") + "-"
        + pd.Series(month, dtype="string").str.zfill(2) + "-"
        + pd.Series(day, dtype="string").str.zfill(2)
    )
    time = parts["time"].fillna("").str[1:].str.replace(",", ".", regex=False)
    time = time.str.replace(r"^(\d):", r"0\1:", regex=True)
    time = (" " + time).where(time != "", "")
    iso = (iso + time).where(order != "", pd.NA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(iso, format="ISO8601", errors="coerce")


def to_datetime(
    s: pd.Series,
    table: str,
    column: str,
    df: pd.DataFrame,
    *,
    date_format: str | None = None,
    cleaned: bool = False,
) -> pd.Series:
    """Datetimes as naive ``datetime64[ns]`` in local time (see the module's rules).

    Text is parsed with one format for the whole column (inferred, or ``date_format``);
    numbers are refused with advice, and so is text that is not a date.
    """
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_localize(None).astype("datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]", copy=False)
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
    if date_format is None and s.dtype == object:
        # fast path: every value an ISO date or time without an offset (one format, the
        # same result as the inference below); anything else takes the full path
        fast = None
        nonnull = s.dropna()
        if len(nonnull) and nonnull.map(type).eq(str).all() and nonnull.str.fullmatch(
                _ISO_PLAIN).all():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fast = pd.to_datetime(s, format="ISO8601", errors="coerce")
        if (fast is not None and fast.dtype == "datetime64[ns]"
                and (fast.isna().to_numpy() == s.isna().to_numpy()).all()):
            return fast
    text = clean_text(s, cleaned=cleaned)
    _refuse_mixed_zones(text, table, column, df)
    text = text.str.replace(_OFFSET, r"\1", regex=True)  # one zone: keep the wall time
    codes, uniq = pd.factorize(text)
    uniq = pd.Series(uniq, dtype="string")
    if date_format:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parsed_u = pd.to_datetime(uniq, format=date_format, errors="coerce")
        rule = (f"dates that do not follow date_format {date_format!r}: correct them or "
                "change the format")
    else:
        parsed_u = _infer_dates(uniq, table, column, df, text)
        rule = f"unparseable dates: {_DATE_HELP}"
    if isinstance(parsed_u.dtype, pd.DatetimeTZDtype):
        parsed_u = parsed_u.dt.tz_localize(None)
    values = parsed_u.to_numpy(dtype="datetime64[ns]")
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    have = codes >= 0
    out[have] = values[codes[have]]
    unparseable = have & np.isnat(out)
    if unparseable.any():
        raise SchemaError(table, column, rule, bad_rows(df, unparseable),
                          int(unparseable.sum()))
    return pd.Series(out, index=s.index, name=s.name)


def _number_text(text: pd.Series, table: str, column: str, df: pd.DataFrame,
                 decimal: str, thousands: str | None) -> pd.Series:
    """Text numbers written with ``decimal`` and ``thousands`` marks, in the C locale."""
    if thousands:
        has = text.str.contains(thousands, regex=False).fillna(False)
        if has.any():
            d, t = re.escape(decimal), re.escape(thousands)
            ok = text.str.fullmatch(rf"[+-]?\d{{1,3}}(?:{t}\d{{3}})+(?:{d}\d*)?").fillna(False)
            bad = (has & ~ok).to_numpy(dtype=bool)
            if bad.any():
                raise SchemaError(
                    table, column,
                    f"the thousands mark {thousands!r} is not between groups of three "
                    "digits: check the decimal and thousands marks of the file",
                    bad_rows(df, bad), int(bad.sum()))
            text = text.str.replace(thousands, "", regex=False)
    if decimal != ".":
        dot = text.str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
        if dot.any():
            raise SchemaError(
                table, column,
                f"a '.' in numbers written with the decimal mark {decimal!r}: check the "
                "decimal and thousands marks of the file",
                bad_rows(df, dot), int(dot.sum()))
        text = text.str.replace(decimal, ".", regex=False)
    return text


def to_number(
    s: pd.Series,
    table: str,
    column: str,
    df: pd.DataFrame,
    *,
    whole: bool = False,
    nullable: bool = True,
    decimal: str = ".",
    thousands: str | None = None,
    cleaned: bool = False,
) -> pd.Series:
    """Numbers as ``float64`` (or integers with ``whole``); text that is no number is refused.

    Text is read with the ``decimal`` and ``thousands`` marks (``"1.234,5"`` with
    ``decimal=","``, ``thousands="."``); a thousands mark must separate groups of three
    digits. Infinite values and values of :data:`MAX_ABS_NUMBER` or more are refused.
    With ``nullable=False`` missing values are refused too.
    """
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or (
        pd.api.types.is_complex_dtype(s)
    ):
        raise SchemaError(table, column, f"wrong type: expected numbers, got {s.dtype}",
                          df.head())
    if not pd.api.types.is_numeric_dtype(s):
        text = _number_text(clean_text(s, cleaned=cleaned), table, column, df, decimal, thousands)
        num = pd.to_numeric(text, errors="coerce")
        bad = (num.isna() & text.notna()).to_numpy(dtype=bool)
        if bad.any():
            hint = "remove currency signs"
            shown = text[bad]
            if decimal == "." and shown.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).any():
                hint += "; for decimal commas (12,50) pass decimal=','"
            elif shown.str.contains(r"\d[,.' ]\d{3}", regex=True).fillna(False).any():
                hint += "; for thousands separators (1,234.50) pass thousands=','"
            else:
                hint += " and thousands separators, or pass decimal= and thousands="
            raise SchemaError(
                table,
                column,
                "wrong type: expected numbers, found text that is not a number "
                f"({hint}; decimal: and thousands: in the folder's segkit.yaml)",
                bad_rows(df, bad),
                int(bad.sum()),
            )
        s = num.astype("Float64") if num.dtype == object else num
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        plain = bool((np.abs(values) < MAX_ABS_NUMBER).all())  # no NaN, inf or huge value
    if not plain:
        infinite = np.isinf(values)
        if infinite.any():
            raise SchemaError(table, column, "infinite values", bad_rows(df, infinite),
                              int(infinite.sum()))
        with np.errstate(invalid="ignore"):
            absurd = np.abs(values) >= MAX_ABS_NUMBER
        if absurd.any():
            raise SchemaError(
                table, column,
                f"implausibly large values (at least {MAX_ABS_NUMBER:.0e} in absolute value): "
                "a misread column or a placeholder; correct or remove these rows",
                bad_rows(df, absurd), int(absurd.sum()))
        if not nullable:
            na = np.isnan(values)
            if na.any():
                raise SchemaError(table, column, "missing values", bad_rows(df, na),
                                  int(na.sum()))
    if whole:
        frac = values != np.floor(values)
        if not plain:
            frac &= ~np.isnan(values)
        if frac.any():
            raise SchemaError(table, column, "wrong type: expected whole numbers",
                              bad_rows(df, frac), int(frac.sum()))
        out = pd.Series(values, index=s.index, name=s.name)
        if nullable or (not plain and np.isnan(values).any()):
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
    """Text (and categories) as Python strings, stripped; missing markers are missing."""
    if pd.api.types.is_float_dtype(s) and s.notna().any():
        raise SchemaError(
            table, column, f"wrong type: expected text, got {s.dtype} numbers", df.head()
        )
    if s.isna().all():
        return s.astype(object)
    return _as_object(clean_text(s))


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
    kind: str,
    s: pd.Series,
    table: str,
    column: str,
    df: pd.DataFrame,
    *,
    nullable: bool = True,
    date_format: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    cleaned: bool = False,
    forms_checked: bool = False,
) -> pd.Series:
    """Convert ``s`` to the canonical type of a column of logical ``kind``.

    >>> import pandas as pd
    >>> raw = pd.DataFrame({"n": ["1", " 2", ""]})
    >>> convert("int", raw["n"], "t", "n", raw).tolist()
    [1, 2, <NA>]
    """
    if kind in ("int", "float"):
        return to_number(s, table, column, df, whole=kind == "int",
                         nullable=nullable if kind == "int" else True,
                         decimal=decimal, thousands=thousands, cleaned=cleaned)
    if kind == "datetime":
        return to_datetime(s, table, column, df, date_format=date_format, cleaned=cleaned)
    if kind == "id":
        return to_id(s, table, column, df, cleaned=cleaned, forms_checked=forms_checked)
    return CONVERTERS[kind](s, table, column, df)
