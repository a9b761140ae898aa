"""The synthetic company: schema, reproducibility, and recovery of the known truth.

Recovery tolerances are a few standard errors of the estimate at the sample size
used (stated next to each check), so a failure means the data does not carry the
documented signal, not bad luck (the seeds are fixed anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifelines import CoxTimeVaryingFitter

from segkit.config import PROJECT_ROOT, data_dir
from segkit.datasets._demo import (
    DEMO_END,
    DEMO_N_CUSTOMERS,
    DEMO_SEED,
    DEMO_START,
    load_demo,
    load_demo_params,
    load_demo_truth,
)
from segkit.datasets._simulate import (
    DEFAULT_PARAMS,
    LIFECYCLE_STAGES,
    OFFERS,
    PLANS,
    SimulatedData,
    simulate,
)
from segkit.exceptions import ParameterError
from segkit.schema import (
    EXIT_REASONS,
    EXIT_SOURCES,
    REASONS,
    TABLES,
    CustomerData,
    validate,
    validate_tables,
)

N = 5000
SEED = 11


@pytest.fixture(scope="module")
def sim() -> SimulatedData:
    return simulate(N, seed=SEED)


@pytest.fixture(scope="module")
def big() -> SimulatedData:
    """Large enough for win-back arm comparisons (about 14,000 campaign rows)."""
    return simulate(30_000, seed=SEED + 1)


def _days(ts: pd.Series, start: str) -> np.ndarray:
    """Days since ``start`` as floats (NaT -> +inf)."""
    d = (pd.to_datetime(ts) - pd.Timestamp(start)).dt.total_seconds().to_numpy() / 86400.0
    return np.where(np.isnan(d), np.inf, d)


def _churn_days(s: SimulatedData) -> pd.Series:
    return pd.Series(
        _days(s.truth["churn_time"], s.params["start"]), index=s.truth["customer_id"].to_numpy()
    )


# --------------------------------------------------------------------------- shape


def test_reproducible_with_the_same_seed(sim):
    again = simulate(N, seed=SEED)
    for name, df in sim.tables.tables().items():
        pd.testing.assert_frame_equal(again.tables.tables()[name], df, check_exact=True)
    pd.testing.assert_frame_equal(again.truth, sim.truth, check_exact=True)
    pd.testing.assert_frame_equal(again.offer_effects, sim.offer_effects, check_exact=True)
    pd.testing.assert_frame_equal(again.exit_truth, sim.exit_truth, check_exact=True)
    pd.testing.assert_frame_equal(again.lifecycle, sim.lifecycle, check_exact=True)
    assert again.params == sim.params
    assert again.tables.observation_end == sim.tables.observation_end


def test_another_seed_gives_other_data(sim):
    other = simulate(N, seed=SEED + 100)
    assert not other.tables.transactions["amount"].equals(sim.tables.transactions["amount"])
    assert not other.truth["lam"].equals(sim.truth["lam"])


def test_container_and_params(sim):
    assert isinstance(sim.tables, CustomerData)
    assert sim.tables.observation_end == pd.Timestamp("2024-12-31")
    assert sim.tables.source == f"simulate(n_customers={N}, seed={SEED})"
    assert sorted(sim.tables.tables()) == sorted(TABLES)
    assert json.loads(json.dumps(sim.params)) == sim.params  # JSON-serialisable
    for key in DEFAULT_PARAMS:
        assert key in sim.params
    assert sim.params["n_customers"] == N and sim.params["seed"] == SEED
    assert sim.truth["customer_id"].tolist() == sim.tables.customers["customer_id"].tolist()
    assert len(sim.complaint_truth) == len(sim.tables.complaints)
    assert len(sim.offer_effects) == len(sim.tables.campaigns)
    assert len(sim.exit_truth) == len(sim.tables.exits)
    assert list(sim.lifecycle.columns) == ["customer_id", "stage", "start", "end"]
    assert repr(sim).startswith("SimulatedData(simulate(n_customers=5000")


def _expected_dtype(col) -> str:
    if col.kind == "datetime":
        return "datetime64[ns]"
    if col.kind == "float":
        return "float64"
    if col.kind == "int":
        return "Int64" if col.nullable else "int64"
    if col.kind == "bool":
        return "bool"
    return "object"


@pytest.mark.parametrize("table", list(TABLES))
def test_tables_follow_the_schema_exactly(sim, table):
    df = sim.tables.tables()[table]
    spec = TABLES[table]
    assert list(df.columns) == list(spec.names)
    assert isinstance(df.index, pd.RangeIndex) and len(df) > 0
    for col in spec.columns:
        s = df[col.name]
        assert str(s.dtype) == _expected_dtype(col), col.name
        if col.kind in ("id", "category", "text"):
            assert s.dropna().map(type).eq(str).all(), col.name
        if col.allowed is not None:
            assert set(s.dropna()) <= set(col.allowed), col.name
        if not col.nullable:
            assert s.notna().all(), col.name
        if col.kind == "datetime":
            assert (s.dropna() == s.dropna().dt.normalize()).all()  # day resolution
    # the canonical form is a fixed point of validation
    end = None if table == "receivables" else sim.tables.observation_end
    pd.testing.assert_frame_equal(validate(df, table, observation_end=end), df)


def test_ids_and_personal_fields(sim):
    c = sim.tables.customers
    assert c["customer_id"].iloc[0] == "C000001" and c["customer_id"].is_unique
    assert c["email"].str.fullmatch(r"c\d{6}@example\.invalid").all()
    assert c["phone"].str.startswith("+999-555-").all()
    assert c["name"].str.startswith("Test Customer ").all()
    assert set(c["region"]) == {"north", "south", "east", "west"}
    assert set(c["channel"]) == {"online", "store", "partner"}
    assert sim.tables.transactions["transaction_id"].is_unique
    assert sim.tables.receivables["invoice_id"].is_unique


def test_receivables_dates(sim):
    rc = sim.tables.receivables
    end = sim.tables.observation_end
    assert (rc["issue_date"] <= end).all() and (rc["paid_date"].dropna() <= end).all()
    assert (rc["paid_date"].dropna() >= rc.loc[rc["paid_date"].notna(), "issue_date"]).all()
    terms = (rc["due_date"] - rc["issue_date"]).dt.days
    channel = rc["customer_id"].map(sim.tables.customers.set_index("customer_id")["channel"])
    expected = channel.map(DEFAULT_PARAMS["payment_terms_days"])
    assert (terms == expected).all()
    assert (rc["amount"] > 0).all()


def test_validate_tables_accepts_the_simulated_company(sim):
    validate_tables(sim.tables)


def test_events_lie_between_acquisition_and_end(sim):
    t = sim.tables
    acq = t.customers.set_index("customer_id")["acquisition_date"]
    end = t.observation_end
    for name, col in [
        ("transactions", "timestamp"),
        ("contracts", "start_date"),
        ("exits", "timestamp"),
        ("interactions", "timestamp"),
        ("complaints", "timestamp"),
        ("surveys", "timestamp"),
        ("receivables", "issue_date"),
        ("credit_limits", "effective_date"),
        ("costs", "timestamp"),
        ("campaigns", "timestamp"),
    ]:
        df = t.tables()[name]
        assert (df[col] >= df["customer_id"].map(acq)).all(), name
        assert (df[col] <= end).all(), name
    # staggered acquisition: customers join in every month, more of them later
    months = acq.dt.to_period("M").value_counts()
    assert len(months) == 24
    assert (acq >= "2024-01-01").mean() > 0.5
    # acquisition = first purchase, on the acquisition day
    first = t.transactions.groupby("customer_id")["timestamp"].min()
    assert (first == acq.loc[first.index]).all() and len(first) == N


def test_returns_are_flagged_later_negative_lines(sim):
    tx = sim.tables.transactions
    ret = tx[tx["is_return"]]
    buy = tx[~tx["is_return"]]
    assert (ret["amount"] < 0).all() and (buy["amount"] > 0).all()
    share = len(ret) / len(buy)
    assert 0.02 < share < 0.05  # return_prob 0.04, minus returns after the end
    # every return matches an earlier purchase of the same customer and amount
    m = ret.assign(amount=-ret["amount"]).merge(
        buy, on=["customer_id", "amount", "quantity"], suffixes=("_r", "_p")
    )
    later = m[
        (m["timestamp_r"] > m["timestamp_p"])
        & (m["timestamp_r"] <= m["timestamp_p"] + pd.Timedelta(days=30))
    ]
    assert later["transaction_id_r"].nunique() == len(ret)


def test_no_purchase_after_churn_except_win_back_reactivations(sim):
    tx = sim.tables.transactions
    buy = tx[~tx["is_return"]]
    churn_day = _churn_days(sim)
    day = _days(buy["timestamp"], sim.params["start"])
    after = buy[day > np.floor(buy["customer_id"].map(churn_day).to_numpy())]
    camp = sim.tables.campaigns
    reac = set(
        zip(
            camp.loc[camp["responded"], "customer_id"],
            camp.loc[camp["responded"], "response_date"],
            strict=True,
        )
    )
    assert len(after) > 0
    assert all(k in reac for k in zip(after["customer_id"], after["timestamp"], strict=True))
    # nothing else happens after churn either
    for name in ("interactions", "complaints", "surveys"):
        df = sim.tables.tables()[name]
        d = _days(df["timestamp"], sim.params["start"])
        assert (d <= np.floor(df["customer_id"].map(churn_day).to_numpy())).all(), name
    # churned flag = churn before the end of the last day
    churned = sim.truth["churn_time"] < sim.tables.observation_end + pd.Timedelta(days=1)
    assert (churned == sim.truth["churned"]).all()
    assert 0.2 < sim.truth["churned"].mean() < 0.45


def test_magnitudes_are_plausible(sim):
    tx = sim.tables.transactions
    buy = tx[~tx["is_return"]]
    early = sim.tables.customers.loc[
        sim.tables.customers["acquisition_date"] < "2023-02-01", "customer_id"
    ]
    per_year = buy[buy["customer_id"].isin(early) & (buy["timestamp"] < "2024-01-01")]
    assert 4 < len(per_year) / len(early) < 12  # purchases in the first year
    assert 40 < buy["amount"].median() < 120
    q1 = sim.tables.customers["acquisition_date"] < "2023-04-01"
    assert 0.3 < sim.truth.loc[q1.to_numpy(), "churned"].mean() < 0.7


def test_unknown_and_merged_parameters():
    with pytest.raises(ParameterError, match="unknown simulation parameter 'nope'"):
        simulate(10, nope=1)
    with pytest.raises(ParameterError, match="complaint_hazard_ratio.pricey"):
        simulate(10, complaint_hazard_ratio={"pricey": 2.0})
    with pytest.raises(ParameterError, match="summing to 1"):
        simulate(10, channel_probs={"online": 0.9})
    with pytest.raises(ParameterError, match="end"):
        simulate(10, start="2024-01-01", end="2023-01-01")
    s = simulate(50, complaint_hazard_ratio={"price": 3.0})
    assert s.params["complaint_hazard_ratio"] == {
        **DEFAULT_PARAMS["complaint_hazard_ratio"],
        "price": 3.0,
    }
    assert DEFAULT_PARAMS["complaint_hazard_ratio"]["price"] == 1.8  # defaults untouched


def test_docstring_documents_every_parameter():
    doc = simulate.__doc__
    missing = [k for k in DEFAULT_PARAMS if k not in doc]
    assert not missing


# --------------------------------------------------------------------------- truth recovery


def test_latent_means_match_the_gamma_parameters(sim):
    p, tr = sim.params, sim.truth
    n = len(tr)
    # mean of Gamma(shape, rate) draws: shape / rate, standard error sqrt(shape) / rate / sqrt(n)
    for col, shape, rate in [
        ("lam", p["r"], p["alpha"]),
        ("mu", p["s"], p["beta"]),
        ("nu", p["q"], p["gamma"]),
    ]:
        se = np.sqrt(shape) / rate / np.sqrt(n)
        assert abs(tr[col].mean() - shape / rate) < 4 * se, col
    assert tr["lam"].mean() == pytest.approx(p["derived"]["mean_lam"], rel=0.05)


def test_spend_per_purchase_follows_gamma_gamma(sim):
    """Outside any warning window, amount / expected_spend has mean 1 and sd 1/sqrt(p)."""
    tx = sim.tables.transactions
    buy = tx[~tx["is_return"]]
    churn_day = _churn_days(sim)
    start = sim.params["start"]
    W = sim.params["warning_window_days"]
    day = _days(buy["timestamp"], start)
    calm = day + 1 < buy["customer_id"].map(churn_day).to_numpy() - W
    camp = sim.tables.campaigns
    reac = set(zip(camp["customer_id"], camp["response_date"], strict=True))
    calm &= ~np.array([k in reac for k in zip(buy["customer_id"], buy["timestamp"], strict=True)])
    es = buy["customer_id"].map(sim.truth.set_index("customer_id")["expected_spend"])
    ratio = (buy["amount"] / es)[calm]
    se = 1 / np.sqrt(sim.params["p"]) / np.sqrt(len(ratio))
    assert abs(ratio.mean() - 1) < 4 * se + 0.002  # + rounding to cents
    assert ratio.std() == pytest.approx(1 / np.sqrt(sim.params["p"]), rel=0.05)


def _cox_intervals(s: SimulatedData) -> pd.DataFrame:
    """(start, stop] intervals split at hazard-driving complaints, with the covariates
    of the true hazard: log(mu), satisfaction, channel and the running complaint counts."""
    p, tr, t = s.params, s.truth, s.tables
    start = p["start"]
    n_days = p["derived"]["n_days"]
    cidx = pd.Series(np.arange(len(tr)), index=tr["customer_id"].to_numpy())
    tau = _days(tr["churn_time"], start)
    stop = np.minimum(tau, n_days)
    acq = _days(t.customers["acquisition_date"], start)
    comp = t.complaints[s.complaint_truth["drives_hazard"].to_numpy()]
    ev = pd.DataFrame(
        {"id": cidx[comp["customer_id"]].to_numpy(), "t": _days(comp["timestamp"], start) + 0.5}
    )
    for r in REASONS:
        ev[r] = (comp["reason"] == r).to_numpy().astype(int)
    ev = ev.sort_values(["id", "t"], kind="stable")
    ev[list(REASONS)] = ev.groupby("id")[list(REASONS)].cumsum()
    first = pd.DataFrame({"id": np.arange(len(tr)), "t": acq, **dict.fromkeys(REASONS, 0)})
    iv = pd.concat([first, ev]).sort_values(["id", "t"], kind="stable")
    iv["stop"] = iv.groupby("id")["t"].shift(-1)
    last = iv["stop"].isna()
    iv.loc[last, "stop"] = stop[iv.loc[last, "id"].to_numpy()]
    iv["event"] = last & (tau[iv["id"].to_numpy()] < n_days)
    iv = iv.rename(columns={"t": "start"})
    iv = iv[iv["stop"] > iv["start"]].copy()
    ids = iv["id"].to_numpy()
    channel = t.customers["channel"].to_numpy()[ids]
    iv["log_mu"] = np.log(tr["mu"].to_numpy())[ids]
    iv["satisfaction"] = tr["satisfaction"].to_numpy()[ids]
    iv["online"] = (channel == "online").astype(int)
    iv["partner"] = (channel == "partner").astype(int)
    return iv


def _fit_cox(iv: pd.DataFrame) -> CoxTimeVaryingFitter:
    return CoxTimeVaryingFitter().fit(
        iv, id_col="id", start_col="start", stop_col="stop", event_col="event"
    )


def test_time_varying_cox_recovers_the_complaint_hazard_ratios(sim):
    """With the frailty log(mu) as a covariate, Cox recovers every log hazard ratio.

    The hazard is mu * channel multiplier * exp(-0.4 satisfaction) * prod(HR of each
    hazard-driving complaint so far), constant between complaints, so a Cox model on
    (start, stop] intervals split at complaints is correctly specified; each estimate
    must lie within 4 of its standard errors of the truth (about 1,500 churn events,
    se 0.07-0.13 for the reasons).
    """
    p = sim.params
    iv = _cox_intervals(sim)
    fit = _fit_cox(iv)
    hm = p["channel_hazard_multiplier"]
    truth = {
        **{r: np.log(p["complaint_hazard_ratio"][r]) for r in REASONS},
        "log_mu": 1.0,
        "satisfaction": p["satisfaction_hazard_coef"],
        "online": np.log(hm["online"] / hm["store"]),
        "partner": np.log(hm["partner"] / hm["store"]),
    }
    est, se = fit.params_, fit.standard_errors_
    for name, value in truth.items():
        assert abs(est[name] - value) < 4 * se[name], (name, est[name], value, se[name])
    assert iv["event"].sum() > 1200


def _window_counts(sim, df, lo, hi):
    """Events of ``df`` in [churn - lo, churn - hi) days, for churners with >= 120 days."""
    start = sim.params["start"]
    churn_day = _churn_days(sim)
    life = sim.truth.set_index("customer_id")["lifetime_days"]
    ok = sim.truth["churned"].to_numpy() & (sim.truth["lifetime_days"].to_numpy() >= 120)
    keep = set(sim.truth["customer_id"][ok])
    df = df[df["customer_id"].isin(keep)]
    before = df["customer_id"].map(churn_day).to_numpy() - _days(df["timestamp"], start)
    assert (life.loc[list(keep)] >= 120).all()
    return df[(before <= lo) & (before > hi)]


def _ramp_multiplier(floor, lo, hi, window=90.0):
    """Mean of 1 - (1 - floor) * ramp over [churn - lo, churn - hi)."""
    ramp_mid = 1 - (lo + hi) / 2 / window
    return 1 - (1 - floor) * ramp_mid


def test_warning_indicators_carry_the_known_signal(sim):
    """Last 30 days before churn against 60-90 days before, for the six indicators.

    The expected ratio of counts is the ratio of mean ramp multipliers (seasonality
    largely cancels over a 60-day shift); counts are Poisson, so log-ratio tolerance
    is 4 * sqrt(1/a + 1/b) plus 0.1 for the seasonal shift and day rounding.
    """
    p = sim.params
    t = sim.tables
    late, early = (31, 1), (91, 61)  # days before churn, in whole recorded days

    def check(df, expected, name):
        a = len(_window_counts(sim, df, *late))
        b = len(_window_counts(sim, df, *early))
        tol = 4 * np.sqrt(1 / a + 1 / b) + 0.1
        assert abs(np.log(a / b) - np.log(expected)) < tol, (name, a, b, expected)
        return a / b

    it = t.interactions
    act = it[it["kind"].isin(["login", "visit"])]
    svc = it[it["kind"] == "service_contact"]
    W = p["warning_window_days"]

    def ratio(floor):
        return _ramp_multiplier(floor, 30, 0, W) / _ramp_multiplier(floor, 90, 60, W)

    assert check(act, ratio(p["warning_activity_floor"]), "activity") < 0.6
    assert check(svc, ratio(p["warning_service_contact_floor"]), "service") < 0.8
    buy = t.transactions[~t.transactions["is_return"]]
    assert check(buy, ratio(p["warning_purchase_rate_floor"]), "purchases") < 0.7
    # complaint rate: usual rate plus (m - 1) * ramp from the warning process
    m = p["warning_complaint_multiplier"]
    comp = t.complaints[t.complaints["kind"] == "complaint"]
    expected = (1 + (m - 1) * (1 - 15 / W)) / (1 + (m - 1) * (1 - 75 / W))
    assert check(comp, expected, "complaints") > 1.3
    # purchase amount falls: mean amount ratio, se from the amounts' spread
    a = _window_counts(sim, buy, *late)["amount"]
    b = _window_counts(sim, buy, *early)["amount"]
    expected = ratio(p["warning_amount_floor"])
    se = np.sqrt(a.var() / len(a) / a.mean() ** 2 + b.var() / len(b) / b.mean() ** 2)
    assert abs(np.log(a.mean() / b.mean()) - np.log(expected)) < 4 * se + 0.05
    assert a.mean() < 0.85 * b.mean()


def test_negative_reviews_rise_before_churn(big):
    """Share of reviews rated <= 2 in the 90-day warning window against before it.

    Ratings fall by up to 1.5 stars over the window, raising the share from about
    12% to about 25%; with about 600 window reviews (30,000 customers) the standard
    error of the difference is about 0.02, and the check asks for 4 of them.
    """
    sim, p, t = big, big.params, big.tables
    W = p["warning_window_days"]
    rev = t.complaints[t.complaints["kind"] == "review"]
    in_win = _window_counts(sim, rev, W, 0)
    before = _window_counts(sim, rev, 10_000, W)
    neg = p["negative_review_max_rating"]
    share_in = (in_win["rating"] <= neg).mean()
    share_before = (before["rating"] <= neg).mean()
    se = np.sqrt(
        share_in * (1 - share_in) / len(in_win) + share_before * (1 - share_before) / len(before)
    )
    assert share_in - share_before > 4 * se


def test_purchases_peak_in_december(sim):
    """Purchases per alive customer-day: December against June (season ratio about 1.7)."""
    buy = sim.tables.transactions[~sim.tables.transactions["is_return"]]
    acq = sim.tables.customers["acquisition_date"].to_numpy()
    churn = sim.truth["churn_time"].fillna(pd.Timestamp("2200-01-01")).to_numpy()

    def rate(first, last):
        f, la = np.datetime64(first), np.datetime64(last)
        days = np.clip(
            (np.minimum(churn, la) - np.maximum(acq, f)) / np.timedelta64(1, "D"), 0, None
        ).sum()
        n = buy["timestamp"].between(first, last).sum()
        return n / days

    assert rate("2024-12-01", "2024-12-31") > 1.3 * rate("2024-06-01", "2024-06-30")


def test_surveys_measure_the_latent_satisfaction(sim):
    sv = sim.tables.surveys
    sat = sv["customer_id"].map(sim.truth.set_index("customer_id")["satisfaction"])
    panel = sim.truth.set_index("customer_id")["survey_panel"]
    assert panel.loc[sv["customer_id"].unique()].all()
    assert 0.2 < panel.mean() < 0.4
    nps = sv["nps"].astype(float)
    csat = sv["csat"].astype(float)
    # corr of round(7 + 1.8 sat + N(0, 1.2)) with sat is about 0.8 (0.83 before clipping)
    assert np.corrcoef(nps[nps.notna()], sat[nps.notna()])[0, 1] > 0.7
    assert np.corrcoef(csat[csat.notna()], sat[csat.notna()])[0, 1] > 0.7
    assert (sv["nps"].notna() | sv["csat"].notna()).all()


def test_credit_risk_drives_late_payment_and_default(sim):
    rc = sim.tables.receivables
    risk = rc["customer_id"].map(sim.truth.set_index("customer_id")["credit_risk"])
    end = sim.tables.observation_end
    settled = rc[rc["due_date"] + pd.Timedelta(days=120) <= end]
    r = risk.loc[settled.index]
    unpaid = settled["paid_date"].isna()
    late = settled["paid_date"] > settled["due_date"]
    hi, lo = r > r.quantile(0.75), r < r.quantile(0.25)
    assert unpaid[hi].mean() > 2 * unpaid[lo].mean()
    assert late[hi].mean() > late[lo].mean() + 0.1
    tr = sim.truth
    assert tr.loc[tr["defaulted"], "credit_risk"].mean() > 0.5
    assert tr["defaulted"].mean() < 0.1


def test_win_back_randomised_offer_effects_are_recovered(big):
    """Response-rate difference offer - control against the true average effect.

    Assignment is random, so the difference in response rates estimates the mean of
    p_offer - p_control over the contacted customers; tolerance 4 binomial standard
    errors (about 3,500 customers per arm, se about 0.01).
    """
    camp, oe = big.tables.campaigns, big.offer_effects
    assert camp["randomised"].all() and (camp["kind"] == "winback").all()
    assert camp["customer_id"].is_unique
    assert (oe["offer"] == camp["offer"]).all()
    shares = camp["offer"].value_counts(normalize=True)
    n = len(camp)
    for offer in OFFERS:  # balanced assignment, 0.25 each
        assert abs(shares[offer] - 0.25) < 4 * np.sqrt(0.25 * 0.75 / n)
    rate = camp.groupby("offer")["responded"].mean()
    size = camp["offer"].value_counts()
    for offer in OFFERS[1:]:
        true = (oe[f"p_{offer}"] - oe["p_control"]).mean()
        se = np.sqrt(
            rate[offer] * (1 - rate[offer]) / size[offer]
            + rate["control"] * (1 - rate["control"]) / size["control"]
        )
        assert abs(rate[offer] - rate["control"] - true) < 4 * se, offer
        assert true > 0.01
    # heterogeneity: price complainers gain more from the big discount (true effect)
    eff = oe["p_discount_25"] - oe["p_control"]
    price = oe["last_complaint_reason"] == "price"
    assert eff[price].mean() > eff[~price].mean() + 0.1
    # responders get a reactivation purchase on the response date
    r = camp[camp["responded"]]
    tx = big.tables.transactions
    keys = set(zip(tx["customer_id"], tx["timestamp"], strict=True))
    assert all(k in keys for k in zip(r["customer_id"], r["response_date"], strict=True))
    assert (camp["response_date"].notna() == camp["responded"]).all()
    gap = (r["response_date"] - r["timestamp"]).dt.days
    assert gap.between(1, 14).all()


def test_win_back_contacts_lapsed_customers_only(sim):
    camp = sim.tables.campaigns
    tx = sim.tables.transactions
    buy = tx[~tx["is_return"]]
    lapse = pd.Timedelta(days=sim.params["lapse_days"])
    m = camp[["customer_id", "timestamp"]].merge(
        buy[["customer_id", "timestamp"]], on="customer_id", suffixes=("", "_buy")
    )
    last = m[m["timestamp_buy"] < m["timestamp"]].groupby("customer_id")["timestamp_buy"].max()
    when = camp.set_index("customer_id")["timestamp"]
    assert (when.loc[last.index] - last >= lapse).all()
    assert len(last) == len(camp)
    assert (camp["timestamp"].dt.day == 1).all()
    # and every customer lapsed on a campaign day, not contacted before, is contacted
    for day in (
        camp["timestamp"].drop_duplicates().iloc[[0, len(camp["timestamp"].unique()) // 2, -1]]
    ):
        before = buy[buy["timestamp"] < day].groupby("customer_id")["timestamp"].max()
        earlier = set(camp.loc[camp["timestamp"] < day, "customer_id"])
        due = {c for c, t in before.items() if day - t >= lapse and c not in earlier}
        assert due == set(camp.loc[camp["timestamp"] == day, "customer_id"])


def _check_invariants(s: SimulatedData) -> None:
    t, end = s.tables, s.tables.observation_end
    acq = t.customers.set_index("customer_id")["acquisition_date"]
    for name, df in t.tables().items():
        spec = TABLES[name]
        assert list(df.columns) == list(spec.names)
        assert [str(d) for d in df.dtypes] == [_expected_dtype(c) for c in spec.columns]
        for col in spec.time_columns:
            assert (df[col].dropna() <= end).all(), (name, col)
        if name != "customers":
            first = df[spec.time_columns[0]]
            assert (first >= df["customer_id"].map(acq)).all(), name
    tx = t.transactions
    assert (tx["amount"] < 0).eq(tx["is_return"]).all()
    buy = tx[~tx["is_return"]]
    churn_day = _churn_days(s)
    day = _days(buy["timestamp"], s.params["start"])
    after = buy[day > np.floor(buy["customer_id"].map(churn_day).to_numpy())]
    reac = set()
    if t.campaigns is not None:
        camp = t.campaigns[t.campaigns["responded"]]
        reac = set(zip(camp["customer_id"], camp["response_date"], strict=True))
    assert all(k in reac for k in zip(after["customer_id"], after["timestamp"], strict=True))
    assert len(s.truth) == len(t.customers) == s.params["n_customers"]
    # every table that is there has rows and passes validation, links included
    assert t.customers is not None and t.transactions is not None
    assert all(len(df) for df in t.tables().values())
    validate_tables(t)
    _check_lifecycle(s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    start=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)),
    length=st.integers(1, 1200),
)
def test_invariants_hold_for_any_size_seed_and_period(n, seed, start, length):
    end = start + dt.timedelta(days=length)
    _check_invariants(simulate(n, str(start), str(end), seed=seed))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_small_companies_pass_validation(seed):
    """n = 1 to 50: tables without rows are absent, the others validate."""
    for n in range(1, 51):
        _check_invariants(simulate(n, seed=seed * 1000 + n))
    # a very short period, and a pure subscription company
    _check_invariants(simulate(30, "2024-12-01", "2024-12-03", seed=seed))
    _check_invariants(
        simulate(40, seed=seed, contract_share=1.0, contract_start_at_acquisition=1.0)
    )


# --------------------------------------------------------------------------- bundled demo


def _load_script():
    path = PROJECT_ROOT / "scripts" / "make_demo_data.py"
    spec = importlib.util.spec_from_file_location("make_demo_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo_sim() -> SimulatedData:
    return simulate(DEMO_N_CUSTOMERS, DEMO_START, DEMO_END, seed=DEMO_SEED)


def test_load_demo_is_the_simulated_demo_company(demo_sim):
    demo = load_demo()
    assert demo.observation_end == demo_sim.tables.observation_end
    assert demo.source == f"segkit demo company (data/demo, seed {DEMO_SEED})"
    for name, df in demo_sim.tables.tables().items():
        pd.testing.assert_frame_equal(demo.tables()[name], df, check_exact=True)
    # the truth files hold 6 significant digits
    pd.testing.assert_frame_equal(load_demo_truth(), demo_sim.truth, rtol=1e-5)
    pd.testing.assert_frame_equal(
        load_demo_truth("offer_effects"), demo_sim.offer_effects, rtol=1e-5
    )
    pd.testing.assert_frame_equal(load_demo_truth("complaints"), demo_sim.complaint_truth)
    pd.testing.assert_frame_equal(load_demo_truth("exits"), demo_sim.exit_truth)
    pd.testing.assert_frame_equal(load_demo_truth("lifecycle"), demo_sim.lifecycle)
    # amounts of the truth are written to the cent, exactly
    for col in ("revenue", "cogs", "cost_to_serve", "margin", "acquisition_cost"):
        np.testing.assert_array_equal(load_demo_truth()[col], demo_sim.truth[col])
    assert load_demo_params() == demo_sim.params
    with pytest.raises(ParameterError, match="part must be one of"):
        load_demo_truth("nope")


def test_committed_demo_files_are_what_the_script_writes(tmp_path, monkeypatch):
    committed = load_demo()
    parts = ("customers", "offer_effects", "complaints", "exits", "lifecycle")
    committed_truth = {part: load_demo_truth(part) for part in parts}
    files = _load_script().write_demo(tmp_path / "demo")
    assert sorted(f.name for f in files) == sorted(
        f.name for f in (data_dir() / "demo").iterdir() if f.suffix in (".csv", ".json")
    )
    monkeypatch.setenv("SEGKIT_DATA_DIR", str(tmp_path))
    fresh = load_demo()
    for name, df in committed.tables().items():
        pd.testing.assert_frame_equal(fresh.tables()[name], df, check_exact=True)
    for part in parts:
        pd.testing.assert_frame_equal(
            load_demo_truth(part), committed_truth[part], check_exact=True
        )
    assert load_demo_params() == json.loads(
        (PROJECT_ROOT / "data" / "demo" / "params.json").read_text()
    )


def test_demo_folder_is_small():
    folder = data_dir() / "demo"
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size < 4_000_000
    assert (folder / "README.md").exists()
