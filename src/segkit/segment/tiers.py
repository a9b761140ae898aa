"""The tier schemes of the sources as readable rule objects (docs/domain.md section 1).

Each scheme is an estimator: ``fit(profile)`` learns its thresholds (value cut-offs)
from a customer profile (:func:`segkit.features.customer_profile`, or any frame with
the columns the scheme reads), ``predict(profile)`` gives each customer's tier,
``explain(profile, lang)`` says for every customer why it sits in its tier (the values
the rule looked at, the thresholds and a sentence with the numbers, in English or
Chinese) and ``rules(lang)`` is the rule as a small table a business user can read.
The four principles of tiering follow: the tier is *objective* (a stated rule,
reproducible), *operable* (a rule in words, every tier explained), *differentiated*
(:func:`tier_profile` measures how the tiers differ) and *dynamic* (fit once on a
reference period, then predict any later period with the same thresholds).

The schemes:

:class:`ParetoTiers`
    ABC / Pareto tiers by cumulative value share: key (关键客户), ordinary (普通客户),
    small (小客户), and inferior (劣质客户) for a negative margin after costs.
:class:`ImportanceRiskTiers`
    A important (重要客户), B general (一般客户), C potential risk (潜在风险客户), from a
    value and a risk score.
:class:`VIPTiers`
    VIP (VIP客户), potential (潜力客户: newer customers earning at VIP pace), ordinary.

A tier is an ordered pandas Categorical whose categories are ``tiers_``, best first;
the glossary key of a tier's label is ``tier_<code>``. Value can be any column
(revenue, margin, later the predicted lifetime value of the valuation module), risk
any score (later the churn module's).

Examples
--------
>>> import pandas as pd
>>> profile = pd.DataFrame({"customer_id": list("abcde"),
...                         "revenue": [500.0, 300.0, 100.0, 60.0, 40.0],
...                         "margin": [120.0, 80.0, -5.0, 10.0, 4.0]})
>>> ParetoTiers().fit_predict(profile).tolist()
['key', 'key', 'inferior', 'ordinary', 'small']
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..glossary import TERMS, check_lang, t

__all__ = [
    "TierScheme",
    "ParetoTiers",
    "ImportanceRiskTiers",
    "VIPTiers",
    "tier_profile",
    "share_threshold",
    "top_share_threshold",
    "typical_gap_days",
    "recency_ratio",
]


# ----------------------------------------------------------------------------- helpers


def _fmt(x) -> str:
    """A number as a reader sees it: at most 2 decimals (3 significant digits below 1).

    >>> _fmt(1234.567), _fmt(1.5), _fmt(80.0), _fmt(0.1234), _fmt(float("inf")), _fmt(float("nan"))
    ('1,234.57', '1.5', '80', '0.123', '∞', '–')
    """
    x = float(x)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x.is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def _fmts(values) -> np.ndarray:
    """:func:`_fmt` of every value, formatting each distinct value once."""
    v = np.asarray(values, dtype=float)
    if not v.size:
        return np.array([], dtype=object)
    u, inv = np.unique(v, return_inverse=True)  # NaNs sort last, each its own entry
    return np.array([_fmt(x) for x in u], dtype=object)[inv.reshape(-1)]


def _pct(share: float) -> str:
    """A share as a percentage: ``0.8 -> '80%'``, ``0.125 -> '12.5%'``."""
    return f"{100.0 * float(share):.4g}%"


def _fill(template: str, n: int, fields: Mapping[str, object]) -> np.ndarray:
    """``template.format(**fields)`` for n rows at once: a field is a str or n strs."""
    out = np.full(n, "", dtype=object)
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if name is not None:
            value = fields[name]
            out = out + (value if isinstance(value, np.ndarray) else str(value))
    return out


def _text(key: str, lang: str) -> str:
    """The raw template of a glossary key (placeholders unfilled)."""
    check_lang(lang)
    if key not in TERMS:
        t(key, lang)  # raises UnknownTermError with close keys
    return TERMS[key][lang]


def _col_label(col: str, lang: str) -> str:
    """The reader's name of a column: ``tier_col_<col>`` of the glossary, else the name."""
    key = f"tier_col_{col}"
    return t(key, lang) if key in TERMS else str(col)


def _check_col(name: str, value) -> None:
    if not isinstance(value, str) or not value:
        raise ParameterError(f"{name} must be a column name (a non-empty str), got {value!r}")


def _check_share(name: str, value, *, upper_open: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    ok = 0.0 < v < 1.0 if upper_open else 0.0 < v <= 1.0
    if not ok:
        bound = "(0, 1)" if upper_open else "(0, 1]"
        raise ParameterError(f"{name} must be a share in {bound}, e.g. 0.8, got {value!r}")
    return v


def _check_quantile(name: str, value, *, upper_open: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not (0.0 <= v < 1.0 if upper_open else 0.0 <= v <= 1.0):
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise ParameterError(
            f"{name} must be a quantile in {bound}, e.g. 0.5 for the median, got {value!r}"
        )
    return v


def _check_positive(name: str, value, *, zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not (v >= 0.0 if zero else v > 0.0) or math.isinf(v):
        what = ">= 0" if zero else "> 0"
        raise ParameterError(f"{name} must be a finite number {what}, got {value!r}")
    return v


def _numeric(profile: pd.DataFrame, col: str, *, allow_nan: bool = False) -> np.ndarray:
    """Column ``col`` of the profile as floats; SchemaError when missing or not numeric."""
    if col not in profile.columns:
        raise SchemaError(
            "profile",
            col,
            "missing column: the rule reads it; compute the profile with "
            "segkit.features.customer_profile, or name another column in the *_col argument",
        )
    s = profile[col]
    if s.dtype == bool:
        s = s.astype(float)
    if not pd.api.types.is_numeric_dtype(s):
        raise SchemaError("profile", col, f"must be numeric, found dtype {s.dtype}",
                          examples=profile[[col]].head())
    v = s.to_numpy(dtype=float, na_value=np.nan)
    if not allow_nan:
        bad = np.isnan(v)
        if bad.any():
            shown = [c for c in ("customer_id", col) if c in profile.columns]
            raise SchemaError(
                "profile",
                col,
                "missing values: a rule cannot place a customer without a value; fill them "
                "(e.g. with 0) or leave those customers out",
                examples=profile.loc[bad, shown],
                n_bad=int(bad.sum()),
            )
    return v


def _frame(profile, cols: Sequence[str], nan_ok: Sequence[str] = ()) -> pd.DataFrame:
    """The columns a rule reads, as floats, with ``customer_id`` when the profile has it."""
    if not isinstance(profile, pd.DataFrame):
        raise ParameterError(
            f"profile must be a pandas DataFrame (segkit.features.customer_profile), "
            f"got {type(profile).__name__}"
        )
    out = {}
    if "customer_id" in profile.columns:
        out["customer_id"] = profile["customer_id"].to_numpy()
    for c in dict.fromkeys(cols):
        out[c] = _numeric(profile, c, allow_nan=c in nan_ok)
    return pd.DataFrame(out, index=profile.index)


def share_threshold(values, share: float) -> float:
    """The value cut-off of the customers who together make the first ``share`` of value.

    Sort the customers by value, largest first, and add up their values (a value
    below 0 counts as 0); the cut-off is the value of the customer whose running sum
    first reaches ``share`` of the total, so the customer that crosses the boundary
    is inside. Customers with the cut-off value or more are inside: all customers with
    the same value land on the same side (ties are decided by the value, not by their
    order). Without any positive value the cut-off is infinite (nobody is inside).

    Parameters
    ----------
    values : array-like of float
        One value per customer, no missing values.
    share : float
        In (0, 1].

    Returns
    -------
    float

    Examples
    --------
    >>> share_threshold([500, 300, 100, 60, 40], 0.8)  # 500 + 300 = 800 of 1000
    300.0
    >>> share_threshold([500, 300, 100, 60, 40], 0.95)  # 500 + 300 + 100 + 60 = 960
    60.0
    >>> share_threshold([0.0, -3.0], 0.8)
    inf
    """
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    if not v.size:
        return math.inf
    cum = np.cumsum(np.where(v > 0, v, 0.0))  # sequential sums, as a loop would add them
    total = cum[-1]
    if not total > 0:
        return math.inf
    k = min(int(np.searchsorted(cum, share * total, side="left")), v.size - 1)
    return float(v[k])


def top_share_threshold(values, share: float) -> float:
    """The value cut-off of the top ``share`` of customers by value.

    The value of the ``ceil(share * n)``-th largest value (at least the largest); ties
    with it are inside too, so slightly more than ``share`` of the customers may be.

    Examples
    --------
    >>> top_share_threshold([5, 4, 4, 3, 1, 0, 0, 0, 0, 0], 0.2)  # 2nd largest: 4
    4.0
    """
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    if not v.size:
        return math.inf
    k = min(max(math.ceil(share * v.size) - 1, 0), v.size - 1)
    return float(v[k])


def typical_gap_days(profile: pd.DataFrame, ipt_col: str = "ipt_mean_days") -> float:
    """The median of the customers' mean days between purchases (customers with 2+ orders).

    The usual gap of a customer with a single order, who has no gap of their own.
    NaN when no customer has two orders.

    Examples
    --------
    >>> typical_gap_days(pd.DataFrame({"ipt_mean_days": [10.0, 30.0, float("nan"), 40.0]}))
    30.0
    """
    v = _numeric(profile, ipt_col, allow_nan=True)
    v = v[~np.isnan(v)]
    return float(np.median(v)) if v.size else math.nan


def recency_ratio(
    profile: pd.DataFrame,
    typical_gap: float | None = None,
    recency_col: str = "recency_days",
    ipt_col: str = "ipt_mean_days",
) -> pd.Series:
    """Days since the last purchase over the customer's usual days between purchases.

    A simple, stated risk score: 1 means the usual gap has just passed, 3 means three
    usual gaps have passed without a purchase. The usual gap is the customer's own mean
    days between purchases (``ipt_mean_days``, from 2 orders); for a customer with one
    order it is ``typical_gap`` (default: :func:`typical_gap_days` of this profile).
    A customer who never bought gets infinity.

    Returns
    -------
    pandas.Series
        Named ``recency_ratio``, index as the profile's.

    Examples
    --------
    >>> p = pd.DataFrame({"recency_days": [10.0, 90.0, 60.0, float("nan")],
    ...                   "ipt_mean_days": [20.0, 30.0, float("nan"), float("nan")]})
    >>> recency_ratio(p, typical_gap=40.0).tolist()
    [0.5, 3.0, 1.5, inf]
    """
    rec = _numeric(profile, recency_col, allow_nan=True)
    gap = _numeric(profile, ipt_col, allow_nan=True)
    if typical_gap is None:
        typical_gap = typical_gap_days(profile, ipt_col)
    gap = np.where(np.isnan(gap), float(typical_gap), gap)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(rec), np.inf, rec / gap)
    return pd.Series(ratio, index=profile.index, name="recency_ratio")


# ----------------------------------------------------------------------------- the base


class TierScheme(BaseEstimator):
    """The common shape of a tier rule: fit, predict, explain, rules.

    Subclasses set :attr:`TIERS` (codes, best first) and implement ``_check_params``,
    ``_inputs`` (the columns read), ``_fit`` (thresholds into ``*_`` attributes),
    ``_assign`` (tier codes 0..k-1), ``_explain`` (values, thresholds and the reason
    body of each customer) and ``_rules``.

    Attributes
    ----------
    tiers_ : tuple of str
        The tier codes, best first: the categories of :meth:`predict`'s result. The
        label of a code is the glossary's ``tier_<code>`` (:meth:`labels`).
    """

    #: Tier codes, best first.
    TIERS: tuple[str, ...] = ()
    #: Name of the predicted Series and of the explain column.
    _output = "tier"
    #: Glossary prefix of the tier labels.
    _label_prefix = "tier_"

    # -- the estimator

    def fit(self, profile: pd.DataFrame, y=None):
        """Learn the thresholds from a profile (one row per customer); returns self."""
        self._check_params()
        frame = self._inputs(profile)
        self._fit(frame)
        self.tiers_ = tuple(self.TIERS)
        self.n_customers_fit_ = len(frame)
        return self

    def predict(self, profile: pd.DataFrame) -> pd.Series:
        """The tier of every customer with the fitted thresholds.

        Returns
        -------
        pandas.Series
            Ordered categorical with categories ``tiers_`` (best first), index as the
            profile's, named ``tier``.
        """
        self._check_fitted()
        frame = self._inputs(profile)
        return self._series(self._assign(frame), frame.index)

    def fit_predict(self, profile: pd.DataFrame, y=None) -> pd.Series:
        """``fit(profile).predict(profile)``."""
        return self.fit(profile).predict(profile)

    def explain(self, profile: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
        """Why each customer sits in its tier.

        Returns
        -------
        pandas.DataFrame
            One row per customer, index as the profile's: ``customer_id`` (when the
            profile has it), the tier, the values the rule looked at, the thresholds,
            and ``reason``: a sentence with the numbers in ``lang``. Re-applying the
            stated thresholds to the stated values gives the tier again.
        """
        check_lang(lang)
        self._check_fitted()
        frame = self._inputs(profile)
        return self._explain_frame(frame, lang)

    def rules(self, lang: str = "en") -> pd.DataFrame:
        """The rule as a table a business user can read.

        Returns
        -------
        pandas.DataFrame
            One row per tier, best first: ``tier`` (code), ``label``, ``condition``
            (in words, with the fitted thresholds) and ``thresholds`` (the numbers, in
            the order they appear in the condition). Where conditions overlap, the
            first matching row of the table wins unless a row says it overrides.
        """
        check_lang(lang)
        self._check_fitted()
        rows = self._rules(lang)
        return pd.DataFrame(
            {
                "tier": [r[0] for r in rows],
                "label": [t(self._label_prefix + r[0], lang) for r in rows],
                "condition": [r[1] for r in rows],
                "thresholds": [tuple(float(x) for x in r[2]) for r in rows],
            }
        )

    def labels(self, lang: str = "en") -> dict[str, str]:
        """Tier code -> label in ``lang``, best first."""
        check_lang(lang)
        return {c: t(self._label_prefix + c, lang) for c in self.TIERS}

    # -- shared machinery

    def _check_fitted(self) -> None:
        if not hasattr(self, "tiers_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(...) with the "
                "reference data first (or fit_predict)"
            )

    def _series(self, codes: np.ndarray, index: pd.Index) -> pd.Series:
        cat = pd.Categorical.from_codes(
            np.asarray(codes, dtype=np.int64), categories=list(self.TIERS), ordered=True
        )
        return pd.Series(cat, index=index, name=self._output)

    def _explain_frame(self, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        codes = self._assign(frame)
        detail, body = self._explain(frame, codes, lang)
        labels = np.array([t(self._label_prefix + c, lang) for c in self.TIERS], dtype=object)
        reason = _fill(_text("tier_reason_line", lang), len(frame),
                       {"tier": labels[codes] if len(frame) else labels[:0], "reason": body})
        out = pd.DataFrame(index=frame.index)
        if "customer_id" in frame.columns:
            out["customer_id"] = frame["customer_id"]
        out[self._output] = self._series(codes, frame.index)
        for c in detail.columns:
            out[c] = detail[c].to_numpy()
        out["reason"] = reason
        return out

    # -- to implement

    def _check_params(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _inputs(self, profile) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, frame: pd.DataFrame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _assign(self, frame: pd.DataFrame) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _explain(self, frame, codes, lang) -> tuple[pd.DataFrame, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def _rules(self, lang: str) -> list[tuple[str, str, tuple]]:  # pragma: no cover
        raise NotImplementedError


def _by_code(n: int, codes: np.ndarray, parts: Mapping[int, tuple[str, Mapping]]) -> np.ndarray:
    """Reason bodies: for each code, its template filled with its fields on its rows."""
    body = np.full(n, "", dtype=object)
    for code, (template, fields) in parts.items():
        rows = codes == code
        if rows.any():
            sub = {k: (v[rows] if isinstance(v, np.ndarray) else v) for k, v in fields.items()}
            body[rows] = _fill(template, int(rows.sum()), sub)
    return body


# ----------------------------------------------------------------------------- ABC / Pareto


class ParetoTiers(TierScheme):
    """ABC / Pareto tiers by cumulative value share, plus inferior customers.

    The rule, in words: sort the customers by value, largest first, and add up their
    value. **Key customers** (关键客户) are the customers who together bring the first
    ``shares[0]`` (80%) of the value, **ordinary customers** (普通客户) those who bring
    it up to ``shares[1]`` (95%), **small customers** (小客户) the rest. The boundary is
    a value (``key_threshold_``, ``ordinary_threshold_``, see
    :func:`share_threshold`): the customer that crosses a boundary is inside it, and
    every customer with the same value gets the same tier, so ties are decided by the
    value alone and the tiers do not depend on row order. A value below 0 adds nothing
    to the sum, so such a customer is never key or ordinary. **Inferior customers**
    (劣质客户) have ``inferior_col`` (the margin after costs) below 0: they cost more
    than they bring, and this overrides the value tier; ``inferior_col=None`` turns
    it off.

    Parameters
    ----------
    value_col : str, default "revenue"
        The value: revenue, margin, a predicted lifetime value, ...
    shares : (float, float), default (0.8, 0.95)
        Cumulative value shares of the key and the ordinary tiers, ``0 < shares[0] <
        shares[1] <= 1``.
    inferior_col : str or None, default "margin"
        Customers with a negative value here are inferior.

    Attributes
    ----------
    key_threshold_, ordinary_threshold_ : float
        The value cut-offs learned by ``fit`` (``inf`` without any positive value).
    tiers_ : tuple of str
        ``("key", "ordinary", "small", "inferior")``.

    Examples
    --------
    >>> import pandas as pd
    >>> profile = pd.DataFrame({"customer_id": list("abcde"),
    ...                         "revenue": [500.0, 300.0, 100.0, 60.0, 40.0],
    ...                         "margin": [120.0, 80.0, -5.0, 10.0, 4.0]})
    >>> tiers = ParetoTiers().fit(profile)
    >>> tiers.key_threshold_, tiers.ordinary_threshold_
    (300.0, 60.0)
    >>> print(tiers.explain(profile)["reason"].iloc[2])
    inferior customers: margin -5 is below 0, so the customer costs more than it brings (this overrides the revenue tier)
    >>> print(tiers.explain(profile, lang="zh")["reason"].iloc[0])
    关键客户：收入 500 ≥ 300，即按收入从高到低累计贡献前 80% 的客户的门槛
    """

    TIERS = ("key", "ordinary", "small", "inferior")

    def __init__(self, value_col="revenue", shares=(0.8, 0.95), inferior_col="margin"):
        self.value_col = value_col
        self.shares = shares
        self.inferior_col = inferior_col

    def _check_params(self) -> None:
        _check_col("value_col", self.value_col)
        if self.inferior_col is not None:
            _check_col("inferior_col", self.inferior_col)
        try:
            s1, s2 = (float(s) for s in self.shares)
        except (TypeError, ValueError):
            raise ParameterError(
                f"shares must be two cumulative value shares such as (0.8, 0.95), "
                f"got {self.shares!r}"
            ) from None
        if not 0.0 < s1 < s2 <= 1.0:
            raise ParameterError(
                f"shares must satisfy 0 < shares[0] < shares[1] <= 1 (key, then ordinary), "
                f"e.g. (0.8, 0.95); got {self.shares!r}"
            )

    def _inputs(self, profile) -> pd.DataFrame:
        cols = [self.value_col] + ([self.inferior_col] if self.inferior_col else [])
        return _frame(profile, cols)

    def _fit(self, frame) -> None:
        v = frame[self.value_col].to_numpy()
        s1, s2 = (float(s) for s in self.shares)
        self.key_threshold_ = share_threshold(v, s1)
        self.ordinary_threshold_ = share_threshold(v, s2)

    def _assign(self, frame) -> np.ndarray:
        v = frame[self.value_col].to_numpy()
        codes = np.where(v >= self.key_threshold_, 0, np.where(v >= self.ordinary_threshold_, 1, 2))
        if self.inferior_col:
            codes[frame[self.inferior_col].to_numpy() < 0] = 3
        return codes

    def _explain(self, frame, codes, lang):
        n = len(frame)
        v = frame[self.value_col].to_numpy()
        detail = pd.DataFrame({self.value_col: v}, index=frame.index)
        if self.inferior_col and self.inferior_col != self.value_col:
            detail[self.inferior_col] = frame[self.inferior_col].to_numpy()
        detail["key_threshold"] = self.key_threshold_
        detail["ordinary_threshold"] = self.ordinary_threshold_
        s1, s2 = (float(s) for s in self.shares)
        col = _col_label(self.value_col, lang)
        fields = {"col": col, "value": _fmts(v), "key_threshold": _fmt(self.key_threshold_),
                  "ordinary_threshold": _fmt(self.ordinary_threshold_),
                  "share_key": _pct(s1), "share_ordinary": _pct(s2)}
        parts = {
            0: (_text("tier_reason_pareto_key", lang), fields),
            1: (_text("tier_reason_pareto_ordinary", lang), fields),
            2: (_text("tier_reason_pareto_small", lang), fields),
        }
        if self.inferior_col:
            m = frame[self.inferior_col].to_numpy()
            parts[3] = (_text("tier_reason_inferior", lang),
                        {"col": _col_label(self.inferior_col, lang), "value": _fmts(m),
                         "value_col": col})
        return detail, _by_code(n, codes, parts)

    def _rules(self, lang):
        s1, s2 = (float(s) for s in self.shares)
        f = {"col": _col_label(self.value_col, lang), "key_threshold": _fmt(self.key_threshold_),
             "ordinary_threshold": _fmt(self.ordinary_threshold_),
             "share_key": _pct(s1), "share_ordinary": _pct(s2)}
        rows = [
            ("key", t("tier_rule_pareto_key", lang, **f), (self.key_threshold_,)),
            ("ordinary", t("tier_rule_pareto_ordinary", lang, **f),
             (self.ordinary_threshold_, self.key_threshold_)),
            ("small", t("tier_rule_pareto_small", lang, **f), (self.ordinary_threshold_,)),
        ]
        if self.inferior_col:
            rows.append(("inferior", t("tier_rule_inferior", lang,
                                       col=_col_label(self.inferior_col, lang)), (0.0,)))
        return rows


# ----------------------------------------------------------------------------- A / B / C


class ImportanceRiskTiers(TierScheme):
    """A (important) / B (general) / C (potential risk) by value and risk.

    The rule, in words: **C, potential risk** (潜在风险客户): the risk score is above
    ``risk_threshold``, whatever the value. **A, important** (重要客户): the risk is at
    most the threshold and the value is at least ``value_threshold_``. **B, general**
    (一般客户): everyone else (risk at most the threshold, value below the cut-off).
    The value cut-off is the boundary of the customers who together bring the first
    ``value_share`` of the value, as in :class:`ParetoTiers` (ties by value), or, when
    ``value_quantile`` is given, that quantile of the value (``value_quantile`` takes
    precedence over ``value_share``).

    The risk is any score column (``risk_col``, higher is riskier; later the churn
    module's probability). Without one (``risk_col=None``) it is the
    :func:`recency_ratio`: days since the last purchase divided by the customer's
    usual days between purchases (the typical gap of all customers, learned by
    ``fit``, for a customer with a single order); with the default ``risk_threshold =
    2`` a customer is at risk when more than twice their usual gap has passed
    without a purchase.

    Parameters
    ----------
    value_col : str, default "revenue"
    risk_col : str or None, default None
        A risk score column, or None for the recency ratio (needs ``recency_days`` and
        ``ipt_mean_days``).
    value_share : float, default 0.8
        Cumulative value share of the high-value customers, in (0, 1].
    value_quantile : float or None, default None
        Instead of ``value_share``: the value at this quantile, in (0, 1).
    risk_threshold : float, default 2.0
        Risk above it is potential risk.

    Attributes
    ----------
    value_threshold_, risk_threshold_ : float
    typical_gap_days_ : float
        The usual gap of a single-order customer (NaN with ``risk_col``).
    tiers_ : tuple of str
        ``("important", "general", "risk")``.

    Examples
    --------
    >>> import pandas as pd
    >>> profile = pd.DataFrame({"customer_id": list("abcd"),
    ...                         "revenue": [800.0, 100.0, 600.0, 50.0],
    ...                         "recency_days": [10.0, 20.0, 200.0, 5.0],
    ...                         "ipt_mean_days": [30.0, 40.0, 50.0, float("nan")]})
    >>> scheme = ImportanceRiskTiers().fit(profile)
    >>> scheme.predict(profile).tolist()
    ['important', 'general', 'risk', 'general']
    >>> print(scheme.explain(profile)["reason"].iloc[2])
    potential risk customers (C): recency ratio 4 is above 2 (200 days since the last purchase, usual gap 50 days)
    """

    TIERS = ("important", "general", "risk")

    def __init__(self, value_col="revenue", risk_col=None, value_share=0.8,
                 value_quantile=None, risk_threshold=2.0):
        self.value_col = value_col
        self.risk_col = risk_col
        self.value_share = value_share
        self.value_quantile = value_quantile
        self.risk_threshold = risk_threshold

    def _check_params(self) -> None:
        _check_col("value_col", self.value_col)
        if self.risk_col is not None:
            _check_col("risk_col", self.risk_col)
        if self.value_quantile is None:
            _check_share("value_share", self.value_share)
        else:
            _check_share("value_quantile", self.value_quantile, upper_open=True)
        try:
            r = float(self.risk_threshold)
        except (TypeError, ValueError):
            r = math.nan
        if not math.isfinite(r):
            raise ParameterError(
                f"risk_threshold must be a finite number, got {self.risk_threshold!r}"
            )

    def _inputs(self, profile) -> pd.DataFrame:
        if self.risk_col is None:
            return _frame(profile, [self.value_col, "recency_days", "ipt_mean_days"],
                          nan_ok=("recency_days", "ipt_mean_days"))
        return _frame(profile, [self.value_col, self.risk_col])

    def _risk(self, frame) -> np.ndarray:
        if self.risk_col is None:
            return recency_ratio(frame, self.typical_gap_days_).to_numpy()
        return frame[self.risk_col].to_numpy()

    def _fit(self, frame) -> None:
        v = frame[self.value_col].to_numpy()
        if self.value_quantile is None:
            self.value_threshold_ = share_threshold(v, float(self.value_share))
        else:
            self.value_threshold_ = (
                float(np.quantile(v, float(self.value_quantile))) if v.size else math.inf
            )
        self.risk_threshold_ = float(self.risk_threshold)
        self.typical_gap_days_ = (
            typical_gap_days(frame) if self.risk_col is None else math.nan
        )

    def _assign(self, frame) -> np.ndarray:
        v = frame[self.value_col].to_numpy()
        risk = self._risk(frame)
        return np.where(risk > self.risk_threshold_, 2,
                        np.where(v >= self.value_threshold_, 0, 1))

    def _value_rule(self, lang):
        col = _col_label(self.value_col, lang)
        if self.value_quantile is None:
            return t("tier_value_rule_share", lang, col=col, share=_pct(self.value_share))
        return t("tier_value_rule_quantile", lang, col=col, quantile=_pct(self.value_quantile))

    def _risk_name(self, lang):
        if self.risk_col is None:
            return t("tier_col_recency_ratio", lang)
        return _col_label(self.risk_col, lang)

    def _explain(self, frame, codes, lang):
        n = len(frame)
        v = frame[self.value_col].to_numpy()
        risk = self._risk(frame)
        detail = pd.DataFrame({self.value_col: v}, index=frame.index)
        name = "recency_ratio" if self.risk_col is None else self.risk_col
        detail[name] = risk
        gap = None
        if self.risk_col is None:
            gap = frame["ipt_mean_days"].to_numpy()
            gap = np.where(np.isnan(gap), self.typical_gap_days_, gap)
            detail["recency_days"] = frame["recency_days"].to_numpy()
            detail["usual_gap_days"] = gap
        detail["value_threshold"] = self.value_threshold_
        detail["risk_threshold"] = self.risk_threshold_
        fields = {"col": _col_label(self.value_col, lang), "value": _fmts(v),
                  "value_threshold": _fmt(self.value_threshold_),
                  "value_rule": self._value_rule(lang), "risk_name": self._risk_name(lang),
                  "risk": _fmts(risk), "risk_threshold": _fmt(self.risk_threshold_)}
        risk_fields = dict(fields)
        risk_key = "tier_reason_ir_risk"
        never = np.zeros(n, dtype=bool)
        if self.risk_col is None:
            risk_key = "tier_reason_ir_risk_recency"
            rec = frame["recency_days"].to_numpy()
            risk_fields.update(recency=_fmts(rec), gap=_fmts(gap))
            never = np.isnan(rec)  # never bought: a sentence of its own
        parts = {
            0: (_text("tier_reason_ir_important", lang), fields),
            1: (_text("tier_reason_ir_general", lang), fields),
            2: (_text(risk_key, lang), risk_fields),
        }
        body = _by_code(n, codes, parts)
        body[never] = _fill(_text("tier_reason_ir_risk_never", lang), int(never.sum()),
                            {"risk_name": self._risk_name(lang)})
        return detail, body

    def _rules(self, lang):
        f = {"col": _col_label(self.value_col, lang),
             "value_threshold": _fmt(self.value_threshold_),
             "value_rule": self._value_rule(lang), "risk_name": self._risk_name(lang),
             "risk_threshold": _fmt(self.risk_threshold_)}
        return [
            ("important", t("tier_rule_ir_important", lang, **f),
             (self.value_threshold_, self.risk_threshold_)),
            ("general", t("tier_rule_ir_general", lang, **f),
             (self.risk_threshold_, self.value_threshold_)),
            ("risk", t("tier_rule_ir_risk", lang, **f), (self.risk_threshold_,)),
        ]


# ----------------------------------------------------------------------------- VIP


class VIPTiers(TierScheme):
    """VIP / potential / ordinary customers.

    The rule, in words: **VIP customers** (VIP客户) are the top ``vip_share`` (10%) of
    customers by value: value at least ``vip_threshold_``, the value of the
    ``ceil(vip_share * n)``-th largest customer at ``fit`` (ties with it are VIP too),
    and above 0. **Potential customers** (潜力客户) are not VIP, are newer (tenure
    below ``potential_max_tenure_days``, one year) and already earn at VIP pace: their
    value per day of tenure is at least ``rate_threshold_``, the
    ``potential_rate_quantile`` (the median) of the value per day of the VIP
    customers at ``fit``. Tenure counts as at least ``min_rate_days`` (30) days in the
    value per day, so that one large first purchase yesterday is not a VIP pace.
    **Ordinary customers** (普通客户): everyone else.

    Parameters
    ----------
    value_col : str, default "revenue"
    vip_share : float, default 0.1
        Share of customers in the VIP tier, in (0, 1].
    potential_max_tenure_days : float, default 365
    potential_rate_quantile : float, default 0.5
        Quantile of the VIPs' value per day that a potential customer reaches, in [0, 1].
    min_rate_days : float, default 30
    tenure_col : str, default "tenure_days"

    Attributes
    ----------
    vip_threshold_, rate_threshold_ : float
    tiers_ : tuple of str
        ``("vip", "potential", "ordinary")``.

    Examples
    --------
    >>> import pandas as pd
    >>> profile = pd.DataFrame({"customer_id": list("abcd"),
    ...                         "revenue": [1000.0, 150.0, 300.0, 90.0],
    ...                         "tenure_days": [500.0, 40.0, 700.0, 200.0]})
    >>> scheme = VIPTiers(vip_share=0.25).fit(profile)
    >>> scheme.predict(profile).tolist()
    ['vip', 'potential', 'ordinary', 'ordinary']
    >>> print(scheme.explain(profile)["reason"].iloc[1])
    potential customers: revenue 150 is below 1,000 (VIP), but in 40 days of tenure (< 365) it brings 3.75 per day, at least 2, the 50% quantile of the VIP customers' revenue per day
    """

    TIERS = ("vip", "potential", "ordinary")

    def __init__(self, value_col="revenue", vip_share=0.1, potential_max_tenure_days=365.0,
                 potential_rate_quantile=0.5, min_rate_days=30.0, tenure_col="tenure_days"):
        self.value_col = value_col
        self.vip_share = vip_share
        self.potential_max_tenure_days = potential_max_tenure_days
        self.potential_rate_quantile = potential_rate_quantile
        self.min_rate_days = min_rate_days
        self.tenure_col = tenure_col

    def _check_params(self) -> None:
        _check_col("value_col", self.value_col)
        _check_col("tenure_col", self.tenure_col)
        _check_share("vip_share", self.vip_share)
        _check_positive("potential_max_tenure_days", self.potential_max_tenure_days)
        _check_positive("min_rate_days", self.min_rate_days)
        _check_quantile("potential_rate_quantile", self.potential_rate_quantile)

    def _inputs(self, profile) -> pd.DataFrame:
        return _frame(profile, [self.value_col, self.tenure_col])

    def _rate(self, frame) -> np.ndarray:
        days = np.maximum(frame[self.tenure_col].to_numpy(), float(self.min_rate_days))
        return frame[self.value_col].to_numpy() / days

    def _vip(self, frame) -> np.ndarray:
        v = frame[self.value_col].to_numpy()
        return (v >= self.vip_threshold_) & (v > 0)

    def _fit(self, frame) -> None:
        v = frame[self.value_col].to_numpy()
        self.vip_threshold_ = top_share_threshold(v, float(self.vip_share))
        vip = (v >= self.vip_threshold_) & (v > 0)
        rate = self._rate(frame)[vip]
        self.rate_threshold_ = (
            float(np.quantile(rate, float(self.potential_rate_quantile))) if rate.size
            else math.inf
        )

    def _assign(self, frame) -> np.ndarray:
        vip = self._vip(frame)
        new = frame[self.tenure_col].to_numpy() < float(self.potential_max_tenure_days)
        fast = self._rate(frame) >= self.rate_threshold_
        return np.where(vip, 0, np.where(new & fast, 1, 2))

    def _explain(self, frame, codes, lang):
        n = len(frame)
        v = frame[self.value_col].to_numpy()
        ten = frame[self.tenure_col].to_numpy()
        rate = self._rate(frame)
        detail = pd.DataFrame({self.value_col: v, self.tenure_col: ten, "value_per_day": rate},
                              index=frame.index)
        detail["vip_threshold"] = self.vip_threshold_
        detail["max_tenure_days"] = float(self.potential_max_tenure_days)
        detail["rate_threshold"] = self.rate_threshold_
        fields = {"col": _col_label(self.value_col, lang), "value": _fmts(v),
                  "vip_threshold": _fmt(self.vip_threshold_), "vip_share": _pct(self.vip_share),
                  "tenure": _fmts(ten), "max_tenure": _fmt(self.potential_max_tenure_days),
                  "rate": _fmts(rate), "rate_threshold": _fmt(self.rate_threshold_),
                  "quantile": _pct(self.potential_rate_quantile)}
        # ordinary customers: say which potential condition failed (tenure first)
        old = ten >= float(self.potential_max_tenure_days)
        sub = np.where(codes == 2, np.where(old, 2, 3), codes)
        parts = {
            0: (_text("tier_reason_vip", lang), fields),
            1: (_text("tier_reason_potential", lang), fields),
            2: (_text("tier_reason_vip_ordinary_tenure", lang), fields),
            3: (_text("tier_reason_vip_ordinary_rate", lang), fields),
        }
        return detail, _by_code(n, sub, parts)

    def _rules(self, lang):
        f = {"col": _col_label(self.value_col, lang), "vip_threshold": _fmt(self.vip_threshold_),
             "vip_share": _pct(self.vip_share), "max_tenure": _fmt(self.potential_max_tenure_days),
             "rate_threshold": _fmt(self.rate_threshold_),
             "quantile": _pct(self.potential_rate_quantile),
             "min_days": _fmt(self.min_rate_days)}
        return [
            ("vip", t("tier_rule_vip", lang, **f), (self.vip_threshold_,)),
            ("potential", t("tier_rule_potential", lang, **f),
             (self.vip_threshold_, float(self.potential_max_tenure_days), self.rate_threshold_)),
            ("ordinary", t("tier_rule_vip_ordinary", lang, **f), ()),
        ]


# ----------------------------------------------------------------------------- differentiated


def tier_profile(
    profile: pd.DataFrame,
    tiers,
    value_col: str = "revenue",
    outcome_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """How the tiers differ: size, value share, mean revenue, margin, cost to serve, outcomes.

    The check of the principle *differentiated* (差异性): tiers that do not differ in
    value, cost and churn are not worth managing differently. Put an outcome measured
    after the observation end into the profile (e.g. ``no_purchase_h`` or
    ``revenue_h`` of :func:`segkit.segment.base.horizon_outcomes`, or a true churn flag
    of simulated data) and name it in ``outcome_cols``.

    Parameters
    ----------
    profile : pandas.DataFrame
        One row per customer.
    tiers : pandas.Series or array-like
        The tier of each row of ``profile`` (e.g. ``scheme.predict(profile)``); a
        Series must have the profile's index.
    value_col : str, default "revenue"
        The value whose share each tier holds.
    outcome_cols : sequence of str
        Columns of ``profile`` averaged per tier (a boolean gives a rate).

    Returns
    -------
    pandas.DataFrame
        One row per tier (in the tiers' category order; empty tiers included):
        ``customers``, ``share`` (of customers), ``value_share`` (of the total of
        ``value_col``), then ``mean_revenue``, ``mean_margin`` and
        ``mean_cost_to_serve`` when the profile has those columns, then the mean of
        each outcome column under its own name.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"revenue": [500.0, 300.0, 100.0, 100.0],
    ...                   "margin": [100.0, 60.0, -10.0, 20.0],
    ...                   "churned": [False, False, True, True]})
    >>> tiers = ParetoTiers().fit_predict(p)
    >>> tier_profile(p, tiers, outcome_cols=["churned"])  # doctest: +NORMALIZE_WHITESPACE
              customers  share  value_share  mean_revenue  mean_margin  churned
    tier
    key               2   0.50          0.8         400.0         80.0      0.0
    ordinary          1   0.25          0.1         100.0         20.0      1.0
    small             0   0.00          0.0           NaN          NaN      NaN
    inferior          1   0.25          0.1         100.0        -10.0      1.0
    """
    if not isinstance(profile, pd.DataFrame):
        raise ParameterError(f"profile must be a pandas DataFrame, got {type(profile).__name__}")
    if isinstance(tiers, pd.Series):
        if not tiers.index.equals(profile.index):
            raise ParameterError(
                "tiers must have the profile's index (pass scheme.predict(profile)); "
                "the two indexes differ"
            )
        tier = tiers
    else:
        arr = np.asarray(tiers)
        if len(arr) != len(profile):
            raise ParameterError(
                f"tiers has {len(arr)} values but the profile has {len(profile)} rows"
            )
        tier = pd.Series(arr, index=profile.index)
    if not isinstance(tier.dtype, pd.CategoricalDtype):
        tier = tier.astype("category")
    tier = tier.rename("tier")
    value = pd.Series(_numeric(profile, value_col), index=profile.index)
    cols = {"value": value}
    means = [c for c in ("revenue", "margin", "cost_to_serve") if c in profile.columns]
    for c in means:
        cols[f"mean_{c}"] = pd.Series(_numeric(profile, c, allow_nan=True), index=profile.index)
    for c in outcome_cols:
        cols[c] = pd.Series(_numeric(profile, c, allow_nan=True), index=profile.index)
    df = pd.DataFrame(cols)
    g = df.groupby(tier, observed=False, sort=True)
    n = len(profile)
    total = float(value.sum())
    out = pd.DataFrame(index=g.size().index)
    out["customers"] = g.size().astype(np.int64)
    out["share"] = out["customers"] / n if n else np.nan
    out["value_share"] = g["value"].sum() / total if total else np.nan
    for c in [f"mean_{c}" for c in means] + list(outcome_cols):
        out[c] = g[c].mean()
    out.index.name = "tier"
    return out
