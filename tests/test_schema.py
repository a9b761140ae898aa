"""Every validation rule of the data model, with the message it gives."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from segkit.exceptions import SchemaError
from segkit.schema import TABLES, CustomerData, data_model, validate, validate_tables


def raises(match: str):
    return pytest.raises(SchemaError, match=re.escape(match))


# ---------------------------------------------------------------- the happy path


def test_valid_transactions_are_returned_in_canonical_form(transactions):
    before = transactions.copy()
    out = validate(transactions, "transactions")
    pd.testing.assert_frame_equal(transactions, before)  # input not mutated
    assert out["timestamp"].dtype == "datetime64[ns]"
    assert out["amount"].dtype == "float64"
    assert out["quantity"].dtype == "int64"
    assert out["is_return"].dtype == bool
    assert len(out) == len(transactions)  # the return line is kept
    assert out["is_return"].sum() == 1


def test_missing_optional_columns_get_explicit_defaults(transactions):
    out = validate(transactions.drop(columns=["transaction_id", "is_return"]).iloc[:3],
                   "transactions")
    assert out["transaction_id"].tolist() == ["row0", "row1", "row2"]
    assert not out["is_return"].any()


def test_integer_ids_become_text_and_extra_columns_are_kept(transactions):
    tx = transactions.assign(customer_id=[1, 1, 2, 3, 3], store="A")
    out = validate(tx, "transactions")
    assert out["customer_id"].tolist() == ["1", "1", "2", "3", "3"]
    assert (out["store"] == "A").all()


def test_column_map_renames_once(transactions):
    raw = transactions.rename(columns={"customer_id": "客户编号", "timestamp": "下单时间"})
    out = validate(raw, "transactions", column_map={"客户编号": "customer_id",
                                                    "下单时间": "timestamp"})
    assert {"customer_id", "timestamp"} <= set(out.columns)


def test_every_table_accepts_a_valid_example():
    examples = {
        "customers": {"customer_id": ["c1"], "acquisition_date": ["2024-01-01"]},
        "transactions": {"customer_id": ["c1"], "timestamp": ["2024-01-02"], "amount": [1.0]},
        "interactions": {"customer_id": ["c1"], "timestamp": ["2024-01-02"], "kind": ["login"]},
        "complaints": {"customer_id": ["c1", "c1"], "timestamp": ["2024-01-02", "2024-01-03"],
                       "kind": ["complaint", "review"], "reason": ["price", None],
                       "rating": [None, 4]},
        "surveys": {"customer_id": ["c1"], "timestamp": ["2024-01-02"], "nps": [9]},
        "receivables": {"invoice_id": ["i1"], "customer_id": ["c1"],
                        "issue_date": ["2024-01-02"], "due_date": ["2024-02-01"],
                        "paid_date": [None], "amount": [100.0]},
        "campaigns": {"customer_id": ["c1"], "campaign": ["wb1"], "timestamp": ["2024-01-02"],
                      "kind": ["winback"], "offer": ["control"], "randomised": [True],
                      "responded": [False], "response_date": [None]},
        **NEW_TABLE_EXAMPLES,
    }
    assert set(examples) == set(TABLES)
    for name, cols in examples.items():
        out = validate(pd.DataFrame(cols), name)
        assert len(out) == len(cols["customer_id"])


# ---------------------------------------------------------------- every rule, every message


def test_unknown_table():
    with raises("table 'orders': unknown table; the data model has the tables"):
        validate(pd.DataFrame({"a": [1]}), "orders")


def test_not_a_dataframe():
    with raises("table 'transactions': expected a pandas DataFrame, got list"):
        validate([1, 2], "transactions")


def test_empty_table(transactions):
    with raises("table 'transactions': the table is empty (no rows)"):
        validate(transactions.iloc[:0], "transactions")


def test_missing_column_names_it_and_lists_present_columns(transactions):
    with raises("table 'transactions', column 'amount': missing required column(s) ['amount']"
                "; the table has ['transaction_id', 'customer_id', 'timestamp', 'quantity', "
                "'is_return']. Map your own column names once with column_map="):
        validate(transactions.drop(columns="amount"), "transactions")


def test_duplicate_column_names(transactions):
    tx = pd.concat([transactions, transactions[["amount"]]], axis=1)
    with raises("column 'amount': the column name appears more than once"):
        validate(tx, "transactions")


def test_column_map_names_a_missing_column(transactions):
    with raises("column 'cid': column_map names column(s) ['cid'] that the table does not have"):
        validate(transactions, "transactions", column_map={"cid": "customer_id"})


def test_column_map_to_a_non_canonical_name(transactions):
    with raises("column 'client': column_map maps to ['client'], which are not columns of "
                "the data model"):
        validate(transactions, "transactions", column_map={"customer_id": "client"})


def test_column_map_creating_a_duplicate(transactions):
    with raises("after applying column_map two columns share the name 'customer_id'"):
        validate(transactions, "transactions", column_map={"transaction_id": "customer_id"})


def test_wrong_type_text_in_amount(transactions):
    tx = transactions.assign(amount=["25", "40.5", "¥12", "99.9", "-99.9"])
    with raises("column 'amount': wrong type: expected numbers, found text that is not a number"
                ) as e:
        validate(tx, "transactions")
    assert "¥12" in str(e.value) and "(1 row)" in str(e.value)


def test_wrong_type_dates_as_numbers(transactions):
    tx = transactions.assign(timestamp=[20240105, 20240210, 20240120, 20240301, 20240304])
    with raises("column 'timestamp': wrong type: expected dates, got int64 numbers"):
        validate(tx, "transactions")


def test_wrong_type_float_ids(transactions):
    tx = transactions.assign(customer_id=[1.0, 1.0, 2.0, np.nan, 3.0])
    with raises("column 'customer_id': wrong type: ids must be text or whole numbers, got float64"):
        validate(tx, "transactions")


def test_wrong_type_fractional_quantity(transactions):
    tx = transactions.assign(quantity=[1, 2.5, 1, 3, 3])
    with raises("column 'quantity': wrong type: expected whole numbers (1 row)"):
        validate(tx, "transactions")


def test_wrong_type_bool_flag(transactions):
    tx = transactions.assign(is_return=["no", "no", "no", "no", "maybe"])
    with raises("column 'is_return': wrong type: expected true/false values") as e:
        validate(tx, "transactions")
    assert "maybe" in str(e.value)


def test_timezone_aware_dates_keep_their_local_time(transactions):
    # one rule (segkit.convert): an aware column keeps the wall-clock time of its zone
    aware = pd.to_datetime(transactions["timestamp"]).dt.tz_localize("Asia/Shanghai")
    out = validate(transactions.assign(timestamp=aware), "transactions")
    assert out["timestamp"].dtype == "datetime64[ns]"
    assert out["timestamp"].tolist() == pd.to_datetime(transactions["timestamp"]).tolist()
    text = transactions.assign(timestamp=transactions["timestamp"] + "T10:00:00+08:00")
    assert validate(text, "transactions")["timestamp"].dt.hour.eq(10).all()


def test_mixed_time_zones_in_one_column_are_refused(transactions):
    ts = ["2024-01-05T10:00+08:00", "2024-01-06T10:00+08:00", "2024-02-01T10:00+01:00",
          "2024-03-01T10:00+08:00", "2024-03-04"]
    with raises("column 'timestamp': dates with different time-zone offsets") as e:
        validate(transactions.assign(timestamp=ts), "transactions")
    assert "+01:00" in str(e.value) and "(2 rows)" in str(e.value)


def test_unparseable_dates_show_the_rows(transactions):
    tx = transactions.assign(timestamp=["2024-01-05", "yesterday", "2024-13-45", "2024-03-01",
                                        "2024-03-04"])
    with raises("column 'timestamp': unparseable dates: use ISO dates such as 2024-03-01") as e:
        validate(tx, "transactions")
    msg = str(e.value)
    assert "(2 rows)" in msg and "yesterday" in msg and "2024-13-45" in msg


def test_missing_dates(transactions):
    tx = transactions.assign(timestamp=["2024-01-05", None, "2024-01-20", "2024-03-01",
                                        "2024-03-04"])
    with raises("table 'transactions', column 'timestamp': missing values (1 row)"):
        validate(tx, "transactions")


def test_dates_after_the_observation_end(transactions):
    with raises("column 'timestamp': dates after the observation end 2024-02-29") as e:
        validate(transactions, "transactions", observation_end="2024-02-29")
    assert "(2 rows)" in str(e.value)


def test_missing_amounts(transactions):
    tx = transactions.assign(amount=[25.0, np.nan, 12.0, 99.9, -99.9])
    with raises("table 'transactions', column 'amount': missing values (1 row)"):
        validate(tx, "transactions")


def test_negative_amount_not_flagged_as_return(transactions):
    tx = transactions.assign(is_return=False)
    with raises("column 'amount': negative amount on a line that is not flagged as a return: "
                "set is_return for returns and refunds (they are kept, never dropped) (1 row)"):
        validate(tx, "transactions")


def test_return_with_positive_amount(transactions):
    tx = transactions.assign(is_return=[False, True, False, False, True])
    with raises("column 'is_return': a return line (is_return) must have an amount <= 0 (1 row)"):
        validate(tx, "transactions")


def test_negative_quantity(transactions):
    tx = transactions.assign(quantity=[1, -2, 1, 3, 3])
    with raises("column 'quantity': values must be >= 0 (1 row)"):
        validate(tx, "transactions")


def test_duplicate_keys_show_both_rows(transactions):
    tx = transactions.assign(transaction_id=["t1", "t2", "t1", "t4", "t5"])
    with raises("column 'transaction_id': duplicate keys: each value must appear once (2 rows)"):
        validate(tx, "transactions")


def test_duplicate_composite_key():
    camp = pd.DataFrame({"customer_id": ["c1", "c1"], "campaign": ["wb1", "wb1"],
                         "timestamp": ["2024-01-02", "2024-01-03"], "kind": ["winback"] * 2,
                         "offer": ["control"] * 2, "randomised": [True] * 2,
                         "responded": [False] * 2})
    with raises("column 'customer_id, campaign': duplicate keys: each combination must appear once"):
        validate(camp, "campaigns")


def test_duplicate_customers(customers):
    with raises("table 'customers', column 'customer_id': duplicate keys"):
        validate(customers.assign(customer_id=["c1", "c2", "c1"]), "customers")


def test_value_not_allowed():
    inter = pd.DataFrame({"customer_id": ["c1"], "timestamp": ["2024-01-01"], "kind": ["tweet"]})
    with raises("column 'kind': values must be one of ['login', 'visit', 'service_contact']"):
        validate(inter, "interactions")


def test_complaint_without_reason_and_review_without_rating():
    base = {"customer_id": ["c1"], "timestamp": ["2024-01-01"]}
    with raises("column 'reason': a complaint needs a reason"):
        validate(pd.DataFrame({**base, "kind": ["complaint"], "reason": [None]}), "complaints")
    with raises("column 'rating': a review needs a rating (1-5)"):
        validate(pd.DataFrame({**base, "kind": ["review"], "reason": [None]}), "complaints")
    with raises("column 'rating': values must be <= 5"):
        validate(pd.DataFrame({**base, "kind": ["review"], "reason": ["price"], "rating": [6]}),
                 "complaints")


def test_survey_score_rules():
    base = {"customer_id": ["c1"], "timestamp": ["2024-01-01"]}
    with raises("column 'nps': values must be <= 10"):
        validate(pd.DataFrame({**base, "nps": [11]}), "surveys")
    with raises("column 'nps': each survey answer needs an nps (0-10) or csat (1-5) value"):
        validate(pd.DataFrame({**base, "nps": [None], "csat": [None]}), "surveys")


def test_receivable_date_order():
    inv = pd.DataFrame({"invoice_id": ["i1"], "customer_id": ["c1"], "issue_date": ["2024-02-01"],
                        "due_date": ["2024-01-01"], "paid_date": [None], "amount": [10.0]})
    with raises("column 'due_date': due_date is before issue_date"):
        validate(inv, "receivables")
    with raises("column 'amount': values must be >= 0"):
        validate(inv.assign(due_date="2024-03-01", amount=-5.0), "receivables")


def test_campaign_response_rules():
    camp = pd.DataFrame({"customer_id": ["c1"], "campaign": ["wb1"], "timestamp": ["2024-01-05"],
                         "kind": ["winback"], "offer": ["discount_10"], "randomised": [True],
                         "responded": [False], "response_date": ["2024-01-09"]})
    with raises("column 'response_date': response_date is set but responded is False"):
        validate(camp, "campaigns")
    with raises("response_date is before the offer was sent"):
        validate(camp.assign(responded=True, response_date="2024-01-01"), "campaigns")


def test_transactions_of_unknown_customers(transactions, customers):
    data = CustomerData(transactions=transactions, customers=customers.iloc[:2])
    with raises("table 'transactions', column 'customer_id': customer ids that are not in the "
                "customers table (e.g. ['c3']) (2 rows)"):
        validate_tables(data)


def test_validate_tables_returns_canonical_tables(transactions, customers):
    data = validate_tables(CustomerData(transactions=transactions, customers=customers,
                                        observation_end=pd.Timestamp("2024-03-31")))
    assert data.customers["acquisition_date"].dtype == "datetime64[ns]"
    assert set(data.tables()) == {"transactions", "customers"}


def test_example_rows_are_limited_to_five(transactions):
    tx = pd.concat([transactions] * 4, ignore_index=True).assign(amount=-1.0, is_return=False)
    with pytest.raises(SchemaError) as e:
        validate(tx, "transactions")
    assert e.value.n_bad == 20
    assert len(e.value.examples) == 5
    assert "(20 rows)" in str(e.value)


def test_due_dates_after_the_observation_end_are_allowed():
    inv = pd.DataFrame({"invoice_id": ["i1"], "customer_id": ["c1"], "issue_date": ["2024-12-31"],
                        "due_date": ["2025-01-30"], "paid_date": [None], "amount": [10.0]})
    assert len(validate(inv, "receivables", observation_end="2024-12-31")) == 1
    with raises("column 'issue_date': dates after the observation end 2024-12-30"):
        validate(inv, "receivables", observation_end="2024-12-30")


# ------------------------------------------------------------------ the whole-mission tables

NEW_TABLE_EXAMPLES = {
    "contracts": {"contract_id": ["k1", "k2"], "customer_id": ["c1", "c1"],
                  "start_date": ["2024-01-02", "2024-02-01"],
                  "end_date": ["2024-01-31", None], "end_reason": ["price", None],
                  "plan": ["basic", "plus"], "billing_period": ["M", "Y"],
                  "recurring_amount": [9.9, 99.0]},
    "exits": {"customer_id": ["c1", "c1"], "timestamp": ["2024-01-31", "2024-02-01"],
              "kind": ["contract_ended", "reactivated"], "reason": ["budget", None],
              "source": ["exit_survey", None], "contract_id": ["k1", None]},
    "credit_limits": {"customer_id": ["c1", "c1"],
                      "effective_date": ["2024-01-02", "2024-03-01"],
                      "limit": [1000.0, 1500.0], "decision": ["initial", "increase"]},
    "costs": {"customer_id": ["c1", "c1"], "timestamp": ["2024-01-02", "2024-01-05"],
              "kind": ["acquisition", "service"], "amount": [50.0, 4.5]},
}


def _table(name, **changes):
    return pd.DataFrame({**NEW_TABLE_EXAMPLES[name], **changes})


@pytest.mark.parametrize(
    ("table", "changes", "message"),
    [
        ("contracts", {"end_date": ["2023-12-01", None]}, "column 'end_date': end_date is "
         "before start_date"),
        ("contracts", {"end_date": [None, None]}, "column 'end_reason': end_reason is set on "
         "a contract without an end_date"),
        ("contracts", {"billing_period": ["M", "monthly"]}, "column 'billing_period': values "
         "must be one of ['W', 'M', 'Q', 'Y']"),
        ("contracts", {"recurring_amount": [9.9, -1.0]}, "column 'recurring_amount': values "
         "must be >= 0"),
        ("contracts", {"contract_id": ["k1", "k1"]}, "column 'contract_id': duplicate keys"),
        ("exits", {"reason": [None, None], "source": [None, None]}, "column 'reason': an end "
         "(account_closed, contract_ended) needs a reason; use 'other' when it is unknown"),
        ("exits", {"source": [None, None]}, "column 'source': a reason needs its source"),
        ("exits", {"reason": ["too expensive", None]}, "column 'reason': values must be one of "
         "['product', 'price', 'service', 'competition', 'budget', 'complex_decision', "
         "'other']"),
        ("exits", {"kind": ["churned", "reactivated"]}, "column 'kind': values must be one of"),
        ("credit_limits", {"effective_date": ["2024-01-02", "2024-01-02"]},
         "column 'customer_id, effective_date': duplicate keys: each combination must appear "
         "once"),
        ("credit_limits", {"decision": ["initial", "raise"]}, "column 'decision': values must "
         "be one of ['initial', 'increase', 'decrease', 'decline', 'suspend']"),
        ("costs", {"kind": ["acquisition", "marketing"]}, "column 'kind': values must be one "
         "of ['service', 'delivery', 'discount', 'acquisition', 'bad_debt']"),
        ("costs", {"amount": [50.0, -4.5]}, "column 'amount': values must be >= 0"),
    ],
)
def test_new_table_rules_name_table_column_and_rows(table, changes, message):
    with raises(f"table '{table}', {message}") as e:
        validate(_table(table, **changes), table)
    assert "example rows" in str(e.value)


RECEIVABLE = {"invoice_id": ["i1", "i2"], "customer_id": ["c1", "c1"],
              "issue_date": ["2024-01-02", "2024-01-05"], "due_date": ["2024-02-01", "2024-02-04"],
              "paid_date": [None, "2024-01-20"], "amount": [100.0, 50.0],
              "payment_terms": [30, 30], "paid_amount": [40.0, 50.0],
              "written_off": [None, None], "write_off_date": [None, None]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"payment_terms": [30, 60]}, "column 'payment_terms': payment_terms differs from the "
         "days between issue_date and due_date"),
        ({"paid_amount": [140.0, 50.0]}, "column 'paid_amount': paid_amount plus written_off is "
         "more than the invoice amount"),
        ({"paid_amount": [40.0, 20.0]}, "column 'paid_amount': paid_date (settled in full) is "
         "set but paid_amount is less than the amount"),
        ({"written_off": [60.0, None]}, "column 'write_off_date': a write-off needs its "
         "write_off_date"),
        ({"written_off": [70.0, None], "write_off_date": ["2024-06-01", None]},
         "column 'paid_amount': paid_amount plus written_off is more than the invoice amount"),
    ],
)
def test_credit_rules_on_receivables(changes, message):
    validate(pd.DataFrame(RECEIVABLE), "receivables")  # the base example is valid
    with raises(f"table 'receivables', {message}"):
        validate(pd.DataFrame({**RECEIVABLE, **changes}), "receivables")


def test_every_broken_rule_of_a_table_is_reported_at_once():
    bad = _table("contracts", end_date=["2023-12-01", None], billing_period=["M", "monthly"],
                 recurring_amount=[9.9, -1.0])
    with raises("table 'contracts', column 'billing_period'") as e:
        validate(bad, "contracts")
    msg = str(e.value)
    assert "the table also breaks 2 more rule(s)" in msg
    assert "column 'recurring_amount': values must be >= 0 (1 row)" in msg
    assert "column 'end_date': end_date is before start_date (1 row)" in msg
    assert [a[0] for a in e.value.also] == ["recurring_amount", "end_date"]


def test_a_company_of_customers_and_contracts_only_is_valid():
    data = CustomerData(
        customers=pd.DataFrame({"customer_id": ["c1"], "acquisition_date": ["2024-01-02"]}),
        contracts=_table("contracts"),
    )
    out = validate_tables(data)
    assert out.transactions is None and len(out.contracts) == 2


def test_a_company_needs_customers_or_transactions():
    with raises("a company needs a customers or a transactions table"):
        validate_tables(CustomerData(contracts=_table("contracts")))


def test_exits_must_name_known_contracts():
    data = CustomerData(
        customers=pd.DataFrame({"customer_id": ["c1"], "acquisition_date": ["2024-01-02"]}),
        contracts=_table("contracts"),
        exits=_table("exits", contract_id=["k9", None]),
    )
    with raises("table 'exits', column 'contract_id': contract ids that are not in the "
                "contracts table"):
        validate_tables(data)


def test_sensitive_columns_are_flagged_and_checked():
    from segkit.schema import SENSITIVE_COLUMNS

    assert SENSITIVE_COLUMNS == {"customers": ("gender", "age_band")}
    model = data_model()
    assert set(model.loc[model["sensitive"], "column"]) == {"gender", "age_band"}
    customers = pd.DataFrame({"customer_id": ["c1", "c2"],
                              "acquisition_date": ["2024-01-02", "2024-01-03"],
                              "gender": ["female", "unknown"], "age_band": ["25-34", None]})
    with raises("table 'customers', column 'gender': values must be one of "
                "['female', 'male', 'other']"):
        validate(customers, "customers")


def test_validate_does_not_modify_its_input(transactions):
    raw = transactions.rename(columns={"amount": " amount "})
    before = raw.copy(deep=True)
    columns = list(raw.columns)
    validate(raw, "transactions")
    assert list(raw.columns) == columns
    pd.testing.assert_frame_equal(raw, before)


# ------------------------------------------------------------------ pandera on failure only


def test_pandera_runs_only_when_a_rule_fails(transactions, monkeypatch):
    # the rules are checked vectorised first; pandera only finds and describes failures
    import segkit.schema as schema

    real = schema._pandera_schema
    ran = []

    def recording(*args, **kwargs):
        ran.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(schema, "_pandera_schema", recording)
    validate(transactions, "transactions")
    for name in NEW_TABLE_EXAMPLES:
        validate(_table(name), name)
    validate(pd.DataFrame(RECEIVABLE), "receivables")
    assert ran == []
    with raises("column 'recurring_amount': values must be >= 0"):
        validate(_table("contracts", recurring_amount=[9.9, -1.0]), "contracts")
    assert ran == [True]


@pytest.mark.parametrize(("table", "frame", "message"), [
    # nullable integers with a missing value beside an out-of-range one
    ("complaints", {"customer_id": ["c1", "c2"], "timestamp": ["2024-01-02", "2024-01-03"],
                    "kind": ["review", "review"], "reason": [None, None],
                    "rating": [None, 6]}, "column 'rating': "),
    # a missing key twice is a duplicate as well as a missing value
    ("contracts", {**NEW_TABLE_EXAMPLES["contracts"], "contract_id": [None, None]},
     "column 'contract_id': missing values (2 rows)"),
    # missing values in a two-column key
    ("credit_limits", {**NEW_TABLE_EXAMPLES["credit_limits"],
                       "effective_date": [None, None]},
     "column 'customer_id, effective_date': duplicate keys: each combination must appear "
     "once (2 rows)"),
])
def test_the_vectorised_check_is_never_more_lenient_than_pandera(table, frame, message):
    with raises(f"table '{table}', {message}"):
        validate(pd.DataFrame(frame), table)
