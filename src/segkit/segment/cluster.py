"""Data-driven segments: k-means and Gaussian mixtures on transformed RFM (docs/domain.md section 1).

:class:`RFMClusters` groups customers by their recency, frequency and monetary value
(columns of :func:`segkit.features.customer_profile`) with scikit-learn: a pipeline of
a log transform (``log1p``), a :class:`~sklearn.preprocessing.StandardScaler` and
:class:`~sklearn.cluster.KMeans` or :class:`~sklearn.mixture.GaussianMixture`.

The rules, in words:

*Who is clustered.* Every row whose features are all present. A customer without a
purchase has no recency (``recency_days`` is NaN in the profile) and is left out: its
label is ``-1`` ("no purchase"), as scikit-learn labels noise, and it counts in
``n_excluded_``; it is not in the profile or the stability tables.

*Transform.* ``transform="log"`` takes ``log1p`` of each feature after clipping it at 0
(a net revenue below 0, every purchase returned, counts as 0), then standardises; RFM
features are skewed, and without the log a few big spenders make clusters of their own.
``transform=None`` only standardises.

*How many clusters.* With ``n_clusters="auto"`` every k of ``k_range`` (both ends
included) is fitted: k-means keeps the k with the highest mean silhouette, the Gaussian
mixture the k with the lowest BIC; ``selection_`` holds the table. For more rows than
``silhouette_sample_size`` the silhouette is computed on a random subsample of that
size (drawn with ``random_state``; the silhouette costs n² distances, the subsample
keeps it to seconds for a million customers while its standard error stays near 0.01).

*Labels.* Cluster labels are ordered by the mean of ``value_col`` (net revenue by
default) of their members, highest first: label 0 is the most valuable segment. The
labels of a fit therefore do not depend on the arbitrary numbering of the algorithm,
and refits with another seed or on reordered rows give the same labels when the
segments are the same.

*Stability.* :meth:`RFMClusters.stability` refits the chosen model (k fixed at the
chosen value) on bootstrap resamples of the customers, predicts every customer with
each refit and compares with the full-data labels by the adjusted Rand index (1:
identical partitions, about 0: no better than chance). Segments that exist in the data
come back on every resample; segments carved out of a continuum do not.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> centres = np.array([[5, 20, 3000], [60, 5, 400], [300, 1, 60]])
>>> X = np.repeat(centres, 50, axis=0) * rng.lognormal(0, 0.1, (150, 3))
>>> profile = pd.DataFrame(X, columns=["recency_days", "orders", "revenue"])
>>> model = RFMClusters(k_range=(2, 5)).fit(profile)
>>> int(model.n_clusters_), np.bincount(model.labels_).tolist()
(3, [50, 50, 50])
>>> model.profile(profile)[["cluster", "size", "share", "median_orders"]].round(2)
   cluster  size  share  median_orders
0        0    50   0.33          19.92
1        1    50   0.33           4.94
2        2    50   0.33           1.00
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..glossary import TERMS, t

__all__ = ["RFMClusters", "ClusterStability", "RFM_FEATURES", "format_profile"]

#: The default features: recency in days, orders and net revenue of the customer profile.
RFM_FEATURES: tuple[str, ...] = ("recency_days", "orders", "revenue")

_METHODS = ("kmeans", "gmm")
_TRANSFORMS = ("log", None)
NO_PURCHASE = -1


def _log1p_clipped(X):
    """``log1p`` of the features clipped at 0 (a module-level function: pipelines pickle)."""
    return np.log1p(np.clip(np.asarray(X, dtype=float), 0.0, None))


@dataclass(frozen=True)
class ClusterStability:
    """The result of :meth:`RFMClusters.stability`.

    Attributes
    ----------
    ari : pandas.Series
        Adjusted Rand index between the full-data labels and the labels predicted by
        each bootstrap refit, indexed by the resample number ``boot`` (0, 1, ...).
    mean, min : float
        Mean and smallest ``ari``.
    n_clusters : int
        The number of clusters of every refit (the one the full fit chose).
    """

    ari: pd.Series
    mean: float
    min: float
    n_clusters: int


class RFMClusters(ClusterMixin, BaseEstimator):
    """Customer segments from k-means or a Gaussian mixture on log-transformed RFM features.

    ``fit`` and ``stability`` run scikit-learn with one OpenMP/BLAS thread
    (threadpoolctl): on a busy machine many threads contend and k-means becomes an order
    of magnitude slower, and one thread gives the same result on every machine.

    Parameters
    ----------
    method : {"kmeans", "gmm"}, default "kmeans"
        :class:`~sklearn.cluster.KMeans` or :class:`~sklearn.mixture.GaussianMixture`
        (full covariance).
    n_clusters : "auto" or int, default "auto"
        A fixed number of clusters, or ``"auto"``: the best k of ``k_range`` (highest
        silhouette for k-means, lowest BIC for the mixture).
    k_range : (int, int), default (2, 8)
        Smallest and largest k tried by ``"auto"``, both included.
    features : sequence of str, default ("recency_days", "orders", "revenue")
        Columns of the profile to cluster on.
    transform : {"log", None}, default "log"
        ``log1p`` of the features clipped at 0, before standardising; None only
        standardises.
    value_col : str, default "revenue"
        Column whose mean orders the labels (label 0 has the highest mean) and whose
        share :meth:`profile` reports. Need not be a feature.
    silhouette_sample_size : int, default 10000
        At most this many rows (a random subsample) enter the silhouette of each k.
    n_init : int, default 10
        Starts of k-means and of the mixture's EM; the best is kept.
    reg_covar : float, default 0.05
        Added to the diagonal of every covariance of the mixture, in standardised
        units (a component is never narrower than a standard deviation of about 0.22
        of a feature's spread). Orders are whole numbers: without a floor a component
        sits on one value (orders = 1) with a vanishing variance and an unbounded
        likelihood, and BIC splits customers by their exact order count.
    random_state : int, default 0
        Seed of the starts, the silhouette subsample and the bootstrap.

    Attributes
    ----------
    n_clusters_ : int
        The number of clusters used.
    selection_ : pandas.DataFrame or None
        With ``n_clusters="auto"``: one row per k tried, columns ``k``, ``silhouette``
        and ``inertia`` (k-means) or ``k``, ``bic`` (mixture), and ``chosen``.
        None for a fixed k.
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted transform, scaler and model.
    mapping_ : numpy.ndarray
        The label of each of the model's own cluster numbers.
    labels_ : numpy.ndarray
        Label of every row of the frame given to :meth:`fit` (``-1`` without features).
    n_excluded_ : int
        Rows left out for a missing feature (customers without a purchase).
    feature_names_in_ : numpy.ndarray
        The features, in order.

    Examples
    --------
    See the module docstring.
    """

    def __init__(
        self,
        method="kmeans",
        n_clusters="auto",
        k_range=(2, 8),
        features=RFM_FEATURES,
        transform="log",
        value_col="revenue",
        silhouette_sample_size=10_000,
        n_init=10,
        reg_covar=0.05,
        random_state=0,
    ):
        self.method = method
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.features = features
        self.transform = transform
        self.value_col = value_col
        self.silhouette_sample_size = silhouette_sample_size
        self.n_init = n_init
        self.reg_covar = reg_covar
        self.random_state = random_state

    # ------------------------------------------------------------------ checks

    def _check_params(self) -> None:
        if self.method not in _METHODS:
            raise ParameterError(
                f"method={self.method!r} is not known; use 'kmeans' or 'gmm'"
            )
        if self.transform not in _TRANSFORMS:
            raise ParameterError(
                f"transform={self.transform!r} is not known; use 'log' or None"
            )
        if isinstance(self.n_clusters, str):
            if self.n_clusters != "auto":
                raise ParameterError(
                    f"n_clusters={self.n_clusters!r}: use 'auto' or an integer of at least 2"
                )
            k = tuple(self.k_range)
            if len(k) != 2 or not all(isinstance(v, int | np.integer) for v in k) or not (
                2 <= k[0] <= k[1]
            ):
                raise ParameterError(
                    f"k_range={self.k_range!r}: give two integers (smallest, largest), "
                    "2 <= smallest <= largest, e.g. (2, 8)"
                )
        elif not isinstance(self.n_clusters, int | np.integer) or self.n_clusters < 2:
            raise ParameterError(
                f"n_clusters={self.n_clusters!r}: use 'auto' or an integer of at least 2"
            )
        if len(tuple(self.features)) == 0:
            raise ParameterError("features is empty; name at least one column, e.g. 'revenue'")

    def _matrix(self, df: pd.DataFrame, need_value: bool = False):
        """The feature matrix of the rows with every feature, and the mask of those rows."""
        if not isinstance(df, pd.DataFrame):
            raise ParameterError(
                f"expected a DataFrame (e.g. segkit.features.customer_profile(data)), got "
                f"{type(df).__name__}"
            )
        features = list(self.features)
        cols = features + ([self.value_col] if need_value else [])
        missing = [c for c in dict.fromkeys(cols) if c not in df.columns]
        if missing:
            raise SchemaError(
                "profile",
                missing[0],
                f"missing column(s) {', '.join(map(repr, missing))}; pass the frame of "
                "segkit.features.customer_profile or name other columns in features/value_col",
            )
        X = df[features].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(X).all(axis=1)
        return X[keep], keep

    def _model(self, k: int):
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state)
        return GaussianMixture(
            n_components=k, covariance_type="full", n_init=self.n_init,
            reg_covar=self.reg_covar, random_state=self.random_state,
        )

    def _pipeline(self, k: int) -> Pipeline:
        steps = []
        if self.transform == "log":
            steps.append(("log", FunctionTransformer(_log1p_clipped)))
        steps += [("scale", StandardScaler()), ("model", self._model(k))]
        return Pipeline(steps)

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError(
                "this RFMClusters is not fitted yet; call fit(profile) first"
            )

    # ------------------------------------------------------------------ fitting

    def _select(self, X: np.ndarray) -> tuple[int, pd.DataFrame]:
        lo, hi = (int(v) for v in self.k_range)
        ks = np.arange(lo, hi + 1)
        pre = self._pipeline(lo)[:-1].fit(X)
        Z = pre.transform(X)
        rows = []
        for k in ks:
            model = self._model(int(k)).fit(Z)
            if self.method == "kmeans":
                labels = model.labels_
                sil = (
                    silhouette_score(
                        Z, labels, sample_size=min(self.silhouette_sample_size, len(Z)),
                        random_state=self.random_state,
                    )
                    if len(np.unique(labels)) > 1
                    else np.nan
                )
                rows.append({"k": int(k), "silhouette": float(sil), "inertia": model.inertia_})
            else:
                rows.append({"k": int(k), "bic": float(model.bic(Z))})
        table = pd.DataFrame(rows)
        score = table["silhouette"] if self.method == "kmeans" else -table["bic"]
        best = int(table.loc[score.fillna(-np.inf).to_numpy().argmax(), "k"])
        table["chosen"] = table["k"] == best
        return best, table

    def _fit_matrix(self, X: np.ndarray, values: np.ndarray, k: int):
        """A fitted pipeline on X and the mapping of its cluster numbers to value-ordered labels."""
        pipe = self._pipeline(k).fit(X)
        raw = pipe.predict(X)
        n = np.bincount(raw, minlength=k)
        total = np.bincount(raw, weights=values, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, total / np.maximum(n, 1), -np.inf)
        # highest mean value first; ties (and empty clusters) by size, then model number
        order = np.lexsort((np.arange(k), -n, -mean))
        mapping = np.empty(k, dtype=np.int64)
        mapping[order] = np.arange(k)
        return pipe, mapping

    def fit(self, X: pd.DataFrame, y=None) -> RFMClusters:
        """Fit the segments on a customer profile.

        Parameters
        ----------
        X : pandas.DataFrame
            One row per customer with the ``features`` and ``value_col`` columns, e.g.
            :func:`segkit.features.customer_profile`. Rows with a missing feature
            (customers without a purchase) are left out (label -1). Not modified.
        y : ignored

        Returns
        -------
        RFMClusters
            self, fitted.
        """
        with threadpool_limits(limits=1):  # see the class docstring: threads
            return self._fit(X)

    def _fit(self, X: pd.DataFrame) -> RFMClusters:
        """The work of :meth:`fit` (with one thread)."""
        self._check_params()
        M, keep = self._matrix(X, need_value=True)
        values = pd.to_numeric(X[self.value_col], errors="coerce").to_numpy(dtype=float)[keep]
        values = np.nan_to_num(values, nan=0.0)
        lo = int(self.k_range[0]) if self.n_clusters == "auto" else int(self.n_clusters)
        hi = int(self.k_range[1]) if self.n_clusters == "auto" else int(self.n_clusters)
        if len(M) <= hi:
            raise ParameterError(
                f"only {len(M)} customers with every feature of {list(self.features)}, "
                f"too few for up to {hi} clusters; lower n_clusters/k_range or give more "
                "customers"
            )
        if self.n_clusters == "auto":
            k, self.selection_ = self._select(M)
        else:
            k, self.selection_ = lo, None
        self.pipeline_, self.mapping_ = self._fit_matrix(M, values, k)
        self.n_clusters_ = k
        self.feature_names_in_ = np.asarray(list(self.features), dtype=object)
        labels = np.full(len(X), NO_PURCHASE, dtype=np.int64)
        labels[keep] = self.mapping_[self.pipeline_.predict(M)]
        self.labels_ = labels
        self.n_excluded_ = int((~keep).sum())
        return self

    def predict(self, X: pd.DataFrame) -> pd.Series:
        """The segment label of every row (-1 for a row with a missing feature).

        Parameters
        ----------
        X : pandas.DataFrame
            Rows with the ``features`` columns. Not modified.

        Returns
        -------
        pandas.Series
            Integer labels named ``cluster``, with the index of ``X``.
        """
        self._check_fitted()
        M, keep = self._matrix(X)
        labels = np.full(len(X), NO_PURCHASE, dtype=np.int64)
        if len(M):
            labels[keep] = self.mapping_[self.pipeline_.predict(M)]
        return pd.Series(labels, index=X.index, name="cluster")

    def fit_predict(self, X: pd.DataFrame, y=None) -> pd.Series:
        """Fit, then the labels of the rows of ``X`` (see :meth:`predict`)."""
        self.fit(X)
        return pd.Series(self.labels_, index=X.index, name="cluster")

    # ------------------------------------------------------------------ tables

    def profile(self, X: pd.DataFrame) -> pd.DataFrame:
        """What each segment looks like: size, share, mean and median of each feature.

        Parameters
        ----------
        X : pandas.DataFrame
            The profile to describe (usually the one the model was fitted on). Rows
            without a purchase (label -1) are left out. Not modified.

        Returns
        -------
        pandas.DataFrame
            One row per cluster (0 first): ``cluster``, ``size``, ``share`` (of the
            clustered customers), ``mean_<feature>`` and ``median_<feature>`` of every
            feature (in the original units), and ``<value_col>_share`` (share of the
            total ``value_col``; a cluster with net returns can be below 0).
        """
        self._check_fitted()
        labels = self.predict(X).to_numpy()
        keep = labels >= 0
        cols = list(dict.fromkeys([*self.features, self.value_col]))
        if self.value_col not in X.columns:
            raise SchemaError("profile", self.value_col, "missing column (value_col)")
        frame = X.loc[keep, cols].apply(pd.to_numeric, errors="coerce")
        frame = frame.assign(cluster=labels[keep])
        g = frame.groupby("cluster", sort=True)
        out = pd.DataFrame({"size": g.size()}).reindex(np.arange(self.n_clusters_), fill_value=0)
        out["share"] = out["size"] / max(int(keep.sum()), 1)
        means, medians = g[list(self.features)].mean(), g[list(self.features)].median()
        for f in self.features:
            out[f"mean_{f}"] = means[f]
            out[f"median_{f}"] = medians[f]
        total = frame[self.value_col].sum()
        out[f"{self.value_col}_share"] = (
            g[self.value_col].sum() / total if total != 0 else np.nan
        )
        out.index.name = "cluster"
        return out.reset_index()

    def stability(self, X: pd.DataFrame, n_boot: int = 20) -> ClusterStability:
        """Adjusted Rand index between the full-data segments and bootstrap refits.

        Each of ``n_boot`` resamples draws as many customers as ``X`` has (with
        replacement, seeded by ``random_state``), refits the pipeline with the chosen
        number of clusters, and predicts every customer of ``X``; the ARI compares
        those labels with the labels of the fitted model.

        Parameters
        ----------
        X : pandas.DataFrame
            The profile the model was fitted on. Not modified.
        n_boot : int, default 20
            Number of bootstrap refits.

        Returns
        -------
        ClusterStability
            ``ari`` per resample, ``mean``, ``min`` and ``n_clusters``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(1)
        >>> X = np.repeat([[5, 20, 3000], [300, 1, 60]], 40, axis=0) * rng.lognormal(0, 0.1, (80, 3))
        >>> df = pd.DataFrame(X, columns=["recency_days", "orders", "revenue"])
        >>> st = RFMClusters(n_clusters=2).fit(df).stability(df, n_boot=5)
        >>> round(st.min, 2), st.n_clusters
        (1.0, 2)
        """
        with threadpool_limits(limits=1):
            return self._stability(X, n_boot)

    def _stability(self, X: pd.DataFrame, n_boot: int = 20) -> ClusterStability:
        """The work of :meth:`stability` (with one thread)."""
        self._check_fitted()
        if not isinstance(n_boot, int | np.integer) or n_boot < 1:
            raise ParameterError(f"n_boot={n_boot!r}: use a positive integer, e.g. 20")
        M, keep = self._matrix(X, need_value=True)
        values = pd.to_numeric(X[self.value_col], errors="coerce").to_numpy(dtype=float)[keep]
        values = np.nan_to_num(values, nan=0.0)
        full = self.mapping_[self.pipeline_.predict(M)]
        rng = np.random.default_rng(self.random_state)
        est = clone(self)
        ari = np.empty(n_boot)
        for b in range(n_boot):
            idx = rng.integers(0, len(M), len(M))
            pipe, mapping = est._fit_matrix(M[idx], values[idx], self.n_clusters_)
            ari[b] = adjusted_rand_score(full, mapping[pipe.predict(M)])
        s = pd.Series(ari, index=pd.RangeIndex(n_boot, name="boot"), name="ari")
        return ClusterStability(
            ari=s, mean=float(ari.mean()), min=float(ari.min()), n_clusters=self.n_clusters_
        )


def format_profile(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The table of :meth:`RFMClusters.profile` with column labels in a language.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :meth:`RFMClusters.profile`. Not modified.
    lang : str, default "en"
        A language of the glossary.

    Returns
    -------
    pandas.DataFrame
        The same values; columns relabelled from the glossary (``mean_<feature>`` as
        "mean <feature label>", using the ``col_``/``clu_feature_`` labels where the
        glossary has one).

    Examples
    --------
    >>> df = pd.DataFrame({"cluster": [0], "size": [10], "share": [1.0], "mean_orders": [2.0],
    ...                    "revenue_share": [1.0]})
    >>> list(format_profile(df, "zh").columns)
    ['客群', '客户数', '占比', '订单数 (均值)', '净收入占比']
    """
    def feature(name: str) -> str:
        for key in (f"clu_feature_{name}", f"col_{name}"):
            if key in TERMS:
                return t(key, lang)
        return name

    names = {}
    for col in table.columns:
        if col in ("cluster", "size", "share"):
            names[col] = t(f"clu_{col}", lang)
        elif col.startswith("mean_"):
            names[col] = t("clu_mean_of", lang, feature=feature(col[5:]))
        elif col.startswith("median_"):
            names[col] = t("clu_median_of", lang, feature=feature(col[7:]))
        elif col.endswith("_share"):
            names[col] = t("clu_value_share", lang, value=feature(col[: -len("_share")]))
    return table.rename(columns=names)
