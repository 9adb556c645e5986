"""Peak memory of the rules engine: ``Reasoner`` built over synthetic graphs of N standards.

For each size, the synthetic N-Triples (``benchmarks/generate.py``, seed 42) are written to a
temporary file; a child process then streams the bundled ontology plus that file (parsed by
pyoxigraph, converted to rdflib terms one triple at a time, as ``stdgraph load`` and the build
feed it) into ``Reasoner`` and lists ``inferred()``. The child reports its resident memory
before the build (interpreter, imports, ontology), its peak (``ru_maxrss``) and what the
reasoner still holds afterwards, so the figures are the reasoner's own, not the input's.

    python benchmarks/inference_memory.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import gc, json, resource, sys, time
from pathlib import Path
import pyoxigraph as ox
from stdgraph.change.build import load_project
from stdgraph.project import Project
from stdgraph.rdf.io import to_rdflib
from stdgraph.reasoning.rules import Reasoner

def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

ontology = list(load_project(Project.locate(Path(sys.argv[1]))).ontology_graph())

def asserted():
    yield from ontology
    for t in ox.parse(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES):
        yield to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)

gc.collect()
before = rss_mib()
t0 = time.perf_counter()
reasoner = Reasoner(asserted())
built = time.perf_counter() - t0
inferred = sum(1 for _ in reasoner.inferred())
gc.collect()
print(json.dumps({
    "before": before, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "held": rss_mib() - before, "seconds": built, "asserted": len(reasoner.base),
    "closure": len(reasoner), "inferred": inferred, "terms": len(reasoner.terms)}))
"""


def measure(standards: int, workdir: Path) -> dict:
    path = workdir / f"synthetic-{standards}.nt"
    generate.write(path, standards)
    out = subprocess.run([sys.executable, "-c", CHILD, str(REPO), str(path)],
                         check=True, capture_output=True, text=True).stdout
    path.unlink()
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print("| standards | asserted | closure | inferred | terms | build (s) "
          "| RSS before (MiB) | peak - before (MiB) | held after (MiB) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(x) for x in args.sizes.split(",") if x]:
            m = measure(n, Path(tmp))
            print(f"| {n:,} | {m['asserted']:,} | {m['closure']:,} | {m['inferred']:,} "
                  f"| {m['terms']:,} | {m['seconds']:.2f} | {m['before']:.0f} "
                  f"| {m['peak'] - m['before']:.0f} | {m['held']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
