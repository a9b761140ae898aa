"""The case studies of DOMAIN.md sections 2 and 3 as simulated scenarios with known truth.

Each case is a small company with its own data in the canonical tables and the true
effect of what it did. :func:`case_study` builds one by name; the analyses are in
:mod:`segkit.winback.cases`.

- Base customers (基盘客户), :mod:`._cases_base`: ``bank_points`` (a retail bank's
  points, birthday gifts and free upgrades), ``telecom_phone`` (a telecom operator's
  customised phone for base customers), ``ecommerce_membership`` (free returns,
  priority delivery and member prices).
- Lost customers (战败客户), :mod:`._cases_lost`: ``ecommerce_training`` (losses to
  service quality, staff training won some back), ``restaurant_complaints`` (a
  complaint-handling process reduced losses), ``insurance_premiums`` (premiums too
  high, flexible plans won some back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ParameterError
from ..schema import CustomerData

__all__ = ["CaseStudy", "CASES", "DESIGNS", "case_study"]

#: How the action of a case was assigned: at random, by the company's own rule, by the
#: customers' own choice, or rolled out at one date (before/after, with or without a
#: comparison group).
DESIGNS: tuple[str, ...] = ("randomised", "rule", "self_selected", "rollout")
#: The cases, base customers first, then lost customers.
CASES: tuple[str, ...] = (
    "bank_points",
    "telecom_phone",
    "ecommerce_membership",
    "ecommerce_training",
    "restaurant_complaints",
    "insurance_premiums",
)


@dataclass(frozen=True)
class CaseStudy:
    """One simulated case: the business question, its data and the truth behind it.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"insurance_premiums"``.
    title, question : dict
        ``{"en": ..., "zh": ...}``: the case's title and the business question it poses.
    design : str
        How the action was assigned, one of :data:`DESIGNS`.
    data : CustomerData
        The company's tables in the canonical data model.
    extra : dict of DataFrame
        Tables outside the data model the case needs (e.g. who enrolled in a programme
        and when), each documented in :attr:`notes`.
    truth : dict
        The true effects (numbers, by name) the analysis should recover or, where the
        design cannot identify them, should say it cannot.
    params : dict
        The generative parameters, seed and size.
    notes : dict
        ``{"en": ..., "zh": ...}``: how the data were generated, in a paragraph.
    """

    name: str
    title: dict[str, str]
    question: dict[str, str]
    design: str
    data: CustomerData
    truth: dict[str, Any]
    params: dict[str, Any]
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _streams(seed: int, n: int) -> list[np.random.Generator]:
    """``n`` independent random streams of a case, spawned from its seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(n)]


def _ids(prefix: str, n: int) -> np.ndarray:
    """Customer ids ``prefix00001`` ... of a case, zero-padded to one width."""
    width = max(5, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _registry() -> dict[str, Callable[..., CaseStudy]]:
    from . import _cases_base, _cases_lost

    return {**_cases_base.CASES, **_cases_lost.CASES}


def case_study(name: str, seed: int = 0, n_customers: int | None = None) -> CaseStudy:
    """Build the simulated case ``name`` (see the module docstring for the six).

    Parameters
    ----------
    name : str
        One of ``CASES``.
    seed : int
        Seed of the case's random streams: the same seed gives the same data.
    n_customers : int, optional
        Size of the company; each case has a default that keeps its analysis fast
        and its estimates precise enough to compare with the truth.
    """
    if name not in CASES:
        raise ParameterError(f"unknown case {name!r}; the cases are {', '.join(CASES)}")
    reg = _registry()
    kwargs = {} if n_customers is None else {"n_customers": int(n_customers)}
    return reg[name](seed=int(seed), **kwargs)
