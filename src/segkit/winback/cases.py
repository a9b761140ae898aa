"""Analyses of the simulated case studies (:func:`segkit.datasets.case_study`).

Each analysis answers the case's business question with the kit, puts every estimate
next to the simulated truth, and says in English and Chinese what the data support and
what they do not (confounding where the action was not randomised).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..datasets import CaseStudy
from ..exceptions import ParameterError

__all__ = ["CaseFindings", "ESTIMATE_COLUMNS", "analyse_case", "estimate_row",
           "estimates_frame"]

#: Columns of :attr:`CaseFindings.estimates`.
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "quantity", "method", "estimate", "ci_low", "ci_high", "truth", "identified",
)


@dataclass(frozen=True)
class CaseFindings:
    """What the analysis of one case found.

    Attributes
    ----------
    name : str
        The case.
    estimates : DataFrame
        One row per estimate, columns :data:`ESTIMATE_COLUMNS`: what is estimated
        (``quantity``), how (``method``, e.g. ``naive difference``, ``regression
        adjusted``, ``difference in differences``, ``randomised``), the estimate with a
        95% interval, the simulated ``truth`` and whether the design ``identified`` it
        (the interval can be trusted to cover the truth).
    supports, does_not_support : dict
        ``{"en": [...], "zh": [...]}``: statements with the numbers, one per line.
    tables : dict of DataFrame
        Intermediate tables worth showing (e.g. reasons by period, survival by group).
    """

    name: str
    estimates: pd.DataFrame
    supports: dict[str, list[str]]
    does_not_support: dict[str, list[str]]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def estimate_row(quantity: str, method: str, estimate: float, ci_low: float, ci_high: float,
                 truth: float, identified: bool) -> dict:
    """One row of :attr:`CaseFindings.estimates`, with plain floats and a bool."""
    return {"quantity": quantity, "method": method, "estimate": float(estimate),
            "ci_low": float(ci_low), "ci_high": float(ci_high), "truth": float(truth),
            "identified": bool(identified)}


def estimates_frame(rows: list[dict]) -> pd.DataFrame:
    """:attr:`CaseFindings.estimates` from rows of :func:`estimate_row`."""
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))


def _registry() -> dict[str, Callable[[CaseStudy], CaseFindings]]:
    from . import _cases_base, _cases_lost

    return {**_cases_base.ANALYSES, **_cases_lost.ANALYSES}


def analyse_case(case: CaseStudy) -> CaseFindings:
    """Analyse a simulated case study with the kit (see the module docstring)."""
    if not isinstance(case, CaseStudy):
        raise ParameterError(
            f"analyse_case needs a CaseStudy from segkit.datasets.case_study, not "
            f"{type(case).__name__}"
        )
    reg = _registry()
    if case.name not in reg:
        raise ParameterError(f"no analysis for case {case.name!r}; there are {', '.join(reg)}")
    return reg[case.name](case)
