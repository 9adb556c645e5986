"""The lexical model: TF-IDF over words (and word pairs) and over character n-grams, from
scikit-learn, the two halves weighted and the rows L2-normalised, so that the dot product of
two rows is their cosine similarity (docs/suggestions.md, "Models").

Words find standards that say the same things; character n-grams (3 to 5, within word
boundaries) find the same identifier or term written differently ("IEC TS 62832" and "IEC
62832-1:2016", "cyber-security" and "cybersecurity"). scikit-learn is the optional extra
``suggest``: without it, :func:`require` raises ``FeatureUnavailable`` naming the extra (the
CLI prints it on one line, HTTP answers 501 with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from stdgraph.errors import FeatureUnavailable

__all__ = ["CharGrams", "LexicalModel", "MISSING", "require"]

MISSING = ("suggestions need scikit-learn, which the optional extra 'suggest' installs: "
           "pip install 'stdgraph[suggest]'")


def require() -> tuple[Any, Any, Any]:
    """scikit-learn's ``TfidfVectorizer``, ``normalize`` and scipy's ``hstack``, or
    ``FeatureUnavailable`` saying how to install them."""
    try:
        text = import_module("sklearn.feature_extraction.text")
        preprocessing = import_module("sklearn.preprocessing")
        sparse = import_module("scipy.sparse")
    except ImportError:
        raise FeatureUnavailable(MISSING) from None
    return text.TfidfVectorizer, preprocessing.normalize, sparse.hstack


def _sklearn_version() -> str:
    try:
        return version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover - require() refused already
        return "unknown"


class CharGrams:
    """The character n-grams scikit-learn's ``analyzer="char_wb"`` makes of a text (lower
    case; each word padded with a space each side; a padded word no longer than n counted
    once, whole), each word's grams cut once and kept: texts repeat their words, and cutting
    them again was most of the time of fitting the model at 100,000 standards."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        self._cut: dict[str, list[str]] = {}

    def grams(self, word: str) -> list[str]:
        w = f" {word} "
        out: list[str] = []
        for n in range(self.lo, self.hi + 1):
            if len(w) <= n:  # scikit-learn's "count a short word only once"
                out.append(w)
                break
            out += [w[i:i + n] for i in range(len(w) - n + 1)]
        return out

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        cut = self._cut
        for word in text.lower().split():
            grams = cut.get(word)
            if grams is None:
                grams = cut[word] = self.grams(word)
            out += grams
        return out


class LexicalModel:
    """TF-IDF of words (1-2 grams, English stop words left out, sub-linear term frequency)
    and of character 3-5 grams, fitted on the texts given to :meth:`fit`; each half
    normalised, weighted (``word_weight`` and its complement) and the row normalised again."""

    name = "tfidf-words-chars"

    def __init__(self, word_weight: float = 0.6) -> None:
        vectorizer, self._normalize, self._hstack = require()
        self.word_weight = word_weight
        self.words = vectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                stop_words="english", min_df=1,
                                token_pattern=r"(?u)\b[A-Za-z][A-Za-z]+\b|\b\d[\d.]*\d\b")
        # scikit-learn's "char_wb" 3-5 grams, a word's grams cut once (CharGrams)
        self.chars = vectorizer(analyzer=CharGrams(3, 5), sublinear_tf=True, min_df=1,
                                token_pattern=None)

    @property
    def version(self) -> str:
        """The model's name, its settings and the library that computes it."""
        return (f"{self.name} word 1-2 + char_wb 3-5, word weight {self.word_weight:g}; "
                f"scikit-learn {_sklearn_version()}")

    def fit(self, texts: Sequence[str]) -> LexicalModel:
        self.words.fit(texts)
        self.chars.fit(texts)
        self.vocabulary = np.array(self.words.get_feature_names_out())
        return self

    def fit_rows(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """Fit on ``texts`` and return their rows (as :meth:`transform`) and their word half
        (as :meth:`word_vectors`), each vectorizer running over the texts once (fitting, then
        transforming, would analyse every text twice; at 100,000 standards that is minutes)."""
        words = self._normalize(self.words.fit_transform(texts), copy=False)
        self.vocabulary = np.array(self.words.get_feature_names_out())
        # the character half is passed on, not kept here: _combine lets it go once stacked
        return self._combine(words, self._normalize(self.chars.fit_transform(texts),
                                                    copy=False), in_place=True), words

    def _combine(self, words: Any, chars: Any, in_place: bool = False) -> Any:
        """The two halves weighted and side by side, rows normalised, float32. ``in_place``:
        ``chars`` is scaled where it is (the character half is most of the memory: at 100,000
        standards each copy of it is hundreds of MiB)."""
        w = words * self.word_weight
        if in_place:
            chars.data *= 1 - self.word_weight
            c = chars
        else:
            c = chars * (1 - self.word_weight)
        both = self._hstack([w, c], format="csr")
        del w, c, chars
        return self._normalize(both, copy=False).astype(np.float32, copy=False)

    def word_vectors(self, texts: Sequence[str]) -> Any:
        """The normalised word half (for the terms two texts share)."""
        return self._normalize(self.words.transform(texts))

    def transform(self, texts: Sequence[str]) -> Any:
        """The rows of ``texts``: a sparse matrix whose row products are cosines."""
        return self._combine(self.word_vectors(texts),
                             self._normalize(self.chars.transform(texts)))

    def shared_terms(self, a: Any, b: Any, n: int = 6) -> list[str]:
        """The words (or word pairs) that weigh most in both rows ``a`` and ``b`` (rows of
        :meth:`word_vectors`), best first; a pair's words are not repeated alone."""
        product = a.multiply(b).tocoo()
        if not product.nnz:
            return []
        order = np.argsort(-product.data, kind="stable")
        out: list[str] = []
        for i in order:
            term = str(self.vocabulary[product.col[i]])
            if any(term in t.split() for t in out) or any(t in term.split() for t in out):
                continue
            out.append(term)
            if len(out) == n:
                break
        return out
