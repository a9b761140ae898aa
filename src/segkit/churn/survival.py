"""Survival frames: durations, events, censoring and late entry, from the raw tables.

Every frame here measures time from each customer's **origin** (acquisition, or a
contract's start) in one unit: ``"D"`` days, ``"W"`` weeks (7 days) or ``"M"`` calendar
months (:func:`elapsed`: a subscription book counts in months, from anniversary to
anniversary).

- :func:`survival_data`: one row per customer with ``entry`` (left truncation: a customer
  acquired before the analysis window enters the risk set at their age at the window
  start), ``duration`` (to the churn date, else to the observation end: censored) and
  ``event``;
- :func:`survival_from_table`: the same frame from one table per customer (an export of
  a billing system) through a column map alone;
- :func:`to_long` and :func:`time_varying`: the long format of time-varying covariates
  (``start, stop, event``; lifelines' ``CoxTimeVaryingFitter`` shape);
- :func:`episodes`: recurrent episodes, churn, win-back, churn again.

The observation end is an explicit argument defaulting to the data's own end, never
today (lifelines' ``datetimes_to_durations`` defaults to the time of import).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import acquisition_dates
from ..exceptions import ParameterError, SchemaError
from ..schema import REASONS, CustomerData
from .labels import ACTIVITY_TABLES, _threshold, churn_labels, observation_end_of

__all__ = [
    "UNIT_DAYS",
    "elapsed",
    "survival_data",
    "survival_from_table",
    "to_long",
    "time_varying",
    "complaint_counts",
    "episodes",
]

#: Days in one unit of survival time (a month's mean length: months themselves are
#: counted on the calendar, :func:`elapsed`).
UNIT_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 30.4375}
_DEFAULT_COVARIATES = ("region", "channel")
_YES = {"1", "true", "yes", "y", "t", "churned", "churn", "cancelled", "canceled"}
_NO = {"0", "false", "no", "n", "f", "active", "retained"}


def _unit_days(unit: str) -> float:
    if unit not in UNIT_DAYS:
        raise ParameterError(
            f"unit must be one of {list(UNIT_DAYS)} (days, weeks, months), got {unit!r}"
        )
    return UNIT_DAYS[unit]


_DAY_NS = 86_400 * 10**9


def _anniversary(month0, offset, k):
    """``month0 + k`` calendar months, at the day and time ``offset`` into the month
    (clipped to the month's last day: Jan 31 + 1 month = Feb 28 or 29)."""
    m = month0 + k.astype("timedelta64[M]")
    first = m.astype("datetime64[ns]")
    length = ((m + np.timedelta64(1, "M")).astype("datetime64[ns]") - first).astype(np.int64)
    off = np.where(offset >= length, length - _DAY_NS + offset % _DAY_NS, offset)
    return first + off.astype("timedelta64[ns]")


def elapsed(start, end, unit: str = "D") -> np.ndarray:
    """Time from ``start`` to ``end`` in ``unit``: days, weeks, or calendar months.

    Months are counted on the calendar, as a billing system does: whole months to the
    last monthly anniversary of ``start`` on or before ``end`` (Jan 31 renews on Feb
    28/29, then Mar 31), plus the elapsed share of the next month. 2024-01-15 to
    2024-04-15 is 3.0 months, whatever the months' lengths. NaT gives NaN.

    >>> d = pd.to_datetime(["2024-01-15", "2024-01-31", "2024-01-01"])
    >>> e = pd.to_datetime(["2024-04-15", "2024-02-29", "2024-01-16"])
    >>> elapsed(d, e, "M").round(4).tolist(), elapsed(d[:1], e[:1], "W").round(4).tolist()
    ([3.0, 1.0, 0.4839], [13.0])
    """
    ud = _unit_days(unit)
    s = np.asarray(start, dtype="datetime64[ns]")
    e = np.asarray(end, dtype="datetime64[ns]")
    s, e = np.broadcast_arrays(s, e)
    nat = np.isnat(s) | np.isnat(e)
    if unit != "M":
        out = (e - s).astype(np.int64).astype(float) / (_DAY_NS * ud)
        out[nat] = np.nan
        return out
    zero = np.datetime64(0, "ns")
    s = np.where(nat, zero, s)
    e = np.where(nat, zero, e)
    m0 = s.astype("datetime64[M]")
    offset = (s - m0.astype("datetime64[ns]")).astype(np.int64)
    k = (e.astype("datetime64[M]") - m0).astype(np.int64)
    k = np.where(_anniversary(m0, offset, k) > e, k - 1, k)
    a = _anniversary(m0, offset, k)
    b = _anniversary(m0, offset, k + 1)
    frac = (e - a).astype(np.int64) / (b - a).astype(np.int64)
    out = k + frac
    out[nat] = np.nan
    return out


def survival_data(data: CustomerData, definition: str = "narrow", threshold_days=None,
                  observation_end=None, window_start=None, unit: str = "D",
                  covariates=None) -> pd.DataFrame:
    """One row per customer: entry, duration and event, with attributes at the start.

    Parameters
    ----------
    data : CustomerData
    definition : {"narrow", "broad"}
        Narrow churn (no activity for ``threshold_days``; the event is dated on the
        day it is declared) or broad churn (an explicit end in ``exits`` or
        ``contracts``); :func:`segkit.churn.churn_labels`.
    threshold_days : float, optional
        Needed for narrow churn.
    observation_end : date-like, optional
        Censoring date; defaults to the data's own end (never today).
    window_start : date-like, optional
        Start of the analysis window. Customers churned by then are left out; those
        acquired before it enter at their age on that day (``entry > 0``, left
        truncation), so that a model conditions on their having survived until then.
        By default every customer is followed from acquisition (``entry = 0``).
    unit : {"D", "W", "M"}
        Unit of ``entry`` and ``duration``.
    covariates : sequence of str, optional
        Columns of ``customers`` to carry (attributes at the start); by default
        ``region`` and ``channel`` when present. Personal columns are refused.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, origin, exit_date, entry, duration, event`` and the covariates,
        sorted by customer id. ``event`` is 1 for churn, 0 for censored. Customers
        acquired on the observation end (no follow-up time) are not in it.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [5.0, 5.0, 5.0],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-03-01"])})
    >>> s = survival_data(CustomerData(transactions=tx), threshold_days=30,
    ...                   observation_end="2024-04-01")
    >>> s[["customer_id", "duration", "event"]].values.tolist()
    [['a', 49.0, 1], ['b', 30.0, 1]]
    """
    _unit_days(unit)
    end = observation_end_of(data, observation_end)
    labels = churn_labels(data, definition, threshold_days, end)
    origin = acquisition_dates(data).reindex(labels.index)
    exit_date = labels["churn_date"].where(labels["churned"], end)
    out = pd.DataFrame({
        "customer_id": labels.index.to_numpy(),
        "origin": origin.to_numpy(),
        "exit_date": exit_date.to_numpy(),
        "entry": 0.0,
        "duration": elapsed(origin.to_numpy(), exit_date.to_numpy(), unit),
        "event": labels["churned"].to_numpy().astype(np.int64),
    })
    # acquired on the observation end: no follow-up, nothing any model can learn from
    none = (out["duration"] <= 0) & (out["event"] == 0)
    out = out.loc[~none].reset_index(drop=True)
    if window_start is not None:
        ws = pd.Timestamp(window_start)
        if ws >= end:
            raise ParameterError(
                f"window_start {ws.date()} is not before the observation end {end.date()}"
            )
        alive = out["exit_date"] > ws
        out = out.loc[alive].reset_index(drop=True)
        out["entry"] = np.maximum(elapsed(out["origin"].to_numpy(), ws, unit), 0.0)
    out = _attach_covariates(out, data, covariates)
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)


def _attach_covariates(out: pd.DataFrame, data: CustomerData, covariates) -> pd.DataFrame:
    cust = data.customers
    if covariates is None:
        if cust is None:
            return out
        covariates = [c for c in _DEFAULT_COVARIATES if c in cust.columns]
    covariates = list(covariates)
    if not covariates:
        return out
    if cust is None:
        raise SchemaError("customers", covariates[0],
                          "covariates asked for but the data has no customers table",
                          pd.DataFrame(), 0)
    from ..schema import TABLES

    spec = {c.name: c for c in TABLES["customers"].columns}
    personal = [c for c in covariates if c in spec and (spec[c].personal or spec[c].sensitive)]
    if personal:
        raise ParameterError(
            f"covariates {personal} are personal or sensitive columns; they never enter "
            "a churn model (segkit.segment.fairness_audit checks groups instead)"
        )
    missing = [c for c in covariates if c not in cust.columns]
    if missing:
        raise SchemaError("customers", missing[0], f"covariate columns {missing} are not in "
                          f"the customers table (it has {list(cust.columns)})",
                          pd.DataFrame(), 0)
    attrs = cust.set_index("customer_id")[covariates]
    return out.join(attrs, on="customer_id")


def _bool_events(values: pd.Series, table: str, column: str) -> np.ndarray:
    """A churn flag as 0/1: booleans, 0/1 or yes/no words; anything else is refused."""
    s = values
    if s.dtype == bool:
        return s.to_numpy().astype(np.int64)
    if pd.api.types.is_numeric_dtype(s):
        bad = ~s.isin([0, 1])
        if bad.any():
            raise SchemaError(table, column, "a churn flag must be 0 or 1 (or yes/no, "
                              "true/false)", s[bad].to_frame().head(5), int(bad.sum()))
        return s.to_numpy().astype(np.int64)
    words = s.astype("string").str.strip().str.lower()
    yes, no = words.isin(_YES), words.isin(_NO)
    bad = ~(yes | no)
    if bad.any():
        raise SchemaError(table, column, "a churn flag must read yes/no, true/false or 1/0; "
                          "these values cannot be read", s[bad.to_numpy()].to_frame().head(5),
                          int(bad.sum()))
    return yes.to_numpy().astype(np.int64)


def survival_from_table(df: pd.DataFrame, id_col: str, *, start_col=None, end_col=None,
                        tenure_col=None, event_col=None, covariate_cols=None, unit: str = "M",
                        observation_end=None, table: str = "customers") -> pd.DataFrame:
    """A survival frame from one table per customer, through a column map alone.

    Give either ``start_col`` (with ``end_col`` and/or ``event_col``) or
    ``tenure_col`` (already in ``unit``) with ``event_col``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per customer (an export of a billing or CRM system).
    id_col : str
        The customer id; must be unique and present.
    start_col, end_col : str, optional
        Start and end dates; an empty end means still active. ``end_col`` alone
        defines the event (an end by the observation end) unless ``event_col`` is given.
    tenure_col : str, optional
        Tenure in ``unit``, when the table has no dates.
    event_col : str, optional
        The churn flag: booleans, 0/1, or yes/no words.
    covariate_cols : sequence of str, optional
        Attributes to carry into the models.
    unit : {"D", "W", "M"}
    observation_end : date-like, optional
        The snapshot date of the export: censoring date of the active. Defaults to
        the last date in the start and end columns.
    table : str
        The table's name in error messages.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, origin, exit_date, entry, duration, event`` and the covariates.

    Examples
    --------
    >>> subs = pd.DataFrame({"acct": ["001", "002"], "signup": ["2024-01-01", "2024-03-01"],
    ...                      "cancel": ["2024-04-01", None], "plan": ["basic", "plus"]})
    >>> s = survival_from_table(subs, "acct", start_col="signup", end_col="cancel",
    ...     covariate_cols=["plan"], observation_end="2024-07-01")
    >>> s[["customer_id", "duration", "event", "plan"]].round(2).values.tolist()
    [['001', 3.0, 1, 'basic'], ['002', 4.0, 0, 'plus']]
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    _unit_days(unit)
    cols = [c for c in (id_col, start_col, end_col, tenure_col, event_col) if c is not None]
    cols += list(covariate_cols or [])
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(table, missing[0], f"columns {missing} are not in the table "
                          f"(it has {list(df.columns)})", pd.DataFrame(), 0)
    if (start_col is None) == (tenure_col is None):
        raise ParameterError(
            "give either start_col (with end_col or event_col) or tenure_col (with "
            "event_col), not both and not neither"
        )
    ids = df[id_col]
    bad = ids.isna() | ids.duplicated(keep=False)
    if bad.any():
        raise SchemaError(table, id_col, "customer ids must be present and unique",
                          df.loc[bad, [id_col]].head(5), int(bad.sum()))
    if tenure_col is not None:
        if event_col is None:
            raise ParameterError("tenure_col needs event_col: which customers churned?")
        tenure = pd.to_numeric(df[tenure_col], errors="coerce")
        bad = tenure.isna() | (tenure < 0) | ~np.isfinite(tenure.fillna(0))
        if bad.any():
            raise SchemaError(table, tenure_col, "tenure must be a number >= 0 in "
                              f"{unit} units", df.loc[bad, [id_col, tenure_col]].head(5),
                              int(bad.sum()))
        event = _bool_events(df[event_col], table, event_col)
        out = pd.DataFrame({"customer_id": ids.to_numpy(), "origin": pd.NaT,
                            "exit_date": pd.NaT, "entry": 0.0,
                            "duration": tenure.to_numpy(dtype=float), "event": event})
    else:
        start = _dates(df, start_col, table, id_col)
        bad = start.isna()
        if bad.any():
            raise SchemaError(table, start_col, "every customer needs a start date",
                              df.loc[bad, [id_col, start_col]].head(5), int(bad.sum()))
        end_dates = _dates(df, end_col, table, id_col) if end_col is not None else None
        known = [start.max()] + ([end_dates.max()] if end_dates is not None else [])
        end = (pd.Timestamp(observation_end) if observation_end is not None
               else max(x for x in known if pd.notna(x)))
        if end_dates is not None:
            bad = end_dates.notna() & (end_dates < start)
            if bad.any():
                raise SchemaError(table, end_col, "an end date lies before its start date",
                                  df.loc[bad, [id_col, start_col, end_col]].head(5),
                                  int(bad.sum()))
            ended = end_dates.notna() & (end_dates <= end)
        if event_col is not None:
            event = _bool_events(df[event_col], table, event_col)
            if end_dates is not None:
                bad = (event == 1) & ~ended.to_numpy()
                if bad.any():
                    raise SchemaError(table, end_col, f"churned by {event_col} but without an "
                                      "end date by the observation end",
                                      df.loc[bad, [id_col, end_col, event_col]].head(5),
                                      int(bad.sum()))
                exit_date = end_dates.where(event == 1, end)
            else:
                raise ParameterError(
                    "start_col with event_col needs end_col too (when did they churn?); "
                    "or give tenure_col"
                )
        else:
            if end_dates is None:
                raise ParameterError("start_col needs end_col or event_col")
            event = ended.to_numpy().astype(np.int64)
            exit_date = end_dates.where(ended, end)
        late = start > end
        if late.any():
            raise SchemaError(table, start_col, f"starts after the observation end {end.date()}",
                              df.loc[late, [id_col, start_col]].head(5), int(late.sum()))
        out = pd.DataFrame({"customer_id": ids.to_numpy(), "origin": start.to_numpy(),
                            "exit_date": exit_date.to_numpy(), "entry": 0.0,
                            "duration": elapsed(start.to_numpy(), exit_date.to_numpy(), unit),
                            "event": event})
    for c in covariate_cols or []:
        out[c] = df[c].to_numpy()
    return out


def _dates(df: pd.DataFrame, col: str, table: str, id_col: str) -> pd.Series:
    """Dates of a column: datetimes kept, ISO text parsed strictly, anything else refused."""
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.reset_index(drop=True).astype("datetime64[ns]")
    text = s.astype("string").str.strip()
    empty = text.isna() | (text == "")
    parsed = pd.to_datetime(text.where(~empty), format="ISO8601", errors="coerce")
    bad = parsed.isna() & ~empty
    if bad.any():
        raise SchemaError(table, col, "dates must be written as ISO dates such as 2024-03-01",
                          df.loc[bad.to_numpy(), [id_col, col]].head(5), int(bad.sum()))
    return parsed.reset_index(drop=True).astype("datetime64[ns]")


def to_long(surv: pd.DataFrame, changes: pd.DataFrame, date_col: str = "date",
            unit: str = "D", fill_value=0.0) -> pd.DataFrame:
    """The long format of time-varying covariates: one row per customer and interval.

    Parameters
    ----------
    surv : pandas.DataFrame
        A survival frame (``customer_id, origin, entry, duration, event``).
    changes : pandas.DataFrame
        ``customer_id``, ``date_col`` and covariate columns: from that date on, the
        customer's covariates take these values (e.g. one row per customer and month).
    unit : str
        The unit of ``surv``.
    fill_value : float
        Covariate values before a customer's first change.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, start, stop, event`` and the covariates: intervals in age
        (time since origin), the first starting at ``entry``, the last ending at
        ``duration`` and carrying the event. A change dated after the exit is
        ignored, so nothing after churn or censoring leaks in.

    Examples
    --------
    >>> surv = pd.DataFrame({"customer_id": ["a"], "origin": pd.to_datetime(["2024-01-01"]),
    ...                      "entry": [0.0], "duration": [40.0], "event": [1]})
    >>> ch = pd.DataFrame({"customer_id": ["a", "a"], "x": [1.0, 2.0],
    ...                    "date": pd.to_datetime(["2024-01-11", "2024-03-01"])})
    >>> to_long(surv, ch)[["start", "stop", "event", "x"]].values.tolist()
    [[0.0, 10.0, 0.0, 0.0], [10.0, 40.0, 1.0, 1.0]]
    """
    _unit_days(unit)
    need = {"customer_id", "origin", "entry", "duration", "event"} - set(surv.columns)
    if need:
        raise ParameterError(f"surv lacks the columns {sorted(need)}; build it with survival_data")
    covs = [c for c in changes.columns if c not in ("customer_id", date_col)]
    s = surv[["customer_id", "origin", "entry", "duration", "event"]].reset_index(drop=True)
    codes = pd.Index(s["customer_id"]).get_indexer(changes["customer_id"])
    keep = codes >= 0
    ch = changes.loc[keep]
    codes = codes[keep]
    age = elapsed(s["origin"].to_numpy(dtype="datetime64[ns]")[codes],
                  ch[date_col].to_numpy(dtype="datetime64[ns]"), unit)
    entry = s["entry"].to_numpy(dtype=float)
    dur = s["duration"].to_numpy(dtype=float)
    inside = age < dur[codes]
    ch, codes, age = ch.loc[inside], codes[inside], age[inside]
    # a change at or before entry sets the value at entry: keep only the last of those
    o = np.lexsort((age, codes))
    codes, age = codes[o], age[o]
    vals = ch[covs].to_numpy()[o] if covs else np.empty((len(o), 0))
    before = age <= entry[codes]
    last_before = before & ~np.r_[before[1:] & (codes[1:] == codes[:-1]), False]
    starts_row = (~before) | last_before
    codes, age, vals = codes[starts_row], age[starts_row], vals[starts_row]
    age = np.maximum(age, entry[codes])
    n = len(s)
    has_first = np.zeros(n, bool)
    has_first[codes[age == entry[codes]]] = True
    # customers without a change at entry get an opening interval with fill_value
    open_c = np.flatnonzero(~has_first)
    all_codes = np.concatenate([open_c, codes])
    all_start = np.concatenate([entry[open_c], age])
    fill = np.full((len(open_c), len(covs)), fill_value, dtype=object if vals.dtype == object
                   else float)
    all_vals = np.concatenate([fill, vals]) if covs else np.empty((len(all_codes), 0))
    o = np.lexsort((all_start, all_codes))
    all_codes, all_start, all_vals = all_codes[o], all_start[o], all_vals[o]
    last = np.r_[all_codes[1:] != all_codes[:-1], True]
    stop = np.r_[all_start[1:], 0.0]
    stop[last] = dur[all_codes[last]]
    event = np.where(last, s["event"].to_numpy()[all_codes], 0).astype(float)
    out = pd.DataFrame({"customer_id": s["customer_id"].to_numpy()[all_codes],
                        "start": all_start, "stop": stop, "event": event})
    for j, c in enumerate(covs):
        out[c] = pd.array(all_vals[:, j]).astype(changes[c].dtype) \
            if all_vals.dtype != object else all_vals[:, j]
    # intervals of zero length (a change on the exit day) carry nothing
    return out.loc[out["stop"] > out["start"]].reset_index(drop=True)


def complaint_counts(data: CustomerData, freq: str = "M", observation_end=None,
                     by_reason: bool = True) -> pd.DataFrame:
    """Cumulative complaints (kind ``complaint``) before each period start, per customer.

    The change rows of :func:`to_long`: one row per customer and period start from
    the customer's first complaint on, with ``complaints_<reason>`` columns (or one
    ``complaints`` column).
    """
    from ..data import period_ordinals, period_starts, time_unit

    unit = time_unit(freq, ("D", "W", "M", "Q", "Y"))
    end = observation_end_of(data, observation_end)
    names = [f"complaints_{r}" for r in REASONS] if by_reason else ["complaints"]
    empty = pd.DataFrame({"customer_id": pd.Series([], dtype=object),
                          "date": pd.Series([], dtype="datetime64[ns]"),
                          **{c: pd.Series([], dtype=float) for c in names}})
    c = data.complaints
    if c is None or not len(c):
        return empty
    c = c.loc[(c["kind"].astype(str) == "complaint") & (c["timestamp"] <= end)]
    if not len(c):
        return empty
    # a complaint counts from the start of the next period on (known at that start)
    p = period_ordinals(c["timestamp"], unit) + 1
    key = c["reason"].astype(str).to_numpy() if by_reason else np.full(len(c), "")
    frame = pd.DataFrame({"customer_id": c["customer_id"].to_numpy(), "p": p, "k": key})
    counts = frame.groupby(["customer_id", "p", "k"], sort=True).size().unstack("k", fill_value=0)
    counts = counts.reindex(columns=list(REASONS) if by_reason else [""], fill_value=0)
    counts = counts.groupby(level="customer_id").cumsum().astype(float)
    counts.columns = names
    counts = counts.reset_index()
    counts["date"] = period_starts(counts["p"].to_numpy(), unit)
    return counts[["customer_id", "date", *names]]


def time_varying(data: CustomerData, definition: str = "narrow", threshold_days=None,
                 observation_end=None, window_start=None, unit: str = "M", freq: str = "M",
                 changes: pd.DataFrame | None = None, covariates=None) -> pd.DataFrame:
    """Long-format survival data with time-varying covariates, from the raw tables.

    :func:`survival_data` for the intervals, and ``changes`` (``customer_id, date`` and
    covariates, e.g. :func:`segkit.features.warning_indicators_by_period`) for the
    values; by default the cumulative complaints by reason per period
    (:func:`complaint_counts`). Attributes at the start (``covariates``) are carried
    on every row.
    """
    surv = survival_data(data, definition, threshold_days, observation_end, window_start,
                         unit, covariates)
    if changes is None:
        changes = complaint_counts(data, freq, observation_end_of(data, observation_end))
    long = to_long(surv, changes, "date", unit)
    attrs = [c for c in surv.columns
             if c not in ("origin", "exit_date", "entry", "duration", "event", "customer_id")]
    if attrs:
        long = long.join(surv.set_index("customer_id")[attrs], on="customer_id")
    return long


def episodes(data: CustomerData, threshold_days, observation_end=None, unit: str = "D",
             activity=ACTIVITY_TABLES) -> pd.DataFrame:
    """Recurrent episodes: active, churned (narrow), won back, churned again.

    A customer's activity days are cut into episodes wherever two consecutive
    activities lie ``threshold_days`` or more apart: the episode ends with churn
    declared ``threshold_days`` after its last activity, and the next activity starts
    a new episode (a win-back, 流失客户挽回). The last episode is censored at the
    observation end unless it too has ended.

    Returns
    -------
    pandas.DataFrame
        One row per episode: ``customer_id, episode`` (1, 2, ...), ``start`` (first
        activity), ``last_activity``, ``end`` (churn date or observation end),
        ``duration`` (in ``unit``), ``event`` and ``won_back`` (a later episode exists).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a"] * 3, "amount": [1.0] * 3,
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-10", "2024-06-01"])})
    >>> e = episodes(CustomerData(transactions=tx), 60, observation_end="2024-06-30")
    >>> e[["episode", "duration", "event", "won_back"]].values.tolist()
    [[1, 69.0, 1, True], [2, 29.0, 0, False]]
    """
    from .labels import _activity_frames

    t = _threshold(threshold_days)
    _unit_days(unit)
    end = observation_end_of(data, observation_end)
    parts = _activity_frames(data, activity, end)
    if not parts:
        raise SchemaError("transactions", "timestamp", "episodes need activity rows "
                          "(purchases or interactions)", pd.DataFrame(), 0)
    rows = pd.concat(parts, ignore_index=True)
    rows = pd.DataFrame({"customer_id": rows["customer_id"].to_numpy(),
                         "t": rows["timestamp"].to_numpy(dtype="datetime64[ns]")})
    rows = rows.drop_duplicates().sort_values(["customer_id", "t"], kind="stable")
    cid = rows["customer_id"].to_numpy()
    tt = rows["t"].to_numpy()
    new_c = np.r_[True, cid[1:] != cid[:-1]]
    gap = np.r_[0.0, np.diff(tt).astype("timedelta64[s]").astype(float) / 86400.0]
    new_ep = new_c | (gap >= t)
    ep_id = np.cumsum(new_ep) - 1
    first = np.flatnonzero(new_ep)
    last = np.r_[first[1:] - 1, len(tt) - 1]
    ep_c = cid[first]
    number = ep_id[first] - ep_id[first][np.maximum.accumulate(np.where(new_c[first],
                                                   np.arange(len(first)), 0))] + 1
    start, last_t = tt[first], tt[last]
    churn_at = last_t + np.timedelta64(int(round(t * 86400)), "s")
    event = churn_at <= np.datetime64(end)
    stop = np.where(event, churn_at, np.datetime64(end))
    won_back = np.r_[ep_c[1:] == ep_c[:-1], False]
    return pd.DataFrame({
        "customer_id": ep_c,
        "episode": number.astype(np.int64),
        "start": start,
        "last_activity": last_t,
        "end": stop.astype("datetime64[ns]"),
        "duration": elapsed(start, stop, unit),
        "event": event.astype(np.int64),
        "won_back": won_back,
    })
