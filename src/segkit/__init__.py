"""segkit: tiered customer management, churn and win-back, for research and teaching.

The modules, in the order data flows through them:

- :mod:`segkit.schema` and :mod:`segkit.io`: the data model, validation, reading CSVs;
- :mod:`segkit.datasets`: CDNOW, the bundled demo company, the simulator;
- :mod:`segkit.features`: per-customer summaries (RFM / BTYD);
- :mod:`segkit.overview`, :mod:`segkit.plot`, :mod:`segkit.glossary`,
  :mod:`segkit.privacy`, :mod:`segkit.report`: what reports and notebooks show;
- :mod:`segkit.exercises`: the checks the course exercises call.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import (
    config,
    datasets,
    exceptions,
    features,
    glossary,
    io,
    overview,
    plot,
    privacy,
    report,
    schema,
)
from .plot import setup
from .schema import TABLES, CustomerData, data_model, validate, validate_tables

try:
    __version__ = version("segkit")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "config",
    "datasets",
    "exceptions",
    "features",
    "glossary",
    "io",
    "overview",
    "plot",
    "privacy",
    "report",
    "schema",
    "setup",
    "TABLES",
    "CustomerData",
    "data_model",
    "validate",
    "validate_tables",
]
