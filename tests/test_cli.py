"""The segkit command: argument handling, messages and exit codes.

Rendering itself is tested in test_report.py; here ``report.render`` is replaced by a
fake so that each test runs in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from segkit import cli, report
from segkit.config import reports_dir
from segkit.exceptions import RenderError
from segkit.report import rendering


@pytest.fixture
def calls(monkeypatch, tmp_path) -> list[dict]:
    """Record the calls of report.render and write a small file instead.

    The reports folder is a temporary one, so no test writes into the repository.
    """
    monkeypatch.setenv("SEGKIT_REPORTS_DIR", str(tmp_path / "reports"))
    seen: list[dict] = []

    def fake_render(template, parameters=None, output=None, *, kernel_name="segkit", **kw):
        tpl = template if isinstance(template, report.Template) else report.get_template(template)
        values = report.validate_parameters(tpl, parameters or {})
        seen.append(
            {
                "template": tpl.name,
                "parameters": dict(parameters or {}),
                "values": values,
                "output": output,
                "kernel": kernel_name,
            }
        )
        if values.get("region") == "bad":
            raise RenderError(
                "report 'overview' failed: ParameterError in cell 4: region 'bad' not found"
            )
        out = Path(output) if output else reports_dir() / "overview.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("<html></html>")
        return out

    monkeypatch.setattr(report, "render", fake_render)
    monkeypatch.setattr(rendering, "render", fake_render)  # what batches call
    return seen


def test_list_shows_templates_parameters_types_defaults_and_help(capsys):
    assert cli.main(["report", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("early_warning: ")
    blocks = {b.split(":")[0]: b for b in out.strip().split("\n\n")}
    assert set(blocks) == {t.name for t in report.list_templates()} >= {"overview", "tiering", "valuation", "early_warning"}
    lines = {line.split()[0]: line for line in blocks["overview"].splitlines()[1:]}
    assert set(lines) == set(report.get_template("overview").parameters)
    assert "str" in lines["lang"] and "default 'en'" in lines["lang"]
    assert "language of headings and labels [one of en/zh]" in lines["lang"]
    assert "int" in lines["cohort_periods"] and "[1..60]" in lines["cohort_periods"]
    assert "[YYYY-MM-DD or empty]" in lines["observation_end"]


def test_list_one_template(capsys):
    assert cli.main(["report", "overview", "--list"]) == 0
    assert capsys.readouterr().out.startswith("overview: ")


def test_render_with_parameters(calls, capsys, tmp_path):
    out = tmp_path / "o.html"
    code = cli.main(
        [
            "report",
            "overview",
            "-p",
            "data",
            "cdnow",
            "-p",
            "cohort_periods",
            "6",
            "--lang",
            "zh",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert calls[0]["values"] == {"data": "cdnow", "lang": "zh", "cohort_periods": 6}
    assert calls[0]["output"] == str(out)
    assert capsys.readouterr().out.startswith(f"wrote {out}")


def test_parameter_file_and_precedence(calls, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("lang: en\ntime_grain: W\ncohort_periods: 8\n")
    assert (
        cli.main(["report", "overview", "-f", str(f), "-p", "time_grain", "D", "--lang", "zh"]) == 0
    )
    # -f < -p < --lang; the last -p of a name wins
    assert calls[0]["values"] == {"time_grain": "D", "lang": "zh", "cohort_periods": 8}


def test_default_output_goes_to_the_reports_dir(calls, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SEGKIT_REPORTS_DIR", str(tmp_path))
    assert cli.main(["report", "overview", "-p", "data", "cdnow"]) == 0
    assert (tmp_path / "overview.html").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["report", "overview", "-p", "colour", "red"],
            "template 'overview' has no parameter 'colour'. Accepted parameters: data (str",
        ),
        (["report", "overview", "-p", "cohort_periods", "x"], "'x' is not a whole number"),
        (["report", "overview", "-p", "time_grain", "H"], "'H' is not one of D, W, M, Q, Y"),
        (["report", "overview", "--lang", "fr"], "'fr' is not one of en, zh"),
        (["report", "nope"], "unknown report template 'nope'; the templates are early_warning, lost_customer_review, overview"),
        (["report", "overview", "-f", "/no/such.yaml"], "cannot read /no/such.yaml"),
    ],
)
def test_errors_are_one_clear_line_on_stderr(calls, capsys, argv, message):
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("segkit: error: ") and message in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert calls == []  # refused before anything ran


def test_render_failure_exits_non_zero(calls, capsys):
    assert cli.main(["report", "overview", "-p", "region", "bad"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "segkit: error: report 'overview' failed: ParameterError in cell 4: "
        "region 'bad' not found\n"
    )


def test_batch(calls, capsys, tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text("parameters: {data: cdnow}\nruns:\n  - {region: north}\n  - {region: south}\n")
    out = tmp_path / "out"
    assert (
        cli.main(
            [
                "report",
                "overview",
                "--batch",
                str(f),
                "-o",
                str(out),
                "--no-progress",
                "--lang",
                "zh",
            ]
        )
        == 0
    )
    assert [c["values"] for c in calls] == [
        {"data": "cdnow", "lang": "zh", "region": "north"},
        {"data": "cdnow", "lang": "zh", "region": "south"},
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "overview-region=north.html",
        "overview-region=south.html",
    ]
    assert capsys.readouterr().out.splitlines()[-1] == "2 of 2 reports written, 0 failed"


def test_batch_with_a_failure_exits_non_zero(calls, capsys, tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text("- {region: north}\n- {region: bad}\n- {region: south}\n")
    assert (
        cli.main(["report", "overview", "--batch", str(f), "-o", str(tmp_path), "--no-progress"])
        == 1
    )
    captured = capsys.readouterr()
    assert len(calls) == 3  # the failure does not stop the batch
    assert "FAILED" in captured.out and "1 failed" in captured.out.splitlines()[-1]
    assert captured.err == "segkit: error: 2 of 3 reports written, 1 failed\n"


def test_batch_with_a_wrong_set_runs_nothing(calls, capsys, tmp_path):
    f = tmp_path / "b.yaml"
    f.write_text("- {region: north}\n- {lang: xx}\n")
    assert cli.main(["report", "overview", "--batch", str(f), "--no-progress"]) == 1
    assert calls == [] and "batch run 2" in capsys.readouterr().err


def test_usage_errors(capsys):
    assert cli.main([]) == 2
    assert cli.main(["report"]) == 2
    assert "name a report template (early_warning, lost_customer_review, overview, tiering, valuation)" in capsys.readouterr().err
    assert cli.main(["report", "overview", "-p", "lang"]) == 2  # argparse: -p needs 2 values
    assert cli.main(["frobnicate"]) == 2


def test_help_and_version(capsys):
    assert cli.main(["--help"]) == 0
    assert cli.main(["report", "--help"]) == 0
    assert "--batch" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"segkit {report.segkit_version()}"


def test_all_renders_every_template_into_the_reports_dir(calls, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SEGKIT_REPORTS_DIR", str(tmp_path))
    assert cli.main(["report", "--all", "--no-progress", "--lang", "zh"]) == 0
    assert [c["template"] for c in calls] == [t.name for t in report.list_templates()]
    assert calls[0]["values"] == {"lang": "zh"}
    assert (tmp_path / "overview.html").exists()
    assert capsys.readouterr().out.splitlines()[-1].endswith("0 failed")
    assert cli.main(["report", "overview", "--all"]) == 2


# ------------------------------------------------------------------ reading data folders


def test_a_folder_that_cannot_be_read_prints_the_whole_error(calls, capsys, tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "customer_id,timestamp,amount\nc1,2024-01-05,10\nc2,2024-01-06,¥12\n")
    assert cli.main(["report", "overview", "-p", "data", str(folder)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("segkit: error: table 'transactions', column 'amount': wrong type: "
                      "expected numbers, found text that is not a number (remove currency "
                      "signs and thousands separators, or pass decimal= and thousands=; "
                      "decimal: and thousands: in the folder's segkit.yaml) (1 row)")
    assert err[1] == "example rows (index as in the input):"
    assert "¥12" in err[3] and err[3].startswith("1 ")
    assert calls == []  # refused before anything ran


def test_the_gbk_example_folder_is_read_through_its_manifest(calls, capsys):
    from segkit.config import data_path

    folder = data_path("examples", "segkit.yaml").parent
    assert cli.main(["report", "overview", "-p", "data", str(folder)]) == 0
    assert calls[0]["values"]["data"] == str(folder.resolve())
    assert "warning" not in capsys.readouterr().err


def test_a_gbk_file_without_manifest_names_the_manifest(calls, capsys, tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "transactions.csv").write_bytes(
        "客户编号,下单时间,金额\nc1,2024/01/05,10\n".encode("gbk"))
    assert cli.main(["report", "overview", "-p", "data", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "transactions.csv is not valid utf-8-sig text" in err
    assert "encoding: gbk for this table in its segkit.yaml" in err


def test_chinese_headers_without_a_map_name_the_manifest(calls, capsys, tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "transactions.csv").write_text("客户编号,下单时间,金额\nc1,2024-01-05,10\n")
    assert cli.main(["report", "overview", "-p", "data", str(folder)]) == 1
    assert "(in a folder of files: column_map: in its segkit.yaml)" in capsys.readouterr().err


def test_files_that_match_no_table_are_a_printed_warning(calls, capsys, tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "Transactions.csv").write_text("customer_id,timestamp,amount\nc1,2024-01-05,10\n")
    (folder / "notes.csv").write_text("a\n1\n")
    assert cli.main(["report", "overview", "-p", "data", str(folder)]) == 0
    assert capsys.readouterr().err == (
        "segkit: warning: CSV files in shop that match no table are not read: notes.csv; "
        "name them <table>.csv (tables: customers, transactions, contracts, exits, "
        "interactions, complaints, surveys, receivables, credit_limits, costs, campaigns) "
        "or give them in the folder's segkit.yaml\n")
