"""The IRIs stdgraph mints and the vocabularies it uses, in one place."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

SG = Namespace("https://w3id.org/stdgraph/ontology#")
SGID = Namespace("https://w3id.org/stdgraph/id/")
SGSH = Namespace("https://w3id.org/stdgraph/shapes#")
STO = Namespace("https://w3id.org/i40/sto#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ORG = Namespace("http://www.w3.org/ns/org#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: Named graphs: one per source file under GRAPH_BASE + relative path (without suffix),
#: INFERRED for the OWL-RL entailments, META for the build record.
GRAPH_BASE = "https://w3id.org/stdgraph/graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"
META_GRAPH = GRAPH_BASE + "meta"
#: Graphs written by `stdgraph import`; a rebuild of the project keeps them.
IMPORT_GRAPH_PREFIX = GRAPH_BASE + "import/"
#: Graphs of machine suggestions and of a reviewer's decisions on them (stdgraph.suggest,
#: docs/suggestions.md); like imports, kept as written and kept by a rebuild.
SUGGESTION_GRAPH_PREFIX = GRAPH_BASE + "suggestions/"
SUGGESTED_GRAPH = SUGGESTION_GRAPH_PREFIX + "suggested"
DECISIONS_GRAPH = SUGGESTION_GRAPH_PREFIX + "decisions"
#: the graphs kept as written: no inference, no SHACL verdict (rdf.graphs.is_asserted)
AS_WRITTEN_PREFIXES = (IMPORT_GRAPH_PREFIX, SUGGESTION_GRAPH_PREFIX)

PREFIXES: dict[str, str] = {
    "sg": str(SG),
    "sgid": str(SGID),
    "sgsh": str(SGSH),
    "sto": str(STO),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "org": str(ORG),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
}


def sparql_prologue() -> str:
    """PREFIX lines for every prefix above, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
