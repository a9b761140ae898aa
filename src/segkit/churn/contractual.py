"""Contractual churn: the valuation module's sBG against Kaplan-Meier on the same cohorts.

A subscription book renews period after period; the shifted-beta-geometric model
(:class:`segkit.value.ShiftedBetaGeoModel`) describes it with two numbers per cohort
and extrapolates beyond what was observed, while Kaplan-Meier describes exactly what
was observed and nothing more. Comparing them on the same cohorts shows where the
two agree (inside the observed range they should) and what the sBG adds (retention
after the data ends, expected remaining lifetime).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import ConvergenceError, ParameterError
from ..value import ShiftedBetaGeoModel
from .models import _check_frame, _check_times, kaplan_meier

__all__ = ["whole_periods", "SBGComparison", "sbg_vs_kaplan_meier"]


def whole_periods(duration, event) -> np.ndarray:
    """Durations in whole billing periods, as the sBG model counts them.

    A customer who cancelled ``d`` periods after the start (``d`` not whole) paid for
    ``ceil(d)`` periods; one still active has renewed ``floor(d)`` times. A cancellation
    exactly at a period boundary counts that period (``d = 2.0`` -> 2).

    >>> whole_periods([2.3, 2.0, 2.7, 0.4], [1, 1, 0, 0]).tolist()
    [3, 2, 2, 0]
    """
    d = np.asarray(duration, dtype=float)
    e = np.asarray(event).astype(bool)
    whole = np.where(e, np.ceil(d - 1e-9), np.floor(d + 1e-9))
    return np.where(e, np.maximum(whole, 1), whole).astype(np.int64)


@dataclass
class SBGComparison:
    """sBG and Kaplan-Meier per cohort.

    Attributes
    ----------
    params : pandas.DataFrame
        Per cohort: ``n``, ``cancelled``, ``alpha``, ``beta``, ``mean_churn``
        (``alpha / (alpha + beta)``, a new customer's cancellation probability),
        ``homogeneous`` and
        ``max_gap`` (the largest absolute difference between the two curves over the
        observed periods).
    curves : pandas.DataFrame
        Per cohort and period ``0 .. periods``: ``km``, ``km_lower``, ``km_upper``
        (95%), ``sbg``, and ``observed`` (the period lies inside the follow-up).
    models : dict
        The fitted :class:`~segkit.value.ShiftedBetaGeoModel` of each cohort (None
        for a homogeneous one).
    """

    params: pd.DataFrame
    curves: pd.DataFrame
    models: dict


def sbg_vs_kaplan_meier(surv: pd.DataFrame, group_col=None, duration_col: str = "duration",
                        event_col: str = "event", periods: int | None = None
                        ) -> SBGComparison:
    """Fit sBG and Kaplan-Meier on the same cohorts, in whole periods.

    Parameters
    ----------
    surv : pandas.DataFrame
        One row per customer, durations in billing periods (e.g. from
        :func:`segkit.churn.survival_from_table` with ``unit="M"``); no late entry.
    group_col : str, optional
        The cohort (contract type, plan, signup year); one cohort by default.
    periods : int, optional
        Periods to show; defaults to 1.5 times the longest observed, so the sBG's
        extrapolation is visible beside the observed range.

    A cohort whose customers are so alike that the sBG has no proper maximum (alpha
    and beta grow without bound together) gets the model's limit, one cancellation
    probability for all (a geometric lifetime, ``cancelled / periods observed``):
    ``homogeneous`` is True, ``alpha`` and ``beta`` are infinite and its model is None.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> theta = rng.beta(1.0, 3.0, size=4000)
    >>> t = rng.geometric(theta)  # periods paid for
    >>> df = pd.DataFrame({"duration": np.minimum(t, 12), "event": (t <= 12).astype(int)})
    >>> out = sbg_vs_kaplan_meier(df)
    >>> out.params[["alpha", "beta"]].round(1).values.tolist()
    [[1.0, 3.0]]
    >>> bool(out.params["max_gap"].iloc[0] < 0.02)
    True
    """
    _check_frame(surv, [duration_col, event_col, group_col])
    _check_times(surv, duration_col, event_col, None)
    if "entry" in surv.columns and (surv["entry"].to_numpy(dtype=float) > 0).any():
        raise ParameterError(
            "sBG counts every customer from their start: compare on cohorts followed from "
            "acquisition (entry 0)"
        )
    whole = whole_periods(surv[duration_col], surv[event_col])
    event = surv[event_col].to_numpy().astype(int)
    groups = (pd.Series("all", index=surv.index) if group_col is None
              else surv[group_col].astype(str))
    horizon = int(periods) if periods is not None else int(np.ceil(1.5 * whole.max()))
    if horizon < 1:
        raise ParameterError(f"periods must be >= 1, got {periods}")
    t = np.arange(horizon + 1)
    rows, curves, models = [], [], {}
    frame = pd.DataFrame({"duration": whole, "event": event, "group": groups.to_numpy()})
    for g in sorted(frame["group"].unique()):
        part = frame[frame["group"] == g]
        try:
            model = ShiftedBetaGeoModel().fit(part, "duration", "event")
        except ConvergenceError:
            # customers so alike that alpha and beta grow without bound together: the
            # sBG's limit is one cancellation probability for all, a geometric lifetime
            model = None
        models[g] = model
        km = kaplan_meier(part, duration_col="duration", event_col="event")
        f = km.fitters["all"]
        s_km = f.survival_function_at_times(t).to_numpy()
        ci = f.confidence_interval_survival_function_
        idx = np.searchsorted(ci.index.to_numpy(), t, side="right") - 1
        lower = np.where(idx >= 0, ci.iloc[np.maximum(idx, 0), 0].to_numpy(), 1.0)
        upper = np.where(idx >= 0, ci.iloc[np.maximum(idx, 0), 1].to_numpy(), 1.0)
        observed = t <= part["duration"].max()
        if model is not None:
            s_sbg = np.asarray(model.survival(t), dtype=float)
            a, b = float(model.params_["alpha"]), float(model.params_["beta"])
            churn = a / (a + b)
        else:
            churn = part["event"].sum() / part["duration"].sum()
            s_sbg = (1.0 - churn) ** t
            a = b = np.inf
        rows.append({"group": g, "n": len(part), "cancelled": int(part["event"].sum()),
                     "alpha": a, "beta": b, "mean_churn": churn,
                     "homogeneous": model is None,
                     "max_gap": float(np.max(np.abs(s_km - s_sbg)[observed]))})
        curves.append(pd.DataFrame({"group": g, "period": t, "km": s_km, "km_lower": lower,
                                    "km_upper": upper, "sbg": s_sbg, "observed": observed}))
    return SBGComparison(pd.DataFrame(rows).set_index("group"),
                         pd.concat(curves, ignore_index=True), models)
