"""Guarded writes on a remote store without a copy of its dataset (issue 20, item 4): the change
protocol runs over an overlay of the server's dataset (``store/overlay.py``), infers and
validates with scoped queries, and commits with one update request — or sends nothing.

Against real servers: ``oxigraph serve`` always, Virtuoso when ``STDGRAPH_TEST_SERVERS`` names
it. The reference for every write is the same change through the embedded store, which copies
its whole store and keeps the whole closure."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from stdgraph.change.build import build
from stdgraph.change.guard import store_change
from stdgraph.errors import ValidationFailed
from stdgraph.project import Project
from stdgraph.rdf.namespaces import INFERRED_GRAPH, META_GRAPH
from stdgraph.store import OxigraphStore, RemoteStore
from support.sparql_servers import REMOTE_BACKENDS, remote_backend_store

EX = "http://example.org/mini#"
DATA = "https://w3id.org/stdgraph/graph/data/standards"
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def q(s: str, p: str, o: str | ox.Literal, graph: str = DATA) -> ox.Quad:
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(EX + o)
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + p), obj, ox.NamedNode(graph))


def state(store) -> set[str]:
    """The dataset as N-Quads lines, the build record left out (its time differs per build)."""
    out = io.BytesIO()
    store.dump_to(out, "nquads")
    return {str(x) for x in ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS)
            if x.graph_name != ox.NamedNode(META_GRAPH)}


class Updates:
    """Counts the update requests a remote store sends (an httpx event hook on its client)."""

    def __init__(self, store: RemoteStore) -> None:
        self.url = store.update_url
        self.sent: list[str] = []
        store._client.event_hooks["request"].append(self)  # noqa: SLF001 - a test's probe

    def __call__(self, request: httpx.Request) -> None:
        if str(request.url) == self.url:
            self.sent.append(request.read().decode())


@pytest.fixture(params=REMOTE_BACKENDS)
def pair(request, mini, tmp_path) -> Iterator[tuple[RemoteStore, OxigraphStore, Project]]:
    """The mini project built into the remote store and into an embedded one."""
    remote = remote_backend_store(request, request.param)
    project = Project.locate(mini)
    build(project, remote)
    embedded = OxigraphStore(tmp_path / "embedded")
    build(project, embedded)
    yield remote, embedded, project
    embedded.close()


def test_the_builds_agree(pair):
    remote, embedded, _project = pair
    assert state(remote) == state(embedded)


def test_a_refused_write_sends_nothing(pair):
    """A second identifier breaks the shape (sh:maxCount 1): ValidationFailed, no update request
    sent, the server's dataset as it was."""
    remote, _embedded, project = pair
    before = state(remote)
    updates = Updates(remote)
    with pytest.raises(ValidationFailed) as refused:
        with store_change(remote, project) as change:
            change.insert([q("a", "identifier", ox.Literal("A2")), q("f", "partOf", "a")])
    assert [(r.focus, r.path) for r in refused.value.report.violations] == [
        (f"<{EX}a>", f"<{EX}identifier>")]
    assert updates.sent == []
    assert state(remote) == before


@pytest.mark.parametrize("change", ["insert", "delete", "both"])
def test_an_accepted_write_is_exactly_its_delta(pair, change):
    """The same change on both stores: the remote one receives ONE update request, and what it
    changes — asserted and inferred quads — is exactly what the embedded store's change did
    (there the whole closure is kept: the reference). Inserting ``f partOf c`` infers ``f
    partOf d`` and ``f partOf e`` through the transitive chain; deleting ``c partOf d``
    retracts ``c partOf e``; the inverse of ``a supersedes b`` goes with it."""
    remote, embedded, project = pair
    inserts = [q("f", "partOf", "c"), q("f", "identifier", ox.Literal("F"))]
    deletes = [q("c", "partOf", "d"), q("a", "supersedes", "b")]
    ins = inserts if change in {"insert", "both"} else []
    dels = deletes if change in {"delete", "both"} else []
    states = []
    outcomes = []
    updates = Updates(remote)
    for store in (embedded, remote):
        before = state(store)
        with store_change(store, project) as ch:
            ch.insert(ins)
            ch.delete(dels)
        after = state(store)
        states.append((after - before, before - after))
        outcomes.append(ch.outcome.as_dict())
    assert len(updates.sent) == 1
    assert states[1] == states[0]
    assert outcomes[1] == outcomes[0]
    added, removed = states[0]
    inferred = f"<{INFERRED_GRAPH}>"
    if change == "insert":
        assert {x for x in added if x.endswith(inferred)} == {
            f"<{EX}f> <{EX}partOf> <{EX}{o}> {inferred}" for o in ("d", "e")}
    if change == "delete":
        assert {x for x in removed if x.endswith(inferred)} == {
            f"<{EX}c> <{EX}partOf> <{EX}e> {inferred}",
            f"<{EX}b> <{EX}supersededBy> <{EX}a> {inferred}"}
    assert state(remote) == state(embedded)


def test_a_dump_streams_the_same_dataset(pair):
    """``dump_to`` (streamed) writes what the embedded store holds, in every dump format's
    terms: the quads for N-Quads, the merged triples for N-Triples."""
    remote, embedded, _project = pair
    assert state(remote) == state(embedded)
    graphs = [g for g in remote.graph_names() if g != META_GRAPH]  # the build times differ
    out = io.BytesIO()
    remote.dump_to(out, "ntriples", graphs=graphs)
    merged = {str(t) for t in ox.parse(out.getvalue(), ox.RdfFormat.N_TRIPLES)}
    expected = {str(ox.Triple(x.subject, x.predicate, x.object)) for x in
                ox.parse(embedded.dump("nquads"), ox.RdfFormat.N_QUADS)
                if x.graph_name != ox.NamedNode(META_GRAPH)}
    assert merged == expected
    assert len(out.getvalue().splitlines()) == len(expected)  # merged: no repeats


# -- memory ----------------------------------------------------------------------------------------
STANDARDS = 5_000
#: the most the client's peak memory may grow over one guarded write (MiB; measured: 2.6, for
#: a dataset of 14 MiB of N-Quads)
GROWTH_LIMIT = 10


@pytest.mark.skipif(shutil.which("oxigraph") is None
                    and not Path(sys.executable).with_name("oxigraph").is_file(),
                    reason="needs `oxigraph` (the test extras)")
def test_the_clients_memory_does_not_grow_with_the_dataset(tmp_path):
    """5,000 synthetic standards (the benchmarks' generator, with the bundled ontology and
    the inferred graph) in ``oxigraph serve``; a separate client process makes a one-standard
    guarded write through the change protocol: its peak resident memory grows by less than
    ``GROWTH_LIMIT`` MiB over the write, and by less than half of what the dataset takes as
    N-Quads (a copy in a pyoxigraph store, what a write took before, takes more than that
    whole). The peak is counted from the write on (``remote_write.reset_peak``): compiling the
    shapes beforehand peaks higher than either."""
    sys.path.insert(0, str(BENCHMARKS))
    import remote_write
    import writes

    store = writes.setup(tmp_path, STANDARDS, Project.locate(str(BENCHMARKS.parent)))
    data = tmp_path / "data.nq"
    with data.open("wb") as out:
        store.db.dump(out, format=ox.RdfFormat.N_QUADS)
    store.close()
    size_mib = data.stat().st_size / 2**20
    server, _seconds = remote_write.start("oxigraph", tmp_path / "server", data)
    try:
        proc = subprocess.run(
            [sys.executable, str(BENCHMARKS / "remote_write.py"), "--child", server.spec,
             "--standards", str(STANDARDS), "--repeat", "1"],
            env={**os.environ, **server.env}, capture_output=True, text=True, timeout=600,
            check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        written = RemoteStore.from_spec(server.spec)
        try:
            new = written.query(f"ASK {{ <{writes.generate.SGID}standard/write-900000> ?p ?o }}")
        finally:
            written.close()
    finally:
        server.stop()
    growth = (got["rss_peak_kib"] - got["rss_before_kib"]) / 1024
    scratch = ox.Store()
    scratch.update(writes.one_standard(900_000, STANDARDS))
    assert got["runs"][0]["inserted"] == len(scratch) > 8  # the write went through ...
    assert new.boolean is True  # ... and is on the server
    print(f"client peak RSS {got['rss_before_kib'] / 1024:.1f} -> "
          f"{got['rss_peak_kib'] / 1024:.1f} MiB over the write; dataset {size_mib:.1f} MiB")
    assert got["peak_reset"] is True
    assert size_mib > GROWTH_LIMIT, size_mib  # the dataset is no toy
    assert growth < min(GROWTH_LIMIT, size_mib / 2), (growth, size_mib)
