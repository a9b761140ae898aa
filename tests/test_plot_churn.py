"""The churn figures (segkit.plot.churn): every figure on its own Figure, titled, labelled with
units, in English and Chinese (every glyph drawn), and the empty cases said in words."""

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
from segkit.churn import kaplan_meier
from segkit.churn.evaluate import calibration_table
from segkit.exceptions import ParameterError
from segkit.features.windows import INDICATORS

rng = np.random.default_rng(7)


def _km():
    n = 300
    group = rng.choice(["key customers", "small customers"], n)
    t = rng.exponential(np.where(group == "key customers", 400.0, 150.0))
    df = pd.DataFrame({"duration": np.minimum(t, 180.0), "event": (t < 180).astype(int),
                       "tier": group})
    return kaplan_meier(df, "tier")


def _tradeoff():
    out = pd.DataFrame({"threshold_days": [30.0, 60, 90, 120, 180],
                        "n_declared": [400, 300, 200, 150, 100],
                        "false_churn_rate": [0.5, 0.3, 0.2, 0.15, 0.05],
                        "missed_rate": [0.1, 0.25, 0.4, 0.5, 0.65],
                        "detection_delay_days": [30.0, 60, 90, 120, 180]})
    out.attrs["as_of"] = pd.Timestamp("2024-03-06")
    return out


def _rates():
    starts = pd.date_range("2023-02-01", periods=23, freq="MS")
    at_risk = np.arange(500, 500 + 40 * 23, 40)
    churned = (at_risk * 0.03).astype(int)
    return pd.DataFrame({"period_start": starts, "at_risk": at_risk, "churned": churned,
                         "churn_rate": churned / at_risk, "complete": [True] * 22 + [False]})


def _hazard_ratios():
    names = ["purchase frequency falls (per halving)", "complaint rate rises (per doubling)",
             "channel: store (against online)"]
    return pd.DataFrame({"hazard_ratio": [1.6, 0.9, 0.7], "lower": [1.2, 0.6, 0.5],
                         "upper": [2.1, 1.3, 0.95]}, index=names)


def _calibration():
    p = rng.uniform(0, 0.6, 500)
    t = np.where(rng.uniform(size=500) < p, rng.uniform(1, 90, 500), 90.0)
    return calibration_table(p, t, (t < 90).astype(int), tau=90)


def _metrics():
    return pd.DataFrame({"harrell_c": [0.71, 0.69, np.nan], "uno_c": [0.70, 0.68, 0.6],
                         "auc_mean": [0.74, 0.72, 0.61], "ibs": [0.09, 0.1, np.nan]},
                        index=["Cox model", "random survival forest", "BG/NBD P(alive)"])


def _warning_list():
    n = 40
    drivers = np.array(INDICATORS, dtype=object)
    return pd.DataFrame({
        "customer_id": [f"c-{i:04d}" for i in range(n)],
        "level": ["red"] * 10 + ["amber"] * 30,
        "risk": np.linspace(0.4, 0.15, n),
        "driver_1": drivers[rng.integers(0, 6, n)],
        "driver_2": drivers[rng.integers(0, 6, n)],
        "driver_3": [None] * 5 + list(drivers[rng.integers(0, 6, n - 5)]),
    })


def _sbg():
    km = _km()
    curves = km.curves.assign(time=km.curves["time"] / 30.4375)
    t = np.arange(0, 7)
    sbg = pd.concat([pd.DataFrame({"group": g, "time": t, "survival": 0.95 ** (t * k)})
                     for g, k in (("key customers", 1), ("small customers", 3))])
    return curves, sbg


def _figures(lang: str) -> dict[str, Figure]:
    km = _km()
    risk = np.r_[rng.uniform(0.02, 0.12, 900), rng.uniform(0.12, 0.3, 100)]
    curves, sbg = _sbg()
    return {
        "tradeoff": plot.threshold_tradeoff(_tradeoff(), lang, chosen=90),
        "rate": plot.churn_rate(_rates(), lang, time_grain="M"),
        "km": plot.survival_curves(km.curves, lang, logrank=km.logrank,
                                   order=["key customers", "small customers"],
                                   start="2024-07-04"),
        "hr": plot.hazard_ratios(_hazard_ratios(), lang),
        "calibration": plot.calibration(_calibration(), lang, horizon=90,
                                        model_label="Cox"),
        "metrics": plot.model_metrics(_metrics(), lang, chosen="Cox model"),
        "risk": plot.risk_distribution(risk, lang, horizon_days=90, amber_threshold=0.12,
                                       red_threshold=0.25, capacity=20),
        "drivers": plot.warning_drivers(_warning_list(), lang),
        "sbg": plot.sbg_vs_kaplan_meier(curves, sbg, lang, unit="M"),
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
            assert fig.get_suptitle().strip(), f"{name} has no title"
            for ax in fig.axes:
                if ax.get_visible() and ax.axison and not ax.get_label() == "<colorbar>":
                    assert ax.get_xlabel() or ax.get_yticklabels(), name
            text = " ".join(_texts(fig))
            assert "{" not in text, name
            if lang == "zh":
                assert any(ord(c) > 0x2E80 for c in fig.get_suptitle()), name
    g = glossary.Glossary(lang)
    fig = figures["km"]
    assert fig.axes[0].get_xlabel() == g("axis_ch_time_since_date", unit=g["grain_n_D"],
                                         date="2024-07-04")
    assert "p < 0.001" in fig.axes[0].get_title() or "p =" in fig.axes[0].get_title()
    assert figures["risk"].axes[0].get_xlabel() == g("axis_ch_risk", h="90")


def test_units_on_the_axes():
    figs = _figures("en")
    assert figs["tradeoff"].axes[0].get_xlabel() == \
        "threshold (days without purchase or interaction)"
    assert figs["rate"].axes[0].get_ylabel() == "churn rate (% of customers at risk)"
    assert figs["hr"].axes[0].get_xscale() == "log"
    assert "log scale" in figs["hr"].axes[0].get_xlabel()
    assert figs["calibration"].axes[0].get_xlabel() == "predicted churn within 90 days (%)"
    assert figs["sbg"].axes[0].get_xlabel() == "months since the subscription started"
    assert figs["drivers"].axes[0].get_xlabel() == "number of red customers"


def test_the_chosen_threshold_and_the_thresholds_are_marked():
    ax = _figures("en")["tradeoff"].axes[0]
    assert [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"] == [90]
    legend = _texts(_figures("en")["risk"])
    assert "amber from 12.0%" in legend and "lowest red risk 25.0%" in legend
    assert "capacity: 20 calls" in legend
    assert "red (100)" in legend or any(t.startswith("red (") for t in legend)


def test_the_drivers_count_each_indicator_by_its_name():
    wl = _warning_list()
    fig = plot.warning_drivers(wl, "en")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    red = wl[wl["level"] == "red"]
    used = pd.unique(red[["driver_1", "driver_2", "driver_3"]].to_numpy().ravel())
    expected = {glossary.t(f"ind_{d}", "en") for d in used if d is not None}
    assert set(ticks) == expected
    bars = sum(p.get_width() for p in fig.axes[0].patches)
    assert bars == red[["driver_1", "driver_2", "driver_3"]].notna().to_numpy().sum()
    assert fig.get_suptitle() == "Top drivers of the red customers (10)"


def test_hazard_ratios_colour_by_interval():
    fig = plot.hazard_ratios(_hazard_ratios(), "en")
    ax = fig.axes[0]
    colours = ax.collections[0].get_colors()
    assert len(colours) == 3
    up, none, down = (tuple(np.round(c, 3)) for c in colours)
    assert up != none != down
    assert [t.get_text() for t in ax.get_yticklabels()] == list(_hazard_ratios().index)
    assert "1" in [t.get_text() for t in ax.get_xticklabels()]


def test_metrics_without_a_survival_curve_say_so():
    fig = plot.model_metrics(_metrics(), "en")
    assert any(t.strip() == "no survival curve" for t in _texts(fig))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_inputs_say_no_data(lang):
    empty = pd.DataFrame(columns=["group", "time", "survival", "lower", "upper"])
    figs = [
        plot.threshold_tradeoff(pd.DataFrame(columns=_tradeoff().columns), lang),
        plot.survival_curves(empty, lang),
        plot.hazard_ratios(pd.DataFrame(columns=["hazard_ratio", "lower", "upper"]), lang),
        plot.calibration(pd.DataFrame(columns=["n", "predicted", "observed"]), lang,
                         horizon=30),
        plot.model_metrics(pd.DataFrame(columns=["harrell_c", "uno_c", "auc_mean", "ibs"]),
                           lang),
        plot.risk_distribution([], lang, horizon_days=30, amber_threshold=0.1),
        plot.warning_drivers(_warning_list().iloc[:0], lang),
        plot.sbg_vs_kaplan_meier(empty, pd.DataFrame(columns=["group", "time", "survival"]),
                                 lang),
    ]
    word = glossary.t("no_data", lang if plot.cjk_font() else "en")
    for fig in figs:
        assert word in _texts(fig)


def test_a_bad_time_unit_is_refused():
    with pytest.raises(ParameterError, match="unit must be one of D, W, M"):
        plot.survival_curves(_km().curves, "en", unit="Y")


def test_the_figures_are_exported_and_leave_pyplot_alone():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    _figures("en")
    assert plt.get_fignums() == before
    for name in plot.churn.__all__:
        assert getattr(plot, name) is getattr(plot.churn, name)
