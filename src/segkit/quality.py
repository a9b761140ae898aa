"""Data quality: a summary of every table, and example rows to show.

:func:`data_quality` gives one row per table (size, missing values, dates, duplicate
rows and keys, share of returns, rows after the observation end);
:func:`format_data_quality` makes it ready to show in a language of the glossary;
:func:`example_rows` picks the first rows of a table in time order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import glossary
from .data import is_return, time_columns
from .data import observation_end as _observation_end
from .schema import TABLES, CustomerData

__all__ = ["data_quality", "format_data_quality", "example_rows", "format_rows", "fmt_int",
           "fmt_pct", "fmt_date"]


def data_quality(data: CustomerData, *, observation_end=None) -> pd.DataFrame:
    """One row per table: size, missing values, dates, duplicates, returns, late rows.

    Parameters
    ----------
    data : CustomerData
    observation_end : date-like, optional
        Rows with any date after it are counted in ``rows_after_end``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``table``, with ``rows``, ``columns``, ``customers`` (distinct ids),
        ``missing_values`` (empty cells), ``missing_share`` (of all cells),
        ``first_date`` and ``last_date`` (of the table's first time column),
        ``duplicate_rows`` (rows equal to an earlier row), ``duplicate_keys`` (rows whose
        key repeats an earlier row's, for tables with a key), ``returns_share`` (share of
        transaction lines that are returns) and ``rows_after_end``.
    """
    end = _observation_end(data, observation_end)
    rows = []
    for name, df in data.tables().items():
        spec = TABLES[name]
        times = time_columns(name, df)
        key = [k for k in spec.key if k in df.columns]
        missing = int(df.isna().sum().sum())
        cells = df.shape[0] * df.shape[1]
        after = (
            int(pd.concat([df[c] > end for c in times], axis=1).any(axis=1).sum()) if times else 0
        )
        rows.append(
            {
                "table": name,
                "rows": len(df),
                "columns": df.shape[1],
                "customers": df["customer_id"].nunique() if "customer_id" in df.columns else pd.NA,
                "missing_values": missing,
                "missing_share": missing / cells if cells else np.nan,
                "first_date": df[times[0]].min() if times else pd.NaT,
                "last_date": df[times[0]].max() if times else pd.NaT,
                "duplicate_rows": int(df.duplicated().sum()),
                "duplicate_keys": (
                    int(df.duplicated(key).sum()) if key and len(key) == len(spec.key) else pd.NA
                ),
                "returns_share": (
                    float(is_return(df).mean()) if name == "transactions" and len(df) else np.nan
                ),
                "rows_after_end": after,
            }
        )
    out = pd.DataFrame(rows).set_index("table")
    for c in (
        "rows",
        "columns",
        "customers",
        "missing_values",
        "duplicate_rows",
        "duplicate_keys",
        "rows_after_end",
    ):
        out[c] = out[c].astype("Int64")
    for c in ("first_date", "last_date"):
        out[c] = pd.to_datetime(out[c])
    out["missing_share"] = out["missing_share"].astype(float)
    out["returns_share"] = out["returns_share"].astype(float)
    return out


def fmt_int(v) -> str:
    return "" if pd.isna(v) else f"{int(v):,}"


def fmt_pct(v) -> str:
    if pd.isna(v):
        return ""
    return "0%" if v == 0 else f"{100 * v:.3g}%"


def fmt_date(v) -> str:
    return "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


_DQ_FORMATS = {
    "rows": fmt_int,
    "columns": fmt_int,
    "customers": fmt_int,
    "missing_values": fmt_int,
    "missing_share": fmt_pct,
    "first_date": fmt_date,
    "last_date": fmt_date,
    "duplicate_rows": fmt_int,
    "duplicate_keys": fmt_int,
    "returns_share": fmt_pct,
    "rows_after_end": fmt_int,
}


def format_data_quality(quality: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The data-quality table ready to show: text cells, labels in ``lang``.

    Counts get thousands separators, shares are percentages with three significant
    digits, dates are ``YYYY-MM-DD``, missing cells are empty.

    Parameters
    ----------
    quality : pandas.DataFrame
        Output of :func:`data_quality`.
    lang : str, default "en"

    Returns
    -------
    pandas.DataFrame
    """
    g = glossary.Glossary(lang)
    out = pd.DataFrame(index=quality.index)
    for col, fmt in _DQ_FORMATS.items():
        if col in quality.columns:
            out[g[f"dq_{col}"]] = quality[col].map(fmt)
    out.index = [g[f"table_{name}"] for name in quality.index]
    out.index.name = g["dq_table"]
    return out


def example_rows(df: pd.DataFrame, n: int = 5, *, table: str | None = None) -> pd.DataFrame:
    """The first ``n`` rows of a table in time order (by its first time column).

    Parameters
    ----------
    df : pandas.DataFrame
    n : int, default 5
    table : str, optional
        Name of the table in the data model, to find its time column.

    Returns
    -------
    pandas.DataFrame
    """
    cols = time_columns(table, df) if table else []
    ordered = df.sort_values(cols[0], kind="stable") if cols else df
    return ordered.head(n).reset_index(drop=True)


def _fmt_value(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, bool | np.bool_):
        return "✓" if v else ""
    if isinstance(v, float | np.floating):
        return f"{v:,.2f}"
    return str(v)


def format_rows(df: pd.DataFrame, table: str, lang: str = "en") -> pd.DataFrame:
    """Rows of a canonical table ready to show: labels in ``lang``, text cells.

    Column names and the values of category columns with a fixed list come from the
    glossary; dates are ``YYYY-MM-DD`` (with the time when there is one), amounts have
    two decimals, flags a check mark, missing cells are empty.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": ["c-1"], "timestamp": [pd.Timestamp("2024-01-02")],
    ...                      "kind": ["reactivated"], "reason": [None]})
    >>> format_rows(rows, "exits", "zh").to_dict("records")
    [{'客户编号': 'c-1', '时间': '2024-01-02', '类型': '重新激活', '原因': ''}]
    """
    g = glossary.Glossary(lang)
    spec = TABLES.get(table)
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        values = df[col]
        allowed = spec is not None and col in spec.names and spec.column(col).allowed
        if allowed:
            shown = values.map(lambda v, c=col: "" if v is None or v != v
                               else g.category(table, c, v))
        else:
            shown = values.map(_fmt_value)
        label = g[f"col_{col}"] if f"col_{col}" in glossary.TERMS else str(col)
        out[label] = shown
    return out

