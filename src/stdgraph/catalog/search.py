"""Search: resources whose label or identifier contains a text, a page at a time.

``search.rq`` answers by reading every label of the store and filtering it in SPARQL: seconds
at 100,000 standards, whatever the answer. In the server's query runner (a ``DeadlineStore``
with its cache, on a store whose version is known) the search is instead decided from a
:class:`SearchIndex` kept with the analyses' snapshot of the store version
(``analysis.snapshot``): every searched text of every resource, lowercased as SPARQL's
``LCASE`` does, with the resource's label, held in label order; read once with one scan
(``search-labels.rq``; the query workers do it before they take requests, ``warm_search``) and
brought up to date after a write by reading again only the resources it touched. A search then
is one pass over the texts in Python, and every answer comes sorted by label, however long.
Elsewhere (no cache: each request would read the index anew) the SPARQL queries answer.
tests/catalog/test_search_index.py checks the two agree.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from stdgraph.analysis.common import Labels
from stdgraph.analysis.snapshot import Dirty, snapshot
from stdgraph.catalog.common import SKOS, SORT_LIMIT, Window, paged
from stdgraph.catalog.queryfiles import bind, select, select_page
from stdgraph.rdf.namespaces import PREFIXES
from stdgraph.store.base import Store
from stdgraph.store.bounded import DeadlineStore

__all__ = ["SearchIndex", "search", "search_index", "search_sparql", "warm_search"]

RDFS_LABEL = PREFIXES["rdfs"] + "label"
#: the properties searched (search.rq), and those a label is read from (``common.Labels``)
SEARCHED = (RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel", PREFIXES["sg"] + "identifier",
            SKOS + "notation")
LABELLED = (RDFS_LABEL, SKOS + "prefLabel")
#: what separates a resource's texts in its entry (a text searched for that holds it is
#: checked text by text)
SEP = "\x00"
#: a write that touched more resources than this reads the whole index again
MAX_UPDATE = 20_000


def _rank(prop: str, lit: ox.Literal) -> tuple:
    """How ``common.Labels`` chooses among a resource's labels: rdfs:label before
    skos:prefLabel, English, then untagged, then other languages, then the smallest text."""
    lang = (lit.language or "").lower()
    lang_rank = 0 if lang == "en" or lang.startswith("en-") else (1 if not lang else 2)
    return (0 if prop == RDFS_LABEL else 1, lang_rank, lang, lit.value)


def _entries(rows: list[tuple[Any, ...]]) -> dict[str, tuple[str, str]]:
    """iri -> (label, texts) from the rows of ``search-labels.rq``: each resource with a text
    that ``STR()`` gives (a literal's lexical form, an IRI), its texts lowercased as ``LCASE``,
    sorted and joined by :data:`SEP`."""
    texts: dict[str, set[str]] = {}
    best: dict[str, tuple] = {}
    for s, p, o in rows:
        if not isinstance(s, ox.NamedNode) or not isinstance(p, ox.NamedNode):
            continue
        iri, prop = s.value, p.value
        if isinstance(o, ox.Literal):
            if prop in LABELLED:
                rank = _rank(prop, o)
                if iri not in best or rank < best[iri]:
                    best[iri] = rank
        elif not isinstance(o, ox.NamedNode):
            continue  # STR() of a blank node is an error: search.rq's filter drops it
        texts.setdefault(iri, set()).add(o.value.lower())
    return {iri: (best[iri][3] if iri in best else iri, SEP.join(sorted(found)))
            for iri, found in texts.items()}


def _key(iri: str, label: str) -> tuple[str, str]:
    return (label.casefold(), iri)


class SearchIndex:
    """Every resource search can find, in label order (label ignoring case, then IRI): its
    IRI, its searched texts (``blobs``: lowercased, joined by :data:`SEP`), and its label
    (``labels``). Not changed once made (:meth:`updated` makes another)."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        ordered = sorted(entries.items(), key=lambda e: _key(e[0], e[1][0]))
        self.labels = {iri: label for iri, (label, _blob) in ordered}
        self.keys = [_key(iri, label) for iri, (label, _blob) in ordered]
        self.iris = [iri for iri, _entry in ordered]
        self.blobs = [blob for _iri, (_label, blob) in ordered]

    @classmethod
    def read(cls, store: Store) -> SearchIndex:
        return cls(_entries(store.select_native(bind("search-labels", {}))))

    def updated(self, store: Store, touched: set[str]) -> SearchIndex:
        """This index with the entries of ``touched`` read again from ``store``."""
        rows = store.select_native(bind("search-labels", {
            "subject": [URIRef(s) for s in sorted(touched)]})) if touched else []
        new = SearchIndex.__new__(SearchIndex)
        new.labels = dict(self.labels)
        new.keys, new.iris, new.blobs = list(self.keys), list(self.iris), list(self.blobs)
        for iri in touched:
            label = new.labels.pop(iri, None)
            if label is not None:
                at = bisect_left(new.keys, _key(iri, label))
                del new.keys[at], new.iris[at], new.blobs[at]
        for iri, (label, blob) in _entries(rows).items():
            new.labels[iri] = label
            key = _key(iri, label)
            at = bisect_left(new.keys, key)
            new.keys.insert(at, key)
            new.iris.insert(at, iri)
            new.blobs.insert(at, blob)
        return new

    def find(self, base_iri: str, text: str) -> list[str]:
        """The IRIs under ``base_iri`` with a text containing ``text`` (ignoring case as
        search.rq does), in label order."""
        q = text.lower()
        pairs = zip(self.iris, self.blobs, strict=True)
        if SEP in q:  # could span two texts of one blob: look at each text
            hits = [i for i, blob in pairs if any(q in t for t in blob.split(SEP))]
        else:
            hits = [i for i, blob in pairs if q in blob]
        return [i for i in hits if i.startswith(base_iri)]

    def label(self, iri: str) -> str:
        return self.labels[iri]


def _kept(store: Store) -> bool:
    """Whether ``store`` keeps what is derived from it (the query runner's cache, a known
    version)."""
    return (isinstance(store, DeadlineStore) and store.cache is not None
            and store.version() is not None)


def search_index(store: Store) -> SearchIndex:
    """The search index of ``store``'s version, kept with its analyses' snapshot and brought
    up to date from what the writes since touched."""
    snap = snapshot(store)

    def update(old: SearchIndex, dirty: Dirty) -> SearchIndex | None:
        touched = dirty.touched(SEARCHED)
        if len(touched) > MAX_UPDATE:
            return None
        return old.updated(store, touched) if touched else old

    index: SearchIndex = snap.memoised(("search-index",), lambda: SearchIndex.read(store),
                                       update)
    return index


def warm_search(store: Store) -> None:
    """Read the search index once: the server's query workers run this before they take
    requests (at 100,000 standards the scan takes seconds)."""
    if _kept(store):
        search_index(store)


def search(store: Store, base_iri: str, text: str, window: Window = Window()) -> dict[str, Any]:
    """Resources under ``base_iri`` whose ``rdfs:label``, ``skos:prefLabel``,
    ``skos:altLabel``, ``sg:identifier`` or ``skos:notation`` contains ``text`` (ignoring
    case), one page (``window``) of them as ``{"iri", "label"}`` (``catalog.common.paged``),
    by label then IRI. From the kept index where the store keeps one, else
    :func:`search_sparql`. None found for no text."""
    if not text:
        return paged([], 0, window, "by label")
    if not _kept(store):
        return search_sparql(store, base_iri, text, window)
    index = search_index(store)
    found = index.find(base_iri, text)
    items = [{"iri": i, "label": index.label(i)} for i in found[window.start:window.stop]]
    return paged(items, len(found), window, "by label")


def search_sparql(store: Store, base_iri: str, text: str, window: Window = Window()
                  ) -> dict[str, Any]:
    """:func:`search` by the SPARQL queries: by label then IRI when there are at most
    :data:`SORT_LIMIT`, else in the store's order (each page by label)."""
    if not text:
        return paged([], 0, window, "by label")
    values = {"base": Literal(base_iri), "text": Literal(text)}
    # one pass when the answer is short; a count and the page when it is long
    found = [str(s) for (s,) in select_page(store, "search", Window(1, SORT_LIMIT + 1),
                                             **values)]
    total, order = len(found), "by label"
    if total > SORT_LIMIT:
        total = int(select(store, "search-count", **values)[0][0])
        found = [str(s) for (s,) in select_page(store, "search", window, **values)]
        order = "in the store's order"
    lab = Labels(store)
    lab.fetch(found)
    items = sorted(lab.refs(found), key=lambda r: (r["label"].casefold(), r["iri"]))
    if total <= SORT_LIMIT:
        items = items[window.start:window.stop]
    return paged(items, total, window, order)
