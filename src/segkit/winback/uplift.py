"""Win-back effect (流失客户挽回的效果): offer effects, meta-learners, Qini and uplift-at-k.

- :func:`offer_effects`: from *randomised* campaign rows, each offer's response rate and
  its difference against the control arm with a 95% confidence interval (Newcombe's
  hybrid score interval by default, Wald on request) and n per arm. Rows that were not
  randomised are refused: the difference of their response rates mixes the offer with
  whatever decided who got it (confounding).
- :func:`learning_frame`: one row per campaign row with customer features known at the
  campaign date (spend, purchases, recency, tenure, complaints by reason), computed from
  the raw tables with nothing on or after the campaign timestamp.
- Meta-learners for one treatment against control and a binary response, on
  scikit-learn models: :class:`SLearner`, :class:`TLearner`, :class:`XLearner`,
  :class:`DRLearner` (doubly robust, AIPW pseudo-outcome), each ``fit(X, treatment, y)``
  / ``predict_uplift(X)``; :class:`OfferUplift` runs one learner per offer against control.
- :func:`qini_curve`, :func:`qini_auc`, :func:`uplift_at_k`: evaluation of an uplift
  ranking on held-out randomised rows; :func:`compare_learners` fits every learner on
  part of a campaign and scores it on the rest (with the rank correlation to the true
  uplift when a simulation knows it).

Uplift of offer ``o`` for a customer is ``P(respond | o) - P(respond | control)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from ..exceptions import NotFittedError, ParameterError, SchemaError

__all__ = [
    "offer_effects",
    "learning_frame",
    "FRAME_KEYS",
    "SLearner",
    "TLearner",
    "XLearner",
    "DRLearner",
    "OfferUplift",
    "qini_curve",
    "qini_auc",
    "uplift_at_k",
    "compare_learners",
    "LearnerComparison",
    "LEARNERS",
]

#: Columns of :func:`learning_frame` that are not features.
FRAME_KEYS: tuple[str, ...] = ("customer_id", "campaign", "timestamp", "offer", "responded")


# --------------------------------------------------------------------------- helpers
def _require(df: pd.DataFrame, table: str, cols: list[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"{table} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            table, missing[0], f"required column(s) {missing} missing; present: {list(df.columns)}"
        )


def _binary(values: Any, table: str, column: str) -> np.ndarray:
    """A 0/1 or boolean vector as a float array, with a SchemaError on anything else."""
    s = pd.Series(values).reset_index(drop=True)
    bad = s.isna() | ~s.isin([0, 1, True, False])
    if bad.any():
        raise SchemaError(
            table,
            column,
            "must be 0/1 or boolean without missing values",
            examples=s[bad].to_frame(column),
            n_bad=int(bad.sum()),
        )
    return s.astype(float).to_numpy()


def _wilson(k: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    p = k / n
    den = 1.0 + z**2 / n
    centre = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return centre - half, centre + half


# --------------------------------------------------------------------- offer effects
def offer_effects(
    campaigns: pd.DataFrame,
    offer_col: str = "offer",
    control: str = "control",
    response_col: str = "responded",
    *,
    randomised_col: str | None = "randomised",
    allow_nonrandomised: bool = False,
    method: str = "newcombe",
    level: float = 0.95,
) -> pd.DataFrame:
    """Each offer's response rate and its difference against control, with a CI.

    Parameters
    ----------
    campaigns : DataFrame
        One row per contacted customer, with the offer and the binary response.
    offer_col, response_col : str
        Offer and response (0/1 or boolean) columns.
    control : str
        The offer value of the control arm (no incentive).
    randomised_col : str or None
        Boolean column saying whether the offer was assigned at random. Rows with False
        (or a missing column, when a name is given) are refused unless
        ``allow_nonrandomised=True``: without randomisation the difference is confounded
        by whatever decided who got which offer, and is not an effect.
    allow_nonrandomised : bool
        Accept non-randomised rows anyway (the result is then a descriptive
        difference, not a causal effect).
    method : {"newcombe", "wald"}
        Interval for the difference of two independent proportions. ``"newcombe"``:
        Newcombe's (1998, method 10) hybrid score interval from the two Wilson score
        intervals, good also for small arms and rates near 0 or 1; ``"wald"``:
        ``d +/- z sqrt(p1 q1 / n1 + p0 q0 / n0)``.
    level : float
        Confidence level, in (0, 1).

    Returns
    -------
    DataFrame
        One row per offer (control first), columns ``offer, n, responders, rate,
        diff, diff_low, diff_high`` (``diff`` = rate - control rate; 0 and NaN bounds
        for the control row).

    Examples
    --------
    >>> df = pd.DataFrame({"offer": ["control"] * 100 + ["discount"] * 100,
    ...                    "responded": [1] * 10 + [0] * 90 + [1] * 25 + [0] * 75,
    ...                    "randomised": True})
    >>> out = offer_effects(df)
    >>> out[["offer", "n", "rate", "diff"]].values.tolist()
    [['control', 100, 0.1, 0.0], ['discount', 100, 0.25, 0.15]]
    >>> [round(float(x), 4) for x in out.loc[1, ["diff_low", "diff_high"]]]
    [0.0447, 0.2533]
    """
    _require(campaigns, "campaigns", [offer_col, response_col])
    if method not in ("newcombe", "wald"):
        raise ParameterError(f"method must be 'newcombe' or 'wald', got {method!r}")
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), got {level!r}")
    if not allow_nonrandomised:
        if randomised_col is None or randomised_col not in campaigns.columns:
            raise SchemaError(
                "campaigns",
                randomised_col,
                "cannot confirm that offers were randomised; an effect needs random "
                "assignment (otherwise the comparison is confounded). Add a boolean "
                "randomised column or pass allow_nonrandomised=True for a descriptive "
                "difference",
            )
        r = campaigns[randomised_col]
        bad = ~r.fillna(False).astype(bool)
        if bad.any():
            raise SchemaError(
                "campaigns",
                randomised_col,
                "rows whose offer was not randomised: their response difference is "
                "confounded by how the offer was chosen, not an effect. Drop them or "
                "pass allow_nonrandomised=True for a descriptive difference",
                examples=campaigns.loc[bad, [offer_col, response_col, randomised_col]],
                n_bad=int(bad.sum()),
            )
    y = _binary(campaigns[response_col], "campaigns", response_col)
    offers = campaigns[offer_col].astype(object).to_numpy()
    if pd.isna(offers).any():
        raise SchemaError(
            "campaigns", offer_col, "missing offers", n_bad=int(pd.isna(offers).sum())
        )
    g = (
        pd.DataFrame({"offer": offers, "y": y})
        .groupby("offer", sort=True)["y"]
        .agg(["size", "sum"])
    )
    if control not in g.index:
        raise ParameterError(
            f"control arm {control!r} not found in column {offer_col!r}; offers: {list(g.index)}"
        )
    g = pd.concat([g.loc[[control]], g.drop(index=control)])
    n = g["size"].to_numpy(float)
    k = g["sum"].to_numpy(float)
    p = k / n
    n0, p0 = n[0], p[0]
    d = p - p0
    z = float(norm.ppf(0.5 + level / 2))
    if method == "wald":
        se = np.sqrt(p * (1 - p) / n + p0 * (1 - p0) / n0)
        lo, hi = d - z * se, d + z * se
    else:
        l_, u_ = _wilson(k, n, z)
        lo = d - np.sqrt((p - l_) ** 2 + (u_[0] - p0) ** 2)
        hi = d + np.sqrt((u_ - p) ** 2 + (p0 - l_[0]) ** 2)
    out = pd.DataFrame(
        {
            "offer": g.index.to_numpy(object),
            "n": n.astype(np.int64),
            "responders": k.astype(np.int64),
            "rate": p,
            "diff": d,
            "diff_low": lo,
            "diff_high": hi,
        }
    )
    out.loc[0, ["diff_low", "diff_high"]] = np.nan
    return out


# --------------------------------------------------------------------- learning frame
def learning_frame(
    campaigns: pd.DataFrame,
    transactions: pd.DataFrame,
    complaints: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    *,
    customer_id_col: str = "customer_id",
    datetime_col: str = "timestamp",
    monetary_value_col: str = "amount",
    offer_col: str = "offer",
    response_col: str = "responded",
    reasons: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Campaign rows with the customer features known at the campaign date.

    Only rows *strictly before* each campaign row's timestamp are used, so nothing the
    campaign could have caused (reactivations, later complaints) leaks into the features.

    Parameters
    ----------
    campaigns : DataFrame
        ``customer_id, campaign, timestamp, offer, responded`` (``sim.tables.campaigns``).
    transactions : DataFrame
        ``customer_id, timestamp, amount`` and optionally ``is_return``.
    complaints : DataFrame, optional
        ``customer_id, timestamp, kind, reason``; rows of kind ``complaint`` are counted.
    customers : DataFrame, optional
        ``customer_id, acquisition_date``, for the tenure.
    reasons : tuple of str, optional
        Complaint reasons to count; default the sorted reasons present in ``complaints``.

    Returns
    -------
    DataFrame
        Same rows and order as ``campaigns`` (index reset): the :data:`FRAME_KEYS`
        columns, then the features ``spend_before`` (gross purchases),
        ``n_purchases_before``, ``mean_amount_before``, ``n_returns_before``,
        ``days_since_last_purchase`` (NaN-free: the days since the first day of data
        when no purchase), ``tenure_days``, ``n_complaints``, ``n_complaints_<reason>``,
        ``last_reason_<reason>`` and ``last_reason_none`` (one-hot of the reason of the
        last complaint before the campaign).

    Examples
    --------
    >>> camp = pd.DataFrame({"customer_id": ["a", "b"], "campaign": "WB",
    ...     "timestamp": pd.to_datetime(["2024-03-01"] * 2), "offer": ["control", "d"],
    ...     "responded": [False, True]})
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"]),
    ...     "amount": [10.0, 99.0, 5.0]})
    >>> f = learning_frame(camp, tx)
    >>> f[["spend_before", "n_purchases_before", "days_since_last_purchase"]].values.tolist()
    [[10.0, 1.0, 60.0], [5.0, 1.0, 29.0]]
    """
    key_cols = [customer_id_col, "campaign", datetime_col, offer_col, response_col]
    _require(campaigns, "campaigns", key_cols)
    _require(transactions, "transactions", [customer_id_col, datetime_col, monetary_value_col])
    camp = campaigns[key_cols].reset_index(drop=True).copy()
    camp.columns = list(FRAME_KEYS)
    camp["timestamp"] = pd.to_datetime(camp["timestamp"])
    if camp["timestamp"].isna().any():
        raise SchemaError(
            "campaigns",
            datetime_col,
            "missing campaign timestamps",
            n_bad=int(camp["timestamp"].isna().sum()),
        )
    rows = pd.DataFrame(
        {
            "row": np.arange(len(camp)),
            "customer_id": camp["customer_id"].to_numpy(),
            "t0": camp["timestamp"].to_numpy(),
        }
    )
    n = len(camp)

    tx = pd.DataFrame(
        {
            "customer_id": transactions[customer_id_col].to_numpy(),
            "t": pd.to_datetime(transactions[datetime_col]).to_numpy(),
            "amount": transactions[monetary_value_col].to_numpy(float),
            "ret": (
                transactions["is_return"].fillna(False).astype(bool).to_numpy()
                if "is_return" in transactions.columns
                else np.zeros(len(transactions), bool)
            ),
        }
    )
    start = tx["t"].min() if len(tx) else camp["timestamp"].min()
    m = rows.merge(tx, on="customer_id", how="inner")
    m = m[m["t"] < m["t0"]]
    buy = m[~m["ret"]]
    gb = buy.groupby("row")
    spend = gb["amount"].sum().reindex(range(n), fill_value=0.0).to_numpy(float)
    npur = gb.size().reindex(range(n), fill_value=0).to_numpy(float)
    last = gb["t"].max().reindex(range(n))
    first = gb["t"].min().reindex(range(n))
    nret = m[m["ret"]].groupby("row").size().reindex(range(n), fill_value=0).to_numpy(float)
    t0 = camp["timestamp"]
    recency = (t0 - last.fillna(start).to_numpy()).dt.days.to_numpy(float)
    if customers is not None and "acquisition_date" in customers.columns:
        acq = camp["customer_id"].map(
            pd.Series(
                pd.to_datetime(customers["acquisition_date"]).to_numpy(),
                index=customers[customer_id_col].to_numpy(),
            )
        )
        acq = acq.fillna(pd.Series(first.to_numpy(), index=acq.index)).fillna(t0)
    else:
        acq = pd.Series(first.to_numpy(), index=camp.index).fillna(t0)
    tenure = (t0 - acq).dt.days.clip(lower=0).to_numpy(float)
    feats = {
        "spend_before": spend,
        "n_purchases_before": npur,
        "mean_amount_before": np.divide(spend, npur, out=np.zeros(n), where=npur > 0),
        "n_returns_before": nret,
        "days_since_last_purchase": recency,
        "tenure_days": tenure,
    }
    if complaints is not None:
        _require(complaints, "complaints", [customer_id_col, datetime_col, "reason"])
        c = complaints
        if "kind" in c.columns:
            c = c[c["kind"] == "complaint"]
        c = pd.DataFrame(
            {
                "customer_id": c[customer_id_col].to_numpy(),
                "t": pd.to_datetime(c[datetime_col]).to_numpy(),
                "reason": c["reason"].fillna("other").astype(str).to_numpy(),
            }
        )
        if reasons is None:
            reasons = tuple(sorted(c["reason"].unique()))
        mc = rows.merge(c, on="customer_id", how="inner")
        mc = mc[mc["t"] < mc["t0"]]
        counts = (
            mc.groupby(["row", "reason"])
            .size()
            .unstack(fill_value=0)
            .reindex(index=range(n), columns=list(reasons), fill_value=0)
        )
        feats["n_complaints"] = (
            mc.groupby("row").size().reindex(range(n), fill_value=0).to_numpy(float)
        )
        for r in reasons:
            feats[f"n_complaints_{r}"] = counts[r].to_numpy(float)
        lastc = mc.sort_values(["row", "t"], kind="stable").groupby("row")["reason"].last()
        lastr = lastc.reindex(range(n)).fillna("none").to_numpy(object)
        for r in (*reasons, "none"):
            feats[f"last_reason_{r}"] = (lastr == r).astype(float)
    return pd.concat([camp, pd.DataFrame(feats)], axis=1)


# --------------------------------------------------------------------- meta-learners
def _one_thread(method):
    """Run ``method`` with one OpenMP/BLAS thread.

    Gradient boosting spreads over every core with OpenMP; on a busy machine (a test
    run, a shared server) the threads contend and a fit of a second becomes a minute.
    The learners fit small models many times, so one thread is both steady and fast.
    """

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1):
            return method(*args, **kwargs)

    return wrapper


def _default_classifier(random_state: int | None) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=50,
        learning_rate=0.1,
        max_depth=3,
        min_samples_leaf=40,
        early_stopping=False,
        random_state=random_state,
    )


def _default_regressor(random_state: int | None) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        max_iter=50,
        learning_rate=0.1,
        max_depth=3,
        min_samples_leaf=40,
        early_stopping=False,
        random_state=random_state,
    )


def _check_xty(X: Any, treatment: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Xa = np.asarray(X, dtype=float)
    if Xa.ndim != 2:
        raise ParameterError(f"X must be 2-dimensional, got shape {Xa.shape}")
    t = _binary(treatment, "X", "treatment")
    yy = _binary(y, "X", "y")
    if not (len(Xa) == len(t) == len(yy)):
        raise ParameterError(f"X, treatment and y differ in length: {len(Xa)}, {len(t)}, {len(yy)}")
    for arm, name in ((1.0, "treated"), (0.0, "control")):
        sel = t == arm
        if sel.sum() < 2 or np.unique(yy[sel]).size < 2:
            raise ParameterError(
                f"the {name} arm needs at least two rows with both responses (0 and 1); "
                f"got {int(sel.sum())} rows, {int(yy[sel].sum())} responders"
            )
    return Xa, t, yy


def _proba(model: Any, X: np.ndarray) -> np.ndarray:
    return model.predict_proba(X)[:, 1]


class _MetaLearner(BaseEstimator):
    """Common parts: propensity handling, fitted check."""

    def _propensity_fit(self, X: np.ndarray, t: np.ndarray) -> None:
        ps = self.propensity
        if isinstance(ps, str) and ps == "share":
            self.propensity_ = float(t.mean())
        elif isinstance(ps, str) and ps == "model":
            m = (
                clone(self.propensity_model)
                if self.propensity_model is not None
                else LogisticRegression(max_iter=1000)
            )
            self.propensity_model_ = m.fit(X, t)
            self.propensity_ = None
        elif isinstance(ps, (int, float)) and not isinstance(ps, bool) and 0 < ps < 1:
            self.propensity_ = float(ps)
        else:
            raise ParameterError(
                f"propensity must be 'share' (treated share of the randomised rows), "
                f"'model' (estimated) or a known probability in (0, 1); got {ps!r}"
            )

    def _outcome_model(self) -> Any:
        if self.model is not None:
            return clone(self.model)
        return _default_classifier(self.random_state)

    def _effect_model(self) -> Any:
        if self.effect_model is not None:
            return clone(self.effect_model)
        return _default_regressor(self.random_state)

    def _e(self, X: np.ndarray) -> np.ndarray:
        if self.propensity_ is not None:
            e = np.full(len(X), self.propensity_)
        else:
            e = _proba(self.propensity_model_, X)
        return np.clip(e, self.clip, 1 - self.clip)

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted: call fit(X, treatment, y) first"
            )

    def _check_X(self, X: Any) -> np.ndarray:
        self._check_fitted()
        Xa = np.asarray(X, dtype=float)
        if Xa.ndim != 2 or Xa.shape[1] != self.n_features_in_:
            raise ParameterError(f"X must have {self.n_features_in_} columns, got shape {Xa.shape}")
        return Xa


class SLearner(_MetaLearner):
    """S-learner: one classifier on ``[X, treatment]``; uplift = p(x, 1) - p(x, 0).

    Parameters
    ----------
    model : classifier, optional
        Default ``HistGradientBoostingClassifier(max_iter=50, learning_rate=0.1,
        max_depth=3, min_samples_leaf=40, early_stopping=False)``.
    random_state : int or None
        Seed of the default model.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1)); t = rng.integers(0, 2, 2000)
    >>> y = rng.random(2000) < 0.2 + 0.3 * t * (X[:, 0] > 0)
    >>> u = SLearner().fit(X, t, y).predict_uplift([[-1.0], [1.0]])
    >>> bool(u[1] > u[0] + 0.1)
    True
    """

    def __init__(self, model: Any = None, random_state: int | None = 0):
        self.model = model
        self.random_state = random_state

    @_one_thread
    def fit(self, X: Any, treatment: Any, y: Any) -> SLearner:
        X, t, y = _check_xty(X, treatment, y)
        m = clone(self.model) if self.model is not None else _default_classifier(self.random_state)
        self.model_ = m.fit(np.column_stack([X, t]), y)
        self.n_features_in_ = X.shape[1]
        return self

    @_one_thread
    def predict_uplift(self, X: Any) -> np.ndarray:
        """Predicted uplift ``P(y=1 | x, treated) - P(y=1 | x, control)``."""
        X = self._check_X(X)
        one, zero = np.ones((len(X), 1)), np.zeros((len(X), 1))
        return _proba(self.model_, np.hstack([X, one])) - _proba(self.model_, np.hstack([X, zero]))


class TLearner(_MetaLearner):
    """T-learner: one classifier per arm; uplift = p1(x) - p0(x).

    Parameters
    ----------
    model : classifier, optional
        Used for both arms (cloned); default as :class:`SLearner`.
    random_state : int or None
        Seed of the default model.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1)); t = rng.integers(0, 2, 2000)
    >>> y = rng.random(2000) < 0.2 + 0.3 * t * (X[:, 0] > 0)
    >>> u = TLearner().fit(X, t, y).predict_uplift([[-1.0], [1.0]])
    >>> bool(u[1] > u[0] + 0.1)
    True
    """

    def __init__(self, model: Any = None, random_state: int | None = 0):
        self.model = model
        self.random_state = random_state

    @_one_thread
    def fit(self, X: Any, treatment: Any, y: Any) -> TLearner:
        X, t, y = _check_xty(X, treatment, y)
        self.model_control_ = self._outcome_model().fit(X[t == 0], y[t == 0])
        self.model_treated_ = self._outcome_model().fit(X[t == 1], y[t == 1])
        self.n_features_in_ = X.shape[1]
        return self

    @_one_thread
    def predict_uplift(self, X: Any) -> np.ndarray:
        """Predicted uplift ``p1(x) - p0(x)``."""
        X = self._check_X(X)
        return _proba(self.model_treated_, X) - _proba(self.model_control_, X)


class XLearner(_MetaLearner):
    """X-learner (Kuenzel et al. 2019).

    Arm models ``m0, m1``; imputed effects ``D1 = y - m0(x)`` on treated rows and
    ``D0 = m1(x) - y`` on control rows, each regressed on X (``tau1``, ``tau0``);
    uplift = ``e(x) tau0(x) + (1 - e(x)) tau1(x)`` with ``e`` the propensity.

    Parameters
    ----------
    model : classifier, optional
        Arm outcome model (default as :class:`SLearner`).
    effect_model : regressor, optional
        Default ``HistGradientBoostingRegressor`` with the same settings.
    propensity : {"share", "model"} or float
        ``"share"``: the treated share of the fitted rows (the design probability of a
        randomised campaign); a float: the known probability; ``"model"``: estimated
        by ``propensity_model`` (default logistic regression).
    propensity_model : classifier, optional
    clip : float
        Propensities are clipped to ``[clip, 1 - clip]``.
    random_state : int or None

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1)); t = rng.integers(0, 2, 2000)
    >>> y = rng.random(2000) < 0.2 + 0.3 * t * (X[:, 0] > 0)
    >>> u = XLearner().fit(X, t, y).predict_uplift([[-1.0], [1.0]])
    >>> bool(u[1] > u[0] + 0.1)
    True
    """

    def __init__(
        self,
        model: Any = None,
        effect_model: Any = None,
        propensity: Any = "share",
        propensity_model: Any = None,
        clip: float = 0.01,
        random_state: int | None = 0,
    ):
        self.model = model
        self.effect_model = effect_model
        self.propensity = propensity
        self.propensity_model = propensity_model
        self.clip = clip
        self.random_state = random_state

    @_one_thread
    def fit(self, X: Any, treatment: Any, y: Any) -> XLearner:
        X, t, y = _check_xty(X, treatment, y)
        self._propensity_fit(X, t)
        arm, reg = self._outcome_model, self._effect_model
        c, tr = t == 0, t == 1
        self.model_control_ = arm().fit(X[c], y[c])
        self.model_treated_ = arm().fit(X[tr], y[tr])
        d1 = y[tr] - _proba(self.model_control_, X[tr])
        d0 = _proba(self.model_treated_, X[c]) - y[c]
        self.effect_treated_ = reg().fit(X[tr], d1)
        self.effect_control_ = reg().fit(X[c], d0)
        self.n_features_in_ = X.shape[1]
        return self

    @_one_thread
    def predict_uplift(self, X: Any) -> np.ndarray:
        """Predicted uplift ``e(x) tau0(x) + (1 - e(x)) tau1(x)``."""
        X = self._check_X(X)
        e = self._e(X)
        return e * self.effect_control_.predict(X) + (1 - e) * self.effect_treated_.predict(X)


class DRLearner(_MetaLearner):
    """Doubly robust learner: the AIPW pseudo-outcome regressed on X (Kennedy 2023).

    With cross-fitted arm models ``m0, m1`` and propensity ``e``, the pseudo-outcome
    ``m1 - m0 + t (y - m1) / e - (1 - t) (y - m0) / (1 - e)`` has the uplift as its
    conditional mean; it is regressed on X by ``effect_model``. Unbiased if either the
    outcome models or the propensity are right (here the propensity is known from the
    randomisation).

    Parameters
    ----------
    model, effect_model, propensity, propensity_model, clip, random_state
        As :class:`XLearner`.
    n_folds : int
        Folds of the cross-fitting of the arm models (>= 2).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 1)); t = rng.integers(0, 2, 2000)
    >>> y = rng.random(2000) < 0.2 + 0.3 * t * (X[:, 0] > 0)
    >>> u = DRLearner().fit(X, t, y).predict_uplift([[-1.0], [1.0]])
    >>> bool(u[1] > u[0] + 0.1)
    True
    """

    def __init__(
        self,
        model: Any = None,
        effect_model: Any = None,
        propensity: Any = "share",
        propensity_model: Any = None,
        clip: float = 0.01,
        n_folds: int = 2,
        random_state: int | None = 0,
    ):
        self.model = model
        self.effect_model = effect_model
        self.propensity = propensity
        self.propensity_model = propensity_model
        self.clip = clip
        self.n_folds = n_folds
        self.random_state = random_state

    @_one_thread
    def fit(self, X: Any, treatment: Any, y: Any) -> DRLearner:
        X, t, y = _check_xty(X, treatment, y)
        if not isinstance(self.n_folds, (int, np.integer)) or self.n_folds < 2:
            raise ParameterError(f"n_folds must be an integer >= 2, got {self.n_folds!r}")
        self._propensity_fit(X, t)
        arm = self._outcome_model
        m0, m1 = np.empty(len(y)), np.empty(len(y))
        strata = 2 * t + y  # every fold keeps both arms and both responses
        folds = StratifiedKFold(self.n_folds, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(X, strata):
            tr_c = train[t[train] == 0]
            tr_t = train[t[train] == 1]
            m0[test] = _proba(arm().fit(X[tr_c], y[tr_c]), X[test])
            m1[test] = _proba(arm().fit(X[tr_t], y[tr_t]), X[test])
        e = self._e(X)
        self.pseudo_outcome_ = m1 - m0 + t * (y - m1) / e - (1 - t) * (y - m0) / (1 - e)
        self.effect_model_ = self._effect_model().fit(X, self.pseudo_outcome_)
        self.n_features_in_ = X.shape[1]
        return self

    @_one_thread
    def predict_uplift(self, X: Any) -> np.ndarray:
        """Predicted uplift: the regression of the pseudo-outcome on X."""
        X = self._check_X(X)
        return self.effect_model_.predict(X)


class OfferUplift(BaseEstimator):
    """One meta-learner per offer, each fitted on that offer's rows against control.

    Parameters
    ----------
    learner : meta-learner, optional
        Cloned per offer; default :class:`TLearner`.
    control : str
        The control offer.

    Attributes
    ----------
    offers_ : list of str
        The non-control offers, in sorted order.
    learners_ : dict
        Offer -> fitted learner.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(3000, 1))
    >>> offer = rng.choice(["control", "a", "b"], 3000)
    >>> y = rng.random(3000) < 0.2 + 0.3 * (offer == "a") * (X[:, 0] > 0)
    >>> u = OfferUplift().fit(X, offer, y).predict_uplift([[-1.0], [1.0]])
    >>> list(u.columns), bool(u.loc[1, "a"] > u.loc[0, "a"] + 0.1)
    (['a', 'b'], True)
    """

    def __init__(self, learner: Any = None, control: str = "control"):
        self.learner = learner
        self.control = control

    @_one_thread
    def fit(self, X: Any, offer: Any, y: Any) -> OfferUplift:
        Xa = np.asarray(X, dtype=float)
        off = np.asarray(offer, dtype=object)
        yy = np.asarray(y)
        if len(Xa) != len(off) or len(off) != len(yy):
            raise ParameterError(
                f"X, offer and y differ in length: {len(Xa)}, {len(off)}, {len(yy)}"
            )
        if not (off == self.control).any():
            raise ParameterError(f"control arm {self.control!r} not found among the offers")
        self.offers_ = sorted({str(o) for o in off} - {self.control})
        if not self.offers_:
            raise ParameterError("no offer besides control")
        base = self.learner if self.learner is not None else TLearner()
        self.learners_ = {}
        for o in self.offers_:  # one fit per offer, not per customer
            sel = (off == o) | (off == self.control)
            self.learners_[o] = clone(base).fit(Xa[sel], (off[sel] == o).astype(int), yy[sel])
        self.n_features_in_ = Xa.shape[1]
        return self

    @_one_thread
    def predict_uplift(self, X: Any) -> pd.DataFrame:
        """Predicted uplift of every offer against control, one column per offer."""
        if not hasattr(self, "learners_"):
            raise NotFittedError("OfferUplift is not fitted: call fit(X, offer, y) first")
        return pd.DataFrame({o: m.predict_uplift(X) for o, m in self.learners_.items()})


# --------------------------------------------------------------------- curves
def _check_curve_input(uplift: Any, treatment: Any, y: Any) -> tuple[np.ndarray, ...]:
    u = np.asarray(uplift, dtype=float)
    if u.ndim != 1 or not np.isfinite(u).all():
        raise ParameterError("uplift must be a 1-dimensional array of finite numbers")
    t = _binary(treatment, "curve", "treatment")
    yy = _binary(y, "curve", "y")
    if not (len(u) == len(t) == len(yy)):
        raise ParameterError(
            f"uplift, treatment and y differ in length: {len(u)}, {len(t)}, {len(yy)}"
        )
    if t.sum() == 0 or t.sum() == len(t):
        raise ParameterError("both treated and control rows are needed")
    return u, t, yy


def qini_curve(uplift: Any, treatment: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Qini curve: incremental responders when the top-``k`` rows by uplift are targeted.

    Rows are sorted by decreasing predicted uplift; at each distinct uplift value (tied
    rows enter together) ``k`` is the number of rows targeted and
    ``qini(k) = Y_t(k) - Y_c(k) N_t(k) / N_c(k)`` (the control term is 0 while no
    control row is in),
    with ``Y`` responders and ``N`` rows of each arm among the top ``k`` (the
    definition of Radcliffe 2007 and scikit-uplift's ``qini_curve``).

    Returns
    -------
    k, qini : ndarray
        Starting at ``(0, 0)`` and ending at ``k = n``.

    Examples
    --------
    >>> k, q = qini_curve([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1])
    >>> k.tolist(), q.tolist()
    ([0, 1, 2, 3, 4], [0.0, 1.0, 1.0, 1.0, 0.0])
    """
    u, t, yy = _check_curve_input(uplift, treatment, y)
    order = np.argsort(-u, kind="stable")
    u, t, yy = u[order], t[order], yy[order]
    nt, nc = np.cumsum(t), np.cumsum(1 - t)
    yt, yc = np.cumsum(t * yy), np.cumsum((1 - t) * yy)
    last = np.r_[np.flatnonzero(np.diff(u) != 0), len(u) - 1]  # end of each tie block
    nt, nc, yt, yc = nt[last], nc[last], yt[last], yc[last]
    q = yt - np.divide(yc * nt, nc, out=np.zeros(len(nc)), where=nc > 0)
    return np.r_[0, last + 1].astype(np.int64), np.r_[0.0, q]


def qini_auc(uplift: Any, treatment: Any, y: Any) -> float:
    """Area between the Qini curve and the random-targeting line, per customer.

    Normalisation: the x axis is the fraction of rows targeted (0 to 1) and the y
    axis the incremental responders per row (``qini(k) / n``); the random line joins
    ``(0, 0)`` to the end of the curve. The area (trapezoidal rule) is then in units of
    "incremental response rate": 0 for a random ranking, positive when the ranking
    puts responders-because-of-the-offer first, negative when it is worse than random.
    Unlike scikit-uplift's ``qini_auc_score`` it is not divided by the area of a
    perfect ranking, so it is comparable across models on the same rows only.

    Examples
    --------
    >>> round(qini_auc([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1]), 4)
    0.1875
    """
    k, q = qini_curve(uplift, treatment, y)
    n = float(k[-1])
    x, yq = k / n, q / n
    rand = x * yq[-1]
    d = yq - rand
    return float(np.sum((d[1:] + d[:-1]) * np.diff(x)) / 2.0)


def uplift_at_k(uplift: Any, treatment: Any, y: Any, k: float = 0.3) -> float:
    """Uplift among the top fraction ``k`` of rows ranked by predicted uplift.

    The response rate of treated rows minus that of control rows among the top
    ``ceil(k n)`` rows overall (scikit-uplift's ``strategy="overall"``); NaN when one
    arm is absent from the top.

    Examples
    --------
    >>> uplift_at_k([0.9, 0.5, 0.3, 0.1], [1, 0, 1, 0], [1, 0, 0, 1], k=0.5)
    1.0
    """
    u, t, yy = _check_curve_input(uplift, treatment, y)
    if not (isinstance(k, (int, float)) and 0 < k <= 1):
        raise ParameterError(f"k must be a fraction in (0, 1], got {k!r}")
    top = np.argsort(-u, kind="stable")[: int(np.ceil(k * len(u)))]
    tt, yt = t[top], yy[top]
    if tt.sum() == 0 or tt.sum() == len(tt):
        return float("nan")
    return float(yt[tt == 1].mean() - yt[tt == 0].mean())


# --------------------------------------------------------------------- comparison
#: The learners :func:`compare_learners` compares by default, by name.
LEARNERS: dict[str, type] = {"S": SLearner, "T": TLearner, "X": XLearner, "DR": DRLearner}


@dataclass(frozen=True)
class LearnerComparison:
    """What :func:`compare_learners` found.

    Attributes
    ----------
    scores : DataFrame
        One row per learner and offer: ``learner``, ``offer``, ``n_test``, ``qini_auc``,
        ``uplift_at_k``, ``rank_correlation`` (NaN without the truth).
    predictions : dict
        Learner -> predicted uplift of the held-out rows (one column per offer).
    test : ndarray of bool
        Which rows of the frame were held out.
    offer, responded : ndarray
        The held-out rows' offer and response.
    control : str
    """

    scores: pd.DataFrame
    predictions: dict[str, pd.DataFrame]
    test: np.ndarray
    offer: np.ndarray
    responded: np.ndarray
    control: str

    def qini_curves(self, learner: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Offer -> :func:`qini_curve` of ``learner``'s ranking on the held-out rows."""
        if learner not in self.predictions:
            raise ParameterError(f"no learner {learner!r}; there are {list(self.predictions)}")
        pred = self.predictions[learner]
        out = {}
        for o in pred.columns:
            arm = (self.offer == o) | (self.offer == self.control)
            out[o] = qini_curve(pred[o].to_numpy()[arm], self.offer[arm] == o,
                                self.responded[arm])
        return out


def compare_learners(
    frame: pd.DataFrame,
    *,
    learners: dict[str, Any] | None = None,
    true_uplift: pd.DataFrame | None = None,
    test_size: float = 0.3,
    k: float = 0.3,
    seed: int = 0,
    control: str = "control",
) -> LearnerComparison:
    """Fit each meta-learner on part of a campaign and judge it on the held-out rest.

    The rows of ``frame`` (a :func:`learning_frame` of randomised campaign rows) are
    split at random; every learner is fitted per offer (:class:`OfferUplift`) on the
    training rows and scored on the held-out rows of that offer and control: Qini area,
    uplift among the top ``k``, and, when the truth is known (a simulation), the
    Spearman rank correlation of the predicted with the true uplift over all held-out
    rows.

    Parameters
    ----------
    frame : DataFrame
        :func:`learning_frame` output (:data:`FRAME_KEYS` and numeric features).
    learners : dict, optional
        Name -> unfitted meta-learner; default one of each of :data:`LEARNERS` with
        ``random_state=seed``.
    true_uplift : DataFrame, optional
        Same rows as ``frame``, one column per offer: the true uplift.
    test_size, k, seed, control
        Share held out, the top fraction of :func:`uplift_at_k`, the seed of the split
        and of the learners, the control offer.

    Returns
    -------
    LearnerComparison
        The scores, the held-out predictions and the Qini curves.

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> sim = simulate(n_customers=4000, seed=1)
    >>> t = sim.tables
    >>> f = learning_frame(t.campaigns, t.transactions, t.complaints, t.customers)
    >>> cmp = compare_learners(f, learners={"T": TLearner(random_state=0)})
    >>> cmp.scores[["learner", "offer"]].values.tolist()
    [['T', 'discount_10'], ['T', 'discount_25'], ['T', 'service_call']]
    >>> sorted(cmp.qini_curves("T"))
    ['discount_10', 'discount_25', 'service_call']
    """
    _require(frame, "learning frame", list(FRAME_KEYS))
    if not 0.0 < float(test_size) < 1.0:
        raise ParameterError(f"test_size must be in (0, 1), got {test_size}")
    X = frame.drop(columns=list(FRAME_KEYS))
    non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if non_numeric:
        raise ParameterError(f"the features must be numeric; not: {non_numeric}")
    Xa = X.to_numpy(dtype=float)
    off = frame["offer"].astype(str).to_numpy(dtype=object)
    y = _binary(frame["responded"], "learning frame", "responded")
    if true_uplift is not None and len(true_uplift) != len(frame):
        raise ParameterError(f"true_uplift has {len(true_uplift)} rows, frame {len(frame)}")
    test = np.random.default_rng(int(seed)).random(len(frame)) < float(test_size)
    if learners is None:
        learners = {name: cls(random_state=int(seed)) for name, cls in LEARNERS.items()}
    rows, predictions = [], {}
    for name, learner in learners.items():
        model = OfferUplift(learner, control=control).fit(Xa[~test], off[~test], y[~test])
        pred = model.predict_uplift(Xa[test])
        predictions[name] = pred
        for o in model.offers_:
            arm = (off[test] == o) | (off[test] == control)
            u, t_, yy = pred[o].to_numpy()[arm], (off[test][arm] == o), y[test][arm]
            rho = float("nan")
            if true_uplift is not None and o in true_uplift:
                rho = float(pd.Series(pred[o].to_numpy()).corr(
                    pd.Series(np.asarray(true_uplift[o], float)[test]), method="spearman"))
            rows.append({
                "learner": name, "offer": o, "n_test": int(arm.sum()),
                "qini_auc": qini_auc(u, t_, yy), "uplift_at_k": uplift_at_k(u, t_, yy, k),
                "rank_correlation": rho,
            })
    return LearnerComparison(pd.DataFrame(rows), predictions, test, off[test], y[test],
                             control)
