"""The early-warning report's page (客户流失预警): who is about to leave, why, and whom to call.

The page puts the churn module (:mod:`segkit.churn`) in front of a manager:

1. **headline**: customers at risk now, the red list against the team's capacity, the
   churn rate of the last month and the customers expected to leave within the horizon;
2. the **churn definition**: narrow churn (狭义流失) after ``threshold_days`` without a
   purchase or interaction, the threshold chosen from the data (a high quantile of the
   gaps between purchases) unless given, and its trade-off (false churn against missed
   churn, :func:`segkit.churn.threshold_tradeoff`); broad churn (广义流失) beside it;
3. the **churn rate** per month (:func:`segkit.churn.churn_rate`);
4. **survival by tier**: the customers active at the start of the last window (the
   *landmark*, one evaluation horizon before the as-of date), by their tier then
   (:mod:`segkit.segment`), followed to the as-of date: Kaplan-Meier with the log-rank
   test. Tiers are read at the landmark, never after it: a tier computed at the end
   would reward the customers who stayed;
5. the **hazard model**: a Cox model on the same window, with the six warning indicators
   at the landmark (:func:`segkit.features.warning_indicators`, turned so that a
   positive unit is one halving or doubling *in the warning's direction*) and the
   customers' attributes, its hazard ratios and the proportional-hazards check in words;
6. **honest evaluation** on a time split (:mod:`segkit.churn.evaluate`): every model
   fitted on the window before the landmark and judged on the window after it;
7. the **warning list** (:class:`segkit.churn.warning.EarlyWarning`): risk, red / amber /
   green, the top drivers and a suggested action by tier, at most ``capacity`` customers
   on the red list, by pseudonym only.

The evaluation horizon is ``horizon_days + threshold_days``: narrow churn is declared
``threshold_days`` after the last activity, so a customer who leaves within the horizon
is declared churned within that longer window. Each method shows one section of
``templates/early_warning.ipynb``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from .. import plot
from ..churn import (
    AFTModel,
    CoxModel,
    SurvivalForest,
    broad_churn,
    choose_threshold,
    churn_rate,
    inter_purchase_days,
    kaplan_meier,
    threshold_tradeoff,
)
from ..churn.evaluate import HorizonClassifier, btyd_risk, compare_models, known_at, time_split
from ..churn.warning import ACTIONS_BY_SCHEME, LEVELS, EarlyWarning
from ..exceptions import ParameterError, SchemaError, SegkitError
from ..features import INDICATOR_DIRECTIONS, customer_profile
from ..features.windows import INDICATORS, warning_indicators
from ..quality import fmt_date
from .page import Page
from .tiering import SCHEMES

__all__ = ["EarlyWarningPage", "ACTIONS", "MODELS", "DIRECTIONS"]

#: Suggested actions by tier scheme, level and tier (:data:`segkit.churn.ACTIONS_BY_SCHEME`).
ACTIONS = ACTIONS_BY_SCHEME
#: The models of the evaluation, in the order of the table.
MODELS: tuple[str, ...] = ("cox", "aft", "forest", "classifier", "btyd")
#: The warning's direction of each indicator (:data:`segkit.features.INDICATOR_DIRECTIONS`).
DIRECTIONS = INDICATOR_DIRECTIONS
#: The quantile of the gaps between purchases that sets the threshold when none is given.
THRESHOLD_QUANTILE = 0.9
#: Candidate thresholds of the trade-off figure, in days (the chosen one is added).
_CANDIDATES = (30, 45, 60, 90, 120, 150, 180, 240, 300, 365)
#: Attributes of the customers the hazard model reads, when present.
_ATTRIBUTES = ("region", "channel")
_LIMITS = {"horizon_days": (7, 730), "threshold_days": (0, 730), "capacity": (1, 1_000_000)}
_LN2 = math.log(2.0)
_DAY = pd.Timedelta(days=1)


def _whole(name: str, value) -> int:
    lo, hi = _LIMITS[name]
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not float(value).is_integer() or not lo <= value <= hi):
        extra = " (0 means chosen from the data)" if name == "threshold_days" else ""
        raise ParameterError(f"{name} must be a whole number from {lo} to {hi}{extra}, "
                             f"got {value!r}")
    return int(value)


def _p_value(p: float) -> str:
    """A p-value as read: ``< 0.001``, ``= 0.012``, ``= 0.34``."""
    if not math.isfinite(p):
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def _oriented(data, as_of) -> pd.DataFrame:
    """The six indicators at ``as_of``, each per halving or doubling in its warning's direction.

    The features of the time split (:func:`segkit.churn.evaluate.time_split`): a unit of
    ``purchase_frequency_change`` here is the purchase frequency *halved*, of
    ``complaint_change`` the complaint rate *doubled*, so that a hazard ratio above 1
    means the warning works as its name says.
    """
    w = warning_indicators(data, pd.Timestamp(as_of)).set_index("customer_id")
    out = pd.DataFrame(index=w.index)
    for name in INDICATORS:
        out[name] = w[name].to_numpy(dtype=float) * DIRECTIONS[name] / _LN2
    return out


class EarlyWarningPage(Page):
    """The sections of the early-warning report, one method per template cell.

    Parameters
    ----------
    data, lang, region, title, salt
        As in :class:`~segkit.report.page.Page`.
    as_of : str, default ""
        The scoring date, ``YYYY-MM-DD`` (the page's observation end: later rows are left
        out); empty means the data's own end.
    horizon_days : int, default 90
        The risk is the probability of leaving within this many days (7 to 730).
    threshold_days : int, default 0
        Days without a purchase or interaction that make a customer churned (narrow
        churn, 0 to 730); 0 means chosen from the data (the 90% quantile of the gaps
        between purchases, :func:`segkit.churn.choose_threshold`).
    tier_scheme : {"pareto", "importance_risk", "vip"}, default "pareto"
        The tiers of the survival curves and of the actions (:data:`SCHEMES`).
    capacity : int, default 50
        How many customers the team can call: the size of the red list.
    currency : str, default "CNY"

    Attributes
    ----------
    threshold : float or None
        The threshold used, in days.
    rates : pandas.DataFrame or None
        :func:`segkit.churn.churn_rate` per month.
    warning, scored, warning_list : EarlyWarning, DataFrame, DataFrame or None
        The fitted warning system, every active customer's risk and level, and the red
        and amber customers with tier, action and drivers (pseudonymous ids).
    split : TimeSplit or None
        The time split of the last two windows (landmark design, oriented indicators).
    km, cox, ph : KaplanMeierResult, CoxModel, DataFrame or None
        Survival by tier, the hazard model and its proportional-hazards check, on the
        window after the landmark.
    metrics : pandas.DataFrame or None
        :func:`segkit.churn.evaluate.compare_models`, one row per model of :data:`MODELS`
        that could be evaluated.
    """

    title_key = "ew_title"

    def __init__(self, data, *, as_of: str = "", horizon_days: int = 90,
                 threshold_days: int = 0, tier_scheme: str = "pareto", capacity: int = 50,
                 currency: str = "CNY", **common: Any):
        if "observation_end" in common:
            raise ParameterError("the early-warning page takes as_of (the scoring date), "
                                 "not observation_end")
        if tier_scheme not in SCHEMES:
            raise ParameterError(f"tier_scheme must be one of {', '.join(SCHEMES)}, "
                                 f"got {tier_scheme!r}")
        self.horizon_days = _whole("horizon_days", horizon_days)
        self.threshold_days = _whole("threshold_days", threshold_days)
        self.capacity = _whole("capacity", capacity)
        self.tier_scheme = tier_scheme
        self.currency = currency.strip() or "CNY"
        super().__init__(data, observation_end=as_of, horizon_days=self.horizon_days,
                         threshold_days=self.threshold_days, tier_scheme=tier_scheme,
                         capacity=self.capacity, currency=self.currency, **common)
        params = dict(self.parameters)
        params.pop("observation_end", None)
        self.parameters = {"data": params.pop("data"), "as_of": as_of, **params}
        self.as_of = self.observation_end
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the render log, never the report
            self._definition()
            self._warn()
            self._window()
            self._evaluate()

    # ------------------------------------------------------------------ computing
    def _definition(self) -> None:
        """The threshold (given or chosen), its trade-off, churn rates and broad churn."""
        self.threshold = None
        self.threshold_chosen = self.threshold_days == 0
        self.gaps = None
        self.tradeoff = self.rates = self.broad = None
        try:
            self.gaps = inter_purchase_days(self.data, self.as_of)
        except SegkitError:
            self.gaps = None
        if self.threshold_chosen:
            try:
                self.threshold = choose_threshold(self.data, THRESHOLD_QUANTILE, self.as_of)
            except SegkitError:
                return
        else:
            self.threshold = float(self.threshold_days)
        first = self._first_acquisition()
        if first is None:
            return
        span = (self.as_of - first) / _DAY
        cands = sorted({float(c) for c in _CANDIDATES if c <= span / 2} | {self.threshold})
        cands = [c for c in cands if c < span]
        if len(cands) >= 2:
            try:
                self.tradeoff = threshold_tradeoff(self.data, cands, observation_end=self.as_of)
            except SegkitError:
                self.tradeoff = None
        try:
            self.rates = churn_rate(self.data, "M", "narrow", self.threshold, self.as_of)
        except SegkitError:
            self.rates = None
        if self.data.exits is not None or self.data.contracts is not None:
            try:
                self.broad = broad_churn(self.data, self.as_of)
            except SegkitError:
                self.broad = None

    def _first_acquisition(self) -> pd.Timestamp | None:
        from ..data import acquisition_dates

        acq = acquisition_dates(self.data)
        return None if not len(acq) else pd.Timestamp(acq.min())

    def _warn(self) -> None:
        """The warning system fitted and scored at the as-of date."""
        self.warning = self.scored = self.warning_list = None
        self.warning_problem = None
        if self.threshold is None:
            self.warning_problem = "no_data"
            return
        ew = EarlyWarning(horizon_days=self.horizon_days, capacity=self.capacity,
                          threshold_days=self.threshold,
                          tiers=SCHEMES[self.tier_scheme](),
                          actions=ACTIONS[self.tier_scheme])
        try:
            ew.fit(self.data, as_of=self.as_of)
        except (ParameterError, SchemaError) as err:
            self.warning_problem = "too_short"
            self.warning_error = str(err)
            return
        self.warning = ew
        self.scored = ew.score(self.data, self.as_of)
        self.warning_list = ew.warning_list(self.data, self.as_of, levels=("red", "amber"))

    @property
    def eval_horizon(self) -> float:
        """Days of each window of the time split: the horizon plus the threshold."""
        return float(self.horizon_days + (self.threshold or 0.0))

    def _window(self) -> None:
        """The time split, survival by tier and the hazard model of the last window."""
        self.split = self.km = self.cox = self.ph = None
        self.tiers = None
        self.split_error = None
        if self.threshold is None:
            return
        H = self.eval_horizon
        self.landmark = self.as_of - pd.Timedelta(days=H)
        try:
            self.split = time_split(self.data, self.landmark, H, threshold_days=self.threshold,
                                    design="landmark", features=_oriented,
                                    covariates=[c for c in _ATTRIBUTES if self._has(c)],
                                    observation_end=self.as_of)
        except SegkitError as err:
            self.split_error = str(err)
            return
        test = self.split.test.copy()
        # tiers as known at the landmark (never later: a tier read at the end rewards stayers)
        past = known_at(self.data, self.landmark)
        profile = customer_profile(past, self.landmark)
        self.tier_model = SCHEMES[self.tier_scheme]()
        tiers = self.tier_model.fit_predict(profile)
        tiers.index = profile["customer_id"].to_numpy()
        self.tier_labels = self.tier_model.labels(self.lang)
        test["tier"] = tiers.reindex(test["customer_id"].to_numpy()).astype(object).to_numpy()
        test = test.loc[test["tier"].notna()].reset_index(drop=True)
        test["tier_label"] = test["tier"].map(self.tier_labels)
        self.window = test
        if len(test) and test["event"].any():
            self.km = kaplan_meier(test, "tier_label")
        self.cox, self.cox_penalizer = self._hazard_model(test)
        if self.cox is not None:
            self.ph = self.cox.check_assumptions()

    def _has(self, column: str) -> bool:
        c = self.data.customers
        return c is not None and column in c.columns and c[column].notna().any()

    def _hazard_model(self, frame: pd.DataFrame):
        frame = frame.assign(age_years=frame["age"].to_numpy(dtype=float) / 365.25)
        cols = [*INDICATORS, "age_years",
                *[c for c in _ATTRIBUTES if c in frame and frame[c].notna().all()]]
        if not frame["event"].any():
            return None, None
        for pen in (0.0, 0.01, 0.1):
            try:
                return CoxModel(penalizer=pen).fit(frame, covariate_cols=cols), pen
            except (SegkitError, ValueError, np.linalg.LinAlgError):
                continue
        return None, None

    def _evaluate(self) -> None:
        """Every model of :data:`MODELS` on the time split (one at a time: one may fail)."""
        self.metrics = None
        self.calibration = None
        self.eval_times = None
        if self.split is None:
            return
        H = self.split.follow_up
        t = self.split.test["duration"].to_numpy(dtype=float)
        times = np.unique(np.round(np.linspace(0.15, 0.85, 5) * H))
        times = times[(times >= t.min()) & (times < t.max())]
        if len(times) < 2 or not self.split.test["event"].any():
            return
        self.eval_times = times
        makers = {
            "cox": lambda: CoxModel(penalizer=0.01),
            "aft": lambda: AFTModel("weibull", penalizer=0.01),
            "forest": lambda: SurvivalForest(n_estimators=100, min_samples_leaf=15),
            "classifier": lambda: HorizonClassifier(H, stacked=False),
            "btyd": lambda: btyd_risk(self.split),
        }
        rows, calib = [], {}
        for name in MODELS:
            try:
                table = compare_models({name: makers[name]()}, self.split, times)
            except (SegkitError, ValueError, np.linalg.LinAlgError):
                continue
            calib[name] = table.attrs.get("calibration", {}).get(name)
            rows.append(table)
        if rows:
            self.metrics = pd.concat(rows)
            self.calibration = calib

    # ------------------------------------------------------------------ helpers
    def header_rows(self) -> list[tuple[str, str]]:
        g = self.g
        if self.threshold is None:
            th = "–"
        elif self.threshold_chosen:
            th = g("header_ch_threshold_chosen", days=f"{self.threshold:g}",
                   q=f"{THRESHOLD_QUANTILE:.0%}")
        else:
            th = g("header_ch_threshold_given", days=f"{self.threshold:g}")
        return [
            (g["header_ch_horizon"], escape(g("header_ch_days", days=self.horizon_days))),
            (g["header_ch_threshold"], escape(th)),
            (g["header_tier_scheme"], escape(g(f"tier_scheme_{self.tier_scheme}"))),
            (g["header_ch_capacity"], escape(g("header_ch_capacity_value",
                                               n=f"{self.capacity:,}"))),
        ]

    def _level_counts(self) -> dict[str, int]:
        if self.scored is None:
            return dict.fromkeys(LEVELS, 0)
        lv = self.scored["level"].astype(str)
        return {name: int((lv == name).sum()) for name in LEVELS}

    def _last_rate(self) -> pd.Series | None:
        if self.rates is None:
            return None
        done = self.rates.loc[self.rates["complete"].to_numpy(dtype=bool)
                              & (self.rates["at_risk"] > 0).to_numpy()]
        return None if done.empty else done.iloc[-1]

    def _period(self, ts) -> str:
        return plot.period_label(pd.Timestamp(ts), "M", self.lang)

    def _indicator(self, code) -> str:
        """A driver in words (its code when the glossary has no word for it)."""
        return self.g(f"ind_{code}") if f"ind_{code}" in self.g else str(code)

    def _covariate(self, name: str) -> str:
        """A design column of the hazard model in words: indicator, age, or attribute level."""
        g = self.g
        if name in INDICATORS:
            return g(f"cov_ch_{name}")
        if name == "age_years":
            return g["cov_ch_age_years"]
        col, _, level = name.partition("=")
        if level:
            base = self.cox.design_.levels.get(col, [None])[0] if self.cox is not None else None
            return g("cov_ch_level", col=g(f"col_{col}") if f"col_{col}" in g else col,
                     level=level, base=base if base is not None else "–")
        return name

    def _model_label(self, name: str) -> str:
        return self.g(f"model_ch_{name}")

    def _ready(self) -> bool:
        if self.threshold is None:
            self.note("ch_no_threshold")
            return False
        return True

    @staticmethod
    def _pct(x: float, digits: int = 1) -> str:
        return "–" if x is None or not math.isfinite(float(x)) else f"{float(x):.{digits}%}"

    # ------------------------------------------------------------------ sections
    def headline(self) -> None:
        """Customers at risk now, red against capacity, last churn rate, expected churners."""

        g = self.g
        self.heading("sec_ch_headline", end=fmt_date(self.as_of))
        if not self._ready():
            return
        cards = []
        n = self._level_counts()
        h = self.horizon_days
        if self.scored is not None:
            active = len(self.scored)
            at_risk = n["red"] + n["amber"]
            cards.append((g["kpi_ch_at_risk"], f"{at_risk:,}",
                          g("kpi_ch_at_risk_note", red=f"{n['red']:,}", amber=f"{n['amber']:,}",
                            active=f"{active:,}")))
            cards.append((g["kpi_ch_red"], g("kpi_ch_red_value", red=f"{n['red']:,}",
                                              capacity=f"{self.capacity:,}"),
                          g("kpi_ch_red_note_full" if n["red"] >= self.capacity
                            else "kpi_ch_red_note_spare",
                            spare=f"{self.capacity - n['red']:,}",
                            more=f"{n['amber']:,}")))
        last = self._last_rate()
        if last is not None:
            cards.append((g("kpi_ch_rate", period=self._period(last["period_start"])),
                          self._pct(last["churn_rate"]),
                          g("kpi_ch_rate_note", churned=f"{int(last['churned']):,}",
                            at_risk=f"{int(last['at_risk']):,}")))
        if self.scored is not None:
            expected = float(self.scored["risk"].sum())
            cards.append((g("kpi_ch_expected", h=h), f"{expected:,.0f}",
                          g("kpi_ch_expected_note", share=self._pct(
                              expected / max(len(self.scored), 1)), active=f"{len(self.scored):,}")))
        self.show_kpis(cards)
        if self.scored is not None:
            self.note("sec_ch_headline_note", end=fmt_date(self.as_of), h=h,
                      active=f"{len(self.scored):,}", days=f"{self.threshold:g}",
                      expected=f"{float(self.scored['risk'].sum()):,.0f}",
                      red=f"{n['red']:,}", capacity=f"{self.capacity:,}")
        else:
            self.note("ch_no_warning", days=f"{self.threshold:g}", h=h)

    def definition(self) -> None:
        """Narrow and broad churn, how the threshold was chosen and what it trades off."""
        g = self.g
        self.heading("sec_ch_definition")
        if not self._ready():
            return
        th = f"{self.threshold:g}"
        words = [g("ch_def_narrow", days=th), g["ch_def_broad"]]
        if self.gaps is not None and len(self.gaps):
            q = np.quantile(self.gaps.to_numpy(dtype=float), [0.5, THRESHOLD_QUANTILE])
            words.append(g("ch_def_gaps", n=f"{len(self.gaps):,}", median=f"{q[0]:.0f}",
                           q=f"{THRESHOLD_QUANTILE:.0%}", high=f"{q[1]:.0f}"))
        words.append(g("ch_def_chosen", days=th, q=f"{THRESHOLD_QUANTILE:.0%}")
                     if self.threshold_chosen else g("ch_def_given", days=th))
        if self.broad is not None:
            year = self.as_of - pd.Timedelta(days=365)
            b = self.broad
            recent = b["churned"] & (b["churn_date"] > year)
            words.append(g("ch_def_broad_count", n=f"{int(b['churned'].sum()):,}",
                           total=f"{len(b):,}", recent=f"{int(recent.sum()):,}"))
        self.show_list(words)
        if self.tradeoff is None:
            self.note("ch_tradeoff_short")
            return
        self.figure(plot.threshold_tradeoff(self.tradeoff, lang=self.figure_lang,
                                            chosen=self.threshold), "fig_ch_tradeoff")
        t = self.tradeoff.set_index("threshold_days")
        if self.threshold not in t.index:  # longer than the history can check
            return
        row = t.loc[self.threshold]
        as_of = fmt_date(pd.Timestamp(self.tradeoff.attrs["as_of"]))
        self.note("ch_tradeoff_note", date=as_of, days=th,
                  false=self._pct(row["false_churn_rate"], 0),
                  missed=self._pct(row["missed_rate"], 0),
                  n=f"{int(row['n_declared']):,}")
        shorter = t.index[t.index < self.threshold]
        longer = t.index[t.index > self.threshold]
        if len(shorter) and len(longer):
            s, lo = t.loc[shorter[0]], t.loc[longer[-1]]
            self.note("ch_tradeoff_ends", short=f"{shorter[0]:g}", long=f"{longer[-1]:g}",
                      short_false=self._pct(s["false_churn_rate"], 0),
                      long_missed=self._pct(lo["missed_rate"], 0))

    def churn_rates(self) -> None:
        """The churn rate per month, and the last month's in words."""
        self.heading("sec_ch_rate")
        if not self._ready():
            return
        if self.rates is None or not (self.rates["at_risk"] > 0).any():
            self.note("no_data")
            return
        self.figure(plot.churn_rate(self.rates, lang=self.figure_lang, time_grain="M",
                                    title=self.g("fig_ch_churn_rate_days",
                                                 days=f"{self.threshold:g}")),
                    "fig_ch_churn_rate_days", days=f"{self.threshold:g}")
        last = self._last_rate()
        if last is None:
            return
        done = self.rates.loc[self.rates["complete"].to_numpy(dtype=bool)
                              & (self.rates["at_risk"] > 0).to_numpy()].tail(12)
        mean = float(done["churned"].sum() / done["at_risk"].sum())
        self.note("ch_rate_note", period=self._period(last["period_start"]),
                  rate=self._pct(last["churn_rate"]), churned=f"{int(last['churned']):,}",
                  at_risk=f"{int(last['at_risk']):,}", months=len(done),
                  mean=self._pct(mean), year=self._pct(1 - (1 - mean) ** 12, 0))
        self.note("ch_rate_definition")

    def survival_by_tier(self) -> None:
        """Kaplan-Meier by tier at the landmark, with the log-rank test, in words."""
        g = self.g
        self.heading("sec_ch_km", scheme=g(f"tier_scheme_{self.tier_scheme}"))
        if not self._ready():
            return
        if self.km is None:
            self._window_problem()
            return
        start = fmt_date(self.landmark)
        order = [self.tier_labels[t] for t in self.tier_model.tiers_
                 if self.tier_labels[t] in self.km.fitters]
        self.figure(plot.survival_curves(self.km.curves, lang=self.figure_lang,
                                         logrank=self.km.logrank, order=order, unit="D",
                                         start=start,
                                         title=g("fig_ch_km_tier", date=start)),
                    "fig_ch_km_tier", date=start)
        H = self.split.follow_up
        at = self.km.survival_at([H])
        w = self.window
        rows = []
        for label in order:
            part = w.loc[w["tier_label"] == label]
            rows.append({g["legend_tier"]: label,
                         g["tcol_customers"]: f"{len(part):,}",
                         g["tcol_ch_churned"]: f"{int(part['event'].sum()):,}",
                         g("tcol_ch_still_active", days=f"{H:.0f}"):
                             self._pct(float(at.loc[label].iloc[0]), 0)})
        self.table(pd.DataFrame(rows))
        self.note("ch_km_note", date=start, end=fmt_date(self.as_of),
                  n=f"{len(w):,}", days=f"{H:.0f}", scheme=g(f"tier_scheme_{self.tier_scheme}"))
        lr = self.km.logrank
        if lr is not None:
            p = float(lr["p_value"])
            best = max(order, key=lambda lab: float(at.loc[lab].iloc[0]))
            worst = min(order, key=lambda lab: float(at.loc[lab].iloc[0]))
            self.note("ch_km_differ" if p < 0.05 else "ch_km_same",
                      p=_p_value(p), best=best, worst=worst,
                      best_share=self._pct(float(at.loc[best].iloc[0]), 0),
                      worst_share=self._pct(float(at.loc[worst].iloc[0]), 0), days=f"{H:.0f}")

    def _window_problem(self) -> None:
        need = 2 * self.eval_horizon
        self.note("ch_window_short", days=f"{need:.0f}", h=self.horizon_days,
                  threshold=f"{self.threshold:g}")

    def hazard_model(self) -> None:
        """The Cox model's hazard ratios with the proportional-hazards check in words."""
        g = self.g
        self.heading("sec_ch_cox")
        if not self._ready():
            return
        if self.cox is None:
            self._window_problem()
            return
        hr = self.cox.hazard_ratios_
        shown = hr[["hazard_ratio", "lower", "upper"]].copy()
        shown.index = [self._covariate(c) for c in hr.index]
        self.figure(plot.hazard_ratios(shown, lang=self.figure_lang), "fig_ch_hazard_ratios")
        self.table(pd.DataFrame({
            g["tcol_ch_covariate"]: shown.index,
            g["tcol_ch_hr"]: [f"{v:.2f}" for v in hr["hazard_ratio"]],
            g["tcol_ch_interval"]: [f"{lo:.2f} – {hi:.2f}" for lo, hi in
                                   zip(hr["lower"], hr["upper"], strict=True)],
            g["tcol_ch_p"]: [_p_value(p).replace("= ", "") for p in hr["p"]],
            g["tcol_ch_ph"]: [g("ch_phcell_" + (self.ph.loc[c, "remedy"] if self.ph is not None
                                            and c in self.ph.index else "none"))
                              for c in hr.index],
        }))
        w = self.window
        self.note("ch_cox_note", date=fmt_date(self.landmark), end=fmt_date(self.as_of),
                  n=f"{len(w):,}", events=f"{int(w['event'].sum()):,}",
                  c=f"{self.cox.concordance_:.2f}")
        words = []
        for c in INDICATORS:
            if c not in hr.index:
                continue
            r = hr.loc[c]
            key = ("ch_cox_ind_up" if r["lower"] > 1 else "ch_cox_ind_down" if r["upper"] < 1
                   else "ch_cox_ind_none")
            words.append(g(key, what=g(f"cov_ch_{c}"), hr=f"{r['hazard_ratio']:.2f}",
                           lo=f"{r['lower']:.2f}", hi=f"{r['upper']:.2f}",
                           pct=f"{abs(r['hazard_ratio'] - 1):.0%}"))
        self.show_list(words)
        if self.cox_penalizer:
            self.note("ch_cox_penalized", pen=f"{self.cox_penalizer:g}")
        self._ph_words()

    def _ph_words(self) -> None:
        ph = self.ph
        if ph is None:
            return
        bad = ph.loc[ph["violated"]]
        if bad.empty:
            self.note("ch_ph_ok", n=len(ph))
            return
        names = "、".join if self.lang == "zh" else ", ".join
        strat = [self._covariate(c) for c in bad.index[bad["remedy"] == "stratify"]]
        inter = [self._covariate(c) for c in bad.index[bad["remedy"] == "time_interaction"]]
        self.note("ch_ph_bad", n=len(bad), total=len(ph),
                  names=names([self._covariate(c) for c in bad.index]))
        if strat:
            self.note("ch_ph_stratify", names=names(strat))
        if inter:
            self.note("ch_ph_interact", names=names(inter))

    def evaluation(self) -> None:
        """Every model on the time split: concordance, AUC, Brier score and calibration."""
        g = self.g
        self.heading("sec_ch_eval")
        if not self._ready():
            return
        if self.metrics is None:
            if self.split is None:
                self._window_problem()
            else:
                self.note("ch_eval_none")
            return
        s = self.split
        H = s.follow_up
        self.note("ch_eval_design", landmark=fmt_date(s.landmark), split=fmt_date(s.split_date),
                  end=fmt_date(s.follow_up_end), days=f"{H:.0f}", h=self.horizon_days,
                  threshold=f"{self.threshold:g}", n_train=f"{len(s.train):,}",
                  n_test=f"{len(s.test):,}", events=f"{int(s.test['event'].sum()):,}")
        m = self.metrics
        labels = [self._model_label(n) for n in m.index]

        def col(name, fmt):
            return [("–" if not np.isfinite(v) else fmt(v)) for v in m[name].to_numpy(dtype=float)]

        self.table(pd.DataFrame({
            g["tcol_ch_model"]: labels,
            g["metric_ch_harrell_c"]: col("harrell_c", lambda v: f"{v:.3f}"),
            g["metric_ch_uno_c"]: col("uno_c", lambda v: f"{v:.3f}"),
            g["metric_ch_auc_mean"]: col("auc_mean", lambda v: f"{v:.3f}"),
            g["metric_ch_ibs"]: col("ibs", lambda v: f"{v:.3f}"),
            g["metric_ch_calibration"]: col("calibration_mae", lambda v: f"{v:.1%}"),
        }))
        shown = m[["harrell_c", "uno_c", "auc_mean", "ibs"]].copy()
        shown.index = labels
        self.figure(plot.model_metrics(shown, lang=self.figure_lang,
                                       chosen=self._model_label("cox")), "fig_ch_metrics")
        best = str(m["uno_c"].idxmax())
        self.note("ch_eval_note", best=self._model_label(best), c=f"{m.loc[best, 'uno_c']:.3f}",
                  times=", ".join(f"{t:g}" for t in self.eval_times))
        missing = [self._model_label(n) for n in MODELS if n not in m.index]
        if missing:
            self.note("ch_eval_missing", names=", ".join(missing))
        if "btyd" in m.index:
            self.note("ch_eval_btyd")
        table = (self.calibration or {}).get("cox")
        if table is not None and "cox" in m.index:
            self.figure(plot.calibration(table, lang=self.figure_lang, horizon=H, unit="D",
                                         model_label=self._model_label("cox")),
                        "fig_ch_calibration", h=f"{H:g}", unit=g["grain_n_D"])
            self.note("ch_calibration_note", days=f"{H:.0f}",
                      mae=self._pct(m.loc["cox", "calibration_mae"]),
                      bias=f"{m.loc['cox', 'calibration_bias']:+.1%}")

    def warning_section(self) -> None:
        """Risk levels, their thresholds against the capacity, and the top drivers."""
        g = self.g
        self.heading("sec_ch_warning", end=fmt_date(self.as_of))
        if not self._ready():
            return
        if self.warning is None:
            self.note("ch_no_warning", days=f"{self.threshold:g}", h=self.horizon_days)
            return
        ew, s = self.warning, self.scored
        n = self._level_counts()
        red_t = s.attrs.get("red_threshold", np.nan)
        self.figure(plot.risk_distribution(s["risk"], lang=self.figure_lang,
                                           horizon_days=self.horizon_days,
                                           amber_threshold=ew.amber_threshold_,
                                           red_threshold=red_t, capacity=self.capacity,
                                           levels=s["level"].astype(str)),
                    "fig_ch_risk", h=self.horizon_days)
        self.note("ch_levels_note", h=self.horizon_days, base=self._pct(ew.base_rate_),
                  amber=self._pct(ew.amber_threshold_), factor=f"{ew.amber_factor:g}",
                  capacity=f"{self.capacity:,}", red=f"{n['red']:,}", n_amber=f"{n['amber']:,}",
                  green=f"{n['green']:,}", active=f"{len(s):,}")
        sep = "、" if self.lang == "zh" else ", "
        covariates = list(getattr(ew, "covariates_", INDICATORS))
        dates = ew.train_dates_
        self.note("ch_model_note", covariates=sep.join(self._indicator(c) for c in covariates),
                  k=len(dates), first=fmt_date(dates.min()), last=fmt_date(dates.max()),
                  n=f"{ew.n_train_:,}", events=f"{ew.n_events_:,}", days=f"{self.threshold:g}")
        wl = self.warning_list
        if wl is None or wl.empty:
            return
        rows = []
        for level in ("red", "amber"):
            part = wl.loc[wl["level"].astype(str) == level]
            for tier in self._tier_order(part["tier"]):
                sel = part.loc[part["tier"] == tier]
                rows.append({g["tcol_ch_level"]: g(f"level_{level}"),
                             g["legend_tier"]: self._tier_word(tier),
                             g["tcol_customers"]: f"{len(sel):,}",
                             g["tcol_ch_action"]: g(f"action_{sel['action'].iloc[0]}")})
        self.table(pd.DataFrame(rows))
        if (wl["level"].astype(str) == "red").any():
            self.figure(plot.warning_drivers(wl, lang=self.figure_lang, level="red"),
                        "fig_ch_drivers", level=g["level_red"], n=f"{n['red']:,}")
            red = wl.loc[wl["level"].astype(str) == "red"]
            first = red["driver_1"].dropna().astype(str).value_counts()
            if len(first):
                self.note("ch_drivers_note", what=self._indicator(first.index[0]),
                          n=f"{int(first.iloc[0]):,}", red=f"{len(red):,}")

    def _tier_order(self, tiers: pd.Series) -> list[str]:
        scheme = SCHEMES[self.tier_scheme]
        present = set(tiers.astype(str))
        return [t for t in scheme.TIERS if t in present]

    def _tier_word(self, tier) -> str:
        scheme = SCHEMES[self.tier_scheme]()
        return scheme.labels(self.lang).get(str(tier), str(tier))

    def warning_table(self) -> None:
        """The red list: whom to call, by pseudonym, with risk, tier, action and drivers."""
        g = self.g
        self.heading("sec_ch_list", capacity=f"{self.capacity:,}")
        if not self._ready():
            return
        if self.warning_list is None:
            self.note("ch_no_warning", days=f"{self.threshold:g}", h=self.horizon_days)
            return
        wl = self.warning_list
        red = wl.loc[wl["level"].astype(str) == "red"].head(self.capacity)
        if red.empty:
            self.note("ch_list_empty", amber=self._pct(self.warning.amber_threshold_))
            return
        labels = SCHEMES[self.tier_scheme]().labels(self.lang)
        sep = "、" if self.lang == "zh" else ", "
        drivers = [sep.join(self._indicator(d) for d in r if isinstance(d, str))
                   or g["ch_no_driver"]
                   for r in red[["driver_1", "driver_2", "driver_3"]].itertuples(index=False)]
        self.table(pd.DataFrame({
            g["tcol_ch_rank"]: red["rank"].astype(int).map("{:,}".format).to_numpy(),
            g["tcol_customer"]: red["customer_id"].to_numpy(),
            g("tcol_ch_risk", h=self.horizon_days): [f"{v:.1%}" for v in red["risk"]],
            g["tcol_ch_relative"]: [f"{v:.1f}×" for v in red["relative_risk"]],
            g["legend_tier"]: [labels.get(str(t), str(t)) for t in red["tier"]],
            g["tcol_ch_action"]: [g(f"action_{a}") for a in red["action"]],
            g["tcol_ch_drivers"]: drivers,
        }))
        self.note("ch_list_note", n=f"{len(red):,}", capacity=f"{self.capacity:,}",
                  h=self.horizon_days)
