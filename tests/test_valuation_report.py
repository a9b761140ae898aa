"""The valuation report: its page (in process, every section and model, demo and CDNOW, en and
zh) and full renders in en and zh."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from segkit import glossary
from segkit.datasets import load_demo, load_source, simulate
from segkit.exceptions import ParameterError
from segkit.report import get_template, render
from segkit.report.valuation import MODELS, ValuationPage

SECTIONS = ["header", "headline", "purchase_model", "validation", "comparison", "alive",
            "lifetime_value", "tiers", "historic", "spend", "examples"]
#: Figures of a full page: expected vs actual, tracking, comparison, P(alive) x 2, CLV,
#: concentration of CLV, historic vs predictive.
N_FIGURES = 8
#: Latin words a Chinese page may show: model and distribution names, symbols, codes.
_LATIN_OK = {"Pareto", "Gamma", "Beta", "Fader", "Hardie", "Lee", "Schmittlein", "Morrison",
             "Colombo", "Batislam", "Denizel", "Filiztekin", "segkit", "demo",
             "cdnow", "model", "mbgnbd", "holdout_weeks", "CNY", "UTC"}


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


_PAGES: dict = {}


def _page(data: str = "demo", **kwargs) -> ValuationPage:
    """One page per set of arguments for the whole module (a page takes a second or two)."""
    key = (data, tuple(sorted(kwargs.items())))
    if key not in _PAGES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a page warns nothing into the report
            _PAGES[key] = ValuationPage(data, salt="test", **kwargs)
    return _PAGES[key]


def _run(page) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for section in SECTIONS:
            getattr(page, section)()


def _text(shown) -> str:
    text = "\n".join(o for o in shown if isinstance(o, str))
    return re.sub(r"<style>.*?</style>", "", text, flags=re.S)


@pytest.mark.parametrize("data", ["demo", "cdnow"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_section_shows(shown, data, lang):
    page = _page(data, lang=lang)
    _run(page)
    figures = [o for o in shown if isinstance(o, Figure)]
    assert len(figures) == N_FIGURES
    text = _text(shown)
    for key in ("sec_val_model", "sec_val_compare", "sec_val_tiers", "sec_val_historic",
                "sec_val_spend", "sec_val_examples"):
        assert glossary.TERMS[key][lang].split("{")[0] in text, key
    assert text.count("\n## ") + text.startswith("## ") >= 10  # every section has a heading
    assert "{" not in text and "Traceback" not in text
    assert not re.search(r"\bnan\b|\bNaN\b|\binf\b", text)
    if lang == "zh":
        prose = re.sub(r"<code>.*?</code>|<[^>]+>|&\w+;", " ", text)  # header parameters
        words = set(re.findall(r"[A-Za-z_]{4,}", prose))
        assert words <= _LATIN_OK, words - _LATIN_OK
        assert "存活概率" in text and "终身价值" in text and "关键客户" in text


@pytest.mark.parametrize("data", ["demo", "cdnow"])
@pytest.mark.parametrize("model", list(MODELS))
def test_every_model_choice_works(shown, data, model):
    page = _page(data, model=model)
    _run(page)
    assert len([o for o in shown if isinstance(o, Figure)]) == N_FIGURES
    text = _text(shown)
    if page.model_used != model:  # no proper maximum: said, and the BG/NBD used instead
        assert page.model_used == "bgnbd"
        assert "could not be fitted on these data" in text
        assert "BG/NBD (instead of Pareto/NBD, see below)" in text
    else:
        assert glossary.t(f"model_desc_{model}", "en") in text
    assert page.customers["clv"].notna().all() and (page.customers["clv"] >= 0).all()
    assert page.customers["p_alive"].between(0, 1).all()


def test_the_cdnow_split_of_the_papers_gives_the_published_estimates():
    """holdout_weeks=39 on CDNOW is the split of Fader, Hardie & Lee (2005): calibration to
    1997-09-30, and their BG/NBD estimates on it."""
    page = _page("cdnow", holdout_weeks=39)
    assert page.calibration_end == pd.Timestamp("1997-09-30")
    assert page.cal_model.params_.round(3).to_dict() == {"r": 0.243, "alpha": 4.414,
                                                          "a": 0.793, "b": 2.426}
    assert round(page.cal_model.log_likelihood_, 1) == -9582.4
    assert int(page.errors["actual_total"]) == 1882  # repeat purchases of weeks 40-78


def test_bgnbd_one_time_buyers_are_explained_and_mbgnbd_lowers_them(shown):
    bg, mbg = _page("cdnow"), _page("cdnow", model="mbgnbd")
    one = bg.customers["frequency"] == 0
    assert (bg.customers.loc[one, "p_alive"] == 1).all()
    assert (mbg.customers.loc[one, "p_alive"] < 1).all()
    bg.alive()
    assert "every one-time buyer has P(alive) = 100%" in _text(shown)


def test_the_headline_adds_up(shown):
    page = _page("demo")
    page.headline()
    html = next(o for o in shown if isinstance(o, str) and "segkit-kpis" in o)
    values = re.findall(r'kpi-value">([^<]+)<', html)
    c = page.customers
    assert values[0] == f"{len(c):,}"
    assert values[1] == f"{c['expected'].sum():,.0f}"
    assert values[2] == f"{c['clv'].sum():,.0f} CNY"
    share = np.sort(c["clv"].to_numpy())[::-1][: int(np.ceil(0.2 * len(c)))].sum() / c["clv"].sum()
    assert values[3] == f"{share:.0%}"
    low, high = (float(x.replace(",", "")) for x in
                 re.search(r"90% interval ([\d,.]+) to ([\d,.]+)", html).groups())
    assert low < c["clv"].sum() < high


def test_tiers_come_with_their_probability():
    c = _page("demo").customers
    assert set(c["tier"]) == {"key", "ordinary", "small"}
    assert c["tier_probability"].between(0, 1).all()
    key = c[c["tier"] == "key"]
    assert key["clv"].sum() / c["clv"].sum() == pytest.approx(0.8, abs=0.02)
    assert (c["clv_low"] <= c["clv"] + 1e-9).all() and (c["clv"] <= c["clv_high"] + 1e-9).all()


def test_no_personal_data_and_pseudonymous_ids_only(shown):
    demo = load_demo()
    page = _page("demo")
    _run(page)
    text = _text(shown)
    raw_ids = set(demo.customers["customer_id"])
    assert not [i for i in raw_ids if re.search(rf"\b{i}\b", text)]
    for col in ("name", "phone", "email"):
        assert not [v for v in demo.customers[col].dropna().astype(str).head(200) if v in text]
    ids = re.findall(r"<td>(c-[0-9a-f]+)</td>", text)
    assert 3 <= len(ids) <= 5 and set(ids) <= set(page.customers["customer_id"])
    assert "gender" not in text and "female" not in text


def test_cdnow_ids_are_pseudonyms_too(shown):
    page = _page("cdnow")
    page.examples()
    raw = set(load_source("cdnow").transactions["customer_id"].astype(str))
    ids = re.findall(r"<td>(c-[0-9a-f]+)</td>", _text(shown))
    assert ids and not set(ids) & raw


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "gamma"}, "model must be one of bgnbd, pareto_nbd, mbgnbd"),
        ({"holdout_weeks": 0}, "holdout_weeks must be a whole number from 1 to 260"),
        ({"holdout_weeks": 2.5}, "holdout_weeks must be a whole number"),
        ({"horizon_months": 0}, "horizon_months must be a whole number from 1 to 120"),
        ({"discount_rate": -0.01}, "discount_rate must be a number from 0 to 0.5"),
        ({"discount_rate": 12}, "discount_rate must be a number from 0 to 0.5"),
        ({"n_draws": 1}, "n_draws must be a whole number from 2 to 2000"),
        ({"lang": "fr"}, "unknown language 'fr'"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        ValuationPage("demo", **kwargs)


def test_a_holdout_longer_than_the_history_is_said(shown):
    sim = simulate(400, start="2024-01-01", end="2024-09-30", seed=3)
    page = ValuationPage(sim.tables, holdout_weeks=52, salt="test")
    _run(page)
    text = _text(shown)
    assert text.count("a holdout of 52 weeks is longer than the history") == 2
    assert "nan" not in text
    assert len([o for o in shown if isinstance(o, Figure)]) == N_FIGURES - 3


def test_no_data_up_to_the_observation_end_is_said(shown):
    page = ValuationPage("demo", observation_end="2022-06-30", salt="test")
    _run(page)
    text = _text(shown)
    assert text.count("No data to show.") == len(SECTIONS) - 1
    assert not [o for o in shown if isinstance(o, Figure)]


def test_horizon_and_discount_change_the_value():
    base = _page("cdnow").customers["clv"].sum()
    longer = _page("cdnow", horizon_months=24).customers["clv"].sum()
    dearer = _page("cdnow", discount_rate=0.05).customers["clv"].sum()
    assert longer > base > dearer


def test_the_template_declares_the_page_parameters():
    import inspect

    params = get_template("valuation").parameters
    own = set(inspect.signature(ValuationPage.__init__).parameters) - {"self", "data", "common"}
    assert own <= set(params)
    assert params["model"].choices == tuple(MODELS)
    assert {"observation_end", "horizon_months", "discount_rate", "model", "lang"} <= set(params)
    assert params["holdout_weeks"].default == 26 and params["n_draws"].default == 50


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_render(tmp_path, lang):
    out = render("valuation", {"lang": lang}, tmp_path / f"valuation-{lang}.html")
    html = out.read_text(encoding="utf-8")
    assert html.count("<img") == N_FIGURES
    assert "Traceback" not in html and "Warning" not in html and "/work/" not in html
    title = glossary.t("valuation_title", lang)
    assert f"<h1>{title}</h1>" in html
    if lang == "zh":
        assert '<html lang="zh">' in html and "存活概率" in html and "终身价值" in html
