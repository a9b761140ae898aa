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


# --------------------------------------------------------------------------- extended data model


def _customer_index(s: SimulatedData) -> pd.Series:
    return pd.Series(np.arange(len(s.truth)), index=s.truth["customer_id"].to_numpy())


def _check_lifecycle(s: SimulatedData) -> None:
    """The stages of every customer partition the days from acquisition on, in order."""
    lc, tr = s.lifecycle, s.truth.set_index("customer_id")
    acq = s.tables.customers.set_index("customer_id")["acquisition_date"]
    assert lc["customer_id"].nunique() == len(tr)  # every customer has a stage
    assert set(lc["stage"]) <= set(LIFECYCLE_STAGES)
    g = lc.groupby("customer_id", sort=False)
    first = g.head(1).set_index("customer_id")
    assert (first["start"] == acq.loc[first.index]).all()
    nxt = g["start"].shift(-1)
    has_next = nxt.notna()
    assert (lc.loc[has_next, "end"] == nxt[has_next]).all()
    assert lc.loc[~has_next, "end"].isna().all()  # the stage in progress at the end
    assert (lc.loc[has_next, "end"] > lc.loc[has_next, "start"]).all()  # no empty stage
    order = lc["stage"].map({k: i for i, k in enumerate(LIFECYCLE_STAGES)})
    assert (order.groupby(lc["customer_id"], sort=False).diff().dropna() > 0).all()
    assert (lc["start"] <= s.tables.observation_end).all()
    last = g.tail(1).set_index("customer_id")["stage"]
    assert (tr.loc[last.index, "lifecycle_stage_at_end"] == last).all()


# hashes of the columns the seven tables and the truth had before the data model was
# extended: the demo files as committed then (written by scripts/make_demo_data.py)
_OLD_COLUMNS: dict[str, tuple[str, str]] = {
    "customers": (
        "customer_id,acquisition_date,region,channel,name,phone,email",
        "412c381ddec4c2cc965076b4ad0eb6aa59a5b2777e15597ab36dcebf252f840e",
    ),
    "transactions": (
        "transaction_id,customer_id,timestamp,amount,quantity,is_return",
        "a68fb832a583afcf98b06193a9577469e3bc794148165df8b7fe9665ab2a85b1",
    ),
    "interactions": (
        "customer_id,timestamp,kind",
        "1ea68298dd582f2712a77b0e7f3f2b5512b8e6c4c547b7c083a6503fdde53414",
    ),
    "complaints": (
        "customer_id,timestamp,kind,reason,rating",
        "dedfb3be36340344951712cfe8db30d2adc7c4f4d8cbc636e5445110e6d20631",
    ),
    "surveys": (
        "customer_id,timestamp,nps,csat",
        "84bda0780c50e37cdefbb7998404c680663ee8925687f4468f42369680d3df87",
    ),
    "receivables": (
        "invoice_id,customer_id,issue_date,due_date,paid_date,amount",
        "bbe123e65a3ebdc955a09df8d5208313153b3d8933e6716e93ede19b66a23bc4",
    ),
    "campaigns": (
        "customer_id,campaign,timestamp,kind,offer,randomised,responded,response_date",
        "5d1445f1e7ef052ed14ee2514887417b983bd773879f2468f6c4815f8e7581c6",
    ),
}
_OLD_TRUTH: dict[str, tuple[str, str]] = {
    "customers": (
        "customer_id,lam,purchase_rate,mu,hazard_base,hazard_at_end,nu,expected_spend,"
        "satisfaction,complaint_rate,engagement,interaction_rate,survey_panel,credit_risk,"
        "default_prob,defaulted,default_date,churn_time,lifetime_days,churned,"
        "n_hazard_complaints,winback_contacted,winback_offer,reactivated",
        "0896b6a353a51cadf796fb84240f9cd12d4b5f3dc6eb6154f3343660fed483b9",
    ),
    "offer_effects": (
        "customer_id,campaign,offer,tier,last_complaint_reason,alive,p_control,"
        "p_discount_10,p_discount_25,p_service_call,p_assigned,responded",
        "1abfd56ac36bb6c40763e6aa39c1a4a250e074b945eb85fb4f9335baa61ed293",
    ),
    "complaints": (
        "source,drives_hazard",
        "c9afdb60daeb654a90909f9cdeb98bde6a63bfe0a634b116000fc82d67f0af05",
    ),
}


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_existing_columns_are_unchanged(demo_sim, tmp_path):
    """The new parts draw from appended streams: the old columns are byte-identical."""
    script = _load_script()
    for name, (header, digest) in _OLD_COLUMNS.items():
        df = demo_sim.tables.tables()[name][header.split(",")]
        floats = df.select_dtypes("float").columns
        df = df.assign(**{c: df[c].round(2) for c in floats})
        dates = {c: "%Y-%m-%d" for c in df.select_dtypes("datetime").columns}
        path = tmp_path / f"{name}.csv"
        script._write_csv(df, path, dates)
        assert _sha256(path) == digest, name
        # and the committed file holds them, with the new columns after them
        lines = (data_dir() / "demo" / f"{name}.csv").read_text().splitlines()
        k = len(header.split(","))
        old = "".join(",".join(line.split(",")[:k]) + "\n" for line in lines)
        assert hashlib.sha256(old.encode()).hexdigest() == digest, name
    truths = {
        "customers": demo_sim.truth,
        "offer_effects": demo_sim.offer_effects,
        "complaints": demo_sim.complaint_truth,
    }
    for part, (header, digest) in _OLD_TRUTH.items():
        cols = header.split(",")
        dates = {c: f for c, f in script.TRUTH_DATES[part].items() if c in cols}
        path = tmp_path / f"truth_{part}.csv"
        script._write_csv(truths[part][cols], path, dates, script.TRUTH_FLOAT_FORMAT)
        assert _sha256(path) == digest, part


def test_new_parameters_leave_the_old_tables_alone():
    """Sensitive attributes and the new parts come from their own streams."""
    base = simulate(1500, seed=5)
    other = simulate(
        1500,
        seed=5,
        gender_probs={"female": 0.2, "male": 0.7, "other": 0.1},
        contract_share=1.0,
        account_closed_prob=0.9,
        cogs_rate_mean=0.3,
        partial_payment_prob=0.9,
        credit_limit_base=1000.0,
    )
    assert not other.tables.customers["gender"].equals(base.tables.customers["gender"])
    for name in ("interactions", "complaints", "surveys"):
        pd.testing.assert_frame_equal(other.tables.tables()[name], base.tables.tables()[name])
    old = ["transaction_id", "customer_id", "timestamp", "amount", "quantity", "is_return"]
    pd.testing.assert_frame_equal(other.tables.transactions[old], base.tables.transactions[old])
    cols = ["customer_id", "lam", "mu", "nu", "churn_time", "reactivated"]
    pd.testing.assert_frame_equal(other.truth[cols], base.truth[cols])
    # by default the sensitive attributes have no effect at all
    assert (base.truth["sensitive_hazard_multiplier"] == 1).all()
    assert (base.truth["sensitive_rate_multiplier"] == 1).all()
    shares = base.tables.customers["gender"].value_counts(normalize=True)
    assert abs(shares["female"] - 0.49) < 4 * np.sqrt(0.25 / 1500)
    assert set(base.tables.customers["age_band"]) == set(DEFAULT_PARAMS["age_band_probs"])


def _gender_cox(s: SimulatedData):
    iv = _cox_intervals(s)
    gender = s.tables.customers["gender"].to_numpy()[iv["id"].to_numpy()]
    iv["male"] = (gender == "male").astype(int)
    iv["other_gender"] = (gender == "other").astype(int)
    fit = _fit_cox(iv)
    return fit.params_, fit.standard_errors_


@pytest.mark.parametrize("seed", [21, 22])
def test_sensitive_hazard_effect_is_recovered_and_absent_by_default(seed):
    """Cox on the full true hazard plus gender: log 1.5 when set, 0 by default.

    About 1,500 churn events out of 5,000 customers: se of the male coefficient about
    0.06; the check asks for 4 of them.
    """
    hr = 1.5
    s = simulate(5000, seed=seed, sensitive_hazard_ratio={"gender": {"male": hr}})
    male = (s.tables.customers["gender"] == "male").to_numpy()
    assert (s.truth.loc[male, "sensitive_hazard_multiplier"] == hr).all()
    assert (s.truth.loc[~male, "sensitive_hazard_multiplier"] == 1).all()
    est, se = _gender_cox(s)
    assert abs(est["male"] - np.log(hr)) < 4 * se["male"], (est["male"], se["male"])
    est, se = _gender_cox(simulate(5000, seed=seed))
    assert abs(est["male"]) < 4 * se["male"], (est["male"], se["male"])


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_sensitive_purchase_rate_effect_is_recovered(seed):
    """Repeat purchases per alive day, 65+ against the others: the set ratio 0.5.

    The age band is independent of the other latents, so the ratio of the group
    rates estimates the rate ratio; the tolerance is 4 standard errors of the log
    ratio from the per-customer counts (heterogeneous rates: about 0.07).
    """
    ratio = 0.5
    s = simulate(8000, seed=seed, sensitive_rate_ratio={"age_band": {"65+": ratio}})
    tx = s.tables.transactions
    start, n_days = s.params["start"], s.params["derived"]["n_days"]
    acq = _days(s.tables.customers["acquisition_date"], start)
    stop = np.minimum(_days(s.truth["churn_time"], start), n_days)
    camp = s.tables.campaigns
    reac = set(zip(camp["customer_id"], camp["response_date"], strict=True))
    buy = tx[~tx["is_return"]]
    buy = buy[
        ~np.array([k in reac for k in zip(buy["customer_id"], buy["timestamp"], strict=True)])
    ]
    count = buy["customer_id"].value_counts().reindex(s.truth["customer_id"]).to_numpy() - 1
    exposure = stop - acq
    old = (s.tables.customers["age_band"] == "65+").to_numpy()

    def log_rate(m):
        return np.log(count[m].sum() / exposure[m].sum())

    def var(m):  # ratio estimator: var of sum(count - rate * exposure) / sum(count)^2
        r = count[m].sum() / exposure[m].sum()
        return ((count[m] - r * exposure[m]) ** 2).sum() / count[m].sum() ** 2

    est = log_rate(old) - log_rate(~old)
    se = np.sqrt(var(old) + var(~old))
    assert abs(est - np.log(ratio)) < 4 * se, (est, se)
    assert se < 0.12


def test_contracts_end_at_the_churn_date(sim):
    ct, tr = sim.tables.contracts, sim.truth.set_index("customer_id")
    acq = sim.tables.customers.set_index("customer_id")["acquisition_date"]
    assert ct["contract_id"].is_unique and ct["customer_id"].is_unique  # one per member
    assert set(ct["customer_id"]) == set(tr.index[tr["member"]])
    assert (tr.loc[ct["customer_id"], "contract_id"].to_numpy() == ct["contract_id"]).all()
    assert (tr.loc[ct["customer_id"], "contract_plan"].to_numpy() == ct["plan"]).all()
    assert (ct["start_date"] >= ct["customer_id"].map(acq)).all()
    churn = ct["customer_id"].map(tr["churn_time"])
    churned = ct["customer_id"].map(tr["churned"])
    # broad churn: the contract ends on the churn date of members who churn
    assert (ct.loc[churned, "end_date"] == churn[churned].dt.normalize()).all()
    assert ct.loc[~churned, "end_date"].isna().all() and ct.loc[~churned, "end_reason"].isna().all()
    assert ct.loc[churned, "end_reason"].notna().all()
    assert (ct["start_date"] < churn.fillna(pd.Timestamp.max)).all()
    # about contract_share * P(sign before churn and end): a little below 0.3
    share = tr["member"].mean()
    assert 0.2 < share < DEFAULT_PARAMS["contract_share"] + 4 * np.sqrt(0.21 / len(tr))
    # recurring amount = monthly amount * months * (1 - period discount)
    p = sim.params
    months = {"W": 12 / 52, "M": 1, "Q": 3, "Y": 12}
    expected = [
        round(
            p["contract_monthly_amount"][pl] * months[b] * (1 - p["contract_period_discount"][b]), 2
        )
        for pl, b in zip(ct["plan"], ct["billing_period"], strict=True)
    ]
    np.testing.assert_allclose(ct["recurring_amount"], expected, atol=0.011)  # cents
    assert set(ct["plan"]) == set(PLANS) and set(ct["billing_period"]) == {"M", "Q", "Y"}
    # a pure subscription company: everyone is a member from acquisition on
    pure = simulate(300, seed=3, contract_share=1.0, contract_start_at_acquisition=1.0)
    c = pure.tables.contracts
    assert len(c) == 300 and pure.truth["member"].all()
    acq = pure.tables.customers.set_index("customer_id")["acquisition_date"]
    assert (c["start_date"] == c["customer_id"].map(acq)).all()


def test_exits_only_for_churners_and_reactivations_only_for_responders(sim):
    ex, tr = sim.tables.exits, sim.truth.set_index("customer_id")
    ends = ex[ex["kind"] != "reactivated"]
    assert ends["customer_id"].is_unique
    assert tr.loc[ends["customer_id"], "churned"].all()
    churn_date = ends["customer_id"].map(tr["churn_time"]).dt.normalize()
    assert (ends["timestamp"] == churn_date).all()
    assert ends["reason"].notna().all() and ends["source"].notna().all()
    # members end their contract; among the other churners 40% close their account
    ct = sim.tables.contracts.set_index("customer_id")
    ended = ends[ends["kind"] == "contract_ended"]
    assert (ended["contract_id"] == ended["customer_id"].map(ct["contract_id"])).all()
    assert (ended["reason"] == ended["customer_id"].map(ct["end_reason"])).all()
    churned_members = tr.index[tr["churned"] & tr["member"]]
    assert set(ended["customer_id"]) == set(churned_members)
    others = tr["churned"] & ~tr["member"]
    closed = ends.loc[ends["kind"] == "account_closed", "customer_id"]
    assert ends.loc[ends["kind"] == "account_closed", "contract_id"].isna().all()
    assert tr.loc[closed, "churned"].all() and not tr.loc[closed, "member"].any()
    q = DEFAULT_PARAMS["account_closed_prob"]
    assert abs(len(closed) / others.sum() - q) < 4 * np.sqrt(q * (1 - q) / others.sum())
    silent = tr.index[tr["churned"] & ~tr["exit_recorded"]]
    assert not set(silent) & set(ends["customer_id"])  # narrow churn: no row at all
    # reactivations: exactly the win-back responders, on the response date
    back = ex[ex["kind"] == "reactivated"]
    camp = sim.tables.campaigns[sim.tables.campaigns["responded"]]
    assert set(zip(back["customer_id"], back["timestamp"], strict=True)) == set(
        zip(camp["customer_id"], camp["response_date"], strict=True)
    )
    assert len(back) == len(camp) and back[["reason", "source", "contract_id"]].isna().all().all()
    assert set(tr.index[tr["reactivated"]]) == set(back["customer_id"])


def test_recorded_exit_reasons_match_the_truth_at_the_documented_rates(big):
    """Share of recorded reasons equal to the true one, by source: the accuracy.

    About 9,000 end rows in the big company, 2,700-3,600 per source: se <= 0.01.
    """
    ex, et, tr = big.tables.exits, big.exit_truth, big.truth
    ends = (ex["kind"] != "reactivated").to_numpy()
    assert et.loc[ends, "reason_correct"].notna().all()
    assert et.loc[~ends, "reason_correct"].isna().all()
    assert (et["reason_correct"][ends] == (ex["reason"] == et["true_reason"])[ends]).all()
    acc = DEFAULT_PARAMS["exit_reason_accuracy"]
    for source in EXIT_SOURCES:
        m = ends & (ex["source"] == source).to_numpy()
        rate = et.loc[m, "reason_correct"].astype(bool).mean()
        se = np.sqrt(acc[source] * (1 - acc[source]) / m.sum())
        assert abs(rate - acc[source]) < 4 * se, (source, rate)
    shares = ex.loc[ends, "source"].value_counts(normalize=True)
    for source, p in DEFAULT_PARAMS["exit_source_probs"].items():
        assert abs(shares[source] - p) < 4 * np.sqrt(p * (1 - p) / ends.sum())
    # the true reason: the last hazard-driving complaint's reason with probability
    # 0.7 (plus 0.3 times the chance of drawing it anyway), else exit_reason_probs
    comp = big.tables.complaints[big.complaint_truth["drives_hazard"].to_numpy()]
    last = comp.groupby("customer_id")["reason"].last()
    ch = tr[tr["churned"]].set_index("customer_id")
    assert ch["exit_reason"].notna().all() and tr.loc[~tr["churned"], "exit_reason"].isna().all()
    with_c = ch.loc[ch.index.intersection(last.index)]
    pr = DEFAULT_PARAMS["exit_reason_probs"]
    q = DEFAULT_PARAMS["exit_reason_complaint_prob"]
    expected = (q + (1 - q) * last.loc[with_c.index].map(pr)).mean()
    same = (with_c["exit_reason"] == last.loc[with_c.index]).mean()
    assert abs(same - expected) < 4 * np.sqrt(expected * (1 - expected) / len(with_c))
    without = ch.loc[ch.index.difference(last.index), "exit_reason"].value_counts(normalize=True)
    for reason in EXIT_REASONS:  # budget and complex_decision only come from here
        assert abs(without[reason] - pr[reason]) < 4 * np.sqrt(pr[reason] / len(ch)) + 0.01
    # what the truth says was recorded is what the table says
    rec = ex[ends].set_index("customer_id")
    assert (
        tr.set_index("customer_id").loc[rec.index, "exit_reason_recorded"] == rec["reason"]
    ).all()


def test_margin_and_inferior_customers_follow_from_the_tables(sim):
    t, tr = sim.tables, sim.truth.set_index("customer_id")
    tx, co = t.transactions, t.costs
    ids = tr.index
    revenue = tx.groupby("customer_id")["amount"].sum().reindex(ids, fill_value=0)
    cogs = tx.groupby("customer_id")["cost"].sum().reindex(ids, fill_value=0)
    serve = (
        co[co["kind"].isin(["service", "delivery", "bad_debt"])]
        .groupby("customer_id")["amount"]
        .sum()
        .reindex(ids, fill_value=0)
    )
    margin = revenue - cogs - serve
    np.testing.assert_allclose(revenue, tr["revenue"], atol=0.011)
    np.testing.assert_allclose(margin, tr["margin"], atol=0.011)
    np.testing.assert_allclose(serve, tr["cost_to_serve"], atol=0.011)
    inferior = margin.round(2) < 0
    assert (inferior == tr["inferior"]).mean() > 0.999
    assert abs(inferior.mean() - tr["inferior"].mean()) < 0.001
    assert 0.05 < tr["inferior"].mean() < 0.3
    # cost of goods: cogs_rate times the amount, 0 on return lines
    assert (tx.loc[tx["is_return"], "cost"] == 0).all() and (tx["cost"] >= 0).all()
    rate = tx["customer_id"].map(tr["cogs_rate"])
    buy = ~tx["is_return"] & (tx["cost"] > 0)
    ratio = tx.loc[buy, "cost"] / tx.loc[buy, "amount"] / rate[buy]
    assert (ratio.between(0.9, 1.4)).mean() > 0.99  # 1 up to cents (1/(1-d) if discounted)
    assert abs(tr["cogs_rate"].mean() - DEFAULT_PARAMS["cogs_rate_mean"]) < 0.01
    # one acquisition cost per customer on its acquisition date
    acq = co[co["kind"] == "acquisition"].set_index("customer_id")
    assert acq.index.is_unique and len(acq) == len(ids)
    np.testing.assert_allclose(acq.loc[ids, "amount"], tr["acquisition_cost"])
    cust = t.customers.set_index("customer_id")
    assert (acq["timestamp"] == cust.loc[acq.index, "acquisition_date"]).all()
    # no delivery for store customers; one delivery row per purchase otherwise
    deliv = co[co["kind"] == "delivery"]
    assert (deliv["customer_id"].map(cust["channel"]) != "store").all()
    n_buy = tx[~tx["is_return"]].groupby("customer_id").size()
    n_del = deliv.groupby("customer_id").size()
    assert (n_buy.loc[n_del.index] == n_del).all()
    # service costs: one per service contact
    svc = co[co["kind"] == "service"].groupby("customer_id").size()
    it = t.interactions
    contacts = it[it["kind"] == "service_contact"].groupby("customer_id").size()
    cost = (sim.params["service_contact_cost"] * tr["cost_to_serve_multiplier"]).round(2)
    contacts = contacts[contacts.index.map(cost) > 0]  # rows of amount 0 are not recorded
    assert svc.sort_index().equals(contacts.sort_index())
    # heterogeneous cost to serve makes customers inferior: top fifth against bottom
    q = tr["cost_to_serve_multiplier"].rank(pct=True)
    assert tr.loc[q > 0.8, "inferior"].mean() > 3 * tr.loc[q < 0.2, "inferior"].mean()
    # discounts: list price minus the amount of each discounted reactivation
    camp = t.campaigns
    won = camp[camp["responded"] & camp["offer"].str.startswith("discount")]
    disc = co[co["kind"] == "discount"]
    assert set(zip(disc["customer_id"], disc["timestamp"], strict=True)) <= set(
        zip(won["customer_id"], won["response_date"], strict=True)
    )
    assert len(disc) >= 0.95 * len(won)
    np.testing.assert_allclose(
        disc.groupby("customer_id")["amount"].sum().reindex(ids, fill_value=0),
        tr["discount_cost"],
        atol=0.011,
    )


def test_receivables_partial_payments_and_write_offs(sim):
    rc, tr = sim.tables.receivables, sim.truth.set_index("customer_id")
    end = sim.tables.observation_end
    p = sim.params
    assert ((rc["due_date"] - rc["issue_date"]).dt.days == rc["payment_terms"]).all()
    paid = rc["paid_date"].notna()
    assert (rc.loc[paid, "paid_amount"] == rc.loc[paid, "amount"]).all()
    assert (rc["paid_amount"] + rc["written_off"] <= rc["amount"] + 0.005).all()
    defaulted = rc["customer_id"].map(tr["default_date"]).le(rc["issue_date"])
    open_ = ~paid & (rc["issue_date"] < end)
    partial = open_ & (rc["paid_amount"] > 0)
    assert (rc.loc[partial, "paid_amount"] < rc.loc[partial, "amount"]).all()
    for m, q in [
        (open_ & ~defaulted, p["partial_payment_prob"]),
        (open_ & defaulted, p["default_partial_payment_prob"]),
    ]:
        rate = partial[m].mean()
        assert abs(rate - q) < 4 * np.sqrt(q * (1 - q) / m.sum()) + 0.02, (rate, q)
    share = rc.loc[partial, "paid_amount"] / rc.loc[partial, "amount"]
    lo, hi = p["partial_payment_share"]
    assert share.between(lo - 0.01, hi).all()
    # write-offs: only invoices of defaulted customers, write_off_days after the due date
    off = rc["written_off"] > 0
    assert defaulted[off].all() and (rc.loc[off, "paid_date"].isna()).all()
    w = p["write_off_days"]
    assert (rc.loc[off, "write_off_date"] == rc.loc[off, "due_date"] + pd.Timedelta(days=w)).all()
    np.testing.assert_allclose(
        rc.loc[off, "written_off"], rc.loc[off, "amount"] - rc.loc[off, "paid_amount"], atol=0.006
    )
    due_long = defaulted & (rc["due_date"] + pd.Timedelta(days=w) <= end)
    assert (off == due_long).all()
    assert rc.loc[~off, "write_off_date"].isna().all()
    # and every write-off is a bad-debt cost on its date
    bd = sim.tables.costs[sim.tables.costs["kind"] == "bad_debt"]
    a = bd.groupby(["customer_id", "timestamp"])["amount"].sum()
    b = rc[off].groupby(["customer_id", "write_off_date"])["written_off"].sum()
    np.testing.assert_allclose(a.sort_index().to_numpy(), b.sort_index().to_numpy())


def _window_lateness(rc: pd.DataFrame, cust: str, day: pd.Timestamp, days: int):
    """Late and on-time invoices of ``cust`` due in [day - days, day)."""
    r = rc[
        (rc["customer_id"] == cust)
        & (rc["due_date"] >= day - pd.Timedelta(days=days))
        & (rc["due_date"] < day)
    ]
    on_time = r["paid_date"].notna() & (r["paid_date"] <= r["due_date"])
    return int((~on_time).sum()), int(on_time.sum()), r["amount"].max()


@pytest.mark.parametrize("seed", [SEED, SEED + 7])
def test_credit_limits_react_to_payment_behaviour(seed):
    s = simulate(3000, seed=seed)
    cl, rc, p = s.tables.credit_limits, s.tables.receivables, s.params
    tr = s.truth.set_index("customer_id")
    # one first decision per invoiced customer, at the first invoice
    first = cl.groupby("customer_id").head(1).set_index("customer_id")
    first_issue = rc.groupby("customer_id")["issue_date"].min()
    assert set(first.index) == set(first_issue.index)
    assert (first["effective_date"] == first_issue.loc[first.index]).all()
    assert first["decision"].isin(["initial", "decline"]).all()
    assert (cl["decision"] == "initial").sum() == (first["decision"] == "initial").sum()
    declined = first.index[first["decision"] == "decline"]
    assert (cl.groupby("customer_id").size().loc[declined] == 1).all()  # nothing follows
    score = tr["credit_screen_score"]
    assert (score.loc[declined] < p["credit_decline_score"]).all()
    assert (tr.loc[declined, "credit_risk"].mean()) > 1.0
    init = first[first["decision"] == "initial"]
    assert np.corrcoef(init["limit"], tr.loc[init.index, "credit_risk"])[0, 1] < -0.5
    # reviews: decreases after late payments, increases after on-time streaks
    R = p["credit_review_days"]
    rev = cl[cl["decision"].isin(["increase", "decrease", "decline"])]
    rev = rev[rev.duplicated("customer_id", keep="first") | ~rev["customer_id"].isin(declined)]
    prev = cl.groupby("customer_id")["limit"].shift(1).loc[rev.index]
    for i, row in rev.iterrows():
        late, on_time, top = _window_lateness(rc, row["customer_id"], row["effective_date"], R)
        if row["decision"] == "decrease":
            assert late >= p["credit_decrease_late"] and row["limit"] < prev[i]
        else:
            assert late == 0 and on_time >= p["credit_increase_min_on_time"]
            assert top > p["credit_increase_utilisation"] * prev[i]
            assert (row["limit"] > prev[i]) == (row["decision"] == "increase")
    n_dec = cl[cl["decision"] == "decrease"].groupby("customer_id").size()
    n_inc = cl[cl["decision"] == "increase"].groupby("customer_id").size()
    assert len(n_dec) > 50 and len(n_inc) > 20
    # direction: the customers cut back are riskier, the customers raised safer
    assert tr.loc[n_dec.index, "credit_risk"].mean() > tr["credit_risk"].mean() + 0.3
    assert tr.loc[n_inc.index, "credit_risk"].mean() < tr["credit_risk"].mean() - 0.2
    # suspension: credit_suspend_days after the due date of the first defaulted invoice
    susp = cl[cl["decision"] == "suspend"].set_index("customer_id")
    assert (susp["limit"] == 0).all() and tr.loc[susp.index, "defaulted"].all()
    first_bad = rc.merge(tr["default_date"], left_on="customer_id", right_index=True)
    first_bad = first_bad[first_bad["issue_date"] == first_bad["default_date"]]
    due = first_bad.set_index("customer_id")["due_date"]
    assert (
        susp["effective_date"] == due.loc[susp.index] + pd.Timedelta(days=p["credit_suspend_days"])
    ).all()
    last = cl.groupby("customer_id").tail(1).set_index("customer_id")
    assert (last.loc[susp.index, "decision"] == "suspend").all()  # nothing after it


def test_offer_cost(sim):
    camp, tx = sim.tables.campaigns, sim.tables.transactions
    p = sim.params
    assert (camp.loc[camp["offer"] == "control", "offer_cost"] == 0).all()
    call = camp["offer"] == "service_call"
    assert (camp.loc[call, "offer_cost"] == p["offer_fixed_cost"]["service_call"]).all()
    buy = tx[~tx["is_return"]][["customer_id", "timestamp", "amount"]]
    m = camp.merge(buy, on="customer_id", suffixes=("", "_buy"))
    mean = m[m["timestamp_buy"] < m["timestamp"]].groupby("customer_id")["amount"].mean()
    for offer in ("discount_10", "discount_25"):
        c = camp[camp["offer"] == offer].set_index("customer_id")
        expected = p["winback_discount"][offer] * mean.loc[c.index]
        np.testing.assert_allclose(c["offer_cost"], expected, atol=0.006)


def test_lifecycle_stages_follow_the_latent_state(sim):
    _check_lifecycle(sim)
    lc, tr = sim.lifecycle, sim.truth.set_index("customer_id")
    p = sim.params
    churned = lc[lc["stage"] == "churned"].set_index("customer_id")
    assert set(churned.index) == set(tr.index[tr["churned"]])
    assert (churned["start"] == tr.loc[churned.index, "churn_time"].dt.normalize()).all()
    # decline: the warning window before the churn time (or from acquisition)
    dec = lc[lc["stage"] == "decline"].set_index("customer_id")
    churn = tr.loc[dec.index, "churn_time"]
    acq = sim.tables.customers.set_index("customer_id").loc[dec.index, "acquisition_date"]
    w = pd.Timedelta(days=p["warning_window_days"])
    expected = np.maximum(churn - w, acq).dt.normalize()
    assert ((dec["start"] - expected).abs() <= pd.Timedelta(days=1)).all()
    # exploration and growth: tenure thresholds
    acq = sim.tables.customers.set_index("customer_id")["acquisition_date"]
    gr = lc[lc["stage"] == "growth"].set_index("customer_id")
    d = (gr["start"] - acq.loc[gr.index]).dt.days
    assert d.between(p["lifecycle_exploration_days"] - 1, p["lifecycle_exploration_days"] + 1).all()
    ma = lc[lc["stage"] == "maturity"].set_index("customer_id")
    d = (ma["start"] - acq.loc[ma.index]).dt.days
    assert d.between(p["lifecycle_maturity_days"] - 1, p["lifecycle_maturity_days"] + 1).all()
    assert set(lc["stage"]) == set(LIFECYCLE_STAGES)
    # repeat purchases by stage: only reactivations once churned; fewer per day in
    # decline (purchase rate times 1 - 0.7 ramp: 0.65 of normal over the window)
    buy = sim.tables.transactions
    buy = buy[~buy["is_return"]]
    buy = buy[buy.duplicated("customer_id")]  # repeat purchases: not the acquisition one
    buy = buy.sort_values("timestamp", kind="stable")
    stage = pd.merge_asof(
        buy, lc.sort_values("start"), left_on="timestamp", right_on="start", by="customer_id"
    )
    camp = sim.tables.campaigns
    reac = set(zip(camp["customer_id"], camp["response_date"], strict=True))
    is_reac = np.array(
        [k in reac for k in zip(stage["customer_id"], stage["timestamp"], strict=True)]
    )
    # (the churn day itself holds purchases before the churn time)
    after = (stage["stage"] == "churned") & (stage["timestamp"] > stage["start"])
    assert after.any() and is_reac[after.to_numpy()].all()
    days = (
        lc["end"].fillna(sim.tables.observation_end + pd.Timedelta(days=1)) - lc["start"]
    ).dt.days
    per_stage = stage[~is_reac].groupby("stage").size() / days.groupby(lc["stage"]).sum()
    normal = stage[~is_reac & stage["stage"].isin(["growth", "maturity"]).to_numpy()]
    normal_rate = len(normal) / days[lc["stage"].isin(["growth", "maturity"])].sum()
    assert per_stage["decline"] < 0.8 * normal_rate


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
