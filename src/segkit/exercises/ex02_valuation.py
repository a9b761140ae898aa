"""Exercise 02, *Customer valuation*: its personal data, and each task's check with its hints.

The participant summarises a transaction log in weeks at a calibration end, fits the
BG/NBD model, compares P(alive) of the one-time buyers under BG/NBD and MBG/NBD,
forecasts the purchases of the holdout and values each customer over 12 months with
monthly discounting. Each task below is one check function, with the hints of the task
above it (``start``: where to start; ``hint``: the detailed hint of an answer that is off
in no recognisable way), and the plausible wrong answers it recognises listed in it as
data. Every expected answer is computed from the participant's seeded data.

Examples
--------
>>> data = valuation_data(seed=1)
>>> print(check_02.task_1(None, data))  # doctest: +ELLIPSIS
[Task 1] … Not done yet: answer_1 is still None.
  Hint: ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..features import summary
from ..value import (
    BetaGeoModel,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    expected_customer_lifetime_value,
)
from .feedback import (
    Checks,
    Exercise,
    check_seed,
    num,
    plural,
    reference,
    task,
    type_name,
    wrong,
)

__all__ = [
    "ValuationData",
    "valuation_data",
    "Exercise02Checks",
    "check_02",
]


# --------------------------------------------------------------------------- data


_N_CUSTOMERS = 1500
_START, _END = "2023-01-01", "2024-12-31"
_CALIBRATION_END = "2024-06-30"
#: The shop was closed for this many days up to the calibration end (both included):
#: the last purchase of the calibration period is before the calibration end.
_CLOSED_DAYS = (2, 9)
_SALT = 20240630  # documented in valuation_data
#: The beta distribution of each customer's probability of dropping out after a purchase day.
_DROPOUT = (1.0, 6.0)
_PARAMS = ("r", "alpha", "a", "b")
#: Relative tolerance of fitted parameters and of the predictions made from them.
_RTOL = 1e-3


@dataclass(eq=False)
class ValuationData:
    """The personal data of exercise 02, made from a seed (see :func:`valuation_data`).

    Attributes
    ----------
    seed : int
        The seed the data were made from.
    transactions : pandas.DataFrame
        The purchases of a small simulated company: ``transaction_id, customer_id,
        timestamp, amount`` (day resolution, no returns).
    calibration_end : pandas.Timestamp
        The end of the calibration period: the models are fitted on what happened up to
        it (included).
    observation_end : pandas.Timestamp
        The end of the holdout period, the last day of the data (included).
    """

    seed: int
    transactions: pd.DataFrame
    calibration_end: pd.Timestamp
    observation_end: pd.Timestamp

    @property
    def holdout_weeks(self) -> float:
        """The length of the holdout period in weeks (days / 7)."""
        return (self.observation_end - self.calibration_end).days / 7

    def __repr__(self) -> str:
        tx = self.transactions
        return (
            f"Exercise 02 data for seed {self.seed}:\n"
            f"  transactions     {len(tx):,} purchases of {tx['customer_id'].nunique():,} "
            f"customers from {tx['timestamp'].min():%Y-%m-%d} to "
            f"{tx['timestamp'].max():%Y-%m-%d}\n"
            f"  calibration_end  {self.calibration_end:%Y-%m-%d}\n"
            f"  observation_end  {self.observation_end:%Y-%m-%d} "
            f"(holdout: {self.holdout_weeks:.4g} weeks)"
        )


def valuation_data(seed: int = 0) -> ValuationData:
    """The personal data of exercise 02: a small simulated company made from ``seed``.

    A company of 1,500 customers trading from 2023-01-01 to 2024-12-31 is simulated with
    :func:`segkit.datasets.simulate`; its purchases (returns left out) are kept. Then,
    with a generator seeded by ``[seed, 20240630]``, customers drop out as the BG/NBD
    model says: after each purchase day a customer leaves with a probability of their
    own, drawn from a beta distribution (1, 6), and their later purchases are removed
    (so that the models of the exercise fit the data on every seed). And the shop is
    closed for 2 to 9 days up to the calibration end 2024-06-30: the purchases of those days are removed, so
    the last purchase of the calibration period is before the calibration end (a
    summary measured to the last purchase differs from one measured to the calibration
    end on every seed). The same seed always gives the same data.

    Parameters
    ----------
    seed : int, default 0
        Any whole number >= 0; your own number gives you your own data.

    Returns
    -------
    ValuationData

    Examples
    --------
    >>> data = valuation_data(seed=7)
    >>> data.transactions.equals(valuation_data(seed=7).transactions)
    True
    >>> before = data.transactions["timestamp"] <= data.calibration_end
    >>> data.transactions.loc[before, "timestamp"].max() < data.calibration_end
    True
    """
    from ..datasets import simulate

    seed = check_seed(seed)
    sim = simulate(n_customers=_N_CUSTOMERS, start=_START, end=_END, seed=seed)
    rng = np.random.default_rng([seed, _SALT])
    tx = sim.tables.transactions
    tx = tx.loc[~tx["is_return"], ["transaction_id", "customer_id", "timestamp", "amount"]]
    # dropout after each purchase day, BG/NBD-like: customer i makes K_i purchase days at
    # most, K_i geometric with a probability p_i ~ Beta(_DROPOUT) of leaving after each
    ids = np.sort(tx["customer_id"].unique())
    p = rng.beta(*_DROPOUT, size=len(ids))
    most = pd.Series(rng.geometric(p), index=ids)
    day = tx.groupby("customer_id")["timestamp"].rank(method="dense")
    tx = tx.loc[(day <= most.reindex(tx["customer_id"]).to_numpy()).to_numpy()]
    cal = pd.Timestamp(_CALIBRATION_END)
    closed = int(rng.integers(_CLOSED_DAYS[0], _CLOSED_DAYS[1] + 1))
    shut = (tx["timestamp"] > cal - pd.Timedelta(days=closed)) & (tx["timestamp"] <= cal)
    tx = tx.loc[~shut].sort_values(["timestamp", "transaction_id"], kind="stable",
                                   ignore_index=True)
    return ValuationData(seed=seed, transactions=tx, calibration_end=cal,
                         observation_end=pd.Timestamp(_END))


# ------------------------------------------------------------------- shared helpers


def _summary(data: ValuationData, end=None, multiplier: float = 7,
             first: bool = False) -> pd.DataFrame:
    """The customer summary of ``data`` at ``end`` (default the calibration end)."""
    end = data.calibration_end if end is None else end
    tx = data.transactions
    return reference(
        lambda: summary(tx, monetary_value_col="amount", observation_end=end, freq="D",
                        freq_multiplier=multiplier, include_first_transaction=first,
                        after_end="drop").set_index("customer_id"),
        tx, end=end, multiplier=multiplier, first=first)


def _calibration(data: ValuationData) -> pd.DataFrame:
    return _summary(data)


def _fitted(model: str, data: ValuationData, **summary_options):
    """``model`` fitted on a summary of ``data`` (shared: only predict with it)."""
    s = _summary(data, **summary_options)
    cls = {"bg": BetaGeoModel, "mbg": ModifiedBetaGeoModel}[model]
    return reference(lambda: cls().fit(s), s, model=model)


def _fit(model: str, data: ValuationData, **summary_options) -> pd.Series:
    """The parameters of ``model`` fitted on a summary of ``data``."""
    return _fitted(model, data, **summary_options).params_


def _model(model: str, data: ValuationData):
    """``model`` fitted on the calibration summary (shared: only predict with it)."""
    return _fitted(model, data)


def _gamma_gamma(data: ValuationData) -> GammaGammaModel:
    """Gamma-Gamma fitted on the repeat buyers of the calibration summary (shared)."""
    s = _calibration(data)
    repeat = s.loc[s["frequency"] > 0]
    return reference(lambda: GammaGammaModel().fit(repeat), repeat)


def _rel_close(a, b, rtol: float = _RTOL) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.isclose(a, b, rtol=rtol, atol=1e-9)


def _per_customer(answer, name: str, ids: pd.Index, what: str) -> pd.Series:
    """An answer of one number per customer as a float Series on ``ids``.

    A Series indexed by customer id, a one-value-column table with ``customer_id``, or a
    Series / array in the order of the calibration summary's rows.
    """
    hint = (f"give a Series of {what}, one per customer of the calibration summary, indexed "
            "by customer id: e.g. `pd.Series(values, index=summary_cal.index)`.")
    if isinstance(answer, pd.DataFrame):
        frame = answer.set_index("customer_id") if "customer_id" in answer.columns else answer
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        if len(numeric) != 1:
            raise wrong(f"{name} is {type_name(answer)}; the task asks for one number per "
                        "customer.", hint)
        answer = frame[numeric[0]]
    if isinstance(answer, np.ndarray | list | tuple) and np.ndim(answer) == 1:
        answer = pd.Series(answer)
    if not isinstance(answer, pd.Series):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for {what}, one per "
                    "customer.", hint)
    if not pd.api.types.is_numeric_dtype(answer) or pd.api.types.is_bool_dtype(answer):
        raise wrong(f"{name} holds {answer.dtype} values, not numbers.", hint)
    if not answer.index.isin(ids).any():
        if len(answer) == len(ids) and answer.index.equals(pd.RangeIndex(len(ids))):
            answer = answer.set_axis(ids)  # in the order of the summary's rows
        else:
            raise wrong(f"the index of {name} does not hold customer ids (e.g. "
                        f"{list(answer.index[:3])}), and it is not one value per row of the "
                        "calibration summary.", hint)
    if not answer.index.is_unique:
        raise wrong(f"some customer ids appear more than once in {name}.", hint)
    missing, extra = ids.difference(answer.index), answer.index.difference(ids)
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append(f"{plural(len(missing), 'customer')} of the calibration summary "
                         f"missing (e.g. {missing[0]})")
        if len(extra):
            parts.append(f"{plural(len(extra), 'customer')} who had not bought by the "
                         f"calibration end (e.g. {extra[0]})")
        raise wrong(f"{name} has {plural(len(answer), 'customer')}: {' and '.join(parts)}.",
                    "the customers are those of the calibration summary (task 1).")
    return answer.reindex(ids).astype(float)


# ------------------------------------------------------------------------- task 1


_SUMMARY_COLS = ("frequency", "recency", "T")


@task(
    1,
    start="call `segkit.features.summary` on `data.transactions` with "
    "`observation_end=data.calibration_end`.",
    hint="`segkit.features.summary(data.transactions, monetary_value_col='amount', "
    "observation_end=data.calibration_end, freq='D', freq_multiplier=7, "
    "after_end='drop')`: weeks counted in days, repeat purchases only, T up to the "
    "calibration end, and the purchases after it left out.",
)
def _task_1(answer, data: ValuationData) -> str:
    """Task 1: the weekly customer summary (frequency, recency, T) at the calibration end."""
    expected = _calibration(data)
    if not isinstance(answer, pd.DataFrame):
        raise wrong(f"answer_1 is {type_name(answer)}; the task asks for a table with the "
                    "columns frequency, recency and T.")
    missing_cols = [c for c in _SUMMARY_COLS if c not in answer.columns]
    if missing_cols:
        raise wrong(f"answer_1 has no column(s) {missing_cols}.",
                    "`segkit.features.summary` names them frequency, recency and T.")
    frame = answer.set_index("customer_id") if "customer_id" in answer.columns else answer
    ids = expected.index
    if not frame.index.isin(ids).any():
        raise wrong("answer_1 has no customer ids (neither a customer_id column nor an index "
                    "of them).", "keep the `customer_id` column that `summary` gives.")
    if not frame.index.is_unique:
        raise wrong("some customer ids appear more than once in answer_1.")
    extra = frame.index.difference(ids)
    if len(extra):
        raise wrong(
            f"answer_1 has {plural(len(extra), 'customer')} whose first purchase is after the "
            f"calibration end {data.calibration_end:%Y-%m-%d} (e.g. {extra[0]}): the "
            "purchases after the calibration end were counted.",
            "keep only the purchases up to the calibration end: `after_end='drop'`.")
    missing = ids.difference(frame.index)
    if len(missing):
        raise wrong(f"{plural(len(missing), 'customer')} of the calibration period missing "
                    f"from answer_1 (e.g. {missing[0]}).",
                    "summarise every customer who bought by the calibration end.")
    try:
        got = frame.loc[ids, list(_SUMMARY_COLS)].astype(float)
    except (TypeError, ValueError):
        raise wrong("the columns frequency, recency and T of answer_1 should be numbers.") \
            from None

    def same(candidate: pd.DataFrame, cols=_SUMMARY_COLS) -> bool:
        return all(_rel_close(got[c], candidate.loc[ids, c], 1e-9).all() for c in cols)

    if same(expected):
        if "monetary_value" in frame.columns:
            mv = pd.to_numeric(frame.loc[ids, "monetary_value"], errors="coerce")
            if not _rel_close(mv, expected["monetary_value"], 1e-6).all():
                raise wrong("frequency, recency and T are right, but monetary_value is not "
                            "the mean value of the repeat purchases.",
                            "pass `monetary_value_col='amount'` to `summary`.")
        one_time = int((expected["frequency"] == 0).sum())
        return (f"summary of {plural(len(ids), 'customer')} at "
                f"{data.calibration_end:%Y-%m-%d}, in weeks; {num(one_time)} bought only once "
                f"(frequency 0).")
    tx = data.transactions
    last = tx.loc[tx["timestamp"] <= data.calibration_end, "timestamp"].max()
    days = _summary(data, multiplier=1)
    first = _summary(data, first=True)
    known = [
        (days, "recency and T are in days; the models of this exercise count in weeks.",
         "pass `freq='D', freq_multiplier=7`: weeks counted in days."),
        (expected.assign(T=expected["recency"]),
         "T is the time to each customer's last purchase (their recency); T is the time from "
         "the first purchase to the calibration end, the whole time the customer was "
         "watched.", "pass `observation_end=data.calibration_end`."),
        (_summary(data, end=last),
         f"T counts to the last purchase of the calibration period ({last:%Y-%m-%d}), not to "
         f"the calibration end {data.calibration_end:%Y-%m-%d}: the shop was closed for "
         f"{(data.calibration_end - last).days} days before it.",
         "pass `observation_end=data.calibration_end`."),
        (first, "frequency counts the first purchase too; frequency is the number of "
         "repeat purchases.", "leave `include_first_transaction` at its default, False."),
        (_summary(data, end=last, multiplier=1),
         "recency and T are in days, and T counts to the last purchase instead of the "
         "calibration end.", "pass `freq_multiplier=7` and "
         "`observation_end=data.calibration_end`."),
    ]
    for candidate, message, hint in known:
        if same(candidate):
            raise wrong(f"answer_1 has the right customers, but {message}", hint)
    right = [c for c in _SUMMARY_COLS if _rel_close(got[c], expected[c], 1e-9).all()]
    bad = [c for c in _SUMMARY_COLS if c not in right]
    example = ids[~_rel_close(got[bad[0]], expected[bad[0]], 1e-9)][0]
    raise wrong(f"answer_1 differs in {', '.join(bad)} (e.g. customer {example}: "
                f"{bad[0]} {got.loc[example, bad[0]]:g}, expected "
                f"{expected.loc[example, bad[0]]:g}).")


# ------------------------------------------------------------------------- task 2


def _params(answer, name: str, names=_PARAMS) -> pd.Series:
    """The parameters of an answer: a fitted model, a Series or a dict by name."""
    if hasattr(answer, "params_") and not isinstance(answer, pd.Series | dict):
        answer = answer.params_
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if not isinstance(answer, pd.Series):
        raise wrong(f"{name} is {type_name(answer)}; the task asks for the parameters by name "
                    f"({', '.join(names)}).",
                    "give the fitted model's `params_` (a Series indexed by name).")
    missing = [p for p in names if p not in answer.index]
    if missing:
        raise wrong(f"{name} has no value for {missing}; the BG/NBD parameters are "
                    f"{', '.join(names)}.", "give the fitted model's `params_`.")
    values = pd.to_numeric(answer.loc[list(names)], errors="coerce").astype(float)
    if values.isna().any():
        raise wrong(f"the values of {name} should be numbers.")
    return values


@task(
    2,
    start="fit `segkit.value.BetaGeoModel()` on the summary of task 1.",
    hint="`segkit.value.BetaGeoModel().fit(answer_1).params_`: the model is fitted on the "
    "calibration summary in weeks (task 1), never on data after the calibration end.",
)
def _task_2(answer, data: ValuationData) -> str:
    """Task 2: the BG/NBD parameters r, alpha, a, b fitted on the calibration summary."""
    got = _params(answer, "answer_2")
    expected = _fit("bg", data)
    if _rel_close(got, expected).all():
        p = expected
        return (f"BG/NBD on the calibration period: r {p['r']:.3g}, alpha {p['alpha']:.3g} "
                f"(weeks), a {p['a']:.3g}, b {p['b']:.3g}; a customer drops out after a "
                f"purchase with probability a / (a + b) = {p['a'] / (p['a'] + p['b']):.3f} "
                "on average.")
    known = [
        (_fit("bg", data, end=data.observation_end),
         "these are the parameters of the whole period: the model was fitted on data up to "
         f"the observation end {data.observation_end:%Y-%m-%d}, so the holdout is not a "
         "holdout any more.", "fit on the calibration summary of task 1."),
        (_fit("bg", data, multiplier=1),
         "the model was fitted on a summary in days: alpha is 7 times too large (r, a and b "
         "do not depend on the time unit).", "fit on the weekly summary of task 1."),
        (_fit("bg", data, end=data.observation_end, multiplier=1),
         "the model was fitted on the whole period, in days.",
         "fit on the weekly calibration summary of task 1."),
        (_fit("mbg", data), "these are the parameters of the MBG/NBD model "
         "(`ModifiedBetaGeoModel`); task 2 asks for the BG/NBD.",
         "use `segkit.value.BetaGeoModel`."),
    ]
    for candidate, message, hint in known:
        if _rel_close(got, candidate).all():
            raise wrong(f"answer_2: {message}", hint)
    bad = [p for p in _PARAMS if not _rel_close(got[p], expected[p])]
    raise wrong(f"answer_2 differs in {', '.join(bad)} (e.g. {bad[0]}: yours "
                f"{got[bad[0]]:.4g}, expected {expected[bad[0]]:.4g}).")


# ------------------------------------------------------------------------- task 3


_MODELS = ("bg_nbd", "mbg_nbd")


def _alive(data: ValuationData, model: str, only_one_time: bool = True) -> float:
    s = _calibration(data)
    rows = s.loc[s["frequency"] == 0] if only_one_time else s
    m = _model(model, data)
    return float(m.expected_probability_alive(rows).mean())


@task(
    3,
    start="fit `segkit.value.ModifiedBetaGeoModel()` on the summary of task 1 too, and "
    "call `expected_probability_alive` of both models on the one-time buyers.",
    hint="the one-time buyers are the rows of the summary with frequency 0: "
    "`one = answer_1[answer_1['frequency'] == 0]`; then "
    "`{'bg_nbd': bg.expected_probability_alive(one).mean(), "
    "'mbg_nbd': mbg.expected_probability_alive(one).mean()}`.",
)
def _task_3(answer, data: ValuationData) -> str:
    """Task 3: the mean P(alive) of the one-time buyers under BG/NBD and under MBG/NBD."""
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer), dtype=object)
    if not isinstance(answer, pd.Series):
        raise wrong(f"answer_3 is {type_name(answer)}; the task asks for a dict with the keys "
                    "'bg_nbd' and 'mbg_nbd'.")
    missing = [k for k in _MODELS if k not in answer.index]
    if missing:
        raise wrong(f"answer_3 has no value for {missing}.",
                    "use the keys 'bg_nbd' and 'mbg_nbd'.")
    got = pd.to_numeric(answer.loc[list(_MODELS)], errors="coerce").astype(float)
    if got.isna().any():
        raise wrong("the values of answer_3 should be numbers (probabilities).")
    bg, mbg = _alive(data, "bg"), _alive(data, "mbg")
    g_bg, g_mbg = got["bg_nbd"], got["mbg_nbd"]
    ok_bg, ok_mbg = np.isclose(g_bg, bg, atol=1e-3), np.isclose(g_mbg, mbg, atol=1e-3)
    if ok_bg and ok_mbg:
        return (f"a one-time buyer is alive with probability {bg:g} under BG/NBD (it has "
                f"no chance to drop out before a repeat purchase) and {mbg:.3f} on average "
                "under MBG/NBD, which lets customers drop out right after the first "
                "purchase.")
    if np.isclose(g_bg, mbg, atol=1e-3) and np.isclose(g_mbg, bg, atol=1e-3):
        raise wrong("answer_3 has the two values swapped.",
                    "'bg_nbd' is the BetaGeoModel's, 'mbg_nbd' the ModifiedBetaGeoModel's.")
    if ok_bg and np.isclose(g_mbg, 1.0, atol=1e-3):
        raise wrong(
            "'mbg_nbd' is 1, as under BG/NBD. MBG/NBD lets a customer drop out right after "
            "any purchase, the first included, so a one-time buyer is not surely alive.",
            "compute it: `ModifiedBetaGeoModel().fit(answer_1).expected_probability_alive"
            "(one).mean()`.")
    if np.isclose(g_bg, _alive(data, "bg", False), atol=1e-3) or np.isclose(
            g_mbg, _alive(data, "mbg", False), atol=1e-3):
        raise wrong("answer_3 is the mean over every customer; the task asks for the "
                    "one-time buyers (frequency 0).",
                    "keep the rows with `answer_1['frequency'] == 0`.")
    which = [k for k, ok in zip(_MODELS, (ok_bg, ok_mbg), strict=True) if not ok]
    raise wrong(f"answer_3 differs for {', '.join(repr(k) for k in which)} (expected "
                f"{'a value of 1' if which[0] == 'bg_nbd' else 'a value below 1'}).")


# ------------------------------------------------------------------------- task 4


@task(
    4,
    start="call `expected_purchases(answer_1, future_t)` of the model of task 2, with the "
    "holdout's length in weeks as `future_t`.",
    hint="the holdout lasts `(data.observation_end - data.calibration_end).days / 7` weeks "
    "(`data.holdout_weeks`); `bg.expected_purchases(answer_1, data.holdout_weeks)` gives "
    "each customer's expected purchases, conditional on their own history.",
)
def _task_4(answer, data: ValuationData) -> str:
    """Task 4: each customer's expected purchases in the holdout period (BG/NBD)."""
    s = _calibration(data)
    got = _per_customer(answer, "answer_4", s.index, "expected purchases")
    bg = _model("bg", data)
    t = data.holdout_weeks
    expected = bg.expected_purchases(s, t).set_axis(s.index)
    if _rel_close(got, expected).all():
        tx = data.transactions
        after = tx.loc[(tx["timestamp"] > data.calibration_end)
                       & tx["customer_id"].isin(s.index)]
        actual = after.groupby("customer_id")["timestamp"].nunique().sum()
        return (f"{expected.sum():,.1f} purchases expected in the {t:.4g}-week holdout from "
                f"the {plural(len(s), 'customer')} of the calibration period; they made "
                f"{num(actual)}.")
    known = [
        (pd.Series(bg.expected_purchases_new_customer(t), index=s.index),
         "every customer gets the same value: the forecast for a new customer "
         "(`expected_purchases_new_customer`), which ignores each customer's history.",
         "use `expected_purchases(answer_1, future_t)`, conditional on the history."),
        (bg.expected_purchases(s, 7 * t).set_axis(s.index),
         "the horizon is in days; the model counts in weeks.",
         "pass the holdout in weeks: `data.holdout_weeks`."),
        (bg.expected_purchases(s, round(t)).set_axis(s.index),
         f"the horizon is rounded to {round(t)} weeks; the holdout lasts {t:.4g} weeks.",
         "pass `data.holdout_weeks` as it is."),
        (bg.expected_purchases(s, (data.observation_end - data.calibration_end).days / 30)
         .set_axis(s.index), "the horizon is in months; the model counts in weeks.",
         "pass the holdout in weeks: `data.holdout_weeks`."),
    ]
    for candidate, message, hint in known:
        if _rel_close(got, candidate).all():
            raise wrong(f"answer_4: {message}", hint)
    bad = ~_rel_close(got, expected)
    example = s.index[bad][0]
    raise wrong(f"answer_4 differs for {plural(int(bad.sum()), 'customer')} (e.g. customer "
                f"{example}: yours {got[example]:.4g}, expected {expected[example]:.4g}).")


# ------------------------------------------------------------------------- task 5


def _clv(data: ValuationData, discount_rate: float = 0.01, time_unit: str = "W"):
    s = _calibration(data)
    bg, gg = _model("bg", data), _gamma_gamma(data)
    return expected_customer_lifetime_value(bg, gg, s, future_t=12,
                                            discount_rate=discount_rate,
                                            time_unit=time_unit).set_axis(s.index)


@task(
    5,
    start="fit `segkit.value.GammaGammaModel()` on the repeat buyers of the summary and "
    "call `segkit.value.expected_customer_lifetime_value`.",
    hint="`gg = GammaGammaModel().fit(answer_1[answer_1['frequency'] > 0])`; then "
    "`expected_customer_lifetime_value(bg, gg, answer_1, future_t=12, discount_rate=0.01, "
    "time_unit='W')`: 12 months, 1% a month, and the summary in weeks.",
)
def _task_5(answer, data: ValuationData) -> str:
    """Task 5: each customer's 12-month CLV, discounted at 1% a month."""
    s = _calibration(data)
    got = _per_customer(answer, "answer_5", s.index, "values")
    expected = _clv(data)
    if _rel_close(got, expected).all():
        top = expected.nlargest(max(1, len(expected) // 10)).sum() / expected.sum()
        return (f"12-month CLV of {plural(len(s), 'customer')}: {expected.sum():,.0f} in all; "
                f"the top 10% of the customers hold {top:.0%} of it.")
    no_spend = expected.where(s["frequency"] > 0, 0.0)
    known = [
        (_clv(data, 0.0), "the values are not discounted.",
         "pass `discount_rate=0.01`: 1% a month."),
        (_clv(data, 0.01 / 12), "the 1% was taken as a yearly rate (0.01 / 12 a month); it is "
         "a monthly rate.", "pass `discount_rate=0.01`: the rate is per month."),
        (_clv(data, 1.01 ** (1 / 12) - 1), "the 1% was taken as a yearly rate; it is a "
         "monthly rate.", "pass `discount_rate=0.01`: the rate is per month."),
        (_clv(data, 0.12), "the rate is 12% a month: 1% a month is the rate to use, not a "
         "yearly rate of 12%.", "pass `discount_rate=0.01`."),
        (_clv(data, time_unit="D"), "the summary is in weeks but the months were counted in "
         "days (the default `time_unit='D'`): a month became 30 weeks.",
         "pass `time_unit='W'`."),
        (no_spend, "the one-time buyers are worth 0: their monetary value of 0 was used. "
         "Gamma-Gamma predicts the spend of a customer without a repeat purchase: the "
         "population mean.", "use `expected_customer_lifetime_value` with the Gamma-Gamma "
         "model: it does."),
    ]
    for candidate, message, hint in known:
        if _rel_close(got, candidate).all():
            raise wrong(f"answer_5: {message}", hint)
    bad = ~_rel_close(got, expected)
    example = s.index[bad][0]
    raise wrong(f"answer_5 differs for {plural(int(bad.sum()), 'customer')} (e.g. customer "
                f"{example}: yours {got[example]:,.2f}, expected {expected[example]:,.2f}).")


# ------------------------------------------------------------------------ the checks


class Exercise02Checks(Checks):
    """The checks of exercise 02, *Customer valuation* (used as ``check_02``).

    Each ``task_<n>(answer, data)`` compares the participant's answer with the reference
    computed from the same ``data`` (see :func:`valuation_data`) and returns a
    :class:`~segkit.exercises.feedback.Feedback`.
    """

    data_type = ValuationData
    tasks = (_task_1, _task_2, _task_3, _task_4, _task_5)


#: The checks of exercise 02: ``check_02.task_1(answer_1, data)``, ...
check_02 = Exercise02Checks()

#: This exercise, for the registry of :mod:`segkit.exercises`.
EXERCISE = Exercise("02_valuation", "Customer valuation", valuation_data, check_02)
