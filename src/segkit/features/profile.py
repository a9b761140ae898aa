"""The customer profile: one row per customer with what tiering and segmentation read.

Where :func:`segkit.features.summary` gives the BTYD summary (periods counted from the
first purchase, recency *to* the last purchase), the profile gives the quantities of
RFM analysis and tier schemes, in days, as a business user reads them:

``recency_days``
    days from the last purchase to the observation end (the R of RFM: small is good);
``orders``
    purchase days (several lines on one day are one order; return lines are not
    orders), the F of RFM;
``revenue``
    net revenue up to the observation end: purchases minus returns and refunds (the M
    of RFM, and the "value" of the ABC tiers);
``margin``
    ``revenue - cogs - cost_to_serve``: the contribution after the cost of goods
    (``transactions.cost``) and the cost to serve (the ``service``, ``delivery`` and
    ``bad_debt`` rows of ``costs``). Acquisition cost is sunk and apart
    (``acquisition_cost``); ``discount`` rows are revenue given up, already netted in
    the transaction amounts, and never subtracted again. A customer with a negative
    margin costs more than it brings: an inferior customer (劣质客户).

Every quantity counts the rows dated up to the observation end only.

Examples
--------
>>> import pandas as pd
>>> from segkit.schema import CustomerData
>>> tx = pd.DataFrame({
...     "customer_id": ["a", "a", "a", "b"],
...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-20"]),
...     "amount": [10.0, 20.0, 30.0, 5.0], "cost": [5.0, 10.0, 15.0, 4.0]})
>>> costs = pd.DataFrame({"customer_id": ["b"], "timestamp": pd.to_datetime(["2024-01-20"]),
...                       "kind": ["delivery"], "amount": [3.0]})
>>> p = customer_profile(CustomerData(transactions=tx, costs=costs), observation_end="2024-02-01")
>>> p[["customer_id", "recency_days", "orders", "revenue", "margin", "ipt_cv"]].round(3)
  customer_id  recency_days  orders  revenue  margin  ipt_cv
0           a           1.0       3     60.0    30.0   0.333
1           b          12.0       1      5.0    -2.0     NaN
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import acquisition_dates, is_return
from ..data import observation_end as resolve_end
from ..schema import CustomerData

__all__ = ["customer_profile", "PROFILE_COLUMNS", "COST_TO_SERVE_KINDS"]

#: The kinds of ``costs`` rows that make up the cost to serve.
COST_TO_SERVE_KINDS = ("service", "delivery", "bad_debt")

#: The columns of :func:`customer_profile`, in order.
PROFILE_COLUMNS = (
    "customer_id",
    "acquisition_date",
    "region",
    "channel",
    "first_purchase",
    "last_purchase",
    "tenure_days",
    "recency_days",
    "orders",
    "revenue",
    "returns",
    "average_order_value",
    "cogs",
    "cost_to_serve",
    "margin",
    "acquisition_cost",
    "ipt_mean_days",
    "ipt_cv",
    "interactions",
    "complaints",
    "mean_rating",
)

_DAY_NS = 86_400 * 10**9


def _codes(ids: pd.Series, index: pd.Index) -> np.ndarray:
    return index.get_indexer(ids.astype(object).to_numpy())


def _sum_by(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    keep = codes >= 0
    return np.bincount(codes[keep], weights=values[keep], minlength=n)


def customer_profile(data: CustomerData, observation_end=None) -> pd.DataFrame:
    """One row per customer acquired up to the observation end: the profile of RFM and tiers.

    Parameters
    ----------
    data : CustomerData
        Canonical tables (validated). ``transactions`` gives the purchases; ``customers``
        (optional) the acquisition date, region and channel; ``costs``, ``interactions``
        and ``complaints`` (optional) the costs, the contacts and the reviews. Not modified.
    observation_end : date-like, optional
        Defaults to the data's own (:func:`segkit.data.observation_end`).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`PROFILE_COLUMNS`, one row per customer sorted by
        ``customer_id``: every customer of ``customers`` acquired up to the end, and
        every customer with a purchase up to the end (a customer whose only lines are
        returns never bought and is left out, as in the summary). A customer without a purchase
        has ``orders`` 0, ``recency_days`` NaN and ``revenue`` 0. ``ipt_mean_days`` and
        ``ipt_cv`` (coefficient of variation: standard deviation over mean, population
        form) of the days between consecutive orders need 2 and 3 orders. ``cogs`` is 0
        for lines without a cost; ``cost_to_serve`` 0 without a ``costs`` table.
        ``region`` and ``channel`` are missing when ``customers`` lacks them;
        ``mean_rating`` is the mean review rating (missing without reviews).
    """
    end = resolve_end(data, observation_end)
    end_ns = pd.Timestamp(end).value
    tx = data.transactions
    if tx is not None and len(tx):
        tx = tx.loc[~(tx["timestamp"] > end).to_numpy()]
    if tx is not None and len(tx):
        # one pass of hashing: every aggregate below works on the integer codes of the ids
        tcode, tids = pd.factorize(tx["customer_id"], sort=False)
        m = len(tids)
        amount = tx["amount"].to_numpy(dtype=float)
        ret = is_return(tx).to_numpy()
        t_revenue = np.bincount(tcode, weights=amount, minlength=m)
        t_returns = np.bincount(tcode, weights=np.where(ret, -amount, 0.0), minlength=m)
        t_cogs = (np.bincount(tcode, weights=tx["cost"].fillna(0.0).to_numpy(dtype=float),
                              minlength=m) if "cost" in tx.columns else np.zeros(m))
        bcode = tcode[~ret]
        ns = tx["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)[~ret]
        t_first = np.full(m, np.iinfo(np.int64).max)
        t_last = np.full(m, np.iinfo(np.int64).min)
        t_orders = np.zeros(m, dtype=np.int64)
        t_ipt_mean = np.full(m, np.nan)
        t_ipt_cv = np.full(m, np.nan)
        if len(ns):
            np.minimum.at(t_first, bcode, ns)
            np.maximum.at(t_last, bcode, ns)
            days = np.floor_divide(ns, _DAY_NS)
            days -= days.min()
            width = int(days.max()) + 1
            key = np.sort(bcode.astype(np.int64) * width + days)
            key = key[np.r_[True, key[1:] != key[:-1]]]  # distinct (customer, day)
            c, dd = key // width, key % width
            t_orders = np.bincount(c, minlength=m).astype(np.int64)
            same = c[1:] == c[:-1]
            gap = (dd[1:] - dd[:-1])[same].astype(float)
            gc = c[1:][same]
            ng = np.bincount(gc, minlength=m)
            s1 = np.bincount(gc, weights=gap, minlength=m)
            s2 = np.bincount(gc, weights=gap * gap, minlength=m)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = s1 / ng
                var = np.maximum(s2 / ng - mean * mean, 0.0)
                t_ipt_mean = np.where(ng >= 1, mean, np.nan)
                t_ipt_cv = np.where(ng >= 2, np.sqrt(var) / mean, np.nan)
        bought = t_orders > 0
        first_purchases = pd.Series(t_first[bought].view("datetime64[ns]"),
                                    index=pd.Index(tids[bought]))
    else:
        m, tids, bought = 0, pd.Index([]), np.zeros(0, dtype=bool)
        first_purchases = pd.Series([], dtype="datetime64[ns]")
    acq = acquisition_dates(data, first_purchases=first_purchases)
    acq = acq[~(acq > end)]
    index = pd.Index(acq.index.astype(object), name="customer_id")
    n = len(index)

    # from the transaction codes to the rows of the profile
    pos = index.get_indexer(pd.Index(tids).astype(object)) if m else np.zeros(0, dtype=np.int64)
    hit = pos >= 0

    def place(values, fill, dtype=float):
        out = np.full(n, fill, dtype=dtype)
        if m:
            out[pos[hit]] = values[hit]
        return out

    if m:
        revenue = place(t_revenue, 0.0)
        returns = place(t_returns, 0.0)
        cogs = place(t_cogs, 0.0)
        orders = place(t_orders, 0, np.int64)
        first = place(t_first, np.iinfo(np.int64).min, np.int64)
        last = place(t_last, np.iinfo(np.int64).min, np.int64)
        ipt_mean = place(t_ipt_mean, np.nan)
        ipt_cv = place(t_ipt_cv, np.nan)
    else:
        revenue, returns, cogs = np.zeros(n), np.zeros(n), np.zeros(n)
        orders = np.zeros(n, dtype=np.int64)
        first = last = np.full(n, np.iinfo(np.int64).min)
        ipt_mean, ipt_cv = np.full(n, np.nan), np.full(n, np.nan)
    nat = np.iinfo(np.int64).min
    first_ts = pd.to_datetime(np.where(orders > 0, first, nat).view("datetime64[ns]"))
    last_ts = pd.to_datetime(np.where(orders > 0, last, nat).view("datetime64[ns]"))

    cost_to_serve = np.zeros(n)
    acquisition_cost = np.zeros(n)
    costs = data.costs
    if costs is not None and len(costs):
        costs = costs.loc[~(costs["timestamp"] > end).to_numpy()]
        code = _codes(costs["customer_id"], index)
        kind = costs["kind"].astype(object).to_numpy()
        amount = costs["amount"].to_numpy(dtype=float)
        serve = np.isin(kind, COST_TO_SERVE_KINDS)
        cost_to_serve = _sum_by(code, np.where(serve, amount, 0.0), n)
        acquisition_cost = _sum_by(code, np.where(kind == "acquisition", amount, 0.0), n)

    def count_rows(table, mask=None):
        if table is None or not len(table):
            return np.zeros(n, dtype=np.int64)
        keep = ~(table["timestamp"] > end).to_numpy()
        if mask is not None:
            keep &= mask(table)
        code = _codes(table.loc[keep, "customer_id"], index)
        return np.bincount(code[code >= 0], minlength=n).astype(np.int64)

    interactions = count_rows(data.interactions)
    complaints = count_rows(data.complaints, lambda t: (t["kind"] == "complaint").to_numpy())
    mean_rating = np.full(n, np.nan)
    if data.complaints is not None and "rating" in data.complaints.columns:
        c = data.complaints
        keep = (~(c["timestamp"] > end) & (c["kind"] == "review") & c["rating"].notna())
        keep = keep.to_numpy(dtype=bool)
        code = _codes(c.loc[keep, "customer_id"], index)
        rating = c.loc[keep, "rating"].to_numpy(dtype=float)
        cnt = np.bincount(code[code >= 0], minlength=n)
        tot = _sum_by(code, rating, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_rating = np.where(cnt > 0, tot / cnt, np.nan)

    def attribute(name):
        cust = data.customers
        if cust is None or name not in cust.columns:
            return pd.Series(pd.NA, index=index, dtype=object).to_numpy()
        return cust.set_index("customer_id")[name].reindex(index).to_numpy()

    with np.errstate(invalid="ignore", divide="ignore"):
        aov = np.where(orders > 0, revenue / np.maximum(orders, 1), np.nan)
    out = pd.DataFrame(
        {
            "customer_id": index.to_numpy(),
            "acquisition_date": acq.to_numpy(),
            "region": attribute("region"),
            "channel": attribute("channel"),
            "first_purchase": first_ts,
            "last_purchase": last_ts,
            "tenure_days": (end_ns - acq.to_numpy(dtype="datetime64[ns]").view(np.int64))
            / _DAY_NS,
            "recency_days": np.where(orders > 0, (end_ns - last) / _DAY_NS, np.nan),
            "orders": orders,
            "revenue": np.round(revenue, 2),
            "returns": np.round(returns, 2) + 0.0,
            "average_order_value": aov,
            "cogs": np.round(cogs, 2),
            "cost_to_serve": np.round(cost_to_serve, 2),
            "margin": np.round(revenue - cogs - cost_to_serve, 2),
            "acquisition_cost": np.round(acquisition_cost, 2),
            "ipt_mean_days": ipt_mean,
            "ipt_cv": ipt_cv,
            "interactions": interactions,
            "complaints": complaints,
            "mean_rating": mean_rating,
        }
    )
    return out
