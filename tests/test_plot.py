"""The plot package: one style file, one file per module, one public API."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import segkit
from segkit import plot
from segkit.datasets import load_demo
from segkit.features import cohort_retention, customer_base, revenue


def test_public_api_is_re_exported():
    for name in plot.__all__:
        assert getattr(plot, name) is not None, name
    assert segkit.setup is plot.setup
    assert plot.customer_base is plot.overview.customer_base
    assert plot.FIGSIZE is plot._style.FIGSIZE


def test_every_file_is_known():
    files = {p.stem for p in Path(plot.__file__).parent.glob("*.py")} - {"__init__"}
    assert files == {f.__name__.rsplit(".", 1)[-1] for f in plot._FILES}
    # each figure file exports what the package exports of it
    exported = {n for f in plot._FILES if f is not plot._style for n in f.__all__}
    assert exported <= set(plot.__all__)


def test_setting_an_attribute_of_the_package_reaches_the_files(monkeypatch):
    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    assert plot._style.cjk_font() is None
    with pytest.warns(UserWarning, match="fall back to English"):
        assert plot.figure_lang("zh") == "en"
    monkeypatch.setattr(plot, "figure_lang", lambda lang: "en")
    assert plot.overview.figure_lang("zh") == "en"  # the name the figures call
    monkeypatch.undo()
    assert plot._style.cjk_font is plot.cjk_font and plot.overview.figure_lang is plot.figure_lang


@pytest.mark.parametrize("grain", ["Q", "Y"])
def test_figures_of_every_calendar_grain(grain):
    data = load_demo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figs = [
            plot.customer_base(customer_base(data, grain), "en", time_grain=grain),
            plot.revenue(revenue(data, grain), "en", time_grain=grain),
            plot.cohort_retention(cohort_retention(data, grain), "en", time_grain=grain),
        ]
    assert all(isinstance(f, Figure) for f in figs)
    word = {"Q": "quarter", "Y": "year"}[grain]
    assert figs[0].axes[0].get_xlabel() == f"period ({word})"
    assert figs[2].axes[0].get_xlabel() == f"{word}s since acquisition"


def test_zh_figures_draw_every_glyph_when_a_cjk_font_is_installed():
    """On a machine with a CJK font, no glyph of a zh figure may fall back to a box.

    Skipped where no CJK font is installed (the figures then use English labels, which
    test_cohorts_and_overview_page checks); ``apt-get install fonts-noto-cjk`` runs it.
    """
    import io
    import warnings

    import matplotlib as mpl

    from segkit import features, plot
    from segkit.datasets import load_demo

    if plot.cjk_font() is None:
        pytest.skip("no CJK font installed")
    demo = load_demo()
    with mpl.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        plot.setup(lang="zh")
        figures = [
            plot.customer_base(features.customer_base(demo, "Q"), lang="zh", time_grain="Q"),
            plot.revenue(features.revenue(demo, "M"), lang="zh", time_grain="M"),
            plot.cohort_retention(features.cohort_retention(demo, "M", max_periods=6),
                                  lang="zh", time_grain="M"),
        ]
        for fig in figures:
            fig.savefig(io.BytesIO(), format="png")  # text is laid out when drawn


# ---------------------------------------------------------------- Chinese on any machine


def _zh_figures():
    from segkit import features

    demo = load_demo()
    return [
        plot.customer_base(features.customer_base(demo, "Q"), lang="zh", time_grain="Q"),
        plot.revenue(features.revenue(demo, "M"), lang="zh", time_grain="M"),
        plot.cohort_retention(features.cohort_retention(demo, "M", max_periods=6),
                              lang="zh", time_grain="M",
                              sizes=features.cohort_sizes(demo, "M")),
        *_zh_segment_figures(demo),
        *_zh_value_figures(demo),
    ]


def _zh_segment_figures(demo):
    """The segmentation figures, with Chinese tier and segment labels."""
    from segkit import features, segment

    profile = features.customer_profile(demo)
    scheme = segment.ParetoTiers()
    tiers = scheme.fit_predict(profile)
    labels = scheme.labels("zh")
    order = [labels[t] for t in scheme.tiers_]
    named = tiers.map(labels).astype(str)
    shares = pd.DataFrame({"customer_share": [0.3, 0.3, 0.3, 0.1],
                           "value_share": [0.7, 0.2, 0.05, 0.05]}, index=order)
    scores = segment.RFMScorer().fit_transform(profile)
    seg = pd.DataFrame({"customers": [10, 20], "value_share": [0.6, 0.4]},
                       index=[segment.STANDARD_MAP.label(s, "zh") for s in ("champions", "lost")])
    long = segment.tiers_by_period(demo, scheme, freq="Q")
    matrix = segment.migration_matrix(long).loc[list(scheme.tiers_), list(scheme.tiers_)]
    flows = segment.migration_flows(long)
    flows = flows.assign(from_tier=flows["from_tier"].map(lambda t: labels.get(t, t)),
                         to_tier=flows["to_tier"].map(lambda t: labels.get(t, t)))
    return [
        plot.value_concentration(profile["revenue"], named, order, lang="zh", value_label="净收入"),
        plot.tier_shares(shares, lang="zh", value_label="净收入"),
        plot.rfm_grid(scores, lang="zh"),
        plot.segment_sizes(seg, lang="zh", value_label="净收入"),
        plot.migration_heatmap(matrix.rename(index=labels, columns=labels), lang="zh"),
        plot.tier_flows(flows, order, lang="zh"),
    ]


def _zh_value_figures(demo):
    """The valuation figures, on a BG/NBD fitted to the demo data in weeks."""
    from segkit import features
    from segkit.value.bgnbd import BetaGeoModel
    from segkit.value.clv import historic_vs_predictive
    from segkit.value.validation import (
        calibration_holdout,
        compare_models,
        expected_vs_actual,
        tracking,
    )

    tx = demo.transactions
    split = calibration_holdout(tx, "2024-07-02", "2024-12-31")
    cal = split.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency",
                                "T_cal": "T"})
    model = BetaGeoModel().fit(cal)
    full = features.summary(tx, monetary_value_col="amount", freq="D", freq_multiplier=7)
    full_model = BetaGeoModel().fit(full)
    p_alive = full_model.expected_probability_alive(full)
    value = full_model.expected_purchases(full, 52.0) * full["monetary_value"].clip(lower=1)
    hp = historic_vs_predictive(full["frequency"] * full["monetary_value"], value)
    errors = compare_models({"BG/NBD 模型": model}, split)[["mae", "total_error"]]
    errors.loc["Pareto/NBD 模型"] = float("nan")
    return [
        plot.expected_vs_actual(expected_vs_actual(model, split), lang="zh",
                                model_label="BG/NBD 模型"),
        plot.tracking(tracking(model, tx, "2024-07-02", "2024-12-31"), lang="zh",
                      calibration_end="2024-07-02", model_label="BG/NBD 模型"),
        plot.model_comparison(errors, lang="zh", chosen="BG/NBD 模型"),
        plot.probability_alive_distribution(p_alive, full["frequency"], lang="zh"),
        plot.probability_alive_matrix(full_model, lang="zh", T=104, max_frequency=20),
        plot.clv_distribution(value, lang="zh", months=12, currency="CNY"),
        plot.historic_vs_predictive(hp.frame, lang="zh", currency="CNY", p_alive=p_alive),
    ]


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _covering_fonts(text) -> list[str]:
    """Font files matplotlib would use for ``text`` that hold every one of its glyphs."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    chars = {ord(c) for c in text.get_text() if not c.isspace()}
    paths = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())
    covering, covered = [], set()
    for path in paths:
        cmap = FT2Font(str(path)).get_charmap()
        covered |= chars & set(cmap)
        if chars & set(cmap):
            covering.append(str(path))
    return covering if covered == chars else []


def _assert_zh_figures_resolve_to_a_cjk_font(expected_path: str | None = None):
    import io

    import matplotlib as mpl

    with mpl.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        plot.setup(lang="zh")
        figures = _zh_figures()
        n_chinese = 0
        for fig in figures:
            fig.savefig(io.BytesIO(), format="png")  # text is laid out when drawn
            for text in _texts(fig):
                fonts = _covering_fonts(text)
                assert fonts, f"no font draws every glyph of {text.get_text()!r}"
                if any(ord(c) > 0x2E80 for c in text.get_text()):
                    n_chinese += 1
                    if expected_path is not None:
                        assert expected_path in fonts, (text.get_text(), fonts)
    assert n_chinese >= 6  # titles, axis labels, legends, month ticks are Chinese


def test_zh_figures_with_a_system_cjk_font():
    if plot.system_cjk_font() is None:
        pytest.skip("no system CJK font (apt-get install fonts-noto-cjk runs this test)")
    _assert_zh_figures_resolve_to_a_cjk_font()


def test_zh_figures_without_a_system_cjk_font_use_the_bundled_font(monkeypatch):
    """A machine without any CJK font still draws Chinese: the pinned Noto Sans SC."""
    monkeypatch.setattr(plot, "_installed_font_names", lambda: frozenset({"DejaVu Sans"}))
    assert plot.system_cjk_font() is None
    assert plot.cjk_font() == "Noto Sans SC"
    bundled = str(plot._bundled_font_path())
    _assert_zh_figures_resolve_to_a_cjk_font(expected_path=bundled)


def test_the_bundled_font_is_a_pinned_dependency():
    import tomllib

    from segkit.config import PROJECT_ROOT

    deps = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith(plot.BUNDLED_FONT_PACKAGE.replace("_", "-")) for d in deps)
    assert plot._bundled_font_path().name == "NotoSansSC-Regular.otf"
