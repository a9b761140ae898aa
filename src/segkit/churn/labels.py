"""Churn definitions: narrow and broad churn, the inactivity threshold, the churn rate.

Two definitions from docs/domain.md section 4:

- **narrow churn** (狭义流失): no purchase or interaction for ``threshold_days``. The
  customer is *declared* churned on ``last_activity + threshold_days``: that is the day
  the company can know it, so it is the event date of the survival frames built on it;
- **broad churn** (广义流失): an explicit end, an ``account_closed`` or
  ``contract_ended`` row in ``exits``, or every contract of the customer ended
  (``contracts.end_date``), not followed by a ``reactivated`` row.

The threshold is a trade-off: a short one declares customers churned who were only
pausing (false churn), a long one declares them late. :func:`choose_threshold` takes a
high quantile of the pooled inter-purchase times; :func:`threshold_tradeoff` shows both
sides for candidate thresholds on the data's own later behaviour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import acquisition_dates, observation_end, purchases
from ..exceptions import ParameterError, SchemaError
from ..schema import CustomerData

__all__ = [
    "ACTIVITY_TABLES",
    "last_activity",
    "narrow_churn",
    "broad_churn",
    "churn_labels",
    "inter_purchase_days",
    "choose_threshold",
    "threshold_tradeoff",
    "churn_rate",
]

#: Tables whose rows count as activity for narrow churn.
ACTIVITY_TABLES: tuple[str, ...] = ("transactions", "interactions")
_END_KINDS = ("account_closed", "contract_ended")
_DEFINITIONS = ("narrow", "broad")


def _check_data(data) -> None:
    if not isinstance(data, CustomerData):
        raise ParameterError(
            f"data must be a segkit CustomerData (from segkit.io.read_tables or "
            f"segkit.datasets), got {type(data).__name__}"
        )


def _threshold(threshold_days) -> float:
    try:
        t = float(threshold_days)
    except (TypeError, ValueError):
        raise ParameterError(
            f"threshold_days must be a number of days, got {threshold_days!r}; "
            "segkit.churn.choose_threshold(data) suggests one"
        ) from None
    if not np.isfinite(t) or t <= 0:
        raise ParameterError(f"threshold_days must be a positive number of days, got {t}")
    return t


def _activity_frames(data: CustomerData, activity, end) -> list[pd.Series]:
    """Timestamps of every activity row up to ``end``, one Series per table, by customer."""
    if isinstance(activity, str):
        activity = (activity,)
    unknown = sorted(set(activity) - set(ACTIVITY_TABLES))
    if unknown:
        raise ParameterError(
            f"activity {unknown} not understood; use tables among {list(ACTIVITY_TABLES)}"
        )
    parts = []
    for name in activity:
        df = getattr(data, name)
        if df is None or not len(df):
            continue
        if name == "transactions":
            df = purchases(df)
        df = df.loc[df["timestamp"] <= end, ["customer_id", "timestamp"]]
        parts.append(df)
    return parts


def last_activity(data: CustomerData, observation_end=None,
                  activity=ACTIVITY_TABLES) -> pd.Series:
    """Each customer's last purchase or interaction up to the observation end.

    Customers acquired by the end without any activity get their acquisition date.

    Returns
    -------
    pandas.Series
        ``datetime64`` values named ``last_activity``, indexed by ``customer_id`` (sorted).
    """
    _check_data(data)
    end = observation_end_of(data, observation_end)
    parts = _activity_frames(data, activity, end)
    acq = acquisition_dates(data)
    acq = acq[acq <= end]
    if parts:
        rows = pd.concat(parts, ignore_index=True)
        seen = rows.groupby("customer_id", sort=True)["timestamp"].max()
        last = pd.concat([seen.astype("datetime64[ns]"), acq.astype("datetime64[ns]")],
                         axis=1).max(axis=1)
    else:
        last = acq.copy()
    last.index.name = "customer_id"
    return last.astype("datetime64[ns]").rename("last_activity").sort_index()


def observation_end_of(data: CustomerData, explicit=None) -> pd.Timestamp:
    """The observation end of ``data`` (:func:`segkit.data.observation_end`)."""
    return observation_end(data, explicit)


def narrow_churn(data: CustomerData, threshold_days, observation_end=None,
                 activity=ACTIVITY_TABLES) -> pd.DataFrame:
    """Narrow churn (狭义流失): no purchase or interaction for ``threshold_days``.

    Parameters
    ----------
    data : CustomerData
    threshold_days : float
        Days without activity after which a customer counts as churned.
    observation_end : date-like, optional
        Defaults to the data's own end (never today).
    activity : tuple of str
        Tables whose rows count as activity: ``transactions`` (purchases, not
        returns) and ``interactions``.

    Returns
    -------
    pandas.DataFrame
        One row per customer acquired by the end, indexed by ``customer_id``:
        ``last_activity``, ``days_inactive`` (to the end), ``churned`` (at least
        ``threshold_days`` inactive) and ``churn_date`` (``last_activity +
        threshold_days``, the day churn is declared; NaT when not churned).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [5.0, 5.0, 5.0],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-03-25"])})
    >>> out = narrow_churn(CustomerData(transactions=tx), 30, observation_end="2024-04-01")
    >>> out["churned"].tolist(), out["churn_date"].dt.strftime("%Y-%m-%d").tolist()
    ([True, False], ['2024-02-19', nan])
    """
    t = _threshold(threshold_days)
    end = observation_end_of(data, observation_end)
    last = last_activity(data, end, activity)
    days = (end - last).dt.total_seconds() / 86400.0
    churned = days >= t
    churn_date = (last + pd.Timedelta(days=t)).where(churned)
    return pd.DataFrame({
        "last_activity": last,
        "days_inactive": days.to_numpy(),
        "churned": churned.to_numpy(),
        "churn_date": churn_date.to_numpy(),
    }, index=last.index)


def broad_churn(data: CustomerData, observation_end=None) -> pd.DataFrame:
    """Broad churn (广义流失): an explicit end of the relationship by the observation end.

    A customer has churned when their last row in ``exits`` up to the end is an
    ``account_closed`` or ``contract_ended`` row, or, without such rows, when they have
    contracts and every one of them ended by the end. A later ``reactivated`` row
    undoes an end.

    Returns
    -------
    pandas.DataFrame
        One row per customer acquired by the end, indexed by ``customer_id``:
        ``churned``, ``churn_date`` (the end; NaT when not churned) and ``reason``
        (the recorded exit reason or the contract's ``end_reason``, when known).

    Raises
    ------
    SchemaError
        When the data has neither ``exits`` nor ``contracts``: broad churn needs an
        explicit end.

    Examples
    --------
    >>> exits = pd.DataFrame({"customer_id": ["a", "b", "b"], "kind": ["account_closed",
    ...     "account_closed", "reactivated"], "reason": ["price", "service", None],
    ...     "timestamp": pd.to_datetime(["2024-02-01", "2024-02-01", "2024-03-01"])})
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "acquisition_date": pd.to_datetime(["2024-01-01"] * 3)})
    >>> out = broad_churn(CustomerData(customers=customers, exits=exits), "2024-04-01")
    >>> out["churned"].tolist(), out["reason"].tolist()
    ([True, False, False], ['price', None, None])
    """
    _check_data(data)
    end = observation_end_of(data, observation_end)
    if data.exits is None and data.contracts is None:
        raise SchemaError(
            "exits", "kind", "broad churn needs an explicit end: an exits table "
            "(account_closed, contract_ended) or a contracts table with end_date; "
            "use narrow churn (no activity for a threshold) otherwise",
            pd.DataFrame(), 0,
        )
    acq = acquisition_dates(data)
    ids = acq.index[acq <= end]
    churned = pd.Series(False, index=ids)
    date = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
    reason = pd.Series(None, index=ids, dtype=object)
    decided = pd.Series(False, index=ids)
    if data.exits is not None and len(data.exits):
        ex = data.exits.loc[data.exits["timestamp"] <= end]
        ex = ex.loc[ex["kind"].astype(str).isin((*_END_KINDS, "reactivated"))]
        last = ex.sort_values(["customer_id", "timestamp"], kind="stable") \
            .groupby("customer_id", sort=True).tail(1).set_index("customer_id")
        last = last.loc[last.index.isin(ids)]
        is_end = last["kind"].astype(str).isin(_END_KINDS)
        churned.loc[last.index] = is_end.to_numpy()
        date.loc[last.index[is_end.to_numpy()]] = last.loc[is_end, "timestamp"].to_numpy()
        if "reason" in last.columns:
            r = last.loc[is_end, "reason"]
            reason.loc[r.index] = r.astype(object).where(r.notna(), None).to_numpy()
        decided.loc[last.index] = True
    if data.contracts is not None and len(data.contracts):
        k = data.contracts.loc[data.contracts["start_date"] <= end]
        ended = k["end_date"].notna() & (k["end_date"] <= end) if "end_date" in k else False
        g = pd.DataFrame({"customer_id": k["customer_id"].to_numpy(),
                          "running": ~np.asarray(ended, bool),
                          "end": k["end_date"].where(ended) if "end_date" in k else pd.NaT})
        if "end_reason" in k.columns:
            g["reason"] = k["end_reason"].astype(object).to_numpy()
        g = g.sort_values(["customer_id", "end"], kind="stable", na_position="first")
        by = g.groupby("customer_id", sort=True)
        all_ended = ~by["running"].any()
        last_end = by["end"].max()
        todo = all_ended.index[all_ended.to_numpy()]
        todo = todo[todo.isin(ids) & ~decided.reindex(todo, fill_value=False).to_numpy()]
        churned.loc[todo] = True
        date.loc[todo] = last_end.loc[todo].to_numpy()
        if "reason" in g.columns:
            r = by["reason"].last().loc[todo]
            reason.loc[todo] = r.where(r.notna(), None).to_numpy()
    reason = reason.astype(object).where(reason.notna(), None)
    return pd.DataFrame({"churned": churned.to_numpy(), "churn_date": date.to_numpy(),
                         "reason": reason.to_numpy()},
                        index=pd.Index(ids, name="customer_id"))


def churn_labels(data: CustomerData, definition: str = "narrow", threshold_days=None,
                 observation_end=None) -> pd.DataFrame:
    """Churn by ``definition`` (``"narrow"`` or ``"broad"``): ``churned`` and ``churn_date``.

    The one entry point of the survival frames and the churn rate; narrow churn needs
    ``threshold_days``.
    """
    if definition not in _DEFINITIONS:
        raise ParameterError(
            f"definition must be 'narrow' (no activity for a threshold, 狭义流失) or "
            f"'broad' (an explicit end, 广义流失), got {definition!r}"
        )
    if definition == "narrow":
        if threshold_days is None:
            raise ParameterError(
                "narrow churn needs threshold_days (days without purchase or interaction); "
                "segkit.churn.choose_threshold(data) suggests one"
            )
        return narrow_churn(data, threshold_days, observation_end)
    return broad_churn(data, observation_end)


def inter_purchase_days(data: CustomerData, observation_end=None) -> pd.Series:
    """Days between consecutive purchase days of each customer (pooled, up to the end).

    Several purchases on one day count as one purchase day.
    """
    _check_data(data)
    if data.transactions is None or not len(data.transactions):
        raise SchemaError("transactions", "timestamp",
                          "inter-purchase times need a transactions table with purchases",
                          pd.DataFrame(), 0)
    end = observation_end_of(data, observation_end)
    tx = purchases(data.transactions)
    tx = tx.loc[tx["timestamp"] <= end]
    days = pd.DataFrame({"customer_id": tx["customer_id"].to_numpy(),
                         "day": tx["timestamp"].dt.normalize().to_numpy()}).drop_duplicates()
    days = days.sort_values(["customer_id", "day"], kind="stable")
    same = days["customer_id"].to_numpy()[1:] == days["customer_id"].to_numpy()[:-1]
    gaps = np.diff(days["day"].to_numpy()).astype("timedelta64[s]").astype(float) / 86400.0
    return pd.Series(gaps[same], name="inter_purchase_days")


def choose_threshold(data: CustomerData, quantile: float = 0.9, observation_end=None) -> float:
    """An inactivity threshold: a high quantile of the pooled inter-purchase times, in days.

    With ``quantile=0.9``, nine gaps in ten between a customer's purchases are shorter
    than the threshold, so a customer silent for longer is unlikely to be pausing.
    :func:`threshold_tradeoff` shows what the choice costs.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a"] * 4, "amount": [1.0] * 4,
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-03-01"])})
    >>> choose_threshold(CustomerData(transactions=tx), quantile=0.5)
    20.0
    """
    if not 0 < float(quantile) < 1:
        raise ParameterError(f"quantile must lie strictly between 0 and 1, got {quantile}")
    gaps = inter_purchase_days(data, observation_end)
    if not len(gaps):
        raise SchemaError("transactions", "customer_id",
                          "no customer bought on two different days: there are no "
                          "inter-purchase times to choose a threshold from", pd.DataFrame(), 0)
    return float(np.ceil(np.quantile(gaps.to_numpy(), float(quantile))))


def threshold_tradeoff(data: CustomerData, thresholds_days, as_of=None,
                       observation_end=None) -> pd.DataFrame:
    """False churn against late detection, for candidate thresholds, on later behaviour.

    At ``as_of`` each threshold declares churned every customer inactive for at least
    that many days. What happened after ``as_of`` (up to the observation end) tells
    which declarations were wrong:

    - ``false_churn_rate``: share of the declared who were active again afterwards
      (they were pausing, not gone);
    - ``missed_rate``: share of those never active again who were not yet declared
      (churn detected late or not at all);
    - ``detection_delay_days``: days from the last activity to the declaration (the
      threshold itself).

    Parameters
    ----------
    thresholds_days : sequence of float
    as_of : date-like, optional
        Defaults to the observation end minus the largest threshold, so that every
        threshold has as long a follow-up as it waits.
    """
    th = np.array([_threshold(t) for t in np.atleast_1d(thresholds_days)], dtype=float)
    end = observation_end_of(data, observation_end)
    as_of = end - pd.Timedelta(days=float(th.max())) if as_of is None else pd.Timestamp(as_of)
    if as_of >= end:
        raise ParameterError(
            f"as_of {as_of.date()} leaves no follow-up before the observation end "
            f"{end.date()}; choose an earlier date"
        )
    before = last_activity(data, as_of)
    after = last_activity(data, end).reindex(before.index)
    returned = (after > as_of).to_numpy()
    inactive = ((as_of - before).dt.total_seconds() / 86400.0).to_numpy()
    rows = []
    gone = ~returned
    for t in th:
        declared = inactive >= t
        n = int(declared.sum())
        rows.append({
            "threshold_days": t,
            "n_declared": n,
            "false_churn_rate": float((declared & returned).sum() / n) if n else np.nan,
            "missed_rate": float((gone & ~declared).sum() / gone.sum()) if gone.any() else np.nan,
            "detection_delay_days": t,
        })
    out = pd.DataFrame(rows)
    out.attrs["as_of"] = as_of
    return out


def churn_rate(data: CustomerData, freq: str = "M", definition: str = "narrow",
               threshold_days=None, observation_end=None) -> pd.DataFrame:
    """Churn rate per period: customers lost in the period / customers at risk at its start.

    A customer is at risk in a period when acquired before it starts and not churned
    before it starts; lost when the churn date falls inside it (docs/domain.md
    section 4). Only periods that end by the observation end are complete; the last,
    cut period is flagged.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period_start``, ``at_risk``, ``churned``, ``churn_rate``,
        ``complete``.
    """
    from ..data import complete_periods, period_ordinals, period_range, period_starts, time_unit

    unit = time_unit(freq, ("D", "W", "M", "Q", "Y"))
    end = observation_end_of(data, observation_end)
    labels = churn_labels(data, definition, threshold_days, end)
    acq = acquisition_dates(data).reindex(labels.index)
    if not len(labels):
        raise SchemaError("customers", "customer_id", "no customer acquired by the end",
                          pd.DataFrame(), 0)
    periods = period_range(acq.min(), end, unit)
    p_acq = period_ordinals(acq, unit)
    cd = labels["churn_date"]
    p_churn = np.where(cd.notna(), period_ordinals(cd.fillna(end), unit), np.iinfo(np.int64).max)
    first = periods[0]
    n = len(periods)
    # acquired in period p -> at risk from p + 1 (the period starts after acquisition);
    # churn in period c -> counted in c, no longer at risk from c + 1
    start_risk = np.clip(p_acq - first + 1, 0, n)
    stop_risk = np.clip(np.where(p_churn == np.iinfo(np.int64).max, n, p_churn - first + 1), 0, n)
    ok = start_risk < stop_risk
    delta = np.zeros(n + 1)
    np.add.at(delta, start_risk[ok], 1)
    np.add.at(delta, stop_risk[ok], -1)
    at_risk = np.cumsum(delta)[:n]
    lost = np.zeros(n)
    c = p_churn[ok & (p_churn != np.iinfo(np.int64).max)] - first
    np.add.at(lost, c[(c >= 0) & (c < n)], 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(at_risk > 0, lost / at_risk, np.nan)
    return pd.DataFrame({
        "period_start": period_starts(periods, unit),
        "at_risk": at_risk.astype(np.int64),
        "churned": lost.astype(np.int64),
        "churn_rate": rate,
        "complete": complete_periods(periods, unit, end),
    })
