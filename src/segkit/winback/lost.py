"""The lost-customer database (战败客户库), loss reasons and the cost of churn.

- :func:`lost_customers`: one row per lost customer, built from the raw tables: the
  history up to the churn date (orders, net revenue, margin, last order), the former
  tier, the value lost, complaints and negative reviews, the exit reason (stated in
  ``exits`` or inferred from the last complaint), every win-back attempt after the
  lapse and whether the customer came back;
- :func:`lost_in_period`: every customer lost in a period, also those who came back
  before its end (the database read at every month end of the period);
- :func:`loss_reasons`: counts and shares of the exit reasons by former tier, region
  and period, with a trend per reason;
- :func:`cost_of_churn`: the revenue and margin lost over a horizon, the acquisition
  cost spent on the lost customers, and the expected future value lost from a CLV
  given by the valuation module.

Who is lost, and when, is :func:`segkit.churn.churn_labels`: narrow churn (狭义流失: no
purchase or interaction for ``threshold_days``, declared on ``last_activity +
threshold_days``) or broad churn (广义流失: an explicit end in ``exits`` or
``contracts``).

**History columns use nothing after the customer's own churn date.** Every row of
``transactions``, ``costs``, ``interactions`` and ``complaints`` of a lost customer dated
after their churn date is dropped before the history is computed (rows on the churn
date are kept). The outcome columns (win-back attempts, came back) look after it, up to
the end of the data.

**Former tier.** One :class:`~segkit.segment.ParetoTiers` fit (key / ordinary / small /
inferior by revenue, inferior by margin) on the profile of every customer acquired by
the observation end, where each lost customer's history stops at their churn date and
every other customer's at the observation end; the lost customers' tiers are read from
that fit. It is one scale for everybody (the company's tier scale of today), not a
refit at each churn date: cheap, and a lost customer's tier does not move when their
own later rows change. A customer who left early had less time to spend, so early
churners lean to lower tiers; :func:`lost_customers` also returns ``monthly_revenue``
for comparisons free of that tenure effect.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..churn.labels import churn_labels
from ..data import is_return
from ..data import observation_end as _end_of
from ..exceptions import ParameterError, SchemaError
from ..features.profile import customer_profile
from ..schema import CustomerData
from ..segment.tiers import ParetoTiers

__all__ = [
    "lost_in_period",
    "LOST_COLUMNS",
    "REASON_SOURCES",
    "DAYS_PER_MONTH",
    "lost_customers",
    "LossReasons",
    "loss_reasons",
    "cost_of_churn",
]

#: Average days in a month (365.25 / 12): the unit of ``active_months``.
DAYS_PER_MONTH = 30.4375
#: Values of ``reason_source``.
REASON_SOURCES = ("stated", "inferred_from_complaint", "unknown")
_END_KINDS = ("account_closed", "contract_ended")
_NS_DAY = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min
_MAX = np.iinfo(np.int64).max

#: The columns of :func:`lost_customers`, in order (index ``customer_id``).
LOST_COLUMNS = (
    "acquisition_date", "region", "channel", "churn_date", "last_activity",
    "last_order_date", "last_order_amount", "orders", "revenue", "margin",
    "acquisition_cost", "active_months", "monthly_revenue", "monthly_margin",
    "value_lost_revenue", "value_lost_margin", "former_tier", "complaints",
    "negative_reviews", "last_complaint_reason", "stated_reason", "stated_source",
    "exit_reason", "reason_source", "winback_attempts", "winback_offers",
    "winback_responded", "first_response_date", "came_back", "came_back_date",
)


def _ns(s) -> np.ndarray:
    if isinstance(s, pd.Series) and pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s  # already dates: skip the parser (its cache costs ~20 ms a call)
    else:
        ts = pd.to_datetime(s, cache=False)
    return ts.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _to_ts(ns: np.ndarray) -> np.ndarray:
    return np.asarray(ns, dtype=np.int64).view("datetime64[ns]")


def _positive(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be a positive number, got {value!r}")
    return v


def _codes(df: pd.DataFrame, index: pd.Index) -> np.ndarray:
    return index.get_indexer(df["customer_id"].astype(object).to_numpy())


def _keep_history(df, code, cutoff_ns):
    """Mask of the rows of known customers dated at or before their own cutoff."""
    ts = _ns(df["timestamp"])
    keep = code >= 0
    keep[keep] = ts[keep] <= cutoff_ns[code[keep]]
    return keep


def _last_per(code: np.ndarray, ts: np.ndarray, values: np.ndarray, n: int):
    """The value of each code's last row (by time, then row order); None where none."""
    out = np.full(n, None, dtype=object)
    if not len(code):
        return out
    order = np.lexsort((np.arange(len(code)), ts, code))
    c = code[order]
    last = np.r_[c[1:] != c[:-1], True]
    out[c[last]] = values[order][last]
    return out


def lost_customers(data: CustomerData, definition: str = "narrow", threshold_days=None,
                   observation_end=None, *, horizon_months: float = 12.0,
                   negative_rating: float = 2, tiers=None) -> pd.DataFrame:
    """The lost-customer database (战败客户库): one row per customer lost by the end.

    Parameters
    ----------
    data : CustomerData
        The raw tables (validated). ``transactions`` is needed; ``customers``,
        ``costs``, ``interactions``, ``complaints``, ``exits``, ``contracts`` and
        ``campaigns`` are used when given. Not modified.
    definition : {"narrow", "broad"}
        Narrow (no activity for ``threshold_days``) or broad (an explicit end) churn,
        as in :func:`segkit.churn.churn_labels`.
    threshold_days : float, optional
        Needed by narrow churn.
    observation_end : date-like, optional
        Who is lost is decided at this date (default the data's own end). Win-back
        attempts and returns are followed up to the last row of the data, so an
        earlier ``observation_end`` shows what became of the lost customers.
    horizon_months : float, default 12
        The horizon of ``value_lost_revenue`` and ``value_lost_margin``.
    negative_rating : float, default 2
        Reviews rated at most this are negative.
    tiers : TierScheme, optional
        The tier rule for ``former_tier``, fitted here on the history profile
        (default :class:`~segkit.segment.ParetoTiers`, see the module notes).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (sorted), the columns of :data:`LOST_COLUMNS`:

        - ``acquisition_date``, ``region``, ``channel``;
        - ``churn_date`` (from the churn definition) and ``last_activity`` (last
          purchase or interaction up to it: the start of the lapse);
        - ``last_order_date``, ``last_order_amount`` (net amount of the purchases of
          that day), ``orders`` (purchase days), ``revenue`` (net of returns),
          ``margin`` (revenue - cogs - cost to serve) and ``acquisition_cost``, all
          up to the churn date;
        - ``active_months`` = max(1, (last_activity - acquisition_date) /
          30.4375 days); ``monthly_revenue`` = revenue / active_months and
          ``monthly_margin`` likewise; ``value_lost_revenue`` and
          ``value_lost_margin`` = monthly value x ``horizon_months`` (negative for an
          inferior customer: losing them saves money);
        - ``former_tier`` (key, ordinary, small, inferior);
        - ``complaints`` (rows of kind complaint) and ``negative_reviews`` up to the
          churn date, ``last_complaint_reason`` (of the last complaint with a reason);
        - ``stated_reason`` and ``stated_source`` (the reason and ``source`` of the
          exit row in ``exits`` that ends the relationship: the customer's last end or
          reactivation row up to the observation end, when it is an end; for broad
          churn by contracts alone, the contract's ``end_reason`` with source
          ``contract``); ``exit_reason`` = the stated reason, else the last complaint
          reason, else None, and ``reason_source`` (stated /
          inferred_from_complaint / unknown);
        - ``winback_attempts`` (campaign rows after ``last_activity``),
          ``winback_offers`` (their offers in time order, joined by ``|``; None
          without attempts), ``winback_responded`` and ``first_response_date``;
        - ``came_back`` (a purchase, an interaction or a ``reactivated`` exit row after
          the churn date) and ``came_back_date`` (the first of them).

        ``attrs`` hold ``definition``, ``threshold_days``, ``observation_end`` and
        ``horizon_months``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-31", "2024-01-01",
    ...                                  "2024-05-20"]),
    ...     "amount": [50.0, 30.0, 20.0, 20.0]})
    >>> cx = pd.DataFrame({"customer_id": ["a"], "kind": ["complaint"],
    ...     "timestamp": pd.to_datetime(["2024-01-20"]), "reason": ["price"],
    ...     "rating": pd.array([None], dtype="Int64")})
    >>> lost = lost_customers(CustomerData(transactions=tx, complaints=cx), "narrow", 90,
    ...                       observation_end="2024-06-01")
    >>> lost.index.tolist(), lost["churn_date"].dt.strftime("%Y-%m-%d").tolist()
    (['a'], ['2024-04-30'])
    >>> lost[["revenue", "last_order_amount", "value_lost_revenue"]].values.tolist()
    [[80.0, 30.0, 960.0]]
    >>> lost[["exit_reason", "reason_source"]].values.tolist()
    [['price', 'inferred_from_complaint']]
    """
    if not isinstance(data, CustomerData):
        raise ParameterError(
            f"data must be a segkit CustomerData, got {type(data).__name__}")
    if data.transactions is None or not len(data.transactions):
        raise SchemaError("transactions", "timestamp",
                          "the lost-customer database needs a transactions table",
                          pd.DataFrame(), 0)
    horizon = _positive("horizon_months", horizon_months)
    neg = float(negative_rating)
    end = _end_of(data, observation_end)
    labels = churn_labels(data, definition, threshold_days, end)
    idx_all = pd.Index(labels.index.astype(object), name="customer_id")
    lost_mask = labels["churned"].to_numpy(dtype=bool)
    end_ns = pd.Timestamp(end).value
    churn_ns_all = _ns(labels["churn_date"])
    cutoff = np.where(lost_mask, churn_ns_all, end_ns)

    # the history: each customer's rows up to their own cutoff
    # customer codes of every row, computed once: all customers, then lost positions
    lost_pos = np.full(len(idx_all) + 1, -1, dtype=np.int64)
    lost_pos[np.flatnonzero(lost_mask)] = np.arange(int(lost_mask.sum()))
    code_all, code_lost, hist, hcode = {}, {}, {}, {}
    for name in ("transactions", "costs", "interactions", "complaints", "exits", "campaigns"):
        df = getattr(data, name)
        if df is None or not len(df):
            continue
        code_all[name] = _codes(df, idx_all)
        code_lost[name] = lost_pos[code_all[name]]  # -1 stays -1 (last slot)
        if name in ("transactions", "costs", "interactions", "complaints"):
            keep = _keep_history(df, code_all[name], cutoff)
            hist[name] = df.loc[keep]
            hcode[name] = code_lost[name][keep]
    for name in ("transactions", "costs", "interactions", "complaints"):
        hist.setdefault(name, None)
    hist_data = dataclasses.replace(data, observation_end=end, exits=None,
                                    campaigns=None, **hist)
    profile = customer_profile(hist_data, end)
    profile = profile.set_index("customer_id").reindex(idx_all)
    profile.index.name = "customer_id"
    scheme = ParetoTiers() if tiers is None else tiers
    tier_all = scheme.fit(profile).predict(profile)

    ids = idx_all[lost_mask]
    n = len(ids)
    lp = profile.iloc[np.flatnonzero(lost_mask)]
    churn_ns = churn_ns_all[lost_mask]
    acq_ns = _ns(lp["acquisition_date"])
    # last purchase or interaction up to the churn date (else the acquisition date), as
    # in segkit.churn.last_activity, from the row codes already at hand
    last_act_ns = acq_ns.copy()
    for name in ("transactions", "interactions"):
        df = hist[name]
        if df is None or not len(df):
            continue
        row = hcode[name] >= 0
        if name == "transactions":
            row &= ~is_return(df).to_numpy(dtype=bool)
        np.maximum.at(last_act_ns, hcode[name][row], _ns(df["timestamp"])[row])

    # last order: the net amount of the purchases on the last purchase day
    tx = hist["transactions"]
    buy_rows = ~is_return(tx).to_numpy(dtype=bool)
    code_tx = hcode["transactions"]
    bcode = code_tx[buy_rows]
    bts = _ns(tx["timestamp"])[buy_rows]
    k = bcode >= 0
    last_buy = np.full(n, _NAT)
    np.maximum.at(last_buy, bcode[k], bts[k])
    day_tx = _ns(tx["timestamp"]) // _NS_DAY
    on_last = (code_tx >= 0)
    on_last[on_last] = day_tx[on_last] == (last_buy[code_tx[on_last]] // _NS_DAY)
    last_amount = np.bincount(code_tx[on_last], weights=tx["amount"].to_numpy(float)[on_last],
                              minlength=n)
    has_order = last_buy != _NAT
    last_amount = np.where(has_order, np.round(last_amount, 2), np.nan)

    # value lost
    life_days = (last_act_ns - acq_ns) / _NS_DAY
    months = np.maximum(1.0, np.nan_to_num(life_days, nan=0.0) / DAYS_PER_MONTH)
    revenue = lp["revenue"].to_numpy(float)
    margin = lp["margin"].to_numpy(float)
    monthly_rev = revenue / months
    monthly_margin = margin / months

    # complaints and reviews up to the churn date
    n_complaints = np.zeros(n, dtype=np.int64)
    n_negative = np.zeros(n, dtype=np.int64)
    last_reason = np.full(n, None, dtype=object)
    cx = hist["complaints"]
    if cx is not None and len(cx):
        code = hcode["complaints"]
        kind = cx["kind"].astype(object).to_numpy()
        is_c = (kind == "complaint") & (code >= 0)
        n_complaints = np.bincount(code[is_c], minlength=n).astype(np.int64)
        if "rating" in cx.columns:
            rating = pd.to_numeric(cx["rating"], errors="coerce").to_numpy(float)
            is_neg = (kind == "review") & (code >= 0) & (rating <= neg)
            n_negative = np.bincount(code[is_neg], minlength=n).astype(np.int64)
        if "reason" in cx.columns:
            reason = cx["reason"].astype(object).to_numpy()
            with_r = is_c & pd.notna(reason)
            last_reason = _last_per(code[with_r], _ns(cx["timestamp"])[with_r],
                                    reason[with_r], n)

    # stated exit reason: the last end / reactivation row up to the end, when an end
    stated = np.full(n, None, dtype=object)
    source = np.full(n, None, dtype=object)
    ex = data.exits
    if ex is not None and len(ex):
        ex = ex.loc[(ex["timestamp"] <= end).to_numpy()]
        kinds = ex["kind"].astype(object).to_numpy()
        sel = np.isin(kinds, (*_END_KINDS, "reactivated"))
        code = code_lost["exits"][(data.exits["timestamp"] <= end).to_numpy()]
        sel &= code >= 0
        rows = np.flatnonzero(sel)
        last_row = _last_per(code[sel], _ns(ex["timestamp"])[sel], rows, n)
        got = pd.notna(last_row).astype(bool)
        pos = np.where(got, last_row, 0).astype(np.int64)
        is_end = got & np.isin(kinds[pos], _END_KINDS)
        if "reason" in ex.columns:
            r = ex["reason"].astype(object).to_numpy()[pos]
            stated = np.where(is_end & pd.notna(r), r, None)
        if "source" in ex.columns:
            s = ex["source"].astype(object).to_numpy()[pos]
            source = np.where(pd.notna(stated) & pd.notna(s), s,
                              np.where(pd.notna(stated), "exits", None))
        else:
            source = np.where(pd.notna(stated), "exits", None)
    if definition == "broad" and "reason" in labels.columns:
        r = labels["reason"].to_numpy(dtype=object)[lost_mask]
        fill = pd.isna(stated) & pd.notna(r)
        stated = np.where(fill, r, stated)
        source = np.where(fill, "contract", source)
    stated = np.asarray(stated, dtype=object)
    has_stated = pd.notna(stated)
    has_complaint = pd.notna(last_reason)
    exit_reason = np.where(has_stated, stated, np.where(has_complaint, last_reason, None))
    reason_source = np.where(has_stated, "stated",
                             np.where(has_complaint, "inferred_from_complaint", "unknown"))

    # win-back attempts after the lapse, up to the end of the data
    attempts = np.zeros(n, dtype=np.int64)
    offers = np.full(n, None, dtype=object)
    responded = np.zeros(n, dtype=bool)
    first_resp = np.full(n, _MAX)
    cp = data.campaigns
    if cp is not None and len(cp):
        code = code_lost["campaigns"]
        ts = _ns(cp["timestamp"])
        sel = code >= 0
        sel[sel] = ts[sel] > last_act_ns[code[sel]]
        c, t = code[sel], ts[sel]
        attempts = np.bincount(c, minlength=n).astype(np.int64)
        if "offer" in cp.columns and sel.any():
            o = cp["offer"].astype(object).to_numpy()[sel]
            frame = pd.DataFrame({"c": c, "t": t, "o": np.where(pd.notna(o), o, "?")})
            joined = frame.sort_values(["c", "t"], kind="stable").groupby("c")["o"] \
                .agg("|".join)
            offers[joined.index.to_numpy()] = joined.to_numpy()
        if "responded" in cp.columns:
            rs = cp["responded"].fillna(False).to_numpy(dtype=bool)[sel]
            responded = np.bincount(c[rs], minlength=n) > 0
            if "response_date" in cp.columns:
                rd = _ns(cp["response_date"])[sel]
                ok = rs & (rd != _NAT)
                np.minimum.at(first_resp, c[ok], rd[ok])

    # came back: activity or a reactivation after the churn date, up to the data's end
    back = np.full(n, _MAX)
    for name in ("transactions", "interactions", "exits"):
        if name not in code_all:
            continue
        df, code = getattr(data, name), code_lost[name]
        if name == "transactions":
            row = ~is_return(df).to_numpy(dtype=bool)
        elif name == "exits":
            row = (df["kind"].astype(object) == "reactivated").to_numpy()
        else:
            row = np.ones(len(df), dtype=bool)
        df, code = df.loc[row], code[row]
        ts = _ns(df["timestamp"])
        sel = code >= 0
        sel[sel] = ts[sel] > churn_ns[code[sel]]
        np.minimum.at(back, code[sel], ts[sel])
    came_back = back != _MAX

    out = pd.DataFrame({
        "acquisition_date": _to_ts(acq_ns),
        "region": lp["region"].to_numpy(),
        "channel": lp["channel"].to_numpy(),
        "churn_date": _to_ts(churn_ns),
        "last_activity": _to_ts(last_act_ns),
        "last_order_date": _to_ts(last_buy),
        "last_order_amount": last_amount,
        "orders": lp["orders"].to_numpy(np.int64),
        "revenue": revenue,
        "margin": margin,
        "acquisition_cost": lp["acquisition_cost"].to_numpy(float),
        "active_months": months,
        "monthly_revenue": monthly_rev,
        "monthly_margin": monthly_margin,
        "value_lost_revenue": monthly_rev * horizon,
        "value_lost_margin": monthly_margin * horizon,
        "former_tier": tier_all.to_numpy()[lost_mask],
        "complaints": n_complaints,
        "negative_reviews": n_negative,
        "last_complaint_reason": last_reason,
        "stated_reason": stated,
        "stated_source": np.asarray(source, dtype=object),
        "exit_reason": np.asarray(exit_reason, dtype=object),
        "reason_source": reason_source.astype(object),
        "winback_attempts": attempts,
        "winback_offers": offers,
        "winback_responded": responded,
        "first_response_date": _to_ts(np.where(first_resp == _MAX, _NAT, first_resp)),
        "came_back": came_back,
        "came_back_date": _to_ts(np.where(came_back, back, _NAT)),
    }, index=ids)
    out["former_tier"] = pd.Categorical(out["former_tier"], categories=list(scheme.tiers_),
                                        ordered=True)
    out.attrs.update(definition=definition, threshold_days=threshold_days,
                     observation_end=end, horizon_months=horizon)
    return out


# --------------------------------------------------------------------------- loss reasons


@dataclass
class LossReasons:
    """The output of :func:`loss_reasons`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group, period and reason: the ``by`` columns, ``period``,
        ``reason``, ``n`` (lost customers) and ``share`` (of the lost customers of the
        group and period).
    trend : pandas.DataFrame
        One row per group and reason: ``n`` (all periods), ``share`` (over all
        periods), ``mean_share`` (mean of the period shares), ``last_share`` (share in
        the last period), ``last_vs_mean`` (= last_share - mean_share), ``slope`` (OLS
        slope of the period share on the period number, per period; NaN with fewer
        than two periods) and ``n_periods``.
    """

    table: pd.DataFrame
    trend: pd.DataFrame

    def shares(self, over: str = "group") -> pd.DataFrame:
        """The reasons' shares as a wide table, one column per reason.

        Parameters
        ----------
        over : {"group", "period"}
            ``group``: one row per group (the ``by`` columns, joined by `` / `` when
            several; ``all`` without groups), its shares over all periods. ``period``:
            one row per period, the shares of all groups together.

        Examples
        --------
        >>> lost = pd.DataFrame({"churn_date": pd.to_datetime(["2024-01-05",
        ...     "2024-02-01", "2024-04-03"]), "former_tier": ["key", "small", "key"],
        ...     "exit_reason": ["price", "service", "price"]})
        >>> loss_reasons(lost).shares().round(2).to_dict("index")
        {'key': {'price': 1.0, 'service': 0.0}, 'small': {'price': 0.0, 'service': 1.0}}
        >>> loss_reasons(lost).shares("period").round(2).values.tolist()
        [[0.5, 0.5], [1.0, 0.0]]
        """
        if over == "group":
            by = list(self.trend.columns[: self.trend.columns.get_loc("reason")])
            t = self.trend
            label = (t[by].astype(str).agg(" / ".join, axis=1) if by
                     else pd.Series("all", index=t.index))
            wide = t.assign(_g=label.to_numpy()).pivot_table(
                index="_g", columns="reason", values="share", aggfunc="sum", sort=False)
        elif over == "period":
            n = self.table.pivot_table(index="period", columns="reason", values="n",
                                       aggfunc="sum")
            wide = n.div(n.sum(axis=1), axis=0)
        else:
            raise ParameterError(f"over must be 'group' or 'period', got {over!r}")
        wide.index.name = None
        wide.columns.name = None
        return wide.fillna(0.0)


def _check_lost(lost, cols) -> None:
    if not isinstance(lost, pd.DataFrame):
        raise ParameterError(
            f"lost must be the DataFrame of lost_customers, got {type(lost).__name__}")
    missing = [c for c in cols if c not in lost.columns]
    if missing:
        raise ParameterError(
            f"lost has no column(s) {missing}; pass the output of lost_customers "
            f"(columns {list(lost.columns)[:8]}...)")


def loss_reasons(lost: pd.DataFrame, by=("former_tier",), freq="Q",
                 reason_col: str = "exit_reason", unknown: str = "unknown") -> LossReasons:
    """Loss reasons by former tier, region and period, with a trend per reason.

    Parameters
    ----------
    lost : pandas.DataFrame
        The output of :func:`lost_customers` (any frame with ``churn_date`` and the
        ``by`` and ``reason_col`` columns).
    by : str or sequence of str, default ("former_tier",)
        Grouping columns (``former_tier``, ``region``, ``channel``, ...); ``()`` for
        all lost customers together.
    freq : str or None, default "Q"
        The period of ``churn_date`` (a pandas period alias: "M", "Q", "Y"); None for
        no periods (then the trend columns are NaN).
    reason_col : str, default "exit_reason"
    unknown : str, default "unknown"
        The label of a missing reason (kept: a growing unknown share is a finding).

    Returns
    -------
    LossReasons
        ``table`` (counts and shares by group, period and reason; a reason absent in
        a period of its group has n 0) and ``trend`` (per group and reason). The
        slope is in share points per period; the last period may be incomplete, drop
        it from ``lost`` first if that matters.

    Examples
    --------
    >>> lost = pd.DataFrame({"churn_date": pd.to_datetime(["2024-01-05", "2024-02-01",
    ...     "2024-04-03", "2024-05-09"]), "former_tier": ["key"] * 4,
    ...     "exit_reason": ["price", "service", "price", "price"]})
    >>> res = loss_reasons(lost, freq="Q")
    >>> res.table["share"].tolist()
    [0.5, 0.5, 1.0, 0.0]
    >>> res.trend.set_index("reason")["slope"].round(2).to_dict()
    {'price': 0.5, 'service': -0.5}
    """
    by = [by] if isinstance(by, str) else list(by)
    _check_lost(lost, ["churn_date", reason_col, *by])
    reason = lost[reason_col].astype(object)
    frame = lost[by].copy() if by else pd.DataFrame(index=lost.index)
    for c in by:
        frame[c] = frame[c].astype(object)
    frame["reason"] = reason.where(reason.notna(), unknown).to_numpy()
    if freq is None:
        frame["period"] = "all"
    else:
        try:
            frame["period"] = pd.to_datetime(lost["churn_date"]).dt.to_period(freq).to_numpy()
        except (ValueError, TypeError) as err:
            raise ParameterError(f"freq {freq!r} is not a pandas period alias "
                                 f"such as 'M', 'Q' or 'Y': {err}") from None
    keys = [*by, "period"]
    counts = frame.groupby([*keys, "reason"], sort=True, dropna=False).size()
    table = counts.unstack("reason", fill_value=0).stack().rename("n").reset_index()
    totals = table.groupby(keys, dropna=False)["n"].transform("sum")
    table["share"] = table["n"] / totals
    table["n"] = table["n"].astype(np.int64)

    # trend per group and reason over the periods of the group
    g = [*by, "reason"]
    periods = table["period"]
    if freq is None:
        num = np.zeros(len(table))
    else:
        num = np.array([p.ordinal for p in periods], dtype=float)
    t = table.assign(_x=num)
    grp = t.groupby(g, sort=True, dropna=False)
    mx = grp["_x"].transform("mean")
    my = grp["share"].transform("mean")
    t["_xy"] = (t["_x"] - mx) * (t["share"] - my)
    t["_xx"] = (t["_x"] - mx) ** 2
    grp = t.groupby(g, sort=True, dropna=False)
    sxx = grp["_xx"].sum()
    slope = grp["_xy"].sum() / sxx.where(sxx > 0)
    last = t.sort_values("_x", kind="stable").groupby(g, sort=True, dropna=False)["share"].last()
    n_total = grp["n"].sum()
    group_total = n_total.groupby(level=list(range(len(by))), dropna=False).transform("sum") \
        if by else pd.Series(n_total.sum(), index=n_total.index)
    trend = pd.DataFrame({
        "n": n_total.astype(np.int64),
        "share": n_total / group_total,
        "mean_share": grp["share"].mean(),
        "last_share": last,
        "last_vs_mean": last - grp["share"].mean(),
        "slope": slope if freq is not None else np.nan,
        "n_periods": grp.size().astype(np.int64),
    }).reset_index()
    return LossReasons(table=table, trend=trend)


def lost_in_period(
    data: CustomerData,
    start: Any,
    end: Any,
    threshold_days: float,
    *,
    horizon_months: float = 12.0,
) -> pd.DataFrame:
    """Every customer lost (narrow churn) with a churn date in ``[start, end]``.

    :func:`lost_customers` read at one date sees only the customers still lost then:
    one who left in March and came back in June is active in December. So the
    database is read at every month end of the period (every quarter end beyond two
    years) and at ``end``, keeping the customers whose churn date falls since the
    previous reading; a customer lost twice in the period keeps the last loss. What
    became of them (win-back attempts, ``came_back``) is followed to the end of the
    data.

    Parameters
    ----------
    data : CustomerData
    start, end : date-like
        The period of churn dates, both days included.
    threshold_days : float
        The narrow-churn threshold.
    horizon_months : float
        As in :func:`lost_customers`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`lost_customers`, one row per customer; ``attrs`` as the
        last reading's, with ``cutoffs`` (the reading dates).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-01-01"]),
    ...     "amount": [50.0, 30.0, 20.0]})
    >>> data = CustomerData(transactions=tx, observation_end="2024-12-31")
    >>> lost = lost_in_period(data, "2024-01-01", "2024-06-30", 90)
    >>> lost.index.tolist(), lost["came_back"].tolist()  # a left in March, back in June
    (['a', 'b'], [True, False])
    >>> lost_in_period(data, "2024-01-01", "2024-12-31", 90)["churn_date"].dt.date.tolist()
    [datetime.date(2024, 8, 30), datetime.date(2024, 3, 31)]
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    if hi < lo:
        raise ParameterError(f"the period ends ({hi.date()}) before it starts ({lo.date()})")
    freq = "ME" if (hi - lo).days <= 731 else "QE"
    cutoffs = sorted({*pd.date_range(lo, hi, freq=freq), hi})
    parts, prev = [], lo - pd.Timedelta(days=1)
    for cut in cutoffs:  # one reading per month, not per customer
        db = lost_customers(data, "narrow", threshold_days, observation_end=cut,
                            horizon_months=horizon_months)
        churn = db["churn_date"]
        parts.append(db.loc[((churn > prev) & (churn <= cut)).to_numpy()])
        prev = cut
    lost = pd.concat(parts)
    lost = lost.loc[~lost.index.duplicated(keep="last")].sort_index()
    lost.attrs = {**parts[-1].attrs, "cutoffs": [c.strftime("%Y-%m-%d") for c in cutoffs]}
    return lost


# --------------------------------------------------------------------------- cost of churn


def cost_of_churn(lost: pd.DataFrame, by=None, horizon_months=None, clv=None,
                  exclude_came_back: bool = False) -> pd.DataFrame:
    """The cost of churn: revenue and margin lost, acquisition cost, future value lost.

    Parameters
    ----------
    lost : pandas.DataFrame
        The output of :func:`lost_customers`.
    by : str or sequence of str, optional
        Grouping columns (``former_tier``, ``exit_reason``, ``region``...); None for
        one total row (index ``"all"``).
    horizon_months : float, optional
        Horizon of the lost revenue and margin (monthly value x horizon); default the
        ``horizon_months`` the database was built with (12).
    clv : pandas.Series, optional
        Expected future value by ``customer_id`` from the valuation module (e.g. the
        CLV of each customer as of just before they left). Not fitted here.
    exclude_came_back : bool, default False
        Leave out customers who came back (their loss was reversed).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_lost``, ``lost_revenue`` and ``lost_margin`` (sum of
        monthly revenue / margin x horizon), ``acquisition_cost`` (sum over the lost:
        spent to acquire customers who left), ``unrecovered_acquisition_cost`` (sum of
        max(0, acquisition cost - margin earned before leaving): the part the
        customers never paid back, the wasted acquisition cost) and, with ``clv``,
        ``clv_lost`` (sum of the CLV of the lost customers found in it) and
        ``clv_missing`` (lost customers without a CLV).

    Examples
    --------
    >>> lost = pd.DataFrame({"former_tier": ["key", "small"], "monthly_revenue": [100.0, 5.0],
    ...     "monthly_margin": [30.0, -1.0], "margin": [300.0, 2.0],
    ...     "acquisition_cost": [40.0, 20.0], "came_back": [False, False]},
    ...     index=pd.Index(["a", "b"], name="customer_id"))
    >>> out = cost_of_churn(lost, horizon_months=12, clv=pd.Series({"a": 500.0}))
    >>> out[["lost_revenue", "unrecovered_acquisition_cost", "clv_lost"]].values.tolist()
    [[1260.0, 18.0, 500.0]]
    """
    _check_lost(lost, ["monthly_revenue", "monthly_margin", "margin", "acquisition_cost"])
    if horizon_months is None:
        horizon_months = lost.attrs.get("horizon_months", 12.0)
    h = _positive("horizon_months", horizon_months)
    df = lost
    if exclude_came_back:
        _check_lost(lost, ["came_back"])
        df = lost.loc[~lost["came_back"].to_numpy(dtype=bool)]
    work = pd.DataFrame({
        "n_lost": 1,
        "lost_revenue": df["monthly_revenue"].to_numpy(float) * h,
        "lost_margin": df["monthly_margin"].to_numpy(float) * h,
        "acquisition_cost": df["acquisition_cost"].to_numpy(float),
        "unrecovered_acquisition_cost": np.maximum(
            0.0, df["acquisition_cost"].to_numpy(float) - df["margin"].to_numpy(float)),
    }, index=df.index)
    if clv is not None:
        if not isinstance(clv, pd.Series):
            raise ParameterError(
                f"clv must be a pandas Series of CLV indexed by customer_id, "
                f"got {type(clv).__name__}")
        v = pd.to_numeric(clv, errors="coerce").reindex(df.index)
        work["clv_lost"] = v.fillna(0.0).to_numpy()
        work["clv_missing"] = v.isna().to_numpy().astype(np.int64)
    if by is None:
        out = work.sum().to_frame("all").T
        out.index.name = "group"
    else:
        by = [by] if isinstance(by, str) else list(by)
        _check_lost(lost, by)
        keys = [df[c].astype(object).to_numpy() for c in by]
        out = work.groupby(keys, sort=True, dropna=False).sum()
        out.index.names = by
    out["n_lost"] = out["n_lost"].astype(np.int64)
    if "clv_missing" in out:
        out["clv_missing"] = out["clv_missing"].astype(np.int64)
    money = [c for c in out.columns if c not in ("n_lost", "clv_missing")]
    out[money] = out[money].round(2)
    out.attrs["horizon_months"] = h
    return out
