"""Reading users' CSV files: encodings, Chinese column names, folders of tables."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from segkit.exceptions import ParameterError, SchemaError
from segkit.io import read_csv, read_tables

ZH_MAP = {"客户编号": "customer_id", "交易时间": "timestamp", "金额": "amount", "数量": "quantity"}
ZH_CSV = "客户编号,交易时间,金额,数量\n001,2024-01-05,25.00,1\n001,2024-02-10,40.50,2\n002,2024/01/20,12,1\n"


def test_gbk_csv_with_chinese_column_names(tmp_path):
    path = tmp_path / "订单.csv"
    path.write_bytes(ZH_CSV.encode("gbk"))
    tx = read_csv(path, "transactions", column_map=ZH_MAP, encoding="gbk")
    assert tx["customer_id"].tolist() == ["001", "001", "002"]  # leading zeros kept
    assert tx["timestamp"].tolist() == list(pd.to_datetime(["2024-01-05", "2024-02-10",
                                                            "2024-01-20"]))
    assert tx["amount"].sum() == pytest.approx(77.5)


def test_gbk_csv_read_as_utf8_gives_a_clear_error(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(ZH_CSV.encode("gbk"))
    with pytest.raises(SchemaError, match=re.escape(
        "table 'transactions': orders.csv is not valid utf-8-sig text (invalid start byte at "
        "byte 0); pass the file's encoding, e.g. encoding='gbk'")):
        read_csv(path, "transactions", column_map=ZH_MAP)


def test_utf8_with_byte_order_mark(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(ZH_CSV.encode("utf-8-sig"))
    tx = read_csv(path, "transactions", column_map=ZH_MAP)
    assert list(tx.columns[:4]) == ["customer_id", "timestamp", "amount", "quantity"]


def test_chinese_columns_without_a_map_name_the_missing_columns(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ZH_CSV, encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape(
        "column 'customer_id': missing required column(s) ['customer_id', 'timestamp', "
        "'amount']; the table has ['客户编号', '交易时间', '金额', '数量']")):
        read_csv(path, "transactions")


def test_empty_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("")
    with pytest.raises(SchemaError, match=re.escape("orders.csv is empty (no header, no rows)")):
        read_csv(path, "transactions")


def test_header_only_file_is_an_empty_table(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,timestamp,amount\n")
    with pytest.raises(SchemaError, match=re.escape("the table is empty (no rows)")):
        read_csv(path, "transactions")


def test_read_tables_checks_links(tmp_path, transactions, customers):
    transactions.to_csv(tmp_path / "transactions.csv", index=False)
    customers.iloc[:2].to_csv(tmp_path / "customers.csv", index=False)
    with pytest.raises(SchemaError, match="customer ids that are not in the customers table"):
        read_tables(tmp_path)
    customers.to_csv(tmp_path / "customers.csv", index=False)
    data = read_tables(tmp_path)
    assert data.observation_end == pd.Timestamp("2024-03-04")
    assert set(data.tables()) == {"customers", "transactions"}


def test_read_tables_needs_transactions_or_customers(tmp_path):
    with pytest.raises(SchemaError, match="neither transactions.csv nor customers.csv in"):
        read_tables(tmp_path)


def test_read_tables_reads_a_company_of_customers_and_contracts(tmp_path):
    (tmp_path / "customers.csv").write_text(
        "customer_id,acquisition_date\n007,2024-01-02\n8,2024-02-01\n")
    (tmp_path / "contracts.csv").write_text(
        "contract_id,customer_id,start_date,end_date,end_reason,billing_period,recurring_amount\n"
        "k1,007,2024-01-02,2024-03-02,price,M,9.9\nk2,8,2024-02-01,,,Y,99\n")
    data = read_tables(tmp_path)
    assert data.transactions is None
    assert data.contracts["customer_id"].tolist() == ["007", "8"]
    # no transactions: the observation end is the last dated event (a contract end)
    assert data.observation_end == pd.Timestamp("2024-03-02")


def test_bundled_gbk_example_is_in_sync_and_readable(tmp_path):
    import importlib.util

    from segkit.config import PROJECT_ROOT, data_path

    spec = importlib.util.spec_from_file_location(
        "make_example_files", PROJECT_ROOT / "scripts" / "make_example_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--out", str(tmp_path)])
    committed = data_path("examples", "orders_zh_gbk.csv")
    assert (tmp_path / "orders_zh_gbk.csv").read_bytes() == committed.read_bytes()
    zh_map = {v: k for k, v in module.ZH_COLUMNS.items()}
    tx = read_csv(committed, "transactions", column_map=zh_map, encoding="gbk")
    assert len(tx) == 300 and tx["is_return"].dtype == bool


# ------------------------------------------------------------------ folder manifests


def _folder(tmp_path, manifest: str | None, **files: str):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    if manifest is not None:
        (tmp_path / "segkit.yaml").write_text(manifest)
    return tmp_path


TX_CSV = "customer_id,timestamp,amount\nc1,2024-01-05,10\n"


@pytest.mark.parametrize(("manifest", "message"), [
    ("tables:\n  orders: {file: transactions.csv}\n",
     "unknown table 'orders'; the tables are customers, transactions"),
    ("tables:\n  transactions: {file: orders.csv}\n",
     "table 'transactions': no file orders.csv in the folder (files: transactions.csv)"),
    ("tables: [transactions]\n", "tables must be a mapping of table: options"),
    ("tables:\n  transactions: {column_map: [a, b]}\n",
     "column_map of table 'transactions' must be a mapping name: canonical"),
    ("tables:\n  transactions: {sep: 1}\n", "sep of table 'transactions' must be text, got 1"),
    ("colour: red\n", "unknown option 'colour' at the top; the options are tables"),
    ("tables: {transactions: [\n", "cannot be read ("),
])
def test_manifest_errors_name_the_problem(tmp_path, manifest, message):
    folder = _folder(tmp_path, manifest, **{"transactions.csv": TX_CSV})
    with pytest.raises(ParameterError, match=re.escape(f"segkit.yaml in {folder.name}: " + message)):
        read_tables(folder)


def test_manifest_defaults_apply_to_every_table(tmp_path):
    folder = _folder(tmp_path, "sep: ';'\ndecimal: ','\n",
                     **{"transactions.csv": "customer_id;timestamp;amount\nc1;2024-01-05;1,5\n"})
    assert read_tables(folder).transactions["amount"].tolist() == [1.5]


def test_two_files_differing_only_by_case(tmp_path):
    folder = _folder(tmp_path, None, **{"transactions.csv": TX_CSV, "Transactions.CSV": TX_CSV})
    if len(list(folder.iterdir())) < 2:  # a case-insensitive file system
        pytest.skip("the file system ignores case")
    with pytest.raises(SchemaError, match="differ only by case: keep one, or name the file"):
        read_tables(folder)


def test_read_csv_refuses_a_missing_file_and_a_long_separator(tmp_path):
    with pytest.raises(SchemaError, match="no file "):
        read_csv(tmp_path / "nope.csv", "transactions")
    (tmp_path / "t.csv").write_text(TX_CSV)
    with pytest.raises(SchemaError, match=re.escape("sep must be one character, got ';;'")):
        read_csv(tmp_path / "t.csv", "transactions", sep=";;")


def test_typed_fast_path_gives_the_same_table_as_the_reference(tmp_path):
    # DuckDB types plain numbers and ISO dates itself; the result must equal validate()
    # of the same text (the reference path)
    from segkit.schema import validate

    text = ("transaction_id,customer_id,timestamp,amount,quantity\n"
            "t1, c1 ,2024-01-05,10.5,1\nt2,c2,2024-01-06 10:30:00,-3,2\n"
            "t3,NULL,2024-01-07T08:00,1e3,3\n")
    (tmp_path / "t.csv").write_text(text)
    raw = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    with pytest.raises(SchemaError) as fast:
        read_csv(tmp_path / "t.csv", "transactions")
    with pytest.raises(SchemaError) as slow:
        validate(raw, "transactions")
    assert fast.value.rule == slow.value.rule == "missing values"
    (tmp_path / "t.csv").write_text(text.replace("NULL", "c3").replace("-3", "3"))
    raw = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(read_csv(tmp_path / "t.csv", "transactions"),
                                  validate(raw, "transactions"))


# ------------------------------------------------------------ rules checked in DuckDB
# read_csv checks some rules in the DuckDB pass that parses the file (unique keys, missing
# ids, summary rows, ids written as 1.0 or 020, which columns DuckDB may type) and leaves
# them to validate() only when they may fail: the error must be the one validate() gives
# for the same text as an in-memory frame.

HEAD = "transaction_id,customer_id,timestamp,amount,quantity\n"
SQL_RULE_CASES = {
    "duplicate key": (HEAD + "t1,c1,2024-01-05,1,1\nt1,c2,2024-01-06,2,1\n",
                      "transaction_id", "duplicate keys: each value must appear once"),
    "missing keys twice": (HEAD + ",c1,2024-01-05,1,1\n,c2,2024-01-06,2,1\n",
                           "transaction_id", "missing values"),
    "missing key marker": (HEAD + "NULL,c1,2024-01-05,1,1\nt2,c2,2024-01-06,2,1\n",
                           "transaction_id", "missing values"),
    "missing customer id": (HEAD + "t1,,2024-01-05,1,1\nt2,n/a,2024-01-06,2,1\n",
                            "customer_id", "missing values"),
    "padded duplicate key": (HEAD + "t1,c1,2024-01-05,1,1\n t1 ,c2,2024-01-06,2,1\n",
                             "transaction_id", "duplicate keys: each value must appear once"),
    "total row": (HEAD + "t1,c1,2024-01-05,1,1\nTotal,,,1,\n",
                  None, "summary rows (Total, 合计) are not records"),
    "total row, second column": (HEAD + "t1,c1,2024-01-05,1,1\nt9,合计,,1,\n",
                                 None, "summary rows (Total, 合计) are not records"),
    "decimal ids": (HEAD + "t1,1.0,2024-01-05,1,1\nt2,2,2024-01-06,2,1\n",
                    "customer_id", "ids written as decimal numbers (e.g. '1.0')"),
    "zero-padded ids": (HEAD + "t1,020,2024-01-05,1,1\nt2,20,2024-01-06,2,1\n",
                        "customer_id", "ids that differ only by leading zeros"),
    "hour 24": (HEAD + "t1,c1,2024-01-05 24:00:00,1,1\nt2,c2,2024-01-06,2,1\n",
                "timestamp", "unparseable dates"),
    "trailing point": (HEAD + "t1,c1,2024-01-05 10:00:00.,1,1\nt2,c2,2024-01-06,2,1\n",
                       "timestamp", "unparseable dates"),
    "date out of range": (HEAD + "t1,c1,2300-01-05,1,1\nt2,c2,2024-01-06,2,1\n",
                          "timestamp", "unparseable dates"),
    "30 February": (HEAD + "t1,c1,2024-02-30,1,1\nt2,c2,2024-01-06,2,1\n",
                    "timestamp", "unparseable dates"),
    "numeric ids with a marker": (HEAD + "1,10,2024-01-05,1,1\n2,NA,2024-01-06,2,1\n",
                                  "customer_id", "missing values"),
    "short total label": (HEAD + "t1,c1,2024-01-05,1,1\nsum,c2,2024-01-06,2,1\n",
                          None, "summary rows (Total, 合计) are not records"),
    "number overflow": (HEAD + "t1,c1,2024-01-05,1e400,1\nt2,c2,2024-01-06,2,1\n",
                        "amount", "wrong type: expected numbers"),
    "digit separator": (HEAD + "t1,c1,2024-01-05,1_000,1\nt2,c2,2024-01-06,2,1\n",
                        "amount", "wrong type: expected numbers"),
    "negative quantity": (HEAD + "t1,c1,2024-01-05,1,-1\nt2,c2,2024-01-06,2,1\n",
                          "quantity", "values must be >= 0"),
}


def _error(call) -> SchemaError:
    with pytest.raises(SchemaError) as err:
        call()
    return err.value


@pytest.mark.parametrize("case", list(SQL_RULE_CASES))
def test_rules_checked_in_duckdb_give_the_error_of_validate(tmp_path, case):
    from segkit.schema import validate

    text, column, rule = SQL_RULE_CASES[case]
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    read = _error(lambda: read_csv(path, "transactions"))
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = _error(lambda: validate(raw, "transactions"))
    assert read.column == frame.column == column
    assert read.rule.startswith(rule)
    assert (read.rule, read.n_bad, read.also) == (frame.rule, frame.n_bad, frame.also)
    assert list(read.examples.index) == list(frame.examples.index)


def test_duckdb_types_iso_forms_as_validate_reads_them(tmp_path):
    from segkit.schema import validate

    text = (HEAD + "t1,007,2024-3-1,10.5,1\nt2,c2,2024-03-01T9:05:07.123456789,.5,2\n"
            "t3,c3,2024-03-02 23:59,+1e2,3\nt4,c4,2024-03-02,0.25,4\n")
    (tmp_path / "t.csv").write_text(text)
    out = read_csv(tmp_path / "t.csv", "transactions", observation_end="2024-12-31")
    assert out["timestamp"].dtype == "datetime64[ns]"
    assert out["timestamp"].iloc[1] == pd.Timestamp("2024-03-01 09:05:07.123456789")
    raw = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(
        out, validate(raw, "transactions", observation_end="2024-12-31"))


def test_facts_of_the_reader_hold_for_its_own_frame_only(tmp_path):
    # what DuckDB checked about the file must not pass for a frame made from the result
    from segkit.io import _read_raw, _typed_columns
    from segkit.schema import validate

    (tmp_path / "t.csv").write_text(HEAD + "t1,c1,2024-01-05,1,1\nt2,c2,2024-01-06,2,1\n")
    tx = read_csv(tmp_path / "t.csv", "transactions")
    assert not [k for k in tx.attrs if k.startswith("segkit")]
    with pytest.raises(SchemaError, match="duplicate keys: each value must appear once"):
        validate(pd.concat([tx, tx], ignore_index=True), "transactions")
    raw = _read_raw(tmp_path / "t.csv", "transactions", typed=_typed_columns("transactions"))
    changed = raw.copy()
    changed.loc[0, "customer_id"] = None
    changed.loc[1, "transaction_id"] = "t1"
    with pytest.raises(SchemaError, match="customer_id': missing values") as err:
        validate(changed, "transactions")
    assert "duplicate keys" in str(err.value)
    assert validate(raw, "transactions")["customer_id"].tolist() == ["c1", "c2"]


def test_read_tables_validates_each_table_once(tmp_path, monkeypatch, transactions,
                                               customers):
    import segkit.schema

    calls = []
    real = segkit.schema.validate

    def counting(df, table, **kwargs):
        calls.append(table)
        return real(df, table, **kwargs)

    monkeypatch.setattr(segkit.schema, "validate", counting)
    transactions.to_csv(tmp_path / "transactions.csv", index=False)
    customers.to_csv(tmp_path / "customers.csv", index=False)
    data = read_tables(tmp_path)  # no observation end: it comes from the validated data
    assert sorted(calls) == ["customers", "transactions"]
    assert data.observation_end == pd.Timestamp("2024-03-04")
