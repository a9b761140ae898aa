"""The overview report's page: headline numbers, customer base, revenue, cohorts, data quality.

Each method shows one section of ``templates/overview.ipynb``: a heading from the
glossary, a figure from :mod:`segkit.plot`, a table. The numbers come from
:mod:`segkit.features.cohorts` and :mod:`segkit.quality`; the page computes nothing.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .. import plot, privacy
from ..data import CALENDAR_UNITS, time_unit
from ..features import cohort_retention, cohort_sizes, customer_base, revenue
from ..features.cohorts import headline
from ..quality import example_rows, fmt_date, format_data_quality, format_rows
from .page import Page

__all__ = ["OverviewPage"]


class OverviewPage(Page):
    """The sections of the overview report, one method per template cell.

    Parameters
    ----------
    data, observation_end, lang, region, title, salt
        As in :class:`~segkit.report.page.Page`.
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    cohort_periods : int, default 12
        Columns of the cohort heat map.
    max_cohorts : int, default 24
        Rows (the most recent cohorts) of the cohort heat map.
    currency : str, default "CNY"
        Unit of every amount (headline numbers, revenue chart).
    """

    title_key = "overview_title"

    def __init__(
        self,
        data,
        *,
        time_grain: str = "M",
        cohort_periods: int = 12,
        max_cohorts: int = 24,
        currency: str = "CNY",
        **common: Any,
    ):
        self.time_grain = time_unit(time_grain, CALENDAR_UNITS).code
        self.cohort_periods = cohort_periods
        self.max_cohorts = max_cohorts
        self.currency = currency.strip() or "CNY"
        super().__init__(data, time_grain=time_grain, cohort_periods=cohort_periods,
                         max_cohorts=max_cohorts, currency=self.currency, **common)
        self.numbers = headline(self.data, self.time_grain, observation_end=self.observation_end)

    @property
    def _grain_word(self) -> str:
        return self.g(f"grain_{self.time_grain}")

    def header_rows(self) -> list[tuple[str, str]]:
        return [
            (self.g["header_time_grain"], self._grain_word),
            (self.g["header_currency"], escape(self.currency)),
        ]

    def _period(self, ts) -> str:
        return plot.period_label(ts, self.time_grain, self.lang)

    def headline(self) -> None:
        """Customers, active customers and revenue with its change, in numbers and in words."""

        h, g = self.numbers, self.g
        if h["period"] is None:
            self.note("no_data")
            return
        period = self._period(h["period"])
        self.heading("sec_headline", period=period)
        if h["revenue_change"] is None:
            change = g("kpi_revenue_no_previous", grain=self._grain_word)
        else:
            pct = f"{abs(h['revenue_change']):.1%}"
            change = g(("kpi_up", "kpi_down", "kpi_flat")[
                0 if h["revenue_change"] > 0.0005 else 1 if h["revenue_change"] < -0.0005 else 2
            ], pct=pct)
            change = g("kpi_revenue_note", change=change,
                       previous=self._period(h["previous_period"]),
                       previous_revenue=f"{h['previous_revenue']:,.0f}", currency=self.currency)
        share = f"{h['active_share']:.1%}" if h["active_share"] is not None else "–"
        cards = [
            (g["kpi_customers"], f"{h['customers']:,}", g("kpi_customers_note", period=period)),
            (g["kpi_active"], f"{h['active_customers']:,}",
             g("kpi_active_note", share=share, period=period)),
            (g("kpi_revenue", currency=self.currency), f"{h['revenue']:,.0f}", change),
        ]
        self.show_kpis(cards)
        key = "sec_headline_note" if h["complete"] else "sec_headline_partial_note"
        self.note(key, period=period, grain=self._grain_word, end=fmt_date(self.observation_end))

    def customer_base(self) -> None:
        """Everyone ever acquired beside the active customers, and new customers, over time."""
        self.heading("sec_customer_base")
        base = customer_base(self.data, self.time_grain)
        self.figure(
            plot.customer_base(base, lang=self.figure_lang, time_grain=self.time_grain),
            "sec_customer_base",
        )
        self.note("sec_customer_base_note", grain=self._grain_word)

    def revenue(self) -> None:
        """Gross revenue, returns and net revenue over time."""
        self.heading("sec_revenue")
        rev = revenue(self.data, self.time_grain)
        self.figure(
            plot.revenue(rev, lang=self.figure_lang, time_grain=self.time_grain,
                         currency=self.currency),
            "sec_revenue",
        )
        if self.data.transactions is not None:
            self.note("sec_revenue_note", grain=self._grain_word)
        if "contract_revenue" in rev:
            self.note("sec_revenue_contracts_note", grain=self._grain_word)

    def cohorts(self) -> None:
        """Heat map of the retention of acquisition cohorts."""
        self.heading("sec_cohorts")
        full = cohort_retention(self.data, self.time_grain,
                                observation_end=self.observation_end)
        matrix = full.iloc[:, : self.cohort_periods].tail(self.max_cohorts)
        if matrix.empty:
            self.note("no_data")
            return
        sizes = cohort_sizes(self.data, self.time_grain, observation_end=self.observation_end)
        fig = plot.cohort_retention(matrix, lang=self.figure_lang, time_grain=self.time_grain,
                                    sizes=sizes, partial_period=self.numbers["partial_period"])
        self.figure(fig, "sec_cohorts")
        grain_n = self.g(f"grain_n_{self.time_grain}")
        self.note("sec_cohorts_note", grain=self._grain_word, grain_n=grain_n)
        top = plot.cohort_colour_top(matrix.to_numpy(dtype=float) * 100)
        self.note("sec_cohorts_scale_note", top=f"{top:.0f}%", grain=self._grain_word,
                  grain_n=grain_n)
        if self.numbers["partial_period"] is not None:
            self.note("sec_cohorts_partial_note", grain=self._grain_word,
                      end=fmt_date(self.observation_end))
        if full.shape != matrix.shape:
            self.note("sec_cohorts_cut_note", shown=len(matrix), total=len(full),
                      periods=matrix.shape[1], total_periods=full.shape[1], grain_n=grain_n)

    def data_quality(self) -> None:
        """The data-quality table, and a few example rows of the main table."""
        self.heading("sec_data_quality")
        self.note("sec_data_quality_note")
        self.table(format_data_quality(self.quality, self.lang), index=True)
        if int(self.quality["rows_after_end"].fillna(0).sum()):
            self.note("rows_after_end_note", end=fmt_date(self.observation_end))
        name = next(
            (t for t in ("transactions", "contracts", "customers") if t in self.data.tables()),
            None,
        )
        if name is not None:
            self.heading("sec_example_rows", level=3, table=self.g[f"table_{name}"])
            rows = example_rows(self.data.tables()[name], table=name)
            self.table(format_rows(privacy.drop_record_ids(rows), name, self.lang))
