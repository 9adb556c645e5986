"""The importer protocol and the registry of importers.

An importer maps a foreign vocabulary into stdgraph's ontology, into one named graph of its own
per import (``graph/import/<vocabulary>/<name>``, with a PROV record: ``importers.base``), and
writes stdgraph's graph back in that vocabulary. ``stdgraph.importers.IMPORTERS`` lists them,
one line each; from it come ``stdgraph import VOCAB FILE`` (with the importer's options),
``stdgraph export VOCAB``, ``POST /import/VOCAB`` and their OpenAPI entries, while
``stdgraph import list|remove`` work on the import graphs of every vocabulary
(``importers.base.list_imports`` / ``remove_import``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from rdflib import Graph

from stdgraph.change.guard import Change
from stdgraph.errors import UsageError
from stdgraph.importers.base import ImportResult, check_vocabulary
from stdgraph.sparql.named import Param
from stdgraph.store.base import Store

__all__ = ["Importer", "ImporterRegistry", "UnknownImporter"]

#: sub-commands of ``stdgraph import`` that are not vocabularies
RESERVED = ("list", "remove")


class UnknownImporter(UsageError):
    """No importer for that vocabulary (CLI exit 2, HTTP 404)."""

    http_status = 404


@runtime_checkable
class Importer(Protocol):
    """One foreign vocabulary, in and out.

    ``vocabulary`` names it everywhere: ``stdgraph import <vocabulary> FILE``, ``stdgraph export
    <vocabulary>``, ``POST /import/<vocabulary>`` and the graphs ``graph/import/<vocabulary>/
    <name>``. ``media_types`` maps each Content-Type an upload may have to the RDF syntax it is
    parsed as (``stdgraph.rdf.io`` names: turtle, ntriples, rdfxml, jsonld, ...). ``options``
    are the importer's own switches (named-query ``Param`` specs, checked the same way,
    ``importers.base.parse_options``): CLI flags (``case_fix`` -> ``--case-fix/--no-case-fix``)
    and HTTP query parameters."""

    vocabulary: str
    title: str
    media_types: Mapping[str, str]
    options: Sequence[Param]

    def import_(self, store: Store | Change, data: bytes, name: str | None = None, *,
                source: Path, fmt: str | None = None, replace: bool = False,
                project: Any = None, options: Mapping[str, Any] | None = None
                ) -> ImportResult:
        """Parse ``data`` (``fmt``, else from ``source``'s suffix), map it and write it into
        ``graph/import/<vocabulary>/<name>`` (``name`` defaults to ``source``'s stem) with
        ``importers.base.write_import``, through the change ``store`` (the caller's change
        protocol: ``stdgraph.change.guard``; a ``Store``: a change of its own); ``source``
        names the file in the provenance record (``UPLOAD_DIR/<name>.ttl`` for an upload);
        ``options`` are raw text values of ``self.options``; ``project`` gives the curated
        graph to link to."""
        ...

    def export(self, store: Store) -> Graph:
        """The store's graph in this vocabulary's terms."""
        ...


class ImporterRegistry:
    """Importers by vocabulary, in declaration order (immutable)."""

    def __init__(self, importers: Iterable[Importer]) -> None:
        by_vocabulary: dict[str, Importer] = {}
        for imp in importers:
            if not isinstance(imp, Importer):
                raise TypeError(f"{imp!r} does not implement the Importer protocol")
            check_vocabulary(imp.vocabulary)
            if imp.vocabulary in RESERVED:
                raise ValueError(f"importer vocabulary {imp.vocabulary!r} is a command name")
            if imp.vocabulary in by_vocabulary:
                raise ValueError(f"two importers for the vocabulary {imp.vocabulary!r}")
            by_vocabulary[imp.vocabulary] = imp
        self._by_vocabulary = by_vocabulary

    def get(self, vocabulary: str) -> Importer:
        found = self._by_vocabulary.get(vocabulary)
        if found is None:
            raise UnknownImporter(f"no importer for {vocabulary!r} (known: "
                                  f"{', '.join(self._by_vocabulary) or 'none'})")
        return found

    def find(self, vocabulary: str) -> Importer | None:
        return self._by_vocabulary.get(vocabulary)

    def names(self) -> list[str]:
        return list(self._by_vocabulary)

    def __iter__(self) -> Iterator[Importer]:
        return iter(self._by_vocabulary.values())

    def __contains__(self, vocabulary: object) -> bool:
        return vocabulary in self._by_vocabulary

    def __len__(self) -> int:
        return len(self._by_vocabulary)
