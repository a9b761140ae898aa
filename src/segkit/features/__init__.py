"""Customer features: from the canonical tables to one row per customer or per period.

- :mod:`segkit.features.summary`: the RFM / BTYD customer summary and its
  calibration/holdout split, the input of every valuation model;
- :mod:`segkit.features.profile`: the customer profile of RFM and tiers (recency in
  days, orders, revenue, margin after costs, regularity of purchasing);
- :mod:`segkit.features.cohorts`: customer base, activity, revenue and acquisition
  cohorts per period;
- :mod:`segkit.features.windows`: the six warning indicators of churn, each against the
  customer's own baseline, at one as-of date or per period.
"""

from __future__ import annotations

from .cohorts import cohort_retention, cohort_sizes, customer_base, revenue
from .profile import customer_profile
from .summary import calibration_holdout_summary, summary, summary_sql
from .windows import (
    INDICATOR_DIRECTIONS,
    INDICATORS,
    warning_indicators,
    warning_indicators_by_period,
)

__all__ = [
    "summary",
    "customer_profile",
    "calibration_holdout_summary",
    "summary_sql",
    "customer_base",
    "revenue",
    "cohort_retention",
    "cohort_sizes",
    "INDICATORS",
    "INDICATOR_DIRECTIONS",
    "warning_indicators",
    "warning_indicators_by_period",
]
