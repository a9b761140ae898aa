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

from dataclasses import dataclass, field, fields
from typing import Literal

import pandas as pd

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
