"""Reading the user's own tables: CSV files in any encoding, with a column map.

Files are parsed by DuckDB's CSV reader (every column as text, so that ids keep their
leading zeros and nothing is guessed value by value), then converted and validated
column by column by :func:`segkit.schema.validate`: one date format per column, the
decimal and thousands marks given, missing markers (``NULL``, ``N/A``, ``无`` ...) as
missing values. A malformed file (a ragged row, a wrong separator, a wrong encoding)
gives a :class:`~segkit.exceptions.SchemaError` naming the line.

A folder of tables (:func:`read_tables`) may carry a manifest, ``segkit.yaml``, that
says per table how to read it, so that the command line reads exactly what the Python
API can::

    observation_end: 2024-06-30      # optional
    encoding: utf-8                  # defaults for every table (optional)
    tables:
      transactions:
        file: orders_zh_gbk.csv
        encoding: gbk
        sep: ","
        date_format: "%Y/%m/%d"      # or one per column: {timestamp: "%Y/%m/%d"}
        decimal: "."
        thousands: ","
        column_map: {客户编号: customer_id, 下单时间: timestamp, 金额: amount}
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import re
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from .convert import MISSING_MARKERS
from .data import observation_end as _observation_end
from .exceptions import ParameterError, SchemaError
from .schema import TABLES, CustomerData, validate, validate_tables

__all__ = ["read_csv", "read_tables", "read_manifest", "MANIFEST", "READ_OPTIONS"]

#: The name of a folder's manifest.
MANIFEST = "segkit.yaml"
#: The options of one table in a manifest, with their meaning.
READ_OPTIONS: dict[str, str] = {
    "file": "the file, relative to the folder (default: <table>.csv, in any case)",
    "encoding": "text encoding, e.g. gbk (default utf-8, with or without BOM)",
    "sep": "field separator (default ',')",
    "date_format": "strptime format of the date columns, or one per column",
    "decimal": "decimal mark of numbers (default '.')",
    "thousands": "thousands mark of numbers (default none)",
    "column_map": "your column name -> canonical name",
}
_SEPARATORS = (",", ";", "\t", "|")
#: The missing markers of segkit.convert, as an SQL list.
_MARKERS_SQL = ", ".join("'" + m.replace("'", "''") + "'" for m in sorted(MISSING_MARKERS))
#: Whitespace stripped around every value (as str.strip does for these characters).
_SPACE_CHARS = " \t\r\n"
_SPACE = "'" + _SPACE_CHARS + "'"
_SPACE_LIST = ", ".join("'" + ch + "'" for ch in _SPACE_CHARS)
_MAX_MARKER = max(len(m) for m in MISSING_MARKERS)


def _dirty_sql(c: str) -> str:
    """SQL: the value needs stripping or is a missing marker."""
    return (f"(left({c}, 1) IN ({_SPACE_LIST}) OR right({c}, 1) IN ({_SPACE_LIST}) OR "
            f"(length({c}) <= {_MAX_MARKER} AND lower({c}) IN ({_MARKERS_SQL})))")


def _clean_sql(c: str) -> str:
    """SQL: the value stripped, a missing marker as NULL (the rule of segkit.convert)."""
    t = f"trim({c}, {_SPACE})"
    return f"CASE WHEN lower({t}) IN ({_MARKERS_SQL}) THEN NULL ELSE {t} END"


def read_csv(
    path: str | Path,
    table: str,
    *,
    column_map: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    sep: str = ",",
    date_format: str | Mapping[str, str] | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    observation_end=None,
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
    sep : str, default ","
        The field separator (``";"`` for most European exports, ``"\\t"``).
    date_format : str or mapping, optional
        The strptime format of the date columns (``"%d/%m/%Y"``), or one per canonical
        column; without it each column's one format is inferred from all its values.
    decimal, thousands : str, optional
        The decimal and thousands marks of numbers (``decimal=","``, ``thousands="."``
        for ``1.234,50``).
    observation_end : date-like, optional
        No date in the table may be later. Without it, no date may lie in the future.

    Examples
    --------
    >>> from segkit.config import data_path
    >>> tx = read_csv(data_path("demo", "transactions.csv"), "transactions")
    >>> tx["timestamp"].dtype
    dtype('<M8[ns]')
    """
    raw = _read_raw(path, table, encoding, sep,
                    typed=_typed_columns(table, column_map, date_format, decimal, thousands))
    return validate(raw, table, column_map=column_map, observation_end=observation_end,
                    date_format=date_format, decimal=decimal, thousands=thousands)


def _encoding(encoding: str) -> str:
    if encoding.lower().replace("-", "").replace("_", "") in {"utf8", "utf8sig"}:
        return "utf-8-sig"
    return encoding


def _decode_error(path: Path, table: str, encoding: str, err: UnicodeDecodeError,
                  offset: int = 0) -> SchemaError:
    return SchemaError(
        table,
        None,
        f"{path.name} is not valid {encoding} text ({err.reason} at byte {offset + err.start}); "
        "pass the file's encoding, e.g. encoding='gbk' for a CSV saved by Excel on a "
        "Chinese Windows system (in a folder: encoding: gbk for this table in its "
        f"{MANIFEST})",
    )


def _header(path: Path, table: str, encoding: str, sep: str) -> list[str]:
    try:
        with open(path, encoding=encoding, newline="") as fh:
            header = next(csv.reader(fh, delimiter=sep), None)
    except UnicodeDecodeError as err:
        raise _decode_error(path, table, encoding, err) from None
    if not header or not any(h.strip() for h in header):
        raise SchemaError(table, None, f"{path.name} is empty (no header, no rows)")
    if len(header) == 1:
        others = [s for s in _SEPARATORS if s != sep and s in header[0]]
        if others:
            raise SchemaError(
                table, None,
                f"{path.name}, line 1: the header is one column {header[0][:60]!r}; the file "
                f"seems separated by {others[0]!r}, not {sep!r}: pass sep={others[0]!r} "
                f"(sep: {others[0]!r} in the folder's {MANIFEST})",
            )
    return header


def _transcode(path: Path, table: str, encoding: str, target: Path) -> None:
    """Write ``path`` as UTF-8 to ``target``, streaming; a decoding error names the byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 22):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError as err:
                raise _decode_error(path, table, encoding, err, offset) from None
            offset += len(chunk)
        try:
            dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as err:
            raise _decode_error(path, table, encoding, err, offset) from None


def _csv_error(path: Path, table: str, sep: str, err: Exception, n_columns: int) -> SchemaError:
    text = str(err)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    original = re.search(r"Original Line: ?(.*)", text)
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    where = f"{path.name}, line {line.group(1)}" if line else path.name
    shown = original.group(1).strip() if original else ""
    if found:
        what = (f"{found.group(2)} fields where the header has {found.group(1)}"
                f" ({shown[:80]!r})")
    else:
        what = (text.splitlines()[0] if text else type(err).__name__) + (
            f" ({shown[:80]!r})" if shown else "")
    others = [s for s in _SEPARATORS if s != sep and s in shown]
    advice = (f"; if the fields are separated by {others[0]!r}, pass sep={others[0]!r}"
              if others else f"; check the separator (sep={sep!r})")
    return SchemaError(
        table, None,
        f"{where}: {what}{advice}, quoting (values with a separator need quotes) and any "
        f"total or comment lines (sep: in the folder's {MANIFEST})",
    )


def _typed_columns(table: str, column_map=None, date_format=None, decimal: str = ".",
                   thousands=None) -> dict:
    """Canonical column -> kind of the columns DuckDB may type directly: numbers written
    plainly (no decimal or thousands marks given) and dates without a date_format."""
    spec = TABLES.get(table)
    if spec is None:
        return {}
    dated = set(date_format) if isinstance(date_format, Mapping) else (
        {c.name for c in spec.columns} if date_format else set())
    plain = decimal == "." and not thousands
    typed = {c.name: c.kind for c in spec.columns
             if (c.kind in ("float", "int") and plain)
             or (c.kind == "datetime" and c.name not in dated)}
    keys = list(spec.key) if len(spec.key) == 1 else []
    ids = [c.name for c in spec.columns if c.kind == "id"]
    return {"columns": typed, "map": dict(column_map or {}), "keys": keys, "ids": ids}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _typed_sql(c: str, kind: str) -> tuple[str, str]:
    """(typed expression, flag that every value of the column can take it) for column c.

    Dates: ISO dates and times without an offset only (``2024-03-01``,
    ``2024-03-01 14:30:00``, ``T`` allowed), the one format segkit.convert infers for such
    a column, so the result is the same. Numbers: digits, sign, point and exponent only.
    """
    if kind == "datetime":
        cast = f"TRY_CAST({c} AS TIMESTAMP)"
        ok = (f"{c} SIMILAR TO '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([ T][0-9:.]*)?' "
              f"AND {cast} IS NOT NULL")
    else:
        cast = f"TRY_CAST({c} AS DOUBLE)"
        ok = f"{c} SIMILAR TO '[+-]?[0-9]*[.]?[0-9]*([eE][+-]?[0-9]+)?' AND {cast} IS NOT NULL"
    return cast, f"bool_and({c} IS NULL OR ({ok}))"


def _read_raw(path: str | Path, table: str, encoding: str = "utf-8",
              sep: str = ",", typed: Mapping | None = None) -> pd.DataFrame:
    """The file as a frame of text columns (None where empty), index 0, 1, ...

    Text is stripped and missing markers are None (the rule of :mod:`segkit.convert`,
    applied in DuckDB). Columns named in ``typed`` (see :func:`_typed_columns`) whose
    every value is a plain number or an ISO date come typed (float64, datetime64),
    so that no Python string is made for them; any other value leaves the column as
    text for :func:`segkit.schema.validate` to convert or refuse with its message.
    """
    path = Path(path)
    if not path.is_file():
        raise SchemaError(table, None, f"no file {path}")
    if len(sep) != 1:
        raise SchemaError(table, None, f"sep must be one character, got {sep!r}")
    encoding = _encoding(encoding)
    header = _header(path, table, encoding, sep)
    with tempfile.TemporaryDirectory(prefix="segkit-read-") as tmp:
        source = path
        if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
            source = Path(tmp) / "utf8.csv"
            _transcode(path, table, encoding, source)
        columns = {f"c{i}": "VARCHAR" for i in range(len(header))}
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        try:
            spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
            con.execute(
                f"CREATE TEMP VIEW rawv AS SELECT * FROM read_csv({_sql_text(str(source))}, "
                f"header = true, delim = {_sql_text(sep)}, quote = '\"', escape = '\"', "
                f"columns = {{{spec}}}, auto_detect = false, strict_mode = true)")
            kinds, keys, ids = {}, {}, []
            if typed:
                for c, h in zip(columns, header, strict=True):
                    canon = str(typed["map"].get(h, h)).strip()
                    if canon in typed["columns"]:
                        kinds[c] = typed["columns"][canon]
                    if canon in typed["keys"]:
                        keys[c] = h
                    if canon in typed["ids"]:
                        ids.append(c)
            text = [c for c in columns if c not in kinds]
            # one pass over the file: which text columns need stripping or hold missing
            # markers, which id columns cannot hold ids written as 1.0 or 020, which
            # columns DuckDB may type (plain numbers, ISO dates: no space, no marker),
            # which keys are unique (the last ones only hold where no clean-up is needed)
            checks = ([f"bool_or({_dirty_sql(c)})" for c in text]
                      + [f"bool_and(NOT regexp_full_match({c}, '0[0-9]*|[0-9]+\\.0+'))"
                         for c in ids]
                      + [_typed_sql(c, k)[1] for c, k in kinds.items()]
                      + [f"count(DISTINCT {c}) = count({c})" for c in keys])
            flags = iter(con.execute(f"SELECT {', '.join(checks)} FROM rawv").fetchone())
            dirty = {c: bool(next(flags)) for c in text}
            forms = {c: next(flags) is not False and not dirty.get(c, True) for c in ids}
            typed_ok = {c: bool(next(flags)) for c in kinds}
            unique = [h for c, h in keys.items() if next(flags) and not dirty.get(c, True)]
            select = [f"{_typed_sql(c, kinds[c])[0]} AS {c}" if typed_ok.get(c)
                      else f"{_clean_sql(c)} AS {c}" if dirty.get(c, True) else c
                      for c in columns]
            raw = con.execute(f"SELECT {', '.join(select)} FROM rawv").df()
            forms_ok = [h for c, h in zip(columns, header, strict=True) if forms.get(c)]
        except duckdb.Error as err:
            if "unicode" in str(err).lower():
                try:
                    path.read_bytes().decode(encoding)
                except UnicodeDecodeError as uerr:
                    raise _decode_error(path, table, encoding, uerr) from None
            raise _csv_error(path, table, sep, err, len(header)) from None
        finally:
            con.close()
    raw.columns = header
    raw.attrs["segkit.cleaned_text"] = True
    raw.attrs["segkit.unique"] = unique
    raw.attrs["segkit.id_forms_ok"] = forms_ok
    return raw


# ------------------------------------------------------------------------- folders


def _manifest_error(folder: Path, message: str) -> ParameterError:
    return ParameterError(f"{MANIFEST} in {folder.name}: {message}")


def _check_options(folder: Path, where: str, options, allowed) -> dict:
    if not isinstance(options, Mapping):
        raise _manifest_error(folder, f"{where} must be a mapping of option: value")
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise _manifest_error(
            folder, f"unknown option {unknown[0]!r} {where}; the options are "
            f"{', '.join(allowed)}")
    for key in ("encoding", "sep", "decimal", "thousands"):
        if key in options and options[key] is not None and not isinstance(options[key], str):
            raise _manifest_error(folder, f"{key} {where} must be text, got {options[key]!r}")
    if "column_map" in options and not isinstance(options["column_map"], Mapping):
        raise _manifest_error(folder, f"column_map {where} must be a mapping name: canonical")
    return dict(options)


def read_manifest(folder: str | Path) -> dict:
    """The folder's ``segkit.yaml``, checked: ``{"tables": {table: options}, ...}``.

    An empty dict when the folder has none. Unknown tables and options are refused.
    """
    import yaml

    folder = Path(folder)
    path = next((p for p in folder.iterdir() if p.name.lower() in (MANIFEST, "segkit.yml")),
                None) if folder.is_dir() else None
    if path is None:
        return {}
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise _manifest_error(folder, f"cannot be read ({str(err).splitlines()[0]})") from None
    defaults = [k for k in READ_OPTIONS if k not in ("file", "column_map")]
    content = _check_options(folder, "at the top", content,
                             ["tables", "observation_end", *defaults])
    tables = content.get("tables") or {}
    if not isinstance(tables, Mapping):
        raise _manifest_error(folder, "tables must be a mapping of table: options")
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise _manifest_error(
            folder, f"unknown table {unknown[0]!r}; the tables are {', '.join(TABLES)}")
    content["tables"] = {
        name: {**{k: content[k] for k in defaults if k in content},
               **_check_options(folder, f"of table {name!r}", opts or {}, READ_OPTIONS)}
        for name, opts in tables.items()
    }
    return content


def _find_files(folder: Path, manifest: dict) -> dict[str, Path]:
    """The file of each table: the manifest's, else ``<table>.csv`` in any case."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    found: dict[str, Path] = {}
    for name, opts in manifest.get("tables", {}).items():
        path = folder / str(opts.get("file") or f"{name}.csv")
        if not path.is_file():
            match = [p for p in files if p.name.lower() == path.name.lower()]
            if not match:
                raise _manifest_error(
                    folder, f"table {name!r}: no file {path.name} in the folder (files: "
                    f"{', '.join(p.name for p in files) or 'none'})")
            path = match[0]
        found[name] = path
    for name in TABLES:
        if name in found:
            continue
        match = [p for p in files if p.name.lower() == f"{name}.csv"]
        if len(match) > 1:
            raise SchemaError(
                name, None, f"{' and '.join(p.name for p in match)} in {folder.name} differ "
                "only by case: keep one, or name the file in the folder's " + MANIFEST)
        if match:
            found[name] = match[0]
    used = {p.resolve() for p in found.values()}
    unread = [p.name for p in files if p.resolve() not in used]
    if unread:
        warnings.warn(
            f"CSV files in {folder.name} that match no table are not read: "
            f"{', '.join(unread)}; name them <table>.csv (tables: {', '.join(TABLES)}) or "
            f"give them in the folder's {MANIFEST}",
            UserWarning,
            stacklevel=3,
        )
    return found


def read_tables(
    folder: str | Path,
    *,
    column_maps: Mapping[str, Mapping[str, str]] | None = None,
    encoding: str = "utf-8",
    observation_end=None,
) -> CustomerData:
    """Read a company's tables from the CSV files of a folder.

    Each table of the data model is read from ``<table>.csv`` (the name matched in any
    case: ``Customers.csv`` is the customers table), or from the file the folder's
    manifest ``segkit.yaml`` names, with the manifest's encoding, separator, date
    format, decimal and thousands marks and column map (see the module's docstring).
    CSV files that match no table are listed in a warning. ``transactions`` or
    ``customers`` is required (a subscription business may have customers and contracts
    only). The tables are validated one by one and then together (every customer id
    must exist in the customers table when it is given), once.

    ``observation_end`` (else the manifest's) bounds every event date; without one, no
    date may lie in the future, and the observation end is
    :func:`segkit.data.observation_end` of the validated tables: the last transaction,
    else the last dated event. ``column_maps`` (table -> map) and ``encoding`` apply
    where the manifest says nothing else.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SchemaError("transactions", None, f"no folder {folder}")
    manifest = read_manifest(folder)
    files = _find_files(folder, manifest)
    if "transactions" not in files and "customers" not in files:
        raise SchemaError(
            "transactions", None,
            f"neither transactions.csv nor customers.csv in {folder}; a company needs one "
            f"of them (or name its file in the folder's {MANIFEST})",
        )
    defaults = {k: manifest[k] for k in READ_OPTIONS if k in manifest}
    options = {name: manifest.get("tables", {}).get(name, defaults) for name in files}
    maps = {name: {**(column_maps or {}).get(name, {}), **(opts.get("column_map") or {})}
            for name, opts in options.items()}
    read = {name: {k: opts[k] for k in ("date_format", "decimal", "thousands") if k in opts}
            for name, opts in options.items()}
    tables = {
        name: _read_raw(path, name, options[name].get("encoding", encoding),
                        options[name].get("sep", ","),
                        typed=_typed_columns(name, maps[name], **read[name]))
        for name, path in files.items()
    }
    if observation_end is None:
        observation_end = manifest.get("observation_end")
    end = None if observation_end is None else pd.Timestamp(observation_end)
    data = CustomerData(**tables, observation_end=end, source=str(folder))
    checked = validate_tables(data, column_maps=maps, options=read)
    if end is None:
        return dataclasses.replace(checked, observation_end=_observation_end(checked))
    return checked
