"""Analyses of the lost-customer (战败客户) case studies.

- ``ecommerce_training``: loss-reason shares by quarter (:func:`~segkit.winback.loss_reasons`),
  the lost-customer database (:func:`~segkit.winback.lost_customers`), then the training's
  effect on service losses (Poisson rate ratio) and on win-back (difference in the
  180-day return rate), each by a plain before/after and by a difference in differences
  against the losses for other reasons (statsmodels, 95% intervals);
- ``restaurant_complaints``: Kaplan-Meier survival of complainers by branch group and
  period (:func:`segkit.churn.kaplan_meier`) and Cox models
  (:class:`segkit.churn.CoxModel`): treated against untreated branches after the
  rollout, before against after in the treated branches, and the difference in
  differences (branch strata, period and the process as the interaction);
- ``insurance_premiums``: :func:`~segkit.winback.offer_effects` on the randomised
  season (and its refusal of the agents' season), the agents' season's naive and
  regression-adjusted differences, the effect by exit reason and the value net of the
  premium given up per offer.

Each returns a :class:`~segkit.winback.cases.CaseFindings`; look them up through
:func:`segkit.winback.analyse_case`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..churn.models import CoxModel, kaplan_meier
from ..exceptions import SchemaError
from .cases import CaseFindings, estimate_row
from .cases import estimates_frame as _frame
from .lost import loss_reasons, lost_customers
from .uplift import offer_effects

__all__ = ["ANALYSES", "analyse_ecommerce_training", "analyse_insurance_premiums",
           "analyse_restaurant_complaints"]


_row = estimate_row


def _coef(fit, name: str, exp: bool = False):
    est = float(fit.params[name])
    lo, hi = (float(x) for x in fit.conf_int().loc[name])
    if exp:
        return np.exp(est), np.exp(lo), np.exp(hi)
    return est, lo, hi


def _pct(x) -> str:
    return f"{100 * x:.0f}%"


def _pts(x) -> str:
    return f"{100 * x:+.1f}"


# --------------------------------------------------------------------------- e-commerce

def _ecommerce_exits(case) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per exit of the window with its return, and the monthly panel."""
    p = case.params
    ex = case.data.exits
    ends = ex[ex["kind"] == "account_closed"]
    ends = ends[(ends["timestamp"] >= pd.Timestamp(p["start"]))
                & (ends["timestamp"] <= pd.Timestamp("2024-12-31"))]
    back = ex[ex["kind"] == "reactivated"].groupby("customer_id")["timestamp"].min()
    f = pd.DataFrame({"customer_id": ends["customer_id"].to_numpy(),
                      "churn_date": ends["timestamp"].to_numpy(),
                      "exit_reason": ends["reason"].astype(str).to_numpy()})
    bd = f["customer_id"].map(back)
    days = (bd - f["churn_date"]).dt.days
    f["returned"] = (days.notna() & (days >= 0) & (days <= p["winback_days"])).astype(int)
    f["service"] = (f["exit_reason"] == "service").astype(int)
    f["after"] = (f["churn_date"] >= pd.Timestamp(p["training_date"])).astype(int)
    f["month"] = f["churn_date"].dt.to_period("M")

    # customers at risk at the start of each month (a customer leaves at most once)
    months = pd.period_range(p["start"], periods=p["months"], freq="M")
    n = len(case.data.customers)
    left = f.groupby("month").size().reindex(months, fill_value=0)
    at_risk = n - np.r_[0, np.cumsum(left.to_numpy())[:-1]]
    cnt = f.groupby(["month", "service"]).size().unstack(fill_value=0) \
        .reindex(index=months, columns=[0, 1], fill_value=0)
    panel = pd.DataFrame({
        "month": np.repeat(months.astype(str), 2),
        "service": np.tile([1, 0], len(months)),
        "losses": np.column_stack([cnt[1].to_numpy(), cnt[0].to_numpy()]).ravel(),
        "at_risk": np.repeat(at_risk, 2),
    })
    panel["after"] = (np.repeat(months.start_time, 2) >= pd.Timestamp(p["training_date"])) \
        .astype(int)
    return f, panel


def analyse_ecommerce_training(case) -> CaseFindings:
    """Did the staff training cut service losses and win service-lost customers back?

    Parameters
    ----------
    case : CaseStudy
        ``segkit.datasets.case_study("ecommerce_training", ...)``.

    Returns
    -------
    CaseFindings
        Estimates: the service-loss rate ratio (Poisson, customers at risk each month as
        exposure) and the 180-day win-back difference of the service-lost, each by
        before/after (not identified: the competitor's launch of the same month) and by a
        difference in differences against the other reasons (identified under parallel
        trends). Tables: ``loss_reasons`` and ``reason_trend`` (quarterly shares),
        ``monthly_losses``, ``returns``, ``lost_database`` (the first 200 rows of the
        lost-customer database at 2024-12-31).

    Examples
    --------
    >>> from segkit.datasets._cases_lost import make_ecommerce_training
    >>> f = analyse_ecommerce_training(make_ecommerce_training(seed=0, n_customers=4_000))
    >>> f.estimates["method"].tolist()
    ['before/after', 'difference in differences', 'before/after', 'difference in differences']
    """
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    t = case.truth
    f, panel = _ecommerce_exits(case)
    pois = sm.families.Poisson()
    svc = panel[panel["service"] == 1]
    ba = smf.glm("losses ~ after", svc, family=pois, offset=np.log(svc["at_risk"])).fit()
    did = smf.glm("losses ~ C(month) + service + service:after", panel, family=pois,
                  offset=np.log(panel["at_risk"])).fit()
    fs = f[f["service"] == 1]
    ba_w = smf.ols("returned ~ after", fs).fit(cov_type="HC1")
    did_w = smf.ols("returned ~ service * after", f).fit(cov_type="HC1")
    q_rate = "service-loss rate ratio"
    q_back = "win-back difference (service-lost)"
    r_ba, r_did = _coef(ba, "after", exp=True), _coef(did, "service:after", exp=True)
    w_ba, w_did = _coef(ba_w, "after"), _coef(did_w, "service:after")
    est = _frame([
        _row(q_rate, "before/after", *r_ba, t["service_loss_rate_ratio"], False),
        _row(q_rate, "difference in differences", *r_did, t["service_loss_rate_ratio"], True),
        _row(q_back, "before/after", *w_ba, t["winback_difference"], False),
        _row(q_back, "difference in differences", *w_did, t["winback_difference"], True),
    ])
    other = _coef(smf.glm("losses ~ after", panel[panel["service"] == 0], family=pois,
                          offset=np.log(panel.loc[panel["service"] == 0, "at_risk"])).fit(),
                  "after", exp=True)

    reasons = loss_reasons(f.rename(columns={"exit_reason": "reason_"}), by=(), freq="Q",
                           reason_col="reason_")
    lost = lost_customers(case.data, "broad", observation_end="2024-12-31")
    database = lost[["churn_date", "former_tier", "exit_reason", "reason_source", "complaints",
                     "revenue", "value_lost_revenue", "came_back", "came_back_date"]]
    returns = f.groupby(["after", "exit_reason"])["returned"].agg(["size", "mean"]) \
        .rename(columns={"size": "lost", "mean": "returned_180d"}).reset_index()
    returns["period"] = np.where(returns.pop("after") == 1, "after training", "before training")

    ci = lambda r: f"{r[1]:.2f}-{r[2]:.2f}"  # noqa: E731
    cp = lambda r, to=" to ": f"{100 * r[1]:+.1f}{to}{100 * r[2]:+.1f}"  # noqa: E731
    supports = {
        "en": [
            f"Training cut the service-loss rate to {r_did[0]:.2f} times its level "
            f"(95% CI {ci(r_did)}), by a difference in differences against the losses for "
            f"other reasons, which rose {other[0]:.2f}-fold over the same months.",
            f"Customers lost to service came back within 180 days {_pts(w_did[0])} points more "
            f"often after the training, relative to the other lost customers (95% CI "
            f"{cp(w_did)} points).",
        ],
        "zh": [
            f"以其他原因流失为对照的双重差分显示，培训使服务原因流失率降为原来的{r_did[0]:.2f}倍"
            f"（95%置信区间{ci(r_did)}）；同期其他原因流失率上升为{other[0]:.2f}倍。",
            f"相对于其他流失客户，培训后因服务流失的客户180天内回流率提高{_pts(w_did[0])}个百分点"
            f"（95%置信区间{cp(w_did, '至')}个百分点）。",
        ],
    }
    does_not = {
        "en": [
            f"A plain before/after comparison (rate ratio {r_ba[0]:.2f}, 95% CI {ci(r_ba)}; "
            f"win-back {_pts(w_ba[0])} points) mixes the training with the market-wide change "
            f"of the same month (a competitor's launch): it understates the effect.",
            "The difference in differences assumes that service losses would have followed the "
            "other reasons' trend without the training; a change that hit service losses alone "
            "in January 2024 would be attributed to the training.",
            "The data cannot say which part of the training (response time or attitude) "
            "worked, nor whether the effect lasts beyond 2024.",
        ],
        "zh": [
            f"简单的前后对比（流失率比{r_ba[0]:.2f}，95%置信区间{ci(r_ba)}；回流率{_pts(w_ba[0])}"
            f"个百分点）把培训与同月的全市场变化（竞争对手上线）混在一起，低估了培训效果。",
            "双重差分假设若无培训，服务原因流失会与其他原因流失趋势相同；若2024年1月有只影响服务流失"
            "的其他变化，也会被算作培训效果。",
            "数据无法说明培训的哪一部分（响应速度还是服务态度）起了作用，也无法说明效果能否持续到2024年之后。",
        ],
    }
    return CaseFindings(
        name=case.name, estimates=est, supports=supports, does_not_support=does_not,
        tables={"loss_reasons": reasons.table, "reason_trend": reasons.trend,
                "monthly_losses": panel, "returns": returns,
                "lost_database": database.head(200)})


# --------------------------------------------------------------------------- restaurant

def _complainers(case) -> pd.DataFrame:
    d = case.data
    end = d.observation_end
    first = d.complaints[d.complaints["kind"] == "complaint"].groupby("customer_id")[
        "timestamp"].min()
    ex = d.exits[d.exits["kind"] == "account_closed"].groupby("customer_id")["timestamp"].min()
    branch = d.customers.set_index("customer_id")["region"].astype(str)
    f = pd.DataFrame({"customer_id": first.index, "complaint_date": first.to_numpy()})
    f["branch"] = f["customer_id"].map(branch).to_numpy()
    exit_date = f["customer_id"].map(ex)
    f["event"] = exit_date.notna().astype(int).to_numpy()
    stop = exit_date.fillna(end)
    f["duration"] = (stop - f["complaint_date"]).dt.days.clip(lower=0.5).astype(float)
    ro = case.extra["rollout"].set_index("branch")["process_start"]
    start = f["branch"].map(ro)
    f["treated_branch"] = start.notna().astype(int)
    f["after"] = (f["complaint_date"] >= pd.Timestamp(case.params["rollout_date"])).astype(int)
    f["process"] = (start.notna() & (f["complaint_date"] >= start)).astype(int)
    f["group"] = np.where(f["treated_branch"] == 1, "chosen branches", "other branches")
    f["group"] = f["group"] + np.where(f["after"] == 1, ", 2024", ", 2023")
    return f


def analyse_restaurant_complaints(case) -> CaseFindings:
    """Did the complaint-handling process reduce losses among complainers?

    Parameters
    ----------
    case : CaseStudy
        ``segkit.datasets.case_study("restaurant_complaints", ...)``.

    Returns
    -------
    CaseFindings
        Estimates: the hazard ratio of the process from complainers' survival after their
        first complaint, by chosen against other branches in 2024 and by before/after in
        the chosen branches (neither identified), and by a difference in differences (Cox
        model with branch strata, the period and the process). Tables: ``survival``
        (Kaplan-Meier at 90 and 180 days by branch group and year) and ``by_branch``.

    Examples
    --------
    >>> from segkit.datasets._cases_lost import make_restaurant_complaints
    >>> f = analyse_restaurant_complaints(make_restaurant_complaints(seed=0, n_customers=3_000))
    >>> f.estimates["identified"].tolist()
    [False, False, True]
    """
    truth = case.truth["process_hazard_ratio"]
    f = _complainers(case)
    q = "hazard ratio of the process"

    def hr(df, cols, name, strata=None):
        m = CoxModel(strata=strata).fit(df[["duration", "event", *cols, *(strata or [])]],
                                        covariate_cols=cols)
        r = m.hazard_ratios_.loc[name]
        return float(r["hazard_ratio"]), float(r["lower"]), float(r["upper"])

    cross = hr(f[f["after"] == 1], ["treated_branch"], "treated_branch")
    ba = hr(f[f["treated_branch"] == 1], ["after"], "after")
    did = hr(f, ["after", "process"], "process", strata=["branch"])
    b23 = f[f["after"] == 0].groupby("treated_branch")[["event", "duration"]].sum()
    pre = float((b23.loc[1, "event"] / b23.loc[1, "duration"])
                / (b23.loc[0, "event"] / b23.loc[0, "duration"]))
    est = _frame([
        _row(q, "naive difference", *cross, truth, False),
        _row(q, "before/after", *ba, truth, False),
        _row(q, "difference in differences", *did, truth, True),
    ])
    km = kaplan_meier(f, "group")
    surv = km.survival_at([90, 180]).rename(columns=lambda c: f"survival_{int(c)}d")
    surv.index.name = "group"
    surv = surv.reset_index()
    surv.insert(1, "complainers", f.groupby("group").size().reindex(surv["group"]).to_numpy())
    by_branch = f.groupby(["branch", "after"]).agg(complainers=("event", "size"),
                                                  lost=("event", "sum")).reset_index()
    by_branch["chosen"] = by_branch["branch"].isin(case.params["treated_branches"])

    ci = lambda r: f"{r[1]:.2f}-{r[2]:.2f}"  # noqa: E731
    supports = {
        "en": [
            f"Where the process handled the complaint, complainers left at {did[0]:.2f} times "
            f"the rate they would have (95% CI {ci(did)}), by a difference in differences "
            f"(Cox model with branch strata, period and their interaction).",
        ],
        "zh": [
            f"双重差分（按门店分层的Cox模型，含时期及交互项）显示，由新流程处理投诉的客户流失风险为"
            f"原来的{did[0]:.2f}倍（95%置信区间{ci(did)}）。",
        ],
    }
    does_not = {
        "en": [
            f"Comparing chosen with other branches in 2024 (hazard ratio {cross[0]:.2f}, 95% CI "
            f"{ci(cross)}) is confounded by branch: management chose the branches that were "
            f"losing the most complainers (already {pre:.2f} times the rate in 2023).",
            f"Before/after in the chosen branches (hazard ratio {ba[0]:.2f}, 95% CI {ci(ba)}) "
            f"mixes the process with the chain-wide change of 2024 (the price rise): it "
            f"understates the effect.",
            "The difference in differences assumes the chosen branches would have followed the "
            "other branches' trend; the effect is that in the chosen branches and need not "
            "carry over to the others, and the data cannot separate the apology from the "
            "compensation.",
        ],
        "zh": [
            f"2024年被选门店与其他门店的直接对比（风险比{cross[0]:.2f}，95%置信区间{ci(cross)}）"
            f"受门店混杂影响：管理层选择的是投诉客户流失最多的门店（2023年已是其他门店的{pre:.2f}倍）。",
            f"被选门店的前后对比（风险比{ba[0]:.2f}，95%置信区间{ci(ba)}）把新流程与2024年全连锁的"
            f"变化（涨价）混在一起，低估了效果。",
            "双重差分假设被选门店若无新流程会与其他门店趋势相同；估计的是被选门店中的效果，不一定适用于其他门店，"
            "数据也无法区分道歉与补偿各自的作用。",
        ],
    }
    return CaseFindings(name=case.name, estimates=est, supports=supports,
                        does_not_support=does_not,
                        tables={"survival": surv, "by_branch": by_branch})


# --------------------------------------------------------------------------- insurance

def _lapsed(case) -> pd.DataFrame:
    d = case.data
    c = d.campaigns
    k = d.contracts
    lapsed = k[k["end_date"].notna()].drop_duplicates("customer_id")
    acq = d.customers.set_index("customer_id")["acquisition_date"]
    f = c[["customer_id", "campaign", "offer", "randomised", "responded"]].merge(
        lapsed[["customer_id", "end_date", "end_reason", "recurring_amount"]], on="customer_id",
        how="left")
    f["offered"] = (f["offer"] != "control").astype(int)
    f["responded"] = f["responded"].astype(int)
    f["price"] = (f["end_reason"].astype(str) == "price").astype(int)
    f["reason_group"] = np.where(f["price"] == 1, "price", "other")
    tenure = (f["end_date"] - f["customer_id"].map(acq)).dt.days / 365.25
    f["long_tenure"] = (tenure >= case.params["long_tenure_years"]).astype(int)
    f["annual_premium"] = 12 * f["recurring_amount"]
    m, dsc = case.params["margin"], case.params["discount"]
    f["profit"] = f["responded"] * f["annual_premium"] * (m - dsc * f["offered"])
    return f.drop(columns=["recurring_amount"])


def _effect(df):
    e = offer_effects(df[["offer", "responded", "randomised"]], control="control",
                      allow_nonrandomised=not bool(df["randomised"].all()))
    r = e[e["offer"] != "control"].iloc[0]
    return float(r["diff"]), float(r["diff_low"]), float(r["diff_high"])


def analyse_insurance_premiums(case) -> CaseFindings:
    """Do flexible plans win lapsed policyholders back, for whom, and do they pay?

    Parameters
    ----------
    case : CaseStudy
        ``segkit.datasets.case_study("insurance_premiums", ...)``.

    Returns
    -------
    CaseFindings
        Estimates: the win-back uplift of the randomised season (Newcombe interval), the
        agents' season's naive and regression-adjusted differences (not identified), the
        uplift by exit reason (price, other) and the value per offer net of the premium
        given up (difference in mean first-year margin, robust interval). Tables:
        ``arms`` (by campaign, reason and offer) and ``refused`` (what
        :func:`offer_effects` says of the agents' season).

    Examples
    --------
    >>> from segkit.datasets._cases_lost import make_insurance_premiums
    >>> f = analyse_insurance_premiums(make_insurance_premiums(seed=0, n_customers=5_000))
    >>> f.estimates.loc[f.estimates["identified"], "method"].unique().tolist()
    ['randomised']
    """
    import statsmodels.formula.api as smf

    t = case.truth
    f = _lapsed(case)
    rnd = f[f["randomised"]]
    agents = f[~f["randomised"]]
    try:
        offer_effects(agents[["offer", "responded", "randomised"]], control="control")
        refused = ""
    except SchemaError as err:
        refused = str(err.rule)
    q = "win-back uplift"
    r_all = _effect(rnd)
    naive = _effect(agents)
    adj = _coef(smf.ols("responded ~ offered + long_tenure + price + annual_premium", agents)
                .fit(cov_type="HC1"), "offered")
    r_price = _effect(rnd[rnd["price"] == 1])
    r_other = _effect(rnd[rnd["price"] == 0])
    v_price = _coef(smf.ols("profit ~ offered", rnd[rnd["price"] == 1]).fit(cov_type="HC1"),
                    "offered")
    v_other = _coef(smf.ols("profit ~ offered", rnd[rnd["price"] == 0]).fit(cov_type="HC1"),
                    "offered")
    est = _frame([
        _row(q, "randomised", *r_all, t["uplift_randomised"], True),
        _row(q, "naive difference", *naive, t["uplift_agents_offered"], False),
        _row(q, "regression adjusted", *adj, t["uplift_agents_offered"], False),
        _row("win-back uplift, price lapses", "randomised", *r_price, t["uplift_price"], True),
        _row("win-back uplift, other lapses", "randomised", *r_other, t["uplift_other"], True),
        _row("net value per offer, price lapses", "randomised", *v_price,
             t["net_value_per_offer_price"], True),
        _row("net value per offer, other lapses", "randomised", *v_other,
             t["net_value_per_offer_other"], True),
    ])
    arms = f.groupby(["campaign", "reason_group", "offer"]).agg(
        policyholders=("responded", "size"), reinstated=("responded", "mean"),
        long_tenure=("long_tenure", "mean"), annual_premium=("annual_premium", "mean"),
        profit=("profit", "mean")).reset_index()

    pp = lambda r, to=" to ": f"{100 * r[1]:+.1f}{to}{100 * r[2]:+.1f}"  # noqa: E731
    mv = lambda r, to=" to ": f"{r[1]:+.0f}{to}{r[2]:+.0f}"  # noqa: E731
    m, d = case.params["margin"], case.params["discount"]
    supports = {
        "en": [
            f"In the randomised 2024 campaign the flexible plan raised reinstatement by "
            f"{_pts(r_all[0])} points (95% CI {pp(r_all)}).",
            f"It works for those who lapsed over price ({_pts(r_price[0])} points, 95% CI "
            f"{pp(r_price)}) far more than for the others ({_pts(r_other[0])} points, 95% CI "
            f"{pp(r_other)}).",
            f"Net of the {_pct(d)} premium given up (margin {_pct(m)} of the annual premium), an "
            f"offer earns {v_price[0]:+.0f} per price-lapsed policyholder (95% CI {mv(v_price)}) "
            f"and {v_other[0]:+.0f} per other lapsed policyholder (95% CI {mv(v_other)}): offer "
            f"it to the price-lapsed.",
        ],
        "zh": [
            f"2024年随机试验中，灵活方案使复效率提高{_pts(r_all[0])}个百分点（95%置信区间{pp(r_all, '至')}）。",
            f"对因价格退保者的效果（{_pts(r_price[0])}个百分点，95%置信区间{pp(r_price, '至')}）远大于其他"
            f"原因退保者（{_pts(r_other[0])}个百分点，95%置信区间{pp(r_other, '至')}）。",
            f"扣除让出的{_pct(d)}保费（年保费利润率{_pct(m)}）后，每次提供方案对价格原因退保者带来"
            f"{v_price[0]:+.0f}（95%置信区间{mv(v_price, '至')}），对其他退保者带来{v_other[0]:+.0f}"
            f"（95%置信区间{mv(v_other, '至')}）：应只向价格原因退保者提供。",
        ],
    }
    does_not = {
        "en": [
            f"The agents' 2023 season is confounded and offer_effects refuses it. Its "
            f"naive difference ({_pts(naive[0])} points, 95% CI {pp(naive)}) overstates the "
            f"effect: agents offered the plan to the policyholders they still had a rapport "
            f"with, who would have come back more often anyway.",
            f"Adjusting for what is recorded (tenure, reason, premium) leaves "
            f"{_pts(adj[0])} points (95% CI {pp(adj)}): the agents' rapport is not in the data, "
            f"so no adjustment removes the bias.",
            "The effect is that of the 60 days after the contact; whether reinstated policies "
            "lapse again sooner is not in the data.",
        ],
        "zh": [
            f"2023年由代理人选择的季度存在混杂（offer_effects拒绝计算）。其简单对比（{_pts(naive[0])}"
            f"个百分点，95%置信区间{pp(naive, '至')}）高估了效果：代理人把方案给了仍有良好关系的投保人，"
            f"他们本来就更可能回来。",
            f"对已记录的变量（投保年限、原因、保费）调整后仍为{_pts(adj[0])}个百分点（95%置信区间"
            f"{pp(adj, '至')}）：代理人关系不在数据中，任何调整都无法消除这一偏差。",
            "效果只是联系后60天内的复效；复效保单是否更早再次退保，数据无法说明。",
        ],
    }
    return CaseFindings(name=case.name, estimates=est, supports=supports,
                        does_not_support=does_not,
                        tables={"arms": arms, "refused": pd.DataFrame(
                            {"campaign": ["flex_2023"], "offer_effects": [refused]})})


#: The lost-customer analyses by case name (see :func:`segkit.winback.analyse_case`).
ANALYSES = {
    "ecommerce_training": analyse_ecommerce_training,
    "restaurant_complaints": analyse_restaurant_complaints,
    "insurance_premiums": analyse_insurance_premiums,
}
