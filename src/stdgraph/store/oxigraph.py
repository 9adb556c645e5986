"""Embedded Oxigraph on disk: the default store.

A build writes a complete new database into a fresh generation folder and then switches the
``CURRENT`` pointer with an atomic rename, so a failed or killed build never touches the graph
that was there before. Writes to the open generation (SPARQL update) are Oxigraph transactions;
``replace_graph`` (a whole graph: ``stdgraph import``) and the guarded writes go through a write
transaction (``OxigraphTransaction``), a private copy published with the same atomic switch.

Readers (the query worker processes) open the current generation read-only, and RocksDB opens a
read-only database's files lazily. So a published generation is never written again: a write
transaction publishes a checkpoint of its copy (the copy itself was open read-write, and a
read-write handle lets RocksDB compact, i.e. delete files, at any time), and the process that
committed keeps a read-only handle on it. A generation that stops being current is kept for
``RETAIN_SECONDS`` more after a write (a ``.retired.<name>`` marker records when), since a reader
that read the pointer just before the switch may still be querying it; a build keeps only the
one before it. A generation that was never current (the copy of a failed or killed write) is
deleted by its own write, or by a later one once it is that old and no other process holds it
open (RocksDB's LOCK): until then it may be another process's write about to switch to it.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypedDict

import pyoxigraph as ox

from stdgraph.errors import QueryTimeout, StoreError
from stdgraph.rdf.formats import OX_FORMATS, NotAcceptable
from stdgraph.rdf.io import OxTerm, graph_to_quads, to_rdflib
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.rdf.results import Answer, QueryResult, Triple
from stdgraph.sparql.scan import (
    AnchoredQuery,
    check_nesting,
    has_dataset_clause,
    oxigraph_syntax_error,
)
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import AnswerRequest, Changes, Store, WriteTransaction

POINTER = "CURRENT"
#: how many first-pattern counts of anchored queries a store keeps (``_driver_count``)
DRIVER_COUNTS = 4096
#: the file in a generation folder that records the write which made it (``Store.changes``):
#: ``# base <generation>``, then ``+ `` / ``- `` and one N-Quads statement per line (RocksDB
#: ignores files it did not name, and a checkpoint copies only its own)
JOURNAL = "stdgraph-changes.nq"
#: a write that changes more quads than this records none: readers derive their state again
JOURNAL_MAX_QUADS = 100_000
#: the most writes ``changes`` follows back
JOURNAL_MAX_CHAIN = 64
#: quads per ``bulk_extend`` call in ``replace_graph`` (bounds the memory of one call)
CHUNK = 200_000
#: seconds a retired generation is kept for readers still on it; more than a query may run
#: (STDGRAPH_QUERY_TIMEOUT, default 10 s), queueing included
RETAIN_SECONDS = 120.0
#: seconds a never-current generation is kept at a server's start after its last change, even
#: when no process holds it open: one just written by ``backup`` is opened or switched to
#: within milliseconds (``OxigraphStore.remove_leftovers``)
UNFINISHED_SECONDS = 10.0


class OxigraphStore(Store):
    kind = "oxigraph"
    takes_oxigraph = True
    answers_inline = True

    def __init__(self, directory: str | Path, *, read_only: bool = False) -> None:
        self.root = Path(directory).expanduser().resolve()
        self.read_only = read_only
        self._db: ox.Store | None = None
        self._generation: str | None = None
        self._db_read_only = False  # the handle a commit left: reopened read-write to write
        #: other processes (the server's query workers) read these generations: open them
        #: read-only here too, except to write in place (see ``share_with_readers``)
        self.shared_readers = False
        #: seconds a retired generation is kept (the server raises it above its query timeout)
        self.retain_seconds = RETAIN_SECONDS
        self._open_lock = threading.RLock()
        self._pointer = self.root / POINTER
        self._pointer_key: tuple[int, int, int] | None = None
        self._pointer_name = ""
        #: anchored queries' first-pattern counts (``_driver_count``), by generation and probe
        self._driver_counts: dict[tuple[Any, ...], int] = {}
        #: folder removals a commit left running (``close`` waits for them)
        self._cleanups: list[threading.Thread] = []

    # -- generations -------------------------------------------------------------------------
    def _current_generation(self) -> str | None:
        """The generation ``CURRENT`` names. The pointer is only ever replaced by a rename, so
        an unchanged inode and mtime mean an unchanged name: one ``stat`` per query, not a read.
        The named folder was checked when the name was read; a published generation is only
        removed once the pointer has moved on."""
        pointer = self._pointer
        try:
            st = os.stat(pointer)
        except OSError:
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != self._pointer_key:
            name = pointer.read_text().strip()
            if not (name and os.path.isdir(os.path.join(self.root, name))):
                return None
            self._pointer_key, self._pointer_name = key, name
        return self._pointer_name

    def exists(self) -> bool:
        return self._current_generation() is not None

    @property
    def db(self) -> ox.Store:
        """The open database of the current generation (an empty one if none was built)."""
        gen = self._current_generation()
        db = self._db
        if db is not None and gen == self._generation:
            return db
        with self._open_lock:  # one thread opens; RocksDB refuses a second handle
            if self._db is not None and self._current_generation() == self._generation:
                return self._db
            return self._open(self._current_generation())

    def share_with_readers(self, retain_seconds: float | None = None) -> None:
        """From now on hold the current generation through a read-only handle: a read-write
        handle lets RocksDB compact, which deletes files that other processes reading the same
        generation still need (the server calls this before its query workers start); keep a
        retired generation at least ``retain_seconds``. A read-only store holds nothing
        read-write and retires nothing: nothing to do."""
        if self.read_only:
            return
        with self._open_lock:
            self.shared_readers = True
            if self._db is not None and not self._db_read_only:
                self._close_db()
        if retain_seconds is not None:
            self.retain_seconds = max(self.retain_seconds, retain_seconds)

    def reader_spec(self) -> str:
        return str(self.root)

    def _open(self, gen: str | None, *, writable: bool = False) -> ox.Store:
        self._close_db()
        try:
            if gen is None:
                if self.read_only:
                    raise StoreError(
                        f"no graph in {self.root} yet: run `stdgraph build` first"
                    )
                gen = self._new_generation_name()
                ox.Store(str(self.root / gen))  # create, then point at it
                self._switch_to(gen)
            path = str(self.root / gen)
            read_only = self.read_only or (self.shared_readers and not writable)
            self._db = ox.Store.read_only(path) if read_only else ox.Store(path)
            self._db_read_only = read_only and not self.read_only
        except OSError as e:
            raise StoreError(f"cannot open the store in {self.root}: {e}") from None
        self._generation = gen
        return self._db

    def _new_generation_name(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        return f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"

    def _switch_to(self, gen: str) -> None:
        previous = self._current_generation()
        tmp = self.root / f".{POINTER}.{secrets.token_hex(4)}"
        with open(tmp, "w") as f:
            f.write(gen + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / POINTER)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        if previous and previous != gen:
            (self.root / f".retired.{previous}").touch()  # from now on, readers leave it

    def _close_db(self) -> None:
        if self._db is not None:
            self._db = None  # pyoxigraph closes the database when the object is dropped
            self._generation = None
        self._db_read_only = False

    def close(self) -> None:
        """Close the database, after the folder removals of earlier commits have finished (the
        caller may delete or copy the folder next)."""
        for cleanup in self._cleanups:
            cleanup.join()
        self._cleanups.clear()
        self._close_db()

    # -- writes ------------------------------------------------------------------------------
    def replace_all(self, graphs: Mapping[str, Iterable[Triple]]) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        previous = self._current_generation()
        gen = self._new_generation_name()
        path = self.root / gen
        try:
            fresh = ox.Store(str(path))
            for iri, triples in graphs.items():
                fresh.bulk_extend(graph_to_quads(triples, iri))
            fresh.flush()
            del fresh
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._close_db()
        self._switch_to(gen)
        self._remove_old_generations(keep={gen, previous})

    def _remove_old_generations(self, keep: set[str | None]) -> None:
        """After a build: keep the new generation and the one before it."""
        _remove_folders(self._old_generations(keep, retain=0))

    def remove_leftovers(self) -> list[str]:
        """At a server's start: delete the copies of writes that never finished (a process
        killed before its commit leaves its copy, a never-current generation, behind; so does
        an update evaluation's checkpoint), and what retired generations and markers are due.
        A never-current folder is kept while another process has it open (its write is under
        way) and for ``UNFINISHED_SECONDS`` after its last change (one about to be opened or
        switched to); a retired one for ``retain_seconds`` as always."""
        if self.read_only or not self.root.is_dir():
            return []
        current = self._current_generation()
        victims = self._old_generations(keep={current}, unfinished=UNFINISHED_SECONDS)
        _remove_folders(victims)
        return sorted(p.name for p in victims if p.name.startswith("gen-"))

    def _old_generations(self, keep: set[str | None], retain: float | None = None, *,
                         unfinished: float | None = None) -> list[Path]:
        """Generations and markers that can go: not in ``keep``, not retired less than
        ``retain`` seconds ago (readers may still be on them), not open in another process
        nor (never current) changed less than ``unfinished`` seconds ago (default: ``retain``)."""
        now = time.time()
        retain = self.retain_seconds if retain is None else retain
        unfinished = retain if unfinished is None else unfinished
        out: list[Path] = []
        for child in self.root.glob("gen-*"):
            if child.name in keep:
                continue
            marker = self.root / f".retired.{child.name}"
            try:
                if now - marker.stat().st_mtime < retain:
                    continue
                out.append(marker)
            except FileNotFoundError:  # never current: a write's copy, or a commit about to
                try:  # switch to it; a recent one may belong to another process's write
                    if now - child.stat().st_mtime < unfinished or _locked_elsewhere(child):
                        continue
                except FileNotFoundError:
                    continue
            out.append(child)
        for marker in self.root.glob(".retired.*"):
            if not (self.root / marker.name[len(".retired."):]).exists():
                out.append(marker)
        out.extend(self.root.glob(f".{POINTER}.*"))
        return out

    def replace_graph(self, iri: str, triples: Iterable[Triple]) -> None:
        """On a write transaction's private copy (``begin``): remove the graph, ``bulk_extend``
        the new quads in chunks, commit (one switch of ``CURRENT``). Readers see the old graph
        or the new; any error, one raised by ``triples`` included, throws the copy away. (The
        generic ``DROP`` + ``INSERT DATA`` text took three quarters of an STO import.)"""
        if self.read_only:
            raise StoreError("the store is open read-only")
        iri_ref(iri)  # ValueError before any work
        txn = self.begin()
        try:
            _fill_graph(txn.db, iri, triples)
        except BaseException as e:
            # the copy must be closed before its folder goes: drop the failed frames' references
            traceback.clear_frames(e.__traceback__)
            txn.rollback()
            raise
        txn.commit()  # throws the copy away itself when it fails before the switch

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        check_nesting(sparql)
        self._driver_counts.clear()  # counted for a generation this changes in place
        db = self.db
        if self._db_read_only:
            with self._open_lock:
                db = self._open(self._current_generation(), writable=True)
        try:
            db.update(sparql, base_iri=base_iri)
        except SyntaxError as e:
            raise oxigraph_syntax_error(e) from None

    # -- reads -------------------------------------------------------------------------------
    def query(self, sparql: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              base_iri: str | None = None) -> QueryResult:
        return _result(self._run(sparql, default_graphs, named_graphs, base_iri))

    def select_native(self, sparql: str) -> list[tuple[OxTerm | None, ...]]:
        """Oxigraph's terms as they are (no rdflib terms: about three times faster)."""
        res = self._run(sparql, None, None, None)
        if not isinstance(res, ox.QuerySolutions):
            raise ValueError("select_native runs SELECT queries only")
        width = len(res.variables)
        return [tuple(sol[i] for i in range(width)) for sol in res]

    def _run(self, sparql: str, default_graphs: Sequence[str] | None,
             named_graphs: Sequence[str] | None, base_iri: str | None
             ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        kwargs: dict[str, Any] = {"base_iri": base_iri}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif not has_dataset_clause(sparql):  # FROM in the query names its own default graph
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        check_nesting(sparql)
        try:
            return self.db.query(sparql, **kwargs)
        except SyntaxError as e:
            raise oxigraph_syntax_error(e) from None

    def answer(self, request: AnswerRequest) -> Answer:
        """Native serialisation (see ``answer_native``): no rdflib terms on the way."""
        return answer_native(self.db, request, prefixes=PREFIXES)

    def answer_inline(self, request: AnswerRequest, *, max_bytes: int,
                      anchored: AnchoredQuery | None = None, driver_cap: int = 0
                      ) -> Answer | None:
        """See ``answer_inline`` (the function): a bounded query answered only if small."""
        db = self.db
        if anchored is None:
            return answer_inline(db, request, max_bytes=max_bytes)
        gen = self._generation  # db's (a stat less than asking the pointer again)

        def counts(req: AnswerRequest, found: AnchoredQuery, cap: int) -> int:
            return self._driver_count(db, gen, req, found, cap)

        return answer_inline(db, request, max_bytes=max_bytes, anchored=anchored,
                             driver_cap=driver_cap, counts=counts)

    def _driver_count(self, db: ox.Store, gen: str | None, request: AnswerRequest,
                      anchored: AnchoredQuery, cap: int) -> int:
        """``_driver_matches`` on ``db`` (generation ``gen``), kept per generation: the count
        is the same until a write, and its probe query costs about what the query it bounds
        does (``DRIVER_COUNTS`` kept, the oldest dropped first)."""
        key = (gen, anchored, cap, request.default_graphs, request.named_graphs,
               request.base_iri)
        found = self._driver_counts.get(key)
        if found is None:
            found = _driver_matches(db, request, anchored, cap)
            if gen is not None:
                while len(self._driver_counts) >= DRIVER_COUNTS:
                    del self._driver_counts[next(iter(self._driver_counts))]
                self._driver_counts[key] = found
        return found

    def version(self) -> str | None:
        return self._current_generation()

    def changes(self, since: Any, until: Any) -> list[Changes] | None:
        """Followed back from ``until`` through the journals of the generations in between
        (``JOURNAL``): a generation made by a build, a load or a write too big to record has
        none, and a retired generation's folder (with its journal) goes after a while."""
        if not isinstance(since, str) or not isinstance(until, str):
            return None
        found: list[Changes] = []
        gen = until
        for _ in range(JOURNAL_MAX_CHAIN):
            if gen == since:
                return found[::-1]
            read = read_journal(self.root / gen / JOURNAL)
            if read is None:
                return None
            gen, changes = read
            found.append(changes)
        return None

    def begin(self) -> WriteTransaction:
        if self.read_only:
            raise StoreError("the store is open read-only")
        return OxigraphTransaction(self)

    def graph_names(self) -> list[str]:
        if not self.read_only and not self.exists():
            return []  # reading does not create the first generation
        db = self.db
        names = []
        for g in db.named_graphs():
            if next(iter(db.quads_for_pattern(None, None, None, g)), None) is not None:
                names.append(g.value)
        return sorted(names)

    def triples(self, graph: str | None = None) -> Iterable[Triple]:
        g = ox.NamedNode(graph) if graph else None
        seen: set[tuple[OxTerm, OxTerm, OxTerm]] | None = set() if graph is None else None
        for q in self.db.quads_for_pattern(None, None, None, g):
            if seen is not None:
                key = (q.subject, q.predicate, q.object)
                if key in seen:
                    continue
                seen.add(key)
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        return self.db.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def ox_quads(self, graph: ox.NamedNode | ox.DefaultGraph | None = None
                 ) -> Iterator[ox.Quad]:
        yield from self.db.quads_for_pattern(None, None, None, graph)

    def count(self, graph: str | None = None) -> int:
        g = ox.NamedNode(graph) if graph else None
        return sum(1 for _ in self.db.quads_for_pattern(None, None, None, g))

    def dump(self, fmt: str, *, graphs: list[str] | None = None) -> bytes:
        rdf_format = OX_FORMATS[fmt]
        if fmt in {"nquads", "trig"} and graphs is None:
            return self.db.dump(format=rdf_format) or b""
        selected = graphs if graphs is not None else self.graph_names()
        if len(selected) == 1:
            return self.db.dump(format=rdf_format, from_graph=ox.NamedNode(selected[0])) or b""
        union = ox.Store()
        for name in selected:
            union.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in self.db.quads_for_pattern(None, None, None, ox.NamedNode(name))
            )
        return union.dump(format=rdf_format, from_graph=ox.DefaultGraph()) or b""


def _fill_graph(db: ox.Store, iri: str, triples: Iterable[Triple | ox.Triple | ox.Quad]) -> None:
    """Replace graph ``iri`` of ``db`` (a private copy: ``bulk_extend`` is not transactional)."""
    db.remove_graph(ox.NamedNode(iri))
    quads = graph_to_quads(triples, iri)
    while chunk := list(itertools.islice(quads, CHUNK)):
        db.bulk_extend(chunk)


def _result(res: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        variables = [v.value for v in res.variables]
        rows = [
            tuple(None if sol[v] is None else to_rdflib(sol[v]) for v in variables)
            for sol in res
        ]
        return QueryResult(kind="select", variables=variables, rows=rows)
    triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in res]
    return QueryResult(kind="graph", triples=triples)


# -- native fast path: serialise results with pyoxigraph, never through rdflib terms -------------
RESULT_OX = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_QUAD_FORMATS = {"nquads", "trig"}
_CHECK_EVERY = 512  # triples between two deadline checks


class _Full(Exception):
    """Raised by the capped writer to stop the serialiser once max_rows rows are written."""


class _Sink:
    """A file-like sink for pyoxigraph's writers: keeps what they write, checks the deadline on
    every chunk, and stops the writer (``_Full``) once ``full`` says the chunk went too far."""

    def __init__(self, deadline: float | None, timeout: float | None) -> None:
        self.parts: list[bytes] = []
        self.deadline = deadline
        self.timeout = timeout

    def write(self, chunk: bytes) -> int:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeout(self.timeout or 0)
        data = bytes(chunk)
        self.parts.append(data)
        if self.full(data):
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass

    def full(self, data: bytes) -> bool:
        raise NotImplementedError


class _CappedSink(_Sink):
    """Stops pyoxigraph's TSV writer once more than ``limit`` lines have been written (one per
    row, as TSV escapes newlines in literals)."""

    def __init__(self, limit: int, deadline: float | None, timeout: float | None) -> None:
        super().__init__(deadline, timeout)
        self.used = 0
        self.limit = limit

    def full(self, data: bytes) -> bool:
        self.used += data.count(b"\n")
        return self.used > self.limit


def _row_marks_hold(fmt: str, mark: bytes, extra: int) -> bool:
    """Whether pyoxigraph writes ``mark`` as ``_ROW_MARKS`` says, checked once at import on
    answers of 0, 1 and 3 rows (values holding no mark): another layout (a writer that
    pretty-prints, say) turns the direct path off for that format rather than let an answer
    break the row cap."""
    db = ox.Store()
    for values in ("", "1", "1 2 3"):
        query = f"SELECT ?x ?y WHERE {{ VALUES ?x {{ {values} }} BIND('v' AS ?y) }}"
        res = db.query(query)
        assert isinstance(res, ox.QuerySolutions)
        body = res.serialize(format=RESULT_OX[fmt]) or b""
        rows = len(values.split())
        if not rows <= body.count(mark) - extra <= max(rows, 1):  # JSON: no mark, no row
            return False
    return True


#: per result format: the bytes pyoxigraph's writer puts once per row (JSON: the ``},{``
#: between two row objects; XML: ``<result>``; CSV and TSV: a line end) and how many it writes
#: besides the rows (JSON: one fewer than the rows; CSV and TSV: the header line). A literal
#: can hold the mark too (XML escapes ``<`` and TSV ``\n``, JSON and CSV write ``},{`` and
#: newlines in strings as they are), so the marks' count bounds the rows from above: an answer
#: with at most ``max_rows + extra`` marks has at most ``max_rows`` rows.
_ROW_MARKS = {fmt: (mark, extra) for fmt, mark, extra in [
    ("json", b"},{", -1), ("xml", b"<result>", 0), ("csv", b"\n", 1), ("tsv", b"\n", 1)]
    if _row_marks_hold(fmt, mark, extra)}


class _RowSink(_Sink):
    """Stops pyoxigraph's result writers as soon as what they wrote may hold more than
    ``max_rows`` rows (``_ROW_MARKS``) or more than ``max_bytes`` bytes. Counting is a C
    ``count`` per chunk (the writer hands over kilobytes at a time), nothing per row."""

    def __init__(self, fmt: str, max_rows: int, max_bytes: int | None,
                 deadline: float | None, timeout: float | None) -> None:
        super().__init__(deadline, timeout)
        self.mark, extra = _ROW_MARKS[fmt]
        self.keep = len(self.mark) - 1  # a mark cut in two by a chunk boundary
        self.tail = b""
        self.marks_left = max_rows + extra
        self.bytes_left = max_bytes

    def full(self, data: bytes) -> bool:
        seen = data.count(self.mark)
        if self.keep:
            seen += (self.tail + data[:self.keep]).count(self.mark)
            self.tail = (self.tail + data)[-self.keep:]
        self.marks_left -= seen
        if self.bytes_left is not None:
            self.bytes_left -= len(data)
            if self.bytes_left < 0:
                return True
        return self.marks_left < 0


def _direct_answer(res: ox.QuerySolutions, result_format: str, max_rows: int,
                   deadline: float | None, timeout: float | None,
                   max_bytes: int | None = None) -> Answer | None:
    """The result written straight in ``result_format`` if it provably has at most
    ``max_rows`` rows (``_ROW_MARKS``) and takes at most ``max_bytes`` bytes, else ``None``
    (``res`` is then spent: run the query again for the TSV path, which cuts at the cap).

    Writing TSV and converting it natively to the negotiated format parses every row again:
    a tenth of a 12,000-row join's time, a quarter of a point lookup's. Writing straight in
    the negotiated format costs nothing per row. The price is an answer over the cap: its
    query runs twice (the first time only until the cap is passed)."""
    sink = _RowSink(result_format, max_rows, max_bytes, deadline, timeout)
    try:
        # any object with write() does (the stub names only IO[bytes])
        res.serialize(sink, format=RESULT_OX[result_format])  # type: ignore[arg-type]
    except _Full:
        return None
    return Answer("select", result_format, b"".join(sink.parts), False, None)


def dataset_options(
    sparql: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
) -> dict[str, Any]:
    """pyoxigraph keyword arguments for the SPARQL dataset.

    No protocol dataset: the union of all graphs is the default graph, unless the query names its
    own dataset with FROM / FROM NAMED. A protocol dataset (``default-graph-uri`` /
    ``named-graph-uri``) replaces both parts, as SPARQL 1.1 Protocol §2.1.4 says: naming only
    named graphs leaves an empty default graph, naming only default graphs leaves no named ones.
    """
    if default_graphs is None and named_graphs is None:
        return {} if has_dataset_clause(sparql) else {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(g) for g in default_graphs or []],
        "named_graphs": [ox.NamedNode(g) for g in named_graphs or []],
    }


class _Capped(TypedDict):
    """What ``_capped_triples`` tells once it is spent."""

    truncated: bool
    count: int


def _capped_triples(triples: Iterable[ox.Triple], max_rows: int, deadline: float | None,
                    timeout: float | None, state: _Capped, as_quads: bool
                    ) -> Iterator[ox.Triple | ox.Quad]:
    n = 0
    for t in triples:
        if n >= max_rows:
            state["truncated"] = True
            break
        n += 1
        if deadline is not None and n % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise QueryTimeout(timeout or 0)
        yield ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) if as_quads else t
    state["count"] = n


def _run(db: ox.Store, request: AnswerRequest
         ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    sparql = request.sparql
    check_nesting(sparql)  # a deeper query would crash the process (sparql.scan.MAX_NESTING)
    try:
        return db.query(sparql, base_iri=request.base_iri,
                        **dataset_options(sparql, request.default_graphs, request.named_graphs))
    except SyntaxError as e:
        raise oxigraph_syntax_error(e) from None


def _deadline(request: AnswerRequest) -> float | None:
    """When ``request``'s time limit passes (``time.monotonic``), if it has one."""
    return time.monotonic() + request.timeout if request.timeout else None


def _driver_matches(db: ox.Store, request: AnswerRequest, anchored: AnchoredQuery,
                    cap: int) -> int:
    """How many matches the anchored query's first pattern has, counted up to ``cap + 1`` by
    its probe query (a ``LIMIT``ed count, in the query's dataset)."""
    counted = _run(db, replace(request, sparql=anchored.probe(cap)))
    assert isinstance(counted, ox.QuerySolutions)
    row = next(iter(counted), None)
    n = row[0] if row is not None else None
    del counted, row
    return int(n.value) if isinstance(n, ox.Literal) else cap + 1


def answer_inline(db: ox.Store, request: AnswerRequest, *, max_bytes: int,
                  anchored: AnchoredQuery | None = None, driver_cap: int = 0,
                  counts: Callable[[AnswerRequest, AnchoredQuery, int], int] | None = None
                  ) -> Answer | None:
    """``answer_native`` for a query whose work is bounded before it runs, on the event loop:
    its answer if that takes at most ``max_bytes``, else ``None`` (hand it to a worker).

    A point lookup (``sparql.scan.is_point_lookup``) reads one index range. An anchored query
    (``sparql.scan.anchored_query``) is ``None`` at once when its first pattern has more than
    ``driver_cap`` matches (counted first), so its index seeks are at most ``driver_cap`` per
    filter (``counts``: where the count comes from, if not a probe query at every call). The
    byte budget bounds the rest, whatever the row cap (which may be
    millions): a subject can have that many triples, and a graph answer (CONSTRUCT) is cut at
    ``max_bytes // 64`` triples before it is written."""
    deadline = _deadline(request)
    result_format, graph_format = request.result_format, request.graph_format
    if anchored is not None and (
            (counts is None and _driver_matches(db, request, anchored, driver_cap) > driver_cap)
            or (counts is not None and counts(request, anchored, driver_cap) > driver_cap)):
        return None
    res = _run(db, request)
    if isinstance(res, ox.QueryBoolean) and result_format is not None:
        return Answer("ask", result_format,
                      res.serialize(format=RESULT_OX[result_format]) or b"")
    if isinstance(res, ox.QueryTriples) and graph_format is not None:
        room = max_bytes // 64
        kept: list[ox.Triple] = []
        for t in res:
            if len(kept) >= room:
                del res
                return None
            kept.append(t)
        del res
        state: _Capped = {"truncated": False, "count": 0}
        gen = _capped_triples(iter(kept), request.max_rows, deadline, request.timeout, state,
                              graph_format in _QUAD_FORMATS)
        kwargs: dict[str, Any] = (
            {"prefixes": PREFIXES} if graph_format in {"turtle", "trig"} else {})
        body = ox.serialize(gen, format=OX_FORMATS[graph_format], **kwargs)  # type: ignore[arg-type]
        return Answer("graph", graph_format, body or b"", state["truncated"], state["count"])
    if not isinstance(res, ox.QuerySolutions) or result_format not in _ROW_MARKS:
        del res  # the worker answers (or refuses) it; see answer_native on ``del``
        return None
    return _direct_answer(res, result_format, request.max_rows, deadline, request.timeout,
                          max_bytes)


def answer_native(db: ox.Store, request: AnswerRequest, *,
                  prefixes: dict[str, str] | None = None) -> Answer:
    """Run ``request`` on a pyoxigraph store and serialise the result natively.

    SELECT results are written straight in the requested format, their rows bounded by a count
    of the marks the writer puts once per row (``_direct_answer``), the deadline checked on
    every chunk the writer hands over. An answer that may have more rows than ``max_rows`` is
    run again and written as TSV (one row per line, so the cap is a line count), cut at the
    cap, and converted natively to the requested format. Graph results stream through a capped
    generator into pyoxigraph's RDF serialisers (``prefixes``: Turtle's and TriG's).
    """
    deadline = _deadline(request)
    result_format, graph_format = request.result_format, request.graph_format
    max_rows, timeout = request.max_rows, request.timeout
    res = _run(db, request)
    if isinstance(res, ox.QueryTriples):
        if graph_format is None:
            # pyoxigraph results must die on the thread that made them; the exception's frame
            # would otherwise carry ``res`` to the event loop.
            del res
            raise NotAcceptable.for_result("graph")
        state: _Capped = {"truncated": False, "count": 0}
        gen = _capped_triples(res, max_rows, deadline, timeout, state,
                              graph_format in _QUAD_FORMATS)
        kwargs: dict[str, Any] = (
            {"prefixes": prefixes} if prefixes and graph_format in {"turtle", "trig"} else {})
        # ``gen`` yields only quads or only triples (``as_quads``)
        body = ox.serialize(gen, format=OX_FORMATS[graph_format], **kwargs)  # type: ignore[arg-type]
        return Answer("graph", graph_format, body or b"", state["truncated"], state["count"])
    if result_format is None:
        del res  # see above
        raise NotAcceptable.for_result("select")
    if isinstance(res, ox.QueryBoolean):
        return Answer("ask", result_format,
                      res.serialize(format=RESULT_OX[result_format]) or b"")
    if result_format in _ROW_MARKS and result_format != "tsv":  # TSV: the path below
        direct = _direct_answer(res, result_format, max_rows, deadline, timeout)
        if direct is not None:
            return direct
        res = _run(db, request)
    sink = _CappedSink(max_rows + 1, deadline, timeout)  # + the header line
    truncated = False
    try:
        res.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]  # as above
    except _Full:
        truncated = True
    tsv = b"".join(sink.parts)
    if truncated:
        cut = -1
        for _ in range(max_rows + 1):
            cut = tsv.index(b"\n", cut + 1)
        tsv = tsv[: cut + 1]
    rows = tsv.count(b"\n") - 1
    if result_format == "tsv":
        return Answer("select", "tsv", tsv, truncated, rows)
    body = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(
        format=RESULT_OX[result_format]) or b""
    return Answer("select", result_format, body, truncated, rows)


class OxigraphTransaction(WriteTransaction):
    """A checkpoint of the current generation (hard links: cheap) opened as a new generation;
    commit switches the ``CURRENT`` pointer to it, rollback deletes it.

    The checkpoint is taken from a read-only handle unless this process already has the
    generation open read-write: opening a published generation read-write lets RocksDB compact
    it, which deletes files that readers (the query worker processes, which open it read-only
    and load its files lazily) still need."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self.committed = False
        gen = store._current_generation()
        if gen is None:
            store.db  # noqa: B018 - creates the first, empty generation
            gen = store._current_generation()
            assert gen is not None  # store.db made it
        self.base_generation = gen
        self.generation = store._new_generation_name()
        self.path = store.root / self.generation
        self.journal: bytes | None = None  # record_changes: the JOURNAL of the commit
        self.base: ox.Store | None
        try:
            if store._db is not None and store._generation == gen:
                self.base = store._db  # already open here (read-write: its files may change
                if not store._db_read_only:  # under a second handle, so use this one)
                    self.base.flush()
            else:
                self.base = ox.Store.read_only(str(store.root / gen))
            self.base.backup(str(self.path))
            self.db = ox.Store(str(self.path))
        except OSError as e:
            shutil.rmtree(self.path, ignore_errors=True)
            raise StoreError(f"cannot start a write in {store.root}: {e}") from None

    def base_quads(self) -> Iterator[ox.Quad]:
        assert self.base is not None, "the write is over"
        return self.base.quads_for_pattern(None, None, None, None)

    def record_changes(self, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]) -> None:
        """Kept for ``commit``, which writes it into the published generation (``JOURNAL``);
        a change of more than ``JOURNAL_MAX_QUADS`` quads is not recorded."""
        added, removed = list(added), list(removed)
        if len(added) + len(removed) > JOURNAL_MAX_QUADS:
            self.journal = None
            return
        self.journal = journal_text(self.base_generation, added, removed)

    def checkpoint(self) -> str:
        """A RocksDB checkpoint of the copy (hard links: milliseconds) in a folder of its own,
        named like a generation that never becomes current: if the process dies before the
        caller deletes it, the clean-up of never-current generations removes it
        (``OxigraphStore.remove_leftovers`` at start, every commit after ``retain_seconds``)."""
        path = self.store.root / self.store._new_generation_name()
        try:
            self.db.flush()
            self.db.backup(str(path))
        except OSError as e:
            shutil.rmtree(path, ignore_errors=True)
            raise StoreError(f"cannot copy the write in {self.store.root}: {e}") from None
        return str(path)

    def commit(self) -> None:
        st = self.store
        if st._current_generation() != self.base_generation:
            self.rollback()
            raise StoreError("the store was rebuilt while this write ran; nothing was changed")
        # Publish a checkpoint of the copy, never the copy itself (see the module docstring).
        published = st._new_generation_name()
        try:
            self.db.flush()
            self.db.backup(str(st.root / published))
            if self.journal is not None:
                (st.root / published / JOURNAL).write_bytes(self.journal)
            db = ox.Store.read_only(str(st.root / published))
        except OSError as e:
            shutil.rmtree(st.root / published, ignore_errors=True)
            self.rollback()
            raise StoreError(f"cannot commit the write in {st.root}: {e}") from None
        self.db = self.base = None
        staging = self.path
        with st._open_lock:
            st._switch_to(published)  # readers now open the new generation
            st._close_db()
            st._db, st._generation, st._db_read_only = db, published, True
        self.generation, self.path = published, st.root / published
        self.committed = True  # from here on a rollback must not touch the published folder
        # chosen now, so that a write starting meanwhile keeps its own copy
        victims = [staging, *st._old_generations(keep={published, self.base_generation})]
        cleanup = threading.Thread(target=_remove_folders, args=(victims,), daemon=True,
                                   name="stdgraph-cleanup")
        st._cleanups = [t for t in st._cleanups if t.is_alive()] + [cleanup]
        cleanup.start()

    def rollback(self) -> None:
        """Throw the copy away; after a commit (even one that raised late), do nothing."""
        self.db = None
        self.base = None
        if not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)


def journal_text(base: str, added: Iterable[ox.Quad], removed: Iterable[ox.Quad]) -> bytes:
    """The ``JOURNAL`` of a write from generation ``base``."""
    lines = [f"# base {base}\n".encode()]
    for sign, quads in ((b"+ ", added), (b"- ", removed)):
        text = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b""
        lines += [sign + line + b"\n" for line in text.splitlines() if line]
    return b"".join(lines)


def read_journal(path: Path) -> tuple[str, Changes] | None:
    """(base generation, the changes) of a ``JOURNAL`` file; None if there is none or it
    cannot be read."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return None
    if not lines or not lines[0].startswith(b"# base "):
        return None
    base = lines[0][len(b"# base "):].decode().strip()
    parts: dict[bytes, list[bytes]] = {b"+": [], b"-": []}
    for line in lines[1:]:
        sign = line[:1]
        if sign not in parts or line[1:2] != b" ":
            return None
        parts[sign].append(line[2:])
    try:
        added, removed = (tuple(ox.parse(b"\n".join(parts[k]), format=ox.RdfFormat.N_QUADS))
                          for k in (b"+", b"-"))
    except SyntaxError:
        return None
    return base, Changes(added, removed)


def _remove_folders(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _locked_elsewhere(generation: Path) -> bool:
    """True while another process has this database open read-write (RocksDB holds a POSIX
    lock on its LOCK file); this process's own locks never conflict, so they do not count."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return False
    try:
        fd = os.open(generation / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
