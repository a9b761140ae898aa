"""Reading the user's own tables: CSV files in any encoding, with a column map."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .exceptions import SchemaError
from .schema import TABLES, CustomerData, validate, validate_tables

__all__ = ["read_csv", "read_tables"]


def read_csv(
    path: str | Path,
    table: str,
    *,
    column_map: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    observation_end=None,
    **read_kwargs,
) -> pd.DataFrame:
    """Read one table from a CSV file and validate it.

    Every column is read as text first, so that ids keep their leading zeros and
    nothing is guessed before :func:`segkit.schema.validate` converts each column
    to its canonical type (with clear errors where that fails).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    table : str
        The table of the data model it holds (``"transactions"``, ...).
    column_map : mapping, optional
        Your column name -> canonical name, e.g. ``{"客户编号": "customer_id"}``.
    encoding : str, default "utf-8"
        The file's text encoding. A UTF-8 byte-order mark is accepted. Files saved by
        Excel on a Chinese Windows system are usually ``"gbk"`` (or ``"gb18030"``).
    observation_end : date-like, optional
        No date in the table may be later.
    **read_kwargs
        Passed to :func:`pandas.read_csv` (``sep``, ``decimal``, ...).

    Examples
    --------
    >>> from segkit.config import data_path
    >>> tx = read_csv(data_path("demo", "transactions.csv"), "transactions")
    >>> tx["timestamp"].dtype
    dtype('<M8[ns]')
    """
    raw = _read_raw(path, table, encoding, **read_kwargs)
    return validate(raw, table, column_map=column_map, observation_end=observation_end)


def _read_raw(path: str | Path, table: str, encoding: str, **read_kwargs) -> pd.DataFrame:
    path = Path(path)
    if encoding.lower().replace("-", "").replace("_", "") in {"utf8", "utf8sig"}:
        encoding = "utf-8-sig"
    try:
        raw = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False,
                          na_values=[""], **read_kwargs)
    except UnicodeDecodeError as err:
        raise SchemaError(
            table,
            None,
            f"{path.name} is not valid {encoding} text ({err.reason} at byte {err.start}); "
            "pass the file's encoding, e.g. encoding='gbk' for a CSV saved by Excel on a "
            "Chinese Windows system",
        ) from None
    except pd.errors.EmptyDataError:
        raise SchemaError(table, None, f"{path.name} is empty (no header, no rows)") from None
    return raw


def read_tables(
    folder: str | Path,
    *,
    column_maps: Mapping[str, Mapping[str, str]] | None = None,
    encoding: str = "utf-8",
    observation_end=None,
) -> CustomerData:
    """Read a company's tables from ``<table>.csv`` files in a folder.

    ``transactions.csv`` is required; the other tables of the data model are read
    when their file exists. The tables are validated one by one and then together
    (every customer id must exist in ``customers.csv`` when that file is given).
    ``observation_end`` defaults to the last transaction date.
    """
    folder = Path(folder)
    if not (folder / "transactions.csv").exists():
        raise SchemaError(
            "transactions", None, f"no transactions.csv in {folder}; it is the one required table"
        )
    tables = {
        name: _read_raw(folder / f"{name}.csv", name, encoding)
        for name in TABLES
        if (folder / f"{name}.csv").exists()
    }
    if observation_end is None:
        tx = validate(tables["transactions"], "transactions",
                      column_map=(column_maps or {}).get("transactions"))
        observation_end = tx["timestamp"].max()
    data = CustomerData(**tables, observation_end=pd.Timestamp(observation_end),
                        source=str(folder))
    return validate_tables(data, column_maps=column_maps)
