"""The early-warning system (客户流失预警): whom to call today, and why.

Every active customer gets a **risk**, the probability of leaving within the horizon
from a Cox model (:class:`segkit.churn.CoxModel`) on the six warning indicators of
docs/domain.md section 4 (:func:`segkit.features.warning_indicators`: each a change
against the customer's own baseline) and, by default, the customer's complaint level,
and a **level**:

``red``
    the ``capacity`` customers of highest risk (the team can call that many) among
    those above the base rate; never more than ``capacity`` (ties at the cut are
    broken by customer id);
``amber``
    not red, with a risk of at least ``amber_factor`` (1.5) times the **base rate**,
    the mean risk the model gives its training examples (the usual customer's risk);
``green``
    the rest.

The warning list adds each listed customer's tier (:class:`segkit.segment.ParetoTiers`
on the customer profile: key / ordinary / small / inferior), a suggested action by
level and tier (:data:`DEFAULT_ACTIONS`, short codes: ``personal_call``,
``retention_offer``, ``automated_mail``, ``no_action``; effort goes where the value
is, and an inferior customer's churn is not worth reversing) and the top three
**drivers**: the covariates whose contribution ``beta_k * (x_k - mean_k)`` to the
customer's log hazard is largest, when positive (``mean_k`` the training mean).

What is learned, and when
-------------------------
``fit(data, as_of)`` reads only rows dated strictly before ``as_of``. It builds
training examples at earlier as-of dates ``t0`` (by default twelve, a month apart,
the latest ``threshold_days + horizon_days`` before ``as_of``): the indicators at
``t0`` and what happened next. The event is the customer's **final activity** (the
last purchase or interaction before a silence of ``threshold_days``: narrow churn,
:func:`segkit.churn.narrow_churn`), counted from ``t0`` to the end of its day: the
moment the customer left, not the later day the company declares it. A customer is
a training example at ``t0`` when active then (inactive for less than the threshold)
and still there (some activity on or after ``t0``); the follow-up of the others ends
at ``as_of - threshold_days``, by which every final activity is known at ``as_of``.
The model is thus the hazard of leaving among customers who are still there; the
risk at scoring is ``1 - S(horizon | x)``.

Scoring cannot tell a customer who is about to leave from one who has just left
without a word (both show a fall of every indicator); only customers inactive for
less than the threshold are scored.

:func:`evaluate_warning` scores simulated data at repeated dates after the fit and
compares the red list with the naive rule "no purchase for N days" at equal capacity,
against the simulator's true churn times.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd

from ..data import acquisition_dates, period_range, period_starts, time_unit
from ..data import observation_end as resolve_end
from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..features import (
    INDICATORS,
    customer_profile,
    warning_indicators,
    warning_indicators_by_period,
)
from ..features.windows import _listed
from ..schema import CustomerData
from ..segment import ParetoTiers
from .labels import _check_data, choose_threshold, narrow_churn
from .models import CoxModel

__all__ = [
    "LEVELS",
    "ACTIONS",
    "DEFAULT_ACTIONS",
    "ACTIONS_BY_SCHEME",
    "EarlyWarning",
    "evaluate_warning",
]

#: Warning levels, most urgent first.
LEVELS: tuple[str, ...] = ("red", "amber", "green")
#: Action codes (the words users read are in the glossary).
ACTIONS: tuple[str, ...] = ("personal_call", "retention_offer", "automated_mail", "no_action")
#: Suggested action by level and tier (ParetoTiers codes): effort where the value is.
DEFAULT_ACTIONS: dict[str, dict[str, str]] = {
    "red": {"key": "personal_call", "ordinary": "retention_offer",
            "small": "automated_mail", "inferior": "no_action"},
    "amber": {"key": "retention_offer", "ordinary": "automated_mail",
              "small": "automated_mail", "inferior": "no_action"},
    "green": {"key": "no_action", "ordinary": "no_action", "small": "no_action",
              "inferior": "no_action"},
}

#: Suggested actions by tier scheme (``segkit.segment`` tier codes), level and tier.
ACTIONS_BY_SCHEME: dict[str, dict[str, dict[str, str]]] = {
    "pareto": DEFAULT_ACTIONS,
    "importance_risk": {
        "red": {"important": "personal_call", "general": "retention_offer",
                "risk": "retention_offer"},
        "amber": {"important": "retention_offer", "general": "automated_mail",
                  "risk": "automated_mail"},
        "green": {"important": "no_action", "general": "no_action", "risk": "no_action"},
    },
    "vip": {
        "red": {"vip": "personal_call", "potential": "retention_offer",
                "ordinary": "automated_mail"},
        "amber": {"vip": "retention_offer", "potential": "automated_mail",
                  "ordinary": "automated_mail"},
        "green": {"vip": "no_action", "potential": "no_action", "ordinary": "no_action"},
    },
}

_TIME_TABLES = {"customers": "acquisition_date", "transactions": "timestamp",
                "interactions": "timestamp", "complaints": "timestamp",
                "contracts": "start_date"}


def _date(name: str, value, data: CustomerData | None = None) -> pd.Timestamp:
    if data is None and (value is None or (isinstance(value, str) and value == "")):
        raise ParameterError(f"{name} is required")
    return resolve_end(data, value, name)


def _known_before(data: CustomerData, as_of: pd.Timestamp) -> CustomerData:
    """The tables the warning reads, with only the rows dated strictly before ``as_of``."""
    tables = {}
    for name, col in _TIME_TABLES.items():
        df = getattr(data, name)
        if df is not None and col in df.columns:
            tables[name] = df.loc[~(df[col] >= as_of).to_numpy()]
    if tables.get("contracts") is not None and "end_date" in tables["contracts"].columns:
        k = tables["contracts"]
        later = (k["end_date"] >= as_of).to_numpy()
        if later.any():
            k = k.copy()
            k.loc[later, "end_date"] = pd.NaT
            tables["contracts"] = k
    return dataclasses.replace(data, observation_end=as_of, **tables)


def _positive(name: str, value, integer: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a positive number, got {value!r}") from None
    if not np.isfinite(v) or v <= 0 or (integer and v != int(v)):
        kind = "a positive whole number" if integer else "a positive number"
        raise ParameterError(f"{name} must be {kind}, got {value!r}")
    return v


class EarlyWarning:
    """Churn early warning: risk within a horizon, red / amber / green, a warning list.

    Parameters
    ----------
    horizon_days : float, default 90
        The risk is the probability of leaving (final activity) within this many days.
    capacity : int, default 100
        How many customers the team can call: the most red customers of one scoring.
    window_days, baseline_days, min_baseline_days, pseudo_count : float
        The indicator windows (:func:`segkit.features.warning_indicators`).
    threshold_days : float, optional
        Days of silence after which a customer is churned (narrow churn); by default
        :func:`segkit.churn.choose_threshold` on the data before the fit date.
    threshold_quantile : float, default 0.9
        The quantile of the inter-purchase times used when ``threshold_days`` is None.
    amber_factor : float, default 1.5
        Amber from this multiple of the base rate on.
    n_train_dates : int, default 12
        Training as-of dates (a ``train_step_days`` apart, the latest
        ``threshold_days + horizon_days`` before the fit date, so that the horizon of
        every training example is known; dates without ``window_days +
        min_baseline_days`` of history after the first acquisition are dropped).
    train_step_days : float, default 30
        Days between training dates; None: ``horizon_days``.
    complaint_level : bool, default True
        Add ``complaint_level = log(1 + complaints_to_date)`` to the six indicators:
        the standing risk of a customer who complained, which the change indicator
        loses once the complaint leaves the recent window (in the simulator every
        complaint raises the hazard for good).
    penalizer : float, default 0.01
        Ridge penalty of the Cox model (the indicators are correlated).
    max_train_rows : int, default 500000
        Larger training sets are subsampled (with ``random_state``).
    tiers : TierScheme, optional
        Tier scheme of the warning list, fitted on the profile at the scoring date;
        defaults to ``ParetoTiers()``. Not modified (a copy is fitted).
    actions : dict, optional
        ``{level: {tier: action code}}``; defaults to :data:`DEFAULT_ACTIONS`.
    random_state : int, default 0

    Attributes
    ----------
    model_ : CoxModel
    covariates_ : list of str
        The six :data:`~segkit.features.windows.INDICATORS`, then ``complaint_level``.
    coef_ : pandas.Series
        Cox coefficients (log hazard ratios) of the covariates.
    means_ : pandas.Series
        Training means of the covariates (the centre of the drivers).
    base_rate_ : float
        Mean predicted risk within the horizon over the training examples.
    amber_threshold_ : float
        ``amber_factor * base_rate_``.
    threshold_days_ : float
    as_of_ : pandas.Timestamp
        The fit date: nothing on or after it was read.
    train_dates_ : pandas.DatetimeIndex
    n_train_, n_events_ : int
        Training examples and final activities among them.
    observed_rate_ : float
        Share of training examples whose final activity fell within the horizon.

    Examples
    --------
    >>> import segkit
    >>> sim = segkit.datasets.simulate(n_customers=3000, start="2022-01-01", seed=1)
    >>> ew = EarlyWarning(capacity=20).fit(sim.tables, as_of="2024-07-01")
    >>> scored = ew.score(sim.tables, as_of="2024-07-01")
    >>> int((scored["level"] == "red").sum())
    20
    >>> wl = ew.warning_list(sim.tables, as_of="2024-07-01")
    >>> wl.columns[:7].tolist()
    ['customer_id', 'level', 'rank', 'risk', 'relative_risk', 'tier', 'action']
    """

    def __init__(self, horizon_days=90, capacity=100, window_days=90, baseline_days=365,
                 threshold_days=None, threshold_quantile=0.9, amber_factor=1.5,
                 n_train_dates=12, train_step_days=30, min_baseline_days=30,
                 pseudo_count=0.5, complaint_level=True, penalizer=0.01,
                 max_train_rows=500_000, tiers=None, actions=None, random_state=0):
        self.horizon_days = horizon_days
        self.capacity = capacity
        self.window_days = window_days
        self.baseline_days = baseline_days
        self.threshold_days = threshold_days
        self.threshold_quantile = threshold_quantile
        self.amber_factor = amber_factor
        self.n_train_dates = n_train_dates
        self.train_step_days = train_step_days
        self.min_baseline_days = min_baseline_days
        self.pseudo_count = pseudo_count
        self.complaint_level = complaint_level
        self.penalizer = penalizer
        self.max_train_rows = max_train_rows
        self.tiers = tiers
        self.actions = actions
        self.random_state = random_state

    # ------------------------------------------------------------------ parameters

    def _check_params(self) -> None:
        _positive("horizon_days", self.horizon_days)
        _positive("capacity", self.capacity, integer=True)
        _positive("amber_factor", self.amber_factor)
        _positive("n_train_dates", self.n_train_dates, integer=True)
        _positive("max_train_rows", self.max_train_rows, integer=True)
        if self.threshold_days is not None:
            _positive("threshold_days", self.threshold_days)
        if self.train_step_days is not None:
            _positive("train_step_days", self.train_step_days)
        if not 0 < float(self.threshold_quantile) < 1:
            raise ParameterError(
                f"threshold_quantile must lie strictly between 0 and 1, got "
                f"{self.threshold_quantile!r}"
            )
        if float(self.penalizer) < 0:
            raise ParameterError(f"penalizer must be >= 0, got {self.penalizer!r}")
        self._actions()  # checks the table

    def _window_kw(self) -> dict:
        return {"window_days": self.window_days, "baseline_days": self.baseline_days,
                "min_baseline_days": self.min_baseline_days,
                "pseudo_count": self.pseudo_count}

    def _actions(self) -> dict[str, dict[str, str]]:
        acts = DEFAULT_ACTIONS if self.actions is None else self.actions
        if not isinstance(acts, dict) or not all(isinstance(acts.get(lv), dict)
                                                 for lv in ("red", "amber")):
            raise ParameterError(
                "actions must be a dict {level: {tier: action code}} with at least the "
                "levels 'red' and 'amber', e.g. segkit.churn.warning.DEFAULT_ACTIONS"
            )
        return acts

    def _covariates(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's covariates: the six indicators (and the complaint level)."""
        cov = frame[list(INDICATORS)].copy()
        if self.complaint_level:
            cov["complaint_level"] = (np.log1p(frame["complaints_to_date"].to_numpy(float))
                                      if "complaints_to_date" in frame.columns
                                      else frame["complaint_level"].to_numpy(float))
        return cov

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                "this EarlyWarning is not fitted yet: call fit(data, as_of=...) first"
            )

    # ------------------------------------------------------------------------- fit

    def training_data(self, data: CustomerData, as_of=None, train_dates=None
                      ) -> pd.DataFrame:
        """The training examples :meth:`fit` learns from (rows strictly before ``as_of``).

        Parameters
        ----------
        data : CustomerData
            Canonical tables (not modified).
        as_of : date-like, optional
            The fit date; defaults to the observation end.
        train_dates : sequence of date-like, optional
            Training as-of dates; each must lie more than ``threshold_days`` before
            ``as_of``. By default ``n_train_dates`` dates, see the class notes.

        Returns
        -------
        pandas.DataFrame
            One row per customer and training date at which the customer was active
            and still there: ``customer_id``, ``train_date``, the covariates,
            ``duration`` (days from the training date to the end of the day of the
            final activity, or to ``as_of - threshold_days``) and ``event`` (1: the
            final activity, 0: censored). ``attrs`` hold ``as_of``,
            ``threshold_days`` and ``train_dates``.

        Raises
        ------
        ParameterError
            When ``as_of`` leaves no training date with enough history, or a given
            training date is too late.
        """
        self._check_params()
        _check_data(data)
        T = _date("as_of", as_of, data)
        before = _known_before(data, T)
        acq = acquisition_dates(before)
        acq = acq[acq < T]
        if not len(acq):
            raise ParameterError(
                f"as_of {T.date()} is not after any acquisition in the data: nothing is "
                "known before it; choose a later date"
            )
        if self.threshold_days is not None:
            thr = float(self.threshold_days)
        else:
            thr = choose_threshold(before, float(self.threshold_quantile), observation_end=T)
        h = float(self.horizon_days)
        follow_end = T - pd.Timedelta(days=thr)
        if train_dates is None:
            step = float(self.train_step_days or h)
            latest = follow_end - pd.Timedelta(days=h)
            dates = [latest - pd.Timedelta(days=step * j) for j in range(int(self.n_train_dates))]
            earliest = acq.min() + pd.Timedelta(
                days=float(self.window_days) + float(self.min_baseline_days))
            dates = pd.DatetimeIndex(sorted(d for d in dates if d > earliest))
            if not len(dates):
                need = thr + h + float(self.window_days) + float(self.min_baseline_days)
                raise ParameterError(
                    f"as_of {T.date()} leaves no training date: fitting needs about "
                    f"{need:.0f} days of history before as_of (churn threshold {thr:g} + "
                    f"horizon {h:g} + window {float(self.window_days):g} + baseline "
                    f"{float(self.min_baseline_days):g}), and the first customer was "
                    f"acquired {acq.min().date()}; choose a later as_of, a shorter "
                    "threshold_days or give train_dates"
                )
        else:
            dates = pd.DatetimeIndex(sorted({_date("train_dates", d) for d in
                                             _listed(train_dates)}))
            late = dates[dates >= follow_end]
            if len(late):
                raise ParameterError(
                    f"train_dates {[str(d.date()) for d in late]} are too late: a training "
                    f"date must lie more than threshold_days ({thr:g}) before as_of "
                    f"{T.date()}, i.e. before {follow_end.date()}, so that its outcome is "
                    "known at as_of"
                )
            if dates[0] <= acq.min():
                raise ParameterError(
                    f"train_dates must come after the first acquisition "
                    f"({acq.min().date()}); got {dates[0].date()}"
                )
        X = warning_indicators_by_period(before, dates=dates, **self._window_kw())
        labels = narrow_churn(before, thr, observation_end=T)
        last = labels["last_activity"].reindex(X["customer_id"]).to_numpy(dtype="datetime64[ns]")
        gone = labels["churned"].reindex(X["customer_id"]).to_numpy(dtype=bool)
        t0 = X["period_start"].to_numpy(dtype="datetime64[ns]")
        at_risk = (X["days_since_activity"].to_numpy() < thr) & (last >= t0)
        # a customer leaves at the end of the day of the final activity (never at t0 itself)
        left = last.astype("datetime64[D]").astype("datetime64[ns]") + np.timedelta64(1, "D")
        stop = np.where(gone, left, follow_end.to_datetime64())
        rows = X.loc[at_risk]
        out = pd.DataFrame({"customer_id": rows["customer_id"].to_numpy(),
                            "train_date": rows["period_start"].to_numpy()})
        cov = self._covariates(rows)
        for c in cov.columns:
            out[c] = cov[c].to_numpy()
        out["duration"] = (stop[at_risk] - t0[at_risk]) / np.timedelta64(86_400, "s")
        out["event"] = gone[at_risk].astype(int)
        out.attrs.update(as_of=T, threshold_days=thr, train_dates=dates)
        return out

    def fit(self, data: CustomerData, as_of=None, train_dates=None) -> EarlyWarning:
        """Learn the risk model from the rows dated strictly before ``as_of``.

        Parameters
        ----------
        data : CustomerData
            Canonical tables (not modified).
        as_of : date-like, optional
            The fit date; defaults to the observation end.
        train_dates : sequence of date-like, optional
            As in :meth:`training_data`.

        Returns
        -------
        self

        Raises
        ------
        ParameterError
            When ``as_of`` leaves no training date with enough history, or a given
            training date is too late.
        SchemaError
            When the training examples hold fewer than 10 final activities.
        """
        train = self.training_data(data, as_of, train_dates)
        dates = train.attrs["train_dates"]
        cols = [c for c in train.columns if c not in ("customer_id", "train_date", "duration",
                                                      "event")]
        if len(train) > int(self.max_train_rows):
            rng = np.random.default_rng(self.random_state)
            keep = np.sort(rng.choice(len(train), int(self.max_train_rows), replace=False))
            train = train.iloc[keep].reset_index(drop=True)
        if train["event"].sum() < 10:
            raise SchemaError(
                "transactions", "customer_id",
                f"too little history to learn from: {len(train)} training examples with "
                f"{int(train['event'].sum())} final activities at the training dates "
                f"{[str(d.date()) for d in dates]}; use more data or a later as_of",
                pd.DataFrame(), 0)
        h = float(self.horizon_days)
        model = CoxModel(penalizer=float(self.penalizer)).fit(
            train, "duration", "event", covariate_cols=cols)
        self.model_ = model
        # an indicator without variation (no interactions or complaints in the data) is
        # left out by the model: the drivers are the covariates it kept
        cols = [c for c in cols if c in model.design_.names]
        self.covariates_ = cols
        self.coef_ = model.params_.reindex(cols).rename("coef")
        self.means_ = train[cols].mean().rename("mean")
        risk = 1.0 - model.predict_survival(train, [h]).iloc[:, 0].to_numpy()
        self.base_rate_ = float(risk.mean())
        self.amber_threshold_ = float(self.amber_factor) * self.base_rate_
        self.observed_rate_ = float(((train["event"] == 1) & (train["duration"] < h)).mean())
        self.threshold_days_ = float(train.attrs["threshold_days"])
        self.as_of_ = train.attrs["as_of"]
        self.train_dates_ = dates
        self.n_train_ = len(train)
        self.n_events_ = int(train["event"].sum())
        return self

    # ----------------------------------------------------------------------- score

    def contributions(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each indicator's contribution ``beta_k * (x_k - mean_k)`` to the log hazard.

        ``frame`` holds the six indicator columns (the output of :meth:`score` or of
        :func:`segkit.features.warning_indicators`); the result has the same index.
        """
        self._check_fitted()
        x = self._covariates(frame)[self.covariates_].to_numpy(dtype=float)
        c = (x - self.means_.to_numpy()) * self.coef_.to_numpy()
        return pd.DataFrame(c, index=frame.index, columns=self.covariates_)

    def _score_frame(self, X: pd.DataFrame, group_col: str | None = None) -> pd.DataFrame:
        """Risk and level of the active rows of an indicator frame (per ``group_col``)."""
        capacity = int(_positive("capacity", self.capacity, integer=True))
        active = X["days_since_activity"].to_numpy() < self.threshold_days_
        out = X.loc[active].reset_index(drop=True)
        cov = self._covariates(out)
        if self.complaint_level:
            out["complaint_level"] = cov["complaint_level"].to_numpy()
        surv = self.model_.predict_survival(cov, [float(self.horizon_days)]).iloc[:, 0]
        risk = 1.0 - surv.to_numpy()
        n = len(out)
        group = (np.zeros(n, dtype=np.int64) if group_col is None
                 else pd.factorize(out[group_col])[0])
        ids = pd.factorize(out["customer_id"], sort=True)[0]
        order = np.lexsort((ids, -risk, group))
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        g_sorted = group[order]
        first = np.r_[0, np.flatnonzero(g_sorted[1:] != g_sorted[:-1]) + 1] if n else \
            np.zeros(0, dtype=np.int64)
        start = np.zeros(n, dtype=np.int64)
        if n:
            start[order] = np.repeat(first, np.diff(np.r_[first, n]))
        rank = pos - start + 1
        elevated = risk > self.base_rate_
        # red: the first `capacity` rows above the base rate in rank order, per group
        el_sorted = elevated[order].astype(np.int64)
        cum = np.cumsum(el_sorted)
        base = np.zeros(n, dtype=np.int64)
        if n:
            before_group = np.r_[0, cum][first]
            base[order] = np.repeat(before_group, np.diff(np.r_[first, n]))
        k = np.empty(n, dtype=np.int64)
        k[order] = cum
        red = elevated & (k - base <= capacity)
        code = np.where(red, 0, np.where(risk >= self.amber_threshold_, 1, 2))
        out.insert(1, "risk", risk)
        out.insert(2, "relative_risk", risk / self.base_rate_)
        out.insert(3, "level", pd.Categorical.from_codes(code, categories=list(LEVELS),
                                                         ordered=True))
        out.insert(4, "rank", rank)
        return out

    def score(self, data: CustomerData, as_of=None) -> pd.DataFrame:
        """Risk and level of every active customer at ``as_of`` (rows strictly before it).

        Returns
        -------
        pandas.DataFrame
            One row per customer acquired before ``as_of`` and inactive for less than
            ``threshold_days_``, by rank: ``customer_id``, ``risk`` (probability of
            leaving within the horizon), ``relative_risk`` (risk over the base rate),
            ``level`` (red / amber / green, ordered categorical), ``rank`` (1 = highest
            risk; ties by customer id), then the columns of
            :func:`segkit.features.warning_indicators` (and ``complaint_level``). At
            most ``capacity`` rows are red; ``attrs`` hold ``as_of``,
            ``amber_threshold`` and ``red_threshold`` (the lowest red risk).
        """
        self._check_fitted()
        _check_data(data)
        T = _date("as_of", as_of, data)
        X = warning_indicators(data, T, **self._window_kw())
        out = self._score_frame(X)
        out = out.sort_values("rank", kind="stable").reset_index(drop=True)
        out.attrs.update(as_of=T, amber_threshold=self.amber_threshold_,
                         red_threshold=float(out.loc[out["level"] == "red", "risk"].min())
                         if (out["level"] == "red").any() else np.nan)
        return out

    def warning_list(self, data: CustomerData, as_of=None, levels=("red", "amber")
                     ) -> pd.DataFrame:
        """The customers to act on at ``as_of``: risk, tier, action and top drivers.

        Parameters
        ----------
        data : CustomerData
        as_of : date-like, optional
            Defaults to the observation end; rows on or after it are not read.
        levels : sequence of str, default ("red", "amber")

        Returns
        -------
        pandas.DataFrame
            By rank: ``customer_id``, ``level``, ``rank``, ``risk``,
            ``relative_risk``, ``tier`` (of the tier scheme, fitted on the profile of
            every customer at ``as_of``), ``action`` (code), ``driver_1`` ..
            ``driver_3`` (indicator names with a positive contribution, else None) and
            ``contribution_1`` .. ``contribution_3`` (their contributions to the log
            hazard, 0 when there is no driver).
        """
        self._check_fitted()
        levels = [levels] if isinstance(levels, str) else list(levels)
        bad = [lv for lv in levels if lv not in LEVELS]
        if bad or not levels:
            raise ParameterError(f"levels must be among {list(LEVELS)}, got {levels!r}")
        T = _date("as_of", as_of, data)
        scored = self.score(data, T)
        scored = scored.loc[scored["level"].isin(levels).to_numpy()].reset_index(drop=True)
        # the profile counts rows up to its end: one nanosecond before as_of keeps it
        # to the rows strictly before as_of without copying the tables
        profile = customer_profile(data, observation_end=T - pd.Timedelta(1, "ns"))
        scheme = copy.deepcopy(self.tiers) if self.tiers is not None else ParetoTiers()
        tier = scheme.fit(profile).predict(profile)
        tier = pd.Series(tier.astype(str).to_numpy(), index=profile["customer_id"].to_numpy())
        tiers = tier.reindex(scored["customer_id"].to_numpy()).to_numpy(dtype=object)
        acts = self._actions()
        action = np.full(len(scored), None, dtype=object)
        lv = scored["level"].astype(str).to_numpy()
        missing = set()
        for level in levels:
            table = acts.get(level, {})
            for tr in pd.unique(tiers[lv == level]):
                sel = (lv == level) & (tiers == tr)
                if tr not in table:
                    missing.add((level, tr))
                    continue
                action[sel] = table[tr]
        if missing:
            raise ParameterError(
                f"actions has no action for {sorted(missing, key=str)}; give "
                "actions={level: {tier: code}} covering every tier of the tier scheme"
            )
        contrib = self.contributions(scored).to_numpy()
        if contrib.shape[1] < 3:  # fewer covariates than drivers shown: pad with nothing
            contrib = np.hstack([contrib, np.zeros((len(contrib), 3 - contrib.shape[1]))])
        top = np.argsort(-contrib, axis=1, kind="stable")[:, :3]
        names = np.array([*self.covariates_, None, None, None], dtype=object)
        out = scored[["customer_id", "level", "rank", "risk", "relative_risk"]].copy()
        out["tier"] = tiers
        out["action"] = action
        vals = np.take_along_axis(contrib, top, axis=1) if len(scored) else np.zeros((0, 3))
        for j in range(3):
            pos = vals[:, j] > 0
            out[f"driver_{j + 1}"] = np.where(pos, names[top[:, j]], None) if len(scored) \
                else np.array([], dtype=object)
            out[f"contribution_{j + 1}"] = np.where(pos, vals[:, j], 0.0)
        out.attrs.update(scored.attrs)
        return out


# ------------------------------------------------------------------------ evaluation


def evaluate_warning(data: CustomerData, truth: pd.DataFrame, warning: EarlyWarning,
                     dates=None, *, freq: str = "M", naive_days=(60, 90),
                     customer_id_col: str = "customer_id",
                     churn_time_col: str = "churn_time") -> pd.DataFrame:
    """Lead time, precision and recall of the red list against true churn times.

    The fitted ``warning`` scores the data at each date (monthly by default, from its
    fit date to the observation end; never before the fit date, whose labels would
    reach past the date scored). A red flag of customer *i* at date *d* is a **hit**
    when the true churn time ``c_i`` falls in ``[d, d + horizon)``. The naive rule
    "no purchase for N days" flags, among the same active customers and at equal
    capacity, the customers without a purchase for at least N days who lapsed most
    recently (their last purchase closest to N days ago; the long-lapsed are mostly
    gone already).

    - ``precision``: hits / red flags (customer-date pairs);
    - ``recall``: churners caught / churners catchable, where a churner is catchable
      when scored (active) at some date in ``(c - horizon, c]`` and caught when red at
      one of them;
    - ``median_lead_days``: median over caught churners of ``c`` minus the first red
      date in that span (how long before leaving the customer turned red).

    Parameters
    ----------
    data : CustomerData
    truth : pandas.DataFrame
        One row per customer with the true churn time (``sim.truth``); NaT: never.
    warning : EarlyWarning
        Fitted.
    dates : sequence of date-like, optional
        Scoring dates; default: the starts of ``freq`` periods after the fit date up
        to the observation end.
    naive_days : sequence of float, default (60, 90)
        The N of each naive rule compared.

    Returns
    -------
    pandas.DataFrame
        One row per method (``early_warning``, ``no_purchase_<N>d``): ``method``,
        ``capacity``, ``precision``, ``recall``, ``median_lead_days``, ``n_flagged``,
        ``n_caught``, ``n_churners`` (catchable), ``n_dates``.
    """
    if not isinstance(warning, EarlyWarning):
        raise ParameterError(f"warning must be an EarlyWarning, got {type(warning).__name__}")
    warning._check_fitted()
    _check_data(data)
    for col in (customer_id_col, churn_time_col):
        if not isinstance(truth, pd.DataFrame) or col not in truth.columns:
            raise SchemaError("truth", col, f"the truth needs the columns {customer_id_col!r} "
                              f"and {churn_time_col!r} (sim.truth has them)", pd.DataFrame(), 0)
    naive = [_positive("naive_days", n) for n in _listed(naive_days)]
    end = resolve_end(data, None)
    if dates is None:
        unit = time_unit(freq, ("D", "W", "M", "Q", "Y"))
        starts = period_starts(period_range(warning.as_of_, end, unit), unit)
        dates = starts[(starts >= warning.as_of_) & (starts <= end)]
    dates = pd.DatetimeIndex(sorted({_date("dates", d) for d in _listed(dates)}))
    if not len(dates):
        raise ParameterError(
            f"no scoring date between the fit date {warning.as_of_.date()} and the "
            f"observation end {end.date()}; give dates or fit earlier"
        )
    if dates[0] < warning.as_of_:
        raise ParameterError(
            f"dates must not come before the fit date {warning.as_of_.date()} (the model's "
            f"training labels reach up to it); got {dates[0].date()}"
        )
    X = warning_indicators_by_period(data, dates=dates, **warning._window_kw())
    scored = warning._score_frame(X, group_col="period_start")
    h = np.timedelta64(int(round(float(warning.horizon_days) * 86_400)), "s")
    ct = truth.set_index(customer_id_col)[churn_time_col]
    c = pd.to_datetime(ct.reindex(scored["customer_id"]).to_numpy()).to_numpy("datetime64[ns]")
    d = scored["period_start"].to_numpy(dtype="datetime64[ns]")
    with np.errstate(invalid="ignore"):
        pre = ~np.isnat(c) & (c >= d) & (c < d + h)  # the customer churns within the horizon
    cid = scored["customer_id"].to_numpy()
    catchable = pd.unique(cid[pre])
    n_churners = len(catchable)
    cap = int(warning.capacity)

    def metrics(method: str, flag: np.ndarray) -> dict:
        hit = flag & pre
        caught = pd.Series(d[hit], index=cid[hit]).groupby(level=0).min() if hit.any() \
            else pd.Series([], dtype="datetime64[ns]")
        lead = (ct.reindex(caught.index).to_numpy(dtype="datetime64[ns]")
                - caught.to_numpy(dtype="datetime64[ns]")) / np.timedelta64(86_400, "s")
        n_flag = int(flag.sum())
        return {"method": method, "capacity": cap,
                "precision": hit.sum() / n_flag if n_flag else np.nan,
                "recall": len(caught) / n_churners if n_churners else np.nan,
                "median_lead_days": float(np.median(lead)) if len(lead) else np.nan,
                "n_flagged": n_flag, "n_caught": len(caught), "n_churners": n_churners,
                "n_dates": len(dates)}

    rows = [metrics("early_warning", (scored["level"] == "red").to_numpy())]
    since = scored["days_since_purchase"].to_numpy()
    grp = pd.factorize(scored["period_start"])[0]
    ids = pd.factorize(scored["customer_id"], sort=True)[0]
    for n in naive:
        lapsed = since >= n
        # most recently lapsed first, at most `capacity` per date
        key = np.where(lapsed, since, np.inf)
        order = np.lexsort((ids, key, grp))
        first_of = np.r_[True, grp[order][1:] != grp[order][:-1]]
        starts = np.maximum.accumulate(np.where(first_of, np.arange(len(order)), 0))
        within = np.arange(len(order)) - starts
        flag = np.zeros(len(order), dtype=bool)
        flag[order] = (within < cap) & lapsed[order]
        rows.append(metrics(f"no_purchase_{n:g}d", flag))
    return pd.DataFrame(rows)
