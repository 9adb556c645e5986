"""RDF terms in SPARQL text: the one way an IRI from outside enters a query string."""

from __future__ import annotations

from stdgraph.rdf.iri import check_iri


def iri_ref(iri: str) -> str:
    """``<iri>`` for SPARQL text, refusing (ValueError) anything ``rdf.iri.check_iri`` refuses:
    what could escape the brackets, and what Oxigraph's IRI parser would reject (a C1 control, a
    bad %-escape, a second '#'), which would otherwise surface as a syntax error in a query the
    caller did not write."""
    try:
        return f"<{check_iri(iri)}>"
    except ValueError as e:
        raise ValueError(f"{iri!r}: {e}") from None
