"""The shared maximum-likelihood base of the valuation models.

Every model of :mod:`segkit.value` is an exact maximum-likelihood estimator on
numpy/scipy. The base holds what they share:

- **distinct histories.** The data are reduced to their distinct rows (for the BTYD
  models the distinct ``(frequency, recency, T)``) with a count each, and the
  log-likelihood is evaluated once per distinct row and weighted: a million customers
  cost what their few thousand distinct histories cost;
- **a search on the log and logit scales.** Positive parameters are searched on the log
  scale, parameters in (0, 1) on the logit scale (:attr:`MLEModel._bounds`), with
  L-BFGS-B on the model's analytic gradient (checked against finite differences in the
  tests), inside a wide box (``exp(+-30)``) so that a run-away parameter is caught,
  with one BLAS thread (L-BFGS-B's vectors are tiny) and up to two restarts from where
  the previous attempt stopped;
- **standard errors** from the observed information: the Hessian of the negative
  log-likelihood at the maximum, by central differences of the analytic gradient,
  inverted and carried back to the natural scale by the delta method;
- **no silent NaN.** A fit that does not converge, ends where the log-likelihood or
  the gradient is not finite, runs a parameter to the edge of the box (0 or infinity),
  or ends where the Hessian is not positive definite (a flat direction: the data do
  not identify a parameter, and its standard error would be NaN or infinite) raises
  :class:`~segkit.exceptions.ConvergenceError` with advice (and the model's own,
  :meth:`MLEModel._advice`); parameters and standard errors are never NaN after a
  successful ``fit``;
- the scikit-learn estimator contract: parameters only in ``__init__``, ``fit`` returns
  ``self``, fitted attributes end in ``_``, and
  :class:`~segkit.exceptions.NotFittedError` before ``fit``.

A model defines :attr:`_param_names`, :attr:`_bounds` (``"positive"`` or ``"unit"``
per parameter), :meth:`_prepare` (the arrays of the distinct rows and their weights)
and :meth:`_loglik` (per-row log-likelihood and, when asked, its gradient with respect
to the natural parameters).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit, logit
from sklearn.base import BaseEstimator
from threadpoolctl import ThreadpoolController

from ..exceptions import ConvergenceError, NotFittedError, ParameterError, SchemaError

__all__ = ["MLEModel", "distinct_rows", "require_frame", "require_column", "fit_with_penalty"]

_THREADPOOLS: ThreadpoolController | None = None


def _one_blas_thread():
    """A context with one BLAS thread (the controller is found once: 4 ms per lookup)."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    return _THREADPOOLS.limit(limits=1, user_api="blas")


def require_frame(data, name: str,
                  what: str = "a customer summary, e.g. from segkit.features.summary"):
    """``data`` when it is a DataFrame, else a ParameterError saying what ``name`` needs."""
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"{name} needs a pandas DataFrame ({what}); got "
                             f"{type(data).__name__}")
    return data


def require_column(data: pd.DataFrame, col, hint: str, table: str = "summary") -> None:
    """A SchemaError naming ``col`` and the columns there are, when ``col`` is missing.

    ``hint`` ends the message: how to name the column (e.g. "give its name in T_col").
    """
    if col not in data.columns:
        raise SchemaError(
            table, str(col),
            f"column '{col}' is missing (columns: {', '.join(map(str, data.columns))}); {hint}",
        )


def distinct_rows(columns: Sequence[np.ndarray], weights: np.ndarray | None = None):
    """The distinct rows of some columns and how many times each occurs.

    Hash-based (:func:`pandas.factorize` per column, then one integer key per row), so
    a million rows take a few hundredths of a second; ``numpy.unique(axis=0)`` takes
    seconds.

    Parameters
    ----------
    columns : sequence of 1-d arrays of equal length
    weights : array, optional
        A count per row (default 1).

    Returns
    -------
    distinct : list of arrays
        One float array per column, the distinct rows (sorted lexicographically).
    counts : numpy.ndarray
        The summed weights of each distinct row.
    inverse : numpy.ndarray
        For every input row, the index of its distinct row.

    Examples
    --------
    >>> d, n, inv = distinct_rows([np.array([1, 1, 2]), np.array([0.5, 0.5, 3.0])])
    >>> [a.tolist() for a in d], n.tolist(), inv.tolist()
    ([[1.0, 2.0], [0.5, 3.0]], [2.0, 1.0], [0, 0, 1])
    """
    cols = [np.asarray(c, dtype=float).reshape(-1) for c in columns]
    n = len(cols[0]) if cols else 0
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if n == 0:
        return [np.empty(0) for _ in cols], np.empty(0), np.empty(0, dtype=np.intp)
    if n <= 20_000:  # small: a sort of the rows is quicker than hashing with pandas
        stacked = np.column_stack(cols) + 0.0  # + 0.0: -0.0 becomes 0.0
        if not np.isnan(stacked).any():
            uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
            counts = np.bincount(inverse, weights=w, minlength=len(uniq))
            return [uniq[:, j].copy() for j in range(uniq.shape[1])], counts, inverse
    codes, uniques = [], []
    for c in cols:
        k, u = _sorted_codes(c)
        codes.append(k)
        uniques.append(u)
    sizes = [len(u) for u in uniques]
    if math.prod(sizes) >= 2**62:  # the key would overflow: sort the rows instead
        stacked = np.column_stack(cols)
        uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        counts = np.bincount(inverse, weights=w, minlength=len(uniq))
        return [uniq[:, j] for j in range(uniq.shape[1])], counts, inverse
    key = codes[0]
    for k, size in zip(codes[1:], sizes[1:], strict=True):
        key = key * size + k
    total = math.prod(sizes)
    if total <= max(4 * n, 1 << 20):  # a dense table of the keys: no hashing, no sort
        present = np.bincount(key, minlength=total) > 0
        rank = np.cumsum(present) - 1
        inverse = rank[key]
        keys = np.flatnonzero(present)
    else:
        inverse, keys = pd.factorize(key, sort=True)
        keys = np.asarray(keys, dtype=np.int64)
    inverse = inverse.astype(np.intp, copy=False)
    counts = np.bincount(inverse, weights=w, minlength=len(keys))
    distinct = []
    for u, size in zip(uniques[::-1], sizes[::-1], strict=True):
        distinct.append(u[keys % size])
        keys = keys // size
    return distinct[::-1], counts, inverse


def _sorted_codes(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a float column in the order of its sorted distinct values.

    -0.0 and 0.0 are one value; NaN is a value of its own, sorted last.
    """
    k, u = pd.factorize(c + 0.0)  # + 0.0: -0.0 becomes 0.0
    k = k.astype(np.int64, copy=False)
    u = np.asarray(u, dtype=float)
    order = np.argsort(u, kind="stable")
    rank = np.empty(len(u) + 1, dtype=np.int64)
    rank[order] = np.arange(len(u))
    rank[-1] = len(u)  # the NaN sentinel -1
    if (k < 0).any():
        u = np.append(u[order], np.nan)
    else:
        u = u[order]
    return rank[k], u


class MLEModel(BaseEstimator):
    """Base class of the maximum-likelihood valuation models (see the module docstring).

    Subclasses set :attr:`_param_names` and :attr:`_bounds` and implement
    :meth:`_prepare` and :meth:`_loglik`.
    """

    #: Names of the parameters, as in the literature (e.g. ``("r", "alpha", "a", "b")``).
    _param_names: tuple[str, ...] = ()
    #: Per parameter, ``"positive"`` (searched on the log scale) or ``"unit"`` (logit).
    _bounds: tuple[str, ...] = ()
    #: What a fit needs, for messages (e.g. "a customer summary with frequency, recency, T").
    _needs: str = "data"

    # ------------------------------------------------------------------ to implement
    def _prepare(self, data) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """The distinct rows of ``data`` as arrays, and their weights."""
        raise NotImplementedError

    def _loglik(self, params: np.ndarray, arrays: tuple[np.ndarray, ...], grad: bool = False):
        """Per-row log-likelihood at the natural ``params`` (and the gradient, rows x params)."""
        raise NotImplementedError

    def _start(self, arrays, weights) -> np.ndarray:
        """A starting point on the natural scale (default: all ones, 0.5 for unit params)."""
        return np.array([0.5 if b == "unit" else 1.0 for b in self._bounds])

    # ------------------------------------------------------------------ transforms
    def _to_natural(self, z: np.ndarray) -> np.ndarray:
        out = np.empty_like(z)
        for i, b in enumerate(self._bounds):
            out[i] = math.exp(z[i]) if b == "positive" else expit(z[i])
        return out

    def _to_search(self, p: np.ndarray) -> np.ndarray:
        return np.array([math.log(v) if b == "positive" else logit(v)
                         for v, b in zip(p, self._bounds, strict=True)])

    def _dnatural_dsearch(self, p: np.ndarray) -> np.ndarray:
        return np.array([v if b == "positive" else v * (1 - v)
                         for v, b in zip(p, self._bounds, strict=True)])

    # ------------------------------------------------------------------ fitting
    #: The search box on the search scale: a positive parameter stays in
    #: [exp(-30), exp(30)] (1e-13 to 1e13), a unit parameter's logit in [-30, 30]. A fit
    #: that ends on this box has run away to 0, 1 or infinity: ConvergenceError.
    _search_bound: float = 30.0

    def _advice(self) -> str:
        """Model-specific advice appended to a ConvergenceError (default: none).

        Called after :meth:`_fit_arrays` stored the distinct rows in ``self._arrays`` and
        their weights in ``self._weights``; e.g. the BTYD models say when no customer
        made a repeat purchase.
        """
        return ""

    def _neg_ll(self, z, arrays, weights, penalizer):
        p = self._to_natural(z)
        ll, g = self._loglik(p, arrays, grad=True)
        value = -float(weights @ ll) / self._scale + penalizer * float(p @ p)
        gp = -(weights @ g) / self._scale + 2 * penalizer * p
        if not math.isfinite(value):
            # a huge finite value makes the line search step back instead of failing
            return 1e100, np.zeros_like(z)
        return value, gp * self._dnatural_dsearch(p)

    def _convergence_error(self, what: str, remedy: str) -> ConvergenceError:
        advice = self._advice()
        return ConvergenceError(
            f"{type(self).__name__}.fit {what}. {remedy}" + (f" {advice}" if advice else "")
        )

    def _fit_arrays(self, arrays, weights, start=None, penalizer: float = 0.0,
                    maxiter: int = 2000):
        """Maximise the weighted log-likelihood of the distinct rows; set the fitted attributes.

        Parameters
        ----------
        arrays : tuple of numpy.ndarray
            The distinct rows (what :meth:`_prepare` returns), passed to :meth:`_loglik`.
        weights : numpy.ndarray
            The number of customers (or a weight) per distinct row.
        start : array, optional
            A starting point on the natural scale (default :meth:`_start`).
        penalizer : float, default 0
            ``penalizer * sum(params ** 2)`` is added to the mean negative log-likelihood
            (per customer), as lifetimes' ``penalizer_coef`` does.
        maxiter : int, default 2000
            Iterations of L-BFGS-B per attempt (up to three attempts, each from the
            end of the previous one).

        Raises
        ------
        segkit.exceptions.ConvergenceError
            The search did not end at a maximum: not converged, a log-likelihood or
            gradient that is not finite, a parameter run away to the edge of the search
            box (0 or infinity), or a maximum that is flat in some direction (the
            Hessian is not positive definite: the data do not identify the parameter).
            The message says what to try.
        """
        weights = np.asarray(weights, dtype=float)
        if weights.sum() <= 0:
            raise ParameterError(f"{type(self).__name__}.fit needs {self._needs}; got no rows")
        self._arrays, self._weights = arrays, weights
        self._scale = float(weights.sum())
        p0 = np.asarray(start if start is not None else self._start(arrays, weights), float)
        z = self._to_search(p0)
        bound = self._search_bound
        z = np.clip(z, -bound + 1, bound - 1)
        names = list(self._param_names)
        # one BLAS thread: L-BFGS-B's BLAS calls are on vectors of a few numbers, and
        # OpenBLAS's threads only wait for each other there (5 ms per iteration on a
        # busy machine, more than the likelihood of a thousand distinct rows)
        with np.errstate(all="ignore"), _one_blas_thread():
            for _attempt in range(3):
                res = optimize.minimize(
                    self._neg_ll, z, args=(arrays, weights, penalizer), jac=True,
                    method="L-BFGS-B", bounds=[(-bound, bound)] * len(z),
                    options={"maxiter": maxiter, "gtol": 1e-9, "ftol": 1e-14},
                )
                z = res.x
                gnorm = float(np.max(np.abs(res.jac))) if res.jac is not None else 0.0
                ok = res.success or "ABNORMAL" in str(res.message).upper()
                if ok and gnorm <= 1e-3:
                    break
        p = self._to_natural(z)
        ll = self._loglik(p, arrays)[0] if np.all(np.isfinite(p)) else np.array([np.nan])
        total = float(weights @ ll) if np.all(np.isfinite(ll)) else float("nan")
        shown = dict(zip(names, [float(f"{v:.6g}") for v in p], strict=True))
        if not np.all(np.isfinite(p)) or not math.isfinite(total):
            raise self._convergence_error(
                f"ended where the log-likelihood is not finite (parameters {shown})",
                f"Check the data ({self._needs}: no negative or missing values), or give "
                "penalizer_coef > 0 (e.g. 0.001) to keep the parameters away from the "
                "boundary.",
            )
        edge = np.abs(z) >= bound * (1 - 1e-6)
        if edge.any():
            which = ", ".join(
                f"{n} -> {'0' if zi < 0 else ('1' if b == 'unit' else 'infinity')}"
                for n, zi, b, e in zip(names, z, self._bounds, edge, strict=True) if e
            )
            raise self._convergence_error(
                f"did not find a maximum: {which} (parameters {shown}); the likelihood keeps "
                "growing towards the edge, so the data do not pin these parameters down",
                "Give penalizer_coef > 0 (e.g. 0.01) to keep them finite, or fit on more "
                "or longer histories.",
            )
        if not ok:
            raise self._convergence_error(
                f"did not converge ({res.message}; parameters {shown})",
                "Try penalizer_coef > 0 (e.g. 0.001), or rescale time (weeks instead of "
                "days).",
            )
        if gnorm > 1e-3:
            raise self._convergence_error(
                f"stopped with a gradient of {gnorm:.2g} on the log scale, not at a maximum "
                f"(parameters {shown})",
                "Try penalizer_coef > 0 (e.g. 0.001), or rescale time (weeks instead of "
                "days).",
            )
        self.params_ = pd.Series(p, index=names, name="estimate")
        self.log_likelihood_ = total
        self.n_obs_ = float(weights.sum())
        self.n_distinct_ = len(weights)
        self.penalizer_ = penalizer
        self.n_iter_ = int(res.nit)
        self.standard_errors_ = self._standard_errors(p, arrays, weights)
        self.covariance_ = self._covariance
        return self

    def _hessian(self, z, arrays, weights) -> np.ndarray:
        """Hessian of the total negative log-likelihood on the search scale.

        Central differences of the analytic gradient (step 1e-5 on the search scale).
        """
        k = len(z)
        h = 1e-5
        H = np.empty((k, k))
        for i in range(k):
            e = np.zeros(k)
            e[i] = h
            gp = self._neg_ll(z + e, arrays, weights, 0.0)[1]
            gm = self._neg_ll(z - e, arrays, weights, 0.0)[1]
            H[i] = (gp - gm) / (2 * h)
        return (H + H.T) / 2 * self._scale  # back from the per-customer scale

    def _standard_errors(self, p, arrays, weights) -> pd.Series:
        """Standard errors from the observed information (Hessian of the -log-likelihood).

        Raises ConvergenceError when the Hessian is not positive definite (the maximum
        is flat in some direction): the standard errors would be NaN or infinite.
        """
        z = self._to_search(p)
        names = list(self._param_names)
        with np.errstate(all="ignore"), _one_blas_thread():
            H = self._hessian(z, arrays, weights)
            eig, vec = (np.linalg.eigh(H) if np.all(np.isfinite(H))
                        else (np.array([np.nan]), None))
        if not np.all(np.isfinite(eig)) or eig[0] <= 1e-9 * max(eig[-1], 1e-300):
            if vec is not None:
                flat = np.abs(vec[:, 0])
                which = ", ".join(n for n, f in zip(names, flat, strict=True)
                                  if f >= 0.3 * flat.max())
                what = (f"found no proper maximum: the log-likelihood is flat in {which} at "
                        f"the end of the search, so the data do not identify "
                        f"{'it' if ',' not in which else 'them'}")
            else:
                what = "found no proper maximum: the Hessian is not finite at its end"
            raise self._convergence_error(
                what + f" (parameters {dict(zip(names, [float(f'{v:.6g}') for v in p], strict=True))})",
                "Give penalizer_coef > 0 (e.g. 0.01), or fit on more or longer histories.",
            )
        cov_z = (vec / eig) @ vec.T
        J = np.diag(self._dnatural_dsearch(p))
        cov = J @ cov_z @ J
        se = np.sqrt(np.diag(cov))
        self._covariance = pd.DataFrame(cov, index=names, columns=names)
        return pd.Series(se, index=names, name="standard_error")

    # ------------------------------------------------------------------ results
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(...) first"
            )

    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors and 95% intervals (on the log scale, so positive).

        Returns
        -------
        pandas.DataFrame
            One row per parameter: ``estimate``, ``standard_error``, ``lower_95``,
            ``upper_95``. The interval is ``exp(log(est) +- 1.96 se / est)`` for a positive
            parameter (the delta method on the log scale; it never crosses 0) and the
            logit-scale analogue for a parameter in (0, 1).
        """
        self._check_fitted()
        est = self.params_.to_numpy()
        se = self.standard_errors_.to_numpy()
        lo, hi = np.empty_like(est), np.empty_like(est)
        for i, b in enumerate(self._bounds):
            if b == "positive":
                w = 1.96 * se[i] / est[i]
                lo[i], hi[i] = est[i] * math.exp(-w), est[i] * math.exp(w)
            else:
                w = 1.96 * se[i] / (est[i] * (1 - est[i]))
                lo[i], hi[i] = expit(logit(est[i]) - w), expit(logit(est[i]) + w)
        return pd.DataFrame({"estimate": est, "standard_error": se, "lower_95": lo,
                             "upper_95": hi}, index=pd.Index(self._param_names, name="parameter"))


def fit_with_penalty(cls, data, penalties: Sequence[float] = (0.0, 0.001, 0.01, 0.1),
                     **kwargs):
    """``cls(penalizer_coef=p).fit(data)`` for the first ``p`` of ``penalties`` that converges.

    A model without a proper maximum on these data (a flat or run-away direction) gets
    the smallest penalty that gives it one. Warnings of the attempts are silenced.

    Returns
    -------
    (model, penalizer)

    Raises
    ------
    ConvergenceError
        No penalty of the list gives a proper maximum.
    SchemaError, ParameterError
        Data the model cannot be fitted on at all (at the first attempt).
    """
    for pen in penalties:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return cls(penalizer_coef=pen).fit(data, **kwargs), pen
        except ConvergenceError:
            continue
    raise ConvergenceError(
        f"{cls.__name__} has no proper maximum on these data, even with a penalty of "
        f"{penalties[-1]}"
    )
