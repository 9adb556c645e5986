"""The build: parse -> infer (OWL-RL) -> validate (SHACL) -> commit, all or nothing.

Nothing touches the store until every file has parsed and the closed graph conforms; the commit
itself is the store's atomic ``replace_all``. A failed build therefore leaves the previous graph
exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from . import __version__
from .errors import ValidationFailed
from .inference import infer
from .namespaces import GRAPH_BASE, IMPORT_GRAPH_PREFIX, INFERRED_GRAPH, META_GRAPH
from .project import RDF_SUFFIXES, Project
from .rdfio import parse_graph
from .store.base import Store
from .validation import ValidationReport, run_validation

Progress = Callable[[str], None]


@dataclass
class LoadedProject:
    """Every source file parsed into its own graph."""

    project: Project
    ontology: dict[str, Graph] = field(default_factory=dict)  # graph IRI -> triples
    data: dict[str, Graph] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # graph IRI -> relative path
    shapes: Graph = field(default_factory=Graph)

    def union(self, include_ontology: bool = True) -> Graph:
        g = Graph()
        for part in ([*self.ontology.values()] if include_ontology else []) + [*self.data.values()]:
            for t in part:
                g.add(t)
        return g

    def ontology_graph(self) -> Graph:
        g = Graph()
        for part in self.ontology.values():
            for t in part:
                g.add(t)
        return g

    def subject_sources(self) -> dict[Node, set[str]]:
        """Which files describe each subject, so a SHACL result can name the file to fix."""
        out: dict[Node, set[str]] = {}
        for iri, g in {**self.ontology, **self.data}.items():
            for s in set(g.subjects()):
                out.setdefault(s, set()).add(self.files[iri])
        return out


@dataclass
class BuildResult:
    graphs: dict[str, int]  # graph IRI -> triple count
    report: ValidationReport
    timings: dict[str, float]

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def parse_file(path: Path, label: str) -> Graph:
    return parse_graph(path=path, fmt=RDF_SUFFIXES[path.suffix], label=label)


def load_project(project: Project, progress: Progress | None = None) -> LoadedProject:
    """Parse every ontology, data and shapes file; the first syntax error stops the build."""
    say = progress or (lambda _msg: None)
    loaded = LoadedProject(project)
    for kind, files in (("ontology", project.ontology_files), ("data", project.data_files)):
        for path in files:
            rel = project.relative(path)
            iri = project.graph_iri(path)
            getattr(loaded, kind)[iri] = parse_file(path, rel)
            loaded.files[iri] = rel
        say(f"parsed {len(files)} {kind} file(s)")
    for path in project.shape_files:
        for t in parse_file(path, project.relative(path)):
            loaded.shapes.add(t)
    return loaded


def close_and_validate(
    loaded: LoadedProject, progress: Progress | None = None
) -> tuple[Graph, ValidationReport, dict[str, float]]:
    """Infer over ontology + data, then validate data + inferred against the shapes."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    asserted = loaded.union()
    inferred = infer(asserted)
    timings["infer"] = time.perf_counter() - t0
    say(f"inferred {len(inferred)} triple(s) in {timings['infer']:.1f}s")

    t0 = time.perf_counter()
    data = loaded.union(include_ontology=False)
    for t in inferred:
        data.add(t)
    report = run_validation(
        data, loaded.shapes, ontology=loaded.ontology_graph(), sources=loaded.subject_sources()
    )
    timings["validate"] = time.perf_counter() - t0
    say(f"validated in {timings['validate']:.1f}s: {len(report.violations)} violation(s), "
        f"{len(report.warnings)} warning(s)")
    return inferred, report, timings


def build_record(loaded: LoadedProject, inferred: Graph) -> Graph:
    """A small PROV record of this build in the meta graph."""
    g = Graph()
    activity = URIRef(GRAPH_BASE + "build")
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.endedAtTime,
           Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, Literal(f"stdgraph {__version__}")))
    for iri in [*loaded.ontology, *loaded.data]:
        g.add((URIRef(iri), PROV.wasGeneratedBy, activity))
        g.add((URIRef(iri), PROV.wasDerivedFrom, Literal(loaded.files[iri])))
    g.add((URIRef(INFERRED_GRAPH), PROV.wasGeneratedBy, activity))
    return g


def build(project: Project, store: Store, progress: Progress | None = None) -> BuildResult:
    """Parse, infer, validate and commit; raises ValidationFailed (store untouched) on a
    sh:Violation and RDFSyntaxError on an unparsable file."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    loaded = load_project(project, say)
    timings["parse"] = time.perf_counter() - t0

    inferred, report, more = close_and_validate(loaded, say)
    timings.update(more)
    if not report.conforms:
        raise ValidationFailed(report)

    t0 = time.perf_counter()
    graphs: dict = {**loaded.ontology, **loaded.data, INFERRED_GRAPH: inferred,
                    META_GRAPH: build_record(loaded, inferred)}
    # Imported datasets (stdgraph import ...) are not the project's: a rebuild keeps them.
    for name in store.graph_names():
        if name.startswith(IMPORT_GRAPH_PREFIX):
            graphs[name] = list(store.triples(name))
    store.replace_all(graphs)
    timings["load"] = time.perf_counter() - t0
    say(f"loaded {sum(len(g) for g in graphs.values())} triple(s) into {len(graphs)} graph(s) "
        f"in {timings['load']:.1f}s")
    return BuildResult({k: len(v) for k, v in graphs.items()}, report, timings)


def validate_files(
    project: Project, paths: list[Path], progress: Progress | None = None
) -> ValidationReport:
    """Validate standalone files against the project's shapes, with its ontology and OWL-RL
    inference, without touching any store."""
    loaded = LoadedProject(project)
    for path in project.ontology_files:
        iri = project.graph_iri(path)
        loaded.ontology[iri] = parse_file(path, project.relative(path))
        loaded.files[iri] = project.relative(path)
    for path in project.shape_files:
        for t in parse_file(path, project.relative(path)):
            loaded.shapes.add(t)
    for path in paths:
        if path.suffix not in RDF_SUFFIXES:
            from .errors import UsageError

            raise UsageError(f"{path}: unknown RDF file type {path.suffix!r}")
        iri = "urn:stdgraph:file:" + str(path)
        loaded.data[iri] = parse_file(path, str(path))
        loaded.files[iri] = str(path)
    _inferred, report, _t = close_and_validate(loaded, progress)
    return report
