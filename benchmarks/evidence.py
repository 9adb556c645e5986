"""The query cost of the evidence pattern (issue 17, item 1): a statement record per link.

For each size, ``benchmarks/generate.py``'s graph (seed 42) plus a statement record for every
``sg:classifiedIn`` link (``rdf:Statement`` with ``rdf:subject``/``predicate``/``object`` and
``sg:evidence``; alternately ``sg:Stated`` with a ``dcterms:source`` and ``sg:Reading`` with an
``sg:rationale``), bulk-loaded into the embedded Oxigraph store. Then, each run cold (a new
snapshot, as a CLI run or a new store version in the server):

- **classified**: ``LinkReader.classified()`` at ``stated`` and at ``stated+reading``: the
  scans (links, typings, records) and the filter every analysis starts with;
- **overlaps**: the overlaps document (defaults, limit 1000) at each level;
- **plain**: the overlaps document on the same graph without the records (every link counts as
  stated: the cost of the plain triples alone);
- **links.rq**: the filter as one SPARQL query (``LinkReader.query_links`` of
  ``sg:classifiedIn`` at ``stated+reading``), in a child process stopped at ``--timeout``, up to
  ``--sparql-max`` standards.

Prints the seconds (medians of ``--repeat`` runs) and how many standards are classified at each
level (about half the links are readings, so ``stated`` counts fewer).

    python benchmarks/evidence.py [--sizes 10000,100000] [--repeat 3] [--timeout 300]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
from stdgraph.analysis.evidence import Evidence, LinkReader  # noqa: E402
from stdgraph.analysis.overlaps import overlaps  # noqa: E402
from stdgraph.store import OxigraphStore  # noqa: E402
from timing import median_time  # noqa: E402 - sibling module

SG = generate.SG
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CLASSIFIED_IN = SG + "classifiedIn"


def records(data: bytes) -> bytes:
    """N-Quads of a statement record for every sg:classifiedIn quad of ``data``, in its graph."""
    out = []
    for k, q in enumerate(x for x in ox.parse(data, format=ox.RdfFormat.N_QUADS)
                          if x.predicate.value == CLASSIFIED_IN):
        r, g = f"<{generate.SGID}evidence/bench/{k}>", f"<{q.graph_name.value}>"
        out += [f"{r} <{RDF}type> <{RDF}Statement> {g} .",
                f"{r} <{RDF}subject> {q.subject} {g} .",
                f"{r} <{RDF}predicate> <{CLASSIFIED_IN}> {g} .",
                f"{r} <{RDF}object> {q.object} {g} ."]
        if k % 2:
            out += [f"{r} <{SG}evidence> <{SG}Reading> {g} .",
                    f'{r} <{SG}rationale> "A benchmark reading."@en {g} .']
        else:
            out += [f"{r} <{SG}evidence> <{SG}Stated> {g} .",
                    f"{r} <http://purl.org/dc/terms/source> <{generate.SOURCE_DOC}> {g} ."]
    return ("\n".join(out) + "\n").encode()


def _sparql_child(store_dir: str, conn) -> None:
    st = OxigraphStore(store_dir, read_only=True)
    reader = LinkReader(st, Evidence("stated+reading"), snapshot=None)
    t0 = time.perf_counter()
    found = reader.query_links(CLASSIFIED_IN)
    conn.send((time.perf_counter() - t0, len(found)))


def sparql(store_dir: str, timeout: float) -> tuple[float | None, int]:
    """(seconds, standards with an own classification) of links.rq, or (None, 0) when
    stopped."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_sparql_child, args=(store_dir, child))
    proc.start()
    if parent.poll(timeout):
        seconds, n = parent.recv()
        proc.join()
        return seconds, n
    proc.kill()
    proc.join()
    return None, 0


def load(store_dir: str, data: bytes) -> OxigraphStore:
    st = OxigraphStore(store_dir)
    st.replace_all({})
    st.db.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    st.db.flush()
    return st


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before links.rq is stopped")
    ap.add_argument("--sparql-max", type=int, default=10_000,
                    help="run links.rq up to this many standards")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    load_avg = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpu(s), "
          f"Python {platform.python_version()}, load average {load_avg}")
    print(f"cold runs, medians of {args.repeat}; classified: standards with a counted "
          "classification (stated / stated+reading)\n")
    header = (f"{'standards':>9}  {'quads':>9}  {'records':>8}  {'classified s':>12}  "
              f"{'s+r':>6}  {'overlaps s':>10}  {'s+r':>6}  {'plain':>6}  {'links.rq':>9}  "
              "classified")
    print(header)
    print("-" * len(header))
    levels = (Evidence("stated"), Evidence("stated+reading"))
    for n in [int(x) for x in args.sizes.split(",")]:
        data = generate.nquads_bytes(n, seed=args.seed)
        extra = records(data)
        with tempfile.TemporaryDirectory() as tmp:
            st = load(os.path.join(tmp, "plain"), data)
            plain, _ = median_time(lambda st=st: overlaps(st, {}), args.repeat)
            st.close()
            store_dir = os.path.join(tmp, "store")
            st = load(store_dir, data + extra)
            quads = st.count()
            n_records = extra.count(b"\n") // 6
            cls, counts, ovl = [], [], []
            for ev in levels:
                t, found = median_time(lambda st=st, ev=ev: LinkReader(st, ev).classified(),
                                       args.repeat)
                cls.append(t)
                counts.append(len(found))
                t, _doc = median_time(lambda st=st, ev=ev: overlaps(
                    st, {"evidence": ev.level}), args.repeat)
                ovl.append(t)
            st.close()
            rq = "-"
            if n <= args.sparql_max:
                seconds, _found = sparql(store_dir, args.timeout)
                rq = f">{args.timeout:.0f}s" if seconds is None else f"{seconds:8.2f}s"
        print(f"{n:>9}  {quads:>9}  {n_records:>8}  {cls[0]:11.2f}s  {cls[1]:5.2f}s  "
              f"{ovl[0]:9.2f}s  {ovl[1]:5.2f}s  {plain:5.2f}s  {rq:>9}  "
              f"{counts[0]} / {counts[1]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
