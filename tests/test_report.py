"""Report templates: parameters, validation before execution, rendering, batches, privacy.

Rendering runs a Jupyter kernel and takes a few seconds, so the rendered reports are
module-scoped fixtures shared by the tests that read them: one English report, a batch
of three (two regions and one Chinese report) and one failing render.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import privacy, report
from segkit.exceptions import ParameterError, RenderError
from segkit.privacy import pseudonym
from segkit.report import (
    Parameter,
    Template,
    get_template,
    load_source,
    output_name,
    parse_parameters,
    read_batch_file,
    read_parameter_file,
    render,
    render_batch,
    rendering,
    validate_parameters,
)

# ============================================================================ test data


def write_company(folder: Path, n_customers: int = 40, seed: int = 0) -> dict[str, list[str]]:
    """A small company as <table>.csv files, with personal columns and raw ids.

    Returns the raw values that must never reach a report.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ids = [f"RAWID{i:04d}" for i in range(n_customers)]
    acq = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 180, n_customers), "D")
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "acquisition_date": acq.strftime("%Y-%m-%d"),
            "region": np.where(np.arange(n_customers) % 2 == 0, "north", "south"),
            "channel": rng.choice(["online", "store"], n_customers),
            "name": [f"Secretname{i:03d}" for i in range(n_customers)],
            "phone": [f"+86 139 5555 {i:04d}" for i in range(n_customers)],
            "email": [f"user{i:03d}@secret-mail.cn" for i in range(n_customers)],
        }
    )
    rows = []
    for cid, a in zip(ids, acq, strict=True):
        for d in np.sort(rng.integers(0, 150, rng.integers(1, 6))):
            t = a + pd.Timedelta(days=int(d))
            amount = float(np.round(rng.gamma(2.0, 30.0), 2))
            rows.append((cid, t, amount, False))
            if rng.random() < 0.15:
                rows.append((cid, t + pd.Timedelta(days=3), -amount, True))
    tx = pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount", "is_return"])
    tx = tx.sort_values("timestamp", kind="stable").reset_index(drop=True)
    tx.insert(0, "transaction_id", [f"T{i:05d}" for i in range(len(tx))])
    tx["timestamp"] = tx["timestamp"].dt.strftime("%Y-%m-%d")
    customers.to_csv(folder / "customers.csv", index=False)
    tx.to_csv(folder / "transactions.csv", index=False)
    return {
        "ids": ids,
        "personal": [*customers["name"], *customers["phone"], *customers["email"]],
    }


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    folder = tmp_path_factory.mktemp("company")
    return folder, write_company(folder)


@pytest.fixture(scope="module")
def rendered(company, tmp_path_factory) -> dict:
    """One English report, written to the default place (SEGKIT_REPORTS_DIR)."""
    folder, _ = company
    reports = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEGKIT_REPORTS_DIR", str(reports))
        start = time.perf_counter()
        path = render("overview", {"data": str(folder)})
        seconds = time.perf_counter() - start
    return {
        "path": path,
        "html": path.read_text(encoding="utf-8"),
        "seconds": seconds,
        "reports": reports,
    }


@pytest.fixture(scope="module")
def batch(company, tmp_path_factory):
    folder, _ = company
    out = tmp_path_factory.mktemp("batch")
    runs = [{"region": "north"}, {"region": "south"}, {"lang": "zh", "time_grain": "W"}]
    result = render_batch(
        "overview", runs, parameters={"data": str(folder)}, output_dir=out, progress=False
    )
    return out, result


# ============================================================================ parameters


def test_template_parameters_are_read_from_the_parameters_cell():
    tpl = get_template("overview")
    assert tpl.name == "overview" and tpl.path.suffix == ".ipynb"
    assert list(tpl.parameters) == [
        "data",
        "observation_end",
        "time_grain",
        "lang",
        "region",
        "title",
        "salt",
        "cohort_periods",
        "max_cohorts",
        "currency",
    ]
    p = tpl.parameters
    assert (p["data"].type, p["data"].default, p["data"].format) == (str, "demo", "source")
    assert p["observation_end"].format == "date" and p["observation_end"].default == ""
    assert p["time_grain"].choices == ("D", "W", "M", "Q", "Y")
    assert p["lang"].choices == ("en", "zh")
    assert (p["cohort_periods"].type, p["cohort_periods"].default) == (int, 12)
    assert p["cohort_periods"].bounds == (1, 60)
    assert all(param.help for param in p.values()), "every parameter has a help comment"
    assert "one of" not in p["lang"].help  # constraints are not part of the help text
    assert tpl.description


def test_every_template_has_a_kernel_and_a_valid_parameters_cell():
    for tpl in report.list_templates():
        nb = json.loads(tpl.path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == report.KERNEL_NAME
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0]["metadata"]["tags"]
        assert all(not c.get("outputs") for c in code), "templates are committed unexecuted"


def test_template_cells_only_call_segkit():
    nb = json.loads(get_template("overview").path.read_text(encoding="utf-8"))
    for cell in nb["cells"][2:]:
        src = "".join(cell["source"])
        assert "def " not in src and "for " not in src and "pd." not in src, src


def test_parse_parameters_types_help_and_rules():
    src = (
        "# a comment line\n"
        "n: int = 3  # how many; range: 1..\n"
        "x: float = 1  # a share; range: 0..1\n"
        "flag: bool = False  # switch it on\n"
        "mode: str = 'a'  # mode; one of: a, b\n"
    )
    p = parse_parameters(src)
    assert p["n"] == Parameter("n", int, 3, "how many", bounds=(1, None))
    assert p["x"].default == 1.0 and isinstance(p["x"].default, float)
    assert p["x"].bounds == (0.0, 1.0)
    assert p["flag"].help == "switch it on"
    assert p["mode"].choices == ("a", "b")


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("a: int = 1\nb: int = a + 1", r"line 2: the default of 'b' must be a literal value"),
        ("a = 1", r"only annotated assignments"),
        ("a: list = []", r"has the type 'list'; use one of str, int, float, bool"),
        ("a: int = 'x'", r"the default of 'a' is 'x', not of its type int"),
        ("a: int = 1\na: int = 2", r"declared twice"),
        ("a: int = ", r"not valid Python"),
        ("import os", r"only annotated assignments"),
        ("a: str = ''  # format: colour", r"unknown format 'colour'"),
    ],
)
def test_parse_parameters_refuses_what_is_not_a_parameter(src, message):
    with pytest.raises(ParameterError, match=message):
        parse_parameters(src, "t")


def test_validate_converts_text_to_the_annotated_type():
    out = validate_parameters(
        "overview",
        {"cohort_periods": "6", "lang": "zh", "observation_end": "1998-06-30", "data": "cdnow"},
    )
    assert out == {
        "data": "cdnow",
        "observation_end": "1998-06-30",
        "lang": "zh",
        "cohort_periods": 6,
    }


def test_validate_accepts_typed_yaml_values():
    out = validate_parameters(
        "overview", {"cohort_periods": 6, "observation_end": dt.date(1998, 6, 30), "region": 7}
    )
    assert out == {"observation_end": "1998-06-30", "region": "7", "cohort_periods": 6}


def test_validate_makes_folders_absolute(tmp_path, monkeypatch):
    (tmp_path / "mydata").mkdir()
    monkeypatch.chdir(tmp_path)
    out = validate_parameters("overview", {"data": "mydata"})
    assert out["data"] == str((tmp_path / "mydata").resolve())


def test_unknown_parameter_message_lists_the_accepted_parameters():
    with pytest.raises(ParameterError) as err:
        validate_parameters("overview", {"lnag": "zh"})
    msg = str(err.value)
    assert "template 'overview' has no parameter 'lnag' (did you mean 'lang'?)" in msg
    assert "Accepted parameters: data (str, demo/cdnow/cdnow_master or a folder)" in msg
    assert "time_grain (str, one of D/W/M/Q/Y)" in msg and "cohort_periods (int, 1..60)" in msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"cohort_periods": "many"},
            r"cohort_periods \(int, 1..60\): 'many' is not a whole number",
        ),
        ({"cohort_periods": "2.5"}, r"'2.5' is not a whole number"),
        ({"cohort_periods": True}, r"True is a bool, not a int"),
        ({"cohort_periods": 6.0}, r"6.0 is a float, not a int"),
        ({"lang": None}, r"None is a NoneType, not a str"),
    ],
)
def test_wrong_types_are_refused(values, message):
    with pytest.raises(ParameterError, match=message):
        validate_parameters("overview", values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lang": "fr"}, r"lang \(str, one of en/zh\): 'fr' is not one of en, zh"),
        ({"time_grain": "m"}, r"'m' is not one of D, W, M, Q, Y"),
        ({"cohort_periods": "0"}, r"0 is out of range 1..60"),
        ({"cohort_periods": 61}, r"61 is out of range 1..60"),
        ({"observation_end": "30/06/1998"}, r"'30/06/1998' is not a date written YYYY-MM-DD"),
        ({"data": "/no/such/folder"}, r"'/no/such/folder' is neither one of demo, cdnow"),
    ],
)
def test_out_of_range_values_are_refused(values, message):
    with pytest.raises(ParameterError, match=message):
        validate_parameters("overview", values)


def test_bool_and_float_parameters():
    tpl = Template(
        "t",
        Path("t.ipynb"),
        parse_parameters("on: bool = False  # switch\nshare: float = 0.5  # a share; range: 0..1"),
    )
    for text, value in [("yes", True), ("TRUE", True), ("0", False), ("off", False)]:
        assert validate_parameters(tpl, {"on": text}) == {"on": value}
    assert validate_parameters(tpl, {"share": "0.25", "on": True}) == {"on": True, "share": 0.25}
    assert validate_parameters(tpl, {"share": 1}) == {"share": 1.0}
    with pytest.raises(ParameterError, match="'maybe' is not true/false"):
        validate_parameters(tpl, {"on": "maybe"})
    with pytest.raises(ParameterError, match="1.5 is out of range 0.0..1.0"):
        validate_parameters(tpl, {"share": "1.5"})


def test_unknown_template_lists_the_templates():
    with pytest.raises(
        ParameterError,
        match="unknown report template 'nope'; the templates are early_warning, lost_customer_review, "
              "overview, tiering, valuation",
    ):
        get_template("nope")


def test_template_without_parameters_cell(tmp_path):
    path = tmp_path / "bare.ipynb"
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(ParameterError, match="no code cell tagged 'parameters'"):
        get_template(path)


# ============================================================================ files, names


def test_a_single_render_with_other_parameters_gets_its_own_name(tmp_path, monkeypatch):
    from segkit.report.rendering import _resolve_output

    monkeypatch.setenv("SEGKIT_REPORTS_DIR", str(tmp_path))
    tpl = get_template("overview")

    def name(given, output=None):
        return _resolve_output(tpl, output, validate_parameters(tpl, given)).name

    assert name({}) == "overview.html"
    assert name({"lang": "en", "time_grain": "M"}) == "overview.html"  # the defaults
    assert name({"lang": "zh"}) == "overview-lang=zh.html"
    assert name({"data": "cdnow", "lang": "zh"}) == "overview-data=cdnow-lang=zh.html"
    assert name({"salt": "my secret"}) == "overview.html"  # a secret never names a file
    folder = tmp_path / "my shop"
    folder.mkdir()
    (folder / "transactions.csv").write_text("customer_id,timestamp,amount\na,2024-01-01,1\n")
    assert name({"data": str(folder)}) == "overview-data=my_shop.html"
    assert name({"lang": "zh"}, tmp_path / "mine.html") == "mine.html"  # -o wins
    assert name({"lang": "zh"}, str(tmp_path) + "/") == "overview-lang=zh.html"


def test_output_name():
    assert output_name("overview") == "overview.html"
    assert output_name("overview", {"region": "north"}) == "overview-region=north.html"
    assert output_name("overview", {"data": "/tmp/a b/c"}) == "overview-data=tmp_a_b_c.html"
    assert output_name("overview", {"region": "华东"}) == "overview-region=华东.html"


def test_read_parameter_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("lang: zh\ncohort_periods: 6\nobservation_end: 1998-06-30\n")
    assert read_parameter_file(f) == {
        "lang": "zh",
        "cohort_periods": 6,
        "observation_end": dt.date(1998, 6, 30),
    }
    f.write_text("- a\n- b\n")
    with pytest.raises(ParameterError, match="must hold a mapping"):
        read_parameter_file(f)
    f.write_text("a: [\n")
    with pytest.raises(ParameterError, match="is not valid YAML"):
        read_parameter_file(f)
    with pytest.raises(ParameterError, match="cannot read"):
        read_parameter_file(tmp_path / "missing.yaml")


def test_read_batch_file_both_forms(tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text("- {region: north}\n- {region: south}\n")
    assert read_batch_file(f) == ({}, [{"region": "north"}, {"region": "south"}])
    f.write_text("parameters: {lang: zh}\nruns:\n  - {region: north}\n  -\n")
    assert read_batch_file(f) == ({"lang": "zh"}, [{"region": "north"}, {}])
    for bad, message in [
        ("runs: []", "non-empty list"),
        ("{region: north}", "keys 'runs'"),
        ("- north\n", "run 1 is not a mapping"),
        ("parameters: 3\nruns: [{}]", "'parameters' must be a mapping"),
    ]:
        f.write_text(bad)
        with pytest.raises(ParameterError, match=message):
            read_batch_file(f)


# ============================================================================ before execution


@pytest.fixture
def no_execution(monkeypatch):
    """Fail the test if papermill is asked to run anything."""
    import papermill

    def boom(*args, **kwargs):
        raise AssertionError("papermill ran although the parameters were wrong")

    monkeypatch.setattr(papermill, "execute_notebook", boom)


def test_unknown_parameter_is_refused_before_execution(no_execution, tmp_path):
    out = tmp_path / "r.html"
    with pytest.raises(ParameterError, match="no parameter 'colour'"):
        render("overview", {"colour": "red"}, out)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_wrong_type_is_refused_before_execution(no_execution, tmp_path):
    with pytest.raises(ParameterError, match="not a whole number"):
        render("overview", {"cohort_periods": "twelve"}, tmp_path / "r.html")


def test_batch_checks_every_set_before_the_first_run(tmp_path):
    calls = []
    runs = [{"region": "north"}, {"lang": "xx"}]
    with pytest.raises(
        ParameterError, match=r"batch run 2 \{'lang': 'xx'\}: .*'xx' is not one of en, zh"
    ):
        render_batch(
            "overview",
            runs,
            output_dir=tmp_path,
            progress=False,
            renderer=lambda *a, **k: calls.append(a),
        )
    assert calls == []
    with pytest.raises(ParameterError, match="batch runs 1 and 2 would both write"):
        render_batch(
            "overview",
            [{"region": "a"}, {"region": "a"}],
            output_dir=tmp_path,
            progress=False,
            renderer=lambda *a, **k: calls.append(a),
        )
    assert calls == []


def test_batch_goes_on_after_a_failure(tmp_path):
    def fake(tpl, params, out, **kw):
        if params.get("region") == "bad":
            raise RenderError("report 'overview' failed: boom\nsecond line")
        out.write_text("ok")
        return out

    result = render_batch(
        "overview",
        [{"region": "a"}, {"region": "bad"}, {"region": "c"}],
        parameters={"lang": "zh"},
        output_dir=tmp_path,
        progress=False,
        renderer=fake,
    )
    assert [r.ok for r in result.runs] == [True, False, True]
    assert result.runs[0].parameters == {"lang": "zh", "region": "a"}
    assert result.failed[0].error == "report 'overview' failed: boom"
    assert result.summary() == "2 of 3 reports written, 1 failed" and not result.ok


def test_missing_kernel_is_a_clear_error(tmp_path):
    out = tmp_path / "r.html"
    out.write_text("previous")
    with pytest.raises(
        RenderError, match="kernel 'no-such-kernel' is not installed.*ipykernel install"
    ):
        render("overview", {"data": "cdnow"}, out, kernel_name="no-such-kernel")
    assert out.read_text() == "previous"


def test_output_must_be_html(tmp_path):
    with pytest.raises(ParameterError, match="must be an .html file or a folder"):
        render("overview", {}, tmp_path / "report.pdf")


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "a.html"
    rendering._write_atomic(out, "one")
    rendering._write_atomic(out, "two")
    assert out.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["a.html"]


# ============================================================================ data sources


def test_load_source_cdnow():
    data = load_source("cdnow")
    assert data.customers is None and len(data.transactions) == 6919
    assert data.observation_end == data.transactions["timestamp"].max()


def test_load_source_folder(company):
    folder, _ = company
    data = load_source(str(folder))
    assert set(data.tables()) == {"transactions", "customers"}
    assert data.observation_end == data.transactions["timestamp"].max()


def test_load_source_unknown():
    with pytest.raises(ParameterError, match="data must be one of demo, cdnow, cdnow_master"):
        load_source("/no/such/folder")


# ============================================================================ rendered report


@pytest.mark.slow
def test_render_writes_the_default_report(rendered, company):
    folder, _ = company
    # other data than the default: the name says so (the folder's name, not its path)
    name = f"overview-data={folder.name}.html"
    assert rendered["path"] == rendered["reports"] / name
    assert sorted(p.name for p in rendered["reports"].iterdir()) == [name]
    size_kb = rendered["path"].stat().st_size / 1024
    assert size_kb < 600, f"report is {size_kb:.0f} kB"


@pytest.mark.slow
def test_html_has_no_code(rendered):
    html = rendered["html"]
    for marker in (
        "jp-InputArea",
        "input_area",
        "jp-InputPrompt",
        "In&nbsp;[",
        "In [",
        "OverviewReport(",
        "plot.setup",
        "import ",
        "cohort_periods =",
    ):
        assert marker not in html, marker


@pytest.mark.slow
def test_html_is_self_contained(rendered):
    html = rendered["html"]
    assert html.count('src="data:image/png;base64,') >= 3
    assert re.findall(r'\bsrc\s*=\s*["\'](?!data:)', html) == []
    assert re.findall(r'\bhref\s*=\s*["\'](?!#)', html) == []
    assert "<script" not in html and "<link" not in html and "@import" not in html


@pytest.mark.slow
def test_header_has_version_parameters_source_and_end(rendered, company):
    html = rendered["html"]
    folder, _ = company
    assert "<title>Customer overview</title>" in html
    assert f"segkit {report.segkit_version()}" in html  # generator meta
    head = html[html.index("segkit-header") : html.index("</table>", html.index("segkit-header"))]
    assert "segkit version" in head and report.segkit_version() in head
    assert "Parameters" in head and "time_grain=M" in head and "cohort_periods=12" in head
    # the folder's name, never the machine path of the analyst's files
    assert "Data source" in head and folder.name in head and str(folder.parent) not in html
    tx = pd.read_csv(folder / "transactions.csv")
    assert "Observation end" in head and tx["timestamp"].max() in head
    assert "Rendered" in head
    for heading in (
        "Customer base and active customers",
        "Revenue",
        "Acquisition cohorts: retention",
        "Data quality",
    ):
        assert f"<h2>{heading}</h2>" in html


@pytest.mark.slow
def test_report_holds_no_personal_data_and_no_raw_ids(rendered, company):
    """Privacy: names, phones, emails and raw customer ids never reach the HTML."""
    html = rendered["html"]
    _, secrets = company
    for value in secrets["personal"]:
        assert value not in html, value
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)  # images aside
    assert "Secretname" not in text and "secret-mail" not in text and "5555" not in text
    assert "RAWID" not in text
    # the example rows show pseudonyms keyed by the project's secret, never the
    # public package default, and the secret itself is never shown
    shown = set(re.findall(r"<td>(c-[0-9a-f]{8})</td>", html))
    assert shown, "the report shows pseudonymised ids in its example rows"
    assert shown <= {pseudonym(i, salt=privacy.project_secret()) for i in secrets["ids"]}
    assert not shown & {pseudonym(i, salt=privacy.DEFAULT_SALT) for i in secrets["ids"]}
    assert privacy.project_secret() not in html and "salt=***" in text
    # example rows show no raw transaction ids
    assert "transaction id" not in text and not re.search(r"<td>T\d+</td>", text)


@pytest.mark.slow
def test_report_holds_no_warning_and_no_machine_path(rendered, company):
    folder, _ = company
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", rendered["html"])
    for marker in ("Warning", "warnings.warn", "site-packages", "/home/", "/tmp/",
                   str(folder.parent), "application/vnd.jupyter.stderr", "Glyph"):
        assert marker not in text, marker


def test_stderr_outputs_go_to_the_render_log_not_the_report(tmp_path):
    import nbformat

    from segkit.report.rendering import _move_stderr_to_log

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("page.cohorts()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr",
                               text="/home/me/x.py:1: UserWarning: Glyph 25143 missing\n"),
        nbformat.v4.new_output("stream", name="stdout", text="kept\n"),
    ]
    nb.cells.append(cell)
    path, log = tmp_path / "x.ipynb", tmp_path / "kernel.log"
    nbformat.write(nb, str(path))
    _move_stderr_to_log(path, log)
    html = report.export_html(path)
    assert "Glyph" not in html and "/home/me" not in html and "kept" in html
    assert "UserWarning: Glyph 25143 missing" in log.read_text()


def test_setup_sends_warnings_to_the_render_log_inside_a_render(monkeypatch, capfd):
    import warnings

    import matplotlib as mpl

    from segkit import plot

    monkeypatch.setenv("SEGKIT_RENDER_LOG", "1")
    with mpl.rc_context(), warnings.catch_warnings():
        plot.setup()
        warnings.warn("something odd in /home/me/data", UserWarning, stacklevel=1)
    assert "something odd" in capfd.readouterr().err  # the kernel's own stderr: the log


@pytest.mark.slow
def test_report_opens_with_headline_numbers(rendered):
    html = rendered["html"]
    assert html.index("segkit-kpis") < html.index("<h2>Customer base and active customers</h2>")
    for words in ("customers acquired", "active customers", "net revenue (CNY)",
                  "of everyone acquired", "is the last whole month"):
        assert words in html, words


@pytest.mark.slow
def test_batch_of_three_writes_three_files(batch):
    out, result = batch
    assert result.ok, [r.error for r in result.failed]
    assert sorted(p.name for p in out.iterdir()) == [
        "overview-lang=zh-time_grain=W.html",
        "overview-region=north.html",
        "overview-region=south.html",
    ]
    north = (out / "overview-region=north.html").read_text(encoding="utf-8")
    assert "<td>north</td>" in north and "region=north" in north


@pytest.mark.slow
def test_lang_zh_renders_chinese_headings(batch):
    out, _ = batch
    html = (out / "overview-lang=zh-time_grain=W.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html and "<title>客户概览</title>" in html
    for heading in (
        "<h1>客户概览</h1>",
        "<h2>客户基数与活跃客户</h2>",
        "<h2>销售收入</h2>",
        "<h2>获客批次留存</h2>",
        "<h2>数据质量</h2>",
    ):
        assert heading in html, heading
    assert "segkit 版本" in html and "观察期末" in html and "<td>周</td>" in html


@pytest.mark.slow
def test_failed_render_keeps_the_previous_report_and_the_failed_notebook(rendered, tmp_path):
    out = tmp_path / "overview.html"
    out.write_bytes(rendered["path"].read_bytes())
    before = out.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "transactions.csv").write_text("customer_id,timestamp,amount\nc1,not a date,3\n")
    with pytest.raises(RenderError) as err:
        render("overview", {"data": str(bad)}, out)
    msg = str(err.value)
    assert "SchemaError" in msg and "unparseable dates" in msg and "left unchanged" in msg
    assert "\n" not in msg
    assert out.read_bytes() == before
    failed = tmp_path / "overview.failed.ipynb"
    assert failed.exists() and str(failed) in msg
    nb = json.loads(failed.read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "SchemaError"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_default_data_is_checked_before_execution(no_execution, monkeypatch, tmp_path):
    monkeypatch.setenv("SEGKIT_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ParameterError, match="default of parameter data .*transactions.csv not "
                       "found; set SEGKIT_DATA_DIR"):
        render("overview", {}, tmp_path / "r.html")
    monkeypatch.delenv("SEGKIT_DATA_DIR")
    assert validate_parameters("overview", {"data": "demo"}) == {"data": "demo"}


def test_the_example_batch_file_holds_valid_parameter_sets():
    from segkit.config import PROJECT_ROOT
    from segkit.report import get_template, read_batch_file, validate_parameters

    shared, runs = read_batch_file(PROJECT_ROOT / "reports" / "batches" / "regions.yaml")
    assert len(runs) == 4
    for run in runs:
        values = validate_parameters(get_template("overview"), {**shared, **run})
        assert values["region"] in {"north", "south", "east", "west"}


@pytest.mark.slow
def test_a_company_of_customers_and_contracts_only_renders_the_overview(tmp_path):
    from segkit.datasets import simulate
    from segkit.io import read_tables

    sim = simulate(n_customers=400, start="2023-01-01", end="2024-06-30", seed=5,
                   contract_share=1.0, contract_start_at_acquisition=1.0)
    folder = tmp_path / "subscriptions"
    folder.mkdir()
    sim.tables.customers.to_csv(folder / "customers.csv", index=False)
    sim.tables.contracts.to_csv(folder / "contracts.csv", index=False)
    data = read_tables(folder)  # validates: no transactions needed
    assert data.transactions is None and len(data.contracts) > 300
    for lang in ("en", "zh"):
        out = render("overview", {"data": str(folder), "lang": lang, "time_grain": "Q"},
                     tmp_path / f"subscriptions-{lang}.html")
        html = out.read_text(encoding="utf-8")
        assert html.count("<img") == 3, "customer base, revenue and cohorts are drawn"
        assert ("contract revenue" if lang == "en" else "合同收入") in html.lower()
        assert "Traceback" not in html and "Warning" not in html
        assert "Test Customer" not in html and "example.invalid" not in html
