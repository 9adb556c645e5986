"""Which named graph holds what: the rules by which the build, the guarded writes and the bulk
load treat a graph of the store.

- ``GRAPH_BASE`` + a project file's path (``.../graph/ontology/...``, ``.../graph/data/...``):
  one graph per source file (``Project.graph_iri``);
- ``INFERRED_GRAPH`` (the OWL-RL entailments) and ``META_GRAPH`` (the build and load records):
  computed by stdgraph, never written by hand;
- ``IMPORT_GRAPH_PREFIX`` + ...: third-party graphs ``stdgraph import`` wrote, kept as they are
  (no inference, no validation);
- ``SUGGESTION_GRAPH_PREFIX`` + ...: machine suggestions and the decisions on them
  (``stdgraph.suggest``), kept as written like imports: they are about imported resources too,
  which the reasoner and SHACL do not see, and a suggestion must not entail anything;
- any other graph (``stdgraph load``, the Graph Store Protocol, SPARQL Update): asserted data.

The predicates take pyoxigraph graph names (``NamedNode`` or ``DefaultGraph``).
"""

from __future__ import annotations

import pyoxigraph as ox

from stdgraph.rdf.namespaces import (
    AS_WRITTEN_PREFIXES,
    GRAPH_BASE,
    IMPORT_GRAPH_PREFIX,
    INFERRED_GRAPH,
    META_GRAPH,
)

#: the graphs of the project's ontology files
ONTOLOGY_GRAPH_PREFIX = GRAPH_BASE + "ontology/"
#: the graphs of the project's files (``Project.graph_iri``): ontology and data
PROJECT_GRAPH_PREFIXES = (ONTOLOGY_GRAPH_PREFIX, GRAPH_BASE + "data/")
#: the graphs stdgraph computes
COMPUTED_GRAPHS = frozenset({ox.NamedNode(INFERRED_GRAPH), ox.NamedNode(META_GRAPH)})

#: a quad's graph name, as pyoxigraph has it
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def is_computed(graph: GraphName) -> bool:
    """A graph stdgraph computes (inferred, meta): no write by hand may touch it."""
    return graph in COMPUTED_GRAPHS


def is_imported(graph: GraphName) -> bool:
    """A third-party graph ``stdgraph import`` wrote."""
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(IMPORT_GRAPH_PREFIX)


def is_as_written(graph: GraphName) -> bool:
    """A graph kept as written: an import, or the suggestions and decisions on them."""
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(AS_WRITTEN_PREFIXES)


def is_asserted(graph: GraphName) -> bool:
    """Graphs whose triples the reasoner closes: all but the computed ones and those kept as
    written (imports, suggestions)."""
    return graph not in COMPUTED_GRAPHS and not is_as_written(graph)


def is_shacl_data(graph: GraphName) -> bool:
    """Graphs SHACL validates: the asserted data (not the ontology) plus the inferred graph."""
    if graph == ox.NamedNode(INFERRED_GRAPH):
        return True
    return is_asserted(graph) and not (
        isinstance(graph, ox.NamedNode) and graph.value.startswith(ONTOLOGY_GRAPH_PREFIX))
