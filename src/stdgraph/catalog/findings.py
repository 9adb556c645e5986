"""One resource's rows of the analyses, read for that resource only: the overlaps and conflicts
of a standard, the gap verdict of a barrier, theme, technology or roadmap item.

The pages quote the analyses (docs/analyses.md) about the resource they show. Running an
analysis over the whole graph for that costs what the graph holds (at 10,000 standards, more
than the query time limit); the functions here read what the resource's rows rest on and
nothing else, with the analyses' definitions and evidence level (default ``stated+reading``;
links read through :class:`~stdgraph.catalog.links.Links`), so their cost grows with the
answer:

- **overlaps of a standard S** (``min_shared`` 2, elements only, no expansion, as the page
  quotes): S's coverage (its classifications and its parts', elements declared the same as one
  element, ``sg:sameElementAs``); the standards classified in those elements (and the series
  they are parts of) are the candidates, the store counting how many of S's concepts each
  has; those sharing at least ``min_shared`` overlap it, and their sizes are read, most shared
  first, only as far as the page asked for needs them to score it (Jaccard). Items are those
  of the overlaps analysis, in its order (score, shared, a, b), with its evidence
  (classification graphs, relations), rendered for that page only.
- **conflicts of a standard**: the conflicts analysis' items whose subjects include S: its
  classification mismatches, its references to superseded or withdrawn standards and those to
  it, the supersession cycle it is in and the conflicts declared with it, in the analysis'
  order.
- **the gap of a concern or roadmap item**: the gaps analysis' item for it (None when the
  analysis finds it covered), without the document-wide ``coverage`` figures the analysis adds
  to each item (they count every standard of the graph).

``tests/catalog/test_findings.py`` checks each equal to the rows of the full analysis that
involve the resource, on the fixtures, the bundled graph and random graphs.

In the server's query runner the analyses keep what they derive per store version (the
overlaps' pair index, the conflicts in order: ``analysis.snapshot``), warmed before a worker
takes requests and brought up to date after a write; there a standard's rows come from those
(:class:`KeptFindings`: its own pairs from the pair index, its conflicts through an index by
subject), not from queries (at 100,000 standards a standard sharing elements with thousands
read its overlaps in seconds). :func:`standard_findings` chooses; both give the same rows
(``tests/catalog/test_kept_findings.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from rdflib import Literal, URIRef

from stdgraph.analysis.common import Labels, same_element_pairs
from stdgraph.analysis.conflicts import (
    Found,
    Mappings,
    SubjectConflicts,
    mismatches_of,
    reference_found,
    reference_hits,
    render_found,
)
from stdgraph.analysis.evidence import ELEMENT, ROADMAP_ITEM, STANDARD, Evidence, LinkReader
from stdgraph.analysis.overlaps import OverlapRun, Relations, chain_edge
from stdgraph.analysis.snapshot import is_kept, snapshot
from stdgraph.catalog.common import SG, SKOS, iris
from stdgraph.catalog.index import is_iri
from stdgraph.catalog.links import Links, chunks, instances, quads
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["GAP_KINDS", "KeptFindings", "StandardFindings", "concepts_below", "conflicts_of",
           "gap_of",
           "overlaps_of", "reference_properties", "same_groups", "standard_findings",
           "warm_standard_findings"]

CLASSIFIED_IN = SG + "classifiedIn"
SAME = SG + "sameElementAs"
IN_SCHEME = SKOS + "inScheme"
ARCHITECTURE = SG + "ReferenceArchitecture"
SUPERSESSION = (SG + "supersedes", SG + "supersededBy")


def reference_properties(store: Store) -> set[str]:
    """``sg:references``, ``sg:normativelyReferences``, ``sg:basedOn`` and every declared
    sub-property of ``sg:references``."""
    found = {str(p) for (p,) in select(store, "reference-properties")}
    return {SG + "references", SG + "normativelyReferences", SG + "basedOn"} | found


def same_groups(store: Store, elements: Iterable[str]) -> dict[str, frozenset[str]]:
    """element -> the elements declared the same as it (``sg:sameElementAs`` either way,
    transitively, itself included), for each of ``elements`` (and every member of their
    groups) that has such a link: ``analysis.common.same_elements`` for these elements."""
    adj: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    frontier = set(elements)
    while frontier:
        for a, _p, b, _g in (quads(store, s=frontier, p=[SAME])
                             + quads(store, o=frontier, p=[SAME])):
            if a != str(b):
                adj[a].add(str(b))
                adj[str(b)].add(a)
        seen |= frontier
        frontier = {y for x in frontier for y in adj.get(x, ())} - seen
    groups: dict[str, frozenset[str]] = {}
    for start in adj:
        if start in groups:
            continue
        comp = {start}
        stack = [start]
        while stack:
            for y in adj[stack.pop()]:
                if y not in comp:
                    comp.add(y)
                    stack.append(y)
        group = frozenset(comp)
        for x in comp:
            groups[x] = group
    return groups


def counted_rows(links: Links, found: Iterable[tuple[str, str, str, str]],
                 subject_type: str = STANDARD) -> list[tuple[str, str, str, str]]:
    """Those of ``found`` ``(a, property, b, graph)`` whose link counts at the level of
    ``links`` (``LinkReader.counted`` for these rows: every graph of a counted link)."""
    found = list(found)
    subjects: dict[str, set[str]] = defaultdict(set)
    for a, p, _b, _g in found:
        subjects[p].add(a)
    ok: set[tuple[str, str, str]] = set()
    for p, xs in subjects.items():
        ok |= {(a, q, b) for a, q, b, _t in links.read([p], s=xs, types=[subject_type])}
    return [r for r in found if r[:3] in ok]


def _relations_around(store: Store, links: Links, standards: Iterable[str],
                      both_ways: bool = False) -> Relations:
    """The overlaps analysis' relations with the edges read around ``standards`` only: every
    edge of each standard from which a part-of or supersession path is followed, so
    ``between`` finds the paths the analysis finds. ``both_ways``: follow part-of and
    supersession edges backwards too (every edge of the standards connected to the given
    ones), to find what reaches them."""
    loaded: set[str] = set()
    frontier = set(standards)
    rows: set[tuple[str, str, str, str]] = set()
    while frontier:
        for side in ("a", "b"):
            for chunk in chunks(frontier):
                rows |= {(str(a), str(p), str(b), str(g)) for a, p, b, g
                         in select(store, "relation-edges", **{side: chunk})}
        loaded |= frontier
        # the whole of a part, what a standard supersedes: where a path goes on (both_ways:
        # the part and the superseding standard too)
        ahead = {x for a, p, b, _g in rows if (edge := chain_edge(a, p, b))
                 for x in (edge[1:] if both_ways else edge[2:])}
        frontier = ahead - loaded
    return Relations(counted_rows(links, rows))


@dataclass
class _Overlap:
    """One standard overlapping S: shared concepts and union size (the Jaccard index's)."""

    other: str
    shared: int
    union: int

    @property
    def score(self) -> float:
        return self.shared / self.union


@dataclass
class StandardFindings:
    """The overlaps and conflicts of the standard ``iri``, computed for it alone (see the
    module's docstring); each list is worked out once, when first asked for, and items are
    rendered for the slice asked for only."""

    store: Store
    iri: str
    evidence: Evidence = field(default_factory=Evidence)
    min_shared: int = 2
    labels: Labels | None = None

    def __post_init__(self) -> None:
        self.links = Links(self.store, self.evidence)
        self.lab = self.labels or Labels(self.store)
        self._shared: dict[str, int] | None = None
        self._size: dict[str, int] = {}
        self._na: set[str] | None = None
        self._everyone: set[str] | None = None
        self._relations: Relations | None = None
        self._related: set[str] = set()
        self._groups: dict[str, frozenset[str]] = {}
        self._rep: dict[str, str] = {}
        self._elements: dict[str, set[str]] = {}
        self._conflicts: list[dict] | None = None
        self._props: list[str] | None = None

    def _own(self) -> set[str]:
        """S's elements (its classifications and its parts')."""
        if self.iri not in self._elements:
            self._elements.update(self.links.classified([self.iri]))
            self._elements.setdefault(self.iri, set())
        return self._elements[self.iri]

    def _reference_properties(self) -> list[str]:
        if self._props is None:
            self._props = sorted(reference_properties(self.store))
        return self._props

    # -- coverage -----------------------------------------------------------------------------
    def _token(self, element: str) -> str:
        """The concept an element counts as: the representative of its sameElementAs group
        (for S's groups the analysis' one, the smallest member some standard is classified in;
        for others any fixed member, since only their identity matters)."""
        group = self._groups.get(element)
        if group is None:
            return element
        return self._rep.get(element) or min(group)

    def tokens(self, standard: str) -> set[str]:
        return {self._token(e) for e in self._elements.get(standard, ())}

    def _candidates(self) -> dict[str, int]:
        """Every standard overlapping S -> the number of S's concepts it has.

        The store counts them (``shared-elements.rq``: standards classified in at least
        ``min_shared`` of S's elements) for every standard whose count needs nothing more: no
        evidence record and no graph whose default does not count on its links to those
        elements, not a series (a part among them makes its wholes candidates), not in two
        elements of one sameElementAs group. Those (few) are read link by link at the level
        (``Links.classified``) and counted exactly."""
        if self._shared is not None:
            return self._shared
        s = self.iri
        mine = self._own()
        self._groups.update(same_groups(self.store, mine))
        members = set(mine) | {x for e in mine for x in self._groups.get(e, ())}
        grouped = {e for e in members if e in self._groups}
        in_groups = self.links.to(CLASSIFIED_IN, grouped) if grouped else {}
        for e in grouped:
            self._rep[e] = min(x for x in self._groups[e] if in_groups.get(x))
        mine_t = self.tokens(s)
        if len(mine_t) < self.min_shared:
            self._shared = {}
            return self._shared
        # the standards the store cannot count: link by link
        odd: set[str] = {t for ts in in_groups.values() for t in ts}
        odd |= {a for a, b in self.links.records(CLASSIFIED_IN) if b in members}
        odd |= {a for a, _p, _b, _g in quads(self.store, p=[CLASSIFIED_IN], o=members,
                                              g=self._unaccepted())}
        # a series has its parts' concepts: those of S's a part has, as stated, and its wholes'
        # (as stated, an upper bound of what counts) say which wholes may overlap S
        through: dict[str, set[str]] = defaultdict(set)
        for name, prop in (("classified-with", "partOf"), ("classified-linked-by", "hasPart")):
            for x, e in select(self.store, name, element=iris(members),
                               property=URIRef(SG + prop)):
                through[str(x)].add(self._token(str(e)))
        if through:
            up = self.links.ancestors(through)
            wholes = {w for ws in up.values() for w in ws}
            for w, _p, el, _g in quads(self.store, p=[CLASSIFIED_IN], s=wholes, o=members):
                through[w].add(self._token(str(el)))
            todo = list(through)
            while todo:
                x = todo.pop()
                for w in up.get(x, ()):
                    if not through[x] <= through[w]:
                        through[w] |= through[x]
                        todo.append(w)
            odd |= {w for w in wholes if len(through[w]) >= self.min_shared}
        shared = {str(t): int(n) for t, n in select(
            self.store, "shared-elements", element=iris(members),
            least=Literal(self.min_shared)) if str(t) not in odd}
        self._exact(odd)
        for t in odd:
            n = len(self.tokens(t) & mine_t)
            if n >= self.min_shared:
                shared[t] = n
        shared.pop(s, None)
        self._shared = shared
        return shared

    def _unaccepted(self) -> set[str]:
        if self._na is None:
            self._na = self.links.unaccepted_graphs()
        return self._na

    def _exact(self, standards: Iterable[str]) -> None:
        """Read the classifications of ``standards`` link by link (and their elements'
        sameElementAs groups)."""
        todo = {x for x in standards if x not in self._elements}
        if not todo:
            return
        found = self.links.classified(todo)
        for x in todo:
            self._elements[x] = found.get(x, set())
        self._groups.update(same_groups(self.store, {e for x in todo
                                                     for e in self._elements[x]}))

    def _sizes(self, standards: list[str]) -> dict[str, int]:
        """standard -> the number of concepts it has: counted by the store for those that need
        nothing more (as in :meth:`_candidates`; a series has its parts' too), else read."""
        if self._everyone is None:
            self._everyone = {x for pair in same_element_pairs(self.store) for x in pair}
        todo = [x for x in standards if x not in self._size]
        odd = {x for x in todo if x in self._elements}
        odd |= {a for a, _b in self.links.records(CLASSIFIED_IN)} & set(todo)
        odd |= {a for a, _p, _b, _g in quads(self.store, p=[CLASSIFIED_IN], s=todo,
                                              g=self._unaccepted())}
        for chunk in chunks(todo):
            odd |= {str(w) for (w,) in select(self.store, "wholes", w=chunk)}
        if self._everyone:
            odd |= {a for a, _p, _b, _g in quads(self.store, p=[CLASSIFIED_IN], s=todo,
                                                  o=self._everyone)}
        plain = [x for x in todo if x not in odd]
        for chunk in chunks(plain):
            self._size.update({str(t): int(n) for t, n in
                               select(self.store, "element-counts", s=chunk)})
        self._exact(odd)
        for x in odd:
            self._size[x] = len(self.tokens(x))
        return {x: self._size.get(x, 0) for x in standards}

    def _ordered(self, candidates: dict[str, int], stop: int | None) -> list[_Overlap]:
        """The first ``stop`` (None: all) of ``candidates`` (standard -> shared concepts) in
        the analysis' order (score, shared, a, b). The score of a standard sharing n concepts
        is at most n / |S| (its union is at least S's concepts), so sizes are read for the
        standards sharing most first, and no further once the page's last one scores at least
        what any standard sharing fewer could."""
        s = self.iri
        n_s = len(self.tokens(s))
        by_shared: dict[int, list[str]] = defaultdict(list)
        for t, n in candidates.items():
            by_shared[n].append(t)
        levels = sorted(by_shared, reverse=True)
        pool: list[_Overlap] = []

        def key(r: _Overlap) -> tuple:
            return (-r.score, -r.shared, *sorted((s, r.other)))

        for k, n in enumerate(levels):
            sizes = self._sizes(by_shared[n])
            pool += [_Overlap(t, n, n_s + sizes[t] - n) for t in by_shared[n]]
            if stop is not None and len(pool) >= stop and k + 1 < len(levels):
                pool.sort(key=key)
                last = pool[stop - 1]
                if Fraction(last.shared, last.union) >= Fraction(levels[k + 1], n_s):
                    break
        pool.sort(key=key)
        return pool[:stop] if stop is not None else pool

    def overlap_count(self) -> int:
        """How many standards overlap S."""
        return len(self._candidates())

    def overlap_rows(self, stop: int | None = None) -> list[_Overlap]:
        """The first ``stop`` (None: all) standards overlapping S, in the analysis' order."""
        return self._ordered(self._candidates(), stop)

    def _relations_for(self, others: Iterable[str]) -> Relations:
        todo = {s for s in others if s not in self._related}
        if self._relations is None or todo:
            self._related |= todo | {self.iri}
            self._relations = _relations_around(self.store, self.links, self._related)
        return self._relations

    def overlaps(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The overlaps analysis' items involving S, ``[start:stop]`` of them."""
        return self._render(self.overlap_rows(stop)[start:stop])

    def _render(self, rows: list[_Overlap]) -> list[dict]:
        if not rows:
            return []
        s, lab = self.iri, self.lab
        self._exact(r.other for r in rows)
        mine_t = self.tokens(s)
        involved = sorted({s, *(r.other for r in rows)})
        members = {e for x in involved for e in self._elements.get(x, ())
                   if self._token(e) in mine_t}
        graphs_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for x, _p, e, g in quads(self.store, s=involved, p=[CLASSIFIED_IN], o=members):
            graphs_of[(x, str(e))].add(g)
        rel = self._relations_for(r.other for r in rows)
        lab.fetch(involved + sorted(mine_t))
        out = []
        for r in rows:
            a, b = sorted((s, r.other))
            shared = sorted(self.tokens(a) & self.tokens(b))
            relations = rel.between(a, b)
            graphs: set[str] = set()
            for t in shared:
                for x in (a, b):
                    for e in sorted(e for e in self._elements[x] if self._token(e) == t):
                        graphs |= graphs_of.get((x, e), set())
            lab.fetch(x for rr in relations for x in rr["path"])
            out.append({
                "a": a, "b": b, "a_label": lab(a), "b_label": lab(b),
                "shared": lab.refs(shared), "score": round(r.shared / r.union, 6),
                "related": bool(relations),
                "evidence": {
                    "a_coverage": len(self.tokens(a)), "b_coverage": len(self.tokens(b)),
                    "union": r.union, "graphs": lab.graph_refs(graphs),
                    "relations": [
                        {"relation": rr["relation"],
                         **({"property": lab.ref(rr["property"])} if "property" in rr else {}),
                         "path": lab.refs(rr["path"]), "graphs": lab.graph_refs(rr["graphs"])}
                        for rr in relations],
                },
            })
        return out

    # -- conflicts ----------------------------------------------------------------------------
    def _found(self) -> list[dict]:
        """The conflicts, rendered, in the analysis' order."""
        if self._conflicts is not None:
            return self._conflicts
        found = [*self._mismatches(), *self._references(), *self._cycle(), *self._declared()]
        found.sort(key=lambda f: f.key)
        cg: dict[tuple[str, str], set[str]] = defaultdict(set)
        if any(f.kind == "classification-mismatch" for f in found):
            for s, _p, el, g in quads(self.store, s=[self.iri], p=[CLASSIFIED_IN]):
                cg[(s, str(el))].add(g)
        self.lab.fetch(x for f in found for x in f.subjects)
        self._conflicts = [render_found(f, self.lab, cg) for f in found]
        return self._conflicts

    def _mismatches(self) -> list[Found]:
        elems = self._own()
        if not elems:
            return []
        schemes: dict[str, set[str]] = defaultdict(set)

        def read_schemes(xs: set[str]) -> None:
            rows = [(a, str(f)) for a, _p, f, _g in quads(self.store, s=xs, p=[IN_SCHEME])]
            frameworks = instances(self.store, ARCHITECTURE, {f for _a, f in rows})
            for a, f in rows:
                if f in frameworks:
                    schemes[a].add(f)

        read_schemes(elems)
        found = {(str(a), str(p), str(b), str(g)) for side in ("a", "b")
                 for chunk in chunks(elems)
                 for a, p, b, g in select(self.store, "mapping-links", **{side: chunk})}
        mappings = Mappings(counted_rows(self.links, sorted(found), ELEMENT))
        read_schemes({y for e in elems for y in mappings.linked.get(e, ())} - elems)
        return mismatches_of(self.iri, elems, schemes, mappings, same_groups(self.store, elems))

    def _references(self) -> list[Found]:
        s = self.iri
        props = self._reference_properties()
        rows: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        seen: set[tuple[str, str, str, str]] = set()
        for side in ("x", "y"):
            for x, p, y, g in select(self.store, "references-to-retired",
                                     p=[URIRef(q) for q in props], **{side: [URIRef(s)]}):
                row = (str(x), str(p), str(y), str(g))
                if row[0] != row[2] and row not in seen:
                    seen.add(row)
                    rows[(row[0], row[2])].append((row[1], row[3]))
        if not rows:
            return []
        types = (STANDARD, ROADMAP_ITEM)
        counted = {(x, p, y) for x, p, y, _t in (self.links.read(props, s=[s], types=types)
                                                 | self.links.read(props, o=[s], types=types))}
        ends = {x for x, _y in rows} | {y for _x, y in rows}
        hits = reference_hits(rows, counted, self.links.statuses(ends),
                              instances(self.store, ROADMAP_ITEM, {x for x, _y in rows}))
        if not hits:
            return []
        ys = {y for _x, y in hits}
        status_graphs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for y, _p, st, g in quads(self.store, s=ys, p=[SG + "status"]):
            status_graphs[y][str(st)].add(g)
        successors: dict[str, set[str]] = defaultdict(set)
        for y, _p, z, _g in quads(self.store, s=ys, p=[SG + "supersededBy"]):
            successors[y].add(str(z))
        for z, _p, y, _g in quads(self.store, o=ys, p=[SG + "supersedes"]):
            successors[str(y)].add(z)
        return reference_found(hits, successors, status_graphs)

    def _supersession_edges(self, nodes: set[str]) -> set[tuple[str, str]]:
        """The supersession edges (x supersedes y) counted at the level that touch ``nodes``."""
        found = (self.links.read(SUPERSESSION, s=nodes)
                 | self.links.read(SUPERSESSION, o=nodes))
        return {(a, b) if p == SUPERSESSION[0] else (b, a) for a, p, b, _t in found}

    def _cycle(self) -> list[Found]:
        s = self.iri
        edges: set[tuple[str, str]] = set()
        loaded: set[str] = set()
        forward: set[str] = set()
        backward: set[str] = set()
        frontier = {s}
        while frontier:
            edges |= self._supersession_edges(frontier)
            loaded |= frontier
            for reach, step in ((forward, lambda e: e), (backward, lambda e: (e[1], e[0]))):
                grow = True
                while grow:
                    grow = False
                    for e in edges:
                        x, y = step(e)
                        if (x == s or x in reach) and y not in reach:
                            reach.add(y)
                            grow = True
            frontier = (forward | backward) - loaded
        comp = sorted({s} | (forward & backward))
        if comp == [s] and (s, s) not in edges:
            return []
        members = set(comp)
        sup, by = SUPERSESSION
        triples = set()
        for a, p, b, g in quads(self.store, s=members, p=SUPERSESSION):
            b = str(b)
            x, y = (a, b) if p == sup else (b, a)
            if x in members and y in members and (x, y) in edges:
                triples.add((a, p, b, g))
        return [Found("supersession-cycle", comp,
                      {"standards": comp, "triples": sorted(triples)}, tuple(comp))]

    def _declared(self) -> list[Found]:
        s = self.iri
        cw = SG + "conflictsWith"
        counted = {frozenset((a, b)) for a, _p, b, _t in (self.links.read([cw], s=[s])
                                                          | self.links.read([cw], o=[s]))}
        pairs: dict[tuple[str, str], set[tuple[str, str, str, str]]] = defaultdict(set)
        for a, _p, b, g in quads(self.store, s=[s], p=[cw]) + quads(self.store, o=[s], p=[cw]):
            b = str(b)
            if a == b or frozenset((a, b)) not in counted:
                continue
            pairs[(min(a, b), max(a, b))].add((a, cw, b, g))
        return [Found("declared", [a, b], {"triples": sorted(ts)}, (a, b))
                for (a, b), ts in sorted(pairs.items())]

    def conflict_count(self) -> int:
        return len(self._found())

    def conflicts(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The conflicts analysis' items involving S, ``[start:stop]`` of them."""
        return self._found()[start:stop]


class KeptFindings:
    """:class:`StandardFindings`' rows from what the analyses keep for the store's version:
    the overlaps are the standard's pairs in the overlaps' kept pair index
    (``OverlapRun.pairs_of``: its group's partners, at the cost of its own pairs), the
    conflicts those of the kept conflicts that name it (``SubjectConflicts``); each item
    rendered for the slice asked for only. Cheap where the analyses are kept
    (``analysis.snapshot.is_kept``); elsewhere it would compute them whole."""

    def __init__(self, store: Store, iri: str, evidence: Evidence | None = None,
                 min_shared: int = 2) -> None:
        evidence = evidence or Evidence()
        self.store, self.iri = store, iri
        self.run = OverlapRun(store, min_shared, False, "elements", evidence)
        self.pairs = self.run.pairs_of(iri)
        raw = {k: str(v) for k, v in evidence.describe().items()}
        self.found = SubjectConflicts(store, iri, raw)

    def overlap_count(self) -> int:
        return len(self.pairs)

    def overlaps(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The overlaps analysis' items involving the standard, ``[start:stop]`` of them."""
        return self.run.items(self.pairs[start:stop],
                              Labels.of(self.store, self.run.snapshot))

    def conflict_count(self) -> int:
        return len(self.found)

    def conflicts(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The conflicts analysis' items involving the standard, ``[start:stop]`` of them."""
        return self.found.items(start, stop)


def standard_findings(store: Store, iri: str, evidence: Evidence | None = None,
                      labels: Labels | None = None) -> StandardFindings | KeptFindings:
    """The overlaps and conflicts of standard ``iri`` (default parameters at ``evidence``):
    from the analyses' kept results where the store keeps them (the server's query runner),
    else read for it alone."""
    if is_kept(store):
        return KeptFindings(store, iri, evidence)
    return StandardFindings(store, iri, evidence or Evidence(), labels=labels)


def warm_standard_findings(store: Store) -> None:
    """What :class:`KeptFindings` derives from the kept analyses beyond what they keep
    themselves (the conflicts by subject, the pair index's postings), made once: the server's
    query workers run this before they take requests, after the analyses' own warm-up (at
    100,000 standards it is about 0.8 s, which the first page would pay)."""
    if not is_kept(store):
        return
    standards = OverlapRun(store).coverage.standards
    KeptFindings(store, standards[0] if standards else "")


def overlaps_of(store: Store, iri: str, evidence: Evidence | None = None,
                min_shared: int = 2) -> list[dict]:
    """The overlaps analysis' items (``min_shared``, elements, no expansion) involving
    ``iri``, in its order."""
    return StandardFindings(store, iri, evidence or Evidence(), min_shared).overlaps()


def conflicts_of(store: Store, iri: str, evidence: Evidence | None = None,
                 min_shared: int = 2) -> list[dict]:
    """The conflicts analysis' items (every kind) whose subjects include ``iri``, in its
    order."""
    return StandardFindings(store, iri, evidence or Evidence(), min_shared).conflicts()


# -- gaps --------------------------------------------------------------------------------------

#: kind of gap -> (class, link property, what a linked standard does): those of one resource
GAP_KINDS = {"barrier": (SG + "Barrier", SG + "addressesBarrier", "addresses this barrier"),
             "theme": (SG + "Theme", SG + "supportsTheme", "supports this theme"),
             "technology": (SG + "Technology", SG + "concernsTechnology",
                            "concerns this technology"),
             "roadmap-item": (ROADMAP_ITEM, "", "")}


def concepts_below(store: Store, concept: str) -> set[str]:
    """The concepts below ``concept`` (``skos:broader``/``skos:narrower``, transitively)."""
    seen: set[str] = set()
    frontier = {concept}
    while frontier:
        children = {a for a, _p, _b, _g in quads(store, o=frontier, p=[SKOS + "broader"])}
        children |= {str(b) for _a, _p, b, _g in quads(store, s=frontier, p=[SKOS + "narrower"])}
        children.discard("")
        new = {c for c in children if c not in seen}
        seen |= new
        frontier = new
    return seen


def gap_of(store: Store, iri: str, kind: str, evidence: Evidence | None = None,
           labels: Labels | None = None) -> dict[str, Any] | None:
    """The gaps analysis' item for ``iri`` of ``kind`` (``barrier``, ``theme``, ``technology``
    or ``roadmap-item``), without its ``coverage``; None when the analysis finds it covered or
    it is no such resource. A roadmap item with several timeframe labels gets the smallest."""
    cls, prop, verb = GAP_KINDS[kind]
    if not instances(store, cls, [iri]):
        return None
    links = Links(store, evidence or Evidence())
    lab = labels or Labels(store)
    #: the linked standards withdrawn or superseded, when read from the kept links
    kept_retired: set[str] | None = None
    if kind == "roadmap-item":
        linked = {b for _a, _p, b, _t in links.read([SG + "delivers", SG + "servedBy"],
                                                     s=[iri], types=[ROADMAP_ITEM])}
        linked |= {a for a, _p, _b, _t in links.read([SG + "deliveredBy", SG + "serves"],
                                                     o=[iri])}
        if all(map(is_iri, linked)):
            linked = instances(store, STANDARD, linked)
        else:  # (a blank node, which no later query can name: the analysis' own reading)
            reader = LinkReader(store, links.evidence, snapshot=snapshot(store))
            delivered = reader.either(SG + "delivers", SG + "deliveredBy", ROADMAP_ITEM,
                                      STANDARD)
            served = reader.either(SG + "servedBy", SG + "serves", ROADMAP_ITEM, STANDARD)
            linked = set(delivered.get(iri, ())) | set(served.get(iri, ()))
            current = reader.current()
            if not current.isdisjoint(linked):
                return None
            kept_retired = linked - current
        scheme = None
        frames = sorted(str(t) for _s, _p, t, _g
                        in quads(store, s=[iri], p=[SG + "timeframeLabel"]))
        reason = "no linked standard delivers or serves this roadmap item"
        if frames:
            reason += f" (timeframe {frames[0]})"
    else:
        targets = {iri} | concepts_below(store, iri)
        linked = set() if is_kept(store) else {
            s for ss in links.to(prop, targets).values() for s in ss}
        # the links the gaps analysis keeps (warmed: its default run); or, for a standard that
        # is a blank node, which no later query can name, the analysis' own reading
        if is_kept(store) or not all(map(is_iri, linked)):
            reader = LinkReader(store, links.evidence, snapshot=snapshot(store))
            users = reader.users(prop)
            linked = set().union(*(users.get(t, ()) for t in targets))
            current = reader.current()
            if not current.isdisjoint(linked):
                return None
            kept_retired = linked - current
        schemes = sorted({str(x) for _s, _p, x, _g in quads(store, s=[iri], p=[IN_SCHEME])})
        scheme = schemes[0] if schemes else None
        reason = f"no linked standard {verb}"
    if kept_retired is None and links.any_current(linked):
        return None
    retired = links.retired(linked) if kept_retired is None else kept_retired
    if retired:
        others = sorted(retired)
        lab.fetch(others)
        reason += (" (only withdrawn or superseded standards do: " +
                   "; ".join(lab(s) for s in others) + ")")
    lab.fetch([iri] + ([scheme] if scheme else []))
    return {"subject": iri, "label": lab(iri), "kind": kind, "scheme": scheme,
            "scheme_label": lab(scheme) if scheme else None, "reason": reason}

