"""Data sets: the real CDNOW log, the bundled synthetic company and the simulator.

``load_<name>()`` reads a file shipped in the repository's ``data/`` folder;
``simulate(...)`` generates a synthetic company with its ground truth;
``simulate_churn_panel(...)`` a monthly churn panel with time-varying covariates, late
entry and known hazard ratios; ``make_subscriptions(...)`` a subscription business's
one-table export with the sBG truth of every cohort; ``case_study(name)`` one of the
six simulated case studies of base and lost customers with its truth.
"""

from __future__ import annotations

from ._cases import CASES, CaseStudy, case_study
from ._cdnow import load_cdnow
from ._demo import load_demo, load_demo_params, load_demo_truth
from ._donations import load_donations
from ._simulate import (
    CHANNELS,
    DEFAULT_PARAMS,
    LIFECYCLE_STAGES,
    OFFERS,
    PLANS,
    REGIONS,
    SimulatedData,
    simulate,
)
from ._source import SOURCES, check_source, load_source
from ._survival import (
    CONTRACTS,
    PANEL_BASELINE,
    PANEL_COMPLAINT_COLUMNS,
    PANEL_HAZARD_RATIOS,
    PANEL_INDICATORS,
    SUBSCRIPTION_PLANS,
    ChurnPanel,
    ChurnPanelTruth,
    Subscriptions,
    SubscriptionTruth,
    make_subscriptions,
    simulate_churn_panel,
)

__all__ = [
    "case_study",
    "CaseStudy",
    "CASES",
    "SOURCES",
    "load_source",
    "check_source",
    "load_cdnow",
    "load_donations",
    "load_demo",
    "load_demo_params",
    "load_demo_truth",
    "simulate",
    "SimulatedData",
    "DEFAULT_PARAMS",
    "REGIONS",
    "CHANNELS",
    "OFFERS",
    "PLANS",
    "LIFECYCLE_STAGES",
    "simulate_churn_panel",
    "ChurnPanel",
    "ChurnPanelTruth",
    "PANEL_INDICATORS",
    "PANEL_COMPLAINT_COLUMNS",
    "PANEL_HAZARD_RATIOS",
    "PANEL_BASELINE",
    "make_subscriptions",
    "Subscriptions",
    "SubscriptionTruth",
    "CONTRACTS",
    "SUBSCRIPTION_PLANS",
]
