"""One glossary of every string a report or a figure shows, in English and Chinese.

The domain vocabulary of DOMAIN.md (基盘客户, 战败客户, 流失, 客户分级, the lifecycle
stages, the six warning indicators, 信用管理, 服务分层, ...) lives here next to the
labels of the reports and figures, so that a report rendered with ``lang="zh"`` uses
the same words as the course material. Every key has a text in every language of
:data:`LANGS` (a test checks it), and placeholders such as ``{grain}`` are the same in
both languages.

Examples
--------
>>> from segkit.glossary import t, Glossary
>>> t("base_customers", "zh")
'基盘客户'
>>> g = Glossary("en")
>>> g("rows_after_end_note", end="1998-06-30")
'Rows dated after the observation end (1998-06-30) are counted here and left out of every chart.'
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Iterator

from .exceptions import ParameterError, SegkitError

__all__ = ["LANGS", "TERMS", "UnknownTermError", "check_lang", "t", "Glossary"]

#: Languages of the glossary, in order of preference.
LANGS: tuple[str, ...] = ("en", "zh")


class UnknownTermError(SegkitError, KeyError):
    """A glossary key that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


#: key -> {"en": text, "zh": text}. Grouped: domain terms, lifecycle, warning
#: indicators, tables, report sections, figure labels, data quality.
TERMS: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- domain terms
    "customer": {"en": "customer", "zh": "客户"},
    "customers": {"en": "customers", "zh": "客户"},
    "base_customers": {"en": "base customers", "zh": "基盘客户"},
    "lost_customers": {"en": "lost customers", "zh": "战败客户"},
    "churned_customers": {"en": "churned customers", "zh": "流失客户"},
    "churn": {"en": "churn", "zh": "流失"},
    "broad_churn": {"en": "broad churn", "zh": "广义流失"},
    "narrow_churn": {"en": "narrow churn", "zh": "狭义流失"},
    "churn_rate": {"en": "churn rate", "zh": "流失率"},
    "churn_warning": {"en": "churn early warning", "zh": "客户流失预警"},
    "winback": {"en": "win-back", "zh": "流失客户挽回"},
    "tiering": {"en": "customer tiering", "zh": "客户分级"},
    "tiered_management": {"en": "tiered customer management", "zh": "客户分级管理"},
    "tier": {"en": "tier", "zh": "等级"},
    "tier_vip": {"en": "VIP customers", "zh": "VIP客户"},
    "tier_ordinary": {"en": "ordinary customers", "zh": "普通客户"},
    "tier_potential": {"en": "potential customers", "zh": "潜力客户"},
    "tier_key": {"en": "key customers", "zh": "关键客户"},
    "tier_small": {"en": "small customers", "zh": "小客户"},
    "tier_inferior": {"en": "inferior customers", "zh": "劣质客户"},
    "principle_objective": {"en": "objective", "zh": "公正性"},
    "principle_differentiated": {"en": "differentiated", "zh": "差异性"},
    "principle_operable": {"en": "operable", "zh": "可操作性"},
    "principle_dynamic": {"en": "dynamic", "zh": "动态性"},
    "active_customers": {"en": "active customers", "zh": "活跃客户"},
    "new_customers": {"en": "new customers", "zh": "新客户"},
    "customer_base": {"en": "customer base", "zh": "客户基数"},
    "acquisition": {"en": "acquisition", "zh": "获客"},
    "cohort": {"en": "acquisition cohort", "zh": "获客批次"},
    "retention": {"en": "retention", "zh": "留存"},
    "retention_rate": {"en": "retention rate", "zh": "留存率"},
    "lifecycle": {"en": "customer lifecycle", "zh": "客户生命周期"},
    "stage_exploration": {"en": "exploration", "zh": "考察期"},
    "stage_growth": {"en": "growth", "zh": "成长期"},
    "stage_maturity": {"en": "maturity", "zh": "成熟期"},
    "stage_decline": {"en": "decline", "zh": "衰退期"},
    "warning_indicators": {"en": "warning indicators", "zh": "预警指标"},
    "warn_amount_down": {"en": "purchase amount falls", "zh": "购买金额下降"},
    "warn_negative_reviews_up": {"en": "negative reviews rise", "zh": "差评增加"},
    "warn_activity_down": {"en": "account activity falls", "zh": "账户活跃度下降"},
    "warn_frequency_down": {"en": "purchase frequency falls", "zh": "购买频率下降"},
    "warn_interaction_down": {"en": "interaction frequency falls", "zh": "互动频率下降"},
    "warn_complaint_rate_up": {"en": "complaint rate rises", "zh": "投诉率上升"},
    "credit_management": {"en": "credit management", "zh": "信用管理"},
    "receivables_ageing": {"en": "receivables ageing", "zh": "应收账款账龄"},
    "dso": {"en": "days sales outstanding", "zh": "应收账款周转天数"},
    "credit_limit": {"en": "credit limit", "zh": "信用额度"},
    "credit_score": {"en": "credit score", "zh": "信用评分"},
    "overdue": {"en": "overdue", "zh": "逾期"},
    "service_layering": {"en": "service layering", "zh": "服务分层"},
    "satisfaction": {"en": "satisfaction", "zh": "满意度"},
    "loyalty": {"en": "loyalty", "zh": "忠诚度"},
    "lifetime_value": {"en": "customer lifetime value", "zh": "客户终身价值"},
    "information_leakage": {"en": "leaking customer information", "zh": "信息泄露"},
    "reason_product": {"en": "product", "zh": "产品"},
    "reason_price": {"en": "price", "zh": "价格"},
    "reason_service": {"en": "service", "zh": "服务"},
    "reason_competition": {"en": "competition", "zh": "竞争"},
    "reason_other": {"en": "other", "zh": "其他"},
    # ---------------------------------------------------------------- tables
    "table_customers": {"en": "customers", "zh": "客户"},
    "table_transactions": {"en": "transactions", "zh": "交易"},
    "table_interactions": {"en": "interactions", "zh": "互动"},
    "table_complaints": {"en": "complaints and reviews", "zh": "投诉与评价"},
    "table_surveys": {"en": "surveys", "zh": "满意度调查"},
    "table_receivables": {"en": "receivables", "zh": "应收账款"},
    "table_campaigns": {"en": "campaigns", "zh": "营销活动"},
    # ---------------------------------------------------------------- time grains
    "grain_D": {"en": "day", "zh": "日"},
    "grain_W": {"en": "week", "zh": "周"},
    "grain_M": {"en": "month", "zh": "月"},
    # ---------------------------------------------------------------- report header
    "overview_title": {"en": "Customer overview", "zh": "客户概览"},
    "header_data_source": {"en": "Data source", "zh": "数据来源"},
    "header_observation_end": {"en": "Observation end", "zh": "观察期末"},
    "header_region": {"en": "Region", "zh": "区域"},
    "header_time_grain": {"en": "Time grain", "zh": "时间粒度"},
    "header_parameters": {"en": "Parameters", "zh": "参数"},
    "header_version": {"en": "segkit version", "zh": "segkit 版本"},
    "header_rendered": {"en": "Rendered", "zh": "生成时间"},
    "header_privacy": {
        "en": "Customer ids are pseudonymised and personal fields (name, phone, email) "
        "are removed before anything is shown.",
        "zh": "客户编号已做假名化处理，姓名、电话、邮箱等个人信息在展示前已删除。",
    },
    "all_regions": {"en": "all regions", "zh": "全部区域"},
    "data_own_end": {"en": "the data's own", "zh": "数据自带"},
    "font_fallback_note": {
        "en": "No Chinese font is installed: figure labels are shown in English.",
        "zh": "未安装中文字体：图中标签以英文显示。",
    },
    # ---------------------------------------------------------------- report sections
    "sec_customer_base": {
        "en": "Customer base and active customers",
        "zh": "客户基数与活跃客户",
    },
    "sec_customer_base_note": {
        "en": "Customer base: customers acquired up to the end of each {grain}. "
        "Active customers: customers with at least one purchase in the {grain}. "
        "New customers: customers acquired in the {grain}.",
        "zh": "客户基数：截至每{grain}末已获取的客户数。活跃客户：该{grain}内至少购买一次的客户。"
        "新客户：该{grain}内获取的客户。",
    },
    "sec_revenue": {"en": "Revenue", "zh": "销售收入"},
    "sec_revenue_note": {
        "en": "Gross revenue: purchases; returns: refunded amounts (shown as a loss); "
        "net revenue = gross revenue - returns, per {grain}.",
        "zh": "总销售额：购买金额；退货：退款金额（以负值显示）；每{grain}净收入 = 总销售额 - 退货。",
    },
    "sec_cohorts": {"en": "Acquisition cohorts: retention", "zh": "获客批次留存"},
    "sec_cohorts_note": {
        "en": "Each row is the cohort of customers acquired in one {grain}; each column "
        "the share of that cohort with a purchase k {grain}s after acquisition "
        "(k = 0 is the {grain} of acquisition). Empty cells lie after the observation end.",
        "zh": "每一行是同一{grain}获取的一批客户；每一列是该批客户在获客后第 k 个{grain}"
        "内有购买的比例（k = 0 为获客当{grain}）。空白格位于观察期末之后。",
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
    "no_data": {"en": "No data to show.", "zh": "没有可显示的数据。"},
    # ---------------------------------------------------------------- figure labels
    "period": {"en": "period", "zh": "期间"},
    "n_customers": {"en": "customers", "zh": "客户数"},
    "revenue": {"en": "revenue", "zh": "收入"},
    "gross_revenue": {"en": "gross revenue", "zh": "总销售额"},
    "returns": {"en": "returns", "zh": "退货"},
    "net_revenue": {"en": "net revenue", "zh": "净收入"},
    "partial_period": {"en": "period cut by the observation end", "zh": "观察期末未满的周期"},
    "cohort_axis": {"en": "acquisition cohort ({grain})", "zh": "获客批次（{grain}）"},
    "periods_since_acquisition": {
        "en": "{grain}s since acquisition",
        "zh": "获客后的{grain}数",
    },
    "share_active": {"en": "share active", "zh": "活跃比例"},
    # ---------------------------------------------------------------- data quality
    "dq_table": {"en": "table", "zh": "表"},
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


def check_lang(lang: str) -> str:
    """Return ``lang`` if the glossary speaks it, else raise a clear error.

    Parameters
    ----------
    lang : str
        Language code, one of :data:`LANGS`.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For a language the glossary does not have.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    """
    if lang not in LANGS:
        raise ParameterError(
            f"unknown language {lang!r}; the glossary has the languages {', '.join(LANGS)}"
        )
    return lang


def t(key: str, lang: str = "en", **fields: object) -> str:
    """The text of a glossary key in a language, with ``{placeholders}`` filled in.

    Parameters
    ----------
    key : str
        A key of :data:`TERMS`.
    lang : str, default "en"
        One of :data:`LANGS`.
    **fields
        Values of the placeholders of the text, e.g. ``grain="month"``.

    Returns
    -------
    str

    Raises
    ------
    UnknownTermError
        For a key that is not in the glossary (the message suggests close keys).
    ParameterError
        For an unknown language, or a missing placeholder value.

    Examples
    --------
    >>> t("stage_growth", "zh")
    '成长期'
    >>> t("cohort_axis", "en", grain="month")
    'acquisition cohort (month)'
    """
    check_lang(lang)
    try:
        text = TERMS[key][lang]
    except KeyError:
        close = difflib.get_close_matches(str(key), TERMS, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownTermError(f"unknown glossary key {key!r}{hint}") from None
    if not fields and not placeholders(text):
        return text
    try:
        return text.format(**fields)
    except KeyError as err:
        raise ParameterError(
            f"glossary key {key!r} needs a value for the placeholder {err.args[0]!r}"
        ) from None


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` of a text.

    Examples
    --------
    >>> sorted(placeholders("{a} and {b}"))
    ['a', 'b']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Glossary:
    """The glossary in one language: ``g(key, **fields)`` or ``g[key]``.

    Parameters
    ----------
    lang : str, default "en"
        One of :data:`LANGS`; an unknown language raises a ParameterError at once.

    Examples
    --------
    >>> g = Glossary("zh")
    >>> g["lost_customers"], g("grain_M")
    ('战败客户', '月')
    """

    def __init__(self, lang: str = "en"):
        self.lang = check_lang(lang)

    def __call__(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)

    def __getitem__(self, key: str) -> str:
        return t(key, self.lang)

    def __contains__(self, key: object) -> bool:
        return key in TERMS

    def __iter__(self) -> Iterator[str]:
        return iter(TERMS)

    def __len__(self) -> int:
        return len(TERMS)

    def __repr__(self) -> str:
        return f"Glossary(lang={self.lang!r})"
