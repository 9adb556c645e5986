# The analyses as they were before issue 20 (main at 97eed66), kept as the test oracle:
# every link through links.rq, everything recomputed per call. Do not change.
# ruff: noqa
# fmt: off
"""Gaps: what no linked standard covers (definitions in docs/analyses.md).

The standards *counted* are those whose status (at the evidence level) is neither
``sg:Withdrawn`` nor ``sg:Superseded``; a standard with no known status counts, and the
document's coverage says how many of the counted standards have none. Links count at the
evidence level (``evidence``, ``min_score``: stdgraph.analysis.evidence).

- ``barrier`` / ``theme`` / ``technology``: a concept of that class (sg:Barrier, sg:Theme,
  sg:Technology) that no counted standard is linked to (``sg:addressesBarrier``,
  ``sg:supportsTheme``, ``sg:concernsTechnology``), neither the concept itself nor any concept
  narrower than it (``skos:broader``, transitively).
- ``architecture-element``: an element of an architecture scheme (``skos:inScheme``; not a
  scheme of unresolved elements, ``sg:UnresolvedElementScheme``, which is no architecture) in
  which no counted standard is classified (its own ``sg:classifiedIn`` links, or a part's for a
  series), neither in it nor in any element below it (``skos:broader``, transitively) - so an
  axis counts as covered when one of its elements is. Elements declared the same
  (``sg:sameElementAs``: one element that two architectures contain) are one element: a
  standard classified in one is classified in all, the element is covered when one of them is,
  and an element no standard covers is listed once (in the smallest scheme, or in ``scheme``
  when given; the reason names the others' architectures).
- ``roadmap-item``: a roadmap item that no counted standard delivers (``sg:delivers``, or
  ``sg:deliveredBy`` read backwards) or serves (``sg:servedBy``, or ``sg:serves`` read
  backwards).
- The coverage matrix of a two-axis grid (``rows`` x ``columns``, RAMI 4.0 layers x hierarchy
  levels by default): the elements of each axis are its direct children (``skos:broader`` the
  axis, ordered by ``sg:order`` then IRI); a counted standard is in cell (r, c) when it is
  classified in both r and c; the document's ``matrix`` key holds the counts and lists the empty
  cells.

Every item says "no linked standard" and carries the coverage of the links it rests on ("8 of
92 standards are linked to any barrier"): an item may be a missing link rather than a missing
standard. Items are sorted by kind (in the order above), then scheme, then subject IRI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from stdgraph.analysis.common import (
    PROLOGUE,
    SG,
    AnalysisDocument,
    Labels,
    Parameter,
    RawParams,
    cap,
    json_params,
    limit_param,
    parse_params,
    ref,
    same_elements,
    values_block,
)
from support.analysis_oracle.evidence import (
    ROADMAP_ITEM,
    STANDARD,
    Evidence,
    LinkReader,
    evidence_params,
    picked,
    picked_words,
    selection_params,
)
from stdgraph.store.base import Store

KINDS = ("barrier", "theme", "technology", "architecture-element", "roadmap-item")

PARAMS = [
    Parameter("kinds", "string", default=",".join(KINDS), allowed=KINDS, multiple=True,
              label="Kinds of gap", description="Which gaps to list (comma-separated)."),
    Parameter("scheme", "iri", required=False, label="Only this architecture",
              description="Only architecture elements of this scheme "
                          "(e.g. sgid:architecture/rami40)."),
    Parameter("rows", "iri", default="sgid:architecture/rami40/axis-layers",
              label="Matrix rows (axis)",
              description="The axis whose elements are the rows of the coverage matrix."),
    Parameter("columns", "iri", default="sgid:architecture/rami40/axis-hierarchy",
              label="Matrix columns (axis)",
              description="The axis whose elements are the columns of the coverage matrix."),
    *evidence_params(),
    # issue 19: only the standards with one of these statuses count (instead of the current)
    Parameter("status", "iri", multiple=True, label="Status", pick="status"),
    *selection_params(),
    # issue 19: only the standards of one of these bodies count
    Parameter("body", "iri", multiple=True, label="Published by", pick="body"),
    limit_param(),
]

#: kind -> (class, link property, what a linked standard does)
_CONCEPTS = {"barrier": ("sg:Barrier", SG + "addressesBarrier", "addresses this barrier"),
             "theme": ("sg:Theme", SG + "supportsTheme", "supports this theme"),
             "technology": ("sg:Technology", SG + "concernsTechnology",
                            "concerns this technology")}
#: the link kinds each kind of gap rests on, in the order of the document's coverage
_RESTS_ON = {"barrier": [SG + "addressesBarrier"], "theme": [SG + "supportsTheme"],
             "technology": [SG + "concernsTechnology"],
             "architecture-element": [SG + "classifiedIn"],
             "roadmap-item": [SG + "delivers", SG + "servedBy"]}

Q_CONCEPTS = PROLOGUE + """SELECT DISTINCT ?x ?scheme WHERE {{
  ?x a {cls} .
  OPTIONAL {{ ?x skos:inScheme ?scheme }}
}}"""
Q_BROADER = PROLOGUE + """SELECT DISTINCT ?narrow ?broad WHERE {
  { ?narrow skos:broader ?broad } UNION { ?broad skos:narrower ?narrow }
}"""
Q_ELEMENTS = PROLOGUE + """SELECT DISTINCT ?e ?scheme WHERE {
  ?e skos:inScheme ?scheme .
  { ?e a sg:ArchitectureElement } UNION { ?scheme a sg:ReferenceArchitecture }
  FILTER NOT EXISTS { ?scheme a sg:UnresolvedElementScheme }
}"""
Q_ROADMAP = PROLOGUE + """SELECT DISTINCT ?r ?timeframe WHERE {
  ?r a sg:RoadmapItem .
  OPTIONAL { ?r sg:timeframeLabel ?timeframe }
}"""
Q_AXIS = PROLOGUE + """SELECT DISTINCT ?e ?order WHERE {{
  {values}
  {{ ?e skos:broader ?axis }} UNION {{ ?axis skos:narrower ?e }}
  OPTIONAL {{ ?e sg:order ?order }}
}}"""


def _below(store: Store) -> Callable[[str], set[str]]:
    """concept -> every concept below it (skos:broader, transitively)."""
    children: dict[str, set[str]] = defaultdict(set)
    for n, b in store.query(Q_BROADER).rows:
        if n != b:
            children[str(b)].add(str(n))
    memo: dict[str, set[str]] = {}

    def below(x: str) -> set[str]:
        if x in memo:
            return memo[x]
        seen: set[str] = set()
        stack = list(children.get(x, ()))
        while stack:
            y = stack.pop()
            if y not in seen:
                seen.add(y)
                stack.extend(children.get(y, ()))
        memo[x] = seen
        return seen

    return below


def _axis_elements(store: Store, axis: str) -> list[str]:
    rows = store.query(Q_AXIS.format(values=values_block("axis", [axis]))).rows

    def key(row):
        e, order = row
        try:
            o = int(order) if order is not None else 10**9
        except (TypeError, ValueError):
            o = 10**9
        return (o, str(e))

    seen: dict[str, tuple] = {}
    for row in rows:
        k = key(row)
        e = str(row[0])
        if e not in seen or k < seen[e]:
            seen[e] = k
    return sorted(seen, key=lambda e: seen[e])


def matrix(store: Store, rows_axis: str, cols_axis: str, lab: Labels,
           classified: dict[str, set[str]] | None = None) -> dict:
    """The coverage matrix; ``classified`` (standard -> elements) is the standards counted,
    by default every standard's classifications at the default evidence level."""
    if classified is None:
        classified = LinkReader(store).classified()
    rows = _axis_elements(store, rows_axis)
    cols = _axis_elements(store, cols_axis)
    counts = {(r, c): 0 for r in rows for c in cols}
    for elems in classified.values():
        for r in rows:
            if r in elems:
                for c in cols:
                    if c in elems:
                        counts[(r, c)] += 1
    lab.fetch([rows_axis, cols_axis, *rows, *cols])
    return {
        "rows": {"axis": lab.ref(rows_axis), "elements": lab.refs(rows)},
        "columns": {"axis": lab.ref(cols_axis), "elements": lab.refs(cols)},
        "counts": [[counts[(r, c)] for c in cols] for r in rows],
        "empty": [{"row": lab.ref(r), "column": lab.ref(c)}
                  for r in rows for c in cols if counts[(r, c)] == 0],
    }


def _users(links: dict[str, set[str]]) -> dict[str, set[str]]:
    """subject -> objects turned round: object -> subjects."""
    out: dict[str, set[str]] = defaultdict(set)
    for s, os in links.items():
        for o in os:
            out[o].add(s)
    return out


def gaps(store: Store, raw: RawParams | None = None, *, ignore=("format",)) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    kinds = set(params["kinds"])
    params["kinds"] = [k for k in KINDS if k in kinds]  # canonical order, no repeats
    reader = LinkReader(store, Evidence.of(params))
    statuses = params["status"] = sorted(set(params["status"]))
    params["element"] = sorted(set(params["element"]))
    params["barrier"] = sorted(set(params["barrier"]))
    params["body"] = sorted(set(params["body"]))
    counted = reader.current()
    others_do = "only withdrawn or superseded standards do"
    keep = picked(reader, params, bodies=True)
    if keep is not None:  # issue 19: of the current standards (of any status chosen), those
        # the filters pick
        counted = keep if statuses else keep & counted
        others_do = ("only standards the filters leave out do"
                     if params["element"] or params["barrier"] or params["body"]
                     else "only standards without one of the statuses chosen do")
    retired = reader.instances() - counted
    lab = Labels(store)
    below = _below(store)
    found: list[tuple[int, str, str, str | None, str]] = []  # kind#, scheme, subject, ...
    with_link: dict[str, set[str]] = {}  # link property -> standards with one

    for kind in KINDS[:3]:
        if kind not in kinds:
            continue
        cls, prop, verb = _CONCEPTS[kind]
        schemes: dict[str, list[str]] = defaultdict(list)
        for x, scheme in store.query(Q_CONCEPTS.format(cls=cls)).rows:
            schemes.setdefault(str(x), [])
            if scheme is not None:
                schemes[str(x)].append(str(scheme))
        links = reader.links(prop)
        with_link[prop] = set(links)
        users = _users(links)
        for x in schemes:
            linked = {s for y in {x} | below(x) for s in users.get(y, ())}
            if linked & counted:
                continue
            reason = f"no linked standard {verb}"
            others = sorted(linked & retired)
            if others:
                lab.fetch(others)
                reason += (f" ({others_do}: " +
                           "; ".join(lab(s) for s in others) + ")")
            sch = min(schemes[x]) if schemes[x] else None
            found.append((KINDS.index(kind), sch or "", x, sch, reason))

    classified = reader.classified()
    if "architecture-element" in kinds:
        same = same_elements(store)
        with_link[SG + "classifiedIn"] = set(classified)
        covered = {e for s in counted for e in classified.get(s, ())}
        covered |= {y for x in covered for y in same.get(x, ())}
        elem_schemes: dict[str, set[str]] = defaultdict(set)
        for e, scheme in store.query(Q_ELEMENTS).rows:
            elem_schemes[str(e)].add(str(scheme))
        listed: set[frozenset[str]] = set()
        for e in sorted(elem_schemes):
            group = frozenset(x for x in same.get(e, {e}) if x in elem_schemes)
            if group in listed:
                continue
            listed.add(group)
            if any(x in covered or below(x) & covered for x in group):
                continue
            shown = [x for x in group
                     if not params["scheme"] or params["scheme"] in elem_schemes[x]]
            if not shown:
                continue
            subject = min(shown, key=lambda x: (min(elem_schemes[x]), x))
            sch = min(elem_schemes[subject])
            reason = "no linked standard is classified in this element"
            if below(subject):
                reason += " or in any element below it"
            others = sorted({min(elem_schemes[x]) for x in group if x != subject})
            if others:
                lab.fetch(others)
                reason += ", nor in the same element of " + ", ".join(lab(o) for o in others)
            found.append((KINDS.index("architecture-element"), sch, subject, sch, reason))

    if "roadmap-item" in kinds:
        delivered = reader.either(SG + "delivers", SG + "deliveredBy", ROADMAP_ITEM, STANDARD)
        served = reader.either(SG + "servedBy", SG + "serves", ROADMAP_ITEM, STANDARD)
        with_link[SG + "delivers"] = {s for ss in delivered.values() for s in ss}
        with_link[SG + "servedBy"] = {s for ss in served.values() for s in ss}
        for r, timeframe in store.query(Q_ROADMAP).rows:
            linked = delivered.get(str(r), set()) | served.get(str(r), set())
            if linked & counted:
                continue
            reason = "no linked standard delivers or serves this roadmap item"
            if timeframe is not None:
                reason += f" (timeframe {timeframe})"
            others = sorted(linked & retired)
            if others:
                lab.fetch(others)
                reason += (f" ({others_do}: " +
                           "; ".join(lab(s) for s in others) + ")")
            found.append((KINDS.index("roadmap-item"), "", str(r), None, reason))

    coverage = {link: reader.coverage(link, with_link[link], counted)
                for kind in params["kinds"] for link in _RESTS_ON[kind]}
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    chosen, truncated = cap(found, params["limit"])
    lab.fetch([f[2] for f in chosen] + [f[3] for f in chosen if f[3]])
    items = [{"subject": subject, "label": lab(subject), "kind": KINDS[k], "scheme": scheme,
              "scheme_label": lab(scheme) if scheme else None, "reason": reason,
              "coverage": [coverage[link] for link in _RESTS_ON[KINDS[k]]]}
             for k, _key, subject, scheme, reason in chosen]
    status = reader.status_coverage(counted)
    if keep is not None:
        n = len(counted)
        status["text"] = (f"{n:,} of {len(reader.instances()):,} standards "
                          + picked_words(params, lab, n == 1, bodies=True)
                          + ("" if statuses else ", not withdrawn or superseded")
                          + "; only they count")
    extra = {"coverage": [*coverage.values(), status],
             "matrix": matrix(store, params["rows"], params["columns"], lab,
                              {s: e for s, e in classified.items() if s in counted})}
    return AnalysisDocument("gaps", json_params(params), items, truncated, extra)


CSV_COLUMNS = [
    ("subject", lambda i: i["subject"]), ("label", lambda i: i["label"]),
    ("kind", lambda i: i["kind"]), ("scheme", lambda i: i["scheme"]),
    ("scheme_label", lambda i: i["scheme_label"]), ("reason", lambda i: i["reason"]),
]
TABLE_COLUMNS = [
    ("kind", lambda i: i["kind"]), ("label", lambda i: i["label"]),
    ("scheme", lambda i: i["scheme_label"] or ""), ("reason", lambda i: i["reason"]),
]


def matrix_table(m: dict) -> str:
    """The coverage matrix as text: rows x columns, '.' for an empty cell."""
    cols = [c["label"] for c in m["columns"]["elements"]]
    rows = [r["label"] for r in m["rows"]["elements"]]
    if not rows or not cols:
        return "(no coverage matrix: the axes have no elements)\n"
    w0 = max(len(r) for r in rows)
    widths = [max(3, min(12, len(c))) for c in cols]
    head = " " * w0 + "  " + "  ".join(c[:w].rjust(w) for c, w in zip(cols, widths,
                                                                         strict=True))
    lines = [f"{m['rows']['axis']['label']} x {m['columns']['axis']['label']} "
             "(standards per cell)", head]
    for r, counts in zip(rows, m["counts"], strict=True):
        cells = "  ".join((str(n) if n else ".").rjust(w) for n, w in zip(counts, widths,
                                                                            strict=True))
        lines.append(r.ljust(w0) + "  " + cells)
    lines.append(f"({len(m['empty'])} empty cell{'s' if len(m['empty']) != 1 else ''})")
    return "\n".join(lines) + "\n"


REPORT_COLUMNS = [
    ("kind", lambda i: i["kind"]), ("subject", lambda i: ref(i["subject"], i["label"])),
    ("scheme", lambda i: ref(i["scheme"], i["scheme_label"])),
    ("reason", lambda i: i["reason"] or ""),
]


def _matrix_appendix(doc: AnalysisDocument) -> str:
    return matrix_table(doc.extra["matrix"]) if "matrix" in doc.extra else ""



__all__ = ["gaps", "matrix", "PARAMS", "KINDS"]
