"""Guarded writes: every change is applied to a private copy, closed under inference, checked
against the SHACL shapes on the nodes it touches, and committed whole — or not at all.

``WriteGuard`` serves SPARQL Update and the Graph Store Protocol alike:

1. ``store.begin()`` gives a writable pyoxigraph copy of the store (for the embedded store a
   RocksDB checkpoint of the current generation: hard links, so it costs milliseconds);
2. the change runs on the copy — SPARQL Update natively in Oxigraph;
3. the copy is compared with the store (``before ^ after``) to get the changed quads;
4. OWL-RL inference is re-run over the union of the asserted graphs (``stdgraph.inference``)
   and its result replaces the inferred graph — correct first, incremental later;
5. the nodes the write touches — subjects and non-literal objects of the changed asserted quads
   and of the changed inferred triples, with blank nodes replaced by the IRIs that hold them —
   are validated with the project's shapes and ontology (``run_validation(focus_nodes=...)``);
6. any ``sh:Violation`` rolls the copy back and raises ``ValidationFailed`` (HTTP 422) with the
   report; otherwise the copy becomes the store in one atomic step.

One write runs at a time (a lock); readers keep seeing the previous state until the commit.

Imported third-party graphs (``graph/import/...``, written by ``stdgraph import`` or
``POST /import/sto``) are kept as imported, as the build keeps them: they are left out of the
inference and their changes are not SHACL focus nodes.

**SPARQL Update with ``using-graph-uri`` / ``using-named-graph-uri``.** The protocol parameters
give the dataset for each ``DELETE/INSERT ... WHERE`` exactly like ``USING`` / ``USING NAMED``
(SPARQL 1.1 Protocol §2.2.3). pyoxigraph's ``Store.update`` has no dataset argument and the
parameters must never be pasted into the update text, so such a request is evaluated here, per
operation and in order, on the copy:

* the request is parsed into algebra (rdflib); an operation that has its own ``USING``,
  ``USING NAMED`` or ``WITH`` is refused with 400, as §2.2.3 requires;
* for ``DELETE/INSERT ... WHERE`` (and ``DELETE WHERE``) the WHERE pattern is evaluated by
  rdflib's SPARQL engine over a dataset whose default graph is the merge of the
  ``using-graph-uri`` graphs (empty if only ``using-named-graph-uri`` is given) and whose named
  graphs are exactly the ``using-named-graph-uri`` graphs, read from the copy; the DELETE and
  INSERT templates are instantiated with every solution (fresh blank nodes per solution; triples
  with unbound or ill-placed terms are skipped), then all deletions and all insertions are applied;
* ``INSERT DATA``, ``DELETE DATA``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``, ``MOVE`` and
  ``COPY`` do not depend on the dataset and are applied to the copy directly; ``LOAD`` is refused
  in such a request.

Templates without ``GRAPH`` write to the store's default graph, as in any SPARQL update.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from .errors import QuerySyntaxError, StdgraphError, ValidationFailed
from .inference import infer
from .namespaces import GRAPH_BASE, IMPORT_GRAPH_PREFIX, INFERRED_GRAPH, META_GRAPH
from .rdfio import to_oxigraph, to_rdflib
from .store.base import Store
from .validation import ValidationReport, run_validation

ONTOLOGY_GRAPH_PREFIX = GRAPH_BASE + "ontology/"
_COMPUTED = {ox.NamedNode(INFERRED_GRAPH), ox.NamedNode(META_GRAPH)}


def _imported(graph) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(IMPORT_GRAPH_PREFIX)


class UpdateError(StdgraphError):
    """A SPARQL update that parses but cannot be applied (HTTP 400)."""

    http_status = 400


@dataclass
class WriteOutcome:
    """What a committed write changed."""

    inserted: int = 0
    deleted: int = 0
    inferred: int = 0
    touched: int = 0
    report: ValidationReport | None = None
    created: bool = False  # Graph Store: the target graph did not exist before

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "deleted": self.deleted,
            "inferred": self.inferred,
            "validated_nodes": self.touched,
            "warnings": len(self.report.warnings) if self.report else 0,
        }


def _graph_term(graph: str | None):
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


class WriteGuard:
    """Applies writes to ``store`` under the project's shapes and ontology (loaded once)."""

    def __init__(self, store: Store, shapes: Graph, ontology: Graph) -> None:
        self.store = store
        self.shapes = shapes
        self.ontology = ontology
        self._lock = threading.Lock()

    @classmethod
    def for_project(cls, store: Store, project) -> WriteGuard:
        """Shapes and ontology parsed from a ``stdgraph.project.Project``."""
        from .pipeline import parse_file

        shapes, ontology = Graph(), Graph()
        for path in project.shape_files:
            for t in parse_file(path, project.relative(path)):
                shapes.add(t)
        for path in project.ontology_files:
            for t in parse_file(path, project.relative(path)):
                ontology.add(t)
        return cls(store, shapes, ontology)

    # -- public operations -------------------------------------------------------------------
    def update(
        self,
        sparql: str,
        *,
        using_graphs: list[str] | None = None,
        using_named_graphs: list[str] | None = None,
    ) -> WriteOutcome:
        """Run a SPARQL 1.1 update (see the module docstring for the protocol dataset)."""
        if using_graphs is None and using_named_graphs is None:
            def change(db: ox.Store) -> None:
                try:
                    db.update(sparql)
                except SyntaxError as e:
                    from .store.oxigraph import _syntax_error

                    raise _syntax_error(e) from None
                except (OSError, ValueError, RuntimeError) as e:
                    raise UpdateError(f"the update failed: {e}") from None
        else:
            ops, prologue = parse_update_algebra(sparql)

            def change(db: ox.Store) -> None:
                apply_with_dataset(db, ops, prologue, using_graphs or [],
                                   using_named_graphs or [])
        return self._write(change)

    def put_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> WriteOutcome:
        """Graph Store PUT: the graph's content becomes ``quads`` (their graph is ignored)."""
        target = _graph_term(graph)
        items = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]

        def change(db: ox.Store) -> bool:
            existed = graph is None or _graph_exists(db, target)
            db.remove_graph(target) if graph is not None else db.clear_graph(target)
            db.extend(items)
            return not existed
        return self._write(change)

    def post_graph(self, graph: str | None, quads: Iterable[ox.Quad]) -> WriteOutcome:
        """Graph Store POST: merge ``quads`` into the graph."""
        target = _graph_term(graph)
        items = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]

        def change(db: ox.Store) -> bool:
            existed = graph is None or _graph_exists(db, target)
            db.extend(items)
            return not existed
        return self._write(change)

    def post_dataset(self, quads: Iterable[ox.Quad]) -> WriteOutcome:
        """Add quads (N-Quads / TriG upload to the graph store itself)."""
        items = list(quads)
        return self._write(lambda db: db.extend(items))

    def delete_graph(self, graph: str | None) -> WriteOutcome:
        """Graph Store DELETE: remove a named graph, or empty the default graph."""
        target = _graph_term(graph)

        def change(db: ox.Store) -> None:
            if graph is None:
                db.clear_graph(target)
            else:
                db.remove_graph(target)
        return self._write(change)

    # -- the guarded transaction -------------------------------------------------------------
    def _write(self, change: Callable[[ox.Store], Any]) -> WriteOutcome:
        with self._lock:
            txn = self.store.begin()
            try:
                result = change(txn.db)
                outcome = self._close_and_check(txn)
            except BaseException:
                txn.rollback()
                raise
            outcome.created = bool(result) if isinstance(result, bool) else False
            return outcome

    def _close_and_check(self, txn) -> WriteOutcome:
        db: ox.Store = txn.db
        before = set(txn.base_quads())
        after = set(db)
        inserted = after - before
        deleted = before - after
        if not (inserted or deleted):
            txn.rollback()
            return WriteOutcome()
        asserted_changes = [q for q in (inserted | deleted)
                            if q.graph_name not in _COMPUTED and not _imported(q.graph_name)]

        asserted = Graph()
        data = Graph()  # what SHACL sees: asserted minus ontology graphs, plus inferred
        for q in after:
            if q.graph_name in _COMPUTED or _imported(q.graph_name):
                continue
            t = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            asserted.add(t)
            g = q.graph_name
            if not (isinstance(g, ox.NamedNode) and g.value.startswith(ONTOLOGY_GRAPH_PREFIX)):
                data.add(t)
        inferred = infer(asserted)
        old_inferred = {
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in before if q.graph_name == ox.NamedNode(INFERRED_GRAPH)
        }
        new_inferred = set(inferred)
        inferred_changes = old_inferred ^ new_inferred
        for t in new_inferred:
            data.add(t)

        nodes: set[Node] = set()
        for q in asserted_changes:
            nodes.add(to_rdflib(q.subject))
            if not isinstance(q.object, ox.Literal):
                nodes.add(to_rdflib(q.object))
        for s, _p, o in inferred_changes:
            nodes.add(s)
            if not isinstance(o, Literal):
                nodes.add(o)
        focus = sorted(_focus_iris(nodes, data), key=str)
        report = None
        if focus:
            report = run_validation(data, self.shapes, ontology=self.ontology,
                                    focus_nodes=focus)
            if not report.conforms:
                raise ValidationFailed(report)

        inferred_name = ox.NamedNode(INFERRED_GRAPH)
        db.remove_graph(inferred_name)
        db.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), inferred_name)
                  for s, p, o in new_inferred)
        txn.commit()
        return WriteOutcome(
            inserted=sum(1 for q in inserted if q.graph_name not in _COMPUTED),
            deleted=sum(1 for q in deleted if q.graph_name not in _COMPUTED),
            inferred=len(new_inferred),
            touched=len(focus),
            report=report,
        )


def _focus_iris(nodes: set[Node], data: Graph) -> set[URIRef]:
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
            todo.extend(data.subjects(None, n))
    return out


def _graph_exists(db: ox.Store, g) -> bool:
    return next(iter(db.quads_for_pattern(None, None, None, g)), None) is not None


# -- SPARQL Update with a protocol dataset ---------------------------------------------------------
def parse_update_algebra(sparql: str):
    """rdflib's algebra for an update; refuses USING / USING NAMED / WITH in the text."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = translateUpdate(parseUpdate(sparql))
    except ParseException as e:
        raise QuerySyntaxError(str(e.msg), e.lineno, e.col) from None
    except Exception as e:  # rdflib raises plain exceptions for some semantic errors
        raise QuerySyntaxError(str(e)) from None
    for op in update.algebra:
        if op.name == "Modify" and (_field(op, "using") or _field(op, "withClause") is not None):
            raise UpdateError(
                "the update names its dataset with USING, USING NAMED or WITH and the request "
                "also gives using-graph-uri / using-named-graph-uri; use one or the other "
                "(SPARQL 1.1 Protocol §2.2.3)")
    return list(update.algebra), update.prologue


def _field(cv, name: str):
    """A field of an rdflib algebra node (``CompValue.get`` answers the key when it is absent)."""
    return dict.get(cv, name)


def _term(node, fresh: dict):
    """An rdflib template term as pyoxigraph, blank nodes renamed through ``fresh``."""
    if isinstance(node, BNode):
        if node not in fresh:
            fresh[node] = ox.BlankNode()
        return fresh[node]
    return to_oxigraph(node)


def _instantiate(clause, solution, default_target) -> list[ox.Quad]:
    """Ground a DELETE/INSERT template with one solution (SPARQL 1.1 Update §3.1.3)."""
    if clause is None:
        return []
    out = []
    fresh: dict = {}
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
        for s, p, o in triples:
            s = solution.get(s) if isinstance(s, Variable) else s
            p = solution.get(p) if isinstance(p, Variable) else p
            o = solution.get(o) if isinstance(o, Variable) else o
            if s is None or p is None or o is None:
                continue
            if isinstance(s, Literal) or not isinstance(p, URIRef):
                continue
            out.append(ox.Quad(_term(s, fresh), to_oxigraph(p), _term(o, fresh), graph))
    return out


def _where_dataset(db: ox.Store, using: list[str], using_named: list[str]) -> Dataset:
    ds = Dataset(default_union=False)
    default = ds.default_context
    for iri in using:
        for q in db.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            default.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    for iri in using_named:
        g = ds.graph(URIRef(iri))
        for q in db.quads_for_pattern(None, None, None, ox.NamedNode(iri)):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return ds


def _delete_where_pattern(op):
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


def _graph_ref(db: ox.Store, ref) -> list:
    """Graphs named by CLEAR/DROP targets: an IRI, 'DEFAULT', 'NAMED' or 'ALL'."""
    if ref == "DEFAULT":
        return [ox.DefaultGraph()]
    if ref == "NAMED":
        return list(db.named_graphs())
    if ref == "ALL":
        return [ox.DefaultGraph(), *db.named_graphs()]
    return [ox.NamedNode(str(ref))]


def _copy_graph(db: ox.Store, src, dst, *, clear_dst: bool) -> None:
    if src == dst:
        return
    items = [ox.Quad(q.subject, q.predicate, q.object, dst)
             for q in db.quads_for_pattern(None, None, None, src)]
    if clear_dst:
        db.clear_graph(dst)
    db.extend(items)


def apply_with_dataset(db: ox.Store, ops, prologue, using: list[str],
                       using_named: list[str]) -> None:
    """Apply parsed update operations to ``db`` with the protocol dataset for WHERE clauses."""
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.sparql import QueryContext

    for op in ops:
        name = op.name
        if name == "InsertData":
            db.extend(_instantiate(op, {}, ox.DefaultGraph()))
        elif name == "DeleteData":
            for q in _instantiate(op, {}, ox.DefaultGraph()):
                db.remove(q)
        elif name in {"Modify", "DeleteWhere"}:
            ds = _where_dataset(db, using, using_named)
            ctx = QueryContext(ds).pushGraph(ds.default_context)
            ctx.prologue = prologue
            where = op.where if name == "Modify" else _delete_where_pattern(op)
            try:
                solutions = [dict(s) for s in evalPart(ctx, where)]
            except Exception as e:
                raise UpdateError(f"the update's WHERE clause failed: {e}") from None
            delete_clause = _field(op, "delete") if name == "Modify" else op
            insert_clause = _field(op, "insert") if name == "Modify" else None
            deletions = [q for s in solutions
                         for q in _instantiate(delete_clause, s, ox.DefaultGraph())]
            insertions = [q for s in solutions
                          for q in _instantiate(insert_clause, s, ox.DefaultGraph())]
            for q in deletions:
                db.remove(q)
            db.extend(insertions)
        elif name in {"Clear", "Drop"}:
            for g in _graph_ref(db, op.graphiri):
                if name == "Drop" and not isinstance(g, ox.DefaultGraph):
                    db.remove_graph(g)
                else:
                    db.clear_graph(g)
        elif name == "Create":
            g = ox.NamedNode(str(op.graphiri))
            if db.contains_named_graph(g) and not _field(op, "silent"):
                raise UpdateError(f"CREATE GRAPH: the graph <{g.value}> already exists")
            db.add_graph(g)
        elif name in {"Add", "Move", "Copy"}:
            src, dst = (ox.DefaultGraph() if x == "DEFAULT" else ox.NamedNode(str(x))
                        for x in op.graph)
            _copy_graph(db, src, dst, clear_dst=name != "Add")
            if name == "Move" and src != dst:
                if isinstance(src, ox.DefaultGraph):
                    db.clear_graph(src)
                else:
                    db.remove_graph(src)
        elif name == "Load":
            raise UpdateError("LOAD cannot be combined with using-graph-uri / "
                              "using-named-graph-uri")
        else:  # pragma: no cover - rdflib knows no other operation
            raise UpdateError(f"unsupported update operation {name}")
