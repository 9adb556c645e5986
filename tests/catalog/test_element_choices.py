"""The architecture elements a form offers (``catalog.architecture.elements_by_scheme``: the
reports' and the standards table's element filters, the relevance finder): every element but
an axis, where an axis is a top concept with elements below it. A flat scheme's top concepts
(an I40KG framework's classes, imported as such) are elements, and were left out before."""

from __future__ import annotations

import pytest

from stdgraph.catalog.architecture import elements_by_scheme
from stdgraph.store import MemoryStore, OxigraphStore

SG = "https://w3id.org/stdgraph/ontology#"
X = "https://example.org/"
DATA = f"""PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <{X}g> {{
  <{X}layered> a sg:ReferenceArchitecture ; rdfs:label "Layered"@en .
  <{X}axis> a sg:ArchitectureElement ; skos:prefLabel "An axis"@en ;
      skos:inScheme <{X}layered> ; skos:topConceptOf <{X}layered> .
  <{X}low> a sg:ArchitectureElement ; skos:prefLabel "Low"@en ; skos:inScheme <{X}layered> ;
      skos:broader <{X}axis> ; sg:order 2 .
  <{X}high> a sg:ArchitectureElement ; skos:prefLabel "High"@en ; skos:inScheme <{X}layered> ;
      sg:order 1 .
  <{X}axis> skos:narrower <{X}high> .
  <{X}flat> a sg:ReferenceArchitecture ; rdfs:label "Flat"@en .
  <{X}b> a sg:ArchitectureElement ; skos:prefLabel "Bravo"@en ; skos:inScheme <{X}flat> ;
      skos:topConceptOf <{X}flat> .
  <{X}a> a sg:ArchitectureElement ; skos:prefLabel "Alpha"@en ; skos:inScheme <{X}flat> ;
      skos:topConceptOf <{X}flat> .
}} }}"""


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_flat_schemes_offer_their_top_concepts_and_no_axis_is_offered(kind, tmp_path):
    store = OxigraphStore(tmp_path / "s") if kind == "oxigraph" else MemoryStore()
    store.update(DATA)
    got = [(scheme, [e["label"] for e in els]) for scheme, els in elements_by_scheme(store)]
    # by scheme label; each scheme's elements in its order (sg:order), then by label
    assert got == [("Flat", ["Alpha", "Bravo"]), ("Layered", ["High", "Low"])]
