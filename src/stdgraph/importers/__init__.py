"""Importers and exporters for third-party graphs that use other vocabularies.

Each importer maps a foreign vocabulary into stdgraph's ontology and writes the result into one
named graph of its own, ``https://w3id.org/stdgraph/graph/import/<vocabulary>/<name>``, next to
whatever the store already holds; removing that graph removes the import. ``IMPORTERS`` lists
the importers, one line each (the protocol: ``importers.registry.Importer``); the CLI
(``stdgraph import VOCAB FILE``, ``stdgraph export VOCAB``) and the HTTP API
(``POST /import/VOCAB``) are generated from it, and ``list_imports`` / ``remove_import``
(``stdgraph import list|remove``) work on the import graphs of every vocabulary.

- ``sto``: the Industry 4.0 Knowledge Graph (I40KG) and its Standards Ontology (STO),
  ``https://w3id.org/i40/sto#`` (docs/i40kg.md).
"""

from stdgraph.importers import sto
from stdgraph.importers.base import ImportResult, graph_iri, list_imports, remove_import
from stdgraph.importers.registry import Importer, ImporterRegistry, UnknownImporter
from stdgraph.importers.sto import (
    IMPORT_GRAPH_BASE,
    export_sto,
    import_graph_iri,
    import_sto,
    map_sto,
)

#: The importers, one line each.
IMPORTERS = ImporterRegistry([
    sto.IMPORTER,
])

__all__ = [
    "IMPORTERS",
    "IMPORT_GRAPH_BASE",
    "ImportResult",
    "Importer",
    "ImporterRegistry",
    "UnknownImporter",
    "export_sto",
    "graph_iri",
    "import_graph_iri",
    "import_sto",
    "list_imports",
    "map_sto",
    "remove_import",
]
