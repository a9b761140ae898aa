"""Terms of the simulated case studies (:mod:`segkit.winback.cases`): the forest plot of
their estimates against the truth, and the methods the analyses use (``case_m_``)."""

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
}
