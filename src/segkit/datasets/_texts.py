"""Free text of simulated complaints and reviews, in English and Chinese.

What a customer writes is built from a phrase that names the reason (slow delivery
for ``service``, a cheaper offer elsewhere for ``competition`` ...), sometimes with an
opener, a closing remark or a *decoy* (a word of another reason said in passing: "the
price is fine but ..."), and sometimes vague ("very disappointed"), saying nothing
about the reason at all. Positive reviews get praise. So a keyword rule is right most
of the time but not always, and no method can place the vague texts: the simulator's
reason column is the truth a text classifier is judged against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PHRASES", "DECOYS", "VAGUE", "PRAISE", "complaint_texts"]

#: Phrases naming each reason, by language.
PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "product": {
        "en": (
            "the product broke after two weeks",
            "poor quality, the item arrived damaged",
            "it is missing a feature that was advertised",
            "the size was wrong and the material feels cheap",
            "after-sales repair took a month",
            "the device keeps failing",
            "quality has gone down a lot",
        ),
        "zh": (
            "产品用了两周就坏了",
            "质量太差，收到时已经损坏",
            "宣传的功能根本没有",
            "尺码不对，材质也很廉价",
            "售后维修拖了一个月",
            "设备老是出故障",
            "质量比以前差多了",
        ),
    },
    "price": {
        "en": (
            "too expensive for what you get",
            "the price went up again",
            "no discount for loyal customers",
            "prices are higher than last year",
            "hidden fees on the bill",
            "it costs too much now",
            "no tiered pricing for regular buyers",
        ),
        "zh": (
            "价格太贵，不值这个钱",
            "又涨价了",
            "老客户没有任何优惠",
            "价格比去年高了",
            "账单上有隐藏费用",
            "现在太贵了",
            "常客也没有阶梯价格",
        ),
    },
    "service": {
        "en": (
            "customer service never answered my call",
            "the staff were rude",
            "delivery was a week late and nobody told me",
            "waited forty minutes on the hotline",
            "the return process is a nightmare",
            "support kept transferring me",
            "slow response to my request",
        ),
        "zh": (
            "客服一直不接电话",
            "店员态度很差",
            "快递晚了一周也没人通知",
            "热线等了四十分钟",
            "退货流程太麻烦",
            "客服把我转来转去",
            "处理请求太慢",
        ),
    },
    "competition": {
        "en": (
            "found the same thing cheaper at another shop",
            "a competitor offers a better deal",
            "switching to another brand",
            "the other app has more choice",
            "a rival store gave me a better offer",
            "moving to a different provider",
        ),
        "zh": (
            "别家同样的东西更便宜",
            "竞争对手的方案更划算",
            "准备换别的品牌了",
            "别的平台选择更多",
            "另一家店给了我更好的优惠",
            "打算换一家供应商",
        ),
    },
    "other": {
        "en": (
            "I am moving abroad",
            "no longer need this",
            "personal reasons",
            "my circumstances changed",
            "bought it as a gift, not needed any more",
        ),
        "zh": (
            "我要搬到国外了",
            "已经不需要了",
            "个人原因",
            "情况有变",
            "当时是买来送人的，现在用不上了",
        ),
    },
}

#: Words of one reason said in passing by a customer whose reason is another.
DECOYS: dict[str, dict[str, tuple[str, ...]]] = {
    "product": {"en": ("the product itself is fine, but",), "zh": ("产品本身还行，但是",)},
    "price": {"en": ("the price is fair, but", "not about the price,"),
              "zh": ("价格还算合理，但是", "不是价格的问题，")},
    "service": {"en": ("the staff were friendly, but",), "zh": ("店员很友好，但是",)},
    "competition": {"en": ("I did not look at other shops, but",),
                    "zh": ("我没看别家，但是",)},
    "other": {"en": ("",), "zh": ("",)},
}

#: Texts that name no reason.
VAGUE: dict[str, tuple[str, ...]] = {
    "en": ("very disappointed", "not happy at all", "never again", "bad experience",
           "this was not what I expected"),
    "zh": ("非常失望", "很不满意", "再也不来了", "体验很差", "和预期的不一样"),
}

#: Texts of reviews without a complaint.
PRAISE: dict[str, tuple[str, ...]] = {
    "en": ("great, will buy again", "fast delivery, good quality", "happy with it",
           "good value", "friendly staff"),
    "zh": ("很好，会回购", "发货快，质量好", "很满意", "性价比高", "店员很热情"),
}

_OPENERS: dict[str, tuple[str, ...]] = {
    "en": ("", "", "", "Honestly, ", "Second time now: ", "Sorry to say it, "),
    "zh": ("", "", "", "说实话，", "第二次了，", "不好意思地说，"),
}
_CLOSERS: dict[str, tuple[str, ...]] = {
    "en": (".", ".", "!", ". Please fix this.", ". I want a refund."),
    "zh": ("。", "。", "！", "。请尽快处理。", "。我要退款。"),
}
_LANGS = ("en", "zh")
_REASONS = tuple(PHRASES)


def _pick(rng: np.random.Generator, bank: dict, keys: np.ndarray, lang: np.ndarray,
          n: int) -> np.ndarray:
    """One random entry of ``bank[key][lang]`` per row (vectorised over groups)."""
    out = np.empty(n, dtype=object)
    u = rng.random(n)
    for key in np.unique(keys):
        for li, lg in enumerate(_LANGS):
            rows = np.flatnonzero((keys == key) & (lang == li))
            if rows.size:
                choices = np.array(bank[key][lg], dtype=object)
                out[rows] = choices[(u[rows] * len(choices)).astype(np.int64)]
    return out


def complaint_texts(
    rng: np.random.Generator,
    reason: np.ndarray,
    is_review: np.ndarray,
    zh: np.ndarray,
    *,
    text_prob: dict[str, float],
    vague_prob: float,
    decoy_prob: float,
) -> np.ndarray:
    """The text of every complaint or review row, or None where the customer wrote none.

    Parameters
    ----------
    rng : numpy.random.Generator
        The simulator's text stream.
    reason : array of str or None
        Reason of each row (None for a review without a reason: praise).
    is_review : array of bool
    zh : array of bool
        Whether the customer writes in Chinese.
    text_prob : dict
        Probability of a text, by ``complaint`` and ``review``.
    vague_prob, decoy_prob : float
        Probability that a text with a reason names none, or adds a decoy of another.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> texts = complaint_texts(rng, np.array(["price", None], dtype=object),
    ...     np.array([False, True]), np.array([False, True]),
    ...     text_prob={"complaint": 1.0, "review": 1.0}, vague_prob=0.0, decoy_prob=0.0)
    >>> [type(t).__name__ for t in texts]
    ['str', 'str']
    """
    n = len(reason)
    reason = np.asarray(reason, dtype=object)
    lang = np.asarray(zh, dtype=bool).astype(np.int64)
    has_reason = pd.notna(reason)
    key = np.where(has_reason, reason, "other").astype(object)
    # every draw is made for every row, so that a row's text does not depend on others
    p_text = np.where(np.asarray(is_review, dtype=bool), text_prob["review"],
                      text_prob["complaint"])
    written = rng.random(n) < p_text
    vague = rng.random(n) < vague_prob
    decoy = rng.random(n) < decoy_prob
    shift = rng.integers(1, len(_REASONS), n)
    body = _pick(rng, PHRASES, key, lang, n)
    vague_text = _pick(rng, {"_": VAGUE}, np.full(n, "_", dtype=object), lang, n)
    praise = _pick(rng, {"_": PRAISE}, np.full(n, "_", dtype=object), lang, n)
    idx = np.searchsorted(np.array(sorted(_REASONS), dtype=object),
                          key.astype(str))
    order = np.array(sorted(_REASONS), dtype=object)
    other_reason = order[(idx + shift) % len(_REASONS)]
    decoy_text = _pick(rng, DECOYS, other_reason, lang, n)
    opener = _pick(rng, {"_": _OPENERS}, np.full(n, "_", dtype=object), lang, n)
    closer = _pick(rng, {"_": _CLOSERS}, np.full(n, "_", dtype=object), lang, n)
    sep = np.where(lang == 1, "", " ").astype(object)
    use_decoy = decoy & has_reason & ~vague & (decoy_text != "")
    core = np.where(has_reason & vague, vague_text, body)
    core = np.where(use_decoy, decoy_text + sep + core, core)
    core = np.where(has_reason, core, praise)
    # praise needs no opener and no demand
    end = np.where(lang == 1, "。", ".").astype(object)
    opener = np.where(has_reason, opener, "")
    closer = np.where(has_reason, closer, end)
    text = pd.Series(opener) + pd.Series(core) + pd.Series(closer)
    # capitalise the first letter of English texts
    en = lang == 0
    text[en] = text[en].str.slice(0, 1).str.upper() + text[en].str.slice(1)
    out = text.to_numpy(dtype=object)
    out[~written] = None
    return out
