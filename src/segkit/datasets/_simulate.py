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
from ..schema import INTERACTION_KINDS, REASONS, TABLES, CustomerData

__all__ = ["simulate", "SimulatedData", "DEFAULT_PARAMS", "REGIONS", "CHANNELS", "OFFERS"]

#: Regions of the synthetic company.
REGIONS: tuple[str, ...] = ("north", "south", "east", "west")
#: Acquisition channels of the synthetic company.
CHANNELS: tuple[str, ...] = ("online", "store", "partner")
#: Win-back offers; ``control`` receives no offer (a mail without incentive).
OFFERS: tuple[str, ...] = ("control", "discount_10", "discount_25", "service_call")
#: Former value tiers used by the win-back response model.
TIERS: tuple[str, ...] = ("high", "mid", "low")
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
}


@dataclass(repr=False)
class SimulatedData:
    """The output of :func:`simulate`: the tables, the ground truth and the parameters.

    Attributes
    ----------
    tables : CustomerData
        The seven tables of the data model, observed up to ``observation_end``.
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
    """

    tables: CustomerData
    truth: pd.DataFrame
    params: dict
    offer_effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    complaint_truth: pd.DataFrame = field(default_factory=pd.DataFrame)

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


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


# --------------------------------------------------------------------------- simulator


def simulate(
    n_customers: int = 10_000,
    start="2023-01-01",
    end="2024-12-31",
    seed: int = 0,
    **params,
) -> SimulatedData:
    """Simulate a company's seven tables with their known ground truth.

    A synthetic company sells to ``n_customers`` customers acquired between ``start``
    and ``end``. Each customer buys, spends, logs in, complains, reviews, answers
    surveys, pays invoices, churns, and may be won back, following the generative
    story below. All tables follow :data:`segkit.schema.TABLES` (day resolution:
    every timestamp is a midnight date) and end at ``end``, the observation end.
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
        ``tables`` (:class:`~segkit.schema.CustomerData` with all seven tables,
        ``observation_end=end``, ``source="simulate(n_customers=..., seed=...)"``),
        ``truth`` (one row per customer), ``params`` (every parameter used),
        ``offer_effects`` (true win-back response probabilities) and
        ``complaint_truth`` (which complaints drive the hazard).

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
        win-back offer).

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

    *Warning window (the six indicators of DOMAIN.md section 4).* In the
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

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> sim = simulate(300, seed=1)
    >>> list(sim.tables.tables())  # doctest: +NORMALIZE_WHITESPACE
    ['transactions', 'customers', 'interactions', 'complaints', 'surveys',
     'receivables', 'campaigns']
    >>> sim.tables.observation_end
    Timestamp('2024-12-31 00:00:00')
    >>> sim.tables.customers["customer_id"].iloc[0], sim.tables.customers["email"].iloc[0]
    ('C000001', 'c000001@example.invalid')
    >>> sim.params["complaint_hazard_ratio"]["price"]
    1.8
    >>> bool((sim.truth["lam"] > 0).all()), len(sim.truth)
    (True, 300)
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
        rmult = np.array([prm["region_rate_multiplier"][k] for k in REGIONS])
        cmult = np.array([prm["channel_rate_multiplier"][k] for k in CHANNELS])
        self.rate = self.lam * rmult[self.region] * cmult[self.channel]
        hmult = np.array([prm["channel_hazard_multiplier"][k] for k in CHANNELS])
        self.hazard0 = (
            self.mu * hmult[self.channel] * np.exp(prm["satisfaction_hazard_coef"] * self.sat)
        )
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
        amount = self._spend(rng, cust) * (1.0 - disc)
        within = rng.random(cust.size)
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
        )
        r = responded
        self.x_idx = cust[r]
        self.x_t = resp_day[r] + within[r]
        self.x_amount = np.maximum(np.round(amount[r], 2), 0.01)
        self.x_qty = self._quantity(rng, self.x_amount)

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
        self.rc = dict(idx=c_idx, issue=issue, terms=terms, paid=paid, amount=total)
        first_default = np.flatnonzero(trigger & ((ct - before) == 1))
        self.default_prob = _sigmoid(
            prm["default_logit_intercept"] + prm["default_logit_risk_coef"] * self.credit_risk
        )
        self.default_day = np.full(self.n, -1)
        self.default_day[c_idx[first_default]] = issue[first_default]

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
                "campaign": pd.DatetimeIndex(camp_dates).strftime("WB-%Y-%m").to_numpy(object)
                if o.size
                else np.array([], dtype=object),
                "timestamp": camp_dates,
                "kind": np.full(o.size, "winback", dtype=object),
                "offer": np.array(OFFERS, dtype=object)[wb["offer"][o]],
                "randomised": np.ones(o.size, bool),
                "responded": wb["responded"][o],
                "response_date": resp_dates,
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
        return CustomerData(
            transactions=transactions,
            customers=customers,
            interactions=interactions,
            complaints=complaints,
            surveys=surveys,
            receivables=receivables,
            campaigns=campaigns,
            observation_end=self.end,
            source=f"simulate(n_customers={self.n}, seed={self.seed})",
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
            }
        )

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
        tables = self.tables()
        return dict(
            tables=tables,
            truth=self.truth(),
            offer_effects=self.offer_effects,
            complaint_truth=self.complaint_truth,
        )
