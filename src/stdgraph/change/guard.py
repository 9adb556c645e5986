"""Guarded writes: every change is applied to a private copy, its exact delta recorded, the
inferred graph updated incrementally, the touched nodes checked against the SHACL shapes, and
the copy committed whole — or not at all.

This is the change protocol (docs/architecture.md): ``WriteGuard.change()`` — or
``store_change(store, project)`` outside the server — gives a ``Change`` for a ``with`` block, and
the steps below run around it. ``WriteGuard`` serves SPARQL Update and the Graph Store Protocol
through it, and every import (CLI and HTTP) is written through it:

1. ``store.begin()`` gives a writable pyoxigraph copy of the store (for the embedded store a
   RocksDB checkpoint of the current generation: hard links, so it costs milliseconds);
2. the change runs on the copy through ``RecordingDB``, which keeps the net inserted and deleted
   quads, so nothing later costs time proportional to the store:

   * an update made only of ``INSERT DATA`` / ``DELETE DATA`` operations (the common case, and
     the bulk one) is parsed by Oxigraph itself, one operation at a time
     (``sparql.scan.data_operations``);
   * any other update is parsed into algebra by rdflib; each ``WHERE`` is evaluated by rdflib's
     SPARQL engine over a live, read-only view of the copy (``sparql.storeview.StoreView``: no
     graph is copied) restricted to the operation's dataset, and the ``DELETE``/``INSERT``
     templates are instantiated here. The view checks the update's time limit as it reads, so
     a runaway update stops with ``QueryTimeout`` (HTTP 503) and the copy is thrown away;
3. the asserted part of the delta goes to a ``rules.Reasoner`` kept between writes (built from
   the store on the first write, rebuilt when someone else changed the store), whose
   incremental update (semi-naive forward, DRed backward) gives the change of the inferred
   graph, applied to the copy;
4. the nodes the write touches — subjects and non-literal objects of the changed asserted quads
   and of the changed inferred triples, blank nodes replaced by the IRIs that hold them — are
   validated in the copy with the project's shapes (``validation.scoped.validate_in_store``,
   which reads only the neighbourhood the shapes need);
5. any ``sh:Violation`` rolls the copy and the reasoner back and raises ``ValidationFailed``
   (HTTP 422) with the report; otherwise the copy becomes the store in one atomic step.

One write runs at a time (a lock); readers keep seeing the previous state until the commit.

Imported third-party graphs (``graph/import/...``, written by ``stdgraph import`` or
``POST /import/sto``) are kept as imported, as the build keeps them: they are left out of the
inference and their changes are not SHACL focus nodes.

**Datasets of updates.** Without ``USING``/``WITH`` the ``WHERE`` of an operation reads the
store's default graph, with all named graphs available through ``GRAPH`` (what Oxigraph does);
``WITH <g>`` makes ``<g>`` the default graph of the ``WHERE`` and of the templates; ``USING`` /
``USING NAMED`` — or the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` (SPARQL 1.1
Protocol §2.2.3) — give exactly the default graph (a merge) and the named graphs. A request that
names its dataset both ways is refused with 400, as §2.2.3 requires. Templates without
``GRAPH`` write to the default graph (or the ``WITH`` graph).
"""

from __future__ import annotations

import gc
import io
import logging
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from stdgraph.deadline import Deadline
from stdgraph.errors import (
    ProtectedGraph,
    QuerySyntaxError,
    QueryTimeout,
    StdgraphError,
    ValidationFailed,
)
from stdgraph.project import Project
from stdgraph.rdf.graphs import (
    COMPUTED_GRAPHS,
    GraphName,
    is_asserted,
    is_computed,
    is_shacl_data,
)
from stdgraph.rdf.io import to_oxigraph, to_rdflib
from stdgraph.rdf.namespaces import INFERRED_GRAPH
from stdgraph.reasoning.infer import infer
from stdgraph.reasoning.rules import InferenceDelta, Reasoner, UnsupportedConstruct, write_delta
from stdgraph.reasoning.scoped import scoped_asserted, settle
from stdgraph.sparql.baseiri import set_base
from stdgraph.sparql.scan import (
    check_nesting,
    data_operations,
    oxigraph_syntax_error,
    uses_load,
    uses_service,
)
from stdgraph.sparql.storeview import StoreView
from stdgraph.store.base import Store, WriteTransaction
from stdgraph.validation import scoped as validation_store
from stdgraph.validation.report import ValidationReport
from stdgraph.validation.scoped import validate_in_store

if TYPE_CHECKING:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Prologue

log = logging.getLogger("stdgraph.change")
_CHECK_EVERY = 256  # triples read between two deadline checks

Triple = tuple[Node, Node, Node]


class UpdateError(StdgraphError):
    """A SPARQL update that parses but cannot be applied (HTTP 400)."""

    http_status = 400


@dataclass
class WriteOutcome:
    """What a committed write changed."""

    inserted: int = 0
    deleted: int = 0
    inferred_added: int = 0
    inferred_removed: int = 0
    touched: int = 0
    report: ValidationReport | None = None
    created: bool = False  # Graph Store: the target graph did not exist before
    #: seconds per phase (begin, change, inference, validation, commit), for benchmarks
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "deleted": self.deleted,
            "inferred_added": self.inferred_added,
            "inferred_removed": self.inferred_removed,
            "validated_nodes": self.touched,
            "warnings": len(self.report.warnings) if self.report else 0,
        }


def _graph_term(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


class _Clock:
    """Seconds spent in each phase of a write."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def _writable(quads: Iterable[ox.Quad]) -> dict[ox.Quad, None]:
    """``quads`` without repeats, after checking that none is in a graph stdgraph computes
    (``ProtectedGraph``: every write route refuses them the same way, here)."""
    items = dict.fromkeys(quads)
    for q in items:
        if q.graph_name in COMPUTED_GRAPHS:
            raise ProtectedGraph(q.graph_name.value)  # type: ignore[union-attr]
    return items


def _held(db: Any, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """Which of ``quads`` the copy holds: asked all at once where the copy answers that way
    (a remote write's overlay: one query for many quads, not one each)."""
    present = getattr(db, "present", None)
    if present is not None:
        held: set[ox.Quad] = present(quads)
        return held
    return {q for q in quads if q in db}


def _check_writable(graph: GraphName) -> None:
    if is_computed(graph):
        raise ProtectedGraph(graph.value)  # type: ignore[union-attr]


class RecordingDB:
    """The transaction's copy, changed only through here so that the net change is known:
    ``added`` holds quads that are new, ``removed`` quads that are gone. A quad in a graph
    stdgraph computes (the inferred graph, the build record) is refused (``ProtectedGraph``,
    HTTP 403) whatever the route: the protocol writes the inferred graph itself, after the
    change, from its delta."""

    def __init__(self, db: ox.Store) -> None:
        self.db = db
        self.added: set[ox.Quad] = set()
        self.removed: set[ox.Quad] = set()

    def checkpoint(self) -> str | None:
        """No copy for another process (``Change.checkpoint`` has one)."""
        return None

    def insert(self, quads: Iterable[ox.Quad]) -> None:
        # checked before the copy is bound here: a refusal's traceback keeps this frame, and a
        # frame holding the copy would keep it open after the rollback deleted its folder
        # (RocksDB then retries its background work for a second when it is closed, and it
        # is closed wherever the traceback is let go: the server's event loop)
        items = _writable(quads)
        db = self.db
        held = _held(db, items)
        new = [q for q in items if q not in held]
        if not new:
            return
        db.extend(new)
        for q in new:
            if q in self.removed:
                self.removed.discard(q)
            else:
                self.added.add(q)

    def delete(self, quads: Iterable[ox.Quad]) -> None:
        items = _writable(quads)  # before the copy is bound here (see insert)
        db = self.db
        held = _held(db, items)
        for q in [q for q in items if q in held]:
            db.remove(q)
            if q in self.added:
                self.added.discard(q)
            else:
                self.removed.add(q)

    def quads(self, graph: GraphName) -> list[ox.Quad]:
        return list(self.db.quads_for_pattern(None, None, None, graph))

    def exists(self, graph: GraphName) -> bool:
        if isinstance(graph, ox.DefaultGraph):
            return True
        return (self.db.contains_named_graph(graph)
                or next(iter(self.db.quads_for_pattern(None, None, None, graph)), None)
                is not None)

    def clear(self, graph: GraphName) -> None:
        _check_writable(graph)
        self.delete(self.quads(graph))

    def drop(self, graph: GraphName) -> None:
        _check_writable(graph)
        self.clear(graph)
        if not isinstance(graph, ox.DefaultGraph) and self.db.contains_named_graph(graph):
            self.db.remove_graph(graph)


class Change(RecordingDB):
    """One change of the store, as the change protocol runs it (``WriteGuard.change``,
    ``store_change``): the caller applies it to the private copy through the methods of
    ``RecordingDB`` (and ``replace_graph``), the protocol does the rest when the ``with`` block
    ends. ``outcome`` is set once the change is committed (or found empty)."""

    def __init__(self, db: ox.Store, deadline: Deadline,
                 checkpoint: Callable[[], str | None] | None = None) -> None:
        super().__init__(db)
        self.deadline = deadline
        self.outcome: WriteOutcome | None = None
        self._checkpoint = checkpoint

    def checkpoint(self) -> str | None:
        """A folder holding a copy of the change's copy as it is now, for another process to
        open (``WriteTransaction.checkpoint``); the caller deletes it. ``None`` when the copy
        is not on disk (the in-memory and remote stores)."""
        return self._checkpoint() if self._checkpoint is not None else None

    def triples(self, graph: str) -> list[Triple]:
        """A named graph of the copy, as rdflib triples (what the change sees, its own writes
        included)."""
        return [_triple(q) for q in self.quads(ox.NamedNode(graph))]

    def replace_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> bool:
        """The graph's content becomes ``quads`` (their graph is ignored); only the difference
        is written. True when the graph did not exist before."""
        target = _graph_term(graph)
        _check_writable(target)
        keep = {ox.Quad(q.subject, q.predicate, q.object, target): None for q in quads}
        existed = self.exists(target)
        old = set(self.quads(target))
        self.delete(q for q in old if q not in keep)
        new = [q for q in keep if q not in old]
        # a whole graph (an import) is written in bulk: the copy is private, so the loader's
        # lack of transactional isolation costs nothing, and the delta is known already
        for i in range(0, len(new), 100_000):
            self.db.bulk_extend(new[i:i + 100_000])
        for q in new:
            if q in self.removed:
                self.removed.discard(q)
            else:
                self.added.add(q)
        return not existed


@contextmanager
def transaction(store: Store, *, release: bool = False) -> Iterator[WriteTransaction]:
    """The protocol's first and last step: ``store.begin()`` (a private, writable copy of the
    store), then ``commit`` when the block ends normally (unless the block already committed or
    rolled back: the transaction's ``db`` is then gone), ``rollback`` on any exception. With
    ``release``, every reference the failed work still holds to the copy is dropped first (its
    traceback's frames, then a garbage collection for generators and closures): RocksDB may still
    write into a database that is open while its folder is deleted."""
    txn = store.begin()
    try:
        yield txn
    except BaseException as e:
        if release:
            traceback.clear_frames(e.__traceback__)
            gc.collect()
        txn.rollback()
        raise
    if txn.db is not None:
        txn.commit()


@contextmanager
def store_change(store: Store, project: Project | None = None,
                 timeout: float | None = None) -> Iterator[Change]:
    """A guarded change of ``store`` outside the server (the CLI's imports, library callers):
    ``WriteGuard.change`` with ``project``'s shapes and ontology (default: the bundled graph).
    The server keeps one ``WriteGuard`` (and its reasoner) instead."""
    guard = WriteGuard.for_project(store, project or Project.locate())
    with guard.change(timeout) as change:
        yield change


class WriteGuard:
    """Applies writes to ``store`` under the project's shapes and ontology (loaded once)."""

    def __init__(self, store: Store, shapes: Graph, ontology: Graph) -> None:
        self.store = store
        self.shapes = shapes
        self.ontology = ontology
        self._lock = threading.Lock()
        self._reasoner: Reasoner | None = None
        self._reasoner_version: Any = None
        #: called after each committed change, in the writing thread, once the write lock is
        #: let go (a server brings what its readers keep up to date now: ``api.app``); what
        #: one raises is logged, the write stands
        self.committed: list[Callable[[], None]] = []

    @classmethod
    def for_project(cls, store: Store, project: Project) -> WriteGuard:
        """With the project's shapes and ontology."""
        return cls(store, project.shapes(), project.ontology())

    # -- public operations -------------------------------------------------------------------
    def update(
        self,
        sparql: str,
        *,
        using_graphs: list[str] | None = None,
        using_named_graphs: list[str] | None = None,
        timeout: float | None = None,
        base_iri: str | None = None,
        max_quads: int | None = None,
        runner: UpdateRunner | None = None,
    ) -> WriteOutcome:
        """Run a SPARQL 1.1 update (see the module docstring for its dataset). Its relative
        IRIs resolve against ``base_iri`` unless it has a ``BASE`` of its own (the endpoint
        passes its URL; ``None``: a relative IRI is a syntax error).

        Bounded: ``timeout`` (seconds, from now: parsing included) stops it with
        ``QueryTimeout`` (503), ``max_quads`` refuses (``UpdateTooLarge``, 400) one whose
        templates ground more quads than that. An update made only of ``INSERT DATA`` /
        ``DELETE DATA`` is parsed here (its size is the request's, its nesting checked); any
        other is parsed and evaluated by ``apply_update`` - here, or, given a ``runner``, on a
        checkpoint of the write's copy wherever the runner runs it (the server: a worker
        process, killed at the time limit, so nothing in Oxigraph's or rdflib's evaluation can
        outlast it), and the change applies the delta it returns."""
        check_nesting(sparql)  # before any parser: pyoxigraph's overflows its stack
        deadline = Deadline(timeout)
        protocol = using_graphs is not None or using_named_graphs is not None
        try:
            data_ops = None if protocol else _data_operations(sparql, base_iri, deadline)
        except QueryTimeout:
            raise QueryTimeout(deadline.seconds or 0, "update") from None
        if data_ops is not None:
            def change(rec: RecordingDB, _deadline: Deadline) -> None:
                for kind, quads in data_ops:
                    (rec.insert if kind == "INSERT DATA" else rec.delete)(quads)
            return self._write(change, deadline=deadline)
        request = UpdateRequest(sparql, using_graphs, using_named_graphs, base_iri, max_quads)
        folder = None

        # the other ``change`` is the data-operations branch's, which returned above
        def change(rec: RecordingDB, deadline: Deadline) -> None:  # type: ignore[no-redef]
            nonlocal folder
            folder = rec.checkpoint() if runner is not None else None
            if folder is None:
                apply_update(rec, request, deadline)
                return
            assert runner is not None
            deadline.check()
            left = deadline.remaining()  # 0 would mean no limit to the runner
            # the runner stops the evaluation at this limit (waiting for a worker process that
            # is still starting is not the update's time: its own deadline moves on by it)
            added, removed = runner(folder, request, None if left is None else max(left, 0.01))
            rec.delete(ox.parse(removed, format=ox.RdfFormat.N_QUADS))
            rec.insert(ox.parse(added, format=ox.RdfFormat.N_QUADS))
        try:
            return self._write(change, deadline=deadline)
        except QueryTimeout:  # the runner's (its time left) or a check's: the update's limit
            raise QueryTimeout(deadline.seconds or 0, "update") from None
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def put_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> WriteOutcome:
        """Graph Store PUT: the graph's content becomes ``quads`` (their graph is ignored)."""
        target = _graph_term(graph)
        items = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]

        def change(rec: RecordingDB, _deadline: Deadline) -> bool:
            existed = rec.exists(target)
            keep = set(items)
            rec.delete(q for q in rec.quads(target) if q not in keep)
            rec.insert(items)
            return not existed
        return self._write(change)

    def post_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> WriteOutcome:
        """Graph Store POST: merge ``quads`` into the graph."""
        target = _graph_term(graph)
        items = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]

        def change(rec: RecordingDB, _deadline: Deadline) -> bool:
            existed = rec.exists(target)
            rec.insert(items)
            return not existed
        return self._write(change)

    def post_dataset(self, quads: Iterable[ox.Quad]) -> WriteOutcome:
        """Add quads (N-Quads / TriG upload to the graph store itself)."""
        items = list(quads)
        return self._write(lambda rec, _deadline: rec.insert(items))

    def delete_graph(self, graph: str | None) -> WriteOutcome:
        """Graph Store DELETE: remove a named graph, or empty the default graph."""
        target = _graph_term(graph)
        return self._write(lambda rec, _deadline: rec.drop(target))

    # -- the change protocol -----------------------------------------------------------------
    @contextmanager
    def change(self, timeout: float | None = None, *,
               deadline: Deadline | None = None) -> Iterator[Change]:
        """One change, all or nothing (the module docstring): ``store.begin()`` → the caller
        applies the change to the ``Change`` it is given (the exact delta is recorded) → when
        the block ends, incremental inference → validation of the touched nodes → commit, or
        rollback (an exception in the block, ``ValidationFailed``, ``QueryTimeout``, ...).
        After the block, ``change.outcome`` says what was committed. ``deadline`` (instead of
        ``timeout``): a time limit that started earlier (an update's, parsing included)."""
        with self._lock:
            clock = _Clock()
            version = self.store.version()
            if not self._reasoner_current(version):
                self._reasoner = None  # rebuilt from the copy's base, if the change needs it
            with transaction(self.store) as txn:
                clock.lap("begin")
                ch = Change(txn.db, deadline or Deadline(timeout), txn.checkpoint)
                try:
                    yield ch
                    clock.lap("change")
                    ch.outcome = self._close_and_check(txn, ch, clock)  # commits
                except BaseException:
                    # the traceback's frames hold the change: let go of the copy (``db`` is
                    # typed for the change's lifetime, hence the ignore)
                    ch.db = None  # type: ignore[assignment]
                    raise
        if ch.outcome is not None:
            for hook in self.committed:
                try:
                    hook()
                except Exception:  # noqa: BLE001 - the write is committed whatever a hook does
                    log.exception("after a committed write")

    def _write(self, change: Callable[[RecordingDB, Deadline], Any],
               timeout: float | None = None, *, deadline: Deadline | None = None
               ) -> WriteOutcome:
        with self.change(timeout, deadline=deadline) as ch:
            result = change(ch, ch.deadline)
        outcome = ch.outcome
        assert outcome is not None
        outcome.created = bool(result) if isinstance(result, bool) else False
        return outcome

    def _reasoner_current(self, version: Any) -> bool:
        return (self._reasoner is not None and version is not None
                and version == self._reasoner_version)

    def warm(self) -> None:
        """Build the reasoner's closure now (a server calls this in the background at start, so
        that the first write does not pay for it), and compile the shapes."""
        validation_store.prepare(self.shapes, self.ontology)
        with self._lock:
            version = self.store.version()
            if version is None or (self._reasoner is not None
                                   and version == self._reasoner_version):
                return
            db = getattr(self.store, "db", None)  # the embedded store's open database
            if isinstance(db, ox.Store):
                self.reasoner(db, version)

    def reasoner(self, db: ox.Store, version: Any) -> Reasoner:
        """The closure of the store's asserted graphs, as ``db`` holds them (a transaction's
        copy before it is changed, or the store's own database). ``version`` is the store's
        version read *before* ``db`` was opened, so a change in between only causes a rebuild."""
        if self._reasoner is None or version is None or version != self._reasoner_version:
            self._reasoner = None
            self._reasoner = Reasoner(asserted_triples(db))
            self._reasoner_version = version
        return self._reasoner

    def _base_reasoner(self, txn: WriteTransaction, rec: RecordingDB) -> Reasoner:
        """The closure before the change: the reasoner kept between writes, or one built from
        the store as the transaction found it (only when a change touches asserted graphs: an
        import alone never pays for it). A transaction whose reads go to a server
        (``scoped``: the remote store) gives the part of the store around what changed
        (``reasoning.scoped``), never the whole."""
        if getattr(txn, "scoped", False):
            changed = [q for q in rec.added | rec.removed if is_asserted(q.graph_name)]
            self._reasoner = Reasoner(scoped_asserted(txn.db.before, changed))
        elif self._reasoner is None:
            self._reasoner = Reasoner(_triple(q) for q in txn.base_quads()
                                      if is_asserted(q.graph_name))
        return self._reasoner

    def _close_and_check(self, txn: WriteTransaction, rec: RecordingDB,
                         clock: _Clock) -> WriteOutcome:
        db: ox.Store = txn.db
        if not (rec.added or rec.removed):
            rec.db = None  # type: ignore[assignment]  # let go of the copy (as below)
            txn.rollback()
            return WriteOutcome()
        added = {_triple(q) for q in rec.added if is_asserted(q.graph_name)}
        removed = {_triple(q) for q in rec.removed if is_asserted(q.graph_name)
                   and not _still_asserted(db, q)}
        new_to_base: set[Triple] = set()
        delta = InferenceDelta()
        if added or removed:
            try:
                reasoner = self._base_reasoner(txn, rec)
                new_to_base = {t for t in added if not reasoner.asserts(t)}
                delta = reasoner.update(added, removed)
                if getattr(txn, "scoped", False):
                    delta = settle(delta, txn.db.before, txn.db)
            except UnsupportedConstruct:
                self._reasoner = None
                delta = _full_inference_delta(db)
            except BaseException:
                self._reasoner = None  # half-updated: rebuild on the next write
                raise
        try:
            write_delta(db, delta)
            clock.lap("inference")
            nodes: set[Node] = set()
            # the changed asserted quads, then the changed inferred triples (rdflib): the
            # validation takes both
            changes: list[Any] = [q for q in rec.added | rec.removed if is_asserted(q.graph_name)]
            for q in changes:
                nodes.add(to_rdflib(q.subject))
                if not isinstance(q.object, ox.Literal):
                    nodes.add(to_rdflib(q.object))
            for s, _p, o in delta.added | delta.removed:
                nodes.add(s)
                if not isinstance(o, Literal):
                    nodes.add(o)
            changes += delta.added | delta.removed
            focus = sorted(focus_iris(nodes, db), key=str)
            report = None
            if focus:
                report = validate_in_store(db, self.shapes, self.ontology, focus,
                                           data_graph=is_shacl_data, changes=changes)
                if not report.conforms:
                    raise ValidationFailed(report)
            clock.lap("validation")
            # the exact change, for readers that keep state derived from the store (the
            # analyses bring theirs up to date with it: Store.changes)
            inferred = ox.NamedNode(INFERRED_GRAPH)
            txn.record_changes(
                [*rec.added, *(_quad(t, inferred) for t in delta.added)],
                [*rec.removed, *(_quad(t, inferred) for t in delta.removed)])
            # the copy's last handle here: it must close before it goes live
            rec.db = None  # type: ignore[assignment]
            txn.commit()
        except BaseException:
            self._undo(new_to_base, removed)
            db = rec.db = None  # type: ignore[assignment]  # noqa: F841 - the traceback keeps this frame
            raise
        # the version this commit made (the embedded store's new generation); other stores
        # report none, so their reasoner is rebuilt on each write
        self._reasoner_version = getattr(txn, "generation", None) if self._reasoner else None
        clock.lap("commit")
        return WriteOutcome(
            inserted=sum(1 for q in rec.added if q.graph_name not in COMPUTED_GRAPHS),
            deleted=sum(1 for q in rec.removed if q.graph_name not in COMPUTED_GRAPHS),
            inferred_added=len(delta.added),
            inferred_removed=len(delta.removed),
            touched=len(focus),
            report=report,
            timings=clock.laps,
        )

    def _undo(self, added: set[Triple], removed: set[Triple]) -> None:
        """Put the reasoner back as it was before a write that was refused."""
        if self._reasoner is None:
            return
        try:
            self._reasoner.update(added=removed, removed=added)
        except Exception:  # noqa: BLE001 - a reasoner in doubt is rebuilt on the next write
            self._reasoner = None


def _quad(t: Triple, graph: ox.NamedNode) -> ox.Quad:
    s, p, o = t
    # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]


def _triple(q: ox.Quad) -> Triple:
    return to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)


def asserted_triples(db: ox.Store) -> Iterator[Triple]:
    for q in db.quads_for_pattern(None, None, None, None):
        if is_asserted(q.graph_name):
            yield _triple(q)


def _still_asserted(db: ox.Store, q: ox.Quad) -> bool:
    """Another asserted graph still holds the triple of a removed quad."""
    return any(is_asserted(other.graph_name)
               for other in db.quads_for_pattern(q.subject, q.predicate, q.object, None))


def _full_inference_delta(db: ox.Store) -> InferenceDelta:
    """The inferred graph recomputed from scratch (constructs the rules do not cover)."""
    asserted = Graph()
    for t in asserted_triples(db):
        asserted.add(t)
    new = set(infer(asserted))
    old = {_triple(q) for q in db.quads_for_pattern(None, None, None,
                                                    ox.NamedNode(INFERRED_GRAPH))}
    return InferenceDelta(new - old, old - new, recomputed=True)


def focus_iris(nodes: Iterable[Node], db: ox.Store) -> set[URIRef]:
    """IRIs among ``nodes``; a blank node is replaced by the IRIs that refer to it (following
    chains of blank nodes), since SHACL focus nodes are named by IRI."""
    out: set[URIRef] = set()
    seen: set[Node] = set()
    todo = list(nodes)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if isinstance(n, URIRef):
            out.add(n)
        elif isinstance(n, BNode):
            for q in db.quads_for_pattern(None, None, to_oxigraph(n), None):
                if is_shacl_data(q.graph_name):
                    todo.append(to_rdflib(q.subject))
    return out


# -- SPARQL Update: parsing ------------------------------------------------------------------------
def _check_syntax(sparql: str, base_iri: str | None = None) -> None:
    """Parse (and run) the update on an empty in-memory store: only its syntax errors count."""
    try:
        ox.Store().update(sparql, base_iri=base_iri)
    except SyntaxError as e:
        raise oxigraph_syntax_error(e) from None
    except (OSError, ValueError, RuntimeError):
        pass  # evaluation errors on an empty store say nothing about the real one


def _data_operations(sparql: str, base_iri: str | None = None,
                     deadline: Deadline | None = None
                     ) -> list[tuple[str, list[ox.Quad]]] | None:
    """The quads of each ``INSERT DATA`` / ``DELETE DATA`` operation, parsed by Oxigraph
    (relative IRIs resolved against ``base_iri``; syntax errors at the request's positions);
    ``deadline`` checked between operations."""
    parts = data_operations(sparql)
    if parts is None:
        return None
    out = []
    for op in parts:
        if deadline is not None:
            deadline.check()
        try:
            if op.kind == "DELETE DATA":  # SPARQL's own rules (no blank nodes, ...)
                ox.Store().update(op.update, base_iri=base_iri)
            scratch = ox.Store()
            scratch.update(op.as_insert, base_iri=base_iri)
        except SyntaxError as e:
            error = oxigraph_syntax_error(e)
            line, column = op.position(error.line, error.column)
            raise QuerySyntaxError(error.reason, line, column) from None
        except (OSError, ValueError, RuntimeError) as e:
            raise UpdateError(f"the update failed: {e}") from None
        out.append((op.kind, list(scratch)))
    return out


@dataclass(frozen=True)
class UpdateRequest:
    """A SPARQL update and how to read it, as ``WriteGuard.update`` got it (plain data: it
    travels to a worker process)."""

    sparql: str
    using_graphs: list[str] | None = None
    using_named_graphs: list[str] | None = None
    base_iri: str | None = None
    #: the most quads its templates may ground (``None``: no limit)
    max_quads: int | None = None


#: where the server evaluates an update that is not only ``INSERT DATA`` / ``DELETE DATA``:
#: ``(checkpoint folder, request, seconds left) -> (added, removed)``, both N-Quads, the delta
#: ``evaluate_update_at`` computed on the checkpoint; raises what the evaluation raised
#: (``QueryTimeout`` at the time limit)
UpdateRunner = Callable[[str, UpdateRequest, float | None], tuple[bytes, bytes]]


class UpdateTooLarge(UpdateError):
    """An update whose templates ground more quads than ``STDGRAPH_MAX_UPDATE_QUADS`` (HTTP
    400): refused whole before it is written."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the update's templates ground more than {limit} quads "
                         "(STDGRAPH_MAX_UPDATE_QUADS); nothing was changed: narrow its WHERE, "
                         "split it, or use DROP/CLEAR/COPY for whole graphs or the Graph Store "
                         "for bulk data")
        self.limit = limit
        self.extra = {"limit": limit}


def apply_update(rec: RecordingDB, request: UpdateRequest, deadline: Deadline) -> None:
    """Parse ``request`` (Oxigraph's syntax check, for its message and position, then rdflib's
    algebra) and apply its operations to ``rec``, under ``deadline`` and ``max_quads``."""
    sparql, base_iri = request.sparql, request.base_iri
    protocol = request.using_graphs is not None or request.using_named_graphs is not None
    if not (uses_load(sparql) or uses_service(sparql)):
        _check_syntax(sparql, base_iri)  # Oxigraph's message and position for a bad update
    deadline.check()
    ops, prologue = parse_update_algebra(sparql, refuse_dataset_clauses=protocol,
                                         base_iri=base_iri)
    dataset = ((request.using_graphs or [], request.using_named_graphs or [])
               if protocol else None)
    apply_operations(rec, ops, prologue, dataset, deadline, max_quads=request.max_quads)


def evaluate_update_at(store: Store, folder: str, request: UpdateRequest) -> tuple[bytes, bytes]:
    """``apply_update`` on the checkpoint in ``folder`` (a private copy: written here, deleted
    by the caller): the delta as N-Quads, (added, removed). Run by the server's query runner in
    a worker process (``executor.CallJob``): ``store`` is the runner's ``DeadlineStore``, whose
    deadline is the write's time left; at the limit the runner kills the process."""
    deadline = getattr(store, "deadline", None) or Deadline(None)
    rec = RecordingDB(ox.Store(folder))
    try:
        apply_update(rec, request, deadline)
        added, removed = io.BytesIO(), io.BytesIO()
        ox.serialize(rec.added, added, ox.RdfFormat.N_QUADS)
        ox.serialize(rec.removed, removed, ox.RdfFormat.N_QUADS)
        return added.getvalue(), removed.getvalue()
    finally:
        rec.db = None  # type: ignore[assignment]  # closes the copy


def parse_update_algebra(sparql: str, *, refuse_dataset_clauses: bool = False,
                         base_iri: str | None = None) -> tuple[list[CompValue], Prologue]:
    """rdflib's algebra for an update, relative IRIs resolved against ``base_iri`` as Oxigraph
    resolves them (``sparql.baseiri``). With ``refuse_dataset_clauses`` (the request gives
    ``using-graph-uri`` / ``using-named-graph-uri``) an operation with its own ``USING``,
    ``USING NAMED`` or ``WITH`` is refused (SPARQL 1.1 Protocol §2.2.3)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(sparql)
        set_base(zip(parsed.prologue, parsed.request, strict=False), base_iri)
        update = translateUpdate(parsed)
    except ParseException as e:
        raise QuerySyntaxError(str(e.msg), e.lineno, e.col) from None
    except Exception as e:  # rdflib raises plain exceptions for some semantic errors
        raise QuerySyntaxError(str(e)) from None
    if refuse_dataset_clauses:
        for op in update.algebra:
            if op.name == "Modify" and (_field(op, "using")
                                        or _field(op, "withClause") is not None):
                raise UpdateError(
                    "the update names its dataset with USING, USING NAMED or WITH and the "
                    "request also gives using-graph-uri / using-named-graph-uri; use one or "
                    "the other (SPARQL 1.1 Protocol §2.2.3)")
    return list(update.algebra), update.prologue


def _field(cv: CompValue, name: str) -> Any:
    """A field of an rdflib algebra node (``CompValue.get`` answers the key when it is absent)."""
    return dict.get(cv, name)


# -- SPARQL Update: evaluation ---------------------------------------------------------------------
def _term(node: Node, fresh: dict[BNode, ox.BlankNode]
          ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib template term as pyoxigraph, blank nodes renamed through ``fresh``."""
    if isinstance(node, BNode):
        if node not in fresh:
            fresh[node] = ox.BlankNode()
        return fresh[node]
    return to_oxigraph(node)


def _instantiate(clause: CompValue | None, solution: Mapping[Variable, Node],
                 default_target: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    """Ground a DELETE/INSERT template with one solution (SPARQL 1.1 Update §3.1.3). A graph
    variable bound to a graph stdgraph computes grounds nothing there: like ALL and NAMED, a
    variable reaches only the graphs a write can change, and the inferred graph follows them;
    a template that names a computed graph is refused (``ProtectedGraph``)."""
    if clause is None:
        return []
    out = []
    fresh: dict[BNode, ox.BlankNode] = {}
    groups = [(None, _field(clause, "triples") or [])]
    groups += list((_field(clause, "quads") or {}).items())
    for gname, triples in groups:
        if gname is None:
            graph = default_target
        else:
            g = solution.get(gname) if isinstance(gname, Variable) else gname
            if not isinstance(g, URIRef):
                continue
            graph = ox.NamedNode(str(g))
            if isinstance(gname, Variable) and is_computed(graph):
                continue
        for s, p, o in triples:
            s = solution.get(s) if isinstance(s, Variable) else s
            p = solution.get(p) if isinstance(p, Variable) else p
            o = solution.get(o) if isinstance(o, Variable) else o
            if s is None or p is None or o is None:
                continue
            if isinstance(s, Literal) or not isinstance(p, URIRef):
                continue
            # s is no Literal (checked above), which the type of _term cannot say
            out.append(ox.Quad(_term(s, fresh), to_oxigraph(p), _term(o, fresh), graph))  # type: ignore[arg-type]
    return out


def _delete_where_pattern(op: CompValue) -> CompValue:
    from rdflib.plugins.sparql.algebra import BGP, Join
    from rdflib.plugins.sparql.algebra import Graph as GraphPattern

    parts = []
    if _field(op, "triples"):
        parts.append(BGP(op.triples))
    for g, triples in (_field(op, "quads") or {}).items():
        parts.append(GraphPattern(g, BGP(triples)))
    if not parts:
        return BGP([])
    pattern = parts[0]
    for p in parts[1:]:
        pattern = Join(pattern, p)
    return pattern


def _where_dataset(op: CompValue, protocol: tuple[list[str], list[str]] | None
                   ) -> tuple[list[GraphName], list[ox.NamedNode] | None,
                              ox.NamedNode | ox.DefaultGraph]:
    """(default graphs, named graphs or None for all, template default graph) of an operation."""
    with_graph = _field(op, "withClause")
    target = ox.NamedNode(str(with_graph)) if with_graph is not None else ox.DefaultGraph()
    using = _field(op, "using") or []
    if protocol is not None:
        return ([ox.NamedNode(g) for g in protocol[0]],
                [ox.NamedNode(g) for g in protocol[1]], target)
    if using:
        default: list[GraphName] = [ox.NamedNode(str(u.default)) for u in using
                                    if _field(u, "default")]
        named = [ox.NamedNode(str(u.named)) for u in using if _field(u, "named")]
        return default, named, target
    return [target], None, target


@contextmanager
def _solutions(rec: RecordingDB, op: CompValue, where: CompValue, prologue: Prologue,
               dataset: tuple[list[str], list[str]] | None, deadline: Deadline
               ) -> Iterator[tuple[Iterator[Mapping[Variable, Node]],
                               ox.NamedNode | ox.DefaultGraph]]:
    """(the solutions of ``where`` as rdflib's evaluator yields them, the template's default
    graph); the view of the copy is let go of when the block ends."""
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.sparql import QueryContext

    default, named, target = _where_dataset(op, dataset)
    view = StoreView(rec.db, default, named, deadline)
    ds = Dataset(store=view, default_union=False)
    ctx = QueryContext(ds, initBindings={}).pushGraph(ds.default_graph)
    ctx.prologue = prologue

    def solutions() -> Iterator[Mapping[Variable, Node]]:
        try:
            yield from evalPart(ctx, where)
        except (QueryTimeout, UpdateTooLarge):
            raise
        except Exception as e:  # noqa: BLE001 - rdflib's evaluator raises plain exceptions
            raise UpdateError(f"the update's WHERE clause failed: {e}") from None

    try:
        yield solutions(), target
    finally:
        # rdflib's graphs form reference cycles: let go of the handle now
        view.db = None  # type: ignore[assignment]


def _graph_ref(rec: RecordingDB, ref: str) -> list[GraphName]:
    """Graphs named by CLEAR/DROP targets: an IRI, 'DEFAULT', 'NAMED' or 'ALL'. NAMED and ALL
    are the graphs a write can change: every named graph but the ones stdgraph computes (the
    inferred graph then follows what is left: empty once nothing is asserted); naming a computed
    graph itself is refused (``ProtectedGraph``)."""
    if ref == "DEFAULT":
        return [ox.DefaultGraph()]
    named: list[GraphName] = [g for g in rec.db.named_graphs() if not is_computed(g)]
    if ref == "NAMED":
        return named
    if ref == "ALL":
        return [ox.DefaultGraph(), *named]
    return [ox.NamedNode(str(ref))]


def _load(rec: RecordingDB, op: CompValue) -> None:
    """LOAD (only reached when the endpoint allows it)."""
    source = str(op.iri)
    target = (ox.NamedNode(str(op.graphiri)) if _field(op, "graphiri") is not None
              else ox.DefaultGraph())
    g = Graph()
    try:
        g.parse(source)
    except Exception as e:  # noqa: BLE001 - any failure to fetch or parse
        if _field(op, "silent"):
            return
        raise UpdateError(f"LOAD <{source}> failed: {e}") from None
    # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
    rec.insert(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target)  # type: ignore[arg-type]
               for s, p, o in g)


def apply_operations(rec: RecordingDB, ops: Iterable[CompValue], prologue: Prologue,
                     dataset: tuple[list[str], list[str]] | None, deadline: Deadline, *,
                     max_quads: int | None = None) -> None:
    """Apply parsed update operations in order (see the module docstring for the datasets).
    A ``WHERE``'s solutions are grounded as they come, never kept, and the deadline is checked
    between them; more than ``max_quads`` grounded quads raise ``UpdateTooLarge``."""
    grounded = 0
    for op in ops:
        deadline.check()
        name = op.name
        silent = bool(_field(op, "silent"))
        if name == "InsertData":
            rec.insert(_instantiate(op, {}, ox.DefaultGraph()))
        elif name == "DeleteData":
            rec.delete(_instantiate(op, {}, ox.DefaultGraph()))
        elif name in {"Modify", "DeleteWhere"}:
            where = op.where if name == "Modify" else _delete_where_pattern(op)
            delete_clause = _field(op, "delete") if name == "Modify" else op
            insert_clause = _field(op, "insert") if name == "Modify" else None
            deletions: list[ox.Quad] = []
            insertions: list[ox.Quad] = []
            with _solutions(rec, op, where, prologue, dataset, deadline) as (solutions, target):
                for n, sol in enumerate(solutions):
                    if n % _CHECK_EVERY == 0:
                        deadline.check()
                    deletions += _instantiate(delete_clause, sol, target)
                    insertions += _instantiate(insert_clause, sol, target)
                    if max_quads is not None and \
                            grounded + len(deletions) + len(insertions) > max_quads:
                        raise UpdateTooLarge(max_quads)
            grounded += len(deletions) + len(insertions)
            rec.delete(deletions)
            rec.insert(insertions)
        elif name in {"Clear", "Drop"}:
            for g in _graph_ref(rec, op.graphiri):
                if not silent and not rec.exists(g):  # never the default graph: it exists
                    raise UpdateError(f"{name.upper()}: the graph <{g.value}> does not exist")  # type: ignore[union-attr]
                (rec.drop if name == "Drop" else rec.clear)(g)
        elif name == "Create":
            g = ox.NamedNode(str(op.graphiri))
            _check_writable(g)
            if rec.exists(g):
                if not silent:
                    raise UpdateError(f"CREATE GRAPH: the graph <{g.value}> already exists")
            else:
                rec.db.add_graph(g)
        elif name in {"Add", "Move", "Copy"}:
            src, dst = (ox.DefaultGraph() if x == "DEFAULT" else ox.NamedNode(str(x))
                        for x in op.graph)
            if src == dst:
                continue
            if name == "Move" and not silent and not rec.exists(src):  # as Oxigraph does
                # never the default graph (it exists)
                raise UpdateError(f"MOVE: the graph <{src.value}> does not exist")  # type: ignore[union-attr]
            items = [ox.Quad(q.subject, q.predicate, q.object, dst) for q in rec.quads(src)]
            if name != "Add":
                rec.clear(dst)
            rec.insert(items)
            if name == "Move":
                rec.drop(src)
        elif name == "Load":
            _load(rec, op)
        else:  # pragma: no cover - rdflib knows no other operation
            raise UpdateError(f"unsupported update operation {name}")
