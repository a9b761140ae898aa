"""Figures of the simulated case studies (:mod:`segkit.winback.cases`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import glossary
from ._style import DPI, FIGSIZE, _colors, figure_lang

__all__ = ["case_estimates"]


def _label(prefix: str, name: str, lang: str) -> str:
    """The glossary's words for a method (``case_m_``) or quantity (``case_q_``), else
    the name itself."""
    key = f"{prefix}{name}"
    return glossary.t(key, lang) if key in glossary.TERMS else str(name)


def case_estimates(findings, lang: str = "en") -> Figure:
    """A forest plot of a case's estimates with their 95% intervals and the truth.

    One panel per estimated quantity (their scales differ), one row per method. A
    method the design identifies is drawn in colour, one it does not (a confounded
    comparison) in grey; the simulated truth is a red diamond on every row, and a thin
    line marks no effect (1 for a quantity named a ratio, 0 otherwise).

    Parameters
    ----------
    findings : segkit.winback.cases.CaseFindings
        What :func:`segkit.winback.analyse_case` returned.
    lang : {"en", "zh"}
        Language of the labels (methods and quantities the glossary knows; others are
        shown as named).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> est = pd.DataFrame({"quantity": ["uplift", "uplift"],
    ...     "method": ["naive difference", "randomised"], "estimate": [0.2, 0.1],
    ...     "ci_low": [0.15, 0.05], "ci_high": [0.25, 0.15], "truth": [0.1, 0.1],
    ...     "identified": [False, True]})
    >>> fig = case_estimates(SimpleNamespace(estimates=est))
    >>> len(fig.axes)
    1
    """
    lang = figure_lang(lang)
    g = glossary.Glossary(lang)
    est = findings.estimates
    quantities = list(dict.fromkeys(est["quantity"].astype(str)))
    heights = [max(1, int((est["quantity"].astype(str) == q).sum())) for q in quantities]
    fig = Figure(figsize=(FIGSIZE[0], 0.42 * sum(heights) + 0.75 * len(quantities) + 0.9),
                 dpi=DPI, layout="constrained")
    fig.suptitle(g["fig_case_estimates"], fontsize="medium", fontweight="bold")
    axes = fig.subplots(len(quantities), 1, squeeze=False,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    colour = _colors(1)[0]
    for ax, q in zip(axes, quantities, strict=True):
        rows = est[est["quantity"].astype(str) == q]
        y = np.arange(len(rows))
        ident = rows["identified"].fillna(False).to_numpy(dtype=bool)
        c = [colour if i else "0.6" for i in ident]
        ax.hlines(y, rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float),
                  colors=c, lw=2.2)
        ax.scatter(rows["estimate"].to_numpy(float), y, c=c, s=30, zorder=3)
        truth = pd.to_numeric(rows["truth"], errors="coerce").to_numpy(float)
        ax.scatter(truth, y, marker="D", s=26, facecolors="none", edgecolors="#c0392b",
                   lw=1.4, zorder=4)
        # no effect: 1 for a ratio, 0 for a difference
        ax.axvline(1.0 if "ratio" in q.lower() else 0.0, color="0.75", lw=0.8, zorder=0)
        ax.set_yticks(y, [_label("case_m_", m, lang) for m in rows["method"]], fontsize="small")
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.set_title(_label("case_q_", q, lang), fontsize="small", loc="left", color="0.25")
    axes[-1].set_xlabel(g["axis_case_estimate"])
    handles = [
        axes[0].scatter([], [], color=colour, s=20, label=g["legend_case_identified"]),
        axes[0].scatter([], [], color="0.6", s=20, label=g["legend_case_not_identified"]),
        axes[0].scatter([], [], marker="D", facecolors="none", edgecolors="#c0392b", s=20,
                        label=g["legend_case_truth"]),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize="small")
    return fig
