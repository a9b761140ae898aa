"""Customer features: from a transaction log to one row per customer.

The RFM / BTYD summary of :func:`summary` is the input of every valuation model of
the kit (BG/NBD, Pareto/NBD, Gamma-Gamma): per customer, the number of repeat
purchase periods (``frequency``), the age at the last purchase (``recency``), the
age at the end of the observation (``T``) and the mean value of the repeat purchase
periods (``monetary_value``). The definitions are exactly those of
``lifetimes.utils.summary_data_from_transaction_data``, so that a segkit summary can
be compared with lifetimes and handed to lifetimes or pymc-marketing unchanged.
Return lines (flagged by ``is_return``), which lifetimes would count as purchases, open
no period and are netted into the value of the latest purchase period up to them (see
:func:`summary`); a table without returns gets exactly lifetimes' summary.
:func:`calibration_holdout_summary` splits the log at a calibration end, as
``lifetimes.utils.calibration_and_holdout_data`` does.

How it is computed
------------------
Both functions run one SQL query, written by :func:`summary_sql` (the only place
where the definitions live), that DuckDB runs on the pandas frame in place: numeric
and datetime columns are scanned without a copy. Timestamps become period numbers by
integer arithmetic on epoch microseconds, ``floor((us + shift) / length)`` (weeks
start on Monday, as pandas' ``W-SUN`` periods), with no calendar function. A window
ordered by period within each customer marks the transactions that open a new period
and the customer's first period; one aggregation then gives one row per customer.
Large inputs are cut into customer partitions (by a hash of the id) to bound the
memory of the sorts. On 30 million transactions this is more than ten times faster
than lifetimes and needs a fraction of its memory (``benchmarks/bench_summary.py``).

The query is written for other engines too (DuckDB on Polars or Arrow data, Spark
SQL): it uses ``FILTER`` clauses, ``lag``/``first_value`` windows and ``UNION ALL``.
The engine-specific words are ``epoch_us`` (Spark: ``unix_micros``), the integer
division ``//`` (Spark: ``div``), ``hash(x) % k`` (Spark: ``pmod(hash(x), k)``) and
the compensated sum ``fsum`` (Spark: ``sum``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from .. import convert
from ..data import TimeUnit, time_unit
from ..exceptions import ParameterError, SchemaError

__all__ = ["summary", "calibration_holdout_summary", "summary_sql"]

_SECOND_US = 1_000_000
_DAY_US = 86_400 * _SECOND_US

#: Rows per customer partition: above this, the query runs once per partition.
_ROWS_PER_PARTITION = 8_000_000

_TABLE = "transactions"
_DEFAULT_FLAG = "is_return"
_EPOCH = pd.Timestamp(0)

#: What return lines do in a summary (see :func:`summary`).
Returns = Literal["net", "exclude", "count"]
RETURNS: tuple[str, ...] = ("net", "exclude", "count")


# --------------------------------------------------------------------------- the query


def summary_sql(
    source: str,
    *,
    customer_id: str,
    datetime: str,
    monetary_value: str | None,
    unit: TimeUnit | str,
    last_us: int | None,
    end_period: int,
    freq_multiplier: float = 1.0,
    include_first_transaction: bool = False,
    calibration_end_us: int | None = None,
    calibration_end_period: int | None = None,
    partitions: int = 1,
    sum_function: str = "fsum",
    is_return: str | None = None,
    returns: Returns = "net",
) -> str:
    """SQL of the customer summary: the single place where its logic lives.

    The query reads ``source`` (a table, view or registered frame), keeps the
    transactions with epoch microseconds ``<= last_us`` (all with None), numbers their periods,
    aggregates them to (customer, period) sums and then to one row per customer,
    ordered by customer id. It uses only integer arithmetic, ``FILTER`` clauses,
    ``min_by`` and ``UNION ALL``, which DuckDB and Spark SQL share; the only engine
    function is ``epoch_us`` (Spark: ``unix_micros``) and the partition hash.

    Parameters
    ----------
    source : str
        Relation to read, as SQL text (a name or a parenthesised query).
    customer_id, datetime : str
        Columns of customer id and transaction time (a timestamp type).
    monetary_value : str or None
        Column of transaction values; None leaves out ``monetary_value``.
    unit : TimeUnit or str
        The period (:data:`segkit.data.TIME_UNITS`): fixed-length units are numbered
        by integer arithmetic on epoch microseconds, calendar months, quarters and
        years by ``year`` and ``month``.
    last_us : int or None
        Epoch microseconds of the last instant kept; later rows are left out. None
        keeps every row (when the caller has checked that none is later).
    end_period : int
        Period number of the observation end (``T`` counts to it).
    freq_multiplier : float, default 1.0
        ``recency`` and ``T`` are divided by it, as in lifetimes.
    include_first_transaction : bool, default False
        Count the first period in ``frequency`` and ``monetary_value``.
    calibration_end_us, calibration_end_period : int, optional
        Give both for a calibration/holdout summary: rows after ``calibration_end_us``
        form the holdout, ``T_cal`` counts to ``calibration_end_period``.
    partitions : int, default 1
        Number of customer partitions aggregated one after the other.
    sum_function : str, default "fsum"
        Aggregate that adds values: DuckDB's compensated (Kahan) sum, whose result
        hardly depends on the order in which the engine adds the rows; ``"sum"`` on
        engines without it.
    is_return : str or None, default None
        Boolean column that flags return lines; None: no line is a return (lifetimes).
    returns : {"net", "exclude", "count"}, default "net"
        What return lines do (the rule of :func:`summary`): ``net``: they open no
        period and their value is netted into the customer's latest purchase period
        up to them (on the same side of the calibration end), each period's net value
        floored at 0, returns before any purchase left out; ``exclude``: they are left
        out; ``count``: they count as any line (as if ``is_return`` were None).

    Returns
    -------
    str
        One ``SELECT`` statement. Its columns are ``customer_id`` followed by the
        summary columns, all ``DOUBLE``.

    Examples
    --------
    >>> sql = summary_sql("tx", customer_id="customer_id", datetime="timestamp",
    ...                   monetary_value=None, unit="D",
    ...                   last_us=10**15, end_period=11574)
    >>> sql.lstrip().startswith("SELECT")
    True
    """

    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    calibration = calibration_end_us is not None
    if calibration and calibration_end_period is None:
        raise ParameterError("calibration_end_period is required with calibration_end_us")
    _check_returns(returns)
    money = monetary_value is not None
    flagged = is_return is not None and returns != "count"
    # returns netted into purchase periods need (customer, period) sums; without values,
    # or with returns="exclude", return lines are simply left out
    netting = flagged and money and returns == "net"
    excluding = flagged and not netting
    mult = repr(float(freq_multiplier))
    us = f"epoch_us({q(datetime)})"
    unit = unit if isinstance(unit, TimeUnit) else time_unit(unit)
    if unit.calendar:
        # months since 1970-01 by year and month; shifted by 100,000 years so that the
        # integer division ('//' truncates towards zero) sees a non-negative number
        m = int(unit.months)
        months = f"((year({q(datetime)}) + {100_000 - 1970}) * 12 + month({q(datetime)}) - 1)"
        period = f"({months} // {m} - {1_200_000 // m})"
    else:
        length = int(unit.length_us)
        # floor((us + shift) / length) by integer division of a non-negative number:
        # shift the epoch by a multiple of the period length, which keeps every
        # timestamp from year -144,000 to 144,000 positive
        offset = (2**62 // length) * length
        period = f"(({us} + {offset + int(unit.shift_us)}) // {length} - {offset // length})"

    # 1. the transactions kept, with their period (and whether they are in the holdout)
    rows = [f"{q(customer_id)} AS customer_id", f"{period} AS period"]
    if money:
        rows.append(f"CAST({q(monetary_value)} AS DOUBLE) AS amount")
    if netting:
        rows.append(f"coalesce({q(is_return)}, FALSE) AS returned")
    if calibration:
        rows.append(f"{us} > {int(calibration_end_us)} AS holdout")
    window = "customer_id, holdout" if calibration else "customer_id"
    cal = " AND NOT holdout" if calibration else ""
    repeat_rows = "" if include_first_transaction else " AND period > opening_period"

    def where(cond: str) -> str:
        cond = cond.removeprefix(" AND ")
        return f" FILTER (WHERE {cond})" if cond else ""

    def keep(k: int) -> str:
        kept = [] if last_us is None else [f"{us} <= {int(last_us)}"]
        if excluding:
            kept.append(f"NOT coalesce({q(is_return)}, FALSE)")
        if partitions > 1:
            kept.append(f"hash({q(customer_id)}) % {int(partitions)} = {k}")
        return f"                 WHERE {' AND '.join(kept)}" if kept else ""

    if not netting:
        # 2. per customer (and side of the calibration end), in period order: does a
        #    row open a new period, and which period is the first
        flags = ["coalesce(period <> lag(period) OVER w, TRUE) AS new_period"]
        if money and not include_first_transaction:
            flags.append("first_value(period) OVER w AS opening_period")
        # 3. per customer
        aggs = [
            f"count(*) FILTER (WHERE new_period{cal}) AS n_periods",
            f"min(period){where(cal)} AS first_period",
            f"max(period){where(cal)} AS last_period",
        ]
        if money:
            aggs.append(f"{sum_function}(amount){where(cal + repeat_rows)} AS spent")
        if calibration:
            aggs.append("count(*) FILTER (WHERE new_period AND holdout) AS n_holdout")
            if money:
                aggs += [
                    f"{sum_function}(amount) FILTER (WHERE holdout) AS holdout_total",
                    "count(*) FILTER (WHERE holdout) AS holdout_rows",
                ]

        def part(k: int) -> str:
            return (
                f"SELECT customer_id,\n       {', '.join(aggs)}\n"
                f"  FROM (SELECT *, {', '.join(flags)}\n"
                f"          FROM (SELECT {', '.join(rows)}\n"
                f"                  FROM {source}\n"
                + keep(k)
                + ")\n"
                f"        WINDOW w AS (PARTITION BY {window} ORDER BY period))\n"
                f" GROUP BY customer_id"
            )
    else:
        # 2. per customer (and side of the calibration end), in period order: the
        #    period whose value a line counts in: its own for a purchase, the latest
        #    purchase period up to it for a return (NULL before the first purchase)
        value_period = (
            "CASE WHEN returned THEN max(CASE WHEN returned THEN NULL ELSE period END) "
            "OVER w ELSE period END AS value_period"
        )
        # 3. per (customer, purchase period): the net value, floored at 0, and the
        #    number of purchase lines; the customer's first purchase period
        opening = (
            f", min(period) OVER (PARTITION BY {window}) AS opening_period"
            if not include_first_transaction else ""
        )
        # 4. per customer
        aggs = [
            f"count(*){where(cal)} AS n_periods",
            f"min(period){where(cal)} AS first_period",
            f"max(period){where(cal)} AS last_period",
            f"{sum_function}(value){where(cal + repeat_rows)} AS spent",
        ]
        if calibration:
            aggs += [
                "count(*) FILTER (WHERE holdout) AS n_holdout",
                f"{sum_function}(value) FILTER (WHERE holdout) AS holdout_total",
                "sum(lines) FILTER (WHERE holdout) AS holdout_rows",
            ]

        def part(k: int) -> str:
            return (
                f"SELECT customer_id,\n       {', '.join(aggs)}\n"
                f"  FROM (SELECT *, greatest(net, 0.0) AS value{opening}\n"
                f"          FROM (SELECT {window}, value_period AS period,\n"
                f"                       {sum_function}(amount) AS net,\n"
                f"                       count(*) FILTER (WHERE NOT returned) AS lines\n"
                f"                  FROM (SELECT *, {value_period}\n"
                f"                          FROM (SELECT {', '.join(rows)}\n"
                f"                                  FROM {source}\n"
                + keep(k)
                + ")\n"
                f"                        WINDOW w AS (PARTITION BY {window} ORDER BY period))\n"
                f"                 WHERE value_period IS NOT NULL\n"
                f"                 GROUP BY {window}, value_period))\n"
                f" GROUP BY customer_id"
            )

    customers = "\nUNION ALL\n".join(f"({part(k)})" for k in range(max(int(partitions), 1)))
    suffix = "_cal" if calibration else ""
    t_end = calibration_end_period if calibration else end_period
    repeat = "n_periods" if include_first_transaction else "(n_periods - 1)"
    out = [
        "customer_id",
        f"CAST({repeat} AS DOUBLE) AS frequency{suffix}",
        f"CAST(last_period - first_period AS DOUBLE) / {mult} AS recency{suffix}",
        f"CAST({int(t_end)} - first_period AS DOUBLE) / {mult} AS T{suffix}",
    ]
    if money:
        out.append(
            f"CASE WHEN {repeat} > 0 THEN spent / {repeat} ELSE 0.0 END AS monetary_value{suffix}"
        )
    if calibration:
        out.append("CAST(n_holdout AS DOUBLE) AS frequency_holdout")
        if money:
            out.append(
                "CASE WHEN holdout_rows > 0 THEN holdout_total / holdout_rows ELSE 0.0 END"
                " AS monetary_value_holdout"
            )
        out.append(
            f"CAST({int(end_period) - int(calibration_end_period)} AS DOUBLE) / {mult}"
            " AS duration_holdout"
        )
    keep_customers = "\n WHERE n_periods > 0" if calibration else ""
    return (
        f"SELECT {', '.join(out)}\n  FROM ({customers}){keep_customers}\n ORDER BY customer_id"
    )


# --------------------------------------------------------------------- input handling


@dataclass
class _Prepared:
    """The columns of a transaction table as DuckDB reads them, and how ids map back."""

    frame: pd.DataFrame  # customer id (numeric or codes), timestamp, optional amount
    timestamps: pd.Series  # naive datetime64, aligned with the input rows
    id_dtype: Any
    id_values: Any  # None for numeric ids, else the values the codes point to
    tz: Any = None  # time zone of aware timestamps, which are made naive local times
    has_returns: bool = False  # the frame has an "is_return" column with a return line


def _bad_rows(
    transactions: pd.DataFrame, mask: np.ndarray | pd.Series, columns: list[str]
) -> tuple[pd.DataFrame, int]:
    mask = np.asarray(mask, dtype=bool)
    return transactions.loc[mask, columns], int(mask.sum())


def _check_columns(transactions: Any, columns: list[str]) -> None:
    if not isinstance(transactions, pd.DataFrame):
        raise SchemaError(
            _TABLE, None, f"expected a pandas DataFrame, got {type(transactions).__name__}"
        )
    for col in columns:
        if col not in transactions.columns:
            raise SchemaError(
                _TABLE,
                col,
                f"column is missing; the table has columns {list(transactions.columns)}",
            )
    if len(transactions) == 0:
        raise SchemaError(_TABLE, None, "the table has no rows; a summary needs transactions")


def _prepare(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: str | None,
    is_return_col: Hashable | None = None,
    returns: Returns = "count",
) -> _Prepared:
    """Validate the columns and put them in the shape DuckDB scans without copying."""
    _check_returns(returns)
    if is_return_col is not None and returns == "count":
        is_return_col = None  # every line counts: the flag is not read
    if (
        is_return_col == _DEFAULT_FLAG
        and isinstance(transactions, pd.DataFrame)
        and is_return_col not in transactions.columns
    ):
        is_return_col = None  # a frame without the flag: no line is a return (lifetimes)
    shown = [customer_id_col, datetime_col] + [
        c for c in (monetary_value_col, is_return_col) if c is not None
    ]
    shown = list(dict.fromkeys(shown))
    _check_columns(transactions, shown)

    # the same converters as schema.validate: one rule for ids, times and amounts
    shown_rows = transactions[shown]
    ids = convert.require(
        convert.to_id(transactions[customer_id_col], _TABLE, customer_id_col, shown_rows,
                      keep_numeric=True),
        _TABLE, customer_id_col, shown_rows,
    )
    id_dtype = ids.dtype
    id_values = None
    if isinstance(id_dtype, pd.CategoricalDtype):
        id_codes = ids.cat.codes.to_numpy()
        id_values = id_dtype.categories
    elif isinstance(id_dtype, np.dtype) and id_dtype.kind in "iuf":
        id_codes = ids.to_numpy()
    else:
        try:
            id_codes, id_values = pd.factorize(ids, sort=True)
        except TypeError as err:
            raise SchemaError(
                _TABLE,
                customer_id_col,
                "customer ids must be mutually comparable (all strings or all numbers)"
                f": {err}",
                examples=shown_rows.head(),
            ) from None

    # timestamps: naive local times (segkit.convert's time-zone rule)
    raw_ts = transactions[datetime_col]
    tz = raw_ts.dt.tz if isinstance(raw_ts.dtype, pd.DatetimeTZDtype) else None
    ts = convert.require(
        convert.to_datetime(raw_ts, _TABLE, datetime_col, shown_rows),
        _TABLE, datetime_col, shown_rows,
    )

    # internal column names, so that any column label of the input works in the SQL
    columns: dict[str, Any] = {"customer_id": id_codes, "timestamp": ts.to_numpy()}
    if monetary_value_col is not None:
        amounts = transactions[monetary_value_col]
        if isinstance(amounts.dtype, np.dtype) and amounts.dtype.kind in "iu":
            values = amounts.to_numpy()
        else:
            values = convert.require(
                convert.to_number(amounts, _TABLE, monetary_value_col, shown_rows),
                _TABLE, monetary_value_col, shown_rows,
            ).to_numpy(dtype="float64")
        columns["amount"] = values
    has_returns = False
    if is_return_col is not None:
        # the converter of schema.validate; a missing flag is no return, as in
        # segkit.data.is_return
        raw_flags = transactions[is_return_col]
        flags = convert.to_bool(raw_flags.where(raw_flags.notna(), False), _TABLE,
                                is_return_col, shown_rows).to_numpy(dtype=bool)
        has_returns = bool(flags.any())
        if has_returns:  # else the plain query: exactly lifetimes', and faster
            columns["is_return"] = flags
    frame = pd.DataFrame(columns, copy=False)
    return _Prepared(frame, ts, id_dtype, id_values, tz, has_returns)




def _timestamp(value: Any, name: str, tz: Any = None) -> pd.Timestamp:
    """A naive timestamp; an aware one in ``tz`` (the data's time zone) when given."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{name}={value!r} is not a date or datetime: {err}") from None
    if ts is pd.NaT:
        raise ParameterError(f"{name} must be a date or datetime, got {value!r}")
    if ts.tzinfo is not None:
        ts = (ts if tz is None else ts.tz_convert(tz)).tz_localize(None)
    return ts


def _epoch_us(ts: pd.Timestamp) -> int:
    return int((ts - _EPOCH) // pd.Timedelta(microseconds=1))


def _to_timestamp(us: int) -> pd.Timestamp:
    return pd.Timestamp(us, unit="us")


def _period(us: int, unit: TimeUnit) -> int:
    """Period number of an instant, as the SQL numbers it."""
    if unit.calendar:
        ts = _to_timestamp(us)
        return ((ts.year - 1970) * 12 + ts.month - 1) // unit.months
    return (us + unit.shift_us) // unit.length_us


def _period_last_us(period: int, unit: TimeUnit) -> int:
    """Epoch microseconds of the last instant of a period."""
    if unit.calendar:
        months = (period + 1) * unit.months
        start = pd.Timestamp(year=1970 + months // 12, month=months % 12 + 1, day=1)
        return _epoch_us(start) - 1
    return (period + 1) * unit.length_us - unit.shift_us - 1


def _check_after_end(
    transactions: pd.DataFrame,
    prepared: _Prepared,
    last_us: int,
    columns: list[str],
    after_end: str,
    end_text: str,
) -> None:
    """Raise on transactions after ``last_us``, or let the query drop them explicitly."""
    if after_end not in ("raise", "drop"):
        raise ParameterError(f"after_end must be 'raise' or 'drop', got {after_end!r}")
    if after_end == "drop":
        return
    boundary = _to_timestamp(last_us + 1)
    after = np.asarray(prepared.timestamps >= boundary)
    if after.any():
        raise SchemaError(
            _TABLE,
            columns[1],
            f"transactions after the observation end ({end_text}); pass an "
            "observation_end that covers them, or after_end='drop' to leave them out",
            *_bad_rows(transactions, after, list(dict.fromkeys(columns))),
        )


def _run(prepared: _Prepared, sql: str, customer_id_col: str) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.register("transactions", prepared.frame)
        result = con.sql(sql).fetchnumpy()
    finally:
        con.close()
    ids = np.asarray(result.pop("customer_id"))
    if prepared.id_values is None:
        index = pd.Index(ids.astype(prepared.id_dtype, copy=False), name=customer_id_col)
    elif isinstance(prepared.id_dtype, pd.CategoricalDtype):
        index = pd.CategoricalIndex(
            pd.Categorical.from_codes(ids.astype("int64"), dtype=prepared.id_dtype),
            name=customer_id_col,
        )
    else:
        # the sorted unique ids of pandas.factorize, in the order of their codes
        index = pd.Index(prepared.id_values.take(ids.astype(np.intp)), name=customer_id_col)
    data = {k: np.asarray(v, dtype="float64") for k, v in result.items()}
    out = pd.DataFrame(data, copy=False)
    out.insert(0, customer_id_col, index.array)
    return out


def _partitions(n_rows: int) -> int:
    return max(1, math.ceil(n_rows / _ROWS_PER_PARTITION))


# --------------------------------------------------------------------------- public API


def summary(
    transactions: pd.DataFrame,
    customer_id_col: Hashable = "customer_id",
    datetime_col: Hashable = "timestamp",
    monetary_value_col: Hashable | None = None,
    observation_end: Any = None,
    freq: str = "D",
    freq_multiplier: float = 1,
    include_first_transaction: bool = False,
    after_end: Literal["raise", "drop"] = "raise",
    returns: Returns = "net",
    is_return_col: Hashable | None = _DEFAULT_FLAG,
) -> pd.DataFrame:
    """Summarise a transaction log to one row per customer (RFM / BTYD summary).

    Transactions are grouped into periods of ``freq``; several transactions in one
    period count as one purchase whose value is their sum. Per customer:

    - ``frequency``: number of periods with a purchase, minus one (the first
      purchase is not a repeat purchase), or all of them with
      ``include_first_transaction=True``;
    - ``recency``: periods from the first to the last purchase;
    - ``T``: periods from the first purchase to the observation end;
    - ``monetary_value`` (only with ``monetary_value_col``): mean value of the
      repeat purchase periods, 0 for a customer without repeat purchase (with
      ``include_first_transaction=True``: mean over all the periods).

    ``recency`` and ``T`` are divided by ``freq_multiplier``. These are exactly the
    definitions of ``lifetimes.utils.summary_data_from_transaction_data``; the result
    equals lifetimes' (``frequency``, ``recency`` and ``T`` exactly, ``monetary_value``
    to rounding) and can be handed to lifetimes or pymc-marketing.

    **Returns.** A line flagged in ``is_return_col`` (the ``is_return`` column of the
    canonical transactions table) is a return or refund; a frame without the flag
    has no returns, and its summary is exactly lifetimes'. With the default
    ``returns="net"``:

    - a return line never opens a purchase period: ``frequency``, ``recency`` and
      ``T`` count the purchase periods only (as for ``segkit.data.purchases(tx)``);
    - its value is netted into the customer's *latest purchase period up to the
      return*: the period of the return when the customer also bought in it, else
      the last earlier one. The tables do not link a return to the purchase it
      refunds, so this is the kit's assumption: the most recent purchase is the one
      returned. A return before the customer's first purchase has no period to
      refund and is left out;
    - a period whose purchases are refunded in full (net value <= 0) still counts
      as a purchase period (the customer did buy), with a value of 0: a refund
      larger than the period's purchases refunds older purchases that the tables
      cannot point to, and the excess is left out. ``monetary_value`` is therefore
      never negative when purchase amounts are not, but can be 0 for a customer
      with repeat periods (Gamma-Gamma needs it > 0: filter those out);
    - a customer whose only lines (up to the observation end) are returns never
      bought, and is not in the summary.

    ``returns="exclude"`` leaves return lines out altogether (the same as
    ``summary(segkit.data.purchases(tx))``: same counts, gross values);
    ``returns="count"`` counts them as any other line, as lifetimes does with the
    raw table (return-only periods become repeat purchases with negative values).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction. It is not modified.
    customer_id_col : str, default "customer_id"
        Column of customer ids: numbers, strings or a categorical.
    datetime_col : str, default "timestamp"
        Column of transaction times: datetime64 (naive or time-zone aware, counted in
        local time) or text that pandas parses.
    monetary_value_col : str, optional
        Column of transaction values. Without it there is no ``monetary_value``.
    observation_end : date-like, optional
        End of the observation. Defaults to the last transaction time in the data
        (never today). It counts at the resolution of ``freq``: the period that
        contains it is the last one observed, whole.
    freq : {"D", "W", "M", "Q", "Y", "h", "min", "s"}, default "D"
        Period (:data:`segkit.data.TIME_UNITS`): day, week (Monday to Sunday, pandas'
        ``W``), calendar month, quarter, year, hour, minute, second.
    freq_multiplier : float, default 1
        ``recency`` and ``T`` are divided by it, e.g. ``freq="h", freq_multiplier=24``
        gives days with hour precision.
    include_first_transaction : bool, default False
        Count the first purchase period in ``frequency`` and ``monetary_value``. Keep
        False for the BTYD models.
    after_end : {"raise", "drop"}, default "raise"
        What to do with transactions in periods after the observation end. lifetimes
        drops them silently; segkit raises :class:`~segkit.exceptions.SchemaError`
        listing them, unless ``after_end="drop"`` asks to drop them explicitly.
    returns : {"net", "exclude", "count"}, default "net"
        What return lines do (see *Returns* above); without a flag column it has no
        effect.
    is_return_col : str or None, default "is_return"
        Column that flags return lines (True/False, 1/0, yes/no, as
        :func:`segkit.schema.validate` reads them; a missing flag is no return, as
        in :func:`segkit.data.is_return`). The default is used when the table has
        it; any other name must be a column. None: no line is a return. A raw frame
        whose returns are only marked by a negative amount is not read as having
        returns: flag them first, ``tx.assign(is_return=segkit.data.is_return(tx))``.

    Returns
    -------
    pandas.DataFrame
        One row per customer, sorted by customer id, with a default index: first the
        column ``customer_id_col`` (the input's values and dtype; categorical ids in
        category order), then float columns ``frequency, recency, T`` and
        ``monetary_value`` when ``monetary_value_col`` is given, as pymc-marketing's
        ``rfm_summary`` returns them, so the frame goes unchanged into pymc-marketing
        and into lifetimes' fitters. Customers without any transaction up to the
        observation end are not in it.

    Raises
    ------
    segkit.exceptions.SchemaError
        A column is missing, holds missing values (customer id, time, value), times
        that cannot be parsed or values that are not numbers, or (with
        ``after_end="raise"``) transactions after the observation end. The message
        names the table, the column and a few offending rows.
    segkit.exceptions.ParameterError
        An unknown ``freq``, ``after_end`` or ``returns``, or a bad ``observation_end``.

    See Also
    --------
    calibration_holdout_summary : the same summary before a calibration end, with
        the purchases after it.

    Notes
    -----
    The computation is one DuckDB query (:func:`summary_sql`) on the frame in place.
    Numeric customer ids and datetime64 times are read without a copy; other ids are
    first coded by ``pandas.factorize``, so numeric ids are the fastest. Times are
    read to the microsecond.

    ``monetary_value`` is a sum computed in parallel: from one run to the next it can
    differ in the last bit or two (a relative 1e-15), like lifetimes' value from
    segkit's. Round it before comparing printed outputs.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.features import summary
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "timestamp": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"]),
    ...     "amount": [10.0, 5.0, 20.0, 7.5],
    ... })
    >>> summary(tx, monetary_value_col="amount")  # doctest: +NORMALIZE_WHITESPACE
      customer_id  frequency  recency     T  monetary_value
    0           a        1.0     10.0  10.0            20.0
    1           b        0.0      0.0   6.0             0.0

    With returns: ``a`` returns 5.0 of the purchase of 2024-01-11 on 2024-01-13, a
    day without purchase (netted into 2024-01-11, the latest purchase period up to
    it); ``c`` only returned something and is not in the summary.

    >>> returned = pd.concat([tx.assign(is_return=False), pd.DataFrame({
    ...     "customer_id": ["a", "c"],
    ...     "timestamp": pd.to_datetime(["2024-01-13", "2024-01-12"]),
    ...     "amount": [-5.0, -9.0], "is_return": [True, True]})])
    >>> summary(returned, monetary_value_col="amount")  # doctest: +NORMALIZE_WHITESPACE
      customer_id  frequency  recency     T  monetary_value
    0           a        1.0     10.0  12.0            15.0
    1           b        0.0      0.0   8.0             0.0
    >>> summary(returned, monetary_value_col="amount", returns="count")
      customer_id  frequency  recency     T  monetary_value
    0           a        2.0     12.0  12.0             7.5
    1           b        0.0      0.0   8.0             0.0
    2           c        0.0      0.0   1.0             0.0
    """
    unit, prepared, end = _setup(
        transactions, customer_id_col, datetime_col, monetary_value_col, freq, freq_multiplier,
        observation_end, is_return_col, returns,
    )
    end_period = _period(_epoch_us(end), unit)
    last_us = _period_last_us(end_period, unit)
    _check_after_end(
        transactions,
        prepared,
        last_us,
        [customer_id_col, datetime_col]
        + ([monetary_value_col] if monetary_value_col is not None else []),
        after_end,
        f"{end}, whose {freq} period ends at {_to_timestamp(last_us + 1)}",
    )
    return _query(
        prepared, customer_id_col, monetary_value_col is not None, unit,
        last_us if after_end == "drop" else None,  # else checked: none later
        end_period, freq_multiplier, include_first_transaction, returns,
    )


def calibration_holdout_summary(
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any = None,
    customer_id_col: Hashable = "customer_id",
    datetime_col: Hashable = "timestamp",
    monetary_value_col: Hashable | None = None,
    freq: str = "D",
    freq_multiplier: float = 1,
    include_first_transaction: bool = False,
    after_end: Literal["raise", "drop"] = "raise",
    returns: Returns = "net",
    is_return_col: Hashable | None = _DEFAULT_FLAG,
) -> pd.DataFrame:
    """Summarise a calibration period and count the purchases of the holdout after it.

    The calibration summary is :func:`summary` of the transactions up to
    ``calibration_end`` (inclusive), observed up to ``calibration_end``; the holdout
    is the transactions after ``calibration_end`` up to ``observation_end``
    (inclusive, both compared at full time resolution). The columns are those of
    ``lifetimes.utils.calibration_and_holdout_data``, with its values:

    - ``frequency_cal, recency_cal, T_cal`` [, ``monetary_value_cal``]: the summary;
    - ``frequency_holdout``: number of periods with a purchase in the holdout (a
      period that contains the calibration end can count in both);
    - ``monetary_value_holdout`` (with ``monetary_value_col``): mean value of the
      holdout *transactions* (not periods), 0 without any;
    - ``duration_holdout``: periods from the calibration end to the observation end,
      divided by ``freq_multiplier``.

    Only the customers with a purchase in the calibration period are summarised
    (customers acquired in the holdout have no calibration summary).

    Returns follow the rule of :func:`summary`, on each side of the calibration end
    apart: the calibration summary never sees a later line (a return after the
    calibration end does not lower a calibration value, which a model fitted on that
    day could not have known). In the holdout, return lines open no period; with
    ``returns="net"`` a return is netted into the latest holdout purchase period up
    to it (left out when there is none: its purchase lies in the calibration period)
    and ``monetary_value_holdout`` is the net value of the holdout purchase periods
    divided by the number of holdout purchase lines (lifetimes' mean per line
    without returns).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per transaction. It is not modified.
    calibration_end : date-like
        Last instant of the calibration period.
    observation_end : date-like, optional
        Last instant of the holdout; defaults to the last transaction time.
    customer_id_col, datetime_col, monetary_value_col, freq, freq_multiplier, \
include_first_transaction
        As in :func:`summary`.
    after_end : {"raise", "drop"}, default "raise"
        What to do with transactions after ``observation_end`` (lifetimes drops
        them silently).
    returns, is_return_col
        As in :func:`summary`.

    Returns
    -------
    pandas.DataFrame
        One row per customer with the ``customer_id_col`` column first, as in
        :func:`summary`, then float columns
        ``frequency_cal, recency_cal, T_cal, [monetary_value_cal,] frequency_holdout,
        [monetary_value_holdout,] duration_holdout``.

    Raises
    ------
    segkit.exceptions.SchemaError
        As in :func:`summary`, or no transaction up to ``calibration_end``.
    segkit.exceptions.ParameterError
        ``calibration_end`` not before ``observation_end``, or another bad parameter.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.features import calibration_holdout_summary
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2, 2],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-12",
    ...                                  "2024-01-02", "2024-01-20"]),
    ...     "amount": [10.0, 20.0, 30.0, 5.0, 6.0],
    ... })
    >>> calibration_holdout_summary(tx, "2024-01-10", monetary_value_col="amount").T
                               0     1
    customer_id              1.0   2.0
    frequency_cal            1.0   0.0
    recency_cal              2.0   0.0
    T_cal                    9.0   8.0
    monetary_value_cal      20.0   0.0
    frequency_holdout        1.0   1.0
    monetary_value_holdout  30.0   6.0
    duration_holdout        10.0  10.0
    """
    unit, prepared, end = _setup(
        transactions, customer_id_col, datetime_col, monetary_value_col, freq, freq_multiplier,
        observation_end, is_return_col, returns,
    )
    cal_end = _timestamp(calibration_end, "calibration_end", prepared.tz)
    if cal_end >= end:
        raise ParameterError(
            f"calibration_end ({cal_end}) must be before observation_end ({end})"
        )
    cal_us, last_us = _epoch_us(cal_end), _epoch_us(end)
    _check_after_end(
        transactions,
        prepared,
        last_us,
        [customer_id_col, datetime_col]
        + ([monetary_value_col] if monetary_value_col is not None else []),
        after_end,
        str(end),
    )
    if not (prepared.timestamps < _to_timestamp(cal_us + 1)).any():
        raise SchemaError(
            _TABLE,
            datetime_col,
            f"no transaction up to the calibration end ({cal_end}); nothing to calibrate on",
        )
    return _query(
        prepared, customer_id_col, monetary_value_col is not None, unit,
        last_us if after_end == "drop" else None,  # else checked: none later
        _period(last_us, unit), freq_multiplier, include_first_transaction, returns,
        calibration_end_us=cal_us,
        calibration_end_period=_period(cal_us, unit),
    )


def _setup(transactions, customer_id_col, datetime_col, monetary_value_col, freq,
           freq_multiplier, observation_end, is_return_col, returns):
    """Shared start of both summaries: period size, checked input, observation end."""
    unit = time_unit(freq)
    _check_multiplier(freq_multiplier)
    prepared = _prepare(transactions, customer_id_col, datetime_col, monetary_value_col,
                        is_return_col, returns)
    if observation_end is None:
        end = prepared.timestamps.max()
    else:
        end = _timestamp(observation_end, "observation_end", prepared.tz)
    return unit, prepared, end


def _query(prepared, customer_id_col, has_monetary, unit, last_us, end_period,
           freq_multiplier, include_first_transaction, returns,
           **calibration) -> pd.DataFrame:
    """Run :func:`summary_sql` on the prepared frame (registered as ``transactions``)."""
    sql = summary_sql(
        "transactions",
        customer_id="customer_id",
        datetime="timestamp",
        monetary_value="amount" if has_monetary else None,
        unit=unit,
        last_us=last_us,
        end_period=end_period,
        freq_multiplier=freq_multiplier,
        include_first_transaction=include_first_transaction,
        partitions=_partitions(len(prepared.timestamps)),
        is_return="is_return" if prepared.has_returns else None,
        returns=returns,
        **calibration,
    )
    return _run(prepared, sql, customer_id_col)


def _check_returns(returns: Any) -> None:
    if returns not in RETURNS:
        raise ParameterError(
            f"returns must be one of {', '.join(map(repr, RETURNS))}, got {returns!r}"
        )


def _check_multiplier(freq_multiplier: float) -> None:
    if not (
        isinstance(freq_multiplier, int | float | np.integer | np.floating)
        and math.isfinite(freq_multiplier)
        and freq_multiplier > 0
    ):
        raise ParameterError(
            f"freq_multiplier must be a positive number, got {freq_multiplier!r}"
        )
