"""The reports' filters as a query worker runs them, without HTTP: each analysis first
unfiltered (what a worker's warm-up makes), then with each filter - the element with most
standards, the median one, the two with most, the barrier with most, status Published with the
top element - twice: the first request (which makes the filter's own values: a pair index, the
clusters' member counts, the filtered conflicts) and the next (from those kept). Run in one
process on a ``DeadlineStore`` with the runner's ``StateCache``; prints ms and the peak RSS.

    python benchmarks/report_filters.py /tmp/pages-bench/sto-100000 [--limit 51]
"""

from __future__ import annotations

import argparse
import resource
import time

from stdgraph.analysis import run
from stdgraph.deadline import Deadline
from stdgraph.store import OxigraphStore
from stdgraph.store.bounded import DeadlineStore, StateCache

SG = "https://w3id.org/stdgraph/ontology#"
ANALYSES = ("overlaps", "clusters", "conflicts", "gaps")


def most_used(store: OxigraphStore, prop: str) -> list[tuple[str, int]]:
    """(object, how many subjects link to it) for ``prop``, most first."""
    rows = store.query(f"SELECT ?o (COUNT(?s) AS ?n) WHERE {{ ?s <{SG}{prop}> ?o }} "
                       "GROUP BY ?o ORDER BY DESC(?n) ?o").rows
    return [(str(o), int(n)) for o, n in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--limit", default="51", help="the analyses' limit (a page asks 51)")
    args = ap.parse_args()
    store = OxigraphStore(args.store, read_only=True)
    cache = StateCache()

    def kept() -> DeadlineStore:
        return DeadlineStore(store, Deadline(None), cache)

    elements = most_used(store, "classifiedIn")
    barriers = most_used(store, "addressesBarrier")
    (top, n_top), (median, n_median) = elements[0], elements[len(elements) // 2]
    filters = [(f"element with most standards ({n_top:,})", {"element": top}),
               (f"median element ({n_median:,})", {"element": median}),
               ("two elements with most", {"element": [top, elements[1][0]]}),
               ("status Published + top element", {"status": SG + "Published", "element": top})]
    if barriers:
        filters.insert(3, (f"barrier with most standards ({barriers[0][1]:,})",
                           {"barrier": barriers[0][0]}))

    def timed(name: str, params: dict) -> tuple[float, float, int]:
        t0 = time.perf_counter()
        doc = run(name, kept(), {"limit": args.limit, **params})
        t1 = time.perf_counter()
        run(name, kept(), {"limit": args.limit, **params})
        t2 = time.perf_counter()
        return 1000 * (t1 - t0), 1000 * (t2 - t1), len(doc.items)

    print(f"{len(elements)} elements in use; {len(barriers)} barriers linked")
    print("| analysis | filter | first (ms) | next (ms) | items | peak RSS (MiB) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name in ANALYSES:
        first, nxt, n = timed(name, {})
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"| {name} | none | {first:,.1f} | {nxt:,.1f} | {n} | {rss} |", flush=True)
    for name in ANALYSES:
        for label, params in filters:
            first, nxt, n = timed(name, params)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"| {name} | {label} | {first:,.1f} | {nxt:,.1f} | {n} | {rss} |",
                  flush=True)
    store.close()


if __name__ == "__main__":
    main()
