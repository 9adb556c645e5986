"""The evidence filter (``analysis/queries/links.rq`` through ``LinkReader``) on every store
kind, the remote servers included, for each kind of record: stated, reading, suggested with a
score, inferred from premises, and links with no record taking their graph's default.

The graph below is small enough to count by hand: each standard has one ``sg:classifiedIn``
link to ``ex:e`` and what makes it count is in its name.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from stdgraph.analysis.evidence import Evidence, LinkReader
from stdgraph.store import MemoryStore, OxigraphStore, RemoteStore, open_store
from support.sparql_servers import TEST_SERVERS, mark_known_failure

EX = "https://example.org/ev/"
SG = "https://w3id.org/stdgraph/ontology#"
GRAPH = "https://example.org/ev/graph/curated"
SUGGESTED_GRAPH = "https://example.org/ev/graph/suggested"

INSERT = f"""
PREFIX sg: <{SG}>
PREFIX ex: <{EX}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{
GRAPH <{GRAPH}> {{
  ex:stated a sg:Standard ; sg:classifiedIn ex:e .
  ex:reading a sg:Standard ; sg:classifiedIn ex:e .
  ex:suggested06 a sg:Standard ; sg:classifiedIn ex:e .
  ex:suggested03 a sg:Standard ; sg:classifiedIn ex:e .
  ex:inferredFromStated a sg:Standard ; sg:classifiedIn ex:e .
  ex:inferredFromReading a sg:Standard ; sg:classifiedIn ex:e .
  ex:inferredFromStatedAndLowSuggestion a sg:Standard ; sg:classifiedIn ex:e .
  ex:noRecord a sg:Standard ; sg:classifiedIn ex:e .

  ex:r1 a rdf:Statement ; rdf:subject ex:stated ; rdf:predicate sg:classifiedIn ;
        rdf:object ex:e ; sg:evidence sg:Stated ; dcterms:source ex:report .
  ex:r2 a rdf:Statement ; rdf:subject ex:reading ; rdf:predicate sg:classifiedIn ;
        rdf:object ex:e ; sg:evidence sg:Reading ; sg:rationale "a reading" .
  ex:r3 a rdf:Statement ; rdf:subject ex:suggested06 ; rdf:predicate sg:classifiedIn ;
        rdf:object ex:e ; sg:evidence sg:Suggested ; sg:score 0.6 .
  ex:r4 a rdf:Statement ; rdf:subject ex:suggested03 ; rdf:predicate sg:classifiedIn ;
        rdf:object ex:e ; sg:evidence sg:Suggested ; sg:score 0.3 .
  ex:r5 a rdf:Statement ; rdf:subject ex:inferredFromStated ; rdf:predicate sg:classifiedIn ;
        rdf:object ex:e ; sg:evidence sg:Inferred ; prov:wasDerivedFrom ex:r1 .
  ex:r6 a rdf:Statement ; rdf:subject ex:inferredFromReading ; rdf:predicate sg:classifiedIn ;
        rdf:object ex:e ; sg:evidence sg:Inferred ; prov:wasDerivedFrom ex:r1 , ex:r2 .
  ex:r7 a rdf:Statement ; rdf:subject ex:inferredFromStatedAndLowSuggestion ;
        rdf:predicate sg:classifiedIn ; rdf:object ex:e ; sg:evidence sg:Inferred ;
        prov:wasDerivedFrom ex:r1 , ex:r4 .
}}

GRAPH <{SUGGESTED_GRAPH}> {{
  ex:fromSuggestedGraph a sg:Standard ; sg:classifiedIn ex:e .
  <{SUGGESTED_GRAPH}> sg:evidence sg:Suggested ; sg:score 0.7 .
}}
}}
"""

# level -> the standards whose link counts, worked out from the graph above
EXPECTED = {
    ("stated", "0.5"): {"stated", "inferredFromStated", "noRecord"},
    ("stated+reading", "0.5"): {"stated", "reading", "inferredFromStated",
                                "inferredFromReading", "noRecord"},
    ("all", "0.5"): {"stated", "reading", "suggested06", "inferredFromStated",
                     "inferredFromReading", "noRecord", "fromSuggestedGraph"},
    ("all", "0.3"): {"stated", "reading", "suggested06", "suggested03", "inferredFromStated",
                     "inferredFromReading", "inferredFromStatedAndLowSuggestion", "noRecord",
                     "fromSuggestedGraph"},
    ("all", "0.8"): {"stated", "reading", "inferredFromStated", "inferredFromReading",
                     "noRecord"},
}


def _load(store):
    store.update(INSERT)
    return store


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return {"oxigraph": _load(OxigraphStore(tmp_path_factory.mktemp("ev-records") / "s")),
            "memory": _load(MemoryStore())}


@pytest.fixture(params=["oxigraph", "memory", "remote", *TEST_SERVERS])
def store(request, built, start_server):
    if request.param in built:
        yield built[request.param]
        return
    if request.param == "remote":
        st = open_store("sparql+" + start_server("oxigraph").url)
    else:
        mark_known_failure(request, request.param)
        server = start_server(request.param)
        st = RemoteStore.from_spec(server.spec, environ=server.env)
    yield _load(st)
    st.close()


@pytest.mark.parametrize("level,min_score", sorted(EXPECTED))
def test_each_kind_of_record_counts_at_its_level(store, level, min_score):
    reader = LinkReader(store, Evidence(level, Decimal(min_score)))
    found = {s.removeprefix(EX) for s, es in reader.links(SG + "classifiedIn").items()
             if EX + "e" in es}
    assert found == EXPECTED[(level, min_score)]
