"""``stdgraph load``: stream RDF files into named graphs of the store, all of them or none.

The load works on a private copy of the store (``store.begin()``: for the embedded store a
RocksDB checkpoint of the current generation, opened as a new generation) and makes it the store
in one atomic step, so a syntax error in the last file, a SHACL violation or a killed process
leaves the store exactly as it was:

1. every file is checked up front (exists, known type, target graph allowed);
2. each target graph is emptied on the copy, then every file is parsed as a stream and written in
   chunks of ``CHUNK`` quads with ``bulk_extend`` (the first syntax error stops the load with the
   file, line and column); a file's triples all go to its target graph — graph names in N-Quads
   and TriG files are not kept, as ``stdgraph build`` does with project files;
3. the OWL 2 RL closure (``reasoning.rules.Reasoner``) is recomputed over the asserted graphs of
   the copy (everything but the inferred graph, the build record and ``graph/import/...``, as
   the build and the guarded writes do) and replaces the inferred graph;
4. unless ``validate=False``, the nodes the load touches — subjects and non-literal objects of
   the old and new content of the target graphs and of every inferred triple that changed — are
   validated in the store with the project's shapes (``validation.scoped.validate_in_store``); a
   ``sh:Violation`` throws the copy away (``ValidationFailed``);
5. a record of the load (source files, time) goes into the meta graph and the copy is committed.

**Target graph.** By default each file goes to ``https://w3id.org/stdgraph/graph/load/<stem>``
(the file name without its RDF and ``.gz`` suffixes, lower-cased, characters other than letters,
digits, ``.``, ``_`` and ``-`` replaced by ``-``); files with the same stem share one graph.
``graph=IRI`` puts every file into that graph. Loading replaces what the target graph held, so
loading the same file again gives the same graph (and a killed load can simply be re-run).

**Why chunks rather than ``Store.bulk_load``.** pyoxigraph's ``bulk_load(path=...)`` reads the
file as a stream but buffers about a million quads per thread before it writes: its peak memory
grows to about 1.3 GB for 1.7M triples. Feeding ``bulk_extend`` chunks of ``CHUNK`` quads from
``pyoxigraph.parse`` keeps the load itself at about 200 MB whatever the size, at a similar speed
(docs/performance.md, "Bulk load"). What still grows with the store is the closure: the rules
engine holds every asserted triple in memory, so the file's triples are handed to it as they
are parsed rather than read back from the store.
"""

from __future__ import annotations

import gzip
import itertools
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from stdgraph.change.guard import asserted_triples, focus_iris, transaction
from stdgraph.errors import UsageError, ValidationFailed
from stdgraph.project import RDF_SUFFIXES, Project
from stdgraph.rdf.graphs import is_shacl_data
from stdgraph.rdf.io import parse_quads, to_oxigraph, to_rdflib
from stdgraph.rdf.namespaces import (
    GRAPH_BASE,
    IMPORT_GRAPH_PREFIX,
    INFERRED_GRAPH,
    META_GRAPH,
    SUGGESTION_GRAPH_PREFIX,
)
from stdgraph.rdf.results import Triple
from stdgraph.reasoning.infer import infer
from stdgraph.reasoning.rules import Reasoner, UnsupportedConstruct
from stdgraph.sparql.terms import iri_ref
from stdgraph.store.base import Store
from stdgraph.validation.report import ValidationReport
from stdgraph.validation.scoped import validate_in_store

Progress = Callable[[str], None]

#: default target graphs: LOAD_GRAPH_BASE + file stem
LOAD_GRAPH_BASE = GRAPH_BASE + "load/"
#: quads written per bulk_extend call (bounds the memory of the load itself)
CHUNK = 200_000

_PROV = "http://www.w3.org/ns/prov#"
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_INFERRED = ox.NamedNode(INFERRED_GRAPH)
_META = ox.NamedNode(META_GRAPH)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class LoadResult:
    """What a committed load wrote."""

    graphs: dict[str, int]  # target graph -> triples it holds now
    files: dict[str, int]  # file -> triples read from it (before duplicates are merged)
    inferred: int  # triples in the inferred graph now
    inferred_before: int
    report: ValidationReport | None  # None: validation skipped
    validated_nodes: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def file_format(path: Path) -> tuple[str, bool]:
    """``(format name, gzipped)`` from the file name: ``.ttl``, ``.nt``, ``.nq``, ``.trig``,
    ``.rdf``/``.owl``, ``.jsonld``, each optionally followed by ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    fmt = RDF_SUFFIXES.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        known = ", ".join(sorted(RDF_SUFFIXES))
        raise UsageError(f"{path}: unknown RDF file type; use one of {known} (optionally .gz)")
    return fmt, gz


def default_graph(path: Path) -> str:
    """``graph/load/<stem>``: the file name without its RDF and .gz suffixes, as a slug."""
    name = path.name
    for _ in range(2):
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and ("." + suffix.lower() in RDF_SUFFIXES or suffix.lower() == "gz"):
            name = stem
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._").lower()
    return LOAD_GRAPH_BASE + (slug or "data")


def check_graph(iri: str) -> str:
    """An absolute IRI that is not computed by stdgraph nor owned by ``stdgraph import``."""
    try:
        iri_ref(iri)
    except ValueError:
        raise UsageError(f"--graph {iri!r}: not a valid IRI") from None
    if not _SCHEME.match(iri):
        raise UsageError(f"--graph {iri!r}: give an absolute IRI (e.g. {LOAD_GRAPH_BASE}name)")
    if iri in {INFERRED_GRAPH, META_GRAPH}:
        raise UsageError(f"--graph {iri}: that graph is computed by stdgraph; choose another")
    if iri.startswith(IMPORT_GRAPH_PREFIX):
        raise UsageError(f"--graph {iri}: graphs under {IMPORT_GRAPH_PREFIX} belong to "
                         "`stdgraph import`")
    if iri.startswith(SUGGESTION_GRAPH_PREFIX):
        raise UsageError(f"--graph {iri}: graphs under {SUGGESTION_GRAPH_PREFIX} belong to "
                         "`stdgraph suggest`")
    return iri


def plan(files: Iterable[Path], graph: str | None = None) -> dict[str, list[Path]]:
    """Target graph -> its files, in order; every file is checked before anything is read."""
    targets: dict[str, list[Path]] = {}
    if graph is not None:
        check_graph(graph)
    for path in files:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        file_format(path)
        targets.setdefault(graph or default_graph(path), []).append(path)
    if not targets:
        raise UsageError("give at least one file to load")
    return targets


def _quads(path: Path, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """The file's triples as quads of ``graph``, parsed as a stream (RDFSyntaxError with line
    and column on bad input). Blank-node labels are scoped to the document, so they are renamed
    apart from every other load's (pyoxigraph keeps ``_:b1`` as ``b1``)."""
    fmt, gz = file_format(path)
    scope = "l" + secrets.token_hex(8) + "_"
    blank = ox.BlankNode

    def renamed(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        for q in quads:
            s, o = q.subject, q.object
            if isinstance(s, blank):
                s = blank(scope + s.value)
            if isinstance(o, blank):
                o = blank(scope + o.value)
            yield ox.Quad(s, q.predicate, o, graph)

    try:
        if gz and fmt in {"jsonld", "rdfxml"}:  # checked whole before parsing (rdf.io)
            yield from renamed(parse_quads(gzip.decompress(path.read_bytes()), fmt=fmt,
                                           label=str(path)))
        elif gz:
            with gzip.open(path, "rb") as f:
                # pyoxigraph's parse reads a binary file too (parse_quads hands it on)
                yield from renamed(parse_quads(f, fmt=fmt, label=str(path)))  # type: ignore[arg-type]
        else:
            yield from renamed(parse_quads(path=path, fmt=fmt, label=str(path)))
    except (OSError, EOFError) as e:  # unreadable file, broken gzip stream
        raise UsageError(f"{path}: cannot read: {e}") from None


def chunks(quads: Iterable[ox.Quad], size: int = CHUNK) -> Iterator[list[ox.Quad]]:
    """Lists of at most ``size`` quads: each goes to the store in one ``bulk_extend``, so the
    memory of a load is bounded by the chunk, not by the file."""
    it = iter(quads)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def write_chunked(db: ox.Store, quads: Iterable[ox.Quad], size: int = CHUNK) -> None:
    for chunk in chunks(quads, size):
        db.bulk_extend(chunk)


def _count(db: ox.Store, graph: str) -> int:
    res = db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}")
    return int(next(iter(res))[0].value)  # type: ignore[arg-type]  # a SELECT: QuerySolutions


def _graph_triples(db: ox.Store, graph: ox.NamedNode) -> Iterator[Triple]:
    for q in db.quads_for_pattern(None, None, None, graph):
        yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)


def closure(db: ox.Store, asserted: Iterable[Triple],
            say: Progress) -> Iterator[Triple]:
    """The inferred triples of ``asserted`` (rules engine). A graph that uses a construct the
    rules do not implement falls back to owlrl over the asserted graphs of ``db`` (by then
    ``asserted`` has been read to its end, so ``db`` holds all of it)."""
    try:
        return Reasoner(asserted).inferred()
    except UnsupportedConstruct as e:
        say(f"{e.message}: falling back to owlrl (slow on big graphs)")
        graph = Graph()
        for t in asserted_triples(db):
            graph.add(t)
        return iter(infer(graph, engine="owlrl"))


# Up to this many changed triples are handed to validation, which then finds the nodes that
# depend on each of them; past it, every touched node counts as changed everywhere (a load that
# big touches most nodes anyway, and the list would cost memory).
CHANGES_KEPT = 100_000


class _Touched:
    """The nodes a load touches, and its changed triples while there are few enough."""

    def __init__(self) -> None:
        self.nodes: set[Node] = set()
        self.changes: list[Triple] | None = []

    def add(self, triples: Iterable[Triple]) -> None:
        for t in triples:
            s, _p, o = t
            self.nodes.add(s)
            if not isinstance(o, Literal):
                self.nodes.add(o)
            if self.changes is not None:
                self.changes.append(t)
                if len(self.changes) > CHANGES_KEPT:
                    self.changes = None


def _record(db: ox.Store, targets: dict[str, list[Path]]) -> None:
    """The meta graph says where each loaded graph came from and when."""
    now = ox.Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=_XSD_DATETIME)
    for iri, paths in targets.items():
        g = ox.NamedNode(iri)
        for q in list(db.quads_for_pattern(g, None, None, _META)):
            db.remove(q)
        db.add(ox.Quad(g, ox.NamedNode(_PROV + "generatedAtTime"), now, _META))
        for p in paths:
            db.add(ox.Quad(g, ox.NamedNode(_PROV + "wasDerivedFrom"),
                           ox.Literal(str(p.resolve())), _META))


def load(
    store: Store,
    files: Iterable[str | Path],
    *,
    graph: str | None = None,
    validate: bool = True,
    project: Project | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load ``files`` into the store, all or nothing (see the module docstring).

    Raises UsageError (bad arguments), RDFSyntaxError (a file does not parse) or ValidationFailed
    (a sh:Violation on a touched node); in each case the store is left unchanged. ``project``
    gives the shapes and ontology (default: the bundled graph); unused when ``validate=False``.
    """
    say = progress or (lambda _msg: None)
    targets = plan([Path(f) for f in files], graph)
    shapes = ontology = None
    if validate:
        project = project or Project.locate()
        shapes, ontology = project.shapes(), project.ontology()

    # the change protocol's begin and commit-or-rollback step (``change.guard.transaction``);
    # the steps in between are the load's own (module docstring, docs/architecture.md)
    with transaction(store, release=True) as txn:
        result = _apply(txn.db, targets, validate, shapes, ontology, say)
        t0 = time.perf_counter()
        txn.commit()
        result.timings["commit"] = time.perf_counter() - t0
    return result


def _apply(db: ox.Store, targets: dict[str, list[Path]], validate: bool, shapes: Graph | None,
           ontology: Graph | None, say: Progress) -> LoadResult:
    """Steps 2-5 of the module docstring, on the private copy ``db``."""
    timings: dict[str, float] = {}
    t_start = time.perf_counter()
    touched = _Touched()
    inferred_before = _count(db, INFERRED_GRAPH)
    old_inferred = set(_graph_triples(db, _INFERRED)) if validate else set()
    for iri in targets:
        g = ox.NamedNode(iri)
        if validate:
            touched.add(_graph_triples(db, g))
        db.remove_graph(g)
    read: dict[str, int] = {}

    def loaded() -> Iterator[Triple]:
        """Parse each file, write it in chunks, and hand its triples on to the reasoner (one
        pass over the input; the store is not read back)."""
        for iri, paths in targets.items():
            g = ox.NamedNode(iri)
            for path in paths:
                n = 0
                for chunk in chunks(_quads(path, g)):
                    db.bulk_extend(chunk)
                    n += len(chunk)
                    for q in chunk:
                        t = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                        if validate:
                            touched.add((t,))
                        yield t
                read[str(path)] = n
                say(f"read {n} triple(s) from {path} into <{iri}>")

    # the other asserted graphs first (read before the load writes), then the new triples
    inferred = closure(db, itertools.chain(asserted_triples(db), loaded()), say)
    db.remove_graph(_INFERRED)
    if validate:
        new_inferred = set(inferred)
        touched.add(new_inferred ^ old_inferred)
        inferred = iter(new_inferred)
        del old_inferred
    # rdflib types every position as Node; ox.Quad checks the kinds (TypeError)
    write_chunked(db, (ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), _INFERRED)  # type: ignore[arg-type]
                       for s, p, o in inferred))
    inferred_after = _count(db, INFERRED_GRAPH)
    timings["load+infer"] = time.perf_counter() - t_start
    say(f"inferred graph: {inferred_after} triple(s) (was {inferred_before})")

    report = None
    focus: list[URIRef] = []
    if validate:
        t0 = time.perf_counter()
        focus = sorted(focus_iris(touched.nodes, db), key=str)
        # touched let go of (its node set can be big); shapes are given whenever validate is
        changes, touched = touched.changes, None  # type: ignore[assignment]
        if focus:
            report = validate_in_store(db, shapes, ontology, focus, data_graph=is_shacl_data,  # type: ignore[arg-type]
                                       changes=changes)
        else:
            report = ValidationReport(results=[], graph=Graph())
        timings["validate"] = time.perf_counter() - t0
        say(f"validated {len(focus)} node(s) in {timings['validate']:.1f}s: "
            f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
        if not report.conforms:
            raise ValidationFailed(report)

    _record(db, targets)
    counts = {iri: _count(db, iri) for iri in targets}
    return LoadResult(counts, read, inferred_after, inferred_before, report, len(focus), timings)
