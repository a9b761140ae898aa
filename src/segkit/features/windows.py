"""Warning indicators over time windows: the six signals of churn against each customer's baseline.

docs/domain.md section 4 names six warning indicators of churn (客户流失预警): purchase
amount falls, negative reviews rise, account activity falls, purchase frequency falls,
interaction frequency falls, complaint rate rises. Here each one is a *change against
the customer's own baseline*: what the customer did in a **recent window** (by default
the 90 days before the as-of date) against what the same customer did in a **baseline
window** (by default the 365 days before the recent window, or the customer's tenure
when shorter). A customer who always buys twice a year is not alarming when they buy
twice a year; one who bought every week and stopped is.

Windows and exposure
--------------------
With ``T = as_of``, ``R = T - window_days`` and ``B = R - baseline_days``, the recent
window is ``[R, T)`` and the baseline window ``[B, R)``; both start no earlier than
the customer's acquisition (:func:`segkit.data.acquisition_dates`). Their lengths in
days are the customer's *exposures*, ``recent_exposure_days`` (positive for every
customer acquired before ``T``) and ``baseline_exposure_days`` (0 for a customer
acquired in the recent window). Only rows dated strictly before ``as_of`` are read,
so changing or adding rows on or after ``as_of`` changes nothing.

The scale of the rate indicators
--------------------------------
For events counted ``n_r`` times in the recent window and ``n_b`` times in the
baseline, the rates per window length are ``r = n / exposure * window_days`` and the
indicator is the **log rate ratio with a pseudo-count**::

    change = log((r_recent + c) / (r_baseline + c)),   c = pseudo_count (default 0.5)

0 means "as usual", negative "fell", positive "rose"; ``log 2 = 0.69`` is a doubling,
``-0.69`` a halving. The pseudo-count, half an event per recent window (the
Haldane-Anscombe correction of a count), keeps the scale finite for zero counts and
damps the noise of the few events a short window holds: a customer with no events in
either window gets exactly 0 (no change, not NaN), and one rare event in a quiet
customer's recent window moves the indicator by ``log 3 = 1.1`` at most, where a
customer with twelve such events a year who stops entirely gets ``log(0.5 / 3.5) =
-1.9``. It is added to the *rates* (not to the counts) so that equal rates in windows
of unequal length give exactly 0. A log ratio rather than a difference of rates
makes the indicators comparable across customers of very different activity, which
is what a hazard model needs.

The six indicators
------------------
``amount_change``
    purchase amount falls: the log ratio of the mean amount per order (purchase lines
    of a day summed, returns left out), recent against baseline, with the recent mean
    shrunk towards the baseline mean by ``pseudo_count`` orders: ``m_r = (S_r + c m_b)
    / (N_r + c)``, ``change = log(m_r / m_b)``. Without a recent order it is 0 (no
    evidence of a change); without a baseline order, 0 too.
``negative_review_change``
    negative reviews rise: rows of ``complaints`` of kind ``review`` rated at most
    ``negative_rating`` (2) stars.
``activity_change``
    account activity falls: logins and visits in ``interactions``.
``purchase_frequency_change``
    purchase frequency falls: orders (purchase days) other than the one on the
    acquisition day (the acquisition purchase opens the exposure, it is not an event
    in it; counting it would make every young customer look like a falling one).
``interaction_change``
    interaction frequency falls: service contacts in ``interactions`` (the customer
    reaching the company; logins and visits are the activity above).
``complaint_change``
    complaint rate rises: rows of ``complaints`` of kind ``complaint``.

A customer whose baseline is shorter than ``min_baseline_days`` (30) has no baseline
yet: every indicator is 0 and ``has_baseline`` is False. Customers with no activity at
all get 0 everywhere, never NaN. ``complaints_to_date`` counts every complaint before
``as_of`` (a level, not a change: a customer who complained stays at risk after the
complaint has left the recent window). Two more columns give what simple rules read:
``days_since_purchase`` (to the last order, or to the acquisition without one) and
``days_since_activity`` (to the last purchase or interaction, or the acquisition: the
inactivity of :func:`segkit.churn.narrow_churn`).

How it is computed
------------------
The tables are read once into integer arrays (one hashing pass over the customer
ids of every table, the costly part at scale); each as-of date is then a few masks and
``numpy.bincount`` calls over them (no loop over
customers or rows), so :func:`warning_indicators_by_period` costs one such pass per
period.

Examples
--------
>>> import pandas as pd
>>> from segkit.schema import CustomerData
>>> days = list(pd.date_range("2023-01-01", "2023-12-01", freq="MS")) + [pd.Timestamp("2024-02-15")]
>>> tx = pd.DataFrame({"customer_id": "a", "timestamp": days, "amount": [50.0] * 12 + [20.0]})
>>> out = warning_indicators(CustomerData(transactions=tx), as_of="2024-04-01")
>>> out[["amount_change", "purchase_frequency_change", "days_since_purchase"]].round(3)
   amount_change  purchase_frequency_change  days_since_purchase
0         -0.511                     -0.762                 46.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import is_return, period_range, period_starts, time_unit
from ..data import observation_end as resolve_end
from ..exceptions import ParameterError
from ..schema import CustomerData

__all__ = [
    "INDICATOR_DIRECTIONS",
    "INDICATORS",
    "warning_indicators",
    "warning_indicators_by_period",
]

#: The six warning indicators of docs/domain.md section 4, in its order.
INDICATORS: tuple[str, ...] = (
    "amount_change",
    "negative_review_change",
    "activity_change",
    "purchase_frequency_change",
    "interaction_change",
    "complaint_change",
)
#: Interaction kinds counted as account activity, and as service contacts.
ACTIVITY_KINDS: tuple[str, ...] = ("login", "visit")
CONTACT_KINDS: tuple[str, ...] = ("service_contact",)
#: The warning's direction of each indicator (docs/domain.md section 4): -1 when a fall
#: warns (amount, activity, purchase and interaction frequency), +1 when a rise does.
INDICATOR_DIRECTIONS: dict[str, int] = {
    "amount_change": -1,
    "negative_review_change": 1,
    "activity_change": -1,
    "purchase_frequency_change": -1,
    "interaction_change": -1,
    "complaint_change": 1,
}

_DAY_NS = 86_400 * 10**9
_NONE = np.iinfo(np.int64).max  # "no date": later than every as-of date


# ------------------------------------------------------------------------------ arguments


def _number(name: str, value, *, minimum: float = 0.0, strict: bool = True) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number of days, got {value!r}") from None
    if not np.isfinite(v) or v < minimum or (strict and v == minimum):
        rel = ">" if strict else ">="
        raise ParameterError(f"{name} must be a finite number {rel} {minimum:g}, got {value!r}")
    return v


@dataclass(frozen=True)
class _Params:
    window_days: float
    baseline_days: float
    min_baseline_days: float
    pseudo_count: float
    negative_rating: float


def _params(window_days, baseline_days, min_baseline_days, pseudo_count, negative_rating):
    w = _number("window_days", window_days)
    b = _number("baseline_days", baseline_days)
    mb = _number("min_baseline_days", min_baseline_days, strict=False)
    if mb > b:
        raise ParameterError(
            f"min_baseline_days ({mb:g}) must not exceed baseline_days ({b:g}); lower it "
            "or lengthen the baseline"
        )
    c = _number("pseudo_count", pseudo_count)
    try:
        nr = float(negative_rating)
    except (TypeError, ValueError):
        raise ParameterError(
            f"negative_rating must be a star rating such as 2, got {negative_rating!r}"
        ) from None
    return _Params(w, b, mb, c, nr)


def _as_of(data: CustomerData, as_of) -> pd.Timestamp:
    return resolve_end(data, as_of, "as_of")


def _listed(values) -> list:
    """One date or a sequence of dates, as a list."""
    if isinstance(values, str | pd.Timestamp | np.datetime64) or not np.iterable(values):
        return [values]
    return list(values)


# ------------------------------------------------------------------------ the event arrays


def _ns(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _stream(codes: np.ndarray, ns: np.ndarray, keep: np.ndarray | None = None):
    """Rows with a known customer (and ``keep``): customer codes and times."""
    ok = codes >= 0
    if keep is not None:
        ok &= keep
    return codes[ok], ns[ok]


@dataclass
class _Events:
    """Every table the indicators read, as integer arrays (customers coded 0..n-1)."""

    ids: np.ndarray  # customer ids, sorted
    acq_customers: np.ndarray  # acquisition date of the customers table, or _NONE
    first_purchase: np.ndarray
    first_contract: np.ndarray
    order_code: np.ndarray  # one row per order (customer and day), sorted by both
    order_ns: np.ndarray  # the order's first line
    order_day: np.ndarray
    line_order: np.ndarray  # purchase lines: their order ...
    line_ns: np.ndarray  # ... time ...
    line_amount: np.ndarray  # ... and amount
    interaction: tuple[np.ndarray, np.ndarray]  # every interaction (last activity)
    activity: tuple[np.ndarray, np.ndarray]  # logins and visits
    contact: tuple[np.ndarray, np.ndarray]  # service contacts
    complaint: tuple[np.ndarray, np.ndarray]
    negative_review: tuple[np.ndarray, np.ndarray]


_ID_TABLES = ("customers", "transactions", "interactions", "complaints", "contracts")


def _events(data: CustomerData, negative_rating: float) -> _Events:
    if not isinstance(data, CustomerData):
        raise ParameterError(
            f"data must be a segkit CustomerData (from segkit.io.read_tables or "
            f"segkit.datasets), got {type(data).__name__}"
        )
    tables = {name: getattr(data, name) for name in _ID_TABLES}
    tables = {k: v for k, v in tables.items() if v is not None and len(v)}
    if not tables:
        raise ParameterError(
            "the data has no customers, transactions, interactions, complaints or "
            "contracts: there is nothing to compute warning indicators from"
        )
    # one hashing pass over every id of every table (the costly part at scale)
    arrays = [df["customer_id"].to_numpy(dtype=object) for df in tables.values()]
    all_codes, uniques = pd.factorize(np.concatenate(arrays), sort=True)
    ends = np.cumsum([len(x) for x in arrays])
    codes = dict(zip(tables, np.split(all_codes.astype(np.int64), ends[:-1]), strict=True))
    ids = np.asarray(uniques, dtype=object)
    n = len(ids)

    acq_c = np.full(n, _NONE, dtype=np.int64)
    cust = tables.get("customers")
    if cust is not None and "acquisition_date" in cust.columns:
        a = _ns(cust["acquisition_date"])
        a = np.where(a == np.iinfo(np.int64).min, _NONE, a)  # NaT: no date
        ok = codes["customers"] >= 0
        acq_c[codes["customers"][ok]] = a[ok]
    first_contract = np.full(n, _NONE, dtype=np.int64)
    if "contracts" in tables:
        c, t = _stream(codes["contracts"], _ns(tables["contracts"]["start_date"]))
        ok = t != np.iinfo(np.int64).min
        np.minimum.at(first_contract, c[ok], t[ok])

    first_purchase = np.full(n, _NONE, dtype=np.int64)
    tx = tables.get("transactions")
    buy = None if tx is None else ~is_return(tx).to_numpy()
    if buy is not None and buy.any():
        c, t = _stream(codes["transactions"], _ns(tx["timestamp"]), buy)
        amount = tx["amount"].to_numpy(dtype=float)[(codes["transactions"] >= 0) & buy]
        amount = np.clip(amount, 0.0, None)
        day = np.floor_divide(t, _DAY_NS)
        d0 = day.min()
        order = np.argsort(c * (day.max() - d0 + 1) + (day - d0), kind="stable")
        c, t, amount, day = c[order], t[order], amount[order], day[order]
        new = np.ones(len(c), dtype=bool)
        new[1:] = (c[1:] != c[:-1]) | (day[1:] != day[:-1])
        starts = np.flatnonzero(new)
        line_order = np.cumsum(new) - 1
        order_code, order_day = c[starts], day[starts]
        order_ns = np.minimum.reduceat(t, starts)
        firsts = np.ones(len(order_code), dtype=bool)
        firsts[1:] = order_code[1:] != order_code[:-1]
        first_purchase[order_code[firsts]] = order_ns[firsts]
    else:
        empty = np.zeros(0, dtype=np.int64)
        order_code = order_ns = order_day = line_order = t = empty
        amount = np.zeros(0)

    empty_stream = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    it = tables.get("interactions")
    if it is not None:
        c, ns = codes["interactions"], _ns(it["timestamp"])
        interaction = _stream(c, ns)
        activity = _stream(c, ns, it["kind"].isin(ACTIVITY_KINDS).to_numpy())
        contact = _stream(c, ns, it["kind"].isin(CONTACT_KINDS).to_numpy())
    else:
        interaction = activity = contact = empty_stream
    cp = tables.get("complaints")
    if cp is not None:
        c, ns = codes["complaints"], _ns(cp["timestamp"])
        if "rating" in cp.columns:
            rating = pd.to_numeric(cp["rating"], errors="coerce").to_numpy(dtype=float)
        else:
            rating = np.full(len(cp), np.nan)
        complaint = _stream(c, ns, cp["kind"].isin(["complaint"]).to_numpy())
        with np.errstate(invalid="ignore"):
            negative = cp["kind"].isin(["review"]).to_numpy() & (rating <= negative_rating)
        negative_review = _stream(c, ns, negative)
    else:
        complaint = negative_review = empty_stream
    return _Events(ids, acq_c, first_purchase, first_contract, order_code,
                   order_ns, order_day, line_order, t, amount, interaction, activity,
                   contact, complaint, negative_review)


# ------------------------------------------------------------------------ one as-of date


def _last_before(code: np.ndarray, ns: np.ndarray, t: int, n: int) -> np.ndarray:
    """Each customer's last time before ``t`` (int64 min without one)."""
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    m = ns < t
    np.maximum.at(out, code[m], ns[m])
    return out


def _window_counts(stream, lo: int, mid: int, hi: int, n: int, extra=None):
    code, ns = stream
    inside = (ns >= lo) & (ns < hi)
    if extra is not None:
        inside &= extra
    recent = inside & (ns >= mid)
    base = inside & ~recent
    return (np.bincount(code[recent], minlength=n).astype(float),
            np.bincount(code[base], minlength=n).astype(float))


def _at(ev: _Events, as_of: pd.Timestamp, p: _Params) -> pd.DataFrame:
    n = len(ev.ids)
    T = int(as_of.value)
    R = T - int(round(p.window_days * _DAY_NS))
    B = R - int(round(p.baseline_days * _DAY_NS))
    acq = np.where(ev.acq_customers < T, ev.acq_customers,
                   np.where(ev.first_purchase < T, ev.first_purchase,
                            np.where(ev.first_contract < T, ev.first_contract, _NONE)))
    keep = acq < T
    acq_k = np.where(keep, acq, T)
    e_r = (T - np.maximum(acq_k, R)) / _DAY_NS
    e_b = np.maximum(R - np.maximum(acq_k, B), 0) / _DAY_NS
    has_base = keep & (e_b >= max(p.min_baseline_days, 1e-9))
    w, c = p.window_days, p.pseudo_count

    def log_ratio(n_r, n_b):
        with np.errstate(divide="ignore", invalid="ignore"):
            r_r = np.where(e_r > 0, n_r / e_r * w, 0.0)
            r_b = np.where(e_b > 0, n_b / e_b * w, 0.0)
            out = np.log((r_r + c) / (r_b + c))
        return np.where(has_base, out, 0.0)

    # orders: amount per order and repeat orders
    o_in = (ev.order_ns >= B) & (ev.order_ns < T)
    line_in = (ev.line_ns < T) & (ev.order_ns[ev.line_order] >= B) if len(ev.line_order) else \
        np.zeros(0, dtype=bool)
    o_amount = np.bincount(ev.line_order[line_in], weights=ev.line_amount[line_in],
                           minlength=len(ev.order_code))
    o_rec = ev.order_ns >= R
    oc = ev.order_code
    N_r = np.bincount(oc[o_in & o_rec], minlength=n).astype(float)
    N_b = np.bincount(oc[o_in & ~o_rec], minlength=n).astype(float)
    S_r = np.bincount(oc[o_in & o_rec], weights=o_amount[o_in & o_rec], minlength=n)
    S_b = np.bincount(oc[o_in & ~o_rec], weights=o_amount[o_in & ~o_rec], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        m_b = S_b / N_b
        amount = np.log((S_r / m_b + c) / (N_r + c))  # log(m_r / m_b), m_r shrunk
    amount = np.where(has_base & (N_b > 0) & (m_b > 0), amount, 0.0)
    repeat = ev.order_day != np.floor_divide(acq_k, _DAY_NS)[oc] if len(oc) else \
        np.zeros(0, dtype=bool)
    f_r, f_b = _window_counts((oc, ev.order_ns), B, R, T, n, repeat)

    indicators = {
        "amount_change": amount,
        "negative_review_change": log_ratio(*_window_counts(ev.negative_review, B, R, T, n)),
        "activity_change": log_ratio(*_window_counts(ev.activity, B, R, T, n)),
        "purchase_frequency_change": log_ratio(f_r, f_b),
        "interaction_change": log_ratio(*_window_counts(ev.contact, B, R, T, n)),
        "complaint_change": log_ratio(*_window_counts(ev.complaint, B, R, T, n)),
    }
    last_buy = _last_before(oc, ev.order_ns, T, n)
    last_int = _last_before(*ev.interaction, T, n)
    since_buy = np.where(last_buy > np.iinfo(np.int64).min, last_buy, acq_k)
    since_act = np.maximum(since_buy, np.maximum(last_int, acq_k))
    out = pd.DataFrame({
        "customer_id": ev.ids[keep],
        "acquisition_date": acq_k[keep].view("datetime64[ns]"),
        "recent_exposure_days": e_r[keep],
        "baseline_exposure_days": e_b[keep],
        "has_baseline": has_base[keep],
    })
    for name in INDICATORS:
        out[name] = indicators[name][keep] + 0.0  # + 0.0: no negative zeros
    code, ns = ev.complaint
    out["complaints_to_date"] = np.bincount(code[ns < T], minlength=n)[keep]
    out["days_since_purchase"] = (T - since_buy[keep]) / _DAY_NS
    out["days_since_activity"] = (T - since_act[keep]) / _DAY_NS
    return out


def _first_acquisition(ev: _Events) -> int:
    return int(min(ev.acq_customers.min(), ev.first_purchase.min(), ev.first_contract.min()))


# ---------------------------------------------------------------------------- public API


def warning_indicators(
    data: CustomerData,
    as_of=None,
    *,
    window_days: float = 90,
    baseline_days: float = 365,
    min_baseline_days: float = 30,
    pseudo_count: float = 0.5,
    negative_rating: float = 2,
) -> pd.DataFrame:
    """The six warning indicators of every customer at ``as_of``, each against its baseline.

    Parameters
    ----------
    data : CustomerData
        Canonical tables; reads ``customers`` (acquisition), ``transactions``
        (purchases), ``interactions``, ``complaints`` and ``contracts`` (acquisition of
        customers without a purchase) when present. Not modified.
    as_of : date-like, optional
        The scoring moment; only rows dated strictly before it are read. Defaults to
        the data's observation end (:func:`segkit.data.observation_end`), so with
        day-resolution data the last day is left out: pass the next day to include it.
    window_days : float, default 90
        Length of the recent window ``[as_of - window_days, as_of)``.
    baseline_days : float, default 365
        Length of the baseline window just before the recent one (cut at the
        acquisition for younger customers).
    min_baseline_days : float, default 30
        A shorter baseline is no baseline: the indicators are 0.
    pseudo_count : float, default 0.5
        Events per recent window added to both rates (and orders at the baseline mean
        added to the recent mean amount), see the module notes.
    negative_rating : float, default 2
        Reviews rated at most this are negative.

    Returns
    -------
    pandas.DataFrame
        One row per customer acquired before ``as_of``, sorted by ``customer_id``:
        ``customer_id``, ``acquisition_date``, ``recent_exposure_days``,
        ``baseline_exposure_days``, ``has_baseline``, the six :data:`INDICATORS`
        (0 = as usual, never NaN), ``complaints_to_date`` (every complaint before
        ``as_of``: the level the complaint indicator changes from),
        ``days_since_purchase`` and ``days_since_activity``.

    Raises
    ------
    ParameterError
        For a non-positive window, a bad date, or an ``as_of`` on or before the first
        acquisition in the data (no customer to score).

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.schema import CustomerData
    >>> it = pd.DataFrame({"customer_id": ["a"] * 3 + ["b"],
    ...     "kind": ["login", "login", "login", "visit"],
    ...     "timestamp": pd.to_datetime(["2023-06-01", "2023-09-01", "2024-03-01",
    ...                                  "2023-06-01"])})
    >>> cust = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "acquisition_date": pd.to_datetime(["2023-01-01", "2023-01-01", "2024-03-20"])})
    >>> out = warning_indicators(CustomerData(customers=cust, interactions=it), "2024-04-01")
    >>> out[["customer_id", "activity_change", "days_since_activity"]].round(3)
      customer_id  activity_change  days_since_activity
    0           a            0.412                 31.0
    1           b           -0.401                305.0
    2           c            0.000                 12.0
    """
    p = _params(window_days, baseline_days, min_baseline_days, pseudo_count, negative_rating)
    ts = _as_of(data, as_of)
    ev = _events(data, p.negative_rating)
    _check_as_of(ev, ts)
    return _at(ev, ts, p)


def _check_as_of(ev: _Events, ts: pd.Timestamp) -> None:
    first = _first_acquisition(ev)
    if first == _NONE:
        raise ParameterError(
            "no customer has an acquisition date, a purchase or a contract start: add "
            "the customers table with acquisition_date"
        )
    if ts.value <= first:
        raise ParameterError(
            f"as_of {ts.date()} is not after the first acquisition in the data "
            f"({pd.Timestamp(first).date()}): no customer is known before it; choose a "
            "later date"
        )


def warning_indicators_by_period(
    data: CustomerData,
    freq: str = "M",
    *,
    start=None,
    end=None,
    dates=None,
    window_days: float = 90,
    baseline_days: float = 365,
    min_baseline_days: float = 30,
    pseudo_count: float = 0.5,
    negative_rating: float = 2,
) -> pd.DataFrame:
    """The warning indicators at the start of every period: time-varying covariates.

    Each row holds :func:`warning_indicators` at ``period_start`` (from rows strictly
    before it) for one customer acquired before it, valid over ``[period_start,
    period_end)``: the long format of time-varying survival models (merge it on
    ``customer_id`` and the period with the frame of
    :func:`segkit.churn.time_varying`).

    Parameters
    ----------
    data : CustomerData
    freq : {"D", "W", "M", "Q", "Y"}, default "M"
        Periods of the calendar (weeks start on Monday).
    start, end : date-like, optional
        Period starts after ``start`` (default: the first acquisition) and up to ``end``
        (default: the observation end) are used.
    dates : sequence of date-like, optional
        As-of dates to use instead of the period starts (``freq``, ``start`` and
        ``end`` are then ignored); ``period_end`` is the next date (NaT for the last).
    window_days, baseline_days, min_baseline_days, pseudo_count, negative_rating
        As in :func:`warning_indicators`.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``period_start``, ``period_end`` (the next period's start),
        then the columns of :func:`warning_indicators` after ``customer_id``; sorted
        by ``period_start`` then ``customer_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.schema import CustomerData
    >>> it = pd.DataFrame({"customer_id": ["a"] * 4, "kind": ["login"] * 4,
    ...     "timestamp": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05",
    ...                                  "2024-06-05"])})
    >>> cust = pd.DataFrame({"customer_id": ["a"], "acquisition_date": pd.to_datetime(["2024-01-01"])})
    >>> data = CustomerData(customers=cust, interactions=it)
    >>> out = warning_indicators_by_period(data, "Q", end="2024-12-31", window_days=30)
    >>> out[["period_start", "activity_change"]].round(3)
      period_start  activity_change
    0   2024-04-01            0.011
    1   2024-07-01            0.317
    2   2024-10-01           -0.685
    """
    unit = time_unit(freq, ("D", "W", "M", "Q", "Y"))
    p = _params(window_days, baseline_days, min_baseline_days, pseudo_count, negative_rating)
    ev = _events(data, p.negative_rating)
    first = _first_acquisition(ev)
    if dates is not None:
        ds = pd.DatetimeIndex(sorted({_as_of(data, d) for d in _listed(dates)}))
        if not len(ds):
            raise ParameterError("dates is empty; give at least one as-of date")
        _check_as_of(ev, ds[0])
        return _stack(ev, ds, ds[1:].append(pd.DatetimeIndex([pd.NaT])), p)
    lo = pd.Timestamp(first) if start is None else _as_of(data, start)
    hi = resolve_end(data, end)
    if first == _NONE:
        _check_as_of(ev, hi)
    if hi <= lo:
        raise ParameterError(f"end {hi.date()} must come after start {lo.date()}")
    ords = period_range(lo, hi, unit)
    starts = period_starts(np.r_[ords, ords[-1] + 1], unit)
    ends = starts[1:]
    starts = starts[:-1]
    use = (starts > max(lo, pd.Timestamp(first))) & (starts <= hi)
    if not use.any():
        raise ParameterError(
            f"no {freq} period starts after {lo.date()} and by {hi.date()}; widen the "
            "range or use a shorter freq"
        )
    return _stack(ev, starts[use], ends[use], p)


def _stack(ev: _Events, starts, ends, p: _Params) -> pd.DataFrame:
    frames = []
    for s, e in zip(starts, ends, strict=True):
        f = _at(ev, s, p)
        f.insert(1, "period_start", s)
        f.insert(2, "period_end", e)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)
