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
}
