"""Churn as survival: definitions, survival data, models, honest evaluation, early warning.

- :mod:`~segkit.churn.labels`: narrow churn (狭义流失: no activity for a threshold) and
  broad churn (广义流失: an explicit end), the threshold and its trade-off, churn rates;
- :mod:`~segkit.churn.survival`: survival frames from the raw tables or from one table
  per customer: durations, events, censoring, left truncation, time-varying covariates,
  recurrent episodes;
- :mod:`~segkit.churn.models`: Kaplan-Meier with log-rank tests, Cox (late entry handled
  in the baseline), parametric AFT, time-varying Cox and a random survival forest, all
  with one prediction interface;
- :mod:`~segkit.churn.evaluate`: honest evaluation on a time split (nothing from after
  the split), Harrell's and Uno's concordance, time-dependent AUC, the integrated Brier
  score, calibration at the horizon, a fixed-horizon classifier and BTYD P(alive) beside
  the hazard models;
- :mod:`~segkit.churn.warning`: the early-warning system (客户流失预警): risk within a
  horizon from the six indicators, red / amber / green by a stated capacity, the warning
  list with each customer's drivers and an action by tier;
- :mod:`~segkit.churn.contractual`: the valuation module's sBG against Kaplan-Meier on
  the same cohorts of a subscription book.
"""

from __future__ import annotations

from .contractual import SBGComparison, sbg_vs_kaplan_meier, whole_periods
from .evaluate import (
    BTYDRisk,
    HorizonClassifier,
    TimeSplit,
    btyd_risk,
    calibration_table,
    compare_models,
    evaluate_survival,
    known_at,
    snapshot_features,
    time_split,
)
from .labels import (
    broad_churn,
    choose_threshold,
    churn_labels,
    churn_rate,
    inter_purchase_days,
    last_activity,
    narrow_churn,
    threshold_tradeoff,
)
from .models import (
    AFTModel,
    CoxModel,
    KaplanMeierResult,
    SurvivalForest,
    TimeVaryingCoxModel,
    breslow_baseline,
    kaplan_meier,
    logrank_test,
    split_follow_up,
    time_varying_concordance,
)
from .survival import (
    UNIT_DAYS,
    complaint_counts,
    elapsed,
    episodes,
    survival_data,
    survival_from_table,
    time_varying,
    to_long,
)
from .warning import (
    ACTIONS,
    ACTIONS_BY_SCHEME,
    DEFAULT_ACTIONS,
    LEVELS,
    EarlyWarning,
    evaluate_warning,
)

__all__ = [
    "narrow_churn",
    "broad_churn",
    "churn_labels",
    "last_activity",
    "inter_purchase_days",
    "choose_threshold",
    "threshold_tradeoff",
    "churn_rate",
    "UNIT_DAYS",
    "elapsed",
    "survival_data",
    "survival_from_table",
    "to_long",
    "time_varying",
    "complaint_counts",
    "episodes",
    "kaplan_meier",
    "logrank_test",
    "KaplanMeierResult",
    "CoxModel",
    "AFTModel",
    "TimeVaryingCoxModel",
    "SurvivalForest",
    "breslow_baseline",
    "time_varying_concordance",
    "split_follow_up",
    "whole_periods",
    "SBGComparison",
    "sbg_vs_kaplan_meier",
    "TimeSplit",
    "known_at",
    "snapshot_features",
    "time_split",
    "evaluate_survival",
    "calibration_table",
    "HorizonClassifier",
    "BTYDRisk",
    "btyd_risk",
    "compare_models",
    "LEVELS",
    "ACTIONS",
    "DEFAULT_ACTIONS",
    "ACTIONS_BY_SCHEME",
    "EarlyWarning",
    "evaluate_warning",
]
