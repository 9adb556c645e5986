"""The graphs stdgraph computes cannot be written by hand (issue 21, item 3): SPARQL Update wrote
the inferred graph (INSERT DATA, DROP, CLEAR, COPY, ADD, INSERT ... WHERE, DELETE WHERE answered
200 and changed the store) while the Graph Store refused it with 403.

The change protocol refuses it now, the same way for every write route (``RecordingDB``:
``ProtectedGraph``, 403): any write that names the inferred graph (or the build record,
graph/meta) - as a target, a template graph, a ``WITH`` graph, the source of a ``MOVE`` - is
refused whole. ``ALL``, ``NAMED`` and graph variables reach only the graphs a write can change;
the inferred graph then follows what is left (``test_drop_all_leaves_the_inferred_graph_to_the
_reasoner``).
"""

from __future__ import annotations

import pytest

from api.conftest import DATA_GRAPH, INFERRED
from stdgraph.rdf.namespaces import META_GRAPH

from .conftest import FIGURES
from .hostile import AUTH

#: an entailment the mini store holds (ex:a ex:supersedes ex:b, supersededBy its inverse)
HELD = ("<http://example.org/mini#b> <http://example.org/mini#supersededBy> "
        "<http://example.org/mini#a>")
OTHER = "http://example.org/graph/other"


def updates(g: str) -> list[str]:
    """Every kind of SPARQL update that names graph ``g`` as something it writes."""
    return [
        f"INSERT DATA {{ GRAPH <{g}> {{ <urn:s> <urn:p> <urn:o> }} }}",
        f"DELETE DATA {{ GRAPH <{g}> {{ {HELD} }} }}",
        f"DROP GRAPH <{g}>",
        f"DROP SILENT GRAPH <{g}>",
        f"CLEAR GRAPH <{g}>",
        f"CLEAR SILENT GRAPH <{g}>",
        f"CREATE SILENT GRAPH <{g}>",
        f"COPY DEFAULT TO <{g}>",
        f"COPY <{DATA_GRAPH}> TO <{g}>",
        f"MOVE <{DATA_GRAPH}> TO <{g}>",
        f"MOVE <{g}> TO <{OTHER}>",
        f"ADD <{DATA_GRAPH}> TO <{g}>",
        f"INSERT {{ GRAPH <{g}> {{ ?s <urn:p> ?o }} }} WHERE {{ GRAPH <{DATA_GRAPH}> "
        "{ ?s ?p ?o } }",
        f"DELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
        f"DELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
        f"WITH <{g}> INSERT {{ <urn:s> <urn:p> <urn:o> }} WHERE {{}}",
        f"WITH <{g}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        # all or nothing: the first operation alone would be written
        f"INSERT DATA {{ GRAPH <{OTHER}> {{ <urn:s> <urn:p> <urn:o> }} }} ; DROP GRAPH <{g}>",
    ]


@pytest.fixture
def server(hostile_server):
    return hostile_server


def protected(server, method: str, url: str, g: str, **kw) -> None:
    r = server.send(403, method, url, **kw)
    assert f"the graph <{g}> is computed by stdgraph" in r.json()["error"], r.json()
    FIGURES["bad_inputs"]["write to a computed graph"] += 1


@pytest.mark.parametrize("graph", [INFERRED, META_GRAPH], ids=["inferred", "meta"])
def test_every_sparql_update_naming_it_is_403(server, graph):
    for i, update in enumerate(updates(graph)):  # sent directly or as a form, alternately
        if i % 2 == 0:
            protected(server, "POST", "/sparql", graph, content=update,
                      headers={**AUTH, "Content-Type": "application/sparql-update"})
        else:
            protected(server, "POST", "/sparql", graph, data={"update": update}, headers=AUTH)


@pytest.mark.parametrize("graph", [INFERRED, META_GRAPH], ids=["inferred", "meta"])
def test_every_graph_store_write_naming_it_is_403(server, graph):
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    for method in ("PUT", "POST"):
        protected(server, method, f"/store?graph={graph}", graph,
                  content=b"<urn:s> <urn:p> <urn:o> .", headers=turtle)
    protected(server, "DELETE", f"/store?graph={graph}", graph, headers=AUTH)
    # quads in it, sent to the store itself
    protected(server, "POST", "/store", graph,
              content=f"<urn:s> <urn:p> <urn:o> <{graph}> .\n".encode(),
              headers={**AUTH, "Content-Type": "application/n-quads"})
    protected(server, "POST", "/store", graph,
              content=f"<{OTHER}> {{ <urn:s> <urn:p> <urn:o> }}\n<{graph}> {{ {HELD} }}".encode(),
              headers={**AUTH, "Content-Type": "application/trig"})
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Type: text/turtle\r\n\r\n<urn:s> <urn:p> <urn:o> .\r\n"
            f"--{boundary}--\r\n").encode()
    protected(server, "POST", f"/store?graph={graph}", graph, content=body,
              headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_drop_all_leaves_the_inferred_graph_to_the_reasoner(make_client):
    """``DROP ALL`` drops every graph a write can change; the inferred graph is not dropped by
    hand but follows: nothing is asserted any more, so nothing is entailed (the answer counts
    what went), and the build record stays. A graph variable in a template likewise skips the
    computed graphs: the entailment it deleted would come straight back."""
    client = make_client(update_token="test-token-0123456789")

    def count(graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        r = client.get("/sparql", params={"query": query})
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    inferred, meta = count(INFERRED), count(META_GRAPH)
    assert inferred > 0 and meta > 0
    r = client.post("/sparql", data={"update": "DELETE WHERE { GRAPH ?g { ?s "
                                               "<http://example.org/mini#supersededBy> ?o } }"},
                    headers=AUTH)
    assert r.status_code == 200, r.text
    assert count(INFERRED) == inferred  # held by ex:a ex:supersedes ex:b: still entailed
    for update in ("CLEAR ALL", "DROP ALL"):
        r = client.post("/sparql", data={"update": update}, headers=AUTH)
        assert r.status_code == 200, r.text
        if update == "CLEAR ALL":
            assert r.json()["inferred_removed"] == inferred
    assert count(INFERRED) == 0 and count(META_GRAPH) == meta
    ask = f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META_GRAPH}>) }}"
    r = client.get("/sparql", params={"query": ask})
    assert r.json()["boolean"] is False
