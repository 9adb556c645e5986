"""Load with writes: concurrent readers and one writer against a real ``stdgraph serve``.

Starts ``stdgraph serve`` (uvicorn, worker processes, an update token) on 127.0.0.1 over the
mini test project (``tests/fixtures/mini``: a standard needs exactly one ``ex:identifier``) and
runs, for ``--duration`` seconds:

* ``--readers`` threads, each sending queries back to back, in turn:
  - *half a write*: ``ASK { ?s a ex:Standard FILTER NOT EXISTS { ?s ex:identifier ?i } }``;
    a write inserts a standard's type and identifier together, so ``true`` means a reader saw
    half of one;
  - *entailment in step*: ``ASK { ?x ex:supersedes ?y FILTER NOT EXISTS { ?y ex:supersededBy
    ?x } }``; every write also says ``ex:supersedes ex:a``, whose inverse lives in the inferred
    graph, so ``true`` means the asserted and the inferred half of a write were seen apart;
  - *monotonic count*: the number of written standards, which must never go down for one
    reader, nor exceed the writes sent;
* one writer sending small updates back to back, alternating SPARQL Update (``INSERT DATA``)
  and Graph Store ``POST``; every third one is invalid (a standard without identifier) and must
  be refused with 422. After each acknowledged write the writer reads it back at once.

Afterwards every acknowledged write must be in the store, every refused one absent (asserted
and inferred), and the count of written standards must equal the acknowledged writes. The only
error status a reader may get is the documented overload answer, 503 (query time limit; queries
wait for a free worker within it). Figures: requests served, statuses, writes acknowledged /
refused / checked, p50 / p99 latency.

    python benchmarks/loadtest.py                 # 20 readers, 30 s
    python benchmarks/loadtest.py --readers 10 --duration 15
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))
# the store build and the server start-up the tests use too (tests/support/serving.py);
# the load test
# (tests/reliability/test_load_with_writes.py) calls build_store and serve through this module
from support.serving import build_store, stdgraph_serve  # noqa: E402 - tests/ added just above

MINI = TESTS / "fixtures" / "mini"
EX = "http://example.org/mini#"
GRAPH = "https://w3id.org/stdgraph/graph/loadtest"
OVERLOAD = 503  # docs/endpoint.md: a query past the time limit (or still waiting for a worker)
PREFIX = f"PREFIX ex: <{EX}>\n"

HALF_WRITE = PREFIX + "ASK { ?s a ex:Standard FILTER NOT EXISTS { ?s ex:identifier ?i } }"
OUT_OF_STEP = PREFIX + "ASK { ?x ex:supersedes ?y FILTER NOT EXISTS { ?y ex:supersededBy ?x } }"
COUNT = PREFIX + ('SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ex:identifier ?id '
                  'FILTER(STRSTARTS(STR(?id), "LT-")) }')


def valid_triples(n: int) -> str:
    return (f'<{EX}lt-{n}> a <{EX}Standard> ; <{EX}identifier> "LT-{n}" ; '
            f"<{EX}supersedes> <{EX}a> .")


def invalid_triples(n: int) -> str:
    return f"<{EX}bad-{n}> a <{EX}Standard> ; <{EX}supersedes> <{EX}b> ."


@dataclass
class Report:
    reads: Counter = field(default_factory=Counter)  # status -> count
    writes: Counter = field(default_factory=Counter)
    read_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    checked: int = 0  # acknowledged writes read back right away
    broken: list[str] = field(default_factory=list)  # invariant violations, one line each
    samples: dict = field(default_factory=dict)  # unexpected status -> the first answer's body
    elapsed: float = 0.0

    @property
    def errors(self) -> dict[str, int]:
        """Statuses that are neither success nor an expected answer."""
        out = {f"read {k}": v for k, v in self.reads.items() if k not in {200, OVERLOAD}}
        out.update({f"write {k}": v for k, v in self.writes.items()
                    if k not in {200, 201, 204, 422}})
        return out

    def lines(self) -> list[str]:
        def pct(xs: list[float], q: float) -> str:
            if not xs:
                return "-"
            xs = sorted(xs)
            return f"{xs[min(len(xs) - 1, int(q * len(xs)))]:.1f}"

        served = sum(self.reads.values()) + sum(self.writes.values())
        return [
            f"requests served: {served} in {self.elapsed:.1f} s "
            f"({served / max(self.elapsed, 1e-9):.0f}/s)",
            f"reads by status: {dict(sorted(self.reads.items(), key=str))}",
            f"writes by status: {dict(sorted(self.writes.items(), key=str))}",
            f"errors: {self.errors or 'none'} (overload answers {OVERLOAD}: "
            f"{self.reads.get(OVERLOAD, 0)})",
            f"writes acknowledged: {len(self.acknowledged)}, refused: {len(self.refused)}, "
            f"read back at once: {self.checked}",
            f"read latency ms: p50 {pct(self.read_ms, 0.5)}, p99 {pct(self.read_ms, 0.99)}, "
            f"max {max(self.read_ms, default=0):.1f}",
            f"write latency ms: p50 {pct(self.write_ms, 0.5)}, p99 {pct(self.write_ms, 0.99)}, "
            f"max {max(self.write_ms, default=0):.1f}",
            f"invariants broken: {len(self.broken)}",
            *(f"  {b}" for b in self.broken[:20]),
            *(f"first answer with {k}: {v}" for k, v in self.samples.items()),
        ]


def _query(client: httpx.Client, base: str, query: str) -> httpx.Response:
    return client.post(base + "/sparql", data={"query": query},
                       headers={"Accept": "application/sparql-results+json"})


def _ask(client: httpx.Client, base: str, query: str) -> tuple[int, bool | str | None]:
    """(status, the boolean) or (status, the body) for an answer that is not 200."""
    r = _query(client, base, query)
    return r.status_code, (r.json()["boolean"] if r.status_code == 200 else r.text[:500])


def _count(client: httpx.Client, base: str) -> tuple[int, int | str]:
    r = _query(client, base, COUNT)
    if r.status_code != 200:
        return r.status_code, r.text[:500]
    return 200, int(r.json()["results"]["bindings"][0]["n"]["value"])


def run(base: str, token: str, *, readers: int = 20, duration: float = 30.0) -> Report:
    """Readers and one writer for ``duration`` seconds, then the checks afterwards."""
    report = Report()
    lock = threading.Lock()
    stop = threading.Event()
    sent = [0]  # valid writes sent so far (an upper bound for the count)
    auth = {"Authorization": f"Bearer {token}"}

    def reader(i: int) -> None:
        last = -1
        with httpx.Client(timeout=60) as client:
            k = i
            while not stop.is_set():
                kind = k % 3
                k += 1
                t0 = time.perf_counter()
                try:
                    if kind == 2:
                        status, value = _count(client, base)
                    else:
                        status, value = _ask(client, base, HALF_WRITE if kind == 0
                                             else OUT_OF_STEP)
                except httpx.HTTPError as e:
                    status, value = type(e).__name__, None
                ms = (time.perf_counter() - t0) * 1000
                problem = None
                if status == 200 and kind == 0 and value:
                    problem = "a reader saw a standard without its identifier (half a write)"
                elif status == 200 and kind == 1 and value:
                    problem = "a reader saw ex:supersedes without its inferred inverse"
                elif status == 200 and kind == 2:
                    if value < last:
                        problem = f"reader {i}: the count went down from {last} to {value}"
                    elif value > sent[0]:
                        problem = f"reader {i}: count {value} > valid writes sent {sent[0]}"
                    last = max(last, value)
                with lock:
                    report.reads[status] += 1
                    report.read_ms.append(ms)
                    if status not in {200, OVERLOAD}:
                        report.samples.setdefault(f"read {status}", value)
                    if problem:
                        report.broken.append(problem)

    def writer() -> None:
        n = 0
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                n += 1
                good = n % 3 != 0
                triples = valid_triples(n) if good else invalid_triples(n)
                if good:
                    sent[0] += 1
                t0 = time.perf_counter()
                try:
                    if n % 2:
                        r = client.post(base + "/sparql", headers={
                            **auth, "Content-Type": "application/sparql-update"},
                            content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}")
                    else:
                        r = client.post(base + "/store", params={"graph": f"{GRAPH}/{n}"},
                                        headers={**auth, "Content-Type": "text/turtle"},
                                        content=triples)
                    status = r.status_code
                    if status not in {200, 201, 204, 422}:
                        with lock:
                            report.samples.setdefault(f"write {status}", r.text[:500])
                except httpx.HTTPError as e:
                    status = type(e).__name__
                ms = (time.perf_counter() - t0) * 1000
                problems = []
                if status in {200, 201, 204}:
                    if not good:
                        problems.append(f"invalid write {n} was acknowledged")
                    present = _ask(client, base, PREFIX + f'ASK {{ <{EX}lt-{n}> '
                                   f'ex:identifier "LT-{n}" . ex:a ex:supersededBy '
                                   f"<{EX}lt-{n}> }}")
                    if present == (200, True):
                        checked = 1
                    else:
                        checked = 0
                        problems.append(f"write {n} acknowledged but not read back: {present}")
                elif status == 422:
                    checked = 0
                    if good:
                        problems.append(f"valid write {n} was refused with 422")
                else:
                    checked = 0
                with lock:
                    report.writes[status] += 1
                    report.write_ms.append(ms)
                    report.checked += checked
                    (report.acknowledged if status in {200, 201, 204} else
                     report.refused if status == 422 else []).append(n)
                    report.broken.extend(problems)

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(readers)]
    threads.append(threading.Thread(target=writer, daemon=True))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(120)
    report.elapsed = time.perf_counter() - t0
    if any(t.is_alive() for t in threads):
        report.broken.append("a client thread did not stop within 120 s")
    check_afterwards(base, report)
    return report


def check_afterwards(base: str, report: Report) -> None:
    """Every acknowledged write present, every refused one absent, the count exact."""
    ids = ", ".join(f"<{EX}lt-{n}>" for n in report.acknowledged) or f"<{EX}none>"
    found = PREFIX + ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ex:Standard ; "
                      "ex:identifier ?id . ex:a ex:supersededBy ?s . "
                      f"FILTER(?s IN ({ids}) && ?id = CONCAT(\"LT-\", STRAFTER(STR(?s), "
                      f"\"{EX}lt-\"))) }}")
    refused = ", ".join(f"<{EX}bad-{n}>" for n in report.refused) or f"<{EX}none>"
    leaked = PREFIX + ("ASK { { ?s ?p ?o FILTER(?s IN (" + refused + ")) } UNION "
                       "{ ?s ?p ?o FILTER(?o IN (" + refused + ")) } }")
    with httpx.Client(timeout=120) as client:
        r = client.post(base + "/sparql", data={"query": found},
                        headers={"Accept": "application/sparql-results+json"})
        n = int(r.json()["results"]["bindings"][0]["n"]["value"])
        if n != len(report.acknowledged):
            report.broken.append(f"{len(report.acknowledged)} writes acknowledged, "
                                 f"{n} found complete afterwards")
        status, total = _count(client, base)
        if total != len(report.acknowledged):
            report.broken.append(f"{total} written standards in the store, "
                                 f"{len(report.acknowledged)} acknowledged")
        status, value = _ask(client, base, leaked)
        if value is not False:
            report.broken.append(f"a refused write left triples behind ({status}, {value})")


def serve(store: Path, project: Path, token: str, log: Path,
          **env: str) -> AbstractContextManager[str]:
    """``stdgraph serve`` on a free port of 127.0.0.1 with writes enabled; its base URL."""
    return stdgraph_serve(store, log, project=project,
                          **{"STDGRAPH_UPDATE_TOKEN": token, **env})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, default=20)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--project", type=Path, default=MINI)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="stdgraph-loadtest-"))
    try:
        store = work / "store"
        build_store(args.project, store)
        with serve(store, args.project, "loadtest-token", work / "serve.log") as base:
            report = run(base, "loadtest-token", readers=args.readers, duration=args.duration)
        print(f"{args.readers} readers, 1 writer, {args.duration:g} s, "
              f"{os.cpu_count()} CPUs (client and server on this machine)")
        print("\n".join(report.lines()))
        if report.broken or report.errors:
            tail = [x for x in (work / "serve.log").read_text(errors="replace").splitlines()
                    if " 200 OK" not in x and " 201 " not in x and " 422 " not in x][-40:]
            print("server log (last lines):", *tail, sep="\n", file=sys.stderr)
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
