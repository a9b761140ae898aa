"""Loss reasons from what customers wrote: a keyword rule and a small text classifier.

The ``text`` column of ``complaints`` (optional, personal: it is never shown in a
report) holds what a customer wrote, in English or Chinese. Two ways to read a reason
(product, price, service, competition, other: :data:`segkit.schema.REASONS`) from it:

- :class:`KeywordRule`: transparent. Every reason has a list of words in each language
  (:data:`KEYWORDS`); the reason with the most words in the text wins, and on a tie
  the one mentioned *last* ("the price is fair, but the staff were rude" is about
  service). A text without any word is ``unknown``. :meth:`KeywordRule.explain` shows
  the words that decided.
- :class:`TextClassifier`: a scikit-learn pipeline of TF-IDF on character n-grams
  (``char_wb``: no word segmentation is needed for Chinese) and a multinomial logistic
  regression, learnt from rows whose reason is recorded. :meth:`TextClassifier.top_terms`
  shows the n-grams that weigh most for each reason.

:func:`evaluate_reason_text` judges both on held-out labelled rows (split by customer),
overall and by language, against always guessing the commonest reason; and
:func:`reasons_from_text` fills the reasons a table lacks from its texts, saying where
each reason came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..exceptions import NotFittedError, ParameterError, SchemaError
from ..schema import REASONS

__all__ = [
    "KEYWORDS",
    "UNKNOWN",
    "TEXT_SOURCES",
    "KeywordRule",
    "TextClassifier",
    "ReasonTextEvaluation",
    "evaluate_reason_text",
    "reasons_from_text",
    "text_language",
]

#: What the rule returns for a text without any keyword.
UNKNOWN = "unknown"
#: Values of ``reason_source`` in :func:`reasons_from_text`.
TEXT_SOURCES: tuple[str, ...] = ("recorded", "text", "none")

#: Words that point to each reason, by language (lower case; English words match at
#: word starts, so "expens" matches "expensive"; Chinese words match anywhere).
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "product": {
        "en": ("broke", "broken", "quality", "damaged", "defect", "faulty", "feature",
               "repair", "failing", "material", "size", "after-sales"),
        "zh": ("坏", "质量", "损坏", "功能", "材质", "尺码", "故障", "维修", "售后"),
    },
    "price": {
        "en": ("expens", "price", "cost", "fee", "discount", "pricing", "bill"),
        "zh": ("贵", "涨价", "价格", "优惠", "费用", "阶梯价"),
    },
    "service": {
        "en": ("service", "staff", "rude", "delivery", "late", "hotline", "support",
               "waited", "response", "return", "transferr"),
        "zh": ("客服", "态度", "快递", "热线", "退货", "太慢", "店员", "通知", "转来转去"),
    },
    "competition": {
        "en": ("competitor", "another shop", "other shop", "another brand", "rival",
               "switching", "provider", "other app", "cheaper", "better deal"),
        "zh": ("别家", "竞争对手", "换别的", "别的平台", "另一家", "换一家", "品牌"),
    },
    "other": {
        "en": ("moving", "no longer need", "personal reason", "circumstances", "gift"),
        "zh": ("搬", "不需要", "个人原因", "情况有变", "送人", "用不上"),
    },
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def text_language(texts: Any) -> np.ndarray:
    """``"zh"`` for a text with a Chinese character, ``"en"`` otherwise, None for no text.

    Examples
    --------
    >>> text_language(["Too expensive", "太贵了", None]).tolist()
    ['en', 'zh', None]
    """
    s = pd.Series(texts, dtype=object)
    zh = s.astype("string").str.contains(_CJK, na=False).to_numpy()
    out = np.where(zh, "zh", "en").astype(object)
    out[s.isna().to_numpy()] = None
    return out


def _texts(texts: Any, name: str = "texts") -> pd.Series:
    if isinstance(texts, str) or texts is None:
        raise ParameterError(f"{name} must be a list or Series of texts, not a single "
                             f"{type(texts).__name__}")
    s = pd.Series(texts, dtype=object).reset_index(drop=True)
    bad = s.notna() & ~s.map(lambda v: isinstance(v, str))
    if bad.any():
        raise ParameterError(
            f"{name} must hold strings (or missing values); {int(bad.sum())} do not, e.g. "
            f"{s[bad].head(3).tolist()}"
        )
    return s


def _pattern(words: tuple[str, ...], lang: str) -> str:
    escaped = [re.escape(w) for w in words]
    if lang == "en":
        return r"\b(?:" + "|".join(escaped) + ")"
    return "(?:" + "|".join(escaped) + ")"


# --------------------------------------------------------------------------- the rule
class KeywordRule(BaseEstimator, ClassifierMixin):
    """A transparent rule: the reason whose keywords appear most, the last one on a tie.

    Parameters
    ----------
    keywords : dict, optional
        ``{reason: {"en": (...), "zh": (...)}}``; defaults to :data:`KEYWORDS`.

    Examples
    --------
    >>> rule = KeywordRule().fit()
    >>> rule.predict(["Way too expensive!", "The price is fair, but the staff were rude",
    ...               "客服一直不接电话", "Very disappointed"]).tolist()
    ['price', 'service', 'service', 'unknown']
    >>> rule.explain(["客服一直不接电话"])["matched"].tolist()
    ['客服']
    """

    def __init__(self, keywords: dict[str, dict[str, tuple[str, ...]]] | None = None):
        self.keywords = keywords

    def fit(self, X: Any = None, y: Any = None) -> KeywordRule:
        """Check the keywords (the rule learns nothing from data)."""
        kw = KEYWORDS if self.keywords is None else self.keywords
        if not isinstance(kw, dict) or not kw:
            raise ParameterError("keywords must be a non-empty dict {reason: {lang: words}}")
        compiled = {}
        for reason, by_lang in kw.items():
            if not isinstance(by_lang, dict):
                raise ParameterError(f"keywords[{reason!r}] must be a dict {{lang: words}}")
            pats = [_pattern(tuple(w.lower() for w in words), lang)
                    for lang, words in by_lang.items() if words]
            if not pats:
                raise ParameterError(f"keywords[{reason!r}] has no words")
            compiled[reason] = re.compile("|".join(pats))
        self.patterns_ = compiled
        self.classes_ = np.array(list(compiled), dtype=object)
        return self

    def _scores(self, texts: Any) -> tuple[pd.Series, np.ndarray, np.ndarray]:
        if not hasattr(self, "patterns_"):
            raise NotFittedError("call KeywordRule().fit() first")
        s = _texts(texts).fillna("").str.lower()
        counts = np.column_stack([s.str.count(p).to_numpy() for p in self.patterns_.values()])
        last = np.column_stack([
            s.map(lambda t, p=p: max((m.start() for m in p.finditer(t)), default=-1)).to_numpy()
            for p in self.patterns_.values()
        ])
        return s, counts.astype(np.int64), last.astype(np.int64)

    def predict(self, texts: Any) -> np.ndarray:
        """The reason of each text, or :data:`UNKNOWN` when no keyword appears."""
        _, counts, last = self._scores(texts)
        best = counts.max(axis=1, keepdims=True)
        # among the reasons with the most words, the one mentioned last
        key = np.where(counts == best, last, -2)
        pick = key.argmax(axis=1)
        out = self.classes_[pick].astype(object)
        out[best[:, 0] == 0] = UNKNOWN
        return out

    def explain(self, texts: Any) -> pd.DataFrame:
        """The reason of each text with the keywords found for it (``matched``)."""
        s, _, _ = self._scores(texts)
        reason = self.predict(texts)
        pats = self.patterns_
        matched = [
            ", ".join(dict.fromkeys(m.group(0) for m in pats[r].finditer(t))) if r in pats
            else ""
            for t, r in zip(s, reason, strict=True)
        ]
        return pd.DataFrame({"reason": reason, "matched": matched})


# --------------------------------------------------------------------------- the classifier
class TextClassifier(BaseEstimator, ClassifierMixin):
    """TF-IDF on character n-grams and a logistic regression: a reason from any text.

    Character n-grams within word boundaries (``char_wb``) read English and Chinese
    alike, without a word segmenter.

    Parameters
    ----------
    ngram_range : tuple of int
        Lengths of the character n-grams.
    C : float
        Inverse strength of the L2 penalty of the logistic regression.
    min_df : int
        Ignore n-grams in fewer texts than this.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
    classes_ : ndarray

    Examples
    --------
    >>> texts = ["too expensive", "price went up", "staff were rude", "slow delivery",
    ...          "太贵了", "又涨价了", "客服态度差", "快递太慢"]
    >>> y = ["price", "price", "service", "service"] * 2
    >>> clf = TextClassifier().fit(texts, y)
    >>> clf.predict(["so expensive", "态度很差"]).tolist()
    ['price', 'service']
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), C: float = 10.0, min_df: int = 1):
        self.ngram_range = ngram_range
        self.C = C
        self.min_df = min_df

    def fit(self, texts: Any, reasons: Any) -> TextClassifier:
        """Learn from texts with their recorded reasons (rows missing either are refused)."""
        s = _texts(texts)
        y = pd.Series(reasons, dtype=object).reset_index(drop=True)
        if len(y) != len(s):
            raise ParameterError(f"{len(s)} texts but {len(y)} reasons")
        missing = s.isna() | y.isna()
        if missing.any():
            raise ParameterError(
                f"{int(missing.sum())} rows lack a text or a reason; pass labelled rows only"
            )
        if y.nunique() < 2:
            raise ParameterError("the texts need at least two different reasons to learn from")
        lo, hi = self.ngram_range
        if not (1 <= int(lo) <= int(hi)):
            raise ParameterError(f"ngram_range must be (lo, hi) with 1 <= lo <= hi, got "
                                 f"{self.ngram_range}")
        if not float(self.C) > 0:
            raise ParameterError(f"C must be > 0, got {self.C}")
        self.pipeline_ = Pipeline([
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(int(lo), int(hi)),
                                      min_df=int(self.min_df), sublinear_tf=True,
                                      lowercase=True)),
            ("model", LogisticRegression(C=float(self.C), max_iter=2000)),
        ]).fit(s.tolist(), y.astype(str).tolist())
        self.classes_ = self.pipeline_.classes_
        return self

    def _check(self) -> None:
        try:
            check_is_fitted(self, "pipeline_")
        except Exception as err:
            raise NotFittedError("call TextClassifier.fit(texts, reasons) first") from err

    def predict(self, texts: Any) -> np.ndarray:
        """The most probable reason of each text."""
        self._check()
        s = _texts(texts)
        if s.isna().any():
            raise ParameterError(f"{int(s.isna().sum())} texts are missing; predict texts only")
        return np.asarray(self.pipeline_.predict(s.tolist()), dtype=object)

    def predict_proba(self, texts: Any) -> np.ndarray:
        """Probability of every reason (columns in ``classes_`` order)."""
        self._check()
        s = _texts(texts)
        if s.isna().any():
            raise ParameterError(f"{int(s.isna().sum())} texts are missing; predict texts only")
        return self.pipeline_.predict_proba(s.tolist())

    def top_terms(self, n: int = 8) -> pd.DataFrame:
        """The ``n`` n-grams with the largest weight for each reason (the model's reading).

        Returns
        -------
        DataFrame
            Columns ``reason``, ``rank``, ``ngram``, ``weight``.
        """
        self._check()
        vocab = np.asarray(self.pipeline_["tfidf"].get_feature_names_out(), dtype=object)
        coef = self.pipeline_["model"].coef_
        if coef.shape[0] == 1:  # two classes: one row of weights for the second
            coef = np.vstack([-coef[0], coef[0]])
        rows = []
        for k, reason in enumerate(self.classes_):
            top = np.argsort(-coef[k], kind="stable")[: int(n)]
            rows.append(pd.DataFrame({"reason": reason, "rank": np.arange(1, len(top) + 1),
                                      "ngram": vocab[top], "weight": coef[k, top]}))
        return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------- evaluation
def _labelled(complaints: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(complaints, pd.DataFrame):
        raise ParameterError(f"complaints must be a DataFrame, got {type(complaints).__name__}")
    missing = [c for c in ("customer_id", "reason", "text") if c not in complaints.columns]
    if missing:
        raise SchemaError(
            "complaints", missing[0],
            f"required column(s) {missing} missing (the text column is optional in the "
            f"data model, but reading reasons from text needs it); present: "
            f"{list(complaints.columns)}",
        )
    c = complaints[["customer_id", "reason", "text"]]
    bad = c["reason"].notna() & ~c["reason"].isin(REASONS)
    if bad.any():
        raise SchemaError("complaints", "reason", f"must be one of {list(REASONS)}",
                          examples=complaints.loc[bad, ["customer_id", "reason"]].head(5),
                          n_bad=int(bad.sum()))
    _texts(c["text"], "complaints.text")
    return c


@dataclass(frozen=True)
class ReasonTextEvaluation:
    """Scores of the keyword rule and the classifier on held-out labelled texts.

    Attributes
    ----------
    scores : DataFrame
        One row per method (``majority``, ``keyword rule``, ``classifier``) and language
        (``all``, ``en``, ``zh``): ``n`` texts, ``accuracy``, ``macro_f1`` and, for the
        rule, ``unknown_share`` (texts it could not place; they count as wrong).
    confusion : DataFrame
        The classifier's counts, true reason (rows) by predicted reason (columns).
    classifier : TextClassifier
        Fitted on the training rows.
    n_train, n_test : int
    """

    scores: pd.DataFrame
    confusion: pd.DataFrame
    classifier: TextClassifier
    n_train: int
    n_test: int


def evaluate_reason_text(
    complaints: pd.DataFrame,
    *,
    test_size: float = 0.3,
    seed: int = 0,
    classifier: TextClassifier | None = None,
    rule: KeywordRule | None = None,
) -> ReasonTextEvaluation:
    """Judge the keyword rule and the text classifier on held-out labelled rows.

    The labelled rows (a text and a recorded reason) are split by customer, so no
    customer's texts are on both sides; the classifier learns on the training part,
    and both methods, and always guessing the training part's commonest reason, are
    scored on the test part, overall and by language (:func:`text_language`).

    Parameters
    ----------
    complaints : DataFrame
        The ``complaints`` table with ``customer_id``, ``reason`` and ``text``.
    test_size : float
        Share of customers held out.
    seed : int
        Seed of the split.
    classifier, rule : optional
        Unfitted models to judge (defaults: :class:`TextClassifier`, :class:`KeywordRule`).

    Examples
    --------
    >>> from segkit.datasets import simulate
    >>> sim = simulate(n_customers=1500, seed=3)
    >>> ev = evaluate_reason_text(sim.tables.complaints)
    >>> s = ev.scores.set_index(["method", "language"])["accuracy"]
    >>> bool(s["classifier", "all"] > s["majority", "all"] + 0.3)
    True
    """
    if not 0.0 < float(test_size) < 1.0:
        raise ParameterError(f"test_size must be in (0, 1), got {test_size}")
    c = _labelled(complaints)
    lab = c[c["reason"].notna() & c["text"].notna()].reset_index(drop=True)
    if lab["customer_id"].nunique() < 4 or lab["reason"].nunique() < 2:
        raise ParameterError(
            f"too few labelled texts to evaluate: {len(lab)} rows with a text and a reason "
            f"from {lab['customer_id'].nunique()} customers"
        )
    split = GroupShuffleSplit(n_splits=1, test_size=float(test_size), random_state=int(seed))
    tr, te = next(split.split(lab, groups=lab["customer_id"].astype(str)))
    train, test = lab.iloc[tr], lab.iloc[te]
    clf = (TextClassifier() if classifier is None else classifier).fit(train["text"],
                                                                        train["reason"])
    rl = (KeywordRule() if rule is None else rule).fit()
    majority = train["reason"].mode().iloc[0]
    preds = {
        "majority": np.full(len(test), majority, dtype=object),
        "keyword rule": rl.predict(test["text"]),
        "classifier": clf.predict(test["text"]),
    }
    lang = text_language(test["text"])
    y = test["reason"].astype(str).to_numpy()
    rows = []
    for method, p in preds.items():
        for lg in ("all", "en", "zh"):
            m = np.ones(len(y), bool) if lg == "all" else (lang == lg)
            if not m.any():
                continue
            rows.append({
                "method": method, "language": lg, "n": int(m.sum()),
                "accuracy": float(accuracy_score(y[m], p[m])),
                "macro_f1": float(f1_score(y[m], p[m].astype(str), average="macro",
                                           labels=sorted(set(y)), zero_division=0)),
                "unknown_share": float(np.mean(p[m] == UNKNOWN)),
            })
    confusion = pd.crosstab(pd.Series(y, name="true"), pd.Series(preds["classifier"],
                                                                 name="predicted"))
    return ReasonTextEvaluation(pd.DataFrame(rows), confusion, clf, len(train), len(test))


def reasons_from_text(complaints: pd.DataFrame, model: Any = None, *,
                      negative_max_rating: int = 2) -> pd.DataFrame:
    """Fill the reasons a complaints table lacks from the texts; say where each came from.

    A recorded reason is kept. A complaint, or a negative review, without one but with
    a text gets the model's reason (the rule's ``unknown`` leaves it missing);
    ``reason_source`` says ``recorded``, ``text`` or ``none``. Reviews rated above
    ``negative_max_rating`` are praise and are not read: "friendly staff" would
    otherwise become a service complaint. The input is not modified.

    Parameters
    ----------
    complaints : DataFrame
        With ``customer_id``, ``reason`` and ``text``.
    model : KeywordRule or TextClassifier, optional
        Fitted; defaults to the keyword rule.
    negative_max_rating : int
        Highest rating of a negative review (used when ``kind`` and ``rating`` exist).

    Examples
    --------
    >>> c = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "reason": ["price", None, None],
    ...                   "text": ["too expensive", "快递太慢了", None]})
    >>> out = reasons_from_text(c)
    >>> out[["reason", "reason_source"]].values.tolist()
    [['price', 'recorded'], ['service', 'text'], [None, 'none']]
    """
    c = _labelled(complaints)
    model = KeywordRule().fit() if model is None else model
    out = complaints.copy()
    need = c["reason"].isna() & c["text"].notna()
    if {"kind", "rating"} <= set(complaints.columns):
        rating = pd.to_numeric(complaints["rating"], errors="coerce")
        praise = (complaints["kind"] == "review") & ~(rating <= int(negative_max_rating))
        need &= ~praise
    source = np.where(c["reason"].notna(), "recorded", "none").astype(object)
    reason = c["reason"].to_numpy(dtype=object).copy()
    if need.any():
        try:
            guess = np.asarray(model.predict(c.loc[need, "text"]), dtype=object)
        except AttributeError as err:
            raise ParameterError("model must be a fitted KeywordRule or TextClassifier") from err
        placed = guess != UNKNOWN
        idx = np.flatnonzero(need.to_numpy())
        reason[idx[placed]] = guess[placed]
        source[idx[placed]] = "text"
    out["reason"] = reason
    out["reason_source"] = source
    return out
