"""Data sets: the real CDNOW log, the bundled synthetic company and the simulator.

``load_<name>()`` reads a file shipped in the repository's ``data/`` folder;
``simulate(...)`` generates a synthetic company with its ground truth.
"""

from __future__ import annotations

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

__all__ = [
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
]
