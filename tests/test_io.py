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
