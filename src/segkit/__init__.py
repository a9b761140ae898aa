"""segkit: tiered customer management, churn and win-back, for research and teaching."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import config, datasets, exceptions, schema
from .schema import TABLES, CustomerData

try:
    __version__ = version("segkit")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "config",
    "datasets",
    "exceptions",
    "schema",
    "TABLES",
    "CustomerData",
]
