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

__all__ = ["LexicalModel", "MISSING", "require"]

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
        self.chars = vectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                min_df=1)

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

    def word_vectors(self, texts: Sequence[str]) -> Any:
        """The normalised word half (for the terms two texts share)."""
        return self._normalize(self.words.transform(texts))

    def transform(self, texts: Sequence[str]) -> Any:
        """The rows of ``texts``: a sparse matrix whose row products are cosines."""
        w = self.word_vectors(texts) * self.word_weight
        c = self._normalize(self.chars.transform(texts)) * (1 - self.word_weight)
        return self._normalize(self._hstack([w, c]).tocsr()).astype(np.float32)

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
