"""A subscription book from one table: column map -> survival frame -> KM and sBG per cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit.churn import kaplan_meier, sbg_vs_kaplan_meier, survival_from_table, whole_periods
from segkit.exceptions import ParameterError

#: How an analyst maps the export of a billing system: nothing else is needed.
COLUMN_MAP = {"id_col": "account_no", "start_col": "signup_date", "end_col": "cancel_date",
              "event_col": "churned", "covariate_cols": ["contract", "plan", "monthly_charge"]}


@pytest.fixture(scope="module")
def book():
    from segkit.datasets import make_subscriptions

    return make_subscriptions(n_customers=6000, random_state=1)


def test_the_column_map_alone_gives_the_survival_frame_in_months(book):
    surv = survival_from_table(book.table, unit="M", observation_end=book.snapshot, **COLUMN_MAP)
    assert len(surv) == len(book.table)
    assert surv["event"].sum() == (book.table["churned"] == "Yes").sum()
    # months paid, as the truth counts them, are the whole periods of the durations
    truth = book.truth.customers.set_index("account_no")["lifetime_months"]
    cancelled = surv[surv["event"] == 1]
    paid = whole_periods(cancelled["duration"], cancelled["event"])
    agree = np.mean(paid == truth.loc[cancelled["customer_id"]].to_numpy())
    assert agree > 0.97  # months differ in length: a day either side at a boundary


def test_km_by_contract_matches_the_truth_and_the_log_rank_sees_it(book):
    surv = survival_from_table(book.table, unit="M", observation_end=book.snapshot, **COLUMN_MAP)
    km = kaplan_meier(surv, "contract")
    assert km.logrank["p_value"] < 1e-10
    at = km.survival_at([6, 12, 24])
    for contract in at.index:
        truth = book.truth.survival([6, 12, 24], contract=contract)
        np.testing.assert_allclose(at.loc[contract].to_numpy(), truth, atol=0.05)


def test_sbg_and_km_agree_on_the_same_cohorts_and_sbg_recovers_the_truth(book):
    surv = survival_from_table(book.table, unit="M", observation_end=book.snapshot, **COLUMN_MAP)
    surv["cohort"] = surv["contract"] + "/" + surv["plan"]
    out = sbg_vs_kaplan_meier(surv, "cohort")
    cohorts = book.truth.cohorts.assign(cohort=lambda c: c["contract"] + "/" + c["plan"]) \
        .set_index("cohort")
    assert set(out.params.index) == set(cohorts.index)
    inside = 0
    for g, row in out.params.iterrows():
        model = out.models[g]
        if model is None:  # alike customers: the geometric limit of the sBG
            assert row["homogeneous"] and np.isinf(row["alpha"])
            inside += 2 * (cohorts.loc[g, "mean_theta"] < 0.03)  # the weakly mixed cohorts
        else:
            se = model.standard_errors_
            for p in ("alpha", "beta"):
                inside += abs(row[p] - cohorts.loc[g, p]) < 1.96 * se[p]
        # the first month's churn, the number a manager reads, within a fifth
        assert row["mean_churn"] == pytest.approx(cohorts.loc[g, "mean_theta"], rel=0.2)
        assert row["max_gap"] < 0.06
    assert inside >= 15  # of 18 (nine cohorts, two parameters)
    curves = out.curves
    observed = curves[curves["observed"]]
    assert ((observed["sbg"] >= observed["km_lower"] - 0.03)
            & (observed["sbg"] <= observed["km_upper"] + 0.03)).mean() > 0.95
    assert (~curves["observed"]).any()  # the sBG extrapolates beyond the data


def test_sbg_comparison_refuses_late_entry():
    df = pd.DataFrame({"duration": [3.0, 5.0], "event": [1, 0], "entry": [1.0, 0.0]})
    with pytest.raises(ParameterError, match="entry 0"):
        sbg_vs_kaplan_meier(df)
