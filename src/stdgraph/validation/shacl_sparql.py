"""SHACL-SPARQL constraints evaluated by Oxigraph instead of rdflib.

pyshacl runs every ``sh:sparql`` constraint once per focus node through rdflib's SPARQL engine,
which is most of a build's validation time. Here the same constraints run in Oxigraph with
``$this`` pre-bound to each focus node (RDF-dev SEP-0007, the semantics SHACL's pre-binding is
defined by). Node shapes only; constraints that use ``$shapesGraph``, ``$currentShape`` or
``$PATH`` stay with pyshacl. ``tests/test_validation.py`` checks that the verdicts equal
pyshacl's.

Two ways of running a constraint:

- ``evaluate``: over an rdflib graph copied into an in-memory store, ``$this`` bound through
  pyoxigraph's ``substitutions``, one query per focus node (``run_validation``);
- ``evaluate_in_store``: straight against a store's data graphs (``stdgraph.validation.scoped.
  validate_in_store``). Where the query allows it (``plan``), ``$this`` is bound by a ``VALUES``
  block put at the start of the WHERE group, for many focus nodes in one query, or left unbound
  to get every focus node's solutions at once. Oxigraph plans a query with ``VALUES`` in place
  far better than one with ``substitutions`` (0.1 ms instead of 260 ms for
  ``sgsh:ReferencesWithdrawnStandardShape`` at 100k standards), and the two mean the same
  unless ``$this`` is also used in a sub-query, ``MINUS``, ``VALUES`` or ``BIND`` - such
  queries keep ``substitutions``.

``dependents`` finds the focus nodes whose results may change when given nodes change: the
query is run with a variable bound to those nodes instead of ``$this``, for every variable that
stands where a changed triple's subject would be matched. A variable of an ``EXISTS`` pattern
alone (a statement record ``?r rdf:subject $this ; rdf:predicate P ; rdf:object ?value``) is
followed back to ``$this`` (or to a variable of the query's own pattern) through the triples
that hold with it: a changed record triple leads to its ``rdf:subject``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.term import Node

from stdgraph.rdf.io import to_oxigraph, to_rdflib
from stdgraph.rdf.namespaces import SH
from stdgraph.sparql.scan import TOKEN

_UNSUPPORTED = ("$shapesGraph", "$currentShape", "$PATH", "?shapesGraph", "?currentShape")
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")
# pyoxigraph substitutes only projected variables: take constraints that project $this.
_PROJECTS_THIS = re.compile(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?:\*|[^{]*?[?$]this\b)",
                            re.IGNORECASE)
THIS = Variable("this")
#: focus nodes per query when ``$this`` is bound with VALUES
BATCH = 500


@dataclass(frozen=True)
class SparqlConstraint:
    shape: Node
    constraint: Node
    query: str
    messages: tuple[Literal, ...]
    severity: Node


def _prefix_block(shapes: Graph, constraint: Node) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            ns = shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines))) + "\n"


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """The shapes graph without the constraints taken over here, and those constraints."""
    taken: list[SparqlConstraint] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if shapes.value(shape, SH.path) is not None:
            continue  # property shape: $PATH semantics, leave to pyshacl
        if (shapes.value(shape, SH.deactivated) == Literal(True)
                or shapes.value(constraint, SH.deactivated) == Literal(True)):
            continue
        select = shapes.value(constraint, SH.select)
        if (select is None or any(tok in str(select) for tok in _UNSUPPORTED)
                or not _PROJECTS_THIS.search(str(select))):
            continue
        # the values of sh:message are literals (SHACL says so; _fill relies on it)
        messages = cast(tuple[Literal, ...], tuple(shapes.objects(constraint, SH.message))
                        or tuple(shapes.objects(shape, SH.message)))
        taken.append(SparqlConstraint(
            shape=shape, constraint=constraint,
            query=_prefix_block(shapes, constraint) + str(select),
            messages=messages,
            severity=shapes.value(shape, SH.severity) or SH.Violation,
        ))
    taken.sort(key=lambda c: (str(c.shape), str(c.constraint)))
    rest = Graph()
    skip = {(c.shape, c.constraint) for c in taken}
    for s, p, o in shapes:
        if p == SH.sparql and (s, o) in skip:
            continue
        rest.add((s, p, o))
    return rest, taken


def _focus_nodes(store: ox.Store, shapes: Graph, shape: Node) -> set:
    """Target nodes of a shape: sh:targetClass (with subclasses), sh:targetNode,
    sh:targetSubjectsOf, sh:targetObjectsOf, and implicit class targets."""
    focus: set = set()
    classes = list(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes:
        classes.append(shape)
    for cls in classes:
        for sol in store.query(  # type: ignore[union-attr]  # a SELECT: QuerySolutions
            "SELECT DISTINCT ?x ?c WHERE { ?x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }",
            substitutions={ox.Variable("c"): to_oxigraph(cls)},
        ):
            focus.add(sol["x"])
    for node in shapes.objects(shape, SH.targetNode):
        focus.add(to_oxigraph(node))
    # (rdflib types the objects as Node; pyoxigraph checks that the predicate is an IRI)
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        focus.update(q.subject for q in store.quads_for_pattern(
            None, to_oxigraph(p), None))  # type: ignore[arg-type]
    for p in shapes.objects(shape, SH.targetObjectsOf):
        focus.update(q.object for q in store.quads_for_pattern(
            None, to_oxigraph(p), None))  # type: ignore[arg-type]
    return focus


def _fill(template: Literal, binding: dict[str, Node]) -> Literal:
    def sub(m: re.Match) -> str:
        t = binding.get(m.group(1))
        return "" if t is None else str(t)

    return Literal(_PLACEHOLDER.sub(sub, str(template)), lang=template.language)


class Results:
    """Adds one sh:ValidationResult per (constraint, focus, path, value) to a report graph."""

    def __init__(self, report: Graph) -> None:
        self.report = report
        self.node = report.value(None, RDF.type, SH.ValidationReport)
        self.seen: set = set()
        self.added = 0

    def add(self, c: SparqlConstraint, focus: Node, binding: dict[str, Node]) -> None:
        binding.setdefault("this", focus)
        key = (c.constraint, focus, binding.get("path"), binding.get("value"))
        if key in self.seen:  # one result per (focus, path, value), as pyshacl reports
            return
        self.seen.add(key)
        report = self.report
        r = BNode()
        report.add((r, RDF.type, SH.ValidationResult))
        report.add((r, SH.focusNode, focus))
        report.add((r, SH.resultSeverity, c.severity))
        report.add((r, SH.sourceShape, c.shape))
        report.add((r, SH.sourceConstraint, c.constraint))
        report.add((r, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        if "path" in binding:
            report.add((r, SH.resultPath, binding["path"]))
        # sh:value: ?value if bound, else the focus node (as pyshacl reports it)
        report.add((r, SH.value, binding.get("value", focus)))
        if "message" in binding:
            report.add((r, SH.resultMessage, binding["message"]))
        else:
            for m in c.messages:
                report.add((r, SH.resultMessage, _fill(m, binding)))
        if self.node is not None:
            report.add((self.node, SH.result, r))
        self.added += 1


def _bindings(solutions) -> Iterable[dict[str, Node]]:
    variables = [v.value for v in solutions.variables]
    for sol in solutions:
        yield {v: to_rdflib(sol[v]) for v in variables if sol[v] is not None}


def evaluate(
    data: Iterable[tuple[Node, Node, Node]],
    shapes: Graph,
    constraints: list[SparqlConstraint],
    report: Graph,
    focus_filter: set[Node] | None = None,
) -> int:
    """Run the constraints over ``data``; add one sh:ValidationResult per solution to
    ``report``. Returns the number of results added."""
    if not constraints:
        return 0
    store = ox.Store()
    # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                 for s, p, o in data)
    results = Results(report)
    focus_cache: dict[Node, set] = {}
    for c in constraints:
        if c.shape not in focus_cache:
            focus_cache[c.shape] = _focus_nodes(store, shapes, c.shape)
        for focus in focus_cache[c.shape]:
            focus_rdflib = to_rdflib(focus)
            if focus_filter is not None and focus_rdflib not in focus_filter:
                continue
            for binding in _bindings(store.query(c.query, substitutions={ox.Variable("this"):
                                                                         focus})):
                results.add(c, focus_rdflib, binding)
    return results.added


# -- queries against a store's data graphs -------------------------------------------------------

@dataclass(frozen=True)
class Position:
    """Where a changed triple's subject is matched: ``term`` (a variable, ``$this`` or an IRI),
    and, for a path with steps in between (``p/q``, ``p+``), the path, whose inner nodes are
    read too (``forward``: the path runs from ``term``; else it runs to it). ``predicates``: the
    predicates of the triples matched there (None: any)."""

    term: Node
    path: Path | URIRef | None = None
    forward: bool = True
    predicates: tuple | None = None
    #: predicates whose changed triples' objects count as changed nodes too: the steps that the
    #: path is followed back over from subject to object, so that a deleted triple, gone from
    #: the store, does not cut the way back (the object is on the side of ``term``)
    objects: tuple = ()


@dataclass(frozen=True)
class QueryPlan:
    """What a constraint's query allows (from rdflib's algebra of it)."""

    body: int | None  # offset just inside the WHERE group's "{", where VALUES can go
    batch: bool  # VALUES ?this {...} there means the same as pre-binding $this
    whole: bool  # ... and the query without it gives every focus node's solutions at once
    positions: tuple[Position, ...]  # for dependents
    opaque: bool  # a variable read only inside EXISTS and tied to none of the query's:
    #               dependents cannot be narrowed
    patterns: tuple[tuple, ...]  # (s, p, o) the query can match, None for "any"


_UNSAFE = {"Minus", "MinusGraphPattern", "values", "InlineData", "ToMultiSet", "SubSelect",
           "Group", "AggregateJoin", "Slice", "Graph", "GraphGraphPattern",
           "ServiceGraphPattern"}


def _walk(node, inside_exists: bool, out: list, flags: dict, held: tuple = ()) -> None:
    """Collect (triple, inside_exists, held) from an algebra / parse tree, ``held`` being the
    triples that hold in every solution the triple is matched in (its own basic graph pattern,
    the pattern of the EXISTS it is in, the group an enclosing FILTER applies to); note unsafe
    parts."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        name = node.name
        if name in _UNSAFE:
            flags["unsafe"] = True
        if name in {"Extend", "Bind"} and node.get("var") == THIS:
            flags["unsafe"] = True
        if name in {"Builtin_EXISTS", "Builtin_NOTEXISTS"}:
            # rdflib's translation sets the attribute (the key keeps the parse tree, which
            # may lack the pattern's own FILTERs)
            graph = getattr(node, "graph", None)
            _walk(graph, True, out, flags, held + tuple(_required(graph)))
            return
        if name == "Filter":  # an EXISTS in the expression is evaluated on the group's solutions
            _walk(node.get("p"), inside_exists, out, flags, held)
            _walk(node.get("expr"), inside_exists, out, flags,
                  held + tuple(_required(node.get("p"))))
            return
        if name in {"BGP", "TriplesBlock"}:
            own = tuple(_triples(node))
            out.extend((t, inside_exists, held + own) for t in own)
        for key, value in node.items():
            if key != "triples" and not key.startswith("_"):
                _walk(value, inside_exists, out, flags, held)
    elif isinstance(node, list | tuple):
        for x in node:
            _walk(x, inside_exists, out, flags, held)


def _triples(bgp) -> list[tuple]:
    t = bgp.get("triples") or []
    if t and not isinstance(t[0], list | tuple):  # a parse tree's flat list
        return [tuple(t[i:i + 3]) for i in range(0, len(t) - 2, 3)]
    return [tuple(x[i:i + 3]) for x in t for i in range(0, len(x) - 2, 3)]


def _required(node) -> list[tuple]:
    """Triples matched in every solution of an algebra expression."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return _triples(node)
    if name == "GroupGraphPatternSub":  # an EXISTS pattern left as parsed
        return [t for part in node.get("part") or [] if getattr(part, "name", None) ==
                "TriplesBlock" for t in _triples(part)]
    if name == "Join":
        return _required(node.p1) + _required(node.p2)
    if name in {"LeftJoin", "Minus"}:
        return _required(node.p1)
    if name in {"Filter", "Extend", "Project", "Distinct", "Reduced", "OrderBy", "SelectQuery",
                "ToMultiSet"}:
        return _required(node.p)
    return []


def _anchor(var: Variable, held: tuple, outer: set) -> tuple[Variable, Path | URIRef] | None:
    """A path from ``var`` to ``$this`` (preferred) or to a variable of the query's own
    pattern, over the triples ``held`` (constant or path predicates, variables at both ends):
    whatever ``var`` is bound to in a solution, the path leads from it to that variable's
    value in the same solution. None if there is none. The way does not pass through the
    query's own variables: from ``?value`` back to ``$this`` (``$this sg:status ?value``) would
    lead to every resource sharing the value."""
    steps: dict = {}
    for s, p, o in held:
        if isinstance(s, Variable) and isinstance(o, Variable) and not isinstance(p, Variable):
            steps.setdefault(s, []).append((p, o))
            steps.setdefault(o, []).append((InvPath(p), s))
    ways: dict = {var: []}
    todo = [var]
    while todo:
        n = todo.pop(0)
        if n in outer and n != var:
            continue
        for p, m in steps.get(n, ()):
            if m not in ways:
                ways[m] = [*ways[n], p]
                todo.append(m)
    roots = [THIS] if THIS in ways else [v for v in ways if v in outer and v != var]
    if not roots:
        return None
    way = ways[roots[0]]
    return roots[0], (way[0] if len(way) == 1 else SequencePath(*way))


def _anchored(pos: Position, held: tuple, outer: set) -> Position | None:
    """``pos`` (at a variable of an EXISTS pattern alone) moved to the variable it is tied to:
    the nodes the changed triples lead to along the way (None: tied to none)."""
    found = _anchor(cast(Variable, pos.term), held, outer)
    if found is None:
        return None
    root, way = found
    if pos.path is None:
        path: Path | URIRef = way
    else:  # from a changed node along the path to pos.term, then on to the root
        path = SequencePath(InvPath(pos.path) if pos.forward else pos.path, way)
    return Position(root, path, False, pos.predicates, _forward_predicates(path, False))


def _forward_predicates(path, inverted: bool) -> tuple:
    """The predicates of the steps of ``path`` that read ``inverted`` (under an odd number of
    inversions) when ``inverted``, plain otherwise. ``reach`` follows a path back from its start
    over the inverse of each step, so it goes from subject to object over the inverted steps
    (``_forward_predicates(path, True)``); from its end, over the plain ones (``False``)."""
    if isinstance(path, URIRef):
        return () if inverted else (to_oxigraph(path),)
    if isinstance(path, InvPath):
        return _forward_predicates(path.arg, not inverted)
    if isinstance(path, SequencePath | AlternativePath):
        return tuple(x for a in path.args for x in _forward_predicates(a, inverted))
    if isinstance(path, MulPath):
        return _forward_predicates(path.path, inverted)
    return ()


def _certain(node) -> set:
    """Variables bound in every solution of an algebra expression."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return {x for t in node.triples for x in t if isinstance(x, Variable)}
    if name == "Join":
        return _certain(node.p1) | _certain(node.p2)
    if name in {"LeftJoin", "Minus"}:
        return _certain(node.p1)
    if name == "Union":
        return _certain(node.p1) & _certain(node.p2)
    if name in {"Filter", "Extend", "Project", "Distinct", "Reduced", "OrderBy", "SelectQuery"}:
        return _certain(node.p)
    return set()


def _path_positions(s, path, o) -> list[Position]:
    """Where the subject of a triple matched by ``s path o`` can be."""
    if isinstance(path, URIRef):
        return [Position(s, predicates=(to_oxigraph(path),))]
    if isinstance(path, Variable):
        return [Position(s)]
    if isinstance(path, InvPath):
        return _path_positions(o, path.arg, s)
    if isinstance(path, AlternativePath):
        return [p for a in path.args for p in _path_positions(s, a, o)]
    # sequence, repetition, negation: nodes in between are read as well
    preds = _path_predicates(path)
    steps = None if preds is None else tuple(to_oxigraph(x) for x in preds)
    return [Position(s, path, True, steps), Position(o, path, False, steps)]


@lru_cache(maxsize=256)
def plan(query: str) -> QueryPlan:
    """How a constraint's query can be run (see QueryPlan)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:  # noqa: BLE001 - rdflib's parser refuses what Oxigraph accepts: no plan
        return QueryPlan(None, False, False, (), True, ((None, None, None),))
    triples: list = []
    flags: dict = {}
    _walk(algebra, False, triples, flags)
    body = _body_offset(query)
    batch = body is not None and not flags.get("unsafe")
    whole = batch and THIS in _certain(algebra)
    outer = {x for (t, exists, _h) in triples if not exists for x in t
             if isinstance(x, Variable)}
    positions: list[Position] = []
    patterns: list[tuple] = []
    opaque = False
    for (s, p, o), _exists, held in triples:
        for pos in _path_positions(s, p, o):
            if isinstance(pos.term, Variable) and pos.term != THIS and pos.term not in outer:
                moved = _anchored(pos, held, outer)
                if moved is None:
                    opaque = True
                else:
                    pos = moved
            elif isinstance(pos.term, Variable) and pos.path is not None:
                pos = Position(pos.term, pos.path, pos.forward, pos.predicates,
                               _forward_predicates(pos.path, pos.forward))
            positions.append(pos)
        patterns.extend(_patterns(s, p, o))
    return QueryPlan(body, batch, whole, tuple(dict.fromkeys(positions)), opaque,
                     tuple(dict.fromkeys(patterns)))


def _const(term) -> ox.NamedNode | ox.Literal | None:
    return to_oxigraph(term) if isinstance(term, URIRef | Literal) else None


def _patterns(s, p, o) -> list[tuple]:
    """The quad patterns (None: any) a triple pattern or path can match."""
    if isinstance(p, URIRef):
        return [(_const(s), to_oxigraph(p), _const(o))]
    if isinstance(p, Variable):
        return [(_const(s), None, _const(o))]
    steps = _path_predicates(p)
    if steps is None:
        return [(None, None, None)]
    return [(None, to_oxigraph(x), None) for x in steps]


def _path_predicates(path) -> list | None:
    if isinstance(path, URIRef):
        return [path]
    if isinstance(path, InvPath):
        return _path_predicates(path.arg)
    if hasattr(path, "args"):  # sequence, alternative
        parts = [_path_predicates(a) for a in path.args]
        return None if None in parts else [x for part in parts if part is not None for x in part]
    if hasattr(path, "path"):  # repetition
        return _path_predicates(path.path)
    return None  # negated property set: any predicate


def dataset(db: ox.Store, c: SparqlConstraint, graphs: list, others: list) -> Dataset:
    """The dataset to run ``c`` on: the union of the ``graphs``. Oxigraph answers far faster
    over the union of all graphs (one index lookup per pattern, not one per graph), so that is
    used when none of the ``others`` (the graphs left out) holds a triple the query could
    match, which makes it the same. A store that is not Oxigraph's (a remote write's overlay,
    whose every read is a request) gets the graphs named: the same answer, without asking each
    of the others first."""
    if not isinstance(db, ox.Store):
        return {"default_graph": graphs, "named_graphs": []}
    for s, p, o in plan(c.query).patterns:
        for g in others:
            if next(iter(db.quads_for_pattern(s, p, o, g)), None) is not None:
                return {"default_graph": graphs, "named_graphs": []}
    return {"use_default_graph_as_union": True, "named_graphs": []}


def _body_offset(query: str) -> int | None:
    """Offset just after the ``{`` that opens the outermost WHERE group (None if unsure)."""
    if "\\u" in query or "\\U" in query:
        return None  # the lexer expands escapes; offsets would not match
    seen_select = False
    for m in TOKEN.finditer(query):
        kind, text = m.lastgroup, m.group()
        if kind == "word" and text.upper() == "SELECT":
            seen_select = True
        elif kind == "word" and text.upper() == "EXISTS" and seen_select:
            return None  # EXISTS in the projection: the first "{" is not the WHERE group
        elif seen_select and kind == "other" and text == "{":
            return m.end()
    return None


def _term(node: ox.NamedNode | ox.Literal) -> str:
    return str(node)


def _with_values(query: str, body: int, var: str, nodes: list) -> str:
    values = " ".join(_term(n) for n in nodes)
    return f"{query[:body]} VALUES ?{var} {{ {values} }} {query[body:]}"


Dataset = dict  # keyword arguments of pyoxigraph's Store.query naming the data graphs


def run(db: ox.Store, c: SparqlConstraint, focus: Iterable, dataset: Dataset,
        results: Results) -> None:
    """Add ``c``'s results for the focus nodes (pyoxigraph terms) to ``results``."""
    p = plan(c.query)
    focus = list(focus)
    named = [f for f in focus if isinstance(f, ox.NamedNode)] if p.batch else []
    rest = [f for f in focus if not isinstance(f, ox.NamedNode)] if p.batch else focus
    for i in range(0, len(named), BATCH):
        assert p.body is not None  # p.batch: there is a WHERE group to put VALUES in
        chunk = named[i:i + BATCH]
        for binding in _bindings(db.query(_with_values(c.query, p.body, "this", chunk),
                                          **dataset)):
            results.add(c, binding["this"], binding)
    this = ox.Variable("this")
    for f in rest:
        for binding in _bindings(db.query(c.query, substitutions={this: f}, **dataset)):
            results.add(c, to_rdflib(f), binding)


def run_all(db: ox.Store, c: SparqlConstraint, targets: set, dataset: Dataset,
            results: Results) -> None:
    """Add ``c``'s results for every node of ``targets`` (all the shape's targets): one query
    without ``$this`` bound when the plan allows it, else as ``run``."""
    if not plan(c.query).whole:
        run(db, c, targets, dataset, results)
        return
    for binding in _bindings(db.query(c.query, **dataset)):
        focus = binding.get("this")
        if focus is not None and to_oxigraph(focus) in targets:
            results.add(c, focus, binding)


def dependents(
    db: ox.Store,
    c: SparqlConstraint,
    changed: set | dict,
    dataset: Dataset,
    reach: Callable[[Path | URIRef, set, bool], set | None],
    targets: Callable[[], int] | None = None,
    objects: dict | None = None,
) -> set | None:
    """Focus nodes (pyoxigraph terms) whose results for ``c`` may differ after a change; None
    when that cannot be narrowed (every target may). ``changed``: the subjects of the changed
    triples by predicate, or a set of nodes any of whose triples may have changed; ``objects``,
    with the former: the objects (not literals) of the changed triples by predicate.

    A triple that a solution for focus F matches has its subject bound to a variable (or
    ``$this``, or a constant) of the query; if the triple changed, its subject is among the
    changed nodes. So F is found by running the query with that variable bound to the subjects
    of changed triples with the predicate matched there. For a path with nodes in between, the
    nodes from which the path passes through a changed node stand in for them
    (``reach(path, nodes, forward)``), which runs in the store after the change: a triple the
    change deleted is not there to be followed, so the object of a deleted triple on a step
    followed from subject to object stands in for its subject (``Position.objects``). A variable
    of an EXISTS pattern alone was moved by ``plan`` to the variable it is tied to, the way
    between them made a path. A blank node cannot be written into the query: one that would
    have to be makes the answer None.

    ``targets``, the number of the shape's targets (asked only for a large change): when more
    nodes would be bound than the shape has targets, running the constraint for every target
    costs less than finding which depend on the change, so the answer is None.
    """
    p = plan(c.query)
    if p.opaque or not p.batch:
        return None
    assert p.body is not None  # p.batch: there is a WHERE group to put VALUES in
    out: set = set()
    by_var: dict[Variable, set] = {}
    counted: list[int] = []

    def too_many(n: int) -> bool:
        """More than a batch and than the shape has targets (counted once, if asked)."""
        if n <= BATCH or targets is None:
            return False
        if not counted:
            counted.append(targets())
        return n > counted[0]

    for pos in p.positions:
        if isinstance(changed, dict):
            keys = changed if pos.predicates is None else pos.predicates
            base = set().union(*(changed.get(k, ()) for k in keys))
            if objects and pos.objects:
                base |= set().union(*(objects.get(k, ()) for k in pos.objects))
        else:
            base = changed
        if not base:
            continue
        if too_many(len(base)):
            return None  # before following paths back from each of them
        nodes = base if pos.path is None else reach(pos.path, base, pos.forward)
        if nodes is None or isinstance(pos.term, BNode):
            return None  # a path that cannot be followed back, or an anonymous subject
        if pos.term == THIS:
            out |= nodes
        elif isinstance(pos.term, Variable):
            by_var.setdefault(pos.term, set()).update(nodes)
        elif to_oxigraph(pos.term) in nodes:
            return None  # a constant subject changed: any focus node may be affected
    if too_many(sum(len(nodes) for nodes in by_var.values())):
        return None
    for var, nodes in by_var.items():
        bindable = [n for n in nodes if isinstance(n, ox.NamedNode | ox.Literal)]
        if len(bindable) < len(nodes):
            return None
        for i in range(0, len(bindable), BATCH):
            q = _with_values(c.query, p.body, str(var), bindable[i:i + BATCH])
            for sol in db.query(q, **dataset):  # type: ignore[union-attr]  # a SELECT
                if sol["this"] is not None:
                    out.add(sol["this"])
    return out
