"""The lost-customer review's page (战败客户回顾): who left, why, at what cost, and whom to win back.

The page puts the win-back module (:mod:`segkit.winback`) in front of a manager, for
the customers lost in a review period (``period_start`` to ``period_end``):

1. **headline**: customers lost in the period, the revenue and margin they took with
   them (a year of their former monthly value), the share that came back, and what the
   budget is expected to win back;
2. the **lost-customer database** (:func:`segkit.winback.lost_customers`, narrow churn
   after ``threshold_days`` without activity) by former tier: key / ordinary / small /
   inferior, with the reminder that some churn is not worth reversing;
3. **loss reasons** by former tier, region or period (``reason_by``) with their trend
   (:func:`segkit.winback.loss_reasons`), stated in ``exits`` or inferred from the last
   complaint, and how many of each;
4. the **cost of churn** (:func:`segkit.winback.cost_of_churn`): revenue and margin lost,
   unrecovered acquisition cost, and the lifetime value lost, from a BG/NBD and
   Gamma-Gamma model of :mod:`segkit.value` fitted on the purchases before the period;
5. **win-back effects** of the randomised campaigns (:func:`segkit.winback.offer_effects`,
   with 95% intervals); rows not randomised are left out and the page says so;
6. **heterogeneous effects**: one meta-learner per offer (:class:`segkit.winback.OfferUplift`)
   fitted on 70% of the randomised rows, judged on the other 30% by its Qini curve, the
   area under it and the uplift among the top 30%;
7. **targeting under the budget** (好钢用在刀刃上): :func:`segkit.winback.allocate` on the
   customers lost in the period who have not come back, inferior former customers and
   customers of negative margin never; the policies compared on the held-out rows by
   :func:`segkit.winback.backtest_targeting`, their gain estimated without bias from the
   randomised responses (inverse-probability weighting) with its standard error; and the
   contact list, by
   pseudonym only.

Sections whose tables are missing (CDNOW has transactions only) say so in a sentence.
Each method shows one section of ``templates/lost_customer_review.ipynb``.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import warnings
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .. import plot
from ..churn import choose_threshold
from ..exceptions import ParameterError, SegkitError
from ..features import customer_profile
from ..quality import fmt_date
from ..winback import (
    DAYS_PER_MONTH,
    FRAME_KEYS,
    DRLearner,
    OfferUplift,
    SLearner,
    TLearner,
    XLearner,
    allocate,
    backtest_targeting,
    cost_of_churn,
    learning_frame,
    loss_reasons,
    lost_in_period,
    offer_effects,
    qini_auc,
    qini_curve,
    uplift_at_k,
    value_if_won_back,
)
from .page import Page

__all__ = ["LostCustomerReviewPage", "REASON_BY", "LEARNERS", "TIERS"]

#: Groupings of the loss reasons (parameter ``reason_by``) -> the columns of loss_reasons.
REASON_BY: dict[str, tuple[str, ...]] = {"tier": ("former_tier",), "region": ("region",),
                                         "period": ()}
#: Meta-learners of the heterogeneous effects (parameter ``learner``).
LEARNERS: dict[str, type] = {"s": SLearner, "t": TLearner, "x": XLearner, "dr": DRLearner}
#: Former tiers of the lost-customer database, best first.
TIERS: tuple[str, ...] = ("key", "ordinary", "small", "inferior")
#: Tiers never contacted: winning them back loses money.
EXCLUDED_TIERS: tuple[str, ...] = ("inferior",)
#: Share of the randomised campaign rows held out to judge the uplift model.
HOLDOUT = 0.3
#: The top share of the uplift-at-k measure.
TOP_K = 0.3
#: Months of the value of a won-back customer and of the revenue lost.
HORIZON_MONTHS = 12
#: Rows of the contact list shown on the page (the whole list is counted).
LIST_ROWS = 25
_QUANTILE = 0.9
_SEED = 0


def _date(name: str, value: str) -> pd.Timestamp | None:
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a date written YYYY-MM-DD or empty, got {value!r}")
    if not value.strip():
        return None
    try:
        return pd.Timestamp(_dt.date.fromisoformat(value.strip()))
    except ValueError:
        raise ParameterError(f"{name} must be a date written YYYY-MM-DD or empty, "
                             f"got {value!r}") from None


class LostCustomerReviewPage(Page):
    """The sections of the lost-customer review, one method per template cell.

    Parameters
    ----------
    data, lang, region, title, salt
        As in :class:`~segkit.report.page.Page`. The observation end is the data's own:
        what became of the lost customers is followed up to it.
    period_start, period_end : str, default ""
        The review period, ``YYYY-MM-DD``: the customers whose churn date falls in it
        (both days included). Empty ``period_end`` means the observation end; empty
        ``period_start`` the day after the same date a year before the end.
    reason_by : {"tier", "region", "period"}, default "tier"
        Grouping of the loss reasons (:data:`REASON_BY`).
    budget : float, default 2000
        The win-back budget, in the currency (0 or more).
    learner : {"s", "t", "x", "dr"}, default "t"
        The meta-learner of the heterogeneous effects (:data:`LEARNERS`).
    threshold_days : int, default 0
        Days without activity after which a customer is lost (narrow churn, 0 to 730);
        0 means chosen from the data (the 90% quantile of the gaps between purchases).
    currency : str, default "CNY"

    Attributes
    ----------
    lost : pandas.DataFrame or None
        :func:`segkit.winback.lost_customers` of the customers lost in the period
        (pseudonymous ids).
    reasons, cost, clv : LossReasons, DataFrame, Series or None
    effects, n_not_randomised : DataFrame or None, int
    uplift_scores, qini : DataFrame, dict or None
        Held-out rows with the predicted uplift; per offer the Qini curve, its area
        and the uplift at the top 30%.
    policies, allocation : DataFrame or None
        :func:`segkit.winback.backtest_targeting` on the held-out rows and
        :func:`segkit.winback.allocate` on the lost customers who have not come back.
    """

    title_key = "lcr_title"

    def __init__(self, data, *, period_start: str = "", period_end: str = "",
                 reason_by: str = "tier", budget: float = 2000.0, learner: str = "t",
                 threshold_days: int = 0, currency: str = "CNY", **common: Any):
        if "observation_end" in common:
            raise ParameterError("the lost-customer review takes period_start and period_end, "
                                 "not observation_end")
        if reason_by not in REASON_BY:
            raise ParameterError(f"reason_by must be one of {', '.join(REASON_BY)}, "
                                 f"got {reason_by!r}")
        if learner not in LEARNERS:
            raise ParameterError(f"learner must be one of {', '.join(LEARNERS)}, got {learner!r}")
        if (isinstance(budget, bool) or not isinstance(budget, numbers.Real)
                or not math.isfinite(budget) or budget < 0):
            raise ParameterError(f"budget must be a number of 0 or more, got {budget!r}")
        if (isinstance(threshold_days, bool) or not isinstance(threshold_days, numbers.Real)
                or not float(threshold_days).is_integer() or not 0 <= threshold_days <= 730):
            raise ParameterError("threshold_days must be a whole number from 0 to 730 "
                                 f"(0 means chosen from the data), got {threshold_days!r}")
        start, end = _date("period_start", period_start), _date("period_end", period_end)
        if start is not None and end is not None and start > end:
            raise ParameterError(f"period_start {period_start} is after period_end {period_end}")
        self.reason_by, self.learner = reason_by, learner
        self.budget, self.threshold_days = float(budget), int(threshold_days)
        self.currency = currency.strip() or "CNY"
        super().__init__(data, period_start=period_start, period_end=period_end,
                         reason_by=reason_by, budget=self.budget, learner=learner,
                         threshold_days=self.threshold_days, currency=self.currency, **common)
        params = dict(self.parameters)
        params.pop("observation_end", None)
        self.parameters = params
        obs = self.observation_end
        if end is not None and end > obs:
            raise ParameterError(f"period_end {period_end} is after the data's end "
                                 f"({fmt_date(obs)})")
        self.period_end = end if end is not None else obs
        self.period_start = (start if start is not None
                             else self.period_end - pd.DateOffset(years=1) + pd.Timedelta(days=1))
        if self.period_start > self.period_end:
            raise ParameterError(f"period_start {period_start} is after the period's end "
                                 f"({fmt_date(self.period_end)})")
        # small fits: one thread each (many OpenMP threads contend on a busy machine)
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")  # the render log, never the report
            self._database()
            self._value()
            self._campaigns()
            self._targeting()

    # ------------------------------------------------------------------ computing
    def _tx(self) -> pd.DataFrame | None:
        tx = self.data.transactions
        return tx if tx is not None and len(tx) else None

    @property
    def has_costs(self) -> bool:
        """Whether margins can be known: a costs table, or costs on the transactions."""
        tx = self.data.transactions
        return self._has("costs") or (tx is not None and "cost" in tx.columns
                                      and bool(tx["cost"].notna().any()))

    def _has(self, table: str) -> bool:
        df = getattr(self.data, table)
        return df is not None and len(df) > 0

    def _database(self) -> None:
        """The threshold, the lost customers of the period and their reasons."""
        self.threshold = None
        self.lost = self.reasons = None
        if self._tx() is None:
            return
        try:
            self.threshold = (float(self.threshold_days) if self.threshold_days
                              else choose_threshold(self.data, _QUANTILE, self.period_end))
            self.lost = lost_in_period(self.data, self.period_start, self.period_end,
                                       self.threshold, horizon_months=HORIZON_MONTHS)
        except SegkitError:
            self.threshold = None
            self.lost = None
            return
        if not len(self.lost):
            return
        self.reason_freq = "Q" if (self.period_end - self.period_start).days > 183 else "M"
        self.reasons = loss_reasons(self.lost, by=REASON_BY[self.reason_by],
                                    freq=self.reason_freq)

    def cutoffs(self) -> list[pd.Timestamp]:
        """The dates at which the lost customers were read
        (:func:`segkit.winback.lost_in_period`): every month end of the period (every
        quarter end beyond two years), and its last day."""
        if self.lost is None:
            return []
        return [pd.Timestamp(c) for c in self.lost.attrs.get("cutoffs", [])]

    def _value(self) -> None:
        """The cost of churn, with the lifetime value as seen at the start of the period."""
        self.clv = self.cost = None
        if self.lost is None or not len(self.lost):
            return
        tx = self._tx()
        before = self.period_start - pd.Timedelta(days=1)
        try:  # BG/NBD and Gamma-Gamma on the purchases before the period
            won = value_if_won_back(tx, before, horizon_months=HORIZON_MONTHS)
        except SegkitError:
            won = None
        if won is not None and (won["frequency"] > 0).sum() >= 20:
            self.clv = won["clv"]
        self.cost = cost_of_churn(self.lost, by="former_tier", clv=self.clv)
        self.cost_total = cost_of_churn(self.lost, clv=self.clv)

    def _campaigns(self) -> None:
        """Offer effects of the randomised rows, the uplift model and its held-out check."""
        self.effects = self.frame = self.model = None
        self.uplift_scores = self.qini = None
        self.n_campaign_rows = self.n_not_randomised = 0
        self.campaign_problem = None
        if not self._has("campaigns"):
            self.campaign_problem = "no_campaigns"
            return
        cam = self.data.campaigns
        self.n_campaign_rows = len(cam)
        rand = cam["randomised"].fillna(False).astype(bool).to_numpy()
        self.n_not_randomised = int((~rand).sum())
        cam = cam.loc[rand]
        if cam.empty or not (cam["offer"] == "control").any() or cam["offer"].nunique() < 2:
            self.campaign_problem = "no_randomised"
            return
        self.campaigns = cam.reset_index(drop=True)
        self.effects = offer_effects(self.campaigns)
        self.offers = [str(o) for o in self.effects["offer"].iloc[1:]]
        self.offer_cost = self._offer_costs()
        tx = self._tx()
        if tx is None:
            return
        frame = learning_frame(self.campaigns, tx, self.data.complaints
                               if self._has("complaints") else None, self.data.customers)
        self.features = [c for c in frame.columns if c not in FRAME_KEYS]
        self.frame = frame
        from sklearn.model_selection import train_test_split

        try:
            train, test = train_test_split(frame.index.to_numpy(), test_size=HOLDOUT,
                                           random_state=_SEED, stratify=frame["offer"])
        except ValueError:
            self.campaign_problem = "too_few"
            return
        self.train_rows, self.test_rows = np.sort(train), np.sort(test)
        tr, te = frame.loc[self.train_rows], frame.loc[self.test_rows]
        self.model = self._uplift_model(tr)
        pred = self.model.predict_uplift(te[self.features].to_numpy(float))
        pred.index = te.index
        self.uplift_scores = pred
        y = te["responded"].to_numpy(dtype=bool)
        off = te["offer"].astype(object).to_numpy()
        self.qini = {}
        for o in self.offers:
            sel = (off == o) | (off == "control")
            t = (off[sel] == o).astype(int)
            if t.sum() == 0 or t.sum() == sel.sum():
                continue
            u = pred.loc[sel, o].to_numpy(float)
            k, q = qini_curve(u, t, y[sel])
            self.qini[o] = {"k": k, "q": q, "auc": qini_auc(u, t, y[sel]),
                            "at_k": uplift_at_k(u, t, y[sel], TOP_K), "n": int(sel.sum())}

    def _uplift_model(self, rows: pd.DataFrame) -> OfferUplift:
        learner = LEARNERS[self.learner](random_state=_SEED)
        return OfferUplift(learner).fit(rows[self.features].to_numpy(float), rows["offer"],
                                        rows["responded"].to_numpy(dtype=bool))

    def _offer_costs(self) -> dict[str, float]:
        """The mean cost of each offer in the campaigns (0 when not recorded)."""
        cam = self.campaigns
        if "offer_cost" not in cam.columns:
            return dict.fromkeys(self.offers, 0.0)
        mean = cam.groupby("offer")["offer_cost"].mean()
        return {o: float(mean.get(o, 0.0)) if pd.notna(mean.get(o, np.nan)) else 0.0
                for o in self.offers}

    def _value_before(self, rows: pd.DataFrame) -> np.ndarray:
        """A year of each row's customer's monthly margin, known the day before the campaign."""
        out = np.zeros(len(rows))
        days = pd.to_datetime(rows["timestamp"]).dt.normalize()
        for day in days.unique():  # one profile per campaign date, not per customer
            prof = customer_profile(self.data, pd.Timestamp(day) - pd.Timedelta(days=1))
            prof = prof.set_index("customer_id")
            months = np.maximum(1.0, prof["tenure_days"].fillna(0).to_numpy(float)
                                / DAYS_PER_MONTH)
            yearly = pd.Series(prof["margin"].fillna(0).to_numpy(float) / months
                               * HORIZON_MONTHS, index=prof.index)
            sel = (days == day).to_numpy()
            out[sel] = yearly.reindex(rows.loc[sel, "customer_id"]).fillna(0.0).to_numpy()
        return out

    def _targeting(self) -> None:
        """The contact list of the budget and the policies compared on held-out rows."""
        self.allocation = self.policies = None
        self.n_candidates = self.n_never = self.n_excluded_tier = self.n_negative = 0
        if self.lost is None or self.model is None:
            return
        cand = self.lost.loc[~self.lost["came_back"].to_numpy(dtype=bool)]
        self.n_candidates = len(cand)
        self.n_excluded_tier = int(cand["former_tier"].astype(str).isin(EXCLUDED_TIERS).sum())
        negative = cand["value_lost_margin"].to_numpy(float) < 0
        self.n_negative = int(negative.sum())
        self.n_never = int((negative | cand["former_tier"].astype(str).isin(EXCLUDED_TIERS)
                            .to_numpy()).sum())
        costs = self.offer_cost
        # the held-out comparison, the budget scaled to the size of the held-out group
        te = self.frame.loc[self.test_rows]
        value = self._value_before(te)
        share = len(te) / max(len(cand), 1)
        self.holdout_budget = self.budget * share
        # the heterogeneity section's model and held-out rows, through the library's
        # backtest: IPW gain of every policy with its standard error
        test = self.frame.index.isin(self.test_rows)
        value_all = np.zeros(len(self.frame))
        value_all[test] = value
        try:
            bt = backtest_targeting(self.frame, value_all, costs, self.holdout_budget,
                                    model=self.model, test=test, min_value=0.0, seed=_SEED)
            self.policies = bt.policies
        except ParameterError:  # an offer absent from the held-out rows: no comparison
            self.policies = None
        if not len(cand):
            return
        # the contact list: the model refitted on every randomised row, scored today
        full = self._uplift_model(self.frame)
        rows = pd.DataFrame({"customer_id": cand.index.to_numpy(), "campaign": "next",
                             "timestamp": self.observation_end + pd.Timedelta(days=1),
                             "offer": "control", "responded": False})
        feats = learning_frame(rows, self._tx(), self.data.complaints
                               if self._has("complaints") else None, self.data.customers,
                               reasons=self._reasons_of_frame())
        pred = full.predict_uplift(feats[self.features].to_numpy(float))
        pred.index = cand.index
        self.list_uplift = pred
        self.allocation = allocate(pred, cand["value_lost_margin"].to_numpy(float), costs,
                                   self.budget, min_value=0.0,
                                   tier=cand["former_tier"].astype(str).to_numpy(),
                                   exclude_tiers=EXCLUDED_TIERS)

    def _reasons_of_frame(self) -> tuple[str, ...] | None:
        """The complaint reasons of the learning frame (the same feature columns)."""
        names = [c[len("n_complaints_"):] for c in self.features if c.startswith("n_complaints_")]
        return tuple(names) if names or "n_complaints" in self.features else None

    # ------------------------------------------------------------------ helpers
    def header_rows(self) -> list[tuple[str, str]]:
        g = self.g
        th = ("–" if self.threshold is None
              else g("header_ch_threshold_chosen", days=f"{self.threshold:g}",
                     q=f"{_QUANTILE:.0%}") if not self.threshold_days
              else g("header_ch_threshold_given", days=f"{self.threshold:g}"))
        return [
            (g["header_lcr_period"], escape(g("lcr_period_value", start=fmt_date(self.period_start),
                                              end=fmt_date(self.period_end)))),
            (g["header_ch_threshold"], escape(th)),
            (g["header_lcr_reason_by"], escape(g(f"lcr_by_{self.reason_by}"))),
            (g["header_lcr_budget"], escape(self._money(self.budget))),
            (g["header_lcr_learner"], escape(g(f"lcr_learner_{self.learner}"))),
            (g["header_currency"], escape(self.currency)),
        ]

    def _money(self, x: float) -> str:
        if not math.isfinite(float(x)):
            return "–"
        return f"{x:,.0f} {self.currency}"

    @staticmethod
    def _pct(x: float, digits: int = 1) -> str:
        return "–" if x is None or not math.isfinite(float(x)) else f"{float(x):.{digits}%}"

    @staticmethod
    def _pp(x: float) -> str:
        """A difference of rates in percentage points, signed."""
        return "–" if not math.isfinite(float(x)) else f"{100 * float(x):+.1f}"

    def _tier(self, code) -> str:
        return self.g(f"tier_{code}") if f"tier_{code}" in self.g else str(code)

    def _reason(self, code) -> str:
        from ..glossary import category_label

        if code is None or code == "unknown" or (isinstance(code, float) and math.isnan(code)):
            return self.g["lcr_reason_unknown"]
        try:
            return category_label("exits", "reason", code, self.lang)
        except SegkitError:
            return str(code)

    def _offer(self, code) -> str:
        key = f"lcr_offer_{code}"
        return self.g[key] if key in self.g else str(code)

    def _group(self, value) -> str:
        if self.reason_by == "tier":
            return self._tier(value)
        if self.reason_by == "period":
            return plot.period_label(value.start_time, self.reason_freq, self.lang)
        return str(value)

    def _sep(self) -> str:
        return "、" if self.lang == "zh" else ", "

    def _ready(self) -> bool:
        """Lost customers in the period, else a sentence saying why not."""
        if self.lost is None:
            self.note("lcr_no_database")
            return False
        if not len(self.lost):
            self.note("lcr_none_lost", start=fmt_date(self.period_start),
                      end=fmt_date(self.period_end), days=f"{self.threshold:g}")
            return False
        return True

    def _later_ready(self) -> bool:
        """A fitted uplift model for the sections after the effects, else a short sentence."""
        if self.effects is None or self.frame is None or self.campaign_problem is not None:
            self.note("lcr_see_effects")
            return False
        return True

    def _campaign_words(self) -> bool:
        """Randomised campaigns, else a sentence saying why not."""
        if self.campaign_problem == "no_campaigns":
            self.note("lcr_no_campaigns")
            return False
        if self.campaign_problem == "no_randomised":
            self.note("lcr_no_randomised", n=f"{self.n_campaign_rows:,}")
            return False
        if self.campaign_problem == "too_few" or self.frame is None:
            self.note("lcr_too_few")
            return False
        return True

    # ------------------------------------------------------------------ sections
    def headline(self) -> None:
        """Lost in the period, revenue and margin lost, share won back, the budget's gain."""
        g = self.g
        self.heading("sec_lcr_headline", start=fmt_date(self.period_start),
                     end=fmt_date(self.period_end))
        if not self._ready():
            return
        lost = self.lost
        c = self.cost_total.iloc[0]
        back = lost["came_back"].to_numpy(dtype=bool)
        cards = [
            (g["kpi_lcr_lost"], f"{len(lost):,}",
             g("kpi_lcr_lost_note", days=f"{self.threshold:g}")),
            (g["kpi_lcr_revenue"], self._money(c["lost_revenue"]),
             g("kpi_lcr_revenue_note", margin=self._money(c["lost_margin"]),
               months=HORIZON_MONTHS) if self.has_costs
             else g("kpi_lcr_revenue_note_nocost", months=HORIZON_MONTHS)),
            (g["kpi_lcr_back"], self._pct(back.mean()),
             g("kpi_lcr_back_note", n=f"{int(back.sum()):,}", end=fmt_date(self.observation_end))),
        ]
        if self.allocation is not None:
            a = self.allocation
            n = int(a["offer"].notna().sum())
            cards.append((g["kpi_lcr_gain"], self._money(a.attrs["total_gain"]),
                          g("kpi_lcr_gain_note", n=f"{n:,}", spent=self._money(a.attrs["spent"]),
                            budget=self._money(self.budget))))
        else:
            cards.append((g["kpi_lcr_gain"], "–", g["kpi_lcr_gain_none"] if self.model is None
                          else g["kpi_lcr_gain_nobody"]))
        self.show_kpis(cards)
        self.note("lcr_headline_note", n=f"{len(lost):,}", start=fmt_date(self.period_start),
                  end=fmt_date(self.period_end), days=f"{self.threshold:g}",
                  obs=fmt_date(self.observation_end))

    def database(self) -> None:
        """The lost customers by former tier: how many, their value, complaints, win-back."""
        g = self.g
        self.heading("sec_lcr_database")
        if not self._ready():
            return
        lost = self.lost
        tier = lost["former_tier"].astype(str)
        rows = []
        for code in TIERS:
            part = lost.loc[(tier == code).to_numpy()]
            if part.empty:
                continue
            att = part["winback_attempts"].to_numpy(float)
            what = "margin" if self.has_costs else "revenue"
            rows.append({
                g["tcol_lcr_tier"]: self._tier(code),
                g["tcol_lcr_lost"]: f"{len(part):,}",
                g[f"tcol_lcr_monthly_{what}"]: f"{part[f'monthly_{what}'].mean():,.1f}",
                g[f"tcol_lcr_{what}_lost"]: f"{part[f'value_lost_{what}'].sum():,.0f}",
                g["tcol_lcr_complaints"]: (f"{(part['complaints'] > 0).mean():.0%}"
                                           if self._has("complaints") else "–"),
                g["tcol_lcr_attempted"]: (f"{(att > 0).mean():.0%}" if self._has("campaigns")
                                          else "–"),
                g["tcol_lcr_back"]: f"{part['came_back'].astype(bool).mean():.0%}",
            })
        self.table(pd.DataFrame(rows))
        self.note("lcr_database_note", n=f"{len(lost):,}", months=HORIZON_MONTHS,
                  currency=self.currency)
        inferior = lost.loc[(tier == "inferior").to_numpy()]
        if not self.has_costs:
            self.note("lcr_no_costs_tiers")
        elif len(inferior):
            self.note("lcr_not_worth", n=f"{len(inferior):,}",
                      margin=self._money(inferior["value_lost_margin"].sum()))
        else:
            self.note("lcr_not_worth_none")

    def reasons_section(self) -> None:
        """Loss reasons by the chosen grouping, their trend, stated against inferred."""
        g = self.g
        self.heading("sec_lcr_reasons", by=g(f"lcr_by_{self.reason_by}"))
        if not self._ready():
            return
        lost = self.lost
        src = lost["reason_source"].astype(str)
        n_stated = int((src == "stated").sum())
        n_inferred = int((src == "inferred_from_complaint").sum())
        if n_stated + n_inferred == 0:
            missing = [g(f"table_{t}") for t in ("exits", "complaints") if not self._has(t)]
            self.note("lcr_reasons_unknown", n=f"{len(lost):,}",
                      tables=self._sep().join(missing) or "–")
            return
        r = self.reasons
        if self.reason_by == "period":
            shares = r.table.pivot_table(index="period", columns="reason", values="share",
                                         aggfunc="sum")
        else:
            col = REASON_BY[self.reason_by][0]
            shares = r.trend.pivot_table(index=col, columns="reason", values="share",
                                         aggfunc="sum")
            if self.reason_by == "tier":
                shares = shares.reindex([t for t in TIERS if t in shares.index])
        shares.index = [self._group(v) for v in shares.index]
        total = r.trend.groupby("reason")["n"].sum().sort_values(ascending=False, kind="stable")
        order = [c for c in total.index if c != "unknown"] + (["unknown"] if "unknown" in total
                                                              else [])
        shares = shares[order].fillna(0.0)
        shares.columns = [self._reason(c) for c in shares.columns]
        self.figure(plot.loss_reasons(shares, lang=self.figure_lang,
                                      title=g("fig_lcr_reasons", by=g(f"lcr_by_{self.reason_by}")),
                                      unknown=g["lcr_reason_unknown"]),
                    "fig_lcr_reasons", by=g(f"lcr_by_{self.reason_by}"))
        self.note("lcr_reason_sources", stated=f"{n_stated:,}", inferred=f"{n_inferred:,}",
                  unknown=f"{len(lost) - n_stated - n_inferred:,}", n=f"{len(lost):,}")
        # the trend of every reason over all the lost customers of the period
        overall = loss_reasons(lost, by=(), freq=self.reason_freq).trend
        overall = overall.loc[overall["reason"] != "unknown"].sort_values("n", ascending=False)
        periods = int(overall["n_periods"].max()) if len(overall) else 0
        if periods < 2:
            self.note("lcr_trend_short")
            return
        grain = g(f"grain_{self.reason_freq}")
        self.table(pd.DataFrame({
            g["tcol_lcr_reason"]: [self._reason(c) for c in overall["reason"]],
            g["tcol_lcr_lost"]: [f"{v:,}" for v in overall["n"]],
            g["tcol_lcr_share"]: [self._pct(v, 0) for v in overall["share"]],
            g["tcol_lcr_last_share"]: [self._pct(v, 0) for v in overall["last_share"]],
            g("tcol_lcr_slope", grain=grain): [self._pp(v) for v in overall["slope"]],
        }))
        top = overall.iloc[0]
        rising = overall.loc[overall["slope"] > 0].sort_values("slope", ascending=False)
        self.note("lcr_trend_note", periods=periods, grain=grain, top=self._reason(top["reason"]),
                  share=self._pct(top["share"], 0))
        if len(rising):
            self.note("lcr_trend_rising", reason=self._reason(rising.iloc[0]["reason"]),
                      pp=self._pp(rising.iloc[0]["slope"]), grain=grain)

    def cost_section(self) -> None:
        """Revenue and margin lost, unrecovered acquisition cost, lifetime value lost."""
        g = self.g
        self.heading("sec_lcr_cost")
        if not self._ready():
            return
        cost = self.cost.reindex([t for t in TIERS if t in self.cost.index])
        shown = cost[["lost_revenue"] + (["lost_margin"] if self.has_costs else [])
                     + (["clv_lost"] if "clv_lost" in cost else [])].copy()
        shown.index = [self._tier(t) for t in shown.index]
        self.figure(plot.churn_cost(shown, lang=self.figure_lang, currency=self.currency),
                    "fig_lcr_cost")
        table = {g["tcol_lcr_tier"]: [self._tier(t) for t in cost.index],
                 g["tcol_lcr_lost"]: [f"{v:,}" for v in cost["n_lost"]],
                 g("tcol_lcr_revenue_lost_h", months=HORIZON_MONTHS):
                     [f"{v:,.0f}" for v in cost["lost_revenue"]],
                 g("tcol_lcr_margin_lost_h", months=HORIZON_MONTHS):
                     [f"{v:,.0f}" for v in cost["lost_margin"]],
                 g["tcol_lcr_acquisition"]: [f"{v:,.0f}" for v in cost["acquisition_cost"]],
                 g["tcol_lcr_unrecovered"]:
                     [f"{v:,.0f}" for v in cost["unrecovered_acquisition_cost"]]}
        if not self.has_costs:
            for key in (g("tcol_lcr_margin_lost_h", months=HORIZON_MONTHS),
                        g["tcol_lcr_acquisition"], g["tcol_lcr_unrecovered"]):
                table.pop(key)
        if "clv_lost" in cost:
            table[g["tcol_lcr_clv_lost"]] = [f"{v:,.0f}" for v in cost["clv_lost"]]
        self.table(pd.DataFrame(table))
        c = self.cost_total.iloc[0]
        if not self.has_costs:
            self.note("lcr_cost_note_nocost", revenue=self._money(c["lost_revenue"]),
                      months=HORIZON_MONTHS)
        else:
            self.note("lcr_cost_note", revenue=self._money(c["lost_revenue"]),
                      margin=self._money(c["lost_margin"]), months=HORIZON_MONTHS,
                      unrecovered=self._money(c["unrecovered_acquisition_cost"]),
                      acquisition=self._money(c["acquisition_cost"]))
        if "clv_lost" in cost:
            self.note("lcr_clv_note", clv=self._money(c["clv_lost"]),
                      start=fmt_date(self.period_start), months=HORIZON_MONTHS,
                      missing=f"{int(c['clv_missing']):,}")
        else:
            self.note("lcr_clv_none", start=fmt_date(self.period_start))

    def effects_section(self) -> None:
        """Each offer's effect in the randomised campaigns, with its 95% interval."""
        g = self.g
        self.heading("sec_lcr_effects")
        if self.effects is None:
            self._campaign_words()
            return
        e = self.effects
        shown = e.assign(label=[self._offer(o) for o in e["offer"]])
        self.figure(plot.offer_effects(shown, lang=self.figure_lang), "fig_lcr_effects")
        self.table(pd.DataFrame({
            g["tcol_lcr_offer"]: shown["label"],
            g["tcol_lcr_n"]: [f"{v:,}" for v in e["n"]],
            g["tcol_lcr_rate"]: [self._pct(v) for v in e["rate"]],
            g["tcol_lcr_diff"]: ["–" if i == 0 else self._pp(v) for i, v in enumerate(e["diff"])],
            g["tcol_lcr_interval"]: ["–" if i == 0 else f"{self._pp(lo)} – {self._pp(hi)}"
                                     for i, (lo, hi) in enumerate(zip(e["diff_low"],
                                                                      e["diff_high"],
                                                                      strict=True))],
            g["tcol_lcr_cost"]: ["–" if i == 0 else f"{self.offer_cost.get(o, 0.0):,.2f}"
                                 for i, o in enumerate(e["offer"])],
        }))
        first, last = self.campaigns["timestamp"].min(), self.campaigns["timestamp"].max()
        self.note("lcr_effects_note", n=f"{len(self.campaigns):,}",
                  k=f"{self.campaigns['campaign'].nunique():,}", first=fmt_date(first),
                  last=fmt_date(last), control=f"{self._pct(e['rate'].iloc[0])}")
        sure = e.iloc[1:].loc[e["diff_low"].iloc[1:] > 0]
        if len(sure):
            self.note("lcr_effects_sure", offers=self._sep().join(self._offer(o)
                                                                  for o in sure["offer"]))
        else:
            self.note("lcr_effects_none")
        if self.n_not_randomised:
            self.note("lcr_not_randomised", n=f"{self.n_not_randomised:,}")
        else:
            self.note("lcr_all_randomised")

    def heterogeneity(self) -> None:
        """Uplift per customer (one learner per offer), Qini and uplift at 30% held out."""
        g = self.g
        self.heading("sec_lcr_uplift")
        if not self._later_ready():
            return
        if not self.qini:
            self.note("lcr_too_few")
            return
        learner = g(f"lcr_learner_{self.learner}")
        curves = {self._offer(o): (q["k"], q["q"]) for o, q in self.qini.items()}
        self.figure(plot.qini_curves(curves, lang=self.figure_lang), "fig_lcr_qini")
        self.table(pd.DataFrame({
            g["tcol_lcr_offer"]: [self._offer(o) for o in self.qini],
            g["tcol_lcr_n_test"]: [f"{q['n']:,}" for q in self.qini.values()],
            g["tcol_lcr_qini_auc"]: [f"{q['auc']:.4f}" for q in self.qini.values()],
            g("tcol_lcr_at_k", k=f"{TOP_K:.0%}"): [self._pp(q["at_k"])
                                                   for q in self.qini.values()],
        }))
        self.note("lcr_uplift_note", learner=learner, train=f"{len(self.train_rows):,}",
                  test=f"{len(self.test_rows):,}", k=f"{TOP_K:.0%}",
                  features=f"{len(self.features)}")
        good = [self._offer(o) for o, q in self.qini.items() if q["auc"] > 0]
        if good:
            self.note("lcr_uplift_good", offers=self._sep().join(good))
        else:
            self.note("lcr_uplift_weak")

    def targeting(self) -> None:
        """The budget's allocation against highest risk, highest value and random contact."""
        g = self.g
        self.heading("sec_lcr_targeting")
        if not self._ready():
            return
        if not self._later_ready() or self.policies is None:
            return
        p = self.policies
        labels = [g(f"lcr_policy_{n}") for n in p.index]
        shown = pd.DataFrame({"gain": p["estimated_gain"].to_numpy(float)}, index=labels)
        self.figure(plot.policy_comparison(shown, lang=self.figure_lang, currency=self.currency),
                    "fig_lcr_policies")
        self.table(pd.DataFrame({
            g["tcol_lcr_policy"]: labels,
            g["tcol_lcr_offer"]: [g["lcr_per_customer"] if o == "per customer" else self._offer(o)
                                  for o in p["offer"]],
            g["tcol_lcr_contacted"]: [f"{v:,}" for v in p["n_contacted"]],
            g["tcol_lcr_spent"]: [f"{v:,.0f}" for v in p["cost"]],
            g["tcol_lcr_gain_est"]: [f"{v:,.0f}" for v in p["estimated_gain"]],
            g["tcol_lcr_gain_se"]: [f"{v:,.0f}" if math.isfinite(v) else "–"
                                    for v in p["estimated_gain_se"]],
            g["tcol_lcr_gain_pred"]: [f"{v:,.0f}" for v in p["predicted_gain"]],
        }))
        self.note("lcr_policies_note", n=f"{len(self.test_rows):,}",
                  budget=self._money(self.holdout_budget), total=self._money(self.budget),
                  cand=f"{self.n_candidates:,}")
        best = str(p["estimated_gain"].idxmax())
        self.note("lcr_policies_best", policy=g(f"lcr_policy_{best}"),
                  gain=self._money(p.loc[best, "estimated_gain"]))
        self.note("lcr_policies_caveat")

    def contact_list(self) -> None:
        """Whom to contact with which offer within the budget, by pseudonym only."""
        g = self.g
        self.heading("sec_lcr_list", budget=self._money(self.budget))
        if not self._ready():
            return
        if not self._later_ready():
            return
        if self.allocation is None:
            self.note("lcr_list_nobody")
            return
        a = self.allocation
        chosen = a.loc[a["offer"].notna()].sort_values("expected_gain", ascending=False)
        self.note("lcr_list_rule", cand=f"{self.n_candidates:,}", never=f"{self.n_never:,}",
                  inferior=f"{self.n_excluded_tier:,}", negative=f"{self.n_negative:,}")
        if chosen.empty:
            self.note("lcr_list_no_budget" if self.budget == 0 else "lcr_list_empty")
            return
        tier = self.lost["former_tier"].astype(str).reindex(chosen.index)
        head = chosen.head(LIST_ROWS)
        self.table(pd.DataFrame({
            g["tcol_lcr_rank"]: [f"{i:,}" for i in range(1, len(head) + 1)],
            g["tcol_customer"]: head.index.to_numpy(),
            g["tcol_lcr_tier"]: [self._tier(t) for t in tier.loc[head.index]],
            g["tcol_lcr_offer"]: [self._offer(o) for o in head["offer"]],
            g["tcol_lcr_uplift"]: [self._pp(v) for v in head["uplift"]],
            g("tcol_lcr_value", months=HORIZON_MONTHS): [f"{v:,.0f}" for v in head["value"]],
            g["tcol_lcr_cost"]: [f"{v:,.2f}" for v in head["cost"]],
            g["tcol_lcr_gain"]: [f"{v:,.1f}" for v in head["expected_gain"]],
        }))
        counts = chosen["offer"].value_counts()
        self.note("lcr_list_note", n=f"{len(chosen):,}", shown=f"{len(head):,}",
                  spent=self._money(a.attrs["spent"]), budget=self._money(self.budget),
                  gain=self._money(a.attrs["total_gain"]),
                  offers=self._sep().join(f"{self._offer(o)} {v:,}" for o, v in counts.items()))
