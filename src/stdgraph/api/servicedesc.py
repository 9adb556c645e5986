"""The SPARQL 1.1 Service Description of the endpoint, and the VoID/DCAT description of the
dataset, as RDF graphs built from the live store (statistics cached per store state)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from stdgraph import __version__
from stdgraph.api.context import ApiContext
from stdgraph.rdf.formats import FORMAT_IRIS, GRAPH_MEDIA, RESULT_MEDIA
from stdgraph.rdf.namespaces import DCAT, INFERRED_GRAPH, PREFIXES, SD, VOID

SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
DEFAULT_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMP_FORMATS = {"turtle": "text/turtle", "nquads": "application/n-quads",
                "jsonld": "application/ld+json"}

_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_CLASSES = ("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c "
            "ORDER BY DESC(?n) ?c")
_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
_PROPERTIES = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"
_LICENSE = ("SELECT ?l WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; "
            "<http://purl.org/dc/terms/license> ?l } ORDER BY ?l LIMIT 1")


def statistics(ctx: ApiContext) -> dict:
    """Triple counts per graph and overall, classes with instance counts, the licence.

    The totals are counted over the dataset's own graphs: a remote server's own graphs
    (Virtuoso's ``virtrdf#`` and others, which it adds to every query's default graph) are not
    part of the dataset described (``Store.dataset_default_graphs``)."""
    def compute() -> dict:
        st = ctx.store
        graphs = {g: st.count(g) for g in st.graph_names()}
        default = st.dataset_default_graphs()
        if default == []:  # nothing of ours: the server's own graphs only
            return {"graphs": graphs, "triples": 0, "subjects": 0, "properties": 0,
                    "classes": [], "license": None}

        def rows(q: str) -> list:
            return st.query(q, default_graphs=default).rows

        classes = [(str(c), int(n)) for c, n in rows(_CLASSES) if c is not None]
        lic = rows(_LICENSE)
        return {
            "graphs": graphs,
            "triples": int(rows(_COUNT)[0][0]),
            "subjects": int(rows(_SUBJECTS)[0][0]),
            "properties": int(rows(_PROPERTIES)[0][0]),
            "classes": classes,
            "license": str(lic[0][0]) if lic and isinstance(lic[0][0], URIRef) else None,
        }
    return ctx.cached("statistics", compute)


def _bind(g: Graph) -> Graph:
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    g.bind("sd", str(SD))
    return g


def _serialize(g: Graph, fmt: str) -> bytes:
    names = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml",
             "nquads": "nquads", "trig": "trig"}
    return g.serialize(format=names[fmt], encoding="utf-8")


def service_description(ctx: ApiContext, endpoint: str, fmt: str) -> bytes:
    """``sd:Service`` for the endpoint at ``endpoint`` (the URL the client used)."""
    stats = statistics(ctx)
    g = _bind(Graph())
    svc = URIRef(endpoint + "#service")
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, URIRef(endpoint)))
    g.add((svc, DCTERMS.title, Literal("stdgraph SPARQL endpoint")))
    g.add((svc, DCTERMS.description, Literal(f"stdgraph {__version__}: SPARQL 1.1 over the "
                                             "smart-factory standards knowledge graph")))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    if ctx.writable:
        g.add((svc, SD.supportedLanguage, SD.SPARQL11Update))
    for name in [*RESULT_MEDIA, *GRAPH_MEDIA]:
        g.add((svc, SD.resultFormat, URIRef(FORMAT_IRIS[name])))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    if ctx.settings.allow_service:
        g.add((svc, SD.feature, SD.BasicFederatedQuery))
    g.add((svc, SD.defaultEntailmentRegime,
           URIRef("http://www.w3.org/ns/entailment/Simple")))
    ds = BNode()
    g.add((svc, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    default = BNode()
    g.add((ds, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, DCTERMS.description, Literal(
        "The union of all named graphs (asserted per source file, plus the OWL-RL inferred "
        "graph); restrict it with default-graph-uri / named-graph-uri.")))
    g.add((default, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    for name, n in stats["graphs"].items():
        ng = BNode()
        g.add((ds, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
        graph = BNode()
        g.add((ng, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(n, datatype=XSD.integer)))
        if name == INFERRED_GRAPH:
            g.add((graph, DCTERMS.description, Literal("OWL 2 RL entailments")))
    return _serialize(g, fmt)


def void_description(ctx: ApiContext, base: str, fmt: str) -> bytes:
    """VoID + DCAT for the dataset served at ``base``."""
    stats = statistics(ctx)
    g = _bind(Graph())
    dataset = URIRef(base + "/.well-known/void#dataset")
    endpoint = URIRef(base + "/sparql")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("stdgraph: smart-factory standards knowledge graph")))
    g.add((dataset, DCTERMS.description, Literal(
        "Standards, reference architectures, barriers and roadmap recommendations for smart "
        "manufacturing, with OWL-RL entailments in their own named graph.")))
    lic = URIRef(stats["license"]) if stats["license"] else DEFAULT_LICENSE
    g.add((dataset, DCTERMS.license, lic))
    g.add((dataset, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(stats["properties"], datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(stats["classes"]), datatype=XSD.integer)))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.uriSpace, Literal(ctx.settings.base_iri)))
    g.add((dataset, VOID.vocabulary, URIRef(PREFIXES["sg"])))
    for cls, n in stats["classes"]:
        part = BNode()
        g.add((dataset, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for name, media in DUMP_FORMATS.items():
        url = URIRef(f"{base}/dump?format={name}")
        g.add((dataset, VOID.dataDump, url))
        dist = BNode()
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType,
               URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        g.add((dist, DCTERMS.license, lic))
    svc = URIRef(base + "/sparql#service")
    g.add((dataset, DCAT.accessService, svc))
    g.add((svc, RDF.type, DCAT.DataService))
    g.add((svc, DCAT.endpointURL, endpoint))
    g.add((svc, DCAT.servesDataset, dataset))
    g.add((svc, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    for name, n in stats["graphs"].items():
        sub = URIRef(name)
        g.add((dataset, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(n, datatype=XSD.integer)))
    return _serialize(g, fmt)
