"""Keep customer information out of reports (信息泄露 is a risk the sources name).

Two steps, applied by the report pipeline to every table before anything is shown:

* :func:`drop_personal` removes the personal columns of the data model
  (:data:`segkit.schema.PERSONAL_COLUMNS`: name, phone, email);
* :func:`pseudonymise` replaces each customer id by a short keyed hash
  (HMAC-SHA256 of the id, keyed with a salt), e.g. ``"c-3f9a1b2c"``. The same id and
  salt always give the same pseudonym, so tables stay joinable and a report can be
  compared with the next one; without the salt the original id cannot be recomputed
  from the pseudonym by hashing guessed ids. Use a secret salt for reports that leave
  the team.

:func:`protect` does both for every table of a :class:`~segkit.schema.CustomerData`.

Examples
--------
>>> import pandas as pd
>>> from segkit.privacy import pseudonym, drop_personal
>>> pseudonym("C001", salt="course")
'c-f1403aee'
>>> drop_personal(pd.DataFrame({"customer_id": ["C001"], "email": ["a@b.cn"]})).columns.tolist()
['customer_id']
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Iterable

import pandas as pd

from .exceptions import ParameterError
from .schema import PERSONAL_COLUMNS, SENSITIVE_COLUMNS, CustomerData

__all__ = [
    "DEFAULT_SALT",
    "ID_COLUMNS",
    "pseudonym",
    "pseudonym_map",
    "pseudonymise",
    "drop_personal",
    "drop_sensitive",
    "protect",
]

#: Salt used when none is given. Pseudonyms with the default salt are stable across
#: reports but anyone with segkit can recompute them from a guessed id.
DEFAULT_SALT: str = "segkit"
#: Columns that hold a customer id, in any table.
ID_COLUMNS: tuple[str, ...] = ("customer_id",)
_PREFIX = "c-"
_MAX_LENGTH = 64  # hex digits of SHA-256


def pseudonym(customer_id: object, salt: str = DEFAULT_SALT, length: int = 8) -> str:
    """The pseudonym of one customer id: ``"c-"`` and ``length`` hex digits of its HMAC.

    Parameters
    ----------
    customer_id : object
        The id; it is hashed as text (``str(customer_id)``).
    salt : str, default DEFAULT_SALT
        Key of the HMAC.
    length : int, default 8
        Hex digits kept, 1 to 64.

    Returns
    -------
    str

    Examples
    --------
    >>> pseudonym("C001", salt="course") == pseudonym("C001", salt="course")
    True
    >>> pseudonym("C001", salt="course") != pseudonym("C001", salt="other")
    True
    """
    if not 1 <= length <= _MAX_LENGTH:
        raise ParameterError(f"pseudonym length must be between 1 and {_MAX_LENGTH}, got {length}")
    digest = hmac.new(str(salt).encode(), str(customer_id).encode(), hashlib.sha256)
    return _PREFIX + digest.hexdigest()[:length]


def pseudonym_map(
    ids: Iterable[object], salt: str = DEFAULT_SALT, length: int = 8
) -> dict[object, str]:
    """Map distinct ids to distinct pseudonyms.

    Starts with ``length`` hex digits and takes more digits, for every id alike,
    until no two ids share a pseudonym, so counts of distinct customers are kept.

    Parameters
    ----------
    ids : iterable
        Customer ids (missing values are skipped).
    salt : str, default DEFAULT_SALT
        Key of the HMAC.
    length : int, default 8
        Minimum number of hex digits.

    Returns
    -------
    dict
        id -> pseudonym.

    Examples
    --------
    >>> m = pseudonym_map(["a", "b", "a"], salt="s")
    >>> len(m), len(set(m.values()))
    (2, 2)
    """
    distinct = [i for i in dict.fromkeys(ids) if not _isna(i)]
    digests = {
        i: hmac.new(str(salt).encode(), str(i).encode(), hashlib.sha256).hexdigest()
        for i in distinct
    }
    if len({str(i) for i in distinct}) < len(distinct):
        raise ParameterError("two different customer ids have the same text; ids must be unique")
    for n in range(max(1, length), _MAX_LENGTH + 1):
        short = {i: d[:n] for i, d in digests.items()}
        if len(set(short.values())) == len(short):
            return {i: _PREFIX + s for i, s in short.items()}
    raise ParameterError("could not make distinct pseudonyms")  # pragma: no cover


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pseudonymise(
    df: pd.DataFrame,
    salt: str = DEFAULT_SALT,
    *,
    columns: Iterable[str] = ID_COLUMNS,
    mapping: dict[object, str] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` whose customer-id columns hold pseudonyms.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table; it is not modified.
    salt : str, default DEFAULT_SALT
        Key of the HMAC (ignored when ``mapping`` is given).
    columns : iterable of str, default ID_COLUMNS
        Columns to replace, when present.
    mapping : dict, optional
        id -> pseudonym, e.g. from :func:`pseudonym_map` over all tables; by default
        built from the ids of ``df``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> out = pseudonymise(pd.DataFrame({"customer_id": ["C001", "C002"]}), salt="course")
    >>> out["customer_id"].str.match(r"^c-[0-9a-f]{8}$").all()
    np.True_
    """
    out = df.copy()
    present = [c for c in columns if c in out.columns]
    if mapping is None:
        ids = pd.concat([out[c] for c in present]) if present else []
        mapping = pseudonym_map(ids, salt)
    for c in present:
        out[c] = out[c].map(mapping).astype(object)
    return out


def drop_personal(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` without the personal columns (name, phone, email).

    Column names are compared without case and surrounding spaces, so ``"Email"``
    goes too.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table; it is not modified.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["c1"], "Name": ["Li Lei"], "phone": ["138"]})
    >>> drop_personal(df).columns.tolist()
    ['customer_id']
    """
    personal = {c.lower() for c in PERSONAL_COLUMNS}
    drop = [c for c in df.columns if str(c).strip().lower() in personal]
    return df.drop(columns=drop)


def drop_sensitive(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` without the sensitive columns of the data model (gender, age band).

    Sensitive attributes are kept in the tables for fairness audits, which show them
    only in aggregate; any table that shows rows of single customers goes through this
    first (and through :func:`drop_personal`).

    Examples
    --------
    >>> import pandas as pd
    >>> drop_sensitive(pd.DataFrame({"customer_id": ["c1"], "gender": ["female"]})).columns.tolist()
    ['customer_id']
    """
    sensitive = {c for cols in SENSITIVE_COLUMNS.values() for c in cols}
    return df.drop(columns=[c for c in df.columns if str(c).strip().lower() in sensitive])


def protect(data: CustomerData, salt: str = DEFAULT_SALT) -> CustomerData:
    """Drop personal columns from, and pseudonymise the customer ids of, every table.

    One mapping is built over the ids of all tables, so the tables stay joinable.

    Parameters
    ----------
    data : CustomerData
        The tables; they are not modified.
    salt : str, default DEFAULT_SALT
        Key of the pseudonyms.

    Returns
    -------
    CustomerData
        A new object with the protected tables and the same observation end and source.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.schema import CustomerData
    >>> data = CustomerData(
    ...     transactions=pd.DataFrame({"customer_id": ["C1"], "amount": [1.0]}),
    ...     customers=pd.DataFrame({"customer_id": ["C1"], "name": ["Li Lei"]}))
    >>> safe = protect(data, salt="s")
    >>> safe.customers.columns.tolist(), safe.customers.customer_id[0] == safe.transactions.customer_id[0]
    (['customer_id'], True)
    """
    tables = data.tables()
    ids = [df[c] for df in tables.values() for c in ID_COLUMNS if c in df.columns]
    mapping = pseudonym_map(pd.concat(ids) if ids else [], salt)
    safe = {name: pseudonymise(drop_personal(df), mapping=mapping) for name, df in tables.items()}
    return dataclasses.replace(data, **safe)
