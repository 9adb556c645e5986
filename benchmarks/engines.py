"""stdgraph's hand-written engines against the maintained libraries (issue 22), on the same inputs.

- **inference**: ``reasoning.rules`` (stdgraph) vs ``reasonable`` vs owlrl: time, peak memory,
  and the informative new triples compared triple by triple (``is_informative``; RDF 1.1's
  ``"x"^^xsd:string`` = ``"x"``, which rdflib keeps apart, normalised first);
- **inference, incremental**: one standard's triples removed, then added back: stdgraph's
  ``Reasoner.update`` vs ``reasonable``'s own incremental path (``update_graph`` / ``from_graph``
  then ``reason``) vs a full re-run of owlrl;
- **validation**: ``validation.scoped.validate_in_store`` vs ``pyshacl-turbo`` vs ``pyrudof``
  vs pySHACL (``validation.report.run_validation``: pyshacl, SHACL-SPARQL in Oxigraph; the
  suite's oracle): time, peak memory, results compared by (severity, focus, path, shape, value),
  on the shapes' test manifest and on whole graphs (faults injected into two of them);
- **validation, incremental**: one added and one removed standard: ``validate_in_store`` of the
  touched nodes (and their dependents) vs a full re-run of each library on the changed graph;
  the libraries' results are compared on stdgraph's focus nodes;
- **updates**: the guarded evaluator (``change.guard.apply_update``: rdflib's algebra over a view
  of the copy, recording the delta) vs pyoxigraph's ``Store.update`` on the same copy plus the
  delta computed by comparing the copy with the store; the deltas must be equal. Then a runaway
  update under a 2 s limit: the guarded evaluator stops; the native one is killed after
  ``--kill-after`` seconds if it has not finished (pyoxigraph has no way to stop an update).

Inputs: the bundled graph; the bundled graph plus I40KG mapped by the STO importer
(``importers.sto.map_sto``, the file read from ``--i40kg``, never copied); synthetic graphs of
``--sizes`` standards (``benchmarks/generate.py``, seed 42) with the bundled ontology; faults
(``FAULTS``) injected into the bundled graph and the first synthetic size.

Every measurement runs in a child process (this script, ``child TASK ...``), ``--repeat`` times,
median time; peak memory is the child's ``ru_maxrss`` less its resident memory before the engine
started (input already loaded). An engine whose time at a smaller size, scaled by the input's
size, would exceed ``--budget`` seconds is skipped at the larger one (the table says so).

    python benchmarks/engines.py [--sizes 10000] [--repeat 3] [--only inference,validation,...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from rdflib import BNode, Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD  # noqa: E402
from rdflib.util import from_n3  # noqa: E402

import generate  # noqa: E402
from stdgraph.change.build import load_project  # noqa: E402
from stdgraph.project import Project  # noqa: E402
from stdgraph.rdf.io import to_oxigraph, to_rdflib  # noqa: E402
from stdgraph.rdf.namespaces import SG, SGID, SH  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_I40KG = REPO.parent / "shared" / "data" / "i40kg" / "i40kg.ttl"
INFERENCE = ("rules", "reasonable", "owlrl")
VALIDATION = ("stdgraph", "pyshacl-turbo", "pyrudof", "pyshacl")
UPDATES = ("guarded", "native")
TASKS = ("inference", "incremental-inference", "manifest", "validation",
         "incremental-validation", "updates", "urlencoded")


# -- terms and files ------------------------------------------------------------------------------
def norm(t: tuple) -> tuple:
    """RDF 1.1: ``"x"^^xsd:string`` is ``"x"``; rdflib keeps them apart, and reasonable gives the
    typed form."""
    return tuple(Literal(str(x)) if isinstance(x, Literal) and x.datatype == XSD.string else x
                 for x in t)


def write_nt(triples, path: Path) -> None:
    ox.serialize((ox.Triple(*(to_oxigraph(x) for x in t)) for t in triples), str(path),
                 ox.RdfFormat.N_TRIPLES)


def read_nt(path: Path) -> Graph:
    g = Graph()
    for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    """The process's peak resident memory: ``VmHWM``, which, unlike ``ru_maxrss``, starts
    afresh at ``execve`` (``ru_maxrss`` keeps the parent's peak)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the faults injected into the bundled graph and the synthetic one -----------------------------
def faults(std: list[URIRef]) -> list[tuple]:
    """Faulty triples about the given standards (at least 10 of them): one per kind of check."""
    new = URIRef(f"{SGID}standard/faulty-new")
    return [
        (std[0], SG.supersedes, std[0]),  # self-supersession
        (std[1], SG.supersedes, std[2]), (std[2], SG.supersedes, std[1]),  # a cycle
        (std[3], SG.withdrawalDate, Literal("1900-01-01", datatype=XSD.date)),
        (std[3], SG.publicationDate, Literal("2000-01-01", datatype=XSD.date)),
        (std[4], SG.identifier, Literal("SECOND", lang="en")),  # second identifier, tagged
        (std[5], SG.withdrawalDate, Literal("2019-02-30", datatype=XSD.date)),  # ill-typed
        (std[6], SG.publisher, Literal("IEC")),  # a literal publisher
        (std[7], SG.status, SG.Proposed), (std[7], SG.status, SG.UnderDevelopment),
        (new, RDF.type, SG.Standard),  # no label, identifier, publisher, status, source
        (new, SG.title, Literal("Untagged title")),
        (std[8], SG.references, URIRef(f"{SGID}standard/nowhere")),
        (std[9], RDFS.label, Literal("a second English label", lang="en")),
    ]


def new_standard(n: int) -> list[tuple]:
    """A complete new standard that supersedes an existing one (so inference has work)."""
    x = URIRef(f"{SGID}standard/engines-new")
    return [(x, RDF.type, SG.Standard), (x, RDFS.label, Literal("NEW Engines", lang="en")),
            (x, SG.identifier, Literal("NEW Engines")),
            (x, SG.publisher, URIRef(f"{SGID}body/bench-1")), (x, SG.status, SG.Published),
            (x, DCTERMS.source, URIRef("https://example.org/engines/new")),
            (x, SG.classifiedIn, URIRef(generate.element_iri(3, 9))),
            (x, SG.supersedes, URIRef(generate.standard_iri(n // 3)))]


# -- children: one engine, one input, one measurement ---------------------------------------------
def child_inference(engine: str, asserted_path: str, out: str) -> dict:
    from stdgraph.reasoning.infer import infer
    from stdgraph.reasoning.informative import is_informative

    g = read_nt(Path(asserted_path))
    before = rss_mib()
    t0 = time.perf_counter()
    if engine == "reasonable":
        import reasonable

        r = reasonable.PyReasoner()
        r.from_graph(g)
        closure = r.reason()
        asserted = {norm(t) for t in g}
        result = {n for t in closure if (n := norm(t)) not in asserted and is_informative(n)}
    else:
        result = {norm(t) for t in infer(g, engine=engine)}
    seconds = time.perf_counter() - t0
    write_nt(result, Path(out))
    return {"seconds": seconds, "before": before, "peak": peak_mib(), "triples": len(result)}


def child_incremental_inference(engine: str, asserted_path: str, standard: str) -> dict:
    """Remove one standard's triples, then add them back; the result must be the first one."""
    from stdgraph.reasoning.infer import infer

    g = read_nt(Path(asserted_path))
    about = list(g.triples((URIRef(standard), None, None)))
    without = Graph()
    for t in g:
        without.add(t)
    for t in about:
        without.remove(t)
    if engine == "rules":
        from stdgraph.reasoning.rules import Reasoner

        r = Reasoner(g)
        first = set(r.inferred())
        t0 = time.perf_counter()
        r.update(removed=about)
        t1 = time.perf_counter()
        r.update(added=about)
        t2 = time.perf_counter()
        same = first == set(r.inferred())
    elif engine == "reasonable":
        import reasonable

        r = reasonable.PyReasoner()
        r.from_graph(g)
        first = set(r.reason())
        t0 = time.perf_counter()
        r.update_graph(without)  # a removal: reasonable re-materialises in full
        r.reason()
        t1 = time.perf_counter()
        r.from_graph(about)  # an addition: incremental
        again = r.reason()
        t2 = time.perf_counter()
        same = first == set(again)
    else:
        first = set(infer(g, engine="owlrl"))
        t0 = time.perf_counter()
        infer(without, engine="owlrl")
        t1 = time.perf_counter()
        again = infer(g, engine="owlrl")
        t2 = time.perf_counter()
        same = first == set(again)
    return {"remove": t1 - t0, "add": t2 - t1, "same": same, "peak": peak_mib()}


def _result_key(severity, focus, path, shape, value) -> list:
    return [severity, focus, path, shape, value]


def _rudof_term(text):
    if text is None:
        return None
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith('"'):
        return from_n3(text)
    return URIRef(text)


def named_shape(shapes: Graph, shape):
    """A blank property shape is reported as the node shape holding it (as ``to_report`` does)."""
    if isinstance(shape, BNode):
        return shapes.value(None, SH.property, shape) or shape
    return shape


def validate_with(engine: str, data: Graph, shapes: Graph, ontology: Graph | None,
                  focus: list | None = None, changes: list | None = None
                  ) -> tuple[float, list, list | None]:
    """(seconds, result keys, validated focus nodes or None) of one engine on ``data``."""
    from stdgraph.validation.report import compact, ontology_as_mixed, run_validation, to_report

    focus_nodes = None
    if engine == "stdgraph":
        from stdgraph.validation.scoped import validate_in_store

        db = ox.Store()
        db.bulk_extend(ox.Quad(*(to_oxigraph(x) for x in t), ox.DefaultGraph()) for t in data)
        t0 = time.perf_counter()
        report = validate_in_store(db, shapes, ontology, focus, data_graph=lambda _g: True,
                                   changes=changes)
        seconds = time.perf_counter() - t0
        results = report.results
        focus_nodes = [compact(n) for n in report.focus_nodes or []] if focus else None
    elif engine == "pyshacl":
        t0 = time.perf_counter()
        results = run_validation(data, shapes, ontology=ontology).results
        seconds = time.perf_counter() - t0
    elif engine == "pyshacl-turbo":
        import pyshacl_turbo

        t0 = time.perf_counter()
        _c, report_graph, _t = pyshacl_turbo.validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
            allow_warnings=True)
        results = to_report(report_graph, shapes, None).results
        seconds = time.perf_counter() - t0
    else:
        import pyrudof

        with tempfile.NamedTemporaryFile(suffix=".nt") as f:
            # what pyshacl mixes in from ont_graph, which rudof has no option for
            write_nt([*data, *ontology_as_mixed(ontology)], Path(f.name))
            shapes_ttl = shapes.serialize(format="nt")
            t0 = time.perf_counter()
            rudof = pyrudof.Rudof(pyrudof.RudofConfig())
            rudof.read_data(f.name, format=pyrudof.RDFFormat.NTriples)
            rudof.read_shacl(shapes_ttl, format=pyrudof.ShaclFormat.NTriples)
            entries = list(rudof.validate_shacl())
            seconds = time.perf_counter() - t0
        keys = []
        for e in entries:
            path = _rudof_term(e.path)
            keys.append(_result_key(
                str(e.severity).rsplit("#", 1)[-1], compact(_rudof_term(e.focus_node)),
                compact(path) if isinstance(path, URIRef) else e.path,
                compact(named_shape(shapes, _rudof_term(e.source_shape))),
                compact(_rudof_term(e.value))))
        return seconds, sorted(keys, key=str), None
    keys = [_result_key(r.severity, r.focus, r.path, r.shape, r.value) for r in results]
    return seconds, sorted(keys, key=str), focus_nodes


def child_validation(engine: str, data_path: str, ontology_path: str, out: str) -> dict:
    shapes = Project.locate(REPO).shapes()
    data = read_nt(Path(data_path))
    ontology = read_nt(Path(ontology_path))
    before = rss_mib()
    seconds, keys, _ = validate_with(engine, data, shapes, ontology)
    Path(out).write_text(json.dumps(keys))
    return {"seconds": seconds, "before": before, "peak": peak_mib(), "results": len(keys)}


def child_incremental_validation(engine: str, data_path: str, ontology_path: str,
                                 changes_path: str, out: str) -> dict:
    """stdgraph: the touched nodes and their dependents; a library: everything again."""
    shapes = Project.locate(REPO).shapes()
    data = read_nt(Path(data_path))
    ontology = read_nt(Path(ontology_path))
    changes = list(read_nt(Path(changes_path)))
    touched = sorted({t[0] for t in changes}
                     | {t[2] for t in changes if isinstance(t[2], URIRef)}, key=str)
    before = rss_mib()
    if engine == "stdgraph":
        from stdgraph.validation.scoped import prepare

        prepare(shapes, ontology)  # as the write path does once, at start
        seconds, keys, focus = validate_with(engine, data, shapes, ontology, touched, changes)
    else:
        seconds, keys, focus = validate_with(engine, data, shapes, ontology)
    Path(out).write_text(json.dumps({"keys": keys, "focus": focus}))
    return {"seconds": seconds, "before": before, "peak": peak_mib(), "results": len(keys)}


def manifest_cases() -> list[tuple[str, Graph]]:
    """(case, data graph) for every case of shapes/tests/manifest.ttl: the fixture and the
    ontology, closed by the rules (tests/test_shapes.py closes with owlrl; the two are equal)."""
    from urllib.parse import unquote, urlparse

    from stdgraph.reasoning.infer import infer

    project = Project.locate(REPO)
    ontology = project.ontology()
    manifest = Graph().parse(REPO / "shapes" / "tests" / "manifest.ttl")
    sgt = "https://w3id.org/stdgraph/shapes/tests#"
    cases = []
    for case in sorted(manifest.subjects(RDF.type, URIRef(sgt + "Case")), key=str):
        fixture = Path(unquote(urlparse(str(manifest.value(case, URIRef(sgt + "data")))).path))
        data = Graph()
        for t in ontology:
            data.add(t)
        for t in Graph().parse(fixture):
            data.add(norm(t))
        data += infer(data)
        cases.append((str(case).rsplit("#", 1)[-1], data))
    return cases


def child_manifest(engine: str, out: str) -> dict:
    shapes = Project.locate(REPO).shapes()
    cases = manifest_cases()
    before = rss_mib()
    total, by_case = 0.0, {}
    for name, data in cases:
        seconds, keys, _ = validate_with(engine, data, shapes, None)
        total += seconds
        by_case[name] = keys
    Path(out).write_text(json.dumps(by_case))
    return {"seconds": total, "before": before, "peak": peak_mib(), "cases": len(cases),
            "results": sum(len(v) for v in by_case.values())}


def update_texts(n: int) -> dict[str, str]:
    g, sg = generate.STANDARDS_GRAPH, generate.SG
    s = generate.standard_iri(n // 2)
    comment = "<http://www.w3.org/2000/01/rdf-schema#comment>"
    return {
        "one standard's status": f"WITH <{g}> DELETE {{ <{s}> <{sg}status> ?o }} "
                                 f"INSERT {{ <{s}> <{sg}status> <{sg}Withdrawn> }} "
                                 f"WHERE {{ <{s}> <{sg}status> ?o }}",
        "delete one standard": f"DELETE WHERE {{ GRAPH <{g}> {{ <{s}> ?p ?o }} }}",
        "one publisher's standards (1/6)": f"WITH <{g}> INSERT {{ ?s {comment} \"body 0\" }} "
                                           f"WHERE {{ ?s <{sg}publisher> "
                                           f"<{generate.SGID}body/bench-0> }}",
        "join: supersedes a withdrawn one": f"WITH <{g}> INSERT {{ ?a {comment} \"old\" }} "
                                            f"WHERE {{ ?a <{sg}supersedes> ?b . "
                                            f"?b <{sg}status> <{sg}Withdrawn> }}",
    }


def runaway_text() -> str:
    g, sg = generate.STANDARDS_GRAPH, generate.SG
    return (f"WITH <{g}> INSERT {{ ?a <{sg}references> ?b }} WHERE {{ ?a a <{sg}Standard> . "
            f"?b a <{sg}Standard> FILTER(STR(?a) = CONCAT(STR(?b), \"x\")) }}")


def child_update(engine: str, store_dir: str, n: str, which: str) -> dict:
    from stdgraph.change.guard import RecordingDB, UpdateRequest, apply_update
    from stdgraph.deadline import Deadline
    from stdgraph.errors import QueryTimeout
    from stdgraph.store import OxigraphStore

    store = OxigraphStore(Path(store_dir))
    text = runaway_text() if which == "runaway" else update_texts(int(n))[which]
    txn = store.begin()
    try:
        before = rss_mib()
        t0 = time.perf_counter()
        stopped = False
        updated = None
        if engine == "guarded":
            rec = RecordingDB(txn.db)
            try:
                apply_update(rec, UpdateRequest(text),
                             Deadline(2.0 if which == "runaway" else None))
            except QueryTimeout:
                stopped = True
            added, removed = set(rec.added), set(rec.removed)
        else:
            txn.db.update(text)
            updated = time.perf_counter() - t0
            after = set(txn.db)
            base = set(store.db)
            added, removed = after - base, base - after
        seconds = time.perf_counter() - t0
    finally:
        txn.rollback()
        store.close()
    key = "\n".join([*sorted(str(q) for q in added), "-", *sorted(str(q) for q in removed)])
    return {"seconds": seconds, "before": before, "peak": peak_mib(), "added": len(added),
            "removed": len(removed), "stopped": stopped, "update": updated,
            "delta": hashlib.sha256(key.encode()).hexdigest()}


CHILDREN = {"inference": child_inference, "incremental-inference": child_incremental_inference,
            "validation": child_validation, "manifest": child_manifest,
            "incremental-validation": child_incremental_validation, "update": child_update}


# -- the parent: inputs, repeats, comparisons, tables ---------------------------------------------
def run_child(*args: str, timeout: float | None = None) -> dict:
    """One child; an error (crash, exception, time-out) comes back as ``{"error": ...}``."""
    try:
        proc = subprocess.run([sys.executable, __file__, "child", *args], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"killed after {timeout:.0f} s"}
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or [f"exit {proc.returncode}"]
        return {"error": f"exit {proc.returncode}: {lines[-1][:300]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def repeated(args, *child_args: str, timeout: float | None = None) -> dict:
    """The median of ``--repeat`` children (seconds and memory); the first error stops."""
    runs: list[dict] = []
    for _ in range(args.repeat):
        if child_args[1] in args.skip_engines:
            return {"skipped": "not run (--skip-engines)"}
        r = run_child(*child_args, timeout=timeout)
        if "error" in r:
            return r
        runs.append(r)
        if max(r.get(k) or 0 for k in ("seconds", "remove", "add")) > args.slow:
            break  # one run is enough to decide on an engine this slow
    out = dict(runs[-1])
    for k in ("seconds", "remove", "add", "before", "peak", "update"):
        if out.get(k) is not None:
            out[k] = statistics.median(r[k] for r in runs)
    out["runs"] = len(runs)
    return out


class Budget:
    """Skips an engine at a size where its time at a smaller one, scaled, exceeds the budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.seen: dict[tuple[str, str], tuple[int, float]] = {}

    def skip(self, task: str, engine: str, size: int) -> str | None:
        last = self.seen.get((task, engine))
        if last is None:
            return None
        expected = last[1] * size / last[0]
        if expected > self.seconds:
            return f"skipped: about {expected:,.0f} s expected from the smaller input"
        return None

    def note(self, task: str, engine: str, size: int, result: dict, key: str = "seconds"
             ) -> None:
        if key in result:
            self.seen[(task, engine)] = (size, result[key])


def inputs(args, work: Path) -> list[dict]:
    """Write every input to ``work``: asserted triples (ontology included), the closed data graph
    (without the ontology's triples; the ontology goes in as ``ont_graph``), and its size."""
    from rdflib import Graph as G

    from stdgraph.importers.sto.links import curated_links
    from stdgraph.importers.sto.mapping import map_sto
    from stdgraph.rdf.io import parse_graph
    from stdgraph.reasoning.rules import Reasoner

    project = Project.locate(REPO)
    loaded = load_project(project)
    ontology = loaded.ontology_graph()
    write_nt(ontology, work / "ontology.nt")
    bundled = loaded.union()
    bundled_std = sorted({s for s in bundled.subjects(RDF.type, SG.Standard)
                          if isinstance(s, URIRef)}, key=str)
    specs: list[tuple[str, int, G, list]] = []
    if not args.synthetic_only:
        specs.append(("bundled", 0, bundled, []))
        specs.append(("bundled + faults", 0, bundled, faults(bundled_std[:10])))
    if args.synthetic_only:
        print("(--synthetic-only: the bundled inputs are left out)")
    elif args.i40kg.is_file():
        data = args.i40kg.read_bytes()
        src = parse_graph(data, fmt="turtle", label=str(args.i40kg))
        mapped, _summary = map_sto(src, path=args.i40kg, data=data, name="i40kg",
                                   links=curated_links(project))
        specs.append(("bundled + I40KG", 0, bundled + mapped, []))
    else:
        print(f"(no I40KG file at {args.i40kg}: that input is skipped)")
    for i, n in enumerate(args.sizes):
        g = G()
        for t in ontology:
            g.add(t)
        for q in ox.parse("".join(generate.lines(n)).encode(), format=ox.RdfFormat.N_TRIPLES):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        specs.append((f"synthetic {n:,}", n, g, []))
        if i == 0 and not args.no_faults:
            std = [URIRef(generate.standard_iri(k)) for k in range(10)]
            specs.append((f"synthetic {n:,} + faults", n, g, faults(std)))
    out = []
    for label, n, g, extra in specs:
        name = label.replace(" ", "").replace(",", "").replace("+", "-")
        asserted = G()
        for t in g:
            asserted.add(norm(t))
        for t in extra:
            asserted.add(t)
        reasoner = Reasoner(asserted)
        data = [t for t in asserted if t not in ontology] + list(reasoner.inferred())
        spec = {"label": label, "n": n, "asserted": str(work / f"{name}.asserted.nt"),
                "data": str(work / f"{name}.data.nt"), "triples": len(asserted),
                "data_triples": len(data), "faults": bool(extra)}
        write_nt(asserted, Path(spec["asserted"]))
        write_nt(data, Path(spec["data"]))
        if n and not extra:
            for kind in ("add", "remove"):
                changed = _incremental_input(reasoner, asserted, ontology, n, kind)
                spec[kind] = {}
                for part, triples in changed.items():
                    spec[kind][part] = str(work / f"{name}.{kind}.{part}.nt")
                    write_nt(triples, Path(spec[kind][part]))
                reasoner.update(added=changed["undo_add"], removed=changed["undo_remove"])
        out.append(spec)
        print(f"input {label}: {len(asserted):,} asserted, {len(data):,} in the data graph",
              flush=True)
    return out


def _incremental_input(reasoner, asserted: Graph, ontology: Graph, n: int, kind: str) -> dict:
    """The data graph after one standard is added (or removed), and the changed triples."""
    if kind == "add":
        added, removed = new_standard(n), []
    else:
        added = []
        removed = list(asserted.triples((URIRef(generate.standard_iri(n // 2)), None, None)))
    delta = reasoner.update(added=added, removed=removed)
    changed = {*added, *removed, *delta.added, *delta.removed}
    gone = set(removed)
    data = [t for t in asserted if t not in ontology and t not in gone] + added
    data += list(reasoner.inferred())
    return {"data": data, "changes": sorted(changed), "undo_add": removed,
            "undo_remove": added}


EXAMPLES: list[str] = []


def compare_triples(expected: set, got: set, label: str = "") -> str:
    if expected == got:
        return "equal"
    from stdgraph.validation.report import compact

    for what, diff in (("missing", expected - got), ("extra", got - expected)):
        by_kind: dict[str, list] = {}
        for t in sorted(diff, key=str):
            by_kind.setdefault(_kind(t), []).append(t)
        for kind, ts in by_kind.items():
            EXAMPLES.append(f"- {label}, {what}, {kind} ({len(ts):,}): " + "; ".join(
                " ".join(compact(x) or "" for x in t) for t in ts[:2]))
    parts = []
    for what, diff in (("missing", expected - got), ("extra", got - expected)):
        if diff:
            kinds = Counter(_kind(t) for t in diff).most_common(6)
            parts.append(f"{len(diff):,} {what} (" + ", ".join(f"{k} {v:,}" for k, v in kinds)
                         + ")")
    return "; ".join(parts)


def _kind(t: tuple) -> str:
    from stdgraph.validation.report import compact

    p = compact(t[1]) or ""
    if t[1] == RDF.type:
        p += " " + (compact(t[2]) or "")
    if isinstance(t[0], BNode) or isinstance(t[2], BNode):
        p += " (blank node)"
    return p


def compare_results(expected: list, got: list, label: str = "") -> str:
    a = Counter(tuple(k) for k in expected)
    b = Counter(tuple(k) for k in got)
    if a == b:
        return "equal"
    if label:
        for what, diff in (("missing", a - b), ("extra", b - a)):
            for k in sorted(diff.elements(), key=str)[:4]:
                EXAMPLES.append(f"- {label}, {what}: {' | '.join(str(x) for x in k)}")
    parts = []
    for what, diff in (("missing", a - b), ("extra", b - a)):
        if diff:
            shapes = Counter(k[3] or "?" for k in diff.elements()).most_common(4)
            parts.append(f"{sum(diff.values()):,} {what} ("
                         + ", ".join(f"{s} {v}" for s, v in shapes) + ")")
    return "; ".join(parts)


def cell(r: dict, key: str = "seconds", fmt: str = "{:.3f}") -> str:
    if "error" in r:
        return r["error"]
    if "skipped" in r:
        return r["skipped"]
    text = fmt.format(r[key])
    return text + (f" ({r['runs']} run)" if key == "seconds" and r.get("runs") == 1 else "")


def mem(r: dict) -> str:
    if "peak" not in r:
        return ""
    return f"{r['peak']:.0f} ({r['peak'] - r.get('before', 0):+.0f})"


def bench_inference(args, specs, work: Path, budget: Budget) -> list[str]:
    rows = ["| input | asserted | engine | time (s) | peak RSS MiB (engine's part) "
            "| new informative triples | vs rules |",
            "| --- | ---: | --- | ---: | ---: | ---: | --- |"]
    for spec in specs:
        if spec["faults"]:
            continue
        outs, results = {}, {}
        for engine in INFERENCE:
            skip = budget.skip("inference", engine, spec["triples"])
            out = work / f"inferred.{engine}.nt"
            r = {"skipped": skip} if skip else repeated(
                args, "inference", engine, spec["asserted"], str(out), timeout=args.timeout)
            budget.note("inference", engine, spec["triples"], r)
            results[engine] = r
            if "triples" in r:
                outs[engine] = {norm(t) for t in read_nt(out)}
            print(f"  inference {spec['label']} {engine}: {cell(r)}", flush=True)
        for engine in INFERENCE:
            r = results[engine]
            same = (compare_triples(outs["rules"], outs[engine], f"{spec['label']}, {engine}")
                    if engine in outs and "rules" in outs else "")
            rows.append(f"| {spec['label']} | {spec['triples']:,} | {engine} | {cell(r)} "
                        f"| {mem(r)} | {cell(r, 'triples', '{:,}')} | {same} |")
    return rows


def bench_incremental_inference(args, specs, budget: Budget) -> list[str]:
    rows = ["| input | engine | remove one standard (s) | add it back (s) | how "
            "| back to the same closure |", "| --- | --- | ---: | ---: | --- | --- |"]
    how = {"rules": "Reasoner.update (DRed / semi-naive)",
           "reasonable": "update_graph (removal: full re-materialisation) / from_graph + reason",
           "owlrl": "full re-run"}
    for spec in specs:
        if not spec["n"] or spec["faults"]:
            continue
        standard = generate.standard_iri(spec["n"] // 2)
        for engine in INFERENCE:
            skip = budget.skip("inference", engine, spec["triples"])
            if engine == "owlrl":  # a full re-run each way: its batch time, not run again
                batch = budget.seen.get(("inference", engine))
                r = ({"remove": batch[1], "add": batch[1], "same": "(batch time)"}
                     if batch and batch[0] == spec["triples"] else {"skipped": skip or "n/a"})
            else:
                r = {"skipped": skip} if skip else repeated(
                    args, "incremental-inference", engine, spec["asserted"], standard,
                    timeout=args.timeout)
            rows.append(f"| {spec['label']} | {engine} | {cell(r, 'remove', '{:.4f}')} "
                        f"| {cell(r, 'add', '{:.4f}')} | {how[engine]} "
                        f"| {r.get('same', '')} |")
            print(f"  incremental inference {spec['label']} {engine}: "
                  f"{cell(r, 'remove')} / {cell(r, 'add')}", flush=True)
    return rows


def bench_manifest(args, work: Path) -> list[str]:
    rows = ["| engine | cases | time, all cases (s) | results | vs pyshacl |",
            "| --- | ---: | ---: | ---: | --- |"]
    outs, results = {}, {}
    for engine in VALIDATION:
        out = work / f"manifest.{engine}.json"
        r = repeated(args, "manifest", engine, str(out), timeout=args.timeout)
        results[engine] = r
        if "error" not in r:
            outs[engine] = json.loads(out.read_text())
        print(f"  manifest {engine}: {cell(r)}", flush=True)
    for engine in VALIDATION:
        r = results[engine]
        if engine in outs and "pyshacl" in outs:
            diff = []
            for case, keys in outs["pyshacl"].items():
                verdict = compare_results(keys, outs[engine].get(case, []),
                                          f"manifest {case}, {engine}")
                if verdict != "equal":
                    diff.append(f"{case}: {verdict}")
            same = "equal" if not diff else f"{len(diff)} cases differ: " + "; ".join(diff[:6])
        else:
            same = ""
        rows.append(f"| {engine} | {r.get('cases', '')} | {cell(r)} "
                    f"| {cell(r, 'results', '{:,}')} | {same} |")
    return rows


def bench_validation(args, specs, work: Path, ontology: str, budget: Budget) -> list[str]:
    rows = ["| input | data triples | engine | time (s) | peak RSS MiB (engine's part) "
            "| results | vs pyshacl |", "| --- | ---: | --- | ---: | ---: | ---: | --- |"]
    for spec in specs:
        outs, results = {}, {}
        for engine in VALIDATION:
            skip = budget.skip("validation", engine, spec["data_triples"])
            out = work / f"results.{engine}.json"
            r = {"skipped": skip} if skip else repeated(
                args, "validation", engine, spec["data"], ontology, str(out),
                timeout=args.timeout)
            budget.note("validation", engine, spec["data_triples"], r)
            results[engine] = r
            if "results" in r:
                outs[engine] = json.loads(out.read_text())
            print(f"  validation {spec['label']} {engine}: {cell(r)}", flush=True)
        for engine in VALIDATION:
            r = results[engine]
            same = (compare_results(outs["pyshacl"], outs[engine], f"{spec['label']}, {engine}")
                    if engine in outs and "pyshacl" in outs else "")
            rows.append(f"| {spec['label']} | {spec['data_triples']:,} | {engine} | {cell(r)} "
                        f"| {mem(r)} | {cell(r, 'results', '{:,}')} | {same} |")
    return rows


def bench_incremental_validation(args, specs, work: Path, ontology: str, budget: Budget
                                 ) -> list[str]:
    rows = ["| input | change | engine | time (s) | what runs | results on stdgraph's focus "
            "nodes | vs stdgraph |", "| --- | --- | --- | ---: | --- | ---: | --- |"]
    for spec in specs:
        if "add" not in spec:
            continue
        for kind in ("add", "remove"):
            outs, results = {}, {}
            for engine in VALIDATION:
                skip = budget.skip("validation", engine, spec["data_triples"])
                out = work / f"inc.{engine}.json"
                r = {"skipped": skip} if skip else repeated(
                    args, "incremental-validation", engine, spec[kind]["data"], ontology,
                    spec[kind]["changes"], str(out), timeout=args.timeout)
                results[engine] = r
                if "results" in r:
                    outs[engine] = json.loads(out.read_text())
                print(f"  incremental validation {spec['label']} {kind} {engine}: {cell(r)}",
                      flush=True)
            focus = set(outs["stdgraph"]["focus"]) if "stdgraph" in outs else set()
            for engine in VALIDATION:
                r = results[engine]
                keys = [k for k in outs[engine]["keys"] if k[1] in focus] \
                    if engine in outs else []
                same = (compare_results(outs["stdgraph"]["keys"], keys)
                        if engine in outs and "stdgraph" in outs else "")
                what = (f"scoped: {len(focus):,} nodes" if engine == "stdgraph"
                        else "full re-run")
                rows.append(f"| {spec['label']} | {kind} one standard | {engine} | {cell(r)} "
                            f"| {what} | {len(keys) if engine in outs else ''} | {same} |")
    return rows


def bench_updates(args, specs, work: Path) -> list[str]:
    from writes import setup

    rows = ["| input | update | engine | time (s) | of which the update itself (s) | delta (+/-) "
            "| same delta |", "| --- | --- | --- | ---: | ---: | ---: | --- |"]
    project = Project.locate(REPO)
    for spec in specs:
        if not spec["n"] or spec["faults"]:
            continue
        n = spec["n"]
        store = setup(work, n, project)
        store.close()
        folder = str(work / f"store-{n}")
        for which in update_texts(n):
            results = {e: repeated(args, "update", e, folder, str(n), which,
                                   timeout=args.timeout) for e in UPDATES}
            for e in UPDATES:
                r = results[e]
                same = ("yes" if results["guarded"].get("delta") == r.get("delta") else "NO")
                part = f"{r['update']:.3f}" if r.get("update") is not None else ""
                rows.append(f"| {spec['label']} | {which} | {e} | {cell(r)} | {part} "
                            f"| {cell(r, 'added', '{:,}')}/{cell(r, 'removed', '{:,}')} "
                            f"| {same} |")
                print(f"  update {spec['label']} {which} {e}: {cell(r)}", flush=True)
        guarded = run_child("update", "guarded", folder, str(n), "runaway",
                            timeout=args.kill_after)
        native = run_child("update", "native", folder, str(n), "runaway",
                           timeout=args.kill_after)
        stop = (f"stopped by its limit after {guarded['seconds']:.2f} s"
                if guarded.get("stopped") else cell(guarded))
        rows.append(f"| {spec['label']} | runaway (2 s limit) | guarded | {stop} | | | |")
        rows.append(f"| {spec['label']} | runaway (2 s limit) | native | "
                    f"{cell(native)} (no limit: pyoxigraph's update cannot be stopped) | | | |")
    return rows


def bench_urlencoded(args) -> list[str]:
    """``api.http.parse_urlencoded`` against ``urllib.parse.parse_qs`` (the same contract:
    repeated keys kept, blank values kept, strict UTF-8), on what the endpoint reads most: a
    SPARQL point lookup in a GET query string, and a form body with a 2 kB update. Pure CPU,
    in this process: the median of ``--repeat`` rounds of 2,000 calls."""
    import timeit
    from urllib.parse import parse_qs, quote

    from stdgraph.api.http import parse_urlencoded

    lookup = ("SELECT ?p ?o WHERE { <https://w3id.org/stdgraph/id/standard/iec-62264> ?p ?o } "
              "LIMIT 100")
    update = "PREFIX sg: <https://w3id.org/stdgraph/ontology#>\nINSERT DATA { " + " ".join(
        f'<https://example.org/s{i}> sg:identifier "S {i} é" .' for i in range(40)) + " }"
    inputs = {"GET point lookup (query string)": f"query={quote(lookup)}&format=json",
              "POST form, 2 kB update": f"update={quote(update)}&using-graph-uri=g%3A1"}
    rows = ["| input | bytes | parse_urlencoded (us) | urllib.parse.parse_qs (us) "
            "| same result |", "| --- | ---: | ---: | ---: | --- |"]
    for label, text in inputs.items():
        raw = text.encode()
        ours = statistics.median(timeit.repeat(lambda raw=raw: parse_urlencoded(raw),
                                               number=2000, repeat=args.repeat)) / 2000
        std = statistics.median(timeit.repeat(
            lambda text=text: parse_qs(text, keep_blank_values=True, errors="strict"),
            number=2000, repeat=args.repeat)) / 2000
        same = parse_urlencoded(raw) == parse_qs(text, keep_blank_values=True, errors="strict")
        rows.append(f"| {label} | {len(raw):,} | {ours * 1e6:.1f} | {std * 1e6:.1f} "
                    f"| {'yes' if same else 'NO'} |")
    return rows


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "child":
        print(json.dumps(CHILDREN[sys.argv[2]](*sys.argv[3:])))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000",
                    type=lambda s: [int(x) for x in s.split(",") if x])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=",".join(TASKS),
                    help=f"comma-separated, of: {', '.join(TASKS)}")
    ap.add_argument("--i40kg", type=Path, default=DEFAULT_I40KG)
    ap.add_argument("--budget", type=float, default=600.0,
                    help="seconds one run may be expected to take before it is skipped")
    ap.add_argument("--timeout", type=float, default=1800.0, help="kill a child after this")
    ap.add_argument("--slow", type=float, default=60.0,
                    help="a run longer than this is not repeated (the table gives the runs)")
    ap.add_argument("--skip-engines", default="", type=lambda s: set(s.split(",")) - {""})
    ap.add_argument("--synthetic-only", action="store_true",
                    help="leave out the bundled graph and bundled + I40KG (a run at 100k)")
    ap.add_argument("--no-faults", action="store_true",
                    help="no faulty copy of the first synthetic size")
    ap.add_argument("--kill-after", type=float, default=30.0,
                    help="seconds the native runaway update may run before it is killed")
    args = ap.parse_args()
    only = set(args.only.split(","))
    versions = {}
    for dist in ("pyoxigraph", "rdflib", "owlrl", "pyshacl", "reasonable", "pyshacl-turbo",
                 "pyrudof"):
        from importlib.metadata import PackageNotFoundError, version

        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB, "
          f"python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}; "
          + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"command: python benchmarks/engines.py {' '.join(sys.argv[1:])}", flush=True)
    budget = Budget(args.budget)
    tables: list[tuple[str, list[str]]] = []
    with tempfile.TemporaryDirectory(prefix="stdgraph-engines-") as tmp:
        work = Path(tmp)
        if "manifest" in only:
            tables.append(("Validation: the shapes' test manifest", bench_manifest(args, work)))
        specs = inputs(args, work)
        ontology = str(work / "ontology.nt")
        if "inference" in only:
            tables.append(("Inference", bench_inference(args, specs, work, budget)))
        if "incremental-inference" in only:
            tables.append(("Inference, incremental",
                           bench_incremental_inference(args, specs, budget)))
        if "validation" in only:
            tables.append(("Validation, whole graphs",
                           bench_validation(args, specs, work, ontology, budget)))
        if "incremental-validation" in only:
            tables.append(("Validation, incremental", bench_incremental_validation(
                args, specs, work, ontology, budget)))
        if "updates" in only:
            tables.append(("Updates", bench_updates(args, specs, work)))
        if "urlencoded" in only:
            tables.append(("The urlencoded reader", bench_urlencoded(args)))
    for title, rows in tables:
        print(f"\n## {title}\n")
        print("\n".join(rows))
    if EXAMPLES:
        print("\n## Differences, by kind (two examples each)\n")
        print("\n".join(EXAMPLES))
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
