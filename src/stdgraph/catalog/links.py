"""Links of given resources at an evidence level: what the pages read to quote an analysis'
rows about one resource without reading every link of the graph.

The analyses read every link of a property at once (``stdgraph.analysis.evidence.LinkReader``,
the filter ``analysis/queries/links.rq``). A page about one standard, concern or roadmap item
needs the links of a few resources only, and its reads should cost what its answer holds, not
what the graph holds. :class:`Links` reads them with the same rule (docs/analyses.md, "Evidence
and coverage"), split into three restricted queries so that no per-link sub-query scans the
graph's records: ``link-graphs.rq`` (the links from or to the given resources, each with the
named graphs holding it), ``link-records.rq`` (the statement records describing those links,
each accepted or not at the level) and ``graphs-at-level.rq`` (which of those graphs' default
evidence is accepted). A link counts when a record describing it is accepted, or when no record
describes it and a graph other than the inferred one whose default is accepted holds it.
``tests/catalog/test_findings.py`` checks these links equal ``LinkReader``'s on fixtures, the
bundled graph and random graphs, at every level.

Everything else the analyses derive from links (a series' classifications through its parts,
``sg:sameElementAs`` groups, statuses) is derived here the same way, for the given resources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import URIRef

from stdgraph.analysis.evidence import RETIRED, STANDARD, Evidence, elements_of
from stdgraph.catalog.common import SG
from stdgraph.catalog.queryfiles import select
from stdgraph.rdf.namespaces import INFERRED_GRAPH
from stdgraph.store.base import Store

__all__ = ["CHUNK", "Links", "chunks", "instances", "quads"]

#: IRIs per VALUES block (a query per chunk)
CHUNK = 500


def chunks(values: Iterable[str], size: int = CHUNK) -> Iterator[list[URIRef]]:
    """``values`` sorted, as IRIs to bind, ``size`` at a time."""
    vals = sorted(set(values))
    for k in range(0, len(vals), size):
        yield [URIRef(v) for v in vals[k:k + size]]


def quads(store: Store, *, p: Iterable[str], s: Iterable[str] | None = None,
          o: Iterable[str] | None = None, g: Iterable[str] | None = None
          ) -> list[tuple[str, str, object, str]]:
    """``(subject, property, object, graph)`` of the statements of the properties ``p`` with the
    given subjects or objects (``quads.rq``, one query per property and chunk of subjects,
    else of objects; ``g``: in those graphs only), subject, property and graph as text, the
    object as an RDF term."""
    out: list[tuple[str, str, object, str]] = []
    graphs = None if g is None else [URIRef(x) for x in sorted(set(g))]
    if graphs == []:
        return out
    for prop in sorted(set(p)):
        if s is not None:
            objs = None if o is None else [URIRef(x) for x in sorted(set(o))]
            for chunk in chunks(s):
                out += [(str(a), prop, c, str(gr)) for a, c, gr
                        in select(store, "quads", p=URIRef(prop), s=chunk, o=objs, g=graphs)]
        elif o is not None:
            for chunk in chunks(o):
                out += [(str(a), prop, c, str(gr)) for a, c, gr
                        in select(store, "quads", p=URIRef(prop), o=chunk, g=graphs)]
        else:
            raise ValueError("quads: give subjects or objects")
    return out


def instances(store: Store, cls: str, resources: Iterable[str]) -> set[str]:
    """Those of ``resources`` typed ``cls`` (asserted or inferred)."""
    return {str(x) for chunk in chunks(resources)
            for (x,) in select(store, "instances", x=chunk, **{"class": URIRef(cls)})}


@dataclass
class Links:
    """The links of one store at one evidence level, read for given resources."""

    store: Store
    evidence: Evidence = field(default_factory=Evidence)
    _graphs: dict[str, bool] = field(default_factory=dict, repr=False)
    _records: dict[str, dict[tuple[str, str], bool]] = field(default_factory=dict, repr=False)

    # -- the rule ------------------------------------------------------------------------------
    def unaccepted_graphs(self) -> set[str]:
        """The named graphs whose default evidence is not accepted at this level (the inferred
        graph always): a link no record describes counts unless these are all that hold it."""
        names = set(self.store.graph_names())
        return names - self._accepted_graphs(names - {INFERRED_GRAPH})

    def _accepted_graphs(self, graphs: Iterable[str]) -> set[str]:
        todo = {g for g in graphs if g not in self._graphs}
        for chunk in chunks(todo):
            ok = {str(g) for (g,) in select(self.store, "graphs-at-level", graph=chunk,
                                             **self.evidence.terms())}
            for g in chunk:
                self._graphs[str(g)] = str(g) in ok
        return {g for g in graphs if self._graphs.get(g)}

    def records(self, predicate: str) -> dict[tuple[str, str], bool]:
        """(subject, object) -> whether a record describing that ``predicate`` link is
        accepted, for every link of ``predicate`` a statement record describes. Records are
        curated evidence (the bundled data's readings), far fewer than links (an import states
        its links by its graph's default), so they are read once per property; in the query
        runner once per store state (``DeadlineStore.cached``)."""
        if predicate not in self._records:
            def read() -> dict[tuple[str, str], bool]:
                out: dict[tuple[str, str], bool] = {}
                for a, b, _r, ok in select(self.store, "link-records",
                                           predicate=URIRef(predicate),
                                           **self.evidence.terms()):
                    key = (str(a), str(b))
                    out[key] = out.get(key, False) or (ok is not None and bool(ok.toPython()))
                return out

            cached = getattr(self.store, "cached", None)
            key = f"catalog-records {predicate} {self.evidence.level} {self.evidence.min_score}"
            self._records[predicate] = cached(key, read) if cached else read()
        return self._records[predicate]

    def read(self, predicates: Iterable[str], *, s: Iterable[str] | None = None,
             o: Iterable[str] | None = None, types: Iterable[str] = (STANDARD,)
             ) -> set[tuple[str, str, str, str]]:
        """``(subject, property, object, subject class)`` of the links of ``predicates`` from
        subjects of the classes ``types`` that count at this level, from the subjects ``s``
        (else to the objects ``o``; both: from ``s`` to ``o``)."""
        side, values = ("s", s) if s is not None else ("o", o)
        if values is None:
            raise ValueError("Links.read: give subjects or objects")
        values = set(values)
        other = {} if s is None or o is None else {"o": [URIRef(x) for x in sorted(set(o))]}
        found: set[tuple[str, str, str, str]] = set()
        for p in sorted(set(predicates)):
            for t in sorted(set(types)):
                found |= {(a, p, b, t) for a, b in self._read(p, t, side, values, other)}
        return found

    def _read(self, predicate: str, subject_type: str, side: str, values: set[str],
              other: dict) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for chunk in chunks(values):
            where: dict = {side: chunk, **other}
            held: dict[tuple[str, str], set[str]] = defaultdict(set)
            for a, b, g in select(self.store, "link-graphs", predicate=URIRef(predicate),
                                  subject_type=URIRef(subject_type), **where):
                held[(str(a), str(b))].add(str(g))
            if not held:
                continue
            records = self.records(predicate)
            accepted = self._accepted_graphs({g for gs in held.values() for g in gs
                                              if g != INFERRED_GRAPH})
            for key, gs in held.items():
                if records[key] if key in records else bool(gs & accepted):
                    found.add(key)
        return found

    def from_(self, predicate: str, subjects: Iterable[str], subject_type: str = STANDARD
              ) -> dict[str, set[str]]:
        """subject -> the objects of its ``predicate`` links that count (subjects typed
        ``subject_type``)."""
        out: dict[str, set[str]] = defaultdict(set)
        for a, _p, b, _t in self.read([predicate], s=subjects, types=[subject_type]):
            out[a].add(b)
        return dict(out)

    def to(self, predicate: str, objects: Iterable[str], subject_type: str = STANDARD
           ) -> dict[str, set[str]]:
        """object -> the subjects (typed ``subject_type``) of its ``predicate`` links that
        count."""
        out: dict[str, set[str]] = defaultdict(set)
        for a, _p, b, _t in self.read([predicate], o=objects, types=[subject_type]):
            out[b].add(a)
        return dict(out)

    # -- what the analyses derive from links ---------------------------------------------------
    def wholes_of(self, parts: Iterable[str]) -> dict[str, set[str]]:
        """part -> the wholes it is a part of (``sg:hasPart`` from a standard read backwards,
        or ``sg:partOf`` from a standard), for ``parts``."""
        out: dict[str, set[str]] = defaultdict(set)
        parts = set(parts)
        for w, _p, part, _t in self.read([SG + "hasPart"], o=parts):
            out[part].add(w)
        for part, _p, w, _t in self.read([SG + "partOf"], s=parts):
            out[part].add(w)
        return dict(out)

    def ancestors(self, nodes: Iterable[str]) -> dict[str, set[str]]:
        """The part-of edges (part -> wholes) above ``nodes``, transitively."""
        edges: dict[str, set[str]] = {}
        frontier = set(nodes)
        while frontier:
            found = self.wholes_of(frontier)
            for p in frontier:
                edges[p] = found.get(p, set())
            frontier = {w for ws in found.values() for w in ws} - set(edges)
        return edges

    def classified(self, standards: Iterable[str]) -> dict[str, set[str]]:
        """standard -> the elements it is classified in at this level, for ``standards``: its
        own links and, for a series, its parts' (transitively): ``LinkReader.classified`` for
        these standards (the ones classified nowhere left out)."""
        standards = set(standards)
        parts: dict[str, set[str]] = {}
        own: dict[str, set[str]] = defaultdict(set)
        frontier = set(standards)
        while frontier:
            for w in frontier:
                parts[w] = set()
            for a, p, b, _t in self.read([SG + "hasPart", SG + "classifiedIn"], s=frontier):
                (parts[a] if p == SG + "hasPart" else own[a]).add(b)
            for part, _p, w, _t in self.read([SG + "partOf"], o=frontier):
                parts[w].add(part)
            frontier = {x for w in frontier for x in parts[w]} - set(parts)
        out: dict[str, set[str]] = {}
        for s in standards:
            elems = elements_of(s, own, parts)
            if elems:
                out[s] = elems
        return out

    def statuses(self, standards: Iterable[str]) -> dict[str, set[str]]:
        """standard -> its statuses (``sg:status``) at this level."""
        return self.from_(SG + "status", standards)

    def any_current(self, standards: Iterable[str]) -> bool:
        """Whether one of ``standards`` is not withdrawn or superseded at this level, read a
        chunk at a time up to the first such one."""
        for chunk in chunks(standards):
            names = {str(x) for x in chunk}
            if names - self.retired(names):
                return True
        return False

    def retired(self, standards: Iterable[str]) -> set[str]:
        """Those of ``standards`` withdrawn or superseded at this level (the others are
        counted by the gaps analysis: ``LinkReader.current``)."""
        return {s for s, st in self.statuses(standards).items() if st & set(RETIRED)}
