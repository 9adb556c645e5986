"""Every page kind and every analysis endpoint over HTTP against a real ``stdgraph serve``, at
scale: the bundled graph alone and with 1k, 10k, 100k synthetic standards added through the STO
import (``stdgraph import sto``) or natively (``benchmarks/generate.py``'s graph as a data file
of the project, ``stdgraph build``); median and p95 per URL, the server's peak RSS, and the
analyses' cost on the CLI with ``--limit 0``.

Stores are built once into ``--workdir`` (kept: a later run with the same workdir reuses them):

- ``bundled``: ``stdgraph build --store DIR``;
- ``sto-N``: the bundled store plus ``stdgraph import sto`` of the STO variant of N standards
  (``generate.py --sto``, seed 42);
- ``native-N``: a copy of the project with the native variant of N standards in
  ``data/bench/``, ``stdgraph build``.

For each store: ``stdgraph serve`` (uvicorn, default settings: worker processes, 10 s query
time limit) on a free port of 127.0.0.1; the URLs of every page kind are chosen from the store
(the most classified standard, the barrier and technology with most links, the most used
element, ...; :func:`urls`); each URL is requested ``--warm`` times untimed, then ``--repeat``
times in turn; a 503 (time limit) counts with its time and is reported. The server's peak RSS
is read from /proc (``VmHWM``) of the server process and of its worker processes (psutil when
installed). Then, unless ``--no-cli``, ``stdgraph analyse NAME --limit 0 --format json`` for
each analysis: wall time and peak RSS (``wait4``).

``--src DIR`` runs another checkout's ``src`` (first on ``PYTHONPATH``): two values compare two
versions on the same stores, alternately over ``--rounds``.

    python benchmarks/pages.py --sizes bundled,1000,10000 --paths sto,native \\
        --workdir /tmp/pages-bench [--repeat 20] [--src OLD/src --src NEW/src] [--json out.json]
    python benchmarks/pages.py --store DIR        # one existing store, URLs chosen from it
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

SG = "https://w3id.org/stdgraph/ontology#"
ID = "https://w3id.org/stdgraph/id/"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


# -- stores ------------------------------------------------------------------------------------

def stdgraph(*args: str, env: dict | None = None, quiet: bool = True) -> None:
    subprocess.run([sys.executable, "-m", "stdgraph", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL if quiet else None,
                   stderr=subprocess.DEVNULL if quiet else None)


def clean_env(src: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def make_store(workdir: Path, name: str) -> Path:
    """The store ``name`` (``bundled``, ``sto-N``, ``native-N``) in ``workdir``, built unless
    already there."""
    store = workdir / name
    if (store / ".built").exists():
        return store
    if store.exists():
        shutil.rmtree(store)
    t0 = time.perf_counter()
    env = clean_env()
    if name == "bundled":
        stdgraph("--store", str(store), "build", env=env)
    elif name.startswith("sto-"):
        size = int(name[4:])
        data = workdir / f"sto-{size}.nt"
        if not data.exists():
            generate.write(data, size, vocabulary="sto")
        shutil.copytree(make_store(workdir, "bundled"), store)
        (store / ".built").unlink()
        stdgraph("--store", str(store), "import", "sto", str(data), "--name", "bench", env=env)
    elif name.startswith("native-"):
        size = int(name[7:])
        project = workdir / f"project-{size}"
        if project.exists():
            shutil.rmtree(project)
        for sub in ("ontology", "shapes", "data", "queries"):
            shutil.copytree(REPO / sub, project / sub)
        (project / "data" / "bench").mkdir()
        generate.write(project / "data" / "bench" / "bench.nt", size)
        stdgraph("--project", str(project), "--store", str(store), "build", env=env)
    else:
        raise SystemExit(f"unknown store {name!r}")
    (store / ".built").write_text(f"{time.perf_counter() - t0:.1f} s\n")
    print(f"built {name} in {time.perf_counter() - t0:.1f} s", flush=True)
    return store


# -- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: Path, src: str | None, threads: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = clean_env(src)
    env["STDGRAPH_ACCESS_LOG"] = "false"
    if threads:
        env["STDGRAPH_QUERY_PROCESSES"] = "false"
    proc = subprocess.Popen([sys.executable, "-m", "stdgraph", "--store", str(store), "serve",
                             "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("stdgraph serve did not start")


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def peak_rss(pid: int) -> dict[str, float]:
    """Peak resident memory (MiB) of the server process and of its worker processes (the
    largest one, and the sum of their peaks)."""
    try:
        import psutil  # type: ignore[import-not-found]

        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        pids = [p.pid for p in procs]
    except ImportError:
        pids, stack = [pid], [pid]
        while stack:
            kids = _children(stack.pop())
            pids += kids
            stack += kids

    def hwm(p: int) -> float:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    workers = [hwm(p) for p in pids[1:]]
    return {"server": hwm(pid), "worker_max": max(workers, default=0.0),
            "workers_sum": sum(workers), "workers": len(workers)}


# -- what to request ---------------------------------------------------------------------------

def _first(store, query: str) -> str | None:
    """The first value of ``query``'s first row, read from the store in this process: the
    server's query time limit is not for choosing what to measure (at 100k standards the
    GROUP BY over every classification takes it past 10 s on a busy machine)."""
    rows = store.query("PREFIX sg: <" + SG + ">\nPREFIX skos: "
                       "<http://www.w3.org/2004/02/skos/core#>\n" + query).rows
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def _page(iri: str | None) -> str | None:
    return "/id/" + quote(iri[len(ID):], safe="/-._~") if iri and iri.startswith(ID) else None


def urls(base: str, store_dir: Path) -> list[tuple[str, str, dict]]:
    """(kind, URL, headers) of every page kind and analysis endpoint, chosen from the store
    ``store_dir`` (opened read-only here) served at ``base``: fixed bundled resources where
    they exist, and the largest case of each kind (standard with most classifications,
    barrier with most standards, ...)."""
    from stdgraph.store import OxigraphStore

    client = OxigraphStore(store_dir, read_only=True)
    try:
        busiest_std = _first(client, """SELECT ?s WHERE { ?s a sg:Standard ; sg:classifiedIn ?e }
            GROUP BY ?s ORDER BY DESC(COUNT(?e)) ?s LIMIT 1""")
        typical_std = _first(client, """SELECT ?s WHERE { ?s a sg:Standard ;
            sg:classifiedIn ?e FILTER(CONTAINS(LCASE(STR(?s)), "bench_005")
            || CONTAINS(STR(?s), "bench-005")) } GROUP BY ?s HAVING(COUNT(?e) = 4)
            ORDER BY ?s LIMIT 1""")
        busiest_barrier = _first(client, """SELECT ?b WHERE { ?s sg:addressesBarrier ?b .
            ?b a sg:Barrier } GROUP BY ?b ORDER BY DESC(COUNT(?s)) ?b LIMIT 1""")
        busiest_tech = _first(client, """SELECT ?t WHERE { ?s sg:concernsTechnology ?t .
            ?t a sg:Technology } GROUP BY ?t ORDER BY DESC(COUNT(?s)) ?t LIMIT 1""")
        busiest_elem = _first(client, """SELECT ?e WHERE { ?s sg:classifiedIn ?e .
            ?s a sg:Standard } GROUP BY ?e ORDER BY DESC(COUNT(?s)) ?e LIMIT 1""")
        biggest_arch = _first(client, """SELECT ?a WHERE { ?e skos:inScheme ?a .
            ?a a sg:ReferenceArchitecture } GROUP BY ?a ORDER BY DESC(COUNT(?e)) ?a LIMIT 1""")
        body = _first(client, """SELECT ?b WHERE { ?s sg:publisher ?b }
            GROUP BY ?b ORDER BY DESC(COUNT(?s)) ?b LIMIT 1""")
    finally:
        client.close()
    analyses = httpx.get(base + "/analysis", headers=JSON, timeout=300).json()
    analyses = analyses.get("analyses", analyses) if isinstance(analyses, dict) else analyses
    rami = ID + "architecture/rami40/"
    cell = urlencode([("element", rami + "layer-communication"),
                      ("element", rami + "level-field-device")])
    out: list[tuple[str, str, dict]] = [
        ("landing", "/", HTML),
        ("standard (bundled)", "/id/standard/iec-62541", HTML),
        ("standard (most classified)", _page(busiest_std) or "/id/standard/iso-9001-2015", HTML),
        *([("standard (synthetic, 4 elements)", _page(typical_std) or "", HTML)]
          if typical_std else []),
        ("standard (RDF)", (_page(busiest_std) or "/id/standard/iec-62541") + "?format=turtle",
         {}),
        ("barrier (bundled)", "/id/barrier/incompatible-data-formats", HTML),
        ("barrier (most standards)",
         _page(busiest_barrier) or "/id/barrier/incompatible-data-formats", HTML),
        ("theme", "/id/theme/interoperability", HTML),
        ("technology (most standards)", _page(busiest_tech) or "/id/technology/robotics",
         HTML),
        ("architecture element (most standards)", _page(busiest_elem) or
         "/id/architecture/rami40/layer-communication", HTML),
        ("standards body (most standards)", _page(body) or "/id/body/iso", HTML),
        ("recommendation", "/id/recommendation/5", HTML),
        ("roadmap item", "/id/roadmap-item/business-case-for-technology-2021-2022", HTML),
        ("architecture (RAMI 4.0, heatmap)", "/id/architecture/rami40", HTML),
        ("architecture (most elements)", _page(biggest_arch) or "/id/architecture/iira", HTML),
        ("ontology", "/ontology", HTML),
        ("/standards", "/standards", HTML),
        ("/standards (heatmap cell)", "/standards?" + cell, HTML),
        # broad filters: most of the standards pass
        ("/standards (status Published)", "/standards?" + urlencode([("status",
                                                                       SG + "Published")]), HTML),
        ("/standards (publisher, most standards)",
         "/standards?" + urlencode([("body", body or ID + "body/iso")]), HTML),
        ("/standards (evidence Stated)", "/standards?evidence=Stated", HTML),
        ("/search (few)", "/search?q=opc", HTML),
        ("/search (many)", "/search?q=s", HTML),
        ("/roadmap", "/roadmap", HTML),
        ("/relevance (form)", "/relevance", HTML),
        ("/relevance (ranking)",
         "/relevance?technology=robotics&barrier=incompatible-data-formats", HTML),
        ("/translate (form)", "/translate", HTML),
        ("/translate (element)", "/translate?element=" + quote(rami + "layer-communication",
                                                               safe=""), HTML),
    ]
    for a in analyses:
        out.append((f"/reports/{a['name']}", f"/reports/{a['name']}", HTML))
    for a in analyses:
        out.append((f"{a['path']} (JSON)", a["path"], JSON))
    # the reports' filters (issue 19): status Published (most standards pass), the publisher
    # of most standards
    published = urlencode([("status", SG + "Published")])
    by_body = urlencode([("body", body or ID + "body/iso")])
    # and the element and the barrier with most standards (issue 19)
    by_element = urlencode([("element", busiest_elem or rami + "layer-communication")])
    by_barrier = urlencode([("barrier", busiest_barrier or "")])
    for a in analyses:
        names = {p["name"] for p in a.get("parameters", [])}
        if "status" in names:
            out.append((f"/reports/{a['name']} (status Published)",
                        f"/reports/{a['name']}?{published}", HTML))
            out.append((f"{a['path']} (status Published, JSON)", f"{a['path']}?{published}",
                        JSON))
        if "body" in names:
            out.append((f"/reports/{a['name']} (publisher, most standards)",
                        f"/reports/{a['name']}?{by_body}", HTML))
        if "element" in names:
            out.append((f"/reports/{a['name']} (element, most standards)",
                        f"/reports/{a['name']}?{by_element}", HTML))
            out.append((f"{a['path']} (element, most standards, JSON)",
                        f"{a['path']}?{by_element}", JSON))
        if "barrier" in names and busiest_barrier:
            out.append((f"/reports/{a['name']} (barrier, most standards)",
                        f"/reports/{a['name']}?{by_barrier}", HTML))
    return out


# -- measuring ---------------------------------------------------------------------------------

def measure(base: str, targets: list[tuple[str, str, dict]], repeat: int, warm: int
            ) -> dict[str, dict]:
    res: dict[str, dict] = {u: {"times": [], "status": {}, "bytes": 0} for _k, u, _h in targets}

    def get(client: httpx.Client, u: str, headers: dict) -> tuple[float, int, int]:
        t0 = time.perf_counter()
        try:
            r = client.get(u, headers=headers)
            code, size = r.status_code, len(r.content)
        except httpx.TimeoutException:
            code, size = 0, 0
        return time.perf_counter() - t0, code, size

    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(warm):
            for _k, u, h in targets:
                get(client, u, h)
        for _ in range(repeat):
            for _k, u, h in targets:
                dt, code, size = get(client, u, h)
                r = res[u]
                r["times"].append(dt)
                r["status"][code] = r["status"].get(code, 0) + 1
                r["bytes"] = max(r["bytes"], size)
    return res


def cli_costs(store: Path, src: str | None, timeout: float) -> list[dict]:
    """``stdgraph analyse NAME --limit 0 --format json`` per analysis: seconds, peak RSS (MiB),
    output bytes, exit code."""
    env = clean_env(src)
    names = [a.name for a in _registry()]
    out = []
    for name in names:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "stdgraph", "--store", str(store),
                                 "analyse", name, "--limit", "0", "--format", "json"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        size = [0]

        def drain(pipe=proc.stdout, size=size) -> None:  # counted, not kept: it may be GBs
            while chunk := pipe.read(1 << 20):
                size[0] += len(chunk)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        killed = False
        while True:  # wait4: the child's own peak RSS (poll() would reap it first)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                proc.kill()
                killed = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join(10)
        code = os.waitstatus_to_exitcode(status)
        out.append({"analysis": name, "seconds": time.perf_counter() - t0,
                    "peak_rss_mib": usage.ru_maxrss / 1024, "bytes": size[0],
                    "exit": f"stopped at {timeout:.0f} s" if killed else code})
        print(f"  cli {name}: {out[-1]['seconds']:.2f} s, {out[-1]['peak_rss_mib']:.0f} MiB, "
              f"{size[0]:,} bytes, exit {out[-1]['exit']}", flush=True)
    return out


def _registry():
    from stdgraph.analysis import ANALYSES

    return list(ANALYSES.values()) if hasattr(ANALYSES, "values") else list(ANALYSES)


def pct(ts: list[float], p: float) -> float:
    ts = sorted(ts)
    return ts[min(len(ts) - 1, max(0, round(p * (len(ts) - 1))))] * 1000


def run_store(name: str, store: Path, args, sources: list[str | None]) -> dict:
    print(f"== {name} ({store})", flush=True)
    result: dict = {"store": name, "versions": {}}
    targets: list[tuple[str, str, dict]] | None = None
    for _round in range(args.rounds):
        for src in sources:
            proc, base = serve(store, src, args.threads)
            try:
                if targets is None:
                    targets = [t for t in urls(base, store)
                               if (not args.only or re.search(args.only, t[0]))
                               and not (args.skip and re.search(args.skip, t[0]))]
                    result["urls"] = [[k, u] for k, u, _h in targets]
                got = measure(base, targets, args.repeat, args.warm)
                rss = peak_rss(proc.pid)
            finally:
                proc.terminate()
                proc.wait(20)
            v = result["versions"].setdefault(src or "installed", {"urls": {}, "rss": []})
            v["rss"].append(rss)
            for u, r in got.items():
                acc = v["urls"].setdefault(u, {"times": [], "status": {}, "bytes": 0})
                acc["times"] += r["times"]
                for code, n in r["status"].items():
                    acc["status"][str(code)] = acc["status"].get(str(code), 0) + n
                acc["bytes"] = max(acc["bytes"], r["bytes"])
    report(result, targets or [])
    if not args.no_cli:
        for src in sources:
            result["versions"][src or "installed"]["cli"] = cli_costs(store, src,
                                                                      args.cli_timeout)
        report_cli(result)
    return result


def report(result: dict, targets: list[tuple[str, str, dict]]) -> None:
    versions = list(result["versions"])
    print(f"\n### {result['store']}\n")
    head = "| page | URL |" + "".join(" median (ms) | p95 (ms) | status | kB |"
                                       for _ in versions)
    print("versions:", ", ".join(versions))
    print(head)
    print("| --- | --- |" + " ---: | ---: | --- | ---: |" * len(versions))
    for kind, u, _h in targets:
        line = f"| {kind} | `{u if len(u) < 70 else u[:67] + '...'}` |"
        for v in versions:
            r = result["versions"][v]["urls"][u]
            codes = ", ".join(f"{c}×{n}" if len(r["status"]) > 1 else c
                              for c, n in sorted(r["status"].items()))
            line += (f" {statistics.median(r['times']) * 1000:.1f} | {pct(r['times'], 0.95):.1f}"
                     f" | {codes} | {r['bytes'] / 1024:.0f} |")
        print(line)
    for v in versions:
        rss = result["versions"][v]["rss"]
        print(f"\n{v}: server peak RSS {max(r['server'] for r in rss):.0f} MiB, largest worker "
              f"{max(r['worker_max'] for r in rss):.0f} MiB, workers' peaks summed "
              f"{max(r['workers_sum'] for r in rss):.0f} MiB "
              f"({max(r['workers'] for r in rss)} worker processes)")
    sys.stdout.flush()


def report_cli(result: dict) -> None:
    for v, got in result["versions"].items():
        print(f"\n{result['store']}, {v}:\n")
        print("| analysis (CLI, --limit 0) | seconds | peak RSS (MiB) | output (MB) | exit |")
        print("| --- | ---: | ---: | ---: | --- |")
        for c in got.get("cli", []):
            print(f"| {c['analysis']} | {c['seconds']:.2f} | {c['peak_rss_mib']:.0f} | "
                  f"{c['bytes'] / 1e6:.1f} | {c['exit']} |")
    sys.stdout.flush()


def main() -> None:
    # a stopped benchmark stops its servers too (run_store's finally)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="measure this existing store only")
    ap.add_argument("--sizes", default="bundled,1000,10000",
                    help="'bundled' and numbers of synthetic standards, comma-separated")
    ap.add_argument("--paths", default="sto,native", help="sto, native or both")
    ap.add_argument("--workdir", default="/tmp/stdgraph-pages-bench")
    ap.add_argument("--src", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--warm", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--threads", action="store_true")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--cli-timeout", type=float, default=900)
    ap.add_argument("--json", help="write the raw times here (after each store)")
    ap.add_argument("--only", help="measure only the page kinds matching this regex")
    ap.add_argument("--skip", help="leave out the page kinds matching this regex")
    args = ap.parse_args()
    sources: list[str | None] = [str(Path(s).resolve()) for s in args.src] or [None]
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    if args.store:
        results.append(run_store(Path(args.store).name, Path(args.store).resolve(), args,
                                 sources))
    else:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        names = []
        for size in args.sizes.split(","):
            if size == "bundled":
                names.append("bundled")
            else:
                names += [f"{p}-{int(size)}" for p in args.paths.split(",")]
        for name in names:
            results.append(run_store(name, make_store(workdir, name), args, sources))
            print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
