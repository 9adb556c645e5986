"""RDF terms in SPARQL text: the one way an IRI from outside enters a query string."""

from __future__ import annotations

import re

import pyoxigraph as ox

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_ref(iri: str) -> str:
    """``<iri>`` for SPARQL text, refusing anything that could escape the brackets or that
    Oxigraph's IRI parser would reject (a C1 control, a bad %-escape, a second '#'), which would
    otherwise surface as a syntax error in a query the caller did not write."""
    if not iri or _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    ox.NamedNode(iri)  # ValueError when not an IRI
    return f"<{iri}>"
