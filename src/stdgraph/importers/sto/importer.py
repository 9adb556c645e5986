"""Importing an STO file or upload into a store, and the STO importer of the registry."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict, Unpack

from rdflib import Graph

from stdgraph.change.guard import Change
from stdgraph.errors import UsageError
from stdgraph.importers.base import parse_options, write_import
from stdgraph.importers.sto.export import export_sto
from stdgraph.importers.sto.links import CuratedLinks, curated_links
from stdgraph.importers.sto.mapping import map_sto
from stdgraph.importers.sto.summary import StoImportResult
from stdgraph.importers.sto.terms import VOCABULARY, default_name, import_graph_iri
from stdgraph.project import RDF_SUFFIXES, Project
from stdgraph.rdf.io import parse_graph
from stdgraph.sparql.named import Param
from stdgraph.store.base import Store
from stdgraph.validation.report import run_validation


class StoOptions(TypedDict, total=False):
    """The keyword options of ``import_sto``: those of ``import_sto_data`` but the source's."""

    name: str | None
    replace: bool
    project: Project | None
    links: CuratedLinks | None
    resolve_case: bool
    shacl: bool


def import_sto(store: Store, path: str | Path, **options: Unpack[StoOptions]) -> StoImportResult:
    """Parse an STO file, map it, and write it into its own named graph atomically.

    A repeat import that changes nothing but the time leaves the graph as it was
    (``status="unchanged"``); one whose content differs from the graph already there needs
    ``replace=True``. ``project`` (default: the bundled graph) gives the curated resources to
    link to and, with ``shacl=True``, the shapes and ontology to validate the import graph with.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    return import_sto_data(store, path.read_bytes(), path=path, **options)


def import_sto_data(
    store: Store | Change,
    data: bytes,
    *,
    path: Path,
    fmt: str | None = None,
    name: str | None = None,
    replace: bool = False,
    project: Project | None = None,
    links: CuratedLinks | None = None,
    resolve_case: bool = True,
    shacl: bool = False,
) -> StoImportResult:
    """``import_sto`` for content already in memory (an HTTP upload): ``path`` names the
    source in the provenance record. ``store`` is the change to write through (the caller's:
    ``POST /import/sto``, ``stdgraph import sto``) or a store (a change of its own is opened
    for the write: ``importers.base.write_import``)."""
    timings: dict[str, float] = {}
    name = name or default_name(path)
    graph_iri = import_graph_iri(name)
    t0 = time.perf_counter()
    src = parse_graph(data, fmt=fmt or RDF_SUFFIXES.get(path.suffix.lower(), "turtle"),
                      label=str(path))
    timings["parse"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if project is None and links is None:
        try:
            project = Project.locate()
        except UsageError:
            project = None
    if links is None:
        links = curated_links(project) if project is not None else CuratedLinks()
    timings["links"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    out, summary = map_sto(src, path=path, data=data, name=name, links=links,
                           resolve_case=resolve_case)
    timings["map"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    status, triples = write_import(store, graph_iri, out, vocabulary=VOCABULARY, name=name,
                                   replace=replace, project=project)
    timings["write"] = time.perf_counter() - t0
    summary["status"] = status
    summary["triples"] = triples

    if shacl:
        t0 = time.perf_counter()
        summary["shacl"] = _shacl(out, project)
        timings["shacl"] = time.perf_counter() - t0
    summary["timings"] = {k: round(v, 3) for k, v in timings.items()}
    return StoImportResult(graph_iri, status, triples, summary)


def _shacl(graph: Graph, project) -> dict:
    """Validate the import graph alone (no OWL-RL closure) against the project's shapes."""
    if project is None:
        return {"skipped": "no project with shapes"}
    report = run_validation(graph, project.shapes(), ontology=project.ontology())
    by_shape: Counter = Counter()
    for r in report.results:
        by_shape[f"{r.severity} {r.shape}"] += 1
    return {"conforms": report.conforms, "violations": len(report.violations),
            "warnings": len(report.warnings), "by_shape": dict(sorted(by_shape.items()))}


class StoImporter:
    """The Industry 4.0 Knowledge Graph (I40KG) and its Standards Ontology (STO), in and out
    (``stdgraph.importers.registry.Importer``)."""

    vocabulary = VOCABULARY
    #: the Industry 4.0 Knowledge Graph and its Standards Ontology, https://w3id.org/i40/sto#
    title = "I40KG/STO"
    #: every RDF syntax of one graph (STO files are graphs, not datasets)
    media_types: Mapping[str, str]
    media_types = {"text/turtle": "turtle", "application/x-turtle": "turtle",
                   "application/n-triples": "ntriples", "text/plain": "ntriples",
                   "application/ld+json": "jsonld", "application/rdf+xml": "rdfxml",
                   "text/n3": "n3"}
    options: Sequence[Param] = (
        Param("shacl", "boolean", default="false",
              description="Also validate the import graph against the shapes and count the "
                          "results (the import is kept either way)."),
        Param("case_fix", "boolean", default="true",
              description="Resolve undefined IRIs that differ from a defined one only in "
                          "letter case."),
    )

    def import_(self, store: Store | Change, data: bytes, name: str | None = None, *,
                source: Path, fmt: str | None = None, replace: bool = False,
                project: Any = None, options: Mapping[str, Any] | None = None
                ) -> StoImportResult:
        opts = parse_options(self.options, options)
        return import_sto_data(store, data, path=Path(source), fmt=fmt, name=name,
                               replace=replace, project=project,
                               resolve_case=opts["case_fix"], shacl=opts["shacl"])

    def export(self, store: Store) -> Graph:
        return export_sto(store)


#: the STO importer, as listed in ``stdgraph.importers.IMPORTERS``
IMPORTER = StoImporter()
