"""The build, phase by phase (parse, infer, validate, load), on the bundled graph and on synthetic
projects of 1k, 10k and 100k standards, next to the reference tools on the same input in the
same run:

- infer: owlrl's full OWL-RL closure (``reasoning.infer.owlrl_closure``) of ontology + data;
- validate: plain pyshacl (``pyshacl.validate`` with advanced=True: SHACL-SPARQL in rdflib's
  engine, the ontology as ``ont_graph``) of data + inferred - the results stdgraph's validation
  must equal (the "same results" column compares them, result for result).

stdgraph's figures are ``stdgraph.change.build.build`` into a fresh embedded Oxigraph store (its
own timings). Each reference runs in a child process that first reads its input (not timed)
and is stopped after ``--timeout`` seconds: "> N s (stopped)".

A synthetic project is ``benchmarks/generate.py``'s graph (seed 42) as two N-Triples files
(architectures, standards) next to copies of the repository's ontology/ and shapes/;
``--shapes FILE`` puts another shapes file in its place.

    python benchmarks/build.py [--sizes bundled,1000,10000,100000] [--repeat 3] [--timeout 300]
                               [--shapes FILE] [--no-references]

Medians of ``--repeat`` builds (one above 10k standards).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from stdgraph.change.build import build  # noqa: E402
from stdgraph.project import Project  # noqa: E402
from stdgraph.store import OxigraphStore  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PHASES = ("parse", "infer", "validate", "load")


def make_project(root: Path, standards: int | None, shapes: Path | None) -> Project:
    """The bundled project (standards=None) or a synthetic one, in ``root``."""
    for sub in ("ontology", "shapes") + (("data",) if standards is None else ()):
        shutil.copytree(REPO / sub, root / sub)
    if shapes is not None:
        shutil.copyfile(shapes, root / "shapes" / "stdgraph-shapes.ttl")
    if standards is not None:
        (root / "data" / "bench").mkdir(parents=True)
        files = {generate.ARCH_GRAPH: root / "data" / "bench" / "architectures.nt",
                 generate.STANDARDS_GRAPH: root / "data" / "bench" / "standards.nt"}
        handles = {g: open(p, "w", encoding="utf-8") for g, p in files.items()}
        try:
            for s, p, o, g in generate.quads(standards):
                handles[g].write(f"{s} {p} {o} .\n")
        finally:
            for h in handles.values():
                h.close()
    return Project.locate(root)


def verdicts(report) -> list[tuple]:
    return sorted((r.severity, r.focus, r.shape or "", r.path or "", r.value or "")
                  for r in report.results)


# -- the references, each in a child process ----------------------------------------------------

def _reference_child(kind: str, root: str, conn) -> None:
    """Read the project (not timed), tell the parent, then time the reference and send
    (seconds, summary)."""
    from pyshacl import validate as pyshacl_validate

    from stdgraph.change.build import load_project
    from stdgraph.reasoning.infer import owlrl_closure
    from stdgraph.validation.report import _to_report

    loaded = load_project(Project.locate(root))
    asserted = loaded.union()
    if kind == "owlrl":
        conn.send("ready")
        t0 = time.perf_counter()
        closure = owlrl_closure(asserted)
        conn.send((time.perf_counter() - t0, len(closure)))
        return
    from stdgraph.reasoning.rules import Reasoner

    data = loaded.union(include_ontology=False)
    for t in Reasoner(asserted).inferred():
        data.add(t)
    ontology = loaded.ontology_graph()
    conn.send("ready")
    t0 = time.perf_counter()
    _c, report_graph, _t = pyshacl_validate(data, shacl_graph=loaded.shapes, ont_graph=ontology,
                                            inference="none", advanced=True,
                                            allow_warnings=True)
    seconds = time.perf_counter() - t0
    conn.send((seconds, verdicts(_to_report(report_graph, loaded.shapes, None))))


def reference(kind: str, root: Path, timeout: float) -> tuple[float | None, object]:
    """(seconds, summary), or (None, None) when stopped after ``timeout`` seconds."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_reference_child, args=(kind, str(root), child))
    proc.start()
    try:
        if parent.recv() != "ready":
            raise RuntimeError("reference child failed")
        if parent.poll(timeout):
            return parent.recv()
        return None, None
    finally:
        proc.kill()
        proc.join()


def seconds_text(t: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} s (stopped)" if t is None else f"{t:.2f} s"


def ratio_text(ref: float | None, ours: float, timeout: float) -> str:
    return f"> {timeout / ours:.0f}x" if ref is None else f"{ref / ours:.0f}x"


def measure(label: str, standards: int | None, args) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "project", standards, args.shapes)
        runs = 1 if (standards or 0) > 10_000 else args.repeat
        timings: dict[str, list[float]] = {p: [] for p in PHASES}
        result = None
        for i in range(runs):
            store = OxigraphStore(Path(tmp) / f"store-{i}")
            result = build(project, store)
            store.close()
            shutil.rmtree(Path(tmp) / f"store-{i}")
            for p in PHASES:
                timings[p].append(result.timings[p])
        med = {p: statistics.median(v) for p, v in timings.items()}
        total = sum(med.values())
        inferred = result.graphs.get("https://w3id.org/stdgraph/graph/inferred", 0)
        asserted = result.total - inferred - result.graphs.get(
            "https://w3id.org/stdgraph/graph/meta", 0)
        print(f"{label}: built in {total:.2f} s ({runs} run(s)); {asserted:,} asserted, "
              f"{inferred:,} inferred; {len(result.report.violations)} violation(s), "
              f"{len(result.report.warnings)} warning(s)", flush=True)
        row = (f"| {label} | {asserted:,} | {inferred:,} | "
               + " | ".join(f"{med[p]:.2f}" for p in PHASES) + f" | **{total:.2f}** |")
        if not args.references:
            return row + " not run | | not run | | |"
        t_owl, _closure = reference("owlrl", project.root, args.timeout)
        print(f"  owlrl: {seconds_text(t_owl, args.timeout)}", flush=True)
        t_shacl, ref_verdicts = reference("pyshacl", project.root, args.timeout)
        print(f"  pyshacl: {seconds_text(t_shacl, args.timeout)}", flush=True)
        same = "-" if ref_verdicts is None else (
            "yes" if ref_verdicts == verdicts(result.report) else "NO")
    return (row + f" {seconds_text(t_owl, args.timeout)} | "
            f"{ratio_text(t_owl, med['infer'], args.timeout)} | "
            f"{seconds_text(t_shacl, args.timeout)} | "
            f"{ratio_text(t_shacl, med['validate'], args.timeout)} | {same} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="bundled,1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before a reference run is stopped")
    ap.add_argument("--shapes", type=Path, default=None,
                    help="shapes file to use instead of shapes/stdgraph-shapes.ttl")
    ap.add_argument("--no-references", dest="references", action="store_false",
                    help="time stdgraph's build only")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}; shapes: {args.shapes or 'the repository'}")
    rows = []
    for size in args.sizes.split(","):
        standards = None if size == "bundled" else int(size)
        label = "bundled graph" if standards is None else f"{standards:,} standards"
        rows.append(measure(label, standards, args))
    print("\n| input | asserted | inferred | parse (s) | infer (s) | validate (s) | load (s) "
          "| build (s) | owlrl closure | owlrl / infer | pyshacl validation | "
          "pyshacl / validate | same results |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| --- |")
    print("\n".join(rows))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of the builds: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
