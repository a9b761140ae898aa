"""Per-period features of the customer base: new, active, revenue, acquisition cohorts.

Pure functions on canonical tables (a :class:`~segkit.schema.CustomerData`): they never
print, never modify their input and return a new DataFrame indexed by period (the start
of each day, week, month, quarter or year: :data:`segkit.data.CALENDAR_UNITS`).

Definitions
-----------
customer base
    customers acquired up to the end of the period (:func:`segkit.data.acquisition_dates`);
active customer (活跃客户)
    a customer with a purchase in the period (:func:`segkit.data.purchases`) or a
    contract running in it (:func:`segkit.features.contracts.contract_periods`), so a
    subscription company without transactions has active customers too;
acquisition cohort (获客批次)
    the customers acquired in one period; retention in period *k* is the share of the
    cohort active *k* periods after the period of acquisition.

Examples
--------
>>> import pandas as pd
>>> from segkit.schema import CustomerData
>>> tx = pd.DataFrame({
...     "customer_id": ["a", "a", "b", "b"],
...     "timestamp": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-02-01", "2024-02-05"]),
...     "amount": [10.0, 20.0, 5.0, -5.0],
...     "is_return": [False, False, False, True]})
>>> data = CustomerData(transactions=tx)
>>> customer_base(data, "M")[["new_customers", "customer_base", "active_customers"]]
... # doctest: +NORMALIZE_WHITESPACE
            new_customers  customer_base  active_customers
period
2024-01-01              1              1                 1
2024-02-01              1              2                 2
>>> revenue(data, "M")  # doctest: +NORMALIZE_WHITESPACE
            gross_revenue  returns  net_revenue  complete
period
2024-01-01           10.0      0.0         10.0      True
2024-02-01           25.0      5.0         20.0     False
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import (
    CALENDAR_UNITS,
    acquisition_dates,
    complete_periods,
    is_return,
    period_ordinal,
    period_ordinals,
    period_range,
    period_starts,
    purchases,
    time_unit,
)
from ..data import observation_end as resolve_end
from ..exceptions import ParameterError
from ..schema import CustomerData
from .contracts import contract_billings, contract_periods

__all__ = [
    "customer_base",
    "revenue",
    "cohort_sizes",
    "cohort_retention",
    "active_periods",
    "headline",
]


def _unit(time_grain: str):
    return time_unit(time_grain, CALENDAR_UNITS)


def active_periods(data: CustomerData, time_grain: str = "M", *, end=None) -> pd.DataFrame:
    """The distinct (customer, period) pairs in which a customer is active, up to ``end``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` and ``ord`` (period ordinal of :func:`segkit.data.period_ordinals`).
    """
    unit = _unit(time_grain)
    end = resolve_end(data, end)
    parts = []
    if data.transactions is not None:
        buys = purchases(data.transactions)
        buys = buys[buys["timestamp"] <= end]
        parts.append(pd.DataFrame({"customer_id": buys["customer_id"].to_numpy(),
                                   "ord": period_ordinals(buys["timestamp"], unit)}))
    if data.contracts is not None:
        running = data.contracts[data.contracts["start_date"] <= end]
        parts.append(contract_periods(running, unit.code, end))
    if not parts:
        return pd.DataFrame({"customer_id": pd.Series([], dtype=object),
                             "ord": pd.Series([], dtype="int64")})
    return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)


def customer_base(
    data: CustomerData, time_grain: str = "M", *, observation_end=None
) -> pd.DataFrame:
    """Customer base, new and active customers per period.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    observation_end : date-like, optional
        Last date counted; defaults to the data's own (:func:`segkit.data.observation_end`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (start of each period up to the observation end), with
        ``new_customers``, ``customer_base`` (acquired up to the period's end),
        ``active_customers`` (active in the period), ``active_share`` (active / base)
        and ``complete`` (False for a period cut by the observation end).
    """
    unit = _unit(time_grain)
    end = resolve_end(data, observation_end)
    acq = acquisition_dates(data)
    acq = acq[acq <= end]
    active = active_periods(data, unit.code, end=end)
    cols = ["new_customers", "customer_base", "active_customers", "active_share", "complete"]
    if acq.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="period"))
    periods = period_range(acq.min(), end, unit)
    new = pd.Series(period_ordinals(acq, unit)).value_counts().reindex(periods, fill_value=0)
    n_active = active.groupby("ord")["customer_id"].nunique().reindex(periods, fill_value=0)
    out = pd.DataFrame(
        {
            "new_customers": new.to_numpy(dtype="int64"),
            "customer_base": new.cumsum().to_numpy(dtype="int64"),
            "active_customers": n_active.to_numpy(dtype="int64"),
        },
        index=period_starts(periods, unit).rename("period"),
    )
    out["active_share"] = out["active_customers"] / out["customer_base"].where(
        out["customer_base"] > 0
    )
    out["complete"] = complete_periods(periods, unit, end)
    return out


def revenue(data: CustomerData, time_grain: str = "M", *, observation_end=None) -> pd.DataFrame:
    """Gross revenue, returns, contract revenue and net revenue per period.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    observation_end : date-like, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period``: ``gross_revenue`` (sum of purchase lines), ``returns``
        (refunded amount, as a positive number), ``contract_revenue`` (only when the
        data has contracts: the bills of :func:`~segkit.features.contracts.contract_billings`),
        ``net_revenue`` (gross - returns + contract revenue) and ``complete`` (False
        for a period cut by the observation end).
    """
    unit = _unit(time_grain)
    end = resolve_end(data, observation_end)
    tx = data.transactions
    tx = tx[tx["timestamp"] <= end] if tx is not None else None
    bills = None
    if data.contracts is not None:
        bills = contract_billings(data.contracts[data.contracts["start_date"] <= end], end)
    cols = ["gross_revenue", "returns"] + (["contract_revenue"] if bills is not None else [])
    starts = [x["timestamp"].min() for x in (tx, bills) if x is not None and len(x)]
    if not starts:
        return pd.DataFrame(columns=[*cols, "net_revenue", "complete"],
                            index=pd.DatetimeIndex([], name="period"), dtype=float)
    periods = period_range(min(starts), end, unit)
    out = pd.DataFrame(0.0, index=periods, columns=cols)
    if tx is not None and len(tx):
        ords = period_ordinals(tx["timestamp"], unit)
        ret = is_return(tx).to_numpy()
        amount = tx["amount"].to_numpy(dtype=float)
        out["gross_revenue"] = pd.Series(np.where(ret, 0.0, amount)).groupby(ords).sum()
        out["returns"] = pd.Series(np.where(ret, -amount, 0.0)).groupby(ords).sum() + 0.0
    if bills is not None and len(bills):
        out["contract_revenue"] = bills["amount"].groupby(
            period_ordinals(bills["timestamp"], unit)).sum()
    out = out.fillna(0.0)
    out["net_revenue"] = out["gross_revenue"] - out["returns"] + (
        out["contract_revenue"] if bills is not None else 0.0
    )
    out["complete"] = complete_periods(periods, unit, end)
    out.index = period_starts(periods, unit).rename("period")
    return out


def _cohorts(data: CustomerData, unit, end: pd.Timestamp) -> pd.Series:
    acq = acquisition_dates(data)
    acq = acq[acq <= end]
    return pd.Series(period_ordinals(acq, unit), index=acq.index, name="cohort")


def cohort_sizes(data: CustomerData, time_grain: str = "M", *, observation_end=None) -> pd.Series:
    """Number of customers acquired per period (the size of each acquisition cohort).

    Returns
    -------
    pandas.Series
        Indexed by ``cohort`` (period start), named ``customers``.
    """
    unit = _unit(time_grain)
    end = resolve_end(data, observation_end)
    sizes = _cohorts(data, unit, end).value_counts().sort_index()
    return pd.Series(
        sizes.to_numpy(dtype="int64"),
        index=period_starts(sizes.index, unit).rename("cohort"),
        name="customers",
    )


def cohort_retention(
    data: CustomerData,
    time_grain: str = "M",
    *,
    observation_end=None,
    max_periods: int | None = None,
) -> pd.DataFrame:
    """Retention matrix of acquisition cohorts.

    Cell ``(cohort, k)`` is the share of the customers acquired in period ``cohort``
    who are active in period ``cohort + k`` (``k = 0`` is the period of acquisition).
    Cells after the observation end are missing (NaN), not zero.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    observation_end : date-like, optional
    max_periods : int, optional
        Keep the columns ``k = 0 .. max_periods - 1``.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (period start), columns ``k`` (0, 1, ...), values in [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-03", "2024-03-10", "2024-01-20"]),
    ...     "amount": [10.0, 20.0, 5.0]})
    >>> cohort_retention(CustomerData(transactions=tx), "M")  # doctest: +NORMALIZE_WHITESPACE
    k             0    1    2
    cohort
    2024-01-01  1.0  0.0  0.5
    """
    unit = _unit(time_grain)
    if max_periods is not None and max_periods < 1:
        raise ParameterError(f"max_periods must be at least 1, got {max_periods}")
    end = resolve_end(data, observation_end)
    end_ord = period_ordinal(end, unit)
    cohort = _cohorts(data, unit, end)
    if cohort.empty:
        return pd.DataFrame(
            index=pd.DatetimeIndex([], name="cohort"), columns=pd.Index([], name="k"), dtype=float
        )
    active = active_periods(data, unit.code, end=end)
    active["cohort"] = active["customer_id"].map(cohort)
    active = active.dropna(subset=["cohort"])
    active["k"] = active["ord"] - active["cohort"].astype("int64")
    active = active[active["k"] >= 0]
    cohorts = np.sort(cohort.unique())
    n_k = int(end_ord - cohorts.min()) + 1
    if max_periods is not None:
        n_k = min(n_k, max_periods)
    counts = (
        active.groupby(["cohort", "k"])["customer_id"]
        .nunique()
        .unstack("k")
        .reindex(index=cohorts, columns=range(n_k))
        .fillna(0.0)
    )
    sizes = cohort.value_counts().reindex(cohorts)
    share = counts.div(sizes.to_numpy(), axis=0)
    observable = (cohorts[:, None] + np.arange(n_k)[None, :]) <= end_ord
    share = share.where(observable)
    share.index = period_starts(cohorts, unit).rename("cohort")
    share.columns = pd.Index(range(n_k), name="k")
    return share


def headline(data: CustomerData, time_grain: str = "M", *, observation_end=None) -> dict:
    """The headline numbers of a report: customers, active customers, revenue and its change.

    The period of the headline is the last *complete* period up to the observation end
    (a period cut by the end would compare a part with a whole), else the last one.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    observation_end : date-like, optional

    Returns
    -------
    dict
        ``period`` (start of the headline period, or None without data), ``complete``
        (whether it is a whole period), ``customers`` (acquired up to its end),
        ``active_customers`` (active in it), ``active_share`` (active / customers),
        ``revenue`` (net revenue in it), ``previous_period``, ``previous_revenue`` and
        ``revenue_change`` (relative change against the previous period; None when
        there is no previous period or its revenue is 0), and ``partial_period`` (start
        of the last period when the observation end cuts it, else None).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-02-01"]),
    ...     "amount": [10.0, 20.0, 5.0]})
    >>> h = headline(CustomerData(transactions=tx), "M", observation_end="2024-02-29")
    >>> h["customers"], h["active_customers"], h["revenue"], h["revenue_change"]
    (2, 2, 25.0, 1.5)
    """
    end = resolve_end(data, observation_end)
    base = customer_base(data, time_grain, observation_end=end)
    rev = revenue(data, time_grain, observation_end=end)
    out: dict = {
        "period": None, "complete": False, "customers": 0, "active_customers": 0,
        "active_share": None, "revenue": 0.0, "previous_period": None,
        "previous_revenue": None, "revenue_change": None, "partial_period": None,
    }
    if base.empty:
        return out
    if not bool(base["complete"].iloc[-1]):
        out["partial_period"] = base.index[-1]
    whole = base.index[base["complete"].to_numpy(dtype=bool)]
    period = whole[-1] if len(whole) else base.index[-1]
    row = base.loc[period]
    out.update(
        period=period,
        complete=bool(row["complete"]),
        customers=int(row["customer_base"]),
        active_customers=int(row["active_customers"]),
        active_share=float(row["active_share"]) if pd.notna(row["active_share"]) else None,
    )
    if not rev.empty and period in rev.index:
        out["revenue"] = float(rev.loc[period, "net_revenue"])
        pos = rev.index.get_loc(period)
        if pos > 0:
            prev = rev.index[pos - 1]
            out["previous_period"] = prev
            out["previous_revenue"] = float(rev.loc[prev, "net_revenue"])
            if out["previous_revenue"]:
                out["revenue_change"] = out["revenue"] / out["previous_revenue"] - 1
    return out
