"""The figures of churn: definitions, survival, hazard models, honest evaluation, early warning.

- :func:`threshold_tradeoff`: false churn against missed churn for candidate inactivity
  thresholds, the chosen one marked (:func:`segkit.churn.threshold_tradeoff`);
- :func:`churn_rate`: the churn rate per period (:func:`segkit.churn.churn_rate`);
- :func:`survival_curves`: Kaplan-Meier curves by group with their confidence bands and
  the log-rank test in the subtitle (:func:`segkit.churn.kaplan_meier`);
- :func:`hazard_ratios`: a forest plot of a Cox model's hazard ratios with 95% intervals
  on a log scale (``CoxModel.hazard_ratios_``);
- :func:`calibration`: predicted against observed churn at the horizon, by decile
  (:func:`segkit.churn.evaluate.calibration_table`);
- :func:`model_metrics`: concordance, time-dependent AUC and integrated Brier score of
  several models on one time split (:func:`segkit.churn.evaluate.compare_models`);
- :func:`risk_distribution`: the customers' risk with the red / amber / green thresholds
  and the capacity of the team (``EarlyWarning.score``);
- :func:`warning_drivers`: how often each warning indicator is a top driver of the
  customers on the warning list (``EarlyWarning.warning_list``);
- :func:`sbg_vs_kaplan_meier`: the contractual sBG model's retention beside Kaplan-Meier
  on the same cohorts (:class:`segkit.value.ShiftedBetaGeoModel`).

Each takes the small tables of :mod:`segkit.churn` and the language of the labels;
every word comes from :mod:`segkit.glossary` (the indicators, levels and actions by
their codes). Figures are drawn on an explicit :class:`~matplotlib.figure.Figure` in
the style of :mod:`segkit.plot._style`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, PercentFormatter

from .. import glossary
from ..exceptions import ParameterError
from ._style import DPI, FIGSIZE, _colors, _empty, _figure, _thousands, _time_chart, figure_lang

__all__ = [
    "LEVEL_COLORS",
    "threshold_tradeoff",
    "churn_rate",
    "survival_curves",
    "hazard_ratios",
    "calibration",
    "model_metrics",
    "risk_distribution",
    "warning_drivers",
    "sbg_vs_kaplan_meier",
]

#: Colours of the warning levels (a traffic light that also reads in grey print).
LEVEL_COLORS: dict[str, str] = {"red": "#c0392b", "amber": "#e6a21a", "green": "#4c9a5b"}
#: Units of survival time and their glossary words (plural, for axes).
_UNITS = ("D", "W", "M")
#: Ticks of the hazard-ratio axis (those inside its range are shown).
_HR_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0,
             5.0, 10.0, 20.0, 50.0, 100.0)


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(text, fontsize="medium", fontweight="bold")


def _subtitle(ax, text: str) -> None:
    ax.set_title(text, fontsize="small", fontweight="normal", color="0.25")


def _two_lines(label: str) -> str:
    """A label with its parenthesis on a second line (for a narrow axis)."""
    return label.replace(" (", "\n(", 1).replace("（", "\n（", 1)


def _p_text(p: float) -> str:
    """A p-value as read: p < 0.001, p = 0.012, p = 0.34."""
    if not math.isfinite(p):
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def _time_axis_label(g: glossary.Glossary, unit: str, start: str | None) -> str:
    if unit not in _UNITS:

        raise ParameterError(f"unit must be one of {', '.join(_UNITS)} (days, weeks, months), "
                             f"got {unit!r}")
    word = g(f"grain_n_{unit}")
    if start:
        return g("axis_ch_time_since_date", unit=word, date=start)
    return g("axis_ch_time_since_acquisition", unit=word)


def _label(g: glossary.Glossary, prefix: str, code: object) -> str:
    """The glossary word of a code (``prefix + code``), or the code itself when none."""
    key = f"{prefix}{code}"
    return g[key] if key in g else str(code)


# --------------------------------------------------------------------------- definitions


def threshold_tradeoff(table: pd.DataFrame, lang: str = "en", *, chosen: float | None = None
                       ) -> Figure:
    """False churn against missed churn for candidate inactivity thresholds.

    A short threshold declares customers churned who were only pausing (false churn); a
    long one declares them late or never (missed). The chosen threshold is marked.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`segkit.churn.threshold_tradeoff`: ``threshold_days``,
        ``false_churn_rate``, ``missed_rate`` (and ``n_declared``).
    lang : {"en", "zh"}
    chosen : float, optional
        The threshold used, in days, marked by a vertical line.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    _title(fig, g["fig_ch_tradeoff"])
    t = table.dropna(subset=["false_churn_rate", "missed_rate"], how="all") if len(table) else table
    if t.empty:
        return _empty(fig, ax, lang)
    t = t.sort_values("threshold_days")
    c = _colors(2)
    x = t["threshold_days"].to_numpy(dtype=float)
    ax.plot(x, t["false_churn_rate"].to_numpy(dtype=float), "o-", color=c[0], lw=1.8, ms=4,
            label=g["legend_ch_false_churn"])
    ax.plot(x, t["missed_rate"].to_numpy(dtype=float), "s-", color=c[1], lw=1.8, ms=4,
            label=g["legend_ch_missed"])
    if chosen is not None and math.isfinite(float(chosen)):
        ax.axvline(float(chosen), color="0.3", lw=1, ls="--",
                   label=g("legend_ch_chosen_threshold", days=f"{float(chosen):g}"))
    as_of = table.attrs.get("as_of")
    if as_of is not None:
        _subtitle(ax, g("fig_ch_tradeoff_sub", date=pd.Timestamp(as_of).strftime("%Y-%m-%d")))
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(g["axis_ch_threshold"])
    ax.set_ylabel(g["axis_ch_share"])
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    return fig


def churn_rate(table: pd.DataFrame, lang: str = "en", *, time_grain: str = "M",
               title: str | None = None) -> Figure:
    """The churn rate per period: customers lost / customers at risk at the period's start.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`segkit.churn.churn_rate`: ``period_start``, ``at_risk``, ``churned``,
        ``churn_rate`` and ``complete`` (the period cut by the observation end is
        hatched).
    time_grain : {"D", "W", "M", "Q", "Y"}, default "M"
        The period of the table.
    title : str, optional
        Defaults to the glossary's title (narrow churn).
    """
    g0 = glossary.Glossary(figure_lang(lang))
    frame = table.set_index("period_start") if "period_start" in table else table.copy()
    frame = frame.loc[(frame["at_risk"] > 0).to_numpy()].copy() if len(frame) else frame
    frame.index = pd.DatetimeIndex(frame.index)

    def draw(ax, g, x):
        from ._style import _bars

        c = _colors(4)
        _bars(ax, x, frame["churn_rate"].astype(float), color=c[3], label=g["legend_ch_rate"])
        ax.set_ylim(0, max(float(frame["churn_rate"].max()) * 1.2, 0.01))

    fig = _time_chart(frame, lang, time_grain, g0["axis_ch_churn_rate"], draw,
                      title=title or g0["fig_ch_churn_rate"],
                      order=["legend_ch_rate", "partial_period"])
    if fig.axes and not frame.empty:
        fig.axes[0].yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    return fig


# --------------------------------------------------------------------------- survival


def survival_curves(curves: pd.DataFrame, lang: str = "en", *, logrank: dict | None = None,
                    order: list[str] | None = None, unit: str = "D", start: str | None = None,
                    title: str | None = None) -> Figure:
    """Kaplan-Meier curves by group with their confidence bands and the log-rank test.

    Parameters
    ----------
    curves : pandas.DataFrame
        :attr:`segkit.churn.KaplanMeierResult.curves`: ``group``, ``time``,
        ``survival``, ``lower``, ``upper``. The group names are shown as they are (put
        them in the reader's language first, e.g. tier labels).
    logrank : dict, optional
        :attr:`KaplanMeierResult.logrank` (``test_statistic``, ``degrees_of_freedom``,
        ``p_value``), shown in the subtitle.
    order : list of str, optional
        The groups in legend order (colours follow it); by default as they come.
    unit : {"D", "W", "M"}, default "D"
        The unit of ``time``.
    start : str, optional
        The date time counts from (a landmark); by default time counts from acquisition.
    title : str, optional
        Defaults to the glossary's title.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.2))
    _title(fig, title or g["fig_ch_km"])
    if curves.empty:
        return _empty(fig, ax, lang)
    groups = [str(x) for x in (order or pd.unique(curves["group"].astype(str)))]
    groups = [x for x in groups if (curves["group"].astype(str) == x).any()]
    c = _colors(len(groups))
    for color, name in zip(c, groups, strict=True):
        part = curves.loc[curves["group"].astype(str) == name].sort_values("time")
        t = part["time"].to_numpy(dtype=float)
        ax.step(t, part["survival"].to_numpy(dtype=float), where="post", color=color, lw=1.8,
                label=name)
        if {"lower", "upper"} <= set(part.columns):
            ax.fill_between(t, part["lower"].to_numpy(dtype=float),
                            part["upper"].to_numpy(dtype=float), step="post", color=color,
                            alpha=0.18, lw=0)
    if logrank:
        _subtitle(ax, g("fig_ch_logrank", chi2=f"{float(logrank['test_statistic']):.1f}",
                        df=int(logrank["degrees_of_freedom"]),
                        p=_p_text(float(logrank["p_value"]))))
    else:
        _subtitle(ax, g["fig_ch_band"])
    low = float(np.nanmin(curves["lower"] if "lower" in curves else curves["survival"]))
    ax.set_ylim(max(0.0, min(low, float(curves["survival"].min())) - 0.05), 1.01)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_time_axis_label(g, unit, start))
    ax.set_ylabel(g["axis_ch_survival"])
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(groups), 5),
               fontsize="small")
    return fig


def hazard_ratios(table: pd.DataFrame, lang: str = "en", *, title: str | None = None
                  ) -> Figure:
    """A forest plot of hazard ratios with 95% intervals, on a log scale.

    Ratios whose interval excludes 1 are drawn in colour (red: raises the hazard, blue:
    lowers it), the others in grey.

    Parameters
    ----------
    table : pandas.DataFrame
        ``CoxModel.hazard_ratios_``: ``hazard_ratio``, ``lower``, ``upper``, indexed by
        the covariates' names in the reader's language, first row at the top.
    title : str, optional
        Defaults to the glossary's title.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    n = len(table)
    fig, ax = _figure((FIGSIZE[0], max(FIGSIZE[1], 0.32 * n + 1.3)))
    _title(fig, title or g["fig_ch_hazard_ratios"])
    if table.empty:
        return _empty(fig, ax, lang)
    hr = table["hazard_ratio"].to_numpy(dtype=float)
    lo = table["lower"].to_numpy(dtype=float)
    hi = table["upper"].to_numpy(dtype=float)
    y = np.arange(n)
    up, down = LEVEL_COLORS["red"], _colors(1)[0]
    colors = [up if lo_ > 1 else down if hi_ < 1 else "0.55" for lo_, hi_ in zip(lo, hi,
                                                                                    strict=True)]
    ax.hlines(y, lo, hi, colors=colors, lw=2)
    ax.scatter(hr, y, c=colors, s=28, zorder=3)
    ax.axvline(1.0, color="0.3", lw=0.9)
    ax.set_xscale("log")
    finite = np.r_[lo[np.isfinite(lo) & (lo > 0)], hi[np.isfinite(hi) & (hi > 0)], 1.0]
    left, right = float(finite.min()), float(finite.max())
    pad = (right / left) ** 0.08
    ax.set_xlim(left / pad, right * pad)
    ticks = [v for v in _HR_TICKS if left / pad <= v <= right * pad]
    if len(ticks) < 3:  # ratios close to 1: a few ticks across the drawn range
        ticks = sorted({float(f"{v:.2g}") for v in np.geomspace(left / pad, right * pad, 5)}
                       | {1.0})
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(y, [str(i) for i in table.index], fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(g["axis_ch_hazard_ratio"])
    ax.scatter([], [], color=up, s=20, label=g["legend_ch_hr_up"])
    ax.scatter([], [], color=down, s=20, label=g["legend_ch_hr_down"])
    ax.scatter([], [], color="0.55", s=20, label=g["legend_ch_hr_none"])
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    return fig


# --------------------------------------------------------------------------- evaluation


def calibration(table: pd.DataFrame, lang: str = "en", *, horizon: float,
                unit: str = "D", model_label: str = "") -> Figure:
    """Predicted against observed churn by the horizon, one dot per decile of risk.

    Dots on the diagonal are calibrated; above it the model underestimates churn, below
    it overestimates. Dot size is the number of customers.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`segkit.churn.evaluate.calibration_table`: ``bin``, ``n``, ``predicted``,
        ``observed``.
    horizon : float
        The horizon, in ``unit``, for the axes.
    unit : {"D", "W", "M"}
    model_label : str
        The model's name, for the subtitle.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0] * 0.8, FIGSIZE[1] * 1.3))
    _title(fig, g("fig_ch_calibration", h=f"{float(horizon):.3g}", unit=g(f"grain_n_{unit}")))
    if table is None or table.empty:
        return _empty(fig, ax, lang)
    p = table["predicted"].to_numpy(dtype=float)
    o = table["observed"].to_numpy(dtype=float)
    n = table["n"].to_numpy(dtype=float) if "n" in table else np.ones(len(p))
    top = float(np.nanmax(np.r_[p, o])) if len(p) else 1.0
    top = min(1.0, max(0.05, top * 1.15))
    ax.plot([0, top], [0, top], color="0.5", lw=1, ls="--", label=g["legend_ch_perfect"])
    ax.scatter(p, o, s=20 + 60 * n / max(n.max(), 1), color=_colors(1)[0], alpha=0.85,
               label=g["legend_ch_decile"], zorder=3)
    ax.plot(p, o, color=_colors(1)[0], lw=0.8, alpha=0.6)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    h, u = f"{float(horizon):.3g}", g(f"grain_n_{unit}")
    ax.set_xlabel(g("axis_ch_predicted", h=h, unit=u))
    ax.set_ylabel(g("axis_ch_observed", h=h, unit=u))
    if model_label:
        _subtitle(ax, model_label)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize="small")
    return fig


#: Metrics of :func:`model_metrics`: column, glossary key.
_RANK_METRICS = (("harrell_c", "metric_ch_harrell_c"), ("uno_c", "metric_ch_uno_c"),
                 ("auc_mean", "metric_ch_auc_mean"))


def model_metrics(table: pd.DataFrame, lang: str = "en", *, chosen: str | None = None
                  ) -> Figure:
    """Concordance, mean time-dependent AUC and integrated Brier score of models on one split.

    Left: Harrell's and Uno's concordance and the mean AUC (0.5 is chance, higher is
    better); right: the integrated Brier score (lower is better; none for a model that
    predicts no survival curve).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`segkit.churn.evaluate.compare_models`, indexed by the models' names in
        the reader's language: ``harrell_c``, ``uno_c``, ``auc_mean``, ``ibs``.
    chosen : str, optional
        A model's name drawn with a bold label (the one the warning list uses).
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    n = len(table)
    fig = Figure(figsize=(FIGSIZE[0] * 1.15, max(FIGSIZE[1], 0.62 * n + 1.5)), dpi=DPI,
                 layout="constrained")
    axes = fig.subplots(1, 2, sharey=True, width_ratios=[2.2, 1])
    _title(fig, g["fig_ch_metrics"])
    if table.empty:
        axes[1].set_axis_off()
        return _empty(fig, axes[0], lang)
    names = [str(i) for i in table.index]
    y = np.arange(n)
    c = _colors(4)
    width = 0.26
    ax = axes[0]
    for j, (col, key) in enumerate(_RANK_METRICS):
        v = table[col].to_numpy(dtype=float) if col in table else np.full(n, np.nan)
        ok = np.isfinite(v)
        off = (j - 1) * width
        bars = ax.barh(y[ok] + off, v[ok], height=width, color=c[j], label=g[key])
        ax.bar_label(bars, labels=[f"{b:.2f}" for b in v[ok]], fontsize="x-small", padding=2)
    ax.axvline(0.5, color="0.3", lw=0.9, ls=":", label=g["legend_ch_chance"])
    vals = table[[c_ for c_, _ in _RANK_METRICS if c_ in table]].to_numpy(dtype=float)
    top = float(np.nanmax(vals)) if np.isfinite(vals).any() else 1.0
    ax.set_xlim(0.4, min(1.0, top + 0.12) if top + 0.12 > 0.6 else 0.7)
    ax.set_xlabel(_two_lines(g["axis_ch_rank_metrics"]))
    ax.grid(axis="y", visible=False)
    ax2 = axes[1]
    ibs = table["ibs"].to_numpy(dtype=float) if "ibs" in table else np.full(n, np.nan)
    ok = np.isfinite(ibs)
    bars = ax2.barh(y[ok], ibs[ok], height=0.5, color=c[3])
    ax2.bar_label(bars, labels=[f"{b:.3f}" for b in ibs[ok]], fontsize="x-small", padding=2)
    for yi in y[~ok]:
        ax2.text(0, yi, " " + g["label_ch_no_curve"], va="center", ha="left",
                 fontsize="x-small", color="0.35")
    ax2.set_xlim(0, (float(np.nanmax(ibs[ok])) * 1.45) if ok.any() else 1.0)
    ax2.set_xlabel(_two_lines(g["axis_ch_ibs"]))
    ax2.grid(axis="y", visible=False)
    ax.set_yticks(y, names, fontsize="small")
    if chosen is not None:
        for label in ax.get_yticklabels():
            if label.get_text() == chosen:
                label.set_fontweight("bold")
    ax.invert_yaxis()
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize="small")
    return fig


# --------------------------------------------------------------------------- early warning


def risk_distribution(risk, lang: str = "en", *, horizon_days: float,
                      amber_threshold: float, red_threshold: float | None = None,
                      capacity: int | None = None, levels=None) -> Figure:
    """How the customers' risk is spread, coloured by level, with the thresholds.

    Parameters
    ----------
    risk : array-like
        Probability of leaving within the horizon, per active customer
        (``EarlyWarning.score``'s ``risk``).
    horizon_days : float
        For the axis.
    amber_threshold : float
        Amber from this risk on (``EarlyWarning.amber_threshold_``).
    red_threshold : float, optional
        The lowest risk on the red list (``score(...).attrs["red_threshold"]``).
    capacity : int, optional
        How many customers the team can call, for the legend.
    levels : array-like, optional
        The level of each customer (``red``, ``amber``, ``green``), aligned with ``risk``;
        by default from the thresholds.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.15))
    _title(fig, g("fig_ch_risk", h=f"{float(horizon_days):g}"))
    r = np.asarray(risk, dtype=float)
    ok = np.isfinite(r)
    if not ok.any():
        return _empty(fig, ax, lang)
    r = np.clip(r[ok], 0, 1)
    if levels is None:
        red = (r >= red_threshold) if red_threshold is not None and math.isfinite(
            red_threshold) else np.zeros(len(r), dtype=bool)
        lv = np.where(red, "red", np.where(r >= amber_threshold, "amber", "green"))
    else:
        lv = np.asarray(levels, dtype=object).astype(str)[ok]
    top = float(max(r.max(), amber_threshold, red_threshold or 0.0))
    bins = np.linspace(0, top * 1.02 + 1e-9, 41)
    groups = [(name, r[lv == name]) for name in ("green", "amber", "red")]
    ax.hist([v for _, v in groups], bins=bins, stacked=True,
            color=[LEVEL_COLORS[name] for name, _ in groups], alpha=0.85,
            label=[g(f"legend_ch_level_{name}", n=f"{len(v):,}") for name, v in groups])
    ax.set_yscale("symlog", linthresh=10)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylim(bottom=0)
    ax.axvline(amber_threshold, color=LEVEL_COLORS["amber"], lw=1.2, ls="--",
               label=g("legend_ch_amber_threshold", risk=f"{amber_threshold:.1%}"))
    if red_threshold is not None and math.isfinite(red_threshold):
        ax.axvline(red_threshold, color=LEVEL_COLORS["red"], lw=1.2, ls="--",
                   label=g("legend_ch_red_threshold", risk=f"{red_threshold:.1%}"))
    if capacity is not None:
        ax.plot([], [], " ", label=g("legend_ch_capacity", n=f"{int(capacity):,}"))
    ax.set_xlim(0, bins[-1])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0 if top > 0.1 else 1))
    ax.set_xlabel(g("axis_ch_risk", h=f"{float(horizon_days):g}"))
    ax.set_ylabel(g["axis_ch_customers_log"])
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    return fig


def warning_drivers(warning_list: pd.DataFrame, lang: str = "en", *, level: str = "red"
                    ) -> Figure:
    """How often each warning indicator is a top driver of the customers of one level.

    Each bar counts the customers whose first, second or third driver is the indicator
    (stacked by rank).

    Parameters
    ----------
    warning_list : pandas.DataFrame
        ``EarlyWarning.warning_list``: ``level``, ``driver_1``, ``driver_2``,
        ``driver_3`` (indicator names of :data:`segkit.features.windows.INDICATORS`, or
        None).
    level : {"red", "amber"}, default "red"
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.1))
    part = (warning_list.loc[warning_list["level"].astype(str) == level]
            if len(warning_list) else warning_list)
    _title(fig, g("fig_ch_drivers", level=g(f"level_{level}"), n=f"{len(part):,}"))
    cols = [c for c in ("driver_1", "driver_2", "driver_3") if c in part.columns]
    counts = pd.DataFrame({c: part[c].dropna().astype(str).value_counts() for c in cols})
    if part.empty or counts.empty:
        return _empty(fig, ax, lang)
    counts = counts.fillna(0).astype(int)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    y = np.arange(len(counts))
    c = _colors(3)
    left = np.zeros(len(counts))
    for j, col in enumerate(cols):
        v = counts[col].to_numpy(dtype=float)
        ax.barh(y, v, left=left, height=0.6, color=c[j], alpha=0.6 + 0.4 * (j == 0),
                label=g(f"legend_ch_{col}"))
        left += v
    for yi, total in zip(y, left, strict=True):
        ax.text(total, yi, f" {int(total):,}", va="center", fontsize="x-small")
    ax.set_yticks(y, [_label(g, "ind_", k) for k in counts.index], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, left.max() * 1.15 + 1)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(g("axis_ch_n_level", level=g(f"level_{level}")))
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    return fig


# --------------------------------------------------------------------------- subscriptions


def sbg_vs_kaplan_meier(curves, sbg: pd.DataFrame | None = None, lang: str = "en", *,
                        unit: str = "M", order: list[str] | None = None) -> Figure:
    """Retention of the contractual sBG model beside Kaplan-Meier, on the same cohorts.

    Kaplan-Meier (steps, with its confidence band) is what the data say; the sBG
    (dashed, the same colour) is the model of :class:`segkit.value.ShiftedBetaGeoModel`
    fitted to the same customers. Where the dashed line leaves the band, the model does
    not fit that cohort.

    Parameters
    ----------
    curves : SBGComparison or pandas.DataFrame
        The output of :func:`segkit.churn.sbg_vs_kaplan_meier` (both curves at whole
        periods; ``sbg`` is then not needed), or
        :attr:`segkit.churn.KaplanMeierResult.curves` (``group``, ``time``,
        ``survival``, ``lower``, ``upper``), groups = cohorts (or plans).
    sbg : pandas.DataFrame, optional
        With Kaplan-Meier curves: ``group``, ``time``, ``survival``, the sBG survival
        of each group at whole periods.
    unit : {"D", "W", "M"}, default "M"
        The unit of ``time`` (a subscription book counts in months).
    order : list of str, optional
        The groups in legend order.
    """
    if hasattr(curves, "curves"):  # an SBGComparison: both curves at whole periods
        both = curves.curves
        # Kaplan-Meier says nothing beyond the longest follow-up of a cohort
        curves = both.loc[both["observed"]].rename(
            columns={"period": "time", "km": "survival", "km_lower": "lower",
                     "km_upper": "upper"})[["group", "time", "survival", "lower", "upper"]]
        sbg = both.rename(columns={"period": "time", "sbg": "survival"})[
            ["group", "time", "survival"]]
    if sbg is None:
        raise ParameterError("give the sBG curves (sbg=...) or the SBGComparison of "
                             "segkit.churn.sbg_vs_kaplan_meier")
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure((FIGSIZE[0], FIGSIZE[1] * 1.25))
    _title(fig, g["fig_ch_sbg_km"])
    if curves.empty and sbg.empty:
        return _empty(fig, ax, lang)
    names = [str(x) for x in (order or pd.unique(pd.concat(
        [curves["group"].astype(str), sbg["group"].astype(str)])))]
    c = _colors(len(names))
    for color, name in zip(c, names, strict=True):
        part = curves.loc[curves["group"].astype(str) == name].sort_values("time")
        if len(part):
            t = part["time"].to_numpy(dtype=float)
            ax.step(t, part["survival"].to_numpy(dtype=float), where="post", color=color,
                    lw=1.6, label=g("legend_ch_km_of", group=name))
            if {"lower", "upper"} <= set(part.columns):
                ax.fill_between(t, part["lower"].to_numpy(dtype=float),
                                part["upper"].to_numpy(dtype=float), step="post",
                                color=color, alpha=0.15, lw=0)
        model = sbg.loc[sbg["group"].astype(str) == name].sort_values("time")
        if len(model):
            ax.plot(model["time"].to_numpy(dtype=float), model["survival"].to_numpy(dtype=float),
                    color=color, lw=1.6, ls="--", marker="o", ms=2.5,
                    label=g("legend_ch_sbg_of", group=name))
    _subtitle(ax, g["fig_ch_sbg_km_sub"])
    ax.set_ylim(0, 1.01)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _time_axis_label(g, unit, None)  # checks the unit
    ax.set_xlabel(g("axis_ch_time_since_start", unit=g(f"grain_n_{unit}")))
    ax.set_ylabel(g["axis_ch_still_subscribed"])
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, max(2, len(names))),
               fontsize="small")
    return fig
