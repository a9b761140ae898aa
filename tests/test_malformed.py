"""A battery of malformed and real-world files (tests/malformed/), each with the
behaviour it must get: an error whose message is asserted, or the correct result.

Nothing may be silently misread: a file segkit cannot interpret is refused with the
table, the column, the rule and the offending rows (or the line of the file).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.exceptions import ParameterError, SchemaError
from segkit.io import read_csv, read_tables

HERE = Path(__file__).parent / "malformed"
TS = pd.Timestamp


def read(name: str, table: str = "transactions", **kwargs) -> pd.DataFrame:
    return read_csv(HERE / name, table, **kwargs)


# ------------------------------------------------------------------ errors, with messages
ERRORS = [
    # (file, read_csv keyword arguments, message fragments that must all appear)
    ("dates_ambiguous_order.csv", {},
     ["column 'timestamp': ambiguous dates: day and month could be either way round",
      "date_format='%d/%m/%Y' or '%m/%d/%Y'", "segkit.yaml", "(3 rows)"]),
    ("dates_mixed_iso_and_day_month.csv", {},
     ["mixed date formats in one column (year-month-day and day/month-year)",
      "07/01/2024", "(1 row)"]),
    ("dates_mixed_day_first_and_month_first.csv", {},
     ["mixed date formats in one column (day first (31/01/2024) and month first",
      "01/14/2024", "(1 row)"]),
    ("dates_mixed_offsets.csv", {},
     ["column 'timestamp': dates with different time-zone offsets", "+01:00", "(1 row)"]),
    ("dates_unparseable.csv", {},
     ["column 'timestamp': unparseable dates: use ISO dates such as 2024-03-01",
      "yesterday", "2024-02-30", "(2 rows)"]),
    ("dates_two_digit_year.csv", {}, ["unparseable dates", "date_format", "(2 rows)"]),
    ("dates_year_only.csv", {}, ["column 'timestamp': unparseable dates", "(2 rows)"]),
    ("dates_unparseable.csv", {"date_format": "%d/%m/%Y"},
     ["dates that do not follow date_format '%d/%m/%Y'", "(3 rows)"]),
    ("dates_outlying_1900.csv", {},
     ["column 'timestamp': dates far outside the bulk of the data (half of the dates lie "
      "between 2024-02-", "1900-01-01", "(1 row)"]),
    ("dates_far_future_2099.csv", {},
     ["column 'timestamp': dates in the future (after", "2099-12-31",
      "the table also breaks 1 more rule(s):", "dates far outside the bulk"]),
    ("dates_in_the_future.csv", {},
     ["column 'timestamp': dates in the future", "observation_end=", "(3 rows)"]),
    ("ids_guest_rows_null.csv", {},
     ["table 'transactions', column 'customer_id': missing values (4 rows)", "t2", "t5"]),
    ("ids_leading_zeros.csv", {},
     ["column 'customer_id': ids that differ only by leading zeros (e.g. '020' and '20')",
      "(2 rows)"]),
    ("ids_float_formatting.csv", {},
     ["column 'customer_id': ids written as decimal numbers (e.g. '1.0')", "(1 row)"]),
    ("numbers_decimal_comma.csv", {"sep": ";"},
     ["column 'amount': wrong type: expected numbers", "pass decimal=','", "12,50"]),
    ("numbers_thousands.csv", {},
     ["column 'amount': wrong type: expected numbers", "pass thousands=','", "1,234.50"]),
    ("numbers_thousands_misplaced.csv", {"thousands": ","},
     ["column 'amount': the thousands mark ',' is not between groups of three digits",
      "1,23"]),
    ("numbers_european.csv", {"sep": ";", "decimal": ",", "date_format": "%d.%m.%Y"},
     ["column 'amount': a '.' in numbers written with the decimal mark ','", "1.234,50"]),
    ("numbers_infinite.csv", {}, ["column 'amount': infinite values (1 row)"]),
    ("numbers_absurd.csv", {},
     ["column 'amount': implausibly large values (at least 1e+12 in absolute value)",
      "(1 row)"]),
    ("numbers_currency_sign.csv", {},
     ["column 'amount': wrong type: expected numbers, found text that is not a number",
      "¥12"]),
    ("numbers_null_amount.csv", {}, ["column 'amount': missing values (1 row)"]),
    ("ragged_long_row.csv", {},
     ["ragged_long_row.csv, line 4: 5 fields where the header has 4", "'t3,c1,2024-01-07,5,"
      "extra'", "check the separator (sep=',')"]),
    ("ragged_short_row.csv", {},
     ["ragged_short_row.csv, line 3: 3 fields where the header has 4"]),
    ("wrong_delimiter_semicolon.csv", {},
     ["wrong_delimiter_semicolon.csv, line 1: the header is one column",
      "the file seems separated by ';', not ',': pass sep=';'"]),
    ("wrong_delimiter_tab.csv", {}, ["seems separated by '\\t', not ',': pass sep='\\t'"]),
    ("numbers_european.csv", {},
     ["the file seems separated by ';', not ',': pass sep=';'"]),
    ("total_row.csv", {},
     ["table 'transactions': summary rows (Total, 合计) are not records: remove them",
      "(1 row)"]),
    ("total_row_zh.csv",
     {"column_map": {"客户编号": "customer_id", "下单时间": "timestamp", "金额": "amount"}},
     ["summary rows (Total, 合计)", "合计"]),
    ("gbk_chinese_headers.csv", {},
     ["gbk_chinese_headers.csv is not valid utf-8-sig text", "encoding='gbk'",
      "encoding: gbk for this table in its segkit.yaml"]),
    ("empty.csv", {}, ["empty.csv is empty (no header, no rows)"]),
    ("header_only.csv", {}, ["the table is empty (no rows)"]),
    ("duplicate_header.csv", {}, ["column 'amount': the column name appears more than once"]),
    ("duplicate_transaction_ids.csv", {},
     ["column 'transaction_id': duplicate keys: each value must appear once (2 rows)"]),
]


@pytest.mark.parametrize(("name", "kwargs", "fragments"), ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_malformed_file_is_refused_with_its_message(name, kwargs, fragments):
    with pytest.raises(SchemaError) as err:
        read(name, **kwargs)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert "Traceback" not in message and "ParserError" not in message


# ------------------------------------------------------------------ correct results
def test_day_first_order_is_inferred_from_the_whole_column():
    # 20-01-2024 can only be day first, so 02-01-2024 is 2 January, not 1 February
    tx = read("dates_day_first_inferred.csv")
    assert tx["timestamp"].tolist() == [TS("2024-01-02"), TS("2024-01-20"), TS("2024-02-03")]


def test_month_first_order_is_inferred_from_the_whole_column():
    tx = read("dates_month_first_inferred.csv")
    assert tx["timestamp"].tolist() == [TS("2024-01-02"), TS("2024-01-20"), TS("2024-02-03")]


def test_ambiguous_dates_read_with_their_date_format():
    tx = read("dates_ambiguous_order.csv", date_format="%d/%m/%Y")
    assert tx["timestamp"].tolist() == [TS("2024-01-02"), TS("2024-01-03"), TS("2024-02-04")]
    tx = read("dates_ambiguous_order.csv", date_format={"timestamp": "%m/%d/%Y"})
    assert tx["timestamp"].tolist() == [TS("2024-02-01"), TS("2024-03-01"), TS("2024-04-02")]


def test_excel_export_with_bom_crlf_and_short_dates():
    tx = read("dates_excel_bom_crlf.csv")
    assert list(tx.columns[:4]) == ["transaction_id", "customer_id", "timestamp", "amount"]
    assert tx["timestamp"].tolist() == [TS("2024-01-02 09:00"), TS("2024-01-15 18:30"),
                                        TS("2024-02-03 00:05")]
    assert tx["transaction_id"].tolist() == ["t1", "t2", "t3"]  # no trailing \r


def test_one_offset_keeps_the_local_wall_time():
    tx = read("dates_same_offset.csv")
    assert tx["timestamp"].tolist() == [TS("2024-01-05 10:00"), TS("2024-01-06 23:30")]


def test_future_dates_are_accepted_when_the_observation_end_says_so():
    tx = read("dates_in_the_future.csv", observation_end="2035-12-31")
    assert tx["timestamp"].max() == TS("2035-03-07")


def test_ids_are_stripped_and_keep_their_leading_zeros():
    assert read("ids_whitespace.csv")["customer_id"].tolist() == ["c1", "c1", "c2"]
    assert read("ids_leading_zeros_kept.csv")["customer_id"].tolist() == ["007", "008"]


def test_european_numbers_with_their_marks():
    tx = read("numbers_european.csv", sep=";", decimal=",", thousands=".",
              date_format="%d.%m.%Y")
    assert tx["amount"].tolist() == [1234.5, 12.5, 3.0]
    assert tx["timestamp"].tolist() == [TS("2024-01-05"), TS("2024-01-20"), TS("2024-02-03")]


def test_decimal_comma_with_semicolons():
    tx = read("numbers_decimal_comma.csv", sep=";", decimal=",")
    assert tx["amount"].tolist() == [12.5, 7.0]


def test_thousands_separator_in_quoted_values():
    assert read("numbers_thousands.csv", thousands=",")["amount"].tolist() == [1234.5, 12.0]


def test_gbk_file_with_its_encoding():
    tx = read("gbk_chinese_headers.csv", encoding="gbk",
              column_map={"客户编号": "customer_id", "下单时间": "timestamp", "金额": "amount"})
    assert tx["timestamp"].tolist() == [TS("2024-01-05"), TS("2024-01-06")]


def test_quoted_separators_newlines_and_blank_lines():
    tx = read("quoted_separators_and_newlines.csv")
    assert tx["note"].tolist() == ["a, b", "line one\nline two"]
    assert len(tx) == 2


def test_chinese_flags():
    tx = read("bool_flags_zh.csv")
    assert tx["is_return"].tolist() == [False, True]


def test_missing_markers_in_optional_text_columns_are_missing():
    raw = pd.DataFrame({"customer_id": ["c1", "c2", "c3"],
                        "acquisition_date": ["2024-01-01"] * 3,
                        "region": ["north", "NULL", "空"]})
    from segkit.schema import validate

    out = validate(raw, "customers")
    assert out["region"].iloc[0] == "north" and out["region"].iloc[1:].isna().all()


# ------------------------------------------------------------------ folders
def test_folder_file_names_match_tables_in_any_case():
    data = read_tables(HERE / "folder_case_insensitive")
    assert set(data.tables()) == {"customers", "transactions"}
    assert data.observation_end == TS("2024-01-06")


def test_folder_csv_files_that_match_no_table_are_listed_in_a_warning():
    with pytest.warns(UserWarning, match=re.escape(
            "CSV files in folder_unmatched_file that match no table are not read: "
            "orders_2023.csv; name them <table>.csv")):
        data = read_tables(HERE / "folder_unmatched_file")
    assert len(data.transactions) == 2


def test_folder_customers_with_integer_ids_beside_transactions():
    data = read_tables(HERE / "folder_integer_customer_ids")
    assert data.transactions["customer_id"].tolist() == ["1", "2"]
    assert data.transactions["customer_id"].isin(data.customers["customer_id"]).all()


def test_folder_ids_differing_by_leading_zeros_between_tables():
    with pytest.raises(SchemaError, match=re.escape(
            "customer ids that are not in the customers table (e.g. ['001', '002']); they "
            "differ from ids of the customers table only by leading zeros or a decimal "
            "point ('001' ~ '1', '002' ~ '2')")):
        read_tables(HERE / "folder_zero_padded_transactions")


def test_integer_customer_ids_in_a_frame_match_text_ids():
    from segkit.schema import CustomerData, validate_tables

    data = CustomerData(
        customers=pd.DataFrame({"customer_id": np.array([1, 2]),
                                "acquisition_date": ["2024-01-01", "2024-01-02"]}),
        transactions=pd.DataFrame({"customer_id": ["1", "2"],
                                   "timestamp": ["2024-01-05", "2024-01-06"],
                                   "amount": [1.0, 2.0]}),
    )
    out = validate_tables(data)
    assert out.customers["customer_id"].tolist() == ["1", "2"]


def test_folder_manifest_reads_a_european_export():
    data = read_tables(HERE / "folder_manifest_european")
    tx = data.transactions
    assert tx["amount"].tolist() == [1234.5, 12.5]
    assert tx["timestamp"].tolist() == [TS("2024-01-05"), TS("2024-01-02")]


def test_folder_manifest_observation_end_allows_later_dates():
    data = read_tables(HERE / "folder_manifest_observation_end")
    assert data.observation_end == TS("2035-06-30")


def test_folder_manifest_with_an_unknown_option():
    with pytest.raises(ParameterError, match=re.escape(
            "segkit.yaml in folder_manifest_unknown_option: unknown option 'seperator' of "
            "table 'transactions'; the options are file, encoding, sep, date_format")):
        read_tables(HERE / "folder_manifest_unknown_option")


def test_there_are_at_least_thirty_malformed_files():
    files = [p for p in HERE.rglob("*") if p.is_file()]
    assert len(files) >= 30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        used = {e[0] for e in ERRORS}
    assert len(used) >= 25


# ------------------------------------------------------------------ file and frame alike
#: Files refused by a rule of the table (not by the parser): read_csv checks several rules
#: in DuckDB, so the same text as an in-memory frame must get the same error.
READ_AS_FRAME = [e for e in ERRORS if e[0] not in {
    "ragged_long_row.csv", "ragged_short_row.csv", "wrong_delimiter_semicolon.csv",
    "wrong_delimiter_tab.csv", "gbk_chinese_headers.csv", "empty.csv", "header_only.csv",
    "duplicate_header.csv"} and not (e[0] == "numbers_european.csv" and "sep" not in e[1])]


@pytest.mark.parametrize(("name", "kwargs", "fragments"), READ_AS_FRAME,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(READ_AS_FRAME)])
def test_a_file_and_the_same_text_as_a_frame_get_the_same_error(name, kwargs, fragments):
    from segkit.schema import validate

    options = {k: v for k, v in kwargs.items() if k not in ("sep", "encoding")}
    raw = pd.read_csv(HERE / name, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                      sep=kwargs.get("sep", ","))
    with pytest.raises(SchemaError) as from_file:
        read(name, **kwargs)
    with pytest.raises(SchemaError) as from_frame:
        validate(raw, "transactions", **options)
    def seen(err):  # the two reads may fall in different minutes
        now = re.compile(r"after \d{4}-\d\d-\d\d \d\d:\d\d")
        return (err.column, now.sub("after <now>", err.rule), err.n_bad,
                [(c, now.sub("after <now>", t), n) for c, t, n in err.also])

    a, b = from_file.value, from_frame.value
    assert seen(a) == seen(b)
    assert list(a.examples.index) == list(b.examples.index)
