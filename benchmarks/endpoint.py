"""The SPARQL endpoint over HTTP: ``stdgraph serve`` against ``oxigraph serve`` on the same data.

For each size (synthetic standards from ``benchmarks/generate.py``) both servers are started on
127.0.0.1 over their own copy of the same quads — stdgraph on its embedded store, Oxigraph with
``--union-default-graph`` so the queries read the same default graph — and the same query mix is
sent to both, interleaved request by request, over keep-alive HTTP connections, once every server
is idle (no CPU used for a second: stdgraph's worker processes start in the background) and after
``WARM_UP`` untimed requests per query and server:

* point lookup: every property of one standard;
* join with labels: standards classified in one architecture's elements, with identifier and
  publisher label (12,591 rows at 10k standards, 125,998 at 100k: the per-row class);
* aggregation: standards per architecture element, top 20;
* gap: elements of one architecture no standard is classified in (``FILTER NOT EXISTS``);
* overlap self-join: one body's standards paired with every standard sharing at least two
  elements of one architecture with them (the overlap analysis);
* CONSTRUCT neighbourhood: one standard's triples and its neighbours' labels, as Turtle;
* CONSTRUCT: label and status of every standard, as Turtle.

The five classes issue 16 (item 4) names run by default: point lookup, join with labels,
aggregation, gap, CONSTRUCT neighbourhood; ``--queries`` picks others (overlap self-join,
CONSTRUCT).

Every class is sent in each of the three forms of the SPARQL 1.1 Protocol (``--methods``): GET
with ``?query=``, POST form-encoded, and POST with the query as the body — by httpx, a stock
client, over one keep-alive connection per run (what SPARQLWrapper, rdflib's SPARQLStore, YASGUI
and Comunica send; ``benchmarks/request_cost.py`` measures a lean hand-written client apart).

Each query class gets at least ``--repeat`` timed rounds (one request to every server), and
more while it has taken less than ``MIN_SECONDS``, so that sub-millisecond queries get hundreds
of samples; a slow class stops after ``MAX_SECONDS`` once it has ``MIN_ROUNDS``. All of that is
one run; ``--runs`` repeats it on the same servers. The script prints the exact command, then per
size, class and form the median latency per server (median over the runs of each run's median)
and the ratio of medians stdgraph/Oxigraph: the median over the runs, with their range.

A third server, ``floor``, is the least any Python endpoint on uvicorn can cost: a bare ASGI app
(``benchmarks/asgi_floor.py``) that hands the query to pyoxigraph on the event loop and writes
the answer, served with the same uvicorn settings as ``stdgraph serve``, with none of
stdgraph's checks, limits or worker processes. Its ratio to Oxigraph is the part of
stdgraph's ratio that the HTTP stack and the client already account for.

``--baseline SRC`` also starts ``stdgraph serve`` from another source tree (``SRC`` is its
``src`` folder, first on ``PYTHONPATH``), in the same run, interleaved with the others: before
and after a change on one machine under one load.

    python benchmarks/endpoint.py                    # 10k and 100k standards, 3 runs
    python benchmarks/endpoint.py --sizes 10000 --runs 1 --repeat 30
    python benchmarks/endpoint.py --sizes 10000 --modes processes --baseline /tmp/old/src
"""

from __future__ import annotations

import argparse
import itertools
import os
import shlex
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


#: the classes run by default: the five issue 16 (item 4) names
DEFAULT_QUERIES = ("point lookup", "join with labels", "aggregation", "gap",
                   "construct neighbourhood")

#: untimed requests per query and server before the timed ones (fewer once WARM_SECONDS passed)
WARM_UP = 10
WARM_SECONDS = 3.0
#: timed rounds go on past --repeat until this many seconds have passed (at most MAX_ROUNDS)
MIN_SECONDS = 5.0
MAX_ROUNDS = 2000
#: ... and stop short of --repeat after this many seconds, once MIN_ROUNDS rounds are done
MAX_SECONDS = 60.0
MIN_ROUNDS = 5


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


def build_data(built: Path, standards: int) -> None:
    """The synthetic graph of ``standards`` standards in ``built``: as N-Quads, in a stdgraph
    store and in an Oxigraph server's store (made once: a folder that has all three is used
    as it is)."""
    from stdgraph.store import OxigraphStore

    done = built / "DONE"
    if done.exists():
        return
    shutil.rmtree(built, ignore_errors=True)
    built.mkdir(parents=True)
    data = built / "data.nq"
    generate.write(data, standards)
    st = OxigraphStore(built / "stdgraph-store")
    generate.load_store(st, standards)
    st.close()
    subprocess.run([oxigraph_binary(), "load", "--location", str(built / "oxigraph-store"),
                    "--file", str(data)], check=True, capture_output=True)
    done.write_text(f"{standards}\n")


def start_servers(work: Path, standards: int, modes: list[str], baseline: str | None = None,
                  built: Path | None = None) -> tuple[dict[str, str], list[subprocess.Popen]]:
    """stdgraph (one server per mode, and per mode from ``baseline``'s source tree if given)
    and Oxigraph over the same data (``built``, by ``build_data``: in ``work`` unless given);
    the URLs by server name, Oxigraph last."""
    built = built or work / "data"
    build_data(built, standards)
    ox_dir = work / "oxigraph-store"
    shutil.copytree(built / "oxigraph-store", ox_dir)

    procs = []
    urls = {}
    variants = [("stdgraph", mode, None) for mode in modes]
    if baseline:
        variants += [("before", mode, str(Path(baseline).resolve())) for mode in modes]
    for name, mode, src in variants:
        port = free_port()
        store = work / f"{name}-store-{mode}"  # one each: a server holds its store open
        shutil.copytree(built / "stdgraph-store", store)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
        if src is not None:
            env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
        # no per-request log line, like `oxigraph serve`
        env.update({"STDGRAPH_MAX_ROWS": "10000000", "STDGRAPH_QUERY_TIMEOUT": "120",
                    "STDGRAPH_ACCESS_LOG": "false",
                    "STDGRAPH_QUERY_PROCESSES": "1" if mode == "processes" else "0"})
        log = open(work / f"{name}-{mode}.log", "wb")  # noqa: SIM115 - lives with the server
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--store", str(store)],
            env=env, stdout=log, stderr=subprocess.STDOUT))
        urls[f"{name}/{mode}"] = f"http://127.0.0.1:{port}/sparql"
    # the floor: a bare ASGI app over pyoxigraph on the same uvicorn settings (asgi_floor.py)
    floor_store = work / "floor-store"
    shutil.copytree(built / "stdgraph-store", floor_store)
    gen = floor_store / (floor_store / "CURRENT").read_text().strip()
    p_floor = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")},
           "STDGRAPH_FLOOR_STORE": str(gen)}
    procs.append(subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "asgi_floor:app", "--host", "127.0.0.1", "--port",
         str(p_floor), "--http", "httptools", "--loop", "uvloop", "--no-access-log",
         "--log-level", "warning"],
        cwd=Path(__file__).resolve().parent, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL))
    urls["floor"] = f"http://127.0.0.1:{p_floor}/sparql"
    p_ox = free_port()
    procs.append(subprocess.Popen(
        [oxigraph_binary(), "serve-read-only", "--location", str(ox_dir), "--bind",
         f"127.0.0.1:{p_ox}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    urls["oxigraph"] = f"http://127.0.0.1:{p_ox}/query"
    try:
        for (_name, url), proc in zip(urls.items(), procs, strict=True):
            wait_up(url, proc, seconds=120 + standards / 250)  # a 100k store opens slowly
    except BaseException:
        stop(procs)  # a server that did not come up must not leave the others running
        raise
    wait_idle(procs)
    return urls, procs


def stop(procs: list[subprocess.Popen]) -> None:
    """Terminate the servers (stdgraph's workers leave with their server), kill a slow one."""
    for p in procs:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


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


#: one row of results: (class [form], per run {server: median seconds}, rounds per run)
Row = tuple[str, list[dict[str, float]], list[int]]


def measure(client: httpx.Client, urls: dict[str, str], accept: str, query: str, method: str,
            repeat: int) -> tuple[dict[str, float], int]:
    """One run of one class in one form: warm-up, then interleaved rounds; the median seconds
    per server and the rounds."""
    for url in urls.values():  # warm up every server
        started = time.monotonic()
        for _ in range(WARM_UP):
            timed(client, url, accept, query, method)
            if time.monotonic() - started > WARM_SECONDS:
                break
    samples: dict[str, list[float]] = {k: [] for k in urls}
    # at least ``repeat`` rounds, more for fast queries (a median of 50 sub-ms requests moves
    # by 0.2 ms between runs): until MIN_SECONDS have passed; a slow query stops after
    # MAX_SECONDS once it has MIN_ROUNDS
    started, rounds = time.monotonic(), 0
    while True:
        elapsed = time.monotonic() - started
        if rounds >= MIN_ROUNDS and elapsed > MAX_SECONDS:
            break
        if rounds >= repeat and (elapsed >= MIN_SECONDS or rounds >= MAX_ROUNDS):
            break
        for server, url in urls.items():  # interleaved, same run
            t, _n = timed(client, url, accept, query, method)
            samples[server].append(t)
        rounds += 1
    return {k: statistics.median(v) for k, v in samples.items()}, rounds


def run_size(standards: int, repeat: int, modes: list[str],
             methods: tuple[str, ...] = METHODS, runs: int = 1,
             baseline: str | None = None, data: Path | None = None) -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix=f"stdgraph-bench-{standards}-"))
    built = data / f"endpoint-{standards}" if data is not None else None
    urls, procs = start_servers(work, standards, modes, baseline, built)
    cases = list(itertools.product(QUERIES.items(), methods))
    results: dict[str, tuple[list[dict[str, float]], list[int]]] = {
        f"{name} [{method}]": ([], []) for (name, _q), method in cases}
    try:
        with httpx.Client(timeout=300) as client:
            for run in range(runs):
                print(f"  {standards} standards, run {run + 1} of {runs} ...", file=sys.stderr)
                for (name, (accept, query)), method in cases:
                    med, rounds = measure(client, urls, accept, query, method, repeat)
                    meds, counts = results[f"{name} [{method}]"]
                    meds.append(med)
                    counts.append(rounds)
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)
    return [(label, meds, counts) for label, (meds, counts) in results.items()]


def ratio_cell(ratios: list[float]) -> str:
    """The median ratio, and its range over the runs when there are several."""
    mid = statistics.median(ratios)
    if len(ratios) == 1:
        return f"{mid:.2f}x"
    return f"{mid:.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]"


def print_table(standards: int, rows: list[Row], target: float = 1.3) -> None:
    servers = [s for s in rows[0][1][0] if s != "oxigraph"]
    runs = len(rows[0][1])
    print(f"\n{standards} standards, {runs} run(s): median ms per server (median of the runs' "
          f"medians); ratio of medians to oxigraph, median of the runs [range]")
    head = f"  {'class [form]':<36}{'oxigraph':>11}"
    head += "".join(f"{s:>20}{'ratio':>20}" for s in servers)
    print(head + f"{'rounds':>12}")
    over: list[str] = []
    for label, meds, counts in rows:
        ox_ms = statistics.median(m["oxigraph"] for m in meds) * 1000
        line = f"  {label:<36}{ox_ms:>8.2f} ms"
        for s in servers:
            ratios = [m[s] / m["oxigraph"] for m in meds]
            ms = statistics.median(m[s] for m in meds) * 1000
            line += f"{ms:>17.2f} ms{ratio_cell(ratios):>20}"
            if s.startswith("stdgraph/") and statistics.median(ratios) > target:
                over.append(f"{label} {s} {statistics.median(ratios):.2f}x")
        rounds = f"{min(counts)}-{max(counts)}" if len(counts) > 1 else str(counts[0])
        print(line + f"{rounds:>12}")
    print(f"  over {target}x (median ratio): " + ("; ".join(over) if over else "none"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--repeat", type=int, default=20,
                    help="timed requests per query and server, at least (see MIN_SECONDS, "
                         "MAX_SECONDS)")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of the whole mix on the same servers (ratio ranges over them)")
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS,
                    help="protocol forms to measure (all three by default)")
    ap.add_argument("--queries", nargs="+", choices=list(QUERIES),
                    help=f"query classes to run (default: {', '.join(DEFAULT_QUERIES)})")
    ap.add_argument("--modes", nargs="+", default=["processes", "threads"],
                    choices=["processes", "threads"],
                    help="stdgraph query executors to run (STDGRAPH_QUERY_PROCESSES)")
    ap.add_argument("--baseline", metavar="SRC",
                    help="also run stdgraph from this source tree's src folder (servers "
                         "'before/<mode>'), interleaved with the others")
    ap.add_argument("--data", type=Path, metavar="DIR",
                    help="keep the generated graph and stores in DIR/endpoint-SIZE and use "
                         "them again on the next run (building 100k takes minutes)")
    args = ap.parse_args(argv)
    command = shlex.join(["python", "benchmarks/endpoint.py",
                          *(sys.argv[1:] if argv is None else argv)])
    print(f"command: {command}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; httpx {httpx.__version__}, one keep-alive connection; "
          f"medians of at least {args.repeat} interleaved rounds (more until {MIN_SECONDS:g} s "
          f"per class and form, at most {MAX_ROUNDS}; at least {MIN_ROUNDS} and at most "
          f"{MAX_SECONDS:g} s for slow ones) after up to {WARM_UP} warm-up requests each, the "
          "servers idle before the first")
    wanted = args.queries or list(DEFAULT_QUERIES)
    for name in [q for q in QUERIES if q not in wanted]:
        del QUERIES[name]
    for n in args.sizes:
        rows = run_size(n, args.repeat, args.modes, tuple(args.methods), args.runs,
                        args.baseline, args.data)
        print_table(n, rows)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
