"""What the overview report shows: customer base, activity, revenue, cohorts, data quality.

The first part holds pure functions on canonical tables (a
:class:`~segkit.schema.CustomerData`): they never print, never modify their input and
return a new DataFrame indexed by period (the start of each day, week or month).
Returns are kept in the transaction log with a negative amount and ``is_return`` set;
a *purchase* is a transaction line that is not a return.

The second part, :class:`OverviewReport`, is what the cells of the report template
``templates/overview.ipynb`` call: each method shows one section (a heading from the
glossary, a figure from :mod:`segkit.plot`, a table) and holds no computation of its own.

Definitions
-----------
customer base
    customers acquired up to the end of the period (acquisition date from the
    ``customers`` table, else the first transaction);
active customers (活跃客户)
    distinct customers with at least one purchase in the period;
acquisition cohort (获客批次)
    the customers acquired in one period; retention in period *k* is the share of the
    cohort with a purchase *k* periods after the period of acquisition.

Examples
--------
>>> import pandas as pd
>>> from segkit.schema import CustomerData
>>> tx = pd.DataFrame({
...     "customer_id": ["a", "a", "b", "b"],
...     "timestamp": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-02-01", "2024-02-05"]),
...     "amount": [10.0, 20.0, 5.0, -5.0],
...     "is_return": [False, False, False, True]})
>>> data = CustomerData(transactions=tx)
>>> customer_base(data, "M")[["new_customers", "customer_base", "active_customers"]]
... # doctest: +NORMALIZE_WHITESPACE
            new_customers  customer_base  active_customers
period
2024-01-01              1              1                 1
2024-02-01              1              2                 2
>>> revenue(data, "M")  # doctest: +NORMALIZE_WHITESPACE
            gross_revenue  returns  net_revenue  complete
period
2024-01-01           10.0      0.0         10.0      True
2024-02-01           25.0      5.0         20.0     False
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import warnings

import numpy as np
import pandas as pd

from . import glossary, plot, privacy
from .exceptions import ParameterError
from .schema import TABLES, CustomerData

__all__ = [
    "GRAINS",
    "check_grain",
    "resolve_observation_end",
    "cut",
    "filter_region",
    "acquisition_dates",
    "customer_base",
    "revenue",
    "cohort_retention",
    "cohort_sizes",
    "data_quality",
    "format_data_quality",
    "example_rows",
    "OverviewReport",
]

#: Time grains of the report: day, week (ending Sunday), month.
GRAINS: tuple[str, ...] = ("D", "W", "M")


# ============================================================================ helpers


def check_grain(time_grain: str) -> str:
    """Return ``time_grain`` if it is one of :data:`GRAINS`, else raise a ParameterError.

    Examples
    --------
    >>> check_grain("W")
    'W'
    """
    if time_grain not in GRAINS:
        raise ParameterError(
            f"unknown time grain {time_grain!r}; use one of {', '.join(GRAINS)} (day, week, month)"
        )
    return time_grain


def _ordinals(s: pd.Series, grain: str) -> np.ndarray:
    """Period number of each timestamp (consecutive periods differ by one)."""
    return s.dt.to_period(grain).array.asi8


def _starts(ordinals, grain: str) -> pd.DatetimeIndex:
    return pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype="int64"), freq=grain).start_time


def _period_ordinal(ts: pd.Timestamp, grain: str) -> int:
    return pd.Period(ts, freq=grain).ordinal


def _is_return(tx: pd.DataFrame) -> pd.Series:
    if "is_return" in tx.columns:
        return tx["is_return"].fillna(False).astype(bool)
    return tx["amount"] < 0


def resolve_observation_end(data: CustomerData, observation_end=None) -> pd.Timestamp:
    """The observation end: the explicit one, else the data's own, else the last transaction.

    Parameters
    ----------
    data : CustomerData
    observation_end : date-like, optional
        ``None`` or ``""`` means "the data's own".

    Returns
    -------
    pandas.Timestamp

    Examples
    --------
    >>> import pandas as pd
    >>> data = CustomerData(transactions=pd.DataFrame(
    ...     {"customer_id": ["a"], "timestamp": pd.to_datetime(["2024-01-03"]), "amount": [1.0]}))
    >>> resolve_observation_end(data), resolve_observation_end(data, "2024-02-01")
    (Timestamp('2024-01-03 00:00:00'), Timestamp('2024-02-01 00:00:00'))
    """
    if observation_end is not None and observation_end != "":
        try:
            return pd.Timestamp(observation_end)
        except (TypeError, ValueError):
            raise ParameterError(
                f"observation_end {observation_end!r} is not a date; write it as YYYY-MM-DD"
            ) from None
    if data.observation_end is not None:
        return pd.Timestamp(data.observation_end)
    return pd.Timestamp(data.transactions["timestamp"].max())


def _time_columns(name: str, df: pd.DataFrame) -> list[str]:
    spec = TABLES.get(name)
    cols = list(spec.time_columns) if spec is not None else []
    return [c for c in cols if c in df.columns]


def cut(data: CustomerData, observation_end=None) -> CustomerData:
    """Keep the rows of every table dated up to the observation end.

    A row is dated by the first time column of its table (``acquisition_date`` for
    customers, ``timestamp`` for events, ``issue_date`` for invoices); rows without a
    date are kept.

    Parameters
    ----------
    data : CustomerData
    observation_end : date-like, optional
        Defaults to :func:`resolve_observation_end`.

    Returns
    -------
    CustomerData
        New tables, with ``observation_end`` set.
    """
    end = resolve_observation_end(data, observation_end)
    tables = {}
    for name, df in data.tables().items():
        cols = _time_columns(name, df)
        tables[name] = df[~(df[cols[0]] > end)].copy() if cols else df.copy()
    return dataclasses.replace(data, observation_end=end, **tables)


def filter_region(data: CustomerData, region: str) -> CustomerData:
    """Keep the customers of one region, and their rows in every table.

    Parameters
    ----------
    data : CustomerData
        Needs a ``customers`` table with a ``region`` column.
    region : str
        The region; ``""`` keeps everything.

    Returns
    -------
    CustomerData

    Raises
    ------
    ParameterError
        When the data has no regions, or none called ``region`` (the message lists them).
    """
    if region == "":
        return data
    customers = data.customers
    if customers is None or "region" not in customers.columns:
        raise ParameterError(
            f"region {region!r} asked for, but the data has no customers table with a "
            "region column; leave region empty to show all customers"
        )
    regions = sorted(customers["region"].dropna().astype(str).unique())
    if region not in regions:
        raise ParameterError(
            f"region {region!r} not found; the regions in the data are {', '.join(regions)}"
        )
    ids = pd.Index(customers.loc[customers["region"].astype(str) == region, "customer_id"])
    tables = {
        name: df[df["customer_id"].isin(ids)].copy()
        for name, df in data.tables().items()
        if "customer_id" in df.columns
    }
    return dataclasses.replace(data, **tables)


def acquisition_dates(data: CustomerData) -> pd.Series:
    """Acquisition date of every customer, indexed by ``customer_id``.

    From the ``customers`` table when it is given; customers who appear only in the
    transactions are acquired on their first transaction.

    Returns
    -------
    pandas.Series
        ``datetime64`` values named ``acquisition_date``.
    """
    tx = data.transactions
    first = tx.groupby("customer_id", sort=True)["timestamp"].min()
    if data.customers is not None and "acquisition_date" in data.customers.columns:
        known = data.customers.set_index("customer_id")["acquisition_date"]
        first = known.combine_first(first)
    first.index.name = "customer_id"
    return first.rename("acquisition_date").sort_index()


def _purchases(data: CustomerData, end: pd.Timestamp) -> pd.DataFrame:
    tx = data.transactions
    return tx.loc[~_is_return(tx) & (tx["timestamp"] <= end), ["customer_id", "timestamp"]]


def _period_range(first: pd.Timestamp, end: pd.Timestamp, grain: str) -> np.ndarray:
    return np.arange(_period_ordinal(first, grain), _period_ordinal(end, grain) + 1)


def _complete(periods: np.ndarray, grain: str, end: pd.Timestamp) -> np.ndarray:
    """Whether each period lies wholly before the observation end (its last day included).

    The last period is usually cut by the observation end; its counts are not comparable
    with the others', so figures mark it instead of letting it look like a collapse.
    """
    last_days = pd.PeriodIndex.from_ordinals(periods, freq=grain).end_time.normalize()
    return np.asarray(last_days <= end.normalize())


def customer_base(
    data: CustomerData, time_grain: str = "M", *, observation_end=None
) -> pd.DataFrame:
    """Customer base, new and active customers per period.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M"}, default "M"
    observation_end : date-like, optional
        Last date counted; defaults to the data's own.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (start of each period up to the observation end), with
        ``new_customers``, ``customer_base`` (acquired up to the period's end),
        ``active_customers`` (with a purchase in the period), ``active_share``
        (active / base) and ``complete`` (False for a period cut by the observation end).
    """
    grain = check_grain(time_grain)
    end = resolve_observation_end(data, observation_end)
    acq = acquisition_dates(data)
    acq = acq[acq <= end]
    buys = _purchases(data, end)
    starts = [s for s in (acq.min(), buys["timestamp"].min()) if pd.notna(s)]
    if not starts:
        return pd.DataFrame(
            columns=["new_customers", "customer_base", "active_customers", "active_share",
                     "complete"],
            index=pd.DatetimeIndex([], name="period"),
        )
    periods = _period_range(min(starts), end, grain)
    new = pd.Series(_ordinals(acq, grain)).value_counts().reindex(periods, fill_value=0)
    active = (
        pd.Series(buys["customer_id"].to_numpy(), index=_ordinals(buys["timestamp"], grain))
        .groupby(level=0)
        .nunique()
        .reindex(periods, fill_value=0)
    )
    base = new.cumsum()
    out = pd.DataFrame(
        {
            "new_customers": new.to_numpy(dtype="int64"),
            "customer_base": base.to_numpy(dtype="int64"),
            "active_customers": active.to_numpy(dtype="int64"),
        },
        index=_starts(periods, grain).rename("period"),
    )
    out["active_share"] = out["active_customers"] / out["customer_base"].where(
        out["customer_base"] > 0
    )
    out["complete"] = _complete(periods, grain, end)
    return out


def revenue(data: CustomerData, time_grain: str = "M", *, observation_end=None) -> pd.DataFrame:
    """Gross revenue, returns and net revenue per period.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M"}, default "M"
    observation_end : date-like, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period``: ``gross_revenue`` (sum of purchase lines), ``returns``
        (refunded amount, as a positive number), ``net_revenue`` (gross - returns) and
        ``complete`` (False for a period cut by the observation end).
    """
    grain = check_grain(time_grain)
    end = resolve_observation_end(data, observation_end)
    tx = data.transactions
    tx = tx[tx["timestamp"] <= end]
    cols = ["gross_revenue", "returns", "net_revenue", "complete"]
    if tx.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], name="period"), dtype=float)
    periods = _period_range(tx["timestamp"].min(), end, grain)
    ords = _ordinals(tx["timestamp"], grain)
    ret = _is_return(tx).to_numpy()
    amount = tx["amount"].to_numpy(dtype=float)
    gross = pd.Series(np.where(ret, 0.0, amount)).groupby(ords).sum()
    returns = pd.Series(np.where(ret, -amount, 0.0)).groupby(ords).sum()
    out = pd.DataFrame(
        {
            "gross_revenue": gross.reindex(periods, fill_value=0.0).to_numpy(),
            "returns": returns.reindex(periods, fill_value=0.0).to_numpy() + 0.0,
        },
        index=_starts(periods, grain).rename("period"),
    )
    out["net_revenue"] = out["gross_revenue"] - out["returns"]
    out["complete"] = _complete(periods, grain, end)
    return out


def _cohorts(data: CustomerData, grain: str, end: pd.Timestamp) -> pd.Series:
    acq = acquisition_dates(data)
    acq = acq[acq <= end]
    return pd.Series(_ordinals(acq, grain), index=acq.index, name="cohort")


def cohort_sizes(data: CustomerData, time_grain: str = "M", *, observation_end=None) -> pd.Series:
    """Number of customers acquired per period (the size of each acquisition cohort).

    Returns
    -------
    pandas.Series
        Indexed by ``cohort`` (period start), named ``customers``.
    """
    grain = check_grain(time_grain)
    end = resolve_observation_end(data, observation_end)
    sizes = _cohorts(data, grain, end).value_counts().sort_index()
    return pd.Series(
        sizes.to_numpy(dtype="int64"),
        index=_starts(sizes.index, grain).rename("cohort"),
        name="customers",
    )


def cohort_retention(
    data: CustomerData,
    time_grain: str = "M",
    *,
    observation_end=None,
    max_periods: int | None = None,
) -> pd.DataFrame:
    """Retention matrix of acquisition cohorts.

    Cell ``(cohort, k)`` is the share of the customers acquired in period ``cohort``
    with at least one purchase in period ``cohort + k`` (``k = 0`` is the period of
    acquisition). Cells after the observation end are missing (NaN), not zero.

    Parameters
    ----------
    data : CustomerData
    time_grain : {"D", "W", "M"}, default "M"
    observation_end : date-like, optional
    max_periods : int, optional
        Keep the columns ``k = 0 .. max_periods - 1``.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (period start), columns ``k`` (0, 1, ...), values in [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-03", "2024-03-10", "2024-01-20"]),
    ...     "amount": [10.0, 20.0, 5.0]})
    >>> cohort_retention(CustomerData(transactions=tx), "M")  # doctest: +NORMALIZE_WHITESPACE
    k             0    1    2
    cohort
    2024-01-01  1.0  0.0  0.5
    """
    grain = check_grain(time_grain)
    if max_periods is not None and max_periods < 1:
        raise ParameterError(f"max_periods must be at least 1, got {max_periods}")
    end = resolve_observation_end(data, observation_end)
    end_ord = _period_ordinal(end, grain)
    cohort = _cohorts(data, grain, end)
    if cohort.empty:
        return pd.DataFrame(
            index=pd.DatetimeIndex([], name="cohort"), columns=pd.Index([], name="k"), dtype=float
        )
    buys = _purchases(data, end)
    buys = pd.DataFrame(
        {"customer_id": buys["customer_id"].to_numpy(), "ord": _ordinals(buys["timestamp"], grain)}
    ).drop_duplicates()
    buys["cohort"] = buys["customer_id"].map(cohort)
    buys = buys.dropna(subset=["cohort"])
    buys["k"] = buys["ord"] - buys["cohort"].astype("int64")
    buys = buys[buys["k"] >= 0]
    cohorts = np.sort(cohort.unique())
    n_k = int(end_ord - cohorts.min()) + 1
    if max_periods is not None:
        n_k = min(n_k, max_periods)
    counts = (
        buys.groupby(["cohort", "k"])["customer_id"]
        .nunique()
        .unstack("k")
        .reindex(index=cohorts, columns=range(n_k))
        .fillna(0.0)
    )
    sizes = cohort.value_counts().reindex(cohorts)
    share = counts.div(sizes.to_numpy(), axis=0)
    observable = (cohorts[:, None] + np.arange(n_k)[None, :]) <= end_ord
    share = share.where(observable)
    share.index = _starts(cohorts, grain).rename("cohort")
    share.columns = pd.Index(range(n_k), name="k")
    return share


def data_quality(data: CustomerData, *, observation_end=None) -> pd.DataFrame:
    """One row per table: size, missing values, dates, duplicates, returns, late rows.

    Parameters
    ----------
    data : CustomerData
    observation_end : date-like, optional
        Rows with any date after it are counted in ``rows_after_end``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``table``, with ``rows``, ``columns``, ``customers`` (distinct ids),
        ``missing_values`` (empty cells), ``missing_share`` (of all cells),
        ``first_date`` and ``last_date`` (of the table's first time column),
        ``duplicate_rows`` (rows equal to an earlier row), ``duplicate_keys`` (rows whose
        key repeats an earlier row's, for tables with a key), ``returns_share`` (share of
        transaction lines that are returns) and ``rows_after_end``.
    """
    end = resolve_observation_end(data, observation_end)
    rows = []
    for name, df in data.tables().items():
        spec = TABLES[name]
        times = _time_columns(name, df)
        key = [k for k in spec.key if k in df.columns]
        missing = int(df.isna().sum().sum())
        cells = df.shape[0] * df.shape[1]
        after = (
            int(pd.concat([df[c] > end for c in times], axis=1).any(axis=1).sum()) if times else 0
        )
        rows.append(
            {
                "table": name,
                "rows": len(df),
                "columns": df.shape[1],
                "customers": df["customer_id"].nunique() if "customer_id" in df.columns else pd.NA,
                "missing_values": missing,
                "missing_share": missing / cells if cells else np.nan,
                "first_date": df[times[0]].min() if times else pd.NaT,
                "last_date": df[times[0]].max() if times else pd.NaT,
                "duplicate_rows": int(df.duplicated().sum()),
                "duplicate_keys": (
                    int(df.duplicated(key).sum()) if key and len(key) == len(spec.key) else pd.NA
                ),
                "returns_share": (
                    float(_is_return(df).mean()) if name == "transactions" and len(df) else np.nan
                ),
                "rows_after_end": after,
            }
        )
    out = pd.DataFrame(rows).set_index("table")
    for c in (
        "rows",
        "columns",
        "customers",
        "missing_values",
        "duplicate_rows",
        "duplicate_keys",
        "rows_after_end",
    ):
        out[c] = out[c].astype("Int64")
    for c in ("first_date", "last_date"):
        out[c] = pd.to_datetime(out[c])
    out["missing_share"] = out["missing_share"].astype(float)
    out["returns_share"] = out["returns_share"].astype(float)
    return out


def _fmt_int(v) -> str:
    return "" if pd.isna(v) else f"{int(v):,}"


def _fmt_pct(v) -> str:
    if pd.isna(v):
        return ""
    return "0%" if v == 0 else f"{100 * v:.3g}%"


def _fmt_date(v) -> str:
    return "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


_DQ_FORMATS = {
    "rows": _fmt_int,
    "columns": _fmt_int,
    "customers": _fmt_int,
    "missing_values": _fmt_int,
    "missing_share": _fmt_pct,
    "first_date": _fmt_date,
    "last_date": _fmt_date,
    "duplicate_rows": _fmt_int,
    "duplicate_keys": _fmt_int,
    "returns_share": _fmt_pct,
    "rows_after_end": _fmt_int,
}


def format_data_quality(quality: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The data-quality table ready to show: text cells, labels in ``lang``.

    Counts get thousands separators, shares are percentages with three significant
    digits, dates are ``YYYY-MM-DD``, missing cells are empty.

    Parameters
    ----------
    quality : pandas.DataFrame
        Output of :func:`data_quality`.
    lang : str, default "en"

    Returns
    -------
    pandas.DataFrame
    """
    g = glossary.Glossary(lang)
    out = pd.DataFrame(index=quality.index)
    for col, fmt in _DQ_FORMATS.items():
        if col in quality.columns:
            out[g[f"dq_{col}"]] = quality[col].map(fmt)
    out.index = [g[f"table_{name}"] for name in quality.index]
    out.index.name = g["dq_table"]
    return out


def example_rows(df: pd.DataFrame, n: int = 5, *, table: str | None = None) -> pd.DataFrame:
    """The first ``n`` rows of a table in time order (by its first time column).

    Parameters
    ----------
    df : pandas.DataFrame
    n : int, default 5
    table : str, optional
        Name of the table in the data model, to find its time column.

    Returns
    -------
    pandas.DataFrame
    """
    cols = _time_columns(table, df) if table else []
    ordered = df.sort_values(cols[0], kind="stable") if cols else df
    return ordered.head(n).reset_index(drop=True)


# ============================================================================ the report


class OverviewReport:
    """The sections of the overview report, one method per template cell.

    The data is loaded through :func:`segkit.report.load_source`, then protected
    (:func:`segkit.privacy.protect`: personal columns dropped, customer ids
    pseudonymised) before anything else, then filtered to a region and cut at the
    observation end. Each method displays a heading from the glossary and the
    section's figure or table; it returns nothing.

    Parameters
    ----------
    data : str or CustomerData
        A data source name or folder (see :func:`segkit.report.load_source`), or tables.
    observation_end : str, default ""
        ``YYYY-MM-DD``; empty means the data's own.
    time_grain : {"D", "W", "M"}, default "M"
    lang : {"en", "zh"}, default "en"
    region : str, default ""
        Empty means all regions.
    title : str, default ""
        Empty means the glossary's title.
    salt : str, default privacy.DEFAULT_SALT
        Key of the pseudonyms.
    cohort_periods : int, default 12
        Columns of the cohort heat map.
    max_cohorts : int, default 24
        Rows (the most recent cohorts) of the cohort heat map.
    """

    def __init__(
        self,
        data: str | CustomerData,
        *,
        observation_end: str = "",
        time_grain: str = "M",
        lang: str = "en",
        region: str = "",
        title: str = "",
        salt: str = privacy.DEFAULT_SALT,
        cohort_periods: int = 12,
        max_cohorts: int = 24,
    ):
        from .report import load_source

        self.lang = glossary.check_lang(lang)
        self.g = glossary.Glossary(lang)
        self.time_grain = check_grain(time_grain)
        self.region = region
        self.title = title or self.g["overview_title"]
        self.cohort_periods = cohort_periods
        self.max_cohorts = max_cohorts
        raw = load_source(data) if isinstance(data, str) else data
        self.source = data if isinstance(data, str) else (raw.source or "CustomerData")
        self.parameters = {
            "data": self.source,
            "observation_end": observation_end,
            "time_grain": time_grain,
            "lang": lang,
            "region": region,
            "title": title,
            "salt": "***" if salt != privacy.DEFAULT_SALT else salt,
            "cohort_periods": cohort_periods,
        }
        safe = privacy.protect(raw, salt=salt)
        del raw
        self.observation_end = resolve_observation_end(safe, observation_end or None)
        safe = filter_region(safe, region)
        self.quality = data_quality(safe, observation_end=self.observation_end)
        self.data = cut(safe, self.observation_end)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.figure_lang = plot.figure_lang(self.lang)
        self.font_note = bool(caught)

    # ------------------------------------------------------------------ display helpers
    @staticmethod
    def _show(*objs) -> None:
        from IPython.display import display

        for obj in objs:
            display(obj)

    def _heading(self, key: str, level: int = 2, **fields) -> None:
        from IPython.display import Markdown

        self._show(Markdown("#" * level + " " + self.g(key, **fields)))

    def _note(self, key: str, **fields) -> None:
        from IPython.display import Markdown

        self._show(Markdown(self.g(key, **fields)))

    def _table(self, df: pd.DataFrame, index: bool = False) -> None:
        from IPython.display import HTML

        shown = df.reset_index() if index else df
        self._show(HTML(shown.to_html(index=False, border=0, na_rep="")))

    def _figure(self, fig, key: str) -> None:
        from IPython.display import display

        display(fig, metadata={"image/png": {"alt": self.g(key)}})

    @property
    def _grain_word(self) -> str:
        return self.g(f"grain_{self.time_grain}")

    # ------------------------------------------------------------------ sections
    def header(self) -> None:
        """Title, data source, observation end, region, version, render time, parameters."""
        from html import escape

        from IPython.display import HTML, Markdown

        from .report import segkit_version

        g = self.g
        rendered = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
        params = ", ".join(
            f"<code>{escape(k)}={escape(_param_text(v))}</code>" for k, v in self.parameters.items()
        )
        rows = [
            (g["header_data_source"], escape(str(self.source))),
            (g["header_observation_end"], _fmt_date(self.observation_end)),
            (g["header_region"], escape(self.region) or g["all_regions"]),
            (g["header_time_grain"], self._grain_word),
            (g["header_version"], escape(segkit_version())),
            (g["header_rendered"], rendered),
            (g["header_parameters"], params),
        ]
        table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        note = g["header_privacy"] + (" " + g["font_fallback_note"] if self.font_note else "")
        self._show(
            Markdown(f"# {_md(self.title)}"),
            HTML(f'<table class="segkit-header">{table}</table><p>{escape(note)}</p>'),
        )

    def customer_base(self) -> None:
        """Customer base, new and active customers over time."""
        self._heading("sec_customer_base")
        base = customer_base(self.data, self.time_grain)
        self._figure(
            plot.customer_base(base, lang=self.figure_lang, time_grain=self.time_grain),
            "sec_customer_base",
        )
        self._note("sec_customer_base_note", grain=self._grain_word)

    def revenue(self) -> None:
        """Gross revenue, returns and net revenue over time."""
        self._heading("sec_revenue")
        rev = revenue(self.data, self.time_grain)
        self._figure(
            plot.revenue(rev, lang=self.figure_lang, time_grain=self.time_grain), "sec_revenue"
        )
        self._note("sec_revenue_note", grain=self._grain_word)

    def cohorts(self) -> None:
        """Heat map of the retention of acquisition cohorts."""
        self._heading("sec_cohorts")
        matrix = cohort_retention(self.data, self.time_grain, max_periods=self.cohort_periods)
        matrix = matrix.tail(self.max_cohorts)
        if matrix.empty:
            self._note("no_data")
            return
        self._figure(
            plot.cohort_retention(matrix, lang=self.figure_lang, time_grain=self.time_grain),
            "sec_cohorts",
        )
        self._note("sec_cohorts_note", grain=self._grain_word)

    def data_quality(self) -> None:
        """The data-quality table, and a few example rows of the transactions."""
        self._heading("sec_data_quality")
        self._note("sec_data_quality_note")
        self._table(format_data_quality(self.quality, self.lang), index=True)
        if int(self.quality["rows_after_end"].fillna(0).sum()):
            self._note("rows_after_end_note", end=_fmt_date(self.observation_end))
        self._heading("sec_example_rows", level=3, table=self.g["table_transactions"])
        self._table(example_rows(self.data.transactions, table="transactions"))


def _param_text(value: object) -> str:
    """A parameter value as shown in the header: empty text as ``""``."""
    return '""' if value == "" else str(value)


def _md(value: object) -> str:
    """Text safe inside a Markdown table cell or code span."""
    return str(value).replace("|", "\\|").replace("`", "'").replace("\n", " ")
