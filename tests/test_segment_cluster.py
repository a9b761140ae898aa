"""Data-driven segments (segkit.segment.cluster) on data with known clusters and on noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from segkit.datasets import simulate
from segkit.exceptions import NotFittedError, ParameterError, SchemaError
from segkit.features import customer_profile
from segkit.segment.cluster import RFMClusters, format_profile

FEATURES = ["recency_days", "orders", "revenue"]
# four segments far apart in log space: champions, regulars, occasional, one-off
CENTRES = np.array([[3, 40, 8000], [20, 12, 1500], [90, 4, 300], [400, 1, 40]], dtype=float)


@pytest.fixture(autouse=True)
def one_thread():
    # k-means' OpenMP threads spin when the machine is busy (tests run in parallel):
    # one thread is ten times faster there and gives the same results
    with threadpool_limits(1):
        yield


def blobs(seed: int, n_per: int = 300, sd: float = 0.15):
    """RFM-like customers around CENTRES (log-normal spread, whole orders) and their truth."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(len(CENTRES)), n_per)
    X = CENTRES[truth] * rng.lognormal(0, sd, (len(truth), 3))
    X[:, 1] = np.maximum(np.round(X[:, 1]), 1)
    df = pd.DataFrame(X, columns=FEATURES)
    df.insert(0, "customer_id", [f"c{i:05d}" for i in range(len(df))])
    return df, truth


def noise(seed: int, n: int = 1200):
    """Customers spread uniformly over a box in log space: no segments at all."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(np.exp(rng.uniform(0, 5, (n, 3))), columns=FEATURES)


@pytest.fixture(scope="module")
def sim_profile():
    return customer_profile(simulate(2000, seed=5).tables)


# ----------------------------------------------------------------- model selection


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auto_selection_finds_the_true_number_of_segments(method, seed):
    df, truth = blobs(seed)
    model = RFMClusters(method=method).fit(df)
    assert model.n_clusters_ == 4
    assert adjusted_rand_score(truth, model.labels_) > 0.99
    sel = model.selection_
    assert sel["k"].tolist() == list(range(2, 9))
    assert sel["chosen"].sum() == 1 and sel.loc[sel["chosen"], "k"].item() == 4
    if method == "kmeans":
        assert sel.loc[sel["silhouette"].idxmax(), "chosen"]
    else:
        assert sel.loc[sel["bic"].idxmin(), "chosen"]


def test_the_silhouette_of_the_selection_table_is_sklearns_on_the_log_scaled_features():
    df, _ = blobs(3)
    model = RFMClusters(k_range=(3, 5)).fit(df)
    Z = StandardScaler().fit_transform(np.log1p(df[FEATURES].to_numpy()))
    for k in (3, 4, 5):
        labels = RFMClusters(n_clusters=k).fit(df).labels_
        expected = silhouette_score(Z, labels)
        got = model.selection_.set_index("k").loc[k, "silhouette"]
        assert got == pytest.approx(expected, abs=1e-9)


def test_a_silhouette_subsample_for_large_data_still_finds_the_segments_and_is_reproducible():
    df, truth = blobs(4)
    a = RFMClusters(silhouette_sample_size=300).fit(df)
    b = RFMClusters(silhouette_sample_size=300).fit(df)
    assert a.n_clusters_ == 4
    pd.testing.assert_frame_equal(a.selection_, b.selection_)
    full = RFMClusters().fit(df).selection_["silhouette"]
    # a subsample of 300 of 1200 customers estimates each silhouette to about 0.02
    np.testing.assert_allclose(a.selection_["silhouette"], full, atol=0.05)


def test_a_fixed_number_of_clusters_has_no_selection_table():
    df, _ = blobs(0)
    model = RFMClusters(n_clusters=3).fit(df)
    assert model.selection_ is None and model.n_clusters_ == 3
    assert sorted(np.unique(model.labels_)) == [0, 1, 2]


# ----------------------------------------------------------------- labels


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_labels_are_ordered_by_mean_revenue_so_label_0_is_the_most_valuable(method):
    df, truth = blobs(1)
    model = RFMClusters(method=method).fit(df)
    means = df.groupby(model.labels_)["revenue"].mean()
    assert list(means.index) == [0, 1, 2, 3]
    assert means.is_monotonic_decreasing
    # the centres are listed from the most to the least valuable: labels equal the truth
    assert (model.labels_ == truth).all()


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_refits_with_another_seed_or_on_reordered_rows_give_the_same_labels(method):
    df, _ = blobs(2)
    base = RFMClusters(method=method, k_range=(3, 5)).fit(df).labels_
    for seed in (1, 7, 42):
        model = RFMClusters(method=method, k_range=(3, 5), random_state=seed).fit(df)
        assert (model.labels_ == base).all()
    perm = np.random.default_rng(0).permutation(len(df))
    shuffled = df.iloc[perm]
    labels = RFMClusters(method=method, k_range=(3, 5)).fit(shuffled).labels_
    assert (labels == base[perm]).all()


def test_predict_on_the_fitted_rows_equals_labels_and_keeps_the_index():
    df, _ = blobs(0)
    df.index = df["customer_id"]
    model = RFMClusters().fit(df)
    pred = model.predict(df)
    assert pred.name == "cluster" and pred.index.equals(df.index)
    assert (pred.to_numpy() == model.labels_).all()
    assert (model.fit_predict(df).to_numpy() == model.labels_).all()


def test_customers_without_a_purchase_are_left_out_with_label_minus_one():
    df, _ = blobs(0, n_per=50)
    df.loc[[3, 77, 150], "recency_days"] = np.nan  # as the profile has it: no purchase
    model = RFMClusters(k_range=(2, 5)).fit(df)
    assert model.n_excluded_ == 3
    assert (model.labels_[[3, 77, 150]] == -1).all()
    assert (np.delete(model.labels_, [3, 77, 150]) >= 0).all()
    table = model.profile(df)
    assert table["size"].sum() == len(df) - 3
    st = model.stability(df, n_boot=3)
    assert st.n_clusters == model.n_clusters_


# ----------------------------------------------------------------- profile table


def test_profile_table_against_a_plain_groupby(sim_profile):
    model = RFMClusters(n_clusters=3).fit(sim_profile)
    table = model.profile(sim_profile)
    assert table["cluster"].tolist() == [0, 1, 2]
    labels = model.labels_
    ref = sim_profile.assign(cluster=labels).groupby("cluster")
    np.testing.assert_array_equal(table["size"], ref.size())
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["revenue_share"].sum() == pytest.approx(1.0)
    for f in FEATURES:
        np.testing.assert_allclose(table[f"mean_{f}"], ref[f].mean())
        np.testing.assert_allclose(table[f"median_{f}"], ref[f].median())
    np.testing.assert_allclose(
        table["revenue_share"], ref["revenue"].sum() / sim_profile["revenue"].sum()
    )
    assert table["mean_revenue"].is_monotonic_decreasing


def test_profile_labels_in_both_languages(sim_profile):
    table = RFMClusters(n_clusters=2).fit(sim_profile).profile(sim_profile)
    en = format_profile(table, "en")
    zh = format_profile(table, "zh")
    assert "share of net revenue" in en.columns and "净收入占比" in zh.columns
    assert "订单数 (中位数)" in zh.columns
    assert en.shape == table.shape and (en.to_numpy() == table.to_numpy()).all()


def test_the_simulated_profile_segments_differ_in_value(sim_profile):
    model = RFMClusters().fit(sim_profile)
    table = model.profile(sim_profile)
    assert 2 <= model.n_clusters_ <= 8
    # label 0 holds the best customers: most orders, most revenue, most recent
    assert table.loc[0, "mean_revenue"] == table["mean_revenue"].max()
    assert table.loc[0, "median_recency_days"] <= table["median_recency_days"].median()


# ----------------------------------------------------------------- stability


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_stability_is_perfect_for_separated_segments(method):
    df, _ = blobs(5)
    st = RFMClusters(method=method).fit(df).stability(df, n_boot=10)
    assert st.n_clusters == 4
    assert st.mean > 0.99 and st.min > 0.98
    assert st.ari.index.name == "boot" and len(st.ari) == 10


def test_stability_is_lower_for_segments_carved_out_of_noise():
    means = []
    for seed in range(3):
        df = noise(seed)
        st = RFMClusters(n_clusters=4).fit(df).stability(df, n_boot=10)
        means.append(st.mean)
        assert st.min < 0.9
    # measured: 0.66, 0.56, 0.45 against 1.00 for separated segments
    assert np.mean(means) < 0.8


def test_stability_is_reproducible():
    df, _ = blobs(6, sd=0.4)  # overlapping segments: the ARI is below 1
    model = RFMClusters(n_clusters=4).fit(df)
    a, b = model.stability(df, n_boot=5), model.stability(df, n_boot=5)
    pd.testing.assert_series_equal(a.ari, b.ari)


# ----------------------------------------------------------------- errors


def test_unfitted_model_raises_not_fitted():
    df, _ = blobs(0, n_per=20)
    with pytest.raises(NotFittedError, match="fit"):
        RFMClusters().predict(df)
    with pytest.raises(NotFittedError):
        RFMClusters().profile(df)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"method": "dbscan"}, "method='dbscan'"),
        ({"n_clusters": 1}, "n_clusters=1"),
        ({"n_clusters": "best"}, "n_clusters='best'"),
        ({"k_range": (1, 4)}, "k_range"),
        ({"k_range": (5, 3)}, "k_range"),
        ({"transform": "sqrt"}, "transform='sqrt'"),
        ({"features": ()}, "features is empty"),
    ],
)
def test_bad_parameters_are_refused_with_the_argument_named(params, match):
    df, _ = blobs(0, n_per=20)
    with pytest.raises(ParameterError, match=match):
        RFMClusters(**params).fit(df)


def test_a_missing_column_is_a_schema_error_naming_it():
    df, _ = blobs(0, n_per=20)
    with pytest.raises(SchemaError, match="'orders'"):
        RFMClusters().fit(df.drop(columns="orders"))
    with pytest.raises(SchemaError, match="'margin'"):
        RFMClusters(value_col="margin").fit(df)


def test_too_few_customers_for_the_clusters_asked_for():
    df, _ = blobs(0, n_per=2)
    with pytest.raises(ParameterError, match="too few"):
        RFMClusters(k_range=(2, 10)).fit(df)


def test_fit_does_not_modify_its_input(sim_profile):
    before = sim_profile.copy(deep=True)
    model = RFMClusters(n_clusters=3).fit(sim_profile)
    model.profile(sim_profile)
    model.stability(sim_profile, n_boot=2)
    pd.testing.assert_frame_equal(sim_profile, before)
