"""Terms of the data-quality table (:func:`segkit.quality.format_data_quality`)."""

from __future__ import annotations

#: ``dq_<column>``: one header per column of :func:`segkit.quality.data_quality`.
TERMS: dict[str, dict[str, str]] = {
    "dq_table": {"en": "table", "zh": "数据表"},
    "dq_rows": {"en": "rows", "zh": "行数"},
    "dq_columns": {"en": "columns", "zh": "列数"},
    "dq_customers": {"en": "customers", "zh": "客户数"},
    "dq_missing_values": {"en": "missing values", "zh": "缺失值"},
    "dq_missing_share": {"en": "missing share", "zh": "缺失比例"},
    "dq_first_date": {"en": "first date", "zh": "最早日期"},
    "dq_last_date": {"en": "last date", "zh": "最晚日期"},
    "dq_duplicate_rows": {"en": "duplicate rows", "zh": "重复行"},
    "dq_duplicate_keys": {"en": "duplicate keys", "zh": "重复键"},
    "dq_returns_share": {"en": "returns share", "zh": "退货占比"},
    "dq_rows_after_end": {"en": "rows after observation end", "zh": "观察期末之后的行数"},
}
