"""One glossary of every string a report or a figure shows, in English and Chinese.

The domain vocabulary of docs/domain.md (基盘客户, 战败客户, 流失, 客户分级, the lifecycle
stages, the six warning indicators, 信用管理, 服务分层, ...) lives here next to the
labels of the reports and figures, so that a report rendered with ``lang="zh"`` uses
the same words as the course material. Every key has a text in every language of
:data:`LANGS` (a test checks it), and placeholders such as ``{grain}`` are the same in
both languages.

The terms live in one file per module, each with its own ``TERMS`` dict, merged here
into :data:`TERMS`; a key defined in two files is an error at import:

- :mod:`~segkit.glossary.common`: languages, tables, columns, category labels, time
  grains, the domain vocabulary and general words (its docstring has the key schemes);
- :mod:`~segkit.glossary.report`: the header of every report page;
- :mod:`~segkit.glossary.quality`: the data-quality table;
- :mod:`~segkit.glossary.overview`: the overview report's headings, notes and axes;
- :mod:`~segkit.glossary.segment`: segmentation and tiering (RFM segments, tiers,
  lifecycle stages, migration, clusters, look-alikes, the fairness audit).
- :mod:`~segkit.glossary.value`: customer valuation (the purchase and spend models,
  validation, P(alive), lifetime value, the valuation report and its figures);
- :mod:`~segkit.glossary.churn`: churn (the warning indicators by column name, the
  warning levels and actions, survival models and metrics, the early-warning report
  and its figures);
- :mod:`~segkit.glossary.cases`: the case studies' figure and method names.

Examples
--------
>>> from segkit.glossary import t, Glossary, category_label
>>> t("base_customers", "zh")
'基盘客户'
>>> g = Glossary("en")
>>> g("rows_after_end_note", end="1998-06-30")
'Rows dated after the observation end (1998-06-30) are counted here and left out of every chart.'
>>> category_label("exits", "reason", "complex_decision", "zh")
'决策复杂'
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Iterator
from types import ModuleType

from ..exceptions import ParameterError, SegkitError
from ..schema import CATEGORIES
from . import cases, churn, common, overview, quality, report, segment, value, winback
from .common import CATEGORY_VOCABULARIES

__all__ = [
    "LANGS",
    "TERMS",
    "CATEGORY_VOCABULARIES",
    "UnknownTermError",
    "check_lang",
    "t",
    "placeholders",
    "category_key",
    "category_label",
    "Glossary",
]

#: Languages of the glossary, in order of preference.
LANGS: tuple[str, ...] = ("en", "zh")

#: The files of the glossary, one per module; each has a ``TERMS`` dict.
_PARTS: tuple[ModuleType, ...] = (common, report, quality, overview, segment, value, churn,
                                  cases, winback)


class UnknownTermError(SegkitError, KeyError):
    """A glossary key that does not exist."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


def _merge(parts: tuple[ModuleType, ...]) -> dict[str, dict[str, str]]:
    """The ``TERMS`` of every part in one dict; a key in two parts raises SegkitError."""
    merged: dict[str, dict[str, str]] = {}
    home: dict[str, str] = {}
    for part in parts:
        for key, entry in part.TERMS.items():
            if key in home:
                raise SegkitError(
                    f"glossary key {key!r} is defined in both {home[key]} and "
                    f"{part.__name__}; keep it in one file"
                )
            merged[key] = entry
            home[key] = part.__name__
    return merged


#: key -> {"en": text, "zh": text}: the terms of every file of the glossary.
TERMS: dict[str, dict[str, str]] = _merge(_PARTS)


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


def category_key(table: str, column: str, value: str) -> str:
    """The glossary key of an allowed value of a category column of the data model.

    The key is ``cat_<vocabulary>_<value>``, where :data:`CATEGORY_VOCABULARIES` gives
    the vocabulary of the column: columns with the same values share one (the reasons
    of exits, of contract ends and of complaints are all ``cat_reason_...``).

    Parameters
    ----------
    table, column : str
        A category column with a fixed list of values, a key of
        :data:`segkit.schema.CATEGORIES`.
    value : str
        One of its allowed values.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For a column without a fixed list of values, or a value it does not allow
        (the message lists the allowed values).

    Examples
    --------
    >>> category_key("costs", "kind", "bad_debt")
    'cat_cost_kind_bad_debt'
    >>> category_key("contracts", "end_reason", "price")
    'cat_reason_price'
    """
    allowed = CATEGORIES.get((table, column))
    if allowed is None:
        columns = ", ".join(f"{tab}.{col}" for tab, col in CATEGORIES)
        raise ParameterError(
            f"{table}.{column} is not a category column with a fixed list of values; "
            f"those are {columns}"
        )
    if value not in allowed:
        raise ParameterError(
            f"{value!r} is not an allowed value of {table}.{column}; the allowed values "
            f"are {', '.join(map(repr, allowed))} (segkit.validate checks a table for them)"
        )
    return f"cat_{CATEGORY_VOCABULARIES[table, column]}_{value}"


def category_label(table: str, column: str, value: str, lang: str = "en") -> str:
    """The label of an allowed value of a category column, in a language.

    Parameters
    ----------
    table, column : str
        A category column with a fixed list of values, a key of
        :data:`segkit.schema.CATEGORIES`.
    value : str
        One of its allowed values.
    lang : str, default "en"
        One of :data:`LANGS`.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For an unknown language, a column without a fixed list of values, or a value
        the column does not allow (the message lists the allowed values).

    Examples
    --------
    >>> category_label("exits", "reason", "competition", "zh")
    '竞争'
    >>> category_label("contracts", "billing_period", "Q")
    'quarterly'
    >>> [category_label("credit_limits", "decision", v, "zh") for v in ("increase", "decline")]
    ['提高额度', '拒绝授信']
    """
    check_lang(lang)
    return t(category_key(table, column, value), lang)


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
    >>> g.category("costs", "kind", "bad_debt")
    '坏账损失'
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

    def category(self, table: str, column: str, value: str) -> str:
        """The label of an allowed value of a category column: see :func:`category_label`."""
        return category_label(table, column, value, self.lang)
