"""The semantic model of the suggestions: all-MiniLM-L6-v2 sentence embeddings
(``suggest.minilm``), alone or blended with the lexical model's rows (docs/suggestions.md,
"Models").

A row is ``[sqrt(a) * lexical row, sqrt(1 - a) * embedding]`` with ``a`` the lexical weight:
both halves are unit vectors, so the row is one too and the dot product of two rows is ``a``
times their lexical cosine plus ``1 - a`` times their embedding cosine. ``a = 0`` is the
embedding alone (``semantic``), ``0 < a < 1`` a blend (``hybrid``). The evidence of a
suggestion (the terms two texts share) comes from the lexical model's word half in both: an
embedding has no terms to show. Rows are sparse matrices like the lexical model's, so the
``Suggester`` uses either without knowing which; with blocking (5,000 standards and more)
candidates are found by the rare lexical features only (every embedding column is in every
row, so it is a common feature), and each candidate's score is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from stdgraph.suggest.lexical import LexicalModel
from stdgraph.suggest.minilm import MiniLM

__all__ = ["SemanticModel"]


class SemanticModel:
    """Embeddings of ``encoder`` (default: the packaged all-MiniLM-L6-v2), their rows blended
    with the lexical model's by ``lexical_weight`` (0: the embedding alone).
    ``near_duplicate``: the near-duplicate score from which a pair is flagged with this model
    (the embeddings' cosines run higher than the lexical ones: ``models.MODELS`` gives each
    the threshold the halves of the gold set choose, docs/suggestions.md)."""

    def __init__(self, lexical_weight: float = 0.0, encoder: MiniLM | None = None,
                 lexical: LexicalModel | None = None, near_duplicate: float = 0.65) -> None:
        if not 0 <= lexical_weight < 1:
            raise ValueError(f"lexical_weight {lexical_weight:g}: from 0 up to, not including, 1")
        self.lexical = lexical or LexicalModel()  # scikit-learn's absence is said first
        self.encoder = encoder or MiniLM()
        self.lexical_weight = lexical_weight
        self.near_duplicate = near_duplicate
        self.name = "minilm" if lexical_weight == 0 else "minilm+tfidf"

    @property
    def version(self) -> str:
        """The model's name, its settings and what computes it."""
        blend = ("embedding alone; evidence terms by "
                 if self.lexical_weight == 0 else
                 f"embedding weight {1 - self.lexical_weight:g}, lexical weight "
                 f"{self.lexical_weight:g}: ")
        return f"{self.name} {self.encoder.version}; {blend}{self.lexical.version}"

    def _combine(self, lexical: Any, embeddings: np.ndarray) -> Any:
        from scipy.sparse import csr_matrix, hstack  # the extra's, there once LexicalModel is

        dense = csr_matrix(embeddings * np.float32(np.sqrt(1 - self.lexical_weight)))
        if self.lexical_weight == 0:
            return dense.astype(np.float32)
        both = hstack([lexical * np.float32(np.sqrt(self.lexical_weight)), dense], format="csr")
        return both.astype(np.float32, copy=False)

    def fit_rows(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """The lexical model fitted on ``texts``; their rows and their word half (as
        ``LexicalModel.fit_rows``)."""
        rows, words = self.lexical.fit_rows(texts)
        return self._combine(rows, self.encoder.encode(texts)), words

    def fit(self, texts: Sequence[str]) -> SemanticModel:
        self.lexical.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        """The rows of ``texts``: a sparse matrix whose row products are cosines."""
        lexical = self.lexical.transform(texts) if self.lexical_weight else None
        return self._combine(lexical, self.encoder.encode(texts))

    def word_vectors(self, texts: Sequence[str]) -> Any:
        return self.lexical.word_vectors(texts)

    def shared_terms(self, a: Any, b: Any, n: int = 6) -> list[str]:
        return self.lexical.shared_terms(a, b, n)
