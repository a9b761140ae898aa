"""Named data sources: one name or folder -> the tables of a company."""

from __future__ import annotations

from pathlib import Path

from ..exceptions import ParameterError
from ..schema import CustomerData

__all__ = ["SOURCES", "load_source", "check_source"]

#: Named data sources of :func:`load_source`.
SOURCES: dict[str, str] = {
    "demo": "the synthetic demo company (segkit.datasets.load_demo)",
    "cdnow": "CDNOW 1/10 sample: 2,357 customers, transactions only",
    "cdnow_master": "CDNOW master log: 23,570 customers, transactions only",
}

#: A file each named source reads, checked before a report runs.
_FILES: dict[str, tuple[str, ...]] = {
    "demo": ("demo", "transactions.csv"),
    "cdnow": ("cdnow", "CDNOW_sample.txt"),
    "cdnow_master": ("cdnow", "CDNOW_master.txt"),
}


def check_source(value: str) -> str:
    """``value`` if it names a source of :data:`SOURCES` whose files are there, else the
    absolute path of an existing folder.

    Raises
    ------
    ValueError
        With the reason, for anything else.
    """
    if value in SOURCES:
        from ..config import data_path
        from ..exceptions import DataNotFoundError

        try:
            data_path(*_FILES[value])
        except DataNotFoundError as err:
            raise ValueError(str(err)) from None
        return value
    folder = Path(value).expanduser()
    if value.strip() and folder.is_dir():
        return str(folder.resolve())
    raise ValueError(f"{value!r} is neither one of {', '.join(SOURCES)} nor an existing folder")


def load_source(data: str) -> CustomerData:
    """Load the tables of a company from a source name or a folder.

    Parameters
    ----------
    data : str
        ``"demo"`` (:func:`segkit.datasets.load_demo`), ``"cdnow"`` (the CDNOW 1/10
        sample) or ``"cdnow_master"`` (the full log): see :data:`SOURCES`. Anything else
        is a folder of ``<table>.csv`` files (names matched in any case), read by
        :func:`segkit.io.read_tables` as the folder's manifest ``segkit.yaml`` says
        (file, encoding, separator, date format, decimal and thousands marks, column
        map per table), so that a report reads exactly what the Python API can.

    Returns
    -------
    CustomerData

    Raises
    ------
    ParameterError
        For a name that is neither a known source nor an existing folder.

    Examples
    --------
    >>> data = load_source("cdnow")
    >>> len(data.transactions), str(data.observation_end.date())
    (6919, '1998-06-30')
    """
    if data == "demo":
        from ._demo import load_demo

        return load_demo()
    if data in ("cdnow", "cdnow_master"):
        from ._cdnow import load_cdnow

        tx = load_cdnow(sample=data == "cdnow")
        return CustomerData(
            transactions=tx,
            observation_end=tx["timestamp"].max(),
            source="CDNOW sample" if data == "cdnow" else "CDNOW master",
        )
    folder = Path(data).expanduser()
    if not folder.is_dir():
        raise ParameterError(
            f"data must be one of {', '.join(SOURCES)} or an existing folder of <table>.csv "
            f"files (and optionally a segkit.yaml manifest); got {data!r}"
        )
    from ..io import read_tables

    return read_tables(folder)
