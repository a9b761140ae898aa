"""Terms of win-back (:mod:`segkit.winback`): lost customers (战败客户), loss reasons, the cost
of churn, win-back effects and uplift, targeting under a budget (好钢用在刀刃上), their
figures and the lost-customer review (``lcr_``).

The words 战败客户 (``lost_customers``) and 流失客户挽回 (``winback``) live in
:mod:`~segkit.glossary.common`; the loss reasons are the ``cat_reason_`` labels there.
"""

from __future__ import annotations

# the domain words of the module
_DOMAIN: dict[str, dict[str, str]] = {
    "lost_customer_database": {"en": "lost-customer database", "zh": "战败客户库"},
    "loss_reason": {"en": "loss reason", "zh": "流失原因"},
    "loss_reason_stated": {"en": "stated reason", "zh": "客户自述原因"},
    "loss_reason_inferred": {"en": "reason inferred from the last complaint",
                             "zh": "由最近一次投诉推断的原因"},
    "cost_of_churn": {"en": "cost of churn", "zh": "流失成本"},
    "former_tier": {"en": "former tier", "zh": "流失前客户等级"},
    "winback_effect": {"en": "win-back effect", "zh": "挽回效果"},
    "uplift": {"en": "uplift (the response the offer adds)", "zh": "增量响应（优惠带来的额外响应）"},
    "qini_curve": {"en": "Qini curve", "zh": "Qini 曲线"},
    "uplift_at_k": {"en": "uplift at k", "zh": "前 k 比例客户的增量响应"},
    "meta_learner": {"en": "meta-learner", "zh": "元学习器"},
    "randomised_campaign": {"en": "randomised campaign", "zh": "随机分组的营销活动"},
    "good_steel": {"en": "spend the budget where it works (good steel on the blade's edge)",
                   "zh": "好钢用在刀刃上"},
    "not_worth_reversing": {"en": "some churn is not worth reversing",
                            "zh": "有些流失不值得挽回"},
}

# the report: lost-customer review (report/lost_customer_review.py)
_REPORT: dict[str, dict[str, str]] = {
    "lcr_title": {"en": "Lost-customer review", "zh": "战败客户回顾"},
    "header_lcr_period": {"en": "Review period (churn dates)", "zh": "回顾期（流失日期）"},
    "lcr_period_value": {"en": "{start} to {end}", "zh": "{start} 至 {end}"},
    "header_lcr_reason_by": {"en": "Loss reasons by", "zh": "流失原因分组"},
    "lcr_by_tier": {"en": "former tier", "zh": "流失前客户等级"},
    "lcr_by_region": {"en": "region", "zh": "地区"},
    "lcr_by_period": {"en": "period", "zh": "时期"},
    "header_lcr_budget": {"en": "Win-back budget", "zh": "挽回预算"},
    "header_lcr_learner": {"en": "Uplift model", "zh": "增量响应模型"},
    "lcr_learner_s": {"en": "S-learner (gradient boosting)", "zh": "S 学习器（梯度提升）"},
    "lcr_learner_t": {"en": "T-learner (gradient boosting)", "zh": "T 学习器（梯度提升）"},
    "lcr_learner_x": {"en": "X-learner (gradient boosting)", "zh": "X 学习器（梯度提升）"},
    "lcr_learner_dr": {"en": "doubly robust learner (gradient boosting)",
                       "zh": "双重稳健学习器（梯度提升）"},
    "lcr_reason_unknown": {"en": "unknown", "zh": "未知"},
    "lcr_offer_control": {"en": "control (no offer)", "zh": "对照组（无优惠）"},
    "lcr_offer_discount_10": {"en": "10% discount", "zh": "九折优惠"},
    "lcr_offer_discount_25": {"en": "25% discount", "zh": "七五折优惠"},
    "lcr_offer_service_call": {"en": "service call", "zh": "客服回访"},
    "lcr_no_database": {
        "en": "The lost-customer database cannot be built: it needs transactions with repeat "
              "purchases to set the churn threshold.",
        "zh": "无法建立战败客户库：需要有重复购买的交易数据来确定流失判定阈值。"},
    "lcr_none_lost": {
        "en": "No customer was lost between {start} and {end} ({days} days without purchase "
              "or interaction).",
        "zh": "{start} 至 {end} 期间没有客户流失（以 {days} 天无购买或互动为流失）。"},
    "lcr_no_campaigns": {
        "en": "The data has no campaigns table, so no win-back effect can be measured and no "
              "offer chosen: record every win-back offer, its date and the response, and "
              "assign the offers at random (with a control group without offer).",
        "zh": "数据中没有营销活动表，因此无法衡量挽回效果，也无法选择优惠方案：请记录每次挽回"
              "优惠、发送日期和客户响应，并随机分配优惠（包括不发优惠的对照组）。"},
    "lcr_no_randomised": {
        "en": "None of the {n} campaign rows comes from a randomised campaign with a control "
              "group: a difference in response between offers chosen by hand mixes the offer "
              "with whatever decided who got it, so no effect is shown.",
        "zh": "{n} 条营销活动记录中没有一条来自带对照组的随机分组活动：人为挑选对象的优惠之间"
              "的响应差异混杂了决定谁获得优惠的因素，因此不显示效果。"},
    "lcr_see_effects": {
        "en": "Not available without randomised win-back campaigns (see the win-back effects "
              "above).",
        "zh": "没有随机分组的挽回活动，无法提供本节（见上文挽回效果）。"},
    "lcr_too_few": {
        "en": "Too few randomised campaign rows to fit and check an uplift model.",
        "zh": "随机分组的营销活动记录太少，无法拟合和检验增量响应模型。"},
    # headline
    "sec_lcr_headline": {"en": "Customers lost from {start} to {end}",
                         "zh": "{start} 至 {end} 的战败客户"},
    "kpi_lcr_lost": {"en": "Customers lost", "zh": "战败客户数"},
    "kpi_lcr_lost_note": {"en": "no purchase or interaction for {days} days",
                          "zh": "连续 {days} 天无购买或互动"},
    "kpi_lcr_revenue": {"en": "Revenue lost in a year", "zh": "一年流失收入"},
    "kpi_lcr_revenue_note": {"en": "margin {margin} ({months} months of former monthly value)",
                             "zh": "利润 {margin}（按流失前月均值计 {months} 个月）"},
    "kpi_lcr_revenue_note_nocost": {
        "en": "{months} months of former monthly revenue; no costs in the data, margin unknown",
        "zh": "按流失前月均收入计 {months} 个月；数据中没有成本，利润未知"},
    "kpi_lcr_back": {"en": "Won back", "zh": "已挽回比例"},
    "kpi_lcr_back_note": {"en": "{n} came back by {end}", "zh": "截至 {end} 有 {n} 位回流"},
    "kpi_lcr_gain": {"en": "Expected gain of the budget", "zh": "预算的预期收益"},
    "kpi_lcr_gain_note": {"en": "{n} contacts for {spent} of {budget}",
                          "zh": "联系 {n} 位客户，花费 {spent}（预算 {budget}）"},
    "kpi_lcr_gain_none": {"en": "no randomised campaigns to learn from",
                          "zh": "没有可供学习的随机分组活动"},
    "kpi_lcr_gain_nobody": {"en": "every customer lost in the period came back",
                            "zh": "本期所有战败客户均已回流"},
    "lcr_headline_note": {
        "en": "{n} customers were declared lost between {start} and {end}: narrow churn, "
              "{days} days without purchase or interaction. Revenue and margin lost are a "
              "year of each customer's former monthly value; whether they came back is "
              "followed up to {obs}, so the customers lost last had the least time to return.",
        "zh": "{start} 至 {end} 期间共有 {n} 位客户被判定流失（狭义流失：连续 {days} 天无购买或"
              "互动）。流失的收入和利润按每位客户流失前的月均值计一年；是否回流跟踪至 {obs}，"
              "因此最近流失的客户回流的时间最短。"},
    # the database
    "sec_lcr_database": {"en": "The lost-customer database by former tier",
                         "zh": "战败客户库（按流失前客户等级）"},
    "tcol_lcr_tier": {"en": "former tier", "zh": "流失前等级"},
    "tcol_lcr_lost": {"en": "lost customers", "zh": "战败客户数"},
    "tcol_lcr_monthly_margin": {"en": "mean monthly margin", "zh": "月均利润"},
    "tcol_lcr_margin_lost": {"en": "margin lost in a year", "zh": "一年流失利润"},
    "tcol_lcr_monthly_revenue": {"en": "mean monthly revenue", "zh": "月均收入"},
    "tcol_lcr_revenue_lost": {"en": "revenue lost in a year", "zh": "一年流失收入"},
    "tcol_lcr_complaints": {"en": "with a complaint", "zh": "有投诉的比例"},
    "tcol_lcr_attempted": {"en": "win-back attempted", "zh": "已尝试挽回"},
    "tcol_lcr_back": {"en": "came back", "zh": "已回流"},
    "lcr_database_note": {
        "en": "One row per tier of the {n} lost customers: the tier is the one they held "
              "when they left (key, ordinary, small or inferior by revenue and margin); "
              "amounts in {currency}, a year being {months} months of the former monthly "
              "value. Each customer's history stops at their churn date; win-back attempts "
              "and returns are counted after it.",
        "zh": "{n} 位战败客户按等级汇总：等级为客户流失时所处的等级（按收入和利润分为关键、普通、"
              "小客户和劣质客户）；金额单位为 {currency}，一年按流失前月均值计 {months} 个月。每位"
              "客户的历史截至其流失日期；挽回尝试和回流在流失之后统计。"},
    "lcr_not_worth": {
        "en": "Some churn is not worth reversing: the {n} inferior former customers cost more "
              "than they brought (a year of their margin: {margin}). The budget never goes "
              "to them.",
        "zh": "有些流失不值得挽回：{n} 位原劣质客户带来的不及其成本（一年利润：{margin}）。"
              "预算不会用于挽回他们。"},
    "lcr_no_costs_tiers": {
        "en": "The data has no costs, so margins are unknown and no lost customer can be "
              "called inferior; with costs, the inferior former customers would be left out of "
              "the win-back budget: some churn is not worth reversing.",
        "zh": "数据中没有成本，因此利润未知，无法判定哪些战败客户属于劣质客户；有了成本数据，原劣质"
              "客户将不纳入挽回预算：有些流失不值得挽回。"},
    "lcr_not_worth_none": {
        "en": "No inferior customer left in the period; had one, the budget would not go to "
              "them: some churn is not worth reversing.",
        "zh": "本期没有劣质客户流失；即使有，预算也不会用于挽回他们：有些流失不值得挽回。"},
    # reasons
    "sec_lcr_reasons": {"en": "Why they left: loss reasons by {by}",
                        "zh": "客户为何离开：按{by}的流失原因"},
    "fig_lcr_reasons": {"en": "Loss reasons by {by}", "zh": "按{by}的流失原因"},
    "fig_lcr_reasons_all": {"en": "Loss reasons", "zh": "流失原因"},
    "lcr_reasons_unknown": {
        "en": "The reason is unknown for all {n} lost customers: the data has no {tables} "
              "table to state or infer it. Ask leaving customers why (an exit survey) and "
              "record complaints with their reason.",
        "zh": "全部 {n} 位战败客户的流失原因未知：数据中没有可陈述或推断原因的{tables}表。"
              "请询问离开的客户原因（离开问卷），并记录投诉及其原因。"},
    "lcr_reason_sources": {
        "en": "Of the {n} lost customers, {stated} stated their reason (an exit row), for "
              "{inferred} it is inferred from their last complaint before leaving and for "
              "{unknown} it is unknown. An inferred reason is a guess: a customer who "
              "complained about delivery may have left for a better price.",
        "zh": "{n} 位战败客户中，{stated} 位自述了原因（离开记录），{inferred} 位的原因由其离开"
              "前最近一次投诉推断，{unknown} 位原因未知。推断的原因只是猜测：投诉过配送的客户"
              "也可能因为价格而离开。"},
    "lcr_trend_short": {"en": "The period is too short for a trend of the reasons.",
                        "zh": "回顾期太短，无法显示流失原因的趋势。"},
    "tcol_lcr_reason": {"en": "reason", "zh": "原因"},
    "tcol_lcr_share": {"en": "share of the lost", "zh": "占战败客户比例"},
    "tcol_lcr_last_share": {"en": "share in the last period", "zh": "最近一期占比"},
    "tcol_lcr_slope": {"en": "trend (points per {grain})", "zh": "趋势（每{grain}百分点）"},
    "lcr_trend_note": {
        "en": "Over {periods} periods (by {grain}), the most frequent reason is {top} "
              "({share} of the lost customers). The trend is the straight-line change of a "
              "reason's share per {grain}; with few customers per period it is noisy.",
        "zh": "在 {periods} 个时期（按{grain}）中，最常见的原因是{top}（占战败客户的 {share}）。"
              "趋势为某原因占比每{grain}的直线变化；每期客户较少时波动较大。"},
    "lcr_trend_rising": {
        "en": "The share of {reason} rises the most: {pp} points per {grain}.",
        "zh": "{reason}的占比上升最快：每{grain} {pp} 个百分点。"},
    # cost
    "sec_lcr_cost": {"en": "The cost of churn", "zh": "流失成本"},
    "fig_lcr_cost": {"en": "What the lost customers took with them, by former tier",
                     "zh": "战败客户带走的价值（按流失前等级）"},
    "tcol_lcr_revenue_lost_h": {"en": "revenue lost ({months} months)",
                              "zh": "流失收入（{months} 个月）"},
    "tcol_lcr_margin_lost_h": {"en": "margin lost ({months} months)",
                               "zh": "流失利润（{months} 个月）"},
    "tcol_lcr_acquisition": {"en": "acquisition cost spent", "zh": "已投入获客成本"},
    "tcol_lcr_unrecovered": {"en": "acquisition cost not paid back", "zh": "未收回的获客成本"},
    "tcol_lcr_clv_lost": {"en": "lifetime value lost", "zh": "流失的客户终身价值"},
    "lcr_cost_note": {
        "en": "The customers lost in the period took {revenue} of revenue and {margin} of "
              "margin a year with them ({months} months of their former monthly value). "
              "{acquisition} was spent to acquire them, of which {unrecovered} was never "
              "paid back by their margin: wasted acquisition cost.",
        "zh": "本期战败客户每年带走收入 {revenue}、利润 {margin}（按流失前月均值计 {months} 个月）。"
              "获取这些客户共花费 {acquisition}，其中 {unrecovered} 从未被其利润收回：获客成本"
              "被浪费。"},
    "lcr_cost_note_nocost": {
        "en": "The customers lost in the period took {revenue} of revenue a year with them "
              "({months} months of their former monthly revenue). The data has no costs, so "
              "the margin lost and the acquisition cost wasted are not known.",
        "zh": "本期战败客户每年带走收入 {revenue}（按流失前月均收入计 {months} 个月）。数据中没有"
              "成本，因此流失的利润和浪费的获客成本未知。"},
    "lcr_clv_note": {
        "en": "Lifetime value lost: {clv}, the value over {months} months that a BG/NBD and "
              "Gamma-Gamma model fitted on the purchases before {start} expected from these "
              "customers ({missing} of them had no purchase before then and no estimate).",
        "zh": "流失的客户终身价值：{clv}，即根据 {start} 之前的购买数据拟合的 BG/NBD 与 "
              "Gamma-Gamma 模型对这些客户未来 {months} 个月价值的预期（其中 {missing} 位在此之前"
              "没有购买，无法估计）。"},
    "lcr_clv_none": {
        "en": "The lifetime value lost is not shown: the purchases before {start} are too few "
              "to fit the valuation models.",
        "zh": "未显示流失的客户终身价值：{start} 之前的购买数据太少，无法拟合价值模型。"},
    # effects
    "sec_lcr_effects": {"en": "Win-back effects of the randomised campaigns",
                        "zh": "随机分组挽回活动的效果"},
    "fig_lcr_effects": {"en": "Response added by each offer, with 95% interval",
                        "zh": "各优惠带来的额外响应及 95% 置信区间"},
    "tcol_lcr_offer": {"en": "offer", "zh": "优惠方案"},
    "tcol_lcr_n": {"en": "customers", "zh": "客户数"},
    "tcol_lcr_rate": {"en": "response rate", "zh": "响应率"},
    "tcol_lcr_diff": {"en": "effect (points)", "zh": "效果（百分点）"},
    "tcol_lcr_interval": {"en": "95% interval (points)", "zh": "95% 置信区间（百分点）"},
    "tcol_lcr_cost": {"en": "cost per contact", "zh": "每次联系成本"},
    "lcr_effects_note": {
        "en": "{n} lapsed customers in {k} win-back campaigns from {first} to {last}, each "
              "given an offer at random; {control} of the control group (no offer) came back "
              "anyway. The effect of an offer is its response rate minus the control's, in "
              "percentage points, with Newcombe's 95% interval.",
        "zh": "{first} 至 {last} 的 {k} 次挽回活动中共 {n} 位沉睡客户，各自被随机分配一种优惠；"
              "对照组（无优惠）中也有 {control} 自行回流。优惠的效果为其响应率减去对照组的响应率"
              "（百分点），附 Newcombe 95% 置信区间。"},
    "lcr_effects_sure": {"en": "Offers whose whole interval is above zero: {offers}.",
                         "zh": "置信区间完全高于零的优惠：{offers}。"},
    "lcr_effects_none": {
        "en": "No offer's interval lies wholly above zero: the campaigns cannot tell any "
              "offer from no offer yet.",
        "zh": "没有任何优惠的置信区间完全高于零：目前的活动尚不能把任何优惠与不发优惠区分开。"},
    "lcr_not_randomised": {
        "en": "{n} campaign rows whose offer was not assigned at random are left out: their "
              "difference in response mixes the offer with whatever decided who got it.",
        "zh": "{n} 条非随机分配优惠的活动记录未纳入：其响应差异混杂了决定谁获得优惠的因素。"},
    "lcr_all_randomised": {"en": "Every campaign row was randomised.",
                           "zh": "所有活动记录均为随机分配。"},
    # heterogeneity
    "sec_lcr_uplift": {"en": "For whom does an offer work? Uplift per customer",
                       "zh": "优惠对谁有效？逐个客户的增量响应"},
    "fig_lcr_qini": {"en": "Qini curves on the held-out campaign rows",
                     "zh": "留出活动记录上的 Qini 曲线"},
    "fig_lcr_qini_sub": {"en": "dotted: the same offer sent at random",
                         "zh": "虚线：随机发送同一优惠"},
    "tcol_lcr_n_test": {"en": "held-out rows", "zh": "留出记录数"},
    "tcol_lcr_qini_auc": {"en": "area above random (Qini)", "zh": "高于随机的面积（Qini）"},
    "tcol_lcr_at_k": {"en": "uplift in the top {k} (points)",
                      "zh": "前 {k} 客户的增量响应（百分点）"},
    "lcr_uplift_note": {
        "en": "A {learner} per offer against control, on {features} features known before "
              "each campaign (spend, purchases, recency, tenure, complaints), fitted on "
              "{train} randomised rows and judged on {test} others it never saw. A Qini curve "
              "above its dotted line ranks the customers who respond because of the offer "
              "first; the area is per row targeted, 0 for random. Uplift in the top {k} is "
              "the difference in response between offered and control customers among the "
              "{k} ranked highest.",
        "zh": "每种优惠与对照组对比，各拟合一个{learner}，使用每次活动前已知的 {features} 个特征"
              "（消费、购买次数、最近购买、客户时长、投诉），在 {train} 条随机记录上拟合，并在另外 "
              "{test} 条未见过的记录上检验。Qini 曲线高于其虚线，说明模型把因优惠而响应的客户排在"
              "前面；面积按每位目标客户计，随机为 0。前 {k} 的增量响应为排名最高的 {k} 客户中获得"
              "优惠者与对照者的响应率之差。"},
    "lcr_uplift_good": {"en": "The ranking beats random on the held-out rows for: {offers}.",
                        "zh": "在留出记录上排序优于随机的优惠：{offers}。"},
    "lcr_uplift_weak": {
        "en": "No ranking beats random on the held-out rows: with this few campaign rows "
              "the model cannot tell who responds because of an offer; treat its list with "
              "caution.",
        "zh": "在留出记录上没有任何排序优于随机：活动记录太少，模型无法识别因优惠而响应的客户；"
              "请谨慎使用其名单。"},
    # targeting
    "sec_lcr_targeting": {"en": "Targeting under the budget (好钢用在刀刃上)",
                          "zh": "预算下的目标选择（好钢用在刀刃上）"},
    "lcr_policy_uplift": {"en": "uplift x value - cost, per customer",
                          "zh": "按增量响应 × 价值 − 成本逐个选择"},
    "lcr_policy_risk": {"en": "highest churn risk first", "zh": "流失风险最高者优先"},
    "lcr_policy_value": {"en": "highest value first", "zh": "价值最高者优先"},
    "lcr_policy_random": {"en": "random contact", "zh": "随机联系"},
    "lcr_per_customer": {"en": "chosen per customer", "zh": "逐个客户选择"},
    "fig_lcr_policies": {"en": "Gain of each targeting rule under the same budget",
                         "zh": "相同预算下各目标选择规则的收益"},
    "tcol_lcr_policy": {"en": "targeting rule", "zh": "目标选择规则"},
    "tcol_lcr_contacted": {"en": "contacted", "zh": "联系人数"},
    "tcol_lcr_spent": {"en": "spent", "zh": "花费"},
    "tcol_lcr_gain_est": {"en": "gain measured", "zh": "实测收益"},
    "tcol_lcr_gain_pred": {"en": "gain the model expected", "zh": "模型预期收益"},
    "tcol_lcr_gain_se": {"en": "± standard error", "zh": "± 标准误"},
    "lcr_policies_note": {
        "en": "Each rule may spend {budget} on the {n} held-out campaign rows (the budget of "
              "{total} scaled from the {cand} customers who could be won back to the "
              "held-out group). The gain is the response an offer adds times a year of the "
              "customer's margin known before the campaign, minus the offer's cost; it is "
              "measured from the randomised responses by inverse-probability weighting, "
              "without bias but with noise. Customers of negative margin are never contacted. "
              "The three simple rules send the one offer of best mean expected gain; the "
              "churn-risk rule takes the longest lapsed first.",
        "zh": "每条规则在 {n} 条留出活动记录上最多花费 {budget}（把 {total} 的预算按可挽回客户 {cand} "
              "位与留出组的规模比例缩放）。收益为优惠带来的额外响应乘以活动前已知的客户一年利润，"
              "再减去优惠成本；按随机分组的实际响应以逆概率加权计算，无偏但有噪声。利润为负的客户"
              "从不联系。三条简单规则都发送平均预期收益最高的同一种优惠；流失风险规则按沉睡时间最长者优先。"},
    "lcr_policies_best": {"en": "The rule with the largest measured gain: {policy} ({gain}).",
                          "zh": "实测收益最大的规则：{policy}（{gain}）。"},
    "lcr_policies_caveat": {
        "en": "The held-out group is small: the standard error says how far each measured "
              "gain may be off, and differences smaller than about two of them are noise. "
              "Keep a random control group in every campaign so that the next review can "
              "measure the rule again.",
        "zh": "留出组较小：标准误表示每个实测收益可能的偏差，小于约两个标准误的差异属于噪声。"
              "每次活动都请保留随机对照组，以便下次回顾时再次检验规则。"},
    # the contact list
    "sec_lcr_list": {"en": "Whom to contact, with which offer, for {budget}",
                     "zh": "以 {budget} 联系谁、用什么优惠"},
    "lcr_list_nobody": {"en": "Every customer lost in the period has come back: nobody to "
                              "contact.",
                        "zh": "本期所有战败客户均已回流：无需联系。"},
    "lcr_list_rule": {
        "en": "Candidates: the {cand} customers lost in the period who have not come back. "
              "Never contacted: {never} of them, inferior former customers ({inferior}) or "
              "customers of negative margin ({negative}): winning them back loses money. Each of the others gets at "
              "most one offer, chosen to maximise uplift x a year of margin - cost within the "
              "budget.",
        "zh": "候选客户：本期流失且尚未回流的 {cand} 位客户。从不联系其中 {never} 位：原劣质客户"
              "（{inferior} 位）或利润为负的客户（{negative} 位），挽回他们会亏钱。其余客户每人最多获得一种优惠，在预算内"
              "使增量响应 × 一年利润 − 成本最大。"},
    "lcr_list_empty": {"en": "No offer is expected to earn more than it costs: nobody to "
                             "contact.",
                       "zh": "没有任何优惠的预期收益高于其成本：无需联系。"},
    "lcr_list_no_budget": {"en": "The budget is 0: nobody to contact.",
                           "zh": "预算为 0：无需联系任何客户。"},
    "tcol_lcr_rank": {"en": "rank", "zh": "排名"},
    "tcol_lcr_uplift": {"en": "uplift (points)", "zh": "增量响应（百分点）"},
    "tcol_lcr_value": {"en": "margin ({months} months)", "zh": "利润（{months} 个月）"},
    "tcol_lcr_gain": {"en": "expected gain", "zh": "预期收益"},
    "lcr_list_note": {
        "en": "{n} customers to contact for {spent} of the {budget} budget, expected gain "
              "{gain}; the {shown} of largest expected gain are shown, by pseudonym only. "
              "Offers: {offers}.",
        "zh": "共联系 {n} 位客户，花费 {spent}（预算 {budget}），预期收益 {gain}；此处按化名列出"
              "预期收益最高的 {shown} 位。优惠：{offers}。"},
}

# figures (plot/winback.py)
_FIGURES: dict[str, dict[str, str]] = {
    "axis_lcr_share_lost": {"en": "share of the lost customers", "zh": "占战败客户比例"},
    "legend_lcr_lost_revenue": {"en": "revenue lost (a year)", "zh": "流失收入（一年）"},
    "legend_lcr_lost_margin": {"en": "margin lost (a year)", "zh": "流失利润（一年）"},
    "legend_lcr_clv_lost": {"en": "lifetime value lost", "zh": "流失的终身价值"},
    "axis_lcr_amount": {"en": "amount ({currency})", "zh": "金额（{currency}）"},
    "axis_lcr_diff": {"en": "response rate minus control (percentage points)",
                      "zh": "响应率减去对照组（百分点）"},
    "axis_lcr_targeted": {"en": "share of customers targeted, by predicted uplift",
                          "zh": "按预测增量响应排序的目标客户比例"},
    "axis_lcr_incremental": {"en": "extra responders per 100 customers",
                             "zh": "每 100 位客户的额外响应数"},
    "axis_lcr_gain": {"en": "gain ({currency})", "zh": "收益（{currency}）"},
}

TERMS: dict[str, dict[str, str]] = {**_DOMAIN, **_REPORT, **_FIGURES}
