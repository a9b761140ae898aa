"""The glossary: every key in every language, domain terms, clear errors."""

from __future__ import annotations

import pytest

from segkit import glossary
from segkit.exceptions import ParameterError
from segkit.glossary import LANGS, TERMS, Glossary, UnknownTermError, placeholders, t


@pytest.mark.parametrize("key", sorted(TERMS))
def test_every_key_has_every_language(key):
    entry = TERMS[key]
    assert set(entry) == set(LANGS), f"{key}: languages {sorted(entry)}"
    for lang in LANGS:
        assert isinstance(entry[lang], str) and entry[lang].strip(), f"{key} [{lang}] is empty"


@pytest.mark.parametrize("key", sorted(TERMS))
def test_placeholders_are_the_same_in_every_language(key):
    found = {lang: placeholders(TERMS[key][lang]) for lang in LANGS}
    assert len({frozenset(v) for v in found.values()}) == 1, f"{key}: {found}"


def test_chinese_texts_are_chinese():
    # a zh text equal to its en text is a forgotten translation (names like 'segkit' aside)
    same = [k for k, v in TERMS.items() if v["zh"] == v["en"]]
    assert same == []


@pytest.mark.parametrize(
    ("key", "zh"),
    [
        ("base_customers", "基盘客户"),
        ("lost_customers", "战败客户"),
        ("churn", "流失"),
        ("tiering", "客户分级"),
        ("stage_exploration", "考察期"),
        ("stage_growth", "成长期"),
        ("stage_maturity", "成熟期"),
        ("stage_decline", "衰退期"),
        ("credit_management", "信用管理"),
        ("service_layering", "服务分层"),
        ("active_customers", "活跃客户"),
        ("acquisition", "获客"),
        ("broad_churn", "广义流失"),
        ("narrow_churn", "狭义流失"),
    ],
)
def test_domain_terms(key, zh):
    assert t(key, "zh") == zh


def test_six_warning_indicators():
    keys = [k for k in TERMS if k.startswith("warn_")]
    assert len(keys) == 6
    assert t("warn_complaint_rate_up", "zh") == "投诉率上升"


def test_placeholders_are_filled():
    assert t("cohort_axis", "en", grain="week") == "acquisition cohort (week)"
    assert t("cohort_axis", "zh", grain="周") == "获客批次（周）"


def test_missing_placeholder_value_is_a_clear_error():
    with pytest.raises(ParameterError, match="placeholder 'grain'"):
        t("cohort_axis", "en")


def test_unknown_key_suggests_close_keys():
    with pytest.raises(
        UnknownTermError, match="unknown glossary key 'base_customer'.*'base_customers'"
    ):
        t("base_customer", "en")
    # also a KeyError, for code that catches lookups generally
    with pytest.raises(KeyError):
        Glossary("en")["nope"]


def test_unknown_language_lists_the_languages():
    with pytest.raises(ParameterError, match="unknown language 'fr'.*en, zh"):
        t("churn", "fr")
    with pytest.raises(ParameterError, match="unknown language"):
        Glossary("de")


def test_glossary_object():
    g = Glossary("zh")
    assert g.lang == "zh"
    assert g["churn_rate"] == "流失率"
    assert g("sec_example_rows", table="交易") == "示例记录：交易"
    assert "churn" in g and "nope" not in g
    assert len(g) == len(TERMS) and set(g) == set(TERMS)
    assert repr(g) == "Glossary(lang='zh')"


def test_check_lang():
    assert glossary.check_lang("en") == "en"
