"""The glossary: every key in every language, tied to the schema, no duplicate keys."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import pytest

from segkit import glossary
from segkit.data import CALENDAR_UNITS
from segkit.exceptions import ParameterError, SegkitError
from segkit.glossary import (
    CATEGORY_VOCABULARIES,
    LANGS,
    TERMS,
    Glossary,
    UnknownTermError,
    category_key,
    category_label,
    placeholders,
    t,
)
from segkit.schema import CATEGORIES, TABLES


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


# ---------------------------------------------------------------- one file per module


GLOSSARY_DIR = Path(glossary.__file__).parent
GLOSSARY_FILES = sorted(GLOSSARY_DIR.glob("*.py"))


def _top_level_dicts(tree: ast.Module) -> dict[str, ast.AST]:
    """The values assigned at the top level of a file, by name."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node.value
    return out


def _terms_dict(tree: ast.Module) -> ast.Dict | None:
    """The dict literal assigned to ``TERMS`` at the top level of a file."""
    value = _top_level_dicts(tree).get("TERMS")
    return value if isinstance(value, ast.Dict) else None


def _literal_keys(node: ast.Dict, where: str, tree: ast.Module | None = None) -> list[str]:
    """The keys of a glossary dict; ``**name`` of a dict literal of the same file is followed
    (a file may keep its terms in a few dicts, one per part of its module)."""
    named = _top_level_dicts(tree) if tree is not None else {}
    keys = []
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None and isinstance(value, ast.Name) and isinstance(named.get(value.id),
                                                                       ast.Dict):
            keys += _literal_keys(named[value.id], where, tree)
            continue
        assert isinstance(key, ast.Constant) and isinstance(key.value, str), (
            f"{where}: line {node.lineno}: every key of a glossary dict is a string literal, "
            "so that duplicates can be found"
        )
        keys.append(key.value)
    return keys


def test_source_has_no_duplicate_keys():
    # a dict literal keeps the last of two equal keys without a word: read the source
    home: dict[str, str] = {}
    twice, across = [], []
    for path in GLOSSARY_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
                keys = [k.value for k in node.keys]
                twice += [
                    f"{path.name}:{k.lineno}: {k.value!r}"
                    for i, k in enumerate(node.keys)
                    if k.value in keys[:i]
                ]
        terms = _terms_dict(tree)
        if terms is None:
            continue
        keys = _literal_keys(terms, path.name, tree)
        twice += [f"{path.name}: {k!r} (in two of its dicts)" for i, k in enumerate(keys)
                  if k in keys[:i]]
        for key in keys:
            if key in home and home[key] != path.name:
                across.append(f"{key!r} in {home[key]} and {path.name}")
            home.setdefault(key, path.name)
    assert twice == [], f"keys repeated in one dict: {twice}"
    assert across == [], f"keys defined in two files: {across}"
    assert set(home) == set(TERMS)  # the parser saw every key


def test_every_file_is_merged_and_has_terms():
    parts = {p.__name__.rsplit(".", 1)[-1] for p in glossary._PARTS}
    files = {p.stem for p in GLOSSARY_FILES} - {"__init__"}
    assert files == parts, "every file of segkit/glossary is merged, and nothing else"
    for part in glossary._PARTS:
        assert part.TERMS, f"{part.__name__} is empty: create only files with terms"
    assert sum(len(p.TERMS) for p in glossary._PARTS) == len(TERMS)


def test_a_key_in_two_files_is_an_error_at_import():
    one = ModuleType("segkit.glossary.one")
    two = ModuleType("segkit.glossary.two")
    one.TERMS = {"churn": {"en": "churn", "zh": "流失"}}
    two.TERMS = {"churn": {"en": "attrition", "zh": "流失"}}
    with pytest.raises(SegkitError, match="'churn' is defined in both segkit.glossary.one and"):
        glossary._merge((one, two))


# ---------------------------------------------------------------- tied to the schema


def _prefixed(prefix: str) -> set[str]:
    return {k.removeprefix(prefix) for k in TERMS if k.startswith(prefix)}


def test_every_table_has_a_name_and_no_other():
    assert _prefixed("table_") == set(TABLES)


def test_every_column_has_a_name_and_no_other():
    columns = {c.name for spec in TABLES.values() for c in spec.columns}
    assert _prefixed("col_") == columns


def test_every_time_grain_and_language_has_a_name():
    assert _prefixed("grain_") - {f"n_{u}" for u in CALENDAR_UNITS} == set(CALENDAR_UNITS)
    assert _prefixed("grain_n_") == set(CALENDAR_UNITS)  # the counting words
    assert _prefixed("lang_") == set(LANGS)


def test_every_category_column_has_a_vocabulary():
    assert set(CATEGORY_VOCABULARIES) == set(CATEGORIES)


@pytest.mark.parametrize(("table", "column"), sorted(CATEGORIES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_allowed_value_has_a_label(table, column, lang):
    for value in CATEGORIES[table, column]:
        label = category_label(table, column, value, lang)
        assert label.strip() and not placeholders(label)


def test_no_label_for_a_value_that_is_not_allowed():
    expected = {
        category_key(table, column, value)
        for (table, column), allowed in CATEGORIES.items()
        for value in allowed
    }
    assert {k for k in TERMS if k.startswith("cat_")} == expected


def test_columns_of_one_vocabulary_agree_on_their_labels():
    # e.g. the reasons of complaints are a subset of the reasons of exits
    by_vocabulary: dict[str, set[str]] = {}
    for (table, column), vocabulary in CATEGORY_VOCABULARIES.items():
        by_vocabulary.setdefault(vocabulary, set()).update(CATEGORIES[table, column])
    assert category_key("complaints", "reason", "price") == category_key("exits", "reason", "price")
    assert category_key("exits", "kind", "reactivated") == "cat_exit_kind_reactivated"
    assert sum(map(len, by_vocabulary.values())) == len(_prefixed("cat_"))


@pytest.mark.parametrize(
    ("table", "column", "value", "zh"),
    [
        ("exits", "reason", "product", "产品"),
        ("exits", "reason", "price", "价格"),
        ("exits", "reason", "service", "服务"),
        ("exits", "reason", "competition", "竞争"),
        ("exits", "reason", "budget", "预算"),
        ("exits", "reason", "complex_decision", "决策复杂"),
        ("exits", "reason", "other", "其他"),
        ("complaints", "reason", "price", "价格"),
        ("contracts", "billing_period", "M", "按月"),
        ("credit_limits", "decision", "decline", "拒绝授信"),
        ("costs", "kind", "bad_debt", "坏账损失"),
        ("campaigns", "kind", "winback", "流失客户挽回"),
        ("customers", "age_band", "65+", "65岁及以上"),
    ],
)
def test_category_labels(table, column, value, zh):
    assert category_label(table, column, value, "zh") == zh
    assert Glossary("zh").category(table, column, value) == zh


def test_unknown_category_value_lists_the_allowed_values():
    with pytest.raises(
        ParameterError,
        match=r"'weather' is not an allowed value of exits.reason; the allowed values are "
        r"'product', 'price'",
    ):
        category_label("exits", "reason", "weather", "zh")
    with pytest.raises(ParameterError, match=r"complaints.reason.*'price'.*'other'"):
        category_label("complaints", "reason", "budget")  # an exit reason only


def test_column_without_a_fixed_list_is_a_clear_error():
    with pytest.raises(
        ParameterError,
        match=r"customers.region is not a category column.*those are customers.gender",
    ):
        category_label("customers", "region", "north")
    with pytest.raises(ParameterError, match="unknown language"):
        category_label("exits", "reason", "price", "fr")
