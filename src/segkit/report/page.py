"""The base class of every report page: what each report does before its own sections.

A report template calls one page class; each of its cells calls one method of the page.
:class:`Page` holds what every page shares, so a new report writes only its sections:

1. **load** the data source (:func:`segkit.datasets.load_source`) or take given tables;
2. **protect** it before anything else (:func:`segkit.privacy.protect`: personal columns
   dropped, customer ids pseudonymised);
3. fix the **observation end** (:func:`segkit.data.observation_end`), **filter** to a
   region (:func:`segkit.data.filter_region`), summarise the **data quality**
   (:func:`segkit.quality.data_quality`) and **cut** the tables at the end
   (:func:`segkit.data.cut`);
4. show the **header** (title, data source, observation end, region, version, render
   time, parameters) and the sections through the display helpers, which take every
   word from :mod:`segkit.glossary` and drop personal and sensitive columns from any
   table of single customers.

Data flows one way: the page imports the layers below it and nothing imports the page.
"""

from __future__ import annotations

import datetime as _dt
import os
import warnings
import zlib
from html import escape
from typing import Any

import pandas as pd

from .. import glossary, plot, privacy
from ..data import cut, filter_region
from ..data import observation_end as resolve_end
from ..datasets import load_source
from ..quality import data_quality, fmt_date
from ..schema import CustomerData
from .html import segkit_version

__all__ = ["Page"]


class Page:
    """Shared set-up and display helpers of a report page.

    Parameters
    ----------
    data : str or CustomerData
        A data source name or folder (see :func:`segkit.datasets.load_source`), or tables.
    observation_end : str, default ""
        ``YYYY-MM-DD``; empty means the data's own.
    lang : {"en", "zh"}, default "en"
    region : str, default ""
        Empty means all regions.
    title : str, default ""
        Empty means the glossary's title of the page (:attr:`title_key`).
    salt : str, default ""
        Key of the pseudonyms; empty means the project's secret
        (:func:`segkit.privacy.project_secret`). Never shown.
    **parameters
        The page's own parameters, shown in the header.

    Attributes
    ----------
    data : CustomerData
        The protected tables, filtered to the region and cut at the observation end.
    quality : pandas.DataFrame
        :func:`segkit.quality.data_quality` of the protected, filtered tables before the
        cut (so rows after the observation end are counted).
    """

    #: Glossary key of the page's standard title.
    title_key: str = "report_title"

    def __init__(
        self,
        data: str | CustomerData,
        *,
        observation_end: str = "",
        lang: str = "en",
        region: str = "",
        title: str = "",
        salt: str = "",
        **parameters: Any,
    ):
        self.lang = glossary.check_lang(lang)
        self.g = glossary.Glossary(lang)
        self.region = region
        self.title = title or self.g[self.title_key]
        raw = load_source(data) if isinstance(data, str) else data
        self.source = _source_name(data if isinstance(data, str) else (raw.source or ""))
        self.parameters = {
            "data": self.source,
            "observation_end": observation_end,
            "lang": lang,
            "region": region,
            "title": title,
            "salt": "***",  # a secret: never shown
            **parameters,
        }
        safe = privacy.protect(raw, salt=salt or None)
        del raw
        self.observation_end = resolve_end(safe, observation_end or None)
        safe = filter_region(safe, region)
        self.quality = data_quality(safe, observation_end=self.observation_end)
        self.data = cut(safe, self.observation_end)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.figure_lang = plot.figure_lang(self.lang)
        self.font_note = bool(caught)

    # ------------------------------------------------------------------ display helpers
    @staticmethod
    def show(*objs) -> None:
        """Display objects in the notebook being rendered."""
        from IPython.display import display

        for obj in objs:
            display(obj)

    def heading(self, key: str, level: int = 2, **fields) -> None:
        """A heading from the glossary."""
        from IPython.display import Markdown

        self.show(Markdown("#" * level + " " + self.g(key, **fields)))

    def note(self, key: str, **fields) -> None:
        """A paragraph from the glossary."""
        from IPython.display import Markdown

        self.show(Markdown(self.g(key, **fields)))

    def show_kpis(self, cards) -> None:
        """Headline cards: ``(label, value, note)`` triples (already in the reader's language)."""
        from IPython.display import HTML

        body = "".join(
            f'<div class="segkit-kpi"><div class="segkit-kpi-label">{escape(label)}</div>'
            f'<div class="segkit-kpi-value">{escape(value)}</div>'
            f'<div class="segkit-kpi-note">{escape(note)}</div></div>'
            for label, value, note in cards
        )
        self.show(HTML(f'<div class="segkit-kpis">{body}</div>'))

    def show_list(self, items: list[str]) -> None:
        """A bulleted list of sentences (already in the reader's language)."""
        from IPython.display import Markdown

        self.show(Markdown("\n".join(f"- {_md(x)}" for x in items)))

    def table(self, df: pd.DataFrame, index: bool = False) -> None:
        """A table, without personal or sensitive columns nor raw record ids."""
        from IPython.display import HTML

        shown = df.reset_index() if index else df
        shown = privacy.drop_record_ids(privacy.drop_sensitive(privacy.drop_personal(shown)))
        html = shown.to_html(index=False, border=0, na_rep="")
        # columns of words (not numbers, dates or percentages) read best aligned left
        text = [j for j, c in enumerate(shown.columns)
                if shown[c].dtype == object
                and shown[c].astype(str).str.contains(r"[^\d\s,.:%+\-–()/]").any()]
        if text:
            name = f"segkit-t{zlib.crc32(repr(list(shown.columns)).encode()):08x}"
            html = html.replace('class="dataframe"', f'class="dataframe {name}"', 1)
            rules = " ".join(f".{name} td:nth-child({j + 1}), .{name} th:nth-child({j + 1}) "
                             "{ text-align: left; }" for j in text)
            html = f"<style>{rules}</style>" + html
        self.show(HTML(html))

    def figure(self, fig, key: str, **fields) -> None:
        """A figure, with the glossary text of ``key`` (and its ``fields``) as its alternative
        text."""
        from IPython.display import display

        display(fig, metadata={"image/png": {"alt": self.g(key, **fields)}})

    # ------------------------------------------------------------------ the header
    def header(self) -> None:
        """Title, data source, observation end, region, version, render time, parameters."""
        from IPython.display import HTML, Markdown

        g = self.g
        rendered = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
        params = ", ".join(
            f"<code>{escape(k)}={escape(_param_text(v))}</code>"
            for k, v in self.parameters.items()
        )
        rows = [
            (g["header_data_source"], escape(str(self.source))),
            (g["header_observation_end"], fmt_date(self.observation_end)),
            (g["header_region"], escape(self.region) or g["all_regions"]),
            *self.header_rows(),
            (g["header_version"], escape(segkit_version())),
            (g["header_rendered"], rendered),
            (g["header_parameters"], params),
        ]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        note = g["header_privacy"] + (" " + g["font_fallback_note"] if self.font_note else "")
        self.show(
            Markdown(f"# {_md(self.title)}"),
            HTML(f'<table class="segkit-header">{table}</table><p>{escape(note)}</p>'),
        )

    def header_rows(self) -> list[tuple[str, str]]:
        """Rows a page adds to the header (label, HTML value); none by default."""
        return []


def _source_name(source: str) -> str:
    """The data source as shown: a named source, or a folder's name (never a machine path)."""
    if not source or os.sep not in source:
        return source or "CustomerData"
    return os.path.basename(os.path.normpath(source)) or source


def _param_text(value: object) -> str:
    """A parameter value as shown in the header: empty text as ``""``."""
    return '""' if value == "" else str(value)


def _md(value: object) -> str:
    """Text safe inside a Markdown table cell or code span."""
    return str(value).replace("|", "\\|").replace("`", "'").replace("\n", " ")
