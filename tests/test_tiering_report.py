"""The tiering report: its page (in process, every section and scheme) and full renders in en and zh."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from segkit import glossary
from segkit.datasets import load_demo, simulate
from segkit.exceptions import ParameterError
from segkit.report import render
from segkit.report.tiering import SCHEMES, TieringPage

SECTIONS = ["header", "headline", "rules", "concentration", "differentiated", "explained", "rfm",
            "base_customers", "lifecycle", "dynamics", "fairness"]


@pytest.fixture
def shown(monkeypatch):
    """What a page displays, in order (text of Markdown/HTML, or the object)."""
    import IPython.display as display

    out: list = []

    def capture(*objs, **kwargs):
        for o in objs:
            out.append(getattr(o, "data", o))

    monkeypatch.setattr(display, "display", capture)
    return out


def _run(page) -> None:
    for section in SECTIONS:
        getattr(page, section)()


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("value", ["revenue", "margin"])
def test_every_section_of_every_scheme_shows(demo, shown, scheme, value):
    from matplotlib.figure import Figure

    page = TieringPage(demo, scheme=scheme, value=value, salt="test")
    _run(page)
    figures = [o for o in shown if isinstance(o, Figure)]
    assert len(figures) == 6  # concentration, shares, RFM grid, segments, migration, flows
    text = "\n".join(o for o in shown if isinstance(o, str))
    labels = page.scheme.labels("en")
    for tier in page.scheme.tiers_:
        assert labels[tier] in text
    assert "Traceback" not in text and "{" not in re.sub(r"<style>.*?</style>", "", text)


def test_the_headline_counts_every_customer_once(demo, shown):
    page = TieringPage(demo, salt="test")
    page.headline()
    html = next(o for o in shown if isinstance(o, str) and "segkit-kpis" in o)
    counts = [int(x.replace(",", "")) for x in re.findall(r'kpi-value">([\d,]+)<', html)]
    assert sum(counts) == len(page.profile) == 2000


def test_no_personal_data_and_pseudonymous_ids_only(demo, shown):
    page = TieringPage(demo, salt="test")
    _run(page)
    text = "\n".join(o for o in shown if isinstance(o, str))
    raw_ids = set(demo.customers["customer_id"])
    assert not [i for i in raw_ids if re.search(rf"\b{i}\b", text)]
    assert "example.invalid" not in text and "Test Customer" not in text
    # sensitive attributes appear in the fairness section only, as groups
    assert text.count("female") == 0 or "fairness" in text.lower()


def test_chinese_page_uses_the_glossary(demo, shown):
    page = TieringPage(demo, lang="zh", salt="test")
    _run(page)
    text = "\n".join(o for o in shown if isinstance(o, str))
    for key in ("tiering_title", "sec_tier_rules", "sec_base", "sec_lifecycle", "sec_fairness"):
        word = glossary.TERMS[key]["zh"].split("{")[0]
        assert word in text, key
    assert "关键客户" in text and "劣质客户" in text and "基盘客户" in text


def test_without_sensitive_attributes_the_audit_says_so(demo, shown):
    customers = demo.customers.drop(columns=["gender", "age_band"])
    page = TieringPage(dataclasses.replace(demo, customers=customers), salt="test")
    page.fairness()
    assert any(isinstance(o, str) and "no gender or age band" in o for o in shown)


def test_a_short_history_has_no_migration_to_show(shown):
    sim = simulate(300, start="2024-01-01", end="2024-05-15", seed=2)
    page = TieringPage(sim.tables, time_grain="Q", salt="test")
    page.dynamics()
    assert any(isinstance(o, str) and "fewer than two complete periods" in o for o in shown)


def test_bad_scheme_and_value_are_refused(demo):
    with pytest.raises(ParameterError, match="scheme must be one of pareto, importance_risk, vip"):
        TieringPage(demo, scheme="abc")
    with pytest.raises(ParameterError, match="value must be one of revenue, margin"):
        TieringPage(demo, value="profit")


def test_a_flagged_group_is_reported(shown):
    sim = simulate(3000, seed=4, sensitive_rate_ratio={"gender": {"female": 0.5}})
    page = TieringPage(sim.tables, salt="test")
    page.fairness()
    text = "\n".join(o for o in shown if isinstance(o, str))
    assert "⚠ flagged" in text and "no group is flagged" not in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_render(tmp_path, lang):
    out = render("tiering", {"lang": lang}, tmp_path / f"tiering-{lang}.html")
    html = out.read_text(encoding="utf-8")
    assert html.count("<img") == 6
    assert "Traceback" not in html and "Warning" not in html and "/work/" not in html
    title = glossary.t("tiering_title", lang)
    assert f"<h1>{title}</h1>" in html
    if lang == "zh":
        assert '<html lang="zh">' in html and "关键客户" in html and "迁移" in html


def test_the_template_is_listed_and_rendered_by_make_reports():
    from segkit.report import list_templates

    assert "tiering" in [t.name for t in list_templates()]


def test_tier_explanations_in_the_report_name_pseudonyms(demo, shown):
    page = TieringPage(demo, salt="test")
    page.explained()
    table = next(o for o in shown if isinstance(o, str) and "<table" in o)
    assert table.count("<tr>") >= 1 + 2 * 3
    ids = re.findall(r"<td>(c-[0-9a-f]+)</td>", table)
    assert ids and all(i not in set(pd.Series(demo.customers["customer_id"])) for i in ids)


def test_a_history_shorter_than_the_horizon_is_said_not_shown_as_nan(shown):
    sim = simulate(300, start="2024-01-01", end="2024-03-31", seed=3)
    page = TieringPage(sim.tables, horizon_days=180, salt="test")
    page.differentiated()
    page.base_customers()
    text = "\n".join(o for o in shown if isinstance(o, str))
    assert text.count("no purchase 180 days before the observation end") == 2
    assert "nan" not in text
