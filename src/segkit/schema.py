"""The segkit data model: one canonical schema per table, and its validation.

Eleven tables describe a company's customers. Every module of the kit reads them in
this shape; users whose columns have other names map them once with ``column_map``.

=============  =====================================================================
table          one row per
=============  =====================================================================
customers      customer (key ``customer_id``): acquisition date, region, channel,
               optional personal fields (name, phone, email) that never reach a
               report, optional sensitive attributes (gender, age band) kept for
               fairness audits only
transactions   purchase or return line (key ``transaction_id``); returns and refunds
               are kept, with a negative amount and ``is_return`` set; an optional
               ``cost`` gives the line's margin
contracts      contract (key ``contract_id``): start, optional end and end reason,
               plan, billing period and recurring amount (subscriptions, telecom,
               insurance, memberships)
exits          explicit end or return of a relationship (account closed, contract
               ended, reactivated), with a reason and where the reason came from
interactions   login, visit or service contact
complaints     complaint or review, with a reason category and an optional rating
surveys        NPS and/or CSAT answer
receivables    invoice (key ``invoice_id``): issue, due and paid dates, amount,
               payment terms, partial payments and write-offs
credit_limits  credit-limit decision (key ``customer_id, effective_date``)
costs          cost of serving a customer (service, delivery, discount, acquisition,
               bad debt) on a date
campaigns      retention or win-back offer sent to a customer: which offer, whether
               the offer was randomly assigned, its cost, and the response
=============  =====================================================================

A company needs ``customers`` or ``transactions`` (a subscription business with only
customers and contracts is a valid company); every other table is optional.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import convert
from .exceptions import SchemaError

__all__ = [
    "Column",
    "TableSpec",
    "TABLES",
    "REASONS",
    "INTERACTION_KINDS",
    "FEEDBACK_KINDS",
    "CAMPAIGN_KINDS",
    "EXIT_KINDS",
    "EXIT_REASONS",
    "EXIT_SOURCES",
    "COST_KINDS",
    "CREDIT_DECISIONS",
    "BILLING_PERIODS",
    "GENDERS",
    "AGE_BANDS",
    "PERSONAL_COLUMNS",
    "SENSITIVE_COLUMNS",
    "CATEGORIES",
    "CustomerData",
    "validate",
    "validate_tables",
    "apply_column_map",
    "data_model",
    "validation_report",
]

Kind = Literal["id", "datetime", "float", "int", "bool", "category", "text"]

#: Reason categories of complaints and reviews (docs/domain.md section 3).
REASONS: tuple[str, ...] = ("product", "price", "service", "competition", "other")
#: Reasons a relationship ended: the complaint reasons plus the two the sources name
#: for lost customers only, budget and a complex (purchase) decision.
EXIT_REASONS: tuple[str, ...] = (
    "product", "price", "service", "competition", "budget", "complex_decision", "other",
)
#: What an ``exits`` row records: the relationship ended, or came back.
EXIT_KINDS: tuple[str, ...] = ("account_closed", "contract_ended", "reactivated")
#: Where an exit reason came from.
EXIT_SOURCES: tuple[str, ...] = ("exit_survey", "crm_note", "inferred")
INTERACTION_KINDS: tuple[str, ...] = ("login", "visit", "service_contact")
FEEDBACK_KINDS: tuple[str, ...] = ("complaint", "review")
CAMPAIGN_KINDS: tuple[str, ...] = ("retention", "winback")
#: Kinds of cost of serving a customer (the ``costs`` table).
COST_KINDS: tuple[str, ...] = ("service", "delivery", "discount", "acquisition", "bad_debt")
#: Credit-limit decisions (docs/domain.md section 5: apply, set, adjust, decline).
CREDIT_DECISIONS: tuple[str, ...] = ("initial", "increase", "decrease", "decline", "suspend")
#: Billing periods of contracts, in the time units of :mod:`segkit.data`.
BILLING_PERIODS: tuple[str, ...] = ("W", "M", "Q", "Y")
GENDERS: tuple[str, ...] = ("female", "male", "other")
AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
#: Columns holding personal data: kept in the tables, never shown in a report. ``text`` is
#: the free text of a complaint or review, which can hold names and phone numbers.
PERSONAL_COLUMNS: tuple[str, ...] = ("name", "phone", "email", "text")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    ``kind`` is the logical type: ``id`` (a string key), ``datetime``, ``float``,
    ``int``, ``bool``, ``category`` (a string from ``allowed`` when given) or ``text``.
    ``personal`` columns (name, phone, e-mail, the free text of complaints) are removed before anything is shown;
    ``sensitive`` columns (gender, age band) are kept for fairness audits, left out of
    model features by default and never shown per customer in a report.
    """

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    personal: bool = False
    sensitive: bool = False
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
                Column("gender", "category", required=False, nullable=True, allowed=GENDERS,
                       sensitive=True, description="for fairness audits only"),
                Column("age_band", "category", required=False, nullable=True,
                       allowed=AGE_BANDS, sensitive=True,
                       description="for fairness audits only"),
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
                Column("cost", "float", required=False, nullable=True, min=0,
                       description="cost of goods and fulfilment of the line; "
                                   "margin = amount - cost"),
            ),
            key=("transaction_id",),
            time_columns=("timestamp",),
            description="one row per purchase or return line",
        ),
        TableSpec(
            "contracts",
            (
                Column("contract_id", "id"),
                Column("customer_id", "id"),
                Column("start_date", "datetime"),
                Column("end_date", "datetime", required=False, nullable=True,
                       description="empty while the contract runs"),
                Column("end_reason", "category", required=False, nullable=True,
                       allowed=EXIT_REASONS, description="why an ended contract ended"),
                Column("plan", "category", required=False, nullable=True),
                Column("billing_period", "category", allowed=BILLING_PERIODS,
                       description="W, M, Q or Y"),
                Column("recurring_amount", "float", min=0,
                       description="amount billed each billing period"),
            ),
            key=("contract_id",),
            time_columns=("start_date", "end_date"),
            description="one row per contract (subscription, membership, policy)",
        ),
        TableSpec(
            "exits",
            (
                Column("customer_id", "id"),
                Column("timestamp", "datetime"),
                Column("kind", "category", allowed=EXIT_KINDS),
                Column("reason", "category", nullable=True, allowed=EXIT_REASONS,
                       description="required for an end; 'other' when unknown"),
                Column("source", "category", nullable=True, allowed=EXIT_SOURCES,
                       description="where the reason came from; required with a reason"),
                Column("contract_id", "id", required=False, nullable=True,
                       description="the contract that ended, if any"),
            ),
            time_columns=("timestamp",),
            description="one row per end or return of a relationship",
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
                Column("text", "text", required=False, nullable=True, personal=True,
                       description="what the customer wrote, in any language; free text "
                                   "is personal and never shown in a report"),
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
                Column("paid_date", "datetime", nullable=True,
                       description="date the invoice was settled in full; empty while open"),
                Column("amount", "float", min=0),
                Column("payment_terms", "int", required=False, min=0,
                       description="days allowed for payment: due_date - issue_date"),
                Column("paid_amount", "float", required=False, nullable=True, min=0,
                       description="paid so far (partial payments); the amount when settled"),
                Column("written_off", "float", required=False, nullable=True, min=0,
                       description="amount written off as bad debt"),
                Column("write_off_date", "datetime", required=False, nullable=True),
            ),
            key=("invoice_id",),
            time_columns=("issue_date", "paid_date", "write_off_date"),
            description="one row per invoice",
        ),
        TableSpec(
            "credit_limits",
            (
                Column("customer_id", "id"),
                Column("effective_date", "datetime"),
                Column("limit", "float", min=0, description="credit limit from that date"),
                Column("decision", "category", allowed=CREDIT_DECISIONS),
            ),
            key=("customer_id", "effective_date"),
            time_columns=("effective_date",),
            description="one row per credit-limit decision",
        ),
        TableSpec(
            "costs",
            (
                Column("customer_id", "id"),
                Column("timestamp", "datetime"),
                Column("kind", "category", allowed=COST_KINDS),
                Column("amount", "float", min=0),
            ),
            time_columns=("timestamp",),
            description="one row per cost of serving a customer",
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
                Column("offer_cost", "float", required=False, nullable=True, min=0,
                       description="cost of the offer to the company"),
            ),
            key=("customer_id", "campaign"),
            time_columns=("timestamp", "response_date"),
            description="one row per offer sent",
        ),
    )
}


#: Sensitive columns (fairness audits only, never model features by default), by table.
SENSITIVE_COLUMNS: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if c.sensitive)
    for t in TABLES.values()
    if any(c.sensitive for c in t.columns)
}
#: Allowed values of every category column that has a fixed list, by (table, column);
#: the glossary has a label in every language for each of them (a test checks it).
CATEGORIES: dict[tuple[str, str], tuple[str, ...]] = {
    (t.name, c.name): c.allowed for t in TABLES.values() for c in t.columns if c.allowed
}


@dataclass
class CustomerData:
    """The tables of one company, validated or not, with their observation end.

    Every table is optional, but a company needs ``customers`` or ``transactions``
    (a subscription business may have only customers and contracts). The fields are
    the tables of :data:`TABLES`, in its order, then ``observation_end`` and
    ``source``.
    """

    customers: pd.DataFrame | None = None
    transactions: pd.DataFrame | None = None
    contracts: pd.DataFrame | None = None
    exits: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None
    complaints: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    receivables: pd.DataFrame | None = None
    credit_limits: pd.DataFrame | None = None
    costs: pd.DataFrame | None = None
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
    return _apply_column_map(df, table, column_map, copy=True)


def _apply_column_map(df: pd.DataFrame, table: str, column_map: Mapping[str, str] | None,
                      *, copy: bool) -> pd.DataFrame:
    """:func:`apply_column_map`; ``copy=False`` shares the data with ``df`` (validate
    builds a new frame from the columns and never writes into them)."""
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
    renamed = df.rename(columns=dict(column_map), copy=copy)
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


def _fmt(v: float | None) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class Rule:
    """A rule that involves several columns of a table, named by the column it blames.

    ``is_bad(table) -> boolean Series`` marks the rows that break it (missing means
    not broken). The rules of every table are in :data:`TABLE_RULES`; they run as
    pandera checks, so every broken rule of a table is reported at once.
    """

    column: str
    is_bad: Callable[[pd.DataFrame], pd.Series]
    text: str


def _col(d: pd.DataFrame, name: str, default=pd.NA) -> pd.Series:
    return d[name] if name in d else pd.Series(default, index=d.index)


def _no_reason(d: pd.DataFrame) -> pd.Series:
    return (d["kind"] == "complaint") & d["reason"].isna()


def _no_rating(d: pd.DataFrame) -> pd.Series:
    return (d["kind"] == "review") & _col(d, "rating").isna()


def _no_score(d: pd.DataFrame) -> pd.Series:
    return _col(d, "nps").isna() & _col(d, "csat").isna()


def _late_response(d: pd.DataFrame) -> pd.Series:
    return _col(d, "response_date", pd.NaT) < d["timestamp"]


def _response_without_flag(d: pd.DataFrame) -> pd.Series:
    return _col(d, "response_date", pd.NaT).notna() & ~d["responded"].astype(bool)


def _end_without_reason(d: pd.DataFrame) -> pd.Series:
    return d["kind"].isin(["account_closed", "contract_ended"]) & d["reason"].isna()


def _terms_mismatch(d: pd.DataFrame) -> pd.Series:
    if "payment_terms" not in d:
        return pd.Series(False, index=d.index)
    days = (d["due_date"] - d["issue_date"]).dt.days.astype("Int64")
    return d["payment_terms"].notna() & (days != d["payment_terms"].astype("Int64"))


def _overpaid(d: pd.DataFrame) -> pd.Series:
    paid = _col(d, "paid_amount").astype("Float64").fillna(0)
    off = _col(d, "written_off").astype("Float64").fillna(0)
    return (paid + off) > d["amount"] + 0.005


def _settled_short(d: pd.DataFrame) -> pd.Series:
    paid = _col(d, "paid_amount").astype("Float64")
    return d["paid_date"].notna() & paid.notna() & (paid < d["amount"] - 0.005)


def _write_off_undated(d: pd.DataFrame) -> pd.Series:
    off = _col(d, "written_off").astype("Float64").fillna(0)
    return (off > 0) & _col(d, "write_off_date", pd.NaT).isna()


#: Rules that involve several columns, by table.
TABLE_RULES: dict[str, tuple[Rule, ...]] = {
    "transactions": (
        Rule("amount", lambda d: (d["amount"] < 0) & ~d["is_return"],
             "negative amount on a line that is not flagged as a return: set is_return "
             "for returns and refunds (they are kept, never dropped)"),
        Rule("is_return", lambda d: d["is_return"] & (d["amount"] > 0),
             "a return line (is_return) must have an amount <= 0"),
    ),
    "contracts": (
        Rule("end_date", lambda d: _col(d, "end_date", pd.NaT) < d["start_date"],
             "end_date is before start_date"),
        Rule("end_reason",
             lambda d: _col(d, "end_reason").notna() & _col(d, "end_date", pd.NaT).isna(),
             "end_reason is set on a contract without an end_date"),
    ),
    "exits": (
        Rule("reason", _end_without_reason,
             "an end (account_closed, contract_ended) needs a reason; use 'other' when "
             "it is unknown"),
        Rule("source", lambda d: d["reason"].notna() & d["source"].isna(),
             "a reason needs its source (exit_survey, crm_note or inferred)"),
    ),
    "complaints": (
        Rule("reason", _no_reason,
             "a complaint needs a reason (product, price, service, competition or other)"),
        Rule("rating", _no_rating, "a review needs a rating (1-5)"),
    ),
    "surveys": (
        Rule("nps", _no_score, "each survey answer needs an nps (0-10) or csat (1-5) value"),
    ),
    "receivables": (
        Rule("due_date", lambda d: d["due_date"] < d["issue_date"],
             "due_date is before issue_date"),
        Rule("paid_date", lambda d: d["paid_date"] < d["issue_date"],
             "paid_date is before issue_date"),
        Rule("payment_terms", _terms_mismatch,
             "payment_terms differs from the days between issue_date and due_date"),
        Rule("paid_amount", _overpaid,
             "paid_amount plus written_off is more than the invoice amount"),
        Rule("paid_amount", _settled_short,
             "paid_date (settled in full) is set but paid_amount is less than the amount"),
        Rule("write_off_date", _write_off_undated, "a write-off needs its write_off_date"),
    ),
    "campaigns": (
        Rule("response_date", _response_without_flag,
             "response_date is set but responded is False"),
        Rule("response_date", _late_response,
             "response_date is before the offer was sent (timestamp)"),
    ),
}

_PANDERA_RULES = {
    "not_nullable": "missing values",
    "field_uniqueness": "duplicate keys: each value must appear once",
    "multiple_fields_uniqueness": "duplicate keys: each combination must appear once",
}


def _after_end_rule(name: str, end: pd.Timestamp) -> Rule:
    return Rule(
        name,
        lambda d: d[name] > end,
        f"dates after the observation end {end.date()}: a table cannot record what "
        "happened after its observation end; choose a later observation end or cut the "
        "data explicitly",
    )


def _future_rule(name: str, now: pd.Timestamp) -> Rule:
    return Rule(
        name,
        lambda d: d[name] > now,
        f"dates in the future (after {now:%Y-%m-%d %H:%M}, when the data was read): give "
        "the observation end (observation_end=, or observation_end: in the folder's "
        "segkit.yaml) if the data is meant to run later, else correct these rows",
    )


#: A date further than this many times the spread of the middle half of a column (at
#: least a year) outside that middle half is far outside the bulk of the data.
OUTLYING_DATE_FACTOR = 5


def _quartiles(v: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``v.quantile(0.25), v.quantile(0.75)`` of dates without a missing one, computed as
    pandas does (numpy's linear percentiles of the nanoseconds) in one partition of one
    copy."""
    if v.dtype != "datetime64[ns]":
        q1, q3 = v.quantile([0.25, 0.75])
        return q1, q3
    ns = v.to_numpy().view("i8").copy()
    q = np.percentile(ns, [25.0, 75.0], method="linear", overwrite_input=True)
    return tuple(pd.Timestamp(x) for x in q.astype("datetime64[ns]"))


def _outlying_rule(name: str, values: pd.Series) -> Rule | None:
    """A rule refusing dates far outside the bulk of the column, or None if it has none."""
    v = values.dropna() if values.hasnans else values
    if len(v) < 2:
        return None
    q1, q3 = _quartiles(v)
    spread = max(q3 - q1, pd.Timedelta(days=365)) * OUTLYING_DATE_FACTOR
    lo, hi = q1 - spread, q3 + spread
    if v.min() >= lo and v.max() <= hi:
        return None
    return Rule(
        name,
        lambda d: (d[name] < lo) | (d[name] > hi),
        f"dates far outside the bulk of the data (half of the dates lie between "
        f"{q1:%Y-%m-%d} and {q3:%Y-%m-%d}; these are before {lo:%Y-%m-%d} or after "
        f"{hi:%Y-%m-%d}): a typing error would set the observation end or the period a "
        "report covers, so correct or remove these rows",
    )


#: Labels of summary lines that spreadsheets append to an export (compared in lower case).
TOTAL_LABELS = frozenset({"total", "totals", "sum", "grand total", "合计", "总计", "小计",
                          "總計", "合計"})


#: The values of a summary row's label cell: each label as written, in title and in
#: upper case (``total``, ``Total``, ``TOTAL``, ``合计``).
TOTAL_ROW_VALUES = frozenset(f(label) for label in TOTAL_LABELS
                             for f in (str, str.title, str.upper))


def _refuse_total_rows(df: pd.DataFrame, table: str) -> None:
    """Refuse rows whose first text cell is a summary label such as "Total" or "合计".

    The first three columns of text are looked at (segkit.io does the same in DuckDB).
    """
    text_cols = [c for c in df.columns[:3] if df[c].dtype == object]
    if not text_cols:
        return
    labels = list(TOTAL_ROW_VALUES)
    bad = pd.Series(False, index=df.index)
    for c in text_cols:
        bad |= df[c].isin(labels)
    if bad.any():
        raise SchemaError(
            table, None,
            "summary rows (Total, 合计) are not records: remove them from the export",
            df.loc[bad.to_numpy(dtype=bool)], int(bad.sum()))


#: What segkit.io established in DuckDB about a frame it read, by id(frame): a weak
#: reference to that very frame and the facts (see :func:`_note_read`). A frame made from
#: it (a copy, a concatenation, the validated table) is another object and gets none.
_READ_FACTS: dict[int, tuple[weakref.ref, dict]] = {}


def _note_read(df: pd.DataFrame, facts: Mapping) -> None:
    """Record what the reader checked about ``df`` itself, for :func:`validate`.

    The facts, by the file's column names: ``cleaned_text`` (text stripped, missing
    markers None), ``id_forms_ok`` (columns that hold no id written as ``1.0`` or with a
    leading zero), ``unique`` (keys without a duplicate, missing values included),
    ``not_null`` (text columns without a missing value) and ``no_total_rows`` (no summary
    label in the first three columns). They hold for this frame object only, as read.
    """
    key = id(df)
    ref = weakref.ref(df, lambda _, key=key: _READ_FACTS.pop(key, None))
    _READ_FACTS[key] = (ref, dict(facts))


def _read_facts(df: pd.DataFrame) -> dict:
    """The facts :func:`_note_read` recorded for this very frame, else ``{}``."""
    entry = _READ_FACTS.get(id(df))
    return entry[1] if entry is not None and entry[0]() is df else {}


def _any(mask: pd.Series) -> bool:
    """Whether a boolean Series has a true value, missing values counting as false (as
    pandera's ``fillna(False).astype(bool)`` counts them)."""
    values = mask.to_numpy()
    if values.dtype != bool:
        values = values[~pd.isna(values)].astype(bool)
    return bool(values.any())


def _strictly_monotonic(values) -> bool:
    """Whether the values only increase (or only decrease): then no value repeats.

    A pass of comparisons, in chunks, that stops at the first pair out of order; far
    cheaper than hashing text. False for anything that cannot be compared (missing
    values, mixed types).
    """
    values = np.asarray(values)
    if len(values) < 2:
        return True
    step, last = 1 << 16, len(values) - 1
    for op in (np.greater, np.less):
        try:
            if all(op(values[i + 1:min(i + step, last) + 1], values[i:min(i + step, last)]).all()
                   for i in range(0, last, step)):
                return True
        except TypeError:
            return False
    return False


def _surely_unique(s: pd.Series) -> bool:
    """Whether no value of ``s`` repeats (a missing value twice counts as a repeat).

    Text in order (ids as most systems export them) is seen to be unique without hashing
    it, which takes seconds for millions of Python strings.
    """
    return (s.dtype == object and _strictly_monotonic(s.to_numpy())) or s.is_unique


def _rules_hold(out: pd.DataFrame, spec: TableSpec, present: list[str], rules: list[Rule],
                skip_unique: tuple[str, ...], not_null: set[str]) -> bool:
    """True when every rule of :func:`_pandera_schema` surely holds for ``out``.

    The same rules, vectorised, without a copy of the frame; pandera then runs only
    when this says no, to find and describe what fails (its result decides). It is
    never more lenient than pandera: anything unexpected (a rule that raises) says no.
    ``not_null`` names columns known to have no missing value (checked by the reader).
    """
    try:
        for c in spec.columns:
            if c.name not in present:
                continue
            s = out[c.name]
            if not c.nullable and c.name not in not_null and s.hasnans:
                return False
            if c.min is not None and _any(s < c.min):
                return False
            if c.max is not None and _any(s > c.max):
                return False
            if c.allowed is not None and _any(~s.isin(list(c.allowed)) & s.notna()):
                return False
            if spec.key == (c.name,) and c.name not in skip_unique and not _surely_unique(s):
                return False
        if len(spec.key) > 1 and _any(out.duplicated(list(spec.key))):
            return False
        return not any(_any(rule.is_bad(out)) for rule in rules)
    except Exception:  # noqa: BLE001 - pandera reports what went wrong
        return False


def _pandera_schema(spec: TableSpec, present: list[str], rules: list[Rule],
                    generated: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    """The value rules of a table as a pandera schema (types are converted before).

    Column rules (missing values, ranges, allowed values, unique keys) are column
    checks; the rules of :data:`TABLE_RULES` are table checks named ``rule:<i>``.
    """
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
        unique = spec.key == (c.name,) and c.name not in generated
        columns[c.name] = pa.Column(
            nullable=c.nullable, checks=checks, unique=unique, coerce=False, required=True
        )
    unique = list(spec.key) if len(spec.key) > 1 else None
    table_checks = [
        pa.Check(
            lambda d, f=rule.is_bad: ~f(d).fillna(False).astype(bool),
            name=f"rule:{i}",
        )
        for i, rule in enumerate(rules)
    ]
    return pa.DataFrameSchema(columns, checks=table_checks, unique=unique, strict=False)


def _duplicate_rows(df: pd.DataFrame, converted: pd.DataFrame, key: list[str]
                    ) -> pd.DataFrame:
    """The rows of ``df`` whose converted key is duplicated (`` t1 `` is ``t1``), by key."""
    dup = converted.duplicated(key, keep=False).to_numpy(dtype=bool)
    order = converted.loc[dup, key].reset_index(drop=True).sort_values(key).index
    return df[dup].iloc[order.to_numpy()]


def _problems(err: pa.errors.SchemaErrors, spec: TableSpec, rules: list[Rule],
              df: pd.DataFrame, converted: pd.DataFrame
              ) -> list[tuple[str | None, str, pd.DataFrame]]:
    """Every broken rule as (column, rule text, offending rows of the input), in order:
    column rules in the order of the table's columns, then the table rules."""
    fc = err.failure_cases
    order = {name: i for i, name in enumerate(spec.names)}
    out = []
    is_rule = fc["check"].astype(str).str.startswith("rule:")
    for check, cases in fc[is_rule].groupby("check", sort=False):
        i = int(str(check).split(":")[1])
        index = cases["index"].dropna().unique()
        text = rules[i].text
        if not len(index):  # the rule itself raised: say so rather than blame no row
            text += f" (the rule could not be evaluated: {cases['failure_case'].iloc[0]})"
        out.append(((len(order) + i,), rules[i].column, text, df.loc[df.index.isin(index)]))
    for (column, check), cases in fc[~is_rule].groupby(["column", "check"], dropna=False,
                                                         sort=False):
        check = str(check)
        index = cases["index"].dropna().unique()
        column = None if pd.isna(column) else str(column)
        text = _PANDERA_RULES.get(check, check)
        if check == "multiple_fields_uniqueness":
            rows = _duplicate_rows(df, converted, list(spec.key))
            column = ", ".join(spec.key)
        elif check == "field_uniqueness":
            rows = _duplicate_rows(df, converted, [column])
        elif check == "not_nullable":
            rows = df[converted[column].isna().to_numpy(dtype=bool)]
        else:
            rows = df.loc[df.index.isin(index)]
        out.append(((order.get(column, -1),), column, text, rows))
    out.sort(key=lambda p: p[0])
    return [(c, t, r) for _, c, t, r in out]


def validate(
    df: pd.DataFrame,
    table: str,
    *,
    column_map: Mapping[str, str] | None = None,
    observation_end=None,
    date_format: str | Mapping[str, str] | None = None,
    decimal: str = ".",
    thousands: str | None = None,
) -> pd.DataFrame:
    """Check a table against the data model and return it in canonical form.

    The input is not modified. The returned copy has canonical column names
    (``column_map`` applied, surrounding spaces stripped) and types: ids as text,
    datetimes as naive ``datetime64[ns]`` (see :mod:`segkit.convert` for the time-zone
    rule), amounts as floats, whole numbers as integers, flags as booleans. Extra
    columns are kept as they are. Nothing is dropped: any row that breaks a rule makes
    the whole table fail with a :class:`~segkit.exceptions.SchemaError` that names the
    table, the column, the rule and a few offending rows, and lists every other rule
    the table breaks.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read.
    table : str
        Which table of :data:`TABLES` it is.
    column_map : mapping, optional
        User column name -> canonical name.
    observation_end : date-like, optional
        End of the observation period: no event date in the table may be later (a
        due date may). Without it, no event date may lie after the moment of
        validation (a date in the future is a typing error unless the observation end
        says otherwise).
    date_format : str or mapping, optional
        The strptime format of the date columns written as text (``"%d/%m/%Y"``), or
        one per canonical column name. Without it, each column's format is inferred
        from the whole column (see :mod:`segkit.convert`).
    decimal, thousands : str, optional
        The decimal and thousands marks of numbers written as text (``","`` and
        ``"."`` for ``1.234,50``).

    Text is stripped of surrounding whitespace and the missing markers of
    :data:`segkit.convert.MISSING_MARKERS` (``NULL``, ``N/A``, ``无`` ...) are missing
    values. Rows labelled as totals (``Total``, ``合计``) are refused, and so are dates far
    outside the bulk of their column (a 1900 or 2099 order).

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
    # what segkit.io checked in DuckDB about this very frame (nothing for any other)
    facts = _read_facts(df)
    cleaned = bool(facts.get("cleaned_text"))
    renamed = dict(column_map or {})

    def canonical(names) -> set[str]:
        return {str(renamed.get(c, c)).strip() for c in names}

    forms_ok = canonical(facts.get("id_forms_ok", ()))
    unique_ok = tuple(sorted(canonical(facts.get("unique", ()))))
    not_null = canonical(facts.get("not_null", ()))
    df = _apply_column_map(df, table, column_map, copy=False)
    df = df.set_axis([str(c).strip() for c in df.columns], axis=1, copy=False)
    dup = df.columns[df.columns.duplicated()].unique().tolist()
    if dup:
        raise SchemaError(table, dup[0], "the column name appears more than once")
    if len(df) == 0:
        raise SchemaError(table, None, "the table is empty (no rows)")
    missing = [c for c in spec.required if c not in df.columns]
    if missing:
        hint = (
            " Map your own column names once with column_map={'your name': 'canonical name'}"
            " (in a folder of files: column_map: in its segkit.yaml)."
        )
        raise SchemaError(
            table,
            missing[0],
            f"missing required column(s) {missing}; the table has {list(df.columns)}." + hint,
        )
    if not facts.get("no_total_rows"):
        _refuse_total_rows(df, table)
    # the result is built once, from the converted columns (no copy of the others)
    columns: dict[str, pd.Series] = {c: df[c] for c in df.columns}
    generated: tuple[str, ...] = ()
    if table == "transactions":
        if "transaction_id" not in columns:
            columns["transaction_id"] = pd.Series(
                ("row" + pd.RangeIndex(len(df)).astype(str)).to_numpy(dtype=object),
                index=df.index)
            generated = ("transaction_id",)
        if "is_return" not in columns:
            columns["is_return"] = pd.Series(np.zeros(len(df), dtype=bool), index=df.index)
    formats = date_format if isinstance(date_format, Mapping) else {}
    unchanged = set()  # columns the converter returned as they were read
    for col in spec.columns:
        if col.name in columns and col.name not in generated:
            raw = columns[col.name]
            columns[col.name] = convert.convert(
                col.kind, raw, table, col.name, df, nullable=col.nullable,
                date_format=formats.get(col.name) if formats else date_format,
                decimal=decimal, thousands=thousands, cleaned=cleaned,
                forms_checked=col.name in forms_ok,
            )
            if columns[col.name] is raw:
                unchanged.add(col.name)
    out = pd.DataFrame({i: s.array if isinstance(s.dtype, pd.api.extensions.ExtensionDtype)
                        else s.to_numpy() for i, s in enumerate(columns.values())},
                       index=df.index, copy=False)
    out.columns = pd.Index(list(columns), dtype=object)
    if df.attrs:
        out.attrs = copy.deepcopy(df.attrs)
    present = [c for c in spec.names if c in out.columns]
    rules = list(TABLE_RULES.get(table, ()))
    events = [name for name in spec.time_columns if name in out]
    # events only: a due date may lie after the end
    if observation_end is not None:
        end = pd.Timestamp(observation_end)
        rules += [_after_end_rule(name, end) for name in events]
    else:
        now = pd.Timestamp.now().floor("s")
        rules += [_future_rule(name, now) for name in events]
    rules += [r for name in events if (r := _outlying_rule(name, out[name])) is not None]
    # generated keys are unique by construction, and segkit.io may have seen that the
    # keys it read are; the facts about missing values hold for the columns as read
    skip_unique = generated + unique_ok
    if _rules_hold(out, spec, present, rules, skip_unique, not_null & unchanged):
        return out
    try:
        _pandera_schema(spec, present, rules, skip_unique).validate(out, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems = _problems(err, spec, rules, df, out)
        column, rule, rows = problems[0]
        also = [(c, t, len(r)) for c, t, r in problems[1:]]
        raise SchemaError(table, column, rule, rows, len(rows), also=also) from None
    return out


def _near_ids(unknown: pd.Series, known: pd.Index) -> list[tuple[str, str]]:
    """Pairs (unknown id, known id) that differ only by leading zeros or a ``.0``."""
    def norm(ids) -> pd.Series:
        s = pd.Series(pd.unique(pd.Series(ids).dropna().astype(str)), dtype="string")
        return pd.Series(s.str.replace(r"\.0+$", "", regex=True).str.lstrip("0").to_numpy(),
                         index=s.to_numpy())

    u, k = norm(unknown), norm(known)
    kmap = pd.Series(k.index, index=k.to_numpy())
    kmap = kmap[~kmap.index.duplicated()]
    hit = u[u.isin(kmap.index)]
    return [(str(a), str(kmap[b])) for a, b in hit.head(3).items()]


def validate_tables(
    data: CustomerData,
    *,
    column_maps: Mapping[str, Mapping] | None = None,
    options: Mapping[str, Mapping] | None = None,
):
    """Validate every table of ``data`` and the links between them.

    Besides each table's own rules (see :func:`validate`), every ``customer_id`` of
    another table must exist in ``customers`` when that table is given. ``options``
    gives, per table, further keyword arguments of :func:`validate` (``date_format``,
    ``decimal``, ``thousands``). Returns a new :class:`CustomerData` with canonical
    tables.
    """
    column_maps = column_maps or {}
    options = options or {}
    end = data.observation_end
    if data.customers is None and data.transactions is None:
        raise SchemaError(
            "customers", None,
            "a company needs a customers or a transactions table (the other tables are "
            "optional)",
        )
    clean = {
        name: validate(df, name, column_map=column_maps.get(name), observation_end=end,
                       **options.get(name, {}))
        for name, df in data.tables().items()
    }
    if "customers" in clean:
        known = pd.Index(clean["customers"]["customer_id"])
        for name, df in clean.items():
            if name == "customers" or "customer_id" not in df.columns:
                continue
            unknown = ~df["customer_id"].isin(known)
            if unknown.any():
                near = _near_ids(df.loc[unknown, "customer_id"], known)
                hint = (
                    "; they differ from ids of the customers table only by leading zeros or "
                    f"a decimal point ({', '.join(f'{a!r} ~ {b!r}' for a, b in near)}): "
                    "write the ids alike in both files" if near else ""
                )
                raise SchemaError(
                    name,
                    "customer_id",
                    "customer ids that are not in the customers table "
                    f"(e.g. {sorted(df.loc[unknown, 'customer_id'].unique())[:3]}){hint}",
                    df.loc[unknown],
                    int(unknown.sum()),
                )
    if "exits" in clean and "contracts" in clean and "contract_id" in clean["exits"]:
        exits = clean["exits"]
        known = pd.Index(clean["contracts"]["contract_id"])
        unknown = exits["contract_id"].notna() & ~exits["contract_id"].isin(known)
        if unknown.any():
            raise SchemaError(
                "exits", "contract_id", "contract ids that are not in the contracts table",
                exits.loc[unknown], int(unknown.sum()),
            )
    return CustomerData(**clean, observation_end=end, source=data.source)



def data_model() -> pd.DataFrame:
    """The data model as a table: one row per column of every table.

    >>> data_model().groupby("table", sort=False).size().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'customers': 9, 'transactions': 7, 'contracts': 8, 'exits': 6, 'interactions': 3,
     'complaints': 6, 'surveys': 4, 'receivables': 10, 'credit_limits': 4, 'costs': 4,
     'campaigns': 9}
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
            "sensitive": c.sensitive,
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
