"""The valuation report's page: what each customer is worth, alive or not, and how sure we are.

A purchase model of the BTYD family (BG/NBD, Pareto/NBD or MBG/NBD, from
:mod:`segkit.value`) and the Gamma-Gamma spend model, in weeks counted in days as in
the literature. The page

1. checks the purchase model as the papers do: fitted on a **calibration** period only
   (up to ``holdout_weeks`` before the observation end), its predictions for the
   **holdout** set beside what happened (by calibration frequency, week by week, per
   customer), and the three purchase models compared on the same split;
2. **refits** on every purchase up to the observation end and predicts, per customer,
   P(alive), the expected purchases and the discounted lifetime value over the horizon,
   with an interval from a parametric bootstrap over the estimated parameters;
3. puts the customers in value tiers by lifetime value (the 80% / 95% rule of
   :class:`segkit.segment.ParetoTiers`), each tier with its probability; sets past
   revenue beside predicted value ("a big customer is not necessarily a good
   customer"); checks the Gamma-Gamma independence assumption; and shows a few
   customers, by pseudonym only.

A model whose likelihood has no proper maximum on the data is refitted with a small
penalty and, failing that, replaced by the BG/NBD; the page says so in words. Each method
shows one section of ``templates/valuation.ipynb``.
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
from ..exceptions import ConvergenceError, ParameterError, SchemaError, SegkitError
from ..features import customer_profile, summary
from ..quality import fmt_date
from ..segment import ParetoTiers
from ..value._base import fit_with_penalty
from ..value.bgnbd import BetaGeoModel
from ..value.clv import (
    PERIODS_PER_MONTH,
    bootstrap_customer_lifetime_value,
    clv_tier_probability,
    expected_customer_lifetime_value,
    historic_vs_predictive,
)
from ..value.gamma_gamma import GammaGammaModel, check_independence
from ..value.mbgnbd import ModifiedBetaGeoModel
from ..value.pareto_nbd import ParetoNBDModel
from ..value.validation import (
    calibration_holdout,
    compare_models,
    expected_vs_actual,
    per_customer_error,
    tracking,
)
from .page import Page

__all__ = ["ValuationPage", "MODELS"]

#: The purchase models a report can use, by parameter value.
MODELS: dict[str, type] = {
    "bgnbd": BetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "mbgnbd": ModifiedBetaGeoModel,
}
#: The model used when the chosen one has no proper maximum on the data.
_FALLBACK = "bgnbd"
#: Penalties tried in turn when a fit has no proper maximum (lifetimes' penalizer_coef).
_PENALTIES = (0.0, 0.001, 0.01)
#: Days per model time unit: weeks, counted in days (the CDNOW papers' unit).
_DAYS = 7
_WEEKS_PER_MONTH = PERIODS_PER_MONTH["W"]
_WEEKS_PER_YEAR = 52.0
#: The share of customers of the "top" groups (headline, historic against predictive).
TOP_SHARE = 0.2
#: A tier probability from which a customer is called sure of the tier.
SURE = 0.9
_SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ"}
_LIMITS = {"holdout_weeks": (1, 260), "horizon_months": (1, 120), "n_draws": (2, 2000)}


def _whole(name: str, value) -> int:
    lo, hi = _LIMITS[name]
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not float(value).is_integer() or not lo <= value <= hi):
        raise ParameterError(f"{name} must be a whole number from {lo} to {hi}, got {value!r}")
    return int(value)


def _fit(cls, data, **kwargs):
    """``cls`` fitted on ``data``: unpenalised, else with each of :data:`_PENALTIES`.

    Returns ``(model, penalizer)``, or ``(None, None)`` when no fit has a proper maximum
    or the data cannot be fitted (no repeat purchase, no row).
    """
    try:
        return fit_with_penalty(cls, data, _PENALTIES, **kwargs)
    except (ConvergenceError, SchemaError, ParameterError):
        return None, None


class ValuationPage(Page):
    """The sections of the valuation report, one method per template cell.

    Parameters
    ----------
    data, observation_end, lang, region, title, salt
        As in :class:`~segkit.report.page.Page`. The observation end is the end of the
        holdout; the calibration period ends ``holdout_weeks`` before it.
    model : {"bgnbd", "pareto_nbd", "mbgnbd"}, default "bgnbd"
        The purchase model (:data:`MODELS`).
    holdout_weeks : int, default 26
        Weeks of the holdout period of the validation (1 to 260).
    horizon_months : int, default 12
        Months of the lifetime value and of the expected purchases (1 to 120).
    discount_rate : float, default 0.01
        Discount rate per month (0 to 0.5).
    n_draws : int, default 50
        Parameter draws of the bootstrap intervals (2 to 2000).
    currency : str, default "CNY"

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer with a purchase up to the observation end: the summary
        (``frequency``, ``recency``, ``T`` in weeks, ``monetary_value``), ``p_alive``,
        ``expected`` (purchases over the horizon), ``clv`` with ``clv_low`` and
        ``clv_high`` (the bootstrap's 5% and 95% quantiles), ``tier``,
        ``tier_probability`` and ``historic`` (net revenue so far). Pseudonymous ids.
    model, spend_model : fitted models or None
        The purchase model used (``model_used`` names it) and the Gamma-Gamma model,
        fitted on everything up to the observation end.
    """

    title_key = "valuation_title"

    def __init__(self, data, *, model: str = "bgnbd", holdout_weeks: int = 26,
                 horizon_months: int = 12, discount_rate: float = 0.01, n_draws: int = 50,
                 currency: str = "CNY", **common: Any):
        if model not in MODELS:
            raise ParameterError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
        self.holdout_weeks = _whole("holdout_weeks", holdout_weeks)
        self.horizon_months = _whole("horizon_months", horizon_months)
        self.n_draws = _whole("n_draws", n_draws)
        if (isinstance(discount_rate, bool) or not isinstance(discount_rate, numbers.Real)
                or not 0 <= discount_rate <= 0.5):
            raise ParameterError(f"discount_rate must be a number from 0 to 0.5 (per month, "
                                 f"0.01 is 1% a month), got {discount_rate!r}")
        self.discount_rate = float(discount_rate)
        self.model_name = model
        self.currency = currency.strip() or "CNY"
        super().__init__(data, model=model, holdout_weeks=self.holdout_weeks,
                         horizon_months=self.horizon_months, discount_rate=self.discount_rate,
                         n_draws=self.n_draws, currency=self.currency, **common)
        self.calibration_end = self.observation_end - pd.Timedelta(days=_DAYS * self.holdout_weeks)
        self.horizon_weeks = self.horizon_months * _WEEKS_PER_MONTH
        self._predict()
        self._validate()

    # ------------------------------------------------------------------ computing
    def _transactions(self) -> pd.DataFrame | None:
        tx = self.data.transactions
        return tx if tx is not None and len(tx) else None

    def _predict(self) -> None:
        """Fit on everything up to the observation end; predict per customer."""
        self.model = self.spend_model = self.boot = self.hp = None
        self.model_used, self.penalizer, self.spend_penalizer = self.model_name, None, None
        self.customers = pd.DataFrame()
        self.n_excluded = 0
        self.independence = None
        self.scheme = None
        tx = self._transactions()
        if tx is None:
            return
        try:
            s = summary(tx, monetary_value_col="amount", observation_end=self.observation_end,
                        freq="D", freq_multiplier=_DAYS, after_end="drop")
        except SchemaError:
            return
        if s.empty:
            return
        self.model, self.penalizer = _fit(MODELS[self.model_name], s)
        if self.model is None and self.model_name != _FALLBACK:
            self.model, self.penalizer = _fit(MODELS[_FALLBACK], s)
            self.model_used = _FALLBACK
        frame = s.copy()
        if self.model is None:
            self.customers = frame
            return
        frame["p_alive"] = self.model.expected_probability_alive(s).to_numpy()
        frame["expected"] = self.model.expected_purchases(s, future_t=self.horizon_weeks
                                                          ).to_numpy()
        refunded = (s["frequency"] > 0) & (s["monetary_value"] <= 0)
        self.n_excluded = int(refunded.sum())
        spend_data = s.loc[~refunded]
        self.independence = check_independence(spend_data)
        self.spend_model, self.spend_penalizer = _fit(GammaGammaModel, spend_data)
        profile = customer_profile(self.data, self.observation_end)
        revenue = profile.set_index("customer_id")["revenue"]
        frame["historic"] = s["customer_id"].map(revenue).fillna(0.0).to_numpy(dtype=float)
        self.customers = frame
        if self.spend_model is None:
            return
        spend = s.assign(monetary_value=s["monetary_value"].clip(lower=0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                clv = expected_customer_lifetime_value(
                    self.model, self.spend_model, spend, future_t=self.horizon_months,
                    discount_rate=self.discount_rate, time_unit="W")
            except SegkitError:
                return
            try:
                self.boot = bootstrap_customer_lifetime_value(
                    self.model, self.spend_model, spend, future_t=self.horizon_months,
                    discount_rate=self.discount_rate, time_unit="W", n_draws=self.n_draws,
                    random_state=0)
            except SegkitError:
                self.boot = None
        frame["clv"] = clv.to_numpy()
        if self.boot is not None:
            frame["clv_low"] = self.boot.summary["q05"].to_numpy()
            frame["clv_high"] = self.boot.summary["q95"].to_numpy()
        self.scheme = ParetoTiers(value_col="clv", inferior_col=None)
        frame["tier"] = self.scheme.fit_predict(frame).to_numpy()
        if self.boot is not None:
            prob = clv_tier_probability(
                self.boot, {"key": self.scheme.key_threshold_,
                            "ordinary": self.scheme.ordinary_threshold_},
                point=frame["clv"].to_numpy(), rest="small", index=frame.index)
            frame["tier_probability"] = prob["tier_probability"].to_numpy()
        self.hp = historic_vs_predictive(frame["historic"], frame["clv"], top_share=TOP_SHARE)
        self.customers = frame

    def _validate(self) -> None:
        """The calibration/holdout split, the calibration fit and the model comparison."""
        self.split = self.cal_model = self.cal_penalizer = None
        self.model_table = None
        self.split_problem = "no_data"
        tx = self._transactions()
        if tx is None or self.model is None:
            return
        try:
            split = calibration_holdout(tx, self.calibration_end, self.observation_end)
        except (SchemaError, ParameterError):
            self.split_problem = "too_short"
            return
        cal = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency",
                                    "T_cal": "T"})
        self.cal_model, self.cal_penalizer = _fit(MODELS[self.model_used], cal)
        if self.cal_model is None:
            self.split_problem = "no_fit"
            return
        self.split, self.split_problem = split, None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.by_frequency = expected_vs_actual(self.cal_model, split)
            self.tracking = tracking(self.cal_model, tx, self.calibration_end,
                                     self.observation_end, freq="D", freq_multiplier=_DAYS)
            self.errors = per_customer_error(self.cal_model, split)
            fitted, status = {}, {}
            for name, cls in MODELS.items():
                if name == self.model_used:
                    m, pen = self.cal_model, self.cal_penalizer
                else:
                    m, pen = _fit(cls, cal)
                status[name] = pen
                if m is not None:
                    fitted[name] = m
            table = compare_models(fitted, split)
        self.model_table = table.reindex(list(MODELS))
        self.comparison_penalizer = status

    # ------------------------------------------------------------------ helpers
    def _model_label(self, name: str) -> str:
        return self.g(f"model_{name}")

    @property
    def _rate(self) -> str:
        """The monthly discount rate as a percentage: 1%, 0.5%."""
        return f"{100 * self.discount_rate:g}%"

    def _money(self, x: float) -> str:
        return f"{x:,.0f} {self.currency}" if abs(x) >= 100 else f"{x:,.2f} {self.currency}"

    def _amount(self, x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"

    @staticmethod
    def _num(x: float, digits: int = 4) -> str:
        if not math.isfinite(x):
            return "–"
        if x != 0 and abs(x) < 10 ** -(digits - 1):
            return f"{x:.{digits - 1}e}"
        return f"{x:,.{digits}g}" if abs(x) < 10**digits else f"{x:,.0f}"

    def _interval(self, low: float, high: float, fmt=None) -> str:
        fmt = fmt or self._amount
        return f"{fmt(low)} – {fmt(high)}"

    def _tier_label(self, tier) -> str:
        return self.scheme.labels(self.lang)[str(tier)] if self.scheme is not None else ""

    def header_rows(self) -> list[tuple[str, str]]:
        g = self.g
        model = self._model_label(self.model_name)
        if self.model_used != self.model_name and self.model is not None:
            model = g("val_model_replaced", requested=model,
                      used=self._model_label(self.model_used))
        return [
            (g["header_val_model"], escape(model)),
            (g["header_val_split"], escape(g("header_val_split_value",
                                             cal_end=fmt_date(self.calibration_end),
                                             weeks=self.holdout_weeks,
                                             end=fmt_date(self.observation_end)))),
            (g["header_val_horizon"], escape(g("header_val_horizon_value",
                                               months=self.horizon_months,
                                               rate=self._rate))),
            (g["header_val_time_unit"], escape(g["val_time_unit"])),
            (g["header_currency"], escape(self.currency)),
        ]

    def _ready(self, need_clv: bool = False) -> bool:
        """Whether the section has what it shows; otherwise say why, in words."""
        if self.customers.empty:
            self.note("no_data")
            return False
        if self.model is None:
            self.note("val_no_model")
            return False
        if need_clv and "clv" not in self.customers:
            self.note("val_no_spend_model")
            return False
        return True

    def _param_table(self, model) -> None:
        g = self.g
        table = model.summary()
        prefix = "gg" if isinstance(model, GammaGammaModel) else (
            "pnbd" if isinstance(model, ParetoNBDModel) else "bg")
        self.table(pd.DataFrame({
            g["tcol_val_parameter"]: [_SYMBOLS.get(p, p) for p in table.index],
            g["tcol_val_meaning"]: [g(f"param_{prefix}_{p}") for p in table.index],
            g["tcol_val_estimate"]: [self._num(v) for v in table["estimate"]],
            g["tcol_val_se"]: [self._num(v, 3) for v in table["standard_error"]],
            g["tcol_val_interval95"]: [self._interval(lo, hi, self._num)
                                       for lo, hi in zip(table["lower_95"], table["upper_95"],
                                                         strict=True)],
        }))

    # ------------------------------------------------------------------ sections
    def headline(self) -> None:
        """Customers, expected purchases, total lifetime value and its concentration, as cards."""

        g = self.g
        self.heading("sec_val_headline", end=fmt_date(self.observation_end))
        if not self._ready():
            return
        c = self.customers
        n = len(c)
        months = self.horizon_months
        cards = [(g["kpi_val_customers"], f"{n:,}",
                  g("kpi_val_customers_note", alive=f"{c['p_alive'].sum():,.0f}",
                    one_time=f"{int((c['frequency'] == 0).sum()):,}")),
                 (g("kpi_val_purchases", months=months), f"{c['expected'].sum():,.0f}",
                  g("kpi_val_purchases_note", per_customer=f"{c['expected'].mean():.2f}"))]
        if "clv" in c:
            total = float(c["clv"].sum())
            if self.boot is not None:
                low, high = self._total_interval()
                note = g("kpi_val_clv_note", low=self._amount(low), high=self._amount(high))
            else:
                note = g["kpi_val_clv_no_interval"]
            cards.append((g("kpi_val_clv", months=months), self._money(total), note))
            k = max(1, math.ceil(TOP_SHARE * n))
            top = np.sort(c["clv"].to_numpy())[::-1][:k].sum()
            cards.append((g("kpi_val_top", share=f"{TOP_SHARE:.0%}"),
                          f"{top / total:.0%}" if total > 0 else "–",
                          g("kpi_val_top_note", n=f"{k:,}")))
        self.show_kpis(cards)
        self.note("sec_val_headline_note", model=self._model_label(self.model_used),
                  n=f"{n:,}", end=fmt_date(self.observation_end), months=months,
                  rate=self._rate, currency=self.currency)
        if "clv" not in c:
            self.note("val_no_spend_model")

    def _total_interval(self) -> tuple[float, float]:
        """5% and 95% quantiles of the total lifetime value over the bootstrap draws."""
        n = len(self.customers)
        totals = np.zeros(self.boot.n_draws)
        step = max(1, (1 << 22) // self.boot.n_draws)
        for start in range(0, n, step):
            totals += self.boot.draws(slice(start, min(n, start + step))).sum(axis=0)
        low, high = np.quantile(totals, [0.05, 0.95])
        return float(low), float(high)

    def purchase_model(self) -> None:
        """The purchase model fitted on everything: its parameters and what they say."""
        g = self.g
        self.heading("sec_val_model", model=self._model_label(self.model_used))
        if not self._ready():
            return
        if self.model_used != self.model_name:
            self.note("val_fallback", requested=self._model_label(self.model_name),
                      used=self._model_label(self.model_used))
        self.note(f"model_desc_{self.model_used}")
        m = self.model
        self._param_table(m)
        p = m.params_
        words = [g("val_words_rate", rate=f"{p['r'] / p['alpha']:.3f}",
                   year=f"{_WEEKS_PER_YEAR * p['r'] / p['alpha']:.1f}")]
        if self.model_used == "pareto_nbd":
            survive = (p["beta"] / (p["beta"] + _WEEKS_PER_YEAR)) ** p["s"]
            words.append(g("val_words_dropout_pnbd", rate=f"{p['s'] / p['beta']:.4f}",
                           share=f"{survive:.0%}"))
        else:
            words.append(g(f"val_words_dropout_{self.model_used}",
                           p=f"{p['a'] / (p['a'] + p['b']):.1%}"))
        words.append(g("val_words_new", n=f"{m.expected_purchases_new_customer(52.0):.2f}"))
        words.append(g("val_words_fit", ll=f"{m.log_likelihood_:,.1f}",
                       n=f"{int(m.n_obs_):,}", distinct=f"{m.n_distinct_:,}"))
        if self.penalizer:
            words.append(g("val_penalized", pen=f"{self.penalizer:g}"))
        self.show_list(words)

    def validation(self) -> None:
        """The calibration fit's predictions for the holdout, against what happened."""
        g = self.g
        self.heading("sec_val_validation", cal_end=fmt_date(self.calibration_end),
                     weeks=self.holdout_weeks, end=fmt_date(self.observation_end))
        if not self._ready():
            return
        if self.split is None:
            self.note(f"val_split_{self.split_problem}", cal_end=fmt_date(self.calibration_end),
                      weeks=self.holdout_weeks)
            return
        label = self._model_label(self.model_used)
        self.figure(plot.expected_vs_actual(self.by_frequency, lang=self.figure_lang,
                                            model_label=label), "fig_val_expected_vs_actual")
        self.figure(plot.tracking(self.tracking, lang=self.figure_lang,
                                  calibration_end=self.calibration_end, model_label=label),
                    "fig_val_tracking")
        e = self.errors
        rows = [
            ("val_err_customers", f"{int(e['n_customers']):,}"),
            ("val_err_actual", f"{e['actual_total']:,.0f}"),
            ("val_err_expected", f"{e['expected_total']:,.0f}"),
            ("val_err_total", "–" if not math.isfinite(e["total_error"])
             else f"{e['total_error']:+.1%}"),
            ("val_err_mae", f"{e['mae']:.3f}"),
            ("val_err_rmse", f"{e['rmse']:.3f}"),
            ("val_err_corr", "–" if not math.isfinite(e["correlation"])
             else f"{e['correlation']:.3f}"),
        ]
        self.table(pd.DataFrame({g["tcol_val_measure"]: [g[k] for k, _ in rows],
                                 g["tcol_val_value"]: [v for _, v in rows]}))
        self.note("sec_val_validation_note", model=label, n=f"{int(e['n_customers']):,}",
                  cal_end=fmt_date(self.calibration_end), weeks=self.holdout_weeks,
                  actual=f"{e['actual_total']:,.0f}", expected=f"{e['expected_total']:,.0f}")
        if self.cal_penalizer:
            self.note("val_penalized", pen=f"{self.cal_penalizer:g}")

    def comparison(self) -> None:
        """The three purchase models on the same split: fit and holdout error."""
        g = self.g
        self.heading("sec_val_compare")
        if not self._ready():
            return
        if self.model_table is None:
            self.note(f"val_split_{self.split_problem}", cal_end=fmt_date(self.calibration_end),
                      weeks=self.holdout_weeks)
            return
        t = self.model_table
        labels = [self._model_label(n) for n in t.index]

        def fmt(col, f):
            return [("" if not np.isfinite(v) else f(v)) for v in t[col].to_numpy(dtype=float)]

        status = []
        for name in t.index:
            pen = self.comparison_penalizer.get(name)
            status.append(g["val_status_failed"] if pen is None else
                          g("val_status_penalized", pen=f"{pen:g}") if pen else
                          g["val_status_ok"])
        self.table(pd.DataFrame({
            g["tcol_val_model"]: labels,
            g["tcol_val_status"]: status,
            g["tcol_val_loglik"]: fmt("log_likelihood", lambda v: f"{v:,.1f}"),
            g["tcol_val_bic"]: fmt("bic", lambda v: f"{v:,.1f}"),
            g["tcol_val_total_error"]: fmt("total_error", lambda v: f"{v:+.1%}"),
            g["tcol_val_mae"]: fmt("mae", lambda v: f"{v:.3f}"),
            g["tcol_val_rmse"]: fmt("rmse", lambda v: f"{v:.3f}"),
            g["tcol_val_corr"]: fmt("correlation", lambda v: f"{v:.3f}"),
        }))
        shown = pd.DataFrame({"mae": t["mae"].to_numpy(dtype=float),
                              "total_error": t["total_error"].to_numpy(dtype=float)},
                             index=labels)
        self.figure(plot.model_comparison(shown, lang=self.figure_lang,
                                          chosen=self._model_label(self.model_used)),
                    "fig_val_model_comparison")
        ok = t.dropna(subset=["mae"])
        if len(ok):
            self.note("sec_val_compare_note",
                      best_mae=self._model_label(str(ok["mae"].idxmin())),
                      best_bic=self._model_label(str(ok["bic"].idxmin())),
                      model=self._model_label(self.model_used))

    def alive(self) -> None:
        """P(alive) over the customers and over frequency and recency."""
        self.heading("sec_val_alive", end=fmt_date(self.observation_end))
        if not self._ready():
            return
        c = self.customers
        self.figure(plot.probability_alive_distribution(c["p_alive"], c["frequency"],
                                                        lang=self.figure_lang),
                    "fig_val_alive_distribution")
        T = float(math.ceil(c["T"].max()))
        top_f = int(np.clip(np.ceil(c["frequency"].quantile(0.99)), 5, 40))
        self.figure(plot.probability_alive_matrix(self.model, lang=self.figure_lang, T=T,
                                                  max_frequency=top_f),
                    "fig_val_alive_matrix", T=f"{T:.0f}")
        low = c["p_alive"] < 0.5
        self.note("sec_val_alive_note", n=f"{int(low.sum()):,}", total=f"{len(c):,}",
                  share=f"{low.mean():.0%}", alive=f"{c['p_alive'].sum():,.0f}")
        one = c["frequency"] == 0
        if self.model_used == "bgnbd":
            self.note("val_one_time_bgnbd")
        elif one.any():
            self.note("val_one_time_other", model=self._model_label(self.model_used),
                      mean=f"{c.loc[one, 'p_alive'].mean():.0%}")

    def lifetime_value(self) -> None:
        """The lifetime values over the horizon, their total and its interval."""
        g = self.g
        self.heading("sec_val_clv", months=self.horizon_months)
        if not self._ready(need_clv=True):
            return
        c = self.customers
        self.figure(plot.clv_distribution(c["clv"], lang=self.figure_lang,
                                          months=self.horizon_months, currency=self.currency),
                    "fig_val_clv_distribution", months=self.horizon_months)
        n = len(c)
        total = float(c["clv"].sum())
        rows = [(g["val_clv_total"], self._money(total)),
                (g["val_clv_mean"], self._money(total / n)),
                (g["val_clv_median"], self._money(float(c["clv"].median())))]
        low = high = None
        if self.boot is not None:
            low, high = self._total_interval()
        intervals = ([self._interval(low, high), self._interval(low / n, high / n), ""]
                     if low is not None else ["", "", ""])
        self.table(pd.DataFrame({g["tcol_val_measure"]: [r[0] for r in rows],
                                 g["tcol_val_value"]: [r[1] for r in rows],
                                 g["tcol_val_interval90"]: intervals}))
        self.note("sec_val_clv_note", months=self.horizon_months,
                  rate=self._rate, currency=self.currency)
        if self.boot is not None:
            self.note("val_bootstrap", draws=self.n_draws)
            if self.boot.n_rejected:
                self.note("val_bootstrap_rejected", n=self.boot.n_rejected)
        else:
            self.note("kpi_val_clv_no_interval")

    def tiers(self) -> None:
        """Value tiers by lifetime value, each customer's tier with its probability."""
        g = self.g
        self.heading("sec_val_tiers")
        if not self._ready(need_clv=True):
            return
        c = self.customers
        rules = self.scheme.rules(self.lang)
        self.table(rules[["label", "condition"]].rename(columns={
            "label": g["legend_tier"], "condition": g["tcol_condition"]}))
        total = float(c["clv"].sum())
        order = [t for t in self.scheme.tiers_ if (c["tier"] == t).any()]
        rows = []
        for t in order:
            part = c[c["tier"] == t]
            row = {g["legend_tier"]: self._tier_label(t),
                   g["tcol_customers"]: f"{len(part):,}",
                   g["tcol_val_clv_share"]: f"{part['clv'].sum() / total:.1%}" if total > 0
                   else "–",
                   g["tcol_val_mean_clv"]: self._amount(float(part["clv"].mean()))}
            if "tier_probability" in c:
                row[g["tcol_val_mean_prob"]] = f"{part['tier_probability'].mean():.0%}"
                row[g("tcol_val_sure", share=f"{SURE:.0%}")] = \
                    f"{(part['tier_probability'] >= SURE).mean():.0%}"
            rows.append(row)
        self.table(pd.DataFrame(rows))
        labels = self.scheme.labels(self.lang)
        word = g["val_clv_word"]
        self.figure(plot.value_concentration(c["clv"], c["tier"].map(labels).astype(str),
                                             [labels[t] for t in order], lang=self.figure_lang,
                                             value_label=word),
                    "fig_value_concentration", value=word)
        self.note("sec_val_tiers_note", draws=self.n_draws, sure=f"{SURE:.0%}")
        if "tier_probability" in c:
            unsure = int((c["tier_probability"] < SURE).sum())
            self.note("val_tiers_unsure", n=f"{unsure:,}", sure=f"{SURE:.0%}")

    def historic(self) -> None:
        """Past revenue against predicted lifetime value."""
        self.heading("sec_val_historic")
        if not self._ready(need_clv=True):
            return
        c, hp = self.customers, self.hp
        self.figure(plot.historic_vs_predictive(hp.frame, lang=self.figure_lang,
                                                currency=self.currency, p_alive=c["p_alive"],
                                                top_share=TOP_SHARE),
                    "fig_val_historic_predictive")
        big = hp.frame["top_historic"] & ~hp.frame["top_predictive"]
        rho = "–" if not math.isfinite(hp.rank_correlation) else f"{hp.rank_correlation:.2f}"
        past = float(c["historic"].clip(lower=0).sum())
        self.note("sec_val_historic_note", rho=rho, share=f"{TOP_SHARE:.0%}",
                  overlap=f"{hp.top_overlap:.0%}" if math.isfinite(hp.top_overlap) else "–",
                  n=f"{int(big.sum()):,}",
                  alive=f"{c.loc[big.to_numpy(), 'p_alive'].mean():.0%}" if big.any() else "–",
                  past=f"{c.loc[big.to_numpy(), 'historic'].clip(lower=0).sum() / past:.0%}"
                  if past > 0 else "–")
        self.note("val_big_not_good")

    def spend(self) -> None:
        """The Gamma-Gamma spend model and its independence check."""
        g = self.g
        self.heading("sec_val_spend")
        if not self._ready():
            return
        check = self.independence
        if check is not None:
            r = f"{check.correlation:.2f}" if math.isfinite(check.correlation) else "–"
            if not math.isfinite(check.correlation):
                self.note("val_independence_na", n=f"{check.n_customers:,}")
            elif check.material:
                self.note("val_independence_material", n=f"{check.n_customers:,}", r=r,
                          threshold=f"{check.threshold:g}",
                          who=g["val_who_frequent" if check.correlation > 0
                                else "val_who_infrequent"])
            else:
                self.note("val_independence_ok", n=f"{check.n_customers:,}", r=r,
                          threshold=f"{check.threshold:g}")
        if self.spend_model is None:
            self.note("val_no_spend_model")
            return
        m = self.spend_model
        self._param_table(m)
        p, q, gam = (float(m.params_[k]) for k in ("p", "q", "gamma"))
        words = [g("val_spend_fitted", n=f"{int(m.n_obs_):,}")]
        if self.n_excluded:
            words.append(g("val_spend_excluded", n=f"{self.n_excluded:,}"))
        if q > 1:
            words.append(g("val_spend_mean", mean=self._money(p * gam / (q - 1))))
        if self.spend_penalizer:
            words.append(g("val_penalized", pen=f"{self.spend_penalizer:g}"))
        self.show_list(words)

    def examples(self) -> None:
        """A few customers, by pseudonym: P(alive), expected purchases, value and tier."""
        g = self.g
        self.heading("sec_val_examples")
        if not self._ready(need_clv=True):
            return
        c = self.customers.sort_values("customer_id", kind="stable")
        picks: list[tuple[str, Any]] = [("val_ex_top", c["clv"].idxmax())]
        big = self.hp.frame.loc[c.index]
        big = c[(big["top_historic"] & ~big["top_predictive"]).to_numpy()]
        if len(big):
            picks.append(("val_ex_big_not_good", big["historic"].idxmax()))
        repeat = c.loc[c["frequency"] > 0, "frequency"]
        frequent = c[c["frequency"] >= max(3.0, float(repeat.median()) if len(repeat) else 3.0)]
        if len(frequent):
            picks.append(("val_ex_silent", frequent["p_alive"].idxmin()))
        one = c[c["frequency"] == 0]
        if len(one):
            picks.append(("val_ex_one_time", one["T"].idxmax()))
        # rounded: the last bits of a sum computed in parallel must not change the pick
        typical = (c["clv"] - c["clv"].median()).abs().round(6)
        picks.append(("val_ex_typical", typical.idxmin()))
        seen, rows = set(), []
        for key, i in picks:
            if i in seen:
                continue
            seen.add(i)
            r = c.loc[i]
            rows.append({
                g["tcol_customer"]: r["customer_id"],
                g["tcol_val_why"]: g[key],
                g["tcol_val_repeat"]: f"{int(r['frequency']):,}",
                g["tcol_val_weeks_since"]: f"{r['T'] - r['recency']:.0f}",
                g["tcol_val_p_alive"]: f"{r['p_alive']:.0%}",
                g("tcol_val_expected", months=self.horizon_months): f"{r['expected']:.2f}",
                g["tcol_val_clv"]: self._amount(float(r["clv"])),
                g["tcol_val_low"]: self._amount(float(r["clv_low"])) if "clv_low" in c else "",
                g["tcol_val_high"]: self._amount(float(r["clv_high"])) if "clv_low" in c else "",
                g["legend_tier"]: self._tier_label(r["tier"]),
                g["tcol_val_tier_prob"]: f"{r['tier_probability']:.0%}"
                if "tier_probability" in c else "",
            })
        self.table(pd.DataFrame(rows))
        self.note("sec_val_examples_note", currency=self.currency)
