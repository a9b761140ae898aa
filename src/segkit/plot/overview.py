"""The figures of the overview report: customer base, revenue, cohort retention.

Each takes the output of the matching function of :mod:`segkit.features.cohorts` and
the language of its labels, and returns a :class:`matplotlib.figure.Figure` drawn in
the style of :mod:`segkit.plot._style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from .. import glossary
from ..data import period_ordinal
from ._style import (
    FIGSIZE,
    _bars,
    _colors,
    _empty,
    _figure,
    _time_chart,
    figure_lang,
    period_label,
)

__all__ = ["customer_base", "revenue", "cohort_retention", "cohort_colour_top"]


def customer_base(base: pd.DataFrame, lang: str = "en", *, time_grain: str = "M") -> Figure:
    """Everyone ever acquired (the customer base) beside the active customers, with bars
    of new customers, per period.

    Parameters
    ----------
    base : pandas.DataFrame
        Output of :func:`segkit.features.customer_base`.
    lang : {"en", "zh"}, default "en"
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"

    Returns
    -------
    matplotlib.figure.Figure
    """

    def draw(ax, g, x) -> None:
        c = _colors(3)
        _bars(ax, x, base["new_customers"], color=c[2], label=g["new_customers"])
        ax.plot(x, base["customer_base"], color=c[0], lw=2, label=g["customer_base"])
        ax.plot(x, base["active_customers"], color=c[1], lw=2, label=g["active_customers"])
        ax.set_ylim(bottom=0)

    g = glossary.Glossary(figure_lang(lang))
    return _time_chart(
        base, lang, time_grain, g["axis_n_customers"], draw,
        title=g("fig_customer_base", grain=g("grain_" + time_grain)),
        order=["customer_base", "active_customers", "new_customers", "partial_period"],
    )


def revenue(
    rev: pd.DataFrame, lang: str = "en", *, time_grain: str = "M", currency: str = "CNY"
) -> Figure:
    """Bars of gross revenue and returns (below zero) with a line of net revenue.

    With contracts, the contract revenue is stacked on the gross revenue; a company
    without sales (customers and contracts only) shows the contract revenue alone.

    Parameters
    ----------
    rev : pandas.DataFrame
        Output of :func:`segkit.features.revenue`.
    lang : {"en", "zh"}, default "en"
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    currency : str, default "CNY"
        Unit of the amounts, shown in the axis label and the title.

    Returns
    -------
    matplotlib.figure.Figure
    """

    def draw(ax, g, x) -> None:
        c = _colors(4)
        has_sales = bool(rev["gross_revenue"].abs().sum() or rev["returns"].abs().sum())
        if has_sales:
            _bars(ax, x, rev["gross_revenue"], color=c[0], label=g["gross_revenue"])
            _bars(ax, x, -rev["returns"], color=c[3], label=g["returns"])
        if "contract_revenue" in rev:
            _bars(ax, x, rev["contract_revenue"], color=c[2], label=g["contract_revenue"],
                  bottom=rev["gross_revenue"] if has_sales else None)
        ax.plot(x, rev["net_revenue"], color="black", lw=1.5, label=g["net_revenue"])
        ax.axhline(0, color="grey", lw=0.8)

    g = glossary.Glossary(figure_lang(lang))
    return _time_chart(
        rev, lang, time_grain, g("axis_revenue", currency=currency), draw,
        title=g("fig_revenue", grain=g("grain_" + time_grain), currency=currency),
        order=["gross_revenue", "contract_revenue", "returns", "net_revenue", "partial_period"],
    )


def cohort_colour_top(values: np.ndarray) -> float:
    """Top of the colour scale of :func:`cohort_retention`, in percent (``values`` in percent).

    The scale covers the bulk of the cells after period 0. Period 0 is 100% by construction; a scale up to 100% would leave the 5-50% that
    matter in pale shades, so the scale ends at the 98th percentile of the later cells,
    rounded up to 10% (cells above it take the darkest colour).
    """
    later = values[:, 1:] if values.shape[1] > 1 else values
    later = later[np.isfinite(later)]
    if not later.size:
        return 100.0
    top = float(np.ceil(np.quantile(later, 0.98) / 10) * 10)
    return min(100.0, max(10.0, top))


def cohort_retention(
    matrix: pd.DataFrame,
    lang: str = "en",
    *,
    time_grain: str = "M",
    sizes: pd.Series | None = None,
    partial_period: pd.Timestamp | None = None,
) -> Figure:
    """Heat map of a cohort retention matrix (share of each cohort active in period k).

    Each row is labelled with its cohort and, given ``sizes``, its number of customers.
    The colour scale ends where the later periods end (see the colour bar), not at the
    100% of period 0, so that shares of 5-50% are told apart. Cells of the period cut by
    the observation end (``partial_period``) are hatched. Cells are annotated with
    percentages when the matrix is small enough to read.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`segkit.features.cohort_retention`.
    lang : {"en", "zh"}, default "en"
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
    sizes : pandas.Series, optional
        Output of :func:`segkit.features.cohort_sizes` (customers per cohort).
    partial_period : Timestamp, optional
        Start of the period cut by the observation end, if any.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import seaborn as sns

    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    n_rows, n_cols = matrix.shape
    height = min(6.0, max(2.4, 1.1 + 0.22 * n_rows))
    fig, ax = _figure((FIGSIZE[0], height))
    grain = g("grain_" + time_grain)
    fig.suptitle(g("fig_cohorts", grain=grain), fontsize="medium", fontweight="bold")
    if matrix.empty:
        return _empty(fig, ax, lang)
    labels = []
    for i in matrix.index:
        period = period_label(pd.Timestamp(i), time_grain, lang)
        if sizes is not None and i in sizes.index:
            labels.append(g("cohort_row", period=period, n=f"{int(sizes.loc[i]):,}"))
        else:
            labels.append(period)
    values = matrix.to_numpy(dtype=float) * 100
    top = cohort_colour_top(values)
    annotate = n_rows <= 25 and n_cols <= 13
    ax.grid(False)
    sns.heatmap(
        values,
        ax=ax,
        cmap="Blues",
        vmin=0,
        vmax=top,
        annot=annotate,
        fmt=".0f",
        annot_kws={"fontsize": 7},
        xticklabels=list(matrix.columns),
        yticklabels=labels,
        cbar_kws={"format": PercentFormatter(decimals=0), "label": g["axis_share_active"],
                  "extend": "max" if top < 100 else "neither"},
        linewidths=0.3,
        linecolor="white",
    )
    if partial_period is not None:
        end = period_ordinal(partial_period, time_grain)
        first = True
        for row, cohort in enumerate(matrix.index):
            k = end - period_ordinal(cohort, time_grain)
            if 0 <= k < n_cols and np.isfinite(values[row, k]):
                ax.add_patch(Rectangle((k, row), 1, 1, fill=False, hatch="///",
                                       edgecolor="#e07b00", lw=0,
                                       label=g["partial_period"] if first else None))
                first = False
        if not first:
            handles, labels = ax.get_legend_handles_labels()
            fig.legend(handles, labels, loc="outside lower center", fontsize="small")
    ax.set_xlabel(g("periods_since_acquisition", grain_n=g("grain_n_" + time_grain)))
    ax.set_ylabel(g("cohort_axis", grain=grain))
    ax.tick_params(axis="y", labelsize=7, rotation=0)
    ax.tick_params(axis="x", labelsize=7, rotation=0)
    return fig
