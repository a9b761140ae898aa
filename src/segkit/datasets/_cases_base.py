"""Base-customer (基盘客户) case studies: simulated companies with known truth.

Three cases of DOMAIN.md section 2, each a small dedicated generator (vectorised numpy,
its own :class:`numpy.random.SeedSequence` streams) that writes the company's canonical
tables and keeps the truth:

- ``bank_points``: a retail bank's points, birthday gifts and free upgrades; customers
  enrol themselves, and the more active ones enrol more (design ``self_selected``);
- ``telecom_phone``: a telecom operator's customised phone, given by the company's rule
  to its gold tier (monthly spend and tenure above thresholds; design ``rule``);
- ``ecommerce_membership``: a paid membership (free returns, priority delivery, member
  prices) that customers buy, beside a randomised free-trial arm and a randomised
  holdout (design ``self_selected``, with a randomised comparison inside).

Use :func:`segkit.datasets.case_study` to build them and
:func:`segkit.winback.analyse_case` to analyse them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import CustomerData
from ._cases import CaseStudy, _ids, _streams

__all__ = ["CASES", "make_bank_points", "make_ecommerce_membership", "make_telecom_phone"]

_REGIONS = ("north", "east", "south", "west")
_CHANNELS = ("branch", "online", "partner")
_DAY = np.timedelta64(1, "D")


def _customers(rng: np.random.Generator, ids: np.ndarray, first: str, last: str,
               regions: np.ndarray | None = None, channels=_CHANNELS) -> pd.DataFrame:
    n = ids.size
    start, end = np.datetime64(first, "D"), np.datetime64(last, "D")
    days = int((end - start) / _DAY)
    acq = start + rng.integers(0, days + 1, n) * _DAY
    if regions is None:
        regions = rng.choice(np.array(_REGIONS), n)
    return pd.DataFrame({
        "customer_id": ids,
        "acquisition_date": acq.astype("datetime64[ns]"),
        "region": pd.Categorical(regions, categories=_REGIONS),
        "channel": pd.Categorical(rng.choice(np.array(channels), n), categories=channels),
    })


def _purchases(rng: np.random.Generator, ids: np.ndarray, counts: np.ndarray,
               first: str, last: str, mean_value: np.ndarray, shape: float = 3.0
               ) -> pd.DataFrame:
    """``counts[i]`` purchases of customer ``i`` on uniform days of [first, last]."""
    counts = np.asarray(counts, dtype=np.int64)
    idx = np.repeat(np.arange(ids.size), counts)
    start, end = np.datetime64(first, "D"), np.datetime64(last, "D")
    days = int((end - start) / _DAY)
    ts = start + rng.integers(0, days + 1, idx.size) * _DAY
    amount = rng.gamma(shape, mean_value[idx] / shape)
    return pd.DataFrame({"customer_id": ids[idx], "timestamp": ts.astype("datetime64[ns]"),
                         "amount": np.round(amount, 2), "_row": idx})


def _finish_transactions(parts: list[pd.DataFrame]) -> pd.DataFrame:
    tx = pd.concat(parts, ignore_index=True)
    tx = tx.sort_values(["timestamp", "_row"], kind="stable").reset_index(drop=True)
    width = max(6, len(str(len(tx))))
    tx.insert(0, "transaction_id",
              np.char.add("T", np.char.zfill(np.arange(1, len(tx) + 1).astype(str), width))
              .astype(object))
    return tx.drop(columns="_row")


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------------- bank points

_BANK = {
    "regions_shape": {"north": 2.0, "east": 3.0, "south": 2.5, "west": 1.5},
    "rate_scale": 0.25,  # gamma scale of the monthly purchase rate (mean shape * scale)
    "mean_value": 400.0,  # mean amount of a card purchase (yuan)
    "value_shape": 3.0,  # gamma shape of customers' mean amounts
    "effect_per_month": 0.2,  # extra purchases per month for an enrolled customer
    "enrol_intercept": -1.2,
    "enrol_slope": 0.09,  # per pre-period purchase above 8
    "enrol_region": {"north": 0.0, "east": 0.3, "south": 0.0, "west": -0.3},
}


def make_bank_points(seed: int = 0, n_customers: int = 4000) -> CaseStudy:
    """A retail bank's loyalty programme for base customers, with self-selected enrolment.

    Each customer has a monthly card-purchase rate (gamma, its shape by region) and a
    mean purchase amount (gamma, independent of the rate). 2023 is the pre-period. On
    2024-01-01 the bank opens its programme (points, birthday gifts, free card
    upgrades); customers enrol with a probability that rises with their 2023 purchase
    count (and differs by region): selection on observed pre-period behaviour only.
    Enrolment adds ``effect_per_month`` purchases a month in 2024.

    Examples
    --------
    >>> c = make_bank_points(seed=1, n_customers=300)
    >>> c.design, sorted(c.extra), round(c.truth["frequency_effect"], 2)
    ('self_selected', ['enrolment'], 2.4)
    """
    p = _BANK
    r_cust, r_rate, r_tx0, r_tx1, r_enrol = _streams(seed, 5)
    n = int(n_customers)
    ids = _ids("C", n)
    customers = _customers(r_cust, ids, "2018-01-01", "2022-12-31")
    region = customers["region"].astype(str).to_numpy()
    shape = pd.Series(region).map(p["regions_shape"]).to_numpy()
    rate = r_rate.gamma(shape, p["rate_scale"])
    value = r_rate.gamma(p["value_shape"], p["mean_value"] / p["value_shape"], n)
    pre = r_tx0.poisson(12 * rate)
    logit = (p["enrol_intercept"] + p["enrol_slope"] * (pre - 8)
             + pd.Series(region).map(p["enrol_region"]).to_numpy())
    enrolled = r_enrol.random(n) < _logistic(logit)
    post = r_tx1.poisson(12 * (rate + p["effect_per_month"] * enrolled))
    tx = _finish_transactions([
        _purchases(r_tx0, ids, pre, "2023-01-01", "2023-12-31", value),
        _purchases(r_tx1, ids, post, "2024-01-01", "2024-12-31", value),
    ])
    enrolment = pd.DataFrame({
        "customer_id": ids,
        "enrolled": enrolled,
        "enrol_date": pd.to_datetime(np.where(enrolled, np.datetime64("2024-01-01", "ns"),
                                              np.datetime64("NaT", "ns"))),
    })
    data = CustomerData(customers=customers, transactions=tx,
                        observation_end=pd.Timestamp("2024-12-31"),
                        source=f"case_study('bank_points', seed={seed})")
    effect = round(12 * p["effect_per_month"], 10)
    return CaseStudy(
        name="bank_points",
        title={"en": "A retail bank's points, birthday gifts and free upgrades",
               "zh": "零售银行的积分、生日礼物与免费升级"},
        question={
            "en": "How much does the loyalty programme raise the purchase frequency and "
                  "amount of base customers (基盘客户) who enrol?",
            "zh": "忠诚度计划使参加的基盘客户的购买频次和金额提高了多少？",
        },
        design="self_selected",
        data=data,
        truth={"frequency_effect": effect,
               "spend_effect": round(effect * p["mean_value"], 10),
               "enrolment_rate": float(enrolled.mean())},
        params={**p, "seed": int(seed), "n_customers": n, "pre_period": ("2023-01-01",
                "2023-12-31"), "post_period": ("2024-01-01", "2024-12-31")},
        extra={"enrolment": enrolment},
        notes={
            "en": "Card purchases of a retail bank's customers in 2023 (before) and 2024 "
                  "(after the programme opened on 2024-01-01). Each customer has a monthly "
                  "purchase rate (gamma, shape by region) and a mean amount (gamma). "
                  "Enrolment is the customers' own choice: its probability rises with "
                  "the 2023 purchase count and differs by region, and depends on nothing "
                  "else. Enrolled customers make extra purchases in 2024. The table "
                  "`enrolment` has one row per customer: enrolled (bool) and enrol_date.",
            "zh": "零售银行客户 2023 年（计划前）与 2024 年（计划于 2024-01-01 推出后）的刷卡"
                  "消费。每位客户有月购买率（伽马分布，形状参数随地区而异）和平均金额"
                  "（伽马分布）。是否参加由客户自己决定：参加概率随 2023 年购买次数上升、"
                  "因地区而异，且不取决于其他因素。参加者 2024 年的购买次数增加。"
                  "表 `enrolment` 每位客户一行：enrolled（是否参加）与 enrol_date（参加日期）。",
        },
    )


# ----------------------------------------------------------------------- telecom phone

_TELECOM = {
    "offer_date": "2024-01-01",
    "observation_end": "2025-06-30",
    "arpu_median": 125.0,  # monthly bill (yuan)
    "arpu_sigma": 0.35,
    "arpu_cutoff": 150.0,  # the rule: gold tier = ARPU >= 150 and tenure >= 24 months
    "tenure_cutoff": 24.0,
    "base_hazard": 0.03,  # monthly churn hazard at ARPU 100 and tenure 48 months
    "arpu_coef": -0.008,  # log-hazard per yuan of ARPU
    "tenure_coef": -0.01,  # log-hazard per month of tenure
    "hazard_ratio": 0.7,  # the phone's effect on gold customers
    "hazard_ratio_below": 0.9,  # what a phone would do for customers below the rule
}


def make_telecom_phone(seed: int = 0, n_customers: int = 6000) -> CaseStudy:
    """A telecom operator's customised phone for its gold tier, assigned by a rule.

    On 2024-01-01 the operator gives a customised phone to every customer of its gold
    tier: monthly bill (ARPU) of at least 150 and tenure of at least 24 months. Churn
    (the contract ends) follows an exponential hazard that falls with ARPU and tenure;
    the phone multiplies it by ``hazard_ratio``. Customers are followed to 2025-06-30.

    Examples
    --------
    >>> c = make_telecom_phone(seed=1, n_customers=300)
    >>> c.design, sorted(c.extra), c.truth["hazard_ratio"]
    ('rule', ['phone_offers'], 0.7)
    """
    p = _TELECOM
    r_cust, r_arpu, r_time, r_reason = _streams(seed, 4)
    n = int(n_customers)
    ids = _ids("C", n)
    offer = np.datetime64(p["offer_date"], "D")
    end = np.datetime64(p["observation_end"], "D")
    tenure_days = r_cust.integers(31, 10 * 365, n)
    acq = offer - tenure_days * _DAY
    customers = _customers(r_cust, ids, "2000-01-01", "2000-01-01",
                           channels=("store", "online", "agent"))
    customers["acquisition_date"] = acq.astype("datetime64[ns]")
    tenure = tenure_days / 30.4375
    arpu = np.round(p["arpu_median"] * np.exp(r_arpu.normal(0.0, p["arpu_sigma"], n)), 1)
    gold = (arpu >= p["arpu_cutoff"]) & (tenure >= p["tenure_cutoff"])
    log_h = (np.log(p["base_hazard"]) + p["arpu_coef"] * (arpu - 100)
             + p["tenure_coef"] * (tenure - 48) + np.log(p["hazard_ratio"]) * gold)
    months = r_time.exponential(1.0 / np.exp(log_h))
    stop = offer + np.maximum(np.ceil(months * 30.4375), 1).astype(np.int64) * _DAY
    churned = stop <= end
    reasons = np.array(["price", "competition", "service", "product", "other"])
    reason = r_reason.choice(reasons, n, p=[0.35, 0.3, 0.15, 0.1, 0.1])
    contracts = pd.DataFrame({
        "contract_id": np.char.replace(ids.astype(str), "C", "K").astype(object),
        "customer_id": ids,
        "start_date": acq.astype("datetime64[ns]"),
        "end_date": pd.to_datetime(np.where(churned, stop, np.datetime64("NaT"))
                                   .astype("datetime64[ns]")),
        "end_reason": pd.Series(np.where(churned, reason, None), dtype="object"),
        "plan": np.where(arpu >= 150, "unlimited", np.where(arpu >= 90, "standard", "basic")),
        "billing_period": "M",
        "recurring_amount": arpu,
    })
    offers = pd.DataFrame({
        "customer_id": ids,
        "offer_date": pd.Timestamp(p["offer_date"]),
        "arpu": arpu,
        "tenure_months": np.round(tenure, 2),
        "tier": np.where(gold, "gold", "standard"),
        "handset": gold,
    })
    data = CustomerData(customers=customers, contracts=contracts,
                        observation_end=pd.Timestamp(p["observation_end"]),
                        source=f"case_study('telecom_phone', seed={seed})")
    return CaseStudy(
        name="telecom_phone",
        title={"en": "A telecom operator's customised phone for its gold tier",
               "zh": "电信运营商为金卡客户定制手机"},
        question={
            "en": "Does the customised phone given to base customers (基盘客户) of the gold "
                  "tier reduce their churn (客户流失)?",
            "zh": "为金卡等级的基盘客户赠送定制手机能否降低其流失？",
        },
        design="rule",
        data=data,
        truth={"hazard_ratio": p["hazard_ratio"],
               "hazard_ratio_below_cutoff": p["hazard_ratio_below"],
               "gold_share": float(gold.mean())},
        params={**p, "seed": int(seed), "n_customers": n},
        extra={"phone_offers": offers},
        notes={
            "en": "Mobile contracts of a telecom operator's customers active on 2024-01-01, "
                  "followed to 2025-06-30. On 2024-01-01 every customer of the gold tier "
                  "(monthly bill at least 150 and tenure at least 24 months) got a "
                  "customised phone; nobody else did. The monthly churn hazard falls with "
                  "the bill and the tenure (exponential, proportional hazards) and the "
                  "phone multiplies it by a fixed ratio. The table `phone_offers` has one "
                  "row per customer: offer_date, arpu and tenure_months on that date, "
                  "tier and handset (bool: got the phone).",
            "zh": "电信运营商 2024-01-01 在网客户的合约，随访至 2025-06-30。2024-01-01 向金卡"
                  "等级客户（月消费不低于 150 且在网不少于 24 个月）全部赠送定制手机，其他"
                  "客户没有。月流失风险随月消费和在网时长下降（指数分布、比例风险），手机使"
                  "风险乘以一个固定比值。表 `phone_offers` 每位客户一行：offer_date、当日的 "
                  "arpu 与 tenure_months、tier（等级）与 handset（是否获赠手机）。",
        },
    )


# ---------------------------------------------------------------- ecommerce membership

_ECOM = {
    "rate_shape": 2.0,
    "rate_scale": 0.2,  # monthly order rate: gamma(2, 0.2), mean 0.4
    "mean_value": 60.0,  # mean order value (yuan)
    "value_shape": 4.0,
    "intent_sd": 0.35,  # unobserved shopping intent for 2024 (log-rate multiplier)
    "extra_orders": 0.15,  # extra orders a month as a member
    "member_price": 0.95,  # member prices: 5% off
    "return_rate": 0.10,  # share of orders returned, non-members
    "return_rate_member": 0.16,  # free returns: members return more
    "priority_cost": 4.0,  # cost of priority delivery per member order
    "return_cost": 10.0,  # cost of a free return (paid by the company for members)
    "margin": 0.30,  # gross margin on net sales
    "fee": 99.0,  # yearly membership fee
    "arms": {"open": 0.6, "trial": 0.2, "holdout": 0.2},
    "join_intercept": -1.8,
    "join_slope": 0.6,  # per unit of log1p(2023 orders) above log1p(4)
    "join_intent": 2.5,  # per unit of the unobserved intent
}


def make_ecommerce_membership(seed: int = 0, n_customers: int = 6000) -> CaseStudy:
    """An e-commerce platform's paid membership, self-selected, with randomised arms.

    2023 is the pre-period. On 2024-01-01 the platform launches a paid membership
    (fee 99 a year: free returns, priority delivery, member prices) and randomises its
    customers into three arms: ``open`` (may buy the membership), ``trial`` (a free
    year of membership, all activated) and ``holdout`` (not offered in 2024). In the
    open arm, customers join more when they bought more in 2023 and when they plan to
    shop more in 2024 (an intent the platform does not see). Membership adds orders,
    lowers prices by 5% and raises returns; the platform pays priority delivery and
    free returns.

    Examples
    --------
    >>> c = make_ecommerce_membership(seed=1, n_customers=300)
    >>> c.design, sorted(c.extra)
    ('self_selected', ['memberships'])
    """
    p = _ECOM
    r_cust, r_rate, r_arm, r_tx0, r_tx1, r_ret, r_join = _streams(seed, 7)
    n = int(n_customers)
    ids = _ids("C", n)
    customers = _customers(r_cust, ids, "2019-01-01", "2022-12-31",
                           channels=("app", "web", "mini_program"))
    rate = r_rate.gamma(p["rate_shape"], p["rate_scale"], n)
    value = r_rate.gamma(p["value_shape"], p["mean_value"] / p["value_shape"], n)
    intent = r_rate.normal(0.0, 1.0, n)
    mult = np.exp(p["intent_sd"] * intent - p["intent_sd"] ** 2 / 2)
    arms = np.array(list(p["arms"]))
    arm = r_arm.choice(arms, n, p=list(p["arms"].values()))
    pre = r_tx0.poisson(12 * rate)
    logit = (p["join_intercept"] + p["join_slope"] * (np.log1p(pre) - np.log1p(4))
             + p["join_intent"] * p["intent_sd"] * intent)
    joined = (arm == "open") & (r_join.random(n) < _logistic(logit))
    member = joined | (arm == "trial")
    r0 = rate * mult
    r1 = r0 + p["extra_orders"]
    r = np.where(member, r1, r0)
    h1 = r_tx1.poisson(6 * r)
    h2 = r_tx1.poisson(6 * r)
    price = np.where(member, p["member_price"], 1.0)
    parts = [_purchases(r_tx0, ids, pre, "2023-01-01", "2023-12-31", value),
             _purchases(r_tx1, ids, h1, "2024-01-01", "2024-06-30", value * price),
             _purchases(r_tx1, ids, h2, "2024-07-01", "2024-12-31", value * price)]
    buys = pd.concat(parts, ignore_index=True)
    is_member_line = member[buys["_row"].to_numpy()] & (buys["timestamp"] >= "2024-01-01")
    p_ret = np.where(is_member_line, p["return_rate_member"], p["return_rate"])
    returned = r_ret.random(len(buys)) < p_ret
    back = buys.loc[returned].copy()
    # a return comes 3-14 days after its order, within the order's year
    later = back["timestamp"] + pd.to_timedelta(r_ret.integers(3, 15, len(back)), unit="D")
    year_end = pd.to_datetime(back["timestamp"].dt.year.astype(str) + "-12-31")
    back["timestamp"] = later.where(later <= year_end, year_end)
    back["amount"] = -back["amount"]
    buys["is_return"] = False
    back["is_return"] = True
    tx = _finish_transactions([buys, back])
    # the platform's delivery costs of members' orders in 2024: priority delivery per
    # order, free return shipping per return
    mline = tx["customer_id"].isin(ids[member]) & (tx["timestamp"] >= "2024-01-01")
    costs = pd.DataFrame({
        "customer_id": tx.loc[mline, "customer_id"].to_numpy(),
        "timestamp": tx.loc[mline, "timestamp"].to_numpy(),
        "kind": "delivery",
        "amount": np.where(tx.loc[mline, "is_return"], p["return_cost"], p["priority_cost"]),
    })
    memberships = pd.DataFrame({
        "customer_id": ids,
        "arm": pd.Categorical(arm, categories=list(p["arms"])),
        "member": member,
        "fee_paid": np.where(joined, p["fee"], 0.0),
        "start_date": pd.to_datetime(np.where(member, np.datetime64("2024-01-01", "ns"),
                                              np.datetime64("NaT", "ns"))),
    })
    data = CustomerData(customers=customers, transactions=tx, costs=costs,
                        observation_end=pd.Timestamp("2024-12-31"),
                        source=f"case_study('ecommerce_membership', seed={seed})")

    # truth: expected 2024 outcomes of each customer as member and as non-member
    keep0 = 1 - p["return_rate"]
    keep1 = (1 - p["return_rate_member"]) * p["member_price"]
    sales0, sales1 = 12 * value * r0 * keep0, 12 * value * r1 * keep1
    cost1 = 12 * r1 * (p["priority_cost"] + p["return_rate_member"] * p["return_cost"])
    ret0, ret1 = 1 - np.exp(-6 * r0), 1 - np.exp(-6 * r1)
    d_sales = sales1 - sales0
    d_value = p["margin"] * d_sales - cost1
    d_ret = ret1 - ret0

    def both(x):
        return {"all": float(x.mean()), "joiners": float(x[joined].mean())}

    truth = {
        "net_sales_effect": both(d_sales)["all"],
        "net_sales_effect_joiners": both(d_sales)["joiners"],
        "retention_effect": both(d_ret)["all"],
        "retention_effect_joiners": both(d_ret)["joiners"],
        "delivery_cost_effect": float(cost1.mean()),
        "net_value_effect": both(d_value)["all"],
        "net_value_effect_with_fee": both(d_value)["all"] + p["fee"],
        "join_rate": float(joined[arm == "open"].mean()),
    }
    return CaseStudy(
        name="ecommerce_membership",
        title={"en": "An e-commerce platform's paid membership",
               "zh": "电商平台的付费会员"},
        question={
            "en": "Does the paid membership (free returns, priority delivery, member "
                  "prices) raise base customers' (基盘客户) spend and retention, net of the "
                  "fee and of the cost of returns and delivery?",
            "zh": "付费会员（免费退货、优先配送、会员价）扣除会费以及退货和配送成本后，"
                  "能否提高基盘客户的消费与留存？",
        },
        design="self_selected",
        data=data,
        truth=truth,
        params={**p, "seed": int(seed), "n_customers": n},
        extra={"memberships": memberships},
        notes={
            "en": "Orders and returns of an e-commerce platform's customers in 2023 and "
                  "2024, and the platform's delivery costs of members in 2024 (`costs`, "
                  "kind delivery). On 2024-01-01 customers were randomised to three arms: "
                  "open (may buy the membership for 99 a year), trial (a free year of "
                  "membership) and holdout (not offered in 2024). In the open arm customers "
                  "join more when they bought more in 2023 and when they plan to shop more "
                  "in 2024, an intent not in the data. Members get 5% member prices, make "
                  "more orders and return more (free returns); the platform pays their "
                  "priority delivery and return shipping; its gross margin on net sales is "
                  "30%. The table `memberships` has one row per customer: arm, member "
                  "(bool), fee_paid and start_date.",
            "zh": "电商平台客户 2023 与 2024 年的订单与退货，以及平台 2024 年为会员承担的配送"
                  "成本（`costs` 表，kind 为 delivery）。2024-01-01 客户被随机分为三组："
                  "open（可花 99 元/年购买会员）、trial（免费试用一年会员）和 holdout（2024 "
                  "年不提供会员）。open 组中，2023 年买得越多、2024 年打算多买的客户越可能"
                  "加入，而购物意向不在数据中。会员享受 95 折会员价、下单更多、退货也更多"
                  "（免费退货）；平台承担其优先配送和退货运费；平台对净销售额的毛利率为 "
                  "30%。表 `memberships` 每位客户一行：arm（组别）、member（是否会员）、"
                  "fee_paid（所付会费）与 start_date。",
        },
    )


#: The base-customer cases by name (see :func:`segkit.datasets.case_study`).
CASES = {
    "bank_points": make_bank_points,
    "telecom_phone": make_telecom_phone,
    "ecommerce_membership": make_ecommerce_membership,
}
