"""Reading RDF request bodies and writing RDF answers with pyoxigraph, streamed."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterable

import pyoxigraph as ox

from stdgraph.errors import RDFSyntaxError, SourcePosition
from stdgraph.rdf.formats import OX_FORMATS
from stdgraph.rdf.io import check_document, check_nothing_dropped
from stdgraph.rdf.namespaces import PREFIXES

_QUAD_FORMATS = {"nquads", "trig"}


def body_schema(media_type: str) -> dict:
    """The OpenAPI schema of an RDF request body: JSON-LD is a JSON object or array, every
    other syntax is text."""
    if media_type == "application/ld+json":
        return {"type": ["object", "array"]}
    return {"type": "string"}


def parse_body(body: bytes, fmt: str, *, base_iri: str | None, label: str) -> list[ox.Quad]:
    """Parse an uploaded document; blank nodes are renamed so they never merge with stored
    ones; syntax errors become ``RDFSyntaxError`` (400) with line and column."""
    check_document(body, fmt, label)
    try:
        quads = list(ox.parse(body, format=OX_FORMATS[fmt], base_iri=base_iri,
                              rename_blank_nodes=True))
        check_nothing_dropped(body, fmt, label, len(quads))
        return quads
    except SyntaxError as e:
        raise RDFSyntaxError(e.msg or str(e), SourcePosition(label, e.lineno, e.offset)) from None
    except ValueError as e:
        raise RDFSyntaxError(str(e), SourcePosition(label, None, None)) from None


def serialize_quads(quads: Iterable[ox.Quad], fmt: str, output, *, dataset: bool = False) -> None:
    """Write quads: keeping graph names in N-Quads and TriG (and in JSON-LD when ``dataset``),
    as triples (graph names dropped) otherwise."""
    prefixes = PREFIXES if fmt in {"turtle", "trig"} else None
    if fmt in _QUAD_FORMATS or (dataset and fmt == "jsonld"):
        items: Iterable = quads
    else:
        items = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    ox.serialize(items, output, OX_FORMATS[fmt], prefixes=prefixes)


class _Cancelled(Exception):
    pass


class _QueueWriter:
    def __init__(self, q: queue.Queue, cancelled: threading.Event) -> None:
        self.q = q
        self.cancelled = cancelled

    def write(self, chunk) -> int:
        data = bytes(chunk)
        self.put(data)
        return len(data)

    def put(self, item) -> None:
        while True:
            if self.cancelled.is_set():
                raise _Cancelled
            try:
                self.q.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def flush(self) -> None:
        pass


async def stream(produce: Callable[[object], None]) -> AsyncIterator[bytes]:
    """Run ``produce(writer)`` in a thread and yield what it writes, with back-pressure; a client
    that goes away stops the producer at its next write."""
    q: queue.Queue = queue.Queue(maxsize=8)
    cancelled = threading.Event()
    done = object()

    writer = _QueueWriter(q, cancelled)

    def run() -> None:
        try:
            try:
                produce(writer)
            except _Cancelled:
                return
            except BaseException as e:  # noqa: BLE001 - handed to the consumer
                writer.put(e)
            writer.put(done)
        except _Cancelled:
            return

    threading.Thread(target=run, name="stdgraph-stream", daemon=True).start()
    try:
        while True:
            item = await asyncio.to_thread(q.get)
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()
