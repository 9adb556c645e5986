"""SHACL validation inside a pyoxigraph store, with pyshacl's results.

``validate_in_store(db, shapes, ...)`` validates the data graphs of a pyoxigraph store without
copying them out, and gives the results ``validation.run_validation`` gives on a copy. pyshacl
still decides every core result, but only for the focus nodes that may fail, and on a small
graph: the triples the shapes read around those nodes (property paths, types and their
super-classes for ``sh:class`` and targets, nested ``sh:node`` / ``sh:qualifiedValueShape`` /
logical shapes). Which nodes may fail is decided first by a check of each shape in Python
(``_Checker``) that answers "conforms" only where pyshacl's own code, mirrored, would report
nothing; anything it is unsure of goes to pyshacl. The SHACL-SPARQL constraints run against the
store itself, with ``$this`` bound. Given the nodes a change touched (and, better, the changed
triples), the nodes whose results depend on them are validated too: nodes that reach a changed
node through a property path whose values a shape looks into, and nodes a SHACL-SPARQL query
reaches a changed triple from (``shacl_sparql.dependents``).

Two things pyshacl does are mirrored on purpose, since the results must be pyshacl's: it mixes
in only the RDFS/OWL axioms of ``ont_graph``, not the whole ontology
(``validation.ontology_as_mixed``), and given focus nodes it also skips nested shapes on value
nodes that are not focus nodes.

A shapes graph using something the check does not know how to bound (SHACL-JS, custom
constraint components, SPARQL-based targets, recursive shapes, SHACL-SPARQL on property shapes)
is validated the slow way: the data graphs are copied into rdflib and given to
``run_validation``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from stdgraph.rdf.graphs import GraphName
from stdgraph.rdf.io import to_oxigraph, to_rdflib
from stdgraph.rdf.namespaces import SH
from stdgraph.validation import shacl_sparql
from stdgraph.validation.report import (
    Sources,
    ValidationReport,
    ontology_as_mixed,
    run_validation,
    to_report,
)
from stdgraph.validation.shacl_sparql import split_shapes

DataGraph = Callable[[GraphName], bool]  # a pyoxigraph graph name -> part of the data graph?
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_EMPTY: frozenset = frozenset()
#: nodes a path may be followed through, back from changed nodes, before every target counts
#: as a dependent
REACH_LIMIT = 20_000


def validate_in_store(
    db: ox.Store,
    shapes: Graph,
    ontology: Graph | None,
    focus: Iterable[Node] | None,
    *,
    data_graph: DataGraph,
    changes: Iterable[tuple] | None = None,
    sources: Sources | None = None,
) -> ValidationReport:
    """Validate the data graph held in ``db``: the union of the quads whose graph name
    (``pyoxigraph.DefaultGraph()`` or a ``NamedNode``) passes ``data_graph``, plus what pyshacl
    mixes in from ``ontology`` (``ontology_as_mixed``), as ``run_validation`` does.

    ``focus=None`` validates every target. Otherwise ``focus`` are the nodes a change touched
    (subjects and objects of the changed triples, inferred ones included); they and the nodes
    whose results depend on the change (see the module docstring) are validated, IRIs only, and
    the report's ``focus_nodes`` lists them. ``changes``, the changed triples themselves (added and
    removed, asserted and inferred; rdflib triples or pyoxigraph quads), narrows that down: without
    them every focus node counts as changed in every position, so a node many others point to
    (a publisher) makes all of those dependents.

    The results equal ``run_validation(data=<that union as an rdflib graph>, shapes,
    ontology=ontology, focus_nodes=report.focus_nodes)``. The queries of SHACL-SPARQL
    constraints read the data graphs only, not the ontology (no constraint of the project's
    shapes reads ontology triples; their targets do see them).
    """
    model = _Model.of(shapes)
    view = _View(db, data_graph, ontology, bulk=focus is None)
    if not model.bounded:
        return _validate_copied(view, shapes, ontology, focus, sources)
    datasets = {c.constraint: shacl_sparql.dataset(db, c, view.graphs, view.others)
                for c in model.constraints}

    if focus is None:
        expanded = None
        targets = {s.node: view.all_targets(s) for s in model.targeted}
    else:
        touched = {to_oxigraph(n) for n in focus if not isinstance(n, Literal)}
        subjects, objects, read = ((touched, None, touched) if changes is None
                                   else _changed(model, changes))
        nodes = set(touched)
        everything: set = set()  # shapes every target of which may depend on the change
        core = _Dependents(model, view, read)
        for s in model.targeted:
            deps = core.of(s)
            if deps is None:
                everything.add(s.node)
            else:
                nodes |= deps
        for c in model.constraints:
            deps = shacl_sparql.dependents(db, c, subjects, datasets[c.constraint],
                                           view.reach, partial(_count_targets, view,
                                                               model.shapes[c.shape]),
                                           objects)
            if deps is None:
                everything.add(c.shape)
            else:
                nodes |= deps
        for shape in everything:
            nodes |= view.all_targets(model.shapes[shape])
        # IRIs only: pyshacl takes no blank node as a focus node (the write path names a blank
        # node through the IRIs that refer to it)
        expanded = {n for n in nodes if isinstance(n, ox.NamedNode)}
        targets = view.targets_among(model.targeted, expanded)

    only = expanded
    checker = _Checker(model, view, only)
    suspects: set = set()
    for s in model.core_targeted:
        for n in targets[s.node]:
            if n not in suspects and checker.conforms(s, n) is not True:
                suspects.add(n)
    if focus is None and any(isinstance(n, ox.BlankNode) for n in suspects):
        return _validate_copied(view, shapes, ontology, None, sources)

    report_graph = _core_report(model, view, suspects, only)
    results = shacl_sparql.Results(report_graph)
    for c in model.constraints:
        if focus is None:
            shacl_sparql.run_all(db, c, targets[c.shape], datasets[c.constraint], results)
        else:
            shacl_sparql.run(db, c, sorted(targets[c.shape], key=str), datasets[c.constraint],
                             results)
    report = to_report(report_graph, shapes, sources)
    if expanded is not None:
        report.focus_nodes = sorted((to_rdflib(n) for n in expanded), key=str)
    return report


def _count_targets(view: _View, shape: _Shape) -> int:
    return len(view.all_targets(shape))


def prepare(shapes: Graph, ontology: Graph | None) -> None:
    """Compile the shapes, their SHACL-SPARQL query plans and the ontology's mixed-in part now,
    so that the first ``validate_in_store`` does not pay for it (about 0.2-1 s; a server can
    call this at start)."""
    model = _Model.of(shapes)
    for c in model.constraints:
        shacl_sparql.plan(c.query)
    _ontology_store(ontology)


def _changed(model: _Model, changes: Iterable[tuple]) -> tuple[dict, dict, set]:
    """From changed triples: their subjects by predicate, their objects (not literals) by
    predicate, and the nodes whose triples the core shapes may read (the subjects, and the
    objects of predicates a path follows backwards)."""
    subjects: dict = {}
    objects: dict = {}
    read: set = set()
    for t in changes:
        terms = (t.subject, t.predicate, t.object) if isinstance(t, ox.Quad | ox.Triple) else t
        s, p, o = (x if isinstance(x, OxTerm) else to_oxigraph(x) for x in terms)
        subjects.setdefault(p, set()).add(s)
        read.add(s)
        if not isinstance(o, ox.Literal):
            objects.setdefault(p, set()).add(o)
            if p in model.inverse_predicates:
                read.add(o)
    return subjects, objects, read


def _core_report(model: _Model, view: _View, suspects: set, only: set | None) -> Graph:
    """pyshacl's results for the suspect nodes, from a run on the triples the shapes read
    around them. ``only``: the focus nodes of a focused validation (pyshacl then also skips
    nested shapes on value nodes outside them, so it gets them all); None for a full one. The
    run may report on other targets that happen to be in the small graph too: those results
    are dropped (their neighbourhood is not all there; they were checked to conform)."""
    out = Graph()
    node = BNode()
    out.add((node, RDF.type, SH.ValidationReport))
    out.add((node, SH.conforms, Literal(True)))
    if not suspects:
        return out
    data = Graph()
    seen: set = set()
    for n in suspects:
        view.types_into(n, data)
        for s in model.core_targeted:
            if view.is_target(s, n):
                view.target_triples_into(s, n, data)
                model.collect(view, s, n, data, seen)
    kwargs: dict[str, Any] = {}
    if only is not None:
        # pyshacl looks every candidate up in this list (a list: linear), so it gets only the
        # focus nodes that can matter: those in the small graph (a target or a value node is
        # one of its nodes) and the shapes' sh:targetNode values (targets without triples)
        present = {x for t in data for x in (t[0], t[2])}
        present.update(to_rdflib(n) for shape in model.core_targeted for n in shape.target_nodes)
        kwargs["focus_nodes"] = sorted((f for f in map(to_rdflib, only) if f in present),
                                       key=str)
    _c, report, _t = pyshacl_validate(data, shacl_graph=model.core, inference="none",
                                      advanced=True, allow_warnings=True, **kwargs)
    for prefix, ns in report.namespaces():
        out.bind(prefix, ns)
    keep = {to_rdflib(n) for n in suspects}
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(r, SH.focusNode) in keep:
            out.add((node, SH.result, r))
            todo = [r]
            while todo:  # the result and the blank nodes it holds (paths, details)
                x = todo.pop()
                for p, o in report.predicate_objects(x):
                    out.add((x, p, o))
                    if isinstance(o, BNode) and (o, None, None) not in out:
                        todo.append(o)
    return out


def _validate_copied(view: _View, shapes: Graph, ontology: Graph | None,
                     focus: Iterable[Node] | None, sources: Sources | None) -> ValidationReport:
    """The slow way, for shapes whose reads cannot be bounded: copy the data graph out and
    validate the given focus nodes (no dependents: they cannot be derived either)."""
    data = Graph()
    for s, p, o in view.all_triples():
        data.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    focus_list: list[Node] | None
    focus_list = (None if focus is None
                  else sorted({n for n in focus if isinstance(n, URIRef)}, key=str))
    report = run_validation(data, shapes, ontology=ontology, sources=sources,
                            focus_nodes=focus_list)
    report.focus_nodes = focus_list
    return report


# -- the data graph, read from the store ---------------------------------------------------------

class _View:
    """The data graph in ``db`` (graphs passing ``data_graph``) plus the ontology's triples.

    Lookups go to the store; with ``bulk`` (full validation) each predicate is read once into
    in-memory indexes instead, which is cheaper when most subjects are asked about.
    """

    def __init__(self, db: ox.Store, data_graph: DataGraph, ontology: Graph | None,
                 bulk: bool) -> None:
        self.db = db
        names = [ox.DefaultGraph(), *db.named_graphs()]
        self.graphs = [g for g in names if data_graph(g)]
        self.others = [g for g in names if not data_graph(g)]
        self._in = set(self.graphs)
        self._every = len(self.graphs) == len(names)
        self.onto = _ontology_store(ontology)
        self.bulk = bulk
        self._out: dict = {}
        self._inv: dict = {}
        self._supers: dict = {}
        self._subs: dict = {}

    def _quads(self, s, p, o) -> Iterator[ox.Quad]:
        inside, every = self._in, self._every
        for q in self.db.quads_for_pattern(s, p, o, None):
            if every or q.graph_name in inside:
                yield q
        if self.onto is not None:
            yield from self.onto.quads_for_pattern(s, p, o, None)

    def all_triples(self) -> set:
        return {(q.subject, q.predicate, q.object) for q in self._quads(None, None, None)}

    def _index(self, p: ox.NamedNode) -> tuple[dict, dict]:
        if p not in self._out:
            out: dict = {}
            inv: dict = {}
            for q in self._quads(None, p, None):
                out.setdefault(q.subject, set()).add(q.object)
                inv.setdefault(q.object, set()).add(q.subject)
            self._out[p], self._inv[p] = out, inv
        return self._out[p], self._inv[p]

    def objects(self, s, p: ox.NamedNode) -> set:
        if self.bulk:
            return self._index(p)[0].get(s, _EMPTY)
        if isinstance(s, ox.Literal):
            return set()
        return {q.object for q in self._quads(s, p, None)}

    def subjects(self, p: ox.NamedNode, o) -> set:
        if self.bulk:
            return self._index(p)[1].get(o, _EMPTY)
        return {q.subject for q in self._quads(None, p, o)}

    def subjects_of(self, p: ox.NamedNode) -> set:
        return {q.subject for q in self._quads(None, p, None)}

    def objects_of(self, p: ox.NamedNode) -> set:
        return {q.object for q in self._quads(None, p, None)}

    def outgoing(self, s) -> set:
        return {(q.subject, q.predicate, q.object) for q in self._quads(s, None, None)}

    # types and classes
    def types(self, n) -> set:
        return self.objects(n, _TYPE)

    def supers(self, c) -> set:
        """``c`` and its super-classes (rdfs:subClassOf*), as pyshacl's transitive_objects."""
        out = self._supers.get(c)
        if out is None:
            out = self._supers[c] = _closure(c, lambda x: self.objects(x, _SUBCLASS))
        return out

    def subs(self, c) -> set:
        out = self._subs.get(c)
        if out is None:
            out = self._subs[c] = _closure(c, lambda x: self.subjects(_SUBCLASS, x))
        return out

    def is_instance(self, n, c) -> bool:
        return any(c in self.supers(t) for t in self.types(n))

    def types_into(self, n, g: Graph) -> None:
        """Add ``n``'s types and their super-class chains to ``g``."""
        rn = to_rdflib(n)
        for t in self.types(n):
            g.add((rn, RDF.type, to_rdflib(t)))
            for c in self.supers(t):
                for up in self.objects(c, _SUBCLASS):
                    g.add((to_rdflib(c), RDFS.subClassOf, to_rdflib(up)))

    # targets
    def is_target(self, s: _Shape, n) -> bool:
        if n in s.target_nodes:
            return True
        if s.target_classes and not isinstance(n, ox.Literal):
            for t in self.types(n):
                if not s.target_classes.isdisjoint(self.supers(t)):
                    return True
        if any(self.objects(n, p) for p in s.target_subjects_of):
            return True
        return any(self.subjects(p, n) for p in s.target_objects_of)

    def targets_among(self, shapes: Iterable[_Shape], nodes: set) -> dict[Node, set]:
        """The targets of each shape among ``nodes``, by shape node: ``is_target`` for every
        pair, but with one read of each node's triples (and one of the triples pointing to it,
        where a shape has ``sh:targetObjectsOf``) for all shapes, not a read per shape, node
        and target predicate (a load of 200k triples that no shape targets spent three
        quarters of its time asking each node the same questions, 36 times over)."""
        shapes = list(shapes)
        out: dict[Node, set] = {s.node: nodes & s.target_nodes for s in shapes}
        by_class: dict = {}
        by_subject_of: dict = {}
        by_object_of: dict = {}
        for s in shapes:
            for key, into in ((s.target_classes, by_class), (s.target_subjects_of, by_subject_of),
                              (s.target_objects_of, by_object_of)):
                for x in key:
                    into.setdefault(x, []).append(s)
        if by_class or by_subject_of:
            for n in nodes:
                if isinstance(n, ox.Literal):
                    continue
                predicates = set()
                for q in self._quads(n, None, None):
                    predicates.add(q.predicate)
                    if q.predicate == _TYPE and by_class:
                        for c in self.supers(q.object) & by_class.keys():
                            for s in by_class[c]:
                                out[s.node].add(n)
                for p in predicates & by_subject_of.keys():
                    for s in by_subject_of[p]:
                        out[s.node].add(n)
        if by_object_of:
            for n in nodes:
                for p in {q.predicate for q in self._quads(None, None, n)} & by_object_of.keys():
                    for s in by_object_of[p]:
                        out[s.node].add(n)
        return out

    def target_triples_into(self, s: _Shape, n, g: Graph) -> None:
        """Add the triples that make ``n`` a target of ``s`` through sh:targetSubjectsOf /
        sh:targetObjectsOf (types are added by ``types_into``)."""
        rn = to_rdflib(n)
        for p in s.target_subjects_of:
            for o in self.objects(n, p):
                g.add((rn, to_rdflib(p), to_rdflib(o)))
        for p in s.target_objects_of:
            for x in self.subjects(p, n):
                g.add((to_rdflib(x), to_rdflib(p), rn))

    def all_targets(self, s: _Shape) -> set:
        out = set(s.target_nodes)
        for c in s.target_classes:
            for sub in self.subs(c):
                out |= self.subjects(_TYPE, sub)
        for p in s.target_subjects_of:
            out |= self.subjects_of(p)
        for p in s.target_objects_of:
            out |= self.objects_of(p)
        return out

    # paths
    def values(self, path: tuple, n, into: Graph | None = None) -> set:
        """The nodes ``path`` leads to from ``n``; the triples followed go into ``into``."""
        kind = path[0]
        if kind == "p" and into is None and self.bulk:
            out = self._out.get(path[1])
            return (out if out is not None else self._index(path[1])[0]).get(n, _EMPTY)
        if kind == "p":
            out = self.objects(n, path[1])
            if into is not None:
                rn, rp = to_rdflib(n), to_rdflib(path[1])
                for o in out:
                    into.add((rn, rp, to_rdflib(o)))
            return out
        if kind == "^":
            out = self.subjects(path[1], n)
            if into is not None:
                rn, rp = to_rdflib(n), to_rdflib(path[1])
                for s in out:
                    into.add((to_rdflib(s), rp, rn))
            return out
        if kind == "alt":
            return set().union(*(self.values(a, n, into) for a in path[1]))
        if kind == "seq":
            nodes = {n}
            for step in path[1]:
                nodes = set().union(*(self.values(step, x, into) for x in nodes))
            return nodes
        # "*", "+", "?"
        inner = path[1]
        first = self.values(inner, n, into)
        if kind == "?":
            return first | {n}
        out, todo = set(first), list(first)
        while todo:
            for x in self.values(inner, todo.pop(), into):
                if x not in out:
                    out.add(x)
                    todo.append(x)
        return out | {n} if kind == "*" else out

    def values_back(self, path: tuple, nodes: set) -> set:
        """The nodes from which ``path`` leads to one of ``nodes``."""
        back = _inverse(path)
        return set().union(*(self.values(back, n) for n in nodes)) if nodes else set()

    def reach(self, path, nodes: set, forward: bool) -> set | None:
        """Nodes whose evaluation of ``path`` (an rdflib path or a compiled one) may pass
        through one of ``nodes``: from the start (``forward``) the nodes that reach them by
        steps of the path, from the end the nodes they reach. None past REACH_LIMIT nodes or
        for a path that cannot be followed back."""
        compiled = path if isinstance(path, tuple) else _rdflib_path(path)
        if compiled is None:
            return None
        if len(nodes) > REACH_LIMIT:
            return None
        steps = _steps(compiled)
        if not forward:
            steps = [_inverse(s) for s in steps]
        back = [_inverse(s) for s in steps]
        out, todo = set(nodes), list(nodes)
        while todo:
            n = todo.pop()
            for step in back:
                for x in self.values(step, n):
                    if x not in out:
                        out.add(x)
                        todo.append(x)
                        if len(out) > REACH_LIMIT:
                            return None
        return out


def _closure(start, step: Callable[[object], set]) -> set:
    out, todo = {start}, [start]
    while todo:
        for x in step(todo.pop()):
            if x not in out:
                out.add(x)
                todo.append(x)
    return out


_ONTOLOGY_STORES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _ontology_store(ontology: Graph | None) -> ox.Store | None:
    """What pyshacl mixes into the data graph from the ontology (``ontology_as_mixed``), in an
    in-memory store (kept per ontology graph and size)."""
    if ontology is None or len(ontology) == 0:
        return None
    cached = _ONTOLOGY_STORES.get(ontology)
    if cached is not None and cached[0] == len(ontology):
        return cached[1]
    st = ox.Store()
    # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
    st.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
              for s, p, o in ontology_as_mixed(ontology))
    _ONTOLOGY_STORES[ontology] = (len(ontology), st)
    return st


# -- paths ---------------------------------------------------------------------------------------
# A path is a tuple: ("p", P) a predicate, ("^", P) its inverse, ("alt", [paths]),
# ("seq", [paths]), ("*" | "+" | "?", path). Inverses are pushed down to predicates.

def _inverse(path: tuple) -> tuple:
    kind = path[0]
    if kind in {"p", "^"}:
        return ("^" if kind == "p" else "p", path[1])
    if kind == "alt":
        return ("alt", [_inverse(a) for a in path[1]])
    if kind == "seq":
        return ("seq", [_inverse(a) for a in reversed(path[1])])
    return (kind, _inverse(path[1]))


def _steps(path: tuple) -> list[tuple]:
    """The single steps (predicates and inverse predicates) a path is made of."""
    if path[0] in {"p", "^"}:
        return [path]
    if path[0] in {"alt", "seq"}:
        return [s for a in path[1] for s in _steps(a)]
    return _steps(path[1])


def _is_simple(path: tuple) -> bool:
    """No nodes in between: a predicate, an inverse, or alternatives of those."""
    if path[0] in {"p", "^"}:
        return True
    return path[0] == "alt" and all(_is_simple(a) for a in path[1])


def _shacl_path(shapes: Graph, node: Node) -> tuple | None:
    """A SHACL property path (sh:path value) compiled; None if malformed."""
    if isinstance(node, URIRef):
        return ("p", ox.NamedNode(str(node)))
    if (node, RDF.first, None) in shapes:
        parts = [_shacl_path(shapes, x) for x in Collection(shapes, node)]
        return None if None in parts else ("seq", parts)
    for pred, kind in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                       (SH.zeroOrOnePath, "?")):
        inner = shapes.value(node, pred)
        if inner is not None:
            sub = _shacl_path(shapes, inner)
            return None if sub is None else (kind, sub)
    inner = shapes.value(node, SH.inversePath)
    if inner is not None:
        sub = _shacl_path(shapes, inner)
        return None if sub is None else _inverse(sub)
    alt = shapes.value(node, SH.alternativePath)
    if alt is not None:
        parts = [_shacl_path(shapes, x) for x in Collection(shapes, alt)]
        return None if None in parts else ("alt", parts)
    return None


def _rdflib_path(path) -> tuple | None:
    """An rdflib SPARQL path (from a query's algebra) compiled; None for negated sets."""
    if isinstance(path, URIRef):
        return ("p", ox.NamedNode(str(path)))
    if isinstance(path, InvPath):
        sub = _rdflib_path(path.arg)
        return None if sub is None else _inverse(sub)
    if isinstance(path, AlternativePath | SequencePath):
        parts = [_rdflib_path(a) for a in path.args]
        if None in parts:
            return None
        return ("alt" if isinstance(path, AlternativePath) else "seq", parts)
    if isinstance(path, MulPath):
        sub = _rdflib_path(path.path)
        return None if sub is None else (path.mod, sub)
    return None


# -- the shapes, compiled ------------------------------------------------------------------------

#: parameters checked on each value node alone
_VALUE_PARAMS = {SH.datatype, SH.nodeKind, SH["in"], SH.languageIn, SH.pattern, SH.flags,
                 SH.minLength, SH.maxLength, SH.minInclusive, SH.maxInclusive,
                 SH.minExclusive, SH.maxExclusive, SH.hasValue}
_COUNT_PARAMS = {SH.minCount, SH.maxCount, SH.uniqueLang}
_NESTED_PARAMS = {SH.node, SH.qualifiedValueShape, SH["not"], SH["and"], SH["or"], SH.xone}
_LIST_PARAMS = {SH["and"], SH["or"], SH.xone}
_PAIR_PARAMS = {SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals}
_OTHER_PARAMS = {SH["class"], SH.property, SH.closed, SH.ignoredProperties,
                 SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint}
#: SHACL terms that do not constrain anything
_INERT = {SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
          SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
          SH.defaultValue, SH.deactivated, SH.declare, SH.prefixes, SH.prefix, SH.namespace,
          SH.sparql, SH.select}
_KNOWN = _VALUE_PARAMS | _COUNT_PARAMS | _NESTED_PARAMS | _PAIR_PARAMS | _OTHER_PARAMS | _INERT
_SH = str(SH)


@dataclass(eq=False)
class _Shape:
    node: Node
    path: tuple | None
    params: dict[Node, list[Node]]
    properties: list[_Shape] = field(default_factory=list)
    nested: list[_Shape] = field(default_factory=list)
    deactivated: bool = False
    target_classes: set = field(default_factory=set)
    target_nodes: set = field(default_factory=set)
    target_subjects_of: set = field(default_factory=set)
    target_objects_of: set = field(default_factory=set)

    @property
    def targeted(self) -> bool:
        return bool(self.target_classes or self.target_nodes or self.target_subjects_of
                    or self.target_objects_of)


class _Model:
    """A shapes graph compiled for in-store validation (kept per shapes graph and size)."""

    _cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, shapes: Graph) -> _Model:
        cached = cls._cache.get(shapes)
        if cached is not None and cached.size == len(shapes):
            return cached
        model = cls._cache[shapes] = cls(shapes)
        return model

    def __init__(self, shapes: Graph) -> None:
        self.size = len(shapes)
        self.graph = shapes
        self.core, self.constraints = split_shapes(shapes)
        self.bounded = True
        self.shapes: dict[Node, _Shape] = {}
        self._compiling: set = set()
        taken = {(c.shape, c.constraint) for c in self.constraints}
        if (None, RDF.type, SH.ConstraintComponent) in shapes or (None, SH.target, None) in shapes:
            self.bounded = False
        candidates = set(shapes.subjects(RDF.type, SH.NodeShape))
        candidates |= set(shapes.subjects(RDF.type, SH.PropertyShape))
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                  SH.sparql):
            candidates |= set(shapes.subjects(p, None))
        for node in sorted(candidates, key=str):
            self._compile(node)
        for s, c in shapes.subject_objects(SH.sparql):
            if (s, c) not in taken and shapes.value(c, SH.deactivated) != Literal(True):
                self.bounded = False  # a SHACL-SPARQL constraint pyshacl runs: reads unknown
        self.targeted = [s for s in self.shapes.values() if s.targeted and not s.deactivated]
        sparql_shapes = {c.shape for c in self.constraints}
        # shapes pyshacl has something to check on (a SPARQL-only shape has nothing left)
        self.core_targeted = [s for s in self.targeted
                              if s.node not in sparql_shapes or s.params or s.properties]
        self.qualified = [n for s in self.shapes.values()
                          for n in s.params.get(SH.qualifiedValueShape, [])]
        #: predicates some shape's path follows backwards
        self.inverse_predicates = {step[1] for s in self.shapes.values() if s.path
                                   for step in _steps(s.path) if step[0] == "^"}

    def _compile(self, node: Node) -> _Shape:
        if node in self.shapes:
            return self.shapes[node]
        if node in self._compiling:
            self.bounded = False  # a shape that refers to itself: reads not bounded here
            return _Shape(node, None, {})
        self._compiling.add(node)
        g = self.graph
        path_node = g.value(node, SH.path)
        path = None
        if path_node is not None:
            path = _shacl_path(g, path_node)
            if path is None:
                self.bounded = False
        params: dict[Node, list[Node]] = {}
        for p, o in g.predicate_objects(node):
            if not str(p).startswith(_SH) or p in _INERT:
                continue
            if p not in _KNOWN:
                self.bounded = False
            params.setdefault(p, []).append(o)
        shape = _Shape(node, path if path_node is not None else None, params,
                       deactivated=g.value(node, SH.deactivated) == Literal(True))
        if path_node is not None and path is None:
            shape.path = ("p", ox.NamedNode("urn:stdgraph:unsupported-path"))
        shape.properties = [self._compile(x) for x in params.pop(SH.property, [])]
        for p in _NESTED_PARAMS:
            for o in params.get(p, []):
                members = list(Collection(g, o)) if p in _LIST_PARAMS else [o]
                shape.nested.extend(self._compile(m) for m in members)
        shape.target_classes = {ox.NamedNode(str(c)) for c in g.objects(node, SH.targetClass)
                                if isinstance(c, URIRef)}
        implicit = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class), OWL.Class}
        if any(t in implicit for t in g.objects(node, RDF.type)) and isinstance(node, URIRef):
            shape.target_classes.add(ox.NamedNode(str(node)))
        shape.target_nodes = {to_oxigraph(n) for n in g.objects(node, SH.targetNode)}
        shape.target_subjects_of = {ox.NamedNode(str(p)) for p in
                                    g.objects(node, SH.targetSubjectsOf)}
        shape.target_objects_of = {ox.NamedNode(str(p)) for p in
                                   g.objects(node, SH.targetObjectsOf)}
        self.shapes[node] = shape
        self._compiling.discard(node)
        return shape

    def collect(self, view: _View, s: _Shape, n, into: Graph, seen: set) -> None:
        """Add to ``into`` every triple pyshacl reads to validate ``n`` against ``s``."""
        if (s.node, n) in seen or s.deactivated:
            return
        seen.add((s.node, n))
        view.types_into(n, into)
        values = {n} if s.path is None else view.values(s.path, n, into)
        rn = to_rdflib(n)
        for p in _PAIR_PARAMS:
            for other in s.params.get(p, []):
                for o in view.objects(n, ox.NamedNode(str(other))):
                    into.add((rn, other, to_rdflib(o)))
        nested = list(s.nested) + list(s.properties)
        if s.params.get(SH.qualifiedValueShapesDisjoint):
            nested += [self.shapes[q] for q in self.qualified]  # the siblings' shapes too
        for v in values:
            if SH["class"] in s.params:
                view.types_into(v, into)
            if s.params.get(SH.closed):
                for t in view.outgoing(v):
                    into.add(tuple(to_rdflib(x) for x in t))
            for sub in nested:
                self.collect(view, sub, v, into, seen)


class _Dependents:
    """Nodes whose results for a shape may change when triples of ``touched`` nodes change: a
    shape reads the triples of its focus node, and of the value nodes it looks into
    (``sh:class``, nested shapes), reached through property paths. Relies on the data being
    closed under inference with inferred changes among the touched nodes (as the write path
    does): a change of a node's classes then touches the node itself."""

    def __init__(self, model: _Model, view: _View, touched: set) -> None:
        self.model, self.view, self.touched = model, view, touched
        self._memo: dict = {}

    def of(self, s: _Shape) -> set | None:
        """Nodes n such that validating n against s reads a triple of a touched node; None if
        that cannot be narrowed down."""
        if s.node not in self._memo:
            self._memo[s.node] = None  # a recursive shape (not in a bounded model)
            self._memo[s.node] = self._compute(s)
        return self._memo[s.node]

    def _compute(self, s: _Shape) -> set | None:
        if s.deactivated:
            return set()
        reads_values = SH["class"] in s.params or bool(s.params.get(SH.closed))
        inner = set(self.touched) if reads_values else set()  # value nodes read
        for sub in [*s.nested, *s.properties]:
            deps = self.of(sub)
            if deps is None:
                return None
            inner |= deps
        if s.path is None:  # the focus node is the value node
            own = any(s.params.get(p) for p in _PAIR_PARAMS)
            return inner | (self.touched if own else set())
        if len(inner) > REACH_LIMIT:
            return None  # following the path back from each costs more than every target
        out = set(self.touched)  # the path's first step reads the focus node's triples
        if inner:
            out |= self.view.values_back(s.path, inner)
        if not _is_simple(s.path):
            through = self.view.reach(s.path, self.touched, True)
            if through is None:
                return None
            out |= through
        return out


# -- "conforms" without pyshacl, where that is certain -------------------------------------------

_MIN_COUNT, _MAX_COUNT, _CLASS, _DATATYPE = SH.minCount, SH.maxCount, SH["class"], SH.datatype
_NODE_KIND, _IN, _HAS_VALUE, _LANGUAGE_IN = SH.nodeKind, SH["in"], SH.hasValue, SH.languageIn
_PATTERN, _FLAGS, _QUALIFIED, _NODE, _NOT = (SH.pattern, SH.flags, SH.qualifiedValueShape,
                                             SH.node, SH["not"])
_AND, _OR = SH["and"], SH["or"]
_QUALIFIED_MIN, _QUALIFIED_MAX = SH.qualifiedMinCount, SH.qualifiedMaxCount
_DISJOINT = SH.qualifiedValueShapesDisjoint
_READ_WITH_OTHERS = {_QUALIFIED_MIN, _QUALIFIED_MAX, _DISJOINT, _FLAGS, SH.ignoredProperties}
_FALSE = Literal(False)
_OX_STRING = ox.NamedNode(str(XSD.string))

Check = Callable[[set, int], "bool | None"]


class _Checker:
    """Decides for a shape and a node: True (pyshacl reports nothing), False (it reports
    something) or None (not sure). Each parameter mirrors pyshacl's own code (0.40); the
    parameters not mirrored answer None, so pyshacl decides. Each shape's parameters are
    compiled once into checks on its value nodes (pyoxigraph terms). ``only``: the focus nodes
    of a focused validation, which pyshacl also applies to nested shapes (a value node outside
    them, literals included, counts as conforming to sh:node, sh:qualifiedValueShape, ...)."""

    def __init__(self, model: _Model, view: _View, only: set | None = None) -> None:
        self.model, self.view, self.only = model, view, only
        self._rd: dict = {}
        self._checks: dict[Node, list[Check]] = {}

    def rd(self, term) -> Node:
        out = self._rd.get(term)
        if out is None:
            out = self._rd[term] = to_rdflib(term)
        return out

    def conforms(self, s: _Shape, n, depth: int = 0) -> bool | None:
        if s.deactivated:
            return True
        if depth and self.only is not None and n not in self.only:
            return True  # pyshacl, given focus nodes, skips nested shapes on other nodes
        if depth > 20:
            return None
        checks = self._checks.get(s.node)
        if checks is None:
            checks = self._checks[s.node] = self._compile(s)
        values = {n} if s.path is None else self.view.values(s.path, n)
        verdict: bool | None = True
        for check in checks:
            ok = check(values, depth)
            if ok is False:
                return False
            if ok is None:
                verdict = None
        return verdict

    def _compile(self, s: _Shape) -> list[Check]:
        checks: list[Check] = [self._check(s, p, o) for p, objs in s.params.items() for o in objs
                               if p not in _READ_WITH_OTHERS]
        checks.extend(self._property(sub) for sub in s.properties)
        return checks

    def _property(self, sub: _Shape) -> Check:
        return lambda values, depth: _all([self.conforms(sub, v, depth + 1) for v in values])

    def _nested(self, shape_node: Node) -> Callable[[set, int], list]:
        sub = self.model.shapes[shape_node]
        return lambda values, depth: [self.conforms(sub, v, depth + 1) for v in values]

    def _check(self, s: _Shape, p: Node, o: Node) -> Check:  # noqa: C901 - one case each
        view, rd = self.view, self.rd
        if p == _MIN_COUNT:
            low = _int(o)
            return lambda values, depth: len(values) >= low
        if p == _MAX_COUNT:
            high = _int(o)
            return lambda values, depth: len(values) <= high
        if p == _CLASS:
            c = to_oxigraph(o)
            return lambda values, depth: all(
                not isinstance(v, ox.Literal) and view.is_instance(v, c) for v in values)
        if p == _DATATYPE:
            if o == _XSD_STRING:  # a plain string needs no conversion to decide
                return lambda values, depth: all(
                    (isinstance(v, ox.Literal) and v.language is None
                     and v.datatype == _OX_STRING) or _datatype_ok(rd(v), o) for v in values)
            if o == _LANG_STRING:
                return lambda values, depth: all(
                    (isinstance(v, ox.Literal) and v.language is not None)
                    or _datatype_ok(rd(v), o) for v in values)
            return lambda values, depth: all(_datatype_ok(rd(v), o) for v in values)
        if p == _NODE_KIND:
            return lambda values, depth: all(_node_kind_ok(rd(v), o) for v in values)
        if p == _IN:
            members = set(Collection(self.model.graph, o))
            return lambda values, depth: all(rd(v) in members for v in values)
        if p == _HAS_VALUE:
            return lambda values, depth: any(rd(v) == o for v in values)
        if p == _LANGUAGE_IN:
            wanted = {str(x).lower() for x in Collection(self.model.graph, o)}
            return lambda values, depth: all(_language_ok(v, wanted) for v in values)
        if p == _PATTERN and not s.params.get(_FLAGS):
            regex = re.compile(str(o))
            return lambda values, depth: all(_pattern_ok(rd(v), regex) for v in values)
        if p == _QUALIFIED and s.params.get(_DISJOINT, [_FALSE])[0] == _FALSE:
            nested = self._nested(o)
            q_min = _int(s.params[_QUALIFIED_MIN][0]) if _QUALIFIED_MIN in s.params else None
            q_max = _int(s.params[_QUALIFIED_MAX][0]) if _QUALIFIED_MAX in s.params else None

            def qualified(values: set, depth: int) -> bool | None:
                answers = nested(values, depth)
                if None in answers:
                    return None
                count = sum(1 for a in answers if a)
                return (q_min is None or count >= q_min) and (q_max is None or count <= q_max)
            return qualified
        if p == _NODE:
            nested = self._nested(o)
            return lambda values, depth: _all(nested(values, depth))
        if p == _NOT:
            nested = self._nested(o)
            return lambda values, depth: _all(
                [None if a is None else not a for a in nested(values, depth)])
        if p in _LIST_PARAMS:
            operands = [self.model.shapes[m] for m in Collection(self.model.graph, o)]
            combiners: dict[Node, Callable[[list[bool]], bool]] = {_AND: all, _OR: any}
            combine = combiners.get(p, lambda answers: sum(answers) == 1)

            def logical(values: set, depth: int) -> bool | None:
                per_value: list[bool | None] = []
                for v in values:
                    answers = [self.conforms(m, v, depth + 1) for m in operands]
                    per_value.append(None if None in answers else bool(combine(answers)))
                return _all(per_value)
            return logical
        # closed, property pairs, lengths, ranges, uniqueLang, flags, unknown: pyshacl decides
        return lambda values, depth: None


def _int(term: Node) -> int:
    value = term.toPython() if isinstance(term, Literal) else None
    if not isinstance(value, int):
        raise ValueError(f"{term!r} is not an integer")
    return value


def _all(answers: list[bool | None]) -> bool | None:
    if False in answers:
        return False
    return None if None in answers else True


_DATATYPE_VALUE: dict[Node, type | tuple[type, ...]]  # looked up by any term
_DATATYPE_VALUE = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
                   XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
                   XSD.time: time, XSD.dateTime: datetime}
_RDFS_LITERAL, _RDFS_DATATYPE, _XSD_STRING, _LANG_STRING = (RDFS.Literal, RDFS.Datatype,
                                                            XSD.string, RDF.langString)
_BLANK_KINDS = {SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI}
_LITERAL_KINDS = {SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}
_IRI_KINDS = {SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI}


def _datatype_ok(v: Node, rule: Node) -> bool:
    """pyshacl's DatatypeConstraintComponent for one value."""
    if not isinstance(v, Literal):
        return False
    if v.datatype == rule:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual_datatype(v, rule)
    if rule == _RDFS_LITERAL:
        return True
    if rule == _RDFS_DATATYPE and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == _XSD_STRING:
        return _actual_datatype(v, rule)
    if rule == _LANG_STRING and v.language:
        return _actual_datatype(v, rule)
    return False


def _actual_datatype(v: Literal, rule: Node) -> bool:
    kind = _DATATYPE_VALUE.get(rule)
    return True if kind is None else isinstance(v.value, kind)


def _node_kind_ok(v: Node, rule: Node) -> bool:
    if isinstance(v, BNode):
        return rule in _BLANK_KINDS
    if isinstance(v, Literal):
        return rule in _LITERAL_KINDS
    return rule in _IRI_KINDS


def _language_ok(v, wanted: set[str]) -> bool:
    """pyshacl's LanguageInConstraintComponent for one value (a pyoxigraph term)."""
    if not isinstance(v, ox.Literal) or not v.language:
        return False
    lang = v.language.lower()
    return "*" in wanted or lang in wanted or lang.split("-")[0] in wanted


def _pattern_ok(v: Node, regex: re.Pattern) -> bool:
    if isinstance(v, BNode):
        return False
    if (isinstance(v, Literal) and v.value is not None
            and v.datatype in (None, _LANG_STRING, _XSD_STRING)):
        text = str(v.value)
    else:
        text = str(v)
    return bool(regex.match(text) or regex.search(text))
