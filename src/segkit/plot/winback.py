"""The figures of win-back (流失客户挽回): loss reasons, the cost of churn, offer effects,
Qini curves and the targeting policies compared.

- :func:`loss_reasons`: the share of each loss reason per group (former tier, region or
  period), stacked (:func:`segkit.winback.loss_reasons`);
- :func:`churn_cost`: revenue, margin and lifetime value lost per former tier
  (:func:`segkit.winback.cost_of_churn`);
- :func:`offer_effects`: each offer's difference in response against control with its
  confidence interval (:func:`segkit.winback.offer_effects`);
- :func:`qini_curves`: the Qini curve of each offer's uplift ranking against random
  targeting (:func:`segkit.winback.qini_curve`);
- :func:`policy_comparison`: the gain of each targeting policy under one budget
  (:func:`segkit.winback.compare_policies`).

Group, reason, offer and policy labels come in the reader's words (the caller maps the
codes through :mod:`segkit.glossary`); every other word comes from the glossary.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .. import glossary
from ..exceptions import SegkitError
from ._style import FIGSIZE, _colors, _empty, _figure, _thousands, figure_lang

__all__ = ["loss_reasons", "churn_cost", "offer_effects", "qini_curves", "policy_comparison"]


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(text, fontsize="medium", fontweight="bold")


def _height(n: int) -> tuple[float, float]:
    """A figure tall enough for ``n`` horizontal bars."""
    return (FIGSIZE[0], max(FIGSIZE[1] * 0.8, 1.4 + 0.42 * n))


def _code_label(code, prefix: str, lang: str) -> str:
    """The glossary's words for a code (``tier_key`` ...), else the code as it is."""
    key = f"{prefix}{code}"
    return glossary.t(key, lang) if key in glossary.TERMS else str(code)


def _tiers_in_words(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rows indexed by tier codes, best tier first and in words; other rows as they are."""
    order = ("key", "ordinary", "small", "inferior")
    names = [str(i) for i in table.index]
    if len(table) and set(names) <= set(order):
        table = table.iloc[[names.index(t) for t in order if t in names]]
    return table.rename(index=lambda c: _code_label(c, "tier_", lang))


def _reason_label(code, lang: str) -> str:
    """A loss-reason code in words (``complex_decision``, ``unknown``), else as it is."""
    if str(code) == "unknown":
        return glossary.t("lcr_reason_unknown", lang)
    try:
        return glossary.category_label("exits", "reason", code, lang)
    except SegkitError:  # not a reason code: a label given by the caller
        return str(code)


def loss_reasons(shares: pd.DataFrame, lang: str = "en", *, title: str | None = None,
                 unknown: str | None = None) -> Figure:
    """The share of each loss reason per group, as stacked horizontal bars.

    Parameters
    ----------
    shares : pandas.DataFrame
        One row per group (index: its label), one column per reason (its label), the
        shares of the group's lost customers (each row sums to 1), e.g.
        :meth:`segkit.winback.LossReasons.shares`. Tier and reason codes (``key``,
        ``complex_decision``, ``unknown``) are shown in words; other labels as given.
    lang : {"en", "zh"}
    title : str, optional
        Defaults to the glossary's title.
    unknown : str, optional
        The label of the unknown reason, drawn in grey.

    Examples
    --------
    >>> s = pd.DataFrame({"price": [0.6, 0.2], "service": [0.4, 0.8]}, index=["key", "small"])
    >>> len(loss_reasons(s).axes[0].patches)
    4
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    shares = _tiers_in_words(shares, lang).rename(columns=lambda c: _reason_label(c, lang))
    if unknown is not None:
        unknown = _reason_label(unknown, lang)
    fig, ax = _figure(_height(len(shares)))
    _title(fig, title or g["fig_lcr_reasons_all"])
    if shares.empty or not np.isfinite(shares.to_numpy(dtype=float)).any():
        return _empty(fig, ax, lang)
    y = np.arange(len(shares))
    colors = _colors(shares.shape[1])
    colors = ["0.72" if str(c) == unknown else colors[j] for j, c in enumerate(shares.columns)]
    left = np.zeros(len(shares))
    for j, col in enumerate(shares.columns):
        v = np.nan_to_num(shares[col].to_numpy(dtype=float))
        ax.barh(y, v, left=left, height=0.62, color=colors[j], label=str(col))
        for yi, (lo, w) in enumerate(zip(left, v, strict=True)):
            if w >= 0.08:
                ax.text(lo + w / 2, yi, f"{w:.0%}", ha="center", va="center",
                        fontsize="x-small", color="0.15" if str(col) == unknown else "white")
        left += v
    ax.set_yticks(y, [str(i) for i in shares.index], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(g["axis_lcr_share_lost"])
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center",
               ncols=min(4, max(1, len(labels))), fontsize="small")
    return fig


def churn_cost(table: pd.DataFrame, lang: str = "en", *, currency: str = "CNY") -> Figure:
    """Revenue, margin and lifetime value lost per former tier, as grouped bars.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per tier (index: its label; tier codes are shown in words, best tier
        first), columns ``lost_revenue``, ``lost_margin``
        and optionally ``clv_lost`` (:func:`segkit.winback.cost_of_churn`).
    currency : str, default "CNY"

    Examples
    --------
    >>> t = pd.DataFrame({"lost_revenue": [900.0, 100.0], "lost_margin": [300.0, -20.0]},
    ...                  index=["key", "inferior"])
    >>> len(churn_cost(t).axes[0].patches)
    4
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    _title(fig, g["fig_lcr_cost"])
    cols = [c for c in ("lost_revenue", "lost_margin", "clv_lost") if c in table.columns]
    table = _tiers_in_words(table, lang)
    if table.empty or not cols:
        return _empty(fig, ax, lang)
    x = np.arange(len(table))
    width = 0.8 / len(cols)
    colors = _colors(len(cols))
    for j, col in enumerate(cols):
        ax.bar(x + (j - (len(cols) - 1) / 2) * width, table[col].to_numpy(dtype=float),
               width=width * 0.95, color=colors[j], label=g(f"legend_lcr_{col}"))
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, [str(i) for i in table.index], fontsize="small")
    ax.grid(axis="x", visible=False)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylabel(g("axis_lcr_amount", currency=currency))
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(cols), fontsize="small")
    return fig


def offer_effects(effects: pd.DataFrame, lang: str = "en") -> Figure:
    """Each offer's difference in response rate against control, with its interval.

    Parameters
    ----------
    effects : pandas.DataFrame
        :func:`segkit.winback.offer_effects` (control first): ``offer``, ``diff``,
        ``diff_low``, ``diff_high`` and optionally ``label`` (the offer in words; without
        it, known offer codes are put in words).

    Examples
    --------
    >>> e = pd.DataFrame({"offer": ["control", "a"], "diff": [0.0, 0.1],
    ...                   "diff_low": [np.nan, 0.02], "diff_high": [np.nan, 0.18]})
    >>> len(offer_effects(e).axes[0].lines) >= 2
    True
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    part = effects.iloc[1:] if len(effects) else effects
    fig, ax = _figure(_height(len(part)))
    _title(fig, g["fig_lcr_effects"])
    if part.empty:
        return _empty(fig, ax, lang)
    labels = (part["label"] if "label" in part
              else part["offer"].map(lambda o: _code_label(o, "lcr_offer_", lang)))
    y = np.arange(len(part))
    d = part["diff"].to_numpy(dtype=float)
    lo, hi = part["diff_low"].to_numpy(dtype=float), part["diff_high"].to_numpy(dtype=float)
    c = _colors(2)
    colors = [c[0] if low > 0 else "0.55" for low in lo]
    for yi, (a, b, col) in enumerate(zip(lo, hi, colors, strict=True)):
        ax.plot([a, b], [yi, yi], color=col, lw=2.2, solid_capstyle="butt")
    ax.scatter(d, y, color=colors, s=36, zorder=3)
    for yi, v in enumerate(d):
        ax.annotate(f"{100 * v:+.1f}", (v, yi), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize="x-small")
    ax.axvline(0, color="0.3", lw=0.9, ls="--")
    ax.set_yticks(y, [str(v) for v in labels], fontsize="small")
    ax.invert_yaxis()
    ax.set_ylim(len(part) - 0.4, -0.7)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:+.0f}" if abs(v) > 1e-12
                                               else "0"))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(g["axis_lcr_diff"])
    return fig


def qini_curves(curves: dict, lang: str = "en") -> Figure:
    """The Qini curve of each offer's uplift ranking against random targeting.

    Parameters
    ----------
    curves : dict
        Offer label (an offer code such as ``discount_10`` is shown in words) ->
        ``(k, qini)`` of :func:`segkit.winback.qini_curve` (rows targeted
        and incremental responders), shown per row targeted (k / n, qini / n).

    Examples
    --------
    >>> k, q = np.array([0, 1, 2, 4]), np.array([0.0, 1.0, 1.5, 1.0])
    >>> len(qini_curves({"a": (k, q)}).axes[0].lines)  # the curve, random, zero
    3
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    _title(fig, g["fig_lcr_qini"])
    if not curves:
        return _empty(fig, ax, lang)
    colors = _colors(len(curves))
    for j, (label, (k, q)) in enumerate(curves.items()):
        k, q = np.asarray(k, dtype=float), np.asarray(q, dtype=float)
        n = k[-1] if len(k) and k[-1] > 0 else 1.0
        ax.plot(k / n, q / n, color=colors[j], lw=1.8,
                label=_code_label(label, "lcr_offer_", lang))
        ax.plot([0, 1], [0, q[-1] / n], color=colors[j], lw=1, ls=":")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:.1f}"))
    ax.set_xlabel(g["axis_lcr_targeted"])
    ax.set_ylabel(g["axis_lcr_incremental"])
    ax.set_title(g["fig_lcr_qini_sub"], fontsize="small", color="0.25")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)),
               fontsize="small")
    return fig


def policy_comparison(table: pd.DataFrame, lang: str = "en", *, currency: str = "CNY",
                      column: str = "gain") -> Figure:
    """The gain of each targeting policy under the same budget, as horizontal bars.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per policy (index: its label; the codes of
        :data:`segkit.winback.POLICIES` are shown in words), with the gain in ``column``.
    column : str, default "gain"
        E.g. ``"true_gain"`` or ``"estimated_gain"`` of
        :func:`segkit.winback.backtest_targeting`.

    Examples
    --------
    >>> t = pd.DataFrame({"gain": [120.0, 40.0, -5.0]}, index=["uplift", "risk", "random"])
    >>> len(policy_comparison(t).axes[0].patches)
    3
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure(_height(len(table)))
    _title(fig, g["fig_lcr_policies"])
    if table.empty:
        return _empty(fig, ax, lang)
    v = table[column].to_numpy(dtype=float)
    y = np.arange(len(table))
    c = _colors(2)
    ax.barh(y, v, height=0.6, color=[c[0]] + [c[1]] * (len(v) - 1))
    span = max(float(np.nanmax(np.abs(v))), 1.0)
    for yi, val in enumerate(v):
        if math.isfinite(val):
            ax.text(val, yi, f" {val:,.0f} " if val >= 0 else f" {val:,.0f} ",
                    ha="left" if val >= 0 else "right", va="center", fontsize="x-small")
    ax.axvline(0, color="0.3", lw=0.8)
    lo = min(0.0, float(np.nanmin(v)))
    ax.set_xlim(lo - 0.25 * span * (lo < 0), max(0.0, float(np.nanmax(v))) + 0.25 * span)
    ax.set_yticks(y, [_code_label(i, "lcr_policy_", lang) for i in table.index],
                  fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_xlabel(g("axis_lcr_gain", currency=currency))
    return fig
