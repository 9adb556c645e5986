"""How deeply a document nests, measured before any native parser sees it.

pyoxigraph's parsers are recursive in places and overflow the thread's stack on deep nesting: a
SIGSEGV that ends the whole process, not an exception. Measured on an 8 MiB stack (docs/
reliability.md): a JSON-LD document of about 4,000 nested objects, a Turtle, TriG, N-Triples or
N-Quads document of 20,000 nested triple terms ``<<( ... )>>``, a SPARQL query of 2,500 nested
groups; a smaller stack (a thread's, another platform's) fails earlier. Real documents nest a
few levels. So one limit, ``MAX_NESTING``, applies to every RDF syntax (``check_nesting``, called
by ``rdf.io.check_document`` for every document parsed from memory: request bodies, imports)
and to SPARQL (``sparql.scan.check_nesting``):

* Turtle, TriG, N-Triples, N-Quads, N3: ``[ ( {`` and ``<<`` outside strings, IRIs and comments;
* JSON-LD: JSON objects and arrays, outside strings;
* RDF/XML: XML elements.

The check costs a few byte counts when a document has fewer openers than the limit, and one pass
of C-level regular-expression work otherwise (about 30 ms per MB of Turtle).
"""

from __future__ import annotations

import re

import numpy as np

from stdgraph.errors import RDFSyntaxError, SourcePosition

__all__ = ["MAX_NESTING", "check_nesting", "nesting_depth"]

#: the deepest nesting a document, query or update may have (brackets, JSON values, XML
#: elements); real ones nest a few levels
MAX_NESTING = 100

#: what can hide a bracket in the Turtle family: strings (long ones first), IRIs, comments and
#: backslash escapes (``ex:a\(``)
_TURTLE_OPAQUE = re.compile(
    rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    rb"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    rb'|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"'
    rb"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*>"
    rb"|#[^\n\r]*"
    rb"|\\.",
    re.DOTALL,
)
_JSON_OPAQUE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)

_TURTLE = frozenset({"turtle", "trig", "ntriples", "nquads", "n3"})
_OPEN = {b"[", b"(", b"{", b"<<"}
_TURTLE_TOKEN = re.compile(_TURTLE_OPAQUE.pattern + rb"|<<|>>|[\[\](){}]", re.DOTALL)
_JSON_TOKEN = re.compile(_JSON_OPAQUE.pattern + rb"|[\[\]{}]", re.DOTALL)
#: +1 for an opening byte, -1 for a closing one, by byte value
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[({")] = 1
_STEP[list(b"])}")] = -1


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


def _openers(raw: bytes, fmt: str) -> int:
    """An upper bound of the depth, in a few byte counts: the number of openers."""
    if fmt in _TURTLE:
        return raw.count(b"[") + raw.count(b"(") + raw.count(b"{") + raw.count(b"<<")
    if fmt == "jsonld":
        return raw.count(b"[") + raw.count(b"{")
    if fmt == "rdfxml":
        return raw.count(b"<")
    return 0


def _depth(brackets: bytes) -> int:
    """The deepest prefix sum of +1 per opener, -1 per closer."""
    if not brackets:
        return 0
    steps = _STEP[np.frombuffer(brackets, dtype=np.uint8)]
    return max(0, int(np.cumsum(steps, dtype=np.int64).max()))


def nesting_depth(data: bytes | str, fmt: str) -> int:
    """How deeply ``data`` (a document in RDF syntax ``fmt``, a ``rdf.formats`` name) nests;
    0 for a syntax without nesting. RDF/XML is counted up to the first level past
    ``MAX_NESTING`` (or to where the XML stops being well-formed)."""
    raw = _bytes(data)
    if fmt in _TURTLE:
        plain = _TURTLE_OPAQUE.sub(b" ", raw).replace(b"<<", b"[").replace(b">>", b"]")
        return _depth(plain.translate(None, _ALL_BUT[b"[](){}"]))
    if fmt == "jsonld":
        return _depth(_JSON_OPAQUE.sub(b" ", raw).translate(None, _ALL_BUT[b"[]{}"]))
    if fmt == "rdfxml":
        return _xml_depth(raw)[0]
    return 0


_ALL_BUT = {keep: bytes(sorted(set(range(256)) - set(keep))) for keep in (b"[](){}", b"[]{}")}


class _TooDeep(Exception):
    pass


def _xml_depth(raw: bytes) -> tuple[int, int | None, int | None]:
    """(deepest element nesting, line, column of the first element past ``MAX_NESTING``) of an
    XML document; counting stops there, or where the XML stops being well-formed
    (``rdf.io.check_document`` reports that with its position)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = deepest = 0
    where: tuple[int | None, int | None] = (None, None)

    def start(_name: str, _attrs: object) -> None:
        nonlocal depth, deepest, where
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_NESTING:
                where = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
                raise _TooDeep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(raw, True)
    except (_TooDeep, expat.ExpatError):
        pass
    return deepest, *where


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """(line, column) of a byte offset, both from 1, the column in characters."""
    start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1


def _too_deep_at(raw: bytes, fmt: str) -> tuple[int | None, int | None]:
    """Where a document first nests past ``MAX_NESTING`` (the slow way: only once it is known
    to, to name the line and column)."""
    if fmt == "rdfxml":
        _deepest, line, column = _xml_depth(raw)
        return line, column
    token = _TURTLE_TOKEN if fmt in _TURTLE else _JSON_TOKEN
    depth = 0
    for m in token.finditer(raw):
        t = m.group()
        if t in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                return _position(raw, m.start())
        elif t in {b"]", b")", b"}", b">>"}:
            depth -= 1
    return None, None


def check_nesting(data: bytes | str, fmt: str, name: str) -> None:
    """Refuse (``RDFSyntaxError``, HTTP 400, with the line and column where the document goes
    past the limit) a document nested deeper than ``MAX_NESTING``, before any parser sees it.
    ``name`` labels the document in the message. Costs a few byte counts unless the document
    has more openers than the limit."""
    raw = _bytes(data)
    if _openers(raw, fmt) <= MAX_NESTING or nesting_depth(raw, fmt) <= MAX_NESTING:
        return
    what = {"jsonld": "JSON objects and arrays", "rdfxml": "XML elements"}.get(
        fmt, "brackets ([ ], ( ), { }, << >>)")
    line, column = _too_deep_at(raw, fmt)
    raise RDFSyntaxError(f"{what} nested more than {MAX_NESTING} levels deep; at most "
                         f"{MAX_NESTING} are accepted", SourcePosition(name, line, column))
