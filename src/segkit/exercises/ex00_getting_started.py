"""Exercise 00, *Getting started*: its personal data, and each task's check with its hints.

The participant counts the customers who bought, sums net revenue per customer, reads a
raw GBK export with Chinese column names, repairs a table whose returns are not flagged,
and computes the weekly customer summary at a calibration end. Each task below is one
check function, with the hints of the task above it (``start``: where to start, the
hint of "Not done yet"; ``hint``: the detailed hint of an answer that is off in no
recognisable way), and the plausible wrong answers it recognises listed in it as data.

Examples
--------
>>> data = getting_started_data(seed=1)
>>> print(check_00.task_1(None, data))  # doctest: +ELLIPSIS
[Task 1] … Not done yet: answer_1 is still None.
  Hint: keep the purchase lines ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import is_return, purchases
from .feedback import (
    Checks,
    Exercise,
    as_count,
    by_customer,
    check_seed,
    close,
    frames_equal,
    is_bool,
    is_datetime,
    num,
    plural,
    reference,
    scratch_dir,
    series_equal,
    task,
    type_name,
    wrong,
)

__all__ = [
    "GettingStartedData",
    "getting_started_data",
    "RAW_COLUMNS",
    "Exercise00Checks",
    "check_00",
]


# --------------------------------------------------------------------------- data


#: Columns of the raw export of exercise 00 (Chinese name -> canonical name, or None for a
#: column that has no place in the data model).
RAW_COLUMNS: dict[str, str | None] = {
    "订单编号": "transaction_id",  # order number
    "客户编号": "customer_id",  # customer number
    "下单时间": "timestamp",  # order time
    "数量": "quantity",  # quantity
    "单价": None,  # unit price: not the line amount
    "金额": "amount",  # line amount, negative for returns
    "是否退货": "is_return",  # returned? 1 = yes, 0 = no
}
_RAW_ENCODING = "gbk"
_N_CUSTOMERS = 300
_START, _END, _CALIBRATION_END = "2023-01-01", "2024-06-30", "2023-12-31"
#: How many customers of the customers table never bought, and how many only returned
#: (each at least and at most, both included), so that task 1's wrong answers "every
#: customer in the table" and "returns included" differ from the right one on every seed.
_NEVER_BOUGHT, _ONLY_RETURNS = (3, 6), (2, 4)
#: Mixed with the seed for the choice of those customers (a stream of its own, apart from
#: the simulation's).
_NON_BUYERS_SALT = 20230101  # documented in getting_started_data


@dataclass(eq=False)
class GettingStartedData:
    """The personal data of exercise 00, made from a seed (see :func:`getting_started_data`).

    Attributes
    ----------
    seed : int
        The seed the data were made from.
    transactions : pandas.DataFrame
        The validated transaction log of a small simulated company: purchases, and
        returns with a negative amount and ``is_return`` set.
    customers : pandas.DataFrame
        The validated customers table of the same company: every customer who appears in
        ``transactions``, and a few who never bought.
    observation_end : pandas.Timestamp
        The end of the observation period (the day the data were extracted).
    calibration_end : pandas.Timestamp
        An earlier date, the end of a calibration period: a model fitted on that day
        would have seen the transactions up to it (a Sunday, so whole weeks).
    raw_csv : pathlib.Path
        The same transactions as the shop's till exported them: a CSV file with Chinese
        column names, saved by Excel on a Chinese Windows system (GBK encoding). It lives
        in a temporary folder that is removed when Python exits.
    unflagged : pandas.DataFrame
        The same transactions as an old system exported them: returns have a negative
        amount but there is no ``is_return`` column, and dates are text. It fails
        validation.
    """

    seed: int
    transactions: pd.DataFrame
    customers: pd.DataFrame
    observation_end: pd.Timestamp
    calibration_end: pd.Timestamp
    raw_csv: Path
    unflagged: pd.DataFrame

    def __repr__(self) -> str:
        tx = self.transactions
        n_returns = int(is_return(tx).sum())
        first, last = tx["timestamp"].min(), tx["timestamp"].max()
        return (
            f"Exercise 00 data for seed {self.seed}:\n"
            f"  customers        {len(self.customers):,} customers\n"
            f"  transactions     {len(tx):,} lines ({n_returns:,} returns) from "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}\n"
            f"  observation_end  {self.observation_end:%Y-%m-%d}\n"
            f"  calibration_end  {self.calibration_end:%Y-%m-%d}\n"
            f"  raw_csv          the till's export of the same transactions (a CSV file)\n"
            f"  unflagged        the old system's export, without is_return"
        )


def _non_buyers(tx: pd.DataFrame, customers: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The transactions after a few customers of ``customers`` were made non-buyers.

    In the simulation every customer buys. Here, with a generator of its own seeded by
    ``[seed, _NON_BUYERS_SALT]``, 3 to 6 customers lose every transaction line (they
    signed up but never bought) and 2 to 4 others keep only their first line, turned into
    a return (they signed up the day they returned a gift: the same amount, negative, and
    ``is_return`` set). ``tx`` must be sorted by time; the order and the transaction ids
    of the lines kept do not change.
    """
    rng = np.random.default_rng([seed, _NON_BUYERS_SALT])
    n_never = int(rng.integers(_NEVER_BOUGHT[0], _NEVER_BOUGHT[1] + 1))
    n_returns = int(rng.integers(_ONLY_RETURNS[0], _ONLY_RETURNS[1] + 1))
    chosen = rng.choice(customers["customer_id"].to_numpy(), n_never + n_returns,
                        replace=False)
    only_returns = chosen[n_never:]
    customer = tx["customer_id"]
    gift = (customer.isin(only_returns) & ~customer.duplicated()).to_numpy()
    out = tx.copy()
    out.loc[gift, "amount"] = -out.loc[gift, "amount"].abs()
    out.loc[gift, "is_return"] = True
    return out.loc[~customer.isin(chosen).to_numpy() | gift].reset_index(drop=True)


def _raw_export(tx: pd.DataFrame) -> pd.DataFrame:
    """The transactions as the till exports them, with Chinese column names."""
    if "quantity" in tx.columns:
        quantity = np.maximum(tx["quantity"].to_numpy(dtype=np.int64), 1)
    else:
        quantity = np.ones(len(tx), dtype=np.int64)
    unit_price = np.round(np.abs(tx["amount"].to_numpy()) / quantity, 2)
    midnight = (tx["timestamp"] == tx["timestamp"].dt.normalize()).all()
    date_format = "%Y/%m/%d" if midnight else "%Y/%m/%d %H:%M:%S"
    return pd.DataFrame(
        {
            "订单编号": tx["transaction_id"].to_numpy(),
            "客户编号": tx["customer_id"].to_numpy(),
            "下单时间": tx["timestamp"].dt.strftime(date_format).to_numpy(),
            "数量": quantity,
            "单价": unit_price,
            "金额": tx["amount"].to_numpy(),
            "是否退货": tx["is_return"].astype(int).to_numpy(),
        }
    )


def _unflagged(tx: pd.DataFrame) -> pd.DataFrame:
    """The transactions as an old system exports them: no return flag, dates as text."""
    out = tx.drop(columns=["is_return"]).reset_index(drop=True)
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    return out


def getting_started_data(seed: int = 0) -> GettingStartedData:
    """The personal data of exercise 00: a small simulated company made from ``seed``.

    A company of 300 customers observed from 2023-01-01 to 2024-06-30 (calibration end
    2023-12-31) is simulated with :func:`segkit.datasets.simulate`, in which every
    customer buys. So that not every customer of the customers table bought, a few
    customers, chosen at random with a generator seeded by ``[seed, 20230101]`` (apart
    from the simulation's), are then made non-buyers:

    - 3 to 6 customers never bought: they stay in ``customers`` (signed up on their
      ``acquisition_date``) and every transaction line of theirs is removed;
    - 2 to 4 customers only returned something: they keep only their first line, turned
      into a return (they signed up the day they returned a gift bought by someone
      else): the same amount, negative, with ``is_return`` set, on their
      ``acquisition_date``; their other lines are removed.

    The transaction lines kept keep their ids (so some ids are missing from the log) and
    the table still validates. The same transactions are also given as a raw GBK-encoded
    CSV export with Chinese column names (:data:`RAW_COLUMNS`) and as a table whose
    returns are not flagged. The same seed always gives the same data.

    Parameters
    ----------
    seed : int, default 0
        Any whole number >= 0; your own number gives you your own data.

    Returns
    -------
    GettingStartedData

    Examples
    --------
    >>> data = getting_started_data(seed=7)
    >>> data.transactions.equals(getting_started_data(seed=7).transactions)
    True
    >>> tx = data.transactions
    >>> bought = set(tx.loc[~tx["is_return"], "customer_id"])
    >>> never = set(data.customers["customer_id"]) - set(tx["customer_id"])
    >>> only_returns = set(tx["customer_id"]) - bought
    >>> 3 <= len(never) <= 6 and 2 <= len(only_returns) <= 4
    True
    """
    from ..datasets import simulate

    seed = check_seed(seed)
    sim = simulate(n_customers=_N_CUSTOMERS, start=_START, end=_END, seed=seed)
    tables = sim.tables
    tx = tables.transactions.sort_values(["timestamp", "transaction_id"], kind="stable")
    tx = tx.reset_index(drop=True)
    keep = [c for c in ("transaction_id", "customer_id", "timestamp", "amount", "quantity",
                        "is_return") if c in tx.columns]
    tx = tx[keep].copy()
    tx["amount"] = tx["amount"].round(2)
    customers = tables.customers.reset_index(drop=True)
    tx = _non_buyers(tx, customers, seed)
    end = tables.observation_end if tables.observation_end is not None else _END
    observation_end = pd.Timestamp(end).normalize()
    path = scratch_dir() / f"till_export_seed{seed}.csv"
    _raw_export(tx).to_csv(path, index=False, encoding=_RAW_ENCODING)
    return GettingStartedData(
        seed=seed,
        transactions=tx,
        customers=customers,
        observation_end=observation_end,
        calibration_end=pd.Timestamp(_CALIBRATION_END),
        raw_csv=path,
        unflagged=_unflagged(tx),
    )


# ------------------------------------------------------------------------- task 1


@task(
    1,
    start="keep the purchase lines (where `is_return` is False) and count the distinct "
    "customer ids.",
    hint="keep the purchase lines (those where `is_return` is False: "
    "`~data.transactions['is_return']`) and count the distinct `customer_id` values with "
    "`.nunique()`.",
)
def _task_1(answer, data: GettingStartedData) -> str:
    """Task 1: the number of customers who bought at least once (returns excluded)."""
    tx = data.transactions
    bought = purchases(tx)
    expected = bought["customer_id"].nunique()
    value = as_count(answer, "answer_1")
    if value == expected:
        return f"{num(expected)} customers bought at least once."
    count_once = "count each customer once: `.nunique()` on the `customer_id` column."
    known = [
        (len(tx), "that is the number of transaction lines, not of customers.", count_once),
        (len(bought), "that is the number of purchase lines, not of customers.", count_once),
        (
            tx["customer_id"].nunique(),
            "that also counts customers whose only lines are returns.",
            "keep the purchases first: `data.transactions[~data.transactions['is_return']]`.",
        ),
        (
            len(data.customers),
            "that is every customer in the customers table, and not all of them bought.",
            "count the customers in `data.transactions`, purchase lines only.",
        ),
        (
            tx.loc[is_return(tx).to_numpy(), "customer_id"].nunique(),
            "that is the number of customers with a return.",
            "the filter is the wrong way round: purchases are the lines where `is_return` "
            "is False, i.e. `~data.transactions['is_return']`.",
        ),
    ]
    for candidate, message, hint in known:
        if value == candidate:
            raise wrong(f"answer_1 is {num(value)}: {message}", hint)
    if abs(value - expected) == 1:
        raise wrong(
            f"answer_1 is {num(value)}, off by one.",
            "did you add or subtract one somewhere? `.nunique()` already gives the count.",
        )
    raise wrong(f"answer_1 is {num(value)}, which is not the number of customers with a "
                "purchase.")


# ------------------------------------------------------------------------- task 2


def _net_revenue(tx: pd.DataFrame) -> pd.Series:
    return tx.groupby("customer_id")["amount"].sum()


@task(
    2,
    start="group `data.transactions` by customer, sum the amounts, then sort.",
    hint="group the transactions by `customer_id`, sum the `amount` column (returns are "
    "negative, so the sum is net of them) and sort with `.sort_values(ascending=False)`.",
)
def _task_2(answer, data: GettingStartedData) -> str:
    """Task 2: net revenue per customer (returns subtracted), highest first."""
    tx = data.transactions
    expected = _net_revenue(tx)
    if isinstance(answer, pd.DataFrame):
        cols = list(map(str, answer.columns))
        if "customer_id" in cols and "amount" in cols and len(cols) == 2:
            raise wrong(
                "answer_2 is a table with the customer ids in a column; the task asks for a "
                "Series indexed by customer id.",
                "leave out `.reset_index()`, or use `.set_index('customer_id')['amount']`.",
            )
        if answer.shape[1] == 1:
            answer = answer.iloc[:, 0]
        else:
            raise wrong(
                f"answer_2 is {type_name(answer)}: one value per customer is enough.",
                "select the amount column before summing: "
                "`.groupby('customer_id')['amount'].sum()`.",
            )
    if not isinstance(answer, pd.Series):
        raise wrong(
            f"answer_2 is {type_name(answer)}; the task asks for a Series: one net revenue "
            "per customer, indexed by customer id."
        )
    if not pd.api.types.is_numeric_dtype(answer) or pd.api.types.is_bool_dtype(answer):
        raise wrong(
            f"answer_2 holds {answer.dtype} values, not amounts.",
            "sum the `amount` column: `.groupby('customer_id')['amount'].sum()`.",
        )
    if not set(answer.index) & set(expected.index):
        raise wrong(
            "the index of answer_2 does not hold customer ids (e.g. "
            f"{list(answer.index[:3])}).",
            "group by the customer: `.groupby('customer_id')`, and do not reset the index.",
        )
    if not answer.index.is_unique:
        raise wrong(
            "some customer ids appear more than once in answer_2.",
            "one line per customer: group with `.groupby('customer_id')` before summing.",
        )
    missing = expected.index.difference(answer.index)
    extra = answer.index.difference(expected.index)
    if len(missing) or len(extra):
        if set(answer.index) == set(purchases(tx)["customer_id"]):
            raise wrong(
                f"answer_2 leaves out the {plural(len(missing), 'customer')} whose only "
                "lines are returns: the returns were filtered out.",
                "do not filter out the returns: net revenue includes them, with their sign.",
            )
        if not len(missing) and set(extra) <= set(data.customers["customer_id"]):
            raise wrong(
                f"answer_2 also has the {plural(len(extra), 'customer')} of the customers "
                "table who never bought; the task asks for the customers in "
                "`data.transactions`.",
                "group `data.transactions` itself by `customer_id`, not the customers table.",
            )
        raise wrong(
            f"answer_2 has {plural(len(answer), 'customer')}; {plural(len(missing), 'customer')} "
            f"missing and {plural(len(extra), 'unexpected id')}.",
            "include every customer who appears in `data.transactions`, and only them: group "
            "the whole table, returns included.",
        )
    amount = tx["amount"]
    known = [
        (
            _net_revenue(purchases(tx)).reindex(expected.index, fill_value=0.0),
            "these are the purchases only (gross revenue): the returns are left out.",
            "net revenue = purchases + returns, and returns already have a negative amount: "
            "sum every line.",
        ),
        (
            amount.abs().groupby(tx["customer_id"]).sum(),
            "the returns were added as positive amounts (wrong sign).",
            "returns have negative amounts and must stay negative: do not take `.abs()`.",
        ),
        (
            tx.groupby("customer_id")["amount"].size().astype(float),
            "these are the numbers of lines per customer, not amounts.",
            "use `.sum()` on the `amount` column, not `.size()` or `.count()`.",
        ),
        (
            tx.groupby("customer_id")["amount"].mean(),
            "these are the mean amounts per line, not the totals.",
            "use `.sum()`, not `.mean()`.",
        ),
    ]
    if not series_equal(answer, expected):
        for candidate, message, hint in known:
            if series_equal(answer, candidate):
                raise wrong(f"answer_2 has one value per customer, but {message}", hint)
        aligned = answer.reindex(expected.index)
        bad = ~close(aligned, expected)
        example = expected.index[bad][0]
        raise wrong(
            f"answer_2 has the right customers, but "
            f"{plural(int(bad.sum()), 'value differs', 'values differ')} from the net "
            f"revenue (e.g. customer {example}: yours is "
            f"{float(aligned[example]):,.2f})."
        )
    values = answer.to_numpy(dtype=float)
    if len(values) > 1 and not (np.diff(values) <= 1e-9).all():
        if (np.diff(values) >= -1e-9).all():
            raise wrong(
                "the values are right, but sorted from lowest to highest.",
                "the best customers come first: `.sort_values(ascending=False)`.",
            )
        raise wrong(
            "the values are right, but answer_2 is not sorted.",
            "sort from the highest to the lowest net revenue: `.sort_values(ascending=False)`.",
        )
    top = answer.index[0]
    return (
        f"net revenue of {plural(len(answer), 'customer')}, highest first "
        f"(customer {top}: {float(answer.iloc[0]):,.2f})."
    )


# ------------------------------------------------------------------------- task 3


def _mapped(canonical: str) -> str:
    return next(k for k, v in RAW_COLUMNS.items() if v == canonical)


_GARBLED = re.compile("[\u00c0-\u00ff\ufffd]")


@task(
    3,
    start="use `segkit.io.read_csv` with a `column_map` (Chinese name -> canonical name) and "
    "the file's `encoding`.",
    hint="read the file with `segkit.io.read_csv(data.raw_csv, 'transactions', ...)`, passing "
    "`column_map={'客户编号': 'customer_id', ...}` (every Chinese name that has a canonical "
    "column) and the file's `encoding` (Excel on a Chinese Windows system saves GBK).",
)
def _task_3(answer, data: GettingStartedData) -> str:
    """Task 3: the raw GBK export read into a validated transactions table."""
    from ..io import read_csv

    column_map = {k: v for k, v in RAW_COLUMNS.items() if v is not None}
    expected = reference(
        lambda: read_csv(data.raw_csv, "transactions", column_map=column_map,
                         encoding=_RAW_ENCODING),
        data.raw_csv)
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_3 is {type_name(answer)}; the task asks for a table.")
    cols = [str(c) for c in answer.columns]
    raw = pd.read_csv(data.raw_csv, encoding=_RAW_ENCODING, dtype=str)
    unit_price = pd.to_numeric(raw["单价"])
    if "amount" in cols and "单价" not in cols and len(answer) == len(raw):
        amount = pd.to_numeric(answer["amount"], errors="coerce").abs().to_numpy()
        line_amount = raw["金额"].astype(float)
        if close(amount, unit_price).all() and not close(unit_price, line_amount).all():
            raise wrong(
                "the amount column holds the unit prices (单价), not the line amounts.",
                f"map '{_mapped('amount')}' (line amount) to 'amount'; '单价' is the unit "
                "price and stays unmapped.",
            )
    unmapped = [c for c in cols if RAW_COLUMNS.get(c)]
    if unmapped:
        example = ", ".join(f"'{c}': '{RAW_COLUMNS[c]}'" for c in unmapped[:2])
        raise wrong(
            f"answer_3 still has the original column name(s) {unmapped}.",
            f"map them to the canonical names with `column_map={{{example}, ...}}`.",
        )
    garbled = [c for c in cols if _GARBLED.search(c)]
    if garbled:
        raise wrong(
            f"the column names look garbled ({garbled[:3]}): the file was decoded with the "
            "wrong encoding.",
            "the file was saved by Excel on a Chinese Windows system: pass `encoding='gbk'`.",
        )
    required = [c for c in column_map.values() if c not in cols]
    if required:
        raise wrong(
            f"answer_3 has no column(s) {required}; its columns are {cols}.",
            f"map {', '.join(repr(_mapped(c)) for c in required)} too: every column of the "
            "file that has a canonical name goes into `column_map`.",
        )
    if not (is_datetime(answer["timestamp"]) and pd.api.types.is_float_dtype(answer["amount"])
            and is_bool(answer["is_return"])):
        raise wrong(
            "answer_3 has the right columns, but not the canonical types (timestamp "
            f"{answer['timestamp'].dtype}, amount {answer['amount'].dtype}, is_return "
            f"{answer['is_return'].dtype}): it was not validated.",
            "read it with `segkit.io.read_csv`, which validates the table and converts each "
            "column, or pass your table to `segkit.schema.validate(..., 'transactions')`.",
        )
    if len(answer) != len(expected):
        raise wrong(
            f"answer_3 has {plural(len(answer), 'row')}; the file has {num(len(expected))}.",
            "keep every line of the file, returns included: read it without filtering.",
        )
    ans = answer.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    exp = expected.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    if not ans["transaction_id"].astype(str).equals(exp["transaction_id"].astype(str)):
        raise wrong(
            "the transaction ids of answer_3 are not those of the file.",
            f"map '{_mapped('transaction_id')}' (order number) to 'transaction_id' and read "
            "every column as text first, as `segkit.io.read_csv` does.",
        )
    raw = raw.sort_values("订单编号", kind="stable").reset_index(drop=True)
    if not ans["customer_id"].astype(str).equals(exp["customer_id"]):
        raise wrong(
            "the customer ids of answer_3 are not those of the file.",
            f"map '{_mapped('customer_id')}' (customer number) to 'customer_id'.",
        )
    if not close(ans["amount"], exp["amount"]).all():
        if close(ans["amount"], pd.to_numeric(raw["单价"])).all() or close(
            ans["amount"].abs(), pd.to_numeric(raw["单价"])
        ).all():
            raise wrong(
                "the amount column holds the unit prices (单价), not the line amounts.",
                f"map '{_mapped('amount')}' (line amount) to 'amount'; '单价' is the unit "
                "price and stays unmapped.",
            )
        raise wrong(
            "the amounts of answer_3 are not the line amounts of the file.",
            f"map '{_mapped('amount')}' (line amount) to 'amount'.",
        )
    if not (ans["timestamp"] == exp["timestamp"]).all():
        raise wrong(
            "the timestamps of answer_3 are not the order times of the file.",
            f"map '{_mapped('timestamp')}' (order time) to 'timestamp'.",
        )
    if "quantity" in exp and not ans["quantity"].astype(float).equals(
        exp["quantity"].astype(float)
    ):
        raise wrong(
            "the quantities of answer_3 are not those of the file.",
            f"map '{_mapped('quantity')}' to 'quantity'.",
        )
    if not ans["is_return"].equals(exp["is_return"]):
        raise wrong(
            "the is_return flags of answer_3 are not those of the file.",
            f"map '{_mapped('is_return')}' (returned?) to 'is_return'.",
        )
    return (
        f"{plural(len(answer), 'line')} read from the GBK file, columns mapped to the data "
        "model and validated."
    )


# ------------------------------------------------------------------------- task 4


@task(
    4,
    start="add an `is_return` column to `data.unflagged` (True where the amount is negative), "
    "then validate the table with `segkit.schema.validate`.",
    hint="add an `is_return` column that is True where the amount is negative "
    "(`data.unflagged.assign(is_return=data.unflagged['amount'] < 0)`), keep every row, and "
    "pass the result to `segkit.schema.validate(..., 'transactions')`.",
)
def _task_4(answer, data: GettingStartedData) -> str:
    """Task 4: the table with unflagged returns, repaired (nothing dropped) and validated."""
    from ..schema import validate

    raw = data.unflagged
    expected = validate(raw.assign(is_return=raw["amount"] < 0), "transactions")
    n_returns = int(is_return(expected).sum())
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_4 is {type_name(answer)}; the task asks for the repaired table.")
    missing = [c for c in ("transaction_id", "customer_id", "timestamp", "amount")
               if c not in answer.columns]
    if missing:
        raise wrong(
            f"answer_4 has no column(s) {missing}.",
            "start from `data.unflagged` and keep its columns; only add `is_return`.",
        )
    if len(answer) < len(expected):
        no_negative = (pd.to_numeric(answer["amount"], errors="coerce") >= 0).all()
        if len(answer) == len(expected) - n_returns and no_negative:
            raise wrong(
                f"the {plural(n_returns, 'return was', 'returns were')} dropped instead of flagged.",
                "returns are kept in the data model (they lower net revenue and matter for "
                "churn): keep every row and set `is_return` where the amount is negative.",
            )
        raise wrong(
            f"answer_4 has {plural(len(answer), 'row')}, {num(len(expected) - len(answer))} "
            f"fewer than `data.unflagged` ({num(len(expected))}).",
            "drop nothing: flag the returns and keep every row.",
        )
    if len(answer) > len(expected):
        raise wrong(
            f"answer_4 has {plural(len(answer), 'row')}, more than `data.unflagged` "
            f"({num(len(expected))}).",
            "add a column, not rows: `data.unflagged.assign(is_return=...)`.",
        )
    if "is_return" not in answer.columns:
        raise wrong(
            "answer_4 has no is_return column, so its returns are still not flagged.",
            "add it: `data.unflagged.assign(is_return=data.unflagged['amount'] < 0)`.",
        )
    if not is_datetime(answer["timestamp"]) or not is_bool(answer["is_return"]):
        raise wrong(
            "answer_4 was not validated: its timestamps have dtype "
            f"{answer['timestamp'].dtype} and its is_return flags {answer['is_return'].dtype}.",
            "pass the repaired table to `segkit.schema.validate(..., 'transactions')` and "
            "keep what it returns: the table in canonical form.",
        )
    ans = answer.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    exp = expected.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    if not ans["transaction_id"].astype(str).equals(exp["transaction_id"].astype(str)):
        raise wrong("the transaction ids of answer_4 are not those of `data.unflagged`.",
                    "start from `data.unflagged` and keep every row.")
    amount = pd.to_numeric(ans["amount"], errors="coerce")
    if not close(amount, exp["amount"]).all():
        if close(amount, exp["amount"].abs()).all():
            raise wrong(
                "the returns have positive amounts now (wrong sign).",
                "a return keeps its negative amount; `is_return` marks it, the sign stays.",
            )
        raise wrong("some amounts of answer_4 differ from those of `data.unflagged`.",
                    "change nothing but the new `is_return` column.")
    flags = ans["is_return"].to_numpy(dtype=bool)
    want = exp["is_return"].to_numpy(dtype=bool)
    either = (amount == 0).to_numpy()  # a zero line may be flagged or not
    differ = (flags != want) & ~either
    if differ.any():
        if (flags == ~want)[~either].all():
            raise wrong(
                "the is_return flags are the wrong way round.",
                "a return is a line with a negative amount: `is_return = amount < 0`.",
            )
        raise wrong(
            f"{plural(int(flags.sum()), 'line')} flagged as returns; "
            f"{plural(n_returns, 'line has', 'lines have')} a negative amount.",
            "flag exactly the lines with a negative amount: `is_return = amount < 0`.",
        )
    return (
        f"all {num(len(answer))} rows kept, {plural(n_returns, 'return')} flagged, "
        "the table validates."
    )


# ------------------------------------------------------------------------- task 5


_SUMMARY_COLUMNS = ["frequency", "recency", "T"]


def _summary(data: GettingStartedData, transactions=None, **changes) -> pd.DataFrame:
    """The reference summary of task 5, or a variant of it (a typical mistake).

    The reference summarises the purchases; ``segkit.features.summary`` of the whole log
    gives the same frequency, recency and T (its default ``returns="net"`` opens no
    period for a return line), so both answers are right. Indexed by customer id, as
    :func:`~segkit.exercises.feedback.by_customer` makes the answer
    (``segkit.features.summary`` gives the ids as its first column).
    """
    from ..features import summary

    kwargs = {"observation_end": data.calibration_end, "freq": "W", "after_end": "drop"}
    kwargs.update(changes)
    tx = purchases(data.transactions) if transactions is None else transactions
    return reference(
        lambda: summary(tx, **kwargs).set_index("customer_id")[_SUMMARY_COLUMNS],
        tx, **kwargs)


@task(
    5,
    start="call `segkit.features.summary` on `data.transactions` with `observation_end`, "
    "`freq` and `after_end`.",
    hint="call `segkit.features.summary` on `data.transactions` (return lines, flagged by "
    "`is_return`, open no purchase period) with `observation_end=data.calibration_end`, "
    "`freq='W'` and `after_end='drop'` (the later transactions are left out).",
)
def _task_5(answer, data: GettingStartedData) -> str:
    """Task 5: the weekly customer summary of the purchases at the calibration end.

    Returns open no purchase period: the summary of the purchases and the summary of the
    whole log (``returns="net"``, the default) are both right; ``returns="count"`` counts
    the returns as purchases, a trap.

    The summary has the customer ids as its first column, as ``segkit.features.summary``
    returns it; an answer with the ids as its index (``.set_index("customer_id")``) holds
    the same information and is accepted too.
    """
    expected = _summary(data)
    end = f"{data.calibration_end:%Y-%m-%d}"
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_5 is {type_name(answer)}; the task asks for the summary table.")
    missing = [c for c in _SUMMARY_COLUMNS if c not in answer.columns]
    if missing:
        raise wrong(
            f"answer_5 has no column(s) {missing}; a summary has frequency, recency and T.",
            "use `segkit.features.summary`, which computes all three.",
        )
    answer = by_customer(answer, "answer_5", set(data.transactions["customer_id"]))
    if not answer.index.is_unique:
        raise wrong("some customer ids appear more than once in answer_5.",
                    "use `segkit.features.summary`: one row per customer.")
    try:
        frame = answer[_SUMMARY_COLUMNS].astype(float)
    except (TypeError, ValueError):
        raise wrong("frequency, recency and T of answer_5 should be numbers.",
                    "use `segkit.features.summary`.") from None
    if frames_equal(frame, expected, _SUMMARY_COLUMNS):
        return (
            f"weekly summary of {plural(len(expected), 'customer')} at the calibration end "
            f"{end} (mean frequency {expected['frequency'].mean():.2f} repeat weeks)."
        )
    last = purchases(data.transactions)["timestamp"].max()
    too_late = (
        f"it summarises every purchase up to the last one ({last:%Y-%m-%d}), also those "
        f"after the calibration end {end}.",
        "pass `observation_end=data.calibration_end` and `after_end='drop'`, which leaves "
        "the later transactions out.",
    )
    candidates = [
        (lambda: _summary(data, observation_end=None), *too_late),
        # the whole log observed to its last line, which may be a later return
        (lambda: _summary(data, transactions=data.transactions, observation_end=None),
         *too_late),
        (
            lambda: _summary(data, transactions=data.transactions, returns="count"),
            "the returns were counted as purchases: some frequencies are too high.",
            "leave `returns` at its default, 'net': a return line (`is_return`) opens no "
            "purchase period.",
        ),
        (
            lambda: _summary(data, freq="D"),
            "recency and T are in days; the task asks for weeks.",
            "pass `freq='W'`: periods of one week (Monday to Sunday).",
        ),
        (
            lambda: _summary(data, freq="D", freq_multiplier=7),
            "recency and T are days divided by 7, not whole weeks: a customer who buys twice "
            "in one week has one purchase period, not two.",
            "pass `freq='W'` (and no `freq_multiplier`): purchases are counted per calendar "
            "week.",
        ),
        (
            lambda: _summary(data, include_first_transaction=True),
            "frequency is one too high for every customer (off by one): the first purchase "
            "is not a repeat purchase.",
            "leave `include_first_transaction` at its default, False.",
        ),
    ]
    for make, message, hint in candidates:
        if frames_equal(frame, make(), _SUMMARY_COLUMNS):
            raise wrong(f"answer_5 is a summary, but {message}", hint)
    extra = frame.index.difference(expected.index)
    missing_ids = expected.index.difference(frame.index)
    if len(extra):
        raise wrong(
            f"answer_5 has {plural(len(extra), 'customer')} too many (e.g. {extra[0]}); "
            f"only customers who bought by {end} belong in it.",
            "leave out the transactions after the calibration end: "
            "`observation_end=data.calibration_end, after_end='drop'`.",
        )
    if len(missing_ids):
        raise wrong(
            f"{plural(len(missing_ids), 'customer')} missing from answer_5 (e.g. "
            f"{missing_ids[0]}).",
            "summarise every purchase up to the calibration end; filter out nothing else.",
        )
    got = frame.reindex(expected.index)
    diff = {c: got[c].to_numpy() - expected[c].to_numpy() for c in _SUMMARY_COLUMNS}
    if np.allclose(diff["frequency"], 1):
        raise wrong(
            "frequency is one too high for every customer (off by one).",
            "frequency counts repeat purchase periods: the first purchase is not counted.",
        )
    positive = expected["T"].to_numpy() > 0
    ratio = got["T"].to_numpy()[positive] / expected["T"].to_numpy()[positive]
    if len(ratio) and np.all((ratio > 5) & (ratio < 8)):
        raise wrong(
            "T is about 7 times the expected value: it looks like days, not weeks.",
            "pass `freq='W'`.",
        )
    shift = diff["T"]
    if np.allclose(shift, shift[0]) and abs(shift[0]) > 1e-9 and np.allclose(diff["recency"], 0):
        raise wrong(
            f"T is off by {shift[0]:+g} weeks for every customer: the observation end is not "
            f"the calibration end {end}.",
            "pass `observation_end=data.calibration_end`.",
        )
    if (diff["frequency"] >= 0).all() and (diff["frequency"] > 0).any():
        raise wrong(
            "some frequencies are too high: more purchase periods were counted than there "
            "are.",
            "summarise the purchases only, up to the calibration end.",
        )
    bad = ~np.all([close(got[c], expected[c], atol=1e-6) for c in _SUMMARY_COLUMNS], axis=0)
    raise wrong(
        f"answer_5 differs from the summary for {plural(int(bad.sum()), 'customer')} "
        f"(e.g. {expected.index[bad][0]})."
    )


# ------------------------------------------------------------------------ the checks


class Exercise00Checks(Checks):
    """The checks of exercise 00, *Getting started* (used as ``check_00``).

    Each ``task_<n>(answer, data)`` compares the participant's answer with the reference
    computed from the same ``data`` (see :func:`getting_started_data`) and returns a
    :class:`~segkit.exercises.feedback.Feedback`.
    """

    data_type = GettingStartedData
    tasks = (_task_1, _task_2, _task_3, _task_4, _task_5)


#: The checks of exercise 00: ``check_00.task_1(answer_1, data)``, ...
check_00 = Exercise00Checks()

#: This exercise, for the registry of :mod:`segkit.exercises`.
EXERCISE = Exercise("00_getting_started", "Getting started", getting_started_data, check_00)
