"""Validation of a one-standard write at 1k, 10k and 100k standards: ``validate_in_store`` on
the nodes the write touches (and those whose results depend on them) against what the write
path did before it - copy the store's data graphs into rdflib and ``run_validation`` with the
same focus nodes - in the same run, on the same store.

For each size the synthetic project (``benchmarks/generate.py``, seed 42) is built with
``stdgraph build`` into an embedded Oxigraph store (not timed). Then ``--writes`` times: a new
standard (type, label, identifier, publisher, status, source, one classification, supersedes an
existing standard) is inserted into a write transaction (``store.begin()``, as the HTTP write
path does), its inference delta comes from ``stdgraph.reasoning.rules.Reasoner.update`` (timed: the
incremental inference), and ``validate_in_store`` gets the touched nodes and the changed triples
(timed: the incremental validation); the transaction is rolled back. Medians. The reference
runs once per size, on the last write; its results must equal ``validate_in_store``'s.

    python benchmarks/validation.py [--sizes 1000,10000,100000] [--writes 20] [--shapes FILE]
                                    [--build-shapes FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS, RDF, RDFS  # noqa: E402

import generate  # noqa: E402
from build import make_project  # noqa: E402
from stdgraph.change.build import build, parse_file  # noqa: E402
from stdgraph.project import Project  # noqa: E402
from stdgraph.rdf.io import to_oxigraph, to_rdflib  # noqa: E402
from stdgraph.rdf.namespaces import (  # noqa: E402
    GRAPH_BASE,
    IMPORT_GRAPH_PREFIX,
    INFERRED_GRAPH,
    META_GRAPH,
    SG,
    SGID,
)
from stdgraph.reasoning.rules import Reasoner  # noqa: E402
from stdgraph.store import OxigraphStore  # noqa: E402
from stdgraph.validation.report import run_validation  # noqa: E402
from stdgraph.validation.scoped import validate_in_store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = GRAPH_BASE + "ontology/"
STANDARDS = GRAPH_BASE + "data/bench/standards"


def data_graph(g) -> bool:
    """The write path's data graph: not the build record, imports or ontology graphs."""
    if not isinstance(g, ox.NamedNode):
        return True
    return not (g.value == META_GRAPH or g.value.startswith(IMPORT_GRAPH_PREFIX)
                or g.value.startswith(ONTOLOGY))


def new_standard(i: int, size: int) -> list[tuple]:
    x = URIRef(f"{SGID}standard/new-{i}")
    return [(x, RDF.type, SG.Standard), (x, RDFS.label, Literal(f"NEW {i}", lang="en")),
            (x, SG.identifier, Literal(f"NEW {i}")),
            (x, SG.publisher, URIRef(f"{SGID}body/bench-{i % 6}")),
            (x, SG.status, SG.Published),
            (x, DCTERMS.source, URIRef(f"https://example.org/new/{i}")),
            (x, SG.classifiedIn, URIRef(generate.element_iri(i % 150 % 6, i % 150))),
            (x, SG.supersedes, URIRef(f"{SGID}standard/bench-{(i * 7919) % size:06d}"))]


def measure(size: int, args) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", size, args.build_shapes or args.shapes)
        store = OxigraphStore(Path(tmp) / "store")
        build(project, store)
        shapes = (Graph().parse(args.shapes) if args.shapes
                  else Project.locate(REPO).shapes())
        ontology = Graph()
        for path in project.ontology_files:
            ontology += parse_file(path, project.relative(path))
        quads = sum(1 for _ in store.db)
        reasoner = Reasoner((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                            for q in store.db
                            if q.graph_name.value not in (INFERRED_GRAPH, META_GRAPH))
        infer_ms, validate_ms, nodes = [], [], []
        report = db_copy = None
        for i in range(args.writes + 1):  # the first one also warms up caches: not counted
            new = new_standard(i, size)
            t0 = time.perf_counter()
            delta = reasoner.update(added=new)
            t_infer = time.perf_counter() - t0
            txn = store.begin()
            graph, inferred = ox.NamedNode(STANDARDS), ox.NamedNode(INFERRED_GRAPH)
            txn.db.extend(ox.Quad(*(to_oxigraph(x) for x in t), graph) for t in new)
            txn.db.extend(ox.Quad(*(to_oxigraph(x) for x in t), inferred) for t in delta.added)
            changes = [*new, *delta.added, *delta.removed]
            touched = sorted({t[0] for t in changes}
                             | {t[2] for t in changes if isinstance(t[2], URIRef)}, key=str)
            t0 = time.perf_counter()
            report = validate_in_store(txn.db, shapes, ontology, touched, data_graph=data_graph,
                                       changes=changes)
            t_validate = time.perf_counter() - t0
            if i:
                infer_ms.append(t_infer * 1000)
                validate_ms.append(t_validate * 1000)
                nodes.append(len(report.focus_nodes))
            if i == args.writes:
                t0 = time.perf_counter()
                db_copy = Graph()
                for q in txn.db:
                    if data_graph(q.graph_name):
                        db_copy.add((to_rdflib(q.subject), to_rdflib(q.predicate),
                                     to_rdflib(q.object)))
                t_copy = time.perf_counter() - t0
            txn.rollback()
            reasoner.update(removed=new)
        t0 = time.perf_counter()
        ref = run_validation(db_copy, shapes, ontology=ontology, focus_nodes=report.focus_nodes)
        t_ref = time.perf_counter() - t0
        same = "yes" if ref.results == report.results else "NO"
        store.close()
    inf, val = statistics.median(infer_ms), statistics.median(validate_ms)
    print(f"{size:,} standards ({quads:,} quads): inference {inf:.2f} ms, validation "
          f"{val:.1f} ms (max {max(validate_ms):.1f}), {statistics.median(nodes):.0f} nodes; "
          f"reference copy {t_copy:.2f} s + run_validation {t_ref:.2f} s; same: {same}",
          flush=True)
    return (f"| {size:,} | {quads:,} | {inf:.2f} | {val:.1f} | **{inf + val:.1f}** | "
            f"{statistics.median(nodes):.0f} | {t_copy:.2f} | {t_ref:.2f} | "
            f"{(t_copy + t_ref) * 1000 / val:,.0f}x | {same} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--writes", type=int, default=20)
    ap.add_argument("--shapes", type=Path, default=None,
                    help="shapes file to use instead of shapes/stdgraph-shapes.ttl")
    ap.add_argument("--build-shapes", type=Path, default=None,
                    help="shapes file the store is built with (default: --shapes)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}; shapes: {args.shapes or 'the repository'}")
    rows = [measure(int(s), args) for s in args.sizes.split(",")]
    print("\n| standards | quads | inference (ms) | validation (ms) | write total (ms) "
          "| validated nodes | reference: copy to rdflib (s) | reference: run_validation (s) "
          "| reference / validation | same results |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
