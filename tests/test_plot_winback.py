"""The win-back figures (segkit.plot.winback): every figure on its own Figure, titled and
labelled, in English and Chinese (every glyph drawn), the empty cases said in words, and what
each draws matches its table."""

from __future__ import annotations

import io
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from segkit import glossary, plot
from segkit.winback import offer_effects, qini_curve


def _shares() -> pd.DataFrame:
    return pd.DataFrame({"price": [0.5, 0.2, 0.1], "service": [0.3, 0.5, 0.2],
                         "unknown": [0.2, 0.3, 0.7]},
                        index=["key customers", "ordinary customers", "small customers"])


def _cost() -> pd.DataFrame:
    return pd.DataFrame({"lost_revenue": [250_000.0, 90_000, 30_000],
                         "lost_margin": [80_000.0, 20_000, -15_000],
                         "clv_lost": [120_000.0, 40_000, 18_000]},
                        index=["key", "small", "inferior"])


def _effects() -> pd.DataFrame:
    df = pd.DataFrame({"offer": ["control"] * 200 + ["a"] * 200 + ["b"] * 200,
                       "responded": [1] * 30 + [0] * 170 + [1] * 60 + [0] * 140
                       + [1] * 35 + [0] * 165, "randomised": True})
    return offer_effects(df)


def _curves() -> dict:
    rng = np.random.default_rng(3)
    u = rng.normal(size=400)
    t = rng.integers(0, 2, 400)
    y = (rng.random(400) < 0.2 + 0.2 * t * (u > 0)).astype(int)
    return {"10% discount": qini_curve(u, t, y), "service call": qini_curve(-u, t, y)}


def _policies() -> pd.DataFrame:
    return pd.DataFrame({"gain": [2500.0, -1300, 3300, 400]},
                        index=["uplift", "risk", "value", "random"])


def _figures(lang: str) -> dict[str, Figure]:
    return {
        "reasons": plot.loss_reasons(_shares(), lang, unknown="unknown"),
        "cost": plot.churn_cost(_cost(), lang, currency="CNY"),
        "effects": plot.offer_effects(_effects(), lang),
        "qini": plot.qini_curves(_curves(), lang),
        "policies": plot.policy_comparison(_policies(), lang, currency="CNY"),
    }


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_is_titled_labelled_and_translated(lang):
    with mpl.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        plot.setup(lang=lang)
        figures = _figures(lang)
        for name, fig in figures.items():
            assert isinstance(fig, Figure), name
            fig.savefig(io.BytesIO(), format="png")  # text is laid out (and glyphs found)
            assert fig.get_suptitle().strip(), name
            assert fig.axes[0].get_xlabel() or fig.axes[0].get_ylabel(), name
            assert "{" not in " ".join(_texts(fig)), name
            if lang == "zh":
                assert any(ord(c) > 0x2E80 for c in fig.get_suptitle()), name
    g = glossary.Glossary(lang)
    assert figures["qini"].axes[0].get_ylabel() == g["axis_lcr_incremental"]
    assert figures["policies"].axes[0].get_xlabel() == g("axis_lcr_gain", currency="CNY")


def test_reasons_are_stacked_shares_with_unknown_in_grey():
    fig = plot.loss_reasons(_shares(), unknown="unknown")
    bars = fig.axes[0].patches
    assert len(bars) == 9
    widths = np.array([b.get_width() for b in bars]).reshape(3, 3)  # reason x group
    np.testing.assert_allclose(widths.sum(axis=0), 1.0)
    grey = [b for b in bars if np.allclose(b.get_facecolor()[:3], 0.72)]
    assert len(grey) == 3
    np.testing.assert_allclose([b.get_width() for b in grey], [0.2, 0.3, 0.7])


def test_cost_bars_follow_the_table_and_keep_the_sign():
    fig = plot.churn_cost(_cost())
    heights = sorted(b.get_height() for b in fig.axes[0].patches)
    assert heights == sorted(_cost().to_numpy().ravel().tolist())
    assert min(heights) < 0
    labels = {t.get_text() for t in fig.legends[0].get_texts()}
    assert labels == {glossary.t(f"legend_lcr_{c}", "en") for c in _cost().columns}


def test_offer_effects_draw_each_interval_and_mark_the_sure_ones():
    e = _effects()
    fig = plot.offer_effects(e)
    ax = fig.axes[0]
    segments = [ln for ln in ax.lines if len(ln.get_xdata()) == 2 and ln.get_linestyle() == "-"]
    assert len(segments) == 2  # control is the reference, not drawn
    for ln, (_, row) in zip(segments, e.iloc[1:].iterrows(), strict=True):
        np.testing.assert_allclose(ln.get_xdata(), [row["diff_low"], row["diff_high"]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    sure = e.iloc[1:]["diff_low"].to_numpy() > 0
    assert sure.tolist() == [True, False]
    grey = [np.allclose(mpl.colors.to_rgb(ln.get_color()), 0.55) for ln in segments]
    assert grey == [False, True]


def test_qini_curves_are_per_customer_targeted():
    curves = _curves()
    fig = plot.qini_curves(curves)
    ax = fig.axes[0]
    solid = [ln for ln in ax.lines if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 2]
    assert len(solid) == 2
    k, q = curves["10% discount"]
    np.testing.assert_allclose(solid[0].get_xdata(), k / k[-1])
    np.testing.assert_allclose(solid[0].get_ydata(), q / k[-1])


def test_policy_bars_follow_the_table():
    fig = plot.policy_comparison(_policies())
    assert [b.get_width() for b in fig.axes[0].patches] == _policies()["gain"].tolist()


@pytest.mark.parametrize("name", ["reasons", "cost", "effects", "qini", "policies"])
def test_empty_input_says_no_data(name):
    empty = {
        "reasons": lambda: plot.loss_reasons(pd.DataFrame()),
        "cost": lambda: plot.churn_cost(pd.DataFrame()),
        "effects": lambda: plot.offer_effects(_effects().iloc[:1]),
        "qini": lambda: plot.qini_curves({}),
        "policies": lambda: plot.policy_comparison(pd.DataFrame({"gain": []})),
    }
    fig = empty[name]()
    assert glossary.t("no_data", "en") in _texts(fig)
