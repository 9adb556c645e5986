"""Time the build stages (parse, infer, validate, load) on the bundled graph, and on the bundled
graph plus the raw I40KG file, next to the reference tools run on the same input in the same run:

- parse: stdgraph (pyoxigraph parser -> rdflib terms) vs rdflib's own Turtle parser;
- infer: stdgraph.inference.infer (owlrl + filtering) vs a plain owlrl DeductiveClosure;
- validate: stdgraph's run_validation vs plain pyshacl.validate on the same closed data;
- infer+validate: both stages vs pyshacl.validate(inference="owlrl") doing inference and
  validation in one call, as pySHACL's own CLI does;
- load: stdgraph's atomic OxigraphStore.replace_all vs pyoxigraph's Store.bulk_load of the Turtle.

Usage: python benchmarks/build.py [--i40kg PATH] [--repeat N]
Prints one table per input; medians over N runs (default 3).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

import owlrl
import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import Graph

from stdgraph.inference import infer
from stdgraph.namespaces import INFERRED_GRAPH
from stdgraph.pipeline import LoadedProject, load_project, parse_file
from stdgraph.project import Project
from stdgraph.store import OxigraphStore
from stdgraph.validation import run_validation
from timing import median_time  # noqa: E402 - sibling module

REPO = Path(__file__).resolve().parents[1]
DEFAULT_I40KG = REPO.parent / "shared" / "data" / "i40kg" / "i40kg.ttl"



def measure(label: str, loaded: LoadedProject, files: list[Path], repeat: int) -> None:
    asserted = loaded.union()
    print(f"\n## {label}: {len(files)} files, {len(asserted)} asserted triples")
    rows = []

    def parse_ours():
        return [parse_file(f, f.name) for f in files]

    def parse_rdflib():
        return [Graph().parse(f) for f in files]

    rows.append(("parse", median_time(parse_ours, repeat)[0],
                 median_time(parse_rdflib, repeat)[0], "rdflib parser"))

    t_ours, inferred = median_time(lambda: infer(asserted), repeat)

    def plain_owlrl():
        g = Graph()
        for t in asserted:
            g.add(t)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
        return g

    rows.append(("infer", t_ours, median_time(plain_owlrl, repeat)[0], "owlrl closure"))

    data = loaded.union(include_ontology=False)
    for t in inferred:
        data.add(t)
    ontology = loaded.ontology_graph()
    t_val, report = median_time(
        lambda: run_validation(data, loaded.shapes, ontology=ontology), repeat)
    def plain_pyshacl():
        return pyshacl_validate(data, shacl_graph=loaded.shapes, ont_graph=ontology,
                                inference="none", advanced=True, allow_warnings=True)

    rows.append(("validate", t_val, median_time(plain_pyshacl, repeat)[0],
                 "pyshacl, same closed data"))

    plain = loaded.union(include_ontology=False)

    def pyshacl_end_to_end():
        return pyshacl_validate(plain, shacl_graph=loaded.shapes, ont_graph=ontology,
                                inference="owlrl", advanced=True, allow_warnings=True)

    rows.append(("infer+validate", t_ours + t_val, median_time(pyshacl_end_to_end, repeat)[0],
                 "pyshacl inference=owlrl"))

    graphs = {**loaded.ontology, **loaded.data, INFERRED_GRAPH: inferred}

    def load_ours():
        with tempfile.TemporaryDirectory() as d:
            OxigraphStore(Path(d) / "s").replace_all(graphs)

    def load_reference():
        with tempfile.TemporaryDirectory() as d:
            st = ox.Store(str(Path(d) / "s"))
            for f in files:
                st.bulk_load(path=str(f), to_graph=ox.NamedNode("urn:g:" + f.name))
            del st

    rows.append(("load", median_time(load_ours, repeat)[0], median_time(load_reference, repeat)[0],
                 "pyoxigraph bulk_load"))

    print(f"inferred {len(inferred)} triples; {len(report.violations)} violation(s), "
          f"{len(report.warnings)} warning(s)")
    print("| stage | stdgraph (s) | reference (s) | reference | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for stage, ours, ref, name in rows:
        print(f"| {stage} | {ours:.3f} | {ref:.3f} | {name} | {ours / ref:.2f} |")
    total = sum(r[1] for r in rows if r[0] != "infer+validate")
    print(f"| total | {total:.3f} | | | |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--i40kg", type=Path, default=DEFAULT_I40KG)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")

    project = Project.locate(None)
    loaded = load_project(project)
    files = project.ontology_files + project.data_files
    measure("bundled graph", loaded, files, args.repeat)

    if args.i40kg.is_file():
        loaded.data["urn:i40kg"] = parse_file(args.i40kg, "i40kg.ttl")
        loaded.files["urn:i40kg"] = "i40kg.ttl"
        measure("bundled graph + I40KG", loaded, [*files, args.i40kg], 1)
    else:
        print(f"\n(no I40KG file at {args.i40kg}; skipped the second input)")


if __name__ == "__main__":
    main()
