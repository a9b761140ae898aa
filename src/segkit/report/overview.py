"""The overview report's page: customer base, revenue, cohorts, data quality.

Each method shows one section of ``templates/overview.ipynb``: a heading from the
glossary, a figure from :mod:`segkit.plot`, a table. The numbers come from
:mod:`segkit.features.cohorts` and :mod:`segkit.quality`; the page computes nothing.
"""

from __future__ import annotations

from typing import Any

from .. import plot
from ..data import CALENDAR_UNITS, time_unit
from ..features import cohort_retention, customer_base, revenue
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
    """

    title_key = "overview_title"

    def __init__(
        self,
        data,
        *,
        time_grain: str = "M",
        cohort_periods: int = 12,
        max_cohorts: int = 24,
        **common: Any,
    ):
        self.time_grain = time_unit(time_grain, CALENDAR_UNITS).code
        self.cohort_periods = cohort_periods
        self.max_cohorts = max_cohorts
        super().__init__(data, time_grain=time_grain, cohort_periods=cohort_periods, **common)

    @property
    def _grain_word(self) -> str:
        return self.g(f"grain_{self.time_grain}")

    def header_rows(self) -> list[tuple[str, str]]:
        return [(self.g["header_time_grain"], self._grain_word)]

    def customer_base(self) -> None:
        """Customer base, new and active customers over time."""
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
            plot.revenue(rev, lang=self.figure_lang, time_grain=self.time_grain), "sec_revenue"
        )
        if self.data.transactions is not None:
            self.note("sec_revenue_note", grain=self._grain_word)
        if "contract_revenue" in rev:
            self.note("sec_revenue_contracts_note", grain=self._grain_word)

    def cohorts(self) -> None:
        """Heat map of the retention of acquisition cohorts."""
        self.heading("sec_cohorts")
        matrix = cohort_retention(self.data, self.time_grain, max_periods=self.cohort_periods)
        matrix = matrix.tail(self.max_cohorts)
        if matrix.empty:
            self.note("no_data")
            return
        self.figure(
            plot.cohort_retention(matrix, lang=self.figure_lang, time_grain=self.time_grain),
            "sec_cohorts",
        )
        self.note("sec_cohorts_note", grain=self._grain_word,
                  grain_n=self.g(f"grain_n_{self.time_grain}"))

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
            self.table(format_rows(rows, name, self.lang))
