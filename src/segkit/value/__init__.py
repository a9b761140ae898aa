"""Customer valuation: what each customer is worth, alive or not, and how sure we are.

Exact maximum-likelihood estimators on numpy/scipy (:mod:`segkit.value._base`: distinct
histories with counts, log-space likelihoods with analytic gradients, standard errors,
a clear error instead of a silent NaN), named as pymc-marketing names them:

- :class:`BetaGeoModel` (BG/NBD), :class:`ModifiedBetaGeoModel` (MBG/NBD),
  :class:`ParetoNBDModel` (Pareto/NBD): purchases and dropout in continuous time;
- :class:`BetaGeoBetaBinomModel` (BG/BB): discrete purchase opportunities;
- :class:`GammaGammaModel`: spend per purchase, with the independence check;
- :class:`ShiftedBetaGeoModel` (sBG): contractual retention from cohort counts or
  individual durations with censoring;
- :mod:`~segkit.value.clv`: discounted customer lifetime value with a parametric
  bootstrap, tier probabilities, historic against predictive value;
- :mod:`~segkit.value.validation`: calibration/holdout validation as in the literature
  (expected against actual by frequency, tracking, per-customer error, model comparison).

Each model reproduces its published result (docs/domain.md section 7) in the tests.
"""

from __future__ import annotations

from .bgbb import BetaGeoBetaBinomModel
from .bgnbd import BetaGeoModel
from .clv import (
    bootstrap_customer_lifetime_value,
    clv_tier_probability,
    expected_customer_lifetime_value,
    historic_value,
    historic_vs_predictive,
)
from .gamma_gamma import GammaGammaModel, check_independence
from .mbgnbd import ModifiedBetaGeoModel
from .pareto_nbd import ParetoNBDModel
from .sbg import ShiftedBetaGeoModel
from .validation import (
    calibration_holdout,
    compare_models,
    expected_vs_actual,
    per_customer_error,
    tracking,
)

__all__ = [
    "BetaGeoModel",
    "ModifiedBetaGeoModel",
    "ParetoNBDModel",
    "BetaGeoBetaBinomModel",
    "GammaGammaModel",
    "ShiftedBetaGeoModel",
    "check_independence",
    "expected_customer_lifetime_value",
    "bootstrap_customer_lifetime_value",
    "clv_tier_probability",
    "historic_value",
    "historic_vs_predictive",
    "calibration_holdout",
    "expected_vs_actual",
    "tracking",
    "per_customer_error",
    "compare_models",
]
