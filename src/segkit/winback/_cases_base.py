"""Analyses of the base-customer (基盘客户) case studies.

One function per case of :mod:`segkit.datasets._cases_base`; each returns a
:class:`~segkit.winback.cases.CaseFindings` with every estimate beside the simulated
truth, and says in English and Chinese what the data support and what they do not.

- ``bank_points`` (self-selected enrolment): the naive enrolled-vs-not difference, the
  regression adjusted for the variables that drove enrolment (2023 purchases, region;
  statsmodels OLS, HC1 standard errors) and the difference in differences, which fails
  here because enrolment was chosen on the pre-period outcome (regression to the mean);
- ``telecom_phone`` (the company's rule): Kaplan-Meier by group, the naive Cox hazard
  ratio, Cox adjusted for the rule's variables (ARPU, tenure) and Cox near the cut-off;
  the effect below the cut-off is not in the data;
- ``ecommerce_membership`` (self-selected, with randomised arms): the randomised free
  trial against the holdout for net sales, retention, delivery cost and margin, beside
  the observational comparison of paying members, naive and adjusted, which the
  customers' unobserved intent confounds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..churn import CoxModel, elapsed, kaplan_meier
from ..datasets import CaseStudy
from .cases import CaseFindings, estimate_row
from .cases import estimates_frame as _frame

__all__ = ["ANALYSES", "analyse_bank_points", "analyse_ecommerce_membership",
           "analyse_telecom_phone"]


def _ols(formula: str, df: pd.DataFrame, term: str) -> tuple[float, float, float]:
    """Coefficient of ``term`` with its 95% interval (HC1 robust standard errors)."""
    import statsmodels.formula.api as smf

    fit = smf.ols(formula, data=df).fit(cov_type="HC1")
    lo, hi = fit.conf_int().loc[term]
    return float(fit.params[term]), float(lo), float(hi)


def _row(quantity, method, est, truth, identified) -> dict:
    return estimate_row(quantity, method, *est, truth, identified)


def _per_year(tx: pd.DataFrame, ids: pd.Index, start: str, end: str) -> pd.DataFrame:
    """Purchase count and net amount of each customer in [start, end]."""
    sel = (tx["timestamp"] >= start) & (tx["timestamp"] <= f"{end} 23:59:59")
    t = tx.loc[sel]
    buy = ~t["is_return"] if "is_return" in t.columns else pd.Series(True, index=t.index)
    g = pd.DataFrame({
        "count": buy.groupby(t["customer_id"]).sum(),
        "amount": t["amount"].groupby(t["customer_id"]).sum(),
    })
    return g.reindex(ids, fill_value=0)


def _sign(ci: tuple, null: float = 0.0) -> int:
    """+1 when the interval lies above ``null``, -1 below, 0 when it contains it."""
    return 1 if ci[1] > null else -1 if ci[2] < null else 0


def _ci(e: tuple, fmt: str) -> tuple[str, str, str]:
    return tuple(format(v, fmt) for v in e)


# ------------------------------------------------------------------------- bank points


def analyse_bank_points(case: CaseStudy) -> CaseFindings:
    """Did the bank's loyalty programme raise purchase frequency and amount?

    Per customer: 2023 (before) and 2024 (after) purchases and spend. Three
    estimates of each effect on the enrolled: the naive difference of 2024 outcomes
    (enrolled minus not), the regression of the 2024 outcome on enrolment adjusted for
    2023 purchases and region (identified: enrolment depended on nothing else), and
    the difference in differences of 2024 minus 2023 (not identified: enrolment was
    chosen on the 2023 outcome itself).

    Examples
    --------
    >>> from segkit.datasets._cases_base import make_bank_points
    >>> f = analyse_bank_points(make_bank_points(seed=0, n_customers=2000))
    >>> f.estimates["method"].tolist()[:3]
    ['naive difference', 'regression adjusted', 'difference in differences']
    """
    tx, cust = case.data.transactions, case.data.customers
    ids = pd.Index(cust["customer_id"])
    pre = _per_year(tx, ids, "2023-01-01", "2023-12-31")
    post = _per_year(tx, ids, "2024-01-01", "2024-12-31")
    enrol = case.extra["enrolment"].set_index("customer_id").reindex(ids)
    df = pd.DataFrame({
        "enrolled": enrol["enrolled"].to_numpy().astype(int),
        "region": cust["region"].astype(str).to_numpy(),
        "pre_count": pre["count"].to_numpy(float), "post_count": post["count"].to_numpy(float),
        "pre_spend": pre["amount"].to_numpy(float), "post_spend": post["amount"].to_numpy(float),
    })
    df["d_count"] = df["post_count"] - df["pre_count"]
    df["d_spend"] = df["post_spend"] - df["pre_spend"]
    rows, res = [], {}
    for q, y in (("frequency_effect", "count"), ("spend_effect", "spend")):
        truth = case.truth[q]
        res[q] = {
            "naive": _ols(f"post_{y} ~ enrolled", df, "enrolled"),
            "adjusted": _ols(f"post_{y} ~ enrolled + pre_count + C(region)", df, "enrolled"),
            "did": _ols(f"d_{y} ~ enrolled", df, "enrolled"),
        }
        rows += [_row(q, "naive difference", res[q]["naive"], truth, False),
                 _row(q, "regression adjusted", res[q]["adjusted"], truth, True),
                 _row(q, "difference in differences", res[q]["did"], truth, False)]
    est = _frame(rows)
    groups = df.groupby("enrolled")[["pre_count", "post_count", "pre_spend", "post_spend"]]
    by_group = groups.mean().round(1)
    by_group.insert(0, "customers", df.groupby("enrolled").size())
    by_group.index = pd.Index(["not enrolled", "enrolled"], name="group")

    f, s = res["frequency_effect"], res["spend_effect"]
    fa, fn, fd = (_ci(f[k], ".2f") for k in ("adjusted", "naive", "did"))
    sa, sn = (_ci(s[k], ",.0f") for k in ("adjusted", "naive"))
    pre_e, pre_n = by_group.loc["enrolled", "pre_count"], by_group.loc["not enrolled",
                                                                         "pre_count"]
    share = df["enrolled"].mean()
    supports = {
        "en": [
            f"Enrolment was self-selected: {share:.0%} of customers enrolled, and they had "
            f"made {pre_e:.1f} purchases in 2023 against {pre_n:.1f} for the others, "
            "before the programme existed.",
            f"Adjusted for the 2023 purchase count and region (what drove enrolment), the "
            f"programme changed purchases by {fa[0]} a year per enrolled customer (95% CI "
            f"{fa[1]} to {fa[2]}) and card spend by {sa[0]} a year (95% CI {sa[1]} to "
            f"{sa[2]}).",
        ],
        "zh": [
            f"参加是自选的：{share:.0%} 的客户参加了计划，他们在计划推出前的 2023 年平均"
            f"购买 {pre_e:.1f} 次，其他客户为 {pre_n:.1f} 次。",
            f"在调整 2023 年购买次数和地区（决定参加与否的因素）后，计划使每位参加客户"
            f"每年的购买次数变化 {fa[0]} 次（95% 置信区间 {fa[1]} 至 {fa[2]}），刷卡金额"
            f"变化 {sa[0]}（95% 置信区间 {sa[1]} 至 {sa[2]}）。",
        ],
    }
    does_not = {
        "en": [
            f"The naive difference ({fn[0]} purchases and {sn[0]} of spend a year, "
            "enrolled minus not) is not the programme's effect: the more active customers "
            "enrolled (self-selection confounds the comparison), so it overstates the "
            f"adjusted estimate {float(f['naive'][0]) / float(f['adjusted'][0]):.1f}-fold.",
            f"The difference in differences ({fd[0]} purchases a year, 95% CI {fd[1]} to "
            f"{fd[2]}) is not valid here: customers chose to enrol on their 2023 purchases, "
            "which were partly high by chance and fall back in 2024 (regression to the "
            "mean), so the parallel-trends assumption fails.",
            "The adjusted estimate holds only if nothing but the 2023 purchases and the "
            "region drove enrolment; the data cannot test that assumption.",
        ],
        "zh": [
            f"简单对比（参加者减未参加者：每年 {fn[0]} 次购买、{sn[0]} 的消费）不是计划的"
            f"效果：更活跃的客户更愿意参加（自选造成混杂），因此它是调整后估计的 "
            f"{float(f['naive'][0]) / float(f['adjusted'][0]):.1f} 倍。",
            f"双重差分（每年 {fd[0]} 次，95% 置信区间 {fd[1]} 至 {fd[2]}）在此不成立：客户"
            "根据 2023 年的购买决定是否参加，而 2023 年的高购买部分出于偶然，2024 年会回落"
            "（均值回归），平行趋势假设不成立。",
            "调整后的估计只有在除 2023 年购买次数和地区外没有其他因素影响参加时才成立；"
            "数据无法检验这一假设。",
        ],
    }
    return CaseFindings("bank_points", est, supports, does_not, {"by_group": by_group})


# ----------------------------------------------------------------------- telecom phone


def _telecom_frame(case: CaseStudy) -> pd.DataFrame:
    offers = case.extra["phone_offers"]
    con = case.data.contracts.set_index("customer_id").reindex(offers["customer_id"])
    end = case.data.observation_end
    stop = con["end_date"].fillna(end).to_numpy()
    return pd.DataFrame({
        "customer_id": offers["customer_id"].to_numpy(),
        "duration": elapsed(offers["offer_date"].to_numpy(), stop, "M"),
        "event": con["end_date"].notna().to_numpy().astype(int),
        "handset": offers["handset"].to_numpy().astype(int),
        "arpu": offers["arpu"].to_numpy(float),
        "tenure": offers["tenure_months"].to_numpy(float),
    })


def _hr(model: CoxModel, term: str = "handset") -> tuple[float, float, float]:
    r = model.hazard_ratios_.loc[term]
    return float(r["hazard_ratio"]), float(r["lower"]), float(r["upper"])


def analyse_telecom_phone(case: CaseStudy, bandwidth: float = 30.0) -> CaseFindings:
    """Did the customised phone reduce the gold tier's churn?

    Survival from the offer date (months to the end of the contract, censored at the
    observation end): Kaplan-Meier by group, the naive Cox hazard ratio of the phone
    alone, Cox adjusted for the rule's variables (ARPU and tenure), and Cox within
    ``bandwidth`` of the ARPU cut-off among customers above the tenure cut-off.

    Examples
    --------
    >>> from segkit.datasets._cases_base import make_telecom_phone
    >>> f = analyse_telecom_phone(make_telecom_phone(seed=0, n_customers=2000))
    >>> f.estimates["method"].tolist()[:2]
    ['naive difference', 'cox adjusted']
    """
    p = case.params
    df = _telecom_frame(case)
    df["group"] = np.where(df["handset"] == 1, "handset", "no handset")
    km = kaplan_meier(df, "group")
    surv = km.survival_at([6, 12, 18]).round(3)
    surv.columns = [f"survival {int(c)} months" for c in surv.columns]
    surv.insert(0, "customers", df.groupby("group").size())
    naive = _hr(CoxModel().fit(df, covariate_cols=["handset"]))
    adjusted = _hr(CoxModel().fit(df, covariate_cols=["handset", "arpu", "tenure"]))
    near = df[(df["tenure"] >= p["tenure_cutoff"])
              & ((df["arpu"] - p["arpu_cutoff"]).abs() <= bandwidth)]
    local = _hr(CoxModel().fit(near, covariate_cols=["handset", "arpu", "tenure"]))
    t = case.truth
    est = _frame([
        _row("hazard_ratio", "naive difference", naive, t["hazard_ratio"], False),
        _row("hazard_ratio", "cox adjusted", adjusted, t["hazard_ratio"], True),
        _row("hazard_ratio", "cox near cut-off", local, t["hazard_ratio"], True),
        _row("hazard_ratio_below_cutoff", "cox adjusted", adjusted,
             t["hazard_ratio_below_cutoff"], False),
    ])
    band = pd.cut(df["arpu"], [0, 90, 120, 150, 180, np.inf], right=False,
                  labels=["<90", "90-120", "120-150", "150-180", ">=180"])
    overlap = pd.crosstab(band, df["group"]).rename_axis(index="arpu", columns=None)
    n_, a_, l_ = _ci(naive, ".2f"), _ci(adjusted, ".2f"), _ci(local, ".2f")
    s12 = surv["survival 12 months"]
    churn_p, churn_n = 1 - s12.get("handset", np.nan), 1 - s12.get("no handset", np.nan)
    cut = f"ARPU >= {p['arpu_cutoff']:.0f}, tenure >= {p['tenure_cutoff']:.0f}"
    cut_zh = f"月消费不低于 {p['arpu_cutoff']:.0f}、在网不少于 {p['tenure_cutoff']:.0f} 个月"
    n_near = len(near)
    n_below = int((df["arpu"] < p["arpu_cutoff"]).sum())
    supports = {
        "en": [
            f"Adjusted for the rule's variables (ARPU and tenure), the phone multiplied "
            f"the monthly churn hazard by {a_[0]} (95% CI {a_[1]} to {a_[2]}): "
            + {-1: "it lowered churn among gold customers.",
               1: "it raised churn among gold customers.",
               0: "the interval includes no effect."}[_sign(adjusted, 1.0)],
            f"Near the cut-off ({n_near} customers within {bandwidth:.0f} of ARPU "
            f"{p['arpu_cutoff']:.0f}) the hazard ratio is {l_[0]} (95% CI {l_[1]} to "
            f"{l_[2]}), a comparison that leans least on the model.",
        ],
        "zh": [
            f"调整规则变量（月消费和在网时长）后，手机使月流失风险乘以 {a_[0]}（95% 置信"
            f"区间 {a_[1]} 至 {a_[2]}）："
            + {-1: "手机降低了金卡客户的流失。", 1: "手机提高了金卡客户的流失。",
               0: "区间包含无效果。"}[_sign(adjusted, 1.0)],
            f"在门槛附近（月消费 {p['arpu_cutoff']:.0f} 上下 {bandwidth:.0f} 以内的 "
            f"{n_near} 位客户），风险比为 {l_[0]}（95% 置信区间 {l_[1]} 至 {l_[2]}），"
            "这一比较最少依赖模型假设。",
        ],
    }
    does_not = {
        "en": [
            f"Phone holders' 12-month churn ({churn_p:.1%}, Kaplan-Meier) against "
            f"{churn_n:.1%} for the others, and the naive hazard ratio {n_[0]} (95% CI "
            f"{n_[1]} to {n_[2]}), do not measure the phone: phones went by rule to the "
            f"gold tier ({cut}), whose customers churn less anyway (confounding by tier).",
            "The effect on customers below the cut-off: no customer of the standard tier "
            f"had a phone, so applying {a_[0]} to them is an extrapolation the data cannot "
            "check.",
            "The adjusted estimate relies on the churn hazard depending on ARPU and tenure "
            f"as the model says: below ARPU {p['arpu_cutoff']:.0f} there are {n_below} "
            "customers and no phone holder, so no holder and non-holder share the same "
            "ARPU and tenure (no overlap across the rule).",
        ],
        "zh": [
            f"获赠手机客户 12 个月流失率（{churn_p:.1%}，Kaplan-Meier）与其他客户 "
            f"{churn_n:.1%} 的对比，以及简单风险比 {n_[0]}（95% 置信区间 {n_[1]} 至 "
            f"{n_[2]}），都不是手机的效果：手机按规则只给了金卡客户（{cut_zh}），而他们"
            "本来就更少流失（等级造成混杂）。",
            f"对门槛以下客户的效果：普通等级客户没有人获赠手机，把 {a_[0]} 套用到他们身上"
            "是数据无法检验的外推。",
            "调整后的估计依赖于流失风险与月消费、在网时长的关系符合模型设定：月消费低于 "
            f"{p['arpu_cutoff']:.0f} 的 {n_below} 位客户中没有人获赠手机，获赠与未获赠的"
            "客户在月消费和在网时长上没有重叠。",
        ],
    }
    return CaseFindings("telecom_phone", est, supports, does_not,
                        {"survival": surv, "overlap": overlap})


# ---------------------------------------------------------------- ecommerce membership


def analyse_ecommerce_membership(case: CaseStudy) -> CaseFindings:
    """Did the paid membership raise spend and retention, net of fee, returns and delivery?

    Per customer in 2024: net sales (orders minus returns), retention (an order in the
    second half), delivery cost paid by the platform and the margin left (gross margin
    on net sales minus delivery cost). The randomised free-trial arm against the
    holdout gives the membership's effect on a random customer (identified); paying
    members against the rest of the open arm, naive and adjusted for 2023 orders, spend
    and region, give confounded estimates of the effect on those who joined.

    Examples
    --------
    >>> from segkit.datasets._cases_base import make_ecommerce_membership
    >>> f = analyse_ecommerce_membership(make_ecommerce_membership(seed=0, n_customers=2000))
    >>> sorted(set(f.estimates["method"]))
    ['naive difference', 'randomised', 'regression adjusted']
    """
    p, t = case.params, case.truth
    tx, cust = case.data.transactions, case.data.customers
    ids = pd.Index(cust["customer_id"])
    pre = _per_year(tx, ids, "2023-01-01", "2023-12-31")
    post = _per_year(tx, ids, "2024-01-01", "2024-12-31")
    h2 = _per_year(tx, ids, "2024-07-01", "2024-12-31")
    c = case.data.costs
    cost = c["amount"].groupby(c["customer_id"]).sum().reindex(ids, fill_value=0.0)
    mem = case.extra["memberships"].set_index("customer_id").reindex(ids)
    df = pd.DataFrame({
        "arm": mem["arm"].astype(str).to_numpy(),
        "member": mem["member"].to_numpy().astype(int),
        "region": cust["region"].astype(str).to_numpy(),
        "pre_orders": pre["count"].to_numpy(float),
        "pre_sales": pre["amount"].to_numpy(float),
        "net_sales": post["amount"].to_numpy(float),
        "retained": (h2["count"].to_numpy() > 0).astype(float),
        "delivery_cost": cost.to_numpy(float),
    })
    df["margin"] = p["margin"] * df["net_sales"] - df["delivery_cost"]
    rct = df[df["arm"].isin(["trial", "holdout"])]
    opn = df[df["arm"] == "open"]
    adj = " + pre_orders + pre_sales + C(region)"
    r = {y: _ols(f"{y} ~ member", rct, "member")
         for y in ("net_sales", "retained", "delivery_cost", "margin")}
    obs = {y: {"naive": _ols(f"{y} ~ member", opn, "member"),
               "adjusted": _ols(f"{y} ~ member{adj}", opn, "member")}
           for y in ("net_sales", "retained")}
    fee = float(p["fee"])
    with_fee = tuple(v + fee for v in r["margin"])
    rows = []
    for y, q in (("net_sales", "net_sales_effect"), ("retained", "retention_effect")):
        rows += [_row(q, "randomised", r[y], t[q], True),
                 _row(q, "naive difference", obs[y]["naive"], t[f"{q}_joiners"], False),
                 _row(q, "regression adjusted", obs[y]["adjusted"], t[f"{q}_joiners"],
                      False)]
    rows += [_row("delivery_cost_effect", "randomised", r["delivery_cost"],
                  t["delivery_cost_effect"], True),
             _row("net_value_effect", "randomised", r["margin"], t["net_value_effect"], True),
             _row("net_value_effect_with_fee", "randomised", with_fee,
                  t["net_value_effect_with_fee"], True)]
    est = _frame(rows)
    group = np.where(df["arm"] == "open",
                     np.where(df["member"] == 1, "open: joined", "open: did not join"),
                     df["arm"])
    cols = ["pre_orders", "net_sales", "retained", "delivery_cost", "margin"]
    by_arm = df.groupby(group)[cols].mean().round(2)
    by_arm.insert(0, "customers", df.groupby(group).size())
    by_arm.index.name = "group"
    s_, m_, c_ = _ci(r["net_sales"], ",.1f"), _ci(r["margin"], ",.1f"), _ci(
        r["delivery_cost"], ",.1f")
    w_ = _ci(with_fee, ",.1f")
    ret = tuple(100 * v for v in r["retained"])
    rt_ = _ci(ret, ".1f")
    ns_n, ns_a = obs["net_sales"]["naive"][0], obs["net_sales"]["adjusted"][0]
    share = opn["member"].mean()
    pre_j = opn.loc[opn["member"] == 1, "pre_orders"].mean()
    pre_o = opn.loc[opn["member"] == 0, "pre_orders"].mean()
    supports = {
        "en": [
            f"In the randomised comparison (free-trial arm against holdout), membership "
            f"changed a customer's 2024 net sales by {s_[0]} (95% CI {s_[1]} to {s_[2]}) "
            f"and the share still ordering in the second half of 2024 by {rt_[0]} points "
            f"(95% CI {rt_[1]} to {rt_[2]}).",
            f"Priority delivery and free returns cost the platform {c_[0]} a member a year "
            f"(95% CI {c_[1]} to {c_[2]}); net of member prices, returns and these costs, "
            f"membership changed the margin by {m_[0]} a member (95% CI {m_[1]} to "
            f"{m_[2]}) before the fee, and by {w_[0]} (95% CI {w_[1]} to {w_[2]}) with the "
            f"fee of {fee:.0f}.",
        ],
        "zh": [
            f"随机对比（免费试用组对照未提供组）显示，会员使客户 2024 年净销售额变化 "
            f"{s_[0]}（95% 置信区间 {s_[1]} 至 {s_[2]}），下半年仍有下单的比例变化 "
            f"{rt_[0]} 个百分点（95% 置信区间 {rt_[1]} 至 {rt_[2]}）。",
            f"优先配送和免费退货使平台每位会员每年多花 {c_[0]}（95% 置信区间 {c_[1]} 至 "
            f"{c_[2]}）；扣除会员价、退货和这些成本后，会费之前每位会员的毛利变化 {m_[0]}"
            f"（95% 置信区间 {m_[1]} 至 {m_[2]}），计入 {fee:.0f} 元会费后为 {w_[0]}"
            f"（95% 置信区间 {w_[1]} 至 {w_[2]}）。",
        ],
    }
    does_not = {
        "en": [
            f"Comparing the {share:.0%} of the open arm who paid to join with those who did "
            f"not ({ns_n:,.1f} of net sales naively, {ns_a:,.1f} adjusted for 2023 orders, "
            "spend and region) does not measure the membership: customers chose to join, "
            "and those who planned to shop more joined more; that intent is not in the "
            "data, so adjusting for 2023 behaviour cannot remove the confounding. The "
            "randomised estimate is the one to use.",
            f"The trial's {s_[0]} is the effect on a random customer given a free year; "
            f"the effect on those who choose to pay may differ (they bought {pre_j:.1f} "
            f"orders in 2023 against {pre_o:.1f} for the others), and the data identify it "
            "only under assumptions they cannot check.",
        ],
        "zh": [
            f"把 open 组中付费加入的 {share:.0%} 客户与未加入者对比（简单对比净销售额差 "
            f"{ns_n:,.1f}，调整 2023 年订单、消费和地区后 {ns_a:,.1f}）不是会员的效果："
            "客户自己选择加入，打算多买的人更愿意加入；这种意向不在数据中，调整 2023 年的"
            "行为无法消除混杂。应采用随机对比的估计。",
            f"试用组的 {s_[0]} 是随机客户免费获得一年会员的效果；对主动付费者的效果可能"
            f"不同（他们 2023 年下单 {pre_j:.1f} 次，其他客户 {pre_o:.1f} 次），数据只有在"
            "无法检验的假设下才能识别它。",
        ],
    }
    return CaseFindings("ecommerce_membership", est, supports, does_not, {"by_arm": by_arm})


#: The base-customer analyses by case name (see :func:`segkit.winback.analyse_case`).
ANALYSES = {
    "bank_points": analyse_bank_points,
    "telecom_phone": analyse_telecom_phone,
    "ecommerce_membership": analyse_ecommerce_membership,
}
