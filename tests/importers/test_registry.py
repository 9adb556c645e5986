"""The importer protocol and registry: STO is one entry of IMPORTERS; list/remove work on the
import graphs of every vocabulary from their PROV record; a differing re-import is the typed
ImportConflict; the CLI's import commands follow the registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from stdgraph.errors import ImportConflict, UsageError
from stdgraph.importers import IMPORTERS, Importer, ImporterRegistry, UnknownImporter
from stdgraph.importers.base import (
    graph_iri,
    list_imports,
    parse_options,
    remove_import,
    write_import,
)
from stdgraph.importers.sto import IMPORTER as STO_IMPORTER
from stdgraph.importers.sto import CuratedLinks, import_sto
from stdgraph.sparql.named import ParameterError
from stdgraph.store import MemoryStore

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "sto" / "mini-sto.ttl"


def toy_import(store, name: str, when: str = "2026-01-01T00:00:00+00:00", extra: str = "a"):
    """A hand-made import graph of another vocabulary, with the PROV record importers write."""
    g = graph_iri("toy", name)
    activity = URIRef(f"urn:toy:import:{name}")
    triples = [(URIRef(g), PROV.wasGeneratedBy, activity),
               (URIRef(g), PROV.wasDerivedFrom, URIRef(f"file:///toy/{name}.ttl")),
               (activity, RDF.type, PROV.Activity),
               (activity, PROV.endedAtTime, Literal(when, datatype=XSD.dateTime)),
               (URIRef("urn:toy:x"), URIRef("urn:toy:p"), Literal(extra))]
    return write_import(store, g, triples, vocabulary="toy", name=name)


def test_sto_is_an_entry_of_the_registry():
    assert IMPORTERS.names() == ["sto"]
    assert IMPORTERS.get("sto") is STO_IMPORTER and isinstance(STO_IMPORTER, Importer)
    assert "text/turtle" in STO_IMPORTER.media_types
    assert "application/n-quads" not in STO_IMPORTER.media_types  # one graph, not a dataset
    assert [p.name for p in STO_IMPORTER.options] == ["shacl", "case_fix"]
    with pytest.raises(UnknownImporter) as e:
        IMPORTERS.get("nope")
    assert e.value.http_status == 404 and "known: sto" in e.value.message


def test_registry_refuses_bad_entries():
    with pytest.raises(ValueError, match="two importers"):
        ImporterRegistry([STO_IMPORTER, STO_IMPORTER])
    with pytest.raises(TypeError, match="Importer protocol"):
        ImporterRegistry([object()])

    class Listing:
        vocabulary, title, media_types, options = "list", "x", {}, ()

        def import_(self, *a, **k):  # pragma: no cover - never called
            raise NotImplementedError

        def export(self, store):  # pragma: no cover - never called
            raise NotImplementedError

    with pytest.raises(ValueError, match="command name"):
        ImporterRegistry([Listing()])


def test_importer_options_are_checked():
    assert parse_options(STO_IMPORTER.options, {}) == {"shacl": False, "case_fix": True}
    assert parse_options(STO_IMPORTER.options, {"case_fix": "false"})["case_fix"] is False
    with pytest.raises(ParameterError) as e:
        parse_options(STO_IMPORTER.options, {"shacl": "maybe"})
    assert e.value.param == "shacl"
    with pytest.raises(ParameterError, match="unknown option"):
        parse_options(STO_IMPORTER.options, {"bogus": "1"})


def test_import_through_the_protocol_is_import_sto():
    a, b = MemoryStore(), MemoryStore()
    via = STO_IMPORTER.import_(a, MINI.read_bytes(), source=MINI, options={"case_fix": "false"},
                               project=None)
    direct = import_sto(b, MINI, resolve_case=False)
    assert (via.graph, via.status, via.triples) == (direct.graph, "created", direct.triples)
    assert via.summary["standards"] == direct.summary["standards"]
    assert via.text().startswith("created https://w3id.org/stdgraph/graph/import/sto/mini-sto")


def test_a_different_reimport_is_a_typed_conflict():
    store = MemoryStore()
    import_sto(store, MINI, links=CuratedLinks(), name="x")
    changed = MINI.read_text().replace('"Station"@en', '"Station (edited)"@en').encode()
    with pytest.raises(ImportConflict) as e:
        STO_IMPORTER.import_(store, changed, "x", source=MINI)
    err = e.value
    assert isinstance(err, UsageError) and (err.http_status, err.exit_code) == (409, 2)
    assert (err.graph, err.vocabulary, err.name) == (graph_iri("sto", "x"), "sto", "x")


def test_list_and_remove_work_for_every_vocabulary():
    store = MemoryStore()
    import_sto(store, MINI, links=CuratedLinks(), name="x")
    assert toy_import(store, "x") == ("created", 5)
    assert toy_import(store, "y") == ("created", 5)
    # same content at another time: unchanged, the first time kept; other content: conflict
    assert toy_import(store, "y", when="2027-01-01T00:00:00+00:00") == ("unchanged", 5)
    with pytest.raises(ImportConflict):
        toy_import(store, "y", extra="b")
    listed = [(i["vocabulary"], i["name"], i["time"], i["file"]) for i in list_imports(store)]
    assert listed[0][:2] == ("sto", "x")
    assert listed[1:] == [("toy", "x", "2026-01-01T00:00:00+00:00", "file:///toy/x.ttl"),
                          ("toy", "y", "2026-01-01T00:00:00+00:00", "file:///toy/y.ttl")]
    assert [i["name"] for i in list_imports(store, "toy")] == ["x", "y"]
    with pytest.raises(UsageError, match="sto/x or toy/x"):
        remove_import(store, "x")
    assert remove_import(store, "toy/x") == 5
    assert remove_import(store, "y") == 5
    with pytest.raises(UsageError, match="imports: sto/x"):
        remove_import(store, "y")
    assert [i["vocabulary"] for i in list_imports(store)] == ["sto"]


def test_graphs_that_only_look_like_imports_are_not_listed():
    store = MemoryStore()
    t = (URIRef("urn:x"), URIRef("urn:p"), Literal("o"))
    store.replace_graph("https://w3id.org/stdgraph/graph/import/sto", [t])
    store.replace_graph("https://w3id.org/stdgraph/graph/import/BAD/x", [t])
    assert list_imports(store) == []


# -- CLI -------------------------------------------------------------------------------------------

def test_cli_import_commands_follow_the_registry(run_cli, tmp_path):
    store = str(tmp_path / "st")
    r = run_cli("import", "--help")
    assert r.code == 0 and all(c in r.out for c in ("sto", "list", "remove"))
    r = run_cli("import", "sto", str(MINI), "--store", store, "--no-case-fix", "--name", "a")
    assert r.code == 0, r.err
    r = run_cli("import", "sto", str(MINI), "--store", store, "--name", "a")
    assert r.code == 2 and "--replace" in r.err and r.err.count("\n") == 1
    r = run_cli("import", "list", "--store", store, "--format", "json")
    assert r.code == 0
    [item] = json.loads(r.out)
    assert (item["vocabulary"], item["name"]) == ("sto", "a")
    r = run_cli("import", "list", "--store", store)
    assert r.out.startswith("a\tsto\t")
    r = run_cli("import", "nope", str(MINI), "--store", store)
    assert r.code == 2
    r = run_cli("export", "nope", "--store", store)
    assert r.code == 2 and "no importer for 'nope' (known: sto)" in r.err
    r = run_cli("import", "remove", "sto/a", "--store", store)
    assert r.code == 0 and "removed" in r.out
