"""The relevance finder: standards ranked by how much of an organisation's profile they match.

A *profile* is a set of items of four kinds, each matched through one property of a standard:

=============  ================================  =============================================
kind           property of the standard          slug form (under the base IRI)
=============  ================================  =============================================
technology     ``sg:concernsTechnology``         ``technology/{slug}``
barrier        ``sg:addressesBarrier``           ``barrier/{slug}``
element        ``sg:classifiedIn``               ``architecture/{arch}/{slug}``
stakeholder    ``sg:relevantToStakeholder``      ``stakeholder/{slug}``
=============  ================================  =============================================

A standard's *score* is the number of profile items it matches; the ranking is by score
(descending), then label, then IRI. Every item carries the reason (the profile items it
matched). Standards whose status is ``sg:Withdrawn`` or ``sg:Superseded`` are left out unless
``include_withdrawn`` is set; either way the answer names them with the standards that
supersede them (``sg:supersededBy``, or ``sg:supersedes`` read backwards, at the evidence
level) as suggestions.

Links and statuses count at the evidence level (``evidence``: stdgraph.analysis.evidence; a
series matches an element through its parts), and the answer's ``coverage`` says, for each kind
in the profile, how many of the standards ranked (all, or those not withdrawn or superseded) have
any link of that kind, and how many of them have no known status.

Library code only (no HTTP): ``GET /relevance`` calls :func:`relevance`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from rdflib import URIRef

from stdgraph.analysis.common import PROLOGUE, SG, Labels
from stdgraph.analysis.evidence import STANDARD, Evidence, LinkReader
from stdgraph.sparql.named import ParameterError, sparql_term
from stdgraph.store.base import Store

__all__ = ["KINDS", "RETIRED", "relevance", "resolve"]

#: kind -> (property IRI, slug prefix under the base IRI, label for messages)
KINDS: dict[str, tuple[str, str, str]] = {
    "technology": (SG + "concernsTechnology", "technology/", "technology"),
    "barrier": (SG + "addressesBarrier", "barrier/", "barrier"),
    "element": (SG + "classifiedIn", "architecture/", "architecture element"),
    "stakeholder": (SG + "relevantToStakeholder", "stakeholder/", "stakeholder type"),
}
#: statuses left out unless asked for
RETIRED = (SG + "Withdrawn", SG + "Superseded")
_SLUG = re.compile(r"[a-z0-9][a-z0-9.-]*(/[a-z0-9][a-z0-9.-]*)*")


def resolve(kind: str, value: str, base_iri: str) -> str:
    """The IRI of a profile item given as an IRI or as a slug (``robotics``,
    ``rami40/layer-asset``); a bad value raises ``ParameterError`` naming ``kind``."""
    value = value.strip()
    if kind not in KINDS:
        raise ParameterError(kind, "unknown kind (known: " + ", ".join(KINDS) + ")")
    if value.startswith(("http://", "https://")):
        iri = value
    else:
        prefix = KINDS[kind][1]
        if value.startswith(prefix):
            value = value[len(prefix):]
        if not _SLUG.fullmatch(value):
            raise ParameterError(kind, f"{value!r} is neither an IRI nor a slug")
        iri = base_iri + prefix + value
    try:
        sparql_term(URIRef(iri))
    except ValueError:
        raise ParameterError(kind, f"{value!r} is not a valid IRI") from None
    return iri


def relevance(
    store: Store,
    profile: Mapping[str, Sequence[str]],
    *,
    include_withdrawn: bool = False,
    base_iri: str = "https://w3id.org/stdgraph/id/",
    limit: int = 0,
    evidence: Evidence | None = None,
) -> dict:
    """Rank the standards for ``profile`` (kind -> IRIs or slugs). Returns
    ``{"profile": [...], "count", "items": [...], "left_out": [...], "include_withdrawn"}``.

    An item is ``{"iri", "label", "identifier", "status", "score", "of", "matched": [{"kind",
    "iri", "label"}], "reason", "superseded_by": [{"iri", "label"}]}``; ``left_out`` lists the
    withdrawn or superseded standards that matched (when not included) in the same form;
    ``parameters`` echoes ``evidence``, ``min_score`` and ``include_withdrawn``, and
    ``coverage`` lists the coverage entries of the profile's link kinds and of sg:status."""
    evidence = evidence or Evidence()
    reader = LinkReader(store, evidence)
    parameters = {**evidence.describe(), "include_withdrawn": include_withdrawn}
    unknown = sorted(set(profile) - set(KINDS))
    if unknown:
        raise ParameterError(unknown[0], "unknown parameter (known: " + ", ".join(KINDS) + ")")
    wanted: list[tuple[str, str]] = []  # (kind, iri) in request order, no repeats
    for kind in KINDS:
        for value in profile.get(kind, ()):
            if not value or not value.strip():
                continue
            iri = resolve(kind, value, base_iri)
            if (kind, iri) not in wanted:
                wanted.append((kind, iri))
    lab = Labels(store)
    lab.fetch([iri for _k, iri in wanted])
    doc_profile = [{"kind": k, "iri": i, "label": lab(i)} for k, i in wanted]
    if not wanted:
        return {"profile": [], "include_withdrawn": include_withdrawn, "parameters": parameters,
                "count": 0, "items": [], "left_out": [], "coverage": []}

    # profile items that the graph does not hold are a mistake worth naming
    q_known = (PROLOGUE + "SELECT DISTINCT ?x WHERE { VALUES ?x { "
               + " ".join(sparql_term(URIRef(i)) for _k, i in wanted)
               + " } ?x ?p ?o }")
    known = {str(x) for (x,) in store.query(q_known).rows}
    for kind, iri in wanted:
        if iri not in known:
            raise ParameterError(kind, f"{iri} is not in the graph")

    links = {kind: reader.classified() if kind == "element" else reader.links(KINDS[kind][0])
             for kind in KINDS if any(k == kind for k, _i in wanted)}
    statuses = reader.statuses()
    in_scope = reader.instances() if include_withdrawn else reader.current()
    coverage = [reader.coverage(KINDS[kind][0], found, in_scope) for kind, found in links.items()]
    coverage.append(reader.status_coverage(in_scope))
    coverage[-1]["text"] = coverage[-1]["text"].replace(" (counted as current)", "")
    wanted_set = set(wanted)
    matched: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for kind, found in links.items():
        for s, xs in found.items():
            for x in xs:
                if (kind, x) in wanted_set:
                    matched[s].add((kind, x))
    if not matched:
        return {"profile": doc_profile, "include_withdrawn": include_withdrawn,
                "parameters": parameters, "count": 0, "items": [], "left_out": [],
                "coverage": coverage}

    block = " ".join(sparql_term(URIRef(s)) for s in sorted(matched))
    q_info = (PROLOGUE + "SELECT DISTINCT ?s ?id WHERE { VALUES ?s { " + block
              + " } OPTIONAL { ?s sg:identifier ?id } }")
    status: dict[str, str | None] = {s: min(statuses.get(s, ()), default=None)
                                     for s in matched}
    ident: dict[str, str | None] = {}
    for s, i in store.query(q_info).rows:
        if i is not None:
            ident[str(s)] = min(str(i), ident.get(str(s)) or str(i))
    # what supersedes each, at the level (sg:supersededBy, or sg:supersedes read backwards)
    later = reader.either(SG + "supersededBy", SG + "supersedes", STANDARD, STANDARD)
    successors = {s: later[s] for s in matched if s in later}
    lab.fetch([*matched, *(v for v in status.values() if v),
               *(n for v in successors.values() for n in v)])

    order = {key: n for n, key in enumerate(wanted)}

    def item(s: str) -> dict:
        hits = sorted(matched[s], key=lambda kx: order[kx])
        refs = [{"kind": k, "iri": x, "label": lab(x)} for k, x in hits]
        reason = "matches " + "; ".join(f"{KINDS[r['kind']][2]} {r['label']}" for r in refs)
        st = status.get(s)
        return {"iri": s, "label": lab(s), "identifier": ident.get(s),
                "status": st, "status_label": lab(st) if st else None,
                "score": len(hits), "of": len(wanted), "matched": refs, "reason": reason,
                "superseded_by": lab.refs(sorted(successors.get(s, ())))}

    def retired(s: str) -> bool:
        return bool(statuses.get(s, set()) & set(RETIRED))

    ranked = sorted(matched, key=lambda s: (-len(matched[s]), lab(s).casefold(), s))
    items = [item(s) for s in ranked if include_withdrawn or not retired(s)]
    left_out = [] if include_withdrawn else [item(s) for s in ranked if retired(s)]
    if limit:
        items = items[:limit]
    return {"profile": doc_profile, "include_withdrawn": include_withdrawn,
            "parameters": parameters, "count": len(items), "items": items,
            "left_out": left_out, "coverage": coverage}
