"""Terms of every report page: the header block and its notes (:mod:`segkit.report`)."""

from __future__ import annotations

TERMS: dict[str, dict[str, str]] = {
    "header_data_source": {"en": "Data source", "zh": "数据来源"},
    "header_observation_end": {"en": "Observation end", "zh": "观察期末"},
    "header_region": {"en": "Region", "zh": "区域"},
    "header_parameters": {"en": "Parameters", "zh": "参数"},
    "header_version": {"en": "segkit version", "zh": "segkit 版本"},
    "header_rendered": {"en": "Rendered", "zh": "生成时间"},
    "header_privacy": {
        "en": "Customer ids are pseudonymised and personal fields (name, phone, email, "
        "the free text of complaints) are removed before anything is shown.",
        "zh": "客户编号已做假名化处理，姓名、电话、邮箱、投诉原文等个人信息在展示前已删除。",
    },
    "all_regions": {"en": "all regions", "zh": "全部区域"},
    "data_own_end": {"en": "the data's own", "zh": "数据自带"},
    "font_fallback_note": {
        "en": "No Chinese font is installed: figure labels are shown in English.",
        "zh": "未安装中文字体：图中标签以英文显示。",
    },
}
