"""The SPARQL endpoint over HTTP: ``stdgraph serve`` against ``oxigraph serve`` on the same data.

For each size (synthetic standards from ``benchmarks/generate.py``) both servers are started on
127.0.0.1 over their own copy of the same quads — stdgraph on its embedded store, Oxigraph with
``--union-default-graph`` so the queries read the same default graph — and the same query mix is
sent to both, interleaved request by request, over keep-alive HTTP connections, once every server
is idle (no CPU used for a second: stdgraph's worker processes start in the background) and after
``WARM_UP`` untimed requests per query and server:

* point lookup: every property of one standard;
* join with labels: standards classified in one architecture's elements, with identifier and
  publisher label (hundreds of rows at 10k standards);
* aggregation: standards per architecture element, top 20;
* gap: elements of one architecture no standard is classified in (``FILTER NOT EXISTS``);
* overlap self-join: one body's standards paired with every standard sharing at least two
  elements of one architecture with them (the overlap analysis);
* CONSTRUCT neighbourhood: one standard's triples and its neighbours' labels, as Turtle;
* CONSTRUCT: label and status of every standard, as Turtle.

Every class is sent in each of the three forms of the SPARQL 1.1 Protocol (``--methods``): GET
with ``?query=``, POST form-encoded, and POST with the query as the body — by httpx, a stock
client, over one keep-alive connection per run (what SPARQLWrapper, rdflib's SPARQLStore, YASGUI
and Comunica send; ``benchmarks/request_cost.py`` measures a lean hand-written client apart).

Each query class gets at least ``--repeat`` timed rounds (one request to every server), and
more while it has taken less than ``MIN_SECONDS``, so that sub-millisecond queries get hundreds
of samples. The script prints the median latency per query class and server, the ratio
stdgraph/Oxigraph, and the rounds.

    python benchmarks/endpoint.py                    # 1k and 10k standards
    python benchmarks/endpoint.py --sizes 1000 --repeat 30
    python benchmarks/endpoint.py --sizes 10000 100000 --modes processes
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402 - the deterministic generator next to this file

PREFIXES = """PREFIX sg: <https://w3id.org/stdgraph/ontology#>
PREFIX sgid: <https://w3id.org/stdgraph/id/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

QUERIES: dict[str, tuple[str, str]] = {
    "point lookup": ("application/sparql-results+json", PREFIXES + """
SELECT ?p ?o WHERE { sgid:standard\\/bench-000042 ?p ?o }"""),
    # hundreds of rows at 10k standards: one architecture's classified standards with labels
    "join with labels": ("application/sparql-results+json", PREFIXES + """
SELECT ?s ?id ?body WHERE {
  ?e skos:inScheme sgid:architecture\\/bench-0 .
  ?s sg:classifiedIn ?e ; sg:identifier ?id ; sg:publisher ?pub .
  ?pub rdfs:label ?body
}"""),
    "aggregation": ("application/sparql-results+json", PREFIXES + """
SELECT ?e (COUNT(?s) AS ?n) WHERE { ?s sg:classifiedIn ?e }
GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 20"""),
    # the shape of the gaps analysis: elements of one architecture no standard is classified in
    "gap": ("application/sparql-results+json", PREFIXES + """
SELECT ?e WHERE {
  ?e skos:inScheme sgid:architecture\\/bench-1 .
  FILTER NOT EXISTS { ?s sg:classifiedIn ?e }
} ORDER BY ?e"""),
    "overlap self-join": ("application/sparql-results+json", PREFIXES + """
SELECT ?a ?b (COUNT(?e) AS ?shared) WHERE {
  ?e skos:inScheme sgid:architecture\\/bench-1 .
  ?a sg:publisher sgid:body\\/bench-0 ; sg:classifiedIn ?e .
  ?b sg:classifiedIn ?e .
  FILTER(?a != ?b)
} GROUP BY ?a ?b HAVING (COUNT(?e) >= 2) ORDER BY DESC(?shared) ?a ?b LIMIT 100"""),
    # a standard's neighbourhood, as a linked-data client asks for it
    "construct neighbourhood": ("text/turtle", PREFIXES + """
CONSTRUCT { sgid:standard\\/bench-000042 ?p ?o . ?o rdfs:label ?l }
WHERE { sgid:standard\\/bench-000042 ?p ?o . OPTIONAL { ?o rdfs:label ?l } }"""),
    "construct": ("text/turtle", PREFIXES + """
CONSTRUCT { ?s rdfs:label ?l ; sg:status ?st }
WHERE { ?s a sg:Standard ; rdfs:label ?l ; sg:status ?st }"""),
}

#: the three ways the SPARQL 1.1 Protocol lets a client send a query (§2.1.1-2.1.3); YASGUI and
#: Comunica POST, SPARQLWrapper and rdflib's SPARQLStore GET or POST
METHODS = ("get", "post-form", "post-direct")


#: untimed requests per query and server before the timed ones
WARM_UP = 10
#: timed rounds go on past --repeat until this many seconds have passed (at most MAX_ROUNDS)
MIN_SECONDS = 5.0
MAX_ROUNDS = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _cpu_ticks(pids: set[int]) -> int:
    """CPU time (clock ticks) used so far by these processes and their live children."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid in pids or ppid in pids:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def wait_idle(procs: list[subprocess.Popen], seconds: float = 120) -> float:
    """Wait until the servers (and their worker processes) have used no CPU for a second, so
    that no server is measured while another still starts up (stdgraph's worker processes
    import the package in the background after the port answers). Returns the seconds waited."""
    pids = {p.pid for p in procs}
    t0 = time.monotonic()
    last = _cpu_ticks(pids)
    while time.monotonic() - t0 < seconds:
        time.sleep(1.0)
        now = _cpu_ticks(pids)
        if now - last <= 2:  # 20 ms of CPU in a second: idle
            break
        last = now
    return time.monotonic() - t0


def oxigraph_binary() -> str:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        raise SystemExit("the Oxigraph server is missing: pip install oxigraph")
    return exe


def start_servers(work: Path, standards: int,
                  modes: list[str]) -> tuple[dict[str, str], list[subprocess.Popen]]:
    from stdgraph.store import OxigraphStore

    data = work / "data.nq"
    generate.write(data, standards)
    st = OxigraphStore(work / "stdgraph-store")
    generate.load_store(st, standards)
    st.close()
    ox_dir = work / "oxigraph-store"
    subprocess.run([oxigraph_binary(), "load", "--location", str(ox_dir), "--file", str(data)],
                   check=True, capture_output=True)

    procs = []
    urls = {}
    for mode in modes:
        port = free_port()
        store = work / f"stdgraph-store-{mode}"  # one each: a server holds its store open
        shutil.copytree(work / "stdgraph-store", store)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
        # no per-request log line, like `oxigraph serve`
        env.update({"STDGRAPH_MAX_ROWS": "10000000", "STDGRAPH_QUERY_TIMEOUT": "120",
                    "STDGRAPH_ACCESS_LOG": "false",
                    "STDGRAPH_QUERY_PROCESSES": "1" if mode == "processes" else "0"})
        log = open(work / f"stdgraph-{mode}.log", "wb")  # noqa: SIM115 - lives with the server
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--store", str(store)],
            env=env, stdout=log, stderr=subprocess.STDOUT))
        urls[f"stdgraph/{mode}"] = f"http://127.0.0.1:{port}/sparql"
    p_ox = free_port()
    procs.append(subprocess.Popen(
        [oxigraph_binary(), "serve-read-only", "--location", str(ox_dir), "--bind",
         f"127.0.0.1:{p_ox}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    urls["oxigraph"] = f"http://127.0.0.1:{p_ox}/query"
    for (_name, url), proc in zip(urls.items(), procs, strict=True):
        wait_up(url, proc)
    wait_idle(procs)
    return urls, procs


def timed(client: httpx.Client, url: str, accept: str, query: str,
          method: str = "get") -> tuple[float, int]:
    """One request as a stock client sends it: GET ?query=, POST form-encoded, or POST with
    the query as the body (application/sparql-query)."""
    t0 = time.perf_counter()
    if method == "get":
        r = client.get(url, params={"query": query}, headers={"Accept": accept})
    elif method == "post-form":
        r = client.post(url, data={"query": query}, headers={"Accept": accept})
    else:
        r = client.post(url, content=query.encode(),
                        headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    body = r.content
    elapsed = time.perf_counter() - t0
    if r.status_code != 200:
        raise RuntimeError(f"{url}: {r.status_code} {body[:300]!r}")
    return elapsed, len(body)


def run_size(standards: int, repeat: int, modes: list[str],
             methods: tuple[str, ...] = METHODS) -> list[tuple[str, dict, dict, int]]:
    work = Path(tempfile.mkdtemp(prefix=f"stdgraph-bench-{standards}-"))
    urls, procs = start_servers(work, standards, modes)
    rows = []
    try:
        with httpx.Client(timeout=300) as client:
            for (name, (accept, query)), method in itertools.product(QUERIES.items(), methods):
                label = f"{name} [{method}]"
                samples: dict[str, list[float]] = {k: [] for k in urls}
                sizes: dict[str, int] = {}
                for server, url in urls.items():  # warm up every server
                    for _ in range(WARM_UP):
                        _t, sizes[server] = timed(client, url, accept, query, method)
                # at least ``repeat`` rounds, more for fast queries (a median of 50 sub-ms
                # requests moves by 0.2 ms between runs): until MIN_SECONDS have passed
                started, rounds = time.monotonic(), 0
                while rounds < repeat or (time.monotonic() - started < MIN_SECONDS
                                          and rounds < MAX_ROUNDS):
                    for server, url in urls.items():  # interleaved, same run
                        t, _n = timed(client, url, accept, query, method)
                        samples[server].append(t)
                    rounds += 1
                med = {k: statistics.median(v) for k, v in samples.items()}
                rows.append((label, med, sizes, rounds))
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=20,
                    help="timed requests per query and server, at least (see MIN_SECONDS)")
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS,
                    help="protocol forms to measure (all three by default)")
    ap.add_argument("--queries", nargs="+", choices=list(QUERIES),
                    help="query classes to run (default: all)")
    ap.add_argument("--modes", nargs="+", default=["processes", "threads"],
                    choices=["processes", "threads"],
                    help="stdgraph query executors to run (STDGRAPH_QUERY_PROCESSES)")
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; medians of at least "
          f"{args.repeat} interleaved rounds (more until {MIN_SECONDS:g} s per query, at most "
          f"{MAX_ROUNDS}) after {WARM_UP} warm-up requests each, the servers idle before the first")
    if args.queries:
        for name in [q for q in QUERIES if q not in args.queries]:
            del QUERIES[name]
    for n in args.sizes:
        rows = run_size(n, args.repeat, args.modes, tuple(args.methods))
        servers = list(rows[0][1])
        print(f"\n{n} standards: median ms (ratio to oxigraph)")
        print(f"  {'query [form]':<38}" + "".join(f"{s:>24}" for s in servers) + f"{'rounds':>8}")
        for name, med, _sizes, rounds in rows:
            cells = [f"{med[s] * 1000:9.2f} ({med[s] / med['oxigraph']:4.2f}x)" for s in servers]
            print(f"  {name:<38}" + "".join(f"{c:>24}" for c in cells) + f"{rounds:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
