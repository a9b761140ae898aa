"""Contract features: what a contract bills, and the periods it runs in.

A contract runs from ``start_date`` up to, not including, ``end_date`` (or up to the
observation end while it runs). It bills ``recurring_amount`` at its start and then
once every ``billing_period`` (``W`` a week, ``M`` a month, ``Q`` a quarter, ``Y`` a
year) while it runs; a monthly bill on the 31st falls on the last day of shorter
months, as ``pandas.DateOffset(months=1)`` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import period_ordinals, time_unit

__all__ = ["contract_billings", "contract_periods"]

_MONTHS = {"M": 1, "Q": 3, "Y": 12}


def _stops(contracts: pd.DataFrame, end: pd.Timestamp) -> np.ndarray:
    """The instant each contract stops billing: its end date, or just after ``end``."""
    after_end = np.datetime64(pd.Timestamp(end) + pd.Timedelta(1, "us"), "ns")
    stop = contracts["end_date"].to_numpy("datetime64[ns]") if "end_date" in contracts else (
        np.full(len(contracts), np.datetime64("NaT"), "datetime64[ns]")
    )
    stop = np.where(np.isnat(stop) | (stop > after_end), after_end, stop)
    return stop


def contract_billings(contracts: pd.DataFrame, end) -> pd.DataFrame:
    """Every bill of every contract up to ``end`` (inclusive).

    Parameters
    ----------
    contracts : pandas.DataFrame
        A canonical ``contracts`` table.
    end : date-like
        The observation end.

    Returns
    -------
    pandas.DataFrame
        One row per bill: ``contract_id``, ``customer_id``, ``timestamp``, ``amount``,
        sorted by time and contract.

    Examples
    --------
    >>> c = pd.DataFrame({"contract_id": ["k1"], "customer_id": ["a"],
    ...     "start_date": pd.to_datetime(["2024-01-31"]), "end_date": pd.to_datetime([None]),
    ...     "billing_period": ["M"], "recurring_amount": [10.0]})
    >>> contract_billings(c, "2024-04-30")["timestamp"].dt.strftime("%m-%d").tolist()
    ['01-31', '02-29', '03-31', '04-30']
    """
    start = contracts["start_date"].to_numpy("datetime64[ns]")
    stop = _stops(contracts, end)
    period = contracts["billing_period"].to_numpy(object)
    weekly = period == "W"
    months = np.array([_MONTHS.get(p, 0) for p in period], dtype=np.int64)
    # an upper bound on the number of bills of each contract
    span_days = np.maximum((stop - start) / np.timedelta64(1, "D"), 0)
    bound = np.where(weekly, np.ceil(span_days / 7),
                     np.ceil(span_days / (28 * np.maximum(months, 1))))
    bound = np.where(stop > start, bound.astype(np.int64) + 1, 0)
    row = np.repeat(np.arange(len(contracts)), bound)
    k = np.arange(row.size) - np.repeat(np.cumsum(bound) - bound, bound)
    s = start[row]
    month_start = s.astype("datetime64[M]")
    offset = s - month_start.astype("datetime64[ns]")
    bill_month = month_start + (k * months[row]).astype("timedelta64[M]")
    next_month = (bill_month + np.timedelta64(1, "M")).astype("datetime64[ns]")
    time_of_day = offset % np.timedelta64(1, "D")
    last_day = next_month - np.timedelta64(1, "D") + time_of_day
    by_month = np.minimum(bill_month.astype("datetime64[ns]") + offset, last_day)
    by_week = s + (k * 7).astype("timedelta64[D]")
    when = np.where(weekly[row], by_week, by_month)
    keep = when < stop[row]
    row, when = row[keep], when[keep]
    out = pd.DataFrame(
        {
            "contract_id": contracts["contract_id"].to_numpy()[row],
            "customer_id": contracts["customer_id"].to_numpy()[row],
            "timestamp": when,
            "amount": contracts["recurring_amount"].to_numpy(dtype=float)[row],
        }
    )
    return out.sort_values(["timestamp", "contract_id"], kind="stable").reset_index(drop=True)


def contract_periods(contracts: pd.DataFrame, unit: str, end) -> pd.DataFrame:
    """The (customer, period) pairs in which a contract of the customer runs.

    A contract runs in every period from that of its start to that of its last
    instant before its end date (or of ``end`` while it runs).

    Returns
    -------
    pandas.DataFrame
        Distinct ``customer_id``, ``ord`` (period ordinal, see
        :func:`segkit.data.period_ordinals`).
    """
    u = time_unit(unit)
    stop = pd.Series(_stops(contracts, end) - np.timedelta64(1, "us"))
    first = period_ordinals(contracts["start_date"].reset_index(drop=True), u)
    last = period_ordinals(stop.astype("datetime64[ns]"), u)
    n = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(len(contracts)), n)
    k = np.arange(row.size) - np.repeat(np.cumsum(n) - n, n)
    out = pd.DataFrame(
        {"customer_id": contracts["customer_id"].to_numpy()[row], "ord": first[row] + k}
    )
    return out.drop_duplicates(ignore_index=True)
