"""``segkit survival``: what churn.survival_from_table reads, the command line reads too."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit.churn import kaplan_meier, survival_from_table
from segkit.cli import main

ROWS = pd.DataFrame({
    "编号": ["007", "070", "700", "0700"],
    "开通日期": ["2023-01-15", "2023-06-01", "2024-01-01", "2024-02-01"],
    "退订日期": ["2023-07-15", "", "", "2024-05-01"],
    "流失": ["是", "否", "否", "是"],
    "合约": ["月付", "年付", "月付", "年付"],
})


def write(tmp_path, df, encoding="utf-8"):
    path = tmp_path / "accounts.csv"
    df.to_csv(path, index=False, encoding=encoding)
    return path


def test_survival_command_matches_the_api(tmp_path, capsys):
    df = pd.DataFrame({"account_no": ["007", "070", "700", "0700"],
                       "signup": ["2023-01-15", "2023-06-01", "2024-01-01", "2024-02-01"],
                       "cancel": ["2023-07-15", "", "", "2024-05-01"],
                       "plan": ["a", "b", "a", "b"]})
    path = write(tmp_path, df)
    out = tmp_path / "surv.csv"
    code = main(["survival", str(path), "--id", "account_no", "--start", "signup", "--end",
                 "cancel", "--by", "plan", "--end-date", "2024-07-01", "-o", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "4 customers, 2 churned" in text and "log-rank" in text
    frame = pd.read_csv(out, dtype={"customer_id": str})
    assert frame["customer_id"].tolist() == ["007", "070", "700", "0700"]  # zeros kept
    api = survival_from_table(df.replace({"": None}), "account_no", start_col="signup",
                              end_col="cancel", covariate_cols=["plan"],
                              observation_end="2024-07-01")
    assert frame["duration"].round(9).tolist() == api["duration"].round(9).tolist()
    assert frame["event"].tolist() == api["event"].tolist()
    km = kaplan_meier(api, "plan")
    for g, median in km.medians.items():
        assert f"{g}" in text and (f"{median:.1f}" in text or "inf" in text)


def test_survival_command_refuses_an_unreadable_flag(tmp_path, capsys):
    df = pd.DataFrame({"id": ["1", "2"], "tenure": ["3", "5"], "churned": ["Yes", "maybe"]})
    path = write(tmp_path, df)
    code = main(["survival", str(path), "--id", "id", "--tenure", "tenure", "--event", "churned"])
    assert code == 1
    err = capsys.readouterr().err
    assert "column 'churned'" in err and "maybe" in err


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_survival_command_reads_chinese_headers_in_any_encoding(tmp_path, capsys, encoding):
    path = write(tmp_path, ROWS.assign(流失=["yes", "no", "no", "yes"]), encoding)
    code = main(["survival", str(path), "--id", "编号", "--start", "开通日期", "--end", "退订日期",
                 "--event", "流失", "--by", "合约", "--encoding", encoding,
                 "--end-date", "2024-07-01"])
    assert code == 0, capsys.readouterr().err
    assert "4 customers, 2 churned" in capsys.readouterr().out
