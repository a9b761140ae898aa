"""Honest evaluation of churn models: a time split, concordance, AUC, Brier, calibration.

A churn model is judged on what it would have said *at a date* about *the period after
it*, never on customers it has seen. This module gives the split, the metrics and a
table of models side by side.

**The time split** (:func:`time_split`). A split date ``s`` and a horizon ``h``. Both
sides read the data **as known at** a date (:func:`known_at`: :func:`segkit.data.cut`
at that date, and every later date inside a kept row masked too: a contract's end and
end reason, a campaign's response, an invoice's payment or write-off).

- *test* (both designs): every customer not churned at ``s``, with covariates from
  the data as known at ``s``, and their outcome over ``(s, s + h]`` from the data as
  known at ``s + h`` (or the data's end, when sooner). ``duration`` is the time **from
  the split date** (the residual lifetime, in ``(0, h]``), ``event`` is 1 when they
  churn inside the horizon, else they are censored at the end of the follow-up.
  Residual time, not age, is the time scale of the test because the question is "who
  leaves in the next ``h`` days", and ages at the split differ by years: a
  concordance on age would mostly rank how long ago customers came;
- *train*, ``design="age"`` (default): the survival frame of the data as known at
  ``s`` (:func:`segkit.churn.survival_data` with the observation end at ``s``): time is
  the customer's age, a customer's churn or censoring is what was knowable at ``s``,
  and the covariates are attributes fixed at acquisition (region, channel). The test
  keeps ``age_at_split`` and the models predict ``S(t | x, alive at age_at_split)``
  through ``conditional_after``. Customers acquired on ``s`` itself (zero time
  observed) are left out of train, as they hold no information, but are in the test;
- *train*, ``design="landmark"``: the same question one horizon earlier, the
  customers alive at the landmark ``s - h`` with their covariates then, followed to
  ``s`` (the test's shape, one period back). Here covariates that change with time
  may enter, ``features(data_known_at_t, t)`` at ``t = s - h`` for train and ``t = s``
  for the test (:func:`snapshot_features`: recency, frequency, recent activity), and
  the age at ``t`` is a covariate. Behaviour read at the split cannot enter the age
  design: it would explain churn that happened before it.

Nothing dated after ``s`` reaches the train frame nor the test covariates
(``tests/test_churn_evaluate.py`` proves it, for both designs and both churn
definitions, by deleting, altering and adding rows after ``s`` and later dates inside
earlier rows: both stay byte-identical, only the test outcomes change).

*Narrow churn and the split.* Narrow churn is declared ``threshold_days`` after the
last activity (:func:`segkit.churn.narrow_churn`). A customer whose last activity lies
before ``s`` but less than the threshold before it is **not** known to have churned at
``s``: censored in train, in the test. If they stay silent, their churn is declared
inside the test window, ``threshold_days`` after that activity; a model that knows
how long they have been silent has a head start on them, legitimately, since that is
known at ``s``. A customer who goes silent inside the window less than the threshold
before its end is censored (not yet declared). With a horizon shorter than the
threshold, every event of the test is a customer already silent at ``s``; a warning
says so. A customer declared churned by ``s`` who comes back later is not in the test
(win-back is another question: :func:`segkit.churn.episodes`).

**The metrics** (:func:`evaluate_survival`), all through lifelines and scikit-survival:

- Harrell's concordance (``lifelines.utils.concordance_index``) and Uno's IPCW
  concordance up to ``tau`` (``sksurv.metrics.concordance_index_ipcw``), on a risk
  score: for models that predict survival, the predicted churn probability by ``tau``
  given the age at the split, ``1 - S(tau | x, age)`` (``predict_risk``, the log partial
  hazard, ignores the age); otherwise ``predict_risk``;
- the time-dependent (cumulative/dynamic) AUC at each of ``times`` and its mean
  (``sksurv.metrics.cumulative_dynamic_auc``, with the risk ``1 - S(t)`` at each time);
- the integrated Brier score over ``times`` (``sksurv.metrics.integrated_brier_score``);
- calibration at ``tau`` (:func:`calibration_table`): predicted churn probability by
  decile against the Kaplan-Meier churn observed in the decile, summarised by the
  mean absolute gap and the overall bias.

*Censoring weights.* The inverse-probability-of-censoring weights need the censoring
distribution **on the test's time scale**; by default (``censoring_from="test"``) it is
the Kaplan-Meier of the test's censoring times (it reads outcomes, never
predictions, so it leaks nothing). The train frame of the age design is on the age
scale, where censoring says nothing of the residual times of the test;
``censoring_from="train"`` is for frames on one scale (the landmark design, or a
random split of one survival frame). Ties: a censoring tied with an event counts
after it (the usual convention), so the weight of an event is the censoring survival
just before it, and events at the very end of the follow-up keep a positive weight.

**Side by side** (:func:`compare_models`): the hazard models of
:mod:`segkit.churn.models`, a fixed-horizon classifier (:class:`HorizonClassifier`) and
the valuation module's BG/NBD ``P(alive)`` (:func:`btyd_risk`), one row each. Every
model only needs the common prediction interface: ``predict_survival(df, times,
conditional_after=None)`` (a frame indexed like ``df`` with one column per time) and
``predict_risk(df)`` (higher = churns sooner).

Examples
--------
>>> from segkit.datasets import simulate
>>> from segkit.churn.models import CoxModel
>>> sim = simulate(1500, seed=3)
>>> split = time_split(sim.tables, "2024-06-30", horizon_days=150, threshold_days=90,
...                    design="landmark", features=snapshot_features)
>>> table = compare_models({"cox": CoxModel(), "btyd": btyd_risk(split)}, split,
...                        times=[30, 60, 90, 120])
>>> table.index.tolist(), bool(table.loc["cox", "harrell_c"] > 0.6)
(['cox', 'btyd'], True)
>>> bool(np.isnan(table.loc["btyd", "ibs"]))  # BG/NBD gives no survival curve here
True
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..data import acquisition_dates, cut
from ..data import observation_end as resolve_end
from ..exceptions import NotFittedError, ParameterError
from ..schema import CustomerData
from .survival import UNIT_DAYS, survival_data

__all__ = [
    "TimeSplit",
    "known_at",
    "snapshot_features",
    "time_split",
    "evaluate_survival",
    "calibration_table",
    "HorizonClassifier",
    "BTYDRisk",
    "btyd_risk",
    "compare_models",
]

#: Columns of the survival frames that are neither covariates nor outcomes.
_NOT_COVARIATES = ("customer_id", "origin", "exit_date", "entry", "duration", "event",
                   "age_at_split")

#: Later dates inside a row dated earlier, and the columns that state what happened then:
#: masked by :func:`known_at` (value when not yet known).
_LATER_FIELDS: dict[str, dict[str, dict[str, object]]] = {
    "contracts": {"end_date": {"end_reason": None}},
    "receivables": {"paid_date": {"paid_amount": 0.0},
                    "write_off_date": {"written_off": 0.0}},
    "campaigns": {"response_date": {"responded": False}},
}


# ------------------------------------------------------------------------------ the split


def known_at(data: CustomerData, date) -> CustomerData:
    """The data as it was known at ``date``: nothing dated after it, in rows or inside them.

    :func:`segkit.data.cut` keeps the rows dated up to ``date`` (by their first time
    column) but keeps later dates inside them. Here those are masked too: a
    contract's ``end_date`` after ``date`` becomes NaT and its ``end_reason`` None (the
    contract was running); an invoice paid or written off later shows neither; a
    campaign answered later shows no response yet. Inputs are not modified.

    Examples
    --------
    >>> k = pd.DataFrame({"contract_id": ["k1"], "customer_id": ["a"],
    ...     "start_date": pd.to_datetime(["2024-01-01"]), "end_date": pd.to_datetime(["2024-09-01"]),
    ...     "end_reason": ["price"]})
    >>> out = known_at(CustomerData(contracts=k), "2024-06-30").contracts
    >>> out["end_date"].isna().tolist(), out["end_reason"].tolist()
    ([True], [None])
    """
    end = pd.Timestamp(date)
    out = cut(data, end)
    masked = {}
    for name, fields in _LATER_FIELDS.items():
        df = getattr(out, name)
        if df is None:
            continue
        df = df.copy()
        for col, deps in fields.items():
            if col not in df.columns:
                continue
            later = (df[col] > end).to_numpy()
            if not later.any():
                continue
            df.loc[later, col] = pd.NaT
            for dep, value in deps.items():
                if dep in df.columns:
                    if value is None:
                        df[dep] = df[dep].astype(object)
                    df.loc[later, dep] = value
        masked[name] = df
    return dataclasses.replace(out, **masked)


@dataclass(frozen=True, eq=False)
class TimeSplit:
    """A time split of churn data (:func:`time_split`).

    Attributes
    ----------
    train : pandas.DataFrame
        ``design="age"``: the survival frame as known at the split (``entry``,
        ``duration``, ``event`` from acquisition) with the attributes.
        ``design="landmark"``: the customers alive at the landmark ``split - horizon``,
        followed from it to the split (shaped like ``test``, with ``age`` and the
        features at the landmark as covariates).
    test : pandas.DataFrame
        Customers not churned at the split, with their covariates (data up to the split
        only), ``duration`` from the split (in ``(0, follow_up]``), ``event`` (churned
        inside the horizon), ``exit_date`` (churn or end of follow-up) and ``entry`` 0;
        ``age_at_split`` (design ``"age"``, passed as ``conditional_after``) or ``age``
        (design ``"landmark"``, a covariate).
    split_date : pandas.Timestamp
    horizon : float
        The horizon in ``unit``.
    horizon_days : float
    follow_up : float
        Follow-up of the test in ``unit``: the horizon, or less when the data end first.
    follow_up_end : pandas.Timestamp
    unit, definition, design : str
    threshold_days : float or None
    landmark : pandas.Timestamp or None
        Start of the training window of the landmark design.
    data : CustomerData
        The data as known at the split (:func:`known_at`), for :func:`btyd_risk`.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    split_date: pd.Timestamp
    horizon: float
    horizon_days: float
    follow_up: float
    follow_up_end: pd.Timestamp
    unit: str
    definition: str
    design: str
    threshold_days: float | None
    landmark: pd.Timestamp | None
    data: CustomerData = dataclasses.field(repr=False)


def _in_units(delta, unit_days: float) -> np.ndarray:
    return np.asarray(delta, dtype="timedelta64[ns]").astype(np.int64) / (86400e9 * unit_days)


def snapshot_features(data: CustomerData, as_of, window_days: float = 90.0) -> pd.DataFrame:
    """Simple behaviour features of every customer at ``as_of``, from the data up to it.

    A default for the ``features`` of :func:`time_split`'s landmark design: recency,
    frequency and recent activity, the raw material of the warning indicators.
    Rows dated after ``as_of`` are ignored (the function cuts the data itself).

    Parameters
    ----------
    data : CustomerData
    as_of : date-like
    window_days : float, default 90
        The "recent" window ``(as_of - window_days, as_of]``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (every customer acquired by ``as_of``):
        ``days_since_purchase`` and ``days_since_activity`` (purchase or interaction;
        from the acquisition when none), ``purchase_days`` (days with a purchase per 30
        days of tenure), ``recent_purchase_days``, ``recent_interactions`` and
        ``recent_complaints`` (kind ``complaint``) in the window.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [5.0, 5.0, 5.0],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-03-20"])})
    >>> f = snapshot_features(CustomerData(transactions=tx), "2024-03-31")
    >>> f["days_since_purchase"].tolist(), f["recent_purchase_days"].tolist()
    ([30.0, 11.0], [1.0, 1.0])
    """
    from ..data import purchases
    from .labels import last_activity

    end = pd.Timestamp(as_of)
    past = known_at(data, end)
    acq = acquisition_dates(past)
    ids = acq.index[(acq <= end).to_numpy()]
    start = end - pd.Timedelta(days=float(window_days))
    day = np.timedelta64(1, "D")

    def per_customer(df, mask=None):
        if df is None or not len(df):
            return pd.Series(0.0, index=ids)
        df = df if mask is None else df.loc[mask]
        return df.groupby("customer_id").size().reindex(ids, fill_value=0).astype(float)

    out = pd.DataFrame(index=pd.Index(ids, name="customer_id"))
    tx = past.transactions
    if tx is not None and len(tx):
        buys = purchases(tx)
        days = pd.DataFrame({"customer_id": buys["customer_id"].to_numpy(),
                             "timestamp": buys["timestamp"].dt.normalize().to_numpy()}
                            ).drop_duplicates()
        last_buy = days.groupby("customer_id")["timestamp"].max().reindex(ids)
        last_buy = last_buy.fillna(acq.reindex(ids))
        tenure = np.maximum((end - acq.reindex(ids)).to_numpy() / day, 1.0)
        out["days_since_purchase"] = (end - last_buy).to_numpy() / day
        out["purchase_days"] = per_customer(days).to_numpy() / tenure * 30.0
        out["recent_purchase_days"] = per_customer(days, days["timestamp"] > start).to_numpy()
    last = last_activity(past, end).reindex(ids)
    out["days_since_activity"] = (end - last).to_numpy() / day
    it = past.interactions
    out["recent_interactions"] = per_customer(
        it, None if it is None else it["timestamp"] > start).to_numpy()
    co = past.complaints
    out["recent_complaints"] = per_customer(
        co, None if co is None else (co["timestamp"] > start)
        & (co["kind"].astype(str) == "complaint")).to_numpy()
    return out


def _follow(data: CustomerData, start: pd.Timestamp, stop: pd.Timestamp, definition,
            threshold_days, unit: str, covariates, age_name: str, features,
            past: CustomerData | None = None) -> pd.DataFrame:
    """Customers not churned at ``start``, covariates as known then, outcomes over (start, stop].

    ``past`` is ``known_at(data, start)`` when the caller has it already.
    """
    ud = UNIT_DAYS[unit]
    past = known_at(data, start) if past is None else past
    base = survival_data(past, definition, threshold_days,
                         observation_end=start, unit=unit, covariates=covariates)
    base = base.loc[base["event"].to_numpy() == 0].reset_index(drop=True)
    outcome = survival_data(known_at(data, stop), definition, threshold_days,
                            observation_end=stop, window_start=start, unit=unit, covariates=[])
    outcome = outcome.set_index("customer_id").reindex(base["customer_id"])
    if outcome["exit_date"].isna().any():  # pragma: no cover - a broken churn definition
        raise ParameterError("some customers alive at the split have no outcome after it")
    age = base["duration"].to_numpy(dtype=float)
    out = base.copy()
    out["exit_date"] = outcome["exit_date"].to_numpy()
    out["entry"] = 0.0
    out["duration"] = _in_units(outcome["exit_date"].to_numpy() - np.datetime64(start), ud)
    out["event"] = outcome["event"].to_numpy().astype(np.int64)
    out.insert(out.columns.get_loc("duration"), age_name, age)
    if features is not None:
        f = features(past, start)
        if not isinstance(f, pd.DataFrame):
            raise ParameterError("features(data, as_of) must return a DataFrame indexed by "
                                 f"customer_id, got {type(f).__name__}")
        clash = sorted(set(f.columns) & set(out.columns))
        if clash:
            raise ParameterError(f"features returned columns {clash} that the survival frame "
                                 "already has; rename them")
        f = f.reindex(out["customer_id"].to_numpy())
        if f.isna().any(axis=None):
            bad = f.index[f.isna().any(axis=1).to_numpy()]
            raise ParameterError(
                f"features(data, as_of={start.date()}) has no value for {len(bad)} customers "
                f"alive then (e.g. {list(bad[:5])}); return a row, without missing values, "
                "for every customer acquired by as_of"
            )
        for c in f.columns:
            out[c] = f[c].to_numpy()
    return out


def time_split(data: CustomerData, split_date, horizon_days, definition: str = "narrow",
               threshold_days=None, unit: str = "D", covariates=None, design: str = "age",
               features=None, train_start=None, observation_end=None) -> TimeSplit:
    """Fit on one period, evaluate on the next: a time split with no information from the future.

    Parameters
    ----------
    data : CustomerData
        The raw tables (all of them; the split decides what each side may read).
    split_date : date-like
        The moment of the split: rows dated after it are the future. It must lie
        after the first acquisition and before the observation end.
    horizon_days : float
        Length of the test window in days (> 0).
    definition : {"narrow", "broad"}
        Churn definition (:func:`segkit.churn.churn_labels`).
    threshold_days : float, optional
        Days of inactivity that declare narrow churn (needed for ``"narrow"``).
    unit : {"D", "W", "M"}
        Unit of every time of both frames (and of ``times`` in the metrics).
    covariates : sequence of str, optional
        Attributes of the ``customers`` table carried by both frames
        (:func:`segkit.churn.survival_data`; by default region and channel).
    design : {"age", "landmark"}, default "age"
        ``"age"``: train is the survival frame (age scale) as known at the split; the
        test is predicted given each customer's age at the split. ``"landmark"``: train
        is the same question one horizon earlier: the customers alive at ``split -
        horizon``, their covariates then, followed to the split (module docstring).
    features : callable, optional
        Landmark design only: ``features(data_known_at_t, t)`` returns a DataFrame
        indexed by ``customer_id`` with covariates at ``t`` (for example
        :func:`snapshot_features`); called at the landmark for train and at the split
        for the test, each time on the data as known then. Covariates that change
        after acquisition cannot enter the age design (they would be read at the split
        and used to explain churn that happened before it).
    train_start : date-like, optional
        Age design only: start of the training window. Customers churned before it
        are left out, those acquired before it enter late (``entry > 0``; fit with
        ``entry_col="entry"``). By default training follows everyone from acquisition.
    observation_end : date-like, optional
        End of the data (defaults to the data's own end): the follow-up ends at
        ``min(split_date + horizon, observation_end)``.

    Returns
    -------
    TimeSplit
        ``train``, ``test``, ``split_date``, ``horizon`` and the rest (see
        :class:`TimeSplit`). The module docstring states the semantics, including
        how narrow churn's threshold meets the split.

    Raises
    ------
    ParameterError
        ``horizon_days <= 0``, a split date outside the data (or a landmark before the
        first acquisition), options of the other design, or a side without customers
        or churn.

    Warns
    -----
    UserWarning
        When the data end before ``split_date + horizon`` (the follow-up is shorter),
        or, for narrow churn, when the horizon is not longer than the threshold.

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> split = time_split(simulate(500, seed=1).tables, "2024-06-30", 90,
    ...                    threshold_days=60)
    >>> split.horizon, int(split.test["duration"].max()), bool(split.train["event"].any())
    (90.0, 90, True)
    """
    if not isinstance(data, CustomerData):
        raise ParameterError(
            f"data must be a segkit CustomerData (segkit.io.read_tables or "
            f"segkit.datasets), got {type(data).__name__}"
        )
    if unit not in UNIT_DAYS:
        raise ParameterError(f"unit must be one of {list(UNIT_DAYS)} (days, weeks, months), "
                             f"got {unit!r}")
    if design not in ("age", "landmark"):
        raise ParameterError(f"design must be 'age' or 'landmark', got {design!r}")
    if design == "age" and features is not None:
        raise ParameterError(
            "features need design='landmark': in the age design the train frame follows "
            "customers from acquisition, and features read at the split would explain "
            "churn that happened before it"
        )
    if design == "landmark" and train_start is not None:
        raise ParameterError("train_start is for design='age'; the landmark design trains "
                             "on the horizon before the split")
    if features is not None and not callable(features):
        raise ParameterError("features must be a function features(data, as_of) -> "
                             "DataFrame, e.g. segkit.churn.evaluate.snapshot_features")
    try:
        hd = float(horizon_days)
    except (TypeError, ValueError):
        raise ParameterError(f"horizon_days must be a number of days, got {horizon_days!r}"
                             ) from None
    if not np.isfinite(hd) or hd <= 0:
        raise ParameterError(f"horizon_days must be a positive number of days (e.g. 90), "
                             f"got {horizon_days!r}")
    try:
        split = pd.Timestamp(split_date)
    except (TypeError, ValueError):
        raise ParameterError(f"split_date {split_date!r} is not a date; write it as "
                             "YYYY-MM-DD") from None
    if split is pd.NaT:
        raise ParameterError(f"split_date must be a date, got {split_date!r}")
    end = resolve_end(data, observation_end)
    acq = acquisition_dates(data)
    if not len(acq):
        raise ParameterError("the data has no customer to split (no customers, purchases "
                             "or contracts)")
    first = acq.min()
    if not first < split < end:
        raise ParameterError(
            f"split_date {split.date()} lies outside the data: choose a date after the "
            f"first acquisition ({first.date()}) and before the observation end "
            f"({end.date()}), leaving time on both sides"
        )
    landmark = split - pd.Timedelta(days=hd) if design == "landmark" else None
    if landmark is not None and landmark <= first:
        raise ParameterError(
            f"the landmark design trains on the horizon before the split, from "
            f"{landmark.date()}, but the first customer came on {first.date()}: choose a "
            "later split date or a shorter horizon"
        )
    if train_start is not None and pd.Timestamp(train_start) >= split:
        raise ParameterError(f"train_start {pd.Timestamp(train_start).date()} must lie "
                             f"before split_date {split.date()}")
    ud = UNIT_DAYS[unit]
    if definition == "narrow" and threshold_days is not None and hd <= float(threshold_days):
        warnings.warn(
            f"horizon_days={hd:g} is not longer than threshold_days={threshold_days}: "
            "narrow churn is declared threshold_days after the last activity, so every "
            "churn inside the horizon is of a customer already silent at the split; "
            "choose a horizon longer than the threshold to evaluate real prediction",
            UserWarning, stacklevel=2,
        )
    follow_end = min(split + pd.Timedelta(days=hd), end)
    if follow_end < split + pd.Timedelta(days=hd):
        warnings.warn(
            f"the data end on {end.date()}, before split_date + horizon "
            f"({(split + pd.Timedelta(days=hd)).date()}): the test is followed for "
            f"{(follow_end - split).days} days only",
            UserWarning, stacklevel=2,
        )

    past = known_at(data, split)
    if design == "age":
        # train: the data as known at the split, observation end at the split; customers
        # acquired on the split day (nothing observed yet) are left out
        frame = survival_data(past, definition, threshold_days, observation_end=split,
                              window_start=train_start, unit=unit, covariates=covariates)
        train = frame.loc[frame["duration"].to_numpy() > 0].reset_index(drop=True)
        test = _follow(data, split, follow_end, definition, threshold_days, unit, covariates,
                       "age_at_split", None, past)
    else:
        # train: the same question one horizon earlier, outcomes read from the data
        # as known at the split
        train = _follow(past, landmark, split, definition, threshold_days, unit, covariates,
                        "age", features)
        test = _follow(data, split, follow_end, definition, threshold_days, unit, covariates,
                       "age", features, past)
    if not len(train) or not train["event"].any():
        raise ParameterError(
            f"no customer churned in the training data (up to {split.date()}): nothing "
            "to learn from; choose a later split date"
        )
    if not len(test):
        raise ParameterError(f"every customer churned by split_date {split.date()}: "
                             "nobody to predict; choose an earlier split date")
    return TimeSplit(train=train, test=test, split_date=split, horizon=hd / ud,
                     horizon_days=hd, follow_up=float(_in_units(follow_end - split, ud)),
                     follow_up_end=follow_end, unit=unit, definition=definition,
                     design=design,
                     threshold_days=None if threshold_days is None else float(threshold_days),
                     landmark=landmark, data=past)


# ---------------------------------------------------------------------------- the metrics


def _outcomes(df: pd.DataFrame, duration_col: str, event_col: str, name: str):
    for col in (duration_col, event_col):
        if col not in df.columns:
            raise ParameterError(f"{name} has no column {col!r} (it has {list(df.columns)})")
    t = df[duration_col].to_numpy(dtype=float)
    e = df[event_col].to_numpy()
    if not np.isin(e, (0, 1, True, False)).all():
        raise ParameterError(f"{name}[{event_col!r}] must be 0/1 (1 = churned)")
    if not np.isfinite(t).all() or (t < 0).any():
        raise ParameterError(f"{name}[{duration_col!r}] must be finite times >= 0")
    return t, e.astype(bool)


def _structured(event, time):
    from sksurv.util import Surv

    return Surv.from_arrays(event=event, time=time)


def _censoring_input(event, time):
    """The outcomes for the censoring estimator: censorings tied with an event come after it."""
    scale = max(float(np.max(time)), 1.0) if len(time) else 1.0
    shifted = np.where(event, time, time + 1e-9 * scale)
    return _structured(event, shifted)


def _check_times(times, t_test) -> np.ndarray:
    try:
        times = np.unique(np.asarray(times, dtype=float).ravel())
    except (TypeError, ValueError):
        raise ParameterError(f"times must be numbers in the unit of the frames, got {times!r}"
                             ) from None
    if not len(times) or not np.isfinite(times).all():
        raise ParameterError("times must be one or more finite numbers")
    lo, hi = float(t_test.min()), float(t_test.max())
    bad = times[(times < lo) | (times >= hi) | (times <= 0)]
    if len(bad):
        raise ParameterError(
            f"times {bad.tolist()} lie outside the test follow-up: every time must lie in "
            f"[{lo:g}, {hi:g}) (from the first test duration to just before the last), "
            "e.g. a few points strictly inside the horizon"
        )
    return times


def _conditional(test: pd.DataFrame, conditional_after_col):
    if conditional_after_col is None:
        return test["age_at_split"].to_numpy(dtype=float) if "age_at_split" in test else None
    if conditional_after_col not in test.columns:
        raise ParameterError(f"conditional_after_col {conditional_after_col!r} is not a "
                             f"column of test (it has {list(test.columns)})")
    return test[conditional_after_col].to_numpy(dtype=float)


def _predict_survival(model, df, times, cond) -> np.ndarray | None:
    """Survival at ``times`` (rows of ``df``), or None for a model without survival curves."""
    try:
        if cond is None:
            s = model.predict_survival(df, times)
        else:
            s = model.predict_survival(df, times, conditional_after=cond)
    except NotImplementedError:
        return None
    s = np.asarray(s, dtype=float)
    if s.shape != (len(df), len(times)):
        raise ParameterError(
            f"{type(model).__name__}.predict_survival returned shape {s.shape}; expected "
            f"(rows, times) = {(len(df), len(times))}"
        )
    if not np.isfinite(s).all():
        raise ParameterError(f"{type(model).__name__}.predict_survival returned missing or "
                             "infinite survival probabilities")
    return np.clip(s, 0.0, 1.0)


def _km_at(time, event, tau) -> float:
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(time, event)
    return float(km.survival_function_at_times(tau).iloc[0])


def calibration_table(predicted, time, event, tau: float, n_bins: int = 10) -> pd.DataFrame:
    """Predicted against observed churn by ``tau``, per group of predicted risk.

    Customers are sorted by their predicted churn probability ``1 - S(tau)`` and cut
    into ``n_bins`` groups of (almost) equal size (deciles by default; ties are split
    by row order). In each group the observed churn by ``tau`` is ``1 - KM(tau)``, the
    Kaplan-Meier estimate (lifelines), which counts the censored correctly.

    Parameters
    ----------
    predicted : array-like
        Predicted probability of churn by ``tau``, one per customer.
    time, event : array-like
        Outcomes (``event`` 1 = churned).
    tau : float
    n_bins : int, default 10

    Returns
    -------
    pandas.DataFrame
        One row per group: ``bin`` (1 = lowest risk), ``n``, ``events``, ``predicted``
        (mean), ``observed`` (``1 - KM(tau)``) and ``gap`` (predicted - observed).

    Examples
    --------
    >>> t = np.array([1.0, 2, 5, 5, 5, 5])
    >>> e = np.array([1, 1, 0, 0, 0, 0])
    >>> tab = calibration_table([0.9, 0.8, 0.1, 0.1, 0.0, 0.0], t, e, tau=5, n_bins=2)
    >>> tab[["n", "events", "predicted", "observed"]].round(3).values.tolist()
    [[3.0, 0.0, 0.033, 0.0], [3.0, 2.0, 0.6, 0.667]]
    """
    p = np.asarray(predicted, dtype=float)
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    if not (len(p) == len(time) == len(event)):
        raise ParameterError("predicted, time and event must have one value per customer")
    if int(n_bins) < 1 or int(n_bins) > len(p):
        raise ParameterError(f"n_bins must lie between 1 and the number of customers "
                             f"({len(p)}), got {n_bins}")
    n_bins = int(n_bins)
    order = np.argsort(p, kind="stable")
    group = np.empty(len(p), dtype=np.int64)
    group[order] = np.arange(len(p)) * n_bins // len(p)
    rows = []
    for g in range(n_bins):  # one Kaplan-Meier per group (ten groups, not per customer)
        m = group == g
        rows.append({"bin": g + 1, "n": int(m.sum()), "events": int(event[m].sum()),
                     "predicted": float(p[m].mean()),
                     "observed": 1.0 - _km_at(time[m], event[m], tau)})
    out = pd.DataFrame(rows)
    out["gap"] = out["predicted"] - out["observed"]
    return out


def evaluate_survival(model, train: pd.DataFrame, test: pd.DataFrame, times, tau=None,
                      duration_col: str = "duration", event_col: str = "event",
                      conditional_after_col: str | None = None,
                      censoring_from: str = "test", n_bins: int = 10,
                      name: str | None = None) -> pd.DataFrame:
    """The metrics of one fitted churn model on a test frame, as one tidy row.

    Parameters
    ----------
    model : fitted model
        Anything with ``predict_survival(df, times, conditional_after=None)`` and
        ``predict_risk(df)`` (:mod:`segkit.churn.models`, :class:`HorizonClassifier`,
        :class:`BTYDRisk`). A model whose ``predict_survival`` raises
        ``NotImplementedError`` is ranked by ``predict_risk``; its Brier score and
        calibration are NaN (not available).
    train, test : pandas.DataFrame
        Frames of :func:`time_split` (or any survival frames on one time scale, with
        ``censoring_from="train"``). ``train`` is read only for the censoring weights
        when ``censoring_from="train"`` and for ``n_train``.
    times : array-like
        Times (in the unit of the frames) of the time-dependent AUC and of the
        integrated Brier score: each in ``[min, max)`` of the test durations (strictly
        inside the follow-up); at least two for the Brier score.
    tau : float, optional
        Truncation of Uno's concordance and the time of calibration; defaults to the
        largest test duration (the end of the follow-up, the horizon).
    duration_col, event_col : str
    conditional_after_col : str, optional
        Column of the test with each customer's age at the start of the follow-up,
        passed as ``conditional_after``; by default ``age_at_split`` when present.
    censoring_from : {"test", "train"}
        Frame whose censoring times give the IPCW weights (module docstring).
    n_bins : int, default 10
        Groups of the calibration table.
    name : str, optional
        Index of the row (defaults to the model's class name).

    Returns
    -------
    pandas.DataFrame
        One row: ``n_train, n_test, n_events, tau, harrell_c, uno_c, auc_mean,
        auc_at_<t>`` for each time, ``ibs, calibration_mae`` (mean absolute gap over
        the groups), ``calibration_bias`` (mean predicted minus the Kaplan-Meier churn
        of the whole test) and ``risk_score`` (``survival`` or ``predict_risk``). The
        calibration table is in ``.attrs["calibration"]``.

    Raises
    ------
    ParameterError
        Times outside the follow-up, missing columns, a test without any event, or
        predictions that are not finite.
    """
    from lifelines.utils import concordance_index
    from sksurv.metrics import (
        concordance_index_ipcw,
        cumulative_dynamic_auc,
        integrated_brier_score,
    )

    if censoring_from not in ("test", "train"):
        raise ParameterError(f"censoring_from must be 'test' or 'train', got {censoring_from!r}")
    t_test, e_test = _outcomes(test, duration_col, event_col, "test")
    if not e_test.any():
        raise ParameterError("no test customer churned inside the follow-up: the metrics "
                             "need events; choose a longer horizon or an earlier split")
    times = _check_times(times, t_test)
    tau = float(t_test.max()) if tau is None else float(tau)
    if not 0 < tau <= t_test.max():
        raise ParameterError(f"tau must lie in (0, {t_test.max():g}] (the test follow-up), "
                             f"got {tau}")
    cond = _conditional(test, conditional_after_col)
    if censoring_from == "train":
        t_tr, e_tr = _outcomes(train, duration_col, event_col, "train")
        cens = _censoring_input(e_tr, t_tr)
    else:
        cens = _censoring_input(e_test, t_test)
    y_test = _structured(e_test, t_test)

    grid = np.unique(np.r_[times, tau])
    surv = _predict_survival(model, test, grid, cond)
    if surv is not None:
        risk_tau = 1.0 - surv[:, np.searchsorted(grid, tau)]
        risk_times = 1.0 - surv[:, np.searchsorted(grid, times)]
        score = "survival"
    else:
        risk_tau = np.asarray(model.predict_risk(test), dtype=float)
        if risk_tau.shape != (len(test),) or not np.isfinite(risk_tau).all():
            raise ParameterError(f"{type(model).__name__}.predict_risk must give one finite "
                                 "score per test row")
        risk_times = risk_tau
        score = "predict_risk"

    harrell = concordance_index(t_test, -risk_tau, e_test)
    # events up to and including tau count (sksurv keeps times < tau)
    uno = concordance_index_ipcw(cens, y_test, risk_tau, tau=np.nextafter(tau, np.inf))[0]
    auc, auc_mean = cumulative_dynamic_auc(cens, y_test, risk_times, times)
    row = {"n_train": len(train), "n_test": len(test), "n_events": int(e_test.sum()),
           "tau": tau, "harrell_c": float(harrell), "uno_c": float(uno),
           "auc_mean": float(auc_mean)}
    for t, a in zip(times, np.atleast_1d(auc), strict=True):
        row[f"auc_at_{t:g}"] = float(a)
    calib = None
    if surv is not None:
        row["ibs"] = (float(integrated_brier_score(cens, y_test, surv[:, np.searchsorted(
            grid, times)], times)) if len(times) >= 2 else np.nan)
        calib = calibration_table(risk_tau, t_test, e_test, tau, min(n_bins, len(test)))
        row["calibration_mae"] = float(calib["gap"].abs().mean())
        row["calibration_bias"] = float(risk_tau.mean() - (1.0 - _km_at(t_test, e_test, tau)))
    else:
        row["ibs"] = row["calibration_mae"] = row["calibration_bias"] = np.nan
    row["risk_score"] = score
    out = pd.DataFrame([row], index=pd.Index([name or type(model).__name__], name="model"))
    out.attrs["calibration"] = calib
    return out


# ------------------------------------------------------------- the fixed-horizon classifier


def _covariate_columns(df: pd.DataFrame, covariate_cols, exclude) -> list[str]:
    if covariate_cols is not None:
        cols = list(covariate_cols)
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ParameterError(f"covariate columns {missing} are not in the frame "
                                 f"(it has {list(df.columns)})")
        return cols
    return [c for c in df.columns if c not in exclude
            and not pd.api.types.is_datetime64_any_dtype(df[c])
            and not pd.api.types.is_timedelta64_dtype(df[c])]


class HorizonClassifier:
    """A fixed-horizon churn classifier with the survival models' prediction interface.

    "Does the customer churn within ``horizon``?" as a binary classification
    (scikit-learn gradient boosting by default), trained on a survival frame:

    - a customer churned within the horizon is a positive; one observed for the whole
      horizon without churning is a negative;
    - a customer **not observed long enough** has no label and is **left out**
      (``n_excluded_`` counts them): one censored before the horizon, and, when the
      frame has ``exit_date`` (the observation end is the latest one), also one who
      churned inside a window that the observation end would have cut. Leaving out
      only the censored would keep the churners of the most recent cohorts and drop
      their survivors: a bias towards churn. Either way the most recent customers do
      not train the classifier;
    - with ``stacked=True`` (default) the frame is read at landmark ages 0, ``every``,
      2 ``every``, ... (``every`` defaults to the horizon): each customer observed alive
      at a landmark ``a`` (``entry <= a < duration``) gives a row with their covariates
      and the age ``a``, labelled by churn within ``(a, a + horizon]``. The classifier
      then answers the time split's question, churn in the next ``horizon`` given the
      age now, and ``conditional_after`` is honoured. ``stacked=False`` keeps only the
      landmark at acquisition (the plain classifier, which ignores the age).

    Predictions: ``S(horizon | x) = 1 - p``; at other times the survival is
    interpolated with a constant hazard inside the horizon, ``S(t) = (1 - p) ** (t /
    horizon)`` (an assumption: the classifier knows the horizon only). ``predict_risk``
    is ``p``.

    Parameters
    ----------
    horizon : float
        In the unit of the frames (> 0).
    estimator : scikit-learn classifier, optional
        Default ``HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05,
        max_depth=3, min_samples_leaf=40, random_state=0)`` (shallow trees: a few
        thousand customers overfit deeper ones). Cloned at fit, and fitted with one
        OpenMP thread (on a busy machine many threads contend and the fit slows down
        by an order of magnitude).
    covariate_cols : sequence of str, optional
        By default every column that is not an id, date, time or outcome.
        Text and category columns are one-hot encoded (categories fixed at fit).
    stacked : bool, default True
    every : float, optional
        Landmark spacing (defaults to ``horizon``).
    unit : {"D", "W", "M"}, default "D"
        Unit of the frame's times, to tell from ``exit_date`` how long a churner could
        have been followed (the observation end is the latest ``exit_date``).

    Attributes
    ----------
    estimator_ : the fitted classifier
    columns_ : list of str
        Covariates read from the frame.
    features_ : list of str
        Columns of the design matrix (one-hot levels, ``_age`` when stacked).
    landmarks_ : numpy.ndarray
    n_rows_, n_excluded_ : int
        Training rows, and rows left out as not observed for the whole horizon.
    positive_rate_ : float

    Examples
    --------
    >>> df = pd.DataFrame({"duration": [10.0, 50, 30, 200, 250, 300, 5, 400],
    ...                    "event": [1, 1, 0, 1, 0, 0, 0, 1], "x": [3.0, 2, 1, 0, 0, 1, 2, 0]})
    >>> clf = HorizonClassifier(100, stacked=False).fit(df)
    >>> clf.n_rows_, clf.n_excluded_  # the two censored before 100 days are left out
    (6, 2)
    """

    def __init__(self, horizon, estimator=None, covariate_cols=None, stacked: bool = True,
                 every=None, unit: str = "D"):
        self.horizon = horizon
        self.estimator = estimator
        self.covariate_cols = covariate_cols
        self.stacked = stacked
        self.every = every
        self.unit = unit

    def _default_estimator(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_depth=3,
                                              min_samples_leaf=40, random_state=0)

    def _design(self, df: pd.DataFrame, age) -> pd.DataFrame:
        parts = {}
        for c in self.columns_:
            cats = self.categories_.get(c)
            if cats is None:
                parts[c] = pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
            else:
                v = df[c].astype(object).to_numpy()
                for k in cats:
                    parts[f"{c}={k}"] = (v == k).astype(float)
        if self.stacked:
            parts["_age"] = np.asarray(age, dtype=float)
        X = pd.DataFrame(parts, index=df.index)
        return X[self.features_] if hasattr(self, "features_") else X

    def _potential_follow_up(self, df, t, e) -> np.ndarray:
        """How long each row could have been followed (frame's unit); inf when unknown.

        Censored rows: their duration. Churners: their duration plus the time from their
        churn to the observation end (the latest ``exit_date``), when the frame has
        ``exit_date``.
        """
        if "exit_date" not in df.columns:
            return np.where(e, np.inf, t)
        exit_date = df["exit_date"].to_numpy(dtype="datetime64[ns]")
        if np.isnat(exit_date).any():
            return np.where(e, np.inf, t)
        rest = (exit_date.max() - exit_date) / np.timedelta64(1, "D") / UNIT_DAYS[self.unit]
        return np.where(e, t + rest, t)

    def fit(self, df: pd.DataFrame, duration_col: str = "duration", event_col: str = "event",
            entry_col: str | None = None) -> HorizonClassifier:
        """Fit on a survival frame (``duration`` and ``event``, optional late ``entry``).

        Returns
        -------
        self
        """
        from sklearn.base import clone

        for attr in ("features_", "estimator_"):
            self.__dict__.pop(attr, None)
        h = float(self.horizon) if np.isscalar(self.horizon) else np.nan
        if not np.isfinite(h) or h <= 0:
            raise ParameterError(f"horizon must be a positive time in the unit of the "
                                 f"frame, got {self.horizon!r}")
        every = h if self.every is None else float(self.every)
        if not np.isfinite(every) or every <= 0:
            raise ParameterError(f"every must be a positive time, got {self.every!r}")
        t, e = _outcomes(df, duration_col, event_col, "df")
        entry = (np.zeros(len(df)) if entry_col is None
                 else df[entry_col].to_numpy(dtype=float))
        if self.unit not in UNIT_DAYS:
            raise ParameterError(f"unit must be one of {list(UNIT_DAYS)}, got {self.unit!r}")
        self.columns_ = _covariate_columns(df, self.covariate_cols,
                                           {*_NOT_COVARIATES, duration_col, event_col,
                                            *([entry_col] if entry_col else [])})
        self.categories_ = {
            c: sorted(df[c].dropna().astype(object).unique().tolist(), key=str)
            for c in self.columns_
            if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))
        }
        potential = self._potential_follow_up(df, t, e)
        finite = potential[np.isfinite(potential)]
        top = (float(finite.max()) if len(finite) else float(t.max())) - h
        landmarks = (np.arange(0.0, max(top, 0.0) + 1e-9, every) if self.stacked
                     else np.array([0.0]))
        rows, ages, labels = [], [], []
        n_excluded = 0
        for a in landmarks:  # a few landmarks, each vectorised over customers
            alive = (entry <= a) & (t > a)
            usable = alive & (potential >= a + h)
            pos = usable & e & (t <= a + h)
            n_excluded += int((alive & ~usable).sum())
            keep = np.flatnonzero(usable)
            rows.append(keep)
            ages.append(np.full(len(keep), a))
            labels.append(pos[keep])
        idx = np.concatenate(rows)
        y = np.concatenate(labels)
        if not len(y) or y.all() or not y.any():
            raise ParameterError(
                "the frame gives no two classes of churn within the horizon (after leaving "
                "out the customers not observed for the whole horizon): use a shorter "
                "horizon or more data"
            )
        X = self._design(df.iloc[idx], np.concatenate(ages))
        self.features_ = list(X.columns)
        est = self._default_estimator() if self.estimator is None else clone(self.estimator)
        with threadpool_limits(limits=1):  # many OpenMP threads contend on a busy machine
            self.estimator_ = est.fit(X, y)
        self.landmarks_ = np.asarray(landmarks, dtype=float)
        self.n_rows_ = int(len(y))
        self.n_excluded_ = n_excluded
        self.positive_rate_ = float(y.mean())
        return self

    def _check_fitted(self):
        if not hasattr(self, "estimator_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call "
                                 "fit(train) first")

    def _proba(self, df: pd.DataFrame, conditional_after=None) -> np.ndarray:
        self._check_fitted()
        if conditional_after is None:
            age = np.zeros(len(df))
        elif isinstance(conditional_after, str):
            age = df[conditional_after].to_numpy(dtype=float)
        else:
            age = np.broadcast_to(np.asarray(conditional_after, dtype=float), (len(df),))
        X = self._design(df, age)
        classes = list(self.estimator_.classes_)
        with threadpool_limits(limits=1):
            return self.estimator_.predict_proba(X)[:, classes.index(True)]

    def predict_risk(self, df: pd.DataFrame, conditional_after=None) -> pd.Series:
        """Probability of churn within the horizon (at the age ``conditional_after``, else 0)."""
        return pd.Series(self._proba(df, conditional_after), index=df.index, name="risk")

    def predict_survival(self, df: pd.DataFrame, times, conditional_after=None) -> pd.DataFrame:
        """``S(t) = (1 - p) ** (t / horizon)``: exact at the horizon, constant hazard inside."""
        p = self._proba(df, conditional_after)
        times = np.atleast_1d(np.asarray(times, dtype=float))
        s = np.power(np.clip(1.0 - p, 0.0, 1.0)[:, None], times[None, :] / float(self.horizon))
        return pd.DataFrame(s, index=df.index, columns=times)


# ----------------------------------------------------------------------- BTYD P(alive)


class BTYDRisk:
    """The valuation module's ``P(alive)`` as a churn risk score: ``1 - P(alive)``.

    Built by :func:`btyd_risk`. A BTYD model (BG/NBD by default) fitted on the customer
    summary of the data as known at the split gives each customer's probability of
    being alive at the split; its complement ranks the test customers, so the
    concordances and the time-dependent AUC (the same score at every time) are
    available. ``P(alive at the split) * P(no dropout within the horizon)`` has no
    closed form for the BG/NBD (dropout happens at purchases), so there is no survival
    curve: ``predict_survival`` raises ``NotImplementedError``, and the integrated
    Brier score and the calibration are n/a.

    Attributes
    ----------
    model_ : the fitted BTYD model
    probability_alive_ : pandas.Series
        By customer id.
    as_of_ : pandas.Timestamp
    """

    def __init__(self, model, probability_alive: pd.Series, as_of, customer_id_col):
        self.model_ = model
        self.probability_alive_ = probability_alive
        self.as_of_ = as_of
        self.customer_id_col = customer_id_col

    def predict_risk(self, df: pd.DataFrame) -> pd.Series:
        """``1 - P(alive)`` of each row's customer (0 for a customer without purchase)."""
        col = self.customer_id_col
        if col not in df.columns:
            raise ParameterError(f"the frame needs the customer id column {col!r}")
        p = self.probability_alive_.reindex(df[col].to_numpy()).to_numpy(dtype=float)
        # a customer without purchase before the split: no repeat purchase, alive (BG/NBD)
        return pd.Series(1.0 - np.nan_to_num(p, nan=1.0), index=df.index, name="risk")

    def predict_survival(self, df, times, conditional_after=None):
        """Not available: the BG/NBD has no closed-form survival over a horizon."""
        raise NotImplementedError(
            "the BG/NBD gives P(alive) now, not P(no dropout within the horizon) in closed "
            "form; use predict_risk (1 - P(alive)) for rankings"
        )


def btyd_risk(data, split_date=None, model=None, freq: str = "D",
              customer_id_col: str = "customer_id") -> BTYDRisk:
    """BTYD ``P(alive)`` at the split as a churn risk score beside the hazard models.

    Parameters
    ----------
    data : TimeSplit or CustomerData
        A :class:`TimeSplit` (its data as known at the split are used), or raw tables
        cut here at ``split_date``.
    split_date : date-like, optional
        Needed with raw tables.
    model : BTYD model, optional
        Unfitted; default :class:`segkit.value.BetaGeoModel` (BG/NBD). Any model with
        ``fit(summary)`` and ``expected_probability_alive(summary)`` works (for
        example the MBG/NBD, whose one-time buyers can be dead).
    freq : str, default "D"
        Period of the summary (:func:`segkit.features.summary`).
    customer_id_col : str
        Id column of the frames passed to ``predict_risk``.

    Returns
    -------
    BTYDRisk
        Fitted; ``predict_risk(df)`` maps each row's customer id to ``1 - P(alive)``.
    """
    from ..features import summary
    from ..value import BetaGeoModel

    if isinstance(data, TimeSplit):
        as_of, past = data.split_date, data.data
    elif isinstance(data, CustomerData):
        if split_date is None:
            raise ParameterError("btyd_risk on raw tables needs split_date")
        as_of = pd.Timestamp(split_date)
        past = known_at(data, as_of)
    else:
        raise ParameterError(f"data must be a TimeSplit or a CustomerData, got "
                             f"{type(data).__name__}")
    if past.transactions is None or not len(past.transactions):
        raise ParameterError("btyd_risk needs transactions before the split")
    summ = summary(past.transactions, observation_end=as_of, freq=freq, after_end="drop")
    fitted = (BetaGeoModel() if model is None else model).fit(summ)
    alive = fitted.expected_probability_alive(summ)
    alive.index = pd.Index(summ["customer_id"].to_numpy(), name="customer_id")
    return BTYDRisk(fitted, alive, as_of, customer_id_col)


# ---------------------------------------------------------------------------- side by side


def _is_fitted(model) -> bool:
    return any(k.endswith("_") and not k.startswith("_") for k in vars(model))


def compare_models(models: dict, split: TimeSplit, times, tau=None, n_bins: int = 10,
                   censoring_from: str = "test") -> pd.DataFrame:
    """The metrics of several churn models on one time split: one row per model.

    Parameters
    ----------
    models : dict of str to model
        Fitted models are used as they are; unfitted ones are fitted here on
        ``split.train`` (``fit(train, duration_col="duration", event_col="event")``, with
        ``entry_col="entry"`` when the train frame has late entries).
    split : TimeSplit
    times : array-like
        Times of the AUC and the Brier score (see :func:`evaluate_survival`).
    tau : float, optional
        Defaults to the follow-up of the split (the horizon).
    n_bins, censoring_from
        As in :func:`evaluate_survival`.

    Returns
    -------
    pandas.DataFrame
        Indexed by model name; the calibration tables are in
        ``.attrs["calibration"]`` (a dict by name; None where n/a).
    """
    if not isinstance(split, TimeSplit):
        raise ParameterError(f"split must be a TimeSplit (time_split(...)), got "
                             f"{type(split).__name__}")
    if not models:
        raise ParameterError("models is empty: give at least one {name: model}")
    late = bool((split.train["entry"] > 0).any())
    for name, model in models.items():
        if isinstance(model, HorizonClassifier) and model.unit != split.unit:
            raise ParameterError(f"model {name!r} counts time in {model.unit!r} but the split "
                                 f"in {split.unit!r}; build it with unit={split.unit!r}")
    rows, calib = [], {}
    for name, model in models.items():  # a handful of models
        if not _is_fitted(model):
            if late:
                model.fit(split.train, duration_col="duration", event_col="event",
                          entry_col="entry")
            else:
                model.fit(split.train, duration_col="duration", event_col="event")
        row = evaluate_survival(model, split.train, split.test, times,
                                tau=split.follow_up if tau is None else tau,
                                n_bins=n_bins, censoring_from=censoring_from, name=name)
        calib[name] = row.attrs.pop("calibration", None)
        rows.append(row)
    out = pd.concat(rows)
    out.attrs["calibration"] = calib
    return out
