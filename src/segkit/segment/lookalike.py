"""Look-alike selection: customers similar to the loyal ones (选择与忠诚客户相似的客户).

The course outline asks to "choose customers similar to loyal customers"
(docs/domain.md section 1). :class:`LookAlike` is a scikit-learn classifier of target
customers (base customers, the top tier, any boolean label) against the rest, fitted on
what is known at acquisition or shortly after it, so that it can score new customers
(and, with the attributes known before a first purchase only, prospects).

The rules, in words:

*Features* (:func:`acquisition_features`). Region, channel and month of acquisition;
and the first ``window_days`` days of the relationship: the rows dated from the start
up to (not including) ``acquisition_date + window_days`` days, the acquisition day
being day 0. From them: the amount of the first purchase day (``first_amount``), the
purchase days (``window_orders``), the net spend (``window_spend``, purchases minus
returns), the interactions and complaints. Nothing dated on or after the end of the
window, nor after the observation end, is read: a customer's features never change
when later rows change. ``window_complete`` tells whether the window has ended by the
observation end; features of an incomplete window are partial.

*Model.* Categorical attributes are one-hot encoded (a category unseen in training
scores like the reference of none), counts and amounts take ``log1p`` (clipped at 0)
and are standardised; the classifier is ``estimator`` (default a logistic regression,
whose coefficients a business user can read; a
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` fits interactions).

*Evaluation on a time split* (:func:`lookalike_backtest`). The model is fitted on
customers acquired before the split date whose window ended by it, with labels computed
by ``label_fn`` from the data cut at the split date (:func:`segkit.data.cut`): nothing
dated after the split reaches training. It is tested on customers acquired after the
split whose window ended by the test end, with labels computed from the data cut at the
test end. Reported: ROC AUC, precision among the top ``top_share`` of scores and its
lift over the base rate.

Examples
--------
>>> from segkit.datasets import simulate
>>> sim = simulate(1500, seed=2)
>>> bt = lookalike_backtest(sim.tables, top_value_label(end_days=180), split_date="2024-01-01",
...                         window_days=30)
>>> bt.metrics["n_train"] > 100, bt.metrics["auc"] > 0.6
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ..data import acquisition_dates, cut, is_return
from ..data import observation_end as resolve_end
from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..schema import CustomerData
from .cluster import _log1p_clipped

__all__ = [
    "acquisition_features",
    "LookAlike",
    "lookalike_backtest",
    "LookAlikeBacktest",
    "top_value_label",
    "ACQUISITION_COLUMNS",
    "PROSPECT_COLUMNS",
    "CATEGORICAL_COLUMNS",
]

#: Attributes known before any purchase: what a prospect has.
PROSPECT_COLUMNS: tuple[str, ...] = ("region", "channel", "acquisition_month")
#: Every model column of :func:`acquisition_features`.
ACQUISITION_COLUMNS: tuple[str, ...] = (
    *PROSPECT_COLUMNS,
    "first_amount",
    "window_orders",
    "window_spend",
    "window_interactions",
    "window_complaints",
)
#: The columns treated as categories (one-hot encoded); every other column is numeric.
CATEGORICAL_COLUMNS: tuple[str, ...] = PROSPECT_COLUMNS

_DAY_NS = 86_400 * 10**9


# ----------------------------------------------------------------------- features


def _check_days(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(f"{name}={value!r}: use a whole number of days of at least 1, e.g. 30")
    return int(value)


def _rows_in(table, index, lo_ns, hi_ns, end_ns):
    """Codes and mask of the rows of ``table`` dated in [lo, hi) of their customer, up to end."""
    code = index.get_indexer(table["customer_id"].astype(object).to_numpy())
    ts = table["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    ok = code >= 0
    c = np.where(ok, code, 0)
    keep = ok & (ts >= lo_ns[c]) & (ts < hi_ns[c]) & (ts <= end_ns)
    return code, keep, ts


def _spend_between(data, index, acq_ns, lo_days, hi_days, end_ns):
    """Net transaction amount per customer dated in [acq + lo, acq + hi) days, up to end."""
    n = len(index)
    tx = data.transactions
    if tx is None or not len(tx):
        return np.zeros(n)
    code, keep, _ = _rows_in(tx, index, acq_ns + lo_days * _DAY_NS, acq_ns + hi_days * _DAY_NS,
                             end_ns)
    return np.bincount(code[keep], weights=tx["amount"].to_numpy(dtype=float)[keep], minlength=n)


def acquisition_features(
    data: CustomerData, window_days: int = 30, observation_end=None
) -> pd.DataFrame:
    """What is known of each customer at acquisition and in its first ``window_days`` days.

    Parameters
    ----------
    data : CustomerData
        Canonical tables. ``customers`` gives region and channel (missing values stay
        missing: the model treats them as a category of their own); ``transactions``,
        ``interactions`` and ``complaints`` (optional) the early behaviour. Not modified.
    window_days : int, default 30
        Length of the early window: rows dated before ``acquisition_date +
        window_days`` days (the acquisition day is day 0) count.
    observation_end : date-like, optional
        Customers acquired up to it are described, and no row after it is read.
        Defaults to the data's own (:func:`segkit.data.observation_end`).

    Returns
    -------
    pandas.DataFrame
        One row per customer acquired up to the end, sorted by ``customer_id``:
        ``customer_id``, ``acquisition_date``, ``region``, ``channel``,
        ``acquisition_month`` (1-12), ``first_amount`` (purchases of the first purchase
        day, 0 without a purchase in the window), ``window_orders`` (purchase days),
        ``window_spend`` (net: purchases minus returns), ``window_interactions``,
        ``window_complaints`` (complaints, not reviews), ``window_end`` (the first day
        after the window) and ``window_complete`` (the window's last day is on or
        before the observation end). ``attrs["window_days"]`` records the window.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.schema import CustomerData
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-20", "2024-01-05"]),
    ...     "amount": [10.0, 5.0, 30.0, 8.0]})
    >>> f = acquisition_features(CustomerData(transactions=tx), window_days=10,
    ...                          observation_end="2024-01-31")
    >>> f[["customer_id", "first_amount", "window_orders", "window_spend", "window_complete"]]
      customer_id  first_amount  window_orders  window_spend  window_complete
    0           a          15.0              1          15.0             True
    1           b           8.0              1           8.0             True
    """
    window = _check_days("window_days", window_days)
    end = resolve_end(data, observation_end)
    end_ns = pd.Timestamp(end).value
    acq = acquisition_dates(data)
    acq = acq[~(acq > end)]
    index = pd.Index(acq.index.astype(object), name="customer_id")
    n = len(index)
    acq_ns = acq.to_numpy(dtype="datetime64[ns]").view(np.int64)
    hi_ns = acq_ns + window * _DAY_NS
    lo_ns = np.full(n, np.iinfo(np.int64).min)

    first_amount = np.zeros(n)
    orders = np.zeros(n, dtype=np.int64)
    spend = np.zeros(n)
    tx = data.transactions
    if tx is not None and len(tx):
        code, keep, ts = _rows_in(tx, index, lo_ns, hi_ns, end_ns)
        amount = tx["amount"].to_numpy(dtype=float)
        spend = np.bincount(code[keep], weights=amount[keep], minlength=n)
        buy = keep & ~is_return(tx).to_numpy()
        if buy.any():
            day = np.floor_divide(ts[buy], _DAY_NS)
            bcode = code[buy]
            first_day = np.full(n, np.iinfo(np.int64).max)
            np.minimum.at(first_day, bcode, day)
            on_first = day == first_day[bcode]
            first_amount = np.bincount(bcode[on_first], weights=amount[buy][on_first], minlength=n)
            key = np.unique(np.stack([bcode, day - day.min()]), axis=1)
            orders = np.bincount(key[0], minlength=n).astype(np.int64)

    def count(table, mask=None):
        if table is None or not len(table):
            return np.zeros(n, dtype=np.int64)
        code, keep, _ = _rows_in(table, index, lo_ns, hi_ns, end_ns)
        if mask is not None:
            keep &= mask
        return np.bincount(code[keep], minlength=n).astype(np.int64)

    comp = data.complaints
    complaints = count(
        comp, None if comp is None or not len(comp) else (comp["kind"] == "complaint").to_numpy()
    )

    def attribute(name):
        cust = data.customers
        if cust is None or name not in cust.columns:
            return np.full(n, None, dtype=object)
        return cust.set_index("customer_id")[name].reindex(index).astype(object).to_numpy()

    window_end = pd.to_datetime(hi_ns.view("datetime64[ns]"))
    out = pd.DataFrame(
        {
            "customer_id": index.to_numpy(),
            "acquisition_date": acq.to_numpy(),
            "region": attribute("region"),
            "channel": attribute("channel"),
            "acquisition_month": acq.dt.month.to_numpy().astype(np.int64),
            "first_amount": np.round(first_amount, 2),
            "window_orders": orders,
            "window_spend": np.round(spend, 2) + 0.0,
            "window_interactions": count(data.interactions),
            "window_complaints": complaints,
            "window_end": window_end,
            "window_complete": hi_ns <= end_ns + _DAY_NS,
        }
    )
    out.attrs["window_days"] = window
    return out


def top_value_label(
    end_days: int = 180, share: float = 0.2, start_days: int = 0
) -> Callable[[CustomerData], pd.Series]:
    """A label function: the top ``share`` of customers by net spend early in their life.

    The value of a customer is its net transaction amount dated in ``[acquisition +
    start_days, acquisition + end_days)`` days: the same span of life for every cohort,
    so that old and new customers are compared alike. Customers whose span has not
    ended by the data's observation end have no label (missing). Among the others, the
    ``ceil(share * n)`` highest values are True (ties broken by ``customer_id``).

    Parameters
    ----------
    end_days : int, default 180
        End of the span, in days after acquisition (excluded).
    share : float, default 0.2
        Share of labelled customers that are targets, in (0, 1).
    start_days : int, default 0
        Start of the span. ``start_days = window_days`` labels by the value after
        the look-alike's window only.

    Returns
    -------
    callable
        ``label_fn(data) -> pandas.Series`` of nullable booleans indexed by
        ``customer_id``, for :func:`lookalike_backtest` or :meth:`LookAlike.fit`.

    Examples
    --------
    >>> import pandas as pd
    >>> from segkit.schema import CustomerData
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b", "c"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01", "2024-02-20"]),
    ...     "amount": [10.0, 5.0, 500.0, 20.0]})
    >>> label = top_value_label(end_days=30, share=0.5)(CustomerData(transactions=tx))
    >>> label.tolist()  # b's 500 falls after its first 30 days; c is not 30 days old
    [True, False, <NA>]
    """
    end_d = _check_days("end_days", end_days)
    if isinstance(start_days, bool) or not isinstance(start_days, int | np.integer) or not (
        0 <= start_days < end_d
    ):
        raise ParameterError(
            f"start_days={start_days!r}: use a whole number of days, 0 <= start_days < end_days"
        )
    if not 0 < share < 1:
        raise ParameterError(f"share={share!r}: use a share in (0, 1), e.g. 0.2")

    def label_fn(data: CustomerData) -> pd.Series:
        end = resolve_end(data)
        end_ns = pd.Timestamp(end).value
        acq = acquisition_dates(data)
        acq = acq[~(acq > end)]
        index = pd.Index(acq.index.astype(object), name="customer_id")
        acq_ns = acq.to_numpy(dtype="datetime64[ns]").view(np.int64)
        value = _spend_between(data, index, acq_ns, int(start_days), end_d, end_ns)
        known = acq_ns + end_d * _DAY_NS <= end_ns + _DAY_NS
        out = pd.Series(pd.array([pd.NA] * len(index), dtype="boolean"), index=index,
                        name="target")
        if known.any():
            order = np.lexsort((np.arange(len(index))[known], -value[known]))
            k = int(np.ceil(share * int(known.sum())))
            top = np.zeros(int(known.sum()), dtype=bool)
            top[order[:k]] = True
            out[known] = top
        return out

    label_fn.__name__ = f"top_value_label(end_days={end_d}, share={share}, start_days={start_days})"
    return label_fn


# ----------------------------------------------------------------------- the model


class LookAlike(ClassifierMixin, BaseEstimator):
    """A classifier of target customers against the rest on acquisition features.

    Parameters
    ----------
    estimator : scikit-learn classifier, optional
        Fitted after the encoding (one-hot categories, standardised ``log1p`` numbers);
        cloned, never modified. Default
        ``LogisticRegression(max_iter=1000)``.
    window_days : int, default 30
        The early window: used when ``X`` is a :class:`~segkit.schema.CustomerData`
        (features computed by :func:`acquisition_features`), and checked against the
        window of a feature frame.
    columns : sequence of str, default ACQUISITION_COLUMNS
        Model columns; :data:`PROSPECT_COLUMNS` (region, channel, acquisition month)
        makes a model for prospects, who have not bought yet.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        Encoding and classifier, fitted.
    classes_ : numpy.ndarray
        ``[False, True]``.
    n_train_, base_rate_ : int, float
        Labelled customers used, and the share of targets among them.
    feature_names_in_ : numpy.ndarray
        The model columns.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"customer_id": list("abcdef"), "region": ["n", "s"] * 3,
    ...     "channel": ["online"] * 6, "acquisition_month": [1] * 6,
    ...     "first_amount": [10, 200, 15, 180, 12, 250.0], "window_orders": [1, 3, 1, 2, 1, 4],
    ...     "window_spend": [10, 400, 15, 300, 12, 600.0], "window_interactions": [0] * 6,
    ...     "window_complaints": [0] * 6})
    >>> y = [False, True, False, True, False, True]
    >>> m = LookAlike().fit(X, y)
    >>> m.score_prospects(X)["customer_id"].tolist()[:3]
    ['f', 'b', 'd']
    """

    def __init__(self, estimator=None, window_days=30, columns=ACQUISITION_COLUMNS):
        self.estimator = estimator
        self.window_days = window_days
        self.columns = columns

    def _features(self, X) -> pd.DataFrame:
        if isinstance(X, CustomerData):
            return acquisition_features(X, window_days=self.window_days)
        if not isinstance(X, pd.DataFrame):
            raise ParameterError(
                f"expected the frame of acquisition_features(data) or CustomerData, got "
                f"{type(X).__name__}"
            )
        w = X.attrs.get("window_days")
        if w is not None and w != self.window_days:
            raise ParameterError(
                f"the features were computed with window_days={w} but the model has "
                f"window_days={self.window_days}; use the same window for both"
            )
        missing = [c for c in self.columns if c not in X.columns]
        if missing:
            raise SchemaError(
                "acquisition_features",
                missing[0],
                f"missing model column(s) {', '.join(map(repr, missing))}; compute the frame "
                "with segkit.segment.lookalike.acquisition_features, or fit with "
                "columns=PROSPECT_COLUMNS for prospects without purchases",
            )
        return X

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        cols = list(self.columns)
        out = {}
        for c in cols:
            if c in CATEGORICAL_COLUMNS:
                out[c] = X[c].astype(object).where(X[c].notna(), "(missing)").astype(str).to_numpy()
            else:
                out[c] = pd.to_numeric(X[c], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        return pd.DataFrame(out, index=X.index)

    def _pipeline(self) -> Pipeline:
        cats = [c for c in self.columns if c in CATEGORICAL_COLUMNS]
        nums = [c for c in self.columns if c not in CATEGORICAL_COLUMNS]
        parts = []
        if cats:
            parts.append(("cat", OneHotEncoder(handle_unknown="ignore"), cats))
        if nums:
            parts.append(
                ("num", Pipeline([("log", FunctionTransformer(_log1p_clipped,
                                                              feature_names_out="one-to-one")),
                                  ("scale", StandardScaler())]), nums)
            )
        est = LogisticRegression(max_iter=1000) if self.estimator is None else clone(self.estimator)
        return Pipeline([("encode", ColumnTransformer(parts)), ("classifier", est)])

    def _labels(self, X: pd.DataFrame, y) -> pd.arrays.BooleanArray:
        """Labels as nullable booleans, in the row order of X."""
        if isinstance(y, pd.Series) and y.index.name == "customer_id" and "customer_id" in X:
            y = y.reindex(X["customer_id"].astype(object).to_numpy())
        try:
            values = pd.array(np.asarray(y, dtype=object), dtype="boolean")
        except (TypeError, ValueError):
            raise ParameterError(
                "y must hold booleans (True for a target customer; missing for not labelled)"
            ) from None
        if len(values) != len(X):
            raise ParameterError(
                f"y has {len(values)} labels for {len(X)} rows; give one label per row of X, "
                "or a Series indexed by customer_id"
            )
        return values

    def fit(self, X, y) -> LookAlike:
        """Fit on customers with a label; customers with a missing label are left out.

        Parameters
        ----------
        X : pandas.DataFrame or CustomerData
            The frame of :func:`acquisition_features` (or the data, whose features are
            computed with ``window_days``). Not modified.
        y : array-like of bool, or pandas.Series
            True for a target customer: one per row of ``X`` in order, or a Series
            indexed by ``customer_id`` (index name ``customer_id``), aligned by id.
            Missing labels (customers not yet labelled) are left out.

        Returns
        -------
        LookAlike
            self, fitted.
        """
        _check_days("window_days", self.window_days)
        if len(tuple(self.columns)) == 0:
            raise ParameterError("columns is empty; use ACQUISITION_COLUMNS or PROSPECT_COLUMNS")
        X = self._features(X)
        yv = self._labels(X, y)
        keep = ~np.asarray(yv.isna())
        y_fit = yv[keep].to_numpy(dtype=bool)
        if y_fit.all() or not y_fit.any():
            raise ParameterError(
                f"y holds only {'targets' if y_fit.all() else 'non-targets'} among the "
                f"{int(keep.sum())} labelled customers; a look-alike needs both"
            )
        self.pipeline_ = self._pipeline().fit(self._design(X.loc[keep]), y_fit)
        self.classes_ = np.array([False, True])
        self.n_train_ = int(keep.sum())
        self.base_rate_ = float(y_fit.mean())
        self.feature_names_in_ = np.asarray(list(self.columns), dtype=object)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError("this LookAlike is not fitted yet; call fit(features, label) first")

    def coefficients(self) -> pd.Series:
        """The classifier's coefficients by encoded column (a linear classifier only).

        One-hot columns read ``cat__region_north``; numeric ones ``num__window_spend``
        (per standard deviation of ``log1p`` of the value). Positive: more like a target.
        """
        self._check_fitted()
        clf = self.pipeline_[-1]
        if not hasattr(clf, "coef_"):
            raise ParameterError(
                f"the classifier {type(clf).__name__} has no coefficients; use a linear "
                "classifier (the default LogisticRegression) or its own inspection tools"
            )
        names = self.pipeline_[0].get_feature_names_out()
        return pd.Series(np.ravel(clf.coef_), index=names, name="coefficient")

    def predict_proba(self, X) -> np.ndarray:
        """Probability of not being and of being a target, one row per row of ``X``."""
        self._check_fitted()
        X = self._features(X)
        p = self.pipeline_.predict_proba(self._design(X))
        classes = list(self.pipeline_.classes_)
        return p[:, [classes.index(False), classes.index(True)]]

    def predict(self, X) -> np.ndarray:
        """True where the probability of being a target is at least 0.5."""
        return self.predict_proba(X)[:, 1] >= 0.5

    def score_prospects(self, X, top: int | None = None) -> pd.DataFrame:
        """Customers or prospects ranked by their similarity to the targets.

        Parameters
        ----------
        X : pandas.DataFrame or CustomerData
            Rows with the model columns (and ``customer_id`` when there is one). Not
            modified.
        top : int, optional
            Keep only the ``top`` best ranked.

        Returns
        -------
        pandas.DataFrame
            ``customer_id`` (or the index of ``X`` when it has none), ``score`` (the
            probability of being a target) and ``rank`` (1 = most similar; ties by
            the order of ``X``), sorted by rank.
        """
        X = self._features(X)
        score = self.predict_proba(X)[:, 1]
        ids = X["customer_id"].to_numpy() if "customer_id" in X else X.index.to_numpy()
        order = np.argsort(-score, kind="stable")
        out = pd.DataFrame({"customer_id": ids[order], "score": score[order],
                            "rank": np.arange(1, len(order) + 1)})
        if top is not None:
            if not isinstance(top, int | np.integer) or top < 1:
                raise ParameterError(f"top={top!r}: use a positive integer or None")
            out = out.head(int(top))
        return out


# ----------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class LookAlikeBacktest:
    """The result of :func:`lookalike_backtest`.

    Attributes
    ----------
    model : LookAlike
        Fitted on the training customers.
    metrics : dict
        ``n_train``, ``n_test``, ``base_rate_train``, ``base_rate_test``, ``auc`` (ROC
        AUC on the test customers), ``k`` (the top ``top_share`` of test customers),
        ``precision_at_k`` (share of targets among them) and ``lift_at_k`` (that
        precision over the test base rate).
    scores : pandas.DataFrame
        Test customers: ``customer_id``, ``acquisition_date``, ``score``, ``label``.
    split_date, test_end : pandas.Timestamp
    """

    model: LookAlike
    metrics: dict
    scores: pd.DataFrame
    split_date: pd.Timestamp
    test_end: pd.Timestamp


def _labelled(features: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    if not isinstance(labels, pd.Series):
        raise ParameterError(
            "label_fn must return a pandas Series of booleans indexed by customer_id, got "
            f"{type(labels).__name__}"
        )
    y = pd.array(labels.reindex(features["customer_id"].astype(object).to_numpy()).to_numpy(),
                 dtype="boolean")
    return features.assign(label=y).loc[~pd.isna(y)].reset_index(drop=True)


def lookalike_backtest(
    data: CustomerData,
    label_fn: Callable[[CustomerData], pd.Series],
    split_date,
    horizon_days: int | None = None,
    window_days: int = 30,
    estimator=None,
    columns=ACQUISITION_COLUMNS,
    top_share: float = 0.1,
) -> LookAlikeBacktest:
    """Fit a look-alike on customers acquired before a date, test it on later ones.

    Parameters
    ----------
    data : CustomerData
        Canonical tables. Not modified.
    label_fn : callable
        ``label_fn(data) -> pandas.Series`` of booleans indexed by ``customer_id``
        (missing: not labelled yet), computed from the data it is given only; it is
        called on the data cut at the split date (training labels) and at the test
        end (test labels). :func:`top_value_label` makes one.
    split_date : date-like
        Training uses the rows dated up to it and the customers acquired by it whose
        window has ended; test customers are acquired after it.
    horizon_days : int, optional
        The test end is ``split_date + horizon_days``; default the data's observation
        end.
    window_days : int, default 30
        The early window of :func:`acquisition_features`.
    estimator, columns
        As in :class:`LookAlike`.
    top_share : float, default 0.1
        The share of best-scored test customers in which precision and lift are
        measured.

    Returns
    -------
    LookAlikeBacktest

    Raises
    ------
    ParameterError
        For a split outside the data, a test end after the observation end, or a
        training or test set without both targets and others.
    """
    split = pd.Timestamp(split_date)
    if split is pd.NaT:
        raise ParameterError(f"split_date={split_date!r} is not a date")
    data_end = resolve_end(data)
    if horizon_days is None:
        test_end = data_end
    else:
        test_end = split + pd.Timedelta(days=_check_days("horizon_days", horizon_days))
    if not split < test_end <= data_end:
        raise ParameterError(
            f"split_date {split.date()} and test end {test_end.date()} must satisfy "
            f"split < test end <= the observation end {data_end.date()}; move the split "
            "earlier or shorten horizon_days"
        )
    if not 0 < top_share <= 1:
        raise ParameterError(f"top_share={top_share!r}: use a share in (0, 1], e.g. 0.1")
    window = _check_days("window_days", window_days)

    train_data = cut(data, split)
    train = acquisition_features(train_data, window_days=window, observation_end=split)
    train = _labelled(train.loc[train["window_complete"].to_numpy()], label_fn(train_data))
    test_data = cut(data, test_end)
    test = acquisition_features(test_data, window_days=window, observation_end=test_end)
    fresh = (test["acquisition_date"] > split).to_numpy() & test["window_complete"].to_numpy()
    test = _labelled(test.loc[fresh], label_fn(test_data))
    for name, part in (("training", train), ("test", test)):
        y = part["label"].to_numpy(dtype=bool)
        if len(y) == 0 or y.all() or not y.any():
            raise ParameterError(
                f"the {name} customers ({len(y)} labelled) lack targets or non-targets; "
                "move split_date, lengthen horizon_days or change label_fn"
            )
    model = LookAlike(estimator=estimator, window_days=window, columns=columns)
    model.fit(train.drop(columns="label"), train["label"].to_numpy(dtype=bool))
    score = model.predict_proba(test.drop(columns="label"))[:, 1]
    y = test["label"].to_numpy(dtype=bool)
    k = max(1, int(round(top_share * len(y))))
    top = np.argsort(-score, kind="stable")[:k]
    precision = float(y[top].mean())
    metrics = {
        "n_train": len(train),
        "n_test": len(test),
        "base_rate_train": float(train["label"].to_numpy(dtype=bool).mean()),
        "base_rate_test": float(y.mean()),
        "auc": float(roc_auc_score(y, score)),
        "k": k,
        "precision_at_k": precision,
        "lift_at_k": precision / float(y.mean()),
    }
    scores = pd.DataFrame({"customer_id": test["customer_id"].to_numpy(),
                           "acquisition_date": test["acquisition_date"].to_numpy(),
                           "score": score, "label": y})
    return LookAlikeBacktest(model=model, metrics=metrics, scores=scores, split_date=split,
                             test_end=test_end)
