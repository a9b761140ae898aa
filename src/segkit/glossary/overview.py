"""Terms of the overview report (:mod:`segkit.report.overview`): headings, notes, axes."""

from __future__ import annotations

TERMS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- header
    "overview_title": {"en": "Customer overview", "zh": "客户概览"},
    "header_time_grain": {"en": "Time grain", "zh": "时间粒度"},
    # ---------------------------------------------------------------- sections
    "sec_customer_base": {
        "en": "Customer base and active customers",
        "zh": "客户基数与活跃客户",
    },
    "sec_customer_base_note": {
        "en": "Customer base: customers acquired up to the end of each {grain}. "
        "Active customers: customers with at least one purchase, or a running contract, "
        "in the {grain}. New customers: customers acquired in the {grain}.",
        "zh": "客户基数：截至每{grain}末已获取的客户数。活跃客户：该{grain}内至少购买一次或有"
        "生效合同的客户。新客户：该{grain}内获取的客户。",
    },
    "sec_revenue": {"en": "Revenue", "zh": "销售收入"},
    "sec_revenue_note": {
        "en": "Gross revenue: purchases; returns: refunded amounts (shown as a loss); "
        "net revenue = gross revenue - returns, per {grain}.",
        "zh": "总销售额：购买金额；退货：退款金额（以负值显示）；每{grain}净收入 = 总销售额 - 退货。",
    },
    "sec_revenue_contracts_note": {
        "en": "Contract revenue: the recurring amounts billed by the contracts running in each "
        "{grain} (at the start and then once every billing period); it is part of net revenue.",
        "zh": "合同收入：每{grain}内生效合同按计费周期收取的固定费用（签约时收取一次，之后每个计费"
        "周期收取一次），计入净收入。",
    },
    "sec_cohorts": {"en": "Acquisition cohorts: retention", "zh": "获客批次留存"},
    "sec_cohorts_note": {
        "en": "Each row is the cohort of customers acquired in one {grain}; each column "
        "the share of that cohort active (a purchase or a running contract) k {grain_n} "
        "after acquisition (k = 0 is the {grain} of acquisition). Empty cells lie after "
        "the observation end.",
        "zh": "每一行是同一{grain}获取的一批客户；每一列是该批客户在获客后第 k {grain_n}"
        "活跃（有购买或有生效合同）的比例（k = 0 为获客当{grain}）。空白格位于观察期末之后。",
    },
    "sec_data_quality": {"en": "Data quality", "zh": "数据质量"},
    "sec_data_quality_note": {
        "en": "One row per table as loaded (after pseudonymisation and the region filter, "
        "before the cut at the observation end).",
        "zh": "每张表一行（已做假名化和区域筛选，尚未按观察期末截取）。",
    },
    "rows_after_end_note": {
        "en": "Rows dated after the observation end ({end}) are counted here and left "
        "out of every chart.",
        "zh": "观察期末（{end}）之后的记录在此计数，不计入任何图表。",
    },
    "sec_example_rows": {"en": "Example rows: {table}", "zh": "示例记录：{table}"},
    # ---------------------------------------------------------------- figure labels
    "cohort_axis": {"en": "acquisition cohort ({grain})", "zh": "获客批次（{grain}）"},
    "periods_since_acquisition": {
        "en": "{grain_n} since acquisition",
        "zh": "获客后第几{grain_n}",
    },
    "share_active": {"en": "share active", "zh": "活跃比例"},
    "axis_share_active": {"en": "share of the cohort active (%)", "zh": "该批客户活跃比例（%）"},
    "axis_period": {"en": "period ({grain})", "zh": "期间（{grain}）"},
    "axis_n_customers": {"en": "number of customers", "zh": "客户数（人）"},
    "axis_revenue": {"en": "revenue ({currency})", "zh": "收入（{currency}）"},
    "cohort_row": {"en": "{period} (n={n})", "zh": "{period}（n={n}）"},
    "fig_customer_base": {
        "en": "Everyone ever acquired and the customers active, per {grain}",
        "zh": "累计获取客户与活跃客户（每{grain}）",
    },
    "fig_revenue": {
        "en": "Revenue per {grain} ({currency})",
        "zh": "每{grain}收入（{currency}）",
    },
    "fig_cohorts": {
        "en": "Share of each acquisition cohort active, by {grain} since acquisition",
        "zh": "各获客批次在获客后各{grain}的活跃比例",
    },
    # ---------------------------------------------------------------- headline numbers
    "header_currency": {"en": "Currency", "zh": "货币"},
    "sec_headline": {"en": "Headline numbers: {period}", "zh": "关键指标：{period}"},
    "kpi_customers": {"en": "customers acquired", "zh": "累计获取客户"},
    "kpi_customers_note": {
        "en": "everyone acquired up to the end of {period}",
        "zh": "截至{period}末累计获取的全部客户",
    },
    "kpi_active": {"en": "active customers", "zh": "活跃客户"},
    "kpi_active_note": {
        "en": "{share} of everyone acquired bought or had a running contract in {period}",
        "zh": "占累计获取客户的 {share}，在{period}内有购买或有生效合同",
    },
    "kpi_revenue": {"en": "net revenue ({currency})", "zh": "净收入（{currency}）"},
    "kpi_revenue_note": {
        "en": "{change} against {previous} ({previous_revenue} {currency})",
        "zh": "较{previous}（{previous_revenue} {currency}）{change}",
    },
    "kpi_revenue_no_previous": {
        "en": "no earlier {grain} to compare with",
        "zh": "没有可比较的上一{grain}",
    },
    "kpi_up": {"en": "up {pct}", "zh": "增长 {pct}"},
    "kpi_down": {"en": "down {pct}", "zh": "下降 {pct}"},
    "kpi_flat": {"en": "unchanged", "zh": "持平"},
    "sec_headline_note": {
        "en": "{period} is the last whole {grain} up to the observation end ({end}).",
        "zh": "{period}是截至观察期末（{end}）的最后一个完整的{grain}。",
    },
    "sec_headline_partial_note": {
        "en": "No whole {grain} lies before the observation end ({end}): {period} is cut by "
        "it, so its numbers cover part of the {grain} only.",
        "zh": "观察期末（{end}）之前没有完整的{grain}：{period}被观察期末截断，数字只覆盖该{grain}的一部分。",
    },
    "sec_cohorts_scale_note": {
        "en": "The colour scale ends at {top}, where the shares after the {grain} of "
        "acquisition end; that {grain} (k = 0) is 100% by definition and takes the darkest "
        "colour. The size of each cohort (n, customers) follows its label.",
        "zh": "色阶上限为 {top}，即获客当{grain}之后各期比例的上限；获客当{grain}（k = 0）按定义为 100%，"
        "以最深色显示。每个批次标签后的 n 为该批客户数（人）。",
    },
    "sec_cohorts_partial_note": {
        "en": "Hatched cells lie in the {grain} cut by the observation end ({end}): their "
        "shares cover part of the {grain} only and will still rise.",
        "zh": "带斜线的格子位于被观察期末（{end}）截断的{grain}：其比例只覆盖该{grain}的一部分，之后还会上升。",
    },
    "sec_cohorts_cut_note": {
        "en": "Cut to fit: the heat map shows {shown} of the {total} cohorts (the most recent) "
        "and {periods} of {total_periods} {grain_n} after acquisition; the parameters "
        "max_cohorts and cohort_periods, or a coarser time_grain, show more.",
        "zh": "为便于阅读已截取：热力图显示 {total} 个批次中最近的 {shown} 个，以及获客后 "
        "{total_periods} {grain_n}中的前 {periods} {grain_n}；调整参数 max_cohorts、"
        "cohort_periods 或选择更粗的 time_grain 可查看更多。",
    },
}
