"""The early-warning report: its page (in process, every section, en and zh, every tier
scheme), its numbers against the package's, its parameters, and full renders in en and zh."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from segkit import glossary
from segkit.churn import choose_threshold, churn_rate
from segkit.churn.evaluate import compare_models, known_at
from segkit.churn.models import CoxModel
from segkit.churn.warning import EarlyWarning
from segkit.datasets import load_demo
from segkit.exceptions import ParameterError
from segkit.features import customer_profile
from segkit.report import get_template, render, validate_parameters
from segkit.report.early_warning import ACTIONS, MODELS, EarlyWarningPage
from segkit.report.tiering import SCHEMES

SECTIONS = ["header", "headline", "definition", "churn_rates", "survival_by_tier",
            "hazard_model", "evaluation", "warning_section", "warning_table"]
#: Figures of a full page: threshold trade-off, churn rate, Kaplan-Meier by tier, hazard
#: ratios, model metrics, calibration, risk distribution, drivers.
N_FIGURES = 8
#: Latin words a Chinese page may show: names of methods, models, statistics and people,
#: the data set, region and channel values of the data, codes.
_LATIN_OK = {"Cox", "Weibull", "Kaplan", "Meier", "Harrell", "IPCW", "Brier", "Schoenfeld",
             "Grambsch", "Therneau", "demo", "CNY", "UTC", "north", "south", "east", "west",
             "online", "store", "partner", "segkit"}


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


def _page(data="demo", **kwargs) -> EarlyWarningPage:
    """One page per set of arguments for the whole module (a page takes a few seconds)."""
    key = (data if isinstance(data, str) else id(data), tuple(sorted(kwargs.items())))
    if key not in _PAGES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a page warns nothing into the report
            _PAGES[key] = EarlyWarningPage(data, salt="test", **kwargs)
    return _PAGES[key]


def _run(page) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for section in SECTIONS:
            getattr(page, section)()


def _text(shown) -> str:
    text = "\n".join(o for o in shown if isinstance(o, str))
    return re.sub(r"<style>.*?</style>", "", text, flags=re.S)


def _kpis(shown) -> list[str]:
    html = next(o for o in shown if isinstance(o, str) and "segkit-kpis" in o)
    return re.findall(r'kpi-value">([^<]+)<', html)


#: The pages shown in full: English with the key/ordinary/small tiers, Chinese with A/B/C.
_FULL = {"en": {}, "zh": {"tier_scheme": "importance_risk"}}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_section_shows(shown, lang):
    page = _page(lang=lang, **_FULL[lang])
    _run(page)
    figures = [o for o in shown if isinstance(o, Figure)]
    assert len(figures) == N_FIGURES
    text = _text(shown)
    for key in ("sec_ch_definition", "sec_ch_rate", "sec_ch_cox", "sec_ch_eval"):
        assert glossary.TERMS[key][lang] in text, key
    assert text.count("\n## ") + text.startswith("## ") >= len(SECTIONS) - 1
    assert "{" not in text and "Traceback" not in text
    assert not re.search(r"\bnan\b|\bNaN\b|\binf\b|\bNone\b", text)
    for model in MODELS:  # every model of the evaluation was evaluated on the demo data
        assert glossary.t(f"model_ch_{model}", lang) in text, model
    if lang == "zh":
        prose = re.sub(r"<code>.*?</code>|<[^>]+>|&\w+;|c-[0-9a-f]{8}", " ", text)
        words = set(re.findall(r"[A-Za-z_]{4,}", prose))
        assert words <= _LATIN_OK, words - _LATIN_OK
        for word in ("狭义流失", "广义流失", "流失率", "客户流失预警", "红", "专人致电"):
            assert word in text, word


def test_the_headline_equals_the_package(shown):
    page = _page()
    page.headline()
    values = _kpis(shown)
    # the warning system, fitted here from the package alone on the same protected data
    th = choose_threshold(page.data, 0.9, page.as_of)
    assert page.threshold == th
    ew = EarlyWarning(horizon_days=90, capacity=50, threshold_days=th,
                      tiers=SCHEMES["pareto"](), actions=ACTIONS["pareto"]).fit(page.data,
                                                                                 page.as_of)
    scored = ew.score(page.data, page.as_of)
    level = scored["level"].astype(str)
    n_red, n_amber = int((level == "red").sum()), int((level == "amber").sum())
    assert values[0] == f"{n_red + n_amber:,}"
    assert values[1] == f"{n_red:,} / 50"
    rates = churn_rate(page.data, "M", "narrow", th, page.as_of)
    last = rates.loc[rates["complete"] & (rates["at_risk"] > 0)].iloc[-1]
    assert values[2] == f"{last['churn_rate']:.1%}"
    assert values[3] == f"{scored['risk'].sum():,.0f}"
    assert n_red <= 50


def test_the_evaluation_table_equals_compare_models(shown):
    page = _page()
    page.evaluation()
    text = _text(shown)
    table = compare_models({"cox": CoxModel(penalizer=0.01)}, page.split, page.eval_times)
    row = table.loc["cox"]
    cells = re.search(r"<td>Cox model</td>\s*" + r"\s*".join([r"<td>([^<]+)</td>"] * 5), text)
    assert cells is not None
    assert cells.groups() == (f"{row['harrell_c']:.3f}", f"{row['uno_c']:.3f}",
                              f"{row['auc_mean']:.3f}", f"{row['ibs']:.3f}",
                              f"{row['calibration_mae']:.1%}")
    # the split: fitted on the window before the landmark, tested on the one after it
    s = page.split
    assert s.split_date == page.as_of - pd.Timedelta(days=page.eval_horizon)
    assert page.eval_horizon == 90 + page.threshold
    assert s.train["exit_date"].max() <= s.split_date


def test_the_tiers_of_the_survival_curves_are_read_at_the_landmark():
    page = _page()
    past = known_at(page.data, page.landmark)
    profile = customer_profile(past, page.landmark)
    tiers = SCHEMES["pareto"]().fit_predict(profile)
    tiers.index = profile["customer_id"].to_numpy()
    w = page.window
    assert (w["tier"].to_numpy() == tiers.reindex(w["customer_id"]).astype(str).to_numpy()).all()
    assert page.km.logrank is not None and 0 <= page.km.logrank["p_value"] <= 1
    assert set(page.km.fitters) == set(w["tier_label"])


def test_the_hazard_model_reads_the_indicators_in_their_warning_direction():
    page = _page()
    hr = page.cox.hazard_ratios_
    assert {"amount_change", "complaint_change", "age_years"} <= set(hr.index)
    assert ((hr["lower"] <= hr["hazard_ratio"]) & (hr["hazard_ratio"] <= hr["upper"])).all()
    assert set(page.ph["remedy"]) <= {"none", "stratify", "time_interaction"}


#: A small team, VIP tiers, a given threshold and one region.
_SMALL = {"capacity": 5, "tier_scheme": "vip", "threshold_days": 60, "region": "north"}


def test_the_red_list_holds_at_most_the_capacity(shown):
    page = _page(**_SMALL)
    assert page.threshold == 60.0 and not page.threshold_chosen
    page.warning_table()
    text = _text(shown)
    ids = re.findall(r"<td>(c-[0-9a-f]+)</td>", text)
    assert 1 <= len(ids) <= 5
    red = page.scored.loc[page.scored["level"].astype(str) == "red", "customer_id"]
    assert ids == red.tolist()[: len(ids)]
    actions = {glossary.t(f"action_{a}", "en") for a in ("personal_call", "retention_offer",
                                                          "automated_mail")}
    assert any(a in text for a in actions)
    assert set(page.warning_list["tier"]) <= set(SCHEMES["vip"].TIERS)


def test_the_importance_risk_scheme_has_an_action_for_every_tier():
    page = _page(lang="zh", **_FULL["zh"])
    assert set(page.warning_list["tier"]) <= set(SCHEMES["importance_risk"].TIERS)
    assert set(page.warning_list["action"]) <= set(ACTIONS["importance_risk"]["red"].values()) \
        | set(ACTIONS["importance_risk"]["amber"].values())


def test_no_personal_data_and_pseudonymous_ids_only(shown):
    demo = load_demo()
    page = _page()
    _run(page)
    text = _text(shown)
    raw_ids = set(demo.customers["customer_id"])
    assert not [i for i in raw_ids if re.search(rf"\b{i}\b", text)]
    for col in ("name", "phone", "email"):
        assert not [v for v in demo.customers[col].dropna().astype(str).head(300) if v in text]
    ids = re.findall(r"<td>(c-[0-9a-f]+)</td>", text)
    assert 1 <= len(ids) <= 50 and set(ids) <= set(page.scored["customer_id"])
    assert "gender" not in text and "female" not in text and "age_band" not in text


def test_a_history_too_short_is_said_in_words(shown):
    page = _page(as_of="2023-06-30")
    _run(page)
    text = _text(shown)
    assert "The history is too short for this section" in text
    assert "The warning system cannot be fitted" in text
    assert "{" not in text and "nan" not in text
    assert len([o for o in shown if isinstance(o, Figure)]) <= 2


def test_a_data_set_without_repeat_purchases_says_no_threshold(shown):
    demo = load_demo()
    tx = demo.transactions.drop_duplicates("customer_id")
    import dataclasses

    one = dataclasses.replace(demo, transactions=tx, interactions=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = EarlyWarningPage(one, salt="test")
    _run(page)
    text = _text(shown)
    assert text.count(glossary.t("ch_no_threshold", "en")) == len(SECTIONS) - 1
    assert not [o for o in shown if isinstance(o, Figure)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon_days": 0}, "horizon_days must be a whole number from 7 to 730"),
        ({"horizon_days": 30.5}, "horizon_days must be a whole number"),
        ({"threshold_days": -1}, "threshold_days must be a whole number from 0 to 730 "
                                 "(0 means chosen from the data)"),
        ({"capacity": 0}, "capacity must be a whole number from 1 to 1000000"),
        ({"capacity": True}, "capacity must be a whole number"),
        ({"tier_scheme": "gold"}, "tier_scheme must be one of pareto, importance_risk, vip"),
        ({"lang": "fr"}, "unknown language 'fr'"),
        ({"observation_end": "2024-06-30"}, "takes as_of (the scoring date)"),
        ({"as_of": "yesterday"}, "yesterday"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        EarlyWarningPage("demo", **kwargs)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"horizon_days": 3}, "horizon_days (int, 7..730)"),
        ({"capacity": "many"}, "capacity"),
        ({"tier_scheme": "gold"}, "one of pareto/importance_risk/vip"),
        ({"as_of": "31/12/2024"}, "as_of"),
        ({"observation_end": "2024-06-30"}, "has no parameter 'observation_end'"),
    ],
)
def test_the_template_checks_its_parameters_before_running(values, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        validate_parameters("early_warning", values)


def test_the_template_declares_the_page_parameters():
    import inspect

    params = get_template("early_warning").parameters
    own = set(inspect.signature(EarlyWarningPage.__init__).parameters) - {"self", "data",
                                                                            "common"}
    assert own <= set(params)
    for name in ("as_of", "horizon_days", "threshold_days", "tier_scheme", "capacity", "lang",
                 "region", "title", "salt", "currency"):
        assert name in params, name
    assert params["tier_scheme"].choices == tuple(SCHEMES)
    assert params["threshold_days"].default == 0 and params["horizon_days"].default == 90
    assert params["as_of"].format == "date" and params["as_of"].default == ""
    common = set(get_template("valuation").parameters) & set(get_template("tiering").parameters)
    assert common - {"observation_end"} <= set(params)


def test_a_region_keeps_only_its_customers():
    page = _page(**_SMALL)
    assert page.scored is not None and np.isfinite(page.scored["risk"]).all()
    assert len(page.scored) < len(_page().scored)
    assert (page.window["region"] == "north").all()
    assert set(page.data.customers["region"]) == {"north"}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_render(tmp_path, lang):
    out = render("early_warning", {"lang": lang}, tmp_path / f"early_warning-{lang}.html")
    html = out.read_text(encoding="utf-8")
    assert html.count("<img") == N_FIGURES
    assert "Traceback" not in html and "Warning" not in html and "/work/" not in html
    title = glossary.t("ew_title", lang)
    assert f"<h1>{title}</h1>" in html
    assert not re.search(r"\bC\d{6}\b", html)  # the demo's raw ids never reach the page
    if lang == "zh":
        assert '<html lang="zh">' in html and "狭义流失" in html and "预警名单" in html
