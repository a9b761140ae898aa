"""Shared fixtures: small canonical tables and the bundled data sets."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transaction_id": ["t1", "t2", "t3", "t4", "t5"],
            "customer_id": ["c1", "c1", "c2", "c3", "c3"],
            "timestamp": ["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-01", "2024-03-04"],
            "amount": [25.0, 40.5, 12.0, 99.9, -99.9],
            "quantity": [1, 2, 1, 3, 3],
            "is_return": [False, False, False, False, True],
        }
    )


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "acquisition_date": ["2024-01-01", "2024-01-15", "2024-02-20"],
            "region": ["north", "south", "north"],
            "channel": ["online", "store", "online"],
            "name": ["Li Lei", "Han Meimei", "Wang Fang"],
        }
    )


@pytest.fixture(scope="session")
def cdnow_cal() -> pd.DataFrame:
    """CDNOW sample, 39-week calibration (1997-01-01 to 1997-09-30), weeks with day resolution:
    the summary of the published BTYD results."""
    from segkit.datasets import load_cdnow
    from segkit.features import summary

    return summary(load_cdnow(), observation_end="1997-09-30", after_end="drop", freq="D",
                   freq_multiplier=7)
