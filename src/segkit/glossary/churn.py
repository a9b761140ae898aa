"""Terms of churn (:mod:`segkit.churn`): definitions, survival models, evaluation, the early
warning system, their figures and the early-warning report.

The domain words themselves (流失, 狭义流失, 广义流失, 流失率, 客户流失预警 and the six
``warn_`` indicators) live in :mod:`~segkit.glossary.common`; here are the words of the
module: the indicators by their column names (``ind_``, the drivers of the warning list),
the warning levels (``level_``: 红 / 黄 / 绿), the actions of the warning list
(``action_``), the models and metrics, and the report's headings, notes and axes.
"""

from __future__ import annotations

# the six warning indicators by their column names (features/windows.py INDICATORS): the
# drivers of the warning list, the levels and the actions (churn/warning.py)
_WARNING: dict[str, dict[str, str]] = {
    "ind_amount_change": {"en": "purchase amount falls", "zh": "购买金额下降"},
    "ind_negative_review_change": {"en": "negative reviews rise", "zh": "差评增加"},
    "ind_activity_change": {"en": "account activity falls", "zh": "账户活跃度下降"},
    "ind_purchase_frequency_change": {"en": "purchase frequency falls", "zh": "购买频率下降"},
    "ind_interaction_change": {"en": "interaction frequency falls", "zh": "互动频率下降"},
    "ind_complaint_change": {"en": "complaint rate rises", "zh": "投诉率上升"},
    "ind_complaint_level": {"en": "many complaints so far", "zh": "累计投诉较多"},
    "level_red": {"en": "red", "zh": "红"},
    "level_amber": {"en": "amber", "zh": "黄"},
    "level_green": {"en": "green", "zh": "绿"},
    "action_personal_call": {"en": "personal call", "zh": "专人致电"},
    "action_retention_offer": {"en": "retention offer", "zh": "挽留优惠"},
    "action_automated_mail": {"en": "automated mail", "zh": "自动邮件"},
    "action_no_action": {"en": "no action", "zh": "不采取行动"},
    "early_warning_list": {"en": "warning list", "zh": "预警名单"},
    "risk_level": {"en": "warning level", "zh": "预警等级"},
    "top_drivers": {"en": "top drivers", "zh": "主要预警信号"},
    "churn_threshold": {"en": "churn threshold", "zh": "流失判定阈值"},
    "false_churn": {"en": "false churn", "zh": "误判流失"},
    "late_detection": {"en": "late detection", "zh": "发现过晚"},
    "lead_time": {"en": "lead time", "zh": "提前预警时间"},
    "capacity": {"en": "capacity", "zh": "处理能力"},
}

# survival models and their evaluation (churn/models.py, churn/evaluate.py)
_MODELS: dict[str, dict[str, str]] = {
    "survival_analysis": {"en": "survival analysis", "zh": "生存分析"},
    "kaplan_meier": {"en": "Kaplan-Meier estimate", "zh": "Kaplan-Meier 估计"},
    "logrank_test": {"en": "log-rank test", "zh": "对数秩检验"},
    "hazard_ratio": {"en": "hazard ratio", "zh": "风险比"},
    "censored": {"en": "censored", "zh": "删失"},
    "left_truncation": {"en": "left truncation (late entry)", "zh": "左截断（延迟进入）"},
    "proportional_hazards": {"en": "proportional hazards", "zh": "比例风险"},
    "model_ch_cox": {"en": "Cox model", "zh": "Cox 模型"},
    "model_ch_aft": {"en": "Weibull AFT model", "zh": "Weibull 加速失效时间模型"},
    "model_ch_forest": {"en": "random survival forest", "zh": "随机生存森林"},
    "model_ch_classifier": {"en": "gradient boosting classifier (fixed horizon)",
                            "zh": "梯度提升分类器（固定预测期）"},
    "model_ch_btyd": {"en": "BG/NBD P(alive)", "zh": "BG/NBD 存活概率"},
    "metric_ch_harrell_c": {"en": "Harrell's C", "zh": "Harrell 一致性指数"},
    "metric_ch_uno_c": {"en": "Uno's C (IPCW)", "zh": "Uno 一致性指数（IPCW）"},
    "metric_ch_auc_mean": {"en": "mean time-dependent AUC", "zh": "时间依赖 AUC 均值"},
    "metric_ch_ibs": {"en": "integrated Brier score", "zh": "积分 Brier 分数"},
    "metric_ch_calibration": {"en": "calibration error", "zh": "校准误差"},
    # the hazard model's covariates: indicators per halving or doubling in the warning's
    # direction, age, attribute levels against the reference level
    "cov_ch_amount_change": {"en": "purchase amount falls (per halving)",
                             "zh": "购买金额下降（每减半一次）"},
    "cov_ch_negative_review_change": {"en": "negative reviews rise (per doubling)",
                                      "zh": "差评增加（每翻一番）"},
    "cov_ch_activity_change": {"en": "account activity falls (per halving)",
                               "zh": "账户活跃度下降（每减半一次）"},
    "cov_ch_purchase_frequency_change": {"en": "purchase frequency falls (per halving)",
                                         "zh": "购买频率下降（每减半一次）"},
    "cov_ch_interaction_change": {"en": "interaction frequency falls (per halving)",
                                  "zh": "互动频率下降（每减半一次）"},
    "cov_ch_complaint_change": {"en": "complaint rate rises (per doubling)",
                                "zh": "投诉率上升（每翻一番）"},
    "cov_ch_age_years": {"en": "customer age (per year since acquisition)",
                         "zh": "客户时长（每满一年）"},
    "cov_ch_level": {"en": "{col}: {level} (against {base})", "zh": "{col}：{level}（相对于 {base}）"},
}

# the early-warning report: header, headline, sections (report/early_warning.py)
_REPORT: dict[str, dict[str, str]] = {
    "ew_title": {"en": "Churn early warning", "zh": "客户流失预警"},
    "header_ch_horizon": {"en": "Horizon of the risk", "zh": "风险预测期"},
    "header_ch_days": {"en": "{days} days", "zh": "{days} 天"},
    "header_ch_threshold": {"en": "Churn threshold (narrow churn)", "zh": "流失判定阈值（狭义流失）"},
    "header_ch_threshold_chosen": {
        "en": "{days} days without purchase or interaction (chosen from the data: the {q} "
              "quantile of the gaps between purchases)",
        "zh": "{days} 天无购买或互动（由数据选定：购买间隔的 {q} 分位数）"},
    "header_ch_threshold_given": {"en": "{days} days without purchase or interaction (given)",
                                  "zh": "{days} 天无购买或互动（指定）"},
    "header_ch_capacity": {"en": "Capacity of the team", "zh": "团队处理能力"},
    "header_ch_capacity_value": {"en": "{n} customers to call", "zh": "可联系 {n} 位客户"},
    "ch_no_threshold": {
        "en": "No churn threshold can be set: no customer bought on two different days up to "
              "the scoring date. Give threshold_days to set one.",
        "zh": "无法设定流失判定阈值：截至评分日期没有客户在两个不同日期购买过。请通过 "
              "threshold_days 指定阈值。"},
    # headline
    "sec_ch_headline": {"en": "At a glance, as of {end}", "zh": "概览（截至 {end}）"},
    "kpi_ch_at_risk": {"en": "Customers at risk now", "zh": "当前高风险客户"},
    "kpi_ch_at_risk_note": {"en": "red {red}, amber {amber}, of {active} active customers",
                            "zh": "红色 {red} 位，黄色 {amber} 位，共 {active} 位活跃客户"},
    "kpi_ch_red": {"en": "Red list against capacity", "zh": "红色名单与处理能力"},
    "kpi_ch_red_value": {"en": "{red} / {capacity}", "zh": "{red} / {capacity} 位"},
    "kpi_ch_red_note_full": {
        "en": "the team's capacity is used up; {more} more amber customers wait",
        "zh": "团队处理能力已用满；另有 {more} 位黄色客户待处理"},
    "kpi_ch_red_note_spare": {
        "en": "{spare} calls to spare: no other customer is at elevated risk",
        "zh": "尚余 {spare} 个联系名额：没有其他客户处于较高风险"},
    "kpi_ch_rate": {"en": "Churn rate, {period}", "zh": "流失率（{period}）"},
    "kpi_ch_rate_note": {"en": "{churned} churned of {at_risk} customers at risk",
                         "zh": "{at_risk} 位风险客户中流失 {churned} 位"},
    "kpi_ch_expected": {"en": "Expected to leave within {h} days",
                        "zh": "预计 {h} 天内流失"},
    "kpi_ch_expected_note": {"en": "{share} of the {active} active customers",
                             "zh": "占 {active} 位活跃客户的 {share}"},
    "sec_ch_headline_note": {
        "en": "As of {end}, {active} customers are active (a purchase or an interaction in "
              "the last {days} days). The warning system expects about {expected} of them to "
              "leave within {h} days; the red list holds the {red} at highest risk, for a "
              "team that can call {capacity}.",
        "zh": "截至 {end}，共有 {active} 位活跃客户（最近 {days} 天内有购买或互动）。预警系统预计"
              "其中约 {expected} 位将在 {h} 天内流失；红色名单列出风险最高的 {red} 位，团队可联系 "
              "{capacity} 位。"},
    "ch_no_warning": {
        "en": "The warning system cannot be fitted: it needs about {days} + {h} days of "
              "history plus the windows of the indicators before the scoring date. Choose a "
              "later scoring date or a shorter horizon.",
        "zh": "无法拟合预警系统：评分日期之前需要约 {days} + {h} 天的历史数据以及预警指标的时间窗口。"
              "请选择更晚的评分日期或更短的预测期。"},
    # definition
    "sec_ch_definition": {"en": "Churn: definition and threshold", "zh": "流失的定义与判定阈值"},
    "ch_def_narrow": {
        "en": "**Narrow churn** (狭义流失): a customer without any purchase or interaction for "
              "{days} days counts as churned, on the day the silence reaches {days} days.",
        "zh": "**狭义流失**：客户连续 {days} 天没有任何购买或互动即视为流失，流失日期为沉默满 "
              "{days} 天的那一天。"},
    "ch_def_broad": {
        "en": "**Broad churn** (广义流失): an explicit end, a closed account or an ended "
              "contract.",
        "zh": "**广义流失**：明确的终止，即账户注销或合同终止。"},
    "ch_def_gaps": {
        "en": "Over {n} gaps between two purchases of one customer, half are shorter than "
              "{median} days and {q} shorter than {high} days.",
        "zh": "在同一客户两次购买之间的 {n} 个间隔中，一半短于 {median} 天，{q} 短于 {high} 天。"},
    "ch_def_chosen": {
        "en": "The threshold of {days} days is chosen from the data: the {q} quantile of "
              "these gaps, so a customer silent for longer is unlikely to be only pausing.",
        "zh": "{days} 天的阈值由数据选定：取这些间隔的 {q} 分位数，沉默更久的客户不太可能只是暂停购买。"},
    "ch_def_given": {"en": "The threshold of {days} days was given with the report.",
                     "zh": "{days} 天的阈值由报告参数指定。"},
    "ch_def_broad_count": {
        "en": "By the broad definition, {n} of {total} customers had ended their relationship "
              "by the scoring date, {recent} of them in the last 12 months.",
        "zh": "按广义流失定义，截至评分日期 {total} 位客户中有 {n} 位已终止关系，其中 {recent} "
              "位发生在最近 12 个月内。"},
    "ch_tradeoff_short": {"en": "The history is too short to show the threshold's trade-off.",
                          "zh": "历史数据太短，无法显示阈值的权衡。"},
    "ch_tradeoff_note": {
        "en": "Checked on {date} against what happened next: at {days} days, {false} of the "
              "{n} customers declared churned came back (false churn), and {missed} of those "
              "who never came back were not yet declared (missed, or found late).",
        "zh": "以 {date} 为检验时点、对照此后的实际情况：阈值为 {days} 天时，被判定流失的 {n} "
              "位客户中有 {false} 后来又回来了（误判流失）；而从此再未回来的客户中有 {missed} "
              "尚未被判定（漏判或发现过晚）。"},
    "ch_tradeoff_ends": {
        "en": "A threshold of {short} days would call {short_false} of its churners wrongly; "
              "one of {long} days would miss {long_missed} of the real ones.",
        "zh": "若阈值为 {short} 天，被判定流失者中有 {short_false} 为误判；若为 {long} 天，"
              "真正流失的客户中有 {long_missed} 会被漏判。"},
    # churn rate
    "sec_ch_rate": {"en": "Churn rate per month", "zh": "每月流失率"},
    "ch_rate_note": {
        "en": "In {period}, {churned} of the {at_risk} customers at risk churned: a churn rate "
              "of {rate}. Over the last {months} complete months the rate was {mean} a month, "
              "about {year} of the customers a year.",
        "zh": "{period}，{at_risk} 位风险客户中有 {churned} 位流失，流失率为 {rate}。最近 "
              "{months} 个完整月份的平均月流失率为 {mean}，约相当于每年流失 {year} 的客户。"},
    "ch_rate_definition": {
        "en": "Churn rate = customers lost in the month / customers at risk at its start "
              "(acquired before it and not yet churned). A customer is counted in the month "
              "their churn is declared, the threshold after their last activity.",
        "zh": "流失率 = 当月流失的客户数 / 月初的风险客户数（当月之前获得且尚未流失的客户）。客户"
              "计入其流失被判定的月份，即最后一次活动之后满阈值天数的那个月。"},
    # survival by tier
    "sec_ch_km": {"en": "Who stays: survival by tier ({scheme})",
                  "zh": "谁会留下：按客户等级的生存曲线（{scheme}）"},
    "tcol_ch_churned": {"en": "churned", "zh": "已流失"},
    "tcol_ch_still_active": {"en": "not churned after {days} days (Kaplan-Meier)",
                             "zh": "{days} 天后未流失（Kaplan-Meier）"},
    "ch_km_note": {
        "en": "The {n} customers active on {date}, by their tier on that day ({scheme}), "
              "followed to {end} ({days} days): each curve is the share not yet churned "
              "(narrow churn) each day after {date}, with its 95% confidence band. The tiers "
              "are those of {date}, never later: a tier computed at the end would favour the "
              "customers who stayed.",
        "zh": "{date} 的 {n} 位活跃客户，按其当天的等级（{scheme}）分组，跟踪至 {end}（{days} "
              "天）：每条曲线为 {date} 之后每一天尚未流失（狭义流失）的客户占比，阴影为 95% 置信带。"
              "等级取 {date} 当天的结果而非之后：按期末计算的等级会偏向那些留下来的客户。"},
    "ch_km_differ": {
        "en": "The tiers differ (log-rank test, p {p}): after {days} days {best_share} of "
              "{best} had not churned, against {worst_share} of {worst}.",
        "zh": "各等级之间存在显著差异（对数秩检验，p {p}）：{days} 天后，{best}中有 "
              "{best_share} 未流失，而{worst}中仅为 {worst_share}。"},
    "ch_km_same": {
        "en": "The tiers do not differ clearly (log-rank test, p {p}): after {days} days "
              "between {worst_share} ({worst}) and {best_share} ({best}) had not churned.",
        "zh": "各等级之间没有明显差异（对数秩检验，p {p}）：{days} 天后未流失的比例在 "
              "{worst_share}（{worst}）与 {best_share}（{best}）之间。"},
    "ch_window_short": {
        "en": "The history is too short for this section: it needs about {days} days before "
              "the scoring date (two windows of the horizon, {h} days, plus the threshold, "
              "{threshold} days). Choose a later scoring date or a shorter horizon.",
        "zh": "历史数据太短，无法显示本节：评分日期之前需要约 {days} 天（两个窗口，每个为预测期 "
              "{h} 天加阈值 {threshold} 天）。请选择更晚的评分日期或更短的预测期。"},
    # hazard model
    "sec_ch_cox": {"en": "What signals churn: the Cox model", "zh": "流失的信号：Cox 模型"},
    "tcol_ch_covariate": {"en": "covariate", "zh": "协变量"},
    "tcol_ch_hr": {"en": "hazard ratio", "zh": "风险比"},
    "tcol_ch_interval": {"en": "95% interval", "zh": "95% 置信区间"},
    "tcol_ch_p": {"en": "p-value", "zh": "p 值"},
    "tcol_ch_ph": {"en": "proportional hazards", "zh": "比例风险假设"},
    "ch_phcell_none": {"en": "holds", "zh": "成立"},
    "ch_phcell_stratify": {"en": "violated: stratify", "zh": "不成立：应分层"},
    "ch_phcell_time_interaction": {"en": "violated: effect changes over time",
                                   "zh": "不成立：效应随时间变化"},
    "ch_cox_note": {
        "en": "A Cox proportional hazards model of the {n} customers active on {date}, "
              "followed to {end} ({events} churned): the six warning indicators on {date} "
              "(each the customer's recent 90 days against their own baseline, counted per "
              "halving or doubling in the direction of its warning), the time since "
              "acquisition and the attributes. A hazard ratio above 1 raises the risk of "
              "churn; its concordance on these customers is {c}.",
        "zh": "对 {date} 的 {n} 位活跃客户建立 Cox 比例风险模型，跟踪至 {end}（{events} 位流失）："
              "协变量为 {date} 当天的六项预警指标（客户最近 90 天相对于自身基线的变化，按预警方向"
              "每减半或翻一番计一个单位）、客户时长和客户属性。风险比大于 1 表示流失风险升高；"
              "模型在这些客户上的一致性指数为 {c}。"},
    "ch_cox_ind_up": {
        "en": "{what}: hazard ratio {hr} (95% interval {lo} – {hi}), {pct} more risk per "
              "step: a clear warning.",
        "zh": "{what}：风险比 {hr}（95% 置信区间 {lo} – {hi}），每一步风险升高 {pct}：明确的预警信号。"},
    "ch_cox_ind_down": {
        "en": "{what}: hazard ratio {hr} (95% interval {lo} – {hi}), {pct} less risk per "
              "step: on these data it does not warn.",
        "zh": "{what}：风险比 {hr}（95% 置信区间 {lo} – {hi}），每一步风险降低 {pct}：在这些数据上"
              "它不是预警信号。"},
    "ch_cox_ind_none": {
        "en": "{what}: hazard ratio {hr} (95% interval {lo} – {hi}): the interval includes 1, "
              "no clear effect on these data.",
        "zh": "{what}：风险比 {hr}（95% 置信区间 {lo} – {hi}）：区间包含 1，在这些数据上没有明显效应。"},
    "ch_cox_penalized": {
        "en": "The model was fitted with a small ridge penalty ({pen}): without it the "
              "estimation did not converge.",
        "zh": "模型使用了较小的岭惩罚（{pen}）进行拟合：不加惩罚时估计无法收敛。"},
    "ch_ph_ok": {
        "en": "The proportional-hazards check (Grambsch-Therneau test of the scaled "
              "Schoenfeld residuals) finds no violation among the {n} covariates at the 5% "
              "level: each hazard ratio holds over the whole follow-up.",
        "zh": "比例风险检验（基于标准化 Schoenfeld 残差的 Grambsch-Therneau 检验）在 5% 水平下未"
              "发现 {n} 个协变量中有任何违反：每个风险比在整个跟踪期内都成立。"},
    "ch_ph_bad": {
        "en": "The proportional-hazards check (Grambsch-Therneau test of the scaled "
              "Schoenfeld residuals) finds that {n} of the {total} covariates change their "
              "effect over the follow-up (p < 0.05): {names}. Their hazard ratios above are "
              "averages over time.",
        "zh": "比例风险检验（基于标准化 Schoenfeld 残差的 Grambsch-Therneau 检验）发现 {total} 个"
              "协变量中有 {n} 个的效应随跟踪时间变化（p < 0.05）：{names}。上表中它们的风险比是"
              "随时间平均的结果。"},
    "ch_ph_stratify": {
        "en": "For a category ({names}): stratify the model by it, so that each of its "
              "levels has a baseline hazard of its own instead of one fixed ratio.",
        "zh": "对于类别变量（{names}）：按其对模型分层，使每个取值有各自的基线风险，而不是一个固定的"
              "风险比。"},
    "ch_ph_interact": {
        "en": "For a number ({names}): let its effect change with time, splitting the "
              "follow-up into periods with a ratio of their own (a time-varying Cox model).",
        "zh": "对于数值变量（{names}）：让其效应随时间变化，将跟踪期划分为若干时段，每个时段有各自"
              "的风险比（时变 Cox 模型）。"},
    # evaluation
    "sec_ch_eval": {"en": "How good are the predictions: an honest test",
                    "zh": "预测有多准：诚实的检验"},
    "ch_eval_none": {"en": "No model could be evaluated on the time split.",
                     "zh": "没有模型能够在时间切分上进行评估。"},
    "ch_eval_design": {
        "en": "A time split, with nothing from the future: every model learns from the "
              "{n_train} customers active on {landmark}, their indicators and attributes on "
              "that day and what happened over the next {days} days (to {split}). Then, from "
              "the data up to {split} only, it predicts which of the {n_test} customers "
              "active on {split} churn by {end}; {events} did. The window of {days} days is "
              "the horizon ({h} days) plus the threshold ({threshold} days): a customer who "
              "leaves within the horizon is declared churned within the window.",
        "zh": "按时间切分，不使用任何未来信息：每个模型从 {landmark} 的 {n_train} 位活跃客户中学习，"
              "使用他们当天的指标和属性以及此后 {days} 天（至 {split}）的实际情况；然后只用 {split} "
              "之前的数据，预测 {split} 的 {n_test} 位活跃客户中谁会在 {end} 之前流失；实际流失 "
              "{events} 位。{days} 天的窗口等于预测期（{h} 天）加阈值（{threshold} 天）：在预测期内"
              "离开的客户会在该窗口内被判定为流失。"},
    "tcol_ch_model": {"en": "model", "zh": "模型"},
    "ch_eval_note": {
        "en": "Concordance is the share of pairs of customers the model orders right (who "
              "churns first): 0.5 is chance, 1 perfect; Uno's version weights for censoring. "
              "The AUC is read at {times} days; the Brier score is the squared error of the "
              "predicted survival (lower is better). The best by Uno's C here: {best} ({c}).",
        "zh": "一致性指数是模型正确排序（谁先流失）的客户对所占的比例：0.5 相当于随机，1 为完美；"
              "Uno 版本对删失进行加权。AUC 取第 {times} 天的值；Brier 分数是预测生存概率的平方误差"
              "（越低越好）。按 Uno 一致性指数，本次最佳为{best}（{c}）。"},
    "ch_eval_missing": {"en": "Not evaluated (could not be fitted on these data): {names}.",
                        "zh": "未评估（无法在这些数据上拟合）：{names}。"},
    "ch_eval_btyd": {
        "en": "The BG/NBD P(alive) of the valuation report ranks customers by their purchase "
              "history alone, without the warning indicators; it gives no survival curve, so "
              "no Brier score and no calibration.",
        "zh": "客户价值评估报告中的 BG/NBD 存活概率仅根据购买历史对客户排序，不使用预警指标；它不给出"
              "生存曲线，因此没有 Brier 分数和校准误差。"},
    "ch_calibration_note": {
        "en": "Calibration of the Cox model at {days} days: customers in ten groups by "
              "predicted risk, each group's mean prediction against the churn observed in it "
              "(Kaplan-Meier). Mean gap {mae}; overall, the predictions are off by {bias}.",
        "zh": "Cox 模型在第 {days} 天的校准：按预测风险把客户分为十组，比较每组的平均预测值与实际"
              "观察到的流失（Kaplan-Meier）。平均差距 {mae}；总体上预测偏差为 {bias}。"},
    # warning
    "sec_ch_warning": {"en": "Early warning as of {end}: red, amber, green",
                       "zh": "截至 {end} 的流失预警：红、黄、绿"},
    "ch_levels_note": {
        "en": "Each of the {active} active customers gets a risk: the probability of leaving "
              "within {h} days. The usual customer's risk is {base}; amber starts at {factor} "
              "times that, {amber}. Red are the customers of highest risk among them, at most "
              "{capacity} (the team's capacity). Now: {red} red, {n_amber} amber, {green} "
              "green.",
        "zh": "{active} 位活跃客户每人都有一个风险值：在 {h} 天内离开的概率。一般客户的风险为 "
              "{base}；风险达到其 {factor} 倍（{amber}）即为黄色。红色是其中风险最高的客户，最多 "
              "{capacity} 位（团队处理能力）。当前：红色 {red} 位，黄色 {n_amber} 位，绿色 "
              "{green} 位。"},
    "ch_model_note": {
        "en": "The risk comes from a Cox model of these signals: {covariates}. It learns from "
              "the data before the scoring date only: at {k} dates from {first} to {last}, "
              "{n} examples of customers then active, {events} of whom left afterwards (their "
              "last activity before {days} silent days).",
        "zh": "风险来自基于以下信号的 Cox 模型：{covariates}。它只用评分日期之前的数据学习：在 "
              "{first} 至 {last} 之间的 {k} 个时点，共 {n} 个当时活跃客户的样本，其中 {events} "
              "个此后离开（最后一次活动之后沉默满 {days} 天）。"},
    "tcol_ch_level": {"en": "level", "zh": "预警等级"},
    "tcol_ch_action": {"en": "suggested action", "zh": "建议行动"},
    "ch_drivers_note": {
        "en": "The most frequent first driver on the red list: {what} ({n} of {red} "
              "customers). A driver is an indicator that raises the customer's risk above "
              "the usual customer's.",
        "zh": "红色名单中最常见的首要信号：{what}（{red} 位客户中有 {n} 位）。预警信号是使客户风险"
              "高于一般客户的指标。"},
    # the list
    "sec_ch_list": {"en": "The warning list: whom to call ({capacity} at most)",
                    "zh": "预警名单：应联系的客户（最多 {capacity} 位）"},
    "ch_list_empty": {
        "en": "Nobody is on the red list: no active customer reaches the amber risk of "
              "{amber}.",
        "zh": "红色名单为空：没有活跃客户的风险达到黄色标准 {amber}。"},
    "ch_no_driver": {"en": "no single indicator (overall pattern)",
                     "zh": "无单一指标（整体模式）"},
    "tcol_ch_rank": {"en": "rank", "zh": "排名"},
    "tcol_ch_risk": {"en": "risk within {h} days", "zh": "{h} 天内流失风险"},
    "tcol_ch_relative": {"en": "against the usual customer", "zh": "相对于一般客户"},
    "tcol_ch_drivers": {"en": "top drivers", "zh": "主要预警信号"},
    "ch_list_note": {
        "en": "{n} customers for a capacity of {capacity}, by risk of leaving within {h} "
              "days; customers by pseudonym only. The suggested action follows the tier: "
              "effort where the value is (some churn is not worth reversing). Record what "
              "each contact achieved: the next report learns from it.",
        "zh": "{n} 位客户（处理能力 {capacity} 位），按 {h} 天内离开的风险排序；客户仅以化名显示。"
              "建议行动依客户等级而定：把精力放在价值所在之处（有些流失不值得挽回）。请记录每次联系"
              "的结果：下一期报告将从中学习。"},
}

# the figures (plot/churn.py)
_FIGURES: dict[str, dict[str, str]] = {
    "fig_ch_tradeoff": {"en": "The churn threshold: false churn against missed churn",
                        "zh": "流失判定阈值：误判流失与漏判流失的权衡"},
    "fig_ch_tradeoff_sub": {"en": "checked on {date} against what happened next",
                            "zh": "以 {date} 为检验时点，对照此后的实际情况"},
    "legend_ch_false_churn": {"en": "false churn (declared, came back)",
                              "zh": "误判流失（被判定后又回来）"},
    "legend_ch_missed": {"en": "missed (gone, not yet declared)",
                         "zh": "漏判（已离开但尚未判定）"},
    "legend_ch_chosen_threshold": {"en": "chosen: {days} days", "zh": "选定：{days} 天"},
    "axis_ch_threshold": {"en": "threshold (days without purchase or interaction)",
                          "zh": "阈值（无购买或互动的天数）"},
    "axis_ch_share": {"en": "share of customers (%)", "zh": "客户占比（%）"},
    "fig_ch_churn_rate": {"en": "Churn rate per period", "zh": "各期流失率"},
    "fig_ch_churn_rate_days": {"en": "Churn rate per month (narrow churn, {days} days)",
                               "zh": "每月流失率（狭义流失，{days} 天）"},
    "legend_ch_rate": {"en": "churn rate", "zh": "流失率"},
    "axis_ch_churn_rate": {"en": "churn rate (% of customers at risk)",
                           "zh": "流失率（占风险客户的 %）"},
    "axis_ch_time_since_acquisition": {"en": "{unit} since acquisition", "zh": "获客后的时间（{unit}）"},
    "axis_ch_time_since_date": {"en": "{unit} since {date}", "zh": "{date} 之后的时间（{unit}）"},
    "axis_ch_time_since_start": {"en": "{unit} since the subscription started",
                                 "zh": "订阅开始后的时间（{unit}）"},
    "fig_ch_km": {"en": "Kaplan-Meier survival", "zh": "Kaplan-Meier 生存曲线"},
    "fig_ch_km_tier": {"en": "Customers not yet churned after {date}, by tier",
                       "zh": "{date} 之后尚未流失的客户（按等级）"},
    "fig_ch_logrank": {"en": "shaded: 95% confidence band; log-rank test χ² = {chi2}, "
                             "df = {df}, p {p}",
                       "zh": "阴影：95% 置信带；对数秩检验 χ² = {chi2}，自由度 {df}，p {p}"},
    "fig_ch_band": {"en": "shaded: 95% confidence band", "zh": "阴影：95% 置信带"},
    "axis_ch_survival": {"en": "not yet churned (% of customers)", "zh": "尚未流失（客户占比 %）"},
    "fig_ch_hazard_ratios": {"en": "Hazard ratios of churn (Cox model)",
                             "zh": "流失风险比（Cox 模型）"},
    "axis_ch_hazard_ratio": {"en": "hazard ratio with 95% interval (log scale; 1 = no effect)",
                             "zh": "风险比及 95% 置信区间（对数刻度；1 表示无影响）"},
    "legend_ch_hr_up": {"en": "raises the risk", "zh": "提高风险"},
    "legend_ch_hr_down": {"en": "lowers the risk", "zh": "降低风险"},
    "legend_ch_hr_none": {"en": "no clear effect", "zh": "无明显影响"},
    "fig_ch_calibration": {"en": "Calibration at {h} {unit}: predicted against observed churn",
                           "zh": "第 {h} {unit}的校准：预测与实际流失"},
    "legend_ch_perfect": {"en": "perfect calibration", "zh": "完美校准"},
    "legend_ch_decile": {"en": "a tenth of the customers, by risk", "zh": "按风险分组的十分之一客户"},
    "axis_ch_predicted": {"en": "predicted churn within {h} {unit} (%)",
                          "zh": "预测的 {h} {unit}内流失率（%）"},
    "axis_ch_observed": {"en": "observed churn (Kaplan-Meier, %)",
                         "zh": "实际流失率（Kaplan-Meier，%）"},
    "fig_ch_metrics": {"en": "The models on the time split", "zh": "各模型在时间切分上的表现"},
    "legend_ch_chance": {"en": "chance (0.5)", "zh": "随机水平（0.5）"},
    "axis_ch_rank_metrics": {"en": "concordance and AUC (higher is better)",
                             "zh": "一致性指数与 AUC（越高越好）"},
    "axis_ch_ibs": {"en": "integrated Brier score (lower is better)",
                    "zh": "积分 Brier 分数（越低越好）"},
    "label_ch_no_curve": {"en": "no survival curve", "zh": "无生存曲线"},
    "fig_ch_risk": {"en": "Risk of leaving within {h} days, active customers",
                    "zh": "活跃客户 {h} 天内离开的风险"},
    "legend_ch_level_red": {"en": "red ({n})", "zh": "红色（{n} 位）"},
    "legend_ch_level_amber": {"en": "amber ({n})", "zh": "黄色（{n} 位）"},
    "legend_ch_level_green": {"en": "green ({n})", "zh": "绿色（{n} 位）"},
    "legend_ch_amber_threshold": {"en": "amber from {risk}", "zh": "黄色起点 {risk}"},
    "legend_ch_red_threshold": {"en": "lowest red risk {risk}", "zh": "红色最低风险 {risk}"},
    "legend_ch_capacity": {"en": "capacity: {n} calls", "zh": "处理能力：{n} 位"},
    "axis_ch_risk": {"en": "risk of leaving within {h} days (%)", "zh": "{h} 天内离开的风险（%）"},
    "axis_ch_customers_log": {"en": "customers (log scale)", "zh": "客户数（对数刻度）"},
    "fig_ch_drivers": {"en": "Top drivers of the {level} customers ({n})",
                       "zh": "{level}色客户（{n} 位）的主要预警信号"},
    "legend_ch_driver_1": {"en": "first driver", "zh": "首要信号"},
    "legend_ch_driver_2": {"en": "second driver", "zh": "第二信号"},
    "legend_ch_driver_3": {"en": "third driver", "zh": "第三信号"},
    "axis_ch_n_level": {"en": "number of {level} customers", "zh": "{level}色客户数（人）"},
    "fig_ch_sbg_km": {"en": "Retention: sBG model against Kaplan-Meier",
                      "zh": "留存：sBG 模型与 Kaplan-Meier 对比"},
    "fig_ch_sbg_km_sub": {"en": "steps: Kaplan-Meier with 95% band; dashed: sBG",
                          "zh": "阶梯线：Kaplan-Meier 及 95% 置信带；虚线：sBG 模型"},
    "legend_ch_km_of": {"en": "{group}: Kaplan-Meier", "zh": "{group}：Kaplan-Meier"},
    "legend_ch_sbg_of": {"en": "{group}: sBG", "zh": "{group}：sBG 模型"},
    "axis_ch_still_subscribed": {"en": "still subscribed (% of the cohort)",
                                 "zh": "仍在订阅（占该批次 %）"},
}

TERMS: dict[str, dict[str, str]] = {**_WARNING, **_MODELS, **_REPORT, **_FIGURES}
