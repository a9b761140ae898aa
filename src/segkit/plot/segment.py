"""The figures of segmentation and tiering: value concentration, tier shares, RFM grid,
segment sizes, the migration matrix and the flows between tiers over periods.

Each takes a small table computed by :mod:`segkit.segment` (tiers, profiles, matrices)
whose category labels are already in the reader's language (the tier schemes' and the
segment map's ``labels(lang)``), and the language of the axis words. Figures are drawn on
an explicit :class:`~matplotlib.figure.Figure` in the style of :mod:`segkit.plot._style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import PercentFormatter

from .. import glossary
from ._style import FIGSIZE, _colors, _empty, _figure, figure_lang

__all__ = [
    "value_concentration",
    "tier_shares",
    "rfm_grid",
    "segment_sizes",
    "migration_heatmap",
    "tier_flows",
]


def _tier_colors(n: int) -> list:
    """Tier colours from best to worst: one palette, so every figure colours a tier alike."""
    return _colors(max(n, 1))[:n]


def value_concentration(values: pd.Series, tiers: pd.Series, order: list[str],
                        lang: str = "en", *, value_label: str = "") -> Figure:
    """The concentration curve of value: the share of value held by the top x% of customers.

    Customers are sorted by value, largest first; the curve is coloured by each
    customer's tier, so the Pareto rule ("20% of customers bring 80% of revenue") and
    the tier boundaries read off one line.

    Parameters
    ----------
    values : pandas.Series
        Value per customer (revenue, margin, CLV, ...).
    tiers : pandas.Series
        Tier label per customer, aligned with ``values``.
    order : list of str
        The tier labels, best first (colours and legend order).
    lang : {"en", "zh"}
    value_label : str
        What the value is (e.g. "revenue"), for the axis.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    fig.suptitle(g("fig_value_concentration", value=value_label), fontsize="medium",
                 fontweight="bold")
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(v)
    if not ok.any():
        return _empty(fig, ax, lang)
    v, t = v[ok], np.asarray(tiers)[ok]
    o = np.argsort(-v, kind="stable")
    v, t = v[o], t[o]
    total = v[v > 0].sum()
    x = np.arange(1, len(v) + 1) / len(v)
    y = np.cumsum(np.clip(v, 0, None)) / total if total > 0 else np.zeros_like(v)
    for color, tier in zip(_tier_colors(len(order)), order, strict=True):
        mask = t == tier
        if mask.any():
            ax.plot(np.where(mask, x, np.nan), np.where(mask, y, np.nan), lw=3, color=color,
                    label=f"{tier} ({mask.mean():.0%})", solid_capstyle="butt")
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls=":")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(g["axis_customer_share_sorted"])
    ax.set_ylabel(g("axis_value_share", value=value_label))
    ax.legend(loc="lower right", fontsize="small", title=g["legend_tier"])
    return fig


def tier_shares(table: pd.DataFrame, lang: str = "en", *, value_label: str = "") -> Figure:
    """Each tier's share of customers beside its share of value (and of cost to serve).

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by tier label (best first), with ``customer_share`` and ``value_share``
        (fractions), and optionally ``cost_share``.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    fig.suptitle(g["fig_tier_shares"], fontsize="medium", fontweight="bold")
    if table.empty:
        return _empty(fig, ax, lang)
    cols = [c for c in ("customer_share", "value_share", "cost_share") if c in table]
    names = {"customer_share": g["share_of_customers"],
             "value_share": g("share_of_value", value=value_label),
             "cost_share": g["share_of_cost_to_serve"]}
    y = np.arange(len(table))
    h = 0.8 / len(cols)
    for i, (col, color) in enumerate(zip(cols, _colors(len(cols)), strict=True)):
        share = table[col].to_numpy(dtype=float)
        bars = ax.barh(y + (i - (len(cols) - 1) / 2) * h, share, height=h, color=color,
                       label=names[col])
        ax.bar_label(bars, labels=[f"{s:.0%}" for s in share], fontsize="x-small", padding=2)
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, min(1.0, float(np.nanmax(table[cols].to_numpy(dtype=float))) * 1.25 + 0.02))
    ax.set_xlabel(g["axis_share"])
    ax.legend(loc="lower right", fontsize="small")
    return fig


def rfm_grid(scores: pd.DataFrame, lang: str = "en", *, bins: int = 5) -> Figure:
    """Customers by recency score (rows) and frequency score (columns), with their mean
    monetary score: where the customers sit on the RFM map.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``r_score``, ``f_score`` and ``m_score`` per customer (:class:`segkit.segment.RFMScorer`).
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0] * 0.8, FIGSIZE[1]))
    fig.suptitle(g["fig_rfm_grid"], fontsize="medium", fontweight="bold")
    s = scores.dropna(subset=["r_score", "f_score"])
    if s.empty:
        return _empty(fig, ax, lang)
    levels = np.arange(1, bins + 1)
    counts = pd.crosstab(s["r_score"], s["f_score"]).reindex(index=levels, columns=levels,
                                                               fill_value=0)
    mean_m = s.groupby(["r_score", "f_score"])["m_score"].mean().unstack().reindex(
        index=levels, columns=levels)
    share = counts.to_numpy(dtype=float) / max(len(s), 1)
    im = ax.imshow(share[::-1], cmap="Blues", aspect="auto",
                   extent=(0.5, bins + 0.5, 0.5, bins + 0.5))
    top = share.max() if share.size else 0
    for r in levels:
        for f in levels:
            n = counts.loc[r, f]
            if n:
                m = mean_m.loc[r, f]
                dark = share[r - 1, f - 1] > 0.6 * top
                ax.text(f, r, f"{n:,}\nM {m:.1f}", ha="center", va="center", fontsize="x-small",
                        color="white" if dark else "0.15")
    ax.set_xticks(levels)
    ax.set_yticks(levels)
    ax.set_xlabel(g["axis_f_score"])
    ax.set_ylabel(g["axis_r_score"])
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax, shrink=0.8)
    cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    cb.set_label(g["share_of_customers"])
    return fig


def segment_sizes(table: pd.DataFrame, lang: str = "en", *, value_label: str = "") -> Figure:
    """Each RFM segment's customers (bars) and share of value (dots).

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by segment label, in the map's order, with ``customers`` and
        ``value_share`` (fraction).
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.15))
    fig.suptitle(g["fig_segment_sizes"], fontsize="medium", fontweight="bold")
    if table.empty:
        return _empty(fig, ax, lang)
    c = _colors(2)
    y = np.arange(len(table))
    n = table["customers"].to_numpy(dtype=float)
    bars = ax.barh(y, n, color=c[0], alpha=0.8, label=g["axis_n_customers"])
    ax.bar_label(bars, labels=[f"{int(v):,}" for v in n], fontsize="x-small", padding=2)
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.invert_yaxis()
    ax.set_xlabel(g["axis_n_customers"])
    ax.set_xlim(0, n.max() * 1.2 if n.max() > 0 else 1)
    ax2 = ax.twiny()
    ax2.plot(table["value_share"].to_numpy(dtype=float), y, "o", color=c[1],
             label=g("share_of_value", value=value_label))
    ax2.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax2.set_xlim(0, max(float(table["value_share"].max()) * 1.2, 0.05))
    ax2.set_xlabel(g("share_of_value", value=value_label))
    ax2.grid(False)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="lower right", fontsize="small")
    return fig


def migration_heatmap(shares: pd.DataFrame, lang: str = "en", *,
                      counts: pd.DataFrame | None = None) -> Figure:
    """The migration matrix: the share of each tier's customers (rows, at the start of a
    period) found in each tier (columns) at its end.

    Parameters
    ----------
    shares : pandas.DataFrame
        Row shares (rows sum to 1), labels in the reader's language.
    counts : pandas.DataFrame, optional
        The transitions behind the shares, shown beside them.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0] * 0.85, FIGSIZE[1] * 1.1))
    fig.suptitle(g["fig_migration_matrix"], fontsize="medium", fontweight="bold")
    if shares.empty:
        return _empty(fig, ax, lang)
    m = shares.to_numpy(dtype=float)
    im = ax.imshow(m, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if np.isfinite(m[i, j]):
                text = f"{m[i, j]:.0%}"
                if counts is not None:
                    text += f"\n({int(counts.iloc[i, j]):,})"
                ax.text(j, i, text, ha="center", va="center", fontsize="x-small",
                        color="white" if m[i, j] > 0.6 else "0.15")
    ax.set_xticks(np.arange(m.shape[1]), [str(c) for c in shares.columns], rotation=30,
                  ha="right")
    ax.set_yticks(np.arange(m.shape[0]), [str(i) for i in shares.index])
    ax.set_xlabel(g["axis_tier_to"])
    ax.set_ylabel(g["axis_tier_from"])
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax, shrink=0.8)
    cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    return fig


def tier_flows(counts: pd.DataFrame, order: list[str], lang: str = "en", *,
               period_labels: list[str] | None = None) -> Figure:
    """The customers of each tier per period (stacked columns) and the flows between
    consecutive periods (ribbons, as wide as the number of customers who moved).

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per (``period``, ``from_tier``, ``to_tier``) with the number of customers
        ``n`` who were in ``from_tier`` at that period and in ``to_tier`` at the next one
        (the pooled or per-period output of :func:`segkit.segment.migration_matrix` in
        long form). Labels in the reader's language.
    order : list of str
        Tier labels, best first (stacked from the top).
    period_labels : list of str, optional
        Axis labels of the periods (default: the period values as text).
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.15))
    fig.suptitle(g["fig_tier_flows"], fontsize="medium", fontweight="bold")
    if counts.empty:
        return _empty(fig, ax, lang)
    periods = sorted(counts["period"].unique())
    colors = dict(zip(order, _tier_colors(len(order)), strict=True))
    # tier sizes at each column: the "from" side of period k, the "to" side of the last
    cols = []
    for p in periods:
        part = counts[counts["period"] == p]
        cols.append(part.groupby("from_tier")["n"].sum().reindex(order, fill_value=0))
    last = counts[counts["period"] == periods[-1]].groupby("to_tier")["n"].sum()
    cols.append(last.reindex(order, fill_value=0))
    total = max(float(max(c.sum() for c in cols)), 1.0)
    width, gap = 0.18, 0.02 * total
    tops = []
    for k, col in enumerate(cols):
        y, top = total * 1.0 + gap * len(order), {}
        for tier in order:
            h = float(col[tier])
            top[tier] = y
            ax.add_patch(Polygon([(k - width / 2, y), (k + width / 2, y), (k + width / 2, y - h),
                                  (k - width / 2, y - h)], closed=True, color=colors[tier],
                                 lw=0, label=tier if k == 0 else None))
            y -= h + gap
        tops.append(top)
    for k, p in enumerate(periods):
        part = counts[counts["period"] == p]
        out_y = dict(tops[k])
        in_y = dict(tops[k + 1])
        for a in order:
            for b in order:
                n = float(part.loc[(part["from_tier"] == a) & (part["to_tier"] == b), "n"].sum())
                if n <= 0:
                    continue
                y0, y1 = out_y[a], in_y[b]
                xs = np.linspace(k + width / 2, k + 1 - width / 2, 24)
                s = (1 - np.cos(np.pi * (xs - xs[0]) / (xs[-1] - xs[0]))) / 2
                upper = y0 + (y1 - y0) * s
                ax.fill_between(xs, upper, upper - n, color=colors[a], alpha=0.35, lw=0)
                out_y[a] -= n
                in_y[b] -= n
    labels = period_labels or [str(p) for p in periods]
    if len(labels) == len(periods):
        labels = labels + [g["next_period"]]
    ax.set_xticks(range(len(cols)), labels[: len(cols)], rotation=30 if len(cols) > 6 else 0)
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(-gap, total + gap * (len(order) + 1))
    ax.set_yticks([])
    ax.set_ylabel(g["axis_n_customers"])
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small",
              title=g["legend_tier"])
    return fig
