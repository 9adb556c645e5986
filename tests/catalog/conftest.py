"""The catalog fixture (tests/fixtures/catalog/catalog.ttl) in a store of each local kind, and
the IRIs the tests talk about."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from stdgraph.store import MemoryStore, OxigraphStore
from stdgraph.store.base import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog" / "catalog.ttl"
GRAPH = "https://w3id.org/stdgraph/graph/test/catalog"

ID = "https://w3id.org/stdgraph/id/"
SG = "https://w3id.org/stdgraph/ontology#"
XA, AXIS = ID + "architecture/xa", ID + "architecture/xa/axis"
E1, E2 = ID + "architecture/xa/e1", ID + "architecture/xa/e2"
S1, S2, S3 = ID + "standard/s1", ID + "standard/s2", ID + "standard/s3"
TOP, BIG, CHILD = ID + "barrier/top", ID + "barrier/big", ID + "barrier/child"
THEME = ID + "theme/t"
R1, I1, I2 = ID + "recommendation/r1", ID + "roadmap-item/i1", ID + "roadmap-item/i2"
SECTION, DOC = ID + "source/section-1", ID + "source/doc"
PUBLISHED = {"iri": SG + "Published", "label": "Published"}


def ref(iri: str, label: str) -> dict:
    return {"iri": iri, "label": label}


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request, tmp_path_factory) -> Iterator[Store]:
    """The fixture as one named graph, as it is (no ontology, no inference)."""
    g = Graph().parse(FIXTURE)
    st: Store = (OxigraphStore(tmp_path_factory.mktemp("catalog") / "store")
                 if request.param == "oxigraph" else MemoryStore())
    st.replace_all({GRAPH: list(g)})
    yield st
    st.close()


def rdflib_min_of_unbound(request, store: Store) -> None:
    """A strict xfail on the memory store for a test that reads a standard without a title."""
    if store.kind == "memory":
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "rdflib 7 evaluates MIN(STR(?t)) over an unbound ?t to the literal \"None\" "
            "(catalog/queries/standards-info.rq): on a memory store a standard without a "
            "title gets the title 'None'")))
