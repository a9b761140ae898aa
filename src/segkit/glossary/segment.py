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
    # tier labels not in common.py (key, ordinary, small, inferior, vip, potential are)
    "tier_important": {"en": "important customers (A)", "zh": "重要客户（A类）"},
    "tier_general": {"en": "general customers (B)", "zh": "一般客户（B类）"},
    "tier_risk": {"en": "potential risk customers (C)", "zh": "潜在风险客户（C类）"},
    "tier_base": {"en": "base customers", "zh": "基盘客户"},
    "tier_other": {"en": "other customers", "zh": "其他客户"},
    "stage_churned": {"en": "churned", "zh": "流失期"},
    "tier_scheme_pareto": {"en": "key / ordinary / small (ABC)", "zh": "关键 / 普通 / 小客户（ABC）"},
    "tier_scheme_importance_risk": {"en": "A / B / C by importance and risk",
                                    "zh": "按重要性与风险分 A / B / C 类"},
    "tier_scheme_vip": {"en": "VIP / potential / ordinary", "zh": "VIP / 潜力 / 普通客户"},
    # one explanation line: the tier's label, then why
    "tier_reason_line": {"en": "{tier}: {reason}", "zh": "{tier}：{reason}"},
    # columns a rule reads or a tier table shows
    "tier_col_revenue": {"en": "revenue", "zh": "收入"},
    "tier_col_margin": {"en": "margin", "zh": "利润"},
    "tier_col_cost_to_serve": {"en": "cost to serve", "zh": "服务成本"},
    "tier_col_tenure_days": {"en": "tenure (days)", "zh": "客户时长（天）"},
    "tier_col_orders": {"en": "orders", "zh": "订单数"},
    "tier_col_recency_days": {"en": "days since the last purchase", "zh": "距上次购买天数"},
    "tier_col_ipt_mean_days": {"en": "usual days between purchases", "zh": "平均购买间隔（天）"},
    "tier_col_ipt_cv": {"en": "variability of the days between purchases",
                        "zh": "购买间隔变异系数"},
    "tier_col_recency_ratio": {"en": "recency ratio", "zh": "未购倍数"},
    "tier_col_recency_ratio_note": {
        "en": "days since the last purchase divided by the customer's usual days between "
              "purchases",
        "zh": "距上次购买天数除以该客户平常的购买间隔天数",
    },
    "tier_col_value_per_day": {"en": "value per day of tenure", "zh": "每天贡献"},
    "tier_col_label": {"en": "tier", "zh": "等级"},
    "tier_col_condition": {"en": "condition", "zh": "条件"},
    "tier_col_thresholds": {"en": "thresholds", "zh": "阈值"},
    "tier_col_reason": {"en": "reason", "zh": "原因"},
    "tier_col_customers": {"en": "customers", "zh": "客户数"},
    "tier_col_share": {"en": "share of customers", "zh": "客户占比"},
    "tier_col_value_share": {"en": "share of value", "zh": "价值占比"},
    "tier_col_mean_revenue": {"en": "mean revenue", "zh": "平均收入"},
    "tier_col_mean_margin": {"en": "mean margin", "zh": "平均利润"},
    "tier_col_mean_cost_to_serve": {"en": "mean cost to serve", "zh": "平均服务成本"},
    "tier_col_revenue_h": {"en": "revenue in the horizon", "zh": "观察期后收入"},
    "tier_col_orders_h": {"en": "orders in the horizon", "zh": "观察期后订单数"},
    "tier_col_cost_to_serve_h": {"en": "cost to serve in the horizon", "zh": "观察期后服务成本"},
    "tier_col_margin_h": {"en": "margin in the horizon", "zh": "观察期后利润"},
    "tier_col_no_purchase_h": {"en": "no purchase in the horizon", "zh": "观察期后未再购买"},
    "tier_col_true_churned_at_end": {"en": "truly churned at the observation end",
                                     "zh": "观察期末已真实流失"},
    "tier_col_true_churn_h": {"en": "true churn in the horizon (of those alive)",
                              "zh": "观察期后真实流失（期末仍存续者）"},
    "tier_col_true_churned_by_h": {"en": "truly churned by the end of the horizon",
                                   "zh": "至观察期后期末已真实流失"},
    # ABC / Pareto tiers (ParetoTiers)
    "tier_rule_pareto_key": {
        "en": "{col} at least {key_threshold}: the customers who together bring the first "
              "{share_key} of {col}, largest first",
        "zh": "{col}不低于 {key_threshold}：按{col}从高到低累计贡献前 {share_key} 的客户",
    },
    "tier_rule_pareto_ordinary": {
        "en": "{col} at least {ordinary_threshold} and below {key_threshold}: the customers "
              "who bring the {col} from {share_key} up to {share_ordinary}",
        "zh": "{col}不低于 {ordinary_threshold} 且低于 {key_threshold}：累计贡献从 "
              "{share_key} 到 {share_ordinary} 的客户",
    },
    "tier_rule_pareto_small": {
        "en": "{col} below {ordinary_threshold}: the other customers",
        "zh": "{col}低于 {ordinary_threshold}：其余客户",
    },
    "tier_rule_inferior": {
        "en": "{col} below 0: costs more than it brings; overrides the tiers above",
        "zh": "{col}低于 0：成本高于贡献；优先于以上各级",
    },
    "tier_reason_pareto_key": {
        "en": "{col} {value} ≥ {key_threshold}, the cut-off of the customers who together "
              "bring the first {share_key} of {col}",
        "zh": "{col} {value} ≥ {key_threshold}，即按{col}从高到低累计贡献前 {share_key} "
              "的客户的门槛",
    },
    "tier_reason_pareto_ordinary": {
        "en": "{col} {value} is below {key_threshold} (key customers) and at least "
              "{ordinary_threshold}, the cut-off of the first {share_ordinary} of {col}",
        "zh": "{col} {value} 低于 {key_threshold}（关键客户门槛），且不低于 "
              "{ordinary_threshold}，即累计贡献前 {share_ordinary} 的{col}的门槛",
    },
    "tier_reason_pareto_small": {
        "en": "{col} {value} is below {ordinary_threshold}, the cut-off of the first "
              "{share_ordinary} of {col}",
        "zh": "{col} {value} 低于 {ordinary_threshold}，即累计贡献前 {share_ordinary} "
              "的{col}的门槛",
    },
    "tier_reason_inferior": {
        "en": "{col} {value} is below 0, so the customer costs more than it brings (this "
              "overrides the {value_col} tier)",
        "zh": "{col} {value} 低于 0，客户带来的收益抵不上其成本（优先于按{value_col}的分级）",
    },
    # A / B / C by importance and risk (ImportanceRiskTiers)
    "tier_value_rule_share": {
        "en": "the cut-off of the customers who together bring the first {share} of {col}",
        "zh": "按{col}累计贡献前 {share} 的客户的门槛",
    },
    "tier_value_rule_quantile": {
        "en": "the {quantile} quantile of {col}",
        "zh": "{col}的 {quantile} 分位数",
    },
    "tier_rule_ir_important": {
        "en": "{risk_name} at most {risk_threshold} and {col} at least {value_threshold} "
              "({value_rule})",
        "zh": "{risk_name}不高于 {risk_threshold}，且{col}不低于 {value_threshold}"
              "（{value_rule}）",
    },
    "tier_rule_ir_general": {
        "en": "{risk_name} at most {risk_threshold} and {col} below {value_threshold}",
        "zh": "{risk_name}不高于 {risk_threshold}，且{col}低于 {value_threshold}",
    },
    "tier_rule_ir_risk": {
        "en": "{risk_name} above {risk_threshold}, whatever the {col}",
        "zh": "{risk_name}高于 {risk_threshold}，不论{col}高低",
    },
    "tier_reason_ir_important": {
        "en": "{col} {value} ≥ {value_threshold} ({value_rule}) and {risk_name} {risk} ≤ "
              "{risk_threshold}",
        "zh": "{col} {value} ≥ {value_threshold}（{value_rule}），且{risk_name} {risk} ≤ "
              "{risk_threshold}",
    },
    "tier_reason_ir_general": {
        "en": "{risk_name} {risk} ≤ {risk_threshold}, but {col} {value} is below "
              "{value_threshold} ({value_rule})",
        "zh": "{risk_name} {risk} ≤ {risk_threshold}，但{col} {value} 低于 {value_threshold}"
              "（{value_rule}）",
    },
    "tier_reason_ir_risk": {
        "en": "{risk_name} {risk} is above {risk_threshold}",
        "zh": "{risk_name} {risk} 高于 {risk_threshold}",
    },
    "tier_reason_ir_risk_recency": {
        "en": "{risk_name} {risk} is above {risk_threshold} ({recency} days since the last "
              "purchase, usual gap {gap} days)",
        "zh": "{risk_name} {risk} 高于 {risk_threshold}（距上次购买 {recency} 天，平常购买间隔 "
              "{gap} 天）",
    },
    "tier_reason_ir_risk_never": {
        "en": "no purchase yet, so the {risk_name} is infinite",
        "zh": "尚无购买，{risk_name}为无穷大",
    },
    # VIP / potential / ordinary (VIPTiers)
    "tier_rule_vip": {
        "en": "{col} at least {vip_threshold} (and above 0): the top {vip_share} of customers "
              "by {col}",
        "zh": "{col}不低于 {vip_threshold}（且大于 0）：{col}最高的前 {vip_share} 客户",
    },
    "tier_rule_potential": {
        "en": "not VIP, tenure below {max_tenure} days, and {col} per day of tenure at least "
              "{rate_threshold}, the {quantile} quantile of the VIP customers' (tenure "
              "counted as at least {min_days} days)",
        "zh": "非VIP，客户时长不足 {max_tenure} 天，且每天{col}不低于 {rate_threshold}，即VIP"
              "客户每天{col}的 {quantile} 分位数（客户时长至少按 {min_days} 天计）",
    },
    "tier_rule_vip_ordinary": {"en": "all other customers", "zh": "其余所有客户"},
    "tier_reason_vip": {
        "en": "{col} {value} ≥ {vip_threshold}, the cut-off of the top {vip_share} of "
              "customers by {col}",
        "zh": "{col} {value} ≥ {vip_threshold}，即{col}最高的前 {vip_share} 客户的门槛",
    },
    "tier_reason_potential": {
        "en": "{col} {value} is below {vip_threshold} (VIP), but in {tenure} days of tenure "
              "(< {max_tenure}) it brings {rate} per day, at least {rate_threshold}, the "
              "{quantile} quantile of the VIP customers' {col} per day",
        "zh": "{col} {value} 低于 {vip_threshold}（VIP门槛），但在 {tenure} 天的客户时长内"
              "（< {max_tenure} 天）每天贡献 {rate}，不低于 {rate_threshold}，即VIP客户每天"
              "{col}的 {quantile} 分位数",
    },
    "tier_reason_vip_ordinary_tenure": {
        "en": "{col} {value} is below {vip_threshold} (VIP), and with {tenure} days of "
              "tenure (at least {max_tenure}) the customer is no longer new",
        "zh": "{col} {value} 低于 {vip_threshold}（VIP门槛），且客户时长 {tenure} 天（不少于 "
              "{max_tenure} 天），已不是新客户",
    },
    "tier_reason_vip_ordinary_rate": {
        "en": "{col} {value} is below {vip_threshold} (VIP), and {rate} per day is below "
              "{rate_threshold}, the VIP pace",
        "zh": "{col} {value} 低于 {vip_threshold}（VIP门槛），且每天贡献 {rate} 低于 VIP "
              "水平 {rate_threshold}",
    },
    # base customers (BaseCustomers)
    "base_rule_base": {
        "en": "tenure at least {min_tenure} days, at least {min_orders} orders, variability "
              "of the days between purchases at most {max_cv}, days since the last purchase "
              "at most {factor} × the usual gap, and {col} at least {value_threshold} (the "
              "{quantile} quantile)",
        "zh": "客户时长不少于 {min_tenure} 天，订单数不少于 {min_orders}，购买间隔变异系数不高于 "
              "{max_cv}，距上次购买天数不超过平常间隔的 {factor} 倍，且{col}不低于 "
              "{value_threshold}（{quantile} 分位数）",
    },
    "base_rule_other": {
        "en": "customers who miss any of the criteria of base customers",
        "zh": "未满足基盘客户任一条件的客户",
    },
    "base_sep": {"en": "; ", "zh": "；"},
    "base_reason_base": {
        "en": "meets all five criteria: {criteria}",
        "zh": "满足全部五项条件：{criteria}",
    },
    "base_reason_other": {
        "en": "fails {n} of the five criteria: {criteria}",
        "zh": "五项条件中有 {n} 项未满足：{criteria}",
    },
    "base_pass_tenure": {"en": "tenure {tenure} days ≥ {min_tenure}",
                         "zh": "客户时长 {tenure} 天 ≥ {min_tenure}"},
    "base_fail_tenure": {"en": "tenure {tenure} days < {min_tenure}",
                         "zh": "客户时长 {tenure} 天 < {min_tenure}"},
    "base_pass_orders": {"en": "{orders} orders ≥ {min_orders}",
                         "zh": "订单数 {orders} ≥ {min_orders}"},
    "base_fail_orders": {"en": "{orders} orders < {min_orders}",
                         "zh": "订单数 {orders} < {min_orders}"},
    "base_pass_regular": {"en": "variability of the days between purchases {cv} ≤ {max_cv}",
                          "zh": "购买间隔变异系数 {cv} ≤ {max_cv}"},
    "base_fail_regular": {"en": "variability of the days between purchases {cv} > {max_cv}",
                          "zh": "购买间隔变异系数 {cv} > {max_cv}"},
    "base_unknown_regular": {
        "en": "variability of the days between purchases unknown (needs 3 orders)",
        "zh": "购买间隔变异系数未知（需至少 3 笔订单）",
    },
    "base_pass_loyal": {
        "en": "{recency} days since the last purchase ≤ {factor} × the usual gap of {gap} days",
        "zh": "距上次购买 {recency} 天 ≤ 平常间隔 {gap} 天的 {factor} 倍",
    },
    "base_fail_loyal": {
        "en": "{recency} days since the last purchase > {factor} × the usual gap of {gap} days",
        "zh": "距上次购买 {recency} 天 > 平常间隔 {gap} 天的 {factor} 倍",
    },
    "base_unknown_loyal": {
        "en": "usual gap between purchases unknown (needs 2 orders)",
        "zh": "平常购买间隔未知（需至少 2 笔订单）",
    },
    "base_pass_value": {"en": "{col} {value} ≥ {value_threshold} (the {quantile} quantile)",
                        "zh": "{col} {value} ≥ {value_threshold}（{quantile} 分位数）"},
    "base_fail_value": {"en": "{col} {value} < {value_threshold} (the {quantile} quantile)",
                        "zh": "{col} {value} < {value_threshold}（{quantile} 分位数）"},
    # lifecycle stages (LifecycleStages)
    "stage_rule_churned": {
        "en": "no purchase for more than {lapse_days} days and more than {factor} × the "
              "usual gap between purchases (the customer's own; {gap} days for a customer "
              "with one order); checked first",
        "zh": "超过 {lapse_days} 天且超过平常购买间隔的 {factor} 倍未购买（按客户自身间隔；"
              "仅一笔订单的客户按 {gap} 天计）；最先判断",
    },
    "stage_rule_exploration": {
        "en": "tenure below {exploration_days} days: a new customer",
        "zh": "客户时长不足 {exploration_days} 天：新客户",
    },
    "stage_rule_decline": {
        "en": "tenure at least {min_tenure} days, the customer's earlier pace predicts at "
              "least {min_orders} orders in the last {window} days, but the revenue of those "
              "days is below {ratio} of what that pace predicts",
        "zh": "客户时长不少于 {min_tenure} 天，按此前节奏最近 {window} 天应至少有 {min_orders} "
              "笔订单，但这些天的收入低于按此前节奏预计值的 {ratio}",
    },
    "stage_rule_growth": {
        "en": "tenure below {maturity_days} days, still buying at the usual pace",
        "zh": "客户时长不足 {maturity_days} 天，仍按平常节奏购买",
    },
    "stage_rule_maturity": {
        "en": "tenure at least {maturity_days} days, still buying at the usual pace",
        "zh": "客户时长不少于 {maturity_days} 天，仍按平常节奏购买",
    },
    "stage_reason_churned": {
        "en": "no purchase for {recency} days, more than {lapse_days} days and more than "
              "{factor} × the usual gap of {gap} days",
        "zh": "已 {recency} 天未购买，超过 {lapse_days} 天，也超过平常间隔 {gap} 天的 "
              "{factor} 倍",
    },
    "stage_reason_churned_never": {
        "en": "no purchase in the {silence} days since acquisition, more than {lapse_days} "
              "days and more than {factor} × the usual gap of {gap} days",
        "zh": "获客后 {silence} 天内从未购买，超过 {lapse_days} 天，也超过平常间隔 {gap} 天的 "
              "{factor} 倍",
    },
    "stage_reason_exploration": {
        "en": "tenure {tenure} days < {exploration_days}: a new customer (last purchase "
              "{recency} days ago)",
        "zh": "客户时长 {tenure} 天 < {exploration_days}：新客户（上次购买在 {recency} 天前）",
    },
    "stage_reason_decline": {
        "en": "revenue of the last {window} days {recent} is below {ratio} of {expected}, "
              "what the customer's earlier pace predicts ({expected_orders} orders)",
        "zh": "最近 {window} 天收入 {recent} 低于按此前节奏预计值 {expected} 的 {ratio}"
              "（预计 {expected_orders} 笔订单）",
    },
    "stage_reason_growth": {
        "en": "tenure {tenure} days, from {exploration_days} to below {maturity_days}, still "
              "buying (last purchase {recency} days ago, usual gap {gap} days)",
        "zh": "客户时长 {tenure} 天，在 {exploration_days} 到 {maturity_days} 天之间，仍在购买"
              "（上次购买在 {recency} 天前，平常间隔 {gap} 天）",
    },
    "stage_reason_maturity": {
        "en": "tenure {tenure} days ≥ {maturity_days}, still buying (last purchase {recency} "
              "days ago, usual gap {gap} days)",
        "zh": "客户时长 {tenure} 天 ≥ {maturity_days}，仍在购买（上次购买在 {recency} 天前，"
              "平常间隔 {gap} 天）",
    },
    "stage_col_accuracy": {"en": "accuracy", "zh": "准确率"},
    "stage_col_balanced_accuracy": {"en": "balanced accuracy", "zh": "平衡准确率"},
    "stage_col_majority_baseline": {"en": "majority-class baseline", "zh": "多数类基准"},
    "stage_col_true": {"en": "true stage", "zh": "真实阶段"},
    "stage_col_predicted": {"en": "predicted stage", "zh": "预测阶段"},
    "stage_col_precision": {"en": "precision", "zh": "精确率"},
    "stage_col_recall": {"en": "recall", "zh": "召回率"},
}

# clusters, look-alike selection, fairness audit (segment/cluster.py, lookalike.py, fairness.py)
_CLUSTER: dict[str, dict[str, str]] = {
    # data-driven segments (segment/cluster.py)
    "clu_segments": {"en": "data-driven segments", "zh": "数据驱动的客群"},
    "clu_kmeans": {"en": "k-means", "zh": "K均值聚类"},
    "clu_gmm": {"en": "Gaussian mixture", "zh": "高斯混合模型"},
    "clu_cluster": {"en": "segment", "zh": "客群"},
    "clu_label": {"en": "segment {label}", "zh": "客群 {label}"},
    "clu_no_purchase": {"en": "no purchase", "zh": "无购买"},
    "clu_size": {"en": "customers", "zh": "客户数"},
    "clu_share": {"en": "share of customers", "zh": "占比"},
    "clu_mean_of": {"en": "{feature} (mean)", "zh": "{feature} (均值)"},
    "clu_median_of": {"en": "{feature} (median)", "zh": "{feature} (中位数)"},
    "clu_value_share": {"en": "share of {value}", "zh": "{value}占比"},
    "clu_feature_recency_days": {"en": "days since last purchase", "zh": "距上次购买天数"},
    "clu_feature_orders": {"en": "orders", "zh": "订单数"},
    "clu_feature_revenue": {"en": "net revenue", "zh": "净收入"},
    "clu_feature_margin": {"en": "margin", "zh": "利润"},
    "clu_k": {"en": "number of segments", "zh": "客群数"},
    "clu_silhouette": {"en": "silhouette", "zh": "轮廓系数"},
    "clu_inertia": {"en": "within-segment sum of squares", "zh": "簇内平方和"},
    "clu_bic": {"en": "BIC (lower is better)", "zh": "贝叶斯信息准则 BIC (越低越好)"},
    "clu_chosen": {"en": "chosen", "zh": "选定"},
    "clu_stability": {"en": "stability under resampling", "zh": "重抽样稳定性"},
    "clu_ari": {"en": "adjusted Rand index", "zh": "调整兰德指数"},
    # look-alike selection (segment/lookalike.py)
    "look_lookalike": {"en": "look-alike selection", "zh": "相似客户选择"},
    "look_lookalike_long": {
        "en": "choosing customers similar to loyal customers",
        "zh": "选择与忠诚客户相似的客户",
    },
    "look_target": {"en": "target customers", "zh": "目标客户"},
    "look_prospects": {"en": "prospects", "zh": "潜在客户"},
    "look_score": {"en": "similarity score", "zh": "相似度得分"},
    "look_rank": {"en": "rank", "zh": "排名"},
    "look_feature_acquisition_month": {"en": "month of acquisition", "zh": "获客月份"},
    "look_feature_first_amount": {"en": "first purchase amount", "zh": "首单金额"},
    "look_feature_window_orders": {
        "en": "orders in the first {days} days",
        "zh": "前{days}天订单数",
    },
    "look_feature_window_spend": {
        "en": "net spend in the first {days} days",
        "zh": "前{days}天净消费",
    },
    "look_feature_window_interactions": {
        "en": "interactions in the first {days} days",
        "zh": "前{days}天互动次数",
    },
    "look_feature_window_complaints": {
        "en": "complaints in the first {days} days",
        "zh": "前{days}天投诉次数",
    },
    "look_train": {"en": "customers acquired before {date} (training)", "zh": "{date}前获客的客户 (训练)"},
    "look_test": {"en": "customers acquired after {date} (test)", "zh": "{date}后获客的客户 (测试)"},
    "look_base_rate": {"en": "share of target customers", "zh": "目标客户占比"},
    "look_auc": {"en": "ROC AUC", "zh": "ROC曲线下面积 (AUC)"},
    "look_precision_at_k": {
        "en": "share of targets among the top {share} scored",
        "zh": "得分最高的{share}中目标客户占比",
    },
    "look_lift_at_k": {"en": "lift in the top {share}", "zh": "得分最高的{share}的提升度"},
    # fairness audit (segment/fairness.py)
    "fair_audit": {"en": "fairness audit", "zh": "公平性审查"},
    "fair_unfair_treatment": {"en": "unfair treatment", "zh": "不公平待遇"},
    "fair_group": {"en": "group", "zh": "群体"},
    "fair_top_share": {"en": "share in the top tier", "zh": "最高等级占比"},
    "fair_mean_service": {"en": "mean service per customer", "zh": "人均服务水平"},
    "fair_reference": {"en": "reference", "zh": "参照值"},
    "fair_overall": {"en": "all customers", "zh": "全部客户"},
    "fair_ratio": {"en": "disparity ratio", "zh": "差异比率"},
    "fair_p_value": {"en": "p-value", "zh": "p值"},
    "fair_flagged": {"en": "flagged", "zh": "已标记"},
    "fair_below": {"en": "below {limit}", "zh": "低于{limit}"},
    "fair_above": {"en": "above {limit}", "zh": "高于{limit}"},
    "fair_reason_top_share": {
        "en": "{attribute} = {group}: share in the top tier {value} is {ratio} times the "
        "reference {reference} ({bound}), p = {p}",
        "zh": "{attribute} = {group}：最高等级占比 {value}，为参照值 {reference} 的 {ratio} 倍"
        "（{bound}），p = {p}",
    },
    "fair_reason_mean_service": {
        "en": "{attribute} = {group}: mean service per customer {value} is {ratio} times the "
        "reference {reference} ({bound}), p = {p}",
        "zh": "{attribute} = {group}：人均服务水平 {value}，为参照值 {reference} 的 {ratio} 倍"
        "（{bound}），p = {p}",
    },
    "fair_rule": {
        "en": "a group is flagged when its ratio to the reference is below {low} or above "
        "{high} and the difference is significant at the {alpha} level",
        "zh": "当某群体与参照值之比低于{low}或高于{high}，且差异在{alpha}水平上显著时，标记该群体",
    },
    "fair_no_flags": {"en": "no group is flagged", "zh": "没有群体被标记"},
    "fair_holm": {"en": " (Holm-adjusted)", "zh": "（Holm校正）"},
    "fair_p_adjusted": {"en": "p-value (Holm-adjusted)", "zh": "p值（Holm校正）"},
}

# the tiering report and the module's figures (report/tiering.py, plot/segment.py)
_REPORT: dict[str, dict[str, str]] = {
    "tiering_title": {"en": "Customer tiering", "zh": "客户分级"},
    "header_tier_scheme": {"en": "Tier scheme", "zh": "分级方案"},
    "header_tier_value": {"en": "Ranked by", "zh": "排序依据"},
    "value_revenue": {"en": "net revenue", "zh": "净收入"},
    "value_margin": {"en": "margin", "zh": "毛利"},
    "sec_tier_headline": {"en": "Customers per tier on {end}", "zh": "{end} 各等级客户"},
    "kpi_tier_note": {"en": "{share} of customers, {value_share} of {value}",
                      "zh": "占客户 {share}，占{value} {value_share}"},
    "sec_tier_headline_note": {
        "en": "{n} customers acquired up to the observation end are tiered; together they "
              "brought {total} of {value}.",
        "zh": "截至观察期末已获取的 {n} 位客户参与分级，合计{value} {total}。"},
    "sec_tier_rules": {"en": "The rule: {scheme}", "zh": "分级规则：{scheme}"},
    "tcol_condition": {"en": "condition", "zh": "条件"},
    "sec_tier_rules_note": {
        "en": "Objective and operable: the tiers follow from this stated rule and the data "
              "alone, and the same data always gives the same tiers. The thresholds are "
              "learnt from the customers above.",
        "zh": "客观、可操作：等级只由上述规则和数据决定，相同数据总得到相同的等级。阈值由上述客户数据得出。"},
    "sec_tier_concentration": {"en": "How concentrated {value} is",
                               "zh": "{value}的集中程度"},
    "sec_tier_concentration_note": {
        "en": "Customers sorted by {value}, largest first: the curve shows the share of "
              "{value} the top customers bring, coloured by tier; the bars compare each "
              "tier's share of customers with its share of {value} and of the cost to serve.",
        "zh": "客户按{value}从高到低排序：曲线表示头部客户贡献的{value}份额，按等级着色；条形图比较各等级的客户占比、{value}占比与服务成本占比。"},
    "sec_tier_differentiated": {"en": "Do the tiers differ? The tiers of {days} days ago and "
                                      "what each brought since",
                                "zh": "等级之间是否有差异？{days} 天前的等级及其此后的表现"},
    "tcol_customers": {"en": "customers", "zh": "客户数"},
    "tcol_mean_value_then": {"en": "mean {value} then", "zh": "当时平均{value}"},
    "tcol_revenue_since": {"en": "revenue in the next {days} days (mean)",
                          "zh": "之后 {days} 天收入（均值）"},
    "tcol_margin_since": {"en": "margin in the next {days} days (mean)",
                         "zh": "之后 {days} 天毛利（均值）"},
    "tcol_cost_since": {"en": "cost to serve in the next {days} days (mean)",
                       "zh": "之后 {days} 天服务成本（均值）"},
    "tcol_no_purchase_since": {"en": "no purchase in the next {days} days",
                              "zh": "之后 {days} 天未购买比例"},
    "sec_tier_differentiated_note": {
        "en": "Differentiated: the customers were tiered with the data up to {start} only, "
              "then followed to {end}. Amounts in {currency} per customer. Tiers that do not "
              "differ here are not worth managing differently.",
        "zh": "差异性：仅用截至 {start} 的数据分级，再跟踪至 {end}。金额为每位客户的 {currency}。若等级之间在此没有差异，就不值得区别管理。"},
    "sec_horizon_too_short": {
        "en": "The data holds no purchase {days} days before the observation end: there is "
              "nothing to follow yet (lower horizon_days).",
        "zh": "观察期末前 {days} 天的数据中没有购买记录：暂无可跟踪的客户（可调小 horizon_days）。"},
    "sec_tier_explained": {"en": "Why a customer is in its tier: examples",
                           "zh": "客户为何属于该等级：示例"},
    "tcol_customer": {"en": "customer (pseudonym)", "zh": "客户（化名）"},
    "tcol_tier_reason": {"en": "why", "zh": "原因"},
    "sec_tier_explained_note": {
        "en": "Every customer's tier can be explained in this way (segment.explain); ids are "
              "pseudonyms.",
        "zh": "每位客户的等级都可以这样解释（segment.explain）；编号为化名。"},
    "sec_rfm": {"en": "RFM segments", "zh": "RFM 客户细分"},
    "sec_rfm_note": {
        "en": "Recency (days since the last purchase), frequency (purchase days) and {value} "
              "are scored 1-5 by quintiles; the standard map puts each of the 125 score "
              "combinations in exactly one of eleven segments (customers without a purchase "
              "apart).",
        "zh": "最近购买（距上次购买天数）、频次（购买天数）与{value}按五分位评分 1-5；标准映射把 125 种评分组合各归入十一个细分之一（未购买的客户单列）。"},
    "sec_base": {"en": "Base customers (基盘客户)", "zh": "基盘客户"},
    "tcol_group": {"en": "group", "zh": "群体"},
    "sec_base_note": {
        "en": "Base customers as of {start}: {rule}. Amounts in {currency} per customer over "
              "the following period.",
        "zh": "截至 {start} 的基盘客户：{rule}。金额为其后期间每位客户的 {currency}。"},
    "sec_lifecycle": {"en": "Lifecycle stages", "zh": "客户生命周期阶段"},
    "tcol_stage": {"en": "stage", "zh": "阶段"},
    "sec_lifecycle_note": {
        "en": "Stages from tenure and the trajectory of purchasing: exploration (the first 90 "
              "days), growth (up to a year), maturity, decline (recent purchases well below "
              "the customer's own pace) and churned (no purchase for much longer than usual). "
              "On simulated data the rule finds decline poorly: read it as a warning, not a fact.",
        "zh": "阶段由客户时长与购买轨迹决定：考察期（前 90 天）、成长期（一年内）、成熟期、衰退期（近期购买明显低于自身节奏）、流失期（远超平时间隔未购买）。在模拟数据上该规则对衰退期识别较弱：请视为提示而非定论。"},
    "sec_dynamics": {"en": "Tier dynamics: tiers recomputed every {grain}",
                     "zh": "等级动态：每{grain}重新分级"},
    "sec_dynamics_too_short": {"en": "The data covers fewer than two complete periods of one "
                                     "{grain}: no migration to show.",
                               "zh": "数据不足两个完整的{grain}：无法展示迁移。"},
    "tcol_upgrade": {"en": "upgrade", "zh": "升级"},
    "tcol_stay": {"en": "stay", "zh": "保持"},
    "tcol_downgrade": {"en": "downgrade", "zh": "降级"},
    "tcol_gone": {"en": "gone", "zh": "离开"},
    "tcol_time_in_tier": {"en": "expected time in tier ({grain_n})",
                         "zh": "预计停留时间（{grain_n}）"},
    "sec_dynamics_note": {
        "en": "Dynamic: the scheme is refitted at the end of every {grain} from {first} to "
              "{last} ({n} transitions pooled). Each row shows where a tier's customers are one "
              "{grain} later; the expected time in a tier is 1 / (1 - share staying).",
        "zh": "动态性：从 {first} 到 {last} 每{grain}末重新分级（合并 {n} 次转移）。每行表示某等级客户一个{grain}后所在的等级；预计停留时间 = 1 / (1 - 保持比例)。"},
    "sec_fairness": {"en": "Fairness audit (不公平待遇)", "zh": "公平性审查（不公平待遇）"},
    "sec_fairness_rule": {
        "en": "Share of each group in the top tier ({top}) against all customers; {rule}, "
              "after Holm's correction for the number of groups tested.",
        "zh": "各群体进入最高等级（{top}）的比例与全部客户相比；{rule}，并按检验的群体数做 Holm 校正。"},
    "sec_fairness_none": {"en": "The customers table has no gender or age band: no audit.",
                          "zh": "客户表没有性别或年龄段：无法审查。"},
    "sec_fairness_note": {
        "en": "Sensitive attributes are used in this section only, and only in aggregate.",
        "zh": "敏感属性仅在本节以汇总形式使用。"},
    "fig_value_concentration": {"en": "Concentration of {value}: the share held by the top customers",
                                "zh": "{value}集中度：头部客户所占份额"},
    "axis_customer_share_sorted": {"en": "Share of customers, largest value first",
                                   "zh": "客户占比（按价值从高到低）"},
    "axis_value_share": {"en": "Cumulative share of {value}", "zh": "{value}累计占比"},
    "legend_tier": {"en": "Tier", "zh": "等级"},
    "fig_tier_shares": {"en": "Each tier's share of customers and of value",
                        "zh": "各等级的客户占比与价值占比"},
    "share_of_customers": {"en": "share of customers", "zh": "客户占比"},
    "share_of_value": {"en": "share of {value}", "zh": "{value}占比"},
    "share_of_cost_to_serve": {"en": "share of cost to serve", "zh": "服务成本占比"},
    "axis_share": {"en": "Share", "zh": "占比"},
    "fig_rfm_grid": {"en": "Customers by recency and frequency score (mean monetary score M)",
                     "zh": "按最近购买与购买频次评分的客户分布（M 为平均金额评分）"},
    "axis_r_score": {"en": "Recency score R (5 = most recent)", "zh": "最近购买评分 R（5 = 最近）"},
    "axis_f_score": {"en": "Frequency score F (5 = most orders)", "zh": "购买频次评分 F（5 = 最多）"},
    "fig_segment_sizes": {"en": "RFM segments: customers and share of value",
                          "zh": "RFM 细分：客户数与价值占比"},
    "fig_migration_matrix": {"en": "Tier migration between consecutive periods",
                             "zh": "相邻周期间的等级迁移"},
    "axis_tier_from": {"en": "Tier at the start of the period", "zh": "期初等级"},
    "axis_tier_to": {"en": "Tier at the end of the period", "zh": "期末等级"},
    "fig_tier_flows": {"en": "Customers per tier and their moves between periods",
                       "zh": "各等级客户数及其跨期流动"},
    "next_period": {"en": "next", "zh": "下期"},
}

TERMS: dict[str, dict[str, str]] = {**_RFM, **_TIERS, **_CLUSTER, **_REPORT}
