"""Every figure the notebooks and reports show, in one visual style.

Call :func:`setup` once at the top of a notebook or report: it sets the seaborn theme,
a small figure size and resolution (so that an HTML report with embedded PNG images
stays small), the display precision of pandas and the warnings filter.

The figure functions take the language of their labels (``lang="en"`` or ``"zh"``).
Chinese labels need a CJK font; :func:`cjk_font` looks for one among the system's
fonts (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, Microsoft YaHei, ...) and,
when there is none, registers the Noto Sans SC that ships with a dependency of segkit
(the PyPI package ``pylopdf-fonts-zh-cn``, SIL Open Font License), so Chinese labels work
on any machine. Only if that package is missing does :func:`figure_lang` warn and fall
back to English labels.

The figures are :class:`matplotlib.figure.Figure` objects made without pyplot: a
notebook shows the one a cell returns (or passes to ``display``), exactly once, and
nothing accumulates in pyplot's figure manager.

The package has one file per module, all drawn in the style of ``_style.py`` (set-up,
fonts, sizes, colours and the shared chart frame):

- :mod:`segkit.plot.overview`: the overview report (customer base, revenue, cohorts);
- :mod:`segkit.plot.segment`: segmentation and tiering (value concentration, tier
  shares, RFM grid, segment sizes, migration matrix, flows between tiers);
- :mod:`segkit.plot.value`: customer valuation (expected against actual purchases,
  tracking, model comparison, P(alive), lifetime value, historic against predictive);
- :mod:`segkit.plot.churn`: churn (the threshold's trade-off, churn rates, Kaplan-Meier
  curves, hazard ratios, calibration, model metrics, the risk levels and drivers of the
  early warning, sBG against Kaplan-Meier);
- :mod:`segkit.plot.cases`: the case studies (estimates against the simulated truth).

Everything is re-exported here: ``from segkit import plot; plot.customer_base(...)``.
Setting an attribute here (``plot.DPI = 120``, or ``monkeypatch.setattr(plot,
"cjk_font", ...)`` in a test) also sets it in the files that use it, as if the package
were one module.
"""

from __future__ import annotations

import sys
from types import ModuleType

from . import _style, cases, churn, overview, segment, value, winback
from ._style import (
    BUNDLED_FONT_PACKAGE,
    CJK_FONTS,
    DPI,
    FIGSIZE,
    MAX_BARS,
    PALETTE,
    bundled_cjk_font,
    cjk_font,
    figure_lang,
    period_label,
    setup,
    system_cjk_font,
)
from ._style import (
    _bundled_font_path as _bundled_font_path,  # patched by tests of the fonts
)
from ._style import (
    _installed_font_names as _installed_font_names,  # patched by tests of the fonts
)
from .cases import case_estimates
from .churn import (
    LEVEL_COLORS,
    calibration,
    churn_rate,
    hazard_ratios,
    model_metrics,
    risk_distribution,
    sbg_vs_kaplan_meier,
    survival_curves,
    threshold_tradeoff,
    warning_drivers,
)
from .overview import cohort_colour_top, cohort_retention, customer_base, revenue
from .segment import (
    migration_heatmap,
    rfm_grid,
    segment_sizes,
    tier_flows,
    tier_shares,
    value_concentration,
)
from .value import (
    clv_distribution,
    expected_vs_actual,
    historic_vs_predictive,
    model_comparison,
    probability_alive_distribution,
    probability_alive_matrix,
    tracking,
)
from .winback import churn_cost, loss_reasons, offer_effects, policy_comparison, qini_curves

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
    "customer_base",
    "revenue",
    "cohort_retention",
    "cohort_colour_top",
    "value_concentration",
    "tier_shares",
    "rfm_grid",
    "segment_sizes",
    "migration_heatmap",
    "tier_flows",
    "expected_vs_actual",
    "tracking",
    "model_comparison",
    "probability_alive_distribution",
    "probability_alive_matrix",
    "clv_distribution",
    "historic_vs_predictive",
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
    "case_estimates",
    "loss_reasons",
    "churn_cost",
    "offer_effects",
    "qini_curves",
    "policy_comparison",
]

#: The files of the package, in import order (the style first).
_FILES: tuple[ModuleType, ...] = (_style, overview, segment, value, churn, cases, winback)


class _Package(ModuleType):
    """The package, where setting an attribute also sets it in every file that has it."""

    def __setattr__(self, name: str, value: object) -> None:
        super().__setattr__(name, value)
        for file in _FILES:
            if name in vars(file):
                setattr(file, name, value)


sys.modules[__name__].__class__ = _Package
