"""The figures of customer valuation: validation of a purchase model, P(alive), lifetime value.

- :func:`expected_vs_actual`: holdout purchases by calibration frequency, actual and
  expected (the *conditional expectations* of Fader, Hardie & Lee 2005);
- :func:`tracking`: repeat purchases per week and cumulated, actual and expected, with
  the end of the calibration period marked (the *tracking plots* of the papers);
- :func:`model_comparison`: the holdout error of several models on one split;
- :func:`probability_alive_distribution` and :func:`probability_alive_matrix`: how
  likely customers are still active, over the customers and over frequency and recency
  (as lifetimes' ``plot_probability_alive_matrix``);
- :func:`clv_distribution` and :func:`historic_vs_predictive`: the lifetime values, and
  past revenue against predicted value ("a big customer is not necessarily a good
  customer").

Each takes the small tables of :mod:`segkit.value` (``validation.expected_vs_actual``,
``validation.tracking``, ``validation.compare_models``, ``clv.historic_vs_predictive``)
or per-customer values, and the language of the labels; every word comes from
:mod:`segkit.glossary`. Figures are drawn on an explicit
:class:`~matplotlib.figure.Figure` in the style of :mod:`segkit.plot._style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .. import glossary
from ._style import DPI, FIGSIZE, _colors, _date_axis, _empty, _figure, _thousands, figure_lang

__all__ = [
    "expected_vs_actual",
    "tracking",
    "model_comparison",
    "probability_alive_distribution",
    "probability_alive_matrix",
    "clv_distribution",
    "historic_vs_predictive",
]

#: Colour map of P(alive): red (probably gone) to green (probably active).
_ALIVE_CMAP = "RdYlGn"


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(text, fontsize="medium", fontweight="bold")


def _floor(values: np.ndarray) -> float:
    """The lowest value a log axis shows: the 1% quantile of the positive values, and at
    least 1% of their median and 0.01 (so a few near-zero values do not stretch the axis)."""
    pos = values[np.isfinite(values) & (values > 0)]
    if not len(pos):
        return 1.0
    return float(max(np.quantile(pos, 0.01), np.median(pos) * 0.01, 0.01))


# --------------------------------------------------------------------------- validation


def expected_vs_actual(table: pd.DataFrame, lang: str = "en", *, model_label: str = "") -> Figure:
    """Mean holdout purchases per customer by calibration purchases: actual and expected.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`segkit.value.validation.expected_vs_actual`: ``label`` (0, 1, ..., 7+),
        ``n_customers``, ``actual`` and ``expected`` (means per customer).
    lang : {"en", "zh"}
    model_label : str
        The model's name, shown in the legend.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    _title(fig, g["fig_val_expected_vs_actual"])
    if table.empty:
        return _empty(fig, ax, lang)
    c = _colors(2)
    x = np.arange(len(table))
    actual = table["actual"].to_numpy(dtype=float)
    expected = table["expected"].to_numpy(dtype=float)
    ax.bar(x, actual, width=0.6, color=c[0], alpha=0.7, label=g["legend_val_actual"])
    ax.plot(x, expected, "o-", color=c[1], lw=2, ms=5,
            label=g("legend_val_expected", model=model_label))
    labels = [f"{lab}\n({int(n):,})" for lab, n in zip(table["label"], table["n_customers"],
                                                         strict=True)]
    ax.set_xticks(x, labels, fontsize="small")
    ax.set_xlabel(g["axis_val_calibration_purchases"])
    ax.set_ylabel(g["axis_val_holdout_purchases"])
    ax.set_ylim(0, max(float(np.nanmax(actual)), float(np.nanmax(expected))) * 1.15 + 1e-9)
    ax.legend(loc="upper left", fontsize="small")
    return fig


def tracking(table: pd.DataFrame, lang: str = "en", *, calibration_end=None,
             model_label: str = "") -> Figure:
    """Repeat purchases per week (top) and cumulated (bottom): actual against expected.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`segkit.value.validation.tracking`: ``start`` (first day of each week),
        ``actual``, ``expected``, ``actual_cumulative``, ``expected_cumulative``.
    calibration_end : date-like, optional
        Marked by a vertical line; the holdout after it is shaded.
    model_label : str
        The model's name, shown in the legend.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] * 1.65), dpi=DPI, layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    _title(fig, g["fig_val_tracking"])
    if table.empty:
        axes[1].set_axis_off()
        return _empty(fig, axes[0], lang)
    c = _colors(2)
    x = pd.DatetimeIndex(table["start"])
    # a last week cut short by the observation end would fall in the weekly panel
    length = pd.DatetimeIndex(table["end"]) - x if "end" in table else None
    whole = (np.asarray(length >= length.max()) if length is not None and len(length)
             else np.ones(len(x), dtype=bool))
    pairs = (("actual", "expected", "axis_val_per_week", whole),
             ("actual_cumulative", "expected_cumulative", "axis_val_cumulative",
              np.ones(len(x), dtype=bool)))
    for ax, (a, e, ylabel, rows) in zip(axes, pairs, strict=True):
        ax.plot(x[rows], table[a].to_numpy(dtype=float)[rows], color=c[0], lw=1.6,
                label=g["legend_val_actual"])
        ax.plot(x[rows], table[e].to_numpy(dtype=float)[rows], color=c[1], lw=1.6, ls="--",
                label=g("legend_val_expected", model=model_label))
        ax.set_ylabel(g[ylabel])
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_ylim(bottom=0)
        if calibration_end is not None:
            end = pd.Timestamp(calibration_end)
            ax.axvline(end, color="0.35", lw=1, ls=":",
                       label=g["legend_val_calibration_end"])
            ax.axvspan(end, x.max() + pd.Timedelta(days=7), color="0.9", lw=0, zorder=0,
                       label=g["legend_val_holdout"])
    _date_axis(axes[1], x, lang)
    axes[1].set_xlabel(g["axis_val_week"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize="small")
    return fig


def model_comparison(table: pd.DataFrame, lang: str = "en", *, chosen: str | None = None
                     ) -> Figure:
    """Holdout error of each model on the same split: per customer and in total.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by the models' names (in the reader's language), with ``mae`` (mean
        absolute error per customer) and ``total_error`` (expected minus actual, relative
        to actual); NaN for a model that could not be fitted.
    chosen : str, optional
        The name of the model the report uses, drawn in colour (the others in grey).
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig = Figure(figsize=(FIGSIZE[0], max(FIGSIZE[1] * 0.8, 0.55 * len(table) + 1.4)),
                 dpi=DPI, layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    _title(fig, g["fig_val_model_comparison"])
    if table.empty:
        axes[1].set_axis_off()
        return _empty(fig, axes[0], lang)
    c = _colors(2)
    y = np.arange(len(table))
    names = [str(i) for i in table.index]
    colors = [c[0] if (chosen is None or n == chosen) else "0.65" for n in names]
    for ax, col, label, pct in ((axes[0], "mae", "axis_val_mae", False),
                                (axes[1], "total_error", "axis_val_total_error", True)):
        v = table[col].to_numpy(dtype=float)
        ok = np.isfinite(v)
        bars = ax.barh(y[ok], v[ok], color=[k for k, o in zip(colors, ok, strict=True) if o],
                       height=0.6)
        ax.bar_label(bars, labels=[f"{b:+.1%}" if pct else f"{b:.3f}" for b in v[ok]],
                     fontsize="x-small", padding=2)
        for yi in y[~ok]:
            ax.text(0, yi, " " + g["label_val_not_fitted"], va="center", ha="left",
                    fontsize="x-small", color="0.35")
        if pct:
            ax.axvline(0, color="0.3", lw=0.8)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            span = float(np.nanmax(np.abs(v[ok]))) if ok.any() else 0.1
            span = max(span, 0.02) * 1.6
            ax.set_xlim(-span, span)
        else:
            top = float(np.nanmax(v[ok])) if ok.any() else 1.0
            ax.set_xlim(0, top * 1.35 if top > 0 else 1.0)
        ax.set_title(g[label], fontsize="small", fontweight="normal")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    return fig


# --------------------------------------------------------------------------- P(alive)


def probability_alive_distribution(p_alive, frequency, lang: str = "en") -> Figure:
    """How the customers' P(alive) is spread, one-time and repeat buyers stacked.

    Parameters
    ----------
    p_alive : array-like
        P(alive) per customer (``expected_probability_alive``).
    frequency : array-like
        Repeat purchases per customer, aligned (0 is a one-time buyer).
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    _title(fig, g["fig_val_alive_distribution"])
    p = np.asarray(p_alive, dtype=float)
    f = np.asarray(frequency, dtype=float)
    ok = np.isfinite(p) & np.isfinite(f)
    if not ok.any():
        return _empty(fig, ax, lang)
    p, f = np.clip(p[ok], 0, 1), f[ok]
    bins = np.linspace(0, 1, 21)
    c = _colors(2)
    ax.hist([p[f > 0], p[f == 0]], bins=bins, stacked=True, color=[c[0], c[1]], alpha=0.8,
            label=[g["legend_val_repeat"], g["legend_val_one_time"]])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_xlabel(g["axis_val_p_alive"])
    ax.set_ylabel(g["axis_n_customers"])
    ax.legend(loc="upper left", fontsize="small")
    return fig


def _summary_names(model) -> dict[str, str]:
    names = getattr(model, "columns_", None)
    out = {"frequency": "frequency", "recency": "recency", "T": "T"}
    if isinstance(names, dict):
        out.update({k: v for k, v in names.items() if k in out})
    return out


def probability_alive_matrix(model, lang: str = "en", *, T: float, max_frequency: int,
                             n_recency: int = 40) -> Figure:
    """P(alive) over repeat purchases (columns) and recency (rows), for one age ``T``.

    The heat map of lifetimes' ``plot_probability_alive_matrix``: a customer first
    bought ``T`` weeks ago, has made ``frequency`` repeat purchases, the last one
    ``recency`` weeks after the first. Cells that no history can have (recency above 0
    without a repeat purchase) are left blank.

    Parameters
    ----------
    model : fitted purchase model
        With ``expected_probability_alive(data)`` (BetaGeoModel, ParetoNBDModel,
        ModifiedBetaGeoModel).
    T : float
        Age of the customers, in the model's time unit (weeks in the reports).
    max_frequency : int
        The last column.
    n_recency : int, default 40
        Rows, from recency 0 to ``T``.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.4))
    T = float(T)
    _title(fig, g("fig_val_alive_matrix", T=f"{T:.0f}"))
    max_frequency = int(max_frequency)
    if not (T > 0 and max_frequency >= 1):
        return _empty(fig, ax, lang)
    freqs = np.arange(max_frequency + 1, dtype=float)
    rec = np.linspace(0.0, T, int(n_recency) + 1)
    fx, rx = np.meshgrid(freqs, rec)  # rows: recency, columns: frequency
    valid = ~((fx == 0) & (rx > 0))
    names = _summary_names(model)
    grid = pd.DataFrame({names["frequency"]: fx[valid], names["recency"]: rx[valid],
                         names["T"]: T})
    values = np.full(fx.shape, np.nan)
    values[valid] = np.asarray(model.expected_probability_alive(grid), dtype=float)
    step_r = rec[1] - rec[0]
    im = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto",
                   cmap=_ALIVE_CMAP, vmin=0, vmax=1,
                   extent=(-0.5, max_frequency + 0.5, -step_r / 2, T + step_r / 2))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(g["axis_val_frequency"])
    ax.set_ylabel(g["axis_val_recency"])
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax, shrink=0.85)
    cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    cb.set_label(g["legend_val_p_alive"])
    return fig


# --------------------------------------------------------------------------- lifetime value


def clv_distribution(clv, lang: str = "en", *, months: int = 12, currency: str = "") -> Figure:
    """The customers' lifetime values on a log scale, with their mean and median.

    Parameters
    ----------
    clv : array-like
        Lifetime value per customer (``expected_customer_lifetime_value``).
    months : int
        The horizon, for the title.
    currency : str
        For the axis label.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    _title(fig, g("fig_val_clv_distribution", months=months))
    v = np.asarray(clv, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v) or not (v > 0).any():
        return _empty(fig, ax, lang)
    lo = _floor(v)
    hi = max(float(v.max()), lo * 10)
    bins = np.geomspace(lo, hi, 31)
    c = _colors(3)
    ax.hist(np.clip(v, lo, hi), bins=bins, color=c[0], alpha=0.75)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    mean, median = float(v.mean()), float(np.median(v))
    ax.axvline(max(mean, lo), color=c[1], lw=1.5,
               label=g("legend_val_mean", value=_thousands(mean, None)))
    ax.axvline(max(median, lo), color=c[2], lw=1.5, ls="--",
               label=g("legend_val_median", value=_thousands(median, None)))
    ax.set_xlabel(g("axis_val_clv", currency=currency))
    ax.set_ylabel(g["axis_n_customers"])
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    if (v < lo).any():  # said in the legend
        ax.plot([], [], " ", label=g("note_val_floor", floor=_thousands(lo, None),
                                     n=f"{int((v < lo).sum()):,}"))
    handles, labels = ax.get_legend_handles_labels()  # below the axes: it covers no bar
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    return fig


def historic_vs_predictive(frame: pd.DataFrame, lang: str = "en", *, currency: str = "",
                           p_alive=None, top_share: float = 0.2) -> Figure:
    """Past revenue against predicted lifetime value, one dot per customer.

    Dashed lines mark the top ``top_share`` by each; the customers right of the
    vertical line and below the horizontal one are big in the past and not in the
    future ("a big customer is not necessarily a good customer"). Dots are coloured by
    P(alive) when given.

    Parameters
    ----------
    frame : pandas.DataFrame
        :attr:`segkit.value.clv.HistoricPredictive.frame`: ``historic_value``,
        ``predictive_value``, ``top_historic``, ``top_predictive``.
    currency : str
        For the axis labels.
    p_alive : array-like, optional
        P(alive) per customer, aligned with ``frame``.
    top_share : float, default 0.2
        The share of the top groups, for the legend.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.3))
    _title(fig, g["fig_val_historic_predictive"])
    if frame.empty:
        return _empty(fig, ax, lang)
    h = frame["historic_value"].to_numpy(dtype=float)
    p = frame["predictive_value"].to_numpy(dtype=float)
    lo_h, lo_p = _floor(h), _floor(p)
    hc, pc = np.clip(h, lo_h, None), np.clip(p, lo_p, None)
    kw = {"s": 7, "alpha": 0.6, "lw": 0}
    if p_alive is not None:
        pa = np.asarray(p_alive, dtype=float)
        sc = ax.scatter(hc, pc, c=pa, cmap=_ALIVE_CMAP, vmin=0, vmax=1, **kw)
        cb = fig.colorbar(sc, ax=ax, shrink=0.85)
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        cb.set_label(g["legend_val_p_alive"])
    else:
        ax.scatter(hc, pc, color=_colors(1)[0], **kw)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    top_h = frame["top_historic"].to_numpy(dtype=bool)
    top_p = frame["top_predictive"].to_numpy(dtype=bool)
    share = f"{top_share:.0%}"
    if top_h.any() and top_p.any():
        x_cut, y_cut = float(hc[top_h].min()), float(pc[top_p].min())
        ax.axvline(x_cut, color="0.3", lw=0.9, ls="--", label=g("legend_val_top", share=share))
        ax.axhline(y_cut, color="0.3", lw=0.9, ls="--")
        n_big = int((top_h & ~top_p).sum())
        ax.text(0.98, 0.03, g("label_val_big_not_good", n=f"{n_big:,}"), transform=ax.transAxes,
                ha="right", va="bottom", fontsize="small", color="0.15",
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel(g("axis_val_historic", currency=currency))
    ax.set_ylabel(g("axis_val_predictive", currency=currency))
    return fig
