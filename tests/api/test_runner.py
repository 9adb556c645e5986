"""The query runner (stdgraph.api.executor): SPARQL, analyses and the pages' reads all run in it,
at most STDGRAPH_QUERY_WORKERS at a time, and a read past the time limit is stopped - its worker
process killed and replaced, or its thread freed at its next query."""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import threading
import time

import pytest

from stdgraph.api.executor import CallJob, _Worker, function_ref, recv_message, send_message
from stdgraph.deadline import Deadline
from stdgraph.errors import QueryTimeout, StoreError
from stdgraph.sparql.named import ParameterError
from stdgraph.store import OxigraphStore
from stdgraph.store.bounded import DeadlineStore
from support import slow_analysis

SLOW = slow_analysis.__name__  # added to the app like any analysis of one's own
FAST = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # not a point lookup: a worker answers


def _timed(client, url: str, **params) -> tuple[int, float]:
    t0 = time.monotonic()
    r = client.get(url, params=params)
    return r.status_code, time.monotonic() - t0


def _concurrently(client, url: str, n: int, **params) -> list[tuple[int, float]]:
    out: list[tuple[int, float]] = []
    threads = [threading.Thread(target=lambda: out.append(_timed(client, url, **params)))
               for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(out, key=lambda sd: sd[1])


# -- the pieces --------------------------------------------------------------------------------

def _lambda_job():
    return CallJob.of(lambda store: None)


@pytest.mark.parametrize("size", [0, 10, (1 << 16) - 40, 1 << 16, 3 * (1 << 20) + 7])
def test_messages_cross_the_pipe_whole(size):
    """The worker's framing (``send_message``), read back blocking (the worker's side,
    ``recv_message``) and from the event loop (the server's side, ``_Worker.recv``): answers
    smaller and larger than one first read, one after the other on one pipe; a closed pipe is
    EOFError, not a hang."""
    payload = {"body": os.urandom(size), "n": size}

    def sent_while(read):  # a large message fills the pipe: the reader must run meanwhile
        writer = threading.Thread(target=send_message, args=(a, payload))
        writer.start()
        try:
            return read()
        finally:
            writer.join(30)

    async def read_async():
        worker = _Worker.__new__(_Worker)  # its pipe only: no process behind it
        worker.sock = b
        return await worker.recv()

    a, b = socket.socketpair()
    with a, b:
        for _ in range(3):
            assert sent_while(lambda: recv_message(b)) == payload
        b.setblocking(False)
        for _ in range(3):
            assert sent_while(lambda: asyncio.run(read_async())) == payload
        a.shutdown(socket.SHUT_WR)
        with pytest.raises(EOFError):
            asyncio.run(read_async())


def test_two_messages_at_once_are_an_error_not_lost():
    """One message at a time is in flight (a job, then its answer): a reader that finds more in
    its first read says so (the runner then replaces the worker) instead of dropping it."""
    a, b = socket.socketpair()
    with a, b:
        send_message(a, "one")
        send_message(a, "two")
        with pytest.raises(OSError, match="two messages"):
            recv_message(b)


def test_a_streams_messages_sent_back_to_back_are_read_one_by_one():
    """A stream's worker sends its messages one after another unasked (chunks, beats, the
    end): a first read that takes the start of the next one keeps it for that one, small or
    larger than a first read; the last leaves nothing behind."""
    sent = ["beat", os.urandom(100), {"n": 1}, os.urandom(3 * (1 << 16) + 5), "x" * 70_000,
            os.urandom(10), "end"]

    async def read_all() -> list:
        worker = _Worker.__new__(_Worker)  # its pipe only: no process behind it
        worker.sock = b
        got = [await worker.recv(follow=True) for _ in sent]
        assert worker.pending == b""
        return got

    a, b = socket.socketpair()
    with a, b:
        writer = threading.Thread(target=lambda: [send_message(a, m) for m in sent])
        writer.start()
        time.sleep(0.2)  # all that fits is in the pipe before the first read
        b.setblocking(False)
        try:
            assert asyncio.run(read_all()) == sent
        finally:
            writer.join(30)


def test_only_module_level_functions_are_jobs():
    def local(store):
        return None

    for make in (_lambda_job, lambda: CallJob.of(local)):
        with pytest.raises(TypeError, match="module-level"):
            make()
    job = CallJob.of(slow_analysis.slow, {"seconds": "0"})
    assert job.function == f"{SLOW}:slow" == function_ref(slow_analysis.slow)
    assert pickle.loads(pickle.dumps(job)) == job


def test_errors_cross_the_process_boundary_whole():
    err = pickle.loads(pickle.dumps(ParameterError("limit", "is not an integer")))
    assert isinstance(err, ParameterError)
    assert (err.param, err.message) == ("limit", "parameter 'limit': is not an integer")
    timeout = pickle.loads(pickle.dumps(QueryTimeout(1.5)))
    assert timeout.seconds == 1.5 and timeout.http_status == 503


def test_the_deadline_store_stops_between_queries_and_never_writes(built_store):
    with OxigraphStore(built_store, read_only=True) as inner:
        store = DeadlineStore(inner, Deadline(0.3))
        assert store.query("ASK { ?s ?p ?o }").boolean is True
        time.sleep(0.4)
        with pytest.raises(QueryTimeout):
            store.query("ASK { ?s ?p ?o }")
        with pytest.raises(StoreError):
            DeadlineStore(inner, Deadline(None)).update("INSERT DATA { <x:a> <x:b> <x:c> }")
        assert DeadlineStore(inner, Deadline(None)).count() == inner.count()


# -- stopped at the limit ----------------------------------------------------------------------

def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_slow_analysis_in_a_worker_process_stops_at_the_limit(make_client):
    """Many queries: the worker's store stops the analysis at its first query past the limit
    (503); the worker lives on, idle (its CPU time stands still), and serves the next job."""
    c = make_client(query_processes=True, query_timeout=1, query_workers=1,
                    analysis_modules=(SLOW,))
    assert c.get("/analysis/toy/slow", params={"seconds": "0"}).status_code == 200  # warm
    executor = c.app.state.stdgraph.executor
    [worker] = executor.worker_pids()
    status, seconds = _timed(c, "/analysis/toy/slow", seconds="60")
    assert status == 503 and seconds < 1 + 1.5, seconds
    time.sleep(0.3)
    before = _cpu_seconds(worker)
    time.sleep(0.5)
    assert _cpu_seconds(worker) - before < 0.1  # not asking any more
    assert executor.worker_pids() == [worker]
    r = c.get("/analysis/toy/slow", params={"seconds": "0"})
    assert r.status_code == 200 and r.json()["items"][0]["queries"] == 0


def test_a_stuck_analysis_in_a_worker_process_is_killed_at_the_limit(make_client):
    """One query that never ends: the worker is killed at the limit (503) and replaced."""
    c = make_client(query_processes=True, query_timeout=1, query_workers=1,
                    analysis_modules=(SLOW,))
    assert c.get("/analysis/toy/slow", params={"seconds": "0"}).status_code == 200  # warm
    executor = c.app.state.stdgraph.executor
    [busy] = executor.worker_pids()
    status, seconds = _timed(c, "/analysis/toy/slow", seconds="0", stuck="true")
    assert status == 503 and seconds < 1 + 1.5, seconds
    assert executor.killed == 1
    # the worker is gone (its CPU freed) and replaced
    for _ in range(100):
        if not os.path.exists(f"/proc/{busy}") and len(executor.worker_pids()) == 1:
            break
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{busy}")
    assert executor.worker_pids() != [busy] and len(executor.worker_pids()) == 1
    r = c.get("/analysis/toy/slow", params={"seconds": "0"})
    assert r.status_code == 200 and r.json()["items"][0]["queries"] == 0
    assert c.get("/sparql", params={"query": FAST}).status_code == 200


def test_a_stuck_page_read_in_a_worker_process_is_killed_at_the_limit(make_client):
    c = make_client(query_processes=True, query_timeout=1, query_workers=1,
                    analysis_modules=(SLOW,))
    assert c.get("/reports/toy-slow", params={"seconds": "0"}).status_code == 200  # warm
    status, seconds = _timed(c, "/reports/toy-slow", seconds="0", stuck="true")
    assert status == 503 and seconds < 1 + 1.5, seconds
    assert c.app.state.stdgraph.executor.killed == 1
    assert c.get("/reports/toy-slow", params={"seconds": "0"}).status_code == 200


def test_a_slow_analysis_in_a_thread_stops_at_its_next_query(make_client):
    """Threads cannot be killed: the request gets 503 at the limit, and the work stops at
    its next query, freeing the only thread for the request after it."""
    c = make_client(query_processes=False, query_timeout=1, query_workers=1,
                    analysis_modules=(SLOW,))
    status, seconds = _timed(c, "/analysis/toy/slow", seconds="60")
    assert status == 503 and seconds < 1 + 1.5, seconds
    status, seconds = _timed(c, "/analysis/toy/slow", seconds="0")
    assert status == 200 and seconds < 1, seconds  # the one thread is free again
    status, _ = _timed(c, "/sparql", query=FAST)
    assert status == 200


def test_a_parameter_error_in_a_worker_is_still_a_400_on_the_report_page(make_client):
    c = make_client(query_processes=True, analysis_modules=(SLOW,))
    r = c.get("/reports/toy-slow", params={"seconds": "-1"}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and 'role="alert"' in r.text and "seconds" in r.text
    r = c.get("/analysis/toy/slow", params={"seconds": "x"})
    assert r.status_code == 400 and r.json()["error"].startswith("parameter 'seconds'")


# -- bounded by STDGRAPH_QUERY_WORKERS ---------------------------------------------------------

@pytest.mark.parametrize("processes", [True, False], ids=["processes", "threads"])
def test_page_reads_wait_for_a_free_worker(make_client, processes):
    """Three slow page reads with two workers: two run at once, the third waits for one."""
    c = make_client(query_processes=processes, query_timeout=20, query_workers=2,
                    analysis_modules=(SLOW,))
    if processes:
        assert c.app.state.stdgraph.executor.wait_until_ready()
    _concurrently(c, "/reports/toy-slow", 2, seconds="0.2")  # both workers warm
    done = _concurrently(c, "/reports/toy-slow", 3, seconds="1.2")
    assert [status for status, _ in done] == [200, 200, 200]
    (_, first), (_, second), (_, last) = done
    assert last >= 2 * 1.2 - 0.05, done  # it could only start when another had finished
    assert second < last - 0.5, done


@pytest.mark.parametrize("processes", [True, False], ids=["processes", "threads"])
def test_sparql_and_analyses_share_the_workers(make_client, processes):
    """One worker, busy with a slow analysis: a SPARQL query waits for it (and, past its own
    time limit, gets 503 without ever running)."""
    c = make_client(query_processes=processes, query_timeout=1, query_workers=1,
                    analysis_modules=(SLOW,))
    assert c.get("/sparql", params={"query": FAST}).status_code == 200  # warm
    slow = threading.Thread(target=lambda: c.get("/analysis/toy/slow",
                                                 params={"seconds": "0.8"}))
    slow.start()
    time.sleep(0.2)
    status, seconds = _timed(c, "/sparql", query=FAST)
    slow.join(30)
    assert status == 200 and seconds >= 0.4, seconds  # it waited for the analysis
