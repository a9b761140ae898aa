"""Exercise 03, *Churn as survival*: its personal data, and each task's check with its hints.

The participant chooses a narrow-churn threshold (狭义流失) from the gaps between
purchases, measures the churn rate of one month, builds the survival frame at the
observation end (duration in calendar months, event, censoring), then the frame of an
analysis window with late entry (left truncation), and estimates from it the median
lifetime of each acquisition channel (Kaplan-Meier) and the hazard ratio of the 2024
cohort against 2023 (Cox), which ignoring the late entry badly biases. Each
task below is one check function, with the hints of the task above it (``start``: where
to start, the hint of "Not done yet"; ``hint``: the detailed hint of an answer that is
off in no recognisable way), and the plausible wrong answers it recognises listed in it
as data. Every expected answer is computed from the participant's seeded data.

Examples
--------
>>> data = churn_data(seed=1)
>>> print(check_03.task_1(None, data))  # doctest: +ELLIPSIS
[Task 1] … Not done yet: answer_1 is still None.
  Hint: ...
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..churn import (
    CoxModel,
    KaplanMeierResult,
    choose_threshold,
    churn_rate,
    elapsed,
    inter_purchase_days,
    kaplan_meier,
    narrow_churn,
    survival_data,
)
from ..data import acquisition_dates, purchases
from ..schema import CustomerData
from .feedback import (
    Checks,
    Exercise,
    by_customer,
    check_seed,
    num,
    plural,
    reference,
    task,
    type_name,
    wrong,
)

__all__ = [
    "ChurnData",
    "churn_data",
    "Exercise03Checks",
    "check_03",
]


# --------------------------------------------------------------------------- data


_N_CUSTOMERS = 1000
_START, _END = "2023-01-01", "2024-12-31"
#: The start of the analysis window of tasks 4 to 6 (left truncation).
_WINDOW_START = "2024-01-01"
#: The month whose churn rate task 2 asks for (its first day).
_RATE_MONTH = "2023-12-01"
#: The dropout rate parameter of the simulation (``beta`` of the gamma distribution of
#: each customer's hazard per day): half the default, so that customers leave faster and
#: every channel's median lifetime lies well inside the two years of data.
_BETA = 700.0
#: Share of the customers who registered before their first purchase, and by how many
#: days at most (uniform from 1): their acquisition date comes before it.
_REGISTERED_SHARE, _REGISTERED_DAYS = 0.3, 60
#: Mixed with the seed for the changes made to the simulation (a stream of their own).
_SALT = 20241231  # documented in churn_data
#: The quantile of the pooled gaps between purchase days that sets the threshold.
_QUANTILE = 0.9
_CHANNELS = ("online", "partner", "store")
#: The Cox model's contrast of task 6: the 2024 cohort against the baseline, 2023.
_CONTRAST = "cohort=2024"
#: Relative tolerance of the medians of task 5, and of the hazard ratios of task 6 (a
#: Cox fit is reproduced to many digits; some mistakes move it little).
_RTOL, _COX_RTOL = 1e-3, 1e-5


@dataclass(eq=False)
class ChurnData:
    """The personal data of exercise 03, made from a seed (see :func:`churn_data`).

    Attributes
    ----------
    seed : int
        The seed the data were made from.
    tables : segkit.CustomerData
        The company's tables, as every function of :mod:`segkit.churn` takes them:
        ``customers`` (``customer_id, acquisition_date, region, channel``),
        ``transactions`` (purchases and returns) and ``interactions`` (logins, visits,
        service contacts); ``tables.observation_end`` is the end of the data.
    observation_end : pandas.Timestamp
        The last day of the data (included): customers still active then are censored.
    window_start : pandas.Timestamp
        The first day of the analysis window of tasks 4 to 6.
    rate_month : pandas.Timestamp
        The first day of the month whose churn rate task 2 asks for.
    """

    seed: int
    tables: CustomerData
    observation_end: pd.Timestamp
    window_start: pd.Timestamp
    rate_month: pd.Timestamp

    @property
    def customers(self) -> pd.DataFrame:
        """The customers table (``tables.customers``)."""
        return self.tables.customers

    @property
    def transactions(self) -> pd.DataFrame:
        """The transactions table (``tables.transactions``)."""
        return self.tables.transactions

    @property
    def interactions(self) -> pd.DataFrame:
        """The interactions table (``tables.interactions``)."""
        return self.tables.interactions

    def __repr__(self) -> str:
        tx, cust, inter = self.transactions, self.customers, self.interactions
        n_returns = int(tx["is_return"].sum())
        return (
            f"Exercise 03 data for seed {self.seed}:\n"
            f"  customers        {len(cust):,} acquired from "
            f"{cust['acquisition_date'].min():%Y-%m-%d} to "
            f"{cust['acquisition_date'].max():%Y-%m-%d}\n"
            f"  transactions     {len(tx) - n_returns:,} purchases and {n_returns:,} returns\n"
            f"  interactions     {len(inter):,} logins, visits and service contacts\n"
            f"  observation_end  {self.observation_end:%Y-%m-%d}\n"
            f"  window_start     {self.window_start:%Y-%m-%d}\n"
            f"  rate_month       {self.rate_month:%Y-%m}"
        )


def churn_data(seed: int = 0) -> ChurnData:
    """The personal data of exercise 03: a small simulated company made from ``seed``.

    A company of 1,000 customers trading from 2023-01-01 to 2024-12-31 is simulated with
    :func:`segkit.datasets.simulate` (with ``beta=700``: customers leave about twice as
    fast as by default, so that every channel's median lifetime lies inside the data).
    Its customers (``customer_id, acquisition_date, region, channel``), transactions
    (purchases and returns) and interactions are kept. Then, with a generator seeded by
    ``[seed, 20241231]``, 30% of the customers are made to have registered 1 to 60 days
    before their first purchase (not before 2023-01-01): their acquisition date moves
    earlier, so that a duration counted from the first purchase differs from one counted
    from acquisition on every seed. The month of task 2 is December 2023, when the
    simulated December rush brings many new customers: more join in it than are lost,
    so the customers at its end are not those at risk at its start. The same seed always
    gives the same data.

    Parameters
    ----------
    seed : int, default 0
        Any whole number >= 0; your own number gives you your own data.

    Returns
    -------
    ChurnData

    Examples
    --------
    >>> data = churn_data(seed=7)
    >>> data.transactions.equals(churn_data(seed=7).transactions)
    True
    >>> first = data.transactions.groupby("customer_id")["timestamp"].min()
    >>> acquired = data.customers.set_index("customer_id")["acquisition_date"]
    >>> bool((acquired <= first).all() and (acquired < first).any())
    True
    """
    from ..datasets import simulate

    seed = check_seed(seed)
    sim = simulate(n_customers=_N_CUSTOMERS, start=_START, end=_END, seed=seed, beta=_BETA)
    rng = np.random.default_rng([seed, _SALT])
    t = sim.tables
    customers = t.customers[["customer_id", "acquisition_date", "region", "channel"]]
    customers = customers.sort_values("customer_id", ignore_index=True)
    n = len(customers)
    early = rng.random(n) < _REGISTERED_SHARE
    days = rng.integers(1, _REGISTERED_DAYS + 1, size=n) * early
    registered = (customers["acquisition_date"] - pd.to_timedelta(days, unit="D")).clip(
        lower=pd.Timestamp(_START))
    customers = customers.assign(acquisition_date=registered)
    tx = t.transactions[["transaction_id", "customer_id", "timestamp", "amount", "is_return"]]
    inter = t.interactions[["customer_id", "timestamp", "kind"]]
    end = pd.Timestamp(_END)
    tables = CustomerData(customers=customers, transactions=tx.reset_index(drop=True),
                          interactions=inter.reset_index(drop=True), observation_end=end,
                          source=f"churn_data(seed={seed})")
    return ChurnData(seed=seed, tables=tables, observation_end=end,
                     window_start=pd.Timestamp(_WINDOW_START),
                     rate_month=pd.Timestamp(_RATE_MONTH))


# ------------------------------------------------------------------- shared helpers


def _fingerprint(frame: pd.DataFrame | None) -> tuple:
    """A key that changes with the content of a table (in a few milliseconds).

    Every value of the number and date columns is hashed, with its position; the text
    columns, slow to hash, are sampled (every 50th row): a change that keeps the shape
    and touches only a few ids is not seen, which only the participant's own edits of
    ``data`` could make.
    """
    if frame is None:
        return ()
    parts: list = [frame.shape, tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes))]
    for c in frame.columns:
        values = frame[c].to_numpy()
        if values.dtype == object:
            values = values[::50]
        h = pd.util.hash_array(values)
        weights = np.arange(1, len(h) + 1, dtype=np.uint64)
        parts.append((int(h.sum()), int((h * weights).sum())))
    return tuple(parts)


class _References:
    """The reference answers of one check call, each computed once per content of the data.

    The data are hashed once per check call (not once per reference); the values are
    kept by :func:`~segkit.exercises.feedback.reference` and shared: never modify them.
    """

    def __init__(self, data: ChurnData):
        self.data = data
        t = data.tables
        self.key = (_fingerprint(t.customers), _fingerprint(t.transactions),
                    _fingerprint(t.interactions), str(t.observation_end),
                    str(data.window_start), str(data.rate_month))

    def get(self, compute: Callable, **options):
        """``compute(self, **options)``, computed once per content of the data."""
        return reference(lambda: compute(self, **options), self.key,
                         what=compute.__qualname__, **options)

    # the answers of the tasks, and what the usual mistakes give
    def threshold(self) -> float:
        return self.get(_threshold)

    def frame(self, **options) -> pd.DataFrame:
        return self.get(_frame, **options)

    def window(self) -> pd.DataFrame:
        return self.get(_frame, window=True)


def _threshold(ref: _References) -> float:
    return choose_threshold(ref.data.tables, quantile=_QUANTILE)


def _frame(ref: _References, window: bool = False, end=None, purchases_only: bool = False,
           unit: str = "M") -> pd.DataFrame:
    """The survival frame in months (task 3), or the window's (task 4), by customer id."""
    data = ref.data
    tables = data.tables
    if purchases_only:
        tables = dataclasses.replace(tables, interactions=None)
    frame = survival_data(tables, threshold_days=ref.threshold(), unit=unit,
                          observation_end=end,
                          window_start=data.window_start if window else None)
    return frame.set_index("customer_id")


def _months(start, end) -> np.ndarray:
    """Calendar months from ``start`` to ``end``, as the survival frames count them."""
    return elapsed(start, end, "M")


def _number(answer, name: str, what: str) -> float:
    """The answer as one number, or a verdict saying why it is not one."""
    if isinstance(answer, pd.Series | pd.DataFrame) and answer.size == 1:
        answer = answer.to_numpy().ravel()[0]
    elif isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.ravel()[0]
    if isinstance(answer, bool | np.bool_):
        raise wrong(f"{name} is {answer}, a yes/no value; the task asks for {what}.")
    if isinstance(answer, pd.Series | pd.DataFrame | pd.Index | np.ndarray | list | tuple
                  | Mapping):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for one number: {what}.")
    if not isinstance(answer, numbers.Real):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for {what}, a number.")
    value = float(answer)
    if not np.isfinite(value):
        raise wrong(f"{name} is {value}; the task asks for {what}, a finite number.")
    return value


def _is(got: float, value: float) -> bool:
    return bool(np.isclose(got, value, rtol=1e-9, atol=1e-9))


def _frame_answer(answer, name: str, expected: pd.DataFrame, columns: tuple[str, ...],
                  whose: str) -> pd.DataFrame:
    """A per-customer answer with ``columns`` as numbers (events as 0/1), on its own ids."""
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for a table with the "
                    f"columns {', '.join(columns)}, one row per customer.")
    missing = [c for c in columns if c not in answer.columns]
    if missing:
        raise wrong(f"{name} has no column(s) {missing}.",
                    "`segkit.churn.survival_data` names them customer_id, entry, duration "
                    "and event.")
    frame = by_customer(answer, name, expected.index)
    if not frame.index.is_unique:
        raise wrong(f"some customer ids appear more than once in {name}.",
                    f"one row per customer {whose}.")
    out = {}
    for c in columns:
        s = frame[c]
        if pd.api.types.is_timedelta64_dtype(s):
            raise wrong(f"the {c} column of {name} holds time spans (Timedelta), not numbers "
                        "of months.", "let `survival_data(..., unit='M')` count the calendar "
                        "months.")
        if c == "event":
            if pd.api.types.is_bool_dtype(s) and not s.isna().any():
                out[c] = s.astype(np.int64)
                continue
            values = pd.to_numeric(s, errors="coerce")
            if values.isna().any() or not values.isin([0, 1]).all():
                raise wrong(f"the event column of {name} should hold 1 (churned) or 0 "
                            "(censored) for every customer.")
            out[c] = values.astype(np.int64)
        else:
            values = pd.to_numeric(s, errors="coerce")
            if values.isna().any() or pd.api.types.is_bool_dtype(s):
                raise wrong(f"the {c} column of {name} should hold numbers (months).")
            out[c] = values.astype(float)
    return pd.DataFrame(out, index=frame.index)


def _same(got: pd.DataFrame, candidate: pd.DataFrame, atol: float = 1e-6) -> bool:
    """Same rows and the same values in every column of ``got`` (events exactly)."""
    if len(got) != len(candidate) or not got.index.isin(candidate.index).all():
        return False
    cand = candidate.loc[got.index]
    for c in got.columns:
        if c == "event":
            if not (got[c].to_numpy() == cand[c].to_numpy().astype(np.int64)).all():
                return False
        elif not np.isclose(got[c].to_numpy(), cand[c].to_numpy(dtype=float), rtol=0,
                            atol=atol).all():
            return False
    return True


def _differences(got: pd.DataFrame, expected: pd.DataFrame, name: str) -> str:
    """Which column of ``got`` differs from ``expected``, for how many customers."""
    for c in got.columns:
        a, b = got[c].to_numpy(dtype=float), expected.loc[got.index, c].to_numpy(dtype=float)
        bad = ~np.isclose(a, b, rtol=0, atol=1e-6)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return (f"the {c} of {plural(int(bad.sum()), 'customer')} in {name} differs (e.g. "
                    f"customer {got.index[i]}: yours {a[i]:.4g}, expected {b[i]:.4g}).")
    return f"{name} differs."  # pragma: no cover - called only when something differs


# ------------------------------------------------------------------------- task 1


def _gap_days(rows: pd.DataFrame) -> pd.Series:
    """Days between consecutive distinct days of each customer in ``rows``."""
    days = pd.DataFrame({"customer_id": rows["customer_id"].to_numpy(),
                         "day": rows["timestamp"].dt.normalize().to_numpy()})
    days = days.drop_duplicates().sort_values(["customer_id", "day"], kind="stable")
    gaps = days.groupby("customer_id", sort=False)["day"].diff().dt.days
    return pd.Series(gaps.to_numpy(dtype=float), index=days["customer_id"].to_numpy()).dropna()


def _threshold_mistakes(ref: _References) -> dict[str, float]:
    """The unrounded values that the usual mistakes of task 1 give, in days."""
    data = ref.data
    pooled = inter_purchase_days(data.tables).to_numpy()
    tx = data.transactions
    bought = purchases(tx)
    means = _gap_days(bought).groupby(level=0).mean()
    activity = pd.concat([bought[["customer_id", "timestamp"]],
                          data.interactions[["customer_id", "timestamp"]]])
    return {
        "right": float(np.quantile(pooled, _QUANTILE)),
        "weeks": float(np.ceil(np.quantile(pooled, _QUANTILE))) / 7,
        "means": float(np.quantile(means.to_numpy(), _QUANTILE)),
        "median": float(np.median(pooled)),
        "mean": float(pooled.mean()),
        "returns": float(np.quantile(_gap_days(tx).to_numpy(), _QUANTILE)),
        "activity": float(np.quantile(_gap_days(activity).to_numpy(), _QUANTILE)),
    }


def _near(got: float, raw: float) -> bool:
    """``got`` is ``raw``, or ``raw`` rounded to whole days in any direction."""
    return any(_is(got, v) for v in (raw, np.ceil(raw), np.floor(raw), np.round(raw)))


@task(
    1,
    start="call `segkit.churn.choose_threshold` on `data.tables` with `quantile=0.9`.",
    hint="`segkit.churn.choose_threshold(data.tables, quantile=0.9)`: the 90% quantile of "
    "the days between consecutive purchase days of each customer, all customers' gaps "
    "pooled, rounded up to whole days.",
)
def _task_1(answer, data: ChurnData) -> str:
    """Task 1: the narrow-churn threshold, the 90% quantile of the gaps between purchases."""
    ref = _References(data)
    expected = ref.threshold()
    got = _number(answer, "answer_1", "a number of days")
    if _is(got, expected):
        labels = ref.get(_labels)
        share = float(labels["churned"].mean())
        return (f"{expected:g} days: nine gaps in ten between two purchases of a customer "
                f"are shorter. A customer silent for {expected:g} days is declared churned "
                f"on that day; by {data.observation_end:%Y-%m-%d}, {share:.0%} of the "
                "customers are.")
    raw = ref.get(_threshold_mistakes)
    if _is(got, raw["right"]) or (not float(got).is_integer() and np.ceil(got) == expected):
        raise wrong(f"answer_1 is {got:.4g} days, not rounded up to whole days.",
                    f"round it up, as `choose_threshold` does: {expected:g} days.")
    known = [
        ("weeks", "answer_1 is in weeks; the threshold is a number of days.",
         "keep the gaps in days: `choose_threshold` returns days."),
        ("means", "answer_1 is the 90% quantile of each customer's mean gap. The threshold "
         "is a quantile of the pooled gaps: every gap between two purchase days of a "
         "customer, all customers' gaps together, so that a customer who buys often and "
         "one who buys rarely both count each of their pauses.",
         "`segkit.churn.inter_purchase_days(data.tables)` gives the pooled gaps."),
        ("median", "answer_1 is the median gap: half of the pauses between two purchases "
         "are longer, so half of the customers who were only pausing would be declared "
         "churned (false churn).", "take a high quantile: `quantile=0.9`."),
        ("mean", "answer_1 is the mean gap: many pauses between two purchases are longer, "
         "so customers who were only pausing would be declared churned (false churn).",
         "take a high quantile of the gaps: `quantile=0.9`."),
        ("returns", "the returns were counted as purchases: a return is not a sign of "
         "life as a buyer, and it shortens the gaps.",
         "keep the purchase lines (`is_return` False), as `choose_threshold` does."),
        ("activity", "the interactions were counted too: the task asks for the gaps "
         "between purchases, which are much longer than those between logins and visits.",
         "use the transactions' purchase days only: `choose_threshold(data.tables)`."),
    ]
    for key, message, hint in known:
        if _near(got, raw[key]):
            raise wrong(message, hint)
    raise wrong(f"answer_1 is {got:g} days; the expected threshold is a different number "
                "of days.")


def _labels(ref: _References) -> pd.DataFrame:
    return narrow_churn(ref.data.tables, ref.threshold())


# ------------------------------------------------------------------------- task 2


def _rate_mistakes(ref: _References) -> dict[str, float]:
    """The churn rate of task 2, its parts, and what the usual mistakes give."""
    data = ref.data
    rates = churn_rate(data.tables, freq="M", threshold_days=ref.threshold()) \
        .set_index("period_start")
    m0 = data.rate_month
    m1 = m0 + pd.offsets.MonthBegin(1)
    row = rates.loc[m0]
    at_risk, lost = float(row["at_risk"]), float(row["churned"])
    labels = ref.get(_labels)
    acq = acquisition_dates(data.tables).reindex(labels.index)
    churn_date = labels["churn_date"]
    new = float(((acq >= m0) & (acq < m1)).sum())
    at_end = float(((acq < m1) & ~(churn_date < m1)).sum())
    by_end = float((acq < m1).sum())
    last = labels["last_activity"].where(labels["churned"])
    risk_last = float(((acq < m0) & ~(last < m0)).sum())
    lost_last = float(((last >= m0) & (last < m1) & (acq < m0)).sum())
    rate = lost / at_risk
    return {"rate": rate, "at_risk": at_risk, "lost": lost, "new": new,
            "end": lost / at_end, "with_new": lost / (at_risk + new),
            "everyone": lost / by_end, "percent": 100 * rate, "retention": 1 - rate,
            "last_activity": lost_last / risk_last}


@task(
    2,
    start="call `segkit.churn.churn_rate` on `data.tables` with `freq='M'` and the "
    "threshold of task 1, and read the row of `data.rate_month`.",
    hint="`rates = segkit.churn.churn_rate(data.tables, freq='M', threshold_days=answer_1)`; "
    "then `rates.set_index('period_start').loc[data.rate_month, 'churn_rate']`: the "
    "customers declared churned in the month divided by those at risk at its start.",
)
def _task_2(answer, data: ChurnData) -> str:
    """Task 2: the churn rate of one month: lost in the month / at risk at its start."""
    ref = _References(data)
    got = _number(answer, "answer_2", "the churn rate of the month, a fraction")
    v = ref.get(_rate_mistakes)
    month = f"{data.rate_month:%Y-%m}"
    if _is(got, v["rate"]):
        return (f"{num(v['lost'])} of the {num(v['at_risk'])} customers at risk on "
                f"{data.rate_month:%Y-%m-%d} were declared churned in {month}: a churn "
                f"rate of {v['rate']:.2%}.")
    known = [
        (v["end"], "the base is the customers at the end of the month. The churn rate "
         "divides the customers lost in the month by those at risk at its start: those "
         "lost were part of it, and those acquired during the month were not.",
         "divide by the `at_risk` of the month (customers at its start)."),
        (v["with_new"], "the customers acquired during the month were counted as at risk. "
         "Only the customers at the start of the month can be lost in it: those who joined "
         "during it are at risk from the next month on.",
         "divide by the `at_risk` of the month (customers at its start)."),
        (v["everyone"], "the base is every customer acquired by the end of the month, those "
         "lost before it and those acquired during it included. A customer lost earlier "
         "cannot be lost again, and one acquired during the month is not yet at risk.",
         "divide by the customers at risk at the start of the month: acquired before it "
         "and not yet churned."),
        (v["percent"], f"answer_2 is a percentage ({got:g}); the task asks for a fraction.",
         "give the rate as a fraction: 0.05, not 5."),
        (v["retention"], "answer_2 is the retention rate (customers kept / at risk), one "
         "minus the churn rate.", "count the customers lost in the month."),
        (v["lost"], "answer_2 is the number of customers lost in the month; the task asks "
         "for the rate.", "divide it by the customers at risk at the start of the month."),
        (v["last_activity"], "the customers were counted as lost in the month of their "
         "last activity. Narrow churn is declared threshold days after the last activity: "
         "that is the month they are lost in.",
         "use the `churn_date` of `segkit.churn.narrow_churn`, as `churn_rate` does."),
    ]
    for value, message, hint in known:
        if _is(got, value):
            raise wrong(message, hint)
    if not 0 <= got <= 1:
        raise wrong(f"answer_2 is {got:g}, not a rate between 0 and 1.")
    raise wrong(f"answer_2 is {got:.4g}; the churn rate of {month} differs.")


# ------------------------------------------------------------------------- task 3


_FRAME_COLS = ("duration", "event")


def _frame_mistakes(ref: _References) -> dict[str, pd.DataFrame]:
    """The frames (duration, event by customer) that the usual mistakes of task 3 give."""
    data = ref.data
    right = ref.frame()
    labels = ref.get(_labels).reindex(right.index)
    tx = purchases(data.transactions)
    first = tx.groupby("customer_id")["timestamp"].min().reindex(right.index)
    last_buy = tx.groupby("customer_id")["timestamp"].max().reindex(right.index)
    origin, exit_date = right["origin"], right["exit_date"]
    censored = right["event"] == 0
    to_last = _months(origin, labels["last_activity"])
    days = elapsed(origin, exit_date, "D")
    out = {
        "all_events": right.assign(event=1),
        "swapped": right.assign(event=1 - right["event"]),
        "first_purchase": right.assign(duration=_months(first, exit_date)),
        "censored_last_activity": right.assign(
            duration=np.where(censored, to_last, right["duration"])),
        "censored_last_purchase": right.assign(
            duration=np.where(censored, _months(origin, last_buy), right["duration"])),
        "no_delay": right.assign(duration=np.where(censored, right["duration"], to_last)),
        "days": right.assign(duration=days),
        "weeks": right.assign(duration=days / 7),
        "30_day_months": right.assign(duration=days / 30),
        "mean_months": right.assign(duration=days / 30.4375),
        "purchases_only": ref.frame(purchases_only=True),
    }
    return {k: v[list(_FRAME_COLS)] for k, v in out.items()}


def _today() -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def _today_frames(ref: _References, today: str) -> list[pd.DataFrame]:
    """The frames of task 3 at today's date: with survival_data, and by hand."""
    right = ref.frame()
    censored = (right["event"] == 0).to_numpy()
    by_hand = right.assign(duration=np.where(
        censored, _months(right["origin"], pd.Timestamp(today)), right["duration"]))
    return [_frame(ref, end=pd.Timestamp(today))[list(_FRAME_COLS)],
            by_hand[list(_FRAME_COLS)]]


def _today_mistake(got: pd.DataFrame, ref: _References) -> None:
    """Raise the verdict of a frame computed at today's date instead of the observation end.

    Compared to a day and a half: a frame made at ``pd.Timestamp.now()`` holds the time
    of day, and the check may run the day after the answer.
    """
    today, end = _today(), ref.data.observation_end
    if today <= end:
        return
    at_today, by_hand = ref.get(_today_frames, today=str(today.date()))
    if _same(got, at_today, atol=0.05):
        raise wrong(f"answer_3 was computed at today's date {today:%Y-%m-%d}, not at the "
                    f"observation end {end:%Y-%m-%d}: every customer looks churned, and the "
                    "censored ones are followed past the end of the data.",
                    "pass `observation_end=data.observation_end`, or leave it out: "
                    "`survival_data` defaults to the data's own end, never today.")
    if _same(got, by_hand, atol=0.05):
        raise wrong(f"the censored customers are followed to today's date {today:%Y-%m-%d}, "
                    f"past the observation end {end:%Y-%m-%d}. (lifelines' "
                    "`datetimes_to_durations` fills missing end dates with today unless "
                    "given `fill_date`.)",
                    "end the durations of the censored customers at `data.observation_end`.")


@task(
    3,
    start="call `segkit.churn.survival_data` on `data.tables` with the threshold of task 1 "
    "and `unit='M'`.",
    hint="`segkit.churn.survival_data(data.tables, threshold_days=answer_1, unit='M')`: one "
    "row per customer, duration in months from acquisition to the churn date (last "
    "activity + threshold, event 1) or to the observation end (censored, event 0).",
)
def _task_3(answer, data: ChurnData) -> str:
    """Task 3: the survival frame at the observation end: duration in months and event."""
    ref = _References(data)
    right = ref.frame()
    expected = right[list(_FRAME_COLS)]
    got = _frame_answer(answer, "answer_3", expected, _FRAME_COLS, "acquired by the end")
    ids = expected.index
    missing, extra = ids.difference(got.index), got.index.difference(ids)
    if len(extra):
        _today_mistake(got, ref)
        raise wrong(f"answer_3 has {plural(len(extra), 'customer')} that the survival frame "
                    f"does not hold (e.g. {extra[0]}).", "one row per customer acquired before the "
                    "observation end (a customer acquired on it has no time to be observed).")
    if len(missing):
        raise wrong(f"{plural(len(missing), 'customer')} missing from answer_3 (e.g. "
                    f"{missing[0]}).", "keep every customer: the censored ones too (event 0).")
    if _same(got, expected):
        n = len(expected)
        churned = int(expected["event"].sum())
        return (f"{n:,} customers, {churned:,} churned (event 1) and {n - churned:,} censored "
                f"at {data.observation_end:%Y-%m-%d} (event 0), followed for "
                f"{expected['duration'].mean():.1f} months on average.")
    wrongs = ref.get(_frame_mistakes)
    n_registered = int((wrongs["first_purchase"]["duration"] != expected["duration"]).sum())
    known = [
        ("all_events", "every customer is marked as churned (event 1). The customers still "
         "active at the observation end have not churned: they are censored, event 0, and "
         "their duration runs to the observation end.",
         "event is 1 only when narrow churn was declared by the observation end."),
        ("swapped", "event is 1 for the censored customers and 0 for those who churned: "
         "the wrong way round.", "event is 1 for churn, 0 for censored."),
        ("first_purchase", f"the durations count from each customer's first purchase. They "
         f"count from acquisition (`acquisition_date` in `data.customers`): "
         f"{n_registered:,} customers registered before their first purchase.",
         "measure from `acquisition_date`, as `survival_data` does (column `origin`)."),
        ("censored_last_activity", "the durations of the censored customers end at their "
         "last activity. A censored customer was watched, and did not churn, until the "
         "observation end: that is where their duration ends.",
         "end the durations of the censored customers at `data.observation_end`."),
        ("censored_last_purchase", "the durations of the censored customers end at their "
         "last purchase. A censored customer was watched, and did not churn, until the "
         "observation end: that is where their duration ends.",
         "end the durations of the censored customers at `data.observation_end`."),
        ("no_delay", "the durations of the churned customers end at their last activity. "
         "Narrow churn is declared only when the threshold has passed without activity: "
         "the event happens on the churn date, last activity + threshold.",
         "end the durations of the churned customers at their `churn_date` "
         "(`segkit.churn.narrow_churn`), as `survival_data` does."),
        ("days", "the durations are in days; the task asks for months.",
         "pass `unit='M'`: calendar months."),
        ("weeks", "the durations are in weeks; the task asks for months.",
         "pass `unit='M'`: calendar months."),
        ("30_day_months", "the months have 30 days. The survival frames count calendar "
         "months, as a billing system does: 2024-01-15 to 2024-04-15 is 3.0 months.",
         "pass `unit='M'` to `survival_data` (or use `segkit.churn.elapsed`)."),
        ("mean_months", "the months have a fixed length of 30.4375 days (365.25 / 12). The "
         "survival frames count calendar months, as a billing system does: 2024-01-15 to "
         "2024-04-15 is 3.0 months.",
         "pass `unit='M'` to `survival_data` (or use `segkit.churn.elapsed`)."),
        ("purchases_only", "only the purchases were counted as activity. Narrow churn is no "
         "purchase *and* no interaction for the threshold: a customer who still logs in or "
         "visits has not churned.",
         "count the interactions too, as `survival_data` and `narrow_churn` do."),
    ]
    for key, message, hint in known:
        if _same(got, wrongs[key]):
            raise wrong(f"answer_3: {message}", hint)
    _today_mistake(got, ref)
    bad = got["event"].to_numpy() != expected.loc[got.index, "event"].to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise wrong(f"the event of {plural(int(bad.sum()), 'customer')} in answer_3 differs "
                    f"(e.g. customer {got.index[i]}: yours {got['event'].iloc[i]}, expected "
                    f"{expected.loc[got.index[i], 'event']}).")
    raise wrong(f"answer_3: {_differences(got, expected, 'answer_3')}")


# ------------------------------------------------------------------------- task 4


_WINDOW_COLS = ("entry", "duration", "event")


def _window_in_days(ref: _References) -> pd.DataFrame:
    """The frame of task 4 in days (``survival_data(..., unit="D")``)."""
    right = ref.window()
    return right.assign(
        entry=np.maximum(elapsed(right["origin"], ref.data.window_start, "D"), 0.0),
        duration=elapsed(right["origin"], right["exit_date"], "D"))


def _window_mistakes(ref: _References) -> dict[str, pd.DataFrame]:
    """The frames (entry, duration, event) that the usual mistakes of task 4 give."""
    right = ref.window()
    ws = ref.data.window_start
    origin = right["origin"]
    out = {
        "entry_zero": right.assign(entry=0.0),
        "negative_entry": right.assign(entry=_months(origin, ws)),
        "clock_reset": right.assign(duration=_months(origin.clip(lower=ws),
                                                     right["exit_date"]), entry=0.0),
        "entry_days": right.assign(entry=np.maximum(elapsed(origin, ws, "D"), 0.0)),
        "days": _window_in_days(ref),
    }
    return {k: v[list(_WINDOW_COLS)] for k, v in out.items()}


@task(
    4,
    start="call `segkit.churn.survival_data` as in task 3, with "
    "`window_start=data.window_start`.",
    hint="`segkit.churn.survival_data(data.tables, threshold_days=answer_1, unit='M', "
    "window_start=data.window_start)`: the customers still active at the window start, "
    "time still counted from acquisition, and `entry` their age at the window start (0 "
    "for those acquired later).",
)
def _task_4(answer, data: ChurnData) -> str:
    """Task 4: the survival frame of the analysis window, with late entry (entry)."""
    ref = _References(data)
    right = ref.window()
    expected = right[list(_WINDOW_COLS)]
    got = _frame_answer(answer, "answer_4", expected, _WINDOW_COLS,
                        "active at the window start")
    ws = f"{data.window_start:%Y-%m-%d}"
    ids = expected.index
    missing, extra = ids.difference(got.index), got.index.difference(ids)
    late = ids[expected["entry"].to_numpy() > 0]
    whole = ref.frame()
    gone = whole.index[whole["exit_date"].to_numpy() <= np.datetime64(data.window_start)]
    if len(missing) and not len(extra) and set(missing) == set(late):
        raise wrong(f"the {plural(len(late), 'customer')} acquired before {ws} and still "
                    "active then are missing. They are the late entrants of the window "
                    "(left truncation): keep them, entering at their age on that day.",
                    "keep every customer still active at the window start, with `entry` "
                    "their age then (`window_start=` does it).")
    if len(extra) and not len(missing) and extra.isin(gone).all():
        raise wrong(f"answer_4 keeps {plural(len(extra), 'customer')} who churned by the "
                    f"window start {ws} (e.g. {extra[0]}). A window observes only the "
                    "customers still at risk when it opens.",
                    "drop the customers whose churn date is on or before the window start.")
    if len(extra):
        raise wrong(f"answer_4 has {plural(len(extra), 'customer')} that the window's frame "
                    f"does not hold (e.g. {extra[0]}).", "one row per customer acquired "
                    "before the observation end and still active at the window start.")
    if len(missing):
        raise wrong(f"{plural(len(missing), 'customer')} missing from answer_4 (e.g. "
                    f"{missing[0]}).", "keep every customer still active at the window start, "
                    "those acquired before it included.")
    if _same(got, expected):
        return (f"{len(expected):,} customers at risk in the window from {ws}: "
                f"{len(late):,} acquired before it enter late (entry > 0), "
                f"{len(expected) - len(late):,} acquired in it enter at 0; "
                f"{plural(len(gone), 'customer')} who churned by {ws} are left out.")
    wrongs = ref.get(_window_mistakes)
    known = [
        ("entry_zero", "entry is 0 for every customer. A customer acquired before the "
         "window start could only be seen in the window because they were still active "
         "then: they enter the risk set at their age on the window start (left "
         "truncation), or the model counts them at risk from acquisition, when they "
         "could not have been seen churning.",
         "pass `window_start=data.window_start` to `survival_data`: it sets `entry`."),
        ("negative_entry", "the customers acquired after the window start have a negative "
         "entry. They enter at age 0, at acquisition.",
         "entry is the age at the window start, and 0 for those acquired later."),
        ("clock_reset", "the time of the customers acquired before the window start "
         "counts from the window start. Time counts from acquisition for everyone; a late "
         "entrant enters at their age on the window start.",
         "keep the durations from acquisition and set `entry` (`window_start=` does it)."),
        ("entry_days", "entry is in days and the durations in months.",
         "count entry in months too: `unit='M'`."),
        ("days", "entry and the durations are in days; the task asks for months.",
         "pass `unit='M'`."),
    ]
    for key, message, hint in known:
        if _same(got, wrongs[key]):
            raise wrong(f"answer_4: {message}", hint)
    raise wrong(f"answer_4: {_differences(got, expected, 'answer_4')}")


# ------------------------------------------------------------------------- task 5


def _km_medians(frame: pd.DataFrame, entry: bool) -> pd.Series:
    """Kaplan-Meier medians by channel with lifelines itself (no log-rank test: faster)."""
    from lifelines import KaplanMeierFitter

    out = {}
    for channel, rows in frame.groupby("channel", sort=True):
        f = KaplanMeierFitter().fit(rows["duration"], rows["event"],
                                    entry=rows["entry"] if entry else None)
        out[channel] = f.median_survival_time_
    return pd.Series(out, dtype=float)


def _medians(ref: _References, which: str = "right") -> pd.Series:
    """Median lifetime by channel: the answer of task 5 and what the mistakes give."""
    window = ref.window()
    if which == "right":
        m = kaplan_meier(window, "channel", entry_col="entry").medians
    elif which == "no_entry":
        m = _km_medians(window, entry=False)
    elif which == "days":
        m = _km_medians(_window_in_days(ref), entry=True)
    else:
        rows = window.loc[window["event"] == 1] if which.startswith("churners") else window
        how = which.rsplit("_", 1)[1]
        m = rows.groupby("channel")["duration"].agg(how)
    return m.astype(float).rename("median").rename(index=str)


def _per_channel(answer, name: str) -> pd.Series:
    """The answer as one number per channel."""
    if isinstance(answer, KaplanMeierResult):
        answer = answer.medians
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if isinstance(answer, pd.DataFrame):
        numeric = [c for c in answer.columns if pd.api.types.is_numeric_dtype(answer[c])]
        if answer.shape[1] != 1 or len(numeric) != 1:
            raise wrong(f"{name} is {type_name(answer)}; the task asks for one median per "
                        "channel.", "`km.medians` is a Series indexed by channel.")
        answer = answer[numeric[0]]
    if not isinstance(answer, pd.Series):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for the median lifetime "
                    "of each channel, a Series (or dict) indexed by channel.")
    answer = answer.rename(index=str)
    missing = [c for c in _CHANNELS if c not in answer.index]
    if missing:
        raise wrong(f"{name} has no value for {missing}.",
                    f"index the medians by channel: {list(_CHANNELS)}.")
    got = pd.to_numeric(answer.loc[list(_CHANNELS)], errors="coerce").astype(float)
    if got.isna().any():
        raise wrong(f"the values of {name} should be numbers (months).")
    return got


def _close_series(got: pd.Series, candidate: pd.Series, rtol: float = _RTOL) -> bool:
    c = candidate.reindex(got.index).to_numpy(dtype=float)
    return bool(np.isclose(got.to_numpy(), c, rtol=rtol, atol=1e-9).all())


@task(
    5,
    start="call `segkit.churn.kaplan_meier` on the frame of task 4, by `channel`, with "
    "`entry_col='entry'`.",
    hint="`km = segkit.churn.kaplan_meier(answer_4, 'channel', entry_col='entry')`; "
    "`km.medians` holds each channel's median lifetime in months: Kaplan-Meier counts the "
    "censored customers as at risk until their end, and each customer only from entry on.",
)
def _task_5(answer, data: ChurnData) -> str:
    """Task 5: the Kaplan-Meier median lifetime of each channel, with late entry."""
    ref = _References(data)
    got = _per_channel(answer, "answer_5")
    expected = ref.get(_medians)
    if _close_series(got, expected):
        naive = ref.get(_medians, which="no_entry").reindex(expected.index)
        parts = ", ".join(f"{c} {expected[c]:.1f}" for c in _CHANNELS)
        return (f"median lifetime in months: {parts}. Without the late entry it would be "
                f"{(naive - expected).min():.1f} to {(naive - expected).max():.1f} months "
                "longer.")
    known = [
        ("no_entry", "the late entry was ignored: the customers acquired before the window "
         "start were counted at risk from acquisition on, when they could not have been "
         "seen churning, so the curves fall too slowly and the medians are too long.",
         "pass `entry_col='entry'`."),
        ("churners_mean", "answer_5 is the mean duration of the churned customers: it "
         "ignores the censored customers, who lived at least as long as their duration, "
         "and the late entry.", "estimate the survival curve with Kaplan-Meier and take "
         "its median."),
        ("churners_median", "answer_5 is the median duration of the churned customers: it "
         "ignores the censored customers, who lived at least as long as their duration, "
         "and the late entry.", "estimate the survival curve with Kaplan-Meier and take "
         "its median."),
        ("all_median", "answer_5 is the median of the durations, censored or not: a "
         "censored duration is only a lower bound of the lifetime.",
         "estimate the survival curve with Kaplan-Meier and take its median."),
        ("all_mean", "answer_5 is the mean of the durations, censored or not: a censored "
         "duration is only a lower bound of the lifetime.",
         "estimate the survival curve with Kaplan-Meier and take its median."),
        ("days", "the medians are in days; the frame of task 4 is in months.",
         "use the frame of task 4 as it is."),
    ]
    for which, message, hint in known:
        if _close_series(got, ref.get(_medians, which=which)):
            raise wrong(message, hint)
    bad = [c for c in _CHANNELS if not np.isclose(got[c], expected[c], rtol=_RTOL)]
    raise wrong(f"answer_5 differs for {', '.join(bad)} (e.g. {bad[0]}: yours "
                f"{got[bad[0]]:.4g}, expected {expected[bad[0]]:.4g} months).")


# ------------------------------------------------------------------------- task 6


_HR = ("hazard_ratio", "lower", "upper")


def _with_cohort(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``cohort``: the year of acquisition, as text."""
    return frame.assign(cohort=frame["origin"].dt.year.astype(str))


def _cox(ref: _References, which: str = "right") -> pd.Series:
    """The 2024 cohort's hazard ratio of task 6 (``hazard_ratio, lower, upper``), or what
    the usual mistakes fit."""
    frame = _with_cohort(ref.window())
    covariates = ["cohort", "region", "channel"] if which == "all" else ["cohort"]
    entry = "entry" if which in ("right", "all") else None
    model = CoxModel().fit(frame, entry_col=entry, covariate_cols=covariates)
    return model.hazard_ratios_.loc[_CONTRAST, list(_HR)].astype(float)


def _ratio_answer(answer, name: str) -> pd.Series:
    """The answer as ``hazard_ratio, lower, upper``."""
    if isinstance(answer, CoxModel):
        if not hasattr(answer, "hazard_ratios_"):
            raise wrong(f"{name} is a CoxModel that is not fitted yet.",
                        "fit it: `CoxModel().fit(frame, entry_col='entry', "
                        "covariate_cols=['cohort'])`.")
        answer = answer.hazard_ratios_
    if isinstance(answer, pd.DataFrame):
        row = next((r for r in (_CONTRAST, "cohort") if r in answer.index), None)
        if row is None:
            raise wrong(f"{name} is {type_name(answer)} without a row {_CONTRAST!r}; the "
                        "task asks for the 2024 cohort's hazard ratio and its interval.",
                        f"take the row: `hazard_ratios_.loc['{_CONTRAST}']`.")
        answer = answer.loc[row]
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if isinstance(answer, list | tuple | np.ndarray) and np.ndim(answer) == 1 \
            and len(answer) == 3:
        answer = pd.Series(list(answer), index=list(_HR), dtype=object)
    if not isinstance(answer, pd.Series):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for a dict with the keys "
                    "'hazard_ratio', 'lower' and 'upper'.")
    missing = [k for k in _HR if k not in answer.index]
    if missing:
        raise wrong(f"{name} has no value for {missing}.",
                    "use the keys 'hazard_ratio', 'lower' and 'upper' (the columns of "
                    "`hazard_ratios_`).")
    got = pd.to_numeric(answer.loc[list(_HR)], errors="coerce").astype(float)
    if got.isna().any():
        raise wrong(f"the values of {name} should be numbers.")
    return got


@task(
    6,
    start="add a column `cohort`, the year of acquisition as text, to the frame of task 4; "
    "fit `segkit.churn.CoxModel()` on it with `entry_col='entry'` and "
    "`covariate_cols=['cohort']`, and read its `hazard_ratios_`.",
    hint="`frame = answer_4.assign(cohort=answer_4['origin'].dt.year.astype(str))`; "
    "`cox = segkit.churn.CoxModel().fit(frame, entry_col='entry', "
    "covariate_cols=['cohort'])`; then `cox.hazard_ratios_.loc['cohort=2024', "
    "['hazard_ratio', 'lower', 'upper']]`: the 2024 cohort against the 2023 cohort, the "
    "baseline.",
)
def _task_6(answer, data: ChurnData) -> str:
    """Task 6: the Cox hazard ratio of the 2024 cohort against 2023, with late entry."""
    ref = _References(data)
    got = _ratio_answer(answer, "answer_6")
    expected = ref.get(_cox)
    if _close_series(got, expected, _COX_RTOL):
        hr, lo, hi = expected
        naive = ref.get(_cox, which="no_entry")["hazard_ratio"]
        side = ("churns faster" if lo > 1 else "churns more slowly" if hi < 1
                else "is not clearly different: the interval holds 1")
        return (f"at the same age, the 2024 cohort churns at {hr:.2f} times the hazard of "
                f"the 2023 cohort (95% interval {lo:.2f} to {hi:.2f}): it {side}. "
                f"Without the late entry it would seem {naive:.2f} times: the 2023 customers "
                "would be counted at risk through 2023, when none of them could have been "
                "seen churning.")
    inverse = pd.Series([1 / expected["hazard_ratio"], 1 / expected["upper"],
                         1 / expected["lower"]], index=list(_HR))
    known = [
        (lambda: ref.get(_cox, which="no_entry"), "the late entry was ignored. The 2023 "
         "customers are in the window because they were still active on its first day: "
         "counted at risk from acquisition on, they add a year in which none of them could "
         "have been seen churning (immortal time), and the 2023 cohort looks more loyal "
         "than it is.", "pass `entry_col='entry'`."),
        (lambda: np.log(expected), "these are log hazard ratios (the coefficient `coef`); "
         "the task asks for the hazard ratio, exp(coef).",
         "read the columns hazard_ratio, lower and upper."),
        (lambda: inverse, "answer_6 is the 2023 cohort against 2024 (1 / the hazard ratio); "
         "the task asks for 2024 against 2023, the baseline.", f"read the row {_CONTRAST!r}."),
        (lambda: ref.get(_cox, which="all"), "the model also holds region and channel: "
         "`CoxModel.fit` takes every other column of the frame as a covariate unless told "
         "which.", "pass `covariate_cols=['cohort']`."),
    ]
    for candidate, message, hint in known:
        if _close_series(got, candidate(), _COX_RTOL):
            raise wrong(f"answer_6: {message}", hint)
    if np.isclose(got["hazard_ratio"], expected["hazard_ratio"], rtol=_COX_RTOL):
        raise wrong(f"the hazard ratio is right, but the interval is not its 95% interval "
                    f"({expected['lower']:.4g} to {expected['upper']:.4g}).",
                    "read the columns lower and upper of `hazard_ratios_`.")
    raise wrong(f"answer_6 differs: yours {got['hazard_ratio']:.4g} "
                f"({got['lower']:.4g} to {got['upper']:.4g}), expected a different hazard "
                "ratio.")


# ------------------------------------------------------------------------ the checks


class Exercise03Checks(Checks):
    """The checks of exercise 03, *Churn as survival* (used as ``check_03``).

    Each ``task_<n>(answer, data)`` compares the participant's answer with the reference
    computed from the same ``data`` (see :func:`churn_data`) and returns a
    :class:`~segkit.exercises.feedback.Feedback`.
    """

    data_type = ChurnData
    tasks = (_task_1, _task_2, _task_3, _task_4, _task_5, _task_6)


#: The checks of exercise 03: ``check_03.task_1(answer_1, data)``, ...
check_03 = Exercise03Checks()

#: This exercise, for the registry of :mod:`segkit.exercises`.
EXERCISE = Exercise("03_survival", "Churn as survival", churn_data, check_03)
