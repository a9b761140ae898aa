"""Targeting under a budget (好钢用在刀刃上): whom to win back, with which offer.

- :func:`allocate`: at most one offer per customer, total cost within a budget,
  maximising the total expected gain ``uplift x value - cost`` (a multiple-choice
  knapsack, solved by the greedy on its LP relaxation, vectorised over customers).
  Customers below ``min_value`` (by default those whose win-back would lose money,
  the inferior former customers with a negative margin) or in ``exclude_tiers`` are
  never contacted: some churn is not worth reversing.
- :func:`value_if_won_back`: what a lost customer is worth if won back, from the
  valuation module: the expected lifetime value (BG/NBD and Gamma-Gamma) divided by
  P(alive), i.e. the value *given* that the customer is active again;
- :func:`targeting_inputs`: for every campaign row, what is known at a date before
  the campaign: the value if won back, the churn risk (1 - P(alive)), the former tier
  and the cost of every offer;
- :func:`backtest_targeting`: the whole loop on a randomised campaign: an uplift model
  learns on part of it, every policy spends the budget on the held-out rest, and their
  gains are measured from the actual responses (:func:`ipw_uplift`, no truth needed)
  and, in a simulation, from the true uplift;
- :func:`compare_policies`: on held-out rows, the uplift allocation against "contact
  the highest churn risk", "contact the highest value" and random contact under the
  same budget, measured by the *true* expected gain (known in a simulation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import observation_end as _end_of
from ..exceptions import ParameterError
from ..features.profile import customer_profile
from ..features.summary import summary
from ..schema import CustomerData
from ..segment.tiers import ParetoTiers
from ..value._base import fit_with_penalty
from ..value.bgnbd import BetaGeoModel
from ..value.clv import expected_customer_lifetime_value
from ..value.gamma_gamma import GammaGammaModel
from .uplift import FRAME_KEYS, OfferUplift, SLearner, _require

__all__ = ["allocate", "compare_policies", "value_if_won_back", "targeting_inputs", "cost_table",
           "ipw_uplift",
           "backtest_targeting", "TargetingBacktest", "ALLOCATION_COLUMNS", "POLICIES",
           "WON_BACK_COLUMNS"]

#: Columns of the frame returned by :func:`allocate`.
ALLOCATION_COLUMNS: tuple[str, ...] = ("offer", "uplift", "value", "cost", "expected_gain")
#: Columns of :func:`value_if_won_back`.
WON_BACK_COLUMNS: tuple[str, ...] = ("frequency", "p_alive", "clv", "value_if_won_back")
#: Penalties tried in turn when a model has no proper maximum without one.
_PENALTIES = (0.0, 0.001, 0.01, 0.1)
#: Floor of P(alive) in the division (a customer the model thinks certainly gone).
_P_ALIVE_FLOOR = 1e-6
#: Policies compared by :func:`compare_policies`, in order.
POLICIES: tuple[str, ...] = ("uplift", "risk", "value", "random")


def _matrices(
    uplift: Any, value: Any, cost: Any
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(uplift, pd.DataFrame):
        raise ParameterError("uplift must be a DataFrame (rows = customers, columns = offers)")
    if uplift.shape[1] == 0:
        raise ParameterError("uplift has no offer column")
    U = uplift.to_numpy(dtype=float)
    if not np.isfinite(U).all():
        raise ParameterError("uplift must hold finite numbers")
    v = np.asarray(value, dtype=float).reshape(-1)
    if len(v) != len(U):
        raise ParameterError(f"value has {len(v)} entries for {len(U)} customers")
    if not np.isfinite(v).all():
        raise ParameterError("value must hold finite numbers")
    offers = [str(c) for c in uplift.columns]
    if isinstance(cost, pd.DataFrame):
        missing = [o for o in uplift.columns if o not in cost.columns]
        if missing or len(cost) != len(U):
            raise ParameterError(
                f"cost DataFrame must have {len(U)} rows and the columns {offers}; "
                f"missing {missing}"
            )
        C = cost[list(uplift.columns)].to_numpy(dtype=float)
    elif isinstance(cost, dict):
        missing = [o for o in uplift.columns if o not in cost]
        if missing:
            raise ParameterError(f"cost has no entry for the offers {missing}")
        C = np.broadcast_to(np.array([float(cost[o]) for o in uplift.columns]), U.shape).astype(
            float
        )
    elif np.isscalar(cost):
        C = np.full(U.shape, float(cost))
    else:
        raise ParameterError("cost must be a dict offer -> cost, a DataFrame or a number")
    if not np.isfinite(C).all() or (C < 0).any():
        raise ParameterError("costs must be finite and non-negative")
    return uplift, U, v, C


def _eligible(v: np.ndarray, min_value: float | None, tier: Any, exclude_tiers: Any) -> np.ndarray:
    ok = np.ones(len(v), dtype=bool)
    if min_value is not None:
        ok &= v >= float(min_value)
    if exclude_tiers:
        if tier is None:
            raise ParameterError("exclude_tiers needs the tier of every customer (tier=...)")
        t = np.asarray(tier, dtype=object).reshape(-1)
        if len(t) != len(v):
            raise ParameterError(f"tier has {len(t)} entries for {len(v)} customers")
        ok &= ~pd.Series(t).isin(list(exclude_tiers)).to_numpy()
    return ok


def _hull_increments(G: np.ndarray, C: np.ndarray, ok: np.ndarray) -> dict[str, np.ndarray]:
    """Per customer, the upgrades along the upper convex hull of (cost, gain) from (0, 0).

    A loop over the (few) hull steps, each vectorised over customers.
    """
    n, k = G.shape
    valid = ok[:, None] & (G > 0)
    cur_c = np.zeros(n)
    cur_g = np.zeros(n)
    prev_slope = np.full(n, np.inf)
    rows = np.arange(n)
    parts: list[tuple[np.ndarray, ...]] = []
    for step in range(k):
        cand = valid & (G > cur_g[:, None]) & (C >= cur_c[:, None])
        has = cand.any(axis=1)
        if not has.any():
            break
        dc = C - cur_c[:, None]
        dg = G - cur_g[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(dc > 0, dg / np.where(dc > 0, dc, 1.0), np.inf)
        slope = np.where(cand, slope, -np.inf)
        smax = slope.max(axis=1)
        tie = cand & (slope == smax[:, None])
        j = np.where(tie, G, -np.inf).argmax(axis=1)  # ties: the farthest point
        r = rows[has]
        jj = j[has]
        # slopes along a hull never increase; guard against rounding
        s = np.minimum(smax[has], prev_slope[has])
        parts.append((r, jj, C[r, jj] - cur_c[r], G[r, jj] - cur_g[r], s, np.full(len(r), step)))
        prev_slope[has] = s
        cur_c[has] = C[r, jj]
        cur_g[has] = G[r, jj]
        valid &= has[:, None]
    names = ("row", "option", "dcost", "dgain", "slope", "step")
    if not parts:
        return {
            nm: np.zeros(0, dtype=float if nm in ("dcost", "dgain", "slope") else int)
            for nm in names
        }
    return {nm: np.concatenate([p[i] for p in parts]) for i, nm in enumerate(names)}


def allocate(
    uplift: pd.DataFrame,
    value: Any,
    cost: Any,
    budget: float,
    *,
    min_value: float | None = 0.0,
    tier: Any = None,
    exclude_tiers: Any = (),
) -> pd.DataFrame:
    """Choose at most one offer per customer to maximise the expected gain within a budget.

    The expected gain of offer ``o`` for customer ``i`` is ``uplift[i, o] * value[i] -
    cost[i, o]``. The multiple-choice knapsack is solved by the greedy on its LP
    relaxation: per customer the offers on the upper convex hull of ``(cost, gain)``
    (starting from "no contact" at ``(0, 0)``) give a chain of upgrades with decreasing
    gain per cost; all upgrades are taken in order of gain per cost while the budget
    lasts, then the remaining budget is filled with the upgrades that still fit, in the
    same order. The total is at least the LP bound (``attrs["lp_bound"]``) minus the
    largest single gain, never above the optimum, and optimal when all costs are
    equal. An offer with expected gain ``<= 0`` is never chosen.

    Parameters
    ----------
    uplift : DataFrame
        Rows = customers, columns = offers: predicted response uplift against control.
    value : array-like
        Value of a won-back customer (e.g. CLV or margin over a horizon), one per row.
    cost : dict, DataFrame or float
        Cost per contact: offer -> cost, or a DataFrame of per-customer costs with the
        offers as columns (same rows as ``uplift``), or one cost for every offer.
        Costs must be non-negative.
    budget : float
        Total cost allowed (>= 0).
    min_value : float or None
        Customers with ``value < min_value`` are never contacted (default 0: winning
        back a customer with a negative margin loses money, whatever the uplift).
        ``None`` disables the rule.
    tier, exclude_tiers : array-like, collection
        Former tier of every customer and the tiers never to contact (e.g.
        ``["inferior"]``).

    Returns
    -------
    DataFrame
        Index of ``uplift``; :data:`ALLOCATION_COLUMNS`: ``offer`` (None = no
        contact), its ``uplift``, ``value``, ``cost`` and ``expected_gain`` (0 for no
        contact). ``attrs``: ``budget``, ``spent``, ``total_gain``, ``lp_bound``.

    Examples
    --------
    >>> u = pd.DataFrame({"call": [0.30, 0.10, 0.20], "mail": [0.20, 0.05, 0.01]})
    >>> out = allocate(u, [100.0, 100.0, -50.0], {"call": 10.0, "mail": 1.0}, budget=12)
    >>> out["offer"].tolist(), out["expected_gain"].round(2).tolist()
    (['call', 'mail', None], [20.0, 4.0, 0.0])
    """
    uplift, U, v, C = _matrices(uplift, value, cost)
    budget = float(budget)
    if not np.isfinite(budget) or budget < 0:
        raise ParameterError(f"budget must be a non-negative number, got {budget}")
    ok = _eligible(v, min_value, tier, exclude_tiers)
    G = U * v[:, None] - C
    inc = _hull_increments(G, C, ok)
    n, k = U.shape
    order = np.lexsort((inc["step"], -inc["slope"]))
    dc = inc["dcost"][order]
    dg = inc["dgain"][order]
    row = inc["row"][order]
    step = inc["step"][order]
    cum = np.cumsum(dc)
    tol = 1e-9 * max(budget, 1.0)
    m = int(np.searchsorted(cum, budget + tol, side="right"))
    taken = np.zeros(len(order), dtype=bool)
    taken[:m] = True
    spent = float(cum[m - 1]) if m else 0.0
    lp = float(dg[:m].sum())
    if m < len(order) and dc[m] > 0:
        lp += dg[m] * (budget - spent) / dc[m]
    # fill what is left with the upgrades that still fit (each pass vectorised)
    nsteps = np.zeros(n, dtype=int)
    np.add.at(nsteps, row[:m], 1)
    for _ in range(100):
        left = budget - spent
        elig = ~taken & (step == nsteps[row]) & (dc <= left + tol)
        if not elig.any():
            break
        idx = np.flatnonzero(elig)
        ok_idx = idx[np.cumsum(dc[idx]) <= left + tol]
        taken[ok_idx] = True
        nsteps[row[ok_idx]] += 1
        spent += float(dc[ok_idx].sum())
    chosen = np.full(n, -1)
    opt = inc["option"][order]
    for s in range(k):  # the last upgrade taken is the chosen offer
        sel = taken & (step == s)
        chosen[row[sel]] = opt[sel]
    has = chosen >= 0
    jj = np.where(has, chosen, 0)
    r = np.arange(n)
    offers = np.asarray([str(c) for c in uplift.columns], dtype=object)
    out = pd.DataFrame(
        {
            "offer": np.where(has, offers[jj], None),
            "uplift": np.where(has, U[r, jj], 0.0),
            "value": v,
            "cost": np.where(has, C[r, jj], 0.0),
            "expected_gain": np.where(has, G[r, jj], 0.0),
        },
        index=uplift.index,
    )
    out.attrs.update(
        budget=budget,
        spent=float(out["cost"].sum()),
        total_gain=float(out["expected_gain"].sum()),
        lp_bound=lp,
    )
    return out


def _true_gain(offer: np.ndarray, true_uplift: pd.DataFrame, v: np.ndarray, C: np.ndarray):
    cols = list(true_uplift.columns)
    T = true_uplift.to_numpy(dtype=float)
    pos = pd.Index(cols).get_indexer(pd.Series(offer, dtype=object).fillna("\0"))
    has = pos >= 0
    r = np.arange(len(v))
    jj = np.where(has, pos, 0)
    gain = np.where(has, T[r, jj] * v - C[r, jj], 0.0)
    cost = np.where(has, C[r, jj], 0.0)
    return gain, cost, has


def _fixed_offer_policy(order: np.ndarray, cost_one: np.ndarray, ok: np.ndarray, budget: float):
    """Contact in ``order`` (eligible rows only) while the cumulated cost fits."""
    o = order[ok[order]]
    cum = np.cumsum(cost_one[o])
    pick = np.zeros(len(ok), dtype=bool)
    pick[o[cum <= budget + 1e-9 * max(budget, 1.0)]] = True
    return pick


def compare_policies(
    true_uplift: pd.DataFrame,
    value: Any,
    cost: Any,
    budget: float,
    *,
    predicted_uplift: pd.DataFrame,
    risk: Any,
    baseline_offer: str | None = None,
    seed: int = 0,
    min_value: float | None = 0.0,
    tier: Any = None,
    exclude_tiers: Any = (),
) -> pd.DataFrame:
    """Compare targeting policies under the same budget by their *true* expected gain.

    Policies (:data:`POLICIES`): ``uplift`` (:func:`allocate` on the predicted uplift),
    ``risk`` (contact the highest churn-risk score first), ``value`` (the highest value
    first) and ``random`` (a seeded random order). The three baselines all give one
    offer: ``baseline_offer``, or by default the single offer with the best mean
    predicted gain over the rows. Each baseline contacts in its order while the
    cumulated cost fits the budget. The same eligibility (``min_value``,
    ``exclude_tiers``) applies to every policy. The true expected gain of a contact is
    ``true_uplift x value - cost`` (in a simulation ``p_offer - p_control`` from
    ``sim.offer_effects``).

    Parameters
    ----------
    true_uplift, predicted_uplift : DataFrame
        Same rows, one column per offer (the true and the predicted uplift).
    value, cost, budget, min_value, tier, exclude_tiers
        As in :func:`allocate`.
    risk : array-like
        Churn-risk score of every row (higher = more at risk).
    baseline_offer : str, optional
        The offer of the baselines.
    seed : int
        Seed of the random policy.

    Returns
    -------
    DataFrame
        Index :data:`POLICIES`; columns ``offer`` (the baselines' offer, or
        ``"per customer"``), ``n_contacted``, ``cost``, ``true_gain``,
        ``predicted_gain`` (what the policy expected from the predicted uplift) and
        ``true_gain_per_contact``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> true = pd.DataFrame({"a": rng.uniform(0, 0.3, 500), "b": rng.uniform(0, 0.3, 500)})
    >>> pred = true + rng.normal(0, 0.02, true.shape)
    >>> out = compare_policies(true, np.full(500, 100.0), {"a": 5.0, "b": 8.0}, 500.0,
    ...     predicted_uplift=pred, risk=rng.random(500))
    >>> bool(out.loc["uplift", "true_gain"] > out.loc["random", "true_gain"])
    True
    """
    return _compare(true_uplift, value, cost, budget, predicted_uplift=predicted_uplift,
                    risk=risk, baseline_offer=baseline_offer, seed=seed,
                    min_value=min_value, tier=tier, exclude_tiers=exclude_tiers)[0]


def _compare(
    true_uplift: pd.DataFrame,
    value: Any,
    cost: Any,
    budget: float,
    *,
    predicted_uplift: pd.DataFrame,
    risk: Any,
    baseline_offer: str | None = None,
    seed: int = 0,
    min_value: float | None = 0.0,
    tier: Any = None,
    exclude_tiers: Any = (),
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`compare_policies`, with each policy's offer for every row (None: not
    contacted)."""
    if not isinstance(true_uplift, pd.DataFrame):
        raise ParameterError("true_uplift must be a DataFrame with one column per offer")
    if not isinstance(predicted_uplift, pd.DataFrame) or list(predicted_uplift.columns) != list(
        true_uplift.columns
    ):
        raise ParameterError("predicted_uplift must be a DataFrame with the columns of true_uplift")
    if len(predicted_uplift) != len(true_uplift):
        raise ParameterError("true_uplift and predicted_uplift differ in length")
    _, P, v, C = _matrices(predicted_uplift.reset_index(drop=True), value, cost)
    _matrices(true_uplift.reset_index(drop=True), v, 0.0)  # validates the true uplift
    rk = np.asarray(risk, dtype=float).reshape(-1)
    if len(rk) != len(v) or not np.isfinite(rk).all():
        raise ParameterError("risk must hold one finite score per row")
    ok = _eligible(v, min_value, tier, exclude_tiers)
    cols = [str(c) for c in true_uplift.columns]
    if baseline_offer is None:
        mean_gain = (P * v[:, None] - C)[ok].mean(axis=0) if ok.any() else np.zeros(len(cols))
        jb = int(np.argmax(mean_gain))
    else:
        if baseline_offer not in cols:
            raise ParameterError(f"baseline_offer {baseline_offer!r} not among {cols}")
        jb = cols.index(baseline_offer)
    alloc = allocate(
        predicted_uplift.reset_index(drop=True),
        v,
        pd.DataFrame(C, columns=true_uplift.columns),
        budget,
        min_value=min_value,
        tier=tier,
        exclude_tiers=exclude_tiers,
    )
    offers = {"uplift": alloc["offer"].to_numpy(object)}
    rng = np.random.default_rng(seed)
    orders = {
        "risk": np.argsort(-rk, kind="stable"),
        "value": np.argsort(-v, kind="stable"),
        "random": rng.permutation(len(v)),
    }
    for name, order in orders.items():
        pick = _fixed_offer_policy(order, C[:, jb], ok, float(budget))
        offers[name] = np.where(pick, cols[jb], None).astype(object)
    rows = []
    for name in POLICIES:
        gain, cst, has = _true_gain(offers[name], true_uplift, v, C)
        pgain, _, _ = _true_gain(offers[name], predicted_uplift, v, C)
        n_c = int(has.sum())
        rows.append(
            {
                "policy": name,
                "offer": "per customer" if name == "uplift" else cols[jb],
                "n_contacted": n_c,
                "cost": float(cst.sum()),
                "true_gain": float(gain.sum()),
                "predicted_gain": float(pgain.sum()),
                "true_gain_per_contact": float(gain.sum() / n_c) if n_c else 0.0,
            }
        )
    return pd.DataFrame(rows).set_index("policy"), offers


def value_if_won_back(
    transactions: pd.DataFrame,
    as_of: Any = None,
    *,
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    margin_rate: float = 1.0,
) -> pd.DataFrame:
    """What each customer would be worth if won back, from the valuation module's CLV.

    BG/NBD (purchases and dropout) and Gamma-Gamma (spend per purchase) are fitted on
    the weekly summary of the transactions up to ``as_of``. A customer's expected
    lifetime value is ``P(alive) x`` the value of the same customer *known to be
    alive* (a customer who has left buys nothing), so the value of a customer won back
    is ``clv / P(alive)``: the value of their own purchase and spend pattern, restarted.
    The CLV of a lapsed customer alone would call nearly every lost customer worthless.

    Parameters
    ----------
    transactions : DataFrame
        ``customer_id``, ``timestamp``, ``amount`` (returns are netted as in
        :func:`segkit.features.summary`).
    as_of : date-like, optional
        Only transactions up to this date are used (default: the last transaction).
    horizon_months : int
        Horizon of the lifetime value.
    discount_rate : float
        Monthly discount rate.
    margin_rate : float
        Share of revenue that is margin (1.0: revenue value).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, columns :data:`WON_BACK_COLUMNS` (``frequency`` is
        the number of repeat purchases).

    Raises
    ------
    segkit.exceptions.ConvergenceError
        A model without a proper maximum even with a penalty.

    Examples
    --------
    >>> from segkit.datasets import load_demo
    >>> v = value_if_won_back(load_demo().transactions, "2024-06-30")
    >>> bool((v["value_if_won_back"] >= v["clv"]).all())
    True
    >>> bool(((v["clv"] - v["p_alive"] * v["value_if_won_back"]).abs() < 1e-6).all())
    True
    """
    _require(transactions, "transactions", ["customer_id", "timestamp", "amount"])
    if not (isinstance(horizon_months, (int, np.integer)) and horizon_months >= 1):
        raise ParameterError(f"horizon_months must be a whole number >= 1, got {horizon_months}")
    if not 0.0 < float(margin_rate) <= 1.0:
        raise ParameterError(f"margin_rate must be in (0, 1], got {margin_rate}")
    end = _end_of(CustomerData(transactions=transactions), as_of, name="as_of")
    s = summary(transactions, monetary_value_col="amount", observation_end=end,
                freq="D", freq_multiplier=7, after_end="drop")
    model, _ = fit_with_penalty(BetaGeoModel, s, _PENALTIES)
    spend_rows = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    spend_model, _ = fit_with_penalty(GammaGammaModel, spend_rows, _PENALTIES)
    clv = expected_customer_lifetime_value(
        model, spend_model, s.assign(monetary_value=s["monetary_value"].clip(lower=0)),
        future_t=int(horizon_months), discount_rate=float(discount_rate), time_unit="W",
    ).to_numpy(float) * float(margin_rate)
    p_alive = model.expected_probability_alive(s).to_numpy(float)
    out = pd.DataFrame(
        {
            "frequency": s["frequency"].to_numpy(),
            "p_alive": p_alive,
            "clv": clv,
            "value_if_won_back": clv / np.maximum(p_alive, _P_ALIVE_FLOOR),
        },
        index=pd.Index(s["customer_id"].to_numpy(), name="customer_id"),
    )
    return out


def cost_table(inputs: pd.DataFrame) -> pd.DataFrame:
    """The ``cost_<offer>`` columns of :func:`targeting_inputs` as one column per offer.

    The form :func:`allocate` and :func:`backtest_targeting` take as ``cost``.

    Examples
    --------
    >>> cost_table(pd.DataFrame({"value": [1.0], "cost_call": [15.0]})).columns.tolist()
    ['call']
    """
    cols = [c for c in inputs.columns if str(c).startswith("cost_")]
    if not cols:
        raise ParameterError("inputs has no cost_<offer> column (see targeting_inputs)")
    return inputs[cols].rename(columns=lambda c: str(c)[len("cost_"):])


# --------------------------------------------------------------------------- backtest
def ipw_uplift(offer: Any, responded: Any, offers: Any, control: str = "control"
               ) -> pd.DataFrame:
    """Per-row pseudo-uplift of each offer from randomised rows (inverse-probability weights).

    ``y (1[offer = o] / p_o - 1[offer = control] / p_control)`` with ``p`` the share of
    the rows given each offer. Because the offers were assigned at random, its mean over
    any rows chosen *without looking at the response* estimates the mean true uplift of
    ``o`` on those rows without bias: the gain of a targeting policy can be measured on
    a held-out randomised campaign without knowing the truth.

    Examples
    --------
    >>> ipw_uplift(["a", "control", "a", "control"], [1, 0, 0, 1], ["a"])["a"].tolist()
    [2.0, 0.0, 0.0, -2.0]
    """
    off = np.asarray(offer, dtype=object).reshape(-1)
    y = np.asarray(responded, dtype=float).reshape(-1)
    if len(off) != len(y) or not np.isin(y, (0.0, 1.0)).all():
        raise ParameterError("offer and responded must have the same length; responded 0/1")
    shares = {o: float(np.mean(off == o)) for o in [*offers, control]}
    missing = [o for o, p in shares.items() if p == 0]
    if missing:
        raise ParameterError(f"no row has the offer(s) {missing}")
    yc = (off == control) * y / shares[control]
    return pd.DataFrame({o: (off == o) * y / shares[o] - yc for o in offers})


@dataclass(frozen=True)
class TargetingBacktest:
    """What :func:`backtest_targeting` found.

    Attributes
    ----------
    policies : DataFrame
        Index :data:`POLICIES`: ``offer``, ``n_contacted``, ``cost``,
        ``estimated_gain`` (measured on the held-out randomised rows by
        :func:`ipw_uplift`, unbiased without the truth), ``estimated_gain_se`` (its
        standard error: the estimate is noisy on a small campaign), ``true_gain`` (with
        the truth of a simulation, else NaN) and ``predicted_gain``.
    allocation : DataFrame
        The uplift policy's choice for the held-out rows (:func:`allocate`).
    model : OfferUplift
        Fitted on the training rows.
    test : ndarray of bool
        The held-out rows of the frame.
    budget : float
    """

    policies: pd.DataFrame
    allocation: pd.DataFrame
    model: Any
    test: np.ndarray
    budget: float


def backtest_targeting(
    frame: pd.DataFrame,
    value: Any,
    cost: Any,
    budget: float,
    *,
    learner: Any = None,
    model: Any = None,
    test: Any = None,
    test_size: float = 0.3,
    true_uplift: pd.DataFrame | None = None,
    risk: Any = None,
    tier: Any = None,
    exclude_tiers: Any = (),
    min_value: float | None = 0.0,
    control: str = "control",
    seed: int = 0,
) -> TargetingBacktest:
    """Targeting under a budget, judged honestly on a held-out randomised campaign.

    An uplift model (:class:`~segkit.winback.uplift.OfferUplift`) learns on the training
    rows of ``frame``; on the held-out rows the budget is spent by :func:`allocate` and
    by the baselines of :func:`compare_policies` (highest churn risk, highest value,
    random), and each policy's gain ``uplift x value - cost`` is measured twice: with
    :func:`ipw_uplift` from the held-out rows' actual responses (what an analyst can do
    on real data) and, in a simulation, with the true uplift.

    Parameters
    ----------
    frame : DataFrame
        :func:`~segkit.winback.uplift.learning_frame` of randomised campaign rows.
    value : array-like
        Value of each row's customer if won back, known at the campaign (e.g.
        :func:`value_if_won_back` at a date before it); one per row of ``frame``.
    cost : dict or DataFrame
        Cost of each offer (as in :func:`allocate`; a DataFrame has one row per row of
        ``frame``).
    budget : float
        Budget for the held-out rows.
    learner : meta-learner, optional
        Default :class:`~segkit.winback.uplift.SLearner` with ``random_state=seed``.
    model : OfferUplift, optional
        An uplift model already fitted on the training rows (the complement of
        ``test``, which must then be given): used instead of fitting ``learner``.
    test : array of bool, optional
        The held-out rows (e.g. the last campaign waves, a time split); default a random
        ``test_size`` share, stratified by offer.
    true_uplift : DataFrame, optional
        One column per offer, one row per row of ``frame``.
    risk : array-like, optional
        Churn-risk score per row for the risk baseline; default the frame's
        ``days_since_last_purchase`` (the longest lapse first).
    tier, exclude_tiers, min_value
        As in :func:`allocate`; one tier per row of ``frame``.
    control, seed

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> from segkit.winback.uplift import learning_frame
    >>> sim = simulate(n_customers=6000, seed=2)
    >>> t = sim.tables
    >>> f = learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)
    >>> bt = backtest_targeting(f, f["mean_amount_before"] * 3, {"discount_10": 3.0,
    ...     "discount_25": 8.0, "service_call": 15.0}, budget=1500.0)
    >>> bt.policies.index.tolist()
    ['uplift', 'risk', 'value', 'random']
    """
    from sklearn.model_selection import train_test_split

    if not isinstance(frame, pd.DataFrame) or not set(FRAME_KEYS) <= set(frame.columns):
        raise ParameterError("frame must be a learning_frame (with its key columns "
                             f"{list(FRAME_KEYS)})")
    n = len(frame)
    v = np.asarray(value, dtype=float).reshape(-1)
    if len(v) != n:
        raise ParameterError(f"value has {len(v)} entries for {n} rows")
    off = frame["offer"].astype(str).to_numpy(dtype=object)
    y = frame["responded"].astype(bool).to_numpy()
    if model is not None and test is None:
        raise ParameterError("a fitted model needs the held-out rows it was not fitted on "
                             "(test=...)")
    if test is None:
        idx = np.arange(n)
        try:
            _, te = train_test_split(idx, test_size=float(test_size), random_state=int(seed),
                                     stratify=off)
        except ValueError as err:
            raise ParameterError(f"cannot hold out {test_size} of {n} rows by offer: {err}"
                                 ) from None
        test = np.zeros(n, bool)
        test[te] = True
    else:
        test = np.asarray(test, dtype=bool).reshape(-1)
        if len(test) != n or test.all() or not test.any():
            raise ParameterError("test must mark some, not all, of the frame's rows")
    X = frame.drop(columns=list(FRAME_KEYS)).to_numpy(dtype=float)
    if model is None:
        model = OfferUplift(learner if learner is not None else SLearner(random_state=int(seed)),
                            control=control).fit(X[~test], off[~test], y[~test])
    pred = model.predict_uplift(X[test])
    offers = list(pred.columns)
    if isinstance(cost, pd.DataFrame):
        if len(cost) != n:
            raise ParameterError(f"cost has {len(cost)} rows for {n} rows of the frame")
        cost_t = cost.reset_index(drop=True).loc[test].reset_index(drop=True)[offers]
    else:
        cost_t = cost
    rk = (frame["days_since_last_purchase"].to_numpy(float) if risk is None
          else np.asarray(risk, dtype=float).reshape(-1))
    tr = None if tier is None else np.asarray(tier, dtype=object).reshape(-1)[test]
    common = dict(risk=rk[test], seed=int(seed), min_value=min_value, tier=tr,
                  exclude_tiers=exclude_tiers)
    pseudo = ipw_uplift(off[test], y[test], offers, control)
    estimated, chosen_by = _compare(pseudo, v[test], cost_t, float(budget),
                                    predicted_uplift=pred, **common)
    out = estimated.rename(columns={"true_gain": "estimated_gain"})
    out = out[["offer", "n_contacted", "cost", "estimated_gain", "predicted_gain"]]
    # standard error of the estimated gain: the rows' terms are independent given the
    # policy's choice (made without looking at the responses)
    P = pseudo.to_numpy(float)
    se = []
    for name in out.index:
        chosen = np.asarray(chosen_by[name], dtype=object)
        rows = np.flatnonzero(pd.notna(chosen))
        cols = np.array([offers.index(str(o)) for o in chosen[rows]], dtype=np.int64)
        terms = P[rows, cols] * v[test][rows]
        se.append(float(np.sqrt(len(rows)) * terms.std(ddof=1)) if len(rows) > 1 else np.nan)
    out.insert(4, "estimated_gain_se", se)
    out.insert(5, "true_gain", np.nan)
    if true_uplift is not None:
        if len(true_uplift) != n:
            raise ParameterError(f"true_uplift has {len(true_uplift)} rows for {n}")
        tu = true_uplift.reset_index(drop=True).loc[test, offers].reset_index(drop=True)
        out["true_gain"] = compare_policies(tu, v[test], cost_t, float(budget),
                                            predicted_uplift=pred, **common)["true_gain"]
    alloc = allocate(pred, v[test], cost_t, float(budget), min_value=min_value, tier=tr,
                     exclude_tiers=exclude_tiers)
    alloc.index = frame.index[test]
    return TargetingBacktest(out, alloc, model, test, float(budget))


def targeting_inputs(
    data: CustomerData,
    frame: pd.DataFrame,
    as_of: Any,
    offer_costs: dict[str, tuple[float, float]],
    *,
    horizon_months: int = 12,
    amount_col: str = "mean_amount_before",
) -> pd.DataFrame:
    """What targeting needs for every campaign row, known at ``as_of`` (before the campaign).

    Parameters
    ----------
    data : CustomerData
        With ``transactions`` (and ``costs`` for the margin of the tiers).
    frame : DataFrame
        :func:`~segkit.winback.uplift.learning_frame` of the campaign rows.
    as_of : date-like
        Nothing after this date is used: choose it before the campaigns targeted.
    offer_costs : dict
        Offer -> ``(fixed, rate)``: the cost of a contact is ``fixed + rate x`` the
        customer's mean order amount before the campaign (``amount_col``), e.g. a 10%
        voucher ``(0, 0.10)``, a service call ``(15, 0)``.
    horizon_months : int
        Horizon of the value if won back.

    Returns
    -------
    DataFrame
        Index of ``frame``: ``value`` (:func:`value_if_won_back`; 0 for a customer
        without a purchase by ``as_of``), ``risk`` (1 - P(alive); 1 without a purchase),
        ``tier`` (former tier key / ordinary / small / inferior from one
        :class:`~segkit.segment.ParetoTiers` fit on the profiles at ``as_of``; None for a
        customer acquired later) and one ``cost_<offer>`` column per offer.

    Examples
    --------
    >>> from segkit.datasets import load_demo
    >>> from segkit.winback.uplift import learning_frame
    >>> d = load_demo()
    >>> f = learning_frame(d.campaigns, d.transactions, d.complaints, d.customers)
    >>> x = targeting_inputs(d, f, "2023-12-31", {"discount_10": (0, 0.1),
    ...                                            "service_call": (15, 0)})
    >>> x.columns.tolist()
    ['value', 'risk', 'tier', 'cost_discount_10', 'cost_service_call']
    """
    if not isinstance(data, CustomerData) or data.transactions is None:
        raise ParameterError("data must be a CustomerData with transactions")
    if not isinstance(frame, pd.DataFrame) or "customer_id" not in frame:
        raise ParameterError("frame must be a learning_frame with customer_id")
    if not isinstance(offer_costs, dict) or not offer_costs:
        raise ParameterError("offer_costs must be a dict offer -> (fixed, rate)")
    if amount_col not in frame:
        raise ParameterError(f"frame has no column {amount_col!r} for the offers' rates")
    end = _end_of(data, as_of, name="as_of")
    tx = data.transactions
    won = value_if_won_back(tx.loc[pd.to_datetime(tx["timestamp"]) <= end], end,
                            horizon_months=horizon_months)
    profile = customer_profile(data, end)
    tiers = pd.Series(np.asarray(ParetoTiers().fit_predict(profile), dtype=object),
                      index=profile["customer_id"].to_numpy())
    ids = frame["customer_id"]
    out = pd.DataFrame(index=frame.index)
    out["value"] = ids.map(won["value_if_won_back"]).fillna(0.0).to_numpy(float)
    out["risk"] = 1.0 - ids.map(won["p_alive"]).fillna(0.0).to_numpy(float)
    out["tier"] = ids.map(tiers).astype(object).where(ids.isin(tiers.index), None).to_numpy()
    amount = frame[amount_col].fillna(0.0).to_numpy(float)
    for offer, spec in offer_costs.items():
        try:
            fixed, rate = (float(x) for x in spec)
        except (TypeError, ValueError):
            raise ParameterError(
                f"offer_costs[{offer!r}] must be (fixed, rate), got {spec!r}") from None
        if fixed < 0 or rate < 0:
            raise ParameterError(f"offer_costs[{offer!r}] must not be negative")
        out[f"cost_{offer}"] = fixed + rate * amount
    return out
