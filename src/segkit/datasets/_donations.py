"""The donations data of the BG/BB model (Fader, Hardie & Shang 2010)."""

from __future__ import annotations

import pandas as pd

from ..config import data_path

__all__ = ["load_donations"]


def load_donations() -> pd.DataFrame:
    """Load the donations data: the BG/BB summary of 11,104 donors in 22 distinct histories.

    A cohort of 11,104 first-time supporters of a nonprofit organisation, followed over
    six later yearly donation opportunities: the data set on which the discrete-time
    BG/BB model was published (Fader, Hardie & Shang 2010, "Customer-Base Analysis in a
    Discrete-Time Noncontractual Setting", Marketing Science 29 (6)), so
    :class:`segkit.value.BetaGeoBetaBinomModel` is checked against it. The donors are
    already summarised: one row per distinct (frequency, recency) history with the
    number of donors who share it.

    Source: ``donations.csv`` of the ``lifetimes`` 0.11.3 wheel on PyPI (MIT licence),
    copied to ``data/donations/`` (see its README for the checksum). It is the frame of
    ``lifetimes.datasets.load_donations()``, with its ``periods`` column named
    ``n_periods``.

    Returns
    -------
    pandas.DataFrame
        22 rows, integer columns ``frequency`` (donations in the 6 opportunities),
        ``recency`` (the opportunity of the last donation, 0 without one),
        ``n_periods`` (6 for every row) and ``weights`` (donors with this history;
        they sum to 11,104). Donors without a repeat donation: 3,464 (31%).

    Examples
    --------
    >>> from segkit.datasets import load_donations
    >>> d = load_donations()
    >>> d.shape, int(d["weights"].sum())
    ((22, 4), 11104)
    >>> d.head(3)
       frequency  recency  n_periods  weights
    0          0        0          6     3464
    1          1        1          6     1091
    2          1        2          6      277
    """
    raw = pd.read_csv(data_path("donations", "donations.csv"), dtype="int64")
    return raw.rename(columns={"periods": "n_periods"})[
        ["frequency", "recency", "n_periods", "weights"]
    ]
