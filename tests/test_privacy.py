"""Pseudonymous ids and removal of personal columns.

The end-to-end check (a rendered report holds no personal value and no raw id) is
in test_report.py, which shares one rendered report between its tests.
"""

from __future__ import annotations

import pandas as pd
import pytest

from segkit import privacy
from segkit.exceptions import ParameterError
from segkit.privacy import drop_personal, protect, pseudonym, pseudonym_map, pseudonymise
from segkit.schema import PERSONAL_COLUMNS, CustomerData

PSEUDONYM = r"^c-[0-9a-f]{8}$"


@pytest.fixture
def data() -> CustomerData:
    customers = pd.DataFrame(
        {
            "customer_id": ["C001", "C002", "C003"],
            "acquisition_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "region": ["north", "south", "north"],
            "name": ["Li Lei", "Han Meimei", "Wang Fang"],
            "phone": ["13800000001", "13800000002", None],
            "email": ["li@example.cn", None, "wang@example.cn"],
        }
    )
    tx = pd.DataFrame(
        {
            "customer_id": ["C001", "C003", "C003"],
            "timestamp": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07"]),
            "amount": [10.0, 20.0, -20.0],
            "is_return": [False, False, True],
        }
    )
    return CustomerData(
        transactions=tx,
        customers=customers,
        observation_end=pd.Timestamp("2024-01-31"),
        source="test",
    )


def test_pseudonym_is_stable_keyed_and_short():
    a = pseudonym("C001", salt="k1")
    assert a == pseudonym("C001", salt="k1")
    assert a != pseudonym("C001", salt="k2")
    assert a != pseudonym("C002", salt="k1")
    assert pd.Series([a]).str.match(PSEUDONYM).all()
    assert "C001" not in a
    assert len(pseudonym("C001", length=6)) == len("c-") + 6


def test_pseudonym_hashes_the_text_of_the_id():
    assert pseudonym(17) == pseudonym("17")


def test_pseudonym_length_is_checked():
    with pytest.raises(ParameterError, match="between 1 and 64"):
        pseudonym("x", length=0)


def test_pseudonym_map_stays_distinct_when_short_hashes_collide():
    ids = [f"id{i}" for i in range(200)]
    mapping = pseudonym_map(ids, salt="s", length=1)  # 16 values for 200 ids: must grow
    assert len(set(mapping.values())) == 200
    lengths = {len(v) for v in mapping.values()}
    assert len(lengths) == 1 and lengths.pop() > 3
    # the grown pseudonyms are prefixes of the same HMAC: stable for a given id set
    assert mapping == pseudonym_map(list(reversed(ids)), salt="s", length=1)


def test_pseudonym_map_skips_missing_ids():
    assert list(pseudonym_map(["a", None, float("nan")])) == ["a"]


def test_pseudonymise_does_not_modify_its_input(data):
    before = data.transactions.copy()
    out = pseudonymise(data.transactions, salt="s")
    pd.testing.assert_frame_equal(data.transactions, before)
    assert out["customer_id"].str.match(PSEUDONYM).all()
    assert out["customer_id"].nunique() == before["customer_id"].nunique()
    assert out["customer_id"].iloc[0] == pseudonym("C001", salt="s")


def test_drop_personal(data):
    before = data.customers.copy()
    out = drop_personal(data.customers)
    assert not set(PERSONAL_COLUMNS) & set(out.columns)
    assert list(out.columns) == ["customer_id", "acquisition_date", "region"]
    pd.testing.assert_frame_equal(data.customers, before)


def test_drop_personal_ignores_case_and_spaces():
    df = pd.DataFrame({"customer_id": [1], "Name": ["x"], " EMAIL ": ["y"], "Phone": ["z"]})
    assert drop_personal(df).columns.tolist() == ["customer_id"]


def test_drop_personal_without_personal_columns_keeps_everything(data):
    pd.testing.assert_frame_equal(drop_personal(data.transactions), data.transactions)


def test_protect_applies_to_every_table_with_one_mapping(data):
    safe = protect(data, salt="s")
    assert safe is not data
    assert safe.observation_end == data.observation_end and safe.source == "test"
    for name, df in safe.tables().items():
        assert not set(PERSONAL_COLUMNS) & set(df.columns), name
        assert df["customer_id"].str.match(PSEUDONYM).all(), name
    # joinable: the same customer has the same pseudonym in both tables
    assert set(safe.transactions["customer_id"]) <= set(safe.customers["customer_id"])
    text = pd.concat([df.astype(str) for df in safe.tables().values()]).to_string()
    for raw in ["C001", "C002", "C003", "Li Lei", "13800000001", "li@example.cn"]:
        assert raw not in text
    # the input is untouched
    assert "name" in data.customers.columns and data.customers["customer_id"][0] == "C001"


def test_protect_default_salt_is_the_project_secret_not_the_package_default(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("SEGKIT_SECRET", raising=False)
    monkeypatch.setenv("SEGKIT_SECRET_FILE", str(tmp_path / "conf" / "secret"))
    data = CustomerData(transactions=pd.DataFrame({"customer_id": ["a"], "amount": [1.0]}))
    shown = protect(data).transactions["customer_id"][0]
    assert shown == pseudonym("a", privacy.project_secret())
    assert shown != pseudonym("a", privacy.DEFAULT_SALT)  # not reversible by enumeration
    assert pseudonym("a") == shown


def test_the_project_secret_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    import stat

    from segkit import config

    monkeypatch.delenv("SEGKIT_SECRET", raising=False)
    monkeypatch.setenv("SEGKIT_SECRET_FILE", str(tmp_path / "conf" / "secret"))
    first = privacy.project_secret()
    assert len(first) >= 32 and first != privacy.DEFAULT_SALT
    assert privacy.project_secret() == first  # generated once, then read
    path = config.secret_path()
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    monkeypatch.setenv("SEGKIT_SECRET", "given by the user")
    assert privacy.project_secret() == "given by the user"


def test_the_secret_lives_outside_reports_and_is_ignored_by_git(monkeypatch):
    from segkit import config

    monkeypatch.delenv("SEGKIT_SECRET_FILE", raising=False)
    path = config.secret_path()
    assert config.reports_dir() not in path.parents
    if path.parent.name == ".segkit":  # in a checkout: a folder that ignores itself
        privacy.project_secret()
        assert (path.parent / ".gitignore").read_text().strip().endswith("*")


def test_drop_record_ids_keeps_the_pseudonymised_customer_id():
    df = pd.DataFrame({"transaction_id": ["T1"], "customer_id": ["c-1"], "contract_id": ["K"],
                       "amount": [1.0]})
    assert privacy.drop_record_ids(df).columns.tolist() == ["customer_id", "amount"]
