"""Overlap analysis at 1k / 10k / 100k synthetic standards, against the plain SPARQL self-join.

For each size, in the same run and on the same embedded Oxigraph store (bulk-loaded from
``benchmarks/generate.py``'s deterministic graph):

- **document**: ``stdgraph.analysis.overlaps`` with its defaults (min_shared 2, limit 1000):
  the whole JSON-ready document, labels and evidence included (what the CLI and HTTP serve);
- **pairs**: only its pair engine - coverage from the store, then the top 1000 pairs (prefix
  filtering in numpy) - the part comparable with the two below;
- **reference**: one SPARQL query doing the same job the plain way in Oxigraph (median of
  ``--repeat`` runs at 1k, one run above) - a self-join on
  ``sg:classifiedIn`` grouped by pair, Jaccard from two counting sub-queries, ordered and cut at
  1000 rows - run in a child process so it can be stopped at ``--timeout`` seconds;
- **sparse** (only if scipy is installed, up to 10k): the sparse-matrix product M·Mᵀ of the
  standard x element incidence matrix, all pairs, then the top 1000 - the other approach the
  issue names, measured to justify the choice (it is not a dependency). Same coverage input.

Prints medians of ``--repeat`` runs and the reference/document ratio, and checks that the top
pairs of all three agree wherever the reference finished.

    python benchmarks/analysis.py [--sizes 1000,10000,100000] [--repeat 3] [--timeout 300]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
from stdgraph.analysis.overlaps import PairIndex, fetch_coverage, overlaps  # noqa: E402
from stdgraph.store import OxigraphStore  # noqa: E402
from timing import median_time  # noqa: E402 - sibling module

LIMIT = 1000

REFERENCE = """PREFIX sg: <https://w3id.org/stdgraph/ontology#>
SELECT ?a ?b ?shared ?score WHERE {
  {
    SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?shared) WHERE {
      ?a sg:classifiedIn ?e .
      ?b sg:classifiedIn ?e .
      FILTER(STR(?a) < STR(?b))
    }
    GROUP BY ?a ?b
    HAVING (COUNT(DISTINCT ?e) >= 2)
  }
  { SELECT ?a (COUNT(DISTINCT ?ea) AS ?na) WHERE { ?a sg:classifiedIn ?ea } GROUP BY ?a }
  { SELECT ?b (COUNT(DISTINCT ?eb) AS ?nb) WHERE { ?b sg:classifiedIn ?eb } GROUP BY ?b }
  BIND(?shared / (?na + ?nb - ?shared) AS ?score)
}
ORDER BY DESC(?score) DESC(?shared) ?a ?b
LIMIT """ + str(LIMIT) + "\n"


def _reference_child(store_dir: str, conn) -> None:
    import pyoxigraph as ox

    from stdgraph.store import OxigraphStore

    st = OxigraphStore(store_dir, read_only=True)
    db: ox.Store = st.db
    t0 = time.perf_counter()
    rows = [(s["a"].value, s["b"].value, int(s["shared"].value))
            for s in db.query(REFERENCE, use_default_graph_as_union=True)]
    conn.send((time.perf_counter() - t0, rows))


def reference(store_dir: str, timeout: float) -> tuple[float | None, list]:
    """(seconds, rows) or (None, []) when stopped at the timeout."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_reference_child, args=(store_dir, child))
    proc.start()
    if parent.poll(timeout):
        seconds, rows = parent.recv()
        proc.join()
        return seconds, rows
    proc.kill()
    proc.join()
    return None, []


def sparse_top(store) -> tuple[float, list]:
    """All pairs by sparse product, then the top LIMIT (same order as stdgraph)."""
    import numpy as np
    import scipy.sparse as sp

    t0 = time.perf_counter()
    cov = fetch_coverage(store)
    rows = np.repeat(np.arange(len(cov.sets)), [len(s) for s in cov.sets])
    cols = np.fromiter((t for s in cov.sets for t in s), dtype=np.int64, count=len(rows))
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                      shape=(len(cov.sets), len(cov.tokens)))
    c = sp.triu(m @ m.T, k=1).tocoo()
    keep = c.data >= 2
    a, b, shared = c.row[keep], c.col[keep], c.data[keep].astype(np.int64)
    sizes = np.asarray(m.sum(axis=1)).ravel()
    union = sizes[a] + sizes[b] - shared
    order = np.lexsort((b, a, -shared, -(shared / union)))[:LIMIT]
    top = [(cov.standards[a[k]], cov.standards[b[k]], int(shared[k])) for k in order]
    return time.perf_counter() - t0, top


def engine_top(store) -> list:
    """stdgraph's pair engine alone: coverage, then the first LIMIT pairs."""
    import itertools

    cov = fetch_coverage(store)
    idx = PairIndex(cov.sets, len(cov.tokens), 2)
    return [(cov.standards[a], cov.standards[b], s)
            for a, b, s, _u in itertools.islice(idx.pairs(), LIMIT)]



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before the reference query is stopped")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    try:
        import scipy  # noqa: F401
        have_scipy = True
    except ImportError:
        have_scipy = False

    print(f"machine: {platform.machine()}, {os.cpu_count()} cpu(s), "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print("document = overlaps(min_shared=2, limit=1000), the full answer; pairs = its pair "
          "engine only;\nsparse = scipy M*M^T, all pairs, top 1000; reference = the SPARQL "
          "self-join in Oxigraph\n(same store, child process). Medians of "
          f"{args.repeat} runs (reference: {args.repeat} at 1k, 1 above).\n")
    header = (f"{'standards':>9}  {'quads':>9}  {'document':>9}  {'pairs':>8}  {'sparse':>8}  "
              f"{'reference':>10}  {'ref/doc':>7}  agree")
    print(header)
    print("-" * len(header))
    for n in [int(x) for x in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            store_dir = os.path.join(tmp, "store")
            st = OxigraphStore(store_dir)
            generate.load_store(st, n, seed=args.seed)
            quads = st.count()
            ours, doc = median_time(lambda st=st: overlaps(st, {"limit": str(LIMIT)}),
                                    args.repeat)
            ours_top = [(i["a"], i["b"], len(i["shared"])) for i in doc.items]
            t, engine_rows = median_time(lambda st=st: engine_top(st), args.repeat)
            pairs_s = f"{t:7.2f}s"
            sparse = "-"
            sparse_top_rows = None
            if have_scipy and n <= 10_000:
                t, sparse_top_rows = median_time(lambda st=st: sparse_top(st)[1], args.repeat)
                sparse = f"{t:7.2f}s"
            st.close()
            ref_times, ref_rows = [], []
            for _ in range(args.repeat if n <= 1_000 else 1):
                seconds, ref_rows = reference(store_dir, args.timeout)
                if seconds is None:
                    break
                ref_times.append(seconds)
            if ref_times:
                ref = statistics.median(ref_times)
                ref_s, ratio = f"{ref:9.2f}s", f"{ref / ours:6.1f}x"
                agree = "yes" if ref_rows == ours_top else "NO"
            else:
                ref_s, ratio, agree = f">{args.timeout:.0f}s", f">{args.timeout / ours:.0f}x", "-"
            if sparse_top_rows is not None and sparse_top_rows != ours_top:
                agree += " (sparse: NO)"
            if engine_rows != ours_top:
                agree += " (pairs: NO)"
            print(f"{n:>9}  {quads:>9}  {ours:8.2f}s  {pairs_s:>8}  {sparse:>8}  {ref_s:>10}  "
                  f"{ratio:>7}  {agree}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
