"""SHACL validation with pyshacl, returning one result type.

The report is RDF first (the ``sh:ValidationReport`` graph, for machines) and text second (one
line per result, for people), as pySHACL itself does.

``run_validation(data, shapes, ...)`` validates an rdflib graph: pyshacl for the core
constraints, Oxigraph for the SHACL-SPARQL ones (``stdgraph.validation.shacl_sparql``). It is the
reference: ``stdgraph.validation.scoped.validate_in_store`` validates the data graphs of a
pyoxigraph store in place and gives the same results.

One thing pyshacl does is mirrored on purpose, since the results must be pyshacl's: it mixes in
only the RDFS/OWL axioms of ``ont_graph``, not the whole ontology (``ontology_as_mixed``).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from itertools import chain
from typing import Any

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from stdgraph.rdf.namespaces import PREFIXES, SH
from stdgraph.validation.shacl_sparql import evaluate, split_shapes


@dataclass(frozen=True)
class ValidationResult:
    severity: str  # "Violation", "Warning" or "Info"
    focus: str
    path: str | None
    message: str
    shape: str | None
    value: str | None
    sources: tuple[str, ...] = ()

    def line(self) -> str:
        """One line a person can act on: severity, focus, path, message, shape, source file."""
        parts = [f"{self.severity}: {self.focus}"]
        if self.path:
            parts.append(f"path {self.path}")
        parts.append(self.message)
        if self.value:
            parts.append(f"value {self.value}")
        if self.shape:
            parts.append(f"shape {self.shape}")
        if self.sources:
            parts.append(f"in {', '.join(self.sources)}")
        return " | ".join(parts)


@dataclass
class ValidationReport:
    results: list[ValidationResult]
    graph: Graph = field(repr=False)
    #: the nodes validated when validation was focused (``validation.scoped.validate_in_store``:
    #: the given nodes and those whose results depend on them); None for a full validation
    focus_nodes: list[Node] | None = None

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        """No sh:Violation (warnings and infos do not fail a build)."""
        return not self.violations

    def text(self) -> str:
        lines = [r.line() for r in self.results]
        summary = (f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
                   if self.results else "conforms")
        return "\n".join([*lines, summary])

    def as_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "violations": len(self.violations),
             "warnings": len(self.warnings), "results": [asdict(r) for r in self.results]},
            indent=2,
        )

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def compact(term: Node | None) -> str | None:
    """A prefixed name where a known prefix fits, else the N-Triples form."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in PREFIXES.items():
            if s.startswith(ns) and len(s) > len(ns):
                local = s[len(ns):]
                if all(c.isalnum() or c in "-_." for c in local):
                    return f"{prefix}:{local}"
        return f"<{s}>"
    if isinstance(term, Literal):
        return term.n3()
    return "_:" + str(term)


def _severity(term: Node | None) -> str:
    return str(term).rsplit("#", 1)[-1] if term is not None else "Violation"


def _path_text(g: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = g.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + (compact(inverse) or "")
        return "(complex path)"
    return compact(path)


def _named_shape(shapes: Graph, shape: Node | None) -> Node | None:
    """For a blank property shape, the node shape that holds it."""
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape)
        if parent is not None:
            return parent
    return shape


Sources = Mapping[Node, Iterable[str]]


def run_validation(
    data: Graph,
    shapes: Graph,
    *,
    ontology: Graph | None = None,
    sources: Sources | None = None,
    focus_nodes: list[Node] | None = None,
    sparql_engine: str = "oxigraph",
) -> ValidationReport:
    """Validate ``data`` (already closed under inference) against ``shapes``.

    ``sources`` maps a subject to the files that describe it, so each result names the file to
    fix. ``focus_nodes`` restricts validation to those nodes (used after small writes).
    ``sparql_engine="oxigraph"`` evaluates SHACL-SPARQL constraints of node shapes in Oxigraph
    (stdgraph.validation.shacl_sparql); ``"pyshacl"`` leaves everything to pyshacl (the reference).
    """
    kwargs: dict[str, Any] = {}
    if focus_nodes is not None:
        kwargs["focus_nodes"] = focus_nodes
    core_shapes, constraints = (split_shapes(shapes) if sparql_engine == "oxigraph"
                                else (shapes, []))
    _conforms, report_graph, _text = pyshacl_validate(
        data,
        shacl_graph=core_shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        **kwargs,
    )
    if constraints:
        everything = chain(data, ontology_as_mixed(ontology))
        evaluate(everything, shapes, constraints, report_graph,
                 set(focus_nodes) if focus_nodes is not None else None)
    return to_report(report_graph, shapes, sources)


_MIXED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def ontology_as_mixed(ontology: Graph | None) -> Graph:
    """What pyshacl adds to the data graph for ``ont_graph``: not the whole ontology but its
    RDFS/OWL axioms ("inoculation": the class and property declarations, rdfs:label, domain,
    range, sub-class and sub-property triples, OWL axioms, owl:NamedIndividual resources in
    full), unless PYSHACL_USE_FULL_MIXIN is set. Kept per ontology graph and size."""
    if ontology is None or len(ontology) == 0:
        return Graph()
    cached = _MIXED.get(ontology)
    if cached is not None and cached[0] == len(ontology):
        return cached[1]
    from pyshacl.rdfutil.inoculate import inoculate
    from pyshacl.validator import USE_FULL_MIXIN

    mixed = Graph()
    if USE_FULL_MIXIN:
        mixed += ontology
    else:
        inoculate(mixed, ontology)  # type: ignore[arg-type]  # typed DataGraph; any Graph does
    _MIXED[ontology] = (len(ontology), mixed)
    return mixed


def to_report(report_graph: Graph, shapes: Graph, sources: Sources | None) -> ValidationReport:
    """The results of a sh:ValidationReport graph, sorted, each naming its source files."""
    sources = sources or {}
    results = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(r, SH.focusNode)
        path = report_graph.value(r, SH.resultPath)
        shape = _named_shape(shapes, report_graph.value(r, SH.sourceShape))
        messages = sorted(str(m) for m in report_graph.objects(r, SH.resultMessage))
        value = report_graph.value(r, SH.value)
        results.append(ValidationResult(
            severity=_severity(report_graph.value(r, SH.resultSeverity)),
            focus=compact(focus) or "",
            path=_path_text(report_graph, path),
            message=messages[0] if messages else "(no message)",
            shape=compact(shape),
            value=compact(value),
            sources=tuple(sorted(sources.get(focus, ()) if focus is not None else ())),
        ))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda x: (order.get(x.severity, 3), x.focus, x.path or "", x.message))
    report = ValidationReport(results=results, graph=report_graph)
    # sh:conforms as pyshacl's allow_warnings reads it: false only when a violation exists.
    node = report_graph.value(None, RDF.type, SH.ValidationReport)
    if node is not None:
        report_graph.set((node, SH.conforms, Literal(report.conforms)))
    return report
