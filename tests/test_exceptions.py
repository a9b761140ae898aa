"""Domain errors: what they say, and how they fit the libraries segkit wraps."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from segkit.exceptions import NotFittedError, SchemaError, SegkitError


class _Model(BaseEstimator):
    """A minimal estimator following the kit's contract."""

    def fit(self, X=None):
        self.params_ = {"r": 1.0}
        return self

    def predict(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("_Model is not fitted yet; call fit first")
        return self.params_


def test_not_fitted_error_is_scikit_learns():
    assert issubclass(NotFittedError, SklearnNotFittedError)
    assert issubclass(NotFittedError, SegkitError)
    with pytest.raises(SklearnNotFittedError, match="call fit first"):
        _Model().predict()
    # check_is_fitted recognises the kit's fitted attributes (ending in _)
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(_Model())
    check_is_fitted(_Model().fit())


def test_schema_error_lists_every_other_broken_rule():
    err = SchemaError("contracts", "end_date", "end_date is before start_date",
                      pd.DataFrame({"end_date": ["2023-01-01"]}), 1,
                      also=[("billing_period", "values must be one of ['M']", 2),
                            (None, "the table is odd", 1)])
    msg = str(err)
    assert msg.startswith("table 'contracts', column 'end_date': end_date is before start_date "
                          "(1 row)\nexample rows")
    assert msg.endswith("the table also breaks 2 more rule(s):\n"
                        "  - column 'billing_period': values must be one of ['M'] (2 rows)\n"
                        "  - the table is odd (1 row)")
