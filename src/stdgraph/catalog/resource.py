"""One resource: its statements, the links into it, its sources, and the generic page's model.

:func:`describe` reads what the graph states about an IRI (asserted and inferred) into a
:class:`Resource`, which the kinds of resource (standard, concern, roadmap, architecture) read
further; :func:`overview` is what every resource page shows (label, types, all statements,
incoming links).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Literal, URIRef

from stdgraph.analysis.common import Labels
from stdgraph.catalog.common import DCT, PROV, RDF_TYPE, SORT_LIMIT, Window, iris, paged
from stdgraph.catalog.queryfiles import select, select_page
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.store.base import Store

__all__ = ["Resource", "curie", "describe", "incoming", "incoming_count", "overview", "sources",
           "statements"]


def statements(store: Store, iri: str) -> list[tuple]:
    """``(subject, property, value)`` for every statement about ``iri`` (rdflib terms)."""
    return [(URIRef(iri), p, o)
            for p, o in select(store, "resource-statements", resource=URIRef(iri))]


def incoming(store: Store, iri: str, window: Window | None = None) -> list[tuple]:
    """``(subject, property)`` of the statements whose value is ``iri``: all of them, or the
    ``window`` of them in the store's order."""
    if window is None:
        return [(s, p) for s, p in select(store, "resource-incoming", resource=URIRef(iri))]
    return [(s, p) for s, p in select_page(store, "resource-incoming", window,
                                           resource=URIRef(iri))]


def incoming_count(store: Store, iri: str) -> int:
    """How many rows :func:`incoming` has: the links into ``iri`` by property
    (``resource-incoming-by-property.rq``), less those of a property that the same resource
    also makes by a sub-property of it (``resource-incoming-shadowed.rq``, asked only for
    the properties with such a sub-property among those linking). Not one query with
    resource-incoming's ``FILTER NOT EXISTS`` per link: that took 0.6 s for the 17,000
    standards of a body at 100,000 standards, most of its page."""
    resource = URIRef(iri)
    by_property = {str(p): int(n) for p, n in select(store, "resource-incoming-by-property",
                                                      resource=resource)}
    subs: dict[str, list[str]] = defaultdict(list)
    if len(by_property) > 1:
        for sub, sup in select(store, "sub-properties", property=iris(sorted(by_property))):
            if str(sup) in by_property:
                subs[str(sup)].append(str(sub))
    total = sum(by_property.values())
    for sup, found in sorted(subs.items()):
        total -= int(select(store, "resource-incoming-shadowed", resource=resource,
                            property=URIRef(sup), sub=iris(sorted(set(found))))[0][0])
    return total


def curie(iri: str) -> str:
    """``prefix:name`` for an IRI in a known namespace, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Resource:
    """What the graph states about ``iri``, by property, with a label cache for its values."""

    iri: str
    triples: list[tuple]
    labels: Labels
    props: dict[str, list] = field(init=False)

    def __post_init__(self) -> None:
        self.props = defaultdict(list)
        for _s, p, o in self.triples:
            self.props[str(p)].append(o)

    @property
    def types(self) -> list[str]:
        return sorted(str(o) for o in self.props.get(RDF_TYPE, []))

    def label_of(self, term) -> str:
        """An IRI's label, a literal's text."""
        return self.labels(str(term)) if isinstance(term, URIRef) else str(term)

    def prop_label(self, iri: str) -> str:
        """A property's (or class') label, else its CURIE."""
        label = self.labels(iri)
        return curie(iri) if label == iri else label

    def refs(self, prop: str) -> list[dict]:
        """The values of ``prop`` (no blank nodes) as ``{"iri", "label"}`` (``iri`` None for a
        literal), by label."""
        return sorted(({"iri": str(v) if isinstance(v, URIRef) else None,
                        "label": self.label_of(v)} for v in self.props.get(prop, [])
                       if not isinstance(v, BNode)), key=lambda r: r["label"].casefold())

    def first(self, prop: str) -> str | None:
        """The smallest value of ``prop`` as text, or None."""
        vals = self.props.get(prop, [])
        return str(sorted(vals, key=str)[0]) if vals else None

    def first_text(self, prop: str) -> str | None:
        """The English (else untagged, else any) literal of ``prop``."""
        return english(self.props.get(prop, []))

    def texts(self, prop: str) -> list[str]:
        """The distinct literals of ``prop``, sorted."""
        return sorted({str(v) for v in self.props.get(prop, []) if isinstance(v, Literal)})


def english(values) -> str | None:
    """The English (else untagged, else any) literal among ``values``."""
    vals = [v for v in values if isinstance(v, Literal)]
    vals.sort(key=lambda v: (0 if (v.language or "").startswith("en") else
                             1 if not v.language else 2, str(v)))
    return str(vals[0]) if vals else None


def describe(store: Store, iri: str, labels: Labels | None = None) -> Resource | None:
    """The resource ``iri``, or None when the graph states nothing about it."""
    triples = statements(store, iri)
    if not triples:
        return None
    return Resource(iri, triples, labels or Labels(store))


def overview(store: Store, res: Resource, window: Window = Window()) -> dict[str, Any]:
    """What every resource page shows: ``iri``, ``label``, ``types``, ``rows`` (each property
    with its values, by label; each statement once, under its most specific property, with the
    super-properties the closure adds as ``also``: ``resource-rows.rq``) and ``incoming``, a
    page (``window``) of the links into it, each once under its most specific property, the
    resource itself left out: by property and label when there are at most
    :data:`SORT_LIMIT`, else in the store's order (each page by property and label)."""
    lab = res.labels
    total = incoming_count(store, res.iri)
    inc = incoming(store, res.iri, None if total <= SORT_LIMIT else window)
    # each statement once (resource-rows.rq): a value under its most specific property, the
    # super-properties the closure adds named beside it
    shown: dict[str, dict[Any, set[str]]] = defaultdict(dict)
    for p, o, also in select(store, "resource-rows", resource=URIRef(res.iri)):
        extra = shown[str(p)].setdefault(o, set())
        if also is not None:
            extra.add(str(also))
    lab.fetch([str(o) for _s, _p, o in res.triples if isinstance(o, URIRef)]
              + [str(p) for _s, p, _o in res.triples] + [str(s) for s, _p in inc]
              + [str(p) for _s, p in inc] + [res.iri])
    rows = []
    for p in sorted(shown, key=lambda p: res.prop_label(p).casefold()):
        rows.append({"iri": p, "label": res.prop_label(p), "values": [
            {"iri": str(v) if isinstance(v, URIRef) else None,
             "label": res.label_of(v),
             "lang": v.language if isinstance(v, Literal) else None,
             "also": [{"iri": a, "label": res.prop_label(a)} for a in sorted(shown[p][v])]}
            for v in sorted(shown[p], key=lambda v: res.label_of(v).casefold())]})
    links_in = sorted(({"iri": str(s), "label": lab(str(s)), "prop": res.prop_label(str(p))}
                       for s, p in inc), key=lambda r: (r["prop"], r["label"].casefold()))
    if total <= SORT_LIMIT:
        links_in = links_in[window.start:window.stop]
    return {"iri": res.iri, "label": lab(res.iri),
            "types": [{"iri": t, "label": res.prop_label(t)} for t in res.types],
            "rows": rows,
            "incoming": paged(links_in, total, window, "by property and label"
                              if total <= SORT_LIMIT else "in the store's order")}


def sources(store: Store, res: Resource) -> dict[str, list[dict]]:
    """``sources`` (``dcterms:source``) and ``derived_from`` (``prov:wasDerivedFrom``), each
    source with ``within`` (the document it is a section of) and ``homepage``, when the graph
    gives them."""
    lab = res.labels
    cited = {"source": sorted({str(v) for v in res.props.get(DCT + "source", [])
                               if isinstance(v, URIRef)}),
             "derived": sorted({str(v) for v in res.props.get(PROV + "wasDerivedFrom", [])
                                if isinstance(v, URIRef)})}
    every = sorted({*cited["source"], *cited["derived"]})
    within: dict[str, str] = {}
    home: dict[str, str] = {}
    if every:
        for s, doc, h in select(store, "sources", source=iris(every)):
            if doc is not None:
                within.setdefault(str(s), str(doc))
            if h is not None:
                home.setdefault(str(s), str(h))
    lab.fetch([*every, *within.values()])

    def entry(i: str) -> dict:
        return {"iri": i, "label": lab(i),
                "within": lab.ref(within[i]) if i in within else None,
                "homepage": home.get(i)}

    return {"sources": [entry(i) for i in cited["source"]],
            "derived_from": [entry(i) for i in cited["derived"]]}
