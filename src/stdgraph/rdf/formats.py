"""The formats stdgraph reads and writes, in one table, and the serialisers of query results.

:data:`FORMATS` holds one :class:`Format` record per format: its name (the CLI's ``--format``,
HTTP's ``?format=``), media types, file suffix, what it holds (SPARQL results, a graph, a
dataset), the pyoxigraph ``RdfFormat`` and rdflib's name for it, and its W3C format IRI.
Everything else here (the negotiation tables ``RESULT_MEDIA``, ``GRAPH_MEDIA``,
``DATASET_MEDIA``, the upload table ``RDF_INPUT_MEDIA``, ``OX_FORMATS``, ``RDFLIB_FORMATS``,
``FORMAT_IRIS``) and
elsewhere (the pages' ``RESOURCE_MEDIA``, the dumps, the stores' serialisers) is derived from
it, so the CLI and every HTTP route can never disagree about what a format looks like.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from stdgraph.errors import StdgraphError
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.rdf.results import Answer, QueryResult, Triple

_W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One format. ``media_types``: the first is the one answered with (``Content-Type``),
    the others are aliases a client may ask for (``Accept``); ``uploads`` are those a request
    body may carry (the aliases but generic ones such as ``application/json``). ``kind``:
    ``"results"`` (SPARQL SELECT/ASK results), ``"graph"`` (triples) or ``"dataset"`` (quads,
    named graphs kept). ``ox``/``rdflib``: the format for pyoxigraph and rdflib (None: that
    library does not write it); ``writable``: stdgraph answers in it."""

    name: str
    media_types: tuple[str, ...]
    suffix: str
    kind: str
    ox: ox.RdfFormat | None = None
    rdflib: str | None = None
    iri: str | None = None
    uploads: tuple[str, ...] = ()
    writable: bool = True

    @property
    def media_type(self) -> str:
        return self.media_types[0]


#: Every format, by name. The order is the servers' order of preference within a kind.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", ("application/sparql-results+json", "application/json"), "srj", "results",
           iri=_W3C + "SPARQL_Results_JSON"),
    Format("xml", ("application/sparql-results+xml", "application/xml", "text/xml"), "srx",
           "results", iri=_W3C + "SPARQL_Results_XML"),
    Format("csv", ("text/csv",), "csv", "results", iri=_W3C + "SPARQL_Results_CSV"),
    Format("tsv", ("text/tab-separated-values",), "tsv", "results",
           iri=_W3C + "SPARQL_Results_TSV"),
    Format("turtle", ("text/turtle", "application/x-turtle", "application/turtle"), "ttl",
           "graph", ox.RdfFormat.TURTLE, "turtle", _W3C + "Turtle",
           uploads=("text/turtle", "application/x-turtle")),
    Format("ntriples", ("application/n-triples", "text/plain"), "nt", "graph",
           ox.RdfFormat.N_TRIPLES, "nt", _W3C + "N-Triples",
           uploads=("application/n-triples", "text/plain")),
    Format("jsonld", ("application/ld+json", "application/json"), "jsonld", "dataset",
           ox.RdfFormat.JSON_LD, "json-ld", _W3C + "JSON-LD", uploads=("application/ld+json",)),
    Format("rdfxml", ("application/rdf+xml", "application/xml", "text/xml"), "rdf", "graph",
           ox.RdfFormat.RDF_XML, "xml", _W3C + "RDF_XML", uploads=("application/rdf+xml",)),
    Format("nquads", ("application/n-quads",), "nq", "dataset", ox.RdfFormat.N_QUADS, "nquads",
           _W3C + "N-Quads", uploads=("application/n-quads",)),
    Format("trig", ("application/trig",), "trig", "dataset", ox.RdfFormat.TRIG, "trig",
           _W3C + "TriG", uploads=("application/trig",)),
    Format("n3", ("text/n3",), "n3", "graph", ox.RdfFormat.N3, "n3", _W3C + "N3",
           uploads=("text/n3",), writable=False),
)}


#: the documents that are not RDF: pages, and plain JSON (analyses, the pages' data)
HTML_MEDIA = ("text/html", "application/xhtml+xml")
JSON_MEDIA = ("application/json",)


def media_table(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``name -> media types`` of the named formats, in that order (a negotiation table: the
    first entry is the default when the client sends no Accept header)."""
    return {n: FORMATS[n].media_types for n in names}


#: the pyoxigraph format of each RDF format, by name (parsing and native serialisation)
OX_FORMATS: dict[str, ox.RdfFormat] = {n: f.ox for n, f in FORMATS.items() if f.ox is not None}
#: rdflib's name of each RDF format, by name (serialising rdflib graphs)
RDFLIB_FORMATS: dict[str, str] = {n: f.rdflib for n, f in FORMATS.items() if f.rdflib is not None}


def _json_term(t: Node) -> dict[str, str]:
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    assert isinstance(t, Literal)
    out: dict[str, str] = {"type": "literal", "value": str(t)}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype is not None:
        out["datatype"] = str(t.datatype)
    return out


def _xml_term(t: Node) -> str:
    if isinstance(t, URIRef):
        return f"<uri>{escape(str(t))}</uri>"
    if isinstance(t, BNode):
        return f"<bnode>{escape(str(t))}</bnode>"
    assert isinstance(t, Literal)
    attrs = ""
    if t.language:
        attrs = f" xml:lang={quoteattr(t.language)}"
    elif t.datatype is not None:
        attrs = f" datatype={quoteattr(str(t.datatype))}"
    return f"<literal{attrs}>{escape(str(t))}</literal>"


def _csv_term(t: Node | None) -> str:
    if t is None:
        return ""
    if isinstance(t, BNode):
        return "_:" + str(t)
    return str(t)


def _tsv_term(t: Node | None) -> str:
    if t is None:
        return ""
    return t.n3()


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """SELECT/ASK results in one of the ``"results"`` formats (by name)."""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
        if fmt == "xml":
            return (
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if result.boolean else 'false'}</boolean></sparql>\n"
            ).encode()
        return f"{'true' if result.boolean else 'false'}\n".encode()
    if fmt == "json":
        doc = {
            "head": {"vars": result.variables},
            "results": {"bindings": [
                {v: _json_term(t) for v, t in zip(result.variables, row, strict=True)
                 if t is not None}
                for row in result.rows
            ]},
        }
        return json.dumps(doc, ensure_ascii=False).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in result.variables),
               "</head><results>"]
        for row in result.rows:
            out.append("<result>")
            for v, t in zip(result.variables, row, strict=True):
                if t is not None:
                    out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(result.variables)
        for row in result.rows:
            w.writerow([_csv_term(t) for t in row])
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in result.variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown result format {fmt!r}")


def serialize_graph(triples: Iterable[Triple], fmt: str) -> bytes:
    """Triples in a graph format (by name), with the project's prefixes bound."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for t in triples:
        g.add(t)
    return g.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8")


def short(t: Node | None) -> str:
    """A compact rendering for terminal tables."""
    if t is None:
        return ""
    if isinstance(t, URIRef):
        s = str(t)
        for prefix, ns in PREFIXES.items():
            if s.startswith(ns):
                return f"{prefix}:{s[len(ns):]}"
        return f"<{s}>"
    if isinstance(t, Literal):
        return str(t)
    return "_:" + str(t)


def table(result: QueryResult) -> str:
    """A plain-text table for the terminal."""
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    cells = [[short(t) for t in row] for row in result.rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(result.variables)]
    widths = [min(w, 60) for w in widths]

    def fit(s: str, w: int) -> str:
        return (s if len(s) <= w else s[: w - 1] + "…").ljust(w)

    lines = ["  ".join(fit(v, w) for v, w in zip(result.variables, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(c, w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)


# -- HTTP negotiation tables, derived from FORMATS ---------------------------------------------
# name -> media types this format is served for (the first is the Content-Type answered with).
# The first entry of each table is the default when the client sends no Accept header.
#: SELECT/ASK results: every results format
RESULT_MEDIA = media_table(n for n, f in FORMATS.items() if f.kind == "results")
#: CONSTRUCT/DESCRIBE results and single graphs: every RDF format stdgraph writes (a quad
#: format holds the triples in one graph)
GRAPH_MEDIA = media_table(n for n, f in FORMATS.items()
                          if f.kind in {"graph", "dataset"} and f.writable)
#: the whole dataset, named graphs kept: the dataset formats, N-Quads first (the default)
DATASET_MEDIA = media_table(("nquads", "trig", "jsonld"))
#: Content-Type of a request body -> format name (Graph Store Protocol uploads, imports)
RDF_INPUT_MEDIA: dict[str, str] = {m: n for n, f in FORMATS.items() for m in f.uploads}
#: W3C format IRIs (http://www.w3.org/ns/formats/) for service descriptions and DCAT
FORMAT_IRIS: dict[str, str] = {n: f.iri for n, f in FORMATS.items()
                               if f.iri is not None and f.writable}


# -- errors of format choice -----------------------------------------------------------------------
class NotAcceptable(StdgraphError):
    """406: no offer matches the ``Accept`` header; ``supported`` lists what would have worked."""

    http_status = 406

    def __init__(self, supported: Iterable[str], what: str = "this answer") -> None:
        self.supported = list(dict.fromkeys(supported))
        super().__init__(
            f"none of the media types in the Accept header is available for {what}; "
            f"supported: {', '.join(self.supported)}"
        )

    @classmethod
    def for_result(cls, kind: str) -> NotAcceptable:
        """The 406 for a query result of ``kind`` ("graph", or "select"/"ask")."""
        if kind == "graph":
            return cls([m[0] for m in GRAPH_MEDIA.values()], "a CONSTRUCT/DESCRIBE result")
        return cls([m[0] for m in RESULT_MEDIA.values()], "a SELECT/ASK result")


class UnsupportedMediaType(StdgraphError):
    """415: the request body's ``Content-Type`` is not one this endpoint reads."""

    http_status = 415

    def __init__(self, given: str | None, supported: Iterable[str]) -> None:
        self.supported = list(dict.fromkeys(supported))
        shown = given if given else "no Content-Type"
        super().__init__(
            f"cannot read a request body of type {shown}; supported: {', '.join(self.supported)}"
        )


def serialize_answer(
    result: QueryResult,
    *,
    result_format: str | None,
    graph_format: str | None,
    max_rows: int,
) -> Answer:
    """The generic (rdflib-term) path: cut at ``max_rows`` and serialise with ``formats``."""
    if result.kind == "graph":
        if graph_format is None:
            raise NotAcceptable.for_result("graph")
        triples = result.triples
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        if graph_format in {"nquads", "trig"}:
            body = serialize_graph(triples, "ntriples" if graph_format == "nquads" else "turtle")
        else:
            body = serialize_graph(triples, graph_format)
        return Answer("graph", graph_format, body, truncated, len(triples))
    if result_format is None:
        raise NotAcceptable.for_result(result.kind)
    if result.kind == "ask":
        return Answer("ask", result_format, serialize_result(result, result_format))
    truncated = len(result.rows) > max_rows
    if truncated:
        result = QueryResult(kind="select", variables=result.variables,
                             rows=result.rows[:max_rows])
    return Answer("select", result_format, serialize_result(result, result_format), truncated,
                  len(result.rows))
