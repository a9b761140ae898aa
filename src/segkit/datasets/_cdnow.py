"""The CDNOW transaction log (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import data_path

__all__ = ["load_cdnow"]


def load_cdnow(sample: bool = True) -> pd.DataFrame:
    """Load the CDNOW transaction log as a canonical ``transactions`` table.

    CDNOW was an online music retailer. The log follows the cohort of 23,570
    customers who made their first purchase in the first quarter of 1997, with all
    their purchases up to the end of June 1998 (day resolution). It is the data set
    on which BG/NBD, Pareto/NBD and the Gamma-Gamma model were published, so the
    valuation models of the kit are checked against it.

    Source: the files ``CDNOW_master.txt`` and ``CDNOW_sample.txt`` that ship inside
    the ``lifetimes`` 0.11.3 wheel on PyPI, copied to ``data/cdnow/`` (see
    ``data/README.md`` for checksums).

    Parameters
    ----------
    sample : bool, default True
        ``True`` gives the 1/10 sample used in the papers: 2,357 customers and 6,919
        rows. ``False`` gives the master log: 23,570 customers and 69,659 rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``transaction_id, customer_id, timestamp, quantity, amount, is_return``.
        ``customer_id`` is a zero-padded string (the sample keeps its own 1..2357
        numbering, as in the papers). Amounts are in US dollars; there are no returns
        (``is_return`` is all False), and 80 master rows (8 in the sample) have a zero amount.
        Every customer has a transaction on their first day: the acquisition date is
        the first transaction.

    Examples
    --------
    >>> from segkit.datasets import load_cdnow
    >>> tx = load_cdnow()
    >>> tx.shape, tx["customer_id"].nunique()
    ((6919, 6), 2357)
    """
    if sample:
        raw = pd.read_csv(
            data_path("cdnow", "CDNOW_sample.txt"),
            sep=r"\s+",
            header=None,
            names=["master_id", "customer_id", "date", "quantity", "amount"],
            dtype={"master_id": str, "customer_id": str, "date": str},
        )
    else:
        raw = pd.read_csv(
            data_path("cdnow", "CDNOW_master.txt"),
            sep=r"\s+",
            dtype={"customer_id": str, "date": str},
        ).rename(columns={"number_of_cds": "quantity", "dollar_value": "amount"})
    n = len(raw)
    return pd.DataFrame(
        {
            "transaction_id": pd.Series(np.arange(1, n + 1)).map("T{:06d}".format),
            "customer_id": raw["customer_id"].to_numpy(),
            "timestamp": pd.to_datetime(raw["date"], format="%Y%m%d").to_numpy(),
            "quantity": raw["quantity"].astype("int64").to_numpy(),
            "amount": raw["amount"].astype("float64").to_numpy(),
            "is_return": np.zeros(n, dtype=bool),
        }
    )
