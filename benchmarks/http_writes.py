"""The first answer after a write, over HTTP: ``stdgraph serve`` (worker processes, default
settings, writes enabled) over a copy of a store, then one-standard writes through ``POST
/sparql`` (``writes.one_standard``: the guarded write path), each followed at once by one
``GET`` of every analysis with its default parameters (what a committee that writes and then
looks waits for: the upkeep after the commit included, as far as the request meets it).
Printed: each write's figures, then the median ``POST`` and, per analysis, the median and the
worst first ``GET`` after a write (the first write, which builds the write path's closure,
left out).

The store is one ``writes.py --store-cache DIR`` set up (``DIR/store-N``), copied; to
measure another checkout, put its ``src`` first (``PYTHONPATH=OLD/src``: the server and its
workers inherit it).

    python benchmarks/http_writes.py STORE [--writes 5] [--standards 100000] [--settle 30]
"""

from __future__ import annotations

import argparse
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

from writes import one_standard

URLS = ["/analysis/overlaps", "/analysis/overlaps/clusters", "/analysis/gaps",
        "/analysis/conflicts"]
TOKEN = "bench-http-writes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(store: Path, writes: int, standards: int, settle: float) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDGRAPH_")}
    env.update(STDGRAPH_ACCESS_LOG="false", STDGRAPH_UPDATE_TOKEN=TOKEN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "stdgraph", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--store", str(store)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            while True:
                try:
                    if client.get(URLS[0]).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise SystemExit("the server stopped")
                time.sleep(1)
            print(f"  first answer after {time.perf_counter() - t0:.0f} s", flush=True)
            time.sleep(settle)  # the other workers' warm-ups
            for url in URLS:
                client.get(url)
            posts: list[float] = []
            after: dict[str, list[float]] = {url: [] for url in URLS}
            for k in range(writes + 1):
                t = time.perf_counter()
                r = client.post("/sparql", content=one_standard(5000 + k, standards).encode(),
                                headers={"Content-Type": "application/sparql-update",
                                         "Authorization": f"Bearer {TOKEN}"})
                post = time.perf_counter() - t
                r.raise_for_status()
                got = {}
                for url in URLS:
                    t = time.perf_counter()
                    r = client.get(url)
                    got[url] = time.perf_counter() - t
                    r.raise_for_status()
                print(f"  write {k}: POST {1000 * post:.0f} ms; then " + ", ".join(
                    f"{url.rsplit('/', 1)[1]} {1000 * s:.0f}" for url, s in got.items()),
                    flush=True)
                if k:  # the first builds the write path's closure
                    posts.append(post)
                    for url in URLS:
                        after[url].append(got[url])
                time.sleep(2)
            print(f"  POST /sparql one standard: median {1000 * statistics.median(posts):.0f} ms")
            for url in URLS:
                print(f"  GET {url:30} first after a write: median "
                      f"{1000 * statistics.median(after[url]):.0f} ms, worst "
                      f"{1000 * max(after[url]):.0f} ms")
    finally:
        proc.terminate()
        proc.wait(30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="a store folder (copied; not written)")
    ap.add_argument("--writes", type=int, default=5)
    ap.add_argument("--standards", type=int, default=100_000,
                    help="how many synthetic standards the store has (whom the writes supersede)")
    ap.add_argument("--settle", type=float, default=30.0,
                    help="seconds to wait after the first answer, for the other workers")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stdgraph-http-writes-") as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(args.store, copy)
        run(copy, args.writes, args.standards, args.settle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
