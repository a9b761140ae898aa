"""Customer summaries: equal to lifetimes, to a slow reference, and strict on bad input."""

from __future__ import annotations

import datetime
import importlib
import inspect
import math
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

from segkit.data import is_return, purchases
from segkit.datasets import load_cdnow
from segkit.exceptions import ParameterError, SchemaError
from segkit.features import calibration_holdout_summary as _calibration_holdout_summary
from segkit.features import summary as _summary


def _indexed(function):
    """The summary indexed by customer id, as lifetimes returns it, for the comparisons.

    segkit returns ``customer_id`` as the first column (pymc-marketing's shape);
    ``test_customer_id_is_the_first_column`` checks that shape itself.
    """
    signature = inspect.signature(function)

    def wrapped(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        out = function(*args, **kwargs)
        return out.set_index(bound.arguments["customer_id_col"])

    return wrapped


summary = _indexed(_summary)
calibration_holdout_summary = _indexed(_calibration_holdout_summary)

COUNTS = ["frequency", "recency", "T"]


def raises(error: type[Exception], match: str):
    return pytest.raises(error, match=re.escape(match))


# ------------------------------------------------------------------- helpers


def assert_matches_lifetimes(
    transactions: pd.DataFrame,
    customer_id_col: str = "customer_id",
    datetime_col: str = "timestamp",
    monetary_value_col: str | None = None,
    observation_end=None,
    freq: str = "D",
    freq_multiplier: float = 1,
    include_first_transaction: bool = False,
    after_end: str = "raise",
) -> pd.DataFrame:
    """Compare :func:`summary` with lifetimes on any transaction frame; return ours.

    ``frequency, recency, T`` and the index must be identical, ``monetary_value``
    equal to 1e-12 (the sums are added in another order).
    """
    ours = summary(
        transactions,
        customer_id_col,
        datetime_col,
        monetary_value_col=monetary_value_col,
        observation_end=observation_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
        include_first_transaction=include_first_transaction,
        after_end=after_end,
    )
    theirs = summary_data_from_transaction_data(
        transactions,
        customer_id_col,
        datetime_col,
        monetary_value_col=monetary_value_col,
        observation_period_end=observation_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
        include_first_transaction=include_first_transaction,
    )
    assert list(ours.columns) == list(theirs.columns)
    pd.testing.assert_frame_equal(ours[COUNTS], theirs[COUNTS], check_exact=True)
    if monetary_value_col is not None:
        np.testing.assert_allclose(
            ours["monetary_value"].to_numpy(), theirs["monetary_value"].to_numpy(), rtol=1e-12
        )
    return ours


def make_transactions(
    n: int = 4000, n_customers: int = 300, days: int = 500, seed: int = 0, ids: str = "int"
) -> pd.DataFrame:
    """Random transactions at second resolution, with same-day and same-hour repeats."""
    rng = np.random.default_rng(seed)
    customer = rng.integers(0, n_customers, n)
    seconds = rng.integers(0, days * 86_400, n)
    # a fifth of the rows repeat another row of the same customer a few hours later
    k = n // 5
    src = rng.integers(0, n, k)
    customer = np.concatenate([customer, customer[src]])
    seconds = np.concatenate([seconds, seconds[src] + rng.integers(0, 6 * 3_600, k)])
    amount = np.round(rng.gamma(2.0, 15.0, n + k), 2)
    amount[rng.random(n + k) < 0.01] = 0.0
    tx = pd.DataFrame(
        {
            "customer_id": customer if ids == "int" else [f"c{c:04d}" for c in customer],
            "timestamp": pd.Timestamp("2021-03-03 00:00:00") + pd.to_timedelta(seconds, "s"),
            "amount": amount,
        }
    )
    return tx.sample(frac=1, random_state=seed).reset_index(drop=True)


def reference_summary(
    tx: pd.DataFrame,
    freq: str = "D",
    observation_end=None,
    include_first_transaction: bool = False,
    freq_multiplier: float = 1,
    returns: str = "net",
) -> pd.DataFrame:
    """Slow pure-Python summary from the definitions, with pandas' calendar functions.

    Returns are the lines of ``segkit.data.is_return`` when ``tx`` has the flag. With
    ``returns="net"`` they open no period and their amount goes to the latest purchase
    period of the customer up to them (none: left out); each period's value is floored
    at 0; a customer without purchase is left out.
    """

    def start(ts: pd.Timestamp) -> pd.Timestamp:
        day = ts.normalize()
        if freq == "D":
            return day
        if freq == "W":  # weeks from Monday to Sunday
            return day - pd.Timedelta(days=day.dayofweek)
        if freq == "h":
            return ts.floor("h")
        raise AssertionError(freq)

    unit = {"D": pd.Timedelta(days=1), "W": pd.Timedelta(weeks=1), "h": pd.Timedelta(hours=1)}
    end = start(pd.Timestamp(observation_end if observation_end is not None else max(tx.timestamp)))
    flags = is_return(tx) if "is_return" in tx.columns else pd.Series(False, index=tx.index)
    if returns == "exclude":
        tx, flags = purchases(tx), flags[~flags.to_numpy()]
    elif returns == "count":
        flags = pd.Series(False, index=tx.index)
    periods: dict = defaultdict(lambda: defaultdict(list))
    refunds: dict = defaultdict(list)
    for cid, ts, amount, returned in zip(tx.customer_id, tx.timestamp, tx.amount, flags,
                                         strict=True):
        if start(ts) <= end:
            if returned:
                refunds[cid].append((start(ts), amount))
            else:
                periods[cid][start(ts)].append(amount)
    for cid, lines in refunds.items():
        for when, amount in lines:
            before = [p for p in periods[cid] if p <= when]
            if before:
                periods[cid][max(before)].append(amount)
    rows = {}
    for cid, by_period in periods.items():
        if not by_period:
            continue  # only returns: never bought
        ps = sorted(by_period)
        spent = [math.fsum(by_period[p]) for p in ps]
        if returns == "net" and flags.any():
            spent = [max(v, 0.0) for v in spent]
        counted = spent if include_first_transaction else spent[1:]
        rows[cid] = {
            "frequency": float(len(counted)),
            "recency": (ps[-1] - ps[0]) / unit[freq] / freq_multiplier,
            "T": (end - ps[0]) / unit[freq] / freq_multiplier,
            "monetary_value": math.fsum(counted) / len(counted) if counted else 0.0,
        }
    out = pd.DataFrame.from_dict(rows, orient="index").sort_index()
    out.index.name = "customer_id"
    return out


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return load_cdnow(sample=False)


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return make_transactions()


# ------------------------------------------------------------- equal to lifetimes


@pytest.mark.parametrize("freq", ["D", "W"])
def test_cdnow_summary_equals_lifetimes(cdnow, freq):
    out = assert_matches_lifetimes(cdnow, monetary_value_col="amount", freq=freq)
    assert len(out) == 23_570
    assert out.index.name == "customer_id" and out.index.dtype == object
    assert out.index.is_monotonic_increasing
    assert (out.dtypes == "float64").all()


def test_cdnow_summary_without_monetary_value_equals_lifetimes(cdnow):
    out = assert_matches_lifetimes(cdnow, freq="W")
    assert list(out.columns) == COUNTS


def test_cdnow_include_first_transaction_equals_lifetimes(cdnow):
    out = assert_matches_lifetimes(cdnow, monetary_value_col="amount",
                                   include_first_transaction=True)
    assert (out["frequency"] >= 1).all()


def test_cdnow_explicit_observation_end_equals_lifetimes(cdnow):
    # after the data: T grows, nothing is dropped
    late = assert_matches_lifetimes(cdnow, monetary_value_col="amount",
                                    observation_end="1998-12-31")
    assert late["T"].max() == (pd.Timestamp("1998-12-31") - pd.Timestamp("1997-01-01")).days
    # inside the data: the later transactions are dropped on request, as lifetimes does
    early = assert_matches_lifetimes(cdnow, monetary_value_col="amount", freq="W",
                                     observation_end="1997-10-15 13:00", after_end="drop")
    assert len(early) == 23_570


@pytest.mark.parametrize(
    ("freq", "freq_multiplier"), [("D", 1), ("W", 1), ("h", 1), ("h", 24), ("D", 7)]
)
@pytest.mark.parametrize("ids", ["int", "str"])
def test_synthetic_summary_equals_lifetimes(freq, freq_multiplier, ids):
    tx = make_transactions(ids=ids, seed=len(freq) + freq_multiplier)
    out = assert_matches_lifetimes(tx, monetary_value_col="amount", freq=freq,
                                   freq_multiplier=freq_multiplier)
    assert out.index.dtype == tx["customer_id"].dtype


def test_synthetic_observation_end_with_time_of_day_equals_lifetimes(synthetic):
    end = synthetic["timestamp"].quantile(0.7)  # a time of day inside the data
    for freq in ("D", "W", "h"):
        assert_matches_lifetimes(synthetic, monetary_value_col="amount", freq=freq,
                                 observation_end=end, after_end="drop")


def test_sample_cdnow_first_customers(cdnow):
    out = summary(cdnow, monetary_value_col="amount")
    # customer 00003: six purchase days from 1997-01-02 to 1998-05-28
    row = out.loc["00003"]
    assert (row["frequency"], row["recency"], row["T"]) == (5.0, 511.0, 544.0)
    assert row["monetary_value"] == pytest.approx(27.14)


# ------------------------------------------------------- calibration and holdout


@pytest.mark.parametrize("freq", ["D", "W"])
@pytest.mark.parametrize("monetary_value_col", ["amount", None])
def test_cdnow_calibration_holdout_equals_lifetimes(cdnow, freq, monetary_value_col):
    ours = calibration_holdout_summary(cdnow, "1997-09-30", freq=freq,
                                       monetary_value_col=monetary_value_col)
    theirs = calibration_and_holdout_data(cdnow, "customer_id", "timestamp", "1997-09-30",
                                          freq=freq, monetary_value_col=monetary_value_col)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12, atol=0)
    exact = [c for c in ours.columns if not c.startswith("monetary")]
    pd.testing.assert_frame_equal(ours[exact], theirs[exact], check_exact=True)


def test_synthetic_calibration_holdout_equals_lifetimes(synthetic):
    cal = pd.Timestamp("2021-12-01 15:30")
    end = pd.Timestamp("2022-05-20 08:00")  # before the last transaction
    for freq in ("D", "W", "h"):
        ours = calibration_holdout_summary(synthetic, cal, end, freq=freq,
                                           monetary_value_col="amount", after_end="drop")
        theirs = calibration_and_holdout_data(synthetic, "customer_id", "timestamp", cal, end,
                                              freq=freq, monetary_value_col="amount")
        pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12, atol=0)


def test_calibration_holdout_include_first_transaction(cdnow):
    ours = calibration_holdout_summary(cdnow, "1997-09-30", monetary_value_col="amount",
                                       include_first_transaction=True)
    theirs = calibration_and_holdout_data(cdnow, "customer_id", "timestamp", "1997-09-30",
                                          monetary_value_col="amount",
                                          include_first_transaction=True)
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-12, atol=0)


def test_calibration_holdout_after_end_raises(cdnow):
    with raises(SchemaError, "table 'transactions', column 'timestamp': transactions after "
                "the observation end (1998-03-31 00:00:00)"):
        calibration_holdout_summary(cdnow, "1997-09-30", "1998-03-31")


def test_calibration_end_must_be_before_observation_end(cdnow):
    with raises(ParameterError, "calibration_end (1998-07-01 00:00:00) must be before "
                "observation_end (1998-06-30 00:00:00)"):
        calibration_holdout_summary(cdnow, "1998-07-01")


def test_calibration_end_before_any_transaction(cdnow):
    with raises(SchemaError, "no transaction up to the calibration end (1996-01-01 00:00:00)"):
        calibration_holdout_summary(cdnow, "1996-01-01")


# ---------------------------------------------------------- inputs and their types


def test_input_is_not_mutated(synthetic):
    tx = synthetic.assign(timestamp=synthetic["timestamp"].astype(str), extra=1)
    tx.index = tx.index[::-1]
    before = tx.copy()
    summary(tx, monetary_value_col="amount", observation_end="2030-01-01")
    calibration_holdout_summary(tx, "2021-10-01", monetary_value_col="amount")
    pd.testing.assert_frame_equal(tx, before)


def test_text_and_time_zone_timestamps_are_read_as_datetimes(synthetic):
    expected = summary(synthetic, monetary_value_col="amount")
    as_text = synthetic.assign(timestamp=synthetic["timestamp"].astype(str))
    pd.testing.assert_frame_equal(summary(as_text, monetary_value_col="amount"), expected,
                                  rtol=1e-12)
    # time-zone aware times count in local time, as pandas' to_period does
    local = synthetic.assign(timestamp=synthetic["timestamp"].dt.tz_localize("Europe/Berlin",
                                                                            ambiguous=True,
                                                                            nonexistent="shift_forward"))
    naive = local.assign(timestamp=local["timestamp"].dt.tz_localize(None))
    pd.testing.assert_frame_equal(summary(local, monetary_value_col="amount"),
                                  summary(naive, monetary_value_col="amount"), rtol=1e-12)
    # an aware observation end is converted to the data's time zone first
    utc_end = pd.Timestamp("2022-03-01 23:30", tz="UTC")  # 2022-03-02 00:30 in Berlin
    pd.testing.assert_frame_equal(
        summary(local, observation_end=utc_end, after_end="drop"),
        summary(naive, observation_end="2022-03-02 00:30", after_end="drop"))


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
def test_datetime_resolutions(synthetic, unit):
    tx = synthetic.assign(timestamp=synthetic["timestamp"].astype(f"datetime64[{unit}]"))
    pd.testing.assert_frame_equal(summary(tx, monetary_value_col="amount", freq="h"),
                                  summary(synthetic, monetary_value_col="amount", freq="h"))


def test_categorical_ids_keep_their_dtype_and_category_order(synthetic):
    tx = make_transactions(n=600, n_customers=40, ids="str")
    order = sorted(tx["customer_id"].unique(), reverse=True) + ["never_bought"]
    cat = tx.assign(customer_id=pd.Categorical(tx["customer_id"], categories=order))
    out = summary(cat, monetary_value_col="amount")
    assert isinstance(out.index, pd.CategoricalIndex)
    assert out.index.dtype == cat["customer_id"].dtype
    assert list(out.index) == order[:-1]  # category order; unobserved categories left out
    expected = summary(tx, monetary_value_col="amount").loc[order[:-1]]
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", ["int32", "uint64", "float64", "string", "Int64"])
def test_id_dtypes_are_kept(synthetic, dtype):
    tx = synthetic.assign(customer_id=synthetic["customer_id"].astype(dtype))
    out = summary(tx, monetary_value_col="amount")
    assert out.index.dtype == tx["customer_id"].dtype
    assert out.index.is_monotonic_increasing  # text ids in text order: "10" < "9"
    out.index = out.index.astype("int64")
    expected = summary(synthetic, monetary_value_col="amount")
    pd.testing.assert_frame_equal(out.sort_index(), expected, rtol=1e-12)


def test_other_column_names_and_integer_amounts(synthetic):
    tx = synthetic.rename(columns={"customer_id": "client", "timestamp": "when", "amount": 3})
    tx[3] = (tx[3] * 100).round().astype("int64")
    out = summary(tx, "client", "when", monetary_value_col=3)
    expected = summary(synthetic, monetary_value_col="amount")
    assert out.index.name == "client"
    np.testing.assert_allclose(out["monetary_value"], expected["monetary_value"] * 100,
                               rtol=1e-12)


def test_partitions_give_the_same_result(synthetic, monkeypatch):
    expected = summary(synthetic, monetary_value_col="amount")
    expected_cal = calibration_holdout_summary(synthetic, "2021-12-01", monetary_value_col="amount")
    monkeypatch.setattr(importlib.import_module("segkit.features.summary"),
                        "_ROWS_PER_PARTITION", 500)
    pd.testing.assert_frame_equal(summary(synthetic, monetary_value_col="amount"), expected,
                                  rtol=1e-12)
    pd.testing.assert_frame_equal(
        calibration_holdout_summary(synthetic, "2021-12-01", monetary_value_col="amount"),
        expected_cal, rtol=1e-12)


def test_drop_can_leave_no_customer(synthetic):
    out = summary(synthetic, monetary_value_col="amount", observation_end="2000-01-01",
                  after_end="drop")
    assert out.empty and list(out.columns) == COUNTS + ["monetary_value"]
    assert out.index.name == "customer_id"


# -------------------------------------------------------------------- bad input


@pytest.fixture
def tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02",
                                         "2024-01-09"]),
            "amount": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_after_end_raises_naming_the_rows(tiny):
    with pytest.raises(SchemaError) as info:
        summary(tiny, monetary_value_col="amount", observation_end="2024-01-04 12:00")
    err = info.value
    assert (err.table, err.column, err.n_bad) == ("transactions", "timestamp", 2)
    assert list(err.examples.index) == [1, 3]
    message = str(err)
    assert message.startswith(
        "table 'transactions', column 'timestamp': transactions after the observation end "
        "(2024-01-04 12:00:00, whose D period ends at 2024-01-05 00:00:00); pass an "
        "observation_end that covers them, or after_end='drop' to leave them out (2 rows)"
    )
    assert "2024-01-05" in message and "2024-01-09" in message


def test_after_end_drop_drops_explicitly(tiny):
    out = summary(tiny, monetary_value_col="amount", observation_end="2024-01-04 12:00",
                  after_end="drop")
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "frequency"] == 0.0 and out.loc["a", "T"] == 3.0


def test_same_period_as_the_end_is_not_after_it(tiny):
    # the end counts at the resolution of freq: 2024-01-09 is in the end's week
    out = summary(tiny, observation_end="2024-01-08", freq="W")
    assert out["T"].tolist() == [1.0, 1.0, 0.0]


def test_after_end_must_be_raise_or_drop(tiny):
    with raises(ParameterError, "after_end must be 'raise' or 'drop', got 'ignore'"):
        summary(tiny, after_end="ignore")


def test_missing_column(tiny):
    with raises(SchemaError, "table 'transactions', column 'amount': column is missing; "
                "the table has columns ['customer_id', 'timestamp']"):
        summary(tiny.drop(columns="amount"), monetary_value_col="amount")


def test_missing_amount(tiny):
    tiny.loc[2, "amount"] = np.nan
    with raises(SchemaError, "table 'transactions', column 'amount': missing values "
                "(1 row)\nexample rows (index as in the input):\n  customer_id  "
                "timestamp  amount\n2           b 2024-01-02     NaN"):
        summary(tiny, monetary_value_col="amount")


def test_infinite_amount(tiny):
    tiny.loc[0, "amount"] = np.inf
    with raises(SchemaError, "column 'amount': infinite values (1 row)"):
        summary(tiny, monetary_value_col="amount")


def test_text_amount(tiny):
    # the converter of schema.validate: numbers written as text are numbers ...
    expected = summary(tiny, monetary_value_col="amount")
    as_text = tiny.assign(amount=tiny["amount"].astype(str))
    pd.testing.assert_frame_equal(summary(as_text, monetary_value_col="amount"), expected)
    # ... and text that is no number is refused, naming the rows
    as_text.loc[1, "amount"] = "12,50 EUR"
    with raises(SchemaError, "column 'amount': wrong type: expected numbers, found text that "
                "is not a number"):
        summary(as_text, monetary_value_col="amount")


def test_missing_timestamp(tiny):
    tiny.loc[[1, 3], "timestamp"] = pd.NaT
    with raises(SchemaError, "table 'transactions', column 'timestamp': missing values "
                "(2 rows)"):
        summary(tiny)


def test_unparseable_timestamp(tiny):
    tiny["timestamp"] = ["2024-01-01", "yesterday", "2024-01-02", "2024-13-45"]
    with pytest.raises(SchemaError) as info:
        summary(tiny)
    message = str(info.value)
    assert message.startswith(
        "table 'transactions', column 'timestamp': unparseable dates: use ISO dates such as "
        "2024-03-01 or 2024-03-01 14:30")
    assert "(2 rows)" in message.splitlines()[0]
    assert list(info.value.examples.index) == [1, 3]


def test_numeric_timestamp_is_refused(tiny):
    tiny["timestamp"] = np.arange(4)
    with raises(SchemaError, "column 'timestamp': wrong type: expected dates, got int64 "
                "numbers; parse them first"):
        summary(tiny)


def test_missing_customer_id(tiny):
    tiny.loc[1, "customer_id"] = None
    with raises(SchemaError, "table 'transactions', column 'customer_id': missing "
                "values (1 row)"):
        summary(tiny)
    numeric = tiny.assign(customer_id=[1.0, np.nan, 2.0, 3.0])
    with raises(SchemaError, "column 'customer_id': missing values (1 row)"):
        summary(numeric)


def test_mixed_ids_are_sorted_numbers_first_or_refused(tiny):
    tiny["customer_id"] = ["a", 2, "b", 1]
    assert list(summary(tiny).index) == [1, 2, "a", "b"]
    tiny["customer_id"] = ["a", 2, datetime.date(2024, 1, 1), 1]
    with raises(SchemaError, "column 'customer_id': customer ids must be mutually comparable "
                "(all strings or all numbers): '<' not supported"):
        summary(tiny)


def test_empty_table_and_wrong_type(tiny):
    with raises(SchemaError, "table 'transactions': the table has no rows"):
        summary(tiny.iloc[:0])
    with raises(SchemaError, "table 'transactions': expected a pandas DataFrame, got dict"):
        summary(tiny.to_dict())


def test_bad_parameters(tiny):
    with raises(ParameterError, "unknown time unit 'month'; use one of D (day), W (week), "
                "M (month), Q (quarter), Y (year), h (hour), min (minute), s (second)"):
        summary(tiny, freq="month")
    with raises(ParameterError, "freq_multiplier must be a positive number, got 0"):
        summary(tiny, freq_multiplier=0)
    with raises(ParameterError, "observation_end='soon' is not a date or datetime"):
        summary(tiny, observation_end="soon")


# ---------------------------------------------------------------- properties

customer_ids = st.sampled_from(["x", "y", "z", "w"])
offsets = st.integers(0, 40 * 86_400 - 1)  # seconds in 40 days
amounts = st.floats(0.01, 1_000.0, allow_nan=False).map(lambda a: round(a, 2))
START = pd.Timestamp("2023-12-29 00:00")  # a Friday, so weeks are cut


@st.composite
def transaction_frames(draw, min_size=1, max_size=30):
    rows = draw(st.lists(st.tuples(customer_ids, offsets, amounts), min_size=min_size,
                         max_size=max_size))
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "timestamp": START + pd.to_timedelta([r[1] for r in rows], unit="s"),
            "amount": [r[2] for r in rows],
        }
    )


@st.composite
def frames_with_returns(draw, min_size=1, max_size=30):
    """Transactions with an ``is_return`` flag: returns have amounts <= 0 (a third of
    the lines), some before any purchase of their customer, some customers only return."""
    tx = draw(transaction_frames(min_size=min_size, max_size=max_size))
    flags = draw(st.lists(st.sampled_from([False, False, True]), min_size=len(tx),
                          max_size=len(tx)))
    tx["is_return"] = flags
    tx.loc[tx["is_return"], "amount"] *= -draw(st.sampled_from([1.0, 0.0, 3.0]))
    return tx


PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(tx=transaction_frames(), freq=st.sampled_from(["D", "W", "h"]),
       include_first=st.booleans(), end_days=st.none() | st.integers(0, 60))
def test_equals_slow_reference(tx, freq, include_first, end_days):
    end = None if end_days is None else START + pd.Timedelta(days=end_days, hours=5)
    ours = summary(tx, monetary_value_col="amount", observation_end=end, freq=freq,
                   include_first_transaction=include_first, after_end="drop")
    ref = reference_summary(tx, freq, end, include_first)
    if ref.empty:
        assert ours.empty
        return
    pd.testing.assert_frame_equal(ours[COUNTS], ref[COUNTS], check_exact=True)
    np.testing.assert_allclose(ours["monetary_value"], ref["monetary_value"], rtol=1e-12)


@PROPERTY
@given(tx=transaction_frames(min_size=2), data=st.data())
def test_row_order_does_not_matter(tx, data):
    order = data.draw(st.permutations(range(len(tx))))
    shuffled = tx.iloc[order]
    a = summary(tx, monetary_value_col="amount", freq="D")
    b = summary(shuffled, monetary_value_col="amount", freq="D")
    pd.testing.assert_frame_equal(a[COUNTS], b[COUNTS], check_exact=True)
    np.testing.assert_allclose(a["monetary_value"], b["monetary_value"], rtol=1e-12)


@PROPERTY
@given(tx=transaction_frames(), freq=st.sampled_from(["D", "W", "h"]))
def test_bounds(tx, freq):
    out = summary(tx, monetary_value_col="amount", freq=freq)
    assert (out["frequency"] >= 0).all()
    assert (out["frequency"] <= out["recency"]).all()  # one repeat period at most per period
    assert ((out["recency"] >= 0) & (out["recency"] <= out["T"])).all()
    # amounts are positive: a customer has a value exactly when they bought again
    assert ((out["monetary_value"] > 0) == (out["frequency"] > 0)).all()
    assert out.index.is_monotonic_increasing and out.index.is_unique


@PROPERTY
@given(tx=transaction_frames(), cal_days=st.integers(1, 39))
def test_calibration_matches_summary_of_the_calibration_period(tx, cal_days):
    cal_end = START + pd.Timedelta(days=cal_days)
    end = START + pd.Timedelta(days=40)
    if not (tx["timestamp"] <= cal_end).any():
        return
    out = calibration_holdout_summary(tx, cal_end, end, monetary_value_col="amount")
    cal = summary(tx[tx["timestamp"] <= cal_end], monetary_value_col="amount",
                  observation_end=cal_end)
    cal.columns = [c + "_cal" for c in cal.columns]
    # counts exactly; sums to rounding (DuckDB adds in parallel, in varying order)
    pd.testing.assert_frame_equal(out[cal.columns], cal, rtol=1e-12)
    holdout = tx[tx["timestamp"] > cal_end]
    days = holdout.groupby("customer_id")["timestamp"].agg(lambda s: s.dt.normalize().nunique())
    expected = days.reindex(out.index, fill_value=0).astype(float)
    np.testing.assert_array_equal(out["frequency_holdout"], expected)
    assert (out["duration_holdout"] == 40 - cal_days).all()


@pytest.mark.parametrize("freq", ["D", "W"])
def test_identical_to_lifetimes_on_simulated_data(freq):
    from segkit.datasets import simulate

    tx = simulate(n_customers=3_000, seed=11).tables.transactions
    purchases = tx[~tx["is_return"]]
    assert_matches_lifetimes(purchases, monetary_value_col="amount", freq=freq)
    assert_matches_lifetimes(purchases, monetary_value_col="amount", freq=freq,
                             observation_end="2025-03-31")


# ------------------------------------------------------- the shape of the ecosystem


def test_customer_id_is_the_first_column(synthetic):
    """As pymc-marketing's rfm_summary: customer_id a column, a default index."""
    out = _summary(synthetic, monetary_value_col="amount")
    assert list(out.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    assert isinstance(out.index, pd.RangeIndex)
    assert out["customer_id"].is_monotonic_increasing
    cal = _calibration_holdout_summary(synthetic, "2021-12-01")
    assert cal.columns[0] == "customer_id" and isinstance(cal.index, pd.RangeIndex)


def test_summary_goes_unchanged_into_lifetimes_fitters(cdnow):
    from lifetimes import BetaGeoFitter

    cal = cdnow[cdnow["timestamp"] <= "1997-09-30"]  # the published 39-week calibration
    ours = _summary(cal, monetary_value_col="amount", freq="D", freq_multiplier=7,
                    observation_end="1997-09-30")
    theirs = summary_data_from_transaction_data(
        cal, "customer_id", "timestamp", monetary_value_col="amount", freq="D",
        freq_multiplier=7, observation_period_end="1997-09-30")
    fitted = [BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"]).params_
              for s in (ours, theirs)]
    pd.testing.assert_series_equal(fitted[0], fitted[1])


@pytest.mark.parametrize("freq", ["M", "Q", "Y"])
def test_calendar_units_equal_pandas_periods_on_cdnow(cdnow, freq):
    # lifetimes cannot count months with pandas 2 (Timedelta has no month unit): pandas'
    # own periods are the reference, as lifetimes' to_period is for days and weeks
    out = summary(cdnow, monetary_value_col="amount", freq=freq)
    periods = cdnow["timestamp"].dt.to_period(freq).array.asi8
    per = pd.Series(periods).groupby(cdnow["customer_id"].to_numpy())
    end = pd.Period(cdnow["timestamp"].max(), freq=freq).ordinal
    np.testing.assert_array_equal(out["frequency"], per.nunique() - 1)
    np.testing.assert_array_equal(out["recency"], per.max() - per.min())
    np.testing.assert_array_equal(out["T"], end - per.min())


def test_calendar_units_equal_the_slow_reference_across_years():
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b"],
        "timestamp": pd.to_datetime(["1969-12-31", "1970-01-01", "1971-03-31", "2023-12-31",
                                     "2024-01-01"]),
        "amount": [1.0, 2.0, 3.0, 4.0, 5.0],
    })
    for freq, months in (("M", 1), ("Q", 3), ("Y", 12)):
        out = summary(tx, monetary_value_col="amount", freq=freq, observation_end="2024-02-15")
        months_of = tx["timestamp"].dt.year * 12 + tx["timestamp"].dt.month - 1
        per = (months_of // months).groupby(tx["customer_id"])
        end = (2024 * 12 + 1) // months
        assert out["frequency"].tolist() == (per.nunique() - 1).astype(float).tolist()
        assert out["recency"].tolist() == (per.max() - per.min()).astype(float).tolist()
        assert out["T"].tolist() == (end - per.min()).astype(float).tolist()


# ------------------------------------------------------------------------ returns


def returns_table() -> pd.DataFrame:
    """A tiny log with every case of the rule: same-day, later and early returns."""
    rows = [
        ("a", "2024-01-01", 100.0, False),
        ("a", "2024-01-01", -10.0, True),   # same day: netted into 01-01 (the first period)
        ("a", "2024-01-05", 40.0, False),
        ("a", "2024-01-07", -15.0, True),   # no purchase that day: netted into 01-05
        ("a", "2024-01-09", 30.0, False),
        ("a", "2024-01-09", -50.0, True),   # more than the day's purchase: 01-09 is worth 0
        ("b", "2024-01-02", -20.0, True),   # before b's first purchase: left out
        ("b", "2024-01-03", 25.0, False),
        ("c", "2024-01-04", -30.0, True),   # c only returned: not in the summary
        ("d", "2024-01-02", 10.0, False),
        ("d", "2024-01-10", -5.0, True),    # d never came back: the refund is in d's first period
    ]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "amount", "is_return"]
                        ).assign(timestamp=lambda d: pd.to_datetime(d["timestamp"]))


def test_returns_are_netted_into_the_latest_purchase_period_up_to_them():
    tx = returns_table()
    out = summary(tx, monetary_value_col="amount")
    assert list(out.index) == ["a", "b", "d"]  # c only returned: never bought
    assert out.loc["a"].tolist() == [2.0, 8.0, 9.0, (25.0 + 0.0) / 2]
    assert out.loc["b"].tolist() == [0.0, 0.0, 7.0, 0.0]
    assert out.loc["d"].tolist() == [0.0, 0.0, 8.0, 0.0]
    # the counts are those of the purchases: returns open no period
    # (the observation end defaults to the last line, a return on 2024-01-10)
    pd.testing.assert_frame_equal(
        out[COUNTS], summary(purchases(tx), observation_end="2024-01-10")[COUNTS])
    pd.testing.assert_frame_equal(out, reference_summary(tx), check_exact=True)
    # with the first period counted, its refund shows: (100 - 10) + 25 + 0
    first = summary(tx, monetary_value_col="amount", include_first_transaction=True)
    assert first.loc["a", "monetary_value"] == pytest.approx(115.0 / 3)


def test_returns_exclude_and_count():
    tx = returns_table()
    excluded = summary(tx, monetary_value_col="amount", returns="exclude")
    pd.testing.assert_frame_equal(excluded, summary(purchases(tx), monetary_value_col="amount",
                                                    observation_end="2024-01-10"))
    assert excluded.loc["a", "monetary_value"] == 35.0  # gross: (40 + 30) / 2
    counted = summary(tx, monetary_value_col="amount", returns="count")
    assert list(counted.index) == ["a", "b", "c", "d"]
    assert counted.loc["a", "frequency"] == 3.0 and counted.loc["d", "frequency"] == 1.0
    assert counted.loc["d", "monetary_value"] == -5.0  # a return counted as a purchase
    # count is lifetimes on the raw table, the flag unread
    pd.testing.assert_frame_equal(counted, summary(tx.drop(columns="is_return"),
                                                   monetary_value_col="amount"))
    # without values, net and exclude count the same
    pd.testing.assert_frame_equal(summary(tx), summary(tx, returns="exclude"))


def test_returns_on_the_demo_company():
    from segkit.datasets import load_demo

    tx = load_demo().transactions
    assert is_return(tx).any()
    net = summary(tx, monetary_value_col="amount")
    counted = summary(tx, monetary_value_col="amount", returns="count")
    only_purchases = summary(purchases(tx), monetary_value_col="amount")
    # before: returns counted as repeat purchase periods, with negative values
    assert counted["frequency"].sum() > only_purchases["frequency"].sum()
    assert (counted["monetary_value"] < 0).any()
    # now: the purchase periods only, never a negative value, less than the gross value
    pd.testing.assert_frame_equal(net[COUNTS], only_purchases[COUNTS], check_exact=True)
    assert (net["monetary_value"] >= 0).all()
    assert (net["monetary_value"] <= only_purchases["monetary_value"] + 1e-9).all()
    assert (net["monetary_value"] < only_purchases["monetary_value"] - 1e-9).any()


@pytest.mark.parametrize("returns", ["net", "exclude", "count"])
def test_a_table_without_returns_is_summarised_as_lifetimes_does(returns):
    from segkit.datasets import load_demo

    tx = purchases(load_demo().transactions)  # the flag is there, and all False
    for freq in ("D", "W"):
        ours = summary(tx, monetary_value_col="amount", freq=freq, returns=returns)
        theirs = summary_data_from_transaction_data(tx, "customer_id", "timestamp",
                                                    monetary_value_col="amount", freq=freq)
        pd.testing.assert_frame_equal(ours[COUNTS], theirs[COUNTS], check_exact=True)
        np.testing.assert_allclose(ours["monetary_value"], theirs["monetary_value"],
                                   rtol=1e-12)
    # with returns, "count" is lifetimes on the raw table, "exclude" on the purchases
    raw = load_demo().transactions
    if returns != "net":
        ours = summary(raw, monetary_value_col="amount", returns=returns)
        kept = raw if returns == "count" else purchases(raw)
        theirs = summary_data_from_transaction_data(kept, "customer_id", "timestamp",
                                                    monetary_value_col="amount")
        pd.testing.assert_frame_equal(ours[COUNTS], theirs[COUNTS], check_exact=True)
        np.testing.assert_allclose(ours["monetary_value"], theirs["monetary_value"],
                                   rtol=1e-12)


def test_the_return_flag_column():
    tx = returns_table()
    expected = summary(tx, monetary_value_col="amount")
    # another name, flags as text, missing flags are no returns (segkit.data.is_return)
    renamed = tx.rename(columns={"is_return": "refund"}).assign(
        refund=tx["is_return"].map({True: "yes", False: "no"}))
    pd.testing.assert_frame_equal(
        summary(renamed, monetary_value_col="amount", is_return_col="refund"), expected)
    missing = tx.assign(is_return=tx["is_return"].astype(object).where(tx["is_return"]))
    pd.testing.assert_frame_equal(summary(missing, monetary_value_col="amount"), expected)
    # None, or a frame without the default flag: no line is a return (lifetimes)
    raw = summary(tx.drop(columns="is_return"), monetary_value_col="amount")
    pd.testing.assert_frame_equal(summary(tx, monetary_value_col="amount", is_return_col=None),
                                  raw)
    with raises(SchemaError, "table 'transactions', column 'refund': column is missing"):
        summary(tx, is_return_col="refund")
    with raises(SchemaError, "column 'is_return': wrong type: expected true/false values"):
        summary(tx.assign(is_return=["maybe"] * len(tx)))
    with raises(ParameterError, "returns must be one of 'net', 'exclude', 'count', got 'keep'"):
        summary(tx, returns="keep")


def test_returns_partitions_give_the_same_result(monkeypatch):
    from segkit.datasets import load_demo

    tx = load_demo().transactions
    expected = summary(tx, monetary_value_col="amount")
    expected_cal = calibration_holdout_summary(tx, "2024-06-30", monetary_value_col="amount")
    monkeypatch.setattr(importlib.import_module("segkit.features.summary"),
                        "_ROWS_PER_PARTITION", 5_000)
    pd.testing.assert_frame_equal(summary(tx, monetary_value_col="amount"), expected,
                                  rtol=1e-12)
    pd.testing.assert_frame_equal(
        calibration_holdout_summary(tx, "2024-06-30", monetary_value_col="amount"),
        expected_cal, rtol=1e-12)


def test_a_return_after_the_calibration_end_never_changes_the_calibration_summary():
    tx = returns_table()
    late = pd.DataFrame({"customer_id": ["a", "d", "d"],
                         "timestamp": pd.to_datetime(["2024-01-12", "2024-01-13", "2024-01-14"]),
                         "amount": [-30.0, 8.0, -2.0], "is_return": [True, False, True]})
    out = calibration_holdout_summary(pd.concat([tx, late]), "2024-01-10", "2024-01-20",
                                      monetary_value_col="amount")
    cal = summary(tx, monetary_value_col="amount", observation_end="2024-01-10")
    cal.columns = [c + "_cal" for c in cal.columns]
    pd.testing.assert_frame_equal(out[cal.columns], cal)
    # a's holdout return has no holdout purchase to refund; d's refunds the 13th
    assert out["frequency_holdout"].tolist() == [0.0, 0.0, 1.0]
    assert out["monetary_value_holdout"].tolist() == [0.0, 0.0, 6.0]


@PROPERTY
@given(tx=frames_with_returns(), freq=st.sampled_from(["D", "W", "h"]),
       include_first=st.booleans(), end_days=st.none() | st.integers(0, 60),
       returns=st.sampled_from(["net", "exclude", "count"]))
def test_returns_equal_slow_reference(tx, freq, include_first, end_days, returns):
    end = None if end_days is None else START + pd.Timedelta(days=end_days, hours=5)
    ours = summary(tx, monetary_value_col="amount", observation_end=end, freq=freq,
                   include_first_transaction=include_first, after_end="drop",
                   returns=returns)
    ref = reference_summary(tx, freq, end, include_first, returns=returns)
    if ref.empty:
        assert ours.empty
        return
    pd.testing.assert_frame_equal(ours[COUNTS], ref[COUNTS], check_exact=True)
    np.testing.assert_allclose(ours["monetary_value"], ref["monetary_value"], rtol=1e-12,
                               atol=1e-9)
    if returns == "net":
        assert (ours["monetary_value"] >= 0).all()
        bought = set(purchases(tx).loc[lambda d: d["timestamp"] <= ref_end(tx, end, freq),
                                       "customer_id"])
        assert set(ours.index) == bought  # customers who only returned are not in it


def ref_end(tx, end, freq):
    """The last instant kept: the end of the observation end's period."""
    last = pd.Timestamp(end) if end is not None else tx["timestamp"].max()
    period = last.to_period({"D": "D", "W": "W-SUN", "h": "h"}[freq])
    return period.end_time


@PROPERTY
@given(tx=frames_with_returns(), cal_days=st.integers(1, 39))
def test_returns_in_calibration_and_holdout(tx, cal_days):
    cal_end = START + pd.Timedelta(days=cal_days)
    end = START + pd.Timedelta(days=40)
    if not (tx["timestamp"] <= cal_end).any():
        return
    out = calibration_holdout_summary(tx, cal_end, end, monetary_value_col="amount")
    before = tx[tx["timestamp"] <= cal_end]
    cal = summary(before, monetary_value_col="amount", observation_end=cal_end)
    cal.columns = [c + "_cal" for c in cal.columns]
    pd.testing.assert_frame_equal(out[cal.columns], cal, rtol=1e-12)
    # the holdout: purchase days, and their net value (reference rule) per purchase line
    holdout = tx[tx["timestamp"] > cal_end]
    bought = purchases(holdout)
    days = bought["timestamp"].dt.normalize().groupby(bought["customer_id"]).nunique()
    np.testing.assert_array_equal(out["frequency_holdout"],
                                  days.reindex(out.index, fill_value=0).astype(float))
    if holdout.empty or not is_return(holdout).any():
        return
    include = reference_summary(holdout, "D", end, include_first_transaction=True)
    if include.empty:
        assert (out["monetary_value_holdout"] == 0).all()
        return
    lines = bought.groupby("customer_id").size()
    expected = (include["monetary_value"] * include["frequency"] / lines).reindex(
        out.index, fill_value=0.0)
    np.testing.assert_allclose(out["monetary_value_holdout"], expected.fillna(0.0),
                               rtol=1e-12, atol=1e-9)
