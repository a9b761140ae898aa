"""Shared definitions every module uses: one home for each, so they never drift apart.

- **Time units** (:data:`TIME_UNITS`): one vocabulary for every function that counts
  periods, from the customer summary to cohorts, contracts and survival: ``D`` day,
  ``W`` week (Monday to Sunday, pandas' ``W``), ``M`` calendar month, ``Q`` calendar
  quarter, ``Y`` calendar year; the summary also takes the sub-day units ``h``,
  ``min`` and ``s``.
- **The observation end** (:func:`observation_end`): the explicit one, else the data's
  own, else the last event date in the data; never today.
- **Cut at a date** (:func:`cut`) and **region filter** (:func:`filter_region`).
- **A purchase versus a return** (:func:`is_return`, :func:`purchases`): a transaction
  line is a return when ``is_return`` is set (canonical tables always have the flag);
  in a raw frame without the flag, when its amount is negative. A purchase is a line
  that is not a return.
- **Acquisition dates** (:func:`acquisition_dates`): from the customers table, else
  the first purchase, else the first contract start.

Every function here is pure: it never prints and never modifies its input.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .exceptions import ParameterError
from .schema import TABLES, CustomerData

__all__ = [
    "TimeUnit",
    "TIME_UNITS",
    "CALENDAR_UNITS",
    "time_unit",
    "period_ordinals",
    "period_ordinal",
    "period_starts",
    "period_range",
    "complete_periods",
    "observation_end",
    "last_event",
    "time_columns",
    "cut",
    "filter_region",
    "is_return",
    "purchases",
    "acquisition_dates",
]

_SECOND_US = 1_000_000
_DAY_US = 86_400 * _SECOND_US


@dataclass(frozen=True)
class TimeUnit:
    """A unit of time in which periods are counted.

    Attributes
    ----------
    code : str
        ``D``, ``W``, ``M``, ``Q``, ``Y``, ``h``, ``min`` or ``s``.
    pandas_freq : str
        The pandas period frequency with the same periods (``W`` is ``W-SUN``: weeks
        from Monday to Sunday).
    length_us, shift_us : int or None
        For units of fixed length: a time with epoch microseconds ``us`` lies in period
        ``floor((us + shift_us) / length_us)``.
    months : int or None
        For calendar units: months per period; the period of a date is
        ``((year - 1970) * 12 + month - 1) // months`` (pandas' period ordinals).
    """

    code: str
    pandas_freq: str
    length_us: int | None = None
    shift_us: int = 0
    months: int | None = None

    @property
    def calendar(self) -> bool:
        """Whether the periods are calendar months, quarters or years (of varying length)."""
        return self.months is not None


#: Every time unit of the kit, by code. 1970-01-01 was a Thursday, three days after the
#: Monday that starts its week, hence the week's shift.
TIME_UNITS: dict[str, TimeUnit] = {
    u.code: u
    for u in (
        TimeUnit("D", "D", _DAY_US),
        TimeUnit("W", "W-SUN", 7 * _DAY_US, 3 * _DAY_US),
        TimeUnit("M", "M", months=1),
        TimeUnit("Q", "Q-DEC", months=3),
        TimeUnit("Y", "Y-DEC", months=12),
        TimeUnit("h", "h", 3_600 * _SECOND_US),
        TimeUnit("min", "min", 60 * _SECOND_US),
        TimeUnit("s", "s", _SECOND_US),
    )
}
#: Units of a day or longer: the grains of reports, cohorts and contracts.
CALENDAR_UNITS: tuple[str, ...] = ("D", "W", "M", "Q", "Y")
_ALIASES = {"W-SUN": "W", "H": "h", "T": "min", "S": "s", "ME": "M", "QE": "Q", "A": "Y",
            "YE": "Y"}


def time_unit(code: str, allowed: tuple[str, ...] | None = None) -> TimeUnit:
    """The :class:`TimeUnit` of ``code`` (or a pandas alias such as ``W-SUN``).

    Parameters
    ----------
    code : str
    allowed : tuple of str, optional
        Codes accepted here (e.g. :data:`CALENDAR_UNITS`); defaults to all.

    Raises
    ------
    ParameterError
        For an unknown or not-allowed unit, listing the accepted ones.

    Examples
    --------
    >>> time_unit("M").months, time_unit("W-SUN").code
    (1, 'W')
    """
    allowed = tuple(TIME_UNITS) if allowed is None else allowed
    key = _ALIASES.get(code, code) if isinstance(code, str) else code
    if key not in allowed:
        names = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year",
                 "h": "hour", "min": "minute", "s": "second"}
        listed = ", ".join(f"{c} ({names[c]})" for c in allowed)
        raise ParameterError(f"unknown time unit {code!r}; use one of {listed}")
    return TIME_UNITS[key]


def period_ordinals(s: pd.Series, unit: str | TimeUnit) -> np.ndarray:
    """Period number of each timestamp: consecutive periods differ by one.

    The numbers are pandas' period ordinals, so months, quarters and years are those of
    the calendar.

    >>> ts = pd.Series(pd.to_datetime(["2024-01-31", "2024-02-01"]))
    >>> period_ordinals(ts, "M").tolist()
    [648, 649]
    """
    unit = unit if isinstance(unit, TimeUnit) else time_unit(unit)
    return s.dt.to_period(unit.pandas_freq).array.asi8


def period_ordinal(ts, unit: str | TimeUnit) -> int:
    """Period number of one timestamp (see :func:`period_ordinals`)."""
    unit = unit if isinstance(unit, TimeUnit) else time_unit(unit)
    return pd.Period(pd.Timestamp(ts), freq=unit.pandas_freq).ordinal


def period_starts(ordinals, unit: str | TimeUnit) -> pd.DatetimeIndex:
    """Start time of each period number."""
    unit = unit if isinstance(unit, TimeUnit) else time_unit(unit)
    return pd.PeriodIndex.from_ordinals(
        np.asarray(ordinals, dtype="int64"), freq=unit.pandas_freq
    ).start_time


def period_range(first, last, unit: str | TimeUnit) -> np.ndarray:
    """Period numbers from the period of ``first`` to that of ``last``, both included."""
    return np.arange(period_ordinal(first, unit), period_ordinal(last, unit) + 1)


def complete_periods(ordinals, unit: str | TimeUnit, end) -> np.ndarray:
    """Whether each period lies wholly up to ``end`` (its last day included).

    The last period is usually cut by the observation end; its counts are not comparable
    with the others', so figures mark it instead of letting it look like a collapse.
    """
    unit = unit if isinstance(unit, TimeUnit) else time_unit(unit)
    last_days = pd.PeriodIndex.from_ordinals(
        np.asarray(ordinals, dtype="int64"), freq=unit.pandas_freq
    ).end_time.normalize()
    return np.asarray(last_days <= pd.Timestamp(end).normalize())


# ----------------------------------------------------------------------- observation end


def time_columns(table: str, df: pd.DataFrame | None = None) -> list[str]:
    """The event-date columns of a table (the first dates its rows), present in ``df``."""
    spec = TABLES.get(table)
    cols = list(spec.time_columns) if spec is not None else []
    return cols if df is None else [c for c in cols if c in df.columns]


def last_event(data: CustomerData) -> pd.Timestamp:
    """The last event date in the data: transactions, else every event table.

    Transactions decide when there are any (the convention of the BTYD literature
    and of lifetimes); a company without transactions ends at its last dated event
    (a contract start or end, an exit, an interaction, ...).
    """
    if data.transactions is not None and len(data.transactions):
        return pd.Timestamp(data.transactions["timestamp"].max())
    last = [
        df[c].max()
        for name, df in data.tables().items()
        for c in time_columns(name, df)
    ]
    last = [x for x in last if pd.notna(x)]
    if not last:
        raise ParameterError("the data has no dated event; give observation_end explicitly")
    return pd.Timestamp(max(last))


def observation_end(data: CustomerData, explicit=None, name: str = "observation_end"
                    ) -> pd.Timestamp:
    """The observation end: ``explicit``, else the data's own, else its last event.

    Parameters
    ----------
    data : CustomerData
    explicit : date-like, optional
        ``None`` or ``""`` means "the data's own".
    name : str
        The argument's name in error messages (``as_of``, ``split_date``, ...).

    Returns
    -------
    pandas.Timestamp

    Examples
    --------
    >>> data = CustomerData(transactions=pd.DataFrame(
    ...     {"customer_id": ["a"], "timestamp": pd.to_datetime(["2024-01-03"]), "amount": [1.0]}))
    >>> observation_end(data), observation_end(data, "2024-02-01")
    (Timestamp('2024-01-03 00:00:00'), Timestamp('2024-02-01 00:00:00'))
    """
    if explicit is not None and not (isinstance(explicit, str) and explicit == ""):
        try:
            end = pd.Timestamp(explicit)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{name} {explicit!r} is not a date; write it as YYYY-MM-DD"
            ) from None
        if end is pd.NaT:
            raise ParameterError(f"{name} must be a date, got {explicit!r}")
        return end
    if data.observation_end is not None:
        return pd.Timestamp(data.observation_end)
    return last_event(data)


def cut(data: CustomerData, end=None) -> CustomerData:
    """Keep the rows of every table dated up to the observation end.

    A row is dated by the first time column of its table (``acquisition_date`` for
    customers, ``timestamp`` for events, ``start_date`` for contracts, ``issue_date``
    for invoices); rows without a date are kept. Later dates inside a kept row (a
    contract's end, an invoice's payment) are kept as they are.

    Returns
    -------
    CustomerData
        New tables, with ``observation_end`` set.
    """
    end = observation_end(data, end)
    tables = {}
    for name, df in data.tables().items():
        cols = time_columns(name, df)
        tables[name] = df[~(df[cols[0]] > end)].copy() if cols else df.copy()
    return dataclasses.replace(data, observation_end=end, **tables)


def filter_region(data: CustomerData, region: str) -> CustomerData:
    """Keep the customers of one region, and their rows in every table.

    Parameters
    ----------
    data : CustomerData
        Needs a ``customers`` table with a ``region`` column.
    region : str
        The region; ``""`` keeps everything.

    Raises
    ------
    ParameterError
        When the data has no regions, or none called ``region`` (the message lists them).
    """
    if region == "":
        return data
    customers = data.customers
    if customers is None or "region" not in customers.columns:
        raise ParameterError(
            f"region {region!r} asked for, but the data has no customers table with a "
            "region column; leave region empty to show all customers"
        )
    regions = sorted(customers["region"].dropna().astype(str).unique())
    if region not in regions:
        raise ParameterError(
            f"region {region!r} not found; the regions in the data are {', '.join(regions)}"
        )
    ids = pd.Index(customers.loc[customers["region"].astype(str) == region, "customer_id"])
    tables = {
        name: df[df["customer_id"].isin(ids)].copy()
        for name, df in data.tables().items()
        if "customer_id" in df.columns
    }
    return dataclasses.replace(data, **tables)


# ------------------------------------------------------------------ purchases and returns


def is_return(transactions: pd.DataFrame) -> pd.Series:
    """Whether each transaction line is a return or refund.

    The ``is_return`` flag when the table has it (every canonical table does), else a
    negative amount.

    >>> tx = pd.DataFrame({"amount": [10.0, -10.0, 0.0], "is_return": [False, True, True]})
    >>> is_return(tx).tolist(), is_return(tx[["amount"]]).tolist()
    ([False, True, True], [False, True, False])
    """
    if "is_return" in transactions.columns:
        return transactions["is_return"].fillna(False).astype(bool)
    return transactions["amount"] < 0


def purchases(transactions: pd.DataFrame) -> pd.DataFrame:
    """The purchase lines of a transaction table: every line that is not a return."""
    return transactions.loc[~is_return(transactions).to_numpy()]


def acquisition_dates(data: CustomerData, *, first_purchases: pd.Series | None = None
                      ) -> pd.Series:
    """Acquisition date of every customer, indexed by ``customer_id``.

    From the ``customers`` table when it is given; customers who appear only in other
    tables are acquired on their first purchase, else on their first contract start.

    Parameters
    ----------
    data : CustomerData
    first_purchases : pandas.Series, optional
        The first purchase of every customer who bought, indexed by customer id, when
        the caller has already computed them from ``data.transactions`` (it saves a
        pass over the transactions); by default computed here.

    Returns
    -------
    pandas.Series
        ``datetime64`` values named ``acquisition_date``, sorted by customer id.
    """
    parts = []
    if data.customers is not None and "acquisition_date" in data.customers.columns:
        parts.append(data.customers.set_index("customer_id")["acquisition_date"])
    if first_purchases is not None:
        parts.append(first_purchases)
    elif data.transactions is not None:
        buys = purchases(data.transactions)
        codes, ids = pd.factorize(buys["customer_id"], sort=False)
        first = np.full(len(ids), np.iinfo(np.int64).max)
        np.minimum.at(first, codes, buys["timestamp"].to_numpy(dtype="datetime64[ns]")
                      .view(np.int64))
        parts.append(pd.Series(first.view("datetime64[ns]"), index=pd.Index(ids)))
    if data.contracts is not None:
        parts.append(data.contracts.groupby("customer_id", sort=True)["start_date"].min())
    if not parts:
        return pd.Series([], dtype="datetime64[ns]", name="acquisition_date",
                         index=pd.Index([], name="customer_id"))
    first = parts[0]
    for more in parts[1:]:
        first = first.combine_first(more)
    first.index.name = "customer_id"
    return first.rename("acquisition_date").sort_index()
