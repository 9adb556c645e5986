"""SHACL-SPARQL constraints evaluated by Oxigraph instead of rdflib.

pyshacl runs every ``sh:sparql`` constraint once per focus node through rdflib's SPARQL engine,
which is most of a build's validation time. Here the same constraints run in an in-memory
Oxigraph store, with ``$this`` pre-bound to each focus node through pyoxigraph's
``substitutions`` (RDF-dev SEP-0007, the semantics SHACL's pre-binding is defined by). Node
shapes only; constraints that use ``$shapesGraph``, ``$currentShape`` or ``$PATH`` stay with
pyshacl. ``tests/test_validation.py`` checks that the verdicts equal pyshacl's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .namespaces import SH
from .rdfio import to_oxigraph, to_rdflib

_UNSUPPORTED = ("$shapesGraph", "$currentShape", "$PATH", "?shapesGraph", "?currentShape")
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")
# pyoxigraph substitutes only projected variables: take constraints that project $this.
_PROJECTS_THIS = re.compile(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?:\*|[^{]*?[?$]this\b)",
                            re.IGNORECASE)


@dataclass(frozen=True)
class SparqlConstraint:
    shape: Node
    constraint: Node
    query: str
    messages: tuple[Literal, ...]
    severity: URIRef


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
        messages = tuple(shapes.objects(constraint, SH.message)) or tuple(
            shapes.objects(shape, SH.message))
        taken.append(SparqlConstraint(
            shape=shape, constraint=constraint,
            query=_prefix_block(shapes, constraint) + str(select),
            messages=messages,
            severity=shapes.value(shape, SH.severity) or SH.Violation,
        ))
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
        for sol in store.query(
            "SELECT DISTINCT ?x ?c WHERE { ?x <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }",
            substitutions={ox.Variable("c"): to_oxigraph(cls)},
        ):
            focus.add(sol["x"])
    for node in shapes.objects(shape, SH.targetNode):
        focus.add(to_oxigraph(node))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        focus.update(q.subject for q in store.quads_for_pattern(None, to_oxigraph(p), None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        focus.update(q.object for q in store.quads_for_pattern(None, to_oxigraph(p), None))
    return focus


def _fill(template: Literal, binding: dict[str, Node]) -> Literal:
    def sub(m: re.Match) -> str:
        t = binding.get(m.group(1))
        return "" if t is None else str(t)

    return Literal(_PLACEHOLDER.sub(sub, str(template)), lang=template.language)


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
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in data)
    report_node = report.value(None, RDF.type, SH.ValidationReport)
    this = ox.Variable("this")
    added = 0
    focus_cache: dict[Node, set] = {}
    for c in constraints:
        if c.shape not in focus_cache:
            focus_cache[c.shape] = _focus_nodes(store, shapes, c.shape)
        for focus in focus_cache[c.shape]:
            focus_rdflib = to_rdflib(focus)
            if focus_filter is not None and focus_rdflib not in focus_filter:
                continue
            solutions = store.query(c.query, substitutions={this: focus})
            variables = [v.value for v in solutions.variables]
            seen = set()
            for sol in solutions:
                binding = {v: to_rdflib(sol[v]) for v in variables if sol[v] is not None}
                binding.setdefault("this", focus_rdflib)
                key = (binding.get("path"), binding.get("value"))
                if key in seen:  # one result per (focus, path, value), as pyshacl reports
                    continue
                seen.add(key)
                r = BNode()
                report.add((r, RDF.type, SH.ValidationResult))
                report.add((r, SH.focusNode, focus_rdflib))
                report.add((r, SH.resultSeverity, c.severity))
                report.add((r, SH.sourceShape, c.shape))
                report.add((r, SH.sourceConstraint, c.constraint))
                report.add((r, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
                if "path" in binding:
                    report.add((r, SH.resultPath, binding["path"]))
                # sh:value: ?value if bound, else the focus node (as pyshacl reports it)
                report.add((r, SH.value, binding.get("value", focus_rdflib)))
                if "message" in binding:
                    report.add((r, SH.resultMessage, binding["message"]))
                else:
                    for m in c.messages:
                        report.add((r, SH.resultMessage, _fill(m, binding)))
                if report_node is not None:
                    report.add((report_node, SH.result, r))
                added += 1
    return added
