"""A synthetic company with known ground truth: customers, purchases, churn and win-back.

Every table of the data model (:mod:`segkit.schema`) is generated from a documented
generative story whose parameters are returned with the data, so that each model of
the kit can be checked against the truth that produced the data.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ParameterError
from ..schema import (
    AGE_BANDS,
    BILLING_PERIODS,
    COST_KINDS,
    CREDIT_DECISIONS,
    EXIT_KINDS,
    EXIT_REASONS,
    EXIT_SOURCES,
    GENDERS,
    INTERACTION_KINDS,
    REASONS,
    TABLES,
    CustomerData,
)
from ._texts import complaint_texts

__all__ = [
    "simulate",
    "SimulatedData",
    "DEFAULT_PARAMS",
    "REGIONS",
    "CHANNELS",
    "OFFERS",
    "PLANS",
    "LIFECYCLE_STAGES",
]

#: Regions of the synthetic company.
REGIONS: tuple[str, ...] = ("north", "south", "east", "west")
#: Acquisition channels of the synthetic company.
CHANNELS: tuple[str, ...] = ("online", "store", "partner")
#: Win-back offers; ``control`` receives no offer (a mail without incentive).
OFFERS: tuple[str, ...] = ("control", "discount_10", "discount_25", "service_call")
#: Former value tiers used by the win-back response model.
TIERS: tuple[str, ...] = ("high", "mid", "low")
#: Membership plans of the contracts table, from the cheapest.
PLANS: tuple[str, ...] = ("basic", "plus", "premium")
#: Lifecycle stages of the ``lifecycle`` truth frame (docs/domain.md section 4), in order.
LIFECYCLE_STAGES: tuple[str, ...] = ("exploration", "growth", "maturity", "decline", "churned")
#: Months in one billing period (a week is 12 / 52 of a month).
_PERIOD_MONTHS: dict[str, float] = {"W": 12.0 / 52.0, "M": 1.0, "Q": 3.0, "Y": 12.0}
_SURVEY_TYPES: tuple[str, ...] = ("nps", "csat", "both")
_STREAMS: tuple[str, ...] = (
    "customers",
    "churn",
    "purchases",
    "returns",
    "interactions",
    "warning",
    "reviews",
    "surveys",
    "winback",
    "credit",
    # streams added later: appended, so that the earlier streams keep their draws
    "sensitive",
    "contracts",
    "exits",
    "payments",
    "limits",
    "costs",
    "texts",
)

#: Default generative parameters of :func:`simulate`. The time unit is the day; rates
#: are per day. Override any of them with keyword arguments of :func:`simulate`
#: (dictionaries are merged key by key).
DEFAULT_PARAMS: dict[str, Any] = {
    # acquisition
    "acquisition_growth": 0.5,
    "acquisition_season_amplitude": 0.25,
    "acquisition_december_multiplier": 1.3,
    # seasonality of purchase rates
    "season_amplitude": 0.15,
    "season_peak_day": 330,
    "december_multiplier": 1.3,
    # regions and channels
    "region_probs": {"north": 0.30, "south": 0.25, "east": 0.25, "west": 0.20},
    "region_rate_multiplier": {"north": 1.00, "south": 1.10, "east": 0.95, "west": 0.90},
    "channel_probs": {"online": 0.50, "store": 0.35, "partner": 0.15},
    "channel_rate_multiplier": {"online": 1.10, "store": 1.00, "partner": 0.80},
    "channel_hazard_multiplier": {"online": 1.20, "store": 0.90, "partner": 1.00},
    # purchases: NBD
    "r": 1.5,
    "alpha": 70.0,
    # dropout: Pareto/NBD-style gamma heterogeneity of an exponential lifetime
    "s": 1.5,
    "beta": 1500.0,
    "satisfaction_hazard_coef": -0.4,
    # spend: Gamma-Gamma
    "p": 6.0,
    "q": 4.0,
    "gamma": 40.0,
    "amount_per_item": 75.0,
    # returns
    "return_prob": 0.04,
    "return_delay_days": [1, 30],
    # complaints (hazard-driving Poisson process)
    "complaint_rate": 0.0016,
    "complaint_satisfaction_coef": -0.3,
    "complaint_reason_probs": {
        "product": 0.30,
        "price": 0.25,
        "service": 0.25,
        "competition": 0.10,
        "other": 0.10,
    },
    "complaint_hazard_ratio": {
        "product": 1.5,
        "price": 1.8,
        "service": 2.0,
        "competition": 2.5,
        "other": 1.2,
    },
    # warning window before churn
    "warning_window_days": 90.0,
    "warning_purchase_rate_floor": 0.3,
    "warning_amount_floor": 0.6,
    "warning_activity_floor": 0.2,
    "warning_service_contact_floor": 0.4,
    "warning_complaint_multiplier": 3.0,
    "warning_rating_drop": 1.5,
    # interactions
    "interaction_rate": 0.035,
    "engagement_shape": 2.0,
    "engagement_purchase_elasticity": 0.5,
    "interaction_kind_probs": {
        "online": {"login": 0.70, "visit": 0.15, "service_contact": 0.15},
        "store": {"login": 0.25, "visit": 0.60, "service_contact": 0.15},
        "partner": {"login": 0.40, "visit": 0.40, "service_contact": 0.20},
    },
    # reviews
    "review_prob": 0.10,
    "review_delay_days": [1, 14],
    "review_rating_mean": 3.8,
    "review_rating_satisfaction_coef": 0.7,
    "review_rating_sd": 0.8,
    "negative_review_max_rating": 2,
    # surveys
    "survey_panel_fraction": 0.30,
    "survey_rate": 0.0027,
    "survey_type_probs": {"nps": 0.4, "csat": 0.3, "both": 0.3},
    "nps_mean": 7.0,
    "nps_satisfaction_coef": 1.8,
    "nps_sd": 1.2,
    "csat_mean": 3.7,
    "csat_satisfaction_coef": 0.8,
    "csat_sd": 0.6,
    # credit
    "payment_terms_days": {"online": 30, "store": 30, "partner": 60},
    "on_time_logit_intercept": 1.5,
    "on_time_logit_risk_coef": -1.0,
    "late_days_mean": 20.0,
    "late_days_risk_coef": 0.5,
    "default_logit_intercept": -5.5,
    "default_logit_risk_coef": 1.2,
    # win-back
    "lapse_days": 120,
    "winback_response_delay_days": [1, 14],
    "winback_offer_probs": {
        "control": 0.25,
        "discount_10": 0.25,
        "discount_25": 0.25,
        "service_call": 0.25,
    },
    "winback_discount": {
        "control": 0.0,
        "discount_10": 0.10,
        "discount_25": 0.25,
        "service_call": 0.0,
    },
    "winback_base_logit": -2.5,
    "winback_alive_logit": 1.0,
    "winback_tier_thresholds": {"high": 400.0, "mid": 150.0},
    "winback_logit_effects": {
        "discount_10": {
            "base": 0.3,
            "tier": {"high": -0.2, "mid": 0.0, "low": 0.2},
            "reason": {
                "product": 0.0,
                "price": 0.7,
                "service": 0.0,
                "competition": 0.2,
                "other": 0.0,
                "none": 0.0,
            },
        },
        "discount_25": {
            "base": 0.6,
            "tier": {"high": -0.3, "mid": 0.0, "low": 0.3},
            "reason": {
                "product": 0.0,
                "price": 1.0,
                "service": 0.0,
                "competition": 0.4,
                "other": 0.0,
                "none": 0.0,
            },
        },
        "service_call": {
            "base": 0.1,
            "tier": {"high": 0.6, "mid": 0.2, "low": -0.1},
            "reason": {
                "product": 0.6,
                "price": 0.0,
                "service": 1.0,
                "competition": 0.0,
                "other": 0.0,
                "none": 0.0,
            },
        },
    },
    # sensitive attributes (fairness audits): no effect unless a ratio is set
    "gender_probs": {"female": 0.49, "male": 0.49, "other": 0.02},
    "age_band_probs": {
        "18-24": 0.12,
        "25-34": 0.22,
        "35-44": 0.22,
        "45-54": 0.18,
        "55-64": 0.14,
        "65+": 0.12,
    },
    "sensitive_hazard_ratio": {
        "gender": dict.fromkeys(GENDERS, 1.0),
        "age_band": dict.fromkeys(AGE_BANDS, 1.0),
    },
    "sensitive_rate_ratio": {
        "gender": dict.fromkeys(GENDERS, 1.0),
        "age_band": dict.fromkeys(AGE_BANDS, 1.0),
    },
    # contracts (memberships)
    "contract_share": 0.3,
    "contract_start_at_acquisition": 0.7,
    "contract_start_delay_days": 60.0,
    "contract_plan_probs": {"basic": 0.5, "plus": 0.35, "premium": 0.15},
    "contract_monthly_amount": {"basic": 9.9, "plus": 19.9, "premium": 39.9},
    "contract_billing_period_probs": {"W": 0.0, "M": 0.8, "Q": 0.1, "Y": 0.1},
    "contract_period_discount": {"W": 0.0, "M": 0.0, "Q": 0.05, "Y": 0.15},
    # exits (lost customers)
    "account_closed_prob": 0.4,
    "exit_reason_complaint_prob": 0.7,
    "exit_reason_probs": {
        "product": 0.20,
        "price": 0.20,
        "service": 0.15,
        "competition": 0.15,
        "budget": 0.12,
        "complex_decision": 0.08,
        "other": 0.10,
    },
    "exit_source_probs": {"exit_survey": 0.3, "crm_note": 0.4, "inferred": 0.3},
    "exit_reason_accuracy": {"exit_survey": 0.95, "crm_note": 0.85, "inferred": 0.6},
    # margin and cost to serve
    "cogs_rate_mean": 0.6,
    "cogs_rate_concentration": 20.0,
    "cost_to_serve_shape": 1.0,
    "acquisition_cost": {"online": 25.0, "store": 15.0, "partner": 40.0},
    "acquisition_cost_shape": 4.0,
    "delivery_cost": {"online": 8.0, "store": 0.0, "partner": 5.0},
    "service_contact_cost": 20.0,
    # partial payments and write-offs
    "partial_payment_prob": 0.25,
    "default_partial_payment_prob": 0.3,
    "partial_payment_share": [0.1, 0.8],
    "write_off_days": 180,
    # credit limits
    "credit_screen_noise_sd": 0.5,
    "credit_decline_score": -1.5,
    "credit_limit_base": 300.0,
    "credit_limit_score_coef": 0.4,
    "credit_limit_step": 50.0,
    "credit_review_days": 182,
    "credit_decrease_late": 2,
    "credit_decrease_factor": 0.5,
    "credit_increase_min_on_time": 3,
    "credit_increase_utilisation": 0.8,
    "credit_increase_min_score": -0.5,
    "credit_increase_factor": 1.5,
    "credit_suspend_days": 90,
    # cost of win-back offers
    "offer_fixed_cost": {
        "control": 0.0,
        "discount_10": 0.0,
        "discount_25": 0.0,
        "service_call": 15.0,
    },
    # lifecycle stages of the truth
    "lifecycle_exploration_days": 90.0,
    "lifecycle_maturity_days": 365.0,
    # free text of complaints and reviews
    "text_probs": {"complaint": 0.8, "review": 0.6},
    "text_zh_prob": 0.5,
    "text_vague_prob": 0.12,
    "text_decoy_prob": 0.15,
}


@dataclass(repr=False)
class SimulatedData:
    """The output of :func:`simulate`: the tables, the ground truth and the parameters.

    Attributes
    ----------
    tables : CustomerData
        The eleven tables of the data model, observed up to ``observation_end`` (a
        table without rows, possible for a few customers or a short period, is None).
    truth : pandas.DataFrame
        One row per customer (``customer_id`` order) with the latent quantities; see
        :func:`simulate` for the columns.
    params : dict
        Every generative parameter used (defaults merged with overrides), plus
        ``n_customers``, ``start``, ``end``, ``seed``, ``time_unit`` and a ``derived``
        section with closed-form means. JSON-serialisable.
    offer_effects : pandas.DataFrame
        One row per win-back campaign row (same order as ``tables.campaigns``): the
        assigned offer, the covariates of the response model and the true response
        probability under every offer (``p_control``, ``p_discount_10``, ...).
    complaint_truth : pandas.DataFrame
        One row per row of ``tables.complaints`` (same order): ``source`` (``hazard``:
        a complaint of the hazard-driving process; ``warning``: an extra complaint of
        the warning window, a symptom that does not change the hazard; ``review``) and
        ``drives_hazard``.
    exit_truth : pandas.DataFrame
        One row per row of ``tables.exits`` (same order): ``true_reason`` (the reason
        the customer really left; None for a reactivation) and ``reason_correct``
        (whether the recorded reason is the true one; missing for a reactivation).
    lifecycle : pandas.DataFrame
        The true lifecycle stage of every customer over time: ``customer_id``,
        ``stage`` (exploration, growth, maturity, decline, churned), ``start`` and
        ``end`` (dates; the stage covers the days ``start <= day < end``; ``end`` is
        NaT for the stage in progress at the observation end). Ordered by customer
        and start; the stages of a customer partition the days from acquisition on.
    """

    tables: CustomerData
    truth: pd.DataFrame
    params: dict
    offer_effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    complaint_truth: pd.DataFrame = field(default_factory=pd.DataFrame)
    exit_truth: pd.DataFrame = field(default_factory=pd.DataFrame)
    lifecycle: pd.DataFrame = field(default_factory=pd.DataFrame)

    def true_uplift(self) -> pd.DataFrame:
        """The true uplift of every offer for every campaign row: ``p_offer - p_control``.

        One row per row of ``tables.campaigns`` (same order), one column per offer
        other than control.

        Examples
        --------
        >>> sim = simulate(n_customers=300, seed=1)
        >>> u = sim.true_uplift()
        >>> list(u.columns), len(u) == len(sim.tables.campaigns)
        (['discount_10', 'discount_25', 'service_call'], True)
        """
        oe = self.offer_effects
        return pd.DataFrame({o: oe[f"p_{o}"] - oe["p_control"] for o in OFFERS
                             if o != "control" and f"p_{o}" in oe})

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.tables.tables().items())
        return f"SimulatedData({self.tables.source}: {sizes})"


# --------------------------------------------------------------------------- parameters


def _merge(defaults: dict, overrides: dict, path: str = "") -> dict:
    out = copy.deepcopy(defaults)
    for key, value in overrides.items():
        where = f"{path}{key}"
        if key not in defaults:
            known = ", ".join(defaults)
            raise ParameterError(f"unknown simulation parameter {where!r}; known: {known}")
        if isinstance(defaults[key], dict):
            if not isinstance(value, dict):
                raise ParameterError(f"parameter {where!r} must be a dict like {defaults[key]}")
            out[key] = _merge(defaults[key], value, where + ".")
        else:
            out[key] = copy.deepcopy(value)
    return out


def _probs(d: dict, keys: tuple[str, ...], name: str) -> np.ndarray:
    p = np.array([float(d[k]) for k in keys])
    if (p < 0).any() or abs(p.sum() - 1.0) > 1e-9:
        raise ParameterError(f"parameter {name!r} must hold probabilities summing to 1, got {d}")
    return p


def _check_positive(params: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if not float(params[name]) > 0:
            raise ParameterError(f"parameter {name!r} must be > 0, got {params[name]}")


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


# --------------------------------------------------------------------------- helpers


def _categorical(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn from the probabilities ``p`` (inverse CDF, platform independent)."""
    cum = np.cumsum(p)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(p) - 1)


def _season(days: np.ndarray, amplitude: float, peak_day: float, december: float) -> np.ndarray:
    """Seasonal multiplier of each calendar day (``datetime64[D]`` array)."""
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64) + 1
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    wave = 1.0 + amplitude * np.cos(2.0 * np.pi * (doy - peak_day) / 365.25)
    return wave * np.where(month == 12, december, 1.0)


def _ramp(t: np.ndarray, tau: np.ndarray, window: float) -> np.ndarray:
    """0 before the warning window, rising linearly to 1 at the churn time ``tau``."""
    return np.clip((t - (tau - window)) / window, 0.0, 1.0)


def _poisson_candidates(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, rate: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson points of rate ``rate[i]`` on ``[lo[i], hi[i])`` for every i."""
    length = np.maximum(hi - lo, 0.0)
    counts = rng.poisson(rate * length)
    idx = np.repeat(np.arange(len(lo)), counts)
    t = lo[idx] + rng.random(idx.size) * length[idx]
    return idx, np.minimum(t, np.nextafter(hi[idx], -np.inf))


def _sort_by(idx: np.ndarray, t: np.ndarray, *others: np.ndarray):
    order = np.lexsort((t, idx))
    return (idx[order], t[order], *(o[order] for o in others))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _randint_days(rng: np.random.Generator, bounds, n: int) -> np.ndarray:
    lo, hi = int(bounds[0]), int(bounds[1])
    return rng.integers(lo, hi + 1, size=n).astype(np.float64)


def _nullable_int(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int64), mask=~present.astype(bool))


def _month_labels(prefix: str, dates: np.ndarray) -> np.ndarray:
    """``prefix`` + ``YYYY-MM`` of each date, formatting each month once."""
    months, inv = np.unique(dates.astype("datetime64[M]"), return_inverse=True)
    labels = np.array([f"{prefix}{m}" for m in months], dtype=object)
    return labels[inv.reshape(-1)] if dates.size else np.array([], dtype=object)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + 1..n zero-padded to ``width`` digits (as ``f"{prefix}{i:0{width}d}"``).

    Built as fixed-width bytes, digit by digit: three times faster than formatting
    each id, which matters for the millions of transaction and invoice ids.
    """
    if not prefix.isascii() or len(str(n)) > width:
        return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    head = len(prefix)
    chars = np.empty((n, head + width), dtype=np.uint8)
    chars[:, :head] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    num = np.arange(1, n + 1, dtype=np.int64)
    for k in range(width):
        chars[:, head + width - 1 - k] = 48 + num % 10
        num //= 10
    return chars.view(f"S{head + width}").ravel().astype(f"U{head + width}").astype(object)


# --------------------------------------------------------------------------- simulator


def simulate(
    n_customers: int = 10_000,
    start="2023-01-01",
    end="2024-12-31",
    seed: int = 0,
    **params,
) -> SimulatedData:
    """Simulate a company's eleven tables with their known ground truth.

    A synthetic company sells to ``n_customers`` customers acquired between ``start``
    and ``end``. Each customer buys, spends, logs in, complains, reviews, answers
    surveys, pays invoices, may hold a membership contract, churns, and may be won
    back, following the generative story below; the company records some exits and
    their reasons, costs, and credit-limit decisions. All tables follow
    :data:`segkit.schema.TABLES` (day resolution: every timestamp is a midnight date)
    and end at ``end``, the observation end.
    The latent truth behind the tables is returned with them, so that every model of
    the kit (BTYD valuation, survival churn, warning indicators, uplift, credit) can
    be checked against the answer.

    Parameters
    ----------
    n_customers : int, default 10000
        Number of customers (all are acquired within the observation period).
    start, end : date-like, default "2023-01-01", "2024-12-31"
        First and last day of the observation period (both included); ``end`` is the
        ``observation_end`` of the tables.
    seed : int, default 0
        Seed of ``numpy.random.SeedSequence``; each part of the story draws from its
        own ``PCG64`` stream spawned from it, so the same seed gives the same data on
        any machine (with the same numpy version).
    **params
        Overrides of :data:`DEFAULT_PARAMS` (listed in the Notes). Dictionaries are
        merged key by key, e.g. ``complaint_hazard_ratio={"price": 3.0}``. Unknown
        names raise :class:`~segkit.exceptions.ParameterError`.

    Returns
    -------
    SimulatedData
        ``tables`` (:class:`~segkit.schema.CustomerData` with all eleven tables,
        ``observation_end=end``, ``source="simulate(n_customers=..., seed=...)"``; a
        table without rows is None, as validation refuses empty tables),
        ``truth`` (one row per customer), ``params`` (every parameter used),
        ``offer_effects`` (true win-back response probabilities),
        ``complaint_truth`` (which complaints drive the hazard), ``exit_truth`` (the
        true reason behind every recorded exit) and ``lifecycle`` (true lifecycle
        stages over time).

        Columns of ``truth``: ``customer_id``; ``lam`` (NBD purchase rate per day
        drawn from Gamma(r, alpha)); ``purchase_rate`` (``lam`` times the region and
        channel multipliers, per day, before season and warning window); ``mu``
        (dropout hazard per day drawn from Gamma(s, beta)); ``hazard_base`` (``mu``
        times the channel hazard multiplier and ``exp(satisfaction_hazard_coef *
        satisfaction)``: the churn hazard before any complaint); ``hazard_at_end``
        (the hazard after all hazard-driving complaints before churn or the end);
        ``nu`` (Gamma-Gamma spend rate) and ``expected_spend`` (``p / nu``);
        ``satisfaction`` (standard normal); ``complaint_rate`` (per day);
        ``engagement`` and ``interaction_rate`` (per day); ``survey_panel``;
        ``credit_risk`` (standard normal, higher is riskier) and ``default_prob`` (per
        invoice); ``defaulted`` and ``default_date``; ``churn_time`` (the moment of
        dropout, to the second, which may lie after ``end``; NaT if more than 100
        years after it); ``lifetime_days`` (churn time minus acquisition time, in
        days); ``churned`` (churn time before the end of the last day);
        ``n_hazard_complaints`` (complaints that changed the hazard);
        ``winback_contacted``, ``winback_offer`` and ``reactivated`` (responded to a
        win-back offer); ``sensitive_hazard_multiplier`` and
        ``sensitive_rate_multiplier`` (the effect of the customer's gender and age band
        on the churn hazard and the purchase rate: 1 by default); ``member``,
        ``contract_id`` and ``contract_plan`` (None for non-members);
        ``exit_reason`` (the true reason of every churner, recorded or not; None for
        customers alive at the end), ``exit_kind`` (``account_closed``,
        ``contract_ended`` or None for a silent churner), ``exit_recorded``,
        ``exit_reason_recorded`` and ``exit_source`` (what the exits table says);
        ``cogs_rate`` and ``cost_to_serve_multiplier`` (latent cost parameters);
        ``revenue`` (net of returns and discounts), ``cogs`` (cost of goods),
        ``cost_to_serve`` (service, delivery and bad debt), ``margin`` (revenue - cogs
        - cost_to_serve), ``inferior`` (margin < 0, 劣质客户), ``acquisition_cost`` and
        ``discount_cost``, all over the observation period and to the cent;
        ``credit_screen_score`` (the score of the first credit decision) and
        ``credit_line`` (granted a credit line, not declined); and
        ``lifecycle_stage_at_end``.

    Notes
    -----
    Time runs in days from ``start`` (day 0) to the end of ``end`` (day D, where D is
    the number of days in the period); every event at time t is recorded on the date
    ``start + floor(t)``. The defaults, all in ``params``:

    *Acquisition.* Customers are acquired one by one over the period (not all on day
    one): the acquisition day has density proportional to ``(1 + acquisition_growth
    * d / (D - 1)) * season_acq(d)``, ``acquisition_growth = 0.5``, where
    ``season_acq`` is the seasonal curve below with ``acquisition_season_amplitude =
    0.25`` and ``acquisition_december_multiplier = 1.3``; the time within the day is
    uniform. Customer ids (``C000001``, ...) follow acquisition order. Every customer
    makes a first purchase at acquisition (acquisition = first purchase, as in the
    BTYD models). Region ~ ``region_probs`` (north 0.30, south 0.25, east 0.25, west
    0.20), channel ~ ``channel_probs`` (online 0.50, store 0.35, partner 0.15),
    independently. Personal fields are obviously fake: name ``Test Customer 000001``,
    phone ``+999-555-000001``, email ``c000001@example.invalid``.

    *Seasonality.* ``season(d) = (1 + season_amplitude * cos(2 pi (doy(d) -
    season_peak_day) / 365.25)) * (december_multiplier if December else 1)`` with
    ``season_amplitude = 0.15``, ``season_peak_day = 330`` (late November) and
    ``december_multiplier = 1.3``; it multiplies purchase rates.

    *Purchases (NBD).* ``lam ~ Gamma(shape r = 1.5, rate alpha = 70)`` per day (mean
    r / alpha = 0.0214 per day, 7.8 per year). While alive, repeat purchases follow a
    Poisson process of intensity ``lam * region_rate_multiplier * channel_rate_multiplier
    * season(t) * warning_purchase(t)``, with ``region_rate_multiplier`` north 1.00,
    south 1.10, east 0.95, west 0.90 and ``channel_rate_multiplier`` online 1.10,
    store 1.00, partner 0.80.

    *Spend (Gamma-Gamma).* ``nu ~ Gamma(shape q = 4, rate gamma = 40)``; each purchase
    amount ``~ Gamma(shape p = 6, rate nu) * warning_amount(t)``, rounded to cents
    (at least 0.01); mean p * gamma / (q - 1) = 80 outside the warning window.
    ``quantity = 1 + Poisson(amount / amount_per_item)``, ``amount_per_item = 75``.

    *Returns.* Each purchase other than a win-back reactivation is returned in full
    with probability ``return_prob = 0.04``, after a whole number of days uniform on
    ``return_delay_days = [1, 30]``: a later line with the negated amount, the same
    quantity and ``is_return=True``. Returns that would fall after ``end`` are not
    recorded; a return may follow the churn time (the customer returns, then leaves).

    *Dropout and complaints.* The lifetime is exponential with a hazard that changes
    at complaints (Pareto/NBD-style heterogeneity): ``mu ~ Gamma(shape s = 1.5, rate
    beta = 1500)`` per day (mean s / beta = 0.001 per day: about 30% of all customers
    and 54% of those acquired in the first quarter churn within a two-year period);
    the hazard before any complaint is ``mu * channel_hazard_multiplier
    * exp(satisfaction_hazard_coef * satisfaction)`` with ``channel_hazard_multiplier``
    online 1.20, store 0.90, partner 1.00, ``satisfaction ~ N(0, 1)`` and
    ``satisfaction_hazard_coef = -0.4``. While alive and before the end, complaints
    arrive as a Poisson process of rate ``complaint_rate * exp(complaint_satisfaction_coef
    * satisfaction)``, ``complaint_rate = 0.0016`` per day (0.58 per year),
    ``complaint_satisfaction_coef = -0.3``; each has a reason ~
    ``complaint_reason_probs`` (product 0.30, price 0.25, service 0.25, competition
    0.10, other 0.10) and multiplies the hazard from then on by
    ``complaint_hazard_ratio`` (product 1.5, price 1.8, service 2.0, competition 2.5,
    other 1.2). The churn time is drawn exactly (piecewise-constant hazard); when it
    lies after the end it is drawn with the hazard at the end (no complaints are
    simulated after the end). A time-varying Cox model with covariates ``log(mu)``,
    the channel, the satisfaction and the running count of hazard-driving complaints
    of each reason has true coefficients 1, log of the multipliers, -0.4 and the log
    hazard ratios.

    *Warning window (the six indicators of docs/domain.md section 4).* In the
    ``warning_window_days = 90`` days before the churn time, ``ramp(t)`` rises
    linearly from 0 to 1 (also for churn times shortly after the end). Multipliers
    ``1 - (1 - floor) * ramp(t)`` apply to the purchase rate (purchase frequency
    falls; ``warning_purchase_rate_floor = 0.3``), the amount per purchase (purchase
    amount falls; ``warning_amount_floor = 0.6``), logins and visits (account activity
    falls; ``warning_activity_floor = 0.2``) and service contacts (interaction
    frequency falls; ``warning_service_contact_floor = 0.4``). Extra complaints arrive
    at rate ``complaint_rate_i * (warning_complaint_multiplier - 1) * ramp(t)``
    (complaint rate rises to 3 times the usual at churn, with
    ``warning_complaint_multiplier = 3``); they are symptoms and do not change the
    hazard (``complaint_truth.source == "warning"``). Review ratings fall by
    ``warning_rating_drop * ramp(t)`` stars, ``warning_rating_drop = 1.5`` (negative
    reviews rise). Over the last 30 days before churn the expected activity is
    ``1 - 0.8 * 5/6 = 0.33`` of normal against ``1 - 0.8 / 6 = 0.87`` 60 to 90 days
    before.

    *Interactions.* ``engagement ~ Gamma(shape engagement_shape = 2, rate 2)`` (mean
    1); ``interaction_rate_i = interaction_rate * engagement * (lam / (r / alpha)) **
    engagement_purchase_elasticity`` with ``interaction_rate = 0.035`` per day (about
    one a month) and ``engagement_purchase_elasticity = 0.5``. Interactions happen
    while alive; the kind follows ``interaction_kind_probs`` by channel (online:
    login 0.70, visit 0.15, service_contact 0.15; store: 0.25, 0.60, 0.15; partner:
    0.40, 0.40, 0.20), then the warning multipliers thin them.

    *Reviews.* Each purchase before the win-back stage gets a review with probability
    ``review_prob = 0.10``, ``review_delay_days = [1, 14]`` days later (kept only if
    the customer is still alive and it is before the end). Rating = round(
    ``review_rating_mean`` 3.8 + ``review_rating_satisfaction_coef`` 0.7 *
    satisfaction - 1.5 * ramp + N(0, ``review_rating_sd`` 0.8)), clipped to 1-5.
    Reviews rated at most ``negative_review_max_rating = 2`` carry a reason drawn from
    ``complaint_reason_probs``; the others have none. Reviews never change the hazard.

    *Surveys.* A fraction ``survey_panel_fraction = 0.30`` of customers is on a survey
    panel and answers at rate ``survey_rate = 0.0027`` per day (about once a year)
    while alive. Each answer holds NPS, CSAT or both (``survey_type_probs`` 0.4, 0.3,
    0.3). NPS = clip(round(``nps_mean`` 7.0 + ``nps_satisfaction_coef`` 1.8 *
    satisfaction + N(0, ``nps_sd`` 1.2)), 0, 10); CSAT = clip(round(``csat_mean`` 3.7 +
    ``csat_satisfaction_coef`` 0.8 * satisfaction + N(0, ``csat_sd`` 0.6)), 1, 5).

    *Credit.* One invoice (statement) per customer and calendar month with purchases,
    issued on the last day of the month (or on ``end``), for the gross purchases of
    the month (returns are refunded separately). Due date = issue +
    ``payment_terms_days`` (online 30, store 30, partner 60); due dates may lie after
    ``end``. ``credit_risk ~ N(0, 1)``, independent of value and churn (a big customer
    is not necessarily a good one). Each invoice triggers a default with probability
    ``default_prob = sigmoid(default_logit_intercept -5.5 + default_logit_risk_coef 1.2 *
    credit_risk)``; from the first trigger on, no invoice of the customer is paid.
    Otherwise it is paid on time with probability ``sigmoid(on_time_logit_intercept
    1.5 + on_time_logit_risk_coef -1.0 * credit_risk)``, on a day uniform between
    issue and due date, else late, ``1 + floor(Exponential(late_days_mean 20 *
    exp(late_days_risk_coef 0.5 * credit_risk)))`` days after the due date. Payments
    after ``end`` are not observed (``paid_date`` NaT).

    *Win-back.* On the first day of each month with at least ``lapse_days = 120`` days
    before it and ``winback_response_delay_days[1]`` days after it in the period, every
    customer whose last purchase was at least 120 days before (purchases on the
    campaign day count as after it) and who was never contacted gets a campaign row
    (campaign ``WB-YYYY-MM``, kind ``winback``, ``randomised=True``); lapsed customers
    may still be alive. The offer is drawn from ``winback_offer_probs`` (control,
    discount_10, discount_25, service_call: 0.25 each). The response probability is
    ``sigmoid(winback_base_logit -2.5 + winback_alive_logit 1.0 * alive +
    effect(offer, tier, reason))`` where ``alive`` = churn time after the campaign
    day, ``tier`` is the former value tier from the gross spend before the campaign
    (``high`` >= 400, ``mid`` >= 150, else ``low``: ``winback_tier_thresholds``),
    ``reason`` is the reason of the last complaint before the campaign day (or
    ``none``), and ``effect = base + tier effect + reason effect`` from
    ``winback_logit_effects`` (control 0; discount_10: base 0.3, tier high -0.2 / mid
    0 / low 0.2, reason price 0.7, competition 0.2; discount_25: base 0.6, tier -0.3 /
    0 / 0.3, reason price 1.0, competition 0.4; service_call: base 0.1, tier 0.6 / 0.2
    / -0.1, reason product 0.6, service 1.0; other entries 0). Price complainers
    respond to discounts, service and product complainers and former high-value
    customers to a personal call. Responders respond 1-14 days later
    (``winback_response_delay_days``) with one reactivation purchase on that day, its
    amount a fresh spend draw reduced by ``winback_discount`` (10% or 25% for the
    discounts). Reactivation does not change the churn time: the only purchases after
    a customer's churn time are reactivations.

    *Random streams.* Each part above draws from its own stream; the parts below were
    added later and draw from streams appended after them (``SeedSequence.spawn``
    keeps the earlier children), so with their defaults every table and truth
    column above is the same as before they existed, and changing a parameter below
    changes nothing above (except the two sensitive ratios, which are meant to).

    *Sensitive attributes (fairness audits only).* ``gender`` ~ ``gender_probs``
    (female 0.49, male 0.49, other 0.02) and ``age_band`` ~ ``age_band_probs``
    (18-24 0.12, 25-34 0.22, 35-44 0.22, 45-54 0.18, 55-64 0.14, 65+ 0.12), independent
    of each other and of everything else. By default they have no effect:
    ``sensitive_hazard_ratio`` and ``sensitive_rate_ratio`` hold a ratio of 1 for every
    gender and age band. Setting one, e.g. ``sensitive_hazard_ratio={"gender":
    {"male": 1.5}}``, multiplies the churn hazard before any complaint (or, for
    ``sensitive_rate_ratio``, the purchase rate) by the product of the customer's
    gender and age-band ratios (``truth["sensitive_hazard_multiplier"]``,
    ``truth["sensitive_rate_multiplier"]``): a Cox model then finds the log ratio as
    the coefficient of the group, and purchases per alive day differ by the ratio.

    *Contracts (memberships).* Each customer applies for a membership with probability
    ``contract_share = 0.3`` (1.0 makes a pure subscription company), on the
    acquisition time with probability ``contract_start_at_acquisition = 0.7``, else
    an Exponential(mean ``contract_start_delay_days = 60``) number of days later; an
    application at or after the churn time or after ``end`` is never signed, so the
    share of members is a little below ``contract_share`` (equal to it with
    ``contract_start_at_acquisition = 1``). The plan ~ ``contract_plan_probs``
    (basic 0.5, plus 0.35, premium 0.15), the billing period ~
    ``contract_billing_period_probs`` (W 0, M 0.8, Q 0.1, Y 0.1), and the recurring
    amount = ``contract_monthly_amount`` (basic 9.9, plus 19.9, premium 39.9) times
    the months in the period (a week is 12/52 of a month) times (1 -
    ``contract_period_discount``: Q 0.05, Y 0.15), to the cent. One contract per
    member (ids ``K000001``, ... in start order), no renewals or upgrades: it runs
    until the churn time (broad churn, 广义流失): ``end_date`` is the churn date when
    the customer churns before the end (empty otherwise), ``end_reason`` the reason
    recorded on its exit row. Membership changes no behaviour, and the fees are not
    in the transactions, receivables or the margin below.

    *Exits and loss reasons.* Every churner (churn time before the end) has a true
    reason (``truth["exit_reason"]``): with probability ``exit_reason_complaint_prob =
    0.7`` the reason of the customer's last hazard-driving complaint, if there is one;
    otherwise a draw from ``exit_reason_probs`` over all exit reasons (product 0.20,
    price 0.20, service 0.15, competition 0.15, budget 0.12, complex_decision 0.08,
    other 0.10). A member's churn ends the contract: a ``contract_ended`` row with the
    ``contract_id``. Any other churner closes the account explicitly (an
    ``account_closed`` row) with probability ``account_closed_prob = 0.4``; the others
    leave silently (narrow churn, 狭义流失: visible only as no more purchases). End
    rows carry the churn date and a recorded reason whose source ~
    ``exit_source_probs`` (exit_survey 0.3, crm_note 0.4, inferred 0.3); the recorded
    reason is the true one with probability ``exit_reason_accuracy`` of the source
    (exit_survey 0.95, crm_note 0.85, inferred 0.6), otherwise another reason drawn
    from ``exit_reason_probs`` without the true one (``exit_truth`` holds the true
    reason of every row). Every win-back responder gets a ``reactivated`` row on the
    response date, without reason or source.

    *Margin and cost to serve.* Each customer has a cost-of-goods rate ``cogs_rate ~
    Beta`` with mean ``cogs_rate_mean = 0.6`` and concentration ``cogs_rate_concentration
    = 20`` (shapes 12 and 8; the product mix) and a cost-to-serve multiplier ~ Gamma(shape
    ``cost_to_serve_shape = 1``, mean 1) (how demanding the customer is). The ``cost``
    of a purchase line is ``cogs_rate`` times its amount; of a reactivation purchase,
    times its list price before the win-back discount; of a return line, 0 (the
    cost of the returned line is not reversed: goods come back but fulfilment and
    handling are lost, so a returned purchase has margin ``-cost``). The ``costs``
    table holds: ``acquisition`` on the acquisition date, ``acquisition_cost`` by
    channel (online 25, store 15, partner 40) times Gamma(shape
    ``acquisition_cost_shape = 4``, mean 1); ``delivery`` for every purchase and
    reactivation, ``delivery_cost`` by channel (online 8, store 0, partner 5; store
    customers collect their goods and have no delivery rows) times the multiplier;
    ``service`` for every service-contact interaction, ``service_contact_cost = 20``
    times the multiplier; ``discount`` on the reactivation day of a responder to a
    discount offer: the list price minus the amount paid (revenue given up, already
    netted in the transaction amount: never subtract it again); ``bad_debt`` for every
    write-off, on its date. All amounts are to the cent; rows of amount 0 are not
    recorded. ``margin = revenue - cogs - cost_to_serve`` per customer over the
    observation period, where revenue is the sum of the transaction amounts and
    cost_to_serve the service, delivery and bad-debt costs (acquisition, a sunk cost,
    is apart); about 15% of customers have a negative margin (``truth["inferior"]``,
    劣质客户): small baskets against a fixed delivery cost, a high cost to serve, bad
    debt, returns.

    *Partial payments and write-offs.* ``payment_terms`` is the number of days between
    issue and due date (``payment_terms_days``). A paid invoice has ``paid_amount`` =
    ``amount``. An invoice still open at the end and issued before the last day got
    a partial payment with probability ``partial_payment_prob = 0.25``
    (``default_partial_payment_prob = 0.3`` for a defaulted invoice, i.e. one issued
    at or after the customer's default), a share uniform on ``partial_payment_share
    = [0.1, 0.8]`` of the amount, rounded down to the cent; other open invoices have
    ``paid_amount`` 0. A defaulted invoice is written off ``write_off_days = 180``
    days after its due date, if that is before the end: ``written_off`` = amount -
    paid_amount on ``write_off_date`` (0 and empty otherwise). Invoices that are only
    late are never written off.

    *Credit limits.* At the first invoice the company screens the customer with the
    score ``-credit_risk + N(0, credit_screen_noise_sd 0.5)``
    (``truth["credit_screen_score"]``): below ``credit_decline_score = -1.5`` the
    credit line is declined (``decline``, limit 0, no later decisions: the simulator
    does not change the sales, so the statements go on); otherwise ``initial``, limit
    ``credit_limit_base 300 * exp(credit_limit_score_coef 0.4 * score)`` rounded to
    ``credit_limit_step = 50`` (at least 50). Every ``credit_review_days = 182`` days
    after the initial decision, while before the end and before a suspension, the
    company reviews the invoices due since the previous review (due in [review - 182,
    review)); an invoice is late when it was not paid by its due date. With at least
    ``credit_decrease_late = 2`` late invoices: ``decrease``, the limit times
    ``credit_decrease_factor = 0.5`` rounded down to the step, at least one step (no
    row if that does not lower it). With none late, at least
    ``credit_increase_min_on_time = 3`` paid on time and a statement above
    ``credit_increase_utilisation = 0.8`` of the limit, the customer asks for more: a
    fresh score (as above) of at least ``credit_increase_min_score = -0.5`` gives
    ``increase``, the limit times ``credit_increase_factor = 1.5`` rounded up to the
    step, a lower one ``decline`` (limit unchanged). Otherwise no row. A customer with
    a credit line whose invoices default is suspended (``suspend``, limit 0)
    ``credit_suspend_days = 90`` days after the due date of the first defaulted
    invoice, if before the end; no decision follows.

    *Cost of win-back offers.* ``offer_cost`` of a campaign row = ``offer_fixed_cost``
    (control 0, discount_10 0, discount_25 0, service_call 15) plus the offer's
    ``winback_discount`` times the customer's mean purchase amount before the campaign
    (the value of the voucher), to the cent; the discount actually given to a
    responder is in the ``costs`` table.

    *Lifecycle stages (truth only).* From the latent state: ``exploration`` (考察期) for
    the first ``lifecycle_exploration_days = 90`` days after acquisition, ``growth``
    (成长期) until ``lifecycle_maturity_days = 365`` days of tenure, ``maturity``
    (成熟期) after that, ``decline`` (衰退期) inside the warning window (the
    ``warning_window_days`` before the churn time, which cuts the earlier stages
    short, also when the churn time lies shortly after the end) and ``churned`` from
    the churn time on (reactivation does not change it). In whole days: a stage covers
    the days from the date of its start to the day before the date of the next
    stage's start; a stage shorter than that is left out.

    *Texts.* A customer writes in Chinese with probability ``text_zh_prob = 0.5``,
    otherwise in English. A complaint carries a text (the ``text`` column of
    ``complaints``) with probability ``text_probs["complaint"] = 0.8``, a review with
    ``text_probs["review"] = 0.6``. The text of a row with a reason names that reason
    (one of a few phrases per reason and language, :mod:`segkit.datasets._texts`), except
    that with probability ``text_vague_prob = 0.12`` it names none ("very
    disappointed") and with ``text_decoy_prob = 0.15`` it first mentions another reason
    in passing ("the price is fair, but ..."); a review without a reason gets praise.
    The ``reason`` column stays the truth. Texts have their own stream and change no
    other draw.

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> sim = simulate(300, seed=1)
    >>> list(sim.tables.tables())  # doctest: +NORMALIZE_WHITESPACE
    ['customers', 'transactions', 'contracts', 'exits', 'interactions', 'complaints',
     'surveys', 'receivables', 'credit_limits', 'costs', 'campaigns']
    >>> sim.tables.observation_end
    Timestamp('2024-12-31 00:00:00')
    >>> sim.tables.customers["customer_id"].iloc[0], sim.tables.customers["email"].iloc[0]
    ('C000001', 'c000001@example.invalid')
    >>> sim.params["complaint_hazard_ratio"]["price"]
    1.8
    >>> bool((sim.truth["lam"] > 0).all()), len(sim.truth)
    (True, 300)
    >>> sim.lifecycle[sim.lifecycle["customer_id"] == "C000001"]  # doctest: +NORMALIZE_WHITESPACE
      customer_id        stage      start        end
    0     C000001  exploration 2023-01-04 2023-04-04
    1     C000001       growth 2023-04-04 2023-12-22
    2     C000001      decline 2023-12-22 2024-03-21
    3     C000001      churned 2024-03-21        NaT
    """
    prm = _merge(DEFAULT_PARAMS, params)
    start_ts = pd.Timestamp(start).normalize()
    end_ts = pd.Timestamp(end).normalize()
    if not isinstance(n_customers, int | np.integer) or n_customers < 1:
        raise ParameterError(f"n_customers must be a positive integer, got {n_customers!r}")
    if end_ts <= start_ts:
        raise ParameterError(f"end ({end_ts.date()}) must be after start ({start_ts.date()})")
    _check_positive(
        prm,
        (
            "r",
            "alpha",
            "s",
            "beta",
            "p",
            "q",
            "gamma",
            "complaint_rate",
            "interaction_rate",
            "engagement_shape",
            "warning_window_days",
            "amount_per_item",
            "late_days_mean",
            "survey_rate",
            "lapse_days",
            "credit_review_days",
            "credit_limit_step",
            "credit_limit_base",
        ),
    )
    n = int(n_customers)
    streams = dict(
        zip(
            _STREAMS,
            (
                np.random.Generator(np.random.PCG64(s))
                for s in np.random.SeedSequence(int(seed)).spawn(len(_STREAMS))
            ),
            strict=True,
        )
    )
    sim = _Simulation(n, start_ts, end_ts, prm, streams, int(seed))
    data = sim.run()
    prm_out = _jsonable(prm)
    prm_out.update(
        n_customers=n,
        start=str(start_ts.date()),
        end=str(end_ts.date()),
        seed=int(seed),
        time_unit="day",
        derived={
            "n_days": sim.D,
            "mean_lam": prm["r"] / prm["alpha"],
            "mean_mu": prm["s"] / prm["beta"],
            "mean_spend": prm["p"] * prm["gamma"] / (prm["q"] - 1) if prm["q"] > 1 else None,
            "season_max": float(sim.season.max()),
        },
    )
    return SimulatedData(params=prm_out, **data)


class _Simulation:
    """The steps of :func:`simulate`, sharing the calendar and the per-customer latents."""

    def __init__(self, n, start, end, prm, streams, seed):
        self.n, self.start, self.end, self.prm, self.rng = n, start, end, prm, streams
        self.seed = seed
        self.D = int((end - start).days) + 1
        self.days = np.datetime64(start.date(), "D") + np.arange(self.D)
        self.season = _season(
            self.days, prm["season_amplitude"], prm["season_peak_day"], prm["december_multiplier"]
        )
        self.width = max(6, len(str(n)))

    # ----------------------------------------------------------------- building blocks

    def _day(self, t: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(t), 0, self.D - 1).astype(np.int64)

    def _dates(self, t: np.ndarray) -> np.ndarray:
        return (self.days[0] + self._day(t)).astype("datetime64[ns]")

    def _warn(self, t, idx, floor):
        return 1.0 - (1.0 - floor) * _ramp(t, self.tau[idx], self.prm["warning_window_days"])

    def _sensitive_multiplier(self, name: str) -> np.ndarray:
        """Product of the gender and age-band ratios of parameter ``name``, per customer."""
        ratios = self.prm[name]
        g = np.array([float(ratios["gender"][k]) for k in GENDERS])
        a = np.array([float(ratios["age_band"][k]) for k in AGE_BANDS])
        if (g <= 0).any() or (a <= 0).any():
            raise ParameterError(f"parameter {name!r} must hold ratios > 0, got {ratios}")
        return g[self.gender] * a[self.age_band]

    # ----------------------------------------------------------------- steps

    def customers(self):
        prm, rng, n, D = self.prm, self.rng["customers"], self.n, self.D
        w = (1.0 + prm["acquisition_growth"] * np.arange(D) / max(D - 1, 1)) * _season(
            self.days,
            prm["acquisition_season_amplitude"],
            prm["season_peak_day"],
            prm["acquisition_december_multiplier"],
        )
        cum = np.cumsum(w)
        day = np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"), D - 1)
        self.t_acq = np.sort(day + rng.random(n))
        self.region = _categorical(rng, _probs(prm["region_probs"], REGIONS, "region_probs"), n)
        self.channel = _categorical(rng, _probs(prm["channel_probs"], CHANNELS, "channel_probs"), n)
        self.lam = rng.gamma(prm["r"], 1.0 / prm["alpha"], n)
        self.mu = rng.gamma(prm["s"], 1.0 / prm["beta"], n)
        self.nu = rng.gamma(prm["q"], 1.0 / prm["gamma"], n)
        self.sat = rng.standard_normal(n)
        self.engagement = rng.gamma(prm["engagement_shape"], 1.0 / prm["engagement_shape"], n)
        self.credit_risk = rng.standard_normal(n)
        self.panel = rng.random(n) < prm["survey_panel_fraction"]
        # sensitive attributes: own stream, so the draws above never depend on them
        srng = self.rng["sensitive"]
        self.gender = _categorical(srng, _probs(prm["gender_probs"], GENDERS, "gender_probs"), n)
        self.age_band = _categorical(
            srng, _probs(prm["age_band_probs"], AGE_BANDS, "age_band_probs"), n
        )
        self.sens_hazard = self._sensitive_multiplier("sensitive_hazard_ratio")
        self.sens_rate = self._sensitive_multiplier("sensitive_rate_ratio")
        rmult = np.array([prm["region_rate_multiplier"][k] for k in REGIONS])
        cmult = np.array([prm["channel_rate_multiplier"][k] for k in CHANNELS])
        # a multiplier of exactly 1.0 leaves every float (hence every draw) unchanged
        self.rate = self.lam * rmult[self.region] * cmult[self.channel] * self.sens_rate
        hmult = np.array([prm["channel_hazard_multiplier"][k] for k in CHANNELS])
        self.hazard0 = (
            self.mu * hmult[self.channel] * np.exp(prm["satisfaction_hazard_coef"] * self.sat)
        ) * self.sens_hazard
        self.kappa = prm["complaint_rate"] * np.exp(prm["complaint_satisfaction_coef"] * self.sat)
        mean_lam = prm["r"] / prm["alpha"]
        self.irate = (
            prm["interaction_rate"]
            * self.engagement
            * (self.lam / mean_lam) ** prm["engagement_purchase_elasticity"]
        )
        self.cid = np.array([f"C{i:0{self.width}d}" for i in range(1, n + 1)], dtype=object)

    def churn(self):
        """Hazard-driving complaints and churn times, one round per complaint."""
        prm, rng, D = self.prm, self.rng["churn"], float(self.D)
        rp = _probs(prm["complaint_reason_probs"], REASONS, "complaint_reason_probs")
        hr = np.array([float(prm["complaint_hazard_ratio"][k]) for k in REASONS])
        if (hr <= 0).any():
            raise ParameterError("complaint_hazard_ratio values must be > 0")
        t = self.t_acq.copy()
        h = self.hazard0.copy()
        tau = np.empty(self.n)
        cc, ct, cr = [], [], []
        active = np.arange(self.n)
        while active.size:
            e_h = rng.standard_exponential(active.size) / h[active]
            e_c = rng.standard_exponential(active.size) / self.kappa[active]
            t_c = t[active] + e_c
            comp = (e_c < e_h) & (t_c < D)
            stop = active[~comp]
            tau[stop] = t[stop] + e_h[~comp]
            nxt = active[comp]
            reason = _categorical(rng, rp, nxt.size)
            cc.append(nxt)
            ct.append(t_c[comp])
            cr.append(reason)
            h[nxt] *= hr[reason]
            t[nxt] = t_c[comp]
            active = nxt
        self.tau = tau
        self.hazard_end = h
        self.stop = np.minimum(tau, D)  # end of the observed active life
        self.hc = _sort_by(np.concatenate(cc), np.concatenate(ct), np.concatenate(cr))

    def purchases(self):
        prm, rng = self.prm, self.rng["purchases"]
        smax = float(self.season.max())
        idx, t = _poisson_candidates(rng, self.t_acq, self.stop, self.rate * smax)
        accept = (self.season[self._day(t)] / smax) * self._warn(
            t, idx, prm["warning_purchase_rate_floor"]
        )
        keep = rng.random(idx.size) < accept
        idx = np.concatenate([np.arange(self.n), idx[keep]])
        t = np.concatenate([self.t_acq, t[keep]])
        idx, t = _sort_by(idx, t)
        amount = self._spend(rng, idx) * self._warn(t, idx, prm["warning_amount_floor"])
        amount = np.maximum(np.round(amount, 2), 0.01)
        self.p_idx, self.p_t, self.p_amount = idx, t, amount
        self.p_qty = self._quantity(rng, amount)

    def _quantity(self, rng, amount):
        return (1 + rng.poisson(amount / self.prm["amount_per_item"])).astype(np.int64)

    def _spend(self, rng, idx):
        return rng.gamma(self.prm["p"], 1.0, idx.size) / self.nu[idx]

    def returns(self):
        prm, rng = self.prm, self.rng["returns"]
        ret = rng.random(self.p_idx.size) < prm["return_prob"]
        t = self.p_t[ret] + _randint_days(rng, prm["return_delay_days"], int(ret.sum()))
        ok = t < self.D
        self.r_idx, self.r_t = self.p_idx[ret][ok], t[ok]
        self.r_amount = -self.p_amount[ret][ok]
        self.r_src = np.flatnonzero(ret)[ok]  # index of the returned purchase

    def interactions(self):
        prm, rng = self.prm, self.rng["interactions"]
        idx, t = _poisson_candidates(rng, self.t_acq, self.stop, self.irate)
        probs = np.array(
            [
                _probs(
                    prm["interaction_kind_probs"][c],
                    INTERACTION_KINDS,
                    f"interaction_kind_probs.{c}",
                )
                for c in CHANNELS
            ]
        )
        cum = np.cumsum(probs, axis=1)[self.channel[idx]]
        kind = np.minimum((rng.random(idx.size)[:, None] >= cum).sum(axis=1), 2)
        floor = np.array(
            [
                prm["warning_activity_floor"],
                prm["warning_activity_floor"],
                prm["warning_service_contact_floor"],
            ]
        )[kind]
        keep = rng.random(idx.size) < self._warn(t, idx, floor)
        self.i_idx, self.i_t, self.i_kind = _sort_by(idx[keep], t[keep], kind[keep])

    def warning_complaints(self):
        prm, rng = self.prm, self.rng["warning"]
        W, m = prm["warning_window_days"], prm["warning_complaint_multiplier"]
        if m < 1:
            raise ParameterError("warning_complaint_multiplier must be >= 1")
        lo = np.maximum(self.tau - W, self.t_acq)
        idx, t = _poisson_candidates(rng, lo, self.stop, self.kappa * (m - 1.0))
        keep = rng.random(idx.size) < _ramp(t, self.tau[idx], W)
        rp = _probs(prm["complaint_reason_probs"], REASONS, "complaint_reason_probs")
        reason = _categorical(rng, rp, int(keep.sum()))
        self.wc = _sort_by(idx[keep], t[keep], reason)

    def reviews(self):
        prm, rng = self.prm, self.rng["reviews"]
        has = rng.random(self.p_idx.size) < prm["review_prob"]
        idx = self.p_idx[has]
        t = self.p_t[has] + _randint_days(rng, prm["review_delay_days"], idx.size)
        ok = t < self.stop[idx]
        idx, t = idx[ok], t[ok]
        latent = (
            prm["review_rating_mean"]
            + prm["review_rating_satisfaction_coef"] * self.sat[idx]
            - prm["warning_rating_drop"] * _ramp(t, self.tau[idx], prm["warning_window_days"])
            + prm["review_rating_sd"] * rng.standard_normal(idx.size)
        )
        rating = np.clip(np.round(latent), 1, 5).astype(np.int64)
        rp = _probs(prm["complaint_reason_probs"], REASONS, "complaint_reason_probs")
        reason = _categorical(rng, rp, idx.size)
        reason = np.where(rating <= prm["negative_review_max_rating"], reason, -1)
        self.rv = _sort_by(idx, t, rating, reason)

    def surveys(self):
        prm, rng = self.prm, self.rng["surveys"]
        rate = np.where(self.panel, prm["survey_rate"], 0.0)
        idx, t = _poisson_candidates(rng, self.t_acq, self.stop, rate)
        idx, t = _sort_by(idx, t)
        kind = _categorical(
            rng, _probs(prm["survey_type_probs"], _SURVEY_TYPES, "survey_type_probs"), idx.size
        )
        s = self.sat[idx]
        nps = np.clip(
            np.round(
                prm["nps_mean"]
                + prm["nps_satisfaction_coef"] * s
                + prm["nps_sd"] * rng.standard_normal(idx.size)
            ),
            0,
            10,
        )
        csat = np.clip(
            np.round(
                prm["csat_mean"]
                + prm["csat_satisfaction_coef"] * s
                + prm["csat_sd"] * rng.standard_normal(idx.size)
            ),
            1,
            5,
        )
        self.sv = (idx, t, nps.astype(np.int64), kind != 1, csat.astype(np.int64), kind != 0)

    def winback(self):
        """Lapsed customers get one randomised win-back offer; responders buy again."""
        prm, rng = self.prm, self.rng["winback"]
        L = int(prm["lapse_days"])
        delay = prm["winback_response_delay_days"]
        month_starts = np.unique(self.days.astype("datetime64[M]")).astype("datetime64[D]")
        cday = (month_starts - self.days[0]).astype(np.int64)
        cday = cday[(cday >= L) & (cday + int(delay[1]) <= self.D - 1)]
        idx, t = self.p_idx, self.p_t
        pday = np.floor(t).astype(np.int64)
        same_next = np.r_[idx[1:] == idx[:-1], False]
        next_day = np.where(same_next, np.r_[pday[1:], 0], np.iinfo(np.int64).max)
        j = np.searchsorted(cday, pday + L, side="left")
        jc = np.minimum(j, max(cday.size - 1, 0))
        valid = (j < cday.size) & (cday[jc] <= next_day) if cday.size else np.zeros(0, bool)
        rows = np.flatnonzero(valid)
        # purchases are sorted by customer then time: the first valid row is the earliest
        cust, first = np.unique(idx[rows], return_index=True)
        rows = rows[first]
        camp_day = cday[jc[rows]].astype(np.int64)
        # former value tier from the gross spend up to the last purchase before the campaign
        cum = np.cumsum(self.p_amount)
        start_of = np.searchsorted(idx, cust, side="left")
        spend = cum[rows] - np.where(start_of > 0, cum[np.maximum(start_of - 1, 0)], 0.0)
        thr = prm["winback_tier_thresholds"]
        tier = np.where(spend >= thr["high"], 0, np.where(spend >= thr["mid"], 1, 2))
        # reason of the last complaint (hazard or warning) strictly before the campaign day
        c_idx = np.concatenate([self.hc[0], self.wc[0]])
        c_day = np.floor(np.concatenate([self.hc[1], self.wc[1]])).astype(np.int64)
        c_reason = np.concatenate([self.hc[2], self.wc[2]])
        order = np.lexsort((c_day, c_idx))
        key = c_idx[order] * (self.D + 1) + c_day[order]
        pos = np.searchsorted(key, cust * (self.D + 1) + camp_day, side="left") - 1
        posc = np.maximum(pos, 0)
        has = (pos >= 0) & (c_idx[order][posc] == cust) if key.size else np.zeros(cust.size, bool)
        reason = np.where(has, c_reason[order][posc] if key.size else 0, len(REASONS))
        alive = self.tau[cust] > camp_day
        # true response probability under every offer
        eff = prm["winback_logit_effects"]
        reasons_none = (*REASONS, "none")
        base = prm["winback_base_logit"] + prm["winback_alive_logit"] * alive
        p_all = np.empty((cust.size, len(OFFERS)))
        for k, offer in enumerate(OFFERS):
            if offer == "control":
                e = np.zeros(cust.size)
            else:
                te = np.array([eff[offer]["tier"][x] for x in TIERS])
                re = np.array([eff[offer]["reason"][x] for x in reasons_none])
                e = eff[offer]["base"] + te[tier] + re[reason]
            p_all[:, k] = _sigmoid(base + e)
        offer = _categorical(
            rng, _probs(prm["winback_offer_probs"], OFFERS, "winback_offer_probs"), cust.size
        )
        p_assigned = p_all[np.arange(cust.size), offer]
        responded = rng.random(cust.size) < p_assigned
        resp_day = camp_day + _randint_days(rng, delay, cust.size).astype(np.int64)
        disc = np.array([prm["winback_discount"][o] for o in OFFERS])[offer]
        full = self._spend(rng, cust)
        amount = full * (1.0 - disc)
        within = rng.random(cust.size)
        # cost of each offer: a fixed cost, plus the discount on the mean purchase so far
        fixed = np.array([float(prm["offer_fixed_cost"][o]) for o in OFFERS])[offer]
        mean_purchase = spend / (rows - start_of + 1)
        offer_cost = np.round(fixed + disc * mean_purchase, 2)
        self.wb = dict(
            idx=cust,
            day=camp_day,
            offer=offer,
            tier=tier,
            reason=reason,
            alive=alive,
            p=p_all,
            responded=responded,
            resp_day=np.where(responded, resp_day, -1),
            offer_cost=offer_cost,
        )
        r = responded
        self.x_idx = cust[r]
        self.x_t = resp_day[r] + within[r]
        self.x_amount = np.maximum(np.round(amount[r], 2), 0.01)
        self.x_qty = self._quantity(rng, self.x_amount)
        # list price of the reactivation purchase (before the discount)
        self.x_full = np.maximum(np.round(full[r], 2), self.x_amount)
        self.x_disc = disc[r]

    def credit(self):
        prm, rng = self.prm, self.rng["credit"]
        idx = np.concatenate([self.p_idx, self.x_idx])
        day = self._day(np.concatenate([self.p_t, self.x_t]))
        amount = np.concatenate([self.p_amount, self.x_amount])
        month = self.days.astype("datetime64[M]")
        m0 = month[0]
        mi = (month - m0).astype(np.int64)[day]
        nm = int((month[-1] - m0).astype(np.int64)) + 1
        key, inv = np.unique(idx * nm + mi, return_inverse=True)
        total = np.round(np.bincount(inv, weights=amount, minlength=key.size), 2)
        c_idx, c_m = key // nm, key % nm
        # issue on the last day of the month, or on the last day of the period
        month_end = (m0 + np.arange(nm) + 1).astype("datetime64[D]") - 1 - self.days[0]
        issue = np.minimum(month_end.astype(np.int64), self.D - 1)[c_m]
        terms = np.array([int(prm["payment_terms_days"][c]) for c in CHANNELS])[self.channel[c_idx]]
        z = self.credit_risk[c_idx]
        pd_i = _sigmoid(prm["default_logit_intercept"] + prm["default_logit_risk_coef"] * z)
        trigger = rng.random(key.size) < pd_i
        # key is sorted by customer then month: count triggers so far within each customer
        ct = np.cumsum(trigger)
        first_of = np.searchsorted(c_idx, c_idx, side="left")
        before = np.where(first_of > 0, ct[np.maximum(first_of - 1, 0)], 0)
        defaulted = (ct - before) > 0
        on_time = rng.random(key.size) < _sigmoid(
            prm["on_time_logit_intercept"] + prm["on_time_logit_risk_coef"] * z
        )
        early = np.floor(rng.random(key.size) * (terms + 1))
        late_mean = prm["late_days_mean"] * np.exp(prm["late_days_risk_coef"] * z)
        late = terms + 1 + np.floor(rng.standard_exponential(key.size) * late_mean)
        paid = issue + np.where(on_time, early, late)
        paid = np.where(defaulted | (paid > self.D - 1), np.nan, paid)
        self.rc = dict(
            idx=c_idx, issue=issue, terms=terms, paid=paid, amount=total, defaulted=defaulted
        )
        first_default = np.flatnonzero(trigger & ((ct - before) == 1))
        self.default_prob = _sigmoid(
            prm["default_logit_intercept"] + prm["default_logit_risk_coef"] * self.credit_risk
        )
        self.default_day = np.full(self.n, -1)
        self.default_day[c_idx[first_default]] = issue[first_default]

    def contracts(self):
        """Memberships: who signs, when, which plan and billing period; end at churn."""
        prm, rng, n, D = self.prm, self.rng["contracts"], self.n, self.D
        share = float(prm["contract_share"])
        at_acq = float(prm["contract_start_at_acquisition"])
        if not (0.0 <= share <= 1.0 and 0.0 <= at_acq <= 1.0):
            raise ParameterError(
                "contract_share and contract_start_at_acquisition must lie in [0, 1]"
            )
        # one draw of each kind for every customer, members or not (stable per customer)
        member = rng.random(n) < share
        now = rng.random(n) < at_acq
        delay = rng.standard_exponential(n) * float(prm["contract_start_delay_days"])
        plan = _categorical(
            rng, _probs(prm["contract_plan_probs"], PLANS, "contract_plan_probs"), n
        )
        period = _categorical(
            rng,
            _probs(
                prm["contract_billing_period_probs"],
                BILLING_PERIODS,
                "contract_billing_period_probs",
            ),
            n,
        )
        t0 = self.t_acq + np.where(now, 0.0, delay)
        signed = member & (t0 < self.tau) & (t0 < D)
        monthly = np.array([float(prm["contract_monthly_amount"][k]) for k in PLANS])
        months = np.array([_PERIOD_MONTHS[k] for k in BILLING_PERIODS])
        disc = np.array([float(prm["contract_period_discount"][k]) for k in BILLING_PERIODS])
        idx = np.flatnonzero(signed)
        start = self._day(t0[idx])
        o = np.lexsort((idx, start))  # contract ids follow the start date
        idx, start = idx[o], start[o]
        self.k_idx = idx
        self.k_start = start
        self.k_plan = plan[idx]
        self.k_period = period[idx]
        self.k_amount = np.round(
            monthly[self.k_plan] * months[self.k_period] * (1.0 - disc[self.k_period]), 2
        )
        self.k_ended = self.tau[idx] < D
        self.k_end = np.where(self.k_ended, self._day(self.tau[idx]), -1)
        self.k_id = _ids("K", idx.size, max(6, len(str(idx.size))))
        self.member = np.full(n, -1)  # row of the customer's contract, -1 if none
        self.member[idx] = np.arange(idx.size)

    def exits(self):
        """True exit reason of every churner, what the company records, and reactivations."""
        prm, rng, n, D = self.prm, self.rng["exits"], self.n, self.D
        p_reason = _probs(prm["exit_reason_probs"], EXIT_REASONS, "exit_reason_probs")
        p_source = _probs(prm["exit_source_probs"], EXIT_SOURCES, "exit_source_probs")
        acc = np.array([float(prm["exit_reason_accuracy"][k]) for k in EXIT_SOURCES])
        if (acc < 0).any() or (acc > 1).any():
            raise ParameterError("exit_reason_accuracy values must lie in [0, 1]")
        # reason of the last hazard-driving complaint (they all lie before the churn time)
        last = np.full(n, -1)
        hc_idx, _, hc_reason = self.hc
        if hc_idx.size:
            last_row = np.r_[hc_idx[1:] != hc_idx[:-1], True]  # sorted by customer, time
            last[hc_idx[last_row]] = hc_reason[last_row]
        to_exit = np.array([EXIT_REASONS.index(r) for r in REASONS])
        use_complaint = rng.random(n) < float(prm["exit_reason_complaint_prob"])
        drawn = _categorical(rng, p_reason, n)
        true = np.where(use_complaint & (last >= 0), to_exit[np.maximum(last, 0)], drawn)
        source = _categorical(rng, p_source, n)
        correct = rng.random(n) < acc[source]
        # a wrong record: another reason, drawn from exit_reason_probs without the true one
        others = np.tile(p_reason, (n, 1))
        others[np.arange(n), true] = 0.0
        total = others.sum(axis=1)
        cum = np.cumsum(others, axis=1) / np.where(total > 0, total, 1.0)[:, None]
        wrong = np.minimum((rng.random(n)[:, None] >= cum).sum(axis=1), len(EXIT_REASONS) - 1)
        recorded = np.where(correct | (total <= 0), true, wrong)
        closes = rng.random(n) < float(prm["account_closed_prob"])
        churned = self.tau < D
        member = self.member >= 0
        # kind of the end row: 0 account_closed, 1 contract_ended, -1 none (silent or alive)
        kind = np.where(churned & member, 1, np.where(churned & closes, 0, -1))
        self.exit_true = np.where(churned, true, -1)
        self.exit_kind = kind
        self.exit_recorded = np.where(kind >= 0, recorded, -1)
        self.exit_source = np.where(kind >= 0, source, -1)

    def payments(self):
        """Partial payments of open invoices and write-offs of defaulted ones."""
        prm, rng, D = self.prm, self.rng["payments"], self.D
        rc = self.rc
        m = rc["idx"].size
        lo, hi = (float(x) for x in prm["partial_payment_share"])
        if not 0.0 <= lo <= hi < 1.0:
            raise ParameterError("partial_payment_share must be [lo, hi] with 0 <= lo <= hi < 1")
        u = rng.random(m)
        share = lo + (hi - lo) * rng.random(m)
        open_ = np.isnan(rc["paid"])
        p = np.where(
            rc["defaulted"],
            float(prm["default_partial_payment_prob"]),
            float(prm["partial_payment_prob"]),
        )
        partial = open_ & (rc["issue"] < D - 1) & (u < p)
        part = np.floor(np.round(rc["amount"] * share * 100.0, 6)) / 100.0
        paid_amount = np.where(open_, np.where(partial, part, 0.0), rc["amount"])
        due = rc["issue"] + rc["terms"]
        w_day = due + int(prm["write_off_days"])
        off = rc["defaulted"] & (w_day <= D - 1)
        written = np.where(off, np.round(rc["amount"] - paid_amount, 2), 0.0)
        rc.update(
            paid_amount=paid_amount,
            written_off=written,
            write_off=np.where(off, w_day, -1),
            partial=partial,
        )

    def credit_limits(self):
        """Initial limit or decline at the first invoice; reviews; suspension on default."""
        prm, rng, n, D = self.prm, self.rng["limits"], self.n, self.D
        rc = self.rc
        sd = float(prm["credit_screen_noise_sd"])
        step = float(prm["credit_limit_step"])
        R = int(prm["credit_review_days"])
        score0 = -self.credit_risk + sd * rng.standard_normal(n)
        inv_idx, issue = rc["idx"], rc["issue"]
        due = issue + rc["terms"]
        first = np.r_[True, inv_idx[1:] != inv_idx[:-1]] if inv_idx.size else np.zeros(0, bool)
        c = inv_idx[first]  # invoiced customers (sorted), with their first issue day
        init_day = np.full(n, -1)
        init_day[c] = issue[first]
        declined = score0 < float(prm["credit_decline_score"])
        limit0 = np.maximum(
            np.round(
                float(prm["credit_limit_base"])
                * np.exp(float(prm["credit_limit_score_coef"]) * score0)
                / step
            )
            * step,
            step,
        )
        rows_c, rows_d, rows_l, rows_k = [], [], [], []
        rows_c.append(c)
        rows_d.append(init_day[c])
        rows_l.append(np.where(declined[c], 0.0, limit0[c]))
        rows_k.append(np.where(declined[c], 3, 0))  # CREDIT_DECISIONS index
        # suspension: credit_suspend_days after the due date of the first defaulted invoice
        line = np.zeros(n, bool)
        line[c] = ~declined[c]
        susp = np.full(n, np.iinfo(np.int64).max)
        dflt = rc["defaulted"] & line[inv_idx]
        if dflt.any():
            d_idx = inv_idx[dflt]
            d_first = np.r_[True, d_idx[1:] != d_idx[:-1]]
            day = due[dflt][d_first] + int(prm["credit_suspend_days"])
            ok = day <= D - 1
            susp[d_idx[d_first][ok]] = day[ok]
        s_c = np.flatnonzero(susp <= D - 1)
        # reviews every R days after the initial decision, on the invoices due since the
        # previous review (window k holds the due days in [init + (k-1) R, init + k R))
        has = line[inv_idx]
        k_inv = (due - init_day[inv_idx]) // R + 1
        on_time = ~np.isnan(rc["paid"]) & (rc["paid"] <= due)
        K = int((D - 1) // R) + 1
        limit = np.where(line, limit0, 0.0)
        incr_min = float(prm["credit_increase_min_score"])
        f_up, f_down = float(prm["credit_increase_factor"]), float(prm["credit_decrease_factor"])
        n_late_min = int(prm["credit_decrease_late"])
        n_on_min = int(prm["credit_increase_min_on_time"])
        util = float(prm["credit_increase_utilisation"])
        self.n_reviews = np.zeros(n, np.int64)
        if inv_idx.size:
            key = inv_idx[has] * (K + 2) + np.minimum(k_inv[has], K + 1)
            size = n * (K + 2)
            late_n = np.bincount(key, weights=~on_time[has], minlength=size)
            on_n = np.bincount(key, weights=on_time[has], minlength=size)
            top = np.zeros(size)
            np.maximum.at(top, key, rc["amount"][has])
        for k in range(1, K + 1):
            z = rng.standard_normal(n)  # the score at this review (one draw per customer)
            day = init_day + k * R
            active = line & (day <= D - 1) & (day < susp)
            if not active.any() or not inv_idx.size:
                continue
            a = np.flatnonzero(active)
            kk = a * (K + 2) + k
            late, ont, mx = late_n[kk], on_n[kk], top[kk]
            old = limit[a]
            down = late >= n_late_min
            ask = ~down & (late == 0) & (ont >= n_on_min) & (mx > util * old)
            score = -self.credit_risk[a] + sd * z[a]
            up = ask & (score >= incr_min)
            no = ask & ~up
            new = old.copy()
            new[down] = np.maximum(np.floor(old[down] * f_down / step) * step, step)
            new[up] = np.ceil(old[up] * f_up / step) * step
            down &= new < old
            dec = np.where(up, 1, np.where(down, 2, np.where(no, 3, -1)))
            keep = dec >= 0
            rows_c.append(a[keep])
            rows_d.append(day[a[keep]])
            rows_l.append(new[keep])
            rows_k.append(dec[keep])
            limit[a] = new
            self.n_reviews[a] += 1
        rows_c.append(s_c)
        rows_d.append(susp[s_c])
        rows_l.append(np.zeros(s_c.size))
        rows_k.append(np.full(s_c.size, 4))
        c_all = np.concatenate(rows_c).astype(np.int64)
        d_all = np.concatenate(rows_d).astype(np.int64)
        o = np.lexsort((c_all, d_all))
        self.cl = dict(
            idx=c_all[o],
            day=d_all[o],
            limit=np.concatenate(rows_l)[o],
            decision=np.concatenate(rows_k).astype(np.int64)[o],
        )
        self.score0 = score0
        self.credit_line = line

    def costs(self):
        """Cost of goods per line, and the cost of serving each customer."""
        prm, rng, n = self.prm, self.rng["costs"], self.n
        mean, conc = float(prm["cogs_rate_mean"]), float(prm["cogs_rate_concentration"])
        if not (0.0 < mean < 1.0 and conc > 0):
            raise ParameterError(
                "cogs_rate_mean must lie in (0, 1) and cogs_rate_concentration be > 0"
            )
        self.cogs_rate = rng.beta(mean * conc, (1.0 - mean) * conc, n)
        shape = float(prm["cost_to_serve_shape"])
        _check_positive(prm, ("cost_to_serve_shape", "acquisition_cost_shape"))
        self.serve = rng.gamma(shape, 1.0 / shape, n)
        a_shape = float(prm["acquisition_cost_shape"])
        acq = np.array([float(prm["acquisition_cost"][k]) for k in CHANNELS])[self.channel]
        self.acq_cost = np.round(acq * rng.gamma(a_shape, 1.0 / a_shape, n), 2)
        # cost of goods: on the list price (a discount lowers revenue, not the cost)
        self.p_cost = np.round(self.p_amount * self.cogs_rate[self.p_idx], 2)
        self.x_cost = np.round(self.x_full * self.cogs_rate[self.x_idx], 2)
        rows = []  # (customer, time, kind index in COST_KINDS, amount)
        deliv = np.array([float(prm["delivery_cost"][k]) for k in CHANNELS])
        b_idx = np.concatenate([self.p_idx, self.x_idx])
        b_t = np.concatenate([self.p_t, self.x_t])
        amt = np.round(deliv[self.channel[b_idx]] * self.serve[b_idx], 2)
        rows.append((b_idx, b_t, 1, amt))
        svc = self.i_kind == INTERACTION_KINDS.index("service_contact")
        s_idx = self.i_idx[svc]
        rows.append(
            (
                s_idx,
                self.i_t[svc],
                0,
                np.round(float(prm["service_contact_cost"]) * self.serve[s_idx], 2),
            )
        )
        d = self.x_disc > 0
        rows.append((self.x_idx[d], self.x_t[d], 2, np.round(self.x_full[d] - self.x_amount[d], 2)))
        rows.append((np.arange(n), self.t_acq, 3, self.acq_cost))
        rc = self.rc
        w = rc["written_off"] > 0
        rows.append((rc["idx"][w], rc["write_off"][w].astype(np.float64), 4, rc["written_off"][w]))
        idx = np.concatenate([r[0] for r in rows]).astype(np.int64)
        t = np.concatenate([r[1] for r in rows])
        kind = np.concatenate([np.full(r[0].size, r[2]) for r in rows])
        amount = np.concatenate([r[3] for r in rows])
        keep = amount > 0  # e.g. no delivery for store customers (they collect)
        idx, t, kind, amount = idx[keep], t[keep], kind[keep], amount[keep]
        # by day, customer, kind (stable: in the order above within each of them)
        key = (self._day(t) * n + idx) * len(COST_KINDS) + kind
        o = np.argsort(key, kind="stable")
        self.co = dict(idx=idx[o], t=t[o], kind=kind[o], amount=amount[o])

    def texts(self):
        """The language every customer writes in (the texts themselves need the rows)."""
        prm = self.prm
        p = float(prm["text_zh_prob"])
        for name in ("text_zh_prob", "text_vague_prob", "text_decoy_prob"):
            if not 0.0 <= float(prm[name]) <= 1.0:
                raise ParameterError(f"{name} must be a probability in [0, 1]")
        for kind in ("complaint", "review"):
            if not 0.0 <= float(prm["text_probs"][kind]) <= 1.0:
                raise ParameterError(f"text_probs[{kind!r}] must be a probability in [0, 1]")
        self.writes_zh = self.rng["texts"].random(self.n) < p

    def lifecycle(self):
        """Lifecycle stages from the latent state: tenure, the warning window and churn."""
        prm, n, D = self.prm, self.n, float(self.D)
        E, M = float(prm["lifecycle_exploration_days"]), float(prm["lifecycle_maturity_days"])
        if not 0.0 <= E <= M:
            raise ParameterError(
                "lifecycle_exploration_days must be >= 0 and <= lifecycle_maturity_days"
            )
        a, tau = self.t_acq, self.tau
        W = float(prm["warning_window_days"])
        stop = np.minimum(tau, D)
        dec = np.maximum(tau - W, a)
        starts = [a, a + E, a + M, dec, tau]
        ends = [
            np.minimum(a + E, np.minimum(dec, stop)),
            np.minimum(a + M, np.minimum(dec, stop)),
            np.minimum(dec, stop),
            stop,
            np.full(n, np.inf),
        ]
        cs, ks, ss, es = [], [], [], []
        for k, (s0, e0) in enumerate(zip(starts, ends, strict=True)):
            # whole recorded days: stage k covers the days [floor(start), floor(end))
            sd = np.floor(s0)
            ed = np.where(e0 >= D, np.inf, np.floor(e0))
            ok = (s0 < e0) & (sd < ed) & (s0 < D)
            i = np.flatnonzero(ok)
            cs.append(i)
            ks.append(np.full(i.size, k))
            ss.append(sd[i])
            es.append(ed[i])
        c = np.concatenate(cs)
        k = np.concatenate(ks)
        o = np.lexsort((k, c))
        self.lc = dict(idx=c[o], stage=k[o], start=np.concatenate(ss)[o], end=np.concatenate(es)[o])

    # ----------------------------------------------------------------- assembly

    def _frame(self, table: str, cols: dict) -> pd.DataFrame:
        df = pd.DataFrame(cols)
        assert list(df.columns) == list(TABLES[table].names)
        return df

    def tables(self) -> CustomerData:
        cid = self.cid
        num = [c[1:] for c in cid]
        customers = self._frame(
            "customers",
            {
                "customer_id": cid,
                "acquisition_date": self._dates(self.t_acq),
                "region": np.array(REGIONS, dtype=object)[self.region],
                "channel": np.array(CHANNELS, dtype=object)[self.channel],
                "name": np.array([f"Test Customer {x}" for x in num], dtype=object),
                "phone": np.array([f"+999-555-{x}" for x in num], dtype=object),
                "email": np.array([f"c{x}@example.invalid" for x in num], dtype=object),
                "gender": np.array(GENDERS, dtype=object)[self.gender],
                "age_band": np.array(AGE_BANDS, dtype=object)[self.age_band],
            },
        )
        # transactions: purchases, reactivations, returns; ordered by day, customer, time
        t_idx = np.concatenate([self.p_idx, self.x_idx, self.r_idx])
        t_t = np.concatenate([self.p_t, self.x_t, self.r_t])
        amount = np.concatenate([self.p_amount, self.x_amount, self.r_amount])
        is_ret = np.r_[
            np.zeros(self.p_idx.size + self.x_idx.size, bool), np.ones(self.r_idx.size, bool)
        ]
        qty = np.r_[self.p_qty, self.x_qty, self.p_qty[self.r_src]].astype(np.int64)
        cost = np.r_[self.p_cost, self.x_cost, np.zeros(self.r_idx.size)]  # returns: 0
        o = np.lexsort((t_t, t_idx, self._day(t_t)))
        transactions = self._frame(
            "transactions",
            {
                "transaction_id": _ids("T", o.size, max(7, len(str(o.size)))),
                "customer_id": cid[t_idx[o]],
                "timestamp": self._dates(t_t[o]),
                "amount": amount[o],
                "quantity": qty[o],
                "is_return": is_ret[o],
                "cost": cost[o],
            },
        )
        o = np.lexsort((self.i_t, self.i_idx, self._day(self.i_t)))
        interactions = self._frame(
            "interactions",
            {
                "customer_id": cid[self.i_idx[o]],
                "timestamp": self._dates(self.i_t[o]),
                "kind": np.array(INTERACTION_KINDS, dtype=object)[self.i_kind[o]],
            },
        )
        # complaints: hazard complaints, warning complaints, reviews
        c_idx = np.concatenate([self.hc[0], self.wc[0], self.rv[0]])
        c_t = np.concatenate([self.hc[1], self.wc[1], self.rv[1]])
        c_reason = np.concatenate([self.hc[2], self.wc[2], self.rv[3]])
        c_src = np.repeat(np.arange(3), [self.hc[0].size, self.wc[0].size, self.rv[0].size])
        c_rating = np.concatenate(
            [np.zeros(self.hc[0].size + self.wc[0].size, np.int64), self.rv[2]]
        )
        o = np.lexsort((c_t, c_idx, self._day(c_t)))
        reasons = np.array((*REASONS, None), dtype=object)
        is_review = c_src[o] == 2
        complaints = self._frame(
            "complaints",
            {
                "customer_id": cid[c_idx[o]],
                "timestamp": self._dates(c_t[o]),
                "kind": np.where(is_review, "review", "complaint").astype(object),
                "reason": reasons[c_reason[o]],
                "rating": _nullable_int(c_rating[o], is_review),
                "text": complaint_texts(
                    self.rng["texts"],
                    reasons[c_reason[o]],
                    is_review,
                    self.writes_zh[c_idx[o]],
                    text_prob={k: float(v) for k, v in self.prm["text_probs"].items()},
                    vague_prob=float(self.prm["text_vague_prob"]),
                    decoy_prob=float(self.prm["text_decoy_prob"]),
                ),
            },
        )
        self.complaint_truth = pd.DataFrame(
            {
                "source": np.array(["hazard", "warning", "review"], dtype=object)[c_src[o]],
                "drives_hazard": c_src[o] == 0,
            }
        )
        s_idx, s_t, nps, has_nps, csat, has_csat = self.sv
        surveys = self._frame(
            "surveys",
            {
                "customer_id": cid[s_idx],
                "timestamp": self._dates(s_t),
                "nps": _nullable_int(nps, has_nps),
                "csat": _nullable_int(csat, has_csat),
            },
        )
        rc = self.rc
        o = np.lexsort((rc["idx"], rc["issue"]))
        d0 = self.days[0]
        paid = rc["paid"][o]
        paid_dates = np.full(o.size, np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = ~np.isnan(paid)
        paid_dates[ok] = (d0 + paid[ok].astype(np.int64)).astype("datetime64[ns]")
        receivables = self._frame(
            "receivables",
            {
                "invoice_id": _ids("I", o.size, max(7, len(str(o.size)))),
                "customer_id": cid[rc["idx"][o]],
                "issue_date": (d0 + rc["issue"][o]).astype("datetime64[ns]"),
                "due_date": (d0 + rc["issue"][o] + rc["terms"][o]).astype("datetime64[ns]"),
                "paid_date": paid_dates,
                "amount": rc["amount"][o],
                "payment_terms": rc["terms"][o].astype(np.int64),
                "paid_amount": rc["paid_amount"][o],
                "written_off": rc["written_off"][o],
                "write_off_date": self._opt_dates(rc["write_off"][o]),
            },
        )
        wb = self.wb
        o = np.lexsort((wb["idx"], wb["day"]))
        camp_dates = (d0 + wb["day"][o]).astype("datetime64[ns]")
        resp = wb["resp_day"][o]
        resp_dates = np.full(o.size, np.datetime64("NaT"), dtype="datetime64[ns]")
        resp_dates[resp >= 0] = (d0 + resp[resp >= 0]).astype("datetime64[ns]")
        campaigns = self._frame(
            "campaigns",
            {
                "customer_id": cid[wb["idx"][o]],
                "campaign": _month_labels("WB-", camp_dates),
                "timestamp": camp_dates,
                "kind": np.full(o.size, "winback", dtype=object),
                "offer": np.array(OFFERS, dtype=object)[wb["offer"][o]],
                "randomised": np.ones(o.size, bool),
                "responded": wb["responded"][o],
                "response_date": resp_dates,
                "offer_cost": wb["offer_cost"][o],
            },
        )
        self.offer_effects = pd.DataFrame(
            {
                "customer_id": campaigns["customer_id"].to_numpy(),
                "campaign": campaigns["campaign"].to_numpy(),
                "offer": campaigns["offer"].to_numpy(),
                "tier": np.array(TIERS, dtype=object)[wb["tier"][o]],
                "last_complaint_reason": np.array((*REASONS, "none"), dtype=object)[
                    wb["reason"][o]
                ],
                "alive": wb["alive"][o],
                **{f"p_{k}": wb["p"][o, j] for j, k in enumerate(OFFERS)},
                "p_assigned": wb["p"][o, wb["offer"][o]],
                "responded": wb["responded"][o],
            }
        )
        contracts = self._contracts_table()
        exits = self._exits_table()
        cl = self.cl
        credit_limits = self._frame(
            "credit_limits",
            {
                "customer_id": cid[cl["idx"]],
                "effective_date": (d0 + cl["day"]).astype("datetime64[ns]"),
                "limit": cl["limit"].astype(np.float64),
                "decision": np.array(CREDIT_DECISIONS, dtype=object)[cl["decision"]],
            },
        )
        co = self.co
        costs = self._frame(
            "costs",
            {
                "customer_id": cid[co["idx"]],
                "timestamp": self._dates(co["t"]),
                "kind": np.array(COST_KINDS, dtype=object)[co["kind"]],
                "amount": co["amount"],
            },
        )
        lc = self.lc
        self.lifecycle_frame = pd.DataFrame(
            {
                "customer_id": cid[lc["idx"]],
                "stage": np.array(LIFECYCLE_STAGES, dtype=object)[lc["stage"]],
                "start": self._opt_dates(lc["start"]),
                "end": self._opt_dates(lc["end"]),
            }
        )
        tables = dict(
            customers=customers,
            transactions=transactions,
            contracts=contracts,
            exits=exits,
            interactions=interactions,
            complaints=complaints,
            surveys=surveys,
            receivables=receivables,
            credit_limits=credit_limits,
            costs=costs,
            campaigns=campaigns,
        )
        # a table without rows is absent (validation refuses empty tables)
        tables = {k: (v if len(v) else None) for k, v in tables.items()}
        return CustomerData(
            **tables,
            observation_end=self.end,
            source=f"simulate(n_customers={self.n}, seed={self.seed})",
        )

    def _opt_dates(self, day: np.ndarray) -> np.ndarray:
        """Dates of whole day numbers; negative, infinite or missing days give NaT."""
        day = np.asarray(day, dtype=np.float64)
        out = np.full(day.size, np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = np.isfinite(day) & (day >= 0)
        out[ok] = (self.days[0] + day[ok].astype(np.int64)).astype("datetime64[ns]")
        return out

    def _contracts_table(self) -> pd.DataFrame:
        cid = self.cid
        ended = self.k_ended
        reason = self.exit_recorded[self.k_idx]
        return self._frame(
            "contracts",
            {
                "contract_id": self.k_id,
                "customer_id": cid[self.k_idx],
                "start_date": self._opt_dates(self.k_start),
                "end_date": self._opt_dates(self.k_end),
                "end_reason": np.where(
                    ended, np.array(EXIT_REASONS, dtype=object)[np.maximum(reason, 0)], None
                ).astype(object),
                "plan": np.array(PLANS, dtype=object)[self.k_plan],
                "billing_period": np.array(BILLING_PERIODS, dtype=object)[self.k_period],
                "recurring_amount": self.k_amount,
            },
        )

    def _exits_table(self) -> pd.DataFrame:
        """End rows at the churn day, reactivation rows at the win-back response day."""
        ends = np.flatnonzero(self.exit_kind >= 0)
        r = self.wb["responded"]
        back = self.wb["idx"][r]
        idx = np.concatenate([ends, back]).astype(np.int64)
        day = np.concatenate([self._day(self.tau[ends]), self.wb["resp_day"][r]]).astype(np.int64)
        kind = np.concatenate([self.exit_kind[ends], np.full(back.size, 2)]).astype(np.int64)
        reason = np.concatenate([self.exit_recorded[ends], np.full(back.size, -1)])
        source = np.concatenate([self.exit_source[ends], np.full(back.size, -1)])
        true = np.concatenate([self.exit_true[ends], np.full(back.size, -1)])
        contract = np.full(idx.size, None, dtype=object)
        k = self.member[idx]
        is_c = (kind == 1) & (k >= 0)
        contract[is_c] = self.k_id[k[is_c]]
        o = np.lexsort((kind, idx, day))
        reasons = np.array((*EXIT_REASONS, None), dtype=object)
        sources = np.array((*EXIT_SOURCES, None), dtype=object)
        has = reason[o] >= 0
        self.exit_truth = pd.DataFrame(
            {
                "true_reason": reasons[true[o]],
                "reason_correct": pd.array(
                    np.where(has, reason[o] == true[o], False), dtype="boolean"
                ),
            }
        )
        self.exit_truth.loc[~has, "reason_correct"] = pd.NA
        return self._frame(
            "exits",
            {
                "customer_id": self.cid[idx[o]],
                "timestamp": (self.days[0] + day[o]).astype("datetime64[ns]"),
                "kind": np.array(EXIT_KINDS, dtype=object)[kind[o]],
                "reason": reasons[reason[o]],
                "source": sources[source[o]],
                "contract_id": contract[o],
            },
        )

    def truth(self) -> pd.DataFrame:
        n, D = self.n, self.D
        horizon = D + 36525.0
        secs = np.floor(np.minimum(self.tau, horizon) * 86400.0).astype(np.int64)
        churn_time = (np.datetime64(self.start.date(), "s") + secs).astype("datetime64[ns]")
        churn_time[self.tau > horizon] = np.datetime64("NaT")
        n_hc = np.bincount(self.hc[0], minlength=n)
        contacted = np.zeros(n, bool)
        contacted[self.wb["idx"]] = True
        offer = np.full(n, None, dtype=object)
        offer[self.wb["idx"]] = np.array(OFFERS, dtype=object)[self.wb["offer"]]
        reactivated = np.zeros(n, bool)
        reactivated[self.wb["idx"]] = self.wb["responded"]
        default_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        dd = self.default_day >= 0
        default_date[dd] = (self.days[0] + self.default_day[dd]).astype("datetime64[ns]")
        return pd.DataFrame(
            {
                "customer_id": self.cid,
                "lam": self.lam,
                "purchase_rate": self.rate,
                "mu": self.mu,
                "hazard_base": self.hazard0,
                "hazard_at_end": self.hazard_end,
                "nu": self.nu,
                "expected_spend": self.prm["p"] / self.nu,
                "satisfaction": self.sat,
                "complaint_rate": self.kappa,
                "engagement": self.engagement,
                "interaction_rate": self.irate,
                "survey_panel": self.panel,
                "credit_risk": self.credit_risk,
                "default_prob": self.default_prob,
                "defaulted": dd,
                "default_date": default_date,
                "churn_time": churn_time,
                "lifetime_days": self.tau - self.t_acq,
                "churned": self.tau < D,
                "n_hazard_complaints": n_hc.astype(np.int64),
                "winback_contacted": contacted,
                "winback_offer": offer,
                "reactivated": reactivated,
                **self._new_truth(),
            }
        )

    def _new_truth(self) -> dict:
        """Truth columns of the contracts, exits, margin, credit-limit and lifecycle parts."""
        n = self.n
        k = self.member
        member = k >= 0
        contract_id = np.full(n, None, dtype=object)
        contract_id[member] = self.k_id[k[member]]
        plan = np.full(n, None, dtype=object)
        plan[member] = np.array(PLANS, dtype=object)[self.k_plan[k[member]]]
        reasons = np.array((*EXIT_REASONS, None), dtype=object)
        kinds = np.array((*EXIT_KINDS[:2], None), dtype=object)
        sources = np.array((*EXIT_SOURCES, None), dtype=object)
        # margin: net revenue - cost of goods - cost to serve (service, delivery, bad debt)
        t_idx = np.concatenate([self.p_idx, self.x_idx, self.r_idx])
        revenue = np.bincount(
            t_idx,
            weights=np.concatenate([self.p_amount, self.x_amount, self.r_amount]),
            minlength=n,
        )
        cogs = np.bincount(
            np.concatenate([self.p_idx, self.x_idx]),
            weights=np.concatenate([self.p_cost, self.x_cost]),
            minlength=n,
        )
        co = self.co

        def by_kind(*kinds_: str) -> np.ndarray:
            sel = np.isin(co["kind"], [COST_KINDS.index(x) for x in kinds_])
            return np.bincount(co["idx"][sel], weights=co["amount"][sel], minlength=n)

        serve = by_kind("service", "delivery", "bad_debt")
        margin = revenue - cogs - serve
        # rounded to cents, as a sum of the tables' cent amounts is
        revenue, cogs, serve, margin = (np.round(x, 2) for x in (revenue, cogs, serve, margin))
        last_stage = np.full(n, -1)
        last_stage[self.lc["idx"]] = self.lc["stage"]  # rows sorted by customer, stage
        return {
            "sensitive_hazard_multiplier": self.sens_hazard,
            "sensitive_rate_multiplier": self.sens_rate,
            "member": member,
            "contract_id": contract_id,
            "contract_plan": plan,
            "exit_reason": reasons[self.exit_true],
            "exit_kind": kinds[self.exit_kind],
            "exit_recorded": self.exit_kind >= 0,
            "exit_reason_recorded": reasons[self.exit_recorded],
            "exit_source": sources[self.exit_source],
            "cogs_rate": self.cogs_rate,
            "cost_to_serve_multiplier": self.serve,
            "revenue": revenue,
            "cogs": cogs,
            "cost_to_serve": serve,
            "acquisition_cost": self.acq_cost,
            "discount_cost": np.round(by_kind("discount"), 2),
            "margin": margin,
            "inferior": margin < 0,
            "credit_screen_score": self.score0,
            "credit_line": self.credit_line,
            "lifecycle_stage_at_end": np.array(LIFECYCLE_STAGES, dtype=object)[last_stage],
        }

    def run(self) -> dict:
        self.customers()
        self.churn()
        self.purchases()
        self.returns()
        self.interactions()
        self.warning_complaints()
        self.reviews()
        self.surveys()
        self.winback()
        self.credit()
        # parts added later, each from its own stream
        self.contracts()
        self.exits()
        self.payments()
        self.credit_limits()
        self.costs()
        self.lifecycle()
        self.texts()
        tables = self.tables()
        return dict(
            tables=tables,
            truth=self.truth(),
            offer_effects=self.offer_effects,
            complaint_truth=self.complaint_truth,
            exit_truth=self.exit_truth,
            lifecycle=self.lifecycle_frame,
        )
