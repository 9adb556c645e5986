# The analyses as they were before issue 20 (main at 97eed66), kept as the test oracle:
# every link through links.rq, everything recomputed per call. Do not change, but for
# what the definitions change (issue 17: relations and architecture mappings count at the
# evidence level, and their coverage is stated).
# ruff: noqa
# fmt: off
"""Conflicts: where standards, or the frameworks classifying them, contradict each other.

Kinds (docs/analyses.md holds the same text):

- ``classification-mismatch`` (warning): standard S is classified in element e1 of framework F1
  (``skos:inScheme``, a ``sg:ReferenceArchitecture``: a scheme of unresolved elements is no
  framework) and in at least one element of another framework F2; the elements of F2 mapped to
  e1 by any SKOS mapping (``skos:exactMatch``, ``closeMatch``, ``broadMatch``, ``narrowMatch``,
  ``relatedMatch``, ``mappingRelation``; either direction) form a non-empty set A; S is
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

Links (classifications, references, supersession, declared conflicts, statuses) count at the
evidence level (``evidence``, ``min_score``: stdgraph.analysis.evidence); the mappings of the
classification mismatch are read as they are. Every IRI in ``subjects`` and ``evidence`` comes
with its label, and the evidence names the named
graphs (source files, or the inferred graph) holding the triples that produced the item.
Items are sorted by severity (error, warning, info), then kind in the order above, then
subjects' IRIs.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from stdgraph.analysis.common import (
    PROLOGUE,
    AnalysisDocument,
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
from support.analysis_oracle.evidence import (
    RETIRED,
    ROADMAP_ITEM,
    STANDARD,
    Evidence,
    LinkReader,
    evidence_params,
    picked,
    picked_entry,
    selection_params,
)
from support.analysis_oracle.overlaps import classification_graphs
from stdgraph.store.base import Store

KINDS = ("classification-mismatch", "superseded-reference", "withdrawn-reference",
         "supersession-cycle", "declared")
SEVERITY = {"supersession-cycle": "error", "classification-mismatch": "warning",
            "superseded-reference": "warning", "withdrawn-reference": "warning",
            "declared": "warning"}
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

PARAMS = [
    Parameter("kinds", "string", default=",".join(KINDS), allowed=KINDS, multiple=True,
              label="Kinds of conflict", description="Which conflicts to list (comma-separated)."),
    *evidence_params(),
    # issue 19: the publisher filter (conflicts involving a standard of one of these bodies)
    Parameter("body", "iri", multiple=True, label="Published by", pick="body"),
    # issue 19: conflicts whose own standards all have one of these statuses
    Parameter("status", "iri", multiple=True, label="Status", pick="status"),
    *selection_params(),
    limit_param(),
]

SG = "https://w3id.org/stdgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

# frameworks only: a scheme of unresolved elements (sg:UnresolvedElementScheme) is none
Q_SCHEMES = PROLOGUE + """SELECT DISTINCT ?e ?f WHERE {
  ?e skos:inScheme ?f . ?f a sg:ReferenceArchitecture
}"""
Q_MAPPINGS = PROLOGUE + """SELECT DISTINCT ?a ?p ?b ?g WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch
              skos:relatedMatch skos:mappingRelation }
  GRAPH ?g { ?a ?p ?b }
}"""
Q_REFERENCE_PROPS = PROLOGUE + "SELECT DISTINCT ?p WHERE { ?p rdfs:subPropertyOf+ sg:references }"
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


class _Found:
    """Items before labels: kind, subjects, message parts, evidence (IRIs), sort key."""

    def __init__(self, kind: str, subjects: list[str], evidence: dict, key: tuple) -> None:
        self.kind = kind
        self.subjects = subjects
        self.evidence = evidence
        self.key = (_SEVERITY_ORDER[SEVERITY[kind]], KINDS.index(kind), *key)


def _triple(lab: Labels, s: str, p: str, o: str, graphs) -> dict:
    return {"subject": lab.ref(s), "predicate": lab.ref(p), "object": lab.ref(o),
            "graphs": lab.graph_refs(graphs)}


# -- classification mismatch -------------------------------------------------------------------

def _mismatches(store: Store, reader: LinkReader) -> list[_Found]:
    classified = reader.classified()
    schemes: dict[str, set[str]] = defaultdict(set)
    for e, f in store.query(Q_SCHEMES).rows:
        schemes[str(e)].add(str(f))
    linked: dict[str, set[str]] = defaultdict(set)
    mapping_graphs: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)
    rows = [(str(a), str(p), str(b), str(g)) for a, p, b, g in store.query(Q_MAPPINGS).rows]
    for a, p, b, g in reader.counted(rows, SG + "ArchitectureElement"):
        if a == b:
            continue
        linked[a].add(b)
        linked[b].add(a)
        for key in ((a, b), (b, a)):
            mapping_graphs[key].append((a, p, b, g))
    same = same_elements(store)
    out: list[_Found] = []
    for s in sorted(classified):
        elems = classified[s]
        # classified in an element = in each element declared the same as it
        covered = elems | {y for e in elems for y in same.get(e, ())}
        by_framework: dict[str, set[str]] = defaultdict(set)
        for e in elems:
            for f in schemes.get(e, ()):
                by_framework[f].add(e)
        if len(by_framework) < 2:
            continue
        for e1 in sorted(elems):
            for f1 in sorted(schemes.get(e1, ())):
                for f2 in sorted(by_framework):
                    if f2 == f1 or f2 in schemes.get(e1, ()):
                        continue
                    mapped = {e2 for e2 in linked.get(e1, ()) if f2 in schemes.get(e2, ())}
                    if not mapped or mapped & covered:
                        continue
                    others = sorted(by_framework[f2])
                    maps = sorted({m for e2 in mapped for m in mapping_graphs[(e1, e2)]})
                    out.append(_Found("classification-mismatch", [s, e1, *others], {
                        "standard": s, "element": e1, "framework": f1,
                        "other_framework": f2, "mapped": sorted(mapped),
                        "classified_in_other": others, "mappings": maps,
                    }, (s, e1, f2)))
    return out


# -- references to superseded / withdrawn standards --------------------------------------------

def reference_links(reader: LinkReader, props: Iterable[str]) -> set[tuple[str, str, str]]:
    """(referrer, property, referenced) of every reference link at the reader's level, from
    standards and roadmap items."""
    return {(x, p, y) for p in props for cls in (STANDARD, ROADMAP_ITEM)
            for x, ys in reader.links(p, cls).items() for y in ys}


def _references(store: Store, kinds: set[str], reader: LinkReader) -> list[_Found]:
    props = {SG + "references", SG + "normativelyReferences", SG + "basedOn"}
    props |= {str(p) for (p,) in store.query(Q_REFERENCE_PROPS).rows}
    q = Q_REFERENCES.format(props=values_block("p", sorted(props)))
    counted = reference_links(reader, props)
    statuses = reader.statuses()
    items = reader.instances(ROADMAP_ITEM)
    rows: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for x, p, y, g in store.query(q).rows:
        if str(x) != str(y):
            rows[(str(x), str(y))].append((str(p), str(g)))
    hits: dict[tuple[str, str], dict] = {}
    for (x, y), triples in rows.items():
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
    if not hits:
        return []
    ys = sorted({y for _x, y in hits})
    status_graphs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for y, status, g in store.query(Q_STATUS_GRAPHS.format(ys=values_block("y", ys))).rows:
        status_graphs[str(y)][str(status)].add(str(g))
    successors: dict[str, set[str]] = defaultdict(set)
    for y, z in store.query(Q_SUCCESSORS.format(ys=values_block("y", ys))).rows:
        successors[str(y)].add(str(z))
    out = []
    for (x, y), h in sorted(hits.items()):
        status = SG + ("Superseded" if h["kind"] == "superseded-reference" else "Withdrawn")
        out.append(_Found(h["kind"], [x, y], {
            "referrer": x, "referrer_status": h["referrer_status"], "referenced": y,
            "status": status, "successors": sorted(successors.get(y, ())),
            "triples": sorted((s, p, o, tuple(sorted(gs))) for (s, p, o), gs in
                              h["triples"].items()),
            "status_graphs": sorted(status_graphs[y].get(status, ())),
        }, (x, y)))
    return out


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


def _cycles(store: Store, reader: LinkReader) -> list[_Found]:
    counted = reader.either(SG + "supersedes", SG + "supersededBy", STANDARD, STANDARD)
    succ: dict[str, set[str]] = defaultdict(set)
    edges: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)
    for a, p, b, g in store.query(Q_SUPERSEDES).rows:
        a, p, b, g = str(a), str(p), str(b), str(g)
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
        out.append(_Found("supersession-cycle", comp, {"standards": comp, "triples": triples},
                          tuple(comp)))
    return out


# -- declared ----------------------------------------------------------------------------------

def _declared(store: Store, reader: LinkReader) -> list[_Found]:
    stated = reader.links(SG + "conflictsWith")
    counted = {frozenset((a, b)) for a, bs in stated.items() for b in bs}
    pairs: dict[tuple[str, str], set[tuple[str, str, str, str]]] = defaultdict(set)
    for a, b, g in store.query(Q_DECLARED).rows:
        a, b, g = str(a), str(b), str(g)
        if a == b or frozenset((a, b)) not in counted:
            continue
        pairs[(min(a, b), max(a, b))].add((a, SG + "conflictsWith", b, g))
    return [_Found("declared", [a, b], {"triples": sorted(ts)}, (a, b))
            for (a, b), ts in sorted(pairs.items())]


# -- the analysis ------------------------------------------------------------------------------

def conflicts(store: Store, raw: RawParams | None = None, *, ignore=("format",)
              ) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    kinds = set(params["kinds"])
    params["kinds"] = [k for k in KINDS if k in kinds]  # canonical order, no repeats
    limit = params["limit"]
    evidence = Evidence.of(params)
    reader = LinkReader(store, evidence)
    found: list[_Found] = []
    if "classification-mismatch" in kinds:
        found += _mismatches(store, reader)
    if kinds & {"superseded-reference", "withdrawn-reference"}:
        found += _references(store, kinds, reader)
    if "supersession-cycle" in kinds:
        found += _cycles(store, reader)
    if "declared" in kinds:
        found += _declared(store, reader)
    found.sort(key=lambda f: f.key)
    if params["body"]:  # issue 19: those involving a standard of one of the bodies
        pubs = reader.links(SG + "publisher")
        found = [f for f in found
                 if any(pubs.get(x, set()) & set(params["body"]) for x in f.subjects)]
    keep = picked(reader, params)
    if keep is not None:  # issue 19: those whose own standards the filters all pick

        def own(f: _Found) -> list[str]:  # a mismatch's standard, a reference's referrer
            return f.subjects[:1] if f.kind in ("classification-mismatch",
                                                "superseded-reference",
                                                "withdrawn-reference") else f.subjects

        found = [f for f in found if all(x in keep for x in own(f))]
    lab = Labels(store)
    shown = found[: limit + 1 if limit else None]
    lab.fetch(x for f in shown for x in f.subjects)
    cg = classification_graphs(store, sorted({f.subjects[0] for f in shown
                                              if f.kind == "classification-mismatch"}))
    items = [_render(f, lab, cg) for f in shown]
    truncated = bool(limit) and len(items) > limit
    if truncated:
        items = items[:limit]
    coverage = _coverage(reader, kinds)
    if keep is not None:
        coverage.append(picked_entry(reader, params, keep, lab))
    return AnalysisDocument("conflicts", json_params(params), items, truncated,
                            {"coverage": coverage})


def _coverage(reader: LinkReader, kinds: set[str]) -> list[dict]:
    """The coverage of the links the kinds asked for rest on, over every standard."""
    scope = reader.instances()
    out = []
    if "classification-mismatch" in kinds:
        out.append(reader.coverage(SG + "classifiedIn", reader.classified(), scope))
        out.append(reader.mapping_coverage())
    if kinds & {"superseded-reference", "withdrawn-reference"}:
        props = [SG + "references", SG + "normativelyReferences", SG + "basedOn"]
        out.append(reader.coverage(SG + "references",
                                   {x for x, _p, _y in reference_links(reader, props)}, scope))
    if "supersession-cycle" in kinds:
        sup = reader.either(SG + "supersedes", SG + "supersededBy", STANDARD, STANDARD)
        out.append(reader.coverage(SG + "supersedes",
                                   set(sup) | {y for ys in sup.values() for y in ys}, scope))
    if "declared" in kinds:
        out.append(reader.coverage(SG + "conflictsWith", reader.links(SG + "conflictsWith"),
                                   scope))
    if kinds & {"superseded-reference", "withdrawn-reference"}:
        out.append(reader.status_coverage(scope))
    return out


def _render(f: _Found, lab: Labels, cg: dict[tuple[str, str], set[str]]) -> dict:
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


__all__ = ["conflicts", "PARAMS", "KINDS", "SEVERITY"]
