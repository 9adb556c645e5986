"""Page and analysis request times against a real ``stdgraph serve`` over the bundled graph.

Starts ``stdgraph serve`` (uvicorn, worker processes unless ``--threads``) on a free port of
127.0.0.1 over ``--store`` (build it first: ``stdgraph build --store DIR``), requests each URL
below a few times to warm it (caches, workers), then ``--repeat`` times in turn, and prints the
median and the 90th percentile per URL in milliseconds. ``--src DIR`` runs another checkout's
``src`` (put first on ``PYTHONPATH``), so two versions can be compared on the same store and
machine, alternately: ``--rounds`` repeats the whole measurement, and with two ``--src`` values
(``--src A --src B``) the rounds alternate between them.

    python benchmarks/pages.py --store /tmp/store [--repeat 20] [--rounds 3] [--src DIR ...]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

URLS = [
    "/",
    "/id/standard/iso-9001-2015",
    "/id/barrier/incompatible-data-formats",
    "/id/theme/interoperability",
    "/id/recommendation/5",
    "/id/roadmap-item/business-case-for-technology-2021-2022",
    "/id/architecture/rami40",
    "/search?q=opc",
    "/roadmap",
    "/reports/overlaps",
    "/reports/gaps",
    "/analysis/conflicts",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: str, src: str | None, threads: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    env["STDGRAPH_ACCESS_LOG"] = "false"
    if threads:
        env["STDGRAPH_QUERY_PROCESSES"] = "false"
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.Popen([sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--store", store], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("stdgraph serve did not start")


def measure(base: str, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {u: [] for u in URLS}
    accept = {"Accept": "text/html, application/json;q=0.9"}  # pages in HTML, analyses in JSON
    with httpx.Client(base_url=base, timeout=60, headers=accept) as client:
        for _ in range(3):  # warm: caches, workers, templates
            for u in URLS:
                r = client.get(u)
                r.raise_for_status()
        for _ in range(repeat):
            for u in URLS:
                t0 = time.perf_counter()
                client.get(u).raise_for_status()
                times[u].append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--src", action="append", default=[])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--threads", action="store_true")
    args = ap.parse_args()
    sources = args.src or [None]
    results: dict[str | None, dict[str, list[float]]] = {s: {u: [] for u in URLS}
                                                         for s in sources}
    for _ in range(args.rounds):
        for src in sources:
            proc, base = serve(str(Path(args.store).resolve()), src, args.threads)
            try:
                for u, ts in measure(base, args.repeat).items():
                    results[src][u] += ts
            finally:
                proc.terminate()
                proc.wait(10)
    head = f"{'url':58}" + "".join(f"{'median':>9}{'p90':>8}" for _ in sources)
    print("columns:", ", ".join(s or "installed" for s in sources), "(ms)")
    print(head)
    for u in URLS:
        line = f"{u:58}"
        for src in sources:
            ts = sorted(results[src][u])
            line += f"{statistics.median(ts) * 1000:9.1f}{ts[int(0.9 * (len(ts) - 1))] * 1000:8.1f}"
        print(line)


if __name__ == "__main__":
    main()
