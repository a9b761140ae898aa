"""Reading the user's own tables: CSV files in any encoding, with a column map."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .data import observation_end as _observation_end
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

    ``transactions.csv`` or ``customers.csv`` is required (a subscription business may
    have customers and contracts only); the other tables of the data model are read
    when their file exists. The tables are validated one by one and then together
    (every customer id must exist in ``customers.csv`` when that file is given).
    ``observation_end`` defaults to :func:`segkit.data.observation_end` of the
    validated tables: the last transaction, else the last dated event.
    """
    folder = Path(folder)
    tables = {
        name: _read_raw(folder / f"{name}.csv", name, encoding)
        for name in TABLES
        if (folder / f"{name}.csv").exists()
    }
    if "transactions" not in tables and "customers" not in tables:
        raise SchemaError(
            "transactions", None,
            f"neither transactions.csv nor customers.csv in {folder}; a company needs one "
            "of them",
        )
    data = CustomerData(**tables, source=str(folder))
    if observation_end is None:
        checked = validate_tables(data, column_maps=column_maps)
        return dataclasses.replace(checked, observation_end=_observation_end(checked))
    data = dataclasses.replace(data, observation_end=pd.Timestamp(observation_end))
    return validate_tables(data, column_maps=column_maps)
