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
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .convert import MISSING_MARKERS
from .data import observation_end as _observation_end
from .exceptions import ParameterError, SchemaError
from .schema import (
    TABLES,
    TOTAL_ROW_VALUES,
    CustomerData,
    _note_read,
    _strictly_monotonic,
    validate,
    validate_tables,
)

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
_MAX_MARKER = max(len(m) for m in MISSING_MARKERS)
#: A value that is a marker in any case has at most this many bytes (the markers are
#: ASCII letters, '-', 无 and 空), and starts with none of the digits.
_MARKER_BYTES = max(len(m.encode()) for m in MISSING_MARKERS)
#: Summary-row labels (schema.TOTAL_ROW_VALUES) as an SQL list, and their byte lengths.
_TOTALS_SQL = ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(TOTAL_ROW_VALUES))
_TOTAL_BYTES = frozenset(len(v.encode()) for v in TOTAL_ROW_VALUES)
#: The text DuckDB may type itself, as RE2 patterns: ISO dates and times without an offset
#: (what segkit.convert reads alike: hours 0-23, at most nanoseconds) and plain numbers.
_PLAIN_SQL = {
    "datetime": "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
                "([ T]([01]?[0-9]|2[0-3]):[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?",
    "number": "[+-]?[0-9]*[.]?[0-9]*([eE][+-]?[0-9]+)?",
}
#: Ids that a spreadsheet wrote as a number (1.0) or that may differ from another only by
#: leading zeros (020): segkit.convert looks at such columns in pandas.
_ID_FORMS_SQL = "0[0-9]*|[0-9]+\\.0+"


def _markers_sql(c: str) -> str:
    """SQL aggregate: some value of column c is a missing marker (in any case)."""
    return f"bool_or(length({c}) <= {_MAX_MARKER} AND lower({c}) IN ({_MARKERS_SQL}))"


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


def _typed_sql(c: str, kind: str) -> str:
    """SQL: column c typed by DuckDB: NULL where a value does not convert (in a select
    from the file, DuckDB's CSV reader may stop at such a value instead)."""
    return f"TRY_CAST({c} AS {'TIMESTAMP_NS' if kind == 'datetime' else 'DOUBLE'})"


def _plain_sql(c: str, kind: str) -> str:
    """SQL aggregate: every value of column c has the plain form DuckDB may type."""
    pattern = _PLAIN_SQL["datetime" if kind == "datetime" else "number"]
    return f"bool_and({c} IS NULL OR regexp_full_match({c}, '{pattern}'))"


def _filled(values: np.ndarray) -> np.ndarray:
    """A column of DuckDB's fetchnumpy with its NULLs as None, NaN or NaT."""
    if not isinstance(values, np.ma.MaskedArray):
        return values
    data, mask = values.data, np.ma.getmaskarray(values)
    if mask.any():  # in place: the array is DuckDB's fresh result
        data[mask] = None if data.dtype == object else (
            np.datetime64("NaT") if data.dtype.kind == "M" else np.nan)
    return data


def _connect(source: Path, sep: str, columns: list[str]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view ``rawv``: the file, every column as text (its
    cursors, connections to the same database, see the view too)."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
        con.execute(
            f"CREATE VIEW rawv AS SELECT * FROM read_csv({_sql_text(str(source))}, "
            f"header = true, delim = {_sql_text(sep)}, quote = '\"', escape = '\"', "
            f"columns = {{{spec}}}, auto_detect = false, strict_mode = true)")
    except BaseException:
        con.close()
        raise
    return con


def _aggregate(con: duckdb.DuckDBPyConnection, checks: Mapping[str, str]) -> dict:
    """The named aggregates over the file, by name."""
    if not checks:
        return {}
    values = con.execute(f"SELECT {', '.join(checks.values())} FROM rawv").fetchone()
    return dict(zip(checks, values, strict=True))


def _text_facts(con: duckdb.DuckDBPyConnection, text: list[str], kinds: Mapping[str, str],
                ids: list[str], first: list[str]) -> dict:
    """What the values of the file are like, without reading them into Python.

    A pass of aggregates: the smallest and largest value and byte length of each text
    column (a value that starts with a space, or is empty, is the smallest), whether a
    value ends in a space, whether every value of a column DuckDB may type has the plain
    form. Then, only where the aggregates cannot rule them out, a pass that looks at every
    value: missing markers (none is longer than 4 bytes or starts with a digit), summary
    labels (of a few lengths), ids that start with a digit (``1.0``, ``020``).
    """
    checks = {"rows": "count(*)"}
    for c in text:
        checks |= {f"min {c}": f"min({c})", f"max {c}": f"max({c})",
                   f"short {c}": f"min(strlen({c}))", f"long {c}": f"max(strlen({c}))",
                   f"count {c}": f"count({c})", f"trailing {c}": f"bool_or(right({c}, 1) < '!')"}
    for c, kind in kinds.items():
        checks |= {f"plain {c}": _plain_sql(c, kind), f"count {c}": f"count({c})"}
    got = _aggregate(con, checks)
    later = {}
    for c in text:
        low, high = got[f"min {c}"], got[f"max {c}"]
        if low is None:  # no value at all
            continue
        digits = "0" <= low and high < ":"  # every value starts with a digit
        if got[f"short {c}"] <= _MARKER_BYTES and not digits:
            later[f"markers {c}"] = _markers_sql(c)
        if c in first and not digits and any(
                got[f"short {c}"] <= n <= got[f"long {c}"] for n in _TOTAL_BYTES):
            later[f"total {c}"] = f"bool_or({c} IN ({_TOTALS_SQL}))"
        if c in ids and low < ":":
            later[f"forms {c}"] = f"bool_or(regexp_full_match({c}, '{_ID_FORMS_SQL}'))"
    return got | _aggregate(con, later)


def _read_raw(path: str | Path, table: str, encoding: str = "utf-8",
              sep: str = ",", typed: Mapping | None = None) -> pd.DataFrame:
    """The file as a frame of text columns (None where empty), index 0, 1, ...

    Text is stripped and missing markers are None (the rule of :mod:`segkit.convert`,
    applied in DuckDB). Columns named in ``typed`` (see :func:`_typed_columns`) whose
    every value is a plain number or an ISO date come typed (float64, datetime64[ns]),
    so that no Python string is made for them; any other value leaves the column as
    text for :func:`segkit.schema.validate` to convert or refuse with its message.

    DuckDB reads the values as if the file were clean (text as written, the columns it
    may type cast) while, on a second connection at the same time, a pass of aggregates
    (:func:`_text_facts`) says which columns need stripping, which may be typed, and
    which rules of validate surely hold: ids written as ``1.0`` or ``020``, missing
    values, summary rows; keys are unique when they are in order (else DuckDB counts
    them). What the first read got wrong is read again. The facts are recorded for this
    very frame (:func:`segkit.schema._note_read`), so that validate does not check them
    again in pandas; a rule that may fail is left to validate, which finds and describes
    the offending rows.
    """
    path = Path(path)
    if not path.is_file():
        raise SchemaError(table, None, f"no file {path}")
    if len(sep) != 1:
        raise SchemaError(table, None, f"sep must be one character, got {sep!r}")
    encoding = _encoding(encoding)
    header = _header(path, table, encoding, sep)
    columns = [f"c{i}" for i in range(len(header))]
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
    first = columns[:3]  # where schema looks for summary rows
    with tempfile.TemporaryDirectory(prefix="segkit-read-") as tmp:
        source = path
        if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
            source = Path(tmp) / "utf8.csv"
            _transcode(path, table, encoding, source)
        cons: list[duckdb.DuckDBPyConnection] = []
        facts: dict = {}
        worker = None
        try:
            con = _connect(source, sep, columns)
            cons.append(con)
            other = con.cursor()  # a second connection to the same database
            cons.append(other)

            def work() -> None:
                try:
                    facts["got"] = _text_facts(other, text, kinds, ids, first)
                except BaseException as err:  # noqa: BLE001 - raised below, in the caller
                    facts["error"] = err

            # DuckDB works without the GIL: the aggregates run while this thread turns the
            # values into Python objects
            worker = threading.Thread(target=work, name="segkit-read-facts", daemon=True)
            worker.start()

            def fetch(exprs: Mapping[str, str]) -> dict[str, np.ndarray]:
                result = con.execute(
                    f"SELECT {', '.join(f'{e} AS {c}' for c, e in exprs.items())} FROM rawv")
                return {c: _filled(a) for c, a in result.fetchnumpy().items()}

            # 1. the values, as if the file were clean; a value that DuckDB's CSV reader
            # cannot convert (30 February, a year after 2262) stops the read: read again
            try:
                arrays = fetch({c: _typed_sql(c, kinds[c]) if c in kinds else c
                                for c in columns})
                stopped = None
            except duckdb.Error as err:
                arrays, stopped = None, err
            # keys in order (as most systems export them) are unique without hashing
            ordered = {c for c in keys if arrays is not None and _strictly_monotonic(arrays[c])}
            worker.join()
            if "error" in facts:
                raise facts["error"]
            if stopped is not None and not isinstance(stopped, duckdb.ConversionException):
                raise stopped
            got = facts["got"]
            # 2. what needs every value: keys out of order, and with a value DuckDB cannot
            # convert, the columns whose every value converts (NULL in an aggregate)
            extra = {f"unique {c}": f"count(DISTINCT {c}) = count({c}) "
                                    f"AND count(*) - count({c}) <= 1"  # NULL twice repeats
                     for c in keys if c not in ordered}
            if arrays is None:
                extra |= {f"casts {c}": f"count({_typed_sql(c, kind)}) = count({c})"
                          for c, kind in kinds.items()}
            got |= _aggregate(con, extra)
            got |= {f"unique {c}": True for c in ordered}
            dirty = {c: bool(got[f"min {c}"] is not None and got[f"min {c}"] < "!"
                             or got[f"trailing {c}"] or got.get(f"markers {c}"))
                     for c in text}
            # 3. read again what 1. got wrong: text to strip (or with missing markers), and
            # columns DuckDB may not type (a value of another form, a value that does not
            # convert, an overflow to infinity: segkit.convert reads them or says why not)
            plain = [c for c in kinds if got[f"plain {c}"] is not False
                     and got.get(f"casts {c}") is not False]
            if arrays is None:
                fresh = set(columns)  # read now as they should be
                try:
                    arrays = fetch({c: _typed_sql(c, kinds[c]) if c in plain
                                    else _clean_sql(c) if dirty.get(c, True) else c
                                    for c in columns})
                except duckdb.ConversionException:
                    plain = []
                    arrays = fetch({c: _clean_sql(c) if dirty.get(c, True) else c
                                    for c in columns})
            else:
                fresh = {c for c in text if not dirty[c]} | set(plain)
            plain = [c for c in plain if int(pd.notna(arrays[c]).sum()) == got[f"count {c}"]
                     and not (arrays[c].dtype.kind == "f" and np.isinf(arrays[c]).any())]
            again = [c for c in columns if c not in fresh or (c in kinds and c not in plain)]
            if again:
                arrays.update(fetch({c: _clean_sql(c) for c in again}))
        except duckdb.Error as err:
            if "unicode" in str(err).lower():
                try:
                    path.read_bytes().decode(encoding)
                except UnicodeDecodeError as uerr:
                    raise _decode_error(path, table, encoding, uerr) from None
            raise _csv_error(path, table, sep, err, len(header)) from None
        finally:
            if worker is not None and worker.is_alive():  # stopped by an error: stop it too
                cons[1].interrupt()
                worker.join()
            for c in reversed(cons):
                c.close()
    named = dict(zip(columns, header, strict=True))
    raw = pd.DataFrame(arrays, copy=False)  # one block per column: no consolidation copy
    raw.columns = header
    _note_read(raw, {
        "cleaned_text": True,
        "id_forms_ok": [named[c] for c in ids if not dirty[c] and not got.get(f"forms {c}")],
        "unique": [h for c, h in keys.items() if got[f"unique {c}"] and not dirty.get(c, True)],
        "not_null": [named[c] for c in text if not dirty[c]
                     and got[f"count {c}"] == got["rows"]],
        "no_total_rows": all(c in plain or (c in text and not dirty[c]
                                            and not got.get(f"total {c}")) for c in first),
    })
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
