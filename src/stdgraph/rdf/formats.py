"""Media types <-> serialisers for query results and graphs, and Accept negotiation.

One table per result kind; the CLI's ``--format`` names and the HTTP media types both resolve
here, so the two can never disagree about what a format looks like.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from stdgraph.errors import StdgraphError
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.rdf.results import Answer, QueryResult, Triple

# name -> media type
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
DATASET_FORMATS = {
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
_RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


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
    """SELECT/ASK results in one of RESULT_FORMATS (by name)."""
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
    """Triples in one of GRAPH_FORMATS (by name), with the project's prefixes bound."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for t in triples:
        g.add(t)
    return g.serialize(format=_RDFLIB_NAMES[fmt], encoding="utf-8")


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


# -- HTTP negotiation tables ----------------------------------------------------------------------
# name -> media types this format is served for (the first is the Content-Type answered with).
# The first entry of each table is the default when the client sends no Accept header.
RESULT_MEDIA: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPH_MEDIA: dict[str, tuple[str, ...]] = {
    "turtle": ("text/turtle", "application/x-turtle", "application/turtle"),
    "ntriples": ("application/n-triples", "text/plain"),
    "jsonld": ("application/ld+json", "application/json"),
    "rdfxml": ("application/rdf+xml", "application/xml", "text/xml"),
    "nquads": ("application/n-quads",),
    "trig": ("application/trig",),
}
DATASET_MEDIA: dict[str, tuple[str, ...]] = {
    "nquads": ("application/n-quads",),
    "trig": ("application/trig",),
    "jsonld": ("application/ld+json", "application/json"),
}
#: Content-Type of a request body -> rdf.io format name (Graph Store Protocol uploads)
RDF_INPUT_MEDIA: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "text/n3": "n3",
}
#: W3C format IRIs (http://www.w3.org/ns/formats/) for service descriptions and DCAT
FORMAT_IRIS: dict[str, str] = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
    "trig": "http://www.w3.org/ns/formats/TriG",
}


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
