"""Data sets: the real CDNOW log, the bundled synthetic company and the simulator.

``load_<name>()`` reads a file shipped in the repository's ``data/`` folder;
``simulate(...)`` generates a synthetic company with its ground truth.
"""

from __future__ import annotations

from ._cdnow import load_cdnow

__all__ = ["load_cdnow"]
