"""Lost-customer (战败客户) case studies: simulated companies with known truth.

Three cases of DOMAIN.md section 3, each a small dedicated generator (vectorised numpy,
its own :class:`numpy.random.SeedSequence` streams) that writes the company's canonical
tables and keeps the truth:

- ``ecommerce_training``: an online shop loses customers mostly to service quality; it
  trains its service staff from 2024-01-01 while a competitor's launch raises every
  kind of loss and makes lost customers harder to win back (design ``rollout``, with
  the losses for other reasons as the comparison group);
- ``restaurant_complaints``: a restaurant chain introduces a complaint-handling process
  (fast apology and compensation) in the branches management chose, those losing the
  most complainers, while a chain-wide price rise makes complainers leave faster
  (design ``rollout`` by branch, not randomised);
- ``insurance_premiums``: policyholders lapse, mostly over premiums; flexible plans
  (lower premium) are offered to lapsed policyholders, in 2023 by the agents' own choice
  and in 2024 at random (design ``randomised``, with the confounded agents' season
  beside it).

Use :func:`segkit.datasets.case_study` to build them and
:func:`segkit.winback.analyse_case` to analyse them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import CustomerData
from ._cases import CaseStudy, _ids, _streams

__all__ = [
    "CASES",
    "make_ecommerce_training",
    "make_insurance_premiums",
    "make_restaurant_complaints",
]

_DAY = np.timedelta64(1, "D")
_REGIONS = ("north", "east", "south", "west")


def _days(a: str, b: str) -> int:
    return int((np.datetime64(b, "D") - np.datetime64(a, "D")) / _DAY)


def _ts(x) -> np.ndarray:
    return np.asarray(x).astype("datetime64[ns]")


def _purchases(rng, idx_start, idx_stop, ids, rate_per_day, mean_amount):
    """Purchases at ``rate_per_day`` on uniform days of each [start, stop] (datetime64[D])."""
    span = np.maximum((idx_stop - idx_start) / _DAY, 0).astype(float)
    counts = rng.poisson(rate_per_day * span)
    who = np.repeat(np.arange(ids.size), counts)
    day = idx_start[who] + np.floor(rng.random(who.size) * (span[who] + 1)).astype(np.int64) * _DAY
    amount = np.round(rng.gamma(3.0, mean_amount / 3.0, who.size), 2)
    return who, day, amount


def _transactions(who, day, amount, ids) -> pd.DataFrame:
    tx = pd.DataFrame({"customer_id": ids[who], "timestamp": _ts(day), "amount": amount,
                       "_w": who})
    tx = tx.sort_values(["timestamp", "_w"], kind="stable").reset_index(drop=True)
    width = max(6, len(str(len(tx))))
    tx.insert(0, "transaction_id",
              np.char.add("T", np.char.zfill(np.arange(1, len(tx) + 1).astype(str), width))
              .astype(object))
    return tx.drop(columns="_w")


def _complaints(who, day, reason, ids) -> pd.DataFrame:
    cx = pd.DataFrame({"customer_id": ids[who], "timestamp": _ts(day), "kind": "complaint",
                       "reason": np.asarray(reason, dtype=object),
                       "rating": pd.array([None] * len(who), dtype="Int64"), "_w": who})
    return cx.sort_values(["timestamp", "_w"], kind="stable").drop(columns="_w") \
        .reset_index(drop=True)


# --------------------------------------------------------------------------- e-commerce

_EC_REASONS = ("service", "price", "product", "competition")


def make_ecommerce_training(seed: int = 0, n_customers: int = 20_000) -> CaseStudy:
    """An online shop's losses to service quality and its service-staff training.

    Customers acquired 2020-2022 are followed through 2023-2024 month by month. Each
    month an active customer leaves for a reason (service, price, product, competition)
    with a monthly hazard per reason, times a region factor and a seasonal factor (high
    around November's shopping festival). From 2024-01-01 the service staff are trained:
    the service hazard is multiplied by ``training_ratio``; in the same month a
    competitor's launch multiplies every hazard by ``market_ratio``. A lost customer
    comes back within 180 days with a probability that depends on the reason and the
    period: the training adds ``training_winback`` to the service-lost, the competitor
    takes ``market_winback`` from everyone. Truth: the rate ratio and the win-back
    difference of the training.

    Source: simulated. Size: ``n_customers`` customers (default 20,000), about 13
    purchases each, observed to 2025-06-30. Event rate: about 28% leave in 2023-2024,
    about 40% of them for service; about 10% of the lost come back within 180 days.

    Examples
    --------
    >>> case = make_ecommerce_training(seed=0, n_customers=2_000)
    >>> case.design, sorted(case.data.tables())
    ('rollout', ['complaints', 'customers', 'exits', 'transactions'])
    >>> case.truth["service_loss_rate_ratio"], case.truth["winback_difference"]
    (0.6, 0.1)
    """
    n = int(n_customers)
    r_cust, r_exit, r_cx, r_back, r_tx = _streams(seed, 5)
    p = {
        "seed": int(seed), "n_customers": n, "start": "2023-01-01", "training_date": "2024-01-01",
        "observation_end": "2025-06-30", "months": 24,
        "hazard": {"service": 0.006, "price": 0.003, "product": 0.002, "competition": 0.0015},
        "region_factor": {"north": 0.8, "east": 1.0, "south": 1.1, "west": 1.25},
        "season_amplitude": 0.25, "training_ratio": 0.6, "market_ratio": 1.35,
        "winback_base": {"service": 0.10, "other": 0.12}, "market_winback": -0.05,
        "training_winback": 0.10, "winback_days": 180, "complaint_before_exit":
        {"service": 0.7, "other": 0.3}, "background_complaints": 0.16,
        "orders_per_month": 0.3, "mean_order": 60.0,
    }
    ids = _ids("C", n)
    acq = np.datetime64("2020-01-01") + r_cust.integers(0, _days("2020-01-01", "2022-12-31") + 1,
                                                        n) * _DAY
    region = r_cust.choice(np.array(_REGIONS), n)
    channel = r_cust.choice(np.array(["app", "web", "marketplace"]), n, p=[0.5, 0.3, 0.2])
    customers = pd.DataFrame({"customer_id": ids, "acquisition_date": _ts(acq),
                              "region": pd.Categorical(region, categories=_REGIONS),
                              "channel": channel})

    # monthly hazards by month and reason, then by region
    m = np.arange(p["months"])
    month_start = np.array([np.datetime64("2023-01", "M") + int(k) for k in m])
    after = m >= 12
    season = 1 + p["season_amplitude"] * np.cos(2 * np.pi * ((m % 12) - 10) / 12)
    base = np.array([p["hazard"][r] for r in _EC_REASONS])
    h = season[:, None] * base[None, :] * np.where(after, p["market_ratio"], 1.0)[:, None]
    h[:, 0] *= np.where(after, p["training_ratio"], 1.0)
    rf = np.array([p["region_factor"][r] for r in region])
    htot = h.sum(axis=1)
    u = r_exit.random((n, p["months"]))
    hit = u < rf[:, None] * htot[None, :]
    lost = hit.any(axis=1)
    month = np.where(lost, hit.argmax(axis=1), p["months"])
    li = np.flatnonzero(lost)
    lm = month[li]
    probs = h[lm] / htot[lm, None]
    reason_code = (r_exit.random(li.size)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    reason = np.array(_EC_REASONS)[np.minimum(reason_code, 3)]
    mdays = ((month_start[lm] + 1).astype("datetime64[D]") - month_start[lm].astype("datetime64[D]")) / _DAY
    exit_day = month_start[lm].astype("datetime64[D]") + np.floor(
        r_exit.random(li.size) * mdays).astype(np.int64) * _DAY
    source = np.where(r_exit.random(li.size) < 0.7, "exit_survey", "crm_note")

    # win-back within 180 days
    svc = reason == "service"
    aft = lm >= 12
    pb = np.where(svc, p["winback_base"]["service"], p["winback_base"]["other"]) \
        + aft * p["market_winback"] + (svc & aft) * p["training_winback"]
    back = r_back.random(li.size) < pb
    back_day = exit_day + r_back.integers(14, p["winback_days"] + 1, li.size) * _DAY
    bi = np.flatnonzero(back)

    exits = pd.concat([
        pd.DataFrame({"customer_id": ids[li], "timestamp": _ts(exit_day), "kind": "account_closed",
                      "reason": reason.astype(object), "source": source.astype(object)}),
        pd.DataFrame({"customer_id": ids[li[bi]], "timestamp": _ts(back_day[bi]),
                      "kind": "reactivated", "reason": None, "source": None}),
    ], ignore_index=True).sort_values(["timestamp", "customer_id"], kind="stable") \
        .reset_index(drop=True)

    # complaints: before most service exits, some other exits, and a background
    cpb = np.where(svc, p["complaint_before_exit"]["service"], p["complaint_before_exit"]["other"])
    ci = np.flatnonzero(r_cx.random(li.size) < cpb)
    c_day = np.maximum(exit_day[ci] - r_cx.integers(1, 61, ci.size) * _DAY, acq[li[ci]])
    c_reason = np.where(reason[ci] == "service", "service", reason[ci])
    end = np.datetime64(p["observation_end"], "D")
    stop = np.full(n, np.datetime64("2024-12-31", "D"))
    stop[li] = exit_day
    bg = np.flatnonzero(r_cx.random(n) < p["background_complaints"])
    span = (stop[bg] - np.datetime64("2023-01-01", "D")) / _DAY
    bg_day = np.datetime64("2023-01-01", "D") + np.floor(r_cx.random(bg.size) * span).astype(
        np.int64) * _DAY
    bg_reason = r_cx.choice(np.array(["service", "product", "price", "other"]), bg.size,
                            p=[0.4, 0.3, 0.2, 0.1])
    complaints = _complaints(np.r_[li[ci], bg], np.r_[c_day, bg_day],
                             np.r_[c_reason, bg_reason], ids)

    # purchases: from acquisition to the exit (or the end), and again after a return
    stop_tx = np.full(n, end)
    stop_tx[li] = exit_day
    rate = p["orders_per_month"] / 30.4375
    w1, d1, a1 = _purchases(r_tx, acq, stop_tx, ids, rate, p["mean_order"])
    bw = li[bi]
    w2, d2, a2 = _purchases(r_tx, back_day[bi], np.full(bi.size, end), ids[bw], rate,
                            p["mean_order"])
    first = np.round(r_tx.gamma(3.0, p["mean_order"] / 3.0, bi.size), 2)
    who = np.r_[w1, bw[w2], bw]
    day = np.r_[d1, d2, back_day[bi]]
    transactions = _transactions(who, day, np.r_[a1, a2, first], ids)
    transactions = transactions[transactions["timestamp"] <= pd.Timestamp(end)]
    transactions = transactions.reset_index(drop=True)

    data = CustomerData(customers=customers, transactions=transactions, exits=exits,
                        complaints=complaints, observation_end=pd.Timestamp(end),
                        source=f"case_study('ecommerce_training', seed={int(seed)})")
    truth = {
        "service_loss_rate_ratio": p["training_ratio"],
        "winback_difference": p["training_winback"],
        "market_ratio": p["market_ratio"],
        "market_winback": p["market_winback"],
        "before_after_rate_ratio": p["training_ratio"] * p["market_ratio"],
        "before_after_winback": p["training_winback"] + p["market_winback"],
    }
    return CaseStudy(
        name="ecommerce_training",
        title={"en": "E-commerce: losses to service quality and staff training",
               "zh": "电商：服务质量导致的客户流失与客服培训"},
        question={
            "en": "Did training the service staff from January 2024 cut the losses to service "
                  "quality (战败客户 lost to slow response and attitude) and win lost customers "
                  "back (流失客户挽回)?",
            "zh": "2024年1月起的客服培训是否减少了因服务质量（响应慢、态度差）流失的战败客户，"
                  "并挽回了部分流失客户？"},
        design="rollout",
        data=data, truth=truth, params=p, extra={},
        notes={
            "en": "Customers acquired 2020-2022 are followed month by month through 2023-2024; "
                  "each month an active customer leaves for service, price, product or "
                  "competition with a reason hazard times a region factor and a seasonal factor. "
                  "From January 2024 the training multiplies the service hazard by 0.6, and a "
                  "competitor's launch in the same month multiplies every hazard by 1.35 and "
                  "lowers every lost customer's chance to come back within 180 days by 5 points; "
                  "the training adds 10 points to it for customers lost to service. Exits are "
                  "recorded with their reason (exit survey or CRM note), most service exits follow "
                  "a service complaint, and a returning customer has a reactivated exit row and "
                  "buys again. A customer leaves at most once.",
            "zh": "2020-2022年获取的客户在2023-2024年逐月跟踪；每月在网客户按原因（服务、价格、产品、"
                  "竞争）的风险率乘以地区系数和季节系数流失。2024年1月起培训使服务原因的风险率乘以0.6，"
                  "同月竞争对手上线使所有原因的风险率乘以1.35，并使所有流失客户180天内回流的概率降低5个"
                  "百分点；培训使因服务流失的客户回流概率提高10个百分点。流失记录原因（离网调查或CRM备注），"
                  "多数服务原因流失之前有服务投诉，回流客户有一条reactivated记录并再次购买。每位客户最多流失一次。"},
    )


# --------------------------------------------------------------------------- restaurant

_BRANCH_BASE = np.array([0.8, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.15, 1.6, 1.7, 1.8, 1.9])


def make_restaurant_complaints(seed: int = 0, n_customers: int = 12_000) -> CaseStudy:
    """A restaurant chain's complaint-handling process, rolled out in chosen branches.

    Members of twelve branches (``region`` = home branch) visit, some complain once in
    2023-2024 (service or food), and a complainer then leaves (closes the membership)
    with an exponential hazard: the branch's own level, times ``trend_ratio`` for
    complaints from 2024 (a chain-wide menu price rise), times ``process_ratio`` when
    the complaint was handled by the new process (the four branches management chose
    for their high losses, from 2024-01-01). Members who do not complain leave at a low
    background rate. Truth: the hazard ratio of the process.

    Source: simulated. Size: ``n_customers`` members (default 12,000) of twelve branches,
    about 17 visits each in 2023-2024. Event rate: about 41% complain, and about half of
    the complainers close their membership by 2024-12-31.

    Examples
    --------
    >>> case = make_restaurant_complaints(seed=0, n_customers=2_000)
    >>> case.design, case.extra["rollout"]["chosen_for_losses"].sum()
    ('rollout', np.int64(4))
    >>> case.truth["process_hazard_ratio"]
    0.6
    """
    n = int(n_customers)
    r_cust, r_cx, r_exit, r_tx = _streams(seed, 4)
    branches = tuple(f"B{k:02d}" for k in range(1, 13))
    treated = branches[8:]
    p = {
        "seed": int(seed), "n_customers": n, "start": "2023-01-01", "rollout_date": "2024-01-01",
        "observation_end": "2024-12-31", "branches": branches, "treated_branches": treated,
        "branch_factor": dict(zip(branches, _BRANCH_BASE.tolist(), strict=True)),
        "complaint_share": 0.45, "hazard_per_day": 0.0018, "trend_ratio": 1.4,
        "process_ratio": 0.6, "background_hazard_per_day": 0.0002,
        "visits_per_month": 0.8, "mean_bill": 120.0,
    }
    ids = _ids("M", n)
    start, end = np.datetime64(p["start"], "D"), np.datetime64(p["observation_end"], "D")
    window = _days(p["start"], p["observation_end"])
    acq = np.datetime64("2021-01-01") + r_cust.integers(0, _days("2021-01-01", "2022-12-31") + 1,
                                                        n) * _DAY
    b = r_cust.integers(0, len(branches), n)
    branch = np.array(branches)[b]
    customers = pd.DataFrame({"customer_id": ids, "acquisition_date": _ts(acq),
                              "region": pd.Categorical(branch, categories=branches),
                              "channel": r_cust.choice(np.array(["walk_in", "app", "delivery"]), n,
                                                       p=[0.5, 0.3, 0.2])})
    # background exit vs a complaint on a uniform day of the window
    e0 = np.floor(r_exit.exponential(1 / p["background_hazard_per_day"], n)).astype(np.int64)
    wants = r_cx.random(n) < p["complaint_share"]
    cday = r_cx.integers(0, window + 1, n)
    complains = wants & (cday < e0)
    ci = np.flatnonzero(complains)
    after = cday[ci] >= _days(p["start"], p["rollout_date"])
    is_treated = np.isin(branch[ci], treated)
    haz = p["hazard_per_day"] * _BRANCH_BASE[b[ci]] * np.where(after, p["trend_ratio"], 1.0) \
        * np.where(after & is_treated, p["process_ratio"], 1.0)
    t = np.ceil(r_exit.exponential(1 / haz)).astype(np.int64)
    exit_off = e0.copy()
    exit_off[ci] = cday[ci] + t
    left = exit_off <= window
    li = np.flatnonzero(left)
    exit_day = start + exit_off[li] * _DAY
    c_reason = r_cx.choice(np.array(["service", "product"]), ci.size, p=[0.65, 0.35])
    reason_of = np.full(n, "other", dtype=object)
    reason_of[ci] = c_reason
    bg_reason = r_exit.choice(np.array(["price", "competition", "other"]), n)
    ex_reason = np.where(complains, reason_of, bg_reason)[li]
    exits = pd.DataFrame({"customer_id": ids[li], "timestamp": _ts(exit_day),
                          "kind": "account_closed", "reason": ex_reason.astype(object),
                          "source": np.where(complains[li], "crm_note", "inferred").astype(object)})
    exits = exits.sort_values(["timestamp", "customer_id"], kind="stable").reset_index(drop=True)
    complaints = _complaints(ci, start + cday[ci] * _DAY, c_reason, ids)

    stop = np.full(n, end)
    stop[li] = exit_day
    w, d, a = _purchases(r_tx, np.full(n, start), stop, ids, p["visits_per_month"] / 30.4375,
                         p["mean_bill"])
    # every complainer visited on the day of the complaint
    transactions = _transactions(np.r_[w, ci], np.r_[d, start + cday[ci] * _DAY],
                                 np.r_[a, np.round(r_tx.gamma(3.0, p["mean_bill"] / 3, ci.size), 2)],
                                 ids)
    rollout = pd.DataFrame({"branch": list(branches),
                            "process_start": pd.to_datetime(
                                [p["rollout_date"] if x in treated else None for x in branches]),
                            "chosen_for_losses": [x in treated for x in branches]})
    data = CustomerData(customers=customers, transactions=transactions, exits=exits,
                        complaints=complaints, observation_end=pd.Timestamp(end),
                        source=f"case_study('restaurant_complaints', seed={int(seed)})")
    bf = _BRANCH_BASE
    truth = {
        "process_hazard_ratio": p["process_ratio"],
        "trend_ratio": p["trend_ratio"],
        "branch_ratio_treated_vs_untreated": float(bf[8:].mean() / bf[:8].mean()),
    }
    return CaseStudy(
        name="restaurant_complaints",
        title={"en": "Restaurant chain: a complaint-handling process",
               "zh": "连锁餐厅：投诉处理流程"},
        question={
            "en": "Did the complaint-handling process (fast apology and compensation, 投诉处理) "
                  "reduce the losses among complainers (投诉客户流失)?",
            "zh": "投诉处理流程（快速道歉与补偿）是否减少了投诉客户的流失？"},
        design="rollout",
        data=data, truth=truth, params=p, extra={"rollout": rollout},
        notes={
            "en": "Members of twelve branches (region = home branch) visit about once a month; "
                  "45% would complain once on a uniform day of 2023-2024 (service or food). After "
                  "a complaint a member closes the membership with a constant hazard: the "
                  "branch's level (the four branches B09-B12 lose about 70% more), times 1.4 for "
                  "complaints from 2024 (a chain-wide menu price rise), times 0.6 where the new "
                  "process handled the complaint: B09-B12, chosen by management for their losses, "
                  "from 2024-01-01. Members who do not complain leave at a low background rate. "
                  "Extra table `rollout`: branch, process_start (NaT: not yet), "
                  "chosen_for_losses.",
            "zh": "12家门店的会员（region为所属门店）约每月消费一次；45%的会员会在2023-2024年某一天投诉一次"
                  "（服务或菜品）。投诉后会员以恒定风险率注销会员：门店自身水平（B09-B12四家门店高约70%），"
                  "2024年起的投诉乘以1.4（全连锁菜单涨价），由新流程处理的投诉乘以0.6：管理层因流失高而选定的"
                  "B09-B12自2024-01-01起实施。未投诉的会员以较低的背景风险率流失。附加表rollout：门店、"
                  "流程开始日期（NaT表示尚未实施）、是否因流失高而被选中。"},
    )


# --------------------------------------------------------------------------- insurance

_INS_REASONS = ("price", "budget", "service", "competition", "other")


def make_insurance_premiums(seed: int = 0, n_customers: int = 30_000) -> CaseStudy:
    """An insurer's flexible plans for lapsed policyholders: agents' choice, then at random.

    Policyholders (one policy each, monthly premium) lapse in 2023 or 2024, most over the
    premium. A week after the lapse each lapsed policyholder is either offered a flexible
    plan (premium ``discount`` lower) or not: in 2023 the agents chose, favouring the
    policyholders they still had a good rapport with (unrecorded) and long tenure; in
    2024 a coin decided. Reinstatement within 60 days has probability ``p0`` (higher with
    rapport, tenure and a price lapse) plus the plan's effect (``effect_price`` for price
    lapses, ``effect_other`` otherwise). A reinstated policy earns ``margin`` of its annual
    premium, less the discount on a flexible plan. Truth: the effects, the agents'
    season's effect on the offered, and the value net of the discount per offer.

    Source: simulated. Size: ``n_customers`` policyholders (default 30,000), one policy
    each. Event rate: about 32% lapse in 2023-2024, and about 21% of the lapsed are
    reinstated within 60 days.

    Examples
    --------
    >>> case = make_insurance_premiums(seed=0, n_customers=2_000)
    >>> case.design, sorted(case.data.campaigns["campaign"].unique().tolist())
    ('randomised', ['flex_2023', 'flex_2024'])
    >>> case.truth["uplift_price"], case.truth["uplift_other"]
    (0.15, 0.03)
    """
    n = int(n_customers)
    r_cust, r_lapse, r_offer, r_resp = _streams(seed, 4)
    p = {
        "seed": int(seed), "n_customers": n, "observation_end": "2025-03-31",
        "lapse_share": {"2023": 0.16, "2024": 0.16},
        "reason_share": {"price": 0.55, "budget": 0.15, "service": 0.1, "competition": 0.1,
                         "other": 0.1},
        "p0": {"base": 0.05, "long_tenure": 0.07, "rapport": 0.12, "price": 0.03},
        "rapport_share": 0.4, "effect_price": 0.15, "effect_other": 0.03,
        "agent_offer": {"base": 0.10, "rapport": 0.45, "long_tenure": 0.15},
        "random_offer_share": 0.5, "discount": 0.10, "margin": 0.30,
        "long_tenure_years": 3, "response_days": 60, "mean_monthly_premium": 250.0,
    }
    ids = _ids("P", n)
    acq = np.datetime64("2015-01-01") + r_cust.integers(0, _days("2015-01-01", "2022-12-31") + 1,
                                                        n) * _DAY
    premium = np.round(r_cust.gamma(4.0, p["mean_monthly_premium"] / 4.0, n), 2)
    customers = pd.DataFrame({
        "customer_id": ids, "acquisition_date": _ts(acq),
        "region": pd.Categorical(r_cust.choice(np.array(_REGIONS), n), categories=_REGIONS),
        "channel": r_cust.choice(np.array(["agent", "online", "bank"]), n, p=[0.6, 0.25, 0.15])})

    u = r_lapse.random(n)
    s1, s2 = p["lapse_share"]["2023"], p["lapse_share"]["2024"]
    season = np.where(u < s1, 1, np.where(u < s1 + s2, 2, 0))
    li = np.flatnonzero(season > 0)
    k = li.size
    ls = season[li]
    lapse = np.where(ls == 1, np.datetime64("2023-01-01", "D"), np.datetime64("2024-01-01", "D")) \
        + r_lapse.integers(0, 365, k) * _DAY
    rs = np.array([p["reason_share"][r] for r in _INS_REASONS])
    # dearer policies lapse over price more often
    pr_price = np.clip(rs[0] * (premium[li] / p["mean_monthly_premium"]) ** 0.5, 0.05, 0.95)
    is_price = r_lapse.random(k) < pr_price
    other = r_lapse.choice(np.array(_INS_REASONS[1:]), k, p=rs[1:] / rs[1:].sum())
    reason = np.where(is_price, "price", other)
    tenure = (lapse - acq[li]) / _DAY / 365.25
    long_t = tenure >= p["long_tenure_years"]
    rapport = r_lapse.random(k) < p["rapport_share"]
    q = p["p0"]
    p0 = q["base"] + q["long_tenure"] * long_t + q["rapport"] * rapport + q["price"] * is_price
    eff = np.where(is_price, p["effect_price"], p["effect_other"])
    a = p["agent_offer"]
    p_offer = np.where(ls == 1, a["base"] + a["rapport"] * rapport + a["long_tenure"] * long_t,
                       p["random_offer_share"])
    offered = r_offer.random(k) < p_offer
    responded = r_resp.random(k) < p0 + eff * offered
    contact = lapse + 7 * _DAY
    resp_day = contact + r_resp.integers(1, p["response_days"] + 1, k) * _DAY

    pol = _ids("POL", n)
    end_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    end_date[li] = lapse
    end_reason = np.full(n, None, dtype=object)
    end_reason[li] = reason
    ri = np.flatnonzero(responded)
    contracts = pd.concat([
        pd.DataFrame({"contract_id": pol, "customer_id": ids, "start_date": _ts(acq),
                      "end_date": _ts(end_date), "end_reason": end_reason, "plan": "standard",
                      "billing_period": "M", "recurring_amount": premium}),
        pd.DataFrame({"contract_id": np.char.add("R", pol[li[ri]].astype(str)).astype(object),
                      "customer_id": ids[li[ri]], "start_date": _ts(resp_day[ri]),
                      "end_date": pd.NaT, "end_reason": None,
                      "plan": np.where(offered[ri], "flexible", "standard"),
                      "billing_period": "M",
                      "recurring_amount": np.round(premium[li[ri]] * np.where(
                          offered[ri], 1 - p["discount"], 1.0), 2)}),
    ], ignore_index=True)
    exits = pd.concat([
        pd.DataFrame({"customer_id": ids[li], "timestamp": _ts(lapse), "kind": "contract_ended",
                      "reason": reason.astype(object), "source": "exit_survey",
                      "contract_id": pol[li]}),
        pd.DataFrame({"customer_id": ids[li[ri]], "timestamp": _ts(resp_day[ri]),
                      "kind": "reactivated", "reason": None, "source": None,
                      "contract_id": None}),
    ], ignore_index=True).sort_values(["timestamp", "customer_id"], kind="stable") \
        .reset_index(drop=True)
    campaigns = pd.DataFrame({
        "customer_id": ids[li], "campaign": np.where(ls == 1, "flex_2023", "flex_2024"),
        "timestamp": _ts(contact), "kind": "winback",
        "offer": np.where(offered, "flexible_plan", "control"), "randomised": ls == 2,
        "responded": responded, "response_date": _ts(np.where(responded, resp_day,
                                                               np.datetime64("NaT"))),
    }).sort_values(["timestamp", "customer_id"], kind="stable").reset_index(drop=True)
    data = CustomerData(customers=customers, contracts=contracts, exits=exits,
                        campaigns=campaigns,
                        observation_end=pd.Timestamp(p["observation_end"]),
                        source=f"case_study('insurance_premiums', seed={int(seed)})")

    # truth on the customers of this sample
    annual = 12 * premium[li]
    m, d = p["margin"], p["discount"]
    net = ((p0 + eff) * (m - d) - p0 * m) * annual
    r2 = ls == 2
    o1 = (ls == 1) & offered
    truth = {
        "uplift_randomised": float(eff[r2].mean()),
        "uplift_price": p["effect_price"], "uplift_other": p["effect_other"],
        "uplift_agents_offered": float(eff[o1].mean()),
        "net_value_per_offer_price": float(net[r2 & is_price].mean()),
        "net_value_per_offer_other": float(net[r2 & ~is_price].mean()),
        "margin": m, "discount": d,
    }
    offer_terms = pd.DataFrame({"plan": ["standard", "flexible"], "premium_discount": [0.0, d],
                                "margin_on_premium": [m, m - d]})
    return CaseStudy(
        name="insurance_premiums",
        title={"en": "Insurance: flexible plans for policyholders lost to premiums",
               "zh": "保险：为因保费过高而流失的投保人提供灵活方案"},
        question={
            "en": "Do flexible plans (lower premium, 灵活缴费方案) win lapsed policyholders "
                  "(战败客户) back, for whom, and is it worth the premium given up?",
            "zh": "灵活方案（降低保费）能否挽回已退保的投保人？对哪些人有效？扣除让出的保费后是否值得？"},
        design="randomised",
        data=data, truth=truth, params=p, extra={"offer_terms": offer_terms},
        notes={
            "en": "Policyholders hold one monthly-premium policy; 16% lapse in 2023 and 16% in "
                  "2024, most over price (more often the dearer policies), the rest over budget, "
                  "service, competition or other reasons (the contract's end_reason and the exit "
                  "survey). A week after the lapse a win-back contact offers a flexible plan (10% "
                  "lower premium) or nothing ('control'): in 2023 (campaign flex_2023) the agents "
                  "chose, favouring long tenure and the policyholders they still had a rapport "
                  "with, which is not recorded and raises the chance of coming back by 12 points; "
                  "in 2024 (flex_2024, randomised) a coin chose. The plan raises reinstatement "
                  "within 60 days by 15 points after a price lapse and by 3 points otherwise. A "
                  "reinstated policy is a new contract (plan flexible or standard) and a "
                  "reactivated exit row. Extra table `offer_terms`: the premium discount and the "
                  "margin on premium of each plan.",
            "zh": "每位投保人持有一份按月缴费的保单；2023年和2024年各有16%退保，多数因价格（保费越高越常见），"
                  "其余因预算、服务、竞争或其他原因（合同end_reason与离网调查）。退保一周后的挽回联系提供灵活"
                  "方案（保费降低10%）或不提供（control）：2023年（flex_2023）由代理人选择，偏向投保年限长以及"
                  "仍有良好关系的投保人（未记录，使回流概率提高12个百分点）；2024年（flex_2024，随机）由抛硬币决定。"
                  "灵活方案使价格原因退保者60天内复效的概率提高15个百分点，其他原因提高3个百分点。复效保单为一份"
                  "新合同（flexible或standard）并有一条reactivated记录。附加表offer_terms：各方案的保费折扣与"
                  "保费利润率。"},
    )


#: The lost-customer cases by name (see :func:`segkit.datasets.case_study`).
CASES = {
    "ecommerce_training": make_ecommerce_training,
    "restaurant_complaints": make_restaurant_complaints,
    "insurance_premiums": make_insurance_premiums,
}
