"""The figures of the overview report: customer base, revenue, cohort retention.

Each takes the output of the matching function of :mod:`segkit.features.cohorts` and
the language of its labels, and returns a :class:`matplotlib.figure.Figure` drawn in
the style of :mod:`segkit.plot._style`.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from .. import glossary
from ._style import (
    FIGSIZE,
    _bars,
    _colors,
    _empty,
    _figure,
    _period_label,
    _time_chart,
    figure_lang,
)

__all__ = ["customer_base", "revenue", "cohort_retention"]


def customer_base(base: pd.DataFrame, lang: str = "en", *, time_grain: str = "M") -> Figure:
    """Line chart of the customer base and active customers, bars of new customers.

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

    return _time_chart(base, lang, time_grain, "n_customers", draw)


def revenue(rev: pd.DataFrame, lang: str = "en", *, time_grain: str = "M") -> Figure:
    """Bars of gross revenue and returns (below zero) with a line of net revenue.

    With contracts, the contract revenue is stacked on the gross revenue; a company
    without sales (customers and contracts only) shows the contract revenue alone.

    Parameters
    ----------
    rev : pandas.DataFrame
        Output of :func:`segkit.features.revenue`.
    lang : {"en", "zh"}, default "en"
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"

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

    return _time_chart(rev, lang, time_grain, "revenue", draw)


def cohort_retention(matrix: pd.DataFrame, lang: str = "en", *, time_grain: str = "M") -> Figure:
    """Heat map of a cohort retention matrix (share of each cohort active in period k).

    Cells are annotated with percentages when the matrix is small enough to read.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`segkit.features.cohort_retention`.
    lang : {"en", "zh"}, default "en"
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"

    Returns
    -------
    matplotlib.figure.Figure
    """
    import seaborn as sns

    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    n_rows, n_cols = matrix.shape
    height = min(6.0, max(2.2, 0.8 + 0.22 * n_rows))
    fig, ax = _figure((FIGSIZE[0], height))
    if matrix.empty:
        return _empty(fig, ax, lang)
    labels = [_period_label(pd.Timestamp(i), time_grain) for i in matrix.index]
    annotate = n_rows <= 25 and n_cols <= 13
    ax.grid(False)
    sns.heatmap(
        matrix.to_numpy(dtype=float) * 100,
        ax=ax,
        cmap="Blues",
        vmin=0,
        vmax=100,
        annot=annotate,
        fmt=".0f",
        annot_kws={"fontsize": 7},
        xticklabels=list(matrix.columns),
        yticklabels=labels,
        cbar_kws={"format": PercentFormatter(decimals=0), "label": g["share_active"]},
        linewidths=0.3,
        linecolor="white",
    )
    grain = g("grain_" + time_grain)
    ax.set_xlabel(g("periods_since_acquisition", grain_n=g("grain_n_" + time_grain)))
    ax.set_ylabel(g("cohort_axis", grain=grain))
    ax.tick_params(axis="y", labelsize=7, rotation=0)
    ax.tick_params(axis="x", labelsize=7, rotation=0)
    return fig
