"""Parsing RDF with exact error positions, and moving terms between pyoxigraph and rdflib.

Files are parsed with pyoxigraph (fast, and its syntax errors carry line and column); the
triples become rdflib terms for owlrl and pyshacl. Blank-node labels are scoped per document,
so each parse renames them apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import IdentifiedNode, Node

from stdgraph.errors import RDFSyntaxError, SourcePosition
from stdgraph.rdf.formats import OX_FORMATS
from stdgraph.rdf.nesting import check_nesting

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)

#: the terms pyoxigraph puts in a quad (a triple term only as subject or object, RDF 1.2)
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@overload
def to_rdflib(term: ox.NamedNode, bnode_prefix: str = "") -> URIRef: ...
@overload
def to_rdflib(term: ox.BlankNode, bnode_prefix: str = "") -> BNode: ...
@overload
def to_rdflib(term: ox.Literal, bnode_prefix: str = "") -> Literal: ...
@overload
def to_rdflib(term: OxTerm, bnode_prefix: str = "") -> Node: ...
def to_rdflib(term: OxTerm, bnode_prefix: str = "") -> Node:
    """A pyoxigraph term as an rdflib term (xsd:string literals become plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(bnode_prefix + term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"unsupported term {term!r}")


@overload
def to_oxigraph(term: URIRef) -> ox.NamedNode: ...
@overload
def to_oxigraph(term: BNode) -> ox.BlankNode: ...
@overload
def to_oxigraph(term: Literal) -> ox.Literal: ...
@overload
def to_oxigraph(term: IdentifiedNode) -> ox.NamedNode | ox.BlankNode: ...
@overload
def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal: ...
def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != _LANG_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def blank_node_scope(label: str) -> str:
    """The prefix the blank-node labels of document ``label`` get, so that two documents'
    ``_:b1`` stay apart (the same document read again gets the same labels)."""
    return "b" + hashlib.sha1(label.encode()).hexdigest()[:10] + "_"


def check_document(data: bytes | str, fmt: str, name: str) -> None:
    """What must not reach pyoxigraph's parser, or must not be written after it, checked before
    it runs, for every document parsed from memory (request bodies, imports):

    * nesting deeper than ``rdf.nesting.MAX_NESTING``: its parsers are recursive in places and a
      deep document overflows the stack, which ends the process (``rdf.nesting``);
    * a JSON value that is not an object or array (``"x"``, ``42``), which it reads as an empty
      JSON-LD graph, and an RDF/XML document cut short (no closing tags), which it reads as the
      triples before the cut - so a broken upload would silently empty or shorten the graph it
      replaces.

    Each is an ``RDFSyntaxError`` with the position."""
    check_nesting(data, fmt, name)
    if fmt == "jsonld":
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        stripped = text.lstrip("\ufeff \t\r\n")
        if stripped[:1] not in {"{", "["}:
            before = text[:len(text) - len(stripped)]
            raise RDFSyntaxError("a JSON-LD document must be a JSON object or array",
                                 SourcePosition(name, before.count("\n") + 1,
                                                len(before) - (before.rfind("\n") + 1) + 1))
    elif fmt == "rdfxml":
        from xml.parsers import expat

        parser = expat.ParserCreate()
        try:
            parser.Parse(data.encode("utf-8") if isinstance(data, str) else data, True)
        except expat.ExpatError as e:
            raise RDFSyntaxError(f"not well-formed XML: {expat.ErrorString(e.code)}",
                                 SourcePosition(name, e.lineno, e.offset + 1)) from None


#: JSON-LD keywords that state something (a node's type, a value, a list...): a document using
#: one, or a term, means triples
_STATING = frozenset({"@type", "@reverse", "@included", "@value", "@list", "@set"})


def _states_something(value: object) -> bool:
    """A JSON-LD value holds a statement: a term or a stating keyword outside ``@context``."""
    if isinstance(value, dict):
        return any(k != "@context" and (not k.startswith("@") or k in _STATING
                                        or _states_something(v))
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_states_something(v) for v in value)
    return False


def check_nothing_dropped(data: bytes | str, fmt: str, name: str, count: int) -> None:
    """Refuse (``RDFSyntaxError``) a JSON-LD document that states something but yields no
    triple: the JSON-LD algorithm drops, without an error, a node whose ``@id`` or a property
    that is not a valid IRI, so a ``PUT`` of such a document would silently empty the graph.
    (The other syntaxes report a bad IRI as a syntax error; a document without statements -
    ``{}``, ``[]``, only ``@context``, only prefixes - yields nothing on purpose.)"""
    if count or fmt != "jsonld":
        return
    try:
        document = json.loads(data)
    except ValueError:
        return  # the parser accepted it; nothing more to say
    if _states_something(document):
        raise RDFSyntaxError("the JSON-LD document states something but yields no triple: a "
                             "node whose @id, or a property, is not a valid IRI is dropped "
                             "by JSON-LD; check its IRIs (and @base / @vocab)",
                             SourcePosition(name, None, None))


def parse_quads(
    data: bytes | str | None = None,
    *,
    path: Path | None = None,
    fmt: str = "turtle",
    base_iri: str | None = None,
    label: str | None = None,
) -> Iterator[ox.Quad]:
    """Parse with pyoxigraph, turning its SyntaxError into RDFSyntaxError with line/column."""
    name = label or (str(path) if path is not None else "<input>")
    if path is None and (data is None or isinstance(data, (bytes, str))):
        check_document(data or b"", fmt, name)
    elif path is not None and fmt in {"jsonld", "rdfxml"}:
        check_document(path.read_bytes(), fmt, name)  # read whole anyway
    # a Turtle-family file, or a stream (stdgraph load), is parsed as it is read
    try:
        if path is not None:
            yield from ox.parse(path=str(path), format=OX_FORMATS[fmt], base_iri=base_iri)
        else:
            yield from ox.parse(data, format=OX_FORMATS[fmt], base_iri=base_iri)
    except SyntaxError as e:
        reason = e.msg or str(e)
        raise RDFSyntaxError(reason, SourcePosition(name, e.lineno, e.offset)) from None
    except ValueError as e:  # e.g. JSON-LD structural errors
        raise RDFSyntaxError(str(e), SourcePosition(name, None, None)) from None


def parse_graph(
    data: bytes | str | None = None,
    *,
    path: Path | None = None,
    fmt: str = "turtle",
    base_iri: str | None = None,
    label: str | None = None,
) -> Graph:
    """Parse one document into a fresh rdflib Graph (graph names in quad formats are dropped)."""
    name = label or (str(path) if path else "<input>")
    prefix = blank_node_scope(name)
    g = Graph()
    add = g.add
    for q in parse_quads(data, path=path, fmt=fmt, base_iri=base_iri, label=label):
        add((to_rdflib(q.subject, prefix), to_rdflib(q.predicate), to_rdflib(q.object, prefix)))
    if not len(g):
        check_nothing_dropped(path.read_bytes() if path is not None else (data or b""), fmt,
                              name, 0)
    return g


def graph_to_quads(triples: Iterable[tuple[Node, Node, Node] | ox.Triple | ox.Quad],
                   graph_iri: str) -> Iterator[ox.Quad]:
    """``triples`` as pyoxigraph quads of ``graph_iri``. Each item is an rdflib triple, or a
    pyoxigraph ``Triple`` or ``Quad`` taken as it is (no term conversion; a quad of another
    graph is moved to this one)."""
    gname = ox.NamedNode(graph_iri)
    quad, triple = ox.Quad, ox.Triple
    for t in triples:
        if isinstance(t, quad):
            yield t if t.graph_name == gname else quad(t.subject, t.predicate, t.object, gname)
        elif isinstance(t, triple):
            yield quad(t.subject, t.predicate, t.object, gname)
        else:
            s, p, o = t
            # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
            yield quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), gname)  # type: ignore[arg-type]
