"""The STO (I40KG) import path at 1k, 10k and 100k standards: ``stdgraph.importers.sto.
import_sto`` of ``benchmarks/generate.py``'s STO variant (seed 42) into a fresh embedded
Oxigraph store, phase by phase (its own timings: parse, links to the bundled graph's curated
resources, map, write), next to pyoxigraph's ``bulk_load`` of the same file into a fresh store
in the same run (reading and writing the triples without mapping them: a floor, not a
competitor). Each import is checked: one sg:Standard per sto:Standard.

    python benchmarks/sto.py [--sizes 1000,10000,100000] [--repeat 3]

Medians of ``--repeat`` runs (one above 10k standards).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402

import generate  # noqa: E402
from stdgraph.importers.sto import import_sto  # noqa: E402
from stdgraph.rdf.namespaces import SG  # noqa: E402
from stdgraph.store import OxigraphStore  # noqa: E402

PHASES = ("parse", "links", "map", "write")


def measure(size: int, repeat: int) -> str:
    runs = 1 if size > 10_000 else repeat
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sto-{size}.nt"
        lines = generate.write(path, size, vocabulary="sto")
        phases: dict[str, list[float]] = {p: [] for p in PHASES}
        totals, floors = [], []
        for i in range(runs):
            store = OxigraphStore(Path(tmp) / f"store-{i}")
            t0 = time.perf_counter()
            result = import_sto(store, path, name="bench")
            totals.append(time.perf_counter() - t0)
            for p in PHASES:
                phases[p].append(result.summary["timings"][p])
            standards = store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{result.graph}> "
                f"{{ ?s a <{SG.Standard}> }} }}").rows[0][0]
            if int(standards) != size:
                raise SystemExit(f"imported {standards} standards, expected {size}")
            triples = result.triples
            store.close()
            shutil.rmtree(Path(tmp) / f"store-{i}")

            t0 = time.perf_counter()
            floor = ox.Store(str(Path(tmp) / f"floor-{i}"))
            floor.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
            floor.flush()
            floors.append(time.perf_counter() - t0)
            del floor
            shutil.rmtree(Path(tmp) / f"floor-{i}")
    med = {p: statistics.median(v) for p, v in phases.items()}
    total, floor_t = statistics.median(totals), statistics.median(floors)
    print(f"{size:,} standards: {lines:,} STO triples -> {triples:,} in the import graph, "
          f"{total:.2f} s ({runs} run(s)); bulk_load {floor_t:.2f} s", flush=True)
    return (f"| {size:,} | {lines:,} | {triples:,} | "
            + " | ".join(f"{med[p]:.2f}" for p in PHASES)
            + f" | **{total:.2f}** | {floor_t:.2f} | {total / floor_t:.1f}x |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    rows = [measure(int(s), args.repeat) for s in args.sizes.split(",")]
    print("\n| standards | STO triples | import graph triples | parse (s) | links (s) | map (s) "
          "| write (s) | import (s) | bulk_load of the file (s) | import / bulk_load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
