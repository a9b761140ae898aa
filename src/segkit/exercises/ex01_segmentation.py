"""Exercise 01, *Segmentation and tiering*: its personal data, and each task's check with its hints.

The participant measures recency at the observation end, scores RFM quintiles, finds
the key customers (关键客户) of the ABC rule and the inferior customers (劣质客户), and
measures the movement between the tiers of two quarters: the migration matrix and the
expected time in a tier. Each task below is one check function, with the hints of the
task above it (``start``: where to start, the hint of "Not done yet"; ``hint``: the
detailed hint of an answer that is off in no recognisable way), and the plausible wrong
answers it recognises listed in it as data. Every expected answer is computed from the
participant's seeded data.

Examples
--------
>>> data = segmentation_data(seed=1)
>>> print(check_01.task_1(None, data))  # doctest: +ELLIPSIS
[Task 1] … Not done yet: answer_1 is still None.
  Hint: ...
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import is_return, purchases
from ..features import customer_profile
from ..schema import CustomerData
from ..segment.migration import (
    GONE,
    NEW,
    expected_time_in_tier,
    migration_matrix,
    tiers_by_period,
)
from ..segment.rfm import RFMScorer
from ..segment.tiers import ParetoTiers, share_threshold
from .feedback import (
    Checks,
    Exercise,
    by_customer,
    check_seed,
    close,
    num,
    plural,
    reference,
    task,
    type_name,
    wrong,
)

__all__ = [
    "SegmentationData",
    "segmentation_data",
    "Exercise01Checks",
    "check_01",
]


# --------------------------------------------------------------------------- data


_N_CUSTOMERS = 1500
_START, _LAST_TRADING_DAY = "2023-01-01", "2024-12-31"
#: The two quarter ends of the tier history (tasks 5 and 6).
_QUARTERS = ("2024-09-30", "2024-12-31")
#: Days from the last trading day to the extraction of the data (the observation end):
#: the shop is closed over the New Year holiday (元旦) until then; both included.
_CLOSED_DAYS = (2, 9)
#: How many customers returned nearly everything they bought, and how many got a
#: discount that is larger than their margin (each at least and at most, both included).
_BIG_RETURNERS, _DISCOUNTED = (1, 2), (2, 4)
#: The discount rate of the discounts added (revenue given up over the list price).
_DISCOUNT_RATE = 0.25
#: Mixed with the seed for the changes made to the simulation (a stream of their own).
_SALT = 20240101  # documented in segmentation_data
#: The kinds of ``exits`` rows that close an account (the CRM then stops listing it).
_CLOSING = ("account_closed", "contract_ended")
_TIERS = ParetoTiers.TIERS


@dataclass(eq=False)
class SegmentationData:
    """The personal data of exercise 01, made from a seed (see :func:`segmentation_data`).

    Attributes
    ----------
    seed : int
        The seed the data were made from.
    tables : CustomerData
        The validated tables of a small simulated company: ``customers``,
        ``transactions`` (purchases with their cost of goods in ``cost``, and returns
        with a negative amount and ``is_return`` set), ``costs`` (acquisition, delivery,
        service, bad debt and discount costs per customer) and ``exits`` (closed
        accounts and ended memberships), with ``observation_end`` set. Pass it to
        :func:`segkit.features.customer_profile`.
    transactions, customers, costs : pandas.DataFrame
        The same tables as ``tables.transactions``, ... (shortcuts).
    observation_end : pandas.Timestamp
        The day the data were extracted, a few days after the last trading day (the
        shop was closed over the New Year holiday).
    tier_history : pandas.DataFrame
        The ABC tiers (key, ordinary, small, inferior) the CRM recorded at two quarter
        ends: ``customer_id, period, tier``, one row per customer listed at a quarter
        end. The CRM lists open accounts only: a customer who closed their account is
        not listed any more.
    quarters : tuple of pandas.Timestamp
        The two quarter ends of ``tier_history``, the earlier first.
    """

    seed: int
    tables: CustomerData
    tier_history: pd.DataFrame
    quarters: tuple[pd.Timestamp, pd.Timestamp]

    @property
    def transactions(self) -> pd.DataFrame:
        return self.tables.transactions

    @property
    def customers(self) -> pd.DataFrame:
        return self.tables.customers

    @property
    def costs(self) -> pd.DataFrame:
        return self.tables.costs

    @property
    def observation_end(self) -> pd.Timestamp:
        return self.tables.observation_end

    def __repr__(self) -> str:
        tx = self.transactions
        n_returns = int(is_return(tx).sum())
        first, last = tx["timestamp"].min(), tx["timestamp"].max()
        per_quarter = self.tier_history.groupby("period").size()
        listed = ", ".join(f"{p:%Y-%m-%d}: {n:,}" for p, n in per_quarter.items())
        return (
            f"Exercise 01 data for seed {self.seed}:\n"
            f"  customers        {len(self.customers):,} customers\n"
            f"  transactions     {len(tx):,} lines ({n_returns:,} returns) from "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}\n"
            f"  costs            {len(self.costs):,} rows "
            f"({', '.join(sorted(self.costs['kind'].unique()))})\n"
            f"  observation_end  {self.observation_end:%Y-%m-%d}\n"
            f"  tier_history     customers listed per quarter end ({listed})\n"
            f"  tables           all of them together, for segkit.features.customer_profile"
        )


def _big_returners(tx: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The transactions after 1 or 2 big customers returned all but their first purchase.

    The customers are drawn among the 5% with the highest gross revenue who have at
    least 3 purchase lines, no return yet, and a last purchase at least 30 days before the
    last trading day. Each purchase line after their first gets a return line 1 to 30
    days later: the same amount, negative, the same quantity, no cost of goods (the
    goods come back but the handling is lost), ``is_return`` set.
    """
    buys = tx.loc[~tx["is_return"]]
    by_customer_ = buys.groupby("customer_id")
    gross = by_customer_["amount"].sum()
    lines = by_customer_.size()
    last = by_customer_["timestamp"].max()
    returned = set(tx.loc[tx["is_return"], "customer_id"])
    top = gross[gross >= gross.quantile(0.95)].index
    end = pd.Timestamp(_LAST_TRADING_DAY)
    eligible = [c for c in top if lines[c] >= 3 and c not in returned
                and last[c] <= end - pd.Timedelta(days=30)]
    n = int(rng.integers(_BIG_RETURNERS[0], _BIG_RETURNERS[1] + 1))
    chosen = rng.choice(np.sort(np.array(eligible, dtype=object)), n, replace=False)
    theirs = buys.loc[buys["customer_id"].isin(chosen)]
    back = theirs.loc[theirs["customer_id"].duplicated()].copy()  # all but the first
    delay = rng.integers(1, 31, size=len(back))
    back["timestamp"] = back["timestamp"] + pd.to_timedelta(delay, unit="D")
    back["amount"] = -back["amount"]
    back["is_return"] = True
    back["cost"] = 0.0
    start = int(tx["transaction_id"].str[1:].astype(int).max()) + 1
    back["transaction_id"] = [f"T{i:07d}" for i in range(start, start + len(back))]
    return pd.concat([tx, back], ignore_index=True)


def _discounts(tx: pd.DataFrame, costs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The costs after 2 to 4 customers got a discount larger than their margin.

    Among the customers with a positive margin smaller than a third of one of their
    purchases, a few are drawn; that purchase was sold at 25% off its list price: a
    ``discount`` row of list price minus amount (a third of the amount) on its date.
    The amount in ``transactions`` is what was paid, so the discount is already netted:
    the margin stays positive, but subtracting the discount again makes it negative.
    """
    data = CustomerData(transactions=tx, costs=costs, observation_end=_LAST_TRADING_DAY)
    margin = customer_profile(data).set_index("customer_id")["margin"]
    buys = tx.loc[~tx["is_return"]]
    biggest = buys.loc[buys.groupby("customer_id")["amount"].idxmax()].set_index("customer_id")
    given_up = (biggest["amount"] * _DISCOUNT_RATE / (1 - _DISCOUNT_RATE)).round(2)
    m = margin.reindex(given_up.index)
    eligible = np.sort(given_up.index[(m > 0) & (m < given_up - 0.5)].to_numpy(dtype=object))
    n = int(rng.integers(_DISCOUNTED[0], _DISCOUNTED[1] + 1))
    chosen = rng.choice(eligible, n, replace=False)
    rows = pd.DataFrame({
        "customer_id": chosen,
        "timestamp": biggest.loc[chosen, "timestamp"].to_numpy(),
        "kind": "discount",
        "amount": given_up.loc[chosen].to_numpy(),
    })
    return pd.concat([costs, rows], ignore_index=True)


def _open_accounts(exits: pd.DataFrame | None, customer_ids: pd.Series, when) -> np.ndarray:
    """Which of ``customer_ids`` still had an open account at ``when``.

    An account is closed from its last ``account_closed`` or ``contract_ended`` row up to
    ``when``, unless a later ``reactivated`` row opened it again.
    """
    if exits is None or not len(exits):
        return np.ones(len(customer_ids), dtype=bool)
    known = exits.loc[~(exits["timestamp"] > when)].sort_values("timestamp", kind="stable")
    status = known.groupby("customer_id")["kind"].last()
    closed = set(status.index[status.isin(_CLOSING)])
    return ~customer_ids.isin(closed).to_numpy()


def _tier_history(tables: CustomerData) -> pd.DataFrame:
    """The ABC tiers the CRM lists at each quarter end: open accounts only."""
    tiers = tiers_by_period(tables, ParetoTiers(), periods=list(_QUARTERS))
    keep = np.ones(len(tiers), dtype=bool)
    for q in pd.to_datetime(list(_QUARTERS)):
        at = (tiers["period"] == q).to_numpy()
        keep[at] = _open_accounts(tables.exits, tiers.loc[at, "customer_id"], q)
    return tiers.loc[keep].reset_index(drop=True)


def segmentation_data(seed: int = 0) -> SegmentationData:
    """The personal data of exercise 01: a small simulated company made from ``seed``.

    A company of 1,500 customers trading from 2023-01-01 to 2024-12-31 is simulated with
    :func:`segkit.datasets.simulate`. Then, with a generator seeded by ``[seed,
    20240101]`` (apart from the simulation's), so that every mistake the checks
    recognise gives a different answer from the right one on every seed:

    - the data are extracted 2 to 9 days after the last trading day (the shop is closed
      over the New Year holiday): the observation end is later than the last line of
      the data;
    - 1 or 2 of the customers with the highest gross revenue returned every purchase but
      their first (:func:`_big_returners`): their net revenue is small, their gross
      revenue large, their margin negative, and their last line is a return;
    - 2 to 4 customers whose margin is positive got a 25% discount on one purchase
      (:func:`_discounts`): a ``discount`` row larger than their margin, already netted
      in the amount they paid.

    ``tier_history`` holds the ABC tiers (:class:`segkit.segment.tiers.ParetoTiers`,
    refitted at each quarter end) of the customers whose account is open at the quarter
    ends 2024-09-30 and 2024-12-31: customers who closed their account in the fourth
    quarter leave it, customers acquired in it enter it. The same seed always gives the
    same data.

    Parameters
    ----------
    seed : int, default 0
        Any whole number >= 0; your own number gives you your own data.

    Returns
    -------
    SegmentationData

    Examples
    --------
    >>> data = segmentation_data(seed=7)
    >>> data.transactions.equals(segmentation_data(seed=7).transactions)
    True
    >>> data.observation_end > data.transactions["timestamp"].max()
    True
    >>> sorted(data.tier_history["period"].dt.strftime("%Y-%m-%d").unique())
    ['2024-09-30', '2024-12-31']
    """
    from ..datasets import simulate
    from ..schema import validate

    seed = check_seed(seed)
    sim = simulate(n_customers=_N_CUSTOMERS, start=_START, end=_LAST_TRADING_DAY, seed=seed)
    rng = np.random.default_rng([seed, _SALT])
    t = sim.tables
    tx = t.transactions[["transaction_id", "customer_id", "timestamp", "amount", "quantity",
                         "is_return", "cost"]].copy()
    tx = _big_returners(tx, rng)
    tx = tx.sort_values(["timestamp", "transaction_id"], kind="stable", ignore_index=True)
    costs = _discounts(tx, t.costs.copy(), rng)
    costs = costs.sort_values(["timestamp", "customer_id", "kind"], kind="stable",
                              ignore_index=True)
    closed = int(rng.integers(_CLOSED_DAYS[0], _CLOSED_DAYS[1] + 1))
    end = pd.Timestamp(_LAST_TRADING_DAY) + pd.Timedelta(days=closed)
    customers = t.customers[["customer_id", "acquisition_date", "region", "channel"]]
    tables = CustomerData(
        customers=validate(customers.reset_index(drop=True), "customers"),
        transactions=validate(tx, "transactions"),
        costs=validate(costs, "costs"),
        exits=None if t.exits is None else validate(t.exits.reset_index(drop=True), "exits"),
        observation_end=end,
        source=f"segkit.exercises.segmentation_data(seed={seed})",
    )
    return SegmentationData(
        seed=seed,
        tables=tables,
        tier_history=_tier_history(tables),
        quarters=tuple(pd.Timestamp(q) for q in _QUARTERS),
    )


# ------------------------------------------------------------------- shared helpers


def _profile(data: SegmentationData) -> pd.DataFrame:
    """The customer profile at the observation end, indexed by customer id (shared)."""
    tables = data.tables
    return reference(
        lambda: customer_profile(tables).set_index("customer_id"),
        tables.transactions, tables.costs, tables.customers, end=tables.observation_end)


def _day(ts) -> str:
    return f"{pd.Timestamp(ts):%Y-%m-%d}"


def _example(ids) -> str:
    ids = sorted(map(str, ids))
    return ids[0] if ids else ""


def _id_set(answer, name: str, ids: pd.Index, what: str) -> set:
    """The customer ids of an answer that lists customers: a list, set, array, Index,
    Series of ids, a boolean Series indexed by customer id, or a table of the customers.

    A "Not quite" verdict when it lists no customer ids.
    """
    hint = (f"select the customer ids of the {what}, e.g. "
            "`profile.loc[mask, 'customer_id']` or `set(...)` of them.")
    if isinstance(answer, str | bytes) or np.isscalar(answer):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for the customer ids of the "
                    f"{what}.", hint)
    if isinstance(answer, pd.DataFrame):
        if "customer_id" in answer.columns:
            values = answer["customer_id"]
        elif answer.index.isin(ids).any():
            values = answer.index.to_series()
        else:
            raise wrong(f"{name} is a table without customer ids.", hint)
    elif isinstance(answer, pd.Series):
        if pd.api.types.is_bool_dtype(answer):
            if not answer.index.isin(ids).any():
                raise wrong(
                    f"{name} is a yes/no mask over the rows of a table, not customer ids: its "
                    f"index holds row numbers ({list(answer.index[:3])}, ...).",
                    "apply the mask to the profile and keep the ids: "
                    "`profile.loc[mask, 'customer_id']`.",
                )
            values = answer.index[answer.to_numpy(dtype=bool)].to_series()
        else:
            values = answer
    elif isinstance(answer, set | frozenset | list | tuple | np.ndarray | pd.Index):
        if isinstance(answer, np.ndarray | list | tuple) and len(answer):
            ndim = np.asarray(answer, dtype=object).ndim
            if ndim > 1:
                raise wrong(f"{name} is {type_name(answer)} with {ndim} dimensions; the task "
                            "asks for a flat list of customer ids.", hint)
        values = pd.Series(list(answer), dtype=object)
    else:
        raise wrong(f"{name} is {type_name(answer)}; the task asks for the customer ids of the "
                    f"{what}.", hint)
    found = set(values.dropna().tolist())
    if found and all(isinstance(v, bool | np.bool_) for v in found):
        raise wrong(f"{name} holds yes/no values, not customer ids.", hint)
    tiers = found & set(_TIERS)
    if tiers:
        raise wrong(
            f"{name} holds tiers ({', '.join(sorted(map(str, tiers)))}), not customer ids.",
            "keep the customers of one tier: `profile.loc[tiers == 'key', 'customer_id']`.",
        )
    if found and not found & set(ids):
        raise wrong(f"{name} holds no customer id of the data (e.g. {_example(found)}).", hint)
    return found


def _set_difference_message(name: str, found: set, expected: set, what: str) -> str:
    missing, extra = expected - found, found - expected
    parts = []
    if missing:
        parts.append(f"{plural(len(missing), 'customer')} missing (e.g. {_example(missing)})")
    if extra:
        parts.append(f"{plural(len(extra), 'customer')} too many (e.g. {_example(extra)})")
    return (f"{name} lists {plural(len(found), 'customer')}, the {what} are "
            f"{num(len(expected))}: {' and '.join(parts)}.")


# ------------------------------------------------------------------------- task 1


@task(
    1,
    start="take each customer's last purchase (not a return) and count the days from it to "
    "`data.observation_end`; `segkit.features.customer_profile` does it for you.",
    hint="recency is the number of days from a customer's last purchase to the observation "
    "end: `segkit.features.customer_profile(data.tables)` has it as `recency_days` (use "
    "`.set_index('customer_id')['recency_days']`); by hand, "
    "`(data.observation_end - purchases.groupby('customer_id')['timestamp'].max()).dt.days` "
    "with `purchases` the lines where `is_return` is False.",
)
def _task_1(answer, data: SegmentationData) -> str:
    """Task 1: recency in days per customer: days from the last purchase to the observation end."""
    profile = _profile(data)
    expected = profile["recency_days"]
    bought = expected.dropna()
    end = data.observation_end
    if isinstance(answer, pd.DataFrame):
        answer = by_customer(answer, "answer_1", bought.index)
        if "recency_days" in answer.columns:
            answer = answer["recency_days"]
        elif answer.shape[1] == 1:
            answer = answer.iloc[:, 0]
        else:
            raise wrong(
                f"answer_1 is a table with columns {list(map(str, answer.columns))}; the task "
                "asks for one number per customer.",
                "keep one column: `profile.set_index('customer_id')['recency_days']`.",
            )
    if not isinstance(answer, pd.Series):
        raise wrong(f"answer_1 is {type_name(answer)}; the task asks for a Series: one recency "
                    "per customer, indexed by customer id.")
    if pd.api.types.is_timedelta64_dtype(answer):
        raise wrong(
            "answer_1 holds time spans (Timedelta), not numbers of days.",
            "convert them to whole days with `.dt.days`.",
        )
    if not pd.api.types.is_numeric_dtype(answer) or pd.api.types.is_bool_dtype(answer):
        raise wrong(f"answer_1 holds {answer.dtype} values, not numbers of days.")
    if not answer.index.isin(expected.index).any():
        raise wrong(
            f"the index of answer_1 does not hold customer ids (e.g. {list(answer.index[:3])}).",
            "index the recencies by customer: `.set_index('customer_id')['recency_days']`.",
        )
    if not answer.index.is_unique:
        raise wrong("some customer ids appear more than once in answer_1.",
                    "one value per customer: group by `customer_id`.")
    missing = bought.index.difference(answer.index)
    extra = answer.index.difference(bought.index)
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append(f"{plural(len(missing), 'customer')} who bought missing "
                         f"(e.g. {missing[0]})")
        if len(extra):
            parts.append(f"{plural(len(extra), 'unexpected id')} (e.g. {extra[0]})")
        raise wrong(
            f"answer_1 has {plural(len(answer), 'customer')}: {' and '.join(parts)}.",
            "give every customer who bought a recency, and no one else.",
        )
    values = answer.astype(float)
    got = values.reindex(bought.index)
    if close(got, bought, atol=1e-6).all():
        return (f"recency of {plural(len(bought), 'customer')} at the observation end "
                f"{_day(end)} (median {bought.median():g} days).")

    tx = data.transactions
    buys = purchases(tx)
    last_buy = buys.groupby("customer_id")["timestamp"].max().reindex(bought.index)
    first_buy = buys.groupby("customer_id")["timestamp"].min().reindex(bought.index)
    last_line = tx.groupby("customer_id")["timestamp"].max().reindex(bought.index)
    last_day = tx["timestamp"].max()
    returned = last_line.index[(last_line > last_buy).to_numpy()]
    to_last_day = (
        f"it counts to the last date in the data ({_day(last_day)}), not to the observation "
        f"end {_day(end)}: the shop was closed for {(end - last_day).days} days before the data "
        "were extracted.",
        "count the days up to `data.observation_end`.",
    )
    returns_counted = (
        f"the last line of {plural(len(returned), 'customer')} (e.g. {_example(returned)}) is "
        "a return, and it was counted as their last purchase.",
        "keep the purchases only (`~data.transactions['is_return']`) before taking the last "
        "date; `customer_profile` does this.",
    )
    known = [
        ((last_day - last_buy).dt.days, *to_last_day),
        ((last_day - last_line).dt.days, *to_last_day),
        ((end - last_line).dt.days, *returns_counted),
        (
            (last_buy - first_buy).dt.days,
            "these are the days from each customer's first to their last purchase (the "
            "recency of the BTYD summary, `segkit.features.summary`); RFM recency counts the "
            "days since the last purchase.",
            "count from the last purchase to `data.observation_end`.",
        ),
        (
            -bought,
            "the values have the wrong sign: the last purchase minus the observation end.",
            "subtract the other way round: `data.observation_end - last_purchase`.",
        ),
        (
            bought / 7,
            "the recencies are in weeks; the task asks for days.",
            "use `.dt.days`, and do not divide by 7.",
        ),
        (
            np.floor(bought / 7),
            "the recencies are in whole weeks; the task asks for days.",
            "use `.dt.days`, and do not divide by 7.",
        ),
    ]
    for candidate, message, hint in known:
        if close(got, candidate, atol=1e-6).all():
            raise wrong(f"answer_1 has one value per customer, but {message}", hint)
    diff = (got - bought).to_numpy()
    if np.allclose(diff, diff[0]):
        shift = diff[0]
        today = pd.Timestamp.today().normalize()
        if abs(shift - (today - end).days) <= 2:
            raise wrong(
                "answer_1 counts the days to today, not to the observation end "
                f"{_day(end)}: the answer would change every day.",
                "count the days up to `data.observation_end`, the day the data were extracted.",
            )
        if abs(shift) == 1:
            raise wrong(
                f"every recency is off by {shift:+g} day.",
                "the number of days is the difference of the two dates, `.dt.days`, with "
                "nothing added or subtracted.",
            )
        raise wrong(
            f"every recency is off by {shift:+g} days: it does not count to the observation "
            f"end {_day(end)}.",
            "count the days up to `data.observation_end`.",
        )
    bad = ~close(got, bought, atol=1e-6)
    example = bought.index[bad][0]
    raise wrong(
        f"answer_1 differs from the recency for {plural(int(bad.sum()), 'customer')} (e.g. "
        f"customer {example}: yours is {got[example]:g}, expected {bought[example]:g})."
    )


# ------------------------------------------------------------------------- task 2


_SCORES = ("r_score", "f_score", "m_score")
_LETTER = {"r_score": "R", "f_score": "F", "m_score": "M"}
_RFM_HINT = ("score with `segkit.segment.RFMScorer().fit_transform(profile)`: it gives equal "
             "values equal scores and scores recency the right way round.")


def _monotone(score: np.ndarray, value: np.ndarray) -> bool:
    """Whether the score never falls as the value grows (ties in value may be split)."""
    order = np.lexsort((score, value))
    return bool((np.diff(score[order]) >= 0).all())


def _split_tie(score: np.ndarray, value: np.ndarray):
    """Two positions with the same value and different scores, or None."""
    frame = pd.DataFrame({"v": value, "s": score})
    spread = frame.groupby("v")["s"].agg(["min", "max"])
    split = spread.index[(spread["max"] > spread["min"]).to_numpy()]
    if not len(split):
        return None
    v = split[len(split) // 2]
    rows = frame.index[(frame["v"] == v).to_numpy()]
    scores = frame.loc[rows, "s"]
    return v, rows[int(np.argmin(scores.to_numpy()))], rows[int(np.argmax(scores.to_numpy()))]


def _diagnose(dim: str, score: pd.Series, expected: pd.Series, profile: pd.DataFrame,
              ) -> tuple[str, str] | None:
    """What is off with one score column (aligned on the expected customers), or None."""
    got = score.to_numpy(dtype=float)
    want = expected.to_numpy(dtype=float)
    if np.array_equal(got, want):
        return None
    letter = _LETTER[dim]
    col = {"r_score": "recency_days", "f_score": "orders", "m_score": "revenue"}[dim]
    raw = profile[col].to_numpy(dtype=float)
    value = -raw if dim == "r_score" else raw  # higher is better
    if pd.Series(got).corr(pd.Series(value), method="spearman") < 0:
        if dim == "r_score":
            return ("R is the wrong way round: score 5 went to the customers whose last "
                    "purchase is the oldest. A recent purchase is good: the smallest "
                    "recency_days scores 5.",
                    "reverse the labels of recency (5 for the most recent), or use "
                    "`segkit.segment.RFMScorer`, which does.")
        return (f"{letter} is the wrong way round: score 1 went to the customers with the "
                f"largest {col}.", f"5 goes to the largest {col}: " + _RFM_HINT)
    if dim == "m_score" and not _monotone(got, value):
        gross = profile["revenue"] + profile["returns"]
        variants = [
            (gross, "M follows gross revenue (purchases only): the returns were not "
             "subtracted, so a customer who returned nearly everything scores M 5.",
             "score the net revenue, the profile's `revenue` column (returns subtracted)."),
            (gross + profile["returns"], "M follows revenue with the returns added as "
             "positive amounts (wrong sign).",
             "score the net revenue, the profile's `revenue` column (returns subtracted)."),
        ]
        for v, message, hint in variants:
            if _monotone(got, v.to_numpy(dtype=float)):
                return message, hint
    if _monotone(got, value):
        tie = _split_tie(got, value)
        if tie is not None:
            v, a, b = tie
            ids = profile.index
            return (f"customers with the same {col} got different {letter} scores (e.g. "
                    f"{ids[a]} and {ids[b]}, both {raw[a]:g}: {letter} {got[a]:g} and "
                    f"{got[b]:g}): the ties were split by row order, as "
                    "`rank(method='first')` does (and the PyPI `rfm` package).",
                    "equal values must get equal scores, whatever the row order: "
                    "`segkit.segment.RFMScorer` keeps a block of ties whole.")
        used = np.unique(got)
        if len(used) < len(np.unique(want)):
            return (f"{letter} uses only {len(used)} different scores "
                    f"({', '.join(f'{u:g}' for u in used)}): some quintile edges were dropped "
                    "(as `pd.qcut(..., duplicates='drop')` does).", _RFM_HINT)
        return (f"{letter} has the right order but other edges than the quintiles of "
                "`RFMScorer` (e.g. from `pd.qcut`, which interpolates between values).",
                _RFM_HINT)
    bad = got != want
    return (f"{letter} differs from the quintile score for "
            f"{plural(int(bad.sum()), 'customer')} (e.g. {profile.index[bad][0]}).", _RFM_HINT)


@task(
    2,
    start="compute the profile with `segkit.features.customer_profile(data.tables)` and "
    "score it with `segkit.segment.RFMScorer`.",
    hint="`segkit.segment.RFMScorer().fit_transform(profile)` scores recency "
    "(`recency_days`, 5 = most recent), frequency (`orders`) and monetary value (`revenue`, "
    "net of returns) 1 to 5 by quintiles, and gives customers with equal values equal "
    "scores.",
)
def _task_2(answer, data: SegmentationData) -> str:
    """Task 2: RFM scores 1-5 from quintiles (r_score, f_score, m_score per customer)."""
    profile = _profile(data)
    expected = reference(lambda: RFMScorer().fit_transform(profile.reset_index())
                         .set_index("customer_id"), profile)
    scored = expected.index[expected["r_score"].notna().to_numpy()]
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_2 is {type_name(answer)}; the task asks for a table with the "
                    "columns r_score, f_score and m_score.")
    missing_cols = [c for c in _SCORES if c not in answer.columns]
    if missing_cols:
        raise wrong(
            f"answer_2 has no column(s) {missing_cols}; the scores are r_score, f_score "
            "and m_score.",
            "`RFMScorer().fit_transform(profile)` names them so.",
        )
    answer = by_customer(answer, "answer_2", scored)
    if not answer.index.is_unique:
        raise wrong("some customer ids appear more than once in answer_2.",
                    "one row per customer: score the profile.")
    missing = scored.difference(answer.index)
    if len(missing):
        raise wrong(f"{plural(len(missing), 'customer')} who bought missing from answer_2 "
                    f"(e.g. {missing[0]}).", "score every customer of the profile.")
    try:
        got = answer.loc[scored, list(_SCORES)].astype(float)
    except (TypeError, ValueError):
        raise wrong("the scores of answer_2 should be numbers.", _RFM_HINT) from None
    values = got.to_numpy()
    if np.isnan(values).any() or not np.isin(values, np.arange(1, 6)).all():
        raise wrong(
            "the scores of answer_2 should be whole numbers from 1 to 5 (quintiles); e.g. "
            f"{_example_value(values)}.",
            _RFM_HINT,
        )
    problems = [p for p in (_diagnose(c, got[c], expected.loc[scored, c],
                                      profile.loc[scored]) for c in _SCORES) if p]
    if problems:
        right = [_LETTER[c] for c in _SCORES
                 if np.array_equal(got[c].to_numpy(), expected.loc[scored, c].to_numpy(dtype=float))]
        ok = f" ({' and '.join(right)} right)" if right else ""
        said = [m if i == 0 else m[0].upper() + m[1:] for i, (m, _) in enumerate(problems)]
        raise wrong(" ".join(said) + ok, problems[0][1])
    top = int((expected.loc[scored, "rfm_code"] == "555").sum())
    return (f"RFM scores of {plural(len(scored), 'customer')}; {num(top)} score 555 "
            f"(their edges: `RFMScorer().fit(profile).cut_points_`).")


def _example_value(values: np.ndarray) -> str:
    flat = values.ravel()
    bad = flat[np.isnan(flat) | ~np.isin(flat, np.arange(1, 6))]
    return f"{bad[0]:g}" if len(bad) else ""


# ------------------------------------------------------------------------- task 3


def _is_top(found: set, value: pd.Series) -> bool:
    """Whether ``found`` are the customers with the largest values (a head of the ranking)."""
    inside = value.index.isin(list(found))
    if not inside.any() or inside.all():
        return False
    return bool(value[inside].min() >= value[~inside].max())


def _is_bottom(found: set, value: pd.Series) -> bool:
    return _is_top(found, -value)


@task(
    3,
    start="sort the customers by net revenue, largest first, and keep them until their "
    "running total reaches 80% of the total; or use `segkit.segment.ParetoTiers`.",
    hint="sort the profile by `revenue` (net of returns), largest first; the key customers "
    "are those whose running total has not yet reached 80% of the total before them, the "
    "customer who crosses 80% included. `ParetoTiers(inferior_col=None).fit_predict(profile)` "
    "gives them the tier 'key'.",
)
def _task_3(answer, data: SegmentationData) -> str:
    """Task 3: the key customers (关键客户) of the ABC rule: together 80% of net revenue."""
    profile = _profile(data)
    revenue = profile["revenue"]
    threshold = share_threshold(revenue.to_numpy(), 0.8)
    expected = set(revenue.index[(revenue >= threshold).to_numpy()])
    found = _id_set(answer, "answer_3", profile.index, "key customers")
    share = revenue[revenue.index.isin(list(found))].clip(lower=0).sum() / revenue.clip(
        lower=0).sum()
    if found == expected:
        return (f"{plural(len(found), 'key customer')} "
                f"({len(found) / len(profile):.0%} of the customers) bring {share:.1%} of the "
                f"net revenue; each brought at least {threshold:,.2f}.")
    tiers = reference(lambda: ParetoTiers().fit_predict(profile), profile)
    pareto_key = set(profile.index[(tiers == "key").to_numpy()])
    if found == pareto_key:
        dropped = expected - found
        raise wrong(
            f"answer_3 leaves out the {plural(len(dropped), 'key customer')} with a negative "
            f"margin (e.g. {_example(dropped)}): `ParetoTiers` puts them in the tier "
            "'inferior', which overrides their value tier. The task asks who brings 80% of "
            "the revenue, whatever the margin.",
            "pass `inferior_col=None` to `ParetoTiers` (task 4 is about the inferior "
            "customers).",
        )
    n = len(profile)
    gross = revenue + profile["returns"]
    pct = f"{share:.2%}"
    if _is_top(found, revenue):
        counts = {int(np.floor(0.2 * n)), int(np.ceil(0.2 * n)), int(round(0.2 * n))}
        if len(found) in counts:
            raise wrong(
                f"answer_3 is the top 20% of the customers by count ({num(len(found))} "
                f"customers); they bring {pct} of the net revenue, not 80%.",
                "the rule counts revenue, not customers: keep adding customers, largest "
                "first, until their running total reaches 80% of the total revenue.",
            )
        if len(found) < len(expected):
            if len(expected) - len(found) == 1:
                raise wrong(
                    f"answer_3 stops one customer short: its customers bring {pct} of the "
                    "net revenue, less than 80%. The customer whose revenue crosses the 80% "
                    "line is a key customer too.",
                    "keep the customers whose running total *before* them is below 80% "
                    "(`cumulative_share - share < 0.8`, or `.shift()`), so that the customer "
                    "who crosses the line is in.",
                )
            raise wrong(f"answer_3 is too short: its customers bring {pct} of the net "
                        "revenue, less than 80%.")
        raise wrong(f"answer_3 has {num(len(found) - len(expected))} customers more than "
                    f"needed: without them the key customers already bring 80% of the net "
                    f"revenue (yours bring {pct}).")
    if _is_top(found, gross):
        raise wrong(
            "answer_3 ranks the customers by gross revenue (purchases only): the returns "
            "were not subtracted, so a customer who returned nearly everything "
            f"(e.g. {_example(found - expected)}) counts as key.",
            "use the net revenue, the profile's `revenue` column (returns subtracted).",
        )
    if _is_bottom(found, revenue):
        raise wrong(
            f"answer_3 lists the customers with the smallest revenue "
            f"({plural(len(found), 'customer')}): the ranking was sorted in ascending order.",
            "sort the customers by revenue, largest first: "
            "`.sort_values('revenue', ascending=False)`.",
        )
    raise wrong(_set_difference_message("answer_3", found, expected, "key customers"))


# ------------------------------------------------------------------------- task 4


@task(
    4,
    start="compute the profile with `segkit.features.customer_profile(data.tables)` and keep "
    "the customers whose `margin` is below 0.",
    hint="margin = net revenue - cost of goods (`transactions.cost`) - cost to serve (the "
    "`service`, `delivery` and `bad_debt` rows of `costs`); acquisition cost is sunk and "
    "discounts are already netted in the amounts. The profile's `margin` column is exactly "
    "this: keep `profile.loc[profile['margin'] < 0, 'customer_id']`.",
)
def _task_4(answer, data: SegmentationData) -> str:
    """Task 4: the inferior customers (劣质客户): a negative margin after costs."""
    profile = _profile(data)
    margin = profile["margin"]
    expected = set(profile.index[(margin < 0).to_numpy()])
    found = _id_set(answer, "answer_4", profile.index, "inferior customers")
    if found == expected:
        loss = -margin[margin < 0].sum()
        return (f"{plural(len(found), 'inferior customer')} "
                f"({len(found) / len(profile):.0%} of the customers) cost "
                f"{loss:,.2f} more than they bring.")
    costs = data.costs
    by_kind = costs.pivot_table(index="customer_id", columns="kind", values="amount",
                                aggfunc="sum", fill_value=0.0).reindex(profile.index,
                                                                       fill_value=0.0)

    def kind(k: str) -> pd.Series:
        return by_kind[k] if k in by_kind.columns else pd.Series(0.0, index=profile.index)

    discount, acquisition = kind("discount"), kind("acquisition")
    cogs_only = profile["revenue"] - profile["cogs"]
    not_netted = "discounts are already netted in the amounts paid, never subtract them again"
    candidates = [
        (
            cogs_only,
            "answer_4 subtracts only the cost of goods: the cost to serve (service, "
            "delivery and bad debt) is missing.",
            "subtract the cost to serve too: the `service`, `delivery` and `bad_debt` rows "
            "of `data.costs` (the profile's `cost_to_serve`).",
        ),
        (
            margin - acquisition,
            "answer_4 also subtracts the acquisition cost. It is sunk (spent to win the "
            "customer, whatever the customer does next) and kept apart from the margin.",
            "leave out the `acquisition` rows of `data.costs`: the profile's `margin` does.",
        ),
        (
            margin - acquisition - discount,
            "answer_4 subtracts every row of `data.costs`: the acquisition cost too (sunk, "
            f"kept apart), and the discounts ({not_netted}).",
            "subtract only the `service`, `delivery` and `bad_debt` rows: the profile's "
            "`cost_to_serve`.",
        ),
        (
            margin - discount,
            f"answer_4 subtracts the discounts again: {not_netted} (e.g. customer "
            f"{_example(set(profile.index[((margin - discount) < 0) & (margin >= 0)]))}).",
            "leave out the `discount` rows of `data.costs`: the profile's `margin` does.",
        ),
        (
            margin + profile["returns"],
            "answer_4 ignores the returns: a customer who returned nearly everything kept "
            "the revenue of the goods they sent back.",
            "start from the net revenue (returns subtracted), the profile's `revenue`.",
        ),
    ]
    for value, message, hint in candidates:
        if found == set(profile.index[(value < 0).to_numpy()]):
            raise wrong(message, hint)
    if found == set(profile.index[(margin > 0).to_numpy()]) or found == set(
            profile.index[(margin >= 0).to_numpy()]):
        raise wrong(
            "answer_4 lists the customers with a positive margin: the comparison is the "
            "wrong way round.",
            "inferior customers have a margin below 0: `profile['margin'] < 0`.",
        )
    raise wrong(_set_difference_message("answer_4", found, expected, "inferior customers"))


# ------------------------------------------------------------------------- task 5


def _counts(data: SegmentationData) -> pd.DataFrame:
    """Transitions between the two quarters, counts: tiers and (new) x tiers and (gone)."""
    history = data.tier_history
    return reference(lambda: migration_matrix(history, normalize=False).astype(float), history)


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with str labels (crosstab gives categorical ones), as floats."""
    out = frame.copy()
    out.index = pd.Index([str(x) for x in frame.index], dtype=object)
    out.columns = pd.Index([str(x) for x in frame.columns], dtype=object)
    return out


def _matches(answer: pd.DataFrame, candidate: pd.DataFrame, optional_rows=(NEW,)) -> bool:
    """Same cells on the candidate's labels (rows in ``optional_rows`` may be absent)."""
    rows = [r for r in candidate.index if r in answer.index or r not in optional_rows]
    if set(answer.columns) != set(candidate.columns) or not set(rows) <= set(answer.index):
        return False
    if set(answer.index) - set(candidate.index):
        return False
    got = answer.loc[rows, list(candidate.columns)].to_numpy(dtype=float)
    want = candidate.loc[rows].to_numpy(dtype=float)
    return bool(close(got, want, atol=1e-6).all())


def _row_shares(counts: pd.DataFrame) -> pd.DataFrame:
    total = counts.sum(axis=1)
    return counts.div(total.where(total > 0), axis=0)


@task(
    5,
    start="call `segkit.segment.migration_matrix` on `data.tier_history`.",
    hint="`segkit.segment.migration_matrix(data.tier_history)` gives, for each tier at the "
    "first quarter end (rows, and '(new)' for customers who were not listed then), the "
    "share of its customers in each tier at the second (columns, and '(gone)' for customers "
    "no longer listed): each row adds up to 1.",
)
def _task_5(answer, data: SegmentationData) -> str:
    """Task 5: the migration matrix between the two quarters, as row shares."""
    counts = _labelled(_counts(data))
    expected = _row_shares(counts)
    tiers = [t for t in counts.index if t != NEW]
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_5 is {type_name(answer)}; the task asks for a table: the tiers "
                    "of the first quarter as rows, those of the second as columns.")
    answer = _labelled(answer)
    try:
        answer = answer.astype(float)
    except (TypeError, ValueError):
        raise wrong("the cells of answer_5 should be shares (numbers).") from None
    q1, q2 = (_day(q) for q in data.quarters)
    if GONE in answer.index or NEW in answer.columns:
        raise wrong(
            f"rows and columns are swapped: the rows should be the tiers at {q1} (where the "
            f"customers come from) and the columns the tiers at {q2} (where they go).",
            "`migration_matrix` has them the right way; do not transpose.",
        )
    stay = counts.loc[tiers, tiers]
    if GONE not in answer.columns:
        shares = [(_row_shares(stay), "the customers who left (no longer listed at "
                   f"{q2}: {num(counts[GONE].sum())} of them) were dropped silently, so the "
                   "shares of those who stayed add up to 1.",
                   "keep them: `migration_matrix` counts them in the column '(gone)'.")]
        shares.append((_row_shares(stay.T), "rows and columns are swapped (the rows are the "
                       f"tiers at {q2}), and the customers who left were dropped.",
                       "the rows are the tiers of the earlier quarter: use "
                       "`segkit.segment.migration_matrix(data.tier_history)`."))
        for candidate, message, hint in shares:
            if _matches(answer, candidate, optional_rows=()):
                raise wrong(f"answer_5: {message}", hint)
        raise wrong(
            f"answer_5 has no column '{GONE}': the customers listed at {q1} but not at {q2} "
            "(closed accounts) are not accounted for.",
            "use `segkit.segment.migration_matrix(data.tier_history)`.",
        )
    missing = [t for t in tiers if t not in answer.index]
    missing += [c for c in counts.columns if c not in answer.columns]
    if missing:
        raise wrong(f"answer_5 has no row or column for {missing}.",
                    "use `segkit.segment.migration_matrix(data.tier_history)`: every tier is "
                    "a row and a column.")
    if _matches(answer, expected):
        key_stay = expected.loc["key", "key"] if "key" in expected.index else np.nan
        return (f"migration from {q1} to {q2}: each row adds up to 1 "
                f"({key_stay:.0%} of the key customers stayed key, "
                f"{plural(int(counts.loc[tiers, GONE].sum()), 'customer')} left).")
    candidates = [
        (counts, "these are counts of customers, not shares.",
         "leave `normalize` at its default, True: row shares."),
        (expected * 100, "these are percentages; the task asks for shares (0 to 1).",
         "do not multiply by 100."),
        (counts / counts.sum(axis=0).where(counts.sum(axis=0) > 0),
         "each column adds up to 1 (shares of where customers came from); the task asks "
         "for rows that add up to 1 (where the customers of a tier went).",
         "divide each row by its own total: `normalize='index'` in `pd.crosstab`, or "
         "`migration_matrix`."),
        (counts / counts.to_numpy().sum(),
         "the whole matrix adds up to 1 (each cell a share of all transitions); the task "
         "asks for rows that add up to 1.",
         "divide each row by its own total: `normalize='index'` in `pd.crosstab`, or "
         "`migration_matrix`."),
    ]
    for candidate, message, hint in candidates:
        if _matches(answer, candidate):
            raise wrong(f"answer_5 has the right rows and columns, but {message}", hint)
    sums = answer.loc[tiers].sum(axis=1)
    if not close(sums, 1.0, atol=1e-6).all():
        raise wrong(f"the rows of answer_5 do not add up to 1 (e.g. {sums.index[0]}: "
                    f"{sums.iloc[0]:.3f}).")
    raise wrong("answer_5 has rows that add up to 1, but its shares differ from the "
                "migration of `data.tier_history`.")


# ------------------------------------------------------------------------- task 6


@task(
    6,
    start="pass the migration matrix of task 5 to `segkit.segment.expected_time_in_tier`.",
    hint="a customer keeps a tier from one quarter to the next with probability p (the "
    "diagonal of the row shares, leaving counted as leaving), so holds it for 1 / (1 - p) "
    "quarters on average, counting the quarter they entered: "
    "`segkit.segment.expected_time_in_tier(matrix)`.",
)
def _task_6(answer, data: SegmentationData) -> str:
    """Task 6: the expected number of quarters a customer keeps each tier."""
    counts = _labelled(_counts(data))
    tiers = [t for t in counts.index if t != NEW]
    shares = _row_shares(counts).loc[tiers]
    expected = expected_time_in_tier(shares)
    expected.index = pd.Index([str(x) for x in expected.index], dtype=object)
    if isinstance(answer, dict):
        answer = pd.Series(answer, dtype=object)
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise wrong(f"answer_6 is {type_name(answer)}; one number per tier is enough.",
                        "`expected_time_in_tier` gives a Series indexed by tier.")
        answer = answer.iloc[:, 0]
    if not isinstance(answer, pd.Series):
        raise wrong(f"answer_6 is {type_name(answer)}; the task asks for a Series: one "
                    "number of quarters per tier, indexed by tier.")
    answer = answer.copy()
    answer.index = pd.Index([str(x) for x in answer.index], dtype=object)
    missing = [t for t in tiers if t not in answer.index]
    if missing:
        raise wrong(f"answer_6 has no value for the tier(s) {missing}.",
                    "index the answer by tier, one value per tier of the matrix.")
    got = pd.to_numeric(answer.loc[tiers], errors="coerce").astype(float)
    if got.isna().any():
        raise wrong("the values of answer_6 should be numbers of quarters.")
    if close(got, expected, atol=1e-6).all():
        longest = expected.idxmax()
        return (f"expected quarters in each tier: "
                f"{', '.join(f'{t} {v:.2f}' for t, v in expected.items())} "
                f"({longest} lasts longest).")
    p = np.diag(shares.loc[tiers, tiers].to_numpy())
    stayers = counts.loc[tiers, tiers]
    p_stay = np.diag(_row_shares(stayers).to_numpy())
    col = counts / counts.sum(axis=0).where(counts.sum(axis=0) > 0)
    p_col = np.diag(col.loc[tiers, tiers].to_numpy())
    with np.errstate(divide="ignore"):
        candidates = [
            (1 / p, "these are 1 / p, with p the share that stays in the tier; the expected "
             "time is 1 / (1 - p): the chance of leaving each quarter is 1 - p.",
             "use `expected_time_in_tier`, or `1 / (1 - p)`."),
            (p / (1 - p), "each value is one quarter short (off by one): p / (1 - p) counts the "
             "quarters after the first, but the quarter a customer enters the tier counts too.",
             "use 1 / (1 - p): `expected_time_in_tier`."),
            (p, "these are the shares that stay in the tier from one quarter to the next "
             "(the diagonal of the matrix), not a time.",
             "turn the share p into a time: 1 / (1 - p) quarters (`expected_time_in_tier`)."),
            (1 / (1 - p_stay), "the customers who left (column '(gone)') were dropped: leaving "
             "the list is leaving the tier too, so the times are too long.",
             "start from the matrix with the column '(gone)' (task 5)."),
            (1 / (1 - p_col), "p was read from column shares; the probability of staying is "
             "the diagonal of the row shares.",
             "start from the row shares of task 5."),
            (3 / (1 - p), "these are months; the task asks for quarters (the periods of the "
             "matrix).", "do not multiply by 3."),
        ]
    for candidate, message, hint in candidates:
        if close(got, candidate, atol=1e-6).all():
            raise wrong(f"answer_6: {message}", hint)
    bad = ~close(got, expected, atol=1e-6)
    example = expected.index[bad][0]
    raise wrong(f"answer_6 differs for {plural(int(bad.sum()), 'tier')} (e.g. {example}: yours "
                f"is {got[example]:.3f}).")


# ------------------------------------------------------------------------ the checks


class Exercise01Checks(Checks):
    """The checks of exercise 01, *Segmentation and tiering* (used as ``check_01``).

    Each ``task_<n>(answer, data)`` compares the participant's answer with the reference
    computed from the same ``data`` (see :func:`segmentation_data`) and returns a
    :class:`~segkit.exercises.feedback.Feedback`.
    """

    data_type = SegmentationData
    tasks = (_task_1, _task_2, _task_3, _task_4, _task_5, _task_6)


#: The checks of exercise 01: ``check_01.task_1(answer_1, data)``, ...
check_01 = Exercise01Checks()

#: This exercise, for the registry of :mod:`segkit.exercises`.
EXERCISE = Exercise("01_segmentation", "Segmentation and tiering", segmentation_data, check_01)
