"""segkit: tiered customer management, churn and win-back, for research and teaching.

The modules, in the order data flows through them (docs/architecture.md has the map):

- :mod:`segkit.schema`, :mod:`segkit.convert` and :mod:`segkit.io`: the data model,
  validation, column converters, reading files;
- :mod:`segkit.data`: shared definitions (observation end, cut, purchases and returns,
  acquisition dates, time units); :mod:`segkit.quality`, :mod:`segkit.privacy`;
- :mod:`segkit.datasets`: CDNOW, the bundled demo company, the simulator, named sources;
- :mod:`segkit.features`: per-customer summaries (RFM / BTYD), the customer profile,
  cohorts, contracts;
- :mod:`segkit.segment`: segmentation and tiering (RFM, tier schemes, base customers,
  lifecycle stages, tier dynamics, clusters, look-alikes, the fairness audit);
- :mod:`segkit.value`: customer valuation (BG/NBD, Pareto/NBD, MBG/NBD, BG/BB,
  Gamma-Gamma, sBG, CLV with intervals, calibration/holdout validation);
- :mod:`segkit.churn`: churn as survival (narrow and broad churn, survival data with
  censoring and late entry, Kaplan-Meier, Cox, AFT, time-varying Cox, honest
  evaluation, the early-warning system);
- :mod:`segkit.plot`, :mod:`segkit.glossary`, :mod:`segkit.report`: what reports and
  notebooks show;
- :mod:`segkit.exercises`: the checks the course exercises call.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import (
    churn,
    config,
    convert,
    data,
    datasets,
    exceptions,
    features,
    glossary,
    io,
    plot,
    privacy,
    quality,
    report,
    schema,
    segment,
    value,
)
from .plot import setup
from .schema import TABLES, CustomerData, data_model, validate, validate_tables

try:
    __version__ = version("segkit")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "churn",
    "config",
    "convert",
    "data",
    "datasets",
    "exceptions",
    "features",
    "glossary",
    "io",
    "plot",
    "privacy",
    "quality",
    "report",
    "schema",
    "segment",
    "setup",
    "value",
    "TABLES",
    "CustomerData",
    "data_model",
    "validate",
    "validate_tables",
]
