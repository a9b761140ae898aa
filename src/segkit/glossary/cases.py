"""Terms of the simulated case studies (:mod:`segkit.winback.cases`): the forest plot of
their estimates against the truth, the methods the analyses use (``case_m_``) and the
quantities they estimate (``case_q_``)."""

from __future__ import annotations

TERMS: dict[str, dict[str, str]] = {
    "fig_case_estimates": {"en": "Estimates against the simulated truth",
                           "zh": "估计值与模拟真值对比"},
    "axis_case_estimate": {"en": "estimate with 95% interval", "zh": "估计值及95%置信区间"},
    "legend_case_identified": {"en": "identified by the design", "zh": "设计可识别"},
    "legend_case_not_identified": {"en": "not identified (confounded)",
                                   "zh": "不可识别（存在混杂）"},
    "legend_case_truth": {"en": "truth", "zh": "真值"},
    "case_m_naive difference": {"en": "naive difference", "zh": "简单对比"},
    "case_m_regression adjusted": {"en": "regression adjusted", "zh": "回归调整"},
    "case_m_difference in differences": {"en": "difference in differences", "zh": "双重差分"},
    "case_m_before/after": {"en": "before/after", "zh": "前后对比"},
    "case_m_randomised": {"en": "randomised", "zh": "随机试验"},
    "case_m_cox adjusted": {"en": "Cox adjusted", "zh": "Cox模型调整"},
    "case_m_observational": {"en": "observational", "zh": "观察数据"},
    "case_m_cox near cut-off": {"en": "Cox near the cut-off", "zh": "门槛附近Cox模型"},
    # the quantities the analyses estimate (case_q_<quantity>)
    "case_q_frequency_effect": {"en": "extra purchases a year", "zh": "每年增加的购买次数"},
    "case_q_spend_effect": {"en": "extra spend a year", "zh": "每年增加的消费额"},
    "case_q_hazard_ratio": {"en": "churn hazard ratio of the phone",
                            "zh": "定制手机的流失风险比"},
    "case_q_hazard_ratio_below_cutoff": {"en": "hazard ratio below the cut-off",
                                         "zh": "门槛以下客户的风险比"},
    "case_q_delivery_cost_effect": {"en": "delivery cost per member",
                                    "zh": "每位会员的配送成本"},
    "case_q_net_sales_effect": {"en": "net sales per member", "zh": "每位会员的净销售额"},
    "case_q_net_value_effect": {"en": "margin per member before the fee",
                                "zh": "每位会员的毛利（不含会费）"},
    "case_q_net_value_effect_with_fee": {"en": "margin per member with the fee",
                                         "zh": "每位会员的毛利（含会费）"},
    "case_q_retention_effect": {"en": "retention", "zh": "留存率"},
    "case_q_service-loss rate ratio": {"en": "service-loss rate ratio",
                                       "zh": "服务原因流失率之比"},
    "case_q_win-back difference (service-lost)": {
        "en": "win-back difference (service-lost)", "zh": "挽回率差异（因服务流失）"},
    "case_q_hazard ratio of the process": {"en": "hazard ratio of the process",
                                           "zh": "投诉处理流程的风险比"},
    "case_q_net value per offer, other lapses": {"en": "net value per offer, other lapses",
                                                 "zh": "每份方案净值（其他原因退保）"},
    "case_q_net value per offer, price lapses": {"en": "net value per offer, price lapses",
                                                 "zh": "每份方案净值（因价格退保）"},
    "case_q_win-back uplift": {"en": "win-back uplift", "zh": "挽回提升"},
    "case_q_win-back uplift, other lapses": {"en": "win-back uplift, other lapses",
                                             "zh": "挽回提升（其他原因退保）"},
    "case_q_win-back uplift, price lapses": {"en": "win-back uplift, price lapses",
                                             "zh": "挽回提升（因价格退保）"},
}
