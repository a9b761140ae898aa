"""Win-back: lost customers (战败客户), loss reasons, win-back effects and targeting.

- :mod:`~segkit.winback.lost`: the lost-customer database (one row per lost customer:
  history, former tier, value lost, complaints, exit reason stated or inferred, every
  win-back attempt and whether they came back), loss reasons by tier, region and
  period with their trend, and the cost of churn;
- :mod:`~segkit.winback.reasons`: loss reasons read from what customers wrote (the
  ``text`` of complaints and reviews, English or Chinese): a transparent keyword rule
  and a TF-IDF character n-gram classifier, judged on held-out labelled rows;
- :mod:`~segkit.winback.uplift`: each offer's effect in randomised campaigns with
  confidence intervals, the S-, T-, X- and doubly robust learners on scikit-learn
  models, Qini and uplift-at-k curves, and the learning frame of campaign rows with
  what was known at the campaign date;
- :mod:`~segkit.winback.targeting`: whom to contact with which offer within a budget
  (uplift x value - cost, a multiple-choice knapsack), against contacting the highest
  risk, the highest value or at random; former customers of negative value never.

- :mod:`~segkit.winback.cases`: the analyses of the six simulated case studies
  (:func:`segkit.datasets.case_study`), every estimate next to the truth, with what
  the data support and what they do not.
"""

from __future__ import annotations

from .cases import ESTIMATE_COLUMNS, CaseFindings, analyse_case
from .lost import (
    DAYS_PER_MONTH,
    LOST_COLUMNS,
    REASON_SOURCES,
    LossReasons,
    cost_of_churn,
    loss_reasons,
    lost_customers,
    lost_in_period,
)
from .reasons import (
    KEYWORDS,
    UNKNOWN,
    KeywordRule,
    ReasonTextEvaluation,
    TextClassifier,
    evaluate_reason_text,
    reasons_from_text,
    text_language,
)
from .targeting import (
    ALLOCATION_COLUMNS,
    POLICIES,
    WON_BACK_COLUMNS,
    TargetingBacktest,
    allocate,
    backtest_targeting,
    compare_policies,
    cost_table,
    ipw_uplift,
    targeting_inputs,
    value_if_won_back,
)
from .uplift import (
    FRAME_KEYS,
    LEARNERS,
    DRLearner,
    LearnerComparison,
    OfferUplift,
    SLearner,
    TLearner,
    XLearner,
    compare_learners,
    learning_frame,
    offer_effects,
    qini_auc,
    qini_curve,
    uplift_at_k,
)

__all__ = [
    "analyse_case",
    "CaseFindings",
    "ESTIMATE_COLUMNS",
    "lost_customers",
    "lost_in_period",
    "loss_reasons",
    "LossReasons",
    "cost_of_churn",
    "LOST_COLUMNS",
    "REASON_SOURCES",
    "DAYS_PER_MONTH",
    "KeywordRule",
    "TextClassifier",
    "evaluate_reason_text",
    "ReasonTextEvaluation",
    "reasons_from_text",
    "text_language",
    "KEYWORDS",
    "UNKNOWN",
    "offer_effects",
    "learning_frame",
    "FRAME_KEYS",
    "SLearner",
    "TLearner",
    "XLearner",
    "DRLearner",
    "OfferUplift",
    "qini_curve",
    "qini_auc",
    "uplift_at_k",
    "compare_learners",
    "LearnerComparison",
    "LEARNERS",
    "allocate",
    "compare_policies",
    "value_if_won_back",
    "WON_BACK_COLUMNS",
    "ipw_uplift",
    "targeting_inputs",
    "cost_table",
    "backtest_targeting",
    "TargetingBacktest",
    "ALLOCATION_COLUMNS",
    "POLICIES",
]
