"""The Industry 4.0 Knowledge Graph (I40KG, vocabulary STO) in and out of stdgraph.

``import_sto`` maps an STO file into stdgraph's ontology and writes it into one named graph of
its own, ``https://w3id.org/stdgraph/graph/import/sto/<name>``; ``export_sto`` writes the
standards and classifications a store holds in STO terms. The mapping rules, the choices behind
them and the figures on the real file are in docs/i40kg.md; in short:

- Every imported resource gets a stdgraph IRI under ``https://w3id.org/stdgraph/id/i40kg/``
  (standards ``standard/<local>``, publishers ``body/<local>``, frameworks
  ``architecture/<framework>``, elements ``architecture/<framework>/<local>``, mapping records
  ``mapping/...``), where ``<local>`` is the STO local name, letter case kept. The STO IRI stays
  reachable with ``skos:exactMatch`` (``prov:wasDerivedFrom`` for a framework, since SKOS mapping
  properties are for concepts). Nothing is ``owl:sameAs``.
- Elements and standards are also linked with ``skos:exactMatch`` to stdgraph's own curated
  resources that already carry ``skos:exactMatch`` to the same STO IRI (read from the project's
  ``data/`` files, so the import graph is the same whether or not the bundled graph is built).
- Nothing is dropped silently: what cannot be mapped (dangling classification IRIs, self-links,
  missing labels, elements in two frameworks, alignments to standards, ...) is counted and listed
  in the summary, and imported in the documented way where there is one.

The import graph holds no blank nodes and no OWL-RL closure, so importing the same file twice
gives the same graph: a repeat import that would change nothing but the time of import leaves
the graph (and its recorded time) as it was.

The package, by stage:

- ``terms``: STO's namespaces and classes, the status and relation tables, stdgraph IRIs for
  imported resources, labels taken from STO;
- ``links``: stdgraph's own curated resources that point at STO IRIs;
- ``mapping``: ``map_sto``, a parsed STO graph -> the import graph and its summary;
- ``summary``: the summary as text;
- ``importer``: ``import_sto`` / ``import_sto_data`` (parse, map, write through
  ``importers.base.write_import``) and ``IMPORTER``, the entry of the importer registry;
- ``export``: ``export_sto``, a store in STO terms.
"""

from stdgraph.importers.base import UPLOAD_DIR, ImportResult, source_uri
from stdgraph.importers.base import without_time as _without_time
from stdgraph.importers.sto.export import export_sto
from stdgraph.importers.sto.importer import IMPORTER, StoImporter, import_sto, import_sto_data
from stdgraph.importers.sto.links import CuratedLinks, curated_links
from stdgraph.importers.sto.mapping import map_sto
from stdgraph.importers.sto.summary import StoImportResult, summary_text
from stdgraph.importers.sto.terms import (
    BASE,
    DUL,
    IMPORT_GRAPH_BASE,
    STATUS_BACK,
    STATUS_MAP,
    STO_IOT,
    UNRESOLVED_SCHEME,
    VOCABULARY,
    default_name,
    import_graph_iri,
    qname,
)

__all__ = [
    "BASE",
    "DUL",
    "IMPORTER",
    "IMPORT_GRAPH_BASE",
    "STATUS_BACK",
    "STATUS_MAP",
    "STO_IOT",
    "UNRESOLVED_SCHEME",
    "UPLOAD_DIR",
    "VOCABULARY",
    "CuratedLinks",
    "ImportResult",
    "StoImportResult",
    "StoImporter",
    "_without_time",
    "curated_links",
    "default_name",
    "export_sto",
    "import_graph_iri",
    "import_sto",
    "import_sto_data",
    "map_sto",
    "qname",
    "source_uri",
    "summary_text",
]
