"""Importers and exporters for third-party graphs that use other vocabularies.

Each importer maps a foreign vocabulary into stdgraph's ontology and writes the result into one
named graph of its own, ``https://w3id.org/stdgraph/graph/import/<vocabulary>/<name>``, next to
whatever the store already holds; removing that graph removes the import.

- ``sto``: the Industry 4.0 Knowledge Graph (I40KG) and its Standards Ontology (STO),
  ``https://w3id.org/i40/sto#`` (docs/i40kg.md).
"""

from stdgraph.importers.sto import (
    IMPORT_GRAPH_BASE,
    ImportResult,
    export_sto,
    import_graph_iri,
    import_sto,
    list_imports,
    map_sto,
    remove_import,
)

__all__ = [
    "IMPORT_GRAPH_BASE",
    "ImportResult",
    "export_sto",
    "import_graph_iri",
    "import_sto",
    "list_imports",
    "map_sto",
    "remove_import",
]
