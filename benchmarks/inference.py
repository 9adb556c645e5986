"""OWL 2 RL inference: the compiled rules (reasoning.rules) against owlrl, batch and incremental.

Inputs, in one run:

- the bundled graph (ontology + data), and the bundled graph plus the I40KG file;
- synthetic graphs of 1k, 10k and 100k standards (``benchmarks/generate.py``, seed 42) with the
  bundled ontology.

For each input:

- **rules**: ``stdgraph.reasoning.infer.infer(g, engine="rules")``, i.e. ``Reasoner(g)`` (encode,
  compile the schema, run the rules to the fixpoint) plus listing the informative new triples
  into an rdflib ``Graph`` - the whole of what the build calls; the closure part alone is shown
  too;
- **owlrl**: ``infer(g, engine="owlrl")``, the oracle, run where it finishes in reasonable time
  (inputs of at most ``--owlrl-max`` asserted triples, default 20,000; above that it is skipped
  and the table says so); the two results are compared triple for triple;
- **sparql**: the same instance rules written as SPARQL ``INSERT ... WHERE`` updates, run to a
  fixpoint inside an in-memory pyoxigraph store (bulk-loaded, not timed), the other way of
  running the rules the issue names; measured to justify the choice, not used by stdgraph. It
  covers the rules the synthetic data needs (sub-property, inverse, symmetric, domain, range,
  sub-class, transitive, the property chain; no owl:sameAs) and is run on the synthetic inputs
  only; its closure size is checked against the rules';
- **incremental** (synthetic inputs): for 20 standards, the update after deleting all triples
  with the standard as subject, and after adding them back (``Reasoner.update``), against the
  full closure; each delta is checked against the closure before the change.

Prints medians of ``--repeat`` runs (owlrl on the I40KG input and everything at 100k: one run)
and ratios. The reasoner's peak memory is measured separately, in child processes, by
``benchmarks/inference_memory.py``.

    python benchmarks/inference.py [--sizes 1000,10000,100000] [--repeat 3] [--owlrl-max 20000]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from rdflib import BNode, Graph  # noqa: E402
from rdflib.namespace import OWL, RDFS  # noqa: E402

import generate  # noqa: E402
from stdgraph.change.build import load_project, parse_file  # noqa: E402
from stdgraph.project import Project  # noqa: E402
from stdgraph.rdf.io import to_oxigraph, to_rdflib  # noqa: E402
from stdgraph.reasoning.infer import infer, is_informative  # noqa: E402
from stdgraph.reasoning.rules import Reasoner  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_I40KG = REPO.parent / "shared" / "data" / "i40kg" / "i40kg.ttl"
SGID_STANDARD = "https://w3id.org/stdgraph/id/standard/bench-"


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def as_graph(triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def synthetic(standards: int) -> list:
    data = "".join(generate.lines(standards)).encode()
    return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


# -- the SPARQL alternative -----------------------------------------------------------------------
def sparql_rules(ontology: Graph) -> list[str]:
    """The instance rules of the ontology's schema (compiled by stdgraph.reasoning.rules) as SPARQL
    updates over the default graph."""
    schema_reasoner = Reasoner(ontology)
    sch, term = schema_reasoner.schema, schema_reasoner.terms

    def n(i: int) -> str:
        return f"<{term[i]}>"

    def values(pairs) -> str:
        return " ".join(f"({n(a)} {n(b)})" for a, b in pairs)

    rules = []
    spo = [(p, q) for p, qs in sch.sup_p.items() for q in qs]
    if spo:
        rules.append(
            f"INSERT {{ ?s ?q ?o }} WHERE {{ VALUES (?p ?q) {{ {values(spo)} }} ?s ?p ?o }}")
    inv = [(p, q) for p, qs in sch.inv.items() for q in qs]
    if inv:
        rules.append(f"INSERT {{ ?o ?q ?s }} WHERE {{ VALUES (?p ?q) {{ {values(inv)} }} ?s ?p ?o "
                     "FILTER(!isLiteral(?o)) }")
    if sch.sym:
        vs = " ".join(n(p) for p in sch.sym)
        rules.append(f"INSERT {{ ?o ?p ?s }} WHERE {{ VALUES ?p {{ {vs} }} ?s ?p ?o "
                     "FILTER(!isLiteral(?o)) }")
    dom = [(p, c) for p, cs in sch.dom.items() for c in cs]
    rules.append(f"INSERT {{ ?s a ?c }} WHERE {{ VALUES (?p ?c) {{ {values(dom)} }} ?s ?p ?o }}")
    rng = [(p, c) for p, cs in sch.rng.items() for c in cs]
    rules.append(f"INSERT {{ ?o a ?c }} WHERE {{ VALUES (?p ?c) {{ {values(rng)} }} ?s ?p ?o "
                 "FILTER(!isLiteral(?o)) }")
    sco = [(c, d) for c, ds in sch.sup_c.items() for d in ds]
    rules.append(f"INSERT {{ ?s a ?d }} WHERE {{ VALUES (?c ?d) {{ {values(sco)} }} ?s a ?c }}")
    for p in sch.trans:
        rules.append(f"INSERT {{ ?x {n(p)} ?z }} WHERE {{ ?x {n(p)}+ ?z }}")
    for q, chains in sch.chains_to.items():
        for chain in chains:
            path = "/".join(n(p) for p in chain)
            rules.append(f"INSERT {{ ?x {n(q)} ?z }} WHERE {{ ?x {path} ?z }}")
    return rules


def sparql_fixpoint(ntriples: bytes, rules: list[str]) -> tuple[float, ox.Store]:
    """Load (not timed), then run every rule until the store stops growing."""
    db = ox.Store()
    db.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    t0 = time.perf_counter()
    size = len(db)
    while True:
        for r in rules:
            db.update(r)
        new = len(db)
        if new == size:
            break
        size = new
    return time.perf_counter() - t0, db


def sparql(label: str, asserted: Graph, inferred: Graph, rules: list[str], t_rules: float,
           repeat: int, rows: list) -> None:
    ntriples = "".join(
        " ".join(str(to_oxigraph(x)) for x in t) + " .\n" for t in asserted).encode()
    times = []
    for _ in range(repeat):
        gc.collect()
        seconds, db = sparql_fixpoint(ntriples, rules)
        times.append(seconds)
    # blank nodes are renamed by the round trip through N-Triples: compared without them
    derived = {t for q in db
               if not isinstance(q.object, ox.BlankNode)
               and (t := (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
               not in asserted and is_informative(t)}
    # the SPARQL rules leave out the schema closure (scm-*), which the rules compute in Python
    expected = {t for t in inferred if t[1] not in _SCHEMA and not isinstance(t[2], BNode)}
    same = "yes" if derived == expected else f"NO ({len(derived ^ expected)} differ)"
    t = statistics.median(times)
    rows.append((label, t, t_rules, len(derived), same))


# -- measurements ---------------------------------------------------------------------------------
def batch(label: str, asserted: Graph, repeat: int, owlrl_max: int, rows: list) -> Reasoner:
    t_rules, inferred = timed(lambda: infer(asserted, engine="rules"), repeat)
    t_closure, reasoner = timed(lambda: Reasoner(asserted), repeat)
    if len(asserted) <= owlrl_max:
        t_owlrl, expected = timed(lambda: infer(asserted, engine="owlrl"),
                                  repeat if len(asserted) < 10_000 else 1)
        same = "yes" if set(inferred) == set(expected) else "NO"
        rows.append((label, len(asserted), len(inferred), t_rules, t_closure, f"{t_owlrl:.3f}",
                     f"{t_owlrl / t_rules:.0f}x", same))
    else:
        rows.append((label, len(asserted), len(inferred), t_rules, t_closure,
                     f"skipped (> {owlrl_max:,} triples)", "", ""))
    return reasoner


def incremental(reasoner: Reasoner, asserted: list, label: str, rows: list) -> None:
    rng = random.Random(1)
    by_subject: dict = {}
    for t in asserted:
        if str(t[0]).startswith(SGID_STANDARD):
            by_subject.setdefault(t[0], []).append(t)
    picks = rng.sample(sorted(by_subject, key=str), min(20, len(by_subject)))
    t_del, t_add, sizes = [], [], []
    for s in picks:
        about = by_subject[s]
        before = set(reasoner.inferred()) if len(asserted) < 200_000 else None
        t0 = time.perf_counter()
        d1 = reasoner.update(removed=about)
        t_del.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        d2 = reasoner.update(added=about)
        t_add.append(time.perf_counter() - t0)
        sizes.append(len(d1.removed) + len(d1.added))
        assert not d1.recomputed and not d2.recomputed
        assert d1.removed == d2.added and d1.added == d2.removed
        if before is not None:
            assert before == set(reasoner.inferred())
    rows.append((label, len(picks), statistics.median(sizes),
                 statistics.median(t_del) * 1000, statistics.median(t_add) * 1000))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--owlrl-max", type=int, default=20_000)
    ap.add_argument("--i40kg", type=Path, default=DEFAULT_I40KG)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")

    batch_rows: list = []
    inc_rows: list = []
    sparql_rows: list = []
    loaded = load_project(Project.locate(REPO))
    ontology = loaded.ontology_graph()
    bundled = loaded.union()
    batch("bundled", bundled, args.repeat, args.owlrl_max, batch_rows)
    if args.i40kg.is_file():
        g = loaded.union()
        for t in parse_file(args.i40kg, "i40kg.ttl"):
            g.add(t)
        batch("bundled + I40KG", g, args.repeat, args.owlrl_max, batch_rows)
    else:
        print(f"(no I40KG file at {args.i40kg}; skipped that input)")

    rules = sparql_rules(ontology)
    for n in [int(x) for x in args.sizes.split(",") if x]:
        data = synthetic(n)
        asserted = as_graph([*ontology, *data])
        repeat = args.repeat if n < 100_000 else 1
        label = f"synthetic {n:,}"
        reasoner = batch(label, asserted, repeat, args.owlrl_max, batch_rows)
        incremental(reasoner, data, label, inc_rows)
        inferred = reasoner.inferred_graph()
        t_closure = batch_rows[-1][4]
        del reasoner
        gc.collect()
        sparql(label, asserted, inferred, rules, t_closure, repeat, sparql_rows)
        del asserted, data, inferred
        gc.collect()

    print("\n## Batch: infer(asserted) -> Graph of new informative triples")
    print("| input | asserted | inferred | rules (s) | of which closure (s) | owlrl (s) "
          "| owlrl / rules | same triples |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, a, i, t, c, o, ratio, same in batch_rows:
        print(f"| {label} | {a:,} | {i:,} | {t:.3f} | {c:.3f} | {o} | {ratio} | {same} |")
    print("\n## Incremental: one standard's triples deleted, then added back (Reasoner.update)")
    print("| input | standards | median delta (triples) | delete (ms) | add (ms) |")
    print("| --- | --- | --- | --- | --- |")
    for label, k, size, d, a in inc_rows:
        print(f"| {label} | {k} | {size:.0f} | {d:.2f} | {a:.2f} |")
    print("\n## The other engine: the same rules as SPARQL INSERT ... WHERE in pyoxigraph")
    print("| input | SPARQL fixpoint (s) | rules closure (s) | SPARQL / rules "
          "| informative triples | same as rules |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, ts, tr, size, same in sparql_rows:
        print(f"| {label} | {ts:.3f} | {tr:.3f} | {ts / tr:.1f}x | {size:,} | {same} |")
    print(f"\nmax RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


_SCHEMA = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
           OWL.equivalentProperty}


if __name__ == "__main__":
    main()
