"""POST /import/sto: the same import graph as the library import, guarded like every write."""

from __future__ import annotations

from pathlib import Path

from stdgraph.importers.sto import _without_time, import_graph_iri, import_sto
from stdgraph.project import Project
from stdgraph.store import MemoryStore, OxigraphStore

from .conftest import AUTH, MINI, dump

STO = Path(__file__).resolve().parents[1] / "fixtures" / "sto" / "mini-sto.ttl"
TURTLE = {"Content-Type": "text/turtle"}


def test_import_needs_the_token(make_client, store_dir):
    before = dump(store_dir)
    client = make_client(update_token="secret")
    assert client.post("/import/sto", content=STO.read_bytes(), headers=TURTLE).status_code == 401
    r = client.post("/import/sto", content=STO.read_bytes(),
                    headers={**TURTLE, "Authorization": "Bearer wrong"})
    assert r.status_code == 403 and "wrong" not in r.text
    assert make_client().post("/import/sto", content=STO.read_bytes(),
                              headers=TURTLE).status_code == 403
    assert dump(store_dir) == before


def test_import_writes_the_same_graph_as_the_library(writer, store_dir):
    r = writer.post("/import/sto?name=mini", content=STO.read_bytes(),
                    headers={**TURTLE, **AUTH})
    assert r.status_code == 201, r.text
    doc = r.json()
    graph = import_graph_iri("mini")
    assert (doc["graph"], doc["status"]) == (graph, "created")

    reference = MemoryStore()
    expected = import_sto(reference, STO, name="mini", project=Project.locate(MINI))
    assert doc["summary"]["standards"] == expected.summary["standards"]
    with OxigraphStore(store_dir, read_only=True) as st:
        got = set(st.triples(graph))

    def content(triples):
        """The mapped data, without the provenance record (it names the upload, not a file)."""
        return {t for t in _without_time(triples)
                if not any("upload" in str(x) or str(x).startswith("file:")
                           or str(x).endswith("/import/mini") for x in (t[0], t[2]))}

    assert content(got) == content(reference.triples(graph))
    assert ("urn:stdgraph:upload:mini.ttl" in {str(t[2]) for t in got})
    assert doc["triples"] == len(got)

    again = writer.post("/import/sto?name=mini", content=STO.read_bytes(),
                        headers={**TURTLE, **AUTH})
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")


def test_a_different_import_under_the_same_name_needs_replace(writer, store_dir):
    assert writer.post("/import/sto?name=x", content=STO.read_bytes(),
                       headers={**TURTLE, **AUTH}).status_code == 201
    before = dump(store_dir)
    other = STO.read_text() + "\n<https://w3id.org/i40/sto#Extra> a " \
        "<https://w3id.org/i40/sto#Standard> .\n"
    r = writer.post("/import/sto?name=x", content=other, headers={**TURTLE, **AUTH})
    assert r.status_code == 409 and "replace=true" in r.json()["error"]
    assert dump(store_dir) == before
    r = writer.post("/import/sto?name=x&replace=true", content=other,
                    headers={**TURTLE, **AUTH})
    assert (r.status_code, r.json()["status"]) == (200, "replaced")


def test_bad_bodies_change_nothing(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/import/sto", content=b"@prefix x: <http://x/> .\nx:a x:b", headers={**TURTLE, **AUTH})
    assert r.status_code == 400 and ":2:" in r.json()["error"]
    r = writer.post("/import/sto", content=b"{}", headers={"Content-Type": "application/pdf", **AUTH})
    assert r.status_code == 415
    assert dump(store_dir) == before
