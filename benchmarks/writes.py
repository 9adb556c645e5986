"""One-standard writes through the guarded write path, at 1k, 10k and 100k standards.

Each size gets an embedded store holding the synthetic graph (benchmarks/generate.py), the
bundled ontology graphs and the inferred graph; then ``WriteGuard`` (the code behind SPARQL
Update and the Graph Store) commits ``--repeat`` INSERT DATA writes of one new standard each
(identifier, label, publisher, status, source, three classifications, and ``sg:supersedes`` an
existing standard so that inference has something to derive), with the bundled SHACL shapes.
Printed: the first write (which builds the reasoner's closure once) and the median of the
others, phase by phase (``WriteOutcome.timings``: begin = checkpoint copy, change, inference,
validation, commit).

The anchor, in the same run: what a write cost before incremental inference and scoped
validation — the full closure recomputed by the rules engine, and pyshacl validating the same
focus nodes over the whole data graph — measured once per size (skipped past ``--anchor-max``
standards, printed as such).

With ``--upkeep`` the analyses keep their state as the server's query workers do (a read-only
``OxigraphStore`` on the same folder, a ``DeadlineStore`` with the runner's ``StateCache``,
the workers' warm-ups once before the writes: ``warm_analyses``, ``warm_standard_findings``,
``warm_search``, ``warm_standards_filters``), and after each write more figures: *upkeep*,
the kept snapshot brought up to date with the write's recorded changes
(``analysis.snapshot.snapshot``); *answers*, every built-in analysis run again with its
default parameters (its kept values brought up to date from the snapshot, and the answer made:
what the next request costs, upkeep included), each and together; and *pages*, the pages'
warm-ups run again (a standard's findings, the search index, the ``/standards`` filters:
what they keep brought up to date). A server runs the same (its query runner's ``refresh``:
the warm functions) right after each commit, in the background, so *answers* together with
*pages* is the longest the first request after a write may wait for it; *then*, every
analysis answered once more: what a request costs once that upkeep has run. Between two of
these jobs the process collects its young garbage and freezes the rest, as a query worker
does after each job.

With ``--curated`` each written standard also carries a statement record per link
(``rdf:Statement`` with ``sg:evidence sg:Stated`` and a source), which puts it under evidence
curation: ``sgsh:LinkEvidenceShape`` then checks its links, and the record triples are part of
the change whose dependents validation has to find.

With ``--store-cache DIR`` the set-up store of each size is kept in ``DIR/store-N`` (made the
first time: minutes at 100k standards) and each run writes to a copy of it.

    python benchmarks/writes.py [--sizes 1000 10000 100000] [--repeat 15] [--curated] [--upkeep]
        [--store-cache DIR]
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph, URIRef

import generate
from stdgraph.analysis import REGISTRY, warm_analyses
from stdgraph.analysis.snapshot import snapshot
from stdgraph.catalog.findings import warm_standard_findings
from stdgraph.catalog.search import warm_search
from stdgraph.catalog.standards_table import warm_standards_filters
from stdgraph.change.build import parse_file
from stdgraph.change.guard import WriteGuard, asserted_triples, is_shacl_data
from stdgraph.deadline import Deadline
from stdgraph.project import Project
from stdgraph.rdf.io import graph_to_quads, to_rdflib
from stdgraph.rdf.namespaces import GRAPH_BASE, INFERRED_GRAPH
from stdgraph.reasoning.rules import Reasoner
from stdgraph.store import OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache
from stdgraph.validation.report import run_validation

REPO = Path(__file__).resolve().parents[1]
PHASES = ["begin", "change", "inference", "validation", "commit"]
#: what the pages keep beside the analyses, brought up to date by running these again
PAGE_WARMS = (warm_standard_findings, warm_search, warm_standards_filters)


def setup(work: Path, standards: int, project: Project) -> OxigraphStore:
    """Synthetic data + the ontology graphs + the inferred graph, like a build leaves them."""
    store = OxigraphStore(work / f"store-{standards}")
    generate.load_store(store, standards)
    db = store.db
    # every described resource needs a source (sgsh:Source); give one where the generator did not
    src = f"<{generate.DCTERMS_SOURCE}>"
    db.update(f"""INSERT {{ GRAPH ?g {{ ?x {src} <https://example.org/bench> }} }}
        WHERE {{ GRAPH ?g {{ ?x a ?c FILTER NOT EXISTS {{ ?x {src} ?s }} }} }}""")
    for path in project.ontology_files:
        iri = GRAPH_BASE + "ontology/" + path.stem
        db.bulk_extend(graph_to_quads(parse_file(path, project.relative(path)), iri))
    inferred = Reasoner(asserted_triples(db)).inferred()
    db.bulk_extend(graph_to_quads(inferred, INFERRED_GRAPH))
    db.flush()
    return store


def one_standard(i: int, standards: int, curated: bool = False) -> str:
    sg, sgid = generate.SG, generate.SGID
    s = f"<{sgid}standard/write-{i:06d}>"
    picks = [(7 * i + 11 * k) % 150 for k in range(3)]  # element e belongs to scheme e % 6
    elements = [f"<{generate.element_iri(e % 6, e)}>" for e in picks]
    links = [(f"<{sg}status>", f"<{sg}Published>"),
             *((f"<{sg}classifiedIn>", e) for e in elements),
             (f"<{sg}supersedes>", f"<{generate.standard_iri((i * 7919) % standards)}>")]
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    records = "".join(
        f"""
  <{sgid}evidence/write-{i:06d}/{k}> a <{rdf}Statement> ; <{rdf}subject> {s} ;
    <{rdf}predicate> {p} ; <{rdf}object> {o} ; <{sg}evidence> <{sg}Stated> ;
    <{generate.DCTERMS_SOURCE}> <https://example.org/write/{i}> ."""
        for k, (p, o) in enumerate(links)) if curated else ""
    described = " ;\n    ".join(f"{p} {o}" for p, o in links)
    return f"""INSERT DATA {{ GRAPH <{generate.STANDARDS_GRAPH}> {{
  {s} a <{sg}Standard> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "WRITE {i} A written standard"@en ;
    <{sg}identifier> "WRITE {i}" ;
    <{sg}publisher> <{sgid}body/bench-{i % generate.BODIES}> ;
    <{generate.DCTERMS_SOURCE}> <https://example.org/write/{i}> ;
    {described} .{records}
}} }}"""


def anchor(store: OxigraphStore, guard: WriteGuard, focus: list[URIRef]) -> dict[str, float]:
    """The pre-incremental costs: full closure, and pyshacl over the whole data graph."""
    db = store.db
    t0 = time.perf_counter()
    Reasoner(asserted_triples(db)).inferred_graph()
    t1 = time.perf_counter()
    data = Graph()
    for q in db.quads_for_pattern(None, None, None, None):
        if is_shacl_data(q.graph_name):
            data.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    run_validation(data, guard.shapes, ontology=guard.ontology, focus_nodes=focus)
    t2 = time.perf_counter()
    return {"full inference": t1 - t0, "full-graph validation": t2 - t1}


def cached_setup(work: Path, standards: int, project: Project, cache: Path | None
                 ) -> OxigraphStore:
    """``setup``, or a copy of the store it made before in ``cache``."""
    if cache is None:
        return setup(work, standards, project)
    kept, ready = cache / f"store-{standards}", cache / f"store-{standards}.ready"
    if not ready.exists():
        shutil.rmtree(kept, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        setup(cache, standards, project).close()
        ready.write_text("set up by benchmarks/writes.py\n")
    shutil.copytree(kept, work / f"store-{standards}")
    return OxigraphStore(work / f"store-{standards}")


def run(standards: int, repeat: int, anchor_max: int, work: Path,
        curated: bool = False, upkeep: bool = False, cache: Path | None = None) -> None:
    project = Project.locate(str(REPO))
    t0 = time.perf_counter()
    store = cached_setup(work, standards, project, cache)
    triples = sum(1 for _ in store.db.quads_for_pattern(None, None, None, None))
    print(f"\n{standards} standards ({triples:,} quads), "
          f"set up in {time.perf_counter() - t0:.1f} s")
    guard = WriteGuard.for_project(store, project)
    reader = OxigraphStore(work / f"store-{standards}", read_only=True) if upkeep else None
    cache = StateCache()

    def bounded() -> DeadlineStore:
        assert reader is not None
        return DeadlineStore(reader, Deadline(None), cache)

    def settle() -> None:
        """What a query worker does after each job (``api.worker._settle``): its young cyclic
        garbage collected and what is left frozen, so that a full collection over the kept
        state (half a second to a second at 100k) does not land in a later job."""
        gc.collect(1)
        gc.freeze()

    if upkeep:
        t = time.perf_counter()
        warm_analyses(bounded())
        for warm in PAGE_WARMS:
            warm(bounded())
        print(f"  analyses warmed (the kept state read) in {time.perf_counter() - t:.1f} s")
        gc.collect()
        gc.freeze()
    names = list(REGISTRY) + [w.__name__ for w in PAGE_WARMS]
    kept: dict[str, list[float]] = {k: [] for k in ["upkeep", "answers", "pages", "then",
                                                    *names, *(f"then {n}" for n in REGISTRY)]}

    def follow() -> None:
        """The reader's kept state brought up to date, then every analysis answered."""
        if upkeep:
            settle()  # (after the write)
            t = time.perf_counter()
            snap = snapshot(bounded())
            kept["upkeep"].append(time.perf_counter() - t)
            assert snap.version == reader.version() if reader else True
            for name, spec in REGISTRY.items():
                settle()
                t = time.perf_counter()
                spec.run(bounded(), {})
                kept[name].append(time.perf_counter() - t)
            for warm in PAGE_WARMS:
                settle()
                t = time.perf_counter()
                warm(bounded())
                kept[warm.__name__].append(time.perf_counter() - t)
            kept["answers"].append(sum(kept[name][-1] for name in REGISTRY))
            kept["pages"].append(sum(kept[w.__name__][-1] for w in PAGE_WARMS))
            for name, spec in REGISTRY.items():  # once the upkeep after the commit has run
                settle()
                t = time.perf_counter()
                spec.run(bounded(), {})
                kept[f"then {name}"].append(time.perf_counter() - t)
            kept["then"].append(sum(kept[f"then {name}"][-1] for name in REGISTRY))

    t = time.perf_counter()
    first = guard.update(one_standard(0, standards, curated))
    first_total = time.perf_counter() - t
    follow()
    kept = {k: [] for k in kept}
    totals, phases = [], {p: [] for p in PHASES}
    for i in range(1, repeat + 1):
        t = time.perf_counter()
        out = guard.update(one_standard(i, standards, curated))
        totals.append(time.perf_counter() - t)
        for p in PHASES:
            phases[p].append(out.timings.get(p, 0.0))
        follow()
    ms = lambda x: f"{1000 * x:8.1f}"  # noqa: E731
    print(f"  first write (builds the closure once): {ms(first_total)} ms "
          f"(validated {first.touched} nodes, +{first.inferred_added} inferred)")
    print(f"  next writes, median of {repeat}:        {ms(statistics.median(totals))} ms")
    for p in PHASES:
        print(f"    {p:11s} {ms(statistics.median(phases[p]))} ms")
    incremental = statistics.median(phases["inference"]) + statistics.median(phases["validation"])
    print(f"    inference + validation: {ms(incremental)} ms")
    if upkeep:
        up = statistics.median(kept["upkeep"])
        print(f"    upkeep (snapshot)       {ms(up)} ms  (worst {ms(max(kept['upkeep']))} ms)")
        print(f"    inference + validation + upkeep: {ms(incremental + up)} ms")
        print(f"    analyses answered again {ms(statistics.median(kept['answers']))} ms  "
              f"(worst {ms(max(kept['answers']))} ms)")
        for name in REGISTRY:
            print(f"      {name:20s}  {ms(statistics.median(kept[name]))} ms  "
                  f"(worst {ms(max(kept[name]))} ms)")
        print(f"    pages' state again      {ms(statistics.median(kept['pages']))} ms  "
              f"(worst {ms(max(kept['pages']))} ms)")
        for warm in PAGE_WARMS:
            name = warm.__name__
            print(f"      {name:20s}  {ms(statistics.median(kept[name]))} ms  "
                  f"(worst {ms(max(kept[name]))} ms)")
        both = [a + p for a, p in zip(kept["answers"], kept["pages"], strict=True)]
        print(f"    upkeep after the commit (analyses + pages) {ms(statistics.median(both))} ms"
              f"  (worst {ms(max(both))} ms)")
        print(f"    then answered again     {ms(statistics.median(kept['then']))} ms  "
              f"(worst {ms(max(kept['then']))} ms)")
        for name in REGISTRY:
            then = kept[f"then {name}"]
            print(f"      {name:20s}  {ms(statistics.median(then))} ms  "
                  f"(worst {ms(max(then))} ms)")
    if standards <= anchor_max:
        focus = [URIRef(f"{generate.SGID}standard/write-000001")]
        a = anchor(store, guard, focus)
        for k, v in a.items():
            print(f"  anchor {k:22s} {ms(v)} ms")
        print(f"  ratio anchor / incremental: {sum(a.values()) / incremental:.0f}x")
    else:
        print(f"  anchor: skipped above {anchor_max} standards (--anchor-max)")
    if reader is not None:
        reader.close()
    store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--anchor-max", type=int, default=10_000)
    ap.add_argument("--curated", action="store_true",
                    help="each written standard carries a statement record per link")
    ap.add_argument("--upkeep", action="store_true",
                    help="keep the analyses' state as a query worker does and time its upkeep")
    ap.add_argument("--store-cache", type=Path, default=None,
                    help="keep each size's set-up store here and write to copies of it")
    args = ap.parse_args(argv)
    import os
    import platform

    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs")
    work = Path(tempfile.mkdtemp(prefix="stdgraph-bench-writes-"))
    try:
        for n in args.sizes:
            run(n, args.repeat, args.anchor_max, work, args.curated, args.upkeep,
                args.store_cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
