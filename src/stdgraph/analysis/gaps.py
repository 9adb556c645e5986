"""Gaps: what no standard covers.

- ``barrier`` / ``theme`` / ``technology``: a concept of that class (sg:Barrier, sg:Theme,
  sg:Technology) that no *published* standard (``sg:status sg:Published``) addresses
  (``sg:addressesBarrier``, ``sg:supportsTheme``, ``sg:concernsTechnology``), neither the concept
  itself nor any concept narrower than it (``skos:broader``, transitively).
- ``architecture-element``: an element of an architecture scheme (``skos:inScheme``; not a
  scheme of unresolved elements, ``sg:UnresolvedElementScheme``, which is no architecture) in
  which no standard is classified (asserted or inferred), neither in it nor in any element below
  it (``skos:broader``, transitively) - so an axis counts as covered when one of its elements is.
  Elements declared the same (``sg:sameElementAs``: one element that two architectures contain)
  are one element: a standard classified in one is classified in all, the element is covered
  when one of them is, and an element no standard covers is listed once (in the smallest
  scheme, or in ``scheme`` when given; the reason names the others' architectures).
- ``roadmap-item``: a roadmap item no standard delivers (``sg:delivers``, or ``sg:deliveredBy``
  read backwards).
- The coverage matrix of a two-axis grid (``rows`` x ``columns``, RAMI 4.0 layers x hierarchy
  levels by default): the elements of each axis are its direct children (``skos:broader`` the
  axis, ordered by ``sg:order`` then IRI); a standard is in cell (r, c) when it is classified in
  both r and c; the document's ``matrix`` key holds the counts and lists the empty cells.

Items are sorted by kind (in the order above), then scheme, then subject IRI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from rdflib import Literal

from stdgraph.analysis.common import (
    PROLOGUE,
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
from stdgraph.analysis.registry import Analysis
from stdgraph.store.base import Store

KINDS = ("barrier", "theme", "technology", "architecture-element", "roadmap-item")
PUBLISHED = "https://w3id.org/stdgraph/ontology#Published"

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
    limit_param(),
]

_CONCEPTS = {"barrier": ("sg:Barrier", "sg:addressesBarrier", "addresses this barrier"),
             "theme": ("sg:Theme", "sg:supportsTheme", "supports this theme"),
             "technology": ("sg:Technology", "sg:concernsTechnology", "concerns this technology")}

Q_CONCEPTS = PROLOGUE + """SELECT DISTINCT ?x ?scheme WHERE {{
  ?x a {cls} .
  OPTIONAL {{ ?x skos:inScheme ?scheme }}
}}"""
Q_SERVED = PROLOGUE + """SELECT DISTINCT ?x ?s ?status WHERE {{
  ?s {prop} ?x ; a sg:Standard .
  OPTIONAL {{ ?s sg:status ?status }}
}}"""
Q_BROADER = PROLOGUE + """SELECT DISTINCT ?narrow ?broad WHERE {
  { ?narrow skos:broader ?broad } UNION { ?broad skos:narrower ?narrow }
}"""
Q_ELEMENTS = PROLOGUE + """SELECT DISTINCT ?e ?scheme WHERE {
  ?e skos:inScheme ?scheme .
  { ?e a sg:ArchitectureElement } UNION { ?scheme a sg:ReferenceArchitecture }
  FILTER NOT EXISTS { ?scheme a sg:UnresolvedElementScheme }
}"""
Q_CLASSIFIED_ELEMENTS = PROLOGUE + "SELECT DISTINCT ?e WHERE { ?s sg:classifiedIn ?e }"
Q_ROADMAP = PROLOGUE + """SELECT DISTINCT ?r ?timeframe ?delivered WHERE {
  ?r a sg:RoadmapItem .
  OPTIONAL { ?r sg:timeframeLabel ?timeframe }
  BIND(EXISTS { { ?r sg:delivers ?s } UNION { ?s sg:deliveredBy ?r } } AS ?delivered)
}"""
Q_AXIS = PROLOGUE + """SELECT DISTINCT ?e ?order WHERE {{
  {values}
  {{ ?e skos:broader ?axis }} UNION {{ ?axis skos:narrower ?e }}
  OPTIONAL {{ ?e sg:order ?order }}
}}"""
Q_CELLS = PROLOGUE + """SELECT ?r ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  {rows}
  {cols}
  ?s sg:classifiedIn ?r .
  ?s sg:classifiedIn ?c .
}} GROUP BY ?r ?c"""


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


def matrix(store: Store, rows_axis: str, cols_axis: str, lab: Labels) -> dict:
    rows = _axis_elements(store, rows_axis)
    cols = _axis_elements(store, cols_axis)
    counts = {(r, c): 0 for r in rows for c in cols}
    if rows and cols:
        q = Q_CELLS.format(rows=values_block("r", rows), cols=values_block("c", cols))
        for r, c, n in store.query(q).rows:
            if (str(r), str(c)) in counts:
                counts[(str(r), str(c))] = int(str(n))
    lab.fetch([rows_axis, cols_axis, *rows, *cols])
    return {
        "rows": {"axis": lab.ref(rows_axis), "elements": lab.refs(rows)},
        "columns": {"axis": lab.ref(cols_axis), "elements": lab.refs(cols)},
        "counts": [[counts[(r, c)] for c in cols] for r in rows],
        "empty": [{"row": lab.ref(r), "column": lab.ref(c)}
                  for r in rows for c in cols if counts[(r, c)] == 0],
    }


def gaps(store: Store, raw: RawParams | None = None, *, ignore=("format",)) -> AnalysisDocument:
    params = parse_params(PARAMS, raw or {}, ignore=ignore)
    kinds = set(params["kinds"])
    params["kinds"] = [k for k in KINDS if k in kinds]  # canonical order, no repeats
    lab = Labels(store)
    below = _below(store)
    found: list[tuple[int, str, str, str | None, str]] = []  # kind#, scheme, subject, ...

    for kind in KINDS[:3]:
        if kind not in kinds:
            continue
        cls, prop, verb = _CONCEPTS[kind]
        schemes: dict[str, list[str]] = defaultdict(list)
        for x, scheme in store.query(Q_CONCEPTS.format(cls=cls)).rows:
            schemes.setdefault(str(x), [])
            if scheme is not None:
                schemes[str(x)].append(str(scheme))
        served: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        for x, s, status in store.query(Q_SERVED.format(prop=prop)).rows:
            served[str(x)].append((str(s), None if status is None else str(status)))
        for x in schemes:
            users = [u for y in {x} | below(x) for u in served.get(y, [])]
            if any(st == PUBLISHED for _s, st in users):
                continue
            others = sorted({s for s, _st in users})
            reason = f"no published standard {verb}"
            if others:
                lab.fetch(others)
                reason += (" (only standards that are not published do: " +
                           "; ".join(lab(s) for s in others) + ")")
            sch = min(schemes[x]) if schemes[x] else None
            found.append((KINDS.index(kind), sch or "", x, sch, reason))

    if "architecture-element" in kinds:
        same = same_elements(store)
        classified = {str(e) for (e,) in store.query(Q_CLASSIFIED_ELEMENTS).rows}
        classified |= {y for x in classified for y in same.get(x, ())}
        elem_schemes: dict[str, set[str]] = defaultdict(set)
        for e, scheme in store.query(Q_ELEMENTS).rows:
            elem_schemes[str(e)].add(str(scheme))
        listed: set[frozenset[str]] = set()
        for e in sorted(elem_schemes):
            group = frozenset(x for x in same.get(e, {e}) if x in elem_schemes)
            if group in listed:
                continue
            listed.add(group)
            if any(x in classified or below(x) & classified for x in group):
                continue
            shown = [x for x in group
                     if not params["scheme"] or params["scheme"] in elem_schemes[x]]
            if not shown:
                continue
            subject = min(shown, key=lambda x: (min(elem_schemes[x]), x))
            sch = min(elem_schemes[subject])
            reason = "no standard is classified in this element"
            if below(subject):
                reason += " or in any element below it"
            others = sorted({min(elem_schemes[x]) for x in group if x != subject})
            if others:
                lab.fetch(others)
                reason += ", nor in the same element of " + ", ".join(lab(o) for o in others)
            found.append((KINDS.index("architecture-element"), sch, subject, sch, reason))

    if "roadmap-item" in kinds:
        for r, timeframe, delivered in store.query(Q_ROADMAP).rows:
            if isinstance(delivered, Literal) and bool(delivered.toPython()):
                continue
            reason = "no standard delivers this roadmap item yet"
            if timeframe is not None:
                reason += f" (timeframe {timeframe})"
            found.append((KINDS.index("roadmap-item"), "", str(r), None, reason))

    found.sort(key=lambda f: (f[0], f[1], f[2]))
    chosen, truncated = cap(found, params["limit"])
    lab.fetch([f[2] for f in chosen] + [f[3] for f in chosen if f[3]])
    items = [{"subject": subject, "label": lab(subject), "kind": KINDS[k], "scheme": scheme,
              "scheme_label": lab(scheme) if scheme else None, "reason": reason}
             for k, _key, subject, scheme, reason in chosen]
    extra = {"matrix": matrix(store, params["rows"], params["columns"], lab)}
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


ANALYSES = (
    Analysis(
        "gaps", "What no standard covers",
        description="Each item is something no standard covers, with the reason: a barrier, "
                    "theme or technology that no published standard addresses; an element of "
                    "a reference architecture in which no standard is classified (neither in "
                    "it nor in any element below it); or a roadmap item that no standard "
                    "delivers. There is no score. The coverage matrix next to the items counts "
                    "the standards in each cell of a two-axis grid (by default RAMI 4.0 layers "
                    "by hierarchy levels); an empty cell is a gap too.",
        path="/analysis/gaps", function=gaps, params=PARAMS, csv_columns=CSV_COLUMNS,
        table_columns=TABLE_COLUMNS, report_columns=REPORT_COLUMNS,
        table_appendix=_matrix_appendix, docs="docs/analyses.md#gaps"),
)

__all__ = ["gaps", "matrix", "PARAMS", "KINDS", "ANALYSES"]
