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
  they are parts of) are the candidates; those sharing at least ``min_shared`` of S's concepts
  overlap it, and only for them is the whole coverage read, to score them (Jaccard). Items are
  those of the overlaps analysis, in its order (score, shared, a, b), with its evidence
  (classification graphs, relations).
- **conflicts of a standard**: the conflicts analysis' items whose subjects include S: its
  classification mismatches, its references to superseded or withdrawn standards and those to
  it, the supersession cycle it is in, the conflicts declared with it, and its competing
  overlaps (publishers known and disjoint, no relation), in the analysis' order.
- **the gap of a concern or roadmap item**: the gaps analysis' item for it (None when the
  analysis finds it covered), without the document-wide ``coverage`` figures the analysis adds
  to each item (they count every standard of the graph).

``tests/catalog/test_findings.py`` checks each equal to the rows of the full analysis that
involve the resource, on the fixtures, the bundled graph and random graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import URIRef

from stdgraph.analysis.common import Labels
from stdgraph.analysis.conflicts import (
    Found,
    Mappings,
    competing_item,
    mismatches_of,
    reference_found,
    reference_hits,
    render_found,
)
from stdgraph.analysis.evidence import ROADMAP_ITEM, STANDARD, Evidence
from stdgraph.analysis.overlaps import Relations, chain_edge
from stdgraph.catalog.common import SG, SKOS
from stdgraph.catalog.links import Links, chunks, instances, quads
from stdgraph.catalog.queryfiles import select
from stdgraph.store.base import Store

__all__ = ["GAP_KINDS", "StandardFindings", "conflicts_of", "gap_of", "overlaps_of",
           "reference_properties", "same_groups"]

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


def _relations_around(store: Store, standards: Iterable[str]) -> Relations:
    """The overlaps analysis' relations with the edges read around ``standards`` only: every
    edge of each standard from which a part-of or supersession path is followed, so
    ``between`` finds the paths the analysis finds."""
    loaded: set[str] = set()
    frontier = set(standards)
    rows: set[tuple[str, str, str, str]] = set()
    while frontier:
        for side in ("a", "b"):
            for chunk in chunks(frontier):
                rows |= {(str(a), str(p), str(b), str(g)) for a, p, b, g
                         in select(store, "relation-edges", **{side: chunk})}
        loaded |= frontier
        # the whole of a part, what a standard supersedes: where a path goes on
        ahead = {edge[2] for a, p, b, _g in rows if (edge := chain_edge(a, p, b))}
        frontier = ahead - loaded
    return Relations(rows)


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
        self._rows: list[_Overlap] | None = None
        self._relations: Relations | None = None
        self._related: set[str] = set()
        self._groups: dict[str, frozenset[str]] = {}
        self._rep: dict[str, str] = {}
        self._elements: dict[str, set[str]] = {}
        self._conflicts: list[dict] | None = None
        self._competing: list[_Overlap] | None = None
        self._publishers: dict[str, set[str]] = {}
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

    def overlap_rows(self) -> list[_Overlap]:
        """Every standard overlapping S, in the analysis' order."""
        if self._rows is not None:
            return self._rows
        s = self.iri
        mine = self._own()
        self._groups.update(same_groups(self.store, mine))
        members = set(mine) | {x for e in mine for x in self._groups.get(e, ())}
        postings = self.links.to(CLASSIFIED_IN, members)
        used = {m for m, ts in postings.items() if ts}
        for e in members:
            group = self._groups.get(e)
            if group:
                self._rep[e] = min(x for x in group if x in used)
        mine_t = self.tokens(s)
        if len(mine_t) < self.min_shared:
            self._rows = []
            return self._rows
        # S's concepts each candidate has: directly, or through its parts (a series)
        found: dict[str, set[str]] = defaultdict(set)
        for m, ts in postings.items():
            for t in ts:
                found[t].add(self._token(m))
        up = self.links.ancestors(found)
        todo = list(found)
        while todo:
            x = todo.pop()
            for w in up.get(x, ()):
                if not found[x] <= found[w]:
                    found[w] |= found[x]
                    todo.append(w)
        candidates = {t for t, ts in found.items() if len(ts) >= self.min_shared and t != s}
        self._elements.update(self.links.classified(candidates))
        self._groups.update(same_groups(self.store, {e for t in candidates
                                                     for e in self._elements.get(t, ())}))
        rows = []
        for t in candidates:
            theirs = self.tokens(t)
            shared = len(mine_t & theirs)
            rows.append(_Overlap(t, shared, len(mine_t) + len(theirs) - shared))
        rows.sort(key=lambda r: (-r.score, -r.shared, *sorted((s, r.other))))
        self._rows = rows
        return rows

    def _relations_for(self, others: Iterable[str]) -> Relations:
        todo = {s for s in others if s not in self._related}
        if self._relations is None or todo:
            self._related |= todo | {self.iri}
            self._relations = _relations_around(self.store, self._related)
        return self._relations

    def overlaps(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The overlaps analysis' items involving S, ``[start:stop]`` of them."""
        return self._render(self.overlap_rows()[start:stop])

    def _render(self, rows: list[_Overlap]) -> list[dict]:
        if not rows:
            return []
        s, lab = self.iri, self.lab
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
        """The conflicts but the competing ones, rendered, in the analysis' order."""
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
        mappings = Mappings({(str(a), str(p), str(b), str(g)) for side in ("a", "b")
                             for chunk in chunks(elems)
                             for a, p, b, g in select(self.store, "mapping-links",
                                                      **{side: chunk})})
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

    def competing_rows(self) -> list[_Overlap]:
        """S's overlaps that compete: publishers known for both and disjoint, no relation."""
        if self._competing is not None:
            return self._competing
        rows = self.overlap_rows()
        who = sorted({self.iri, *(r.other for r in rows)})
        for x, _p, b, _g in quads(self.store, s=who, p=[SG + "publisher"]):
            self._publishers.setdefault(x, set()).add(str(b))
        mine = self._publishers.get(self.iri)
        if not mine:
            self._competing = []
            return self._competing
        chosen = [r for r in rows
                  if self._publishers.get(r.other) and not mine & self._publishers[r.other]]
        rel = self._relations_for(r.other for r in chosen)
        self._competing = [r for r in chosen if not rel.between(*sorted((self.iri, r.other)))]
        return self._competing

    def conflict_count(self) -> int:
        return len(self._found()) + len(self.competing_rows())

    def conflicts(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """The conflicts analysis' items involving S, ``[start:stop]`` of them."""
        found = self._found()
        stop = self.conflict_count() if stop is None else stop
        out = found[start:stop]
        first, last = max(0, start - len(found)), max(0, stop - len(found))
        chosen = self.competing_rows()[first:last]
        out += [competing_item(ov, self._publishers, self.lab) for ov in self._render(chosen)]
        return out


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


def _below(store: Store, concept: str) -> set[str]:
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
    if kind == "roadmap-item":
        linked = {b for _a, _p, b, _t in links.read([SG + "delivers", SG + "servedBy"],
                                                     s=[iri], types=[ROADMAP_ITEM])}
        linked |= {a for a, _p, _b, _t in links.read([SG + "deliveredBy", SG + "serves"],
                                                     o=[iri])}
        linked = instances(store, STANDARD, linked)
        scheme = None
        frames = sorted(str(t) for _s, _p, t, _g
                        in quads(store, s=[iri], p=[SG + "timeframeLabel"]))
        reason = "no linked standard delivers or serves this roadmap item"
        if frames:
            reason += f" (timeframe {frames[0]})"
    else:
        targets = {iri} | _below(store, iri)
        linked = {s for ss in links.to(prop, targets).values() for s in ss}
        schemes = sorted({str(x) for _s, _p, x, _g in quads(store, s=[iri], p=[IN_SCHEME])})
        scheme = schemes[0] if schemes else None
        reason = f"no linked standard {verb}"
    retired = links.retired(linked)
    if linked - retired:
        return None
    if retired:
        others = sorted(retired)
        lab.fetch(others)
        reason += (" (only withdrawn or superseded standards do: " +
                   "; ".join(lab(s) for s in others) + ")")
    lab.fetch([iri] + ([scheme] if scheme else []))
    return {"subject": iri, "label": lab(iri), "kind": kind, "scheme": scheme,
            "scheme_label": lab(scheme) if scheme else None, "reason": reason}

