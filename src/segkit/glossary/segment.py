"""Terms of the segmentation and tiering module (:mod:`segkit.segment`), its figures and report."""

from __future__ import annotations

# RFM scores, segment maps, tier dynamics (segment/rfm.py, segment/migration.py)
_RFM: dict[str, dict[str, str]] = {
    # RFM scores (RFMScorer)
    "rfm_analysis": {"en": "RFM analysis", "zh": "RFM 分析"},
    "rfm_recency": {"en": "recency", "zh": "最近一次消费"},
    "rfm_frequency": {"en": "frequency", "zh": "消费频率"},
    "rfm_monetary": {"en": "monetary value", "zh": "消费金额"},
    "rfm_r_score": {"en": "R score", "zh": "R 分"},
    "rfm_f_score": {"en": "F score", "zh": "F 分"},
    "rfm_m_score": {"en": "M score", "zh": "M 分"},
    "rfm_fm": {"en": "FM (mean of F and M, rounded down)", "zh": "FM（F 与 M 的平均值，向下取整）"},
    "rfm_code": {"en": "RFM code", "zh": "RFM 代码"},
    "rfm_score": {"en": "RFM score (R + F + M)", "zh": "RFM 总分（R + F + M）"},
    "rfm_cut_points": {"en": "RFM cut points", "zh": "RFM 分段界值"},
    "rfm_score_rule": {"en": "score {score}: {rule}", "zh": "{score} 分：{rule}"},
    "rfm_share": {"en": "share of customers", "zh": "客户占比"},
    # segments of a segment map (SegmentMap, STANDARD_MAP): name, then what it means and
    # the usual action
    "seg_segment": {"en": "segment", "zh": "细分群体"},
    "seg_champions": {"en": "champions", "zh": "冠军客户"},
    "seg_champions_note": {
        "en": "Bought recently, buy often and spend the most: reward them, ask for reviews "
              "and referrals, offer new products first.",
        "zh": "最近购买、购买频繁且花费最多：给予奖励，邀请评价和推荐，优先推出新品。",
    },
    "seg_loyal": {"en": "loyal customers", "zh": "忠诚客户"},
    "seg_loyal_note": {
        "en": "Buy often and spend well, though not the most recently: upsell, offer a "
              "membership or loyalty programme.",
        "zh": "购买频繁、花费可观，但最近一次购买不是最近：向上销售，提供会员或忠诚度计划。",
    },
    "seg_potential_loyalists": {"en": "potential loyalists", "zh": "潜在忠诚客户"},
    "seg_potential_loyalists_note": {
        "en": "Recent customers with average frequency and spend: offer a membership and "
              "recommendations to make them loyal.",
        "zh": "近期购买、频率和金额中等：提供会员和推荐，培养其忠诚度。",
    },
    "seg_new_customers": {"en": "new customers", "zh": "新客户"},
    "seg_new_customers_note": {
        "en": "Bought very recently, once or little: welcome them, help them start, make the "
              "second purchase easy.",
        "zh": "刚刚购买、仅购买一次或很少：欢迎引导，帮助上手，促成第二次购买。",
    },
    "seg_promising": {"en": "promising", "zh": "有希望的客户"},
    "seg_promising_note": {
        "en": "Recent buyers who have not bought much yet: build brand awareness, offer "
              "free trials or a small incentive.",
        "zh": "近期购买但尚未多买：提升品牌认知，提供试用或小额激励。",
    },
    "seg_need_attention": {"en": "need attention", "zh": "需要关注的客户"},
    "seg_need_attention_note": {
        "en": "Average recency, frequency and spend, slipping: limited-time offers and "
              "recommendations based on past purchases.",
        "zh": "最近度、频率和金额中等且在下滑：限时优惠，按历史购买推荐。",
    },
    "seg_about_to_sleep": {"en": "about to sleep", "zh": "即将沉睡的客户"},
    "seg_about_to_sleep_note": {
        "en": "Below-average recency, frequency and spend: reactivate them with popular "
              "products and discounts before they are lost.",
        "zh": "最近度、频率和金额偏低：用热门商品和折扣重新激活，以免流失。",
    },
    "seg_at_risk": {"en": "at risk", "zh": "有流失风险的客户"},
    "seg_at_risk_note": {
        "en": "Bought often or spent well, but long ago: personal win-back mail, renewals "
              "and helpful offers.",
        "zh": "曾经购买频繁或花费可观，但已很久未购买：个性化挽回邮件、续约和有用的优惠。",
    },
    "seg_cant_lose": {"en": "can't lose them", "zh": "不能失去的客户"},
    "seg_cant_lose_note": {
        "en": "The biggest and most frequent buyers, gone silent for the longest: win them "
              "back in person, find out why, do not lose them to a competitor.",
        "zh": "最大、最频繁的买家却沉寂最久：亲自挽回，了解原因，不要让其流向竞争对手。",
    },
    "seg_hibernating": {"en": "hibernating", "zh": "休眠客户"},
    "seg_hibernating_note": {
        "en": "Last purchase long ago, few orders, low spend: offer other relevant products "
              "and special discounts; limit the cost.",
        "zh": "上次购买很久以前、订单少、花费低：推荐相关商品和专属折扣，控制成本。",
    },
    "seg_lost": {"en": "lost", "zh": "已流失客户"},
    "seg_lost_note": {
        "en": "Lowest recency, frequency and spend: revive interest with a reach-out "
              "campaign, else ignore.",
        "zh": "最近度、频率和金额都最低：用一次触达活动唤回兴趣，否则放弃。",
    },
    "seg_no_purchase": {"en": "no purchase yet", "zh": "尚未购买"},
    "seg_no_purchase_note": {
        "en": "Acquired but no purchase up to the observation end, so no R, F or M score: "
              "an onboarding case, not an RFM segment.",
        "zh": "已获取但截至观察期末未购买，因此没有 R、F、M 分：属于新客引导，而非 RFM 细分。",
    },
    "seg_any": {"en": "any", "zh": "任意"},
    "seg_explain": {
        "en": "{segment}: R {r}, F {f}, M {m} (FM {fm}) meets the rule {rule}",
        "zh": "{segment}：R {r}、F {f}、M {m}（FM {fm}）符合规则 {rule}",
    },
    "seg_explain_unscored": {
        "en": "{segment}: no purchase up to the observation end, so no R, F, M score",
        "zh": "{segment}：截至观察期末没有购买，因此没有 R、F、M 分",
    },
    "seg_rule": {"en": "rule", "zh": "规则"},
    "seg_action": {"en": "usual action", "zh": "常规措施"},
    "seg_codes": {"en": "score combinations", "zh": "分数组合数"},
    # tier dynamics (segment/migration.py)
    "mig_period": {"en": "period end", "zh": "期末"},
    "mig_from": {"en": "tier at the start", "zh": "期初等级"},
    "mig_to": {"en": "tier at the end", "zh": "期末等级"},
    "mig_new": {"en": "new (not there before)", "zh": "新进入（上期不在）"},
    "mig_gone": {"en": "gone (not there after)", "zh": "离开（下期不在）"},
    "mig_matrix": {"en": "migration matrix", "zh": "等级迁移矩阵"},
    "mig_upgrade": {"en": "upgrade", "zh": "升级"},
    "mig_stay": {"en": "stay", "zh": "保持"},
    "mig_downgrade": {"en": "downgrade", "zh": "降级"},
    "mig_upgrade_rate": {"en": "upgrade rate", "zh": "升级率"},
    "mig_stay_rate": {"en": "stay rate", "zh": "保持率"},
    "mig_downgrade_rate": {"en": "downgrade rate", "zh": "降级率"},
    "mig_gone_rate": {"en": "leaving rate", "zh": "离开率"},
    "mig_expected_time": {"en": "expected time in tier (periods)", "zh": "预期停留期数"},
    "mig_transitions": {"en": "transitions", "zh": "迁移次数"},
}

# tier schemes, base customers, lifecycle stages (segment/tiers.py, base.py, lifecycle.py)
_TIERS: dict[str, dict[str, str]] = {
}

# clusters, look-alike selection, fairness audit (segment/cluster.py, lookalike.py, fairness.py)
_CLUSTER: dict[str, dict[str, str]] = {
}

TERMS: dict[str, dict[str, str]] = {**_RFM, **_TIERS, **_CLUSTER}
