"""Conflicts: where standards, or the frameworks classifying them, contradict each other.

Kinds (docs/analyses.md holds the same text):

- ``classification-mismatch`` (warning): standard S is classified in element e1 of framework F1
  (``skos:inScheme``, a ``sg:ReferenceArchitecture``: a scheme of unresolved elements is no
  framework) and in at least one element of another framework F2; the elements of F2 mapped to
  e1 by any SKOS mapping (``skos:exactMatch``, ``closeMatch``, ``broadMatch``, ``narrowMatch``,
  ``relatedMatch``, ``mappingRelation``; either direction; at the evidence level) form a
  non-empty set A; S is
  classified in none of A (nor in an element declared the same as one of A,
  ``sg:sameElementAs``). One item per (S, e1, F2).
- ``superseded-reference`` / ``withdrawn-reference`` (warning): a current standard (one whose
  status is not ``sg:Withdrawn`` or ``sg:Superseded``; an unknown status counts) or a roadmap
  item references
  (``sg:references`` or any sub-property, e.g. ``sg:normativelyReferences``, ``sg:basedOn``) a
  standard whose status is ``sg:Superseded`` / ``sg:Withdrawn``. One item per (referrer,
  referenced).
- ``supersession-cycle`` (error): standards that supersede each other in a cycle
  (``sg:supersedes``, or ``sg:supersededBy`` read backwards); one item per cycle (strongly
  connected component), a self-supersession counts.
- ``declared`` (warning): two standards declared in conflict (``sg:conflictsWith``, symmetric);
  one item per unordered pair.

There is no ``competing`` kind any more: two unrelated standards of different publishers that
share elements restate an overlap, not a contradiction (44 of the 46 conflicts of the bundled
graph were such rows), so they are the overlaps analysis' rows with ``related`` false
(docs/analyses.md, "Conflicts").

Links (classifications, the mappings of the classification mismatch, references,
supersession, declared conflicts, statuses) count at the evidence level (``evidence``,
``min_score``: stdgraph.analysis.evidence). Every IRI in ``subjects`` and ``evidence`` comes
with its label, and the evidence names the named graphs (source files, or the inferred graph)
holding the triples that produced the item.
Items are sorted by severity (error, then warning), then kind in the order above, then
subjects' IRIs.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from operator import attrgetter
from typing import Any

import pyoxigraph as ox

from stdgraph.analysis.common import (
    PROLOGUE,
    AnalysisDocument,
    AnalysisStream,
    Labels,
    Parameter,
    RawParams,
    iris,
    json_params,
    labels,
    limit_param,
    parse_params,
    same_elements,
    values_block,
)
from stdgraph.analysis.evidence import (
    ELEMENT,
    MAPPING_PROPS,
    QUERIES,
    RETIRED,
    ROADMAP_ITEM,
    STANDARD,
    Evidence,
    LinkReader,
    Selection,
    evidence_params,
    selection_params,
    status_param,
)
from stdgraph.analysis.layered import Layered, layered
from stdgraph.analysis.overlaps import (
    classification_graphs,
    reference_props,
)
from stdgraph.analysis.registry import Analysis
from stdgraph.analysis.snapshot import (
    FAST_KINDS,
    LABEL_PROPS,
    Dirty,
    Snapshot,
    rows,
    snapshot,
    text,
    typed,
)
from stdgraph.store.base import Store

KINDS = ("classification-mismatch", "superseded-reference", "withdrawn-reference",
         "supersession-cycle", "declared")
SEVERITY = {"supersession-cycle": "error", "classification-mismatch": "warning",
            "superseded-reference": "warning", "withdrawn-reference": "warning",
            "declared": "warning"}
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

PARAMS = [
    Parameter("kinds", "string", default=",".join(KINDS), allowed=KINDS, multiple=True,
              label="Kinds of conflict",
              value_labels={"classification-mismatch": "Classification mismatch",
                            "superseded-reference": "Reference to a superseded standard",
                            "withdrawn-reference": "Reference to a withdrawn standard",
                            "supersession-cycle": "Supersession in a circle",
                            "declared": "Declared conflict"},
              description="Which kinds of conflict to list (on the command line: "
                          "comma-separated)."),
    *evidence_params(),
    Parameter("body", "iri", multiple=True, label="Published by", pick="body",
              description="Only the conflicts that involve a standard published by one of "
                          "these standards bodies (sg:publisher); none chosen: every "
                          "conflict."),
    status_param("Only the conflicts whose own standards all have one of these statuses "
                 "(sg:status): the standard of a classification mismatch, the referring "
                 "standard of a reference to a superseded or withdrawn one (the standard "
                 "referred to is superseded or withdrawn by definition, and not asked; a "
                 "roadmap item referring has no status and is left out), every standard of a "
                 "supersession circle, both standards of a declared conflict."),
    *selection_params("the conflicts whose own standards (as for the status) all are such "
                      "standards; a roadmap item referring is not a standard and is left "
                      "out."),
    limit_param(),
]

SG = "https://w3id.org/stdgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
#: what the queries below read (Snapshot.select keeps their rows while no write touches these)
SCHEME_READS = (SKOS + "inScheme", typed(SG + "ReferenceArchitecture"))

# frameworks only: a scheme of unresolved elements (sg:UnresolvedElementScheme) is none
Q_SCHEMES = PROLOGUE + """SELECT DISTINCT ?e ?f WHERE {
  ?e skos:inScheme ?f . ?f a sg:ReferenceArchitecture
}"""
#: the mappings between elements (queries/element-mappings.rq)
Q_MAPPINGS = QUERIES.bind("element-mappings", {})
Q_REFERENCES = PROLOGUE + """SELECT DISTINCT ?x ?p ?y ?g WHERE {{
  {props}
  VALUES ?ystatus {{ sg:Superseded sg:Withdrawn }}
  GRAPH ?g {{ ?x ?p ?y }}
  ?y sg:status ?ystatus .
  {{ ?x a sg:Standard }} UNION {{ ?x a sg:RoadmapItem }}
}}"""
Q_STATUS_GRAPHS = PROLOGUE + """SELECT DISTINCT ?y ?status ?g WHERE {{
  {ys} GRAPH ?g {{ ?y sg:status ?status }}
}}"""
Q_SUCCESSORS = PROLOGUE + """SELECT DISTINCT ?y ?z WHERE {{
  {ys} {{ ?y sg:supersededBy ?z }} UNION {{ ?z sg:supersedes ?y }}
}}"""
Q_SUPERSEDES = PROLOGUE + """SELECT DISTINCT ?a ?p ?b ?g WHERE {
  VALUES ?p { sg:supersedes sg:supersededBy }
  GRAPH ?g { ?a ?p ?b }
}"""
Q_DECLARED = PROLOGUE + """SELECT DISTINCT ?a ?b ?g WHERE {
  GRAPH ?g { ?a sg:conflictsWith ?b }
}"""


class Found:
    """An item before labels: kind, subjects, evidence (IRIs), sort key; ``render_found``
    makes it an item. The standard pages build them too (``stdgraph.catalog.findings``), so
    that their rows are the analysis' to the byte."""

    def __init__(self, kind: str, subjects: list[str], evidence: dict, key: tuple) -> None:
        self.kind = kind
        self.subjects = subjects
        self.evidence = evidence
        self.key = (_SEVERITY_ORDER[SEVERITY[kind]], KINDS.index(kind), *key)


def _triple(lab: Labels, s: str, p: str, o: str, graphs) -> dict:
    return {"subject": lab.ref(s), "predicate": lab.ref(p), "object": lab.ref(o),
            "graphs": lab.graph_refs(graphs)}


# -- classification mismatch -------------------------------------------------------------------

class Mappings:
    """SKOS mappings between elements, either direction, from rows ``(a, property, b,
    graph)``: what each element is mapped to, and by which statements."""

    def __init__(self, found: Iterable[tuple[str, str, str, str]]) -> None:
        self.linked: dict[str, set[str]] = defaultdict(set)
        self.statements: dict[tuple[str, str], list[tuple[str, str, str, str]]] = \
            defaultdict(list)
        for a, p, b, g in found:
            if a == b:
                continue
            self.linked[a].add(b)
            self.linked[b].add(a)
            for key in ((a, b), (b, a)):
                self.statements[key].append((a, p, b, g))


def mismatches_of(s: str, elems: AbstractSet[str], schemes: Mapping[str, AbstractSet[str]],
                  mappings: Mappings, same: Mapping[str, AbstractSet[str]]) -> list[Found]:
    """The classification mismatches of standard ``s``, classified in ``elems``; ``schemes``:
    element -> its frameworks, for ``elems`` and what they are mapped to; ``same``: the
    sameElementAs groups of ``elems``."""
    by_framework: dict[str, set[str]] = defaultdict(set)
    for e in elems:
        for f in schemes.get(e, ()):
            by_framework[f].add(e)
    if len(by_framework) < 2:
        return []
    # classified in an element = in each element declared the same as it
    covered = set(elems) | {y for e in elems for y in same.get(e, ())}
    out: list[Found] = []
    for e1 in sorted(elems):
        for f1 in sorted(schemes.get(e1, ())):
            for f2 in sorted(by_framework):
                if f2 == f1 or f2 in schemes.get(e1, ()):
                    continue
                mapped = {e2 for e2 in mappings.linked.get(e1, ())
                          if f2 in schemes.get(e2, ())}
                if not mapped or mapped & covered:
                    continue
                others = sorted(by_framework[f2])
                maps = sorted({m for e2 in mapped for m in mappings.statements[(e1, e2)]})
                out.append(Found("classification-mismatch", [s, e1, *others], {
                    "standard": s, "element": e1, "framework": f1,
                    "other_framework": f2, "mapped": sorted(mapped),
                    "classified_in_other": others, "mappings": maps,
                }, (s, e1, f2)))
    return out


class _Frameworks:
    """What a classification mismatch is decided with, for every standard: each element's
    frameworks, the mappings between elements that count at the reader's evidence level
    (``LinkReader.counted``) and the elements declared the same."""

    def __init__(self, store: Store, reader: LinkReader) -> None:
        snap = reader.snapshot
        self.schemes: dict[str, set[str]] = defaultdict(set)
        for e, f in rows(store, snap, Q_SCHEMES, SCHEME_READS):
            self.schemes[str(e)].add(str(f))
        self.mappings = Mappings(reader.counted(
            [(str(a), str(p), str(b), str(g))
             for a, p, b, g in rows(store, snap, Q_MAPPINGS, (*MAPPING_PROPS, SKOS + "inScheme"))],
            ELEMENT))
        self.same = same_elements(store, snap)

    def mismatches(self, s: str, elems: AbstractSet[str]) -> list[Found]:
        """The classification mismatches of standard ``s``, classified in ``elems``."""
        return mismatches_of(s, elems, self.schemes, self.mappings, self.same)


#: what the mismatches depend on besides each standard's classifications
FRAMEWORK_READS = frozenset({*SCHEME_READS, *MAPPING_PROPS, SG + "sameElementAs",
                             typed(ELEMENT)})


def _frameworks_changed(dirty: Dirty) -> bool:
    """Whether the writes ``dirty`` describes may change ``_Frameworks`` (a changed record of
    a mapping names the mapping's property in ``subjects`` only)."""
    return dirty.everything or bool((dirty.reads | dirty.subjects.keys()) & FRAMEWORK_READS)


def _frameworks(store: Store, reader: LinkReader) -> _Frameworks:
    """``_Frameworks``, kept with the snapshot (per evidence level) while no write touches
    what it reads."""
    return reader.memoised("frameworks", lambda: _Frameworks(store, reader),
                           lambda old, dirty: None if _frameworks_changed(dirty) else old)


class _Mismatches(Layered[str, list[Found]]):
    """standard -> its classification mismatches (those with any), with the classifications
    they were found from (``LinkReader.classified``), for bringing them up to date; one
    brought up to date names the table it came from (``previous``) and the standards whose
    mismatches were found again (``recomputed``)."""

    classified: Any
    previous: _Mismatches | None
    recomputed: AbstractSet[str]

    @classmethod
    def of(cls, table: Layered[str, list[Found]], classified: Any,
           previous: _Mismatches | None = None, recomputed: AbstractSet[str] = frozenset()
           ) -> _Mismatches:
        found = cls.like(table)
        found.classified, found.previous, found.recomputed = classified, previous, recomputed
        return found


def _mismatches(store: Store, reader: LinkReader) -> _Mismatches:
    """The mismatch table, kept with the snapshot and brought up to date standard by
    standard."""
    return reader.memoised("mismatches", lambda: _mismatch_table(store, reader),
                           lambda old, dirty: _mismatch_update(store, reader, old, dirty))


def _mismatch_table(store: Store, reader: LinkReader) -> _Mismatches:
    classified = reader.classified()
    frameworks = _frameworks(store, reader)
    out = {}
    for s, elems in classified.items():
        found = frameworks.mismatches(s, elems)
        if found:
            out[s] = found
    return _Mismatches.of(layered(out), classified)


def _mismatch_update(store: Store, reader: LinkReader, old: _Mismatches, dirty: Dirty
                     ) -> _Mismatches | None:
    """Only the standards whose classifications may have changed, found again; None when the
    frameworks, mappings or elements declared the same changed."""
    if _frameworks_changed(dirty):
        return None
    classified = reader.classified()
    changed = reader.classification_changes(dirty, old.classified, classified)
    if not changed:
        return old
    frameworks = _frameworks(store, reader)
    out = old.edit()
    for s in changed:
        found = frameworks.mismatches(s, classified.get(s, set()))
        if found:
            out[s] = found
        elif s in out:
            out.pop(s)
    return _Mismatches.of(out.done(), classified, old, changed)


# -- references to superseded / withdrawn standards --------------------------------------------

def reference_links(reader: LinkReader, props: Iterable[str]) -> set[tuple[str, str, str]]:
    """(referrer, property, referenced) of every reference link at the reader's level, from
    standards and roadmap items."""
    return {(x, p, y) for p in props for cls in (STANDARD, ROADMAP_ITEM)
            for x, ys in reader.links(p, cls).items() for y in ys}


def _reference_rows(store: Store, snap: Snapshot | None, props: set[str]
                    ) -> list[tuple[str, str, str, str]]:
    """Q_REFERENCES' rows (referrer, property, referenced, graph), from the snapshot's tables
    when there is one."""
    if snap is None:
        q = Q_REFERENCES.format(props=values_block("p", sorted(props)))
        return [(str(x), str(p), str(y), str(g)) for x, p, y, g in store.query(q).rows]
    retired = _retired(store, snap)
    standards, items = snap.instances(store, STANDARD), snap.instances(store, ROADMAP_ITEM)
    out = []
    for p in sorted(props):
        for x, objs in snap.table(store, p).items():
            if x not in standards and x not in items:
                continue
            for y, graphs in objs.items():
                if not isinstance(y, ox.Literal) and text(y) in retired:
                    out += [(x, p, text(y), g) for g in graphs if g is not None]
    return out


def reference_hits(found: Mapping[tuple[str, str], list[tuple[str, str]]],
                   counted: AbstractSet[tuple[str, str, str]],
                   statuses: Mapping[str, AbstractSet[str]], items: AbstractSet[str],
                   kinds: AbstractSet[str] = frozenset(KINDS)) -> dict[tuple[str, str], dict]:
    """(referrer, referenced) -> {"kind", "referrer_status", "triples"} of the references of
    ``kinds`` that are conflicts: ``found``, (referrer, referenced) -> [(property, graph)] of
    the references to retired standards, kept where a link counts (``counted``) and the
    referrer is a roadmap item (``items``) or current (``statuses``)."""
    hits: dict[tuple[str, str], dict] = {}
    for (x, y), triples in found.items():
        if not any((x, p, y) in counted for p, _g in triples):
            continue
        xstatus = statuses.get(x, set())
        if x not in items and xstatus & set(RETIRED):
            continue
        ystatus = statuses.get(y, set())
        if SG + "Superseded" in ystatus:
            kind = "superseded-reference"
        elif SG + "Withdrawn" in ystatus:
            kind = "withdrawn-reference"
        else:
            continue
        if kind not in kinds:
            continue
        h = hits.setdefault((x, y), {"kind": kind, "referrer_status": min(xstatus, default=None),
                                     "triples": defaultdict(set)})
        for p, g in triples:
            h["triples"][(x, p, y)].add(g)
    return hits


def reference_found(hits: Mapping[tuple[str, str], dict],
                    successors: Mapping[str, AbstractSet[str]],
                    status_graphs: Mapping[str, Mapping[str, AbstractSet[str]]]) -> list[Found]:
    """The items of ``reference_hits``; ``successors``: referenced -> what supersedes it;
    ``status_graphs``: referenced -> status -> the graphs stating it."""
    out = []
    for (x, y), h in sorted(hits.items()):
        status = SG + ("Superseded" if h["kind"] == "superseded-reference" else "Withdrawn")
        out.append(Found(h["kind"], [x, y], {
            "referrer": x, "referrer_status": h["referrer_status"], "referenced": y,
            "status": status, "successors": sorted(successors.get(y, ())),
            "triples": sorted((s, p, o, tuple(sorted(gs))) for (s, p, o), gs in
                              h["triples"].items()),
            "status_graphs": sorted(status_graphs.get(y, {}).get(status, ())),
        }, (x, y)))
    return out


def _references(store: Store, kinds: set[str], reader: LinkReader) -> list[Found]:
    snap = reader.snapshot
    props = reference_props(store, snap)
    found: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for x, p, y, g in _reference_rows(store, snap, props):
        if x != y:
            found[(x, y)].append((p, g))
    hits = reference_hits(found, reference_links(reader, props), reader.statuses(),
                          reader.instances(ROADMAP_ITEM), kinds)
    if not hits:
        return []
    ys = sorted({y for _x, y in hits})
    status_graphs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    successors: dict[str, set[str]] = defaultdict(set)
    if snap is None:
        for y, status, g in store.query(Q_STATUS_GRAPHS.format(ys=values_block("y", ys))).rows:
            status_graphs[str(y)][str(status)].add(str(g))
        for y, z in store.query(Q_SUCCESSORS.format(ys=values_block("y", ys))).rows:
            successors[str(y)].add(str(z))
    else:
        status = snap.table(store, SG + "status")
        later = snap.table(store, SG + "supersededBy")
        earlier = _superseders(store, snap)
        for y in ys:
            for st, graphs in status.get(y, {}).items():
                status_graphs[y][text(st)] |= {g for g in graphs if g is not None}
            successors[y] |= {text(z) for z in later.get(y, {})} | earlier.get(y, set())
    return reference_found(hits, successors, status_graphs)


def _retired(store: Store, snap: Snapshot) -> frozenset[str]:
    """Every subject with a status sg:Withdrawn or sg:Superseded (any evidence, any graph);
    kept with the snapshot and brought up to date from the subjects whose status changed."""
    def retired(objs: Any) -> bool:
        return any(r in objs for r in RETIRED)

    def compute() -> frozenset[str]:
        return frozenset(y for y, objs in snap.table(store, SG + "status").items()
                         if retired(objs))

    def update(old: frozenset[str], dirty: Dirty) -> frozenset[str]:
        changed = dirty.subjects.get(SG + "status", set())
        if not changed:
            return old
        status = snap.table(store, SG + "status")
        now = {y for y in changed if retired(status.get(y, ()))}
        return (old - changed) | now
    found: frozenset[str] = snap.memoised("retired", compute, update)
    return found


def _superseders(store: Store, snap: Snapshot) -> dict[str, set[str]]:
    """standard -> what supersedes it by an sg:supersedes triple (any evidence)."""
    def compute() -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for z, objs in snap.table(store, SG + "supersedes").items():
            for y in objs:
                if not isinstance(y, ox.Literal):
                    out[text(y)].add(z)
        return dict(out)
    return snap.memoised("superseders", compute)


# -- supersession cycles -----------------------------------------------------------------------

def _strongly_connected(nodes: list[str], succ: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components in a deterministic order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = itertools.count()
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(succ.get(root, ()))))]
        index[root] = low[root] = next(counter)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = next(counter)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(succ.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return comps


def _cycles(store: Store, reader: LinkReader) -> list[Found]:
    counted = reader.either(SG + "supersedes", SG + "supersededBy", STANDARD, STANDARD)
    succ: dict[str, set[str]] = defaultdict(set)
    edges: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)
    for a, p, b, g in _quads(store, reader.snapshot, Q_SUPERSEDES,
                             (SG + "supersedes", SG + "supersededBy")):
        x, y = (a, b) if p == SG + "supersedes" else (b, a)
        if y not in counted.get(x, ()):
            continue
        succ[x].add(y)
        edges[(x, y)].append((a, p, b, g))
    nodes = sorted(set(succ) | {y for ys in succ.values() for y in ys})
    out = []
    for comp in _strongly_connected(nodes, succ):
        if len(comp) == 1 and comp[0] not in succ.get(comp[0], ()):
            continue
        members = set(comp)
        triples = sorted({t for (x, y), ts in edges.items()
                          if x in members and y in members for t in ts})
        out.append(Found("supersession-cycle", comp, {"standards": comp, "triples": triples},
                          tuple(comp)))
    return out


def _quads(store: Store, snap: Snapshot | None, sparql: str, props: tuple[str, ...]
           ) -> list[tuple[str, str, str, str]]:
    """(a, property, b, named graph) of ``props``: the query's rows (``?a ?p ?b ?g``, or
    ``?a ?b ?g`` of the one property), or from the snapshot's tables."""
    if snap is None:
        out = []
        for row in store.query(sparql).rows:
            a, p, b, g = row if len(row) == 4 else (row[0], props[0], row[1], row[2])
            out.append((str(a), str(p), str(b), str(g)))
        return out
    return [(a, p, text(b), g) for p in props for a, objs in snap.table(store, p).items()
            for b, graphs in objs.items() for g in graphs if g is not None]


# -- declared ----------------------------------------------------------------------------------

def _declared(store: Store, reader: LinkReader) -> list[Found]:
    stated = reader.links(SG + "conflictsWith")
    counted = {frozenset((a, b)) for a, bs in stated.items() for b in bs}
    pairs: dict[tuple[str, str], set[tuple[str, str, str, str]]] = defaultdict(set)
    for a, _p, b, g in _quads(store, reader.snapshot, Q_DECLARED, (SG + "conflictsWith",)):
        if a == b or frozenset((a, b)) not in counted:
            continue
        pairs[(min(a, b), max(a, b))].add((a, SG + "conflictsWith", b, g))
    return [Found("declared", [a, b], {"triples": sorted(ts)}, (a, b))
            for (a, b), ts in sorted(pairs.items())]


# -- the analysis ------------------------------------------------------------------------------

def conflicts(store: Store, raw: RawParams | None = None, *, ignore=("format",)
              ) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    limit = params["limit"]
    if not limit:
        return conflicts_stream(store, raw, ignore=ignore).document()
    kinds, _evidence, reader, found = _kept(store, params)
    selection = Selection.of(params)
    found, picked = selected(reader, found, selection)
    found = published(reader, found, params["body"])
    snap = reader.snapshot
    lab = Labels.of(store, snap)
    items = _rendered(store, snap, found[: limit + 1], lab, keep=True)
    truncated = bool(limit) and len(items) > limit
    if truncated:
        items = items[:limit]
    return AnalysisDocument("conflicts", json_params(params), items, truncated,
                            {"coverage": _coverage(reader, kinds, selection, picked, lab)})


def published(reader: LinkReader, found: list[Found], bodies: list[str] | None) -> list[Found]:
    """The conflicts of ``found`` that involve a standard one of ``bodies`` publishes
    (``sg:publisher`` at the reader's evidence level); all of them when none is given."""
    if not bodies:
        return found
    wanted = set(bodies)
    pubs = reader.links(SG + "publisher")
    return [f for f in found if any(pubs.get(x, set()) & wanted for x in f.subjects)]


def own_standards(f: Found) -> list[str]:
    """The standards a conflict is about, those a status filter asks: the standard of a
    classification mismatch (its first subject; the others are elements), the referrer of a
    reference (the standard referred to is superseded or withdrawn: that is the conflict),
    every subject of a supersession circle or a declared conflict."""
    if f.kind in ("classification-mismatch", "superseded-reference", "withdrawn-reference"):
        return f.subjects[:1]
    return list(f.subjects)


def selected(reader: LinkReader, found: list[Found], selection: Selection
             ) -> tuple[list[Found], frozenset[str] | None]:
    """The conflicts of ``found`` whose own standards (:func:`own_standards`) are all among
    those ``selection`` picks (at the reader's evidence level; a roadmap item is not a
    standard), and the standards picked; all of them, and None, when it is empty."""
    if not selection:
        return found, None
    keep = selection.standards(reader)
    # (kept among the last few filters asked for, for the list ``found`` is)
    kept = reader.recent(("conflicts-selected", id(found), selection), lambda: (found, [
        f for f in found if all(x in keep for x in own_standards(f))]))
    return (kept[1] if kept[0] is found else
            [f for f in found if all(x in keep for x in own_standards(f))]), keep


def _kept(store: Store, params: dict) -> tuple[set[str], Evidence, LinkReader, list[Found]]:
    """What an answer of the conflicts starts from, for its parsed ``params`` (whose kinds it
    puts in their canonical order, without repeats): the kinds, the evidence, a reader (with
    the store's snapshot where it has one) and the conflicts in order, kept with the reader's
    snapshot."""
    kinds = set(params["kinds"])
    params["kinds"] = [k for k in KINDS if k in kinds]
    evidence = Evidence.of(params)
    snap = snapshot(store) if store.kind in FAST_KINDS else None
    reader = LinkReader(store, evidence, snapshot=snap)
    found = reader.memoised(("conflicts", frozenset(kinds)),
                            lambda: _found(store, kinds, reader),
                            lambda old, dirty: _found(store, kinds, reader, old, dirty))
    return kinds, evidence, reader, found


def _rendered(store: Store, snap: Snapshot | None, found: list[Found], lab: Labels,
              keep: bool = False) -> list[dict]:
    """The items of ``found``, their labels read at once; ``keep``: those made kept with the
    snapshot and carried over to the next version (``_kept_items``), so that an answer after
    a write renders only the conflicts that are new or whose labels or graphs changed."""
    kept = _kept_items(snap) if keep and snap is not None else None
    todo = found if kept is None else [f for f in found if f not in kept]
    lab.fetch(x for f in todo for x in f.subjects)
    cg = classification_graphs(store, sorted({f.subjects[0] for f in todo
                                              if f.kind == "classification-mismatch"}), snap)
    if kept is None:
        return [render_found(f, lab, cg) for f in todo]
    for f in todo:
        kept[f] = render_found(f, lab, cg)
    return [kept[f] for f in found]


#: rendered conflicts kept with a snapshot (``_kept_items``), at most
KEPT_ITEMS = 20_000


class _Items(dict):
    """Rendered conflicts by their ``Found`` (the same object while a conflict stays as it
    was), with the graph labels they were rendered with (``Snapshot.graph_labels``)."""

    graph_labels: Any = None


def _kept_items(snap: Snapshot) -> _Items:
    """The rendered conflicts kept with ``snap``: an earlier version's, less those whose
    labels (of any IRI in the conflict), classification graphs (a mismatch's standard's
    ``sg:classifiedIn``) or graph labels (the meta graph) a write since changed."""
    def compute() -> _Items:
        out = _Items()
        out.graph_labels = snap.graph_labels
        return out

    def update(old: _Items, dirty: Dirty) -> _Items | None:
        if dirty.everything or old.graph_labels is not snap.graph_labels \
                or old.graph_labels is None or len(old) > KEPT_ITEMS:
            return None
        labelled = dirty.touched(LABEL_PROPS)
        classified = dirty.subjects.get(SG + "classifiedIn", set())
        out = _Items((f, item) for f, item in old.items()
                     if not (labelled and _iris(f) & labelled)
                     and not (f.kind == "classification-mismatch"
                              and f.subjects[0] in classified))
        out.graph_labels = old.graph_labels
        return out

    found: _Items = snap.memoised("conflicts-rendered", compute, update)
    if found.graph_labels is None:
        found.graph_labels = snap.graph_labels
    return found


def _iris(f: Found) -> set[str]:
    """Every text in a conflict (its subjects and evidence, nested): a superset of the IRIs
    its item labels."""
    out = set(f.subjects)
    stack: list[Any] = [f.evidence]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            out.add(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list | tuple | set | frozenset):
            stack.extend(x)
    return out


#: conflicts rendered at a time when every one is streamed
STREAM_BATCH = 2000


def conflicts_stream(store: Store, raw: RawParams | None = None, *, ignore=("format",)
                     ) -> AnalysisStream:
    """``conflicts`` with its items made as they are written out: with ``limit=0`` every
    conflict, rendered a batch at a time."""
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    if params["limit"]:
        return AnalysisStream.of(conflicts(store, raw, ignore=ignore))
    kinds, _evidence, reader, found = _kept(store, params)
    selection = Selection.of(params)
    found, picked = selected(reader, found, selection)
    found = published(reader, found, params["body"])
    snap = reader.snapshot
    lab = Labels.of(store, snap)

    def items() -> Iterator[dict]:
        for start in range(0, len(found), STREAM_BATCH):
            yield from _rendered(store, snap, found[start:start + STREAM_BATCH], lab)

    return AnalysisStream("conflicts", json_params(params), items(), len(found), False,
                          {"coverage": _coverage(reader, kinds, selection, picked, lab)})


class SubjectConflicts:
    """The items of the conflicts answer with every conflict (``limit=0``) whose subjects
    include ``iri``, in its order, found from the kept conflicts through an index subject ->
    their positions, kept with them (built once per store version, at the cost of one pass
    over the conflicts); ``items(start, stop)`` renders a slice of them only. ``raw``: the
    conflicts parameters."""

    def __init__(self, store: Store, iri: str, raw: RawParams | None = None, *,
                 ignore=("format", "limit")) -> None:
        params = parse_params(PARAMS, raw or {}, ignore=ignore)
        kinds, _evidence, reader, found = _kept(store, params)
        at = reader.memoised(("conflicts-by-subject", frozenset(kinds)),
                             lambda: _by_subject(found),
                             lambda old, _dirty: _by_subject_update(old, found))
        self.store, self.snapshot = store, reader.snapshot
        self.found = list(at.get(iri, ()))

    def __len__(self) -> int:
        return len(self.found)

    def items(self, start: int = 0, stop: int | None = None) -> list[dict]:
        return _rendered(self.store, self.snapshot, self.found[start:stop],
                         Labels.of(self.store, self.snapshot))


class _BySubject(Layered[str, tuple[Found, ...]]):
    """subject -> the conflicts naming it, in order, with the conflicts it indexes."""

    found: list[Found]

    @classmethod
    def of(cls, table: Layered[str, tuple[Found, ...]], found: list[Found]) -> _BySubject:
        at = cls.like(table)
        at.found = found
        return at


def _by_subject(found: list[Found]) -> _BySubject:
    """subject -> the conflicts of ``found`` naming it, in its order."""
    at: dict[str, list[Found]] = defaultdict(list)
    for f in found:
        for s in dict.fromkeys(f.subjects):
            at[s].append(f)
    return _BySubject.of(layered({s: tuple(fs) for s, fs in at.items()}), found)


def _by_subject_update(old: _BySubject, found: list[Found]) -> _BySubject | None:
    """``old`` (the index of an earlier version's conflicts) for ``found``, when these were
    brought up to date from those: only the subjects of the conflicts taken out or put in
    change."""
    if not isinstance(old, _BySubject) or not isinstance(found, _Found):
        return None
    if found.previous is not old.found:
        return None
    gone = {f.key for f in found.removed}
    came: dict[str, list[Found]] = defaultdict(list)
    for f in found.added:
        for s in dict.fromkeys(f.subjects):
            came[s].append(f)
    at = old.edit()
    for s in {s for f in found.removed for s in f.subjects} | came.keys():
        items = [f for f in at.get(s, ()) if f.key not in gone]
        for f in came.get(s, ()):
            bisect.insort(items, f, key=_KEY)
        if items:
            at[s] = tuple(items)
        elif s in at:
            at.pop(s)
    return _BySubject.of(at.done(), found)


def standard_conflicts(store: Store, iri: str, raw: RawParams | None = None, *,
                       ignore=("format", "limit")) -> list[dict]:
    """The items of the conflicts answer with every conflict (``limit=0``) whose subjects
    include standard ``iri``, in its order: what a standard's page shows, found from the kept
    conflicts (:class:`SubjectConflicts`). ``raw``: the conflicts parameters. (For an element
    it gives the conflicts naming it.)"""
    return SubjectConflicts(store, iri, raw, ignore=ignore).items()


class _Found(list[Found]):
    """The conflicts in order, with each part as found (``parts``: the mismatch table, the
    other parts' lists), for bringing them up to date part by part; one brought up to date
    names the conflicts it came from (``previous``) and what it took out of them and put in
    (``removed``, ``added``), for what is derived from it (the index by subject)."""

    def __init__(self, items: Iterable[Found], parts: dict[str, Any],
                 previous: _Found | None = None, removed: Sequence[Found] = (),
                 added: Sequence[Found] = ()) -> None:
        super().__init__(items)
        self.parts = parts
        self.previous, self.removed, self.added = previous, removed, added


#: what each part of the conflicts reads besides the records about it (a changed record
#: names its link's property in ``Dirty.subjects``) and the evidence defaults
#: (``Dirty.everything``); a property read for its sub-properties too names rdfs:subPropertyOf
_PART_READS = {
    "mismatches": frozenset({SG + "classifiedIn", SG + "partOf", SG + "hasPart",
                             typed(STANDARD), *FRAMEWORK_READS}),
    "references": frozenset({SG + "references", SG + "normativelyReferences", SG + "basedOn",
                             "http://www.w3.org/2000/01/rdf-schema#subPropertyOf", SG + "status",
                             SG + "supersedes", SG + "supersededBy", typed(STANDARD),
                             typed(ROADMAP_ITEM)}),
    "cycles": frozenset({SG + "supersedes", SG + "supersededBy", typed(STANDARD)}),
    "declared": frozenset({SG + "conflictsWith", typed(STANDARD)}),
}
#: more conflicts added than this are sorted in with the others rather than one by one
_INSERT_MAX = 2000
_KEY = attrgetter("key")


def _items(name: str, part: Any) -> Iterable[Found]:
    return (f for fs in part.values() for f in fs) if name == "mismatches" else part


def _same(f: Found, g: Found) -> bool:
    return f is g or (f.kind == g.kind and f.subjects == g.subjects
                      and f.evidence == g.evidence)


def _found(store: Store, kinds: set[str], reader: LinkReader, old: _Found | None = None,
           dirty: Dirty | None = None) -> _Found:
    """The conflicts in order (without labels); with ``old`` (those of an earlier version)
    and ``dirty`` (what the writes since touched), the parts whose reads no write touched
    are taken over, and the conflicts that changed are taken out of ``old``'s list and put
    in."""
    makers = {"mismatches": lambda: _mismatches(store, reader),
              "references": lambda: _references(store, kinds, reader),
              "cycles": lambda: _cycles(store, reader),
              "declared": lambda: _declared(store, reader)}
    wanted = {"mismatches": "classification-mismatch" in kinds,
              "references": bool(kinds & {"superseded-reference", "withdrawn-reference"}),
              "cycles": "supersession-cycle" in kinds, "declared": "declared" in kinds}
    parts: dict[str, Any] = {}
    for name, make in makers.items():
        if not wanted[name]:
            continue
        if (old is not None and dirty is not None and not dirty.everything
                and name in old.parts
                and not (dirty.reads | dirty.subjects.keys()) & _PART_READS[name]):
            parts[name] = old.parts[name]
        else:
            parts[name] = make()
    if old is None or old.parts.keys() != parts.keys():
        return _Found(sorted((f for name, part in parts.items() for f in _items(name, part)),
                             key=_KEY), parts)
    removed: list[Found] = []
    added: list[Found] = []
    for name, part in parts.items():
        before = old.parts[name]
        if part is before:
            continue
        if name == "mismatches" and part.previous is before:
            for s in part.recomputed:
                removed += before.get(s, ())
                added += part.get(s, ())
        else:
            removed += _items(name, before)
            added += _items(name, part)
    # what was found again as it was stays
    again = {f.key: f for f in removed}
    same = {f.key for f in added if f.key in again and _same(again[f.key], f)}
    removed = [f for f in removed if f.key not in same]
    added = [f for f in added if f.key not in same]
    if not removed and not added:
        return _Found(old, parts, old)
    # (by key: a conflict found again as it was stays the object first found, not the part's)
    gone = {f.key for f in removed}
    items = [f for f in old if f.key not in gone]
    if len(added) > _INSERT_MAX:
        items += added
        items.sort(key=_KEY)
    else:
        for f in added:
            bisect.insort(items, f, key=_KEY)
    return _Found(items, parts, old, removed, added)


def _coverage(reader: LinkReader, kinds: set[str], selection: Selection = Selection(),
              picked: frozenset[str] | None = None, lab: Labels | None = None) -> list[dict]:
    """The coverage of the links the kinds asked for rest on, over every standard; and how
    many standards the filters pick (``picked``, of ``selection``), when they pick some."""
    scope = reader.instances()
    out = []
    if "classification-mismatch" in kinds:
        out.append(reader.coverage(SG + "classifiedIn", reader.classified(), scope))
        out.append(reader.mapping_coverage())
    if kinds & {"superseded-reference", "withdrawn-reference"}:
        props = [SG + "references", SG + "normativelyReferences", SG + "basedOn"]
        referrers = reader.memoised("referrers", lambda: {
            x for x, _p, _y in reference_links(reader, props)})
        out.append(reader.coverage(SG + "references", referrers, scope))
    if "supersession-cycle" in kinds:
        sup = reader.either(SG + "supersedes", SG + "supersededBy", STANDARD, STANDARD)
        out.append(reader.coverage(SG + "supersedes",
                                   set(sup) | {y for ys in sup.values() for y in ys}, scope))
    if "declared" in kinds:
        out.append(reader.coverage(SG + "conflictsWith", reader.links(SG + "conflictsWith"),
                                   scope))
    if kinds & {"superseded-reference", "withdrawn-reference"}:
        out.append(reader.status_coverage(scope))
    if picked is not None:
        out.append(selection.coverage(reader, picked, lab or Labels(reader.store)))
    return out


def render_found(f: Found, lab: Labels, cg: Mapping[tuple[str, str], AbstractSet[str]]
                 ) -> dict:
    """``f`` as an item, its IRIs labelled; ``cg``: (standard, element) -> the graphs
    classifying it there (``overlaps.classification_graphs``), for a mismatch's triples."""
    ev = f.evidence
    if f.kind == "classification-mismatch":
        s, e1 = ev["standard"], ev["element"]
        lab.fetch([ev["framework"], ev["other_framework"], *ev["mapped"]])
        mine = [e1, *ev["classified_in_other"]]
        cls_triples = [_triple(lab, s, SG + "classifiedIn", e, cg.get((s, e), ()))
                       for e in mine]
        maps = defaultdict(set)
        for a, p, b, g in ev["mappings"]:
            maps[(a, p, b)].add(g)
        graphs = {g for e in mine for g in cg.get((s, e), ())}
        graphs |= {g for gs in maps.values() for g in gs}
        message = (f"{lab(s)} is classified in {lab(e1)} ({lab(ev['framework'])}) and in "
                   f"{lab(ev['other_framework'])} ({', '.join(lab(e) for e in ev['classified_in_other'])}), "  # noqa: E501
                   f"but not in what {lab(ev['other_framework'])} maps {lab(e1)} to: "
                   f"{', '.join(lab(e) for e in ev['mapped'])}")
        evidence = {
            "element": lab.ref(e1), "framework": lab.ref(ev["framework"]),
            "other_framework": lab.ref(ev["other_framework"]),
            "mapped": lab.refs(ev["mapped"]),
            "classified_in_other": lab.refs(ev["classified_in_other"]),
            "triples": cls_triples + [_triple(lab, a, p, b, gs)
                                      for (a, p, b), gs in sorted(maps.items())],
            "graphs": lab.graph_refs(graphs),
        }
    elif f.kind in {"superseded-reference", "withdrawn-reference"}:
        x, y = ev["referrer"], ev["referenced"]
        lab.fetch(ev["successors"])
        what = "superseded" if f.kind == "superseded-reference" else "withdrawn"
        who = lab(x)
        if ev["referrer_status"]:
            who += f" ({lab(ev['referrer_status']).lower()})"
        message = f"{who} references {lab(y)}, which is {what}"
        if ev["successors"]:
            message += " by " + ", ".join(lab(z) for z in ev["successors"])
        triples = [_triple(lab, s, p, o, gs) for s, p, o, gs in ev["triples"]]
        triples.append(_triple(lab, y, SG + "status", ev["status"], ev["status_graphs"]))
        graphs = {g for _s, _p, _o, gs in ev["triples"] for g in gs} | set(ev["status_graphs"])
        evidence = {"status": lab.ref(ev["status"]),
                    "successors": lab.refs(ev["successors"]),
                    "triples": triples, "graphs": lab.graph_refs(graphs)}
    elif f.kind == "supersession-cycle":
        names = [lab(s) for s in ev["standards"]]
        message = ("supersession cycle: " + ", ".join(names[:-1]) +
                   (" and " if len(names) > 1 else "") + names[-1] +
                   (" supersede each other" if len(names) > 1 else " supersedes itself"))
        evidence = {"triples": [_triple(lab, a, p, b, [g]) for a, p, b, g in ev["triples"]],
                    "graphs": lab.graph_refs(g for *_x, g in ev["triples"])}
    else:  # declared
        a, b = f.subjects
        message = f"{lab(a)} and {lab(b)} are declared to conflict"
        evidence = {"triples": [_triple(lab, x, p, y, [g]) for x, p, y, g in ev["triples"]],
                    "graphs": lab.graph_refs(g for *_x, g in ev["triples"])}
    return {"kind": f.kind, "subjects": lab.refs(f.subjects), "severity": SEVERITY[f.kind],
            "message": message, "evidence": evidence}


CSV_COLUMNS = [
    ("kind", lambda i: i["kind"]), ("severity", lambda i: i["severity"]),
    ("subjects", lambda i: iris(i["subjects"])),
    ("subject_labels", lambda i: labels(i["subjects"])),
    ("message", lambda i: i["message"]),
    ("graphs", lambda i: iris(i["evidence"].get("graphs", []))),
    ("evidence", lambda i: i["evidence"]),
]
TABLE_COLUMNS = [
    ("severity", lambda i: i["severity"]), ("kind", lambda i: i["kind"]),
    ("message", lambda i: i["message"]),
]

REPORT_COLUMNS = [
    ("severity", lambda i: i["severity"]), ("kind", lambda i: i["kind"]),
    ("subjects", lambda i: i["subjects"]), ("message", lambda i: i["message"]),
]

ANALYSES = (
    Analysis(
        "conflicts", "Where standards or frameworks contradict each other",
        description="Each item is one contradiction, with its kind, a severity (error, warning "
                    "or info), the standards and elements involved, a sentence saying what is "
                    "wrong, and the triples behind it: two frameworks that place a standard in "
                    "places their mapping says do not correspond; a current standard or "
                    "roadmap item that references a superseded or withdrawn standard; "
                    "standards that supersede each other in a circle; two standards declared "
                    "to conflict. Two unrelated standards that cover the same elements are "
                    "an overlap, not a conflict: see the overlaps report. There is no score; "
                    "errors come first.",
        path="/analysis/conflicts", function=conflicts, params=PARAMS, csv_columns=CSV_COLUMNS,
        table_columns=TABLE_COLUMNS, report_columns=REPORT_COLUMNS,
        docs="docs/analyses.md#conflicts", streamer=conflicts_stream,
        order="errors first, then by kind (in the order of 'Kinds of conflict'), then by the "
              "IRIs of the standards and elements involved",
        definitions=(
            ("Item", "One contradiction found in the graph, of one kind (below), with the "
                     "standards and elements involved, a sentence saying what is wrong and "
                     "the statements behind it."),
            ("Score", "None. Each item has a severity instead: error (the graph contradicts "
                      "itself: standards that supersede each other in a circle) or warning (a "
                      "source or a mapping disagrees with another); errors come first."),
            ("Kinds", "Classification mismatch: two frameworks place a standard in elements "
                      "their mapping says do not correspond. Reference to a superseded or "
                      "withdrawn standard: a current standard or roadmap item cites it. "
                      "Supersession in a circle: standards that supersede each other. "
                      "Declared conflict: a source says two standards conflict."),
            ("Not a conflict", "Two unrelated standards from different publishers classified "
                               "in the same elements: that is an overlap (the overlaps "
                               "report, related: no), not a contradiction, so it is not "
                               "listed here."),
        )),
)

__all__ = ["conflicts", "conflicts_stream", "standard_conflicts", "SubjectConflicts", "PARAMS",
           "KINDS", "SEVERITY",
           "ANALYSES", "Found", "Mappings", "mismatches_of",
           "reference_found", "reference_hits", "render_found"]
