"""The build: parse -> infer (OWL-RL) -> validate (SHACL) -> commit, all or nothing.

Nothing touches the store until every file has parsed and the closed graph conforms; the commit
itself is the store's atomic ``replace_all``. A failed build therefore leaves the previous graph
exactly as it was.

The data files are parsed by pyoxigraph straight into a private in-memory Oxigraph store, one
named graph per file, and stay there: the rules engine reads them from it, its entailments are
written next to them (the inferred graph), SHACL validates them in place
(``stdgraph.validation.scoped.validate_in_store``) and the commit copies them out (as pyoxigraph
quads when the store takes them: no term conversion). No rdflib graph of the data is ever built,
which is what made a build of 100k standards take hours; only the ontology (small) is kept as
rdflib graphs, for the rules engine and pyshacl.

**What a rebuild keeps.** The build owns the project's graphs (its files', and any other graph
under ``graph/ontology/`` or ``graph/data/``: a removed file's), the inferred graph and the build
record. Every other graph stays, treated as the rest of stdgraph treats it
(``rdf.graphs.is_asserted`` / ``is_shacl_data``): ``stdgraph import`` graphs (``graph/import/...``)
are copied as they are, outside the closure and validation; any other graph — above all those
``stdgraph load`` wrote, which stay kept even under the project's folders since the meta graph
records them — is copied into the work store, so it is closed and validated with the project's
data, and its record in the meta graph is carried over.
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD
from rdflib.term import Node

from stdgraph import __version__
from stdgraph.errors import StoreError, UsageError, ValidationFailed
from stdgraph.project import RDF_SUFFIXES, Project, parse_file
from stdgraph.rdf.graphs import PROJECT_GRAPH_PREFIXES, is_shacl_data
from stdgraph.rdf.io import (
    OxTerm,
    blank_node_scope,
    graph_to_quads,
    parse_quads,
    to_oxigraph,
    to_rdflib,
)
from stdgraph.rdf.namespaces import (
    AS_WRITTEN_PREFIXES,
    GRAPH_BASE,
    INFERRED_GRAPH,
    META_GRAPH,
)
from stdgraph.rdf.results import Triple
from stdgraph.reasoning.infer import infer
from stdgraph.reasoning.rules import Reasoner, UnsupportedConstruct
from stdgraph.store.base import Store
from stdgraph.validation.report import ValidationReport
from stdgraph.validation.scoped import validate_in_store

Progress = Callable[[str], None]
#: quads written to the work store at a time
CHUNK = 100_000

_T = TypeVar("_T")


def _union(*groups: Iterable[Graph]) -> Graph:
    """One rdflib graph holding the triples of every graph in ``groups``."""
    g = Graph()
    for group in groups:
        for part in group:
            for t in part:
                g.add(t)
    return g


@dataclass
class LoadedProject:
    """Every source file parsed into its own rdflib graph (for tests and tools; the build
    itself parses into a store, see ``Workspace``)."""

    project: Project
    ontology: dict[str, Graph] = field(default_factory=dict)  # graph IRI -> triples
    data: dict[str, Graph] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # graph IRI -> relative path
    shapes: Graph = field(default_factory=Graph)

    def union(self, include_ontology: bool = True) -> Graph:
        return _union([*self.ontology.values()] if include_ontology else [],
                      self.data.values())

    def ontology_graph(self) -> Graph:
        return _union(self.ontology.values())


@dataclass
class BuildResult:
    graphs: dict[str, int]  # graph IRI -> triple count
    report: ValidationReport
    timings: dict[str, float]

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def load_project(project: Project, progress: Progress | None = None) -> LoadedProject:
    """Parse every ontology, data and shapes file into rdflib graphs; the first syntax error
    stops."""
    say = progress or (lambda _msg: None)
    loaded = LoadedProject(project)
    for kind, files in (("ontology", project.ontology_files), ("data", project.data_files)):
        for path in files:
            rel = project.relative(path)
            iri = project.graph_iri(path)
            getattr(loaded, kind)[iri] = parse_file(path, rel)
            loaded.files[iri] = rel
        say(f"parsed {len(files)} {kind} file(s)")
    loaded.shapes = project.shapes()
    return loaded


class _Terms:
    """pyoxigraph -> rdflib terms, each distinct term converted once."""

    def __init__(self) -> None:
        self._cache: dict[OxTerm, Node] = {}

    def __call__(self, term: OxTerm) -> Node:
        out = self._cache.get(term)
        if out is None:
            out = self._cache[term] = to_rdflib(term)
        return out

    def triples(self, quads: Iterable[ox.Quad]) -> Iterator[Triple]:
        rd = self.__call__
        for q in quads:
            yield rd(q.subject), rd(q.predicate), rd(q.object)


class Workspace:
    """A project's files parsed for a build: data graphs (and later the inferred graph) in a
    private in-memory Oxigraph store, the ontology and shapes as rdflib graphs."""

    def __init__(self) -> None:
        self.db = ox.Store()
        self.ontology: dict[str, Graph] = {}
        self.files: dict[str, str] = {}  # graph IRI -> file, for results and the build record
        self.data: list[str] = []  # data graph IRIs, in file order
        self.kept: list[str] = []  # graphs of the store the build keeps and closes (see above)
        self.shapes = Graph()
        self.terms = _Terms()

    def add_ontology(self, path: Path, iri: str, label: str) -> None:
        self.ontology[iri] = parse_file(path, label)
        self.files[iri] = label

    def add_data(self, path: Path, iri: str, label: str) -> None:
        """Parse a data file into its named graph; blank nodes are renamed apart per file
        (as ``rdf.io.parse_graph`` does)."""
        if path.suffix not in RDF_SUFFIXES:
            raise UsageError(f"{path}: unknown RDF file type {path.suffix!r}")
        graph = ox.NamedNode(iri)
        prefix = blank_node_scope(label)

        def renamed(term: OxTerm) -> OxTerm:
            return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term

        batch: list[ox.Quad] = []
        for q in parse_quads(path=path, fmt=RDF_SUFFIXES[path.suffix], label=label):
            s, o = q.subject, q.object
            if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
                s, o = renamed(s), renamed(o)  # type: ignore[assignment]  # s stays a subject
            batch.append(ox.Quad(s, q.predicate, o, graph))
            if len(batch) >= CHUNK:
                self.db.extend(batch)
                batch.clear()
        self.db.extend(batch)
        self.files[iri] = label
        self.data.append(iri)

    def add_kept(self, iri: str, quads: Iterable[ox.Quad]) -> None:
        """A graph of the store the build does not own but closes and validates with the data
        (one ``stdgraph load`` wrote): copied as it is, blank nodes included."""
        it = graph_to_quads(quads, iri)
        while chunk := list(itertools.islice(it, CHUNK)):
            self.db.extend(chunk)
        self.files[iri] = iri  # a report names the graph as the source
        self.kept.append(iri)

    def ontology_graph(self) -> Graph:
        return _union(self.ontology.values())

    def infer(self) -> int:
        """Run the rules engine over ontology + data; write its entailments into the inferred
        graph of the work store. Returns how many there are."""
        def asserted() -> Iterator[Triple]:
            for part in self.ontology.values():
                yield from part
            yield from self.terms.triples(self.db.quads_for_pattern(None, None, None, None))

        try:
            inferred: Iterable[Triple] = Reasoner(asserted()).inferred()
        except UnsupportedConstruct as e:
            warnings.warn(f"{e.message}; falling back to owlrl", RuntimeWarning, stacklevel=2)
            g = Graph()
            for t in asserted():
                g.add(t)
            inferred = infer(g, engine="owlrl")
        graph = ox.NamedNode(INFERRED_GRAPH)
        n = 0
        batch: list[ox.Quad] = []
        for s, p, o in inferred:
            # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
            batch.append(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))  # type: ignore[arg-type]
            n += 1
            if len(batch) >= CHUNK:
                self.db.extend(batch)
                batch.clear()
        self.db.extend(batch)
        return n

    def validate(self) -> ValidationReport:
        """Every data graph (kept ones included, as ``rdf.graphs.is_shacl_data`` says) plus the
        inferred graph, with the ontology, against the shapes."""
        # _Sources has the one method of a Mapping the report uses (``get``)
        return validate_in_store(self.db, self.shapes, self.ontology_graph(), None,
                                 data_graph=is_shacl_data, sources=_Sources(self))  # type: ignore[arg-type]

    def triples(self, iri: str, counts: dict[str, int]) -> Iterator[Triple]:
        """A graph of the work store as rdflib triples, counted into ``counts``."""
        quads = self.db.quads_for_pattern(None, None, None, ox.NamedNode(iri))
        return _counted(self.terms.triples(quads), iri, counts)

    def quads(self, iri: str, counts: dict[str, int]) -> Iterator[ox.Quad]:
        """A graph of the work store as its pyoxigraph quads, counted into ``counts``."""
        return _counted(self.db.quads_for_pattern(None, None, None, ox.NamedNode(iri)), iri,
                        counts)


def _counted(items: Iterable[_T], iri: str, counts: dict[str, int]) -> Iterator[_T]:
    """``items`` passed on; once they are all read, ``counts[iri]`` says how many."""
    n = 0
    for item in items:
        n += 1
        yield item
    counts[iri] = n


class _Sources:
    """Which files describe a node (``sources.get(node)``), looked up only for the nodes a
    report names."""

    def __init__(self, work: Workspace) -> None:
        self.work = work

    def get(self, node: Node, default: Iterable[str] = ()) -> set[str]:
        if node is None or isinstance(node, Literal):
            return set(default)
        # the work store holds named graphs only; node is no Literal (checked above)
        out = {self.work.files[q.graph_name.value]  # type: ignore[union-attr]
               for q in self.work.db.quads_for_pattern(to_oxigraph(node), None, None, None)  # type: ignore[arg-type]
               if q.graph_name.value in self.work.files}  # type: ignore[union-attr]
        out |= {self.work.files[iri] for iri, g in self.work.ontology.items()
                if (node, None, None) in g}
        return out or set(default)


def parse_project(project: Project, progress: Progress | None = None) -> Workspace:
    """Parse the project's ontology, data and shapes; the first syntax error stops."""
    say = progress or (lambda _msg: None)
    work = Workspace()
    for path in project.ontology_files:
        work.add_ontology(path, project.graph_iri(path), project.relative(path))
    say(f"parsed {len(project.ontology_files)} ontology file(s)")
    for path in project.data_files:
        work.add_data(path, project.graph_iri(path), project.relative(path))
    say(f"parsed {len(project.data_files)} data file(s)")
    work.shapes = project.shapes()
    return work


def close_and_validate(work: Workspace, progress: Progress | None = None
                       ) -> tuple[ValidationReport, dict[str, float]]:
    """Infer over ontology + data, then validate data + inferred against the shapes."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    n = work.infer()
    timings["infer"] = time.perf_counter() - t0
    say(f"inferred {n} triple(s) in {timings['infer']:.1f}s")

    t0 = time.perf_counter()
    report = work.validate()
    timings["validate"] = time.perf_counter() - t0
    say(f"validated in {timings['validate']:.1f}s: {len(report.violations)} violation(s), "
        f"{len(report.warnings)} warning(s)")
    return report, timings


@dataclass
class KeptGraphs:
    """The graphs of the store a rebuild keeps (see the module docstring)."""

    imported: list[str]  # copied as they are
    asserted: list[str]  # closed and validated with the project's data
    meta: list[Triple]  # their records in the meta graph
    version: Any  # ``store.version()`` when they were read


def kept_graphs(project: Project, store: Store) -> KeptGraphs:
    """Which graphs of ``store`` a rebuild of ``project`` keeps, and their meta records."""
    version = store.version()
    names = store.graph_names()
    meta = list(store.triples(META_GRAPH)) if META_GRAPH in names else []
    # ``change.load`` records each graph it loaded: <graph> prov:generatedAtTime <time>
    loaded = {str(s) for s, p, _o in meta if p == PROV.generatedAtTime}
    owned = {INFERRED_GRAPH, META_GRAPH}
    owned |= {project.graph_iri(p) for p in [*project.ontology_files, *project.data_files]}
    imported: list[str]
    asserted: list[str]
    imported, asserted = [], []
    for name in names:
        if name in owned or (name.startswith(PROJECT_GRAPH_PREFIXES) and name not in loaded):
            continue
        (imported if name.startswith(AS_WRITTEN_PREFIXES) else asserted).append(name)
    keep = {URIRef(n) for n in imported + asserted}
    return KeptGraphs(imported, asserted, [t for t in meta if t[0] in keep], version)


def build_record(graph_files: dict[str, str]) -> Graph:
    """A small PROV record of this build in the meta graph."""
    g = Graph()
    activity = URIRef(GRAPH_BASE + "build")
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.endedAtTime,
           Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, Literal(f"stdgraph {__version__}")))
    for iri, rel in graph_files.items():
        g.add((URIRef(iri), PROV.wasGeneratedBy, activity))
        g.add((URIRef(iri), PROV.wasDerivedFrom, Literal(rel)))
    g.add((URIRef(INFERRED_GRAPH), PROV.wasGeneratedBy, activity))
    return g


def build(project: Project, store: Store, progress: Progress | None = None) -> BuildResult:
    """Parse, infer, validate and commit; raises ValidationFailed (store untouched) on a
    sh:Violation and RDFSyntaxError on an unparsable file."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    work = parse_project(project, say)
    kept = kept_graphs(project, store)
    for iri in kept.asserted:
        work.add_kept(iri, store.quads(iri))
    if kept.asserted or kept.imported:
        say(f"kept {len(kept.asserted) + len(kept.imported)} graph(s) the build does not own")
    timings["parse"] = time.perf_counter() - t0

    report, more = close_and_validate(work, say)
    timings.update(more)
    if not report.conforms:
        raise ValidationFailed(report)

    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    files = {iri: work.files[iri] for iri in [*work.ontology, *work.data]}
    # the embedded store takes the work store's quads as they are; the others rdflib triples
    out = work.quads if store.takes_oxigraph else work.triples
    graphs: dict[str, Iterable[Any]] = {**work.ontology}  # rdflib triples or pyoxigraph quads
    for iri in [*work.data, *work.kept, INFERRED_GRAPH]:
        graphs[iri] = out(iri, counts)
    record = build_record(files)
    for t in kept.meta:
        record.add(t)
    graphs[META_GRAPH] = record
    for name in kept.imported:
        graphs[name] = _counted(store.quads(name) if store.takes_oxigraph
                                else list(store.triples(name)), name, counts)
    if kept.version is not None and store.version() != kept.version:
        raise StoreError("the store changed while the build ran (a load, import or write "
                         "committed); nothing was changed: run the build again")
    store.replace_all(graphs)
    for iri, triples in graphs.items():
        if iri not in counts:
            counts[iri] = len(triples)  # type: ignore[arg-type]
    timings["load"] = time.perf_counter() - t0
    say(f"loaded {sum(counts.values())} triple(s) into {len(graphs)} graph(s) "
        f"in {timings['load']:.1f}s")
    return BuildResult(counts, report, timings)


def validate_files(
    project: Project, paths: list[Path], progress: Progress | None = None
) -> ValidationReport:
    """Validate standalone files against the project's shapes, with its ontology and OWL-RL
    inference, without touching any store."""
    work = Workspace()
    for path in project.ontology_files:
        work.add_ontology(path, project.graph_iri(path), project.relative(path))
    work.shapes = project.shapes()
    for path in paths:
        work.add_data(path, "urn:stdgraph:file:" + str(path), str(path))
    report, _t = close_and_validate(work, progress)
    return report
