"""Terms of customer valuation (:mod:`segkit.value`): models, validation, P(alive), lifetime
value, their figures and the valuation report."""

from __future__ import annotations

# the models and their parameters (value/bgnbd.py, pareto_nbd.py, mbgnbd.py, gamma_gamma.py)
_MODELS: dict[str, dict[str, str]] = {
    "model_bgnbd": {"en": "BG/NBD", "zh": "BG/NBD 模型"},
    "model_pareto_nbd": {"en": "Pareto/NBD", "zh": "Pareto/NBD 模型"},
    "model_mbgnbd": {"en": "MBG/NBD", "zh": "MBG/NBD 模型"},
    "model_desc_bgnbd": {
        "en": "The BG/NBD model (Fader, Hardie & Lee 2005): while active, a customer buys at "
              "a steady rate of their own; after each repeat purchase they may drop out for "
              "good, unseen. Purchase rates vary across customers as a Gamma distribution "
              "(r, α), drop-out probabilities as a Beta distribution (a, b).",
        "zh": "BG/NBD 模型（Fader、Hardie 与 Lee，2005）：客户在活跃期间以自身稳定的速率购买；"
              "每次重复购买后都可能永久流失（不可观察）。购买速率在客户之间服从 Gamma 分布"
              "（r、α），流失概率服从 Beta 分布（a、b）。",
    },
    "model_desc_pareto_nbd": {
        "en": "The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): while active, a "
              "customer buys at a steady rate of their own, and may drop out at any moment, "
              "unseen, at a drop-out rate of their own. Purchase rates vary across customers "
              "as a Gamma distribution (r, α), drop-out rates as another Gamma (s, β).",
        "zh": "Pareto/NBD 模型（Schmittlein、Morrison 与 Colombo，1987）：客户在活跃期间以自身"
              "稳定的速率购买，并可能在任何时刻以自身的流失速率永久流失（不可观察）。购买速率在"
              "客户之间服从 Gamma 分布（r、α），流失速率服从另一个 Gamma 分布（s、β）。",
    },
    "model_desc_mbgnbd": {
        "en": "The MBG/NBD model (Batislam, Denizel & Filiztekin 2007): as the BG/NBD, but a "
              "customer may also drop out right after the first purchase, so a one-time "
              "buyer is not certainly active. Purchase rates vary across customers as a Gamma "
              "distribution (r, α), drop-out probabilities as a Beta distribution (a, b).",
        "zh": "MBG/NBD 模型（Batislam、Denizel 与 Filiztekin，2007）：与 BG/NBD 相同，但客户在"
              "首次购买后也可能立即流失，因此仅购买一次的客户不一定仍活跃。购买速率在客户之间"
              "服从 Gamma 分布（r、α），流失概率服从 Beta 分布（a、b）。",
    },
    # parameter meanings: BG/NBD and MBG/NBD (bg), Pareto/NBD (pnbd), Gamma-Gamma (gg)
    "param_bg_r": {"en": "shape of the purchase rates across customers",
                   "zh": "客户购买速率分布的形状参数"},
    "param_bg_alpha": {"en": "scale of the purchase rates, in weeks (mean rate r / α)",
                       "zh": "购买速率分布的尺度参数，单位为周（平均速率 r / α）"},
    "param_bg_a": {"en": "drop-out probability across customers: first Beta parameter",
                   "zh": "客户流失概率分布的第一个 Beta 参数"},
    "param_bg_b": {"en": "drop-out probability across customers: second Beta parameter "
                         "(mean a / (a + b))",
                   "zh": "客户流失概率分布的第二个 Beta 参数（均值 a / (a + b)）"},
    "param_pnbd_r": {"en": "shape of the purchase rates across customers",
                     "zh": "客户购买速率分布的形状参数"},
    "param_pnbd_alpha": {"en": "scale of the purchase rates, in weeks (mean rate r / α)",
                         "zh": "购买速率分布的尺度参数，单位为周（平均速率 r / α）"},
    "param_pnbd_s": {"en": "shape of the drop-out rates across customers",
                     "zh": "客户流失速率分布的形状参数"},
    "param_pnbd_beta": {"en": "scale of the drop-out rates, in weeks (mean rate s / β)",
                        "zh": "流失速率分布的尺度参数，单位为周（平均速率 s / β）"},
    "param_gg_p": {"en": "shape of the spend of one purchase around the customer's own mean",
                   "zh": "单次消费金额围绕客户自身均值的形状参数"},
    "param_gg_q": {"en": "shape of the customers' mean spends across customers",
                   "zh": "客户平均消费金额在客户之间的形状参数"},
    "param_gg_gamma": {"en": "scale of the customers' mean spends, in the currency",
                       "zh": "客户平均消费金额的尺度参数，以货币计"},
    "tier_col_clv": {"en": "lifetime value", "zh": "终身价值"},
}

# the valuation report: header, headline, sections (report/valuation.py)
_REPORT: dict[str, dict[str, str]] = {
    "valuation_title": {"en": "Customer valuation", "zh": "客户价值评估"},
    "header_val_model": {"en": "Purchase model", "zh": "购买模型"},
    "header_val_split": {"en": "Validation", "zh": "模型验证"},
    "header_val_split_value": {
        "en": "calibration up to {cal_end}, holdout of {weeks} weeks up to {end}",
        "zh": "校准期截至 {cal_end}，验证期 {weeks} 周，截至 {end}"},
    "header_val_horizon": {"en": "Horizon and discount rate", "zh": "预测期与贴现率"},
    "header_val_horizon_value": {"en": "{months} months, {rate} a month",
                                 "zh": "{months} 个月，每月 {rate}"},
    "header_val_time_unit": {"en": "Time unit of the models", "zh": "模型时间单位"},
    "val_time_unit": {"en": "week (counted in days)", "zh": "周（按天计）"},
    "val_model_replaced": {"en": "{used} (instead of {requested}, see below)",
                           "zh": "{used}（代替 {requested}，见下文）"},
    "val_clv_word": {"en": "lifetime value", "zh": "终身价值"},
    # headline
    "sec_val_headline": {"en": "Customer value on {end}", "zh": "{end} 的客户价值"},
    "kpi_val_customers": {"en": "Customers with a purchase", "zh": "有购买记录的客户"},
    "kpi_val_customers_note": {
        "en": "about {alive} still active (the sum of P(alive)); {one_time} one-time buyers",
        "zh": "约 {alive} 位仍活跃（存活概率之和）；{one_time} 位仅购买一次"},
    "kpi_val_purchases": {"en": "Expected purchases in the next {months} months",
                          "zh": "未来 {months} 个月预期购买次数"},
    "kpi_val_purchases_note": {"en": "{per_customer} per customer",
                               "zh": "每位客户 {per_customer} 次"},
    "kpi_val_clv": {"en": "Lifetime value of the next {months} months",
                    "zh": "未来 {months} 个月的终身价值"},
    "kpi_val_clv_note": {"en": "90% interval {low} to {high}",
                         "zh": "90% 区间：{low} 至 {high}"},
    "kpi_val_clv_no_interval": {
        "en": "No interval: the uncertainty of the estimates could not be drawn (no finite "
              "covariance).",
        "zh": "无区间：无法抽取估计值的不确定性（协方差不是有限值）。"},
    "kpi_val_top": {"en": "Share of the value in the top {share}",
                    "zh": "前 {share} 客户的价值占比"},
    "kpi_val_top_note": {"en": "held by the {n} customers of highest value",
                         "zh": "由价值最高的 {n} 位客户贡献"},
    "sec_val_headline_note": {
        "en": "{model} fitted on the purchases of the {n} customers up to {end}, in weeks. "
              "The lifetime value of a customer is the expected purchases of each of the next "
              "{months} months times the expected spend per purchase (Gamma-Gamma model), "
              "discounted at {rate} a month, in {currency}.",
        "zh": "{model}基于 {n} 位客户截至 {end} 的购买记录拟合，时间单位为周。客户终身价值 = "
              "未来 {months} 个月中每月的预期购买次数 × 每次购买的预期金额（Gamma-Gamma 模型），"
              "按每月 {rate} 贴现，单位为 {currency}。"},
    # the purchase model
    "sec_val_model": {"en": "The purchase model: {model}", "zh": "购买模型：{model}"},
    "tcol_val_parameter": {"en": "parameter", "zh": "参数"},
    "tcol_val_meaning": {"en": "meaning", "zh": "含义"},
    "tcol_val_estimate": {"en": "estimate", "zh": "估计值"},
    "tcol_val_se": {"en": "standard error", "zh": "标准误"},
    "tcol_val_interval95": {"en": "95% interval", "zh": "95% 区间"},
    "tcol_val_interval90": {"en": "90% interval", "zh": "90% 区间"},
    "val_words_rate": {
        "en": "While active, a customer buys {rate} times a week on average, {year} times a "
              "year (r / α).",
        "zh": "客户在活跃期间平均每周购买 {rate} 次，每年 {year} 次（r / α）。"},
    "val_words_dropout_bgnbd": {
        "en": "After each repeat purchase, a customer drops out with probability {p} on "
              "average (a / (a + b)).",
        "zh": "每次重复购买后，客户平均以 {p} 的概率流失（a / (a + b)）。"},
    "val_words_dropout_mbgnbd": {
        "en": "After each purchase, the first one included, a customer drops out with "
              "probability {p} on average (a / (a + b)).",
        "zh": "每次购买后（包括首次购买），客户平均以 {p} 的概率流失（a / (a + b)）。"},
    "val_words_dropout_pnbd": {
        "en": "Customers drop out at a mean rate of {rate} a week (s / β): {share} of new "
              "customers would still be active a year after their first purchase.",
        "zh": "客户的平均流失速率为每周 {rate}（s / β）：新客户中有 {share} 在首次购买一年后仍会"
              "活跃。"},
    "val_words_new": {
        "en": "A new customer is expected to make {n} repeat purchases in their first year.",
        "zh": "新客户在第一年内预计有 {n} 次重复购买。"},
    "val_words_fit": {
        "en": "Log-likelihood {ll} on {n} customers ({distinct} distinct histories of "
              "frequency, recency and T).",
        "zh": "对数似然 {ll}，基于 {n} 位客户（{distinct} 种不同的频次、最近度与观察时长组合）。"},
    "val_penalized": {
        "en": "Without a penalty the likelihood has no proper maximum on these data: fitted "
              "with the penalty {pen}, which keeps the estimates finite.",
        "zh": "在这些数据上，不加惩罚项的似然函数没有真正的最大值：已使用惩罚系数 {pen} 拟合，"
              "使估计值保持有限。"},
    "val_fallback": {
        "en": "{requested} could not be fitted on these data: its likelihood has no proper "
              "maximum, even with a small penalty (the data do not pin its parameters down). "
              "{used} is used instead.",
        "zh": "{requested}无法在这些数据上拟合：即使加入较小的惩罚项，其似然函数也没有真正的最大值"
              "（数据无法确定其参数）。改用 {used}。"},
    "val_no_model": {
        "en": "No purchase model could be fitted on these data (too few repeat purchases, or "
              "a history too short): there is nothing to predict.",
        "zh": "无法在这些数据上拟合购买模型（重复购买太少或历史太短）：无法进行预测。"},
    # validation
    "sec_val_validation": {
        "en": "Does the model predict? Calibration up to {cal_end}, holdout of {weeks} weeks "
              "up to {end}",
        "zh": "模型能否预测？校准期截至 {cal_end}，验证期 {weeks} 周，截至 {end}"},
    "sec_val_validation_note": {
        "en": "The model ({model}) was fitted again on the purchases up to {cal_end} only, and "
              "its predictions for the next {weeks} weeks set beside what happened: the {n} "
              "customers of the calibration period made {actual} repeat purchases in the "
              "holdout, the model expected {expected}. The tracking forecast uses only the "
              "dates of the first purchases, as in the papers.",
        "zh": "模型（{model}）仅用截至 {cal_end} 的购买记录重新拟合，并将其对之后 {weeks} 周的"
              "预测与实际情况对比：校准期的 {n} 位客户在验证期实际重复购买 {actual} 次，模型预期 "
              "{expected} 次。跟踪预测只使用首次购买日期，与文献做法一致。"},
    "val_split_too_short": {
        "en": "The data hold no purchase up to {cal_end}: a holdout of {weeks} weeks is longer "
              "than the history (lower holdout_weeks).",
        "zh": "截至 {cal_end} 的数据中没有购买记录：{weeks} 周的验证期比历史还长（可调小 "
              "holdout_weeks）。"},
    "val_split_no_fit": {
        "en": "The model could not be fitted on the purchases up to {cal_end} alone (too few "
              "repeat purchases before the holdout of {weeks} weeks): no validation.",
        "zh": "仅用截至 {cal_end} 的购买记录无法拟合模型（{weeks} 周验证期之前的重复购买太少）："
              "无法验证。"},
    "val_split_no_data": {
        "en": "No purchase up to {cal_end}, before the holdout of {weeks} weeks: no validation.",
        "zh": "{weeks} 周验证期之前（截至 {cal_end}）没有购买记录：无法验证。"},
    "tcol_val_measure": {"en": "measure", "zh": "指标"},
    "tcol_val_value": {"en": "value", "zh": "数值"},
    "val_err_customers": {"en": "customers of the calibration period",
                          "zh": "校准期客户数"},
    "val_err_actual": {"en": "repeat purchases in the holdout", "zh": "验证期实际重复购买次数"},
    "val_err_expected": {"en": "repeat purchases expected by the model",
                         "zh": "模型预期的重复购买次数"},
    "val_err_total": {"en": "error of the total (expected against actual)",
                      "zh": "总数误差（预期相对实际）"},
    "val_err_mae": {"en": "mean absolute error per customer (purchases)",
                    "zh": "每位客户的平均绝对误差（次）"},
    "val_err_rmse": {"en": "root mean squared error per customer (purchases)",
                     "zh": "每位客户的均方根误差（次）"},
    "val_err_corr": {"en": "correlation of expected and actual, per customer",
                     "zh": "每位客户预期与实际的相关系数"},
    # model comparison
    "sec_val_compare": {"en": "The purchase models compared on the same holdout",
                        "zh": "同一验证期上的购买模型比较"},
    "tcol_val_model": {"en": "model", "zh": "模型"},
    "tcol_val_status": {"en": "fit", "zh": "拟合情况"},
    "tcol_val_loglik": {"en": "log-likelihood (calibration)", "zh": "对数似然（校准期）"},
    "tcol_val_bic": {"en": "BIC (lower is better)", "zh": "贝叶斯信息准则 BIC（越低越好）"},
    "tcol_val_total_error": {"en": "error of the total", "zh": "总数误差"},
    "tcol_val_mae": {"en": "mean absolute error", "zh": "平均绝对误差"},
    "tcol_val_rmse": {"en": "root mean squared error", "zh": "均方根误差"},
    "tcol_val_corr": {"en": "correlation", "zh": "相关系数"},
    "val_status_ok": {"en": "fitted", "zh": "已拟合"},
    "val_status_penalized": {"en": "fitted with the penalty {pen}", "zh": "加惩罚项 {pen} 拟合"},
    "val_status_failed": {"en": "no proper maximum", "zh": "无真正最大值"},
    "sec_val_compare_note": {
        "en": "Each model fitted on the same calibration period and judged on the same "
              "holdout. Lowest mean absolute error: {best_mae}; lowest BIC: {best_bic}. This "
              "report uses {model}; choose another with the parameter model.",
        "zh": "各模型在同一校准期上拟合，并在同一验证期上检验。平均绝对误差最低：{best_mae}；"
              "BIC 最低：{best_bic}。本报告使用 {model}；可用参数 model 选择其他模型。"},
    # P(alive)
    "sec_val_alive": {"en": "Who is still active? P(alive) on {end}",
                      "zh": "谁仍然活跃？{end} 的存活概率"},
    "sec_val_alive_note": {
        "en": "P(alive) is the probability that a customer has not dropped out by the "
              "observation end, given their purchases. {n} of the {total} customers ({share}) "
              "are more likely gone than active (P(alive) below 50%); about {alive} are "
              "expected to be still active.",
        "zh": "存活概率是根据客户的购买记录，客户截至观察期末尚未流失的概率。{total} 位客户中有 "
              "{n} 位（{share}）更可能已经流失（存活概率低于 50%）；预计约 {alive} 位仍活跃。"},
    "val_one_time_bgnbd": {
        "en": "In the BG/NBD a customer can only drop out after a repeat purchase, so every "
              "one-time buyer has P(alive) = 100%, however old the purchase: an assumption of "
              "the model, not a finding. When one-time buyers also leave, choose the MBG/NBD "
              "(model mbgnbd).",
        "zh": "在 BG/NBD 模型中，客户只会在重复购买之后流失，因此所有仅购买一次的客户存活概率都是 "
              "100%，无论那次购买多久以前：这是模型的假设，而非发现。若仅购买一次的客户也会流失，"
              "请选择 MBG/NBD 模型（model mbgnbd）。"},
    "val_one_time_other": {
        "en": "In the {model} a one-time buyer may have dropped out too: their P(alive) falls "
              "with the time since their purchase, {mean} on average.",
        "zh": "在{model}中，仅购买一次的客户也可能已流失：其存活概率随购买后时间的增加而下降，"
              "平均为 {mean}。"},
    # lifetime value
    "sec_val_clv": {"en": "Lifetime value of the next {months} months",
                    "zh": "未来 {months} 个月的终身价值"},
    "val_clv_total": {"en": "total lifetime value", "zh": "终身价值合计"},
    "val_clv_mean": {"en": "mean per customer", "zh": "每位客户平均"},
    "val_clv_median": {"en": "median per customer", "zh": "每位客户中位数"},
    "sec_val_clv_note": {
        "en": "Each customer's expected purchases in each of the next {months} months, times "
              "their expected spend per purchase, discounted at {rate} a month; in {currency}. "
              "A customer probably gone is worth little, however much they bought.",
        "zh": "每位客户未来 {months} 个月中每月的预期购买次数 × 其每次购买的预期金额，按每月 "
              "{rate} 贴现；单位为 {currency}。很可能已流失的客户，无论过去买了多少，价值都很低。"},
    "val_bootstrap": {
        "en": "The intervals carry the uncertainty of the estimated parameters: {draws} "
              "parameter sets drawn from the estimates and their standard errors, and the "
              "values recomputed with each. They are not the randomness of a customer's own "
              "purchases.",
        "zh": "区间反映参数估计的不确定性：根据估计值及其标准误抽取 {draws} 组参数，并用每组参数"
              "重新计算价值。区间并不代表单个客户自身购买的随机性。"},
    "val_bootstrap_rejected": {
        "en": "{n} parameter sets were drawn again because they gave an infinite spend "
              "(Gamma-Gamma q at most 1).",
        "zh": "有 {n} 组参数因导致消费金额为无穷大（Gamma-Gamma 的 q 不大于 1）而重新抽取。"},
    # tiers
    "sec_val_tiers": {"en": "Value tiers by lifetime value, and how sure they are",
                      "zh": "按终身价值分级及其确定程度"},
    "tcol_val_clv_share": {"en": "share of lifetime value", "zh": "终身价值占比"},
    "tcol_val_mean_clv": {"en": "mean lifetime value", "zh": "平均终身价值"},
    "tcol_val_mean_prob": {"en": "mean probability of the tier", "zh": "所属等级的平均概率"},
    "tcol_val_sure": {"en": "sure of the tier (probability at least {share})",
                      "zh": "等级确定（概率不低于 {share}）"},
    "sec_val_tiers_note": {
        "en": "Tiers by the 80% / 95% rule on the predicted lifetime value. Each customer's "
              "tier comes with a probability: the share of the {draws} parameter sets that "
              "put the customer in the same tier. A customer near a threshold has a low "
              "probability; call a tier sure from {sure}.",
        "zh": "按预测终身价值的 80% / 95% 规则分级。每位客户的等级都附有概率：{draws} 组参数中"
              "把该客户分到同一等级的比例。接近阈值的客户概率较低；概率达到 {sure} 时视为等级确定。"},
    "val_tiers_unsure": {"en": "{n} customers are in their tier with a probability below "
                               "{sure}.",
                         "zh": "有 {n} 位客户所属等级的概率低于 {sure}。"},
    # historic against predictive
    "sec_val_historic": {"en": "Historic against predicted value",
                         "zh": "历史价值与预测价值"},
    "sec_val_historic_note": {
        "en": "Rank correlation of past net revenue and predicted lifetime value: {rho}. Of "
              "the top {share} of customers by past revenue, {overlap} are also in the top "
              "{share} by predicted value. {n} big customers of the past are not among the "
              "best of the future: their mean P(alive) is {alive}, and they brought {past} of "
              "the past revenue.",
        "zh": "过去净收入与预测终身价值的秩相关系数：{rho}。按过去收入排名前 {share} 的客户中，"
              "有 {overlap} 也在按预测价值排名的前 {share} 中。有 {n} 位过去的大客户不在未来最好的"
              "客户之列：他们的平均存活概率为 {alive}，贡献了过去收入的 {past}。"},
    "val_big_not_good": {
        "en": "A big customer is not necessarily a good customer: past revenue says who "
              "bought, the lifetime value who is still buying.",
        "zh": "大客户不一定是好客户：过去的收入说明谁买过，终身价值说明谁还在买。"},
    # spend
    "sec_val_spend": {"en": "Spend per purchase: the Gamma-Gamma model and its assumption",
                      "zh": "每次购买金额：Gamma-Gamma 模型及其假设"},
    "val_independence_ok": {
        "en": "Spend and purchase frequency are nearly uncorrelated among the {n} repeat "
              "buyers (r = {r}, below {threshold} in absolute value): the model's assumption "
              "that they are independent is reasonable.",
        "zh": "在 {n} 位重复购买客户中，消费金额与购买频次几乎不相关（r = {r}，绝对值低于 "
              "{threshold}）：模型关于二者相互独立的假设是合理的。"},
    "val_independence_material": {
        "en": "Spend and purchase frequency are correlated among the {n} repeat buyers "
              "(r = {r}, at least {threshold} in absolute value): the model assumes they are "
              "independent, so the expected spend of {who} buyers is biased. Segment the "
              "customers before trusting the values.",
        "zh": "在 {n} 位重复购买客户中，消费金额与购买频次相关（r = {r}，绝对值不低于 "
              "{threshold}）：模型假设二者相互独立，因此{who}客户的预期消费金额有偏差。请先对客户"
              "细分，再使用这些价值。"},
    "val_independence_na": {
        "en": "The correlation of spend and purchase frequency cannot be computed on {n} "
              "repeat buyers (at least 3 with different values are needed).",
        "zh": "无法基于 {n} 位重复购买客户计算消费金额与购买频次的相关系数（至少需要 3 位且数值"
              "不同）。"},
    "val_who_frequent": {"en": "frequent", "zh": "高频"},
    "val_who_infrequent": {"en": "infrequent", "zh": "低频"},
    "val_spend_fitted": {"en": "Fitted on the spends of {n} repeat buyers.",
                         "zh": "基于 {n} 位重复购买客户的消费金额拟合。"},
    "val_spend_excluded": {
        "en": "{n} repeat buyers whose repeat purchases were all refunded (spend 0) are left "
              "out of the fit; their expected spend leans on the others'.",
        "zh": "重复购买全部退款（消费金额为 0）的 {n} 位客户不参与拟合；其预期消费金额主要参照"
              "其他客户。"},
    "val_spend_mean": {"en": "A purchase is worth {mean} on average (p γ / (q − 1)).",
                       "zh": "每次购买平均金额为 {mean}（p γ / (q − 1)）。"},
    "val_no_spend_model": {
        "en": "The spend model could not be fitted (too few repeat buyers with a positive "
              "spend): no lifetime value.",
        "zh": "无法拟合消费金额模型（有正消费金额的重复购买客户太少）：无法计算终身价值。"},
    # examples
    "sec_val_examples": {"en": "A few customers", "zh": "客户示例"},
    "tcol_val_why": {"en": "shown because", "zh": "入选原因"},
    "tcol_val_repeat": {"en": "repeat purchases", "zh": "重复购买次数"},
    "tcol_val_weeks_since": {"en": "weeks since the last purchase", "zh": "距上次购买周数"},
    "tcol_val_p_alive": {"en": "P(alive)", "zh": "存活概率"},
    "tcol_val_expected": {"en": "expected purchases, next {months} months",
                          "zh": "未来 {months} 个月预期购买次数"},
    "tcol_val_clv": {"en": "lifetime value", "zh": "终身价值"},
    "val_ex_top": {"en": "highest predicted value", "zh": "预测价值最高"},
    "val_ex_big_not_good": {"en": "big in the past, not in the future",
                            "zh": "过去是大客户，未来不是"},
    "val_ex_silent": {"en": "bought often, silent since", "zh": "曾频繁购买，此后沉寂"},
    "val_ex_one_time": {"en": "one-time buyer, longest ago", "zh": "仅购买一次且时间最久"},
    "val_ex_typical": {"en": "typical (median value)", "zh": "典型客户（价值中位数）"},
    "sec_val_examples_note": {
        "en": "Ids are pseudonyms. Lifetime values in {currency}, with the bounds of their 90% "
              "interval; the probability of the tier is the share of the parameter draws "
              "that put the customer in it.",
        "zh": "编号为化名。终身价值单位为 {currency}，附 90% 区间的上下限；等级概率为把该客户分到"
              "该等级的参数抽样所占比例。"},
    "tcol_val_low": {"en": "low (5%)", "zh": "下限（5%）"},
    "tcol_val_high": {"en": "high (95%)", "zh": "上限（95%）"},
    "tcol_val_tier_prob": {"en": "probability of the tier", "zh": "等级概率"},
}

# the figures (plot/value.py)
_FIGURES: dict[str, dict[str, str]] = {
    "fig_val_expected_vs_actual": {
        "en": "Holdout purchases by calibration purchases: actual and expected",
        "zh": "按校准期购买次数分组的验证期购买：实际与预期"},
    "axis_val_calibration_purchases": {
        "en": "Repeat purchases in the calibration period (customers in brackets)",
        "zh": "校准期重复购买次数（括号内为客户数）"},
    "axis_val_holdout_purchases": {"en": "Holdout purchases per customer",
                                   "zh": "验证期人均重复购买次数"},
    "legend_val_actual": {"en": "actual", "zh": "实际"},
    "legend_val_expected": {"en": "expected ({model})", "zh": "预期（{model}）"},
    "fig_val_tracking": {"en": "Repeat purchases per week and cumulated: actual and expected",
                         "zh": "每周及累计重复购买次数：实际与预期"},
    "axis_val_per_week": {"en": "Per week", "zh": "每周"},
    "axis_val_cumulative": {"en": "Cumulated", "zh": "累计"},
    "axis_val_week": {"en": "Week", "zh": "周"},
    "legend_val_calibration_end": {"en": "end of calibration", "zh": "校准期结束"},
    "legend_val_holdout": {"en": "holdout", "zh": "验证期"},
    "fig_val_model_comparison": {"en": "Holdout error of each model: per customer and in total",
                                 "zh": "各模型在验证期的误差：每位客户与总数"},
    "axis_val_mae": {"en": "Mean absolute error per customer", "zh": "每位客户的平均绝对误差"},
    "axis_val_total_error": {"en": "Error of the total", "zh": "总数误差"},
    "label_val_not_fitted": {"en": "not fitted", "zh": "未能拟合"},
    "fig_val_alive_distribution": {"en": "How likely the customers are still active",
                                   "zh": "客户仍活跃的可能性分布"},
    "axis_val_p_alive": {"en": "P(alive): probability of being still active",
                         "zh": "存活概率：仍活跃的概率"},
    "legend_val_p_alive": {"en": "P(alive)", "zh": "存活概率"},
    "legend_val_one_time": {"en": "one-time buyers", "zh": "仅购买一次的客户"},
    "legend_val_repeat": {"en": "repeat buyers", "zh": "重复购买的客户"},
    "fig_val_alive_matrix": {
        "en": "P(alive) by repeat purchases and recency, {T} weeks after the first purchase",
        "zh": "首次购买 {T} 周后，按重复购买次数与最近度的存活概率"},
    "axis_val_frequency": {"en": "Repeat purchases (frequency)", "zh": "重复购买次数（频次）"},
    "axis_val_recency": {"en": "Recency (weeks, first to last purchase)",
                         "zh": "最近度（首次到最近一次购买的周数）"},
    "fig_val_clv_distribution": {"en": "Lifetime value of the next {months} months per customer",
                                 "zh": "每位客户未来 {months} 个月的终身价值"},
    "axis_val_clv": {"en": "Lifetime value ({currency}, log scale)",
                     "zh": "终身价值（{currency}，对数刻度）"},
    "legend_val_mean": {"en": "mean {value}", "zh": "均值 {value}"},
    "legend_val_median": {"en": "median {value}", "zh": "中位数 {value}"},
    "note_val_floor": {"en": "{n} values below {floor} drawn at {floor}",
                       "zh": "{n} 个低于 {floor} 的值按 {floor} 绘制"},
    "fig_val_historic_predictive": {
        "en": "A big customer is not necessarily a good one: past revenue and predicted value",
        "zh": "大客户不一定是好客户：过去收入与预测价值"},
    "axis_val_historic": {"en": "Net revenue so far ({currency}, log scale)",
                          "zh": "迄今净收入（{currency}，对数刻度）"},
    "axis_val_predictive": {"en": "Predicted lifetime value ({currency}, log scale)",
                            "zh": "预测终身价值（{currency}，对数刻度）"},
    "legend_val_top": {"en": "top {share} by each", "zh": "各自的前 {share}"},
    "label_val_big_not_good": {"en": "big in the past, not in the future: {n}",
                               "zh": "过去大、未来不大：{n} 位"},
}

TERMS: dict[str, dict[str, str]] = {**_MODELS, **_REPORT, **_FIGURES}
