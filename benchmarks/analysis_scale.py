"""Analyses at scale (issue 20): the bundled graph plus N synthetic standards imported as I40KG
STO (``stdgraph import sto`` of ``benchmarks/generate.py --sto --schemes 20 --elements 140
--count-zipf 1.2``: 140 elements in 20 frameworks, 1-8 Zipf-skewed classifications per
standard, mean about 2.6), every analysis with its default parameters.

Phases (``--phases``, all by default):

- ``requests``: in this process, the way the server's query worker calls an analysis (a
  ``DeadlineStore`` with the runner's ``StateCache``; ``gc.freeze()`` after each, as the worker
  does), and renders nothing: the first request (*cold*: everything
  derived from the store), then ``--repeat`` more (*warm*: median and 95th percentile), then
  ``--writes`` one-standard guarded writes (``WriteGuard``, the bundled shapes and ontology,
  on a copy of the store), each followed by one request per analysis (*after a write*: the
  95th percentile and the worst), with the writes' own phases (inference + validation, and
  the whole write);
- ``http``: ``stdgraph serve`` (worker processes, default settings) on a free port: seconds
  until the first analysis answers (the workers warm up first), then ``--repeat`` rounds of
  every ``/analysis/...`` URL: median and 95th percentile;
- ``cli``: ``stdgraph analyse NAME --limit 0 --format json > /dev/null`` per analysis in a
  child process: seconds, bytes written, peak RSS (``VmHWM``); stopped after
  ``--cli-timeout`` seconds (then the figures are those so far).

The stores are built once under ``--work`` (``store-N``; the STO files next to them) and
reused. To measure another checkout (the code before issue 20), put its ``src`` first:
``PYTHONPATH=/path/to/checkout/src python benchmarks/analysis_scale.py ...``; the child
processes inherit it.

    python benchmarks/analysis_scale.py --sizes 10000 [--work /tmp/stdgraph-scale]
        [--phases requests,http,cli] [--repeat 20] [--writes 5] [--cli-timeout 900]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

NAMES = ("overlaps", "clusters", "gaps", "conflicts")
URLS = {"overlaps": "/analysis/overlaps", "clusters": "/analysis/overlaps/clusters",
        "gaps": "/analysis/gaps", "conflicts": "/analysis/conflicts"}
SG = "https://w3id.org/stdgraph/ontology#"
GRAPH = "https://w3id.org/stdgraph/graph/data/standards/standards-technology"
ELEMENTS = ["https://w3id.org/stdgraph/id/architecture/rami40/layer-communication",
            "https://w3id.org/stdgraph/id/architecture/rami40/level-field-device",
            "https://w3id.org/stdgraph/id/architecture/rami40/layer-information",
            "https://w3id.org/stdgraph/id/architecture/rami40/level-station"]


def stdgraph(*args: str) -> list[str]:
    return [sys.executable, "-m", "stdgraph", *args]


def build(work: Path, n: int) -> Path:
    """The bundled graph plus n imported STO standards, built once."""
    store = work / f"store-{n}"
    if (store / "CURRENT").exists():
        return store
    sto = work / f"sto-{n}.nt"
    generate.write(sto, n, vocabulary="sto", schemes=20, elements=140, count_zipf=1.2)
    t0 = time.perf_counter()
    subprocess.run(stdgraph("--store", str(store), "build"), check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(stdgraph("--store", str(store), "import", "sto", str(sto)), check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  built {store} in {time.perf_counter() - t0:.0f} s", flush=True)
    return store


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def ms(x: float) -> str:
    return f"{1000 * x:,.0f} ms" if x < 10 else f"{x:,.1f} s"


# -- in-process requests and writes ---------------------------------------------------------------

def new_standard(k: int) -> str:
    iri = f"https://w3id.org/stdgraph/id/standard/bench-write-{k}"
    elements = " , ".join(f"<{e}>" for e in (ELEMENTS[k % 4], ELEMENTS[(k + 1) % 4]))
    return f"""PREFIX sg: <{SG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <{GRAPH}> {{
  <{iri}> a sg:Standard ; rdfs:label "Written standard {k}"@en ; sg:identifier "WRITTEN {k}" ;
    dcterms:source <https://example.org/written/{k}> ;
    sg:publisher <https://w3id.org/stdgraph/id/body/iec> ; sg:status sg:Published ;
    sg:classifiedIn {elements} }} }}"""


def requests_phase(store_dir: Path, repeat: int, writes: int) -> None:
    from stdgraph.analysis import run
    from stdgraph.change.guard import WriteGuard
    from stdgraph.deadline import Deadline
    from stdgraph.project import Project
    from stdgraph.store import OxigraphStore
    from stdgraph.store.bounded import DeadlineStore, StateCache

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(store_dir, copy)
        reader = OxigraphStore(copy, read_only=True)
        cache = StateCache()

        def once(name: str) -> float:
            t0 = time.perf_counter()
            run(name, DeadlineStore(reader, Deadline(None), cache), {})
            seconds = time.perf_counter() - t0
            # as a query worker does after each job (api/worker.py): keep the cyclic garbage
            # collector off what the analyses keep
            gc.collect(1)
            gc.freeze()
            return seconds

        cold = {name: once(name) for name in NAMES}
        warm: dict[str, list[float]] = {name: [] for name in NAMES}
        for _ in range(repeat):
            for name in NAMES:
                warm[name].append(once(name))
        after: dict[str, list[float]] = {name: [] for name in NAMES}
        phases: list[float] = []
        totals: list[float] = []
        if writes:
            writer = OxigraphStore(copy)
            guard = WriteGuard.for_project(writer, Project.locate())
            guard.warm()
            for k in range(writes):
                t0 = time.perf_counter()
                out = guard.update(new_standard(k))
                totals.append(time.perf_counter() - t0)
                phases.append(out.timings.get("inference", 0) + out.timings.get("validation", 0))
                for name in NAMES:
                    after[name].append(once(name))
            writer.close()
        print(f"  {'analysis':10} {'cold':>9} {'warm p50':>9} {'warm p95':>9} "
              f"{'after-write p95':>16} {'after-write max':>16}")
        for name in NAMES:
            line = (f"  {name:10} {ms(cold[name]):>9} {ms(statistics.median(warm[name])):>9} "
                    f"{ms(pct(warm[name], 0.95)):>9}")
            if after[name]:
                line += f" {ms(pct(after[name], 0.95)):>16} {ms(max(after[name])):>16}"
            print(line, flush=True)
        if totals:
            print(f"  one-standard write (median of {writes}): inference + validation "
                  f"{ms(statistics.median(phases))}, whole write {ms(statistics.median(totals))}")
        reader.close()


# -- HTTP ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_phase(store_dir: Path, repeat: int) -> None:
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    env["STDGRAPH_ACCESS_LOG"] = "false"
    t0 = time.perf_counter()
    proc = subprocess.Popen(stdgraph("serve", "--host", "127.0.0.1", "--port", str(port),
                                     "--store", str(store_dir)), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=3600) as client:
            while True:
                try:
                    if client.get("/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            first = client.get(URLS["overlaps"])
            ready = time.perf_counter() - t0
            print(f"  first answer {first.status_code} after {ready:.1f} s (start-up, warm-up)")
            times: dict[str, list[float]] = {name: [] for name in NAMES}
            statuses: dict[str, set[int]] = {name: set() for name in NAMES}
            for _ in range(repeat):
                for name in NAMES:
                    t = time.perf_counter()
                    r = client.get(URLS[name])
                    times[name].append(time.perf_counter() - t)
                    statuses[name].add(r.status_code)
        for name in NAMES:
            print(f"  GET {URLS[name]:30} p50 {ms(statistics.median(times[name])):>8}  "
                  f"p95 {ms(pct(times[name], 0.95)):>8}  status {sorted(statuses[name])}",
                  flush=True)
    finally:
        proc.terminate()
        proc.wait(30)


# -- CLI --limit 0 ------------------------------------------------------------------------------

def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cli_phase(store_dir: Path, timeout: float) -> None:
    for name in NAMES:
        with tempfile.TemporaryFile() as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(stdgraph("analyse", name, "--store", str(store_dir),
                                             "--limit", "0", "--format", "json"),
                                    stdout=out, stderr=subprocess.DEVNULL)
            peak, stopped = 0, False
            while proc.poll() is None:
                peak = max(peak, _hwm(proc.pid))
                if time.perf_counter() - t0 > timeout:
                    peak = max(peak, _hwm(proc.pid))
                    proc.kill()
                    stopped = True
                    break
                time.sleep(0.2)
            proc.wait()
            seconds = time.perf_counter() - t0
            size = out.seek(0, 2)
        state = f"stopped after {timeout:.0f} s" if stopped else f"exit {proc.returncode}"
        print(f"  analyse {name:10} --limit 0: {seconds:8.1f} s, {size / 1e6:9.1f} MB written, "
              f"peak RSS {peak / 2**20:7.0f} MiB ({state})", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "stdgraph-scale"))
    ap.add_argument("--phases", default="requests,http,cli")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--writes", type=int, default=5)
    ap.add_argument("--cli-timeout", type=float, default=900.0)
    args = ap.parse_args(argv)
    import stdgraph

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    phases = set(args.phases.split(","))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"stdgraph from {Path(stdgraph.__file__).parent}; {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load {load:.1f}")
    for n in [int(x) for x in args.sizes.split(",")]:
        print(f"\n{n:,} STO standards + the bundled graph", flush=True)
        store = build(work, n)
        if "requests" in phases:
            requests_phase(store, args.repeat, args.writes)
        if "http" in phases:
            http_phase(store, args.repeat)
        if "cli" in phases:
            cli_phase(store, args.cli_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
