"""Streamed analysis answers over HTTP (issue 20, item 3): ``limit=0`` and JSON lines are sent
as the items are made, through the query runner (worker processes and threads alike), and the
text is the whole answer's: the JSON document, the CSV, one item per line. A bad parameter is
still a 400; a stream's time limit is on each stretch without progress; a client that goes
away mid-stream leaves the runner fit for the next request."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stdgraph.analysis import REGISTRY, run
from stdgraph.api.app import create_app
from stdgraph.importers.sto import CuratedLinks, import_sto
from stdgraph.settings import Settings
from stdgraph.store import OxigraphStore
from support import slow_analysis

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate  # noqa: E402

SLOW = slow_analysis.__name__


@pytest.fixture(scope="module")
def sto_dir(tmp_path_factory) -> Path:
    """About 2,000 overlapping pairs: a stream of many chunks."""
    tmp = tmp_path_factory.mktemp("stream")
    path = tmp / "sto.nt"
    generate.write(path, 250, seed=5, vocabulary="sto", schemes=4, elements=24, count_zipf=1.2)
    store = OxigraphStore(tmp / "store")
    import_sto(store, path, links=CuratedLinks())
    store.close()
    return tmp / "store"


@pytest.fixture(scope="module", params=["processes", "threads"])
def client(request, sto_dir):
    settings = Settings(store=str(sto_dir), query_processes=request.param == "processes",
                        query_workers=1, query_timeout=3, analysis_modules=(SLOW,))
    store = OxigraphStore(sto_dir)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c, store


@pytest.mark.parametrize("name,path,params", [
    ("overlaps", "/analysis/overlaps", {}),
    ("overlaps", "/analysis/overlaps", {"min_shared": "1", "expand": "true"}),
    ("conflicts", "/analysis/conflicts", {}),
    ("gaps", "/analysis/gaps", {}),
    ("clusters", "/analysis/overlaps/clusters", {"threshold": "0.4"}),
])
def test_limit_0_streams_the_whole_answer(client, name, path, params):
    c, store = client
    spec = REGISTRY.get(name)
    raw = {**params, "limit": "0"}
    doc = run(name, store, raw)
    for fmt in ("json", "csv"):
        r = c.get(path, params={**raw, "format": fmt})
        assert r.status_code == 200, r.text
        assert r.text == spec.render(doc, fmt), fmt
    r = c.get(path, params=raw, headers={"Accept": "application/x-ndjson"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in r.text.splitlines()] == doc.items
    if name == "overlaps" and not params:
        assert len(doc.items) > 1000  # many chunks


def test_json_lines_of_a_capped_answer(client):
    c, store = client
    r = c.get("/analysis/overlaps", params={"format": "ndjson", "limit": "7"})
    assert r.status_code == 200
    assert [json.loads(x) for x in r.text.splitlines()] == run(
        "overlaps", store, {"limit": "7"}).items


def test_a_bad_parameter_of_a_stream_is_still_a_400(client):
    c, _store = client
    r = c.get("/analysis/overlaps", params={"limit": "0", "min_shared": "0"})
    assert r.status_code == 400 and "min_shared" in r.json()["error"]
    r = c.get("/analysis/overlaps", params={"limit": "-1"})
    assert r.status_code == 400 and "limit" in r.json()["error"]


def test_a_stream_left_early_leaves_the_runner_fit(client):
    c, store = client
    with c.stream("GET", "/analysis/overlaps", params={"limit": "0", "format": "ndjson"}) as r:
        assert r.status_code == 200
        next(r.iter_bytes())
    # the server lets go of the stream on its own time: a worker process still sending is
    # replaced (by one that warms up first) once the stream is closed, or once its chunks
    # are not taken for the time limit; meanwhile a request may wait past its own limit
    end = time.monotonic() + 60
    while (r := c.get("/analysis/overlaps", params={"limit": "3"})).status_code == 503:
        assert time.monotonic() < end
        time.sleep(0.5)
    assert r.status_code == 200 and r.json()["items"] == run(
        "overlaps", store, {"limit": "3"}).items


def test_a_stream_that_stalls_before_its_first_item_is_a_503(client):
    c, _store = client
    r = c.get("/analysis/toy/slow-stream", params={"format": "ndjson", "seconds": "4.5"})
    assert r.status_code == 503
    time.sleep(2)  # a thread cannot be stopped: its job ends on its own (a process is killed)
    assert c.get("/analysis/toy/slow-stream", params={"format": "ndjson"}).status_code == 200


def test_a_stream_that_says_it_is_getting_on_is_not_stopped(client):
    """5 s of work with progress reported, then items 2 s apart: longer than the 3 s limit
    altogether, never that long without progress."""
    c, _store = client
    r = c.get("/analysis/toy/slow-stream",
              params={"format": "ndjson", "seconds": "5", "beat": "true", "between": "2"})
    assert r.status_code == 200
    assert [json.loads(x) for x in r.text.splitlines()] == [{"item": k} for k in range(3)]


def test_csv_rows_of_the_stream_are_the_documents(client):
    c, store = client
    r = c.get("/analysis/conflicts", params={"limit": "0", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == len(run("conflicts", store, {"limit": "0"}).items)
