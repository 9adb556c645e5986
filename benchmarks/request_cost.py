"""What one point lookup costs, layer by layer: the fixed per-request price that decides the
endpoint benchmark's fastest query class (``endpoint.py``).

* in process: the app's ASGI callable called directly, no network (the app's own work);
* over HTTP with a lean keep-alive ``http.client`` loop (the servers' work, little client):
  ``stdgraph serve`` (threads), ``oxigraph serve-read-only``, and a bare ASGI app under the same
  uvicorn returning Oxigraph's answer bytes (uvicorn's floor);
* the same three with httpx (what ``endpoint.py`` measures).

    python benchmarks/request_cost.py            # 1k standards
    python benchmarks/request_cost.py --standards 10000 --requests 5000
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import endpoint  # noqa: E402 - the endpoint benchmark next to this file (servers, queries)
import generate  # noqa: E402

BARE_APP = """
import sys, uvicorn
body = open(sys.argv[2], "rb").read()
headers = [(b"content-type", b"application/sparql-results+json"),
           (b"content-length", str(len(body)).encode())]
async def app(scope, receive, send):
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def in_process(standards: int, requests: int, work: Path) -> float:
    """Median ms of the app's ASGI callable answering the point lookup, no network."""
    from stdgraph.api.app import create_app
    from stdgraph.settings import Settings
    from stdgraph.store import OxigraphStore

    st = OxigraphStore(work / "in-process")
    generate.load_store(st, standards)
    st.close()
    settings = Settings.from_env().with_(store=str(work / "in-process"), query_processes=0,
                                         access_log=False)
    app = create_app(settings)
    accept, query = endpoint.QUERIES["point lookup"]
    scope = {"type": "http", "method": "GET", "path": "/sparql", "root_path": "",
             "query_string": urlencode({"query": query}).encode(), "http_version": "1.1",
             "headers": [(b"accept", accept.encode()), (b"host", b"127.0.0.1")],
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1)}
    statuses = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def run() -> list[float]:
        times = []
        async with app.router.lifespan_context(app):
            for i in range(requests + 200):
                t0 = time.perf_counter()
                await app(dict(scope), receive, send)
                if i >= 200:
                    times.append(time.perf_counter() - t0)
        return times

    times = asyncio.run(run())
    if set(statuses) != {200}:
        raise RuntimeError(f"the app answered {set(statuses)}")
    return statistics.median(times) * 1000


def lean(url: str, query: str, accept: str, requests: int) -> float:
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    path = u.path + "?" + urlencode({"query": query})
    times = []
    for i in range(requests + 200):
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Accept": accept})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"{url}: {r.status}")
        if i >= 200:
            times.append(time.perf_counter() - t0)
    conn.close()
    return statistics.median(times) * 1000


def with_httpx(url: str, query: str, accept: str, requests: int) -> float:
    times = []
    with httpx.Client() as client:
        for i in range(requests + 200):
            t0 = time.perf_counter()
            r = client.get(url, params={"query": query}, headers={"Accept": accept})
            r.read()
            if r.status_code != 200:
                raise RuntimeError(f"{url}: {r.status_code}")
            if i >= 200:
                times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--standards", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=3000, help="timed requests per measure")
    args = ap.parse_args(argv)
    accept, query = endpoint.QUERIES["point lookup"]
    work = Path(tempfile.mkdtemp(prefix="stdgraph-request-cost-"))
    print(f"python {sys.version.split()[0]}; point lookup, {args.standards} standards; medians "
          f"of {args.requests} requests after 200 untimed")
    ms = in_process(args.standards, args.requests, work)
    print(f"  {'in process (the ASGI callable, no network)':<44} {ms:7.3f} ms")
    urls, procs = endpoint.start_servers(work, args.standards, ["threads"])
    try:
        body = httpx.get(urls["oxigraph"], params={"query": query},
                         headers={"Accept": accept}).content
        (work / "answer.json").write_bytes(body)
        port = endpoint.free_port()
        procs.append(subprocess.Popen([sys.executable, "-c", BARE_APP, str(port),
                                       str(work / "answer.json")]))
        urls["bare uvicorn"] = f"http://127.0.0.1:{port}/sparql"
        endpoint.wait_up(urls["bare uvicorn"], procs[-1])
        endpoint.wait_idle(procs)
        for name, url in urls.items():
            ms_lean = lean(url, query, accept, args.requests)
            ms_httpx = with_httpx(url, query, accept, args.requests)
            print(f"  {name:<18} http.client {ms_lean:7.3f} ms   httpx {ms_httpx:7.3f} ms")
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
