"""The segkit data model: one canonical schema per table, and its validation.

Seven tables describe a company's customers. Every module of the kit reads them in
this shape; users whose columns have other names map them once with ``column_map``.

=============  =====================================================================
table          one row per
=============  =====================================================================
customers      customer (key ``customer_id``): acquisition date, region, channel,
               optional personal fields (name, phone, email) that never reach a report
transactions   purchase or return line (key ``transaction_id``); returns and refunds
               are kept, with a negative amount and ``is_return`` set
interactions   login, visit or service contact
complaints     complaint or review, with a reason category and an optional rating
surveys        NPS and/or CSAT answer
receivables    invoice (key ``invoice_id``): issue, due and paid dates, amount
campaigns      retention or win-back offer sent to a customer: which offer, whether
               the offer was randomly assigned, and the response
=============  =====================================================================
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .exceptions import SchemaError

__all__ = [
    "Column",
    "TableSpec",
    "TABLES",
    "REASONS",
    "INTERACTION_KINDS",
    "FEEDBACK_KINDS",
    "CAMPAIGN_KINDS",
    "PERSONAL_COLUMNS",
    "CustomerData",
    "validate",
    "validate_tables",
    "apply_column_map",
    "data_model",
    "validation_report",
]

Kind = Literal["id", "datetime", "float", "int", "bool", "category", "text"]

#: Reason categories of complaints and reviews (DOMAIN.md section 3).
REASONS: tuple[str, ...] = ("product", "price", "service", "competition", "other")
INTERACTION_KINDS: tuple[str, ...] = ("login", "visit", "service_contact")
FEEDBACK_KINDS: tuple[str, ...] = ("complaint", "review")
CAMPAIGN_KINDS: tuple[str, ...] = ("retention", "winback")
#: Columns holding personal data: kept in the customers table, never shown in a report.
PERSONAL_COLUMNS: tuple[str, ...] = ("name", "phone", "email")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    ``kind`` is the logical type: ``id`` (a string key), ``datetime``, ``float``,
    ``int``, ``bool``, ``category`` (a string from ``allowed`` when given) or ``text``.
    """

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    personal: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """The canonical shape of one table."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    description: str = ""

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "customers",
            (
                Column("customer_id", "id", description="pseudonymous customer key"),
                Column("acquisition_date", "datetime", description="first contact or sign-up"),
                Column("region", "category", required=False, nullable=True),
                Column("channel", "category", required=False, nullable=True,
                       description="acquisition channel"),
                Column("name", "text", required=False, nullable=True, personal=True),
                Column("phone", "text", required=False, nullable=True, personal=True),
                Column("email", "text", required=False, nullable=True, personal=True),
            ),
            key=("customer_id",),
            time_columns=("acquisition_date",),
            description="one row per customer",
        ),
        TableSpec(
            "transactions",
            (
                Column("transaction_id", "id", required=False,
                       description="line key; made from the row number when absent"),
                Column("customer_id", "id"),
                Column("timestamp", "datetime"),
                Column("amount", "float",
                       description="value of the line; negative for returns and refunds"),
                Column("quantity", "int", required=False, min=0),
                Column("is_return", "bool", required=False,
                       description="return or refund line (amount <= 0); False when absent"),
            ),
            key=("transaction_id",),
            time_columns=("timestamp",),
            description="one row per purchase or return line",
        ),
        TableSpec(
            "interactions",
            (
                Column("customer_id", "id"),
                Column("timestamp", "datetime"),
                Column("kind", "category", allowed=INTERACTION_KINDS),
            ),
            time_columns=("timestamp",),
            description="one row per login, visit or service contact",
        ),
        TableSpec(
            "complaints",
            (
                Column("customer_id", "id"),
                Column("timestamp", "datetime"),
                Column("kind", "category", allowed=FEEDBACK_KINDS),
                Column("reason", "category", allowed=REASONS, nullable=True,
                       description="loss-reason category; required for complaints"),
                Column("rating", "int", required=False, nullable=True, min=1, max=5,
                       description="1 (worst) to 5 stars; required for reviews"),
            ),
            time_columns=("timestamp",),
            description="one row per complaint or review",
        ),
        TableSpec(
            "surveys",
            (
                Column("customer_id", "id"),
                Column("timestamp", "datetime"),
                Column("nps", "int", required=False, nullable=True, min=0, max=10,
                       description="likelihood to recommend, 0-10"),
                Column("csat", "int", required=False, nullable=True, min=1, max=5,
                       description="satisfaction, 1-5"),
            ),
            time_columns=("timestamp",),
            description="one row per survey answer",
        ),
        TableSpec(
            "receivables",
            (
                Column("invoice_id", "id"),
                Column("customer_id", "id"),
                Column("issue_date", "datetime"),
                Column("due_date", "datetime"),
                Column("paid_date", "datetime", nullable=True, description="empty while unpaid"),
                Column("amount", "float", min=0),
            ),
            key=("invoice_id",),
            time_columns=("issue_date", "paid_date"),
            description="one row per invoice",
        ),
        TableSpec(
            "campaigns",
            (
                Column("customer_id", "id"),
                Column("campaign", "id", description="campaign key"),
                Column("timestamp", "datetime", description="when the offer was sent"),
                Column("kind", "category", allowed=CAMPAIGN_KINDS),
                Column("offer", "category", description="offer sent; 'control' for none"),
                Column("randomised", "bool", description="offer assigned at random"),
                Column("responded", "bool"),
                Column("response_date", "datetime", required=False, nullable=True),
            ),
            key=("customer_id", "campaign"),
            time_columns=("timestamp", "response_date"),
            description="one row per offer sent",
        ),
    )
}


@dataclass
class CustomerData:
    """The tables of one company, validated or not, with their observation end.

    Only ``transactions`` is required; the other tables are optional.
    """

    transactions: pd.DataFrame
    customers: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None
    complaints: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    receivables: pd.DataFrame | None = None
    campaigns: pd.DataFrame | None = None
    observation_end: pd.Timestamp | None = None
    source: str = field(default="", compare=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables that are present, by name, in data-model order."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in TABLES and getattr(self, f.name) is not None
        }


# --------------------------------------------------------------------------- validation



def apply_column_map(
    df: pd.DataFrame, table: str, column_map: Mapping[str, str] | None
) -> pd.DataFrame:
    """Rename the user's columns to the canonical names, once.

    ``column_map`` maps the user's column name to the canonical one, e.g.
    ``{"客户编号": "customer_id", "下单时间": "timestamp", "金额": "amount"}``.
    A mapped column that is missing, or a map that would create two columns of
    the same name, raises a :class:`~segkit.exceptions.SchemaError`.
    """
    if not column_map:
        return df
    spec = _spec(table)
    missing = [src for src in column_map if src not in df.columns]
    if missing:
        raise SchemaError(
            table,
            missing[0],
            f"column_map names column(s) {missing} that the table does not have; "
            f"its columns are {list(map(str, df.columns))}",
        )
    unknown = [dst for dst in column_map.values() if dst not in spec.names]
    if unknown:
        raise SchemaError(
            table,
            unknown[0],
            f"column_map maps to {unknown}, which are not columns of the data model; "
            f"the canonical columns of '{table}' are {list(spec.names)}",
        )
    renamed = df.rename(columns=dict(column_map))
    dup = renamed.columns[renamed.columns.duplicated()].unique().tolist()
    if dup:
        raise SchemaError(
            table,
            dup[0],
            "after applying column_map two columns share the name "
            f"{dup[0]!r}; map only one of them or drop the other",
        )
    return renamed


def _spec(table: str) -> TableSpec:
    try:
        return TABLES[table]
    except KeyError:
        raise SchemaError(
            table, None, f"unknown table; the data model has the tables {list(TABLES)}"
        ) from None


def _bad(df: pd.DataFrame, mask) -> pd.DataFrame:
    return df.loc[np.asarray(mask, dtype=bool)]


def _to_id(s: pd.Series, table: str, col: Column, df: pd.DataFrame) -> pd.Series:
    if pd.api.types.is_float_dtype(s):
        raise SchemaError(
            table,
            col.name,
            f"wrong type: ids must be text or whole numbers, got {s.dtype} "
            "(ids read as decimals usually mean missing ids or a wrong column)",
            _bad(df, s.notna()),
        )
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        raise SchemaError(
            table, col.name, f"wrong type: ids must be text or whole numbers, got {s.dtype}",
            df.head(),
        )
    out = s.astype(object)
    nonnull = out.notna()
    return out.where(~nonnull, out[nonnull].map(str)) if nonnull.any() else out


def _to_datetime(s: pd.Series, table: str, col: Column, df: pd.DataFrame) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        raise SchemaError(
            table,
            col.name,
            f"wrong type: timezone-aware datetimes ({s.dtype}) are not accepted; convert to "
            "naive local time first, e.g. s.dt.tz_convert('Asia/Shanghai').dt.tz_localize(None)",
            df.head(),
        )
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        if s.isna().all():
            return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        raise SchemaError(
            table,
            col.name,
            f"wrong type: expected dates, got {s.dtype} numbers; parse them first "
            "(for example pd.to_datetime(s.astype(str), format='%Y%m%d'))",
            df.head(),
        )
    text = s.astype("string").str.strip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    unparseable = parsed.isna() & text.notna() & (text != "")
    if unparseable.any():
        raise SchemaError(
            table,
            col.name,
            "unparseable dates: use ISO dates such as 2024-03-01 or 2024-03-01 14:30",
            _bad(df, unparseable),
            int(unparseable.sum()),
        )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _to_number(s: pd.Series, table: str, col: Column, df: pd.DataFrame) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        raise SchemaError(
            table, col.name, f"wrong type: expected numbers, got {s.dtype}", df.head()
        )
    if not pd.api.types.is_numeric_dtype(s):
        num = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
        bad = num.isna() & s.notna() & (s.astype("string").str.strip() != "")
        if bad.any():
            raise SchemaError(
                table,
                col.name,
                "wrong type: expected numbers, found text that is not a number "
                "(remove currency signs and thousands separators)",
                _bad(df, bad),
                int(bad.sum()),
            )
        s = num
    if col.kind == "int":
        nonnull = s.dropna()
        frac = nonnull != np.floor(nonnull)
        if frac.any():
            raise SchemaError(
                table,
                col.name,
                "wrong type: expected whole numbers",
                df.loc[nonnull.index[frac.to_numpy()]],
                int(frac.sum()),
            )
        return s.astype("Int64") if (col.nullable or s.isna().any()) else s.astype("int64")
    return s.astype("float64")


_TRUE = {"true", "1", "yes", "y", "t", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否"}


def _to_bool(s: pd.Series, table: str, col: Column, df: pd.DataFrame) -> pd.Series:
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.astype(bool)
    text = s.astype("string").str.strip().str.lower()
    ok = text.isin(_TRUE | _FALSE)
    if not ok.all():
        raise SchemaError(
            table,
            col.name,
            "wrong type: expected true/false values (True/False, 1/0, yes/no or 是/否)",
            _bad(df, ~ok.fillna(False)),
            int((~ok.fillna(False)).sum()),
        )
    return text.isin(_TRUE).astype(bool)


def _to_text(s: pd.Series, table: str, col: Column, df: pd.DataFrame) -> pd.Series:
    if pd.api.types.is_float_dtype(s) and s.notna().any():
        raise SchemaError(
            table, col.name, f"wrong type: expected text, got {s.dtype} numbers", df.head()
        )
    out = s.astype(object)
    nonnull = out.notna()
    return out.where(~nonnull, out[nonnull].map(str)) if nonnull.any() else out


_CONVERTERS = {
    "id": _to_id,
    "datetime": _to_datetime,
    "float": _to_number,
    "int": _to_number,
    "bool": _to_bool,
    "category": _to_text,
    "text": _to_text,
}


def _fmt(v: float | None) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _pandera_schema(spec: TableSpec, present: list[str]) -> pa.DataFrameSchema:
    """The value rules of a table as a pandera schema (types are converted before)."""
    columns = {}
    for c in spec.columns:
        if c.name not in present:
            continue
        checks = []
        if c.min is not None:
            checks.append(pa.Check.ge(c.min, error=f"values must be >= {_fmt(c.min)}"))
        if c.max is not None:
            checks.append(pa.Check.le(c.max, error=f"values must be <= {_fmt(c.max)}"))
        if c.allowed is not None:
            checks.append(
                pa.Check.isin(list(c.allowed), error=f"values must be one of {list(c.allowed)}")
            )
        unique = spec.key == (c.name,)
        columns[c.name] = pa.Column(
            nullable=c.nullable, checks=checks, unique=unique, coerce=False, required=True
        )
    unique = list(spec.key) if len(spec.key) > 1 else None
    return pa.DataFrameSchema(columns, unique=unique, strict=False)


def _no_reason(d: pd.DataFrame) -> pd.Series:
    return (d["kind"] == "complaint") & d["reason"].isna()


def _no_rating(d: pd.DataFrame) -> pd.Series:
    rating = d["rating"] if "rating" in d else pd.Series(pd.NA, index=d.index)
    return (d["kind"] == "review") & rating.isna()


def _no_score(d: pd.DataFrame) -> pd.Series:
    has = pd.Series(False, index=d.index)
    for c in ("nps", "csat"):
        if c in d:
            has |= d[c].notna()
    return ~has


def _late_response(d: pd.DataFrame) -> pd.Series:
    if "response_date" not in d:
        return pd.Series(False, index=d.index)
    return d["response_date"] < d["timestamp"]


def _response_without_flag(d: pd.DataFrame) -> pd.Series:
    if "response_date" not in d:
        return pd.Series(False, index=d.index)
    return d["response_date"].notna() & ~d["responded"]


#: Rules that involve several columns: (column named in the error, bad-row mask, rule).
_TABLE_RULES: dict[str, list[tuple[str, object, str]]] = {
    "transactions": [
        (
            "amount",
            lambda d: (d["amount"] < 0) & ~d["is_return"],
            "negative amount on a line that is not flagged as a return: set is_return "
            "for returns and refunds (they are kept, never dropped)",
        ),
        (
            "is_return",
            lambda d: d["is_return"] & (d["amount"] > 0),
            "a return line (is_return) must have an amount <= 0",
        ),
    ],
    "complaints": [
        ("reason", _no_reason,
         "a complaint needs a reason (product, price, service, competition or other)"),
        ("rating", _no_rating, "a review needs a rating (1-5)"),
    ],
    "surveys": [("nps", _no_score, "each survey answer needs an nps (0-10) or csat (1-5) value")],
    "receivables": [
        ("due_date", lambda d: d["due_date"] < d["issue_date"], "due_date is before issue_date"),
        ("paid_date", lambda d: d["paid_date"] < d["issue_date"],
         "paid_date is before issue_date"),
    ],
    "campaigns": [
        ("response_date", _response_without_flag, "response_date is set but responded is False"),
        ("response_date", _late_response,
         "response_date is before the offer was sent (timestamp)"),
    ],
}

_PANDERA_RULES = {
    "not_nullable": "missing values",
    "field_uniqueness": "duplicate keys: each value must appear once",
    "multiple_fields_uniqueness": "duplicate keys: each combination must appear once",
}


def _raise_first(err: pa.errors.SchemaErrors, table: str, spec: TableSpec, df: pd.DataFrame):
    fc = err.failure_cases
    fc = fc[fc["index"].notna()] if fc["index"].notna().any() else fc
    order = {name: i for i, name in enumerate(spec.names)}
    fc = fc.assign(_order=fc["column"].map(lambda c: order.get(c, -1) if c else -1))
    first = fc.sort_values("_order", kind="stable").iloc[0]
    check = str(first["check"])
    same = fc[(fc["check"] == first["check"]) & (fc["column"].astype(str) == str(first["column"]))]
    rows = df.loc[df.index.isin(same["index"].dropna().unique())]
    column = first["column"] if first["column"] in df.columns else None
    rule = _PANDERA_RULES.get(check, check)
    if check == "multiple_fields_uniqueness":
        column = ", ".join(spec.key)
        key = list(spec.key)
        rows = df[df.duplicated(key, keep=False)].sort_values(key)
    elif check == "field_uniqueness":
        rows = df[df.duplicated(first["column"], keep=False)].sort_values(first["column"])
    elif check == "not_nullable":
        rows = df[df[first["column"]].isna()]
    problems = fc.groupby(["column", "check"], dropna=False).ngroups
    if problems > 1:
        rule += f" (and {problems - 1} more rule(s) broken; fix this one first)"
    raise SchemaError(table, column, rule, rows, len(rows)) from None


def validate(
    df: pd.DataFrame,
    table: str,
    *,
    column_map: Mapping[str, str] | None = None,
    observation_end=None,
) -> pd.DataFrame:
    """Check a table against the data model and return it in canonical form.

    The input is not modified. The returned copy has canonical column names
    (``column_map`` applied) and types: ids as text, datetimes as ``datetime64[ns]``,
    amounts as floats, whole numbers as integers, flags as booleans. Extra columns
    are kept as they are. Nothing is dropped: any row that breaks a rule makes the
    whole table fail with a :class:`~segkit.exceptions.SchemaError` that names the
    table, the column, the rule and a few offending rows.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read.
    table : str
        Which table of :data:`TABLES` it is.
    column_map : mapping, optional
        User column name -> canonical name.
    observation_end : date-like, optional
        End of the observation period: no date in the table may be later.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"cid": [1, 2], "date": ["2024-01-05", "2024-02-01"],
    ...                     "amount": [12.5, 30.0]})
    >>> tx = validate(raw, "transactions", column_map={"cid": "customer_id", "date": "timestamp"})
    >>> tx.dtypes.astype(str).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'customer_id': 'object', 'timestamp': 'datetime64[ns]', 'amount': 'float64',
     'transaction_id': 'object', 'is_return': 'bool'}
    """
    spec = _spec(table)
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(table, None, f"expected a pandas DataFrame, got {type(df).__name__}")
    df = apply_column_map(df, table, column_map)
    df.columns = [str(c).strip() for c in df.columns]
    dup = df.columns[df.columns.duplicated()].unique().tolist()
    if dup:
        raise SchemaError(table, dup[0], "the column name appears more than once")
    if len(df) == 0:
        raise SchemaError(table, None, "the table is empty (no rows)")
    missing = [c for c in spec.required if c not in df.columns]
    if missing:
        hint = (
            " Map your own column names once with column_map={'your name': 'canonical name'}."
        )
        raise SchemaError(
            table,
            missing[0],
            f"missing required column(s) {missing}; the table has {list(df.columns)}." + hint,
        )
    out = df.copy()
    if table == "transactions":
        if "transaction_id" not in out.columns:
            out["transaction_id"] = [f"row{i}" for i in range(len(out))]
        if "is_return" not in out.columns:
            out["is_return"] = False
    for col in spec.columns:
        if col.name in out.columns:
            out[col.name] = _CONVERTERS[col.kind](out[col.name], table, col, df)
    present = [c for c in spec.names if c in out.columns]
    try:
        _pandera_schema(spec, present).validate(out, lazy=True)
    except pa.errors.SchemaErrors as err:
        _raise_first(err, table, spec, df)
    for column, is_bad, rule in _TABLE_RULES.get(table, []):
        bad = is_bad(out).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            raise SchemaError(table, column, rule, _bad(df, bad), int(bad.sum()))
    if observation_end is not None:
        end = pd.Timestamp(observation_end)
        for name in spec.time_columns:  # events; a due date may lie after the end
            if name in out.columns:
                late = out[name] > end
                if late.any():
                    raise SchemaError(
                        table,
                        name,
                        f"dates after the observation end {end.date()}: a table cannot record "
                        "what happened after its observation end; choose a later observation "
                        "end or cut the data explicitly",
                        _bad(df, late),
                        int(late.sum()),
                    )
    return out


def validate_tables(data: CustomerData, *, column_maps: Mapping[str, Mapping] | None = None):
    """Validate every table of ``data`` and the links between them.

    Besides each table's own rules (see :func:`validate`), every ``customer_id`` of
    another table must exist in ``customers`` when that table is given. Returns a
    new :class:`CustomerData` with canonical tables.
    """
    column_maps = column_maps or {}
    end = data.observation_end
    clean = {
        name: validate(df, name, column_map=column_maps.get(name), observation_end=end)
        for name, df in data.tables().items()
    }
    if "customers" in clean:
        known = pd.Index(clean["customers"]["customer_id"])
        for name, df in clean.items():
            if name == "customers" or "customer_id" not in df.columns:
                continue
            unknown = ~df["customer_id"].isin(known)
            if unknown.any():
                raise SchemaError(
                    name,
                    "customer_id",
                    "customer ids that are not in the customers table "
                    f"(e.g. {sorted(df.loc[unknown, 'customer_id'].unique())[:3]})",
                    df.loc[unknown],
                    int(unknown.sum()),
                )
    return CustomerData(**clean, observation_end=end, source=data.source)



def data_model() -> pd.DataFrame:
    """The data model as a table: one row per column of every table.

    >>> data_model().groupby("table", sort=False).size().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'customers': 7, 'transactions': 6, 'interactions': 3, 'complaints': 5, 'surveys': 4,
     'receivables': 6, 'campaigns': 8}
    """
    rows = [
        {
            "table": spec.name,
            "column": c.name,
            "kind": c.kind,
            "required": c.required,
            "key": c.name in spec.key,
            "nullable": c.nullable,
            "allowed": ", ".join(c.allowed) if c.allowed else "",
            "range": "" if c.min is None and c.max is None
            else f"{'' if c.min is None else _fmt(c.min)}..{'' if c.max is None else _fmt(c.max)}",
            "personal": c.personal,
            "description": c.description,
        }
        for spec in TABLES.values()
        for c in spec.columns
    ]
    return pd.DataFrame(rows)


def validation_report(df: pd.DataFrame, table: str, **kwargs) -> str:
    """Validate a table and say in words whether it passed.

    Returns the :class:`~segkit.exceptions.SchemaError` message when the table breaks
    a rule, so that a notebook can show the problem without a traceback. Keyword
    arguments go to :func:`validate`.

    >>> import pandas as pd
    >>> print(validation_report(pd.DataFrame({"customer_id": ["a"]}), "transactions"))
    ... # doctest: +ELLIPSIS
    table 'transactions', column 'timestamp': missing required column(s) ['timestamp', 'amount']...
    """
    try:
        out = validate(df, table, **kwargs)
    except SchemaError as err:
        return str(err)
    return f"table '{table}': OK, {len(out):,} rows follow the data model"
