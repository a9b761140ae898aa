"""The lost-customer review: its page (in process, every section, demo and CDNOW, en and zh),
its numbers against the package's, its parameters, and full renders in en and zh, on CDNOW,
and a failed render that leaves the previous report in place."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from segkit import glossary
from segkit.churn import choose_threshold
from segkit.datasets import load_demo
from segkit.exceptions import ParameterError, RenderError
from segkit.report import get_template, render, validate_parameters
from segkit.report.lost_customer_review import (
    EXCLUDED_TIERS,
    LEARNERS,
    REASON_BY,
    LostCustomerReviewPage,
)
from segkit.winback import (
    allocate,
    compare_policies,
    cost_of_churn,
    ipw_uplift,
    lost_customers,
    offer_effects,
    qini_auc,
    uplift_at_k,
)

SECTIONS = ["header", "headline", "database", "reasons_section", "cost_section",
            "effects_section", "heterogeneity", "targeting", "contact_list"]
#: Figures of a full page: reasons, cost of churn, offer effects, Qini curves, policies.
N_FIGURES = 5
#: Latin words a Chinese page may show: names of methods, models and people, the data set,
#: codes and the currency.
_LATIN_OK = {"Qini", "Newcombe", "Gamma", "demo", "cdnow", "CNY", "UTC", "segkit"}
#: The pages shown in full: English by former tier over the default year, Chinese by month
#: over the last half year.
_FULL = {"en": {}, "zh": {"reason_by": "period", "period_start": "2024-07-01"}}


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


def _page(data="demo", **kwargs) -> LostCustomerReviewPage:
    """One page per set of arguments for the whole module (a page takes a few seconds)."""
    key = (data, tuple(sorted(kwargs.items())))
    if key not in _PAGES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a page warns nothing into the report
            _PAGES[key] = LostCustomerReviewPage(data, salt="test", **kwargs)
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


def _cells(text: str, first: str, n: int) -> tuple[str, ...]:
    m = re.search(rf"<td>{re.escape(first)}</td>\s*" + r"\s*".join([r"<td>([^<]*)</td>"] * n),
                  text)
    assert m is not None, first
    return m.groups()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_section_shows(shown, lang):
    page = _page(lang=lang, **_FULL[lang])
    _run(page)
    assert len([o for o in shown if isinstance(o, Figure)]) == N_FIGURES
    text = _text(shown)
    for key in ("sec_lcr_database", "sec_lcr_cost", "sec_lcr_effects", "sec_lcr_uplift",
                "sec_lcr_targeting"):
        assert glossary.TERMS[key][lang] in text, key
    assert text.count("\n## ") + text.startswith("## ") == len(SECTIONS) - 1
    assert "{" not in text and "Traceback" not in text
    assert not re.search(r"\bnan\b|\bNaN\b|\binf\b|\bNone\b", text)
    if lang == "zh":
        prose = re.sub(r"<code>.*?</code>|<[^>]+>|&\w+;|c-[0-9a-f]{8}", " ", text)
        words = set(re.findall(r"[A-Za-z_]{4,}", prose))
        assert words <= _LATIN_OK, words - _LATIN_OK
        for word in ("战败客户", "好钢用在刀刃上", "流失原因", "有些流失不值得挽回", "每月"):
            assert word in text, word
        assert page.reason_freq == "M" and len(page.cutoffs()) == 6
        fig = next(o for o in shown if isinstance(o, Figure))  # the reasons by month
        months = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert months == [f"2024年{m}月" for m in range(7, 13)]


def test_the_headline_equals_the_package(shown):
    page = _page()
    page.headline()
    values = _kpis(shown)
    th = choose_threshold(page.data, 0.9, page.period_end)
    assert page.threshold == th
    # every customer still lost at the period's end, lost within it, is on the page
    at_end = lost_customers(page.data, "narrow", th, observation_end=page.period_end)
    in_period = at_end.loc[at_end["churn_date"] >= page.period_start]
    assert set(in_period.index) <= set(page.lost.index)
    assert not page.lost.loc[in_period.index, "came_back"].any()
    assert page.lost["churn_date"].between(page.period_start, page.period_end).all()
    assert values[0] == f"{len(page.lost):,}"
    cost = cost_of_churn(page.lost)
    assert values[1] == f"{cost['lost_revenue'].iloc[0]:,.0f} CNY"
    assert values[2] == f"{page.lost['came_back'].mean():.1%}"
    assert 0 < page.lost["came_back"].mean() < 1  # customers who came back are counted too
    cand = page.lost.loc[~page.lost["came_back"]]
    alloc = allocate(page.list_uplift, cand["value_lost_margin"], page.offer_cost, 2000.0,
                     tier=cand["former_tier"].astype(str), exclude_tiers=["inferior"])
    assert values[3] == f"{alloc.attrs['total_gain']:,.0f} CNY"
    assert alloc.attrs["spent"] <= 2000.0


def test_the_effects_table_equals_offer_effects(shown):
    page = _page()
    page.effects_section()
    text = _text(shown)
    cam = page.data.campaigns
    e = offer_effects(cam.loc[cam["randomised"]])
    row = e.set_index("offer").loc["discount_25"]
    cells = _cells(text, glossary.t("lcr_offer_discount_25", "en"), 5)
    assert cells[:4] == (f"{int(row['n']):,}", f"{row['rate']:.1%}",
                         f"{100 * row['diff']:+.1f}",
                         f"{100 * row['diff_low']:+.1f} – {100 * row['diff_high']:+.1f}")
    assert glossary.t("lcr_all_randomised", "en") in text


def test_the_qini_table_equals_the_package(shown):
    page = _page()
    page.heterogeneity()
    text = _text(shown)
    test = page.frame.loc[page.test_rows]
    off = test["offer"].to_numpy(object)
    y = test["responded"].to_numpy(bool)
    for offer in page.offers:
        sel = (off == offer) | (off == "control")
        u = page.uplift_scores.loc[sel, offer].to_numpy(float)
        t = (off[sel] == offer).astype(int)
        auc, at_k = qini_auc(u, t, y[sel]), uplift_at_k(u, t, y[sel], 0.3)
        cells = _cells(text, glossary.t(f"lcr_offer_{offer}", "en"), 3)
        assert cells == (f"{int(sel.sum()):,}", f"{auc:.4f}", f"{100 * at_k:+.1f}")
    # the model was judged on rows it never saw
    assert not set(page.train_rows) & set(page.test_rows)
    assert len(page.test_rows) == pytest.approx(0.3 * len(page.frame), abs=1)


def test_the_policies_equal_the_ipw_comparison(shown):
    page = _page()
    page.targeting()
    test = page.frame.loc[page.test_rows]
    truth = ipw_uplift(test["offer"].to_numpy(object), test["responded"].to_numpy(float),
                       page.offers)
    out = compare_policies(truth, page._value_before(test), page.offer_cost,
                           page.holdout_budget,
                           predicted_uplift=page.uplift_scores.reset_index(drop=True),
                           risk=test["days_since_last_purchase"], seed=0)
    p = page.policies
    np.testing.assert_allclose(p["estimated_gain"], out["true_gain"])
    np.testing.assert_allclose(p["predicted_gain"], out["predicted_gain"])
    assert (p["n_contacted"] == out["n_contacted"]).all()
    assert (p["estimated_gain_se"] > 0).all() and p["true_gain"].isna().all()
    assert (out["cost"] <= page.holdout_budget + 1e-6).all()
    text = _text(shown)
    cells = _cells(text, glossary.t("lcr_policy_uplift", "en"), 6)
    assert cells[2:] == (f"{out.loc['uplift', 'cost']:,.0f}",
                         f"{out.loc['uplift', 'true_gain']:,.0f}",
                         f"{p.loc['uplift', 'estimated_gain_se']:,.0f}",
                         f"{out.loc['uplift', 'predicted_gain']:,.0f}")


def test_the_weights_measure_the_uplift_without_bias():
    # randomised offers with known uplift: the mean weighted response recovers it
    rng = np.random.default_rng(0)
    offer = rng.choice(["control", "a", "b"], 60_000)
    p = np.where(offer == "a", 0.30, np.where(offer == "b", 0.22, 0.20))
    y = (rng.random(60_000) < p).astype(float)
    est = ipw_uplift(offer, y, ["a", "b"]).mean()
    assert est["a"] == pytest.approx(0.10, abs=0.015)
    assert est["b"] == pytest.approx(0.02, abs=0.015)


def test_the_contact_list_spares_the_inferior_and_shows_pseudonyms_only(shown):
    page = _page()
    page.contact_list()
    text = _text(shown)
    ids = re.findall(r"<td>(c-[0-9a-f]{8})</td>", text)
    assert 1 <= len(ids) <= 25
    chosen = page.allocation.loc[page.allocation["offer"].notna()]
    assert ids == chosen.sort_values("expected_gain", ascending=False).index[:len(ids)].tolist()
    tiers = page.lost.loc[chosen.index, "former_tier"].astype(str)
    assert not tiers.isin(EXCLUDED_TIERS).any() and (chosen["value"] >= 0).all()
    assert not page.lost.loc[chosen.index, "came_back"].any()
    assert chosen["cost"].sum() <= page.budget + 1e-6
    assert glossary.t("tier_inferior", "en") not in text.split("<table")[-1]


def test_no_personal_data_and_pseudonymous_ids_only(shown):
    demo = load_demo()
    page = _page()
    _run(page)
    text = _text(shown)
    assert not [i for i in set(demo.customers["customer_id"]) if re.search(rf"\b{i}\b", text)]
    for col in ("name", "phone", "email"):
        assert not [v for v in demo.customers[col].dropna().astype(str).head(300) if v in text]
    for written in demo.complaints["text"].dropna().astype(str).unique():
        assert written not in text
    assert set(re.findall(r"c-[0-9a-f]{8}", text)) <= set(page.lost.index)
    assert "gender" not in text and "age_band" not in text


def test_losses_by_region_and_a_budget_of_nothing(shown):
    page = _page(reason_by="region", period_start="2024-10-01", budget=0)
    page.reasons_section()
    fig = next(o for o in shown if isinstance(o, Figure))
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert labels == set(page.data.customers["region"])
    assert page.reasons.trend.columns[0] == "region"
    assert page.reasons.trend.groupby("region")["share"].sum().round(9).eq(1).all()
    page.headline()
    page.contact_list()
    assert _kpis(shown)[3] == "0 CNY"
    assert glossary.t("lcr_list_no_budget", "en") in _text(shown)
    assert (page.allocation["offer"].isna()).all()


def test_cdnow_says_what_is_missing(shown):
    page = _page("cdnow")
    _run(page)
    text = _text(shown)
    g = glossary.Glossary("en")
    assert g["lcr_no_campaigns"] in text
    assert text.count(g["lcr_see_effects"]) == 3
    assert "The reason is unknown for all" in text
    assert g["lcr_no_costs_tiers"] in text and "The data has no costs" in text
    assert len([o for o in shown if isinstance(o, Figure)]) == 1  # the cost of churn
    cells = _cells(text, glossary.t("tier_key", "en"), 6)  # no complaints nor campaigns
    assert cells[3:5] == ("–", "–")
    assert "{" not in text and not re.search(r"\bnan\b|\bNone\b", text)
    assert page.lost is not None and len(page.lost) > 0 and page.clv is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason_by": "city"}, "reason_by must be one of tier, region, period"),
        ({"learner": "z"}, "learner must be one of s, t, x, dr"),
        ({"budget": -1}, "budget must be a number of 0 or more"),
        ({"budget": True}, "budget must be a number"),
        ({"threshold_days": 1000}, "threshold_days must be a whole number from 0 to 730"),
        ({"period_start": "2024/01/01"}, "period_start must be a date written YYYY-MM-DD"),
        ({"period_start": "2024-06-01", "period_end": "2024-01-31"}, "is after period_end"),
        ({"period_end": "2030-01-01"}, "period_end 2030-01-01 is after the data's end"),
        ({"observation_end": "2024-06-30"}, "takes period_start and period_end"),
        ({"lang": "fr"}, "unknown language 'fr'"),
    ],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        LostCustomerReviewPage("demo", **kwargs)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"period_start": "31/12/2024"}, "period_start"),
        ({"budget": "-5"}, "budget (float, 0.0..)"),
        ({"reason_by": "city"}, "one of tier/region/period"),
        ({"learner": "q"}, "one of s/t/x/dr"),
        ({"threshold_days": "731"}, "threshold_days (int, 0..730)"),
        ({"period": "2024"}, "has no parameter 'period'"),
    ],
)
def test_the_template_checks_its_parameters_before_running(values, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        validate_parameters("lost_customer_review", values)


def test_the_template_declares_the_page_parameters():
    import inspect

    params = get_template("lost_customer_review").parameters
    own = set(inspect.signature(LostCustomerReviewPage.__init__).parameters) - {
        "self", "data", "common"}
    assert own <= set(params)
    assert params["reason_by"].choices == tuple(REASON_BY)
    assert params["learner"].choices == tuple(LEARNERS)
    assert params["period_start"].format == params["period_end"].format == "date"
    common = set(get_template("valuation").parameters) & set(get_template("tiering").parameters)
    assert common - {"observation_end"} <= set(params)


def _html_checks(html: str, lang: str) -> None:
    assert "Traceback" not in html and "Warning" not in html and "/work/" not in html
    assert f"<h1>{glossary.t('lcr_title', lang)}</h1>" in html
    assert not re.search(r"\bC\d{6}\b", html)  # the demo's raw ids never reach the page


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_full_render(tmp_path, lang):
    out = render("lost_customer_review", {"lang": lang, **_FULL[lang]},
                 tmp_path / f"lost_customer_review-{lang}.html")
    html = out.read_text(encoding="utf-8")
    _html_checks(html, lang)
    assert html.count("<img") == N_FIGURES
    for key in ("sec_lcr_database", "sec_lcr_effects", "sec_lcr_targeting"):
        assert f"<h2>{glossary.t(key, lang)}</h2>" in html, key
    assert len(set(re.findall(r"<td>(c-[0-9a-f]{8})</td>", html))) == 25
    demo = load_demo()
    for v in demo.customers["email"].dropna().head(300):
        assert v not in html
    if lang == "zh":
        assert '<html lang="zh">' in html and "好钢用在刀刃上" in html and "战败客户库" in html


@pytest.mark.slow
def test_cdnow_renders_and_a_failed_render_keeps_it(tmp_path):
    out = render("lost_customer_review", {"data": "cdnow"}, tmp_path / "lcr.html")
    html = out.read_text(encoding="utf-8")
    _html_checks(html, "en")
    assert html.count("<img") == 1
    assert "The data has no campaigns table" in html
    before = out.read_bytes()
    with pytest.raises(ParameterError, match="period_end"):  # refused before anything runs
        render("lost_customer_review", {"data": "cdnow", "period_end": "30/06/1998"}, out)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "transactions.csv").write_text("customer_id,timestamp,amount\nc1,not a date,3\n")
    with pytest.raises(RenderError) as err:
        render("lost_customer_review", {"data": str(bad)}, out)
    assert "left unchanged" in str(err.value)
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
