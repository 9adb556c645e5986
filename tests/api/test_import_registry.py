"""POST /import/{vocabulary}: one route per importer of the registry (/import/sto), with the
importer's options as query parameters; unknown vocabularies and parameters are refused;
a conflicting re-import is 409 through the typed ImportConflict."""

from __future__ import annotations

from pathlib import Path

from stdgraph.api.openapi import openapi_document
from stdgraph.importers import IMPORTERS

from .conftest import AUTH, dump

STO = Path(__file__).resolve().parents[1] / "fixtures" / "sto" / "mini-sto.ttl"
TURTLE = {"Content-Type": "text/turtle", **AUTH}


def test_every_importer_has_a_documented_route():
    doc = openapi_document()
    for importer in IMPORTERS:
        op = doc["paths"][f"/import/{importer.vocabulary}"]["post"]
        names = [p["name"] for p in op["parameters"]]
        assert names == ["name", "replace", *(p.name for p in importer.options)]
        assert set(op["requestBody"]["content"]) == set(importer.media_types)
    assert "/import/{vocabulary}" not in doc["paths"]


def test_unknown_vocabulary_is_404_naming_the_known_ones(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/import/nope", content=STO.read_bytes(), headers=TURTLE)
    assert r.status_code == 404 and "known: sto" in r.json()["error"]
    assert dump(store_dir) == before


def test_unknown_or_bad_parameters_are_400_before_the_body_is_read(writer, store_dir):
    before = dump(store_dir)
    r = writer.post("/import/sto?bogus=1", content=STO.read_bytes(), headers=TURTLE)
    assert r.status_code == 400 and "bogus" in r.json()["error"]
    r = writer.post("/import/sto?shacl=maybe", content=STO.read_bytes(), headers=TURTLE)
    assert r.status_code == 400 and "shacl" in r.json()["error"]
    assert dump(store_dir) == before


def test_importer_options_over_http(writer):
    r = writer.post("/import/sto?name=nocase&case_fix=false", content=STO.read_bytes(),
                    headers=TURTLE)
    assert r.status_code == 201, r.text
    with_fix = writer.post("/import/sto?name=fix", content=STO.read_bytes(), headers=TURTLE)
    assert with_fix.status_code == 201, with_fix.text
    assert r.json()["summary"]["dangling"]["resolved_by_letter_case"] == 0
    assert with_fix.json()["summary"]["dangling"]["resolved_by_letter_case"] > 0


def test_conflict_is_409_with_the_http_wording(writer):
    assert writer.post("/import/sto?name=x", content=STO.read_bytes(),
                       headers=TURTLE).status_code == 201
    other = STO.read_text() + "\n<https://w3id.org/i40/sto#Extra> a " \
        "<https://w3id.org/i40/sto#Standard> .\n"
    r = writer.post("/import/sto?name=x", content=other, headers=TURTLE)
    assert r.status_code == 409
    body = r.json()
    assert "replace=true" in body["error"] and "--replace" not in body["error"]
    assert body["graph"] == "https://w3id.org/stdgraph/graph/import/sto/x"
