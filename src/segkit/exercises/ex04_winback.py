"""Exercise 04, *Lost customers and win-back*: its personal data, and each task's check.

The participant builds the lost-customer database (战败客户库) of one half-year under
narrow churn and keeps the customers who were not won back, reads their loss reasons
within each former tier, measures one win-back offer's effect against control with a 95%
interval from the randomised campaign rows only, evaluates a given uplift score by
uplift at 30% and the Qini area, and chooses whom to contact with which offer within a
budget (好钢用在刀刃上). Each task below is one check function, with the hints of the
task above it (``start``: where to start, the hint of "Not done yet"; ``hint``: the
detailed hint of an answer that is off in no recognisable way), and the plausible wrong
answers it recognises listed in it as data. Every expected answer is computed with
:mod:`segkit.winback` from the participant's seeded data.

Examples
--------
>>> data = winback_data(seed=1)
>>> print(check_04.task_1(None, data))  # doctest: +ELLIPSIS
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

from ..schema import CustomerData
from ..winback import allocate, loss_reasons, lost_customers, offer_effects, qini_auc, uplift_at_k
from ..winback.lost import LossReasons
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
    "WinbackData",
    "winback_data",
    "Exercise04Checks",
    "check_04",
]


# --------------------------------------------------------------------------- data


_N_CUSTOMERS = 1000
_START, _END = "2023-01-01", "2024-12-31"
#: The half-year whose lost customers tasks 1 and 2 ask for.
_PERIOD = ("2024-01-01", "2024-06-30")
#: The narrow-churn threshold (days without a purchase or an interaction).
_THRESHOLD = 90
_OFFERS = ("discount_10", "discount_25", "service_call")
#: The cost of one contact with each offer in task 5.
_OFFER_COSTS = {"discount_10": 3.0, "discount_25": 8.0, "service_call": 15.0}
#: Mean and spread of the predicted uplift of each offer in task 5.
_UPLIFT_MEAN = {"discount_10": 0.04, "discount_25": 0.08, "service_call": 0.07}
_UPLIFT_SD = 0.06
#: Share of the positive-value candidates the budget of task 5 could reach with the
#: middle offer.
_BUDGET_SHARE = 0.3
#: The staff-picked (not randomised) win-back campaign added to the data.
_PICKED_CAMPAIGN, _PICKED_DAY, _PICKED_N, _PICKED_RATE = "VIP-2024-07", "2024-07-01", 60, 0.5
#: The score of task 4: the true uplift plus noise of this spread.
_SCORE_NOISE = 0.05
#: The fraction targeted in uplift at k (task 4).
_K = 0.3
_SALT = 20240704  # documented in winback_data


@dataclass(eq=False)
class WinbackData:
    """The personal data of exercise 04, made from a seed (see :func:`winback_data`).

    Attributes
    ----------
    seed : int
    tables : segkit.CustomerData
        The company's tables, as every function of :mod:`segkit.winback` takes them:
        ``customers``, ``transactions``, ``interactions``, ``complaints``, ``exits``,
        ``costs`` and ``campaigns`` (win-back campaign rows, ``randomised`` True or False).
    threshold_days : int
        The narrow-churn threshold: a customer without any purchase or interaction for
        this many days is lost.
    period_start, period_end : pandas.Timestamp
        The half-year of tasks 1 and 2 (both days included).
    offer : str
        The win-back offer of tasks 3 and 4.
    scored : pandas.DataFrame
        Task 4: the randomised campaign rows with ``score``, a model's predicted uplift of
        ``offer`` for the customer.
    candidates : pandas.DataFrame
        Task 5: one row per lost customer (``customer_id``, ``former_tier``, ``value``,
        and ``uplift_<offer>``, a model's predicted uplift of each offer).
    offer_costs : dict
        Task 5: the cost of one contact with each offer.
    budget : float
        Task 5: the money available for the contacts.
    """

    seed: int
    tables: CustomerData
    threshold_days: int
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    offer: str
    scored: pd.DataFrame
    candidates: pd.DataFrame
    offer_costs: dict
    budget: float

    @property
    def customers(self) -> pd.DataFrame:
        """The customers table (``tables.customers``)."""
        return self.tables.customers

    @property
    def transactions(self) -> pd.DataFrame:
        """The transactions table (``tables.transactions``)."""
        return self.tables.transactions

    @property
    def campaigns(self) -> pd.DataFrame:
        """The win-back campaign rows (``tables.campaigns``)."""
        return self.tables.campaigns

    @property
    def observation_end(self) -> pd.Timestamp:
        return self.tables.observation_end

    def __repr__(self) -> str:
        cp = self.campaigns
        return (
            f"Exercise 04 data for seed {self.seed}:\n"
            f"  customers        {len(self.customers):,}\n"
            f"  transactions     {len(self.transactions):,}\n"
            f"  campaigns        {int(cp['randomised'].sum()):,} randomised rows, "
            f"{int((~cp['randomised']).sum()):,} not randomised\n"
            f"  threshold_days   {self.threshold_days}\n"
            f"  period           {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}\n"
            f"  offer            {self.offer}\n"
            f"  candidates       {len(self.candidates):,} lost customers, budget "
            f"{num(self.budget)}\n"
            f"  observation_end  {self.observation_end:%Y-%m-%d}"
        )


def _picked_rows(tables: CustomerData, offer: str, rng) -> pd.DataFrame:
    """A win-back campaign whose offer the staff gave to the best lapsed customers."""
    day = pd.Timestamp(_PICKED_DAY)
    tx = tables.transactions
    before = tx[(tx["timestamp"] < day) & ~tx["is_return"]]
    last = before.groupby("customer_id")["timestamp"].max()
    spend = before.groupby("customer_id")["amount"].sum()
    lapsed = last.index[(day - last).dt.days > _THRESHOLD]
    chosen = spend.reindex(lapsed).sort_values(ascending=False, kind="stable")
    ids = chosen.index[:_PICKED_N].sort_values()
    responded = rng.random(len(ids)) < _PICKED_RATE
    return pd.DataFrame({
        "customer_id": ids.to_numpy(object),
        "campaign": _PICKED_CAMPAIGN,
        "timestamp": day,
        "kind": "winback",
        "offer": offer,
        "randomised": False,
        "responded": responded,
        "response_date": np.where(responded, day + pd.Timedelta(days=7), pd.NaT),
        "offer_cost": _OFFER_COSTS[offer],
    })


def winback_data(seed: int = 0) -> WinbackData:
    """The personal data of exercise 04: a small simulated company made from ``seed``.

    A company of 1,000 customers trading from 2023-01-01 to 2024-12-31 is simulated with
    :func:`segkit.datasets.simulate` (its lapsed customers get one randomised win-back
    offer each). Names, phones, e-mails and complaint texts are left out. Then, with a
    generator seeded by ``[seed, 20240704]``: the offer of tasks 3 and 4 is drawn from
    discount_10, discount_25 and service_call; a campaign ``VIP-2024-07`` (not
    randomised) gives that offer on 2024-07-01 to the 60 lapsed customers with the
    highest spend, half of whom respond (their response is confounded with their value);
    ``scored`` holds the randomised rows with ``score`` = the true uplift of the offer
    plus normal noise (sd 0.05); ``candidates`` holds the customers lost by the end
    (narrow churn, 90 days) who did not come back, with ``value`` their
    ``value_lost_margin`` (12 months of margin, negative for inferior customers) and a
    predicted uplift of each offer drawn around 0.04, 0.08 and 0.07 (sd 0.06, at least
    -0.05); the budget can pay the middle offer for 30% of the candidates of positive
    value.

    Parameters
    ----------
    seed : int, default 0
        Any whole number >= 0; your own number gives you your own data.

    Returns
    -------
    WinbackData

    Examples
    --------
    >>> data = winback_data(seed=7)
    >>> data.campaigns.equals(winback_data(seed=7).campaigns)
    True
    >>> bool((~data.campaigns["randomised"]).sum() == 60)
    True
    """
    from ..datasets import simulate

    seed = check_seed(seed)
    sim = simulate(n_customers=_N_CUSTOMERS, start=_START, end=_END, seed=seed)
    rng = np.random.default_rng([seed, _SALT])
    t = sim.tables
    offer = str(_OFFERS[int(rng.integers(len(_OFFERS)))])
    customers = t.customers[["customer_id", "acquisition_date", "region", "channel"]]
    complaints = t.complaints.drop(columns=["text"], errors="ignore")
    base = dataclasses.replace(t, customers=customers, complaints=complaints, contracts=None,
                               surveys=None, receivables=None, credit_limits=None)
    picked = _picked_rows(base, offer, rng)
    campaigns = pd.concat([t.campaigns, picked.astype({"response_date": "datetime64[ns]"})],
                          ignore_index=True)
    tables = dataclasses.replace(base, campaigns=campaigns, source=f"winback_data(seed={seed})")
    # task 4: the randomised rows, with a noisy score of the offer's true uplift
    truth = sim.offer_effects
    true_uplift = (truth[f"p_{offer}"] - truth["p_control"]).to_numpy()
    randomised = t.campaigns
    scored = randomised[["customer_id", "campaign", "timestamp", "offer", "responded"]].assign(
        score=np.round(true_uplift + rng.normal(0, _SCORE_NOISE, len(randomised)), 6))
    data = WinbackData(seed=seed, tables=tables, threshold_days=_THRESHOLD,
                       period_start=pd.Timestamp(_PERIOD[0]), period_end=pd.Timestamp(_PERIOD[1]),
                       offer=offer, scored=scored.reset_index(drop=True),
                       candidates=pd.DataFrame(), offer_costs=dict(_OFFER_COSTS), budget=0.0)
    # task 5: the lost customers not won back, their value and predicted uplift (the
    # database at the end of the data is kept for the checks, which need it too)
    lost = _References(data).get(_database, at="end")
    lost = lost.loc[~lost["came_back"]]
    cand = pd.DataFrame({"customer_id": lost.index.to_numpy(object),
                         "former_tier": lost["former_tier"].astype(str).to_numpy(),
                         "value": lost["value_lost_margin"].round(2).to_numpy()})
    for o in _OFFERS:
        u = np.maximum(_UPLIFT_MEAN[o] + _UPLIFT_SD * rng.standard_normal(len(cand)), -0.05)
        cand[f"uplift_{o}"] = np.round(u, 4)
    data.candidates = cand
    data.budget = float(np.round(_BUDGET_SHARE * (cand["value"] > 0).sum()
                                 * _OFFER_COSTS["discount_25"], -1))
    return data


# ------------------------------------------------------------------- shared helpers


#: The columns whose content keys the references (the numbers, dates and flags the
#: references read).
_KEYED = {"customers": ("acquisition_date",), "transactions": ("timestamp", "amount"),
          "interactions": ("timestamp",), "complaints": ("timestamp",),
          "exits": ("timestamp",), "costs": ("timestamp", "amount"),
          "campaigns": ("timestamp", "responded", "randomised")}


def _fingerprint(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> tuple:
    """A key that changes with the given columns of a table (in a millisecond or two)."""
    if frame is None or not len(frame):
        return ()
    parts: list = [frame.shape]
    for c in columns:
        if c in frame.columns:
            values = frame[c].to_numpy()
            if values.dtype.kind == "M":
                values = values.view(np.int64)
            values = values.astype(float)
            parts.append((float(values.sum()), float(values @ np.arange(len(values)))))
    return tuple(parts)


class _References:
    """The reference answers of one check call, each computed once per content of the data.

    The key is made of the tables' numbers, dates and flags (not of ``candidates`` and
    ``budget``, which :func:`winback_data` makes from the database it keeps here); the
    values are kept by :func:`~segkit.exercises.feedback.reference` and shared: never
    modify them.
    """

    def __init__(self, data: WinbackData):
        self.data = data
        t = data.tables
        self.tables_key = (data.seed, *(_fingerprint(getattr(t, n), cols) for n, cols in
                                        _KEYED.items()),
                           data.offer, str(data.period_start), str(data.period_end),
                           data.threshold_days, str(t.observation_end))
        cand = data.candidates
        self.key = (*self.tables_key,
                    _fingerprint(data.scored, ("score", "responded")),
                    _fingerprint(cand, tuple(c for c in cand.columns
                                             if c == "value" or c.startswith("uplift_"))),
                    float(data.budget), tuple(sorted(data.offer_costs.items())))

    def get(self, compute: Callable, **options):
        """``compute(self, **options)``, computed once per content of the data.

        The lost-customer databases depend on the tables only (:func:`winback_data` keeps
        the one it builds for the candidates); everything else on all of ``data``.
        """
        key = self.tables_key if compute is _database else self.key
        return reference(lambda: compute(self, **options), key,
                         what=compute.__qualname__, **options)


def _database(ref: _References, at: str = "period") -> pd.DataFrame:
    """The lost-customer database at the period end (``at="period"``) or the data end."""
    d = ref.data
    end = d.period_end if at == "period" else None
    return lost_customers(d.tables, "narrow", d.threshold_days, observation_end=end)


def _in_period(lost: pd.DataFrame, data: WinbackData) -> np.ndarray:
    return ((lost["churn_date"] >= data.period_start)
            & (lost["churn_date"] <= data.period_end)).to_numpy()


def _task1_frames(ref: _References) -> dict[str, pd.DataFrame]:
    """The answer of task 1 (``right``) and the database at the period end."""
    d = ref.data
    period = ref.get(_database)
    right = period.loc[_in_period(period, d) & ~period["came_back"].to_numpy()]
    return {"right": right, "period": period}


def _end_rows(ref: _References) -> pd.DataFrame:
    """What task 1 gives from the database at the end of the data (another tier scale)."""
    at_end = ref.get(_database, at="end")
    return at_end.loc[_in_period(at_end, ref.data) & ~at_end["came_back"].to_numpy()]


def _number(answer, name: str, what: str) -> float:
    """The answer as one number, or a verdict saying why it is not one."""
    if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray) and np.size(answer) == 1:
        answer = np.asarray(answer).ravel()[0]
    if isinstance(answer, bool | np.bool_):
        raise wrong(f"{name} is {answer}, a yes/no value; the task asks for {what}.")
    if not isinstance(answer, numbers.Real):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for {what}, a number.")
    value = float(answer)
    if not np.isfinite(value):
        raise wrong(f"{name} is {value}; the task asks for {what}, a finite number.")
    return value


def _is(got: float, value: float, tol: float = 1e-9) -> bool:
    return bool(np.isclose(got, value, rtol=1e-9, atol=tol))


# ------------------------------------------------------------------------- task 1


@task(
    1,
    start="call `segkit.winback.lost_customers` on `data.tables` with narrow churn, "
    "`data.threshold_days` and `observation_end=data.period_end`.",
    hint="`lost = segkit.winback.lost_customers(data.tables, 'narrow', data.threshold_days, "
    "observation_end=data.period_end)`; keep the rows whose `churn_date` lies between "
    "`data.period_start` and `data.period_end` and whose `came_back` is False.",
)
def _task_1(answer, data: WinbackData) -> str:
    """Task 1: the lost customers of the half-year who were not won back."""
    ref = _References(data)
    frames = ref.get(_task1_frames)
    right = frames["right"]
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_1 is {type_name(answer)}; the task asks for the rows of the "
                    "lost-customer database (a table with `former_tier`), one per customer.")
    got = by_customer(answer, "answer_1", right.index)
    if not got.index.is_unique:
        raise wrong("some customer ids appear more than once in answer_1.",
                    "one row per lost customer.")
    if "former_tier" not in got.columns:
        raise wrong("answer_1 has no column `former_tier`.",
                    "keep the columns of `lost_customers`.")
    period = frames["period"]
    extra = got.index.difference(right.index)
    missing = right.index.difference(got.index)
    start, end = f"{data.period_start:%Y-%m-%d}", f"{data.period_end:%Y-%m-%d}"
    if len(extra):
        known = period.reindex(extra)
        back = int(known["came_back"].fillna(False).astype(bool).sum())
        before = int((known["churn_date"] < data.period_start).sum())
        later = len(extra) - int(extra.isin(period.index).sum())
        parts = []
        if back:
            parts.append(f"{plural(back, 'customer')} who came back after being lost: won "
                         "back, they are no longer lost customers")
        if before:
            parts.append(f"{plural(before, 'customer')} lost before the period (churn date "
                         f"before {start})")
        if later:
            parts.append(f"{plural(later, 'customer')} not yet lost at the period end {end} "
                         "(their churn is declared later: the database was built at the end "
                         "of the data)")
        if parts:
            raise wrong(f"answer_1 holds {'; and '.join(parts)}.")
        raise wrong(f"answer_1 has {plural(len(extra), 'customer')} who are not lost "
                    f"customers of the period (e.g. {extra[0]}).")
    if len(missing):
        raise wrong(f"{plural(len(missing), 'lost customer')} of the period missing from "
                    f"answer_1 (e.g. {missing[0]}).",
                    "keep every customer with a churn date in the period who did not come back "
                    f"(narrow churn, {data.threshold_days} days).")
    tiers = got["former_tier"].astype(str).reindex(right.index)
    expected = right["former_tier"].astype(str)
    if not (tiers == expected).all():
        at_end = ref.get(_end_rows)["former_tier"].astype(str).reindex(right.index)
        if (tiers == at_end).all():
            raise wrong("the former tiers come from a database built at the end of the data "
                        f"({data.observation_end:%Y-%m-%d}): its tier scale is fitted on "
                        "everybody's history up to then, not on the histories at the period "
                        f"end {end}.",
                        "pass `observation_end=data.period_end` to `lost_customers`.")
        bad = int((tiers != expected).sum())
        raise wrong(f"the former_tier of {plural(bad, 'customer')} in answer_1 differs.")
    n_back = int((_in_period(period, data) & period["came_back"].to_numpy()).sum())
    return (f"{len(right):,} customers were lost from {start} to {end} and not won back "
            f"({n_back:,} more were lost then but came back).")


# ------------------------------------------------------------------------- task 2


_TIERS = ("key", "ordinary", "small", "inferior")


def _reason_table(ref: _References, source: str = "right") -> pd.DataFrame:
    """``loss_reasons(...).table`` of the lost customers of task 1, or of a mistake's."""
    frames = ref.get(_task1_frames)
    lost = frames["right"]
    reason_col = "exit_reason"
    if source == "came_back":
        lost = frames["period"].loc[_in_period(frames["period"], ref.data)]
    elif source == "end_tier":
        lost = ref.get(_end_rows)
    elif source == "stated":
        reason_col = "stated_reason"
    elif source == "no_unknown":
        lost = lost.loc[lost["exit_reason"].notna()]
    return loss_reasons(lost, by="former_tier", freq=None, reason_col=reason_col).table


def _shares(ref: _References, which: str = "right") -> pd.Series:
    """Reason shares within each former tier (task 2), or what the mistakes give."""
    source = which if which in ("came_back", "end_tier", "stated", "no_unknown") else "right"
    s = ref.get(_reason_table, source=source).set_index(["former_tier", "reason"])
    n = s["n"].astype(float)
    if which == "overall":
        out = n / n.sum()
    elif which == "within_reason":
        out = n / n.groupby(level="reason").transform("sum")
    elif which == "counts":
        out = n
    elif which == "percent":
        out = 100 * s["share"]
    else:
        out = s["share"]
    return _str_index(out.astype(float))


def _str_index(s: pd.Series) -> pd.Series:
    idx = pd.MultiIndex.from_arrays([s.index.get_level_values(i).astype(str) for i in range(2)],
                                    names=["former_tier", "reason"])
    return pd.Series(s.to_numpy(dtype=float), index=idx)


def _share_answer(answer) -> pd.Series:
    """The answer as one number per (former tier, reason)."""
    if isinstance(answer, LossReasons):
        answer = answer.table
    if isinstance(answer, pd.DataFrame) and {"former_tier", "reason"} <= set(answer.columns):
        if "share" not in answer.columns:
            raise wrong("answer_2 has no column `share`.",
                        "the `table` of `loss_reasons` has the column share.")
        answer = answer.set_index(["former_tier", "reason"])["share"]
    elif isinstance(answer, pd.DataFrame):
        if not len(answer.columns) or not all(pd.api.types.is_numeric_dtype(answer[c])
                                              for c in answer.columns):
            raise wrong(f"answer_2 is {type_name(answer)}; the task asks for the share of "
                        "each reason within each former tier.")
        index = set(map(str, answer.index))
        if not index & set(_TIERS) and set(map(str, answer.columns)) & set(_TIERS):
            answer = answer.T
        answer = answer.rename_axis(index="former_tier", columns="reason").stack()
    if not isinstance(answer, pd.Series) or answer.index.nlevels != 2:
        raise wrong(f"answer_2 is {type_name(answer)}; the task asks for the share of each "
                    "reason within each former tier: a table with the columns former_tier, "
                    "reason and share (or tiers as rows and reasons as columns).")
    values = pd.to_numeric(answer, errors="coerce")
    if values.isna().all() or pd.api.types.is_bool_dtype(answer):
        raise wrong("the shares in answer_2 should be numbers.")
    s = _str_index(values.dropna())
    if not s.index.is_unique:
        raise wrong("some (former tier, reason) pairs appear more than once in answer_2.")
    return s


def _same_shares(got: pd.Series, cand: pd.Series) -> bool:
    union = got.index.union(cand.index)
    a = got.reindex(union).fillna(0.0).to_numpy()
    b = cand.reindex(union).fillna(0.0).to_numpy()
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-6))


@task(
    2,
    start="call `segkit.winback.loss_reasons` on the table of task 1 with "
    "`by='former_tier'` and `freq=None`.",
    hint="`segkit.winback.loss_reasons(answer_1, by='former_tier', freq=None).table`: for "
    "each former tier, the share of its lost customers with each exit reason (a missing "
    "reason counts as 'unknown'); the shares of a tier add up to 1.",
)
def _task_2(answer, data: WinbackData) -> str:
    """Task 2: the share of each loss reason within each former tier."""
    ref = _References(data)
    got = _share_answer(answer)
    expected = ref.get(_shares)
    if _same_shares(got, expected):
        frames = ref.get(_task1_frames)
        top = expected.groupby(level="former_tier").idxmax()
        parts = ", ".join(f"{tier}: {top[tier][1]} ({expected[top[tier]]:.0%})"
                          for tier in _TIERS if tier in top.index)
        unknown = float((frames["right"]["exit_reason"].isna()).mean())
        return (f"the most frequent reason in each former tier: {parts}. {unknown:.0%} of the lost "
                "customers gave no reason and filed no complaint: a reason unknown is a "
                "finding too.")
    known = [
        ("overall", "the shares are over all the lost customers of the period: each tier's "
         "shares add up to its size, not to 1. The question is why the customers *of each "
         "tier* left.", "divide by the number of lost customers of the tier."),
        ("within_reason", "the shares are within each reason (which tiers a reason's "
         "customers came from), not within each tier.",
         "divide by the number of lost customers of the tier."),
        ("counts", "answer_2 holds numbers of customers; the task asks for shares.",
         "divide by the number of lost customers of the tier."),
        ("percent", "answer_2 holds percentages; the task asks for shares (fractions).",
         "give 0.25, not 25."),
        ("came_back", "the customers who came back are counted: the task asks why the "
         "customers of task 1 (not won back) left.", "use the table of task 1."),
        ("end_tier", "the former tiers come from the database built at the end of the data, "
         "whose tier scale is not that of the period end.", "use the table of task 1."),
        ("stated", "only the stated reasons were used. When a customer stated none, the "
         "reason of their last complaint is inferred (`exit_reason`).",
         "use `exit_reason`, the default of `loss_reasons`."),
        ("no_unknown", "the customers without a reason were left out: they are lost "
         "customers of the tier too, and a large 'unknown' share is a finding.",
         "keep them as 'unknown', as `loss_reasons` does."),
    ]
    for which, message, hint in known:
        if _same_shares(got, ref.get(_shares, which=which)):
            raise wrong(message, hint)
    union = got.index.union(expected.index)
    diff = ~np.isclose(got.reindex(union).fillna(0.0), expected.reindex(union).fillna(0.0),
                       atol=1e-6)
    first = union[np.flatnonzero(diff)[0]]
    raise wrong(f"answer_2 differs for {plural(int(diff.sum()), 'tier and reason pair')} "
                f"(e.g. {first[0]} / {first[1]}).")


# ------------------------------------------------------------------------- task 3


_EFFECT = ("diff", "diff_low", "diff_high")


def _effects(ref: _References, which: str = "right") -> pd.Series:
    """The offer's effect (diff, diff_low, diff_high) of task 3, or a mistake's."""
    d = ref.data
    cp = d.campaigns
    randomised = cp.loc[cp["randomised"].to_numpy(dtype=bool)]
    if which == "all_rows":
        out = offer_effects(cp, allow_nonrandomised=True)
    elif which == "vs_rest":
        relabelled = randomised.assign(offer=np.where(randomised["offer"] == d.offer, d.offer,
                                                      "control"))
        out = offer_effects(relabelled)
    elif which == "wald":
        out = offer_effects(randomised, method="wald")
    else:
        out = offer_effects(randomised)
    return out.set_index("offer").loc[d.offer, ["rate", *_EFFECT]].astype(float)


def _effect_answer(answer, data: WinbackData) -> pd.Series:
    if isinstance(answer, pd.DataFrame):
        if "offer" in answer.columns:
            answer = answer.set_index("offer")
        if data.offer not in answer.index:
            raise wrong(f"answer_3 is {type_name(answer)} without a row {data.offer!r}.",
                        f"take the row of `data.offer` ({data.offer!r}).")
        answer = answer.loc[data.offer]
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if isinstance(answer, list | tuple | np.ndarray) and np.ndim(answer) == 1 and len(answer) == 3:
        answer = pd.Series(list(answer), index=list(_EFFECT), dtype=object)
    if not isinstance(answer, pd.Series):
        raise wrong(f"answer_3 is {type_name(answer)}; the task asks for a dict with the keys "
                    "'diff', 'diff_low' and 'diff_high'.")
    missing = [k for k in _EFFECT if k not in answer.index]
    if missing:
        raise wrong(f"answer_3 has no value for {missing}.",
                    "use the keys 'diff', 'diff_low' and 'diff_high' (the columns of "
                    "`offer_effects`).")
    got = pd.to_numeric(answer.loc[list(_EFFECT)], errors="coerce").astype(float)
    if got.isna().any():
        raise wrong("the values of answer_3 should be numbers.")
    return got


@task(
    3,
    start="keep the campaign rows whose `randomised` is True and call "
    "`segkit.winback.offer_effects` on them.",
    hint="`rows = data.campaigns[data.campaigns['randomised']]`; `effects = "
    "segkit.winback.offer_effects(rows)`; the row of `data.offer`: `diff` (its response "
    "rate minus the control arm's) and the 95% interval `diff_low`, `diff_high`.",
)
def _task_3(answer, data: WinbackData) -> str:
    """Task 3: the offer's effect on the response against control, with its 95% interval."""
    ref = _References(data)
    got = _effect_answer(answer, data)
    expected = ref.get(_effects)
    exp = expected[list(_EFFECT)]
    if np.allclose(got.to_numpy(), exp.to_numpy(), rtol=1e-6, atol=1e-9):
        diff, lo, hi = exp
        naive = ref.get(_effects, which="all_rows")["diff"]
        side = ("it raises the response" if lo > 0 else "it lowers the response" if hi < 0
                else "the interval holds 0: no clear effect on this sample")
        return (f"{data.offer} against control: {diff:+.1%} (95% interval {lo:+.1%} to "
                f"{hi:+.1%}); {side}. With the staff-picked rows it would seem {naive:+.1%}: "
                "those customers were chosen for their value, not at random.")
    d = got["diff"]
    all_rows, vs_rest = ref.get(_effects, which="all_rows"), ref.get(_effects, which="vs_rest")
    known = [
        (all_rows, "the rows that were not randomised "
         f"(campaign {_PICKED_CAMPAIGN}: the staff gave the offer to their best lapsed "
         "customers) are included. Their response mixes the offer with how they were chosen "
         "(confounding): it is no effect of the offer.",
         "keep the rows whose `randomised` is True."),
        (vs_rest, "the offer is compared with all the other "
         "rows, other offers included. Its effect is against the control arm, who got no "
         "incentive.", "compare with the rows whose offer is 'control'."),
        (-exp["diff"], "the sign is reversed: the effect is the offer's response rate minus "
         "control's.", "diff = rate of the offer - rate of control."),
        (expected["rate"], "answer_3 holds the offer's response rate, not its difference "
         "against control: some of its responders would have come back anyway.",
         "subtract the control arm's rate."),
        (100 * exp["diff"], "answer_3 is in percentage points; the task asks for a fraction.",
         "give 0.05, not 5."),
    ]
    for value, message, hint in known:
        if isinstance(value, pd.Series):  # a whole result: the interval says it too
            hit = np.allclose(got.to_numpy(), value[list(_EFFECT)].to_numpy(), atol=1e-6) or (
                _is(d, value["diff"], 1e-6) and not _is(d, exp["diff"], 1e-6))
        else:  # the difference alone, unless it happens to be the right one
            hit = _is(d, value, 1e-6) and not _is(d, exp["diff"], 1e-6)
        if hit:
            raise wrong(f"answer_3: {message}", hint)
    if _is(d, exp["diff"], 1e-6):
        wald = ref.get(_effects, which="wald")
        if np.allclose(got[["diff_low", "diff_high"]], wald[["diff_low", "diff_high"]],
                       atol=1e-6):
            raise wrong("answer_3 has the Wald interval; the task asks for Newcombe's "
                        "interval, which holds its level also for small arms and rates near "
                        "0.", "use `offer_effects` with its default `method='newcombe'`.")
        raise wrong(f"the difference is right, but the interval is not its 95% interval "
                    f"({exp['diff_low']:.4f} to {exp['diff_high']:.4f}).",
                    "read the columns diff_low and diff_high of `offer_effects`.")
    raise wrong(f"answer_3 differs: yours {d:.4f}, expected a different difference.")


# ------------------------------------------------------------------------- task 4


_METRICS = ("uplift_at_k", "qini_auc")


def _metrics(ref: _References, which: str = "right") -> dict[str, float]:
    """Uplift at 30% and the Qini area of the score (task 4), or a mistake's."""
    d = ref.data
    rows = d.scored
    if which != "all_offers":
        rows = rows.loc[rows["offer"].isin([d.offer, "control"]).to_numpy()]
    treated = (rows["offer"] != "control").to_numpy(dtype=float)
    y = rows["responded"].to_numpy(dtype=float)
    score = rows["score"].to_numpy(dtype=float)
    if which == "ascending":
        score = -score
    if which == "swapped":
        treated = 1 - treated
    if which == "response_rate":
        top = np.argsort(-score, kind="stable")[: int(np.ceil(_K * len(score)))]
        t = treated[top] == 1
        return {"uplift_at_k": float(y[top][t].mean()), "all": float(y[top].mean())}
    return {"uplift_at_k": uplift_at_k(score, treated, y, k=_K),
            "qini_auc": qini_auc(score, treated, y)}


def _metrics_answer(answer) -> pd.Series:
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if isinstance(answer, list | tuple | np.ndarray) and np.ndim(answer) == 1 and len(answer) == 2:
        answer = pd.Series(list(answer), index=list(_METRICS), dtype=object)
    if not isinstance(answer, pd.Series):
        raise wrong(f"answer_4 is {type_name(answer)}; the task asks for a dict with the keys "
                    "'uplift_at_k' and 'qini_auc'.")
    missing = [k for k in _METRICS if k not in answer.index]
    if missing:
        raise wrong(f"answer_4 has no value for {missing}.",
                    "use the keys 'uplift_at_k' and 'qini_auc'.")
    got = pd.to_numeric(answer.loc[list(_METRICS)], errors="coerce").astype(float)
    if got.isna().any():
        raise wrong("the values of answer_4 should be numbers.")
    return got


@task(
    4,
    start="keep the rows of `data.scored` whose offer is `data.offer` or 'control'; the "
    "treatment is `offer == data.offer`; call `segkit.winback.uplift_at_k` (k=0.3) and "
    "`segkit.winback.qini_auc` with the score.",
    hint="`rows = data.scored[data.scored['offer'].isin([data.offer, 'control'])]`; "
    "`t = rows['offer'] == data.offer`; `segkit.winback.uplift_at_k(rows['score'], t, "
    "rows['responded'], k=0.3)` (the response rate of the treated minus that of the "
    "controls among the 30% of rows with the highest score) and "
    "`segkit.winback.qini_auc(rows['score'], t, rows['responded'])`.",
)
def _task_4(answer, data: WinbackData) -> str:
    """Task 4: uplift at 30% and the Qini area of a given uplift score."""
    ref = _References(data)
    got = _metrics_answer(answer)
    expected = ref.get(_metrics)
    ok = {k: _is(got[k], expected[k], 1e-7) for k in _METRICS}
    if all(ok.values()):
        return (f"among the 30% of rows the score ranks highest, {data.offer} changes the "
                f"response rate by {expected['uplift_at_k']:+.1%} against control; the Qini "
                f"area is {expected['qini_auc']:+.4f} (0 for a random ranking).")
    asc = ref.get(_metrics, which="ascending")
    rate = ref.get(_metrics, which="response_rate")
    every = ref.get(_metrics, which="all_offers")
    swapped = ref.get(_metrics, which="swapped")
    for key in _METRICS:
        if ok[key]:
            continue
        g = got[key]
        known = [
            (asc[key], "the rows were sorted by ascending score: the customers the score "
             "ranks lowest came first.", "rank by decreasing score (`uplift_at_k` and "
             "`qini_auc` do it)."),
            (every[key], "the rows of the other offers were counted as treated: the score "
             f"predicts the uplift of {data.offer} against control only.",
             f"keep the rows whose offer is {data.offer!r} or 'control'."),
            (swapped[key], "treatment and control are swapped: the treated rows are those "
             f"with the offer {data.offer!r}.", f"treatment = `offer == {data.offer!r}`."),
            (100 * expected[key], f"{key} is in percentage points; the task asks for a "
             "fraction.", "give 0.05, not 5."),
        ]
        if key == "uplift_at_k":
            known += [
                (rate["uplift_at_k"], "uplift_at_k is the response rate of the treated among "
                 "the top 30%: some of them would have responded without the offer.",
                 "subtract the response rate of the controls among the top 30%."),
                (rate["all"], "uplift_at_k is the response rate of everyone among the top "
                 "30%, not the uplift.", "treated rate minus control rate among the top 30%."),
            ]
        for value, message, hint in known:
            if _is(g, value, 1e-7):
                raise wrong(f"answer_4: {message}", hint)
        raise wrong(f"answer_4['{key}'] is {g:.4f}; the expected value differs.")
    raise wrong("answer_4 differs.")  # pragma: no cover - some key differs


# ------------------------------------------------------------------------- task 5


def _uplift_matrix(data: WinbackData) -> pd.DataFrame:
    c = data.candidates.set_index("customer_id")
    return c[[f"uplift_{o}" for o in _OFFERS]].set_axis(list(_OFFERS), axis=1)


def _allocation(ref: _References) -> pd.DataFrame:
    d = ref.data
    return allocate(_uplift_matrix(d), d.candidates["value"].to_numpy(), d.offer_costs,
                    d.budget)


def _offers_answer(answer, data: WinbackData) -> pd.Series:
    """The answer as the offer of every candidate (None: no contact)."""
    ids = data.candidates["customer_id"]
    if isinstance(answer, pd.DataFrame):
        frame = by_customer(answer, "answer_5", ids)
        if "offer" not in frame.columns:
            raise wrong("answer_5 has no column `offer`.",
                        "`allocate` returns a table with the column offer.")
        answer = frame["offer"]
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if not isinstance(answer, pd.Series):
        raise wrong(f"answer_5 is {type_name(answer)}; the task asks for the offer of each "
                    "customer to contact (a Series, a dict or the table of `allocate`).")
    if not answer.index.is_unique:
        raise wrong("some customer ids appear more than once in answer_5.")
    unknown = answer.index.difference(pd.Index(ids))
    if len(unknown):
        raise wrong(f"answer_5 names {plural(len(unknown), 'customer')} who are not "
                    f"candidates (e.g. {unknown[0]}).", "contact only customers of "
                    "`data.candidates`, by `customer_id`.")
    offers = answer.astype(object).where(answer.notna(), None)
    bad = [o for o in pd.unique(offers.dropna()) if o not in _OFFERS]
    if bad:
        raise wrong(f"answer_5 holds offers that do not exist: {bad[:3]}.",
                    f"the offers are {list(_OFFERS)} (None for no contact).")
    return offers.reindex(pd.Index(ids)).where(lambda s: s.notna(), None)


def _gain(offers: pd.Series, data: WinbackData) -> tuple[float, float, np.ndarray]:
    """Total expected gain, total cost and the contacted mask of an allocation."""
    u = _uplift_matrix(data)
    v = data.candidates["value"].to_numpy()
    has = offers.notna().to_numpy()
    col = pd.Index(_OFFERS).get_indexer(offers.fillna(_OFFERS[0]))
    r = np.arange(len(v))
    cost = np.array([data.offer_costs[o] for o in _OFFERS])[col]
    gain = u.to_numpy()[r, col] * v - cost
    return float(gain[has].sum()), float(cost[has].sum()), has


def _top_by(score: np.ndarray, has: np.ndarray) -> bool:
    """The contacted are exactly the ones with the highest scores (ties allowed)."""
    if not has.any() or has.all():
        return False
    return bool(score[has].min() >= score[~has].max())


def _ranking_mistake(offers: pd.Series, data: WinbackData, has: np.ndarray) -> str | None:
    u = _uplift_matrix(data).to_numpy()
    v = data.candidates["value"].to_numpy()
    chosen = pd.Index(_OFFERS).get_indexer(offers.fillna("?"))
    best_u = u.argmax(axis=1)
    uv = u * v[:, None]
    if (chosen[has] == best_u[has]).all() and _top_by(u.max(axis=1), has):
        return ("the customers were ranked by uplift alone, each with their highest-uplift "
                "offer: that ignores what a customer is worth and what the offer costs (a "
                "large uplift of a small or inferior customer earns little or loses money).")
    if (chosen[has] == uv.argmax(axis=1)[has]).all() and _top_by(uv.max(axis=1), has):
        return ("the costs were ignored: the customers were ranked by uplift x value. An "
                "offer is worth its expected gain, uplift x value - cost, per unit of budget.")
    if _top_by(v, has):
        return ("the customers were ranked by value alone: a valuable customer whom no offer "
                "moves is money spent for nothing.")
    return None


@task(
    5,
    start="call `segkit.winback.allocate` with the predicted uplift of each offer (one "
    "column per offer), the candidates' value, `data.offer_costs` and `data.budget`.",
    hint="`c = data.candidates.set_index('customer_id')`; `u = c[['uplift_discount_10', "
    "'uplift_discount_25', 'uplift_service_call']]` with the columns renamed to the offers; "
    "`segkit.winback.allocate(u, c['value'], data.offer_costs, data.budget)`: at most one "
    "offer per customer, the largest total uplift x value - cost within the budget, never "
    "a customer of negative value.",
)
def _task_5(answer, data: WinbackData) -> str:
    """Task 5: whom to contact with which offer within the budget."""
    ref = _References(data)
    offers = _offers_answer(answer, data)
    expected = ref.get(_allocation)
    best = float(expected["expected_gain"].sum())
    gain, cost, has = _gain(offers, data)
    v = data.candidates["value"].to_numpy()
    negative = int((has & (v < 0)).sum())
    over = cost > data.budget + 1e-6
    if negative or over:
        mistake = _ranking_mistake(offers, data, has)
        if mistake:
            raise wrong(f"answer_5: {mistake}",
                        "let `allocate` weigh uplift x value - cost within the budget.")
    if negative:
        raise wrong(f"answer_5 contacts {plural(negative, 'former customer')} of negative "
                    "value (inferior, 劣质客户): winning them back loses money, whatever the "
                    "uplift. Some churn is not worth reversing.",
                    "leave out the customers whose value is below 0 (`allocate`'s "
                    "`min_value=0`, the default).")
    if over:
        raise wrong(f"answer_5 costs {num(round(cost, 2))}, more than the budget of "
                    f"{num(data.budget)}.", "stay within `data.budget`: `allocate` does.")
    if gain >= best - 1e-6:
        n = int(has.sum())
        by_offer = offers.value_counts().reindex(list(_OFFERS), fill_value=0)
        parts = ", ".join(f"{k} {v_}" for k, v_ in by_offer.items())
        return (f"{n:,} customers contacted ({parts}) for {num(round(cost, 2))} of the "
                f"budget of {num(data.budget)}: an expected gain of {num(round(gain, 2))}.")
    mistake = _ranking_mistake(offers, data, has)
    if mistake:
        raise wrong(f"answer_5: {mistake}",
                    "let `allocate` weigh uplift x value - cost within the budget.")
    raise wrong(f"answer_5 gains {num(round(gain, 2))} in expectation; within the same budget "
                f"{num(round(best, 2))} is possible.")


# ------------------------------------------------------------------------ the checks


class Exercise04Checks(Checks):
    """The checks of exercise 04, *Lost customers and win-back* (used as ``check_04``).

    Each ``task_<n>(answer, data)`` compares the participant's answer with the reference
    computed from the same ``data`` (see :func:`winback_data`) and returns a
    :class:`~segkit.exercises.feedback.Feedback`.
    """

    data_type = WinbackData
    tasks = (_task_1, _task_2, _task_3, _task_4, _task_5)


#: The checks of exercise 04: ``check_04.task_1(answer_1, data)``, ...
check_04 = Exercise04Checks()

#: This exercise, for the registry of :mod:`segkit.exercises`.
EXERCISE = Exercise("04_winback", "Lost customers and win-back", winback_data, check_04)
