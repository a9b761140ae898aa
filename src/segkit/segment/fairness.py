"""Fairness audit of tiers: who lands in which tier, and what service each group receives.

The sources name unfair treatment (不公平待遇) as a risk of tiering that itself drives
customers away (docs/domain.md section 1). :func:`fairness_audit` takes each customer's
tier and a sensitive attribute (``customers.gender`` or ``customers.age_band``: columns
of the data model kept for audits only, never shown per customer) and reports, per group
of the attribute, the tier composition, the share in the top tier and, given the
service (or cost) of each tier, the mean service the group would receive.

The rule, in words. For each group and measure (share in the top tier; mean service)
the **disparity ratio** is the group's value over the reference value: the value of all
customers (``reference="overall"``) or of a named group (the four-fifths rule of
employment law compares selection rates the same way). A group is **flagged** when both

1. the ratio is below ``threshold`` (default 0.8: the group gets less than four fifths
   of the reference) or above ``1 / threshold`` (it gets more than five fourths), and
2. the difference is statistically significant at ``alpha`` (default 0.01): for the top
   tier share a chi-square test of the 2 x 2 table (in the top tier or not; the group
   against everyone else, or against the reference group), without continuity
   correction (the two-proportion z test), or Fisher's exact test when an expected
   count is below 5; for the mean service Welch's t test on the customers' service
   values (scipy.stats). With ``correction="holm"`` (the default) the p-values of all
   the tests of the audit (every group, every measure) are adjusted by Holm's method
   before the comparison, so that ``alpha`` bounds the chance that an audit without
   any true disparity flags something, however many groups the attribute has.

The first condition alone would flag small groups by chance: the top tier share of 40
customers varies by a quarter of its value from sample to sample. The second alone
would flag trivial differences in a large customer base, where any difference is
significant. Together they flag only a disparity that is both material and real.
Without the Holm adjustment an attribute of six groups of a few hundred customers each
(age bands of 3000 customers) flags one audit in about fifteen on data without any
effect; with it, about one in a hundred or fewer (see the tests). Customers with a
missing tier or attribute are left out (``n_missing``).

Examples
--------
>>> import pandas as pd
>>> tiers = pd.Series(["top"] * 30 + ["rest"] * 70 + ["top"] * 10 + ["rest"] * 90)
>>> group = pd.Series(["female"] * 100 + ["male"] * 100, name="gender")
>>> audit = fairness_audit(tiers, group, top_tier="top", service={"top": 50, "rest": 10})
>>> audit.table[["group", "measure"]].to_numpy().tolist()
[['female', 'top_share'], ['female', 'mean_service'], ['male', 'top_share'], ['male', 'mean_service']]
>>> audit.table["ratio"].round(4).tolist(), audit.table["flagged"].tolist()
([1.5, 1.2222, 0.5, 0.7778], [True, False, True, True])
>>> audit.flags["reason"].iloc[1]
'gender = male: share in the top tier 0.1 is 0.5 times the reference 0.2 (below 0.8), p = 0.0015 (Holm-adjusted)'
>>> fairness_audit(tiers, group, top_tier="top", lang="zh").flags["reason"].iloc[1]
'性别 = 男：最高等级占比 0.1，为参照值 0.2 的 0.5 倍（低于0.8），p = 0.00081（Holm校正）'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..exceptions import ParameterError
from ..glossary import TERMS, category_label, check_lang, t
from ..schema import CATEGORIES

__all__ = ["fairness_audit", "FairnessAudit", "MEASURES"]

#: The measures of the audit: share of the group in the top tier, mean service per customer.
MEASURES: tuple[str, ...] = ("top_share", "mean_service")

_TABLE_COLUMNS = (
    "attribute", "group", "n", "measure", "value", "reference_value", "ratio", "difference",
    "p_value", "p_adjusted", "test", "flagged",
)


@dataclass(frozen=True)
class FairnessAudit:
    """The result of :func:`fairness_audit`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group and measure: ``attribute``, ``group``, ``n`` (customers),
        ``measure`` (``top_share``, and ``mean_service`` when a service is given),
        ``value``, ``reference_value``, ``ratio`` (value / reference),
        ``difference`` (value - reference), ``p_value``, ``p_adjusted`` (Holm, or
        equal to ``p_value`` without correction), ``test`` (``chi2``, ``fisher``,
        ``welch_t``; missing for the reference group itself) and ``flagged``.
    composition : pandas.DataFrame
        One row per group and tier: ``attribute``, ``group``, ``tier``, ``n`` and
        ``share`` (of the group's customers in the tier).
    flags : pandas.DataFrame
        The flagged rows of ``table`` with ``direction`` (``below`` or ``above``) and
        ``reason`` (a sentence in the audit's language).
    top_tier, reference : str
    threshold, alpha : float
    correction : str or None
    n_missing : int
        Customers left out for a missing tier or attribute.
    """

    table: pd.DataFrame
    composition: pd.DataFrame
    flags: pd.DataFrame
    top_tier: str
    reference: str
    threshold: float
    alpha: float
    correction: str | None
    n_missing: int

    @property
    def passed(self) -> bool:
        """True when no group is flagged."""
        return self.flags.empty


def _align(tiers: pd.Series, sensitive: pd.Series) -> pd.DataFrame:
    for name, s in (("tiers", tiers), ("sensitive", sensitive)):
        if not isinstance(s, pd.Series):
            raise ParameterError(
                f"{name} must be a pandas Series (one value per customer, indexed alike), "
                f"got {type(s).__name__}"
            )
        if not s.index.is_unique:
            raise ParameterError(f"{name} has a repeated index; give one row per customer")
    if not tiers.index.equals(sensitive.index):
        only = tiers.index.difference(sensitive.index)
        extra = sensitive.index.difference(tiers.index)
        if len(only) or len(extra):
            ex = list(only[:3]) or list(extra[:3])
            raise ParameterError(
                f"tiers and sensitive must have the same index (customer ids): {len(only)} "
                f"ids of tiers are not in sensitive and {len(extra)} of sensitive not in "
                f"tiers, e.g. {ex}; index both by customer_id"
            )
        sensitive = sensitive.reindex(tiers.index)
    return pd.DataFrame(
        {"tier": tiers.astype(object).to_numpy(), "group": sensitive.astype(object).to_numpy()},
        index=tiers.index,
    )


def _label(key: str, default: str, lang: str) -> str:
    return t(key, lang) if key in TERMS else default


def _group_label(attribute: str, group, lang: str) -> str:
    """The glossary label of a value of a category column of customers, else the value."""
    allowed = CATEGORIES.get(("customers", attribute))
    if allowed is not None and group in allowed:
        return category_label("customers", attribute, group, lang)
    return str(group)


def _levels(s: pd.Series, present) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [c for c in s.cat.categories if c in present]
    return sorted(present, key=str)


def _proportion_test(x1, n1, x2, n2) -> tuple[float, str]:
    """p-value of equal proportions x1/n1 and x2/n2: chi-square, or Fisher for small counts."""
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return np.nan, "chi2"
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if (expected < 5).any():
        return float(stats.fisher_exact(table.astype(np.int64)).pvalue), "fisher"
    return float(stats.chi2_contingency(table, correction=False).pvalue), "chi2"


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of the p-values that are not NaN (NaN stay NaN).

    >>> _holm(np.array([0.01, np.nan, 0.04, 0.03])).round(2).tolist()
    [0.03, nan, 0.06, 0.06]
    """
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate(q[order] * (m - np.arange(m))))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


def fairness_audit(
    tiers: pd.Series,
    sensitive: pd.Series,
    service: dict | None = None,
    top_tier=None,
    threshold: float = 0.8,
    alpha: float = 0.01,
    reference="overall",
    correction: str | None = "holm",
    lang: str = "en",
) -> FairnessAudit:
    """Audit the tiers of customers for disparities between the groups of an attribute.

    Parameters
    ----------
    tiers : pandas.Series
        The tier of each customer, indexed by customer (e.g. by ``customer_id``). An
        ordered categorical gives the tier order of ``composition``. Not modified.
    sensitive : pandas.Series
        The attribute of each customer with the same index (e.g.
        ``customers.set_index("customer_id")["gender"]``); its name names the
        attribute in the output (``"group"`` when it has none). Not modified.
    service : dict, optional
        Service level or cost per customer of each tier, ``{tier: number}``, covering
        every tier present. Adds the ``mean_service`` measure.
    top_tier : optional
        The most favoured tier. Default: the first category of a categorical ``tiers``.
    threshold : float, default 0.8
        A ratio below ``threshold`` or above ``1 / threshold`` is a disparity, in (0, 1).
    alpha : float, default 0.01
        Significance level of each test, in (0, 1).
    reference : "overall" or a group, default "overall"
        The value groups are compared with: all customers, or one group.
    correction : {"holm", None}, default "holm"
        Adjust the p-values of all the audit's tests for their number (Holm), or
        compare each with ``alpha`` as it is (None).
    lang : str, default "en"
        Language of the ``reason`` sentences.

    Returns
    -------
    FairnessAudit
        ``table``, ``composition`` and ``flags`` (see :class:`FairnessAudit`).

    Raises
    ------
    ParameterError
        For Series with different customers, a missing ``top_tier``, a tier without a
        service level, an unknown reference group, or a threshold or alpha out of range.

    Examples
    --------
    See the module docstring.
    """
    check_lang(lang)
    if not 0 < threshold < 1:
        raise ParameterError(f"threshold={threshold!r}: use a ratio in (0, 1), e.g. 0.8")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: use a significance level in (0, 1), e.g. 0.01")
    if correction not in ("holm", None):
        raise ParameterError(f"correction={correction!r}: use 'holm' or None")
    frame = _align(tiers, sensitive)
    attribute = str(sensitive.name) if sensitive.name is not None else "group"
    missing = frame["tier"].isna().to_numpy() | frame["group"].isna().to_numpy()
    frame = frame.loc[~missing]
    if frame.empty:
        raise ParameterError("no customer has both a tier and a value of the attribute")
    tier_levels = _levels(tiers, set(frame["tier"]))
    groups = _levels(sensitive, set(frame["group"]))
    if top_tier is None:
        if not isinstance(tiers.dtype, pd.CategoricalDtype):
            raise ParameterError(
                f"top_tier is not given and tiers is not categorical; name the most favoured "
                f"tier, one of {tier_levels}"
            )
        top_tier = tiers.cat.categories[0]
    if top_tier not in set(tiers.dropna().astype(object)) and not (
        isinstance(tiers.dtype, pd.CategoricalDtype) and top_tier in tiers.cat.categories
    ):
        raise ParameterError(f"top_tier={top_tier!r} is not a tier; the tiers are {tier_levels}")
    if reference != "overall" and reference not in groups:
        raise ParameterError(
            f"reference={reference!r} is not a group of {attribute}; use 'overall' or one of "
            f"{groups}"
        )
    if service is not None:
        lacking = [x for x in tier_levels if x not in service]
        if lacking:
            raise ParameterError(
                f"service has no level for the tier(s) {lacking}; give a number for every "
                f"tier of {tier_levels}"
            )

    # composition: group x tier counts
    counts = (
        pd.crosstab(frame["group"], frame["tier"])
        .reindex(index=groups, columns=tier_levels, fill_value=0)
    )
    n = counts.sum(axis=1).to_numpy()
    comp = counts.stack().rename("n").reset_index()
    comp.columns = ["group", "tier", "n"]
    comp["share"] = comp["n"] / np.repeat(n, len(tier_levels))
    comp.insert(0, "attribute", attribute)

    top = (
        counts[top_tier].to_numpy()
        if top_tier in counts.columns
        else np.zeros(len(groups), dtype=np.int64)
    )
    total_n, total_top = int(n.sum()), int(top.sum())
    rows = []
    ref_i = None if reference == "overall" else groups.index(reference)
    # service: per-customer values, per-group mean, variance, count
    if service is not None:
        value = frame["tier"].map(service).astype(float).to_numpy()
        s = pd.DataFrame({"group": frame["group"].to_numpy(), "v": value})
        g = s.groupby("group")["v"]
        mean = g.mean().reindex(groups).to_numpy()
        var = g.var(ddof=1).reindex(groups).fillna(0.0).to_numpy()
        sum_v = g.sum().reindex(groups).to_numpy()
        sum_v2 = (s["v"] ** 2).groupby(s["group"]).sum().reindex(groups).to_numpy()
    for i, grp in enumerate(groups):
        # top-tier share
        share = top[i] / n[i]
        if ref_i is None:
            ref_share = total_top / total_n
            x2, n2 = total_top - top[i], total_n - n[i]
        else:
            ref_share = top[ref_i] / n[ref_i]
            x2, n2 = top[ref_i], n[ref_i]
        if ref_i == i:
            p, test = np.nan, None
        else:
            p, test = _proportion_test(int(top[i]), int(n[i]), int(x2), int(n2))
        rows.append((grp, int(n[i]), "top_share", share, ref_share, p, test))
        if service is None:
            continue
        if ref_i is None:
            ref_mean = float(value.mean())
            n2 = total_n - n[i]
            if n2 > 0:
                m2 = (value.sum() - sum_v[i]) / n2
                v2 = ((value**2).sum() - sum_v2[i] - n2 * m2**2) / max(n2 - 1, 1)
            else:
                m2, v2 = np.nan, np.nan
        else:
            ref_mean = mean[ref_i]
            m2, v2, n2 = mean[ref_i], var[ref_i], n[ref_i]
        if ref_i == i or not n2 or n[i] < 2 or n2 < 2:
            p, test = np.nan, None
        elif var[i] == 0 and v2 <= 0:
            p, test = (1.0 if mean[i] == m2 else 0.0), "welch_t"
        else:
            res = stats.ttest_ind_from_stats(
                mean[i], np.sqrt(var[i]), n[i], m2, np.sqrt(max(v2, 0.0)), n2, equal_var=False
            )
            p, test = float(res.pvalue), "welch_t"
        rows.append((grp, int(n[i]), "mean_service", float(mean[i]), float(ref_mean), p, test))

    table = pd.DataFrame(rows, columns=["group", "n", "measure", "value", "reference_value",
                                        "p_value", "test"])
    table.insert(0, "attribute", attribute)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = table["value"] / table["reference_value"]
    table["difference"] = table["value"] - table["reference_value"]
    below = table["ratio"] < threshold
    above = table["ratio"] > 1 / threshold
    p = table["p_value"].to_numpy(dtype=float)
    table["p_adjusted"] = _holm(p) if correction == "holm" else p
    table["flagged"] = ((below | above) & (table["p_adjusted"] < alpha)).to_numpy(dtype=bool)
    table = table[list(_TABLE_COLUMNS)]

    flags = table.loc[table["flagged"]].copy()
    flags["direction"] = np.where(below[flags.index], "below", "above")
    attr_label = _label(f"col_{attribute}", attribute, lang)
    flags["reason"] = [
        t(
            f"fair_reason_{r.measure}",
            lang,
            attribute=attr_label,
            group=_group_label(attribute, r.group, lang),
            value=f"{r.value:.3g}",
            ratio=f"{r.ratio:.3g}",
            reference=f"{r.reference_value:.3g}",
            bound=t(
                f"fair_{r.direction}",
                lang,
                limit=f"{threshold if r.direction == 'below' else 1 / threshold:.3g}",
            ),
            p=f"{r.p_adjusted:.2g}" + (t("fair_holm", lang) if correction == "holm" else ""),
        )
        for r in flags.itertuples()
    ]
    return FairnessAudit(
        table=table.reset_index(drop=True),
        composition=comp,
        flags=flags.reset_index(drop=True),
        top_tier=top_tier,
        reference=reference,
        threshold=float(threshold),
        alpha=float(alpha),
        correction=correction,
        n_missing=int(missing.sum()),
    )
