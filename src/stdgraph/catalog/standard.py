"""Standards: a standard's page model, identity rows for lists of standards, and the standards
classified in given architecture elements (a heatmap cell)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rdflib import Literal, URIRef

from stdgraph.analysis.common import Labels
from stdgraph.analysis.evidence import Evidence
from stdgraph.catalog.common import DCT, PROV, SG, SORT_LIMIT, Window, iris, paged
from stdgraph.catalog.findings import standard_findings
from stdgraph.catalog.queryfiles import select, select_page
from stdgraph.catalog.resource import Resource, describe
from stdgraph.store.base import Store

__all__ = ["CONCERNS", "RELATIONS", "standard", "standards_in", "standards_info", "status_ref"]

#: (property, heading) of a standard's relations to other resources, in page order
RELATIONS = [
    ("partOf", "Part of"), ("hasPart", "Parts"), ("supersedes", "Supersedes"),
    ("supersededBy", "Superseded by"), ("normativelyReferences", "Normatively references"),
    ("basedOn", "Based on"), ("references", "References"), ("relatedTo", "Related to"),
    ("conflictsWith", "Declared to conflict with"), ("deliveredBy", "Delivered by roadmap item"),
]
#: (property, heading) of what a standard is about, in page order
CONCERNS = [("addressesBarrier", "Barriers addressed"), ("supportsTheme", "Themes supported"),
            ("concernsTechnology", "Technologies"),
            ("relevantToStakeholder", "Relevant to stakeholders")]


def standard(store: Store, iri: str, *, resource: Resource | None = None,
             evidence: Evidence | None = None, overlaps: Window = Window(),
             conflicts: Window = Window()) -> dict[str, Any] | None:
    """A standard: identity (identifier, title, status, year, edition, publisher, committee),
    ``classifications`` by architecture (scheme label -> elements), ``relations`` and
    ``concerns`` as (heading, refs) pairs, the ``overlaps`` and ``conflicts`` the analyses find
    involving it (default parameters, at ``evidence``; from the analyses' kept results in the
    query runner, else read for this standard alone: ``catalog.findings.standard_findings``),
    each a page (``catalog.common.paged``: the ``overlaps`` and ``conflicts`` windows of the
    analyses' order), and its ``sources``. None when the graph
    says nothing about ``iri``."""
    res = resource or describe(store, iri)
    if res is None:
        return None
    lab = res.labels
    # the smallest IRI; a status given as text (which the shapes refuse) shows as that text
    status = min(res.refs(SG + "status"), default=None,
                 key=lambda r: (r["iri"] is None, r["iri"] or r["label"]))
    classified = res.refs(SG + "classifiedIn")
    schemes: dict[str, list] = defaultdict(list)
    if classified:
        rows = select(store, "element-schemes",
                      element=iris(c["iri"] for c in classified if c["iri"]))
        scheme_of = {str(e): str(s) for e, s in rows}
        lab.fetch(scheme_of.values())
        for c in classified:
            s = scheme_of.get(c["iri"] or "")
            schemes[lab(s) if s else "other"].append(c)
    found = standard_findings(store, iri, evidence, labels=lab)
    total = found.overlap_count()
    shown = found.overlaps(overlaps.start, overlaps.stop)
    return {
        "identifier": res.first(SG + "identifier"), "title": res.first(SG + "title"),
        "status": status,
        "year": res.first(SG + "publicationYear"), "edition": res.first(SG + "edition"),
        "publisher": res.refs(SG + "publisher"), "committee": res.refs(SG + "committee"),
        "classifications": sorted(schemes.items()),
        "relations": [(h, res.refs(SG + p)) for p, h in RELATIONS if res.refs(SG + p)],
        "concerns": [(h, res.refs(SG + p)) for p, h in CONCERNS if res.refs(SG + p)],
        "overlaps": paged([{"other": {"iri": o["b"], "label": o["b_label"]} if o["a"] == iri
                            else {"iri": o["a"], "label": o["a_label"]},
                            "score": o["score"], "shared": o["shared"],
                            "related": o["related"]} for o in shown],
                          total, overlaps, "by score"),
        "conflicts": paged(found.conflicts(conflicts.start, conflicts.stop),
                           found.conflict_count(), conflicts, "by severity"),
        "sources": res.refs(DCT + "source") + res.refs(PROV + "wasDerivedFrom"),
    }


def status_ref(term: Any, lab: Labels) -> dict | None:
    """A standard's status as ``{"iri", "label"}``: a status concept by its label; a status
    given as text (``"published"``: the shapes refuse it, but data from elsewhere may have it)
    as that text, with no IRI; None for none."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return lab.ref(str(term))
    return {"iri": None, "label": str(term)}


def standards_info(store: Store, standards: Iterable[str], labels: Labels | None = None
                   ) -> list[dict]:
    """``iri``, ``label``, ``identifier``, ``title`` and ``status`` (a ref) of each standard,
    by identifier (else label), then IRI."""
    standards = sorted(set(standards))
    if not standards:
        return []
    lab = labels or Labels(store)
    rows = select(store, "standards-info", standard=iris(standards))
    lab.fetch([*standards, *(str(st) for _s, _i, _t, st, _x in rows if st is not None)])
    out = [{"iri": str(s), "label": lab(str(s)), "identifier": str(i) if i else None,
            "title": str(t) if t else None,
            # (rdflib gives the MIN of IRIs as a literal: ?status is an IRI's text)
            "status": status_ref(URIRef(str(st)) if st is not None else text, lab)}
           for s, i, t, st, text in rows]
    return sorted(out, key=lambda r: ((r["identifier"] or r["label"]).casefold(), r["iri"]))


def standards_in(store: Store, elements: list[str], window: Window = Window()
                 ) -> dict[str, Any]:
    """The standards classified (asserted or inferred) in every one of ``elements`` (every
    standard when there are none), one page of them (``window``): ``{"elements": refs,
    "items": [{"iri", "label", "status"}], "total", "page", "size", "pages", "order"}``, each
    standard once, ``status`` the labels of its statuses joined by ", " (None without one). A
    list of at most :data:`SORT_LIMIT` standards is sorted by label, then IRI; a longer one is
    in IRI order when ``elements`` narrow it (their standards are read whole), else in the
    store's order, read a page at a time."""
    lab = Labels(store)
    if elements:
        wanted = sorted(set(elements))
        found = sorted(str(s) for (s,) in select(store, "standards-in-every-element",
                                                  element=iris(wanted),
                                                  n=Literal(len(wanted))))
        total = len(found)
        order = "by IRI" if total > SORT_LIMIT else "by label"
        if total > SORT_LIMIT:
            found = found[window.start:window.stop]
    else:
        total = int(select(store, "standards-count")[0][0])
        if total > SORT_LIMIT:
            found = [str(s) for (s,) in select_page(store, "standards", window)]
            order = "in the store's order"
        else:
            found, order = [str(s) for (s,) in select(store, "standards")], "by label"
    statuses: dict[str, set[Any]] = defaultdict(set)
    for k in range(0, len(found), 500):
        for s, st in select(store, "standard-statuses", standard=iris(found[k:k + 500])):
            statuses[str(s)].add(st)
    lab.fetch([*found, *(str(x) for v in statuses.values() for x in v if isinstance(x, URIRef)),
               *elements])
    items: list[dict[str, Any]]  # "status" may be None, "label" never is
    items = sorted(({"iri": s, "label": lab(s),
                     "status": ", ".join(sorted(r["label"] for x in statuses[s]
                                                if (r := status_ref(x, lab)))) or None}
                    for s in found), key=lambda r: (r["label"].casefold(), r["iri"]))
    if order == "by label":
        items = items[window.start:window.stop]
    elif order == "by IRI":
        items.sort(key=lambda r: r["iri"])
    return {"elements": lab.refs(elements), **paged(items, total, window, order)}
