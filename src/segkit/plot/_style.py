"""The one visual style of segkit, and the chart frame every figure is drawn in.

:func:`setup` sets the style once per notebook or report; :func:`cjk_font` and
:func:`figure_lang` pick the font and the language of the labels; the private helpers
(:func:`_figure`, :func:`_time_chart`, :func:`_bars`, :func:`_legend`, ...) are the
shared pieces of every figure of :mod:`segkit.plot`, so that one module's figures look
like another's.
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .. import glossary

__all__ = [
    "FIGSIZE",
    "DPI",
    "PALETTE",
    "CJK_FONTS",
    "MAX_BARS",
    "setup",
    "BUNDLED_FONT_PACKAGE",
    "cjk_font",
    "system_cjk_font",
    "bundled_cjk_font",
    "figure_lang",
    "period_label",
]

#: Default figure size in inches (width, height).
FIGSIZE: tuple[float, float] = (6.4, 3.2)
#: Resolution of figures shown in notebooks and embedded in reports.
DPI: int = 90
#: Colours of the kit (seaborn "deep" order: blue, orange, green, red, ...).
PALETTE: str = "deep"
#: CJK fonts looked for, in order of preference.
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Sarasa Gothic SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Arial Unicode MS",
)


def setup(lang: str = "en") -> None:
    """Set the one visual style of segkit: call it once at the top of a notebook.

    Sets the seaborn theme (white grid, notebook context), the figure size
    :data:`FIGSIZE` and resolution :data:`DPI`, PNG output in notebooks, a CJK font as
    fallback (the system's, else the bundled Noto Sans SC), pandas' display precision (3 decimals) and width,
    and hides FutureWarning and DeprecationWarning messages of the libraries. Inside
    ``segkit report`` (``SEGKIT_RENDER_LOG`` set) every other warning goes to the render
    log, never into the report.

    Parameters
    ----------
    lang : {"en", "zh"}, default "en"
        Language of the notebook; checked here so a wrong value fails first.

    Examples
    --------
    At the top of a notebook (it changes global settings, so it is not run here):

    >>> from segkit import plot
    >>> plot.setup(lang="zh")  # doctest: +SKIP
    """
    import seaborn as sns

    glossary.check_lang(lang)
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.85)
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "savefig.bbox": "tight",
            "axes.titlesize": "medium",
            "axes.titleweight": "bold",
            "legend.frameon": False,
        }
    )
    font = cjk_font()
    if font is not None:
        _add_font(font)
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.width", 100)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    if os.environ.get("SEGKIT_RENDER_LOG"):
        warnings.showwarning = _warning_to_render_log
    _png_in_notebooks()


def _warning_to_render_log(message, category, filename, lineno, file=None, line=None) -> None:
    """Write a warning to the kernel's own stderr: the render log, never the report.

    Used by :func:`setup` inside ``segkit report`` (which sets ``SEGKIT_RENDER_LOG``);
    the log is kept beside a failed report.
    """
    import sys

    stream = sys.__stderr__
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            stream.write(warnings.formatwarning(message, category, filename, lineno, line))
            stream.flush()


def _png_in_notebooks() -> None:
    """Ask IPython (when running) to show figures as PNG."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is None:
        return
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except ImportError:  # pragma: no cover
        pass


@functools.lru_cache(maxsize=1)
def _installed_font_names() -> frozenset[str]:
    """Font names matplotlib knows; rescanned once when its cache has no CJK font.

    matplotlib caches the system's fonts the first time it runs: a CJK font installed
    after that (``apt-get install fonts-noto-cjk``) stays invisible until the cache is
    rebuilt, so the zh report would fall back to English labels for no reason.
    """
    from matplotlib import font_manager

    names = frozenset(f.name for f in font_manager.fontManager.ttflist)
    if any("CJK" in n for n in names) or any(n in names for n in CJK_FONTS):
        return names
    new_fonts = [
        p for p in font_manager.findSystemFonts()
        if "cjk" in p.lower() or "wqy" in p.lower() or "han" in p.lower()
    ]
    if new_fonts:
        for path in new_fonts:
            with contextlib.suppress(Exception):
                font_manager.fontManager.addfont(path)
        names = frozenset(f.name for f in font_manager.fontManager.ttflist)
    return names


def system_cjk_font() -> str | None:
    """Name of a font of the system with Chinese glyphs, or None.

    Prefers the fonts of :data:`CJK_FONTS`, then any font whose name contains "CJK".

    Returns
    -------
    str or None
    """
    names = _installed_font_names()
    for name in CJK_FONTS:
        if name in names:
            return name
    others = sorted(n for n in names if "CJK" in n)
    return others[0] if others else None


#: The Python package that ships the bundled CJK font (Noto Sans SC, SIL Open Font
#: License 1.1), a dependency of segkit, so that Chinese labels work on any machine.
BUNDLED_FONT_PACKAGE: str = "pylopdf_fonts_zh_cn"


def _bundled_font_path():
    """Path of the bundled Noto Sans SC font file, or None when the package is missing."""
    import importlib

    try:
        module = importlib.import_module(BUNDLED_FONT_PACKAGE)
        path = module.sans_path()
    except (ImportError, AttributeError):  # pragma: no cover - a dependency of segkit
        return None
    return path if path.exists() else None


@functools.lru_cache(maxsize=1)
def bundled_cjk_font() -> str | None:
    """Register the bundled Noto Sans SC with matplotlib and return its name (or None).

    The font ships with the Python package :data:`BUNDLED_FONT_PACKAGE` (installed
    with segkit from PyPI), so a machine without any system CJK font still draws
    Chinese labels.

    Returns
    -------
    str or None
    """
    from matplotlib import font_manager

    path = _bundled_font_path()
    if path is None:
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def cjk_font() -> str | None:
    """Name of a font with Chinese glyphs: the system's (:func:`system_cjk_font`), else
    segkit's bundled Noto Sans SC (:func:`bundled_cjk_font`); None only when neither exists.

    Returns
    -------
    str or None
    """
    return system_cjk_font() or bundled_cjk_font()


def _add_font(font: str) -> None:
    """Use ``font`` as fallback after the Latin sans-serif font (CJK glyphs only).

    matplotlib falls back glyph by glyph only across the *named* fonts of
    ``font.family`` (a generic family such as ``sans-serif`` stands for its first
    installed font), so the family becomes the Latin font followed by ``font``.
    """
    current = [f for f in mpl.rcParams["font.sans-serif"] if f != font]
    latin = [f for f in current if f == "DejaVu Sans"] or current[:1]
    rest = [f for f in current if f not in latin]
    mpl.rcParams["font.sans-serif"] = [*latin, font, *rest]
    mpl.rcParams["font.family"] = [*latin, font]
    mpl.rcParams["axes.unicode_minus"] = False


def figure_lang(lang: str) -> str:
    """Language the figure labels can use: ``lang``, or "en" when no CJK font exists.

    Parameters
    ----------
    lang : {"en", "zh"}

    Returns
    -------
    str

    Warns
    -----
    UserWarning
        When ``lang="zh"`` and no CJK font is installed.
    """
    glossary.check_lang(lang)
    if lang == "en":
        return lang
    font = cjk_font()
    if font is None:
        warnings.warn(
            "no font with Chinese glyphs is installed (looked for Noto Sans CJK, "
            "WenQuanYi, SimHei, ... and the bundled Noto Sans SC of the package "
            f"{BUNDLED_FONT_PACKAGE}); figure labels fall back to English. Reinstall "
            "segkit's dependencies (make env) to get Chinese labels.",
            UserWarning,
            stacklevel=2,
        )
        return "en"
    _add_font(font)
    return lang


def _figure(figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, object]:
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    return fig, fig.subplots()


#: Tick formats of the date axis in Chinese (years, months, days, hours, minutes,
#: seconds), instead of English month names.
_ZH_DATE_FORMATS = ["%Y年", "%-m月", "%-m月%-d日", "%H:%M", "%H:%M", "%S.%f"]


def _date_axis(ax, index: pd.DatetimeIndex, lang: str = "en") -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    if lang == "zh":
        formatter = mdates.ConciseDateFormatter(
            locator, formats=_ZH_DATE_FORMATS, zero_formats=["", "%Y年", "%-m月", "%-m月%-d日",
                                                              "%H:%M", "%H:%M"])
    else:
        formatter = mdates.ConciseDateFormatter(locator)
    ax.xaxis.set_major_formatter(formatter)
    if len(index):
        half = pd.Timedelta(days=_step_days(index) / 2)
        ax.set_xlim(index.min() - half, index.max() + half)


def _mark_partial(ax, frame: pd.DataFrame, label: str) -> None:
    """Shade the periods cut by the observation end (``complete`` False)."""
    if "complete" not in frame or frame["complete"].all() or len(frame) < 2:
        return
    step = pd.Timedelta(days=_step_days(frame.index))
    first = True
    for start in frame.index[~frame["complete"].to_numpy(dtype=bool)]:
        ax.axvspan(
            start - step / 2,
            start + step / 2,
            facecolor="white",
            alpha=0.6,
            hatch="///",
            edgecolor="0.45",
            lw=0,
            zorder=3,
            label=label if first else None,
        )
        first = False


def _legend(fig: Figure, ax, ncols: int, order: list[str] | None = None) -> None:
    """One legend row below the axes (the title is above), outside the data.

    ``order`` lists the labels in the order the legend shows them (labels not in it
    follow, the period cut by the observation end last), so the same series keep the
    same place whatever was drawn first.
    """
    handles, labels = ax.get_legend_handles_labels()
    rank = {label: i for i, label in enumerate(order or [])}
    pairs = sorted(zip(handles, labels, strict=True),
                   key=lambda hl: rank.get(hl[1], len(rank)))
    if pairs:
        handles, labels = (list(x) for x in zip(*pairs, strict=True))
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, fontsize="small")


def _thousands(x, _pos) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g}M"
    if abs(x) >= 1e3:
        return f"{x / 1e3:.3g}k"
    return f"{x:.3g}"


def _empty(fig: Figure, ax, lang: str) -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, glossary.t("no_data", lang), ha="center", va="center")
    return fig


def _colors(n: int) -> list:
    import seaborn as sns

    return sns.color_palette(PALETTE, n)


def _time_chart(
    frame: pd.DataFrame,
    lang: str,
    time_grain: str,
    ylabel: str,
    draw,
    *,
    title: str = "",
    order: list[str] | None = None,
) -> Figure:
    """A chart over periods in the one style: ``draw(ax, glossary, x)`` adds the data.

    Handles the language fallback, the empty case, the period cut by the observation
    end, the title, the axis labels and formats, and the legend below the axes (in the
    glossary keys' ``order``). ``ylabel`` is the label of the y axis, with its unit.
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    fig, ax = _figure()
    if title:
        fig.suptitle(title, fontsize="medium", fontweight="bold")
    if frame.empty:
        return _empty(fig, ax, lang)
    x = frame.index
    draw(ax, g, x)
    _mark_partial(ax, frame, g["partial_period"])
    ax.set_ylabel(ylabel)
    ax.set_xlabel(g("axis_period", grain=g("grain_" + time_grain)))
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    _date_axis(ax, x, lang)
    _legend(fig, ax, ncols=5, order=[g[k] for k in (order or [])])
    return fig


def _step_days(index: pd.DatetimeIndex) -> float:
    """Smallest step between periods, in days (1 for a single period)."""
    if len(index) < 2:
        return 1.0
    return float(np.diff(index.values).astype("timedelta64[s]").astype(float).min() / 86400)


#: Above this many periods, bars become a filled step area (bars would be hairlines).
MAX_BARS: int = 60


def _bars(ax, x: pd.DatetimeIndex, y: pd.Series, *, color, label: str, bottom=None) -> None:
    """Bars centred on each period, or a filled step area when there are many periods.

    ``bottom`` stacks the bars on another series.
    """
    base = 0 if bottom is None else bottom
    if len(x) > MAX_BARS:
        top = y if bottom is None else y + bottom
        ax.fill_between(x, base, top, step="mid", color=color, alpha=0.5, lw=0, label=label)
    else:
        ax.bar(x, y, width=0.8 * _step_days(x), bottom=bottom, color=color, alpha=0.6,
               label=label)


def period_label(ts: pd.Timestamp, grain: str, lang: str = "en") -> str:
    """A period's label: 2024-03 for a month, 2024Q1 for a quarter, 2024 for a year.

    In Chinese: 2024年3月, 2024年第1季度, 2024年 (days and weeks: 2024-03-04 in both).
    """
    if lang == "zh":
        if grain == "M":
            return f"{ts.year}年{ts.month}月"
        if grain == "Q":
            return f"{ts.year}年第{ts.quarter}季度"
        if grain == "Y":
            return f"{ts.year}年"
    if grain == "M":
        return ts.strftime("%Y-%m")
    if grain == "Q":
        return f"{ts.year}Q{ts.quarter}"
    if grain == "Y":
        return str(ts.year)
    return ts.strftime("%Y-%m-%d")
