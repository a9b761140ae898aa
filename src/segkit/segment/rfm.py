"""RFM scores and segment maps: who buys recently, often and much, by a stated rule.

:class:`RFMScorer` turns the customer profile (:func:`segkit.features.customer_profile`)
into recency, frequency and monetary scores 1..``bins`` (5 by default); a
:class:`SegmentMap` turns the scores into named segments. :data:`STANDARD_MAP` is the
common eleven-segment map, defined so that every one of the 125 score combinations
falls in exactly one segment and every segment is reached (docs/domain.md section 1:
an objective, readable rule that explains every customer's segment).

How a score is given
--------------------
Each dimension has ``bins - 1`` increasing *edges* in the column's own units, and the
bins are closed above: the first bin is ``value <= e1``, the next ``e1 < value <= e2``,
..., the last ``value > e(bins-1)``. Frequency and monetary score the bins 1, 2, ...
from the smallest value up; recency, where small is good, scores them ``bins``,
``bins - 1``, ... from the smallest value up (score 5 = the most recent buyers).
A customer's score therefore depends only on its own value and the edges: equal values
get equal scores, and the row order of the table never matters (unlike ranking with
``rank(method="first")``, as the PyPI ``rfm`` package does, which splits a block of
equal values by row order).

The edges come from

- ``method="quantile"`` (default): the ``j / bins`` quantiles of the customers of the
  table given to ``fit`` (numpy's ``inverted_cdf``: the smallest value with at least
  that share of customers at or below it, always a value of the data);
- ``method="fixed"``: the user's ``cut_points`` in the column's units, e.g.
  ``{"recency": [30, 90, 180, 365], "frequency": [1, 2, 4, 8], "monetary": [...]}``
  (recency within 30 days scores 5, one order scores F 1). With ``method="quantile"``
  a ``cut_points`` dict for some dimensions fixes those and learns the others.

**Reference period.** ``fit`` learns the edges, ``transform`` applies them to any
profile. Fitting on one period and transforming others keeps the scores comparable:
a customer scores F 5 in every quarter for the same number of orders, and a shift of
the whole customer base shows as a shift of scores (with quantiles refitted each
period, a fifth of the customers would always score 5).

**Heavy ties.** When several quantile edges fall on one value (half of the customers
with exactly one order puts the 20 % and the 40 % quantile at 1), the edges that repeat
are moved up to the next distinct values of the data (and, should the largest values
run out, back down), so that every score 1..``bins`` is given to some customer of the
reference data whenever it has at least ``bins`` distinct values. The tie block stays
whole: all customers with one order score F 1, those with two score F 2, and so on.
With fewer distinct values than ``bins``, each distinct value is its own bin and the
scores of the largest values (F, M) or of the oldest purchases (R) go unused; ``fit``
warns then. The readable table of the edges is ``cut_points_`` (score -> value range,
share of the reference customers).

**Customers without a purchase.** A customer whose recency, frequency or monetary value
is missing (the profile gives a customer without a purchase ``recency_days`` NaN) gets
no score: ``r_score``, ``f_score``, ``m_score``, ``rfm_score`` are ``<NA>`` and
``rfm_code`` is missing, never a silent 1 or 5. Such customers are left out of the
quantiles; a segment map puts them in a segment of their own, ``no_purchase``.

Examples
--------
>>> import pandas as pd
>>> ref = pd.DataFrame({"customer_id": list("abcdefg"),
...                     "recency_days": [3, 10, 30, 60, 200, 400, None],
...                     "orders": [9, 5, 3, 2, 1, 1, 0],
...                     "revenue": [950.0, 400.0, 180.0, 90.0, 40.0, 15.0, 0.0]})
>>> scorer = RFMScorer().fit(ref)
>>> scorer.transform(ref)
  customer_id  r_score  f_score  m_score rfm_code  rfm_score
0           a        5        5        5      555         15
1           b        5        4        4      544         13
2           c        4        3        3      433         10
3           d        3        2        2      322          7
4           e        2        1        1      211          4
5           f        1        1        1      111          3
6           g     <NA>     <NA>     <NA>     None       <NA>
>>> STANDARD_MAP.assign(scorer.transform(ref)).tolist()
['champions', 'champions', 'potential_loyalists', 'about_to_sleep', 'hibernating', 'lost', 'no_purchase']

Scoring a later period against the reference period's edges (customer ``e`` came back):

>>> later = ref.assign(recency_days=[20, 45, 60, 90, 5, 430, None], orders=[10, 5, 3, 2, 2, 1, 0])
>>> scorer.transform(later)[["customer_id", "rfm_code"]].T
               0    1    2    3    4    5     6
customer_id    a    b    c    d    e    f     g
rfm_code     455  344  333  222  521  111  None
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..glossary import TERMS, check_lang, t

__all__ = [
    "RFMScorer",
    "SegmentMap",
    "STANDARD_MAP",
    "STANDARD_SEGMENTS",
    "NO_PURCHASE",
    "DIMENSIONS",
    "SCORE_COLUMNS",
]

#: The three dimensions of RFM, in order; ``cut_points`` dicts use these names.
DIMENSIONS: tuple[str, ...] = ("recency", "frequency", "monetary")
#: The score columns of :meth:`RFMScorer.transform`, read by :meth:`SegmentMap.assign`.
SCORE_COLUMNS: tuple[str, ...] = ("r_score", "f_score", "m_score")
#: The segment of customers without a score (no purchase yet).
NO_PURCHASE = "no_purchase"
_MAX_BINS = 9  # one digit per score in the rfm_code
_SYMBOL = {"recency": "R", "frequency": "F", "monetary": "M"}


def _num(x: float) -> str:
    """A cut point as a business user reads it: 3, 1,250, 12.5."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


class RFMScorer(BaseEstimator):
    """Recency, frequency and monetary scores 1..``bins`` from quantile or fixed edges.

    The rule (bins closed above, ties, missing purchases, the reference period) is in
    the module docstring, :mod:`segkit.segment.rfm`.

    Parameters
    ----------
    method : {"quantile", "fixed"}, default "quantile"
        Edges from the quantiles of the table given to ``fit``, or from ``cut_points``.
    bins : int, default 5
        Number of scores per dimension, 2 to 9.
    cut_points : dict, optional
        ``{"recency": [...], "frequency": [...], "monetary": [...]}``: ``bins - 1``
        strictly increasing edges per dimension in the column's units (bins closed
        above). Required, for all three, with ``method="fixed"``; with
        ``method="quantile"`` the dimensions given are fixed and the others learned.
    recency_col, frequency_col, monetary_col, customer_id_col : str
        Columns of the profile; defaults are those of
        :func:`segkit.features.customer_profile`.

    Attributes
    ----------
    edges_ : dict of str to numpy.ndarray
        The edges of each dimension (``bins - 1`` of them, fewer only when the reference
        data has fewer distinct values than ``bins``).
    cut_points_ : pandas.DataFrame
        One row per dimension and score: ``dimension, column, score, lower`` (excluded;
        NaN for none), ``upper`` (included; NaN for none), ``rule`` (e.g.
        ``"1 < orders <= 2"``), ``customers`` and ``share`` of the scored customers of
        the reference data in that score.
    n_reference_ : int
        Customers of the ``fit`` table with all three values (the reference).
    n_unscored_ : int
        Customers of the ``fit`` table without a score (no purchase).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"customer_id": [1, 2, 3], "recency_days": [5.0, 40.0, 300.0],
    ...                   "orders": [6, 2, 1], "revenue": [500.0, 80.0, 20.0]})
    >>> cuts = {"recency": [30, 90, 180, 365], "frequency": [1, 2, 4, 8],
    ...         "monetary": [50, 100, 250, 1000]}
    >>> s = RFMScorer(method="fixed", cut_points=cuts).fit(p)
    >>> s.transform(p)["rfm_code"].tolist()
    ['544', '422', '211']
    >>> s.cut_points_.query("dimension == 'recency'")[["score", "rule"]]
       score                       rule
    0      5         recency_days <= 30
    1      4    30 < recency_days <= 90
    2      3   90 < recency_days <= 180
    3      2  180 < recency_days <= 365
    4      1         recency_days > 365
    """

    def __init__(
        self,
        method: str = "quantile",
        bins: int = 5,
        cut_points: Mapping[str, Sequence[float]] | None = None,
        recency_col: str = "recency_days",
        frequency_col: str = "orders",
        monetary_col: str = "revenue",
        customer_id_col: str = "customer_id",
    ):
        self.method = method
        self.bins = bins
        self.cut_points = cut_points
        self.recency_col = recency_col
        self.frequency_col = frequency_col
        self.monetary_col = monetary_col
        self.customer_id_col = customer_id_col

    # ------------------------------------------------------------------ helpers
    def _columns(self) -> dict[str, str]:
        return {"recency": self.recency_col, "frequency": self.frequency_col,
                "monetary": self.monetary_col}

    def _check_params(self) -> int:
        if self.method not in ("quantile", "fixed"):
            raise ParameterError(
                f"method {self.method!r} is unknown; use 'quantile' (edges from the data's "
                "quantiles) or 'fixed' (edges from cut_points)"
            )
        bins = self.bins
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not (
            2 <= bins <= _MAX_BINS
        ):
            raise ParameterError(
                f"bins must be a whole number from 2 to {_MAX_BINS} (one digit per score in "
                f"the RFM code), got {bins!r}; 5 is usual"
            )
        cuts = self.cut_points
        if self.method == "fixed" and cuts is None:
            raise ParameterError(
                "method='fixed' needs cut_points, e.g. {'recency': [30, 90, 180, 365], "
                "'frequency': [1, 2, 4, 8], 'monetary': [50, 100, 250, 1000]}"
            )
        if cuts is not None:
            if not isinstance(cuts, Mapping):
                raise ParameterError(
                    f"cut_points must be a dict of dimension -> edges, got {type(cuts).__name__}"
                )
            unknown = sorted(set(cuts) - set(DIMENSIONS))
            if unknown:
                raise ParameterError(
                    f"cut_points has unknown dimension(s) {', '.join(map(repr, unknown))}; "
                    f"use {', '.join(map(repr, DIMENSIONS))}"
                )
            missing = [d for d in DIMENSIONS if d not in cuts]
            if self.method == "fixed" and missing:
                raise ParameterError(
                    f"method='fixed' needs cut_points for every dimension; missing "
                    f"{', '.join(map(repr, missing))} (or use method='quantile' to learn them)"
                )
            for dim, edges in cuts.items():
                try:
                    e = np.asarray(edges, dtype=float)
                except (TypeError, ValueError):
                    raise ParameterError(
                        f"cut_points[{dim!r}] must be numbers, got {edges!r}"
                    ) from None
                if e.ndim != 1 or len(e) != bins - 1:
                    raise ParameterError(
                        f"cut_points[{dim!r}] needs bins - 1 = {bins - 1} edges, got "
                        f"{len(e) if e.ndim == 1 else edges!r}"
                    )
                if not np.isfinite(e).all() or (np.diff(e) <= 0).any():
                    raise ParameterError(
                        f"cut_points[{dim!r}] must be finite and strictly increasing, got "
                        f"{list(edges)}; bins are closed above (the first is value <= "
                        "the first edge)"
                    )
        return int(bins)

    def _values(self, profile: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The three value columns as float arrays, and which rows have all three."""
        if not isinstance(profile, pd.DataFrame):
            raise ParameterError(
                f"profile must be a pandas DataFrame (segkit.features.customer_profile), got "
                f"{type(profile).__name__}"
            )
        needed = [self.customer_id_col, *self._columns().values()]
        missing = [c for c in needed if c not in profile.columns]
        if missing:
            raise SchemaError(
                "profile", missing[0],
                f"missing column(s) {', '.join(map(repr, missing))}; the profile has "
                f"{', '.join(map(str, profile.columns[:12]))}; name the columns with "
                "recency_col, frequency_col, monetary_col, customer_id_col",
            )
        values = {}
        for dim, col in self._columns().items():
            s = profile[col]
            if not (pd.api.types.is_numeric_dtype(s) or s.isna().all()):
                raise SchemaError("profile", col, f"{dim} must be numeric, got {s.dtype}")
            v = s.to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(v).any():
                bad = profile.loc[np.isinf(v), [self.customer_id_col, col]]
                raise SchemaError("profile", col, f"{dim} must be finite", bad, len(bad))
            values[dim] = v
        ok = ~(np.isnan(values["recency"]) | np.isnan(values["frequency"])
               | np.isnan(values["monetary"]))
        return values, ok

    @staticmethod
    def _quantile_edges(v: np.ndarray, bins: int, col: str) -> np.ndarray:
        """Quantile edges, repeated edges moved to the next distinct values (see module doc)."""
        u = np.unique(v)
        if len(u) < bins:
            warnings.warn(
                f"column {col!r} has {len(u)} distinct value(s) among the reference customers, "
                f"fewer than bins={bins}: each value gets its own score and "
                f"{bins - len(u)} score(s) go unused; use fewer bins or fixed cut points",
                UserWarning,
                stacklevel=4,
            )
            return u[:-1].copy()
        q = np.quantile(v, np.arange(1, bins) / bins, method="inverted_cdf")
        idx = np.searchsorted(u, q)  # q are values of the data: exact positions
        # idx strictly increasing  <=>  idx - j non-decreasing; the last edge must leave
        # the largest value above it: idx_j <= len(u) - bins + j
        j = np.arange(bins - 1)
        w = np.minimum(np.maximum.accumulate(idx - j), len(u) - bins)
        return u[w + j]

    # ------------------------------------------------------------------ API
    def fit(self, profile: pd.DataFrame, y=None) -> RFMScorer:
        """Learn the edges of each dimension from a reference profile.

        Parameters
        ----------
        profile : pandas.DataFrame
            One row per customer with the three value columns (not modified).
        y : ignored

        Returns
        -------
        RFMScorer
            ``self``, fitted.

        Raises
        ------
        ParameterError
            For bad parameters, or no customer with all three values to learn
            quantiles from.
        SchemaError
            For a missing, non-numeric or infinite value column.
        """
        bins = self._check_params()
        values, ok = self._values(profile)
        cuts = self.cut_points or {}
        learn = [d for d in DIMENSIONS if d not in cuts]
        if learn and not ok.any():
            raise ParameterError(
                "no customer of the profile has a purchase (recency, frequency and monetary "
                "all present) to learn quantile edges from; fit on a period with purchases "
                "or give cut_points"
            )
        edges = {}
        for dim, col in self._columns().items():
            if dim in cuts:
                edges[dim] = np.asarray(cuts[dim], dtype=float)
            else:
                edges[dim] = self._quantile_edges(values[dim][ok], bins, col)
        self.edges_ = edges
        self.n_reference_ = int(ok.sum())
        self.n_unscored_ = int((~ok).sum())
        self.cut_points_ = self._cut_table({d: values[d][ok] for d in DIMENSIONS}, bins)
        return self

    def _score(self, dim: str, v: np.ndarray, bins: int) -> np.ndarray:
        below = np.searchsorted(self.edges_[dim], v, side="left")  # edges < value
        return (bins - below) if dim == "recency" else (1 + below)

    def _cut_table(self, values: dict[str, np.ndarray], bins: int) -> pd.DataFrame:
        rows = []
        for dim, col in self._columns().items():
            e = self.edges_[dim]
            bounds = np.concatenate([[np.nan], e, [np.nan]])
            n = len(values[dim])
            counts = np.bincount(self._score(dim, values[dim], bins), minlength=bins + 1)
            dim_rows = []
            for k in range(len(e) + 1):
                lower, upper = bounds[k], bounds[k + 1]
                if np.isnan(lower):
                    rule = f"{col} <= {_num(upper)}" if not np.isnan(upper) else f"any {col}"
                elif np.isnan(upper):
                    rule = f"{col} > {_num(lower)}"
                else:
                    rule = f"{_num(lower)} < {col} <= {_num(upper)}"
                score = bins - k if dim == "recency" else 1 + k
                dim_rows.append({"dimension": dim, "column": col, "score": score,
                                 "lower": lower, "upper": upper, "rule": rule,
                                 "customers": int(counts[score]),
                                 "share": counts[score] / n if n else np.nan})
            rows.extend(sorted(dim_rows, key=lambda r: -r["score"]))
        return pd.DataFrame(rows)

    def transform(self, profile: pd.DataFrame) -> pd.DataFrame:
        """Score a profile against the learned edges.

        Parameters
        ----------
        profile : pandas.DataFrame
            One row per customer (any period; not modified).

        Returns
        -------
        pandas.DataFrame
            Indexed like ``profile``: ``customer_id`` (named as ``customer_id_col``),
            ``r_score``, ``f_score``, ``m_score`` (nullable ``Int64``, 1..bins; ``<NA>``
            without a purchase), ``rfm_code`` (e.g. ``"545"``; None without a purchase)
            and ``rfm_score`` (R + F + M).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        if not hasattr(self, "edges_"):
            raise NotFittedError(
                "this RFMScorer is not fitted yet; call fit(profile) (the reference period) "
                "before transform"
            )
        bins = int(self.bins)
        values, ok = self._values(profile)
        mask = ~ok
        scores = {}
        for dim, name in zip(DIMENSIONS, SCORE_COLUMNS, strict=True):
            s = self._score(dim, np.where(ok, values[dim], 0.0), bins).astype(np.int64)
            scores[name] = np.where(ok, s, 0)
        r, f, m = (scores[c] for c in SCORE_COLUMNS)
        grid = np.arange(1, bins + 1).astype(str)
        codes = np.char.add(np.char.add(grid[:, None, None], grid[None, :, None]),
                            grid[None, None, :]).ravel().astype(object)
        lookup = np.append(codes, None)
        idx = np.where(ok, ((r - 1) * bins + (f - 1)) * bins + (m - 1), bins**3)
        out = pd.DataFrame({self.customer_id_col: profile[self.customer_id_col].to_numpy()},
                           index=profile.index)
        for name in SCORE_COLUMNS:
            out[name] = pd.arrays.IntegerArray(scores[name], mask.copy())
        out["rfm_code"] = lookup[idx]
        out["rfm_score"] = pd.arrays.IntegerArray(r + f + m, mask.copy())
        return out

    def fit_transform(self, profile: pd.DataFrame, y=None) -> pd.DataFrame:
        """``fit(profile).transform(profile)``: scores against the profile's own quantiles."""
        return self.fit(profile).transform(profile)


# ---------------------------------------------------------------------- segment maps

_MAP_DIMS = ("r", "f", "m", "fm")


def _range_text(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


class SegmentMap:
    """A readable rule table from R, F, M scores to named segments, without gaps or overlaps.

    Each rule gives a segment a box of score ranges on any of ``r``, ``f``, ``m`` and
    ``fm`` (the mean of F and M rounded down: ``(f + m) // 2``); a dimension left out
    means any score. A segment may have several rules. The map is checked over every
    combination of scores (``bins ** 3``, 125 for five bins) when it is built: each must
    fall in exactly one segment and each segment must be reached, else
    :class:`~segkit.exceptions.ParameterError` lists the offending codes (the first few
    and the count) and the segments involved. Rules never depend on their order: there
    is no "first match wins" to hide a segment behind another.

    Parameters
    ----------
    rules : list of dict or pandas.DataFrame
        One rule per entry: ``{"segment": "champions", "r": (4, 5), "fm": (4, 5)}``; a
        range is a pair ``(low, high)`` (both included) or one score.
    bins : int, default 5
        The scores run from 1 to ``bins``.
    unscored : str or None, default "no_purchase"
        The segment of customers without scores (no purchase); None leaves them missing.

    Attributes
    ----------
    segments : list of str
        The segments in the order of their first rule.
    table : pandas.DataFrame
        One row per score combination: ``rfm_code, r_score, f_score, m_score, fm,
        segment, rule`` (the rule that matched, as text).

    Examples
    --------
    >>> m = SegmentMap.from_rules({"active": {"r": (3, 5)}, "lapsed": {"r": (1, 2)}})
    >>> m.assign(pd.DataFrame({"r_score": [5, 1], "f_score": [2, 2], "m_score": [1, 4]})).tolist()
    ['active', 'lapsed']
    >>> SegmentMap.from_rules({"top": {"r": (4, 5), "f": (4, 5)}, "recent": {"r": (3, 5)}})
    Traceback (most recent call last):
    ...
    segkit.exceptions.ParameterError: segment map: 20 score combinations fall in more than one segment: 441 (top, recent), 442 (top, recent), 443 (top, recent), 444 (top, recent), 445 (top, recent) and 15 more; 50 fall in no segment: 111, 112, 113, 114, 115 and 45 more. Each combination of scores must fall in exactly one segment: narrow the overlapping ranges (segments involved: top, recent) and add rules for the missing codes.
    """

    def __init__(self, rules, bins: int = 5, unscored: str | None = NO_PURCHASE):
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not (
            2 <= bins <= _MAX_BINS
        ):
            raise ParameterError(f"bins must be a whole number from 2 to {_MAX_BINS}, got {bins!r}")
        self.bins = int(bins)
        self.unscored = unscored
        if isinstance(rules, pd.DataFrame):
            rules = rules.to_dict("records")
        self.rules = [self._normalise(i, rule) for i, rule in enumerate(rules)]
        if not self.rules:
            raise ParameterError("a segment map needs at least one rule")
        self.segments = list(dict.fromkeys(r["segment"] for r in self.rules))
        if unscored is not None and unscored in self.segments:
            raise ParameterError(
                f"segment {unscored!r} is reserved for customers without scores; rename it "
                "or pass another unscored="
            )
        cov = self.coverage(self.rules, self.bins)
        self._check(cov)
        first = cov["rules"].map(lambda ix: ix[0])
        seg_code = {s: i for i, s in enumerate(self.segments)}
        table = cov[["rfm_code", "r_score", "f_score", "m_score", "fm"]].copy()
        table["segment"] = [self.rules[i]["segment"] for i in first]
        table["rule"] = [self._rule_text(self.rules[i]) for i in first]
        self.table = table
        self._lookup = np.array([seg_code[s] for s in table["segment"]], dtype=np.int64)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rules(cls, mapping: Mapping[str, Mapping | Sequence[Mapping]], bins: int = 5,
                   unscored: str | None = NO_PURCHASE) -> SegmentMap:
        """A map from ``{segment: box}`` or ``{segment: [box, box, ...]}``.

        A box is a dict of ranges on ``r``, ``f``, ``m``, ``fm``, e.g.
        ``{"r": (4, 5), "fm": (4, 5)}``.
        """
        rules = []
        for segment, boxes in mapping.items():
            for box in [boxes] if isinstance(boxes, Mapping) else boxes:
                rules.append({"segment": segment, **box})
        return cls(rules, bins=bins, unscored=unscored)

    def _normalise(self, i: int, rule) -> dict:
        if not isinstance(rule, Mapping) or "segment" not in rule:
            raise ParameterError(
                f"rule {i} must be a dict with a 'segment' and ranges on r, f, m or fm, got "
                f"{rule!r}"
            )
        segment = rule["segment"]
        if not isinstance(segment, str) or not segment:
            raise ParameterError(f"rule {i}: the segment must be a non-empty name, got {segment!r}")
        unknown = sorted(set(rule) - {"segment", *_MAP_DIMS})
        if unknown:
            raise ParameterError(
                f"rule {i} ({segment}): unknown key(s) {', '.join(map(repr, unknown))}; ranges "
                "go on 'r', 'f', 'm' or 'fm' (the mean of F and M, rounded down)"
            )
        out = {"segment": segment}
        for dim in _MAP_DIMS:
            value = rule.get(dim)
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                lo = hi = int(value)
            else:
                try:
                    lo, hi = (int(x) for x in value)
                except (TypeError, ValueError):
                    raise ParameterError(
                        f"rule {i} ({segment}): {dim} must be a score or a pair (low, high), "
                        f"got {value!r}"
                    ) from None
            if not 1 <= lo <= hi <= self.bins:
                raise ParameterError(
                    f"rule {i} ({segment}): {dim} range {value!r} must satisfy "
                    f"1 <= low <= high <= {self.bins}"
                )
            out[dim] = (lo, hi)
        return out

    @classmethod
    def check(cls, rules, bins: int = 5) -> str:
        """Why a map would be refused, in words, or ``""`` when it is a valid map.

        The same check as the constructor, returned instead of raised (to show in a
        notebook or a form).

        Examples
        --------
        >>> SegmentMap.check([{"segment": "all"}])
        ''
        >>> SegmentMap.check([{"segment": "recent", "r": (3, 5)}])[:40]
        'segment map: 50 fall in no segment: 111,'
        """
        try:
            cls(rules, bins=bins)
        except ParameterError as err:
            return str(err)
        return ""

    @staticmethod
    def coverage(rules, bins: int = 5) -> pd.DataFrame:
        """Which rules match each score combination (no check: for maps as found elsewhere).

        Parameters
        ----------
        rules : list of dict
            As for :class:`SegmentMap` (ranges as pairs).
        bins : int, default 5

        Returns
        -------
        pandas.DataFrame
            One row per combination, ``rfm_code`` from ``111`` up: ``r_score, f_score,
            m_score, fm``, ``rules`` (positions of the matching rules, in rule order) and
            ``segments`` (their distinct segments, in rule order). The first entry of
            ``segments`` is what a "first match wins" map assigns.
        """
        r, f, m = (a.ravel() + 1 for a in np.indices((bins, bins, bins)))
        fm = (f + m) // 2
        dims = {"r": r, "f": f, "m": m, "fm": fm}
        match = np.ones((len(r), len(rules)), dtype=bool)
        for k, rule in enumerate(rules):
            for dim in _MAP_DIMS:
                rng = rule.get(dim)
                if rng is None:
                    continue
                lo, hi = (rng, rng) if np.isscalar(rng) else rng
                match[:, k] &= (dims[dim] >= lo) & (dims[dim] <= hi)
        names = [rule["segment"] for rule in rules]
        hits = [tuple(np.flatnonzero(row)) for row in match]
        return pd.DataFrame({
            "rfm_code": [f"{a}{b}{c}" for a, b, c in zip(r, f, m, strict=True)],
            "r_score": r, "f_score": f, "m_score": m, "fm": fm,
            "rules": hits,
            "segments": [tuple(dict.fromkeys(names[i] for i in h)) for h in hits],
        })

    def _check(self, cov: pd.DataFrame, shown: int = 5) -> None:
        n_seg = cov["segments"].map(len)
        overlap = cov[n_seg > 1]
        gap = cov[n_seg == 0]
        reached = {s for segs in cov["segments"] for s in segs}
        unreached = [s for s in self.segments if s not in reached]
        if overlap.empty and gap.empty and not unreached:
            return

        def listed(codes: list[str]) -> str:
            more = f" and {len(codes) - shown} more" if len(codes) > shown else ""
            return ", ".join(codes[:shown]) + more

        parts, involved = [], []
        if len(overlap):
            codes = [f"{c} ({', '.join(s)})" for c, s in zip(overlap["rfm_code"],
                                                            overlap["segments"], strict=True)]
            parts.append(f"{len(overlap)} score combinations fall in more than one segment: "
                         f"{listed(codes)}")
            involved = list(dict.fromkeys(s for segs in overlap["segments"] for s in segs))
        if len(gap):
            parts.append(f"{len(gap)} fall in no segment: {listed(list(gap['rfm_code']))}")
        if unreached:
            parts.append(f"no combination reaches the segment(s) {', '.join(unreached)}")
        fix = []
        if involved:
            fix.append(f"narrow the overlapping ranges (segments involved: {', '.join(involved)})")
        if len(gap):
            fix.append("add rules for the missing codes")
        if unreached:
            fix.append("give every segment a reachable range")
        err = ParameterError(
            "segment map: " + "; ".join(parts) + ". Each combination of scores must fall in "
            "exactly one segment: " + " and ".join(fix) + "."
        )
        err.overlaps = dict(zip(overlap["rfm_code"], overlap["segments"], strict=True))
        err.gaps = list(gap["rfm_code"])
        err.unreached = unreached
        raise err

    # ------------------------------------------------------------------ text
    @staticmethod
    def _rule_text(rule: Mapping, lang: str = "en") -> str:
        parts = [f"{d.upper()} {_range_text(*rule[d])}" for d in _MAP_DIMS if d in rule]
        return ", ".join(parts) if parts else t("seg_any", lang)

    def label(self, segment: str, lang: str = "en") -> str:
        """The segment's name in a language: glossary ``seg_<segment>``, else the name itself."""
        check_lang(lang)
        key = f"seg_{segment}"
        return TERMS[key][lang] if key in TERMS else segment

    def note(self, segment: str, lang: str = "en") -> str:
        """What the segment means and the usual action (glossary ``seg_<segment>_note``), or ''."""
        check_lang(lang)
        key = f"seg_{segment}_note"
        return TERMS[key][lang] if key in TERMS else ""

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """The rule table as a business user reads it: one row per rule.

        Columns ``segment`` (in ``lang``), ``R``, ``F``, ``M``, ``FM`` (score ranges;
        ``any`` for no condition), ``codes`` (how many score combinations the segment
        holds), ``note`` (meaning and usual action).
        """
        any_ = t("seg_any", lang)
        counts = self.table["segment"].value_counts()
        rows = []
        for rule in self.rules:
            row = {"segment": self.label(rule["segment"], lang)}
            for d in _MAP_DIMS:
                row[d.upper()] = _range_text(*rule[d]) if d in rule else any_
            row["codes"] = int(counts.get(rule["segment"], 0))
            row["note"] = self.note(rule["segment"], lang)
            rows.append(row)
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ assigning
    def _codes(self, scores: pd.DataFrame, cols: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        missing = [c for c in cols if c not in scores.columns]
        if missing:
            raise SchemaError(
                "scores", missing[0],
                f"missing score column(s) {', '.join(map(repr, missing))}; give the output of "
                "RFMScorer.transform or name the columns with r_col, f_col, m_col",
            )
        arr = [scores[c].to_numpy(dtype=float, na_value=np.nan) for c in cols]
        ok = ~(np.isnan(arr[0]) | np.isnan(arr[1]) | np.isnan(arr[2]))
        b = self.bins
        bad = np.zeros(len(ok), dtype=bool)
        for a in arr:
            bad |= ok & ((a < 1) | (a > b) | (a != np.round(a)))
        if bad.any():
            raise SchemaError(
                "scores", None, f"scores must be whole numbers from 1 to {b} (the map's bins)",
                scores.loc[bad, list(cols)], int(bad.sum()),
            )
        r, f, m = (np.where(ok, a, 1).astype(np.int64) for a in arr)
        return np.where(ok, ((r - 1) * b + (f - 1)) * b + (m - 1), -1), ok

    def assign(self, scores: pd.DataFrame, r_col: str = "r_score", f_col: str = "f_score",
               m_col: str = "m_score") -> pd.Series:
        """The segment of each customer.

        Parameters
        ----------
        scores : pandas.DataFrame
            Scores 1..bins, e.g. :meth:`RFMScorer.transform`; missing scores mean no
            purchase (not modified).
        r_col, f_col, m_col : str
            The score columns.

        Returns
        -------
        pandas.Series
            Categorical named ``segment``, indexed like ``scores``; categories are the
            segments in rule order, then ``unscored`` (``"no_purchase"``) for customers
            without scores (missing when ``unscored`` is None).

        Raises
        ------
        SchemaError
            For a missing score column or a score outside 1..bins.
        """
        idx, ok = self._codes(scores, (r_col, f_col, m_col))
        cats = list(self.segments)
        codes = np.where(ok, self._lookup[np.maximum(idx, 0)], -1)
        if self.unscored is not None:
            cats.append(self.unscored)
            codes = np.where(ok, codes, len(cats) - 1)
        return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=scores.index,
                         name="segment")

    def explain(self, scores: pd.DataFrame, lang: str = "en", r_col: str = "r_score",
                f_col: str = "f_score", m_col: str = "m_score") -> pd.DataFrame:
        """Why each customer is in its segment, in words.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``scores``: ``segment`` (the key), ``label`` (its name in
            ``lang``), ``rule`` (the ranges it met, e.g. ``"R 4-5, FM 4-5"``),
            ``explanation`` (a sentence) and ``action`` (the usual action).

        Examples
        --------
        >>> s = pd.DataFrame({"r_score": [5, pd.NA], "f_score": [4, pd.NA],
        ...                   "m_score": [5, pd.NA]}, dtype="Int64")
        >>> STANDARD_MAP.explain(s)["explanation"].tolist()
        ['champions: R 5, F 4, M 5 (FM 4) meets the rule R 4-5, FM 4-5', 'no purchase yet: no purchase up to the observation end, so no R, F, M score']
        >>> STANDARD_MAP.explain(s, lang="zh")["explanation"].iloc[0]
        '冠军客户：R 5、F 4、M 5（FM 4）符合规则 R 4-5, FM 4-5'
        """
        check_lang(lang)
        idx, ok = self._codes(scores, (r_col, f_col, m_col))
        tab = self.table
        seg = tab["segment"].to_numpy(dtype=object)
        label = np.array([self.label(s, lang) for s in seg], dtype=object)
        sentence = np.array([
            t("seg_explain", lang, segment=lb, r=r, f=f, m=m, fm=fm, rule=rule)
            for lb, r, f, m, fm, rule in zip(label, tab["r_score"], tab["f_score"],
                                             tab["m_score"], tab["fm"], tab["rule"], strict=True)
        ], dtype=object)
        action = np.array([self.note(s, lang) for s in seg], dtype=object)
        rule = tab["rule"].to_numpy(dtype=object)
        if self.unscored is not None:
            un = self.label(self.unscored, lang)
            extra = (self.unscored, un,
                     t("seg_explain_unscored", lang, segment=un), self.note(self.unscored, lang))
        else:
            extra = (None, None, None, None)
        seg, label, sentence, action = (np.append(a, e) for a, e in
                                        zip((seg, label, sentence, action), extra, strict=True))
        rule = np.append(rule, None)
        k = np.where(ok, idx, len(tab))
        return pd.DataFrame({"segment": seg[k], "label": label[k], "rule": rule[k],
                             "explanation": sentence[k], "action": action[k]},
                            index=scores.index)

    def __repr__(self) -> str:
        return (f"SegmentMap({len(self.segments)} segments, {len(self.rules)} rules, "
                f"bins={self.bins})")


#: The eleven segments of the standard map, in the order of the rule table.
STANDARD_SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)

#: The common eleven-segment map on five-point scores, as a grid of R against FM (the
#: mean of F and M, rounded down); every one of the 125 (r, f, m) combinations falls in
#: exactly one segment and every segment is reached::
#:
#:     R \ FM     1                2                    3                 4            5
#:     5          new customers    potential loyalists  pot. loyalists    champions    champions
#:     4          promising        potential loyalists  pot. loyalists    champions    champions
#:     3          about to sleep   about to sleep       need attention    loyal        loyal
#:     2          hibernating      hibernating          at risk           at risk      at risk
#:     1          lost             lost                 at risk           can't lose   can't lose
STANDARD_MAP = SegmentMap.from_rules({
    "champions": {"r": (4, 5), "fm": (4, 5)},
    "loyal": {"r": 3, "fm": (4, 5)},
    "potential_loyalists": {"r": (4, 5), "fm": (2, 3)},
    "new_customers": {"r": 5, "fm": 1},
    "promising": {"r": 4, "fm": 1},
    "need_attention": {"r": 3, "fm": 3},
    "about_to_sleep": {"r": 3, "fm": (1, 2)},
    "at_risk": [{"r": 2, "fm": (3, 5)}, {"r": 1, "fm": 3}],
    "cant_lose": {"r": 1, "fm": (4, 5)},
    "hibernating": {"r": 2, "fm": (1, 2)},
    "lost": {"r": 1, "fm": (1, 2)},
})
