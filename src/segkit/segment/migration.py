"""Tier dynamics: tiers recomputed per period, migration between tiers, time in a tier.

The fourth principle of tiering (docs/domain.md section 1, 动态性): tiers are not
fixed labels but recomputed each period, and the movement between them is measured.

- :func:`tiers_by_period` recomputes any tier scheme at the end of each period, from the
  data as of that date (:func:`segkit.data.cut` and
  :func:`segkit.features.customer_profile`), and returns a long frame
  ``customer_id, period, tier``;
- :func:`migration_matrix` counts the transitions between consecutive periods (pooled
  over every consecutive pair by default), as counts or row shares;
- :func:`migration_rates` gives, per tier, the shares that move up, stay, move down or
  leave, given the order of the tiers;
- :func:`expected_time_in_tier` gives the expected number of periods a customer keeps a
  tier, ``1 / (1 - p_ii)`` from the matrix's diagonal.

**Entering and leaving.** A customer in the tier frame at the later period of a pair
but not at the earlier one *enters*: its transition comes from the row :data:`NEW`
(``"(new)"``). A customer present at the earlier period but not at the later one
*leaves*: its transition goes to the column :data:`GONE` (``"(gone)"``). A customer
absent from both periods of a pair is not counted for that pair. With
:func:`tiers_by_period`, customers appear from the first period end after their
acquisition and stay in the frame from then on (a customer who stops buying keeps
being tiered, typically in a low tier; the scheme decides), so ``(new)`` counts
acquisitions; ``(gone)`` appears when a tier frame drops customers (for instance one
built from a scheme that tiers active customers only, or after a data deletion).

Examples
--------
>>> import pandas as pd
>>> tiers = pd.DataFrame({
...     "customer_id": ["a", "b", "c", "a", "b", "d", "a", "d"],
...     "period": pd.to_datetime(["2024-03-31"] * 3 + ["2024-06-30"] * 3 + ["2024-09-30"] * 2),
...     "tier": pd.Categorical(["low", "high", "low", "high", "high", "low", "high", "high"],
...                            categories=["low", "high"], ordered=True)})
>>> migration_matrix(tiers, normalize=False)  # doctest: +NORMALIZE_WHITESPACE
to     low  high  (gone)
from
low      0     2       1
high     0     2       1
(new)    1     0       0
>>> migration_rates(migration_matrix(tiers), order=["high", "low"]).round(3)
... # doctest: +NORMALIZE_WHITESPACE
      upgrade   stay  downgrade   gone
tier
high    0.000  0.667        0.0  0.333
low     0.667  0.000        0.0  0.333
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..data import CALENDAR_UNITS, acquisition_dates, cut, time_unit
from ..data import observation_end as resolve_end
from ..exceptions import ParameterError, SchemaError
from ..features import customer_profile
from ..schema import CustomerData

__all__ = [
    "NEW",
    "GONE",
    "tiers_by_period",
    "migration_matrix",
    "migration_rates",
    "expected_time_in_tier",
    "migration_flows",
]

#: The row of customers entering between two periods (not in the tier frame before).
NEW = "(new)"
#: The column of customers leaving between two periods (not in the tier frame after).
GONE = "(gone)"


# ---------------------------------------------------------------------- tiers per period


def _period_ends(data: CustomerData, freq: str, end: pd.Timestamp) -> list[pd.Timestamp]:
    unit = time_unit(freq, CALENDAR_UNITS)
    acq = acquisition_dates(data)
    if not len(acq):
        raise ParameterError("the data has no customer to tier (no acquisition date)")
    first = pd.Timestamp(acq.min())
    ords = np.arange(pd.Period(first, unit.pandas_freq).ordinal,
                     pd.Period(end, unit.pandas_freq).ordinal + 1)
    ends = pd.PeriodIndex.from_ordinals(ords, freq=unit.pandas_freq).end_time.normalize()
    return [pd.Timestamp(e) for e in ends if e <= end]


def _apply(assign, profile: pd.DataFrame, refit: bool) -> pd.Series:
    if hasattr(assign, "fit_predict") and refit:
        out = assign.fit_predict(profile)
    elif hasattr(assign, "predict"):
        if refit:
            if not hasattr(assign, "fit"):
                raise ParameterError("assign has predict but no fit; pass refit=False")
            assign.fit(profile)
        out = assign.predict(profile)
    elif callable(assign):
        out = assign(profile)
    else:
        raise ParameterError(
            "assign must be a function profile -> tier Series, or an object with "
            f"fit_predict(profile) or fit(profile)/predict(profile); got {type(assign).__name__}"
        )
    if isinstance(out, pd.DataFrame):
        raise ParameterError(
            "assign returned a DataFrame; it must return one tier per customer (a Series "
            "indexed like the profile, or an array in the profile's row order)"
        )
    if isinstance(out, pd.Series):
        if not out.index.equals(profile.index):
            if len(out) == len(profile) and out.index.sort_values().equals(
                profile.index.sort_values()
            ):
                out = out.reindex(profile.index)
            else:
                raise ParameterError(
                    "assign returned a Series whose index is not the profile's; return one "
                    "tier per profile row, indexed like the profile"
                )
        return out
    arr = np.asarray(out) if not isinstance(out, pd.Categorical) else out
    if len(arr) != len(profile):
        raise ParameterError(
            f"assign returned {len(arr)} tiers for {len(profile)} customers; return one per "
            "profile row"
        )
    return pd.Series(arr, index=profile.index)


def tiers_by_period(
    data: CustomerData,
    assign: Callable[[pd.DataFrame], pd.Series] | object,
    freq: str = "Q",
    periods: Sequence | None = None,
    observation_end=None,
    *,
    refit: bool = True,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Recompute a tier scheme at the end of each period.

    At each period end the data is cut at that date (:func:`segkit.data.cut`), the
    customer profile is computed as of that date
    (:func:`segkit.features.customer_profile`) and ``assign`` maps it to tiers.

    Parameters
    ----------
    data : CustomerData
        Canonical tables (not modified).
    assign : callable or estimator
        The tier scheme. Either a function ``assign(profile) -> pandas.Series`` with one
        tier per profile row, indexed like the profile (or an array in row order); or an
        object with ``fit_predict(profile)``, or with ``fit(profile)`` and
        ``predict(profile)``. Estimators are refitted on each period's profile (the rule
        recomputed per period) unless ``refit=False``, which calls ``predict`` only:
        fit the object on a reference period beforehand to keep tiers comparable.
        Every profile row must get a tier: a scheme that cannot tier a customer (no
        purchase yet, lapsed) must say so with a tier of its own (RFM maps give
        ``"no_purchase"``); a missing tier is refused.
    freq : {"D", "W", "M", "Q", "Y"}, default "Q"
        Period length; periods are the calendar's (:data:`segkit.data.TIME_UNITS`).
    periods : sequence of date-like, optional
        Explicit snapshot dates instead of period ends.
    observation_end : date-like, optional
        Last date considered (defaults to the data's own). Period ends after it are
        left out, so a partial last period is not tiered (transitions over a shorter
        period would not be comparable); pass ``periods`` to include it.
    refit : bool, default True
        Refit an estimator on each period's profile (see ``assign``).
    order : sequence of str, optional
        Order of the tiers (the categories of the result), best first as segkit's tier
        schemes list them (key, ordinary, small; the order :func:`migration_rates`
        takes). By default the categories of a categorical that ``assign`` returns,
        else the sorted tier names.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, period, tier``, one row per customer and period end at which the
        customer was acquired (customers not yet acquired are absent), sorted by period
        then customer. ``period`` is the period's last day (a Timestamp at midnight: the
        rows dated up to that day count); ``tier`` an ordered Categorical.

    Raises
    ------
    ParameterError
        For an unknown ``freq``, an ``assign`` that is neither callable nor an estimator,
        a tier missing for some customer (named with the period), or tiers outside
        ``order``.

    Examples
    --------
    >>> from segkit.datasets import load_demo
    >>> from segkit.segment.rfm import RFMScorer, STANDARD_MAP
    >>> demo = load_demo()
    >>> rfm = RFMScorer().fit(customer_profile(demo, observation_end="2023-12-31"))
    >>> tiers = tiers_by_period(demo, lambda p: STANDARD_MAP.assign(rfm.transform(p)), "Q")
    >>> tiers.groupby("period").size().tail(3)
    period
    2024-06-30    1361
    2024-09-30    1613
    2024-12-31    2000
    dtype: int64
    """
    end = resolve_end(data, observation_end)
    if periods is None:
        ends = _period_ends(data, freq, end)
    else:
        try:
            ends = sorted({pd.Timestamp(p) for p in periods})
        except (TypeError, ValueError):
            raise ParameterError(
                f"periods must be dates such as '2024-03-31', got {list(periods)!r}"
            ) from None
    if not ends:
        raise ParameterError(
            f"no complete period of {freq!r} ends by the observation end {end.date()}; use a "
            "shorter freq or give periods"
        )
    parts, cats = [], []
    for e in ends:
        snap = cut(data, e)
        profile = customer_profile(snap, observation_end=e)
        tier = _apply(assign, profile, refit)
        missing = tier.isna().to_numpy()
        if missing.any():
            ids = profile.loc[missing, "customer_id"].head(5).tolist()
            raise ParameterError(
                f"assign gave no tier to {int(missing.sum())} customer(s) at the period ending "
                f"{e.date()} (e.g. {', '.join(map(str, ids))}); every customer must get a "
                "tier: give customers without a purchase or lapsed ones a tier of their own"
            )
        if isinstance(tier.dtype, pd.CategoricalDtype):
            cats.extend(tier.cat.categories)
        parts.append(pd.DataFrame({"customer_id": profile["customer_id"].to_numpy(),
                                   "period": e, "tier": tier.astype(object).to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    present = list(pd.unique(out["tier"]))
    if order is not None:
        order = list(order)
        extra = [x for x in present if x not in order]
        if extra:
            raise ParameterError(
                f"tiers {', '.join(map(repr, extra))} are not in order={order}; list every tier"
            )
        categories = order
    elif cats:
        categories = list(dict.fromkeys(cats))
        categories += sorted(x for x in present if x not in categories)
    else:
        categories = sorted(present, key=str)
    out["tier"] = pd.Categorical(out["tier"], categories=categories, ordered=True)
    return out.sort_values(["period", "customer_id"], kind="stable", ignore_index=True)


# ---------------------------------------------------------------------- migration matrix


def _codes(s: pd.Series, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and their labels; categoricals keep their categories (in order)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(dtype=np.int64), pd.Index(s.cat.categories)
    codes, uniques = pd.factorize(s, sort=sort)
    return codes.astype(np.int64, copy=False), pd.Index(uniques)


def migration_matrix(
    tiers: pd.DataFrame,
    from_period=None,
    to_period=None,
    normalize: bool = True,
    *,
    customer_id_col: str = "customer_id",
    period_col: str = "period",
    tier_col: str = "tier",
) -> pd.DataFrame:
    """Transitions between the tiers of consecutive periods, as counts or row shares.

    Parameters
    ----------
    tiers : pandas.DataFrame
        Long frame, one row per customer and period (e.g. :func:`tiers_by_period`); not
        modified. A categorical tier column keeps its categories and their order.
    from_period, to_period : date-like or period value, optional
        Only the periods from ``from_period`` to ``to_period`` (both included) are used.
        The transitions of every consecutive pair of those periods are pooled; for the
        direct transitions between two periods that are not consecutive, pass a frame
        with only those two periods.
    normalize : bool, default True
        Row shares (each non-empty row sums to 1; a row without transitions is NaN)
        instead of counts.
    customer_id_col, period_col, tier_col : str
        Columns of ``tiers``.

    Returns
    -------
    pandas.DataFrame
        Rows ``from``: every tier, then :data:`NEW` (customers not there at the earlier
        period); columns ``to``: every tier, then :data:`GONE` (customers not there at
        the later period). Counts are int64.

    Raises
    ------
    SchemaError
        For a missing column, a missing tier or a customer twice in one period.
    ParameterError
        When fewer than two periods remain, or a tier is named like :data:`NEW` or
        :data:`GONE`.

    Notes
    -----
    Vectorised: customers, periods and tiers become integer codes, the tiers fill a
    periods x customers array (-1 where absent), and one ``numpy.bincount`` over the
    pairs of consecutive rows counts every transition.
    """
    for col in (customer_id_col, period_col, tier_col):
        if col not in tiers.columns:
            raise SchemaError("tiers", col,
                              f"missing column; the frame has {', '.join(map(str, tiers.columns))}")
    frame = tiers
    if from_period is not None or to_period is not None:
        keep = np.ones(len(frame), dtype=bool)
        per = frame[period_col]
        if from_period is not None:
            keep &= (per >= _like(per, from_period)).to_numpy()
        if to_period is not None:
            keep &= (per <= _like(per, to_period)).to_numpy()
        frame = frame.loc[keep]
    tier_codes, tier_labels = _codes(frame[tier_col])
    if (tier_codes < 0).any():
        bad = frame.loc[tier_codes < 0, [customer_id_col, period_col, tier_col]]
        raise SchemaError("tiers", tier_col, "missing tier; every row needs one", bad, len(bad))
    clash = [x for x in (NEW, GONE) if x in tier_labels]
    if clash:
        raise ParameterError(
            f"a tier is named {clash[0]!r}, the label of customers entering or leaving; rename it"
        )
    per_codes, per_labels = _codes(frame[period_col])
    n_periods = len(per_labels)
    if n_periods < 2:
        raise ParameterError(
            f"migration needs at least two periods, found {n_periods}"
            + (" between from_period and to_period" if from_period or to_period else "")
        )
    cust_codes, n_cust = _customer_codes(frame[customer_id_col], n_periods)
    k = len(tier_labels)
    # state[p, c]: tier code of customer c at period p, k where absent; absent at the
    # earlier period reads as the row (new), at the later one as the column (gone)
    small = np.int8 if k < 127 else np.int32
    cell = per_codes * n_cust
    cell += cust_codes
    state = np.full(n_periods * n_cust, k, dtype=small)
    state[cell] = tier_codes.astype(small, copy=False)
    if np.count_nonzero(state != k) != len(frame):
        counts = np.bincount(cell, minlength=n_periods * n_cust)
        dup = counts[cell] > 1
        bad = frame.loc[dup, [customer_id_col, period_col, tier_col]].sort_values(
            [customer_id_col, period_col])
        raise SchemaError("tiers", customer_id_col,
                          "a customer appears more than once in a period", bad, int(dup.sum()))
    pair = state[:-n_cust].astype(np.int32)
    pair *= k + 1
    pair += state[n_cust:]
    counts = np.bincount(pair, minlength=(k + 1) ** 2)
    counts[-1] = 0  # absent at both periods: not a transition
    counts = counts.reshape(k + 1, k + 1)
    rows = pd.Index([*tier_labels, NEW], name="from", dtype=object)
    cols = pd.Index([*tier_labels, GONE], name="to", dtype=object)
    out = pd.DataFrame(counts.astype(np.int64), index=rows, columns=cols)
    if normalize:
        total = out.sum(axis=1).to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = out.div(np.where(total > 0, total, np.nan), axis=0)
    return out


def migration_flows(tiers: pd.DataFrame, *, customer_id_col: str = "customer_id",
                    period_col: str = "period", tier_col: str = "tier") -> pd.DataFrame:
    """The transitions of every consecutive pair of periods, in long form (for a flow figure).

    Parameters
    ----------
    tiers : pandas.DataFrame
        Long frame, one row per customer and period (e.g. :func:`tiers_by_period`).

    Returns
    -------
    pandas.DataFrame
        ``period`` (the earlier period of the pair), ``from_tier``, ``to_tier`` (with
        :data:`NEW` and :data:`GONE`) and ``n``, the customers who made that move; only
        moves with ``n > 0``. Summed over the periods, the counts are
        ``migration_matrix(tiers, normalize=False)``.

    Examples
    --------
    >>> tiers = pd.DataFrame({"customer_id": ["a", "b", "a", "b", "a"],
    ...                       "period": [1, 1, 2, 2, 3], "tier": ["hi", "lo", "lo", "lo", "lo"]})
    >>> migration_flows(tiers)  # doctest: +NORMALIZE_WHITESPACE
       period from_tier to_tier  n
    0       1        hi      lo  1
    1       1        lo      lo  1
    2       2        lo      lo  1
    3       2        lo  (gone)  1
    """
    periods = sorted(tiers[period_col].unique())
    parts = []
    for a, b in zip(periods[:-1], periods[1:], strict=True):
        pair = tiers.loc[tiers[period_col].isin([a, b]).to_numpy()]
        m = migration_matrix(pair, normalize=False, customer_id_col=customer_id_col,
                             period_col=period_col, tier_col=tier_col)
        long = m.stack().rename("n").reset_index()
        long.columns = ["from_tier", "to_tier", "n"]
        long.insert(0, "period", a)
        parts.append(long[long["n"] > 0])
    if not parts:
        return pd.DataFrame({"period": [], "from_tier": [], "to_tier": [], "n": []})
    return pd.concat(parts, ignore_index=True)


def _customer_codes(ids: pd.Series, n_periods: int) -> tuple[np.ndarray, int]:
    """Customer codes 0..n-1 (with gaps allowed) and n.

    Non-negative integer ids that are dense enough (at most four cells of the
    periods x customers array per row of the frame) are their own codes: no hashing.
    """
    if pd.api.types.is_integer_dtype(ids.dtype) and not isinstance(
        ids.dtype, pd.CategoricalDtype
    ) and len(ids):
        arr = ids.to_numpy()
        lo, hi = int(arr.min()), int(arr.max())
        if lo >= 0 and n_periods * (hi + 1) <= 4 * len(arr):
            return arr.astype(np.int64, copy=False), hi + 1
    codes, labels = _codes(ids, sort=False)
    return codes, len(labels)


def _like(per: pd.Series, value):
    """A from/to bound comparable with the period column."""
    if pd.api.types.is_datetime64_any_dtype(per):
        return pd.Timestamp(value)
    return value


def _shares(matrix: pd.DataFrame) -> pd.DataFrame:
    rows = matrix.drop(index=NEW, errors="ignore")
    total = rows.sum(axis=1).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return rows.div(np.where(total > 0, total, np.nan), axis=0)


def migration_rates(matrix: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """Per tier: the shares of customers moving up, staying, moving down or leaving.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A :func:`migration_matrix` (counts or shares; rows are normalised here).
    order : sequence of str
        Every tier of the matrix, best first (as tier schemes list them: key, ordinary,
        small): a move to a tier earlier in ``order`` is an upgrade, to a later one a
        downgrade. The categories of :func:`tiers_by_period`'s ``tier`` column are
        such a list when the scheme orders its tiers best first.

    Returns
    -------
    pandas.DataFrame
        Indexed by tier (in ``order``): ``upgrade``, ``stay``, ``downgrade`` and ``gone``
        (leaving the tier frame); the four add up to 1 for a tier with transitions, NaN
        for one without.

    Raises
    ------
    ParameterError
        When ``order`` misses a tier of the matrix or names one it does not have.
    """
    order = list(order)
    shares = _shares(matrix)
    tiers = [x for x in shares.index]
    missing = [x for x in tiers if x not in order]
    unknown = [x for x in order if x not in tiers]
    if missing or unknown:
        raise ParameterError(
            "order must list every tier of the matrix once, best first"
            + (f"; missing {', '.join(map(repr, missing))}" if missing else "")
            + (f"; not in the matrix {', '.join(map(repr, unknown))}" if unknown else "")
        )
    p = shares.reindex(index=order, columns=order).to_numpy(dtype=float)
    rank = np.arange(len(order))
    up = np.where(rank[None, :] < rank[:, None], p, 0.0).sum(axis=1)
    down = np.where(rank[None, :] > rank[:, None], p, 0.0).sum(axis=1)
    stay = np.diag(p)
    gone = (shares[GONE].reindex(order).to_numpy(dtype=float) if GONE in shares.columns
            else np.zeros(len(order)))
    empty = np.isnan(stay)
    out = pd.DataFrame({"upgrade": np.where(empty, np.nan, up), "stay": stay,
                        "downgrade": np.where(empty, np.nan, down), "gone": gone},
                       index=pd.Index(order, name="tier"))
    return out


def expected_time_in_tier(matrix: pd.DataFrame) -> pd.Series:
    """Expected number of periods a customer holds a tier: ``1 / (1 - p_ii)``.

    A customer who keeps its tier from one period to the next with probability
    ``p_ii`` holds it for a geometric number of periods, counting the period it
    entered: ``1 / (1 - p_ii)`` on average (infinite when ``p_ii`` is 1). Leaving the
    tier frame (:data:`GONE`) counts as leaving the tier.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A :func:`migration_matrix` (counts or shares).

    Returns
    -------
    pandas.Series
        Named ``expected_periods``, indexed by tier (the :data:`NEW` row left out).

    Examples
    --------
    >>> m = pd.DataFrame([[0.75, 0.25], [0.5, 0.5]], index=["low", "high"],
    ...                  columns=["low", "high"])
    >>> expected_time_in_tier(m).tolist()
    [4.0, 2.0]
    """
    shares = _shares(matrix)
    tiers = [x for x in shares.index if x in shares.columns]
    p = np.array([shares.at[x, x] for x in tiers], dtype=float)
    with np.errstate(divide="ignore"):
        expected = 1.0 / (1.0 - p)
    return pd.Series(expected, index=pd.Index(tiers, name="tier"), name="expected_periods")
