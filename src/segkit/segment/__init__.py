"""Segmentation and tiering: who the customers are, which tier each is in, and why.

The four principles of tiering of docs/domain.md section 1, each shown with numbers:
objective (a stated rule, reproducible), differentiated (tiers differ in value, churn and
cost to serve), operable (a readable rule; every customer's tier explained), dynamic
(tiers recomputed per period, migration measured). The input of almost everything is
the customer profile (:func:`segkit.features.customer_profile`).

- :mod:`~segkit.segment.rfm`: RFM scores (quantiles, fixed cut points, a reference
  period) and segment maps; :data:`STANDARD_MAP`, the eleven segments without gaps or
  overlaps;
- :mod:`~segkit.segment.tiers`: the tier schemes of the sources as rule objects
  (:class:`ParetoTiers`: key / ordinary / small / inferior; :class:`ImportanceRiskTiers`:
  A / B / C; :class:`VIPTiers`), and :func:`tier_profile`;
- :mod:`~segkit.segment.base`: base customers (基盘客户) and how they compare;
- :mod:`~segkit.segment.lifecycle`: lifecycle stages (考察期, 成长期, 成熟期, 衰退期);
- :mod:`~segkit.segment.migration`: tiers per period, the migration matrix, rates and
  the expected time in a tier;
- :mod:`~segkit.segment.cluster`: k-means and Gaussian mixtures on transformed RFM;
- :mod:`~segkit.segment.lookalike`: look-alike selection on what is known at acquisition;
- :mod:`~segkit.segment.fairness`: the fairness audit (不公平待遇).
"""

from __future__ import annotations

from .base import BaseCustomers, compare_base, horizon_outcomes
from .cluster import ClusterStability, RFMClusters
from .fairness import FairnessAudit, fairness_audit
from .lifecycle import (
    STAGES,
    LifecycleStages,
    StageScore,
    lifecycle_features,
    lifecycle_stages,
    score_stages,
)
from .lookalike import (
    LookAlike,
    LookAlikeBacktest,
    acquisition_features,
    lookalike_backtest,
    top_value_label,
)
from .migration import (
    GONE,
    NEW,
    expected_time_in_tier,
    migration_flows,
    migration_matrix,
    migration_rates,
    tiers_by_period,
)
from .rfm import NO_PURCHASE, STANDARD_MAP, STANDARD_SEGMENTS, RFMScorer, SegmentMap
from .tiers import (
    ImportanceRiskTiers,
    ParetoTiers,
    TierScheme,
    VIPTiers,
    recency_ratio,
    tier_profile,
)

__all__ = [
    "RFMScorer",
    "SegmentMap",
    "STANDARD_MAP",
    "STANDARD_SEGMENTS",
    "NO_PURCHASE",
    "TierScheme",
    "ParetoTiers",
    "ImportanceRiskTiers",
    "VIPTiers",
    "tier_profile",
    "recency_ratio",
    "BaseCustomers",
    "compare_base",
    "horizon_outcomes",
    "STAGES",
    "LifecycleStages",
    "lifecycle_stages",
    "lifecycle_features",
    "score_stages",
    "StageScore",
    "NEW",
    "GONE",
    "tiers_by_period",
    "migration_matrix",
    "migration_rates",
    "expected_time_in_tier",
    "migration_flows",
    "RFMClusters",
    "ClusterStability",
    "acquisition_features",
    "LookAlike",
    "lookalike_backtest",
    "LookAlikeBacktest",
    "top_value_label",
    "fairness_audit",
    "FairnessAudit",
]
