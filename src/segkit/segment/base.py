"""Base customers (基盘客户): long, regular, loyal and valuable relationships.

docs/domain.md section 2: base customers have a long-term stable relationship,
continuous demand, high loyalty, stable purchasing power and habits, and low
transaction risk. :class:`BaseCustomers` turns that into a stated rule on the customer
profile (:func:`segkit.features.customer_profile`), with the same fit / predict /
explain / rules shape as the tier schemes of :mod:`segkit.segment.tiers`;
:func:`compare_base` identifies the base customers as of a date and compares them
with everyone else over the following months (value, churn, cost to serve), and
:func:`horizon_outcomes` gives those outcomes per customer.

Examples
--------
>>> import pandas as pd
>>> profile = pd.DataFrame({
...     "customer_id": ["a", "b", "c"], "tenure_days": [500.0, 600.0, 90.0],
...     "orders": [12, 10, 3], "ipt_cv": [0.4, 1.6, 0.2], "recency_days": [20.0, 30.0, 5.0],
...     "ipt_mean_days": [40.0, 55.0, 30.0], "revenue": [1200.0, 900.0, 100.0]})
>>> BaseCustomers().fit_predict(profile).tolist()
['base', 'other', 'other']
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..data import observation_end as resolve_end
from ..exceptions import ParameterError
from ..features import customer_profile
from ..glossary import t
from ..schema import CustomerData
from .tiers import (
    TierScheme,
    _by_code,
    _check_col,
    _check_positive,
    _check_quantile,
    _col_label,
    _fmt,
    _fmts,
    _frame,
    _pct,
    _text,
    tier_profile,
)

__all__ = ["BaseCustomers", "compare_base", "horizon_outcomes"]


class BaseCustomers(TierScheme):
    """Base customers (基盘客户): tenure, regularity, loyalty and value, all required.

    The rule, in words: a customer is a **base customer** when all five hold:

    1. *long relationship*: tenure (days since acquisition) at least
       ``min_tenure_days`` (one year);
    2. *continuous demand*: at least ``min_orders`` orders (purchase days);
    3. *stable habits*: the coefficient of variation of the days between purchases
       (``ipt_cv``: their standard deviation over their mean; 0 is a clockwork buyer,
       about 1 is buying at random moments) at most ``max_ipt_cv``; it needs 3 orders;
    4. *loyalty, still buying*: days since the last purchase at most
       ``max_recency_factor`` times the customer's own mean days between purchases;
    5. *value*: ``value_col`` at least ``value_threshold_``, the ``value_quantile``
       (median) of all customers at ``fit``.

    Everyone else is **other**. A missing quantity (``ipt_cv`` below 3 orders, the
    usual gap below 2) fails its criterion.

    Parameters
    ----------
    min_tenure_days : float, default 365
    min_orders : int, default 4
    max_ipt_cv : float, default 1.0
    max_recency_factor : float, default 2.0
    value_col : str, default "revenue"
    value_quantile : float, default 0.5
        In [0, 1).

    Attributes
    ----------
    value_threshold_ : float
    tiers_ : tuple of str
        ``("base", "other")``; labels ``tier_base`` and ``tier_other`` of the glossary.

    Examples
    --------
    >>> import pandas as pd
    >>> profile = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c"], "tenure_days": [500.0, 600.0, 90.0],
    ...     "orders": [12, 10, 3], "ipt_cv": [0.4, 1.6, 0.2],
    ...     "recency_days": [20.0, 30.0, 5.0],
    ...     "ipt_mean_days": [40.0, 55.0, 30.0], "revenue": [1200.0, 900.0, 100.0]})
    >>> scheme = BaseCustomers().fit(profile)
    >>> scheme.value_threshold_
    900.0
    >>> for reason in scheme.explain(profile)["reason"]:
    ...     print(reason)  # doctest: +NORMALIZE_WHITESPACE
    base customers: meets all five criteria: tenure 500 days ≥ 365; 12 orders ≥ 4;
    variability of the days between purchases 0.4 ≤ 1; 20 days since the last purchase
    ≤ 2 × the usual gap of 40 days; revenue 1,200 ≥ 900 (the 50% quantile)
    other customers: fails 1 of the five criteria: variability of the days between
    purchases 1.6 > 1
    other customers: fails 3 of the five criteria: tenure 90 days < 365; 3 orders < 4;
    revenue 100 < 900 (the 50% quantile)
    """

    TIERS = ("base", "other")

    def __init__(self, min_tenure_days=365.0, min_orders=4, max_ipt_cv=1.0,
                 max_recency_factor=2.0, value_col="revenue", value_quantile=0.5):
        self.min_tenure_days = min_tenure_days
        self.min_orders = min_orders
        self.max_ipt_cv = max_ipt_cv
        self.max_recency_factor = max_recency_factor
        self.value_col = value_col
        self.value_quantile = value_quantile

    def _check_params(self) -> None:
        _check_positive("min_tenure_days", self.min_tenure_days, zero=True)
        _check_positive("min_orders", self.min_orders, zero=True)
        _check_positive("max_ipt_cv", self.max_ipt_cv)
        _check_positive("max_recency_factor", self.max_recency_factor)
        _check_col("value_col", self.value_col)
        _check_quantile("value_quantile", self.value_quantile, upper_open=True)

    def _inputs(self, profile) -> pd.DataFrame:
        nan_ok = ("ipt_cv", "recency_days", "ipt_mean_days")
        return _frame(profile, [self.value_col, "tenure_days", "orders", *nan_ok], nan_ok=nan_ok)

    def _fit(self, frame) -> None:
        v = frame[self.value_col].to_numpy()
        self.value_threshold_ = (
            float(np.quantile(v, float(self.value_quantile))) if v.size else math.inf
        )

    def _criteria(self, frame) -> dict[str, np.ndarray]:
        """Whether each customer meets each criterion (NaN fails)."""
        gap = frame["ipt_mean_days"].to_numpy()
        return {
            "tenure": frame["tenure_days"].to_numpy() >= float(self.min_tenure_days),
            "orders": frame["orders"].to_numpy() >= float(self.min_orders),
            "regular": frame["ipt_cv"].to_numpy() <= float(self.max_ipt_cv),
            "loyal": frame["recency_days"].to_numpy() <= float(self.max_recency_factor) * gap,
            "value": frame[self.value_col].to_numpy() >= self.value_threshold_,
        }

    def _assign(self, frame) -> np.ndarray:
        ok = np.logical_and.reduce(list(self._criteria(frame).values()))
        return np.where(ok, 0, 1)

    def _explain(self, frame, codes, lang):
        n = len(frame)
        c = self._criteria(frame)
        ten, orders = frame["tenure_days"].to_numpy(), frame["orders"].to_numpy()
        cv, rec = frame["ipt_cv"].to_numpy(), frame["recency_days"].to_numpy()
        gap, v = frame["ipt_mean_days"].to_numpy(), frame[self.value_col].to_numpy()
        detail = pd.DataFrame(
            {"tenure_days": ten, "orders": orders, "ipt_cv": cv, "recency_days": rec,
             "ipt_mean_days": gap, self.value_col: v}, index=frame.index)
        detail["min_tenure_days"] = float(self.min_tenure_days)
        detail["min_orders"] = float(self.min_orders)
        detail["max_ipt_cv"] = float(self.max_ipt_cv)
        detail["max_recency_days"] = float(self.max_recency_factor) * gap
        detail["value_threshold"] = self.value_threshold_
        f = {"tenure": _fmts(ten), "min_tenure": _fmt(self.min_tenure_days),
             "orders": _fmts(orders), "min_orders": _fmt(self.min_orders),
             "cv": _fmts(cv), "max_cv": _fmt(self.max_ipt_cv), "recency": _fmts(rec),
             "factor": _fmt(self.max_recency_factor), "gap": _fmts(gap),
             "col": _col_label(self.value_col, lang), "value": _fmts(v),
             "value_threshold": _fmt(self.value_threshold_),
             "quantile": _pct(self.value_quantile)}
        unknown = {"regular": np.isnan(cv), "loyal": np.isnan(gap) | np.isnan(rec)}
        sep = _text("base_sep", lang)
        text = np.full(n, "", dtype=object)
        failed = np.zeros(n, dtype=np.int64)
        for name, ok in c.items():
            # a criterion's sentence: met, not met, or unknown (which is not met)
            kind = np.where(ok, 0, 1)
            if name in unknown:
                kind = np.where(unknown[name], 2, kind)
            parts = {0: (_text(f"base_pass_{name}", lang), f),
                     1: (_text(f"base_fail_{name}", lang), f)}
            if name in unknown:
                parts[2] = (_text(f"base_unknown_{name}", lang), f)
            sentence = _by_code(n, kind, parts)
            show = (codes == 0) | ~ok  # a base customer: every criterion; other: the failed
            add_sep = show & (text != "")
            text = np.where(show, text + np.where(add_sep, sep, "") + sentence, text)
            failed += ~ok
        body = _by_code(n, codes, {
            0: (_text("base_reason_base", lang), {"criteria": text}),
            1: (_text("base_reason_other", lang), {"criteria": text, "n": _fmts(failed)}),
        })
        return detail, body

    def _rules(self, lang):
        f = {"min_tenure": _fmt(self.min_tenure_days), "min_orders": _fmt(self.min_orders),
             "max_cv": _fmt(self.max_ipt_cv), "factor": _fmt(self.max_recency_factor),
             "col": _col_label(self.value_col, lang),
             "value_threshold": _fmt(self.value_threshold_), "quantile": _pct(self.value_quantile)}
        return [
            ("base", t("base_rule_base", lang, **f),
             (float(self.min_tenure_days), float(self.min_orders), float(self.max_ipt_cv),
              float(self.max_recency_factor), self.value_threshold_)),
            ("other", t("base_rule_other", lang), ()),
        ]


def horizon_outcomes(data: CustomerData, observation_end, horizon_days: float = 180) -> pd.DataFrame:
    """What each customer did in the ``horizon_days`` after the observation end.

    For every customer acquired up to ``observation_end``: the revenue, orders (purchase
    days), cost to serve and margin of the rows dated after the observation end and up
    to ``observation_end + horizon_days``, and ``no_purchase_h``: no purchase in that
    horizon (narrow churn, 狭义流失, as the data shows it).

    Parameters
    ----------
    data : CustomerData
        Must reach the end of the horizon (its own observation end, or last event, at
        or after ``observation_end + horizon_days``).
    observation_end : date-like
    horizon_days : float, default 180

    Returns
    -------
    pandas.DataFrame
        ``customer_id, revenue_h, orders_h, cost_to_serve_h, margin_h, no_purchase_h``,
        one row per customer of ``customer_profile(data, observation_end)``, same order.

    Raises
    ------
    ParameterError
        When the data ends before the horizon does.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.schema import CustomerData
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-05"]),
    ...     "amount": [10.0, 25.0, 8.0]})
    >>> data = CustomerData(transactions=tx, observation_end=pd.Timestamp("2024-06-30"))
    >>> horizon_outcomes(data, "2024-01-31", horizon_days=90)[["customer_id", "revenue_h",
    ...                                                         "orders_h", "no_purchase_h"]]
      customer_id  revenue_h  orders_h  no_purchase_h
    0           a       25.0         1          False
    1           b        0.0         0           True
    """
    h = _check_positive("horizon_days", horizon_days)
    end = resolve_end(data, observation_end)
    stop = end + pd.Timedelta(days=h)
    last = resolve_end(data)
    if stop > last:
        raise ParameterError(
            f"the horizon of {_fmt(h)} days after {end.date()} ends on {stop.date()}, but the "
            f"data ends on {last.date()}: choose an earlier observation_end or a shorter "
            "horizon_days"
        )
    p0 = customer_profile(data, end)
    p1 = customer_profile(data, stop).set_index("customer_id").reindex(p0["customer_id"])
    orders = (p1["orders"].to_numpy() - p0["orders"].to_numpy()).astype(np.int64)
    out = pd.DataFrame({"customer_id": p0["customer_id"].to_numpy()})
    for col in ("revenue", "cost_to_serve", "margin"):
        out[f"{col}_h"] = np.round(p1[col].to_numpy() - p0[col].to_numpy(), 2) + 0.0
    out.insert(2, "orders_h", orders)
    out["no_purchase_h"] = orders == 0
    return out


def compare_base(
    data: CustomerData,
    observation_end,
    horizon_days: float = 180,
    scheme: BaseCustomers | None = None,
    truth: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Base customers as of a date against everyone else over the following horizon.

    The data is read as of ``observation_end`` (the profile counts nothing later), the
    base customers are identified with ``scheme`` (fitted on that profile), and each
    group's behaviour over the next ``horizon_days`` is measured
    (:func:`horizon_outcomes`).

    Parameters
    ----------
    data : CustomerData
        Must reach ``observation_end + horizon_days``.
    observation_end : date-like
    horizon_days : float, default 180
    scheme : BaseCustomers, optional
        Its parameters are used (a fresh copy is fitted); default ``BaseCustomers()``.
    truth : pandas.DataFrame, optional
        The simulator's truth (``customer_id``, ``churn_time``): adds the true churn.

    Returns
    -------
    pandas.DataFrame
        One row per group (``base``, ``other``): ``customers``, ``share``,
        ``value_share``, ``mean_revenue``, ``mean_margin``, ``mean_cost_to_serve`` (up
        to the observation end), then over the horizon the means ``revenue_h``,
        ``orders_h``, ``cost_to_serve_h``, ``margin_h`` and the rate ``no_purchase_h``;
        with ``truth`` also ``true_churned_at_end`` (share already churned at the
        observation end), ``true_churn_h`` (share of those alive at the observation
        end whose true churn time falls in the horizon) and ``true_churned_by_h``
        (share churned by the end of the horizon, already or in it).

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> sim = simulate(2000, seed=3)
    >>> table = compare_base(sim.tables, "2024-06-30", 180, truth=sim.truth)
    >>> bool(table.loc["base", "no_purchase_h"] < table.loc["other", "no_purchase_h"])
    True
    """
    scheme = BaseCustomers() if scheme is None else clone(scheme)
    if not isinstance(scheme, BaseCustomers):
        raise ParameterError(
            f"scheme must be a BaseCustomers rule, got {type(scheme).__name__}"
        )
    end = resolve_end(data, observation_end)
    outcomes = horizon_outcomes(data, end, horizon_days)
    profile = customer_profile(data, end)
    tiers = scheme.fit_predict(profile)
    cols = ["revenue_h", "orders_h", "cost_to_serve_h", "margin_h", "no_purchase_h"]
    merged = profile.copy()
    for c in cols:
        merged[c] = outcomes[c].to_numpy()
    if truth is not None:
        if not {"customer_id", "churn_time"} <= set(truth.columns):
            raise ParameterError(
                "truth must have the columns customer_id and churn_time (simulate(...).truth)"
            )
        ct = pd.to_datetime(
            truth.set_index("customer_id")["churn_time"].reindex(profile["customer_id"])
        ).to_numpy()
        stop = end + pd.Timedelta(days=float(horizon_days))
        # the churn time is to the second; a churn on the end date counts as at the end
        day_end = (end + pd.Timedelta(days=1)).to_datetime64()
        churned = ~np.isnat(ct) & (ct < day_end)
        stop_end = (stop + pd.Timedelta(days=1)).to_datetime64()
        in_h = ~np.isnat(ct) & (ct >= day_end) & (ct < stop_end)
        merged["true_churned_at_end"] = churned
        merged["true_churn_h"] = np.where(churned, np.nan, in_h.astype(float))
        merged["true_churned_by_h"] = churned | in_h
        cols += ["true_churned_at_end", "true_churn_h", "true_churned_by_h"]
    return tier_profile(merged, tiers, value_col=scheme.value_col, outcome_cols=cols)

