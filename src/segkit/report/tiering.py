"""The tiering report's page: who the customers are, which tier each is in, and why.

The four principles of tiering (docs/domain.md section 1), each shown with numbers:
*objective* and *operable* (the scheme's rule as a table, and every customer's tier
explained in a sentence), *differentiated* (the tiers of one horizon ago and what each
brought since: revenue, margin, customers who stopped buying), *dynamic* (tiers
recomputed per period, the migration matrix, upgrade and downgrade rates, the expected
time in a tier). Then the RFM segments of the standard map, the base customers
(基盘客户), the lifecycle stages and the fairness audit. Each method shows one section of
``templates/tiering.ipynb``; the numbers come from :mod:`segkit.segment` and
:mod:`segkit.features`, the figures from :mod:`segkit.plot`.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

from .. import plot
from ..data import CALENDAR_UNITS, time_unit
from ..exceptions import ParameterError
from ..features import customer_profile
from ..glossary import category_label
from ..quality import fmt_date
from ..segment import (
    STANDARD_MAP,
    BaseCustomers,
    ImportanceRiskTiers,
    LifecycleStages,
    ParetoTiers,
    RFMScorer,
    VIPTiers,
    compare_base,
    expected_time_in_tier,
    fairness_audit,
    horizon_outcomes,
    migration_flows,
    migration_matrix,
    migration_rates,
    tier_profile,
    tiers_by_period,
)
from .page import Page

__all__ = ["TieringPage", "SCHEMES", "VALUES"]

#: The tier schemes a report can use, by parameter value.
SCHEMES = {"pareto": ParetoTiers, "importance_risk": ImportanceRiskTiers, "vip": VIPTiers}
#: The value columns a report can tier by, by parameter value.
VALUES = ("revenue", "margin")
#: Sensitive attributes the fairness audit looks at, when the customers table has them.
_SENSITIVE = ("gender", "age_band")


class TieringPage(Page):
    """The sections of the tiering report, one method per template cell.

    Parameters
    ----------
    data, observation_end, lang, region, title, salt
        As in :class:`~segkit.report.page.Page`.
    scheme : {"pareto", "importance_risk", "vip"}, default "pareto"
        The tier scheme (:data:`SCHEMES`).
    value : {"revenue", "margin"}, default "revenue"
        What the scheme ranks customers by.
    time_grain : {"M", "Q", "Y"}, default "Q"
        Period of the tier dynamics.
    periods : int, default 8
        Periods of the tier dynamics (the most recent complete ones).
    horizon_days : int, default 180
        How far the differentiation section looks back: the tiers as of this many days
        before the observation end, and what each tier brought since.
    currency : str, default "CNY"
    """

    title_key = "tiering_title"

    def __init__(self, data, *, scheme: str = "pareto", value: str = "revenue",
                 time_grain: str = "Q", periods: int = 8, horizon_days: int = 180,
                 currency: str = "CNY", **common: Any):
        if scheme not in SCHEMES:
            raise ParameterError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
        if value not in VALUES:
            raise ParameterError(f"value must be one of {', '.join(VALUES)}, got {value!r}")
        self.scheme_name = scheme
        self.value = value
        self.time_grain = time_unit(time_grain, CALENDAR_UNITS).code
        self.periods = int(periods)
        self.horizon_days = int(horizon_days)
        self.currency = currency.strip() or "CNY"
        super().__init__(data, scheme=scheme, value=value, time_grain=self.time_grain,
                         periods=periods, horizon_days=horizon_days, currency=self.currency,
                         **common)
        self.profile = customer_profile(self.data, self.observation_end)
        self.scheme = SCHEMES[scheme](value_col=value)
        self.tiers = self.scheme.fit_predict(self.profile)
        self.labels = self.scheme.labels(self.lang)
        self.order = [self.labels[t] for t in self.scheme.tiers_]

    # ------------------------------------------------------------------ helpers
    @property
    def _value_word(self) -> str:
        return self.g(f"value_{self.value}")

    def _money(self, x: float) -> str:
        return f"{x:,.0f} {self.currency}"

    def _labelled(self, tiers: pd.Series) -> pd.Series:
        return tiers.map(self.labels).astype(str)

    def header_rows(self) -> list[tuple[str, str]]:
        return [
            (self.g["header_tier_scheme"], escape(self.g(f"tier_scheme_{self.scheme_name}"))),
            (self.g["header_tier_value"], escape(self._value_word)),
            (self.g["header_time_grain"], escape(self.g(f"grain_{self.time_grain}"))),
            (self.g["header_currency"], escape(self.currency)),
        ]

    # ------------------------------------------------------------------ sections
    def headline(self) -> None:
        """Customers per tier, with their share of value, as cards."""

        g = self.g
        if self.profile.empty:
            self.note("no_data")
            return
        self.heading("sec_tier_headline", end=fmt_date(self.observation_end))
        table = tier_profile(self.profile, self.tiers, value_col=self.value)
        cards = []
        for tier, row in table.iterrows():
            cards.append((self.labels[tier], f"{int(row['customers']):,}",
                          g("kpi_tier_note", share=f"{row['share']:.1%}",
                            value_share=f"{row['value_share']:.1%}", value=self._value_word)))
        self.show_kpis(cards)
        self.note("sec_tier_headline_note", n=f"{len(self.profile):,}",
                  total=self._money(float(self.profile[self.value].sum())),
                  value=self._value_word)

    def rules(self) -> None:
        """The scheme's rule as a table a business user can read (objective, operable)."""
        self.heading("sec_tier_rules", scheme=self.g(f"tier_scheme_{self.scheme_name}"))
        rules = self.scheme.rules(self.lang)
        shown = rules[["label", "condition"]].rename(columns={
            "label": self.g["legend_tier"], "condition": self.g["tcol_condition"]})
        self.table(shown)
        self.note("sec_tier_rules_note")

    def concentration(self) -> None:
        """The concentration curve of value and each tier's share of customers and value."""
        self.heading("sec_tier_concentration", value=self._value_word)
        self.figure(plot.value_concentration(self.profile[self.value], self._labelled(self.tiers),
                                             self.order, lang=self.figure_lang,
                                             value_label=self._value_word),
                    "fig_value_concentration", value=self._value_word)
        table = tier_profile(self.profile, self.tiers, value_col=self.value)
        cost = (table["mean_cost_to_serve"].fillna(0) * table["customers"]
                if "mean_cost_to_serve" in table else None)
        shares = pd.DataFrame({
            "customer_share": table["share"].to_numpy(),
            "value_share": table["value_share"].to_numpy(),
        }, index=[self.labels[t] for t in table.index])
        if cost is not None and cost.sum() > 0:
            shares["cost_share"] = (cost / cost.sum()).to_numpy()
        self.figure(plot.tier_shares(shares, lang=self.figure_lang, value_label=self._value_word),
                    "fig_tier_shares")
        self.note("sec_tier_concentration_note", value=self._value_word)

    def differentiated(self) -> None:
        """The tiers of one horizon ago and what each brought since (differentiated)."""
        start = self.observation_end - pd.Timedelta(days=self.horizon_days)
        self.heading("sec_tier_differentiated", days=self.horizon_days)
        before = customer_profile(self.data, start)
        if not (before["orders"] > 0).any():
            self.note("sec_horizon_too_short", days=self.horizon_days)
            return
        scheme = SCHEMES[self.scheme_name](value_col=self.value)
        tiers = scheme.fit_predict(before)
        out = horizon_outcomes(self.data, start, self.horizon_days)
        merged = before.merge(out, on="customer_id", how="left")
        table = tier_profile(merged, pd.Series(tiers.to_numpy(), index=merged.index,
                                               dtype=tiers.dtype),
                             value_col=self.value,
                             outcome_cols=("revenue_h", "margin_h", "no_purchase_h"))
        g = self.g
        shown = pd.DataFrame({
            g["legend_tier"]: [self.labels[t] for t in table.index],
            g["tcol_customers"]: table["customers"].map("{:,.0f}".format).to_numpy(),
            g("tcol_mean_value_then", value=self._value_word):
                table[f"mean_{self.value}"].map("{:,.0f}".format).to_numpy()
                if f"mean_{self.value}" in table else "",
            g("tcol_revenue_since", days=self.horizon_days):
                table["revenue_h"].map("{:,.0f}".format).to_numpy(),
            g("tcol_margin_since", days=self.horizon_days):
                table["margin_h"].map("{:,.0f}".format).to_numpy(),
            g("tcol_no_purchase_since", days=self.horizon_days):
                table["no_purchase_h"].map("{:.0%}".format).to_numpy(),
        })
        self.table(shown)
        self.note("sec_tier_differentiated_note", start=fmt_date(start),
                  end=fmt_date(self.observation_end), currency=self.currency)

    def explained(self, per_tier: int = 2) -> None:
        """A few customers of each tier with the sentence that explains their tier."""
        self.heading("sec_tier_explained")
        why = self.scheme.explain(self.profile, lang=self.lang)
        rows = (why.assign(_order=why["tier"].map({t: i for i, t in
                                                   enumerate(self.scheme.tiers_)}))
                .sort_values(["_order", "customer_id"]).groupby("_order", observed=True)
                .head(per_tier))
        shown = pd.DataFrame({
            self.g["tcol_customer"]: rows["customer_id"].to_numpy(),
            self.g["legend_tier"]: rows["tier"].map(self.labels).to_numpy(),
            self.g["tcol_tier_reason"]: rows["reason"].to_numpy(),
        })
        self.table(shown)
        self.note("sec_tier_explained_note")

    def rfm(self) -> None:
        """RFM scores on the customer grid and the segments of the standard map."""
        self.heading("sec_rfm")
        bought = self.profile[self.profile["orders"] > 0]
        if bought.empty:
            self.note("no_data")
            return
        scores = RFMScorer(monetary_col=self.value).fit_transform(self.profile)
        self.figure(plot.rfm_grid(scores, lang=self.figure_lang), "fig_rfm_grid")
        segments = STANDARD_MAP.assign(scores)
        value = self.profile[self.value].to_numpy(dtype=float)
        total = value[value > 0].sum()
        table = (pd.DataFrame({"segment": segments.to_numpy(), "v": np.clip(value, 0, None)})
                 .groupby("segment", sort=False).agg(customers=("v", "size"), v=("v", "sum")))
        order = [s for s in [*STANDARD_MAP.segments, STANDARD_MAP.unscored] if s in table.index]
        table = table.reindex(order)
        table["value_share"] = table["v"] / total if total > 0 else 0.0
        table.index = [STANDARD_MAP.label(s, self.lang) for s in table.index]
        self.figure(plot.segment_sizes(table, lang=self.figure_lang,
                                       value_label=self._value_word), "fig_segment_sizes")
        self.note("sec_rfm_note", value=self._value_word)

    def base_customers(self) -> None:
        """Base customers (基盘客户): who they are, and how they did against everyone else."""
        self.heading("sec_base")
        start = self.observation_end - pd.Timedelta(days=self.horizon_days)
        if not (customer_profile(self.data, start)["orders"] > 0).any():
            self.note("sec_horizon_too_short", days=self.horizon_days)
            return
        rule = BaseCustomers(value_col=self.value)
        table = compare_base(self.data, start, horizon_days=self.horizon_days, scheme=rule)
        g = self.g
        shown = pd.DataFrame({
            g["tcol_group"]: [g[f"tier_{k}"] for k in table.index],
            g["tcol_customers"]: table["customers"].map("{:,.0f}".format).to_numpy(),
            g("tcol_revenue_since", days=self.horizon_days):
                table["revenue_h"].map("{:,.0f}".format).to_numpy(),
            g("tcol_margin_since", days=self.horizon_days):
                table["margin_h"].map("{:,.0f}".format).to_numpy(),
            g("tcol_cost_since", days=self.horizon_days):
                table["cost_to_serve_h"].map("{:,.0f}".format).to_numpy(),
            g("tcol_no_purchase_since", days=self.horizon_days):
                table["no_purchase_h"].map("{:.0%}".format).to_numpy(),
        })
        self.table(shown)
        rules = rule.fit(customer_profile(self.data, start)).rules(self.lang)
        self.note("sec_base_note", start=fmt_date(start), currency=self.currency,
                  rule="; ".join(rules["condition"].astype(str)))

    def lifecycle(self) -> None:
        """How many customers are in each lifecycle stage."""
        self.heading("sec_lifecycle")
        stages = LifecycleStages().fit_predict(self.data, self.observation_end)
        counts = stages.value_counts().reindex(stages.cat.categories, fill_value=0)
        shown = pd.DataFrame({
            self.g["tcol_stage"]: [self.g(f"stage_{s}") for s in counts.index],
            self.g["tcol_customers"]: counts.map("{:,.0f}".format).to_numpy(),
            self.g["share_of_customers"]: (counts / max(counts.sum(), 1)).map("{:.1%}".format)
            .to_numpy(),
        })
        self.table(shown)
        self.note("sec_lifecycle_note")

    def dynamics(self) -> None:
        """Tiers recomputed per period: migration matrix, rates and time in a tier (dynamic)."""
        self.heading("sec_dynamics", grain=self.g(f"grain_{self.time_grain}"))
        scheme = SCHEMES[self.scheme_name](value_col=self.value)
        try:
            long = tiers_by_period(self.data, scheme, freq=self.time_grain,
                                   observation_end=self.observation_end)
        except ParameterError:  # no complete period by the observation end
            self.note("sec_dynamics_too_short", grain=self.g(f"grain_{self.time_grain}"))
            return
        ends = sorted(long["period"].unique())[-(self.periods + 1):]
        long = long[long["period"].isin(ends)]
        if len(ends) < 2:
            self.note("sec_dynamics_too_short", grain=self.g(f"grain_{self.time_grain}"))
            return
        counts = migration_matrix(long, normalize=False)
        shares = migration_matrix(long)
        tiers = list(self.scheme.tiers_)
        rows = [r for r in shares.index if r in tiers]
        labelled = shares.loc[rows, [c for c in shares.columns if c in tiers]]
        lab = {t: self.labels[t] for t in tiers}
        self.figure(plot.migration_heatmap(labelled.rename(index=lab, columns=lab),
                                           lang=self.figure_lang,
                                           counts=counts.loc[rows, labelled.columns]
                                           .rename(index=lab, columns=lab)),
                    "fig_migration_matrix")
        flows = migration_flows(long)
        flows = flows.assign(from_tier=flows["from_tier"].map(lambda t: lab.get(t, t)),
                             to_tier=flows["to_tier"].map(lambda t: lab.get(t, t)))
        self.figure(plot.tier_flows(flows, [lab[t] for t in tiers], lang=self.figure_lang,
                                    period_labels=[plot.period_label(pd.Timestamp(e),
                                                                     self.time_grain,
                                                                     self.figure_lang)
                                                   for e in ends]),
                    "fig_tier_flows")
        rates = migration_rates(shares.loc[rows], tiers)
        time_in = expected_time_in_tier(shares.loc[rows])
        g = self.g
        shown = pd.DataFrame({
            g["legend_tier"]: [self.labels[t] for t in rates.index],
            g["tcol_upgrade"]: rates["upgrade"].map("{:.1%}".format).to_numpy(),
            g["tcol_stay"]: rates["stay"].map("{:.1%}".format).to_numpy(),
            g["tcol_downgrade"]: rates["downgrade"].map("{:.1%}".format).to_numpy(),
            g["tcol_gone"]: rates["gone"].map("{:.1%}".format).to_numpy(),
            g("tcol_time_in_tier", grain_n=g(f"grain_n_{self.time_grain}")):
                time_in.reindex(rates.index).map("{:.1f}".format).to_numpy(),
        })
        self.table(shown)
        self.note("sec_dynamics_note", first=fmt_date(ends[0]), last=fmt_date(ends[-1]),
                  n=len(ends) - 1, grain=g(f"grain_{self.time_grain}"))

    def fairness(self) -> None:
        """Tier composition by gender and age band, with disparities flagged."""
        self.heading("sec_fairness")
        customers = self.data.customers
        present = [c for c in _SENSITIVE if customers is not None and c in customers.columns]
        if not present:
            self.note("sec_fairness_none")
            return
        attrs = customers.set_index("customer_id")
        tiers = pd.Series(self.tiers.to_numpy(), index=self.profile["customer_id"].to_numpy(),
                          dtype=self.tiers.dtype)
        g = self.g
        flags = []
        for col in present:
            audit = fairness_audit(tiers, attrs[col].reindex(tiers.index), lang=self.lang)
            t = audit.table[audit.table["measure"] == "top_share"]
            shown = pd.DataFrame({
                g[f"col_{col}"]: [category_label("customers", col, v, self.lang)
                                  for v in t["group"]],
                g["tcol_customers"]: t["n"].map("{:,.0f}".format).to_numpy(),
                g["fair_top_share"]: t["value"].map("{:.1%}".format).to_numpy(),
                g["fair_ratio"]: t["ratio"].map("{:.2f}".format).to_numpy(),
                g["fair_p_adjusted"]: t["p_adjusted"].map(
                    lambda p: "" if pd.isna(p) else f"{p:.3f}").to_numpy(),
                g["fair_flagged"]: np.where(t["flagged"].to_numpy(dtype=bool),
                                            "⚠ " + g["fair_flagged"], ""),
            })
            self.table(shown)
            flags += list(audit.flags["reason"]) if len(audit.flags) else []
        top = self.labels[self.scheme.tiers_[0]]
        self.note("sec_fairness_rule", top=top, rule=g("fair_rule", low="0.8", high="1.25",
                                                         alpha="0.01"))
        if flags:
            self.show_list(flags)
        else:
            self.note("fair_no_flags")
        self.note("sec_fairness_note")
