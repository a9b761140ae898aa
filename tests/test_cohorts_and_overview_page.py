"""The computations of the overview report, and its figures (segkit.plot)."""

from __future__ import annotations

import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from segkit import features, plot
from segkit.data import acquisition_dates, cut, filter_region
from segkit.data import observation_end as resolve_observation_end
from segkit.exceptions import ParameterError
from segkit.features import cohort_retention, cohort_sizes, customer_base, revenue
from segkit.quality import data_quality, example_rows, format_data_quality
from segkit.report.overview import OverviewPage as OverviewReport
from segkit.schema import CustomerData

MONTHS = pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-03-01"])


@pytest.fixture
def data() -> CustomerData:
    """Four customers, six lines (one return); d is acquired but never buys."""
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "acquisition_date": pd.to_datetime(
                ["2024-01-01", "2024-01-15", "2024-02-20", "2024-03-05"]
            ),
            "region": ["north", "south", "north", "south"],
            "name": ["Li Lei", "Han Meimei", "Wang Fang", "Zhao Min"],
        }
    )
    tx = pd.DataFrame(
        {
            "transaction_id": [f"t{i}" for i in range(1, 7)],
            "customer_id": ["a", "a", "b", "c", "c", "a"],
            "timestamp": pd.to_datetime(
                ["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-01", "2024-03-04", "2024-03-15"]
            ),
            "amount": [25.0, 40.0, 12.0, 100.0, -100.0, 10.0],
            "is_return": [False, False, False, False, True, False],
        }
    )
    return CustomerData(
        transactions=tx,
        customers=customers,
        observation_end=pd.Timestamp("2024-03-31"),
        source="hand-made",
    )


def _copies(data: CustomerData) -> dict[str, pd.DataFrame]:
    return {k: v.copy() for k, v in data.tables().items()}


def _unchanged(data: CustomerData, before: dict[str, pd.DataFrame]) -> None:
    for k, v in data.tables().items():
        pd.testing.assert_frame_equal(v, before[k])


# ---------------------------------------------------------------- customer base


def test_customer_base_monthly(data):
    before = _copies(data)
    base = customer_base(data, "M")
    _unchanged(data, before)
    assert base.index.equals(MONTHS.rename("period"))
    assert base["new_customers"].tolist() == [2, 1, 1]
    assert base["customer_base"].tolist() == [2, 3, 4]
    # the return of c in March does not make c active; its purchase does
    assert base["active_customers"].tolist() == [2, 1, 2]
    np.testing.assert_allclose(base["active_share"], [1.0, 1 / 3, 0.5])


def test_customer_base_daily_and_weekly(data):
    daily = customer_base(data, "D")
    assert daily.index[0] == pd.Timestamp("2024-01-01")
    assert daily.index[-1] == pd.Timestamp("2024-03-31")
    assert len(daily) == 91 and daily["new_customers"].sum() == 4
    weekly = customer_base(data, "W")
    assert (weekly.index.dayofweek == 0).all()  # weeks start on Monday
    assert weekly["customer_base"].iloc[-1] == 4
    assert weekly["active_customers"].sum() == 5  # (customer, week) pairs with a purchase


def test_customer_base_without_customers_table_uses_first_transaction(data):
    tx_only = CustomerData(transactions=data.transactions)
    acq = acquisition_dates(tx_only)
    assert acq.to_dict() == {
        "a": pd.Timestamp("2024-01-05"),
        "b": pd.Timestamp("2024-01-20"),
        "c": pd.Timestamp("2024-03-01"),
    }
    base = customer_base(tx_only, "M")
    assert base["new_customers"].tolist() == [2, 0, 1]
    # observation end defaults to the last transaction
    assert base.index[-1] == pd.Timestamp("2024-03-01")


def test_customer_base_is_invariant_to_row_order(data):
    shuffled = CustomerData(
        transactions=data.transactions.sample(frac=1, random_state=1),
        customers=data.customers.sample(frac=1, random_state=2),
        observation_end=data.observation_end,
    )
    pd.testing.assert_frame_equal(customer_base(shuffled, "W"), customer_base(data, "W"))
    pd.testing.assert_frame_equal(revenue(shuffled, "W"), revenue(data, "W"))
    pd.testing.assert_frame_equal(cohort_retention(shuffled), cohort_retention(data))


def test_unknown_grain_is_refused(data):
    with pytest.raises(ParameterError, match=r"unknown time unit 'h'; use one of D \(day\), "
                       r"W \(week\), M \(month\), Q \(quarter\), Y \(year\)"):
        customer_base(data, "h")


def test_quarters_and_years_add_up_the_months(data):
    monthly = revenue(data, "M")
    for grain in ("Q", "Y"):
        coarse = revenue(data, grain)
        by = monthly.index.to_period(grain).start_time
        expected = monthly.groupby(by)["net_revenue"].sum()
        np.testing.assert_allclose(coarse["net_revenue"].to_numpy(), expected.to_numpy())
        base = customer_base(data, grain)
        assert base["new_customers"].sum() == customer_base(data, "M")["new_customers"].sum()


# ---------------------------------------------------------------- revenue


def test_revenue_monthly(data):
    before = _copies(data)
    rev = revenue(data, "M")
    _unchanged(data, before)
    assert rev.index.equals(MONTHS.rename("period"))
    assert rev["gross_revenue"].tolist() == [37.0, 40.0, 110.0]
    assert rev["returns"].tolist() == [0.0, 0.0, 100.0]
    assert rev["net_revenue"].tolist() == [37.0, 40.0, 10.0]
    assert rev["net_revenue"].sum() == pytest.approx(data.transactions["amount"].sum())


def test_revenue_respects_the_observation_end(data):
    rev = revenue(data, "M", observation_end="2024-02-29")
    assert rev["gross_revenue"].tolist() == [37.0, 40.0]


def test_revenue_without_is_return_uses_negative_amounts(data):
    tx = data.transactions.drop(columns="is_return")
    rev = revenue(CustomerData(transactions=tx), "M")
    assert rev["returns"].tolist() == [0.0, 0.0, 100.0]


# ---------------------------------------------------------------- cohorts


def test_cohort_retention_monthly(data):
    before = _copies(data)
    m = cohort_retention(data, "M")
    _unchanged(data, before)
    assert m.index.equals(MONTHS.rename("cohort"))
    assert m.columns.tolist() == [0, 1, 2]
    expected = np.array([[1.0, 0.5, 0.5], [0.0, 1.0, np.nan], [0.0, np.nan, np.nan]])
    np.testing.assert_allclose(m.to_numpy(), expected)


def test_cohort_retention_max_periods_and_bounds(data):
    m = cohort_retention(data, "W", max_periods=3)
    assert m.columns.tolist() == [0, 1, 2]
    values = m.to_numpy()
    assert np.nanmin(values) >= 0 and np.nanmax(values) <= 1
    with pytest.raises(ParameterError, match="max_periods"):
        cohort_retention(data, max_periods=0)


def test_cohort_sizes(data):
    sizes = cohort_sizes(data, "M")
    assert sizes.tolist() == [2, 1, 1]
    assert sizes.index.equals(MONTHS.rename("cohort"))


# ---------------------------------------------------------------- data quality


def test_data_quality(data):
    before = _copies(data)
    dq = data_quality(data)
    _unchanged(data, before)
    assert dq.index.tolist() == ["customers", "transactions"]
    tx = dq.loc["transactions"]
    assert (tx["rows"], tx["columns"], tx["customers"]) == (6, 5, 3)
    assert tx["missing_values"] == 0 and tx["duplicate_rows"] == 0 and tx["duplicate_keys"] == 0
    assert tx["returns_share"] == pytest.approx(1 / 6)
    assert tx["first_date"] == pd.Timestamp("2024-01-05")
    assert tx["last_date"] == pd.Timestamp("2024-03-15")
    assert tx["rows_after_end"] == 0
    cu = dq.loc["customers"]
    assert (cu["rows"], cu["columns"], cu["customers"]) == (4, 4, 4)
    assert np.isnan(cu["returns_share"])


def test_data_quality_counts_missing_duplicates_and_late_rows(data):
    tx = pd.concat([data.transactions, data.transactions.iloc[[0]]], ignore_index=True)
    tx.loc[1, "amount"] = np.nan
    dq = data_quality(
        CustomerData(transactions=tx, customers=data.customers), observation_end="2024-02-29"
    )
    row = dq.loc["transactions"]
    assert row["duplicate_rows"] == 1 and row["duplicate_keys"] == 1
    assert row["missing_values"] == 1
    assert row["missing_share"] == pytest.approx(1 / (7 * 5))
    assert row["rows_after_end"] == 3
    assert dq.loc["customers", "rows_after_end"] == 1


def test_format_data_quality_in_both_languages(data):
    dq = data_quality(data)
    en = format_data_quality(dq, "en")
    assert en.index.tolist() == ["customers", "transactions"]
    assert en.loc["transactions", "returns share"] == "16.7%"
    assert en.loc["customers", "returns share"] == ""
    assert en.loc["transactions", "first date"] == "2024-01-05"
    zh = format_data_quality(dq, "zh")
    assert zh.index.tolist() == ["客户", "交易"] and "退货占比" in zh.columns


# ---------------------------------------------------------------- filters and cut


def test_resolve_observation_end(data):
    assert resolve_observation_end(data) == pd.Timestamp("2024-03-31")
    assert resolve_observation_end(data, "") == pd.Timestamp("2024-03-31")
    assert resolve_observation_end(data, "2024-02-01") == pd.Timestamp("2024-02-01")
    with pytest.raises(ParameterError, match="not a date"):
        resolve_observation_end(data, "soon")


def test_cut_keeps_rows_up_to_the_end(data):
    before = _copies(data)
    early = cut(data, "2024-02-29")
    _unchanged(data, before)
    assert early.observation_end == pd.Timestamp("2024-02-29")
    assert early.transactions["transaction_id"].tolist() == ["t1", "t2", "t3"]
    assert early.customers["customer_id"].tolist() == ["a", "b", "c"]


def test_filter_region(data):
    north = filter_region(data, "north")
    assert north.customers["customer_id"].tolist() == ["a", "c"]
    assert set(north.transactions["customer_id"]) == {"a", "c"}
    assert filter_region(data, "") is data
    with pytest.raises(ParameterError, match="region 'west' not found.*north, south"):
        filter_region(data, "west")
    with pytest.raises(ParameterError, match="no customers table with a region column"):
        filter_region(CustomerData(transactions=data.transactions), "north")


def test_example_rows_are_in_time_order(data):
    rows = example_rows(data.transactions, 3, table="transactions")
    assert rows["transaction_id"].tolist() == ["t1", "t3", "t2"]


# ---------------------------------------------------------------- the report object


def test_overview_report_protects_before_anything_else(data):
    page = OverviewReport(data, lang="zh", region="north", salt="s")
    assert "name" not in page.data.customers.columns
    assert page.data.customers["customer_id"].str.match(r"^c-[0-9a-f]{8}$").all()
    assert not page.data.transactions["customer_id"].isin(["a", "b", "c", "d"]).any()
    assert page.quality.loc["customers", "rows"] == 2
    assert page.parameters["salt"] == "***"  # a custom salt is a secret
    assert page.observation_end == pd.Timestamp("2024-03-31")


def test_overview_report_sections(data, monkeypatch):
    """Each section shows a glossary heading, then its figure or table."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="fall back to English"):
        plot.figure_lang("zh")
    page = OverviewReport(data, lang="zh", time_grain="M")
    assert page.figure_lang == "en" and page.font_note
    for section in (page.header, page.customer_base, page.revenue, page.cohorts, page.data_quality):
        section()
    texts = [getattr(o, "data", "") or "" for o in shown]
    assert texts[0] == "# 客户概览"
    for heading in ("## 客户基数与活跃客户", "## 销售收入", "## 获客批次留存", "## 数据质量"):
        assert heading in texts
    assert sum(isinstance(o, Figure) for o in shown) == 3
    html = "\n".join(t for t in texts if t.startswith("<"))
    assert "未安装中文字体" in html and "segkit 版本" in html


def test_overview_report_refuses_bad_values(data):
    with pytest.raises(ParameterError, match="unknown language"):
        OverviewReport(data, lang="fr")
    with pytest.raises(ParameterError, match="unknown time unit"):
        OverviewReport(data, time_grain="h")


# ---------------------------------------------------------------- figures


def test_setup_sets_the_style():
    options = ("display.precision", 6, "display.max_columns", 0, "display.width", 80)
    with mpl.rc_context(), pd.option_context(*options), warnings.catch_warnings():
        plot.setup()
        assert tuple(mpl.rcParams["figure.figsize"]) == plot.FIGSIZE
        assert mpl.rcParams["figure.dpi"] == plot.DPI
        assert pd.get_option("display.precision") == 3
    with pytest.raises(ParameterError):
        plot.setup(lang="fr")


@pytest.mark.parametrize("grain", ["D", "W", "M"])
def test_figures(data, grain):
    figs = [
        plot.customer_base(customer_base(data, grain), "en", time_grain=grain),
        plot.revenue(revenue(data, grain), "en", time_grain=grain),
        plot.cohort_retention(
            cohort_retention(data, grain, max_periods=12), "en", time_grain=grain
        ),
    ]
    for fig in figs:
        assert isinstance(fig, Figure)
        w, h = fig.get_size_inches()
        assert w <= 7 and h <= 6 and fig.dpi <= 100
    assert figs[0].axes[0].get_ylabel() == "number of customers"
    assert figs[1].axes[0].get_ylabel() == "revenue (CNY)"
    for fig in figs:
        assert fig.get_suptitle(), "every figure has a title"
    word = {"D": "day", "W": "week", "M": "month"}[grain]
    assert figs[2].axes[0].get_xlabel() == f"{word}s since acquisition"


def test_figures_of_empty_frames(data):
    empty = customer_base(data, "M").iloc[:0]
    fig = plot.customer_base(empty)
    assert "No data" in fig.axes[0].texts[0].get_text()


def test_chinese_labels_when_a_cjk_font_exists(data, monkeypatch):
    monkeypatch.setattr(plot, "cjk_font", lambda: "Noto Sans CJK SC")
    with mpl.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning
        assert plot.figure_lang("zh") == "zh"
        fig = plot.revenue(revenue(data, "M"), "zh")
        assert "Noto Sans CJK SC" in mpl.rcParams["font.sans-serif"]
    assert fig.axes[0].get_ylabel() == "收入（CNY）"


def test_english_fallback_without_a_cjk_font(data, monkeypatch):
    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no font with Chinese glyphs.*fall back to English"):
        fig = plot.revenue(revenue(data, "M"), "zh")
    assert fig.axes[0].get_ylabel() == "revenue (CNY)"
    assert plot.figure_lang("en") == "en"


def test_cjk_font_detection_prefers_known_fonts(monkeypatch):
    monkeypatch.setattr(
        plot,
        "_installed_font_names",
        lambda: frozenset({"DejaVu Sans", "Foo CJK KR", "WenQuanYi Zen Hei"}),
    )
    assert plot.cjk_font() == "WenQuanYi Zen Hei"
    monkeypatch.setattr(
        plot, "_installed_font_names", lambda: frozenset({"DejaVu Sans", "Foo CJK KR"})
    )
    assert plot.cjk_font() == "Foo CJK KR"
    monkeypatch.setattr(plot, "_installed_font_names", lambda: frozenset({"DejaVu Sans"}))
    assert plot.system_cjk_font() is None
    assert plot.cjk_font() == "Noto Sans SC"  # the bundled font, when the system has none


def test_periods_cut_by_the_observation_end_are_marked():
    from segkit.datasets import load_demo

    data = load_demo()  # observation end 2024-12-31, a Tuesday
    weekly = features.customer_base(data, "W")
    assert weekly["complete"].iloc[:-1].all() and not weekly["complete"].iloc[-1]
    monthly = features.revenue(data, "M")
    assert monthly["complete"].all()  # December ends on the observation end
    cut = features.revenue(data, "M", observation_end="2024-12-15")
    assert cut["complete"].tolist()[-2:] == [True, False]


# ---------------------------------------------------------------- headline, heat map, legends


def test_headline_numbers_come_from_features():
    from segkit.datasets import load_demo

    demo = load_demo()
    h = features.cohorts.headline(demo, "M")
    base = customer_base(demo, "M").loc[h["period"]]
    rev = revenue(demo, "M")
    assert h["period"] == pd.Timestamp("2024-12-01") and h["complete"]
    assert h["customers"] == base["customer_base"] and h["active_customers"] == base[
        "active_customers"]
    assert h["revenue"] == pytest.approx(rev["net_revenue"].iloc[-1])
    assert h["revenue_change"] == pytest.approx(
        rev["net_revenue"].iloc[-1] / rev["net_revenue"].iloc[-2] - 1)
    assert h["partial_period"] is None
    cut_h = features.cohorts.headline(demo, "M", observation_end="2024-12-15")
    assert cut_h["period"] == pd.Timestamp("2024-11-01")  # the last whole month
    assert cut_h["partial_period"] == pd.Timestamp("2024-12-01")


def _shown(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return shown


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_opens_with_headline_numbers_in_words(lang, monkeypatch):
    from segkit.datasets import load_demo

    shown = _shown(monkeypatch)
    page = OverviewReport(load_demo(), lang=lang, currency="EUR")
    page.headline()
    text = "\n".join(str(getattr(o, "data", "")) for o in shown)
    assert "2,000" in text and "EUR" in text and "24.9%" in text
    words = {"en": ["customers acquired", "active customers", "up 24.9% against 2024-11",
                    "is the last whole month"],
             "zh": ["累计获取客户", "活跃客户", "较2024年11月", "增长 24.9%", "最后一个完整的月"]}
    for w in words[lang]:
        assert w in text, w
    assert page.parameters["currency"] == "EUR"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cohort_heat_map_sizes_partial_period_scale_and_cut_note(lang, monkeypatch):
    from segkit.datasets import load_demo

    shown = _shown(monkeypatch)
    page = OverviewReport(load_demo(), lang=lang, time_grain="W",
                          observation_end="2024-12-18")
    page.cohorts()
    fig = next(o for o in shown if isinstance(o, Figure))
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 24 and all("n=" in lab for lab in labels)
    assert any(p.get_hatch() == "///" for p in ax.patches)  # the week cut by the end
    vmax = ax.collections[0].norm.vmax
    assert 10 <= vmax < 100  # 5-50% readable, not dominated by the 100% of week 0
    text = "\n".join(str(getattr(o, "data", "")) for o in shown)
    cut = {"en": "Cut to fit", "zh": "已截取"}[lang]
    hatched = {"en": "Hatched cells", "zh": "带斜线"}[lang]
    assert cut in text and hatched in text and "103" in text


def test_cohort_heat_map_month_labels_are_translated():
    from segkit.datasets import load_demo

    demo = load_demo()
    matrix = cohort_retention(demo, "M", max_periods=6).tail(3)
    with mpl.rc_context():
        fig = plot.cohort_retention(matrix, "zh", time_grain="M", sizes=cohort_sizes(demo, "M"))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1].startswith("2024年12月") and "n=" in labels[-1]
    assert plot.period_label(pd.Timestamp("2024-01-01"), "Q", "zh") == "2024年第1季度"


def test_legends_keep_one_order():
    from segkit.datasets import load_demo

    demo = load_demo()

    def legend(fig):
        return [t.get_text() for t in fig.legends[0].get_texts()]

    full = plot.revenue(revenue(demo, "M"), "en")
    cut = plot.revenue(revenue(demo, "M", observation_end="2024-12-15"), "en")
    assert legend(full) == ["gross revenue", "contract revenue", "returns", "net revenue"]
    assert legend(cut)[:4] == legend(full) and legend(cut)[-1].startswith("period cut")
    base = plot.customer_base(customer_base(demo, "M"), "en")
    assert legend(base) == ["customer base", "active customers", "new customers"]


def test_data_source_shows_the_folder_name_never_the_path():
    from segkit.report.page import _source_name

    assert _source_name("/home/analyst/secret project/shop") == "shop"
    assert _source_name("/home/analyst/shop/") == "shop"
    assert _source_name("demo") == "demo"
    assert _source_name("") == "CustomerData"


def test_zh_table_headers_are_chinese(monkeypatch):
    from segkit.datasets import load_demo

    shown = _shown(monkeypatch)
    OverviewReport(load_demo(), lang="zh").data_quality()
    html = "\n".join(str(getattr(o, "data", "")) for o in shown if str(
        getattr(o, "data", "")).startswith("<"))
    for header in ("数据表", "行数", "客户编号", "金额"):
        assert f"<th>{header}</th>" in html, header
    assert "transaction" not in html and "交易编号" not in html  # no raw transaction ids
