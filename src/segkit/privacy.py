"""Keep customer information out of reports (信息泄露 is a risk the sources name).

Two steps, applied by the report pipeline to every table before anything is shown:

* :func:`drop_personal` removes the personal columns of the data model
  (:data:`segkit.schema.PERSONAL_COLUMNS`: name, phone, email);
* :func:`pseudonymise` replaces each customer id by a short keyed hash
  (HMAC-SHA256 of the id, keyed with a salt), e.g. ``"c-3f9a1b2c"``. The same id and
  salt always give the same pseudonym, so tables stay joinable and a report can be
  compared with the next one; without the salt the original id cannot be recomputed
  from the pseudonym by hashing guessed ids.

The salt is a secret. When none is given, :func:`project_secret` is used: the
``SEGKIT_SECRET`` environment variable, else a random key generated once per project
and kept in :func:`segkit.config.secret_path` (``.segkit/secret`` of the checkout,
git-ignored and outside ``reports/``, or the user's configuration folder). It is never
printed or shown in a report. The old package default (:data:`DEFAULT_SALT`) is public,
so pseudonyms made with it can be reversed by hashing every plausible id; segkit never
uses it unless asked.

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
import os
import secrets
from collections.abc import Iterable

import pandas as pd

from .config import secret_path
from .exceptions import ParameterError
from .schema import PERSONAL_COLUMNS, SENSITIVE_COLUMNS, CustomerData

__all__ = [
    "DEFAULT_SALT",
    "project_secret",
    "drop_record_ids",
    "ID_COLUMNS",
    "pseudonym",
    "pseudonym_map",
    "pseudonymise",
    "drop_personal",
    "drop_sensitive",
    "protect",
]

#: The public salt of earlier versions, never used unless given explicitly: anyone with
#: segkit can recompute its pseudonyms from guessed ids. The default is
#: :func:`project_secret`.
DEFAULT_SALT: str = "segkit"
#: Environment variable that gives the secret salt directly (e.g. in CI).
SECRET_ENV: str = "SEGKIT_SECRET"
#: Columns that hold a customer id, in any table.
ID_COLUMNS: tuple[str, ...] = ("customer_id",)
_PREFIX = "c-"
_MAX_LENGTH = 64  # hex digits of SHA-256


def project_secret() -> str:
    """The project's secret salt: ``SEGKIT_SECRET``, else the key kept in
    :func:`segkit.config.secret_path`, generated there (readable by its owner only) on
    first use.

    Returns
    -------
    str
        Never print it: whoever has it can recompute pseudonyms from guessed ids.
    """
    given = os.environ.get(SECRET_ENV, "").strip()
    if given:
        return given
    path = secret_path()
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.parent.name == ".segkit" and not (path.parent / ".gitignore").exists():
        (path.parent / ".gitignore").write_text("# segkit's local secrets: never commit\n*\n")
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return key


def _salt(salt: str | None) -> str:
    return project_secret() if salt is None or salt == "" else str(salt)


def pseudonym(customer_id: object, salt: str | None = None, length: int = 8) -> str:
    """The pseudonym of one customer id: ``"c-"`` and ``length`` hex digits of its HMAC.

    Parameters
    ----------
    customer_id : object
        The id; it is hashed as text (``str(customer_id)``).
    salt : str, optional
        Key of the HMAC; by default :func:`project_secret`.
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
    digest = hmac.new(_salt(salt).encode(), str(customer_id).encode(), hashlib.sha256)
    return _PREFIX + digest.hexdigest()[:length]


def pseudonym_map(
    ids: Iterable[object], salt: str | None = None, length: int = 8
) -> dict[object, str]:
    """Map distinct ids to distinct pseudonyms.

    Starts with ``length`` hex digits and takes more digits, for every id alike,
    until no two ids share a pseudonym, so counts of distinct customers are kept.

    Parameters
    ----------
    ids : iterable
        Customer ids (missing values are skipped).
    salt : str, optional
        Key of the HMAC; by default :func:`project_secret`.
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
    key = _salt(salt).encode()
    digests = {
        i: hmac.new(key, str(i).encode(), hashlib.sha256).hexdigest()
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
    salt: str | None = None,
    *,
    columns: Iterable[str] = ID_COLUMNS,
    mapping: dict[object, str] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` whose customer-id columns hold pseudonyms.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table; it is not modified.
    salt : str, optional
        Key of the HMAC (ignored when ``mapping`` is given); by default
        :func:`project_secret`.
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
    """A copy of ``df`` without the personal columns (name, phone, email, free text).

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


def drop_record_ids(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` without the raw record ids (``transaction_id``, ``contract_id``, ...).

    Every column named ``*_id`` goes except the pseudonymised customer ids
    (:data:`ID_COLUMNS`): a raw transaction id can be looked up in the source system
    and so leads back to the customer. Tables of single rows go through this before
    they are shown.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"transaction_id": ["T1"], "customer_id": ["c-1"], "amount": [1.0]})
    >>> drop_record_ids(df).columns.tolist()
    ['customer_id', 'amount']
    """
    keep = set(ID_COLUMNS)
    drop = [c for c in df.columns
            if str(c).strip().lower().endswith("_id") and str(c).strip().lower() not in keep]
    return df.drop(columns=drop)


def protect(data: CustomerData, salt: str | None = None) -> CustomerData:
    """Drop personal columns from, and pseudonymise the customer ids of, every table.

    One mapping is built over the ids of all tables, so the tables stay joinable.

    Parameters
    ----------
    data : CustomerData
        The tables; they are not modified.
    salt : str, optional
        Key of the pseudonyms; by default :func:`project_secret`.

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
